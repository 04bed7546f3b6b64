"""Issue 13 point 1 (docs/SECURITY.md, "Hardening II: memory per request"): what one request
can cost the FastCGI process that serves it. Each case runs in a fresh process driven directly
(fcgi.py), after a warm-up request that connects it to the database; the growth is the peak
resident memory (VmHWM, reset through /proc/<pid>/clear_refs) over the resident memory before
the case's request. Every case must stay within +256 MiB:

  - an unauthenticated 8 MiB body of 2.8 million empty objects, to Skedulo, ServicePower and
    both SOAJS endpoints: 401 before a byte of it is read (growth well under the body's size);
  - each costly JSON shape (empty objects, arrays at the depth limit, short strings, decimal
    numbers, one object with many keys), twice: as 8 MiB of it (refused past limits.json_values
    before json-c builds anything) and as the heaviest body of that shape the cap admits
    (decoded whole, then refused by the handler);
  - the heaviest ServicePower request the cap admits that goes all the way to the store (10 000
    users whose Extensions hold decimals), and 8 MiB of unknown properties (one warning each);
  - the biggest legitimate ServicePower batch (10 000 users, 100 roles and 18 phones each:
    nearly twice the cap as one tree) and the biggest Skedulo POST and PATCH (10 000
    resources with custom fields filling 8 MiB: more than twice the cap), read one user at a
    time and applied whole;
  - an 8 MiB CSV of 124 one-letter columns (every row converted, the last breaking the Resource
    role rule so no task starts), a form with limits.form_fields nested fields, and a multipart
    body with limits.multipart_parts parts; one field or part more is refused.

Each case prints its figure; the table in docs/SECURITY.md comes from these lines."""
import json
import os
import resource
import socket
import subprocess
import tempfile
import time
import uuid

import fcgi
import servicepower_util as spu
from harness import check, eq, quote

LIMIT_MIB = 256
BODY_MAX = 8 * 1024 * 1024       # limits.body_bytes (the stack's default)
JSON_VALUES = 1600000            # limits.json_values
FORM_FIELDS = 12000              # limits.form_fields
PARTS = 64                       # limits.multipart_parts
DEPTH = 32                       # limits.json_depth
MARGIN = 1000                    # what a request decodes besides its body (a JWT's JSON)
SK = "/onboarding/provision/standalone/users"
SP = "/seiapi/v3/bulk/Users"
ADD = "/urac/admin/addUser"
INVITE = "/urac/admin/users/invite"
XT = "/v1/user/add"


