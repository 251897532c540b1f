#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Shared helpers for the bkt-auth end-to-end tests.

The tests run the real bkt-auth binary (BKT_AUTH_BIN) against the fake
Bitbucket in tests/fake_bitbucket.py, with tests/fake_browser.py as BROWSER,
inside the private D-Bus session and GNOME Keyring that tests/with-keyring
sets up.  Nothing here sleeps and hopes: every wait has a deadline, and every
subprocess has a timeout.
"""

import fcntl
import hashlib
import http.client
import json
import os
import queue
import re
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HERE)
FAKE_BITBUCKET = os.path.join(TESTS_DIR, "fake_bitbucket.py")
FAKE_BROWSER = os.path.join(TESTS_DIR, "fake_browser.py")

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
USER_EMAIL = "alice@example.com"
CLOUD_HOST = "bitbucket.org"

# How long one bkt-auth command may take before the test calls it hung.
COMMAND_TIMEOUT = 30.0
# How long a test waits for a line, a file or a state.
WAIT_TIMEOUT = 15.0

# Variables the child never inherits from the test's environment: each test
# sets what it needs.
STRIPPED_ENV = {
    "DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY",
    "BROWSER", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "XDG_CONFIG_HOME",
    "G_MESSAGES_DEBUG", "http_proxy", "https_proxy", "HTTP_PROXY",
    "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
}
STRIPPED_PREFIXES = ("BKT_", "FAKE_BROWSER_")

# env_extra for Data Center commands: a Data Center user has no reason to
# point BKT_CLOUD_URL anywhere.
DC_ENV = {"BKT_CLOUD_URL": None, "BKT_CLOUD_API_URL": None}

# What the fake's tokens look like, to find them where we do not know them.
TOKEN_RE = re.compile(r"\b(?:at|rt)-[A-Za-z0-9_\-]{20,}")

# tests/nokeyring: runs a command whose keyring system calls fail with EPERM.
NOKEYRING = os.environ.get("BKT_NOKEYRING", "")

# The keys of the persistent kernel keyring whose names start with $1, from a session keyring
# of their own (which possesses the persistent keyring once it is linked there): printed as
# "serial<TAB>description" lines, or with $2 = invalidate, invalidated.
_KEYCTL_KEYS = r"""
P=$(keyctl get_persistent @s) || exit 3
for k in $(keyctl rlist "$P"); do
  d=$(keyctl rdescribe "$k" 2>/dev/null) || continue
  case "$d" in
  *";$1"*)
    if [ "${2:-}" = invalidate ]; then keyctl invalidate "$k"; else printf '%s\t%s\n' "$k" "$d"; fi ;;
  esac
done
"""


def binary():
    path = os.environ.get("BKT_AUTH_BIN")
    if not path:
        raise RuntimeError("BKT_AUTH_BIN is not set: it names the bkt-auth binary to test")
    return path


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bindable(port):
    families = [(socket.AF_INET, "127.0.0.1")]
    if socket.has_ipv6:
        families.append((socket.AF_INET6, "::1"))
    for family, addr in families:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.bind((addr, port))
        except OSError as e:
            if family == socket.AF_INET6 and e.errno in (97, 99):  # no IPv6 here
                continue
            return False
    return True


def fixed_port():
    """A free port for a fixed redirect URL (the Data Center's), chosen below
    the kernel's ephemeral range so that no outgoing connection takes it
    while the tests run."""
    low = 32768
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, max(low, 20001))
        if _bindable(port):
            return port
    return free_port()


def wait_until(predicate, timeout=WAIT_TIMEOUT, what="a condition",
               interval=0.02):
    """Poll predicate until it returns a true value; fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s"
                                 % (timeout, what))
        time.sleep(interval)


