"""ServicePower POST /seiapi/v3/bulk/Users (seed 001, docs/CONTRACT.md section 6): every CUD path,
Deleted, absent Roles/Password left alone, reset passwords, all-or-nothing batches, warnings,
every validation message with its dataPath and params.value, and the transport envelopes.
Bodies are compared exactly; storage is checked in the database."""
import json
import os

from harness import check, eq, quote
from servicepower_util import (PATH, err, expect, jwt, mint, missing_warning, ok, post, snapshot,
                               tenant_id, uniq, unknown_warning, user_roles, user_row,
                               crypt_matches)


def full_user(uid, email, **over):
    u = {"UserID": uid, "FirstName": "Ann", "LastName": "Lee", "Email": email,
         "Password": "first pass 1", "Roles": ["Resource", "Scheduler"],
         "Activated": True, "Locked": False, "IsMobileWorker": True, "LanguageCode": "en-US",
         "DGroupID": "DG-7", "ServiceTeamID": "TEAM 1", "StorageLocationID": "VAN-12",
         "SMS": True, "FaceTime": False, "Status": "Available",
         "Phones": [{"PhoneNum": "+1 (555) 010-0001", "PhoneType": "Mobile"},
                    {"PhoneNum": "555 0002", "PhoneType": "Work"}],
         "Extensions": {"shift": "night", "badge": 42, "tags": ["a", "b"], "x/y": None}}
    u.update(over)
    return u


def attrs(env, t, uid):
    rows = env.sql(f"SELECT a.language_code, a.mobile_worker, a.dispatch_group_id, "
                   f"a.service_team_id, a.storage_location_id, a.sms_enabled, "
                   f"a.facetime_enabled, a.work_status, a.extensions FROM user_attributes a "
                   f"JOIN users u ON u.id = a.user_id WHERE u.tenant_id = {tenant_id(env, t)} "
                   f"AND u.username = {quote(uid)}")
    return rows[0] if rows else None


def phones(env, t, uid):
    return env.sql(f"SELECT p.position, p.number, p.type FROM user_phones p JOIN users u "
                   f"ON u.id = p.user_id WHERE u.tenant_id = {tenant_id(env, t)} AND "
                   f"u.username = {quote(uid)} ORDER BY p.position")


def test_cud1_inserts_every_property(env):
    t = env.new_tenant()
    uid, email = "tech-" + uniq(), f"ann.{uniq()}@example.com"
    r = post(env, t, [full_user(uid, email, CUD=1)])
    expect(r, 200, ok(inserted=1))
    row = user_row(env, t, uid)
    eq(row[:3], [email, "Ann", "Lee"], "names and email")
    check(row[3].startswith("$y$") and crypt_matches("first pass 1", row[3]),
          f"password stored as a yescrypt hash of the given password: {row[3]}")
    eq(row[4:], ["active", "0", "servicepower"], "status, locked, origin")
    eq(user_roles(env, t, uid), ["Resource", "Scheduler"], "roles")
    eq(phones(env, t, uid), [["0", "+1 (555) 010-0001", "Mobile"], ["1", "555 0002", "Work"]],
       "phones in order")
    a = attrs(env, t, uid)
    eq(a[:8], ["en-US", "1", "DG-7", "TEAM 1", "VAN-12", "1", "0", "Available"], "attributes")
    eq(json.loads(a[8]), {"shift": "night", "badge": 42, "tags": ["a", "b"], "x/y": None},
       "Extensions kept as JSON")
    check("first pass 1" not in json.dumps(snapshot(env, t)), "clear password stored")


def test_cud1_minimal_user_defaults(env):
    t = env.new_tenant()
    uid = "m-" + uniq()
    expect(post(env, t, [{"UserID": uid, "CUD": 1, "Email": f"{uid}@example.com"}]), 200,
           ok(inserted=1))
    # without a Password it waits for the invitation (test_servicepower_invite.py)
    eq(user_row(env, t, uid), [f"{uid}@example.com", None, None, None, "pendingNew", "0",
                               "servicepower"], "a user with only the required properties")
    eq(user_roles(env, t, uid), [], "no roles")
    eq(attrs(env, t, uid), None, "no attribute row when no attribute was given")
    eq(phones(env, t, uid), [], "no phones")


