"""A connection lost at a chosen statement of a SOAJS addUser, made deterministic: the sanitizer
build of add_user (build/asan, made by `make test` before the HTTP suites) carries db.c's
fault-injection hook, PROVISION_FAULT=NAME:N (the Nth execution of statement NAME in the
process fails as if the connection had died). Inside the user's transaction the answer is
SOAJS's "Database connection error" and nothing of the user is stored; before it, the
statement is retried once on a new connection and the request succeeds; either way the same
process serves the next request. The outage test (tests/harden) found the queue-mail case by
chance under load; this is its regression test."""
import json
import os
import uuid

import fcgi
from harness import check, eq, quote

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
    u = uuid.uuid4().hex[:10]
    email = f"fault.{u}@example.com"
    body = json.dumps({"username": "f" + u, "firstName": "Fa", "lastName": "Ult",
                       "email": email}).encode()
    q = f"tId={t['id']}&tCode={t['code']}"
    params = {
        "REQUEST_METHOD": "POST", "REQUEST_URI": f"/urac/admin/addUser?{q}", "QUERY_STRING": q,
        "SCRIPT_NAME": "/urac/admin/addUser", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "HTTP_KEY": t["soajs"]["key"],
        "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
    }
    out, _ = fcgi.request(srv.path, params, body)
    head, _, payload = out.partition(b"\r\n\r\n")
    return email, head, json.loads(payload)


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
            email, _, body = _add(srv, t)
            if succeeds:
                eq(body.get("result"), True, f"{name}: retried on a new connection: {body}")
                eq(_stored(env, email), (1, 1, 1), f"{name}: user, token and mail stored")
            else:
                eq(body, DB_ERROR, f"{name}: the answer")
                eq(_stored(env, email), (0, 0, 0), f"{name}: nothing of the user stored")
            # the same process serves the next request on a new connection
            email2, _, body2 = _add(srv, t)
            eq(body2.get("result"), True, f"{name}: the next request: {body2}")
            eq(_stored(env, email2), (1, 1, 1), f"{name}: the next user stored whole")
            check(srv.proc.poll() is None, f"{name}: the process is still serving")
            with open(os.path.join(srv.dir, "stderr.log"), "rb") as f:
                log = f.read()
            check(f"db {name}: injected fault".encode() in log,
                  f"{name}: the fault was injected (log: {log[-500:]!r})")
        finally:
            srv.close()
