#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Drive bkt-auth's full-screen wizard in a private tmux server.

Each Tmux object owns one tmux server (its own socket, no configuration
file) with one session of one pane.  The pane runs a small shell wrapper
that records `stty -g` before and after the program, writes the program's
pid and exit code to files, prints EXIT=<code> on the pane and then keeps
the pane alive, so the test can still read what the program left behind.

The program's environment is given in full (env -i): nothing reaches it
from the tmux server's own environment.  Every wait polls capture-pane
with a deadline; nothing sleeps and hopes.
"""

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
import unicodedata
import unittest
import uuid

import harness

POLL = 0.05
TMUX_TIMEOUT = 10.0

# Variables that must not reach the program under test: ncurses prefers
# COLUMNS and LINES to the terminal's real size, and TMUX changes how the
# program copies to the clipboard.
TERMINAL_ENV = ("COLUMNS", "LINES", "TMUX", "TMUX_PANE", "TERMCAP", "TERMINFO",
                "NO_COLOR", "LANGUAGE")

_SGR_RE = re.compile(r"\x1b\[([0-9;:]*)m")


def tmux_path():
    return shutil.which("tmux")


def terminal_type():
    """The TERM a program inside tmux should have: tmux-256color where the
    terminfo database knows it, else screen (always there)."""
    try:
        cp = subprocess.run(["infocmp", "tmux-256color"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            timeout=TMUX_TIMEOUT)
        if cp.returncode == 0:
            return "tmux-256color"
    except (OSError, subprocess.TimeoutExpired):
        pass
    return "screen"


def colour_sequences(text):
    """The SGR sequences of text (capture-pane -e) that set a colour
    (default colours, 39 and 49, are not one)."""
    found = []
    for m in _SGR_RE.finditer(text):
        for p in re.split(r"[;:]", m.group(1)):
            n = int(p) if p.isdigit() else -1
            if (n in (38, 48, 58) or 30 <= n <= 37 or 40 <= n <= 47
                    or 90 <= n <= 97 or 100 <= n <= 107):
                found.append(m.group(0))
                break
    return found


def display_width(text):
    """Columns text takes on a terminal (wide characters count two)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


