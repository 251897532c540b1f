#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""git over HTTP with bkt-auth as the credential helper.

Real git clones from and pushes to tests/fake_git_server.py, a fake Bitbucket
that serves git through `git http-backend` and accepts only a valid access
token it issued (with the user name the platform expects). The git
configuration is a private file (GIT_CONFIG_GLOBAL); `bkt-auth setup-git`
writes it.
"""

import json
import os
import shutil
import tempfile
import time

import harness
from harness import (CLIENT_SECRET, CLOUD_HOST, DC_ENV, TESTS_DIR, BktTestCase,
                     wait_until)

FAKE_GIT_SERVER = os.path.join(TESTS_DIR, "fake_git_server.py")
CLOUD_REPO = "alice/repo.git"
DC_REPO = "bitbucket/scm/proj/repo.git"


class GitTestCase(BktTestCase):
    FAKE_PROGRAM = FAKE_GIT_SERVER

    @classmethod
    def setUpClass(cls):
        cls.git_root = tempfile.mkdtemp(prefix="bkt-git-root-")
        cls.FAKE_ARGS = ("--git-root", cls.git_root)
        try:
            super().setUpClass()
        except BaseException:
            shutil.rmtree(cls.git_root, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.git_root, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home)
        self.gitconfig = os.path.join(self.tmp, "gitconfig")
        for name in os.listdir(self.git_root):
            shutil.rmtree(os.path.join(self.git_root, name))
        seed = os.path.join(self.tmp, "seed")
        self.git(["init", "-q", "-b", "main", seed])
        with open(os.path.join(seed, "README"), "w") as f:
            f.write("hello\n")
        self.git(["-C", seed, "add", "README"])
        self.git(["-C", seed, "commit", "-q", "-m", "first"])
        for repo in (CLOUD_REPO, DC_REPO):
            self.git(["clone", "-q", "--bare", seed, os.path.join(self.git_root, repo)])

    # -- git --

    def git_env(self, extra=None):
        env = self.env(extra)
        env.update({
            "HOME": self.home,
            "GIT_CONFIG_GLOBAL": self.gitconfig,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": "Alice Example",
            "GIT_AUTHOR_EMAIL": "alice@example.com",
            "GIT_COMMITTER_NAME": "Alice Example",
            "GIT_COMMITTER_EMAIL": "alice@example.com",
        })
        for name in ("GIT_ASKPASS", "SSH_ASKPASS", "GIT_DIR", "GIT_WORK_TREE"):
            env.pop(name, None)
        return env

    def git(self, args, env_extra=None, check=True):
        """Run git to the end: (returncode, stdout, stderr)."""
        rc, out, err = harness.run(["git"] + args, self.git_env(env_extra))
        if check:
            self.assertEqual(rc, 0, "git %s failed:\n%s" % (" ".join(args), err))
        return rc, out, err

    def setup_git(self, *args, env_extra=None):
        env = self.git_env(env_extra)
        rc, out, err = harness.run([self.bin, "setup-git"] + list(args), env)
        self.assertEqual(rc, 0, "setup-git failed:\n" + err)
        self.assertEqual(out, "")
        return err

    def gitconfig_text(self):
        try:
            with open(self.gitconfig, encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def helpers(self, url):
        rc, out, _ = self.git(["config", "--global", "--get-all",
                               "credential.%s.helper" % url], check=False)
        return out.split("\n")[:-1] if rc == 0 else []

    def git_stats(self):
        status, _, body = harness.http_get(self.fake.url + "/_git_stats")
        self.assertEqual(status, 200)
        return json.loads(body)

    def clone_push(self, url, name, env_extra=None):
        """Clone url, commit, push; the pushed commit must be in the server's repo."""
        work = os.path.join(self.tmp, name)
        rc, out, err = self.git(["clone", "-q", url, work], env_extra)
        self.git(["-C", work, "commit", "-q", "--allow-empty", "-m", "from " + name],
                 env_extra)
        rc, out, err2 = self.git(["-C", work, "push", "-q", "origin", "main"], env_extra)
        _, head, _ = self.git(["-C", work, "rev-parse", "HEAD"])
        return work, head.strip(), err + err2

    def server_head(self, repo):
        _, out, _ = self.git(["--git-dir", os.path.join(self.git_root, repo),
                              "rev-parse", "main"])
        return out.strip()

    def helper(self, op, request, env_extra=None):
        """bkt-auth git-credential OP with request (a dict) on stdin."""
        text = "".join("%s=%s\n" % kv for kv in request.items()) + "\n"
        return self.run_bkt(["git-credential", op], stdin=text, env_extra=env_extra)


