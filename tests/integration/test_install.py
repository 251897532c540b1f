#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`meson install` into a DESTDIR gives a working tool: the binary, the wizard's
module, the man page, the shell completions, the systemd user units and the message
catalogues, each where it belongs, and nothing else."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import harness

TIMEOUT = 120


def run(argv, env=None, stdin=None):
    cp = subprocess.run(argv, env=env, input=stdin, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, timeout=TIMEOUT, text=True)
    return cp.returncode, cp.stdout, cp.stderr


class Install(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.build = os.environ.get("BKT_BUILD_DIR")
        cls.source = os.environ.get("BKT_SOURCE_DIR")
        if not cls.build or not cls.source:
            raise RuntimeError("BKT_BUILD_DIR and BKT_SOURCE_DIR name the build and source trees")
        rc, out, err = run(["meson", "introspect", cls.build, "--buildoptions"])
        if rc != 0:
            raise AssertionError("meson introspect failed:\n" + err)
        options = {o["name"]: o["value"] for o in json.loads(out)}
        cls.prefix = options["prefix"]
        cls.dirs = {name: os.path.join(cls.prefix, options[name])
                    for name in ("bindir", "libdir", "mandir", "datadir", "localedir")}
        cls.destdir = tempfile.mkdtemp(prefix="bkt-destdir-")
        rc, out, err = run(["meson", "install", "-C", cls.build, "--no-rebuild", "--quiet",
                            "--destdir", cls.destdir])
        if rc != 0:
            shutil.rmtree(cls.destdir, ignore_errors=True)
            raise AssertionError("meson install failed:\n" + out + err)
        with open(os.path.join(cls.source, "meson.build"), encoding="utf-8") as f:
            text = f.read()
        cls.version = text.split("version: '", 1)[1].split("'", 1)[0]
        with open(os.path.join(cls.source, "po", "LINGUAS"), encoding="utf-8") as f:
            cls.languages = [w for line in f for w in line.split("#", 1)[0].split()]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.destdir, ignore_errors=True)

    def installed(self, directory, *names):
        return os.path.join(self.destdir, self.dirs[directory].lstrip("/"), *names)

    def bin(self):
        return self.installed("bindir", "bkt-auth")

    def module(self):
        return self.installed("libdir", "bkt-auth", "bkt-auth-wizard.so")

    def unit(self, name):
        return os.path.join(self.destdir, self.prefix.lstrip("/"), "lib", "systemd", "user",
                            name)

    def expected(self):
        paths = {
            self.bin(),
            self.module(),
            self.installed("mandir", "man1", "bkt-auth.1"),
            self.installed("datadir", "bash-completion", "completions", "bkt-auth"),
            self.installed("datadir", "zsh", "site-functions", "_bkt-auth"),
            self.installed("datadir", "fish", "vendor_completions.d", "bkt-auth.fish"),
            self.unit("bkt-auth-refresh.service"),
            self.unit("bkt-auth-refresh.timer"),
        }
        for lang in self.languages:
            paths.add(self.installed("localedir", lang, "LC_MESSAGES", "bkt-auth.mo"))
        return paths

    def test_everything_in_place_and_nothing_else(self):
        found = set()
        for root, _dirs, files in os.walk(self.destdir):
            found.update(os.path.join(root, name) for name in files)
        self.assertEqual(found, self.expected())
        self.assertTrue(os.access(self.bin(), os.X_OK))
        for path in self.expected() - {self.bin(), self.module()}:
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o644, path)

    def test_binary_finds_its_wizard_where_it_is_installed(self):
        # The binary looks for the module in the folder its RUNPATH names, the installed one,
        # not the build tree's.
        rc, out, err = run(["readelf", "--dynamic", self.bin()])
        self.assertEqual(rc, 0, err)
        runpath = [l for l in out.splitlines() if "(RUNPATH)" in l or "(RPATH)" in l]
        self.assertEqual(len(runpath), 1, out)
        folder = os.path.join(self.dirs["libdir"], "bkt-auth")
        self.assertIn("[%s]" % folder, runpath[0])
        self.assertNotIn(self.build, runpath[0])

    def test_binary_runs(self):
        # Outside the DESTDIR the module is found where it will be installed; inside it, the
        # loader is pointed at the staged copy.
        env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(self.module()))
        rc, out, err = run([self.bin(), "--version"], env=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "", "--version could not load something")
        lines = out.splitlines()
        self.assertEqual(lines[0], "bkt-auth " + self.version)
        for library in ("glib", "libsecret", "cJSON", "ncurses", "libcurl"):
            self.assertTrue(any(l.strip().startswith(library + " ") for l in lines[1:]),
                            "--version does not name %s:\n%s" % (library, out))
        rc, out, err = run([self.bin(), "--help"])
        self.assertEqual(rc, 0, err)
        for command in ("login", "status", "token", "exec", "setup-git", "setup-bkt",
                        "git-credential", "doctor"):
            self.assertIn(command, out)

    def test_man_page_renders(self):
        page = self.installed("mandir", "man1", "bkt-auth.1")
        env = dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat", LC_ALL="C.UTF-8")
        rc, out, err = run(["man", "--warnings", "-l", page], env=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "", "groff warns about the page")
        for word in ("NAME", "SYNOPSIS", "git-credential", "setup-git", "doctor", "EXIT STATUS",
                     "ENVIRONMENT", "BKT_TOKEN", "STATUS JSON", "exec", "setup-bkt",
                     "USING IT WITH BKT", "bkt-auth-refresh.timer"):
            self.assertIn(word, out.replace("\u2010", "-"))
        with open(page, encoding="utf-8") as f:
            self.assertIn('"bkt-auth %s"' % self.version, f.read(),
                          "the man page names another version")

    def stored_config(self):
        """A configuration folder with two hosts and three accounts, in the layout bkt-auth
        writes (cJSON's: a tab per level, a tab after each colon)."""
        config = tempfile.mkdtemp(prefix="bkt-compl-")
        self.addCleanup(shutil.rmtree, config, True)
        hosts = {"version": 2, "hosts": {
            "git.example.com": {"kind": "dc", "active": "51", "accounts": {
                "51": {"username": "alice"}, "52": {"username": "bob"}}},
            "bitbucket.org": {"kind": "cloud", "active": "{u}", "accounts": {
                "{u}": {"username": "alice"}}}}}
        with open(os.path.join(config, "hosts.json"), "w") as f:
            f.write(json.dumps(hosts, indent="\t", separators=(",", ":\t")))
        return config

    def test_bash_completion(self):
        script = self.installed("datadir", "bash-completion", "completions", "bkt-auth")
        config = self.stored_config()
        cases = [
            (["bkt-auth", "s"], {"status", "setup-git", "setup-bkt", "switch"}),
            (["bkt-auth", "e"], {"exec"}),
            (["bkt-auth", "exec", "-"], {"--user", "--help", "--"}),
            (["bkt-auth", "exec", "--", "bkt-auth-no-such-progra"], set()),
            (["bkt-auth", "refresh", "--b"], {"--bkt"}),
            (["bkt-auth", "setup-bkt", ""], {"git.example.com", "bitbucket.org"}),
            (["bkt-auth", "do"], {"doctor"}),
            (["bkt-auth", "login", "--kind", ""], {"cloud", "dc"}),
            (["bkt-auth", "git-credential", ""], {"get", "store", "erase"}),
            (["bkt-auth", "status", "--"], {"--user", "--json", "--show-token", "--help"}),
            (["bkt-auth", "token", "git"], {"git.example.com"}),
            (["bkt-auth", "doctor", ""], {"git.example.com", "bitbucket.org"}),
            (["bkt-auth", "sw"], {"switch"}),
            (["bkt-auth", "switch", ""], {"git.example.com", "bitbucket.org"}),
            (["bkt-auth", "token", "-u", ""], {"alice", "bob"}),
            (["bkt-auth", "logout", "--user", "b"], {"bob"}),
            (["bkt-auth", "token", "--"], {"--user", "--json", "--help"}),
        ]
        for words, want in cases:
            with self.subTest(words=words):
                words_text = " ".join("'%s'" % w for w in words)
                code = ('source "$1"; COMP_WORDS=(%s); COMP_CWORD=%d; _bkt_auth; '
                        'printf "%%s\\n" "${COMPREPLY[@]}"' % (words_text, len(words) - 1))
                env = dict(os.environ, BKT_AUTH_CONFIG_DIR=config)
                rc, out, err = run(["bash", "-c", code, "bash", script], env=env)
                self.assertEqual(rc, 0, err)
                self.assertEqual(set(out.split()), want)

    def test_zsh_completion(self):
        if shutil.which("zsh") is None:
            self.skipTest("zsh is not installed")
        script = self.installed("datadir", "zsh", "site-functions", "_bkt-auth")
        with open(script, encoding="utf-8") as f:
            self.assertEqual(f.readline().strip(), "#compdef bkt-auth")
        rc, out, err = run(["zsh", "-n", script])
        self.assertEqual(rc, 0, err)

    def test_fish_completion(self):
        if shutil.which("fish") is None:
            self.skipTest("fish is not installed")
        script = self.installed("datadir", "fish", "vendor_completions.d", "bkt-auth.fish")
        rc, out, err = run(["fish", "-n", script])
        self.assertEqual(rc, 0, err)
        env = dict(os.environ, HOME=self.destdir, XDG_CONFIG_HOME=self.destdir,
                   BKT_AUTH_CONFIG_DIR=self.stored_config())
        for line, want in (("bkt-auth do", {"doctor"}),
                           ("bkt-auth sw", {"switch"}),
                           ("bkt-auth switch ", {"git.example.com", "bitbucket.org"}),
                           ("bkt-auth token -u ", {"alice", "bob"}),
                           ("bkt-auth setup-b", {"setup-bkt"}),
                           ("bkt-auth token --j", {"--json"}),
                           ("bkt-auth git-credential ", {"get", "store", "erase"}),
                           ("bkt-auth login --kind ", {"cloud", "dc"})):
            with self.subTest(line=line):
                rc, out, err = run(["fish", "--no-config", "-c",
                                    'source $argv[1]; complete -C "%s"' % line, script],
                                   env=env)
                self.assertEqual(rc, 0, err)
                self.assertEqual({l.split("\t")[0] for l in out.splitlines() if l}, want)

    def test_units(self):
        # Where systemd's user manager finds the units of installed packages, naming the
        # installed binary (systemd-analyze checks them in test_bkt).
        with open(self.unit("bkt-auth-refresh.service"), encoding="utf-8") as f:
            self.assertIn("ExecStart=%s refresh --bkt\n"
                          % os.path.join(self.dirs["bindir"], "bkt-auth"), f.read())
        with open(self.unit("bkt-auth-refresh.timer"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("OnCalendar=*:0/15\n", text)
        self.assertIn("Persistent=true\n", text)

    def test_catalogues(self):
        for lang in self.languages:
            with self.subTest(lang=lang):
                mo = self.installed("localedir", lang, "LC_MESSAGES", "bkt-auth.mo")
                self.assertTrue(os.path.isfile(mo), mo)

    def test_binary_finds_catalogues(self):
        # Installed without DESTDIR, the catalogues land where the binary looks.
        with open(self.bin(), "rb") as f:
            self.assertIn(self.dirs["localedir"].encode() + b"\0", f.read(),
                          "the binary looks for catalogues elsewhere than localedir")
        # And it reads the installed ones: pointed at them under DESTDIR.
        usage = {"de": "Aufruf: bkt-auth", "ja": "使い方: bkt-auth"}
        available = run(["locale", "-a"])[1].lower().replace("utf-8", "utf8").split()
        for lang in self.languages:
            with self.subTest(lang=lang):
                locale = {"de": "de_DE.UTF-8", "ja": "ja_JP.UTF-8"}.get(lang)
                if locale is None or locale.lower().replace("utf-8", "utf8") not in available:
                    self.skipTest("the %s locale is not generated" % lang)
                env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
                env.update(LANG=locale, LC_ALL=locale,
                           BKT_AUTH_LOCALEDIR=self.installed("localedir"))
                rc, out, err = run([self.bin(), "--help"], env=env)
                self.assertEqual(rc, 0, err)
                self.assertIn(usage[lang], out)


if __name__ == "__main__":
    harness.main()
