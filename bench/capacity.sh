#!/usr/bin/env bash
# What one request costs each part of the system, for the capacity plan in docs/scaling.md: CPU time of
# the service, of PostgreSQL's backends serving it and of its own Redis per PUT and per GET (1 KiB JSON,
# 10,000 keys, C connections, D seconds, after WARM seconds of each), Redis commands per request, and the stored
# size of a record.
# CPU comes from /proc (utime + stime), so it holds however busy the rest of the machine is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
C=${C:-32}; D=${D:-10}; PORT=${PORT:-18193}; REDIS_PORT=${REDIS_PORT:-18299}
shared=$root/../shared/bench
export WRK_DIR=$shared/wrk VALUE_FILE=$shared/value-1k.json KEYS=${KEYS:-10000}
need_wrk
build_service
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS bench_cap" -c "CREATE DATABASE bench_cap"
redis_dir=$(mktemp -d)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$redis_dir" >/dev/null 2>&1 &
redis_pid=$!
sleep 0.5
# Redis' CPU is read from this process: another Redis already on the port would answer instead, unmeasured
kill -0 "$redis_pid" 2>/dev/null || { echo "a Redis on port $REDIS_PORT is in the way (REDIS_PORT=...)" >&2; exit 1; }
trap 'stop_services; kill $redis_pid 2>/dev/null; rm -rf "$redis_dir"' EXIT
start_service "$PORT" QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$REDIS_PORT" \
  QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/bench_cap QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/bench_cap
service_pid=${service_pids[-1]}
make_tenant "$PORT" business
awk -v n="$KEYS" -v v="$(cat "$VALUE_FILE")" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"key\":\"key-%d\",\"value\":%s}\n", i, v }' \
  | curl -fsS -X POST --data-binary @- -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
      "http://127.0.0.1:$PORT/v1/workspaces/$WS/stores/$STORE/import" >/dev/null
for op in put get; do wrk -t2 -c"$C" -d"${WARM:-20}s" -s "$WRK_DIR/service-$op.lua" "http://127.0.0.1:$PORT" >/dev/null 2>&1; done

ticks() { # summed utime + stime of the given pids, in clock ticks
  for pid in "$@"; do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0; done | awk '{s += $1} END {print s + 0}'
}
pg_pids() { psql -h 127.0.0.1 -U postgres -d bench_cap -qAt -c "SELECT pid FROM pg_stat_activity WHERE datname = 'bench_cap' AND pid <> pg_backend_pid()"; }
statements() { # count and sum of the service's point statements (group sizes), for requests per statement
  curl -fsS "http://127.0.0.1:$PORT/q/metrics" | awk '/^datastores_(read|write)_group_size_(count|sum)/ {c[$1 ~ /count/ ? "n" : "s"] += $2}
    END {printf "%d %d\n", c["n"], c["s"]}'
}
commands() { redis-cli -p "$REDIS_PORT" info stats | awk -F: '/^total_commands_processed/ {print $2 + 0}'; }
hz=$(getconf CLK_TCK)
for op in put get; do
  pgs=($(pg_pids)); s0=$(ticks "$service_pid"); p0=$(ticks "${pgs[@]}"); r0=$(ticks "$redis_pid"); c0=$(commands); read -r g0 w0 <<<"$(statements)"
  wrk -t2 -c"$C" -d"${D}s" -s "$WRK_DIR/service-$op.lua" "http://127.0.0.1:$PORT" >"/tmp/wrk-cap-$op.out" 2>&1
  s1=$(ticks "$service_pid"); p1=$(ticks "${pgs[@]}"); r1=$(ticks "$redis_pid"); c1=$(commands); read -r g1 w1 <<<"$(statements)"
  n=$(awk '/requests in/ {print $1}' "/tmp/wrk-cap-$op.out")
  awk -v op="$op" -v n="$n" -v d="$D" -v hz="$hz" -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v r=$((r1 - r0)) -v c=$((c1 - c0)) \
      -v g=$((g1 - g0)) -v w=$((w1 - w0)) \
    'BEGIN {printf "%s: %d req/s; CPU per request: service %.3f ms, PostgreSQL %.3f ms, Redis %.3f ms; %.1f Redis commands and %.2f point statements per request (%.1f requests per statement)\n",
            op, n / d, s * 1000 / hz / n, p * 1000 / hz / n, r * 1000 / hz / n, c / n, g / n, g ? w / g : 0}'
done
# PostgreSQL's CPU per transaction of the peer benchmark's own upsert and select (pgbench, same C and D), for the
# issue's "PostgreSQL CPU per PUT at most 1.5x pgbench's upsert". pgbench's backends exit when it ends, so their CPU is
# what the postmaster reaps from its children meanwhile (other backends exiting at the same time would count too).
command -v pgbench >/dev/null || PATH=$PATH:$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)
postmaster=$(ps -o ppid= -p "$(pg_pids | head -1)" | tr -d ' ')
reaped() { awk '{print $16 + $17}' "/proc/$postmaster/stat"; }
psql -h 127.0.0.1 -U postgres -d bench_cap -q -f "$shared/pgbench/schema.sql" >/dev/null 2>&1
for op in put get; do
  r0=$(reaped)
  tx=$(pgbench -h 127.0.0.1 -U postgres -d bench_cap -n -M prepared -c "$C" -j 1 -T "$D" -D v="$(cat "$VALUE_FILE")" \
         -f "$shared/pgbench/$op.sql" 2>/dev/null | awk '/number of transactions actually processed/ {print $NF}' | cut -d/ -f1)
  sleep 1; r1=$(reaped)
  awk -v op="$op" -v n="$tx" -v d="$D" -v hz="$hz" -v p=$((r1 - r0)) \
    'BEGIN {printf "pgbench %s: %d tx/s; PostgreSQL CPU per transaction %.3f ms\n", op, n / d, p * 1000 / hz / n}'
done
psql -h 127.0.0.1 -U postgres -d bench_cap -qAt -c "VACUUM records" -c "
  SELECT 'records: ' || count(*) || ' rows of ' || round(avg(raw_bytes)) || ' raw bytes stored as ' || round(avg(stored_bytes))
         || ' (Brotli ' || round(avg(raw_bytes)::numeric / avg(stored_bytes), 2) || 'x); '
         || round(avg(pg_column_size(r.*))) || ' B per row tuple' FROM records r"
