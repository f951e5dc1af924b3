-- Batches and imports write many records of one store at once: the rows that exist are locked and
-- rewritten by key, the rest inserted. Both must look the keys up in the primary key index whatever the
-- statistics say: a partition that was empty when last analyzed (autovacuum may be off, and a prepared
-- statement keeps its first plan) otherwise gets a sequential scan per chunk, and an import turns
-- quadratic. These functions plan their statement with scans and joins that go through the index only.
CREATE FUNCTION lock_records(p_store text, p_keys text[])
RETURNS TABLE (key text, raw_bytes integer, stored_bytes integer)
LANGUAGE sql
SET enable_seqscan = off SET enable_bitmapscan = off
AS $$
    SELECT r.key, r.raw_bytes, r.stored_bytes
      FROM records r
     WHERE r.store_id = p_store AND r.key = ANY (p_keys)
     ORDER BY r.key
       FOR UPDATE
$$;

CREATE FUNCTION rewrite_records(p_store text, p_keys text[], p_values bytea[], p_raw integer[], p_stored integer[],
                                p_expires timestamptz[])
RETURNS void
LANGUAGE sql
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
    UPDATE records r
       SET value = u.value, raw_bytes = u.raw, stored_bytes = u.stored, version = nextval('record_version'),
           updated_at = now(), expires_at = u.expires,
           created_at = CASE WHEN r.expires_at IS NULL OR r.expires_at > now() THEN r.created_at ELSE now() END
      FROM unnest(p_keys, p_values, p_raw, p_stored, p_expires) AS u(key, value, raw, stored, expires)
     WHERE r.store_id = p_store AND r.key = u.key
$$;
