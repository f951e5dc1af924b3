/**
 * The quick-start's change-stream flows (see quickstart.ts): watch a store and see writes arrive; lose the
 * connection several times in the middle of a stream of writes (a TCP proxy between the client and the service
 * cuts every connection, and refuses new ones for a while) and still get every change exactly once, in the order
 * the service's own history has them; end at the store's deletion; and get a typed 410 for a position whose
 * history expired.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { HistoryExpiredError, watchChanges, type Change, type components, type createDatastoresClient, type Position } from "./index.js";

type Client = ReturnType<typeof createDatastoresClient>;
type ChangePage = components["schemas"]["ChangePage"];

export interface Expiring {
  ds: string;
  first: Position;
  startedAt: number;
  retentionMs: number;
}

/** Three changes in a store of their own, made early: by expiredHistoryFlow their history is older than the retention. */
export async function startExpiring(datastores: Client, ws: string): Promise<Expiring | undefined> {
  const setting = process.env.QUICKSTART_HISTORY_EXPIRES_AFTER ?? "30";
  if (setting === "off") {
    return undefined;
  }
  const store = await datastores.POST("/v1/workspaces/{ws}/stores", { params: { path: { ws } }, body: { name: "expiring" } });
  assert.equal(store.response.status, 201, "create store");
  const ds = store.data!.id;
  const startedAt = Date.now();
  for (const n of [1, 2, 3]) {
    const put = await datastores.PUT("/v1/workspaces/{ws}/stores/{ds}/records/{key}", {
      params: { path: { ws, ds, key: "counter" } },
      body: n,
    });
    assert.ok(put.response.ok, "put");
  }
  const history = await datastores.GET("/v1/workspaces/{ws}/stores/{ds}/changes", {
    params: { path: { ws, ds }, query: { since: "0000000000000000", wait: 1 } },
  });
  assert.equal(history.response.status, 200, "long poll from the beginning");
  const page = history.data as ChangePage; // the JSON one of the two 200 answers (no Accept: the long poll)
  assert.equal(page.changes.length, 3);
  return { ds, first: page.changes[0].position, startedAt, retentionMs: Number(setting) * 1000 };
}

