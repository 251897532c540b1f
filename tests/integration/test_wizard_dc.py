#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The full-screen wizard against Bitbucket Data Center, driven in tmux.

The fake is started with client credentials of a real application link's
shape (a 32-character Client ID, a 64-character secret), which the wizard
checks before it tries them.
"""


import harness
from harness import DC_ENV, FakeBitbucket
from tmux import WizardTestCase

DC_CLIENT_ID = "0123456789abcdef0123456789abcdef"
DC_CLIENT_SECRET = ("dc-wizard-secret-" + "9f8e7d6c5b4a" * 6)[:64]
assert len(DC_CLIENT_ID) == 32 and len(DC_CLIENT_SECRET) == 64


class WizardDataCenter(WizardTestCase):

    @classmethod
    def make_fake(cls):
        # The harness's fake, with Data Center-shaped client credentials.
        return FakeBitbucket(client_id=DC_CLIENT_ID, client_secret=DC_CLIENT_SECRET)

    def open_dc_wizard(self, *extra):
        t = self.tmux_start(["login", "-i", "--allow-http",
                             "--redirect-uri", self.fake.dc_redirect] + list(extra),
                            env_extra=DC_ENV)
        t.wait_for("bkt-auth  ·  Cloud or Data Center")
        t.keys("Down")
        t.wait_for("› Bitbucket Data Center")
        t.keys("Enter")
        t.wait_for("bkt-auth  ·  Your Bitbucket")
        return t

    def assert_secret_hidden(self, t):
        screen = t.screen(join=True)
        self.assert_no_secret(screen, [DC_CLIENT_SECRET, DC_CLIENT_SECRET[:12],
                                       DC_CLIENT_SECRET[-12:]], "the screen")

    def test_dc_login(self):
        t = self.open_dc_wizard()
        self.assert_layout(t, "Your Bitbucket", ("Enter",))
        t.type(self.fake.dc_url)
        screen = t.wait_for("✓ Bitbucket Data Center at " + self.fake.dc_url)
        self.assert_layout(t, "Your Bitbucket", ("Enter",), name="your_bitbucket")
        t.keys("Enter")

        # The guidance, with the exact redirect URL to register.
        screen = t.wait_for("bkt-auth  ·  Application link")
        self.assertGreaterEqual(self.fake.stats()["app_props"], 1,
                                "the address was not checked with the host")
        self.assertIn(self.fake.dc_redirect, screen.split())
        self.assert_layout(t, "Application link", ("Enter next", "m "),
                           name="application_link")
        t.keys("m")
        screen = t.wait_for("Send this to a Bitbucket admin", join=True)
        flat = " ".join(screen.split())
        self.assertIn(self.fake.dc_url, flat)
        self.assertIn(self.fake.dc_redirect, flat)
        t.keys("m")
        t.wait_for("Send this to a Bitbucket admin", gone=True)
        t.keys("Enter")

        # The credentials: a secret one character short is refused first.
        t.wait_for("bkt-auth  ·  Client credentials")
        self.assert_layout(t, "Client credentials", ("Tab", "Enter"),
                           name="client_credentials")
        t.type(DC_CLIENT_ID)
        t.wait_for(DC_CLIENT_ID)
        t.keys("Tab")
        t.type(DC_CLIENT_SECRET[:-1])
        t.wait_for("•" * 20)
        self.assert_secret_hidden(t)
        t.keys("Enter")
        screen = t.wait_for("A Client secret has 64 characters; this one has 63.", join=True)
        self.assertIn("bkt-auth  ·  Client credentials", screen)
        self.assert_secret_hidden(t)
        t.type(DC_CLIENT_SECRET[-1])
        t.wait_for("A Client secret has 64", gone=True, join=True)
        t.keys("Enter")

        screen = t.wait_for("Press Enter to open the browser.")
        self.assertIn(self.fake.dc_host, screen)
        self.assertEqual(self.fake.stats()["token_code"], 0)
        t.keys("Enter")
        screen = t.wait_for("bkt-auth  ·  Logged in")
        self.assertIn("✓ Logged in to %s as alice (Alice Example)." % self.fake.dc_host,
                      " ".join(screen.split()))
        self.assert_no_token_shapes(screen, "the Logged in screen")
        self.assert_layout(t, "Logged in", ("Enter finish",))
        t.keys("Enter")
        self.assert_exit(t, 0)
        self.assertEqual(t.stderr_text(), "Logged in to %s as alice.\n" % self.fake.dc_host)

        secret = self.keyring_secret(self.fake.dc_host)
        self.assertIsNotNone(secret, "no keyring item for the Data Center")
        self.assertEqual(self.token(self.fake.dc_host, env_extra=DC_ENV),
                         secret["access_token"])
        self.assertEqual(self.fake.stats()["token_code"], 1)
        for path, text in self.config_files_text().items():
            self.assert_no_secret(text, [DC_CLIENT_SECRET], path)

    def test_address_that_is_no_bitbucket(self):
        t = self.open_dc_wizard()
        t.type(self.fake.url + "/nothing-here")
        t.wait_for("✓ Bitbucket Data Center at")
        t.keys("Enter")
        # The host answers, but not as a Bitbucket: say so, stay on the screen.
        address = "127.0.0.1:%d/nothing-here" % self.fake.port

        def says_why(screen):
            flat = " ".join(screen.split())
            return address + "' does not answer like a Bitbucket Data Center" in flat
        screen = t.wait_for(says_why)
        self.assertIn("bkt-auth  ·  Your Bitbucket", screen)
        self.assertIn("404", screen)
        t.keys("Escape")
        t.wait_for("bkt-auth  ·  Cloud or Data Center")
        t.keys("q")
        self.assert_exit(t, 2)
        self.assert_not_stored(self.fake.dc_host)


if __name__ == "__main__":
    harness.main()
