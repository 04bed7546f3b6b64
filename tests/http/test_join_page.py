"""The set-password page (issue 5): GET /urac/join?token=... shows the form, POST sets the
password once. Pages, status codes and headers checked exactly; storage checked in the
database; hostile values escaped; concurrent POSTs spend the token once; the token never
reaches our logs."""
import base64
import crypt  # noqa: PLC0415 - deprecated module, still the way to call crypt(3)
import hashlib
import os
import re
import threading
import urllib.parse
import uuid

from harness import check, eq, quote
from mailtest import soajs_pending_user, uniq

PATH = "/urac/join"

TEXT = {
    "missing": (400, "This link is incomplete",
                "The address you opened has no token. Open the link from your email again; if "
                "you copy it, copy the whole address."),
    "unknown": (404, "This link is not valid",
                "It may have been mistyped or replaced by a newer invitation. Open the most "
                "recent email you received, or ask your administrator to send a new invitation."),
    "spent": (410, "This link has already been used",
              "The password for this account has already been set with this link. Sign in with "
              "your password, or ask your administrator for a new invitation if you have lost "
              "it."),
    "expired": (410, "This link has expired",
                "Links to set a password are valid for a limited time. Ask your administrator to "
                "send a new invitation."),
}
RULES = {
    "empty": "Enter a new password.",
    "long": "The password is too long: use at most 256 bytes (fewer characters if they are not "
            "plain letters and digits).",
    "control": "The password contains characters that cannot be used (control characters).",
    "short": "The password is too short: use at least 8 characters (spaces at the start or end "
             "and invisible characters do not count).",
    "email": "A password cannot be your email address, or contain it.",
    "mismatch": "The two passwords do not match. Type the same password twice.",
}


def page(r, title, inner):
    """Checks the headers every page carries and returns the exact page expected (the style
    sheet taken from the response, after checking that the CSP allows exactly it)."""
    eq(r.headers.get("content-type"), "text/html; charset=utf-8", "Content-Type")
    eq(r.headers.get("cache-control"), "no-store", "Cache-Control")
    eq(r.headers.get("referrer-policy"), "no-referrer", "Referrer-Policy")
    eq(r.headers.get("x-content-type-options"), "nosniff", "X-Content-Type-Options")
    eq(r.headers.get("x-frame-options"), "DENY", "X-Frame-Options")
    m = re.search(r"<style>(.*?)</style>", r.text, re.S)
    check(m is not None, f"no style sheet: {r.text[:300]}")
    digest = base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()
    eq(r.headers.get("content-security-policy"),
       f"default-src 'none'; style-src 'sha256-{digest}'; form-action 'self'; "
       f"frame-ancestors 'none'; base-uri 'none'", "Content-Security-Policy")
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f'<title>{title}</title>\n<style>{m.group(1)}</style>\n</head>\n<body>\n<main>\n'
            f'<h1>{title}</h1>\n{inner}</main>\n</body>\n</html>\n')


def assert_state(r, which):
    status, title, text = TEXT[which]
    eq(r.status, status, f"status of the {which} page {r!r}")
    eq(r.text, page(r, title, f"<p>{text}</p>\n"), f"{which} page")


def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def form_inner(name, email, token, error=None):
    hello = f"Hello {esc(name)}, choose" if name else "Choose"
    s = f"<p>{hello} the password for your account <strong>{esc(email)}</strong>.</p>\n"
    if error:
        s += f'<p class="error" role="alert" id="error">{RULES[error]}</p>\n'
    aria = ('aria-invalid="true" aria-describedby="password-hint error"' if error
            else 'aria-describedby="password-hint"')
    return s + ('<form method="post" action="join">\n'
                f'<input type="hidden" name="token" value="{token}">\n'
                '<label for="password">New password</label>\n'
                '<input id="password" name="password" type="password" '
                f'autocomplete="new-password" required minlength="8" {aria}>\n'
                '<p class="hint" id="password-hint">At least 8 characters, not your email '
                'address or user name, and not a common password.</p>\n'
                '<label for="confirmation">Repeat the new password</label>\n'
                '<input id="confirmation" name="confirmation" type="password" '
                'autocomplete="new-password" required minlength="8">\n'
                '<button type="submit">Set password</button>\n</form>\n')


def assert_form(r, status, name, email, token, error=None):
    eq(r.status, status, f"status of the form {r!r}")
    eq(r.text, page(r, "Choose your password", form_inner(name, email, token, error)), "form")


def get(env, token):
    return env.http("GET", f"{PATH}?token={urllib.parse.quote(token)}")


def post(env, token, password, confirmation=None, extra=None):
    fields = [("token", token), ("password", password),
              ("confirmation", password if confirmation is None else confirmation)]
    return env.post_form(PATH, fields + list(extra or []))


