#!/usr/bin/env python3
"""fake_sendmail.py: a sendmail-compatible test mailbox. Reads one message on stdin, like
`sendmail -t -i`, and stores it as DIR/<time>-<pid>.eml with its arguments beside it in
DIR/<time>-<pid>.json ({"argv": [...], "outbox_id": the deliverer's PROVISION_OUTBOX_ID});
both appear atomically (written, then renamed).

Options (everything else, e.g. -t -i, is recorded as the sendmail arguments):
  --dir DIR        the mailbox directory (required)
  --exit N         exit with status N instead of storing (a failure on purpose)
  --fail-times K   with --exit: fail only the first K runs for this mailbox, then store
  --say TEXT       write TEXT to stderr before exiting (what the deliverer reports)
  --sleep S        sleep S seconds after reading the message (slow MTA, timeouts, races)
  --no-read        exit without reading stdin
"""
import fcntl
import json
import os
import sys
import time


def main(argv):
    opts = {"dir": None, "exit": None, "fail-times": None, "say": None, "sleep": 0.0,
            "no-read": False}
    rest = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--dir", "--exit", "--fail-times", "--say", "--sleep"):
            opts[a[2:]] = argv[i + 1]
            i += 2
            continue
        if a == "--no-read":
            opts["no-read"] = True
        else:
            rest.append(a)
        i += 1
    box = opts["dir"]
    if not box:
        print("fake_sendmail: --dir is required", file=sys.stderr)
        return 64
    os.makedirs(box, exist_ok=True)
    data = b"" if opts["no-read"] else sys.stdin.buffer.read()
    if float(opts["sleep"]) > 0:
        time.sleep(float(opts["sleep"]))
    if opts["exit"] is not None:
        fail = True
        if opts["fail-times"] is not None:
            # count runs across processes under a lock
            with open(os.path.join(box, ".runs"), "a+") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                f.seek(0)
                runs = len(f.read())
                f.write("x")
            fail = runs < int(opts["fail-times"])
        if fail:
            if opts["say"]:
                print(opts["say"], file=sys.stderr)
            return int(opts["exit"])
    if opts["say"]:
        print(opts["say"], file=sys.stderr)
    name = f"{time.time_ns()}-{os.getpid()}"
    meta = {"argv": rest, "outbox_id": os.environ.get("PROVISION_OUTBOX_ID")}
    for ext, content in ((".json", json.dumps(meta).encode()), (".eml", data)):
        tmp = os.path.join(box, "." + name + ext)
        with open(tmp, "wb") as f:
            f.write(content)
        os.rename(tmp, os.path.join(box, name + ext))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
