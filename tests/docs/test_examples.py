"""The documentation's curl examples, run verbatim against a stack: README.md ("Try it", "Mail",
the mount loop of "Deployment"), what `make run` prints (tools/stack.sh, docs/examples/*.sh),
and every ```sh block holding a curl of docs/*.md. tests/run.sh runs this file once, under
lighttpd, on the fresh stack before the HTTP suite.

How "verbatim" is kept, and the only differences from a reader's `make run` (on purpose):
- The one textual substitution: `127.0.0.1:8080` becomes `127.0.0.1:<the test stack's port>`
  (what `make run` prints is taken from a real run of `tools/stack.sh start` on the test stack,
  so it already carries that port and is not changed at all).
- Each page runs in its own bash process, from a directory laid out like the checkout (every
  top-level entry of the checkout symlinked, `build/` included) whose `var/` holds the test
  stack's `provision.conf` (a symlink) and a `demo-tenant.json` of a tenant created as
  `make run` creates the demo tenant. README's "Try it" and "Mail", then every docs page, run
  in ONE such directory with ONE demo tenant, in that order, as a reader goes from README to
  the docs after one `make run`: the pages must not add users that README or an earlier page
  added. What `make run` prints repeats README's examples (a reader runs one or the other), and
  the mount loop needs no tenant: each gets a directory and tenant of its own.
- `curl` is a bash function that runs the real curl with `-D <file>` added, so that the test
  learns each call's status (and which block made it); the examples' own options and output
  are untouched. The blocks of a page run in order in one script, with `set -e`; a line
  between blocks records which block runs.
Every call must answer 2xx, and refuse nothing in it (no SOAJS `result: false`, Skedulo
`failures` or SOAJS invite `failed` items: the sign of an example colliding with an earlier
one), unless the docs mark the block (the line just before its fence)
with `<!-- example: expect 409 -->` (one status for every call of the block) or
`<!-- example: expect 200 200 409 -->` (one per call, in order), or exclude it with
`<!-- example: skip <why> -->`. README's mount loop expects 405 for each path (it shows the
Allow headers).
"""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile

from harness import check, eq

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FENCE = re.compile(r"(?:^<!-- example: (?P<mark>[^>]*?) -->\n)?"
                   r"^```(?P<lang>\w*)\n(?P<body>.*?)^```", re.S | re.M)
PORT_TEXT = "127.0.0.1:8080"
# a curl command (not the word in a package list): at a line start or after a shell operator
CURL_CALL = re.compile(r"(?:^|[;&|(`]|\bdo|\bthen|\buntil|\bwhile)\s*curl\s", re.M)
CALLS = {}   # page or section -> curl calls it ran (summed up by the last test)

CURL_WRAPPER = r'''
__ex_block() { printf '%s' "$1" > "$__EXDIR/block"; }
curl() {
  local n
  n=$(( $(cat "$__EXDIR/n" 2>/dev/null || echo 0) + 1 ))
  printf '%s' "$n" > "$__EXDIR/n"
  cp "$__EXDIR/block" "$__EXDIR/$n.block"
  printf '%s\n' "$*" > "$__EXDIR/$n.args"
  command curl -D "$__EXDIR/$n.head" "$@" > "$__EXDIR/$n.body"
  local rc=$?
  cat "$__EXDIR/$n.body"
  return $rc
}
set -e
'''


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def sections(md):
    """{"## heading": text} of a Markdown page."""
    out = {}
    for part in re.split(r"^(?=## )", md, flags=re.M):
        head = part.split("\n", 1)[0]
        out[head[3:].strip() if head.startswith("## ") else ""] = part
    return out


def parse_mark(mark):
    """None (every call 2xx), "skip", or a list of expected statuses."""
    if not mark:
        return None
    if mark.startswith("skip"):
        return "skip"
    m = re.fullmatch(r"expect((?: [1-5][0-9][0-9])+)", mark.strip())
    check(m is not None, f"unreadable example marker: <!-- example: {mark} -->")
    return [int(x) for x in m.group(1).split()]


def curl_blocks(text):
    """[(body, expect)] of the ```sh blocks that hold a curl, markers read, skips left out."""
    out = []
    for m in FENCE.finditer(text):
        if m.group("lang") != "sh" or not CURL_CALL.search(m.group("body")):
            continue
        expect = parse_mark(m.group("mark"))
        if expect != "skip":
            out.append((m.group("body"), expect))
    return out


