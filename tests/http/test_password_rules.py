"""Password rules (issue 13, point 8; docs/SECURITY.md "Hardening II: password rules"). The
set-password page refuses, with its plain message, every password the old rules let through
(eight spaces, eight zero-width spaces, "password", "12345678", the user's own address with
spaces around it) and the user name, and accepts a good one. Each provisioning API refuses a
blank, invisible or short password with its own invalid-field error, accepts the vendors'
"12345678" by default, and refuses it once the tenant turned the dictionary on (provctl tenant
password-policy); a sub-tenant follows its main tenant. Nothing is stored for a refused
password."""
import hashlib
import json
import uuid
import xml.etree.ElementTree as ET

from harness import check, eq, quote
from mailtest import soajs_pending_user
from servicepower_util import crypt_matches, err, expect, ok
from servicepower_util import post as sp_post

JOIN = "/urac/join"
ADD_USER = "/urac/admin/addUser"
XTRACTA = "/v1/user/add"
ZWSP8 = "\u200b" * 8

PAGE = {
    "blank": "A password cannot be only spaces or invisible characters.",
    "short": "The password is too short: use at least 8 characters (spaces at the start or end "
             "and invisible characters do not count).",
    "email": "A password cannot be your email address, or contain it.",
    "username": "A password cannot be your user name, or contain it.",
    "common": "This password is too common: it is a dictionary word or an easy pattern. A few "
              "unrelated words make a good password.",
}
XT_RULES = "Invalid value for parameter: password"
XT_POLICY = ("Invalid value for parameter: password (too easy to guess: the tenant's password "
             "policy refuses dictionary words, easy patterns and the user's email address)")
SP_RULES = ("Password must have at least 8 characters, not counting invisible ones or spaces at "
            "either end")
SP_POLICY = ("Password is too easy to guess: the tenant's password policy refuses dictionary "
             "words, easy patterns and the user's own UserID or Email")
SOAJS_173 = {"result": False, "errors": {"codes": [173], "details": [
    {"code": 173, "message": "Validation failed for field: password"}]}}

# the passwords every API refuses whatever the tenant says: blank, invisible, short
STRUCTURAL = ["        ", ZWSP8, "\u00a0\u2060\ufeff\u00ad\u200c\u200d\u3000\u2003", "1234567",
              "  abcdefg  ", "é" * 7, "abc" + "\u200b" * 5]


def uniq():
    return uuid.uuid4().hex[:10]


def policy(env, t, value=None):
    args = ["tenant", "password-policy", "--tenant", t["id"]]
    if value is not None:
        args += ["--dictionary", value]
    return env.provctl_json(*args, "--json")


def user_count(env, t):
    return int(env.sql_one(f"SELECT COUNT(*) FROM users u JOIN tenants t ON t.id = u.tenant_id "
                           f"WHERE t.oid = {quote(t['id'])}")[0])


# ---- the set-password page: always the full rules ----

def join_state(env, email):
    return env.sql_one(f"SELECT u.status, u.password_hash, k.used_at IS NOT NULL "
                       f"FROM users u JOIN user_tokens k ON k.user_id = u.id "
                       f"WHERE u.email = {quote(email)} AND k.purpose = 'set_password'")


def join_post(env, token, password):
    return env.post_form(JOIN, [("token", token), ("password", password),
                                ("confirmation", password)])


def assert_refused(env, r, token, why):
    """The form again, exactly as GET shows it plus the one message (so nothing of the password
    is echoed), with status 400."""
    eq(r.status, 400, f"status for a {why} password {r!r}")
    eq(r.headers.get("content-type"), "text/html; charset=utf-8", "Content-Type")
    form = env.http("GET", f"{JOIN}?token={token}").text
    expected = (form.replace("<form ", f'<p class="error" role="alert" id="error">{PAGE[why]}'
                                       f'</p>\n<form ', 1)
                .replace('aria-describedby="password-hint">',
                         'aria-invalid="true" aria-describedby="password-hint error">', 1))
    check(expected != form, "the form has the places the message goes")
    eq(r.text, expected, f"the form with why the password was refused ({why})")


