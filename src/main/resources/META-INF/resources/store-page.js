// One store: its records page by page in key order, search by prefix, add / view / edit / delete a
// record, clear the store, and delete it unless workflows are linked to it; its changes as they happen.

import { h, field } from './dom.js';
import { confirmAction } from './dialogs.js';
import { showAlert, showFailure, clearFailure, announce } from './feedback.js';
import { formatBytes, formatCount, formatDateTime, fromNow } from './format.js';
import { jsonSyntaxError, truncate } from './json-text.js';
import { showValue, editRecord } from './record-dialogs.js';
import { watchStore } from './changes.js';

const PAGE_SIZE = 50;
const PREVIEW_LENGTH = 60;
const CHANGES_SHOWN = 50;

/**
 * Renders the store into `main` and starts watching its changes; rejects when the store cannot be read.
 * Resolves with the function that stops the watch, to call when leaving the page.
 */
export async function renderStore(main, api, storeId) {
  const [store, links] = await Promise.all([api.store(storeId), api.links(storeId)]);
  const page = new StorePage(api, store, links);
  await page.loadRecords();
  main.replaceChildren(...page.elements());
  page.startWatching();
  return () => page.stopWatching();
}

class StorePage {
  constructor(api, store, links) {
    this.api = api;
    this.store = store;
    this.links = links;
    this.prefix = '';
    // The cursor of every page up to the one shown: "previous" pops, "next" pushes nextCursor.
    this.cursors = [null];
    this.nextCursor = null;
    this.title = h('h1', { tabindex: '-1' }, store.name);
    this.summary = h('p', { class: 'muted' });
    this.recordsArea = h('div', { class: 'table-wrap' });
    this.pager = h('nav', { class: 'pager', 'aria-label': 'Record pages' });
    this.deleteArea = h('div', {});
    this.liveState = h('p', { class: 'live-state muted', 'data-state': 'connecting' }, 'Connecting…');
    this.changesList = h('ol', { class: 'changes', role: 'log', 'aria-label': 'Recent changes' });
    this.watching = null;
  }

