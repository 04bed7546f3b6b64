"""Skedulo POST and PATCH /onboarding/provision/standalone/users (seed 000, docs/CONTRACT.md
sections 2, 3 and 5): the seed's request and both of its responses verbatim, authentication (401,
403, api_user_not_found), every per-user failure code, users_need_resource_role with nothing
stored, PATCH, the body limits, and one synchronous POST of 10 000 users. Storage checked in the
database."""
import hashlib
import json
import re
import time
import uuid

from harness import check, eq, quote

PATH = "/onboarding/provision/standalone/users"
EXISTS = {"code": "email_already_exists", "message": "A user with that email already exists"}
ROLE_MSG = ("Users with an assigned resource must have Resource role and vice versa. "
            "Email of user records in error: ")


def uniq():
    return uuid.uuid4().hex[:10]


def auth(t, token=None):
    return {"Authorization": "Bearer " + (token or t["skedulo"]["token"])}


def post(env, t, body, token=None, method="POST"):
    return env.post_json(PATH, body, auth(t, token), method=method)


def patch(env, t, body, token=None):
    return post(env, t, body, token, method="PATCH")


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def assert_body(r, status, expected):
    """Status, headers and the exact bytes of the body (key order included)."""
    eq(r.status, status, f"HTTP status of {r!r}")
    eq(r.headers.get("content-type"), "application/json; charset=utf-8", "Content-Type")
    eq(r.headers.get("cache-control"), "no-store", "Cache-Control")
    eq(r.body, compact(expected), "body")


def result(inserted, total, failures=None, updated=0):
    return {"result": {"inserted": inserted, "updated": updated, "total": total,
                       "failures": failures or {}}}


def tenant_db_id(env, t):
    return env.sql_one(f"SELECT id FROM tenants WHERE oid = {quote(t['id'])}")[0]


def count_users(env, t):
    return int(env.sql_one(f"SELECT COUNT(*) FROM users u JOIN tenants t ON t.id = u.tenant_id "
                           f"WHERE t.oid = {quote(t['id'])}")[0])


def user_oid(env, t, email):
    return env.sql_one(f"SELECT u.oid FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE "
                       f"t.oid = {quote(t['id'])} AND u.email_norm = LOWER({quote(email)})")[0]


def region(env, t, name="North"):
    return env.provctl_json("region", "add", "--tenant", t["id"], "--name", name,
                            "--json")["id"]


def roles_of(env, oid):
    return [r[0] for r in env.sql(f"SELECT r.name FROM user_roles ur JOIN roles r ON "
                                  f"r.id = ur.role_id JOIN users u ON u.id = ur.user_id "
                                  f"WHERE u.oid = {quote(oid)} ORDER BY r.name")]


# ---- the seed's examples ----

