/* SPDX-License-Identifier: MIT */
/* The doctor's checks of where tokens are kept: the Secret Service, the kernel keyring, and
 * logins left in the file while a safer store can be used. */
#include "config.h"

#include "doctor-private.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "backend.h"
#include "error.h"
#include "store.h"
#include "tame.h"

/* The name of process pid: its argv[0] without the directory, else its comm. */
static char *
process_name(guint32 pid)
{
  g_autofree char *cmdline_path = g_strdup_printf("/proc/%u/cmdline", pid);
  g_autofree char *cmdline = NULL;
  gsize len = 0;
  if (g_file_get_contents(cmdline_path, &cmdline, &len, NULL) && len > 0 && cmdline[0]) {
    g_autofree char *base = g_path_get_basename(cmdline);
    return bkt_text_tame(base);
  }
  g_autofree char *comm_path = g_strdup_printf("/proc/%u/comm", pid);
  g_autofree char *comm = NULL;
  if (g_file_get_contents(comm_path, &comm, NULL, NULL))
    return bkt_text_tame(g_strstrip(comm));
  /* TRANSLATORS: a program known only by its process ID */
  return g_strdup_printf(_("process %u"), pid);
}

/* -1 without a session bus, 0 when nobody owns org.freedesktop.secrets, 1 with *name set. */
static int
secret_owner(char **name)
{
  *name = NULL;
  if (bkt_backend_secret_service.absent())
    return -1;
  GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return -1;
  GVariant *reply = g_dbus_connection_call_sync(
    bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
    "GetConnectionUnixProcessID", g_variant_new("(s)", "org.freedesktop.secrets"),
    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, 3000, NULL, NULL);
  g_object_unref(bus);
  if (reply == NULL)
    return 0;
  guint32 pid = 0;
  g_variant_get(reply, "(u)", &pid);
  g_variant_unref(reply);
  *name = process_name(pid);
  return 1;
}

static gboolean
used_by(GPtrArray *hosts, const char *storage)
{
  for (guint i = 0; i < hosts->len; i++)
    if (g_strcmp0(((BktHostEntry *)g_ptr_array_index(hosts, i))->storage, storage) == 0)
      return TRUE;
  return FALSE;
}

static const char *
file_fallback(void)
{
  return _("or log in with --insecure-storage to keep tokens in a file only you can read");
}

/* The Secret Service: ok answers; unusable is its probe's reason when it cannot be used here
 * (NULL when it can, or when it fails: then error). kk_ok: the kernel keyring takes new
 * logins in its place. */
static void
check_secret_service(Run *run, GPtrArray *hosts, gboolean ok, const GError *error,
                     gboolean kk_ok)
{
  gboolean in_use = used_by(hosts, BKT_STORAGE_SECRET_SERVICE);
  gboolean none = hosts->len == 0;
  /* Asked only of a Secret Service that answers: one that did not could hang the question. */
  char *daemon = NULL;
  if (ok)
    secret_owner(&daemon);
  BktCheck *c;
  if (ok) {
    c = doctor_check("secret-service", NULL, BKT_CHECK_OK,
                     daemon != NULL
                       ? g_strdup_printf(_("the Secret Service answers: %s keeps the tokens"),
                                         daemon)
                       : g_strdup(_("the Secret Service answers")),
                     NULL);
  } else if (g_error_matches(error, BKT_ERROR, BKT_ERROR_STORE_UNUSABLE) && kk_ok && !in_use) {
    c = doctor_check("secret-service", NULL, BKT_CHECK_INFO,
                     g_strdup_printf(_("%s; new logins are kept in the kernel keyring instead"),
                                     error->message),
                     NULL);
  } else if (g_error_matches(error, BKT_ERROR, BKT_ERROR_STORE_UNUSABLE)) {
    BktCheckStatus status = in_use || none ? BKT_CHECK_FAIL : BKT_CHECK_WARN;
    char *fix =
      in_use && kk_ok
        ? g_strdup(_("use these logins from your desktop session, or log in again here to "
                     "keep them in the kernel keyring"))
        : g_strdup_printf(_("run bkt-auth in a desktop session, or start a bus and a keyring "
                            "(dbus-run-session, gnome-keyring-daemon --unlock); %s"),
                          file_fallback());
    c = doctor_check("secret-service", NULL, status, g_strdup(error->message), fix);
  } else {
    /* There, but failing: a new login fails too. */
    BktCheckStatus status = in_use || none ? BKT_CHECK_FAIL : BKT_CHECK_WARN;
    c = doctor_check("secret-service", NULL, status, g_strdup(error->message),
                     g_strdup_printf(_("start or unlock your keyring, %s"), file_fallback()));
  }
  c->daemon = daemon;
  doctor_emit(run, c);
}

