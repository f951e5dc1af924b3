// Building the page from data without innerHTML: every value from the service lands as text, so no
// key or value can inject markup.

/**
 * An element: `attributes` sets properties named `on…` as event listeners, `hidden`, `disabled`,
 * `checked` and `value` as properties, and anything else as an attribute; null, undefined and false
 * children are skipped, strings become text.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) {
      element.addEventListener(name.slice(2), value);
    } else if (['hidden', 'disabled', 'checked', 'value'].includes(name)) {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : value);
    }
  }
  element.append(...children.flat().filter(child => child !== null && child !== undefined && child !== false));
  return element;
}

let nextId = 0;

/** An id unique in the page, to tie a <label> to its control. */
export function uniqueId(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled form control: the label's `for` names the control's id. */
export function field(labelText, control, hint) {
  control.id ||= uniqueId('field');
  const hintElement = hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control, hintElement);
}
