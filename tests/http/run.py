#!/usr/bin/env python3
"""run.py: runs the HTTP test files (tests/http/test_*.py) against a running stack.

Every function named test_* in a test file is one test; it receives the harness Env. A test
passes when it returns, fails on any exception. Prints each failure with its reason and ends
with "http: N passed, M failed"; appends "N M" to the file named by $RESULTS when set.
"""
import argparse
import glob
import importlib.util
import inspect
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SLOW_SECONDS = 2.0   # tests taking longer are named, to keep the suite's time in view
sys.path.insert(0, HERE)

from harness import Env  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--var", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--server", default="lighttpd")
    ap.add_argument("--only", default="", help="run files whose name contains this")
    ap.add_argument("--label", default="http")
    ap.add_argument("--dir", default=HERE, help="directory of the test_*.py files")
    a = ap.parse_args()
    env = Env(a.base_url, a.var, a.bin, a.server)
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(a.dir, "test_*.py"))):
        name = os.path.basename(path)[:-3]
        if a.only and a.only not in name:
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(mod)
        except Exception:  # noqa: BLE001
            failed += 1
            print(f"FAIL {name}: cannot load\n{traceback.format_exc()}")
            continue
        tests = [(n, f) for n, f in inspect.getmembers(mod, inspect.isfunction)
                 if n.startswith("test_") and f.__module__ == name]
        tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
        t0 = time.time()
        for tname, fn in tests:
            t1 = time.time()
            try:
                fn(env)
                passed += 1
            except AssertionError as e:
                failed += 1
                print(f"FAIL {name}.{tname}: {e}")
            except Exception:  # noqa: BLE001
                failed += 1
                print(f"FAIL {name}.{tname}: error\n{traceback.format_exc()}")
            if time.time() - t1 >= SLOW_SECONDS:
                print(f"    slow: {tname} {time.time() - t1:.1f}s")
        print(f"  {name}: {len(tests)} tests in {time.time() - t0:.1f}s")
    print(f"{a.label}: {passed} passed, {failed} failed")
    results = os.environ.get("RESULTS")
    if results:
        with open(results, "a") as f:
            f.write(f"{passed} {failed}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
