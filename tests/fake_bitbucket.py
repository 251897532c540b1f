#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fake Bitbucket (Cloud and Data Center at once) for the bkt-auth tests.

It speaks real HTTP/1.1 on 127.0.0.1 and implements just enough of the
OAuth 2.0 authorization-code flow (with PKCE), refresh-token rotation and the
identity endpoints that bkt-auth uses.

Cloud, at the root:
    GET  /site/oauth2/authorize
    POST /site/oauth2/access_token
    GET  /2.0/user

Data Center, under the context path /bitbucket:
    GET  /bitbucket/rest/oauth2/latest/authorize
    POST /bitbucket/rest/oauth2/latest/token
    GET  /bitbucket/rest/api/1.0/application-properties
    GET  /bitbucket/rest/api/1.0/users/<slug>

Test control:
    GET  /_control           current behaviours
    POST /_control           JSON object merged into the behaviours
    POST /_control/expire    every issued access token becomes expired
    POST /_control/reset     behaviours, counters and tokens back to defaults
    GET  /_stats             request counters (never token values), and under
                             "exchanged" how many codes of each user were exchanged
    POST /_control/token_state  {"access_token": T, "refresh_token": R}: whether each is
                             live, expired, rotated (refresh) or unknown, and whether
                             they were issued together; never the values

Usage:
    fake_bitbucket.py [--port N] [--port-file FILE] [--client-id ID]
                      [--client-secret S] [--dc-redirect URI]
                      [--cloud-callback URL]
                      [--tls-cert PEM --tls-key PEM --tls-port-file FILE]

With --tls-cert and --tls-key the same fake also listens with TLS on a second
ephemeral port, written to --tls-port-file.

Who signs in at the authorize endpoint is alice, or the user named by an
X-Fake-User header (alice or mallory), as a browser's session would say; the
code, its tokens and the identity endpoints then belong to that user.

