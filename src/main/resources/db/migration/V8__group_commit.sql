-- Group commit (issue 17): the single-record writes a replica has queued while its previous statement was out go to
-- PostgreSQL as one statement and one commit. Each write is applied by the same function it would be alone, in the
-- order given, so a later write sees an earlier one to the same key, and each gets its own outcome.
CREATE FUNCTION write_records(
    p_workspace text[], p_store text, p_key text[], p_delete boolean[], p_value bytea[], p_raw integer[],
    p_stored integer[], p_expires_at timestamptz[], p_if_match bigint[], p_if_exists boolean[], p_if_absent boolean[],
    p_now timestamptz)
RETURNS TABLE (at integer, outcome text, version bigint, expires_at timestamptz, old_raw integer, old_stored integer,
               old_existed boolean)
LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_key, 1), 0) LOOP
        IF p_delete[i] THEN
            RETURN QUERY SELECT i, d.outcome, NULL::bigint, NULL::timestamptz, d.old_raw, d.old_stored, d.old_stored > 0
              FROM delete_record(p_workspace[i], p_store, p_key[i], p_if_match[i], p_now) AS d;
        ELSE
            RETURN QUERY SELECT i, p.*
              FROM put_record(p_workspace[i], p_store, p_key[i], p_value[i], p_raw[i], p_stored[i], p_expires_at[i],
                              p_if_match[i], p_if_exists[i], p_if_absent[i], p_now) AS p;
        END IF;
    END LOOP;
END;
$$;
