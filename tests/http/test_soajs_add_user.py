"""SOAJS urac POST /urac/admin/addUser (seed 002, docs/CONTRACT.md section 10.4): every documented
code, in order, with exact messages; storage checked in the database."""
import hashlib
import json
import re
import uuid

from harness import check, eq, form, quote, with_trigger

PATH = "/urac/admin/addUser"
MSG = {
    400: "Database connection error",
    402: "User account already exists.",
    403: "Unable to register user. please try again.",
    408: "The password and its confirmation do not match",
    413: "Invalid profile field provided. Profile should be a stringified object.",
    414: "Unable to add user.",
    424: "Invalid Request, cannot add a pending user account and provide a password at the "
         "same time.",
    611: "Invalid tenant id provided",
}


def uniq():
    return uuid.uuid4().hex[:10]


def tq(t):
    return f"{PATH}?tId={t['id']}&tCode={t['code']}"


def key(t):
    return {"key": t["soajs"]["key"]}


def user_fields(**over):
    u = uniq()
    f = {"username": "u_" + u, "firstName": "John", "lastName": "Doe",
         "email": f"john.{u}@domain.com"}
    f.update(over)
    return f


def assert_error(r, *codes_msgs, status=200):
    eq(r.status, status, f"HTTP status of {r!r}")
    body = r.json()
    codes = [c for c, _ in codes_msgs]
    expected = {"result": False, "errors": {
        "codes": codes, "details": [{"code": c, "message": m} for c, m in codes_msgs]}}
    eq(body, expected, "error body")


def assert_code(r, code):
    assert_error(r, (code, MSG[code]))


def assert_json_headers(r):
    eq(r.headers.get("content-type"), "application/json; charset=utf-8", "Content-Type")
    eq(r.headers.get("cache-control"), "no-store", "Cache-Control")


def test_seed_002_curl_example(env):
    """The seed's curl, with the key header added: form body, tId/tCode in the query."""
    t = env.new_tenant()
    u = uniq()
    r = env.post_form(tq(t), f"username=john{u}&firstName=John&lastName=Doe"
                             f"&email=johndoe{u}@domain.com", key(t))
    eq(r.status, 200, f"status {r!r}")
    assert_json_headers(r)
    body = r.json()
    eq(sorted(body), ["data", "result"], "top-level keys")
    eq(body["result"], True, "result")
    eq(sorted(body["data"]), ["id", "token"], "data keys")
    check(re.fullmatch(r"[0-9a-f]{24}", body["data"]["id"]), f"id shape {body}")
    check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                       body["data"]["token"]), f"token is not a uuid v4: {body}")
    row = env.sql_one(f"SELECT u.username, u.first_name, u.last_name, u.email, u.status, "
                      f"u.password_hash, t.oid FROM users u JOIN tenants t ON t.id = u.tenant_id "
                      f"WHERE u.oid = {quote(body['data']['id'])}")
    eq(row, [f"john{u}", "John", "Doe", f"johndoe{u}@domain.com", "pendingNew", None, t["id"]],
       "stored user")
    token_hash = hashlib.sha256(body["data"]["token"].encode()).hexdigest()
    tok = env.sql_one(f"SELECT purpose, used_at IS NULL, "
                      f"TIMESTAMPDIFF(MINUTE, NOW(6), expires_at) FROM user_tokens "
                      f"WHERE token_hash = {quote(token_hash)}")
    eq(tok[:2], ["set_password", "1"], "token purpose and unused")
    check(47 * 60 <= int(tok[2]) <= 48 * 60, f"token expires in 48 hours, got {tok[2]} min")
    n = env.sql(f"SELECT COUNT(*) FROM user_tokens WHERE token_hash = "
                f"{quote(body['data']['token'])}")
    eq(n, [["0"]], "the clear token is not stored")
    mail = env.sql_one(f"SELECT m.kind, m.recipient, m.status FROM mail_outbox m JOIN users u "
                       f"ON u.id = m.user_id WHERE u.oid = {quote(body['data']['id'])}")
    eq(mail, ["set_password", f"johndoe{u}@domain.com", "pending"], "queued mail")


def test_json_body_with_tenant_in_body(env):
    t = env.new_tenant()
    f = user_fields(tId=t["id"], tCode=t["code"])
    r = env.post_json(PATH, f, key(t))
    eq(r.status, 200, f"status {r!r}")
    eq(r.json()["result"], True, f"result {r.json()}")


