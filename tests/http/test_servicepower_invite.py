"""ServicePower invitations (issue 5): a user inserted without Password and without a reset
gets a single-use set-password link (stored only as its SHA-256, valid token.ttl_hours) and
exactly one set_password mail, queued with the batch; it is pendingNew (inactive when
Activated is false) until the password is set on /urac/join. No invitation with a Password, on
a reset, without mail configured, or for an update; a password or email set by an update
retires a pending link; a failing batch leaves no token and no mail."""
import calendar
import hashlib
import json
import os
import re
import time
import urllib.parse

from harness import check, eq, quote, with_trigger
from mailtest import soajs_pending_user
from servicepower_util import (PATH, crypt_matches, err, expect, mint, ok, post, snapshot,
                               tenant_id, uniq, user_row)

LINK = re.compile(r"(http://\S+)/urac/join\?token=([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                  r"[89ab][0-9a-f]{3}-[0-9a-f]{12})")
INTERNAL = "An error has occurred within the service, reference "


def mails_of(env, t, uid):
    """[kind, recipient, recipient_name, subject, body, has_secret, status, request_id] of
    every outbox row of user uid, oldest first."""
    rows = env.sql(f"SELECT m.kind, m.recipient, m.recipient_name, m.subject, HEX(m.body), "
                   f"m.has_secret, m.status, m.request_id FROM mail_outbox m "
                   f"JOIN users u ON u.id = m.user_id WHERE u.tenant_id = {tenant_id(env, t)} "
                   f"AND u.username = {quote(uid)} ORDER BY m.id")
    for row in rows:
        row[4] = bytes.fromhex(row[4]).decode()
    return rows


def tokens_of(env, t, uid):
    """[purpose, token_hash, expires_at (epoch), used] of every token of user uid."""
    return env.sql(f"SELECT k.purpose, k.token_hash, UNIX_TIMESTAMP(k.expires_at), "
                   f"k.used_at IS NOT NULL FROM user_tokens k JOIN users u ON u.id = k.user_id "
                   f"WHERE u.tenant_id = {tenant_id(env, t)} AND u.username = {quote(uid)} "
                   f"ORDER BY k.id")


def counts(env, t):
    """(set-password tokens, mails) of the tenant."""
    tid = tenant_id(env, t)
    return env.sql_one(f"SELECT (SELECT COUNT(*) FROM user_tokens k JOIN users u "
                       f"ON u.id = k.user_id WHERE u.tenant_id = {tid}), "
                       f"(SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = {tid})")


def the_invitation(env, t, uid):
    """The token of the one set_password mail of uid, after checking mail and token."""
    mails = mails_of(env, t, uid)
    eq([m[0] for m in mails], ["set_password"], f"one set_password mail for {uid}")
    m = LINK.search(mails[0][4])
    check(m is not None, f"no link in {mails[0][4]!r}")
    token = m.group(2)
    tokens = tokens_of(env, t, uid)
    eq([(k[0], k[1], k[3]) for k in tokens],
       [("set_password", hashlib.sha256(token.encode()).hexdigest(), "0")],
       f"one unused set-password token of {uid}, stored as the SHA-256 of the mailed one")
    return token


def join_get(env, token):
    return env.http("GET", f"/urac/join?token={urllib.parse.quote(token)}")


def join_post(env, token, password):
    return env.post_form("/urac/join", [("token", token), ("password", password),
                                        ("confirmation", password)])


