"""test_deploy.py: the web server configs mount every documented URL (docs/CONTRACT.md section 1,
plus /urac/join) on the right executable, whatever the server: lighttpd, Apache mod_fcgid,
mod_proxy_fcgi or plain CGI through .htaccess (tests/run.sh runs this file under each).

An executable answers a path it does not route with a 404 in its vendor's format, and a routed
path with the wrong method with a 405 and an Allow header listing its methods: so a 405 whose
Allow names exactly the documented method proves that the documented path reached the
executable that owns it, and anything the web server answers itself lacks our headers.
"""
import json
import os
import re
import socket
import subprocess
import uuid
import xml.etree.ElementTree as ET

from harness import check, eq, parse_http, wait_until

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
    # every server takes the whole body in before our executable sees the request
    r = env.raw(head + b"a" * n, timeout=60)
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


# ---- transport (issue 13 point 7): chunked bodies, bodies that are not there ----

def send_raw(env, data, record=None):
    """Sends bytes as they are (Connection: close) and parses the answer read to the end.
    record=(method, path, content type, body) adds the exchange to the OpenAPI record with the
    body as the executable received it; None leaves it out (the web server's own answers)."""
    s = socket.create_connection((env.host, env.port), timeout=60)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass   # answered before the end of the body; the answer is still there to read
        out = b""
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            out += b
    finally:
        s.close()
    r = parse_http(out)
    if record and env.recorder and r.status:
        env.recorder.add("raw", *record, r)
    return r


def chunked(env, method, path, headers, ctype, body, size=65536):
    """body sent with Transfer-Encoding: chunked (chunks of size bytes), no Content-Length."""
    h = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Transfer-Encoding: chunked\r\nContent-Type: {ctype}\r\n{h}\r\n").encode()
    chunks = b"".join(b"%x\r\n" % len(body[i:i + size]) + body[i:i + size] + b"\r\n"
                      for i in range(0, len(body), size))
    return send_raw(env, head + chunks + b"0\r\n\r\n", record=(method, path, ctype, body))


def soajs_add_path(t):
    return f"/urac/admin/addUser?tId={t['id']}&tCode={t['code']}"


def test_chunked_bodies_work_like_content_length_bodies(env):
    """A chunked body within the limit is served as its Content-Length twin would be, however
    large (lighttpd streaming to FastCGI answered 411 above 64-128 KiB): JSON and form, small
    chunks and large, one user stored each time."""
    t = env.new_tenant()
    for size, chunk in ((600, 50), (300 * 1024, 65536), (2 * 1024 * 1024, 65536)):
        u = uuid.uuid4().hex[:10]
        email = f"chunk.{u}@example.com"
        body = json.dumps({"username": "ch" + u, "firstName": "Chunk", "lastName": "Ed",
                           "email": email}).encode()
        body += b" " * (size - len(body))   # JSON allows trailing blanks: any size, valid
        r = chunked(env, "POST", soajs_add_path(t), {"key": t["soajs"]["key"]},
                    "application/json", body, chunk)
        what = f"chunked JSON body of {size} bytes in chunks of {chunk}"
        eq(r.status, 200, f"{what}: {r!r}")
        eq(ours(r, "soajs", what).get("result"), True, f"{what}: result")
        eq(env.sql(f"SELECT COUNT(*) FROM users WHERE email = '{email}'"), [["1"]],
           f"{what}: stored once")
    u = uuid.uuid4().hex[:10]
    form = (f"api_key={t['xtracta']['api_key']}&name=Chunk&email_address=xc.{u}%40example.com"
            f"&group_id={t['xtracta']['group_id']}").encode()
    r = chunked(env, "POST", "/v1/user/add", {}, "application/x-www-form-urlencoded",
                form + b"&pad=" + b"p" * (200 * 1024), 4096)
    eq(r.status, 200, f"chunked form body: {r!r}")
    ours(r, "xtracta", "chunked form body")
    eq(env.sql(f"SELECT COUNT(*) FROM users WHERE email = 'xc.{u}@example.com'"), [["1"]],
       "chunked form body: stored once")