def test_active_user_with_password_returns_id_only_and_yescrypt_hash(env):
    import crypt  # noqa: PLC0415 - deprecated module, still the way to call crypt(3)
    t = env.new_tenant()
    f = user_fields(status="active", password="s3cret pass", confirmation="s3cret pass")
    r = env.post_json(tq(t), f, key(t))
    body = r.json()
    eq(list(body["data"].keys()), ["id"], f"data of an active user {body}")
    h = env.sql_one(f"SELECT password_hash, status FROM users WHERE oid = "
                    f"{quote(body['data']['id'])}")
    check(h[0].startswith("$y$"), f"yescrypt hash expected, got {h[0][:10]}")
    eq(crypt.crypt("s3cret pass", h[0]), h[0], "hash verifies the password")
    check(crypt.crypt("wrong", h[0]) != h[0], "hash rejects another password")
    eq(h[1], "active", "status")
    eq(env.sql(f"SELECT COUNT(*) FROM user_tokens k JOIN users u ON u.id = k.user_id "
               f"WHERE u.oid = {quote(body['data']['id'])}"), [["0"]], "no token for active")


def test_inactive_user(env):
    t = env.new_tenant()
    r = env.post_json(tq(t), user_fields(status="inactive", password="pw pw pw", confirmation="pw pw pw"),
                      key(t))
    eq(list(r.json()["data"].keys()), ["id"], f"{r!r}")


def test_172_all_missing_in_documented_order(env):
    t = env.new_tenant()
    r = env.post_json(PATH, {}, key(t))
    assert_error(r, (172, "Missing required field: username, firstName, lastName, email, tId, "
                          "tCode"))


def test_172_null_counts_as_missing(env):
    t = env.new_tenant()
    r = env.post_json(tq(t), user_fields(firstName=None), key(t))
    assert_error(r, (172, "Missing required field: firstName"))


def test_172_and_173_together(env):
    t = env.new_tenant()
    f = user_fields(username="bad name!")
    del f["email"]
    r = env.post_json(tq(t), f, key(t))
    assert_error(r, (172, "Missing required field: email"),
                 (173, "Validation failed for field: username"))


def test_173_each_field(env):
    t = env.new_tenant()
    cases = [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"email": "a..b@domain.com"}, "email"),
        ({"username": "x" * 51}, "username"),
        ({"username": "näme"}, "username"),
        ({"firstName": 5}, "firstName"),
        ({"lastName": ["Doe"]}, "lastName"),
        ({"status": "bogus"}, "status"),
        ({"groups": "notanarray"}, "groups"),
        ({"groups": [1, 2]}, "groups"),
        ({"password": 1234}, "password"),
        ({"profile": 42}, "profile"),
        ({"pin": {"code": "1234"}}, "pin"),
        ({"pin": {"code": "1234", "allowed": "yes"}}, "pin"),
        ({"pin": {"code": "1234", "allowed": True, "extra": 1}}, "pin"),
        ({"pin": "1234"}, "pin"),
        ({"firstName": "a\u0001b"}, "firstName"),
        ({"firstName": "x" * 1025}, "firstName"),
    ]
    for over, field in cases:
        r = env.post_json(tq(t), user_fields(**over), key(t))
        assert_error(r, (173, f"Validation failed for field: {field}"))


def test_173_lists_several_fields_in_order(env):
    t = env.new_tenant()
    r = env.post_json(tq(t), user_fields(username="a b", email="nope", status="x"), key(t))
    assert_error(r, (173, "Validation failed for field: username, email, status"))


def test_email_accepts_documented_forms(env):
    t = env.new_tenant()
    for email in ["o'brien+tag@sub.example.org", "x_y!#$%&*/=?^`{|}~-@host.io",
                  "first.last@[192.168.0.1]", "  padded@domain.com  "]:
        f = user_fields(email=email)
        r = env.post_json(tq(t), f, key(t))
        eq(r.json().get("result"), True, f"{email!r}: {r!r}")
    eq(env.sql(f"SELECT email FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE "
               f"t.oid = {quote(t['id'])} AND email LIKE 'padded%'"),
       [["padded@domain.com"]], "email stored trimmed")


def test_413_profile_string_not_object(env):
    t = env.new_tenant()
    for bad in ["not json", "[1,2]", "\"str\"", "{\"a\":"]:
        r = env.post_json(tq(t), user_fields(profile=bad), key(t))
        assert_code(r, 413)


