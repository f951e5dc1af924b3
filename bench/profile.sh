#!/usr/bin/env bash
# Where the service's CPU goes on the peer benchmark's PUT and GET (1 KiB JSON, 10,000 keys, C connections):
# runs the packaged service under async-profiler (from Maven Central), warms each operation up, profiles it for D
# seconds, and prints the share of CPU samples per part of the request path (inclusive: a sample counts for every
# part on its stack). The collapsed stacks stay in $OUT for flame graphs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
PORT=${PORT:-18187}; KEYS=${KEYS:-10000}; C=${C:-32}; D=${D:-20}; WARM=${WARM:-20}; OUT=${OUT:-/tmp/datastores-profile}
shared=$root/../shared/bench
need_wrk
version=4.2
lib=$OUT/ap/linux-x64/libasyncProfiler.so
if [ ! -f "$lib" ]; then
  "$root/mvnw" -q dependency:get -Dartifact=tools.profiler:async-profiler:$version:jar:linux-x64
  mkdir -p "$OUT/ap" && (cd "$OUT/ap" && unzip -o -q "$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version-linux-x64.jar")
fi
build_service
rm -f "$OUT"/*.collapsed

start_service "$PORT"
make_tenant "$PORT" business
pid=${service_pids[-1]}
load_peer_records "$PORT" "$KEYS"
export WRK_DIR="$shared/wrk" VALUE_FILE="$shared/value-1k.json" KEYS SERVICE_PATH TOKEN
profile() { # operation
  wrk -t2 -c"$C" -d"${WARM}s" -s "$shared/wrk/service-$1.lua" "http://127.0.0.1:$PORT" >/dev/null
  java "$root/bench/java/Attach.java" "$pid" "$lib" start,event=cpu,interval=1ms
  wrk -t2 -c"$C" -d"${D}s" -s "$shared/wrk/service-$1.lua" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ {print "'"$1"'", int($2), "req/s while profiled"}'
  java "$root/bench/java/Attach.java" "$pid" "$lib" "stop,collapsed,file=$OUT/$1.collapsed"
}
profile put
profile get
for op in put get; do
  echo "== $op: share of CPU samples (inclusive)"
  awk '
    { n = $NF; $NF = ""; total += n
      for (part in pattern) if ($0 ~ pattern[part]) share[part] += n }
    BEGIN {
      pattern["HTTP server, Netty, Vert.x web"] = "io/netty|io/vertx/core/http|io/vertx/ext/web"
      pattern["Quarkus REST (routing, filters, writers)"] = "org/jboss/resteasy/reactive"
      pattern["auth (AuthFilter, key cache)"] = "dev/datastores/auth"
      pattern["rate limit"] = "RateLimit"
      pattern["quota (reserve, settle)"] = "dev/datastores/quota/Quota|SettleBatcher"
      pattern["Redis client"] = "io/vertx/redis"
      pattern["PostgreSQL client"] = "io/vertx/pgclient|io/vertx/sqlclient"
      pattern["record service and storage"] = "dev/datastores/record"
      pattern["JSON checks (codec)"] = "dev/datastores/codec/Json|RawJson"
      pattern["Brotli"] = "brotli"
      pattern["context propagation"] = "smallrye/context|io/smallrye/mutiny/context"
      pattern["metrics"] = "micrometer"
      pattern["GC"] = "GC|G1"
      pattern["JIT compiler"] = "C2Compiler|C1Compiler|CompileBroker"
      pattern["kernel (syscalls, network)"] = "_\\[k\\]"
    }
    END { for (part in share) printf "%5.1f %%  %s\n", 100 * share[part] / total, part | "sort -rn"; }
  ' "$OUT/$op.collapsed"
done
