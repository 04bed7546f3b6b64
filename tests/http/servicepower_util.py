"""servicepower_util.py: what the ServicePower HTTP tests share (not a test file): minting
HS256 tokens, posting a batch with either credential form, the exact envelopes, checking a
yescrypt hash, and a snapshot of everything a tenant's users own (to prove nothing changed)."""
import base64
import ctypes
import hashlib
import hmac
import json
import time
import uuid

from harness import eq, quote

PATH = "/seiapi/v3/bulk/Users"
OK_MESSAGE = "Request was processed successfully."
JSON_CT = "application/json; charset=utf-8"
DEPRECATED = {"message": "customerid and customercode are deprecated: send a JSON Web Token "
                         "in the x-access-token header",
              "params": {"value": "customerid"}, "dataPath": ""}


def uniq():
    return uuid.uuid4().hex[:10]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(t, claims=None, header=None, key=None, exp_in=300, raw_sig=None):
    """An HS256 JWT for tenant t (its customerid, exp in exp_in seconds) signed with its
    jwtSecret, unless header/claims/key/raw_sig say otherwise. claims entries set to None are
    removed."""
    h = {"alg": "HS256", "typ": "JWT"} if header is None else header
    c = {"customerid": t["servicepower"]["customerid"], "exp": int(time.time()) + exp_in}
    for k, v in (claims or {}).items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    signing = b64url(json.dumps(h).encode()) + "." + b64url(json.dumps(c).encode())
    k = (t["servicepower"]["jwtSecret"] if key is None else key).encode()
    sig = raw_sig if raw_sig is not None else b64url(
        hmac.new(k, signing.encode(), hashlib.sha256).digest())
    return signing + "." + sig


def jwt(t, **kw):
    return {"x-access-token": mint(t, **kw)}


def query_path(t, path=PATH):
    sp = t["servicepower"]
    return f"{path}?customerid={sp['customerid']}&customercode={sp['customercode']}"


def post(env, t, users=None, body=None, auth="jwt", headers=None):
    """POSTs {"Users": users} (or body, bytes/str/obj) for tenant t."""
    h = dict(headers or {})
    path = PATH
    if auth == "jwt":
        h.update(jwt(t))
    elif auth == "query":
        path = query_path(t)
    if body is None:
        body = {"Users": users}
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    return env.http("POST", path, body, h, "application/json")


def ok(inserted=0, updated=0, deleted=0, warnings=()):
    return {"code": 200, "detail": {"message": OK_MESSAGE,
                                    "params": {"inserted": str(inserted),
                                               "updated": str(updated),
                                               "deleted": str(deleted)},
                                    "dataPath": ""},
            "warnings": list(warnings)}


def err(code, message, path="", value=""):
    return {"code": code, "detail": {"message": message, "params": {"value": value},
                                     "dataPath": path}}


def missing_warning(i, user_id):
    return {"message": "The user does not exist; nothing was deleted",
            "params": {"value": user_id}, "dataPath": f"Users[{i}].UserID"}


def unknown_warning(path, name):
    return {"message": "Unknown property ignored", "params": {"value": name}, "dataPath": path}


def expect(r, status, body):
    eq(r.status, status, f"HTTP status of {r!r}")
    eq(r.headers.get("content-type"), JSON_CT, "Content-Type")
    eq(r.headers.get("cache-control"), "no-store", "Cache-Control")
    eq(r.json(), body, "response body")


_libcrypt = None


def crypt_matches(password, hashed):
    """True when password hashes to hashed (crypt(3) of the system, yescrypt included)."""
    global _libcrypt
    if _libcrypt is None:
        _libcrypt = ctypes.CDLL("libcrypt.so.1")
        _libcrypt.crypt.restype = ctypes.c_char_p
        _libcrypt.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    out = _libcrypt.crypt(password.encode(), hashed.encode())
    return out is not None and out.decode() == hashed


def tenant_id(env, t):
    return env.sql_one(f"SELECT id FROM tenants WHERE oid = {quote(t['id'])}")[0]


def snapshot(env, t):
    """Every row a tenant's users own, in a stable order."""
    tid = tenant_id(env, t)
    return {
        "users": env.sql(f"SELECT id, oid, username, email, first_name, last_name, "
                         f"password_hash, status, locked, origin, updated_at FROM users "
                         f"WHERE tenant_id = {tid} ORDER BY id"),
        "roles": env.sql(f"SELECT ur.user_id, ur.role_id FROM user_roles ur JOIN users u "
                         f"ON u.id = ur.user_id WHERE u.tenant_id = {tid} ORDER BY 1, 2"),
        "phones": env.sql(f"SELECT p.* FROM user_phones p JOIN users u ON u.id = p.user_id "
                          f"WHERE u.tenant_id = {tid} ORDER BY 1, 2"),
        "attrs": env.sql(f"SELECT a.* FROM user_attributes a JOIN users u ON u.id = a.user_id "
                         f"WHERE u.tenant_id = {tid} ORDER BY 1"),
        "mail": env.sql(f"SELECT id, user_id, kind, recipient FROM mail_outbox "
                        f"WHERE tenant_id = {tid} ORDER BY id"),
    }


def user_row(env, t, user_id):
    """(email, first_name, last_name, password_hash, status, locked, origin) or None."""
    rows = env.sql(f"SELECT u.email, u.first_name, u.last_name, u.password_hash, u.status, "
                   f"u.locked, u.origin FROM users u JOIN tenants t ON t.id = u.tenant_id "
                   f"WHERE t.oid = {quote(t['id'])} AND u.username = {quote(user_id)}")
    return rows[0] if rows else None


def user_roles(env, t, user_id):
    return [r[0] for r in env.sql(
        f"SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
        f"JOIN users u ON u.id = ur.user_id JOIN tenants t ON t.id = u.tenant_id "
        f"WHERE t.oid = {quote(t['id'])} AND u.username = {quote(user_id)} ORDER BY r.name")]
