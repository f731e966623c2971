#!/usr/bin/env bash
# Runs the Sluice load generator: load-tests/load.sh --scenario standard   (see README.md)
# Builds load-tests and the modules it needs the first time (and when a source is newer than the
# classpath file), then runs io.sluice.loadtest.cli.LoadMain with the remaining arguments.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cp_file="$here/target/classpath.txt"
if [ ! -f "$cp_file" ] || [ -n "$(find "$root" -path '*/src/main/*' -newer "$cp_file" -type f -print -quit 2>/dev/null)" ]; then
  echo "load: building load-tests (first run, or sources changed) ..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests -DskipFormat=true -pl load-tests -am install \
     && ./mvnw -q -B -pl load-tests dependency:build-classpath -Dmdep.outputFile="$cp_file" && touch "$cp_file") >&2
fi
exec java ${SLUICE_JAVA_OPTS:-} -cp "$here/target/classes:$(cat "$cp_file")" io.sluice.loadtest.cli.LoadMain "$@"
