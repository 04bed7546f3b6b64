"""SOAJS urac PUT /urac/admin/users/invite (seed 004, docs/CONTRACT.md section 10.5): every code
and reason with exact messages and JSON shapes, lookup rules, tenancy isolation, groups, pins
(hashed, unique, mailed), one transaction per item, concurrency; storage checked in the database.
"""
import hashlib
import hmac
import json
import random
import re
import threading
import uuid

from harness import check, eq, quote, with_trigger

PATH = "/urac/admin/users/invite"
NO_ID = "Cannot invite a user without providing its id or username."
NOT_FOUND = "Unable to find user."
HOME = "User is already in the tenant tenancy."
INVITED = "User has already been invited."
NO_PIN = "Failed to generate pin at this."


def uniq():
    return uuid.uuid4().hex[:10]


def key(t):
    return {"key": t["soajs"]["key"]}


def tenancy(env):
    """A main tenant with two sub-tenants."""
    main = env.new_tenant()
    sub = env.new_tenant(parent=main["id"])
    sub2 = env.new_tenant(parent=main["id"])
    return main, sub, sub2


def add_user(env, home, key_tenant=None, **over):
    """A user created through addUser in tenant `home`; returns {id, username, email}."""
    u = uniq()
    f = {"username": "u_" + u, "firstName": "Ann", "lastName": "Lee",
         "email": f"ann.{u}@example.com", "tId": home["id"], "tCode": home["code"]}
    f.update(over)
    r = env.post_json("/urac/admin/addUser", f, key(key_tenant or home))
    body = r.json()
    check(body.get("result") is True, f"addUser failed: {r!r}")
    return {"id": body["data"]["id"], "username": f["username"], "email": f["email"]}


def invite(env, t, users):
    return env.post_json(PATH, {"users": users}, key(t), method="PUT")


def ok_data(r):
    eq(r.status, 200, f"HTTP status of {r!r}")
    eq(r.headers.get("content-type"), "application/json; charset=utf-8", "Content-Type")
    eq(r.headers.get("cache-control"), "no-store", "Cache-Control")
    body = r.json()
    eq(list(body.keys()), ["result", "data"], f"envelope keys of {body}")
    eq(body["result"], True, "result")
    eq(list(body["data"].keys()), ["succeeded", "failed"], "data keys")
    return body["data"]


def assert_error(r, code, message):
    eq(r.status, 200, f"HTTP status of {r!r}")
    eq(r.json(), {"result": False, "errors": {"codes": [code], "details": [
        {"code": code, "message": message}]}}, "error body")


def memberships(env, t):
    return [row[0] for row in env.sql(
        f"SELECT u.oid FROM memberships m JOIN users u ON u.id = m.user_id "
        f"JOIN tenants t ON t.id = m.tenant_id WHERE t.oid = {quote(t['id'])} ORDER BY u.oid")]


def count(env, table, t, extra=""):
    return int(env.sql_one(
        f"SELECT COUNT(*) FROM {table} x JOIN tenants t ON t.id = x.tenant_id "
        f"WHERE t.oid = {quote(t['id'])} {extra}")[0])


def pin_salt(env, t):
    return env.sql_one(f"SELECT pin_salt FROM tenants WHERE oid = {quote(t['id'])}")[0]


def pin_hash(salt, pin):
    return hmac.new(salt.encode(), pin.encode(), hashlib.sha256).hexdigest()


def tenant_row_id(env, t):
    return env.sql_one(f"SELECT id FROM tenants WHERE oid = {quote(t['id'])}")[0]


# ---- success and the identifiers ----

def test_invite_by_id_username_email_exact_answer_and_storage(env):
    main, sub, _ = tenancy(env)
    a, b, c = add_user(env, main), add_user(env, main), add_user(env, main)
    r = invite(env, sub, [{"user": {"id": a["id"]}}, {"user": {"username": b["username"]}},
                          {"user": {"email": c["email"]}}])
    data = ok_data(r)
    eq(data, {"succeeded": [{"id": a["id"]}, {"username": b["username"]},
                            {"email": c["email"]}], "failed": []}, "invite answer")
    eq(memberships(env, sub), sorted([a["id"], b["id"], c["id"]]), "memberships of the sub")
    eq(memberships(env, main), [], "nothing added to the main tenant")
    eq(count(env, "pins", sub), 0, "no pin asked, none stored")
    eq(count(env, "mail_outbox", sub), 0, "no mail for an invitation without pin")
    eq(env.sql(f"SELECT t.oid FROM users u JOIN tenants t ON t.id = u.tenant_id "
               f"WHERE u.oid = {quote(a['id'])}"), [[main["id"]]], "home tenant unchanged")


