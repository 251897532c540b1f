#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What bkt-auth 0.1.0 stored, upgraded to several accounts per host, losing nothing.

The fixtures under tests/fixtures/release-0.1.0 were written by that release's binary
(make-fixtures.py there says how): hosts.json version 1, secrets.json keyed by host, and
keyring items with the attribute host alone. Each is put in place as it was, and the first
command moves them to hosts.json version 2 and items keyed by host and account, keeping the
old hosts.json beside the new one. A failed move changes nothing; a list written by a newer
release is refused with a sentence and left alone.
"""

import json
import os
import shutil
import subprocess
import threading

import harness
from harness import CLOUD_HOST, DC_ENV, BktTestCase

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                        "release-0.1.0")
NO_BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}


def keyring_items(attrs):
    """The items whose attributes include attrs: a list of (attributes, secret)."""
    cp = subprocess.run(["stdbuf", "-o0", "-e0", "secret-tool", "search", "--all", "--unlock"]
                        + [x for kv in attrs.items() for x in kv],
                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, timeout=harness.COMMAND_TIMEOUT)
    items = []
    for line in cp.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("["):
            items.append(({}, None))
        elif " = " in line and items:
            k, v = line.split(" = ", 1)
            if k.startswith("attribute."):
                items[-1][0][k[len("attribute."):]] = v
            elif k == "secret":
                items[-1] = (items[-1][0], v)
    return items


class Upgrade(BktTestCase):

    def put_fixture(self, name):
        """The release's files and keyring items, as it left them; returns what they hold."""
        src = os.path.join(FIXTURES, name)
        os.makedirs(self.config_dir, mode=0o700, exist_ok=True)
        fixture = {}
        for f in ("hosts.json", "secrets.json"):
            path = os.path.join(src, f)
            if os.path.exists(path):
                dst = os.path.join(self.config_dir, f)
                shutil.copy(path, dst)
                os.chmod(dst, 0o600)
                with open(path, encoding="utf-8") as fh:
                    fixture[f] = fh.read()
        with open(os.path.join(src, "keyring.json"), encoding="utf-8") as fh:
            fixture["keyring"] = json.load(fh)
        for item in fixture["keyring"]:
            attrs = dict(item["attributes"], **{"xdg:schema": item["schema"]})
            cp = subprocess.run(["secret-tool", "store", "--label", item["label"]]
                                + [x for kv in attrs.items() for x in kv],
                                input=item["secret"].encode(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=harness.COMMAND_TIMEOUT)
            self.assertEqual(cp.returncode, 0, cp.stderr)
        fixture["v1"] = json.loads(fixture["hosts.json"])["hosts"]
        return fixture

    def status(self, env_extra=None):
        rc, out, err = self.run_bkt(["status", "--json", "--show-token"],
                                    env_extra=dict(DC_ENV, **(env_extra or {})))
        self.assertEqual(rc, 0, err)
        self.assert_no_secret(err, [], "status")
        return {h["host"]: h for h in json.loads(out)["hosts"]}

    def secret_of(self, stored):
        """The access token the release kept for a v1 entry, from the fixture."""
        if stored["storage"] == "file":
            secrets = json.loads(self.fixture["secrets.json"])
            return secrets[stored["host"]]["access_token"], json.dumps(secrets[stored["host"]])
        for item in self.fixture["keyring"]:
            if item["attributes"].get("host") == stored["host"]:
                return json.loads(item["secret"])["access_token"], item["secret"]
        self.fail("no secret in the fixture for " + stored["host"])

    def assert_upgraded(self):
        """Everything the fixture held, now under version 2; the old list kept."""
        shown = self.status()
        data = json.loads(self.hosts_json_text())
        self.assertEqual(data["version"], 2)
        with open(self.hosts_json_path() + ".v1", encoding="utf-8") as f:
            self.assertEqual(f.read(), self.fixture["hosts.json"], "the old list was not kept")
        self.assertEqual(os.stat(self.hosts_json_path() + ".v1").st_mode & 0o777, 0o600)
        self.assertEqual(set(shown), {h["host"] for h in self.fixture["v1"]})
        for old in self.fixture["v1"]:
            with self.subTest(host=old["host"]):
                h = shown[old["host"]]
                # Every field the release stored is still there, now an account of the host.
                for field in ("kind", "base_url", "username", "display_name", "auth",
                              "storage"):
                    self.assertEqual(h.get(field), old.get(field), field)
                self.assertTrue(h["active"])
                self.assertTrue(h["ok"], h.get("problem"))
                self.assertEqual(len(h["accounts"]), 1)
                token, value = self.secret_of(old)
                self.assertEqual(h["token"], token)
                account = self.hosts_entries()[old["host"]]["account"]
                self.assertEqual(account, old["username"])
                if old["storage"] == "secret-service":
                    # The item moved: under host and account, the same secret; none is left
                    # under the host alone.
                    items = keyring_items({"host": old["host"]})
                    self.assertEqual(len(items), 1, items)
                    attrs, secret = items[0]
                    self.assertEqual(attrs.get("account"), account)
                    self.assertEqual(json.loads(secret), json.loads(value))
                else:
                    with open(os.path.join(self.config_dir, "secrets.json")) as f:
                        secrets = json.load(f)
                    self.assertNotIn(old["host"], secrets, "the old member stayed")
                    moved = [v for k, v in secrets.items() if k.startswith(old["host"])]
                    self.assertEqual(moved, [json.loads(value)])
                if old["auth"] == "token":
                    # A token someone made needs no network: token prints it as it was.
                    self.assertEqual(self.token(old["host"], env_extra=DC_ENV), token)

    def test_keyring_and_file(self):
        self.fixture = self.put_fixture("keyring-and-file")
        self.assert_upgraded()

    def test_file_and_keyring(self):
        self.fixture = self.put_fixture("file-and-keyring")
        self.assert_upgraded()

    def test_upgraded_login_replaced_by_the_same_person(self):
        # The release knew no account ID: the upgraded login is keyed by the user name until
        # alice logs in again, and that login replaces it rather than standing beside it.
        self.fixture = self.put_fixture("keyring-and-file")
        self.status()
        self.assertEqual(list(self.hosts_accounts(CLOUD_HOST)), ["alice"])
        self.login_cloud()
        accounts = self.hosts_accounts(CLOUD_HOST)
        self.assertEqual(len(accounts), 1, accounts)
        self.assertNotIn("alice", accounts, "still keyed by the user name")
        self.assertEqual(keyring_items({"host": CLOUD_HOST, "account": "alice"}), [])
        self.assertEqual(len(keyring_items({"host": CLOUD_HOST})), 1)

    def test_many_at_once(self):
        # Eight commands start together on the old layout: one moves it, the others find it
        # moved, and each prints the token.
        self.fixture = self.put_fixture("file-and-keyring")
        results = [None] * 8

        def one(i):
            results[i] = self.run_bkt(["token", CLOUD_HOST], env_extra=DC_ENV)
        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(results))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        want = json.loads(self.fixture["secrets.json"])[CLOUD_HOST]["access_token"]
        for rc, out, err in results:
            self.assertEqual(rc, 0, err)
            self.assertEqual(out.strip(), want)
        self.assert_upgraded()

    def test_a_failed_move_changes_nothing(self):
        # The keyring cannot be reached: the items cannot move, so nothing does.
        self.fixture = self.put_fixture("keyring-and-file")
        before = self.config_files_text()
        rc, out, err = self.run_bkt(["token", CLOUD_HOST], env_extra=NO_BUS)
        self.assertEqual(rc, 1, err)
        line = self.assert_one_error_line(err)
        self.assertIn("nothing was changed", line)
        after = self.config_files_text()
        after.pop(os.path.join(self.config_dir, "lock"), None)  # the store's lock, empty
        self.assertEqual(after, before)
        self.assertEqual(len(keyring_items({"host": CLOUD_HOST})), 1)
        # With the keyring back, the move happens.
        self.assert_upgraded()

    def test_newer_list_is_left_alone(self):
        newer = {"version": 3, "hosts": {CLOUD_HOST: {"kind": "cloud", "accounts": {}}},
                 "devices": []}
        os.makedirs(self.config_dir, mode=0o700, exist_ok=True)
        with open(self.hosts_json_path(), "w") as f:
            json.dump(newer, f)
        os.chmod(self.hosts_json_path(), 0o600)
        before = self.config_files_text()
        for args in (["token"], ["status"], ["logout", CLOUD_HOST],
                     ["login", "--no-interactive"]):
            with self.subTest(args=args):
                rc, out, err = self.run_bkt(args)
                self.assertEqual(rc, 1, err)
                self.assertEqual(out, "")
                line = self.assert_one_error_line(err)
                self.assertIn("newer bkt-auth", line)
                self.assertIn("format 3", line)
                self.assertEqual(self.config_files_text(), before, "the list was changed")
        self.assertEqual(self.fake.stats()["authorize"], 0)


if __name__ == "__main__":
    harness.main()
