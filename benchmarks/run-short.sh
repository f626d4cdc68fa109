#!/usr/bin/env bash
# Short profile (< 5 minutes on 2 cores): the whole in-process JMH suite with -prof gc (1 fork,
# 2 x 1 s warm-up, 3 x 1 s measurement), then the HTTP end-to-end runs (12 alternating rounds of
# 0.5 s per stack, 6 s of overload per scenario). Results: target/results-short-*.md
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f benchmarks/target/benchmarks.jar || "${REBUILD:-0}" == 1 ]]; then
  mvn -o -B -q -pl benchmarks -am package -DskipTests
fi
JAR=benchmarks/target/benchmarks.jar
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uptime)"
java -cp "$JAR" dev.probekit.benchmarks.Suite --profile short \
  --markdown benchmarks/target/results-short-jmh.md
java -cp "$JAR" dev.probekit.benchmarks.http.HttpBench \
  --seconds 0.5 --rounds 12 --connections 4 --max-requests 1000000 \
  --overload-seconds 6 --workers 8 --slow-ms 200 --probe-interval-ms 10 \
  --markdown benchmarks/target/results-short-http.md
