#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the wizard says is so: the clock starts with the browser, sentences
have no gap where a reason should be, Ctrl-C after the login is stored is no
cancel, titles and claims are true, the Data Center check says how to stop
it and stops by itself, the Done screen sets up git, and under WSL the
Windows browser opens. Each test runs at 80x24 in English and at 60x18 in
German or Japanese."""

import json
import os
import re
import socket
import time

import harness
from harness import CLOUD_HOST, DC_ENV
from ux import UxTestCase, flat
import windows

SSH_ENV = {"BROWSER": None, "DISPLAY": None, "WAYLAND_DISPLAY": None,
           "SSH_CONNECTION": "192.0.2.10 50022 192.0.2.20 22"}
NO_CONSUMER = {"BKT_OAUTH_CLIENT_ID": None, "BKT_OAUTH_CLIENT_SECRET": None}
TIMED_OUT = ("the browser did not come back in time: run the login again, or raise the limit "
             "with --timeout SECONDS")


class WizardClaims(UxTestCase):

    def to_sign_in(self, size, *args, env_extra=None):
        lang = size[2]
        t = self.start_in(size, ["login", "-i"] + list(args), env_extra=env_extra)
        self.wait_shows(t, "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
        t.keys("Enter")
        self.wait_shows(t, self.tr(lang, "Press Enter to open the browser."))
        return t

    def clock(self, lang):
        head = re.escape(self.tr(lang, "Time left: %s").split("%s")[0].strip())
        return re.compile(head + r"\s*(\d+:\d\d)")

    # -- item 2: the clock --

    def test_clock_starts_when_the_browser_opens(self):
        def body(size):
            lang = size[2]
            t = self.to_sign_in(size, "--timeout", "600", env_extra={"FAKE_BROWSER_MODE": "none"})
            # Nothing counts down while the sign-in waits for Enter.
            self.stays_without(t, self.tr(lang, "Time left: %s").split("%s")[0].strip(), 2.5)
            before = time.monotonic()
            t.keys("Enter")
            screen = t.wait_for(self.clock(lang))
            took = time.monotonic() - before
            left = self.clock(lang).search(screen).group(1)
            # The full time on arrival (a second later, 9:59 at the least).
            self.assertIn(left, ("10:00",) if took < 0.9 else ("10:00", "9:59"), screen)
            t.keys("q")
            self.assert_exit(t, 2)

            # A short limit counts from the browser, not from the sign-in screen.
            t = self.to_sign_in(size, "--timeout", "3", env_extra={"FAKE_BROWSER_MODE": "none"})
            self.stays_without(t, self.tr(lang, TIMED_OUT)[10:40], 4)
            before = time.monotonic()
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Not logged in"), timeout=20)
            self.assertGreaterEqual(time.monotonic() - before, 2.5)
            self.wait_shows(t, self.tr(lang, TIMED_OUT)[10:60])
            t.keys("q")
            self.assert_exit(t, 1)
        self.each_size(body)

    # -- item 3: no gap where the reason should be --

    def test_address_instead_reads_as_a_sentence(self):
        self.SIZES = ((80, 24, "en"), (60, 18, "de"), (80, 24, "ja"))

        def body(size):
            lang = size[2]
            t = self.to_sign_in(size)
            t.keys("s")
            screen = self.wait_shows(t, self.tr(
                lang, "Open the sign-in address in a browser: copy it (c) or show it to select "
                "(u). If the browser ends on an error page, paste its address here (p)."))
            for gap in ("( here)", "( hier)", "(ここでは )", "()", "( )"):
                self.assertNotIn(gap, screen)
            self.assertEqual(self.browser_urls(), [], "s opened the browser")
            t.keys("q")
            self.assert_exit(t, 2)

            t = self.start_in(size, ["login", "-i", "--no-browser"])
            self.wait_shows(t, "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
            t.keys("Enter")
            self.wait_shows(t, self.tr(lang, "bkt-auth does not open a browser here: %s.")
                            % self.tr(lang, "--no-browser was given"))
            t.keys("q")
            self.assert_exit(t, 2)
        self.each_size(body)

    # -- item 6: Ctrl-C once logged in --

    def test_ctrl_c_once_logged_in_is_no_cancel(self):
        def body(size):
            lang = size[2]
            t = self.to_sign_in(size)
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Logged in"))
            t.keys("C-c")
            self.assert_exit(t, 0)
            err = t.stderr_text()
            self.assertEqual(err, self.tr(lang, "Logged in to %s as %s.\n") % (CLOUD_HOST, "alice"))
            self.assertIsNotNone(self.keyring_secret(CLOUD_HOST))
            self.assertTrue(self.token())
        self.each_size(body)

    # -- item 8: titles and claims --

    def test_cloud_consumer_guide_is_no_application_link(self):
        self.SIZES = ((80, 24, "en"), (60, 18, "ja"))

        def body(size):
            lang = size[2]
            t = self.start_in(size, ["login", "-i"], env_extra=NO_CONSUMER)
            self.wait_shows(t, "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "OAuth consumer"))
            self.assertEqual(self.footer_keys(t), ["Enter", "c", "u", "b", "q"])
            screen = t.screen()
            t.keys("m")  # no message for an admin here: nothing changes
            t.keys("c")
            after = self.wait_shows(t, self.tr(
                lang, "Sent the redirect URL to your terminal's clipboard (if it allows)."))
            self.assertEqual(after.split("\n")[4:8], screen.split("\n")[4:8])
            t.keys("q")
            self.assert_exit(t, 2)
        self.each_size(body)

    def test_o_over_ssh_opens_nothing_and_says_so(self):
        bin_dir = os.path.join(self.tmp, "bin")
        os.makedirs(bin_dir)
        opener_log = os.path.join(self.tmp, "xdg-open.log")
        with open(os.path.join(bin_dir, "xdg-open"), "w") as f:
            f.write("#!/bin/sh\necho \"$@\" >> %s\n" % opener_log)
        os.chmod(os.path.join(bin_dir, "xdg-open"), 0o755)
        env = dict(SSH_ENV, PATH=bin_dir + os.pathsep + os.environ["PATH"])

        def body(size):
            lang = size[2]
            t = self.start_in(size, ["login", "-i"], env_extra=env)
            self.wait_shows(t, "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
            t.keys("Enter")
            self.wait_shows(t, self.tr(
                lang, "You are on SSH: your browser cannot reach this machine by itself."))
            t.keys("o")
            said = self.tr(lang, "bkt-auth does not open a browser here: %s. Copy the address "
                                 "(c) or show it (u) instead.") % self.tr(
                lang, "this is an SSH session without a display")
            screen = self.wait_shows(t, said)
            self.assertFalse(self.shows(screen, self.tr(lang, "Opened the browser.")), screen)
            self.assertFalse(os.path.exists(opener_log), "a program was started over SSH")
            t.keys("q")
            self.assert_exit(t, 2)
        self.each_size(body)

    # -- item 11: the Data Center check --

    def test_host_check_says_how_to_stop_and_stops(self):
        # A host that takes the connection and never answers.
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        self.addCleanup(silent.close)
        host = "127.0.0.1:%d" % silent.getsockname()[1]

        def body(size):
            lang = size[2]
            t = self.start_in(size, ["login", "-i", "--allow-http"], env_extra=DC_ENV)
            self.wait_shows(t, "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
            t.keys("Down")
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Your Bitbucket"))
            t.type("http://" + host)
            t.keys("Enter")
            asking = self.tr(lang, "Asking %s what it is (at most %d second; Esc cancels)...",
                             "Asking %s what it is (at most %d seconds; Esc cancels)...",
                             10) % (host, 10)
            self.wait_shows(t, asking)
            t.keys("Escape")
            t.wait_for(lambda s: not self.shows(s, asking))
            before = time.monotonic()
            t.keys("Enter")
            self.wait_shows(t, asking)
            self.wait_shows(t, "did not answer in time" if lang == "en" else self.tr(
                lang, "'%s' did not answer in time: check the address and your network, then "
                "try again")[6:30], timeout=14)
            self.assertLess(time.monotonic() - before, 13)
            t.keys("C-c")
            self.assert_exit(t, 2)
        self.each_size(body)

    # -- item 12: git from the Done screen --

    def test_done_screen_sets_up_git(self):
        def body(size):
            lang = size[2]
            home = os.path.join(self.tmp, "home-%s" % lang)
            os.makedirs(home, exist_ok=True)
            gitconfig = os.path.join(home, "gitconfig")
            env = {"HOME": home, "GIT_CONFIG_GLOBAL": gitconfig, "GIT_CONFIG_NOSYSTEM": "1"}
            t = self.to_sign_in(size, env_extra=env)
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Logged in"))
            self.assertIn("g", self.footer_keys(t))
            t.keys("g")
            now = self.tr(lang, "git now asks bkt-auth for %s (user %s).")
            pattern = re.escape(flat(now)).replace(re.escape("%s"), "(.+?)")
            screen = t.wait_for(lambda s: re.search(pattern, flat(s)))
            url, user = re.search(pattern, flat(screen)).groups()
            self.assertEqual(user, "x-token-auth")
            with open(gitconfig) as f:
                text = f.read()
            self.assertIn("git-credential", text)
            self.assertIn(url, text)
            t.keys("g")
            self.wait_shows(t, self.tr(lang, "git already asks bkt-auth for %s.") % url)
            t.keys("Enter")
            self.assert_exit(t, 0)
            with open(gitconfig) as f:
                self.assertEqual(f.read(), text)
        self.each_size(body)

    # -- item 9: WSL --

    def test_wsl_opens_the_windows_browser(self):
        bin_dir = windows.stand_ins(os.path.join(self.tmp, "win"), ["wslview"])

        def body(size):
            lang = size[2]
            log = os.path.join(self.tmp, "windows-%s.log" % lang)
            t = self.to_sign_in(size, env_extra=windows.wsl_env(bin_dir, log))
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Logged in"))
            calls = windows.read_log(log)
            self.assertEqual([c.get("program") for c in calls], ["wslview"], calls)
            self.assert_start_address(calls[0]["url"], "127.0.0.1", calls[0]["url"])
            t.keys("Enter")
            self.assert_exit(t, 0)
        self.each_size(body)

    def test_wsl_relay_asks_whose_login(self):
        """Under WSL the browser's connection comes through Windows' relay, whose owner
        bkt-auth cannot trace to the person: the wizard asks whether to keep the login."""
        relay_python = windows.other_user_python()
        if relay_python is None:
            self.skipTest("cannot run a relay as another user here")
        bin_dir = windows.stand_ins(os.path.join(self.tmp, "win"), ["wslview"])
        log = os.path.join(self.tmp, "windows.log")
        env = dict(windows.wsl_env(bin_dir, log), FAKE_WINDOWS_RELAY=json.dumps(relay_python))
        self.SIZES = ((80, 24, "en"),)
        lang = "en"
        t = self.to_sign_in(self.SIZES[0], env_extra=env)
        t.keys("Enter")
        question = "Logged in as alice on bitbucket.org: keep this login? (y/n)"
        screen = t.wait_for(lambda s: self.shows(s, question) or "Logged in to" in s)
        self.assertTrue(self.shows(screen, question), screen)
        self.assertEqual(self.footer(t.lines()), "y keep  n do not keep  q cancel")
        # The cursor waits after the question.
        x, y, visible = self.cursor(t)
        self.assertTrue(visible)
        self.assertIn("(y/n)", t.lines()[y])
        self.assertIsNone(self.keyring_secret(CLOUD_HOST), "stored before the answer")
        t.keys("y")
        t.wait_for("bkt-auth  ·  " + self.tr(lang, "Logged in"))
        t.keys("Enter")
        self.assert_exit(t, 0)


if __name__ == "__main__":
    harness.main()