def test_cud1_existing_userid_is_409_and_nothing_applied(env):
    t = env.new_tenant()
    uid = "dup-" + uniq()
    expect(post(env, t, [{"UserID": uid, "Email": f"{uid}@example.com", "CUD": 1}]), 200,
           ok(inserted=1))
    before = snapshot(env, t)
    users = [{"UserID": "new-" + uniq(), "Email": f"n{uniq()}@example.com", "CUD": 1},
             {"UserID": uid, "CUD": 2, "FirstName": "Changed"},
             {"UserID": uid + "x", "CUD": 3},
             {"UserID": uid, "Email": f"other{uniq()}@example.com", "CUD": 1}]
    # the same UserID twice is refused first, as a request error
    expect(post(env, t, users), 400,
           err(400, "UserID appears more than once in the request", "Users[3].UserID", uid))
    users.pop(1)
    expect(post(env, t, users), 409, err(409, "UserID already exists", "Users[2].UserID", uid))
    eq(snapshot(env, t), before, "nothing of the batch was applied")


def test_cud2_updates_only_what_is_given_and_inserts_missing(env):
    t = env.new_tenant()
    a, b = "a-" + uniq(), "b-" + uniq()
    ea = f"{a}@example.com"
    expect(post(env, t, [full_user(a, ea, CUD=1)]), 200, ok(inserted=1))
    h1 = user_row(env, t, a)[3]
    r = post(env, t, [{"UserID": a, "CUD": 2, "LastName": "Lee-Smith", "Locked": True,
                       "Activated": False, "SMS": False, "Status": "Off"},
                      {"UserID": b, "Email": f"{b}@example.com", "FirstName": "Bo"}])
    expect(r, 200, ok(inserted=1, updated=1))
    eq(user_row(env, t, a), [ea, "Ann", "Lee-Smith", h1, "inactive", "1", "servicepower"],
       "updated user: given properties changed, others kept")
    eq(user_roles(env, t, a), ["Resource", "Scheduler"], "roles kept (Roles absent)")
    eq(phones(env, t, a)[0][1], "+1 (555) 010-0001", "phones kept (Phones absent)")
    at = attrs(env, t, a)
    eq(at[:8], ["en-US", "1", "DG-7", "TEAM 1", "VAN-12", "0", "0", "Off"], "attributes merged")
    eq(json.loads(at[8])["shift"], "night", "Extensions kept (absent)")
    eq(user_row(env, t, b)[:3], [f"{b}@example.com", "Bo", None], "missing CUD means 2: insert")
    # JSON null is the same as absent: nothing changes
    expect(post(env, t, [{"UserID": a, "FirstName": None, "Roles": None, "Password": None,
                          "Phones": None, "Extensions": None}]), 200, ok(updated=1))
    eq(user_row(env, t, a)[1], "Ann", "null leaves FirstName")
    eq(user_roles(env, t, a), ["Resource", "Scheduler"], "null leaves Roles")


def test_roles_phones_extensions_replace_when_given(env):
    t = env.new_tenant()
    uid = "r-" + uniq()
    expect(post(env, t, [full_user(uid, f"{uid}@example.com")]), 200, ok(inserted=1))
    expect(post(env, t, [{"UserID": uid, "Roles": ["Administrator"],
                          "Phones": [{"PhoneNum": "999"}], "Extensions": {"k": "v"}}]), 200,
           ok(updated=1))
    eq(user_roles(env, t, uid), ["Administrator"], "Roles replaced")
    eq(phones(env, t, uid), [["0", "999", None]], "Phones replaced, PhoneType optional")
    eq(json.loads(attrs(env, t, uid)[8]), {"k": "v"}, "Extensions replaced")
    expect(post(env, t, [{"UserID": uid, "Roles": [], "Phones": [], "Extensions": {}}]), 200,
           ok(updated=1))
    eq(user_roles(env, t, uid), [], "Roles [] clears")
    eq(phones(env, t, uid), [], "Phones [] clears")
    eq(json.loads(attrs(env, t, uid)[8]), {}, "Extensions {}")
    # a role by uuid, the same role twice (name and uuid), and a custom role of the tenant
    custom = env.provctl_json("role", "add", "--tenant", t["id"], "--name", "Dispatcher",
                              "--json")["id"]
    resource = env.sql_one("SELECT uuid FROM roles WHERE tenant_id IS NULL AND "
                           "name = 'Resource'")[0]
    expect(post(env, t, [{"UserID": uid, "Roles": [resource, "Resource", custom]}]), 200,
           ok(updated=1))
    eq(user_roles(env, t, uid), ["Dispatcher", "Resource"], "uuid, name and custom role")


