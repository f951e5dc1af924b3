// The workspace: its plan, how much of it is used, and its stores (list, create, rename).

import { h, field } from './dom.js';
import { showFailure, clearFailure, announce } from './feedback.js';
import { formatBytes, formatCount, formatDateTime } from './format.js';

/** Renders the overview into `main`; rejects when the workspace cannot be read. */
export async function renderOverview(main, api) {
  const [workspace, stores] = await Promise.all([api.workspace(), api.stores()]);
  // After a change the page is drawn anew from the service; focus goes to the store that changed.
  const rerender = async changedStoreId => {
    await renderOverview(main, api);
    main.querySelector(`a[href="${storeHref(changedStoreId)}"]`)?.focus();
  };
  main.replaceChildren(
    h('h1', { tabindex: '-1' }, workspace.name),
    h('p', { class: 'muted' }, `${workspace.id} · plan `, h('strong', {}, workspace.plan.name)),
    usageSection(workspace),
    storesSection(api, stores, rerender),
    createStoreSection(api, rerender));
}

function usageSection({ plan, usage }) {
  return h('section', { class: 'card', 'aria-labelledby': 'usage-title' },
    h('h2', { id: 'usage-title' }, 'Usage'),
    h('div', { class: 'usage' },
      usageBar('Stores', usage.stores, plan.maxStores, formatCount),
      usageBar('Keys', usage.keys, plan.maxKeys, formatCount),
      usageBar('Storage (compressed)', usage.storageBytes, plan.maxStorageBytes, formatBytes)));
}

function usageBar(label, used, allowed, format) {
  const text = `${format(used)} of ${format(allowed)}`;
  const meter = h('meter', {
    id: `usage-${label.split(' ')[0].toLowerCase()}`,
    min: '0', max: String(allowed), value: String(used), high: String(allowed * 0.9), optimum: '0',
    'aria-valuetext': text,
  });
  return h('div', { class: 'usage-item' },
    h('label', { for: meter.id }, label), meter, h('span', { class: 'usage-text' }, text));
}

function storesSection(api, stores, rerender) {
  const rows = stores.map(store => storeRow(api, store, rerender));
  return h('section', { class: 'card', 'aria-labelledby': 'stores-title' },
    h('h2', { id: 'stores-title' }, 'Stores'),
    stores.length === 0
      ? h('p', { class: 'muted' }, 'No stores yet. Create the first one below.')
      : h('table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Name'),
          h('th', { scope: 'col', class: 'number' }, 'Records'),
          h('th', { scope: 'col', class: 'number' }, 'Stored (compressed)'),
          h('th', { scope: 'col', class: 'number' }, 'Raw'),
          h('th', { scope: 'col' }, 'Created'),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', {}, rows)));
}

function storeHref(storeId) {
  return `#/stores/${encodeURIComponent(storeId)}`;
}

function storeLink(store) {
  return h('a', { href: storeHref(store.id) }, store.name);
}

function storeRow(api, store, rerender) {
  const nameCell = h('th', { scope: 'row' }, storeLink(store));
  const renameButton = h('button', {
    type: 'button',
    'aria-label': `Rename store ${store.name}`,
    onclick: () => {
      nameCell.replaceChildren(renameForm(api, store, rerender, () => {
        nameCell.replaceChildren(storeLink(store));
        renameButton.hidden = false;
        renameButton.focus();
      }));
      renameButton.hidden = true;
      nameCell.querySelector('input').select();
    },
  }, 'Rename');
  return h('tr', {},
    nameCell,
    h('td', { class: 'number' }, formatCount(store.recordCount)),
    h('td', { class: 'number' }, formatBytes(store.storageBytes)),
    h('td', { class: 'number' }, formatBytes(store.rawBytes)),
    h('td', {}, formatDateTime(store.createdAt)),
    h('td', { class: 'row-actions' }, renameButton));
}

function renameForm(api, store, rerender, cancel) {
  const input = h('input', { value: store.name, required: true, autocomplete: 'off' });
  return h('form', {
    class: 'inline-form',
    onsubmit: async event => {
      event.preventDefault();
      try {
        const renamed = await api.renameStore(store.id, input.value.trim());
        clearFailure();
        announce(`Renamed store ${store.name} to ${renamed.name}`);
        await rerender(store.id);
      } catch (error) {
        showFailure(error);
        input.focus();
      }
    },
    onkeydown: event => { if (event.key === 'Escape') cancel(); },
  },
  field(`New name for ${store.name}`, input),
  h('button', { type: 'submit', class: 'primary' }, 'Save name'),
  h('button', { type: 'button', onclick: cancel }, 'Cancel'));
}

function createStoreSection(api, rerender) {
  const input = h('input', { name: 'name', required: true, autocomplete: 'off' });
  return h('section', { class: 'card', 'aria-labelledby': 'create-store-title' },
    h('h2', { id: 'create-store-title' }, 'Create a store'),
    h('form', {
      class: 'inline-form',
      onsubmit: async event => {
        event.preventDefault();
        try {
          const store = await api.createStore(input.value.trim());
          clearFailure();
          announce(`Created store ${store.name}`);
          await rerender(store.id);
        } catch (error) {
          showFailure(error);
          input.focus();
        }
      },
    },
    field('Store name', input),
    h('button', { type: 'submit', class: 'primary' }, 'Create store')));
}
