/**
 * Change streams: `GET /v1/workspaces/{ws}/stores/{ds}/changes` as Server-Sent Events, read through fetch's
 * streaming body (a browser's EventSource cannot send an Authorization header), as an async iterator of typed
 * changes that reconnects by itself after a dropped connection and resumes after the last position it gave you
 * (SSE `Last-Event-ID`), so a drop never skips or repeats a change.
 */
import type { components } from "./schema.js";

type Schemas = components["schemas"];
export type Position = Schemas["Position"];
export type Problem = Schemas["Problem"];
type JsonValue = Schemas["JsonValue"];

/** A record written (put, atomic operation, batch or import row); `value` is left out with `values: false`. */
export interface SetChange {
  type: "set";
  position: Position;
  key: string;
  etag: string;
  value?: JsonValue;
  expiresAt?: string;
}
/** A record removed; `reason: "expired"` when its time to live ran out. */
export interface DeleteChange {
  type: "delete";
  position: Position;
  key: string;
  etag: string;
  reason?: "expired";
}
/** The whole store cleared: one change, no key. */
export interface ClearChange {
  type: "clear";
  position: Position;
}
/** The store was deleted; always the last change: the iteration ends after it. */
export interface StoreDeletedChange {
  type: "store-deleted";
  position: Position;
}
/** One committed change of a store (the contract's `Change`, narrowed by `type`). */
export type Change = SetChange | DeleteChange | ClearChange | StoreDeletedChange;

/** The service refused the watch for good (400, 401, 403, 404, 406, …): retrying the same request cannot help. */
export class WatchError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message?: string,
  ) {
    super(message ?? (problem ? `${status} ${slugOf(problem)}: ${problem.detail}` : `HTTP ${status}`));
    this.name = "WatchError";
  }

  /** The problem's slug, e.g. `not-found`, or `undefined` when the answer was not a problem document. */
  get slug(): string | undefined {
    return this.problem ? slugOf(this.problem) : undefined;
  }
}

/**
 * 410 `history-expired`: the changes after the position asked for are no longer kept. Re-read the store (listing
 * or export), then watch again with `since: next`.
 */
export class HistoryExpiredError extends WatchError {
  /** The oldest position the service still keeps. */
  readonly oldest: Position;
  /** Where to watch from once the store has been re-read. */
  readonly next: Position;

  constructor(problem: Problem) {
    super(410, problem);
    this.name = "HistoryExpiredError";
    this.oldest = problem.oldest!;
    this.next = problem.next!;
  }
}

/** What `onReconnect` is told before each new connection. */
export interface Reconnect {
  /** 1 for the first reconnection after a working connection, then 2, 3, … while they keep failing. */
  attempt: number;
  /** How long the watch waits before connecting again. */
  delayMs: number;
  /** Why the connection was lost or refused. */
  cause: unknown;
  /** The position the next connection resumes after (the last change given to you). */
  position: Position | undefined;
}