def test_absent_password_keeps_hash_given_password_replaces(env):
    t = env.new_tenant()
    uid = "p-" + uniq()
    expect(post(env, t, [{"UserID": uid, "Email": f"{uid}@example.com",
                          "Password": "one two three"}]), 200, ok(inserted=1))
    h1 = user_row(env, t, uid)[3]
    expect(post(env, t, [{"UserID": uid, "FirstName": "X"}]), 200, ok(updated=1))
    eq(user_row(env, t, uid)[3], h1, "hash unchanged when Password is absent")
    expect(post(env, t, [{"UserID": uid, "Password": "four five six"}]), 200, ok(updated=1))
    h2 = user_row(env, t, uid)[3]
    check(h2 != h1 and crypt_matches("four five six", h2), "new password hashed and stored")


def test_cud3_deletes_and_missing_is_a_warning(env):
    t = env.new_tenant()
    a, b = "d-" + uniq(), "d-" + uniq()
    expect(post(env, t, [full_user(a, f"{a}@example.com"),
                         {"UserID": b, "Email": f"{b}@example.com"}]), 200, ok(inserted=2))
    gone = "never-" + uniq()
    r = post(env, t, [{"UserID": gone, "CUD": 3}, {"UserID": a, "CUD": 3},
                      {"UserID": b, "Deleted": True}])
    expect(r, 200, ok(deleted=2, warnings=[missing_warning(0, gone)]))
    s = snapshot(env, t)
    eq([s["users"], s["roles"], s["phones"], s["attrs"]], [[], [], [], []],
       "users and everything they own deleted")


def test_deleted_flag_and_cud_must_agree(env):
    t = env.new_tenant()
    uid = "f-" + uniq()
    expect(post(env, t, [{"UserID": uid, "Email": f"{uid}@example.com", "Deleted": False}]),
           200, ok(inserted=1))
    before = snapshot(env, t)
    expect(post(env, t, [{"UserID": uid, "CUD": 2, "Deleted": True}]), 400,
           err(400, "Deleted contradicts CUD", "Users[0].Deleted", "true"))
    expect(post(env, t, [{"UserID": uid, "CUD": 3, "Deleted": False}]), 400,
           err(400, "Deleted contradicts CUD", "Users[0].Deleted", "false"))
    eq(snapshot(env, t), before, "nothing changed")
    expect(post(env, t, [{"UserID": uid, "CUD": 3, "Deleted": True}]), 200, ok(deleted=1))


def test_reset_password_generates_mails_and_hashes(env):
    t = env.new_tenant()
    a, b = "rp-" + uniq(), "rp-" + uniq()
    ea, eb = f"{a}@example.com", f"{b}@example.com"
    expect(post(env, t, [{"UserID": a, "Email": ea, "FirstName": "Ann", "Password": "old pw 1"},
                         {"UserID": b, "Email": eb, "ResetPassword": True,
                          "Password": "ignored pw"}]), 200, ok(inserted=2))
    h_old = user_row(env, t, a)[3]
    r = post(env, t, [{"UserID": a, "RestPassword": True, "Password": "also ignored"}])
    expect(r, 200, ok(updated=1))
    tid = tenant_id(env, t)
    mails = env.sql(f"SELECT u.username, m.kind, m.recipient, m.subject, HEX(m.body), "
                    f"m.has_secret, m.status FROM mail_outbox m JOIN users u ON u.id = m.user_id "
                    f"WHERE m.tenant_id = {tid} ORDER BY m.id")
    eq([m[:4] + m[5:] for m in mails],
       [[b, "password", eb, "Your new password", "1", "pending"],
        [a, "password", ea, "Your new password", "1", "pending"]], "one password mail each")
    for (uid, *_), body in zip(mails, [m[4] for m in mails]):
        lines = bytes.fromhex(body).decode().split("\n")
        check(lines[0] == ("Hello Ann," if uid == a else f"Hello {b},"), f"greeting: {body!r}")
        pw = lines[lines.index("Your password has been reset. Your new password is:") + 2]
        h = user_row(env, t, uid)[3]
        check(len(pw) == 16 and crypt_matches(pw, h),
              f"the mailed password is the stored hash's: {pw!r}")
        check(pw not in r.text, "password not in the response")
        for f in os.listdir(os.path.join(env.var, "log")):
            with open(os.path.join(env.var, "log", f), "rb") as fh:
                check(pw.encode() not in fh.read(), f"password in log {f}")
        check(pw not in json.dumps({k: v for k, v in snapshot(env, t).items()}),
              "clear password stored outside the outbox")
    check(user_row(env, t, a)[3] != h_old, "hash changed")
    for ignored in ("ignored pw", "also ignored"):
        check(not crypt_matches(ignored, user_row(env, t, a)[3]) and
              not crypt_matches(ignored, user_row(env, t, b)[3]), "Password ignored on reset")


