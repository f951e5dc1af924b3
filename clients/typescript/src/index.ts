/**
 * A typed client for the Datastores HTTP API: openapi-fetch over the types that openapi-typescript
 * generates from openapi/datastores.yaml (src/schema.d.ts), so every path, body and answer is checked
 * against the contract at compile time.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
export type Problem = components["schemas"]["Problem"];

/** A client that sends `token` (the operator token or a workspace API key) on every request. */
export function createDatastoresClient(baseUrl: string, token: string) {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
}

/** The stable slug of a problem document's `type`, which is what clients switch on. */
export function problemSlug(problem: Problem): string {
  return problem.type.substring(problem.type.lastIndexOf("/") + 1);
}
