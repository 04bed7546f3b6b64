"""A connection lost at a chosen statement of a SOAJS addUser, made deterministic: the sanitizer
build of add_user (build/asan, made by `make test` before the HTTP suites) carries db.c's
fault-injection hook, PROVISION_FAULT=NAME:N (the Nth execution of statement NAME in the
process fails as if the connection had died). Inside the user's transaction the answer is
SOAJS's "Database connection error" and nothing of the user is stored; before it, the
statement is retried once on a new connection and the request succeeds; either way the same
process serves the next request. The outage test (tests/harden) found the queue-mail case by
chance under load; this is its regression test. The walks below (PROVISION_FAULT=*:N) then
reach every statement of one create per dialect, an invitation, a Skedulo PATCH, the join
page's POST, and a background import together with the task worker it forks. The last
walks inject deadlocks instead (PROVISION_FAULT=*:deadlock:N): every transaction is run again
from its start and the request acknowledged with everything stored once."""
import json
import os
import re
import time
import uuid

import fcgi
from harness import check, eq, quote, wait_until

DB_ERROR = {"result": False, "errors": {"codes": [400], "details": [
    {"code": 400, "message": "Database connection error"}]}}

# statement -> does the request still succeed (the fault lands outside the transaction, where
# db.c reconnects once and retries)
CASES = [
    ("CRED_TENANT_BY_SECRET", True),      # the key lookup
    ("START TRANSACTION", True),
    ("USER_INSERT", False),
    ("TOKEN_INSERT", False),              # the set-password token
    ("MAIL_OUTBOX_INSERT", False),        # the set-password mail
    ("COMMIT", False),
]


def _add(srv, t):
    """(email, answer) of one SOAJS addUser of a new pending user."""
    email = f"fault.{uuid.uuid4().hex[:10]}@example.com"
    _, method, path, q, ctype, body, headers = _soajs(t, [email])
    _, payload = _fcgi(srv, method, path, q, ctype, body, headers)
    return email, json.loads(payload)


def _stored(env, email):
    """Rows of the user, its tokens and its mails: (users, user_tokens, mail_outbox)."""
    row = env.sql_one(
        f"SELECT (SELECT COUNT(*) FROM users WHERE email = {quote(email)}), "
        f"(SELECT COUNT(*) FROM user_tokens k JOIN users u ON u.id = k.user_id "
        f" WHERE u.email = {quote(email)}), "
        f"(SELECT COUNT(*) FROM mail_outbox WHERE recipient = {quote(email)})")
    return tuple(int(x) for x in row)


def test_connection_lost_at_each_statement_of_add_user(env):
    exe = os.path.join(env.bin, "asan", "add_user")
    check(os.access(exe, os.X_OK), f"{exe} is missing: `make asan` builds it (make test does)")
    t = env.new_tenant()
    for name, succeeds in CASES:
        srv = fcgi.Server(exe, {"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin",
                                "PROVISION_FAULT": f"{name}:1",
                                "ASAN_OPTIONS": "detect_leaks=0"})
        try:
            email, body = _add(srv, t)
            if succeeds:
                eq(body.get("result"), True, f"{name}: retried on a new connection: {body}")
                eq(_stored(env, email), (1, 1, 1), f"{name}: user, token and mail stored")
            else:
                eq(body, DB_ERROR, f"{name}: the answer")
                eq(_stored(env, email), (0, 0, 0), f"{name}: nothing of the user stored")
            # the same process serves the next request on a new connection
            email2, body2 = _add(srv, t)
            eq(body2.get("result"), True, f"{name}: the next request: {body2}")
            eq(_stored(env, email2), (1, 1, 1), f"{name}: the next user stored whole")
            check(srv.proc.poll() is None, f"{name}: the process is still serving")
            with open(os.path.join(srv.dir, "stderr.log"), "rb") as f:
                log = f.read()
            check(f"db {name}: injected fault".encode() in log,
                  f"{name}: the fault was injected (log: {log[-500:]!r})")
        finally:
            srv.close()


# ---- every statement of one create through each dialect ("*:N": the Nth statement, any) ----

