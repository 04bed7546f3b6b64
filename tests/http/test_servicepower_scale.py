"""ServicePower bulk at scale and under races: one request of 10 000 users (the default
limits.bulk_users) inserted, updated and deleted, each in one transaction; concurrent batches
creating the same UserID decided by the unique index (one insert, the others 409 for CUD 1 or
updates for CUD 2), and overlapping batches that never leave half a batch behind."""
import threading
import time

from harness import check, eq
from servicepower_util import err, expect, ok, post, snapshot, tenant_id, uniq

N = 10000


def batch(prefix, n, **over):
    users = []
    for i in range(n):
        u = {"UserID": f"{prefix}{i:05d}", "FirstName": f"First{i}", "LastName": "Worker",
             "Email": f"{prefix}{i:05d}@example.com", "Roles": ["Resource"],
             "Phones": [{"PhoneNum": f"+1 555 {i:05d}", "PhoneType": "Mobile"}],
             "Extensions": {"n": i}, "IsMobileWorker": True, "LanguageCode": "en-US",
             "DGroupID": "DG1"}
        u.update(over)
        users.append(u)
    return users


def counts(env, t):
    tid = tenant_id(env, t)
    return env.sql_one(
        f"SELECT (SELECT COUNT(*) FROM users WHERE tenant_id = {tid}), "
        f"(SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id "
        f"WHERE u.tenant_id = {tid}), "
        f"(SELECT COUNT(*) FROM user_phones p JOIN users u ON u.id = p.user_id "
        f"WHERE u.tenant_id = {tid}), "
        f"(SELECT COUNT(*) FROM user_attributes a JOIN users u ON u.id = a.user_id "
        f"WHERE u.tenant_id = {tid})")


def invitations(env, t):
    tid = tenant_id(env, t)
    return env.sql_one(
        f"SELECT (SELECT COUNT(*) FROM user_tokens k JOIN users u ON u.id = k.user_id "
        f"WHERE u.tenant_id = {tid} AND k.purpose = 'set_password'), "
        f"(SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = {tid} AND kind = 'set_password')")


def test_10000_users_in_one_request(env):
    t = env.new_tenant()
    prefix = "s" + uniq()[:6] + "-"
    t0 = time.time()
    r = post(env, t, batch(prefix, N))
    t_insert = time.time() - t0
    expect(r, 200, ok(inserted=N))
    eq(counts(env, t), [str(N)] * 4, "users, roles, phones, attributes")
    row = env.sql_one(f"SELECT u.first_name, p.number, a.extensions FROM users u "
                      f"JOIN user_phones p ON p.user_id = u.id JOIN user_attributes a "
                      f"ON a.user_id = u.id WHERE u.tenant_id = {tenant_id(env, t)} "
                      f"AND u.username = '{prefix}09999'")
    eq(row, ["First9999", "+1 555 09999", '{"n":9999}'], "the last user")
    eq(invitations(env, t), [str(N)] * 2, "a set-password token and mail each (no Password)")
    t0 = time.time()
    expect(post(env, t, batch(prefix, N, LastName="Renamed", Roles=["Scheduler"])), 200,
           ok(updated=N))
    t_update = time.time() - t0
    eq(env.sql_one(f"SELECT COUNT(*) FROM users WHERE tenant_id = {tenant_id(env, t)} "
                   f"AND last_name = 'Renamed'"), [str(N)], "all renamed")
    eq(counts(env, t), [str(N)] * 4, "roles replaced, not added")
    eq(invitations(env, t), [str(N)] * 2, "updates invite nobody")
    # one bad user at the very end: none of the 10 000 updates happen
    users = batch(prefix, N, LastName="Never")
    users[-1]["Email"] = "broken"
    expect(post(env, t, users), 400,
           err(400, "Email must be a valid email address", f"Users[{N - 1}].Email", "broken"))
    eq(env.sql_one(f"SELECT COUNT(*) FROM users WHERE tenant_id = {tenant_id(env, t)} "
                   f"AND last_name = 'Never'"), ["0"], "nothing applied")
    t0 = time.time()
    expect(post(env, t, [{"UserID": f"{prefix}{i:05d}", "CUD": 3} for i in range(N)]), 200,
           ok(deleted=N))
    t_delete = time.time() - t0
    eq(counts(env, t), ["0"] * 4, "all deleted with what they own")
    print(f"    10 000 users: insert {t_insert:.2f}s, update {t_update:.2f}s, "
          f"delete {t_delete:.2f}s")
    # generous bounds (a shared 2-core machine): one round trip per user would be far slower
    check(t_insert < 30 and t_update < 30 and t_delete < 30,
          f"10 000 users too slow: {t_insert:.1f}s {t_update:.1f}s {t_delete:.1f}s")


