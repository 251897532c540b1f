/* SPDX-License-Identifier: MIT */
#include "flow.h"

static UiFlow
flow_new(BktKind kind, gboolean cloud_consumer, gboolean dc_client, gboolean browser)
{
  return (UiFlow){ .kind = kind, .cloud_consumer = cloud_consumer, .dc_client = dc_client,
                   .browser = browser };
}

static void
assert_at(const UiFlow *flow, const char *want)
{
  g_assert_cmpstr(ui_flow_screen_name(flow->screen), ==, want);
}

static void
start(UiFlow *flow, gboolean first_run, const char *want)
{
  ui_flow_start(flow, first_run);
  assert_at(flow, want);
}

static void
step(UiFlow *flow, UiFlowEvent event, const char *want)
{
  UiScreenId got = ui_flow_step(flow, event);
  g_assert_cmpint(got, ==, flow->screen);
  assert_at(flow, want);
}

static void
next(UiFlow *flow, const char *want)
{
  step(flow, UI_FLOW_NEXT, want);
}

static void
back(UiFlow *flow, const char *want)
{
  step(flow, UI_FLOW_BACK, want);
}

static void
test_first_run_cloud(void)
{
  UiFlow f = flow_new(BKT_KIND_UNKNOWN, TRUE, FALSE, TRUE);
  start(&f, TRUE, "welcome");
  next(&f, "kind");
  f.kind = BKT_KIND_CLOUD;
  next(&f, "launch");
  next(&f, "wait");
  step(&f, UI_FLOW_LOGGED_IN, "done");
  next(&f, "done");
}

static void
test_first_run_dc(void)
{
  UiFlow f = flow_new(BKT_KIND_UNKNOWN, TRUE, FALSE, TRUE);
  start(&f, TRUE, "welcome");
  next(&f, "kind");
  f.kind = BKT_KIND_DC;
  next(&f, "host");
  next(&f, "guide");
  next(&f, "creds");
  next(&f, "launch");
}

static void
test_no_kind_given(void)
{
  UiFlow f = flow_new(BKT_KIND_UNKNOWN, TRUE, TRUE, TRUE);
  start(&f, FALSE, "kind");
}

static void
test_cloud_with_consumer(void)
{
  /* --kind cloud (or bitbucket.org) with a consumer built in: nothing left to ask. */
  UiFlow f = flow_new(BKT_KIND_CLOUD, TRUE, FALSE, TRUE);
  start(&f, FALSE, "launch");
  next(&f, "wait");
  /* Chosen on the kind screen instead: the same. */
  f = flow_new(BKT_KIND_UNKNOWN, TRUE, FALSE, TRUE);
  start(&f, FALSE, "kind");
  f.kind = BKT_KIND_CLOUD;
  next(&f, "launch");
}

static void
test_cloud_without_consumer(void)
{
  /* The guidance on adding a consumer, then its key and secret. */
  UiFlow f = flow_new(BKT_KIND_CLOUD, FALSE, TRUE, TRUE);
  start(&f, FALSE, "guide");
  next(&f, "creds");
  next(&f, "launch");
  f = flow_new(BKT_KIND_UNKNOWN, FALSE, TRUE, TRUE);
  start(&f, FALSE, "kind");
  f.kind = BKT_KIND_CLOUD;
  next(&f, "guide");
}

static void
test_dc_with_client(void)
{
  /* --client-id and --client-secret-file given: the host, then the sign-in. */
  UiFlow f = flow_new(BKT_KIND_DC, FALSE, TRUE, TRUE);
  start(&f, FALSE, "host");
  next(&f, "launch");
  f = flow_new(BKT_KIND_UNKNOWN, FALSE, TRUE, TRUE);
  start(&f, FALSE, "kind");
  f.kind = BKT_KIND_DC;
  next(&f, "host");
  next(&f, "launch");
}

static void
test_dc_without_client(void)
{
  /* A Cloud consumer says nothing about a Data Center's application link. */
  UiFlow f = flow_new(BKT_KIND_DC, TRUE, FALSE, TRUE);
  start(&f, FALSE, "host");
  next(&f, "guide");
  next(&f, "creds");
  next(&f, "launch");
  next(&f, "wait");
}

