"""Nothing is committed that cannot be answered (issue 13, point 6; docs/SECURITY.md,
"Hardening II: answers and ids"). An Xtracta name or password holding U+FFFE or U+FFFF used to
store the user and then fail the XML writer: HTTP 500 with an empty body, and a retry got 409.
Every field an answer echoes is now refused, in the dialect's own format and before anything
is stored, when it holds a code point that answer cannot carry (XML 1.0's Char production for
Xtracta; C0 controls in every dialect), and a clean retry then succeeds. The answers of the
single-user creates are built before the commit, and every error answer is well-formed
whatever the request quoted in it."""
import json
import os
import subprocess
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET

from harness import check, eq, quote
import servicepower_util as spu

XTRACTA = "/v1/user/add"
SK = "/onboarding/provision/standalone/users"
SP = "/seiapi/v3/bulk/Users"
INVITE = "/urac/admin/users/invite"
XSD = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "xtracta", "user_response.xsd")

# code points no XML 1.0 document can carry, and C0 controls (refused wherever echoed)
NOT_XML = {"U+FFFE": "\ufffe", "U+FFFF": "\uffff"}
C0 = {"U+0001": "\x01", "U+0008": "\x08", "U+000B": "\x0b", "U+001B": "\x1b", "U+001F": "\x1f",
      "TAB": "\t", "LF": "\n", "CR": "\r"}


def uniq():
    return uuid.uuid4().hex[:10]


def tenant_id(env, t):
    return env.sql_one(f"SELECT id FROM tenants WHERE oid = {quote(t['id'])}")[0]


def stored(env, t, email):
    """(users, mails) of tenant t for this email: what a refused request must not leave."""
    tid = tenant_id(env, t)
    return tuple(int(x) for x in env.sql_one(
        f"SELECT (SELECT COUNT(*) FROM users WHERE tenant_id = {tid} AND "
        f"email_norm = LOWER({quote(email)})), (SELECT COUNT(*) FROM mail_outbox WHERE "
        f"tenant_id = {tid} AND recipient = {quote(email)})"))


def validate_xsd(body):
    with tempfile.NamedTemporaryFile("wb", suffix=".xml", delete=False) as tmp:
        tmp.write(body)
    try:
        p = subprocess.run(["xmllint", "--noout", "--schema", XSD, tmp.name],
                           capture_output=True, text=True)
        check(p.returncode == 0, f"not valid against the XSD: {p.stderr.strip()} {body[:300]!r}")
    finally:
        os.unlink(tmp.name)


def xml_answer(r, status):
    """The root of an Xtracta answer: the status, XML headers, <status> equal, XSD-valid."""
    eq(r.status, status, f"HTTP status {r!r}")
    eq(r.headers.get("content-type"), "application/xml; charset=utf-8", f"Content-Type {r!r}")
    root = ET.fromstring(r.body)
    eq(root.tag, "user_response", "root element")
    eq(root.findtext("status"), str(status), "<status> equals the HTTP status")
    validate_xsd(r.body)
    return root


def strict_json(r):
    """The answer's JSON, read strictly: UTF-8, and no raw control character in a string."""
    text = r.body.decode("utf-8")   # raises on anything but UTF-8
    return json.loads(text)


def multipart(fields, boundary="echoBoundary13"):
    out = b""
    for k, v in fields.items():
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                .encode() + v.encode() + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", out + f"--{boundary}--\r\n".encode()


def xtracta_post(env, fields, encoding):
    if encoding == "form":
        return env.post_form(XTRACTA, fields)
    ct, body = multipart(fields)
    return env.http("POST", XTRACTA, body, {}, ct)


def _bad_value(field, ch, u):
    if field == "email_address":
        return f"jo{ch}hn.{u}@xtracta.com"
    if field == "password":
        return f"1234{ch}5678"
    return f"Jo{ch}hn"


def test_xtracta_unencodable_echoed_field_refused_nothing_stored_retry_succeeds(env):
    t = env.new_tenant()
    cases = 0
    for field in ("name", "email_address", "password"):
        for label, ch in {**NOT_XML, **C0}.items():
            for encoding in ("form", "multipart"):
                u = uniq()
                clean = {"api_key": t["xtracta"]["api_key"], "name": "John",
                         "email_address": f"john.{u}@xtracta.com", "password": "12345678"}
                bad = dict(clean, **{field: _bad_value(field, ch, u)})
                where = f"{field} with {label} ({encoding})"
                root = xml_answer(xtracta_post(env, bad, encoding), 400)
                eq(root.findtext("message"), f"Invalid value for parameter: {field}", where)
                eq(stored(env, t, clean["email_address"]), (0, 0), f"{where}: nothing stored")
                eq(stored(env, t, bad["email_address"]), (0, 0), f"{where}: nothing stored")
                # the same user, the field clean: answered and stored once
                r = xtracta_post(env, clean, encoding)
                root = xml_answer(r, 200)
                user = root.find("user")
                eq((user.findtext("name"), user.findtext("email_address"),
                    user.findtext("password")), ("John", clean["email_address"], "12345678"),
                   f"{where}: the clean retry's answer")
                eq(stored(env, t, clean["email_address"]), (1, 0), f"{where}: stored once")
                cases += 1
    print(f"    figures {json.dumps({'xtracta_unencodable_cases': cases})}")


