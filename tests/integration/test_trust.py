#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What a hostile review broke, each shown to hold now.

A failed login keeps the login that was there; an OAuth token without a
lifetime still refreshes; hosts.json is read whole or not at all; nothing
from outside reaches the terminal untamed; token types other than bearer and
tokens with characters no token has are refused; BKT_TOKEN and the redirect
URI are checked at the edges.
"""

import json
import os
import time

import harness
from harness import CLOUD_HOST, DC_ENV, BktTestCase

NO_BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
ESC = "\x1b"
INVISIBLE = ("\u202e", "\u2066", "\u200b", "\ufeff")


class Trust(BktTestCase):

    def assert_tame(self, text, what):
        self.assertNotIn(ESC, text, what)
        for c in INVISIBLE:
            self.assertNotIn(c, text, what)

    def files(self):
        return {os.path.basename(p): t for p, t in self.config_files_text().items()}

    # -- item 3 --

    def test_failed_login_keeps_the_old_one(self):
        rc, _out, err = self.run_bkt(self.cloud_login_args("--insecure-storage"), env_extra=NO_BUS)
        self.assertEqual(rc, 0, err)
        # Another program, or a full disk, cut the secrets file short.
        path = os.path.join(self.config_dir, "secrets.json")
        with open(path) as f:
            whole = f.read()
        with open(path, "w") as f:
            f.write(whole[: len(whole) // 2])
        before = self.files()
        rc, _out, err = self.run_bkt(self.cloud_login_args("--insecure-storage"), env_extra=NO_BUS)
        self.assertEqual(rc, 1, err)
        self.assert_one_error_line(err)
        self.assertIn("secrets.json", err)
        self.assertEqual(self.files(), before, "the failed login changed the stored files")
        # Put the file back: the first login is whole and works.
        with open(path, "w") as f:
            f.write(whole)
        rc, out, err = self.run_bkt(["token"], env_extra=NO_BUS)
        self.assertEqual(rc, 0, err)

    # -- item 4 --

    def test_token_without_a_lifetime_still_refreshes(self):
        self.fake.control(expires_in=3)
        self.login_cloud()
        first = self.keyring_secret(CLOUD_HOST)
        lifetime = first["expires_at"] - first["issued_at"]
        self.assertEqual(lifetime, 3)
        # From now on the server says neither how long a token lives nor a new refresh token.
        self.fake.control(expires_in=None, omit=["expires_in", "refresh_token"])
        harness.wait_until(lambda: time.time() >= first["expires_at"] - 1, timeout=10,
                           what="the token to need a refresh")
        self.token()
        second = self.keyring_secret(CLOUD_HOST)
        self.assertNotEqual(second["access_token"], first["access_token"])
        # The lifetime the login last saw, not "never expires".
        self.assertEqual(second["expires_at"] - second["issued_at"], lifetime)
        self.assertEqual(second["refresh_token"], first["refresh_token"])
        status = json.loads(self.run_bkt(["status", "--json"])[1])
        self.assertIsNotNone(status["hosts"][0]["expires_at"])
        refreshes = self.fake.stats()["token_refresh"]
        harness.wait_until(lambda: time.time() >= second["expires_at"] - 1, timeout=10,
                           what="the new token to need a refresh")
        # It asks again (and learns that the server spent the old refresh token).
        rc, _out, err = self.run_bkt(["token"])
        self.assertEqual(self.fake.stats()["token_refresh"], refreshes + 1, err)
        self.assertEqual(rc, 4, err)
        self.assertIn("log in again", err)

    def test_a_token_given_by_hand_keeps_no_expiry(self):
        token = "pat-trust-0123456789abcdefghij"
        self.fake.control(api_tokens=[token])
        rc, _out, err = self.run_bkt(["login", self.fake.dc_url, "--kind", "dc", "--allow-http",
                                      "--with-token"], stdin=token + "\n",
                                     env_extra=harness.DC_ENV)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("expires_at", self.keyring_secret(self.fake.dc_host))
        self.assertEqual(self.token(env_extra=harness.DC_ENV), token)

    # -- item 5 --

    def test_hosts_file_read_whole_or_not_at_all(self):
        self.login_cloud()
        path = self.hosts_json_path()
        with open(path) as f:
            data = json.load(f)
        data["hosts"]["git.example.com"] = dict(data["hosts"][CLOUD_HOST], kind="server-2030")
        with open(path, "w") as f:
            json.dump(data, f)
        before = self.files()
        for args in (["status"], ["token"], ["logout"], ["refresh"]):
            rc, out, err = self.run_bkt(args)
            self.assertEqual(rc, 1, "%s: %s" % (args, err))
            self.assertEqual(out, "")
            line = self.assert_one_error_line(err)
            self.assertIn(path, line)
            self.assertIn("damaged", line)
        self.assertEqual(self.files(), before, "a damaged hosts.json was written")
        self.assertIsNotNone(self.keyring_secret(CLOUD_HOST))

    # -- item 6 --

    def test_outside_text_is_tamed(self):
        cases = [
            [ESC + "]52;c;cHdu" + "\a" + "status"],
            ["status", "a", ESC + "[2J\u202eb"],
            ["login", "--kind", "clo\u202eud" + ESC + "[31m"],
            ["login", "--ca-file", "/nonexistent/" + ESC + "[2J\u2066x", "--no-interactive"],
            ["login", "--client-secret-file", "/nonexistent/\u200b" + ESC + "[31m",
             "--no-interactive"],
        ]
        for args in cases:
            rc, _out, err = self.run_bkt(args)
            self.assertEqual(rc, 1, "%r: %s" % (args, err))
            self.assert_one_error_line(err)
            self.assert_tame(err, repr(args))

    def test_token_with_control_characters_is_refused(self):
        self.fake.control(token_suffix=ESC + "[2J")
        rc, out, err = self.run_bkt(self.cloud_login_args())
        self.assertEqual(rc, 1, err)
        self.assert_tame(err, "login")
        self.assertIn("characters no token has", err)
        self.assert_not_stored(CLOUD_HOST)

    # -- item 7 --

    def test_token_type_is_checked(self):
        self.fake.control(token_type="mac")
        rc, _out, err = self.run_bkt(self.cloud_login_args())
        self.assertEqual(rc, 1, err)
        self.assertIn("'mac'", self.assert_one_error_line(err))
        self.assert_not_stored(CLOUD_HOST)
        # Bearer in any case, or no type at all, is taken.
        self.fake.control(token_type="BEARER")
        self.login_cloud()
        self.run_bkt(["logout"])
        self.fake.control(token_type=None, omit=["token_type"])
        self.login_cloud()

    # -- item 9 --

    def test_bkt_token_is_trimmed_and_checked(self):
        self.assertEqual(self.token(env_extra={"BKT_TOKEN": "  tok-123\n"}), "tok-123")
        for value in ("   ", "a\nb", "a b"):
            rc, out, err = self.run_bkt(["token"], env_extra={"BKT_TOKEN": value})
            self.assertEqual(rc, 1, err)
            self.assertEqual(out, "")
            self.assertIn("BKT_TOKEN", self.assert_one_error_line(err))
            self.assertNotIn("stored token", err)

    def test_redirect_port_zero_is_refused(self):
        args = ["login", self.fake.dc_url, "--kind", "dc", "--allow-http", "--client-id",
                harness.CLIENT_ID, "--client-secret-file", self.secret_file, "--redirect-uri",
                "http://localhost:0/callback", "--no-interactive"]
        rc, _out, err = self.run_bkt(args, env_extra=harness.DC_ENV)
        self.assertEqual(rc, 1, err)
        self.assertIn("port", self.assert_one_error_line(err))
        self.assertEqual(self.browser_urls(), [])

    def test_logout_of_an_unknown_host(self):
        self.login_cloud()
        rc, _out, err = self.run_bkt(["logout", "git.example.com"])
        self.assertEqual(rc, 4, err)
        line = self.assert_one_error_line(err)
        self.assertIn("git.example.com", line)
        self.assertNotIn("bkt-auth login", line)
        self.assertIsNotNone(self.keyring_secret(CLOUD_HOST))

    # -- item 2 --

    def test_folder_others_may_change_is_refused(self):
        # The attack: with the folder open to all, another user points hosts.json at their
        # own server, and the next refresh would send the refresh token and the client secret
        # there. The folder is refused before anything in it is read.
        self.login_dc()
        attacker = harness.FakeBitbucket()
        self.addCleanup(attacker.stop)
        data = json.loads(self.hosts_json_text())
        data["hosts"][self.fake.dc_host]["base_url"] = attacker.dc_url
        with open(self.hosts_json_path(), "w") as f:
            json.dump(data, f)
        os.chmod(self.config_dir, 0o777)
        self.addCleanup(os.chmod, self.config_dir, 0o700)
        for args in (["refresh"], ["token"], ["git-credential", "get"]):
            with self.subTest(args=args):
                rc, out, err = self.run_bkt(args, env_extra=DC_ENV,
                                            stdin="protocol=http\nhost=127.0.0.1\n\n")
                self.assertEqual(rc, 1, err)
                self.assertEqual(out, "")
                line = self.assert_one_error_line(err)
                self.assertIn(self.config_dir, line)
                self.assertIn("chmod 700", line)
        self.assertEqual(attacker.stats()["token_refresh"], 0, "the token went to the attacker")
        self.assertEqual(self.fake.stats()["token_refresh"], 0)

    def test_folder_of_another_user_is_refused(self):
        if os.geteuid() != 0:
            self.skipTest("giving a folder to another user needs root")
        self.login_cloud()
        before = self.keyring_secret(CLOUD_HOST)
        os.chown(self.config_dir, 65534, 65534)  # nobody
        self.addCleanup(os.chown, self.config_dir, 0, 0)
        for args in (["token"], ["status"], ["logout", CLOUD_HOST], ["login", "--no-interactive"]):
            with self.subTest(args=args):
                rc, out, err = self.run_bkt(args)
                self.assertEqual(rc, 1, err)
                line = self.assert_one_error_line(err)
                self.assertIn("belongs to another user", line)
                self.assertIn("chown", line)
        self.assertEqual(self.keyring_secret(CLOUD_HOST), before)
        self.assertEqual(self.fake.stats()["authorize"], 1, "a login started in that folder")


if __name__ == "__main__":
    harness.main()
