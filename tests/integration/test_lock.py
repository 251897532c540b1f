#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Another process holds the store's lock (as a refresh suspended with Ctrl-Z does).

Nothing waits forever and nothing waits deaf: the wizard keeps drawing and
counts the seconds it has waited, Ctrl-C ends every command at once with exit
2 and nothing changed, and past BKT_AUTH_LOCK_TIMEOUT each ends with one
sentence that names the lock and exit 1. How fast Ctrl-C acts is measured in
bench/ (lock-cancel), not asserted here.
"""

import os
import re
import signal
import sys
import time

import harness
from harness import CLOUD_HOST, BktTestCase
from tmux import WizardTestCase

# Generous: these only catch a command that does not stop at all.
PROMPT = 10.0


def figure(text):
    sys.stderr.write("figure: %s\n" % text)
    sys.stderr.flush()


def catches_sigint(pid):
    """Whether the process has a handler for SIGINT (its wait for the lock has begun)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)) != 0
    except OSError:
        pass
    return False


class LineMode(BktTestCase):

    def hold(self):
        holder = harness.LockHolder(self.config_dir)
        self.addCleanup(holder.release)
        return holder

    def stale_login(self):
        self.fake.control(expires_in=3)
        self.login_cloud()
        secret = self.keyring_secret(CLOUD_HOST)
        harness.wait_until(lambda: time.time() >= secret["expires_at"] - 1, timeout=10,
                           what="the token to need a refresh")
        return secret

    def interrupted(self, p, before, what):
        """SIGINT to a command that waits for the lock: exit 2, nothing changed."""
        p.signal(signal.SIGINT)
        started = time.monotonic()
        rc, out, err = p.finish(timeout=PROMPT)
        figure("%s: Ctrl-C acted in %.3f s while the lock was held"
               % (what, time.monotonic() - started))
        self.assertEqual(rc, 2, "%s: %s" % (what, err))
        self.assertEqual(out, "")
        self.assert_one_error_line(err)
        self.assertEqual(self.keyring_secret(CLOUD_HOST), before, what)

    def test_token_and_refresh_stop_on_ctrl_c(self):
        before = self.stale_login()
        self.hold()
        refreshes = self.fake.stats()["token_refresh"]
        for args in (["token"], ["refresh"]):
            p = self.start(args)
            # It read the stale token and now waits for the lock, listening for Ctrl-C.
            harness.wait_until(lambda: catches_sigint(p.pid), what="the wait for the lock")
            self.assertTrue(p.running())
            self.interrupted(p, before, " ".join(args))
        self.assertEqual(self.fake.stats()["token_refresh"], refreshes)

    def test_line_mode_login_stops_on_ctrl_c(self):
        self.hold()
        p = self.start(self.cloud_login_args())
        p.wait_line(lambda l: l.startswith("Storing the token"), what="the storing step")
        self.assertTrue(p.running())
        self.interrupted(p, None, "login")
        self.assertEqual(self.hosts_entries(), {})

    def test_deadline(self):
        before = self.stale_login()
        self.hold()
        env = {"BKT_AUTH_LOCK_TIMEOUT": "2"}
        lock = os.path.join(self.config_dir, "lock")
        cases = [
            (["token"], None),
            (["refresh"], None),
            (["logout"], None),
            (["git-credential", "get"],
             "protocol=http\nhost=%s\n\n" % self.fake.url.split("://", 1)[1]),
            (self.cloud_login_args(), None),
        ]
        for args, stdin in cases:
            started = time.monotonic()
            rc, out, err = self.run_bkt(args, stdin=stdin, env_extra=env)
            figure("%s gave up after %.1f s" % (args[0], time.monotonic() - started))
            self.assertEqual(rc, 1, "%s: %s" % (args, err))
            self.assertEqual(out, "")
            line = self.assert_one_error_line(err)
            self.assertIn(lock, line)
            self.assertIn("BKT_AUTH_LOCK_TIMEOUT", line)
            self.assertEqual(self.keyring_secret(CLOUD_HOST), before, args)


class Wizard(WizardTestCase):

    def test_wizard_counts_and_stops(self):
        holder = harness.LockHolder(self.config_dir)
        self.addCleanup(holder.release)
        t = self.tmux_start(["login", "-i"])
        t.wait_for("› Bitbucket Cloud")
        t.keys("Enter")
        t.wait_for("Press Enter to open the browser.")
        t.keys("Enter")
        # The browser comes back; the store waits for the lock, and the screen says for how long.
        first = t.wait_for(re.compile(r"waited\s+(\d+)\s+seconds?"), join=True)
        n = int(re.search(r"waited\s+(\d+)\s+seconds?", first).group(1))
        later = t.wait_for(re.compile(r"waited\s+%d\s+seconds" % (n + 2)), timeout=15,
                           join=True)
        self.assertIn("Storing the token in the keyring", later)
        t.keys("C-c")
        self.assert_exit(t, 2)
        self.assertIn("cancelled", t.stderr_text())
        self.assertIsNone(self.keyring_secret(CLOUD_HOST))
        self.assertNotIn(CLOUD_HOST, self.hosts_entries())

    def test_wizard_cancel_puts_back_before_it_goes(self):
        # q while the new login is being confirmed: it replaced alice's earlier one, so that
        # one is put back, under the lock, before the wizard goes. The lock is held then, and
        # the wizard stays and says so until it is free; the earlier login is there at the end.
        self.login_cloud()
        before = self.keyring_secret(CLOUD_HOST)
        hosts_before = self.hosts_entries()
        self.fake.control(slow=2)
        t = self.tmux_start(["login", "-i", CLOUD_HOST],
                            env_extra={"BKT_AUTH_LOCK_TIMEOUT": "30"})
        t.wait_for("Press Enter to open the browser.")
        t.keys("Enter")
        t.wait_for("Already logged in to bitbucket.org as alice", timeout=20)
        t.keys("y")
        t.wait_for("› Checking the stored token works", timeout=20)
        holder = harness.LockHolder(self.config_dir)
        self.addCleanup(holder.release)
        t.keys("q")
        t.wait_for("Cancelling: the store is being put back as it was", join=True)
        self.assertNotEqual(self.keyring_secret(CLOUD_HOST)["access_token"],
                            before["access_token"], "the new login was not stored yet")
        holder.release()
        self.assert_exit(t, 2)
        self.assertIn("login cancelled", t.stderr_text())
        self.assertEqual(self.keyring_secret(CLOUD_HOST), before)
        self.assertEqual(self.hosts_entries(), hosts_before)


if __name__ == "__main__":
    harness.main()
