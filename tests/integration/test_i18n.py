#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bkt-auth in German and Japanese: the help, the wizard at 80x24 in tmux, and
the page the browser lands on.

German has long words, Japanese double-width characters: every screen must fit
its 80 columns by display width, cut no word at a wrapped line's end, keep the
boxes' edges in line, and show no mojibake.  The catalogues come from the build
tree (BKT_AUTH_LOCALEDIR); the de_DE.UTF-8 and ja_JP.UTF-8 locales from
scripts/install-deps."""

import ast
import os
import re
import subprocess
import unicodedata

import harness
from tmux import WizardTestCase, display_width

LOCALES = {"de": "de_DE.UTF-8", "ja": "ja_JP.UTF-8"}
SOURCE = os.environ.get("BKT_SOURCE_DIR", "")
BUILD = os.environ.get("BKT_BUILD_DIR", "")
BOX_TOP = "┌╭"
BOX_BOTTOM = "└╰"


def po_messages(lang):
    """msgid -> msgstr (the first form for plurals) of po/LANG.po."""
    cp = subprocess.run(["msgcat", "--no-wrap", "--sort-output", os.path.join(SOURCE, "po", lang + ".po")],
                        stdout=subprocess.PIPE, check=True, text=True)
    messages = {}
    key = None
    for line in cp.stdout.split("\n"):
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[(\d+)\])?) "(.*)"$', line)
        if not m:
            continue
        text = ast.literal_eval('"' + m.group(3) + '"')
        if m.group(1) == "msgid":
            key = text
        elif m.group(1) in ("msgstr", "msgstr[0]"):
            messages[key] = text
    return messages


def have_locale(name):
    cp = subprocess.run(["locale", "-a"], stdout=subprocess.PIPE, text=True)
    want = name.lower().replace("utf-8", "utf8")
    return any(l.strip().lower().replace("utf-8", "utf8") == want for l in cp.stdout.split())


class Translations(WizardTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = [name for name in LOCALES.values() if not have_locale(name)]
        if missing:
            raise AssertionError("the locales %s are not generated: run scripts/install-deps"
                                 % ", ".join(missing))
        cls.localedir = os.path.join(BUILD, "po")
        for lang in LOCALES:
            mo = os.path.join(cls.localedir, lang, "LC_MESSAGES", "bkt-auth.mo")
            if not os.path.exists(mo):
                raise AssertionError("no catalogue at %s: build first" % mo)
        cls.po = {lang: po_messages(lang) for lang in LOCALES}
        # Every word a German screen may end or begin a row with.
        cls.de_words = set()
        for text in cls.po["de"].values():
            cls.de_words.update(text.split())

    def lang_env(self, lang, extra=None):
        env = {"LANG": LOCALES[lang], "LC_ALL": LOCALES[lang], "LANGUAGE": None,
               "BKT_AUTH_LOCALEDIR": self.localedir}
        env.update(extra or {})
        return env

    def tr(self, lang, msgid):
        text = self.po[lang][msgid]
        self.assertTrue(text, "%s: %r is not translated" % (lang, msgid))
        return text

    # -- checks of a screen --

    def assert_clean(self, lang, screen):
        self.assertNotIn("\ufffd", screen, "a replacement character:\n" + screen)
        self.assertNotIn("??", screen, "question marks for characters:\n" + screen)
        try:
            screen.encode("utf-8").decode("utf-8")
        except UnicodeError:
            self.fail("the screen is not valid UTF-8")
        for ch in screen:
            cat = unicodedata.category(ch)
            self.assertFalse(cat in ("Cc", "Cs", "Co") and ch != "\n",
                             "a stray character U+%04X:\n%s" % (ord(ch), screen))
        if lang == "ja":
            self.assertTrue(any(unicodedata.east_asian_width(c) in "WF" for c in screen),
                            "no double-width text on a Japanese screen:\n" + screen)

    def assert_boxes(self, rows, screen):
        """Each box's left and right edges stay in the same display columns."""
        def columns(row, chars):
            out, col = [], 0
            for ch in row:
                if ch in chars:
                    out.append(col)
                col += display_width(ch)
            return out
        top = None
        for i, row in enumerate(rows):
            corners = columns(row, BOX_TOP + "┐╮")
            if top is None and len(corners) == 2 and row.strip()[0] in BOX_TOP:
                top = corners
                continue
            if top is None:
                continue
            bottom = columns(row, BOX_BOTTOM + "┘╯")
            if len(bottom) == 2:
                self.assertEqual(bottom, top, "box bottom %d out of line:\n%s" % (i, screen))
                top = None
                continue
            edges = columns(row, "│")
            self.assertEqual(edges, top, "box row %d out of line:\n%s" % (i, screen))
        self.assertIsNone(top, "a box is not closed:\n" + screen)

    def assert_words_whole(self, lang, t, screen, extra_words=()):
        """German: a row begins and ends with a whole word of the catalogue."""
        if lang != "de":
            return
        width, _height = t.size()
        col = min(width, 80) - 4
        left = (width - col) // 2
        words = self.de_words | set(extra_words)
        rows = screen.split("\n")
        for i, row in enumerate(rows[1:-1], 1):
            inner = row[left:].strip(" │┌┐└┘─╭╮╰╯›•")
            tokens = inner.split()
            if not tokens:
                continue
            for token in {tokens[0], tokens[-1]}:
                if not re.search(r"\w", token) or re.search(r"[\d:/.@]", token) or token in words:
                    continue
                if any(token.strip("().,;'\"") == w.strip("().,;'\"")
                       for w in words if token.strip("().,;'\"")):
                    continue
                self.fail("row %d cuts a word, %r is not one:\n%s" % (i, token, screen))

    def check_screen(self, lang, t, title_msgid, footer_msgid, extra_words=()):
        title = self.tr(lang, title_msgid)
        footer = self.tr(lang, footer_msgid)
        screen = self.assert_layout(t, title, (footer.split("  ")[0],),
                                    name="%s_%s" % (lang, re.sub(r"\W+", "_", title_msgid).lower()))
        rows = t.lines()
        self.assertEqual(self.footer(rows), footer, "footer:\n" + screen)
        for row in rows:
            self.assertLessEqual(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
                                     for c in row), 80, "row wider than 80:\n" + screen)
        self.assert_clean(lang, screen)
        self.assert_boxes(rows, screen)
        self.assert_words_whole(lang, t, screen, extra_words)
        return screen

    # -- the help --

    def test_help(self):
        for lang, needles in (("de", ("Aufruf: bkt-auth [BEFEHL]", "Befehle:",
                                      "bei Bitbucket Cloud oder einem Bitbucket Data Center anmelden")),
                              ("ja", ("使い方: bkt-auth [コマンド]", "コマンド:",
                                      "ログイン中のホストを表示する"))):
            with self.subTest(lang=lang):
                rc, out, err = self.run_bkt(["--help"], env_extra=self.lang_env(lang))
                self.assertEqual(rc, 0, err)
                for needle in needles:
                    self.assertIn(needle, out)
                self.assertNotIn("Usage:", out)
                self.assert_clean(lang, out)
                rc, out, err = self.run_bkt(["login", "--help"], env_extra=self.lang_env(lang))
                self.assertEqual(rc, 0, err)
                self.assertIn(self.tr(lang, "[HOST] - log in to Bitbucket"), out)
                # Flags stay as they are.
                self.assertIn("--insecure-storage", out)

    def test_error_stays_translated_and_plain(self):
        rc, _out, err = self.run_bkt(["frobnicate"], env_extra=self.lang_env("de"))
        self.assertNotEqual(rc, 0)
        self.assertEqual(err, "bkt-auth: unbekannter Befehl 'frobnicate': siehe 'bkt-auth --help'\n")

    # -- the wizard --

    def wizard(self, lang, args, env_extra=None):
        return self.tmux_start(args, env_extra=self.lang_env(lang, env_extra))

    def test_wizard_cloud(self):
        for lang in LOCALES:
            with self.subTest(lang=lang):
                try:
                    self.wizard_cloud(lang)
                finally:
                    self.logout_all()

    def logout_all(self):
        self.run_bkt(["logout", "bitbucket.org"])

    def wizard_cloud(self, lang):
        t = self.wizard(lang, [])
        t.wait_for(self.tr(lang, "Welcome to bkt-auth. Let's sign you in to Bitbucket."))
        self.check_screen(lang, t, "Welcome", "Enter start  q quit")
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  " + self.tr(lang, "Cloud or Data Center"))
        t.wait_for("› " + self.tr(lang, "Bitbucket Cloud: bitbucket.org"))
        self.check_screen(lang, t, "Cloud or Data Center",
                          "↑↓ choose  c Cloud  d Data Center  Enter next  q quit")
        t.keys("Enter")
        t.wait_for(self.tr(lang, "Press Enter to open the browser."))
        self.check_screen(lang, t, "Sign in",
                          "Enter open browser  s show the address instead  b back  q quit",
                          extra_words=("bitbucket.org",))
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  " + self.tr(lang, "Logged in"))
        screen = self.check_screen(lang, t, "Logged in", "g set up git  Enter finish",
                                   extra_words=("alice", "Example).", "account", "repository"))
        flat = " ".join(screen.split())
        self.assertIn("bitbucket.org", flat)
        t.keys("Enter")
        self.assert_exit(t, 0)

    def test_wizard_waiting_and_address(self):
        for lang in LOCALES:
            with self.subTest(lang=lang):
                t = self.wizard(lang, ["login", "-i"], env_extra={"FAKE_BROWSER_MODE": "none"})
                t.wait_for("bkt-auth  ·  " + self.tr(lang, "Cloud or Data Center"))
                t.keys("Enter")
                t.wait_for(self.tr(lang, "Press Enter to open the browser."))
                t.keys("Enter")
                t.wait_for(re.compile(r"\d+:\d\d"))
                self.check_screen(lang, t, "Waiting for the browser",
                                  "o browser  c copy  u show  p paste  b back  q cancel")
                t.keys("q")
                self.assert_exit(t, 2)
                self.assertIn("bkt-auth: " + self.tr(lang, "login cancelled"), t.stderr_text())

                t = self.wizard(lang, ["login", "-i"])
                t.wait_for("bkt-auth  ·  " + self.tr(lang, "Cloud or Data Center"))
                t.keys("Down")
                t.wait_for("› " + self.tr(lang, "Bitbucket Data Center: your company's own server"))
                t.keys("Enter")
                t.wait_for("bkt-auth  ·  " + self.tr(lang, "Your Bitbucket"))
                self.check_screen(lang, t, "Your Bitbucket", "Enter check  Esc back  ^C quit")
                t.keys("C-c")
                self.assert_exit(t, 2)

    def test_too_small(self):
        for lang in LOCALES:
            with self.subTest(lang=lang):
                t = self.tmux_start(["login", "-i"], env_extra=self.lang_env(lang),
                                    width=40, height=12)
                msg = self.tr(lang, "bkt-auth needs a terminal of at least %d×%d; "
                                    "this one is %d×%d. Make it larger, or press q to quit.")
                first = msg.split("%d")[0].strip()
                screen = t.wait_for(first.split()[0])
                for row in t.lines():
                    self.assertLessEqual(display_width(row), 40, screen)
                self.assert_clean(lang, screen)
                t.keys("q")
                self.assert_exit(t, 2)

    # -- the browser page --

    def test_browser_page_in_german(self):
        rc, _out, err = self.run_bkt(self.cloud_login_args(), env_extra=self.lang_env("de"))
        self.assertEqual(rc, 0, err)
        self.assertIn("Bei bitbucket.org als alice angemeldet", err)
        self.assertTrue(os.path.exists(self.browser_page), "no page was captured")
        with open(self.browser_page, "rb") as f:
            raw = f.read()
        page = raw.decode("utf-8")  # raises on invalid UTF-8
        self.assertIn(self.tr("de", "bkt-auth is authorized"), page)
        self.assertIn("Sie können diesen Tab schließen und zum Terminal zurückkehren.", page)
        self.assertIn('charset="utf-8"', page)
        self.logout_all()


if __name__ == "__main__":
    harness.main()
