"""Rotating and revoking every kind of credential (docs/CREDENTIALS.md): `provctl credential
rotate` prints a new secret once; the old one keeps working until it is revoked or its grace
ends, then the dialect answers it with its own 401 from the very next request (the web
server's FastCGI processes are already running: nothing is cached); the new one keeps
working. ServicePower JWTs signed with either secret verify during the grace. Secrets never
go in or come out through argv, and `credential list` shows none."""
import calendar
import hashlib
import json
import re
import time

from credential_util import (KINDS, SK_PATH, SP_PATH, SP_REFUSED, WHERE, XT_PATH, as_tenant,
                             call, secret_of, uniq)
from harness import check, eq, quote, wait_until
from servicepower_util import mint

def credentials(env, t):
    return {c["id"]: c for c in env.provctl_json("credential", "list", "--tenant", t["id"],
                                                 "--json")["credentials"]}


def cred_id(env, t, kind, secret):
    h = hashlib.sha256(secret.encode()).hexdigest()
    return int(env.sql_one(f"SELECT id FROM credentials WHERE kind = {quote(kind)} AND "
                           f"secret_hash = {quote(h)}")[0])


def rotate(env, t, kind, *extra):
    return env.provctl_json("credential", "rotate", "--tenant", t["id"], "--kind", kind,
                            *extra, "--json")


def test_rotate_then_revoke_every_kind(env):
    """Default grace: both secrets work until the old one is revoked (by id for some kinds,
    by its secret on stdin for the others); then the old one is refused at once, the new one
    still works."""
    for i, kind in enumerate(KINDS):
        t = env.new_tenant()
        old = secret_of(t, kind)
        eq(call(env, t, kind, old), "ok", f"{kind}: the tenant's own secret works")
        old_id = cred_id(env, t, kind, old)
        before = time.time()
        out = rotate(env, t, kind)
        eq(list(out.keys()), ["id", "kind", "tenant", "replaces", WHERE[kind][0]],
           f"{kind}: rotate output keys")
        eq((out["kind"], out["tenant"]), (kind, t["id"]), f"{kind}: rotate output")
        eq((out["replaces"]["id"], out["replaces"]["live"]), (old_id, True),
           f"{kind}: replaces the old credential, still live")
        # the default grace is a day
        until = calendar.timegm(time.strptime(out["replaces"]["validUntil"][:19],
                                              "%Y-%m-%dT%H:%M:%S"))
        check(86400 - 120 < until - before < 86400 + 120,
              f"{kind}: default grace of a day: {out['replaces']['validUntil']}")
        new = secret_of(out, kind)
        check(new != old and len(new) == len(old), f"{kind}: a new secret of the same form")
        eq(call(env, t, kind, new), "ok", f"{kind}: the new secret works")
        eq(call(env, t, kind, old), "ok", f"{kind}: the old one still works during its grace")
        if i % 2 == 0:
            rc, o, e = env.provctl("credential", "revoke", "--id", str(old_id), "--json")
        else:
            rc, o, e = env.provctl("credential", "revoke", "--kind", kind, stdin=old + "\n")
        eq(rc, 0, f"{kind}: revoke ({e.strip()})")
        rv = json.loads(o)
        eq((rv["id"], rv["kind"], rv["tenant"]), (old_id, kind, t["id"]), f"{kind}: revoked")
        check(old not in o and old not in e, f"{kind}: revoke does not print the secret")
        eq(call(env, t, kind, old), "refused", f"{kind}: the old secret on the next request")
        eq(call(env, t, kind, old), "refused", f"{kind}: and on the one after")
        eq(call(env, t, kind, new), "ok", f"{kind}: the new secret still works")
        listed = credentials(env, t)
        eq((listed[old_id]["live"], listed[out["id"]]["live"]), (False, True),
           f"{kind}: list shows the old one dead, the new one live")
        eq(listed[out["id"]]["replaces"], old_id, f"{kind}: list shows what replaced what")
        # revoking it again changes nothing and says so
        rc, o, e = env.provctl("credential", "revoke", "--id", str(old_id))
        eq((rc, o), (2, ""), f"{kind}: revoking twice ({e.strip()})")


