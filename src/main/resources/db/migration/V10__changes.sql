-- Change streams (issue 18): every change to a store's records is kept, in commit order, with a position per store.
--
-- Positions are given at commit, never at the write: a number taken inside a transaction is not commit order (a later
-- number can commit first, and a reader that has seen it would skip the earlier one for good). So the history is
-- written by deferred triggers, which run when the transaction commits, each under a transaction-scoped advisory lock
-- of the store held until the commit is visible: the next transaction of that store takes its position only after the
-- previous one's changes can be read, so positions are dense and a reader never sees a later one without the earlier.
-- The lock is taken last, after every row lock the transaction needs, so it cannot close a cycle with them.
--
-- What caused a change is a transaction setting (datastores.change_reason): 'expired' for the sweeper's deletions,
-- 'untracked' when the transaction records one event of its own instead of one per row (a clear, a store deletion).

ALTER TABLE plans ADD COLUMN max_watchers integer NOT NULL DEFAULT 10 CHECK (max_watchers >= 0);
UPDATE plans SET max_watchers = CASE name WHEN 'free' THEN 2 WHEN 'basic' THEN 10 WHEN 'advanced' THEN 100 ELSE 1000 END
 WHERE name IN ('free', 'basic', 'advanced', 'business');

-- No foreign key to stores: the history of a deleted store ends with its store-deleted event and is pruned with age.
CREATE TABLE changes (
    store_id    text NOT NULL,
    position    bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('set', 'delete', 'clear', 'store-deleted')),
    key         text COLLATE "C",
    version     bigint,
    value       bytea,
    expires_at  timestamptz,
    reason      text,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (store_id, position)
);
-- Rows arrive in time order, so a block range index serves pruning for almost nothing per insert.
CREATE INDEX changes_recorded ON changes USING brin (recorded_at);

CREATE FUNCTION next_change_position(p_store text) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('changes:' || p_store, 0));
    RETURN coalesce((SELECT max(c.position) FROM changes c WHERE c.store_id = p_store), 0) + 1;
END;
$$;

CREATE FUNCTION record_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cause text := current_setting('datastores.change_reason', true);
    at bigint;
BEGIN
    IF cause = 'untracked' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        at := next_change_position(OLD.store_id);
        INSERT INTO changes (store_id, position, kind, key, version, reason)
        VALUES (OLD.store_id, at, 'delete', OLD.key, OLD.version,
                CASE WHEN cause = 'expired' OR NOT record_live(OLD.expires_at, clock_timestamp()) THEN 'expired' END);
        RETURN NULL;
    END IF;
    at := next_change_position(NEW.store_id);
    -- a write over a record that had expired (but was not swept yet): the expiry happened first
    IF TG_OP = 'UPDATE' AND NOT record_live(OLD.expires_at, NEW.updated_at) THEN
        INSERT INTO changes (store_id, position, kind, key, version, reason)
        VALUES (OLD.store_id, at, 'delete', OLD.key, OLD.version, 'expired');
        at := at + 1;
    END IF;
    INSERT INTO changes (store_id, position, kind, key, version, value, expires_at)
    VALUES (NEW.store_id, at, 'set', NEW.key, NEW.version, NEW.value, NEW.expires_at);
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER records_changed AFTER INSERT OR UPDATE OR DELETE ON records
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_changed();

-- A store's deletion (alone or with its workspace) is one store-deleted event; the rows that go with it are not
-- events of their own. The setting is made at once, so it holds when the records' deferred triggers run.
CREATE FUNCTION store_deleting() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('datastores.change_reason', 'untracked', true);
    RETURN OLD;
END;
$$;

CREATE TRIGGER stores_deleting BEFORE DELETE ON stores FOR EACH ROW EXECUTE FUNCTION store_deleting();

CREATE FUNCTION store_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (store_id, position, kind) VALUES (OLD.id, next_change_position(OLD.id), 'store-deleted');
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER stores_deleted AFTER DELETE ON stores
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION store_deleted();

