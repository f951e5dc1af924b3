#!/usr/bin/env bash
# PUT throughput with quota enforcement on, against the same run with it off: the ratio is what exact
# quotas cost. 1 KiB JSON on 10,000 random keys, C connections, D seconds, loopback, rounds alternating
# on/off so machine noise falls on both. Prints one line per round and the ratio of the medians.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
C=${C:-32}; D=${D:-10}; ROUNDS=${ROUNDS:-3}
shared=$root/../shared/bench
export WRK_DIR=$shared/wrk VALUE_FILE=$shared/value-1k.json KEYS=${KEYS:-10000}
need_wrk
build_service
start_service 18181 DATASTORES_QUOTA_ENFORCED=true
start_service 18182 DATASTORES_QUOTA_ENFORCED=false

run() { # port label
  make_tenant "$1" business
  wrk -t2 -c"$C" -d"${D}s" --latency -s "$WRK_DIR/service-put.lua" "http://127.0.0.1:$1" >"/tmp/wrk-$2.out" 2>&1
  awk -v l="$2" '/Requests\/sec/ {rps=int($2)} $1=="99%" {p99=$2} /Non-2xx/ {err=$NF} END {printf "%-4s %8d req/s  p99 %-8s non-2xx %s\n", l, rps, p99, err+0}' "/tmp/wrk-$2.out"
}
# warm both JVMs up before measuring
for port in 18181 18182; do
  make_tenant "$port" business
  wrk -t2 -c"$C" -d5s -s "$WRK_DIR/service-put.lua" "http://127.0.0.1:$port" >/dev/null 2>&1
done
on=(); off=()
for round in $(seq 1 "$ROUNDS"); do
  line=$(run 18181 on); echo "round $round $line"; on+=($(awk '{print $2}' <<<"$line"))
  line=$(run 18182 off); echo "round $round $line"; off+=($(awk '{print $2}' <<<"$line"))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_on=$(median "${on[@]}"); m_off=$(median "${off[@]}")
awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "median on %d, off %d, ratio on/off %.2f\n", a, b, a/b}'