def race(env, t, bodies):
    """POSTs every body at the same moment; returns the responses in order."""
    out = [None] * len(bodies)
    go = threading.Barrier(len(bodies))

    def run(i):
        go.wait()
        out[i] = post(env, t, bodies[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return out


def test_concurrent_inserts_of_one_userid(env):
    t = env.new_tenant()
    for round_ in range(3):
        uid = "race-" + uniq()
        # distinct emails, then the same one (InnoDB then trips on the email index first)
        bodies = [[{"UserID": uid, "CUD": 1,
                    "Email": f"{uid}.{k if round_ == 0 else 0}@example.com"}]
                  for k in range(6)]
        rs = race(env, t, bodies)
        winners = [r for r in rs if r.status == 200]
        eq(len(winners), 1, f"exactly one insert wins: {rs}")
        expect(winners[0], 200, ok(inserted=1))
        for r in rs:
            if r.status != 200:
                expect(r, 409, err(409, "UserID already exists", "Users[0].UserID", uid))
        eq(env.sql_one(f"SELECT COUNT(*) FROM users WHERE tenant_id = {tenant_id(env, t)} "
                       f"AND username = '{uid}'"), ["1"], "one row")


def test_concurrent_upserts_of_one_userid(env):
    t = env.new_tenant()
    for round_ in range(3):
        uid = "up-" + uniq()
        bodies = [[{"UserID": uid, "Email": f"{uid}@example.com", "FirstName": f"N{k}"},
                   {"UserID": f"{uid}-{k}", "Email": f"{uid}-{k}@example.com"}]
                  for k in range(6)]
        rs = race(env, t, bodies)
        for r in rs:
            eq(r.status, 200, f"every upsert succeeds: {r!r}")
        got = sorted((b["detail"]["params"]["inserted"], b["detail"]["params"]["updated"])
                     for b in (r.json() for r in rs))
        eq(got, [("1", "1")] * 5 + [("2", "0")], "one batch created the shared user, "
                                                 "the others updated it")
        eq(env.sql_one(f"SELECT COUNT(*) FROM users WHERE tenant_id = {tenant_id(env, t)} "
                       f"AND username LIKE '{uid}%'"), ["7"], "one shared user and six others")


def test_overlapping_batches_are_atomic(env):
    t = env.new_tenant()
    p = "ov-" + uniq() + "-"
    n = 300
    expect(post(env, t, batch(p, n)), 200, ok(inserted=n))
    # six batches over the same users in different orders, renaming all of them
    bodies = []
    for k in range(6):
        users = batch(p, n, LastName=f"Batch{k}", Roles=["Scheduler"] if k % 2 else ["Resource"])
        if k % 2:
            users.reverse()
        bodies.append(users)
    rs = race(env, t, bodies)
    for r in rs:
        expect(r, 200, ok(updated=n))
    names = env.sql(f"SELECT DISTINCT last_name FROM users WHERE tenant_id = "
                    f"{tenant_id(env, t)}")
    eq(len(names), 1, f"one batch's values everywhere (the last to commit): {names}")
    s = snapshot(env, t)
    eq(len(s["roles"]), n, "one role per user")
