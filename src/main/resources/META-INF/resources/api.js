// The dashboard's only way to the service: the public REST API, with the workspace key as bearer token.

/** A refused request, carrying the service's problem document (RFC 9457) so it can be told in words. */
export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail || '';
    this.slug = typeof problem.type === 'string' ? problem.type.split('/').pop() : '';
    this.problem = problem;
  }
}

/**
 * Parses JSON keeping every number's text exactly as sent (JSON.stringify gives it back as it was):
 * record values may hold integers beyond 2^53 or decimals like 1.10, and a preview must not round them.
 */
function parseExactJson(text) {
  return JSON.parse(text, (name, value, context) =>
    typeof value === 'number' ? JSON.rawJSON(context.source) : value);
}

async function problemOf(response) {
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      return new ApiProblem(response.status, await response.json());
    } catch {
      // A body that is not the promised JSON still gets reported by its status below.
    }
  }
  return new ApiProblem(response.status, { title: `HTTP ${response.status} ${response.statusText}`.trim() });
}

/** A client of one workspace's routes, authenticated by one API key. */
export class WorkspaceApi {
  constructor(workspaceId, apiKey) {
    this.workspaceId = workspaceId;
    this.apiKey = apiKey;
    this.base = `/v1/workspaces/${encodeURIComponent(workspaceId)}`;
  }

  async request(method, path, { body, headers = {} } = {}) {
    const init = { method, headers: { Authorization: `Bearer ${this.apiKey}`, ...headers } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.base + path, init);
    } catch {
      throw new ApiProblem(0, { title: 'Service unreachable', detail: 'The request did not reach the service; check the connection and try again.' });
    }
    if (!response.ok) {
      throw await problemOf(response);
    }
    return response;
  }

  async json(method, path, options) {
    const response = await this.request(method, path, options);
    return response.status === 204 ? null : response.json();
  }

  workspace() {
    return this.json('GET', '');
  }

  stores() {
    return this.json('GET', '/stores').then(answer => answer.stores);
  }

  store(storeId) {
    return this.json('GET', `/stores/${encodeURIComponent(storeId)}`);
  }

  createStore(name) {
    return this.json('POST', '/stores', { body: { name } });
  }

  renameStore(storeId, name) {
    return this.json('PATCH', `/stores/${encodeURIComponent(storeId)}`, { body: { name } });
  }

  deleteStore(storeId) {
    return this.json('DELETE', `/stores/${encodeURIComponent(storeId)}`);
  }

  links(storeId) {
    return this.json('GET', `/stores/${encodeURIComponent(storeId)}/links`).then(answer => answer.links);
  }

  /**
   * One page of records in key order; `cursor` is a previous page's nextCursor, or null for the first.
   * Numbers in the values keep their exact text.
   */
  async records(storeId, { prefix, cursor, limit }) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (prefix) query.set('prefix', prefix);
    if (cursor) query.set('cursor', cursor);
    const response = await this.request('GET', `/stores/${encodeURIComponent(storeId)}/records?${query}`);
    return parseExactJson(await response.text());
  }

  /** A record's value as the exact JSON text stored, with the ETag that names this version. */
  async record(storeId, key) {
    const response = await this.request('GET', this.recordPath(storeId, key));
    return {
      text: await response.text(),
      etag: response.headers.get('ETag'),
      expiresAt: response.headers.get('Expires-At'),
    };
  }

  /**
   * Stores `valueText` (JSON text, sent byte for byte), expiring after `ttl` seconds when given.
   * `ifMatch: etag` writes only over that version; `ifNoneMatch: '*'` only creates.
   */
  putRecord(storeId, key, valueText, { ttl, ifMatch, ifNoneMatch } = {}) {
    const headers = {};
    if (ifMatch) headers['If-Match'] = ifMatch;
    if (ifNoneMatch) headers['If-None-Match'] = ifNoneMatch;
    const query = ttl ? `?ttl=${encodeURIComponent(ttl)}` : '';
    return this.json('PUT', this.recordPath(storeId, key) + query, { body: valueText, headers });
  }

  deleteRecord(storeId, key, { ifMatch } = {}) {
    return this.json('DELETE', this.recordPath(storeId, key), { headers: ifMatch ? { 'If-Match': ifMatch } : {} });
  }

  clearStore(storeId) {
    return this.json('DELETE', `/stores/${encodeURIComponent(storeId)}/records`);
  }

  /**
   * The server decodes everything after `records/` exactly once, so the whole key is encoded as one
   * segment: `a/b` becomes `a%2Fb`, `100%` becomes `100%25`, and `?` or `#` cannot end the path.
   */
  recordPath(storeId, key) {
    return `/stores/${encodeURIComponent(storeId)}/records/${encodeURIComponent(key)}`;
  }
}
