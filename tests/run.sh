#!/bin/sh
# run.sh: every test of the project, as `make test` runs it. Builds the project and the
# sanitizer tree, runs the unit tests in both, starts a private test stack (its own MariaDB
# datadir and lighttpd on a free loopback port under var/test), runs the HTTP suite against
# it, stops it, and ends with the line "N passed, M failed". Exit status 1 on any failure.
#
# Environment: TEST_PORT (default: a free port), TEST_SKIP_ASAN=1 to skip the sanitizer run
# (for quick local iterations only; CI never sets it), HTTP_ONLY=pattern to run matching
# HTTP test files only.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
RESULTS=$(mktemp)
export RESULTS
JOBS=$(nproc 2>/dev/null || echo 2)
status=0

note_fail() { echo "0 1" >>"$RESULTS"; status=1; }

echo "== build"
make -s -j"$JOBS" all unit-bins || { note_fail; echo "FAIL build"; }
echo "== unit tests"
sh tests/run-unit.sh build/tests unit || status=1
if [ "${TEST_SKIP_ASAN:-0}" != 1 ]; then
  echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  if make -s -j"$JOBS" asan; then
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      sh tests/run-unit.sh build/asan/tests asan || status=1
  else
    note_fail
    echo "FAIL asan build"
  fi
fi

echo "== HTTP tests (lighttpd + MariaDB, private stack)"
TVAR=$ROOT/var/test
PORT=${TEST_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
export PORT
stop_stack() { PROVISION_VAR=$TVAR sh tools/stack.sh stop >/dev/null 2>&1; }
trap stop_stack EXIT INT TERM
stop_stack
rm -rf "$TVAR"
if PROVISION_VAR=$TVAR STACK_QUIET=1 sh tools/stack.sh start; then
  python3 tests/http/run.py --base-url "http://127.0.0.1:$PORT" --var "$TVAR" --bin "$ROOT/build" \
    --server lighttpd ${HTTP_ONLY:+--only "$HTTP_ONLY"} || status=1
  echo "== process tests (one FastCGI process driven directly)"
  python3 tests/http/run.py --base-url "http://127.0.0.1:$PORT" --var "$TVAR" --bin "$ROOT/build" \
    --server lighttpd --dir tests/process --label process ${HTTP_ONLY:+--only "$HTTP_ONLY"} \
    || status=1
else
  note_fail
  echo "FAIL test stack did not start"
  tail -n 30 "$TVAR/log/"*.log "$TVAR/log/"*.err 2>/dev/null
fi
stop_stack
trap - EXIT INT TERM
# the stop must leave nothing behind: no process may still carry this stack's configuration
left=""
for p in /proc/[0-9]*; do
  if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "PROVISION_CONF=$TVAR/provision.conf"; then
    left="$left ${p#/proc/}"
  fi
done
[ -f "$TVAR/run/mysqld.pid" ] && left="$left mysqld.pid"
if [ -n "$left" ]; then
  echo "FAIL stack stop left processes behind:$left"
  note_fail
else
  echo "1 0" >>"$RESULTS"
  echo "ok stack stop left no process behind"
fi

pass=0
fail=0
while read -r p f; do
  pass=$((pass + p))
  fail=$((fail + f))
done <"$RESULTS"
rm -f "$RESULTS"
[ "$fail" -gt 0 ] && status=1
echo "$pass passed, $fail failed"
exit $status