def test_all_or_nothing_invalid_user(env):
    t = env.new_tenant()
    keep = "k-" + uniq()
    expect(post(env, t, [full_user(keep, f"{keep}@example.com")]), 200, ok(inserted=1))
    before = snapshot(env, t)
    users = [{"UserID": "ok-" + uniq(), "Email": f"{uniq()}@example.com", "CUD": 1},
             {"UserID": keep, "CUD": 3},
             {"UserID": keep + "2", "CUD": 2, "Email": "not-an-email"},
             {"UserID": "ok-" + uniq(), "Email": f"{uniq()}@example.com"}]
    expect(post(env, t, users), 400,
           err(400, "Email must be a valid email address", "Users[2].Email", "not-an-email"))
    eq(snapshot(env, t), before, "the valid users were not applied either")


def test_email_conflicts(env):
    t = env.new_tenant()
    a, b, z = "e-" + uniq(), "e-" + uniq(), "e-" + uniq()
    ea, eb = f"{a}@example.com", f"{b}@example.com"
    expect(post(env, t, [{"UserID": a, "Email": ea}, {"UserID": b, "Email": eb},
                         {"UserID": z, "Email": f"{z}@example.com", "Roles": ["Resource"]}]),
           200, ok(inserted=3))
    before = snapshot(env, t)
    # an insert and an update taking someone else's email (case-insensitively)
    c = "e-" + uniq()
    expect(post(env, t, [{"UserID": c, "Email": f"{c}@example.com"},
                         {"UserID": "e-" + uniq(), "Email": ea.upper()}]), 409,
           err(409, "Email is already used by another user", "Users[1].Email", ea.upper()))
    expect(post(env, t, [{"UserID": c, "Email": f"{c}@example.com"},
                         {"UserID": b, "Email": " " + ea + " "}]), 409,
           err(409, "Email is already used by another user", "Users[1].Email", ea))
    # the delete runs before the failing update: it is rolled back with it
    expect(post(env, t, [{"UserID": z, "CUD": 3}, {"UserID": c, "Email": f"{c}@example.com"},
                         {"UserID": b, "Email": ea}]), 409,
           err(409, "Email is already used by another user", "Users[2].Email", ea))
    # twice in one request
    expect(post(env, t, [{"UserID": "x" + uniq(), "Email": "Same@Example.com"},
                         {"UserID": "y" + uniq(), "Email": "same@example.com"}]), 400,
           err(400, "Email appears more than once in the request", "Users[1].Email",
               "same@example.com"))
    eq(snapshot(env, t), before, "nothing applied")
    # a user keeps its own email; a deleted user's email can be taken in the same batch
    d = "e-" + uniq()
    expect(post(env, t, [{"UserID": a, "Email": ea.upper(), "CUD": 2},
                         {"UserID": b, "CUD": 3, "Email": eb},
                         {"UserID": d, "Email": eb, "CUD": 1}]), 200,
           ok(inserted=1, updated=1, deleted=1))
    eq(user_row(env, t, a)[0], ea.upper(), "email stored as given")
    eq(user_row(env, t, d)[0], eb, "the deleted user's email reused")


def test_email_required_to_insert(env):
    t = env.new_tenant()
    a = "n-" + uniq()
    expect(post(env, t, [{"UserID": a, "Email": f"{a}@example.com"}]), 200, ok(inserted=1))
    before = snapshot(env, t)
    b = "n-" + uniq()
    expect(post(env, t, [{"UserID": a, "FirstName": "Upd"}, {"UserID": b, "FirstName": "New"}]),
           400, err(400, "Email is required to insert a user", "Users[1].Email", ""))
    expect(post(env, t, [{"UserID": b, "CUD": 1}]), 400,
           err(400, "Email is required to insert a user", "Users[0].Email", ""))
    eq(snapshot(env, t), before, "nothing applied")
    expect(post(env, t, [{"UserID": a, "FirstName": "Upd"}]), 200, ok(updated=1))