def test_username_or_email_value_matches_either_column(env):
    main, sub, _ = tenancy(env)
    a, b = add_user(env, main), add_user(env, main)
    # a user whose username looks like an email (another dialect may store such names)
    odd = uniq()
    env.sql(f"INSERT INTO users (oid, tenant_id, username, email, origin) VALUES "
            f"({quote(odd + '00000000000000')}, {tenant_row_id(env, main)}, "
            f"{quote(f'boss.{odd}@corp.io')}, {quote(f'real.{odd}@corp.io')}, 'admin')")
    r = invite(env, sub, [
        {"user": {"username": a["email"].upper()}},        # username value, email column
        {"user": {"email": f"  {b['email'].upper()}  "}},  # trimmed, case-insensitive
        {"user": {"email": f"boss.{odd}@corp.io"}},        # email value, username column
    ])
    eq(ok_data(r), {"succeeded": [{"username": a["email"].upper()},
                                  {"email": f"  {b['email'].upper()}  "},
                                  {"email": f"boss.{odd}@corp.io"}], "failed": []},
       "answer echoes each identifier as sent")
    eq(memberships(env, sub), sorted([a["id"], b["id"], odd + "00000000000000"]),
       "all three found")


def test_lookup_order_id_then_username_then_email(env):
    main, sub, _ = tenancy(env)
    a, b, c = add_user(env, main), add_user(env, main), add_user(env, main)
    r = invite(env, sub, [
        {"user": {"email": c["email"], "username": b["username"], "id": a["id"]}},
        {"user": {"email": c["email"], "username": b["username"]}},
        {"user": {"id": None, "username": None, "email": c["email"]}},
    ])
    eq(ok_data(r), {"succeeded": [{"id": a["id"]}, {"username": b["username"]},
                                  {"email": c["email"]}], "failed": []}, "identifier used")
    eq(memberships(env, sub), sorted([a["id"], b["id"], c["id"]]), "the right users")


def test_upper_case_id_finds_the_user_and_failures_carry_its_id(env):
    main, sub, _ = tenancy(env)
    a = add_user(env, main)
    up = a["id"].upper()
    eq(ok_data(invite(env, sub, [{"user": {"id": up}}])),
       {"succeeded": [{"id": up}], "failed": []}, "upper-case id")
    data = ok_data(invite(env, sub, [{"user": {"id": up}}]))
    eq(data, {"succeeded": [], "failed": [{"id": a["id"], "reason": INVITED}]},
       "failure carries the user's id")
    eq(list(data["failed"][0].keys()), ["id", "reason"], "key order as in the seed")


def test_users_of_sibling_sub_tenants_can_be_invited(env):
    main, sub, sub2 = tenancy(env)
    s2user = add_user(env, sub2, key_tenant=main)
    eq(ok_data(invite(env, sub, [{"user": {"username": s2user["username"]}}])),
       {"succeeded": [{"username": s2user["username"]}], "failed": []}, "sibling's user")
    eq(memberships(env, sub), [s2user["id"]], "membership")


def test_same_login_in_main_and_sub_prefers_the_main_tenant_user(env):
    main, sub, sub2 = tenancy(env)
    name = "twin_" + uniq()
    in_main = add_user(env, main, username=name)
    add_user(env, sub2, key_tenant=main, username=name)
    eq(ok_data(invite(env, sub, [{"user": {"username": name}}])),
       {"succeeded": [{"username": name}], "failed": []}, "invited")
    eq(memberships(env, sub), [in_main["id"]], "the main tenant's user was chosen")


# ---- the per-item reasons ----

def test_reason_no_identifier(env):
    main, sub, _ = tenancy(env)
    a = add_user(env, main)
    data = ok_data(invite(env, sub, [{"user": {}}, {"user": {"id": a["id"]}}, {"groups": []},
                                     {"user": {"id": None}}, {"user": None, "pin": None}]))
    eq(data, {"succeeded": [{"id": a["id"]}], "failed": [{"reason": NO_ID}] * 4},
       "items without identifier")
    # only such items: nothing names a user, so the items answer (not 520)
    eq(ok_data(invite(env, sub, [{"user": {}}])),
       {"succeeded": [], "failed": [{"reason": NO_ID}]}, "single item without identifier")


