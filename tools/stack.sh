#!/bin/sh
# stack.sh start|stop|status: the private local stack of `make run` and of the test suite.
# A MariaDB server with its datadir under $VAR (unix socket only, no TCP), the schema migrated,
# $VAR/provision.conf, lighttpd on 127.0.0.1:$PORT serving the executables of $BIN, and a demo
# tenant whose credentials go to $VAR/demo-tenant.json (mode 0600). Needs no root, touches
# nothing outside $VAR, and running start twice is harmless.
#
# Environment: PORT (default 8080), PROVISION_VAR (default <checkout>/var),
# PROVISION_BIN (default <checkout>/build), STACK_QUIET=1 to skip the examples.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR=${PROVISION_VAR:-$ROOT/var}
BIN=${PROVISION_BIN:-$ROOT/build}
PORT=${PORT:-8080}
PATH=$PATH:/usr/sbin:/sbin
SOCK=$VAR/run/mysqld.sock
CONF=$VAR/provision.conf
ME=$(id -un)

say() { printf 'stack: %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# 0 when the pid file names a running process (the file may vanish while we look)
alive() { pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

db_client() { mariadb --no-defaults --socket="$SOCK" -u "$ME" "$@"; }

start_db() {
  mkdir -p "$VAR/db" "$VAR/run" "$VAR/log" "$VAR/tmp" "$VAR/www"
  chmod 0700 "$VAR"
  as_root=
  [ "$(id -u)" = 0 ] && as_root=--user=root
  if [ ! -d "$VAR/db/mysql" ]; then
    say "creating the MariaDB datadir in $VAR/db"
    mariadb-install-db --no-defaults --datadir="$VAR/db" --tmpdir="$VAR/tmp" \
      --auth-root-authentication-method=socket \
      --auth-root-socket-user="$ME" --skip-test-db $as_root >"$VAR/log/install-db.log" 2>&1 \
      || { tail -n 20 "$VAR/log/install-db.log" >&2; die "mariadb-install-db failed"; }
  fi
  if alive "$VAR/run/mysqld.pid"; then
    say "MariaDB already running (pid $pid)"
  else
    [ ${#SOCK} -lt 100 ] || die "socket path too long for a unix socket: $SOCK"
    setsid mariadbd --no-defaults --datadir="$VAR/db" --socket="$SOCK" \
      --pid-file="$VAR/run/mysqld.pid" --skip-networking --tmpdir="$VAR/tmp" \
      --log-error="$VAR/log/mariadb.err" --character-set-server=utf8mb4 \
      --collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size=256M \
      --innodb-flush-log-at-trx-commit=2 --max-connections=400 $as_root \
      </dev/null >"$VAR/log/mariadbd.out" 2>&1 &
  fi
  i=0
  until mariadb-admin --no-defaults --socket="$SOCK" -u "$ME" ping >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 300 ] || { tail -n 20 "$VAR/log/mariadb.err" >&2; die "MariaDB did not start"; }
    sleep 0.1
  done
  if [ ! -s "$CONF" ]; then
    pw=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    db_client <<EOF
CREATE DATABASE IF NOT EXISTS provision CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'provision'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'provision'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON provision.* TO 'provision'@'localhost';
EOF
    (umask 077 && cat >"$CONF.tmp" <<EOF
# Written by tools/stack.sh for the local stack. See provision.conf.example for every key.
db.socket = $SOCK
db.name = provision
db.user = provision
db.password = $pw
public.base_url = http://127.0.0.1:$PORT
mail.from = provision@localhost.localdomain
password.cost = 5
EOF
    ) && mv "$CONF.tmp" "$CONF"
  fi
  PROVISION_CONF=$CONF "$BIN/provctl" migrate >/dev/null
}

start_web() {
  sed -e "s|@ROOT@|$ROOT|g" -e "s|@BIN@|$BIN|g" -e "s|@VAR@|$VAR|g" -e "s|@PORT@|$PORT|g" \
    "$ROOT/lighttpd-conf/provision.conf.in" >"$VAR/lighttpd.conf"
  if alive "$VAR/run/lighttpd.pid"; then
    say "lighttpd already running (pid $pid)"
    return
  fi
  lighttpd -tt -f "$VAR/lighttpd.conf" >/dev/null || die "lighttpd rejects $VAR/lighttpd.conf"
  lighttpd -f "$VAR/lighttpd.conf" || die "lighttpd did not start (is port $PORT free?)"
  i=0
  until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { tail -n 20 "$VAR/log/lighttpd-error.log" >&2; die "lighttpd not answering"; }
    sleep 0.1
  done
}

demo_tenant() {
  if [ ! -s "$VAR/demo-tenant.json" ]; then
    (umask 077 && PROVISION_CONF=$CONF "$BIN/provctl" tenant create --name Demo --json \
      >"$VAR/demo-tenant.json.tmp") && mv "$VAR/demo-tenant.json.tmp" "$VAR/demo-tenant.json"
    say "demo tenant created"
  fi
  chmod 0600 "$VAR/demo-tenant.json"
}

examples() {
  [ "${STACK_QUIET:-0}" = 1 ] && return
  cat <<EOF

The stack is running: http://127.0.0.1:$PORT  (make stop ends it)
Demo tenant credentials: $VAR/demo-tenant.json (shown once, keep them private)
$(cat "$VAR/demo-tenant.json")

Try it (needs jq; run from the checkout):
  T=var/demo-tenant.json
  # SOAJS urac addUser (seed 002)
  curl -X POST "http://127.0.0.1:$PORT/urac/admin/addUser?tId=\$(jq -r .id \$T)&tCode=\$(jq -r .code \$T)" \\
    -H "key: \$(jq -r .soajs.key \$T)" -d 'username=john&firstName=John&lastName=Doe&email=johndoe@domain.com'
  # Xtracta user add (seed 003)
  curl -X POST http://127.0.0.1:$PORT/v1/user/add \\
    -d "api_key=\$(jq -r .xtracta.api_key \$T)&name=John&email_address=john@xtracta.com&password=12345678&group_id=\$(jq -r .xtracta.group_id \$T)"
EOF
  for f in "$ROOT"/docs/examples/*.sh; do
    [ -f "$f" ] && sed -e "s|@PORT@|$PORT|g" "$f"
  done
  return 0
}

stop_stack() {
  if alive "$VAR/run/lighttpd.pid"; then
    kill "$pid" 2>/dev/null || true
    i=0
    while alive "$VAR/run/lighttpd.pid" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  fi
  # FastCGI processes of this stack carry PROVISION_CONF=$CONF: end any lighttpd left behind
  for p in /proc/[0-9]*; do
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "PROVISION_CONF=$CONF"; then
      kill -9 "${p#/proc/}" 2>/dev/null || true
    fi
  done
  rm -f "$VAR/run/lighttpd.pid"
  if alive "$VAR/run/mysqld.pid"; then
    kill "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$VAR/run/mysqld.pid"
  say "stopped"
}

case ${1:-} in
  start)
    for b in add_user bulk_users invite task_status join provctl; do
      [ -x "$BIN/$b" ] || die "$BIN/$b is missing: run make first"
    done
    start_db
    start_web
    demo_tenant
    examples
    ;;
  stop) stop_stack ;;
  status)
    alive "$VAR/run/mysqld.pid" && say "MariaDB running" || say "MariaDB stopped"
    alive "$VAR/run/lighttpd.pid" && say "lighttpd running on port $PORT" || say "lighttpd stopped"
    ;;
  *) die "usage: stack.sh start|stop|status" ;;
esac
