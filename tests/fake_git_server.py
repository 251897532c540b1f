#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The fake Bitbucket of fake_bitbucket.py, serving git over HTTP as well.

Everything fake_bitbucket.py answers, plus git's smart HTTP protocol, run by
`git http-backend` as a CGI program, for the bare repositories under
--git-root:

    Cloud:        /<workspace>/<repo>.git/...              user x-token-auth
    Data Center:  /bitbucket/scm/<project>/<repo>.git/...  user alice

Every git request needs HTTP Basic authentication whose password is an access
token this fake issued for that platform and that is still valid (not expired,
not refused by /_control/expire), and the user name that platform expects.
Anything else gets 401 with a Basic challenge, as Bitbucket answers, so git
asks its credential helpers.

    GET /_git_stats   counts of git requests: accepted, refused (credentials
                      given but wrong), anonymous (none given)

Usage: fake_git_server.py --git-root DIR [fake_bitbucket.py options]
"""

import argparse
import os
import re
import subprocess
import sys
import threading
import urllib.parse

import fake_bitbucket as fb

GIT_PATH_RE = re.compile(
    r"^/.+\.git/(info/refs|git-upload-pack|git-receive-pack|HEAD|objects/.+)$")
CLOUD_GIT_USER = "x-token-auth"

_stats_lock = threading.Lock()
_stats = {"accepted": 0, "refused": 0, "anonymous": 0}


def _count(name):
    with _stats_lock:
        _stats[name] += 1


class GitHandler(fb.Handler):
    git_root = None

    def _route(self, method):
        path, _query = self._split()
        if path == "/_git_stats":
            with _stats_lock:
                return self._json(200, dict(_stats))
        if GIT_PATH_RE.match(path):
            return self._git(method, path)
        return super()._route(method)

    def _git_user_ok(self, flavour):
        basic = self._basic()
        if basic is None:
            return None
        user, password = basic
        if password is None:
            return False
        want = CLOUD_GIT_USER if flavour == fb.CLOUD else fb.DC_USER_BODY["slug"]
        status, _scopes = self.state.access_token_status(password, flavour)
        return status == "ok" and user == want

    def _git(self, method, path):
        body = self._read_body()
        dc = path.startswith(fb.DC_PREFIX + "/scm/")
        verdict = self._git_user_ok(fb.DC if dc else fb.CLOUD)
        if not verdict:
            _count("anonymous" if verdict is None else "refused")
            return self._send(401, b"Authentication required\n", "text/plain",
                              [("WWW-Authenticate", 'Basic realm="Bitbucket"')])
        _count("accepted")
        user = self._basic()[0]
        query = urllib.parse.urlsplit(self.path).query
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.git_root,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_PROJECT_ROOT": self.git_root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "REQUEST_METHOD": method,
            "PATH_INFO": urllib.parse.unquote(path),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": user,
            "REMOTE_ADDR": self.client_address[0],
        }
        for header, var in (("Content-Encoding", "HTTP_CONTENT_ENCODING"),
                            ("Git-Protocol", "HTTP_GIT_PROTOCOL")):
            if self.headers.get(header):
                env[var] = self.headers[header]
        try:
            cp = subprocess.run(["git", "http-backend"], input=body, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=60)
        except subprocess.TimeoutExpired:
            return self._html(500, "Internal Server Error", "git http-backend hung")
        if cp.stderr:
            fb.log("git http-backend: %s" % cp.stderr.decode("utf-8", "replace").strip())
        out = cp.stdout
        sep = out.find(b"\r\n\r\n")
        skip = 4
        if sep < 0:
            sep, skip = out.find(b"\n\n"), 2
        if sep < 0:
            return self._html(500, "Internal Server Error", "git http-backend said nothing")
        status, content_type, headers = 200, None, []
        for line in out[:sep].decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            name, value = name.strip(), value.strip()
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name.lower() == "content-type":
                content_type = value
            elif name and name.lower() not in ("content-length", "connection"):
                headers.append((name, value))
        return self._send(status, out[sep + skip:], content_type, headers)


def main(argv=None):
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--git-root", required=True)
    args, rest = ap.parse_known_args(argv)
    GitHandler.git_root = os.path.abspath(args.git_root)
    fb.Handler = GitHandler
    return fb.main(rest)


if __name__ == "__main__":
    sys.exit(main())
