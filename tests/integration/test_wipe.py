#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Secret buffers are wiped before they are freed.

Every command runs with tests/freecheck.c preloaded: it looks into each block
the process frees (or that realloc moves) and notes the ones that still hold
a token or the client secret, with the frames that freed them. A block freed
by bkt-auth's own code must have been wiped; one freed inside a library
(libcurl's buffers, a D-Bus message) is beyond its reach and only counted.
"""

import base64
import collections
import os
import subprocess
import sys
import time
import unittest

import harness
from harness import CLIENT_ID, CLIENT_SECRET, CLOUD_HOST, DC_ENV, BktTestCase

API_TOKEN = "pat-wipe-0123456789abcdefghijklmn"
SHORT_LIFETIME = 3


def figure(text):
    sys.stderr.write("figure: %s\n" % text)
    sys.stderr.flush()


class Wipe(BktTestCase):

    @classmethod
    def setUpClass(cls):
        cls.lib = os.environ.get("BKT_FREECHECK_LIB", "")
        if not os.path.exists(cls.lib):
            raise unittest.SkipTest("BKT_FREECHECK_LIB does not name the preload library")
        super().setUpClass()

    def setUp(self):
        super().setUp()
        self.log = os.path.join(self.tmp, "freecheck.log")
        self.secrets = os.path.join(self.tmp, "secrets.txt")
        basic = base64.b64encode(("%s:%s" % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
        with open(self.secrets, "w") as f:
            f.write("\n".join([CLIENT_SECRET, basic, API_TOKEN]) + "\n")
        self.library_frees = collections.Counter()

    def env(self, extra=None):
        env = super().env(extra)
        env.update({"LD_PRELOAD": self.lib, "BKT_FREECHECK_LOG": self.log,
                    "BKT_FREECHECK_SECRETS": self.secrets, "G_MESSAGES_DEBUG": "all"})
        return env

    def checked(self, what, args, stdin=None, env_extra=None, code=0):
        """Run a command; no block of ours may be freed holding a secret."""
        if os.path.exists(self.log):
            os.unlink(self.log)
        rc, out, err = self.run_bkt(args, stdin=stdin, env_extra=env_extra)
        self.assertEqual(rc, code, "%s:\n%s" % (what, err))
        try:
            with open(self.log, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            lines = []
        ours = [l for l in lines if l.startswith("ours ")]
        for l in lines:
            if not l.startswith("ours "):
                self.library_frees[l.split()[0]] += 1
        self.assertEqual(ours, [], "%s freed %d block(s) holding a secret without wiping "
                         "them first:\n%s\n(resolve the offsets with addr2line -f -e %s)"
                         % (what, len(ours), "\n".join(ours[:5]), self.bin))
        return out

    def expire(self, key, env_extra=None):
        secret = self.keyring_secret(key)
        harness.wait_until(lambda: time.time() >= secret["expires_at"] + 0.05,
                           timeout=SHORT_LIFETIME + 5, what="the token to expire")

    def test_cloud(self):
        self.fake.control(expires_in=SHORT_LIFETIME)
        self.checked("login", self.cloud_login_args("--json"))
        self.fake.control(expires_in=None)
        self.checked("token", ["token"])
        self.checked("status", ["status"])
        self.checked("status --json --show-token", ["status", "--json", "--show-token"])
        self.checked("status --show-token", ["status", "--show-token"])
        self.expire(CLOUD_HOST)
        self.checked("token with a refresh", ["token"])
        self.checked("refresh", ["refresh"])
        self.checked("logout", ["logout"])

    def test_cloud_paste(self):
        p = self.start(self.cloud_login_args("--no-browser"), env_extra=None)
        url = p.wait_line(self.is_authorize_url, what="the authorize URL")
        p.send(self.redirect_for(url))
        rc, _out, err = p.finish()
        self.assertEqual(rc, 0, err)
        with open(self.log, encoding="utf-8") as f:
            ours = [l for l in f.read().splitlines() if l.startswith("ours ")]
        self.assertEqual(ours, [], "a pasted login freed secrets unwiped:\n" + "\n".join(ours))

    def test_dc_and_tokens(self):
        self.fake.control(expires_in=SHORT_LIFETIME, api_tokens=[API_TOKEN])
        self.checked("DC login", self.dc_login_args(), env_extra=DC_ENV)
        self.fake.control(expires_in=None)
        self.expire(self.fake.dc_host)
        self.checked("DC token with a refresh", ["token"], env_extra=DC_ENV)
        self.checked("DC logout", ["logout"], env_extra=DC_ENV)
        self.checked("login --with-token", ["login", self.fake.dc_url, "--kind", "dc",
                                            "--allow-http", "--with-token"],
                     stdin=API_TOKEN + "\n", env_extra=DC_ENV)
        self.checked("token of a PAT", ["token"], env_extra=DC_ENV)
        self.checked("BKT_TOKEN", ["token"], env_extra=dict(DC_ENV, BKT_TOKEN=API_TOKEN))

    def test_insecure_storage(self):
        no_bus = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
        self.fake.control(expires_in=SHORT_LIFETIME)
        self.checked("login --insecure-storage", self.cloud_login_args("--insecure-storage"),
                     env_extra=no_bus)
        self.fake.control(expires_in=None)
        self.checked("token from the file", ["token"], env_extra=no_bus)
        time.sleep(SHORT_LIFETIME + 1)
        self.checked("refresh into the file", ["refresh"], env_extra=no_bus)
        self.checked("logout from the file", ["logout"], env_extra=no_bus)

    def tearDown(self):
        if self.library_frees:
            figure("%s: blocks holding a secret freed inside libraries: %s"
                   % (self.id().split(".")[-1], dict(self.library_frees)))
        super().tearDown()


if __name__ == "__main__":
    harness.main()
