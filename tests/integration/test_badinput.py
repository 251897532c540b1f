#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bad input of every kind: hosts, flags, files, the environment, standard
input and pasted redirect URLs. Each row says what goes in, the exit code and
a part of the one sentence that must come out; after each, everything stored
is exactly as it was.
"""

import os
import stat
import subprocess
import threading

import harness
from harness import CLIENT_ID, CLOUD_HOST, DC_ENV, BktTestCase

# A stand-in for a user's path that does not exist.
MISSING = "/nonexistent/bkt-auth-test/file"
NO_BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}


class BadInput(BktTestCase):

    def setUp(self):
        super().setUp()
        self.files = os.path.join(self.tmp, "files")
        os.mkdir(self.files)
        self.write("empty", "")
        self.write("two-lines", "secret-one\nsecret-two\n")
        self.write("garbage.pem", "this is not a certificate\n")
        os.mkdir(os.path.join(self.files, "a-directory"))
        # Config dirs that hold damaged files, each left exactly as it is.
        self.damaged = {
            "garbage": ("hosts.json", "}{ not json"),
            "wrong-shape": ("hosts.json", '{"version": 1, "hosts": 5}'),
            "array": ("hosts.json", "[]"),
            "nul": ("hosts.json", '{"hosts": [\0]}'),
            "secrets": ("secrets.json", "{ broken"),
        }
        for name, (fname, text) in self.damaged.items():
            d = os.path.join(self.tmp, "damaged-" + name)
            os.mkdir(d, 0o700)
            if fname == "secrets.json":
                self.write_at(os.path.join(d, "hosts.json"),
                              '{"version":1,"hosts":[{"host":"bitbucket.org","kind":"cloud",'
                              '"base_url":"https://bitbucket.org","auth":"oauth",'
                              '"storage":"file"}]}')
            self.write_at(os.path.join(d, fname), text)
        d = os.path.join(self.tmp, "damaged-dir")
        os.makedirs(os.path.join(d, "hosts.json"), 0o700)

    def write(self, name, text):
        self.write_at(os.path.join(self.files, name), text)

    def write_at(self, path, text):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, 0o600)

    def f(self, name):
        return os.path.join(self.files, name)

    def config(self, name):
        return {"BKT_AUTH_CONFIG_DIR": os.path.join(self.tmp, "damaged-" + name)}

    def dc(self, *extra, secret=True, client_id=True):
        args = ["login", self.fake.dc_url, "--kind", "dc", "--allow-http", "--no-interactive"]
        if client_id:
            args += ["--client-id", CLIENT_ID]
        if secret:
            args += ["--client-secret-file", self.secret_file]
        return args + list(extra)

    def rows(self):
        """(name, args, stdin, env, exit code, part of the message)."""
        cloud = ["login", "--no-interactive"]
        return [
            # -- hosts --
            ("host with a space", ["login", "git example.com"], None, None, 1,
             "contains a space or a character a URL cannot hold"),
            ("host with userinfo", ["login", "https://user:pw@git.example.com"], None, None, 1,
             "must not contain a user name or password"),
            ("host with a fragment", ["login", "https://git.example.com/#x"], None, None, 1,
             "must not contain '?' or '#'"),
            ("host with a query", ["login", "https://git.example.com/?a=b"], None, None, 1,
             "must not contain '?' or '#'"),
            ("host over ftp", ["login", "ftp://git.example.com"], None, None, 1,
             "is not a web address"),
            ("http host", ["login", "http://git.example.com", "--kind", "dc"], None, None, 1,
             "refusing http://"),
            ("empty host", ["login", ""], None, None, 1, "no host given"),
            ("Cloud as a DC", ["login", "bitbucket.org", "--kind", "dc"], None, None, 1,
             "is Bitbucket Cloud, not a Data Center"),
            ("a DC as Cloud", ["login", "git.example.com", "--kind", "cloud"], None, None, 1,
             "is not Bitbucket Cloud"),
            ("port out of range", ["login", "https://git.example.com:99999"], None, None, 1,
             "is not a host name or URL"),
            ("unclosed IPv6", ["login", "https://[::1"], None, None, 1,
             "is not a host name or URL"),
            ("encoded @ in the host", ["login", "https://ex%40ample.com"], None, None, 1,
             "contains a space or a character a URL cannot hold"),
            ("terminal escape in the host", ["login", "git.example.com\x1b[31m"], None, None, 1,
             "contains a space or a character a URL cannot hold"),
            ("encoded escape in the host", ["login", "https://a%1b%5d52.example"], None, None, 1,
             "contains a space or a character a URL cannot hold"),
            # -- flags --
            ("unknown kind", ["login", "--kind", "nonsense"], None, None, 1,
             "unknown kind 'nonsense'"),
            ("--with-token and --web", ["login", "--with-token", "--web"], None, None, 1,
             "--with-token and --web exclude each other"),
            ("--interactive and --no-interactive", ["login", "-i", "--no-interactive"], None,
             None, 1, "--interactive and --no-interactive exclude each other"),
            ("negative timeout", cloud + ["--timeout", "-5"], None, None, 1,
             "--timeout -5 is out of range"),
            ("huge timeout", cloud + ["--timeout", "999999"], None, None, 1,
             "--timeout 999999 is out of range"),
            ("timeout not a number", cloud + ["--timeout", "soon"], None, None, 1,
             "see 'bkt-auth login --help'"),
            ("unknown option", ["login", "--bogus"], None, None, 1,
             "see 'bkt-auth login --help'"),
            ("two hosts", ["login", "a.example.com", "b.example.com"], None, None, 1,
             "takes at most one host"),
            ("unknown command", ["frobnicate"], None, None, 1, "unknown command 'frobnicate'"),
            ("token, unknown option", ["token", "--bogus"], None, None, 1,
             "see 'bkt-auth token --help'"),
            ("token, two hosts", ["token", "a.example.com", "b.example.com"], None, None, 1,
             "takes at most one host"),
            ("status, two hosts", ["status", "a.example.com", "b.example.com"], None, None, 1,
             "takes at most one host"),
            ("token for an unknown host", ["token", "nothere.example.com"], None, None, 4,
             "not logged in to 'nothere.example.com'"),
            ("token for a bad host", ["token", "not a host"], None, None, 4,
             "not logged in to 'not a host'"),
            ("token for a host with escapes", ["token", "\x1b]52;c;cHdu\x07x.example.com"],
             None, None, 4, "not logged in to '"),
            ("logout of an unknown host", ["logout", "nothere.example.com"], None, None, 4,
             "not logged in to 'nothere.example.com'"),
            ("refresh of an unknown host", ["refresh", "nothere.example.com"], None, None, 4,
             "not logged in to 'nothere.example.com'"),
            ("redirect URI elsewhere", self.dc("--redirect-uri", "https://evil.example/cb"),
             None, DC_ENV, 1, "is not one bkt-auth can listen on"),
            ("redirect URI with a query", self.dc("--redirect-uri",
                                                  "http://127.0.0.1:1234/cb?x=1"),
             None, DC_ENV, 1, "is not one bkt-auth can listen on"),
            ("redirect URI on another machine", self.dc("--redirect-uri",
                                                        "http://10.0.0.1:1234/cb"),
             None, DC_ENV, 1, "is not one bkt-auth can listen on"),
            ("DC without a client ID", self.dc(client_id=False), None, DC_ENV, 1,
             "needs the Client ID and Client secret"),
            ("DC without a client secret", self.dc(secret=False), None, DC_ENV, 1,
             "needs the Client ID and Client secret"),
            ("DC with an empty client ID", self.dc(client_id=False) + ["--client-id", ""],
             None, DC_ENV, 1, "needs the Client ID and Client secret"),
            ("scopes the server refuses", self.dc("--scopes", "NOPE", "--redirect-uri",
                                                  self.fake.dc_redirect),
             None, DC_ENV, 1, "refused the scopes 'NOPE'"),
            # -- files --
            ("missing secret file", self.dc(secret=False) + ["--client-secret-file", MISSING],
             None, DC_ENV, 1, "cannot read the client secret"),
            ("empty secret file", self.dc(secret=False) + ["--client-secret-file",
                                                           self.f("empty")],
             None, DC_ENV, 1, "does not hold a client secret"),
            ("secret file of two lines", self.dc(secret=False) + [
                "--client-secret-file", self.f("two-lines")], None, DC_ENV, 1,
             "does not hold a client secret"),
            ("secret file is a directory", self.dc(secret=False) + [
                "--client-secret-file", self.f("a-directory")], None, DC_ENV, 1,
             "cannot read the client secret"),
            ("secret from an empty stdin", self.dc(secret=False) + [
                "--client-secret-file", "-"], "", DC_ENV, 1, "does not hold a client secret"),
            ("missing CA file", cloud + ["--ca-file", MISSING], None, None, 1,
             "cannot read the CA file"),
            ("CA file that is no certificate", ["login", "https://127.0.0.1:%d" % self.fake.port,
                                                "--kind", "dc", "--with-token", "--ca-file",
                                                self.f("garbage.pem")],
             "pat-0123456789abcdefghijklmn\n", DC_ENV, 1, "with the CA file"),
            ("damaged hosts.json", ["token"], None, self.config("garbage"), 1,
             "is damaged and cannot be read"),
            ("hosts.json of the wrong shape", ["status"], None, self.config("wrong-shape"), 1,
             "is damaged and cannot be read"),
            ("hosts.json holding an array", ["logout"], None, self.config("array"), 1,
             "is damaged and cannot be read"),
            ("hosts.json with a NUL", ["token"], None, self.config("nul"), 1,
             "is damaged and cannot be read"),
            ("hosts.json is a directory", ["token"], None, self.config("dir"), 1,
             "cannot read"),
            ("damaged secrets.json", ["token"], None, dict(self.config("secrets"), **NO_BUS), 1,
             "is damaged and cannot be read"),
            ("config dir is a file", ["status"], None,
             {"BKT_AUTH_CONFIG_DIR": self.f("empty")}, 1,
             "cannot create the configuration directory"),
            # -- environment --
            ("login while BKT_TOKEN is set", cloud, None, {"BKT_TOKEN": "pat-env"}, 1,
             "BKT_TOKEN is set"),
            ("BKT_CLOUD_URL over http", cloud, None,
             {"BKT_CLOUD_URL": "http://evil.example.com"}, 1,
             "BKT_CLOUD_URL uses http:// for a host that is not this machine"),
            ("BKT_CLOUD_API_URL over http", cloud, None,
             {"BKT_CLOUD_API_URL": "http://evil.example.com"}, 1,
             "BKT_CLOUD_API_URL uses http:// for a host that is not this machine"),
            ("no Cloud consumer", cloud, None,
             {"BKT_OAUTH_CLIENT_ID": None, "BKT_OAUTH_CLIENT_SECRET": None}, 1,
             "no OAuth consumer for Bitbucket Cloud"),
            ("Cloud consumer without a secret", cloud, None,
             {"BKT_OAUTH_CLIENT_SECRET": ""}, 1, "no OAuth consumer for Bitbucket Cloud"),
            # -- standard input --
            ("with-token, nothing on stdin", ["login", self.fake.dc_url, "--kind", "dc",
                                              "--allow-http", "--with-token"],
             "", DC_ENV, 1, "no token on standard input"),
            ("with-token, three lines", ["login", self.fake.dc_url, "--kind", "dc",
                                         "--allow-http", "--with-token"],
             "a\nb\nc\n", DC_ENV, 1, "standard input should hold the token alone"),
            ("with-token, two lines without an e-mail", ["login", "--with-token"],
             "one\ntwo\n", None, 1, "standard input should hold the token alone"),
            ("with-token, a wrong token", ["login", self.fake.dc_url, "--kind", "dc",
                                           "--allow-http", "--with-token"],
             "pat-wrong-0123456789abcdefghij\n", DC_ENV, 1, "did not accept the token"),
        ]

    def paste_rows(self):
        """(name, what to paste, part of the message); the login then times out."""
        return [
            ("plain words", "hello there", "that is not a web address"),
            ("another site", "https://evil.example.com/callback?code=x&state=y",
             "is not the redirect bkt-auth waits for"),
            ("another path", "http://127.0.0.1:{port}/other?code=x&state={state}",
             "is not the redirect bkt-auth waits for"),
            ("no code", "?state={state}", "carries no authorization code"),
            ("code twice", "http://127.0.0.1:{port}/callback?code=a&code=b&state={state}",
             "carries no authorization code"),
            ("bad escape", "http://127.0.0.1:{port}/callback?code=%zz&state={state}",
             "carries no authorization code"),
            ("bad escape after '?'", "?code=%zz&state={state}",
             "carries no authorization code"),
            ("wrong state", "http://127.0.0.1:{port}/callback?code=x&state={forged}",
             "belongs to another login attempt"),
            ("cut before the state", "http://127.0.0.1:{port}/callback?code=x&state",
             "it ends before the state"),
            ("cut inside the state", "http://127.0.0.1:{port}/callback?code=x&state={half}",
             "it ends inside the state"),
            ("the code alone", "Xy7kP2qR9sT4vW", "the code alone"),
            ("the sign-in page", "{authorize}", "where the browser stays when it refuses the "
             "redirect"),
            ("a very long line", "x" * 20000, "that is not a web address"),
        ]

    # -- what is stored --

    def snapshot(self):
        files = {}
        dirs = [self.config_dir] + [os.path.join(self.tmp, n) for n in os.listdir(self.tmp)
                                    if n.startswith("damaged-")]
        for top in dirs:
            for root, subdirs, names in os.walk(top):
                for name in subdirs + names:
                    if name == "lock":  # the lock file holds nothing
                        continue
                    path = os.path.join(root, name)
                    st = os.lstat(path)
                    content = None
                    if stat.S_ISREG(st.st_mode):
                        with open(path, "rb") as fh:
                            content = fh.read()
                    files[path] = (stat.S_IMODE(st.st_mode), content)
        return {
            "keyring": (self.keyring_secret(CLOUD_HOST), self.keyring_secret(self.fake.dc_host)),
            "files": files,
        }

    def test_bad_input(self):
        self.login_cloud()
        self.login_dc()
        self.fake.control(api_tokens=["pat-0123456789abcdefghijklmn"])
        before = self.snapshot()
        rows = self.rows()
        self.assertGreaterEqual(len(rows) + len(self.paste_rows()), 30)
        for name, args, stdin, env, code, words in rows:
            with self.subTest(name):
                rc, out, err = self.run_bkt(args, stdin=stdin, env_extra=env)
                self.assertEqual(rc, code, "%s: exit %d, not %d:\n%s" % (name, rc, code, err))
                line = self.assert_one_error_line(err)
                self.assertIn(words, line, name)
                self.assertNotIn("\x1b", line, name)
                self.assertEqual(out, "", name)
                self.assertEqual(self.snapshot(), before, "%s changed what is stored" % name)
        # The stored logins still work.
        self.assertTrue(self.token(CLOUD_HOST))
        self.assertTrue(self.token(self.fake.dc_host, env_extra=DC_ENV))

    def test_endless_input_is_refused(self):
        # A pipe that never ends (yes, /dev/zero) is read up to what a token or a secret can
        # be, then refused in one sentence: the command neither hangs nor eats the memory.
        self.login_dc()
        before = self.snapshot()
        rows = [
            ("a token", ["login", self.fake.dc_url, "--kind", "dc", "--allow-http",
                         "--with-token"], "standard input holds more than"),
            ("a client secret on stdin", self.dc(secret=False) + ["--client-secret-file", "-"],
             "standard input holds more than"),
            ("a client secret file", self.dc(secret=False) + ["--client-secret-file",
                                                              "/dev/zero"],
             "/dev/zero holds more than"),
        ]
        for name, args, words in rows:
            with self.subTest(name), open("/dev/zero", "rb") as zero:
                try:
                    cp = subprocess.run([self.bin] + args, env=self.env(DC_ENV), stdin=zero,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        timeout=60)
                except subprocess.TimeoutExpired:
                    self.fail("%s: bkt-auth still reads an endless input after 60 s" % name)
                err = cp.stderr.decode("utf-8", "replace")
                self.assertEqual(cp.returncode, 1, "%s:\n%s" % (name, err))
                self.assertIn(words, self.assert_one_error_line(err), name)
                self.assertEqual(cp.stdout, b"", name)
                self.assertEqual(self.snapshot(), before, "%s changed what is stored" % name)

    def test_bad_pastes(self):
        self.login_cloud()
        before = self.snapshot()
        exchanges = self.fake.stats()["token_code"]
        results = {}

        def one(name, template, words):
            p = self.start(self.cloud_login_args("--no-browser", "--timeout", "3"))
            url = p.wait_line(self.is_authorize_url, what="the authorize URL")
            q = harness.query_of(url)
            port = harness.urllib.parse.urlsplit(q["redirect_uri"]).port
            state = q["state"]
            forged = ("forged-" + "0" * len(state))[:len(state)]
            p.send(template.format(port=port, state=state, forged=forged,
                                   half=state[:len(state) // 2], authorize=url))
            p.close_stdin()
            results[name] = p.finish()

        threads = [threading.Thread(target=one, args=row) for row in self.paste_rows()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        for name, _template, words in self.paste_rows():
            with self.subTest(name):
                self.assertIn(name, results)
                rc, out, err = results[name]
                self.assertEqual(rc, 1, err)
                self.assertEqual(out, "")
                said = [l for l in err.splitlines() if l.startswith("bkt-auth: ")]
                self.assertEqual(len(said), 2, err)
                self.assertIn(words, said[0])
                self.assertIn("did not come back in time", said[1])
        self.assertEqual(self.fake.stats()["token_code"], exchanges)
        self.assertEqual(self.snapshot(), before)


if __name__ == "__main__":
    harness.main()
