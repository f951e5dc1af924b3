#!/usr/bin/env bash
# What a write costs while Redis is away, in a workspace of N records (default 1,000,000): the quota check then runs
# in PostgreSQL. Imports N records (~1 KiB each, as bench/transfer.sh) into one store, stops the service's own Redis,
# times the first write (the one that may count the workspace) and then PUTs for D seconds with C connections.
# BASE_JAR adds the same run for another build first (each build on its own database and Redis), for before/after.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${N:-1000000}; C=${C:-4}; D=${D:-10}; PORT=${PORT:-18195}; REDIS_PORT=${REDIS_PORT:-18298}
shared=$root/../shared/bench
export WRK_DIR=$shared/wrk VALUE_FILE=$shared/value-1k.json KEYS=${KEYS:-10000}
data=${DATA:-/tmp/datastores-bench-$N.ndjson}
need_wrk
build_service
if [ ! -s "$data" ]; then
  value=$(cat "$VALUE_FILE")
  awk -v n="$N" -v v="$value" 'BEGIN { for (i = 0; i < n; i++) { r = v; sub(/evt_0001/, sprintf("evt_%07d", i), r); printf "{\"key\":\"k%07d\",\"value\":%s}\n", i, r } }' >"$data"
fi
redis_pid=
trap 'stop_services; [ -n "$redis_pid" ] && kill $redis_pid 2>/dev/null; true' EXIT

run() { # label jar
  local db=bench_fallback_$1 redis_dir
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  redis_dir=$(mktemp -d)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$redis_dir" >/dev/null 2>&1 &
  redis_pid=$!
  SERVICE_JAR=$2 start_service "$PORT" QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$REDIS_PORT" \
    QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/$db QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$db
  make_tenant "$PORT" business
  curl -fsS -X POST -T "$data" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
    "http://127.0.0.1:$PORT/v1/workspaces/$WS/stores/$STORE/import" >/dev/null
  kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; redis_pid=
  sleep 2
  local first
  first=$(curl -fsS -o /dev/null -w '%{http_code} in %{time_total} s' -X PUT -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"first":true}' "http://127.0.0.1:$PORT$SERVICE_PATH/first-write")
  wrk -t1 -c"$C" -d"${D}s" --latency -s "$WRK_DIR/service-put.lua" "http://127.0.0.1:$PORT" >"/tmp/wrk-fallback-$1.out" 2>&1
  awk -v l="$1" -v n="$N" -v f="$first" '/Requests\/sec/ {rps=$2} /^    Latency/ {avg=$2} $1=="99%" {p99=$2} /Non-2xx/ {err=$NF}
    END {printf "%s: %d records, Redis stopped; first write %s; then %d PUT/s, mean %s, p99 %s, non-2xx %d\n", l, n, f, rps, avg, p99, err+0}' \
    "/tmp/wrk-fallback-$1.out"
  stop_services; service_pids=()
  rm -rf "$redis_dir"
}
[ -n "${BASE_JAR:-}" ] && run base "$BASE_JAR"
run this "$root/target/quarkus-app/quarkus-run.jar"
