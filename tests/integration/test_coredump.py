#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""No secrets in core dumps.

A process that holds tokens makes itself non-dumpable and lowers its core
limit, so a crash in the middle of a refresh (here SIGABRT while the token
request is out) leaves no core file with a token or the client secret in it.
The test raises the core limit for the child first, so a core would be
written if bkt-auth did not refuse it. Sanitizer builds turn core dumps off
by themselves, so the test runs in the plain build only.
"""

import os
import resource
import signal
import subprocess
import unittest

import harness
from harness import CLIENT_SECRET, CLOUD_HOST, BktTestCase


def sanitized(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def raise_core_limit():
    resource.setrlimit(resource.RLIMIT_CORE,
                       (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


class CoreDump(BktTestCase):

    def setUp(self):
        super().setUp()
        try:
            with open("/proc/sys/kernel/core_pattern") as f:
                pattern = f.read().strip()
        except OSError as e:
            self.skipTest("cannot read /proc/sys/kernel/core_pattern: %s" % e)
        if pattern.startswith("|"):
            self.skipTest("core dumps go to a program (%s), not to a file the test can read"
                          % pattern)
        if "/" in pattern:
            self.skipTest("core dumps go to %s, outside the test's folder" % pattern)
        if sanitized(self.bin):
            self.skipTest("the sanitizer build writes no core dumps")

    def test_no_core_with_a_token(self):
        self.login_cloud()
        secret = self.keyring_secret(CLOUD_HOST)
        self.fake.expire()
        self.fake.control(hang=["token"])
        workdir = os.path.join(self.tmp, "cwd")
        os.mkdir(workdir)
        proc = subprocess.Popen([self.bin, "refresh"], env=self.env(), cwd=workdir,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, preexec_fn=raise_core_limit)
        try:
            # The refresh request is out: the process holds the refresh token and the
            # client secret now.
            harness.wait_until(lambda: self.fake.stats()["token_refresh"] >= 1,
                               what="the refresh request to reach the server")
            proc.send_signal(signal.SIGABRT)
            proc.wait(timeout=harness.COMMAND_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()
        self.assertEqual(proc.returncode, -signal.SIGABRT)
        secrets = [secret["access_token"], secret["refresh_token"], CLIENT_SECRET]
        for name in os.listdir(workdir):
            with open(os.path.join(workdir, name), "rb") as f:
                data = f.read()
            for s in secrets:
                # Not assertNotIn: its message would print the core, secret and all.
                self.assertFalse(s.encode() in data,
                                 "the core file %s holds a secret (%s...)" % (name, s[:6]))
        self.assertEqual(os.listdir(workdir), [], "bkt-auth left a core file")


if __name__ == "__main__":
    harness.main()
