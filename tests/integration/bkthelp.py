#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helpers for the tests of bkt-auth with bkt, the Go Bitbucket CLI.

tests/fake_bkt.py stands in for bkt on PATH (as `bkt`), reading bkt's config.yml and keyring
the way bkt 0.31 does; tests/bkt_reader.c (BKT_READER) shows the tests those files and items
as bkt finds them, and makes, locks and unlocks bkt's keyring collection through GNOME
Keyring's prompt-free calls. Cloud's API is reached as localhost and the Data Center as
127.0.0.1, so that bkt, which keys a host by its address alone, keeps them apart.
"""

import base64
import json
import os
import stat
import subprocess
import sys

import harness

PASSWORD = "bkt-keyring-test"
FAKE_BKT = os.path.join(harness.TESTS_DIR, "fake_bkt.py")


def reader(*args):
    """Run bkt-reader: (returncode, stdout, stderr)."""
    path = os.environ.get("BKT_READER")
    if not path:
        raise RuntimeError("BKT_READER names tests/bkt_reader.c's program")
    cp = subprocess.run([path] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, timeout=harness.COMMAND_TIMEOUT)
    return (cp.returncode, cp.stdout.decode("utf-8", "replace"),
            cp.stderr.decode("utf-8", "replace"))


class BktCase(harness.BktTestCase):
    """A fresh bkt configuration folder per test, the stand-in bkt on PATH, no 'bkt'
    collection unless a test makes one."""

    def setUp(self):
        super().setUp()
        self.bkt_dir = os.path.join(self.tmp, "bkt")
        self.bin_dir = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin_dir)
        self.bkt_log = os.path.join(self.tmp, "bkt-runs.log")
        self.stand_in("bkt", "#!/bin/sh\nexec '%s' '%s' \"$@\"\n" % (sys.executable, FAKE_BKT))
        self.delete_collection()
        self.addCleanup(self.delete_collection)

    def env(self, extra=None):
        merged = {"BKT_CONFIG_DIR": self.bkt_dir, "BKT_READER": os.environ["BKT_READER"],
                  "FAKE_BKT_LOG": self.bkt_log,
                  "BKT_CLOUD_API_URL": "http://localhost:%d" % self.fake.port}
        merged.update(extra or {})
        env = super().env(merged)
        env["PATH"] = self.bin_dir + os.pathsep + env.get("PATH", "")
        return env

    def stand_in(self, name, script):
        path = os.path.join(self.bin_dir, name)
        with open(path, "w") as f:
            f.write(script)
        os.chmod(path, stat.S_IRWXU)

    # -- bkt's names of the fake's two hosts --

    @property
    def cloud_key(self):
        return "localhost:%d" % self.fake.port

    @property
    def dc_key(self):
        return "127.0.0.1:%d" % self.fake.port

    # -- running things --

    def ok(self, args, env_extra=None, stdin=None):
        rc, out, err = self.run_bkt(args, env_extra=env_extra, stdin=stdin)
        self.assertEqual(rc, 0, "bkt-auth %s failed:\n%s" % (" ".join(args), err))
        self.assert_no_token_shapes(out + err, "bkt-auth %s" % args[0])
        return out, err

    def bkt(self, args, env_extra=None):
        """Run the stand-in bkt: (returncode, stdout, stderr)."""
        return harness.run([os.path.join(self.bin_dir, "bkt")] + list(args),
                           self.env(env_extra))

    def bkt_runs(self):
        try:
            with open(self.bkt_log, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def login_both(self):
        """alice on Cloud and on the Data Center."""
        self.login_cloud()
        self.login_dc()

    # -- bkt's files as bkt reads them --

    def config_path(self):
        return os.path.join(self.bkt_dir, "config.yml")

    def config(self):
        """bkt's config.yml as data (scalars as strings), or None when there is none."""
        if not os.path.exists(self.config_path()):
            return None
        rc, out, err = reader("yaml", self.config_path())
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def write_config(self, text):
        os.makedirs(self.bkt_dir, mode=0o700, exist_ok=True)
        with open(self.config_path(), "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(self.config_path(), 0o600)

    def record(self):
        path = os.path.join(self.config_dir, "bkt.json")
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    # -- bkt's keyring --

    def items(self, key):
        """What bkt's keyring holds for its host key: {"collection", "locked", "items"}."""
        rc, out, err = reader("item", key)
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def item_token(self, key):
        """The token bkt would read for its host key, following its layout exactly."""
        found = self.items(key)
        self.assertEqual(len(found["items"]), 1, "want exactly one item for %s" % key)
        blob = json.loads(found["items"][0]["secret"])
        return base64.b64decode(blob["Data"]).decode("utf-8")

    def make_collection(self):
        rc, out, err = reader("make-collection", PASSWORD)
        self.assertEqual(rc, 0, err)

    def lock_collection(self):
        rc, out, err = reader("lock")
        self.assertEqual(rc, 0, err)

    def unlock_collection(self):
        rc, out, err = reader("unlock", PASSWORD)
        self.assertEqual(rc, 0, err)

    def delete_collection(self):
        reader("delete")
