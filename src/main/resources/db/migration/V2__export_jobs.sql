-- Export jobs push a store to another service chunk by chunk. The row is the job's whole state, so a
-- job outlives the replica that runs it: last_key is the last key of the last acknowledged chunk,
-- and a replica that stops heartbeating loses the job to another (or to itself after a restart).
CREATE TABLE export_jobs (
    id           text PRIMARY KEY,
    workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    store_id     text NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    url          text NOT NULL,
    chunk_size   integer NOT NULL CHECK (chunk_size BETWEEN 1 AND 1000),
    delete_after boolean NOT NULL,
    prefix       text COLLATE "C" NOT NULL DEFAULT '',
    status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    chunks       bigint NOT NULL DEFAULT 0,
    exported     bigint NOT NULL DEFAULT 0,
    deleted      bigint NOT NULL DEFAULT 0,
    last_key     text COLLATE "C" NOT NULL DEFAULT '',
    error        text,
    runner       text NOT NULL,
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX export_jobs_store ON export_jobs (store_id, started_at DESC);
CREATE INDEX export_jobs_running ON export_jobs (heartbeat_at) WHERE status = 'running';
