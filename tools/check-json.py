#!/usr/bin/env python3
"""check-json.py: every json-c add in lib/ and tools/ checked (codec/json_out.h).

Owns one check and its self-test; never edits a source file.

  check-json.py [ROOT]      every .c file of ROOT/lib and ROOT/tools: exit 1, listing
                            "file:line: what" for each json_object_object_add /
                            json_object_array_add (or their _ex forms)
                              - given a json_object_new_* call as an argument: a NULL from
                                out of memory would be added as a JSON null, or leaked;
                              - used as a statement, its result thrown away: a failed add
                                would go unnoticed (and its value leak).
                            Use the jo_* / ja_* helpers of lib/codec/json_out.h, or test the
                            result. lib/codec/json_out.c, where the helpers call json-c, is
                            the one file exempt.
  check-json.py --self-test the check against a temporary tree with one deliberate fault per
                            rule (each must be reported) and a checked tree (must pass)

Each mode prints one "ok"/"FAIL" line per check and "json: N passed, M failed"; when the
environment names a RESULTS file, "N M" is appended to it (tests/run.sh totals them).
"""
import os
import re
import sys
import tempfile

EXEMPT = {os.path.join("lib", "codec", "json_out.c")}
ADD = re.compile(r"\bjson_object_(?:object|array)_add(?:_ex)?\s*\(")
NEW = re.compile(r"\bjson_object_new_[a-z0-9_]*\s*\(")


def strip(text):
    """The text with comments and the insides of string and character literals blanked
    (newlines kept, so offsets and line numbers stay those of the file)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def closing(text, open_at):
    """The index of the parenthesis closing the one at open_at (len(text) if none)."""
    depth = 0
    for k in range(open_at, len(text)):
        if text[k] == "(":
            depth += 1
        elif text[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return len(text)


def discarded(text, start, end):
    """Whether the call text[start:end+1] is a statement of its own."""
    after = text[end + 1:].lstrip()
    if not after.startswith(";"):
        return False
    before = text[:start].rstrip()
    return (before == "" or before[-1] in ";{})" or before.endswith("else"))


def check_file(path, shown):
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = strip(fh.read())
    found = []
    for m in ADD.finditer(text):
        end = closing(text, m.end() - 1)
        line = text.count("\n", 0, m.start()) + 1
        if NEW.search(text, m.end(), end):
            found.append("%s:%d: json_object_new_* given straight to %s" %
                         (shown, line, m.group(0).rstrip("( ")))
        elif discarded(text, m.start(), end):
            found.append("%s:%d: the result of %s is thrown away" %
                         (shown, line, m.group(0).rstrip("( ")))
    return found


def check_tree(root):
    found = []
    for top in ("lib", "tools"):
        for base, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith(".c"):
                    continue
                full = os.path.join(base, name)
                rel = os.path.relpath(full, root)
                if rel not in EXEMPT:
                    found += check_file(full, rel)
    return found


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def result(self, ok, what, details=()):
        if ok:
            self.passed += 1
            print("ok json: " + what)
        else:
            self.failed += 1
            print("FAIL json: " + what)
            for d in details:
                print("  " + d)

    def finish(self):
        print("json: %d passed, %d failed" % (self.passed, self.failed))
        res = os.environ.get("RESULTS")
        if res:
            with open(res, "a") as fh:
                fh.write("%d %d\n" % (self.passed, self.failed))
        return 1 if self.failed else 0


GOOD = """/* good.c */
#include "codec/json_out.h"
static int f(json_object *o, json_object *a, json_object *v)
{
    int bad = jo_str(o, "k", "json_object_object_add(o, \\"k\\", json_object_new_int(1));");
    bad |= ja_int(a, 1);
    /* json_object_array_add(a, json_object_new_int(1)); in a comment is no call */
    if (json_object_object_add(o, "v", json_object_get(v)) != 0)
        bad = -1;
    int rc = json_object_array_add(a, json_object_get(v));
    return bad | rc;
}
"""

BAD = {
    "nested": """static void f(json_object *o)
{
    json_object_object_add(o, "k",
                           json_object_new_string("v"));
}
""",
    "nested, checked": """static int f(json_object *a)
{
    return json_object_array_add(a, json_object_new_int64(1)) != 0 ? -1 : 0;
}
""",
    "discarded": """static void f(json_object *a, json_object *v)
{
    if (v != NULL)
        json_object_array_add(a, v);
}
""",
    "discarded, cast": """static void f(json_object *o, json_object *v)
{
    (void)json_object_object_add(o, "k", v);
}
""",
}


def self_test(rep):
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "lib", "core"))
        os.makedirs(os.path.join(tmp, "tools"))
        with open(os.path.join(tmp, "lib", "core", "good.c"), "w") as fh:
            fh.write(GOOD)
        found = check_tree(tmp)
        rep.result(not found, "self-test: a tree of checked adds passes", found)
        for i, (what, body) in enumerate(sorted(BAD.items())):
            where = os.path.join(tmp, "tools" if i % 2 else "lib", "bad%d.c" % i)
            with open(where, "w") as fh:
                fh.write(body)
            found = check_tree(tmp)
            os.remove(where)
            rel = os.path.relpath(where, tmp)
            line = 1 + next(k for k, l in enumerate(body.split("\n")) if "_add" in l)
            hit = len(found) == 1 and found[0].startswith("%s:%d:" % (rel, line))
            rep.result(hit, "self-test: a deliberate %s add is reported (%s)" % (what, rel),
                       found or ["nothing reported"])


def main(argv):
    rep = Report()
    if len(argv) > 1 and argv[1] == "--self-test":
        self_test(rep)
    else:
        root = argv[1] if len(argv) > 1 else "."
        found = check_tree(root)
        rep.result(not found, "every json-c add in lib/ and tools/ is checked", found)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
