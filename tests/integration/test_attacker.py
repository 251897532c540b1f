#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Another user of the same machine against a login in progress.

Every user may read a process's command line (/proc/PID/cmdline). While a
line-mode login waits for its browser, another user (nobody, through setpriv)
reads the browser's command line and, with the state and PKCE challenge of the
login in hand (read there, or leaked some other way), plays the whole flow:
it asks the start address for the authorize URL, signs in at the fake
Bitbucket as itself (mallory) with the victim's state and challenge, and
sends its own code to bkt-auth's listener, hoping to log the victim in to its
account; it sends error=access_denied to abort the login; and it sends its
redirect and closes (or resets) the connection at once, as a peer that the
kernel then lists with inode 0 (and uid 0 on some kernels). bkt-auth
exchanges none of its codes, and the real browser then completes the login
as the victim's own account.

Under WSL, Windows relays the browser's connection and its owner cannot be
seen: there a relay run as nobody, with WSL_DISTRO_NAME set, stands for it,
the login goes through, and bkt-auth says that it could not tell whose program
brought the browser back.
"""

import json
import os
import subprocess
import sys
import unittest
import urllib.parse

import harness
from harness import CLOUD_HOST, DC_ENV, BktTestCase, http_get

# Run as nobody: read the browser's command line, then attack with what was
# seen there, or else with the authorize URL given as the first argument (the
# second is the listener's port, which any user can see in /proc/net/tcp).
ATTACKER = r'''
import json, os, socket, struct, sys, urllib.error, urllib.parse, urllib.request

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None

opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())

def get(url, user=None):
    req = urllib.request.Request(url)
    if user:
        req.add_header("X-Fake-User", user)
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, resp.headers.get("Location")
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers.get("Location")

def browsers():
    """The command lines of the browsers that lead to the listener's port (argv[2]): other
    logins may be under way on this machine."""
    port = sys.argv[2]
    marks = (":%s/" % port, "%%3A%s%%2F" % port)
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        if (any(a.endswith("fake_browser.py") for a in args)
                and any(m in a for a in args for m in marks)):
            found.append([a for a in args if a])
    return found

def own_code(authorize):
    """Sign in as mallory with the victim's state and challenge: the redirect back."""
    status, location = get(authorize, user="mallory")
    assert status == 302 and "code=" in (location or ""), status
    return location

def send_and_close(url, reset):
    parts = urllib.parse.urlsplit(url)
    s = socket.create_connection((parts.hostname, parts.port), timeout=10)
    if reset:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.sendall(("GET %s?%s HTTP/1.1\r\nHost: %s\r\n\r\n"
               % (parts.path, parts.query, parts.netloc)).encode())
    s.close()

def attempt(name, step):
    """Note what a step got; a listener that went away is an answer too."""
    try:
        result[name] = step()
    except OSError as e:
        result[name] = "failed: %s" % e

seen = browsers()
result = {"browsers": seen}
urls = [a for args in seen for a in args if a.startswith("http")]
# What the browser was handed holds the state (and the challenge), or it is a start address.
leaked = urls[0] if urls and "state=" in urls[0] else sys.argv[1]
result["used_what_it_saw"] = leaked != sys.argv[1]
if urls and "state=" not in urls[0]:
    attempt("start", lambda: get(urls[0]))
redirect = own_code(leaked)
attempt("callback", lambda: get(redirect)[0])
state = urllib.parse.parse_qs(urllib.parse.urlsplit(leaked).query)["state"][0]
deny = redirect.split("?", 1)[0] + "?" + urllib.parse.urlencode(
    [("error", "access_denied"), ("state", state)])
