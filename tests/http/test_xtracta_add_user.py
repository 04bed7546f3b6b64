"""Xtracta POST /v1/user/add (seed 003, docs/CONTRACT.md section 7): the seed's XML to the letter,
errors in the same envelope, login token with a real QR code, and storage checked."""
import base64
import os
import subprocess
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET

from harness import check, eq, quote

PATH = "/v1/user/add"
XSD = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "xtracta", "user_response.xsd")
DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def uniq():
    return uuid.uuid4().hex[:10]


def fields(t, **over):
    f = {"api_key": t["xtracta"]["api_key"], "name": "John",
         "email_address": f"john.{uniq()}@xtracta.com"}
    f.update(over)
    return {k: v for k, v in f.items() if v is not None}


def user_row(t, uid):
    """The internal id of tenant t's user whose user_id (its number) is uid, as SQL."""
    return (f"(SELECT u.id FROM users u JOIN tenants k ON k.id = u.tenant_id "
            f"WHERE k.oid = {quote(t['id'])} AND u.number = {int(uid)})")


def post(env, f, **kw):
    return env.post_form(PATH, f, **kw)


def validate_xsd(body):
    with tempfile.NamedTemporaryFile("wb", suffix=".xml", delete=False) as tmp:
        tmp.write(body)
    try:
        p = subprocess.run(["xmllint", "--noout", "--schema", XSD, tmp.name],
                           capture_output=True, text=True)
        check(p.returncode == 0, f"XML does not validate against the XSD: {p.stderr.strip()}")
    finally:
        os.unlink(tmp.name)


def assert_xml_headers(r):
    eq(r.headers.get("content-type"), "application/xml; charset=utf-8", "Content-Type")
    eq(r.headers.get("cache-control"), "no-store", "Cache-Control")


def assert_error(r, status, message=None):
    eq(r.status, status, f"HTTP status {r!r}")
    assert_xml_headers(r)
    root = ET.fromstring(r.body)
    eq(root.tag, "user_response", "root element")
    eq([c.tag for c in root], ["status", "message"], "error children")
    eq(root.findtext("status"), str(status), "<status> equals HTTP status")
    if message is not None:
        eq(root.findtext("message"), message, "<message>")
    validate_xsd(r.body)


def test_seed_003_example_exact_xml(env):
    t = env.new_tenant()
    email = f"john.{uniq()}@xtracta.com"
    r = post(env, {"api_key": t["xtracta"]["api_key"], "name": "John", "email_address": email,
                   "password": "12345678", "group_id": str(t["xtracta"]["group_id"])})
    eq(r.status, 200, f"{r!r}")
    assert_xml_headers(r)
    uid = ET.fromstring(r.body).findtext("user/user_id")
    check(uid and uid.isdigit(), f"user_id {uid!r}")
    want = (DECL + "<user_response><status>200</status><message>The request has been "
            "successfully processed</message><user>"
            f"<user_id>{uid}</user_id><name>John</name><email_address>{email}</email_address>"
            f"<primary_group_id>{t['xtracta']['group_id']}</primary_group_id>"
            "<assigned_workflows/><password>12345678</password></user></user_response>\n")
    eq(r.text, want, "response document")
    validate_xsd(r.body)
    row = env.sql_one(f"SELECT u.full_name, u.email, u.status, u.password_hash LIKE '$y$%', "
                      f"g.number FROM users u JOIN `groups` g ON g.id = u.primary_group_id "
                      f"WHERE u.id = {user_row(t, uid)}")
    eq(row, ["John", email, "active", "1", str(t["xtracta"]["group_id"])], "stored user")
    eq(env.sql(f"SELECT g.number FROM user_groups ug JOIN `groups` g ON g.id = ug.group_id "
               f"WHERE ug.user_id = {user_row(t, uid)}"),
       [[str(t["xtracta"]["group_id"])]], "primary group linked")