def test_chunked_body_over_the_limit_gets_the_dialect_413(env):
    """9 MiB chunked, over limits.body_bytes (8 MiB) and under the servers' own caps: the
    executable answers 413 in its dialect (lighttpd streaming to FastCGI answered its own 411),
    and nothing is stored."""
    t = env.new_tenant()
    u = uuid.uuid4().hex[:10]
    email = f"big.{u}@example.com"
    body = json.dumps({"username": "big" + u, "firstName": "B", "lastName": "G",
                       "email": email}).encode()
    body += b" " * (9 * 1024 * 1024 - len(body))
    r = chunked(env, "POST", soajs_add_path(t), {"key": t["soajs"]["key"]}, "application/json",
                body)
    eq(r.status, 413, f"9 MiB chunked: {r!r}")
    eq(ours(r, "soajs", "9 MiB chunked")["errors"]["codes"], [413], "SOAJS 413 envelope")
    tok = env.provctl_json("token", "create", "--tenant", t["id"], "--scope",
                           "users:read,users:write", "--json")["token"]
    r = chunked(env, "POST", SK, {"Authorization": "Bearer " + tok}, "application/json",
                b"[" + b" " * (9 * 1024 * 1024) + b"]")
    eq(r.status, 413, f"9 MiB chunked Skedulo: {r!r}")
    eq(ours(r, "skedulo", "9 MiB chunked Skedulo").get("errorType"), "payload_too_large",
       "Skedulo errorType")
    eq(env.sql(f"SELECT COUNT(*) FROM users WHERE email = '{email}'"), [["0"]], "nothing stored")


def test_post_without_a_body_reaches_the_dialect(env):
    """A POST with no body to a path under a vendor prefix gets the dialect's answer: with
    Content-Length: 0 under every server; with no length at all (neither Content-Length nor
    Transfer-Encoding) under Apache, while lighttpd refuses that itself with its own 411, a
    check hard-wired in its request parser (docs/DEPLOY.md)."""
    for path, dialect in UNKNOWN + [(SK + "/bulk", "skedulo"), ("/v1/user/add", "xtracta")]:
        for head, what in ((f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n",
                            "Content-Length: 0"),
                           (f"POST {path} HTTP/1.1\r\nHost: x\r\n", "no length")):
            data = (head + "Connection: close\r\n\r\n").encode()
            if what == "no length" and env.server == "lighttpd":
                r = send_raw(env, data)
                eq(r.status, 411, f"POST {path}, {what}: lighttpd's own answer: {r!r}")
                check("x-request-id" not in r.headers, f"POST {path}, {what}: {r!r}")
                continue
            r = send_raw(env, data, record=("POST", path, None, b""))
            if (path, dialect) in UNKNOWN:
                eq(r.status, 404, f"POST {path}, {what}: {r!r}")
            else:
                check(r.status not in (404, 405, 411), f"POST {path}, {what}: {r!r}")
            ours(r, dialect, f"POST {path}, {what}")


def test_paths_outside_the_vendor_prefixes_get_the_servers_404(env):
    """Outside the vendor prefixes the web server answers for itself (the service owns only
    its prefixes, docs/DEPLOY.md): not found, under every server (the private Apache stacks
    answered 403 there before)."""
    for path in ("/URAC/admin/addUser", "/urac2/admin/addUser", "/v10/user/add",
                 "/onboardingx"):
        for head in (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n",
                     f"GET {path} HTTP/1.1\r\nHost: x\r\n"):
            r = send_raw(env, (head + "Connection: close\r\n\r\n").encode())
            eq(r.status, 404, f"{head.split(' HTTP')[0]}: {r!r}")
            check("x-request-id" not in r.headers, f"{path} reached an executable: {r!r}")
