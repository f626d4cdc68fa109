#!/usr/bin/env bash
# Reproducible builds: builds the published modules twice, from two copies of the sources in
# different directories, and fails unless every jar (main, sources, javadoc, test-jar) is
# byte-identical. Relies on project.build.outputTimestamp in the parent pom.xml. (The BOM's
# artifact is its pom.xml as written.)
# Usage: bash .ci/reproducible.sh  (two -DskipTests builds; nothing is installed into ~/.m2)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The published modules: every module of the parent whose pom does not set probekit.unpublished.
modules=()
for module in $(sed -n 's#.*<module>\(.*\)</module>.*#\1#p' pom.xml); do
  if ! grep -q '<probekit.unpublished>true</probekit.unpublished>' "$module/pom.xml"; then
    modules+=("$module")
  fi
done
list=$(IFS=,; echo "${modules[*]}")
echo "reproducible: building ${list} twice"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The two builds run side by side (the reactor's dependencies are already in ~/.m2 after
# `mvn -B verify`), which halves the wall time on a two-core machine.
build() {
  local run=$1
  mkdir -p "$work/$run"
  # Tracked and new (not ignored) files: what a clean clone of this tree would hold.
  git ls-files -z --cached --others --exclude-standard \
    | (cd "$root" && xargs -0 cp --parents -t "$work/$run" 2>/dev/null || true)
  # -am: the published modules' tests compile against test-support (never published, never
  # installed), which must therefore be built in the same reactor; only the published jars count.
  (cd "$work/$run" && mvn -B -q -pl "$list" -am -DskipTests package) > "$work/$run.log" 2>&1
  (cd "$work/$run" && for m in "${modules[@]}"; do
     if [ -d "$m/target" ]; then
       find "$m/target" -maxdepth 1 -name '*.jar' -print0 | xargs -0 -r sha256sum
     fi
   done | sort -k2) > "$work/$run.sha256"
}
build first & first=$!
build second & second=$!
status=0
wait "$first" || status=$?
wait "$second" || status=$?
if [ "$status" -ne 0 ]; then
  cat "$work/first.log" "$work/second.log" >&2
  echo "reproducible: a build failed" >&2
  exit 1
fi

count=$(wc -l < "$work/first.sha256")
# Each jar module makes a jar, a sources jar and a javadoc jar at least.
if [ "$count" -lt $(( 3 * (${#modules[@]} - 1) )) ]; then
  echo "reproducible: expected at least three jars per module, found $count" >&2
  exit 1
fi
if ! diff "$work/first.sha256" "$work/second.sha256"; then
  echo "reproducible: the two builds differ (see above)" >&2
  exit 1
fi
echo "reproducible: $count artifacts byte-identical across two builds"
sed 's/^/  /' "$work/first.sha256"