def test_seed_000_request_and_success_response(env):
    t = env.new_tenant()
    seed = [{"email": "new_user@skedulo.com", "firstName": "New", "lastName": "User",
             "roles": ["Scheduler"], "sendInvitation": True}]
    r = post(env, t, seed)
    assert_body(r, 200, {"result": {"inserted": 1, "updated": 0, "total": 1, "failures": {}}})
    row = env.sql_one(f"SELECT u.oid, u.email, u.first_name, u.last_name, u.status, u.origin, "
                      f"u.password_hash FROM users u JOIN tenants t ON t.id = u.tenant_id "
                      f"WHERE t.oid = {quote(t['id'])}")
    check(re.fullmatch(r"[0-9a-f]{24}", row[0]), f"user id shape {row[0]}")
    eq(row[1:], ["new_user@skedulo.com", "New", "User", "pendingNew", "skedulo", None],
       "stored user")
    eq(roles_of(env, row[0]), ["Scheduler"], "roles")
    # the invitation: one outbox row in the same transaction, its link carrying a token whose
    # SHA-256 (only) is stored as a single-use set-password token valid 48 hours
    mail = env.sql_one(f"SELECT m.kind, m.recipient, m.status, "
                       f"REGEXP_SUBSTR(m.body, '/urac/join[?]token=[0-9a-f-]{{36}}') "
                       f"FROM mail_outbox m JOIN users u ON u.id = m.user_id "
                       f"WHERE u.oid = {quote(row[0])}")
    eq(mail[:3], ["invitation", "new_user@skedulo.com", "pending"], "queued invitation")
    m = re.fullmatch(r"/urac/join\?token=([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                     r"[0-9a-f]{12})", mail[3] or "")
    check(m is not None, f"no set-password link in the mail: {mail[3]!r}")
    token_hash = hashlib.sha256(m.group(1).encode()).hexdigest()
    tok = env.sql_one(f"SELECT k.purpose, k.used_at IS NULL, "
                      f"TIMESTAMPDIFF(MINUTE, NOW(6), k.expires_at) FROM user_tokens k JOIN "
                      f"users u ON u.id = k.user_id WHERE u.oid = {quote(row[0])} AND "
                      f"k.token_hash = {quote(token_hash)}")
    eq(tok[:2], ["set_password", "1"], "token purpose, unused")
    check(47 * 60 <= int(tok[2]) <= 48 * 60, f"token valid 48 hours, got {tok[2]} min")
    eq(env.sql(f"SELECT COUNT(*) FROM user_tokens WHERE token_hash = {quote(m.group(1))}"),
       [["0"]], "the clear token is not stored")


def test_bulk_invitations_are_rendered_like_single_mails(env):
    """The batched outbox insert carries what mail_queue stores for one mail: the display name,
    the tenant's own template, and the request id (after-response delivery finds it)."""
    t = env.new_tenant()
    env.provctl_json("mail", "template", "--tenant", t["id"], "--kind", "invitation",
                     "--subject", "Welcome to {{tenant}}, {{name}}", "--json")
    u = uniq()
    r = post(env, t, [{"email": f"a{u}@skedulo.com", "firstName": "Zoë", "lastName": "A"},
                      {"email": f"b{u}@skedulo.com", "firstName": "Bo\r\nBcc: x@evil.io",
                       "lastName": "B"}])
    eq(r.status, 200, f"{r!r}")
    rows = env.sql(f"SELECT m.recipient_name, m.subject, m.request_id FROM mail_outbox m "
                   f"JOIN tenants t ON t.id = m.tenant_id WHERE t.oid = {quote(t['id'])} "
                   f"ORDER BY m.recipient")
    eq([row[:2] for row in rows], [["Zoë", f"Welcome to {t['name']}, Zoë"]],
       "one invitation (the CR/LF name is refused as invalid_user), rendered from the "
       "tenant's template with the display name")
    eq(rows[0][2], r.headers.get("x-request-id"), "the request id is stored")


def test_seed_000_email_already_exists(env):
    t = env.new_tenant()
    first = post(env, t, [{"email": "jsmith@email.com", "lastName": "Smith"}])
    assert_body(first, 200, result(1, 1))
    r = post(env, t, [{"email": "jsmith@email.com", "firstName": "John", "lastName": "Smith"}])
    assert_body(r, 200, {"result": {"inserted": 0, "updated": 0, "total": 1, "failures": {
        "jsmith@email.com": {"code": "email_already_exists",
                             "message": "A user with that email already exists"}}}})
    # emails are trimmed and compared case-insensitively; the key is the email as sent
    r = post(env, t, [{"email": "  JSmith@Email.com ", "lastName": "Smith"}])
    assert_body(r, 200, result(0, 1, {"JSmith@Email.com": EXISTS}))
    eq(count_users(env, t), 1, "still one user")


def test_same_email_in_other_tenant_is_free(env):
    a, b = env.new_tenant(), env.new_tenant()
    email = f"shared.{uniq()}@example.com"
    assert_body(post(env, a, [{"email": email, "lastName": "A"}]), 200, result(1, 1))
    assert_body(post(env, b, [{"email": email, "lastName": "B"}]), 200, result(1, 1))


