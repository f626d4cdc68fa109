#!/usr/bin/env bash
# Full profile (about 15-20 minutes on 2 cores): the in-process JMH suite with -prof gc (2 forks,
# 5 x 1 s warm-up, 10 x 1 s measurement), then the HTTP end-to-end runs (30 alternating rounds of
# 2 s per stack, 60 s of overload). Results: target/results-full-*.md
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f benchmarks/target/benchmarks.jar || "${REBUILD:-0}" == 1 ]]; then
  mvn -o -B -q -pl benchmarks -am package -DskipTests
fi
JAR=benchmarks/target/benchmarks.jar
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uptime)"
java -cp "$JAR" dev.probekit.benchmarks.Suite --profile full \
  --markdown benchmarks/target/results-full-jmh.md
java -cp "$JAR" dev.probekit.benchmarks.http.HttpBench \
  --seconds 2 --rounds 30 --connections 8 --max-requests 20000000 \
  --overload-seconds 60 --workers 16 --slow-ms 200 --probe-interval-ms 10 \
  --markdown benchmarks/target/results-full-http.md
