// A store's changes as they happen: GET …/changes as Server-Sent Events read through fetch (EventSource
// cannot send the Authorization header), reconnecting after a lost connection from the last change shown
// (Last-Event-ID), so the list never skips or repeats one. The same rules as the TypeScript client's watch().

import { ApiProblem } from './api.js';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const IDLE_MS = 45_000; // the service sends a comment line at least every 15 s

/**
 * Watches `storeId` until `signal` aborts, a `store-deleted` change arrives, or the service refuses the watch
 * for good (a rejected promise with the ApiProblem). Calls `onChange({position, type, key?, etag?, …})` per
 * change, in commit order, and `onState(state, detail)` with 'connecting', 'live', or 'retrying' (detail: the
 * reason and the delay in ms).
 */
export async function watchStore(api, storeId, { onChange, onState, signal }) {
  const base = `${api.base}/stores/${encodeURIComponent(storeId)}/changes`;
  const auth = { Authorization: `Bearer ${api.apiKey}` };
  let position = null;
  let attempt = 0;
  const deliver = change => {
    position = change.position;
    onChange(change);
    return change.type === 'store-deleted';
  };
  const poll = async since => {
    // A long poll of at most 1 s: the store's position now, or the changes after `since`.
    const query = new URLSearchParams({ wait: '1' });
    if (since) query.set('since', since);
    const response = await fetch(`${base}?${query}`, { headers: { ...auth, Accept: 'application/json' }, signal });
    if (!response.ok) throw await problemOf(response);
    return response.json();
  };
  const retryOrThrow = async failure => {
    if (signal.aborted) return false;
    if (failure instanceof ApiProblem && failure.status !== 429 && failure.status < 500) throw failure;
    attempt += 1;
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 10));
    let delay = ceiling / 2 + Math.random() * ceiling / 2;
    if (failure instanceof ApiProblem && failure.retryAfter) delay = Math.max(delay, failure.retryAfter * 1000);
    onState('retrying', { failure, delay });
    await sleep(delay, signal);
    return !signal.aborted;
  };

  onState('connecting');
  // Without a position a reconnection could not say where to resume: learn it first.
  while (position === null) {
    try {
      const page = await poll(null);
      position = page.next;
      for (const change of page.changes) if (deliver(change)) return;
    } catch (failure) {
      if (!(await retryOrThrow(failure))) return;
    }
  }
  for (;;) {
    const connection = new AbortController();
    const stop = () => connection.abort();
    signal.addEventListener('abort', stop, { once: true });
    let idle;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(), IDLE_MS);
    };
    let lines = 0;
    let failure = new Error('The service closed the stream');
    try {
      alive();
      const response = await fetch(base, {
        headers: { ...auth, Accept: 'text/event-stream', 'Last-Event-ID': position },
        signal: connection.signal,
      });
      if (!response.ok) throw await problemOf(response);
      try {
        for await (const event of events(response.body.getReader(), alive)) {
          if (lines++ === 0) {
            attempt = 0;
            onState('live');
          }
          if (event.comment) continue;
          if (deliver({ ...JSON.parse(event.data), type: event.event, position: event.id })) return;
        }
      } catch (broken) {
        if (lines > 0) throw broken;
      }
      if (lines === 0) {
        // Every stream opens with a comment line; one that ended before it is a refusal (404, 410, 429) that
        // did not reach the status line: the long poll answers the same question with its status.
        const page = await poll(position);
        onState('live');
        for (const change of page.changes) if (deliver(change)) return;
        position = page.next;
      }
    } catch (thrown) {
      failure = thrown;
    } finally {
      clearTimeout(idle);
      signal.removeEventListener('abort', stop);
      connection.abort();
    }
    if (!(await retryOrThrow(failure))) return;
    onState('connecting');
  }
}

async function problemOf(response) {
  let problem = { title: `HTTP ${response.status}` };
  try {
    problem = await response.json();
  } catch {
    // reported by its status
  }
  const error = new ApiProblem(response.status, problem);
  error.retryAfter = Number(response.headers.get('Retry-After')) || 0;
  return error;
}

/** The events of an event stream: comments too (they show the stream is alive); unknown fields ignored. */
async function* events(reader, onBytes) {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = { id: '', event: '', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onBytes();
    buffer += decoder.decode(value, { stream: true });
    // A CR at the end may be the first half of a CRLF split across chunks: keep it for the next one.
    const held = buffer.endsWith('\r') ? '\r' : '';
    const lines = buffer.slice(0, buffer.length - held.length).replace(/\r\n?/g, '\n').split('\n');
    buffer = lines.pop() + held;
    for (const line of lines) {
      if (line === '') {
        if (event.data.length > 0) yield { comment: false, id: event.id, event: event.event || 'message', data: event.data.join('\n') };
        event = { id: event.id, event: '', data: [] };
      } else if (line.startsWith(':')) {
        yield { comment: true };
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') event.id = text;
        else if (field === 'event') event.event = text;
        else if (field === 'data') event.data.push(text);
      }
    }
  }
}

function sleep(ms, signal) {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
