#!/bin/sh
# stack.sh start|stop|status|web-start|web-stop: the private local stack of `make run` and of
# the test suite.
# A MariaDB server with its datadir under $VAR (unix socket only, no TCP), the schema migrated,
# $VAR/provision.conf, a web server on 127.0.0.1:$PORT serving the executables of $BIN, and a
# demo tenant whose credentials go to $VAR/demo-tenant.json (mode 0600). Needs no root, touches
# nothing outside $VAR, and running start twice is harmless.
#
# The web server is one of (SERVER):
#   lighttpd      mod_fastcgi, lighttpd-conf/provision.conf.in (the default)
#   apache-fcgid  Apache httpd + mod_fcgid, apache-conf/provision-fcgid.conf as shipped
#   apache-proxy  Apache httpd + mod_proxy_fcgi, apache-conf/provision-proxy-fcgi.conf as
#                 shipped, one spawn-fcgi + multiwatch pool per executable
#   apache-cgi    Apache httpd (prefork + mod_cgi) as a shared host: apache-conf/htaccess as
#                 the .htaccess of $VAR/htdocs, the executables copied to provision-cgi/*.cgi
# Apache runs as a private instance (apache-conf/local-stack.conf.in): its own config, pid file
# and logs under $VAR. Started as root (CI), it runs as www-data with the capability to pass
# file permissions (see apache() below), never as root.
# Every executable of cgi-bin/ must be built before start: all of them are mounted.
#
# Environment: PORT (default 8080), PROVISION_VAR (default <checkout>/var),
# PROVISION_BIN (default <checkout>/build), SERVER (default lighttpd), STACK_QUIET=1 to skip
# the examples, APACHE_USER (default www-data, used only as root). To run an installed tree
# (tests/install.sh): PROVISION_BIN=<libexec dir>, PROVCTL=<installed provctl>,
# APACHE_CONFDIR=<installed apache-conf dir> (default <checkout>/apache-conf).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR=${PROVISION_VAR:-$ROOT/var}
BIN=${PROVISION_BIN:-$ROOT/build}
PORT=${PORT:-8080}
SERVER=${SERVER:-lighttpd}
PATH=$PATH:/usr/sbin:/sbin
SOCK=$VAR/run/mysqld.sock
CONF=$VAR/provision.conf
ME=$(id -un)
PROVCTL=${PROVCTL:-$BIN/provctl}
APACHE_CONFDIR=${APACHE_CONFDIR:-$ROOT/apache-conf}
APACHE_USER=${APACHE_USER:-www-data}
APACHE_MODDIR=${APACHE_MODDIR:-/usr/lib/apache2/modules}
# every executable (cgi-bin/<name>.c); start refuses to run without all of them
EXES=$(for f in "$ROOT"/cgi-bin/*.c; do basename "$f" .c; done)

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
tasks.slot_dir = $VAR/run
EOF
    ) && mv "$CONF.tmp" "$CONF"
  fi
  PROVISION_CONF=$CONF "$PROVCTL" migrate >/dev/null
}

# Waits until the web server answers HTTP at all (any status); $1 is the log to show if not.
wait_http() {
  i=0
  until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do
    i=$((i + 1))
    [ $i -lt 150 ] || { tail -n 20 "$1" >&2; die "$SERVER not answering on port $PORT"; }
    sleep 0.1
  done
}

start_lighttpd() {
  sed -e "s|@ROOT@|$ROOT|g" -e "s|@BIN@|$BIN|g" -e "s|@VAR@|$VAR|g" -e "s|@PORT@|$PORT|g" \
    "$ROOT/lighttpd-conf/provision.conf.in" >"$VAR/lighttpd.conf"
  cp "$ROOT/lighttpd-conf/provision-mounts.conf" "$VAR/lighttpd-mounts.conf"
  if alive "$VAR/run/lighttpd.pid"; then
    say "lighttpd already running (pid $pid)"
    return
  fi
  lighttpd -tt -f "$VAR/lighttpd.conf" >/dev/null || die "lighttpd rejects $VAR/lighttpd.conf"
  lighttpd -f "$VAR/lighttpd.conf" || die "lighttpd did not start (is port $PORT free?)"
  wait_http "$VAR/log/lighttpd-error.log"
}

# Runs apache2. As root (CI), Apache would serve as root's stand-in user (www-data), which may
# not even reach the checkout (a 0700 home or chroot root above it): the private instance runs
# as $APACHE_USER from the start, with only the capabilities to read and write past file
# permissions (ambient, so the programs it starts have them too), and never as root.
apache() {
  if [ "$(id -u)" = 0 ]; then
    id "$APACHE_USER" >/dev/null 2>&1 || die "no user $APACHE_USER to run Apache as"
    setpriv --reuid="$APACHE_USER" --regid="$(id -g "$APACHE_USER")" --clear-groups \
      --inh-caps=+dac_override,+dac_read_search --ambient-caps=+dac_override,+dac_read_search \
      apache2 "$@"
  else
    apache2 "$@"
  fi
}

# apache-cgi: a shared host's document root, the shipped htaccess pointed at our config.
make_htdocs() {
  h=$VAR/htdocs
  rm -rf "$h"
  mkdir -p "$h/provision-cgi"
  sed -e "s|^SetEnv PROVISION_CONF .*|SetEnv PROVISION_CONF $CONF|" \
    "$APACHE_CONFDIR/htaccess" >"$h/.htaccess"
  for e in $EXES; do
    cp "$BIN/$e" "$h/provision-cgi/$e.cgi"
  done
  chmod -R u=rwX,go=rX "$h"
}

# apache-proxy: one spawn-fcgi + multiwatch pool per executable on $VAR/run/fcgi/<exe>.sock,
# the command line of apache-conf/provision-fcgi@.service; their stderr goes to app.log.
start_pools() {
  command -v spawn-fcgi >/dev/null && command -v multiwatch >/dev/null \
    || die "apache-proxy needs spawn-fcgi and multiwatch (apt-get install spawn-fcgi multiwatch)"
  mw=$(command -v multiwatch)   # spawn-fcgi execs it without searching PATH
  mkdir -p "$VAR/run/fcgi"
  if [ "$(id -u)" = 0 ]; then
    own="-M 0660 -U $APACHE_USER -G $(id -gn "$APACHE_USER")"
  else
    own="-M 0600"
  fi
  for e in $EXES; do
    alive "$VAR/run/fcgi/$e.pid" && continue
    case $e in add_user|bulk_users) n=4 ;; *) n=2 ;; esac
    rm -f "$VAR/run/fcgi/$e.sock"
    # shellcheck disable=SC2086 # $own is a list of options
    PROVISION_CONF=$CONF setsid spawn-fcgi -n -s "$VAR/run/fcgi/$e.sock" $own -- \
      "$mw" -f $n -- "$BIN/$e" </dev/null >>"$VAR/log/fcgi-pools.log" 2>>"$VAR/log/app.log" &
    echo $! >"$VAR/run/fcgi/$e.pid"
  done
  for e in $EXES; do
    i=0
    until [ -S "$VAR/run/fcgi/$e.sock" ]; do
      i=$((i + 1))
      [ $i -lt 100 ] || { tail -n 20 "$VAR/log/fcgi-pools.log" >&2; die "no FastCGI pool for $e"; }
      sleep 0.05
    done
  done
}

start_apache() {
  command -v apache2 >/dev/null \
    || die "$SERVER needs Apache (apt-get install apache2 libapache2-mod-fcgid)"
  defs=
  case $SERVER in
    apache-fcgid) defs="-D PROVISION_KIND_FCGID"; mkdir -p "$VAR/run/fcgid" ;;
    apache-proxy) defs="-D PROVISION_KIND_PROXY"; start_pools ;;
    apache-cgi) defs="-D PROVISION_KIND_CGI"; make_htdocs ;;
  esac
  if alive "$VAR/run/apache.pid"; then
    say "Apache already running (pid $pid)"
    return
  fi
  mkdir -p "$VAR/apache" "$VAR/run/apache"
  sed -e "s|@VAR@|$VAR|g" -e "s|@PORT@|$PORT|g" -e "s|@BIN@|$BIN|g" \
    -e "s|@CONFDIR@|$APACHE_CONFDIR|g" -e "s|@MODDIR@|$APACHE_MODDIR|g" \
    "$ROOT/apache-conf/local-stack.conf.in" >"$VAR/apache.conf"
  # shellcheck disable=SC2086 # $defs is a list of options
  apache -t -f "$VAR/apache.conf" $defs >"$VAR/log/apache-configtest.log" 2>&1 \
    || { cat "$VAR/log/apache-configtest.log" >&2; die "Apache rejects $VAR/apache.conf"; }
  # shellcheck disable=SC2086
  apache -f "$VAR/apache.conf" $defs -k start \
    || die "Apache did not start (is port $PORT free? see $VAR/log/apache-error.log)"
  wait_http "$VAR/log/apache-error.log"
}

# The web server kind this $VAR runs, if any (the file holds "kind port").
running_kind() { { read -r k _ <"$VAR/run/web-server" && echo "$k"; } 2>/dev/null || true; }
running_port() { { read -r _ p <"$VAR/run/web-server" && echo "$p"; } 2>/dev/null || true; }

start_web() {
  kind=$(running_kind)
  if [ -n "$kind" ] && [ "$kind" != "$SERVER" ]; then
    say "stopping $kind to start $SERVER"
    stop_web
  fi
  case $SERVER in
    lighttpd) start_lighttpd ;;
    *) start_apache ;;
  esac
  echo "$SERVER $PORT" >"$VAR/run/web-server"
}

# Ends the given processes, all at once: TERM, then KILL whatever still runs after 10 s.
end_pids() {
  pids=
  for p in "$@"; do kill "$p" 2>/dev/null && pids="$pids $p"; done
  i=0
  while [ -n "$pids" ] && [ $i -lt 100 ]; do
    left=
    for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
    pids=$left
    [ -n "$pids" ] && sleep 0.1
    i=$((i + 1))
  done
  for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
}

# Ends the processes named by pid files (end_pids) and removes the files.
stop_pidfiles() {
  named=
  for f in "$@"; do
    alive "$f" && named="$named $pid"
    rm -f "$f"
  done
  # shellcheck disable=SC2086 # a list of pids
  end_pids $named
}

stop_web() {
  # the web server first (no new requests), then the FastCGI pools of apache-proxy
  stop_pidfiles "$VAR/run/lighttpd.pid" "$VAR/run/apache.pid"
  stop_pidfiles "$VAR"/run/fcgi/*.pid
  # Every process this stack's web server started carries PROVISION_CONF=$CONF (FastCGI
  # workers, CGI programs, their background children): end any left behind.
  left=
  for f in $(grep -lzxF "PROVISION_CONF=$CONF" /proc/[0-9]*/environ 2>/dev/null); do
    p=${f#/proc/}
    left="$left ${p%/environ}"
  done
  # shellcheck disable=SC2086 # a list of pids
  end_pids $left
  rm -f "$VAR/run/web-server"
}