export interface WatchOptions {
  /** Resume after this position (the last one you processed, or a long poll's `next`). Without it the watch starts
   * at the store's next change. */
  since?: Position;
  /** Only changes of keys that start with this (clears and the store's deletion always come). */
  prefix?: string;
  /** `false` leaves values out of `set` changes (default true). */
  values?: boolean;
  /** Ends the iteration (without an error) and closes the connection. */
  signal?: AbortSignal;
  /** First wait before reconnecting; it doubles on every failed attempt, with jitter (default 500 ms). */
  initialDelayMs?: number;
  /** Longest wait between attempts (default 30 s); a `Retry-After` from the service may ask for longer. */
  maxDelayMs?: number;
  /** A connection that sends nothing for this long is taken as dead and replaced (default 45 s: the service sends
   * a comment line at least every 15 s). */
  idleTimeoutMs?: number;
  /** Called before every reconnection, e.g. to log it. */
  onReconnect?: (reconnect: Reconnect) => void;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

export interface WatchTarget {
  baseUrl: string;
  token: string;
  ws: string;
  ds: string;
}

/** An async iterator of a store's changes, in commit order. */
export interface ChangeStream extends AsyncIterableIterator<Change> {
  /**
   * Resolves with the position the watch resumes after once the service accepted its first connection: every
   * change committed from then on (for instance by writes you make once it resolved) comes. Rejects when the watch
   * fails or is closed before that.
   */
  readonly started: Promise<Position>;
  /** The position of the last change given out (or the starting position): where a reconnection resumes. */
  readonly position: Position | undefined;
  /** How many times the watch has connected again after losing or being refused a connection. */
  readonly reconnects: number;
  /** Stops watching: the same as breaking out of a `for await` loop. */
  close(): Promise<void>;
}

/**
 * Watches a store's changes. The iteration ends after a `store-deleted` change or when `signal` aborts; it throws a
 * {@link HistoryExpiredError} when the history after the position is gone, and a {@link WatchError} when the
 * service refuses the watch for good (a bad `since` or `prefix`, a missing scope, no such store). Lost connections,
 * 429 (too many open watches), 5xx and network errors are retried with exponential backoff, resuming after the last
 * change given out, so nothing is skipped or repeated.
 *
 * The watch connects at once (not at the first `next()`), reading ahead at most one change. Without `since`, it
 * first asks a long poll (at most 1 s) for the store's current position, so that a connection lost before the
 * first change still resumes without a gap.
 */
export function watchChanges(target: WatchTarget, options: WatchOptions = {}): ChangeStream {
  return new Watch(target, options);
}

const SSE_PARSER_LIMIT = 8 * 1024 * 1024; // an event larger than any value the service allows means a broken stream

class Watch implements ChangeStream {
  readonly started: Promise<Position>;
  position: Position | undefined;
  reconnects = 0;

  private readonly fetch: typeof fetch;
  private readonly closer = new AbortController();
  private readonly events: AsyncGenerator<Change, void, undefined>;
  private prefetched: Promise<IteratorResult<Change>> | undefined;
  private resolveStarted!: (position: Position) => void;
  private rejectStarted!: (failure: unknown) => void;

