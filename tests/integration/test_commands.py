#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""status, token, refresh, logout, BKT_TOKEN, --with-token and usage errors."""

import json
import os
import re

import harness
from harness import CLIENT_SECRET, CLOUD_HOST, DC_ENV, TESTS_DIR, USER_EMAIL, BktTestCase

DC_PAT = "pat-dc-0123456789abcdefghijklmnop"
CLOUD_API_TOKEN = "ATATT3xFfGF0-cloud-api-token-0123456789"


class AfterLogin(BktTestCase):
    """Commands on a stored Cloud login."""

    def setUp(self):
        super().setUp()
        self.login_cloud()
        self.secret = self.keyring_secret(CLOUD_HOST)
        self.assertIsNotNone(self.secret)
        self.access = self.secret["access_token"]
        self.secrets = [self.access, self.secret["refresh_token"], CLIENT_SECRET]

    def test_status_text(self):
        for args in (["status"], ["status", CLOUD_HOST], []):
            with self.subTest(args=args):
                rc, out, err = self.run_bkt(args)
                self.assertEqual(rc, 0, err)
                self.assertEqual(out, "", "status without --json writes for people: stderr")
                self.assertIn(CLOUD_HOST, err)
                self.assertIn("alice", err)
                self.assertIn("Alice Example", err)
                self.assertIn("Secret Service", err)
                self.assert_no_secret(err, self.secrets, "status")
        # One block per host, read like `gh auth status`.
        rc, out, err = self.run_bkt(["status"])
        self.assertIn("\u2713 Logged in to %s account alice (Alice Example) (keyring)"
                      % CLOUD_HOST, err)
        self.assertIn("- Active account: true", err)
        self.assertIn("- Token scopes: 'account', 'repository'", err)
        self.assertIn("- Token: %s****" % self.access[:4], err)

    def test_status_json(self):
        rc, out, err = self.run_bkt(["status", "--json"])
        self.assertEqual(rc, 0, err)
        data = json.loads(out)
        self.assertIsInstance(data["hosts"], list)
        self.assertEqual(len(data["hosts"]), 1)
        h = data["hosts"][0]
        for key in ("host", "kind", "username", "display_name", "auth", "storage",
                    "expires_at", "scopes"):
            self.assertIn(key, h)
        self.assertEqual(h["host"], CLOUD_HOST)
        self.assertEqual(h["kind"], "cloud")
        self.assertEqual(h["username"], "alice")
        self.assertEqual(sorted(h["scopes"]), ["account", "repository"])
        self.assertNotIn("token", h)
        self.assert_no_secret(out + err, self.secrets, "status --json")

    def test_status_json_is_the_documented_schema(self):
        with open(os.path.join(TESTS_DIR, "..", "docs", "status-json.md"),
                  encoding="utf-8") as f:
            doc = f.read()
        def fields(section):
            text = doc.split("## " + section, 1)[1].split("\n## ", 1)[0]
            rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", text, re.M)
            return {name: "optional" in kind for name, kind in rows}
        top, host = fields("The object"), fields("A host")
        rc, out, err = self.run_bkt(["status", "--json", "--show-token"])
        self.assertEqual(rc, 0, err)
        data = json.loads(out)
        self.assertEqual(data["version"], 1)
        self.assertEqual(set(data), set(top))
        h = data["hosts"][0]
        self.assertLessEqual(set(h), set(host), "undocumented fields")
        self.assertLessEqual({k for k, optional in host.items() if not optional}, set(h))
        self.assertIs(h["active"], True)
        # Each account has the host's fields but "accounts"; the active one is the host's own.
        one = {k for k, optional in host.items() if not optional} - {"accounts"}
        self.assertEqual(len(h["accounts"]), 1)
        for a in h["accounts"]:
            self.assertLessEqual(set(a), set(host) - {"accounts"}, "undocumented fields")
            self.assertLessEqual(one, set(a))
        self.assertEqual(h["accounts"][0], {k: v for k, v in h.items() if k != "accounts"})
        # The example in the document is of that schema too.
        example = json.loads(doc.split("```json\n", 1)[1].split("```", 1)[0])
        self.assertEqual(set(example), set(top))
        for eh in example["hosts"]:
            self.assertLessEqual(set(eh), set(host))
            for a in eh["accounts"]:
                self.assertLessEqual(set(a), set(host) - {"accounts"})

    def test_show_token(self):
        rc, out, err = self.run_bkt(["status", "--show-token"])
        self.assertEqual(rc, 0, err)
        self.assertIn(self.access, out + err)
        self.assert_no_secret(out + err, [self.secret["refresh_token"], CLIENT_SECRET])
        rc, out, err = self.run_bkt(["status", "--json", "--show-token"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["hosts"][0]["token"], self.access)

    def test_token(self):
        rc, out, err = self.run_bkt(["token"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, self.access + "\n")
        self.assert_no_secret(err, self.secrets, "token's stderr")
        rc, out, err = self.run_bkt(["token", CLOUD_HOST])
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, self.access + "\n")

    def test_token_loads_neither_the_http_stack_nor_the_wizard(self):
        # Handing out a valid token is one keyring lookup: libcurl and its TLS stack are
        # loaded only when a request is made. LD_DEBUG lists every library the loader opens.
        rc, out, err = self.run_bkt(["token"], env_extra={"LD_DEBUG": "files"})
        self.assertEqual(rc, 0, err)
        self.assertIn("libsecret", err, "LD_DEBUG printed nothing: the check would be blind")
        self.assertNotIn("libcurl", err)
        # Nor the wizard and ncurses, which only the full screen needs.
        self.assertNotIn("bkt-auth-wizard", err)
        self.assertNotIn("curses", err)
        self.assertNotIn("libtinfo", err)
        # A refresh does load it, so the check above can see it when it happens.
        rc, out, err = self.run_bkt(["refresh"], env_extra={"LD_DEBUG": "files"})
        self.assertEqual(rc, 0, err)
        self.assertIn("libcurl", err)

    def test_refresh(self):
        rc, out, err = self.run_bkt(["refresh"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "")
        stats = self.fake.stats()
        self.assertEqual(stats["token_refresh"], 1, stats)
        self.assertEqual(stats["token_refresh_ok"], 1, stats)
        new = self.keyring_secret(CLOUD_HOST)
        self.assertNotEqual(new["access_token"], self.access)
        self.assertNotEqual(new["refresh_token"], self.secret["refresh_token"])
        self.assertEqual(self.token(), new["access_token"])
        self.assert_no_secret(err, self.secrets + [new["access_token"],
                                                   new["refresh_token"]], "refresh")

    def test_logout(self):
        rc, out, err = self.run_bkt(["logout"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "")
        self.assertIsNone(self.keyring_secret(CLOUD_HOST))
        self.assertNotIn(CLOUD_HOST, self.hosts_entries())
        self.assert_not_stored(CLOUD_HOST)
        for args in (["status"], ["token"], ["status", CLOUD_HOST], ["token", CLOUD_HOST]):
            with self.subTest(args=args):
                rc, out, err = self.run_bkt(args)
                self.assertEqual(rc, 4, err)
                self.assertNotIn(self.access, out)

    def test_env_token_overrides_stored(self):
        rc, out, err = self.run_bkt(["token"], env_extra={"BKT_TOKEN": "env-token-x"})
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "env-token-x\n")


class NotLoggedIn(BktTestCase):

    def test_commands_exit_4(self):
        for args in (["status"], ["token"], ["refresh"], ["logout"],
                     ["token", CLOUD_HOST], ["logout", CLOUD_HOST]):
            with self.subTest(args=args):
                rc, out, err = self.run_bkt(args)
                self.assertEqual(rc, 4, err)
                self.assertNotEqual(err.strip(), "", "no sentence on stderr")

    def test_env_token(self):
        env = {"BKT_TOKEN": "env-token-x"}
        rc, out, err = self.run_bkt(["token"], env_extra=env)
        self.assertEqual((rc, out), (0, "env-token-x\n"), err)

        rc, out, err = self.run_bkt(["status"], env_extra=env)
        self.assertEqual(rc, 0, err)
        self.assertIn("BKT_TOKEN", err)
        self.assertNotIn("env-token-x", out + err)

        rc, out, err = self.run_bkt(self.cloud_login_args(), env_extra=env)
        self.assertEqual(rc, 1, err)
        self.assertIn("BKT_TOKEN", err)
        self.assertEqual(self.fake.stats()["authorize"], 0)
        self.assertEqual(self.browser_urls(), [])
        self.assert_not_stored(CLOUD_HOST)

    def test_with_token_dc_pat(self):
        self.fake.control(api_tokens=[DC_PAT])
        args = ["login", self.fake.dc_url, "--kind", "dc", "--allow-http", "--with-token"]
        rc, out, err = self.run_bkt(args, stdin=DC_PAT + "\n", env_extra=DC_ENV)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "")
        self.assertIn("alice", err)
        self.assert_no_secret(err, [DC_PAT], "login's stderr")
        key = self.fake.dc_host
        self.assertEqual(self.keyring_secret(key)["access_token"], DC_PAT)
        self.assertIn(key, self.hosts_entries())
        self.assert_no_secret(self.hosts_json_text(), [DC_PAT], "hosts.json")
        self.assertEqual(self.token(key, env_extra=DC_ENV), DC_PAT)
        self.assertEqual(self.token(env_extra=DC_ENV), DC_PAT)
        self.assertEqual(self.fake.stats()["authorize"], 0)

    def test_with_token_cloud_api_token(self):
        self.fake.control(api_tokens=[CLOUD_API_TOKEN])
        before = self.fake.stats()["user"]
        rc, out, err = self.run_bkt(["login", "--with-token", "--json"],
                                    stdin="%s\n%s\n" % (USER_EMAIL, CLOUD_API_TOKEN))
        self.assertEqual(rc, 0, err)
        result = json.loads(out)
        self.assertEqual(result["host"], CLOUD_HOST)
        self.assertEqual(result["username"], "alice")
        self.assert_no_secret(out + err, [CLOUD_API_TOKEN], "login's output")
        self.assertGreater(self.fake.stats()["user"], before, "the token was not checked")
        self.assertEqual(self.keyring_secret(CLOUD_HOST)["access_token"], CLOUD_API_TOKEN)
        self.assert_no_secret(self.hosts_json_text(), [CLOUD_API_TOKEN], "hosts.json")
        rc, out, err = self.run_bkt(["status"])
        self.assertEqual(rc, 0, err)
        self.assertIn("alice", err)

    def test_with_token_rejected(self):
        self.fake.control(api_tokens=[DC_PAT, CLOUD_API_TOKEN])
        cases = [
            ("dc", ["login", self.fake.dc_url, "--kind", "dc", "--allow-http",
                    "--with-token"], "pat-wrong-000000000000000\n", self.fake.dc_host,
             DC_ENV),
            ("cloud", ["login", "--with-token"],
             "%s\nATATT-wrong-0000000000000000\n" % USER_EMAIL, CLOUD_HOST, None),
        ]
        for name, args, stdin, key, env in cases:
            with self.subTest(kind=name):
                rc, out, err = self.run_bkt(args, stdin=stdin, env_extra=env)
                self.assertEqual(rc, 1, err)
                self.assertEqual(out, "")
                self.assert_one_error_line(err)
                self.assertNotIn("wrong-0000", err)
                self.assert_not_stored(key)

    def test_usage_errors(self):
        for args in (["no-such-command"], ["status", "--no-such-option"],
                     ["token", "--no-such-option"], ["login", "--no-such-option"],
                     ["login", "--kind", "neither"], ["token", CLOUD_HOST, "extra-host"]):
            with self.subTest(args=args):
                rc, out, err = self.run_bkt(args)
                self.assertEqual(rc, 1, err)
                self.assertEqual(out, "")
                self.assert_one_error_line(err)
        self.assertEqual(self.fake.stats()["authorize"], 0)


class TwoHosts(BktTestCase):

    def setUp(self):
        super().setUp()
        self.login_cloud()
        self.login_dc()
        self.cloud = self.keyring_secret(CLOUD_HOST)["access_token"]
        self.dc = self.keyring_secret(self.fake.dc_host)["access_token"]
        self.assertNotEqual(self.cloud, self.dc)

    def test_host_omitted(self):
        # Outside a repository, token and refresh take the host logged in to last...
        rc, out, err = self.run_bkt(["token"], env_extra=DC_ENV)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.strip(), self.dc)
        rc, out, err = self.run_bkt(["refresh"], env_extra=DC_ENV)
        self.assertEqual(rc, 0, err)
        self.assertIn(self.fake.dc_host, err)
        self.assertEqual(self.fake.stats()["token_refresh"], 1)
        # ...but logout does not guess: it names the logins there are.
        rc, out, err = self.run_bkt(["logout"], env_extra=DC_ENV)
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertIn(CLOUD_HOST, err)
        self.assertIn(self.fake.dc_host, err)
        # Nothing was logged out; Cloud was not refreshed.
        self.assertEqual(self.keyring_secret(CLOUD_HOST)["access_token"], self.cloud)
        self.assertIsNotNone(self.keyring_secret(self.fake.dc_host))

    def test_status_lists_both(self):
        rc, out, err = self.run_bkt(["status", "--json"])
        self.assertEqual(rc, 0, err)
        hosts = sorted(h["host"] for h in json.loads(out)["hosts"])
        self.assertEqual(hosts, sorted([CLOUD_HOST, self.fake.dc_host]))

    def test_named_host_gets_its_own_token(self):
        self.assertEqual(self.token(CLOUD_HOST), self.cloud)
        self.assertEqual(self.token(self.fake.dc_host, env_extra=DC_ENV), self.dc)
        # BKT_CLOUD_URL (set for Cloud here) must not hand the Cloud token to
        # the Data Center named on the command line.
        got = self.token(self.fake.dc_host)
        self.assertTrue(got == self.dc, "`token %s` printed the %s token"
                        % (self.fake.dc_host,
                           "Cloud" if got == self.cloud else "wrong"))


if __name__ == "__main__":
    harness.main()