def test_group_defaults_to_the_keys_group(env):
    t = env.new_tenant()
    r = post(env, fields(t))
    eq(ET.fromstring(r.body).findtext("user/primary_group_id"), str(t["xtracta"]["group_id"]),
       f"{r!r}")


def test_no_password_no_password_element_and_set_password_mail(env):
    t = env.new_tenant()
    f = fields(t)
    r = post(env, f)
    eq(r.status, 200, f"{r!r}")
    user = ET.fromstring(r.body).find("user")
    eq([c.tag for c in user], ["user_id", "name", "email_address", "primary_group_id",
                               "assigned_workflows"], "children without password")
    uid = user.findtext("user_id")
    eq(env.sql_one(f"SELECT status, password_hash FROM users WHERE id = {user_row(t, uid)}"),
       ["pendingNew", None], "pending user")
    eq(env.sql(f"SELECT kind FROM mail_outbox WHERE user_id = {user_row(t, uid)}"),
       [["set_password"]], "set-password mail queued")


def test_workflows_assigned(env):
    t = env.new_tenant()
    w1 = env.provctl_json("workflow", "add", "--tenant", t["id"], "--name", "Invoices", "--json")
    w2 = env.provctl_json("workflow", "add", "--tenant", t["id"], "--name", "Receipts", "--json")
    ids = sorted([w1["id"], w2["id"]])
    r = post(env, fields(t, workflow_ids=f"{ids[1]}, {ids[0]},{ids[1]}"))
    eq(r.status, 200, f"{r!r}")
    user = ET.fromstring(r.body).find("user")
    eq(user.findtext("assigned_workflows"), f"{ids[0]},{ids[1]}", "assigned workflows")
    validate_xsd(r.body)
    got = env.sql(f"SELECT w.number FROM user_workflows uw JOIN workflows w "
                  f"ON w.id = uw.workflow_id WHERE uw.user_id = "
                  f"{user_row(t, user.findtext('user_id'))} ORDER BY w.number")
    eq(got, [[str(ids[0])], [str(ids[1])]], "stored workflows")


def test_token_expire_gives_token_qrcode_expire(env):
    t = env.new_tenant()
    before = int(time.time())
    r = post(env, fields(t, token_expire="3600"))
    eq(r.status, 200, f"{r!r}")
    validate_xsd(r.body)
    user = ET.fromstring(r.body).find("user")
    eq([c.tag for c in user][-3:], ["token", "qrcode", "expire"], "token elements last")
    token = user.findtext("token")
    check(len(token) >= 40, "token length")
    qr = user.findtext("qrcode")
    prefix = "data:image/png;base64,"
    check(qr.startswith(prefix), f"qrcode data URL: {qr[:40]}")
    png = base64.b64decode(qr[len(prefix):], validate=True)
    eq(png[:8], b"\x89PNG\r\n\x1a\n", "PNG signature")
    expire = int(user.findtext("expire"))
    check(before + 3600 <= expire <= int(time.time()) + 3600, f"expire {expire}")
    import hashlib  # noqa: PLC0415
    h = hashlib.sha256(token.encode()).hexdigest()
    row = env.sql_one(f"SELECT purpose, UNIX_TIMESTAMP(expires_at) FROM user_tokens "
                      f"WHERE token_hash = {quote(h)}")
    eq(row[0], "login", "login token stored hashed")
    eq(int(float(row[1])), expire, "stored expiry")


def test_token_expire_bounds(env):
    t = env.new_tenant()
    for bad in ["59", "86401", "abc", "-5", "1e3", ""]:
        r = post(env, fields(t, token_expire=bad))
        assert_error(r, 400)
    r = post(env, fields(t, token_expire="60"))
    eq(r.status, 200, "60 is the minimum")
    r = post(env, fields(t, token_expire="86400"))
    eq(r.status, 200, "86400 is the maximum")


def test_long_name_stored_and_over_limit_refused(env):
    t = env.new_tenant()
    r = post(env, fields(t, name="N" * 1024))
    eq(r.status, 200, f"1 024-byte name: {r!r}")
    assert_error(post(env, fields(t, name="N" * 1025)), 400, "Invalid value for parameter: name")