def test_grace_expires_every_kind(env):
    """--grace 3: every kind's old secret works right after the rotation and is refused once
    the three seconds are over (nobody revokes it), while the new one goes on working."""
    t = env.new_tenant()
    news = {}
    for kind in KINDS:
        old = secret_of(t, kind)
        eq(call(env, t, kind, old), "ok", f"{kind}: before the rotation")
        out = rotate(env, t, kind, "--grace", "3")
        news[kind] = secret_of(out, kind)
        eq(call(env, t, kind, old), "ok", f"{kind}: the old secret within its grace")
        eq(call(env, t, kind, news[kind]), "ok", f"{kind}: the new secret")
    # wait for the database's own clock to pass every end (no wall-clock guess here)
    tid = quote(t["id"])
    check(wait_until(lambda: env.sql_one(
        f"SELECT COUNT(*) FROM credentials c JOIN tenants t ON t.id = c.tenant_id WHERE "
        f"t.oid = {tid} AND c.expires_at > NOW(6)")[0] == "0", timeout=30),
        "the grace periods ended")
    for kind in KINDS:
        eq(call(env, t, kind, secret_of(t, kind)), "refused", f"{kind}: old secret after grace")
        eq(call(env, t, kind, news[kind]), "ok", f"{kind}: new secret after the old one ended")
    # --grace 0 ends the old secret at once (the leaked-secret case)
    for kind in KINDS:
        cur = news[kind]
        out = rotate(env, t, kind, "--grace", "0")
        eq(out["replaces"]["live"], False, f"{kind}: --grace 0 leaves the old one dead")
        eq(call(env, t, kind, cur), "refused", f"{kind}: old secret right after --grace 0")
        eq(call(env, t, kind, secret_of(out, kind)), "ok", f"{kind}: its replacement")


def test_servicepower_rotation_keeps_customerid_and_jwts_of_both_secrets_verify(env):
    t = env.new_tenant()
    cid = t["servicepower"]["customerid"]
    old_token = mint(t)   # signed with the old jwtSecret, valid for five minutes
    out = rotate(env, t, "sp_jwt")
    eq(out["servicepower"]["customerid"], cid, "the customerid stays")
    code = rotate(env, t, "sp_customer")
    eq(code["servicepower"]["customerid"], cid, "the customerid stays for the code too")
    t_new = as_tenant(as_tenant(t, "sp_jwt", out), "sp_customer", code)
    def body():
        u = uniq()
        return json.dumps({"Users": [{"UserID": "j-" + u, "Email": f"j{u}@example.com"}]})

    for token in (old_token, mint(t_new)):
        r = env.http("POST", SP_PATH, body(), {"x-access-token": token}, "application/json")
        eq(r.status, 200, f"a JWT of either secret during the grace: {r!r}")
    env.provctl("credential", "revoke", "--kind", "sp_jwt",
                stdin=t["servicepower"]["jwtSecret"] + "\n")
    r = env.http("POST", SP_PATH, body(), {"x-access-token": old_token}, "application/json")
    eq((r.status, r.json()), (401, SP_REFUSED), "a JWT of the revoked secret, not yet expired")
    eq(call(env, t_new, "sp_jwt", t_new["servicepower"]["jwtSecret"]), "ok", "the new secret")
    # the deprecated pair: the old code with the customerid still works until revoked
    eq(call(env, t, "sp_customer", t["servicepower"]["customercode"]), "ok", "old code")
    eq(call(env, t_new, "sp_customer", code["servicepower"]["customercode"]), "ok", "new code")
    # a code is only good with its own customerid
    other = env.new_tenant()
    r = env.http("POST", f"{SP_PATH}?customerid={other['servicepower']['customerid']}"
                 f"&customercode={code['servicepower']['customercode']}", body(), {},
                 "application/json")
    eq((r.status, r.json()), (401, SP_REFUSED), "the new code with another customerid")
    # no other tenant can get a customerid that a tenant has (the unique key of migration
    # 0011), while rotations of the same tenant share it
    eq(env.sql(f"SELECT COUNT(*), COUNT(DISTINCT tenant_id) FROM credentials WHERE public_id = "
               f"{quote(cid)}"), [["4", "1"]], "four credentials of one tenant share it")
    try:
        env.sql(f"INSERT INTO credentials (tenant_id, kind, public_id, secret_hash) SELECT id, "
                f"'sp_jwt', {quote(cid)}, REPEAT('a', 64) FROM tenants WHERE oid = "
                f"{quote(other['id'])}")
        taken = False
    except AssertionError as e:
        taken = "Duplicate entry" in str(e)
    check(taken, "another tenant's credential with the same customerid was stored")


