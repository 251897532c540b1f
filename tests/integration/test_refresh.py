#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Refreshing: rotation, the end of a session, and the lock."""

import time

import harness
from harness import CLOUD_HOST, BktTestCase, Running

PARALLEL = 10
# Long enough for the login to verify the token, short enough to wait out.
SHORT_LIFETIME = 3


class Refresh(BktTestCase):

    def login_stale(self):
        """Log in with a token that lives a few seconds, wait until it has
        expired by the clock (bkt-auth judges from the stored expires_at),
        and let the fake issue long-lived tokens again."""
        self.fake.control(expires_in=SHORT_LIFETIME)
        self.login_cloud()
        self.fake.control(expires_in=None)
        secret = self.keyring_secret(CLOUD_HOST)
        self.assertIsNotNone(secret)
        self.assertLessEqual(secret["expires_at"], time.time() + SHORT_LIFETIME + 1)
        harness.wait_until(lambda: time.time() >= secret["expires_at"] + 0.05,
                           timeout=SHORT_LIFETIME + 5, what="the token to expire")
        return secret

    def test_fresh_token_needs_no_request(self):
        self.login_cloud()
        before = self.fake.stats()
        secret = self.keyring_secret(CLOUD_HOST)
        self.assertEqual(self.token(), secret["access_token"])
        after = self.fake.stats()
        self.assertEqual(before, after, "`token` with a fresh token talked to the server")

    def test_short_lived_token_is_not_stale_at_birth(self):
        # A token that lives under two minutes is not refreshed on every call.
        self.fake.control(expires_in=30)
        self.login_cloud()
        secret = self.keyring_secret(CLOUD_HOST)
        for _ in range(2):
            self.assertEqual(self.token(), secret["access_token"])
        self.assertEqual(self.fake.stats()["token_refresh"], 0)

    def test_stale_token_is_refreshed_and_rotated(self):
        old = self.login_stale()
        new_token = self.token()
        self.assertNotEqual(new_token, old["access_token"], "the stale token was printed")
        stats = self.fake.stats()
        self.assertEqual(stats["token_refresh"], 1, stats)
        self.assertEqual(stats["token_refresh_ok"], 1, stats)
        self.assertEqual(stats["current_refresh_tokens"], 1, stats)

        new = self.keyring_secret(CLOUD_HOST)
        self.assertEqual(new["access_token"], new_token)
        self.assertNotEqual(new["refresh_token"], old["refresh_token"],
                            "the rotated refresh token was not stored")
        self.assertGreater(new["expires_at"], old["expires_at"] + 3600)

        # Now fresh: no second refresh.
        self.assertEqual(self.token(), new_token)
        self.assertEqual(self.fake.stats()["token_refresh"], 1)

        # The old refresh token is dead at the fake: a forced refresh works
        # only if the new one was kept.
        rc, out, err = self.run_bkt(["refresh"])
        self.assertEqual(rc, 0, err)
        stats = self.fake.stats()
        self.assertEqual(stats["token_refresh_ok"], 2, stats)
        self.assertEqual(stats["current_refresh_tokens"], 1, stats)
        self.assertEqual(self.token(), self.keyring_secret(CLOUD_HOST)["access_token"])

    def test_invalid_grant_means_log_in_again(self):
        self.login_cloud()
        before = self.keyring_secret(CLOUD_HOST)
        hosts_before = self.hosts_json_text()
        self.fake.reset()  # the fake forgets every token: the session is over
        rc, out, err = self.run_bkt(["refresh"])
        self.assertEqual(rc, 4, err)
        self.assertEqual(out, "")
        self.assertIn("log in again", err)
        self.assert_one_error_line(err)
        self.assertEqual(self.fake.stats()["token_refresh"], 1)
        self.assertEqual(self.keyring_secret(CLOUD_HOST), before,
                         "a failed refresh changed the stored secret")
        self.assertEqual(self.hosts_json_text(), hosts_before)
        self.assert_no_secret(err, [before["access_token"], before["refresh_token"]])

    def test_invalid_grant_on_stale_token(self):
        before = self.login_stale()
        self.fake.reset()
        rc, out, err = self.run_bkt(["token"])
        self.assertEqual(rc, 4, err)
        self.assertEqual(out, "", "`token` printed a token it could not refresh")
        self.assertIn("log in again", err)
        self.assertEqual(self.keyring_secret(CLOUD_HOST), before)

    def test_parallel_token_calls_refresh_once(self):
        old = self.login_stale()
        # A slow token endpoint keeps the first refresh in flight while the
        # other calls start: without the lock they would all refresh.
        self.fake.control(slow=0.5)
        procs = [Running([self.bin, "token"], self.env()) for _ in range(PARALLEL)]
        self.procs.extend(procs)
        results = [p.finish() for p in procs]
        for rc, out, err in results:
            self.assertEqual(rc, 0, err)
        outputs = {out for _rc, out, _err in results}
        self.assertEqual(len(outputs), 1, "the parallel calls printed different tokens")
        token = outputs.pop().strip()
        self.assertNotEqual(token, old["access_token"])
        stats = self.fake.stats()
        self.assertEqual(stats["token_refresh"], 1,
                         "%d refresh requests for %d parallel calls"
                         % (stats["token_refresh"], PARALLEL))
        new = self.keyring_secret(CLOUD_HOST)
        self.assertEqual(new["access_token"], token)
        # The stored refresh token is the live one.
        rc, out, err = self.run_bkt(["refresh"])
        self.assertEqual(rc, 0, err)


if __name__ == "__main__":
    harness.main()