def test_unknown_roles(env):
    t, other = env.new_tenant(), env.new_tenant()
    foreign = env.provctl_json("role", "add", "--tenant", other["id"], "--name", "Theirs",
                               "--json")["id"]
    uid = "ro-" + uniq()
    before = snapshot(env, t)
    expect(post(env, t, [{"UserID": uid, "Email": f"{uid}@example.com",
                          "Roles": ["Resource", "Nope"]}]), 400,
           err(400, "Unknown role", "Users[0].Roles[1]", "Nope"))
    expect(post(env, t, [{"UserID": uid, "Email": f"{uid}@example.com", "Roles": [foreign]}]),
           400, err(400, "Unknown role", "Users[0].Roles[0]", foreign))
    expect(post(env, t, [{"UserID": uid, "Email": f"{uid}@example.com", "Roles": ["Theirs"]}]),
           400, err(400, "Unknown role", "Users[0].Roles[0]", "Theirs"))
    expect(post(env, t, [{"UserID": uid, "Email": f"{uid}@example.com",
                          "Roles": ["resource"]}]), 400,
           err(400, "Unknown role", "Users[0].Roles[0]", "resource"))
    eq(snapshot(env, t), before, "nothing applied")


def test_unknown_properties_are_warnings(env):
    t = env.new_tenant()
    uid = "w-" + uniq()
    r = post(env, t, body={"Users": [{"UserID": uid, "Email": f"{uid}@example.com",
                                      "Nickname": "Al",
                                      "Phones": [{"PhoneNum": "1", "Ext": "9"}]}],
                           "Batch": 7})
    expect(r, 200, ok(inserted=1, warnings=[
        unknown_warning("Batch", "Batch"),
        unknown_warning("Users[0].Nickname", "Nickname"),
        unknown_warning("Users[0].Phones[0].Ext", "Ext")]))