def test_reason_not_found_keeps_input_order(env):
    main, sub, _ = tenancy(env)
    a, b = add_user(env, main), add_user(env, main)
    ghost = "0" * 23 + "1"
    data = ok_data(invite(env, sub, [
        {"user": {"username": "ghost_" + uniq()[:4]}}, {"user": {"id": a["id"]}},
        {"user": {"id": ghost}}, {"user": {"email": "nobody@nowhere.example"}},
        {"user": {"id": "not-hex"}}, {"user": {"username": b["username"]}}]))
    eq(data["succeeded"], [{"id": a["id"]}, {"username": b["username"]}], "succeeded in order")
    eq([list(f.keys()) for f in data["failed"]], [["username", "reason"], ["id", "reason"],
                                                  ["email", "reason"], ["id", "reason"]],
       "no id for users that were not found")
    eq([f["reason"] for f in data["failed"]], [NOT_FOUND] * 4, "reasons")
    eq(data["failed"][1], {"id": ghost, "reason": NOT_FOUND}, "echoed id")


def test_reason_home_tenant(env):
    main, sub, _ = tenancy(env)
    own = add_user(env, sub)           # added by the sub-tenant's own key into itself
    own2 = add_user(env, sub, key_tenant=main)
    data = ok_data(invite(env, sub, [{"user": {"username": own["username"]}},
                                     {"user": {"id": own2["id"]}}]))
    eq(data, {"succeeded": [], "failed": [
        {"username": own["username"], "reason": HOME, "id": own["id"]},
        {"id": own2["id"], "reason": HOME}]}, "home tenant reason")
    eq(list(data["failed"][0].keys()), ["username", "reason", "id"], "key order")
    eq(memberships(env, sub), [], "nothing stored")


def test_reason_already_invited_across_and_within_requests(env):
    main, sub, _ = tenancy(env)
    a = add_user(env, main)
    ok_data(invite(env, sub, [{"user": {"id": a["id"]}}]))
    data = ok_data(invite(env, sub, [{"user": {"email": a["email"]}},
                                     {"user": {"username": a["username"]}}]))
    eq(data, {"succeeded": [], "failed": [
        {"email": a["email"], "reason": INVITED, "id": a["id"]},
        {"username": a["username"], "reason": INVITED, "id": a["id"]}]}, "already invited")
    b = add_user(env, main)
    data = ok_data(invite(env, sub, [{"user": {"id": b["id"]}}, {"user": {"id": b["id"]}}]))
    eq(data, {"succeeded": [{"id": b["id"]}], "failed": [{"id": b["id"], "reason": INVITED}]},
       "the same user twice in one request")
    eq(memberships(env, sub), sorted([a["id"], b["id"]]), "one membership each")


def test_unknown_groups_named_and_nothing_stored(env):
    main, sub, _ = tenancy(env)
    for code in ("staff", "ops"):
        env.provctl_json("group", "add", "--tenant", sub["id"], "--code", code, "--json")
    env.provctl_json("group", "add", "--tenant", main["id"], "--code", "mainonly", "--json")
    a, b, c = add_user(env, main), add_user(env, main), add_user(env, main)
    data = ok_data(invite(env, sub, [
        {"user": {"id": a["id"]}, "groups": ["staff", "ops", "staff"]},
        {"user": {"username": b["username"]}, "groups": ["nope", "staff", "mainonly", "nope"],
         "pin": {"code": True, "allowed": True}},
        {"user": {"id": c["id"]}, "groups": ["x\u00e9"]},
    ]))
    eq(data, {"succeeded": [{"id": a["id"]}], "failed": [
        {"username": b["username"], "reason": "Unable to find group: nope, mainonly.",
         "id": b["id"]},
        {"id": c["id"], "reason": "Unable to find group: x\u00e9."}]}, "unknown groups")
    got = env.sql(f"SELECT u.oid, g.code FROM user_groups ug JOIN `groups` g ON "
                  f"g.id = ug.group_id JOIN users u ON u.id = ug.user_id JOIN tenants t ON "
                  f"t.id = g.tenant_id WHERE t.oid = {quote(sub['id'])} ORDER BY g.code")
    eq(got, [[a["id"], "ops"], [a["id"], "staff"]], "the sub-tenant's groups of the invitee")
    eq(memberships(env, sub), [a["id"]], "no membership for the failed items")
    eq(count(env, "pins", sub), 0, "no pin for the failed item")
    eq(count(env, "mail_outbox", sub), 0, "no mail for the failed item")


