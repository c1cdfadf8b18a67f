#!/usr/bin/env bash
# A three-node Foyer cluster on this machine, behind HAProxy: the way operators and the tests
# (ClusterFailoverIT) start, stop, kill and roll it. See docs/operations.md, "A three-node cluster on one machine".
#
#   scripts/cluster.sh up                 start HAProxy and the nodes; wait until all are ready behind it
#   scripts/cluster.sh down               SIGTERM every node and wait, then stop HAProxy
#   scripts/cluster.sh status             each node's pid and /health/ready, HAProxy's view of each server
#   scripts/cluster.sh kill <n>           SIGKILL node n (a crash)
#   scripts/cluster.sh start <n>          start node n, wait until it is ready and UP in HAProxy
#   scripts/cluster.sh restart <n>        rolling restart of node n: drain, SIGTERM, wait, start, wait, ready
#
# Everything is set by environment variables (defaults in brackets):
#   FOYER_JAR [target/foyer.jar]        CLUSTER_RUN_DIR [target/cluster]: pid files, logs, haproxy.cfg, secrets
#   CLUSTER_NODES [3]                   CLUSTER_HOST [127.0.0.1]
#   CLUSTER_HTTP_PORTS [8081 8082 8083] CLUSTER_HZ_PORTS [5701 5702 5703] CLUSTER_BUS_PORTS [5801 5802 5803]
#   CLUSTER_REGIONS [local local local] CLUSTER_LB_PORT [18080] CLUSTER_STATS_PORT [18404]
#   CLUSTER_MAXCONN [9000]              CLUSTER_READY_TIMEOUT [120] seconds   CLUSTER_STOP_TIMEOUT [60] seconds
#   CLUSTER_DRAIN_SECONDS [1]: wait after draining a node before SIGTERM (in-flight HTTP requests)
#   JAVA [java]  JAVA_OPTS [-Xmx384m]
#   FOYER_PG_URL [postgresql://postgres@127.0.0.1:5432/foyer_cluster]: created if missing (psql, createdb)
#   FOYER_REDIS_URL [redis://127.0.0.1:6379]  FOYER_LIVE_KEY_PREFIX [foyer-cluster:]
#   FOYER_AUTH_API_KEYS, FOYER_AUTH_TOKEN_SECRET, FOYER_CLUSTER_SECRET: generated once into
#     $CLUSTER_RUN_DIR/secrets.env (mode 600) when not set, and reused by later commands
#   FOYER_GATEWAY_RECONNECT_JITTER_SECONDS [1]  FOYER_LOBBY_JOINS_PER_ADDRESS_PER_MINUTE [0] (behind a proxy every
#     client has the proxy's address)
# Any other FOYER_* variable is passed to every node as it is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FOYER_JAR="${FOYER_JAR:-$ROOT/target/foyer.jar}"
RUN="${CLUSTER_RUN_DIR:-$ROOT/target/cluster}"
# absolute, for HAProxy's socket path (a relative one reads as host:port)
RUN="$(mkdir -p "$RUN" && cd "$RUN" && pwd)"
NODES="${CLUSTER_NODES:-3}"
HOST="${CLUSTER_HOST:-127.0.0.1}"
read -r -a HTTP_PORTS <<< "${CLUSTER_HTTP_PORTS:-8081 8082 8083}"
read -r -a HZ_PORTS <<< "${CLUSTER_HZ_PORTS:-5701 5702 5703}"
read -r -a BUS_PORTS <<< "${CLUSTER_BUS_PORTS:-5801 5802 5803}"
read -r -a REGIONS <<< "${CLUSTER_REGIONS:-local local local}"
LB_PORT="${CLUSTER_LB_PORT:-18080}"
STATS_PORT="${CLUSTER_STATS_PORT:-18404}"
MAXCONN="${CLUSTER_MAXCONN:-9000}"
READY_TIMEOUT="${CLUSTER_READY_TIMEOUT:-120}"
STOP_TIMEOUT="${CLUSTER_STOP_TIMEOUT:-60}"
DRAIN_SECONDS="${CLUSTER_DRAIN_SECONDS:-1}"
JAVA="${JAVA:-java}"
JAVA_OPTS="${JAVA_OPTS:--Xmx384m}"
export FOYER_PG_URL="${FOYER_PG_URL:-postgresql://postgres@127.0.0.1:5432/foyer_cluster}"
export FOYER_REDIS_URL="${FOYER_REDIS_URL:-redis://127.0.0.1:6379}"
export FOYER_LIVE_KEY_PREFIX="${FOYER_LIVE_KEY_PREFIX:-foyer-cluster:}"
export FOYER_GATEWAY_RECONNECT_JITTER_SECONDS="${FOYER_GATEWAY_RECONNECT_JITTER_SECONDS:-1}"
export FOYER_LOBBY_JOINS_PER_ADDRESS_PER_MINUTE="${FOYER_LOBBY_JOINS_PER_ADDRESS_PER_MINUTE:-0}"
SOCK="$RUN/haproxy.sock"
BACKEND=foyer_nodes