def _fcgi(srv, method, path, query, ctype, body, headers):
    """(HTTP status, body bytes) of one request to a FastCGI process."""
    params = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": path, "QUERY_STRING": query,
        "REQUEST_URI": path + ("?" + query if query else ""), "CONTENT_TYPE": ctype,
        "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    for k, v in headers.items():
        params["HTTP_" + k.upper().replace("-", "_")] = v
    out, _ = fcgi.request(srv.path, params, body)
    head, _, payload = out.partition(b"\r\n\r\n")
    status = 200
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"status:"):
            status = int(line.split()[1])
    return status, payload


def _soajs(t, emails):
    q = f"tId={t['id']}&tCode={t['code']}"
    body = json.dumps({"username": "f" + uuid.uuid4().hex[:10], "firstName": "F",
                       "lastName": "L", "email": emails[0]}).encode()
    return ("add_user", "POST", "/urac/admin/addUser", q, "application/json", body,
            {"key": t["soajs"]["key"]})


def _xtracta(t, emails):
    from harness import form
    body = form({"api_key": t["xtracta"]["api_key"], "name": "F L",
                 "email_address": emails[0]})
    return ("add_user", "POST", "/v1/user/add", "", "application/x-www-form-urlencoded", body,
            {})


def _skedulo(t, emails):
    body = json.dumps([{"email": e, "firstName": "F", "lastName": "L"} for e in emails]).encode()
    return ("bulk_users", "POST", "/onboarding/provision/standalone/users", "",
            "application/json", body, {"Authorization": "Bearer " + t["skedulo"]["token"]})


def _servicepower(t, emails):
    import servicepower_util as spu
    users = [{"UserID": "f" + uuid.uuid4().hex[:10], "CUD": 1, "Email": e} for e in emails]
    return ("bulk_users", "POST", "/seiapi/v3/bulk/Users", "", "application/json",
            json.dumps({"Users": users}).encode(), {"x-access-token": spu.mint(t)})


def _servicepower_reset(t, emails):
    """ServicePower creates with ResetPassword: a generated password, mailed in the batch."""
    import servicepower_util as spu
    users = [{"UserID": "f" + uuid.uuid4().hex[:10], "CUD": 1, "Email": e,
              "ResetPassword": True} for e in emails]
    return ("bulk_users", "POST", "/seiapi/v3/bulk/Users", "", "application/json",
            json.dumps({"Users": users}).encode(), {"x-access-token": spu.mint(t)})


def _acked(dialect, status, body):
    if status != 200:
        return False
    if dialect == "soajs":
        return json.loads(body).get("result") is True
    if dialect == "skedulo":
        r = json.loads(body)["result"]
        return r["inserted"] == r["total"] and not r["failures"]
    return True


def _db_down(dialect, status, body):
    if dialect == "soajs":
        return status == 200 and json.loads(body) == DB_ERROR
    if dialect == "xtracta":
        return status == 503 and b"<status>503</status>" in body
    if dialect == "skedulo":
        return status == 503 and json.loads(body).get("errorType") == "service_unavailable"
    return status == 503 and json.loads(body).get("code") == 503


def _stored_all(env, emails):
    total = (0, 0, 0)
    for e in emails:
        total = tuple(a + b for a, b in zip(total, _stored(env, e)))
    return total