def test_inserted_user_without_password_is_invited(env):
    t = env.new_tenant()
    a, b = "inv-" + uniq(), "inv-" + uniq()
    ea, eb = f"{a}@example.com", f"{b}@example.com"
    before = time.time()
    r = post(env, t, [{"UserID": a, "CUD": 1, "Email": ea, "FirstName": "Åsa",
                       "LastName": "Berg"},
                      {"UserID": b, "Email": eb}])   # CUD 2 of a new UserID: an insert
    expect(r, 200, ok(inserted=2))
    for uid, email, name in ((a, ea, "Åsa"), (b, eb, eb)):
        eq(user_row(env, t, uid)[3:5], [None, "pendingNew"], f"{uid}: no password, pendingNew")
        mails = mails_of(env, t, uid)
        eq(len(mails), 1, f"exactly one mail for {uid}")
        kind, to, to_name, subject, body, secret, status, rid = mails[0]
        eq([kind, to, to_name, subject, secret, status, rid],
           ["set_password", email, name, "Set your password", "1", "pending",
            r.headers.get("x-request-id")], f"the outbox row of {uid}")
        token = the_invitation(env, t, uid)
        expires = int(float(tokens_of(env, t, uid)[0][2]))
        check(abs(expires - (before + 48 * 3600)) < 120,
              f"the link expires after token.ttl_hours (48): {expires - before:.0f}s")
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires))
        eq(body, f"Hello {name},\n\nAn account has been created for you. Set your password "
                 f"here:\n\n{env.base_url}/urac/join?token={token}\n\nThe link can be used once "
                 f"and expires {when}.\n", f"the mail of {uid}")
        check(token not in r.text, "the token is not in the response")
        check(token not in json.dumps(snapshot(env, t)["users"]), "clear token stored")
        eq(env.sql(f"SELECT COUNT(*) FROM user_tokens WHERE token_hash = {quote(token)}"),
           [["0"]], "the clear token is not a stored hash")
        for f in os.listdir(os.path.join(env.var, "log")):
            with open(os.path.join(env.var, "log", f), "rb") as fh:
                check(token.encode() not in fh.read(), f"the token is in log {f}")
    # the link activates the account
    token = the_invitation(env, t, a)
    eq(join_get(env, token).status, 200, "the form")
    r = join_post(env, token, "technician pw 1")
    eq(r.status, 200, f"set {r!r}")
    check("is now active" in r.text, "the success page")
    row = user_row(env, t, a)
    eq(row[4], "active", "active once the password is set")
    check(row[3].startswith("$y$") and crypt_matches("technician pw 1", row[3]),
          "the yescrypt hash of the chosen password")
    eq(tokens_of(env, t, a)[0][3], "1", "the token is spent")
    eq(join_get(env, token).status, 410, "the link works once")


def test_no_invitation_with_a_password_a_reset_or_without_mail(env):
    t = env.new_tenant()
    a, b, c = "pw-" + uniq(), "rs-" + uniq(), "nm-" + uniq()
    expect(post(env, t, [{"UserID": a, "Email": f"{a}@example.com", "Password": "given pw 1"},
                         {"UserID": b, "CUD": 1, "Email": f"{b}@example.com",
                          "ResetPassword": True}]), 200, ok(inserted=2))
    eq(user_row(env, t, a)[4], "active", "a user with a Password is active")
    eq((mails_of(env, t, a), tokens_of(env, t, a)), ([], []), "no mail, no token with a Password")
    eq(user_row(env, t, b)[4], "active", "a reset user is active")
    eq([m[0] for m in mails_of(env, t, b)], ["password"], "a reset mails the password only")
    eq(tokens_of(env, t, b), [], "no token on a reset")
    # the same insert without mail configured (no base URL, no sender): no link to send
    body = json.dumps({"Users": [{"UserID": c, "CUD": 1, "Email": f"{c}@example.com"}]})
    r = env.cgi("bulk_users", "POST", PATH, body.encode(),
                {"Content-Type": "application/json", "x-access-token": mint(t)},
                env={"PROVISION_MAIL_FROM": "", "PROVISION_PUBLIC_BASE_URL": ""})
    eq(r.status, 200, f"{r!r}")
    eq(r.json(), ok(inserted=1), "inserted")
    eq(user_row(env, t, c)[3:5], [None, "active"], "without mail: created as before, active")
    eq((mails_of(env, t, c), tokens_of(env, t, c)), ([], []), "no mail, no token without mail")


def test_updates_never_invite(env):
    t = env.new_tenant()
    a, b = "up-" + uniq(), "up-" + uniq()
    expect(post(env, t, [{"UserID": a, "Email": f"{a}@example.com", "Password": "given pw 1"},
                         {"UserID": b, "Email": f"{b}@example.com"}]), 200, ok(inserted=2))
    before = counts(env, t)
    eq(before, ["1", "1"], "b's invitation only")
    # CUD 2 of existing users without a Password, also making them (again) active
    expect(post(env, t, [{"UserID": a, "CUD": 2, "FirstName": "Al"},
                         {"UserID": b, "FirstName": "Bea", "Activated": True}]), 200,
           ok(updated=2))
    expect(post(env, t, [{"UserID": a, "Activated": False}]), 200, ok(updated=1))
    expect(post(env, t, [{"UserID": a, "Activated": True}]), 200, ok(updated=1))
    eq(counts(env, t), before, "no token or mail for an update")
    eq(user_row(env, t, a)[4], "active", "a has a password: active again")
    eq(user_row(env, t, b)[4], "pendingNew", "b still waits for its password")
    the_invitation(env, t, b)   # still exactly the one link, unused
    # a user of another dialect, updated through ServicePower by its username
    f, data = soajs_pending_user(env, t)
    expect(post(env, t, [{"UserID": f["username"], "LastName": "Updated"}]), 200, ok(updated=1))
    eq(env.sql(f"SELECT kind FROM mail_outbox m JOIN users u ON u.id = m.user_id "
               f"WHERE u.oid = {quote(data['id'])}"), [["set_password"]],
       "the addUser mail only, no second one")


