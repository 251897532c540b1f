#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for bkt, the Go Bitbucket CLI (avivsinai/bitbucket-cli 0.31), for the tests.

It reads what bkt reads, the way bkt reads it, and calls the fake Bitbucket with what it
found, so a test shows that plain `bkt` (or `bkt-auth exec -- bkt`) would work:

- the environment: BKT_TOKEN (trimmed; it bypasses the keyring), BKT_HOST (only when no
  context is active: an active context takes BKT_TOKEN to its own host), BKT_AUTH_METHOD,
  BKT_USERNAME, BKT_CONFIG_DIR (pkg/cmdutil/context.go, internal/secret/store.go);
- config.yml at $BKT_CONFIG_DIR/config.yml, else $XDG_CONFIG_HOME/bkt/config.yml, else
  ~/.config/bkt/config.yml: active_context, contexts.NAME.host, hosts.KEY.{kind, base_url,
  username, auth_method, token} (internal/config/config.go);
- the keyring (99designs/keyring's Secret Service backend): only when a display or a session
  bus is there, or over SSH only with KEYRING_BACKEND=secret-service; the collection at
  /org/freedesktop/secrets/collection/bkt, the first item of the search for
  {"profile": "host/KEY/token"}, its secret the JSON of keyring.Item, whose Data is base64;
  with auth_method oauth the token is the JSON blob's access_token, otherwise the value itself.

Commands: `bkt [-c NAME] api PATH` (GET; an absolute URL is used as it is, a path is joined
to base_url as bkt joins it) prints the response body and exits 0 on 2xx, 1 otherwise;
`bkt [-c NAME] whoami` prints JSON: the host key, base URL, auth method and user name it would
use, and where the token came from (never the token). Each run appends its arguments to
FAKE_BKT_LOG, so a test can tell whether it ran at all. The keyring is read through
BKT_READER (tests/bkt_reader.c).
"""

import base64
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request


class BktError(Exception):
    pass


def log_run(argv):
    path = os.environ.get("FAKE_BKT_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(argv) + "\n")


def config_path():
    base = os.environ.get("BKT_CONFIG_DIR", "")
    if not base:
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        base = os.path.join(xdg or os.path.join(os.path.expanduser("~"), ".config"), "bkt")
    return os.path.join(base, "config.yml")


def reader(*args):
    cp = subprocess.run([os.environ["BKT_READER"]] + list(args), stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    if cp.returncode != 0:
        raise BktError("reader failed: " + cp.stderr.decode("utf-8", "replace").strip())
    return json.loads(cp.stdout.decode("utf-8"))


def load_config():
    path = config_path()
    if not os.path.exists(path):
        return {"contexts": {}, "hosts": {}}
    data = reader("yaml", path) or {}
    if not isinstance(data, dict):
        raise BktError("decode config: not a mapping")
    data.setdefault("contexts", {})
    data.setdefault("hosts", {})
    return data


def parse_args(argv):
    """(-c value, the command words) from bkt's arguments."""
    context, words, i = "", [], 0
    while i < len(argv):
        a = argv[i]
        if a in ("-c", "--context"):
            context = argv[i + 1] if i + 1 < len(argv) else ""
            i += 2
            continue
        if a.startswith("--context="):
            context = a.split("=", 1)[1]
        elif a.startswith("-c") and len(a) > 2:
            context = a[2:].lstrip("=")
        else:
            words.append(a)
        i += 1
    return context, words


def env(name):
    return os.environ.get(name, "").strip()


def headless():
    """internal/secret/store.go IsHeadless, on Linux."""
    display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if os.environ.get("SSH_TTY") or os.environ.get("SSH_CLIENT") or os.environ.get(
            "SSH_CONNECTION"):
        return not display
    return not display and not os.environ.get("DBUS_SESSION_BUS_ADDRESS")


def keyring_token(key):
    backends = env("KEYRING_BACKEND").lower()
    if backends:
        secret_service = any(b.strip() in ("secret-service", "secretservice")
                             for b in backends.split(","))
    else:
        secret_service = not headless()
    if not secret_service:
        raise BktError("open keyring: the Secret Service is not among the backends")
    found = reader("item", key)
    if not found["items"]:
        raise BktError('credentials for host "%s" not found' % key)
    item = found["items"][0]  # the first item the search returns
    if "secret" not in item:
        raise BktError("the keyring item is locked")
    blob = json.loads(item["secret"])
    return base64.b64decode(blob["Data"]).decode("utf-8"), "keyring"


def host_from_env(raw):
    """hostFromEnv: (key, host) for BKT_HOST with BKT_TOKEN, or None."""
    raw, token = raw.strip(), env("BKT_TOKEN")
    if not raw or not token:
        return None
    if not raw.startswith(("http://", "https://")):
        raw = "https://" + raw
    u = urllib.parse.urlsplit(raw)
    base = urllib.parse.urlunsplit((u.scheme, u.netloc, u.path.rstrip("/"), "", "")).rstrip("/")
    cloud = (u.hostname or "").lower() in ("bitbucket.org", "api.bitbucket.org")
    if cloud:
        base = "https://api.bitbucket.org/2.0"
    key = urllib.parse.urlsplit(base).netloc
    method, user = env("BKT_AUTH_METHOD").lower(), env("BKT_USERNAME")
    if cloud:
        method = method or "basic"
        if method == "basic" and not user:
            raise BktError("BKT_USERNAME is required for Bitbucket Cloud")
    elif not method and not user:
        method = "bearer"
    return key, {"kind": "cloud" if cloud else "dc", "base_url": base, "username": user,
                 "auth_method": method, "token": token, "source": "BKT_HOST"}


def resolve(cfg, override):
    """resolveContext: (key, host) with the token loaded."""
    name = override or cfg.get("active_context") or ""
    if not name:
        found = host_from_env(os.environ.get("BKT_HOST", ""))
        if found:
            return found
        if env("BKT_TOKEN"):
            raise BktError("BKT_TOKEN is set but BKT_HOST is not")
        raise BktError("no active context")
    ctx = (cfg.get("contexts") or {}).get(name)
    if not isinstance(ctx, dict):
        raise BktError("context not found")
    key = ctx.get("host") or ""
    if not key:
        raise BktError('context "%s" has no host configured' % name)
    host = (cfg.get("hosts") or {}).get(key)
    if not isinstance(host, dict):
        raise BktError("host not found")
    host = dict(host)
    # loadHostToken
    if env("BKT_TOKEN"):
        host["token"], host["source"] = env("BKT_TOKEN"), "BKT_TOKEN"
        if env("BKT_AUTH_METHOD"):
            host["auth_method"] = env("BKT_AUTH_METHOD").lower()
        if env("BKT_USERNAME"):
            host["username"] = env("BKT_USERNAME")
        return key, host
    if host.get("token"):
        host["source"] = "config"
        return key, host
    value, host["source"] = keyring_token(key)
    if host.get("auth_method") == "oauth":
        value = json.loads(value)["access_token"]
    host["token"] = value
    return key, host


def request_url(base, path):
    if path.startswith(("http://", "https://")):
        return path
    if not path.startswith("/"):
        path = "/" + path
    b = urllib.parse.urlsplit(base)
    base_path = b.path
    if base_path and not path.startswith(base_path):
        path = base_path.rstrip("/") + path
    return urllib.parse.urlunsplit((b.scheme, b.netloc, path, "", ""))


def api(host, path):
    req = urllib.request.Request(request_url(host["base_url"], path))
    method = host.get("auth_method") or "basic"
    if method == "bearer" or method == "oauth":
        req.add_header("Authorization", "Bearer " + host["token"])
    else:
        pair = "%s:%s" % (host.get("username") or "", host["token"])
        req.add_header("Authorization", "Basic " + base64.b64encode(pair.encode()).decode())
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as resp:
            sys.stdout.write(resp.read().decode("utf-8", "replace") + "\n")
            return 0
    except urllib.error.HTTPError as e:
        with e:
            sys.stderr.write("bkt: HTTP %d\n" % e.code)
        return 1


def main(argv):
    log_run(argv)
    override, words = parse_args(argv)
    try:
        cfg = load_config()
        key, host = resolve(cfg, override)
    except BktError as e:
        sys.stderr.write("bkt: %s\n" % e)
        return 1
    if words[:1] == ["api"] and len(words) == 2:
        return api(host, words[1])
    if words == ["whoami"]:
        print(json.dumps({"host": key, "base_url": host.get("base_url"),
                          "auth_method": host.get("auth_method"),
                          "username": host.get("username") or None,
                          "source": host.get("source")}))
        return 0
    sys.stderr.write("bkt: this stand-in knows 'api PATH' and 'whoami'\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