class Process(fcgi.Server):
    """One executable as a lone FastCGI server, its address space capped at 4 GiB so that a
    regression fails this test instead of exhausting the host."""

    def __init__(self, env, exe):   # noqa: super().__init__ is replaced, not extended
        limit = 4 << 30

        def cap():
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        self.dir = tempfile.mkdtemp(prefix="fcgi-")
        self.path = os.path.join(self.dir, "s.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(16)
        self.log = open(os.path.join(self.dir, "stderr.log"), "wb")
        self.proc = subprocess.Popen([os.path.join(env.bin, exe)], stdin=self.sock.fileno(),
                                     stdout=subprocess.DEVNULL, stderr=self.log,
                                     env={"PROVISION_CONF": env.conf, "PATH": "/usr/bin:/bin"},
                                     preexec_fn=cap)

    def status_kib(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise AssertionError(f"no {field}")


def params(method, uri, ctype, body, headers):
    path, _, query = uri.partition("?")
    p = {"REQUEST_METHOD": method, "REQUEST_URI": uri, "QUERY_STRING": query,
         "SCRIPT_NAME": path, "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1",
         "SERVER_PROTOCOL": "HTTP/1.1"}
    if ctype:
        p["CONTENT_TYPE"] = ctype
    for k, v in headers.items():
        p["HTTP_" + k.upper().replace("-", "_")] = v
    return p


def measure(env, label, exe, uri, ctype, body, headers, warm, method="POST"):
    """(status, answer body, growth in MiB) of one request in a fresh process; warm is the
    (uri, ctype, body, headers) of a cheap request of the same kind sent first."""
    proc = Process(env, exe)
    timeout = socket.getdefaulttimeout()
    # a process that died (a configuration it refused) would leave the request unanswered
    socket.setdefaulttimeout(60)
    try:
        wuri, wct, wbody, wh = warm
        fcgi.request(proc.path, params(method, wuri, wct, wbody, wh), wbody)
        before = proc.status_kib("VmRSS")
        with open(f"/proc/{proc.proc.pid}/clear_refs", "w") as f:
            f.write("5")
        t0 = time.time()
        out, _ = fcgi.request(proc.path, params(method, uri, ctype, body, headers), body)
        took = time.time() - t0
        check(proc.proc.poll() is None, f"{label}: the process died ({out[:200]!r})")
        growth = (proc.status_kib("VmHWM") - before) / 1024
    except OSError as e:
        raise AssertionError(f"{label}: no answer ({e}); the process "
                             f"{'died' if proc.proc.poll() is not None else 'hangs'}")
    finally:
        socket.setdefaulttimeout(timeout)
        proc.close()
    head, _, answer = out.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"Status: ") else 200
    print(f"    {label}: {len(body) / 1048576:.1f} MiB body -> {status}, "
          f"+{growth:.1f} MiB peak resident, {took:.2f} s")
    return status, answer, growth


def within(label, growth, limit=LIMIT_MIB):
    check(growth <= limit, f"{label}: the process grew by {growth:.1f} MiB (limit {limit})")


# ---- bodies ----

def repeat(unit, count, pre=b"[", post=b"]"):
    return pre + b",".join([unit] * count) + post


def fill(unit, weight):
    """The body of one JSON shape: as many units as 8 MiB holds (weight None), or as many as
    the values cap admits, each unit weighing weight (json_in.h; the top array weighs 3)."""
    by_size = (BODY_MAX - 2) // (len(unit) + 1)
    admitted = (JSON_VALUES - MARGIN - 3) // weight if weight is not None else by_size
    return repeat(unit, min(by_size, admitted))


def members(admitted):
    """One object with many short distinct keys: 2 per key, 4 past the tenth (json_in.h)."""
    out, size, weight = [b"{"], 2, 8
    for i in range(10 ** 7):
        key = b'"k%x":1,' % i
        w = 2 if i < 10 else 4
        if size + len(key) > BODY_MAX or (admitted and weight + w > JSON_VALUES - MARGIN):
            break
        out.append(key)
        size += len(key)
        weight += w
    return b"".join(out)[:-1] + b"}"


SHAPES = [
    # name, unit of the top-level array, its weight
    ("empty objects", b"{}", 8),
    ("arrays at the depth limit", b"[" * (DEPTH - 1) + b"]" * (DEPTH - 1), 3 * (DEPTH - 1)),
    ("short strings", b'""', 1),
    ("decimal numbers", b"1.5", 1),
]


def sk_headers(t):
    return {"Authorization": "Bearer " + t["skedulo"]["token"]}


def test_unauthenticated_bodies_are_not_read(env):
    """An unauthenticated 8 MiB body of empty objects (2.1 GB of json-c tree before the fix) is
    answered 401 without being read: the process grows by far less than the body."""
    t = env.new_tenant()
    body = fill(b"{}", None)
    cases = [
        ("Skedulo POST users", "bulk_users", SK, {}, b"unauthorized"),
        ("Skedulo bulk, unknown token", "bulk_users", SK + "/bulk",
         {"Authorization": "Bearer " + "x" * 43}, b"unauthorized"),
        ("ServicePower", "bulk_users", SP, {}, b"Credentials are required"),
        ("ServicePower, wrong customercode", "bulk_users",
         f"{SP}?customerid={t['servicepower']['customerid']}&customercode=nope", {},
         b"credentials are incorrect"),
        ("SOAJS addUser", "add_user", ADD, {}, b"A valid key is needed"),
        ("SOAJS invite, unknown key", "invite", INVITE, {"key": "k" * 64},
         b"A valid key is needed"),
    ]
    for label, exe, uri, headers, words in cases:
        method = "PUT" if uri == INVITE else "POST"
        warm = (uri, "application/json", b"{}", headers)
        status, answer, growth = measure(env, "unauthenticated " + label, exe, uri,
                                         "application/json", body, headers, warm, method)
        within(label, growth, limit=BODY_MAX / 1048576 / 2)
        eq(status, 401, f"{label}: status ({answer[:200]!r})")
        check(words in answer, f"{label}: answer {answer[:300]!r}")


def test_json_shapes(env):
    """Each costly JSON shape, as 8 MiB of it and as the heaviest body of it the cap admits:
    to SOAJS addUser, whose body the lifecycle decodes whole (refused past the cap with 413
    before json-c builds anything; admitted, decoded, then refused by the handler), and
    to Skedulo's bulk import, which reads a body one user at a time (every shape refused 400:
    not users, too many of them, or past the cap for what is not an array)."""
    t = env.new_tenant()
    sk = sk_headers(t)
    soajs = {"key": t["soajs"]["key"]}
    add = f"{ADD}?tId={t['id']}&tCode={t['code']}"
    targets = [
        ("SOAJS addUser", "add_user", add, soajs, (add, "application/json", b"{}", soajs)),
        ("Skedulo bulk", "bulk_users", SK + "/bulk", sk,
         (SK + "/bulk", "application/json", b"[]", sk)),
    ]
    for target, exe, uri, h, warm in targets:
        whole = exe == "add_user"
        for name, unit, weight in SHAPES + [("keys of one object", None, None)]:
            for admitted in (False, True):
                body = (members(admitted) if unit is None
                        else fill(unit, weight if admitted else None))
                label = f"{target}: {name}, {'the most the cap admits' if admitted else '8 MiB'}"
                status, answer, growth = measure(env, label, exe, uri, "application/json",
                                                 body, h, warm)
                within(label, growth)
                refused = b"JSON too large to decode" in answer
                if whole:
                    # admitted, the handler refuses it in the SOAJS way (result false; 400,
                    # or 200 for a missing field as urac does)
                    check(status in (400, 200) if admitted else status == 413,
                          f"{label}: status {status} ({answer[:200]!r})")
                    check(refused != admitted and b'"result":false' in answer,
                          f"{label}: answer {answer[:300]!r}")
                else:
                    eq(status, 400, f"{label}: status ({answer[:200]!r})")
                    check(not (admitted and refused), f"{label}: answer {answer[:300]!r}")


def test_servicepower_heaviest(env):
    """ServicePower all the way to the store with the heaviest body the cap admits (10 000
    users, their Extensions full of decimals), and 8 MiB of unknown properties (a warning of
    ~2 KB each before the fix: 2 GB)."""
    t = env.new_tenant()
    h = {"x-access-token": spu.mint(t)}
    warm = (SP, "application/json", b"{}", h)
    run = uuid.uuid4().hex[:6]
    ext = "[" + ",".join(["1.5"] * 131) + "]"
    body = ('{"Users":[' + ",".join(
        f'{{"UserID":"m{run}{i}","CUD":1,"Email":"m{run}{i}@example.com",'
        f'"Extensions":{{"a":{ext}}}}}' for i in range(10000)) + "]}").encode()
    status, answer, growth = measure(env, "ServicePower 10 000 users with Extensions", "bulk_users",
                                     SP, "application/json", body, h, warm)
    within("ServicePower 10 000 users", growth)
    eq(status, 200, f"status ({answer[:300]!r})")
    check(b'"inserted":"10000"' in answer, f"answer {answer[:300]!r}")
    n = env.sql_one(f"SELECT COUNT(*) FROM users WHERE username LIKE 'm{run}%'")[0]
    eq(n, "10000", "every user stored")

    for admitted in (False, True):
        body = members(admitted)
        label = f"ServicePower unknown properties, {'admitted' if admitted else '8 MiB'}"
        status, answer, growth = measure(env, label, "bulk_users", SP, "application/json", body,
                                         h, warm)
        within(label, growth)
        eq(status, 400, f"{label}: status ({answer[:200]!r})")
        check((b"JSON too large" in answer) != admitted, f"{label}: {answer[:300]!r}")


def test_servicepower_biggest_batch(env):
    """The biggest legitimate ServicePower batch the other limits allow: 10 000 users (the
    batch limit), each with 100 roles (the roles limit) and as many phones (at most 20) as
    limits.body_bytes leaves room for. Its whole tree would weigh about twice
    limits.json_values (refused 400 before the batch was walked one user at a time); it must
    be stored whole within the same +256 MiB."""
    t = env.new_tenant()
    tid = env.sql_one(f"SELECT id FROM tenants WHERE oid = {quote(t['id'])}")[0]
    names = [chr(c) for c in range(ord("0"), ord("9") + 1)] + \
        [chr(c) for c in range(ord("a"), ord("z") + 1)] + \
        [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    names += [f"z{k}" for k in range(100 - len(names))]
    env.sql("INSERT INTO roles (uuid, tenant_id, name) VALUES " + ",".join(
        f"(UUID(), {tid}, '{n}')" for n in names))
    h = {"x-access-token": spu.mint(t)}
    warm = (SP, "application/json", b"{}", h)
    run = uuid.uuid4().hex[:4]
    roles = json.dumps(names, separators=(",", ":"))

    def batch(phones):
        ph = "[" + ",".join(['{"PhoneNum":"1"}'] * phones) + "]"
        return ('{"Users":[' + ",".join(
            f'{{"UserID":"{run}{i}","Email":"{run}{i}@x.io","Roles":{roles},"Phones":{ph}}}'
            for i in range(10000)) + "]}").encode()

    phones = 20
    body = batch(phones)
    while len(body) > BODY_MAX:
        phones -= 1
        body = batch(phones)
    weight = 8 + 3 + 10000 * (8 + 2 * 4 + 2 + 3 + 100 + 3 + phones * (8 + 2))
    print(f"    {phones} phones each: whole-tree weight {weight} "
          f"({weight / JSON_VALUES:.1f} x limits.json_values)")
    check(weight > JSON_VALUES, "the batch weighs more than the cap (else it proves nothing)")
    label = f"ServicePower 10 000 users x 100 roles x {phones} phones"
    status, answer, growth = measure(env, label, "bulk_users", SP, "application/json", body,
                                     h, warm)
    within(label, growth)
    eq(status, 200, f"status ({answer[:300]!r})")
    check(b'"inserted":"10000"' in answer, f"answer {answer[:300]!r}")
    n = env.sql_one(f"SELECT COUNT(*) FROM users WHERE username LIKE '{run}%'")[0]
    eq(n, "10000", "every user stored")
    r = env.sql_one(f"SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id "
                    f"WHERE u.username LIKE '{run}%'")[0]
    eq(r, "1000000", "every role of every user stored")


def test_skedulo_biggest_batch(env):
    """The biggest legitimate Skedulo batches the other limits allow: 10 000 users (the batch
    limit), each a resource with as many custom fields (at most 100) as limits.body_bytes
    leaves room for, created at once by POST, then the same users changed by one PATCH. As
    one tree each body would weigh more than twice limits.json_values (refused 400 before
    the batches were read one user at a time); each must be applied whole within +256 MiB."""
    t = env.new_tenant()
    h = sk_headers(t)
    reg = env.provctl_json("region", "add", "--tenant", t["id"], "--name", "North",
                           "--json")["id"]
    run = uuid.uuid4().hex[:4]

    def custom(k, value):
        return ",".join(f'"c{j}":{value}' for j in range(k))

    def post(k):
        return ("[" + ",".join(
            f'{{"email":"{run}{i}@x.io","lastName":"L","roles":["Resource"],'
            f'"resource":{{"primaryRegionId":"{reg}","isActive":true,{custom(k, 1)}}}}}'
            for i in range(10000)) + "]").encode()

    k = 100
    body = post(k)
    while len(body) > BODY_MAX:
        k -= 1
        body = post(k)
    weight = 3 + 10000 * (8 + 4 + 4 + 3 + 1 + 8 + 2 * 2 + k * 4)
    print(f"    {k} custom fields each: whole-tree weight {weight} "
          f"({weight / JSON_VALUES:.1f} x limits.json_values)")
    check(weight > JSON_VALUES, "the batch weighs more than the cap (else it proves nothing)")
    label = f"Skedulo POST 10 000 resources x {k} custom fields"
    warm = (SK, "application/json", b"[]", h)
    status, answer, growth = measure(env, label, "bulk_users", SK, "application/json", body, h,
                                     warm)
    within(label, growth)
    eq(status, 200, f"status ({answer[:300]!r})")
    check(b'"inserted":10000' in answer.replace(b" ", b""), f"answer {answer[:300]!r}")
    n = env.sql_one(f"SELECT COUNT(*) FROM users WHERE email_norm LIKE '{run}%'")[0]
    eq(n, "10000", "every user stored")

    oids = [r[0] for r in env.sql(f"SELECT oid FROM users WHERE email_norm LIKE '{run}%'")]
    fields = custom(k, 2)
    body = ("{" + ",".join(f'"{o}":{{"resource":{{{fields}}}}}' for o in oids) + "}").encode()
    while len(body) > BODY_MAX:
        fields = custom(fields.count(",") , 2)
        body = ("{" + ",".join(f'"{o}":{{"resource":{{{fields}}}}}' for o in oids) + "}").encode()
    label = "Skedulo PATCH of the same 10 000 resources"
    status, answer, growth = measure(env, label, "bulk_users", SK, "application/json", body, h,
                                     (SK, "application/json", b"{}", h), method="PATCH")
    within(label, growth)
    eq(status, 200, f"status ({answer[:300]!r})")
    check(b'"updated":10000' in answer.replace(b" ", b""), f"answer {answer[:300]!r}")
    left = env.sql_one(f"SELECT COUNT(*) FROM users u JOIN resources r ON r.user_id = u.id "
                       f"WHERE u.email_norm LIKE '{run}%' "
                       f"AND JSON_VALUE(r.custom_fields, '$.c0') = 2")[0]
    eq(left, "10000", "every resource changed")


def multipart(parts, boundary="b0undary"):
    out = b""
    for name, filename, data in parts:
        out += b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"" + \
            name.encode() + b"\""
        if filename is not None:
            out += b"; filename=\"" + filename.encode() + b"\""
        out += b"\r\n\r\n" + data + b"\r\n"
    return "multipart/form-data; boundary=" + boundary, out + b"--" + boundary.encode() + b"--\r\n"


def test_csv_of_many_columns(env):
    """An 8 MiB CSV of 124 one-letter columns (853 MiB before the fix): every row becomes a
    user and its task text; the last row breaks the Resource role rule, so the answer is 400 and
    no task starts."""
    t = env.new_tenant()
    h = sk_headers(t)
    cols = ["Email", "FirstName", "LastName", "Roles", "PrimaryRegionId", "IsActive"]
    cols += [f"resource.c{i}" for i in range(124 - len(cols))]
    row = b",".join([b"a", b"a", b"a", b"Resource", b"a", b"true"] + [b"a"] * (124 - 6)) + b"\n"
    last = b",".join([b"last@example.com", b"a", b"a", b"", b"a", b"true"] + [b"a"] * 118)
    header = ",".join(cols).encode() + b"\n"
    rows = (BODY_MAX - 4096 - len(header) - len(last)) // len(row)
    ct, body = multipart([("file", "u.csv", header + row * rows + last + b"\n")])
    wct, wbody = multipart([("file", "u.csv", b"FirstName,LastName,Email\n")])
    status, answer, growth = measure(env, f"CSV of 124 columns, {rows + 1} rows", "bulk_users",
                                     SK + "/file", ct, body, h, (SK + "/file", wct, wbody, h))
    within("CSV of 124 columns", growth)
    eq(status, 400, f"status ({answer[:200]!r})")
    check(b"users_need_resource_role" in answer and answer.endswith(b'last@example.com"}'),
          f"answer {answer[:200]!r} ... {answer[-100:]!r}")
    eq(env.sql_one("SELECT COUNT(*) FROM tasks t JOIN tenants n ON n.id = t.tenant_id "
                   f"WHERE n.oid = '{t['id']}'")[0], "0", "no task stored")


def test_form_fields_and_multipart_parts(env):
    """A form with limits.form_fields fields, each nesting objects to the form depth limit, and
    a multipart body with limits.multipart_parts parts; one more of either is refused."""
    t = env.new_tenant()
    key = {"key": t["soajs"]["key"]}
    warm = (ADD, "application/x-www-form-urlencoded", b"username=x", key)
    for n, ok in ((FORM_FIELDS, True), (FORM_FIELDS + 1, False)):
        body = b"&".join(b"f%d[a][b][c][d]=v" % i for i in range(n))
        label = f"form of {n} nested fields"
        status, answer, growth = measure(env, label, "add_user", ADD,
                                         "application/x-www-form-urlencoded", body, key, warm)
        within(label, growth)
        if ok:
            check(b'"codes":[172' in answer, f"{label}: answer {answer[:300]!r}")
        else:
            eq(status, 400, f"{label}: status ({answer[:200]!r})")
            check(b"more than %d form fields" % FORM_FIELDS in answer, f"{label}: {answer!r}")
    value = b"v" * ((BODY_MAX - 16384) // (PARTS + 1) - 128)
    wct, wbody = multipart([("api_key", None, b"x")])
    for n, ok in ((PARTS, True), (PARTS + 1, False)):
        ct, body = multipart([(f"p{i}", None, value) for i in range(n)])
        label = f"multipart of {n} parts"
        status, answer, growth = measure(env, label, "add_user", XT, ct, body, {},
                                         (XT, wct, wbody, {}))
        within(label, growth)
        if ok:
            eq(status, 401, f"{label}: status ({answer[:200]!r})")
        else:
            eq(status, 400, f"{label}: status ({answer[:200]!r})")
            check(b"more than %d parts" % PARTS in answer, f"{label}: {answer!r}")


def test_caps_are_configurable(env):
    """limits.json_values and limits.csv_cells from the configuration: a small cap refuses
    what the default admits, in the dialect's format (Skedulo: 400, like its other counts)."""
    t = env.new_tenant()
    h = sk_headers(t)
    conf = os.path.join(env.var, "provision-small-caps.conf")
    with open(env.conf) as f, open(conf, "w") as g:
        g.write(f.read() + "limits.json_values = 1000\nlimits.csv_cells = 20\n")
    try:
        class Env2:
            bin, var = env.bin, env.var
        e2 = Env2()
        e2.conf = conf
        # a batch is read one user at a time: the cap bounds each user (and the file's cells)
        heavy = {"email": "c@x.io", "lastName": "L", "notes": [0] * 1000}
        body = json.dumps([{"email": f"c{i}@x.io", "lastName": "L"} for i in range(100)]
                          + [heavy]).encode()
        warm = (SK + "/bulk", "application/json", b"[]", h)
        status, answer, _ = measure(e2, "bulk with a user of 1 000 values, json_values 1000",
                                    "bulk_users", SK + "/bulk", "application/json", body, h,
                                    warm)
        eq(status, 400, "status")
        check(b"JSON too large to decode: more than 1000 values" in answer, f"answer {answer!r}")
        ct, body = multipart([("file", "u.csv", b"FirstName,LastName,Email\n" +
                               b"A,B,a@x.io\n" * 6)])
        status, answer, _ = measure(e2, "CSV of 21 cells, csv_cells 20", "bulk_users",
                                    SK + "/file", ct, body, h, warm)
        eq(status, 400, "status")
        check(b"Too many cells in one CSV file: more than 20" in answer, f"answer {answer!r}")
    finally:
        os.unlink(conf)
