#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""exec: a command runs with a fresh token, and a token never goes to another host.

alice is logged in to Cloud and to a Data Center (two hosts of the fake Bitbucket, each of
which refuses the other's tokens). The stand-in bkt (tests/fake_bkt.py) does what bkt does
with BKT_HOST and BKT_TOKEN: with an active context (or -c NAME), it sends the token to that
context's host whatever BKT_HOST says. exec therefore takes bkt's context's host, and refuses,
without running bkt, where HOST, -c, --host or a URL given to 'bkt api' names another.
"""

import datetime
import hashlib
import json
import os
import sys
import time

import harness
from bkthelp import BktCase
from harness import CLOUD_HOST

SHOW_ENV = r"""
import hashlib, json, os, sys
token = os.environ.get("BKT_TOKEN", "")
with open("/proc/self/cmdline", "rb") as f:
    argv = f.read()
print(json.dumps({
    "host": os.environ.get("BKT_HOST"),
    "method": os.environ.get("BKT_AUTH_METHOD"),
    "username": os.environ.get("BKT_USERNAME"),
    "token_sha256": hashlib.sha256(token.encode()).hexdigest() if token else None,
    "token_in_argv": bool(token) and token.encode() in argv,
}))
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


class Exec(BktCase):

    def setUp(self):
        super().setUp()
        self.login_both()

    def show_env(self, *exec_args, code=0):
        """Run the environment printer under exec: (rc, what it saw, stderr)."""
        rc, out, err = self.run_bkt(["exec"] + list(exec_args)
                                    + ["--", sys.executable, "-c", SHOW_ENV, str(code)])
        self.assert_no_token_shapes(out + err, "exec's output")
        return rc, (json.loads(out) if out.strip() else None), err

    def two_contexts(self, active):
        """bkt's config.yml with a context for each host, active the one named."""
        self.write_config(
            "version: 1\n"
            "active_context: %s\n"
            "contexts:\n"
            "  cloud:\n    host: %s\n"
            "  dc:\n    host: %s\n"
            "hosts:\n"
            "  %s:\n    kind: cloud\n    base_url: http://localhost:%d/2.0\n"
            "    auth_method: oauth\n"
            "  %s:\n    kind: dc\n    base_url: %s\n    auth_method: bearer\n"
            % (active, self.cloud_key, self.dc_key, self.cloud_key, self.fake.port,
               self.dc_key, self.fake.dc_url))

    def refused(self, exec_args, bkt_args, *words):
        runs = len(self.bkt_runs())
        rc, out, err = self.run_bkt(["exec"] + list(exec_args) + ["--", "bkt"] + list(bkt_args))
        self.assertEqual(rc, 1, err)
        line = self.assert_one_error_line(err)
        for w in words:
            self.assertIn(w, line)
        self.assertEqual(len(self.bkt_runs()), runs, "bkt ran although exec refused")
        self.assert_no_token_shapes(out + err, "exec's refusal")
        return line

    def bkt_through_exec(self, exec_args, bkt_args):
        rc, out, err = self.run_bkt(["exec"] + list(exec_args) + ["--", "bkt"] + list(bkt_args))
        self.assert_no_token_shapes(out + err, "exec bkt's output")
        return rc, out, err

    # -- any command --

    def test_environment_and_status(self):
        rc, seen, err = self.show_env(CLOUD_HOST, code=7)
        self.assertEqual(rc, 7, "exec exits with the command's status")
        self.assertEqual(seen["host"], "http://localhost:%d/2.0" % self.fake.port)
        self.assertEqual(seen["method"], "bearer")
        self.assertEqual(seen["username"], "alice")
        self.assertEqual(seen["token_sha256"], sha(self.token(CLOUD_HOST)))
        self.assertFalse(seen["token_in_argv"])
        rc, seen, err = self.show_env(self.fake.dc_url)
        self.assertEqual(rc, 0, err)
        self.assertEqual(seen["host"], self.fake.dc_url)
        self.assertEqual(seen["token_sha256"], sha(self.token(self.fake.dc_url)))

    def test_token_is_fresh(self):
        self.fake.expire()
        self.fake.control(expires_in=1)
        self.ok(["refresh", CLOUD_HOST])
        self.fake.control(expires_in=None)
        expires_at = self.keyring_secret(CLOUD_HOST)["expires_at"]
        harness.wait_until(lambda: time.time() >= expires_at + 0.05, timeout=10,
                           what="the token to expire")
        before = self.fake.stats()["token_refresh"]
        rc, out, err = self.bkt_through_exec([CLOUD_HOST], ["api", "/user"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["username"], "alice")
        self.assertEqual(self.fake.stats()["token_refresh"], before + 1)

    def test_not_logged_in(self):
        rc, seen, err = self.show_env("nowhere.example.com")
        self.assertEqual(rc, 4, err)
        self.assertIsNone(seen, "the command ran")
        self.assertIn("not logged in to 'nowhere.example.com'", self.assert_one_error_line(err))
        self.ok(["logout", CLOUD_HOST])
        self.ok(["logout", self.fake.dc_url])
        rc, seen, err = self.show_env()
        self.assertEqual(rc, 4, err)
        self.assertIsNone(seen)

    def test_usage(self):
        rc, out, err = self.run_bkt(["exec", CLOUD_HOST])
        self.assertEqual(rc, 1)
        self.assertIn("after '--'", self.assert_one_error_line(err))
        rc, out, err = self.run_bkt(["exec", "--", "/nonexistent/program"])
        self.assertEqual(rc, 127)
        self.assertIn("cannot run '/nonexistent/program'", self.assert_one_error_line(err))

    def test_env_token_passes_through(self):
        # BKT_TOKEN overrides every stored login: exec changes nothing.
        env = {"BKT_TOKEN": "pat-from-the-environment", "BKT_HOST": "https://x.example.com"}
        rc, out, err = self.run_bkt(["exec", "--", sys.executable, "-c", SHOW_ENV], env_extra=env)
        self.assertEqual(rc, 0, err)
        seen = json.loads(out)
        self.assertEqual(seen["token_sha256"], sha("pat-from-the-environment"))
        self.assertEqual(seen["host"], "https://x.example.com")

    # -- bkt, without a configuration: BKT_HOST says where --

    def test_bkt_without_config_goes_to_the_named_host(self):
        rc, out, err = self.bkt_through_exec([self.fake.dc_url],
                                             ["api", "/rest/api/1.0/application-properties"])
        self.assertEqual(rc, 0, err)
        rc, out, err = self.bkt_through_exec([CLOUD_HOST], ["api", "/user"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["username"], "alice")

    # -- bkt with contexts: the context decides, and nothing else may send the token elsewhere --

    def test_active_context_decides_the_host(self):
        self.two_contexts("cloud")
        rc, out, err = self.bkt_through_exec([], ["api", "/user"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["username"], "alice")
        self.two_contexts("dc")
        rc, out, err = self.bkt_through_exec([], ["api", "/rest/api/1.0/application-properties"])
        self.assertEqual(rc, 0, err)

    def test_refuses_host_other_than_the_active_context(self):
        self.two_contexts("cloud")
        self.refused([self.fake.dc_url], ["api", "/rest/api/1.0/application-properties"],
                     "context 'cloud'", self.fake.dc_host)
        self.two_contexts("dc")
        self.refused([CLOUD_HOST], ["api", "/user"], "context 'dc'", CLOUD_HOST)

    def test_context_named_on_bkt_command_line(self):
        self.two_contexts("cloud")
        # -c picks the host when exec is given none...
        for form in (["-c", "dc"], ["-cdc"], ["--context", "dc"], ["--context=dc"]):
            with self.subTest(form=form):
                rc, out, err = self.bkt_through_exec(
                    [], form + ["api", "/rest/api/1.0/application-properties"])
                self.assertEqual(rc, 0, err)
        # ...and exec refuses when it names another host than exec's.
        self.refused([CLOUD_HOST], ["-c", "dc", "api", "/user"], "context 'dc'", CLOUD_HOST)
        self.refused([self.fake.dc_url], ["api", "/user", "--context", "cloud"], "context 'cloud'")
        self.refused([], ["-c", "nosuch", "api", "/user"], "context 'nosuch'")

    def test_refuses_host_flag_for_another_host(self):
        self.two_contexts("cloud")
        self.refused([], ["project", "list", "--host", self.fake.dc_url], "--host",
                     self.fake.dc_url)
        self.refused([], ["project", "list", "--host=%s" % self.dc_key], "--host")
        # Without a context, BKT_HOST would say where; --host still must not name another.
        os.remove(self.config_path())
        self.refused([self.fake.dc_url], ["project", "list", "--host", "bitbucket.org"],
                     "--host", "bitbucket.org")
        self.refused([CLOUD_HOST], ["project", "list", "--host", self.dc_key], "--host")

    def test_refuses_api_url_of_another_host(self):
        self.two_contexts("cloud")
        props = self.fake.dc_url + "/rest/api/1.0/application-properties"
        self.refused([], ["api", props], "'bkt api' was given", props)
        self.refused([], ["api", "https://evil.example.com/2.0/user"], "evil.example.com")
        # A URL on the context's own host goes through.
        rc, out, err = self.bkt_through_exec([], ["api", "http://localhost:%d/2.0/user"
                                                  % self.fake.port])
        self.assertEqual(rc, 0, err)

    def test_refuses_context_for_a_host_without_login(self):
        self.ok(["logout", self.fake.dc_url])
        self.two_contexts("dc")
        rc, out, err = self.run_bkt(["exec", "--", "bkt", "api", "/x"])
        self.assertEqual(rc, 4, err)
        self.assertIn("where bkt-auth has no login", self.assert_one_error_line(err))
        self.assertEqual(self.bkt_runs(), [])

    def test_damaged_config_is_refused(self):
        self.write_config("hosts: [\n")
        rc, out, err = self.run_bkt(["exec", "--", "bkt", "api", "/user"])
        self.assertEqual(rc, 1, err)
        self.assertIn(self.config_path(), self.assert_one_error_line(err))
        self.assertEqual(self.bkt_runs(), [])


class TokenJson(BktCase):

    def test_token_json(self):
        self.login_cloud()
        rc, out, err = self.run_bkt(["token", "--json"])
        self.assertEqual(rc, 0, err)
        data = json.loads(out)
        self.assertEqual(list(data), ["host", "kind", "base_url", "username", "token",
                                      "token_type", "expires_at"])
        self.assertEqual(data["host"], CLOUD_HOST)
        self.assertEqual(data["kind"], "cloud")
        self.assertEqual(data["base_url"], self.fake.url)
        self.assertEqual(data["username"], "alice")
        self.assertEqual(data["token"], self.token())
        self.assertEqual(data["token_type"], "Bearer")
        self.assertRegex(data["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        expires = self.keyring_secret(CLOUD_HOST)["expires_at"]
        when = datetime.datetime.strptime(data["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual(int(when.replace(tzinfo=datetime.timezone.utc).timestamp()), expires)
        self.assert_no_token_shapes(err, "token --json's stderr")

    def test_token_json_with_env_token(self):
        rc, out, err = self.run_bkt(["token", "--json"], env_extra={"BKT_TOKEN": " pat-123 "})
        self.assertEqual(rc, 0, err)
        data = json.loads(out)
        self.assertEqual(data["token"], "pat-123")
        self.assertIsNone(data["host"])
        self.assertIsNone(data["expires_at"])


if __name__ == "__main__":
    harness.main()