LONG = "x" * 256
VALIDATION = [
    # (user, message, dataPath, params.value)
    ({}, "UserID is required", "Users[0].UserID", ""),
    ({"UserID": None}, "UserID is required", "Users[0].UserID", ""),
    ({"UserID": 12}, "UserID must be a string", "Users[0].UserID", "12"),
    ({"UserID": ""}, "UserID must be text without control characters, of 1 to 255 bytes",
     "Users[0].UserID", ""),
    ({"UserID": LONG}, "UserID must be text without control characters, of 1 to 255 bytes",
     "Users[0].UserID", LONG),
    ({"UserID": "a\tb"}, "UserID must be text without control characters, of 1 to 255 bytes",
     "Users[0].UserID", "a\tb"),
    ({"UserID": "u", "CUD": 4}, "CUD must be 1 (insert), 2 (update or insert) or 3 (delete)",
     "Users[0].CUD", "4"),
    ({"UserID": "u", "CUD": "1"}, "CUD must be 1 (insert), 2 (update or insert) or 3 (delete)",
     "Users[0].CUD", "1"),
    ({"UserID": "u", "CUD": 1.0}, "CUD must be 1 (insert), 2 (update or insert) or 3 (delete)",
     "Users[0].CUD", "1.0"),
    ({"UserID": "u", "Deleted": "yes"}, "Deleted must be true or false", "Users[0].Deleted",
     "yes"),
    ({"UserID": "u", "FirstName": ["A"]}, "FirstName must be a string", "Users[0].FirstName",
     "[\"A\"]"),
    ({"UserID": "u", "LastName": "L\u0007"},
     "LastName must be text without control characters, of 1 to 255 bytes",
     "Users[0].LastName", "L\u0007"),
    ({"UserID": "u", "Email": "a@b"}, "Email must be a valid email address", "Users[0].Email",
     "a@b"),
    ({"UserID": "u", "Email": 5}, "Email must be a string", "Users[0].Email", "5"),
    ({"UserID": "u", "Password": ""},
     "Password must be text without control characters, of 1 to 256 bytes",
     "Users[0].Password", ""),
    ({"UserID": "u", "Password": 123456}, "Password must be a string", "Users[0].Password", ""),
    ({"UserID": "u", "Roles": "Resource"}, "Roles must be an array", "Users[0].Roles",
     "Resource"),
    ({"UserID": "u", "Roles": ["Resource", 3]}, "Roles[1] must be a string",
     "Users[0].Roles[1]", "3"),
    ({"UserID": "u", "Roles": ["x"] * 101}, "Roles holds too many items; the limit is 100",
     "Users[0].Roles", ""),
    ({"UserID": "u", "RestPassword": "true"}, "RestPassword must be true or false",
     "Users[0].RestPassword", "true"),
    ({"UserID": "u", "ResetPassword": 1}, "ResetPassword must be true or false",
     "Users[0].ResetPassword", "1"),
    ({"UserID": "u", "Activated": None, "Locked": "no"}, "Locked must be true or false",
     "Users[0].Locked", "no"),
    ({"UserID": "u", "IsMobileWorker": 0}, "IsMobileWorker must be true or false",
     "Users[0].IsMobileWorker", "0"),
    ({"UserID": "u", "LanguageCode": "english"},
     "LanguageCode must be a language tag such as en-US", "Users[0].LanguageCode", "english"),
    ({"UserID": "u", "LanguageCode": "en-"},
     "LanguageCode must be a language tag such as en-US", "Users[0].LanguageCode", "en-"),
    ({"UserID": "u", "DGroupID": 7}, "DGroupID must be a string", "Users[0].DGroupID", "7"),
    ({"UserID": "u", "ServiceTeamID": "t" * 65},
     "ServiceTeamID must be text without control characters, of 1 to 64 bytes",
     "Users[0].ServiceTeamID", "t" * 65),
    ({"UserID": "u", "StorageLocationID": ""},
     "StorageLocationID must be text without control characters, of 1 to 64 bytes",
     "Users[0].StorageLocationID", ""),
    ({"UserID": "u", "SMS": "on"}, "SMS must be true or false", "Users[0].SMS", "on"),
    ({"UserID": "u", "FaceTime": {}}, "FaceTime must be true or false", "Users[0].FaceTime",
     "{}"),
    ({"UserID": "u", "Status": True}, "Status must be a string", "Users[0].Status", "true"),
    ({"UserID": "u", "Phones": {"PhoneNum": "1"}}, "Phones must be an array", "Users[0].Phones",
     "{\"PhoneNum\":\"1\"}"),
    ({"UserID": "u", "Phones": ["555"]}, "Phones[0] must be an object", "Users[0].Phones[0]",
     "555"),
    ({"UserID": "u", "Phones": [{"PhoneType": "Mobile"}]}, "PhoneNum is required",
     "Users[0].Phones[0].PhoneNum", ""),
    ({"UserID": "u", "Phones": [{"PhoneNum": "1"}, {"PhoneNum": "call me"}]},
     "PhoneNum must be a phone number of digits, spaces and + - ( ) . / # * x, at most 32 bytes",
     "Users[0].Phones[1].PhoneNum", "call me"),
    ({"UserID": "u", "Phones": [{"PhoneNum": 5550100}]}, "PhoneNum must be a string",
     "Users[0].Phones[0].PhoneNum", "5550100"),
    ({"UserID": "u", "Phones": [{"PhoneNum": "1", "PhoneType": 2}]}, "PhoneType must be a string",
     "Users[0].Phones[0].PhoneType", "2"),
    ({"UserID": "u", "Phones": [{"PhoneNum": "1"}] * 21},
     "Phones holds too many items; the limit is 20", "Users[0].Phones", ""),
    ({"UserID": "u", "Extensions": ["a"]}, "Extensions must be an object",
     "Users[0].Extensions", "[\"a\"]"),
    ({"UserID": "u", "Extensions": {"": 1}},
     "Extensions names must be text without control characters, of 1 to 255 bytes",
     "Users[0].Extensions", ""),
    ({"UserID": "u", "Extensions": {"k": "v" * 70000}},
     "Extensions is too large; the limit is 65535 bytes of JSON", "Users[0].Extensions", ""),
]


