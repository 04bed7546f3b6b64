"""mailtest.py: helpers shared by the mail and set-password tests: a private test mailbox fed by
fake_sendmail.py, `provctl mail deliver` pointed at it, parsing what arrived, and users created
through the real endpoints or directly in the database."""
import email
import email.header
import email.policy
import glob
import json
import os
import re
import shlex
import sys
import uuid

from harness import check, eq, quote

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fake_sendmail.py")


def uniq():
    return uuid.uuid4().hex[:10]


def new_mailbox(env):
    box = os.path.join(env.var, "mail", uniq())
    os.makedirs(box)
    return box


def command(box, *extra):
    """The mail.command that stores into box (extra: fake_sendmail options)."""
    words = [sys.executable, FAKE, "--dir", box, *extra, "-t", "-i"]
    return " ".join(shlex.quote(w) for w in words)


def deliver(env, cmd, *args, extra=None):
    """Runs provctl mail deliver with PROVISION_MAIL_COMMAND=cmd; returns (rc, out, err)."""
    e = {"PROVISION_MAIL_COMMAND": cmd}
    e.update(extra or {})
    return env.provctl("mail", "deliver", *args, env=e)


def deliver_json(env, cmd, *args, extra=None):
    rc, out, err = deliver(env, cmd, *args, "--json", extra=extra)
    eq(rc, 0, f"provctl mail deliver exit status (stderr {err.strip()!r})")
    return json.loads(out)


def raw_messages(box):
    """[(raw bytes, argv)] in arrival order."""
    out = []
    for path in sorted(glob.glob(os.path.join(box, "*.eml"))):
        with open(path, "rb") as f:
            raw = f.read()
        with open(path[:-4] + ".json") as f:
            argv = json.load(f)["argv"]
        out.append((raw, argv))
    return out


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def header_lines(raw):
    """The raw header section as a list of lines (continuations separate)."""
    head, sep, _ = raw.partition(b"\n\n")
    check(sep == b"\n\n", f"no blank line after the headers: {raw[:200]!r}")
    return head.split(b"\n")


def field_names(raw):
    """Names of the header fields, in order (continuation lines folded in)."""
    names = []
    for line in header_lines(raw):
        if line[:1] in (b" ", b"\t"):
            check(names, f"continuation line before any field: {line!r}")
            continue
        name, colon, _ = line.partition(b":")
        check(colon == b":", f"header line without a colon: {line!r}")
        names.append(name.decode("ascii"))
    return names


def address(raw, field):
    """(display name, address) of a From/To field, decoded strictly by RFC 2047 rules
    (email.header) rather than by the lenient modern parser, which rewrites names that hold
    specials such as ':'."""
    value = email.message_from_bytes(raw, policy=email.policy.compat32)[field]
    text = str(email.header.make_header(email.header.decode_header(value)))
    m = re.fullmatch(r"(?s)(.*?)\s*<([^<>]*)>", text)
    if m is None:
        return "", text.strip()
    return m.group(1), m.group(2)


def tenant_db_id(env, t):
    return env.sql_one(f"SELECT id FROM tenants WHERE oid = {quote(t['id'])}")[0]


def soajs_pending_user(env, t, **over):
    """A pendingNew user through SOAJS addUser; returns (fields, response data)."""
    u = uniq()
    f = {"username": "u_" + u, "firstName": "Zoë", "lastName": "Doe",
         "email": f"zoe.{u}@example.com"}
    f.update(over)
    r = env.post_json(f"/urac/admin/addUser?tId={t['id']}&tCode={t['code']}", f,
                      {"key": t["soajs"]["key"]})
    eq(r.status, 200, f"addUser {r!r}")
    body = r.json()
    check(body.get("result") is True and "token" in body.get("data", {}), f"addUser {body}")
    return f, body["data"]


def insert_mail(env, t, recipient, subject="Test subject", body="Test body\n", kind="pin",
                name=None, has_secret=0, request_id=None):
    """An outbox row written directly (for values no endpoint would accept); returns its id."""
    cols = "tenant_id, kind, recipient, recipient_name, subject, body, has_secret, request_id"
    vals = ", ".join([
        f"(SELECT id FROM tenants WHERE oid = {quote(t['id'])})", quote(kind), quote(recipient),
        "NULL" if name is None else quote(name), quote(subject), quote(body), str(has_secret),
        "NULL" if request_id is None else quote(request_id)])
    rows = env.sql(f"INSERT INTO mail_outbox ({cols}) VALUES ({vals}) $$ "
                   f"SELECT LAST_INSERT_ID()")
    return rows[-1][0]


def outbox_ids(box):
    """The outbox row of each message in box, in arrival order, as the deliverer told the mail
    command (PROVISION_OUTBOX_ID; the message itself never names it)."""
    out = []
    for path in sorted(glob.glob(os.path.join(box, "*.eml"))):
        with open(path[:-4] + ".json") as f:
            out.append(json.load(f).get("outbox_id"))
    return out


def message_for(box, outbox_id):
    """The one message in box that the deliverer sent for outbox row outbox_id."""
    found = [raw for (raw, _), row in zip(raw_messages(box), outbox_ids(box))
             if row == str(outbox_id)]
    eq(len(found), 1, f"messages for outbox row {outbox_id}")
    return found[0]
