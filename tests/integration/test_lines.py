#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Line mode's small edges: when the clock starts, what the waiting line
offers, the Windows browser under WSL, a mistyped command, Ctrl-C at a
prompt, and the Data Center check of interactive line mode."""

import os
import socket
import time

import harness
from harness import DC_ENV
from tmux import WizardTestCase
import windows

GERMAN = {"LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8", "LANGUAGE": None,
          "BKT_AUTH_LOCALEDIR": os.path.join(os.environ.get("BKT_BUILD_DIR", ""), "po")}


def silent_host(test):
    """A host that takes connections and never answers: its host:port."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    test.addCleanup(s.close)
    return "127.0.0.1:%d" % s.getsockname()[1]


class Lines(WizardTestCase):

    # -- the waiting line --

    def test_clock_starts_with_the_address(self):
        p = self.start(self.cloud_login_args("--no-browser", "--timeout", "2"))
        p.wait_line(self.is_authorize_url, what="the address")
        p.wait_line(lambda l: l.startswith("Waiting for the browser"), what="the waiting line")
        shown = time.monotonic()
        rc, _out, err = p.finish()
        self.assertEqual(rc, 1, err)
        self.assertGreaterEqual(time.monotonic() - shown, 1.5)
        self.assertIn("did not come back in time", err)

    def test_no_paste_offered_without_a_terminal(self):
        for name, stdin in (("/dev/null", None), ("a pipe", "")):
            with self.subTest(stdin=name):
                rc, _out, err = self.run_bkt(self.cloud_login_args("--no-browser", "--timeout",
                                                                   "1"), stdin=stdin)
                self.assertEqual(rc, 1, err)
                waiting = [l for l in err.splitlines() if l.startswith("Waiting for the browser")]
                self.assertEqual(waiting, ["Waiting for the browser (up to 1 minute). Ctrl-C "
                                           "cancels."], err)
                self.assertNotIn("paste", err)

    def test_redirect_advice_while_waiting(self):
        rc, _out, err = self.run_bkt(self.dc_login_args("--no-browser", "--timeout", "1"),
                                     env_extra=DC_ENV)
        self.assertEqual(rc, 1, err)
        self.assertIn("If the browser shows an error about the redirect, the application "
                      "link's Redirect URL must be exactly %s." % self.fake.dc_redirect, err)

    # -- the Windows browser under WSL --

    def test_wsl_opens_the_windows_browser(self):
        for program in windows.PROGRAMS:
            with self.subTest(program=program):
                self.clear_keyring()
                bin_dir = windows.stand_ins(os.path.join(self.tmp, program), [program])
                log = os.path.join(self.tmp, program + ".log")
                rc, _out, err = self.run_bkt(self.cloud_login_args(),
                                             env_extra=windows.wsl_env(bin_dir, log))
                calls = windows.read_log(log)
                self.assertEqual(rc, 0, "%s\n%s" % (err, calls))
                self.assertEqual([c.get("program") for c in calls], [program], calls)
                # The start address, which has nothing cmd.exe would take for its own (the
                # escaping is the browser unit test's).
                url = calls[0]["url"]
                self.assert_start_address(url, "127.0.0.1", url)
                self.assertIn("Opened the browser", err)
                self.assertIsNotNone(self.keyring_secret(harness.CLOUD_HOST))

    def test_wsl_by_its_kernel_or_interop_too(self):
        # WSL_INTEROP alone marks WSL as well (the kernel's release is the third sign).
        bin_dir = windows.stand_ins(os.path.join(self.tmp, "w"), ["wslview"])
        log = os.path.join(self.tmp, "w.log")
        env = dict(windows.wsl_env(bin_dir, log), WSL_DISTRO_NAME=None,
                   WSL_INTEROP="/run/WSL/1_interop")
        rc, _out, err = self.run_bkt(self.cloud_login_args(), env_extra=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual([c["program"] for c in windows.read_log(log)], ["wslview"])
        # Not under WSL, the stand-ins are not used.
        env = dict(env, WSL_INTEROP=None)
        rc, _out, err = self.run_bkt(self.cloud_login_args("--timeout", "1"), env_extra=env)
        self.assertEqual(rc, 1, err)
        self.assertEqual(len(windows.read_log(log)), 1)

    # -- commands --

    def test_mistyped_command_suggests_the_nearest(self):
        for typed, meant in (("stauts", "status"), ("logn", "login"), ("tokne", "token"),
                             ("setup-gti", "setup-git")):
            with self.subTest(typed=typed):
                rc, out, err = self.run_bkt([typed])
                self.assertEqual(rc, 1)
                self.assertEqual(out, "")
                self.assertEqual(err, "bkt-auth: unknown command '%s': did you mean '%s'? See "
                                      "'bkt-auth --help'\n" % (typed, meant))
        rc, _out, err = self.run_bkt(["frobnicate"])
        self.assertEqual(err, "bkt-auth: unknown command 'frobnicate': see 'bkt-auth --help'\n")
        rc, _out, err = self.run_bkt(["stauts"], env_extra=GERMAN)
        self.assertEqual(err, "bkt-auth: unbekannter Befehl 'stauts': meinten Sie 'status'? "
                              "Siehe 'bkt-auth --help'\n")

    # -- prompts, on a terminal (what bkt-auth says goes to the stderr file, the prompts to
    # the terminal) --

    def test_ctrl_c_at_the_token_prompt_cancels(self):
        for host, prompt in (("bitbucket.org", "Atlassian e-mail"),
                             ("https://git.example.com", "Token (not shown):")):
            with self.subTest(host=host):
                t = self.tmux_start(["login", host, "--with-token"])
                t.wait_for(prompt)
                t.keys("C-c")
                self.assert_exit(t, 2)
                self.assertIn("bkt-auth: login cancelled", t.stderr_text())
        # At the second question too.
        t = self.tmux_start(["login", "--with-token"])
        t.wait_for("Atlassian e-mail")
        t.keys("Enter")
        t.wait_for("Token (not shown):")
        t.keys("C-c")
        self.assert_exit(t, 2)

    # -- the Data Center check of interactive line mode --

    def dumb_login(self, host):
        return self.tmux_start(["login", host, "--kind", "dc", "--allow-http"],
                               env_extra=dict(DC_ENV, TERM="dumb"))

    def test_dc_check_says_ctrl_c_cancels(self):
        host = silent_host(self)
        t = self.dumb_login("http://" + host)
        said = "Asking %s what it is (at most 10 seconds; Ctrl-C cancels)...\n" % host
        harness.wait_until(lambda: t.stderr_text() == said, what=repr(said))
        t.keys("C-c")
        self.assert_exit(t, 2)
        self.assertIn("bkt-auth: login cancelled", t.stderr_text())

    def test_dc_check_gives_up_on_a_silent_host(self):
        host = silent_host(self)
        before = time.monotonic()
        t = self.dumb_login("http://" + host)
        self.assert_exit(t, 1, timeout=14)
        self.assertLess(time.monotonic() - before, 13)
        self.assertIn("did not answer in time", t.stderr_text())

    def test_dc_check_then_credentials(self):
        t = self.dumb_login(self.fake.dc_url)
        said = "%s runs Bitbucket Data Center" % self.fake.dc_host
        harness.wait_until(lambda: said in t.stderr_text(), what=repr(said))
        t.wait_for("Client ID:")
        t.keys("C-c")
        self.assert_exit(t, 2)
        self.assertGreaterEqual(self.fake.stats()["app_props"], 1)


if __name__ == "__main__":
    harness.main()