def test_repeated_email_in_one_request(env):
    t = env.new_tenant()
    u = uniq()
    r = post(env, t, [{"email": f"dup{u}@example.com", "lastName": "One"},
                      {"email": f"DUP{u}@example.com", "lastName": "Two"},
                      {"email": f"other{u}@example.com", "lastName": "Three"}])
    assert_body(r, 200, result(2, 3, {f"DUP{u}@example.com": EXISTS}))
    eq(env.sql(f"SELECT last_name FROM users WHERE email_norm = 'dup{u}@example.com'"),
       [["One"]], "the first of the two is the one created")


# ---- authentication ----

def test_401_without_or_with_a_bad_token(env):
    t = env.new_tenant()
    body = [{"email": f"x{uniq()}@example.com", "lastName": "X"}]
    missing = {"errorType": "unauthorized",
               "message": "Missing Authorization header with a Bearer token"}
    invalid = {"errorType": "unauthorized", "message": "Invalid or revoked API token"}
    assert_body(env.post_json(PATH, body), 401, missing)
    for h in ["Bearer nope", "Basic " + t["skedulo"]["token"], "Bearer " + t["soajs"]["key"]]:
        assert_body(env.post_json(PATH, body, {"Authorization": h}), 401, invalid)
    eq(count_users(env, t), 0, "nothing stored")


def test_403_token_without_write_scope(env):
    t = env.new_tenant()
    ro = env.provctl_json("token", "create", "--tenant", t["id"], "--scope", "users:read",
                          "--json")["token"]
    body = [{"email": f"x{uniq()}@example.com", "lastName": "X"}]
    forbidden = {"errorType": "forbidden",
                 "message": "The API token does not have the users:write scope"}
    assert_body(post(env, t, body, ro), 403, forbidden)
    assert_body(patch(env, t, {"0" * 24: {"lastName": "Y"}}, ro), 403, forbidden)
    assert_body(env.post_json(PATH + "/bulk", body, auth(t, ro)), 403, forbidden)
    eq(count_users(env, t), 0, "nothing stored")
    eq(env.sql(f"SELECT COUNT(*) FROM tasks k JOIN tenants t ON t.id = k.tenant_id "
               f"WHERE t.oid = {quote(t['id'])}"), [["0"]], "no task stored")


def test_api_user_not_found(env):
    t = env.new_tenant()
    sk = t["skedulo"]["tenantId"]
    rc, _, err = env.provctl("tenant", "api-user", "--tenant", t["id"], "--none")
    eq(rc, 0, f"provctl api-user --none: {err}")
    expected = {"errorType": "api_user_not_found",
                "message": f"API User for tenant {sk} has not been set up.", "tenantId": sk}
    body = [{"email": f"x{uniq()}@example.com", "lastName": "X"}]
    assert_body(post(env, t, body), 400, expected)
    assert_body(patch(env, t, {"0" * 24: {"lastName": "Y"}}), 400, expected)
    assert_body(env.post_json(PATH + "/bulk", body, auth(t)), 400, expected)
    assert_body(env.http("GET", PATH + "/bulk/1", headers=auth(t)), 400, expected)
    eq(count_users(env, t), 0, "nothing stored")
    rc, _, err = env.provctl("tenant", "api-user", "--tenant", t["id"], "--email",
                             "api@example.com")
    eq(rc, 0, f"provctl api-user --email: {err}")
    assert_body(post(env, t, body), 200, result(1, 1))


# ---- per-user failures ----

