"""The admin CLI (docs/CONTRACT.md section 9): exact JSON shapes, exit status 2 with one line on
stderr for bad arguments (nothing changed), idempotent migrate, secrets stored only hashed."""
import hashlib
import json
import re

from harness import check, eq, quote


def test_tenant_create_shape_and_hashed_secrets(env):
    rc, out, err = env.provctl("tenant", "create", "--name", "Shape Co", "--json")
    eq(rc, 0, f"exit status ({err})")
    lines = out.strip().split("\n")
    eq(len(lines), 1, "one line of JSON")
    t = json.loads(lines[0])
    eq(list(t.keys()), ["id", "code", "name", "parent", "skedulo", "servicepower", "soajs",
                        "xtracta"], "top-level keys in order")
    check(re.fullmatch(r"[0-9a-f]{24}", t["id"]), f"id {t['id']}")
    eq(t["name"], "Shape Co", "name")
    eq(t["parent"], None, "parent")
    eq(list(t["skedulo"].keys()), ["tenantId", "token"], "skedulo keys")
    check(re.fullmatch(r"sk_[0-9a-f]{32}", t["skedulo"]["tenantId"]), "sk tenant id")
    eq(list(t["servicepower"].keys()), ["customerid", "customercode", "jwtSecret"], "sp keys")
    check(len(t["servicepower"]["jwtSecret"]) > 64, "JWT secret longer than an HMAC block")
    eq(list(t["soajs"].keys()), ["key"], "soajs keys")
    eq(list(t["xtracta"].keys()), ["api_key", "group_id"], "xtracta keys")
    check(isinstance(t["xtracta"]["group_id"], int), "group_id is a number")
    secrets = [t["skedulo"]["token"], t["servicepower"]["customercode"],
               t["servicepower"]["jwtSecret"], t["soajs"]["key"], t["xtracta"]["api_key"]]
    for s in secrets:
        h = hashlib.sha256(s.encode()).hexdigest()
        eq(env.sql(f"SELECT COUNT(*) FROM credentials WHERE secret_hash = {quote(h)}"), [["1"]],
           "secret stored as its SHA-256")
        eq(env.sql(f"SELECT COUNT(*) FROM credentials WHERE secret_hash = {quote(s)} OR "
                   f"public_id = {quote(s)}"), [["0"]], "clear secret never stored")


def test_sub_tenant_and_codes(env):
    main = env.new_tenant()
    sub = env.provctl_json("tenant", "create", "--name", "Branch", "--parent", main["id"],
                           "--json")
    eq(sub["parent"], main["id"], "parent id")
    rc, _, err = env.provctl("tenant", "create", "--name", "Deeper", "--parent", sub["id"],
                             "--json")
    eq(rc, 2, "a sub-tenant cannot have sub-tenants")
    code = "C" + sub["id"][:8].upper()
    env.provctl_json("tenant", "create", "--name", "Coded", "--code", code, "--json")
    rc, _, err = env.provctl("tenant", "create", "--name", "Again", "--code", code, "--json")
    eq(rc, 2, f"taken code: {err}")


def test_bad_arguments_exit_2_one_line_nothing_changed(env):
    before = env.sql_one("SELECT COUNT(*) FROM tenants")[0]
    t = env.new_tenant()
    cases = [
        ("tenant", "create", "--json"),
        ("tenant", "create", "--name"),
        ("tenant", "create", "--name", "x", "--bogus"),
        ("tenant", "create", "--name", "x", "--parent", "nothex"),
        ("tenant", "create", "--name", "x", "--parent", "0" * 24),
        ("tenant", "create", "--name", "a\x01b"),
        ("group", "add", "--tenant", t["id"], "--json"),
        ("group", "add", "--tenant", "0" * 24, "--code", "x", "--json"),
        ("workflow", "add", "--tenant", t["id"], "--name", "x", "--code", "y", "--json"),
        ("region", "add", "--tenant", t["id"]),
        ("role", "add", "--tenant", t["id"], "--name", "Administrator", "--json"),
        ("token", "create", "--tenant", t["id"], "--scope", "users:admin", "--json"),
        ("tenant", "api-user", "--tenant", t["id"]),
        ("tenant", "api-user", "--tenant", t["id"], "--email", "x@y.io", "--none"),
        ("nosuchcommand",),
    ]
    for args in cases:
        rc, out, err = env.provctl(*args)
        eq(rc, 2, f"exit status of {args} ({err.strip()})")
        eq(out, "", f"no output on stdout for {args}")
        eq(len(err.strip().split("\n")), 1, f"one line on stderr for {args}: {err!r}")
        check(err.startswith("provctl: "), f"prefixed message: {err!r}")
    after = env.sql_one("SELECT COUNT(*) FROM tenants")[0]
    eq(int(after), int(before) + 1, "only the fixture tenant was added")