def test_activated_false_is_invited_and_stays_inactive(env):
    t = env.new_tenant()
    uid = "off-" + uniq()
    expect(post(env, t, [{"UserID": uid, "Email": f"{uid}@example.com", "Activated": False}]),
           200, ok(inserted=1))
    eq(user_row(env, t, uid)[3:5], [None, "inactive"], "inactive, no password")
    token = the_invitation(env, t, uid)
    r = join_post(env, token, "while inactive 1")
    eq(r.status, 200, f"{r!r}")
    check("it is not active: you can sign in once your administrator activates it" in r.text,
          f"the page says the account is not active: {r.text}")
    row = user_row(env, t, uid)
    eq(row[4], "inactive", "the link does not undo Activated false")
    check(crypt_matches("while inactive 1", row[3]), "but the password is set")
    expect(post(env, t, [{"UserID": uid, "Activated": True}]), 200, ok(updated=1))
    eq(user_row(env, t, uid)[4], "active", "activated with its password")


def test_a_password_or_email_set_by_an_update_retires_the_link(env):
    t = env.new_tenant()
    a, b, c, d = ("rt-" + uniq() for _ in range(4))
    expect(post(env, t, [{"UserID": u, "Email": f"{u}@example.com"} for u in (a, b, c, d)]),
           200, ok(inserted=4))
    links = {u: the_invitation(env, t, u) for u in (a, b, c, d)}
    expect(post(env, t, [{"UserID": a, "Password": "admin set 1"},
                         {"UserID": b, "ResetPassword": True},
                         {"UserID": c, "Email": f"new.{c}@example.com"},
                         {"UserID": d, "LastName": "Unrelated"}]), 200, ok(updated=4))
    eq(user_row(env, t, a)[4], "active", "a password given: active")
    eq(user_row(env, t, b)[4], "active", "a password reset: active")
    eq(user_row(env, t, c)[4], "pendingNew", "a new email: still waiting for a password")
    eq([m[0] for m in mails_of(env, t, b)], ["set_password", "password"], "b's reset mail")
    # the invitations still waiting in the outbox are retired with their links (a and b set
    # a password; c's went to the address c no longer has)
    for u, event in ((a, "password set"), (b, "password set"), (c, "email changed")):
        m = mails_of(env, t, u)[0]
        eq((m[0], m[6], m[4]), ("set_password", "dead", ""), f"{u}'s invitation retired, blanked")
        eq(env.sql_one(f"SELECT m.last_error FROM mail_outbox m JOIN users u ON u.id = m.user_id "
                       f"WHERE u.tenant_id = {tenant_id(env, t)} AND u.username = {quote(u)} "
                       f"ORDER BY m.id LIMIT 1")[0], f"retired: {event}", f"{u}: why")
    eq(mails_of(env, t, b)[1][6], "pending", "b's new password is still sent")
    # c still waits for its first password: a new invitation goes to the new address
    mc = mails_of(env, t, c)
    eq([(m[0], m[1], m[6]) for m in mc],
       [("set_password", f"{c}@example.com", "dead"),
        ("set_password", f"new.{c}@example.com", "pending")], "c is invited again, at new.")
    new_link = LINK.search(mc[1][4]).group(2)
    eq([(k[1], k[3]) for k in tokens_of(env, t, c)],
       [(hashlib.sha256(links[c].encode()).hexdigest(), "1"),
        (hashlib.sha256(new_link.encode()).hexdigest(), "0")], "c: the old link retired, a new one")
    eq(join_get(env, new_link).status, 200, "c's new link works")
    for u in (a, b, c):
        eq(tokens_of(env, t, u)[0][3], "1", f"{u}'s link is retired")
        eq(join_get(env, links[u]).status, 410, f"{u}'s link no longer works")
    eq([k[3] for k in tokens_of(env, t, d)], ["0"], "an unrelated update keeps d's link")
    eq(join_get(env, links[d]).status, 200, "d's link still works")
    eq([m[6] for m in mails_of(env, t, d)], ["pending"], "and its invitation")


