#!/bin/sh
# run.sh: `make bench`. Starts a private bench stack (its own MariaDB datadir and lighttpd on a
# free loopback port under var/bench, made by tools/stack.sh exactly as `make run` makes its
# stack: same MariaDB options, same lighttpd configuration), mounts the baselines built from
# bench/ in that same lighttpd, runs bench/bench.py (which prints the table and writes
# var/bench/results.md), and stops the stack. A `make run` stack, if any, is left alone.
#
# Environment: BENCH_PORT (default: a free port), BENCH_QUICK=1 (short runs, smaller N: for
# trying the harness, not for figures), BENCH_REPEAT (runs of each timed figure, default 3),
# BENCH_ONLY=password,load,bulk,memory (a subset of the parts), BENCH_KEEP=1 (leave the bench
# stack running afterwards; `PROVISION_VAR=var/bench sh tools/stack.sh stop` ends it).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VAR=$ROOT/var/bench
BIN=$ROOT/build
BBIN=$ROOT/build/bench
PATH=$PATH:/usr/sbin:/sbin
export PATH

for b in base_const base_insert base_tx base_call base_bulk pwhash; do
  [ -x "$BBIN/$b" ] || { echo "bench: $BBIN/$b is missing: run make bench" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=${BENCH_PORT:-$(free_port)}
export PORT

stop_stack() {
  [ "${BENCH_KEEP:-0}" = 1 ] && return
  PROVISION_VAR=$VAR sh tools/stack.sh stop >/dev/null 2>&1 || true
}
trap stop_stack EXIT INT TERM

# a fresh stack each time: every run starts from the same empty tables
PROVISION_VAR=$VAR sh tools/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$VAR"
# The bulk figures need up to 50 000 users per request: the limit (10 000 by default) is raised
# for this stack only, through the environment the FastCGI processes inherit from lighttpd.
PROVISION_LIMITS_BULK_USERS=50000 PROVISION_VAR=$VAR STACK_QUIET=1 sh tools/stack.sh start \
  | sed 's/^/bench: /'
CONF=$VAR/provision.conf

# The bench tenant's numeric id (for the baselines, which write into the same users table).
TENANT_OID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' \
  "$VAR/demo-tenant.json")
TENANT_ID=$(mariadb --no-defaults --socket="$VAR/run/mysqld.sock" -u "$(id -un)" -N -B \
  -e "SELECT id FROM provision.tenants WHERE oid = '$TENANT_OID'")

# Baseline (e)'s stored procedure, in the bench database only.
mariadb --no-defaults --socket="$VAR/run/mysqld.sock" -u "$(id -un)" provision \
  <bench/base_call.sql

# The same lighttpd, the same configuration, plus the baselines under /bench/. Each baseline
# pool gets as many processes as add_user's pool, so a ratio compares like with like.
# (The mounts live in lighttpd-mounts.conf, included by lighttpd.conf.)
MOUNTS=$VAR/lighttpd-mounts.conf
[ -f "$MOUNTS" ] || MOUNTS=$VAR/lighttpd.conf
PROCS=$(sed -n '/"add_user" =>/,/max-procs/s/.*"max-procs" => \([0-9]*\).*/\1/p' "$MOUNTS")
[ -n "$PROCS" ] || { echo "bench: add_user's max-procs not found in $MOUNTS" >&2; exit 1; }
pid=$(cat "$VAR/run/lighttpd.pid")
kill "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do
  i=$((i + 1))
  [ $i -lt 100 ] || { echo "bench: lighttpd does not stop" >&2; exit 1; }
  sleep 0.1
done
mount() {
  cat <<EOF
\$HTTP["url"] =~ "^/bench/$1\$" {
  fastcgi.server = ( "/" => ( "$2" => (
    "bin-path" => "$BBIN/$2", "socket" => "$VAR/run/$2.sock",
    "min-procs" => $PROCS, "max-procs" => $PROCS, "check-local" => "disable",
    "bin-environment" => ( "PROVISION_CONF" => "$CONF", "BENCH_TENANT_ID" => "$TENANT_ID" ),
  )))
}
EOF
}
{
  echo
  echo "# ---- bench/run.sh: the baselines, mounted in the same server with the same settings"
  mount const base_const
  mount insert base_insert
  mount tx base_tx
  mount call base_call
} >>"$VAR/lighttpd.conf"
lighttpd -tt -f "$VAR/lighttpd.conf" >/dev/null
PROVISION_LIMITS_BULK_USERS=50000 lighttpd -f "$VAR/lighttpd.conf"
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/bench/const"; do
  i=$((i + 1))
  [ $i -lt 100 ] || { echo "bench: lighttpd does not answer" >&2; exit 1; }
  sleep 0.1
done

python3 bench/bench.py --base-url "http://127.0.0.1:$PORT" --var "$VAR" --bin "$BIN" \
  --bench-bin "$BBIN" --tenant-id "$TENANT_ID" ${BENCH_ONLY:+--only "$BENCH_ONLY"}
