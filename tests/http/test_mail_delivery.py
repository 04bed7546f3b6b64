"""Outbox delivery (docs/CONTRACT.md section 8, issue 5): `provctl mail deliver` pipes RFC 5322
messages to a sendmail-compatible command (tests/http/fake_sendmail.py), marks rows sent, retries
with exponential backoff, dead-letters after mail.max_attempts, blanks bodies holding credentials,
never sends a row twice with two deliverers at once, and delivers a request's mail right after its
response with mail.after_response = 1."""
import json
import os
import re
import subprocess
import sys
import time

from harness import check, eq, quote
from mailtest import (address, command, deliver, deliver_json, field_names, header_lines,
                      insert_mail, message_for, new_mailbox, outbox_ids, parse, raw_messages,
                      soajs_pending_user, tenant_db_id, uniq)

FIELDS = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
          "Content-Transfer-Encoding", "Auto-Submitted"]


def outbox_row(env, oid):
    return env.sql_one(f"SELECT status, attempts, last_error, sent_at IS NOT NULL, "
                       f"LENGTH(body), has_secret FROM mail_outbox WHERE id = {oid}")


def test_set_password_mail_delivered_exactly(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    f, data = soajs_pending_user(env, t)
    oid, rid, expires = env.sql_one(
        f"SELECT m.id, m.request_id, DATE_FORMAT(k.expires_at, '%Y-%m-%d %H:%i UTC') "
        f"FROM mail_outbox m JOIN users u ON u.id = m.user_id "
        f"JOIN user_tokens k ON k.user_id = u.id WHERE u.oid = {quote(data['id'])}")
    check(re.fullmatch(r"[0-9a-f]{16}", rid or ""), f"the row names its request: {rid!r}")
    eq(deliver_json(env, command(box), "--tenant", t["id"]), {"sent": 1, "retried": 0, "dead": 0},
       "deliver summary")
    msgs = raw_messages(box)
    eq(len(msgs), 1, "messages in the mailbox")
    raw, argv = msgs[0]
    eq(argv, ["-t", "-i"], "sendmail arguments")
    eq(field_names(raw), FIELDS, "header fields")
    for line in header_lines(raw):
        check(len(line) <= 78 and all(32 <= b < 127 for b in line),
              f"header line not short printable ASCII: {line!r}")
    m = parse(raw)
    eq(str(m["From"]), f"{t['name']} <provision@localhost.localdomain>", "From")
    eq(m["To"].addresses[0].display_name, "Zoë", "To display name")
    eq(m["To"].addresses[0].addr_spec, f["email"], "To address")
    eq(len(m["To"].addresses), 1, "one recipient")
    eq(str(m["Subject"]), "Set your password", "Subject")
    # random alone: the outbox row (a sequence every tenant shares) is told to the command in
    # its environment, never written into the message
    check(re.fullmatch(r"<m\.[0-9a-f]{32}@localhost\.localdomain>", m["Message-ID"]),
          f"Message-ID {m['Message-ID']}")
    eq(outbox_ids(box), [str(oid)], "the command was told the outbox row")
    check(re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000",
                       m["Date"]), f"Date {m['Date']}")
    eq(m.get_content_type(), "text/plain", "content type")
    eq(m.get_content_charset(), "utf-8", "charset")
    eq(m["Content-Transfer-Encoding"], "8bit", "plain UTF-8 text travels as it is")
    eq(m["Auto-Submitted"], "auto-generated", "Auto-Submitted")
    link = f"{env.base_url}/urac/join?token={data['token']}"
    body = (f"Hello Zoë,\n\nAn account has been created for you. Set your password here:\n\n"
            f"{link}\n\nThe link can be used once and expires {expires}.\n")
    eq(m.get_content(), body, "body")
    eq(raw.partition(b"\n\n")[2], body.encode(), "raw body, the link on one line")
    # sent, and the link (a credential) no longer stored in clear
    eq(outbox_row(env, oid), ["sent", "1", None, "1", "0", "1"], "outbox row after sending")
    # nothing left to send
    eq(deliver_json(env, command(box), "--tenant", t["id"]), {"sent": 0, "retried": 0, "dead": 0},
       "second run")
    eq(len(raw_messages(box)), 1, "still one message")