def test_join_page_refuses_the_old_examples(env):
    t = env.new_tenant()
    f, data = soajs_pending_user(env, t)
    token, email, username = data["token"], f["email"], f["username"]
    cases = [
        ("        ", "blank"),
        (ZWSP8, "blank"),
        ("\u00a0\u2060\ufeff\u00ad \u200c\u200d\u3000", "blank"),
        ("password", "common"),
        ("12345678", "common"),
        ("password\u200b", "common"),            # an invisible character hides nothing
        (f"  {email}  ", "email"),
        (f" {email.upper()}", "email"),
        (f"my {email} pass", "email"),
        (f"  {username.upper()}  ", "username"),
        (f"i am {username}", "username"),
        ("abc" + "\u200b" * 6, "short"),
        ("   abcdefg   ", "short"),
    ]
    for pw, why in cases:
        assert_refused(env, join_post(env, token, pw), token, why)
        eq(join_state(env, email), ["pendingNew", None, "0"], f"nothing changed ({why}: {pw!r})")
    # a good password, of eight different non-ASCII characters, is accepted
    good = "ÅäÖüßéçñ"
    r = join_post(env, token, good)
    eq(r.status, 200, f"a good password {r!r}")
    check("<title>Your password is set</title>" in r.text, "success page")
    status, h, used = join_state(env, email)
    eq((status, used), ("active", "1"), "active, token spent")
    check(crypt_matches(good, h), "the stored hash is of the password as typed")


def test_join_page_ignores_the_tenant_policy(env):
    """The page is a person's choice: the full rules whether or not the tenant turned the
    dictionary on for its APIs."""
    t = env.new_tenant()
    eq(policy(env, t), {"id": t["id"], "dictionary": False, "effective": False}, "default off")
    f, data = soajs_pending_user(env, t)
    assert_refused(env, join_post(env, data["token"], "12345678"), data["token"], "common")
    r = join_post(env, data["token"], "staple battery horse")
    eq(r.status, 200, f"good password {r!r}")


def test_join_page_checks_the_servicepower_userid(env):
    """A user invited by ServicePower has its UserID as user name."""
    t = env.new_tenant()
    env.provctl("tenant", "mail", "--tenant", t["id"], "--base-url", env.base_url,
                "--from", "noreply@example.com")
    uid = "tech" + uniq()
    email = f"{uid}@example.com"
    expect(sp_post(env, t, [{"UserID": uid, "CUD": 1, "Email": email}]), 200, ok(inserted=1))
    # the link's token is only mailed; give the user a known one, as the mail would
    token = str(uuid.uuid4())
    env.sql(f"UPDATE user_tokens k JOIN users u ON u.id = k.user_id "
            f"SET k.token_hash = {quote(hashlib.sha256(token.encode()).hexdigest())} "
            f"WHERE u.email = {quote(email)} AND k.purpose = 'set_password'")
    assert_refused(env, join_post(env, token, f"{uid} rocks"), token, "username")
    eq(join_post(env, token, "correct horse battery").status, 200, "a good password")


# ---- SOAJS addUser: 173 ----

def soajs_add(env, t, password, tid=None, **over):
    u = uniq()
    f = {"username": "u_" + u, "firstName": "Jo", "lastName": "Doe",
         "email": f"jo.{u}@example.com", "status": "active", "password": password,
         "confirmation": password}
    f.update(over)
    target = tid or t
    return env.post_json(f"{ADD_USER}?tId={target['id']}&tCode={target['code']}", f,
                         {"key": t["soajs"]["key"]}), f


