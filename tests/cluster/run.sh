#!/bin/sh
# run.sh: `make test-cluster`. Starts a cluster of its own (tools/cluster.sh: three Galera nodes,
# two lighttpd web nodes) under var/test/cluster on free loopback ports, runs
# tests/cluster/test_cluster.py against it, stops it, checks that nothing it started is left,
# and ends with "N passed, M failed". Exit status 1 on any failure.
# Environment: PROVISION_BIN (default <checkout>/build).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
CVAR=$ROOT/var/test/cluster
BIN=${PROVISION_BIN:-$ROOT/build}
T0=$(date +%s)

# Two consecutive free ports for the web nodes, and a base with the 30 ports the database
# nodes need (each: SQL, group communication, IST, SST) free, all on 127.0.0.1.
ports=$(python3 - <<'EOF'
import random, socket
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()
rnd = random.Random()
while True:
    web = rnd.randrange(20000, 30000)
    db = rnd.randrange(30000, 40000, 10)
    if free(web) and free(web + 1) and all(free(db + 10 * n + k) for n in range(3)
                                              for k in range(4)):
        print(web, db)
        break
EOF
)
PORT=${ports% *}
DBPORT=${ports#* }
export PORT CLUSTER_DB_PORT="$DBPORT" CLUSTER_VAR="$CVAR" PROVISION_BIN="$BIN" STACK_QUIET=1

stop_cluster() { sh tools/cluster.sh stop >/dev/null 2>&1; }
trap stop_cluster EXIT INT TERM
stop_cluster
rm -rf "$CVAR"
mkdir -p "$ROOT/var/test"

status=0
pass=0
fail=0
echo "== cluster test (3 Galera nodes from 127.0.0.1:$DBPORT, web nodes on $PORT and $((PORT + 1)))"
if sh tools/cluster.sh start >"$ROOT/var/test/cluster-start.log" 2>&1; then
  echo "   cluster started in $(($(date +%s) - T0)) s"
  python3 tests/cluster/test_cluster.py --var "$CVAR" --port "$PORT" --db-port "$DBPORT" \
    --bin "$BIN" | tee "$ROOT/var/test/cluster-test.log"
  last=$(tail -n 1 "$ROOT/var/test/cluster-test.log")
  case $last in
    *" passed, "*" failed")
      pass=${last%% passed*}
      f=${last#*passed, }
      fail=${f%% failed*}
      ;;
    *) fail=1; echo "FAIL the cluster test did not finish" ;;
  esac
else
  fail=1
  echo "FAIL the cluster did not start"
  tail -n 30 "$ROOT/var/test/cluster-start.log"
  tail -n 30 "$CVAR"/db*/mariadb.err 2>/dev/null
fi
# what the database nodes said, when something failed
if [ "$fail" != 0 ]; then
  for n in 1 2 3; do
    echo "-- $CVAR/db$n/mariadb.err (last lines)"
    tail -n 15 "$CVAR/db$n/mariadb.err" 2>/dev/null
  done
fi
stop_cluster
trap - EXIT INT TERM

# nothing of the cluster may outlive its stop: no mariadbd of its datadirs, no process
# carrying one of its configurations
left=
for p in /proc/[0-9]*; do
  if { tr '\0' '\n' <"$p/cmdline"; } 2>/dev/null | grep -q "^--datadir=$CVAR/"; then
    left="$left ${p#/proc/}"
  elif { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -q "^PROVISION_CONF=$CVAR/"; then
    left="$left ${p#/proc/}"
  fi
done
if [ -n "$left" ]; then
  echo "FAIL cluster stop left processes behind:$left"
  fail=$((fail + 1))
else
  echo "ok cluster stop left no process behind"
  pass=$((pass + 1))
fi
[ "$fail" -gt 0 ] && status=1
echo "   (cluster test: $(($(date +%s) - T0)) s)"
echo "$pass passed, $fail failed"
exit $status
