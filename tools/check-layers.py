#!/usr/bin/env python3
"""check-layers.py: the layering of lib/, cgi-bin/ and tools/ (docs/ARCHITECTURE.md), checked.

Owns two checks and their self-tests; never edits a source file or an archive.

  check-layers.py [ROOT]          every #include of ROOT/lib, ROOT/cgi-bin and ROOT/tools/*.c
                                  against the table RULES below: exit 1, listing
                                  "file:line -> target (rule)" for each include that points
                                  upward or sideways across a forbidden edge
  check-layers.py --archives DIR  the layer archives DIR/lib<layer>.a: exit 1 when one of them
                                  needs a symbol that only a higher layer defines (a call
                                  upward, which the layered link order would refuse)
  check-layers.py --self-test     both checks against temporary trees with one deliberate
                                  fault each (they must fail) and without it (they must pass),
                                  and a link of a lower archive calling a higher one in layer
                                  order (it must fail to link)

Each mode prints one "ok"/"FAIL" line per check and "layers: N passed, M failed"; when the
environment names a RESULTS file, "N M" is appended to it (tests/run.sh totals them).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# The layers, lowest first: the link order is this list reversed.
LAYERS = ["base", "codec", "store", "core", "http", "dialect"]

# What the files of each place may include (the layer names of lib/). A dialect folder may
# include its own folder too, never another vendor's.
RULES = {
    "base": {"base"},
    "codec": {"base", "codec"},
    "store": {"base", "store"},
    "core": {"base", "codec", "store", "core"},
    "http": {"base", "codec", "core", "http"},
    "dialect": {"base", "codec", "core", "http"},
    "cgi-bin": {"http", "dialect"},
    "tools": {"base", "codec", "store", "core"},
}
# What a file may see through the headers it includes, whichever header brought it in: what it
# may include, plus for cgi-bin/ what http and the dialects bring along. No header may hand
# the store to http, a dialect or cgi-bin, nor http or a dialect to provctl.
SEES = dict(RULES, **{"cgi-bin": {"base", "codec", "core", "http", "dialect"}})
# Package headers that belong to one layer: the database client to the store, libfcgi to the
# transport (base/io.c) and the accept loop (http/app.c).
PACKAGE_HEADERS = [
    (re.compile(r"^(mysql\.h|mysqld_error\.h|errmsg\.h|mariadb/.*)$"), {"store"}),
    (re.compile(r"^(fcgiapp\.h|fcgi_stdio\.h|fcgio\.h|fcgimisc\.h)$"), {"base", "http"}),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def place_of(rel):
    """(place, vendor) of a source file by its path from the root, or None when unchecked."""
    parts = rel.split("/")
    if parts[0] == "lib" and len(parts) >= 3:
        if parts[1] == "dialect":
            return ("dialect", parts[2]) if len(parts) >= 4 else ("dialect", None)
        if parts[1] in RULES:
            return (parts[1], None)
        return ("lib-unknown", None)
    if parts[0] == "lib":
        return ("lib-unknown", None)
    if parts[0] == "cgi-bin":
        return ("cgi-bin", None)
    if parts[0] == "tools" and len(parts) == 2 and rel.endswith((".c", ".h")):
        return ("tools", None)
    return None


def target_of(name):
    """(layer, vendor) an include "layer/..." names, or None when it names no layer."""
    parts = name.split("/")
    if len(parts) >= 2 and parts[0] in LAYERS:
        if parts[0] == "dialect":
            return ("dialect", parts[1] if len(parts) >= 3 else None)
        return (parts[0], None)
    return None


def sources(root):
    out = []
    for top in ("lib", "cgi-bin", "tools"):
        base = os.path.join(root, top)
        for d, _dirs, files in os.walk(base):
            for f in files:
                if f.endswith((".c", ".h")):
                    rel = os.path.relpath(os.path.join(d, f), root)
                    if place_of(rel) is not None:
                        out.append(rel)
    return sorted(out)


def includes_of(root, rel):
    """(line number, kind, name) of each #include of a file."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as fh:
        lines = fh.read().split("\n")
    out = []
    for no, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if m:
            out.append((no, m.group(1), m.group(2)))
    return out


