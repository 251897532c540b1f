#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bkt-auth doctor: what it finds, the fix it names, its exit code and its JSON."""

import email.utils
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness
from harness import CLIENT_SECRET, CLOUD_HOST, COMMAND_TIMEOUT, DC_ENV, BktTestCase


def documented_check_ids():
    """The check ids docs/status-json.md promises to programs (the unit test 'doctor' holds
    that list to the engine's bkt_check_ids and the man page)."""
    path = os.path.join(os.environ["BKT_SOURCE_DIR"], "docs", "status-json.md")
    with open(path, encoding="utf-8") as f:
        m = re.search(r"Each check has `check` \(one of ([^)]*)\)", f.read())
    if m is None:
        raise AssertionError("%s no longer lists the doctor's check ids" % path)
    return set(re.findall(r"`([^`]+)`", m.group(1)))


CHECK_IDS = documented_check_ids()
STATUSES = {"ok", "info", "warn", "fail"}
# The check ids the tests saw, and the tests that ran: when all of them ran, every documented
# check must have been seen (tearDownModule).
SEEN_IDS = set()
TESTS_RUN = set()


class SkewedDataCenter:
    """A Data Center stand-in on 127.0.0.1 whose clock is `skew` seconds off."""

    def __init__(self, skew, tls=None):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def date_time_string(self, timestamp=None):
                return email.utils.formatdate(time.time() + skew, usegmt=True)

            def do_GET(self):
                if self.path != "/bitbucket/rest/api/1.0/application-properties":
                    self.send_error(404)
                    return
                body = json.dumps({"version": "8.19.1", "displayName": "Bitbucket"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = "%s://127.0.0.1:%d/bitbucket" % (scheme, self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class DoctorTestCase(BktTestCase):

    def setUp(self):
        super().setUp()
        TESTS_RUN.add(self.id())

    def doctor(self, *args, env_extra=None, want_rc=None):
        """doctor --json: (returncode, the parsed report, stderr)."""
        rc, out, err = self.run_bkt(["doctor", "--json"] + list(args), env_extra=env_extra)
        report = json.loads(out)
        self.check_schema(report)
        if want_rc is not None:
            self.assertEqual(rc, want_rc, json.dumps(report, indent=1) + err)
        self.assertEqual(rc, 0 if report["ok"] else 1)
        return rc, report, err

    def check_schema(self, report):
        self.assertEqual(report["version"], 1)
        self.assertIsInstance(report["ok"], bool)
        fails = [c for c in report["checks"] if c["status"] == "fail"]
        warns = [c for c in report["checks"] if c["status"] == "warn"]
        self.assertEqual(report["problems"], len(fails))
        self.assertEqual(report["warnings"], len(warns))
        self.assertEqual(report["ok"], not fails)
        for c in report["checks"]:
            self.assertIn(c["check"], CHECK_IDS, "a check id the documentation does not list")
            SEEN_IDS.add(c["check"])
            self.assertIn(c["status"], STATUSES)
            self.assertTrue(c["summary"])
            self.assertIn("host", c)
            self.assertIn("fix", c)
            if c["status"] == "fail":
                self.assertTrue(c["fix"], "a problem without a fix: %r" % c)

    def find(self, report, check, host=None):
        found = [c for c in report["checks"]
                 if c["check"] == check and (host is None or c["host"] == host)]
        self.assertTrue(found, "no %s check for %s in %s" % (check, host, report))
        return found[0]


class Healthy(DoctorTestCase):

    def test_nothing_wrong_after_login(self):
        self.login_cloud()
        self.login_dc()
        rc, report, err = self.doctor(want_rc=0)
        ss = self.find(report, "secret-service")
        self.assertEqual(ss["status"], "ok")
        self.assertEqual(ss["daemon"], "gnome-keyring-daemon")
        self.assertEqual(self.find(report, "config-dir")["status"], "ok")
        self.assertEqual(self.find(report, "config-dir")["path"], self.config_dir)
        self.assertEqual(self.find(report, "config-file")["status"], "ok")
        self.assertEqual(self.find(report, "browser")["status"], "ok")
        for host in (CLOUD_HOST, self.fake.dc_host):
            with self.subTest(host=host):
                self.assertEqual(self.find(report, "login", host)["status"], "ok")
                self.assertIn("expires_at", self.find(report, "login", host))
                self.assertEqual(self.find(report, "reachable", host)["status"], "ok")
                self.assertEqual(self.find(report, "tls", host)["status"], "info")
                self.assertEqual(self.find(report, "bitbucket", host)["status"], "ok")
                clock = self.find(report, "clock", host)
                self.assertEqual(clock["status"], "ok")
                self.assertLessEqual(abs(clock["clock_skew_seconds"]), 2)
                self.assertEqual(self.find(report, "token", host)["status"], "ok")
        self.assertEqual(self.find(report, "bitbucket", self.fake.dc_host)["bitbucket_version"],
                         "8.19.1")
        secret = self.keyring_secret(CLOUD_HOST)
        self.assert_no_secret(json.dumps(report) + err,
                              [secret["access_token"], secret["refresh_token"], CLIENT_SECRET])

    def test_text_for_people(self):
        self.login_cloud()
        rc, out, err = self.run_bkt(["doctor"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "", "the text report is for people: stderr")
        self.assertIn("No problems found", err)
        self.assertIn("gnome-keyring-daemon", err)
        self.assertIn(CLOUD_HOST, err)
        self.assert_no_token_shapes(err, "doctor's text")

    def test_not_logged_in(self):
        rc, report, err = self.doctor(want_rc=0)
        self.assertEqual(self.find(report, "login")["status"], "info")
        self.assertIn("bkt-auth login", self.find(report, "login")["fix"])
        self.assertFalse(os.path.exists(self.config_dir), "doctor must not create the config")

    def test_env_token_is_mentioned(self):
        rc, report, err = self.doctor(env_extra={"BKT_TOKEN": "env-token-0123456789"},
                                      want_rc=0)
        self.assertEqual(self.find(report, "env-token")["status"], "info")
        self.assertNotIn("env-token-0123456789", json.dumps(report) + err)

    def test_ssh_without_browser(self):
        self.login_cloud()
        env = {"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22", "BROWSER": None}
        rc, report, err = self.doctor(env_extra=env, want_rc=0)
        self.assertEqual(self.find(report, "browser")["status"], "warn")
        self.assertIn("SSH", self.find(report, "browser")["summary"])
        self.assertEqual(self.find(report, "session")["status"], "info")
        self.assertIn("ssh -L", self.find(report, "session")["summary"])
        self.assertEqual(report["warnings"], 1)


class Problems(DoctorTestCase):

    def test_open_permissions(self):
        self.login_cloud()
        os.chmod(self.config_dir, 0o755)
        os.chmod(self.hosts_json_path(), 0o644)
        rc, report, err = self.doctor(want_rc=1)
        d = self.find(report, "config-dir")
        self.assertEqual(d["status"], "fail")
        self.assertIn("chmod 700 " + self.config_dir, d["fix"])
        f = self.find(report, "config-file")
        self.assertEqual(f["status"], "fail")
        self.assertEqual(f["path"], self.hosts_json_path())
        self.assertIn("chmod 600", f["fix"])
        # doctor tells; it changes nothing.
        self.assertEqual(os.stat(self.config_dir).st_mode & 0o777, 0o755)

    def test_damaged_hosts_file(self):
        self.login_cloud()
        with open(self.hosts_json_path(), "w") as f:
            f.write("{not json")
        rc, report, err = self.doctor(want_rc=1)
        f = self.find(report, "config-file")
        self.assertEqual(f["status"], "fail")
        self.assertIn("log in again", f["fix"])

    def test_token_refused_by_the_server(self):
        self.login_cloud()
        self.fake.expire()
        rc, report, err = self.doctor(want_rc=1)
        t = self.find(report, "token", CLOUD_HOST)
        self.assertEqual(t["status"], "fail")
        self.assertIn("bkt-auth refresh " + CLOUD_HOST, t["fix"])
        self.assertEqual(self.fake.stats()["token_refresh"], 0, "doctor must not refresh")
        rc, out, err = self.run_bkt(["doctor"])
        self.assertEqual(rc, 1)
        self.assertIn("Fix: get a new one with 'bkt-auth refresh", err)
        self.assertIn("1 problem found", err)

    def test_keyring_lost_the_token(self):
        self.login_cloud()
        subprocess.run(["secret-tool", "clear", "host", CLOUD_HOST], check=True,
                       stdin=subprocess.DEVNULL, timeout=COMMAND_TIMEOUT)
        rc, report, err = self.doctor(want_rc=1)
        login = self.find(report, "login", CLOUD_HOST)
        self.assertEqual(login["status"], "fail")
        self.assertIn("bkt-auth login " + CLOUD_HOST, login["fix"])

    def test_no_secret_service(self):
        env = self.no_bus()
        refused = harness.kernel_keyring_refusal()
        if refused is None:
            # The kernel keyring takes new logins: worth knowing, no problem.
            rc, report, err = self.doctor(env_extra=env, want_rc=0)
            self.assertEqual(self.find(report, "secret-service")["status"], "info")
            kernel = self.find(report, "kernel-keyring")
            self.assertEqual(kernel["status"], "ok")
            self.assertIn("reboot", kernel["summary"])
        # Nowhere safe: no Secret Service, and a kernel that refuses keyrings.
        rc, out, err = self.run_bkt(["doctor", "--json"], env_extra=env, wrap=self.nokeyring())
        report = json.loads(out)
        self.check_schema(report)
        self.assertEqual(rc, 1, out + err)
        ss = self.find(report, "secret-service")
        self.assertEqual(ss["status"], "fail")
        self.assertIn("--insecure-storage", ss["fix"])
        self.assertEqual(self.find(report, "kernel-keyring")["status"], "fail")

    def test_login_in_the_file_with_a_safer_store(self):
        self.login_cloud("--insecure-storage")
        rc, report, err = self.doctor()
        storage = self.find(report, "storage", CLOUD_HOST)
        self.assertEqual(storage["status"], "warn")
        self.assertIn("a safer store can be used here now", storage["summary"])
        self.assertIn("bkt-auth login " + CLOUD_HOST, storage["fix"])

    def test_unreachable_host(self):
        url = "http://127.0.0.1:%d/bitbucket" % harness.free_port()
        rc, report, err = self.doctor(url, want_rc=1)
        r = self.find(report, "reachable")
        self.assertEqual(r["status"], "fail")
        self.assertTrue(r["fix"])
        self.assertFalse([c for c in report["checks"] if c["check"] == "clock"])

    def test_not_a_bitbucket(self):
        rc, report, err = self.doctor(self.fake.url + "/elsewhere", env_extra=DC_ENV,
                                      want_rc=1)
        self.assertEqual(self.find(report, "reachable")["status"], "ok")
        self.assertEqual(self.find(report, "bitbucket")["status"], "fail")

    def test_clock_skew(self):
        server = SkewedDataCenter(skew=2 * 3600)
        self.addCleanup(server.stop)
        rc, report, err = self.doctor(server.url, want_rc=1)
        self.assertEqual(self.find(report, "bitbucket")["bitbucket_version"], "8.19.1")
        clock = self.find(report, "clock")
        self.assertEqual(clock["status"], "fail")
        self.assertAlmostEqual(clock["clock_skew_seconds"], 7200, delta=5)
        self.assertIn("behind", clock["summary"])
        self.assertIn("timedatectl", clock["fix"])

    def test_small_skew_is_a_warning(self):
        server = SkewedDataCenter(skew=-120)
        self.addCleanup(server.stop)
        rc, report, err = self.doctor(server.url, want_rc=0)
        clock = self.find(report, "clock")
        self.assertEqual(clock["status"], "warn")
        self.assertIn("ahead", clock["summary"])

    def test_untrusted_certificate(self):
        cert, key = (os.path.join(self.tmp, n) for n in ("cert.pem", "key.pem"))
        cp = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                             "-keyout", key, "-out", cert, "-days", "2",
                             "-subj", "/CN=127.0.0.1", "-addext",
                             "subjectAltName=IP:127.0.0.1"],
                            stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=COMMAND_TIMEOUT)
        self.assertEqual(cp.returncode, 0, cp.stderr)
        server = SkewedDataCenter(skew=0, tls=(cert, key))
        self.addCleanup(server.stop)
        rc, report, err = self.doctor(server.url, want_rc=1)
        tls = self.find(report, "tls")
        self.assertEqual(tls["status"], "fail")
        self.assertIn("--ca-file", tls["fix"])
        self.assertFalse([c for c in report["checks"] if c["check"] == "reachable"])
        # Trusted through SSL_CERT_FILE, as for a private certificate authority.
        rc, report, err = self.doctor(server.url, env_extra={"SSL_CERT_FILE": cert},
                                      want_rc=0)
        self.assertEqual(self.find(report, "tls")["status"], "ok")
        self.assertEqual(self.find(report, "bitbucket")["bitbucket_version"], "8.19.1")

    def test_bad_host_argument(self):
        rc, out, err = self.run_bkt(["doctor", "https://user@example.com"])
        self.assertEqual((rc, out), (1, ""))
        self.assert_one_error_line(err)
        rc, out, err = self.run_bkt(["doctor", "a", "b"])
        self.assertEqual((rc, out), (1, ""))


def tearDownModule():
    tests = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    every = set()
    pending = [tests]
    while pending:
        t = pending.pop()
        if isinstance(t, unittest.TestSuite):
            pending.extend(t)
        else:
            every.add(t.id())
    if TESTS_RUN >= every and CHECK_IDS - SEEN_IDS:
        raise AssertionError("documented checks that no test saw doctor report: %s"
                             % ", ".join(sorted(CHECK_IDS - SEEN_IDS)))


if __name__ == "__main__":
    harness.main()