def test_invalid_user_names_the_field(env):
    t = env.new_tenant()
    reg = region(env, t)
    u = uniq()
    ok_res = {"primaryRegionId": reg, "isActive": True}

    def res_user(i, **resource):
        return {"email": f"r{i}.{u}@example.com", "lastName": "L", "roles": ["Resource"],
                "resource": dict(ok_res, **resource)}

    users = [
        {"email": f"good.{u}@example.com", "lastName": "Good"},
        {"lastName": "NoEmail"},                                          # users[1]
        {"email": f"nolast.{u}@example.com"},
        {"email": "not-an-email", "lastName": "L"},
        {"email": f"fn.{u}@example.com", "firstName": 5, "lastName": "L"},
        {"email": f"long.{u}@example.com", "firstName": "x" * 256, "lastName": "L"},
        {"email": f"ctl.{u}@example.com", "lastName": "a\u0001b"},
        {"email": f"roles.{u}@example.com", "lastName": "L", "roles": "Scheduler"},
        {"email": f"roles2.{u}@example.com", "lastName": "L", "roles": [1]},
        {"email": f"regions.{u}@example.com", "lastName": "L", "regions": [""]},
        {"email": f"inv.{u}@example.com", "lastName": "L", "sendInvitation": "yes"},
        "not an object",                                                  # users[11]
        {"email": 42, "lastName": "L"},                                   # users[12]
        res_user(1, countryCode="XX"),
        res_user(2, notificationType="email"),
        res_user(3, workingHourType="Weekly"),
        res_user(4, geoLatitude=91),
        res_user(5, geoLongitude="12"),
        res_user(6, mobilePhone="call me"),
        res_user(7, isActive="yes"),
        res_user(8, **{"bad-name": 1}),
        res_user(9, Skill__c={"nested": True}),
        res_user(10, resourceType=""),
        res_user(11, primaryRegionId=7),
    ]

    def inv(field):
        return {"code": "invalid_user", "message": f"Invalid value for field: {field}"}

    def missing(field):
        return {"code": "invalid_user", "message": f"Missing required field: {field}"}

    expected = {
        "users[1]": missing("email"),
        f"nolast.{u}@example.com": missing("lastName"),
        "not-an-email": inv("email"),
        f"fn.{u}@example.com": inv("firstName"),
        f"long.{u}@example.com": inv("firstName"),
        f"ctl.{u}@example.com": inv("lastName"),
        f"roles.{u}@example.com": inv("roles"),
        f"roles2.{u}@example.com": inv("roles"),
        f"regions.{u}@example.com": inv("regions"),
        f"inv.{u}@example.com": inv("sendInvitation"),
        "users[11]": inv("user"),
        "users[12]": inv("email"),
        f"r1.{u}@example.com": inv("resource.countryCode"),
        f"r2.{u}@example.com": inv("resource.notificationType"),
        f"r3.{u}@example.com": inv("resource.workingHourType"),
        f"r4.{u}@example.com": inv("resource.geoLatitude"),
        f"r5.{u}@example.com": inv("resource.geoLongitude"),
        f"r6.{u}@example.com": inv("resource.mobilePhone"),
        f"r7.{u}@example.com": inv("resource.isActive"),
        f"r8.{u}@example.com": inv("resource.bad-name"),
        f"r9.{u}@example.com": inv("resource.Skill__c"),
        f"r10.{u}@example.com": inv("resource.resourceType"),
        f"r11.{u}@example.com": inv("resource.primaryRegionId"),
    }
    r = post(env, t, users)
    assert_body(r, 200, result(1, len(users), expected))
    eq(count_users(env, t), 1, "only the valid user stored")