def _walk(env, exe, what, new_subject, serve, stored, acked, down):
    """For N = 1, 2, ...: a new process of exe whose Nth statement loses the connection serves
    one request about a new subject. Either it is acknowledged with everything stored, exactly
    as without a fault (a fault outside the transaction is retried on a new connection), or it
    gets down's answer ("database unavailable") with nothing stored. Then the same process
    serves the next request, stored whole. Ends at the first N past the request's last
    statement. Returns (what one request stores, {"statements", "refused"})."""
    base = {"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=0"}
    srv = fcgi.Server(exe, base)
    try:
        subject = new_subject()
        status, body = serve(srv, subject)
        check(acked(status, body), f"{what}: reference request: {status} {body!r}")
        full = stored(subject)
    finally:
        srv.close()
    nothing = tuple(0 for _ in full)
    refused = 0
    for n in range(1, 80):
        srv = fcgi.Server(exe, dict(base, PROVISION_FAULT=f"*:{n}"))
        try:
            where = f"{what}, fault at statement {n}"
            subject = new_subject()
            status, body = serve(srv, subject)
            with open(os.path.join(srv.dir, "stderr.log"), "rb") as f:
                injected = b"injected fault" in f.read()
            if not injected:
                # past the request's last statement: the fault would land in the next one
                check(acked(status, body), f"{where}: no fault, not acknowledged")
                eq(stored(subject), full, f"{where}: no fault, stored whole")
                break
            if acked(status, body):
                eq(stored(subject), full, f"{where}: acknowledged, stored whole")
            else:
                check(down(status, body), f"{where}: neither acknowledged nor 'database "
                                          f"unavailable': {status} {body[:300]!r}")
                eq(stored(subject), nothing, f"{where}: refused, nothing stored")
                refused += 1
            subject = new_subject()
            status, body = serve(srv, subject)
            check(acked(status, body), f"{where}: the next request: {status} {body!r}")
            eq(stored(subject), full, f"{where}: the next request stored whole")
            check(srv.proc.poll() is None, f"{where}: the process is still serving")
        finally:
            srv.close()
    else:
        check(False, f"{what}: more than 79 statements in one request?")
    check(n > 2 and refused > 0, f"{what}: faults reached {n - 1} statements, {refused} "
                                 "inside a transaction")
    return full, {"statements": n - 1, "refused": refused}


def test_connection_lost_at_every_statement_of_each_dialect(env):
    """_walk over one create through each dialect (two users for the bulk dialects): the
    dialect's "database unavailable" answer, or everything stored."""
    t = env.new_tenant()
    figures = {}
    for dialect, build, n_users in (("soajs", _soajs, 1), ("xtracta", _xtracta, 1),
                                    ("skedulo", _skedulo, 2),
                                    ("servicepower", _servicepower, 2),
                                    ("servicepower", _servicepower_reset, 2)):
        def emails():
            u = uuid.uuid4().hex[:10]
            return [f"fx.{dialect}.{u}.{i}@example.com" for i in range(n_users)]

        def serve(srv, es):
            _, method, path, q, ctype, body, headers = build(t, es)
            return _fcgi(srv, method, path, q, ctype, body, headers)

        name = f"{dialect}/{build.__name__.strip('_')}"
        full, figures[name] = _walk(
            env, os.path.join(env.bin, "asan", build(t, ["x@example.com"])[0]), name, emails,
            serve, lambda es: _stored_all(env, es),
            lambda status, body: _acked(dialect, status, body),
            lambda status, body: _db_down(dialect, status, body))
        eq(full[0], n_users, f"{name}: users stored by one create")
    print(f"    figures {json.dumps(figures)}")


def _invite_case(env):
    """A SOAJS invitation of one user of the main tenant by a sub-tenant, with a pin (mailed):
    acknowledged with membership, pin and mail stored, or 602 "Model error: Database
    unavailable." with none of them."""
    main = env.new_tenant()
    sub = env.new_tenant(parent=main["id"])
    down = {"result": False, "errors": {"codes": [602], "details": [
        {"code": 602, "message": "Model error: Database unavailable."}]}}

    def member():
        """A new active user of the main tenant (with a password: no mail of its own)."""
        u = uuid.uuid4().hex[:10]
        email = f"fi.{u}@example.com"
        r = env.post_json(f"/urac/admin/addUser?tId={main['id']}&tCode={main['code']}",
                          {"username": "fi" + u, "firstName": "F", "lastName": "I",
                           "email": email, "password": "Fault-pass-1", "confirmation":
                           "Fault-pass-1", "status": "active"}, {"key": main["soajs"]["key"]})
        check(r.json().get("result") is True, f"addUser: {r!r}")
        return r.json()["data"]["id"], email

    def stored(m):
        oid, email = m
        row = env.sql_one(
            f"SELECT (SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id "
            f" WHERE u.oid = {quote(oid)}), "
            f"(SELECT COUNT(*) FROM pins p JOIN users u ON u.id = p.user_id "
            f" WHERE u.oid = {quote(oid)}), "
            f"(SELECT COUNT(*) FROM mail_outbox WHERE recipient = {quote(email)})")
        return tuple(int(x) for x in row)

    def serve(srv, m):
        body = json.dumps({"users": [{"user": {"id": m[0]},
                                      "pin": {"code": True, "allowed": True}}]}).encode()
        return _fcgi(srv, "PUT", "/urac/admin/users/invite", "", "application/json", body,
                     {"key": sub["soajs"]["key"]})

    def acked(status, body):
        b = json.loads(body)
        return status == 200 and b.get("result") is True and len(b["data"]["succeeded"]) == 1

    return dict(exe="invite", what="invite", new_subject=member, serve=serve, stored=stored,
                acked=acked, down=lambda status, body: (status == 200 and
                                                        json.loads(body) == down),
                full=(1, 1, 1), full_means="one invitation stores a membership, a pin and its mail")


