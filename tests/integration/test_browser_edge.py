#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What goes wrong between the browser, the listener and the token endpoint."""

import os
import signal
import time

import harness
from harness import CLOUD_HOST, BktTestCase, http_get


class BrowserEdge(BktTestCase):

    def test_denied_in_browser(self):
        self.fake.control(deny=True)
        rc, out, err = self.run_bkt(self.cloud_login_args())
        self.assertEqual(rc, 2, err)
        self.assertEqual(out, "")
        self.assertEqual(self.fake.stats()["token_code"], 0)
        self.assert_not_stored(CLOUD_HOST)
        rc, out, err = self.run_bkt(["status"])
        self.assertEqual(rc, 4, err)

    def test_forged_request_first_is_ignored(self):
        # The browser first hits the listener with a forged state, then the
        # real redirect. The forged request gets a page (fake_browser gives up
        # otherwise, and the real redirect never comes); the login goes on.
        rc, out, err = self.run_bkt(self.cloud_login_args(),
                                    env_extra={"FAKE_BROWSER_MODE": "wrong-state-first"})
        self.assertEqual(rc, 0, err)
        self.assertIsNotNone(self.keyring_secret(CLOUD_HOST))
        self.assertTrue(os.path.exists(self.browser_page),
                        "the browser never got the page of the real redirect")
        with open(self.browser_page, "rb") as f:
            self.assertIn(b"<", f.read())
        self.assertEqual(self.fake.stats()["token_code"], 1)

    def test_listener_ignores_wrong_state_and_answers_safely(self):
        p = self.start(self.cloud_login_args("--no-browser"))
        url = p.wait_line(self.is_authorize_url, what="the authorize URL")
        redirect = self.redirect_for(url)

        for forged in (harness.with_query(redirect, state="forged-state"),
                       redirect.split("?", 1)[0] + "?code=abc"):
            status, _headers, _body = http_get(forged)
            self.assertGreaterEqual(status, 200, forged)
            self.assertEqual(self.fake.stats()["token_code"], 0,
                             "a request without the right state was acted on")
            self.assertTrue(p.running(), "bkt-auth stopped after a forged request")

        status, headers, body = http_get(redirect)
        self.assertEqual(status, 200)
        self.assertIn("no-store", headers.get("Cache-Control", ""))
        self.assertEqual(headers.get("Referrer-Policy", "").strip(), "no-referrer")
        self.assertNotIn(harness.query_of(redirect)["code"].encode(), body)
        rc, out, err = p.finish()
        self.assertEqual(rc, 0, err)
        self.assertIsNotNone(self.keyring_secret(CLOUD_HOST))

    def test_timeout(self):
        started = time.monotonic()
        rc, out, err = self.run_bkt(self.cloud_login_args("--timeout", "2"),
                                    env_extra={"FAKE_BROWSER_MODE": "none"})
        elapsed = time.monotonic() - started
        self.assertEqual(rc, 1, err)
        self.assertIn("--timeout", err)
        self.assertGreaterEqual(elapsed, 1.5, "gave up before the timeout")
        self.assertLess(elapsed, 15, "took far longer than --timeout 2")
        self.assert_not_stored(CLOUD_HOST)

    def test_sigint_while_waiting(self):
        p = self.start(self.cloud_login_args(), env_extra={"FAKE_BROWSER_MODE": "none"})
        p.wait_line(lambda l: l.startswith("Waiting"), what="the 'Waiting ...' line")
        p.signal(signal.SIGINT)
        rc, out, err = p.finish()
        self.assertEqual(rc, 2, err)
        self.assertEqual(out, "")
        self.assert_not_stored(CLOUD_HOST)

    def test_interrupted_relogin_keeps_the_working_login(self):
        self.login_cloud()
        rc, before, err = self.run_bkt(["token"])
        self.assertEqual(rc, 0, err)
        stored_before = self.keyring_secret(CLOUD_HOST)
        # A second login, stopped after it stored its tokens but before the stored token
        # proved itself: the first login must come back, not a half-checked one.
        self.fake.control(slow=1.0)
        p = self.start(self.cloud_login_args())
        p.wait_line(lambda l: l.startswith("Checking the stored token"),
                    what="the confirmation step")
        p.signal(signal.SIGINT)
        rc, out, err = p.finish()
        self.assertEqual(rc, 2, err)
        self.fake.control(slow=None)
        self.assertEqual(self.keyring_secret(CLOUD_HOST), stored_before)
        rc, after, err = self.run_bkt(["token"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(after, before)

    def test_interrupted_first_login_leaves_nothing(self):
        self.fake.control(slow=1.0)
        p = self.start(self.cloud_login_args())
        p.wait_line(lambda l: l.startswith("Checking the stored token"),
                    what="the confirmation step")
        p.signal(signal.SIGINT)
        rc, out, err = p.finish()
        self.assertEqual(rc, 2, err)
        self.fake.control(slow=None)
        self.assert_not_stored(CLOUD_HOST)

    def test_token_endpoint_500(self):
        self.fake.control(token_status=500)
        rc, out, err = self.run_bkt(self.cloud_login_args())
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assert_one_error_line(err)
        self.assert_not_stored(CLOUD_HOST)

    def test_token_endpoint_invalid_json(self):
        self.fake.control(token_invalid_json=True)
        rc, out, err = self.run_bkt(self.cloud_login_args())
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assert_one_error_line(err)
        # The broken body holds token-like text: it is not echoed.
        self.assertNotIn("at-truncated", err)
        self.assertNotIn("rt-trunc", err)
        self.assert_not_stored(CLOUD_HOST)


if __name__ == "__main__":
    harness.main()