# ---- whole-request answers ----

def test_520_when_not_one_listed_user_exists(env):
    main, sub, _ = tenancy(env)
    r = invite(env, sub, [{"user": {"id": "f" * 24}}, {"user": {"username": "nope"}},
                          {"user": {"email": "nope@nope.example"}}, {"user": {}}])
    assert_error(r, 520, NOT_FOUND)
    # 100 items is the most allowed: still the whole-request 520
    r = invite(env, sub, [{"user": {"id": "%024x" % i}} for i in range(100)])
    assert_error(r, 520, NOT_FOUND)
    eq(memberships(env, sub), [], "nothing stored")


def test_400_key_of_a_main_tenant(env):
    main, sub, _ = tenancy(env)
    a = add_user(env, main)
    r = invite(env, main, [{"user": {"id": a["id"]}}])
    assert_error(r, 400, "Business logic required data are missing.")
    eq(env.sql(f"SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id "
               f"WHERE u.oid = {quote(a['id'])}"), [["0"]], "nothing stored")
    # the framework's validation comes first
    assert_error(env.post_json(PATH, {}, key(main), method="PUT"), 172,
                 "Missing required field: users")


def test_400_tenant_nested_below_a_sub_tenant(env):
    main, sub, _ = tenancy(env)
    deep = env.new_tenant()
    # provctl refuses this shape; a hand-edited database can still hold it
    env.sql(f"UPDATE tenants SET parent_id = {tenant_row_id(env, sub)} "
            f"WHERE oid = {quote(deep['id'])}")
    a = add_user(env, main)
    assert_error(invite(env, deep, [{"user": {"id": a["id"]}}]), 400,
                 "Business logic required data are missing.")


def test_isolation_other_tenancy_learns_nothing(env):
    main, sub, _ = tenancy(env)
    victim = add_user(env, main)
    in_sub = add_user(env, sub)
    other_main = env.new_tenant()
    other_sub = env.new_tenant(parent=other_main["id"])
    mine = add_user(env, other_main)
    for ident in ({"id": victim["id"]}, {"username": victim["username"]},
                  {"email": victim["email"]}, {"id": in_sub["id"]},
                  {"username": in_sub["username"]}):
        r = invite(env, other_sub, [{"user": ident, "pin": {"code": True, "allowed": True}}])
        assert_error(r, 520, NOT_FOUND)
    # mixed with a user of its own tenancy: the foreign one is just "not found", without id
    data = ok_data(invite(env, other_sub, [{"user": {"id": victim["id"]}},
                                           {"user": {"email": victim["email"]}},
                                           {"user": {"id": mine["id"]}}]))
    eq(data, {"succeeded": [{"id": mine["id"]}], "failed": [
        {"id": victim["id"], "reason": NOT_FOUND},
        {"email": victim["email"], "reason": NOT_FOUND}]}, "same answer as a missing user")
    # and the reverse direction: the victim's sub-tenant cannot reach the other tenancy
    assert_error(invite(env, sub, [{"user": {"id": mine["id"]}}]), 520, NOT_FOUND)
    eq(env.sql(f"SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id "
               f"WHERE u.oid IN ({quote(victim['id'])}, {quote(in_sub['id'])})"), [["0"]],
       "no membership for the foreign users")
    eq(count(env, "pins", other_sub), 0, "no pin")
    eq(count(env, "mail_outbox", other_sub), 0, "no mail")


# ---- 172 / 173 ----

def test_172_users_missing(env):
    main, sub, _ = tenancy(env)
    for body in ({}, {"users": None}, {"other": [1]}):
        assert_error(env.post_json(PATH, body, key(sub), method="PUT"), 172,
                     "Missing required field: users")
    assert_error(env.http("PUT", PATH, b"", key(sub)), 172, "Missing required field: users")
    assert_error(env.post_form(PATH, "x=1", key(sub), method="PUT"), 172,
                 "Missing required field: users")