def test_unknown_region_and_role(env):
    t, other = env.new_tenant(), env.new_tenant()
    mine, theirs = region(env, t), region(env, other)
    custom = f"Dispatcher{uniq()}"
    env.provctl_json("role", "add", "--tenant", t["id"], "--name", custom, "--json")
    foreign_role = f"Foreign{uniq()}"
    env.provctl_json("role", "add", "--tenant", other["id"], "--name", foreign_role, "--json")
    u = uniq()
    ghost = str(uuid.uuid4())
    users = [
        {"email": f"ok.{u}@example.com", "lastName": "L", "roles": ["Administrator", custom],
         "regions": [mine, mine]},
        {"email": f"reg.{u}@example.com", "lastName": "L", "regions": [mine, ghost]},
        {"email": f"reg2.{u}@example.com", "lastName": "L", "regions": [theirs]},
        {"email": f"reg3.{u}@example.com", "lastName": "L", "regions": ["not-a-uuid"]},
        {"email": f"res.{u}@example.com", "lastName": "L", "roles": ["Resource"],
         "resource": {"primaryRegionId": theirs, "isActive": True}},
        {"email": f"role.{u}@example.com", "lastName": "L", "roles": ["Scheduler", "Nope"]},
        {"email": f"role2.{u}@example.com", "lastName": "L", "roles": [foreign_role]},
        {"email": f"role3.{u}@example.com", "lastName": "L", "roles": ["scheduler"]},
    ]
    r = post(env, t, users)
    assert_body(r, 200, result(1, len(users), {
        f"reg.{u}@example.com": {"code": "unknown_region", "message": f"Unknown region: {ghost}"},
        f"reg2.{u}@example.com": {"code": "unknown_region",
                                  "message": f"Unknown region: {theirs}"},
        f"reg3.{u}@example.com": {"code": "unknown_region",
                                  "message": "Unknown region: not-a-uuid"},
        f"res.{u}@example.com": {"code": "unknown_region",
                                 "message": f"Unknown region: {theirs}"},
        f"role.{u}@example.com": {"code": "unknown_role", "message": "Unknown role: Nope"},
        f"role2.{u}@example.com": {"code": "unknown_role",
                                   "message": f"Unknown role: {foreign_role}"},
        f"role3.{u}@example.com": {"code": "unknown_role", "message": "Unknown role: scheduler"},
    }))
    oid = user_oid(env, t, f"ok.{u}@example.com")
    eq(roles_of(env, oid), sorted(["Administrator", custom]), "roles stored")
    eq(env.sql(f"SELECT g.uuid FROM user_regions ur JOIN regions g ON g.id = ur.region_id "
               f"JOIN users u ON u.id = ur.user_id WHERE u.oid = {quote(oid)}"), [[mine]],
       "the region, once")


def test_users_need_resource_role_nothing_stored(env):
    t = env.new_tenant()
    reg = region(env, t)
    u = uniq()
    users = [
        {"email": f"fine.{u}@example.com", "lastName": "L"},
        {"email": f"noroles.{u}@example.com", "lastName": "L",
         "resource": {"primaryRegionId": reg, "isActive": True}},
        {"email": f"nores.{u}@example.com", "lastName": "L", "roles": ["Resource"]},
        {"email": f"ok.{u}@example.com", "lastName": "L", "roles": ["Resource"],
         "resource": {"primaryRegionId": reg, "isActive": True}},
        # the seed: a resource needs its region and isActive, else this same error
        {"email": f"noregion.{u}@example.com", "lastName": "L", "roles": ["Resource"],
         "resource": {"isActive": True}},
        {"email": f"noactive.{u}@example.com", "lastName": "L", "roles": ["Resource"],
         "resource": {"primaryRegionId": reg, "isActive": None}},
    ]
    r = post(env, t, users)
    emails = ", ".join(f"{p}.{u}@example.com" for p in ["noroles", "nores", "noregion",
                                                          "noactive"])
    assert_body(r, 400, {"errorType": "users_need_resource_role", "message": ROLE_MSG + emails})
    eq(count_users(env, t), 0, "nothing stored")
    eq(env.sql(f"SELECT COUNT(*) FROM mail_outbox m JOIN tenants t ON t.id = m.tenant_id "
               f"WHERE t.oid = {quote(t['id'])}"), [["0"]], "no mail queued")
    # the seed's single-email form
    one = f"solo.{u}@example.com"
    r = post(env, t, [{"email": one, "lastName": "L", "roles": ["Resource"]}])
    assert_body(r, 400, {"errorType": "users_need_resource_role", "message": ROLE_MSG + one})


