#!/usr/bin/env bash
# A long mixed load: four GETs to one PUT of 1 KiB JSON on 10,000 keys, C connections for D seconds
# (default 300), against the packaged service with auth, rate limit, quota and Brotli on. Prints the
# service's RSS and heap every 30 s, so growth over the run shows, then wrk's figures.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
C=${C:-32}; D=${D:-300}; PORT=${PORT:-18187}; KEYS=${KEYS:-10000}
shared=$root/../shared/bench
need_wrk
build_service
start_service "$PORT"
make_tenant "$PORT" business
pid=${service_pids[-1]}
load_peer_records "$PORT" "$KEYS"
export WRK_DIR="$shared/wrk" VALUE_FILE="$shared/value-1k.json" KEYS SERVICE_PATH TOKEN
heap() { curl -fsS "http://127.0.0.1:$PORT/q/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%d", s / 1048576}'; }
( for t in $(seq 0 30 "$D"); do
    echo "t=${t}s RSS $(( $(ps -o rss= -p "$pid") / 1024 )) MiB, heap used $(heap) MiB"; sleep 30
  done ) &
sampler=$!
wrk -t1 -c"$C" -d"${D}s" --latency -s "$root/bench/wrk/mixed.lua" "http://127.0.0.1:$PORT" \
  | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|Socket"
kill "$sampler" 2>/dev/null || true
echo "end RSS $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