def allowed(place, vendor, tgt, table=RULES):
    """None when a file of (place, vendor) may include (table RULES) or see (SEES) a header of
    tgt, else the rule."""
    layer, tvendor = tgt
    if place == "dialect" and layer == "dialect":
        if vendor is not None and tvendor != vendor:
            return "dialect %s may not include another vendor's folder (%s)" % (vendor, tvendor)
        return None
    if place == layer or layer in table[place]:
        return None
    return "%s may %s only %s" % (place, "include" if table is RULES else "see", ", ".join(
        l for l in LAYERS if l in table[place]) or "itself")


def check_file(root, rel):
    """The violations of one file: (line number, target, rule) each. A header counts with
    everything it includes in turn: a dialect that includes a core header which includes a
    store header sees the store as surely as if it had included it itself."""
    place, vendor = place_of(rel)
    bad = []
    if place == "lib-unknown":
        return [(0, rel, "a file of lib/ outside the layer folders " + ", ".join(LAYERS))]
    here = os.path.dirname(rel)
    for no, kind, name in includes_of(root, rel):
        if kind == "<":
            for rx, owners in PACKAGE_HEADERS:
                if rx.match(name) and place not in owners:
                    bad.append((no, "<%s>" % name, "%s may not use a package header of %s"
                                % (place, " or ".join(sorted(owners)))))
            continue
        tgt = target_of(name)
        if tgt is None:
            # only a header next to the includer, outside lib/ (tools/provctl.h)
            if place in ("tools", "cgi-bin") and os.path.exists(os.path.join(root, here, name)):
                continue
            bad.append((no, name, "an include must name its layer (\"base/...\", a path "
                        "from lib/)"))
            continue
        if not os.path.exists(os.path.join(root, "lib", name)):
            bad.append((no, name, "no such header under lib/"))
            continue
        rule = allowed(place, vendor, tgt)
        if rule is not None:
            bad.append((no, name, rule))
            continue
        # what the header brings with it, breadth first; the first forbidden one is reported
        seen = {name}
        todo = [(name, [name])]
        while todo:
            hdr, chain = todo.pop(0)
            found = None
            for _n, k, sub in includes_of(root, os.path.join("lib", hdr)):
                if k == "<":
                    for rx, owners in PACKAGE_HEADERS:
                        if rx.match(sub) and place not in owners:
                            found = ("<%s>" % sub, "%s may not use a package header of %s"
                                     % (place, " or ".join(sorted(owners))))
                    if found:
                        break
                    continue
                t = target_of(sub)
                if t is None or sub in seen or not os.path.exists(os.path.join(root, "lib", sub)):
                    continue
                seen.add(sub)
                r = allowed(place, vendor, t, SEES)
                if r is not None:
                    found = (sub, r)
                    break
                todo.append((sub, chain + [sub]))
            if found:
                bad.append((no, name, "%s, and %s" % (found[1], " includes ".join(
                    chain + [found[0]]))))
                break
    return bad


def check_includes(root, quiet=False):
    """The violations under root, as printable lines (each printed unless quiet)."""
    out = []
    for rel in sources(root):
        for no, target, rule in check_file(root, rel):
            out.append("%s:%d -> %s (%s)" % (rel, no, target, rule))
            if not quiet:
                print("  " + out[-1])
    return out


def nm_symbols(archive):
    """(defined, undefined) external symbols of an archive."""
    out = subprocess.run(["nm", "-g", "--defined-only", "-P", archive], capture_output=True,
                         text=True, check=True).stdout
    defined = {l.split()[0] for l in out.splitlines()
               if len(l.split()) >= 2 and not l.endswith(":")}
    out = subprocess.run(["nm", "-g", "--undefined-only", "-P", archive], capture_output=True,
                         text=True, check=True).stdout
    undefined = {l.split()[0] for l in out.splitlines()
                 if len(l.split()) >= 2 and not l.endswith(":")}
    return defined, undefined - defined


