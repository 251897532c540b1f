/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "browser.h"

#include <glib/gi18n.h>
#include <string.h>

#include "error.h"

static gboolean
env_set(const char *name)
{
  const char *v = g_getenv(name);
  return v != NULL && *v != '\0';
}

gboolean
bkt_env_is_ssh(void)
{
  return env_set("SSH_CONNECTION") || env_set("SSH_CLIENT") || env_set("SSH_TTY");
}

gboolean
bkt_env_is_wsl(void)
{
  if (env_set("WSL_DISTRO_NAME") || env_set("WSL_INTEROP"))
    return TRUE;
  g_autofree char *release = NULL;
  if (!g_file_get_contents("/proc/sys/kernel/osrelease", &release, NULL, NULL))
    return FALSE;
  g_autofree char *lower = g_ascii_strdown(release, -1);
  return strstr(lower, "microsoft") != NULL;
}

/* url with what cmd.exe's command line would take for its own (& | < > ^ ( ) %) escaped by a
 * caret, so that start gets it whole; newly allocated. */
static char *
cmd_quote(const char *url)
{
  GString *out = g_string_new(NULL);
  for (const char *c = url; *c; c++) {
    if (strchr("&|<>^()%!\"", *c) != NULL)
      g_string_append_c(out, '^');
    g_string_append_c(out, *c);
  }
  return g_string_free(out, FALSE);
}

/* url in single quotes for PowerShell (a quote inside doubled); newly allocated. */
static char *
powershell_quote(const char *url)
{
  g_auto(GStrv) parts = g_strsplit(url, "'", -1);
  g_autofree char *inner = g_strjoinv("''", parts);
  return g_strconcat("'", inner, "'", NULL);
}

/* Under WSL: argv that opens url in the Windows browser, or NULL when no way is installed. */
static char **
windows_argv(const char *url)
{
  g_autofree char *wslview = g_find_program_in_path("wslview");
  if (wslview != NULL)
    return g_strdupv((char *[]){ (char *)"wslview", (char *)url, NULL });
  g_autofree char *cmd = g_find_program_in_path("cmd.exe");
  if (cmd != NULL) {
    /* start's first quoted word would be the window's title: the URL goes unquoted, its
     * special characters escaped instead. */
    g_autofree char *quoted = cmd_quote(url);
    return g_strdupv((char *[]){ (char *)"cmd.exe", (char *)"/c", (char *)"start", quoted, NULL });
  }
  g_autofree char *powershell = g_find_program_in_path("powershell.exe");
  if (powershell != NULL) {
    g_autofree char *quoted = powershell_quote(url);
    g_autofree char *command = g_strconcat("Start-Process ", quoted, NULL);
    return g_strdupv((char *[]){ (char *)"powershell.exe", (char *)"-NoProfile",
                                 (char *)"-NonInteractive", (char *)"-Command", command, NULL });
  }
  return NULL;
}

const char *
bkt_browser_unavailable_reason(void)
{
  if (env_set("BROWSER"))
    return NULL;
  if (bkt_env_is_wsl()) {
    g_auto(GStrv) argv = windows_argv("");
    if (argv != NULL)
      return NULL;
  }
  gboolean display = env_set("DISPLAY") || env_set("WAYLAND_DISPLAY");
  if (bkt_env_is_ssh() && !display)
    return _("this is an SSH session without a display");
  if (!display)
    return _("there is no graphical display");
  g_autofree char *opener = g_find_program_in_path("xdg-open");
  if (opener == NULL)
    return _("xdg-open is not installed and BROWSER is not set");
  return NULL;
}

/* argv for the first command of $BROWSER (a ':'-separated list; "%s" marks the URL). */
static char **
browser_argv(const char *url, GError **error)
{
  const char *env = g_getenv("BROWSER");
  char **windows = env == NULL || *env == '\0' ? (bkt_env_is_wsl() ? windows_argv(url) : NULL)
                                                : NULL;
  if (windows != NULL)
    return windows;
  if (env == NULL || *env == '\0') {
    char **argv = g_new0(char *, 3);
    argv[0] = g_strdup("xdg-open");
    argv[1] = g_strdup(url);
    return argv;
  }
  g_auto(GStrv) commands = g_strsplit(env, ":", 2);
  char **argv = NULL;
  if (!g_shell_parse_argv(commands[0], NULL, &argv, error))
    return NULL;
  gboolean placed = FALSE;
  for (char **a = argv; *a; a++) {
    char *at = strstr(*a, "%s");
    if (at != NULL) {
      char *arg = g_strdup_printf("%.*s%s%s", (int)(at - *a), *a, url, at + 2);
      g_free(*a);
      *a = arg;
      placed = TRUE;
    }
  }
  if (!placed) {
    guint n = g_strv_length(argv);
    argv = g_renew(char *, argv, n + 2);
    argv[n] = g_strdup(url);
    argv[n + 1] = NULL;
  }
  return argv;
}

gboolean
bkt_browser_open(const char *url, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) argv = browser_argv(url, &local);
  /* The browser has no business with our secrets. */
  g_auto(GStrv) env = g_get_environ();
  env = g_environ_unsetenv(env, "BKT_OAUTH_CLIENT_SECRET");
  env = g_environ_unsetenv(env, "BKT_TOKEN");
  /* cmd.exe complains of a Linux working directory: it starts in Windows' own (when WSL
   * mounts it). */
  const char *dir = argv != NULL && strcmp(argv[0], "cmd.exe") == 0 &&
                        g_file_test("/mnt/c", G_FILE_TEST_IS_DIR)
                      ? "/mnt/c"
                      : NULL;
  if (argv == NULL || !g_spawn_async(dir, argv, env,
                                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL |
                                       G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                     NULL, NULL, NULL, &local)) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED, _("cannot start the browser: %s"),
                local != NULL ? local->message : "?");
    return FALSE;
  }
  return TRUE;
}

char *
bkt_ssh_forward_command(guint16 port)
{
  return g_strdup_printf("ssh -L %u:localhost:%u %s", (unsigned)port, (unsigned)port,
                         g_get_host_name());
}
