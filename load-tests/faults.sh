#!/usr/bin/env bash
# The fault suite: load-tests/faults.sh [--rate 30] [--kills worker,router,bridge] ...   (see README.md)
# Builds the reactor modules it needs (package, never install: the classpath points at this
# checkout's own jars, not at ~/.m2), then runs io.sluice.loadtest.faults.FaultsCommand. It starts
# a broker, the schema registry and the vLLM simulator in its own JVM, and routers, workers and
# bridges as separate JVMs (the main classes of `sluice router`, `sluice worker`, `sluice bridge`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cp_file="$here/target/faults-classpath.txt"
if [ ! -f "$cp_file" ] || [ -n "$(find "$root" -path '*/src/main/*' -newer "$cp_file" -type f -print -quit 2>/dev/null)" ]; then
  echo "faults: building load-tests and the modules it runs (first run, or sources changed) ..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests -DskipFormat=true -pl load-tests -am package \
     dependency:build-classpath -Dmdep.outputFile="$cp_file" && touch "$cp_file") >&2
fi
cd "$root"
exec java ${SLUICE_JAVA_OPTS:--Xmx1g} -cp "$here/target/classes:$(cat "$cp_file")" \
  io.sluice.loadtest.faults.FaultsCommand "$@"