  elements() {
    this.renderSummary();
    this.renderDeleteArea();
    return [
      h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'All stores'), ' / ', this.store.name),
      this.title,
      this.summary,
      h('section', { class: 'card', 'aria-labelledby': 'records-title' },
        h('h2', { id: 'records-title' }, 'Records'),
        this.searchForm(),
        this.recordsArea,
        this.pager),
      this.addRecordSection(),
      h('section', { class: 'card', 'aria-labelledby': 'changes-title' },
        h('h2', { id: 'changes-title' }, 'Live changes'),
        h('div', { class: 'live-bar' },
          this.liveState,
          h('button', { type: 'button', onclick: () => this.refresh() }, 'Reload records')),
        this.changesList),
      h('section', { class: 'card danger-zone', 'aria-labelledby': 'danger-title' },
        h('h2', { id: 'danger-title' }, 'Danger zone'),
        h('div', { class: 'danger-item' },
          h('p', {}, 'Clear the store: delete every record, keep the store and its links.'),
          h('button', { type: 'button', class: 'danger', onclick: () => this.clear() }, 'Clear store…')),
        this.deleteArea),
    ];
  }

  /** Shows the store's changes from now on, newest first, until stopWatching() or the store's deletion. */
  startWatching() {
    this.watching = new AbortController();
    const signal = this.watching.signal;
    watchStore(this.api, this.store.id, {
      signal,
      onChange: change => this.showChange(change),
      onState: (state, detail) => {
        if (signal.aborted) return;
        const retry = detail ? ` (${detail.failure.message || detail.failure}); trying again in ${Math.ceil(detail.delay / 1000)} s` : '';
        this.setLiveState(state, {
          connecting: 'Connecting…',
          live: 'Live: changes appear here as they are committed.',
          retrying: `Connection lost${retry}. No change is missed: the list resumes after the last one shown.`,
        }[state]);
      },
    }).then(() => {
      // it ends by itself only after the store's deletion, which showChange() has told
      if (!signal.aborted && this.liveState.dataset.state !== 'deleted') this.setLiveState('ended', 'Stopped.');
    }, error => {
      if (!signal.aborted) this.setLiveState('failed', `Live changes stopped: ${error.title || 'error'}: ${error.detail || error.message || error}`);
    });
  }

  stopWatching() {
    this.watching?.abort();
  }

  setLiveState(state, text) {
    this.liveState.dataset.state = state;
    this.liveState.textContent = text;
  }

  showChange(change) {
    const received = new Date().toISOString();
    const item = h('li', { 'data-position': change.position, 'data-type': change.type },
      h('time', { datetime: received, title: formatDateTime(received) }, new Date(received).toLocaleTimeString('en')),
      ' ', h('strong', { class: `change-type change-${change.type}` }, change.type),
      change.key !== undefined ? [' ', h('code', { class: 'key' }, change.key)] : null,
      change.reason === 'expired' ? h('span', { class: 'muted' }, ' (expired)') : null,
      ' ', h('span', { class: 'muted position' }, `at ${change.position}`));
    this.changesList.prepend(item);
    while (this.changesList.children.length > CHANGES_SHOWN) {
      this.changesList.lastElementChild.remove();
    }
    if (change.type === 'store-deleted') {
      this.setLiveState('deleted', 'This store has been deleted: no more changes will come.');
      showAlert({ title: 'Store deleted', detail: `“${this.store.name}” was deleted; its records are gone.` });
    }
  }

  renderSummary() {
    const { id, recordCount, storageBytes, rawBytes } = this.store;
    this.summary.textContent = `${id} · ${formatCount(recordCount)} records · `
      + `${formatBytes(storageBytes)} stored (compressed) · ${formatBytes(rawBytes)} raw`;
  }

  /** After a write: the counts and sizes, and the page shown, as the service has them now. */
  async refresh() {
    try {
      this.store = await this.api.store(this.store.id);
      this.title.textContent = this.store.name;
      this.renderSummary();
      await this.loadRecords();
    } catch (error) {
      showFailure(error);
    }
  }

  searchForm() {
    const input = h('input', { type: 'search', name: 'prefix', autocomplete: 'off', spellcheck: 'false' });
    const search = prefix => {
      this.prefix = prefix;
      this.cursors = [null];
      this.loadRecords().catch(showFailure);
    };
    return h('form', {
      class: 'inline-form',
      role: 'search',
      onsubmit: event => { event.preventDefault(); search(input.value); },
    },
    field('Key prefix', input),
    h('button', { type: 'submit' }, 'Search'),
    h('button', { type: 'button', onclick: () => { input.value = ''; search(''); } }, 'Show all'));
  }

  async loadRecords() {
    const cursor = this.cursors[this.cursors.length - 1];
    const page = await this.api.records(this.store.id, { prefix: this.prefix, cursor, limit: PAGE_SIZE });
    this.nextCursor = page.nextCursor;
    this.recordsArea.replaceChildren(this.recordsTable(page.records));
    this.renderPager();
  }

  recordsTable(records) {
    if (records.length === 0) {
      // A later page can empty out when its records are deleted; earlier pages may still hold some.
      const emptiness = this.cursors.length > 1 ? 'No records are left on this page; earlier pages may have some.'
        : this.prefix ? `No record has a key starting with “${this.prefix}”.` : 'This store has no records.';
      return h('p', { class: 'muted' }, emptiness);
    }
    const pageNumber = this.cursors.length;
    return h('table', {},
      h('caption', {}, `Page ${pageNumber}`, this.prefix ? `, keys starting with “${this.prefix}”` : ''),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Key'),
        h('th', { scope: 'col' }, 'Value'),
        h('th', { scope: 'col' }, 'Expires'),
        h('th', { scope: 'col' }, 'Updated'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, records.map(record => this.recordRow(record))));
  }

  recordRow(record) {
    const { key } = record;
    const edit = () => editRecord(this.api, this.store.id, key, { onSaved: () => this.refresh() }).catch(showFailure);
    return h('tr', {},
      h('th', { scope: 'row' }, h('code', { class: 'key' }, key)),
      h('td', {}, h('code', { class: 'preview' }, truncate(JSON.stringify(record.value), PREVIEW_LENGTH))),
      h('td', {}, record.expiresAt
        ? h('time', { datetime: record.expiresAt, title: formatDateTime(record.expiresAt) }, fromNow(record.expiresAt))
        : h('span', { class: 'muted' }, 'never')),
      h('td', {}, h('time', { datetime: record.updatedAt }, formatDateTime(record.updatedAt))),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', 'aria-label': `View ${key}`, onclick: () => showValue(this.api, this.store.id, key, { onEdit: edit }).catch(showFailure) }, 'View'),
        h('button', { type: 'button', 'aria-label': `Edit ${key}`, onclick: edit }, 'Edit'),
        h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${key}`, onclick: () => this.deleteRecord(record) }, 'Delete')));
  }

  renderPager() {
    const previous = h('button', { type: 'button', disabled: this.cursors.length === 1, onclick: () => this.turnPage(-1) }, '← Previous page');
    const next = h('button', { type: 'button', disabled: !this.nextCursor, onclick: () => this.turnPage(1) }, 'Next page →');
    this.pager.replaceChildren(previous, h('span', { class: 'muted' }, `Page ${this.cursors.length}`), next);
  }

  async turnPage(direction) {
    const cursorsShown = [...this.cursors];
    if (direction > 0) {
      this.cursors.push(this.nextCursor);
    } else {
      this.cursors.pop();
    }
    try {
      await this.loadRecords();
      clearFailure();
      // The pressed button may now be disabled (first or last page); keep focus on the pager.
      const target = direction > 0 ? this.pager.lastElementChild : this.pager.firstElementChild;
      (target.disabled ? this.pager.querySelector('button:not([disabled])') : target)?.focus();
    } catch (error) {
      this.cursors = cursorsShown;
      showFailure(error);
    }
  }

  async deleteRecord(record) {
    const confirmed = await confirmAction({
      title: `Delete ${record.key}?`,
      message: `The record “${record.key}” is deleted for good.`,
      confirmLabel: 'Delete record',
    });
    if (!confirmed) return;
    try {
      // Only the version listed: a record changed meanwhile is reported, not deleted unseen.
      await this.api.deleteRecord(this.store.id, record.key, { ifMatch: record.etag });
      clearFailure();
      announce(`Deleted ${record.key}`);
    } catch (error) {
      if (error.status === 412) {
        showAlert({ title: 'Conflict', detail: `${record.key} changed since this page was loaded and was not deleted; the page now shows its current version.` });
      } else {
        showFailure(error);
      }
    }
    await this.refresh();
  }

  addRecordSection() {
    const keyInput = h('input', { name: 'key', required: true, autocomplete: 'off', spellcheck: 'false' });
    const valueInput = h('textarea', { name: 'value', required: true, rows: '5', spellcheck: 'false', class: 'json' });
    const ttlInput = h('input', { name: 'ttl', type: 'number', min: '1', step: '1', inputmode: 'numeric' });
    const form = h('form', {
      onsubmit: async event => {
        event.preventDefault();
        const key = keyInput.value;
        const syntaxError = jsonSyntaxError(valueInput.value);
        if (syntaxError) {
          showAlert({ title: 'Invalid JSON', detail: `${syntaxError}. Nothing was saved.` });
          valueInput.focus();
          return;
        }
        try {
          // Create only: adding must never replace a record that has the same key.
          await this.api.putRecord(this.store.id, key, valueInput.value, { ttl: ttlInput.value, ifNoneMatch: '*' });
        } catch (error) {
          if (error.status === 412) {
            showAlert({ title: 'Key taken', detail: `A record with the key “${key}” exists already; edit it in the table instead.` });
          } else {
            showFailure(error);
          }
          keyInput.focus();
          return;
        }
        clearFailure();
        announce(`Added ${key}`);
        form.reset();
        keyInput.focus();
        await this.refresh();
      },
    },
    field('Key', keyInput, 'Any text up to 512 bytes: slashes, spaces, % and Unicode are fine.'),
    field('Value (JSON)', valueInput),
    field('TTL in seconds', ttlInput, 'Optional; empty means the record never expires.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add record')));
    return h('section', { class: 'card', 'aria-labelledby': 'add-record-title' },
      h('h2', { id: 'add-record-title' }, 'Add a record'), form);
  }

  async clear() {
    const confirmed = await confirmAction({
      title: `Clear ${this.store.name}?`,
      message: `All ${formatCount(this.store.recordCount)} records of “${this.store.name}” are deleted for good. The store and its links stay.`,
      confirmLabel: 'Clear store',
    });
    if (!confirmed) return;
    try {
      const { deleted } = await this.api.clearStore(this.store.id);
      clearFailure();
      announce(`Cleared ${this.store.name}: ${formatCount(deleted)} records deleted`);
      this.cursors = [null];
    } catch (error) {
      showFailure(error);
    }
    await this.refresh();
  }

  renderDeleteArea() {
    const button = h('button', { type: 'button', class: 'danger', onclick: () => this.deleteStore() }, 'Delete store…');
    if (this.links.length === 0) {
      this.deleteArea.replaceChildren(h('div', { class: 'danger-item' },
        h('p', {}, 'Delete the store with all its records. This is irreversible.'), button));
      return;
    }
    button.disabled = true;
    button.setAttribute('aria-describedby', 'linked-explanation');
    const count = this.links.length;
    this.deleteArea.replaceChildren(h('div', { class: 'danger-item' },
      h('div', {},
        h('p', { id: 'linked-explanation' },
          `This store cannot be deleted while ${count} linked workflow${count === 1 ? ' uses' : 's use'} it. Unlink ${count === 1 ? 'it' : 'them'} first.`),
        h('details', { class: 'links' },
          h('summary', {}, `Linked workflows (${count})`),
          h('ul', {}, this.links.map(link => h('li', {},
            h('strong', {}, link.name), ` (${link.kind}) `, h('code', {}, link.id)))))),
      button));
  }

  async deleteStore() {
    const { name, recordCount } = this.store;
    const confirmed = await confirmAction({
      title: `Delete ${name}?`,
      message: `This is irreversible: the store “${name}” and all ${formatCount(recordCount)} of its records are deleted for good.`,
      acknowledgement: 'I understand that this cannot be undone',
      confirmLabel: 'Delete store permanently',
    });
    if (!confirmed) return;
    try {
      await this.api.deleteStore(this.store.id);
    } catch (error) {
      showFailure(error);
      if (error.slug === 'store-linked') {
        // A workflow was linked after this page loaded: the refusal names the links, so show them.
        this.links = error.problem.links;
        this.renderDeleteArea();
      }
      return;
    }
    clearFailure();
    announce(`Deleted store ${name}`);
    location.hash = '#/';
  }
}