def _opener():
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def http_get(url, timeout=10.0):
    """GET url without following redirects: (status, headers, body)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         NoRedirect())
    try:
        with opener.open(url, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


# ---- another user of this machine ---------------------------------------------

OTHER_USER = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]
OTHER_USER_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8",
                  "PYTHONDONTWRITEBYTECODE": "1"}


def other_user_python():
    """argv that runs python3 as user nobody, or (None, why not)."""
    if os.geteuid() != 0:
        return None, "the tests do not run as root, so they cannot act as another user"
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None, "setpriv (util-linux) is not installed"
    tried = []
    for python in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if not python or python in tried:
            continue
        tried.append(python)
        argv = [setpriv] + OTHER_USER + [python]
        try:
            cp = subprocess.run(argv + ["-c", "import json, socket, urllib.request"],
                                env=OTHER_USER_ENV, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=COMMAND_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if cp.returncode == 0:
            return argv, None
    return None, "no python3 that user nobody may run (tried %s)" % ", ".join(tried)


# ---- the fake Bitbucket ------------------------------------------------------

class FakeBitbucket:
    """tests/fake_bitbucket.py in a subprocess, and a client for its controls."""

    def __init__(self, dc_redirect=None, program=FAKE_BITBUCKET, extra_args=(),
                 client_id=CLIENT_ID, client_secret=CLIENT_SECRET):
        self.dir = tempfile.mkdtemp(prefix="bkt-fake-")
        self.redirect_port = fixed_port()
        self.dc_redirect = dc_redirect or (
            "http://localhost:%d/callback" % self.redirect_port)
        port_file = os.path.join(self.dir, "port")
        self.log_path = os.path.join(self.dir, "fake.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, program, "--port-file", port_file,
             "--dc-redirect", self.dc_redirect,
             "--client-id", client_id, "--client-secret", client_secret]
            + list(extra_args),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self._log, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))

        def port_ready():
            if self.proc.poll() is not None:
                raise AssertionError("the fake Bitbucket exited with %d:\n%s"
                                     % (self.proc.returncode, self.log()))
            try:
                with open(port_file) as f:
                    text = f.read().strip()
            except FileNotFoundError:
                return None
            return int(text) if text else None

        try:
            self.port = wait_until(port_ready, what="the fake Bitbucket's port")
        except BaseException:
            self.stop()
            raise
        self.url = "http://127.0.0.1:%d" % self.port
        self.dc_url = self.url + "/bitbucket"
        self.dc_host = "127.0.0.1:%d/bitbucket" % self.port

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with _opener().open(req, timeout=10) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def control(self, **behaviours):
        return self._request("POST", "/_control", behaviours)

    def expire(self):
        return self._request("POST", "/_control/expire", {})

    def reset(self):
        return self._request("POST", "/_control/reset", {})

    def stats(self):
        return self._request("GET", "/_stats")


class LockHolder:
    """The lock of a configuration directory, held by this (another) process."""

    def __init__(self, config_dir):
        os.makedirs(config_dir, mode=0o700, exist_ok=True)
        self.f = open(os.path.join(config_dir, "lock"), "a+")
        os.chmod(self.f.name, 0o600)
        fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self):
        if self.f is not None:
            fcntl.flock(self.f, fcntl.LOCK_UN)
            self.f.close()
            self.f = None


def run(argv, env, stdin=None, timeout=COMMAND_TIMEOUT):
    """Run a command to the end: (returncode, stdout, stderr) as text.

    stdin is a string to feed, or None for /dev/null."""
    try:
        cp = subprocess.run(
            argv, env=env,
            input=None if stdin is None else stdin.encode("utf-8"),
            stdin=subprocess.DEVNULL if stdin is None else None,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("%s did not finish within %.0f s:\n%s"
                             % (" ".join(argv[1:2]), timeout,
                                (e.stderr or b"").decode("utf-8", "replace")))
    return (cp.returncode, cp.stdout.decode("utf-8", errors="replace"),
            cp.stderr.decode("utf-8", errors="replace"))


def keyctl_script(script, *args, env=None):
    """Run a shell script in a new session keyring: (returncode, stdout, stderr)."""
    return run(["keyctl", "session", "-", "sh", "-c", script, "sh"] + list(args),
               env if env is not None else dict(os.environ))


def kernel_keyring_refusal():
    """Why the persistent kernel keyring cannot keep a key here, or None when it can."""
    if shutil.which("keyctl") is None:
        return "keyctl is not installed (scripts/install-deps installs keyutils)"
    rc, out, err = keyctl_script(
        'P=$(keyctl get_persistent @s) && k=$(printf x | keyctl padd user bkt-auth-probe "$P")'
        ' && keyctl invalidate "$k"')
    if rc != 0:
        return "the kernel refuses the persistent keyring here: " + (err.strip() or "rc %d" % rc)
    return None


def kernel_key_prefix(config_dir):
    """What the names of bkt-auth's kernel keys start with for config_dir."""
    mark = hashlib.sha256(os.path.realpath(config_dir).encode("utf-8")).hexdigest()[:16]
    return "bkt-auth:%s:" % mark


