"""Bounded, fair background workers (issue 13 point 5, docs/SECURITY.md "Hardening II: bounded
workers"): tenant A sends 40 Skedulo imports of 1 000 users (8 requests at a time), then tenant
B sends one. A task still waiting for a worker reads as not started. While they run, a sampler
reads the process table (task workers are the stack's bulk_users and task_status processes
that lead their own session: the double-forked grandchildren) and the database (tasks claimed
and not finished, connections of the service's user) as fast as it can. Never more than
limits.task_workers workers and claims at once; B's import starts before A's last one (fair
across tenants, not first come first served); every task completes, successfully, with each
user stored once, one invitation each. The figures go to harden-figures.jsonl before the
checks, so a failing run still shows them."""
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from harness import check, eq, wait_until

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hardening as H  # noqa: E402

IMPORTS_A = 40
USERS_PER_IMPORT = 1000


def task_workers(env):
    """limits.task_workers of this stack (the service's default, 2, when the file has none)."""
    with open(env.conf) as f:
        for line in f:
            m = re.match(r"\s*limits\.task_workers\s*=\s*(\d+)\s*$", line)
            if m:
                return int(m.group(1))
    return 2


def _stat(pid):
    """(state, session id) of a process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return fields[0], int(fields[3])


WORKER_EXES = ("bulk_users", "task_status")   # the executables that start task workers


def task_worker_pids(env):
    """Live (not zombie) processes of this stack's bulk_users and task_status that lead their
    own session: the task workers (FastCGI processes live in their server's session; plain CGI
    runs copies named <executable>.cgi)."""
    want = ("PROVISION_CONF=" + env.conf).encode()
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        try:
            exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
            if exe.removesuffix(".cgi") not in WORKER_EXES:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if want not in f.read().split(b"\0"):
                    continue
            state, sid = _stat(pid)
        except OSError:
            continue
        if sid == pid and state != "Z":
            found.append(pid)
    return found


class Sampler(threading.Thread):
    """Samples, until stopped, the worker processes, the tasks claimed and not finished, the
    service's database connections (minus the sampler's own) and the first moment each task
    was seen started (claimed or finished)."""

    def __init__(self, env, tenant_ids):
        super().__init__(daemon=True)
        self.env = env
        self.tl = ", ".join(tenant_ids)
        self.stop = threading.Event()
        self.samples = 0
        self.max_procs = self.max_claims = self.max_conns = 0
        self.started = {}     # taskId (the tenant's task number) -> first time seen started
        self.error = None

    def sample(self):
        procs = len(task_worker_pids(self.env))
        rows = self.env.sql(
            f"SELECT 'c', (SELECT COUNT(*) FROM tasks WHERE tenant_id IN ({self.tl}) AND "
            f"completed_at IS NULL AND worker_id IS NOT NULL), "
            f"(SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'provision') "
            f"$$ SELECT 's', number FROM tasks WHERE tenant_id IN ({self.tl}) AND "
            f"(worker_id IS NOT NULL OR completed_at IS NOT NULL)")
        now = time.time()
        procs = max(procs, len(task_worker_pids(self.env)))
        self.samples += 1
        self.max_procs = max(self.max_procs, procs)
        for r in rows:
            if r[0] == "c":
                self.max_claims = max(self.max_claims, int(r[1]))
                self.max_conns = max(self.max_conns, int(r[2]) - 1)
            else:
                self.started.setdefault(int(r[1]), now)

    def run(self):
        try:
            while not self.stop.is_set():
                self.sample()
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e


def import_users(env, t, tag, i):
    users = [{"email": f"w{tag}{i}.{k}.{H.uniq()}@example.com", "firstName": f"W{i}",
              "lastName": f"Worker{k}"} for k in range(USERS_PER_IMPORT)]
    r = H.sk_post(env, t, users, H.SK_BULK)
    eq(r.status, 200, f"import {tag}{i} accepted: {r!r:.300}")
    task = r.json()["result"]
    eq([task["lastCheckedInAt"], task["completedAt"], task["success"]], [None, None, False],
       "the answer shows the task not started")
    return task["taskId"], users


def waiting_status(env, t, task_ids):
    """The status body of one of task_ids read while the task waited for a worker (unclaimed
    in the database both before and after the status was read), or None when none waited."""
    for tid in reversed(task_ids):
        q = (f"SELECT worker_id IS NULL AND completed_at IS NULL FROM tasks "
             f"WHERE number = {tid} AND tenant_id = {t['db_id']}")
        if env.sql_one(q) != ["1"]:
            continue
        r = env.http("GET", f"{H.SK_BULK}/{tid}", None, H.sk_auth(t))
        eq(r.status, 200, f"status of task {tid}: {r!r:.300}")
        if env.sql_one(q) == ["1"]:
            return r.json()
    return None


def test_40_imports_then_one_of_another_tenant_bounded_and_fair(env):
    n = task_workers(env)
    a, b = H.full_tenant(env), H.full_tenant(env)
    sampler = Sampler(env, [a["db_id"], b["db_id"]])
    sampler.start()
    try:
        t0 = time.time()
        # A's imports as fast as the server takes them, 8 at a time; B's once all are stored
        with ThreadPoolExecutor(8) as pool:
            a_tasks = list(pool.map(lambda i: import_users(env, a, "a", i), range(IMPORTS_A)))
        tb_sent = time.time()
        b_task, b_users = import_users(env, b, "b", 0)
        ids = [tid for tid, _ in a_tasks] + [b_task]
        waiting = waiting_status(env, a, [tid for tid, _ in a_tasks])
        # wait for every task to finish (the sampler marks them; the database decides)
        tl = f"{a['db_id']}, {b['db_id']}"

        def finished():
            return env.sql_one(f"SELECT COUNT(*) FROM tasks WHERE tenant_id IN ({tl}) AND "
                               f"completed_at IS NOT NULL")[0] == str(len(ids))

        done = wait_until(finished, timeout=600, step=0.2)
        t_end = time.time()
        time.sleep(0.5)    # the workers' exit, seen by the sampler
    finally:
        sampler.stop.set()
        sampler.join(60)
    check(sampler.error is None, f"the sampler failed: {sampler.error!r}")
    b_done = env.sql_one(f"SELECT TIMESTAMPDIFF(MICROSECOND, created_at, completed_at) "
                         f"FROM tasks WHERE number = {b_task} AND tenant_id = {b['db_id']}")[0]
    a_last_start = max((sampler.started.get(tid, float("inf")) for tid, _ in a_tasks))
    b_start = sampler.started.get(b_task, float("inf"))
    H.figures(env, "workers", server=env.server, task_workers=n, imports=len(ids),
              users_per_import=USERS_PER_IMPORT, samples=sampler.samples,
              max_worker_processes=sampler.max_procs, max_claimed_tasks=sampler.max_claims,
              max_db_connections=sampler.max_conns,
              b_wait_to_start_s=round(b_start - tb_sent, 2),
              b_wait_to_complete_s=round(int(b_done or 0) / 1e6, 2),
              a_last_start_after_b_sent_s=round(a_last_start - tb_sent, 2),
              all_done_s=round(t_end - t0, 2))
    check(done, f"not every task finished: {len(ids)} tasks")
    check(sampler.samples >= 10, f"the sampler ran: {sampler.samples} samples")
    check(sampler.max_procs >= 1, "the sampler saw a worker process")
    check(sampler.max_procs <= n,
          f"at most {n} worker processes at once, saw {sampler.max_procs}")
    check(sampler.max_claims <= n, f"at most {n} tasks claimed at once, saw {sampler.max_claims}")
    check(all(tid in sampler.started for tid in ids), "every task was seen started")
    check(b_start < a_last_start,
          f"B's import started before A's last one: B at +{b_start - tb_sent:.2f}s, "
          f"A's last at +{a_last_start - tb_sent:.2f}s after B was sent")
    check(waiting is not None, "a task of A was seen waiting in the queue (status read)")
    task = waiting["result"]["task"]
    eq([task["lastCheckedInAt"], task["completedAt"], task["success"], task["errorMsg"]],
       [None, None, False, None], "the status of a waiting task: not started")
    eq({(u["success"], u["errorMsg"]) for u in waiting["result"]["users"]}, {(False, None)},
       "the users of a waiting task: none processed")
    # every task complete and successful, each user stored once, with one invitation
    for (tid, users), t in [(x, a) for x in a_tasks] + [((b_task, b_users), b)]:
        body = H.wait_task(env, t, tid, timeout=30)
        task = body["result"]["task"]
        eq([task["success"], task["errorMsg"]], [True, None], f"task {tid} outcome")
        eq([(u["email"], u["success"]) for u in body["result"]["users"]],
           [(u["email"], True) for u in users], f"task {tid}: every user created")
    for t, count in ((a, IMPORTS_A * USERS_PER_IMPORT), (b, USERS_PER_IMPORT)):
        eq(env.sql_one(f"SELECT COUNT(*), COUNT(DISTINCT email_norm) FROM users "
                       f"WHERE tenant_id = {t['db_id']}"), [str(count), str(count)],
           "every user stored exactly once")
        eq(env.sql_one(f"SELECT COUNT(*), COUNT(DISTINCT user_id) FROM mail_outbox "
                       f"WHERE tenant_id = {t['db_id']}"), [str(count), str(count)],
           "one invitation per user")
        eq(env.sql_one(f"SELECT COUNT(*), COALESCE(SUM(i.done), 0) FROM task_items i JOIN tasks k "
                       f"ON k.id = i.task_id WHERE k.tenant_id = {t['db_id']}"),
           [str(count), str(count)], "every item done once")

