"""Secrets (issue 7, docs/SECURITY.md): the passwords, tokens and pins this suite hands the
service (and those the service makes and mails) are found nowhere in clear text afterwards: not
in any log of the stack (the programs' log, the web server's access and error logs, MariaDB's
log), not in the outbox bodies once delivered, not in any column of any table. Run last of the
hardening files (the name sorts last), so its log scan also covers everything the HTTP suite and
the other hardening tests did on this stack with the literal passwords they use."""
import glob
import json
import os
import re
import subprocess
import sys

from harness import check, eq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
import hardening as H  # noqa: E402
import mailtest  # noqa: E402
import servicepower_util as spu  # noqa: E402


def _suite_literals():
    """Literal passwords the HTTP and hardening tests send as JSON or form values (8 characters
    or more, so that no ordinary word of a page or log matches by chance)."""
    found = set()
    pat = re.compile(r"""["'](?:password|Password|confirmation)["']\s*[:,]\s*["']"""
                     r"""([^"'\\{}\n]{8,})["']""")
    for path in glob.glob(os.path.join(HERE, "..", "http", "test_*.py")) + \
            glob.glob(os.path.join(HERE, "test_*.py")):
        with open(path, encoding="utf-8") as f:
            found.update(pat.findall(f.read()))
    # placeholders and field names, not secrets
    return {s for s in found if not s.startswith("{") and "password" not in s.lower()}


def _make_secrets(env):
    """Creates users through every dialect with secrets of our own, has the service make and
    mail its own (set-password tokens, pins, a new password), delivers the mail, and sets one
    password through the join page. Returns {what: clear value}."""
    t = H.full_tenant(env)
    u = H.uniq()
    s = {}
    s["soajs password"] = f"SoajsPw-{u}-x9"
    s["soajs pin"] = f"91{u[:4]}".translate(str.maketrans("abcdef", "123456"))
    r = H.soajs_add(env, t, {"username": f"sec{u}", "firstName": "S", "lastName": "E",
                             "email": f"sec.soajs.{u}@example.com", "status": "active",
                             "password": s["soajs password"],
                             "confirmation": s["soajs password"],
                             "pin": {"code": s["soajs pin"], "allowed": True}})
    check(r.json().get("result") is True, f"SOAJS user with password and pin: {r!r}")
    soajs_oid = r.json()["data"]["id"]
    r = H.soajs_add(env, t, {"username": f"secp{u}", "firstName": "S", "lastName": "P",
                             "email": f"sec.pending.{u}@example.com"})
    check(r.json().get("result") is True, f"SOAJS pending user: {r!r}")
    s["soajs answer token"] = r.json()["data"]["token"]
    s["xtracta password"] = f"XtPw-{u}-y7"
    r = H.xtracta_add(env, t, {"name": "S X", "email_address": f"sec.xt.{u}@example.com",
                               "password": s["xtracta password"], "token_expire": "3600"})
    eq(r.status, 200, f"Xtracta user {r!r}")
    m = re.search(rb"<token>([^<]+)</token>", r.body)
    check(m, f"Xtracta login token in {r.body!r}")
    s["xtracta login token"] = m.group(1).decode()
    r = H.sk_post(env, t, [{"email": f"sec.sk.{u}@example.com", "firstName": "S",
                            "lastName": "K", "sendInvitation": True}])
    eq(r.json()["result"]["inserted"], 1, f"Skedulo invited user {r!r}")
    s["servicepower password"] = f"SpPw-{u}-z5!"
    r = H.sp_post(env, t, [{"UserID": f"spsec{u}", "CUD": 1, "Email": f"sec.sp.{u}@example.com",
                            "Password": s["servicepower password"]},
                           {"UserID": f"spsecr{u}", "CUD": 1,
                            "Email": f"sec.spr.{u}@example.com", "ResetPassword": True}])
    eq(r.status, 200, f"ServicePower users {r!r}")
    r = H.invite(env, t["sub"], {"users": [{"user": {"id": soajs_oid},
                                            "pin": {"code": True, "allowed": True}}]})
    eq(r.status, 200, f"invite with a pin {r!r}")
    box = mailtest.new_mailbox(env)
    out = [mailtest.deliver_json(env, mailtest.command(box), "--tenant", x["id"])
           for x in (t, t["sub"])]
    msgs = [raw.decode("utf-8", "replace") for raw, _ in mailtest.raw_messages(box)]
    check(len(msgs) >= 4, f"the mail went out: {out} {len(msgs)} messages")
    tokens = [m for msg in msgs for m in re.findall(r"token=([A-Za-z0-9_-]{16,})", msg)]
    pins = [m for msg in msgs for m in re.findall(r"Your login pin is (\S+)\.", msg)]
    pws = [m for msg in msgs for m in re.findall(r"\n\n(\S+)\n\nPlease change it", msg)]
    check(len(tokens) >= 2 and pins and pws, f"mailed secrets found: {tokens} {pins} {pws}")
    for i, v in enumerate(tokens):
        s[f"mailed token {i}"] = v
    s["mailed pin"], s["mailed password"] = pins[0], pws[0]
    s["join password"] = f"JoinPw-{u}-w3"
    r = env.post_form(H.JOIN, {"token": tokens[0], "password": s["join password"],
                               "confirmation": s["join password"]})
    eq(r.status, 200, f"join page sets the password {r!r:.300}")
    s["tenant Skedulo token"] = t["skedulo"]["token"]
    s["tenant SOAJS key"] = t["soajs"]["key"]
    s["tenant Xtracta api_key"] = t["xtracta"]["api_key"]
    s["ServicePower JWT"] = spu.mint(t)
    return t, s