# ---- a running bkt-auth --------------------------------------------------------

_EOF = object()


class Running:
    """bkt-auth started with Popen; stderr is read line by line by a thread."""

    def __init__(self, argv, env, cwd=None):
        self.argv = argv
        self.proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.pid = self.proc.pid
        self.lines = queue.Queue()
        self.stderr_lines = []
        self._stdout = []
        self._lock = threading.Lock()
        self._err_thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._out_thread = threading.Thread(target=self._read_stdout, daemon=True)
        self._err_thread.start()
        self._out_thread.start()
        self.result = None

    def _read_stderr(self):
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            with self._lock:
                self.stderr_lines.append(line)
            self.lines.put(line)
        self.lines.put(_EOF)

    def _read_stdout(self):
        for chunk in iter(lambda: self.proc.stdout.read(4096), b""):
            self._stdout.append(chunk)

    def stderr_so_far(self):
        with self._lock:
            return "\n".join(self.stderr_lines)

    def wait_line(self, predicate, timeout=WAIT_TIMEOUT, what="a line"):
        """Read stderr lines until predicate(line) is true; return that line."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out after %.1f s waiting for %s on "
                                     "bkt-auth's stderr:\n%s"
                                     % (timeout, what, self.stderr_so_far()))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is _EOF:
                self.lines.put(_EOF)  # later waits see the end too
                rc = self.proc.wait(timeout=COMMAND_TIMEOUT)
                raise AssertionError("bkt-auth exited (%d) before %s:\n%s"
                                     % (rc, what, self.stderr_so_far()))
            if predicate(line):
                return line

    def send(self, text):
        if not text.endswith("\n"):
            text += "\n"
        self.proc.stdin.write(text.encode("utf-8"))
        self.proc.stdin.flush()

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def signal(self, signum):
        self.proc.send_signal(signum)

    def running(self):
        return self.proc.poll() is None

    def finish(self, timeout=COMMAND_TIMEOUT):
        """Wait for the exit: (returncode, stdout, stderr)."""
        if self.result is not None:
            return self.result
        self.close_stdin()
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("bkt-auth did not exit within %.0f s:\n%s"
                                 % (timeout, self.stderr_so_far()))
        self._err_thread.join(timeout=10)
        self._out_thread.join(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()
        out = b"".join(self._stdout).decode("utf-8", errors="replace")
        self.result = (rc, out, self.stderr_so_far() + ("\n" if self.stderr_lines else ""))
        return self.result

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.close_stdin()


# ---- the test case base class ------------------------------------------------

class BktTestCase(unittest.TestCase):
    """One fake Bitbucket per test class; a fresh config dir per test."""

    fake = None
    # The fake to start (a program taking fake_bitbucket.py's options) and more options for it.
    FAKE_PROGRAM = FAKE_BITBUCKET
    FAKE_ARGS = ()
    # Applied to every child's environment before a call's own env_extra.
    ENV_EXTRA = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bin = binary()
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            raise RuntimeError("no D-Bus session: run the tests under tests/with-keyring")
        cls.fake = FakeBitbucket(program=cls.FAKE_PROGRAM, extra_args=cls.FAKE_ARGS)

    @classmethod
    def tearDownClass(cls):
        if cls.fake is not None:
            cls.fake.stop()
            cls.fake = None
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.tmp = tempfile.mkdtemp(prefix="bkt-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        # Not created here: bkt-auth creates it (and must make it 0700).
        self.config_dir = os.path.join(self.tmp, "config")
        self.browser_log = os.path.join(self.tmp, "browser.log")
        self.browser_page = os.path.join(self.tmp, "browser-page.html")
        self.secret_file = os.path.join(self.tmp, "dc.secret")
        with open(self.secret_file, "w") as f:
            f.write(CLIENT_SECRET + "\n")
        self.procs = []
        self.addCleanup(self._kill_procs)
        self.addCleanup(self.clear_keyring)
        self.addCleanup(self.clear_kernel_keys)
        self.clear_keyring()

    def _kill_procs(self):
        for p in self.procs:
            p.kill()

    # -- environment and commands --

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if k not in STRIPPED_ENV and not k.startswith(STRIPPED_PREFIXES)}
        env.update({
            "LC_ALL": "C.UTF-8",
            "TERM": "dumb",
            "NO_COLOR": "1",
            "BKT_CLOUD_URL": self.fake.url,
            "BKT_CLOUD_API_URL": self.fake.url,
            "BKT_OAUTH_CLIENT_ID": CLIENT_ID,
            "BKT_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
            "BKT_AUTH_CONFIG_DIR": self.config_dir,
            "BROWSER": FAKE_BROWSER,
            "FAKE_BROWSER_LOG": self.browser_log,
            "FAKE_BROWSER_PAGE": self.browser_page,
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        for k, v in list(self.ENV_EXTRA.items()) + list((extra or {}).items()):
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def run_bkt(self, args, stdin=None, env_extra=None, timeout=COMMAND_TIMEOUT, wrap=()):
        """Run bkt-auth to the end: (returncode, stdout, stderr); wrap is a command that
        runs it (such as nokeyring()).

        (Not called run: unittest.TestCase.run is taken.)"""
        return run(list(wrap) + [self.bin] + list(args), self.env(env_extra), stdin, timeout)

    def nokeyring(self):
        """The wrap for run_bkt that makes the kernel refuse keyrings (a container sandbox)."""
        if not NOKEYRING:
            raise RuntimeError("BKT_NOKEYRING is not set: it names tests/nokeyring")
        rc, _out, err = run([NOKEYRING, "true"], dict(os.environ))
        if rc == 77:
            self.skipTest("no seccomp filter can be made here: " + err.strip())
        self.assertEqual(rc, 0, err)
        return (NOKEYRING,)

    def keyring_daemon_pid(self):
        """The pid of the keyring daemon that owns org.freedesktop.secrets on the bus."""
        cp = subprocess.run(
            ["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
             "--object-path", "/org/freedesktop/DBus", "--method",
             "org.freedesktop.DBus.GetConnectionUnixProcessID", "org.freedesktop.secrets"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=10)
        self.assertEqual(cp.returncode, 0, cp.stderr)
        # "(uint32 1234,)"
        return int(cp.stdout.decode().strip().strip("(),").split()[-1])

    def no_bus(self):
        """env_extra for a session with no D-Bus session bus at all (as over SSH)."""
        runtime = os.path.join(self.tmp, "runtime")
        os.makedirs(runtime, 0o700, exist_ok=True)
        return {"DBUS_SESSION_BUS_ADDRESS": None, "XDG_RUNTIME_DIR": runtime}

    def start(self, args, env_extra=None):
        """Start bkt-auth in the background; it is killed in cleanup."""
        p = Running([self.bin] + list(args), self.env(env_extra))
        self.procs.append(p)
        return p

    def cloud_login_args(self, *extra):
        return ["login", "--no-interactive"] + list(extra)

    def dc_login_args(self, *extra, secret_file=None, client_id=CLIENT_ID):
        args = ["login", self.fake.dc_url, "--kind", "dc", "--allow-http"]
        if client_id is not None:
            args += ["--client-id", client_id]
        args += ["--client-secret-file", secret_file or self.secret_file,
                 "--redirect-uri", self.fake.dc_redirect, "--no-interactive"]
        return args + list(extra)

    def login_cloud(self, *extra, env_extra=None):
        rc, out, err = self.run_bkt(self.cloud_login_args(*extra), env_extra=env_extra)
        self.assertEqual(rc, 0, "cloud login failed:\n" + err)
        return out, err

    def login_dc(self, *extra, env_extra=None):
        env_extra = dict(DC_ENV, **(env_extra or {}))
        rc, out, err = self.run_bkt(self.dc_login_args(*extra), env_extra=env_extra)
        self.assertEqual(rc, 0, "DC login failed:\n" + err)
        return out, err

    def token(self, host=None, env_extra=None):
        args = ["token"] + ([host] if host else [])
        rc, out, err = self.run_bkt(args, env_extra=env_extra)
        self.assertEqual(rc, 0, "bkt-auth token failed:\n" + err)
        self.assertTrue(out.endswith("\n") and out.count("\n") == 1,
                        "token should print one line: %r" % out)
        return out.strip()

    # -- the keyring (the Secret Service of with-keyring) --

    def keyring_secret(self, host, env=None):
        """The stored secret of host as a dict, or None when there is none."""
        try:
            cp = subprocess.run(["secret-tool", "lookup", "host", host],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=COMMAND_TIMEOUT,
                                env=env)
        except subprocess.TimeoutExpired:
            raise AssertionError("secret-tool lookup hung")
        text = cp.stdout.decode("utf-8", errors="replace")
        if cp.returncode != 0 or not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            self.fail("the keyring item for %s is not a JSON object: %d characters"
                      % (host, len(text)))

    def clear_keyring(self):
        hosts = [CLOUD_HOST]
        if self.fake is not None:
            hosts.append(self.fake.dc_host)
        for host in hosts:
            subprocess.run(["secret-tool", "clear", "host", host],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=COMMAND_TIMEOUT)

    # -- the kernel keyring --

    # Set by tests that keep logins in the kernel keyring: its keys are cleared after each.
    KERNEL_KEYS = False

    def kernel_keys(self, config_dir=None):
        """name -> (serial, permissions) of bkt-auth's kernel keys for config_dir."""
        prefix = kernel_key_prefix(config_dir or self.config_dir)
        rc, out, err = keyctl_script(_KEYCTL_KEYS, prefix)
        self.assertEqual(rc, 0, "keyctl could not list the persistent keyring: " + err)
        keys = {}
        for line in out.splitlines():
            serial, desc = line.split("\t", 1)
            # "user;UID;GID;PERM;NAME"
            kind, _uid, _gid, perm, name = desc.split(";", 4)
            self.assertEqual(kind, "user", desc)
            keys[name] = (serial, int(perm, 16))
        return keys

    def kernel_key_of(self, host, config_dir=None):
        """The name of the kernel key of host's one login ("bkt-auth:MARK:HOST#ACCOUNT"), or
        None when there is none."""
        prefix = kernel_key_prefix(config_dir or self.config_dir) + host
        names = [n for n in self.kernel_keys(config_dir)
                 if n == prefix or n.startswith(prefix + "#")]
        self.assertLessEqual(len(names), 1, names)
        return names[0] if names else None

    def kernel_secret(self, host, config_dir=None):
        """What the kernel key of host holds, as a dict, or None when there is none."""
        name = self.kernel_key_of(host, config_dir)
        found = self.kernel_keys(config_dir).get(name) if name is not None else None
        if found is None:
            return None
        rc, out, err = keyctl_script('keyctl get_persistent @s >/dev/null && keyctl pipe "$1"',
                                     found[0])
        if rc != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            self.fail("the kernel key of %s is not a JSON object: %d characters"
                      % (host, len(out)))

    def clear_kernel_keys(self, config_dir=None):
        """Invalidate the kernel keys a test left for config_dir."""
        config_dir = config_dir or self.config_dir
        text = self.hosts_json_text() if config_dir == self.config_dir else None
        if not self.KERNEL_KEYS and (text is None or "kernel-keyring" not in text):
            return
        if shutil.which("keyctl") is None:
            return
        keyctl_script(_KEYCTL_KEYS, kernel_key_prefix(config_dir), "invalidate")

    # -- files --

    def hosts_json_path(self):
        return os.path.join(self.config_dir, "hosts.json")

    def hosts_json_text(self):
        try:
            with open(self.hosts_json_path(), encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def hosts_entries(self):
        """host key -> its active account's entry of hosts.json, with the host's fields and
        the account key ({} when there is no file)."""
        text = self.hosts_json_text()
        if text is None:
            return {}
        data = json.loads(text)
        hosts = data.get("hosts", data) if isinstance(data, dict) else data
        if isinstance(hosts, dict):
            return {key: dict(h["accounts"][h["active"]], host=key, kind=h["kind"],
                              base_url=h.get("base_url"), account=h["active"])
                    for key, h in hosts.items()}
        return {h.get("host"): h for h in hosts}

    def hosts_accounts(self, host):
        """The accounts of host in hosts.json: account key -> entry, with "active"."""
        text = self.hosts_json_text()
        if text is None:
            return {}
        h = json.loads(text).get("hosts", {}).get(host)
        if h is None:
            return {}
        return {k: dict(a, active=(k == h["active"])) for k, a in h["accounts"].items()}

    def config_files_text(self):
        """path -> text of every file under the config dir."""
        found = {}
        if not os.path.isdir(self.config_dir):
            return found
        for root, _dirs, files in os.walk(self.config_dir):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    found[path] = f.read().decode("utf-8", errors="replace")
        return found

    # -- assertions --

    def assert_no_secret(self, text, secrets, where="the output"):
        """None of secrets (non-empty strings) occurs in text."""
        for s in secrets:
            if not s:
                continue
            if s in text:
                self.fail("a secret (%s...) appears in %s" % (s[:6], where))

    def assert_no_token_shapes(self, text, where="the output"):
        """No string shaped like one of the fake's tokens, nor the client secret."""
        m = TOKEN_RE.search(text)
        if m:
            self.fail("a token (%s...) appears in %s" % (m.group(0)[:6], where))
        self.assert_no_secret(text, [CLIENT_SECRET], where)

    def assert_not_stored(self, host):
        """Nothing is kept for host: no keyring item, no hosts.json entry,
        no token in any file of the config dir."""
        self.assertIsNone(self.keyring_secret(host),
                          "a keyring item exists for %s" % host)
        self.assertNotIn(host, self.hosts_entries(),
                         "hosts.json has an entry for %s" % host)
        for path, text in self.config_files_text().items():
            self.assert_no_token_shapes(text, path)

    def assert_one_error_line(self, err):
        """Exactly one line starting 'bkt-auth: ' that says something."""
        lines = [l for l in err.splitlines() if l.startswith("bkt-auth: ")]
        self.assertEqual(len(lines), 1, "want one 'bkt-auth: ' line:\n" + err)
        self.assertGreater(len(lines[0]), len("bkt-auth: ") + 10, err)
        return lines[0]

    # -- browser helpers --

    def is_authorize_url(self, line):
        return (line.startswith(self.fake.url + "/")
                and "authorize?" in line and " " not in line)

    def assert_start_address(self, url, host, redirect_uri):
        """url is a local start address: the redirect's host and port, no query."""
        parts = urllib.parse.urlsplit(url)
        redirect = urllib.parse.urlsplit(redirect_uri)
        self.assertEqual((parts.scheme, parts.hostname, parts.port),
                         ("http", host, redirect.port), url)
        self.assertEqual(parts.path, "/start", url)
        self.assertEqual((parts.query, parts.fragment), ("", ""),
                         "the browser's command line carries more than an address: " + url)

    def authorize_url_behind(self, url):
        """The authorize URL that bkt-auth's start address (url) sends the browser to; url
        itself when it is an authorize URL already."""
        if self.is_authorize_url(url):
            return url
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            conn.request("GET", parts.path)
            resp = conn.getresponse()
            location = resp.getheader("Location")
        finally:
            conn.close()
        self.assertIn(resp.status, (302, 303), url)
        self.assertTrue(self.is_authorize_url(location), location)
        return location

    def authorize_url_in(self, err):
        """The authorize URL that bkt-auth showed on stderr."""
        urls = [l for l in err.splitlines() if self.is_authorize_url(l)]
        self.assertEqual(len(urls), 1, "want the authorize URL shown once:\n" + err)
        return urls[0]

    def browser_urls(self):
        try:
            with open(self.browser_log, encoding="utf-8") as f:
                return [l for l in f.read().splitlines() if l]
        except FileNotFoundError:
            return []

    def redirect_for(self, authorize_url):
        """Run the fake browser in print mode: the URL the browser ends on."""
        out = os.path.join(self.tmp, "redirect-%d.txt" % time.monotonic_ns())
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(STRIPPED_PREFIXES)}
        env.update({"FAKE_BROWSER_MODE": "print", "FAKE_BROWSER_OUT": out,
                    "PYTHONDONTWRITEBYTECODE": "1"})
        cp = subprocess.run([sys.executable, FAKE_BROWSER, authorize_url], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=COMMAND_TIMEOUT)
        self.assertEqual(cp.returncode, 0, cp.stderr.decode("utf-8", "replace"))
        with open(out, encoding="utf-8") as f:
            return f.read().strip()


def query_of(url):
    """The query parameters of url as a dict of single values."""
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    return {k: v[0] for k, v in q.items()}


def with_query(url, **changes):
    """url with some query parameters replaced."""
    parts = urllib.parse.urlsplit(url)
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    out = [(k, changes.get(k, v)) for k, v in pairs]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(out)))


def main():
    unittest.main(verbosity=2)
