"""Deadlocks (issue 13, docs/SECURITY.md "Hardening II: deadlocks"): requests whose
transactions lock the same users in different orders, started at the same moment (a barrier),
20 times each. Both requests of every pair succeed, each answered in under 1 s (the issue's
figure: a deadlock is rolled back and the transaction run again from its start, tx.h; before,
the rerun waited for rows the server never sent and the client got 503 after the 30 s read
timeout), and the users end as exactly one of the two requests left them, never a mix. Also
the rule checked on the rows as locked: a lastName-only PATCH racing one that adds the Resource
role and a resource is never refused with users_need_resource_role. The figures (pairs,
reruns seen in the programs' log, slowest answer) go to harden-figures.jsonl."""
import json
import os
import sys
import threading
import time

from harness import check, eq, quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hardening as H  # noqa: E402

REPS = 20
USERS = 100   # enough for the two transactions to overlap (and deadlock before) most times
LIMIT_S = 1.0


def together(fns):
    """Runs the functions at the same moment, each in its thread: [(result, seconds)]."""
    out = [None] * len(fns)
    go = threading.Barrier(len(fns))

    def run(i):
        try:
            go.wait()
            t0 = time.monotonic()
            try:
                r = fns[i]()
            except Exception as e:  # noqa: BLE001 - a reset or timeout is a failing answer
                r = e
            out[i] = (r, time.monotonic() - t0)
        except threading.BrokenBarrierError as e:
            out[i] = (e, 0.0)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    return out


def reruns(env):
    return env.program_log().count("transaction rolled back; run ")


def patch(env, t, changes):
    """A Skedulo PATCH whose JSON object keeps the order of changes (a list of pairs)."""
    body = "{" + ",".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in changes) + "}"
    return env.http("PATCH", H.SK, body.encode(), H.sk_auth(t), "application/json")


def sk_users(env, t, n, **extra):
    """n new Skedulo users: their oids."""
    u = H.uniq()
    emails = [f"dl.{u}.{i}@example.com" for i in range(n)]
    r = H.sk_post(env, t, [dict({"email": e, "firstName": "D", "lastName": "L"}, **extra)
                           for e in emails])
    eq(r.status, 200, f"setup POST: {r!r}")
    eq(r.json()["result"]["inserted"], n, f"setup POST: {r!r}")
    oid = dict(env.sql(f"SELECT email_norm, oid FROM users WHERE email_norm LIKE "
                       f"{quote(f'dl.{u}.%')}"))
    return [oid[e] for e in emails]


def answered(pair, what, updated):
    """Both answers 200 with every user updated, each within LIMIT_S; the slowest time."""
    slowest = 0.0
    for (r, secs), name in zip(pair, ("first", "second")):
        check(hasattr(r, "status"), f"{what}: {name} request failed: {r!r}")
        eq(r.status, 200, f"{what}: {name} answer {r!r:.300}")
        updated(r, f"{what}: {name}")
        check(secs < LIMIT_S, f"{what}: {name} answered in {secs:.2f} s (limit {LIMIT_S} s)")
        slowest = max(slowest, secs)
    return slowest


def sk_updated(n):
    def check_body(r, what):
        res = r.json()["result"]
        eq((res["updated"], res["total"], res["failures"]), (n, n, {}), f"{what}: {r!r:.300}")
    return check_body


def last_names(env, oids):
    ids = ", ".join(quote(o) for o in oids)
    return sorted({row[0] for row in env.sql(f"SELECT last_name FROM users WHERE oid IN ({ids})")})


def test_two_skedulo_patches_of_the_same_users_in_opposite_order(env):
    t = env.new_tenant()
    oids = sk_users(env, t, USERS)
    before, slowest = reruns(env), 0.0
    for rep in range(REPS):
        a = [(o, {"lastName": f"A{rep}"}) for o in oids]
        b = [(o, {"lastName": f"B{rep}"}) for o in reversed(oids)]
        pair = together([lambda: patch(env, t, a), lambda: patch(env, t, b)])
        slowest = max(slowest, answered(pair, f"pair {rep}", sk_updated(USERS)))
        names = last_names(env, oids)
        check(names in (["A%d" % rep], ["B%d" % rep]),
              f"pair {rep}: one PATCH after the other, never a mix: {names}")
    H.figures(env, "deadlocks", race="skedulo PATCH x2, opposite order", pairs=REPS,
              users=USERS, reruns=reruns(env) - before, slowest_s=round(slowest, 3))