-- A clear is one event. The rows are locked in key order first, as every writer of many rows locks them, and the
-- position is taken after them (inside one function, so in that order).
CREATE FUNCTION clear_store(p_store text, p_workspace text, p_now timestamptz)
RETURNS TABLE (stores bigint, live bigint, rows bigint, raw_bytes bigint, stored_bytes bigint)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM stores s WHERE s.id = p_store AND s.workspace_id = p_workspace;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint;
        RETURN;
    END IF;
    PERFORM set_config('datastores.change_reason', 'untracked', true);
    RETURN QUERY
        WITH locked AS (SELECT r.key FROM records r WHERE r.store_id = p_store ORDER BY r.key FOR UPDATE),
             gone AS (DELETE FROM records r USING locked l WHERE r.store_id = p_store AND r.key = l.key
                      RETURNING record_live(r.expires_at, p_now) AS alive, r.raw_bytes, r.stored_bytes)
        SELECT 1::bigint, count(*) FILTER (WHERE g.alive), count(*), coalesce(sum(g.raw_bytes), 0)::bigint,
               coalesce(sum(g.stored_bytes), 0)::bigint
          FROM gone g;
    INSERT INTO changes (store_id, position, kind) VALUES (p_store, next_change_position(p_store), 'clear');
END;
$$;

-- The sweeper's deletions: reason 'expired'. They span stores, so the stores' positions are taken up front in store
-- order (two sweepers on two replicas would otherwise take them in opposite orders at commit, and deadlock).
CREATE FUNCTION sweep_expired(p_limit integer, p_now timestamptz)
RETURNS TABLE (workspace_id text, store_id text, records bigint, stored_bytes bigint, raw_bytes bigint)
LANGUAGE plpgsql AS $$
DECLARE
    doomed_stores text[];
    doomed_keys text[];
BEGIN
    PERFORM set_config('datastores.change_reason', 'expired', true);
    SELECT array_agg(d.store_id), array_agg(d.key) INTO doomed_stores, doomed_keys
      FROM (SELECT r.store_id, r.key FROM records r
             WHERE NOT record_live(r.expires_at, p_now)
             ORDER BY r.expires_at
             LIMIT p_limit
               FOR UPDATE SKIP LOCKED) d;
    IF doomed_keys IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('changes:' || s, 0))
       FROM (SELECT DISTINCT u.s FROM unnest(doomed_stores) AS u(s) ORDER BY u.s) AS ordered(s);
    RETURN QUERY
        WITH gone AS (
            DELETE FROM records r USING unnest(doomed_stores, doomed_keys) AS d(store_id, key)
             WHERE r.store_id = d.store_id AND r.key = d.key
            RETURNING r.store_id, r.stored_bytes, r.raw_bytes)
        SELECT s.workspace_id, g.store_id, count(*), sum(g.stored_bytes)::bigint, sum(g.raw_bytes)::bigint
          FROM gone g JOIN stores s ON s.id = g.store_id
         GROUP BY s.workspace_id, g.store_id;
END;
$$;

-- History older than the retention goes, oldest first, except each live store's newest change: it carries the
-- store's last position, from which the next one counts.
CREATE FUNCTION prune_changes(p_before timestamptz, p_limit integer) RETURNS bigint
LANGUAGE sql AS $$
    WITH doomed AS (
        SELECT c.store_id, c.position FROM changes c
         WHERE c.recorded_at < p_before
           AND (c.position < (SELECT max(m.position) FROM changes m WHERE m.store_id = c.store_id)
                OR NOT EXISTS (SELECT 1 FROM stores s WHERE s.id = c.store_id))
         LIMIT p_limit),
    gone AS (DELETE FROM changes c USING doomed d WHERE c.store_id = d.store_id AND c.position = d.position RETURNING 1)
    SELECT count(*) FROM gone
$$;