def test_plain_summary_and_limit(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    ids = [insert_mail(env, t, f"limit{i}.{uniq()}@example.com") for i in range(3)]
    rc, out, err = deliver(env, command(box), "--tenant", t["id"], "--limit", "2")
    eq((rc, out), (0, "mail: 2 sent, 0 to retry, 0 dead\n"), f"limited run ({err})")
    eq(env.sql(f"SELECT status FROM mail_outbox WHERE id IN ({','.join(ids)}) ORDER BY id"),
       [["sent"], ["sent"], ["pending"]], "the oldest two went first")


def test_retries_with_backoff_then_dead(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    oid = insert_mail(env, t, f"retry.{uniq()}@example.com", body="pin 4711\n", has_secret=1)
    cmd = command(box, "--exit", "75", "--say", "queue file write error")
    extra = {"PROVISION_MAIL_MAX_ATTEMPTS": "3", "PROVISION_MAIL_BACKOFF_SECONDS": "60"}
    reason = f"{sys.executable[:60]} exited with status 75: queue file write error"
    for attempt, delay in ((1, 60), (2, 120)):
        eq(deliver_json(env, cmd, "--tenant", t["id"], extra=extra),
           {"sent": 0, "retried": 1, "dead": 0}, f"attempt {attempt}")
        row = env.sql_one(f"SELECT status, attempts, last_error, "
                          f"TIMESTAMPDIFF(SECOND, NOW(6), next_attempt_at), LENGTH(body) "
                          f"FROM mail_outbox WHERE id = {oid}")
        eq(row[:3], ["pending", str(attempt), reason], f"row after attempt {attempt}")
        check(delay - 5 <= int(row[3]) <= delay, f"backoff {delay}s, got {row[3]}s")
        eq(row[4], "9", "the body is kept while the mail may still be sent")
        # not due yet: a run now leaves it alone
        eq(deliver_json(env, cmd, "--tenant", t["id"], extra=extra),
           {"sent": 0, "retried": 0, "dead": 0}, "not due yet")
        env.sql(f"UPDATE mail_outbox SET next_attempt_at = NOW(6) WHERE id = {oid}")
    eq(deliver_json(env, cmd, "--tenant", t["id"], extra=extra),
       {"sent": 0, "retried": 0, "dead": 1}, "third attempt gives up")
    eq(outbox_row(env, oid), ["dead", "3", reason, "0", "0", "1"],
       "dead row keeps the reason, not the pin")
    eq(raw_messages(box), [], "nothing was stored by the failing command")
    env.sql(f"UPDATE mail_outbox SET next_attempt_at = NOW(6) WHERE id = {oid}")
    eq(deliver_json(env, command(box), "--tenant", t["id"]), {"sent": 0, "retried": 0, "dead": 0},
       "a dead mail is never retried")


def test_backoff_is_capped(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    oid = insert_mail(env, t, f"cap.{uniq()}@example.com")
    env.sql(f"UPDATE mail_outbox SET attempts = 20 WHERE id = {oid}")
    extra = {"PROVISION_MAIL_MAX_ATTEMPTS": "100", "PROVISION_MAIL_BACKOFF_MAX_SECONDS": "3600"}
    deliver_json(env, command(box, "--exit", "1"), "--tenant", t["id"], extra=extra)
    d = int(env.sql_one(f"SELECT TIMESTAMPDIFF(SECOND, NOW(6), next_attempt_at) FROM mail_outbox "
                        f"WHERE id = {oid}")[0])
    check(3590 <= d <= 3600, f"delay capped at mail.backoff_max_seconds, got {d}")


def test_temporary_failure_then_success(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    oid = insert_mail(env, t, f"later.{uniq()}@example.com")
    cmd = command(box, "--exit", "75", "--fail-times", "1")
    eq(deliver_json(env, cmd, "--tenant", t["id"]), {"sent": 0, "retried": 1, "dead": 0}, "first")
    env.sql(f"UPDATE mail_outbox SET next_attempt_at = NOW(6) WHERE id = {oid}")
    eq(deliver_json(env, cmd, "--tenant", t["id"]), {"sent": 1, "retried": 0, "dead": 0}, "second")
    eq(outbox_row(env, oid)[:4], ["sent", "2", None, "1"], "sent on the second attempt")
    message_for(box, oid)


def test_permanent_failure_is_dead_at_once(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    oid = insert_mail(env, t, f"nouser.{uniq()}@example.com")
    eq(deliver_json(env, command(box, "--exit", "67", "--say", "user unknown"), "--tenant",
                    t["id"]), {"sent": 0, "retried": 0, "dead": 1}, "EX_NOUSER")
    row = outbox_row(env, oid)
    eq(row[:2], ["dead", "1"], "dead after one attempt")
    check(row[2].endswith("exited with status 67: user unknown"), f"reason {row[2]!r}")


def test_unusable_command_is_retried_with_reason(env):
    t = env.new_tenant()
    oid = insert_mail(env, t, f"nocmd.{uniq()}@example.com")
    eq(deliver_json(env, "/nonexistent/sendmail -t -i", "--tenant", t["id"]),
       {"sent": 0, "retried": 1, "dead": 0}, "missing program")
    eq(outbox_row(env, oid)[:3],
       ["pending", "1", "cannot execute /nonexistent/sendmail: No such file or directory"],
       "reason")
    env.sql(f"UPDATE mail_outbox SET next_attempt_at = NOW(6) WHERE id = {oid}")
    deliver_json(env, "'/usr/sbin/sendmail -t", "--tenant", t["id"])
    eq(outbox_row(env, oid)[:3], ["pending", "2", "the mail command cannot be parsed"],
       "unterminated quote")


def test_command_is_not_run_by_a_shell(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    marker = os.path.join(box, "shell-was-here")
    oid = insert_mail(env, t, f"noshell.{uniq()}@example.com")
    cmd = command(box) + f" ; touch {marker} $(touch {marker}) `touch {marker}`"
    eq(deliver_json(env, cmd, "--tenant", t["id"]), {"sent": 1, "retried": 0, "dead": 0}, "sent")
    raw, argv = raw_messages(box)[0]
    eq(argv, ["-t", "-i", ";", "touch", marker, f"$(touch", f"{marker})", f"`touch",
              f"{marker}`"], "shell syntax reaches the program as plain words")
    check(not os.path.exists(marker), "no shell ran")
    message_for(box, oid)


def test_timeout_kills_the_command(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    oid = insert_mail(env, t, f"slow.{uniq()}@example.com")
    t0 = time.time()
    eq(deliver_json(env, command(box, "--sleep", "20"), "--tenant", t["id"],
                    extra={"PROVISION_MAIL_TIMEOUT_SECONDS": "1"}),
       {"sent": 0, "retried": 1, "dead": 0}, "timed out")
    check(time.time() - t0 < 10, "the command was killed after the time limit")
    check(outbox_row(env, oid)[2].endswith(" timed out and was killed"),
          f"reason {outbox_row(env, oid)[2]!r}")
    eq(raw_messages(box), [], "nothing stored")


def test_invalid_addresses(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    bad_to = insert_mail(env, t, "victim@example.com\r\nBcc: evil@example.net")
    eq(deliver_json(env, command(box), "--tenant", t["id"]), {"sent": 0, "retried": 0, "dead": 1},
       "bad recipient")
    eq(outbox_row(env, bad_to)[:3], ["dead", "1", "invalid recipient address"], "dead at once")
    # a sender that is not a plain address: a configuration problem, retried
    env.sql(f"UPDATE tenants SET mail_from = 'a@example.com>\\r\\nBcc: b@example.net' "
            f"WHERE oid = {quote(t['id'])}")
    oid = insert_mail(env, t, f"ok.{uniq()}@example.com")
    eq(deliver_json(env, command(box), "--tenant", t["id"]), {"sent": 0, "retried": 1, "dead": 0},
       "bad sender")
    eq(outbox_row(env, oid)[:3],
       ["pending", "1", "no valid sender address (tenant mail_from or mail.from)"], "reason")
    eq(raw_messages(box), [], "nothing was sent")


def test_hostile_names_never_create_or_alter_headers(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    env.sql(f"UPDATE tenants SET name = 'Acme\\r\\nBcc: tenant@evil.example\\r\\nX-Evil: 1' "
            f"WHERE oid = {quote(t['id'])}")
    inject = "\r\nBcc: hidden@evil.example\r\nX-Injected: yes\r\n\r\nbody?"
    long_name = "\U0001F600" * 255                      # 255 characters, 1020 bytes
    cases = [
        # (recipient name, subject)
        ("Mallory" + inject, "Hello" + inject),
        ("Ünïcödé, \"quoted\" <angle> =?UTF-8?B?SGk=?=", "Grüße =?ISO-8859-1?Q?x?= \u2028 line"),
        (long_name, "Ж" * 255),
        ("\x01\x02\x7f\u0085 C0, DEL and C1", "tab\there and \x1b[31mred"),
    ]
    ids = [insert_mail(env, t, f"hostile{i}.{uniq()}@example.com", subject=s, name=n)
           for i, (n, s) in enumerate(cases)]
    # and through the real endpoint: a long non-ASCII first name (the API refuses CR/LF)
    f, data = soajs_pending_user(env, t, firstName="Ř" * 200 + " \"x\" <y>,z")
    api_id = env.sql_one(f"SELECT m.id FROM mail_outbox m JOIN users u ON u.id = m.user_id "
                         f"WHERE u.oid = {quote(data['id'])}")[0]
    eq(deliver_json(env, command(box), "--tenant", t["id"]),
       {"sent": len(cases) + 1, "retried": 0, "dead": 0}, "all sent")
    expected = [(n, s) for n, s in cases] + [(f["firstName"], "Set your password")]
    for oid, (name, subject) in zip(ids + [api_id], expected):
        raw = message_for(box, oid)
        eq(field_names(raw), FIELDS, f"header fields of mail {oid}")
        for line in header_lines(raw):
            check(len(line) <= 78 and all(32 <= b < 127 for b in line),
                  f"header line of mail {oid} not short printable ASCII: {line!r}")
            check(not re.match(rb"(?i)(bcc|x-evil|x-injected)\s*:", line),
                  f"injected header in mail {oid}: {line!r}")
        m = parse(raw)
        eq(len(m["To"].addresses), 1, f"one recipient in mail {oid}")
        eq(m["Bcc"], None, "no Bcc")
        clean = lambda s: re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", s).strip(" ")  # noqa
        eq(address(raw, "To"), (clean(name), m["To"].addresses[0].addr_spec),
           f"display name of mail {oid}")
        check(m["To"].addresses[0].addr_spec.startswith(("hostile", "zoe.")), "recipient")
        eq(str(m["Subject"]), clean(subject), f"subject of mail {oid}")
        eq(address(raw, "From"), ("Acme  Bcc: tenant@evil.example  X-Evil: 1",
                                  "provision@localhost.localdomain"),
           "tenant name as one display name")
    raw, argv = raw_messages(box)[0]
    eq(argv, ["-t", "-i"], "no extra recipient on the command line")


def test_body_cannot_become_headers(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    body = "line1\r\n.\r\nBcc: body@evil.example\r\n\r\nFrom here\n" + "w" * 2000
    oid = insert_mail(env, t, f"body.{uniq()}@example.com", body=body)
    deliver_json(env, command(box), "--tenant", t["id"])
    raw = message_for(box, oid)
    eq(field_names(raw), FIELDS, "header fields")
    m = parse(raw)
    eq(m["Content-Transfer-Encoding"], "quoted-printable", "a body with CR, a dot line, a "
       "From line or long lines is encoded")
    eq(m.get_content(), "line1\n.\nBcc: body@evil.example\n\nFrom here\n" + "w" * 2000 + "\n",
       "decoded body")
    check(all(len(x) <= 76 for x in raw.partition(b"\n\n")[2].split(b"\n")), "short lines")


def test_secret_bodies_blanked_only_once_sent(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    secret = insert_mail(env, t, f"pin.{uniq()}@example.com", body="Your pin is 90210.\n",
                         has_secret=1)
    plain = insert_mail(env, t, f"plain.{uniq()}@example.com", body="Nothing secret.\n",
                        has_secret=0)
    eq(env.sql_one(f"SELECT body = {quote('Your pin is 90210.' + chr(10))} FROM mail_outbox "
                   f"WHERE id = {secret}"), ["1"], "kept until sent")
    deliver_json(env, command(box), "--tenant", t["id"])
    eq(parse(message_for(box, secret)).get_content(), "Your pin is 90210.\n", "pin delivered")
    eq(env.sql_one(f"SELECT body, status FROM mail_outbox WHERE id = {secret}"), ["", "sent"],
       "blanked once sent")
    eq(env.sql_one(f"SELECT body = {quote('Nothing secret.' + chr(10))} FROM mail_outbox "
                   f"WHERE id = {plain}"), ["1"], "a body without a secret is kept")


def test_two_concurrent_deliverers_never_send_twice(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    n = 24
    ids = [insert_mail(env, t, f"race{i}.{uniq()}@example.com") for i in range(n)]
    cmd = command(box, "--sleep", "0.1")
    procs = [subprocess.Popen([os.path.join(env.bin, "provctl"), "mail", "deliver", "--tenant",
                               t["id"], "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=dict(os.environ, PROVISION_CONF=env.conf,
                                       PROVISION_MAIL_COMMAND=cmd), text=True)
             for _ in range(2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        eq(p.returncode, 0, f"deliverer exit status ({err.strip()})")
        results.append(json.loads(out))
    eq(sum(r["sent"] for r in results), n, f"all sent once between them: {results}")
    check(all(r["sent"] > 0 for r in results), f"both deliverers worked: {results}")
    seen = outbox_ids(box)
    eq(sorted(seen, key=int), sorted(ids, key=int), "each row delivered exactly once")
    eq(len({parse(raw)["Message-ID"] for raw, _ in raw_messages(box)}), n,
       "a Message-ID of its own for each message")
    eq(env.sql(f"SELECT DISTINCT status, attempts FROM mail_outbox WHERE id IN ({','.join(ids)})"),
       [["sent", "1"]], "every row sent on its first attempt")


def test_after_response_delivers_the_request_mail(env):
    """mail.after_response = 1: the add_user executable (plain CGI here, so that the setting
    can be given per run) delivers the mail its request queued once the response is out, and
    only that request's mail."""
    t = env.new_tenant()
    box = new_mailbox(env)
    other = insert_mail(env, t, f"other.{uniq()}@example.com", request_id="0123456789abcdef")
    u = uniq()
    body = (f'{{"username":"u_{u}","firstName":"Ann","lastName":"Lee",'
            f'"email":"ann.{u}@example.com"}}').encode()
    r = env.cgi("add_user", "POST", "/urac/admin/addUser", body,
                {"Content-Type": "application/json", "key": t["soajs"]["key"]},
                query=f"tId={t['id']}&tCode={t['code']}",
                env={"PROVISION_MAIL_AFTER_RESPONSE": "1", "PROVISION_MAIL_COMMAND": command(box)})
    eq(r.status, 200, f"addUser {r!r}")
    row = env.sql_one(f"SELECT m.id, m.status, m.request_id FROM mail_outbox m JOIN users u "
                      f"ON u.id = m.user_id WHERE u.email = 'ann.{u}@example.com'")
    eq(row[1:], ["sent", r.headers["x-request-id"]], "sent by the request that queued it")
    m = parse(message_for(box, row[0]))
    check(r.json()["data"]["token"] in m.get_content(), "the mail carries the response's token")
    eq(len(raw_messages(box)), 1, "only this request's mail")
    eq(outbox_row(env, other)[0], "pending", "another request's mail is left to the deliverer")
    # without the setting nothing is sent by the request
    body = body.replace(b"ann.", b"bob.").replace(b'"u_', b'"v_')
    r = env.cgi("add_user", "POST", "/urac/admin/addUser", body,
                {"Content-Type": "application/json", "key": t["soajs"]["key"]},
                query=f"tId={t['id']}&tCode={t['code']}",
                env={"PROVISION_MAIL_COMMAND": command(box)})
    eq(r.status, 200, f"addUser {r!r}")
    eq(len(raw_messages(box)), 1, "mail.after_response = 0 leaves mail to the deliverer")


def test_xtracta_user_without_password_gets_one_mail(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    email = f"x.{uniq()}@xtracta.example.com"
    r = env.post_form("/v1/user/add", {"api_key": t["xtracta"]["api_key"], "name": "Jürgen",
                                       "email_address": email})
    eq(r.status, 200, f"xtracta add {r!r}")
    deliver_json(env, command(box), "--tenant", t["id"])
    msgs = [parse(raw) for raw, _ in raw_messages(box)]
    eq([m["To"].addresses[0].addr_spec for m in msgs], [email], "one mail to the user")
    eq(msgs[0]["To"].addresses[0].display_name, "Jürgen", "name")
    check(re.search(r"/urac/join\?token=[0-9a-f-]{36}\n", msgs[0].get_content()),
          "set-password link")


def test_per_tenant_sender_and_base_url(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    rc, out, err = env.provctl("tenant", "mail", "--tenant", t["id"], "--base-url",
                               "https://accounts.acme.example/portal", "--from",
                               "welcome@acme.example")
    eq(rc, 0, f"tenant mail ({err})")
    f, data = soajs_pending_user(env, t)
    deliver_json(env, command(box), "--tenant", t["id"])
    raw = raw_messages(box)[0][0]
    eq(address(raw, "From"), (t["name"], "welcome@acme.example"), "the tenant's sender")
    check(re.fullmatch(r"<m\.[0-9a-f]{32}@acme\.example>", parse(raw)["Message-ID"]),
          "Message-ID in the sender's domain")
    check(f"\nhttps://accounts.acme.example/portal/urac/join?token={data['token']}\n"
          in parse(raw).get_content(), "the tenant's base URL")


def test_tenant_template_override(env):
    t = env.new_tenant()
    box = new_mailbox(env)
    rc, out, err = env.provctl("mail", "template", "--tenant", t["id"], "--kind", "set_password",
                               "--subject", "Welcome to {{tenant}}, {{name}}", "--body-file", "-",
                               "--json", stdin="Hi {{name}} <{{email}}>: {{link}} {{unknown}}\n")
    eq(rc, 0, f"template set ({err})")
    shown = json.loads(out)
    eq(shown, {"tenant": t["id"], "kind": "set_password",
               "subject": "Welcome to {{tenant}}, {{name}}",
               "body": "Hi {{name}} <{{email}}>: {{link}} {{unknown}}\n",
               "subjectOverridden": True, "bodyOverridden": True}, "template shown")
    f, data = soajs_pending_user(env, t, firstName="Eve")
    deliver_json(env, command(box), "--tenant", t["id"])
    m = parse(raw_messages(box)[0][0])
    eq(str(m["Subject"]), f"Welcome to {t['name']}, Eve", "subject from the override")
    eq(m.get_content(), f"Hi Eve <{f['email']}>: {env.base_url}/urac/join?token="
                        f"{data['token']} {{{{unknown}}}}\n", "body from the override")
    # another tenant keeps the built-in text
    t2 = env.new_tenant()
    soajs_pending_user(env, t2)
    deliver_json(env, command(box), "--tenant", t2["id"])
    eq(str(parse(raw_messages(box)[1][0])["Subject"]), "Set your password", "built-in subject")
    # reset
    rc, out, err = env.provctl("mail", "template", "--tenant", t["id"], "--kind", "set_password",
                               "--reset", "--json")
    eq(rc, 0, err)
    eq(json.loads(out)["subjectOverridden"], False, "reset")


def test_provctl_mail_bad_arguments(env):
    t = env.new_tenant()
    cases = [
        (("mail",), "provctl: mail needs a subcommand: deliver or template\n"),
        (("mail", "send"), "provctl: unknown mail subcommand 'send' (deliver or template)\n"),
        (("mail", "deliver", "--limit", "0"), "provctl: invalid --limit '0' (a number from 1)\n"),
        (("mail", "deliver", "--limit", "5x"), "provctl: invalid --limit '5x' (a number from 1)\n"),
        (("mail", "deliver", "--tenant", "nope"),
         "provctl: invalid tenant id 'nope' (24 hex digits expected)\n"),
        (("mail", "deliver", "--bogus"),
         "provctl: unknown argument '--bogus' (see provctl --help)\n"),
        (("mail", "template", "--tenant", t["id"], "--kind", "fax"),
         "provctl: invalid --kind 'fax' (set_password, invitation, pin or password)\n"),
        (("mail", "template", "--tenant", t["id"], "--kind", "pin", "--reset", "--subject", "x"),
         "provctl: --reset cannot be combined with --subject or --body-file\n"),
        (("mail", "template", "--tenant", t["id"], "--kind", "pin", "--subject", "a\nb"),
         "provctl: invalid --subject (1..200 bytes of UTF-8 text on one line)\n"),
    ]
    for args, msg in cases:
        rc, out, err = env.provctl(*args)
        eq((rc, out, err), (2, "", msg), f"provctl {' '.join(args)}")
    rc, out, err = env.provctl("mail", "template", "--tenant", t["id"], "--kind", "pin",
                               "--body-file", "-", stdin="Your pin is secret.\n")
    eq((rc, err), (2, "provctl: the body of a pin mail must contain {{pin}}\n"), "key placeholder")
    eq(env.sql(f"SELECT COUNT(*) FROM mail_templates WHERE tenant_id = {tenant_db_id(env, t)}"),
       [["0"]], "nothing changed")
