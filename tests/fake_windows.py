#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Stand-ins for the Windows programs that open a browser under WSL, for the
bkt-auth tests.

Usage: fake_windows.py NAME ARGS...   (a wrapper named NAME on PATH runs it)

NAME is wslview, cmd.exe or powershell.exe. The stand-in takes the URL from
ARGS the way the real program would: wslview URL; cmd.exe /c start URL, with
each of & | < > ^ ( ) % ! " escaped by a caret (an unescaped one would end
the command there); powershell.exe ... -Command "Start-Process 'URL'". It
appends {"program": NAME, "args": ARGS, "url": URL} as a JSON line to
FAKE_WINDOWS_LOG, then hands the URL to tests/fake_browser.py, as the
Windows browser would get it.

With FAKE_WINDOWS_RELAY set (a JSON list: the argv of a python3 run as
another user), the browser's way back comes through a relay run as that
user, as Windows' relay brings it into WSL: the fake browser only prints
where it ends, and the stand-in sends that through the relay.

Any failure prints one line to stderr and exits 1.
"""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import relay

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_BROWSER = os.path.join(HERE, "fake_browser.py")
TIMEOUT = 10

RELAY = relay.SOURCE


class Failure(Exception):
    pass


def url_of(name, args):
    if name == "wslview":
        if len(args) != 1:
            raise Failure("wslview takes the URL alone: %r" % args)
        return args[0]
    if name == "cmd.exe":
        if len(args) != 3 or args[:2] != ["/c", "start"]:
            raise Failure("want cmd.exe /c start URL: %r" % args)
        escaped = args[2]
        # Every character cmd.exe would act on must come after a caret.
        bare = re.sub(r"\^.", "", escaped)
        if re.search(r'[&|<>^()%!"]', bare):
            raise Failure("cmd.exe would cut the URL short: %r" % escaped)
        return re.sub(r"\^(.)", r"\1", escaped)
    if name == "powershell.exe":
        if len(args) < 2 or args[-2] != "-Command":
            raise Failure("want powershell.exe ... -Command \"Start-Process 'URL'\": %r" % args)
        m = re.fullmatch(r"Start-Process '((?:[^']|'')*)'", args[-1])
        if not m:
            raise Failure("want Start-Process 'URL': %r" % args[-1])
        return m.group(1).replace("''", "'")
    raise Failure("unknown program %r" % name)


def browser(url, mode):
    env = dict(os.environ, FAKE_BROWSER_MODE=mode, PYTHONDONTWRITEBYTECODE="1")
    env.pop("FAKE_BROWSER_OUT", None)
    cp = subprocess.run([sys.executable, FAKE_BROWSER, url], env=env, stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    if cp.returncode != 0:
        raise Failure(cp.stderr.decode("utf-8", "replace").strip())
    return cp.stdout.decode("utf-8").strip()


def through_relay(location, relay_python):
    """GET location through a relay run as another user."""
    parts = urllib.parse.urlsplit(location)
    relay = subprocess.Popen(relay_python + ["-c", RELAY, str(parts.port)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
    try:
        port = int(relay.stdout.readline())
        relayed = urllib.parse.urlunsplit(parts._replace(netloc="127.0.0.1:%d" % port))
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(relayed, timeout=TIMEOUT) as resp:
                resp.read()
        except urllib.error.HTTPError as e:
            with e:
                e.read()
    finally:
        relay.kill()
        relay.wait(timeout=10)


def main(argv):
    if len(argv) < 2:
        raise Failure("usage: fake_windows.py NAME ARGS...")
    name, args = argv[1], argv[2:]
    url = url_of(name, args)
    log = os.environ.get("FAKE_WINDOWS_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps({"program": name, "args": args, "url": url}) + "\n")
    relay = os.environ.get("FAKE_WINDOWS_RELAY")
    if relay:
        through_relay(browser(url, "print"), json.loads(relay))
    else:
        browser(url, os.environ.get("FAKE_BROWSER_MODE") or "follow")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # one line, never a traceback
        line = str(e).splitlines()[0] if str(e) else type(e).__name__
        sys.stderr.write("fake_windows: %s\n" % line)
        if os.environ.get("FAKE_WINDOWS_LOG"):  # bkt-auth sends stderr nowhere
            with open(os.environ["FAKE_WINDOWS_LOG"], "a", encoding="utf-8") as f:
                f.write(json.dumps({"error": line}) + "\n")
        sys.exit(1)
