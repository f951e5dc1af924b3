// What every dashboard test needs: the service under test (from e2e/with-service), Debian's Chromium
// driven by playwright-core, the REST API for arranging data behind the dashboard's back, and sign-in.

import { chromium } from 'playwright-core';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through e2e/with-service`);
  return value;
}

export const dashboardUrl = required('DASHBOARD_URL');
export const workspaceId = required('DATASTORES_WORKSPACE');
export const apiKey = required('DATASTORES_API_KEY');

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A name no other test (or earlier run against the same database) has used. */
export function uniqueName(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** The public API, called directly: to seed data and to change it while the dashboard looks. */
export const api = {
  async call(method, path, body, headers = {}) {
    const response = await fetch(new URL(`/v1/workspaces/${workspaceId}${path}`, dashboardUrl), {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('ETag'), text, json: text ? JSON.parse(text) : null };
  },

  async createStore(name) {
    const { status, json } = await this.call('POST', '/stores', { name });
    if (status !== 201) throw new Error(`creating store ${name}: ${status} ${JSON.stringify(json)}`);
    return json;
  },

  async putRecord(storeId, key, valueText) {
    const { status, text } = await this.call('PUT', `/stores/${storeId}/records/${encodeURIComponent(key)}`, valueText);
    if (status !== 200 && status !== 201) throw new Error(`putting ${key}: ${status} ${text}`);
  },

  /** The stored value's exact text, or null when there is no such record. */
  async valueText(storeId, key) {
    const { status, text } = await this.call('GET', `/stores/${storeId}/records/${encodeURIComponent(key)}`);
    return status === 404 ? null : text;
  },

  async batchSet(storeId, records) {
    const { status, text } = await this.call('POST', `/stores/${storeId}/batch`, { set: records, delete: [] });
    if (status !== 200) throw new Error(`batch: ${status} ${text}`);
  },

  async link(storeId, linkId, name, kind) {
    const { status, text } = await this.call('PUT', `/stores/${storeId}/links/${linkId}`, { name, kind });
    if (status !== 200 && status !== 201) throw new Error(`linking: ${status} ${text}`);
  },
};

/** Signs in through the form and waits for the workspace overview. */
export async function signIn(page) {
  await page.goto(dashboardUrl);
  await page.getByLabel('Workspace ID').fill(workspaceId);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Usage' }).waitFor();
}

/** Signs in and opens the page of `store`. */
export async function openStore(page, store) {
  await signIn(page);
  await page.getByRole('link', { name: store.name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: store.name }).waitFor();
}
