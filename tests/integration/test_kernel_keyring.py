#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The kernel keyring: where a login goes when no Secret Service can be used (an SSH
session, a headless machine), how every command finds it whichever stores are reachable, and
what is said when the kernel refuses keyrings (a container sandbox) or its quota is full.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import harness
from harness import CLIENT_SECRET, CLOUD_HOST, COMMAND_TIMEOUT, DC_ENV, BktTestCase, Running

WITH_KEYRING = os.path.join(harness.TESTS_DIR, "with-keyring")
PARALLEL = 20
SHORT_LIFETIME = 3
# What the Secret Service item holds, and so all a kernel key may hold.
SECRET_FIELDS = {"access_token", "refresh_token", "client_secret", "expires_at", "issued_at"}
# Possessor: view, read, write, search, link, setattr; user: view; group and other: nothing.
KEY_PERM = 0x3f010000

REFUSED = harness.kernel_keyring_refusal()


def figure(text):
    sys.stderr.write("figure: %s\n" % text)
    sys.stderr.flush()


def expiry_words():
    """How bkt-auth names the persistent keyring's expiry: "3 days" for 259200 seconds."""
    with open("/proc/sys/kernel/keys/persistent_keyring_expiry") as f:
        seconds = int(f.read())
    if seconds >= 86400 and seconds % 86400 == 0:
        n, unit = seconds // 86400, "day"
    elif seconds >= 3600:
        n, unit = seconds // 3600, "hour"
    else:
        n, unit = max((seconds + 59) // 60, 1), "minute"
    return "%d %s%s" % (n, unit, "" if n == 1 else "s")


class KernelTestCase(BktTestCase):

    KERNEL_KEYS = True

    @classmethod
    def setUpClass(cls):
        if REFUSED is not None:
            raise harness.unittest.SkipTest(REFUSED)
        super().setUpClass()

    def key_hosts(self, config_dir=None):
        """The hosts of the kernel keys kept for config_dir."""
        prefix = harness.kernel_key_prefix(config_dir or self.config_dir)
        return {n[len(prefix):].split("#", 1)[0] for n in self.kernel_keys(config_dir)}

    def assert_no_token_in_files(self, *dirs):
        for top in (self.config_dir,) + dirs:
            for root, _dirs, files in os.walk(top):
                for name in files:
                    path = os.path.join(root, name)
                    with open(path, "rb") as f:
                        self.assert_no_token_shapes(f.read().decode("utf-8", "replace"), path)


class WithoutBus(KernelTestCase):
    """No session bus at all, as over SSH: logins go to the kernel keyring."""

    def test_login_refresh_parallel_tokens_logout(self):
        nobus = self.no_bus()
        self.fake.control(expires_in=SHORT_LIFETIME)
        out, err = self.login_cloud(env_extra=nobus)
        self.fake.control(expires_in=None)
        self.assertIn("kernel keyring of this machine", err)
        self.assertIn(expiry_words(), err)
        self.assertIn("reboot", err)
        self.assertNotIn("Secret Service", err)
        self.assertEqual(self.hosts_entries()[CLOUD_HOST]["storage"], "kernel-keyring")
        self.assertIsNone(self.keyring_secret(CLOUD_HOST), "the Secret Service got the token")
        self.assertFalse(os.path.exists(os.path.join(self.config_dir, "secrets.json")))

        # keyctl shows one key, for the user only, holding what the Secret Service item would.
        keys = self.kernel_keys()
        name = harness.kernel_key_prefix(self.config_dir) + "%s#%s" % (
            CLOUD_HOST, self.hosts_entries()[CLOUD_HOST]["account"])
        self.assertEqual(list(keys), [name])
        self.assertEqual(keys[name][1], KEY_PERM, "permissions %08x" % keys[name][1])
        first = self.kernel_secret(CLOUD_HOST)
        self.assertLessEqual(set(first), SECRET_FIELDS)
        self.assertEqual(first["client_secret"], CLIENT_SECRET)

        rc, out, err = self.run_bkt(["status", "--json"], env_extra=nobus)
        self.assertEqual(rc, 0, err)
        host = json.loads(out)["hosts"][0]
        self.assertEqual((host["storage"], host["ok"]), ("kernel-keyring", True))
        self.assertNotIn("safer_storage", host)
        rc, out, err = self.run_bkt(["status"], env_extra=nobus)
        self.assertIn("(kernel keyring)", err)
        self.assertIn(expiry_words(), err)

        # 20 token calls at once on an expired token: one refresh, rotated, one token.
        harness.wait_until(lambda: time.time() >= first["expires_at"] + 0.05,
                           timeout=SHORT_LIFETIME + 5, what="the token to expire")
        self.fake.control(slow=0.3)
        before = self.fake.stats()
        procs = [Running([self.bin, "token"], self.env(nobus)) for _ in range(PARALLEL)]
        self.procs.extend(procs)
        results = [p.finish(timeout=60) for p in procs]
        self.fake.control(slow=None)
        for rc, out, err in results:
            self.assertEqual(rc, 0, err)
            self.assertEqual(err, "")
        tokens = {out for _rc, out, _err in results}
        self.assertEqual(len(tokens), 1, "%d different tokens" % len(tokens))
        token = tokens.pop().strip()
        self.assertNotEqual(token, first["access_token"])
        self.assertEqual(self.fake.stats()["token_refresh"] - before["token_refresh"], 1)
        second = self.kernel_secret(CLOUD_HOST)
        self.assertEqual(second["access_token"], token)
        self.assertNotEqual(second["refresh_token"], first["refresh_token"])

        # refresh: rotated again, and the new pair is what the key holds.
        rc, out, err = self.run_bkt(["refresh"], env_extra=nobus)
        self.assertEqual(rc, 0, err)
        third = self.kernel_secret(CLOUD_HOST)
        self.assertNotEqual(third["refresh_token"], second["refresh_token"])
        self.assertEqual(self.fake._request("POST", "/_control/token_state",
                                            {"access_token": third["access_token"],
                                             "refresh_token": third["refresh_token"]}),
                         {"access": "live", "refresh": "live", "pair": True})
        self.assertEqual(self.token(env_extra=nobus), third["access_token"])

        # git asks: the same token.
        rc, out, err = self.run_bkt(["git-credential", "get"], env_extra=nobus,
                                    stdin="protocol=http\nhost=127.0.0.1:%d\n\n" % self.fake.port)
        self.assertEqual(rc, 0, err)
        self.assertIn("password=%s\n" % third["access_token"], out)

        self.assert_no_token_in_files(nobus["XDG_RUNTIME_DIR"])
        self.assertEqual(self.kernel_keys(), {name: keys[name]},
                         "the key was replaced rather than updated")

        rc, out, err = self.run_bkt(["logout"], env_extra=nobus)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.kernel_keys(), {}, "keyctl still shows a key after logout")
        self.assert_not_stored(CLOUD_HOST)

    def test_two_folders_never_share_a_key(self):
        nobus = self.no_bus()
        other = os.path.join(self.tmp, "other-config")
        self.addCleanup(self.clear_kernel_keys, other)
        self.login_cloud(env_extra=nobus)
        self.login_dc(env_extra=nobus)
        self.login_cloud(env_extra=dict(nobus, BKT_AUTH_CONFIG_DIR=other))
        mine = self.kernel_keys()
        self.assertEqual(self.key_hosts(), {CLOUD_HOST, self.fake.dc_host})
        self.assertEqual(self.key_hosts(other), {CLOUD_HOST})
        self.assertNotEqual(self.kernel_secret(CLOUD_HOST)["access_token"],
                            self.kernel_secret(CLOUD_HOST, other)["access_token"])
        rc, out, err = self.run_bkt(["logout", CLOUD_HOST],
                                    env_extra=dict(nobus, BKT_AUTH_CONFIG_DIR=other))
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.kernel_keys(other), {})
        self.assertEqual(set(self.kernel_keys()), set(mine))
        self.assertEqual(self.token(CLOUD_HOST, env_extra=nobus),
                         self.kernel_secret(CLOUD_HOST)["access_token"])

    def test_two_accounts_of_one_host(self):
        """Each account of a host has a key of its own, named with the account."""
        nobus = self.no_bus()
        for user in ("alice", "bob"):
            self.login_dc(env_extra=dict(nobus, FAKE_BROWSER_USER=user))
        accounts = self.hosts_accounts(self.fake.dc_host)
        ids = {a["username"]: k for k, a in accounts.items()}
        prefix = harness.kernel_key_prefix(self.config_dir) + self.fake.dc_host + "#"
        self.assertEqual(set(self.kernel_keys()), {prefix + ids["alice"], prefix + ids["bob"]})
        env = dict(DC_ENV, **nobus)
        tokens = {}
        for user in ("alice", "bob"):
            rc, out, err = self.run_bkt(["token", "-u", user], env_extra=env)
            self.assertEqual(rc, 0, err)
            tokens[user] = out.strip()
        self.assertNotEqual(tokens["alice"], tokens["bob"])
        rc, out, err = self.run_bkt(["logout", self.fake.dc_host, "-u", "alice"], env_extra=env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(set(self.kernel_keys()), {prefix + ids["bob"]})
        rc, out, err = self.run_bkt(["token", "-u", "bob"], env_extra=env)
        self.assertEqual((rc, out.strip()), (0, tokens["bob"]), err)

    def test_forgotten_after_a_reboot(self):
        """The kernel dropped the key (a reboot, days unused): log in again, says bkt-auth."""
        nobus = self.no_bus()
        self.login_cloud(env_extra=nobus)
        self.clear_kernel_keys()
        rc, out, err = self.run_bkt(["token"], env_extra=nobus)
        self.assertEqual(rc, 4, err)
        line = self.assert_one_error_line(err)
        self.assertIn("reboot", line)
        self.assertIn("bkt-auth login " + CLOUD_HOST, line)
        rc, out, err = self.run_bkt(["doctor", "--json"], env_extra=nobus)
        login = [c for c in json.loads(out)["checks"] if c["check"] == "login"][0]
        self.assertEqual(login["status"], "fail")
        self.assertIn("reboot", login["summary"])

    def test_interrupted_relogin_puts_the_login_back(self):
        """A second login stopped before its token proved itself: the first one returns,
        in the kernel keyring and in the file alike."""
        nobus = self.no_bus()
        for first_args in ((), ("--insecure-storage",)):
            with self.subTest(first=first_args):
                self.login_cloud(*first_args, env_extra=nobus)
                before = self.token(env_extra=nobus)
                hosts_before = self.hosts_json_text()
                keys_before = self.kernel_keys()
                self.fake.control(slow=1.0)
                p = self.start(self.cloud_login_args(), env_extra=nobus)
                p.wait_line(lambda l: l.startswith("Checking the stored token"),
                            what="the confirmation step")
                p.signal(signal.SIGINT)
                rc, out, err = p.finish()
                self.fake.control(slow=None)
                self.assertEqual(rc, 2, err)
                self.assertEqual(self.hosts_json_text(), hosts_before)
                self.assertEqual(self.kernel_keys(), keys_before)
                self.assertEqual(self.token(env_extra=nobus), before)
                rc, out, err = self.run_bkt(["logout"], env_extra=nobus)
                self.assertEqual(rc, 0, err)
                self.assert_not_stored(CLOUD_HOST)
                self.assertEqual(self.kernel_keys(), {})


class AcrossStores(KernelTestCase):
    """A login is found by the store that holds it, whichever stores the next command sees."""

    def test_desktop_login_over_ssh_and_back(self):
        nobus = self.no_bus()
        self.login_cloud()
        self.assertEqual(self.hosts_entries()[CLOUD_HOST]["storage"], "secret-service")
        desktop = self.keyring_secret(CLOUD_HOST)["access_token"]

        # Over SSH the desktop's keyring cannot be reached: one sentence says so and what to do.
        for args in (["token"], ["refresh"], ["logout"]):
            with self.subTest(args=args):
                rc, out, err = self.run_bkt(args, env_extra=nobus)
                self.assertEqual(rc, 1, err)
                line = self.assert_one_error_line(err)
                self.assertIn("Secret Service", line)
                self.assertIn("bkt-auth login " + CLOUD_HOST, line)
        self.assertEqual(self.hosts_entries()[CLOUD_HOST]["storage"], "secret-service")

        # A new login there goes to the kernel keyring (the desktop's item stays where it is).
        out, err = self.login_cloud(env_extra=nobus)
        self.assertIn("kernel keyring", err)
        self.assertEqual(self.hosts_entries()[CLOUD_HOST]["storage"], "kernel-keyring")
        ssh = self.token(env_extra=nobus)
        self.assertNotEqual(ssh, desktop)

        # Back at the desktop, the kernel keyring of this machine still holds it.
        self.assertEqual(self.token(), ssh)
        # Logging out there removes the login from both stores.
        rc, out, err = self.run_bkt(["logout"])
        self.assertEqual(rc, 0, err)
        self.assertIsNone(self.keyring_secret(CLOUD_HOST))
        self.assertEqual(self.kernel_keys(), {})

    def test_file_login_is_pointed_out_and_moved(self):
        nobus = self.no_bus()
        self.login_cloud("--insecure-storage", env_extra=nobus)
        secrets_path = os.path.join(self.config_dir, "secrets.json")
        for env, safer in ((nobus, "kernel-keyring"), (None, "secret-service")):
            with self.subTest(safer=safer):
                rc, out, err = self.run_bkt(["status", "--json"], env_extra=env)
                self.assertEqual(rc, 0, err)
                self.assertEqual(json.loads(out)["hosts"][0]["safer_storage"], safer)
                rc, out, err = self.run_bkt(["status"], env_extra=env)
                self.assertIn("A safer store can be used here now", err)
                self.assertIn("bkt-auth login " + CLOUD_HOST, err)
                rc, out, err = self.run_bkt(["doctor", "--json"], env_extra=env)
                storage = [c for c in json.loads(out)["checks"] if c["check"] == "storage"]
                self.assertEqual(len(storage), 1, out)
                self.assertEqual((storage[0]["status"], storage[0]["host"]), ("warn", CLOUD_HOST))
                self.assertIn("bkt-auth login " + CLOUD_HOST, storage[0]["fix"])
        # BKT_AUTH_STORAGE=file asks for the file: nothing to point out.
        rc, out, err = self.run_bkt(["status", "--json"],
                                    env_extra=dict(nobus, BKT_AUTH_STORAGE="file"))
        self.assertNotIn("safer_storage", json.loads(out)["hosts"][0])

        # A new login moves it: the file keeps no token, and nothing is pointed out.
        self.login_cloud(env_extra=nobus)
        self.assertEqual(self.hosts_entries()[CLOUD_HOST]["storage"], "kernel-keyring")
        with open(secrets_path, encoding="utf-8") as f:
            self.assertEqual(json.loads(f.read()), {})
        self.assert_no_token_in_files()
        rc, out, err = self.run_bkt(["status"], env_extra=nobus)
        self.assertNotIn("safer", err)

    def test_storage_is_chosen_by_flag_or_environment(self):
        nobus = self.no_bus()
        cases = [
            ("--storage file", ["--storage", "file"], None, "file"),
            ("--insecure-storage", ["--insecure-storage"], None, "file"),
            ("--storage kernel-keyring", ["--storage", "kernel-keyring"], None,
             "kernel-keyring"),
            ("BKT_AUTH_STORAGE", [], {"BKT_AUTH_STORAGE": "kernel-keyring"}, "kernel-keyring"),
            ("--storage over BKT_AUTH_STORAGE", ["--storage", "secret-service"],
             {"BKT_AUTH_STORAGE": "file"}, "secret-service"),
        ]
        for name, args, env, storage in cases:
            with self.subTest(name):
                rc, out, err = self.run_bkt(self.cloud_login_args("--json", *args),
                                            env_extra=env)
                self.assertEqual(rc, 0, err)
                self.assertEqual(json.loads(out)["storage"], storage)
                self.assertEqual(self.hosts_entries()[CLOUD_HOST]["storage"], storage)
                rc, out, err = self.run_bkt(["logout"])
                self.assertEqual(rc, 0, err)
                self.assert_not_stored(CLOUD_HOST)
                self.assertEqual(self.kernel_keys(), {})

        bad = [
            (["--storage", "secret-service"], nobus, "no D-Bus session bus"),
            (["--storage", "vault"], None, "unknown storage 'vault'"),
            (["--insecure-storage", "--storage", "kernel-keyring"], None, "--storage file"),
            ([], {"BKT_AUTH_STORAGE": "vault"}, "BKT_AUTH_STORAGE"),
        ]
        for args, env, words in bad:
            with self.subTest(args=args, env=env):
                rc, out, err = self.run_bkt(self.cloud_login_args(*args), env_extra=env)
                self.assertEqual(rc, 1, err)
                self.assertIn(words, self.assert_one_error_line(err))
                self.assert_not_stored(CLOUD_HOST)
                self.assertEqual(self.kernel_keys(), {})

    def run_script(self, argv, env, results):
        """Run a shell script that leaves its findings in the folder results (argv runs it
        in a session of its own); a reader of those files."""
        cp = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(cp.returncode, 0, cp.stderr.decode("utf-8", "replace"))

        def read(name):
            with open(os.path.join(results, name), encoding="utf-8") as f:
                return f.read()
        return read

    def test_locked_keyring_with_no_display(self):
        """A Secret Service whose keyring is locked, with nothing here to ask for its password,
        cannot be used: a new login goes to the kernel keyring (asked for by name, it fails
        saying why)."""
        results = os.path.join(self.tmp, "results")
        os.mkdir(results)
        script = r'''
set -u
gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
  --method org.freedesktop.Secret.Service.Lock "['/org/freedesktop/secrets/collection/login']" \
  >/dev/null || exit 5
"$BKT" login --no-interactive --json >"$R/auto.out" 2>"$R/auto.err"; echo $? >"$R/auto.rc"
"$BKT" login --no-interactive --storage secret-service >"$R/asked.out" 2>"$R/asked.err"
echo $? >"$R/asked.rc"
'''
        env = self.env(dict(R=results, BKT=self.bin, BKT_CLOUD_URL=self.fake.url,
                            BKT_CLOUD_API_URL=self.fake.url))
        read = self.run_script([WITH_KEYRING, "sh", "-c", script], env, results)

        self.assertEqual(read("auto.rc").strip(), "0", read("auto.err"))
        self.assertEqual(json.loads(read("auto.out"))["storage"], "kernel-keyring")
        self.assertEqual(read("asked.rc").strip(), "1", read("asked.err"))
        line = self.assert_one_error_line(read("asked.err"))
        self.assertIn("locked", line)
        self.assertIn("--storage kernel-keyring", line)
        self.assertEqual(self.hosts_entries()[CLOUD_HOST]["storage"], "kernel-keyring")

    def test_keyring_daemon_that_dbus_would_start(self):
        """Over SSH with a session bus, D-Bus would start GNOME Keyring with nothing unlocked
        and no display to ask on: not usable, so the login goes to the kernel keyring."""
        results = os.path.join(self.tmp, "results")
        data = os.path.join(self.tmp, "data")
        os.mkdir(results)
        os.mkdir(data)
        script = r'''
set -u
run() {
  name=$1; shift
  start=$(date +%s%N)
  "$BKT" "$@" >"$R/$name.out" 2>"$R/$name.err"; echo $? >"$R/$name.rc"
  echo $(( ($(date +%s%N) - start) / 1000000 )) >"$R/$name.ms"
}
run auto login --no-interactive --json
run asked login --no-interactive --storage secret-service
run status status --json
# The daemon D-Bus started lives on the bus: stop it before the bus goes.
pid=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets \
  2>/dev/null | sed -n 's/.*uint32 \([0-9]*\).*/\1/p')
echo "${pid:-}" >"$R/daemon"
[ -z "$pid" ] || kill "$pid"
'''
        env = self.env(dict(self.no_bus(), R=results, BKT=self.bin, XDG_DATA_HOME=data,
                            SSH_CONNECTION="192.0.2.1 50000 192.0.2.2 22"))
        read = self.run_script(["dbus-run-session", "--", "sh", "-c", script], env, results)

        self.assertEqual(read("auto.rc").strip(), "0", read("auto.err"))
        self.assertEqual(json.loads(read("auto.out"))["storage"], "kernel-keyring")
        self.assertTrue(read("daemon").strip(), "D-Bus did not start a keyring daemon")
        self.assertEqual(read("asked.rc").strip(), "1", read("asked.err"))
        self.assertIn("no default keyring", self.assert_one_error_line(read("asked.err")))
        self.assertEqual(json.loads(read("status.out"))["hosts"][0]["storage"],
                         "kernel-keyring")
        figure("a login over SSH where D-Bus would start GNOME Keyring: %s ms in all "
               "(the same login with --storage secret-service failed in %s ms)"
               % (read("auto.ms").strip(), read("asked.ms").strip()))


class QuotaFull(KernelTestCase):
    """A user's kernel keys have a small quota: a full one ends in a sentence naming it."""

    USER = 65534  # nobody

    def test_full_quota_as_another_user(self):
        if os.geteuid() != 0:
            self.skipTest("becoming another user (setpriv) needs root")
        if shutil.which("setpriv") is None:
            self.skipTest("setpriv (util-linux) is not installed")
        home = tempfile.mkdtemp(prefix="bkt-quota-")
        self.addCleanup(shutil.rmtree, home, True)
        os.chmod(home, 0o755)
        os.chown(home, self.USER, self.USER)
        config = os.path.join(home, "config")
        token_file = os.path.join(home, "token")
        token = "pat-quota-0123456789abcdefghij"
        with open(token_file, "w") as f:
            f.write(token + "\n")
        os.chown(token_file, self.USER, self.USER)
        self.fake.control(api_tokens=[token])
        # Fill the quota of the user's keys with keys in a session keyring of its own, which
        # goes away with the shell, then log in from that shell.
        script = r'''
set -u
printf '%4000s' x >"$HOME/blob"
i=0
for size in 4000 1000 250 60 15 4 1; do
  head -c "$size" "$HOME/blob" >"$HOME/part"
  while keyctl padd user "fill-$i" @s <"$HOME/part" >/dev/null 2>"$HOME/fill.err"; do
    i=$((i + 1))
  done
done
grep -q "quota" "$HOME/fill.err" || { cat "$HOME/fill.err" >&2; exit 5; }
exec "$BKT" login "$BKT_DC_URL" --kind dc --allow-http --with-token <"$HOME/token"
'''
        env = self.env(dict(DC_ENV, **self.no_bus()))
        env.update({"HOME": home, "BKT_AUTH_CONFIG_DIR": config, "BKT": self.bin,
                    "BKT_DC_URL": self.fake.dc_url, "XDG_RUNTIME_DIR": home})
        cp = subprocess.run(["setpriv", "--reuid=%d" % self.USER, "--regid=%d" % self.USER,
                             "--clear-groups", "keyctl", "session", "-", "sh", "-c", script],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=120)
        err = cp.stderr.decode("utf-8", "replace")
        self.assertNotEqual(cp.returncode, 5, "the quota could not be filled:\n" + err)
        self.assertEqual(cp.returncode, 1, err)
        line = self.assert_one_error_line(err)
        for words in ("quota", "/proc/sys/kernel/keys/maxbytes", "maxkeys", "--insecure-storage"):
            self.assertIn(words, line)
        self.assertNotIn(token, err)
        hosts = os.path.join(config, "hosts.json")
        if os.path.exists(hosts):
            with open(hosts, encoding="utf-8") as f:
                self.assertNotIn(self.fake.dc_host, f.read(),
                                 "a login was recorded without its token")


class RefusedKeyring(BktTestCase):
    """A kernel that refuses keyrings, as container sandboxes make it: a seccomp filter turns
    add_key, request_key and keyctl into EPERM."""

    def test_nowhere_safe_names_insecure_storage(self):
        wrap = self.nokeyring()
        nobus = self.no_bus()
        rc, out, err = self.run_bkt(self.cloud_login_args(), env_extra=nobus, wrap=wrap)
        self.assertEqual(rc, 1, err)
        line = self.assert_one_error_line(err)
        self.assertIn("refuses the kernel keyring", line)
        self.assertIn("--insecure-storage", line)
        self.assert_no_token_shapes(err, "login's stderr")
        self.assert_not_stored(CLOUD_HOST)
        self.assertFalse(os.path.exists(os.path.join(self.config_dir, "secrets.json")))

        rc, out, err = self.run_bkt(["doctor", "--json"], env_extra=nobus, wrap=wrap)
        self.assertEqual(rc, 1, err)
        kernel = [c for c in json.loads(out)["checks"] if c["check"] == "kernel-keyring"][0]
        self.assertEqual(kernel["status"], "fail")
        self.assertIn("--insecure-storage", kernel["fix"])

        # The file still works there, and says what it is.
        rc, out, err = self.run_bkt(self.cloud_login_args("--insecure-storage", "--json"),
                                    env_extra=nobus, wrap=wrap)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["storage"], "file")
        rc, out, err = self.run_bkt(["status", "--json"], env_extra=nobus, wrap=wrap)
        self.assertNotIn("safer_storage", json.loads(out)["hosts"][0])
        rc, out, err = self.run_bkt(["logout"], env_extra=nobus, wrap=wrap)
        self.assertEqual(rc, 0, err)

    def test_kernel_login_read_in_a_sandbox(self):
        if REFUSED is not None:
            self.skipTest(REFUSED)
        self.KERNEL_KEYS = True
        wrap = self.nokeyring()
        nobus = self.no_bus()
        self.login_cloud(env_extra=nobus)
        before = self.hosts_json_text()
        token = self.token(env_extra=nobus)
        for args in (["token"], ["refresh"], ["logout"]):
            with self.subTest(args=args):
                rc, out, err = self.run_bkt(args, env_extra=nobus, wrap=wrap)
                self.assertEqual(rc, 1, err)
                line = self.assert_one_error_line(err)
                self.assertIn("kernel keyring", line)
                self.assertIn("refuses", line)
                self.assertIn("--insecure-storage", line)
        self.assertEqual(self.hosts_json_text(), before)
        self.assertEqual(self.token(env_extra=nobus), token)


if __name__ == "__main__":
    harness.main()
