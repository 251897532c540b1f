#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A hostile loopback: while a login waits for the browser, other programs on
this machine (or a web page the browser has open) throw at the listener idle
connections, a slow sender, a request of several megabytes, other methods and
paths, wrong or missing state, duplicated and strangely encoded parameters,
and markup. The listener answers each with a small page that echoes nothing,
nothing crashes or hangs, and the real redirect that follows still completes
the login at once.
"""

import concurrent.futures
import re
import socket
import sys
import threading
import time
import urllib.parse

import harness
from harness import CLOUD_HOST, BktTestCase

IDLE_CONNECTIONS = 300
BIG_REQUEST = 4 * 1024 * 1024
# The listener's read deadline per connection (loopback.c), and some slack.
READ_DEADLINE = 5.0

# The only tags of the listener's own page; anything else in a body is an echo.
OWN_TAGS = [
    "<!DOCTYPE html>", "<html>", "</html>", "<head>", "</head>", '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width">', "<title>", "</title>",
    "<style>", "</style>", "<body>", "</body>", "<h1>", "</h1>", "<p>", "</p>",
]
MARKUP = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def figure(text):
    """A measured figure, for the test log."""
    sys.stderr.write("figure: %s\n" % text)
    sys.stderr.flush()


def connect(port, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_all(s, timeout=10.0):
    """Everything until the peer closes (or resets) the connection."""
    s.settimeout(timeout)
    chunks = []
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    except (ConnectionResetError, socket.timeout):
        pass
    return b"".join(chunks)


def exchange(port, raw, timeout=10.0):
    """Send raw bytes, half-close, and read the answer: (status or None, headers, body)."""
    with connect(port, timeout) as s:
        try:
            s.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_all(s, timeout)
    return parse_answer(answer)


def parse_answer(answer):
    if not answer:
        return None, {}, b""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.1 (\d{3}) ", lines[0])
    status = int(m.group(1)) if m else -1
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def echoes_markup(body):
    """Whether a page carries markup other than the listener's own."""
    text = body.decode("utf-8", errors="replace")
    for tag in OWN_TAGS:
        text = text.replace(tag, "")
    return "<" in text or ">" in text