def test_resource_user_with_every_field(env):
    t = env.new_tenant()
    reg = region(env, t)
    email = f"res.{uniq()}@example.com"
    resource = {"primaryRegionId": reg, "isActive": True, "resourceType": "Person",
                "employmentType": "Full-time", "category": "Nurse",
                "homeAddress": "1 Main St, Brisbane", "mobilePhone": "+61 (0)400 123-456",
                "countryCode": "au", "notificationType": "sms",
                "workingHourType": "Availability", "geoLatitude": -27.4698,
                "geoLongitude": 153.0251, "Skill__c": "Welding", "Level": 3,
                "Certified": False, "Notes": "line1\nline2", "Dropped": None}
    r = post(env, t, [{"email": email, "firstName": "Res", "lastName": "Ource",
                       "roles": ["Resource", "Scheduler"], "resource": resource,
                       "sendInvitation": False}])
    assert_body(r, 200, result(1, 1))
    oid = user_oid(env, t, email)
    row = env.sql_one(f"SELECT g.uuid, r.is_active, r.resource_type, r.employment_type, "
                      f"r.category, r.home_address, r.mobile_phone, r.country_code, "
                      f"r.notification_type, r.working_hour_type, r.geo_latitude, "
                      f"r.geo_longitude, r.custom_fields FROM resources r JOIN regions g ON "
                      f"g.id = r.primary_region_id JOIN users u ON u.id = r.user_id "
                      f"WHERE u.oid = {quote(oid)}")
    eq(row[:10], [reg, "1", "Person", "Full-time", "Nurse", "1 Main St, Brisbane",
                  "+61 (0)400 123-456", "AU", "sms", "Availability"], "resource columns")
    eq([float(row[10]), float(row[11])], [-27.4698, 153.0251], "coordinates")
    eq(json.loads(row[12]), {"Skill__c": "Welding", "Level": 3, "Certified": False,
                             "Notes": "line1\nline2"}, "custom fields (nulls dropped)")
    # no invitation: pending, no token, no mail
    eq(env.sql(f"SELECT u.status, (SELECT COUNT(*) FROM user_tokens k WHERE k.user_id = u.id), "
               f"(SELECT COUNT(*) FROM mail_outbox m WHERE m.user_id = u.id) FROM users u "
               f"WHERE u.oid = {quote(oid)}"), [["pendingNew", "0", "0"]],
       "sendInvitation false: no token, no mail")


# ---- body and limits ----

def test_body_errors(env):
    t = env.new_tenant()
    shape = {"errorType": "bad_request",
             "message": "The request body must be a non-empty JSON array of users"}
    for body in [{}, [], {"email": "a@b.com"}, "x", None]:
        assert_body(post(env, t, body), 400, shape)
    r = env.http("POST", PATH, b"[{\"email\":", auth(t), "application/json")
    eq(r.status, 400, f"malformed JSON {r!r}")
    eq(r.json()["errorType"], "bad_request", "malformed JSON error type")
    check("malformed JSON" in r.json()["message"], f"message names the problem: {r.json()}")
    r = env.http("POST", PATH, b"[]", auth(t), "text/plain")
    eq(r.status, 415, f"wrong media type {r!r}")
    eq(r.json()["errorType"], "unsupported_media_type", "415 error type")
    r = env.http("GET", PATH, headers=auth(t))
    eq(r.status, 405, f"GET {r!r}")
    eq(r.headers.get("allow"), "POST, PATCH", "Allow")
    eq(count_users(env, t), 0, "nothing stored")


def test_over_the_user_limit_stores_nothing(env):
    t = env.new_tenant()
    users = [{"email": f"u{i}@x.io", "lastName": "L"} for i in range(10001)]
    r = post(env, t, users)
    assert_body(r, 400, {"errorType": "bad_request",
                         "message": "Too many users in one request: 10001 (the limit is 10000)"})
    eq(count_users(env, t), 0, "nothing stored")