def user_state(env, email):
    return env.sql_one(f"SELECT u.status, u.password_hash, k.used_at IS NOT NULL "
                       f"FROM users u JOIN user_tokens k ON k.user_id = u.id "
                       f"WHERE u.email = {quote(email)} AND k.purpose = 'set_password'")


def pending(env, **over):
    t = env.new_tenant()
    f, data = soajs_pending_user(env, t, **over)
    return t, f, data["token"]


def test_get_shows_the_form(env):
    t, f, token = pending(env)
    r = get(env, token)
    assert_form(r, 200, "Zoë", f["email"], token)
    eq(user_state(env, f["email"]), ["pendingNew", None, "0"], "a GET changes nothing")


def test_links_that_cannot_work(env):
    assert_state(env.http("GET", PATH), "missing")
    assert_state(env.http("GET", PATH + "?token="), "missing")
    assert_state(env.http("GET", PATH + "?token=a&token=b"), "missing")
    assert_state(get(env, str(uuid.uuid4())), "unknown")
    r = get(env, "<script>alert(1)</script>")
    assert_state(r, "unknown")
    check("script" not in r.text, "a malformed token is never echoed")
    assert_state(get(env, "x" * 129), "unknown")
    assert_state(env.http("GET", PATH + "?token=%ZZ"), "unknown")
    assert_state(env.post_form(PATH, {"password": "long enough", "confirmation": "long enough"}),
                 "missing")
    assert_state(post(env, str(uuid.uuid4()), "long enough pw"), "unknown")


def test_post_sets_the_password_once(env):
    t, f, token = pending(env)
    pw = "correct horse battery"
    r = post(env, token, pw)
    eq(r.status, 200, f"status {r!r}")
    eq(r.text, page(r, "Your password is set",
                    f'<p role="status">The account <strong>{f["email"]}</strong> is now active. '
                    f'You can sign in with your new password.</p>\n'), "success page")
    status, h, used = user_state(env, f["email"])
    eq((status, used), ("active", "1"), "active, token spent")
    check(h.startswith("$y$"), f"yescrypt hash, got {h[:8]}")
    eq(crypt.crypt(pw, h), h, "the hash verifies the password")
    check(crypt.crypt(pw + "x", h) != h, "and not another")
    # the link is now spent, for GET and POST
    assert_state(get(env, token), "spent")
    assert_state(post(env, token, "another password"), "spent")
    eq(user_state(env, f["email"])[1], h, "the password did not change again")


def test_expired_link(env):
    t, f, token = pending(env)
    env.sql(f"UPDATE user_tokens k JOIN users u ON u.id = k.user_id "
            f"SET k.expires_at = NOW(6) - INTERVAL 1 SECOND WHERE u.email = {quote(f['email'])}")
    assert_state(get(env, token), "expired")
    assert_state(post(env, token, "long enough pw"), "expired")
    eq(user_state(env, f["email"]), ["pendingNew", None, "0"], "nothing changed")


def test_password_rules(env):
    t, f, token = pending(env)
    email = f["email"]
    cases = [
        ("", "", "empty"),
        ("x" * 257, None, "long"),
        ("é" * 129, None, "long"),                   # 258 bytes, 129 characters
        ("tab\tinside", None, "control"),
        ("1234567", None, "short"),
        ("ééééééé", None, "short"),                  # 14 bytes but 7 characters
        (email, None, "email"),
        (email.upper(), None, "email"),
        ("long enough", "long enough!", "mismatch"),
    ]
    for pw, conf, why in cases:
        r = post(env, token, pw, conf)
        assert_form(r, 400, "Zoë", email, token, why)
        check(why in ("empty", "email") or pw not in r.text, f"a password is echoed ({why})")
        eq(user_state(env, email), ["pendingNew", None, "0"], f"nothing changed ({why})")
    # a missing confirmation is a mismatch
    r = env.post_form(PATH, {"token": token, "password": "long enough"})
    assert_form(r, 400, "Zoë", email, token, "mismatch")
    # eight characters are enough, whatever their bytes; so are 256 bytes
    r = post(env, token, "ÅäÖüßéçñ")
    eq(r.status, 200, f"8 two-byte characters {r!r}")
    eq(crypt.crypt("ÅäÖüßéçñ", user_state(env, email)[1]), user_state(env, email)[1], "hash")
    t, f, token = pending(env)
    # 256 bytes that are not a pattern (a repeated phrase is "too simplistic" for cracklib)
    long_pw = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(4))
    eq(post(env, token, long_pw).status, 200, "256 bytes")