def _walk_case(env, case):
    return _walk(env, os.path.join(env.bin, "asan", case["exe"]), case["what"],
                 case["new_subject"], case["serve"], case["stored"], case["acked"], case["down"])


def test_connection_lost_at_every_statement_of_an_invitation(env):
    """The walk over a SOAJS invitation (_invite_case)."""
    case = _invite_case(env)
    full, figures = _walk_case(env, case)
    eq(full, case["full"], case["full_means"])
    print(f"    figures {json.dumps({'invite': figures})}")


def _patch_case(env):
    """A Skedulo PATCH of two users (new first name, roles replaced, deactivated): both changed
    whole, or 503 service_unavailable with both unchanged."""
    t = env.new_tenant()
    auth = {"Authorization": "Bearer " + t["skedulo"]["token"]}

    def two_users():
        u = uuid.uuid4().hex[:10]
        emails = [f"fp.{u}.{i}@example.com" for i in range(2)]
        r = env.post_json("/onboarding/provision/standalone/users",
                          [{"email": e, "firstName": "F", "lastName": "L",
                            "roles": ["Scheduler"]} for e in emails], auth)
        check(r.json()["result"]["inserted"] == 2, f"setup POST: {r!r}")
        return [env.sql_one(f"SELECT oid FROM users WHERE email = {quote(e)}")[0]
                for e in emails]

    def serve(srv, oids):
        body = json.dumps({o: {"firstName": "Patched", "roles": ["Administrator"],
                               "isActive": False} for o in oids}).encode()
        return _fcgi(srv, "PATCH", "/onboarding/provision/standalone/users", "",
                     "application/json", body, auth)

    def stored(oids):
        """(users renamed, users whose only role is Administrator, users inactive)"""
        ids = ", ".join(quote(o) for o in oids)
        row = env.sql_one(
            f"SELECT SUM(u.first_name = 'Patched'), "
            f"SUM((SELECT GROUP_CONCAT(r.name) FROM user_roles ur JOIN roles r "
            f"     ON r.id = ur.role_id WHERE ur.user_id = u.id) = 'Administrator'), "
            f"SUM(u.status = 'inactive') FROM users u WHERE u.oid IN ({ids})")
        return tuple(int(x or 0) for x in row)

    def acked(status, body):
        if status != 200:
            return False
        r = json.loads(body)["result"]
        return r["updated"] == r["total"] == 2 and not r["failures"]

    return dict(exe="bulk_users", what="skedulo/patch", new_subject=two_users, serve=serve,
                stored=stored, acked=acked,
                down=lambda status, body: _db_down("skedulo", status, body),
                full=(2, 2, 2), full_means="one PATCH renames, re-roles and deactivates both users")


def test_connection_lost_at_every_statement_of_a_skedulo_patch(env):
    """The walk over a Skedulo PATCH (_patch_case)."""
    case = _patch_case(env)
    full, figures = _walk_case(env, case)
    eq(full, case["full"], case["full_means"])
    print(f"    figures {json.dumps({'skedulo/patch': figures})}")


