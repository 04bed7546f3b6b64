#!/bin/sh
# run.sh: every test of the project, as `make test` runs it. Builds the project and the
# sanitizer tree, runs the unit tests in both, then runs the HTTP suite once per web server
# (lighttpd, Apache mod_fcgid, Apache plain CGI through .htaccess), each against a fresh private
# stack (its own MariaDB datadir and web server on a free loopback port under var/test/<server>)
# that it stops afterwards, checks that `make install` into a DESTDIR serves requests, and ends
# with the line "N passed, M failed". Exit status 1 on any failure. Under lighttpd only, it also
# runs the docs' curl examples (tests/docs) and checks docs/openapi against the exchanges the
# suite recorded (tests/openapi_check.py). It also checks the layering (tools/check-layers.py)
# and that every json-c add is checked (tools/check-json.py).
#
# Environment: TEST_PORT (default: a free port), TEST_SKIP_ASAN=1 to skip the sanitizer run
# (for quick local iterations only; CI never sets it), TEST_SERIAL=1 to run the per-server
# suites one after the other instead of side by side, HTTP_ONLY=pattern to run matching
# HTTP test files only (and skip the install check), HTTP_SERVERS="lighttpd apache-fcgid
# apache-cgi" (the default, then test_deploy.py and tests/harden/test_pools.py alone under
# apache-proxy) to choose them, TEST_SKIP_INSTALL=1 to skip the install check.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
RESULTS=$(mktemp)
export RESULTS
JOBS=$(nproc 2>/dev/null || echo 2)
status=0

note_fail() { echo "0 1" >>"$RESULTS"; status=1; }
# Each section's heading carries the seconds since the start, to see where CI time goes.
T0=$(date +%s)
section() { echo "== $* [at $(($(date +%s) - T0)) s]"; }

section build
make -s -j"$JOBS" all unit-bins bench-bins || { note_fail; echo "FAIL build"; }
section unit tests
sh tests/run-unit.sh build/tests unit || status=1
# The layers (docs/ARCHITECTURE.md): every #include, the archives just built, and the checker's
# own self-test (a deliberate upward include and an upward call must fail).
section layers
python3 tools/check-layers.py || status=1
python3 tools/check-layers.py --archives build || status=1
python3 tools/check-layers.py --self-test || status=1
# Every json-c add checked (codec/json_out.h), and the checker's self-test (a deliberate
# unchecked add must fail).
section json-c adds
python3 tools/check-json.py || status=1
python3 tools/check-json.py --self-test || status=1
if [ "${TEST_SKIP_ASAN:-0}" != 1 ]; then
  section unit tests under AddressSanitizer + UndefinedBehaviorSanitizer
  if make -s -j"$JOBS" asan; then
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      sh tests/run-unit.sh build/asan/tests asan || status=1
  else
    note_fail
    echo "FAIL asan build"
  fi
fi

# ---- hardening (issue 7, docs/SECURITY.md): libFuzzer harnesses, FUZZ_SECONDS each (5 here,
# .ci/run sets 60), two at a time, after replaying their committed seeds and crash inputs.
# TEST_SKIP_FUZZ=1 (or TEST_SKIP_ASAN=1) skips them.
if [ "${TEST_SKIP_ASAN:-0}" != 1 ] && [ "${TEST_SKIP_FUZZ:-0}" != 1 ] && [ -z "${HTTP_ONLY:-}" ]
then
  section "fuzzing (${FUZZ_SECONDS:-5} s per harness)"
  if make -s -j"$JOBS" fuzz-bins >/dev/null; then
    sh tests/fuzz/run.sh build/fuzz/fuzzers "${FUZZ_SECONDS:-5}" 2 fuzz || status=1
  else
    note_fail
    echo "FAIL fuzz build (needs clang and libclang-rt-14-dev)"
  fi
fi
# ---- end of hardening block

