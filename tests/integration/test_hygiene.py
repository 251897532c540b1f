#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Secrets stay out of argv, hosts.json, stderr and (mostly) stdout."""

import json
import os

import harness
from harness import CLIENT_SECRET, CLOUD_HOST, DC_ENV, BktTestCase


def read_cmdline(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return f.read().replace(b"\0", b" ").decode("utf-8", errors="replace")


class Hygiene(BktTestCase):

    def test_no_secret_on_the_command_line(self):
        out_file = os.path.join(self.tmp, "redirect.txt")
        env = dict(DC_ENV, FAKE_BROWSER_MODE="print", FAKE_BROWSER_OUT=out_file)
        p = self.start(self.dc_login_args(), env_extra=env)
        # The browser has been and gone: bkt-auth now waits for the redirect.
        harness.wait_until(lambda: os.path.exists(out_file),
                           what="the browser to reach the redirect")
        self.assertTrue(p.running(), p.stderr_so_far())
        cmdline = read_cmdline(p.pid)
        self.assertIn(self.secret_file, cmdline, "not the bkt-auth we started")
        self.assert_no_secret(cmdline, [CLIENT_SECRET], "bkt-auth's command line")
        for url in self.browser_urls():
            self.assert_no_secret(url, [CLIENT_SECRET], "the browser's command line")
        with open(out_file, encoding="utf-8") as f:
            redirect = f.read().strip()
        p.send(redirect)
        rc, out, err = p.finish()
        self.assertEqual(rc, 0, err)
        secret = self.keyring_secret(self.fake.dc_host)
        self.assert_no_secret(out + err, [secret["access_token"], secret["refresh_token"],
                                          CLIENT_SECRET], "login's output")

    def check_secret_free(self, text, secrets, where):
        self.assert_no_secret(text, secrets, where)
        self.assert_no_token_shapes(text, where)

    def check_files(self, secrets):
        for path, text in self.config_files_text().items():
            if os.path.basename(path) == "secrets.json":
                continue
            self.check_secret_free(text, secrets, path)

    def exercise(self, login_args, key, env_extra):
        """Log in and run every command, with GLib debug output on; check
        that no secret shows where it must not."""
        env_extra = dict(env_extra or {}, G_MESSAGES_DEBUG="all")
        seen = [CLIENT_SECRET]

        rc, out, err = self.run_bkt(login_args, env_extra=env_extra)
        self.assertEqual(rc, 0, err)
        secret = self.keyring_secret(key)
        seen += [secret["access_token"], secret["refresh_token"]]
        self.check_secret_free(out + err, seen, "login's output")
        self.check_files(seen)

        for args in (["status"], ["status", key], ["status", "--json"], []):
            rc, out, err = self.run_bkt(args, env_extra=env_extra)
            self.assertEqual(rc, 0, err)
            self.check_secret_free(out + err, seen, "the output of %s" % args)

        rc, out, err = self.run_bkt(["token", key], env_extra=env_extra)
        self.assertEqual(rc, 0, err)
        # (Whether debug output keeps off stdout is test_debug_output_off_stdout.)
        lines = out.splitlines()
        self.assertEqual(lines[-1:], [secret["access_token"]])
        self.check_secret_free("\n".join(lines[:-1]) + err, seen, "token's debug output")

        rc, out, err = self.run_bkt(["refresh", key], env_extra=env_extra)
        self.assertEqual(rc, 0, err)
        new = self.keyring_secret(key)
        seen += [new["access_token"], new["refresh_token"]]
        self.check_secret_free(out + err, seen, "refresh's output")
        self.check_files(seen)

        rc, out, err = self.run_bkt(["status", "--show-token"], env_extra=env_extra)
        self.assertEqual(rc, 0, err)
        self.assertIn(new["access_token"], out + err)
        others = [s for s in seen if s != new["access_token"]]
        self.assert_no_secret(out + err, others, "status --show-token")

        rc, out, err = self.run_bkt(["logout", key], env_extra=env_extra)
        self.assertEqual(rc, 0, err)
        self.check_secret_free(out + err, seen, "logout's output")
        self.check_files(seen)
        self.assert_not_stored(key)

    def test_cloud_commands(self):
        self.exercise(self.cloud_login_args("--json"), CLOUD_HOST, None)

    def test_dc_commands(self):
        self.exercise(self.dc_login_args("--json"), self.fake.dc_host, DC_ENV)

    def test_debug_output_off_stdout(self):
        # stdout carries only what a program reads, even while debugging.
        self.login_cloud()
        token = self.keyring_secret(CLOUD_HOST)["access_token"]
        debug = {"G_MESSAGES_DEBUG": "all"}
        rc, out, err = self.run_bkt(["token"], env_extra=debug)
        self.assertEqual(rc, 0, err)
        extra = [l for l in out.splitlines() if l != token]
        self.assertTrue(out == token + "\n", "token's stdout holds %d line(s) besides "
                        "the token, the first: %r" % (len(extra), extra[:1]))
        rc, out, err = self.run_bkt(["status", "--json"], env_extra=debug)
        self.assertEqual(rc, 0, err)
        try:
            json.loads(out)
        except ValueError:
            self.fail("status --json's stdout is not JSON alone with debug output on")

    def test_cloud_insecure_storage(self):
        # hosts.json and stderr stay clean with the file store too.
        no_bus = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
        rc, out, err = self.run_bkt(self.cloud_login_args("--insecure-storage"),
                                    env_extra=no_bus)
        self.assertEqual(rc, 0, err)
        rc, token, err2 = self.run_bkt(["token"], env_extra=no_bus)
        self.assertEqual(rc, 0, err2)
        seen = [token.strip(), CLIENT_SECRET]
        self.check_secret_free(out + err + err2, seen, "the output")
        self.check_files(seen)


if __name__ == "__main__":
    harness.main()