export async function watchFlows(baseUrl: string, token: string, datastores: Client, ws: string): Promise<void> {
  const store = await datastores.POST("/v1/workspaces/{ws}/stores", { params: { path: { ws } }, body: { name: "events" } });
  assert.equal(store.response.status, 201, "create store");
  const ds = store.data!.id;
  const put = (key: string, body: unknown, ttl?: number) =>
    datastores.PUT("/v1/workspaces/{ws}/stores/{ds}/records/{key}", {
      params: { path: { ws, ds, key }, query: ttl ? { ttl } : {} },
      body: body as never,
    });

  // 1. Watch, write, see the changes, in commit order, typed.
  const live = datastores.watch(ws, ds);
  const start = await live.started; // from here on, every committed change comes
  assert.equal((await put("user/ana", { visits: 1 }, 3600)).response.status, 201);
  assert.equal((await put("user/bo", "hi")).response.status, 201);
  const removed = await datastores.DELETE("/v1/workspaces/{ws}/stores/{ds}/records/{key}", {
    params: { path: { ws, ds, key: "user/ana" } },
  });
  assert.equal(removed.response.status, 204);
  const cleared = await datastores.DELETE("/v1/workspaces/{ws}/stores/{ds}/records", { params: { path: { ws, ds } } });
  assert.equal(cleared.response.status, 200, "clear");
  const seen: Change[] = [];
  for await (const change of live) {
    seen.push(change);
    if (change.type === "clear") {
      break; // closes the connection
    }
  }
  assert.deepEqual(
    seen.map((c) => `${c.type} ${"key" in c ? c.key : ""}`.trim()),
    ["set user/ana", "set user/bo", "delete user/ana", "clear"],
  );
  const [ana, bo] = seen;
  assert.ok(ana.type === "set" && bo.type === "set");
  assert.deepEqual(ana.value, { visits: 1 });
  assert.ok(ana.expiresAt, "a set with a time to live says when it expires");
  assert.equal(bo.value, "hi");
  assertIncreasing([start, ...seen.map((c) => c.position)]);
  console.log(`watched from ${start}: ${seen.map((c) => `${c.position} ${c.type}`).join(", ")}`);

  // 2. A watch whose connection is cut again and again while writes go on resumes after the last change it gave
  //    out: every change arrives once, in the order of the service's history.
  const proxy = await startProxy(new URL(baseUrl));
  const keys = Array.from({ length: 60 }, (_, i) => `resume/${String(i).padStart(3, "0")}`);
  const reconnects: string[] = [];
  const timeout = AbortSignal.timeout(90_000);
  // the same watch as datastores.watch(), but to the proxy's address
  const cut = watchChanges(
    { baseUrl: proxy.url, token, ws, ds },
    {
      since: seen.at(-1)!.position,
      values: false,
      prefix: "resume/",
      signal: timeout,
      initialDelayMs: 100,
      onReconnect: (r) => reconnects.push(`${r.position} after ${String(r.cause).substring(0, 80)}`),
    },
  );
  const received: Change[] = [];
  const reading = (async () => {
    for await (const change of cut) {
      received.push(change);
      if (received.length === keys.length) {
        break;
      }
    }
  })();
  for (const [i, key] of keys.entries()) {
    for (;;) {
      const written = await put(key, i);
      if (written.response.status !== 429) {
        assert.equal(written.response.status, 201, `put ${key}`);
        break;
      }
      await sleep(200); // the free plan's 50 requests per second
    }
    await sleep(25);
    if (i === 15 || i === 45) {
      proxy.cutAll();
    } else if (i === 30) {
      proxy.cutAll();
      proxy.refuse(true);
      await sleep(600);
      proxy.refuse(false);
    }
  }
  await reading;
  proxy.close();
  assert.ok(!timeout.aborted, `the resumed watch got ${received.length} of ${keys.length} changes in 90 s`);
  assert.ok(proxy.cuts >= 3, `the proxy cut ${proxy.cuts} connections`);
  assert.ok(cut.reconnects >= 3, `reconnected ${cut.reconnects} times: ${reconnects.join("; ")}`);
  const history = await allChangesAfter(datastores, ws, ds, seen.at(-1)!.position);
  assert.deepEqual(
    received.map((c) => c.position),
    history.map((c) => c.position),
    "the resumed watch got exactly the service's history, in order",
  );
  assert.deepEqual(received.map((c) => (c.type === "set" ? c.key : c.type)), keys);
  assert.ok(received.every((c) => c.type === "set" && c.value === undefined), "values: false");
  assertIncreasing(received.map((c) => c.position));
  console.log(
    `resumed watch: ${received.length} changes, ${received[0].position}…${received.at(-1)!.position}, none missed or repeated, ` +
      `across ${proxy.cuts} cut connections and ${cut.reconnects} reconnections`,
  );

  // 3. Deleting the store ends the watch with a store-deleted change.
  const last = datastores.watch(ws, ds, { since: received.at(-1)!.position, signal: AbortSignal.timeout(30_000) });
  await last.started;
  const deleted = await datastores.DELETE("/v1/workspaces/{ws}/stores/{ds}", { params: { path: { ws, ds } } });
  assert.equal(deleted.response.status, 204, "delete store");
  const ending: Change[] = [];
  for await (const change of last) {
    ending.push(change);
  }
  assert.deepEqual(ending.map((c) => c.type), ["store-deleted"], "the watch ends with store-deleted");
  console.log(`store deleted: the watch ended after ${ending[0].type} at ${ending[0].position}`);
}

