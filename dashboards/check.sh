#!/usr/bin/env bash
# Checks the Grafana dashboard and the alert rules against a real Prometheus (Debian's package):
#   1. promtool check rules dashboards/sluice-alerts.yaml
#   2. starts the dev stack on free ports and a Prometheus scraping it every second
#   3. drives ~30 s of traffic (sentiment, analyze, chat; some bad input, tight deadlines and
#      undecodable records, so the error and dead-letter panels have data)
#   4. evaluates every dashboard target and every alert expression through /api/v1/query.
# Fails on any query error, and on a dashboard query with an empty result; an alert expression
# may be empty (= not firing). Not run by CI (about 2 minutes, and it installs a package).
# Usage: dashboards/check.sh            (from anywhere; TRAFFIC_SECONDS=30 to change the load)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
dashboard="$here/sluice.json"
rules="$here/sluice-alerts.yaml"
traffic_seconds="${TRAFFIC_SECONDS:-30}"

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null \
  || ! python3 -c 'import yaml' 2>/dev/null; then
  echo "check: installing Debian's prometheus (and python3-yaml)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq prometheus python3-yaml >/dev/null
fi

echo "== promtool check rules"
promtool check rules "$rules"

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Distinct ports below the ephemeral range (scripts/free-ports says why not bind(0)).
read -r kafka registry router bridge simulator metrics prom <<<"$("$repo/scripts/free-ports" 7 | tr '\n' ' ')"

echo "== dev stack (bridge :$bridge, router :$router, workers :$metrics)"
(cd "$repo" && ./sluice --version) >/dev/null # builds the jar first if needed (a few minutes)
(cd "$repo" && exec ./sluice dev --fresh --data-dir "$work/dev" --kafka-port "$kafka" \
  --registry-port "$registry" --router-port "$router" --bridge-port "$bridge" \
  --simulator-port "$simulator" --metrics-port "$metrics") >"$work/dev.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  if curl -fs "localhost:$bridge/readyz" >/dev/null 2>&1 && curl -fs "localhost:$router/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then cat "$work/dev.log" >&2; echo "check: the dev stack exited" >&2; exit 1; fi
  sleep 1
done
curl -fs "localhost:$bridge/readyz" >/dev/null || { tail -50 "$work/dev.log" >&2; echo "check: dev stack not ready" >&2; exit 1; }

echo "== prometheus :$prom"
cat >"$work/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$rules"]
scrape_configs:
  - job_name: sluice-router
    static_configs: [{targets: ["localhost:$router"]}]
  - job_name: sluice-devstack
    static_configs: [{targets: ["localhost:$metrics"]}]
  - job_name: sluice-bridge
    static_configs: [{targets: ["localhost:$bridge"]}]
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom" >"$work/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -fs "localhost:$prom/-/ready" >/dev/null 2>&1 && break; sleep 1; done
curl -fs "localhost:$prom/-/ready" >/dev/null || { cat "$work/prometheus.log" >&2; exit 1; }

echo "== traffic for ${traffic_seconds}s"
post() { curl -s -o /dev/null -H 'Content-Type: application/json' "localhost:$bridge$1" -d "$2" || true; }
loop() {
  local end=$((SECONDS + traffic_seconds))
  while [ $SECONDS -lt $end ]; do
    "$@"
  done
}
sentiment() {
  post /v1/apps/sentiment/infer '{"input":{"text":"I love it"}}'
  post /v1/apps/sentiment/infer '{"input":{}}' # invalid_input: a worker error and a dead letter
}
analyze() { post /v1/apps/analyze/infer '{"input":{"text":"I love it, and this text is long enough to be read"}}'; }
chat() {
  post /v1/chat/completions '{"model":"chat","messages":[{"role":"user","content":"Hello"}],"max_tokens":8}'
  post /v1/apps/chat/infer '{"input":{"text":"too late"},"timeout_ms":1}' # expired, 504
}
loop sentiment & t1=$!
loop analyze & t2=$!
loop chat & t3=$!
# Undecodable records on a request topic: the router's dead letters (sluice.dlq.router).
cat >"$work/Corrupt.java" <<'EOF'
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

public class Corrupt {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    p.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>("sluice.requests.sentiment", "not avro".getBytes())).get();
        Thread.sleep(2000);
      }
    }
  }
}
EOF
sleep $((traffic_seconds / 3))
java -cp "$(ls "$repo"/devstack/target/lib/kafka-clients-*.jar | head -1):$(ls "$repo"/devstack/target/lib/slf4j-api-*.jar | head -1)" \
  "$work/Corrupt.java" "localhost:$kafka" >"$work/corrupt.log" 2>&1 || { cat "$work/corrupt.log" >&2; exit 1; }
wait $t1 $t2 $t3
sleep 3 # the last scrape

echo "== queries"
python3 - "$dashboard" "$rules" "localhost:$prom" <<'PY'
import json, re, sys, urllib.parse, urllib.request, yaml

dashboard, rules, prom = sys.argv[1:]

def query(expr):
    url = f"http://{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        body = json.load(e)
    if body.get("status") != "success":
        return None, f"{body.get('errorType')}: {body.get('error')}"
    return len(body["data"]["result"]), None

def substitute(expr, variables):
    expr = expr.replace("$__rate_interval", "30s").replace("$__interval", "30s")
    expr = expr.replace("$__range", "30s")
    for v in sorted(variables, key=len, reverse=True):
        expr = re.sub(r"\$\{" + v + r"(:[a-z]+)?\}|\$" + v + r"\b", ".*", expr)
    return expr

d = json.load(open(dashboard))
variables = [v["name"] for v in d["templating"]["list"] if v["type"] != "datasource"]
failures, rows = [], []

def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))

for p in panels(d["panels"]):
    for t in p.get("targets", []):
        expr = substitute(t["expr"], variables)
        n, err = query(expr)
        rows.append((p["title"], t.get("refId", ""), "error" if err else str(n)))
        if err:
            failures.append(f"panel '{p['title']}' {t.get('refId')}: {err}\n    {expr}")
        elif n == 0:
            failures.append(f"panel '{p['title']}' {t.get('refId')}: empty result\n    {expr}")

for g in yaml.safe_load(open(rules))["groups"]:
    for r in g["rules"]:
        n, err = query(r["expr"])
        rows.append((f"alert {r['alert']}", "", "error" if err else f"{n} (0 = not firing)"))
        if err:
            failures.append(f"alert {r['alert']}: {err}")

w = max(len(r[0]) for r in rows)
print(f"{'panel / alert':<{w}}  ref  series")
for title, ref, n in rows:
    print(f"{title:<{w}}  {ref:<3}  {n}")
# Prometheus loaded the same file (rule_files): every rule's own evaluation must be healthy.
with urllib.request.urlopen(f"http://{prom}/api/v1/rules", timeout=30) as r:
    loaded = [x for g in json.load(r)["data"]["groups"] for x in g["rules"]]
expected = sum(len(g["rules"]) for g in yaml.safe_load(open(rules))["groups"])
if len(loaded) != expected:
    failures.append(f"prometheus loaded {len(loaded)} rules, the file has {expected}")
for x in loaded:
    if x.get("health") != "ok":
        failures.append(f"rule {x['name']} health {x.get('health')}: {x.get('lastError')}")

if failures:
    print("\nFAILED:", *failures, sep="\n  ")
    sys.exit(1)
print(f"\nOK: {sum(1 for r in rows if not r[0].startswith('alert '))} dashboard queries with data,"
      f" {sum(1 for r in rows if r[0].startswith('alert '))} alert expressions evaluate")
PY
