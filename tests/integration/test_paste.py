#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Paste-back: no browser on this machine, the user pastes the redirect URL."""

import re
import urllib.parse

import harness
from harness import CLOUD_HOST, BktTestCase


class Paste(BktTestCase):

    def start_paste_login(self, *extra, env_extra=None):
        p = self.start(self.cloud_login_args(*extra), env_extra=env_extra)
        url = p.wait_line(self.is_authorize_url, what="the authorize URL alone on a line")
        # The last line before bkt-auth waits: later lines answer our pastes.
        p.wait_line(lambda l: l.startswith("Waiting"), what="the 'Waiting ...' line")
        return p, url

    def assert_logged_in(self, p):
        rc, out, err = p.finish()
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "")
        self.assertIn("alice", err)
        secret = self.keyring_secret(CLOUD_HOST)
        self.assertIsNotNone(secret, "nothing stored after the paste")
        self.assertEqual(self.token(), secret["access_token"])
        return err

    def test_paste_completes(self):
        p, url = self.start_paste_login("--no-browser")
        p.send(self.redirect_for(url))
        self.assert_logged_in(p)
        self.assertEqual(self.browser_urls(), [], "a browser was started despite --no-browser")
        self.assertEqual(self.fake.stats()["token_code"], 1)

    def test_no_browser_and_no_display(self):
        # No BROWSER and no graphical display: show the URL, wait for a paste.
        p, url = self.start_paste_login(env_extra={"BROWSER": None})
        p.send(self.redirect_for(url))
        self.assert_logged_in(p)
        self.assertEqual(self.browser_urls(), [])

    def test_wrong_state_is_refused_then_right_one_works(self):
        p, url = self.start_paste_login("--no-browser")
        redirect = self.redirect_for(url)
        self.assertIn("state=", redirect)
        state = harness.query_of(redirect)["state"]
        forged = harness.with_query(redirect, state=("forged-" + "0" * 64)[:len(state)])
        before = len(p.stderr_lines)
        p.send(forged)
        line = p.wait_line(lambda l: l.strip() != "",
                           what="an answer to the pasted URL with a wrong state")
        self.assertIn("another login attempt", line)
        self.assertTrue(p.running(), "bkt-auth stopped after a wrong-state paste")
        self.assertEqual(self.fake.stats()["token_code"], 0,
                         "the code of a wrong-state paste was exchanged")
        self.assertGreater(len(p.stderr_lines), before)
        p.send(redirect)
        self.assert_logged_in(p)
        self.assertEqual(self.fake.stats()["token_code"], 1)

    def test_pastes_that_are_not_the_whole_redirect(self):
        # Each mistake gets words of its own, and the login goes on waiting after each.
        p, url = self.start_paste_login("--no-browser")
        redirect = self.redirect_for(url)
        q = harness.query_of(redirect)
        cut = redirect.index("&state=")
        cases = [
            ("cut before the state", redirect[:cut],
             "the address is incomplete: it ends before the state; copy the whole address "
             "from the browser's address bar"),
            ("cut at '&state'", redirect[:cut] + "&state", "it ends before the state"),
            ("cut inside the state", redirect[:cut + len("&state=") + 9],
             "the address is incomplete: it ends inside the state"),
            ("the code alone", q["code"], "that looks like the code alone: paste the whole "
             "address from the browser's address bar, which starts with http://127.0.0.1:"),
            ("the sign-in page", url, "is bitbucket.org's sign-in page, where the browser "
             "stays when it refuses the redirect: the OAuth consumer's Callback URL must be "
             "http://127.0.0.1"),
        ]
        for name, text, words in cases:
            with self.subTest(name):
                p.send(text)
                line = p.wait_line(lambda l: l.startswith("bkt-auth: "),
                                   what="an answer to the paste (%s)" % name)
                self.assertIn(words, line)
                self.assertNotIn("another login attempt", line)
                self.assertTrue(p.running(), "bkt-auth stopped after a paste (%s)" % name)
        self.assertEqual(self.fake.stats()["token_code"], 0)
        p.send(redirect)
        self.assert_logged_in(p)

    def test_garbage_paste(self):
        p, url = self.start_paste_login("--no-browser")
        p.send("this is not an address at all")
        line = p.wait_line(lambda l: l.strip() != "", what="an answer to a garbage paste")
        self.assertGreater(len(line.split()), 3, "want a sentence, got %r" % line)
        self.assertTrue(p.running(), "bkt-auth stopped after a garbage paste")
        p.send(self.redirect_for(url))
        self.assert_logged_in(p)

    def test_ssh_session_shows_port_forward(self):
        ssh = {"SSH_CONNECTION": "192.0.2.10 50022 192.0.2.20 22",
               "SSH_CLIENT": "192.0.2.10 50022 22", "BROWSER": None}
        p, url = self.start_paste_login(env_extra=ssh)
        redirect_uri = harness.query_of(url)["redirect_uri"]
        port = urllib.parse.urlsplit(redirect_uri).port
        self.assertIsNotNone(port, redirect_uri)
        lines = [l for l in p.stderr_lines if "ssh -L" in l]
        self.assertEqual(len(lines), 1, "want one ssh -L line:\n" + p.stderr_so_far())
        line = lines[0]
        m = re.search(r"ssh -L (\d+):localhost:(\d+) (\S+)", line)
        self.assertIsNotNone(m, "malformed port-forward line: %r" % line)
        self.assertEqual(int(m.group(1)), port, line)
        self.assertEqual(int(m.group(2)), port, line)
        self.assertTrue(m.group(3), line)
        # The paste still works in the SSH session.
        p.send(self.redirect_for(url))
        self.assert_logged_in(p)


if __name__ == "__main__":
    harness.main()
