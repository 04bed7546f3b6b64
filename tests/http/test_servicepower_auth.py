"""ServicePower authentication (seed 001, docs/CONTRACT.md section 3): the x-access-token JWT (HS256
only, signature, exp, nbf, the customerid claim naming the tenant) and the deprecated
customerid + customercode query parameters (answered with a deprecation warning). A tenant's
credential never reaches another tenant's users."""
import time

from harness import check, eq
from servicepower_util import (DEPRECATED, PATH, b64url, err, expect, missing_warning, mint,
                               ok, post, query_path, snapshot, uniq, user_row)

INCORRECT = "The credentials are incorrect, please verify and try again."
ALG = "The x-access-token must be signed with HS256"
CLAIMS = "The x-access-token must carry a customerid string claim and a numeric exp claim"
MISSING = ("Credentials are required: an x-access-token header, or the customerid and "
           "customercode parameters")


def user():
    u = uniq()
    return [{"UserID": "a-" + u, "Email": f"a-{u}@example.com"}]


def with_token(env, token, users=None):
    return post(env, None, users or user(), auth=None, headers={"x-access-token": token})


def test_jwt_accepted_without_warning(env):
    t = env.new_tenant()
    expect(with_token(env, mint(t)), 200, ok(inserted=1))
    # no typ, extra claims, a fractional exp
    expect(with_token(env, mint(t, header={"alg": "HS256"},
                                claims={"iat": int(time.time()), "sub": "hr",
                                        "exp": time.time() + 60.5})), 200, ok(inserted=1))


def test_query_parameters_accepted_with_deprecation_warning(env):
    t = env.new_tenant()
    expect(post(env, t, user(), auth="query"), 200, ok(inserted=1, warnings=[DEPRECATED]))
    # the header wins when both are sent: no warning
    token = mint(t)
    r = env.http("POST", query_path(t), b'{"Users":[{"UserID":"q","Email":"q@example.com"}]}',
                 {"x-access-token": token}, "application/json")
    expect(r, 200, ok(inserted=1))
    # our own log (one line per request, internal errors) carries neither credential
    log = env.program_log()
    check(t["servicepower"]["customercode"] not in log, "customercode in the program log")
    check(token not in log and token.split(".")[2] not in log, "token in the program log")


def test_missing_and_wrong_credentials(env):
    t, other = env.new_tenant(), env.new_tenant()
    sp = t["servicepower"]
    body = b'{"Users":[{"UserID":"x","Email":"x@example.com"}]}'
    for path in (PATH, f"{PATH}?customerid={sp['customerid']}",
                 f"{PATH}?customercode={sp['customercode']}"):
        expect(env.http("POST", path, body, {}, "application/json"), 401, err(401, MISSING))
    expect(env.http("POST", PATH, body, {"x-access-token": ""}, "application/json"), 401,
           err(401, MISSING))
    for cid, code in ((sp["customerid"], other["servicepower"]["customercode"]),
                      (other["servicepower"]["customerid"], sp["customercode"]),
                      ("999", sp["customercode"]),
                      (sp["customerid"], sp["customercode"] + "x"),
                      (sp["customerid"], sp["jwtSecret"])):
        expect(env.http("POST", f"{PATH}?customerid={cid}&customercode={code}", body, {},
                        "application/json"), 401, err(401, INCORRECT))
    eq(snapshot(env, t)["users"], [], "nothing stored")


def test_jwt_algorithms_other_than_hs256_are_refused(env):
    t = env.new_tenant()
    for header in ({"alg": "none", "typ": "JWT"}, {"alg": "HS512", "typ": "JWT"},
                   {"alg": "RS256", "typ": "JWT"}, {"alg": "hs256"}, {"typ": "JWT"},
                   {"alg": "HS256", "crit": ["exp"]}):
        # correctly signed with the tenant's secret: the header alone decides
        expect(with_token(env, mint(t, header=header)), 401, err(401, ALG))
    # the classic unsigned token
    unsigned = mint(t, header={"alg": "none"}, raw_sig="")
    expect(with_token(env, unsigned), 401, err(401, ALG))
    eq(snapshot(env, t)["users"], [], "nothing stored")


