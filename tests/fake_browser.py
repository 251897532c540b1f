#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for a web browser, for the bkt-auth tests (use it as BROWSER).

Usage: fake_browser.py URL

It requests URL (bkt-auth's start address, or the authorize endpoint itself)
and follows redirects, without requesting it, up to the first Location that
carries code or error (bkt-auth's loopback redirect URI carrying code and
state, or an error), and then acts on FAKE_BROWSER_MODE:

  follow             (default) GET the Location and, if FAKE_BROWSER_PAGE is
                     set, write the page body there.
  print              do not follow; write the Location and a newline to
                     FAKE_BROWSER_OUT (atomically), or to stdout if unset.
  wrong-state-first  GET the Location with state replaced by "forged-state",
                     then GET the real Location as in follow.
  none               do nothing at all (a browser that never comes back).

If FAKE_BROWSER_LOG is set, URL and a newline are appended to it first, in
every mode.  If FAKE_BROWSER_WAIT_FOR names a file, the browser then waits
(up to 60 seconds, else it fails) until that file exists before it requests
anything, as a browser that takes its time to start.  Every request times out after 10 seconds; proxies are never
used.  Any HTTP answer from the loopback listener counts as success (a
browser shows error pages too); any other failure prints one line to stderr
and exits 1.
"""

import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = 10
WAIT_LIMIT = 60
MAX_HOPS = 5
FORGED_STATE = "forged-state"
REDIRECT_CODES = (301, 302, 303, 307, 308)


class Failure(Exception):
    pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an HTTPError carrying the response."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def opener(follow):
    handlers = [urllib.request.ProxyHandler({})]
    if not follow:
        handlers.append(NoRedirect())
    return urllib.request.build_opener(*handlers)


def append_log(url):
    path = os.environ.get("FAKE_BROWSER_LOG")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(url + "\n")


def write_atomically(path, data):
    path = os.path.abspath(path)
    fd, tmp = tempfile.mkstemp(prefix=".fake-browser-",
                               dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def comes_back(url):
    """Whether url is the redirect back to bkt-auth (it carries code or error)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    return "code" in query or "error" in query


def get_location(url):
    """Follow redirects from url up to the one that comes back to bkt-auth."""
    for _ in range(MAX_HOPS):
        url = one_hop(url)
        if comes_back(url):
            return url
    raise Failure("more than %d redirects" % MAX_HOPS)


def wait_for_file():
    path = os.environ.get("FAKE_BROWSER_WAIT_FOR")
    if not path:
        return
    deadline = time.monotonic() + WAIT_LIMIT
    while not os.path.exists(path):
        if time.monotonic() >= deadline:
            raise Failure("%s did not appear within %d seconds" % (path, WAIT_LIMIT))
        time.sleep(0.02)


def one_hop(url):
    """GET url without following redirects; return the absolute Location. The signed-in
    user is FAKE_BROWSER_USER (the fake Bitbucket's X-Fake-User), else the fake's default."""
    request = urllib.request.Request(url)
    user = os.environ.get("FAKE_BROWSER_USER")
    if user:
        request.add_header("X-Fake-User", user)
    try:
        with opener(follow=False).open(request, timeout=TIMEOUT) as resp:
            status = resp.status
    except urllib.error.HTTPError as e:
        with e:
            status = e.code
            location = e.headers.get("Location")
        if status in REDIRECT_CODES:
            if not location:
                raise Failure("redirect %d without a Location header" % status)
            return urllib.parse.urljoin(url, location)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise Failure("cannot open the authorization URL: %s" % reason(e))
    raise Failure("the authorization URL answered %d instead of a redirect"
                  % status)


def fetch(url):
    """GET url like a browser (following redirects); return the body."""
    try:
        with opener(follow=True).open(url, timeout=TIMEOUT) as resp:
            return resp.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.read()  # a browser shows error pages as well
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise Failure("cannot open the redirect URL: %s" % reason(e))


def reason(e):
    r = getattr(e, "reason", None) or e
    text = str(r).splitlines()[0] if str(r) else type(r).__name__
    return text


def forge_state(url):
    parts = urllib.parse.urlsplit(url)
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    replaced = False
    out = []
    for k, v in pairs:
        if k == "state":
            out.append((k, FORGED_STATE))
            replaced = True
        else:
            out.append((k, v))
    if not replaced:
        out.append(("state", FORGED_STATE))
    return urllib.parse.urlunsplit(parts._replace(
        query=urllib.parse.urlencode(out)))


def follow(location):
    body = fetch(location)
    page = os.environ.get("FAKE_BROWSER_PAGE")
    if page:
        write_atomically(page, body)


def main(argv):
    if len(argv) != 2 or not argv[1]:
        raise Failure("usage: fake_browser.py URL")
    url = argv[1]
    append_log(url)
    wait_for_file()

    mode = os.environ.get("FAKE_BROWSER_MODE") or "follow"
    if mode == "none":
        return 0
    if mode not in ("follow", "print", "wrong-state-first"):
        raise Failure("unknown FAKE_BROWSER_MODE %r" % mode)

    location = get_location(url)

    if mode == "print":
        out = os.environ.get("FAKE_BROWSER_OUT")
        if out:
            write_atomically(out, (location + "\n").encode("utf-8"))
        else:
            sys.stdout.write(location + "\n")
            sys.stdout.flush()
        return 0

    if mode == "wrong-state-first":
        fetch(forge_state(location))
    follow(location)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Failure as e:
        sys.stderr.write("fake_browser: %s\n" % e)
        sys.exit(1)
    except Exception as e:  # one line, never a traceback
        sys.stderr.write("fake_browser: %s: %s\n"
                         % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
        sys.exit(1)
