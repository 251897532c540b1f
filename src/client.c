/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "client.h"

#include <glib/gi18n.h>
#include <string.h>

#include "error.h"

static gboolean
env_nonempty(const char *name, const char **out)
{
  const char *v = g_getenv(name);
  if (v == NULL || *v == '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

/* The Cloud consumer: flags, then the environment, then the one built in. */
static void
cloud_consumer(const char **id, const char **secret)
{
  if (*id == NULL && !env_nonempty("BKT_OAUTH_CLIENT_ID", id) && *BKT_CLOUD_CLIENT_ID)
    *id = BKT_CLOUD_CLIENT_ID;
  if (*secret == NULL && !env_nonempty("BKT_OAUTH_CLIENT_SECRET", secret) &&
      *BKT_CLOUD_CLIENT_SECRET)
    *secret = BKT_CLOUD_CLIENT_SECRET;
}

gboolean
bkt_cloud_consumer_known(const char *client_id, const char *client_secret)
{
  cloud_consumer(&client_id, &client_secret);
  return client_id != NULL && *client_id && client_secret != NULL && *client_secret;
}

gboolean
bkt_client_credentials_resolve(BktKind kind, const char **id, const char **secret,
                               GError **error)
{
  if (kind == BKT_KIND_CLOUD) {
    cloud_consumer(id, secret);
    if (*id == NULL || *secret == NULL) {
      g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                          _("this build of bkt-auth has no OAuth consumer for Bitbucket Cloud: "
                            "add one to a workspace (Settings > OAuth consumers, callback URL "
                            "http://127.0.0.1) and set BKT_OAUTH_CLIENT_ID and "
                            "BKT_OAUTH_CLIENT_SECRET to its key and secret"));
      return FALSE;
    }
  } else if (*id == NULL || **id == '\0' || *secret == NULL || **secret == '\0') {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("a Data Center login needs the Client ID and Client secret of an "
                          "application link: pass --client-id ID and --client-secret-file FILE "
                          "(ask your Bitbucket admin for them)"));
    return FALSE;
  }
  return TRUE;
}

/* What a Data Center application link issues (its View credentials dialog). */
#define DC_CLIENT_ID_LEN 32
#define DC_CLIENT_SECRET_LEN 64

gboolean
bkt_client_credentials_check(BktKind kind, const char *id, const char *secret, int *bad_field,
                             GError **error)
{
  *bad_field = id == NULL || *id == '\0' ? 0 : 1;
  if (id == NULL || *id == '\0' || secret == NULL || *secret == '\0') {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE, _("Both fields are needed."));
    return FALSE;
  }
  *bad_field = strpbrk(id, " \t") != NULL ? 0 : 1;
  if (strpbrk(id, " \t") != NULL || strpbrk(secret, " \t") != NULL) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_USAGE,
                        _("The ID and the secret contain no spaces: copy them again."));
    return FALSE;
  }
  if (kind == BKT_KIND_DC && strlen(id) != DC_CLIENT_ID_LEN) {
    *bad_field = 0;
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("A Client ID has %d characters; this one has %zu. Copy it again from View "
                  "credentials."), DC_CLIENT_ID_LEN, strlen(id));
    return FALSE;
  }
  if (kind == BKT_KIND_DC && strlen(secret) != DC_CLIENT_SECRET_LEN) {
    *bad_field = 1;
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("A Client secret has %d characters; this one has %zu. Copy it again from "
                  "View credentials."), DC_CLIENT_SECRET_LEN, strlen(secret));
    return FALSE;
  }
  return TRUE;
}

