#!/usr/bin/env bash
# What observability costs (issue 20): this build with tracing on, every kept span exported over OTLP/HTTP to a sink
# that drops them (bench/otlp-sink.py), against BASE_JAR with tracing off, on the peer benchmark's PUT and GET,
# rounds alternating (bench/ab.sh). SAMPLE sets the share of traces kept (1.0: all). BASE_JAR decides what is
# measured: a copy of this build (tracing alone), or this code built without metrics (tracing and metrics):
#   cp -r target/quarkus-app /tmp/this-app                       # BASE_JAR=/tmp/this-app/quarkus-run.jar
#   git archive HEAD | tar -x -C /tmp/nometrics && (cd /tmp/nometrics && ./mvnw -q package -DskipTests \
#     -Dquarkus.micrometer.export.prometheus.enabled=false -Dquarkus.micrometer.binder-enabled-default=false)
#   BASE_JAR=/tmp/nometrics/target/quarkus-app/quarkus-run.jar SAMPLE=0.05 ROUNDS=4 D=12 bench/observability.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BASE_JAR:?BASE_JAR must name the quarkus-run.jar to compare with (see above)}"
SINK_PORT=${SINK_PORT:-14318}
python3 bench/otlp-sink.py "$SINK_PORT" >/tmp/otlp-sink.out 2>&1 &
sink=$!
trap 'kill "$sink" 2>/dev/null; wait "$sink" 2>/dev/null; cat /tmp/otlp-sink.out' EXIT
THIS_ENV="QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$SINK_PORT QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
QUARKUS_OTEL_TRACES_SAMPLER_ARG=${SAMPLE:-1.0} ${THIS_ENV:-}" bench/ab.sh
