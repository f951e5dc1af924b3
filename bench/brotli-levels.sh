#!/usr/bin/env bash
# Brotli quality and window measured on the peer benchmark's 1 KiB JSON value, with the Brotli4j the
# service ships: compression ratio, encode and decode microseconds. How ValueCodec's setting was chosen.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$root/target/quarkus-app/lib/main" ] || (cd "$root" && ./mvnw -B -ntp -q package -DskipTests)
cp=$(ls "$root"/target/quarkus-app/lib/main/*brotli4j*.jar "$root"/target/quarkus-app/lib/main/*native-linux*.jar | tr '\n' ':')
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
javac -d "$out" -cp "$cp" "$root/bench/java/BrotliLevels.java"
java -cp "$cp:$out" BrotliLevels "${VALUE_FILE:-$root/../shared/bench/value-1k.json}"
