#!/usr/bin/env bash
# This build against another (BASE_JAR) on the peer benchmark's PUT and GET (1 KiB JSON, 10,000 keys, C
# connections, D seconds each), each service on its own database, rounds alternating which build runs first
# so machine noise falls on both. Prints each run, and per operation the medians and the ratio this/base.
#   git archive <ref> | tar -x -C /tmp/base && (cd /tmp/base && ./mvnw -q package -DskipTests)
#   BASE_JAR=/tmp/base/target/quarkus-app/quarkus-run.jar bench/ab.sh
# BASE_ENV / THIS_ENV add settings to one side (space-separated KEY=VALUE), to compare a setting on one build:
#   BASE_JAR=target/quarkus-app/quarkus-run.jar THIS_ENV=QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE=2 bench/ab.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${BASE_JAR:?BASE_JAR must name the quarkus-run.jar of the build to compare with}"
C=${C:-32}; D=${D:-8}; ROUNDS=${ROUNDS:-6}; WARM=${WARM:-15}
# Ports and databases of the two services; AB_PREFIX keeps two runs on one machine apart (AB_PREFIX=obs_).
P=${AB_PREFIX:-}; BASE_PORT=${BASE_PORT:-18193}; THIS_PORT=${THIS_PORT:-18194}
shared=$root/../shared/bench
export WRK_DIR=$shared/wrk VALUE_FILE=$shared/value-1k.json KEYS=${KEYS:-10000}
need_wrk
build_service
for db in ${P}bench_base ${P}bench_this; do
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
SERVICE_JAR=$BASE_JAR start_service $BASE_PORT ${BASE_ENV:-} \
  QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/${P}bench_base QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/${P}bench_base
start_service $THIS_PORT ${THIS_ENV:-} \
  QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:5432/${P}bench_this QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/${P}bench_this

prepare_tenants $BASE_PORT $THIS_PORT
ab_rounds "$THIS_PORT this" "$BASE_PORT base"
