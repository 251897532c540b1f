#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The full-screen wizard against Bitbucket Cloud, driven in tmux.

Every test runs the real bkt-auth on a real terminal (a tmux pane of its
own), types keys, and waits for text on the screen.  The wrapper around
bkt-auth records `stty -g` before and after it, so each exit also checks
that the terminal is left as it was found.
"""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

import harness
from harness import CLOUD_HOST, FAKE_BROWSER
from tmux import WizardTestCase, colour_sequences

WAITING = "Waiting for the browser"
KIND = "Cloud or Data Center"
KIND_KEYS = ("Enter next", "q quit")
WAIT_KEYS = ("o browser", "c copy", "u show", "p paste", "q cancel")
SSH_ENV = {"BROWSER": None, "DISPLAY": None, "WAYLAND_DISPLAY": None,
           "SSH_CONNECTION": "192.0.2.10 50022 192.0.2.20 22"}
# How long a cancelled login may take to leave: well under the fake's
# slow answer, so that a cancel which waits for the exchange fails.
PROMPT_EXIT = 2.0


class WizardCloud(WizardTestCase):

    # -- steps shared by the tests --

    def open_wizard(self, *extra, env_extra=None, width=80, height=24, stdout_path=None):
        """bkt-auth login -i, at the Cloud or Data Center screen."""
        t = self.tmux_start(["login", "-i"] + list(extra), env_extra=env_extra,
                            width=width, height=height, stdout_path=stdout_path)
        t.wait_for("bkt-auth  ·  " + KIND)
        t.wait_for("› Bitbucket Cloud")
        return t

    def to_sign_in(self, t):
        t.keys("Enter")
        return t.wait_for("Press Enter to open the browser.")

    def to_waiting(self, t):
        """From Cloud or Data Center to the waiting screen (no browser answers)."""
        self.to_sign_in(t)
        t.keys("Enter")
        return t.wait_for(re.compile(r"Time left: \d+:\d\d"))

    def finish_logged_in(self, t):
        """On the Logged in screen: Enter, exit 0, the token in the keyring."""
        screen = t.wait_for("bkt-auth  ·  Logged in")
        self.assertIn("✓ Logged in to bitbucket.org as alice (Alice Example).", screen)
        self.assert_no_token_shapes(screen, "the Logged in screen")
        t.keys("Enter")
        self.assert_exit(t, 0)
        err = t.stderr_text()
        self.assertEqual(err, "Logged in to bitbucket.org as alice.\n")
        secret = self.keyring_secret(CLOUD_HOST)
        self.assertIsNotNone(secret, "no keyring item for bitbucket.org after the wizard")
        self.assertEqual(self.token(), secret["access_token"])
        return secret

    def start_url_from_browser_log(self):
        """The one address the browser was given: bkt-auth's own start address."""
        urls = harness.wait_until(self.browser_urls, what="the browser to be started")
        self.assertEqual(len(urls), 1, urls)
        self.assert_start_address(urls[0], "127.0.0.1", urls[0])
        return urls[0]

    def follow_in_browser(self, url):
        """What a browser does with the authorize URL: come back to bkt-auth."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(harness.STRIPPED_PREFIXES)}
        env.update({"FAKE_BROWSER_MODE": "follow", "PYTHONDONTWRITEBYTECODE": "1"})
        cp = subprocess.run([sys.executable, FAKE_BROWSER, url], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=harness.COMMAND_TIMEOUT)
        self.assertEqual(cp.returncode, 0, cp.stderr.decode("utf-8", "replace"))

    def assert_cancelled(self, t, timeout=harness.WAIT_TIMEOUT):
        self.assert_exit(t, 2, timeout=timeout)
        self.assertIn("bkt-auth: login cancelled", t.stderr_text())
        self.assert_not_stored(CLOUD_HOST)

    # -- the happy paths --

    def test_cloud_login(self):
        t = self.open_wizard()
        self.assert_layout(t, KIND, KIND_KEYS, name="cloud_or_data_center")
        screen = self.to_sign_in(t)
        self.assertIn("bitbucket.org's sign-in page", screen)
        self.assert_layout(t, "Sign in", ("Enter", "q quit"), name="sign_in")
        t.keys("Enter")
        screen = t.wait_for("bkt-auth  ·  Logged in")
        self.assertIn("the Secret Service (your desktop keyring)", screen)
        self.assertRegex(screen, r"It expires .* and is refreshed by itself\.")
        self.assertIn("Scopes: account repository", screen)
        self.assert_layout(t, "Logged in", ("Enter finish",), name="logged_in")
        self.finish_logged_in(t)
        self.assertEqual(len(self.browser_urls()), 1, "the browser was not opened once")
        self.assertEqual(self.fake.stats()["token_code"], 1)

    def test_first_run_shows_welcome(self):
        # No arguments, nothing stored, on a terminal (stdout too): the welcome.
        t = self.tmux_start([])
        t.wait_for("Welcome to bkt-auth. Let's sign you in to Bitbucket.")
        self.assert_layout(t, "Welcome", ("Enter start", "q quit"), name="welcome")
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  " + KIND)
        t.keys("q")
        self.assert_exit(t, 2)
        self.assertFalse(os.path.exists(self.hosts_json_path()))

    def test_no_welcome_once_logged_in(self):
        self.login_cloud()
        t = self.tmux_start([])
        rc = t.exit_code()
        screen = t.screen()
        self.assertEqual(rc, 0, screen + t.stderr_text())
        self.assertNotIn("Welcome", screen)
        self.assertIn("alice", screen + t.stderr_text())

    def test_json_result_on_stdout_while_the_wizard_draws(self):
        out_path = os.path.join(self.tmp, "result.json")
        t = self.open_wizard("--json", stdout_path=out_path)
        self.to_sign_in(t)
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  Logged in")
        self.finish_logged_in(t)
        text = t.stdout_text()
        self.assertNotIn("\x1b", text, "terminal escapes in the JSON output")
        self.assert_no_token_shapes(text, "the JSON output")
        result = json.loads(text)  # nothing but the JSON document
        self.assertIsInstance(result, dict)
        self.assertEqual(result["host"], CLOUD_HOST)
        self.assertEqual(result["username"], "alice")
        self.assertEqual(result["kind"], "cloud")

    # -- failures and cancels --

    def test_denied_in_the_browser(self):
        self.fake.control(deny=True)
        t = self.open_wizard()
        self.to_sign_in(t)
        t.keys("Enter")
        screen = t.wait_for("bkt-auth  ·  Not logged in")
        self.assertIn("Press r to try again", screen)
        self.assert_layout(t, "Not logged in", ("r retry", "b back", "q quit"),
                           name="not_logged_in")
        t.keys("q")
        self.assert_exit(t, 2)
        line = self.assert_one_error_line(t.stderr_text())
        self.assertNotIn("cancelled", line)
        self.assert_not_stored(CLOUD_HOST)
        self.assertEqual(self.fake.stats()["token_code"], 0)

    def test_denied_then_retry(self):
        self.fake.control(deny=True)
        t = self.open_wizard()
        self.to_sign_in(t)
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  Not logged in")
        self.assert_not_stored(CLOUD_HOST)
        self.fake.control(deny=False)
        t.keys("r")
        t.wait_for("Press Enter to open the browser.")
        t.keys("Enter")
        self.finish_logged_in(t)
        self.assertEqual(len(self.browser_urls()), 2)

    def test_cancel_while_waiting(self):
        t = self.open_wizard(env_extra={"FAKE_BROWSER_MODE": "none"})
        screen = self.to_waiting(t)
        self.assertRegex(screen, r"Listening on http://127\.0\.0\.1:\d+/callback")
        self.assertRegex(screen, r"Time left: (5:00|4:[0-5]\d)")
        self.assert_layout(t, WAITING, WAIT_KEYS, name="waiting")
        t.keys("q")
        self.assert_cancelled(t)
        self.assertEqual(self.fake.stats()["token_code"], 0)

    def test_escape_cancels_while_waiting(self):
        t = self.open_wizard(env_extra={"FAKE_BROWSER_MODE": "none"})
        self.to_waiting(t)
        t.keys("Escape")
        self.assert_cancelled(t)

    def test_cancel_while_exchanging(self):
        self.fake.control(slow=3)
        t = self.open_wizard()
        self.to_sign_in(t)
        t.keys("Enter")
        screen = t.wait_for("› Exchanging")
        self.assertIn("The browser came back with an authorization.", screen)
        self.assertRegex(screen, r"· Checking who you are")
        self.assertRegex(screen, r"· Storing the token in the keyring")
        self.assertRegex(screen, r"· Checking the stored token works")
        self.assert_layout(t, None, ("q",), name="checklist")
        t.keys("q")
        # Out before the fake answers the exchange.
        self.assert_cancelled(t, timeout=PROMPT_EXIT)
        self.assertEqual(self.fake.stats()["token_code"], 1)

    # -- the terminal --

    def test_resize_while_waiting(self):
        t = self.open_wizard(env_extra={"FAKE_BROWSER_MODE": "none"})
        self.to_waiting(t)
        self.assert_layout(t, WAITING, WAIT_KEYS)
        for width, height in ((100, 30), (60, 18)):
            t.resize(width, height)
            left = (width - (min(width, 80) - 4)) // 2

            def redrawn(screen, width=width, height=height, left=left):
                rows = screen.split("\n")
                return (len(rows) >= height and
                        rows[1].startswith(" " * left + "bkt-auth  ·  " + WAITING) and
                        re.search(r"Time left: \d+:\d\d", screen) and
                        rows[height - 1].strip().startswith("o browser"))
            t.wait_for(redrawn)
            # Every key hint fits, down to the minimum width.
            self.assert_layout(t, WAITING, WAIT_KEYS)
        # The login goes on: the browser comes back now.
        self.follow_in_browser(self.start_url_from_browser_log())
        self.finish_logged_in(t)

    def test_below_minimum_size(self):
        t = self.open_wizard_small(50, 15)
        t.resize(80, 24)
        t.wait_for("bkt-auth  ·  " + KIND)
        self.assert_layout(t, KIND, KIND_KEYS)
        t.resize(60, 17)
        t.wait_for(lambda s: self.too_small(s, 60, 17))
        t.resize(60, 18)
        t.wait_for("bkt-auth  ·  " + KIND)
        self.assert_layout(t, KIND, ("q quit",))
        t.keys("q")
        self.assert_exit(t, 2)

    def open_wizard_small(self, width, height):
        t = self.tmux_start(["login", "-i"], width=width, height=height)
        screen = t.wait_for(lambda s: self.too_small(s, width, height))
        self.assertNotIn("bkt-auth  ·", screen)
        return t

    @staticmethod
    def too_small(screen, width, height):
        joined = " ".join(screen.split())
        return ("bkt-auth needs a terminal of at least 60×18; this one is %d×%d."
                % (width, height)) in joined

    def test_colours_by_default(self):
        # The counterpart of test_no_color: this screen does use colour.
        t = self.open_wizard()
        self.assertTrue(colour_sequences(t.screen(escapes=True)),
                        "no colour on the Cloud or Data Center screen")
        t.keys("q")
        self.assert_exit(t, 2)

    def test_no_color(self):
        t = self.open_wizard(env_extra={"NO_COLOR": "1"})
        screens = [t.screen(escapes=True)]
        # The choice stays visible without colour: reverse video.
        self.assertRegex(screens[0], r"\x1b\[[0-9;]*\b7m› Bitbucket Cloud")
        self.to_sign_in(t)
        screens.append(t.screen(escapes=True))
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  Logged in")
        screens.append(t.screen(escapes=True))
        for screen in screens:
            self.assertEqual(colour_sequences(screen), [],
                             "colour with NO_COLOR set:\n%r" % screen)
        self.finish_logged_in(t)

    def test_ctrl_c_anywhere(self):
        places = {
            "Cloud or Data Center": (80, 24, None),
            "Your Bitbucket, in its text field": (80, 24, self.to_host_field),
            "Waiting for the browser": (80, 24, self.to_waiting),
            "the paste field": (80, 24, self.to_paste_field),
            "the address outside the full screen": (80, 24, self.to_address_outside),
            "a terminal below the minimum size": (50, 15, None),
        }
        for place, (width, height, go) in places.items():
            with self.subTest(place=place):
                t = self.tmux_start(["login", "-i"], width=width, height=height,
                                    env_extra={"FAKE_BROWSER_MODE": "none"})
                if width < 60:
                    t.wait_for(lambda s: self.too_small(s, width, height))
                else:
                    t.wait_for("› Bitbucket Cloud")
                if go is not None:
                    go(t)
                t.keys("C-c")
                self.assert_exit(t, 2)  # and stty -g as before
                self.assert_not_stored(CLOUD_HOST)

    def to_host_field(self, t):
        t.keys("d")
        t.wait_for("bkt-auth  ·  Your Bitbucket")
        t.type("git.example")
        t.wait_for("git.example")

    def to_paste_field(self, t):
        self.to_waiting(t)
        t.keys("p")
        t.wait_for("Paste the address from the browser's address bar")
        t.type("http://127.0.0.1")
        t.wait_for("[http://127.0.0.1")

    def to_address_outside(self, t):
        self.to_waiting(t)
        t.keys("u")
        t.wait_for("Select and copy it, then press Enter to return to bkt-auth.", join=True)

    def test_ctrl_c_while_exchanging(self):
        self.fake.control(slow=3)
        t = self.open_wizard()
        self.to_sign_in(t)
        t.keys("Enter")
        t.wait_for("› Exchanging")
        t.keys("C-c")
        self.assert_exit(t, 2, timeout=PROMPT_EXIT)
        self.assert_not_stored(CLOUD_HOST)

    def test_sigterm_while_waiting(self):
        t = self.open_wizard(env_extra={"FAKE_BROWSER_MODE": "none"})
        self.to_waiting(t)
        t.signal(signal.SIGTERM)
        self.assert_exit(t, 2)
        self.assert_not_stored(CLOUD_HOST)

    # -- no browser: SSH --

    def start_ssh(self, width=80, height=24):
        t = self.open_wizard(env_extra=SSH_ENV, width=width, height=height)
        t.keys("Enter")
        # No browser to launch: straight to the waiting screen, no Sign in.
        screen = t.wait_for("bkt-auth  ·  " + WAITING)
        self.assertNotIn("Press Enter to open the browser", screen)
        screen = t.wait_for(re.compile(r"Time left: \d+:\d\d"))
        return t, screen

    def show_url_outside(self, t):
        """u: the authorize URL outside the full screen, whole on one line."""
        t.keys("u")
        screen = t.wait_for("Select and copy it, then press Enter to return to bkt-auth.",
                            join=True)
        self.assertIn("Open this address in a browser:", screen)
        urls = [l.strip() for l in screen.split("\n") if self.is_authorize_url(l.strip())]
        self.assertEqual(len(urls), 1, "want the authorize URL alone on a line:\n" + screen)
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  " + WAITING)
        return urls[0]

    def paste(self, t, url):
        t.keys("p")
        prompt = "Paste the address from the browser's address bar, then Enter:"

        def prompt_shown(screen):
            # Whole, though perhaps wrapped on a narrow screen.
            return prompt in " ".join(screen.split())
        t.wait_for(prompt_shown, timeout=5)
        redirect = self.redirect_for(url)
        t.type(redirect)
        t.wait_for(redirect[-20:], join=True)
        t.keys("Enter")

    def test_ssh_paste_back(self):
        t, screen = self.start_ssh()
        rows = screen.split("\n")
        rule = next(i for i, r in enumerate(rows) if "────" in r)
        first = next(r.strip() for r in rows[rule + 1:] if r.strip())
        self.assertTrue(first.startswith("You are on SSH"),
                        "the waiting screen does not lead with SSH:\n" + screen)
        listen = re.search(r"Listening on http://127\.0\.0\.1:(\d+)/callback", screen)
        self.assertIsNotNone(listen, screen)
        port = listen.group(1)
        self.assertRegex(screen, r"ssh -L %s:localhost:%s \S+" % (port, port))
        self.assertLess(screen.index("You are on SSH"), screen.index("ssh -L"))
        self.assert_layout(t, WAITING, WAIT_KEYS, name="waiting_ssh")
        url = self.show_url_outside(t)
        self.assertIn("redirect_uri=http%3A%2F%2F127.0.0.1%3A" + port, url)
        self.paste(t, url)
        self.finish_logged_in(t)
        self.assertEqual(self.browser_urls(), [], "a browser was started over SSH")
        self.assertEqual(self.fake.stats()["token_code"], 1)

    def test_retry_after_the_keyring_ran_out_of_time(self):
        # The keyring hangs (SIGSTOP): the attempt fails after its 5 s. Once it answers again,
        # r asks it afresh and logs in, rather than failing at once on what the first attempt
        # learnt.
        t = self.open_wizard()
        self.to_sign_in(t)
        pid = self.keyring_daemon_pid()
        os.kill(pid, signal.SIGSTOP)
        self.addCleanup(os.kill, pid, signal.SIGCONT)
        t.keys("Enter")
        screen = t.wait_for("bkt-auth  ·  Not logged in", timeout=30)
        self.assertIn("did not answer within 5 seconds", " ".join(screen.split()))
        os.kill(pid, signal.SIGCONT)
        t.keys("r")
        t.wait_for("Press Enter to open the browser.")
        t.keys("Enter")
        self.finish_logged_in(t)

    def test_resize_while_the_address_is_outside(self):
        # Outside the full screen the terminal reads whole lines: a resize there must not
        # leave the wizard blocked on it, deaf to the browser coming back.
        t, _screen = self.start_ssh()
        t.keys("u")
        screen = t.wait_for("Select and copy it, then press Enter to return to bkt-auth.",
                            join=True)
        url = next(l.strip() for l in screen.split("\n") if self.is_authorize_url(l.strip()))
        t.resize(100, 30)
        with urllib.request.urlopen(self.redirect_for(url), timeout=20) as answer:
            self.assertEqual(answer.status, 200)
        self.finish_logged_in(t)

    def test_paste_back_at_minimum_size(self):
        # 60x18 is a size the wizard works at: the paste prompt and its field
        # must show there too, whole, over SSH as well.
        for place in ("browser opened", "SSH"):
            self.forget_logins()
            with self.subTest(place=place):
                if place == "SSH":
                    t, screen = self.start_ssh(60, 18)
                    self.assertIn("ssh -L", screen)
                else:
                    t = self.open_wizard(env_extra={"FAKE_BROWSER_MODE": "none"},
                                         width=60, height=18)
                    self.to_waiting(t)
                url = self.show_url_outside(t)
                self.paste(t, url)
                self.finish_logged_in(t)


if __name__ == "__main__":
    harness.main()