def test_profile_object_and_stringified_object_stored(env):
    t = env.new_tenant()
    r1 = env.post_json(tq(t), user_fields(profile={"age": 30, "tags": ["a"]}), key(t))
    r2 = env.post_form(tq(t), user_fields(profile='{"city":"Zürich"}'), key(t))
    for r, want in [(r1, {"age": 30, "tags": ["a"]}), (r2, {"city": "Zürich"})]:
        uid = r.json()["data"]["id"]
        p = env.sql_one(f"SELECT profile FROM users WHERE oid = {quote(uid)}")[0]
        eq(json.loads(p), want, "stored profile")


def test_424_pending_with_password(env):
    t = env.new_tenant()
    r = env.post_json(tq(t), user_fields(password="pw pw pw", confirmation="pw pw pw"), key(t))
    assert_code(r, 424)
    r = env.post_json(tq(t), user_fields(status="pendingNew", password="pw pw pw"), key(t))
    assert_code(r, 424)


def test_424_active_without_password(env):
    t = env.new_tenant()
    assert_code(env.post_json(tq(t), user_fields(status="active"), key(t)), 424)
    assert_code(env.post_json(tq(t), user_fields(status="inactive", password=""), key(t)), 424)


def test_408_confirmation_mismatch(env):
    t = env.new_tenant()
    r = env.post_json(tq(t), user_fields(status="active", password="aaaa aaaa",
                                         confirmation="bbbb bbbb"), key(t))
    assert_code(r, 408)
    r = env.post_json(tq(t), user_fields(status="active", password="aaaa aaaa"), key(t))
    assert_code(r, 408)


def test_order_173_before_424_before_408_before_611(env):
    t = env.new_tenant()
    bad_tenant = f"{PATH}?tId={'0' * 24}&tCode=NOPE"
    r = env.post_json(bad_tenant, user_fields(email="x", password="aaaa aaaa"), key(t))
    assert_error(r, (173, "Validation failed for field: email"))
    r = env.post_json(bad_tenant, user_fields(email="x", password="a"), key(t))
    assert_error(r, (173, "Validation failed for field: email, password"))
    r = env.post_json(bad_tenant, user_fields(password="aaaa aaaa", confirmation="b"), key(t))
    assert_code(r, 424)
    r = env.post_json(bad_tenant, user_fields(status="active", password="aaaa aaaa",
                                              confirmation="b"), key(t))
    assert_code(r, 408)
    r = env.post_json(bad_tenant, user_fields(), key(t))
    assert_code(r, 611)


def test_611_tenant_checks(env):
    t = env.new_tenant()
    other = env.new_tenant()
    f = user_fields()
    for q in [f"tId=123&tCode={t['code']}",
              f"tId={'g' * 24}&tCode={t['code']}",
              f"tId={'0' * 24}&tCode={t['code']}",
              f"tId={t['id']}&tCode=WRONG",
              f"tId={other['id']}&tCode={other['code']}",
              f"tId=&tCode={t['code']}"]:
        r = env.post_json(f"{PATH}?{q}", f, key(t))
        assert_code(r, 611)


def test_sub_tenant_allowed_and_parent_not_from_child(env):
    main = env.new_tenant()
    sub = env.new_tenant(parent=main["id"])
    eq(sub["parent"], main["id"], "parent in tenant create output")
    r = env.post_json(tq(sub), user_fields(), key(main))
    eq(r.json().get("result"), True, f"main key adds to its sub-tenant: {r!r}")
    uid = r.json()["data"]["id"]
    eq(env.sql_one(f"SELECT t.oid FROM users u JOIN tenants t ON t.id = u.tenant_id "
                   f"WHERE u.oid = {quote(uid)}"), [sub["id"]], "user stored in the sub-tenant")
    r = env.post_json(tq(main), user_fields(), key(sub))
    assert_code(r, 611)


def test_query_tenant_wins_over_body(env):
    t = env.new_tenant()
    f = user_fields(tId="0" * 24, tCode="X")
    r = env.post_json(tq(t), f, key(t))
    eq(r.json().get("result"), True, f"{r!r}")


def test_402_username_or_email_taken(env):
    t = env.new_tenant()
    f = user_fields()
    eq(env.post_json(tq(t), f, key(t)).json()["result"], True, "first add")
    assert_code(env.post_json(tq(t), user_fields(username=f["username"]), key(t)), 402)
    assert_code(env.post_json(tq(t), user_fields(email=f["email"].upper()), key(t)), 402)
    other = env.new_tenant()
    eq(env.post_json(tq(other), f, key(other)).json()["result"], True,
       "same user in another tenant is fine")