demo_tenant() {
  if [ ! -s "$VAR/demo-tenant.json" ]; then
    (umask 077 && PROVISION_CONF=$CONF "$PROVCTL" tenant create --name Demo --json \
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
  stop_web
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
    case $SERVER in
      lighttpd | apache-fcgid | apache-proxy | apache-cgi) ;;
      *) die "unknown SERVER=$SERVER (lighttpd, apache-fcgid, apache-proxy or apache-cgi)" ;;
    esac
    for b in $EXES; do
      [ -x "$BIN/$b" ] || die "$BIN/$b is missing: run make first"
    done
    [ -x "$PROVCTL" ] || die "$PROVCTL is missing: run make first"
    start_db
    start_web
    demo_tenant
    examples
    ;;
  stop) stop_stack ;;
  # the web server alone, for a $VAR whose provision.conf someone else wrote (tools/cluster.sh:
  # one web node per database node); web-stop ends what web-start started
  web-start)
    [ -s "$CONF" ] || die "$CONF is missing: web-start serves an existing configuration"
    mkdir -p "$VAR/run" "$VAR/log" "$VAR/tmp" "$VAR/www"
    start_web
    ;;
  web-stop) stop_web ;;
  status)
    alive "$VAR/run/mysqld.pid" && say "MariaDB running" || say "MariaDB stopped"
    kind=$(running_kind)
    if [ -n "$kind" ]; then
      say "$kind running on 127.0.0.1:$(running_port)"
    else
      say "web server stopped"
    fi
    ;;
  *) die "usage: [SERVER=lighttpd|apache-fcgid|apache-proxy|apache-cgi] stack.sh start|stop|status|web-start|web-stop" ;;
esac
