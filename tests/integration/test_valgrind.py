#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""valgrind over whole commands: a complete line-mode login, `token` with a
refresh, and the rest. Any memory error or definite leak fails the test
(libraries' "possibly lost" and "still reachable" blocks are not errors).
"""

import glob
import os
import re
import sys
import time
import unittest

import harness
from harness import CLOUD_HOST, DC_ENV, BktTestCase, Running

API_TOKEN = "pat-valgrind-0123456789abcdefghij"
SHORT_LIFETIME = 8
# valgrind makes everything some twenty times slower.
SLOW = 240


def figure(text):
    sys.stderr.write("figure: %s\n" % text)
    sys.stderr.flush()


class Valgrind(BktTestCase):

    @classmethod
    def setUpClass(cls):
        cls.valgrind = os.environ.get("BKT_VALGRIND", "")
        if not cls.valgrind or not os.path.exists(cls.valgrind):
            raise unittest.SkipTest("valgrind is not installed")
        cls.supp = os.environ.get("BKT_VALGRIND_SUPP") or os.path.join(
            harness.TESTS_DIR, "valgrind.supp")
        super().setUpClass()

    def valgrind_argv(self):
        """valgrind's command line, and the directory its reports go to."""
        logs = os.path.join(self.tmp, "vg-%d" % time.monotonic_ns())
        os.mkdir(logs)
        return [self.valgrind, "--quiet", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
                "--num-callers=40", "--child-silent-after-fork=yes", "--suppressions=" + self.supp,
                "--log-file=" + os.path.join(logs, "%p.log"), self.bin], logs

    def check(self, what, rc, err, logs, took):
        report = ""
        for path in glob.glob(os.path.join(logs, "*.log")):
            with open(path, encoding="utf-8", errors="replace") as f:
                report += f.read()
        self.assertNotEqual(rc, 99, "valgrind found errors in %s:\n%s" % (what, report))
        self.assertEqual(rc, 0, "%s failed under valgrind:\n%s\n%s" % (what, err, report))
        self.assertFalse(re.search(r"definitely lost: [1-9]", report),
                         "%s leaks:\n%s" % (what, report))
        figure("%s under valgrind: no errors, no definite leaks (%.1f s)" % (what, took))

    def under_valgrind(self, what, args, env_extra=None, stdin=None):
        argv, logs = self.valgrind_argv()
        started = time.monotonic()
        rc, out, err = harness.run(argv + list(args), self.env(env_extra), stdin, timeout=SLOW)
        self.check(what, rc, err, logs, time.monotonic() - started)
        return out

    def test_cloud_login_and_refresh(self):
        self.fake.control(expires_in=SHORT_LIFETIME)
        self.under_valgrind("login (line mode)", self.cloud_login_args("--json"))
        self.fake.control(expires_in=None)
        stored = self.keyring_secret(CLOUD_HOST)
        harness.wait_until(lambda: time.time() >= stored["expires_at"] + 0.05,
                           timeout=SHORT_LIFETIME + 5, what="the token to expire")
        token = self.under_valgrind("token with a refresh", ["token"]).strip()
        self.assertNotEqual(token, stored["access_token"])
        self.assertEqual(self.fake.stats()["token_refresh_ok"], 1)
        self.assertEqual(self.under_valgrind("token", ["token"]).strip(), token)
        self.under_valgrind("refresh", ["refresh"])
        self.under_valgrind("status --json", ["status", "--json"])
        self.under_valgrind("logout", ["logout"])

    def test_dc_login_pasted(self):
        """A Data Center login with the redirect pasted on stdin, then `token`."""
        argv, logs = self.valgrind_argv()
        started = time.monotonic()
        p = Running(argv + self.dc_login_args("--no-browser"), self.env(DC_ENV))
        self.procs.append(p)
        url = p.wait_line(self.is_authorize_url, timeout=SLOW, what="the authorize URL")
        p.send(self.redirect_for(url))
        rc, _out, err = p.finish(timeout=SLOW)
        self.check("DC login, pasted redirect", rc, err, logs, time.monotonic() - started)
        stored = self.keyring_secret(self.fake.dc_host)
        self.assertEqual(self.under_valgrind("DC token", ["token"], env_extra=DC_ENV).strip(),
                         stored["access_token"])

    def test_with_token(self):
        self.fake.control(api_tokens=[API_TOKEN])
        self.under_valgrind("login --with-token",
                            ["login", self.fake.dc_url, "--kind", "dc", "--allow-http",
                             "--with-token"], env_extra=DC_ENV, stdin=API_TOKEN + "\n")
        self.assertEqual(self.under_valgrind("token of a PAT", ["token"],
                                             env_extra=DC_ENV).strip(), API_TOKEN)

if __name__ == "__main__":
    harness.main()
