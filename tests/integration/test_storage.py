#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where the secrets go: the Secret Service, the kernel keyring, or the opt-in 0600 file."""

import json
import os
import stat

import harness
from harness import CLIENT_SECRET, CLOUD_HOST, BktTestCase

NO_BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class NoSecretService(BktTestCase):

    def test_login_fails_and_names_insecure_storage(self):
        # Nowhere safe: no Secret Service, and a kernel that refuses keyrings.
        rc, out, err = self.run_bkt(self.cloud_login_args(), env_extra=NO_BUS,
                                    wrap=self.nokeyring())
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertIn("--insecure-storage", err)
        self.assert_one_error_line(err)
        self.assert_no_token_shapes(err, "login's stderr")
        self.assertFalse(os.path.exists(os.path.join(self.config_dir, "secrets.json")))
        self.assert_not_stored(CLOUD_HOST)

    def test_insecure_storage(self):
        rc, out, err = self.run_bkt(self.cloud_login_args("--insecure-storage", "--json"),
                                    env_extra=NO_BUS)
        self.assertEqual(rc, 0, err)
        self.assertNotEqual(json.loads(out)["storage"], "secret-service")
        self.assertNotIn("Secret Service", err)

        secrets_path = os.path.join(self.config_dir, "secrets.json")
        self.assertTrue(os.path.isfile(secrets_path), "no secrets.json")
        self.assertEqual(mode(self.config_dir), 0o700)
        self.assertEqual(mode(secrets_path), 0o600)
        self.assertEqual(mode(self.hosts_json_path()), 0o600)
        for path in self.config_files_text():
            self.assertEqual(mode(path) & 0o077, 0, "%s is readable by others" % path)

        rc, token, err = self.run_bkt(["token"], env_extra=NO_BUS)
        self.assertEqual(rc, 0, err)
        token = token.strip()
        self.assertTrue(token.startswith("at-"), "token printed no token")
        with open(secrets_path, encoding="utf-8") as f:
            self.assertIn(token, f.read())
        self.assert_no_secret(self.hosts_json_text(), [token, CLIENT_SECRET], "hosts.json")

        # Nothing went to the keyring that does exist in this session.
        self.assertIsNone(self.keyring_secret(CLOUD_HOST))

        rc, out, err = self.run_bkt(["status", "--json"], env_extra=NO_BUS)
        self.assertEqual(rc, 0, err)
        self.assertNotEqual(json.loads(out)["hosts"][0]["storage"], "secret-service")

        # The file survives a refresh with the same modes, and logout empties it.
        rc, out, err = self.run_bkt(["refresh"], env_extra=NO_BUS)
        self.assertEqual(rc, 0, err)
        self.assertEqual(mode(secrets_path), 0o600)
        self.assertNotEqual(self.token(env_extra=NO_BUS), token)
        rc, out, err = self.run_bkt(["logout"], env_extra=NO_BUS)
        self.assertEqual(rc, 0, err)
        self.assert_not_stored(CLOUD_HOST)


class LongRefreshToken(BktTestCase):
    """Cloud refresh tokens can be longer than 2,500 characters."""

    def check(self, env_extra, extra_args, read_refresh):
        self.fake.control(long_refresh=True)
        rc, out, err = self.run_bkt(self.cloud_login_args(*extra_args), env_extra=env_extra)
        self.assertEqual(rc, 0, err)
        first = read_refresh()
        self.assertEqual(len(first), 3000, "the refresh token was cut")
        # The fake accepts the refresh only if all 3000 characters came back.
        rc, out, err = self.run_bkt(["refresh"], env_extra=env_extra)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.fake.stats()["token_refresh_ok"], 1)
        second = read_refresh()
        self.assertEqual(len(second), 3000)
        self.assertNotEqual(first, second)
        rc, out, err = self.run_bkt(["refresh"], env_extra=env_extra)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.fake.stats()["token_refresh_ok"], 2)

    def test_in_secret_service(self):
        self.check(None, [], lambda: self.keyring_secret(CLOUD_HOST)["refresh_token"])

    def test_in_file(self):
        path = os.path.join(self.config_dir, "secrets.json")

        def read_refresh():
            with open(path, encoding="utf-8") as f:
                found = harness.TOKEN_RE.findall(f.read())
            longest = max(found, key=len)
            return longest

        self.check(NO_BUS, ["--insecure-storage"], read_refresh)


if __name__ == "__main__":
    harness.main()