class SetupGit(GitTestCase):

    def test_writes_the_helper_once(self):
        self.login_cloud()
        err = self.setup_git()
        self.assertIn(self.fake.url, err)
        want = ["", "!%s git-credential" % os.path.realpath(self.bin)]
        self.assertEqual(self.helpers(self.fake.url), want)
        first = self.gitconfig_text()
        err = self.setup_git()
        self.assertIn("already", err)
        self.assertEqual(self.gitconfig_text(), first, "a second setup-git changed the file")
        err = self.setup_git(CLOUD_HOST)
        self.assertEqual(self.gitconfig_text(), first)

    def test_replaces_other_helpers_for_the_host_only(self):
        self.login_cloud()
        self.git(["config", "--global", "credential.helper", "store"])
        self.git(["config", "--global", "--add", "credential.%s.helper" % self.fake.url,
                  "cache"])
        self.setup_git()
        want = ["", "!%s git-credential" % os.path.realpath(self.bin)]
        self.assertEqual(self.helpers(self.fake.url), want)
        rc, out, _ = self.git(["config", "--global", "credential.helper"])
        self.assertEqual(out.strip(), "store", "the general helper must stay")

    def test_data_center_gets_paths(self):
        self.login_dc()
        self.setup_git(env_extra=DC_ENV)
        url = self.fake.dc_url
        self.assertEqual(self.helpers(url)[0], "")
        rc, out, _ = self.git(["config", "--global", "credential.%s.usehttppath" % url])
        self.assertEqual(out.strip(), "true")
        first = self.gitconfig_text()
        self.setup_git(self.fake.dc_host, env_extra=DC_ENV)
        self.assertEqual(self.gitconfig_text(), first)

    def test_not_logged_in(self):
        rc, out, err = harness.run([self.bin, "setup-git"], self.git_env())
        self.assertEqual(rc, 4, err)
        self.assert_one_error_line(err)
        rc, out, err = harness.run([self.bin, "setup-git", "git.example.com"], self.git_env())
        self.assertEqual(rc, 4, err)
        self.assertEqual(self.gitconfig_text(), "")


