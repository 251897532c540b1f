#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Secrets hygiene across every command, with GLib's debug output on.

No token, refresh token or client secret appears in any output (except the
token a command exists to print), in the fake server's log, in any file the
test can find outside the secret store, in the command line of bkt-auth while
it works, or in the command line or environment of the browser it starts.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import harness
from harness import CLIENT_SECRET, CLOUD_HOST, DC_ENV, TOKEN_RE, BktTestCase

API_TOKEN = "pat-hygiene-0123456789abcdefghij"
DEBUG = {"G_MESSAGES_DEBUG": "all"}

# A BROWSER that notes its own command line and environment, then does what the fake does.
RECORDING_BROWSER = r'''#!/bin/sh
{ printf 'argv:'; printf ' %s' "$0" "$@"; printf '\n'; env; } >>"$BROWSER_RECORD"
exec "$PYTHON" "$FAKE_BROWSER" "$@"
'''


def commands_of(binary):
    """The command names bkt-auth's --help lists."""
    out = subprocess.run([binary, "--help"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=30).stdout.decode()
    block = out.split("Commands:", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.strip()]


class SecretsEverywhere(BktTestCase):

    def setUp(self):
        super().setUp()
        self.record = os.path.join(self.tmp, "browser-record.txt")
        self.browser = os.path.join(self.tmp, "recording-browser")
        with open(self.browser, "w") as f:
            f.write(RECORDING_BROWSER)
        os.chmod(self.browser, 0o755)
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home)
        self.seen = {CLIENT_SECRET, API_TOKEN}

    def env(self, extra=None):
        env = super().env(extra)
        env.update(DEBUG)
        env.update({"BROWSER": self.browser, "BROWSER_RECORD": self.record,
                    "PYTHON": sys.executable, "FAKE_BROWSER": harness.FAKE_BROWSER,
                    "HOME": self.home, "GIT_CONFIG_GLOBAL": os.path.join(self.home, ".gitconfig"),
                    "GIT_CONFIG_NOSYSTEM": "1"})
        return env

    def learn(self):
        """Remember every secret stored now, to look for it later."""
        for key in (CLOUD_HOST, self.fake.dc_host):
            secret = self.keyring_secret(key)
            for name in ("access_token", "refresh_token", "client_secret"):
                if secret and secret.get(name):
                    self.seen.add(secret[name])

    def clean(self, text, where, allowed=()):
        for s in self.seen:
            if s not in allowed and s in text:
                self.fail("a secret (%s...) appears in %s" % (s[:6], where))
        for m in TOKEN_RE.finditer(text):
            if m.group(0) not in allowed:
                self.fail("a token (%s...) appears in %s" % (m.group(0)[:6], where))

    def bkt(self, args, stdin=None, env_extra=None, allowed=(), codes=(0,)):
        rc, out, err = self.run_bkt(args, stdin=stdin, env_extra=env_extra)
        self.assertIn(rc, codes, "%s exited %d:\n%s" % (args, rc, err))
        self.learn()
        self.clean(out, "the stdout of %s" % args, allowed)
        self.clean(err, "the stderr of %s" % args, allowed)
        return out

    def scan_files(self):
        """Everything on disk the test can reach, but the secret store itself and the
        secret file the user gave bkt-auth."""
        tops = [self.tmp, self.fake.dir]
        for var in ("XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
            if os.environ.get(var):
                tops.append(os.environ[var])
        scanned = 0
        for top in tops:
            for root, _dirs, names in os.walk(top):
                for name in names:
                    path = os.path.join(root, name)
                    if path == self.secret_file or name == "secrets.json":
                        continue
                    if not os.path.isfile(path) or os.path.islink(path):
                        continue
                    with open(path, "rb") as f:
                        text = f.read().decode("utf-8", errors="replace")
                    self.clean(text, path)
                    scanned += 1
        return scanned

    def cmdline_while(self, args, env_extra=None):
        """Start a command, read its command line while it works, finish it."""
        p = self.start(args, env_extra=dict(DEBUG, **(env_extra or {})))
        seen = ""
        deadline = time.monotonic() + 10
        while p.running() and time.monotonic() < deadline:
            try:
                with open("/proc/%d/cmdline" % p.pid, "rb") as f:
                    seen += f.read().replace(b"\0", b" ").decode("utf-8", "replace") + "\n"
            except OSError:
                break
            time.sleep(0.05)
        rc, out, err = p.finish()
        self.assertTrue(seen, "the command ended before its command line could be read")
        self.clean(seen, "the command line of %s" % args)
        return rc, out, err

    def test_every_command(self):
        commands = commands_of(self.bin)
        for name in commands:
            out = self.bkt([name, "--help"])
            self.assertIn(name, out)

        # Logins of every kind, the browser recording what it was given.
        self.bkt(self.cloud_login_args("--json"))
        self.bkt(self.dc_login_args("--json"), env_extra=DC_ENV)
        self.fake.control(api_tokens=[API_TOKEN])
        self.bkt(["logout", self.fake.dc_host], env_extra=DC_ENV)
        self.bkt(["login", self.fake.dc_url, "--kind", "dc", "--allow-http", "--with-token"],
                 stdin=API_TOKEN + "\n", env_extra=DC_ENV)
        self.bkt(self.dc_login_args("--client-secret-file", "-"), stdin=CLIENT_SECRET + "\n",
                 env_extra=DC_ENV)
        with open(self.record, encoding="utf-8") as f:
            record = f.read()
        self.assertIn("argv:", record)
        self.clean(record, "the browser's command line and environment")
        self.assertNotIn("BKT_OAUTH_CLIENT_SECRET", record)
        self.assertNotIn("BKT_TOKEN", record)

        # Everything else, with each host.
        cloud_token = self.keyring_secret(CLOUD_HOST)["access_token"]
        for key, env in ((CLOUD_HOST, None), (self.fake.dc_host, DC_ENV)):
            token = self.keyring_secret(key)["access_token"]
            self.assertEqual(self.bkt(["token", key], env_extra=env, allowed=[token]).strip(),
                             token)
            self.bkt(["status", key], env_extra=env)
            json.loads(self.bkt(["status", key, "--json"], env_extra=env))
            self.bkt(["status", key, "--show-token"], env_extra=env, allowed=[token])
            self.bkt(["refresh", key], env_extra=env)
        self.bkt([])
        self.bkt(["status"])
        if "doctor" in commands:
            self.bkt(["doctor"], codes=(0, 1))
            self.bkt(["doctor", "--json"], codes=(0, 1))
        if "setup-git" in commands and shutil.which("git"):
            self.bkt(["setup-git"])
            with open(os.path.join(self.home, ".gitconfig"), encoding="utf-8") as f:
                self.clean(f.read(), "the git configuration")
        if "git-credential" in commands:
            now = self.keyring_secret(CLOUD_HOST)["access_token"]
            out = self.bkt(["git-credential", "get"],
                           stdin="protocol=https\nhost=bitbucket.org\n\n", allowed=[now])
            self.clean(out.replace(now, ""), "git-credential's answer beside the token")
            self.bkt(["git-credential", "store"],
                     stdin="protocol=https\nhost=bitbucket.org\nusername=x\npassword=y\n\n")
        # A refresh while its command line is watched (the server is slow on purpose).
        self.fake.control(slow=1.0)
        rc, _out, err = self.cmdline_while(["refresh", CLOUD_HOST], env_extra=None)
        self.fake.control(slow=None)
        self.assertEqual(rc, 0, err)
        self.learn()
        for key, env in ((CLOUD_HOST, None), (self.fake.dc_host, DC_ENV)):
            self.bkt(["logout", key], env_extra=env)
        self.assertNotEqual(cloud_token, "")

        # Only the user can read what is kept.
        self.assertEqual(os.stat(self.config_dir).st_mode & 0o777, 0o700)
        for path in self.config_files_text():
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600, path)

        # Nothing on disk, in any log, outside the secret store.
        self.assertEqual(self.fake.log().count("Authorization"), 0)
        self.clean(self.fake.log(), "the fake server's log")
        scanned = self.scan_files()
        sys.stderr.write("figure: %d secrets looked for in the output of %d commands and in "
                         "%d files\n" % (len(self.seen), len(commands), scanned))


if __name__ == "__main__":
    harness.main()
