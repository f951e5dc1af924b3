// Screenshots of the dashboard's main screens for the README, into docs/screenshots/. Run through
// e2e/with-service (`e2e/with-service npm --prefix e2e run screenshots`): it needs a service of its
// own, because the pictures show a fresh workspace filled with the demo data made here.

import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { api, dashboardUrl, launchBrowser, signIn } from './support.mjs';

const outputDirectory = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

async function seed() {
  const orders = await api.createStore('orders');
  const statuses = ['paid', 'pending', 'refunded', 'shipped'];
  await api.batchSet(orders.id, Array.from({ length: 120 }, (_, i) => ({
    key: `order/2026-11/${String(1000 + i)}`,
    value: { customer: `cus_${(7919 * (i + 3)) % 10000}`, total: `${(i * 37) % 400}.${String((i * 13) % 100).padStart(2, '0')}`, items: 1 + (i % 5), status: statuses[i % 4] },
    ttl: i % 3 === 0 ? 86400 * (1 + (i % 7)) : undefined,
  })));
  const sessions = await api.createStore('sessions');
  await api.batchSet(sessions.id, Array.from({ length: 40 }, (_, i) => ({ key: `session/${i}`, value: { user: i }, ttl: 3600 })));
  const exports = await api.createStore('billing-exports');
  await api.putRecord(exports.id, 'cursor', '{"after": "invoice/2026-11-24/0042"}');
  await api.link(exports.id, 'wf-nightly-billing', 'Nightly billing export', 'workflow');
  await api.link(exports.id, 'wf-ledger-sync', 'Ledger sync', 'workflow');
  return { orders, exports };
}

const { orders, exports } = await seed();
await mkdir(outputDirectory, { recursive: true });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const shoot = name => page.screenshot({ path: `${outputDirectory}${name}.png` });

  await page.goto(dashboardUrl);
  await page.getByLabel('Workspace ID').waitFor();
  await shoot('sign-in');

  await signIn(page);
  await shoot('overview');

  await page.getByRole('link', { name: orders.name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: orders.name }).waitFor();
  await shoot('store-records');

  const key = 'order/2026-11/1002';
  await page.getByRole('button', { name: `Edit ${key}` }).click();
  const editor = page.getByRole('dialog', { name: `Edit ${key}` });
  await editor.getByLabel('Value (JSON)').fill('{"customer": "cus_3757", "total": "74.26", "items": 3, "status": "refunded"}');
  await api.putRecord(orders.id, key, '{"customer": "cus_3757", "total": "74.26", "items": 3, "status": "shipped"}');
  await editor.getByRole('button', { name: 'Save' }).click();
  await editor.getByRole('alert').filter({ hasText: 'Conflict' }).waitFor();
  await shoot('edit-conflict');

  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('link', { name: 'All stores' }).click();
  await page.getByRole('link', { name: exports.name, exact: true }).click();
  await page.getByText('Linked workflows (2)').click();
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await shoot('delete-store-linked');
} finally {
  await browser.close();
}
