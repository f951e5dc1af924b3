-- Records hash-partitioned by store_id: every statement names its store, so each touches one partition,
-- and each partition stays small enough to vacuum, reindex and cache on its own. 32 partitions put a
-- billion records at ~31 million rows (~16 GB with indexes) per partition (docs/scaling.md); the count
-- is fixed because changing a hash modulus means rewriting the table.
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
    FOR remainder IN 0..31 LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF records FOR VALUES WITH (MODULUS 32, REMAINDER %s)',
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
