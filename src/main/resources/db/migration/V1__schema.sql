-- Plans: the limits a workspace lives within.
CREATE TABLE plans (
    name                text PRIMARY KEY,
    max_stores          integer NOT NULL CHECK (max_stores >= 0),
    max_keys            bigint  NOT NULL CHECK (max_keys >= 0),
    max_storage_bytes   bigint  NOT NULL CHECK (max_storage_bytes >= 0),
    max_value_bytes     integer NOT NULL CHECK (max_value_bytes > 0),
    requests_per_second integer NOT NULL CHECK (requests_per_second > 0)
);

INSERT INTO plans (name, max_stores, max_keys, max_storage_bytes, max_value_bytes, requests_per_second) VALUES
    ('free',         3,      1000,     10485760,   65536,    50),
    ('basic',       10,    100000,    104857600,  262144,   500),
    ('advanced',    50,   1000000,   1073741824, 1048576,  5000),
    ('business',   500, 100000000, 107374182400, 4194304, 100000);

CREATE TABLE workspaces (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    plan       text NOT NULL REFERENCES plans (name),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Only the SHA-256 of a token is kept; the token itself is shown once.
CREATE TABLE api_keys (
    id           text PRIMARY KEY,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text NOT NULL,
    scopes       text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE stores (
    id           text PRIMARY KEY,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name)
);

CREATE TABLE store_links (
    store_id   text NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    id         text NOT NULL,
    name       text NOT NULL,
    kind       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);

-- ETags: unique across the whole service, so a deleted and re-created record never reuses one.
CREATE SEQUENCE record_version CACHE 64;

-- Records: key in byte order (COLLATE "C"); value is a one-byte format tag (0 raw JSON, 1 Brotli)
-- followed by the bytes.
CREATE TABLE records (
    store_id     text NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    key          text COLLATE "C" NOT NULL,
    value        bytea NOT NULL,
    raw_bytes    integer NOT NULL,
    stored_bytes integer NOT NULL,
    version      bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    PRIMARY KEY (store_id, key)
);
CREATE INDEX records_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;

-- One round trip for a conditional upsert that also reports what it replaced, so quota can be
-- settled exactly. A record past its expiry counts as absent (and is replaced as a creation).
-- outcome: 'created', 'replaced', 'no-store', 'precondition-failed'.
CREATE FUNCTION put_record(
    p_workspace text, p_store text, p_key text, p_value bytea, p_raw integer, p_stored integer,
    p_expires_at timestamptz, p_if_match bigint, p_if_exists boolean, p_if_absent boolean)
RETURNS TABLE (outcome text, version bigint, expires_at timestamptz, old_raw integer, old_stored integer, old_existed boolean)
LANGUAGE plpgsql AS $$
DECLARE
    old records%ROWTYPE;
    live boolean;
    new_version bigint;
BEGIN
    PERFORM 1 FROM stores s WHERE s.id = p_store AND s.workspace_id = p_workspace;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no-store'::text, NULL::bigint, NULL::timestamptz, 0, 0, false;
        RETURN;
    END IF;
    LOOP
        SELECT * INTO old FROM records r WHERE r.store_id = p_store AND r.key = p_key FOR UPDATE;
        IF FOUND THEN
            live := old.expires_at IS NULL OR old.expires_at > now();
            IF (p_if_absent AND live) OR (p_if_exists AND NOT live)
               OR (p_if_match IS NOT NULL AND (NOT live OR old.version <> p_if_match)) THEN
                RETURN QUERY SELECT 'precondition-failed'::text, NULL::bigint, NULL::timestamptz, 0, 0, true;
                RETURN;
            END IF;
            new_version := nextval('record_version');
            UPDATE records r SET value = p_value, raw_bytes = p_raw, stored_bytes = p_stored, version = new_version,
                   updated_at = now(), expires_at = p_expires_at,
                   created_at = CASE WHEN live THEN r.created_at ELSE now() END
             WHERE r.store_id = p_store AND r.key = p_key;
            RETURN QUERY SELECT CASE WHEN live THEN 'replaced' ELSE 'created' END, new_version, p_expires_at,
                   old.raw_bytes, old.stored_bytes, true;
            RETURN;
        END IF;
        IF p_if_exists OR p_if_match IS NOT NULL THEN
            RETURN QUERY SELECT 'precondition-failed'::text, NULL::bigint, NULL::timestamptz, 0, 0, false;
            RETURN;
        END IF;
        new_version := nextval('record_version');
        INSERT INTO records (store_id, key, value, raw_bytes, stored_bytes, version, created_at, updated_at, expires_at)
        VALUES (p_store, p_key, p_value, p_raw, p_stored, new_version, now(), now(), p_expires_at)
        ON CONFLICT DO NOTHING;
        IF FOUND THEN
            RETURN QUERY SELECT 'created'::text, new_version, p_expires_at, 0, 0, false;
            RETURN;
        END IF;
        -- another writer inserted the key between our SELECT and INSERT: lock it and decide again
    END LOOP;
END;
$$;

-- Deletes one record, reporting what it freed. An expired record is removed (its quota freed) but
-- reported 'absent', because for clients it was already gone.
-- outcome: 'deleted', 'absent', 'no-store', 'precondition-failed'.
CREATE FUNCTION delete_record(p_workspace text, p_store text, p_key text, p_if_match bigint)
RETURNS TABLE (outcome text, old_raw integer, old_stored integer)
LANGUAGE plpgsql AS $$
DECLARE
    old records%ROWTYPE;
    live boolean;
BEGIN
    PERFORM 1 FROM stores s WHERE s.id = p_store AND s.workspace_id = p_workspace;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no-store'::text, 0, 0;
        RETURN;
    END IF;
    SELECT * INTO old FROM records r WHERE r.store_id = p_store AND r.key = p_key FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT CASE WHEN p_if_match IS NULL THEN 'absent' ELSE 'precondition-failed' END, 0, 0;
        RETURN;
    END IF;
    live := old.expires_at IS NULL OR old.expires_at > now();
    IF live AND p_if_match IS NOT NULL AND old.version <> p_if_match THEN
        RETURN QUERY SELECT 'precondition-failed'::text, 0, 0;
        RETURN;
    END IF;
    DELETE FROM records r WHERE r.store_id = p_store AND r.key = p_key;
    RETURN QUERY SELECT CASE WHEN live THEN 'deleted'
                             WHEN p_if_match IS NULL THEN 'absent'
                             ELSE 'precondition-failed' END,
                        old.raw_bytes, old.stored_bytes;
END;
$$;
