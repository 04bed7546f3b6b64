"""credential_util.py: what the credential rotation tests share (not a test file): where each
kind's secret is in provctl's JSON, and one authenticated request per kind that says whether
the dialect did its work or answered exactly its own 401. The request goes through any object
with the harness Env's http/post_json/post_form methods (the web server, or one FastCGI
process driven directly)."""
import json
import uuid

from harness import check, eq
from servicepower_util import err as sp_err
from servicepower_util import mint

KINDS = ["skedulo_token", "sp_customer", "sp_jwt", "soajs_key", "xtracta_key"]
# where each kind's secret is in the JSON of `tenant create` and of `credential rotate`
WHERE = {"skedulo_token": ("skedulo", "token"), "sp_customer": ("servicepower", "customercode"),
         "sp_jwt": ("servicepower", "jwtSecret"), "soajs_key": ("soajs", "key"),
         "xtracta_key": ("xtracta", "api_key")}
SK_PATH = "/onboarding/provision/standalone/users"
SP_PATH = "/seiapi/v3/bulk/Users"
SOAJS_PATH = "/urac/admin/addUser"
XT_PATH = "/v1/user/add"
SK_REFUSED = {"errorType": "unauthorized", "message": "Invalid or revoked API token"}
SP_REFUSED = sp_err(401, "The credentials are incorrect, please verify and try again.")
SOAJS_REFUSED = {"result": False, "errors": {"codes": [132], "details": [
    {"code": 132, "message": "A valid key is needed to access any API."}]}}
XT_REFUSED = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user_response><status>401</status>"
              "<message>The api_key is missing or invalid</message></user_response>\n")


def uniq():
    return uuid.uuid4().hex[:10]


def call(env, t, kind, secret):
    """One request to the dialect of kind, authenticated with secret as tenant t's credential
    of that kind; "ok" when it did its work, "refused" when it got exactly the dialect's 401.
    Anything else fails the test."""
    u = uniq()
    if kind == "skedulo_token":
        r = env.post_json(SK_PATH, [{"email": f"rot{u}@example.com", "lastName": "Rot"}],
                          {"Authorization": "Bearer " + secret})
        if r.status == 200:
            eq(r.json()["result"]["inserted"], 1, f"Skedulo create {r!r}")
            return "ok"
        eq((r.status, r.json()), (401, SK_REFUSED), "Skedulo refusal")
        return "refused"
    if kind in ("sp_customer", "sp_jwt"):
        body = json.dumps({"Users": [{"UserID": "rot-" + u, "Email": f"rot-{u}@example.com"}]})
        cid = t["servicepower"]["customerid"]
        if kind == "sp_customer":
            r = env.http("POST", f"{SP_PATH}?customerid={cid}&customercode={secret}", body, {},
                         "application/json")
        else:
            token = mint(t, key=secret)
            r = env.http("POST", SP_PATH, body, {"x-access-token": token}, "application/json")
        if r.status == 200:
            eq(r.json()["detail"]["params"]["inserted"], "1", f"ServicePower insert {r!r}")
            return "ok"
        eq((r.status, r.json()), (401, SP_REFUSED), "ServicePower refusal")
        return "refused"
    if kind == "soajs_key":
        r = env.post_json(f"{SOAJS_PATH}?tId={t['id']}&tCode={t['code']}",
                          {"username": "rot" + u, "firstName": "R", "lastName": "Ot",
                           "email": f"rot{u}@example.com"}, {"key": secret})
        if r.status == 200:
            eq(r.json()["result"], True, f"SOAJS addUser {r!r}")
            return "ok"
        eq((r.status, r.json()), (401, SOAJS_REFUSED), "SOAJS refusal")
        return "refused"
    r = env.post_form(XT_PATH, {"api_key": secret, "name": "Rot",
                                "email_address": f"rot{u}@example.com"})
    if r.status == 200:
        check(b"<status>200</status>" in r.body, f"Xtracta add {r!r}")
        return "ok"
    eq((r.status, r.text), (401, XT_REFUSED), "Xtracta refusal")
    return "refused"


def secret_of(creds, kind):
    obj, field = WHERE[kind]
    return creds[obj][field]


def as_tenant(t, kind, creds):
    """t with the credential of kind replaced by the one in creds (rotate's output)."""
    t2 = json.loads(json.dumps(t))
    obj, field = WHERE[kind]
    t2[obj][field] = creds[obj][field]
    return t2
