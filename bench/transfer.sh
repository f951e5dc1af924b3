#!/usr/bin/env bash
# Import and export of a large store through the packaged service at a small heap: N records of
# ~1 KiB JSON (the peer benchmark's value with the record's number in it), imported as one NDJSON
# stream, then exported as one. Prints records/s for both, the largest heap used while exporting (sampled
# from /q/metrics every 0.2 s), the service's RSS, and checks the export has every record in key order.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${N:-1000000}; PORT=${PORT:-18185}
export BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx256m}
data=${DATA:-/tmp/datastores-bench-$N.ndjson}
build_service
if [ ! -s "$data" ]; then
  value=$(cat "$root/../shared/bench/value-1k.json")
  awk -v n="$N" -v v="$value" 'BEGIN { for (i = 0; i < n; i++) { r = v; sub(/evt_0001/, sprintf("evt_%07d", i), r); printf "{\"key\":\"k%07d\",\"value\":%s}\n", i, r } }' >"$data"
fi
start_service "$PORT"
make_tenant "$PORT" business
base="http://127.0.0.1:$PORT/v1/workspaces/$WS/stores/$STORE"
auth="Authorization: Bearer $TOKEN"
pid=${service_pids[-1]}

now() { date +%s.%N; }
heap_used() { curl -fsS "http://127.0.0.1:$PORT/q/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%d", s}'; }

t0=$(now)
imported=$(curl -fsS -X POST -T "$data" -H "$auth" -H 'Content-Type: application/x-ndjson' "$base/import")
t1=$(now)
echo "import: $imported in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b-a}') s = $(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN {printf "%d", n/(b-a)}') records/s"

max_heap=0
( while kill -0 "$pid" 2>/dev/null; do heap_used; echo; sleep 0.2; done ) >/tmp/datastores-bench-heap.txt &
sampler=$!
t0=$(now)
curl -fsS -H "$auth" "$base/export" | awk 'NR > 1 && $0 <= last {bad++} {last = substr($0, 1, 17)} END {printf "%d lines, %d out of order\n", NR, bad}' >/tmp/datastores-bench-export.txt
t1=$(now)
kill "$sampler" 2>/dev/null || true
max_heap=$(sort -n /tmp/datastores-bench-heap.txt | tail -1)
echo "export: $(cat /tmp/datastores-bench-export.txt) in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b-a}') s = $(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN {printf "%d", n/(b-a)}') records/s"
echo "heap: max $((max_heap / 1048576)) MiB used while exporting with $BENCH_JAVA_OPTS; service RSS $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
