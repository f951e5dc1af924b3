// The dashboard: sign-in, then the workspace overview (#/) or one store (#/stores/{id}). The workspace
// id and API key live in sessionStorage only, so closing the tab signs out.

import { WorkspaceApi } from './api.js';
import { h, field } from './dom.js';
import { showFailure, clearFailure, announce } from './feedback.js';
import { renderOverview } from './overview.js';
import { renderStore } from './store-page.js';

const SESSION_KEY = 'datastores.session';
const main = document.getElementById('main');
const sessionNav = document.getElementById('session-nav');

function savedApi() {
  const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  return saved ? new WorkspaceApi(saved.workspaceId, saved.apiKey) : null;
}

function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
  clearFailure();
  announce('Signed out');
  history.replaceState(null, '', location.pathname);
  route();
}

function renderSignIn() {
  sessionNav.replaceChildren();
  const workspaceInput = h('input', { name: 'workspace', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'ws_…' });
  const keyInput = h('input', { name: 'apiKey', type: 'password', required: true, autocomplete: 'off', placeholder: 'dsk_…' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', {
    class: 'card sign-in',
    onsubmit: async event => {
      event.preventDefault();
      submit.disabled = true;
      const api = new WorkspaceApi(workspaceInput.value.trim(), keyInput.value.trim());
      try {
        // The key alone does not name its workspace; reading the workspace proves the pair fits.
        await api.workspace();
        sessionStorage.setItem(SESSION_KEY, JSON.stringify({ workspaceId: api.workspaceId, apiKey: api.apiKey }));
        clearFailure();
        route();
      } catch (error) {
        showFailure(error);
        submit.disabled = false;
        keyInput.focus();
      }
    },
  },
  h('h1', { tabindex: '-1' }, 'Sign in'),
  h('p', {}, 'Paste an API key of your workspace. It stays in this browser tab only and is sent to this service alone.'),
  field('Workspace ID', workspaceInput, 'Starts with ws_; your operator gave it to you with the key.'),
  field('API key', keyInput),
  h('div', { class: 'actions' }, submit));
  main.replaceChildren(form);
  workspaceInput.focus();
}

function renderSessionNav(api) {
  sessionNav.replaceChildren(
    h('span', { class: 'muted' }, api.workspaceId),
    h('button', { type: 'button', class: 'link-button', onclick: signOut }, 'Sign out'));
}

// What stops the page shown (the store page's live changes) when another one replaces it.
let leavePage = () => {};
let routed = 0;

async function route() {
  leavePage();
  leavePage = () => {};
  const current = ++routed;
  const api = savedApi();
  if (!api) {
    renderSignIn();
    return;
  }
  renderSessionNav(api);
  const storeMatch = location.hash.match(/^#\/stores\/([^/?]+)$/);
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    if (storeMatch) {
      const stop = await renderStore(main, api, decodeURIComponent(storeMatch[1]));
      if (current === routed) {
        leavePage = stop;
      } else {
        stop(); // another page was asked for while this one loaded
      }
    } else {
      await renderOverview(main, api);
    }
    main.querySelector('h1')?.focus();
  } catch (error) {
    showFailure(error);
    if (error.status === 401) {
      sessionStorage.removeItem(SESSION_KEY);
      renderSignIn();
      return;
    }
    main.replaceChildren(h('h1', { tabindex: '-1' }, 'This page could not be loaded'),
      h('p', {}, 'The reason is shown above. ', h('a', { href: '#/' }, 'Back to the workspace'),
        ' or ', h('button', { type: 'button', class: 'link-button', onclick: route }, 'try again'), '.'));
  }
}

window.addEventListener('hashchange', () => {
  clearFailure();
  route();
});
route();
