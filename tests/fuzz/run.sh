#!/bin/sh
# run.sh BINDIR SECONDS JOBS [LABEL]: runs every libFuzzer harness in BINDIR (fuzz_*) for
# SECONDS each, JOBS at a time, over its committed corpus tests/fuzz/corpus/<name> (seeds and
# crash regressions, replayed first) plus a scratch corpus under build/fuzz/work/<name> where
# new inputs go (the committed corpus is never written). A harness passes when libFuzzer ends
# without a crash, leak, UB report or timeout; a failing input is saved under
# build/fuzz/artifacts/ and its report printed. Prints one line per harness with its
# executions, then "LABEL: N passed, M failed" (each harness one test) and a total of
# executions; appends "N M" to $RESULTS when set. Exit status 1 when any harness failed.
set -u
bindir=${1:?usage: run.sh BINDIR SECONDS JOBS [LABEL]}
secs=${2:-60}
jobs=${3:-2}
label=${4:-fuzz}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
work=$ROOT/build/fuzz/work
arts=$ROOT/build/fuzz/artifacts
logs=$ROOT/build/fuzz/logs
mkdir -p "$work" "$arts" "$logs"

# one harness: NAME -> its log in $logs/NAME.log and exit status in $logs/NAME.rc
one() {
  name=$1
  mkdir -p "$work/$name" "$ROOT/tests/fuzz/corpus/$name"
  dict=
  [ -f "$ROOT/tests/fuzz/$name.dict" ] && dict=-dict=$ROOT/tests/fuzz/$name.dict
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb bounds memory per process
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bindir/fuzz_$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$arts/$name-" $dict \
    "$work/$name" "$ROOT/tests/fuzz/corpus/$name" >"$logs/$name.log" 2>&1
  echo $? >"$logs/$name.rc"
}

names=$(for b in "$bindir"/fuzz_*; do [ -x "$b" ] && basename "$b" | sed 's/^fuzz_//'; done)
[ -n "$names" ] || { echo "FAIL $label: no harness in $bindir"; exit 1; }
t0=$(date +%s)
# a pool of $jobs workers: each takes the next name from a shared list under a lock-free
# scheme (one list per worker, names dealt round-robin)
i=0
for w in $(seq 1 "$jobs"); do : >"$logs/.queue.$w"; done
for n in $names; do
  w=$((i % jobs + 1))
  echo "$n" >>"$logs/.queue.$w"
  i=$((i + 1))
done
for w in $(seq 1 "$jobs"); do
  ( while read -r n; do one "$n"; done <"$logs/.queue.$w" ) &
done
wait
pass=0
fail=0
total=0
for n in $names; do
  rc=$(cat "$logs/$n.rc" 2>/dev/null || echo 99)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$n.log" | tail -n 1)
  runs=${runs:-0}
  total=$((total + runs))
  if [ "$rc" = 0 ]; then
    pass=$((pass + 1))
    printf 'ok %-16s %10s executions in %ss\n' "$n" "$runs" "$secs"
  else
    fail=$((fail + 1))
    echo "FAIL $label $n (exit $rc; full log $logs/$n.log)"
    grep -E -A25 '^==[0-9]+==ERROR|runtime error|harness assertion|ERROR: libFuzzer' \
      "$logs/$n.log" | head -n 60
  fi
done
rm -f "$logs"/.queue.*
echo "$label: $pass passed, $fail failed ($total executions in $(($(date +%s) - t0))s)"
[ -n "${RESULTS:-}" ] && echo "$pass $fail" >>"$RESULTS"
[ "$fail" -eq 0 ]
