"""test_deploy.py: the web server configs mount every documented URL (API.md section 1, plus
/urac/join) on the right executable, whatever the server: lighttpd, Apache mod_fcgid, mod_proxy_fcgi
or plain CGI through .htaccess (tests/run.sh runs this file under each).

An executable answers a path it does not route with a 404 in its vendor's format, and a routed
path with the wrong method with a 405 and an Allow header listing its methods: so a 405 whose
Allow names exactly the documented method proves that the documented path reached the
executable that owns it, and anything the web server answers itself lacks our headers.
"""
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET

from harness import check, eq, wait_until

SK = "/onboarding/provision/standalone/users"

# (method, path, dialect) for every documented URL; a {taskId} filled with a number
DOCUMENTED = [
    ("POST", SK, "skedulo"),
    ("PATCH", SK, "skedulo"),
    ("POST", SK + "/bulk", "skedulo"),
    ("POST", SK + "/file", "skedulo"),
    ("GET", SK + "/bulk/123", "skedulo"),
    ("POST", "/seiapi/v3/bulk/Users", "servicepower"),
    ("POST", "/urac/admin/addUser", "soajs"),
    ("POST", "/v1/user/add", "xtracta"),
    ("PUT", "/urac/admin/users/invite", "soajs"),
]

# the Allow header each documented path answers with (all methods its executable routes there)
ALLOW = {
    SK: {"POST", "PATCH"},
    SK + "/bulk": {"POST"},
    SK + "/file": {"POST"},
    SK + "/bulk/123": {"GET"},
    "/seiapi/v3/bulk/Users": {"POST"},
    "/urac/admin/addUser": {"POST"},
    "/v1/user/add": {"POST"},
    "/urac/admin/users/invite": {"PUT"},
}

# one path under each vendor prefix that no executable routes
UNKNOWN = [
    ("/onboarding/provision/standalone/nothing", "skedulo"),
    (SK + "/bulk/123/more", "skedulo"),
    ("/seiapi/v3/bulk/Nothing", "servicepower"),
    ("/urac/admin/nothing", "soajs"),
    ("/urac/admin/users/invite/more", "soajs"),
    ("/v1/user/nothing", "xtracta"),
]


def ours(r, dialect, what):
    """r was answered by one of our executables, in the dialect's format."""
    eq(r.headers.get("cache-control"), "no-store", f"{what}: Cache-Control (our header)")
    check(len(r.headers.get("x-request-id", "")) == 16, f"{what}: X-Request-Id: {r!r}")
    if dialect == "xtracta":
        eq(r.headers.get("content-type"), "application/xml; charset=utf-8", f"{what}: type")
        root = ET.fromstring(r.body)
        eq(root.tag, "user_response", f"{what}: root element")
        eq(root.findtext("status"), str(r.status), f"{what}: <status>")
        return root
    eq(r.headers.get("content-type"), "application/json; charset=utf-8", f"{what}: type")
    body = r.json()
    if dialect == "skedulo":
        check("errorType" in body or "result" in body, f"{what}: Skedulo shape: {body}")
    elif dialect == "servicepower":
        check("code" in body and "detail" in body, f"{what}: ServicePower shape: {body}")
    else:
        check("result" in body, f"{what}: SOAJS shape: {body}")
    return body


def wrong_method(method):
    return "DELETE" if method != "DELETE" else "GET"


def test_documented_urls_reach_their_executable(env):
    for method, path, dialect in DOCUMENTED:
        what = f"{wrong_method(method)} {path}"
        r = env.http(wrong_method(method), path)
        eq(r.status, 405, f"{what}: {r!r}")
        eq(set(r.headers.get("allow", "").replace(" ", "").split(",")), ALLOW[path],
           f"{what}: Allow")
        ours(r, dialect, what)


def test_documented_urls_answer_their_method(env):
    # no credentials: whatever the answer (401, 400, 501 while a feature is being written),
    # it comes from the executable, not from a route miss (404/405) or the web server
    for method, path, dialect in DOCUMENTED:
        ct = "application/x-www-form-urlencoded" if dialect == "xtracta" else "application/json"
        r = env.http(method, path, b"" if method == "GET" else b"{}",
                     content_type=None if method == "GET" else ct)
        check(r.status not in (404, 405), f"{method} {path}: {r!r}")
        ours(r, dialect, f"{method} {path}")


def test_query_string_does_not_change_the_mount(env):
    r = env.http("DELETE", "/urac/admin/addUser?tId=1&tCode=x/../../v1/user/add")
    eq(r.status, 405, f"{r!r}")
    ours(r, "soajs", "query")
    r = env.http("DELETE", "/v1/user/add?next=/urac/admin/addUser")
    eq(r.status, 405, f"{r!r}")
    ours(r, "xtracta", "query")


def test_unknown_paths_under_a_prefix_answer_404_in_the_vendor_format(env):
    for path, dialect in UNKNOWN:
        r = env.http("POST", path, b"{}", content_type="application/json")
        eq(r.status, 404, f"POST {path}: {r!r}")
        ours(r, dialect, f"POST {path}")