def test_173_users_shape(env):
    main, sub, _ = tenancy(env)
    a = add_user(env, main)
    ok = {"user": {"id": a["id"]}}
    bad_users = [
        "x", 5, True, {"user": {"id": a["id"]}}, [], [ok] * 101,
        [ok, "item"], [ok, 1], [ok, None], [ok, []],
        [{"user": {"id": a["id"]}, "extra": 1}], [{"user": {"id": a["id"]}, "id": a["id"]}],
        [{"user": "x"}], [{"user": [a["id"]]}], [{"user": {"id": a["id"], "name": "x"}}],
        [{"user": {"id": 5}}], [{"user": {"username": ["x"]}}], [{"user": {"id": ""}}],
        [{"user": {"username": ""}}], [{"user": {"email": ""}}], [{"user": {"email": "   "}}],
        [{"user": {"email": "not-an-email"}}], [{"user": {"email": "a@b"}}],
        [{"user": {"id": a["id"], "email": "bad"}}],
        [{"user": {"username": "a\u0001b"}}], [{"user": {"username": "x" * 1025}}],
        [{"user": {"id": a["id"]}, "groups": "staff"}],
        [{"user": {"id": a["id"]}, "groups": [1]}],
        [{"user": {"id": a["id"]}, "groups": [""]}],
        [{"user": {"id": a["id"]}, "groups": ["g" * 65]}],
        [{"user": {"id": a["id"]}, "groups": ["g"] * 101}],
        [{"user": {"id": a["id"]}, "groups": {"a": 1}}],
        [{"user": {"id": a["id"]}, "pin": {"code": True}}],
        [{"user": {"id": a["id"]}, "pin": {"allowed": True}}],
        [{"user": {"id": a["id"]}, "pin": {"code": True, "allowed": True, "x": 1}}],
        [{"user": {"id": a["id"]}, "pin": {"code": "true", "allowed": True}}],
        [{"user": {"id": a["id"]}, "pin": {"code": True, "allowed": 1}}],
        [{"user": {"id": a["id"]}, "pin": {"code": True, "allowed": None}}],
        [{"user": {"id": a["id"]}, "pin": "1234"}],
        [{"user": {"id": a["id"]}, "pin": True}],
    ]
    for users in bad_users:
        r = env.post_json(PATH, {"users": users}, key(sub), method="PUT")
        try:
            assert_error(r, 173, "Validation failed for field: users")
        except AssertionError as e:
            raise AssertionError(f"users={json.dumps(users)[:120]}: {e}") from None
    eq(memberships(env, sub), [], "nothing stored by invalid requests")


def test_173_before_400(env):
    main, _, _ = tenancy(env)
    assert_error(env.post_json(PATH, {"users": []}, key(main), method="PUT"), 173,
                 "Validation failed for field: users")


# ---- pins ----

def test_pin_generated_hashed_flagged_and_mailed(env):
    main, sub, _ = tenancy(env)
    a, b = add_user(env, main), add_user(env, main)
    data = ok_data(invite(env, sub, [{"user": {"id": a["id"]}, "pin": {"code": True,
                                                                        "allowed": False}},
                                     {"user": {"id": b["id"]}, "pin": {"code": False,
                                                                        "allowed": True}}]))
    eq(data, {"succeeded": [{"id": a["id"]}, {"id": b["id"]}], "failed": []}, "answer")
    row = env.sql_one(f"SELECT p.pin_hash, p.allowed FROM pins p JOIN users u ON "
                      f"u.id = p.user_id WHERE u.oid = {quote(a['id'])} AND p.tenant_id = "
                      f"{tenant_row_id(env, sub)}")
    check(re.fullmatch(r"[0-9a-f]{64}", row[0]), f"stored pin is a hex digest: {row[0]}")
    eq(row[1], "0", "allowed flag from pin.allowed")
    mail = env.sql_one(f"SELECT m.kind, m.recipient, m.has_secret, m.status, m.subject, "
                       f"REPLACE(m.body, '\\n', ' ') "
                       f"FROM mail_outbox m JOIN users u ON u.id = m.user_id "
                       f"WHERE u.oid = {quote(a['id'])} AND m.tenant_id = "
                       f"{tenant_row_id(env, sub)}")
    eq(mail[:5], ["pin", a["email"], "1", "pending", "Your login pin"], "queued pin mail")
    m = re.search(r"Your login pin is (\d{4})\.", mail[5])
    check(m, f"mail body carries a 4-digit pin: {mail[5]!r}")
    eq(row[0], pin_hash(pin_salt(env, sub), m.group(1)),
       "stored hash is HMAC-SHA256 of the mailed pin under the tenant's pin salt")
    eq(env.sql(f"SELECT COUNT(*) FROM pins p JOIN users u ON u.id = p.user_id "
               f"WHERE u.oid = {quote(b['id'])}"), [["0"]], "pin.code false: no pin")
    eq(count(env, "mail_outbox", sub), 1, "one mail only")


