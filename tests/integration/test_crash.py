#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Crash safety: bkt-auth killed at any point while it refreshes or stores.

After every kill, hosts.json parses, the keyring holds one whole pair of
tokens (the old or the new one, never a mix), and that pair works. SIGKILL
can still land in the moment after the server spent the old refresh token
and before the new one reached the keyring; nothing can save that case, so
it is counted, not failed. SIGTERM, SIGINT and SIGHUP wait for the new tokens
to be stored, so they never lose the session.
"""

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time

import harness
from harness import CLOUD_HOST, BktTestCase, Running

ROUNDS = 30
TIME_BUDGET = 60.0


def figure(text):
    sys.stderr.write("figure: %s\n" % text)
    sys.stderr.flush()


class CrashSafety(BktTestCase):

    def token_state(self, secret):
        return self.fake._request("POST", "/_control/token_state",
                                  {"access_token": secret.get("access_token") or "",
                                   "refresh_token": secret.get("refresh_token") or ""})

    def check_files(self, what):
        """hosts.json parses and names the host; leftovers of an interrupted write hold
        nothing secret."""
        text = self.hosts_json_text()
        self.assertIsNotNone(text, "%s: hosts.json is gone" % what)
        try:
            data = json.loads(text)
        except ValueError:
            self.fail("%s: hosts.json is broken: %r" % (what, text[:200]))
        self.assertIn(CLOUD_HOST, data.get("hosts", {}), what)
        for path, content in self.config_files_text().items():
            self.assert_no_token_shapes(content, path)
            if ".bkt-new-" in os.path.basename(path):
                self.leftovers.add(os.path.basename(path))

    def stored_pair(self, what):
        secret = self.keyring_secret(CLOUD_HOST)
        self.assertIsInstance(secret, dict, "%s: the keyring item is gone or broken" % what)
        self.assertTrue(secret.get("access_token") and secret.get("refresh_token"),
                        "%s: the keyring item is not a whole pair" % what)
        return secret

    def duration(self, args):
        """The median time of a command, to spread the kills over it."""
        times = []
        for _ in range(3):
            started = time.monotonic()
            rc, _out, err = self.run_bkt(args)
            times.append(time.monotonic() - started)
            self.assertEqual(rc, 0, err)
        return statistics.median(times)

    def kill_refreshes(self, signals):
        """Kill `bkt-auth refresh` at random moments; return the outcome counts."""
        self.leftovers = set()
        self.login_cloud()
        span = self.duration(["refresh"])
        rng = random.Random(int(os.environ.get("BKT_CRASH_SEED", time.time_ns())))
        counts = {"old": 0, "new": 0, "lost": 0, "finished": 0}
        deadline = time.monotonic() + TIME_BUDGET
        rounds = 0
        while rounds < ROUNDS and time.monotonic() < deadline:
            rounds += 1
            before = self.stored_pair("before round %d" % rounds)
            sig = signals[rounds % len(signals)]
            p = Running([self.bin, "refresh"], self.env())
            self.procs.append(p)
            time.sleep(rng.uniform(0, span * 1.2))
            if p.running():
                p.proc.send_signal(sig)
            rc, _out, err = p.finish()
            what = "round %d (%s)" % (rounds, signal.Signals(sig).name)
            self.check_files(what)
            after = self.stored_pair(what)
            state = self.token_state(after)
            if rc == 0:
                counts["finished"] += 1
            if state["refresh"] == "live":
                self.assertTrue(state["pair"], "%s: the stored tokens are not one pair" % what)
                counts["new" if after != before else "old"] += 1
                continue
            # The stored refresh token is no longer accepted.
            self.assertEqual(after, before, "%s: a pair was stored that the server never issued"
                             % what)
            self.assertEqual(state["refresh"], "rotated", what)
            self.assertEqual(sig, signal.SIGKILL,
                             "%s: the session was lost to a signal bkt-auth can wait out:\n%s"
                             % (what, err))
            counts["lost"] += 1
            rc, _out, err = self.run_bkt(["refresh"])
            self.assertEqual(rc, 4, "a lost session must say 'log in again':\n" + err)
            self.login_cloud()
        # Whatever happened, the stored login works at the end.
        rc, _out, err = self.run_bkt(["refresh"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.token_state(self.stored_pair("the end"))["refresh"], "live")
        counts["rounds"] = rounds
        counts["span_ms"] = round(span * 1000)
        counts["leftover temp files"] = len(self.leftovers)
        return counts

    def test_sigkill_during_refresh(self):
        counts = self.kill_refreshes([signal.SIGKILL])
        figure("SIGKILL during `refresh` (%(span_ms)d ms): %(rounds)d rounds, old pair kept "
               "%(old)d, new pair stored %(new)d, finished %(finished)d, lost between the "
               "server's answer and the keyring %(lost)d, temp files left %(leftover temp files)d"
               % counts)

    def test_termination_signals_during_refresh(self):
        counts = self.kill_refreshes([signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
        figure("SIGTERM/SIGINT/SIGHUP during `refresh` (%(span_ms)d ms): %(rounds)d rounds, "
               "old pair kept %(old)d, new pair stored %(new)d, finished %(finished)d, lost "
               "%(lost)d" % counts)
        self.assertEqual(counts["lost"], 0)

    def test_sigkill_while_storing_a_login(self):
        """A new login over a working one, killed just as it stores: the store holds the
        old login or the new one, and `token` works either way."""
        self.leftovers = set()
        self.login_cloud()
        rng = random.Random(int(os.environ.get("BKT_CRASH_SEED", time.time_ns())))
        deadline = time.monotonic() + TIME_BUDGET
        outcomes = {"old": 0, "new": 0, "finished": 0}
        rounds = 0
        while rounds < ROUNDS // 2 and time.monotonic() < deadline:
            rounds += 1
            before = self.stored_pair("before login %d" % rounds)
            p = self.start(self.cloud_login_args())
            p.wait_line(lambda l: l.startswith("Storing the token"), what="the store step")
            time.sleep(rng.uniform(0, 0.03))
            if p.running():
                p.proc.send_signal(signal.SIGKILL)
            rc, _out, _err = p.finish()
            what = "login %d" % rounds
            self.check_files(what)
            after = self.stored_pair(what)
            outcomes["finished" if rc == 0 else ("old" if after == before else "new")] += 1
            state = self.token_state(after)
            self.assertEqual((state["access"], state["refresh"], state["pair"]),
                             ("live", "live", True), what)
            self.assertEqual(self.token(), after["access_token"], what)
        figure("SIGKILL while a login stores: %d rounds, old login kept %d, new login "
               "stored %d, finished %d, temp files left %d"
               % (rounds, outcomes["old"], outcomes["new"], outcomes["finished"],
                  len(self.leftovers)))

    def test_leftovers_of_a_killed_write_are_removed(self):
        """What a write killed half-way leaves beside hosts.json (and, with
        --insecure-storage, beside secrets.json, where it holds tokens) goes with the
        next write; a write that may still be running elsewhere keeps its file."""
        self.login_cloud("--insecure-storage",
                         env_extra={"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"})
        old = time.time() - 3600
        stale = []
        for name in (".hosts.json.bkt-new-Ab1Cd2", ".secrets.json.bkt-new-Ef3Gh4"):
            path = os.path.join(self.config_dir, name)
            with open(path, "w") as f:
                f.write('{"access_token":"at-%s"}' % ("x" * 30))
            os.utime(path, (old, old))
            stale.append(path)
        young = os.path.join(self.config_dir, ".hosts.json.bkt-new-Ij5Kl6")
        # A copy the user put aside is theirs, however old.
        aside = os.path.join(self.config_dir, "hosts.json.backup")
        with open(aside, "w") as f:
            f.write("{}")
        os.utime(aside, (old, old))
        with open(young, "w") as f:
            f.write("{}")
        rc, _out, err = self.run_bkt(["refresh"], env_extra={
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"})
        self.assertEqual(rc, 0, err)
        for path in stale:
            self.assertFalse(os.path.exists(path), path)
        self.assertTrue(os.path.exists(young))
        self.assertTrue(os.path.exists(aside))


if __name__ == "__main__":
    harness.main()
