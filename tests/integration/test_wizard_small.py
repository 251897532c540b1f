#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The wizard on small terminals, in other languages and character sets: the
body scrolls rather than lose text, the key hints wrap rather than lose a
key, the sign-in address stays in reach below the minimum size, Japanese
breaks where Japanese may, ASCII stands in for the arrows without UTF-8, and
the cursor rests on the chosen entry of a list."""

import re

import harness
from harness import DC_ENV
from ux import UxTestCase

SSH_ENV = {"BROWSER": None, "DISPLAY": None, "WAYLAND_DISPLAY": None,
           "SSH_CONNECTION": "192.0.2.10 50022 192.0.2.20 22"}
GUIDE_KEYS = ["Enter", "c", "u", "r", "m", "b", "q"]
ADMIN_MESSAGE = (
    "Hello, could you create an application link on %s for bkt-auth? Administration > "
    "Applications > Application links > Create link > External application, direction "
    "Incoming. Name: bkt-auth. Redirect URL: %s. Permissions: Repositories: Write. Then send "
    "me the Client ID and the Client secret (by a private channel). Thank you!")
# What no line of Japanese may start with.
NO_START = "。、」）ー！？ッャュョ"


class WizardSmall(UxTestCase):

    def to_guide(self, size):
        lang = size[2]
        t = self.start_in(size, ["login", "-i", "--allow-http"], env_extra=DC_ENV)
        self.wait_shows(t, "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
        t.keys("Down")
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  " + self.tr(lang, "Your Bitbucket"))
        t.type(self.fake.dc_url)
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  " + self.tr(lang, "Application link"))
        return t

    def test_guide_scrolls_and_keeps_every_key(self):
        # Item 4: at 60x18 the steps and the admin message scroll; no key leaves the footer
        # (in German at 80x24 either).
        self.SIZES = ((60, 18, "en"), (80, 24, "de"), (60, 18, "ja"))

        def body(size):
            width, height, lang = size
            t = self.to_guide(size)
            self.assertEqual(self.footer_keys(t), GUIDE_KEYS, t.screen())
            self.assert_layout(t, self.tr(lang, "Application link"))
            last_step = self.tr(lang, "5. Save, then copy the Client ID and the Client secret")
            more_below = self.tr(lang, "more below (PgDn)")
            more_above = self.tr(lang, "more above (PgUp)")
            screen = t.screen()
            if height == 18:
                # Not all of it fits: it says so, and PgDn shows the rest.
                self.assertTrue(self.shows(screen, more_below), screen)
                self.assertFalse(self.shows(screen, last_step), screen)
                first = t.lines()[4]
                t.keys("Down")
                t.wait_for(lambda s: s.split("\n")[4] != first)
                t.keys("NPage")
                screen = self.wait_shows(t, last_step)
                self.assertTrue(self.shows(screen, more_above), screen)
                self.assertFalse(self.shows(screen, more_below), screen)
                t.keys("PPage")
                self.wait_shows(t, more_below)
            else:
                self.assertTrue(self.shows(screen, last_step), screen)
            # The message for an admin, to its last word.
            t.keys("m")
            message = self.tr(lang, ADMIN_MESSAGE) % (self.fake.dc_url,
                                                       "http://localhost:48657/callback")
            tail = message[-20:]
            t.keys("NPage")
            t.keys("NPage")
            screen = self.wait_shows(t, tail)
            self.assertEqual(self.footer_keys(t), GUIDE_KEYS, screen)
            t.keys("q")
            self.assert_exit(t, 2)
        self.each_size(body)

    def test_too_small_over_ssh_keeps_the_address(self):
        # Item 4: below the minimum size the waiting screen still gives the address.
        self.SIZES = ((50, 15, "en"), (50, 15, "ja"))

        def body(size):
            lang = size[2]
            t = self.start_in(size, ["login", "-i", "bitbucket.org"], env_extra=SSH_ENV)
            screen = self.wait_shows(t, "/site/oauth2/authorize?client_id=")
            self.assertTrue(self.shows(screen, self.tr(
                lang, "The sign-in address (u shows it whole to select, c copies it):")), screen)
            t.keys("u")

            def address_alone(text):
                return [l.strip() for l in text.split("\n") if self.is_authorize_url(l.strip())]
            outside = t.wait_for(address_alone, join=True)
            urls = address_alone(outside)
            self.assertEqual(len(urls), 1, outside)
            # The address on the small screen was the whole of it.
            self.assertIn(urls[0], re.sub(r"\s+", "", screen))
            t.keys("Enter")
            self.wait_shows(t, "/site/oauth2/authorize?client_id=")
            t.keys("q")
            self.assert_exit(t, 2)
        self.each_size(body)

    def test_ascii_without_utf8(self):
        # Item 10: with LANG=C the footer's arrows fall back to ASCII like the other glyphs.
        for width, height in ((80, 24), (60, 18)):
            with self.subTest(size="%dx%d" % (width, height)):
                t = self.tmux_start(["login", "-i"], env_extra={"LANG": "C", "LC_ALL": "C"},
                                    width=width, height=height)
                screen = t.wait_for("> Bitbucket Cloud")
                self.assertEqual(self.footer(t.lines()),
                                 "Up/Down choose  c Cloud  d Data Center  Enter next  q quit",
                                 screen)
                self.assertTrue(all(ord(c) < 128 for c in screen), repr(screen))
                self.assertIn("bkt-auth  -  Cloud or Data Center", screen)
                t.keys("q")
                self.assert_exit(t, 2)
        t = self.tmux_start(["login", "-i"], env_extra={"LANG": "C", "LC_ALL": "C"}, width=50,
                            height=15)
        screen = t.wait_for("60x18")
        self.assertTrue(all(ord(c) < 128 for c in screen), repr(screen))
        t.keys("q")
        self.assert_exit(t, 2)

    def test_japanese_lines_start_as_japanese_may(self):
        # Item 10: no row of Japanese starts with a closing mark or the prolonged sound mark.
        self.SIZES = ((80, 24, "ja"), (60, 18, "ja"), (64, 20, "ja"))

        def body(size):
            t = self.tmux_start(["login", "-i", "--allow-http"], env_extra=self.lang_env("ja"),
                                width=size[0], height=size[1])
            seen = [self.wait_shows(t, "› " + self.tr("ja", "Bitbucket Cloud: bitbucket.org"))]
            t.keys("Down")
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr("ja", "Your Bitbucket"))
            seen.append(t.screen())
            t.type(self.fake.dc_url)
            t.keys("Enter")
            t.wait_for("bkt-auth  ·  " + self.tr("ja", "Application link"))
            for _ in range(3):
                seen.append(t.screen())
                t.keys("NPage")
            t.keys("m")
            seen.append(self.wait_shows(t, "bkt-auth"))
            for screen in seen:
                for row in screen.split("\n")[3:-3]:
                    text = row.strip()
                    self.assertFalse(text and text[0] in NO_START,
                                     "a row starts with %r:\n%s" % (text[:1], screen))
            t.keys("q")
            self.assert_exit(t, 2)
        self.each_size(body)

    def test_cursor_rests_on_the_choice(self):
        # Item 12: the cursor is on the chosen entry of a list, where a screen reader looks.
        self.SIZES = ((80, 24, "en"), (60, 18, "de"))

        def body(size):
            lang = size[2]
            cloud = "› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org")
            dc = "› " + self.tr(lang, "Bitbucket Data Center: your company's own server")
            t = self.start_in(size, ["login", "-i"])
            t.wait_for(cloud)
            harness.wait_until(lambda: self.cursor(t)[1] == self.row_of(t, cloud),
                               what="the cursor on the Cloud entry")
            x, y, visible = self.cursor(t)
            self.assertTrue(visible)
            self.assertEqual(x, t.lines()[y].index("›"))
            t.keys("Down")
            t.wait_for(dc)
            harness.wait_until(lambda: self.cursor(t)[1] == self.row_of(t, dc),
                               what="the cursor on the Data Center entry")
            t.keys("q")
            self.assert_exit(t, 2)
        self.each_size(body)


if __name__ == "__main__":
    harness.main()
