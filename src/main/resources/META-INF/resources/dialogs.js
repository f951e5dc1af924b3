// Modal dialogs on <dialog>: the browser keeps focus inside and closes on Escape; focus goes back to
// the control that opened the dialog.

import { h, uniqueId } from './dom.js';

/**
 * Shows `content` in a modal dialog titled `title`. Returns the dialog; `onClose` runs once it closes,
 * however it was closed.
 */
export function openDialog(title, content, { onClose } = {}) {
  const opener = document.activeElement;
  const titleId = uniqueId('dialog-title');
  const dialog = h('dialog', { 'aria-labelledby': titleId }, h('h2', { id: titleId }, title), content);
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
    onClose?.();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/**
 * Asks before something that cannot be undone. With `acknowledgement`, the confirm button stays
 * disabled until that checkbox is ticked. Resolves to whether the user confirmed.
 */
export function confirmAction({ title, message, confirmLabel, acknowledgement }) {
  return new Promise(resolve => {
    let confirmed = false;
    const confirmButton = h('button', { type: 'submit', class: 'danger', disabled: Boolean(acknowledgement) }, confirmLabel);
    const checkbox = acknowledgement
      ? h('input', { type: 'checkbox', id: uniqueId('acknowledge'), onchange: event => { confirmButton.disabled = !event.target.checked; } })
      : null;
    const form = h('form', {
      method: 'dialog',
      onsubmit: () => { confirmed = true; },
    },
    h('p', {}, message),
    checkbox && h('div', { class: 'checkbox' }, checkbox, h('label', { for: checkbox.id }, acknowledgement)),
    h('div', { class: 'actions' },
      confirmButton,
      h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel')));
    const dialog = openDialog(title, form, { onClose: () => resolve(confirmed) });
    (checkbox || confirmButton.nextElementSibling).focus();
  });
}
