"""Isolation (issue 7, docs/SECURITY.md): every credential of tenant A (its SOAJS key, its
sub-tenant's SOAJS key, its Xtracta api_key, its Skedulo token, a ServicePower JWT signed with
its secret for its own customerid and one claiming B's, its customercode) put in the credential
slot of every endpoint, each request aimed at tenant B (B's tId/tCode, B's users by id, username
and email, B's groups, workflows, regions, UserIDs and task). A matrix of requests; after it,
nothing of B changed (the fingerprint of every row B owns), no answer carries anything of B
(ids, usernames, emails), and none is a 5xx."""
import json
import os
import sys
import urllib.parse

from harness import check, eq, quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hardening as H  # noqa: E402
import servicepower_util as spu  # noqa: E402


def _tenant_b(env):
    """Tenant B with a user from each dialect and a finished Skedulo task."""
    b = H.full_tenant(env)
    u = H.uniq()
    r = H.soajs_add(env, b, {"username": f"bsoajs{u}", "firstName": "B", "lastName": "S",
                             "email": f"b.soajs.{u}@example.com"})
    check(r.json().get("result") is True, f"B's SOAJS user: {r!r}")
    eq(H.xtracta_add(env, b, {"name": "B X", "email_address": f"b.xt.{u}@example.com"}).status,
       200, "B's Xtracta user")
    r = H.sk_post(env, b, [{"email": f"b.sk.{u}@example.com", "firstName": "B",
                            "lastName": "K"}])
    eq(r.json()["result"]["inserted"], 1, f"B's Skedulo user {r!r}")
    eq(H.sp_post(env, b, [{"UserID": f"bsp{u}", "CUD": 1, "Email": f"b.sp.{u}@example.com"}])
       .status, 200, "B's ServicePower user")
    r = H.sk_post(env, b, [{"email": f"b.task.{u}@example.com", "lastName": "T"}],
                  path=H.SK_BULK)
    b["task"] = r.json()["result"]["taskId"]
    H.wait_task(env, b, b["task"])
    b["users"] = env.sql(f"SELECT oid, username, email FROM users WHERE tenant_id = "
                         f"{b['db_id']}")
    eq(len(b["users"]), 5, "B's users")
    b["sp_user"] = f"bsp{u}"
    return b


def _credentials(a, b):
    """(name, secret) of everything A holds."""
    return [
        ("A SOAJS key", a["soajs"]["key"]),
        ("A sub-tenant SOAJS key", a["sub"]["soajs"]["key"]),
        ("A Xtracta api_key", a["xtracta"]["api_key"]),
        ("A Skedulo token", a["skedulo"]["token"]),
        ("A ServicePower JWT", spu.mint(a)),
        ("A-signed JWT claiming B", spu.mint(a, claims={
            "customerid": b["servicepower"]["customerid"]})),
        ("A customercode", a["servicepower"]["customercode"]),
    ]


