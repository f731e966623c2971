#!/usr/bin/env bash
# Builds the container image with Jib (no Docker engine), unpacks its layers into a root file
# system, and runs its entrypoint there under chroot as the image's non-root user:
#   1. `sluice --help` lists the subcommands;
#   2. `sluice worker --deployment NAME` starts against a dev broker on the host and its /readyz
#      says UP; then SIGTERM stops it cleanly (exit 0).
# CI runs it after the tests (.ci/run). Needs root (chroot, mounting /proc), java 17 with jmods,
# jq, curl, tar. Usage: image/verify.sh   (SLUICE_IMAGE_BASE=tar://... to skip local-base.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
work="$repo/image/target/verify"
base_tar="$repo/image/target/local-base.tar"
image_tar="$repo/devstack/target/sluice-image.tar"
rootfs="$work/rootfs"
t0=$SECONDS
dev_pid="" worker_pid="" proc_mounted=""

say() { printf '[verify %3ds] %s\n' "$((SECONDS - t0))" "$*"; }
fail() {
  say "FAILED: $*" >&2
  for log in "$work/dev.log" "$work/worker.log"; do
    [ -s "$log" ] && { echo "--- last lines of $log" >&2; tail -n 40 "$log" >&2; }
  done
  exit 1
}
stop() { # stop PID [SECONDS]: SIGTERM, SIGKILL after the grace period; sets stop_rc (or "killed")
  local pid="$1" grace="${2:-20}" i
  stop_rc=0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      stop_rc=killed
      return
    fi
  fi
  wait "$pid" 2>/dev/null || stop_rc=$?
}
cleanup() {
  [ -n "$worker_pid" ] && stop "$worker_pid" 5
  [ -n "$dev_pid" ] && stop "$dev_pid" 20
  [ -n "$proc_mounted" ] && umount "$rootfs/proc" 2>/dev/null
  true
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM

[ "$(id -u)" = 0 ] || fail "needs root (chroot and mount)"
for tool in jq curl tar chroot mount java python3; do
  command -v "$tool" >/dev/null || fail "missing tool: $tool"
done
mkdir -p "$work"

# 1. The base: the default (eclipse-temurin:17-jre) cannot be pulled here, so a local one.
base="${SLUICE_IMAGE_BASE:-}"
if [ -z "$base" ]; then
  if [ ! -s "$base_tar" ] || [ "$repo/image/local-base.sh" -nt "$base_tar" ]; then
    say "building the local base image (image/local-base.sh)"
    image/local-base.sh "$base_tar" || fail "image/local-base.sh failed"
  fi
  base="tar://$base_tar"
fi
t_base=$SECONDS

# 2. The image, with Jib: the devstack module's jar, its dependencies and the sluice entrypoint.
say "building the image with Jib on $base"
./mvnw -B -ntp -q -pl devstack -am package -DskipTests -DskipFormat=true \
  -Dsluice.image.skip=false "-Dsluice.image.base=$base" -Djib.disableUpdateChecks=true \
  >"$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log" >&2; fail "the image build failed (log: $work/build.log)"; }
[ -s "$image_tar" ] || fail "Jib wrote no $image_tar"
t_build=$SECONDS
say "image: $image_tar ($(du -h "$image_tar" | cut -f1))"

# 3. Unpack: the layers in the manifest's order into one root file system (whiteouts honoured).
rm -rf "$rootfs" "$work/image"
mkdir -p "$rootfs" "$work/image"
tar -C "$work/image" -xf "$image_tar"
manifest="$work/image/manifest.json"
[ -f "$manifest" ] || fail "no manifest.json in $image_tar"
config="$work/image/$(jq -r '.[0].Config' "$manifest")"
tag="$(jq -r '.[0].RepoTags[0]' "$manifest")"
n=0
while read -r layer; do
  tar -C "$rootfs" --numeric-owner --same-owner --warning=no-unknown-keyword -xf "$work/image/$layer"
  while IFS= read -r -d '' wh; do
    name="$(basename "$wh")"
    if [ "$name" = .wh..wh..opq ]; then rm -f "$wh"; else rm -rf "$(dirname "$wh")/${name#.wh.}" "$wh"; fi
  done < <(find "$rootfs" -name '.wh.*' -print0)
  n=$((n + 1))
