#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bkt-auth login to Bitbucket Cloud through the browser, end to end."""

import datetime
import json
import time

import harness
from harness import CLIENT_ID, CLIENT_SECRET, CLOUD_HOST, BktTestCase


def parse_iso(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


class CloudLogin(BktTestCase):

    def test_happy_path(self):
        rc, out, err = self.run_bkt(self.cloud_login_args())
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "", "stdout must stay empty without --json")
        self.assertIn("alice", err)
        self.assertIn("Alice Example", err)
        self.assertIn("Secret Service", err)
        self.assertIn(CLOUD_HOST, err)

        secret = self.keyring_secret(CLOUD_HOST)
        self.assertIsNotNone(secret, "nothing in the keyring after login")
        for key in ("access_token", "refresh_token", "client_secret", "expires_at"):
            self.assertIn(key, secret)
        self.assertEqual(secret["client_secret"], CLIENT_SECRET)
        self.assertTrue(secret["access_token"])
        self.assertTrue(secret["refresh_token"])
        # The fake issues tokens for 7200 s.
        self.assertAlmostEqual(secret["expires_at"], time.time() + 7200, delta=300)

        # What `token` prints is what the keyring holds (and works at the fake).
        self.assertEqual(self.token(), secret["access_token"])

        hosts_text = self.hosts_json_text()
        self.assertIsNotNone(hosts_text, "no hosts.json after login")
        self.assertIn(CLOUD_HOST, self.hosts_entries())
        self.assert_no_secret(hosts_text, [secret["access_token"],
                                           secret["refresh_token"], CLIENT_SECRET],
                              "hosts.json")
        self.assert_no_secret(err, [secret["access_token"], secret["refresh_token"],
                                    CLIENT_SECRET], "login's stderr")

        stats = self.fake.stats()
        self.assertEqual(stats["authorize"], 1, stats)
        self.assertEqual(stats["token_code"], 1, stats)
        self.assertEqual(stats["token_refresh"], 0, stats)
        # Once to learn who the token belongs to, once more with the token read back from
        # the keyring, so that "stored" means "works".
        self.assertEqual(stats["user"], 2, stats)

    def test_json_result(self):
        rc, out, err = self.run_bkt(self.cloud_login_args("--json"))
        self.assertEqual(rc, 0, err)
        result = json.loads(out)
        self.assertIsInstance(result, dict)
        for key in ("host", "kind", "username", "display_name", "auth", "storage",
                    "expires_at", "scopes"):
            self.assertIn(key, result)
        self.assertEqual(result["host"], CLOUD_HOST)
        self.assertEqual(result["kind"], "cloud")
        self.assertEqual(result["username"], "alice")
        self.assertEqual(result["display_name"], "Alice Example")
        self.assertEqual(sorted(result["scopes"]), ["account", "repository"])
        expires = parse_iso(result["expires_at"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertAlmostEqual((expires - now).total_seconds(), 7200, delta=300)
        for key in ("token", "access_token", "refresh_token", "client_secret"):
            self.assertNotIn(key, result)
        secret = self.keyring_secret(CLOUD_HOST)
        self.assert_no_secret(out, [secret["access_token"], secret["refresh_token"],
                                    CLIENT_SECRET], "login --json's stdout")

    def test_granted_scopes_from_either_field(self):
        # Cloud has sent the granted scopes as "scopes" and, later, as "scope".
        granted = "account pullrequest:write repository"
        for field in ("scopes", "scope"):
            with self.subTest(field=field):
                self.fake.reset()
                self.clear_keyring()
                self.fake.control(scope_field=field, cloud_scopes=granted)
                rc, out, err = self.run_bkt(self.cloud_login_args("--json"))
                self.assertEqual(rc, 0, err)
                self.assertEqual(sorted(json.loads(out)["scopes"]), granted.split())
                self.assertIn("pullrequest:write", err)

    def test_missing_client_id(self):
        rc, out, err = self.run_bkt(self.cloud_login_args(),
                                    env_extra={"BKT_OAUTH_CLIENT_ID": None,
                                               "BKT_OAUTH_CLIENT_SECRET": None})
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertIn("BKT_OAUTH_CLIENT_ID", err)
        self.assertEqual(self.fake.stats()["authorize"], 0)
        self.assertEqual(self.browser_urls(), [], "a browser was started anyway")
        self.assert_not_stored(CLOUD_HOST)

    def test_missing_client_secret(self):
        rc, out, err = self.run_bkt(self.cloud_login_args(),
                                    env_extra={"BKT_OAUTH_CLIENT_SECRET": None})
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertIn("BKT_OAUTH_CLIENT_SECRET", err)
        self.assertEqual(self.fake.stats()["authorize"], 0)
        self.assert_not_stored(CLOUD_HOST)

    def test_authorize_url(self):
        states, challenges = set(), set()
        shown = []
        for _ in range(2):
            self.clear_keyring()
            _out, err = self.login_cloud()
            shown.append(self.authorize_url_in(err))
        # The browser's command line holds only the local start address.
        browsed = self.browser_urls()
        self.assertEqual(len(browsed), 2, browsed)
        for url, authorize in zip(browsed, shown):
            self.assert_start_address(url, "127.0.0.1",
                                      harness.query_of(authorize)["redirect_uri"])
        for url in shown:
            self.assertTrue(url.startswith(self.fake.url + "/site/oauth2/authorize?"), url)
            q = harness.query_of(url)
            self.assertEqual(q.get("client_id"), CLIENT_ID)
            self.assertEqual(q.get("response_type"), "code")
            self.assertEqual(q.get("code_challenge_method"), "S256")
            self.assertGreaterEqual(len(q.get("code_challenge", "")), 43)
            self.assertGreaterEqual(len(q.get("state", "")), 16, "state too short to be "
                                    "unguessable")
            redirect = q.get("redirect_uri", "")
            self.assertTrue(redirect.startswith("http://127.0.0.1:"), redirect)
            self.assertNotIn(CLIENT_SECRET, url)
            states.add(q["state"])
            challenges.add(q["code_challenge"])
        self.assertEqual(len(states), 2, "the state repeats between logins")
        self.assertEqual(len(challenges), 2, "the PKCE challenge repeats between logins")


if __name__ == "__main__":
    harness.main()