def _requests(env, b, secret):
    """(endpoint, () -> (method, path, body, headers, content type)) aimed at B, with the
    secret in the endpoint's credential slot."""
    oids = [row[0] for row in b["users"]]
    unames = [row[1] for row in b["users"] if row[1]]
    emails = [row[2] for row in b["users"]]
    u = H.uniq()
    sk = {"Authorization": "Bearer " + secret}
    csv = ("FirstName,LastName,Email,Regions\r\n" + "".join(
        f"F,L,{e},{b['region']}\r\n" for e in emails)).encode()
    ct, mp = H.multipart([("file", "users.csv", "text/csv", csv)])
    sp_users = [{"UserID": b["sp_user"], "CUD": 2, "FirstName": "Hacked"},
                {"UserID": b["sp_user"] + "x", "CUD": 3}]
    return [
        ("addUser", lambda: (
            "POST", f"{H.SOAJS_ADD}?tId={b['id']}&tCode={b['code']}",
            json.dumps({"username": f"i{u}", "firstName": "I", "lastName": "S",
                        "email": emails[0], "groups": [b["group_code"]]}).encode(),
            {"key": secret}, "application/json")),
        ("addUser B sub", lambda: (
            "POST", f"{H.SOAJS_ADD}?tId={b['sub']['id']}&tCode={b['sub']['code']}",
            json.dumps({"username": f"j{u}", "firstName": "I", "lastName": "S",
                        "email": f"j{u}@example.com"}).encode(),
            {"key": secret}, "application/json")),
        ("invite", lambda: (
            "PUT", H.INVITE, json.dumps({"users": [
                {"user": {"id": oids[0]}}, {"user": {"username": unames[0]}},
                {"user": {"email": emails[1]}, "groups": [b["group_code"]]}]}).encode(),
            {"key": secret}, "application/json")),
        ("xtracta", lambda: ("POST", H.XTRACTA, urllib.parse.urlencode({
            "api_key": secret, "name": "I X", "email_address": emails[1],
            "group_id": str(b["xtracta"]["group_id"]),
            "workflow_ids": str(b["workflow_id"])}).encode(), {},
            "application/x-www-form-urlencoded")),
        ("sk-post", lambda: ("POST", H.SK, json.dumps([
            {"email": emails[2], "lastName": "I", "regions": [b["region"]],
             "roles": [b["role"]]}]).encode(), sk, "application/json")),
        ("sk-patch", lambda: ("PATCH", H.SK, json.dumps(
            {o: {"firstName": "Hacked", "isActive": False} for o in oids}).encode(), sk,
            "application/json")),
        ("sk-bulk", lambda: ("POST", H.SK_BULK, json.dumps([
            {"email": e, "lastName": "I", "regions": [b["region"]]} for e in emails]).encode(),
            sk, "application/json")),
        ("sk-file", lambda: ("POST", H.SK_FILE, mp, sk, ct)),
        ("sk-status", lambda: ("GET", f"{H.SK_BULK}/{b['task']}", None, sk)),
        ("sp jwt", lambda: ("POST", H.SP, json.dumps({"Users": sp_users}).encode(),
                                    {"x-access-token": secret}, "application/json")),
        ("sp query", lambda: (
            "POST", f"{H.SP}?customerid={b['servicepower']['customerid']}"
                    f"&customercode={secret}",
            json.dumps({"Users": sp_users}).encode(), {}, "application/json")),
    ]


def test_tenant_a_credentials_cannot_read_or_change_tenant_b(env):
    a = H.full_tenant(env)
    b = _tenant_b(env)
    before = H.settled_fingerprint(env, b)
    leaks = [s for row in b["users"] for s in row if s] + [b["sp_user"]]
    tried, failures, statuses = 0, [], {}
    for cname, secret in _credentials(a, b):
        for ep, send in _requests(env, b, secret):
            tried += 1
            req = send()
            r = env.http(*req)
            sent = req[1].encode() + (req[2] or b"")
            statuses[r.status] = statuses.get(r.status, 0) + 1
            where = f"{cname} -> {ep}"
            if r.status >= 500:
                failures.append(f"{where}: a 5xx {r!r:.200}")
            for s in leaks:
                # an answer may name what the request itself sent (a failure keyed by the id
                # or email given), never anything else of B's
                if s.lower().encode() in sent.lower():
                    continue
                if s.encode() in r.body or s.lower().encode() in r.body:
                    failures.append(f"{where}: B's {s!r} in the answer {r!r:.300}")
            if ep == "sk-status" and r.status == 200:
                failures.append(f"{where}: B's task read {r!r:.300}")
    after = H.settled_fingerprint(env, b)
    H.figures(env, "isolation", requests=tried, credentials=len(_credentials(a, b)),
              endpoints=len(_requests(env, b, "x")), failed=len(failures),
              statuses={str(k): v for k, v in sorted(statuses.items())})
    eq(after, before, f"nothing of B changed: {H.diff(before, after)}")
    check(not failures, f"{len(failures)} of {tried} requests crossed tenants:\n  " +
          "\n  ".join(failures))
    # and B's own users are still B's, untouched by name
    eq(env.sql_one(f"SELECT COUNT(*) FROM users WHERE tenant_id = {b['db_id']} AND "
                   f"first_name = {quote('Hacked')}"), ["0"], "no B user renamed")