def test_rotation_keeps_group_and_scopes_and_create_makes_a_key_for_another_group(env):
    t = env.new_tenant()
    group = t["xtracta"]["group_id"]
    out = rotate(env, t, "xtracta_key", "--grace", "0")
    eq(out["xtracta"]["group_id"], group, "the rotated key keeps its group")
    r = env.post_form(XT_PATH, {"api_key": out["xtracta"]["api_key"], "name": "G",
                                "email_address": f"g{uniq()}@example.com"})
    check(f"<primary_group_id>{group}</primary_group_id>".encode() in r.body,
          f"a user added with the rotated key lands in its group: {r!r}")
    g2 = env.provctl_json("group", "add", "--tenant", t["id"], "--code", "north", "--json")
    made = env.provctl_json("credential", "create", "--tenant", t["id"], "--kind",
                            "xtracta_key", "--group", str(g2["id"]), "--json")
    eq(list(made.keys()), ["id", "kind", "tenant", "xtracta"], "create output keys")
    eq(made["xtracta"]["group_id"], g2["id"], "the new key's group")
    r = env.post_form(XT_PATH, {"api_key": made["xtracta"]["api_key"], "name": "N",
                                "email_address": f"n{uniq()}@example.com"})
    check(f"<primary_group_id>{g2['id']}</primary_group_id>".encode() in r.body,
          f"a user added with the new key lands in the other group: {r!r}")
    # two current Xtracta keys: a rotation must name one
    rc, o, e = env.provctl("credential", "rotate", "--tenant", t["id"], "--kind",
                           "xtracta_key", "--json")
    eq((rc, o), (2, ""), f"ambiguous rotation refused ({e.strip()})")
    check("--id" in e, f"the message says how to name one: {e!r}")
    r2 = env.provctl_json("credential", "rotate", "--id", str(made["id"]), "--json")
    eq(r2["xtracta"]["group_id"], g2["id"], "rotating by id keeps that key's group")
    # a read-only Skedulo token rotated stays read-only
    ro = env.provctl_json("token", "create", "--tenant", t["id"], "--scope", "users:read",
                          "--json")
    rid = cred_id(env, t, "skedulo_token", ro["token"])
    r3 = env.provctl_json("credential", "rotate", "--id", str(rid), "--json")
    eq(r3["skedulo"]["scopes"], "users:read", "the scopes stay")
    eq(r3["skedulo"]["tenantId"], t["skedulo"]["tenantId"], "the Skedulo tenant id")
    r = env.post_json(SK_PATH, [{"email": f"s{uniq()}@example.com", "lastName": "S"}],
                      {"Authorization": "Bearer " + r3["skedulo"]["token"]})
    eq(r.status, 403, f"the rotated read-only token cannot write: {r!r}")


