/**
 * A typed client for the Datastores HTTP API: openapi-fetch over the types that openapi-typescript
 * generates from openapi/datastores.yaml (src/schema.d.ts), so every path, body and answer is checked
 * against the contract at compile time; plus `watch()`, a store's changes as an async iterator (src/watch.ts).
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";
import { watchChanges, type ChangeStream, type WatchOptions } from "./watch.js";

export type { components, paths };
export type Problem = components["schemas"]["Problem"];
export {
  HistoryExpiredError,
  WatchError,
  parseEventStream,
  watchChanges,
  type Change,
  type ChangeStream,
  type ClearChange,
  type DeleteChange,
  type Position,
  type Reconnect,
  type SetChange,
  type StoreDeletedChange,
  type WatchOptions,
  type WatchTarget,
} from "./watch.js";

/** A client that sends `token` (the operator token or a workspace API key) on every request. */
export function createDatastoresClient(baseUrl: string, token: string) {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
  return Object.assign(client, {
    /**
     * The store's changes as they are committed, as an async iterator that resumes by itself after a dropped
     * connection; see {@link watchChanges}.
     */
    watch(ws: string, ds: string, options?: WatchOptions): ChangeStream {
      return watchChanges({ baseUrl, token, ws, ds }, options);
    },
  });
}

/** The stable slug of a problem document's `type`, which is what clients switch on. */
export function problemSlug(problem: Problem): string {
  return problem.type.substring(problem.type.lastIndexOf("/") + 1);
}