def fake_checkout(env, tenant_name):
    """A directory laid out like the checkout, with its own var/ (see the module doc)."""
    d = tempfile.mkdtemp(prefix="examples-", dir=env.var)
    for name in os.listdir(ROOT):
        if name not in ("var", ".git"):
            os.symlink(os.path.join(ROOT, name), os.path.join(d, name))
    if not os.path.lexists(os.path.join(d, "build")):
        os.symlink(os.path.abspath(env.bin), os.path.join(d, "build"))
    os.makedirs(os.path.join(d, "var"), mode=0o700)
    os.symlink(env.conf, os.path.join(d, "var", "provision.conf"))
    tenant = env.provctl_json("tenant", "create", "--name", tenant_name, "--json")
    fd = os.open(os.path.join(d, "var", "demo-tenant.json"), os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(tenant, f)
    return d


def refusal(body):
    """Why a 2xx answer still refused something (a SOAJS `result: false`, Skedulo per-user
    `failures`), or None: an example that collides with an earlier one shows up here."""
    try:
        o = json.loads(body)
    except ValueError:
        return None
    if not isinstance(o, dict):
        return None
    if o.get("result") is False:
        return f"a SOAJS refusal {json.dumps(o.get('errors'))[:200]}"
    r = o.get("result")
    if isinstance(r, dict) and r.get("failures"):
        return f"per-user failures {json.dumps(r['failures'])[:200]}"
    d = o.get("data")
    if isinstance(d, dict) and d.get("failed"):
        return f"failed items {json.dumps(d['failed'])[:200]}"
    return None


def quiet(stderr):
    """stderr without curl's progress meters (curl writes to a file inside the wrapper)."""
    return "\n".join(ln for ln in stderr.splitlines()
                     if not re.search(r"Dload|--:--|% Total|^[\s0-9.kM]+$", ln))


SHARED = {}   # the one checkout and demo tenant of README and the docs pages


def run_page(env, name, blocks, substitute=True, shared=True):
    """Runs the blocks of one page in order in one bash; checks every curl's status. shared:
    in the checkout (and demo tenant) common to README and the docs pages."""
    check(blocks, f"{name}: no curl example found")
    if shared:
        if "root" not in SHARED:
            SHARED["root"] = fake_checkout(env, "Demo")
        root = SHARED["root"]
    else:
        root = fake_checkout(env, "Demo")
    exdir = tempfile.mkdtemp(prefix="calls-", dir=env.var)
    try:
        script = CURL_WRAPPER
        for i, (body, _) in enumerate(blocks):
            if substitute:
                body = body.replace(PORT_TEXT, f"{env.host}:{env.port}")
            script += f"__ex_block {i}\n{body}\n"
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("PROVISION_") and k != "RESULTS"}
        e["__EXDIR"] = exdir
        p = subprocess.run(["bash", "-c", script], cwd=root, env=e, capture_output=True,
                           text=True, timeout=180)
        calls = []
        n = int(open(os.path.join(exdir, "n")).read()) if os.path.exists(
            os.path.join(exdir, "n")) else 0
        for k in range(1, n + 1):
            base = os.path.join(exdir, str(k))
            with open(base + ".block") as f:
                block = int(f.read())
            with open(base + ".args") as f:
                args = f.read().strip()
            status = 0
            if os.path.exists(base + ".head"):
                with open(base + ".head", encoding="latin-1") as f:
                    codes = re.findall(r"^HTTP/\S+ ([0-9]{3})", f.read(), re.M)
                status = int(codes[-1]) if codes else 0
            with open(base + ".body", encoding="utf-8", errors="replace") as f:
                body = f.read()
            calls.append((block, args, status, refusal(body)))
        tail = (p.stderr.strip().splitlines() or [""])[-1][:300]
        eq(p.returncode, 0, f"{name}: exit status of the examples (stderr: {tail!r})")
        problems = []
        for i, (body, expect) in enumerate(blocks):
            mine = [(a, s, r) for b, a, s, r in calls if b == i]
            first = body.strip().splitlines()[0][:60]
            if not mine:
                problems.append(f"block {i} ({first}...) made no curl call")
            if isinstance(expect, list) and len(expect) > 1 and len(expect) != len(mine):
                problems.append(f"block {i}: {len(mine)} calls, the marker expects {expect}")
            for k, (args, status, why) in enumerate(mine):
                if expect is None:
                    ok = 200 <= status < 300
                    if ok and why:
                        problems.append(f"block {i} call {k + 1}: HTTP {status} but {why}: "
                                        f"curl {args[:200]}")
                else:
                    ok = status == (expect[k] if len(expect) > 1 and k < len(expect)
                                    else expect[0])
                if not ok:
                    problems.append(f"block {i} call {k + 1}: HTTP {status} "
                                    f"(expected {expect or '2xx'}): curl {args[:200]}")
        CALLS[name] = len(calls)
        check(not problems, f"{name}:\n      " + "\n      ".join(problems)
              + (f"\n      stderr: {quiet(p.stderr)[-600:]}" if problems else ""))
        return calls
    finally:
        if not shared:
            shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(exdir, ignore_errors=True)


def test_readme_try_it(env):
    run_page(env, "README Try it", curl_blocks(sections(read("README.md"))["Try it"]))


def test_readme_mail(env):
    run_page(env, "README Mail", curl_blocks(sections(read("README.md"))["Mail"]))


