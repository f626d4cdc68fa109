#!/usr/bin/env bash
# Probekit beside Spring Boot Actuator in one Spring Boot application, one command, one run:
# readiness req/s on an idle app, then probe latency with every Tomcat worker busy, on the main
# port, Actuator's management port and Probekit's probe port. About 1 minute on 2 cores.
# Result: benchmarks/target/results-spring.md
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl benchmarks -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/spring-bench.classpath -DskipTests
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uptime)"
java -cp "benchmarks/target/test-classes:benchmarks/target/classes:$(cat benchmarks/target/spring-bench.classpath)" \
  dev.probekit.benchmarks.http.SpringBench \
  --seconds "${SECONDS_PER_RUN:-3}" --overload-seconds "${OVERLOAD_SECONDS:-6}" --workers 8 --slow-ms 200 \
  --markdown benchmarks/target/results-spring.md
