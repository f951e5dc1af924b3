-- The quota fallback's running count (issue 19): while Redis is away, writes are checked in PostgreSQL under the
-- workspace's advisory lock. Counting the workspace's records for each write cost seconds per write for millions
-- of records; instead the first such write counts once and keeps the count here, and the next ones (on any replica,
-- under the same lock) read it, check their change against it and add it: one row read and written per write.
-- The row is deleted whenever the workspace's Redis counters are rebuilt from PostgreSQL (Redis is back), so the
-- next outage counts afresh. stores is kept for completeness; no fallback write creates a store (store creation
-- checks its limit under the workspace row's lock), so nothing checks it here.
CREATE TABLE fallback_usage (
    workspace_id  text PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    stores        bigint NOT NULL,
    keys          bigint NOT NULL,
    storage_bytes bigint NOT NULL,
    counted_at    timestamptz NOT NULL
);
