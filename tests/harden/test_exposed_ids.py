"""Exposed ids reveal nothing about other tenants (issue 13, point 7; docs/SECURITY.md,
"Hardening II: answers and ids"). The integer ids a tenant is shown (Xtracta user_id and
primary_group_id, group and workflow ids from provctl and in Xtracta requests, Skedulo taskId)
were the global AUTO_INCREMENT ids: the gap between two of B's own ids counted everything A
created in between. Now each is a random number from [2^32, 2^53), unique in its tenant, and
the only thing a request's id is looked up by:
- B's ids do not move with A's activity: with A creating 50 users, 50 tasks, 20 groups and 20
  workflows between two of B's creations, B's two ids are as far apart as two random numbers
  (a global sequence puts them 51 or 21 apart), A's own ids do not go up in creation order,
  and no exposed id is the internal one;
- the ids a tenant is shown name its objects only: its internal ids and another tenant's
  numbers name nothing (404);
- ids shown before migration 0009 keep naming the same objects for their tenant: a database
  built with the migrations before 0009, filled as the old service filled it, then migrated
  by `provctl migrate`, served by the real executables (plain CGI on that database).
"""
import getpass
import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET

from harness import check, eq, form, quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hardening as H  # noqa: E402

PUBID_MIN, PUBID_MAX = 2 ** 32, 2 ** 53 - 1
FAR = 10 ** 9   # two random numbers of the range are closer than this one time in 4.5 million


def _xt_user(env, t, **extra):
    f = {"name": "Id Probe", "email_address": f"id.{H.uniq()}@example.com"}
    f.update(extra)
    r = H.xtracta_add(env, t, f)
    eq(r.status, 200, f"Xtracta add {r!r}")
    return ET.fromstring(r.body).find("user")


def _task(env, t):
    r = H.sk_post(env, t, [{"email": f"task.{H.uniq()}@example.com", "lastName": "T"}],
                  path=H.SK_BULK)
    eq(r.status, 200, f"bulk {r!r}")
    return r.json()["result"]["taskId"]


def _group(env, t):
    return env.provctl_json("group", "add", "--tenant", t["id"], "--code", "G" + H.uniq(),
                            "--json")["id"]


def _workflow(env, t):
    return env.provctl_json("workflow", "add", "--tenant", t["id"], "--name",
                            "W " + H.uniq(), "--json")["id"]


def _one_of_each(env, t):
    return {"user": int(_xt_user(env, t).findtext("user_id")), "task": _task(env, t),
            "group": _group(env, t), "workflow": _workflow(env, t)}


def test_ids_do_not_move_with_another_tenants_activity(env):
    a, b = H.full_tenant(env), H.full_tenant(env)
    first = _one_of_each(env, b)
    made = {"user": [], "task": [], "group": [], "workflow": []}
    for _ in range(50):
        made["user"].append(int(_xt_user(env, a).findtext("user_id")))
        made["task"].append(_task(env, a))
    for _ in range(20):
        made["group"].append(_group(env, a))
        made["workflow"].append(_workflow(env, a))
    second = _one_of_each(env, b)
    for kind in first:
        # a shared sequence puts B's two ids len(made) + 1 apart (more with other traffic):
        # B could count what A did
        gap = abs(second[kind] - first[kind])
        check(gap > FAR, f"B's {kind} ids {first[kind]} then {second[kind]}: {gap} apart, "
                         f"with A's {len(made[kind])} {kind}s in between")
        for v in (first[kind], second[kind], *made[kind]):
            check(isinstance(v, int) and PUBID_MIN <= v <= PUBID_MAX,
                  f"{kind} id {v} outside [2^32, 2^53)")
        ids = made[kind]
        eq(len(set(ids)), len(ids), f"A's {kind} ids distinct")
        # a sequence goes up at every step; random numbers do so about half the time (all of
        # them going up: one chance in 2^49 for users and tasks, 2^19 for groups, workflows)
        ups = sum(1 for x, y in zip(ids, ids[1:]) if y > x)
        check(ups < len(ids) - 1, f"A's {kind} ids go up in creation order: {ids}")
    # the exposed ids are the numbers, never the internal ids
    for table, kind in (("users", "user"), ("tasks", "task"), ("`groups`", "group"),
                        ("workflows", "workflow")):
        rows = env.sql(f"SELECT id, number FROM {table} WHERE tenant_id = {a['db_id']} "
                       f"AND number IN ({','.join(str(x) for x in made[kind])})")
        eq(len(rows), len(made[kind]), f"A's {kind}s found by number")
        check(all(r[0] != r[1] for r in rows), f"{kind}: a number equal to its internal id")
    for t in (a, b):
        for task in made["task"] if t is a else (first["task"], second["task"]):
            H.wait_task(env, t, task)
    H.figures(env, "exposed_ids", tenant_a_created={k: len(v) for k, v in made.items()},
              b_gaps={k: abs(second[k] - first[k]) for k in first})


