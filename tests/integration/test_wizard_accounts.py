#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The wizard with several accounts (issue 12): it asks before a login replaces
the same account's earlier one (owner unknown first, then that, in a row),
opens on the stored logins when there are some, adds another account on a
stored Data Center without asking for its client credentials again, goes on
to another host, switches the active account, and the Done screen says which
account is active and how to switch to the others. alice and bob on one Data
Center and alice on Cloud, through the fake; each case at 80x24 in English and
at 60x18 in German or Japanese."""

import json
import os
import re
import subprocess

import harness
from harness import CLIENT_ID, CLIENT_SECRET, CLOUD_HOST, DC_ENV
from ux import UxTestCase
import windows

ACCOUNTS = "Your logins"
ACCOUNTS_KEYS = "↑↓ choose  Enter next  q quit"
KEPT = "the earlier login of %s on %s stays as it was, and nothing new was stored"
REPLACE = "Already logged in to %s as %s: replace that login with this one? (y/n) "
REPLACE_KEYS = "y replace  n keep the earlier login  q cancel"
ACTIVE = "%s is the active account on %s: 'bkt-auth token', git and the other commands use it."
ALSO = "Also logged in there: %s. To make it the active account, run 'bkt-auth switch %s'."
ALSO_MANY = ("Also logged in there: %s. To make one of them the active account, run "
             "'bkt-auth switch %s -u USER'.")
SWITCHED = "The active account of %s is now %s.\n"
BROWSER_NOTE = ("The browser may still be signed in to Bitbucket as an account above, and "
                "Bitbucket grants access to that one: for another account, sign out of "
                "Bitbucket first, or press s on the Sign in screen and use a private window.")
SIGN_IN_NOTE = ("If the browser is still signed in to Bitbucket as %s, access goes to that "
                "account again: sign out of Bitbucket there first, or press s and open the "
                "address in a private window.")


class WizardAccounts(UxTestCase):

    # -- helpers --

    def login_dc_as(self, user):
        self.login_dc(env_extra={"FAKE_BROWSER_USER": user})

    def secret_of(self, host, account):
        cp = subprocess.run(["secret-tool", "lookup", "host", host, "account", account],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, timeout=harness.COMMAND_TIMEOUT)
        text = cp.stdout.decode("utf-8", "replace").strip()
        return json.loads(text) if cp.returncode == 0 and text else None

    def account_ids(self, host):
        return {a["username"]: k for k, a in self.hosts_accounts(host).items()}

    def active_user(self, host):
        return [a["username"] for a in self.hosts_accounts(host).values() if a["active"]]

    def title(self, t, lang, msgid):
        return t.wait_for("bkt-auth  ·  " + self.tr(lang, msgid))

    def footer_is(self, t, lang, msgid):
        self.assertEqual(self.footer(t.lines()), self.tr(lang, msgid), t.screen())

    def assert_no_client_secret(self, t):
        self.assert_no_secret(t.screen(join=True), [CLIENT_SECRET], "the screen")

    def choose(self, t, lang, label):
        """Move the accounts list's choice to label (translated), then Enter."""
        want = "› " + label
        for _ in range(10):
            screen = t.screen()
            if self.shows(screen, want):
                break
            t.keys("Down")
            t.wait_for(lambda s, before=screen: s != before)
        self.wait_shows(t, want)
        # The cursor rests on the choice, where a screen reader follows it.
        _x, y, visible = self.cursor(t)
        self.assertTrue(visible)
        self.assertIn("›", t.lines()[y])
        t.keys("Enter")

    def open_accounts(self, size, *args, env_extra=None, stdout_path=None, dc=True):
        """bkt-auth login -i ARGS at the accounts screen. dc: with the environment of a Data
        Center user (no BKT_CLOUD_URL: Cloud is then the real one)."""
        lang = size[2]
        env = dict(DC_ENV if dc else {}, **(env_extra or {}))
        t = self.start_in(size, ["login", "-i"] + list(args), env_extra=env,
                          stdout_path=stdout_path)
        self.title(t, lang, ACCOUNTS)
        return t

    def whole_body(self, t):
        """The body of the screen from its top to its end, paged through with PgDn (the rows a
        page shares with the one before taken once), as one string."""
        def page():
            rows = t.lines()
            rules = [i for i, r in enumerate(rows) if r.strip().startswith("──")]
            # The rule under the body says when there is more below.
            return rows[rules[0] + 1:rules[-1]], "↓" in rows[rules[-1]]
        rows, more = page()
        while more:
            before = t.screen()
            t.keys("NPage")
            t.wait_for(lambda s: s != before)
            more_rows, more = page()
            shared = max(k for k in range(len(more_rows) + 1)
                         if rows[len(rows) - k:] == more_rows[:k])
            rows += more_rows[shared:]
        return "\n".join(rows)

    # -- asking before replacing --

    def test_replace_asks_first(self):
        """The browser comes back as an account stored already: the wizard asks; n keeps the
        earlier login as it was and ends with the engine's sentence, y replaces it."""
        self.login_dc_as("alice")
        host = self.fake.dc_host
        alice = self.account_ids(host)["alice"]

        def body(size):
            lang = size[2]
            before = self.secret_of(host, alice)
            args = ["login", "-i", "--allow-http", self.fake.dc_url, "--client-id", CLIENT_ID,
                    "--client-secret-file", self.secret_file,
                    "--redirect-uri", self.fake.dc_redirect]
            for answer in ("n", "y"):
                t = self.start_in(size, args, env_extra=DC_ENV)
                self.wait_shows(t, self.tr(lang, "Press Enter to open the browser."))
                t.keys("Enter")
                question = self.tr(lang, REPLACE) % (host, "alice")
                screen = self.wait_shows(t, question.strip())
                self.assert_layout(t, self.tr(lang, "Finishing"),
                                   name="replace_question_%s_%dx%d" % (lang, size[0], size[1]))
                self.footer_is(t, lang, REPLACE_KEYS)
                self.assertEqual(self.secret_of(host, alice), before, "stored before the answer")
                t.keys(answer)
                if answer == "n":
                    self.assert_exit(t, 2)
                    sentence = self.tr(lang, KEPT) % ("alice", host)
                    self.assertEqual(t.stderr_text(), "bkt-auth: %s\n" % sentence)
                    # The earlier login, as it was: its tokens in the keyring, its entry.
                    self.assertEqual(self.secret_of(host, alice), before)
                    self.assertEqual(list(self.hosts_accounts(host)), [alice])
                    self.assertEqual(self.token(host, env_extra=DC_ENV), before["access_token"])
                else:
                    self.title(t, lang, "Logged in")
                    self.wait_shows(t, self.tr(lang, ACTIVE) % ("alice (Alice Example)", host))
                    t.keys("Enter")
                    self.assert_exit(t, 0)
                    after = self.secret_of(host, alice)
                    self.assertNotEqual(after["access_token"], before["access_token"])
                    self.assertEqual(list(self.hosts_accounts(host)), [alice])
        self.each_size(body, keep_logins=True)

    def test_owner_then_replace(self):
        """Under WSL the browser comes back through a relay of unknown owner, as an account
        stored already: first whose login it is, then whether to replace; n then keeps it."""
        relay_python = windows.other_user_python()
        if relay_python is None:
            self.skipTest("cannot run a relay as another user here")
        self.login_cloud()
        before = self.keyring_secret(CLOUD_HOST)
        bin_dir = windows.stand_ins(os.path.join(self.tmp, "win"), ["wslview"])

        def body(size):
            lang = size[2]
            log = os.path.join(self.tmp, "windows-%s.log" % lang)
            env = dict(windows.wsl_env(bin_dir, log), FAKE_WINDOWS_RELAY=json.dumps(relay_python))
            t = self.start_in(size, ["login", "-i", "bitbucket.org"], env_extra=env)
            self.wait_shows(t, self.tr(lang, "Press Enter to open the browser."))
            t.keys("Enter")
            owner = self.tr(lang, "Logged in as %s on %s: keep this login? (y/n) ")
            self.wait_shows(t, (owner % ("alice", CLOUD_HOST)).strip())
            self.footer_is(t, lang, "y keep  n do not keep  q cancel")
            t.keys("y")
            self.wait_shows(t, (self.tr(lang, REPLACE) % (CLOUD_HOST, "alice")).strip())
            self.footer_is(t, lang, REPLACE_KEYS)
            t.keys("n")
            self.assert_exit(t, 2)
            self.assertEqual(t.stderr_text(),
                             "bkt-auth: %s\n" % (self.tr(lang, KEPT) % ("alice", CLOUD_HOST)))
            self.assertEqual(self.keyring_secret(CLOUD_HOST), before)
        self.each_size(body, keep_logins=True)

    # -- the first screen --

    def test_first_screen_lists_logins(self):
        self.login_dc_as("alice")
        self.login_dc_as("bob")
        self.login_cloud()
        dc = self.fake.dc_host

        def body(size):
            lang = size[2]
            t = self.open_accounts(size)
            screen = self.assert_layout(t, self.tr(lang, ACCOUNTS),
                                        name="your_logins_%s_%dx%d" % (lang, size[0], size[1]))
            self.footer_is(t, lang, ACCOUNTS_KEYS)
            active = self.tr(lang, " (active)")
            for text in (self.tr(lang, "Logged in on this computer:"), dc, CLOUD_HOST,
                         "alice (Alice Example)", "bob (Bob Example)" + active,
                         "› " + self.tr(lang, "Log in with another account on %s") % dc):
                self.assertTrue(self.shows(screen, text), "%r:\n%s" % (text, screen))
            self.assertFalse(self.shows(screen, "alice (Alice Example)" + active + dc), screen)
            # Every entry, and the word about the browser's session, to the end (scrolling at
            # the small size).
            body = self.whole_body(t)
            for text in (self.tr(lang, "Log in with another account on %s") % CLOUD_HOST,
                         self.tr(lang, "Log in to another Bitbucket (Cloud or a Data Center)"),
                         self.tr(lang, "Switch the active account on %s") % dc,
                         self.tr(lang, BROWSER_NOTE)):
                self.assertTrue(self.shows(body, text), "%r:\n%s" % (text, body))
            self.assertFalse(self.shows(body, self.tr(lang, "Switch the active account on %s")
                                        % CLOUD_HOST), "Cloud has one account")
            t.keys("q")
            self.assert_exit(t, 2)
            self.assertEqual(t.stderr_text(), "bkt-auth: %s\n" % self.tr(lang, "login cancelled"))
        self.each_size(body, keep_logins=True)

    def test_host_on_the_command_line_skips_the_list(self):
        self.login_cloud()
        t = self.start_in((80, 24, "en"), ["login", "-i", "--allow-http", self.fake.dc_url],
                          env_extra=DC_ENV)
        t.wait_for("bkt-auth  ·  Application link")
        t.keys("q")
        self.assert_exit(t, 2)

    # -- another account on a stored Data Center --

    def test_another_account_reuses_the_client(self):
        """The Data Center's Client ID, secret and Redirect URL come from its stored login:
        nothing to type, the secret never on the screen; the Done screen names the active
        account and the others, and how to switch."""
        self.login_dc_as("alice")
        host = self.fake.dc_host
        # The second size adds a third account: the Done screen then names two others.
        users = iter(("bob", "mallory"))

        def body(size):
            lang = size[2]
            user = next(users)
            # Neither --client-id nor --redirect-uri: what alice's login used.
            t = self.open_accounts(size, "--allow-http", env_extra={"FAKE_BROWSER_USER": user})
            self.assert_no_client_secret(t)
            self.choose(t, lang, self.tr(lang, "Log in with another account on %s") % host)
            self.title(t, lang, "Sign in")
            # The browser's session may be the account logged in already: how to be another.
            active = self.active_user(host)[0]
            self.wait_shows(t, self.tr(lang, "Press Enter to open the browser."))
            body = self.whole_body(t)
            self.assertTrue(self.shows(body, self.tr(lang, SIGN_IN_NOTE) % active), body)
            self.assert_no_client_secret(t)
            t.keys("Enter")
            self.title(t, lang, "Logged in")
            names = {"alice": "alice (Alice Example)", "bob": "bob (Bob Example)",
                     "mallory": "mallory (Mallory Example)"}
            screen = self.wait_shows(t, self.tr(lang, ACTIVE) % (names[user], host))
            others = ", " if lang == "en" else self.tr(lang, ", ")
            if user == "bob":
                also = self.tr(lang, ALSO, ALSO_MANY, 1) % (names["alice"], host)
            else:
                also = (self.tr(lang, ALSO, ALSO_MANY, 2)
                        % (others.join((names["alice"], names["bob"])), host))
            self.wait_shows(t, also)
            self.assert_layout(t, self.tr(lang, "Logged in"),
                               name="logged_in_%s_%s_%dx%d" % (user, lang, size[0], size[1]))
            self.assert_no_client_secret(t)
            t.keys("Enter")
            self.assert_exit(t, 0)
            self.assertEqual(t.stderr_text(),
                             self.tr(lang, "Logged in to %s as %s.\n") % (host, user))
            ids = self.account_ids(host)
            self.assertIn(user, ids)
            self.assertEqual(self.active_user(host), [user])
            # The client secret went with the new account too: it refreshes by itself.
            self.assertEqual(self.secret_of(host, ids[user]).get("client_secret"), CLIENT_SECRET)
            self.assertEqual(self.fake.stats()["token_code"], len(ids))
            if user == "bob":
                # What the Done screen said to run does what it said.
                rc, _out, err = self.run_bkt(["switch", host], env_extra=DC_ENV)
                self.assertEqual((rc, err), (0, SWITCHED % (host, "alice")))
        self.each_size(body, keep_logins=True)

    def test_another_account_without_stored_client(self):
        """A Data Center logged in with a token keeps no client: the guide and the fields,
        the address already known; back goes to the list."""
        pat = "pat-dc-0123456789abcdefghijklmnop"
        self.fake.control(api_tokens=[pat])
        rc, _out, err = self.run_bkt(["login", self.fake.dc_url, "--kind", "dc", "--allow-http",
                                      "--with-token"], stdin=pat + "\n", env_extra=DC_ENV)
        self.assertEqual(rc, 0, err)
        host = self.fake.dc_host
        t = self.open_accounts((80, 24, "en"), "--allow-http")
        self.choose(t, "en", "Log in with another account on %s" % host)
        t.wait_for("bkt-auth  ·  Application link")
        # The address is the stored one: the message for an admin names it.
        t.keys("m")
        screen = t.wait_for("Send this to a Bitbucket admin", join=True)
        self.assertIn(self.fake.dc_url, " ".join(screen.split()))
        t.keys("b")
        t.wait_for("bkt-auth  ·  " + ACCOUNTS)
        t.keys("q")
        self.assert_exit(t, 2)

    # -- another host --

    def test_another_host(self):
        self.login_dc_as("alice")

        def body(size):
            lang = size[2]
            t = self.open_accounts(size, dc=False)
            self.choose(t, lang, self.tr(lang, "Log in to another Bitbucket (Cloud or a Data "
                                              "Center)"))
            self.title(t, lang, "Cloud or Data Center")
            self.footer_is(t, lang, "↑↓ choose  c Cloud  d Data Center  Enter next  Esc back  "
                                    "q quit")
            # Esc goes back to the list, and the way forward again.
            t.keys("Escape")
            self.title(t, lang, ACCOUNTS)
            t.keys("Enter")
            self.title(t, lang, "Cloud or Data Center")
            self.wait_shows(t, "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
            t.keys("Enter")
            self.wait_shows(t, self.tr(lang, "Press Enter to open the browser."))
            t.keys("Enter")
            self.title(t, lang, "Logged in")
            screen = self.wait_shows(t, self.tr(lang, ACTIVE) % ("alice (Alice Example)",
                                                                CLOUD_HOST))
            also = self.tr(lang, ALSO, ALSO_MANY, 1).split("%s")[0].strip()
            self.assertFalse(self.shows(screen, also), screen)
            t.keys("Enter")
            self.assert_exit(t, 0)
            self.assertEqual(t.stderr_text(),
                             self.tr(lang, "Logged in to %s as %s.\n") % (CLOUD_HOST, "alice"))
            self.assertIn(CLOUD_HOST, self.hosts_entries())
            self.assertEqual(len(self.hosts_accounts(self.fake.dc_host)), 1)
            self.run_bkt(["logout", CLOUD_HOST])
        self.each_size(body, keep_logins=True)

    # -- switching --

    def test_switch_from_the_wizard(self):
        self.SIZES = ((80, 24, "en"), (60, 18, "ja"))
        self.login_dc_as("alice")
        self.login_dc_as("bob")
        host = self.fake.dc_host
        ids = self.account_ids(host)
        tokens = {u: self.secret_of(host, a)["access_token"] for u, a in ids.items()}

        def body(size):
            lang = size[2]
            now = self.active_user(host)[0]
            other = "alice" if now == "bob" else "bob"
            names = {"alice": "alice (Alice Example)", "bob": "bob (Bob Example)"}
            out_path = os.path.join(self.tmp, "switch-%s.json" % lang)
            t = self.open_accounts(size, "--json", stdout_path=out_path)
            self.choose(t, lang, self.tr(lang, "Switch the active account on %s") % host)
            self.title(t, lang, "Switch account")
            self.footer_is(t, lang, "↑↓ choose  Enter make active  b back  q quit")
            question = self.tr(lang, "Which account should be the active one on %s? 'bkt-auth "
                                     "token', git and the other commands use the active "
                                     "account.") % host
            screen = self.wait_shows(t, question)
            self.assert_layout(t, self.tr(lang, "Switch account"),
                               name="switch_account_%s_%dx%d" % (lang, size[0], size[1]))
            # The other account is chosen first; the active one says it is so.
            self.assertTrue(self.shows(screen, "› " + names[other]), screen)
            self.assertTrue(self.shows(screen, names[now] + self.tr(lang, " (active)")), screen)
            t.keys("Down" if other == "alice" else "Up")
            self.wait_shows(t, "› " + names[now])
            t.keys("Enter")
            self.wait_shows(t, self.tr(lang, "%s is the active account on %s already: choose "
                                             "another, or press b to go back.")
                            % (names[now], host))
            self.assertEqual(self.active_user(host), [now])
            t.keys("Down" if other == "bob" else "Up")
            self.wait_shows(t, "› " + names[other])
            t.keys("Enter")
            self.assert_exit(t, 0)
            self.assertEqual(t.stderr_text(), self.tr(lang, SWITCHED) % (host, other))
            self.assertEqual(json.loads(t.stdout_text())["username"], other)
            self.assertEqual(self.active_user(host), [other])
            self.assertEqual(self.token(host, env_extra=DC_ENV), tokens[other])
            # Both logins stay.
            self.assertEqual(sorted(self.account_ids(host)), ["alice", "bob"])
        self.each_size(body, keep_logins=True)

    def test_switch_waits_for_the_lock_without_freezing(self):
        # Another bkt-auth holds the store's lock: the switch screen keeps drawing, counts the
        # wait, and q gives up with nothing changed; once the lock is free, Enter switches.
        self.login_dc_as("alice")
        self.login_dc_as("bob")
        host = self.fake.dc_host
        holder = harness.LockHolder(self.config_dir)
        self.addCleanup(holder.release)
        t = self.open_accounts((80, 24, "en"))
        self.choose(t, "en", "Switch the active account on %s" % host)
        t.wait_for("bkt-auth  ·  Switch account")
        t.keys("Enter")
        first = t.wait_for(re.compile(r"waited\s+(\d+)\s+seconds?"), join=True)
        n = int(re.search(r"waited\s+(\d+)\s+seconds?", first).group(1))
        t.wait_for(re.compile(r"waited\s+%d\s+seconds" % (n + 2)), timeout=15, join=True)
        t.keys("q")
        self.assert_exit(t, 2)
        self.assertEqual(self.active_user(host), ["bob"])

        t = self.open_accounts((80, 24, "en"))
        self.choose(t, "en", "Switch the active account on %s" % host)
        t.wait_for("bkt-auth  ·  Switch account")
        t.keys("Enter")
        t.wait_for(re.compile(r"waited\s+\d+\s+seconds?"), join=True)
        holder.release()
        self.assert_exit(t, 0)
        self.assertEqual(self.active_user(host), ["alice"])

    def test_switch_back_and_quit(self):
        self.login_dc_as("alice")
        self.login_dc_as("bob")
        host = self.fake.dc_host
        t = self.open_accounts((80, 24, "en"))
        self.choose(t, "en", "Switch the active account on %s" % host)
        t.wait_for("bkt-auth  ·  Switch account")
        t.keys("b")
        t.wait_for("bkt-auth  ·  " + ACCOUNTS)
        t.keys("q")
        self.assert_exit(t, 2)
        self.assertEqual(self.active_user(host), ["bob"])


if __name__ == "__main__":
    harness.main()
