// The dashboard driven through Chromium against a real service: every test arranges its own store
// through the API, acts through the page as a user would, and checks the outcome in the page and,
// where it matters, in the service itself.

import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { api, apiKey, dashboardUrl, launchBrowser, openStore, signIn, uniqueName, workspaceId } from '../support.mjs';

let browser;
let context;
let page;
// Uncaught exceptions and Content-Security-Policy refusals: a test passes only without any. (Refused
// API calls are logged by the browser too, and are expected; those are not collected.)
let pageFaults;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser.close(); });
beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
  pageFaults = [];
  page.on('pageerror', error => pageFaults.push(error.message));
  page.on('console', message => {
    if (message.text().includes('Content Security Policy')) pageFaults.push(message.text());
  });
});
afterEach(async () => {
  await context.close();
  assert.deepEqual(pageFaults, []);
});

const alert = text => page.getByRole('alert').filter({ hasText: text });
const rowKeys = () => page.locator('tbody th[scope=row]').allTextContents();

test('signing in with the keyboard shows the workspace, its plan and usage against the limits', async () => {
  const response = await page.goto(dashboardUrl);
  assert.match(response.headers()['content-security-policy'], /default-src 'self'/);
  // The workspace field has focus on arrival; Tab moves to the key, Enter submits.
  await page.keyboard.type(workspaceId);
  await page.keyboard.press('Tab');
  await page.keyboard.type(apiKey);
  await page.keyboard.press('Enter');

  await page.getByRole('heading', { level: 1, name: 'Dashboard e2e' }).waitFor();
  const { json: workspace } = await api.call('GET', '');
  assert.match(await page.locator('main').textContent(), /plan business/);
  const storesMeter = page.getByRole('meter', { name: 'Stores' });
  assert.equal(await storesMeter.getAttribute('max'), String(workspace.plan.maxStores));
  assert.equal(await storesMeter.getAttribute('value'), String(workspace.usage.stores));
  assert.equal(await page.getByRole('meter', { name: 'Keys' }).getAttribute('max'), String(workspace.plan.maxKeys));
  assert.equal(await page.getByRole('meter', { name: 'Storage (compressed)' }).getAttribute('max'),
    String(workspace.plan.maxStorageBytes));
  assert.match(await page.locator('.usage').textContent(), /Storage \(compressed\)[\d.]+ (B|KiB|MiB) of [\d.]+ [KMGT]iB/,
    'bytes in words, not a raw count');

  await page.reload();
  await page.getByRole('heading', { name: 'Usage' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
});

test('a wrong API key is refused in words and nothing is remembered', async () => {
  await page.goto(dashboardUrl);
  await page.getByLabel('Workspace ID').fill(workspaceId);
  await page.getByLabel('API key').fill('dsk_not-a-real-key');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await alert('Unauthorized').waitFor();
  assert.match(await alert('Unauthorized').textContent(), /Unauthorized: A valid bearer token is required/);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
});

test('a store is created, listed with its sizes, and renamed; a taken name is refused in words', async () => {
  const name = uniqueName('orders');
  await signIn(page);
  await page.getByLabel('Store name').fill(name);
  await page.getByRole('button', { name: 'Create store' }).click();
  await page.getByRole('link', { name, exact: true }).waitFor();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  assert.match(await row.textContent(), /0\s*0 B\s*0 B/);

  await page.getByLabel('Store name').fill(name);
  await page.getByRole('button', { name: 'Create store' }).click();
  await alert('Name taken').waitFor();
  assert.match(await alert('Name taken').textContent(), new RegExp(`A store named '${name}' already exists`));

  const renamed = `${name}-renamed`;
  await page.getByRole('button', { name: `Rename store ${name}` }).click();
  await page.getByLabel(`New name for ${name}`).fill(renamed);
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.getByRole('link', { name: renamed, exact: true }).waitFor();
  const { json } = await api.call('GET', '/stores');
  assert.ok(json.stores.some(store => store.name === renamed));
  assert.ok(!json.stores.some(store => store.name === name));
});

test('a record is added, edited and deleted, under a key that needs percent-encoding', async () => {
  const store = await api.createStore(uniqueName('records'));
  const key = 'orders/2026 #1?50% ünï';
  const value = '{"total": 12345678901234567890123, "b": 1, "1": "first?"}';
  await openStore(page, store);

  await page.getByLabel('Key', { exact: true }).fill(key);
  await page.getByLabel('Value (JSON)').fill(value);
  await page.getByRole('button', { name: 'Add record' }).click();
  await page.getByRole('button', { name: `Edit ${key}` }).waitFor();
  assert.equal(await api.valueText(store.id, key), value, 'the service holds the key and the text exactly as typed');
  assert.deepEqual(await rowKeys(), [key]);
  assert.match(await page.locator('tbody').textContent(), /12345678901234567890123/);

  await page.getByRole('button', { name: `Edit ${key}` }).click();
  const editor = page.getByRole('dialog', { name: `Edit ${key}` });
  assert.equal(await editor.getByLabel('Value (JSON)').inputValue(),
    '{\n  "total": 12345678901234567890123,\n  "b": 1,\n  "1": "first?"\n}', 'formatted, members and numbers as stored');
  await editor.getByLabel('Value (JSON)').fill('{"total": 1.10}');
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: `Saved ${key}` }).waitFor();
  assert.equal(await api.valueText(store.id, key), '{"total": 1.10}');
  await page.locator('tbody').getByText('{"total":1.10}').waitFor();

  await page.getByRole('button', { name: `Delete ${key}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete record' }).click();
  await page.getByText('This store has no records.').waitFor();
  assert.equal(await api.valueText(store.id, key), null);
});

test('250 records page forward and back in key order, and a prefix narrows them', async () => {
  const store = await api.createStore(uniqueName('paging'));
  const keys = Array.from({ length: 250 }, (_, i) => `rec-${String(i).padStart(3, '0')}`);
  await api.batchSet(store.id, keys.map((key, i) => ({ key, value: { n: i } })));
  await openStore(page, store);
  const previous = page.getByRole('button', { name: '← Previous page' });
  const next = page.getByRole('button', { name: 'Next page →' });

  assert.deepEqual(await rowKeys(), keys.slice(0, 50));
  assert.ok(await previous.isDisabled());
  for (let pageNumber = 2; pageNumber <= 5; pageNumber++) {
    await next.click();
    await page.getByRole('table').getByText(`Page ${pageNumber}`).waitFor();
    assert.deepEqual(await rowKeys(), keys.slice((pageNumber - 1) * 50, pageNumber * 50));
  }
  assert.ok(await next.isDisabled(), 'the fifth page is the last');

  await previous.click();
  await page.getByRole('table').getByText('Page 4').waitFor();
  await previous.click();
  await page.getByRole('table').getByText('Page 3').waitFor();
  assert.deepEqual(await rowKeys(), keys.slice(100, 150));

  await page.getByLabel('Key prefix').fill('rec-12');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('table').getByText('Page 1, keys starting with “rec-12”').waitFor();
  assert.deepEqual(await rowKeys(), keys.slice(120, 130));
  assert.ok(await next.isDisabled());
});

test('a value changed by someone else while the editor is open is a conflict, never overwritten', async () => {
  const store = await api.createStore(uniqueName('conflict'));
  await api.putRecord(store.id, 'config', '{"mode": "original"}');
  await openStore(page, store);
  await page.getByRole('button', { name: 'Edit config' }).click();
  const editor = page.getByRole('dialog', { name: 'Edit config' });
  await editor.getByLabel('Value (JSON)').fill('{"mode": "from the dashboard"}');

  await api.putRecord(store.id, 'config', '{"mode": "from a workflow"}');
  await editor.getByRole('button', { name: 'Save' }).click();

  await editor.getByRole('alert').filter({ hasText: 'Conflict' }).waitFor();
  assert.match(await editor.getByRole('alert').textContent(), /config was changed or deleted since you opened it.*Your edit was not saved/);
  assert.equal(await api.valueText(store.id, 'config'), '{"mode": "from a workflow"}');

  await editor.getByRole('button', { name: 'Load the latest value' }).click();
  await editor.getByText('(the latest)').waitFor();
  assert.equal(await editor.getByLabel('Value (JSON)').inputValue(), '{\n  "mode": "from a workflow"\n}');
  await editor.getByText('Your unsaved edit').click();
  assert.match(await editor.locator('details pre').textContent(), /from the dashboard/);

  await editor.getByLabel('Value (JSON)').fill('{"mode": "merged"}');
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved config' }).waitFor();
  assert.equal(await api.valueText(store.id, 'config'), '{"mode": "merged"}');
});

test('a store with linked workflows cannot be deleted and lists them', async () => {
  const store = await api.createStore(uniqueName('linked'));
  await api.link(store.id, 'wf-nightly', 'Nightly sync', 'workflow');
  await api.link(store.id, 'wf-billing', 'Billing export', 'workflow');
  await openStore(page, store);

  const deleteButton = page.getByRole('button', { name: 'Delete store…' });
  assert.ok(await deleteButton.isDisabled());
  assert.match(await page.locator('#linked-explanation').textContent(), /cannot be deleted while 2 linked workflows use it/);
  const linkList = page.locator('details.links');
  assert.equal(await linkList.getAttribute('open'), null);
  await page.getByText('Linked workflows (2)').click();
  assert.deepEqual(await linkList.locator('li').allTextContents(),
    ['Billing export (workflow) wf-billing', 'Nightly sync (workflow) wf-nightly']);
});

test('a store is deleted only after the irreversible step is acknowledged', async () => {
  const store = await api.createStore(uniqueName('doomed'));
  await api.putRecord(store.id, 'a', '1');
  await openStore(page, store);

  await page.getByRole('button', { name: 'Delete store…' }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${store.name}?` });
  assert.match(await dialog.textContent(), /This is irreversible/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await api.call('GET', `/stores/${store.id}`)).status, 200);

  await page.getByRole('button', { name: 'Delete store…' }).click();
  const confirm = dialog.getByRole('button', { name: 'Delete store permanently' });
  assert.ok(await confirm.isDisabled(), 'disabled until the acknowledgement is ticked');
  await dialog.getByLabel('I understand that this cannot be undone').check();
  await confirm.click();

  await page.getByRole('heading', { name: 'Usage' }).waitFor();
  assert.equal(await page.getByRole('link', { name: store.name, exact: true }).count(), 0);
  assert.equal((await api.call('GET', `/stores/${store.id}`)).status, 404);
});