def test_401_bad_or_missing_api_key(env):
    t = env.new_tenant()
    assert_error(post(env, fields(t, api_key="nope")), 401)
    assert_error(post(env, fields(t, api_key=None)), 401)


def test_400_missing_or_invalid(env):
    t = env.new_tenant()
    assert_error(post(env, fields(t, name=None)), 400, "Missing required parameter: name")
    assert_error(post(env, fields(t, email_address=None)), 400,
                 "Missing required parameter: email_address")
    assert_error(post(env, fields(t, email_address="nope")), 400,
                 "Invalid value for parameter: email_address")
    assert_error(post(env, fields(t, group_id="12x")), 400)
    assert_error(post(env, fields(t, workflow_ids="1,,2")), 400)
    assert_error(post(env, fields(t, workflow_ids="1,")), 400)
    assert_error(post(env, fields(t, name="a\u0007b")), 400)
    assert_error(post(env, fields(t, password="x" * 257)), 400)


def test_404_foreign_group_or_workflow(env):
    t = env.new_tenant()
    other = env.new_tenant()
    assert_error(post(env, fields(t, group_id=str(other["xtracta"]["group_id"]))), 404,
                 "Group not found")
    w = env.provctl_json("workflow", "add", "--tenant", other["id"], "--name", "W", "--json")
    assert_error(post(env, fields(t, workflow_ids=str(w["id"]))), 404, "Workflow not found")
    assert_error(post(env, fields(t, workflow_ids="999999999")), 404)


def test_409_email_exists_case_insensitive(env):
    t = env.new_tenant()
    f = fields(t)
    eq(post(env, f).status, 200, "first")
    f2 = dict(f, email_address=f["email_address"].upper())
    assert_error(post(env, f2), 409)


def test_markup_escaped_and_round_trips(env):
    t = env.new_tenant()
    name = "<b>Tom & \"Jerry\" 'O'</b> ]]>"
    r = post(env, fields(t, name=name, password="p<&> ]]>x"))
    eq(r.status, 200, f"{r!r}")
    check(b"<b>" not in r.body, "markup must be escaped")
    user = ET.fromstring(r.body).find("user")
    eq(user.findtext("name"), name, "name round-trips")
    eq(user.findtext("password"), "p<&> ]]>x", "password round-trips")
    validate_xsd(r.body)


def test_multipart_form_data(env):
    t = env.new_tenant()
    b = "----provtest" + uniq()
    f = fields(t)
    parts = "".join(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                    for k, v in f.items())
    body = (parts + f"--{b}--\r\n").encode()
    r = env.http("POST", PATH, body, content_type=f"multipart/form-data; boundary={b}")
    eq(r.status, 200, f"{r!r}")
    eq(ET.fromstring(r.body).findtext("user/email_address"), f["email_address"], "email")


def test_transport_errors_speak_xml(env):
    r = env.http("GET", PATH)
    assert_error(r, 405)
    eq(r.headers.get("allow"), "POST", "Allow")
    assert_error(env.http("POST", "/v1/user/nosuch", b"a=b",
                          content_type="application/x-www-form-urlencoded"), 404)
    assert_error(env.http("POST", PATH, b"{}", content_type="application/json"), 415)
    assert_error(env.http("POST", PATH, b"name=%G1",
                          content_type="application/x-www-form-urlencoded"), 400)


def test_form_bytes_exactly_as_seed(env):
    """The seed's raw body shape: a plain urlencoded line."""
    t = env.new_tenant()
    email = f"john.{uniq()}@xtracta.com"
    body = (f"api_key={t['xtracta']['api_key']}&name=John&email_address={email}"
            f"&password=12345678&group_id={t['xtracta']['group_id']}").encode()
    r = env.http("POST", PATH, body, content_type="application/x-www-form-urlencoded")
    eq(r.status, 200, f"{r!r}")
    eq(ET.fromstring(r.body).findtext("user/password"), "12345678", "password echoed")