  constructor(
    private readonly target: WatchTarget,
    private readonly options: WatchOptions,
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.position = options.since;
    if (options.signal) {
      if (options.signal.aborted) {
        this.closer.abort(options.signal.reason);
      } else {
        options.signal.addEventListener("abort", () => this.closer.abort(options.signal!.reason), { once: true });
      }
    }
    this.started = new Promise((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    this.started.catch(() => undefined); // the iteration throws it too: not an unhandled rejection
    this.events = this.run();
    // Connect now, not at the first next(): `started` then says when writes are sure to be seen. This reads ahead
    // at most one change.
    this.prefetched = this.events.next();
    this.prefetched.catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Change> {
    return this;
  }

  next(): Promise<IteratorResult<Change>> {
    const first = this.prefetched;
    if (first) {
      this.prefetched = undefined;
      return first;
    }
    return this.events.next();
  }

  async return(): Promise<IteratorResult<Change>> {
    this.closer.abort();
    this.prefetched = undefined;
    return this.events.return(undefined);
  }

  async close(): Promise<void> {
    await this.return();
  }

  private async *run(): AsyncGenerator<Change, void, undefined> {
    try {
      yield* this.watch();
      this.rejectStarted(new Error("the watch ended before it started"));
    } catch (failure) {
      this.rejectStarted(failure);
      if (!this.closer.signal.aborted) {
        throw failure;
      }
    }
  }

  private async *watch(): AsyncGenerator<Change, void, undefined> {
    let attempt = 0;
    const opened = () => {
      attempt = 0;
      this.resolveStarted(this.position!);
    };
    while (this.position === undefined) {
      // No `since`: learn the store's current position first (a long poll of at most 1 s), so that a connection
      // lost before the first change still resumes from a known position.
      try {
        const page = await this.poll(undefined, this.closer.signal);
        this.position = page.next;
        for (const change of page.changes) {
          yield change;
          if (change.type === "store-deleted") {
            return;
          }
        }
      } catch (failure) {
        if (this.closer.signal.aborted || !retryable(failure)) {
          throw failure;
        }
        await this.pause(++attempt, failure);
      }
    }
    while (!this.closer.signal.aborted) {
      let failure: unknown;
      try {
        for await (const change of this.connect(opened)) {
          this.position = change.position;
          yield change;
          if (change.type === "store-deleted") {
            return;
          }
        }
        failure = new Error("the service closed the stream");
      } catch (thrown) {
        if (this.closer.signal.aborted) {
          return;
        }
        if (!retryable(thrown)) {
          throw thrown;
        }
        failure = thrown;
      }
      try {
        await this.pause(++attempt, failure);
      } catch {
        return; // closed while waiting
      }
      this.reconnects++;
    }
  }

  /** One SSE connection: its changes, until it ends or fails. `opened` is called once the service accepted it. */
  private async *connect(opened: () => void): AsyncGenerator<Change, void, undefined> {
    const connection = new AbortController();
    const stop = () => connection.abort(this.closer.signal.reason);
    this.closer.signal.addEventListener("abort", stop, { once: true });
    const idleMs = this.options.idleTimeoutMs ?? 45_000;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const quiet = () => {
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(new IdleConnection(idleMs)), idleMs);
    };
    let received = 0;
    try {
      quiet();
      const headers: Record<string, string> = { ...this.headers(), Accept: "text/event-stream" };
      if (this.position !== undefined) {
        headers["Last-Event-ID"] = this.position;
      }
      const response = await this.fetch(this.url(undefined), { headers, signal: connection.signal });
      if (!response.ok) {
        throw await refusal(response);
      }
      if (!(response.headers.get("Content-Type") ?? "").startsWith("text/event-stream") || !response.body) {
        await response.body?.cancel();
        throw new WatchError(response.status, undefined, `expected text/event-stream, got ${response.headers.get("Content-Type")}`);
      }
      const reader = response.body.getReader();
      try {
        for await (const event of parseEventStream(reader, quiet)) {
          if (received++ === 0) {
            opened();
          }
          if (!event.comment) {
            yield toChange(event);
          }
        }
      } catch (failure) {
        if (received > 0 || this.closer.signal.aborted) {
          throw failure;
        }
        // fall through: a stream that broke before its first line
      } finally {
        reader.releaseLock();
      }
      if (received === 0) {
        // The contract opens every stream with a comment line. A 200 stream that ended or broke before it is a
        // refusal (404, 410, 429) that never made it into the status line (see the README): ask the same
        // question as a long poll, which answers with the status.
        const page = await this.poll(this.position, connection.signal);
        opened();
        for (const change of page.changes) {
          yield change;
          if (change.type === "store-deleted") {
            return;
          }
        }
        this.position = page.next;
        throw new Error("the change stream closed before its first line; its long poll answered 200");
      }
    } finally {
      clearTimeout(idle);
      this.closer.signal.removeEventListener("abort", stop);
      connection.abort();
    }
  }

  /** A long poll of at most 1 s after `since` (the store's current position without it). */
  private async poll(since: Position | undefined, signal = this.closer.signal): Promise<Schemas["ChangePage"] & { changes: Change[] }> {
    const response = await this.fetch(this.url(since, 1), {
      headers: { ...this.headers(), Accept: "application/json" },
      signal,
    });
    if (!response.ok) {
      throw await refusal(response);
    }
    return (await response.json()) as Schemas["ChangePage"] & { changes: Change[] };
  }

  private url(since: Position | undefined, wait?: number): string {
    const { baseUrl, ws, ds } = this.target;
    const query = new URLSearchParams();
    if (since !== undefined) {
      query.set("since", since);
    }
    if (this.options.prefix) {
      query.set("prefix", this.options.prefix);
    }
    if (this.options.values === false) {
      query.set("values", "false");
    }
    if (wait !== undefined) {
      query.set("wait", String(wait));
    }
    const path = `/v1/workspaces/${encodeURIComponent(ws)}/stores/${encodeURIComponent(ds)}/changes`;
    const search = query.toString();
    return `${baseUrl.replace(/\/+$/, "")}${path}${search ? `?${search}` : ""}`;
  }

  private headers(): Record<string, string> {
    return { Authorization: `Bearer ${this.target.token}` };
  }

  /** Waits before attempt `attempt` (1, 2, …): exponential backoff with jitter, or longer if the service asked. */
  private async pause(attempt: number, cause: unknown): Promise<void> {
    const initial = this.options.initialDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 30_000;
    const ceiling = Math.min(max, initial * 2 ** Math.min(attempt - 1, 20));
    let delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    if (cause instanceof RetryableRefusal && cause.retryAfterMs !== undefined) {
      delayMs = Math.max(delayMs, Math.min(cause.retryAfterMs, Math.max(max, 60_000)));
    }
    this.options.onReconnect?.({ attempt, delayMs, cause, position: this.position });
    await sleep(delayMs, this.closer.signal);
  }
}

/** A refusal worth retrying: 408, 429, 5xx. */
class RetryableRefusal extends WatchError {
  constructor(
    status: number,
    problem: Problem | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(status, problem);
    this.name = "RetryableRefusal";
  }
}

class IdleConnection extends Error {
  constructor(ms: number) {
    super(`nothing received for ${ms} ms`);
    this.name = "IdleConnection";
  }
}

function retryable(failure: unknown): boolean {
  return failure instanceof RetryableRefusal || !(failure instanceof WatchError);
}

async function refusal(response: Response): Promise<WatchError> {
  let problem: Problem | undefined;
  const text = await response.text().catch(() => "");
  if ((response.headers.get("Content-Type") ?? "").includes("json")) {
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      problem = undefined;
    }
  }
  if (response.status === 410 && problem && slugOf(problem) === "history-expired") {
    return new HistoryExpiredError(problem);
  }
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    const seconds = Number(response.headers.get("Retry-After"));
    return new RetryableRefusal(response.status, problem, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined);
  }
  return new WatchError(response.status, problem);
}

function slugOf(problem: Problem): string {
  return problem.type.substring(problem.type.lastIndexOf("/") + 1);
}

const TYPES = new Set(["set", "delete", "clear", "store-deleted"]);

function toChange(event: SseEvent): Change {
  if (!TYPES.has(event.event) || !event.id) {
    throw new Error(`unexpected event '${event.event}' (id '${event.id}') in the change stream`);
  }
  const data = JSON.parse(event.data) as Record<string, unknown>;
  return { ...data, type: event.event, position: event.id } as Change;
}

interface SseEvent {
  comment: boolean;
  id: string;
  event: string;
  data: string;
}

/**
 * The Server-Sent Events of a byte stream (the WHATWG event stream format: CR, LF or CRLF line ends, fields
 * `id`, `event`, `data`, comment lines starting with `:`, unknown fields ignored). Yields comments too, so that a
 * caller can tell a live idle stream from a dead one. `progress` is called on every chunk received.
 */
export async function* parseEventStream(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  progress: () => void = () => undefined,
): AsyncGenerator<SseEvent, void, undefined> {
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let id = "";
  let event = "";
  let data: string[] = [];
  let lastWasCr = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return; // an event not ended by a blank line is dropped, as EventSource does
    }
    progress();
    buffer += decoder.decode(value, { stream: true });
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) {
        lastWasCr = false;
        continue;
      }
      if (c === 10 && lastWasCr && i === start) {
        lastWasCr = false;
        start = i + 1; // the LF of a CRLF
        continue;
      }
      lastWasCr = c === 13;
      const line = buffer.substring(start, i);
      start = i + 1;
      if (line === "") {
        if (data.length > 0 || event !== "") {
          yield { comment: false, id, event: event || "message", data: data.join("\n") };
        }
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) {
        yield { comment: true, id, event: "", data: line.substring(1).trim() };
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.substring(0, colon);
      let fieldValue = colon < 0 ? "" : line.substring(colon + 1);
      if (fieldValue.startsWith(" ")) {
        fieldValue = fieldValue.substring(1);
      }
      if (field === "id" && !fieldValue.includes("\0")) {
        id = fieldValue;
      } else if (field === "event") {
        event = fieldValue;
      } else if (field === "data") {
        data.push(fieldValue);
      }
    }
    buffer = buffer.substring(start);
    if (buffer.length > SSE_PARSER_LIMIT) {
      throw new Error("a line of the change stream is too long");
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
  });
}