Once listening, the port number is written (atomically) to --port-file and
printed on stdout.  Requests are logged to stderr as method and path only:
never query strings, bodies, codes, tokens, secrets or headers.
"""

import argparse
import base64
import copy
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DC_PREFIX = "/bitbucket"

CLOUD_AUTHORIZE = "/site/oauth2/authorize"
CLOUD_TOKEN = "/site/oauth2/access_token"
CLOUD_USER = "/2.0/user"

DC_AUTHORIZE = DC_PREFIX + "/rest/oauth2/latest/authorize"
DC_TOKEN = DC_PREFIX + "/rest/oauth2/latest/token"
DC_APP_PROPS = DC_PREFIX + "/rest/api/1.0/application-properties"
DC_USERS = DC_PREFIX + "/rest/api/1.0/users/"

CLOUD = "cloud"
DC = "dc"

DEFAULT_CLOUD_EXPIRES = 7200
DEFAULT_DC_EXPIRES = 3600
DEFAULT_CODE_TTL = 60.0
DEFAULT_CLOUD_SCOPES = "account repository"
DEFAULT_DC_SCOPES = "REPO_READ REPO_WRITE"
DC_KNOWN_SCOPES = {
    "PUBLIC_REPOS", "REPO_READ", "REPO_WRITE", "REPO_ADMIN", "PROJECT_ADMIN",
    "ACCOUNT_WRITE", "ADMIN_WRITE", "SYSTEM_ADMIN",
}
LONG_REFRESH_LEN = 3000

USER_EMAIL = "alice@example.com"
CLOUD_USER_BODY = {
    "username": "alice",
    "display_name": "Alice Example",
    "account_id": "557058:1111",
    "uuid": "{11111111-2222-3333-4444-555555555555}",
    "type": "user",
}
DC_USER_BODY = {
    "name": "alice",
    "emailAddress": USER_EMAIL,
    "id": 51,
    "displayName": "Alice Example",
    "active": True,
    "slug": "alice",
    "type": "NORMAL",
}
# Another person with an account on the same server.
MALLORY_CLOUD_BODY = {
    "username": "mallory",
    "display_name": "Mallory Example",
    "account_id": "557058:6666",
    "uuid": "{66666666-7777-8888-9999-000000000000}",
    "type": "user",
}
MALLORY_DC_BODY = {
    "name": "mallory",
    "emailAddress": "mallory@example.com",
    "id": 66,
    "displayName": "Mallory Example",
    "active": True,
    "slug": "mallory",
    "type": "NORMAL",
}
# A second account of the same person (or a colleague) on the same servers.
BOB_CLOUD_BODY = {
    "username": "bob",
    "display_name": "Bob Example",
    "account_id": "557058:2222",
    "uuid": "{22222222-3333-4444-5555-666666666666}",
    "type": "user",
}
BOB_DC_BODY = {
    "name": "bob",
    "emailAddress": "bob@example.com",
    "id": 52,
    "displayName": "Bob Example",
    "active": True,
    "slug": "bob",
    "type": "NORMAL",
}
USERS = {"alice": (CLOUD_USER_BODY, DC_USER_BODY),
         "bob": (BOB_CLOUD_BODY, BOB_DC_BODY),
         "mallory": (MALLORY_CLOUD_BODY, MALLORY_DC_BODY)}
DEFAULT_USER = "alice"
USER_HEADER = "X-Fake-User"

DC_APP_PROPS_BODY = {
    "version": "8.19.1",
    "buildNumber": "8019001",
    "buildDate": "1700000000000",
    "displayName": "Bitbucket",
}

VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
CODE_RE = re.compile(r"[A-Za-z0-9\-._~]{8,128}")

COUNTER_NAMES = ("authorize", "token_code", "token_refresh",
                 "token_refresh_ok", "user", "app_props", "dc_user",
                 "token_refresh_reused")

# Broken answers a server can give, for token_body and identity_body.
BROKEN_BODIES = ("html", "truncated", "huge", "missing_fields", "empty",
                 "wrong_types")
HUGE_BODY_BYTES = 8 * 1024 * 1024
# Endpoints that can be told to accept a request and never answer.
HANG_ENDPOINTS = ("token", "identity")
HANG_LIMIT = 120.0


def _is_bool(v):
    return isinstance(v, bool)


def _is_opt_int(v):
    return v is None or (isinstance(v, int) and not isinstance(v, bool))


def _is_opt_number(v):
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)
                         and v >= 0)


# Fields of a token answer that "omit" may leave out.
OMITTABLE = ("expires_in", "refresh_token", "token_type")

# key -> (validator, description for error messages)
BEHAVIOUR_TYPES = {
    "deny": (_is_bool, "a boolean"),
    "token_status": (_is_opt_int, "an integer or null"),
    "token_invalid_json": (_is_bool, "a boolean"),
    "slow": (_is_opt_number, "a non-negative number or null"),
    "expires_in": (_is_opt_int, "an integer or null"),
    "scope_field": (lambda v: v in ("scopes", "scope", "both"),
                    'one of "scopes", "scope", "both"'),
    "long_refresh": (_is_bool, "a boolean"),
    "no_username": (_is_bool, "a boolean"),
    "api_tokens": (lambda v: isinstance(v, list)
                   and all(isinstance(x, str) for x in v),
                   "a list of strings"),
    "dc_redirect": (lambda v: isinstance(v, str), "a string"),
    "user_status": (_is_opt_int, "an integer or null"),
    "code_ttl": (_is_opt_number, "a non-negative number or null"),
    "cloud_scopes": (lambda v: isinstance(v, str), "a string"),
    "token_body": (lambda v: v is None or v in BROKEN_BODIES,
                   "null or one of " + ", ".join(BROKEN_BODIES)),
    "identity_body": (lambda v: v is None or v in BROKEN_BODIES,
                      "null or one of " + ", ".join(BROKEN_BODIES)),
    "hang": (lambda v: isinstance(v, list) and all(x in HANG_ENDPOINTS for x in v),
             "a list of " + ", ".join(HANG_ENDPOINTS)),
    # Fields the token answer leaves out, and what it says instead of the usual.
    "omit": (lambda v: isinstance(v, list) and all(x in OMITTABLE for x in v),
             "a list of " + ", ".join(OMITTABLE)),
    "token_type": (lambda v: v is None or isinstance(v, str), "a string or null"),
    "token_suffix": (lambda v: isinstance(v, str), "a string"),
    # The authorization code the next approved authorize issues (then back to random ones),
    # for tests that look for the code in memory: unreserved URL characters only, so that it
    # reads the same encoded in the redirect.
    "next_code": (lambda v: v is None or (isinstance(v, str) and bool(CODE_RE.fullmatch(v))),
                  "null or 8 to 128 characters of A-Z a-z 0-9 - . _ ~"),
}


def b64url_sha256(text):
    digest = hashlib.sha256(text.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def ct_equal(a, b):
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def log(msg):
    try:
        sys.stderr.write("fake_bitbucket: %s\n" % msg)
        sys.stderr.flush()
    except Exception:
        pass


class State:
    """Everything the fake remembers; every access holds self.lock."""

    def __init__(self, client_id, client_secret, cloud_callback, dc_redirect):
        self.lock = threading.Lock()
        self.client_id = client_id
        self.client_secret = client_secret
        self.cloud_callback = cloud_callback
        self.default_dc_redirect = dc_redirect
        self.reset_locked()

    def default_behaviours(self):
        return {
            "deny": False,
            "token_status": None,
            "token_invalid_json": False,
            "slow": None,
            "expires_in": None,
            "scope_field": "scopes",
            "long_refresh": False,
            "no_username": False,
            "api_tokens": [],
            "dc_redirect": self.default_dc_redirect,
            "user_status": None,
            "code_ttl": None,
            "cloud_scopes": DEFAULT_CLOUD_SCOPES,
            "token_body": None,
            "identity_body": None,
            "hang": [],
            "omit": [],
            "token_type": None,
            "token_suffix": "",
            "next_code": None,
        }

    def reset_locked(self):
        self.behaviours = self.default_behaviours()
        self.counters = {name: 0 for name in COUNTER_NAMES}
        self.codes = {}          # code -> record
        self.access_tokens = {}  # token -> record
        self.refresh_tokens = {}  # token -> record
        self.rotated = set()      # sha256 of refresh tokens spent by a refresh
        self.exchanged = {}       # user -> codes exchanged for tokens

    def count(self, name):
        with self.lock:
            self.counters[name] += 1

    def behaviour(self, name):
        with self.lock:
            return copy.deepcopy(self.behaviours[name])

    def snapshot_behaviours(self):
        with self.lock:
            return copy.deepcopy(self.behaviours)

    def new_pair_locked(self, flavour, client_id, scopes, user=DEFAULT_USER):
        """Issue an access/refresh pair. Caller holds the lock."""
        b = self.behaviours
        if b["expires_in"] is not None:
            expires_in = b["expires_in"]
        else:
            expires_in = DEFAULT_CLOUD_EXPIRES if flavour == CLOUD else DEFAULT_DC_EXPIRES
        access = "at-" + secrets.token_urlsafe(32) + b["token_suffix"]
        if b["long_refresh"]:
            refresh = "rt-" + secrets.token_urlsafe(LONG_REFRESH_LEN)
            refresh = refresh[:LONG_REFRESH_LEN]
        else:
            refresh = "rt-" + secrets.token_urlsafe(32)
        self.access_tokens[access] = {
            "flavour": flavour,
            "client_id": client_id,
            "scopes": list(scopes),
            "expires_at": time.monotonic() + expires_in,
            "expired": False,
            "user": user,
        }
        self.refresh_tokens[refresh] = {
            "flavour": flavour,
            "client_id": client_id,
            "scopes": list(scopes),
            "access_token": access,
            "user": user,
        }
        return access, refresh, expires_in

    def token_user(self, token):
        """Whose token this is (alice for anything not issued by a login)."""
        with self.lock:
            rec = self.access_tokens.get(token)
            return rec["user"] if rec is not None else DEFAULT_USER

    def access_token_status(self, token, flavour):
        """Return "ok", "expired" or "invalid" for a bearer token."""
        with self.lock:
            rec = self.access_tokens.get(token)
            if rec is None or rec["flavour"] != flavour:
                return "invalid", None
            if rec["expired"] or time.monotonic() >= rec["expires_at"]:
                return "expired", None
            return "ok", list(rec["scopes"])

    def is_api_token(self, token):
        with self.lock:
            return any(ct_equal(token, t) for t in self.behaviours["api_tokens"])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-bitbucket/1.0"
    sys_version = ""

    # ---- logging: method and path only ------------------------------------

    def log_message(self, format, *args):  # noqa: A002 - silence the default
        pass

    def log_request(self, code="-", size="-"):
        pass

    def _log(self, status):
        method = getattr(self, "command", None) or "-"
        try:
            path = urllib.parse.urlsplit(getattr(self, "path", "") or "").path
        except ValueError:
            path = ""
        log("%s %s -> %s" % (method, path or "-", status))

    # ---- response helpers -------------------------------------------------

    def _send(self, status, body=b"", content_type=None, headers=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response_only(status)
        self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or []):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()
        self._log(status)

    def _json(self, status, obj, headers=None):
        body = json.dumps(obj, separators=(",", ":")).encode("utf-8")
        self._send(status, body, "application/json;charset=UTF-8", headers)

    def _html(self, status, title, message, headers=None):
        body = ("<!DOCTYPE html>\n<html><head><title>%s</title></head>"
                "<body><h1>%s</h1><p>%s</p></body></html>\n"
                % (html.escape(title), html.escape(title), html.escape(message)))
        self._send(status, body, "text/html; charset=utf-8", headers)

    def _oauth_error(self, status, error, description, headers=None):
        extra = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
        extra.extend(headers or [])
        self._json(status, {"error": error, "error_description": description}, extra)

    def _redirect(self, location):
        self._send(302, b"", None, [("Location", location)])

    def version_string(self):
        return self.server_version

    def send_error(self, code, message=None, explain=None):
        # Used by the base class for malformed requests: always answer with
        # an HTTP/1.1 status line and Content-Length, and never echo the
        # request line back.
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.1"
        try:
            self._html(code, "Error %d" % code,
                       self.responses.get(code, ("Error",))[0])
        except Exception:
            pass

    # ---- request helpers --------------------------------------------------

    @property
    def state(self):
        return self.server.fake_state

    def _split(self):
        parts = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        return parts.path, {k: v[0] for k, v in query.items()}

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            return b""
        return self.rfile.read(n) if n > 0 else b""

    def _hang_if_told(self, endpoint):
        """Accept the request and never answer, until the client gives up."""
        if endpoint not in self.state.behaviour("hang"):
            return False
        import select
        deadline = time.monotonic() + HANG_LIMIT
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.5)
            if readable:
                try:
                    if not self.connection.recv(1, 0x2):  # MSG_PEEK: closed
                        break
                except OSError:
                    break
                except ValueError:  # TLS cannot peek: just wait
                    time.sleep(0.5)
        self.close_connection = True
        log("%s hung up" % endpoint)
        return True

    def _broken(self, kind, good):
        """Answer 200 with a broken body of the given kind; good is what a
        working server would send, for missing_fields and wrong_types."""
        ctype = "application/json;charset=UTF-8"
        if kind == "html":
            body = ("<!DOCTYPE html><html><head><title>Sign in</title></head>"
                    "<body><h1>Log in to continue</h1></body></html>\n")
            ctype = "text/html; charset=utf-8"
        elif kind == "truncated":
            body = json.dumps(good)[:25]
        elif kind == "huge":
            body = '{"padding":"' + "a" * HUGE_BODY_BYTES + '"}'
        elif kind == "missing_fields":
            body = "{}"
        elif kind == "wrong_types":
            body = json.dumps({k: [v] for k, v in good.items()})
        else:  # empty
            body = ""
        return self._send(200, body, ctype, [("Cache-Control", "no-store")])

    def _sleep_if_slow(self):
        slow = self.state.behaviour("slow")
        if slow:
            time.sleep(float(slow))

    def _bearer(self, case_sensitive):
        """Return the bearer token, or None if the header is not Bearer."""
        auth = self.headers.get("Authorization")
        if not auth:
            return None
        scheme, _, rest = auth.strip().partition(" ")
        if case_sensitive:
            if scheme != "Bearer":
                return None
        elif scheme.lower() != "bearer":
            return None
        token = rest.strip()
        return token or None

    def _basic(self):
        """Return (user, password) from HTTP Basic auth, or None."""
        auth = self.headers.get("Authorization")
        if not auth:
            return None
        scheme, _, rest = auth.strip().partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
        except Exception:
            return ("", None)
        user, sep, password = decoded.partition(":")
        if not sep:
            return ("", None)
        return (user, password)

    # ---- dispatch ---------------------------------------------------------

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        try:
            self._route(method)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # never leak request data in the log
            log("internal error: %s" % type(exc).__name__)
            try:
                self._html(500, "Internal Server Error", "fake_bitbucket failed")
            except Exception:
                self.close_connection = True

    def _route(self, method):
        path, query = self._split()
        get = method in ("GET", "HEAD")

        routes = {
            CLOUD_AUTHORIZE: ("GET", lambda: self._authorize(CLOUD, query)),
            DC_AUTHORIZE: ("GET", lambda: self._authorize(DC, query)),
            CLOUD_TOKEN: ("POST", lambda: self._token(CLOUD)),
            DC_TOKEN: ("POST", lambda: self._token(DC)),
            CLOUD_USER: ("GET", self._cloud_user),
            DC_APP_PROPS: ("GET", self._dc_app_props),
            "/_control/expire": ("POST", self._control_expire),
            "/_control/reset": ("POST", self._control_reset),
            "/_control/token_state": ("POST", self._control_token_state),
            "/_stats": ("GET", self._stats),
        }
        if path == "/_control":
            if method == "POST":
                return self._control()
            if get:
                return self._json(200, self.state.snapshot_behaviours())
            return self._method_not_allowed("GET, POST")
        if path in routes:
            want, fn = routes[path]
            if (want == "GET" and get) or method == want:
                return fn()
            return self._method_not_allowed(want)
        if path.startswith(DC_USERS) and len(path) > len(DC_USERS):
            if not get:
                return self._method_not_allowed("GET")
            slug = urllib.parse.unquote(path[len(DC_USERS):])
            return self._dc_user(slug)
        if path.startswith(DC_PREFIX + "/"):
            return self._json(404, {"errors": [{
                "context": None,
                "message": "No resource found at this path.",
                "exceptionName": None}]})
        return self._json(404, {"type": "error",
                                "error": {"message": "Resource not found"}})

    def _method_not_allowed(self, allow):
        self._json(405, {"error": "method_not_allowed",
                         "error_description": "Method not allowed"},
                   [("Allow", allow)])

    # ---- authorize ----------------------------------------------------------

    def _authorize(self, flavour, q):
        st = self.state
        st.count("authorize")
        b = st.snapshot_behaviours()

        client_id = q.get("client_id")
        redirect_uri = q.get("redirect_uri")
        if not client_id or not ct_equal(client_id, st.client_id):
            return self._html(400, "Invalid client",
                              "The client_id is missing or unknown.")
        if not redirect_uri:
            return self._html(400, "Invalid redirect",
                              "The redirect_uri is missing.")
        if flavour == CLOUD:
            if not redirect_uri.startswith(st.cloud_callback):
                return self._html(400, "Invalid redirect",
                                  "The redirect_uri does not match the "
                                  "consumer's callback URL.")
        elif redirect_uri != b["dc_redirect"]:
            return self._html(400, "Invalid redirect",
                              "The redirect_uri does not match the "
                              "application link's redirect URL.")

        state_value = q.get("state")

        def back(params):
            if state_value is not None:
                params = list(params) + [("state", state_value)]
            sep = "&" if "?" in redirect_uri else "?"
            return self._redirect(redirect_uri + sep + urllib.parse.urlencode(params))

        def fail(error, description):
            return back([("error", error), ("error_description", description)])

        if q.get("response_type") != "code":
            return fail("unsupported_response_type",
                        "response_type must be code")
        if not state_value:
            return fail("invalid_request", "state is required")

        challenge = q.get("code_challenge")
        method = q.get("code_challenge_method")
        if flavour == DC:
            if not challenge:
                return fail("invalid_request", "code_challenge is required")
            if method != "S256":
                return fail("invalid_request",
                            "code_challenge_method must be S256")
        elif challenge is not None or method is not None:
            if not challenge or method != "S256":
                return fail("invalid_request",
                            "only code_challenge_method S256 is supported")

        scope = q.get("scope")
        if flavour == DC:
            requested = (scope or "").split()
            unknown = [s for s in requested if s not in DC_KNOWN_SCOPES]
            if unknown:
                return fail("invalid_scope", "Unknown scope requested")
            scopes = requested or DEFAULT_DC_SCOPES.split()
        else:
            # Cloud grants what the consumer is configured for.
            scopes = b["cloud_scopes"].split()

        user = self.headers.get(USER_HEADER) or DEFAULT_USER
        if user not in USERS:
            return self._html(400, "Unknown user", "No such user.")

        if b["deny"]:
            return fail("access_denied", "The user denied access")

        with st.lock:
            code = st.behaviours["next_code"] or secrets.token_urlsafe(20)
            st.behaviours["next_code"] = None
            st.codes[code] = {
                "flavour": flavour,
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "code_challenge": challenge,
                "scope_requested": scope,
                "scopes": scopes,
                "created": time.monotonic(),
                "user": user,
            }
        return back([("code", code)])

    # ---- token --------------------------------------------------------------

    def _token(self, flavour):
        st = self.state
        raw = self._read_body()
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        form = {}
        if ctype == "application/x-www-form-urlencoded":
            try:
                parsed = urllib.parse.parse_qs(raw.decode("utf-8"),
                                               keep_blank_values=True,
                                               strict_parsing=False)
                form = {k: v[0] for k, v in parsed.items()}
            except UnicodeDecodeError:
                form = {}
        grant = form.get("grant_type")
        if grant == "refresh_token":
            st.count("token_refresh")
        elif grant == "authorization_code":
            st.count("token_code")

        if self._hang_if_told("token"):
            return None
        self._sleep_if_slow()
        b = st.snapshot_behaviours()

        if b["token_status"]:
            status = int(b["token_status"])
            return self._html(status, "Error %d" % status,
                              "The token endpoint is not available.")

        if ctype != "application/x-www-form-urlencoded":
            what = "JSON" if ctype.endswith("json") else (ctype or "no content type")
            return self._oauth_error(
                400, "invalid_request",
                "The token request must be application/x-www-form-urlencoded, "
                "not %s" % what)

        # client authentication
        client_id = client_secret = None
        basic = self._basic()
        if flavour == CLOUD:
            if self.headers.get("Authorization"):
                if basic is None:
                    return self._invalid_client(flavour)
                client_id, client_secret = basic
            else:
                client_id = form.get("client_id")
                client_secret = form.get("client_secret")
        else:
            client_id = form.get("client_id")
            client_secret = form.get("client_secret")
        if (client_id is None or client_secret is None
                or not ct_equal(client_id, st.client_id)
                or not ct_equal(client_secret, st.client_secret)):
            return self._invalid_client(flavour)

        if b["token_invalid_json"]:
            body = b'{"access_token":"at-truncated","refresh_token":"rt-trunc'
            return self._send(200, body, "application/json;charset=UTF-8",
                              [("Cache-Control", "no-store")])

        if b["token_body"]:
            return self._broken(b["token_body"], {
                "access_token": "at-broken", "refresh_token": "rt-broken",
                "expires_in": 3600, "token_type": "bearer"})

        if not grant:
            return self._oauth_error(400, "invalid_request",
                                     "grant_type is required")
        if grant == "authorization_code":
            return self._grant_code(flavour, form, client_id)
        if grant == "refresh_token":
            return self._grant_refresh(flavour, form, client_id)
        return self._oauth_error(400, "unsupported_grant_type",
                                 "Unsupported grant_type")

    def _invalid_client(self, flavour):
        headers = []
        if flavour == CLOUD:
            headers.append(("WWW-Authenticate", 'Basic realm="Bitbucket"'))
        return self._oauth_error(401, "invalid_client",
                                 "Client credentials are missing or invalid",
                                 headers)

    def _grant_code(self, flavour, form, client_id):
        st = self.state
        code = form.get("code")
        if not code:
            return self._oauth_error(400, "invalid_request", "code is required")
        with st.lock:
            rec = st.codes.pop(code, None)  # single use, whatever happens next
            ttl = st.behaviours["code_ttl"]
            if ttl is None:
                ttl = DEFAULT_CODE_TTL
            error = None
            if rec is None or rec["flavour"] != flavour:
                error = "The authorization code is invalid or was already used"
            elif time.monotonic() - rec["created"] > ttl:
                error = "The authorization code has expired"
            elif not ct_equal(rec["client_id"], client_id):
                error = "The authorization code was issued to another client"
            elif form.get("redirect_uri") != rec["redirect_uri"]:
                error = "redirect_uri does not match the authorization request"
            elif rec["code_challenge"] is not None:
                verifier = form.get("code_verifier")
                if not verifier:
                    error = "code_verifier is required"
                elif not VERIFIER_RE.match(verifier):
                    error = "code_verifier is malformed"
                elif not ct_equal(b64url_sha256(verifier), rec["code_challenge"]):
                    error = "code_verifier does not match the code_challenge"
            if error is not None:
                result = None
            else:
                result = st.new_pair_locked(flavour, client_id, rec["scopes"], rec["user"])
                st.exchanged[rec["user"]] = st.exchanged.get(rec["user"], 0) + 1
                scopes = rec["scopes"]
                scope_field = st.behaviours["scope_field"]
        if result is None:
            return self._oauth_error(400, "invalid_grant", error)
        return self._token_ok(flavour, result, scopes, scope_field)

    def _grant_refresh(self, flavour, form, client_id):
        st = self.state
        token = form.get("refresh_token")
        if not token:
            return self._oauth_error(400, "invalid_request",
                                     "refresh_token is required")
        with st.lock:
            rec = st.refresh_tokens.get(token)
            if (rec is None or rec["flavour"] != flavour
                    or not ct_equal(rec["client_id"], client_id)):
                result = None
                if _digest(token) in st.rotated:
                    st.counters["token_refresh_reused"] += 1
            else:
                # rotate: the old refresh token and its access token die
                del st.refresh_tokens[token]
                st.rotated.add(_digest(token))
                st.access_tokens.pop(rec["access_token"], None)
                scopes = rec["scopes"]
                result = st.new_pair_locked(flavour, client_id, scopes, rec["user"])
                st.counters["token_refresh_ok"] += 1
                scope_field = st.behaviours["scope_field"]
        if result is None:
            return self._oauth_error(400, "invalid_grant",
                                     "Invalid refresh token")
        return self._token_ok(flavour, result, scopes, scope_field)

    def _token_ok(self, flavour, result, scopes, scope_field):
        access, refresh, expires_in = result
        b = self.state.snapshot_behaviours()
        body = {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": expires_in,
            "token_type": b["token_type"] if b["token_type"] is not None else "bearer",
        }
        for field in b["omit"]:
            body.pop(field, None)
        joined = " ".join(scopes)
        if flavour == CLOUD:
            if scope_field in ("scopes", "both"):
                body["scopes"] = joined
            if scope_field in ("scope", "both"):
                body["scope"] = joined
        else:
            body["scope"] = joined
        self._json(200, body, [("Cache-Control", "no-store"),
                               ("Pragma", "no-cache")])

    # ---- identity -----------------------------------------------------------

    def _cloud_error(self, status, message):
        self._json(status, {"type": "error", "error": {"message": message}})

    def _cloud_user(self):
        st = self.state
        st.count("user")
        if self._hang_if_told("identity"):
            return None
        self._sleep_if_slow()
        b = st.snapshot_behaviours()
        if b["identity_body"]:
            return self._broken(b["identity_body"], CLOUD_USER_BODY)
        if b["user_status"]:
            return self._cloud_error(int(b["user_status"]),
                                     "Something went wrong")
        headers = []
        auth = self.headers.get("Authorization")
        if not auth:
            return self._cloud_error(401, "This API is only accessible with "
                                          "the following authentication "
                                          "types: session, password, apppassword, "
                                          "api_token, oauth")
        bearer = self._bearer(case_sensitive=False)
        user = DEFAULT_USER
        if bearer is not None:
            user = st.token_user(bearer)
            status, scopes = st.access_token_status(bearer, CLOUD)
            if status == "expired":
                return self._cloud_error(401, "Access token expired.")
            if status != "ok":
                return self._cloud_error(401, "Invalid access token.")
            headers.append(("x-oauth-scopes", ", ".join(scopes)))
        else:
            basic = self._basic()
            if (basic is None or basic[1] is None or basic[0] != USER_EMAIL
                    or not st.is_api_token(basic[1])):
                return self._cloud_error(401, "Invalid credentials.")
        body = dict(USERS[user][0])
        if b["no_username"]:
            del body["username"]
        return self._json(200, body, headers)

    def _dc_error(self, status, message):
        self._json(status, {"errors": [{"context": None, "message": message,
                                        "exceptionName": None}]})

    def _dc_auth(self):
        """Return "ok", "none" (anonymous) or "bad" for a DC request."""
        bearer = self._bearer(case_sensitive=True)
        if bearer is None:
            return "none"
        if self.state.is_api_token(bearer):
            return "ok"
        status, _ = self.state.access_token_status(bearer, DC)
        return "ok" if status == "ok" else "bad"

    def _dc_user_name(self):
        """Who the request's bearer token belongs to."""
        bearer = self._bearer(case_sensitive=True)
        return self.state.token_user(bearer) if bearer else DEFAULT_USER

    def _dc_app_props(self):
        st = self.state
        st.count("app_props")
        if self._hang_if_told("identity"):
            return None
        self._sleep_if_slow()
        b = st.snapshot_behaviours()
        if b["identity_body"]:
            return self._broken(b["identity_body"], DC_APP_PROPS_BODY)
        if b["user_status"]:
            return self._dc_error(int(b["user_status"]), "Something went wrong")
        auth = self._dc_auth()
        if auth == "bad":
            return self._dc_error(401, "Authentication failed. Please check "
                                       "your credentials and try again.")
        headers = []
        if auth == "ok":
            body = USERS[self._dc_user_name()][1]
            headers = [("X-AUSERNAME", body["slug"]), ("X-AUSERID", str(body["id"]))]
        return self._json(200, DC_APP_PROPS_BODY, headers)

    def _dc_user(self, slug):
        st = self.state
        st.count("dc_user")
        self._sleep_if_slow()
        b = st.snapshot_behaviours()
        if b["user_status"]:
            return self._dc_error(int(b["user_status"]), "Something went wrong")
        auth = self._dc_auth()
        if auth != "ok":
            return self._dc_error(401, "Authentication failed. Please check "
                                       "your credentials and try again.")
        body = USERS[self._dc_user_name()][1]
        headers = [("X-AUSERNAME", body["slug"]), ("X-AUSERID", str(body["id"]))]
        known = {b[1]["slug"]: b[1] for b in USERS.values()}
        if slug not in known:
            return self._dc_error(404, "User %s does not exist." % slug)
        return self._json(200, known[slug], headers)

    # ---- control ------------------------------------------------------------

    def _control(self):
        st = self.state
        raw = self._read_body()
        try:
            update = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            return self._json(400, {"error": "body must be a JSON object"})
        if not isinstance(update, dict):
            return self._json(400, {"error": "body must be a JSON object"})
        for key, value in update.items():
            if key not in BEHAVIOUR_TYPES:
                return self._json(400, {"error": "unknown behaviour %r" % key,
                                        "known": sorted(BEHAVIOUR_TYPES)})
            check, what = BEHAVIOUR_TYPES[key]
            if not check(value):
                return self._json(400, {"error": "%s must be %s" % (key, what)})
        with st.lock:
            st.behaviours.update(copy.deepcopy(update))
            current = copy.deepcopy(st.behaviours)
        return self._json(200, current)

    def _control_expire(self):
        st = self.state
        self._read_body()
        with st.lock:
            for rec in st.access_tokens.values():
                rec["expired"] = True
            n = len(st.access_tokens)
        return self._json(200, {"expired": n})

    def _control_reset(self):
        st = self.state
        self._read_body()
        with st.lock:
            st.reset_locked()
            current = copy.deepcopy(st.behaviours)
        return self._json(200, current)

    def _control_token_state(self):
        st = self.state
        raw = self._read_body()
        try:
            query = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            query = None
        if not isinstance(query, dict):
            return self._json(400, {"error": "body must be a JSON object"})
        access = query.get("access_token") or ""
        refresh = query.get("refresh_token") or ""
        with st.lock:
            rec = st.access_tokens.get(access)
            if rec is None:
                a = "unknown"
            elif rec["expired"] or time.monotonic() >= rec["expires_at"]:
                a = "expired"
            else:
                a = "live"
            rrec = st.refresh_tokens.get(refresh)
            if rrec is not None:
                r = "live"
            elif _digest(refresh) in st.rotated:
                r = "rotated"
            else:
                r = "unknown"
            pair = rrec is not None and rrec["access_token"] == access
        return self._json(200, {"access": a, "refresh": r, "pair": pair})

    def _stats(self):
        st = self.state
        with st.lock:
            stats = dict(st.counters)
            stats["current_refresh_tokens"] = len(st.refresh_tokens)
            stats["exchanged"] = dict(st.exchanged)
        return self._json(200, stats)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # The default prints a traceback that may include request data.
        log("connection error: %s" % (type(sys.exc_info()[1]).__name__,))