def test_ids_name_the_tenants_own_objects_only(env):
    a, b = H.full_tenant(env), H.full_tenant(env)
    # B's own group, workflow and task by their numbers
    user = _xt_user(env, b, group_id=str(b["group_id2"]), workflow_ids=str(b["workflow_id"]))
    eq(user.findtext("primary_group_id"), str(b["group_id2"]), "B's group by its number")
    eq(user.findtext("assigned_workflows"), str(b["workflow_id"]), "B's workflow by number")
    task = _task(env, b)
    H.wait_task(env, b, task)
    internal = {
        "group": env.sql_one(f"SELECT id FROM `groups` WHERE tenant_id = {b['db_id']} "
                             f"AND number = {b['group_id2']}")[0],
        "workflow": env.sql_one(f"SELECT id FROM workflows WHERE tenant_id = {b['db_id']} "
                                f"AND number = {b['workflow_id']}")[0],
        "task": env.sql_one(f"SELECT id FROM tasks WHERE tenant_id = {b['db_id']} "
                            f"AND number = {task}")[0],
    }
    a_task = _task(env, a)
    H.wait_task(env, a, a_task)
    before = H.user_count(env, b)
    # B's internal ids, and A's numbers, name nothing of B's
    for gid, what in ((internal["group"], "B's internal group id"),
                      (a["xtracta"]["group_id"], "A's group number"),
                      (a["group_id2"], "A's second group")):
        r = H.xtracta_add(env, b, {"name": "N", "email_address": f"n.{H.uniq()}@example.com",
                                   "group_id": str(gid)})
        eq((r.status, ET.fromstring(r.body).findtext("message")), (404, "Group not found"),
           f"{what} {gid}")
    for wid, what in ((internal["workflow"], "B's internal workflow id"),
                      (a["workflow_id"], "A's workflow number")):
        r = H.xtracta_add(env, b, {"name": "N", "email_address": f"n.{H.uniq()}@example.com",
                                   "workflow_ids": str(wid)})
        eq((r.status, ET.fromstring(r.body).findtext("message")), (404, "Workflow not found"),
           f"{what} {wid}")
    for tid, what in ((internal["task"], "B's internal task id"), (a_task, "A's task number")):
        r = env.http("GET", f"{H.SK_BULK}/{tid}", None, H.sk_auth(b))
        eq(r.status, 404, f"{what} {tid}: {r!r}")
        eq(r.json(), {"errorType": "not_found", "message": "Task not found"}, f"{what}: the answer")
    eq(H.user_count(env, b), before, "nothing stored for B by the refused requests")


# ---- the migration: ids shown before 0009 still name the same objects ----

MIG_DB = "provision_mig0009"
OLD_TIME = "2021-03-04 05:06:07.000000"
MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sql",
                          "migrations")


def _admin(env, sql, db=None):
    """SQL as the stack's MariaDB administrator (unix-socket authentication as this user)."""
    args = ["mariadb", "--no-defaults", "--socket=" + env.socket, "-u", getpass.getuser(),
            "--default-character-set=utf8mb4", "-N", "-B"]
    p = subprocess.run(args + ([db] if db else []), input=sql, capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"admin SQL failed: {p.stderr.strip()}")
    return [line.split("\t") for line in p.stdout.splitlines()]


def _pre_0009(env):
    """A fresh database at the schema before 0009 (every earlier migration file, recorded as
    provctl migrate records them)."""
    _admin(env, f"DROP DATABASE IF EXISTS {MIG_DB}; CREATE DATABASE {MIG_DB} CHARACTER SET "
                f"utf8mb4 COLLATE utf8mb4_unicode_ci; GRANT ALL PRIVILEGES ON {MIG_DB}.* TO "
                f"'provision'@'localhost';")
    _admin(env, "CREATE TABLE schema_migrations (version INT UNSIGNED NOT NULL PRIMARY KEY, "
                "name VARCHAR(255) NOT NULL, applied_at DATETIME(6) NOT NULL DEFAULT "
                "CURRENT_TIMESTAMP(6)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;", MIG_DB)
    applied = []
    for name in sorted(os.listdir(MIGRATIONS)):
        m = re.fullmatch(r"(\d{4})_(.+)\.sql", name)
        if m is None or int(m.group(1)) >= 9:
            continue
        with open(os.path.join(MIGRATIONS, name)) as f:
            _admin(env, f.read(), MIG_DB)
        _admin(env, f"INSERT INTO schema_migrations (version, name) VALUES "
                    f"({int(m.group(1))}, {quote(name[:-4])});", MIG_DB)
        applied.append(name[:-4])
    check(applied and "0009_public_numbers" not in applied, f"pre-0009 schema: {applied}")
    cols = {r[0] for r in _admin(env, "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
                                      f"WHERE TABLE_SCHEMA = '{MIG_DB}' AND TABLE_NAME = "
                                      "'users';")}
    check("number" not in cols, "users has no number before 0009")


