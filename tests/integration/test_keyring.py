#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Keyring trouble: no session bus, a locked collection, a keyring daemon that
never answers, a bus that never answers. Each command ends within a few
seconds with one clear sentence and a non-zero exit, never a hang, and what is
stored stays as it was.
"""

import os
import signal
import socket
import subprocess
import threading
import time

import harness
from harness import CLOUD_HOST, BktTestCase

WITH_KEYRING = os.path.join(harness.TESTS_DIR, "with-keyring")
# bkt-auth gives the Secret Service 5 seconds (store.c); a command may make one more
# quick call before it gives up, and the sanitizer build is slower.
DEADLINE = 5.0
SLACK = 4.0

COMMANDS = [
    ("token", ["token"]),
    ("refresh", ["refresh"]),
    ("status", ["status"]),
    ("status --json", ["status", "--json"]),
    ("logout", ["logout"]),
    ("login", ["login", "--no-interactive"]),
]


class KeyringTrouble(BktTestCase):

    def run_all(self, env_extra, budget, words, commands=COMMANDS):
        """Run every command; each fails in time with one sentence naming the problem."""
        timings = {}
        results = {}

        def one(name, args):
            started = time.monotonic()
            results[name] = self.run_bkt(args, env_extra=env_extra, timeout=budget + 30)
            timings[name] = time.monotonic() - started

        # All at once: each waits for the same deadline, and none changes anything.
        threads = [threading.Thread(target=one, args=c) for c in commands]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=budget + 60)
        for name, args in commands:
            with self.subTest(name):
                self.assertIn(name, results, "%s never finished" % name)
                rc, out, err = results[name]
                took = timings[name]
                self.assertNotEqual(rc, 0, "%s succeeded without a keyring:\n%s" % (name, err))
                self.assertNotEqual(rc, 4, "%s said 'not logged in' while the keyring was "
                                    "unusable:\n%s" % (name, err))
                self.assertLess(took, budget, "%s took %.1f s" % (name, took))
                said = out if "--json" in args else err
                self.assertTrue(any(w in said for w in words),
                                "%s: no word of %s in:\n%s" % (name, words, said))
                if args[0] not in ("status",):
                    line = self.assert_one_error_line(err)
                    if args[0] == "login":
                        self.assertIn("--insecure-storage", line)
                self.assert_no_token_shapes(out + err, name)
        return timings

    def stored(self):
        return (self.keyring_secret(CLOUD_HOST), self.hosts_json_text())

    def test_no_session_bus(self):
        self.login_cloud()
        before = self.stored()
        # A new login goes to the kernel keyring there (test_kernel_keyring.py): the others
        # cannot reach the login kept in the Secret Service.
        reading = [c for c in COMMANDS if c[1][0] != "login"]
        for env in ({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"},
                    {"DBUS_SESSION_BUS_ADDRESS": None, "DISPLAY": None}):
            # Without a bus there is nothing to wait for; the bound is the keyring's deadline,
            # a guard against a hang, not a speed (the figure is printed).
            timings = self.run_all(env, DEADLINE + SLACK, ["cannot use the Secret Service"],
                                   reading)
            sys_report("no session bus (%s): every command ended in %.1f-%.1f s"
                       % ("an address that leads nowhere" if env["DBUS_SESSION_BUS_ADDRESS"]
                          else "no address", min(timings.values()), max(timings.values())))
        self.assertEqual(self.stored(), before)
        self.assertEqual(self.token(), before[0]["access_token"])

    def test_bus_that_never_answers(self):
        """The bus address leads to a socket that accepts and then says nothing."""
        self.login_cloud()
        before = self.stored()
        path = os.path.join(self.tmp, "silent-bus")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(64)
        held = []
        stop = threading.Event()

        def accept():
            listener.settimeout(0.2)
            while not stop.is_set():
                try:
                    held.append(listener.accept()[0])
                except socket.timeout:
                    continue
                except OSError:
                    return

        t = threading.Thread(target=accept, daemon=True)
        t.start()

        def close():
            stop.set()
            t.join(timeout=5)
            for c in held:
                c.close()
            listener.close()

        self.addCleanup(close)
        timings = self.run_all({"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + path},
                               DEADLINE + SLACK, ["did not answer within 5 seconds"])
        sys_report("a bus that never answers: every command ended in %.1f-%.1f s"
                   % (min(timings.values()), max(timings.values())))
        self.assertEqual(self.stored(), before)

    def test_daemon_that_never_answers(self):
        """The keyring daemon owns its name on the bus but stops answering (hung)."""
        self.login_cloud()
        before = self.stored()
        pid = self.keyring_daemon_pid()
        os.kill(pid, signal.SIGSTOP)
        self.addCleanup(os.kill, pid, signal.SIGCONT)
        try:
            timings = self.run_all(None, DEADLINE + SLACK, ["did not answer within 5 seconds"])
            # Without the Secret Service, --insecure-storage still logs in, within one deadline.
            started = time.monotonic()
            rc, out, err = self.run_bkt(self.cloud_login_args("--insecure-storage"),
                                        env_extra={"BKT_AUTH_CONFIG_DIR":
                                                   os.path.join(self.tmp, "elsewhere")})
            insecure = time.monotonic() - started
            self.assertEqual(rc, 0, err)
            self.assertLess(insecure, DEADLINE + SLACK)
        finally:
            os.kill(pid, signal.SIGCONT)
        sys_report("a keyring daemon that never answers: every command ended in %.1f-%.1f s; "
                   "a login with --insecure-storage took %.1f s"
                   % (min(timings.values()), max(timings.values()), insecure))
        self.assertEqual(self.stored(), before)
        self.assertEqual(self.token(), before[0]["access_token"])

    def test_locked_collection(self):
        """A collection locked with no way to prompt for its password: the
        commands say so (not "not logged in"), quickly; nothing changes."""
        results = os.path.join(self.tmp, "results")
        os.mkdir(results)
        script = r'''
set -u
"$BKT" login --no-interactive >"$R/setup.err" 2>&1 || exit 3
secret-tool lookup host bitbucket.org >"$R/before" || exit 4
cp "$BKT_AUTH_CONFIG_DIR/hosts.json" "$R/hosts.before"
gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
  --method org.freedesktop.Secret.Service.Lock "['/org/freedesktop/secrets/collection/login']" \
  >/dev/null || exit 5
run() {
  name=$1; shift
  start=$(date +%s%N)
  "$BKT" "$@" <"${IN:-/dev/null}" >"$R/$name.out" 2>"$R/$name.err"
  echo $? >"$R/$name.rc"
  echo $(( ($(date +%s%N) - start) / 1000000 )) >"$R/$name.ms"
}
run token token
run refresh refresh
run status status
run logout logout
echo "$BKT_API_TOKEN" >"$R/api-token"
IN="$R/api-token" run with-token login "$BKT_DC_URL" --kind dc --allow-http --with-token \
  --storage secret-service
cp "$BKT_AUTH_CONFIG_DIR/hosts.json" "$R/hosts.after"
'''
        self.fake.control(api_tokens=["pat-locked-0123456789abcdefghij"])
        env = self.env(dict(harness.DC_ENV, R=results, BKT=self.bin,
                            BKT_API_TOKEN="pat-locked-0123456789abcdefghij",
                            BKT_DC_URL=self.fake.dc_url,
                            BKT_CLOUD_URL=self.fake.url, BKT_CLOUD_API_URL=self.fake.url))
        # A keyring of its own, so the lock stays there.
        cp = subprocess.run([WITH_KEYRING, "sh", "-c", script], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(cp.returncode, 0, "the locked keyring could not be set up (%d):\n%s"
                         % (cp.returncode, cp.stderr.decode("utf-8", "replace")))

        def read(name):
            with open(os.path.join(results, name), encoding="utf-8") as f:
                return f.read()

        for name in ("token", "refresh", "status", "logout", "with-token"):
            with self.subTest(name):
                rc = int(read(name + ".rc"))
                ms = int(read(name + ".ms"))
                err = read(name + ".err")
                self.assertNotIn(rc, (0, 4), "%s exited %d:\n%s" % (name, rc, err))
                self.assertLess(ms, (DEADLINE + SLACK) * 1000, name)
                self.assertTrue("locked" in err, "%s does not say the keyring is locked:\n%s"
                                % (name, err))
                if name != "status":
                    self.assert_one_error_line(err)
                self.assertEqual(read(name + ".out"), "")
        self.assertEqual(read("hosts.before"), read("hosts.after"))


def sys_report(text):
    import sys
    sys.stderr.write("figure: %s\n" % text)
    sys.stderr.flush()


if __name__ == "__main__":
    harness.main()