def _join_case(env):
    """The set-password page's POST (GET /urac/join's form, sent): the password set, the user
    active and the link spent, or the page "The service is unavailable" (503) with the user
    still pending and the link still usable."""
    t = env.new_tenant()

    def pending():
        u = uuid.uuid4().hex[:10]
        email = f"fj.{u}@example.com"
        r = env.post_json(f"/urac/admin/addUser?tId={t['id']}&tCode={t['code']}",
                          {"username": "fj" + u, "firstName": "F", "lastName": "J",
                           "email": email}, {"key": t["soajs"]["key"]})
        check(r.json().get("result") is True, f"addUser: {r!r}")
        return email, r.json()["data"]["token"]

    def serve(srv, subject):
        from harness import form
        body = form({"token": subject[1], "password": "Fault-join-pass-1",
                     "confirmation": "Fault-join-pass-1"})
        return _fcgi(srv, "POST", "/urac/join", "", "application/x-www-form-urlencoded", body,
                     {})

    def stored(subject):
        """(password set, user active, link spent)"""
        row = env.sql_one(
            f"SELECT u.password_hash IS NOT NULL, u.status = 'active', k.used_at IS NOT NULL "
            f"FROM users u JOIN user_tokens k ON k.user_id = u.id "
            f"WHERE u.email = {quote(subject[0])} AND k.purpose = 'set_password'")
        return tuple(int(x) for x in row)

    def acked(status, body):
        return status == 200 and b"Your password is set" in body

    def down(status, body):
        return status == 503 and b"The service is unavailable" in body

    return dict(exe="join", what="join", new_subject=pending, serve=serve, stored=stored,
                acked=acked, down=down, full=(1, 1, 1),
                full_means="one POST sets the password, activates the user, spends the link")


def test_connection_lost_at_every_statement_of_the_join_page(env):
    """The walk over the set-password page's POST (_join_case)."""
    case = _join_case(env)
    full, figures = _walk_case(env, case)
    eq(full, case["full"], case["full_means"])
    print(f"    figures {json.dumps({'join': figures})}")


def _detached(exe, server_pid, fault):
    """pids of the processes of exe, other than the server, started with PROVISION_FAULT=fault:
    the double-forked task workers of that server."""
    want = f"PROVISION_FAULT={fault}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(pid) == server_pid or os.readlink(f"/proc/{pid}/exe") != exe:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if want in f.read().split(b"\0"):
                    found.append(int(pid))
        except OSError:
            continue
    return found