def test_xtracta_unencodable_name_with_login_token_or_invitation(env):
    """The same refusal on the paths that store more (a login token and its QR code; a
    set-password token and its mail, without a password)."""
    t = env.new_tenant()
    rc, _, err = env.provctl("tenant", "mail", "--tenant", t["id"], "--base-url",
                             "https://accounts.example.test", "--from", "hr@example.test")
    eq(rc, 0, f"tenant mail: {err}")
    for extra in ({"token_expire": "600"}, {}):
        for ch in ("\ufffe", "\uffff", "\x01"):
            email = f"jo.{uniq()}@xtracta.com"
            f = {"api_key": t["xtracta"]["api_key"], "name": f"Jo{ch}", "email_address": email}
            f.update(extra)
            root = xml_answer(env.post_form(XTRACTA, f), 400)
            eq(root.findtext("message"), "Invalid value for parameter: name", f"{extra} {ch!r}")
            eq(stored(env, t, email), (0, 0), f"{extra} {ch!r}: nothing stored")
            f["name"] = "Jo"
            user = xml_answer(env.post_form(XTRACTA, f), 200).find("user")
            eq(user.findtext("name"), "Jo", "clean retry")
            if extra:
                check(user.findtext("qrcode", "").startswith("data:image/png;base64,"),
                      "the login token's QR code")
            # no password: pending, with its set-password mail
            eq(stored(env, t, email), (1, 1), f"{extra}: stored once, with its mail")


def test_xtracta_errors_quoting_the_request_are_well_formed(env):
    """Error messages that quote the request (a form field's name, a Content-Type) are written
    whatever they hold: control characters and bytes that are not UTF-8 become U+FFFD."""
    r = env.http("POST", XTRACTA, b"na%01me%EF%BF%BE=%00", {},
                 "application/x-www-form-urlencoded")
    root = xml_answer(r, 400)
    eq(root.findtext("message"), "NUL byte in form field 'na\ufffdme\ufffd'", "the message")
    head = (f"POST {XTRACTA} HTTP/1.1\r\nHost: {env.host}\r\nContent-Length: 3\r\n"
            f"Connection: close\r\n").encode()
    r = env.raw(head + b"Content-Type: text/\xff\xfex\r\n\r\na=b")
    root = xml_answer(r, 415)
    eq(root.findtext("message"), "Unsupported Content-Type: text/\ufffd\ufffdx", "the message")


def test_json_answers_are_utf8_whatever_the_request_quoted(env):
    """The JSON dialects' answers are UTF-8 (RFC 8259) even when the message quotes a header
    that is not: its bytes become U+FFFD."""
    for path in ("/urac/admin/addUser", SK, SP, INVITE):
        method = "PUT" if path == INVITE else "POST"
        head = (f"{method} {path} HTTP/1.1\r\nHost: {env.host}\r\nContent-Length: 3\r\n"
                f"Connection: close\r\nContent-Type: text/\xff\xfe\r\n\r\na=b").encode("latin-1")
        r = env.raw(head)
        check(r.status in (400, 401, 415), f"{path}: {r!r}")
        body = strict_json(r)
        check("\ufffd" in json.dumps(body, ensure_ascii=False) or r.status == 401,
              f"{path}: the quoted bytes as U+FFFD: {body}")


def test_skedulo_control_characters_refused_and_never_echoed(env):
    t = env.new_tenant()
    auth = {"Authorization": "Bearer " + t["skedulo"]["token"]}
    for label, ch in C0.items():
        email = f"ann.{uniq()}@example.com"
        # POST: the user's failure, nothing stored, then the clean retry
        r = env.post_json(SK, [{"email": email, "firstName": f"An{ch}n", "lastName": "Lee"}],
                          auth)
        body = strict_json(r)
        eq((r.status, body["result"]["inserted"], body["result"]["failures"]),
           (200, 0, {email: {"code": "invalid_user",
                             "message": "Invalid value for field: firstName"}}), label)
        eq(stored(env, t, email), (0, 0), f"{label}: nothing stored")
        r = env.post_json(SK, [{"email": email, "firstName": "Ann", "lastName": "Lee"}], auth)
        eq(strict_json(r)["result"]["inserted"], 1, f"{label}: clean retry {r!r}")
    # an import: the status never echoes a control character (the copy is left out and the
    # item's errorMsg says why); the clean retry is created and echoed
    emails = [f"imp.{uniq()}@example.com" for _ in C0]
    users = [{"email": e, "firstName": f"Bo{ch}b", "lastName": f"L{ch}"}
             for e, ch in zip(emails, C0.values())]
    task = strict_json(env.post_json(SK + "/bulk", users, auth))["result"]["taskId"]
    status = wait_task(env, auth, task)
    for e, u in zip(emails, status["users"]):
        eq((u["email"], u["firstName"], u["lastName"], u["success"], u["errorMsg"]),
           (e, None, None, False, "Invalid value for field: firstName"), "status entry")
        eq(stored(env, t, e), (0, 0), f"{e}: nothing stored")
    task = strict_json(env.post_json(SK + "/bulk", [{"email": e, "firstName": "Bob",
                                                     "lastName": "L"} for e in emails],
                                     auth))["result"]["taskId"]
    status = wait_task(env, auth, task)
    eq([(u["firstName"], u["success"]) for u in status["users"]], [("Bob", True)] * len(emails),
       "the clean retry")
    # a CSV cell may hold a line break (quoted): refused for a name, and not echoed
    email = f"csv.{uniq()}@example.com"
    ct, data = "multipart/form-data; boundary=csvB13", (
        b"--csvB13\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\n"
        b"Content-Type: text/csv\r\n\r\nemail,firstName,lastName\r\n" + email.encode() +
        b",\"Li\nne\",Cell\r\n\r\n--csvB13--\r\n")
    r = env.http("POST", SK + "/file", data, auth, ct)
    status = wait_task(env, auth, strict_json(r)["result"]["taskId"])
    eq([(u["email"], u["firstName"], u["success"]) for u in status["users"]],
       [(email, None, False)], "CSV name with a line break")
    eq(stored(env, t, email), (0, 0), "CSV: nothing stored")


