"""The kinds of credential are data (sql/migrations/0013_credential_kinds.sql): the rows of
credential_kinds are exactly the kinds the dialects authenticate with, a new tenant gets one
credential of every row in the order of position, and a row added later yields a credential
of its own on the next tenant creation, made and shown as the row says, which rotates like
any other. A kind that no row names cannot be stored."""
import hashlib
import re

from credential_util import KINDS, call, secret_of
from harness import check, eq, quote

EXTRA = "test_extra_kind"


def tenant_creds(env, t):
    return env.sql(f"SELECT c.kind, c.public_id, c.scopes, c.group_id FROM credentials c "
                   f"JOIN tenants t ON t.id = c.tenant_id WHERE t.oid = {quote(t['id'])} "
                   f"ORDER BY c.id")


def test_rows_are_the_dialects_kinds(env):
    rows = env.sql("SELECT kind FROM credential_kinds ORDER BY position")
    eq([r[0] for r in rows], KINDS, "credential_kinds holds the five kinds, in order")
    t = env.new_tenant()
    creds = tenant_creds(env, t)
    eq([c[0] for c in creds], KINDS, "one credential of every kind, in the kinds' order")
    for kind in KINDS:
        eq(call(env, t, kind, secret_of(t, kind)), "ok", f"{kind}: its dialect accepts it")
    group = env.sql_one(f"SELECT g.id FROM `groups` g JOIN tenants t ON t.id = g.tenant_id "
                        f"WHERE t.oid = {quote(t['id'])} AND g.number = "
                        f"{int(t['xtracta']['group_id'])}")[0]
    cid = t["servicepower"]["customerid"]
    eq(creds, [["skedulo_token", None, "users:read users:write", None],
               ["sp_customer", cid, "", None], ["sp_jwt", cid, "", None],
               ["soajs_key", None, "", None], ["xtracta_key", None, "", group]],
       "public ids, scopes and the group, as the rows say")


def test_unknown_kind_cannot_be_stored(env):
    t = env.new_tenant()
    try:
        env.sql(f"INSERT INTO credentials (tenant_id, kind, secret_hash) SELECT id, "
                f"'no_such_kind', REPEAT('b', 64) FROM tenants WHERE oid = {quote(t['id'])}")
    except AssertionError as e:
        check("foreign key" in str(e).lower(), f"refused by the foreign key: {e}")
    else:
        raise AssertionError("a credential of a kind no row names was stored")
    try:
        env.sql(f"INSERT INTO credential_kinds (kind, position, secret_form, secret_bytes, "
                f"label, secret_label) VALUES ('{EXTRA}', 98, 'hex', 64, 'x', 'y')")
    except AssertionError as e:
        check("ck_credential_kinds_secret" in str(e), f"refused by the CHECK: {e}")
    else:
        env.sql(f"DELETE FROM credential_kinds WHERE kind = '{EXTRA}'")
        raise AssertionError("a kind with a secret longer than 127 characters was added")


def test_new_row_yields_a_new_credential(env):
    env.sql(f"INSERT INTO credential_kinds (kind, position, public_id, secret_form, "
            f"secret_bytes, scopes, default_group, label, secret_label, public_label, "
            f"ref_label, scopes_label, group_label) VALUES ('{EXTRA}', 99, 'tenant_number', "
            f"'hex', 20, 'a:read', 1, 'extra', 'secret', 'number', 'ref', 'scopes', 'group')")
    try:
        t = env.new_tenant()
        eq(list(t.keys()), ["id", "code", "name", "parent", "skedulo", "servicepower", "soajs",
                            "xtracta", "extra"], "the new kind's object comes last")
        x = t["extra"]
        eq(list(x.keys()), ["ref", "number", "secret", "group"], "its fields, as labelled")
        eq((x["ref"], x["number"], x["group"]),
           (t["skedulo"]["tenantId"], t["servicepower"]["customerid"], t["xtracta"]["group_id"]),
           "the tenant's reference, customer number and default group")
        check(re.fullmatch(r"[0-9a-f]{40}", x["secret"]), f"20 bytes of hex: {x['secret']}")
        creds = tenant_creds(env, t)
        eq([c[0] for c in creds], KINDS + [EXTRA], "one credential more, the new kind last")
        eq(creds[-1][1:3], [x["number"], "a:read"], "its public id and scopes")
        eq(creds[-1][3], creds[4][3], "bound to the default group, like the group-bound key")
        h = hashlib.sha256(x["secret"].encode()).hexdigest()
        eq(env.sql(f"SELECT kind FROM credentials WHERE secret_hash = {quote(h)}"), [[EXTRA]],
           "its secret stored as its SHA-256")
        for kind in KINDS:
            eq(call(env, t, kind, secret_of(t, kind)), "ok", f"{kind}: still made and accepted")
        out = env.provctl_json("credential", "rotate", "--tenant", t["id"], "--kind", EXTRA,
                               "--grace", "0", "--json")
        eq(list(out.keys()), ["id", "kind", "tenant", "replaces", "extra"], "rotate output")
        eq(list(out["extra"].keys()), ["ref", "number", "secret", "scopes", "group"],
           "rotate shows the new secret with what the labels name")
        eq((out["extra"]["number"], out["extra"]["scopes"], out["extra"]["group"]),
           (x["number"], "a:read", x["group"]), "the replacement keeps id, scopes and group")
        check(re.fullmatch(r"[0-9a-f]{40}", out["extra"]["secret"]) and
              out["extra"]["secret"] != x["secret"], "a new secret of the same form")
        rc, _, err = env.provctl("credential", "rotate", "--tenant", t["id"], "--kind", "nope")
        eq((rc, err), (2, "provctl: unknown --kind (one of skedulo_token, sp_customer, sp_jwt, "
                          f"soajs_key, xtracta_key, {EXTRA})\n"), "the list names every row")
    finally:
        env.sql(f"DELETE FROM credentials WHERE kind = '{EXTRA}'")
        env.sql(f"DELETE FROM credential_kinds WHERE kind = '{EXTRA}'")
    t = env.new_tenant()
    eq("extra" in t, False, "the row gone, tenants are made without it")
    rc, _, err = env.provctl("credential", "rotate", "--tenant", t["id"], "--kind", "nope")
    eq((rc, err), (2, "provctl: unknown --kind (one of skedulo_token, sp_customer, sp_jwt, "
                      "soajs_key, xtracta_key)\n"), "the unknown-kind message as before")