test('a store is cleared after confirmation', async () => {
  const store = await api.createStore(uniqueName('clear'));
  await api.batchSet(store.id, [{ key: 'a', value: 1 }, { key: 'b', value: 2 }, { key: 'c', value: 3 }]);
  await openStore(page, store);

  await page.getByRole('button', { name: 'Clear store…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Clear store' }).click();
  await page.getByRole('status').filter({ hasText: '3 records deleted' }).waitFor();
  await page.getByText('This store has no records.').waitFor();
  assert.equal((await api.call('GET', `/stores/${store.id}`)).json.recordCount, 0);
});

test('errors are told in words: a key the service refuses, and JSON that is not valid', async () => {
  const store = await api.createStore(uniqueName('errors'));
  await api.putRecord(store.id, 'kept', '{"v": 1}');
  await openStore(page, store);

  await page.getByLabel('Key', { exact: true }).fill('k'.repeat(600));
  await page.getByLabel('Value (JSON)').fill('true');
  await page.getByRole('button', { name: 'Add record' }).click();
  await alert('Invalid key').waitFor();
  assert.match(await alert('Invalid key').textContent(), /Invalid key: A key is at most 512 UTF-8 bytes; this one has 600/);

  await page.getByRole('button', { name: 'Edit kept' }).click();
  const editor = page.getByRole('dialog', { name: 'Edit kept' });
  await editor.getByLabel('Value (JSON)').fill('{"v": 2,}');
  await editor.getByRole('button', { name: 'Save' }).click();
  await editor.getByRole('alert').filter({ hasText: 'Invalid JSON' }).waitFor();
  assert.match(await editor.getByRole('alert').textContent(), /Nothing was saved/);
  assert.equal(await api.valueText(store.id, 'kept'), '{"v": 1}');
});

