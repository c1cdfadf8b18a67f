#!/usr/bin/env bash
# One node against three behind the same HAProxy: `foyer bench fanout` and `foyer bench register` through the
# balancer, with 1 and then 3 nodes started by scripts/cluster.sh, alternating, ROUNDS times; prints each bench's
# table and the figures side by side. See docs/benchmarks.md, "One node and three behind HAProxy".
#
#   scripts/bench-scaling.sh                 defaults below
#   ROUNDS=1 FANOUT_CLIENTS=300 scripts/bench-scaling.sh   a short run
#
# Settings (defaults in brackets): ROUNDS [2], FANOUT_CLIENTS [3000], FANOUT_RATE [5], FANOUT_DURATION [20],
# REGISTER_RATE [3000], REGISTER_DURATION [20], REGISTER_WARMUP [30], REGISTER_CONCURRENCY [600],
# SCALING_RUN_DIR [target/bench-scaling], and every setting of scripts/cluster.sh (its ports, FOYER_PG_URL, ...).
# HAProxy's maxconn (9000) bounds the fan-out's clients: each takes two descriptors in HAProxy.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="${FOYER_JAR:-$ROOT/target/foyer.jar}"
ROUNDS="${ROUNDS:-2}"
FANOUT_CLIENTS="${FANOUT_CLIENTS:-3000}"
FANOUT_RATE="${FANOUT_RATE:-5}"
FANOUT_DURATION="${FANOUT_DURATION:-20}"
REGISTER_RATE="${REGISTER_RATE:-3000}"
REGISTER_DURATION="${REGISTER_DURATION:-20}"
REGISTER_WARMUP="${REGISTER_WARMUP:-30}"
REGISTER_CONCURRENCY="${REGISTER_CONCURRENCY:-600}"
OUT="${SCALING_RUN_DIR:-$ROOT/target/bench-scaling}"
export CLUSTER_RUN_DIR="${CLUSTER_RUN_DIR:-$OUT/cluster}"
LB="http://127.0.0.1:${CLUSTER_LB_PORT:-18080}"

[[ -f "$JAR" ]] || { echo "bench-scaling: $JAR is missing; run mvn -DskipTests package" >&2; exit 1; }
mkdir -p "$OUT"
trap '"$ROOT/scripts/cluster.sh" down >/dev/null 2>&1 || true' EXIT

run_round() { # round, nodes
  local round="$1" nodes="$2" tag="r$1-n$2" key
  CLUSTER_NODES="$nodes" "$ROOT/scripts/cluster.sh" up > "$OUT/$tag-up.log"
  # the organizer key the cluster was started with: FOYER_AUTH_API_KEYS=name:key:scope
  key="$(grep '^FOYER_AUTH_API_KEYS=' "$CLUSTER_RUN_DIR/secrets.env" | cut -d= -f2- | cut -d: -f2)"
  echo "== round $round, $nodes node(s) behind HAProxy ($LB)"
  java -jar "$JAR" bench fanout --url "$LB" --api-key "$key" --clients "$FANOUT_CLIENTS" --rate "$FANOUT_RATE" \
    --duration "$FANOUT_DURATION" | tee "$OUT/$tag-fanout.txt"
  java -jar "$JAR" bench register --url "$LB" --api-key "$key" --rate "$REGISTER_RATE" \
    --duration "$REGISTER_DURATION" --warmup "$REGISTER_WARMUP" --concurrency "$REGISTER_CONCURRENCY" \
    | tee "$OUT/$tag-register.txt"
  CLUSTER_NODES="$nodes" "$ROOT/scripts/cluster.sh" down > "$OUT/$tag-down.log"
}

for ((round = 1; round <= ROUNDS; round++)); do
  run_round "$round" 1
  run_round "$round" 3
done

echo
echo "Summary (fan-out: time-to-all p50, p99, max ms; register: the run line of its table), tables in $OUT:"
for file in "$OUT"/r*-fanout.txt; do
  printf '%-22s %s\n' "$(basename "$file" .txt)" "$(grep '^foyer (' "$file" | awk '{print $4, $5, $6}')"
done
for file in "$OUT"/r*-register.txt; do
  printf '%-22s %s\n' "$(basename "$file" .txt)" "$(grep '^foyer (' "$file" | head -1)"
done
