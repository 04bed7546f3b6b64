"""Changes retire what was sent before (issue 13 point 3, docs/MAIL.md "What a change takes
back"): in the transaction of an email change, a deactivation, a deletion or a password set,
the user's links (and on deactivation its login tokens) stop working and the mail still waiting
in the outbox is marked dead ('retired: <event>', its body blanked), whichever dialect made the
change; a user still waiting for its first password gets a new invitation at its new address.
The ServicePower email change and password set are in test_servicepower_invite.py."""
import hashlib
import re
import urllib.parse
import uuid

from harness import check, eq, quote
import mailtest
import servicepower_util as spu

SK = "/onboarding/provision/standalone/users"
LINK = re.compile(r"/urac/join\?token=([A-Za-z0-9_-]+)")
PASSWORD = "Retire-pass-1234"


def uniq():
    return uuid.uuid4().hex[:10]


def sk(env, t, method, body):
    return env.post_json(SK, body, {"Authorization": "Bearer " + t["skedulo"]["token"]},
                         method=method)


def user(env, t, where):
    """(id, oid, email, status, password set) of the tenant's user matching where."""
    return env.sql_one(f"SELECT u.id, u.oid, u.email, u.status, u.password_hash IS NOT NULL "
                       f"FROM users u JOIN tenants t ON t.id = u.tenant_id "
                       f"WHERE t.oid = {quote(t['id'])} AND {where}")


def mails(env, uid):
    """[kind, recipient, status, last_error, body] of the user's outbox rows, oldest first."""
    rows = env.sql(f"SELECT kind, recipient, status, last_error, HEX(body) FROM mail_outbox "
                   f"WHERE user_id = {uid} ORDER BY id")
    return [r[:4] + [bytes.fromhex(r[4]).decode()] for r in rows]


def tokens(env, uid):
    """[purpose, used] of the user's tokens, oldest first."""
    return [(r[0], int(r[1])) for r in env.sql(f"SELECT purpose, used_at IS NOT NULL "
                                                f"FROM user_tokens WHERE user_id = {uid} "
                                                f"ORDER BY id")]


def link_of(mail):
    m = LINK.search(mail[4])
    check(m is not None, f"no link in {mail[4]!r}")
    return m.group(1)


def join_get(env, token):
    return env.http("GET", "/urac/join?token=" + urllib.parse.quote(token))


def join_post(env, token):
    return env.post_form("/urac/join", [("token", token), ("password", PASSWORD),
                                        ("confirmation", PASSWORD)])


def retired(mail, event, what):
    eq(mail[2:], ["dead", f"retired: {event}", ""], f"{what}: retired and blanked")


def sk_invited(env, t, **extra):
    """A Skedulo user created with an invitation: (user row, the invitation's token)."""
    email = f"rt.{uniq()}@example.com"
    r = sk(env, t, "POST", [dict({"email": email, "firstName": "Ret", "lastName": "Ire"},
                                 **extra)])
    eq(r.json()["result"]["inserted"], 1, f"POST {r!r}")
    u = user(env, t, f"u.email_norm = {quote(email)}")
    (m,) = mails(env, u[0])
    eq(m[:3], ["invitation", email, "pending"], "the invitation waits in the outbox")
    return u, link_of(m)


def test_skedulo_email_change_retires_the_old_link_and_invites_at_the_new_address(env):
    t = env.new_tenant()
    u, old = sk_invited(env, t)
    new_email = f"corrected.{uniq()}@example.com"
    r = sk(env, t, "PATCH", {u[1]: {"email": new_email}})
    eq(r.json()["result"], {"inserted": 0, "updated": 1, "total": 1, "failures": {}},
       f"PATCH {r!r}")
    # the link mailed to the old address can no longer take the account over
    eq(join_get(env, old).status, 410, "the old link: GET")
    eq(join_post(env, old).status, 410, "the old link: POST")
    eq(user(env, t, f"u.id = {u[0]}")[2:], [new_email, "pendingNew", "0"],
       "still waiting for a password, at the new address")
    first, second = mails(env, u[0])
    eq(first[:2], ["invitation", u[2]], "the first invitation, to the old address")
    retired(first, "email changed", "the invitation to the old address")
    eq(second[:3], ["invitation", new_email, "pending"], "a new invitation, to the new address")
    new = link_of(second)
    eq(join_get(env, new).status, 200, "the new link works")
    eq(tokens(env, u[0]), [("set_password", 1), ("set_password", 0)], "old link retired")
    # and only the new invitation is delivered
    box = mailtest.new_mailbox(env)
    stats = mailtest.deliver_json(env, mailtest.command(box), "--tenant", t["id"])
    eq(stats.get("sent"), 1, f"one mail delivered: {stats}")
    (raw, argv), = mailtest.raw_messages(box)
    check(new_email.encode() in raw and u[2].encode() not in raw,
          f"delivered to the new address only: {raw[:300]!r}")
    eq(join_post(env, new).status, 200, "the new link sets the password")
    eq(user(env, t, f"u.id = {u[0]}")[3:], ["active", "1"], "the account is active")


