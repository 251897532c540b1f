#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Faulty servers: token and identity endpoints that answer badly, or not at all.

Each fault must give one clear sentence, a non-zero exit, and leave the stored
credentials exactly as they were; once the server works again, so does the
stored refresh token.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import harness
from harness import CLOUD_HOST, DC_ENV, BktTestCase, FakeBitbucket

SHORT_LIFETIME = 3
# How long bkt-auth gives a server that accepted the request and never answers (http.c).
HTTP_TIMEOUT = 30
API_TOKEN = "pat-faulty-0123456789abcdefghij"


def make_certificate(directory, name):
    """A self-signed certificate for 127.0.0.1: (cert, key) paths."""
    cert = os.path.join(directory, name + ".pem")
    key = os.path.join(directory, name + ".key")
    cp = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", key, "-out", cert],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if cp.returncode != 0:
        raise RuntimeError("openssl req failed: " + cp.stderr.decode("utf-8", "replace"))
    return cert, key


def closed_port():
    """A port on 127.0.0.1 where nothing listens: connections are refused."""
    return harness.free_port()


class Faulty(BktTestCase):

    # Only --ca-file may make bkt-auth trust the fake's certificate.
    ENV_EXTRA = {"SSL_CERT_FILE": None, "SSL_CERT_DIR": None}

    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="bkt-certs-")
        cls.cert, cls.key = make_certificate(cls.certs, "fake")
        cls.other_cert, _ = make_certificate(cls.certs, "other")
        cls.tls_port_file = os.path.join(cls.certs, "tls-port")
        cls.FAKE_ARGS = ("--tls-cert", cls.cert, "--tls-key", cls.key,
                         "--tls-port-file", cls.tls_port_file)
        super().setUpClass()

        def tls_port():
            try:
                with open(cls.tls_port_file) as f:
                    text = f.read().strip()
            except FileNotFoundError:
                return None
            return int(text) if text else None

        port = harness.wait_until(tls_port, what="the fake's TLS port")
        cls.tls_url = "https://127.0.0.1:%d" % port
        cls.tls_dc_url = cls.tls_url + "/bitbucket"
        cls.tls_dc_host = "127.0.0.1:%d/bitbucket" % port

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.certs, ignore_errors=True)

    def clear_keyring(self):
        super().clear_keyring()
        if getattr(self, "tls_dc_host", None):
            subprocess.run(["secret-tool", "clear", "host", self.tls_dc_host],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=harness.COMMAND_TIMEOUT)

    # -- helpers --

    def snapshot(self, host=CLOUD_HOST):
        return (self.keyring_secret(host), self.hosts_json_text())

    def login_stale(self):
        """A Cloud login whose access token has expired by the clock."""
        self.fake.control(expires_in=SHORT_LIFETIME)
        self.login_cloud()
        self.fake.control(expires_in=None)
        secret = self.keyring_secret(CLOUD_HOST)
        harness.wait_until(lambda: time.time() >= secret["expires_at"] + 0.05,
                           timeout=SHORT_LIFETIME + 5, what="the token to expire")
        return secret

    def check_failure(self, rc, out, err, words, before, host=CLOUD_HOST, what=""):
        """Non-zero, one sentence naming the problem, nothing on stdout, nothing changed."""
        self.assertNotEqual(rc, 0, "%s: succeeded against a faulty server:\n%s" % (what, err))
        line = self.assert_one_error_line(err)
        self.assertFalse(any(line.count(c) for c in "\r\t\x1b"), line)
        self.assertTrue(any(w in line for w in words),
                        "%s: the message names none of %s:\n%s" % (what, words, line))
        self.assertEqual(out, "", what)
        self.assertEqual(self.snapshot(host), before,
                         "%s: the stored credentials changed" % what)
        self.assert_no_token_shapes(out + err, what)

    # -- the login, against a faulty token or identity endpoint --

    def test_login_against_faulty_endpoints(self):
        self.login_cloud()
        before = self.snapshot()
        cases = [
            ({"token_status": 500}, ["failed to issue a token (HTTP 500)"]),
            ({"token_status": 502}, ["HTTP 502"]),
            ({"token_body": "html"}, ["not JSON"]),
            ({"token_body": "truncated"}, ["not JSON"]),
            ({"token_body": "empty"}, ["not JSON"]),
            ({"token_body": "huge"}, ["larger than"]),
            ({"token_body": "missing_fields"}, ["without an access token"]),
            ({"token_body": "wrong_types"}, ["without an access token"]),
            ({"user_status": 500}, ["failed to say who the token belongs to (HTTP 500)"]),
            ({"user_status": 401}, ["did not accept the token"]),
            ({"identity_body": "html"}, ["cannot read"]),
            ({"identity_body": "truncated"}, ["cannot read"]),
            ({"identity_body": "empty"}, ["cannot read"]),
            ({"identity_body": "huge"}, ["larger than"]),
            ({"identity_body": "missing_fields"}, ["cannot read"]),
            ({"identity_body": "wrong_types"}, ["cannot read"]),
        ]
        for behaviours, words in cases:
            with self.subTest(**behaviours):
                self.fake.control(**behaviours)
                started = time.monotonic()
                rc, out, err = self.run_bkt(self.cloud_login_args())
                self.check_failure(rc, out, err, words, before, what=str(behaviours))
                self.assertLess(time.monotonic() - started, 15, behaviours)
                self.fake.control(token_status=None, token_body=None, user_status=None,
                                  identity_body=None)
        # The stored login still works.
        self.assertEqual(self.token(), before[0]["access_token"])

    def test_login_network_faults(self):
        self.login_cloud()
        before = self.snapshot()
        cases = [
            ("refused", {"BKT_CLOUD_API_URL": "http://127.0.0.1:%d" % closed_port()},
             ["cannot reach"]),
            ("unknown host", {"BKT_CLOUD_API_URL": "https://bkt-auth-test.invalid"},
             ["cannot find the host 'bkt-auth-test.invalid'"]),
            ("self-signed", {"BKT_CLOUD_API_URL": self.tls_url},
             ["is not trusted", "--ca-file"]),
        ]
        for name, env, words in cases:
            with self.subTest(name):
                rc, out, err = self.run_bkt(self.cloud_login_args(), env_extra=env)
                self.check_failure(rc, out, err, words, before, what=name)

    # -- refreshing, against a faulty token endpoint --

    def test_refresh_against_faulty_endpoints(self):
        old = self.login_stale()
        before = self.snapshot()
        self.assertEqual(before[0], old)
        cases = [
            ({"token_status": 500}, {}, ["HTTP 500"]),
            ({"token_body": "html"}, {}, ["not JSON"]),
            ({"token_body": "truncated"}, {}, ["not JSON"]),
            ({"token_body": "empty"}, {}, ["not JSON"]),
            ({"token_body": "huge"}, {}, ["larger than"]),
            ({"token_body": "missing_fields"}, {}, ["without an access token"]),
            ({"token_body": "wrong_types"}, {}, ["without an access token"]),
            ({}, {"BKT_CLOUD_URL": "http://127.0.0.1:%d" % closed_port()}, ["cannot reach"]),
            ({}, {"BKT_CLOUD_URL": "https://bkt-auth-test.invalid"},
             ["cannot find the host"]),
            ({}, {"BKT_CLOUD_URL": self.tls_url}, ["is not trusted"]),
            # Never send a refresh token over plain http to another machine.
            ({}, {"BKT_CLOUD_URL": "http://bkt-auth-test.invalid"}, ["use https://"]),
        ]
        for behaviours, env, words in cases:
            for command in (["token"], ["refresh"]):
                with self.subTest(command=command[0], env=env, **behaviours):
                    self.fake.control(**behaviours)
                    rc, out, err = self.run_bkt(command, env_extra=env)
                    self.check_failure(rc, out, err, words, before,
                                       what="%s %s %s" % (command[0], behaviours, env))
                    self.fake.control(token_status=None, token_body=None)
        self.assertEqual(self.fake.stats()["token_refresh_ok"], 0)
        # The server works again: the stored refresh token was kept, and works.
        token = self.token()
        self.assertNotEqual(token, old["access_token"])
        self.assertEqual(self.fake.stats()["token_refresh_ok"], 1)

    # -- servers that never answer --

    def test_servers_that_never_answer(self):
        """A token endpoint and an identity endpoint that accept the request and
        never answer: the login and the refresh end after bkt-auth's timeout."""
        self.login_stale()
        before = self.snapshot()
        other = FakeBitbucket()
        self.addCleanup(other.stop)
        self.fake.control(hang=["token"])
        other.control(hang=["identity"])
        env_other = {"BKT_CLOUD_URL": other.url, "BKT_CLOUD_API_URL": other.url}
        runs = {
            "login, token endpoint": (self.cloud_login_args(), None),
            "token, refresh": (["token"], None),
            "login, identity": (self.cloud_login_args(), env_other),
        }
        results = {}

        def go(name, args, env):
            started = time.monotonic()
            results[name] = self.run_bkt(args, env_extra=env,
                                         timeout=HTTP_TIMEOUT + 30) + (
                time.monotonic() - started,)

        threads = [threading.Thread(target=go, args=(name,) + spec)
                   for name, spec in runs.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=HTTP_TIMEOUT + 60)
        for name in runs:
            with self.subTest(name):
                self.assertIn(name, results, "%s never finished" % name)
                rc, out, err, took = results[name]
                self.check_failure(rc, out, err, ["did not answer in time"], before, what=name)
                self.assertLess(took, HTTP_TIMEOUT + 15, "%s took %.1f s" % (name, took))
        self.assertEqual(self.fake.stats()["token_refresh_ok"], 0)
        self.fake.control(hang=[])
        self.assertTrue(self.token())

    # -- TLS with a certificate the system does not trust --

    def test_self_signed_certificate(self):
        env = dict(DC_ENV, SSL_CERT_FILE=None)
        self.fake.control(api_tokens=[API_TOKEN])
        args = ["login", self.tls_dc_url, "--kind", "dc", "--with-token", "--no-interactive"]
        rc, out, err = self.run_bkt(args, stdin=API_TOKEN + "\n", env_extra=env)
        self.check_failure(rc, out, err, ["is not trusted"], (None, None), host=self.tls_dc_host,
                           what="with-token over TLS")
        self.assertIn("--ca-file", err)
        self.assert_not_stored(self.tls_dc_host)

        # A CA file that holds another certificate does not help either.
        rc, out, err = self.run_bkt(args + ["--ca-file", self.other_cert],
                                    stdin=API_TOKEN + "\n", env_extra=env)
        self.check_failure(rc, out, err, ["is not trusted"], (None, None), host=self.tls_dc_host,
                           what="the wrong CA file")
        # The CA file was given: the advice is about its content, not to give one.
        self.assertIn(self.other_cert, err)
        self.assertNotIn("pass its certificate with --ca-file", err)

        # With the right one it works, and the file is remembered for later calls.
        rc, out, err = self.run_bkt(args + ["--ca-file", self.cert],
                                    stdin=API_TOKEN + "\n", env_extra=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.hosts_entries()[self.tls_dc_host]["ca_file"], self.cert)
        self.assertEqual(self.token(self.tls_dc_host, env_extra=env), API_TOKEN)

    def test_oauth_over_tls_and_a_changed_certificate(self):
        """A DC OAuth login over TLS: refused without --ca-file, done with it;
        when the server's certificate later changes, refreshing fails clearly and
        keeps the stored login."""
        env = dict(DC_ENV, SSL_CERT_FILE=None)
        ca = os.path.join(self.tmp, "ca.pem")
        shutil.copy(self.cert, ca)
        base = ["login", self.tls_dc_url, "--kind", "dc", "--client-id", harness.CLIENT_ID,
                "--client-secret-file", self.secret_file, "--redirect-uri",
                self.fake.dc_redirect, "--no-interactive", "--no-browser"]

        def login(extra):
            p = self.start(base + extra, env_extra=env)
            url = p.wait_line(lambda l: l.startswith(self.tls_url + "/") and "authorize?" in l,
                              what="the authorize URL")
            # The browser (here the test) trusts the certificate; bkt-auth must not,
            # unless told. The plain port serves the same fake.
            redirect = self.redirect_for(url.replace(self.tls_url, self.fake.url, 1))
            p.send(redirect)
            return p.finish()

        rc, out, err = login([])
        self.check_failure(rc, out, err, ["is not trusted"], (None, None), host=self.tls_dc_host,
                           what="OAuth over TLS without --ca-file")
        self.assert_not_stored(self.tls_dc_host)

        self.fake.control(expires_in=SHORT_LIFETIME)
        rc, out, err = login(["--ca-file", ca])
        self.assertEqual(rc, 0, err)
        self.fake.control(expires_in=None)
        stored = self.keyring_secret(self.tls_dc_host)
        harness.wait_until(lambda: time.time() >= stored["expires_at"] + 0.05,
                           timeout=SHORT_LIFETIME + 5, what="the token to expire")
        before = self.snapshot(self.tls_dc_host)

        # The server now presents a certificate the remembered CA file does not vouch for.
        shutil.copy(self.other_cert, ca)
        rc, out, err = self.run_bkt(["token", self.tls_dc_host], env_extra=env)
        self.check_failure(rc, out, err, ["is not trusted"], before, host=self.tls_dc_host,
                           what="refresh with a changed certificate")
        shutil.copy(self.cert, ca)
        token = self.token(self.tls_dc_host, env_extra=env)
        self.assertNotEqual(token, stored["access_token"])


if __name__ == "__main__":
    harness.main()