def wait_task(env, auth, task, timeout=60):
    end = time.time() + timeout
    while True:
        r = env.http("GET", f"{SK}/bulk/{task}", None, auth)
        body = strict_json(r)
        if r.status == 200 and body["result"]["task"]["completedAt"] is not None:
            return body["result"]
        check(time.time() < end, f"task {task} not done: {body}")
        time.sleep(0.2)


def test_servicepower_and_soajs_control_characters_refused(env):
    t = env.new_tenant()
    for label, ch in C0.items():
        uid, email = "cc" + uniq(), f"sp.{uniq()}@example.com"
        r = env.post_json(SP, {"Users": [{"UserID": uid, "CUD": 1, "Email": email,
                                          "FirstName": f"An{ch}n"}]},
                          {"x-access-token": spu.mint(t)})
        body = strict_json(r)
        eq((r.status, body["code"], body["detail"]["dataPath"]), (400, 400, "Users[0].FirstName"),
           f"ServicePower {label}")
        eq(stored(env, t, email), (0, 0), f"ServicePower {label}: nothing stored")
        r = env.post_json(SP, {"Users": [{"UserID": uid, "CUD": 1, "Email": email,
                                          "FirstName": "Ann"}]}, {"x-access-token": spu.mint(t)})
        eq((r.status, strict_json(r)["detail"]["params"]["inserted"]), (200, "1"),
           f"ServicePower {label}: clean retry")
        # SOAJS addUser, then its invitation (which echoes the login it was given)
        name = "so" + uniq()
        r = env.post_json(f"/urac/admin/addUser?tId={t['id']}&tCode={t['code']}",
                          {"username": name, "firstName": f"An{ch}n", "lastName": "L",
                           "email": f"{name}@example.com"}, {"key": t["soajs"]["key"]})
        body = strict_json(r)
        check(body.get("result") is False, f"SOAJS {label}: refused {body}")
        eq(stored(env, t, f"{name}@example.com"), (0, 0), f"SOAJS {label}: nothing stored")
        r = env.post_json(f"/urac/admin/addUser?tId={t['id']}&tCode={t['code']}",
                          {"username": name, "firstName": "Ann", "lastName": "L",
                           "email": f"{name}@example.com"}, {"key": t["soajs"]["key"]})
        check(strict_json(r).get("result") is True, f"SOAJS {label}: clean retry {r!r}")
    sub = env.new_tenant(parent=t["id"])
    name = "inv" + uniq()
    r = env.post_json(f"/urac/admin/addUser?tId={t['id']}&tCode={t['code']}",
                      {"username": name, "firstName": "I", "lastName": "V",
                       "email": f"{name}@example.com"}, {"key": t["soajs"]["key"]})
    check(strict_json(r).get("result") is True, f"invitee {r!r}")
    members = f"SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id " \
              f"WHERE u.username = {quote(name)}"
    for label, ch in C0.items():
        r = env.http("PUT", INVITE, json.dumps({"users": [{"user": {
            "username": name[:3] + ch + name[3:]}}]}).encode(), {"key": sub["soajs"]["key"]},
            "application/json")
        body = strict_json(r)
        check(body.get("result") is False or body["data"]["succeeded"] == [],
              f"invite {label}: refused {body}")
        eq(env.sql_one(members), ["0"], f"invite {label}: no membership")
    r = env.http("PUT", INVITE, json.dumps({"users": [{"user": {"username": name}}]}).encode(),
                 {"key": sub["soajs"]["key"]}, "application/json")
    eq(strict_json(r)["data"]["succeeded"], [{"username": name}], "the clean invitation")
    eq(env.sql_one(members), ["1"], "one membership")
