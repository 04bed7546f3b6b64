#!/usr/bin/env python3
"""test_cluster.py: the service on a three-node MariaDB Galera cluster behind two web nodes
(tools/cluster.sh), with a database node killed under load (docs/SECURITY.md, "Cluster").

1. Migrations started on the three nodes at once, against a fresh database: all succeed, the
   schema is applied exactly once (the lock holds across nodes).
2. Through both web nodes at once: creates in all four dialects (each a user invited by mail),
   a 10 000-user Skedulo /bulk import, `provctl mail deliver` running for each web node at the
   same time against a sendmail stand-in that records every message. Midway, database node 1
   (the one web node 1 prefers) is killed with SIGKILL; later it is started again and rejoins.
3. Then: every create answered as successful exists exactly once, on all three nodes; no user
   exists twice; the import completed once with every user once; every mail was delivered
   exactly once (counted by Message-ID, which is the outbox row's own); every answer was a
   success or the dialect's documented "database unavailable", none took more than 10 s; the
   three nodes hold the same rows.

Prints "ok ..." / "FAIL ..." per check, a figures line, and ends with "N passed, M failed".
Only the Python 3 standard library (and tests/http/harness.py, tests/harden/hardening.py)."""
import argparse
import collections
import email.parser
import getpass
import json
import os
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "http"))
sys.path.insert(0, os.path.join(ROOT, "tests", "harden"))
from harness import Env  # noqa: E402
import hardening as H  # noqa: E402

DIALECTS = ("soajs", "xtracta", "skedulo", "servicepower")
BULK_USERS = 10000
SLOWEST = 10.0          # seconds: no answer may take longer, outage or not
KILL_AFTER = 6.0        # seconds of load at most before node 1 is killed
OUTAGE = 8.0            # seconds node 1 stays down
AFTER_REJOIN = 4.0      # seconds of load once it is back
PACE = 0.05             # seconds between two creates of one thread

RESULTS = {"pass": 0, "fail": 0}


def ok(cond, what, detail=""):
    if cond:
        RESULTS["pass"] += 1
        print(f"ok {what}")
    else:
        RESULTS["fail"] += 1
        print(f"FAIL {what}{': ' + detail if detail else ''}")
    sys.stdout.flush()
    return cond


class Cluster:
    def __init__(self, cvar, dbport):
        self.cvar = cvar
        self.dbport = dbport
        self.me = getpass.getuser()

    def sql_port(self, n):
        return self.dbport + 10 * (n - 1)

    def sql(self, n, query, db="provision", causal=True):
        """Rows of a query on node n (through its socket, as the datadir's admin), the read
        causal so that it sees everything the cluster committed before it."""
        pre = "SET SESSION wsrep_sync_wait = 1; " if causal else ""
        p = subprocess.run(
            ["mariadb", "--no-defaults", "--socket=" + os.path.join(self.cvar, f"db{n}",
                                                                     "mysqld.sock"),
             "-u", self.me, "--default-character-set=utf8mb4", "-N", "-B", "--raw", db,
             "-e", pre + query], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"sql on node {n} failed: {p.stderr.strip()} in {query}")
        return [[None if c == "NULL" else c for c in line.split("\t")]
                for line in p.stdout.splitlines()]

    def status(self, n, var):
        try:
            rows = self.sql(n, f"SHOW GLOBAL STATUS LIKE '{var}'", db="mysql", causal=False)
            return rows[0][1] if rows else None
        except (AssertionError, subprocess.TimeoutExpired):
            return None

    def pid(self, n):
        with open(os.path.join(self.cvar, f"db{n}", "mysqld.pid")) as f:
            return int(f.read().strip())

    def script(self, *args):
        e = dict(os.environ, CLUSTER_VAR=self.cvar, CLUSTER_DB_PORT=str(self.dbport),
                 STACK_QUIET="1")
        return subprocess.run(["sh", os.path.join(ROOT, "tools", "cluster.sh"), *args], env=e,
                              capture_output=True, text=True, timeout=180)


# ---- answers ----

def acked(dialect, r):
    """The dialect's answer of a user created."""
    if r.status != 200:
        return False
    try:
        if dialect == "soajs":
            return r.json().get("result") is True
        if dialect == "skedulo":
            return r.json()["result"]["inserted"] == 1
        if dialect == "servicepower":
            return r.json()["detail"]["params"]["inserted"] == "1"
    except (AssertionError, KeyError, TypeError):
        return False
    return b"<status>200</status>" in r.body


