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
C=${C:-32}; D=${D:-8}; ROUNDS=${ROUNDS:-6}; ROWS=${ROWS:-2000000}; STORES=${STORES:-20000}
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

run() { # port label script
  wrk -t2 -c"$C" -d"${D}s" --latency -s "$WRK_DIR/service-$3.lua" "http://127.0.0.1:$1" >"/tmp/wrk-part-$2.out" 2>&1
  awk -v l="$2" '/Requests\/sec/ {rps=int($2)} $1=="99%" {p99=$2} /Non-2xx/ {err=$NF} END {printf "%-9s %8d req/s  p99 %-8s non-2xx %s\n", l, rps, p99, err+0}' "/tmp/wrk-part-$2.out"
}
declare -A tenants
value=$(cat "$VALUE_FILE")
for port in 18191 18192; do
  make_tenant "$port" business
  tenants[$port]="$WS $TOKEN $STORE $SERVICE_PATH"
  # every key the GETs ask for exists, as in bench/peers.sh
  awk -v n="$KEYS" -v v="$value" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"key\":\"key-%d\",\"value\":%s}\n", i, v }' \
    | curl -fsS -X POST --data-binary @- -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
        "http://127.0.0.1:$port/v1/workspaces/$WS/stores/$STORE/import" >/dev/null
  wrk -t2 -c"$C" -d5s -s "$WRK_DIR/service-put.lua" "http://127.0.0.1:$port" >/dev/null 2>&1
  wrk -t2 -c"$C" -d5s -s "$WRK_DIR/service-get.lua" "http://127.0.0.1:$port" >/dev/null 2>&1
done
declare -A figures ratios
for round in $(seq 1 "$ROUNDS"); do
  # odd rounds start with the flat table, even ones with the partitioned, so neither always runs second
  sides=("18191 flat" "18192 part"); [ $((round % 2)) -eq 0 ] && sides=("18192 part" "18191 flat")
  for op in put get; do
    declare -A rps=()
    for side in "${sides[@]}"; do
      read -r port label <<<"$side"
      read -r WS TOKEN STORE SERVICE_PATH <<<"${tenants[$port]}"; export TOKEN SERVICE_PATH
      line=$(run "$port" "$label-$op" "$op"); echo "round $round $line"
      rps[$label]=$(awk '{print $2}' <<<"$line"); figures[$label-$op]+="${rps[$label]} "
    done
    ratios[$op]+="$(awk -v a="${rps[part]}" -v b="${rps[flat]}" 'BEGIN {printf "%.3f", a / b}') "
  done
done
median() { printf '%s\n' $@ | sort -g | awk '{a[NR]=$1} END {m = (a[int((NR+1)/2)] + a[int(NR/2)+1]) / 2; print m}'; }
for op in put get; do
  echo "$op: median partitioned $(median ${figures[part-$op]}), flat $(median ${figures[flat-$op]}) req/s;" \
       "partitioned/flat per round ${ratios[$op]}, median $(median ${ratios[$op]})"
done
size() { # database, then the tables whose sizes add up to the records table
  local db=$1; shift
  sql "$db" "SELECT (SELECT count(*) FROM records), sum(pg_table_size(t)), sum(pg_indexes_size(t)) FROM unnest(ARRAY[$*]::regclass[]) t" \
    | awk -F'|' -v db="$db" '{printf "%s: %d rows, %.0f B/row table (heap and TOAST), %.0f B/row indexes\n", db, $1, $2 / $1, $3 / $1}'
}
size bench_flat "'records'"
size bench_part "$(sql bench_part "SELECT string_agg(quote_literal(inhrelid::regclass::text), ',') FROM pg_inherits WHERE inhparent = 'records'::regclass")"