def _old_tenant(env, label):
    """A tenant as the old service stored it (provctl tenant create, then its catalogue and
    users, then a finished import), the rows interleaved with the other tenant's by the caller.
    Returns its secrets and a function adding the next object of a kind, giving its id."""
    t = {"api_key": uuid.uuid4().hex, "token": uuid.uuid4().hex, "oid": uuid.uuid4().hex[:24]}
    sha = lambda s: hashlib.sha256(s.encode()).hexdigest()  # noqa: E731
    _admin(env, f"INSERT INTO tenants (oid, code, name, sk_tenant_id, api_user_email, pin_salt) "
                f"VALUES ('{t['oid']}', 'M{label}{uuid.uuid4().hex[:6]}', 'Old {label}', "
                f"'sk_{uuid.uuid4().hex}', 'api@old.example', '{'0' * 64}');", MIG_DB)
    t["db_id"] = _admin(env, f"SELECT id FROM tenants WHERE oid = '{t['oid']}';", MIG_DB)[0][0]
    _admin(env, f"INSERT INTO `groups` (tenant_id, code, name) VALUES ({t['db_id']}, "
                f"'default', 'Default group');", MIG_DB)
    t["group"] = _admin(env, f"SELECT MAX(id) FROM `groups` WHERE tenant_id = {t['db_id']};",
                        MIG_DB)[0][0]
    _admin(env, f"INSERT INTO credentials (tenant_id, kind, secret_hash, scopes, group_id) "
                f"VALUES ({t['db_id']}, 'xtracta_key', '{sha(t['api_key'])}', '', {t['group']}),"
                f" ({t['db_id']}, 'skedulo_token', '{sha(t['token'])}', "
                f"'users:read users:write', NULL);", MIG_DB)
    return t


def _old_add(env, t, kind):
    """One more object of kind in old tenant t, written as the old service wrote it; its id."""
    tid, u = t["db_id"], uuid.uuid4().hex
    if kind == "group":
        _admin(env, f"INSERT INTO `groups` (tenant_id, code, name) VALUES ({tid}, 'g{u[:8]}', "
                    f"'G');", MIG_DB)
        return int(_admin(env, f"SELECT MAX(id) FROM `groups` WHERE tenant_id = {tid};",
                          MIG_DB)[0][0])
    if kind == "workflow":
        _admin(env, f"INSERT INTO workflows (tenant_id, name) VALUES ({tid}, 'W');", MIG_DB)
        return int(_admin(env, f"SELECT MAX(id) FROM workflows WHERE tenant_id = {tid};",
                          MIG_DB)[0][0])
    if kind == "user":
        _admin(env, f"INSERT INTO users (oid, tenant_id, email, full_name, status, "
                    f"primary_group_id, origin, created_at, updated_at) VALUES ('{u[:24]}', "
                    f"{tid}, 'old.{u[:8]}@example.com', 'Old', 'pendingNew', {t['group']}, "
                    f"'xtracta', '{OLD_TIME}', '{OLD_TIME}');", MIG_DB)
        return int(_admin(env, f"SELECT id FROM users WHERE oid = '{u[:24]}';", MIG_DB)[0][0])
    _admin(env, f"INSERT INTO tasks (tenant_id, type, total, completed_at, success) VALUES "
                f"({tid}, 'bulk_user_import', 1, NOW(6), 1);", MIG_DB)
    task = int(_admin(env, f"SELECT MAX(id) FROM tasks WHERE tenant_id = {tid};", MIG_DB)[0][0])
    _admin(env, f"INSERT INTO task_items (task_id, seq, email, spec, done, success) VALUES "
                f"({task}, 1, 'item.{u[:8]}@example.com', '{{}}', 1, 1);", MIG_DB)
    return task


def _cgi(env, exe, method, path, body=b"", headers=None):
    return env.cgi(exe, method, path, body, headers, env={"PROVISION_DB_NAME": MIG_DB})