def test_connection_lost_at_every_statement_of_a_bulk_task(env):
    """*:N over a Skedulo POST .../users/bulk of two users with invitations, the request AND the
    task worker it double-forks after the answer (the worker inherits the process's statement
    count, so N past the request's statements lands in the worker). Either the request is
    refused (503 service_unavailable, no task, nothing stored), or it is answered with the task
    and then, whatever the worker hit, the task ends complete and successful with both users
    stored exactly once (user, token, invitation): at once (a batch that lost its connection
    is run again by the worker itself, which logs it), or once `provctl tasks run` has taken
    over the task the faulted worker left behind (its open batch rolled back). One request per
    process: a later request's worker would inherit the same pending fault."""
    t = env.new_tenant()
    exe = os.path.join(env.bin, "asan", "bulk_users")
    tid = env.sql_one(f"SELECT id FROM tenants WHERE oid = {quote(t['id'])}")[0]
    path = "/onboarding/provision/standalone/users/bulk"
    auth = {"Authorization": "Bearer " + t["skedulo"]["token"]}

    def tasks():
        return int(env.sql_one(f"SELECT COUNT(*) FROM tasks WHERE tenant_id = {tid}")[0])

    def completed(task_id):
        """(done, success) of the task whose taskId (its number in the tenant) is task_id"""
        return env.sql_one(f"SELECT completed_at IS NOT NULL, success FROM tasks "
                           f"WHERE tenant_id = {tid} AND number = {task_id}")

    outcomes = {"refused": 0, "worker_faulted": 0, "worker_reran": 0, "retried": 0}
    for n in range(1, 80):
        u = uuid.uuid4().hex[:10]
        emails = [f"fb.{u}.{i}@example.com" for i in range(2)]
        body = json.dumps([{"email": e, "firstName": "F", "lastName": "B",
                            "sendInvitation": True} for e in emails]).encode()
        where = f"bulk task, fault at statement {n}"
        before = tasks()
        srv = fcgi.Server(exe, {"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin",
                                "ASAN_OPTIONS": "detect_leaks=0", "PROVISION_FAULT": f"*:{n}"})
        try:
            status, payload = _fcgi(srv, "POST", path, "", "application/json", body, auth)
            log = os.path.join(srv.dir, "stderr.log")

            def injected():
                with open(log, "rb") as f:
                    return b"injected fault" in f.read()

            if status != 200:
                check(_db_down("skedulo", status, payload),
                      f"{where}: neither the task nor 'unavailable': {status} {payload!r}")
                eq(_stored_all(env, emails), (0, 0, 0), f"{where}: refused, nothing stored")
                eq(tasks(), before, f"{where}: refused, no task")
                outcomes["refused"] += 1
                continue
            task_id = json.loads(payload)["result"]["taskId"]
            eq(tasks(), before + 1, f"{where}: one task")
            # the worker either finishes, or stops at the fault and leaves the task stale
            check(wait_until(lambda: completed(task_id)[0] == "1" or injected(), timeout=30),
                  f"{where}: the worker neither finished nor hit the fault")
            # the worker has exited (finished, or stopped at its fault) when no detached
            # process of this server's environment is left
            check(wait_until(lambda: not _detached(exe, srv.proc.pid, f"*:{n}"), timeout=30),
                  f"{where}: the worker did not exit")
            if completed(task_id)[0] != "1":
                outcomes["worker_faulted"] += 1
                deadline = time.time() + 30
                while completed(task_id)[0] != "1":
                    check(time.time() < deadline, f"{where}: not resumed")
                    time.sleep(1.1)   # the heartbeat must be older than 1 s
                    rc, out, err = env.provctl(
                        "tasks", "run", env={"PROVISION_TASKS_STALE_SECONDS": "1"})
                    eq(rc, 0, f"{where}: provctl tasks run: {err}")
                    check(re.fullmatch(r"tasks: \d+ resumed\n", out), f"provctl: {out!r}")
            elif injected():
                with open(log, "rb") as f:
                    reran = b"batch run again" in f.read()
                outcomes["worker_reran" if reran else "retried"] += 1
            eq(completed(task_id), ["1", "1"], f"{where}: the task ends with success")
            eq(_stored_all(env, emails), (2, 2, 2), f"{where}: both users stored whole, once")
            eq(env.sql_one(f"SELECT COUNT(*) FROM task_items i JOIN tasks k ON k.id = i.task_id "
                           f"WHERE k.tenant_id = {tid} AND k.number = {task_id} "
                           f"AND i.done = 1")[0], "2", f"{where}: both items done once")
            check(srv.proc.poll() is None, f"{where}: the process is still serving")
            if not injected():
                break   # past the last statement of the request and of its worker
        finally:
            srv.close()
    else:
        check(False, "more than 79 statements in one bulk request and its worker?")
    check(outcomes["refused"] > 0 and outcomes["worker_faulted"] + outcomes["worker_reran"] > 0,
          f"faults reached the request and the worker: {outcomes}")
    check(outcomes["worker_reran"] > 0,
          f"a batch that lost its connection is run again by its own worker: {outcomes}")
    print(f"    figures {json.dumps({'skedulo/bulk': dict(outcomes, statements=n - 1)})}")


# ---- deadlocks (tx.h): PROVISION_FAULT=NAME:deadlock:N or NAME:lockwait:N makes the Nth
# statement run inside a transaction (COMMIT included) fail with 1213 or 1205, as a deadlock
# victim or a lock wait timeout would. Every transaction must be rolled back and run again
# from its start: the request is acknowledged with everything stored exactly once. ----

RERUN = re.compile(rb"db: (deadlock|lock wait timeout), transaction rolled back; run 2 of \d+")


def _log(srv):
    with open(os.path.join(srv.dir, "stderr.log"), "rb") as f:
        return f.read()