class CloneAndPush(GitTestCase):

    def test_server_needs_the_token(self):
        # Without bkt-auth, the server turns git away: it takes nothing but a valid token.
        url = "%s/%s" % (self.fake.url, CLOUD_REPO)
        rc, _, err = self.git(["clone", "-q", url, os.path.join(self.tmp, "a")], check=False)
        self.assertNotEqual(rc, 0)
        bad = url.replace("://", "://x-token-auth:at-not-a-token-0000000000000@")
        rc, _, err = self.git(["clone", "-q", bad, os.path.join(self.tmp, "b")], check=False)
        self.assertNotEqual(rc, 0)
        self.assertGreater(self.git_stats()["refused"], 0)

    def test_cloud(self):
        self.login_cloud()
        self.setup_git()
        before = self.git_stats()["accepted"]
        url = "%s/%s" % (self.fake.url, CLOUD_REPO)
        work, head, err = self.clone_push(url, "cloud")
        self.assertEqual(self.server_head(CLOUD_REPO), head)
        self.assertGreater(self.git_stats()["accepted"], before)
        secret = self.keyring_secret(CLOUD_HOST)
        self.assert_no_secret(err, [secret["access_token"], secret["refresh_token"],
                                    CLIENT_SECRET], "git's output")
        # git keeps no copy: the remote URL and the config have no token.
        for path in (self.gitconfig, os.path.join(work, ".git", "config")):
            with open(path) as f:
                self.assert_no_token_shapes(f.read(), path)

    def test_data_center(self):
        self.login_dc()
        self.setup_git(env_extra=DC_ENV)
        work, head, err = self.clone_push("%s/%s" % (self.fake.url, DC_REPO), "dc",
                                          env_extra=DC_ENV)
        self.assertEqual(self.server_head(DC_REPO), head)

    def test_cloud_and_data_center_on_one_address(self):
        # The fake is Cloud at its root and a Data Center under /bitbucket: each
        # path gets its own host's token (the other would be refused).
        self.login_cloud()
        self.login_dc()
        self.setup_git()
        _, head, _ = self.clone_push("%s/%s" % (self.fake.url, CLOUD_REPO), "cloud")
        self.assertEqual(self.server_head(CLOUD_REPO), head)
        _, head, _ = self.clone_push("%s/%s" % (self.fake.url, DC_REPO), "dc")
        self.assertEqual(self.server_head(DC_REPO), head)
        self.assertEqual(self.git_stats()["refused"], 0)

    def test_refreshes_a_stale_token_first(self):
        self.fake.control(expires_in=1)
        self.login_cloud()
        stored = self.keyring_secret(CLOUD_HOST)
        self.fake.control(expires_in=None)
        self.setup_git()
        expires = self.hosts_entries()[CLOUD_HOST]["expires_at"]
        wait_until(lambda: time.time() >= expires + 0.2, timeout=5, what="the token to age")
        _, head, _ = self.clone_push("%s/%s" % (self.fake.url, CLOUD_REPO), "cloud")
        self.assertEqual(self.server_head(CLOUD_REPO), head)
        self.assertEqual(self.fake.stats()["token_refresh_ok"], 1)
        self.assertNotEqual(self.keyring_secret(CLOUD_HOST)["access_token"],
                            stored["access_token"])
        self.assertEqual(self.git_stats()["refused"], 0)

    def test_rejected_token_is_refreshed_not_erased(self):
        self.login_cloud()
        self.setup_git()
        url = "%s/%s" % (self.fake.url, CLOUD_REPO)
        work = os.path.join(self.tmp, "w")
        self.git(["clone", "-q", url, work])
        stored = self.keyring_secret(CLOUD_HOST)["access_token"]
        # The server now refuses every token it gave out, though bkt-auth thinks it is valid.
        self.fake.expire()
        rc, _, err = self.git(["-C", work, "fetch", "-q"], check=False)
        self.assertNotEqual(rc, 0, "the fetch should have been refused")
        # git said `erase`: bkt-auth kept the login and refreshed the token.
        self.assertIn(CLOUD_HOST, self.hosts_entries())
        self.assertEqual(self.fake.stats()["token_refresh_ok"], 1)
        self.assertNotEqual(self.keyring_secret(CLOUD_HOST)["access_token"], stored)
        self.git(["-C", work, "fetch", "-q"])