def db_down(dialect, r):
    """The dialect's documented "database unavailable" answer (docs/<dialect>.md)."""
    try:
        if dialect == "soajs":
            b = r.json()
            return r.status == 200 and b["errors"]["codes"] == [400] and \
                b["errors"]["details"][0]["message"] == "Database connection error"
        if dialect == "xtracta":
            return r.status == 503 and b"<status>503</status>" in r.body
        if dialect == "skedulo":
            return r.status == 503 and r.json()["errorType"] == "service_unavailable"
        return r.status == 503 and r.json()["code"] == 503
    except (AssertionError, KeyError, TypeError, IndexError):
        return False


def create(env, t, dialect, tag):
    """(email, response) of one create through the dialect, a user invited by mail."""
    email = f"c.{tag}@example.com"
    if dialect == "soajs":
        r = H.soajs_add(env, t, {"username": "u" + tag, "firstName": "C", "lastName": "L",
                                 "email": email})
    elif dialect == "xtracta":
        r = H.xtracta_add(env, t, {"name": "C L", "email_address": email})
    elif dialect == "skedulo":
        r = H.sk_post(env, t, [{"email": email, "firstName": "C", "lastName": "L",
                                "sendInvitation": True}])
    else:
        r = H.sp_post(env, t, [{"UserID": "u" + tag, "CUD": 1, "Email": email}])
    return email, r


# ---- phase 1: migrations on two nodes at once ----