def _finder(secret):
    """A pattern finding the secret as a value of its own: not inside a longer word or number
    (a task id 12345678901 does not hold the password 12345678). A short secret (a 4-digit pin
    appears by chance in any log's sizes and times) counts only where something would carry
    it as a value: quoted, after '=' or ':', or in the pin mail's sentence."""
    e = re.escape(secret.encode())
    if len(secret) >= 8:
        return re.compile(rb"(?<![A-Za-z0-9])" + e + rb"(?![A-Za-z0-9])")
    return re.compile(rb"""(?:["'=:]\s*|pin is )""" + e + rb"""(?![A-Za-z0-9])""")


def _logs(env):
    text = {}
    for path in glob.glob(os.path.join(env.var, "log", "*")):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                text[os.path.basename(path)] = f.read()
    return text


def _database(env):
    """Every row of every table but the outbox (scanned apart), as mariadb-dump writes it."""
    p = subprocess.run(
        ["mariadb-dump", "--no-defaults", "--socket=" + env.socket, "-u", "provision",
         "--skip-lock-tables", "--single-transaction", "--no-create-info",
         "--skip-extended-insert", "--hex-blob", "--ignore-table=provision.mail_outbox",
         "provision"],
        env=dict(os.environ, MYSQL_PWD=env._db_password or ""), capture_output=True,
        timeout=120)
    check(p.returncode == 0, f"mariadb-dump: {p.stderr[-300:]!r}")
    return p.stdout


def test_no_clear_secret_in_logs_outbox_or_database(env):
    t, mine = _make_secrets(env)
    literals = _suite_literals()
    check(len(literals) >= 8, f"the suite's literal passwords found: {sorted(literals)}")
    secrets = dict(mine)
    for i, v in enumerate(sorted(literals)):
        secrets[f"suite literal {v[:3]}…"] = v
    # whatever mail is still pending (another test's tenant with no delivery) keeps its secret
    # until sent, by design (MAIL.md): the outbox is scanned without those rows; every
    # delivered row that held a secret must have been blanked
    pending = env.sql("SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending'")[0][0]
    eq(env.sql(f"SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending' AND tenant_id IN "
               f"({t['db_id']}, {t['sub']['db_id']})")[0][0], "0", "our mail all delivered")
    sent_bodies = env.sql("SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent' AND "
                          "has_secret = 1 AND body <> ''")[0][0]
    eq(sent_bodies, "0", "every delivered outbox body that held a secret is blanked")
    logs = _logs(env)
    dump = _database(env) + "\n".join(
        "\t".join(c or "" for c in row) for row in H.session(env).query(
            "SELECT * FROM mail_outbox WHERE status <> 'pending'")).encode()
    found = []
    for what, v in secrets.items():
        rx, b = _finder(v), v.encode()
        # the plain search first (fast); the pattern only where the bytes occur at all
        for name, data in logs.items():
            if b in data and rx.search(data):
                found.append(f"{what} in log/{name}")
        if b in dump and rx.search(dump):
            found.append(f"{what} in the database")
    H.figures(env, "secrets", secrets_checked=len(secrets), own=len(mine),
              suite_literals=len(literals), logs_scanned=sorted(logs),
              log_bytes=sum(len(v) for v in logs.values()), database_bytes=len(dump),
              pending_mail_left_out=int(pending), found=len(found))
    check(not found, "clear-text secrets found:\n  " + "\n  ".join(found))
