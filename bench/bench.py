#!/usr/bin/env python3
"""bench.py: the figures of issue 8, each against a baseline measured in the same run, printed
as ONE table (and written to <var>/results.md for docs/PERFORMANCE.md). Started by
bench/run.sh, which has already started the bench stack with the baselines mounted:

  (a) /bench/const   base_const: bare libfcgi, constant JSON
  (b) /bench/insert  base_insert: bare libfcgi, one prepared INSERT of a users row
  (d) /bench/tx      base_tx: bare libfcgi, add_user's database work alone (lookup, three
                     INSERTs, one transaction) through lib/store/db.c
  (e) /bench/call    base_call: bare libfcgi, (d)'s work in ONE round trip (a stored
                     procedure, bench/base_call.sql): the ceiling of folding round trips
  (c) base_bulk N    a bare C program: N users rows, multi-row INSERTs, one transaction

Figures: add_user requests/s and latency under wrk (16 connections) against (b); Skedulo
synchronous POST of N users (with and without invitations) and ServicePower bulk against (c)
for the same N; the resident set of every FastCGI process before and after 100 000 requests;
the yescrypt cost and milliseconds per hash. Timed figures are repeated (BENCH_REPEAT) with
the runs of a figure and its baseline interleaved, so both see the same machine load; the
table shows the median and the spread. Only the Python standard library; no timed assertion
anywhere: targets are reported, never enforced.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEAT = int(os.environ.get("BENCH_REPEAT", "1" if QUICK else "3"))
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "3" if QUICK else "10"))
CONNECTIONS = 16
WRK_THREADS = 2
BULK_NS = (100, 1000, 2000) if QUICK else (1000, 10000, 50000)
SP_N = 1000 if QUICK else 10000
MEMORY_REQUESTS = int(os.environ.get("BENCH_MEMORY_REQUESTS", "5000" if QUICK else "100000"))
WARMUP_REQUESTS = 2000 if QUICK else 5000
PW_COSTS = (5,) if QUICK else (3, 4, 5, 6, 7, 8)


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs, fmt):
    """'[min-max]' of the runs when there are several."""
    if len(xs) < 2:
        return ""
    return f" [{fmt(min(xs))}-{fmt(max(xs))}]"


class Bench:
    def __init__(self, a):
        self.base_url = a.base_url
        u = urllib.parse.urlsplit(a.base_url)
        self.host, self.port = u.hostname, u.port
        self.var = a.var
        self.bin = a.bin
        self.bbin = a.bench_bin
        self.tenant_id = a.tenant_id
        self.conf = os.path.join(a.var, "provision.conf")
        with open(os.path.join(a.var, "demo-tenant.json")) as f:
            self.t = json.load(f)
        self.env = dict(os.environ, PROVISION_CONF=self.conf, BENCH_LUA_DIR=HERE)
        self.run_tag = format(int(time.time()) % 1000000, "x")
        self.seq = 0
        self.rows = []      # (figure, value, baseline, ratio, target, met)
        self.results = {}

    def tag(self):
        self.seq += 1
        return f"{self.run_tag}{self.seq}"

    # ---- plumbing ----
    def http(self, method, path, body=None, headers=None, timeout=600):
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            t0 = time.perf_counter()
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, data, time.perf_counter() - t0
        finally:
            c.close()

    def sql(self, query):
        out = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.var}/run/mysqld.sock", "-u",
             os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True,
                                                      text=True).stdout.strip(),
             "-N", "-B", "provision", "-e", query],
            capture_output=True, text=True, check=True)
        return [line.split("\t") for line in out.stdout.splitlines()]

    def wrk(self, script, args, seconds=None, budget=None):
        cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}",
               f"-d{seconds or WRK_SECONDS}s", "--timeout", "5s",
               "-s", os.path.join(HERE, script), self.base_url, "--"] + list(args)
        cmd.append(f"threads={WRK_THREADS}")
        env = self.env
        with tempfile.TemporaryDirectory(prefix="wrk-", dir=self.var) as done:
            if budget:
                # each thread leaves a file in `done` when its share is answered; wrk itself
                # would sleep out the whole duration, so it is interrupted then (SIGINT ends
                # its sleep and still prints the summary)
                cmd.append(f"budget={budget}")
                env = dict(self.env, BENCH_DONE_DIR=done)
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env)
            while budget and p.poll() is None and len(os.listdir(done)) < WRK_THREADS:
                time.sleep(0.2)
            if p.poll() is None and budget:
                p.send_signal(signal.SIGINT)
            out, errs = p.communicate()
        m = re.search(r"^BENCH (\{.*\})$", out, re.M)
        if p.returncode != 0 or m is None:
            raise SystemExit(f"bench: wrk failed: {out}\n{errs}")
        r = json.loads(m.group(1))
        r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
        r["errors"] = r["bad"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
        if r["errors"]:
            log(f"{script} {args[0]}: {r['errors']} failed answers: {errs.strip()[:300]}")
        return r

    def row(self, figure, value, baseline="", ratio="", target="", met=""):
        self.rows.append((figure, value, baseline, ratio, target, met))

    # ---- password hashing ----
    def password(self):
        log("password hashing")
        out = subprocess.run([os.path.join(self.bbin, "pwhash")], capture_output=True,
                             text=True, env=self.env, check=True).stdout.split()
        cost, ms = int(out[0]), float(out[1])
        self.results["password"] = {"cost": cost, "ms": ms}
        sweep = subprocess.run([os.path.join(self.bbin, "pwhash")] + [str(c) for c in PW_COSTS],
                               capture_output=True, text=True, env=self.env,
                               check=True).stdout.splitlines()
        costs = {int(line.split()[0]): float(line.split()[1]) for line in sweep}
        self.results["password_sweep"] = costs
        self.row(f"password hash, yescrypt cost {cost} (password.cost)", f"{ms:.1f} ms/hash",
                 "", "", "(tuning: see PERFORMANCE.md)", "")
        other = ", ".join(f"{c}: {v:.1f}" for c, v in sorted(costs.items()))
        self.row("password hash, other costs (ms/hash)", other)

    # ---- add_user under load, against baselines (a), (b), (d) and (e) ----
    def load(self):
        q = urllib.parse.urlencode({"tId": self.t["id"], "tCode": self.t["code"]})
        add_path = f"/urac/admin/addUser?{q}"
        key = self.t["soajs"]["key"]
        targets = (("a", "/bench/const"), ("b", "/bench/insert"), ("d", "/bench/tx"),
                   ("e", "/bench/call"), ("add_user", add_path))
        # warm-up: every pool has its processes started and connected
        for name, path in targets:
            self.wrk("wrk_post.lua", [path, key, self.tag()], seconds=2)
        runs = {name: [] for name, _ in targets}
        for i in range(REPEAT):
            for name, path in targets:
                log(f"wrk {name} run {i + 1}/{REPEAT} ({WRK_SECONDS} s)")
                runs[name].append(self.wrk("wrk_post.lua", [path, key, self.tag()]))
        self.results["load"] = runs
        rps = {k: [r["rps"] for r in v] for k, v in runs.items()}
        p50 = {k: [r["p50_us"] / 1000 for r in v] for k, v in runs.items()}
        p99 = {k: [r["p99_us"] / 1000 for r in v] for k, v in runs.items()}
        err = {k: sum(r["errors"] for r in v) for k, v in runs.items()}
        f0 = lambda x: f"{x:.0f}"  # noqa: E731
        f1 = lambda x: f"{x:.1f}"  # noqa: E731
        names = {"a": "baseline (a) constant JSON", "b": "baseline (b) one INSERT",
                 "d": "baseline (d) add_user's database work",
                 "e": "baseline (e) (d) in one round trip",
                 "add_user": "add_user (SOAJS JSON, no password)"}
        for k in ("a", "b", "d", "e", "add_user"):
            note = f", {err[k]} failed" if err[k] else ""
            self.row(f"{names[k]}: req/s at {CONNECTIONS} conn",
                     f"{median(rps[k]):.0f}{spread(rps[k], f0)}{note}")
            self.row(f"{names[k]}: p50 / p99 latency",
                     f"{median(p50[k]):.1f} / {median(p99[k]):.1f} ms"
                     f"{spread(p99[k], f1)}")
        ratio = median(rps["add_user"]) / median(rps["b"])
        ratios = [x / y for x, y in zip(rps["add_user"], rps["b"])]
        self.row("add_user req/s vs baseline (b)", f"{median(rps['add_user']):.0f} req/s",
                 f"(b) {median(rps['b']):.0f} req/s",
                 f"{ratio:.2f}x{spread(ratios, lambda x: f'{x:.2f}')}", ">= 0.8x",
                 "yes" if ratio >= 0.8 and not err["add_user"] else "NO")
        # where the gap is: (d) runs add_user's statements and nothing else, (e) the same in
        # one round trip; add_user against (d) is the cost of the service's own code
        for num, den, what in (("d", "b", "(d) add_user's statements alone vs (b)"),
                               ("e", "b", "(e) the same in one round trip vs (b) (ceiling)"),
                               ("add_user", "d", "add_user vs (d): the service's own code")):
            rs = [x / y for x, y in zip(rps[num], rps[den])]
            self.row(what, f"{median(rps[num]):.0f} req/s",
                     f"({den}) {median(rps[den]):.0f} req/s",
                     f"{median(rps[num]) / median(rps[den]):.2f}x"
                     f"{spread(rs, lambda x: f'{x:.2f}')}")
        p99m = median(p99["add_user"])
        self.row("add_user p99 latency", f"{p99m:.1f} ms", f"(b) {median(p99['b']):.1f} ms",
                 f"{p99m / median(p99['b']):.2f}x", "< 20 ms", "yes" if p99m < 20 else "NO")

    # ---- bulk, against baseline (c) ----
    def baseline_c(self, n):
        out = subprocess.run([os.path.join(self.bbin, "base_bulk"), str(n), self.tenant_id],
                             capture_output=True, text=True, env=self.env)
        if out.returncode != 0:
            raise SystemExit(f"bench: base_bulk failed: {out.stderr}")
        return float(out.stdout.split()[1])

    def skedulo(self, n, invite):
        t = self.tag()
        users = [{"email": f"s{t}.user{i}@bench.example", "firstName": f"First{i}",
                  "lastName": f"Last{i}", "sendInvitation": invite} for i in range(n)]
        body = json.dumps(users, separators=(",", ":")).encode()
        st, data, secs = self.http(
            "POST", "/onboarding/provision/standalone/users", body,
            {"Authorization": f"Bearer {self.t['skedulo']['token']}",
             "Content-Type": "application/json"})
        r = json.loads(data) if st == 200 else None
        if r is None or r["result"]["inserted"] != n:
            raise SystemExit(f"bench: Skedulo POST of {n} failed: {st} {data[:300]!r}")
        return secs

    def jwt(self):
        sp = self.t["servicepower"]
        enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
        m = enc(b'{"alg":"HS256","typ":"JWT"}') + "." + enc(json.dumps(
            {"customerid": sp["customerid"], "exp": int(time.time()) + 7200}).encode())
        return m + "." + enc(hmac.new(sp["jwtSecret"].encode(), m.encode(),
                                      hashlib.sha256).digest())

    def servicepower(self, n):
        t = self.tag()
        users = [{"UserID": f"p{t}u{i}", "CUD": 1, "FirstName": f"First{i}",
                  "LastName": f"Last{i}", "Email": f"p{t}.user{i}@bench.example",
                  "Roles": ["Resource"]} for i in range(n)]
        body = json.dumps({"Users": users}, separators=(",", ":")).encode()
        st, data, secs = self.http("POST", "/seiapi/v3/bulk/Users", body,
                                   {"x-access-token": self.jwt(),
                                    "Content-Type": "application/json"})
        r = json.loads(data) if st == 200 else None
        if r is None or r["detail"]["params"]["inserted"] != str(n):
            raise SystemExit(f"bench: ServicePower bulk of {n} failed: {st} {data[:300]!r}")
        return secs

    def bulk(self):
        res = {}
        # warm-up: the bulk_users processes prepare their statements on first use
        log("bulk warm-up")
        self.baseline_c(1000)
        for _ in range(4):
            self.skedulo(100, False)
            self.skedulo(100, True)
            self.servicepower(100)
        for n in BULK_NS:
            c, s0, s1 = [], [], []
            for i in range(REPEAT):
                log(f"bulk {n} run {i + 1}/{REPEAT}: baseline (c), Skedulo, Skedulo invited")
                c.append(self.baseline_c(n))
                s0.append(self.skedulo(n, False))
                s1.append(self.skedulo(n, True))
            res[n] = {"c": c, "sk": s0, "sk_inv": s1}
        c, sp = [], []
        for i in range(REPEAT):
            log(f"ServicePower {SP_N} run {i + 1}/{REPEAT}")
            c.append(self.baseline_c(SP_N))
            sp.append(self.servicepower(SP_N))
        res["sp"] = {"n": SP_N, "c": c, "sp": sp}
        self.results["bulk"] = {str(k): v for k, v in res.items()}
        f3 = lambda x: f"{x:.3f}"  # noqa: E731
        f2 = lambda x: f"{x:.2f}"  # noqa: E731
        for n in BULK_NS:
            r = res[n]
            cm = median(r["c"])
            self.row(f"baseline (c) {n} rows, one transaction",
                     f"{cm:.3f} s{spread(r['c'], f3)}", "", "", "",
                     "")
            for key, what in (("sk", "no invitations"), ("sk_inv", "invitations")):
                sm = median(r[key])
                ratios = [x / y for x, y in zip(r[key], r["c"])]
                target, met = "", ""
                if key == "sk" and n == 10000:
                    target, met = "<= 3x", "yes" if sm / cm <= 3 else "NO"
                self.row(f"Skedulo POST {n} users, {what}",
                         f"{sm:.3f} s{spread(r[key], f3)} = {sm / n * 1e6:.0f} us/user",
                         f"(c) {cm:.3f} s", f"{sm / cm:.2f}x{spread(ratios, f2)}", target, met)
        lo, hi = BULK_NS[0], BULK_NS[-1]
        for key, what in (("sk", "no invitations"), ("sk_inv", "invitations")):
            per_lo = median(res[lo][key]) / lo
            per_hi = median(res[hi][key]) / hi
            change = per_hi / per_lo - 1
            self.row(f"Skedulo cost per user, {hi} vs {lo}, {what}",
                     f"{per_hi * 1e6:.0f} vs {per_lo * 1e6:.0f} us/user",
                     f"(c) {median(res[hi]['c']) / hi * 1e6:.0f} vs "
                     f"{median(res[lo]['c']) / lo * 1e6:.0f} us/row",
                     f"{change * 100:+.0f}%", "within 20%" if key == "sk" else "",
                     ("yes" if abs(change) <= 0.2 else "NO") if key == "sk" else "")
        r = res["sp"]
        cm, sm = median(r["c"]), median(r["sp"])
        ratios = [x / y for x, y in zip(r["sp"], r["c"])]
        self.row(f"ServicePower bulk {SP_N} users (CUD 1)",
                 f"{sm:.3f} s{spread(r['sp'], f3)} = {sm / SP_N * 1e6:.0f} us/user",
                 f"(c) {cm:.3f} s", f"{sm / cm:.2f}x{spread(ratios, f2)}")

    # ---- memory ----
    def fcgi_processes(self):
        """{pid: (name, rss_kib)} of every FastCGI process of this stack's lighttpd."""
        with open(os.path.join(self.var, "run", "lighttpd.pid")) as f:
            lpid = f.read().strip()
        out = {}
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open(f"/proc/{p}/status") as f:
                    st = dict(line.split(":", 1) for line in f if ":" in line)
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    exe = f.read().split(b"\0")[0].decode()
            except OSError:
                continue
            if st.get("PPid", "").strip() != lpid:
                continue
            rss = int(st.get("VmRSS", "0 kB").split()[0])
            out[int(p)] = (os.path.basename(exe), rss)
        return out

    def mix_file(self):
        """The request mix of the memory run, as a Lua table for wrk_mix.lua."""
        t = self.t
        q = urllib.parse.urlencode({"tId": t["id"], "tCode": t["code"]})
        sub = json.loads(subprocess.run(
            [os.path.join(self.bin, "provctl"), "tenant", "create", "--name", "Bench shop",
             "--parent", t["id"], "--json"], capture_output=True, text=True, env=self.env,
            check=True).stdout)
        # a user of the main tenant the sub-tenant can invite, and a finished task to look at
        self.http("POST", f"/urac/admin/addUser?{q}",
                  b"username=invitee&firstName=In&lastName=Vitee&email=invitee@bench.example",
                  {"key": t["soajs"]["key"],
                   "Content-Type": "application/x-www-form-urlencoded"})
        sk = {"Authorization": f"Bearer {t['skedulo']['token']}",
              "Content-Type": "application/json"}
        st, data, _ = self.http("POST", "/onboarding/provision/standalone/users/bulk",
                                b'[{"email":"task.user@bench.example","lastName":"Task"}]', sk)
        task = json.loads(data)["result"]["taskId"]
        soajs_json = {"key": t["soajs"]["key"], "Content-Type": "application/json"}
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        entries = [
            # add_user: SOAJS JSON and form, a duplicate (error path), Xtracta
            ("POST", f"/urac/admin/addUser?{q}", soajs_json,
             '{"username":"{U}","firstName":"M","lastName":"U","email":"{U}@bench.example",'
             '"profile":{"a":1},"pin":{"code":"{U}","allowed":true}}', 200, '"result":true'),
            ("POST", f"/urac/admin/addUser?{q}",
             {"key": t["soajs"]["key"], **form},
             "username=f{U}&firstName=M&lastName=U&email=f{U}@bench.example", 200,
             '"result":true'),
            ("POST", f"/urac/admin/addUser?{q}", soajs_json,
             '{"username":"invitee","firstName":"M","lastName":"U",'
             '"email":"invitee@bench.example"}', 200, '"result":false'),
            ("POST", "/v1/user/add", form,
             f"api_key={t['xtracta']['api_key']}&name=X&email_address=x{{U}}@bench.example"
             f"&group_id={t['xtracta']['group_id']}", 200, "<status>200</status>"),
            # bulk_users: Skedulo POST of one user, a Skedulo error, ServicePower of one user
            ("POST", "/onboarding/provision/standalone/users", sk,
             '[{"email":"k{U}@bench.example","firstName":"K","lastName":"U",'
             '"sendInvitation":true}]', 200, '"inserted":1'),
            ("POST", "/onboarding/provision/standalone/users", sk, '{"not":"an array"}', 400,
             '"errorType"'),
            ("POST", "/seiapi/v3/bulk/Users",
             {"x-access-token": self.jwt(), "Content-Type": "application/json"},
             '{"Users":[{"UserID":"p{U}","CUD":1,"FirstName":"P","Email":"p{U}@bench.example",'
             '"Roles":["Resource"]}]}', 200, '"code":200'),
            # task_status, invite, join
            ("GET", f"/onboarding/provision/standalone/users/bulk/{task}",
             {"Authorization": sk["Authorization"]}, None, 200, '"taskId"'),
            ("PUT", "/urac/admin/users/invite",
             {"key": sub["soajs"]["key"], "Content-Type": "application/json"},
             '{"users":[{"user":{"username":"invitee"}}]}', 200, '"result":true'),
            ("GET", "/urac/join?token={U}", {}, None, 404, "not valid"),
        ]

        def lua(s):
            return json.dumps(s)   # a JSON string is a valid Lua string literal here

        lines = ["mix = {"]
        for method, path, headers, body, status, ok in entries:
            h = ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in headers.items())
            lines.append(f"  {{ method = {lua(method)}, path = {lua(path)}, headers = {{ {h} }},"
                         f" body = {lua(body) if body is not None else 'nil'},"
                         f" status = {status}, ok = {lua(ok)} }},")
        lines.append("}")
        path = os.path.join(self.var, "mix.lua")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path, len(entries)

    def memory(self):
        path, kinds = self.mix_file()
        log(f"memory: warm-up of {WARMUP_REQUESTS} requests ({kinds} kinds, every executable)")
        self.wrk("wrk_mix.lua", [path, self.tag()], seconds=600, budget=WARMUP_REQUESTS)
        before = self.fcgi_processes()
        log(f"memory: {MEMORY_REQUESTS} requests")
        t0 = time.time()
        r = self.wrk("wrk_mix.lua", [path, self.tag()], seconds=900, budget=MEMORY_REQUESTS)
        after = self.fcgi_processes()
        self.results["memory"] = {"before": before, "after": after, "wrk": r}
        log(f"memory: {r['requests']} requests in {time.time() - t0:.0f} s")
        by_exe = {}
        for pid, (exe, rss) in sorted(before.items()):
            if pid in after:
                by_exe.setdefault(exe, []).append((pid, rss, after[pid][1]))
        gone = [pid for pid in before if pid not in after]
        worst = 0
        for exe, procs in sorted(by_exe.items()):
            growth = [a - b for _, b, a in procs]
            worst = max([worst] + growth)
            self.row(f"RSS {exe} ({len(procs)} processes), KiB",
                     ", ".join(f"{b}->{a}" for _, b, a in procs),
                     "", "", "< 1024 KiB growth",
                     "yes" if max(growth) < 1024 else "NO")
        note = f"; {len(gone)} processes replaced" if gone else ""
        self.row(f"RSS growth over {r['requests']} requests (worst process)",
                 f"{worst:+d} KiB ({r['errors']} unexpected answers{note})", "", "",
                 "< 1024 KiB", "yes" if worst < 1024 and not gone else "NO")

    # ---- output ----
    def table(self):
        head = ("figure", "value", "baseline", "ratio", "target", "met")
        rows = [head] + self.rows
        w = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = []
        for k, r in enumerate(rows):
            lines.append("| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |")
            if k == 0:
                lines.append("|" + "|".join("-" * (x + 2) for x in w) + "|")
        return "\n".join(lines)


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) // 1024} MiB"
    except OSError:
        pass
    ver = lambda cmd: subprocess.run(cmd, capture_output=True,  # noqa: E731
                                     text=True).stdout.splitlines()[0:1]
    debian = "?"
    try:
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    except OSError:
        pass
    return {
        "cpu": f"{os.cpu_count()} x {cpu}", "memory": mem, "debian": debian,
        "kernel": platform.release(),
        "lighttpd": " ".join(ver(["lighttpd", "-v"])),
        "mariadb": " ".join(ver(["mariadbd", "--version"])),
        "wrk": " ".join(ver(["wrk", "--version"])).split(" [")[0],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--var", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--bench-bin", required=True)
    ap.add_argument("--tenant-id", required=True)
    ap.add_argument("--only", default="password,load,bulk,memory",
                    help="comma-separated parts to run")
    a = ap.parse_args()
    b = Bench(a)
    load_before = os.getloadavg()
    started = time.time()
    parts = a.only.split(",")
    for part in ("password", "load", "bulk", "memory"):
        if part in parts:
            getattr(b, part)()
    m = machine()
    load_after = os.getloadavg()
    head = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, "
            f"{time.time() - started:.0f} s; {m['cpu']}, {m['memory']} RAM, "
            f"Debian {m['debian']}, Linux {m['kernel']}; "
            f"{m['lighttpd']}; {m['mariadb']}; {m['wrk']}\n"
            f"Load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
            f"(1 min); {REPEAT} run(s) per timed figure, median [min-max]"
            f"{'; QUICK mode: not figures' if QUICK else ''}")
    text = head + "\n\n" + b.table() + "\n"
    print(text)
    with open(os.path.join(a.var, "results.md"), "w") as f:
        f.write(text)
    b.results["machine"] = m
    with open(os.path.join(a.var, "results.json"), "w") as f:
        json.dump(b.results, f, indent=1, default=str)


if __name__ == "__main__":
    main()
