#!/bin/sh
# run-unit.sh DIR [LABEL]: runs every cmocka test binary in DIR (TAP output), prints each
# failure, and ends with "LABEL: N passed, M failed". A binary that dies without reporting
# (a sanitizer abort, a crash) counts as one failure. If RESULTS names a file, "N M" is
# appended to it for tests/run.sh to total. Exit status 1 when anything failed.
set -u
dir=${1:?usage: run-unit.sh DIR [LABEL]}
label=${2:-unit}
pass=0
fail=0
for t in "$dir"/test_*; do
  [ -x "$t" ] || continue
  out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
  rc=$?
  p=$(printf '%s\n' "$out" | grep -c '^ok ')
  f=$(printf '%s\n' "$out" | grep -c '^not ok ')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    printf '%s\n' "$out" | tail -n 30
    echo "FAIL $label $(basename "$t"): exited with status $rc"
  elif [ "$f" -gt 0 ]; then
    printf '%s\n' "$out" | grep -A8 '^not ok ' | head -n 60
    echo "FAIL $label $(basename "$t"): $f failed"
  fi
  pass=$((pass + p))
  fail=$((fail + f))
done
echo "$label: $pass passed, $fail failed"
[ -n "${RESULTS:-}" ] && echo "$pass $fail" >> "$RESULTS"
[ "$fail" -eq 0 ]
