/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "gitsetup.h"

#include <glib/gi18n.h>
#include <sys/wait.h>

#include "error.h"
#include "gitcred.h"
#include "tame.h"

/* Run git with args; its stdout (newly allocated) when it exits 0, NULL otherwise with *status
 * set (-1 when git cannot be started, with error). */
static char *
run_git(const char *const *args, int *status, GError **error)
{
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer) "git");
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add(argv, (gpointer)*a);
  g_ptr_array_add(argv, NULL);
  char *out = NULL, *err = NULL;
  int wait_status = 0;
  g_autoptr(GError) local = NULL;
  gboolean started = g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                                  G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                                  &out, &err, &wait_status, &local);
  g_ptr_array_unref(argv);
  if (!started) {
    *status = -1;
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED,
                _("cannot run git: %s; install git first"), local->message);
    return NULL;
  }
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    *status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128;
    g_autofree char *what = g_strstrip(g_strdup(err != NULL ? err : ""));
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED, _("git config failed: %s"),
                *what ? what : _("it stopped without saying why"));
    g_free(out);
    g_free(err);
    return NULL;
  }
  *status = 0;
  g_free(err);
  return out;
}

char *
bkt_git_helper_command(GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *exe = g_file_read_link("/proc/self/exe", &local);
  if (exe == NULL) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED,
                _("cannot tell where bkt-auth is installed: %s"), local->message);
    return NULL;
  }
  g_autofree char *quoted = bkt_text_shell_arg(exe);
  return g_strconcat("!", quoted, " git-credential", NULL);
}

gboolean
bkt_git_setup(const BktHostEntry *e, const char *helper, gboolean *changed, GError **error)
{
  *changed = FALSE;
  g_autofree char *url = bkt_git_config_url(e);
  if (url == NULL) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED, _("the stored address of '%s' is damaged: "
                                                      "log in again"), e->key);
    return FALSE;
  }
  g_autofree char *helper_key = g_strdup_printf("credential.%s.helper", url);
  g_autofree char *path_key = g_strdup_printf("credential.%s.useHttpPath", url);
  int status;
  g_autoptr(GError) ignored = NULL;
  const char *get[] = { "config", "--global", "--get-all", helper_key, NULL };
  g_autofree char *current = run_git(get, &status, &ignored);
  if (status < 0) {
    g_propagate_error(error, g_steal_pointer(&ignored));
    return FALSE;
  }
  g_autofree char *want = g_strconcat("\n", helper, "\n", NULL);
  if (g_strcmp0(current, want) != 0) {
    const char *reset[] = { "config", "--global", "--replace-all", helper_key, "", NULL };
    const char *add[] = { "config", "--global", "--add", helper_key, helper, NULL };
    g_free(run_git(reset, &status, error));
    if (status != 0)
      return FALSE;
    g_free(run_git(add, &status, error));
    if (status != 0)
      return FALSE;
    *changed = TRUE;
  }
  if (bkt_git_needs_path(e)) {
    /* Several Data Centers may share the address: git must say which path it wants. */
    const char *get_path[] = { "config", "--global", "--get", path_key, NULL };
    g_autofree char *now = run_git(get_path, &status, NULL);
    if (g_strcmp0(now, "true\n") != 0) {
      const char *set[] = { "config", "--global", path_key, "true", NULL };
      g_free(run_git(set, &status, error));
      if (status != 0)
        return FALSE;
      *changed = TRUE;
    }
  }
  return TRUE;
}