# The same HTTP suite once per web server: each gets a fresh private stack (its own MariaDB
# datadir, config and web server on a free loopback port) under var/test/<server>.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# After a stack stop nothing may be left behind: no process carrying its configuration.
check_stopped() {
  left=""
  for p in /proc/[0-9]*; do
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "PROVISION_CONF=$TVAR/provision.conf"; then
      left="$left ${p#/proc/}"
    fi
  done
  [ -f "$TVAR/run/mysqld.pid" ] && left="$left mysqld.pid"
  if [ -n "$left" ]; then
    echo "FAIL $1: stack stop left processes behind:$left"
    note_fail
  else
    echo "1 0" >>"$RESULTS"
    echo "ok $1: stack stop left no process behind"
  fi
}
# ---- hardening (issue 7): the sanitizer build behind lighttpd. asan_stop ends its FastCGI
# processes with SIGTERM (their clean exit, where LeakSanitizer runs) and waits for them;
# asan_check fails on any sanitizer report and counts the processes whose exit was checked
# (atexit=1 writes exit statistics for each).
asan_stop() {
  pids=""
  for p in /proc/[0-9]*; do
    case $(readlink "$p/exe" 2>/dev/null) in "$ROOT"/build/asan/*) ;; *) continue ;; esac
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "PROVISION_CONF=$TVAR/provision.conf"
    then
      pids="$pids ${p#/proc/}"
    fi
  done
  [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
  i=0
  for p in $pids; do
    while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  done
}
asan_check() {
  reports=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error|SUMMARY: ' \
    "$TVAR"/log/asan* 2>/dev/null)
  checked=$(grep -l 'exit stats' "$TVAR"/log/asan.* 2>/dev/null | wc -l)
  if [ -n "$reports" ]; then
    echo "FAIL $1: sanitizer reports from the executables:"
    for f in $reports; do head -n 40 "$f"; done
    note_fail
  elif [ "$checked" -lt 4 ]; then
    echo "FAIL $1: only $checked sanitized FastCGI processes ran their exit checks"
    note_fail
  else
    echo "1 0" >>"$RESULTS"
    echo "ok $1: HTTP suite against the ASan+UBSan executables, $checked processes leak-checked at exit, no report"
  fi
}
# ---- end of hardening block
http_suite() {
  kind=$1
  only=${2:-${HTTP_ONLY:-}}
  TVAR=$ROOT/var/test/$kind
  PORT=${TEST_PORT:-$(free_port)}
  export PORT
  echo "== HTTP tests under $kind (private MariaDB + $kind on 127.0.0.1:$PORT)"
  t0=$(date +%s)
  stop_stack() { PROVISION_VAR=$TVAR sh tools/stack.sh stop >/dev/null 2>&1; }
  trap stop_stack EXIT INT TERM
  stop_stack
  rm -rf "$TVAR"
  # ---- hardening (issue 7): under lighttpd the stack serves the AddressSanitizer +
  # UndefinedBehaviorSanitizer build of the executables (build/asan, made above); every report
  # goes to var/test/lighttpd/log/asan.<pid> and fails the suite (asan_check below)
  STACK_BIN=$ROOT/build
  if [ "$kind" = lighttpd ] && [ "${TEST_SKIP_ASAN:-0}" != 1 ] && [ -x build/asan/add_user ]; then
    STACK_BIN=$ROOT/build/asan
  fi
  # ---- end of hardening block
  if SERVER=$kind PROVISION_VAR=$TVAR STACK_QUIET=1 PROVISION_BIN=$STACK_BIN \
     PROVCTL=$ROOT/build/provctl \
     ASAN_OPTIONS=log_path=$TVAR/log/asan:detect_leaks=1:atexit=1 \
     UBSAN_OPTIONS=log_path=$TVAR/log/asan-ubsan:print_stacktrace=1 \
     sh tools/stack.sh start; then
    # docs examples and OpenAPI check (issue 6): once, under lighttpd; the examples run first,
    # on the fresh stack; the HTTP suite's exchanges are recorded for the OpenAPI check
    rec=
    if [ "$kind" = lighttpd ]; then
      echo "== docs examples (README, make run, docs/*.md: the curl examples run verbatim)"
      python3 tests/http/run.py --base-url "http://127.0.0.1:$PORT" --var "$TVAR" \
        --bin "$ROOT/build" --server "$kind" --dir tests/docs --label docs \
        ${only:+--only "$only"} || status=1
      rec=$TVAR/exchanges.jsonl
    fi
    PROVISION_HTTP_RECORD=$rec python3 tests/http/run.py --base-url "http://127.0.0.1:$PORT" \
      --var "$TVAR" --bin "$ROOT/build" --server "$kind" --label "http[$kind]" \
      ${only:+--only "$only"} || status=1
    # ---- hardening (issue 7): hostile input, isolation, races, outage, secrets; per server
    # (under apache-proxy, which runs the deploy checks only, the slow-client test alone:
    # issue 13, its pools are what slow clients must not hold)
    hard=$only
    run_hard=1
    if [ "$kind" = apache-proxy ]; then
      hard=test_pools
      case test_pools in *"${HTTP_ONLY:-test_pools}"*) ;; *) run_hard=0 ;; esac
    fi
    if [ $run_hard = 1 ]; then
      python3 tests/http/run.py --base-url "http://127.0.0.1:$PORT" --var "$TVAR" \
        --bin "$ROOT/build" --server "$kind" --dir tests/harden --label "harden[$kind]" \
        ${hard:+--only "$hard"} || status=1
    fi
    # ---- end of hardening block
    if [ "$kind" = lighttpd ]; then
      echo "== process tests (one FastCGI process driven directly, once whatever the server)"
      python3 tests/http/run.py --base-url "http://127.0.0.1:$PORT" --var "$TVAR" \
        --bin "$ROOT/build" --server "$kind" --dir tests/process --label process \
        ${only:+--only "$only"} || status=1
      echo "== OpenAPI files (docs/openapi) against the HTTP suite's recorded exchanges"
      python3 tests/openapi_check.py --record "$rec" ${only:+--no-coverage} || status=1
    fi
  else
    note_fail
    echo "FAIL test stack ($kind) did not start"
    tail -n 30 "$TVAR/log/"*.log "$TVAR/log/"*.err 2>/dev/null
  fi
  [ "$STACK_BIN" = "$ROOT/build" ] || asan_stop
  stop_stack
  trap - EXIT INT TERM
  check_stopped "$kind"
  [ "$STACK_BIN" = "$ROOT/build" ] || asan_check "$kind"
  echo "   ($kind: $(($(date +%s) - t0)) s with the stack's start and stop)"
}
# The suites run side by side (each has its own stack and port; they share nothing but the
# read-only build/), each writing its own log, shown in order once all are done. A suite's
# failures reach the total through $RESULTS; its exit status through a marker file.
SUITES=${HTTP_SERVERS:-lighttpd apache-fcgid apache-cgi}
if [ -z "${HTTP_SERVERS:-}" ] && [ -z "${HTTP_ONLY:-}" ]; then
  # mod_proxy_fcgi + spawn-fcgi/multiwatch pools: the mount and pass-through checks and the
  # slow-client test only
  SUITES="$SUITES apache-proxy"
fi
LOGS=$(mktemp -d)
for kind in $SUITES; do
  only=
  [ "$kind" = apache-proxy ] && only=test_deploy
  if [ "${TEST_SERIAL:-0}" = 1 ] || [ -n "${TEST_PORT:-}" ]; then
    http_suite "$kind" "$only"
  else
    ( status=0; http_suite "$kind" "$only"; [ $status = 0 ] || touch "$LOGS/$kind.failed" ) \
      >"$LOGS/$kind.log" 2>&1 &
  fi
done
wait
for kind in $SUITES; do
  [ -f "$LOGS/$kind.log" ] && cat "$LOGS/$kind.log"
  [ -f "$LOGS/$kind.failed" ] && status=1
done
rm -rf "$LOGS"

if [ -z "${HTTP_ONLY:-}" ] && [ "${TEST_SKIP_INSTALL:-0}" != 1 ]; then
  section make install into a DESTDIR, served through the installed Apache config
  sh tests/install.sh || status=1
fi

pass=0
fail=0
while read -r p f; do
  pass=$((pass + p))
  fail=$((fail + f))
done <"$RESULTS"
rm -f "$RESULTS"
[ "$fail" -gt 0 ] && status=1
echo "   (all tests: $(($(date +%s) - T0)) s)"
echo "$pass passed, $fail failed"
exit $status
