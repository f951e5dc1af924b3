#!/usr/bin/env bash
# The records table flat (BASE_JAR: a build before V4__partition_records) against hash-partitioned (this
# build), each service on its own database holding ROWS background records in STORES stores, so the
# workload meets a table of some size. PUT then GET of 1 KiB JSON on 10,000 random keys, C connections,
# D seconds each, rounds alternating flat / partitioned so machine noise falls on both. Prints one line
# per figure, the ratios of the medians, and the partitioned table's bytes per row.
#   git archive <ref> | tar -x -C /tmp/base && (cd /tmp/base && ./mvnw -q package -DskipTests)
#   BASE_JAR=/tmp/base/target/quarkus-app/quarkus-run.jar bench/partitioning.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${BASE_JAR:?BASE_JAR must name the quarkus-run.jar of a build before the records table was partitioned}"
C=${C:-32}; D=${D:-8}; ROUNDS=${ROUNDS:-6}; WARM=${WARM:-5}; ROWS=${ROWS:-2000000}; STORES=${STORES:-20000}
shared=$root/../shared/bench
export WRK_DIR=$shared/wrk VALUE_FILE=$shared/value-1k.json KEYS=${KEYS:-10000}
need_wrk
build_service
sql() { psql -h 127.0.0.1 -U postgres -d "$1" -qAt -v ON_ERROR_STOP=1 -c "$2"; }
for db in bench_flat bench_part; do
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
# The reconciler stays out of the measurement: the flat build's would count every background workspace each pass.
quiet=(DATASTORES_QUOTA_RECONCILE_EVERY=1h)
SERVICE_JAR=$BASE_JAR start_service 18191 "${quiet[@]}" \
  QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/bench_flat QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/bench_flat
start_service 18192 "${quiet[@]}" \
  QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/bench_part QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/bench_part
for db in bench_flat bench_part; do
  sql "$db" "INSERT INTO workspaces SELECT 'ws_bg' || w, 'bg', 'business' FROM generate_series(1, $STORES / 10) w"
  sql "$db" "INSERT INTO stores SELECT 'ds_bg' || s, 'ws_bg' || (s % ($STORES / 10) + 1), 'bg' || s FROM generate_series(1, $STORES) s"
  # ~257-byte values, the size 1 KiB of JSON has once Brotli-compressed (docs/benchmarks.md, Brotli setting)
  sql "$db" "INSERT INTO records SELECT 'ds_bg' || (i % $STORES + 1), 'key-' || i, decode(repeat(md5(i::text), 16), 'hex'), 1024, 256,
               nextval('record_version'), now(), now(), NULL FROM generate_series(1, $ROWS) i"
  sql "$db" "VACUUM ANALYZE"
done

prepare_tenants 18191 18192
ab_rounds "18192 partitioned" "18191 flat"
size() { # database, then the tables whose sizes add up to the records table
  local db=$1; shift
  sql "$db" "SELECT (SELECT count(*) FROM records), sum(pg_table_size(t)), sum(pg_indexes_size(t)) FROM unnest(ARRAY[$*]::regclass[]) t" \
    | awk -F'|' -v db="$db" '{printf "%s: %d rows, %.0f B/row table (heap and TOAST), %.0f B/row indexes\n", db, $1, $2 / $1, $3 / $1}'
}
size bench_flat "'records'"
size bench_part "$(sql bench_part "SELECT string_agg(quote_literal(inhrelid::regclass::text), ',') FROM pg_inherits WHERE inhparent = 'records'::regclass")"
