"""Skedulo background imports (seed 000, docs/CONTRACT.md section 5): POST .../users/bulk and
.../users/file answer the task object at once and process after the response; GET
.../users/bulk/{taskId} follows them in the seed's exact shape (plus userId); a 2 000-user import
followed to its end, CSV and JSON file imports, envelope errors with nothing stored, cross-tenant
404, and the fault test: the worker killed with SIGKILL in the middle of a 5 000-user import, the
task resumed by `provctl tasks run`, every user created exactly once."""
import json
import os
import re
import signal
import subprocess
import time
import uuid
from datetime import datetime, timezone

from harness import check, eq, quote, wait_until

BASE = "/onboarding/provision/standalone/users"
TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
TASK_KEYS = ["taskId", "tenantId", "type", "createdAt", "lastCheckedInAt", "completedAt",
             "success", "errorMsg"]
USER_KEYS = ["email", "taskId", "firstName", "lastName", "success", "errorMsg"]


def uniq():
    return uuid.uuid4().hex[:10]


def auth(t, token=None):
    return {"Authorization": "Bearer " + (token or t["skedulo"]["token"])}


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def assert_error(r, status, expected):
    eq(r.status, status, f"HTTP status of {r!r}")
    eq(r.headers.get("content-type"), "application/json; charset=utf-8", "Content-Type")
    eq(r.body, compact(expected), "body")


def tenant_db_id(env, t):
    return env.sql_one(f"SELECT id FROM tenants WHERE oid = {quote(t['id'])}")[0]


def task_count(env, t):
    return int(env.sql_one(f"SELECT COUNT(*) FROM tasks WHERE tenant_id = "
                           f"{tenant_db_id(env, t)}")[0])