log() { printf '%s cluster: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

check_node_arg() {
  if ! [[ "${1:-}" =~ ^[0-9]+$ ]] || (( $1 < 1 || $1 > NODES )); then
    die "node must be a number from 1 to $NODES, not '${1:-}'"
  fi
}

pid_of() { # the pid in a pid file when that process is still alive
  local file="$RUN/$1.pid" pid
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
}

http_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true; }

haproxy_cmd() { # one command on HAProxy's runtime API (UNIX-CONNECT: a bare path would make socat create a file)
  [[ -S "$SOCK" ]] || return 1
  printf '%s\n' "$1" | socat -t 2 stdio "UNIX-CONNECT:$SOCK"
}

server_status() { # HAProxy's status of node n (UP, DOWN, DRAIN, MAINT, ...), from `show stat`
  haproxy_cmd "show stat" 2>/dev/null | awk -F, -v s="n$1" -v b="$BACKEND" '$1==b && $2==s {print $18}'
}

ensure_tools() {
  local missing=()
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v socat >/dev/null || missing+=(socat)
  command -v curl >/dev/null || missing+=(curl)
  if (( ${#missing[@]} )); then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      log "installing ${missing[*]} with apt-get"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      die "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"
    fi
  fi
  command -v "$JAVA" >/dev/null || die "no java ($JAVA) on the PATH"
  [[ -f "$FOYER_JAR" ]] || die "no $FOYER_JAR: build it first (mvn -DskipTests package)"
}

ensure_database() { # creates the database of FOYER_PG_URL when psql can reach its server and it is missing
  command -v psql >/dev/null || return 0
  local url="${FOYER_PG_URL%%\?*}" db server
  db="${url##*/}"
  server="${url%/*}"
  [[ "$db" =~ ^[A-Za-z0-9_]+$ ]] || return 0
  if ! psql "$server/postgres" -tAc "SELECT 1" >/dev/null 2>&1; then
    log "cannot reach PostgreSQL at ${server##*@} with psql; not checking for database $db"
    return 0
  fi
  if [[ "$(psql "$server/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]]; then
    log "creating database $db"
    if command -v createdb >/dev/null; then
      createdb -d "$server/postgres" "$db" 2>/dev/null || psql "$server/postgres" -qc "CREATE DATABASE $db"
    else
      psql "$server/postgres" -qc "CREATE DATABASE $db"
    fi
  fi
}

load_secrets() { # the same keys for every node, and across commands: kept in the run directory
  mkdir -p "$RUN"
  local file="$RUN/secrets.env"
  if [[ ! -f "$file" ]]; then
    (
      umask 077
      {
        printf 'FOYER_AUTH_API_KEYS=%q\n' "${FOYER_AUTH_API_KEYS:-ops:$(openssl rand -hex 16):*}"
        printf 'FOYER_AUTH_TOKEN_SECRET=%q\n' "${FOYER_AUTH_TOKEN_SECRET:-$(openssl rand -hex 32)}"
        printf 'FOYER_CLUSTER_SECRET=%q\n' "${FOYER_CLUSTER_SECRET:-$(openssl rand -hex 24)}"
      } > "$file"
    )
  fi
  # variables set by the caller win over the file
  local keys="${FOYER_AUTH_API_KEYS:-}" token="${FOYER_AUTH_TOKEN_SECRET:-}" secret="${FOYER_CLUSTER_SECRET:-}"
  # shellcheck disable=SC1090
  source "$file"
  export FOYER_AUTH_API_KEYS="${keys:-$FOYER_AUTH_API_KEYS}"
  export FOYER_AUTH_TOKEN_SECRET="${token:-$FOYER_AUTH_TOKEN_SECRET}"
  export FOYER_CLUSTER_SECRET="${secret:-$FOYER_CLUSTER_SECRET}"
}

members() {
  local i list=()
  for (( i = 0; i < NODES; i++ )); do list+=("$HOST:${HZ_PORTS[i]}"); done
  (IFS=,; printf '%s\n' "${list[*]}")
}

start_node() { # starts node n in the background; its log is $RUN/n<n>.log
  local n="$1" i=$(( $1 - 1 )) pid
  if pid="$(pid_of "n$n")"; then
    die "node n$n is already running (pid $pid)"
  fi
  mkdir -p "$RUN/n$n"
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  FOYER_CLUSTER_ENABLED=true FOYER_CLUSTER_MEMBERS="$(members)" FOYER_CLUSTER_HOST="$HOST" \
    FOYER_CLUSTER_PORT="${HZ_PORTS[i]}" FOYER_CLUSTER_BUS_PORT="${BUS_PORTS[i]}" \
    FOYER_HTTP_HOST="$HOST" FOYER_HTTP_PORT="${HTTP_PORTS[i]}" FOYER_NODE_ID="n$n" \
    FOYER_NODE_REGION="${REGIONS[i]:-local}" FOYER_DATA_DIR="$RUN/n$n/data" \
    setsid "$JAVA" $JAVA_OPTS -jar "$FOYER_JAR" run < /dev/null >> "$RUN/n$n.log" 2>&1 &
  echo $! > "$RUN/n$n.pid"
  log "started n$n (pid $!, http $HOST:${HTTP_PORTS[i]}, log $RUN/n$n.log)"
}

wait_ready() { # until node n answers 200 on /health/ready; fails if it exits first
  local n="$1" url="http://$HOST:${HTTP_PORTS[$(( $1 - 1 ))]}/health/ready" deadline=$(( SECONDS + READY_TIMEOUT ))
  until [[ "$(http_code "$url")" == 200 ]]; do
    pid_of "n$n" >/dev/null || { tail -n 20 "$RUN/n$n.log" >&2; die "node n$n exited before it was ready (log: $RUN/n$n.log)"; }
    (( SECONDS < deadline )) || die "node n$n not ready within ${READY_TIMEOUT}s (log: $RUN/n$n.log)"
    sleep 0.5
  done
}

wait_up_in_haproxy() { # until HAProxy has node n UP (two good checks after ready)
  local n="$1" deadline=$(( SECONDS + 30 ))
  until [[ "$(server_status "$n")" == UP ]]; do
    (( SECONDS < deadline )) || die "HAProxy does not have n$n UP within 30s (state: $(server_status "$n"))"
    sleep 0.5
  done
}

set_state() { # ready | drain | maint for node n in HAProxy
  local out
  out="$(haproxy_cmd "set server $BACKEND/n$1 state $2")" || die "HAProxy's runtime API ($SOCK) does not answer"
  [[ -z "$out" ]] || die "HAProxy: $out"
}

stop_pid() { # SIGTERM (or the given signal), then wait up to STOP_TIMEOUT seconds; SIGKILL after that
  local name="$1" pid="$2" signal="${3:-TERM}" deadline=$(( SECONDS + STOP_TIMEOUT ))
  kill "-$signal" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS >= deadline )); then
      log "$name (pid $pid) still running ${STOP_TIMEOUT}s after SIG$signal: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$(( SECONDS + 10 ))
    fi
    sleep 0.2
  done
  rm -f "$RUN/$name.pid"
}

write_haproxy_cfg() {
  local i servers=""
  for (( i = 1; i <= NODES; i++ )); do
    servers+="    server n$i $HOST:${HTTP_PORTS[i - 1]} check"$'\n'
  done
  awk -v servers="${servers%$'\n'}" -v sock="$SOCK" -v bind="$HOST" -v lb="$LB_PORT" -v stats="$STATS_PORT" \
      -v maxconn="$MAXCONN" '
    $0 == "@SERVERS@" { print servers; next }
    { gsub(/@SOCKET@/, sock); gsub(/@BIND@/, bind); gsub(/@LB_PORT@/, lb); gsub(/@STATS_PORT@/, stats);
      gsub(/@MAXCONN@/, maxconn); print }' "$ROOT/scripts/haproxy.cfg" > "$RUN/haproxy.cfg"
  haproxy -c -q -f "$RUN/haproxy.cfg" >&2 || die "invalid HAProxy configuration $RUN/haproxy.cfg"
}

cmd_up() {
  (( ${#HTTP_PORTS[@]} >= NODES && ${#HZ_PORTS[@]} >= NODES && ${#BUS_PORTS[@]} >= NODES )) \
    || die "CLUSTER_HTTP_PORTS, CLUSTER_HZ_PORTS and CLUSTER_BUS_PORTS need $NODES ports each"
  local i pid
  for name in haproxy $(seq -f 'n%g' 1 "$NODES"); do
    if pid="$(pid_of "$name")"; then die "$name is already running (pid $pid): cluster.sh status, or down first"; fi
  done
  ensure_tools
  ensure_database
  load_secrets
  mkdir -p "$RUN"
  trap 'log "up failed: stopping what it started"; cmd_down' ERR EXIT
  write_haproxy_cfg
  rm -f "$SOCK"
  setsid haproxy -db -f "$RUN/haproxy.cfg" < /dev/null >> "$RUN/haproxy.log" 2>&1 &
  echo $! > "$RUN/haproxy.pid"
  log "started HAProxy (pid $!, log $RUN/haproxy.log)"
  for (( i = 1; i <= NODES; i++ )); do start_node "$i"; done
  for (( i = 1; i <= NODES; i++ )); do wait_ready "$i"; log "n$i ready"; done
  for (( i = 1; i <= NODES; i++ )); do wait_up_in_haproxy "$i"; done
  trap - ERR EXIT
  log "all $NODES nodes ready behind HAProxy"
  printf 'balancer:  http://%s:%s   (WebSocket ws://%s:%s/ws)\n' "$HOST" "$LB_PORT" "$HOST" "$LB_PORT"
  printf 'stats:     http://%s:%s/stats   runtime API: %s\n' "$HOST" "$STATS_PORT" "$SOCK"
  for (( i = 1; i <= NODES; i++ )); do
    printf 'node n%s:   http://%s:%s   (pid %s)\n' "$i" "$HOST" "${HTTP_PORTS[i - 1]}" "$(pid_of "n$i")"
  done
  printf 'API keys:  %s/secrets.env\n' "$RUN"
}

cmd_down() {
  trap - ERR EXIT
  local i pid
  for (( i = 1; i <= NODES; i++ )); do
    if pid="$(pid_of "n$i")"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for (( i = 1; i <= NODES; i++ )); do
    if pid="$(pid_of "n$i")"; then stop_pid "n$i" "$pid"; log "n$i stopped"; fi
    rm -f "$RUN/n$i.pid"
  done
  if pid="$(pid_of haproxy)"; then stop_pid haproxy "$pid"; log "HAProxy stopped"; fi
  rm -f "$RUN/haproxy.pid" "$SOCK"
}

cmd_status() {
  local i pid code state running=0
  printf '%-8s %-8s %-7s %-8s %s\n' NODE PID READY HAPROXY URL
  for (( i = 1; i <= NODES; i++ )); do
    if pid="$(pid_of "n$i")"; then running=$(( running + 1 )); else pid=-; fi
    code="$(http_code "http://$HOST:${HTTP_PORTS[i - 1]}/health/ready")"
    state="$(server_status "$i")" || true
    printf '%-8s %-8s %-7s %-8s %s\n' "n$i" "$pid" "${code:-000}" "${state:--}" "http://$HOST:${HTTP_PORTS[i - 1]}"
  done
  if pid="$(pid_of haproxy)"; then
    printf '\nHAProxy pid %s on http://%s:%s; its servers (show stat: status, open sessions, last check):\n' \
      "$pid" "$HOST" "$LB_PORT"
    haproxy_cmd "show stat" | awk -F, -v b="$BACKEND" '$1==b && $2!="BACKEND" && $2!="FRONTEND" \
      {printf "  %-4s %-6s sessions=%-6s check=%s\n", $2, $18, $5, $37}'
  else
    printf '\nHAProxy is not running\n'
  fi
  (( running == NODES ))
}

cmd_kill() {
  check_node_arg "${1:-}"
  local pid
  pid="$(pid_of "n$1")" || die "node n$1 is not running"
  stop_pid "n$1" "$pid" KILL
  log "n$1 (pid $pid) killed with SIGKILL"
}

cmd_start() {
  check_node_arg "${1:-}"
  load_secrets
  start_node "$1"
  wait_ready "$1"
  # a node drained before it stopped stays drained in HAProxy until told otherwise
  if pid_of haproxy >/dev/null; then
    set_state "$1" ready
    wait_up_in_haproxy "$1"
  fi
  log "n$1 ready and UP in HAProxy"
}

cmd_restart() {
  check_node_arg "${1:-}"
  local pid
  pid_of haproxy >/dev/null || die "HAProxy is not running: cluster.sh up first"
  # 1. no new connections for it; its open WebSockets stay until the node itself tells them to reconnect
  set_state "$1" drain
  log "n$1 drained in HAProxy; waiting ${DRAIN_SECONDS}s for requests in flight"
  sleep "$DRAIN_SECONDS"
  # 2. graceful stop: the node sends its sockets `reconnect` and 1012, finishes its writes, and exits
  if pid="$(pid_of "n$1")"; then
    stop_pid "n$1" "$pid"
    log "n$1 (pid $pid) stopped"
  fi
  # 3. start, wait for /health/ready, and 4. give it back to HAProxy
  cmd_start "$1"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  kill) cmd_kill "${2:-}" ;;
  start) cmd_start "${2:-}" ;;
  restart) cmd_restart "${2:-}" ;;
  *) printf 'usage: %s up|down|status|kill <n>|start <n>|restart <n>\n' "$0" >&2; exit 2 ;;
esac