def test_paths_outside_the_vendor_prefixes_are_not_ours(env):
    for path in ("/", "/urac2/admin/addUser", "/v10/user/add", "/onboardingx"):
        r = env.http("POST", path, b"{}", content_type="application/json")
        check(r.headers.get("cache-control") != "no-store" and "x-request-id" not in r.headers,
              f"POST {path} reached an executable: {r!r}")


def test_join_page_is_mounted_apart(env):
    """/urac/join lies under the SOAJS prefix but belongs to its own executable."""
    r = env.http("GET", "/urac/join?token=not-a-token")
    if os.path.exists(os.path.join(env.bin, "join")):
        check(r.headers.get("content-type", "").startswith("text/html"),
              f"join answers its page: {r!r}")
        check(400 <= r.status < 500, f"unknown token: 4xx: {r!r}")
    else:
        # not built yet: the server must not hand the URL to add_user
        check("x-request-id" not in r.headers, f"/urac/join reached another executable: {r!r}")
        check(r.status in (403, 404, 503), f"/urac/join without its executable: {r!r}")


def test_authorization_header_reaches_the_executables(env):
    """Apache drops Authorization unless told otherwise; Skedulo needs "Bearer <token>". A
    valid token must never be refused as missing (401) or unscoped (403)."""
    t = env.new_tenant()
    tok = env.provctl_json("token", "create", "--tenant", t["id"], "--scope",
                           "users:read,users:write", "--json")["token"]
    r = env.http("GET", SK + "/bulk/999999999", headers={"Authorization": "Bearer " + tok})
    check(r.status not in (401, 403), f"valid bearer refused: {r!r}")
    ours(r, "skedulo", "bearer")
    r = env.post_json(SK, [{"email": "auth-pass@example.com", "lastName": "Pass",
                            "sendInvitation": False}],
                      headers={"Authorization": "Bearer " + tok})
    check(r.status not in (401, 403), f"valid bearer refused: {r!r}")
    ours(r, "skedulo", "bearer")


def test_body_limit_is_ours_up_to_the_server_cap(env):
    """16 MiB, over limits.body_bytes (8 MiB) and under the web servers' own caps (32 MiB):
    the executable answers 413 in the vendor's format, not the server."""
    n = 16 * 1024 * 1024
    head = (f"POST /v1/user/add HTTP/1.1\r\nHost: x\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {n}\r\n"
            f"Connection: close\r\n\r\n").encode()
    partial = env.server == "lighttpd"   # see test_soajs_add_user.test_body_over_limit_413
    r = env.raw(head + b"a" * (65536 if partial else n), timeout=60)
    eq(r.status, 413, f"16 MiB body: {r!r}")
    root = ours(r, "xtracta", "16 MiB body")
    eq(root.findtext("status"), "413", "<status>")


def test_json_bodies_pass_unchanged(env):
    """The server hands the body over byte for byte (no re-encoding, no truncation)."""
    t = env.new_tenant()
    name = "Zoë \u00e9\u4e2d\U0001f600"
    body = json.dumps({"username": "bytes" + t["id"][:6], "firstName": name, "lastName": "B",
                       "email": f"bytes-{t['id']}@example.com"}, ensure_ascii=False)
    r = env.http("POST", f"/urac/admin/addUser?tId={t['id']}&tCode={t['code']}",
                 body.encode("utf-8"), {"key": t["soajs"]["key"]}, "application/json")
    eq(r.status, 200, f"{r!r}")
    eq(env.sql(f"SELECT first_name FROM users WHERE email = 'bytes-{t['id']}@example.com'"),
       [[name]], "stored first name")


def test_deploy_md_mount_check_works_verbatim(env):
    """The mount check of docs/DEPLOY.md, run as printed (on this stack's port), prints what
    the page says it prints."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "docs", "DEPLOY.md"), encoding="utf-8") as f:
        page = f.read()
    blocks = re.findall(r"```sh\n(.*?)```", page, re.S)
    block = [b for b in blocks if b.startswith("for u in")]
    eq(len(block), 1, "one mount-check block in DEPLOY.md")
    script = block[0].replace("http://127.0.0.1:8080", env.base_url)
    expected = [ln[2:] for ln in script.splitlines() if ln.startswith("# ")]
    check(len(expected) >= 7, f"the block lists its output: {expected}")
    p = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)
    eq(p.stdout.splitlines(), expected, f"output of the DEPLOY.md mount check ({p.stderr})")


def test_program_log_reaches_the_server_log(env):
    """The one line per request of the executables lands where program_log() (and
    docs/DEPLOY.md) say, under every server, with the request id the client got."""
    r = env.http("DELETE", "/v1/user/add")
    rid = r.headers.get("x-request-id", "")
    eq(len(rid), 16, f"X-Request-Id: {r!r}")
    found = wait_until(lambda: f"rid={rid} " in env.program_log(), timeout=10)
    check(found, f"request {rid} not in the program log of {env.server}")