def test_live_credentials_of_a_customerid_are_bounded(env):
    """Every live jwtSecret of a customerid is tried on each request, so at most 8 are live:
    the rotation that would make a ninth is refused (nothing changed); --grace 0 is not."""
    t = env.new_tenant()
    for _ in range(7):
        rotate(env, t, "sp_jwt", "--grace", "600")
    tid = quote(t["id"])
    count = (f"SELECT COUNT(*) FROM credentials c JOIN tenants t ON t.id = c.tenant_id "
             f"WHERE t.oid = {tid} AND c.kind = 'sp_jwt'")
    eq(env.sql_one(count)[0], "8", "eight sp_jwt credentials")
    rc, o, e = env.provctl("credential", "rotate", "--tenant", t["id"], "--kind", "sp_jwt",
                           "--json")
    eq((rc, o), (2, ""), f"a ninth live one refused ({e.strip()})")
    eq(len(e.strip().split("\n")), 1, "one line")
    eq(env.sql_one(count)[0], "8", "nothing added")
    out = rotate(env, t, "sp_jwt", "--grace", "0")
    eq(env.sql_one(count)[0], "9", "--grace 0 keeps eight live")
    # the oldest secret, still in its grace, verifies: all eight are tried
    eq(call(env, t, "sp_jwt", t["servicepower"]["jwtSecret"]), "ok", "the first secret")
    eq(call(env, as_tenant(t, "sp_jwt", out), "sp_jwt", out["servicepower"]["jwtSecret"]),
       "ok", "the newest secret")


def test_secrets_on_argv_are_refused_without_echo(env):
    t = env.new_tenant()
    token, key = t["skedulo"]["token"], t["soajs"]["key"]
    cases = [
        ("token", "revoke", token),
        ("token", "revoke", "--json", token),
        ("credential", "revoke", "--kind", "soajs_key", key),
        ("credential", "revoke", key),
        ("credential", "revoke", "--id", key),
        ("credential", "revoke", "--kind", key),
        ("credential", "rotate", "--tenant", key, "--kind", "soajs_key"),
        ("credential", "rotate", "--tenant", t["id"], "--kind", "soajs_key", key),
        ("credential", "rotate", "--tenant", t["id"], "--kind", token),
        ("credential", "list", "--tenant", t["id"], key),
    ]
    for args in cases:
        rc, out, err = env.provctl(*args, stdin="")
        shown = [a for a in args if a in (token, key)][0]
        eq(rc, 2, f"exit status of {args[:2]} ({err.strip()})")
        eq(out, "", "nothing on stdout")
        eq(len(err.strip().split("\n")), 1, f"one line on stderr: {err!r}")
        check(shown not in err and shown[:16] not in err,
              f"the secret is echoed by {args[:3]}: {err!r}")
    eq(call(env, t, "skedulo_token", token), "ok", "the token was not revoked")
    eq(call(env, t, "soajs_key", key), "ok", "the key was not revoked")
    eq(env.sql(f"SELECT COUNT(*) FROM credentials c JOIN tenants t ON t.id = c.tenant_id "
               f"WHERE t.oid = {quote(t['id'])} AND (c.revoked_at IS NOT NULL OR "
               f"c.expires_at IS NOT NULL OR c.replaces IS NOT NULL)"), [["0"]],
       "nothing changed")
    # an option name is still shown, as before
    rc, _, err = env.provctl("token", "revoke", "--bogus")
    eq((rc, err), (2, "provctl: unknown argument '--bogus' (see provctl --help)\n"),
       "an unknown option is named")