def _digest(token):
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class TLSServer(Server):
    """The same fake behind TLS; the handshake runs in the request's thread."""

    def __init__(self, address, handler, context):
        self.tls_context = context
        super().__init__(address, handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.tls_context.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False), addr

    def finish_request(self, request, client_address):
        try:
            request.do_handshake()
        except (OSError, ValueError) as exc:
            log("TLS handshake failed: %s" % type(exc).__name__)
            return
        super().finish_request(request, client_address)


def write_port_file(path, port):
    path = os.path.abspath(path)
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".port-", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            f.write("%d\n" % port)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Fake Bitbucket Cloud and Data Center for the bkt-auth tests.")
    ap.add_argument("--port", type=int, default=0,
                    help="port on 127.0.0.1 (default 0: ephemeral)")
    ap.add_argument("--port-file",
                    help="write the listening port here (atomically)")
    ap.add_argument("--client-id", default="test-client-id")
    ap.add_argument("--client-secret", default="test-client-secret")
    ap.add_argument("--dc-redirect", default="http://localhost:48657/callback",
                    help="the redirect URL registered on the DC application link")
    ap.add_argument("--cloud-callback", default="http://127.0.0.1",
                    help="the Cloud consumer's callback URL (prefix match)")
    ap.add_argument("--tls-cert", help="certificate (PEM) for a second, TLS listener")
    ap.add_argument("--tls-key", help="its private key (PEM)")
    ap.add_argument("--tls-port-file", help="write the TLS listener's port here")
    args = ap.parse_args(argv)

    server = Server(("127.0.0.1", args.port), Handler)
    server.fake_state = State(args.client_id, args.client_secret,
                              args.cloud_callback, args.dc_redirect)
    port = server.server_address[1]

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()

    tls_server = None
    if args.tls_cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        tls_server = TLSServer(("127.0.0.1", 0), Handler, context)
        tls_server.fake_state = server.fake_state
        threading.Thread(target=tls_server.serve_forever,
                         kwargs={"poll_interval": 0.1}, daemon=True).start()
        if args.tls_port_file:
            write_port_file(args.tls_port_file, tls_server.server_address[1])
        log("listening with TLS on 127.0.0.1:%d" % tls_server.server_address[1])

    if args.port_file:
        write_port_file(args.port_file, port)
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()
    log("listening on 127.0.0.1:%d" % port)

    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    if tls_server is not None:
        tls_server.shutdown()
        tls_server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
