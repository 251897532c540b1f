#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""setup-bkt: plain bkt works on a login of bkt-auth, and keeps working.

A stand-in bkt (tests/fake_bkt.py) reads bkt's config.yml and its keyring item exactly as
bkt 0.31 does and calls the fake Bitbucket with what it read. After setup-bkt it works; a
refresh rewrites its token, also through the timer's command; switch makes it follow the
active account; logout removes it and the entries setup-bkt made; a locked 'bkt' collection
is left alone and status says so; everything else in config.yml stays; a login of bkt's own
is replaced only when the person agrees; and where the collection cannot be made, one
sentence says so and points to exec.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import time
import unittest

import harness
import tmux
from bkthelp import BktCase
from harness import CLOUD_HOST, DC_ENV

GENERIC = "org.freedesktop.Secret.Generic"
ITEM_FIELDS = ["Key", "Data", "Label", "Description", "KeychainNotTrustApplication",
               "KeychainNotSynchronizable"]


class SetupBkt(BktCase):

    def set_up_cloud(self):
        self.make_collection()
        self.login_cloud()
        out, err = self.ok(["setup-bkt"])
        self.assertEqual(out, "")
        return err

    def assert_bkt_works(self, user="alice", args=("api", "/user")):
        rc, out, err = self.bkt(list(args))
        self.assertEqual(rc, 0, "bkt failed:\n" + err)
        self.assert_no_token_shapes(out + err, "bkt's output")
        if args[1] == "/user":
            self.assertEqual(json.loads(out)["username"], user)

    def test_plain_bkt_works(self):
        err = self.set_up_cloud()
        self.assertIn("bkt now uses the login of alice on bitbucket.org: host %s in %s"
                      % (self.cloud_key, self.config_path()), err)
        self.assertIn("bkt's active context is now 'bitbucket.org'", err)
        cfg = self.config()
        self.assertEqual(cfg["version"], "1")
        self.assertEqual(cfg["hosts"], {self.cloud_key: {
            "kind": "cloud", "base_url": "http://localhost:%d/2.0" % self.fake.port,
            "username": "alice", "auth_method": "bearer"}})
        self.assertEqual(cfg["contexts"], {"bitbucket.org": {"host": self.cloud_key}})
        self.assertEqual(cfg["active_context"], "bitbucket.org")
        self.assertEqual(stat.S_IMODE(os.stat(self.config_path()).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.bkt_dir).st_mode), 0o700)
        # The item, as 99designs/keyring writes it.
        found = self.items(self.cloud_key)
        self.assertEqual(len(found["items"]), 1)
        item = found["items"][0]
        profile = "host/%s/token" % self.cloud_key
        self.assertTrue(item["path"].startswith("/org/freedesktop/secrets/collection/bkt/"))
        self.assertEqual(item["label"], profile)
        # GNOME Keyring reports its own generic type for an item made without a schema, as
        # for bkt's; what was sent is checked on the bus (test_item_as_sent_on_the_bus).
        self.assertEqual(item["attributes"].pop("xdg:schema", GENERIC), GENERIC)
        self.assertEqual(item["attributes"], {"profile": profile})
        blob = json.loads(item["secret"])
        self.assertEqual(list(blob), ITEM_FIELDS)
        self.assertEqual((blob["Key"], blob["Label"], blob["Description"]),
                         (profile, "bkt " + profile, ""))
        self.assertIs(blob["KeychainNotTrustApplication"], False)
        self.assertIs(blob["KeychainNotSynchronizable"], False)
        self.assertEqual(self.item_token(self.cloud_key), self.token())
        # bkt reads all of that and gets through.
        self.assert_bkt_works()
        rc, out, err = self.bkt(["whoami"])
        self.assertEqual(json.loads(out)["source"], "keyring")
        # Nothing secret where it does not belong; status tells.
        for path in (self.config_path(), os.path.join(self.config_dir, "bkt.json")):
            with open(path, encoding="utf-8") as f:
                self.assert_no_token_shapes(f.read(), path)
        out, err = self.ok(["status"])
        self.assertIn("bkt uses this login too (as host %s), kept fresh" % self.cloud_key, err)
        out, err = self.ok(["status", "--json"])
        copy = json.loads(out)["hosts"][0]["bkt"]
        self.assertEqual((copy["host"], copy["ok"]), (self.cloud_key, True))
        self.assertNotIn("problem", copy)
        # Again: the same, nothing doubled.
        self.ok(["setup-bkt"])
        self.assertEqual(len(self.items(self.cloud_key)["items"]), 1)
        self.assertEqual(self.config(), cfg)

    def test_item_as_sent_on_the_bus(self):
        # What setup-bkt asks the Secret Service for, seen on the bus: the attributes exactly
        # {"profile": ...} (no schema, so no xdg:schema), the label, and the content type,
        # which GNOME Keyring does not keep (it answers text/plain).
        self.make_collection()
        self.login_cloud()
        log = os.path.join(self.tmp, "bus.log")
        with open(log, "wb") as f:
            mon = subprocess.Popen(["dbus-monitor", "--session",
                                    "type='method_call',member='CreateItem'"],
                                   stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (mon.terminate(), mon.wait(timeout=10)))
        def text():
            with open(log, encoding="utf-8", errors="replace") as f:
                return f.read()
        harness.wait_until(lambda: "member=NameLost" in text(), what="dbus-monitor to listen")
        self.ok(["setup-bkt"])
        call = harness.wait_until(lambda: "application/json" in text() and text(),
                                  what="CreateItem with content type application/json")
        call = call[call.index("member=CreateItem"):]
        attributes = call.split('"org.freedesktop.Secret.Item.Attributes"', 1)[1]
        attributes = attributes.split('"org.freedesktop.Secret.Item.Label"', 1)[0]
        pairs = re.findall(r'string "([^"]*)"\s+string "([^"]*)"', attributes)
        profile = "host/%s/token" % self.cloud_key
        self.assertEqual(pairs, [("profile", profile)])
        label = call.split('"org.freedesktop.Secret.Item.Label"', 1)[1]
        self.assertEqual(re.search(r'string "([^"]*)"', label).group(1), profile)

    def test_data_center(self):
        self.make_collection()
        self.login_dc()
        self.ok(["setup-bkt", self.fake.dc_url], env_extra=DC_ENV)
        host = self.config()["hosts"][self.dc_key]
        self.assertEqual(host, {"kind": "dc", "base_url": self.fake.dc_url, "username": "alice",
                                "auth_method": "bearer"})
        rc, out, err = self.bkt(["api", "/rest/api/1.0/application-properties"], env_extra=DC_ENV)
        self.assertEqual(rc, 0, err)
        self.assertIn("version", json.loads(out))

    def test_keeps_the_rest_of_config(self):
        self.make_collection()
        self.login_cloud()
        self.write_config(
            "version: 1\n"
            "active_context: work\n"
            "contexts:\n"
            "    work:\n"
            "        host: git.example.com\n"
            "        project_key: ABC\n"
            "        someday: [1, 2]\n"
            "hosts:\n"
            "    git.example.com:\n"
            "        kind: dc\n"
            "        base_url: https://git.example.com\n"
            "        username: carol\n"
            "        auth_method: basic\n"
            "future_section:\n"
            "    enabled: \"yes\"\n")
        before = self.config()
        out, err = self.ok(["setup-bkt"])
        self.assertIn("bkt's active context 'work' is for another host and stays active", err)
        after = self.config()
        self.assertEqual(after["active_context"], "work")
        self.assertEqual(after["contexts"], before["contexts"], "no context made: one is active")
        self.assertEqual(after["future_section"], before["future_section"])
        self.assertEqual(after["hosts"]["git.example.com"], before["hosts"]["git.example.com"])
        self.assertEqual(after["hosts"][self.cloud_key]["auth_method"], "bearer")
        # bkt's own login for another host was not touched, and no backup was needed.
        self.assertFalse(os.path.exists(self.config_path() + ".before-setup-bkt"))

    def test_refresh_rewrites_bkt_copy(self):
        self.set_up_cloud()
        before = self.item_token(self.cloud_key)
        self.fake.expire()
        rc, out, err = self.bkt(["api", "/user"])
        self.assertEqual(rc, 1, "the fake should refuse the expired token")
        self.ok(["refresh"])
        after = self.item_token(self.cloud_key)
        self.assertNotEqual(after, before)
        self.assertEqual(after, self.token())
        self.assert_bkt_works()
        # A refresh that another command makes on its own (git's, exec's) does it too.
        self.fake.control(expires_in=1)
        self.ok(["refresh"])
        self.fake.control(expires_in=None)
        expires_at = self.keyring_secret(CLOUD_HOST)["expires_at"]
        harness.wait_until(lambda: time.time() >= expires_at + 0.05, timeout=10,
                           what="the token to expire")
        before = self.item_token(self.cloud_key)
        self.ok(["exec", "--", "true"])
        self.assertNotEqual(self.item_token(self.cloud_key), before)
        self.assert_bkt_works()

    def test_timer_command_refreshes_before_expiry(self):
        self.fake.control(expires_in=600)  # less than the 20 minutes the timer looks ahead
        self.set_up_cloud()
        before = self.item_token(self.cloud_key)
        refreshes = self.fake.stats().get("token_refresh", 0)
        out, err = self.ok(["refresh", "--bkt"])
        self.assertIn("bkt now holds the current token of bitbucket.org", err)
        self.assertGreater(self.fake.stats().get("token_refresh", 0), refreshes)
        self.assertNotEqual(self.item_token(self.cloud_key), before)
        self.assert_bkt_works()
        # A token with long to live is left alone.
        self.fake.control(expires_in=7200)
        self.ok(["refresh"])
        refreshes = self.fake.stats().get("token_refresh", 0)
        out, err = self.ok(["refresh", "--bkt"])
        self.assertEqual(self.fake.stats().get("token_refresh", 0), refreshes)
        self.assertNotIn("bkt now holds", err)

    def test_locked_collection_is_skipped_and_status_says_so(self):
        self.set_up_cloud()
        before = self.item_token(self.cloud_key)
        self.lock_collection()
        # The refresh itself works, asks nothing, and leaves bkt's keyring as it is.
        out, err = self.ok(["refresh"])
        self.assertTrue(self.items(self.cloud_key)["locked"])
        out, err = self.ok(["status"])
        self.assertIn("bkt's keyring was locked when the token was refreshed", err)
        out, err = self.ok(["status", "--json"])
        copy = json.loads(out)["hosts"][0]["bkt"]
        self.assertIs(copy["ok"], False)
        self.assertIn("unlock", copy["problem"])
        out, err = self.ok(["refresh", "--bkt"])
        self.assertIn("bkt's keyring is locked", err)
        # Unlocked, the next run of the timer's command brings it up to date.
        self.unlock_collection()
        self.assertEqual(self.item_token(self.cloud_key), before)
        out, err = self.ok(["refresh", "--bkt"])
        self.assertIn("bkt now holds the current token", err)
        self.assertEqual(self.item_token(self.cloud_key), self.token())
        out, err = self.ok(["status"])
        self.assertIn("kept fresh", err)

    def test_logout_removes_what_setup_made(self):
        self.make_collection()
        self.login_cloud()
        self.write_config("version: 1\nhosts:\n  other.example.com:\n    kind: dc\n"
                          "    base_url: https://other.example.com\nextra: kept\n")
        self.ok(["setup-bkt"])
        self.assertEqual(self.config()["active_context"], "bitbucket.org")
        out, err = self.ok(["logout"])
        self.assertIn("bkt's copy of it and the entry setup-bkt made", err)
        self.assertEqual(self.items(self.cloud_key)["items"], [])
        cfg = self.config()
        self.assertNotIn(self.cloud_key, cfg["hosts"])
        self.assertIn("other.example.com", cfg["hosts"])
        self.assertNotIn("bitbucket.org", cfg.get("contexts") or {})
        self.assertNotIn("active_context", cfg)
        self.assertEqual(cfg["extra"], "kept")
        self.assertEqual(self.record()["copies"], {})
        rc, out, err = self.bkt(["api", "/user"])
        self.assertNotEqual(rc, 0)

    def test_switch_makes_bkt_follow(self):
        self.make_collection()
        self.login_cloud()
        self.login_cloud(env_extra={"FAKE_BROWSER_USER": "mallory"})
        self.ok(["setup-bkt"])
        self.assert_bkt_works(user="mallory")
        out, err = self.ok(["switch", "-u", "alice"])
        self.assertIn("bkt now holds the current token of bitbucket.org", err)
        self.assert_bkt_works(user="alice")
        self.assertEqual(self.config()["hosts"][self.cloud_key]["username"], "alice")
        # Logging out the active account: bkt follows the one left, and keeps its entry.
        out, err = self.ok(["logout", "-u", "alice"])
        self.assert_bkt_works(user="mallory")
        self.assertIn(self.cloud_key, self.config()["hosts"])

    def test_collection_that_cannot_be_made(self):
        # No 'bkt' collection, and no prompt can be shown here (no display): one sentence
        # that points to exec, and nothing written.
        self.login_cloud()
        started = time.monotonic()
        rc, out, err = self.run_bkt(["setup-bkt"])
        self.assertEqual(rc, 1, err)
        self.assertLess(time.monotonic() - started, harness.COMMAND_TIMEOUT)
        line = self.assert_one_error_line(err)
        self.assertIn("could not be made", line)
        self.assertIn("bkt-auth exec -- bkt", line)
        self.assertNotIn("KEYRING_BACKEND", line)
        self.assertIsNone(self.config())
        self.assertIsNone(self.record())
        # Over SSH it says why, and names what bkt needs to read the Secret Service there.
        rc, out, err = self.run_bkt(["setup-bkt"], env_extra={"SSH_CONNECTION": "10.0.0.1 1 2 3"})
        self.assertEqual(rc, 1, err)
        line = self.assert_one_error_line(err)
        self.assertIn("over SSH", line)
        self.assertIn("KEYRING_BACKEND=secret-service", line)
        self.assertIn("bkt-auth exec -- bkt", line)
        self.assertFalse(self.items(self.cloud_key)["collection"])

    def test_over_ssh_bkt_needs_keyring_backend(self):
        self.set_up_cloud()
        ssh = {"SSH_CONNECTION": "10.0.0.1 1 2 3"}
        rc, out, err = self.bkt(["api", "/user"], env_extra=ssh)
        self.assertEqual(rc, 1)
        self.assertIn("Secret Service is not among the backends", err)
        rc, out, err = self.bkt(["api", "/user"],
                                env_extra=dict(ssh, KEYRING_BACKEND="secret-service"))
        self.assertEqual(rc, 0, err)
        out, err = self.ok(["setup-bkt"], env_extra=ssh)
        self.assertIn("KEYRING_BACKEND=secret-service", err)

    def write_own_login_of_bkt(self):
        """A config.yml in which bkt holds a login of its own for bitbucket.org; its text."""
        own = ("version: 1\nactive_context: mine\ncontexts:\n  mine:\n    host: %s\n"
               "hosts:\n  %s:\n    kind: cloud\n    base_url: http://localhost:%d/2.0\n"
               "    username: alice\n    auth_method: oauth\n"
               % (self.cloud_key, self.cloud_key, self.fake.port))
        self.write_config(own)
        return own

    def setup_bkt_answering_yes(self):
        """setup-bkt on a terminal, yes to replacing bkt's own login; the terminal."""
        t = tmux.Tmux(self.tmp)
        self.addCleanup(t.kill)
        t.start([self.bin, "setup-bkt"], self.env({"TERM": tmux.terminal_type()}), 100, 30)
        t.wait_for("Replace it with this login of bkt-auth", join=True)
        t.keys("y", "Enter")
        return t

    def test_own_login_of_bkt_needs_a_yes(self):
        self.make_collection()
        self.login_cloud()
        own = self.write_own_login_of_bkt()
        # Without a terminal to ask: refused, nothing changed.
        rc, out, err = self.run_bkt(["setup-bkt"])
        self.assertEqual(rc, 1, err)
        line = self.assert_one_error_line(err)
        self.assertIn("bkt already holds a login of its own", line)
        self.assertIn("no terminal", line)
        with open(self.config_path(), encoding="utf-8") as f:
            self.assertEqual(f.read(), own)
        self.assertEqual(self.items(self.cloud_key)["items"], [])
        # On a terminal, yes replaces it and keeps the old file beside the new one.
        t = self.setup_bkt_answering_yes()
        self.assertEqual(t.exit_code(), 0, t.stderr_text())
        with open(self.config_path() + ".before-setup-bkt", encoding="utf-8") as f:
            self.assertEqual(f.read(), own)
        self.assertEqual(self.config()["hosts"][self.cloud_key]["auth_method"], "bearer")
        self.assertEqual(self.config()["active_context"], "mine")
        self.assert_bkt_works()

    def test_a_failed_setup_leaves_no_copy_behind(self):
        # The copy goes into bkt's keyring first; when a later step fails (here the backup of
        # bkt's own login cannot be written), a copy no record names would outlive logout.
        self.make_collection()
        self.login_cloud()
        own = self.write_own_login_of_bkt()
        os.mkdir(self.config_path() + ".before-setup-bkt")
        t = self.setup_bkt_answering_yes()
        self.assertEqual(t.exit_code(), 1, t.stderr_text())
        self.assert_one_error_line(t.stderr_text())
        self.assertEqual(self.items(self.cloud_key)["items"], [],
                         "bkt's keyring keeps a copy that nothing names")
        with open(self.config_path(), encoding="utf-8") as f:
            self.assertEqual(f.read(), own)
        self.assertIsNone((self.record() or {}).get("copies", {}).get(CLOUD_HOST))

    def wizard_login(self):
        """The wizard at 80x24, on its way to the Done screen of a Cloud login; the terminal."""
        t = tmux.Tmux(self.tmp)
        self.addCleanup(t.kill)
        t.start([self.bin, "login", "-i"], self.env({"TERM": tmux.terminal_type()}), 80, 24)
        t.wait_for("› Bitbucket Cloud")
        t.keys("Enter")
        t.wait_for("Press Enter to open the browser.")
        t.keys("Enter")
        return t

    def test_wizard_offers_it_when_bkt_is_installed(self):
        # The Done screen offers setup-bkt with bkt on PATH; it runs once the screen is gone,
        # where it may ask (and the desktop may ask for the collection's password).
        self.make_collection()
        t = self.wizard_login()
        t.wait_for("bkt-auth  ·  Logged in")
        t.wait_for("k set up bkt", join=True)
        t.wait_for("bkt is installed: press k", join=True)
        self.assertIsNone(self.config(), "bkt was set up before anyone asked")
        t.keys("k")
        t.wait_for("bkt will be set up to use this login when you leave", join=True)
        t.keys("Enter")
        self.assertEqual(t.exit_code(), 0, t.stderr_text())
        self.assertIn("bkt now uses the login of alice on bitbucket.org", t.stderr_text())
        self.assert_bkt_works()

    def test_wizard_without_bkt_offers_nothing(self):
        os.remove(os.path.join(self.bin_dir, "bkt"))
        t = self.wizard_login()
        screen = t.wait_for("g set up git  Enter finish", join=True)
        self.assertNotIn("bkt", screen.replace("bkt-auth", ""))
        t.keys("k", "Enter")
        self.assertEqual(t.exit_code(), 0, t.stderr_text())
        self.assertIsNone(self.config())

    def test_timer_enabled_where_a_user_manager_runs(self):
        self.make_collection()
        self.login_cloud()
        runtime = os.path.join(self.tmp, "runtime")
        os.makedirs(os.path.join(runtime, "systemd"), mode=0o700)
        open(os.path.join(runtime, "systemd", "private"), "w").close()
        calls = os.path.join(self.tmp, "systemctl.log")
        self.stand_in("systemctl", "#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\n" % calls)
        out, err = self.ok(["setup-bkt"], env_extra={"XDG_RUNTIME_DIR": runtime})
        self.assertIn("bkt-auth-refresh.timer (systemd) refreshes the token", err)
        with open(calls, encoding="utf-8") as f:
            self.assertEqual(f.read(), "--user enable --now bkt-auth-refresh.timer\n")
        # Where none runs, setup-bkt says what that means.
        out, err = self.ok(["setup-bkt"])
        self.assertIn("No systemd user manager runs here", err)