class HostileLoopback(BktTestCase):

    def start_waiting_login(self):
        """A line-mode Cloud login waiting for its redirect: (process, port, redirect URL)."""
        p = self.start(self.cloud_login_args("--no-browser", "--timeout", "120"))
        url = p.wait_line(self.is_authorize_url, what="the authorize URL")
        redirect = self.redirect_for(url)
        parts = urllib.parse.urlsplit(redirect)
        self.assertEqual(parts.hostname, "127.0.0.1")
        return p, parts.port, redirect

    def check_page(self, what, status, headers, body, allowed=(400, 404, 405, 431)):
        self.assertIn(status, allowed, "%s: answered %s" % (what, status))
        self.assertIn("no-store", headers.get("cache-control", ""), what)
        self.assertEqual(headers.get("referrer-policy"), "no-referrer", what)
        self.assertEqual(headers.get("x-content-type-options"), "nosniff", what)
        self.assertTrue(headers.get("content-type", "").startswith("text/html"), what)
        self.assertIn("default-src 'none'", headers.get("content-security-policy", ""), what)
        self.assertFalse(echoes_markup(body), "%s: the page echoes markup:\n%r" % (what, body))
        self.assertLess(len(body), 4096, what)

    def junk_requests(self, path, state):
        """(name, raw request) pairs that must all be turned away."""
        q = "code=junk-code&state=" + state
        wrong = "code=junk-code&state=forged-" + state[:8]
        markup = urllib.parse.quote(MARKUP)
        reqs = []
        for method in ("POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE",
                       "CONNECT", "get", "G\u00c9T"):
            reqs.append(("method " + method,
                         ("%s %s?%s HTTP/1.1\r\nHost: x\r\n\r\n" % (method, path, wrong))
                         .encode("utf-8")))
        for other in ("/", "/favicon.ico", path + "/", path.upper(), "/" + path,
                      path + "%3F" + wrong, "/x/.." + path, "*", "http://127.0.0.1" + path,
                      "/" + markup, path + "/" + markup):
            reqs.append(("path " + other,
                         ("GET %s?%s HTTP/1.1\r\n\r\n" % (other, q)).encode("utf-8")))
        queries = {
            "wrong state": wrong,
            "missing state": "code=junk-code",
            "empty state": "code=junk-code&state=",
            "state prefix": "code=junk-code&state=" + state[:-1],
            "state suffix": "code=junk-code&state=" + state + "x",
            "state in another case": "code=junk-code&STATE=" + state,
            "no query": "",
            "duplicated code": "code=a&code=b&state=forged",
            "duplicated state": "code=a&state=forged&state=forged",
            "right and wrong state": "code=a&state=%s&state=forged" % state,
            "twice the right state": "code=a&state=%s&state=%s" % (state, state),
            "NUL": "code=a%00b&state=forged",
            "bad escape": "code=%zz&state=forged",
            "overlong UTF-8": "code=%C0%AF&state=%C0%AF",
            "double encoded": "code=a&state=%2525" + state,
            "semicolons": "code=a;state=" + state,
            "only separators": "&&&=&=",
            "long names": "x" * 4000 + "=1&code=a&state=forged",
            "markup in error_description": ("error=access_denied&error_description=%s"
                                            "&state=forged" % markup),
            "markup without state": "error=x&error_description=" + markup,
            "markup in code": "code=%s&state=forged" % markup,
            "terminal escapes": ("error=%1B%5D52%3Bc%3BcHdu%07&error_description="
                                 "%1B%5B2J%E2%80%AE&state=forged"),
        }
        for name, query in queries.items():
            target = path + ("?" + query if query else "")
            reqs.append((name, ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % target)
                         .encode("utf-8")))
        reqs.append(("TLS client hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
                     + bytes(range(64)) + b"\r\n\r\n"))
        reqs.append(("HTTP/0.9", ("GET %s?%s\r\n\r\n" % (path, wrong)).encode()))
        reqs.append(("pipelined", ("GET %s?%s HTTP/1.1\r\n\r\nGET %s?%s HTTP/1.1\r\n\r\n"
                                   % (path, wrong, path, wrong)).encode()))
        reqs.append(("header flood", ("GET %s?%s HTTP/1.1\r\n" % (path, wrong)).encode()
                     + b"X-A: b\r\n" * 2000 + b"\r\n"))
        reqs.append(("binary", bytes(range(256)) * 4))
        return reqs

    def slow_sender(self, port, request, result):
        """Send one byte a second; note when the listener hangs up."""
        started = time.monotonic()
        with connect(port) as s:
            try:
                for i in range(len(request)):
                    s.sendall(request[i:i + 1])
                    s.settimeout(1.0)
                    try:
                        if s.recv(65536, socket.MSG_PEEK) == b"":
                            break
                    except socket.timeout:
                        continue
                    # Something came back: the listener answered and will close.
                    read_all(s, 5)
                    break
            except (BrokenPipeError, ConnectionResetError):
                pass
        result["cut_after"] = time.monotonic() - started

    def big_request(self, port, result):
        """A request of several megabytes: the listener answers early and hangs up."""
        started = time.monotonic()
        with connect(port) as s:
            head = "GET /callback?code=x&state=forged&pad=".encode()
            sent = 0
            try:
                s.sendall(head)
                chunk = b"a" * 65536
                while sent < BIG_REQUEST:
                    s.sendall(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass
            answer = read_all(s, 5)
        result["sent"] = sent
        result["answer"] = parse_answer(answer)
        result["took"] = time.monotonic() - started

    def test_hostile_loopback(self):
        p, port, redirect = self.start_waiting_login()
        path = urllib.parse.urlsplit(redirect).path
        state = harness.query_of(redirect)["state"]

        # Phase 1: a slow sender and a huge request while every kind of junk arrives.
        slow = {}
        big = {}
        slow_req = ("GET %s?code=slow&state=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    % (path, state)).encode()
        slow_thread = threading.Thread(target=self.slow_sender, args=(port, slow_req, slow))
        big_thread = threading.Thread(target=self.big_request, args=(port, big))
        slow_thread.start()
        big_thread.start()
        junk = self.junk_requests(path, state)
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda item: (item[0], exchange(port, item[1])), junk))
        for name, (status, headers, body) in answers:
            with self.subTest(name):
                if status is None:
                    # Closed without a word: only for what is not HTTP at all.
                    self.assertIn(name, ("binary", "TLS client hello", "HTTP/0.9"))
                    continue
                self.check_page(name, status, headers, body)
        big_thread.join(timeout=60)
        slow_thread.join(timeout=60)
        self.assertIn("answer", big, "the big request never finished")
        big_status = big["answer"][0]
        self.assertIn(big_status, (431, None), "a request of %d bytes was answered %s"
                      % (big["sent"], big_status))
        if big_status is not None:
            self.check_page("big request", *big["answer"])
        figure("a %.1f MB request was cut off after %.2f s with %s"
               % (BIG_REQUEST / 1e6, big["took"], big_status))
        self.assertIn("cut_after", slow)
        figure("the slow sender (1 byte/s) was cut off after %.1f s" % slow["cut_after"])
        self.assertLess(slow["cut_after"], READ_DEADLINE + 3)
        self.assertTrue(p.running(), "bkt-auth stopped:\n" + p.stderr_so_far())
        self.assertEqual(self.fake.stats()["token_code"], 0,
                         "junk reached the token endpoint")

        # Phase 2: hundreds of idle connections held open, a slow sender again,
        # and then the real redirect.
        idle = []
        self.addCleanup(lambda: [s.close() for s in idle])
        flood_started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
            idle.extend(pool.map(lambda _: connect(port, timeout=20),
                                 range(IDLE_CONNECTIONS)))
        figure("%d idle connections opened in %.2f s"
               % (IDLE_CONNECTIONS, time.monotonic() - flood_started))
        slow2 = {}
        threading.Thread(target=self.slow_sender, args=(port, slow_req, slow2),
                         daemon=True).start()
        self.assertTrue(p.running(), "bkt-auth stopped:\n" + p.stderr_so_far())

        started = time.monotonic()
        status, headers, body = exchange(port, (
            "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: browser\r\n\r\n"
            % (redirect[redirect.index(path):], port)).encode())
        answered = time.monotonic() - started
        rc, out, err = p.finish(timeout=30)
        done = time.monotonic() - started
        figure("with %d idle connections and a slow sender, the real redirect was answered "
               "in %.3f s and the login completed in %.3f s" % (IDLE_CONNECTIONS, answered, done))
        self.assertEqual(status, 200, body)
        self.assertIn("no-store", headers.get("cache-control", ""))
        self.assertFalse(echoes_markup(body))
        self.assertNotIn(harness.query_of(redirect)["code"].encode(), body)
        self.assertEqual(rc, 0, err)
        self.assertLess(done, 5.0, "the login took %.1f s after the redirect" % done)
        self.assertEqual(self.fake.stats()["token_code"], 1)
        self.assertTrue(self.token())
        # The listener is gone: nothing listens on the port any more.
        with self.assertRaises(OSError):
            connect(port, timeout=2).close()

    def test_error_page_escapes_markup(self):
        """A provider error with the right state ends the attempt; its page and the
        terminal show the provider's words without markup or escapes."""
        for error, code in (("access_denied", 2), ("server_error", 1)):
            with self.subTest(error):
                p, port, redirect = self.start_waiting_login()
                q = urllib.parse.urlencode([
                    ("error", error),
                    ("error_description", MARKUP + "\x1b]52;c;cHdu\x07\x1b[2J\u202e"),
                    ("state", harness.query_of(redirect)["state"])])
                target = urllib.parse.urlsplit(redirect).path + "?" + q
                status, headers, body = exchange(port, (
                    "GET %s HTTP/1.1\r\n\r\n" % target).encode())
                self.check_page(error, status, headers, body, allowed=(200,))
                self.assertIn(b"&lt;script&gt;", body)
                self.assertNotIn(b"\x1b", body)
                rc, out, err = p.finish()
                self.assertEqual(rc, code, err)
                self.assertNotIn("\x1b", err)
                self.assertNotIn("\x07", err)
                self.assert_one_error_line(err)
                self.assertIsNone(self.keyring_secret(CLOUD_HOST))


if __name__ == "__main__":
    harness.main()