done < <(jq -r '.[0].Layers[]' "$manifest")
user="$(jq -r '.config.User // ""' "$config")"
mapfile -t entrypoint < <(jq -r '.config.Entrypoint // [] | .[]' "$config")
mapfile -t cmd < <(jq -r '.config.Cmd // [] | .[]' "$config")
mapfile -t env < <(jq -r '.config.Env // [] | .[]' "$config")
say "unpacked $tag: $n layers, user '$user', entrypoint: ${entrypoint[*]}"
[ "${#entrypoint[@]}" -gt 0 ] || fail "the image has no entrypoint"
case "$user" in "" | 0 | 0:* | root | root:*) fail "the image runs as root (User '$user')" ;; esac
[[ "$user" =~ ^[0-9]+(:[0-9]+)?$ ]] || fail "User '$user' is not numeric (runAsNonRoot cannot check it)"
uid_gid="$user"; [[ "$uid_gid" == *:* ]] || uid_gid="$user:$user"
mkdir -p "$rootfs/proc"
mount -t proc proc "$rootfs/proc" || fail "cannot mount /proc in $rootfs"
proc_mounted=1
chroot_bin="$(command -v chroot)"
t_unpack=$SECONDS

# Runs the image's entrypoint with ARGS as a container runtime would: only the image's env, its
# user, its root file system (the host's network: the dev broker is on localhost). It execs, so
# call it in a subshell or in the background: $! is then the image's java process itself.
in_image() { exec env -i "${env[@]}" "$chroot_bin" --userspec="$uid_gid" --groups="${uid_gid#*:}" "$rootfs" "${entrypoint[@]}" "$@"; }

# 4. `sluice --help` (as `docker run IMAGE --help` would).
help="$(timeout 60 bash -c "$(declare -f in_image); $(declare -p env entrypoint uid_gid rootfs chroot_bin); in_image --help" 2>&1)" \
  || { echo "$help" >&2; fail "'--help' in the image failed"; }
for sub in dev apply status validate router routes bridge worker simulator; do
  grep -qE "^ +$sub( |$)" <<<"$help" || { echo "$help" >&2; fail "'--help' does not list '$sub'"; }
done
say "--help in the image lists every subcommand"

# The Dockerfile beside this script must build the same image: same user, same JVM flags.
docker_entry="$(sed -n 's/^ENTRYPOINT //p' image/Dockerfile)"
docker_flags="$(jq -r '.[1:] | map(select(startswith("-X") or startswith("-D"))) | join(" ")' <<<"$docker_entry")"
jib_flags="$(printf '%s\n' "${entrypoint[@]:1}" | grep -E '^-(X|D)' | paste -sd' ')"
[ "$docker_flags" = "$jib_flags" ] || fail "image/Dockerfile's JVM flags ($docker_flags) differ from Jib's ($jib_flags)"
grep -qx "USER $uid_gid" image/Dockerfile || fail "image/Dockerfile's USER is not $uid_gid"
t_help=$SECONDS

# 5. A dev broker and registry on the host, one CPU deployment with no replica of its own.
# Seven distinct ports below the ephemeral range (scripts/free-ports says why not bind(0)).
ports=($("$repo/scripts/free-ports" 7)) || fail "scripts/free-ports found no free ports"
kafka_port=${ports[0]} registry_port=${ports[1]} mgmt_port=${ports[2]}
cat >"$work/sluice.yaml" <<YAML
apiVersion: sluice.io/v1
deployments:
  image-check:
    function: sentiment
    batching: {maxBatchSize: 8, maxWaitMs: 5}
    scaling: {minReplicas: 0, maxReplicas: 1}
apps:
  image-check:
    route:
      variants:
        - {name: main, deployment: image-check}
YAML
rm -f "$work/dev.log" "$work/worker.log"
java -jar devstack/target/sluice.jar dev -f "$work/sluice.yaml" --fresh --data-dir "$work/dev-data" \
  --host 127.0.0.1 --kafka-port "$kafka_port" --registry-port "$registry_port" \
  --router-port "${ports[3]}" --bridge-port "${ports[4]}" --simulator-port "${ports[5]}" \
  --metrics-port "${ports[6]}" >"$work/dev.log" 2>&1 &