def migrations_race(cl, webs, bindir):
    want = len([f for f in os.listdir(os.path.join(ROOT, "sql", "migrations"))
                if f.endswith(".sql")])
    # a database of its own, left in place (the cluster goes with the test): DROP DATABASE
    # also reads mysql.proc, which a fresh CI chroot once reported corrupt on node 1
    race = "provision_race_" + uuid.uuid4().hex[:8]
    cl.sql(1, f"CREATE DATABASE {race} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
           db="mysql")
    # one runner per node, all let go at the same instant (each sleeps until then)
    procs = []
    start = time.time() + 0.5
    for n in (1, 2, 3):
        e = dict(os.environ, PROVISION_CONF=webs[0].conf, PROVISION_DB_NAME=race,
                 PROVISION_DB_HOSTS=f"127.0.0.1:{cl.sql_port(n)}")
        go = f"import os, time; time.sleep(max(0, {start} - time.time())); " \
             f"os.execv({os.path.join(bindir, 'provctl')!r}, ['provctl', 'migrate'])"
        procs.append(subprocess.Popen([sys.executable, "-c", go], env=e,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    outs = [p.communicate(timeout=120) for p in procs]
    rcs = [p.returncode for p in procs]
    ok(rcs == [0, 0, 0], "migrations started on the three nodes at once all succeed",
       f"exit {rcs}: {[o[1].strip()[-300:] for o in outs]}")
    applied = 0
    for out, _ in outs:
        try:
            applied += int(out.split()[1])
        except (IndexError, ValueError):
            pass
    ok(applied == want, f"the {want} migrations were applied once among them",
       f"applied {applied}: {[o[0].strip() for o in outs]}")
    for n in (1, 2, 3):
        rows = cl.sql(n, "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations",
                      db=race)
        ok(rows == [[str(want), str(want)]], f"node {n} records each migration once", str(rows))


# ---- phase 2: load, a node killed, its return ----

class Load:
    def __init__(self, webs, t, box, bindir):
        self.webs, self.t, self.box, self.bindir = webs, t, box, bindir
        self.stop_create = threading.Event()
        self.stop_deliver = threading.Event()
        self.lock = threading.Lock()
        self.answers = []       # (dialect, web node, email, kind, seconds, at, status)
        self.deliveries = []    # (web node, exit code, seconds, stderr tail)

    def creator(self, dialect, i):
        n = 0
        while not self.stop_create.is_set():
            w = (n + i) % 2
            tag = f"{dialect[:2]}{i}x{n}x{uuid.uuid4().hex[:6]}"
            t0 = time.time()
            try:
                em, r = create(self.webs[w], self.t, dialect, tag)
                kind = "ok" if acked(dialect, r) else "down" if db_down(dialect, r) else \
                    f"other {r.status} {r.body[:200]!r}"
                status = r.status
            except Exception as e:  # noqa: BLE001 - recorded as an answer of another kind
                em, kind, status = f"c.{tag}@example.com", f"no answer {e!r}", None
            dt = time.time() - t0
            with self.lock:
                self.answers.append((dialect, w + 1, em, kind, dt, t0, status))
            n += 1
            time.sleep(PACE)

    def deliverer(self, w):
        cmd = f"/bin/sh {os.path.join(HERE, 'record_mail.sh')} {self.box}"
        e = dict(os.environ, PROVISION_CONF=self.webs[w].conf, PROVISION_MAIL_COMMAND=cmd)
        while not self.stop_deliver.is_set():
            t0 = time.time()
            p = subprocess.run([os.path.join(self.bindir, "provctl"), "mail", "deliver"],
                               env=e, capture_output=True, text=True, timeout=120)
            with self.lock:
                self.deliveries.append((w + 1, p.returncode, time.time() - t0,
                                        p.stderr.strip()[-200:]))
            time.sleep(0.2)


def bulk_import(web, t):
    users = [{"email": f"b{i}.{t['id'][:8]}@bulk.example.com", "firstName": "B",
              "lastName": f"U{i}"} for i in range(BULK_USERS)]
    r = H.sk_post(web, t, users, path=H.SK_BULK)
    ok(r.status == 200, f"the {BULK_USERS}-user import is accepted", repr(r))
    return r.json()["result"]["taskId"] if r.status == 200 else None, \
        {u["email"] for u in users}


def task_done(web, t, task_id):
    r = web.http("GET", f"{H.SK_BULK}/{task_id}", None, H.sk_auth(t), timeout=30)
    if r.status != 200:
        return None
    body = r.json()["result"]
    return body if body["task"]["completedAt"] is not None else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--var", required=True, help="the cluster's CLUSTER_VAR")
    ap.add_argument("--port", type=int, required=True, help="web node 1's port")
    ap.add_argument("--db-port", type=int, required=True, help="CLUSTER_DB_PORT")
    ap.add_argument("--bin", required=True)
    a = ap.parse_args()
    cl = Cluster(a.var, a.db_port)
    webs = [Env(f"http://127.0.0.1:{a.port + w}", os.path.join(a.var, f"web{w + 1}"), a.bin,
                "lighttpd") for w in range(2)]
    with open(os.path.join(a.var, "demo-tenant.json")) as f:
        t = json.load(f)
    tid = cl.sql(1, f"SELECT id FROM tenants WHERE oid = '{t['id']}'")[0][0]
    box = os.path.join(a.var, "mailbox")
    os.makedirs(box, exist_ok=True)
    t_start = time.time()

    print("== migrations on three nodes at once")
    migrations_race(cl, webs, a.bin)

    print("== load through both web nodes, node 1 killed and restarted")
    task_id, bulk_emails = bulk_import(webs[0], t)
    load = Load(webs, t, box, a.bin)
    threads = [threading.Thread(target=load.creator, args=(d, i), daemon=True)
               for i, d in enumerate(DIALECTS)]
    threads += [threading.Thread(target=load.deliverer, args=(w,), daemon=True)
                for w in range(2)]
    for th in threads:
        th.start()
    # the kill lands in the middle of the import: once a part of it is done (or after
    # KILL_AFTER at the latest)
    end = time.time() + KILL_AFTER
    while True:
        done_before = int(cl.sql(2, f"SELECT COUNT(*) FROM task_items i JOIN tasks k ON "
                                    f"k.id = i.task_id WHERE k.tenant_id = {tid} AND "
                                    f"i.done = 1", causal=False)[0][0])
        if done_before >= BULK_USERS // 5 or time.time() >= end:
            break
        time.sleep(0.05)
    t_kill = time.time()
    os.kill(cl.pid(1), 9)
    print(f"   node 1 killed (SIGKILL) with {done_before} of {BULK_USERS} imported")
    time.sleep(OUTAGE)
    ok(cl.status(2, "wsrep_cluster_size") == "2", "nodes 2 and 3 form the cluster without 1")
    t_back = time.time()
    r = cl.script("start-node", "1")
    ok(r.returncode == 0, "node 1 restarts and rejoins", (r.stdout + r.stderr)[-500:])
    t_synced = time.time()
    print(f"   node 1 Synced again after {t_synced - t_back:.1f} s")
    time.sleep(AFTER_REJOIN)
    # the creators stop; the deliverers go on until the import and the queue are done
    load.stop_create.set()
    for th in threads[:len(DIALECTS)]:
        th.join(timeout=30)

    body = None
    end = time.time() + 150
    while time.time() < end and task_id is not None:
        body = task_done(webs[1], t, task_id)
        if body is not None:
            break
        time.sleep(1)
    t_task = time.time()
    ok(body is not None, "the import completes", f"not after {t_task - t_start:.0f} s")

    pending = None
    end = time.time() + 120
    while time.time() < end:
        pending = int(cl.sql(2, f"SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = {tid} "
                                f"AND status = 'pending'")[0][0])
        if pending == 0:
            break
        time.sleep(0.5)
    load.stop_deliver.set()
    for th in threads[len(DIALECTS):]:
        th.join(timeout=130)
    t_end = time.time()

    print("== exactly once, everywhere")
    answers = load.answers
    by_kind = collections.Counter(k if k in ("ok", "down") else "other" for _, _, _, k, _, _, _
                                  in answers)
    others = [x for x in answers if x[3] not in ("ok", "down")]
    ok(not others, "every answer is a success or the dialect's \"database unavailable\"",
       f"{len(others)} others, e.g. {others[:3]}")
    slow = max((x[4] for x in answers), default=0.0)
    ok(slow <= SLOWEST, f"no answer took more than {SLOWEST:.0f} s (slowest {slow:.2f} s)")
    per_dialect = {d: collections.Counter(k if k in ("ok", "down") else "other"
                                          for dd, _, _, k, _, _, _ in answers if dd == d)
                   for d in DIALECTS}
    ok(all(per_dialect[d]["ok"] > 0 for d in DIALECTS),
       "every dialect created users through the cluster", str(per_dialect))
    during = [x for x in answers if t_kill <= x[5] < t_back]
    ok(any(x[3] == "ok" for x in during), "creates succeed while node 1 is down",
       f"{len(during)} answers in the outage")
    acked_emails = {x[2] for x in answers if x[3] == "ok"}

    counts = {}
    for n in (1, 2, 3):
        rows = cl.sql(n, f"SELECT email, COUNT(*) FROM users WHERE tenant_id = {tid} "
                         f"GROUP BY email")
        emails = {e: int(c) for e, c in rows}
        twice = [e for e, c in emails.items() if c != 1]
        ok(not twice, f"node {n}: no user exists twice", str(twice[:5]))
        missing = sorted(acked_emails - set(emails))
        ok(not missing, f"node {n}: every create answered as successful exists "
                        f"({len(acked_emails)})", f"{len(missing)} missing, e.g. {missing[:3]}")
        bulk_missing = bulk_emails - set(emails)
        ok(not bulk_missing, f"node {n}: every imported user exists once",
           f"{len(bulk_missing)} missing")
        sig = cl.sql(n, f"SELECT COUNT(*), SUM(CRC32(CONCAT(oid, email, status))) FROM users "
                        f"WHERE tenant_id = {tid} UNION ALL SELECT COUNT(*), SUM(CRC32(CONCAT("
                        f"id, status, message_key, attempts))) FROM mail_outbox WHERE "
                        f"tenant_id = {tid} UNION ALL SELECT COUNT(*), SUM(CRC32(CONCAT("
                        f"task_id, seq, done, IFNULL(success, 2)))) FROM task_items WHERE "
                        f"task_id IN (SELECT id FROM tasks WHERE tenant_id = {tid})")
        counts[n] = sig
    ok(counts[1] == counts[2] == counts[3], "the three nodes hold the same users, mail and "
       "task rows", str(counts))

    if body is not None:
        ok(body["task"]["success"] is True, "the import ended successfully", str(body["task"]))
        users = body["users"]
        ok(len(users) == BULK_USERS and len({u["email"] for u in users}) == BULK_USERS and
           all(u["success"] for u in users), "the task reports every user once, each created",
           f"{len(users)} users")
    items = cl.sql(3, f"SELECT COUNT(*), SUM(done), SUM(success) FROM task_items "
                      f"WHERE task_id = (SELECT id FROM tasks WHERE tenant_id = {tid} AND "
                      f"number = {int(task_id or 0)})")
    ok(items == [[str(BULK_USERS)] * 3], "every item of the import is done once, successfully",
       str(items))
    completed = cl.sql(3, f"SELECT COUNT(*) FROM tasks WHERE tenant_id = {tid} "
                          f"AND completed_at IS NOT NULL")
    ok(completed == [["1"]], "the task was completed (once)", str(completed))

    ok(pending == 0, "no mail is left pending", f"{pending} pending")
    rows = cl.sql(3, f"SELECT id, status, message_key FROM mail_outbox WHERE tenant_id = {tid}")
    want = {}
    for rid, st, key in rows:
        want[f"<m.{key}@localhost.localdomain>"] = (rid, st)
    dead = [r for r in rows if r[1] != "sent"]
    ok(not dead, f"every queued mail is marked sent ({len(rows)})", str(dead[:3]))
    got = collections.Counter()
    parser = email.parser.BytesParser()
    for name in os.listdir(box):
        if name.endswith(".eml"):
            with open(os.path.join(box, name), "rb") as f:
                got[parser.parse(f, headersonly=True)["Message-ID"]] += 1
    dups = {k: v for k, v in got.items() if v > 1}
    ok(not dups, f"no mail was delivered twice ({sum(got.values())} delivered)",
       f"{len(dups)} Message-IDs more than once, e.g. {list(dups.items())[:3]}")
    ok(set(got) == set(want), "every queued mail was delivered, under its row's Message-ID",
       f"{len(set(want) - set(got))} not delivered, {len(set(got) - set(want))} unknown")
    invited = int(cl.sql(3, f"SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = {tid} AND "
                            f"kind IN ('set_password', 'invitation')")[0][0])
    ok(invited > 0 and invited >= len(acked_emails),
       "every user created by a create was invited by mail",
       f"{invited} invitations for {len(acked_emails)} creates")
    nopk = cl.sql(1, "SELECT t.TABLE_NAME FROM information_schema.TABLES t WHERE "
                     "t.TABLE_SCHEMA = 'provision' AND NOT EXISTS (SELECT 1 FROM "
                     "information_schema.TABLE_CONSTRAINTS c WHERE c.TABLE_SCHEMA = "
                     "t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = "
                     "'PRIMARY KEY')")
    ok(not nopk, "every table has a primary key (Galera replicates rows by it)", str(nopk))
    deliver_codes = collections.Counter(d[1] for d in load.deliveries)
    for n in (1, 2, 3):
        ok(cl.status(n, "wsrep_local_state_comment") == "Synced" and
           cl.status(n, "wsrep_cluster_size") == "3", f"node {n} is Synced in a cluster of 3")

    # diagnostics only (the service uses no stored routines): the state of mysql.proc, once
    # reported corrupt on node 1 in a fresh CI chroot
    for n in (1, 2, 3):
        try:
            print(f"   node {n} mysql.proc: " + " ".join(
                r[-1] for r in cl.sql(n, "CHECK TABLE mysql.proc", db="mysql", causal=False)))
        except AssertionError as e:
            print(f"   node {n} mysql.proc: {e}")
    down = [x for x in answers if x[3] == "down"]
    figures = {
        "creates": len(answers), "created": by_kind["ok"], "unavailable": by_kind["down"],
        "other": by_kind["other"], "per_dialect": {d: dict(c) for d, c in per_dialect.items()},
        "slowest_answer_s": round(slow, 2),
        "slowest_in_outage_s": round(max((x[4] for x in during), default=0), 2),
        "unavailable_at_s": sorted({round(x[5] - t_kill, 1) for x in down})[:20],
        "bulk_users": BULK_USERS, "imported_before_kill": int(done_before),
        "import_done_after_s": round(t_task - t_start, 1),
        "rejoin_s": round(t_synced - t_back, 1), "mails": len(rows),
        "delivered": sum(got.values()), "distinct_message_ids": len(got),
        "deliver_runs": len(load.deliveries), "deliver_exit_codes": dict(deliver_codes),
        "total_s": round(t_end - t_start, 1),
    }
    print("   figures " + json.dumps(figures))
    with open(os.path.join(a.var, "cluster-figures.json"), "w") as f:
        json.dump(figures, f)
    print(f"{RESULTS['pass']} passed, {RESULTS['fail']} failed")
    return 1 if RESULTS["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
