#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Several hosts, several accounts: the right token without naming the host.

alice and bob on one Data Center and alice on Cloud, through the fake
Bitbucket: switch, -u, git with a user name, logging out one account while
the other stays, the host taken from a repository's HTTPS and SSH remotes
(an SSH alias through `ssh -G`), and the sentence for remotes that lead to
two stored hosts.
"""

import json
import os
import stat
import subprocess

import harness
from harness import CLOUD_HOST, DC_ENV, BktTestCase

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
           "GIT_TERMINAL_PROMPT": "0"}


class Accounts(BktTestCase):

    def setUp(self):
        super().setUp()
        self.bin_dir = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin_dir)

    # -- helpers --

    def env(self, extra=None):
        env = super().env(extra)
        env.update(GIT_ENV)
        env["PATH"] = self.bin_dir + os.pathsep + env.get("PATH", "")
        return env

    def login_dc_as(self, user, *extra):
        out, err = self.login_dc(*extra, env_extra={"FAKE_BROWSER_USER": user})
        return err

    def dc_token(self, *args, cwd=None):
        return self.run_in(["token"] + list(args), cwd=cwd, env_extra=DC_ENV)

    def run_in(self, args, cwd=None, env_extra=None, stdin=None):
        cp = subprocess.run([self.bin] + args, cwd=cwd or self.tmp, env=self.env(env_extra),
                            input=(stdin or "").encode(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=harness.COMMAND_TIMEOUT)
        return (cp.returncode, cp.stdout.decode("utf-8", "replace"),
                cp.stderr.decode("utf-8", "replace"))

    def ok(self, args, cwd=None, env_extra=None, stdin=None):
        rc, out, err = self.run_in(args, cwd=cwd, env_extra=env_extra, stdin=stdin)
        self.assertEqual(rc, 0, "%s: %s" % (args, err))
        return out, err

    def secret_of(self, host, account):
        cp = subprocess.run(["secret-tool", "lookup", "host", host, "account", account],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, timeout=harness.COMMAND_TIMEOUT)
        text = cp.stdout.decode("utf-8", "replace").strip()
        return json.loads(text) if cp.returncode == 0 and text else None

    def alice_and_bob(self):
        self.login_dc_as("alice")
        self.login_dc_as("bob")
        accounts = self.hosts_accounts(self.fake.dc_host)
        self.assertEqual(sorted(a["username"] for a in accounts.values()), ["alice", "bob"])
        ids = {a["username"]: k for k, a in accounts.items()}
        return ids["alice"], ids["bob"]

    def stand_in(self, name, script):
        path = os.path.join(self.bin_dir, name)
        with open(path, "w") as f:
            f.write(script)
        os.chmod(path, stat.S_IRWXU)

    def repo(self, *remotes, upstream=None):
        """A git repository whose remotes are (name, url) pairs."""
        path = os.path.join(self.tmp, "repo-%d" % len(os.listdir(self.tmp)))
        env = dict(os.environ, **GIT_ENV)
        subprocess.run(["git", "init", "-q", "-b", "main", path], env=env, check=True)
        for name, url in remotes:
            subprocess.run(["git", "-C", path, "remote", "add", name, url], env=env, check=True)
        if upstream is not None:
            subprocess.run(["git", "-C", path, "config", "branch.main.remote", upstream],
                           env=env, check=True)
        return path

    # -- several accounts on one host --

    def test_accounts_switch_and_user(self):
        alice, bob = self.alice_and_bob()
        accounts = self.hosts_accounts(self.fake.dc_host)
        self.assertTrue(accounts[bob]["active"], "the newest login is active")
        a_token = self.secret_of(self.fake.dc_host, alice)["access_token"]
        b_token = self.secret_of(self.fake.dc_host, bob)["access_token"]
        self.assertNotEqual(a_token, b_token)
        self.assertEqual(self.dc_token()[1].strip(), b_token)
        self.assertEqual(self.dc_token("-u", "alice")[1].strip(), a_token)
        self.assertEqual(self.dc_token("--user", alice)[1].strip(), a_token)
        rc, out, err = self.dc_token("-u", "carol")
        self.assertEqual(rc, 4, err)
        self.assertIn("alice", self.assert_one_error_line(err))

        # Two accounts: switch goes to the other one.
        out, err = self.ok(["switch"], env_extra=DC_ENV)
        self.assertIn("alice", err)
        self.assertEqual(self.dc_token()[1].strip(), a_token)
        self.ok(["switch", self.fake.dc_url, "-u", "bob"], env_extra=DC_ENV)
        self.assertEqual(self.dc_token()[1].strip(), b_token)

        # The same person again replaces that login, and says so.
        err = self.login_dc_as("bob")
        self.assertIn("Already logged in to %s as bob: replacing that login" % self.fake.dc_host,
                      err)
        self.assertEqual(len(self.hosts_accounts(self.fake.dc_host)), 2)

        # A third account: switch without -u asks, and without a terminal says which there are.
        self.login_dc_as("mallory")
        rc, out, err = self.run_in(["switch"], env_extra=DC_ENV)
        self.assertEqual(rc, 1, err)
        line = self.assert_one_error_line(err)
        self.assertIn("alice", line)
        self.assertIn("bob", line)
        self.assertIn("-u USER", line)

    def test_status_marks_the_active_account(self):
        alice, bob = self.alice_and_bob()
        out, err = self.ok(["status"], env_extra=DC_ENV)
        self.assertEqual(err.count("Active account: true"), 1, err)
        self.assertEqual(err.count("Active account: false"), 1, err)
        self.assertEqual(err.count(self.fake.dc_host + " ("), 1, "the host once: " + err)
        out, err = self.ok(["status", "--json"], env_extra=DC_ENV)
        data = json.loads(out)
        self.assertEqual(len(data["hosts"]), 1)
        h = data["hosts"][0]
        # The host's object is its active account, as before; all of them in "accounts".
        self.assertEqual(h["username"], "bob")
        self.assertTrue(h["active"])
        self.assertEqual(sorted((a["username"], a["active"]) for a in h["accounts"]),
                         [("alice", False), ("bob", True)])

    def test_logout_one_keeps_the_other(self):
        alice, bob = self.alice_and_bob()
        out, err = self.ok(["logout", self.fake.dc_url, "-u", "bob"], env_extra=DC_ENV)
        self.assertIn("The active account of %s is now alice" % self.fake.dc_host, err)
        self.assertIsNone(self.secret_of(self.fake.dc_host, bob))
        alice_secret = self.secret_of(self.fake.dc_host, alice)
        self.assertIsNotNone(alice_secret)
        self.assertEqual(self.dc_token()[1].strip(), alice_secret["access_token"])
        self.assertEqual(list(self.hosts_accounts(self.fake.dc_host)), [alice])

    def test_logout_without_a_host_asks(self):
        self.alice_and_bob()
        rc, out, err = self.run_in(["logout"], env_extra=DC_ENV)
        self.assertEqual(rc, 1, err)
        line = self.assert_one_error_line(err)
        self.assertIn("alice", line)
        self.assertIn("bob", line)
        self.assertEqual(len(self.hosts_accounts(self.fake.dc_host)), 2)

    def test_git_picks_the_account(self):
        alice, bob = self.alice_and_bob()
        authority = self.fake.url.split("://", 1)[1]
        a_token = self.secret_of(self.fake.dc_host, alice)["access_token"]

        def get(*lines):
            request = "protocol=http\nhost=%s\npath=bitbucket/scm/p/r.git\n%s\n" % (
                authority, "".join(l + "\n" for l in lines))
            return self.ok(["git-credential", "get"], env_extra=DC_ENV, stdin=request)[0]

        self.assertIn("username=bob\n", get())
        self.assertIn("password=%s\n" % a_token, get("username=alice"))
        self.assertEqual(get("username=carol"), "", "an unknown user gets no answer")
        url = "url=http://alice@%s/bitbucket/scm/p/r.git" % authority
        request = "%s\n\n" % url
        out = self.ok(["git-credential", "get"], env_extra=DC_ENV, stdin=request)[0]
        self.assertIn("password=%s\n" % a_token, out)

        # git refused alice's token: erase refreshes alice's login, and bob's stays as it was.
        b_token = self.secret_of(self.fake.dc_host, bob)["access_token"]
        request = "protocol=http\nhost=%s\nusername=alice\npassword=%s\n\n" % (authority,
                                                                                  a_token)
        self.ok(["git-credential", "erase"], env_extra=DC_ENV, stdin=request)
        self.assertNotEqual(self.secret_of(self.fake.dc_host, alice)["access_token"], a_token)
        self.assertEqual(self.secret_of(self.fake.dc_host, bob)["access_token"], b_token)
        self.assertEqual(self.fake.stats()["token_refresh"], 1)

    # -- the host found, not asked --

    def test_host_from_the_repository(self):
        self.login_cloud()
        self.alice_and_bob()
        cloud = self.keyring_secret(CLOUD_HOST)["access_token"]
        dc = self.secret_of(self.fake.dc_host, self.hosts_entries()[self.fake.dc_host]["account"])
        dc = dc["access_token"]
        https_dc = self.fake.dc_url + "/scm/proj/repo.git"
        cases = [
            ("https DC", [("origin", https_dc)], None, dc),
            ("scp-like Cloud", [("origin", "git@bitbucket.org:team/repo.git")], None, cloud),
            ("ssh DC on its own port", [("origin", "ssh://git@127.0.0.1:7999/proj/repo.git")],
             None, dc),
            ("upstream before origin", [("origin", "git@bitbucket.org:t/r.git"),
                                        ("dc", https_dc)], "dc", dc),
            ("origin before the others", [("dc", https_dc),
                                          ("origin", "git@bitbucket.org:t/r.git")], None, cloud),
        ]
        for what, remotes, upstream, want in cases:
            path = self.repo(*remotes, upstream=upstream)
            rc, out, err = self.run_in(["token"], cwd=path, env_extra=DC_ENV)
            self.assertEqual(rc, 0, what + ": " + err)
            self.assertEqual(out.strip(), want, what)
            # A subdirectory of the repository is in it too.
            sub = os.path.join(path, "sub")
            os.makedirs(sub, exist_ok=True)
            self.assertEqual(self.ok(["token"], cwd=sub, env_extra=DC_ENV)[0].strip(), want, what)

        # An SSH alias, resolved by `ssh -G` (a stand-in here: ssh reads the real ~/.ssh).
        self.stand_in("ssh", "#!/bin/sh\n[ \"$1\" = -G ] && [ \"$2\" = mydc ] && "
                             "{ echo 'user git'; echo 'hostname 127.0.0.1'; exit 0; }\nexit 255\n")
        path = self.repo(("origin", "mydc:proj/repo.git"))
        self.assertEqual(self.ok(["token"], cwd=path, env_extra=DC_ENV)[0].strip(), dc)

        # Remotes that lead to two stored hosts, none of them origin or the upstream.
        path = self.repo(("one", "git@bitbucket.org:t/r.git"), ("two", https_dc))
        rc, out, err = self.run_in(["token"], cwd=path, env_extra=DC_ENV)
        self.assertEqual(rc, 1, err)
        line = self.assert_one_error_line(err)
        self.assertIn("several stored hosts", line)
        self.assertIn(CLOUD_HOST, line)
        self.assertIn(self.fake.dc_host, line)
        # status shows every host, the one the repository leads to first.
        path = self.repo(("origin", https_dc))
        err = self.ok(["status"], cwd=path, env_extra=DC_ENV)[1]
        self.assertLess(err.index(self.fake.dc_host + " ("), err.index(CLOUD_HOST + " ("))

    def test_outside_a_repository_the_last_used(self):
        self.alice_and_bob()
        self.login_cloud()
        cloud = self.keyring_secret(CLOUD_HOST)["access_token"]
        outside = os.path.join(self.tmp, "plain")
        os.mkdir(outside)
        self.assertEqual(self.ok(["token"], cwd=outside, env_extra=DC_ENV)[0].strip(), cloud)
        self.ok(["switch", self.fake.dc_url], env_extra=DC_ENV)
        dc_now = self.hosts_entries()[self.fake.dc_host]
        dc_token = self.secret_of(self.fake.dc_host, dc_now["account"])["access_token"]
        self.assertEqual(self.ok(["token"], cwd=outside, env_extra=DC_ENV)[0].strip(), dc_token)

    def test_git_runs_at_most_once(self):
        log = os.path.join(self.tmp, "git.log")
        real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True,
                              text=True).stdout.strip()
        self.stand_in("git", "#!/bin/sh\necho \"$*\" >> %s\nexec %s \"$@\"\n" % (log, real))
        self.login_cloud()
        path = self.repo(("origin", self.fake.dc_url + "/scm/p/r.git"))
        self.ok(["token"], cwd=path)
        self.assertFalse(os.path.exists(log), "git ran with only one host stored")
        self.alice_and_bob()
        outside = os.path.join(self.tmp, "plain")
        os.mkdir(outside)
        self.ok(["token"], cwd=outside, env_extra=DC_ENV)
        self.assertFalse(os.path.exists(log), "git ran outside a repository")
        self.ok(["token"], cwd=path, env_extra=DC_ENV)
        with open(log) as f:
            self.assertEqual(len(f.read().splitlines()), 1, "git ran more than once")


if __name__ == "__main__":
    harness.main()
