#!/usr/bin/env bash
# The service in the peer benchmark (../shared/bench/peers.sh): starts the packaged service with auth,
# rate limit, quota and Brotli all on, makes a workspace, store and key, loads the 10,000 records the
# peers' GET reads (1 KiB JSON, keys as the wrk scripts name them), then runs the peers and the
# service in one run, after 20 s of warm-up per operation (WARM). Also reports the service's RSS before
# and after. C, D, KEYS as peers.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
PORT=${PORT:-18186}; KEYS=${KEYS:-10000}
shared=$root/../shared/bench
need_wrk
build_service
start_service "$PORT"
make_tenant "$PORT" business
pid=${service_pids[-1]}
load_peer_records "$PORT" "$KEYS"
# A JVM compiles its hot paths in the first tens of seconds under load: warm the service up with the same
# scripts (20 s each) before the measured run, as the peers' native code needs no such thing.
export WRK_DIR="$shared/wrk" VALUE_FILE="$shared/value-1k.json" KEYS SERVICE_PATH TOKEN
for script in service-put.lua service-get.lua; do
  wrk -t1 -c32 -d"${WARM:-20}s" -s "$shared/wrk/$script" "http://127.0.0.1:$PORT" >/dev/null
done
echo "service RSS before: $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
SERVICE_URL="http://127.0.0.1:$PORT" SERVICE_PATH="$SERVICE_PATH" TOKEN="$TOKEN" "$shared/peers.sh"
echo "service RSS after: $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