def check_archives(d, layers=LAYERS, quiet=False):
    """Number of symbols an archive of d needs from a higher layer's archive (or -1 when one is
    missing)."""
    syms = {}
    for l in layers:
        a = os.path.join(d, "lib%s.a" % l)
        if not os.path.exists(a):
            if not quiet:
                print("  %s: missing" % a)
            return -1
        syms[l] = nm_symbols(a)
    n = 0
    for i, low in enumerate(layers):
        for high in layers[i + 1:]:
            for s in sorted(syms[low][1] & syms[high][0]):
                n += 1
                if not quiet:
                    print("  lib%s.a needs %s from lib%s.a (a call upward)" % (low, s, high))
    return n


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        print(("ok " if ok else "FAIL ") + what)
        if ok:
            self.passed += 1
        else:
            self.failed += 1

    def end(self):
        print("layers: %d passed, %d failed" % (self.passed, self.failed))
        res = os.environ.get("RESULTS")
        if res:
            with open(res, "a") as fh:
                fh.write("%d %d\n" % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1


def write(root, rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as fh:
        fh.write(text)


def good_tree(root):
    """A small tree that follows every rule."""
    write(root, "lib/base/arena.h", "#include <stddef.h>\n")
    write(root, "lib/codec/form.h", '#include "base/arena.h"\n')
    write(root, "lib/store/db.h", '#include "base/arena.h"\n')
    write(root, "lib/store/db.c", '#include "store/db.h"\n#include <mysql.h>\n')
    write(root, "lib/core/users.h", '#include "codec/form.h"\n')
    write(root, "lib/core/users.c", '#include "core/users.h"\n#include "store/db.h"\n')
    write(root, "lib/http/ctx.h", '#include "core/users.h"\n')
    write(root, "lib/dialect/soajs/soajs.h", '#include "http/ctx.h"\n')
    write(root, "lib/dialect/soajs/soajs.c", '#include "dialect/soajs/soajs.h"\n')
    write(root, "lib/dialect/xtracta/xtracta.h", "\n")
    write(root, "lib/dialect/xtracta/xtracta.c", '#include "http/ctx.h"\n')
    write(root, "cgi-bin/add_user.c", '#include "dialect/soajs/soajs.h"\n')
    write(root, "tools/provctl.h", '#include "core/users.h"\n')
    write(root, "tools/provctl.c", '#include "provctl.h"\n#include "store/db.h"\n')


# One deliberate fault each: (file, line added, what it breaks, the file the check must name
# for it when not the one changed).
BAD_INCLUDES = [
    ("lib/base/arena.h", '#include "core/users.h"', "base including core (upward)", None),
    ("lib/core/users.c", '#include "http/ctx.h"', "core including http (upward)", None),
    ("lib/codec/form.h", '#include "store/db.h"', "codec including store (sideways)", None),
    ("lib/dialect/soajs/soajs.c", '#include "store/db.h"', "a dialect including the store",
     None),
    ("lib/dialect/soajs/soajs.c", '#include "dialect/xtracta/xtracta.h"',
     "a dialect including another vendor's folder", None),
    ("tools/provctl.c", '#include "http/ctx.h"', "provctl including http", None),
    ("tools/provctl.c", '#include "dialect/soajs/soajs.h"', "provctl including a dialect", None),
    ("lib/core/users.c", '#include "arena.h"', "an include without its layer", None),
    ("lib/http/ctx.h", "#include <mysql.h>", "http using the database client's header", None),
    ("lib/core/users.h", '#include "store/db.h"',
     "a core header that hands the store to whoever includes it", "lib/http/ctx.h"),
]


def self_test_includes(t):
    with tempfile.TemporaryDirectory(prefix="check-layers.") as tmp:
        good = os.path.join(tmp, "good")
        good_tree(good)
        v = check_includes(good, quiet=True)
        t.check(v == [], "layers self-test: a tree that follows the rules passes the include "
                "check" + ("" if not v else ": " + "; ".join(v)))
        for i, (rel, line, what, first) in enumerate(BAD_INCLUDES):
            bad = os.path.join(tmp, "bad%d" % i)
            shutil.copytree(good, bad)
            with open(os.path.join(bad, rel), "a") as fh:
                fh.write(line + "\n")
            v = check_includes(bad, quiet=True)
            named = [x for x in v if x.startswith((first or rel) + ":")]
            t.check(named != [], "layers self-test: the include check fails on %s (%s: %s)%s"
                    % (what, rel, line, " -> " + named[0] if named else ""))


def cc():
    return os.environ.get("CC") or "cc"


def build_archive(tmp, layer, code):
    src = os.path.join(tmp, layer + ".c")
    obj = os.path.join(tmp, layer + ".o")
    with open(src, "w") as fh:
        fh.write(code)
    subprocess.run([cc(), "-c", src, "-o", obj], check=True)
    a = os.path.join(tmp, "lib%s.a" % layer)
    if os.path.exists(a):
        os.unlink(a)
    subprocess.run(["ar", "rcs", a, obj], check=True)
    return a


def link(tmp, main_code, layers):
    """Links a main against the archives in layer order (highest first); 1 when it links."""
    src = os.path.join(tmp, "main.c")
    with open(src, "w") as fh:
        fh.write(main_code)
    archives = [os.path.join(tmp, "lib%s.a" % l) for l in reversed(layers)]
    r = subprocess.run([cc(), src] + archives + ["-o", os.path.join(tmp, "main")],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def self_test_link(t):
    layers = ["base", "core"]
    with tempfile.TemporaryDirectory(prefix="check-layers.") as tmp:
        # the right way round: core calls base
        build_archive(tmp, "base", "int base_add(int a, int b);\n"
                      "int base_add(int a, int b) { return a + b; }\n")
        build_archive(tmp, "core", "int base_add(int a, int b);\nint core_sum(void);\n"
                      "int core_sum(void) { return base_add(1, 2); }\n")
        ok, err = link(tmp, "int core_sum(void);\nint main(void) { return core_sum() != 3; }\n",
                       layers)
        t.check(ok, "layers self-test: core calling base links in layer order" +
                ("" if ok else ": " + err.strip()))
        t.check(check_archives(tmp, layers, quiet=True) == 0,
                "layers self-test: the archive check passes core calling base")
        # the deliberate fault: base calls core
        build_archive(tmp, "base", "int core_sum(void);\nint base_twice(void);\n"
                      "int base_add(int a, int b);\n"
                      "int base_add(int a, int b) { return a + b; }\n"
                      "int base_twice(void) { return 2 * core_sum(); }\n")
        ok, err = link(tmp, "int base_twice(void);\nint main(void) { return base_twice() != 6; }\n",
                       layers)
        t.check(not ok and "core_sum" in err,
                "layers self-test: base calling core fails to link in layer order")
        t.check(check_archives(tmp, layers, quiet=True) == 1,
                "layers self-test: the archive check fails on base calling core")


def main(argv):
    t = Tally()
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    if len(argv) >= 1 and argv[0] == "--self-test":
        self_test_includes(t)
        self_test_link(t)
    elif len(argv) == 2 and argv[0] == "--archives":
        n = check_archives(argv[1])
        t.check(n == 0, "layers: no archive of %s calls a higher layer%s" % (
            argv[1], "" if n == 0 else " (%s)" % ("an archive is missing" if n < 0
                                                   else "%d symbols" % n)))
    elif len(argv) <= 1 and not (argv and argv[0].startswith("-")):
        if argv:
            root = argv[0]
        n = len(check_includes(root))
        t.check(n == 0, "layers: every #include of lib/, cgi-bin/ and tools/ follows the "
                "layer rules%s" % ("" if n == 0 else " (%d violations above)" % n))
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return t.end()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
