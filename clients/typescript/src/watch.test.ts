/**
 * watch() against a scripted fetch: the event-stream parsing, and what the watch does with each answer the
 * contract allows (run by `npm test`, in .ci/checks/30-typescript-client; the quick-start drives a real service).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { HistoryExpiredError, WatchError, parseEventStream, watchChanges, type Change, type WatchOptions } from "./index.js";

const target = { baseUrl: "http://datastores.test/", token: "dsk_t", ws: "ws_1", ds: "ds_1" };
const OPEN = ": keep-alive\n\n";

function sse(...chunks: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(encoder.encode(chunk));
      }
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

function problem(status: number, slug: string, members: object = {}, headers: Record<string, string> = {}): Response {
  const body = { type: `https://datastores.dev/problems/${slug}`, title: slug, status, detail: slug, instance: "/x", ...members };
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/problem+json", ...headers } });
}

function event(id: string, type: string, data: object): string {
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A fetch that answers from a script, one answer per call, and records the requests. */
function scripted(...answers: Array<Response | (() => Response)>) {
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetch = (async (url: string, init: RequestInit) => {
    requests.push({ url, headers: { ...(init.headers as Record<string, string>) } });
    const answer = answers.shift();
    if (!answer) {
      return new Promise((_, reject) => init.signal!.addEventListener("abort", () => reject(init.signal!.reason)));
    }
    return typeof answer === "function" ? answer() : answer;
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

async function collect(options: WatchOptions, limit = 100): Promise<Change[]> {
  const changes: Change[] = [];
  for await (const change of watchChanges(target, options)) {
    changes.push(change);
    if (changes.length === limit) {
      break;
    }
  }
  return changes;
}

test("parses CRLF, CR and LF line ends, chunks split anywhere, multi-line data, and ignores unknown fields", async () => {
  const text = ": hi\r\n\r\nid: 1\r\nevent: set\r\ncontent-type:text/plain\r\ndata:{\"a\":\r\ndata: 1}\r\n\r\nid:2\revent:clear\rdata:{}\r\r";
  for (const size of [1, 2, 3, 7, text.length]) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += size) {
      chunks.push(text.substring(i, i + size));
    }
    const events = [];
    for await (const e of parseEventStream(sse(...chunks).body!.getReader())) {
      events.push(e);
    }
    assert.deepEqual(
      events.map((e) => [e.comment, e.id, e.event, e.data]),
      [
        [true, "", "", "hi"],
        [false, "1", "set", '{"a":\n1}'],
        [false, "2", "clear", "{}"],
      ],
      `chunks of ${size}`,
    );
  }
});

test("typed changes; resumes with Last-Event-ID after a dropped stream; ends at store-deleted", async () => {
  const { fetch, requests } = scripted(
    sse(OPEN, event("0000000000000002", "set", { key: "k", etag: '"1"', value: { n: 1 } })),
    sse(OPEN, event("0000000000000003", "delete", { key: "k", etag: '"1"', reason: "expired" }), event("0000000000000004", "clear", {})),
    sse(OPEN, event("0000000000000005", "store-deleted", {})),
  );
  const changes = await collect({ fetch, since: "0000000000000001", prefix: "k", values: true, initialDelayMs: 1 });
  assert.deepEqual(changes, [
    { type: "set", position: "0000000000000002", key: "k", etag: '"1"', value: { n: 1 } },
    { type: "delete", position: "0000000000000003", key: "k", etag: '"1"', reason: "expired" },
    { type: "clear", position: "0000000000000004" },
    { type: "store-deleted", position: "0000000000000005" },
  ]);
  assert.equal(requests.length, 3);
  assert.deepEqual(
    requests.map((r) => r.headers["Last-Event-ID"]),
    ["0000000000000001", "0000000000000002", "0000000000000004"],
  );
  assert.ok(requests.every((r) => r.headers.Accept === "text/event-stream" && r.headers.Authorization === "Bearer dsk_t"));
  assert.equal(requests[0].url, "http://datastores.test/v1/workspaces/ws_1/stores/ds_1/changes?prefix=k");
});

test("without since, a short long poll fixes the starting position first", async () => {
  const { fetch, requests } = scripted(
    new Response(JSON.stringify({ changes: [], next: "000000000000000a" }), { headers: { "Content-Type": "application/json" } }),
    sse(OPEN, event("000000000000000b", "store-deleted", {})),
  );
  const watch = watchChanges(target, { fetch, values: false });
  assert.equal(await watch.started, "000000000000000a");
  const changes = [];
  for await (const change of watch) {
    changes.push(change.position);
  }
  assert.deepEqual(changes, ["000000000000000b"]);
  assert.equal(requests[0].url, "http://datastores.test/v1/workspaces/ws_1/stores/ds_1/changes?values=false&wait=1");
  assert.equal(requests[0].headers.Accept, "application/json");
  assert.equal(requests[1].headers["Last-Event-ID"], "000000000000000a");
});

test("410 history-expired is a typed error with oldest and next", async () => {
  const { fetch, requests } = scripted(
    problem(410, "history-expired", { oldest: "0000000000000010", next: "0000000000000020" }),
  );
  const failure = await collect({ fetch, since: "0000000000000001" }).then(
    () => undefined,
    (thrown) => thrown,
  );
  assert.ok(failure instanceof HistoryExpiredError);
  assert.equal(failure.oldest, "0000000000000010");
  assert.equal(failure.next, "0000000000000020");
  assert.equal(failure.slug, "history-expired");
  assert.equal(requests.length, 1);
});

test("a refusal for good (404) is thrown at once; 429 and 503 are retried after Retry-After", async () => {
  const notFound = scripted(problem(404, "not-found"));
  await assert.rejects(collect({ fetch: notFound.fetch, since: "0000000000000001" }), (e: unknown) => e instanceof WatchError && e.status === 404);
  assert.equal(notFound.requests.length, 1);

  const busy = scripted(
    problem(429, "rate-limited", { limit: "watchers" }, { "Retry-After": "0.01" }),
    problem(503, "unavailable"),
    sse(OPEN, event("0000000000000002", "store-deleted", {})),
  );
  const delays: number[] = [];
  const changes = await collect({ fetch: busy.fetch, since: "0000000000000001", initialDelayMs: 1, onReconnect: (r) => delays.push(r.attempt) });
  assert.deepEqual(changes.map((c) => c.type), ["store-deleted"]);
  assert.deepEqual(delays, [1, 2]);
});

test("a 200 stream that ends before its first line is asked again as a long poll, which tells the refusal", async () => {
  const { fetch, requests } = scripted(
    sse(),
    problem(410, "history-expired", { oldest: "0000000000000010", next: "0000000000000020" }),
  );
  await assert.rejects(collect({ fetch, since: "0000000000000001" }), HistoryExpiredError);
  assert.equal(requests[1].headers.Accept, "application/json");
  assert.match(requests[1].url, /since=0000000000000001&wait=1$/);
});

test("aborting the signal ends the iteration without an error", async () => {
  const abort = new AbortController();
  const { fetch } = scripted(sse(OPEN, event("0000000000000002", "set", { key: "k", etag: '"1"' })));
  const seen: string[] = [];
  for await (const change of watchChanges(target, { fetch, since: "0000000000000001", signal: abort.signal, initialDelayMs: 1 })) {
    seen.push(change.position);
    abort.abort();
  }
  assert.deepEqual(seen, ["0000000000000002"]);
});
