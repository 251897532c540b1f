/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "wizard-module.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/*
 * The wizard (ui/) is built as a module of its own, and only a command that opens the full
 * screen loads it: `token`, `git-credential` and the other commands a script runs many times
 * never map ncurses (about 250 KiB of each run's memory, bench/run's table shows). The command
 * finds it through its RUNPATH: the build directory of ui/ in the tree, the package's private
 * library folder once installed. It resolves the engine's functions from this binary, which
 * exports them, so both share one engine and its state.
 */
#define WIZARD_MODULE "bkt-auth-wizard.so"

static struct {
  gboolean (*run)(const UiWizardOptions *opts, UiWizardResult *result, GError **error);
  void (*result_clear)(UiWizardResult *result);
  const char *(*library_version)(void);
} wiz;
static char *load_error;

/*
 * dlopen() by a bare name searches the RUNPATH of whoever calls it; under AddressSanitizer that
 * is the sanitizer's interceptor, which has none. So the folders are asked for explicitly, in
 * the order the loader would search them for this binary (LD_LIBRARY_PATH, its RUNPATH, the
 * system's), and the module is opened by its full path.
 */
static void *
wizard_open(void)
{
  void *self = dlopen(NULL, RTLD_NOW);
  Dl_serinfo size;
  if (self != NULL && dlinfo(self, RTLD_DI_SERINFOSIZE, &size) == 0) {
    g_autofree Dl_serinfo *info = g_malloc(size.dls_size);
    if (dlinfo(self, RTLD_DI_SERINFOSIZE, info) == 0 && dlinfo(self, RTLD_DI_SERINFO, info) == 0)
      for (unsigned int i = 0; i < info->dls_cnt; i++) {
        g_autofree char *path = g_build_filename(info->dls_serpath[i].dls_name, WIZARD_MODULE,
                                                 NULL);
        if (access(path, F_OK) == 0)
          return dlopen(path, RTLD_NOW | RTLD_LOCAL);
      }
  }
  /* Not found: the loader's own search, for its message. */
  return dlopen(WIZARD_MODULE, RTLD_NOW | RTLD_LOCAL);
}

static gboolean
wizard_load(GError **error)
{
  static gsize ready;
  if (g_once_init_enter(&ready)) {
    static const struct {
      const char *name;
      void **slot;
    } syms[] = {
      { "ui_wizard_run", (void **)&wiz.run },
      { "ui_wizard_result_clear", (void **)&wiz.result_clear },
      { "ui_wizard_library_version", (void **)&wiz.library_version },
    };
    void *module = wizard_open();
    if (module == NULL)
      load_error = g_strdup_printf(_("cannot load the wizard (%s): reinstall bkt-auth, or log "
                                     "in line by line with --no-interactive"),
                                   dlerror());
    for (size_t i = 0; module != NULL && load_error == NULL && i < G_N_ELEMENTS(syms); i++)
      if ((*syms[i].slot = dlsym(module, syms[i].name)) == NULL)
        load_error = g_strdup_printf(_("the wizard module has no %s: reinstall bkt-auth, or "
                                       "log in line by line with --no-interactive"),
                                     syms[i].name);
    g_once_init_leave(&ready, 1);
  }
  if (load_error != NULL) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_FAILED, load_error);
    return FALSE;
  }
  return TRUE;
}

const char *
cli_wizard_unavailable_reason(void)
{
  const char *term = g_getenv("TERM");
  if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0)
    return _("the terminal is dumb (TERM=dumb or unset), so bkt-auth works line by line");
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return _("there is no terminal, so bkt-auth works line by line");
  close(fd);
  return NULL;
}

gboolean
cli_wizard_run(const UiWizardOptions *opts, UiWizardResult *result, GError **error)
{
  *result = (UiWizardResult){ 0 };
  return wizard_load(error) && wiz.run(opts, result, error);
}

void
cli_wizard_result_clear(UiWizardResult *result)
{
  /* Only a wizard that ran leaves something to clear, so the module is loaded by now. */
  if (wiz.result_clear != NULL)
    wiz.result_clear(result);
}

char *
cli_wizard_library_version(GError **error)
{
  return wizard_load(error) ? g_strdup(wiz.library_version()) : NULL;
}
