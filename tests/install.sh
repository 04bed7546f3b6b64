#!/bin/sh
# install.sh: `make install` into a DESTDIR produces a tree that serves requests. Stages an
# install (PREFIX=/opt/provision), checks its layout and the paths written into its configs,
# then runs a private stack from the staged tree alone: the installed provctl migrates a fresh
# MariaDB (the migrations are embedded in it) and creates a tenant, and Apache with the
# installed provision-fcgid.conf, pointed at the staged libexec, answers the seed requests.
# Prints "install: N passed, M failed" and appends "N M" to $RESULTS when set.
#
# Environment: TEST_PORT (default: a free port).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
STAGE=$ROOT/var/test/install-stage
TVAR=$ROOT/var/test/install
PREFIX=/opt/provision
TREE=$STAGE$PREFIX
PORT=${TEST_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
export PORT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL install: $*"; }
check() { what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

stack() {
  SERVER=apache-fcgid PROVISION_VAR=$TVAR PROVISION_BIN=$TREE/libexec/provision \
    PROVCTL=$TREE/sbin/provctl APACHE_CONFDIR=$TREE/share/provision/apache-conf STACK_QUIET=1 \
    sh tools/stack.sh "$@"
}
trap 'stack stop >/dev/null 2>&1' EXIT INT TERM
stack stop >/dev/null 2>&1
rm -rf "$STAGE" "$TVAR"

if ! make -s install DESTDIR="$STAGE" PREFIX=$PREFIX >"$ROOT/var/test/install.log" 2>&1; then
  cat "$ROOT/var/test/install.log"
  bad "make install DESTDIR=$STAGE failed"
else
  ok
  for f in libexec/provision/add_user libexec/provision/bulk_users libexec/provision/invite \
    libexec/provision/task_status sbin/provctl; do
    check "$f installed executable" test -x "$TREE/$f"
  done
  for f in share/provision/apache-conf/provision-fcgid.conf \
    share/provision/apache-conf/provision-proxy-fcgi.conf \
    share/provision/apache-conf/provision-fcgi@.service share/provision/apache-conf/htaccess \
    share/provision/lighttpd-conf/provision-production.conf \
    share/provision/lighttpd-conf/provision-mounts.conf share/doc/provision/README.md; do
    check "$f installed" test -f "$TREE/$f"
  done
  check "migrations installed" test -n "$(ls "$TREE"/share/provision/sql/migrations/*.sql)"
  check "example config in SYSCONFDIR" test -f "$STAGE/etc/provision.conf.example"
  check "nothing installed outside PREFIX and /etc" \
    test "$(cd "$STAGE" && ls -A | tr '\n' ' ')" = "etc opt "
  # the configs name this install's paths
  check "fcgid config names PREFIX's libexec" grep -q \
    "Define PROVISION_LIBEXEC $PREFIX/libexec/provision\$" \
    "$TREE/share/provision/apache-conf/provision-fcgid.conf"
  check "systemd unit names PREFIX's libexec" grep -q \
    -- "-- $PREFIX/libexec/provision/%i\$" "$TREE/share/provision/apache-conf/provision-fcgi@.service"
  check "lighttpd config names PREFIX's mounts" grep -q \
    "include \"$PREFIX/share/provision/lighttpd-conf/provision-mounts.conf\"" \
    "$TREE/share/provision/lighttpd-conf/provision-production.conf"
  check "installed lighttpd production config parses" sh -c \
    "sed 's|$PREFIX/|$TREE/|g' '$TREE/share/provision/lighttpd-conf/provision-production.conf' \
       >'$ROOT/var/test/lighttpd-production.conf' &&
     printf 'server.document-root = \"/nonexistent\"\nserver.port = 1\ninclude \"%s\"\n' \
       '$ROOT/var/test/lighttpd-production.conf' >'$ROOT/var/test/lighttpd-wrapper.conf' &&
     lighttpd -t -f '$ROOT/var/test/lighttpd-wrapper.conf' >/dev/null"

  # A stack made only of the staged tree: installed provctl migrates and creates the tenant.
  if stack start; then
    ok
    T=$TVAR/demo-tenant.json
    j() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$T" "$1"; }
    out=$(curl -s -w '\n%{http_code}' -X POST "http://127.0.0.1:$PORT/v1/user/add" \
      -d "api_key=$(j xtracta.api_key)&name=John&email_address=john@xtracta.com&password=12345678&group_id=$(j xtracta.group_id)")
    check "Xtracta seed request through the installed config: $out" \
      sh -c 'printf "%s" "$1" | tail -n 1 | grep -qx 200 &&
             printf "%s" "$1" | grep -q "<status>200</status>"' - "$out"
    out=$(curl -s -w '\n%{http_code}' -X POST \
      "http://127.0.0.1:$PORT/urac/admin/addUser?tId=$(j id)&tCode=$(j code)" -H "key: $(j soajs.key)" \
      -d 'username=john&firstName=John&lastName=Doe&email=johndoe@domain.com')
    check "SOAJS seed request through the installed config: $out" \
      sh -c 'printf "%s" "$1" | tail -n 1 | grep -qx 200 &&
             printf "%s" "$1" | grep -q "^{\"result\":true"' - "$out"
    check "installed provctl migrate again (idempotent)" \
      sh -c 'PROVISION_CONF="$1" "$2" migrate >/dev/null' - "$TVAR/provision.conf" "$TREE/sbin/provctl"
    check "the process that answered runs the staged add_user" sh -c \
      'for e in /proc/[0-9]*/exe; do readlink "$e"; done 2>/dev/null | grep -qx "$1"' \
      - "$TREE/libexec/provision/add_user"
  else
    bad "stack from the staged tree did not start"
    tail -n 20 "$TVAR/log/"*.log 2>/dev/null
  fi
fi
stack stop >/dev/null 2>&1
trap - EXIT INT TERM

echo "install: $pass passed, $fail failed"
[ -n "${RESULTS:-}" ] && echo "$pass $fail" >>"$RESULTS"
[ "$fail" = 0 ]
