#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A program that uses bkt-auth the way docs/callers.md describes, as bkt would.

    caller.py BKT_AUTH RESULT [HOST] [LOGIN OPTION...]

It runs `BKT_AUTH login --web --interactive --json [HOST]` as a child with stdin and stdout as
pipes (the wizard draws on the controlling terminal), reads the JSON result from stdout,
then runs `BKT_AUTH token --json HOST` and reads the token the same way. What it saw goes
to RESULT as JSON, with a digest of the token in place of the token.
"""

import hashlib
import json
import os
import subprocess
import sys
import time


def run(argv):
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out, err = proc.communicate(input=b"", timeout=120)
    return {"rc": proc.returncode, "stdout": out.decode("utf-8", "replace"),
            "stderr": err.decode("utf-8", "replace"),
            "seconds": time.monotonic() - started}


def main():
    bkt_auth, result_path = sys.argv[1], sys.argv[2]
    host = sys.argv[3] if len(sys.argv) > 3 else None
    options = sys.argv[4:] if len(sys.argv) > 4 else ["--web", "--interactive"]
    result = {}
    login = run([bkt_auth, "login"] + options + ["--json"] + ([host] if host else []))
    result["login"] = login
    if login["rc"] == 0:
        result["login_json"] = json.loads(login["stdout"])
        token = run([bkt_auth, "token", "--json", result["login_json"]["host"]])
        data = json.loads(token["stdout"]) if token["rc"] == 0 else None
        if data is not None:
            data["token_sha256"] = hashlib.sha256(data.pop("token").encode()).hexdigest()
        token["stdout"] = None
        result["token"] = token
        result["token_json"] = data
    with open(result_path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(result_path + ".tmp", result_path)


if __name__ == "__main__":
    main()
