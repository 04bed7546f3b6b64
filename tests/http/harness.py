"""harness.py: what every HTTP test file uses. Only the Python 3 standard library.

Env gives a test:
  - http(method, path, body, headers, ...) -> Response against the running web server;
  - raw(bytes) -> Response for requests http.client cannot send (lying Content-Length...);
  - cgi(exe, ...) -> Response from one executable run as plain CGI;
  - provctl(...) / provctl_json(...) / new_tenant(...) -> the admin CLI on the test stack;
  - sql(query) -> rows, through the mariadb client on the private socket, to check storage;
  - program_log() -> what the executables logged, whichever web server runs them.
Assertion helpers raise AssertionError with a message saying what differed.

With PROVISION_HTTP_RECORD=<file> in the environment, every exchange of http(), raw() and cgi()
is appended to that file as one JSON line (see Recorder), for tests/openapi_check.py.
"""
import base64
import http.client
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except Exception as e:  # noqa: BLE001 - the message says what came back
            raise AssertionError(f"response is not JSON ({e}): {self.body[:300]!r}")

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return f"<{self.status} {self.headers.get('content-type')} {self.body[:400]!r}>"


def eq(actual, expected, what="value"):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def form(fields):
    """urlencode a list of pairs or a dict into bytes."""
    return urllib.parse.urlencode(fields).encode()


class Recorder:
    """Appends each exchange to a JSON-lines file: {"test", "via" (http, raw or cgi), "method",
    "target" (path and query), "req_type", "req_body", "status", "headers" (those of the
    response that the OpenAPI files describe), "body"}. A body is text, or {"b64": ...} when it
    is not UTF-8; a body over BODY_MAX bytes is left out ({"omitted": its length}) to keep the
    file and its check small (the bulk scale tests send megabytes). Thread-safe: tests send
    from several threads at once."""
    BODY_MAX = 256 * 1024
    HEADERS = ("content-type", "cache-control", "allow", "x-request-id",
               "content-security-policy", "referrer-policy", "x-content-type-options",
               "x-frame-options")

    def __init__(self, path):
        self.path = path
        self.test = None
        self._lock = threading.Lock()

    @classmethod
    def body(cls, b):
        if b is None:
            return ""
        if isinstance(b, str):
            b = b.encode()
        if len(b) > cls.BODY_MAX:
            return {"omitted": len(b)}
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return {"b64": base64.b64encode(b).decode()}

    def add(self, via, method, target, req_type, req_body, resp):
        rec = {"test": self.test, "via": via, "method": method, "target": target,
               "req_type": req_type, "req_body": self.body(req_body), "status": resp.status,
               "headers": {k: v for k, v in resp.headers.items() if k in self.HEADERS},
               "body": self.body(resp.body)}
        line = json.dumps(rec, ensure_ascii=False) + "\n"
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(line)


