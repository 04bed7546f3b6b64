#!/bin/sh
# cluster.sh start|stop|status|start-node N|stop-node N: a local MariaDB Galera cluster of
# three nodes and two web nodes, all on 127.0.0.1 (`make cluster`, `make stop`, and the cluster
# test, tests/cluster/). Owns only $CVAR (default <checkout>/var/cluster): each database node
# has its datadir, socket, pid file, log and ports there (SQL, group communication, incremental
# state transfer, rsync state transfer), each web node a state directory of its own served by
# tools/stack.sh web-start. Never touches a system service, never binds beyond loopback.
#
# Node 1 bootstraps the cluster; nodes 2 and 3 join one at a time, each by a full state
# transfer with rsync (or an incremental one when it rejoins), and each is waited for until it
# is Synced. The schema is migrated once, through node 1; the demo tenant is written to
# $CVAR/demo-tenant.json as `make run` writes var/demo-tenant.json. Web node 1 (lighttpd on
# PORT) prefers database node 1, web node 2 (PORT+1) node 2; each lists the other nodes after
# its own (db.hosts) and moves to them when its node is lost.
#
# Run as root, mariadbd runs as the mysql user (rsync state transfer refuses to work as root),
# with only the capabilities to read and write past file permissions, so that a checkout
# under a private home directory still works; as any other user it runs as that user.
#
# Environment: PORT (default 8080; the web nodes use PORT and PORT+1), CLUSTER_DB_PORT (default
# 13306: node N uses CLUSTER_DB_PORT + 10*(N-1) for SQL and the next three ports for Galera),
# CLUSTER_VAR, PROVISION_BIN, PROVCTL, STACK_QUIET=1 to skip the summary, and
# CLUSTER_EVS (the group-communication timeouts, see docs/DEPLOY.md: "Galera").
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CVAR=${CLUSTER_VAR:-$ROOT/var/cluster}
BIN=${PROVISION_BIN:-$ROOT/build}
PROVCTL=${PROVCTL:-$BIN/provctl}
PORT=${PORT:-8080}
DBPORT=${CLUSTER_DB_PORT:-13306}
PATH=$PATH:/usr/sbin:/sbin
ME=$(id -un)
NODES="1 2 3"
PROVIDER=${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}
# Galera's defaults notice a dead node only after evs.suspect_timeout (5 s) and then install
# a new view; every commit of the cluster waits meanwhile. These shorten the stall to about
# 2 s on loopback, at the cost of evicting a node that is merely paused that long (docs/DEPLOY.md)
EVS=${CLUSTER_EVS:-evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT1.5S;evs.inactive_timeout=PT3S;evs.install_timeout=PT3S;gmcast.peer_timeout=PT2S}