def test_list_shows_no_secret(env):
    t = env.new_tenant()
    out = rotate(env, t, "soajs_key")
    secrets = [secret_of(t, k) for k in KINDS] + [out["soajs"]["key"]]
    rc, text, err = env.provctl("credential", "list", "--tenant", t["id"], "--json")
    eq(rc, 0, f"list ({err.strip()})")
    eq(len(text.strip().split("\n")), 1, "one line of JSON")
    listed = json.loads(text)
    eq(list(listed.keys()), ["tenant", "credentials"], "list keys")
    eq(sorted(c["kind"] for c in listed["credentials"]), sorted(KINDS + ["soajs_key"]),
       "every credential of the tenant")
    for c in listed["credentials"]:
        eq(list(c.keys()), ["id", "kind", "publicId", "scopes", "groupId", "replaces",
                            "createdAt", "expiresAt", "revokedAt", "live"], "credential keys")
        check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", c["createdAt"]),
              f"createdAt {c['createdAt']}")
    for s in secrets:
        check(s not in text, "a secret in the list")
        check(hashlib.sha256(s.encode()).hexdigest() not in text, "a secret's hash in the list")
    eq(listed["credentials"][0]["publicId"], None, "no public id for a Skedulo token")
    sp = [c for c in listed["credentials"] if c["kind"].startswith("sp_")]
    eq({c["publicId"] for c in sp}, {t["servicepower"]["customerid"]}, "the customerid shown")


def test_bad_arguments_exit_2_nothing_changed(env):
    t = env.new_tenant()
    other = env.new_tenant()
    cid = cred_id(env, t, "soajs_key", t["soajs"]["key"])
    snapshot = ("SELECT COUNT(*), COUNT(revoked_at), COUNT(expires_at) FROM credentials")
    before = env.sql_one(snapshot)
    cases = [
        ("credential",),
        ("credential", "frobnicate"),
        ("credential", "list"),
        ("credential", "list", "--tenant", "0" * 24),
        ("credential", "rotate", "--tenant", t["id"]),
        ("credential", "rotate", "--kind", "soajs_key"),
        ("credential", "rotate", "--tenant", t["id"], "--kind", "ldap_password"),
        ("credential", "rotate", "--id", str(cid), "--tenant", t["id"], "--kind", "soajs_key"),
        ("credential", "rotate", "--id", "0"),
        ("credential", "rotate", "--id", "-3"),
        ("credential", "rotate", "--id", "999999999999"),
        ("credential", "rotate", "--tenant", t["id"], "--kind", "soajs_key", "--grace", "-1"),
        ("credential", "rotate", "--tenant", t["id"], "--kind", "soajs_key", "--grace", "1h"),
        ("credential", "rotate", "--tenant", t["id"], "--kind", "soajs_key", "--grace",
         "7776001"),
        ("credential", "revoke"),
        ("credential", "revoke", "--id", str(cid), "--kind", "soajs_key"),
        ("credential", "revoke", "--id", "999999999999"),
        ("credential", "revoke", "--kind", "soajs_key"),          # nothing on stdin
        ("credential", "create", "--tenant", t["id"], "--kind", "soajs_key"),
        ("credential", "create", "--tenant", t["id"], "--kind", "sp_jwt", "--group", "1"),
        ("credential", "create", "--tenant", t["id"], "--kind", "skedulo_token"),
        ("credential", "create", "--tenant", t["id"], "--kind", "xtracta_key"),
        ("credential", "create", "--tenant", t["id"], "--kind", "xtracta_key", "--group",
         str(other["xtracta"]["group_id"])),
        ("credential", "create", "--tenant", t["id"], "--kind", "xtracta_key", "--group", "x"),
    ]
    for args in cases:
        rc, out, err = env.provctl(*args, stdin="")
        eq(rc, 2, f"exit status of {args} ({err.strip()})")
        eq(out, "", f"no output on stdout for {args}")
        eq(len(err.strip().split("\n")), 1, f"one line on stderr for {args}: {err!r}")
        check(err.startswith("provctl: "), f"prefixed message: {err!r}")
    # a secret on stdin that matches nothing, or one of another kind
    for kind, secret in (("soajs_key", "0" * 64), ("xtracta_key", t["soajs"]["key"])):
        rc, out, err = env.provctl("credential", "revoke", "--kind", kind, stdin=secret + "\n")
        eq((rc, out), (2, ""), f"unknown secret ({err.strip()})")
    eq(env.sql_one(snapshot), before, "no credential added, revoked or ended")
    eq(call(env, t, "soajs_key", t["soajs"]["key"]), "ok", "the key still works")
