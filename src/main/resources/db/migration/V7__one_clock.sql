-- One clock and one liveness rule. Expiry is computed by the service from its clock and compared here with the
-- same clock's time, passed in as p_now / a parameter: never PostgreSQL's own now(), which is another machine's
-- clock. record_live is the rule, written once; an IMMUTABLE SQL function of its arguments, the planner inlines it.
CREATE FUNCTION record_live(p_expires_at timestamptz, p_at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT p_expires_at IS NULL OR p_expires_at > p_at $$;

DROP FUNCTION put_record(text, text, text, bytea, integer, integer, timestamptz, bigint, boolean, boolean);
DROP FUNCTION delete_record(text, text, text, bigint);
DROP FUNCTION records_page(text, text, text, text, integer, boolean);
DROP FUNCTION records_missing_from(text, text, text, integer, boolean);
DROP FUNCTION rewrite_records(text, text[], bytea[], integer[], integer[], timestamptz[]);

CREATE FUNCTION put_record(
    p_workspace text, p_store text, p_key text, p_value bytea, p_raw integer, p_stored integer,
    p_expires_at timestamptz, p_if_match bigint, p_if_exists boolean, p_if_absent boolean, p_now timestamptz)
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
            live := record_live(old.expires_at, p_now);
            IF (p_if_absent AND live) OR (p_if_exists AND NOT live)
               OR (p_if_match IS NOT NULL AND (NOT live OR old.version <> p_if_match)) THEN
                RETURN QUERY SELECT 'precondition-failed'::text, NULL::bigint, NULL::timestamptz, 0, 0, true;
                RETURN;
            END IF;
            new_version := nextval('record_version');
            UPDATE records r SET value = p_value, raw_bytes = p_raw, stored_bytes = p_stored, version = new_version,
                   updated_at = p_now, expires_at = p_expires_at,
                   created_at = CASE WHEN live THEN r.created_at ELSE p_now END
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
        VALUES (p_store, p_key, p_value, p_raw, p_stored, new_version, p_now, p_now, p_expires_at)
        ON CONFLICT DO NOTHING;
        IF FOUND THEN
            RETURN QUERY SELECT 'created'::text, new_version, p_expires_at, 0, 0, false;
            RETURN;
        END IF;
        -- another writer inserted the key between our SELECT and INSERT: lock it and decide again
    END LOOP;
END;
$$;

CREATE FUNCTION delete_record(p_workspace text, p_store text, p_key text, p_if_match bigint, p_now timestamptz)
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
    live := record_live(old.expires_at, p_now);
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

CREATE FUNCTION records_page(p_store text, p_from text, p_below text, p_after text, p_limit integer, p_values boolean, p_now timestamptz)
RETURNS TABLE (key text, value bytea, version bigint, updated_at timestamptz, expires_at timestamptz)
LANGUAGE sql STABLE
SET enable_bitmapscan = off SET enable_sort = off
AS $$
    SELECT r.key, CASE WHEN p_values THEN r.value END, r.version, r.updated_at, r.expires_at
      FROM records r
     WHERE r.store_id = p_store AND r.key >= p_from AND (p_below IS NULL OR r.key < p_below) AND r.key > p_after
       AND record_live(r.expires_at, p_now)
     ORDER BY r.key
     LIMIT p_limit
$$;

CREATE FUNCTION records_missing_from(p_store text, p_after text, p_other text, p_limit integer, p_values boolean, p_now timestamptz)
RETURNS TABLE (key text, value bytea, version bigint, updated_at timestamptz, expires_at timestamptz)
LANGUAGE sql STABLE
SET enable_bitmapscan = off SET enable_sort = off
AS $$
    SELECT r.key, CASE WHEN p_values THEN r.value END, r.version, r.updated_at, r.expires_at
      FROM records r
     WHERE r.store_id = p_store AND r.key > p_after AND record_live(r.expires_at, p_now)
       AND NOT EXISTS (SELECT 1 FROM records o
                        WHERE o.store_id = p_other AND o.key = r.key AND record_live(o.expires_at, p_now))
     ORDER BY r.key
     LIMIT p_limit
$$;

CREATE FUNCTION rewrite_records(p_store text, p_keys text[], p_values bytea[], p_raw integer[], p_stored integer[],
                                p_expires timestamptz[], p_now timestamptz)
RETURNS void
LANGUAGE sql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
    UPDATE records r
       SET value = u.value, raw_bytes = u.raw, stored_bytes = u.stored, version = nextval('record_version'),
           updated_at = p_now, expires_at = u.expires,
           created_at = CASE WHEN record_live(r.expires_at, p_now) THEN r.created_at ELSE p_now END
      FROM unnest(p_keys, p_values, p_raw, p_stored, p_expires) AS u(key, value, raw, stored, expires)
     WHERE r.store_id = p_store AND r.key = u.key
$$;