def test_jwt_signature_and_key(env):
    t, other = env.new_tenant(), env.new_tenant()
    good = mint(t)
    head, claims, sig = good.split(".")
    flipped = ("B" if sig[0] == "A" else "A") + sig[1:]
    bad = [f"{head}.{claims}.{flipped}",
           mint(t, key=other["servicepower"]["jwtSecret"]),
           mint(t, key=t["servicepower"]["customercode"]),
           mint(t, claims={"customerid": "100000000"}),          # no such customer
           mint(t, claims={"customerid": other["servicepower"]["customerid"]}),
           f"{head}.{claims}.{b64url(b'x' * 64)}"]
    for token in bad:
        expect(with_token(env, token), 401, err(401, INCORRECT))
    for token in ("abc", "a.b.c.d", f"{head}.{claims}", "!!.??.**"):
        expect(with_token(env, token), 401,
               err(401, "The x-access-token is not a well-formed JSON Web Token"))
    for claims_over in ({"customerid": None}, {"customerid": 123456789}, {"exp": None},
                        {"exp": "tomorrow"}, {"nbf": "now"}):
        expect(with_token(env, mint(t, claims=claims_over)), 401, err(401, CLAIMS))
    eq(snapshot(env, t)["users"], [], "nothing stored")


def test_jwt_exp_and_nbf(env):
    t = env.new_tenant()
    now = int(time.time())
    expect(with_token(env, mint(t, exp_in=-120)), 401,
           err(401, "The x-access-token has expired"))
    expect(with_token(env, mint(t, claims={"exp": now - 3600})), 401,
           err(401, "The x-access-token has expired"))
    expect(with_token(env, mint(t, claims={"nbf": now + 120})), 401,
           err(401, "The x-access-token is not valid yet"))
    eq(snapshot(env, t)["users"], [], "nothing stored")
    # 30 seconds of clock skew are allowed either way
    expect(with_token(env, mint(t, exp_in=-10)), 200, ok(inserted=1))
    expect(with_token(env, mint(t, claims={"nbf": now + 10})), 200, ok(inserted=1))
    expect(with_token(env, mint(t, claims={"nbf": now - 10})), 200, ok(inserted=1))


def test_a_tenant_cannot_touch_another_tenants_users(env):
    a, b = env.new_tenant(), env.new_tenant()
    uid = "shared-" + uniq()
    eb = f"{uid}@b.example.com"
    expect(post(env, b, [{"UserID": uid, "Email": eb, "FirstName": "Bee", "Roles": ["Resource"]}]),
           200, ok(inserted=1))
    before = snapshot(env, b)
    # A's token: the same UserID is a different, new user of A; B's user is never updated,
    # never deleted, never a conflict
    expect(post(env, a, [{"UserID": uid, "CUD": 1, "Email": eb, "FirstName": "Ay"}]), 200,
           ok(inserted=1))
    expect(post(env, a, [{"UserID": uid, "FirstName": "Ay2"}]), 200, ok(updated=1))
    expect(post(env, a, [{"UserID": uid, "CUD": 3}]), 200, ok(deleted=1))
    expect(post(env, a, [{"UserID": uid, "CUD": 3}]), 200,
           ok(warnings=[missing_warning(0, uid)]))
    # a token naming B's customerid but signed with A's secret is refused
    forged = mint(a, claims={"customerid": b["servicepower"]["customerid"]})
    expect(with_token(env, forged, [{"UserID": uid, "CUD": 3}]), 401, err(401, INCORRECT))
    eq(snapshot(env, b), before, "tenant B untouched")
    eq(user_row(env, b, uid)[:2], [eb, "Bee"], "B's user as it was")
