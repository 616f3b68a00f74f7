#!/usr/bin/env bash
# The Cerberus test lab: a standalone PostgreSQL 15 and a two-node Patroni 3.0 cluster on etcd 3.4, all on free
# loopback ports, run as a non-root user, from Debian packages (installed when missing and when we are root).
#
#   tests/lab/lab.sh up            start everything, print the environment the tests read
#   tests/lab/lab.sh env           print that environment again (export lines)
#   tests/lab/lab.sh status        show what runs
#   tests/lab/lab.sh stop-node N   stop Patroni node N (1 or 2) and its PostgreSQL
#   tests/lab/lab.sh start-node N  start it again (it rejoins as a replica)
#   tests/lab/lab.sh promote-in-place N  restart node N's PostgreSQL as a standby and promote it: with the
#                                  cluster paused, the same leader goes on to the next timeline
#   tests/lab/lab.sh down          stop everything the lab started and delete its folder
#
# LAB_DIR (default /tmp/cerberus-lab.<hash of this checkout>) holds data, logs, pids and lab.env.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
LAB_DIR=${LAB_DIR:-/tmp/cerberus-lab.$(printf '%s' "$repo" | md5sum | cut -c1-8)}
LAB_USER=${LAB_USER:-cerberus-lab}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SCOPE=cerberus-cluster

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

as_lab() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$LAB_USER" -- "$@"
  else
    "$@"
  fi
}

ensure_packages() {
  local missing=()
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
  command -v patroni >/dev/null 2>&1 || missing+=(patroni)
  command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
  /usr/bin/python3 -c 'import etcd' >/dev/null 2>&1 || missing+=(python3-etcd)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})"
    log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id "$LAB_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$LAB_USER"
  fi
}

# Free TCP ports on 127.0.0.1 below 32768 (never an ephemeral client port), distinct from each other.
free_ports() {
  python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1]); found = []
while len(found) < n:
    p = random.randint(20000, 32000)
    if p in found:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); found.append(p)
    except OSError:
        pass
    finally:
        s.close()
print(" ".join(map(str, found)))
PY
}

secret() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-20; }

wait_http() { # url expected-code seconds
  local url=$1 code=$2 limit=$3 start got
  start=$(date +%s)
  while :; do
    got=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)
    [ "$got" = "$code" ] && return 0
    [ $(( $(date +%s) - start )) -ge "$limit" ] && return 1
    sleep 0.25
  done
}

load_env() {
  [ -f "$LAB_DIR/lab.env" ] || die "no lab at $LAB_DIR (run: tests/lab/lab.sh up)"
  # shellcheck disable=SC1091
  . "$LAB_DIR/lab.env"
}

start_standalone() {
  local port=$1 pw=$2 monpw=$3
  local data=$LAB_DIR/pg
  printf '%s\n' "$pw" > "$LAB_DIR/pwfile"
  chmod 600 "$LAB_DIR/pwfile"
  [ "$(id -u)" -eq 0 ] && chown "$LAB_USER" "$LAB_DIR/pwfile"
  as_lab "$PG_BIN/initdb" -D "$data" -U postgres --pwfile="$LAB_DIR/pwfile" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
  rm -f "$LAB_DIR/pwfile"
  cat >> "$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$LAB_DIR/sock'
max_connections = 40
superuser_reserved_connections = 3
wal_level = replica
max_wal_senders = 5
max_replication_slots = 10
archive_mode = on
archive_command = 'test ! -f $LAB_DIR/archive-fail && cp %p $LAB_DIR/archive/%f'
archive_timeout = 0
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
fsync = off
shared_buffers = 32MB
max_prepared_transactions = 4
EOF
  as_lab "$PG_BIN/pg_ctl" -D "$data" -l "$LAB_DIR/log/pg.log" -w -t 60 start >/dev/null
  as_lab psql -h "$LAB_DIR/sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<EOF
CREATE ROLE cerberus_monitor LOGIN PASSWORD '$monpw' IN ROLE pg_monitor;
CREATE DATABASE cerberus;
EOF
}

patroni_config() { # n name restport pgport
  local n=$1 name=$2 rport=$3 pport=$4 dir=$LAB_DIR/patroni/$2
  mkdir -p "$dir/log"
  cat > "$dir/patroni.yml" <<EOF
scope: $SCOPE
name: $name
log:
  dir: $dir/log
  level: INFO
restapi:
  listen: 127.0.0.1:$rport
  connect_address: 127.0.0.1:$rport
  authentication:
    username: $PATRONI_USER
    password: $PATRONI_PASSWORD
etcd3:
  hosts: 127.0.0.1:$ETCD_PORT
bootstrap:
  dcs:
    ttl: 20
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        max_connections: 50
  initdb:
    - encoding: UTF8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 md5
    - host all all 127.0.0.1/32 md5
postgresql:
  listen: 127.0.0.1:$pport
  connect_address: 127.0.0.1:$pport
  data_dir: $dir/data
  bin_dir: $PG_BIN
  pgpass: $dir/pgpass
  authentication:
    superuser:
      username: postgres
      password: $PG_PASSWORD
    replication:
      username: replicator
      password: $REPL_PASSWORD
    rewind:
      username: rewinder
      password: $REPL_PASSWORD
  parameters:
    unix_socket_directories: $LAB_DIR/sock
    fsync: "off"
    shared_buffers: 32MB
tags: {}
EOF
}

