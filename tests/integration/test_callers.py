#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The caller contract of docs/callers.md, tested with a caller (tests/integration/caller.py).

In tmux, the caller runs `bkt-auth login --web --interactive --json HOST` with stdin and
stdout as pipes: the wizard draws on the terminal, the keys come from the terminal, and
stdout carries the JSON result alone; then `token --json`. Without a controlling terminal,
--interactive fails at once with one sentence and exit 1, and --no-interactive logs in line
by line.
"""

import hashlib
import json
import os
import subprocess
import sys

import harness
from harness import CLOUD_HOST
from tmux import Tmux, WizardTestCase

CALLER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "caller.py")


class Callers(WizardTestCase):

    def result(self, path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def test_wizard_through_a_caller(self):
        result = os.path.join(self.tmp, "caller.json")
        t = Tmux(self.tmp)
        self.addCleanup(t.kill)
        t.start([sys.executable, CALLER, self.bin, result, CLOUD_HOST],
                self.terminal_env(), 90, 28)
        # The wizard, on the caller's terminal.
        t.wait_for("Press Enter to open the browser.")
        t.keys("Enter")
        screen = t.wait_for("bkt-auth  ·  Logged in")
        self.assert_no_token_shapes(screen, "the wizard's screen")
        t.keys("Enter")
        self.assertEqual(t.exit_code(), 0, t.stderr_text())
        got = harness.wait_until(lambda: os.path.exists(result) and self.result(result),
                                 what="the caller's result")
        login = got["login"]
        self.assertEqual(login["rc"], 0, login["stderr"])
        # stdout is the JSON result and nothing else; people's lines went elsewhere.
        self.assertEqual(json.loads(login["stdout"]), got["login_json"])
        self.assertEqual(login["stdout"].strip()[0], "{")
        self.assertEqual(got["login_json"]["host"], CLOUD_HOST)
        self.assertEqual(got["login_json"]["username"], "alice")
        self.assertNotIn("token", got["login_json"])
        self.assert_no_token_shapes(json.dumps(got), "what the caller saw")
        # token --json hands over the token the caller can cache until expires_at.
        token = got["token"]
        self.assertEqual(token["rc"], 0, token["stderr"])
        data = got["token_json"]
        self.assertEqual((data["host"], data["kind"], data["token_type"]),
                         (CLOUD_HOST, "cloud", "Bearer"))
        self.assertEqual(data["token_sha256"], hashlib.sha256(self.token().encode()).hexdigest())
        self.assertEqual(data["expires_at"], got["login_json"]["expires_at"])

    def caller_without_terminal(self, *options):
        result = os.path.join(self.tmp, "caller-%d.json" % len(options))
        # A new session has no controlling terminal: what a program started by a service
        # or a GUI gets.
        cp = subprocess.run([sys.executable, CALLER, self.bin, result, CLOUD_HOST] + list(options),
                            env=self.env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=harness.COMMAND_TIMEOUT * 2,
                            start_new_session=True)
        self.assertEqual(cp.returncode, 0, cp.stderr.decode("utf-8", "replace"))
        return self.result(result)

    def test_no_terminal_interactive_fails_at_once(self):
        got = self.caller_without_terminal("--web", "--interactive")
        login = got["login"]
        self.assertEqual(login["rc"], 1, login["stderr"])
        self.assertEqual(login["stdout"], "")
        self.assertLess(login["seconds"], 10, "it waited for something")
        line = self.assert_one_error_line(login["stderr"])
        self.assertIn("--interactive needs a terminal", line)
        self.assertIn("--no-interactive", line)
        self.assertEqual(self.browser_urls(), [], "a browser was started")
        self.assertFalse(os.path.exists(self.hosts_json_path()))

    def test_no_terminal_line_mode(self):
        got = self.caller_without_terminal("--web", "--no-interactive")
        self.assertEqual(got["login"]["rc"], 0, got["login"]["stderr"])
        self.assertEqual(got["login_json"]["host"], CLOUD_HOST)
        self.assertIn("Logged in to bitbucket.org as alice", got["login"]["stderr"])
        self.assertEqual(got["token_json"]["token_sha256"],
                         hashlib.sha256(self.token().encode()).hexdigest())


if __name__ == "__main__":
    harness.main()
