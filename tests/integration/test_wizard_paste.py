#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The wizard's waiting screen when the browser does not come back by itself:
pasted addresses cut off, the code alone, the provider's own page after a
refused redirect, and the paste field's own keys. Each test runs at 80x24 in
English and at 60x18 in German or Japanese."""

import os
import urllib.parse

import harness
from harness import DC_ENV, FakeBitbucket
from ux import UxTestCase

DC_CLIENT_ID = "0123456789abcdef0123456789abcdef"
DC_CLIENT_SECRET = ("dc-wizard-secret-" + "9f8e7d6c5b4a" * 6)[:64]
INCOMPLETE_BEFORE = ("the address is incomplete: it ends before the state; copy the whole "
                     "address from the browser's address bar")
INCOMPLETE_INSIDE = ("the address is incomplete: it ends inside the state; copy the whole "
                     "address from the browser's address bar")
CODE_ALONE = ("that looks like the code alone: paste the whole address from the browser's "
              "address bar, which starts with %s?code=")
ANOTHER = ("the pasted address belongs to another login attempt (its state does not match): "
           "paste the address from the browser tab this login opened")
NOT_ADDRESS = ("that is not a web address: paste the whole address from the browser's address "
               "bar, starting with http://")
PASTE_PROMPT = "Paste the address from the browser's address bar, then Enter:"


class PasteSteps(UxTestCase):

    def last_browser_url(self):
        """The authorize URL behind the start address the browser was last given."""
        urls = harness.wait_until(self.browser_urls, what="the browser to be started")
        return self.authorize_url_behind(urls[-1])

    def forget_browser(self):
        if os.path.exists(self.browser_log):
            os.remove(self.browser_log)

    def paste(self, t, text):
        t.keys("C-u")
        t.type(text)
        t.keys("Enter")


class WizardPaste(PasteSteps):

    def open_waiting(self, size):
        lang = size[2]
        t = self.start_in(size, ["login", "-i"], env_extra={"FAKE_BROWSER_MODE": "none"})
        self.wait_shows(t, "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
        t.keys("Enter")
        self.wait_shows(t, self.tr(lang, "Press Enter to open the browser."))
        t.keys("Enter")
        self.wait_shows(t, self.tr(lang, "Time left: %s").replace("%s", ""))
        return t

    def test_cut_off_address_is_called_cut_off(self):
        # Item 1: a copy cut off at or inside the state is not "another login attempt".
        def body(size):
            lang = size[2]
            self.forget_browser()
            exchanged = self.fake.stats()["token_code"]
            t = self.open_waiting(size)
            url = self.last_browser_url()
            redirect = self.redirect_for(url)
            redirect_uri = harness.query_of(url)["redirect_uri"]
            state = harness.query_of(redirect)["state"]
            t.keys("p")
            self.wait_shows(t, self.tr(lang, PASTE_PROMPT))
            cut = redirect.index("&state=")
            cases = [
                (redirect[:cut], self.tr(lang, INCOMPLETE_BEFORE)),
                (redirect[:cut] + "&state", self.tr(lang, INCOMPLETE_BEFORE)),
                (redirect[:cut + len("&state=") + 12], self.tr(lang, INCOMPLETE_INSIDE)),
                (harness.query_of(redirect)["code"], self.tr(lang, CODE_ALONE) % redirect_uri),
                (harness.with_query(redirect, state=state[::-1]), self.tr(lang, ANOTHER)),
            ]
            for text, said in cases:
                self.paste(t, text)
                screen = self.wait_shows(t, self.sentence(lang, said))
                if said != self.tr(lang, ANOTHER):
                    self.assertFalse(self.shows(screen, self.tr(lang, ANOTHER)[:40]), screen)
                self.assertTrue(t.running())
            self.assertEqual(self.fake.stats()["token_code"], exchanged)
            self.paste(t, redirect)
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Logged in"))
            t.keys("Enter")
            self.assert_exit(t, 0)
        self.each_size(body)

    def test_paste_mode_shows_its_own_keys(self):
        # Item 7: Enter submit, Esc back; an old notice goes when the field opens.
        def body(size):
            lang = size[2]
            t = self.open_waiting(size)
            copied = self.tr(lang, "Sent the address to your terminal's clipboard (if it allows).")
            t.keys("c")
            self.wait_shows(t, copied)
            t.keys("p")
            screen = self.wait_shows(t, self.tr(lang, PASTE_PROMPT))
            self.assertFalse(self.shows(screen, copied), "the old notice stayed:\n" + screen)
            self.assertEqual(self.footer(t.lines()),
                             self.tr(lang, "Enter submit  Esc back  ^C quit"), screen)
            self.paste(t, "nonsense")
            self.wait_shows(t, self.sentence(lang, self.tr(lang, NOT_ADDRESS)))
            t.keys("Escape")
            screen = t.wait_for(lambda s: not self.shows(s, self.tr(lang, PASTE_PROMPT)))
            self.assertFalse(self.shows(screen, self.tr(lang, NOT_ADDRESS)[10:50]),
                             "the paste's notice stayed:\n" + screen)
            wait_keys = self.tr(lang, "o browser  c copy  u show  p paste  b back  q cancel")
            self.assertEqual(self.footer(t.lines()), wait_keys)
            t.keys("q")
            self.assert_exit(t, 2)
        self.each_size(body)


class WizardRedirect(PasteSteps):

    @classmethod
    def make_fake(cls):
        return FakeBitbucket(client_id=DC_CLIENT_ID, client_secret=DC_CLIENT_SECRET)

    SIZES = ((80, 24, "en"), (60, 18, "ja"))

    def test_wrong_redirect_is_diagnosed_and_changed(self):
        # Item 5: the waiting screen says what the link must hold; the sign-in page pasted
        # back says so too; the guide changes the redirect the wizard listens on.
        def body(size):
            lang = size[2]
            self.forget_browser()
            wrong = "http://localhost:%d/callback" % harness.fixed_port()
            t = self.start_in(size, ["login", "-i", "--allow-http", "--redirect-uri", wrong],
                              env_extra=DC_ENV)
            self.wait_shows(t, "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
            t.keys("Down")
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Your Bitbucket"))
            t.type(self.fake.dc_url)
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Application link"))
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Client credentials"))
            t.type(DC_CLIENT_ID)
            t.keys("Tab")
            t.type(DC_CLIENT_SECRET)
            t.keys("Enter")
            self.wait_shows(t, self.tr(lang, "Press Enter to open the browser."))
            t.keys("Enter")
            # The browser shows the fake's "Invalid redirect" and never comes back. What to
            # check is said under the clock: on a small screen, further down.
            self.wait_shows(t, self.tr(lang, "Time left: %s").replace("%s", ""))
            t.keys("NPage")
            advice = self.tr(lang, "If the browser shows an error about the redirect, the "
                                   "application link's Redirect URL must be exactly %s.") % wrong
            self.wait_shows(t, advice)
            url = self.last_browser_url()
            t.keys("p")
            self.wait_shows(t, self.tr(lang, PASTE_PROMPT))
            self.paste(t, url)
            refused = self.tr(lang, "the pasted address is %s's sign-in page, where the browser "
                                    "stays when it refuses the redirect: the application link's "
                                    "Redirect URL must be exactly %s") % (self.fake.dc_host, wrong)
            screen = self.wait_shows(t, self.sentence(lang, refused))
            self.assertFalse(self.shows(screen, "is not the redirect bkt-auth waits for"), screen)
            # Back to the guide, to listen where the link sends the browser.
            t.keys("Escape")
            t.keys("b")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Client credentials"))
            t.keys("Escape")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Application link"))
            t.keys("r")
            screen = t.wait_for(lambda s: self.footer(s.split("\n")).startswith("Enter"))
            self.assertEqual(self.footer(t.lines()),
                             self.tr(lang, "Enter use this URL  Esc keep the old one  ^C quit"))
            self.wait_shows(t, "[" + wrong)
            t.keys("C-u")
            t.type("http://localhost:0/callback")
            t.keys("Enter")
            self.wait_shows(t, self.sentence(lang, self.tr(
                lang, "the redirect URI '%s' is not one bkt-auth can listen on: use "
                "http://localhost:PORT/PATH or http://127.0.0.1:PORT/PATH with a port from 1 to "
                "65535") % "http://localhost:0/callback"))
            t.keys("C-u")
            t.type(self.fake.dc_redirect)
            t.keys("Enter")
            self.wait_shows(t, self.tr(lang, "bkt-auth will listen on %s.") % self.fake.dc_redirect)
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Client credentials"))
            t.keys("Enter")
            self.wait_shows(t, self.tr(lang, "Press Enter to open the browser."))
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr(lang, "Logged in"))
            t.keys("Enter")
            self.assert_exit(t, 0)
            entry = self.hosts_entries()[self.fake.dc_host]
            self.assertEqual(entry.get("redirect_uri"), self.fake.dc_redirect)
        self.each_size(body)

if __name__ == "__main__":
    harness.main()