def test_concurrent_posts_spend_the_token_once(env):
    t, f, token = pending(env)
    results = {}

    def worker(i):
        results[i] = post(env, token, f"password number {i}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    winners = [i for i, r in results.items() if r.status == 200]
    eq(len(winners), 1, f"exactly one POST wins: {[r.status for r in results.values()]}")
    for i, r in results.items():
        if i != winners[0]:
            assert_state(r, "spent")
    h = user_state(env, f["email"])[1]
    eq(crypt.crypt(f"password number {winners[0]}", h), h, "the winner's password is set")


def test_other_set_password_links_of_the_user_stop_working(env):
    t, f, token = pending(env)
    second = str(uuid.uuid4())
    env.sql(f"INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) "
            f"SELECT id, 'set_password', {quote(hashlib.sha256(second.encode()).hexdigest())}, "
            f"NOW(6) + INTERVAL 1 DAY FROM users WHERE email = {quote(f['email'])}")
    assert_form(get(env, second), 200, "Zoë", f["email"], second)
    eq(post(env, token, "long enough pw").status, 200, "first link used")
    assert_state(get(env, second), "spent")


def test_hostile_values_are_escaped(env):
    u = uniq()
    t, f, token = pending(env, email=f"o'neil&co.{u}@example.com")
    name = "<img src=x onerror=alert(1)>\"'&amp;"
    env.sql(f"UPDATE users SET first_name = {quote(name)} WHERE email = {quote(f['email'])}")
    r = get(env, token)
    assert_form(r, 200, name, f["email"], token)
    check("<img" not in r.text and f"o&#39;neil&amp;co.{u}" in r.text, "escaped")
    r = post(env, token, "long enough pw")
    eq(r.status, 200, f"{r!r}")
    check(f"<strong>o&#39;neil&amp;co.{u}@example.com</strong>" in r.text, "escaped on success")


def invited_row(env, t, email, status):
    """A user written directly with full name 'Sam Kay', the given status, a set-password and
    a login token; returns (set-password token, login token)."""
    env.sql(f"INSERT INTO users (oid, tenant_id, email, full_name, status, origin) "
            f"SELECT {quote(uuid.uuid4().hex[:24])}, id, {quote(email)}, 'Sam Kay', "
            f"{quote(status)}, 'skedulo' FROM tenants WHERE oid = {quote(t['id'])}")
    token, login = str(uuid.uuid4()), str(uuid.uuid4())
    for tok, purpose in ((token, "set_password"), (login, "login")):
        env.sql(f"INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) "
                f"SELECT id, {quote(purpose)}, {quote(hashlib.sha256(tok.encode()).hexdigest())}, "
                f"NOW(6) + INTERVAL 1 DAY FROM users WHERE email = {quote(email)}")
    return token, login


def test_invitation_of_another_dialect_uses_the_same_page(env):
    """A Skedulo-style invitation: same token table and purpose, a user without a first name
    (the full name is used), a login token (purpose 'login') is not a set-password link."""
    t = env.new_tenant()
    email = f"sk.{uniq()}@example.com"
    token, login = invited_row(env, t, email, "pendingNew")
    assert_state(get(env, login), "unknown")
    assert_form(get(env, token), 200, "Sam Kay", email, token)
    eq(post(env, token, "invited and set").status, 200, "set")
    eq(env.sql_one(f"SELECT status FROM users WHERE email = {quote(email)}"), ["active"], "active")


def test_a_deactivated_account_gets_its_password_but_stays_inactive(env):
    """An administrator deactivated the invited user (Skedulo isActive false, ServicePower
    Activated false): the link still sets the password, but it does not undo the
    deactivation, and the page says so."""
    t = env.new_tenant()
    email = f"off.{uniq()}@example.com"
    token, _ = invited_row(env, t, email, "inactive")
    assert_form(get(env, token), 200, "Sam Kay", email, token)
    r = post(env, token, "password while off")
    eq(r.status, 200, f"status {r!r}")
    eq(r.text, page(r, "Your password is set",
                    f'<p role="status">The account <strong>{email}</strong> has its new '
                    f'password, but it is not active: you can sign in once your administrator '
                    f'activates it.</p>\n'), "success page of an inactive account")
    status, h, used = user_state(env, email)
    eq((status, used), ("inactive", "1"), "still inactive, token spent")
    eq(crypt.crypt("password while off", h), h, "the password is set")
    assert_state(get(env, token), "spent")


def test_wrong_method_answers_405(env):
    r = env.http("PUT", PATH, b"")
    eq(r.status, 405, f"{r!r}")
    eq(r.headers.get("allow"), "GET, POST", "Allow")


def test_token_never_reaches_the_logs(env):
    t, f, token = pending(env)
    get(env, token)
    post(env, token, "short")
    post(env, token, "long enough pw")
    logs = os.path.join(env.var, "log")
    for name in sorted(os.listdir(logs)):
        with open(os.path.join(logs, name), "rb") as fh:
            data = fh.read()
        check(token.encode() not in data, f"the token appears in {name}")
        check(b"long enough pw" not in data, f"the password appears in {name}")
    access = "lighttpd-access.log" if env.server == "lighttpd" else "apache-access.log"
    with open(os.path.join(logs, access), "rb") as fh:
        check(b'"GET /urac/join HTTP/1.1" 200' in fh.read(), "the page request is logged")