def test_a_skedulo_patch_racing_a_servicepower_update_of_the_same_users(env):
    """The ServicePower batch locks its users by UserID, the PATCH by user id: two orders."""
    t = env.new_tenant()
    names = sorted("dl" + H.uniq() for _ in range(USERS))
    r = H.sp_post(env, t, [{"UserID": u, "CUD": 1, "Email": f"{u}@example.com"}
                           for u in names])
    eq(r.status, 200, f"setup: {r!r}")
    oid = dict(env.sql(f"SELECT u.username, u.oid FROM users u JOIN tenants t "
                       f"ON t.id = u.tenant_id WHERE t.oid = {quote(t['id'])}"))
    eq(sorted(oid), names, "the users and their ids")
    oids = [oid[u] for u in names]

    def sp_updated(r, what):
        eq(r.json()["detail"]["params"]["updated"], str(USERS), f"{what}: {r!r:.300}")

    before, slowest = reruns(env), 0.0
    for rep in range(REPS):
        sp = [{"UserID": u, "CUD": 2, "LastName": f"S{rep}"} for u in names]
        sk = [(oid[u], {"lastName": f"K{rep}"}) for u in reversed(names)]
        pair = together([lambda: H.sp_post(env, t, sp), lambda: patch(env, t, sk)])
        for (resp, secs), upd, what in ((pair[0], sp_updated, "ServicePower"),
                                         (pair[1], sk_updated(USERS), "Skedulo")):
            check(hasattr(resp, "status"), f"pair {rep}: {what} failed: {resp!r}")
            eq(resp.status, 200, f"pair {rep}: {what} answer {resp!r:.300}")
            upd(resp, f"pair {rep}: {what}")
            check(secs < LIMIT_S, f"pair {rep}: {what} answered in {secs:.2f} s")
            slowest = max(slowest, secs)
        got = last_names(env, oids)
        check(got in (["S%d" % rep], ["K%d" % rep]),
              f"pair {rep}: one request after the other, never a mix: {got}")
    H.figures(env, "deadlocks", race="skedulo PATCH x servicepower CUD 2", pairs=REPS,
              users=USERS, reruns=reruns(env) - before, slowest_s=round(slowest, 3))


def test_the_resource_role_rule_sees_the_rows_as_locked(env):
    """A lastName-only PATCH racing one that adds the Resource role and a resource: the first
    waits for the second's locks and must then see both the role and the resource (before, it
    saw the resource but not the role, and was refused with users_need_resource_role)."""
    t = env.new_tenant()
    region = env.provctl_json("region", "add", "--tenant", t["id"], "--name",
                              "R " + H.uniq(), "--json")["id"]
    reps = 2 * REPS   # the refusal came about one time in six
    before, slowest = reruns(env), 0.0
    for rep in range(reps):
        (o,) = sk_users(env, t, 1, roles=["Scheduler"])
        name = [(o, {"lastName": "Renamed"})]
        res = [(o, {"roles": ["Resource"], "resource": {"primaryRegionId": region,
                                                        "isActive": True}})]
        pair = together([lambda: patch(env, t, res), lambda: patch(env, t, name)])
        slowest = max(slowest, answered(pair, f"pair {rep}", sk_updated(1)))
        row = env.sql_one(
            f"SELECT u.last_name, (SELECT GROUP_CONCAT(r.name) FROM user_roles ur JOIN roles r "
            f"ON r.id = ur.role_id WHERE ur.user_id = u.id), "
            f"(SELECT COUNT(*) FROM resources s WHERE s.user_id = u.id) "
            f"FROM users u WHERE u.oid = {quote(o)}")
        eq(row, ["Renamed", "Resource", "1"], f"pair {rep}: both changes kept")
    H.figures(env, "deadlocks", race="skedulo PATCH lastName x PATCH Resource role+resource",
              pairs=reps, reruns=reruns(env) - before, slowest_s=round(slowest, 3))