def test_pins_unique_in_the_tenant(env):
    main, sub, _ = tenancy(env)
    users = [add_user(env, main) for _ in range(25)]
    data = ok_data(invite(env, sub, [{"user": {"id": u["id"]}, "pin": {"code": True,
                                                                        "allowed": True}}
                                     for u in users]))
    eq(len(data["succeeded"]), 25, f"all invited: {data['failed']}")
    eq(env.sql_one(f"SELECT COUNT(*), COUNT(DISTINCT pin_hash), SUM(allowed) FROM pins "
                   f"WHERE tenant_id = {tenant_row_id(env, sub)}"), ["25", "25", "25"],
       "25 distinct hashed pins")
    eq(count(env, "mail_outbox", sub, "AND x.kind = 'pin' AND x.has_secret = 1"), 25,
       "25 pin mails")


def _fill_pins(env, t, free):
    """Gives tenant t every 4-digit pin except `free`, held by throwaway users."""
    scratch = env.new_tenant()
    sid = tenant_row_id(env, scratch)
    p = uuid.uuid4().hex[:12]
    env.sql(f"INSERT INTO users (oid, tenant_id, email, origin) SELECT "
            f"CONCAT({quote(p)}, LPAD(HEX(seq), 12, '0')), {sid}, "
            f"CONCAT('fill', seq, '@{p}.example'), 'admin' FROM seq_1_to_9999")
    ids = [r[0] for r in env.sql(f"SELECT id FROM users WHERE tenant_id = {sid} ORDER BY id")]
    eq(len(ids), 9999, "throwaway users")
    salt, tid = pin_salt(env, t), tenant_row_id(env, t)
    pins = [f"{n:04d}" for n in range(10000) if f"{n:04d}" != free]
    rows = [f"({uid}, {tid}, '{pin_hash(salt, pin)}', 1)" for uid, pin in zip(ids, pins)]
    for i in range(0, len(rows), 1000):
        env.sql("INSERT INTO pins (user_id, tenant_id, pin_hash, allowed) VALUES " +
                ", ".join(rows[i:i + 1000]))


def test_pin_collisions_retried_until_the_tenant_has_none_left(env):
    main, sub, _ = tenancy(env)
    free = f"{random.randrange(10000):04d}"
    _fill_pins(env, sub, free)
    a, b, c = add_user(env, main), add_user(env, main), add_user(env, main)
    pin = {"code": True, "allowed": True}
    eq(ok_data(invite(env, sub, [{"user": {"id": a["id"]}, "pin": pin}])),
       {"succeeded": [{"id": a["id"]}], "failed": []}, "the last free pin is found")
    got = env.sql_one(f"SELECT p.pin_hash FROM pins p JOIN users u ON u.id = p.user_id "
                      f"WHERE u.oid = {quote(a['id'])}")[0]
    eq(got, pin_hash(pin_salt(env, sub), free), "it got the one pin left")
    data = ok_data(invite(env, sub, [{"user": {"username": b["username"]}, "pin": pin},
                                     {"user": {"id": c["id"]}}]))
    eq(data, {"succeeded": [{"id": c["id"]}], "failed": [
        {"username": b["username"], "reason": NO_PIN, "id": b["id"]}]}, "no pin left")
    eq(memberships(env, sub), sorted([a["id"], c["id"]]), "no membership without its pin")
    eq(env.sql(f"SELECT COUNT(*) FROM mail_outbox m JOIN users u ON u.id = m.user_id "
               f"WHERE u.oid = {quote(b['id'])} AND m.kind = 'pin'"), [["0"]],
       "no mail for the failed item")