def test_401_key_missing_or_wrong(env):
    t = env.new_tenant()
    want = [(132, "A valid key is needed to access any API.")]
    r = env.post_json(tq(t), user_fields())
    assert_error(r, *want, status=401)
    r = env.post_json(tq(t), user_fields(), {"key": "0" * 64})
    assert_error(r, *want, status=401)
    assert_json_headers(r)


def test_groups_stored_form_and_json(env):
    t = env.new_tenant()
    env.provctl_json("group", "add", "--tenant", t["id"], "--code", "admins", "--json")
    env.provctl_json("group", "add", "--tenant", t["id"], "--code", "ops", "--json")
    bodies = [
        ("json", user_fields(groups=["admins", "ops", "admins"])),
        ("form", list(user_fields().items()) + [("groups", "admins"), ("groups", "ops")]),
        ("form[]", list(user_fields().items()) + [("groups[]", "ops")]),
        ("form-json", list(user_fields().items()) + [("groups", '["admins"]')]),
    ]
    want = {"json": ["admins", "ops"], "form": ["admins", "ops"], "form[]": ["ops"],
            "form-json": ["admins"]}
    for kind, b in bodies:
        if kind == "json":
            r = env.post_json(tq(t), b, key(t))
        else:
            r = env.post_form(tq(t), b, key(t))
        uid = r.json().get("data", {}).get("id")
        check(uid, f"{kind}: {r!r}")
        got = [row[0] for row in env.sql(
            f"SELECT g.code FROM user_groups ug JOIN `groups` g ON g.id = ug.group_id "
            f"JOIN users u ON u.id = ug.user_id WHERE u.oid = {quote(uid)} ORDER BY g.code")]
        eq(got, want[kind], f"{kind}: stored groups")


def test_unknown_group_rejected_nothing_stored(env):
    t = env.new_tenant()
    f = user_fields(groups=["nosuch"])
    r = env.post_json(tq(t), f, key(t))
    assert_error(r, (173, "Validation failed for field: groups"))
    eq(env.sql(f"SELECT COUNT(*) FROM users WHERE email = {quote(f['email'])}"), [["0"]],
       "no user row left behind")


def test_pin_stored_hashed_form_encoding(env):
    t = env.new_tenant()
    f = list(user_fields().items()) + [("pin[code]", "4321"), ("pin[allowed]", "true")]
    r = env.post_form(tq(t), f, key(t))
    uid = r.json().get("data", {}).get("id")
    check(uid, f"{r!r}")
    row = env.sql_one(f"SELECT p.pin_hash, p.allowed FROM pins p JOIN users u ON "
                      f"u.id = p.user_id WHERE u.oid = {quote(uid)}")
    check(re.fullmatch(r"[0-9a-f]{64}", row[0]) and "4321" not in row[0], "pin stored hashed")
    eq(row[1], "1", "pin allowed flag")


def test_sql_metacharacters_stored_verbatim(env):
    t = env.new_tenant()
    nasty = "Robert'); DROP TABLE users;-- \\ \" ` %_"
    r = env.post_json(tq(t), user_fields(firstName=nasty, lastName="O'Brien"), key(t))
    uid = r.json()["data"]["id"]
    eq(env.sql_one(f"SELECT first_name, last_name FROM users WHERE oid = {quote(uid)}"),
       [nasty, "O'Brien"], "stored verbatim")


def test_long_names_up_to_the_string_limit_are_stored(env):
    t = env.new_tenant()
    first, last = "F" * 300, "é" * 512          # 300 bytes; 1 024 bytes in 512 characters
    r = env.post_json(tq(t), user_fields(firstName=first, lastName=last), key(t))
    eq(r.json().get("result"), True, f"long names: {r!r}")
    uid = r.json()["data"]["id"]
    eq(env.sql_one(f"SELECT first_name, last_name FROM users WHERE oid = {quote(uid)}"),
       [first, last], "stored whole")


def test_unicode_names_round_trip(env):
    t = env.new_tenant()
    r = env.post_json(tq(t), user_fields(firstName="Zoë 😀", lastName="Åström"), key(t))
    uid = r.json()["data"]["id"]
    eq(env.sql_one(f"SELECT first_name, last_name FROM users WHERE oid = {quote(uid)}"),
       ["Zoë 😀", "Åström"], "utf8mb4 stored")