/** A watch from a position whose history has expired: a typed 410 with `oldest` and `next`. */
export async function expiredHistoryFlow(datastores: Client, ws: string, expiring: Expiring): Promise<void> {
  const { ds, first } = expiring;
  const wait = expiring.startedAt + expiring.retentionMs + 1500 - Date.now();
  if (wait > 0) {
    console.log(`waiting ${Math.round(wait / 1000)} s for the first changes' history to expire`);
    await sleep(wait);
  }
  let failure: unknown;
  for (let tries = 0; tries < 20 && !(failure instanceof HistoryExpiredError); tries++) {
    failure = undefined;
    const watch = datastores.watch(ws, ds, { since: first, signal: AbortSignal.timeout(5_000) });
    try {
      for await (const change of watch) {
        void change;
        break;
      }
    } catch (thrown) {
      failure = thrown;
    }
    if (!(failure instanceof HistoryExpiredError)) {
      await sleep(1000); // pruning runs every second in the check; not yet
    }
  }
  assert.ok(failure instanceof HistoryExpiredError, `expected history-expired, got ${String(failure)}`);
  assert.equal(failure.status, 410);
  assert.equal(failure.slug, "history-expired");
  assert.ok(failure.oldest > first, `oldest ${failure.oldest} is after ${first}`);
  console.log(`watch since ${first}: ${failure.status} ${failure.slug}, oldest ${failure.oldest}, next ${failure.next}`);
  // what the client is told to do: re-read the store, then watch from next
  const records = await datastores.GET("/v1/workspaces/{ws}/stores/{ds}/records", { params: { path: { ws, ds } } });
  assert.deepEqual(records.data!.records.map((r) => [r.key, r.value]), [["counter", 3]]);
  const again = datastores.watch(ws, ds, { since: failure.next, signal: AbortSignal.timeout(30_000) });
  assert.equal(await again.started, failure.next);
  const put = await datastores.PUT("/v1/workspaces/{ws}/stores/{ds}/records/{key}", {
    params: { path: { ws, ds, key: "counter" } },
    body: 4,
  });
  assert.equal(put.response.status, 200);
  const { value: change } = await again.next();
  await again.close();
  assert.ok(change && change.type === "set" && change.value === 4, "watching from next goes on");
  console.log(`re-read the store and watched from ${failure.next}: ${change.position} ${change.type} ${change.key}`);
}

async function allChangesAfter(datastores: Client, ws: string, ds: string, since: Position): Promise<Change[]> {
  const all: Change[] = [];
  for (;;) {
    const page = await datastores.GET("/v1/workspaces/{ws}/stores/{ds}/changes", {
      params: { path: { ws, ds }, query: { since, wait: 1, values: "false" } },
    });
    assert.equal(page.response.status, 200, "long poll");
    const { changes, next } = page.data as ChangePage;
    if (changes.length === 0) {
      return all;
    }
    all.push(...(changes as Change[]));
    since = next;
  }
}

function assertIncreasing(positions: Position[]): void {
  for (let i = 1; i < positions.length; i++) {
    assert.ok(positions[i - 1] < positions[i], `positions increase: ${positions[i - 1]} then ${positions[i]}`);
  }
}

/** A TCP proxy on a free loopback port that can cut every open connection, and refuse new ones for a while. */
function startProxy(target: URL): Promise<{ url: string; cuts: number; cutAll(): void; refuse(on: boolean): void; close(): void }> {
  const open = new Set<[net.Socket, net.Socket]>();
  let refusing = false;
  const proxy = {
    url: "",
    cuts: 0,
    cutAll() {
      for (const [client, upstream] of open) {
        client.destroy();
        upstream.destroy();
        this.cuts++;
      }
      open.clear();
    },
    refuse(on: boolean) {
      refusing = on;
    },
    close() {
      this.cutAll();
      server.close();
    },
  };
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    open.add(pair);
    for (const socket of pair) {
      socket.on("error", () => pair.forEach((s) => s.destroy()));
      socket.on("close", () => {
        open.delete(pair);
        pair.forEach((s) => s.destroy());
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      proxy.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
      resolve(proxy);
    });
  });
}
