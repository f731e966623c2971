#!/usr/bin/env bash
# Runs every Sluice benchmark and writes one report: load-tests/target/bench/report.json and a
# self-contained report.html, and regenerates the README tables marked <!-- bench:NAME:start -->.
#
#   load-tests/bench.sh            # full run (about 15-20 min on 2 cores)
#   load-tests/bench.sh --quick    # smaller rounds (about 6 min), same report
#   options: --out DIR  --no-readme  --offline
#            --only router,bridge,pipeline,simulator,whole-path,inflight
#
# Builds with `mvnw compile` (never install) and runs each benchmark in its own JVM, one after the
# other. Every benchmark interleaves its baseline and its subject round by round and reports the
# median of the per-round ratios; each round records the 1-minute load average, and the report
# marks figures measured with a load average above the core count.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/target/bench"
quick=0
readme=1
mvn_flags=(-q -B)
all="router,bridge,pipeline,simulator,whole-path,inflight"
only="$all"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --out) out="$2"; shift ;;
    --no-readme) readme=0 ;;
    --offline) mvn_flags+=(-o) ;;
    --only) only="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

cd "$root"
mkdir -p "$out/results" "$out/logs"
# --only re-runs some benchmarks and keeps the others' results of the last run in the report.
for name in ${only//,/ }; do rm -f "$out/results/$name.json" "$out/results/$name.loadavg"; done
rm -f "$out/results/loadavg.txt" # one file for all runs, before 2026-12-03
cp_file="$out/classpath.txt"
echo "building load-tests and what it needs (mvnw compile)..."
./mvnw "${mvn_flags[@]}" -pl load-tests -am compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dspotless.check.skip=true >"$out/logs/build.log" 2>&1 \
  || { tail -40 "$out/logs/build.log"; exit 1; }
cp="$here/target/classes:$(cat "$cp_file")"

sampler=""
trap '[[ -z $sampler ]] || kill "$sampler" 2>/dev/null || true' EXIT

if [[ $quick == 1 ]]; then
  router_args=(60000 8 3 5 10)
  bridge_args=(--warmup 300 --requests 500 --seconds 3 --rounds 3 --warmup-cap 20)
  pipeline_args=(100 4 3 0)
  simulator_args=(3 16 1)
  whole_path_args=(--warmup 300 --requests 500 --seconds 3 --rounds 3 --warmup-cap 20)
  inflight_args=(--calls 10000 --delay-ms 2000 --ramp-seconds 5 --rounds 1 --warmup 300)
else
  router_args=(200000 8 5 15)
  bridge_args=(--warmup 1000 --requests 2000 --seconds 6 --rounds 5)
  pipeline_args=(100,300 8 6 0)
  simulator_args=(6 16 2)
  whole_path_args=(--warmup 1000 --requests 2000 --seconds 6 --rounds 5)
  inflight_args=(--calls 10000 --delay-ms 3000 --ramp-seconds 5 --rounds 3 --warmup 1000)
fi

run() {
  local name="$1" main="$2"; shift 2
  if [[ ",$only," != *",$name,"* ]]; then return 0; fi
  echo "$(date -u +%T) $name ($main $*), load $(cut -d' ' -f1 /proc/loadavg)"
  # The load average every 5 s while this benchmark runs, next to its result (the report gives
  # each benchmark's range and the range over the results it holds).
  ( while true; do echo "$(date -u +%FT%TZ) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 5; done ) \
    >"$out/results/$name.loadavg" &
  sampler=$!
  local rc=0
  java -Xmx1g -Dbench.out="$out/results/$name.json" -cp "$cp" "$main" "$@" \
    >"$out/logs/$name.log" 2>&1 || rc=$?
  kill "$sampler" 2>/dev/null || true
  sampler=""
  if [[ $rc != 0 ]]; then echo "  $name failed:"; tail -20 "$out/logs/$name.log"; return 1; fi
  grep '^goal ' "$out/logs/$name.log" | sed 's/^/  /' || true
}

status=0
run router io.sluice.loadtest.router.RouterBenchmark "${router_args[@]}" || status=1
run bridge io.sluice.loadtest.bridge.BridgeOverheadBenchmark "${bridge_args[@]}" || status=1
run pipeline io.sluice.loadtest.router.PipelineBenchmark "${pipeline_args[@]}" || status=1
run simulator io.sluice.loadtest.simulator.SimulatorBatchingBenchmark "${simulator_args[@]}" || status=1
run whole-path io.sluice.loadtest.bridge.WholePathBenchmark "${whole_path_args[@]}" || status=1
# The bridge runs in a child JVM of its own (-Xmx1g) so that the heap measured is the bridge's.
run inflight io.sluice.loadtest.bridge.InFlightBenchmark "${inflight_args[@]}" || status=1

readmes=()
if [[ $readme == 1 ]]; then
  readmes=("$root/load-tests/README.md" "$root/stream-router/README.md" "$root/bridge/README.md")
fi
# A partial run (--only) regenerates the tables of what it ran and leaves the others (and the
# "all" table) as they were unless every benchmark has a result in the results directory.
java -Dbench.all="$all" -cp "$cp" io.sluice.loadtest.bench.BenchReport "$out/results" "$out" "${readmes[@]}"
echo "report: $out/report.html ($out/report.json); logs in $out/logs"
exit $status