say() { printf 'cluster: %s\n' "$*"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

alive() { pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

sql_port() { echo $((DBPORT + 10 * ($1 - 1))); }
gcomm_port() { echo $((DBPORT + 10 * ($1 - 1) + 1)); }
ist_port() { echo $((DBPORT + 10 * ($1 - 1) + 2)); }
sst_port() { echo $((DBPORT + 10 * ($1 - 1) + 3)); }
node_dir() { echo "$CVAR/db$1"; }
sock() { echo "$CVAR/db$1/mysqld.sock"; }

# Runs a command as the database's user: as root, the mysql user with only the capabilities
# to pass file permissions (ambient, so the state-transfer scripts it starts have them too).
as_db() {
  if [ "$(id -u)" = 0 ]; then
    id mysql >/dev/null 2>&1 || die "no mysql user (apt-get install mariadb-server)"
    setpriv --reuid=mysql --regid="$(id -g mysql)" --clear-groups \
      --inh-caps=+dac_override,+dac_read_search \
      --ambient-caps=+dac_override,+dac_read_search "$@"
  else
    "$@"
  fi
}

client() {
  n=$1
  shift
  mariadb --no-defaults --socket="$(sock "$n")" -u "$ME" "$@"
}

gcomm_all() {
  a=
  for n in $NODES; do a="$a${a:+,}127.0.0.1:$(gcomm_port "$n")"; done
  echo "$a"
}

# The value of a status variable of node N ("" when it does not answer).
status_var() {
  client "$1" -N -B -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2 || true
}

# Waits until node N is Synced and ready for statements (at most $2 seconds).
wait_synced() {
  n=$1
  i=0
  while :; do
    if [ "$(status_var "$n" wsrep_local_state_comment)" = Synced ] &&
       [ "$(status_var "$n" wsrep_ready)" = ON ]; then
      return 0
    fi
    ! grep -q '\[ERROR\] Aborting' "$(node_dir "$n")/mariadb.err" 2>/dev/null ||
      { tail -n 30 "$(node_dir "$n")/mariadb.err" >&2; die "node $n exited while starting"; }
    i=$((i + 1))
    [ $i -lt $(($2 * 10)) ] || { tail -n 30 "$(node_dir "$n")/mariadb.err" >&2; die "node $n is not Synced after $2 s"; }
    sleep 0.1
  done
}

# Starts database node N: "bootstrap" makes it a new cluster of its own, else it joins.
start_node() {
  n=$1
  mode=${2:-join}
  d=$(node_dir "$n")
  mkdir -p "$d/data" "$d/tmp"
  [ "$(id -u)" = 0 ] && chown -R mysql:mysql "$d"
  if alive "$d/mysqld.pid"; then
    say "node $n already running (pid $pid)"
    return 0
  fi
  if [ "$mode" = bootstrap ] && [ ! -d "$d/data/mysql" ]; then
    as_db mariadb-install-db --no-defaults --datadir="$d/data" --tmpdir="$d/tmp" \
      --auth-root-authentication-method=socket --auth-root-socket-user="$ME" \
      --skip-test-db >"$d/install-db.log" 2>&1 ||
      { tail -n 20 "$d/install-db.log" >&2; die "mariadb-install-db failed for node $n"; }
  fi
  newc=
  if [ "$mode" = bootstrap ]; then
    newc=--wsrep-new-cluster
    # after a crash no node is marked safe to bootstrap: node 1 is, by this script's choice
    [ -f "$d/data/grastate.dat" ] &&
      sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$d/data/grastate.dat"
  fi
  s=$(sock "$n")
  [ ${#s} -lt 100 ] || die "socket path too long for a unix socket: $s"
  rm -f "$d/mysqld.pid"
  # each start has a log of its own (the previous one is kept as mariadb.err.1)
  [ -f "$d/mariadb.err" ] && mv "$d/mariadb.err" "$d/mariadb.err.1"
  # A node that was killed does not know how far it got (grastate.dat says seqno -1): read its
  # position from InnoDB first, as galera_recovery does, so that it rejoins by an incremental
  # transfer of the writes it missed (IST), not a full copy (during which the donor blocks)
  startpos=
  if [ "$mode" = join ] && grep -q '^seqno: *-1' "$d/data/grastate.dat" 2>/dev/null; then
    as_db mariadbd --no-defaults --datadir="$d/data" --socket="$s.recover" \
      --skip-networking --tmpdir="$d/tmp" --log-error="$d/recover.err" --binlog-format=ROW \
      --innodb-buffer-pool-size=128M --wsrep-on=ON --wsrep-provider="$PROVIDER" \
      --wsrep-cluster-address="gcomm://$(gcomm_all)" --wsrep-recover >/dev/null 2>&1 || true
    pos=$(sed -n 's/.*WSREP: Recovered position: *\([-0-9a-f]*:[-0-9]*\).*/\1/p' \
      "$d/recover.err" 2>/dev/null | tail -n 1)
    case $pos in *:-1 | "") ;; *) startpos=--wsrep-start-position=$pos ;; esac
  fi
  # shellcheck disable=SC2086 # $newc and $startpos are an option or nothing
  as_db setsid -f mariadbd --no-defaults --datadir="$d/data" --socket="$s" \
    --port="$(sql_port "$n")" --bind-address=127.0.0.1 --skip-name-resolve \
    --pid-file="$d/mysqld.pid" --tmpdir="$d/tmp" --log-error="$d/mariadb.err" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 --max-connections=300 \
    --binlog-format=ROW --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2 \
    --wsrep-on=ON --wsrep-provider="$PROVIDER" --wsrep-cluster-name=provision-local \
    --wsrep-cluster-address="gcomm://$(gcomm_all)" --wsrep-node-name="node$n" \
    --wsrep-node-address="127.0.0.1:$(gcomm_port "$n")" \
    --wsrep-node-incoming-address="127.0.0.1:$(sql_port "$n")" \
    --wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$(sst_port "$n")" \
    --wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$(gcomm_port "$n");ist.recv_addr=127.0.0.1:$(ist_port "$n");gcache.size=128M;$EVS" \
    --wsrep-slave-threads=2 $newc $startpos \
    </dev/null >"$d/mariadbd.out" 2>&1
  wait_synced "$n" 120
  say "node $n Synced (SQL 127.0.0.1:$(sql_port "$n"), pid $(cat "$d/mysqld.pid"))"
}

# Ends database node N by its pid: TERM, then KILL after 60 s.
stop_node() {
  d=$(node_dir "$1")
  if alive "$d/mysqld.pid"; then
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$d/mysqld.pid"
}

hosts_from() {
  h=
  for n in "$@"; do h="$h${h:+, }127.0.0.1:$(sql_port "$n")"; done
  echo "$h"
}

# A provision.conf naming the database nodes in the given order (the first is preferred).
write_conf() {
  f=$1
  base=$2
  shift 2
  (umask 077 && cat >"$f.tmp" <<EOF
# Written by tools/cluster.sh for the local cluster. See provision.conf.example for every key.
db.hosts = $(hosts_from "$@")
db.name = provision
db.user = provision
db.password = $(cat "$CVAR/db-password")
db.connect_timeout = 2
db.rw_timeout = 8
public.base_url = $base
mail.from = provision@localhost.localdomain
password.cost = 5
tasks.slot_dir = $(dirname "$f")/run
tasks.stale_seconds = 15
EOF
  ) && mv "$f.tmp" "$f"
}

setup_schema() {
  if [ ! -s "$CVAR/db-password" ]; then
    (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$CVAR/db-password")
  fi
  pw=$(cat "$CVAR/db-password")
  client 1 <<EOF
CREATE DATABASE IF NOT EXISTS provision CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'provision'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER 'provision'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON \`provision%\`.* TO 'provision'@'127.0.0.1';
EOF
  mkdir -p "$CVAR/admin/run"
  # the admin configuration (provctl): node 1 first
  write_conf "$CVAR/provision.conf" "http://127.0.0.1:$PORT" 1 2 3
  PROVISION_CONF=$CVAR/provision.conf "$PROVCTL" migrate >/dev/null
}

start_webs() {
  w=1
  for order in "1 2 3" "2 3 1"; do
    wv=$CVAR/web$w
    p=$((PORT + w - 1))
    mkdir -p "$wv/run"
    # shellcheck disable=SC2086 # $order is a list of node numbers
    write_conf "$wv/provision.conf" "http://127.0.0.1:$p" $order
    PORT=$p PROVISION_VAR=$wv PROVISION_BIN=$BIN SERVER=lighttpd sh "$ROOT/tools/stack.sh" \
      web-start >/dev/null
    w=$((w + 1))
  done
}

demo_tenant() {
  if [ ! -s "$CVAR/demo-tenant.json" ]; then
    (umask 077 && PROVISION_CONF=$CVAR/provision.conf "$PROVCTL" tenant create --name Demo \
      --json >"$CVAR/demo-tenant.json.tmp") && mv "$CVAR/demo-tenant.json.tmp" "$CVAR/demo-tenant.json"
    say "demo tenant created"
  fi
  chmod 0600 "$CVAR/demo-tenant.json"
}

summary() {
  [ "${STACK_QUIET:-0}" = 1 ] && return 0
  echo
  echo "The cluster is running (make stop ends it):"
  for n in $NODES; do
    echo "  database node $n: 127.0.0.1:$(sql_port "$n") (socket $(sock "$n")," \
      "group communication $(gcomm_port "$n"), IST $(ist_port "$n"), SST $(sst_port "$n"))"
  done
  echo "  web node 1: http://127.0.0.1:$PORT  (database nodes 1, 2, 3 in that order)"
  echo "  web node 2: http://127.0.0.1:$((PORT + 1))  (database nodes 2, 3, 1 in that order)"
  echo "Demo tenant credentials: $CVAR/demo-tenant.json (shown once, keep them private)"
  cat "$CVAR/demo-tenant.json"
  echo "Admin CLI: PROVISION_CONF=$CVAR/provision.conf $PROVCTL ..."
}

stop_all() {
  for w in 1 2; do
    [ -d "$CVAR/web$w" ] &&
      PROVISION_VAR=$CVAR/web$w sh "$ROOT/tools/stack.sh" web-stop >/dev/null 2>&1
  done
  # the last node to stop is marked safe to bootstrap: node 1, which bootstraps next time
  for n in 3 2 1; do stop_node "$n"; done
  say "stopped"
}

case ${1:-} in
  start)
    for b in add_user bulk_users invite task_status join provctl; do
      [ -x "$BIN/$b" ] || die "$BIN/$b is missing: run make first"
    done
    [ -f "$PROVIDER" ] || die "no Galera provider at $PROVIDER (apt-get install galera-4)"
    command -v rsync >/dev/null || die "rsync is missing (apt-get install rsync)"
    mkdir -p "$CVAR"
    chmod 0711 "$CVAR"
    start_node 1 bootstrap
    for n in 2 3; do start_node "$n" join; done
    setup_schema
    start_webs
    demo_tenant
    summary
    ;;
  stop) stop_all ;;
  start-node) [ -n "${2:-}" ] || die "start-node N"; start_node "$2" join ;;
  stop-node) [ -n "${2:-}" ] || die "stop-node N"; stop_node "$2" ;;
  status)
    for n in $NODES; do
      if alive "$(node_dir "$n")/mysqld.pid"; then
        say "node $n: $(status_var "$n" wsrep_local_state_comment), cluster size $(status_var "$n" wsrep_cluster_size)"
      else
        say "node $n: stopped"
      fi
    done
    ;;
  *) die "usage: cluster.sh start|stop|status|start-node N|stop-node N" ;;
esac