test('the store page shows changes as they happen, stops watching when left, and shows the store deleted', async () => {
  const store = await api.createStore(uniqueName('live'));
  await openStore(page, store);
  const changes = page.getByRole('log', { name: 'Recent changes' });
  const state = page.locator('.live-state');
  await page.locator('.live-state[data-state="live"]').waitFor();

  // Written through the API, behind the page's back: it appears without a reload, newest first.
  await api.putRecord(store.id, 'live/a b', '{"n":1}');
  const setItem = changes.locator('li[data-type="set"]').filter({ hasText: 'live/a b' });
  await setItem.waitFor();
  assert.match(await setItem.getAttribute('data-position'), /^[0-9a-f]{16}$/);
  assert.match(await setItem.textContent(), /\d{1,2}:\d{2}:\d{2}.*set live\/a b at [0-9a-f]{16}/);
  const { status } = await api.call('DELETE', `/stores/${store.id}/records/${encodeURIComponent('live/a b')}`);
  assert.equal(status, 204);
  await changes.locator('li[data-type="delete"]').filter({ hasText: 'live/a b' }).waitFor();
  assert.deepEqual(await changes.locator('li').evaluateAll(items => items.map(item => item.dataset.type)), ['delete', 'set']);
  const positions = await changes.locator('li').evaluateAll(items => items.map(item => item.dataset.position));
  assert.ok(positions[0] > positions[1], 'positions increase');

  // Leaving the page closes its stream.
  const closed = page.waitForEvent('requestfailed', request => request.url().includes('/changes'));
  await page.getByRole('link', { name: 'All stores' }).click();
  await page.getByRole('heading', { name: 'Usage' }).waitFor();
  assert.match((await closed).url(), new RegExp(`/stores/${store.id}/changes$`));

  // Back on the page, the store's deletion by someone else ends the watch and says so.
  await page.getByRole('link', { name: store.name, exact: true }).click();
  await page.locator('.live-state[data-state="live"]').waitFor();
  assert.equal(await changes.locator('li').count(), 0, 'a new visit starts with the changes from then on');
  assert.equal((await api.call('DELETE', `/stores/${store.id}`)).status, 204);
  await changes.locator('li[data-type="store-deleted"]').waitFor();
  await page.locator('.live-state[data-state="deleted"]').waitFor();
  assert.match(await state.textContent(), /This store has been deleted/);
  await alert('Store deleted').waitFor();
});