class Env:
    def __init__(self, base_url, var, bindir, server):
        u = urllib.parse.urlsplit(base_url)
        self.base_url = base_url
        self.host, self.port = u.hostname, u.port
        self.var = var
        self.bin = bindir
        self.server = server
        self.conf = os.path.join(var, "provision.conf")
        self.socket = os.path.join(var, "run", "mysqld.sock")
        self._db_password = None
        with open(self.conf) as f:
            for line in f:
                m = re.match(r"\s*db\.password\s*=\s*(\S+)", line)
                if m:
                    self._db_password = m.group(1)
        rec = os.environ.get("PROVISION_HTTP_RECORD")
        self.recorder = Recorder(rec) if rec else None

    # ---- HTTP ----
    def http(self, method, path, body=None, headers=None, content_type=None, timeout=60):
        h = dict(headers or {})
        if content_type is not None:
            h["Content-Type"] = content_type
        if isinstance(body, str):
            body = body.encode()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            resp = Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        if self.recorder:
            ct = next((v for k, v in h.items() if k.lower() == "content-type"), None)
            self.recorder.add("http", method, path, ct, body, resp)
        return resp

    def post_json(self, path, obj, headers=None, method="POST"):
        return self.http(method, path, json.dumps(obj).encode(), headers,
                         "application/json")

    def post_form(self, path, fields, headers=None, method="POST"):
        body = fields if isinstance(fields, (bytes, str)) else form(fields)
        return self.http(method, path, body, headers, "application/x-www-form-urlencoded")

    def raw(self, data, timeout=30, shut_write=False):
        """Sends bytes as they are and parses whatever HTTP response comes back."""
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        try:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            if shut_write:
                s.shutdown(socket.SHUT_WR)
            chunks = []
            while True:
                try:
                    b = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not b:
                    break
                chunks.append(b)
                if _complete(b"".join(chunks)):
                    break
        finally:
            s.close()
        resp = parse_http(b"".join(chunks))
        if self.recorder and resp.status:
            head = data.partition(b"\r\n\r\n")[0].decode("latin-1")
            line = head.split("\r\n")[0].split(" ")
            m = re.search(r"(?im)^content-type:[ \t]*(.*?)[ \t]*$", head)
            # the request as the test wrote it, whatever its body (often cut short on purpose)
            self.recorder.add("raw", line[0], line[1] if len(line) > 1 else "",
                              m.group(1) if m else None, None, resp)
        return resp

    # ---- plain CGI ----
    def cgi(self, exe, method, path, body=b"", headers=None, env=None, content_length=None,
            query=""):
        e = {
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REQUEST_METHOD": method,
            "REQUEST_URI": path + ("?" + query if query else ""),
            "SCRIPT_NAME": path,
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "PROVISION_CONF": self.conf,
            "PATH": "/usr/bin:/bin",
        }
        if body or content_length is not None:
            e["CONTENT_LENGTH"] = str(len(body) if content_length is None else content_length)
        for k, v in (headers or {}).items():
            if k.lower() == "content-type":
                e["CONTENT_TYPE"] = v
            else:
                e["HTTP_" + k.upper().replace("-", "_")] = v
        e.update(env or {})
        p = subprocess.run([os.path.join(self.bin, exe)], input=body, env=e,
                           capture_output=True, timeout=60)
        resp = parse_cgi(p.stdout, p.returncode, p.stderr)
        if self.recorder:
            self.recorder.add("cgi", method, e["REQUEST_URI"], e.get("CONTENT_TYPE"), body, resp)
        return resp

    # ---- logs ----
    def program_log(self):
        """Everything the executables wrote to stderr so far, wherever this server puts it:
        lighttpd and the mod_proxy_fcgi pools: log/app.log; Apache mod_fcgid and mod_cgi: its
        error log (mod_cgi prefixes each line with "AH01215: stderr from <program>: ")."""
        text = ""
        for name in ("app.log", "apache-error.log"):
            try:
                with open(os.path.join(self.var, "log", name), encoding="utf-8",
                          errors="replace") as f:
                    text += f.read()
            except FileNotFoundError:
                pass
        return text

    # ---- admin CLI ----
    def provctl(self, *args, stdin=None, env=None):
        e = dict(os.environ, PROVISION_CONF=self.conf)
        e.update(env or {})
        p = subprocess.run([os.path.join(self.bin, "provctl"), *args], input=stdin, env=e,
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def provctl_json(self, *args):
        rc, out, err = self.provctl(*args)
        if rc != 0:
            raise AssertionError(f"provctl {' '.join(args)} failed ({rc}): {err.strip()}")
        return json.loads(out)

    def new_tenant(self, name=None, parent=None):
        args = ["tenant", "create", "--name", name or ("T-" + uuid.uuid4().hex[:8])]
        if parent:
            args += ["--parent", parent]
        return self.provctl_json(*args, "--json")

    # ---- database checks ----
    def sql(self, query):
        """Rows of a query as lists of strings (None for NULL). The statement delimiter is
        '$$' so that trigger bodies may hold ';'."""
        p = subprocess.run(
            ["mariadb", "--no-defaults", "--socket=" + self.socket, "-u", "provision",
             "--default-character-set=utf8mb4", "--delimiter=$$",
             "provision", "-N", "-B", "--raw", "-e", query],
            env=dict(os.environ, MYSQL_PWD=self._db_password or ""),
            capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"sql failed: {p.stderr.strip()} in {query}")
        rows = []
        for line in p.stdout.splitlines():
            rows.append([None if c == "NULL" else c for c in line.split("\t")])
        return rows

    def sql_one(self, query):
        rows = self.sql(query)
        check(len(rows) == 1, f"expected one row, got {len(rows)}: {query}")
        return rows[0]


def with_trigger(env, table, name, cond, fn):
    """fn() while every INSERT into table for which the SQL condition cond holds fails (a
    trigger named name signals an error): a write the database refuses, then the trigger
    is dropped again."""
    env.sql(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW "
            f"IF {cond} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'test fault'; END IF")
    try:
        return fn()
    finally:
        env.sql(f"DROP TRIGGER IF EXISTS {name}")


def quote(s):
    """An SQL string literal for test queries (test-controlled values only)."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _chunked(head):
    return re.search(rb"(?im)^transfer-encoding:\s*chunked", head) is not None


def _dechunk(body):
    """The payload of a chunked body, or None while it is incomplete."""
    out = b""
    while True:
        line, sep, rest = body.partition(b"\r\n")
        if not sep:
            return None
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            return out
        if len(rest) < size + 2:
            return None
        out += rest[:size]
        body = rest[size + 2:]


def _complete(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    if _chunked(head):   # Apache's mod_proxy_fcgi re-frames responses this way
        return _dechunk(body) is not None
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return m is not None and len(body) >= int(m.group(1))


def parse_http(data):
    if not data:
        return Response(0, [], b"")
    head, _, body = data.partition(b"\r\n\r\n")
    if _chunked(head):
        payload = _dechunk(body)
        body = payload if payload is not None else body
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = [tuple(x.strip() for x in ln.split(":", 1)) for ln in lines[1:] if ":" in ln]
    return Response(status, headers, body)


def parse_cgi(out, rc, err):
    head, sep, body = out.partition(b"\r\n\r\n")
    if not sep:
        raise AssertionError(f"CGI gave no headers (exit {rc}): {out[:200]!r} {err[-300:]!r}")
    headers = []
    status = 200
    for ln in head.decode("latin-1").split("\r\n"):
        k, _, v = ln.partition(":")
        if k.lower() == "status":
            status = int(v.split()[0])
        else:
            headers.append((k.strip(), v.strip()))
    r = Response(status, headers, body)
    r.stderr = err.decode("utf-8", "replace")
    return r


def wait_until(cond, timeout=30, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()
