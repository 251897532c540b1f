#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Benchmarks for bkt-auth; run them with bench/run, which sets up the keyring.

Measures, on this machine and in one run:
  1. 'bkt-auth token' with a valid token against 'secret-tool lookup' of the same item
     (hyperfine; instructions by callgrind; the loader's list of libraries)
  2. 'bkt-auth token' and 'bkt-auth git-credential get' with one stored account and with
     200 accounts over 50 hosts, side by side; and 'token' inside a git repository
  3. 'bkt-auth token' with a token that must be refreshed, against the same lookup, one
     plain curl request to the fake Bitbucket, and bench/floor.c (one lookup, one request)
  4. a complete line-mode login against the fake Bitbucket with the stand-in browser,
     with bkt-auth's own CPU time apart from the fake's and the browser's
  5. the wizard's time from exec to its first full frame on a pseudo-terminal
  6. the peak resident memory of each, from /usr/bin/time -v, and what is resident per
     library when each calls exit(), by gdb
See docs/BENCHMARKS.md for the methods.

Timings are medians over many runs; nothing here asserts: it prints figures and says which
targets they meet. Raw figures go to build/bench/ (or --out).
"""

import argparse
import datetime
import fcntl
import json
import os
import re
import select
import shlex
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
FAKE_BITBUCKET = os.path.join(TOP, "tests", "fake_bitbucket.py")
FAKE_BROWSER = os.path.join(TOP, "tests", "fake_browser.py")
EXPIRE_TOKEN = os.path.join(HERE, "expire-token")
BROWSER_WRAPPER = os.path.join(HERE, "browser")

CLIENT_ID = "bench0123456789abcdef0123456789ab"
CLIENT_SECRET = "bench000bench000bench000bench000bench000bench000bench000bench000"
HOST = "bitbucket.org"
ITEM = ["host", HOST, "xdg:schema", "org.bkt-auth.Credentials"]

# The wizard's first screen: its title, then its last row (the keys), drawn top to bottom.
WIZARD_TITLE = b"Welcome"
WIZARD_LAST_ROW = b"quit"

MIB = 1024.0  # ru_maxrss and /usr/bin/time report KiB

TARGETS = {
    "token_ratio": 1.25,       # token (valid) median / secret-tool lookup median
    "token_rss_mib": 8.0,
    "http_rss_mib": 14.0,      # login, refresh
    "login_own_ms": 50.0,      # bkt-auth's CPU time (user + sys) in a complete login
    "wizard_frame_ms": 100.0,  # exec to the first full frame
    "lock_cancel_ms": 500.0,   # SIGINT to exit while another process holds the store's lock
    "accounts_ratio": 1.10,    # 200 accounts over 50 hosts / one account, token and git
}

STRIPPED_ENV = {
    "DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "BROWSER",
    "LANGUAGE", "LC_ALL", "LC_MESSAGES", "XDG_CONFIG_HOME", "G_MESSAGES_DEBUG", "NO_COLOR",
    "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
    "no_proxy", "NO_PROXY", "COLUMNS", "LINES", "TMUX", "TMUX_PANE", "LD_DEBUG",
    "LD_PRELOAD", "MALLOC_ARENA_MAX",
}


def say(msg=""):
    print(msg, flush=True)


def progress(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


# ---- small helpers -----------------------------------------------------------------------

def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def run_text(argv, env=None, timeout=30):
    try:
        cp = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, timeout=timeout)
        return cp.stdout.decode("utf-8", "replace").strip() if cp.returncode == 0 else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def ms(seconds):
    return "%.1f ms" % (seconds * 1000.0)


def mib(kib):
    return "%.2f MiB" % (kib / MIB)


def parse_time_v(text):
    """The figures of GNU time -v that we use."""
    out = {}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        out["maxrss_kib"] = int(m.group(1))
    m = re.search(r"Exit status: (\d+)", text)
    if m:
        out["exit"] = int(m.group(1))
    for key, label in (("user_s", "User time"), ("sys_s", "System time")):
        m = re.search(label + r" \(seconds\): ([0-9.]+)", text)
        if m:
            out[key] = float(m.group(1))
    return out


def proc_cpu_seconds(pid):
    """utime + stime of a whole process (all threads), from /proc."""
    try:
        fields = read("/proc/%d/stat" % pid).rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (IndexError, ValueError):
        return float("nan")


class Failure(Exception):
    pass


# ---- the machine -------------------------------------------------------------------------

def describe_machine(binary):
    info = {}
    cpuinfo = read("/proc/cpuinfo")
    m = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    info["cpu"] = m.group(1).strip() if m else (os.uname().machine)
    m = re.search(r"^cpu MHz\s*:\s*([0-9.]+)", cpuinfo, re.M)
    if m:
        info["cpu"] += " at %.0f MHz" % float(m.group(1))
    info["logical_cpus"] = os.cpu_count()
    info["usable_cpus"] = len(os.sched_getaffinity(0))
    cores = set()
    phys = cid = None
    for line in cpuinfo.splitlines():
        if line.startswith("physical id"):
            phys = line.split(":", 1)[1].strip()
        elif line.startswith("core id"):
            cid = line.split(":", 1)[1].strip()
            cores.add((phys, cid))
    info["cores"] = len(cores) or info["logical_cpus"]
    info["virtual"] = bool(re.search(r"^flags\s*:.*\bhypervisor\b", cpuinfo, re.M))
    m = re.search(r"^MemTotal:\s*(\d+) kB", read("/proc/meminfo"), re.M)
    info["memory_gib"] = round(int(m.group(1)) / 1024.0 / 1024.0, 1) if m else None
    info["kernel"] = os.uname().release
    m = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', read("/etc/os-release"), re.M)
    info["os"] = m.group(1) if m else "?"
    info["debian_version"] = read("/etc/debian_version").strip()
    info["loadavg"] = " ".join(read("/proc/loadavg").split()[:3])
    versions = {}
    for pkg in ("libsecret-1-0", "libsecret-tools", "gnome-keyring", "libglib2.0-0",
                "libcurl4", "libcurl3-gnutls", "libssl3", "libgnutls30", "libncursesw6",
                "python3", "hyperfine", "time", "curl"):
        v = run_text(["dpkg-query", "-W", "-f=${Version}", pkg])
        if v:
            versions[pkg] = v
    info["packages"] = versions
    version = run_text([binary, "--version"]).splitlines()
    info["bkt_auth"] = version[0] if version else "?"
    info["bkt_auth_libraries"] = ", ".join(line.strip() for line in version[1:])
    commit = run_text(["git", "-C", TOP, "rev-parse", "--short", "HEAD"])
    if commit and run_text(["git", "-C", TOP, "status", "--porcelain", "--untracked-files=no"]):
        commit += " with local changes"
    info["commit"] = commit or "?"
    opts = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(binary))),
                        "meson-info", "intro-buildoptions.json")
    try:
        with open(opts, encoding="utf-8") as f:
            o = {x["name"]: x["value"] for x in json.load(f)}
        info["build"] = "buildtype=%s, optimization=%s, b_sanitize=%s" % (
            o.get("buildtype"), o.get("optimization"), o.get("b_sanitize"))
    except (OSError, ValueError, KeyError):
        info["build"] = "?"
    return info


def print_machine(info):
    say("Machine")
    say("  CPU      %s, %d cores, %d logical CPUs (%d usable)%s" % (
        info["cpu"], info["cores"], info["logical_cpus"], info["usable_cpus"],
        ", virtual machine" if info["virtual"] else ""))
    say("  memory   %s GiB" % info["memory_gib"])
    say("  system   %s (Debian %s), Linux %s" % (info["os"], info["debian_version"],
                                               info["kernel"]))
    say("  load     %s at the start, %s at the end (1, 5, 15 min)" % (
        info["loadavg"], info.get("loadavg_end", "?")))
    p = info["packages"]
    say("  packages " + ", ".join("%s %s" % (k, v) for k, v in p.items()))
    say("  bkt-auth %s, commit %s, %s" % (info["bkt_auth"].replace("bkt-auth ", ""),
                                         info["commit"], info["build"]))
    if info["bkt_auth_libraries"]:
        say("  runs on  %s" % info["bkt_auth_libraries"])


# ---- the world: fake Bitbucket, configuration, environment ------------------------------

class World:
    def __init__(self, binary, out):
        self.out = out
        self.dir = tempfile.mkdtemp(prefix="bkt-bench-")
        # A copy: every figure comes from one binary, whatever rebuilds the tree meanwhile.
        self.binary = os.path.join(self.dir, "bkt-auth")
        shutil.copy2(binary, self.binary)
        self.config = os.path.join(self.dir, "config")
        port_file = os.path.join(self.dir, "port")
        self.fake_log = open(os.path.join(out, "fake.log"), "wb")
        self.fake = subprocess.Popen(
            [sys.executable, FAKE_BITBUCKET, "--port-file", port_file,
             "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.fake_log,
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        deadline = time.monotonic() + 15
        while not read(port_file).strip():
            if self.fake.poll() is not None or time.monotonic() > deadline:
                raise Failure("the fake Bitbucket did not start (see %s)" % self.fake_log.name)
            time.sleep(0.02)
        self.url = "http://127.0.0.1:%d" % int(read(port_file))
        env = {k: v for k, v in os.environ.items()
               if k not in STRIPPED_ENV and not k.startswith(("BKT_", "FAKE_BROWSER_"))}
        env.update({
            "LANG": "C.UTF-8",
            "BKT_CLOUD_URL": self.url,
            "BKT_CLOUD_API_URL": self.url,
            "BKT_OAUTH_CLIENT_ID": CLIENT_ID,
            "BKT_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
            "BKT_AUTH_CONFIG_DIR": self.config,
            "BROWSER": FAKE_BROWSER,
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        self.env = env
        self.keyring_pid = self._keyring_pid()
        floor = os.environ.get("BENCH_FLOOR_BIN")
        self.floor = floor if floor and os.access(floor, os.X_OK) else None

    def _keyring_pid(self):
        text = run_text(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                         "--object-path", "/org/freedesktop/DBus", "--method",
                         "org.freedesktop.DBus.GetConnectionUnixProcessID",
                         "org.freedesktop.secrets"])
        m = re.search(r"uint32 (\d+)", text)
        return int(m.group(1)) if m else None

    def stats(self):
        import urllib.request
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.url + "/_stats", timeout=10) as r:
            return json.loads(r.read())

    def bkt(self, *args, env_extra=None, timeout=60):
        env = dict(self.env, **(env_extra or {}))
        return subprocess.run([self.binary] + list(args), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              timeout=timeout)

    def login(self):
        cp = self.bkt("login", "--no-interactive")
        if cp.returncode != 0:
            raise Failure("the login against the fake Bitbucket failed (%d): %s" % (
                cp.returncode, cp.stderr.decode("utf-8", "replace").strip()))

    def expire(self):
        subprocess.run([sys.executable, EXPIRE_TOKEN, HOST], env=self.env, check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=30)

    def close(self):
        if self.fake.poll() is None:
            self.fake.terminate()
            try:
                self.fake.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.fake.kill()
                self.fake.wait()
        self.fake_log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- measuring tools ---------------------------------------------------------------------

def hyperfine(world, name, commands, runs, warmup, rounds, env=None, cwd=None):
    """Run hyperfine over commands [(label, argv, prepare argv or None)], `rounds` times in
    alternating order so that drift of the machine does not favour one; pool the runs."""
    pooled = {label: {"times": [], "user": [], "system": []} for label, _, _ in commands}
    per_round = max(1, runs // rounds)
    for r in range(rounds):
        order = commands if r % 2 == 0 else list(reversed(commands))
        out = os.path.join(world.out, "hyperfine-%s-%d.json" % (name, r))
        argv = ["hyperfine", "-N", "--style", "none", "--warmup", str(warmup),
                "--runs", str(per_round), "--export-json", out]
        if any(p for _, _, p in order):
            for _, _, prep in order:
                argv += ["--prepare", shlex.join(prep) if prep else "true"]
        for label, cmd, _ in order:
            argv += ["-n", label, shlex.join(cmd)]
        cp = subprocess.run(argv, env=env or world.env, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800)
        if cp.returncode != 0:
            raise Failure("hyperfine failed:\n" + cp.stdout.decode("utf-8", "replace"))
        with open(out, encoding="utf-8") as f:
            for res in json.load(f)["results"]:
                p = pooled[res["command"]]
                p["times"] += res["times"]
                p["user"].append(res["user"])
                p["system"].append(res["system"])
    result = {}
    for label, _, _ in commands:
        p = pooled[label]
        t = p["times"]
        result[label] = {
            "runs": len(t),
            "median_s": median(t),
            "mean_s": statistics.fmean(t),
            "stdev_s": statistics.stdev(t) if len(t) > 1 else 0.0,
            "min_s": min(t),
            "max_s": max(t),
            "user_s": statistics.fmean(p["user"]),
            "system_s": statistics.fmean(p["system"]),
        }
    return result


def peak_rss(world, argv, runs, before=None, env=None):
    """Peak resident memory of argv, as /usr/bin/time -v reports it, over several runs."""
    values = []
    tfile = os.path.join(world.dir, "time-v")
    for _ in range(runs):
        if before is not None:
            before()
        cp = subprocess.run(["/usr/bin/time", "-v", "-o", tfile] + argv,
                            env=env or world.env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        got = parse_time_v(read(tfile))
        if cp.returncode != 0 or "maxrss_kib" not in got:
            raise Failure("%s failed under /usr/bin/time -v (%d): %s" % (
                " ".join(argv), cp.returncode, cp.stderr.decode("utf-8", "replace").strip()))
        values.append(got["maxrss_kib"])
    return {"runs": len(values), "median_kib": median(values), "max_kib": max(values),
            "min_kib": min(values)}


def instructions(world, argv, runs):
    """Instructions executed by argv and every library it runs, by callgrind: unlike time,
    the count hardly moves with the load of the machine."""
    counts = []
    for i in range(runs):
        out = os.path.join(world.dir, "callgrind.out")
        cp = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
                            + argv, env=world.env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
        m = re.search(rb"Collected : (\d+)", cp.stderr)
        if cp.returncode != 0 or not m:
            raise Failure("callgrind failed on %s" % argv[0])
        counts.append(int(m.group(1)))
    return {"runs": runs, "median": median(counts), "min": min(counts), "max": max(counts)}


def spawn_wait4(argv, env, timeout, **popen):
    """Run argv; return (exit code, wall seconds, rusage) from wait4 on it alone."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, **popen)
    timer = threading.Timer(timeout, lambda: p.kill())
    timer.start()
    try:
        _, status, ru = os.wait4(p.pid, 0)
    finally:
        timer.cancel()
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, wall, ru


# ---- the benchmarks ----------------------------------------------------------------------

def check_no_http_stack(world):
    """Which libraries 'token' and 'refresh' load, by the loader's own account."""
    cp = world.bkt("token", env_extra={"LD_DEBUG": "files"})
    err = cp.stderr.decode("utf-8", "replace")
    if cp.returncode != 0 or "libsecret" not in err:
        raise Failure("bkt-auth token failed, or LD_DEBUG printed nothing")
    token_curl = "libcurl" in err
    world.expire()
    cp = world.bkt("token", env_extra={"LD_DEBUG": "files"})
    err = cp.stderr.decode("utf-8", "replace")
    m = re.search(r"file=(libcurl[^ ]*)", err)
    return token_curl, (m.group(1) if m else None)


def bench_token(world, runs, warmup, rounds):
    lookup = ["secret-tool", "lookup"] + ITEM
    before = world.stats()
    res = hyperfine(world, "token-valid", [
        ("bkt-auth token (valid)", [world.binary, "token"], None),
        ("secret-tool lookup", lookup, None),
    ], runs, warmup, rounds)
    after = world.stats()
    if after["token_refresh"] != before["token_refresh"]:
        raise Failure("'bkt-auth token' refreshed a valid token")
    return res


def many_accounts(world, name, hosts, per_host):
    """A configuration of hosts x per_host token logins, written as bkt-auth writes it, each
    token in the keyring under its host and account. Returns (config dir, last host)."""
    config = os.path.join(world.dir, name)
    os.makedirs(config, mode=0o700)
    table = {}
    now = int(time.time())
    for h in range(hosts):
        key = "dc%02d.example.com" % h
        accounts = {}
        for a in range(per_host):
            account = str(1000 * h + a)
            accounts[account] = {"username": "user%d" % a, "auth": "token",
                                 "storage": "secret-service", "last_used": now + h}
            secret = json.dumps({"access_token": "pat-bench-%s-%s" % (h, a)})
            subprocess.run(["secret-tool", "store", "--label", "bkt-auth: %s" % key,
                            "xdg:schema", "org.bkt-auth.Credentials", "host", key,
                            "account", account], input=secret.encode(), check=True,
                           stdout=subprocess.DEVNULL, timeout=30)
        table[key] = {"kind": "dc", "base_url": "https://" + key, "active": account,
                      "accounts": accounts}
    with open(os.path.join(config, "hosts.json"), "w", encoding="utf-8") as f:
        json.dump({"version": 2, "hosts": table}, f, indent="\t", separators=(",", ":\t"))
    os.chmod(os.path.join(config, "hosts.json"), 0o600)
    return config, key


def bench_accounts(world, runs, warmup, rounds):
    """token and git-credential get with one stored account, and with 200 over 50 hosts,
    side by side in one keyring; and token inside a git repository, where the host comes from
    the remote at the price of one git."""
    one, one_host = many_accounts(world, "config-1", 1, 1)
    many, many_host = many_accounts(world, "config-200", 50, 4)
    outside = os.path.join(world.dir, "outside")
    repo = os.path.join(world.dir, "repo")
    os.makedirs(outside)
    git_env = dict(world.env, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    subprocess.run(["git", "init", "-q", repo], env=git_env, check=True, timeout=30)
    subprocess.run(["git", "-C", repo, "remote", "add", "origin",
                    "https://%s/scm/proj/repo.git" % many_host], env=git_env, check=True,
                   timeout=30)
    requests = {}
    for label, host in (("1", one_host), ("200", many_host)):
        requests[label] = os.path.join(world.dir, "request-%s" % label)
        with open(requests[label], "w", encoding="utf-8") as f:
            f.write("protocol=https\nhost=%s\n\n" % host)
    b = world.binary
    # The configuration is chosen per command with env; a wrapper keeps hyperfine's -N.
    def with_config(config, argv, stdin=None):
        cmd = "BKT_AUTH_CONFIG_DIR=%s exec %s" % (shlex.quote(config), shlex.join(argv))
        if stdin:
            cmd += " < " + shlex.quote(stdin)
        return ["sh", "-c", cmd]
    res = hyperfine(world, "accounts", [
        ("token HOST, 1 account", with_config(one, [b, "token", one_host]), None),
        ("token HOST, 200 accounts", with_config(many, [b, "token", many_host]), None),
        ("token, 200, last used", with_config(many, [b, "token"]), None),
        ("git-credential, 1", with_config(one, [b, "git-credential", "get"],
                                          requests["1"]), None),
        ("git-credential, 200", with_config(many, [b, "git-credential", "get"],
                                            requests["200"]), None),
        ("secret-tool lookup", ["sh", "-c", "exec " + shlex.join(
            ["secret-tool", "lookup", "host", many_host, "xdg:schema",
             "org.bkt-auth.Credentials"])], None),
    ], runs, warmup, rounds, env=git_env, cwd=outside)
    res.update(hyperfine(world, "accounts-repo", [
        ("token, 200, in a repo", with_config(many, [b, "token"]), None),
    ], runs, warmup, rounds, env=git_env, cwd=repo))
    # Each answer is the token of the host asked for: the figures are of right answers.
    for label, config, args, want, cwd in (
            ("1", one, ["token", one_host], "pat-bench-0-0", outside),
            ("200", many, ["token", many_host], "pat-bench-49-3", outside),
            ("last used", many, ["token"], "pat-bench-49-3", outside),
            ("repo", many, ["token"], "pat-bench-49-3", repo)):
        cp = subprocess.run([b] + args, env=dict(git_env, BKT_AUTH_CONFIG_DIR=config), cwd=cwd,
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        if cp.stdout.decode().strip() != want:
            raise Failure("token (%s) did not print the token asked for: %s" % (
                label, cp.stderr.decode("utf-8", "replace").strip()))
    return res


def floor_argv(world):
    return [world.floor, HOST, world.url + "/site/oauth2/access_token",
            CLIENT_ID + ":" + CLIENT_SECRET]


def bench_refresh(world, runs, warmup, rounds):
    lookup = ["secret-tool", "lookup"] + ITEM
    expire = [sys.executable, EXPIRE_TOKEN, HOST]
    # One plain HTTP request of the same shape: a refresh grant (with a token the fake
    # refuses, so that it rotates nothing), Basic client authentication, a JSON answer.
    curl = ["curl", "-s", "-o", "/dev/null", "--noproxy", "*", "-u",
            CLIENT_ID + ":" + CLIENT_SECRET, "-d", "grant_type=refresh_token",
            "-d", "refresh_token=bench-unknown", world.url + "/site/oauth2/access_token"]
    commands = [
        ("bkt-auth token (refresh)", [world.binary, "token"], expire),
        ("secret-tool lookup", lookup, expire),
        ("curl, one request", curl, None),
    ]
    if world.floor:
        commands.append(("floor: lookup + request", floor_argv(world), None))
    before = world.stats()
    res = hyperfine(world, "token-refresh", commands, runs, warmup, rounds)
    after = world.stats()
    did = after["token_refresh_ok"] - before["token_refresh_ok"]
    want = res["bkt-auth token (refresh)"]["runs"] + warmup * rounds
    if did != want:
        raise Failure("expected %d refreshes at the fake, saw %d" % (want, did))
    res["_refreshes"] = did
    res["_curl"] = curl
    return res


def catches_sigint(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)) != 0
    except OSError:
        pass
    return False


def bench_lock_cancel(world, runs):
    """Ctrl-C while another process holds the store's lock: from SIGINT to exit, for token
    (with a token to refresh) and refresh. The command waits on a timer and the signal pipe."""
    os.makedirs(world.config, mode=0o700, exist_ok=True)
    res = {}
    with open(os.path.join(world.config, "lock"), "a+") as lock:
        os.chmod(lock.name, 0o600)
        world.expire()
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            for name, args in (("token", ["token"]), ("refresh", ["refresh"])):
                times = []
                for _ in range(runs):
                    p = subprocess.Popen([world.binary] + args, env=world.env,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
                    deadline = time.monotonic() + 15
                    while not catches_sigint(p.pid):
                        if p.poll() is not None or time.monotonic() > deadline:
                            raise Failure("%s did not wait for the lock" % name)
                        time.sleep(0.002)
                    started = time.monotonic()
                    p.send_signal(signal.SIGINT)
                    rc = p.wait(timeout=30)
                    times.append(time.monotonic() - started)
                    if rc != 2:
                        raise Failure("%s ended with %d after Ctrl-C, not 2" % (name, rc))
                res[name] = {"runs": runs, "median_s": median(times), "max_s": max(times)}
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return res


def bench_login(world, runs, rss_runs):
    """Complete line-mode logins; bkt-auth's CPU from wait4, the others' apart."""
    rows = []
    times = os.path.join(world.dir, "browser-times")
    env = dict(world.env, BROWSER=BROWSER_WRAPPER, BENCH_BROWSER_TIMES=times)
    fake_cpu0 = proc_cpu_seconds(world.fake.pid)
    keyring_cpu0 = proc_cpu_seconds(world.keyring_pid) if world.keyring_pid else float("nan")
    for i in range(runs):
        seen = len(read(times).splitlines())
        t0 = time.time_ns()
        code, wall, ru = spawn_wait4([world.binary, "login", "--no-interactive"], env, 60,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        t1 = t0 + int(wall * 1e9)
        if code != 0:
            raise Failure("login %d failed with %d" % (i, code))
        deadline = time.monotonic() + 15
        while len(read(times).splitlines()) <= seen:  # the browser may still be exiting
            if time.monotonic() > deadline:
                raise Failure("the stand-in browser left no times")
            time.sleep(0.002)
        b_start, b_end, b_rc = (int(x) for x in read(times).splitlines()[seen].split())
        if b_rc != 0:
            raise Failure("the stand-in browser failed in login %d" % i)
        rows.append({
            "wall_s": wall,
            "cpu_s": ru.ru_utime + ru.ru_stime,
            "user_s": ru.ru_utime,
            "sys_s": ru.ru_stime,
            "maxrss_kib": ru.ru_maxrss,
            "before_browser_s": (b_start - t0) / 1e9,
            "browser_s": (b_end - b_start) / 1e9,
            "after_browser_s": max(0, t1 - b_end) / 1e9,
        })
    fake_cpu = (proc_cpu_seconds(world.fake.pid) - fake_cpu0) / runs
    keyring_cpu = ((proc_cpu_seconds(world.keyring_pid) - keyring_cpu0) / runs
                   if world.keyring_pid else float("nan"))
    rss = peak_rss(world, [world.binary, "login", "--no-interactive"], rss_runs)
    col = lambda k: [r[k] for r in rows]
    return {
        "runs": runs,
        "wall_median_s": median(col("wall_s")),
        "cpu_median_s": median(col("cpu_s")),
        "cpu_max_s": max(col("cpu_s")),
        "user_median_s": median(col("user_s")),
        "sys_median_s": median(col("sys_s")),
        "before_browser_median_s": median(col("before_browser_s")),
        "browser_median_s": median(col("browser_s")),
        "after_browser_median_s": median(col("after_browser_s")),
        "outside_browser_median_s": median([r["wall_s"] - r["browser_s"] for r in rows]),
        "fake_cpu_mean_s": fake_cpu,
        "keyring_cpu_mean_s": keyring_cpu,
        "wait4_maxrss_median_kib": median(col("maxrss_kib")),
        "rss": rss,
        "per_run": rows,
    }


def wizard_once(world, argv, timeout=15.0):
    """Start argv on a fresh 80x24 pseudo-terminal; return the seconds from just before exec
    to the first write and to the first full frame of the welcome screen."""
    config = tempfile.mkdtemp(prefix="config-", dir=world.dir)
    env = dict(world.env, TERM="xterm-256color", BKT_AUTH_CONFIG_DIR=config)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: a session of its own with the pty as controlling terminal
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            os.closerange(3, 256)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    os.close(slave)
    buf = bytearray()
    first = frame = None
    try:
        deadline = t0 + timeout
        while frame is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            now = time.perf_counter()
            if not data:
                break
            if first is None:
                first = now - t0
            buf += data
            at = buf.find(WIZARD_TITLE)
            if at >= 0 and buf.find(WIZARD_LAST_ROW, at) >= 0:
                frame = now - t0
        if frame is not None:
            os.write(master, b"q")
    finally:
        end = time.monotonic() + 5
        status = None
        while time.monotonic() < end:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            try:  # keep the pty drained so the program can finish its last writes
                if select.select([master], [], [], 0.01)[0]:
                    os.read(master, 65536)
            except OSError:
                pass
            status = None
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(master)
        shutil.rmtree(config, ignore_errors=True)
    if frame is None:
        text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]", b" ", bytes(buf))
        raise Failure("the wizard's first screen did not appear; it wrote: %r" % text[:400])
    return first, frame


def bench_wizard(world, runs, rss_runs):
    firsts, frames = [], []
    for _ in range(runs):
        first, frame = wizard_once(world, [world.binary])
        firsts.append(first)
        frames.append(frame)
    tfile = os.path.join(world.dir, "time-v-wizard")
    rss = []
    for _ in range(rss_runs):
        wizard_once(world, ["/usr/bin/time", "-v", "-o", tfile, world.binary])
        got = parse_time_v(read(tfile))
        if "maxrss_kib" not in got:
            raise Failure("no figures from /usr/bin/time -v for the wizard")
        rss.append(got["maxrss_kib"])
    return {
        "runs": runs,
        "first_write_median_s": median(firsts),
        "frame_median_s": median(frames),
        "frame_min_s": min(frames),
        "frame_max_s": max(frames),
        "rss": {"runs": len(rss), "median_kib": median(rss), "max_kib": max(rss),
                "min_kib": min(rss)},
    }


SMAPS_SCRIPT = r"""
import collections, re, sys
rss = collections.Counter()
name = None
for line in open("/proc/%s/smaps" % sys.argv[1]):
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        parts = line.split()
        name = parts[5] if len(parts) > 5 else "[anon]"
    elif line.startswith("Rss:"):
        rss[name] += int(line.split()[1])
for k, v in rss.items():
    print("SMAPS %d %s" % (v, k))
"""


def memory_map(world, argv, before=None):
    """Resident KiB per mapping (library, heap, ...) of argv when it calls exit(), by gdb."""
    if before is not None:
        before()
    script = os.path.join(world.dir, "smaps.py")
    with open(script, "w", encoding="utf-8") as f:
        f.write(SMAPS_SCRIPT)
    gdb = ["gdb", "-q", "-batch", "-nx", "-ex", "set pagination off", "-ex",
           "set breakpoint pending on", "-ex", "break exit", "-ex", "run", "-ex",
           "python gdb.execute('shell %s %s %%d' %% gdb.selected_inferior().pid)"
           % (sys.executable, script), "-ex", "kill", "--args"] + argv
    cp = subprocess.run(gdb, env=world.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, timeout=120)
    got = {}
    for line in cp.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("SMAPS "):
            _, kib, name = line.split(" ", 2)
            got[os.path.basename(name) if name.startswith("/") else name] = int(kib)
    if not got:
        raise Failure("gdb could not stop %s at exit" % argv[0])
    return got


def print_memory_maps(maps):
    """One column per command, one row per mapping, largest first."""
    labels = list(maps)
    names = sorted({n for m in maps.values() for n in m},
                   key=lambda n: -max(m.get(n, 0) for m in maps.values()))
    say("  %-30s" % "resident KiB at exit()" + "".join("%14s" % l for l in labels))
    shown = [n for n in names if max(m.get(n, 0) for m in maps.values()) >= 100]
    for n in shown:
        say("  %-30s" % n[:30] + "".join("%14s" % (maps[l].get(n, "") or "-") for l in labels))
    say("  %-30s" % "(the rest)" + "".join(
        "%14d" % sum(v for k, v in maps[l].items() if k not in shown) for l in labels))
    say("  %-30s" % "total" + "".join("%14d" % sum(maps[l].values()) for l in labels))


# ---- the report --------------------------------------------------------------------------

def row(label, r, base):
    return "  %-26s %8s %6.2fx  %7s ± %6s  %7s  %7s  %7s  %4d" % (
        label, ms(r["median_s"]), r["median_s"] / base["median_s"], ms(r["mean_s"]),
        ms(r["stdev_s"]), ms(r["min_s"]), ms(r["max_s"]), ms(r["user_s"] + r["system_s"]),
        r["runs"])


ROW_HEAD = "  %-26s %8s %7s  %16s  %7s  %7s  %7s  %4s" % (
    "", "median", "ratio", "mean ± σ", "min", "max", "CPU", "runs")


def rss_row(label, r):
    return "  %-26s %10s   max %10s  (%d runs)" % (label, mib(r["median_kib"]),
                                                    mib(r["max_kib"]), r["runs"])


def verdict(ok):
    return "met" if ok else "MISSED"


def main(argv):
    ap = argparse.ArgumentParser(description="Benchmarks for bkt-auth (run through bench/run).")
    ap.add_argument("--quick", action="store_true",
                    help="fewer runs and no memory table: a rough figure fast")
    ap.add_argument("--runs", type=int, default=None,
                    help="runs of each fast command (default 400; --quick 60)")
    ap.add_argument("--out", default=None, help="where raw figures go (default build/bench)")
    ap.add_argument("--no-memory-map", dest="memory_map", action="store_false",
                    help="skip the table, by gdb, of what is resident per library at exit()")
    args = ap.parse_args(argv[1:])

    binary = os.environ.get("BKT_AUTH_BIN") or os.path.join(TOP, "build", "src", "cli",
                                                             "bkt-auth")
    if not os.access(binary, os.X_OK):
        raise Failure("no bkt-auth binary at %s: build it first" % binary)
    for tool in ("hyperfine", "secret-tool", "curl", "gdbus"):
        if shutil.which(tool) is None:
            raise Failure("%s is not installed: run bench/run, which installs it" % tool)
    if not os.access("/usr/bin/time", os.X_OK):
        raise Failure("/usr/bin/time is not installed: run bench/run, which installs it")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        raise Failure("no session bus: run bench/run, which starts a private keyring")

    fast = args.runs or (60 if args.quick else 400)
    slow = max(10, fast // 8)        # runs that need a refresh, a login or a terminal
    rss_runs = 5 if args.quick else 15
    rounds = 2 if args.quick else 4
    warmup = 3 if args.quick else 10

    out = args.out or os.path.join(TOP, "build", "bench")
    os.makedirs(out, exist_ok=True)
    info = describe_machine(binary)
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    world = World(binary, out)
    binary = world.binary
    results = {"machine": info, "started": started}
    try:
        progress("logging in once against the fake Bitbucket at %s" % world.url)
        world.login()
        token_curl, refresh_lib = check_no_http_stack(world)
        results["http_stack"] = {"token_loads_libcurl": token_curl, "refresh_loads": refresh_lib}

        progress("token with a valid token against secret-tool lookup (%d runs each)" % fast)
        results["token"] = bench_token(world, fast, warmup, rounds)
        if shutil.which("valgrind"):
            progress("instructions of token and lookup, by callgrind")
            results["instructions"] = {
                "token": instructions(world, [binary, "token"], 1 if args.quick else 3),
                "lookup": instructions(world, ["secret-tool", "lookup"] + ITEM,
                                       1 if args.quick else 3),
            }
        progress("token and git-credential with 1 and with 200 accounts (%d runs each)" % fast)
        results["accounts"] = bench_accounts(world, fast, warmup, rounds)
        progress("token that must be refreshed (%d runs each)" % slow)
        results["refresh"] = bench_refresh(world, slow, 2, 2)
        progress("peak memory of each command (%d runs each)" % rss_runs)
        lookup = ["secret-tool", "lookup"] + ITEM
        results["rss"] = {
            "token": peak_rss(world, [binary, "token"], rss_runs),
            "lookup": peak_rss(world, lookup, rss_runs),
            "refresh": peak_rss(world, [binary, "token"], rss_runs, before=world.expire),
            "curl": peak_rss(world, results["refresh"]["_curl"], rss_runs),
        }
        if world.floor:
            results["rss"]["floor"] = peak_rss(world, floor_argv(world), rss_runs)
        progress("Ctrl-C while another process holds the lock (%d runs each)" % slow)
        results["lock_cancel"] = bench_lock_cancel(world, slow)
        world.login()
        progress("complete line-mode logins (%d runs)" % slow)
        results["login"] = bench_login(world, slow, rss_runs)
        progress("the wizard's first screen (%d runs)" % slow)
        results["wizard"] = bench_wizard(world, slow, rss_runs)
        if args.quick:
            pass  # the table of memory per library takes longer than the rest together
        elif args.memory_map and shutil.which("gdb") is None:
            progress("gdb is not installed: no table of memory per library")
        elif args.memory_map:
            progress("resident memory per library, by gdb")
            maps = {
                "token": memory_map(world, [binary, "token"]),
                "sec-tool": memory_map(world, ["/usr/bin/secret-tool", "lookup"] + ITEM),
                "refresh": memory_map(world, [binary, "token"], before=world.expire),
            }
            if world.floor:
                maps["floor"] = memory_map(world, floor_argv(world))
            maps["curl"] = memory_map(world, results["refresh"]["_curl"])
            results["memory_map"] = maps
    finally:
        world.close()

    info["loadavg_end"] = " ".join(read("/proc/loadavg").split()[:3])
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)

    # ---- print ----
    say("bkt-auth benchmarks, %s" % started)
    say()
    print_machine(info)
    say()
    tk, rf, rs = results["token"], results["refresh"], results["rss"]
    rf.pop("_curl", None)
    base = tk["secret-tool lookup"]
    say("Token hand-out, valid token (wall time; ratio of medians to secret-tool lookup;")
    say("CPU = mean user + sys)")
    say(ROW_HEAD)
    say(row("bkt-auth token", tk["bkt-auth token (valid)"], base))
    say(row("secret-tool lookup", base, base))
    if "instructions" in results:
        ins = results["instructions"]
        say("  instructions (callgrind, median of %d): bkt-auth token %.1f M, secret-tool "
            "lookup %.1f M: %.2fx" % (ins["token"]["runs"], ins["token"]["median"] / 1e6,
                                      ins["lookup"]["median"] / 1e6,
                                      ins["token"]["median"] / ins["lookup"]["median"]))
    say("  HTTP stack loaded by 'token': %s; by a refresh: %s" % (
        "yes" if results["http_stack"]["token_loads_libcurl"] else "no",
        results["http_stack"]["refresh_loads"] or "nothing"))
    say()
    ac = results["accounts"]
    abase = ac["token HOST, 1 account"]
    say("One stored account against 200 over 50 hosts (valid tokens; ratio to token HOST with")
    say("one account; each command through sh -c to set its configuration)")
    say(ROW_HEAD)
    for label in ("token HOST, 1 account", "token HOST, 200 accounts", "token, 200, last used",
                  "token, 200, in a repo", "git-credential, 1", "git-credential, 200",
                  "secret-tool lookup"):
        say(row(label, ac[label], abase))
    say()
    say("Token hand-out, token that must be refreshed at the fake (%d refreshes)"
        % rf.pop("_refreshes"))
    rbase = rf["secret-tool lookup"]
    say(ROW_HEAD)
    say(row("bkt-auth token (refresh)", rf["bkt-auth token (refresh)"], rbase))
    say(row("secret-tool lookup", rbase, rbase))
    say(row("curl, one request", rf["curl, one request"], rbase))
    if "floor: lookup + request" in rf:
        say(row("floor: lookup + request", rf["floor: lookup + request"], rbase))
    say()
    lg = results["login"]
    say("Complete line-mode login against the fake, stand-in browser (medians of %d)"
        % lg["runs"])
    say("  wall time, whole login           %9s" % ms(lg["wall_median_s"]))
    say("    start until the browser opens  %9s   (bkt-auth)" % ms(lg["before_browser_median_s"]))
    say("    stand-in browser running       %9s   (the browser, the fake's authorize, the "
        "redirect)" % ms(lg["browser_median_s"]))
    say("    browser gone until the end     %9s   (bkt-auth, the fake, the keyring, disk)"
        % ms(lg["after_browser_median_s"]))
    say("  bkt-auth CPU (user + sys)        %9s   (user %s, sys %s; max %s): its own share"
        % (ms(lg["cpu_median_s"]), ms(lg["user_median_s"]), ms(lg["sys_median_s"]),
           ms(lg["cpu_max_s"])))
    say("  wall time outside the browser    %9s   (at most bkt-auth's; includes the fake, the "
        "keyring, disk)" % ms(lg["outside_browser_median_s"]))
    say("  fake Bitbucket CPU, per login    %9s   (mean)" % ms(lg["fake_cpu_mean_s"]))
    say("  keyring daemon CPU, per login    %9s   (mean)" % ms(lg["keyring_cpu_mean_s"]))
    say()
    lc = results["lock_cancel"]
    say("Ctrl-C while another process holds the store's lock (SIGINT to exit; %d runs each)"
        % lc["token"]["runs"])
    for name in ("token", "refresh"):
        say("  bkt-auth %-23s %9s   (max %s)" % (name, ms(lc[name]["median_s"]),
                                                 ms(lc[name]["max_s"])))
    say()
    wz = results["wizard"]
    say("Wizard, exec to the first full frame on an 80x24 pseudo-terminal (%d runs)" % wz["runs"])
    say("  first full frame                 %9s   (min %s, max %s)" % (
        ms(wz["frame_median_s"]), ms(wz["frame_min_s"]), ms(wz["frame_max_s"])))
    say("  first byte written               %9s" % ms(wz["first_write_median_s"]))
    say()
    say("Peak resident memory (/usr/bin/time -v, Maximum resident set size; median)")
    say(rss_row("bkt-auth token (valid)", rs["token"]))
    say(rss_row("secret-tool lookup", rs["lookup"]))
    say(rss_row("bkt-auth token (refresh)", rs["refresh"]))
    say(rss_row("curl, one request", rs["curl"]))
    if "floor" in rs:
        say(rss_row("floor: lookup + request", rs["floor"]))
    say(rss_row("bkt-auth login", lg["rss"]))
    say(rss_row("bkt-auth wizard, 1st screen", wz["rss"]))
    say()

    if "memory_map" in results:
        say("Resident memory per mapping when exit() is called (gdb; one run each)")
        print_memory_maps(results["memory_map"])
        say()

    ratio = tk["bkt-auth token (valid)"]["median_s"] / base["median_s"]
    accounts_ratio = ac["token HOST, 200 accounts"]["median_s"] / abase["median_s"]
    git_ratio = ac["git-credential, 200"]["median_s"] / ac["git-credential, 1"]["median_s"]
    http_rss = max(rs["refresh"]["max_kib"], lg["rss"]["max_kib"]) / MIB
    checks = [
        ("token (valid): wall time within %.2fx of secret-tool lookup" % TARGETS["token_ratio"],
         "%.2fx" % ratio, ratio <= TARGETS["token_ratio"]),
        ("token (valid): peak memory under %g MiB" % TARGETS["token_rss_mib"],
         mib(rs["token"]["max_kib"]), rs["token"]["max_kib"] / MIB < TARGETS["token_rss_mib"]),
        ("token (valid): does not load the HTTP stack",
         "loads it" if results["http_stack"]["token_loads_libcurl"] else "not loaded",
         not results["http_stack"]["token_loads_libcurl"]),
        ("refresh and login: peak memory under %g MiB" % TARGETS["http_rss_mib"],
         "%.2f MiB" % http_rss, http_rss < TARGETS["http_rss_mib"]),
        ("login: bkt-auth's own share under %g ms" % TARGETS["login_own_ms"],
         ms(lg["cpu_median_s"]), lg["cpu_median_s"] * 1000 < TARGETS["login_own_ms"]),
        ("lock held: Ctrl-C ends token and refresh within %g ms" % TARGETS["lock_cancel_ms"],
         ms(max(lc["token"]["max_s"], lc["refresh"]["max_s"])),
         max(lc["token"]["max_s"], lc["refresh"]["max_s"]) * 1000 < TARGETS["lock_cancel_ms"]),
        ("200 accounts: token HOST within %.2fx of one account" % TARGETS["accounts_ratio"],
         "%.2fx" % accounts_ratio, accounts_ratio <= TARGETS["accounts_ratio"]),
        ("200 accounts: git-credential get within %.2fx of one" % TARGETS["accounts_ratio"],
         "%.2fx" % git_ratio, git_ratio <= TARGETS["accounts_ratio"]),
        ("wizard: first screen within %g ms" % TARGETS["wizard_frame_ms"],
         ms(wz["frame_median_s"]), wz["frame_median_s"] * 1000 < TARGETS["wizard_frame_ms"]),
    ]
    say("Targets (memory: the largest of all runs)")
    for what, got, ok in checks:
        say("  %-62s %12s  %s" % (what, got, verdict(ok)))
    say()
    say("Raw figures: %s" % out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (Failure, OSError, subprocess.SubprocessError) as e:
        sys.stderr.write("bench: %s\n" % e)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