attempt("deny", lambda: get(deny)[0])
attempt("closed", lambda: send_and_close(own_code(leaked), reset=False))
attempt("reset", lambda: send_and_close(own_code(leaked), reset=True))
print(json.dumps(result))
'''

# Run as nobody: Windows' relay under WSL (tests/relay.py, beside the fakes).
sys.path.insert(0, harness.TESTS_DIR)
import relay  # noqa: E402

RELAY = relay.SOURCE

OWNER_UNKNOWN = "could not tell which user's program brought the browser back"


def hidepid():
    """Whether /proc hides other users' processes (then no command line is readable)."""
    try:
        with open("/proc/mounts") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 3 and fields[1] == "/proc":
                    opts = fields[3].split(",")
                    return any(o.startswith("hidepid=") and o not in ("hidepid=0",
                                                                      "hidepid=off")
                               for o in opts)
    except OSError:
        pass
    return False


class Attacker(BktTestCase):

    @classmethod
    def setUpClass(cls):
        cls.nobody, why_not = harness.other_user_python()
        if cls.nobody is None:
            raise unittest.SkipTest(why_not)
        super().setUpClass()

    def as_nobody(self, code, *args):
        """Run python code as user nobody to the end: its stdout."""
        try:
            cp = subprocess.run(self.nobody + ["-c", code] + list(args),
                                env=harness.OTHER_USER_ENV, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=harness.COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("the other user's program hung")
        self.assertEqual(cp.returncode, 0, cp.stderr.decode("utf-8", "replace"))
        return cp.stdout.decode("utf-8")

    def relay_as_nobody(self, target_port):
        """A relay run as nobody to target_port: its own port."""
        relay = subprocess.Popen(self.nobody + ["-c", RELAY, str(target_port)],
                                 env=harness.OTHER_USER_ENV, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

        def stop():
            relay.kill()
            relay.wait(timeout=10)
            relay.stdout.close()
        self.addCleanup(stop)
        line = relay.stdout.readline().decode().strip()
        self.assertTrue(line.isdigit(), "the relay did not start")
        return int(line)

    # -- the attack --

    def attack(self, args, env_extra, key, host_name):
        go = os.path.join(self.tmp, "go")
        # However the test ends, the browser stops waiting (and then ends).
        self.addCleanup(lambda: open(go, "a").close())
        p = self.start(args, env_extra=dict(env_extra, FAKE_BROWSER_WAIT_FOR=go))
        shown = p.wait_line(self.is_authorize_url, what="the authorize URL")
        p.wait_line(lambda l: l.startswith("Waiting"), what="the 'Waiting ...' line")
        harness.wait_until(self.browser_urls, what="the browser to be started")
        state = harness.query_of(shown)["state"]
        challenge = harness.query_of(shown)["code_challenge"]

        # The browser's command line, as every user sees it, holds nothing of the login's.
        port = urllib.parse.urlsplit(harness.query_of(shown)["redirect_uri"]).port
        seen = json.loads(self.as_nobody(ATTACKER, shown, str(port)))
        if not seen["browsers"] and hidepid():
            self.skipTest("/proc hides other users' command lines here (hidepid)")
        self.assertEqual(len(seen["browsers"]), 1, seen)
        argv = " ".join(seen["browsers"][0])
        self.assertNotIn(state, argv, "the browser's command line shows the state")
        self.assertNotIn(challenge, argv, "the browser's command line shows the challenge")
        self.assertFalse(seen["used_what_it_saw"])
        urls = [a for a in seen["browsers"][0] if a.startswith("http")]
        self.assertEqual(len(urls), 1, seen)
        self.assert_start_address(urls[0], host_name,
                                  harness.query_of(shown)["redirect_uri"])

        # With the state and challenge leaked some other way, nothing it sent was taken.
        self.assertEqual(seen["start"][0], 403, "the start address answered another user")
        self.assertIsNone(seen["start"][1], "the start address told another user where to go")
        self.assertEqual(seen["callback"], 403, "another user's code was answered")
        self.assertEqual(seen["deny"], 403, "another user's access_denied was answered")
        self.assertTrue(p.running(), "the login ended:\n" + p.stderr_so_far())
        stats = self.fake.stats()
        self.assertEqual(stats["authorize"], 3, "the attacker's three sign-ins")
        self.assertEqual(stats["token_code"], 0, "a code was sent to the token endpoint")
        self.assertEqual(stats["exchanged"], {})

        # The real browser, let go now, still completes the victim's own login.
        open(go, "a").close()
        rc, out, err = p.finish()
        self.assertEqual(rc, 0, err)
        self.assertIn("as alice", err)
        self.assertNotIn("mallory", err)
        self.assertNotIn(OWNER_UNKNOWN, err)
        self.assertEqual(self.fake.stats()["exchanged"], {"alice": 1})
        self.assertEqual(self.hosts_entries()[key]["username"], "alice")
        self.assertIsNotNone(self.keyring_secret(key))

    def test_cloud(self):
        self.attack(self.cloud_login_args("--timeout", "120"), {}, CLOUD_HOST, "127.0.0.1")

    def test_data_center(self):
        self.attack(self.dc_login_args("--timeout", "120"), DC_ENV, self.fake.dc_host,
                    "localhost")

    # -- a relay whose owner cannot be told (WSL) --

    def relayed_login(self, wsl):
        """A login whose browser comes back through a relay run as nobody:
        (process, answer to the relayed start address, to the relayed redirect)."""
        env = {"FAKE_BROWSER_MODE": "none", "WSL_DISTRO_NAME": "Test" if wsl else None,
               "WSL_INTEROP": None}
        p = self.start(self.cloud_login_args("--timeout", "120"), env_extra=env)
        shown = p.wait_line(self.is_authorize_url, what="the authorize URL")
        start = harness.wait_until(self.browser_urls, what="the browser to be started")[0]
        port = urllib.parse.urlsplit(start).port
        relay = self.relay_as_nobody(port)

        # The browser of Windows, through the relay.
        status, headers, _ = http_get(start.replace(":%d/" % port, ":%d/" % relay))
        start_answer = (status, headers.get("Location"))
        status, headers, _ = http_get(shown)
        self.assertEqual(status, 302)
        redirect = headers["Location"]
        status, _, _ = http_get(redirect.replace(":%d/" % port, ":%d/" % relay))
        return p, start_answer, status, redirect

    def test_wsl_relay_is_owner_unknown(self):
        p, start, callback, _ = self.relayed_login(wsl=True)
        self.assertEqual(start[0], 302, "the relayed start address was refused under WSL")
        self.assertTrue(self.is_authorize_url(start[1]), start)
        self.assertEqual(callback, 200, "the relayed redirect was refused under WSL")
        rc, out, err = p.finish()
        # Nobody is there to say whether the account is theirs (no terminal): nothing is kept.
        self.assertEqual(rc, 2, err)
        self.assertIn(OWNER_UNKNOWN, err)
        self.assertIn("was not kept", err)
        self.assertEqual(self.fake.stats()["exchanged"], {"alice": 1})
        self.assert_not_stored(CLOUD_HOST)

    def test_relay_without_wsl_is_refused(self):
        p, start, callback, redirect = self.relayed_login(wsl=False)
        self.assertEqual(start, (403, None))
        self.assertEqual(callback, 403)
        self.assertTrue(p.running(), p.stderr_so_far())
        self.assertEqual(self.fake.stats()["token_code"], 0)
        # The same redirect from the user's own program is taken, as always.
        status, _, _ = http_get(redirect)
        self.assertEqual(status, 200)
        rc, out, err = p.finish()
        self.assertEqual(rc, 0, err)
        self.assertNotIn(OWNER_UNKNOWN, err)


if __name__ == "__main__":
    harness.main()