def test_ids_from_before_the_migration_still_resolve(env):
    try:
        _pre_0009(env)
        old = {"A": _old_tenant(env, "A"), "B": _old_tenant(env, "B")}
        kinds = ("group", "workflow", "user", "task")
        ids = {name: {k: [] for k in kinds} for name in old}
        for _ in range(3):   # interleaved, as two tenants' requests were
            for name in ("A", "B"):
                for k in kinds:
                    ids[name][k].append(_old_add(env, old[name], k))
        rc, out, err = env.provctl("migrate", env={"PROVISION_DB_NAME": MIG_DB})
        eq(rc, 0, f"provctl migrate on the pre-0009 database: {err}")
        # every row kept its id as its number, and nothing else of it changed
        for table in ("users", "`groups`", "workflows", "tasks"):
            eq(_admin(env, f"SELECT COUNT(*) FROM {table} WHERE number IS NULL OR number <> id;",
                      MIG_DB), [["0"]], f"{table}: every old row numbered by its id")
        eq(_admin(env, f"SELECT COUNT(*), SUM(updated_at = '{OLD_TIME}') FROM users;", MIG_DB),
           [["6", "6"]], "the users' updated_at kept (the migration changes no user)")
        a, b = old["A"], old["B"]
        # Xtracta: A's old group and workflows by their old ids; the key's group as before
        f = {"api_key": a["api_key"], "name": "After", "email_address": "after@example.com",
             "group_id": str(ids["A"]["group"][1]),
             "workflow_ids": ",".join(str(w) for w in ids["A"]["workflow"])}
        r = _cgi(env, "add_user", "POST", H.XTRACTA, form(f),
                 {"Content-Type": "application/x-www-form-urlencoded"})
        eq(r.status, 200, f"Xtracta add with old ids {r!r}")
        user = ET.fromstring(r.body).find("user")
        eq(user.findtext("primary_group_id"), str(ids["A"]["group"][1]), "old group id")
        eq(user.findtext("assigned_workflows"), ",".join(str(w) for w in ids["A"]["workflow"]),
           "old workflow ids")
        new_uid = int(user.findtext("user_id"))
        check(PUBID_MIN <= new_uid <= PUBID_MAX, f"a new user's id is a new number: {new_uid}")
        eq(_admin(env, f"SELECT g.id, w.n FROM users u JOIN `groups` g ON g.id = "
                       f"u.primary_group_id JOIN (SELECT user_id, COUNT(*) n FROM user_workflows "
                       f"GROUP BY user_id) w ON w.user_id = u.id WHERE u.tenant_id = {a['db_id']}"
                       f" AND u.number = {new_uid};", MIG_DB),
           [[str(ids["A"]["group"][1]), "3"]], "linked to the very rows the old ids named")
        f.update(email_address="after2@example.com")
        del f["group_id"], f["workflow_ids"]
        r = _cgi(env, "add_user", "POST", H.XTRACTA, form(f),
                 {"Content-Type": "application/x-www-form-urlencoded"})
        eq((r.status, ET.fromstring(r.body).findtext("user/primary_group_id")),
           (200, a["group"]), "the key's group as before")
        # B's old ids are still not A's
        for extra, msg in (({"group_id": str(ids["B"]["group"][0])}, "Group not found"),
                           ({"workflow_ids": str(ids["B"]["workflow"][0])},
                            "Workflow not found")):
            g = dict(f, email_address=f"x.{H.uniq()}@example.com", **extra)
            r = _cgi(env, "add_user", "POST", H.XTRACTA, form(g),
                     {"Content-Type": "application/x-www-form-urlencoded"})
            eq((r.status, ET.fromstring(r.body).findtext("message")), (404, msg),
               f"B's old id through A: {extra}")
        # Skedulo: every old task by its old taskId, for its own tenant only
        for name, other in (("A", "B"), ("B", "A")):
            for task in ids[name]["task"]:
                auth = {"Authorization": "Bearer " + old[name]["token"]}
                r = _cgi(env, "task_status", "GET", f"{H.SK_BULK}/{task}", b"", auth)
                eq(r.status, 200, f"{name}'s old task {task}: {r!r}")
                got = json.loads(r.body)["result"]
                eq((got["task"]["taskId"], [u["taskId"] for u in got["users"]]), (task, [task]),
                   f"{name}'s old task {task}")
                r = _cgi(env, "task_status", "GET", f"{H.SK_BULK}/{task}", b"",
                         {"Authorization": "Bearer " + old[other]["token"]})
                eq(r.status, 404, f"{name}'s old task {task} asked by {other}")
    finally:
        _admin(env, f"DROP DATABASE IF EXISTS {MIG_DB};")
