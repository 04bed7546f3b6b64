"""hardening.py: what the hardening tests (tests/harden/test_*.py, docs/SECURITY.md) share (not a
test file): a tenant with everything a dialect can reference (groups, workflows, regions, a
custom role, a sub-tenant), a fingerprint of every row a tenant owns (to prove nothing changed),
the FastCGI processes serving the stack (to prove none crashed or was restarted), request
helpers per dialect, and the figures file the suites append to for docs/SECURITY.md."""
import hashlib
import json
import os
import subprocess
import time
import uuid

from harness import check, eq, quote
import servicepower_util as spu

SOAJS_ADD = "/urac/admin/addUser"
INVITE = "/urac/admin/users/invite"
XTRACTA = "/v1/user/add"
SK = "/onboarding/provision/standalone/users"
SK_BULK = SK + "/bulk"
SK_FILE = SK + "/file"
SP = "/seiapi/v3/bulk/Users"
JOIN = "/urac/join"
JSON_CT = "application/json; charset=utf-8"
XML_CT = "application/xml; charset=utf-8"
EXECUTABLES = ("add_user", "bulk_users", "invite", "join", "task_status")


def same_processes(before, after):
    """Check: every FastCGI process serving before still serves after (none crashed or was
    restarted). A server may add processes on demand (Apache mod_fcgid does)."""
    gone = {exe: sorted(set(pids) - set(after.get(exe, []))) for exe, pids in before.items()}
    gone = {k: v for k, v in gone.items() if v}
    check(not gone, f"FastCGI processes gone (crashed or restarted): {gone}; before {before}, "
                    f"after {after}")


def uniq():
    return uuid.uuid4().hex[:10]


def figures(env, suite, **values):
    """Appends one JSON line of figures to var/.../harden-figures.jsonl (docs/SECURITY.md is
    written from a run's lines) and prints it."""
    line = dict(suite=suite, **values)
    print(f"    figures {json.dumps(line)}")
    with open(os.path.join(env.var, "harden-figures.jsonl"), "a") as f:
        f.write(json.dumps(line) + "\n")


# ---- tenants ----

def full_tenant(env, name=None):
    """A tenant (as provctl prints it) plus what requests can reference: a second group, a
    workflow, a region, a custom role and a sub-tenant. Extra keys: db_id, group_code,
    group_id2, workflow_id, region, role, sub (the sub-tenant)."""
    t = env.new_tenant(name or ("H-" + uniq()))
    t["db_id"] = env.sql_one(f"SELECT id FROM tenants WHERE oid = {quote(t['id'])}")[0]
    code = "G" + uniq()
    g = env.provctl_json("group", "add", "--tenant", t["id"], "--code", code, "--json")
    t["group_code"], t["group_id2"] = code, g["id"]
    t["workflow_id"] = env.provctl_json("workflow", "add", "--tenant", t["id"], "--name",
                                        "W " + uniq(), "--json")["id"]
    t["region"] = env.provctl_json("region", "add", "--tenant", t["id"], "--name",
                                   "R " + uniq(), "--json")["id"]
    t["role"] = "Role" + uniq()
    env.provctl_json("role", "add", "--tenant", t["id"], "--name", t["role"], "--json")
    t["sub"] = env.new_tenant("Sub of " + t["id"], parent=t["id"])
    t["sub"]["db_id"] = env.sql_one(
        f"SELECT id FROM tenants WHERE oid = {quote(t['sub']['id'])}")[0]
    return t


# ---- the fingerprint of a tenant ----

# Every table and the condition selecting a tenant's rows ({t}: tenants.id list). Mail rows
# are kept without their delivery state (status, attempts, times, body blanked once sent),
# which a delivery may change at any moment; everything else is compared whole.
_USERS = "user_id IN (SELECT id FROM users WHERE tenant_id IN ({t}))"
_TABLES = [
    ("tenants", "*", "id IN ({t})"),
    ("credentials", "*", "tenant_id IN ({t})"),
    ("`groups`", "*", "tenant_id IN ({t})"),
    ("workflows", "*", "tenant_id IN ({t})"),
    ("roles", "*", "tenant_id IN ({t})"),
    ("regions", "*", "tenant_id IN ({t})"),
    ("users", "*", "tenant_id IN ({t})"),
    ("user_groups", "*", _USERS),
    ("user_workflows", "*", _USERS),
    ("user_roles", "*", _USERS),
    ("user_regions", "*", _USERS),
    ("user_tokens", "*", _USERS),
    ("user_attributes", "*", _USERS),
    ("user_phones", "*", _USERS),
    ("resources", "*", _USERS),
    ("memberships", "*", "tenant_id IN ({t}) OR " + _USERS),
    ("pins", "*", "tenant_id IN ({t}) OR " + _USERS),
    ("mail_outbox", "id, tenant_id, user_id, kind, recipient, subject", "tenant_id IN ({t})"),
    ("mail_templates", "*", "tenant_id IN ({t})"),
    ("tasks", "*", "tenant_id IN ({t})"),
    ("task_items", "*", "task_id IN (SELECT id FROM tasks WHERE tenant_id IN ({t}))"),
]