def test_readme_deployment_mount_loop(env):
    text = sections(read("README.md"))["Deployment"]
    loops = re.findall(r"^(for u in .*?^done\b[^\n]*)$", text, re.S | re.M)
    eq(len(loops), 1, "one mount loop in README's Deployment section")
    calls = run_page(env, "README Deployment mount loop", [(loops[0], [405])], shared=False)
    check(len(calls) >= 6, f"the loop asks every executable: {calls}")


def test_make_run_examples(env):
    """What `make run` prints after "Try it", from a real run of tools/stack.sh start on this
    stack (running it again is harmless), with the port it prints: not changed at all."""
    e = dict(os.environ, PROVISION_VAR=env.var, PORT=str(env.port), SERVER=env.server,
             PROVISION_BIN=env.bin)
    e.pop("STACK_QUIET", None)
    p = subprocess.run(["sh", os.path.join(ROOT, "tools", "stack.sh"), "start"], env=e,
                       capture_output=True, text=True, timeout=120)
    eq(p.returncode, 0, f"stack.sh start again ({p.stderr.strip()[-300:]})")
    out = p.stdout.split("Try it (needs jq; run from the checkout):\n", 1)
    eq(len(out), 2, f"make run prints its examples: {p.stdout[-300:]!r}")
    # shown indented by two spaces, but for the inside of a multi-line quoted string
    lines = out[1].rstrip("\n").split("\n")
    script = "\n".join(ln[2:] if ln.startswith("  ") else ln for ln in lines) + "\n"
    calls = run_page(env, "make run examples", [(script, None)], substitute=False,
                     shared=False)
    n_files = len(glob.glob(os.path.join(ROOT, "docs", "examples", "*.sh")))
    check(len(calls) >= 2 + n_files, f"every printed example ran: {len(calls)} calls")


def docs_page(env, page):
    run_page(env, f"docs/{page}", curl_blocks(read(os.path.join("docs", page))))


def test_docs_soajs(env):
    docs_page(env, "soajs.md")


def test_docs_soajs_invite(env):
    docs_page(env, "soajs-invite.md")


def test_docs_xtracta(env):
    docs_page(env, "xtracta.md")


def test_docs_skedulo(env):
    docs_page(env, "skedulo.md")


def test_docs_servicepower(env):
    docs_page(env, "servicepower.md")


def test_docs_mail(env):
    docs_page(env, "MAIL.md")


def test_docs_deploy(env):
    docs_page(env, "DEPLOY.md")


def test_docs_credentials(env):
    docs_page(env, "CREDENTIALS.md")


DOCS_RUN = {"soajs.md", "soajs-invite.md", "xtracta.md", "skedulo.md", "servicepower.md",
            "MAIL.md", "DEPLOY.md", "CREDENTIALS.md"}
README_RUN = ("Try it", "Mail", "Deployment")


def test_every_curl_example_is_run_or_marked(env):
    """Every fenced block of README.md and docs/*.md that calls curl is run by a test above
    (an ```sh block of a page or README section they run), or marked
    `<!-- example: skip <why> -->` with its reason. Prints how many curl calls ran."""
    problems, skipped = [], []
    files = ["README.md"] + sorted(os.path.relpath(p, ROOT)
                                   for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
    for rel in files:
        text = read(rel)
        secs = sections(text)
        for m in FENCE.finditer(text):
            if not CURL_CALL.search(m.group("body")):
                continue
            line = text.count("\n", 0, m.start("body"))
            where = f"{rel}:{line}"
            mark = m.group("mark") or ""
            if mark.startswith("skip"):
                reason = mark[4:].strip()
                check(reason, f"{where}: a skipped curl example needs its reason")
                skipped.append(f"{where} ({reason})")
                continue
            if m.group("lang") != "sh":
                problems.append(f"{where}: a curl example in a ```{m.group('lang')} block: "
                                "make it ```sh (run) or mark it skip with the reason")
            elif rel == "README.md":
                sec = next((h for h, s in secs.items() if m.group(0) in s), "")
                if sec not in README_RUN:
                    problems.append(f"{where}: README section {sec!r} is not run")
                elif sec == "Deployment" and not re.search(r"^for u in ", m.group("body"),
                                                           re.M):
                    problems.append(f"{where}: only the mount loop of Deployment is run")
            elif os.path.basename(rel) not in DOCS_RUN:
                problems.append(f"{where}: docs page {rel} is not run by a test")
    check(not problems, "curl examples neither run nor marked:\n      "
          + "\n      ".join(problems))
    n_calls = sum(CALLS.values())
    print(f"    docs examples: {n_calls} curl calls run from {len(CALLS)} pages/sections; "
          f"{len(skipped)} example blocks marked not runnable"
          + "".join(f"\n      skip {s}" for s in skipped))
    if "root" in SHARED:
        shutil.rmtree(SHARED.pop("root"), ignore_errors=True)
    check(n_calls > 0 or not CALLS, "the examples ran no curl call")