def test_skedulo_email_change_of_a_user_never_invited_sends_nothing(env):
    """No invitation was sent, so none is sent again (the dialect would not have invited)."""
    t = env.new_tenant()
    email = f"rt.{uniq()}@example.com"
    r = sk(env, t, "POST", [{"email": email, "lastName": "N", "sendInvitation": False}])
    eq(r.json()["result"]["inserted"], 1, f"POST {r!r}")
    u = user(env, t, f"u.email_norm = {quote(email)}")
    r = sk(env, t, "PATCH", {u[1]: {"email": f"moved.{email}"}})
    eq(r.json()["result"]["updated"], 1, f"PATCH {r!r}")
    eq((mails(env, u[0]), tokens(env, u[0])), ([], []), "no mail, no link")


def test_skedulo_deactivation_retires_links_login_tokens_and_mail(env):
    t = env.new_tenant()
    u, link = sk_invited(env, t)
    # a user of the same tenant made through Xtracta has a login token as well
    email = f"rx.{uniq()}@example.com"
    r = env.post_form("/v1/user/add", {"api_key": t["xtracta"]["api_key"], "name": "X Y",
                                       "email_address": email, "token_expire": "3600"})
    eq(r.status, 200, f"Xtracta add {r!r}")
    x = user(env, t, f"u.email_norm = {quote(email)}")
    eq(sorted(tokens(env, x[0])), [("login", 0), ("set_password", 0)], "link and login token")
    r = sk(env, t, "PATCH", {u[1]: {"isActive": False}, x[1]: {"isActive": False}})
    eq(r.json()["result"]["updated"], 2, f"PATCH {r!r}")
    for row, what in ((u, "skedulo"), (x, "xtracta")):
        check(all(used for _, used in tokens(env, row[0])), f"{what}: every token retired")
        (m,) = mails(env, row[0])
        retired(m, "deactivated", f"{what}'s invitation")
        eq(user(env, t, f"u.id = {row[0]}")[3], "inactive", f"{what}: inactive")
    eq(join_get(env, link).status, 410, "the link no longer works")
    # reactivation brings no link back
    r = sk(env, t, "PATCH", {u[1]: {"isActive": True}})
    eq(r.json()["result"]["updated"], 1, f"PATCH {r!r}")
    eq(join_get(env, link).status, 410, "still retired after reactivation")
    eq(len(mails(env, u[0])), 1, "and no new mail")


def test_servicepower_delete_cancels_the_generated_password_mail(env):
    t = env.new_tenant()
    uid = "rt" + uniq()
    r = spu.post(env, t, [{"UserID": uid, "CUD": 1, "Email": f"{uid}@example.com",
                           "ResetPassword": True}])
    eq(r.status, 200, f"insert {r!r}")
    u = user(env, t, f"u.username = {quote(uid)}")
    (m,) = mails(env, u[0])
    eq(m[:3], ["password", f"{uid}@example.com", "pending"], "the new password waits")
    r = spu.post(env, t, [{"UserID": uid, "CUD": 3}])
    spu.expect(r, 200, spu.ok(deleted=1))
    rows = env.sql(f"SELECT user_id, kind, status, last_error, LENGTH(body) FROM mail_outbox "
                   f"WHERE tenant_id = {spu.tenant_id(env, t)}")
    eq(rows, [[None, "password", "dead", "retired: deleted", "0"]],
       "the mail is dead, blanked, and no longer names the deleted user")
    box = mailtest.new_mailbox(env)
    stats = mailtest.deliver_json(env, mailtest.command(box), "--tenant", t["id"])
    eq((stats.get("sent"), mailtest.raw_messages(box)), (0, []), "nothing is delivered")


def test_a_password_set_on_the_join_page_retires_the_pending_invitation(env):
    """SOAJS addUser answers the token and queues the same link by mail: once the password is
    set with it, the mail waiting in the outbox is retired (it would offer a spent link)."""
    t = env.new_tenant()
    f, data = mailtest.soajs_pending_user(env, t)
    u = user(env, t, f"u.oid = {quote(data['id'])}")
    (m,) = mails(env, u[0])
    eq(m[:3], ["set_password", f["email"], "pending"], "the invitation waits")
    eq(link_of(m), data["token"], "the mailed link is the answered token")
    eq(join_post(env, data["token"]).status, 200, "password set")
    (m,) = mails(env, u[0])
    retired(m, "password set", "the invitation")
    eq(tokens(env, u[0]), [("set_password", 1)], "the link is spent")
    eq(hashlib.sha256(data["token"].encode()).hexdigest(),
       env.sql_one(f"SELECT token_hash FROM user_tokens WHERE user_id = {u[0]}")[0],
       "the one token is the answered one")
