"""Races (issue 7, docs/SECURITY.md): 50 parallel creates of one email through each dialect
(SOAJS addUser, Xtracta, Skedulo POST, ServicePower) make exactly one user, every other request
getting the dialect's "already exists" answer (never a 5xx); parallel bulk imports overlapping in
their emails (Skedulo bulk and file tasks, ServicePower bulk) store each email once. The unique
indexes decide (DESIGN.md): nothing here may be read-then-write."""
import json
import os
import sys
import threading

from harness import check, eq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hardening as H  # noqa: E402
import servicepower_util as spu  # noqa: E402

N = 50


def together(fns):
    """Runs every function at the same moment (a barrier), each in its thread; their results
    in order (an exception counts as the result)."""
    out = [None] * len(fns)
    go = threading.Barrier(len(fns))

    def run(i):
        try:
            go.wait()
            out[i] = fns[i]()
        except Exception as e:  # noqa: BLE001 - a reset or timeout is a failing answer
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    return out


def one_email_race(env, t, fns, won, lost, email):
    rs = together(fns)
    bad = [r for r in rs if not hasattr(r, "status") or r.status >= 500]
    check(not bad, f"no 5xx, reset or hang: {bad[:3]}")
    winners = [r for r in rs if won(r)]
    eq(len(winners), 1, f"exactly one create wins: {[r for r in rs][:5]}")
    losers = [r for r in rs if not won(r)]
    for r in losers:
        check(lost(r), f"a losing create gets the dialect's duplicate answer: {r!r:.300}")
    eq(H.user_count(env, t, f"AND email_norm = '{email.lower()}'"), 1, "one user of that email")
    return len(rs)


def test_50_parallel_creates_of_one_email_per_dialect(env):
    t = H.full_tenant(env)
    tried = {}
    # SOAJS addUser: 402 "User account already exists." for the losers
    email = f"race.soajs.{H.uniq()}@Example.com"

    def soajs(i):
        return lambda: H.soajs_add(env, t, {"username": f"rs{i}{H.uniq()}", "firstName": "R",
                                            "lastName": "S", "email": email})
    tried["soajs"] = one_email_race(
        env, t, [soajs(i) for i in range(N)],
        lambda r: r.status == 200 and r.json().get("result") is True,
        lambda r: r.status == 200 and r.json()["errors"]["codes"] == [402], email)

    # Xtracta: 409 "A user with this email address already exists"
    email = f"race.xt.{H.uniq()}@example.com"
    tried["xtracta"] = one_email_race(
        env, t, [lambda: H.xtracta_add(env, t, {"name": "Race", "email_address": email})
                 for _ in range(N)],
        lambda r: r.status == 200,
        lambda r: r.status == 409 and b"already exists" in r.body, email)

    # Skedulo POST: 200 with the user counted inserted once, else its email_already_exists
    email = f"race.sk.{H.uniq()}@example.com"

    def sk_won(r):
        return r.status == 200 and r.json()["result"]["inserted"] == 1

    def sk_lost(r):
        if r.status != 200:
            return False
        fails = r.json()["result"]["failures"]
        return [f["code"] for f in fails.values()] == ["email_already_exists"]
    tried["skedulo"] = one_email_race(
        env, t, [lambda: H.sk_post(env, t, [{"email": email, "firstName": "R",
                                              "lastName": "S"}]) for _ in range(N)],
        sk_won, sk_lost, email)

    # ServicePower: distinct UserIDs, one Email: 409 "is already used by another user"
    email = f"race.sp.{H.uniq()}@example.com"
    run = H.uniq()
    tried["servicepower"] = one_email_race(
        env, t, [(lambda i=i: H.sp_post(env, t, [{"UserID": f"sp{run}{i}", "CUD": 1,
                                                  "Email": email}])) for i in range(N)],
        lambda r: r.status == 200,
        lambda r: r.status == 409 and r.json()["code"] == 409, email)
    H.figures(env, "races", parallel_creates=tried, users_made_per_dialect=1)


def _emails(run, lo, hi):
    return [f"bulk{run}.{k}@example.com" for k in range(lo, hi)]


def _once_each(env, t, emails, what):
    rows = env.sql(f"SELECT email_norm, COUNT(*) FROM users WHERE tenant_id = {t['db_id']} "
                   f"AND email_norm LIKE '{emails[0].split('.')[0]}.%' GROUP BY email_norm")
    got = {r[0]: int(r[1]) for r in rows}
    eq(sorted(got), sorted(e.lower() for e in emails), f"{what}: every email stored")
    check(all(v == 1 for v in got.values()), f"{what}: each email once: "
          f"{ {k: v for k, v in got.items() if v != 1} }")


def test_overlapping_parallel_bulk_imports_store_each_email_once(env):
    t = H.full_tenant(env)
    # Skedulo: four bulk tasks and two file imports at once, windows of 60 overlapping by 30
    run = H.uniq()
    windows = [(k * 30, k * 30 + 60) for k in range(6)]
    every = _emails(run, 0, windows[-1][1])

    def bulk(lo, hi):
        return lambda: H.sk_post(env, t, [{"email": e, "firstName": "B", "lastName": "L"}
                                          for e in _emails(run, lo, hi)], path=H.SK_BULK)

    def file_(lo, hi):
        csv = "FirstName,LastName,Email\r\n" + "".join(
            f"F,L,{e}\r\n" for e in _emails(run, lo, hi))
        return lambda: H.sk_file(env, t, csv.encode())
    rs = together([bulk(*w) for w in windows[:4]] + [file_(*w) for w in windows[4:]])
    for r in rs:
        check(hasattr(r, "status") and r.status == 200, f"task accepted: {r!r:.300}")
    for r in rs:
        H.wait_task(env, t, r.json()["result"]["taskId"], timeout=120)
    _once_each(env, t, every, "Skedulo bulk + file")

    # ServicePower: four bulk requests, windows of 40 overlapping by 20, one UserID per email
    run2 = H.uniq()
    sp_windows = [(k * 20, k * 20 + 40) for k in range(4)]

    def sp(lo, hi):
        return lambda: H.sp_post(env, t, [{"UserID": e.split("@")[0], "CUD": 1, "Email": e}
                                          for e in _emails(run2, lo, hi)])
    rs = together([sp(*w) for w in sp_windows])
    check(all(hasattr(r, "status") and r.status < 500 for r in rs), f"no 5xx: {rs}")
    # a batch that lost a row to another is refused whole (409): send the refused again, as a
    # client would, until every batch went through; each email must still be there once
    for w, r in zip(sp_windows, rs):
        tries = 0
        while r.status != 200 and tries < 5:
            check(r.status == 409, f"only a duplicate refusal: {r!r:.300}")
            r = H.sp_post(env, t, [{"UserID": e.split("@")[0], "CUD": 2, "Email": e}
                                   for e in _emails(run2, *w)])
            tries += 1
        eq(r.status, 200, f"window {w} stored: {r!r:.300}")
    _once_each(env, t, _emails(run2, 0, sp_windows[-1][1]), "ServicePower bulk")
    H.figures(env, "races", bulk_imports_overlapping=len(windows) + len(sp_windows),
              emails=len(every) + sp_windows[-1][1])