def test_10000_users_in_one_post(env):
    t = env.new_tenant()
    u = uniq()
    users = [{"email": f"bulk{i}.{u}@example.com", "firstName": f"F{i}", "lastName": "Bulk",
              "roles": ["Scheduler"]} for i in range(10000)]
    t0 = time.time()
    r = post(env, t, users)
    took = time.time() - t0
    assert_body(r, 200, result(10000, 10000))
    check(took < 30, f"10 000 users took {took:.1f}s")
    tid = tenant_db_id(env, t)
    eq(env.sql(f"SELECT COUNT(*), COUNT(DISTINCT email_norm), SUM(status = 'pendingNew') "
               f"FROM users WHERE tenant_id = {tid}"), [["10000", "10000", "10000"]], "users")
    eq(env.sql(f"SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id "
               f"WHERE u.tenant_id = {tid}"), [["10000"]], "one role each")
    eq(env.sql(f"SELECT COUNT(*), COUNT(DISTINCT k.user_id) FROM user_tokens k JOIN users u "
               f"ON u.id = k.user_id WHERE u.tenant_id = {tid}"), [["10000", "10000"]],
       "one token each")
    eq(env.sql(f"SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = {tid} AND "
               f"kind = 'invitation'"), [["10000"]], "one invitation each")
    # a second POST of the same users: every one already exists, nothing is added
    r = post(env, t, users[:3])
    assert_body(r, 200, result(0, 3, {x["email"]: EXISTS for x in users[:3]}))


# ---- PATCH ----

def make_users(env, t, users):
    r = post(env, t, users)
    eq(r.json()["result"]["inserted"], len(users), f"setup insert {r!r}")
    return [user_oid(env, t, x["email"]) for x in users]


def test_patch_names_roles_active_and_unknown_ids(env):
    t, other = env.new_tenant(), env.new_tenant()
    u = uniq()
    a, b = make_users(env, t, [
        {"email": f"a.{u}@example.com", "firstName": "A", "lastName": "Alpha",
         "roles": ["Scheduler"]},
        {"email": f"b.{u}@example.com", "firstName": "B", "lastName": "Beta"}])
    (foreign,) = make_users(env, other, [{"email": f"f.{u}@example.com", "lastName": "F"}])
    r = patch(env, t, {
        a: {"firstName": "Ann", "lastName": "Able", "roles": ["Administrator"],
            "isActive": False},
        b: {},
        foreign: {"lastName": "Hijacked"},
        "0" * 24: {"lastName": "X"},
        "not-an-id": {"lastName": "X"},
        "ABCDEF" + "0" * 18: {"lastName": "X"},
    })
    nf = {"code": "user_not_found", "message": "A user with that id does not exist"}
    assert_body(r, 200, result(0, 6, {foreign: nf, "0" * 24: nf, "not-an-id": nf,
                                      "ABCDEF" + "0" * 18: nf}, updated=2))
    eq(env.sql(f"SELECT first_name, last_name, status FROM users WHERE oid = {quote(a)}"),
       [["Ann", "Able", "inactive"]], "patched")
    eq(roles_of(env, a), ["Administrator"], "roles replaced")
    eq(env.sql(f"SELECT last_name FROM users WHERE oid = {quote(foreign)}"), [["F"]],
       "another tenant's user untouched")
    # reactivating a user who never set a password makes it pending again
    assert_body(patch(env, t, {a: {"isActive": True}}), 200, result(0, 1, updated=1))
    eq(env.sql(f"SELECT status FROM users WHERE oid = {quote(a)}"), [["pendingNew"]], "status")
    # invalid fields are reported per id
    r = patch(env, t, {a: {"lastName": ""}, b: {"roles": "Scheduler"}})
    assert_body(r, 200, result(0, 2, {
        a: {"code": "invalid_user", "message": "Invalid value for field: lastName"},
        b: {"code": "invalid_user", "message": "Invalid value for field: roles"}}))


