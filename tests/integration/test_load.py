#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Refresh under load: many `bkt-auth token` calls at once when the token has
expired, against a server that rotates refresh tokens and rejects reuse.
Exactly one refresh request goes out, every call prints the same valid token,
and the stored refresh token still works afterwards.
"""

import sys
import time

import harness
from harness import CLOUD_HOST, DC_ENV, BktTestCase, Running

PARALLEL = 20
SHORT_LIFETIME = 3


def figure(text):
    sys.stderr.write("figure: %s\n" % text)
    sys.stderr.flush()


class RefreshUnderLoad(BktTestCase):

    def token_state(self, access_token, refresh_token=""):
        return self.fake._request("POST", "/_control/token_state",
                                  {"access_token": access_token,
                                   "refresh_token": refresh_token})

    def expire_soon(self, login, key, env_extra=None):
        self.fake.control(expires_in=SHORT_LIFETIME)
        login(env_extra=env_extra)
        self.fake.control(expires_in=None)
        secret = self.keyring_secret(key)
        harness.wait_until(lambda: time.time() >= secret["expires_at"] + 0.05,
                           timeout=SHORT_LIFETIME + 5, what="the token to expire")
        return secret

    def stampede(self, key, login, env_extra=None, slow=None):
        old = self.expire_soon(login, key, env_extra)
        state = self.token_state(old["access_token"], old["refresh_token"])
        self.assertEqual((state["refresh"], state["pair"]), ("live", True))
        self.fake.control(slow=slow)
        before = self.fake.stats()
        started = time.monotonic()
        env = self.env(env_extra)
        procs = [Running([self.bin, "token", key], env) for _ in range(PARALLEL)]
        self.procs.extend(procs)
        results = [p.finish(timeout=60) for p in procs]
        took = time.monotonic() - started
        self.fake.control(slow=None)
        for rc, out, err in results:
            self.assertEqual(rc, 0, err)
            self.assertEqual(err, "", "a token call said something on stderr")
        tokens = {out for _rc, out, _err in results}
        self.assertEqual(len(tokens), 1, "the %d calls printed %d different tokens"
                         % (PARALLEL, len(tokens)))
        token = tokens.pop().strip()
        self.assertNotEqual(token, old["access_token"], "the expired token was printed")
        stats = self.fake.stats()
        self.assertEqual(stats["token_refresh"] - before["token_refresh"], 1,
                         "%d refresh requests for %d parallel calls"
                         % (stats["token_refresh"] - before["token_refresh"], PARALLEL))
        self.assertEqual(stats["token_refresh_reused"], 0, "a spent refresh token was reused")
        figure("%d parallel `token` calls (server delay %s s) finished in %.2f s with "
               "1 refresh request" % (PARALLEL, slow or 0, took))

        # What was printed is valid, and it is what is stored with a live refresh token.
        new = self.keyring_secret(key)
        self.assertEqual(new["access_token"], token)
        self.assertEqual(self.token_state(token, new["refresh_token"]),
                         {"access": "live", "refresh": "live", "pair": True})
        self.assertEqual(self.token_state(old["access_token"], old["refresh_token"])["refresh"],
                         "rotated")
        # The stored refresh token still works, and is replaced by the next one.
        rc, out, err = self.run_bkt(["refresh", key], env_extra=env_extra)
        self.assertEqual(rc, 0, err)
        after = self.keyring_secret(key)
        self.assertNotEqual(after["refresh_token"], new["refresh_token"])
        self.assertEqual(self.token_state(after["access_token"], after["refresh_token"]),
                         {"access": "live", "refresh": "live", "pair": True})
        self.assertEqual(self.fake.stats()["token_refresh_reused"], 0)
        self.assertEqual(self.token(key, env_extra=env_extra), after["access_token"])

    def test_cloud_stampede(self):
        self.stampede(CLOUD_HOST, lambda env_extra: self.login_cloud(env_extra=env_extra))

    def test_cloud_stampede_slow_server(self):
        # The first refresh stays in flight while the others start and wait.
        self.stampede(CLOUD_HOST, lambda env_extra: self.login_cloud(env_extra=env_extra),
                      slow=0.5)

    def test_dc_stampede_slow_server(self):
        self.stampede(self.fake.dc_host,
                      lambda env_extra: self.login_dc(env_extra=env_extra),
                      env_extra=DC_ENV, slow=0.5)


if __name__ == "__main__":
    harness.main()
