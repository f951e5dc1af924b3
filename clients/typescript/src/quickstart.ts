/**
 * The main flows of the API through the TypeScript client, run by CI (.ci/checks/30-typescript-client)
 * against a packaged service:
 *
 *   DATASTORES_URL=http://localhost:8080 DATASTORES_ADMIN_TOKEN=… npm run quickstart
 *
 * It creates a workspace with an API key and a store, writes, reads and lists records, shows a
 * conditional write refused with 412, deletes a record, watches a store's changes (live, across dropped
 * connections, to the store's deletion, and from a position whose history expired), and deletes the workspace
 * again.
 *
 * The 410 flow needs a service that keeps its change history briefly: the check starts it with
 * DATASTORES_CHANGES_RETENTION=30s; QUICKSTART_HISTORY_EXPIRES_AFTER says how long that is (default 30 s;
 * `off` skips the flow, for a service that keeps the default 24 hours).
 */
import assert from "node:assert/strict";
import { createDatastoresClient, problemSlug } from "./index.js";
import { watchFlows, type Expiring, startExpiring, expiredHistoryFlow } from "./quickstart-changes.js";

const baseUrl = requiredEnv("DATASTORES_URL");
const operator = createDatastoresClient(baseUrl, requiredEnv("DATASTORES_ADMIN_TOKEN"));

const workspace = await operator.POST("/v1/admin/workspaces", { body: { name: "quickstart", plan: "free" } });
assert.equal(workspace.response.status, 201, "create workspace");
const ws = workspace.data!.id;
console.log(`workspace ${ws} on plan ${workspace.data!.plan.name}`);

try {
  const key = await operator.POST("/v1/admin/workspaces/{ws}/api-keys", {
    params: { path: { ws } },
    body: { name: "quickstart", scopes: ["read", "write", "manage"] },
  });
  assert.equal(key.response.status, 201, "issue API key");
  const datastores = createDatastoresClient(baseUrl, key.data!.token);

  const store = await datastores.POST("/v1/workspaces/{ws}/stores", {
    params: { path: { ws } },
    body: { name: "sessions" },
  });
  assert.equal(store.response.status, 201, "create store");
  const ds = store.data!.id;
  console.log(`store ${ds}`);
  // Changes made now, whose history has expired by the end (see expiredHistoryFlow).
  const expiring: Expiring | undefined = await startExpiring(datastores, ws);

  // A key may hold "/" and other reserved characters: the client percent-encodes it, the server decodes it once.
  const record = { ws, ds, key: "session/abc" };
  const put = await datastores.PUT("/v1/workspaces/{ws}/stores/{ds}/records/{key}", {
    params: { path: record, query: { ttl: 3600 } },
    body: { user: "ana", visits: 1 },
  });
  assert.equal(put.response.status, 201, "put creates the record");
  const etag = put.response.headers.get("ETag");
  assert.equal(etag, put.data!.etag);
  console.log(`put ${record.key}: etag ${etag}, expires ${put.data!.expiresAt}`);

  const got = await datastores.GET("/v1/workspaces/{ws}/stores/{ds}/records/{key}", { params: { path: record } });
  assert.deepEqual(got.data, { user: "ana", visits: 1 }, "get returns the value as stored");

  for (const page of ["page/3", "page/1", "page/5", "page/2", "page/4"]) {
    const written = await datastores.PUT("/v1/workspaces/{ws}/stores/{ds}/records/{key}", {
      params: { path: { ws, ds, key: page } },
      body: page,
    });
    assert.equal(written.response.status, 201);
  }
  const listed: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await datastores.GET("/v1/workspaces/{ws}/stores/{ds}/records", {
      params: { path: { ws, ds }, query: { prefix: "page/", limit: 2, cursor, values: false } },
    });
    assert.equal(page.response.status, 200, "list a page");
    listed.push(...page.data!.records.map((r) => r.key));
    cursor = page.data!.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  assert.deepEqual(listed, ["page/1", "page/2", "page/3", "page/4", "page/5"], "listing is in key order");
  assert.equal(pages, 3);
  console.log(`listed ${listed.length} records in ${pages} pages of 2`);

  const replaced = await datastores.PUT("/v1/workspaces/{ws}/stores/{ds}/records/{key}", {
    params: { path: record, header: { "If-Match": etag! } },
    body: { user: "ana", visits: 2 },
  });
  assert.equal(replaced.response.status, 200, "write with the current ETag replaces");
  const stale = await datastores.PUT("/v1/workspaces/{ws}/stores/{ds}/records/{key}", {
    params: { path: record, header: { "If-Match": etag! } },
    body: { user: "ana", visits: 3 },
  });
  assert.equal(stale.response.status, 412, "write with a stale ETag is refused");
  assert.equal(problemSlug(stale.error!), "precondition-failed");
  console.log(`stale If-Match ${etag}: ${stale.response.status} ${problemSlug(stale.error!)}`);

  const deleted = await datastores.DELETE("/v1/workspaces/{ws}/stores/{ds}/records/{key}", {
    params: { path: record, header: { "If-Match": replaced.data!.etag } },
  });
  assert.equal(deleted.response.status, 204, "delete");
  const gone = await datastores.GET("/v1/workspaces/{ws}/stores/{ds}/records/{key}", { params: { path: record } });
  assert.equal(gone.response.status, 404);
  assert.equal(problemSlug(gone.error!), "record-not-found");
  console.log(`deleted ${record.key}; reading it again: ${gone.response.status} ${problemSlug(gone.error!)}`);

  await watchFlows(baseUrl, key.data!.token, datastores, ws);
  if (expiring) {
    await expiredHistoryFlow(datastores, ws, expiring);
  }
} finally {
  const removed = await operator.DELETE("/v1/admin/workspaces/{ws}", { params: { path: { ws } } });
  assert.equal(removed.response.status, 204, "delete workspace");
}
console.log("quickstart: all flows passed");

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} must be set`);
  }
  return value;
}
