#!/usr/bin/env bash
# The service in the peer benchmark (../shared/bench/peers.sh): starts the packaged service with auth,
# rate limit, quota and Brotli all on, makes a workspace, store and key, loads the 10,000 records the
# peers' GET reads (1 KiB JSON, keys as the wrk scripts name them), then runs the peers and the
# service in one run. Also reports the service's RSS before and after. C, D, KEYS as peers.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
PORT=${PORT:-18186}; KEYS=${KEYS:-10000}
shared=$root/../shared/bench
build_service
start_service "$PORT"
make_tenant "$PORT" business
pid=${service_pids[-1]}
value=$(cat "$shared/value-1k.json")
awk -v n="$KEYS" -v v="$value" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"key\":\"key-%d\",\"value\":%s}\n", i, v }' \
  | curl -fsS -X POST --data-binary @- -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
      "http://127.0.0.1:$PORT/v1/workspaces/$WS/stores/$STORE/import" >/dev/null
echo "service RSS before: $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
SERVICE_URL="http://127.0.0.1:$PORT" SERVICE_PATH="$SERVICE_PATH" TOKEN="$TOKEN" "$shared/peers.sh"
echo "service RSS after: $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