def parse_ts(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def check_created(env, t, r):
    """The answer of bulk/file: 200 with the task object, nothing processed yet."""
    eq(r.status, 200, f"status {r!r}")
    eq(r.headers.get("content-type"), "application/json; charset=utf-8", "Content-Type")
    eq(r.headers.get("cache-control"), "no-store", "Cache-Control")
    body = r.json()
    eq(list(body), ["result"], "top-level keys")
    task = body["result"]
    eq(list(task), TASK_KEYS, "task keys in order")
    check(isinstance(task["taskId"], int) and task["taskId"] > 0, f"taskId integer {task}")
    eq(task["tenantId"], t["skedulo"]["tenantId"], "tenantId")
    eq(task["type"], "bulk_user_import", "type")
    check(TS.fullmatch(task["createdAt"]), f"createdAt format {task['createdAt']}")
    age = abs((datetime.now(timezone.utc) - parse_ts(task["createdAt"])).total_seconds())
    check(age < 120, f"createdAt is UTC now, off by {age}s")
    eq([task["lastCheckedInAt"], task["completedAt"], task["success"], task["errorMsg"]],
       [None, None, False, None], "not started in the answer")
    # the raw bytes too: the docs/CONTRACT.md shape exactly
    expected = {"result": dict(task)}
    eq(r.body, compact(expected), "body bytes")
    return task["taskId"]


def status(env, t, task_id, token=None):
    return env.http("GET", f"{BASE}/bulk/{task_id}", headers=auth(t, token))


def follow(env, t, task_id, timeout=60):
    """Polls task_status until completedAt is set; returns the final body."""
    end = time.time() + timeout
    while True:
        r = status(env, t, task_id)
        eq(r.status, 200, f"status {r!r}")
        body = r.json()
        if body["result"]["task"]["completedAt"] is not None:
            return r, body
        check(time.time() < end, f"task {task_id} did not complete: {body['result']['task']}")
        time.sleep(0.1)


def check_status_shape(r, body, t, task_id, n):
    eq(r.headers.get("content-type"), "application/json; charset=utf-8", "Content-Type")
    eq(list(body), ["result"], "top keys")
    eq(list(body["result"]), ["task", "users"], "result keys")
    task = body["result"]["task"]
    eq(list(task), TASK_KEYS, "task keys")
    eq([task["taskId"], task["tenantId"], task["type"]],
       [task_id, t["skedulo"]["tenantId"], "bulk_user_import"], "task identity")
    for k in ["createdAt", "lastCheckedInAt", "completedAt"]:
        check(TS.fullmatch(task[k] or ""), f"{k} format {task[k]!r}")
    check(parse_ts(task["createdAt"]) <= parse_ts(task["lastCheckedInAt"]) <=
          parse_ts(task["completedAt"]), f"timestamps in order {task}")
    eq(len(body["result"]["users"]), n, "one entry per submitted user")
    for u in body["result"]["users"]:
        keys = USER_KEYS + (["userId"] if u["success"] else [])
        eq(list(u), keys, f"user entry keys {u}")
        eq(u["taskId"], task_id, "taskId is the integer id in every entry")
    eq(r.body, compact(body), "compact JSON, keys in this order")


def users_by_email(env, t):
    return {row[0]: row[1] for row in env.sql(
        f"SELECT email, oid FROM users WHERE tenant_id = {tenant_db_id(env, t)}")}


# ---- bulk ----

def test_seed_000_task_status_shape(env):
    """The two users of the seed's status example, imported through /bulk."""
    t = env.new_tenant()
    reg = env.provctl_json("region", "add", "--tenant", t["id"], "--name", "HQ", "--json")["id"]
    users = [{"email": "gemma+test701@skedulo.com", "firstName": "Admin", "lastName": "User",
              "roles": ["Administrator"]},
             {"email": "ghilton+test702@skedulo.com", "firstName": "NewResource",
              "lastName": "User", "roles": ["Resource"],
              "resource": {"primaryRegionId": reg, "isActive": True}}]
    r = env.post_json(BASE + "/bulk", users, auth(t))
    task_id = check_created(env, t, r)
    r, body = follow(env, t, task_id)
    check_status_shape(r, body, t, task_id, 2)
    ids = users_by_email(env, t)
    task = body["result"]["task"]
    eq([task["success"], task["errorMsg"]], [True, None], "task succeeded")
    eq(body["result"]["users"], [
        {"email": "gemma+test701@skedulo.com", "taskId": task_id, "firstName": "Admin",
         "lastName": "User", "success": True, "errorMsg": None,
         "userId": ids["gemma+test701@skedulo.com"]},
        {"email": "ghilton+test702@skedulo.com", "taskId": task_id, "firstName": "NewResource",
         "lastName": "User", "success": True, "errorMsg": None,
         "userId": ids["ghilton+test702@skedulo.com"]},
    ], "users of the seed's example")
    eq(env.sql(f"SELECT COUNT(*) FROM resources r JOIN users u ON u.id = r.user_id "
               f"WHERE u.oid = {quote(ids['ghilton+test702@skedulo.com'])}"), [["1"]],
       "the resource stored")


def test_failures_reported_per_user(env):
    t = env.new_tenant()
    u = uniq()
    taken = f"taken.{u}@example.com"
    r = env.post_json(BASE, [{"email": taken, "lastName": "Old"}], auth(t))
    eq(r.status, 200, f"setup {r!r}")
    users = [{"email": f"ok.{u}@example.com", "firstName": "Ok", "lastName": "User"},
             {"email": taken, "firstName": "Dup", "lastName": "User"},
             {"email": f"bad.{u}@example.com", "firstName": 7},
             {"email": f"role.{u}@example.com", "lastName": "R", "roles": ["Ghost"]}]
    task_id = check_created(env, t, env.post_json(BASE + "/bulk", users, auth(t)))
    r, body = follow(env, t, task_id)
    check_status_shape(r, body, t, task_id, 4)
    task = body["result"]["task"]
    eq([task["success"], task["errorMsg"]], [False, "3 of 4 users failed"], "task outcome")
    ok_id = users_by_email(env, t)[f"ok.{u}@example.com"]
    eq(body["result"]["users"], [
        {"email": f"ok.{u}@example.com", "taskId": task_id, "firstName": "Ok",
         "lastName": "User", "success": True, "errorMsg": None, "userId": ok_id},
        {"email": taken, "taskId": task_id, "firstName": "Dup", "lastName": "User",
         "success": False, "errorMsg": "A user with that email already exists"},
        {"email": f"bad.{u}@example.com", "taskId": task_id, "firstName": None,
         "lastName": None, "success": False,
         "errorMsg": "Invalid value for field: firstName"},
        {"email": f"role.{u}@example.com", "taskId": task_id, "firstName": None,
         "lastName": "R", "success": False, "errorMsg": "Unknown role: Ghost"},
    ], "per-user outcome")
    eq(env.sql(f"SELECT last_name FROM users WHERE email = {quote(taken)}"), [["Old"]],
       "the existing user untouched")


def test_2000_users_followed_to_completion(env):
    t = env.new_tenant()
    u = uniq()
    users = [{"email": f"a{i}.{u}@example.com", "firstName": f"F{i}", "lastName": "Async",
              "roles": ["Scheduler"]} for i in range(2000)]
    task_id = check_created(env, t, env.post_json(BASE + "/bulk", users, auth(t)))
    r, body = follow(env, t, task_id)
    check_status_shape(r, body, t, task_id, 2000)
    task = body["result"]["task"]
    eq([task["success"], task["errorMsg"]], [True, None], "task outcome")
    ids = users_by_email(env, t)
    eq(len(ids), 2000, "2000 users stored")
    eq([(x["email"], x["firstName"], x["success"], x["userId"]) for x in
        body["result"]["users"]],
       [(x["email"], x["firstName"], True, ids[x["email"]]) for x in users],
       "every user, in submission order, with its id")
    tid = tenant_db_id(env, t)
    eq(env.sql(f"SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = {tid}"), [["2000"]],
       "invitations queued")


def test_bulk_envelope_errors_store_nothing(env):
    t = env.new_tenant()
    shape = {"errorType": "bad_request",
             "message": "The request body must be a non-empty JSON array of users"}
    for body in [[], {}, {"users": []}]:
        assert_error(env.post_json(BASE + "/bulk", body, auth(t)), 400, shape)
    too_many = [{"email": f"u{i}@x.io", "lastName": "L"} for i in range(10001)]
    assert_error(env.post_json(BASE + "/bulk", too_many, auth(t)), 400,
                 {"errorType": "bad_request",
                  "message": "Too many users in one request: 10001 (the limit is 10000)"})
    email = f"r.{uniq()}@example.com"
    assert_error(env.post_json(BASE + "/bulk", [{"email": email, "lastName": "L",
                                                  "roles": ["Resource"]}], auth(t)), 400,
                 {"errorType": "users_need_resource_role", "message":
                  "Users with an assigned resource must have Resource role and vice versa. "
                  f"Email of user records in error: {email}"})
    assert_error(env.post_json(BASE + "/bulk", [{"email": "a@b.io", "lastName": "L"}]), 401,
                 {"errorType": "unauthorized",
                  "message": "Missing Authorization header with a Bearer token"})
    eq(task_count(env, t), 0, "no task stored")


# ---- task status ----

def test_status_404_unknown_foreign_and_malformed(env):
    a, b = env.new_tenant(), env.new_tenant()
    task_id = check_created(env, a, env.post_json(BASE + "/bulk", [
        {"email": f"x.{uniq()}@example.com", "lastName": "X"}], auth(a)))
    follow(env, a, task_id)
    nf = {"errorType": "not_found", "message": "Task not found"}
    assert_error(status(env, b, task_id), 404, nf)          # another tenant's task
    for bad in [task_id + 1000000, 0, "abc", "1x", "-1", "99999999999999999999"]:
        assert_error(status(env, a, bad), 404, nf)
    assert_error(env.http("GET", f"{BASE}/bulk/{task_id}"), 401,
                 {"errorType": "unauthorized",
                  "message": "Missing Authorization header with a Bearer token"})
    # reading needs users:read; a write-only token is refused
    wo = env.provctl_json("token", "create", "--tenant", a["id"], "--scope", "users:write",
                          "--json")["token"]
    assert_error(status(env, a, task_id, wo), 403,
                 {"errorType": "forbidden",
                  "message": "The API token does not have the users:read scope"})
    ro = env.provctl_json("token", "create", "--tenant", a["id"], "--scope", "users:read",
                          "--json")["token"]
    eq(status(env, a, task_id, ro).status, 200, "a read-only token may read")


# ---- file import ----

def multipart(files, fields=None):
    boundary = "----sk" + uuid.uuid4().hex
    out = b""
    for name, value in (fields or {}).items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for name, filename, ctype, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def post_file(env, t, files, fields=None):
    body, ctype = multipart(files, fields)
    return env.http("POST", BASE + "/file", body, auth(t), ctype)


def test_csv_file_import(env):
    t = env.new_tenant()
    reg = env.provctl_json("region", "add", "--tenant", t["id"], "--name", "W", "--json")["id"]
    u = uniq()
    csv = ("\ufeffFirstName,LastName,Email,Roles,SendInvitation,RegionId,IsActive,CountryCode,"
           "GeoLatitude,Resource.Skill__c\r\n"
           f"Ann,\"Smith, Jr\",ann.{u}@example.com,Scheduler;Administrator,false,,,,,\r\n"
           f"\"Bo\"\"b\",Ray,bob.{u}@example.com, Resource ,TRUE,{reg},true,nz,-41.29,"
           "\"Welding\nand more\"\r\n"
           "\r\n"
           f"Cy,Lee,cy.{u}@example.com,,maybe,,,,,\n"
           f"Di,Wu,ann.{u}@example.com,,,,,,,")
    r = post_file(env, t, [("file", "users.csv", "text/csv", csv.encode())], {"note": "ignored"})
    task_id = check_created(env, t, r)
    r, body = follow(env, t, task_id)
    check_status_shape(r, body, t, task_id, 4)
    ids = users_by_email(env, t)
    eq(body["result"]["users"], [
        {"email": f"ann.{u}@example.com", "taskId": task_id, "firstName": "Ann",
         "lastName": "Smith, Jr", "success": True, "errorMsg": None,
         "userId": ids[f"ann.{u}@example.com"]},
        {"email": f"bob.{u}@example.com", "taskId": task_id, "firstName": "Bo\"b",
         "lastName": "Ray", "success": True, "errorMsg": None,
         "userId": ids[f"bob.{u}@example.com"]},
        {"email": f"cy.{u}@example.com", "taskId": task_id, "firstName": "Cy",
         "lastName": "Lee", "success": False,
         "errorMsg": "Invalid value for field: sendInvitation"},
        {"email": f"ann.{u}@example.com", "taskId": task_id, "firstName": "Di",
         "lastName": "Wu", "success": False,
         "errorMsg": "A user with that email already exists"},
    ], "users of the CSV")
    ann, bob = ids[f"ann.{u}@example.com"], ids[f"bob.{u}@example.com"]
    eq(env.sql(f"SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u "
               f"ON u.id = ur.user_id WHERE u.oid = {quote(ann)} ORDER BY r.name"),
       [["Administrator"], ["Scheduler"]], "roles split on ';'")
    eq(env.sql(f"SELECT COUNT(*) FROM mail_outbox m JOIN users u ON u.id = m.user_id "
               f"WHERE u.oid IN ({quote(ann)}, {quote(bob)})"), [["1"]],
       "SendInvitation false honoured, TRUE invites")
    row = env.sql_one(f"SELECT g.uuid, r.is_active, r.country_code, r.geo_latitude, "
                      f"JSON_VALUE(r.custom_fields, '$.Skill__c') = 'Welding\\nand more' "
                      f"FROM resources r JOIN regions g ON g.id = r.primary_region_id "
                      f"JOIN users u ON u.id = r.user_id WHERE u.oid = {quote(bob)}")
    eq(row[:3] + [float(row[3]), row[4]], [reg, "1", "NZ", -41.29, "1"], "resource from CSV")


def test_json_file_import(env):
    t = env.new_tenant()
    u = uniq()
    users = [{"email": f"j{i}.{u}@example.com", "firstName": "J", "lastName": f"Son{i}"}
             for i in range(3)]
    r = post_file(env, t, [("upload", "users.json", "application/json",
                            b"\xef\xbb\xbf  " + json.dumps(users).encode())])
    task_id = check_created(env, t, r)
    r, body = follow(env, t, task_id)
    check_status_shape(r, body, t, task_id, 3)
    eq([(x["email"], x["lastName"], x["success"]) for x in body["result"]["users"]],
       [(x["email"], x["lastName"], True) for x in users], "users of the JSON file")


def test_file_envelope_errors_store_nothing(env):
    t = env.new_tenant()
    csv_ok = b"FirstName,LastName,Email\nA,B,a@example.com\n"

    def bad(r, message):
        assert_error(r, 400, {"errorType": "bad_request", "message": message})

    bad(post_file(env, t, [], {"file": "not a file"}),
        "Exactly one file part is expected; the request has 0")
    bad(post_file(env, t, [("a", "a.csv", "text/csv", csv_ok), ("b", "b.csv", "text/csv",
                                                                 csv_ok)]),
        "Exactly one file part is expected; the request has 2")
    bad(post_file(env, t, [("f", "u.csv", "text/csv", b"FirstName,Email\nA,a@example.com\n")]),
        "The CSV header must name at least the columns FirstName, LastName and Email")
    bad(post_file(env, t, [("f", "u.csv", "text/csv",
                            b"FirstName,LastName,Email,Shoe\nA,B,a@example.com,42\n")]),
        "Unknown column in the CSV header: Shoe")
    bad(post_file(env, t, [("f", "u.csv", "text/csv",
                            b"FirstName,LastName,Email,email\nA,B,a@example.com,x\n")]),
        "Duplicate column in the CSV header: email")
    bad(post_file(env, t, [("f", "u.csv", "text/csv",
                            b"FirstName,LastName,Email\nA,B,a@example.com\n\"C,D,e@x.com\n")]),
        "Malformed CSV at line 3: a quoted field is not closed")
    bad(post_file(env, t, [("f", "u.csv", "text/csv",
                            b"FirstName,LastName,Email\nA,B\"x,a@example.com\n")]),
        "Malformed CSV at line 2: a double quote in an unquoted field or after a closing quote")
    bad(post_file(env, t, [("f", "u.csv", "text/csv",
                            b"FirstName,LastName,Email\nA,B,a@example.com,extra\n")]),
        "CSV line 2 has 4 fields where the header has 3")
    bad(post_file(env, t, [("f", "u.csv", "text/csv", b"FirstName,LastName,Email\r\n")]),
        "The file holds no users")
    bad(post_file(env, t, [("f", "u.csv", "text/csv", b"")]), "The file is empty")
    bad(post_file(env, t, [("f", "u.json", "application/json", b"[]")]),
        "The file holds no users")
    r = post_file(env, t, [("f", "u.json", "application/json", b"[{\"email\":")])
    eq(r.status, 400, f"malformed JSON file {r!r}")
    check(r.json()["message"].startswith("The JSON file is invalid: malformed JSON"),
          f"message {r.json()}")
    assert_error(post_file(env, t, [("f", "u.csv", "text/csv",
                                     b"FirstName,LastName,Email,Roles\n"
                                     b"A,B,a@example.com,Resource\n")]), 400,
                 {"errorType": "users_need_resource_role", "message":
                  "Users with an assigned resource must have Resource role and vice versa. "
                  "Email of user records in error: a@example.com"})
    eq(task_count(env, t), 0, "no task stored")


def test_file_over_the_limit(env):
    t = env.new_tenant()
    rows = "".join(f"F,L,u{i}@x.io\n" for i in range(50001))
    r = post_file(env, t, [("f", "u.csv", "text/csv", ("FirstName,LastName,Email\n" + rows)
                            .encode())])
    assert_error(r, 400, {"errorType": "bad_request",
                          "message": "Too many users in one file: more than 50000"})
    eq(task_count(env, t), 0, "no task stored")


# ---- the fault test ----

def stack_pids(env):
    """Processes of this test stack: they carry its PROVISION_CONF in their environment."""
    want = ("PROVISION_CONF=" + env.conf).encode()
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                if want in f.read().split(b"\0"):
                    pids.append(int(d))
        except OSError:
            pass
    return pids


def detached_workers(env):
    """bulk_users processes of this stack that lead their own session: the double-forked
    grandchildren (the FastCGI processes are lighttpd's children in lighttpd's session)."""
    found = []
    for pid in stack_pids(env):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # plain CGI (shared hosting) runs copies named bulk_users.cgi
        if os.path.basename(exe) in ("bulk_users", "bulk_users.cgi") and int(fields[3]) == pid:
            found.append(pid)
    return found


def mariadb_session(env):
    return subprocess.Popen(
        ["mariadb", "--no-defaults", "--socket=" + env.socket, "-u", "provision", "-N", "-B",
         "--unbuffered", "provision"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, MYSQL_PWD=env._db_password or ""))


def test_worker_killed_midway_is_resumed_without_loss_or_duplicates(env):
    t = env.new_tenant()
    tid = tenant_db_id(env, t)
    u = uniq()
    n = 5000
    users = [{"email": f"k{i}.{u}@example.com", "firstName": f"K{i}", "lastName": "Fault"}
             for i in range(n)]
    # Hold, in an open transaction, a row with the email of user 3601: the worker's batch that
    # reaches it waits on the row lock, so the kill lands mid-way for certain, not by timing.
    blocker = mariadb_session(env)
    try:
        blocker.stdin.write(
            "START TRANSACTION;\n"
            f"INSERT INTO users (oid, tenant_id, email, last_name, origin) VALUES "
            f"('{uuid.uuid4().hex[:24]}', {tid}, 'k3600.{u}@example.com', 'Blocker', 'admin');\n"
            "SELECT 'holding';\n")
        blocker.stdin.flush()
        eq(blocker.stdout.readline().strip(), "holding", "blocking transaction open")
        task_id = check_created(env, t, env.post_json(BASE + "/bulk", users, auth(t)))
        # the taskId is the task's number in the tenant; its rows hang off the internal id
        row_id = env.sql_one(f"SELECT id FROM tasks WHERE tenant_id = {tid} "
                             f"AND number = {task_id}")[0]

        def progress():
            row = env.sql_one(f"SELECT (SELECT COUNT(*) FROM task_items WHERE task_id = "
                              f"{row_id} AND done = 1), beats, last_checked_in_at "
                              f"FROM tasks WHERE id = {row_id}")
            return int(row[0]), int(row[1]), row[2]

        # the worker runs: lastCheckedInAt moves, items get done, then it waits on the lock
        check(wait_until(lambda: progress()[0] >= 3000, timeout=60),
              f"worker made no progress: {progress()}")
        done1, beats1, seen1 = progress()
        check(beats1 >= 2 and seen1 is not None, f"heartbeat moved: beats {beats1}")
        time.sleep(0.3)
        done2, beats2, _ = progress()
        check(0 < done2 < n, f"mid-way: {done2} of {n} done")
        workers = []

        def find():
            workers[:] = detached_workers(env)
            return bool(workers)

        check(wait_until(find, timeout=10), "no detached worker process found")
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        check(wait_until(lambda: not detached_workers(env), timeout=10), "worker still alive")
        # the killed worker's open batch dies with its connection once the lock is released
        blocker.stdin.write("ROLLBACK;\nSELECT 'released';\n")
        blocker.stdin.flush()
        eq(blocker.stdout.readline().strip(), "released", "blocking transaction rolled back")
    finally:
        blocker.stdin.close()
        blocker.wait(timeout=30)
    done_after_kill, _, _ = progress()
    eq(done_after_kill, done2, "nothing processed after the kill")
    before = env.sql_one(f"SELECT completed_at FROM tasks WHERE id = {row_id}")
    eq(before, [None], "the task is not complete")
    # resume: once the heartbeat is older than 2 s, `provctl tasks run` takes the task over
    time.sleep(2.2)
    deadline = time.time() + 30
    resumed = False
    while time.time() < deadline and not resumed:
        rc, out, err = env.provctl("tasks", "run", env={"PROVISION_TASKS_STALE_SECONDS": "2"})
        eq(rc, 0, f"provctl tasks run: {err}")
        check(re.fullmatch(r"tasks: \d+ resumed\n", out), f"provctl output {out!r}")
        resumed = env.sql_one(f"SELECT completed_at IS NOT NULL FROM tasks "
                              f"WHERE id = {row_id}") == ["1"]
        if not resumed:
            time.sleep(0.5)
    check(resumed, "the task was not resumed")
    r, body = follow(env, t, task_id)
    check_status_shape(r, body, t, task_id, n)
    task = body["result"]["task"]
    eq([task["success"], task["errorMsg"]], [True, None], "task outcome")
    entries = body["result"]["users"]
    eq([x["email"] for x in entries], [x["email"] for x in users],
       "each user reported once, in order")
    check(all(x["success"] for x in entries), "every user created")
    eq(env.sql(f"SELECT COUNT(*), COUNT(DISTINCT email_norm) FROM users WHERE tenant_id = {tid} "
               f"AND email LIKE 'k%.{u}@example.com'"), [[str(n), str(n)]],
       "every user exists exactly once")
    ids = users_by_email(env, t)
    eq(sorted(x["userId"] for x in entries), sorted(ids[x["email"]] for x in users),
       "userIds are the stored users")
    eq(env.sql(f"SELECT COUNT(*), COUNT(DISTINCT user_id) FROM mail_outbox WHERE "
               f"tenant_id = {tid}"), [[str(n), str(n)]], "one invitation per user")
    eq(env.sql(f"SELECT COUNT(*) FROM user_tokens k JOIN users u ON u.id = k.user_id WHERE "
               f"u.tenant_id = {tid}"), [[str(n)]], "one token per user")
