#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Shared steps for the tests of the wizard as a new user finds it.

Each test runs at 80x24 in English and at 60x18 in German or Japanese (and
more sizes where it is cheap), reading what the screen should say from the
catalogues in po/, so that a sentence cut off or left untranslated shows.
Text is compared without its whitespace: a sentence wraps differently at
each size and in each language.
"""

import ast
import os
import re
import subprocess
import time

import harness
from tmux import WizardTestCase

LOCALES = {"de": "de_DE.UTF-8", "ja": "ja_JP.UTF-8"}
SOURCE = os.environ.get("BKT_SOURCE_DIR", "")
BUILD = os.environ.get("BKT_BUILD_DIR", "")

_catalogues = {}


def catalogue(lang):
    """msgid -> [msgstr forms] of po/LANG.po."""
    if lang not in _catalogues:
        cp = subprocess.run(["msgcat", "--no-wrap", os.path.join(SOURCE, "po", lang + ".po")],
                            stdout=subprocess.PIPE, check=True, text=True)
        messages, key = {}, None
        for line in cp.stdout.split("\n"):
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[(\d+)\])?) "(.*)"$', line)
            if not m:
                continue
            text = ast.literal_eval('"' + m.group(3) + '"')
            if m.group(1) == "msgid":
                key = text
                messages[key] = []
            elif m.group(1).startswith("msgstr"):
                messages[key].append(text)
        _catalogues[lang] = messages
    return _catalogues[lang]


def flat(text):
    """text without any whitespace: wrapped sentences compare whole."""
    return re.sub(r"\s+", "", text)


class UxTestCase(WizardTestCase):
    """A wizard test that runs in several sizes and languages."""

    # (width, height, language): 80x24 English, and the minimum size in another language.
    SIZES = ((80, 24, "en"), (60, 18, "de"))

    def tr(self, lang, msgid, plural=None, n=1):
        """msgid as the wizard says it in lang (a plural form for n when plural is given)."""
        if lang == "en":
            return msgid if plural is None or n == 1 else plural
        forms = catalogue(lang).get(msgid)
        self.assertTrue(forms and forms[0], "%s: %r is not translated" % (lang, msgid))
        if plural is None or len(forms) == 1:
            return forms[0]
        return forms[0] if n == 1 else forms[1]

    def lang_env(self, lang, extra=None):
        env = {}
        if lang != "en":
            env = {"LANG": LOCALES[lang], "LC_ALL": LOCALES[lang], "LANGUAGE": None,
                   "BKT_AUTH_LOCALEDIR": os.path.join(BUILD, "po")}
        env.update(extra or {})
        return env

    def start_in(self, size, args, env_extra=None, stdout_path=None):
        width, height, lang = size
        return self.tmux_start(args, env_extra=self.lang_env(lang, env_extra), width=width,
                               height=height, stdout_path=stdout_path)

    def each_size(self, body, keep_logins=False):
        """Run body(size) once per size, each as a subtest. A size after the first starts with
        nothing stored (forget_logins), unless keep_logins: then with what the last one left."""
        for i, size in enumerate(self.SIZES):
            if i > 0 and not keep_logins:
                self.forget_logins()
            with self.subTest(size="%dx%d %s" % size):
                body(size)

    # -- the screen --

    @staticmethod
    def shows(screen, text):
        return flat(text) in flat(screen)

    def wait_shows(self, t, text, timeout=harness.WAIT_TIMEOUT):
        """Wait until text shows, however it wraps; returns the screen."""
        want = flat(text)

        def found(screen):
            return want in flat(screen)
        found.__name__ = repr(text)
        return t.wait_for(found, timeout=timeout)

    def sentence(self, lang, message):
        """An engine message as the wizard's notice shows it: a capital and a full stop."""
        first = message.split(" ", 1)[0]
        if first.isalpha():
            message = message[0].upper() + message[1:]
        return message + self.tr(lang, "%s.").replace("%s", "")

    def stays_without(self, t, text, seconds):
        """text does not show for seconds (the screen is read all the while)."""
        want = flat(text)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = t.screen()
            self.assertNotIn(want, flat(screen), "%r showed:\n%s" % (text, screen))
            time.sleep(0.1)

    def footer_keys(self, t):
        """The keys of the key hints (the first word of each), in order."""
        items = self.footer(t.lines()).split("  ")
        return [i.split(" ")[0] for i in items if i.strip()]

    def cursor(self, t):
        """(column, row, visible) of the pane's cursor."""
        x, y, flag = t.tmux("display-message", "-p", "-t", t.target,
                            "#{cursor_x} #{cursor_y} #{cursor_flag}").split()
        return int(x), int(y), flag == "1"

    def row_of(self, t, text):
        rows = t.lines()
        for i, row in enumerate(rows):
            if text in row:
                return i
        self.fail("%r is on no row:\n%s" % (text, "\n".join(rows)))
