/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "error.h"

int
cli_fail(GError *error)
{
  int code = bkt_error_exit_code(error);
  fprintf(stderr, "bkt-auth: %s\n", error != NULL ? error->message : _("failed"));
  g_clear_error(&error);
  return code;
}

gboolean
cli_parse(GOptionContext *ctx, const char *command, int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strconcat("bkt-auth ", command, NULL);
  g_set_prgname(name);
  g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
  if (g_option_context_parse(ctx, argc, argv, &error))
    return TRUE;
  fprintf(stderr, _("bkt-auth: %s: see 'bkt-auth %s --help'\n"), error->message, command);
  return FALSE;
}

int
cli_finish_stdout(int code)
{
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, _("bkt-auth: cannot write the result to standard output: %s\n"),
            g_strerror(errno));
    return 1;
  }
  return code;
}

gboolean
cli_one_host(const char *command, int argc, char **argv, const char **host)
{
  *host = argc > 1 ? argv[1] : NULL;
  if (argc <= 2)
    return TRUE;
  fprintf(stderr, _("bkt-auth: '%s' takes at most one host, but got '%s' too: see 'bkt-auth %s "
                    "--help'\n"), command, argv[2], command);
  return FALSE;
}

const char *
cli_check_mark(void)
{
  return g_get_charset(NULL) ? "\u2713" : "+";
}