dev_pid=$!
# 6. The worker from the image, as the chart runs it (args: worker --deployment NAME -D k=v),
# started while the broker still starts (it retries), as in a cluster.
in_image worker --deployment image-check \
  -D sluice.worker.function=sentiment \
  -D "sluice.kafka.bootstrap-servers=127.0.0.1:$kafka_port" \
  -D "sluice.schema-registry.url=http://127.0.0.1:$registry_port" \
  -D "sluice.management.port=$mgmt_port" >"$work/worker.log" 2>&1 &
worker_pid=$!
for ((i = 0; i < 900; i++)); do
  grep -qs "Sluice dev stack is running" "$work/dev.log" && break
  kill -0 "$dev_pid" 2>/dev/null || fail "the dev stack exited during start-up"
  sleep 0.1
done
grep -qs "Sluice dev stack is running" "$work/dev.log" || fail "the dev stack did not start in 90 s"
say "dev stack up: Kafka 127.0.0.1:$kafka_port, registry :$registry_port"
t_dev=$SECONDS

ready=""
for ((i = 0; i < 600; i++)); do
  kill -0 "$worker_pid" 2>/dev/null || fail "the worker in the image exited during start-up"
  body="$(curl -s --max-time 2 "http://127.0.0.1:$mgmt_port/readyz" || true)"
  if [ "$(jq -r '.status // empty' <<<"$body" 2>/dev/null)" = UP ]; then ready="$body"; break; fi
  sleep 0.1
done
[ -n "$ready" ] || fail "the worker's /readyz was not UP in 60 s (last: ${body:-no answer})"
say "worker in the image is ready: $ready"
# Ready means its loop runs; that it really joined the deployment's consumer group on the broker
# is what `sluice status` (from the image too) shows.
members=""
for ((i = 0; i < 30; i++)); do
  status="$( (in_image status -D "sluice.kafka.bootstrap-servers=127.0.0.1:$kafka_port" \
    -D "sluice.schema-registry.url=http://127.0.0.1:$registry_port") 2>&1 || true)"
  members="$(awk '/^DEPLOYMENTS/ {d = 1} d && $1 == "image-check" && $4 + 0 >= 1 {print $4}' <<<"$status")"
  [ -n "$members" ] && break
  sleep 1
done
echo "$status" >"$work/status.log"
[ -n "$members" ] || { echo "$status" >&2; fail "'sluice status' shows no member in the deployment's group"; }
say "sluice status (from the image): deployment image-check has $members member(s)"
owner="$(stat -c %u "/proc/$worker_pid")"
[ "$owner" = "${uid_gid%%:*}" ] || fail "the worker runs as uid $owner, not ${uid_gid%%:*}"
t_worker=$SECONDS

# 7. SIGTERM: the worker drains and exits 0 (it handles SIGTERM itself: GracefulShutdown.onSignals;
# 143 would be the JVM's own code for a signal it died of), then the dev stack stops.
stop "$worker_pid" 40; worker_pid=""
worker_rc="$stop_rc"
[ "$stop_rc" = 0 ] || fail "the worker did not stop cleanly on SIGTERM (exit $stop_rc, want 0)"
grep -q "worker: stopped in" "$work/worker.log" || fail "the worker exited without its graceful stop"
stop "$dev_pid" 30; dev_pid=""
[ "$stop_rc" = killed ] && say "warning: the dev stack needed SIGKILL"
umount "$rootfs/proc" && proc_mounted=""
say "worker stopped gracefully on SIGTERM (exit $worker_rc)"
say "timings: base $((t_base - t0)) s, build $((t_build - t_base)) s, unpack $((t_unpack - t_build)) s," \
  "help $((t_help - t_unpack)) s, dev stack $((t_dev - t_help)) s, worker ready $((t_worker - t_dev)) s," \
  "stop $((SECONDS - t_worker)) s; total $((SECONDS - t0)) s"
echo "image verify: 1 passed, 0 failed"