def test_a_deadlock_at_commit_reruns_the_transaction(env):
    """Galera reports a failed certification as 1213 on COMMIT: the whole transaction runs
    again (new statements, same user), for a SOAJS addUser and a Skedulo PATCH; so does a
    deadlock or lock wait timeout met by a statement in the middle of it."""
    exe = os.path.join(env.bin, "asan", "add_user")
    t = env.new_tenant()
    for fault in ("COMMIT:deadlock:1", "COMMIT:lockwait:1", "USER_INSERT:deadlock:1",
                  "MAIL_OUTBOX_INSERT:lockwait:1", "TOKEN_INSERT:deadlock:1"):
        srv = fcgi.Server(exe, {"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin",
                                "PROVISION_FAULT": fault, "ASAN_OPTIONS": "detect_leaks=0"})
        try:
            email, body = _add(srv, t)
            eq(body.get("result"), True, f"{fault}: acknowledged after a rerun: {body}")
            eq(_stored(env, email), (1, 1, 1), f"{fault}: user, token and mail stored once")
            log = _log(srv)
            name = fault.split(":")[0]
            check(f"db {name}: injected fault".encode() in log, f"{fault}: injected: {log!r}")
            m = RERUN.search(log)
            check(m is not None, f"{fault}: the transaction was run again: {log[-600:]!r}")
            eq(m.group(1), b"deadlock" if "deadlock" in fault else b"lock wait timeout",
               f"{fault}: why")
            email2, body2 = _add(srv, t)
            eq((body2.get("result"), _stored(env, email2)), (True, (1, 1, 1)),
               f"{fault}: the next request")
        finally:
            srv.close()
    case = _patch_case(env)
    srv = fcgi.Server(os.path.join(env.bin, "asan", case["exe"]),
                      {"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin",
                       "PROVISION_FAULT": "COMMIT:deadlock:1", "ASAN_OPTIONS": "detect_leaks=0"})
    try:
        oids = case["new_subject"]()
        status, body = case["serve"](srv, oids)
        check(case["acked"](status, body), f"PATCH after a COMMIT deadlock: {status} {body!r}")
        eq(case["stored"](oids), case["full"], "the PATCH stored whole")
        check(RERUN.search(_log(srv)) is not None, "the PATCH's transaction was run again")
    finally:
        srv.close()


def _walk_deadlocks(env, exe, what, new_subject, serve, stored, acked):
    """For N = 1, 2, ...: a new process of exe whose Nth statement inside a transaction fails
    as a deadlock victim serves one request about a new subject: acknowledged, stored exactly
    as without a fault, the rerun logged; then the same process serves the next request. Ends
    at the first N past the request's last statement in a transaction. Returns the figures."""
    base = {"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=0"}
    srv = fcgi.Server(exe, base)
    try:
        subject = new_subject()
        status, body = serve(srv, subject)
        check(acked(status, body), f"{what}: reference request: {status} {body!r}")
        full = stored(subject)
    finally:
        srv.close()
    for n in range(1, 80):
        srv = fcgi.Server(exe, dict(base, PROVISION_FAULT=f"*:deadlock:{n}"))
        try:
            where = f"{what}, deadlock at statement {n} of a transaction"
            subject = new_subject()
            status, body = serve(srv, subject)
            log = _log(srv)
            check(acked(status, body), f"{where}: not acknowledged: {status} {body[:300]!r}")
            eq(stored(subject), full, f"{where}: stored whole, once")
            if b"injected fault" not in log:
                break
            check(RERUN.search(log) is not None, f"{where}: no rerun logged: {log[-600:]!r}")
            subject = new_subject()
            status, body = serve(srv, subject)
            check(acked(status, body), f"{where}: the next request: {status} {body!r}")
            eq(stored(subject), full, f"{where}: the next request stored whole")
        finally:
            srv.close()
    else:
        check(False, f"{what}: more than 79 statements in transactions in one request?")
    check(n > 2, f"{what}: deadlocks reached only {n - 1} statements")
    return {"statements_in_transactions": n - 1}