class Units(unittest.TestCase):
    """The timer and its service as meson installs them, checked by systemd itself."""

    def test_systemd_analyze_verify(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze is not installed (Debian: systemd)")
        source = os.environ["BKT_SOURCE_DIR"]
        tmp = harness.tempfile.mkdtemp(prefix="bkt-units-")
        self.addCleanup(shutil.rmtree, tmp, True)
        units = os.path.join(tmp, "units")
        runtime = os.path.join(tmp, "runtime")
        man = os.path.join(tmp, "man", "man1")
        for d in (units, runtime, man):
            os.makedirs(d, mode=0o700)
        shutil.copy(os.path.join(source, "doc", "bkt-auth.1"), man)
        binary = harness.binary()
        for name in ("bkt-auth-refresh.service", "bkt-auth-refresh.timer"):
            with open(os.path.join(source, "data", name + ".in"), encoding="utf-8") as f:
                text = f.read().replace("@BKT_AUTH@", binary)
            with open(os.path.join(units, name), "w", encoding="utf-8") as f:
                f.write(text)
        with open(os.path.join(units, "bkt-auth-refresh.timer"), encoding="utf-8") as f:
            timer = f.read()
        self.assertIn("OnCalendar=*:0/15\n", timer)
        self.assertIn("Persistent=true\n", timer)
        with open(os.path.join(units, "bkt-auth-refresh.service"), encoding="utf-8") as f:
            self.assertIn("ExecStart=%s refresh --bkt\n" % binary, f.read())
        env = dict(os.environ, XDG_RUNTIME_DIR=runtime,
                   MANPATH=os.path.dirname(man), SYSTEMD_LOG_LEVEL="notice")
        cp = subprocess.run([analyze, "--user", "verify",
                             os.path.join(units, "bkt-auth-refresh.timer"),
                             os.path.join(units, "bkt-auth-refresh.service")],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=harness.COMMAND_TIMEOUT, text=True)
        self.assertEqual(cp.returncode, 0, cp.stdout + cp.stderr)
        self.assertEqual(cp.stdout + cp.stderr, "", "systemd-analyze has something to say")


if __name__ == "__main__":
    harness.main()