def test_patch_resource_create_clear_and_custom_fields(env):
    t = env.new_tenant()
    reg, reg2 = region(env, t), region(env, t, "South")
    u = uniq()
    (a,) = make_users(env, t, [{"email": f"a.{u}@example.com", "lastName": "A"}])
    # a resource for a user without one needs primaryRegionId (and isActive)
    r = patch(env, t, {a: {"roles": ["Resource"], "resource": {"isActive": True}}})
    assert_body(r, 200, result(0, 1, {a: {"code": "invalid_user", "message":
                                          "Missing required field: resource.primaryRegionId"}}))
    r = patch(env, t, {a: {"roles": ["Resource"],
                           "resource": {"primaryRegionId": str(uuid.uuid4()), "isActive": True}}})
    eq(r.json()["result"]["failures"][a]["code"], "unknown_region", f"{r!r}")
    r = patch(env, t, {a: {"roles": ["Resource"], "resource": {
        "primaryRegionId": reg, "isActive": True, "category": "Nurse", "countryCode": "NZ",
        "Skill__c": "Welding", "Level": 2}}})
    assert_body(r, 200, result(0, 1, updated=1))
    # null clears a field, custom fields merge (null removes one)
    r = patch(env, t, {a: {"resource": {"category": None, "primaryRegionId": reg2,
                                        "Skill__c": None, "Shift__c": "night"}}})
    assert_body(r, 200, result(0, 1, updated=1))
    row = env.sql_one(f"SELECT g.uuid, r.is_active, r.category, r.country_code, "
                      f"r.custom_fields FROM resources r JOIN regions g ON "
                      f"g.id = r.primary_region_id JOIN users u ON u.id = r.user_id "
                      f"WHERE u.oid = {quote(a)}")
    eq(row[:4], [reg2, "1", None, "NZ"], "resource after the patch")
    eq(json.loads(row[4]), {"Level": 2, "Shift__c": "night"}, "custom fields merged")
    # the two required fields cannot be cleared
    r = patch(env, t, {a: {"resource": {"primaryRegionId": None}}})
    assert_body(r, 200, result(0, 1, {a: {"code": "invalid_user", "message":
                                          "Invalid value for field: resource.primaryRegionId"}}))


def test_patch_email_changes(env):
    t = env.new_tenant()
    u = uniq()
    a, b, m = make_users(env, t, [{"email": f"a.{u}@example.com", "lastName": "A"},
                                  {"email": f"b.{u}@example.com", "lastName": "B"},
                                  {"email": f"m.{u}@example.com", "lastName": "M"}])
    assert_body(patch(env, t, {m: {"isManaged": True}}), 200, result(0, 1, updated=1))
    r = patch(env, t, {a: {"email": f" new.a.{u}@example.com "},
                       b: {"email": f"M.{u}@EXAMPLE.com", "firstName": "NotApplied"},
                       m: {"email": f"new.m.{u}@example.com"}})
    assert_body(r, 200, result(0, 3, {
        b: EXISTS,
        m: {"code": "invalid_user",
            "message": "Invalid value for field: email (the user is managed)"}}, updated=1))
    for oid, email in [(a, f"new.a.{u}@example.com"), (b, f"b.{u}@example.com"),
                       (m, f"m.{u}@example.com")]:
        eq(env.sql(f"SELECT email, first_name FROM users WHERE oid = {quote(oid)}"),
           [[email, None]], f"user {oid} after the patch")


def test_patch_role_mismatch_fails_whole_request(env):
    t = env.new_tenant()
    reg = region(env, t)
    u = uniq()
    a, b = make_users(env, t, [
        {"email": f"a.{u}@example.com", "lastName": "A", "roles": ["Resource"],
         "resource": {"primaryRegionId": reg, "isActive": True}},
        {"email": f"b.{u}@example.com", "lastName": "B"}])
    r = patch(env, t, {a: {"roles": ["Scheduler"]}, b: {"lastName": "Changed"}})
    assert_body(r, 400, {"errorType": "users_need_resource_role",
                         "message": ROLE_MSG + f"a.{u}@example.com"})
    eq(roles_of(env, a), ["Resource"], "nothing applied")
    eq(env.sql(f"SELECT last_name FROM users WHERE oid = {quote(b)}"), [["B"]],
       "nothing applied to the other user either")


def test_patch_body_errors(env):
    t = env.new_tenant()
    msg = {"errorType": "bad_request",
           "message": "The request body must be a non-empty JSON object keyed by user id"}
    for body in [{}, [], [{"id": "x"}], "x"]:
        assert_body(patch(env, t, body), 400, msg)
