"""One FastCGI process, driven directly (no web server): resident memory stays flat over
10 000 consecutive add_user requests, and a body shorter than its CONTENT_LENGTH gets 400 in
FastCGI mode too. Run once per `make test`, whatever the web server."""
import json
import os
import uuid

import fcgi
from harness import check, eq


def _params(env, t, body):
    return {
        "REQUEST_METHOD": "POST", "REQUEST_URI": f"/urac/admin/addUser?tId={t['id']}&tCode={t['code']}",
        "QUERY_STRING": f"tId={t['id']}&tCode={t['code']}", "SCRIPT_NAME": "/urac/admin/addUser",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "HTTP_KEY": t["soajs"]["key"], "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
    }


def _server(env):
    return fcgi.Server(os.path.join(env.bin, "add_user"),
                       {"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin"})


def test_rss_flat_over_10000_add_user_requests(env):
    t = env.new_tenant()
    srv = _server(env)
    try:
        run = uuid.uuid4().hex[:8]
        rss = {}
        for i in range(10000):
            body = json.dumps({"username": f"m{run}{i}", "firstName": "Mem", "lastName": "Test",
                               "email": f"m{run}.{i}@example.com"}).encode()
            out, _ = fcgi.request(srv.path, _params(env, t, body), body)
            if i < 3 or i % 1000 == 0:
                check(b'"result":true' in out, f"request {i} failed: {out[:300]!r}")
            if i + 1 in (100, 1000, 5000, 10000):
                rss[i + 1] = srv.rss_kib()
        growth = rss[10000] - rss[100]
        print(f"    RSS KiB after 100/1000/5000/10000 requests: {rss[100]}/{rss[1000]}/"
              f"{rss[5000]}/{rss[10000]} (growth {growth} KiB)")
        check(growth < 1024, f"RSS grew {growth} KiB between request 100 and 10000: {rss}")
        n = env.sql_one(f"SELECT COUNT(*) FROM users WHERE username LIKE 'm{run}%'")[0]
        eq(n, "10000", "every request created its user")
    finally:
        srv.close()


def test_truncated_body_in_fastcgi_mode(env):
    t = env.new_tenant()
    srv = _server(env)
    try:
        body = json.dumps({"username": "x"}).encode()
        params = _params(env, t, body)
        params["CONTENT_LENGTH"] = str(len(body) + 50)
        out, _ = fcgi.request(srv.path, params, body)
        check(out.startswith(b"Status: 400"), f"truncated body: {out[:200]!r}")
        check(b"shorter than its Content-Length" in out, f"message: {out!r}")
        # the same process still serves a good request afterwards
        body = json.dumps({"username": "ok" + uuid.uuid4().hex[:8], "firstName": "A",
                           "lastName": "B", "email": f"{uuid.uuid4().hex[:8]}@x.io"}).encode()
        out, _ = fcgi.request(srv.path, _params(env, t, body), body)
        check(b'"result":true' in out, f"after a truncated body: {out[:200]!r}")
    finally:
        srv.close()