def test_soajs_password_rules(env):
    t = env.new_tenant()
    before = user_count(env, t)
    for pw in STRUCTURAL:
        r, _ = soajs_add(env, t, pw)
        eq((r.status, r.json()), (200, SOAJS_173), f"structural rule for {pw!r}")
    # also in a form body, and for a pending user that sends one anyway
    r = env.post_form(f"{ADD_USER}?tId={t['id']}&tCode={t['code']}",
                      [("username", "u_" + uniq()), ("firstName", "Jo"), ("lastName", "Doe"),
                       ("email", f"jo.{uniq()}@example.com"), ("status", "active"),
                       ("password", ZWSP8), ("confirmation", ZWSP8)], {"key": t["soajs"]["key"]})
    eq((r.status, r.json()), (200, SOAJS_173), "form body, zero-width spaces")
    eq(user_count(env, t), before, "nothing stored")
    # the vendors' example works by default, and so does the address itself
    r, f = soajs_add(env, t, "12345678")
    eq(r.json().get("result"), True, f"12345678 by default {r!r}")
    h = env.sql_one(f"SELECT password_hash FROM users WHERE email = {quote(f['email'])}")[0]
    check(crypt_matches("12345678", h), "stored as sent")
    # the tenant turns the dictionary on: the full rules, 173
    eq(policy(env, t, "on"), {"id": t["id"], "dictionary": True, "effective": True}, "on")
    before = user_count(env, t)
    for pw in ["12345678", "password", "iloveyou1"]:
        r, _ = soajs_add(env, t, pw)
        eq((r.status, r.json()), (200, SOAJS_173), f"dictionary on: {pw!r}")
    u = uniq()
    r, _ = soajs_add(env, t, f"jo.{u}@example.com", email=f"jo.{u}@example.com")
    eq(r.json(), SOAJS_173, "the user's own email")
    r, _ = soajs_add(env, t, f"the u_{u} account", username=f"u_{u}")
    eq(r.json(), SOAJS_173, "the user's own username")
    eq(user_count(env, t), before, "nothing stored")
    r, _ = soajs_add(env, t, "correct horse battery")
    eq(r.json().get("result"), True, f"a good password {r!r}")
    # off again: the example works again
    eq(policy(env, t, "off")["dictionary"], False, "off")
    r, _ = soajs_add(env, t, "12345678")
    eq(r.json().get("result"), True, f"12345678 after off {r!r}")


def test_sub_tenant_follows_its_main_tenant(env):
    t = env.new_tenant()
    sub = env.new_tenant(parent=t["id"])
    r, _ = soajs_add(env, t, "12345678", tid=sub)
    eq(r.json().get("result"), True, f"sub-tenant, off {r!r}")
    policy(env, t, "on")
    eq(policy(env, sub), {"id": sub["id"], "dictionary": False, "effective": True},
       "the sub-tenant's own setting and the one in effect")
    r, _ = soajs_add(env, t, "12345678", tid=sub)
    eq(r.json(), SOAJS_173, "sub-tenant of a main tenant that turned it on")
    policy(env, t, "off")
    policy(env, sub, "on")
    r, _ = soajs_add(env, t, "12345678", tid=sub)
    eq(r.json(), SOAJS_173, "a sub-tenant may turn it on alone")
    r, _ = soajs_add(env, t, "12345678")
    eq(r.json().get("result"), True, "its main tenant stays off")


# ---- Xtracta user add: 400 invalid parameter ----

def xt_add(env, t, password, **over):
    f = {"api_key": t["xtracta"]["api_key"], "name": "John",
         "email_address": f"john.{uniq()}@xtracta.com", "password": password}
    f.update(over)
    return env.post_form(XTRACTA, f), f


def xt_assert(r, status, message=None):
    eq(r.status, status, f"HTTP status {r!r}")
    root = ET.fromstring(r.body)
    eq(root.findtext("status"), str(status), "<status>")
    if message is not None:
        eq([c.tag for c in root], ["status", "message"], "error children")
        eq(root.findtext("message"), message, "<message>")
    return root


def test_xtracta_password_rules(env):
    t = env.new_tenant()
    before = user_count(env, t)
    for pw in STRUCTURAL:
        r, _ = xt_add(env, t, pw)
        xt_assert(r, 400, XT_RULES)
    eq(user_count(env, t), before, "nothing stored")
    # the seed's own request: password=12345678
    r, f = xt_add(env, t, "12345678", group_id=str(t["xtracta"]["group_id"]))
    root = xt_assert(r, 200)
    eq(root.find("user").findtext("password"), "12345678", "echoed as the seed shows")
    policy(env, t, "on")
    before = user_count(env, t)
    r, _ = xt_add(env, t, "12345678")
    xt_assert(r, 400, XT_POLICY)
    e = f"ann.{uniq()}@xtracta.com"
    r, _ = xt_add(env, t, f" {e} ", email_address=e)
    xt_assert(r, 400, XT_POLICY)
    eq(user_count(env, t), before, "nothing stored")
    r, _ = xt_add(env, t, "staple battery horse")
    xt_assert(r, 200)