class Tmux:
    """One private tmux server running one program in one pane."""

    def __init__(self, workdir):
        self.bin = tmux_path()
        if self.bin is None:
            raise unittest.SkipTest("tmux is not installed")
        self.dir = os.path.join(workdir, "tmux-%s" % uuid.uuid4().hex[:8])
        os.makedirs(self.dir)
        self.socket = "bkt-wizard-%d-%s" % (os.getpid(), uuid.uuid4().hex[:12])
        self.target = "w"
        self.started = False
        self.pane_pid = None
        self.stdout_path = None
        self.stderr_path = os.path.join(self.dir, "stderr")
        self.before_path = os.path.join(self.dir, "stty.before")
        self.after_path = os.path.join(self.dir, "stty.after")
        self.rc_path = os.path.join(self.dir, "rc")
        self.pid_path = os.path.join(self.dir, "pid")

    # -- tmux itself --

    def tmux(self, *args, check=True):
        env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
        try:
            cp = subprocess.run([self.bin, "-L", self.socket, "-f", "/dev/null"]
                                + [str(a) for a in args],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, timeout=TMUX_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError("tmux %s hung" % args[0])
        if check and cp.returncode != 0:
            raise AssertionError("tmux %s failed (%d): %s" % (
                args[0], cp.returncode, cp.stderr.decode("utf-8", "replace").strip()))
        return cp.stdout.decode("utf-8", errors="replace")

    def start(self, argv, env, width=80, height=24, stdout_path=None):
        """Run argv with exactly env in a width x height pane.

        stdout_path: a file for the program's stdout; None leaves stdout on
        the terminal.  stderr always goes to a file (stderr_text())."""
        self.stdout_path = stdout_path
        assigns = " ".join(shlex.quote("%s=%s" % (k, v)) for k, v in sorted(env.items()))
        command = "exec env -i %s %s" % (assigns, " ".join(shlex.quote(a) for a in argv))
        inner = 'echo $$ > %s; %s' % (shlex.quote(self.pid_path), command)
        redirect = "" if stdout_path is None else " >%s" % shlex.quote(stdout_path)
        script = os.path.join(self.dir, "run.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\n"
                    "# The wrapper outlives Ctrl-C; the program gets it with its default\n"
                    "# handling (a trap is reset on exec).  A hangup ends both.\n"
                    "trap : INT QUIT\n"
                    "stty -g > %(before)s\n"
                    "sh -c %(inner)s%(redirect)s 2>%(stderr)s\n"
                    "rc=$?\n"
                    "stty -g > %(after)s\n"
                    "echo \"EXIT=$rc\"\n"
                    "echo \"$rc\" > %(rc)s.tmp && mv %(rc)s.tmp %(rc)s\n"
                    "exec sleep 600\n" % {
                        "before": shlex.quote(self.before_path),
                        "after": shlex.quote(self.after_path),
                        "inner": shlex.quote(inner),
                        "redirect": redirect,
                        "stderr": shlex.quote(self.stderr_path),
                        "rc": shlex.quote(self.rc_path),
                    })
        self.tmux("new-session", "-d", "-x", width, "-y", height, "-s", self.target,
                  "/bin/sh " + shlex.quote(script))
        self.started = True
        self.pane_pid = int(self.tmux("display-message", "-p", "-t", self.target,
                                      "#{pane_pid}").strip())
        harness.wait_until(lambda: os.path.exists(self.pid_path) and self.pid(),
                           what="the program to start in tmux")

    def kill(self):
        if not self.started:
            return
        self.started = False
        pids = [p for p in (self.pid(), self.pane_pid) if p]
        self.tmux("kill-server", check=False)
        # The hangup ends the program and the wrapper; make sure they are gone.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(POLL)
        for p in pids:
            if _alive(p):
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    # -- the program --

    def pid(self):
        try:
            with open(self.pid_path) as f:
                text = f.read().strip()
            return int(text) if text else None
        except (FileNotFoundError, ValueError):
            return None

    def signal(self, signum):
        os.kill(self.pid(), signum)

    def exit_code(self, wait=True, timeout=harness.WAIT_TIMEOUT):
        """The program's exit code; with wait, wait for it (fail after timeout)."""
        def read():
            try:
                with open(self.rc_path) as f:
                    return f.read().strip()
            except FileNotFoundError:
                return None
        if not wait:
            text = read()
            return None if text is None else int(text)
        try:
            text = harness.wait_until(read, timeout, "bkt-auth to exit")
        except AssertionError as e:
            raise AssertionError("%s\n--- screen ---\n%s\n--- stderr ---\n%s"
                                 % (e, self.screen(), self.stderr_text()))
        return int(text)

    def running(self):
        return self.exit_code(wait=False) is None

    def stderr_text(self):
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stdout_text(self):
        with open(self.stdout_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stty(self):
        """(stty -g before, stty -g after) the program ran."""
        with open(self.before_path) as f:
            before = f.read().strip()
        with open(self.after_path) as f:
            after = f.read().strip()
        return before, after

    # -- the screen --

    def screen(self, join=False, escapes=False):
        args = ["capture-pane", "-p", "-t", self.target]
        if join:
            args.append("-J")
        if escapes:
            args.append("-e")
        return self.tmux(*args)

    def lines(self):
        """The pane's rows as a list, one string per row (trailing blanks cut)."""
        rows = self.screen().split("\n")
        if rows and rows[-1] == "":
            rows.pop()
        return [r.rstrip() for r in rows]

    def size(self):
        text = self.tmux("display-message", "-p", "-t", self.target,
                         "#{pane_width} #{pane_height}")
        w, h = text.split()
        return int(w), int(h)

    def wait_for(self, what, timeout=harness.WAIT_TIMEOUT, join=False, gone=False):
        """Wait until the screen shows what (a string, a compiled regex or
        a predicate on the screen's text); with gone, until it does not.
        Returns the screen."""
        if isinstance(what, str):
            def found(s):
                return what in s
            label = repr(what)
        elif hasattr(what, "search"):
            def found(s):
                return what.search(s) is not None
            label = "/%s/" % what.pattern
        else:
            found = what
            label = getattr(what, "__name__", "a condition on the screen")
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen(join=join)
            if bool(found(text)) != gone:
                return text
            if time.monotonic() >= deadline:
                state = ("exited with %s" % self.exit_code(wait=False)
                         if not self.running() else "still running")
                raise AssertionError(
                    "timed out after %.1f s waiting for %s%s on the screen (bkt-auth %s)\n"
                    "--- screen ---\n%s\n--- stderr ---\n%s"
                    % (timeout, "the end of " if gone else "", label, state, text,
                       self.stderr_text()))
            time.sleep(POLL)

    # -- input --

    def keys(self, *keys):
        """tmux key names: Enter, Escape, Tab, C-c, Up, BSpace, or plain text."""
        self.tmux("send-keys", "-t", self.target, *keys)

    def type(self, text):
        """Literal text, as if typed or pasted."""
        self.tmux("send-keys", "-t", self.target, "-l", "--", text)

    def resize(self, width, height):
        self.tmux("resize-window", "-t", self.target, "-x", width, "-y", height)
        harness.wait_until(lambda: self.size() == (width, height),
                           what="the pane to become %dx%d" % (width, height))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive for our purposes.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class WizardTestCase(harness.BktTestCase):
    """A BktTestCase whose bkt-auth runs on a terminal: a tmux pane.

    Set WIZARD_CAPTURE_DIR to keep plain captures of named screens there."""

    TERM = None

    @classmethod
    def make_fake(cls):
        return harness.FakeBitbucket()

    @classmethod
    def setUpClass(cls):
        if tmux_path() is None:
            raise unittest.SkipTest("tmux is not installed")
        # As BktTestCase.setUpClass, with a fake of the class's choosing.
        cls.bin = harness.binary()
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            raise RuntimeError("no D-Bus session: run the tests under tests/with-keyring")
        cls.fake = cls.make_fake()
        if WizardTestCase.TERM is None:
            WizardTestCase.TERM = terminal_type()

    def terminal_env(self, extra=None):
        """The child's environment: the harness's, on a UTF-8 colour terminal."""
        base = {k: None for k in TERMINAL_ENV}
        base.update({"TERM": self.TERM, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        base.update(extra or {})
        return self.env(base)

    def tmux_start(self, args, env_extra=None, width=80, height=24, stdout_path=None):
        t = Tmux(self.tmp)
        self.addCleanup(t.kill)
        t.start([self.bin] + list(args), self.terminal_env(env_extra), width, height,
                stdout_path)
        return t

    def forget_logins(self):
        """Nothing stored any more, as before the first login: a later run of the wizard meets
        no stored login (which would open the list of logins, or ask before replacing one)."""
        self.clear_keyring()
        shutil.rmtree(self.config_dir, ignore_errors=True)

    def save_capture(self, t, name):
        where = os.environ.get("WIZARD_CAPTURE_DIR")
        if not where:
            return
        os.makedirs(where, exist_ok=True)
        with open(os.path.join(where, name + ".txt"), "w", encoding="utf-8") as f:
            f.write(t.screen())

    def assert_exit(self, t, code, timeout=harness.WAIT_TIMEOUT):
        rc = t.exit_code(timeout=timeout)
        self.assertEqual(rc, code, "exit code %d, want %d\n--- screen ---\n%s\n--- stderr ---\n%s"
                         % (rc, code, t.screen(), t.stderr_text()))
        before, after = t.stty()
        self.assertEqual(after, before, "the terminal's settings changed (stty -g)")

    @staticmethod
    def footer(rows):
        """The key hints under the last rule (one or more rows), as one line."""
        # A rule: box drawing, or (a terminal without UTF-8) its alternate-charset letter.
        rules = [i for i, r in enumerate(rows) if re.match(r"\s*(──|qqqq)", r)]
        below = rows[rules[-1] + 1:] if rules else rows[-1:]
        return "  ".join(r.strip() for r in below if r.strip())

    def assert_layout(self, t, title, footer_parts=(), name=None):
        """The screen at its size: the title on top, the key hints at the
        bottom, and every row inside the screen's margins.  title None
        accepts any screen title."""
        width, height = t.size()
        rows = t.lines()
        self.assertEqual(len(rows), height, "capture has %d rows, the pane %d"
                         % (len(rows), height))
        screen = "\n".join(rows)
        # Nothing wraps: joined captures have no row longer than the pane.
        for row in t.screen(join=True).split("\n"):
            self.assertLessEqual(display_width(row.rstrip()), width,
                                 "a row wraps past %d columns:\n%r\n%s" % (width, row, screen))
        # The wizard draws in a column of min(width, 80) - 4, centred.
        col = min(width, 80) - 4
        left = (width - col) // 2
        for i, row in enumerate(rows):
            if not row.strip():
                continue
            self.assertLessEqual(display_width(row), left + col,
                                 "row %d runs into the right margin:\n%s" % (i, screen))
            self.assertTrue(row[:left].strip() == "",
                            "row %d runs into the left margin:\n%s" % (i, screen))
        want_title = "bkt-auth  ·  " + (title or "")
        titles = [r.strip() for r in rows[:3] if r.strip()]
        ok = titles and (titles[0] == want_title if title else
                         titles[0].startswith(want_title) and len(titles[0]) > len(want_title))
        self.assertTrue(ok, "title row %r, want %r:\n%s" % (titles[:1], want_title, screen))
        footer = self.footer(rows)
        self.assertTrue(footer, "no key hints on the last row:\n" + screen)
        for part in footer_parts:
            self.assertIn(part, footer, "key hint %r missing from the footer:\n%s"
                          % (part, screen))
        if name:
            self.save_capture(t, name)
        return screen
