#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bkt-auth login to a Bitbucket Data Center through the browser, end to end."""

import json
import os
import time

import harness
from harness import CLIENT_SECRET, DC_ENV, BktTestCase


class DcLogin(BktTestCase):
    ENV_EXTRA = DC_ENV

    def test_happy_path(self):
        rc, out, err = self.run_bkt(self.dc_login_args("--json"))
        self.assertEqual(rc, 0, err)
        key = self.fake.dc_host
        result = json.loads(out)
        self.assertEqual(result["host"], key)
        self.assertEqual(result["kind"], "dc")
        self.assertEqual(result["username"], "alice")
        self.assertEqual(result["display_name"], "Alice Example")
        self.assertIn("alice", err)
        self.assertIn("Alice Example", err)
        self.assertIn(key, err)

        secret = self.keyring_secret(key)
        self.assertIsNotNone(secret, "nothing in the keyring for " + key)
        self.assertEqual(secret["client_secret"], CLIENT_SECRET)
        self.assertAlmostEqual(secret["expires_at"], time.time() + 3600, delta=300)
        self.assertEqual(self.token(key), secret["access_token"])
        self.assertEqual(self.token(), secret["access_token"],
                         "HOST may be omitted when one host is stored")

        self.assertIn(key, self.hosts_entries())
        self.assert_no_secret(self.hosts_json_text(),
                              [secret["access_token"], secret["refresh_token"],
                               CLIENT_SECRET], "hosts.json")
        self.assert_no_secret(out + err, [secret["access_token"],
                                          secret["refresh_token"], CLIENT_SECRET],
                              "login's output")

        # The browser is handed the start address, on the redirect's own host name.
        urls = self.browser_urls()
        self.assertEqual(len(urls), 1, urls)
        self.assert_start_address(urls[0], "localhost", self.fake.dc_redirect)
        url = self.authorize_url_in(err)
        self.assertTrue(url.startswith(self.fake.dc_url
                                       + "/rest/oauth2/latest/authorize?"), url)
        q = harness.query_of(url)
        self.assertEqual(q["redirect_uri"], self.fake.dc_redirect)
        self.assertEqual(q["code_challenge_method"], "S256")
        self.assertNotIn(CLIENT_SECRET, url)

        stats = self.fake.stats()
        self.assertEqual(stats["authorize"], 1, stats)
        self.assertEqual(stats["token_code"], 1, stats)
        # X-AUSERNAME, then the read-back token checked the same way; the name once.
        self.assertEqual(stats["app_props"], 2, stats)
        self.assertEqual(stats["dc_user"], 1, stats)

    def test_wrong_client_secret(self):
        wrong = os.path.join(self.tmp, "wrong.secret")
        with open(wrong, "w") as f:
            f.write("not-the-client-secret\n")
        rc, out, err = self.run_bkt(self.dc_login_args(secret_file=wrong))
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assert_one_error_line(err)
        self.assertNotIn("not-the-client-secret", err)
        self.assertEqual(self.fake.stats()["token_code"], 1)
        self.assert_not_stored(self.fake.dc_host)

    def test_no_client_id(self):
        rc, out, err = self.run_bkt(self.dc_login_args(client_id=None))
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertIn("--client-id", err)
        self.assertEqual(self.fake.stats()["authorize"], 0)
        self.assertEqual(self.browser_urls(), [])
        self.assert_not_stored(self.fake.dc_host)

    def test_http_needs_allow_http(self):
        args = [a for a in self.dc_login_args() if a != "--allow-http"]
        rc, out, err = self.run_bkt(args)
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertIn("--allow-http", err)
        stats = self.fake.stats()
        self.assertEqual(stats["authorize"], 0, "an http:// host was contacted")
        self.assertEqual(stats["app_props"], 0, "an http:// host was contacted")
        self.assertEqual(stats["token_code"], 0, "an http:// host was contacted")
        self.assertEqual(self.browser_urls(), [])
        self.assert_not_stored(self.fake.dc_host)

    def test_kind_dc_with_cloud_url_on_the_same_origin(self):
        # BKT_CLOUD_URL moves Cloud (tests, proxies); it does not turn a Data
        # Center the user names with --kind dc into Cloud.
        cloud_env = {"BKT_CLOUD_URL": self.fake.url, "BKT_CLOUD_API_URL": self.fake.url}
        rc, out, err = self.run_bkt(self.dc_login_args("--json"), env_extra=cloud_env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["host"], self.fake.dc_host)
        self.assertIsNotNone(self.keyring_secret(self.fake.dc_host))
        self.assertIsNone(self.keyring_secret(harness.CLOUD_HOST),
                          "the Data Center login was stored as Cloud")


if __name__ == "__main__":
    harness.main()