# ---- ServicePower bulk: 400 at Users[i].Password ----

def test_servicepower_password_rules(env):
    t = env.new_tenant()
    p = "sp" + uniq()
    before = user_count(env, t)
    for pw in STRUCTURAL:
        users = [{"UserID": p + "a", "Email": f"{p}a@example.com", "Password": "fine pass 1"},
                 {"UserID": p + "b", "Email": f"{p}b@example.com", "Password": pw}]
        expect(sp_post(env, t, users), 400, err(400, SP_RULES, "Users[1].Password", ""))
    eq(user_count(env, t), before, "nothing stored")
    expect(sp_post(env, t, [{"UserID": p + "c", "Email": f"{p}c@example.com",
                             "Password": "12345678"}]), 200, ok(inserted=1))
    h = env.sql_one(f"SELECT password_hash FROM users WHERE email = {quote(p + 'c@example.com')}")
    check(crypt_matches("12345678", h[0]), "stored as sent")
    policy(env, t, "on")
    before = user_count(env, t)
    for pw in ["12345678", "password", f"{p}d@example.com", f"my {p}d pass"]:
        users = [{"UserID": p + "x", "Email": f"{p}x@example.com", "Password": "fine pass 1"},
                 {"UserID": p + "d", "Email": f"{p}d@example.com", "Password": pw}]
        expect(sp_post(env, t, users), 400, err(400, SP_POLICY, "Users[1].Password", ""))
    # an update refused the same way leaves the stored password alone
    expect(sp_post(env, t, [{"UserID": p + "c", "Password": "password"}]), 400,
           err(400, SP_POLICY, "Users[0].Password", ""))
    check(crypt_matches("12345678", env.sql_one(
        f"SELECT password_hash FROM users WHERE email = {quote(p + 'c@example.com')}")[0]),
        "unchanged")
    eq(user_count(env, t), before, "nothing stored")
    # a reset ignores Password, a delete does not set one: neither is checked
    expect(sp_post(env, t, [{"UserID": p + "c", "CUD": 3, "Password": "12345678"}]), 200,
           ok(deleted=1))
    expect(sp_post(env, t, [{"UserID": p + "e", "Email": f"{p}e@example.com",
                             "Password": "staple battery horse"}]), 200, ok(inserted=1))


# ---- provctl ----

def test_provctl_password_policy(env):
    t = env.new_tenant()
    eq(policy(env, t), {"id": t["id"], "dictionary": False, "effective": False}, "show")
    for bad in (["--dictionary", "yes"], ["--dictionary"], ["--bogus"]):
        rc, out, errtext = env.provctl("tenant", "password-policy", "--tenant", t["id"], *bad)
        eq((rc, out), (2, ""), f"usage error for {bad}: {errtext}")
    rc, out, errtext = env.provctl("tenant", "password-policy", "--tenant", "0" * 24,
                                   "--dictionary", "on")
    eq(rc, 2, f"unknown tenant: {errtext}")
    rc, out, errtext = env.provctl("tenant", "password-policy", "--dictionary", "on")
    eq(rc, 2, f"--tenant is required: {errtext}")
    eq(policy(env, t), {"id": t["id"], "dictionary": False, "effective": False},
       "nothing changed by the refused commands")
    eq(json.loads(env.provctl("tenant", "password-policy", "--tenant", t["id"],
                              "--dictionary", "on")[1]),
       {"id": t["id"], "dictionary": True, "effective": True}, "without --json: the same line")
    eq(env.sql_one(f"SELECT password_dictionary FROM tenants WHERE oid = {quote(t['id'])}"),
       ["1"], "stored")
