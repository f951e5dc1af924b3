#!/usr/bin/env bash
# What observability costs (issue 20): the build before it (BASE_JAR: no domain metrics, no OpenTelemetry) against
# this build with tracing on, every span exported over OTLP/HTTP to a sink that drops them (bench/otlp-sink.py), on
# the peer benchmark's PUT and GET, rounds alternating (bench/ab.sh). SAMPLE sets the share of traces kept (1.0: all).
#   git archive <ref before issue 20> | tar -x -C /tmp/base && (cd /tmp/base && ./mvnw -q package -DskipTests)
#   BASE_JAR=/tmp/base/target/quarkus-app/quarkus-run.jar ROUNDS=4 D=12 bench/observability.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BASE_JAR:?BASE_JAR must name the quarkus-run.jar of the build before observability}"
SINK_PORT=${SINK_PORT:-14318}
python3 bench/otlp-sink.py "$SINK_PORT" >/tmp/otlp-sink.out 2>&1 &
sink=$!
trap 'kill "$sink" 2>/dev/null; wait "$sink" 2>/dev/null; cat /tmp/otlp-sink.out' EXIT
THIS_ENV="QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$SINK_PORT QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
QUARKUS_OTEL_TRACES_SAMPLER_ARG=${SAMPLE:-1.0} ${THIS_ENV:-}" bench/ab.sh