class HelperProtocol(GitTestCase):
    """bkt-auth git-credential spoken to directly, as git would."""

    def setUp(self):
        super().setUp()
        self.login_cloud()
        self.secret = self.keyring_secret(CLOUD_HOST)
        self.access = self.secret["access_token"]
        self.request = {"protocol": "http", "host": "127.0.0.1:%d" % self.fake.port}

    def parse(self, out):
        return dict(line.split("=", 1) for line in out.splitlines())

    def test_get(self):
        rc, out, err = self.helper("get", dict(self.request, path=CLOUD_REPO))
        self.assertEqual(rc, 0, err)
        got = self.parse(out)
        self.assertEqual(got["username"], "x-token-auth")
        self.assertEqual(got["password"], self.access)
        expiry = int(got["password_expiry_utc"])
        self.assertAlmostEqual(expiry, self.hosts_entries()[CLOUD_HOST]["expires_at"], delta=2)
        self.assertEqual(err, "")

    def test_unknown_hosts_get_nothing(self):
        for request in ({"protocol": "https", "host": "example.com"},
                        {"protocol": "https", "host": self.request["host"]},
                        {"protocol": "http", "host": "127.0.0.1:1"},
                        {"protocol": "ssh", "host": self.request["host"]},
                        {}):
            with self.subTest(request=request):
                rc, out, err = self.helper("get", request)
                self.assertEqual((rc, out), (0, ""), err)
                self.assert_no_secret(err, [self.access])

    def test_data_center_user_and_path(self):
        self.login_dc()
        dc = self.keyring_secret(self.fake.dc_host)["access_token"]
        rc, out, err = self.helper("get", dict(self.request, path=DC_REPO))
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.parse(out), dict(self.parse(out), username="alice", password=dc))
        # Without a path, the address's own host (Cloud here) answers.
        rc, out, err = self.helper("get", self.request)
        self.assertEqual(self.parse(out)["password"], self.access)

    def test_store_does_nothing(self):
        rc, out, err = self.helper("store", dict(self.request, username="x-token-auth",
                                                 password="something-else-000000"))
        self.assertEqual((rc, out, err), (0, "", ""))
        self.assertEqual(self.keyring_secret(CLOUD_HOST), self.secret)

    def test_erase_of_another_password_changes_nothing(self):
        rc, out, err = self.helper("erase", dict(self.request, username="x-token-auth",
                                                 password="at-someone-elses-0000000000000"))
        self.assertEqual((rc, out), (0, ""), err)
        self.assertEqual(self.keyring_secret(CLOUD_HOST), self.secret)
        self.assertEqual(self.fake.stats()["token_refresh"], 0)

    def test_erase_of_the_stored_token_refreshes(self):
        rc, out, err = self.helper("erase", dict(self.request, username="x-token-auth",
                                                 password=self.access))
        self.assertEqual((rc, out), (0, ""), err)
        self.assertEqual(self.fake.stats()["token_refresh_ok"], 1)
        new = self.keyring_secret(CLOUD_HOST)
        self.assertNotEqual(new["access_token"], self.access)
        self.assertIn(CLOUD_HOST, self.hosts_entries())
        self.assert_no_secret(err, [self.access, new["access_token"], new["refresh_token"]])
        rc, out, err = self.helper("get", self.request)
        self.assertEqual(self.parse(out)["password"], new["access_token"])

    def test_env_token(self):
        env = {"BKT_TOKEN": "env-token-0123456789abcdef"}
        rc, out, err = self.helper("get", self.request, env_extra=env)
        self.assertEqual(self.parse(out), {"username": "x-token-auth",
                                           "password": env["BKT_TOKEN"]})
        rc, out, err = self.helper("get", {"protocol": "https", "host": "example.com"},
                                   env_extra=env)
        self.assertEqual((rc, out), (0, ""), "BKT_TOKEN went to a host that is not ours")

    def test_expired_session_says_so(self):
        self.fake.control(expires_in=1)
        self.login_cloud()
        stored = self.keyring_secret(CLOUD_HOST)
        expires = self.hosts_entries()[CLOUD_HOST]["expires_at"]
        wait_until(lambda: time.time() >= expires + 0.2, timeout=5, what="the token to age")
        self.fake.reset()  # the fake forgets every token: the refresh token is refused
        rc, out, err = self.helper("get", self.request)
        self.assertEqual((rc, out), (4, ""), err)
        line = self.assert_one_error_line(err)
        self.assertIn("bkt-auth login", line)
        self.assert_no_secret(err, [stored["access_token"], stored["refresh_token"]])
        self.assertIn(CLOUD_HOST, self.hosts_entries(), "a failed get must not log out")

    def test_usage(self):
        rc, out, err = self.run_bkt(["git-credential"])
        self.assertEqual((rc, out), (1, ""))
        self.assert_one_error_line(err)
        # Operations git may add later are ignored, as gitcredentials(7) asks.
        rc, out, err = self.helper("capability", self.request)
        self.assertEqual((rc, out, err), (0, "", ""))
        rc, out, err = self.run_bkt(["git-credential", "get"], stdin="no equals sign\n\n")
        self.assertEqual((rc, out), (1, ""))
        self.assert_one_error_line(err)


if __name__ == "__main__":
    harness.main()