def test_pin_without_mail_configured_is_still_stored(env):
    main, sub, _ = tenancy(env)
    a = add_user(env, main)
    body = json.dumps({"users": [{"user": {"id": a["id"]},
                                  "pin": {"code": True, "allowed": True}}]}).encode()
    r = env.cgi("invite", "PUT", PATH, body, {"Content-Type": "application/json",
                                               "key": sub["soajs"]["key"]},
                env={"PROVISION_MAIL_FROM": "", "PROVISION_PUBLIC_BASE_URL": ""})
    eq(ok_data(r), {"succeeded": [{"id": a["id"]}], "failed": []}, "invited")
    eq(count(env, "pins", sub), 1, "pin stored")
    eq(count(env, "mail_outbox", sub), 0, "no mail without mail configuration")


# ---- transactions, failures, concurrency ----

def test_each_item_in_its_own_transaction(env):
    main, sub, _ = tenancy(env)
    a, b, c = add_user(env, main), add_user(env, main), add_user(env, main)
    b_row = env.sql_one(f"SELECT id FROM users WHERE oid = {quote(b['id'])}")[0]
    pin = {"code": True, "allowed": True}
    r = with_trigger(env, "mail_outbox", "t_inv_item", f"NEW.user_id = {b_row}",
                     lambda: invite(env, sub, [{"user": {"id": a["id"]}, "pin": pin},
                                               {"user": {"id": b["id"]}, "pin": pin},
                                               {"user": {"id": c["id"]}, "pin": pin}]))
    eq(ok_data(r), {"succeeded": [{"id": a["id"]}, {"id": c["id"]}], "failed": [
        {"id": b["id"], "reason": "Unable to save the invitation."}]}, "one item refused")
    eq(memberships(env, sub), sorted([a["id"], c["id"]]), "the others are stored")
    eq(env.sql(f"SELECT COUNT(*) FROM pins WHERE user_id = {b_row}"), [["0"]],
       "the refused item's pin rolled back with its membership")


def test_602_when_every_write_fails(env):
    main, sub, _ = tenancy(env)
    a, b = add_user(env, main), add_user(env, main)
    sid = tenant_row_id(env, sub)
    r = with_trigger(env, "memberships", "t_inv_all", f"NEW.tenant_id = {sid}",
                     lambda: invite(env, sub, [{"user": {"id": a["id"]}},
                                               {"user": {"id": "e" * 24}},
                                               {"user": {"username": b["username"]}}]))
    assert_error(r, 602, "Model error: Unable to save the invitation.")
    eq(memberships(env, sub), [], "nothing stored")


def test_602_database_unreachable(env):
    main, sub, _ = tenancy(env)
    body = json.dumps({"users": [{"user": {"id": "a" * 24}}]}).encode()
    r = env.cgi("invite", "PUT", PATH, body, {"Content-Type": "application/json",
                                               "key": sub["soajs"]["key"]},
                env={"PROVISION_DB_SOCKET": env.var + "/run/nonexistent.sock"})
    assert_error(r, 602, "Model error: Database unavailable.")


def test_parallel_invitations_of_one_user_make_one_membership(env):
    main, sub, _ = tenancy(env)
    for _round in range(3):
        a = add_user(env, main)
        body = json.dumps({"users": [{"user": {"id": a["id"]},
                                      "pin": {"code": True, "allowed": True}}]}).encode()
        hdrs = {"Content-Type": "application/json", "key": sub["soajs"]["key"]}
        results = [None] * 8
        start = threading.Barrier(8)

        def run(i):
            start.wait()
            if i % 2:
                results[i] = env.http("PUT", PATH, body, hdrs)
            else:
                results[i] = env.cgi("invite", "PUT", PATH, body, hdrs)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        datas = [ok_data(r) for r in results]
        wins = [d for d in datas if d["succeeded"]]
        eq(len(wins), 1, f"exactly one invitation wins: {datas}")
        eq(wins[0], {"succeeded": [{"id": a["id"]}], "failed": []}, "the winner's answer")
        for d in datas:
            if d is not wins[0]:
                eq(d, {"succeeded": [], "failed": [{"id": a["id"], "reason": INVITED}]},
                   "the others")
        eq(env.sql(f"SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id "
                   f"WHERE u.oid = {quote(a['id'])}"), [["1"]], "one membership")
        eq(env.sql(f"SELECT COUNT(*) FROM pins p JOIN users u ON u.id = p.user_id "
                   f"WHERE u.oid = {quote(a['id'])}"), [["1"]], "one pin")
        eq(env.sql(f"SELECT COUNT(*) FROM mail_outbox m JOIN users u ON u.id = m.user_id "
                   f"WHERE u.oid = {quote(a['id'])} AND m.kind = 'pin'"), [["1"]], "one mail")