def test_reconnects_after_database_restart(env):
    """The same FastCGI process answers "database unavailable" during an outage, quickly, and
    serves again once MariaDB is back, without a restart of its own."""
    import subprocess
    import time

    t = env.new_tenant()
    srv = _server(env)
    stack = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "stack.sh")
    senv = dict(os.environ, PROVISION_VAR=env.var, STACK_QUIET="1",
                PORT=str(env.port), PROVISION_BIN=env.bin)

    def add():
        body = json.dumps({"username": "r" + uuid.uuid4().hex[:10], "firstName": "R",
                           "lastName": "S", "email": f"{uuid.uuid4().hex[:10]}@x.io"}).encode()
        out, _ = fcgi.request(srv.path, _params(env, t, body), body)
        return out

    try:
        check(b'"result":true' in add(), "before the restart")
        pid = int(open(os.path.join(env.var, "run", "mysqld.pid")).read())
        os.kill(pid, 15)
        for _ in range(300):
            try:
                os.kill(pid, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                break
        t0 = time.time()
        out = add()
        took = time.time() - t0
        check(b'"codes":[400]' in out and b"Database connection error" in out,
              f"during the outage: {out[:300]!r}")
        check(took < 5, f"the outage answer took {took:.1f}s")
        subprocess.run(["sh", stack, "start"], env=senv, check=True, capture_output=True)
        out = add()
        check(b'"result":true' in out, f"after the restart, same process: {out[:300]!r}")
        check(srv.proc.poll() is None, "the FastCGI process is still the same one")
    finally:
        srv.close()


def _raw_request(params, body):
    """The bytes of one whole FastCGI request (built once, sent many times)."""
    data = fcgi._record(fcgi.BEGIN, fcgi.struct.pack(">HB5x", 1, 0))
    data += fcgi._record(fcgi.PARAMS, b"".join(fcgi._nv(k.encode(), v.encode())
                                               for k, v in params.items()))
    data += fcgi._record(fcgi.PARAMS, b"")
    if body:
        data += fcgi._record(fcgi.STDIN, body)
    return data + fcgi._record(fcgi.STDIN, b"")


def _read_all(s):
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            return out
        out += b


def test_rss_flat_over_100000_requests(env):
    """Issue 7 (docs/SECURITY.md): 100 000 requests to one add_user process, in windows of 32
    connections sent before any answer is read (so the client keeps the process busy): mostly
    cheap refusals that still run the whole request path (the key looked up in the database,
    the body parsed and checked, an error answer built), a hostile body in each window, and a
    created user every 50 requests. Resident memory must not grow by 1 MiB between request
    1 000 and 100 000, and every answer must be the expected one."""
    import socket
    import time

    t = env.new_tenant()
    srv = _server(env)
    run = uuid.uuid4().hex[:8]
    bad_fields = json.dumps({"username": "x", "email": "not an email"}).encode()
    kinds = [
        (_raw_request(_params(env, t, bad_fields), bad_fields), b'"codes":[172'),
        (_raw_request(dict(_params(env, t, b"{"), HTTP_KEY="nokey"), b"{"), b'"result":false'),
        (_raw_request(_params(env, t, b'{"a":[[[[[[1]]]]]],"a":"\xff"}'),
                      b'{"a":[[[[[[1]]]]]],"a":"\xff"}'), b'"result":false'),
    ]
    total, window, created = 100000, 32, 0
    rss, t0 = {}, time.time()
    try:
        for start in range(0, total, window):
            socks, want = [], []
            for i in range(start, start + window):
                if i % 50 == 0:
                    body = json.dumps({"username": f"h{run}{i}", "firstName": "H",
                                       "lastName": "K", "email": f"h{run}.{i}@x.io"}).encode()
                    data, expect = _raw_request(_params(env, t, body), body), b'"result":true'
                    created += 1
                else:
                    data, expect = kinds[i % len(kinds)]
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(srv.path)
                s.sendall(data)
                # our half closed at once: libfcgi's lingering close waits (up to 2 s) for
                # the client's EOF before it accepts the next connection
                s.shutdown(socket.SHUT_WR)
                socks.append(s)
                want.append(expect)
            for i, (s, expect) in enumerate(zip(socks, want)):
                out = _read_all(s)
                s.close()
                check(expect in out, f"request {start + i}: {out[:300]!r}")
            done = start + window
            if done in (1024, 10016, 50016, 100000) or done >= total:
                rss[done] = srv.rss_kib()
        took = time.time() - t0
        keys = sorted(rss)
        growth = rss[keys[-1]] - rss[keys[0]]
        print(f"    RSS KiB after {'/'.join(map(str, keys))} requests: "
              f"{'/'.join(str(rss[k]) for k in keys)} (growth {growth} KiB, {took:.1f}s)")
        check(growth < 1024, f"RSS grew {growth} KiB over 100 000 requests: {rss}")
        n = env.sql_one(f"SELECT COUNT(*) FROM users WHERE username LIKE 'h{run}%'")[0]
        eq(n, str(created), "every create stored")
    finally:
        srv.close()