def test_catalogue_commands(env):
    t = env.new_tenant()
    g = env.provctl_json("group", "add", "--tenant", t["id"], "--code", "ops", "--name",
                         "Operations", "--json")
    eq(sorted(g.keys()), ["code", "id", "name"], "group output")
    eq((g["code"], g["name"]), ("ops", "Operations"), "group values")
    rc, _, _ = env.provctl("group", "add", "--tenant", t["id"], "--code", "ops", "--json")
    eq(rc, 2, "duplicate group code")
    w = env.provctl_json("workflow", "add", "--tenant", t["id"], "--name", "W", "--json")
    check(isinstance(w["id"], int), f"workflow id {w}")
    r = env.provctl_json("region", "add", "--tenant", t["id"], "--name", "North", "--json")
    check(re.fullmatch(r"[0-9a-f-]{36}", r["id"]), f"region id {r}")
    ro = env.provctl_json("role", "add", "--tenant", t["id"], "--name", "Dispatcher", "--json")
    check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                       ro["id"]), f"role id {ro}")
    rc, _, _ = env.provctl("role", "add", "--tenant", t["id"], "--name", "Dispatcher", "--json")
    eq(rc, 2, "duplicate role")


def test_api_user_and_tokens(env):
    t = env.new_tenant()
    eq(env.sql_one(f"SELECT api_user_email IS NOT NULL FROM tenants WHERE oid = "
                   f"{quote(t['id'])}"), ["1"], "a new tenant has an API user")
    env.provctl_json("tenant", "api-user", "--tenant", t["id"], "--none")
    eq(env.sql_one(f"SELECT api_user_email FROM tenants WHERE oid = {quote(t['id'])}"), [None],
       "API user cleared")
    env.provctl_json("tenant", "api-user", "--tenant", t["id"], "--email", "api@corp.example")
    eq(env.sql_one(f"SELECT api_user_email FROM tenants WHERE oid = {quote(t['id'])}"),
       ["api@corp.example"], "API user set")
    tok = env.provctl_json("token", "create", "--tenant", t["id"], "--scope",
                           "users:read,users:write,users:read", "--json")
    eq(tok["scopes"], "users:read users:write", "normalised scopes")
    h = hashlib.sha256(tok["token"].encode()).hexdigest()
    eq(env.sql(f"SELECT scopes, revoked_at IS NULL FROM credentials WHERE secret_hash = "
               f"{quote(h)}"), [["users:read users:write", "1"]], "token stored hashed")
    rc, out, err = env.provctl("token", "revoke", stdin=tok["token"] + "\n")
    eq(rc, 0, f"revoke: {err}")
    eq(env.sql(f"SELECT revoked_at IS NOT NULL FROM credentials WHERE secret_hash = {quote(h)}"),
       [["1"]], "revoked")
    rc, _, _ = env.provctl("token", "revoke", stdin=tok["token"] + "\n")
    eq(rc, 2, "revoking twice: no active token matches")


def test_migrate_is_idempotent(env):
    rc, out, err = env.provctl("migrate")
    eq(rc, 0, f"migrate: {err}")
    check(out.startswith("migrate: 0 applied"), f"nothing pending: {out!r}")
    rows = env.sql("SELECT version FROM schema_migrations ORDER BY version")
    check(rows and rows[0] == ["1"], f"recorded migrations: {rows}")


def test_database_unreachable_exits_1(env):
    rc, _, err = env.provctl("tenant", "create", "--name", "X", "--json",
                             env={"PROVISION_DB_SOCKET": "/nonexistent.sock"})
    eq(rc, 1, f"database failure exit status ({err})")
