// Telling the user what happened: failures in an alert region (role="alert"), successes in a polite
// status region (role="status"). Both regions stay in the page so screen readers announce changes.

import { ApiProblem } from './api.js';
import { h } from './dom.js';

const pageAlert = () => document.getElementById('alert');
const pageStatus = () => document.getElementById('status');

/**
 * Shows `{title, detail}` in `region` (the page's alert region unless a dialog has its own), followed
 * by `extra` elements such as a button that offers a way out.
 */
export function showAlert({ title, detail }, region = pageAlert(), ...extra) {
  // A dialog's region goes with its dialog; only the page's region needs a way to dismiss it.
  const dismiss = region === pageAlert()
    ? [h('button', { type: 'button', class: 'link-button', onclick: () => clearFailure() }, 'Dismiss')]
    : [];
  region.replaceChildren(h('p', {}, h('strong', {}, title), detail ? `: ${detail}` : ''), ...extra, ...dismiss);
}

/** A failure in words: the problem document's title and detail, never a blank page. */
export function showFailure(error, region = pageAlert()) {
  showAlert(error instanceof ApiProblem
    ? { title: error.title, detail: error.detail }
    : { title: 'Something went wrong in the dashboard', detail: String(error?.message || error) }, region);
}

export function clearFailure(region = pageAlert()) {
  region.replaceChildren();
}

export function announce(message) {
  pageStatus().textContent = message;
}
