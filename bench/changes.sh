#!/usr/bin/env bash
# Change streams, measured (docs/benchmarks.md, "Change streams"):
# 1. What keeping the history costs a PUT: the same build on two databases, one with the history trigger
#    (records_changed) disabled, PUT and GET of the peer benchmark (1 KiB JSON, 10,000 keys, C connections, D s),
#    rounds alternating which side runs first. Prints medians and the ratio on/off.
# 2. Changes delivered to 1, 10 and 100 SSE watchers (WATCHERS) of the store while the same PUT load runs: the PUTs
#    committed per second, the events each watcher received per second, and the delivery lag's p99 from /q/metrics.
#    WATCHERS="" skips this half.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
C=${C:-32}; D=${D:-10}; ROUNDS=${ROUNDS:-4}; WARM=${WARM:-15}; WATCHERS=${WATCHERS-1 10 100}
shared=$root/../shared/bench
export WRK_DIR=$shared/wrk VALUE_FILE=$shared/value-1k.json KEYS=${KEYS:-10000}
need_wrk
build_service
for db in bench_history_on bench_history_off; do
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
on_env="QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/bench_history_on QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/bench_history_on"
off_env="QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/bench_history_off QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/bench_history_off"
start_service 18195 $on_env
start_service 18196 $off_env
# the trigger is cloned onto every partition of records; disabling it there turns the history off
psql -h 127.0.0.1 -U postgres -d bench_history_off -qAt -c \
  "SELECT format('ALTER TABLE %s DISABLE TRIGGER records_changed;', inhrelid::regclass) FROM pg_inherits WHERE inhparent = 'records'::regclass" \
  | psql -h 127.0.0.1 -U postgres -d bench_history_off -q

prepare_tenants 18195 18196
ab_rounds "18195 on" "18196 off" history

# 2. delivery to watchers, on the history-on service
read -r WS TOKEN STORE SERVICE_PATH <<<"${tenants[18195]}"; export TOKEN SERVICE_PATH
changes_url="http://127.0.0.1:18195/v1/workspaces/$WS/stores/$STORE/changes"
counts=$(mktemp -d)
for n in $WATCHERS; do
  watcher_pids=()
  for i in $(seq 1 "$n"); do
    (curl -sN -H "Authorization: Bearer $TOKEN" -H 'Accept: text/event-stream' "$changes_url" | grep -c '^id:' >"$counts/$i" || true) &
    watcher_pids+=($!)
  done
  sleep 2
  line=$(run_wrk 18195 "watchers-$n" put)
  sleep 2
  pkill -f "curl -sN -H Authorization: Bearer $TOKEN" 2>/dev/null || true
  wait "${watcher_pids[@]}" 2>/dev/null || true
  puts=$(awk '{print $2}' <<<"$line")
  total=$(cat "$counts"/* | awk '{s += $1} END {print s + 0}')
  lag=$(curl -fsS http://127.0.0.1:18195/q/metrics | awk '/^datastores_changes_delivery_lag_seconds\{.*quantile="0.99"/ {print $2}')
  awk -v n="$n" -v puts="$puts" -v total="$total" -v d="$D" -v lag="$lag" 'BEGIN {
    printf "%3d watchers: %6d PUT/s committed; per watcher %7.0f changes/s received; all watchers %8.0f changes/s; delivery lag p99 %s s\n",
      n, puts, total / n / d, total / d, lag }'
  rm -f "$counts"/*
done
rmdir "$counts"
