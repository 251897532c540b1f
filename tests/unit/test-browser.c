/* SPDX-License-Identifier: MIT */
#include <glib/gstdio.h>
#include <string.h>

#include "browser.h"

/* Under WSL the browser is Windows': each of its openers gets the address whole, whatever
 * characters it holds. Stand-ins on PATH write down the arguments they were given. */

static char *dir;

/* A stand-in NAME that writes its arguments, one a line, to NAME.log, then renames it into
 * place so that the test never reads half of it. */
static void
stand_in(const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autofree char *script =
    g_strdup_printf("#!/bin/sh\nfor a; do printf '%%s\\n' \"$a\"; done > '%s/%s.tmp'\n"
                    "/bin/mv '%s/%s.tmp' '%s/%s.log'\n",
                    dir, name, dir, name, dir, name);
  g_assert_true(g_file_set_contents(path, script, -1, NULL));
  g_assert_cmpint(g_chmod(path, 0700), ==, 0);
}

/* The arguments the stand-in name was given, waited for (it runs on its own). */
static char **
arguments_of(const char *name)
{
  g_autofree char *log = g_strdup_printf("%s/%s.log", dir, name);
  gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  char *text = NULL;
  while (!g_file_get_contents(log, &text, NULL, NULL)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_usleep(10000);
  }
  g_unlink(log);
  char **lines = g_strsplit(text, "\n", -1);
  g_free(text);
  return lines;
}

static void
remove_stand_in(const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_unlink(path);
}

#define URL "http://127.0.0.1:9/start?a=1&b=(2)|x^y%20'z'"

static void
test_wsl_openers(void)
{
  g_setenv("PATH", dir, TRUE);
  g_setenv("WSL_DISTRO_NAME", "Debian", TRUE);
  g_unsetenv("BROWSER");

  /* wslview first: the address as it is. */
  stand_in("wslview");
  stand_in("cmd.exe");
  stand_in("powershell.exe");
  g_autoptr(GError) error = NULL;
  g_assert_true(bkt_browser_open(URL, &error));
  g_auto(GStrv) args = arguments_of("wslview");
  g_assert_cmpstr(args[0], ==, URL);

  /* cmd.exe: start takes a first quoted word for the window's title, so the address goes
   * unquoted, each of cmd's own characters escaped by a caret. */
  remove_stand_in("wslview");
  g_assert_true(bkt_browser_open(URL, &error));
  g_auto(GStrv) cmd = arguments_of("cmd.exe");
  g_assert_cmpstr(cmd[0], ==, "/c");
  g_assert_cmpstr(cmd[1], ==, "start");
  g_assert_cmpstr(cmd[2], ==, "http://127.0.0.1:9/start?a=1^&b=^(2^)^|x^^y^%20'z'");

  /* PowerShell: in single quotes, a quote inside doubled. */
  remove_stand_in("cmd.exe");
  g_assert_true(bkt_browser_open(URL, &error));
  g_auto(GStrv) ps = arguments_of("powershell.exe");
  g_assert_cmpstr(ps[3], ==, "Start-Process 'http://127.0.0.1:9/start?a=1&b=(2)|x^y%20''z'''");
  g_unsetenv("WSL_DISTRO_NAME");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  dir = g_dir_make_tmp("bkt-browser-XXXXXX", NULL);
  g_test_add_func("/browser/wsl-openers", test_wsl_openers);
  int rc = g_test_run();
  remove_stand_in("powershell.exe");
  g_rmdir(dir);
  g_free(dir);
  return rc;
}