static void
check_kernel_keyring(Run *run, GPtrArray *hosts, gboolean ok, const GError *error,
                     gboolean takes_new)
{
  gboolean in_use = used_by(hosts, BKT_STORAGE_KERNEL_KEYRING);
  if (ok) {
    g_autofree char *where = bkt_storage_describe(BKT_STORAGE_KERNEL_KEYRING);
    doctor_emit(run, doctor_check("kernel-keyring", NULL,
                                  in_use || takes_new ? BKT_CHECK_OK : BKT_CHECK_INFO,
                                  g_strdup_printf(in_use || takes_new
                                                    ? _("tokens can be kept in %s")
                                                    : _("where no Secret Service can be used, "
                                                        "tokens can be kept in %s"),
                                                  where),
                                  NULL));
    return;
  }
  /* Refused: a problem for the logins kept there, and when nothing else takes new ones. */
  BktCheckStatus status = in_use || (takes_new && hosts->len == 0) ? BKT_CHECK_FAIL
                          : takes_new                              ? BKT_CHECK_WARN
                                                                   : BKT_CHECK_INFO;
  char *fix = NULL;
  if (in_use)
    fix = g_strdup(_("log in again where the kernel keyring is allowed, or here with "
                     "--insecure-storage to keep tokens in a file only you can read"));
  else if (takes_new)
    fix = g_strdup_printf(_("run bkt-auth in a desktop session with a keyring, %s"),
                          file_fallback());
  doctor_emit(run, doctor_check("kernel-keyring", NULL, status, g_strdup(error->message), fix));
}

void
doctor_check_stores(Run *run, GPtrArray *hosts)
{
  g_autoptr(GError) ss_error = NULL;
  g_autoptr(GError) kk_error = NULL;
  gboolean ss_ok = bkt_store_probe(BKT_STORAGE_SECRET_SERVICE, &ss_error);
  gboolean kk_ok = bkt_store_probe(BKT_STORAGE_KERNEL_KEYRING, &kk_error);
  /* The kernel keyring takes new logins where the Secret Service cannot be used. */
  gboolean kk_takes_new = g_error_matches(ss_error, BKT_ERROR, BKT_ERROR_STORE_UNUSABLE);
  check_secret_service(run, hosts, ss_ok, ss_error, kk_ok);
  check_kernel_keyring(run, hosts, kk_ok, kk_error, kk_takes_new);
}

void
doctor_check_file_logins(Run *run, GPtrArray *hosts, const BktHostEntry *named)
{
  g_autofree char *safer = NULL;
  gboolean asked = FALSE;
  for (guint i = 0; i < hosts->len; i++) {
    const BktHostEntry *e = g_ptr_array_index(hosts, i);
    if ((named != NULL && named != e) || g_strcmp0(e->storage, BKT_STORAGE_FILE) != 0)
      continue;
    if (!asked) {
      safer = bkt_store_safer_than_file();
      asked = TRUE;
    }
    if (safer == NULL)
      continue;
    g_autofree char *where = bkt_storage_describe(safer);
    doctor_emit(run, doctor_check("storage", e->key, BKT_CHECK_WARN,
                                  g_strdup_printf(_("the token for %s is kept in a file "
                                                    "(--insecure-storage), and a safer store "
                                                    "can be used here now: %s"),
                                                  e->key, where),
                                  g_strdup_printf(_("log in again to move it there: bkt-auth "
                                                    "login %s"), e->key)));
  }
}
