-- Records hash-partitioned by store_id: every statement names its store, so each touches one partition,
-- and each partition stays small enough to vacuum, reindex and cache on its own. 8 partitions, because
-- a prepared statement's generic plan locks every partition, and PostgreSQL (before 18) keeps at most 16
-- relations per transaction on its cheap fast path: a put_record locks 13 (stores and its key, records
-- and its 8 partitions, the written partition's key, the version sequence; seen in pg_locks). With 16 or
-- 32 partitions the locks spill into the shared lock table and put_record ran at 0.77x and 0.61x of the
-- unpartitioned table, with 8 at 0.91x (docs/scaling.md). A billion records make ~125 million rows per
-- partition; beyond one machine the records are distributed with Citus by the same key. The count is
-- fixed: changing a hash modulus means rewriting the table.
--
-- The rows move in one transaction: the old table is renamed, copied into the partitioned one and
-- dropped. The primary key, the foreign key and the expiry index are built after the copy, in one pass
-- per partition instead of row by row. put_record, delete_record, records_page and
-- records_missing_from name the table only in their bodies, so they use the new one unchanged.
ALTER TABLE records RENAME TO records_unpartitioned;

CREATE TABLE records (
    store_id     text NOT NULL,
    key          text COLLATE "C" NOT NULL,
    value        bytea NOT NULL,
    raw_bytes    integer NOT NULL,
    stored_bytes integer NOT NULL,
    version      bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    expires_at   timestamptz
) PARTITION BY HASH (store_id);

DO $$
BEGIN
    FOR remainder IN 0..7 LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF records FOR VALUES WITH (MODULUS 8, REMAINDER %s)',
                       'records_p' || lpad(remainder::text, 2, '0'), remainder);
    END LOOP;
END $$;

INSERT INTO records (store_id, key, value, raw_bytes, stored_bytes, version, created_at, updated_at, expires_at)
SELECT store_id, key, value, raw_bytes, stored_bytes, version, created_at, updated_at, expires_at
  FROM records_unpartitioned;
DROP TABLE records_unpartitioned;

ALTER TABLE records ADD PRIMARY KEY (store_id, key);
ALTER TABLE records ADD FOREIGN KEY (store_id) REFERENCES stores (id) ON DELETE CASCADE;
CREATE INDEX records_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;
ANALYZE records;
