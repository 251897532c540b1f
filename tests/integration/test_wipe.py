#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Secret buffers are wiped before they are freed.

Every command runs with tests/freecheck.c preloaded: it looks into each block
the process frees (or that realloc moves) and notes the ones that still hold
a token, the client secret or the authorization code, with the frames that
freed them. A block freed by bkt-auth's own code must have been wiped; one
freed inside a library (libcurl's buffers, a D-Bus message) is beyond its
reach and only counted. A command whose preload log is missing, or says the
preload did not read every secret, fails: nothing was checked.

The fake Bitbucket issues CODE as the authorization code of each login, so
the code is looked for too. The wizard runs under the preload as well, in
tmux, for a whole login.
"""

import base64
import collections
import os
import re
import sys
import time
import unittest

import harness
from harness import CLIENT_ID, CLIENT_SECRET, CLOUD_HOST, DC_ENV, BktTestCase, FakeBitbucket
from tmux import WizardTestCase

API_TOKEN = "pat-wipe-0123456789abcdefghijklmn"
# The authorization code of every login here (fake_bitbucket.py's next_code).
CODE = "code-wipe-7Hq2Lm9Xv4Rt8Kp3Wz6Nb5Yc"
SHORT_LIFETIME = 3
# Data Center-shaped client credentials, typed into the wizard's masked field.
DC_CLIENT_ID = "0123456789abcdef0123456789abcdef"
DC_CLIENT_SECRET = ("wipe-dc-secret-" + "5e4d3c2b1a09" * 6)[:64]


def figure(text):
    sys.stderr.write("figure: %s\n" % text)
    sys.stderr.flush()


def basic(client_id, client_secret):
    return base64.b64encode(("%s:%s" % (client_id, client_secret)).encode()).decode()


class FreeCheck:
    """Runs every bkt-auth of the test case with tests/freecheck.c preloaded."""

    # What the preload looks for besides token shapes, one string each (8 characters or more).
    SECRETS = (CLIENT_SECRET, basic(CLIENT_ID, CLIENT_SECRET), API_TOKEN, CODE)

    @classmethod
    def setUpClass(cls):
        cls.lib = os.environ.get("BKT_FREECHECK_LIB", "")
        if not cls.lib:
            raise unittest.SkipTest("BKT_FREECHECK_LIB does not name the preload library")
        if not os.path.exists(cls.lib):
            raise RuntimeError("BKT_FREECHECK_LIB names %s, which does not exist" % cls.lib)
        super().setUpClass()

    def setUp(self):
        super().setUp()
        self.log = os.path.join(self.tmp, "freecheck.log")
        self.secrets = os.path.join(self.tmp, "secrets.txt")
        with open(self.secrets, "w") as f:
            f.write("\n".join(self.SECRETS) + "\n")
        self.library_frees = collections.Counter()

    def env(self, extra=None):
        env = super().env(extra)
        env.update({"LD_PRELOAD": self.lib, "BKT_FREECHECK_LOG": self.log,
                    "BKT_FREECHECK_SECRETS": self.secrets, "G_MESSAGES_DEBUG": "all"})
        return env

    def fresh_log(self):
        if os.path.exists(self.log):
            os.unlink(self.log)

    def assert_wiped(self, what):
        """The preload watched the command, and no block of ours was freed holding a secret."""
        try:
            with open(self.log, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            self.fail("%s: the preload wrote no log, so it did not load and nothing was "
                      "checked" % what)
        loaded = [l for l in lines if l.startswith("loaded ")]
        self.assertTrue(loaded, "%s: the preload's log does not say it loaded" % what)
        for l in loaded:
            self.assertEqual(int(l.split()[2]), len(self.SECRETS),
                             "%s: the preload did not read every secret: %s" % (what, l))
        reports = [l for l in lines if not l.startswith("loaded ")]
        ours = [l for l in reports if l.startswith("ours ")]
        for l in reports:
            if not l.startswith("ours "):
                self.library_frees[l.split()[0]] += 1
        self.assertEqual(ours, [], "%s freed %d block(s) holding a secret without wiping "
                         "them first:\n%s\n(resolve the offsets with addr2line -f -e %s)"
                         % (what, len(ours), "\n".join(ours[:5]), self.bin))

    def tearDown(self):
        if self.library_frees:
            figure("%s: blocks holding a secret freed inside libraries: %s"
                   % (self.id().split(".")[-1], dict(self.library_frees)))
        super().tearDown()


class Wipe(FreeCheck, BktTestCase):

    def checked(self, what, args, stdin=None, env_extra=None, code=0):
        """Run a command; no block of ours may be freed holding a secret."""
        self.fresh_log()
        rc, out, err = self.run_bkt(args, stdin=stdin, env_extra=env_extra)
        self.assertEqual(rc, code, "%s:\n%s" % (what, err))
        self.assert_wiped(what)
        return out

    def expire(self, key, env_extra=None):
        secret = self.keyring_secret(key)
        harness.wait_until(lambda: time.time() >= secret["expires_at"] + 0.05,
                           timeout=SHORT_LIFETIME + 5, what="the token to expire")

    def test_cloud(self):
        self.fake.control(expires_in=SHORT_LIFETIME, next_code=CODE)
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
        self.fake.control(next_code=CODE)
        self.fresh_log()
        p = self.start(self.cloud_login_args("--no-browser"), env_extra=None)
        url = p.wait_line(self.is_authorize_url, what="the authorize URL")
        redirect = self.redirect_for(url)
        self.assertEqual(harness.query_of(redirect).get("code"), CODE)
        p.send(redirect)
        rc, _out, err = p.finish()
        self.assertEqual(rc, 0, err)
        self.assert_wiped("a pasted login")

    def test_dc_and_tokens(self):
        self.fake.control(expires_in=SHORT_LIFETIME, api_tokens=[API_TOKEN], next_code=CODE)
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
        self.fake.control(expires_in=SHORT_LIFETIME, next_code=CODE)
        self.checked("login --insecure-storage", self.cloud_login_args("--insecure-storage"),
                     env_extra=no_bus)
        self.fake.control(expires_in=None)
        self.checked("token from the file", ["token"], env_extra=no_bus)
        time.sleep(SHORT_LIFETIME + 1)
        self.checked("refresh into the file", ["refresh"], env_extra=no_bus)
        self.checked("logout from the file", ["logout"], env_extra=no_bus)


class WipeWizard(FreeCheck, WizardTestCase):
    """A whole Cloud login in the full-screen wizard, under the preload."""

    def logged_in(self, t, host):
        t.wait_for("bkt-auth  ·  Logged in")
        t.keys("Enter")
        self.assert_exit(t, 0)
        self.assertIsNotNone(self.keyring_secret(host), "the wizard stored nothing")
        self.assertEqual(self.fake.stats()["token_code"], 1)

    def test_cloud_login(self):
        self.fake.control(next_code=CODE)
        self.fresh_log()
        t = self.tmux_start(["login", "-i"])
        t.wait_for("› Bitbucket Cloud")
        t.keys("Enter")
        t.wait_for("Press Enter to open the browser.")
        t.keys("Enter")
        self.logged_in(t, CLOUD_HOST)
        self.assert_wiped("the wizard's Cloud login")

    def test_cloud_login_pasted(self):
        # The browser does not come back: the address it ended on is pasted into the wizard.
        self.fake.control(next_code=CODE)
        self.fresh_log()
        t = self.tmux_start(["login", "-i"], env_extra={"FAKE_BROWSER_MODE": "none"})
        t.wait_for("› Bitbucket Cloud")
        t.keys("Enter")
        t.wait_for("Press Enter to open the browser.")
        t.keys("Enter")
        t.wait_for(re.compile(r"Time left: \d+:\d\d"))
        url = harness.wait_until(self.browser_urls, what="the browser to be started")[0]
        redirect = self.redirect_for(url)
        t.keys("p")
        t.wait_for("Paste the address from the browser's address bar", join=True)
        t.type(redirect)
        t.wait_for(redirect[-20:], join=True)
        t.keys("Enter")
        self.logged_in(t, CLOUD_HOST)
        self.assert_wiped("the wizard's Cloud login with a pasted address")


class WipeWizardDataCenter(FreeCheck, WizardTestCase):
    """A Data Center login in the wizard: the client secret is typed into its masked field."""

    # The secret, and its last 16 characters: what an edit leaves behind may be part of it.
    SECRETS = FreeCheck.SECRETS + (DC_CLIENT_SECRET, DC_CLIENT_SECRET[-16:],
                                   basic(DC_CLIENT_ID, DC_CLIENT_SECRET))

    @classmethod
    def make_fake(cls):
        return FakeBitbucket(client_id=DC_CLIENT_ID, client_secret=DC_CLIENT_SECRET)

    def test_dc_login(self):
        self.fake.control(next_code=CODE)
        self.fresh_log()
        t = self.tmux_start(["login", "-i", "--allow-http",
                             "--redirect-uri", self.fake.dc_redirect], env_extra=DC_ENV)
        t.wait_for("› Bitbucket Cloud")
        t.keys("Down")
        t.wait_for("› Bitbucket Data Center")
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  Your Bitbucket")
        t.type(self.fake.dc_url)
        t.wait_for("✓ Bitbucket Data Center at " + self.fake.dc_url)
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  Application link")
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  Client credentials")
        t.type(DC_CLIENT_ID)
        t.wait_for(DC_CLIENT_ID)
        t.keys("Tab")
        # Pasted twice by mistake (the field grows past its first allocation), cleared with
        # Ctrl-U, then typed once.
        t.type(DC_CLIENT_SECRET * 2)
        t.wait_for("•" * 20)
        t.keys("C-u")
        t.wait_for("•", gone=True)
        t.type(DC_CLIENT_SECRET)
        t.wait_for("•" * 20)
        t.keys("Enter")
        t.wait_for("Press Enter to open the browser.")
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  Logged in")
        t.keys("Enter")
        self.assert_exit(t, 0)
        self.assertIsNotNone(self.keyring_secret(self.fake.dc_host), "the wizard stored nothing")
        self.assert_wiped("the wizard's Data Center login")


if __name__ == "__main__":
    harness.main()
