# Shared by the bench scripts: start the packaged service, make a workspace, store and key.
# Usage: . bench/lib.sh; start_service PORT [extra env...]; make_tenant PORT PLAN; load_peer_records PORT COUNT;
#        prepare_tenants PORT...; ab_rounds "PORT LABEL" "PORT LABEL" [TITLE]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DATASTORES_ADMIN_TOKEN=${DATASTORES_ADMIN_TOKEN:-bench-admin-token}
service_pids=()
stop_services() { for p in "${service_pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_services EXIT

need_wrk() { # installs wrk (Debian) when missing, as bin/ensure-services does for PostgreSQL and Redis
  command -v wrk >/dev/null && return 0
  { apt-get install -y -q wrk || { apt-get update -q && apt-get install -y -q wrk; }; } >/dev/null 2>&1 \
    || { echo "could not install wrk" >&2; return 1; }
}

build_service() {
  (cd "$root" && bin/ensure-services && [ -f target/quarkus-app/quarkus-run.jar ] \
    || { ./mvnw -B -ntp -q -f clients/java/pom.xml install -DskipTests && ./mvnw -B -ntp -q package -DskipTests; })
}

start_service() { # port, then KEY=VALUE environment settings; SERVICE_JAR runs another build than this one
  local port=$1; shift
  env QUARKUS_HTTP_PORT="$port" "$@" java ${BENCH_JAVA_OPTS:--Xmx512m} -jar "${SERVICE_JAR:-$root/target/quarkus-app/quarkus-run.jar}" \
    >"/tmp/datastores-bench-$port.log" 2>&1 &
  service_pids+=($!)
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "service on $port did not start; see /tmp/datastores-bench-$port.log" >&2; return 1
}

make_tenant() { # port plan -> sets WS TOKEN STORE SERVICE_PATH
  local base="http://127.0.0.1:$1" auth="Authorization: Bearer $DATASTORES_ADMIN_TOKEN"
  WS=$(curl -fsS -H "$auth" -H 'Content-Type: application/json' -d "{\"name\":\"bench\",\"plan\":\"$2\"}" \
    "$base/v1/admin/workspaces" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  TOKEN=$(curl -fsS -H "$auth" -H 'Content-Type: application/json' -d '{"name":"bench","scopes":["read","write","manage"]}' \
    "$base/v1/admin/workspaces/$WS/api-keys" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  STORE=$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"bench"}' \
    "$base/v1/workspaces/$WS/stores" | sed -E 's/.*"id":"([^"]+)".*/\1/')
  SERVICE_PATH="/v1/workspaces/$WS/stores/$STORE/records"
  export WS TOKEN STORE SERVICE_PATH
}

load_peer_records() { # port count: the peer benchmark's 1 KiB value under key-1 … key-<count>, as its wrk scripts name them
  local value
  value=$(cat "$root/../shared/bench/value-1k.json")
  awk -v n="$2" -v v="$value" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"key\":\"key-%d\",\"value\":%s}\n", i, v }' \
    | curl -fsS -X POST --data-binary @- -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
        "http://127.0.0.1:$1/v1/workspaces/$WS/stores/$STORE/import" >/dev/null
}

run_wrk() { # port label operation (put, get): one run of the peer benchmark's operation, C connections, D s; one line
  wrk -t2 -c"$C" -d"${D}s" --latency -s "$WRK_DIR/service-$3.lua" "http://127.0.0.1:$1" >"/tmp/wrk-$2.out" 2>&1
  awk -v l="$2" '/Requests\/sec/ {rps=int($2)} $1=="99%" {p99=$2} /Non-2xx/ {err=$NF} END {printf "%-12s %8d req/s  p99 %-8s non-2xx %s\n", l, rps, p99, err+0}' "/tmp/wrk-$2.out"
}

declare -A tenants
prepare_tenants() { # port...: on each, a business tenant holding KEYS peer records (tenants[port]), PUT and GET warmed up WARM s
  local port op
  for port in "$@"; do
    make_tenant "$port" business
    tenants[$port]="$WS $TOKEN $STORE $SERVICE_PATH"
    load_peer_records "$port" "$KEYS"
    for op in put get; do
      wrk -t2 -c"$C" -d"${WARM}s" -s "$WRK_DIR/service-$op.lua" "http://127.0.0.1:$port" >/dev/null 2>&1
    done
  done
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {m = (a[int((NR+1)/2)] + a[int(NR/2)+1]) / 2; print m}'; }

ab_rounds() { # "port label" measured, "port label" compared with, [title]: ROUNDS rounds of PUT then GET on both
  # prepared tenants, odd rounds starting with the second side and even ones with the first, so machine noise falls
  # on both; prints each run, then per operation the medians and the ratio first/second per round and its median
  local first=$1 second=$2 title=${3:+$3 } round op side port label line
  local -A figures=() ratios=() rps=()
  read -r _ a <<<"$first"; read -r _ b <<<"$second"
  for round in $(seq 1 "$ROUNDS"); do
    local sides=("$second" "$first"); [ $((round % 2)) -eq 0 ] && sides=("$first" "$second")
    for op in put get; do
      for side in "${sides[@]}"; do
        read -r port label <<<"$side"
        read -r WS TOKEN STORE SERVICE_PATH <<<"${tenants[$port]}"; export TOKEN SERVICE_PATH
        line=$(run_wrk "$port" "$label-$op" "$op"); echo "round $round $line"
        rps[$label]=$(awk '{print $2}' <<<"$line"); figures[$label-$op]+="${rps[$label]} "
      done
      ratios[$op]+="$(awk -v x="${rps[$a]}" -v y="${rps[$b]}" 'BEGIN {printf "%.3f", x / y}') "
    done
  done
  for op in put get; do
    echo "$title$op: median $a $(median ${figures[$a-$op]}), $b $(median ${figures[$b-$op]}) req/s;" \
         "$a/$b per round ${ratios[$op]}, median $(median ${ratios[$op]})"
  done
}
