-- Pages in key order must walk the primary key index from the cursor and stop after LIMIT rows. With a
-- low row estimate (a store that grew since the last ANALYZE, or a generic plan for a prepared
-- statement, where one store of many looks small) PostgreSQL prefers a bitmap scan of every key after
-- the cursor plus a sort: each page then costs the rest of the store, and a whole export is quadratic.
-- These functions plan their query without bitmap scans and sorts, so the ordered index scan is always
-- chosen.
CREATE FUNCTION records_page(p_store text, p_from text, p_below text, p_after text, p_limit integer, p_values boolean)
RETURNS TABLE (key text, value bytea, version bigint, updated_at timestamptz, expires_at timestamptz)
LANGUAGE sql STABLE
SET enable_bitmapscan = off SET enable_sort = off
AS $$
    SELECT r.key, CASE WHEN p_values THEN r.value END, r.version, r.updated_at, r.expires_at
      FROM records r
     WHERE r.store_id = p_store AND r.key >= p_from AND (p_below IS NULL OR r.key < p_below) AND r.key > p_after
       AND (r.expires_at IS NULL OR r.expires_at > now())
     ORDER BY r.key
     LIMIT p_limit
$$;

CREATE FUNCTION records_missing_from(p_store text, p_after text, p_other text, p_limit integer, p_values boolean)
RETURNS TABLE (key text, value bytea, version bigint, updated_at timestamptz, expires_at timestamptz)
LANGUAGE sql STABLE
SET enable_bitmapscan = off SET enable_sort = off
AS $$
    SELECT r.key, CASE WHEN p_values THEN r.value END, r.version, r.updated_at, r.expires_at
      FROM records r
     WHERE r.store_id = p_store AND r.key > p_after AND (r.expires_at IS NULL OR r.expires_at > now())
       AND NOT EXISTS (SELECT 1 FROM records o
                        WHERE o.store_id = p_other AND o.key = r.key AND (o.expires_at IS NULL OR o.expires_at > now()))
     ORDER BY r.key
     LIMIT p_limit
$$;