class Sql:
    """The stack's database through the mariadb client, one client per query() (several
    statements in one call, so a fingerprint costs one client start). A client kept open on
    pipes does not answer until its input ends (batch mode reads ahead), hence one-shot."""

    def __init__(self, env):
        self.env = env

    def query(self, q):
        p = subprocess.run(
            ["mariadb", "--no-defaults", "--socket=" + self.env.socket, "-u", "provision",
             "--default-character-set=utf8mb4", "-N", "-B", "--raw", "provision", "-e", q],
            env=dict(os.environ, MYSQL_PWD=self.env._db_password or ""),
            capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=60)
        check(p.returncode == 0, f"sql failed: {p.stderr.strip()[-300:]}")
        return [[None if c == "NULL" else c for c in line.split("\t")]
                for line in p.stdout.splitlines()]


def session(env):
    """The database client of this stack."""
    return Sql(env)


def fingerprint(env, *tenants):
    """{table: (row count, sha256 of the rows)} of everything the tenants (and their
    sub-tenants) own, through the stack's open client."""
    ids = []
    for t in tenants:
        ids.append(t["db_id"])
        if "sub" in t:
            ids.append(t["sub"]["db_id"])
    tl = ", ".join(ids)
    stmts = []
    for name, cols, cond in _TABLES:
        stmts.append(f"SELECT '#{name}'; SELECT {cols} FROM {name} WHERE "
                     f"{cond.format(t=tl)} ORDER BY 1, 2")
    rows = session(env).query("; ".join(stmts))
    out, cur, acc = {}, None, []
    for r in rows + [["#end"]]:
        if len(r) == 1 and r[0] is not None and r[0].startswith("#"):
            if cur is not None:
                out[cur] = (len(acc), hashlib.sha256(repr(acc).encode()).hexdigest()[:16])
            cur, acc = r[0][1:], []
        else:
            acc.append(r)
    return out


def diff(before, after):
    """The tables whose rows differ, with the row counts."""
    return {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
            if before.get(k) != after.get(k)}


def settled_fingerprint(env, *tenants, timeout=30):
    """A fingerprint once it stops changing (background tasks and mail done)."""
    last = fingerprint(env, *tenants)
    end = time.time() + timeout
    while time.time() < end:
        time.sleep(0.3)
        now = fingerprint(env, *tenants)
        if now == last:
            return now
        last = now
    return last


# ---- processes ----

def fcgi_pids(env):
    """{executable: sorted pids} of the FastCGI processes serving this stack (the processes
    whose environment names its configuration and whose executable is one of ours)."""
    want = f"PROVISION_CONF={env.conf}".encode()
    out, found = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/environ", "rb") as f:
                if want not in f.read().split(b"\0"):
                    continue
            exe = os.path.basename(os.readlink(f"/proc/{p}/exe"))
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if exe in EXECUTABLES:
            found[int(p)] = (exe, ppid)
    # background workers are not pool members: detached ones (double fork: parent init) and
    # those still children of a pool member
    for pid, (exe, ppid) in found.items():
        if ppid != 1 and ppid not in found:
            out.setdefault(exe, []).append(pid)
    return {k: sorted(v) for k, v in out.items()}


# ---- requests ----

def soajs_add(env, t, fields, key=None, target=None, content_type="json", path=None):
    target = target or t
    p = path or f"{SOAJS_ADD}?tId={target['id']}&tCode={target['code']}"
    h = {"key": key if key is not None else t["soajs"]["key"]}
    if content_type == "json":
        return env.http("POST", p, json.dumps(fields).encode(), h, "application/json")
    return env.post_form(p, fields, h)


def xtracta_add(env, t, fields, api_key=None):
    f = {"api_key": api_key if api_key is not None else t["xtracta"]["api_key"]}
    f.update(fields)
    return env.post_form(XTRACTA, f)


def sk_auth(t, token=None):
    return {"Authorization": "Bearer " + (token or t["skedulo"]["token"])}


def sk_post(env, t, body, path=SK, method="POST", token=None):
    return env.http(method, path, json.dumps(body).encode(), sk_auth(t, token),
                    "application/json")


def sp_post(env, t, users, token=None, query=None):
    h = {"x-access-token": token if token is not None else spu.mint(t)}
    path = SP if query is None else SP + "?" + query
    if query is not None and token is None:
        h = {}
    return env.http("POST", path, json.dumps({"Users": users}).encode(), h, "application/json")


def invite(env, sub, body, key=None):
    return env.http("PUT", INVITE, json.dumps(body).encode(),
                    {"key": key if key is not None else sub["soajs"]["key"]}, "application/json")


def multipart(parts, boundary="hardenBoundary7"):
    """(content type, body) of multipart/form-data: parts are (name, filename or None,
    content type or None, bytes)."""
    out = b""
    for name, filename, ctype, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


def sk_file(env, t, data, filename="users.csv", token=None):
    ct, body = multipart([("file", filename, "text/csv", data)])
    return env.http("POST", SK_FILE, body, sk_auth(t, token), ct)


def wait_task(env, t, task_id, timeout=60):
    """The task status body once the task has completed."""
    end = time.time() + timeout
    while True:
        r = env.http("GET", f"{SK_BULK}/{task_id}", None, sk_auth(t))
        eq(r.status, 200, f"task status {r!r}")
        body = r.json()
        if body["result"]["task"]["completedAt"] is not None:
            return body
        check(time.time() < end, f"task {task_id} not done after {timeout}s: {body}")
        time.sleep(0.2)


def user_count(env, t, where=""):
    return int(env.sql_one(f"SELECT COUNT(*) FROM users WHERE tenant_id = {t['db_id']} "
                           f"{where}")[0])