def test_validation_messages(env):
    t = env.new_tenant()
    before = snapshot(env, t)
    ok_user = {"UserID": "fine-" + uniq(), "Email": f"{uniq()}@example.com"}
    for user, message, path, value in VALIDATION:
        # the bad user comes second: the path names its index, the first is not applied
        r = post(env, t, [ok_user, user])
        expect(r, 400, err(400, message, path.replace("Users[0]", "Users[1]"), value))
    eq(snapshot(env, t), before, "nothing applied")


def test_echoed_values_are_bounded(env):
    t = env.new_tenant()
    r = post(env, t, [{"UserID": "u", "FirstName": "é" * 300}])
    eq(r.status, 400, f"status {r!r}")
    eq(r.json()["detail"]["params"]["value"], "é" * 128, "at most 256 bytes, whole characters")


def test_names_are_counted_in_characters(env):
    # FirstName fills users.first_name, bounded in characters (255, the vendor's bound): 255
    # two-byte characters (510 bytes) are stored whole, 256 are refused and nothing is applied
    t = env.new_tenant()
    uid = "chars-" + uniq()
    first, last = "é" * 255, "\U0001F600" * 255     # 510 bytes; 1 020 bytes
    expect(post(env, t, [{"UserID": uid, "CUD": 1, "Email": f"{uid}@example.com",
                          "FirstName": first, "LastName": last}]), 200, ok(inserted=1))
    eq(user_row(env, t, uid)[1:3], [first, last], "stored whole")
    before = snapshot(env, t)
    r = post(env, t, [{"UserID": uid, "FirstName": "é" * 256}])
    expect(r, 400, err(400, "FirstName must be text without control characters, of 1 to 255 "
                       "bytes", "Users[0].FirstName", "é" * 128))
    eq(snapshot(env, t), before, "nothing applied")


def test_envelope_errors(env):
    t = env.new_tenant()
    cases = [
        ([], "The request body must be a JSON object with a Users array", ""),
        ("null", "The request body must be a JSON object with a Users array", ""),
        ({}, "Users is required", "Users"),
        ({"Users": None}, "Users is required", "Users"),
        ({"Users": {}}, "Users must be an array of user objects", "Users"),
        ({"Users": []}, "Users must hold at least one user", "Users"),
    ]
    for body, message, path in cases:
        expect(post(env, t, body=body), 400, err(400, message, path))
    expect(post(env, t, [{"UserID": "a"}, "b"]), 400,
           err(400, "Each user must be a JSON object", "Users[1]", "b"))
    expect(post(env, t, [None]), 400, err(400, "Each user must be a JSON object", "Users[0]",
                                           "null"))
    too_many = [{"UserID": f"u{i}"} for i in range(10001)]
    expect(post(env, t, too_many), 400,
           err(400, "Too many users in one request; the limit is 10000", "Users", "10001"))
    eq(snapshot(env, t)["users"], [], "nothing stored")


def test_transport_errors(env):
    t = env.new_tenant()
    r = env.http("GET", PATH, headers=jwt(t))
    expect(r, 405, err(405, "Method GET is not allowed here; allowed: POST"))
    eq(r.headers.get("allow"), "POST", "Allow header")
    r = env.http("PUT", PATH, b"{}", jwt(t), "application/json")
    expect(r, 405, err(405, "Method PUT is not allowed here; allowed: POST"))
    expect(env.http("POST", "/seiapi/v3/bulk/Userz", b"{}", jwt(t), "application/json"), 404,
           err(404, "No such resource"))
    expect(env.http("POST", PATH, b"Users=1", jwt(t), "application/x-www-form-urlencoded"), 415,
           err(415, "Unsupported Content-Type: application/x-www-form-urlencoded"))
    expect(env.http("POST", PATH, b"{}", jwt(t), "text/plain"), 415,
           err(415, "Unsupported Content-Type: text/plain"))
    expect(env.http("POST", PATH, b'{"Users":[', jwt(t), "application/json"), 400,
           err(400, "malformed JSON at byte 10: unexpected end of data"))
    n = 8 * 1024 * 1024 + 1
    head = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nx-access-token: {mint(t)}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {n}\r\n"
            f"Connection: close\r\n\r\n").encode()
    # every server answers only once the whole body has come, as from a real client
    r = env.raw(head + b'{"Users":[' + b" " * (n - 10))
    expect(r, 413, err(413, "Request body larger than the limit of 8388608 bytes"))
    eq(snapshot(env, t)["users"], [], "nothing stored")