def test_a_deadlock_at_every_statement_of_every_transaction(env):
    """_walk_deadlocks over one create through each dialect, an invitation, a Skedulo PATCH
    and the join page's POST: every transaction is restartable (nothing it did before the
    deadlock survives, nothing is done twice)."""
    t = env.new_tenant()
    figures = {}
    for dialect, build, n_users in (("soajs", _soajs, 1), ("xtracta", _xtracta, 1),
                                    ("skedulo", _skedulo, 2),
                                    ("servicepower", _servicepower, 2),
                                    ("servicepower", _servicepower_reset, 2)):
        def emails():
            u = uuid.uuid4().hex[:10]
            return [f"fd.{dialect}.{u}.{i}@example.com" for i in range(n_users)]

        def serve(srv, es):
            _, method, path, q, ctype, body, headers = build(t, es)
            return _fcgi(srv, method, path, q, ctype, body, headers)

        name = f"{dialect}/{build.__name__.strip('_')}"
        figures[name] = _walk_deadlocks(
            env, os.path.join(env.bin, "asan", build(t, ["x@example.com"])[0]), name, emails,
            serve, lambda es: _stored_all(env, es),
            lambda status, body: _acked(dialect, status, body))
    for case in (_invite_case(env), _patch_case(env), _join_case(env)):
        figures[case["what"]] = _walk_deadlocks(
            env, os.path.join(env.bin, "asan", case["exe"]), case["what"], case["new_subject"],
            case["serve"], case["stored"], case["acked"])
    print(f"    figures {json.dumps({'deadlocks': figures})}")


def test_a_deadlock_at_every_statement_of_a_bulk_task(env):
    """*:deadlock:N over a Skedulo .../users/bulk of two invited users: the request's
    transaction (storing the task) and then the task worker's batches, which it double-forks
    (the worker inherits the statement count). Whichever transaction meets the deadlock runs
    again: the task ends complete and successful, both users stored once with token and
    invitation, both items done once, without anyone resuming it."""
    t = env.new_tenant()
    exe = os.path.join(env.bin, "asan", "bulk_users")
    path = "/onboarding/provision/standalone/users/bulk"
    auth = {"Authorization": "Bearer " + t["skedulo"]["token"]}
    reached = 0
    for n in range(1, 80):
        u = uuid.uuid4().hex[:10]
        emails = [f"fbd.{u}.{i}@example.com" for i in range(2)]
        body = json.dumps([{"email": e, "firstName": "F", "lastName": "B",
                            "sendInvitation": True} for e in emails]).encode()
        where = f"bulk task, deadlock at statement {n} of a transaction"
        srv = fcgi.Server(exe, {"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin",
                                "ASAN_OPTIONS": "detect_leaks=0",
                                "PROVISION_FAULT": f"*:deadlock:{n}"})
        try:
            status, payload = _fcgi(srv, "POST", path, "", "application/json", body, auth)
            eq(status, 200, f"{where}: the task: {payload!r}")
            number = json.loads(payload)["result"]["taskId"]   # the tenant's task number
            task_id = env.sql_one(f"SELECT k.id FROM tasks k JOIN tenants n ON n.id = "
                                  f"k.tenant_id WHERE n.oid = {quote(t['id'])} "
                                  f"AND k.number = {number}")[0]
            check(wait_until(lambda: env.sql_one(
                f"SELECT completed_at IS NOT NULL FROM tasks WHERE id = {task_id}")[0] == "1",
                timeout=30), f"{where}: the task did not complete by itself")
            check(wait_until(lambda: not _detached(exe, srv.proc.pid, f"*:deadlock:{n}"),
                             timeout=30), f"{where}: the worker did not exit")
            eq(env.sql_one(f"SELECT success FROM tasks WHERE id = {task_id}")[0], "1",
               f"{where}: the task succeeded")
            eq(_stored_all(env, emails), (2, 2, 2), f"{where}: both users stored whole, once")
            eq(env.sql_one(f"SELECT COUNT(*) FROM task_items WHERE task_id = {task_id} "
                           f"AND done = 1")[0], "2", f"{where}: both items done once")
            log = _log(srv)
            if b"injected fault" not in log:
                break
            check(RERUN.search(log) is not None, f"{where}: no rerun logged: {log[-600:]!r}")
            reached += 1
        finally:
            srv.close()
    else:
        check(False, "more than 79 statements in transactions of one bulk request?")
    check(reached > 4, f"deadlocks reached only {reached} statements")
    print(f"    figures {json.dumps({'skedulo/bulk deadlocks': reached})}")