def test_transport_errors_speak_soajs(env):
    t = env.new_tenant()
    r = env.http("GET", PATH, headers=key(t))
    eq(r.status, 405, "GET status")
    eq(r.headers.get("allow"), "POST", "Allow header")
    assert_json_headers(r)
    eq(r.json()["result"], False, "405 envelope")
    eq(r.json()["errors"]["codes"], [405], "405 code")
    r = env.post_json("/urac/admin/nosuch", {}, key(t))
    eq(r.status, 404, "unknown path")
    eq(r.json()["errors"]["codes"], [404], "404 envelope")
    r = env.http("POST", tq(t), b"hello", key(t), "text/plain")
    eq(r.status, 415, "wrong content type")
    eq(r.json()["errors"]["codes"], [415], "415 envelope")
    r = env.http("POST", tq(t), b"{}", key(t), "application/json; charset=latin1")
    eq(r.status, 415, "non-UTF-8 charset")


def test_malformed_bodies_400(env):
    t = env.new_tenant()
    cases = [
        (b'{"username": "a"', "application/json"),
        (b'{"username": "a"} trailing', "application/json"),
        (b'{"firstName": "\xff\xfe"}', "application/json"),
        (b'{"firstName": "a\\u0000b"}', "application/json"),
        (b"[1,2,3]", "application/json"),
        (b"username=%ZZ", "application/x-www-form-urlencoded"),
        (b"firstName=%FF%FE", "application/x-www-form-urlencoded"),
        (b"firstName=a%00b", "application/x-www-form-urlencoded"),
        (b"[" * 40 + b"]" * 40, "application/json"),
    ]
    for body, ct in cases:
        r = env.http("POST", tq(t), body, key(t), ct)
        eq(r.status, 400, f"{body[:30]!r}: {r!r}")
        eq(r.json()["result"], False, f"{body[:30]!r} envelope")
        check(r.json()["errors"]["details"][0]["message"], "message names the problem")


def test_body_over_limit_413(env):
    t = env.new_tenant()
    n = 8 * 1024 * 1024 + 1
    head = (f"POST {tq(t)} HTTP/1.1\r\nHost: x\r\nkey: {t['soajs']['key']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {n}\r\n"
            f"Connection: close\r\n\r\n").encode()
    # every server takes the whole body in before the executable sees the request (so that
    # slow clients cannot hold its processes, docs/DEPLOY.md), or (plain CGI) before it answers
    r = env.raw(head + b"{" + b" " * (n - 1))
    eq(r.status, 413, f"over-limit body: {r!r}")
    eq(r.json()["errors"]["codes"], [413], "413 envelope")


def test_truncated_body_plain_cgi_400(env):
    t = env.new_tenant()
    body = json.dumps(user_fields()).encode()
    r = env.cgi("add_user", "POST", PATH, body[:10], {"Content-Type": "application/json",
                                                      "key": t["soajs"]["key"]},
                content_length=len(body), query=f"tId={t['id']}&tCode={t['code']}")
    eq(r.status, 400, f"truncated: {r!r}")
    check("shorter" in r.json()["errors"]["details"][0]["message"], f"message: {r.json()}")


def test_plain_cgi_creates_user(env):
    t = env.new_tenant()
    body = form(user_fields())
    r = env.cgi("add_user", "POST", PATH, body,
                {"Content-Type": "application/x-www-form-urlencoded", "key": t["soajs"]["key"]},
                query=f"tId={t['id']}&tCode={t['code']}")
    eq(r.status, 200, f"{r!r}")
    eq(r.json()["result"], True, "created through plain CGI")


def test_400_database_unreachable(env):
    t = env.new_tenant()
    r = env.cgi("add_user", "POST", PATH, form(user_fields()),
                {"Content-Type": "application/x-www-form-urlencoded", "key": t["soajs"]["key"]},
                env={"PROVISION_DB_SOCKET": env.var + "/run/nonexistent.sock"},
                query=f"tId={t['id']}&tCode={t['code']}")
    assert_code(r, 400)


def test_414_insert_refused_nothing_stored(env):
    t = env.new_tenant()
    f = user_fields(lastName="Fault414")
    r = with_trigger(env, "users", "t414", "NEW.last_name = 'Fault414'",
                      lambda: env.post_json(tq(t), f, key(t)))
    assert_code(r, 414)
    eq(env.sql(f"SELECT COUNT(*) FROM users WHERE email = {quote(f['email'])}"), [["0"]],
       "nothing stored")


def test_403_token_not_recorded_rolled_back(env):
    t = env.new_tenant()
    f = user_fields()
    r = with_trigger(env, "user_tokens", "t403", "NEW.purpose = 'set_password'",
                      lambda: env.post_json(tq(t), f, key(t)))
    assert_code(r, 403)
    eq(env.sql(f"SELECT COUNT(*) FROM users WHERE email = {quote(f['email'])}"), [["0"]],
       "user rolled back with its token")