def test_a_failing_batch_leaves_no_token_and_no_mail(env):
    t = env.new_tenant()
    old = "old-" + uniq()
    expect(post(env, t, [{"UserID": old, "Email": f"{old}@example.com",
                          "Password": "given pw 1"}]), 200, ok(inserted=1))
    before, before_counts = snapshot(env, t), counts(env, t)
    new = "new-" + uniq()
    users = [{"UserID": new, "CUD": 1, "Email": f"{new}@example.com"},
             {"UserID": old, "CUD": 1, "Email": f"x{old}@example.com"}]
    expect(post(env, t, users), 409, err(409, "UserID already exists", "Users[1].UserID", old))
    eq((snapshot(env, t), counts(env, t)), (before, before_counts), "409: nothing written")
    # failures while writing the invitations themselves: the mail, then the token
    tid = tenant_id(env, t)
    other = "pw-" + uniq()
    users = [{"UserID": new, "CUD": 1, "Email": f"{new}@example.com"},
             {"UserID": other, "CUD": 1, "Email": f"{other}@example.com", "Password": "pw pw pw"},
             {"UserID": old, "LastName": "Changed"}]
    for table, cond in (("mail_outbox", f"NEW.tenant_id = {tid}"),
                        ("user_tokens", f"NEW.user_id IN (SELECT id FROM users "
                                        f"WHERE tenant_id = {tid})")):
        r = with_trigger(env, table, "t_sp_invite_fault", cond, lambda: post(env, t, users))
        eq(r.status, 500, f"a failed {table} insert {r!r}")
        check(r.json()["detail"]["message"].startswith(INTERNAL), f"the 500 answer {r.text}")
        eq((snapshot(env, t), counts(env, t)), (before, before_counts),
           f"a failing {table} insert: no user, token or mail of the batch")
    expect(post(env, t, users), 200, ok(inserted=2, updated=1))
    eq(counts(env, t), [str(int(before_counts[0]) + 1), str(int(before_counts[1]) + 1)],
       "and then exactly one more token and mail")
    the_invitation(env, t, new)


def test_the_tenant_template_is_used(env):
    """A tenant's own set_password template is rendered for each invited user."""
    t = env.new_tenant()
    rc, _, e = env.provctl("mail", "template", "--tenant", t["id"], "--kind", "set_password",
                           "--subject", "Welcome to {{tenant}}, {{name}}")
    eq(rc, 0, f"template set ({e})")
    name = env.sql_one(f"SELECT name FROM tenants WHERE oid = {quote(t['id'])}")[0]
    a, b = "tpl-" + uniq(), "tpl-" + uniq()
    expect(post(env, t, [{"UserID": a, "Email": f"{a}@example.com", "FirstName": "Zoë"},
                         {"UserID": b, "Email": f"{b}@example.com", "FirstName": "Yann"}]),
           200, ok(inserted=2))
    eq(mails_of(env, t, a)[0][3], f"Welcome to {name}, Zoë", "a's subject")
    eq(mails_of(env, t, b)[0][3], f"Welcome to {name}, Yann", "b's subject")
    check(mails_of(env, t, a)[0][4].startswith("Hello Zoë,\n"), "the built-in body")


def test_expiry_is_token_ttl_hours(env):
    """token.ttl_hours is honoured (run as plain CGI with PROVISION_TOKEN_TTL_HOURS=2)."""
    t = env.new_tenant()
    uid = "ttl-" + uniq()
    body = json.dumps({"Users": [{"UserID": uid, "Email": f"{uid}@example.com"}]})
    now = calendar.timegm(time.gmtime())
    r = env.cgi("bulk_users", "POST", PATH, body.encode(),
                {"Content-Type": "application/json", "x-access-token": mint(t)},
                env={"PROVISION_TOKEN_TTL_HOURS": "2"})
    eq(r.status, 200, f"{r!r}")
    the_invitation(env, t, uid)
    expires = int(float(tokens_of(env, t, uid)[0][2]))
    check(abs(expires - (now + 2 * 3600)) < 120, f"2 hours: {expires - now}s")