start_node() { # n
  local n=$1 name dir pid
  name=$(eval echo "\$NODE${n}_NAME")
  dir=$LAB_DIR/patroni/$name
  pid=$(as_lab bash -c "cd '$dir'; setsid nohup patroni '$dir/patroni.yml' >>'$dir/log/stdout.log' 2>&1 </dev/null & echo \$!")
  echo "$pid" > "$LAB_DIR/pids/patroni$n"
}

stop_node() { # n
  local n=$1 pidf=$LAB_DIR/pids/patroni$1 pid name
  name=$(eval echo "\$NODE${n}_NAME")
  if [ -f "$pidf" ]; then
    pid=$(cat "$pidf")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidf"
  fi
  if [ -f "$LAB_DIR/patroni/$name/data/postmaster.pid" ]; then
    as_lab "$PG_BIN/pg_ctl" -D "$LAB_DIR/patroni/$name/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

promote_in_place() { # n: the same member leads on the next timeline (the cluster must be paused)
  local n=$1 name data
  name=$(eval echo "\$NODE${n}_NAME")
  data=$LAB_DIR/patroni/$name/data
  as_lab "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null
  as_lab touch "$data/standby.signal"
  as_lab "$PG_BIN/pg_ctl" -D "$data" -l "$LAB_DIR/log/promote-in-place-$name.log" -w -t 60 start >/dev/null
  as_lab "$PG_BIN/pg_ctl" -D "$data" -w -t 60 promote >/dev/null
}

cmd_up() {
  if [ -f "$LAB_DIR/lab.env" ]; then
    log "a lab already runs at $LAB_DIR; run 'down' first, or use 'env'"
    cat "$LAB_DIR/lab.env"
    return 0
  fi
  ensure_packages
  ensure_user
  rm -rf "$LAB_DIR"
  mkdir -p "$LAB_DIR"/{sock,log,pids,archive,etcd,patroni}
  [ "$(id -u)" -eq 0 ] && chown -R "$LAB_USER" "$LAB_DIR"
  chmod 755 "$LAB_DIR"
  local started
  started=$(date +%s.%N)

  read -r PG_PORT ETCD_PORT ETCD_PEER REST1 REST2 PGP1 PGP2 <<<"$(free_ports 7)"
  PG_PASSWORD=$(secret); MONITOR_PASSWORD=$(secret); REPL_PASSWORD=$(secret)
  PATRONI_USER=patroni; PATRONI_PASSWORD=$(secret)
  NODE1_NAME=pg1; NODE2_NAME=pg2

  log "standalone PostgreSQL on 127.0.0.1:$PG_PORT"
  start_standalone "$PG_PORT" "$PG_PASSWORD" "$MONITOR_PASSWORD"

  log "etcd on 127.0.0.1:$ETCD_PORT"
  as_lab bash -c "setsid nohup etcd --name lab --data-dir '$LAB_DIR/etcd' \
    --listen-client-urls http://127.0.0.1:$ETCD_PORT --advertise-client-urls http://127.0.0.1:$ETCD_PORT \
    --listen-peer-urls http://127.0.0.1:$ETCD_PEER --initial-advertise-peer-urls http://127.0.0.1:$ETCD_PEER \
    --initial-cluster lab=http://127.0.0.1:$ETCD_PEER --log-level warn >>'$LAB_DIR/log/etcd.log' 2>&1 </dev/null & echo \$!" > "$LAB_DIR/pids/etcd"
  wait_http "http://127.0.0.1:$ETCD_PORT/health" 200 30 || die "etcd did not start (see $LAB_DIR/log/etcd.log)"

  patroni_config 1 "$NODE1_NAME" "$REST1" "$PGP1"
  patroni_config 2 "$NODE2_NAME" "$REST2" "$PGP2"
  [ "$(id -u)" -eq 0 ] && chown -R "$LAB_USER" "$LAB_DIR/patroni"

  write_env
  log "Patroni $NODE1_NAME (REST 127.0.0.1:$REST1, PostgreSQL $PGP1)"
  start_node 1
  wait_http "http://127.0.0.1:$REST1/primary" 200 90 || die "$NODE1_NAME did not become leader (see $LAB_DIR/patroni/$NODE1_NAME/log)"
  log "Patroni $NODE2_NAME (REST 127.0.0.1:$REST2, PostgreSQL $PGP2)"
  start_node 2
  wait_http "http://127.0.0.1:$REST2/replica" 200 90 || die "$NODE2_NAME did not become a replica (see $LAB_DIR/patroni/$NODE2_NAME/log)"
  wait_cluster_settled 60 || die "the cluster did not settle"
  log "up in $(python3 -c "import time;print(round(time.time()-$started,1))") s; environment in $LAB_DIR/lab.env"
  cat "$LAB_DIR/lab.env"
}

# Every member running with a numeric lag: only then will Patroni accept a switchover (412 otherwise).
wait_cluster_settled() {
  local limit=$1 start
  start=$(date +%s)
  while :; do
    if curl -s -m 2 "http://127.0.0.1:$REST1/cluster" | python3 -c '
import json, sys
c = json.load(sys.stdin)
m = c.get("members", [])
ok = len(m) == 2 and all(x.get("state") in ("running", "streaming") for x in m) \
     and sum(1 for x in m if x.get("role") == "leader") == 1 \
     and all(isinstance(x.get("lag", 0), int) for x in m if x.get("role") != "leader")
sys.exit(0 if ok else 1)' 2>/dev/null; then return 0; fi
    [ $(( $(date +%s) - start )) -ge "$limit" ] && return 1
    sleep 0.25
  done
}

write_env() {
  local envf=$LAB_DIR/lab.env
  cat > "$envf" <<EOF
export CERBERUS_LAB_DIR='$LAB_DIR'
export CERBERUS_LAB_SCRIPT='$here/lab.sh'
export CERBERUS_LAB_PG='Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$PG_PASSWORD;Database=cerberus'
export CERBERUS_LAB_PG_MONITOR='Host=127.0.0.1;Port=$PG_PORT;Username=cerberus_monitor;Password=$MONITOR_PASSWORD;Database=cerberus'
export CERBERUS_LAB_PATRONI_URLS='http://127.0.0.1:$REST1,http://127.0.0.1:$REST2'
export CERBERUS_LAB_PATRONI_NAMES='$NODE1_NAME,$NODE2_NAME'
export CERBERUS_LAB_PATRONI_SCOPE='$SCOPE'
export CERBERUS_LAB_PATRONI_USER='$PATRONI_USER'
export CERBERUS_LAB_PATRONI_PASSWORD='$PATRONI_PASSWORD'
export CERBERUS_LAB_PATRONI_PG_1='Host=127.0.0.1;Port=$PGP1;Username=postgres;Password=$PG_PASSWORD;Database=postgres'
export CERBERUS_LAB_PATRONI_PG_2='Host=127.0.0.1;Port=$PGP2;Username=postgres;Password=$PG_PASSWORD;Database=postgres'
export CERBERUS_LAB_ETCD='http://127.0.0.1:$ETCD_PORT'
export CERBERUS_LAB_ARCHIVE_FAIL_FLAG='$LAB_DIR/archive-fail'
EOF
  # The rest is for lab.sh itself.
  cat > "$LAB_DIR/lab.internal" <<EOF
PG_PORT=$PG_PORT
ETCD_PORT=$ETCD_PORT
REST1=$REST1
REST2=$REST2
NODE1_NAME=$NODE1_NAME
NODE2_NAME=$NODE2_NAME
EOF
  chmod 644 "$envf"
}

load_internal() {
  [ -f "$LAB_DIR/lab.internal" ] || die "no lab at $LAB_DIR (run: tests/lab/lab.sh up)"
  # shellcheck disable=SC1091
  . "$LAB_DIR/lab.internal"
}

cmd_down() {
  [ -d "$LAB_DIR" ] || { log "no lab at $LAB_DIR"; return 0; }
  if [ -f "$LAB_DIR/lab.internal" ]; then
    load_internal
    stop_node 2 || true
    stop_node 1 || true
  fi
  if [ -f "$LAB_DIR/pids/etcd" ]; then
    kill -TERM "$(cat "$LAB_DIR/pids/etcd")" 2>/dev/null || true
  fi
  if [ -f "$LAB_DIR/pg/postmaster.pid" ]; then
    as_lab "$PG_BIN/pg_ctl" -D "$LAB_DIR/pg" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  sleep 0.5
  # Anything still running from this lab's folder (never other labs' processes).
  pkill -KILL -f -- "$LAB_DIR/" 2>/dev/null || true
  rm -rf "$LAB_DIR"
  log "down"
}

cmd_status() {
  load_internal
  printf 'lab %s\n' "$LAB_DIR"
  printf 'standalone  127.0.0.1:%s  %s\n' "$PG_PORT" "$([ -f "$LAB_DIR/pg/postmaster.pid" ] && echo running || echo stopped)"
  curl -s -m 3 "http://127.0.0.1:$REST1/cluster" || curl -s -m 3 "http://127.0.0.1:$REST2/cluster" || echo "patroni: no answer"
  echo
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) load_env; cat "$LAB_DIR/lab.env" ;;
  status) cmd_status ;;
  stop-node) load_internal; [ -n "${2:-}" ] || die "stop-node needs 1 or 2"; stop_node "$2"; log "node $2 stopped" ;;
  start-node) load_internal; [ -n "${2:-}" ] || die "start-node needs 1 or 2"; start_node "$2"; log "node $2 started" ;;
  promote-in-place) load_internal; [ -n "${2:-}" ] || die "promote-in-place needs 1 or 2"; promote_in_place "$2"; log "node $2 promoted in place" ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