static void
test_no_browser(void)
{
  /* Nowhere to open a browser: the sign-in screen is skipped, on a retry too. */
  UiFlow f = flow_new(BKT_KIND_DC, FALSE, FALSE, FALSE);
  start(&f, FALSE, "host");
  next(&f, "guide");
  next(&f, "creds");
  next(&f, "wait");
  step(&f, UI_FLOW_FAILED, "failed");
  next(&f, "wait");
  f = flow_new(BKT_KIND_CLOUD, TRUE, FALSE, FALSE);
  start(&f, FALSE, "wait");
}

static void
test_back(void)
{
  UiFlow f = flow_new(BKT_KIND_UNKNOWN, FALSE, FALSE, TRUE);
  start(&f, FALSE, "kind");
  f.kind = BKT_KIND_DC;
  next(&f, "host");
  next(&f, "guide");
  next(&f, "creds");
  next(&f, "launch");
  back(&f, "creds");
  back(&f, "guide");
  back(&f, "host");
  back(&f, "kind");
  /* Nothing further back: the kind screen stays. */
  back(&f, "kind");
  g_assert_cmpint(f.depth, ==, 0);
}

static void
test_back_skips_progress(void)
{
  /* From the failure, back goes to the last screen that asked, not to the waiting one. */
  UiFlow f = flow_new(BKT_KIND_DC, FALSE, FALSE, TRUE);
  start(&f, FALSE, "host");
  next(&f, "guide");
  next(&f, "creds");
  next(&f, "launch");
  next(&f, "wait");
  step(&f, UI_FLOW_FAILED, "failed");
  back(&f, "creds");
  /* A login that cannot start fails on the sign-in screen itself. */
  next(&f, "launch");
  step(&f, UI_FLOW_FAILED, "failed");
  back(&f, "creds");
}

static void
test_back_when_started_late(void)
{
  /* Everything given on the command line: back still offers the kind screen. */
  UiFlow f = flow_new(BKT_KIND_CLOUD, TRUE, FALSE, TRUE);
  start(&f, FALSE, "launch");
  back(&f, "kind");
  f = flow_new(BKT_KIND_DC, FALSE, FALSE, TRUE);
  start(&f, FALSE, "host");
  back(&f, "kind");
}

static void
test_back_then_other_kind(void)
{
  UiFlow f = flow_new(BKT_KIND_UNKNOWN, TRUE, FALSE, TRUE);
  start(&f, TRUE, "welcome");
  next(&f, "kind");
  f.kind = BKT_KIND_DC;
  next(&f, "host");
  back(&f, "kind");
  f.kind = BKT_KIND_CLOUD;
  next(&f, "launch");
  back(&f, "kind");
  back(&f, "welcome");
}

static void
test_retry(void)
{
  UiFlow f = flow_new(BKT_KIND_CLOUD, FALSE, FALSE, TRUE);
  start(&f, FALSE, "guide");
  next(&f, "creds");
  next(&f, "launch");
  next(&f, "wait");
  /* Retry after retry: back to a fresh sign-in each time, and the trail keeps its size. */
  for (int i = 0; i < 3 * UI_SCREEN_COUNT; i++) {
    step(&f, UI_FLOW_FAILED, "failed");
    next(&f, "launch");
    next(&f, "wait");
  }
  g_assert_cmpint(f.depth, ==, 2);
  step(&f, UI_FLOW_FAILED, "failed");
  back(&f, "creds");
  back(&f, "guide");
  back(&f, "kind");
}

/* Logins are stored and no host was given: the accounts screen first. */
static UiFlow
flow_with_logins(BktKind kind, gboolean dc_client)
{
  UiFlow f = flow_new(kind, TRUE, dc_client, TRUE);
  f.logins = TRUE;
  start(&f, FALSE, "accounts");
  return f;
}

