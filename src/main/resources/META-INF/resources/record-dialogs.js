// One record in a dialog: its value as formatted JSON, and an editor that saves only over the version
// it loaded (If-Match), so a concurrent change is reported as a conflict instead of being overwritten.

import { h, field } from './dom.js';
import { openDialog } from './dialogs.js';
import { showAlert, showFailure, clearFailure, announce } from './feedback.js';
import { formatJson, jsonSyntaxError } from './json-text.js';
import { formatDateTime, fromNow } from './format.js';

function expiryText(expiresAt) {
  return expiresAt ? `expires ${fromNow(expiresAt)} (${formatDateTime(expiresAt)})` : 'never expires';
}

/** Shows the stored value of `key`; `onEdit` is offered as the way to change it. */
export async function showValue(api, storeId, key, { onEdit }) {
  const record = await api.record(storeId, key);
  const dialog = openDialog(`Value of ${key}`, h('div', {},
    h('p', { class: 'muted' }, `Version ${record.etag}, ${expiryText(record.expiresAt)}`),
    h('pre', { class: 'json', tabindex: '0', 'aria-label': `Value of ${key} as JSON` }, formatJson(record.text)),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => { dialog.close(); onEdit(); } }, 'Edit'),
      h('button', { type: 'button', onclick: () => dialog.close() }, 'Close'))));
}

/** Seconds until `expiresAt`, rounded up, as the editor's TTL; empty when the record never expires. */
function remainingTtl(expiresAt) {
  return expiresAt ? String(Math.max(1, Math.ceil((Date.parse(expiresAt) - Date.now()) / 1000))) : '';
}

/** Opens the editor on the current version of `key`; `onSaved` (async) runs after a successful save. */
export async function editRecord(api, storeId, key, { onSaved }) {
  let record = await api.record(storeId, key);
  const valueInput = h('textarea', { rows: '14', spellcheck: 'false', class: 'json', value: formatJson(record.text) });
  const ttlInput = h('input', { type: 'number', min: '1', step: '1', inputmode: 'numeric', value: remainingTtl(record.expiresAt) });
  const versionText = h('p', { class: 'muted' }, `Editing version ${record.etag}`);
  const alertRegion = h('div', { class: 'alert', role: 'alert' });
  const unsavedEdit = h('div', {});

  async function loadLatest() {
    const draft = valueInput.value;
    try {
      record = await api.record(storeId, key);
    } catch (error) {
      showFailure(error, alertRegion);
      return;
    }
    clearFailure(alertRegion);
    // The user's text stays readable so nothing typed is lost by taking the newer version.
    unsavedEdit.replaceChildren(h('details', { class: 'unsaved' },
      h('summary', {}, 'Your unsaved edit'),
      h('pre', { class: 'json', tabindex: '0' }, draft)));
    valueInput.value = formatJson(record.text);
    ttlInput.value = remainingTtl(record.expiresAt);
    versionText.textContent = `Editing version ${record.etag} (the latest)`;
    announce(`Loaded the latest value of ${key}`);
    valueInput.focus();
  }

  async function save(event) {
    event.preventDefault();
    const syntaxError = jsonSyntaxError(valueInput.value);
    if (syntaxError) {
      showAlert({ title: 'Invalid JSON', detail: `${syntaxError}. Nothing was saved.` }, alertRegion);
      valueInput.focus();
      return;
    }
    try {
      await api.putRecord(storeId, key, valueInput.value, { ttl: ttlInput.value, ifMatch: record.etag });
    } catch (error) {
      if (error.status === 412) {
        showAlert({
          title: 'Conflict',
          detail: `${key} was changed or deleted since you opened it (you edited version ${record.etag}). Your edit was not saved.`,
        }, alertRegion, h('button', { type: 'button', onclick: loadLatest }, 'Load the latest value'));
      } else {
        showFailure(error, alertRegion);
      }
      return;
    }
    dialog.close();
    await onSaved();
    announce(`Saved ${key}`);
  }

  const dialog = openDialog(`Edit ${key}`, h('form', { onsubmit: save },
    versionText,
    field('Value (JSON)', valueInput),
    field('TTL in seconds', ttlInput, 'Empty: the record never expires. Saving starts the TTL anew from now.'),
    alertRegion,
    unsavedEdit,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Save'),
      h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'))));
  valueInput.focus();
}