# ---- form bodies, credentials, transport ----

def test_form_bodies(env):
    main, sub, _ = tenancy(env)
    env.provctl_json("group", "add", "--tenant", sub["id"], "--code", "staff", "--json")
    a, b, c, d = (add_user(env, main) for _ in range(4))
    users_json = json.dumps([{"user": {"id": a["id"]}, "groups": ["staff"]}])
    eq(ok_data(env.post_form(PATH, {"users": users_json}, key(sub), method="PUT")),
       {"succeeded": [{"id": a["id"]}], "failed": []}, "users as JSON text")
    r = env.post_form(PATH, [("users[0][user][username]", b["username"]),
                             ("users[0][groups][]", "staff"),
                             ("users[0][pin][code]", "true"),
                             ("users[0][pin][allowed]", "false"),
                             ("users[1][user][email]", c["email"]),
                             ("users[1][groups]", "staff")], key(sub), method="PUT")
    eq(ok_data(r), {"succeeded": [{"username": b["username"]}, {"email": c["email"]}],
                    "failed": []}, "bracket form")
    eq(env.sql_one(f"SELECT p.allowed FROM pins p JOIN users u ON u.id = p.user_id "
                   f"WHERE u.oid = {quote(b['id'])}"), ["0"], "pin from form booleans")
    eq(env.sql(f"SELECT u.oid FROM user_groups ug JOIN users u ON u.id = ug.user_id JOIN "
               f"`groups` g ON g.id = ug.group_id WHERE g.code = 'staff' AND g.tenant_id = "
               f"{tenant_row_id(env, sub)} ORDER BY u.oid"),
       sorted([[a["id"]], [b["id"]], [c["id"]]]), "groups from the forms")
    r = env.post_form(PATH, [("users[user][id]", d["id"])], key(sub), method="PUT")
    eq(ok_data(r), {"succeeded": [{"id": d["id"]}], "failed": []}, "a single item")
    r = env.post_form(PATH, [("users[0][user][id]", d["id"]), ("users[0][pin][code]", "yes"),
                             ("users[0][pin][allowed]", "true")], key(sub), method="PUT")
    assert_error(r, 173, "Validation failed for field: users")
    r = env.post_form(PATH, [("users[0][user][id]", d["id"]), ("users[2][user][id]", d["id"])],
                      key(sub), method="PUT")
    assert_error(r, 173, "Validation failed for field: users")


def test_401_key_missing_or_unknown(env):
    want = {"result": False, "errors": {"codes": [132], "details": [
        {"code": 132, "message": "A valid key is needed to access any API."}]}}
    body = {"users": [{"user": {"id": "a" * 24}}]}
    for hdrs in ({}, {"key": "0" * 64}, {"key": ""}):
        r = env.post_json(PATH, body, hdrs, method="PUT")
        eq(r.status, 401, f"status {r!r}")
        eq(r.json(), want, "401 body")


def test_transport_errors_speak_soajs(env):
    main, sub, _ = tenancy(env)
    for method in ("GET", "POST", "DELETE"):
        r = env.http(method, PATH, headers=key(sub))
        eq(r.status, 405, f"{method} status")
        eq(r.headers.get("allow"), "PUT", "Allow header")
        eq(r.json()["errors"]["codes"], [405], "405 envelope")
    r = env.http("PUT", PATH, b"users=x", key(sub), "text/plain")
    eq(r.status, 415, f"wrong content type {r!r}")
    for raw in (b'{"users": [', b"[1]", b'{"users": "\xff"}'):
        r = env.http("PUT", PATH, raw, key(sub), "application/json")
        eq(r.status, 400, f"{raw!r}: {r!r}")
        eq(r.json()["result"], False, "400 envelope")