static void
test_accounts_another_host(void)
{
  /* Another host: as a first login goes on, and back to the accounts from its first screen. */
  UiFlow f = flow_with_logins(BKT_KIND_UNKNOWN, FALSE);
  f.choice = UI_CHOICE_HOST;
  next(&f, "kind");
  f.kind = BKT_KIND_DC;
  next(&f, "host");
  next(&f, "guide");
  back(&f, "host");
  back(&f, "kind");
  back(&f, "accounts");
  g_assert_cmpint(f.depth, ==, 0);
  /* --kind dc given: straight to the address. */
  f = flow_with_logins(BKT_KIND_DC, FALSE);
  f.choice = UI_CHOICE_HOST;
  next(&f, "host");
  /* The welcome is for a first run alone. */
  f = flow_new(BKT_KIND_UNKNOWN, TRUE, FALSE, TRUE);
  f.logins = TRUE;
  start(&f, TRUE, "welcome");
}

static void
test_accounts_another_account(void)
{
  /* A stored Data Center whose client credentials were found: straight to the sign-in. */
  UiFlow f = flow_with_logins(BKT_KIND_UNKNOWN, FALSE);
  f.choice = UI_CHOICE_ACCOUNT;
  f.kind = BKT_KIND_DC;
  f.dc_client = TRUE;
  next(&f, "launch");
  next(&f, "wait");
  step(&f, UI_FLOW_FAILED, "failed");
  back(&f, "accounts");
  /* None found (a token login): the guide and the fields, the address known. */
  f.choice = UI_CHOICE_ACCOUNT;
  f.dc_client = FALSE;
  next(&f, "guide");
  next(&f, "creds");
  back(&f, "guide");
  back(&f, "accounts");
  /* Cloud with its consumer, without a browser. */
  f = flow_with_logins(BKT_KIND_UNKNOWN, FALSE);
  f.browser = FALSE;
  f.choice = UI_CHOICE_ACCOUNT;
  f.kind = BKT_KIND_CLOUD;
  next(&f, "wait");
  step(&f, UI_FLOW_LOGGED_IN, "done");
}

static void
test_accounts_switch(void)
{
  UiFlow f = flow_with_logins(BKT_KIND_UNKNOWN, FALSE);
  f.choice = UI_CHOICE_SWITCH;
  next(&f, "switch");
  /* Switching ends the wizard: nothing follows. */
  next(&f, "switch");
  back(&f, "accounts");
  f.choice = UI_CHOICE_HOST;
  next(&f, "kind");
  back(&f, "accounts");
}

static void
test_screen_names(void)
{
  g_assert_cmpstr(ui_flow_screen_name(UI_SCREEN_WELCOME), ==, "welcome");
  g_assert_cmpstr(ui_flow_screen_name(UI_SCREEN_FAILED), ==, "failed");
  g_assert_cmpstr(ui_flow_screen_name(UI_SCREEN_COUNT), ==, "?");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/flow/first-run/cloud", test_first_run_cloud);
  g_test_add_func("/flow/first-run/dc", test_first_run_dc);
  g_test_add_func("/flow/no-kind-given", test_no_kind_given);
  g_test_add_func("/flow/cloud/with-consumer", test_cloud_with_consumer);
  g_test_add_func("/flow/cloud/without-consumer", test_cloud_without_consumer);
  g_test_add_func("/flow/dc/with-client", test_dc_with_client);
  g_test_add_func("/flow/dc/without-client", test_dc_without_client);
  g_test_add_func("/flow/no-browser", test_no_browser);
  g_test_add_func("/flow/back", test_back);
  g_test_add_func("/flow/back/skips-progress", test_back_skips_progress);
  g_test_add_func("/flow/back/started-late", test_back_when_started_late);
  g_test_add_func("/flow/back/other-kind", test_back_then_other_kind);
  g_test_add_func("/flow/retry", test_retry);
  g_test_add_func("/flow/accounts/another-host", test_accounts_another_host);
  g_test_add_func("/flow/accounts/another-account", test_accounts_another_account);
  g_test_add_func("/flow/accounts/switch", test_accounts_switch);
  g_test_add_func("/flow/screen-names", test_screen_names);
  return g_test_run();
}
