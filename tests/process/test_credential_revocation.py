"""Revocation reaches a FastCGI process that is already running: one add_user process (SOAJS,
Xtracta) and one bulk_users process (Skedulo, ServicePower), each started before anything is
rotated and driven directly, see every kind's rotated secret, then refuse the revoked one on
the very next request, with no restart and no delay (nothing is cached across requests)."""
import json
import os
import urllib.parse

import fcgi
from credential_util import KINDS, call, secret_of
from harness import check, eq, parse_cgi

EXE = {"/urac/admin/addUser": "add_user", "/v1/user/add": "add_user",
       "/onboarding/provision/standalone/users": "bulk_users",
       "/seiapi/v3/bulk/Users": "bulk_users"}


class OneProcess:
    """The harness Env's request methods, answered by one process per executable."""

    def __init__(self, env):
        e = {"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin"}
        self.servers = {name: fcgi.Server(os.path.join(env.bin, name), e)
                        for name in ("add_user", "bulk_users")}
        self.pids = {name: s.proc.pid for name, s in self.servers.items()}

    def http(self, method, target, body=b"", headers=None, content_type=None):
        path, _, query = target.partition("?")
        if isinstance(body, str):
            body = body.encode()
        params = {"REQUEST_METHOD": method, "REQUEST_URI": target, "QUERY_STRING": query,
                  "SCRIPT_NAME": path, "CONTENT_LENGTH": str(len(body)),
                  "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1"}
        if content_type:
            params["CONTENT_TYPE"] = content_type
        for k, v in (headers or {}).items():
            params["HTTP_" + k.upper().replace("-", "_")] = v
        srv = self.servers[EXE[path]]
        out, err = fcgi.request(srv.path, params, body)
        return parse_cgi(out, 0, err)

    def post_json(self, path, obj, headers=None):
        return self.http("POST", path, json.dumps(obj), headers, "application/json")

    def post_form(self, path, fields, headers=None):
        return self.http("POST", path, urllib.parse.urlencode(fields), headers,
                         "application/x-www-form-urlencoded")

    def still_the_same(self):
        for name, s in self.servers.items():
            check(s.proc.poll() is None and s.proc.pid == self.pids[name],
                  f"the {name} process is no longer the one started first")

    def close(self):
        for s in self.servers.values():
            s.close()


def test_revocation_reaches_a_running_process_at_once(env):
    t = env.new_tenant()
    one = OneProcess(env)
    try:
        for kind in KINDS:
            eq(call(one, t, kind, secret_of(t, kind)), "ok", f"{kind}: before the rotation")
        news = {}
        for kind in KINDS:
            out = env.provctl_json("credential", "rotate", "--tenant", t["id"], "--kind", kind,
                                   "--json")
            news[kind] = (out["id"], out["replaces"]["id"], secret_of(out, kind))
        for kind in KINDS:
            eq(call(one, t, kind, news[kind][2]), "ok", f"{kind}: the new secret")
            eq(call(one, t, kind, secret_of(t, kind)), "ok", f"{kind}: the old one, in grace")
            rc, _, err = env.provctl("credential", "revoke", "--id", str(news[kind][1]))
            eq(rc, 0, f"{kind}: revoke ({err.strip()})")
            eq(call(one, t, kind, secret_of(t, kind)), "refused",
               f"{kind}: the old secret on the request right after its revocation")
            eq(call(one, t, kind, news[kind][2]), "ok", f"{kind}: the new one goes on")
        one.still_the_same()
    finally:
        one.close()
