/* SPDX-License-Identifier: MIT */
/*
 * The tests' window on what bkt (the Go CLI) reads, written apart from bkt-auth's own code:
 *
 *   bkt-reader yaml FILE             the YAML document as JSON (scalars as strings) on stdout
 *   bkt-reader item KEY              bkt's keyring items of host KEY, as bkt finds them: the
 *                                    collection at /org/freedesktop/secrets/collection/bkt,
 *                                    searched by {"profile": "host/KEY/token"}; each item's
 *                                    path, label, attributes, content type, whether it is
 *                                    locked, and its secret (a pipe to the test, never shown)
 *   bkt-reader make-collection PASS  make that collection through GNOME Keyring's
 *                                    CreateWithMasterPassword, so no prompt is needed
 *   bkt-reader lock | unlock PASS | delete
 *                                    lock it, unlock it (UnlockWithMasterPassword), remove it
 *
 * Exit 0 on success, 1 with a message on stderr otherwise.
 */
#define SECRET_API_SUBJECT_TO_CHANGE 1
#include <cjson/cJSON.h>
#include <libsecret/secret.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#define COLLECTION "/org/freedesktop/secrets/collection/bkt"
#define GKD_INTERFACE "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"

static int
fail(const char *what, const GError *error)
{
  fprintf(stderr, "bkt-reader: %s%s%s\n", what, error != NULL ? ": " : "",
          error != NULL ? error->message : "");
  return 1;
}

/* ---- YAML ---- */

static cJSON *
to_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
  if (n == NULL || depth > 64)
    return cJSON_CreateNull();
  switch (n->type) {
  case YAML_SCALAR_NODE: {
    char *text = g_strndup((const char *)n->data.scalar.value, n->data.scalar.length);
    cJSON *s = cJSON_CreateString(text);
    g_free(text);
    return s;
  }
  case YAML_SEQUENCE_NODE: {
    cJSON *a = cJSON_CreateArray();
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
      cJSON_AddItemToArray(a, to_json(doc, yaml_document_get_node(doc, *i), depth + 1));
    return a;
  }
  case YAML_MAPPING_NODE: {
    cJSON *o = cJSON_CreateObject();
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
      yaml_node_t *k = yaml_document_get_node(doc, p->key);
      if (k == NULL || k->type != YAML_SCALAR_NODE)
        continue;
      char *key = g_strndup((const char *)k->data.scalar.value, k->data.scalar.length);
      cJSON_AddItemToObject(o, key, to_json(doc, yaml_document_get_node(doc, p->value), depth + 1));
      g_free(key);
    }
    return o;
  }
  default:
    return cJSON_CreateNull();
  }
}

static int
cmd_yaml(const char *path)
{
  char *text = NULL;
  gsize len = 0;
  GError *error = NULL;
  if (!g_file_get_contents(path, &text, &len, &error))
    return fail("cannot read the file", error);
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  if (!yaml_parser_load(&parser, &doc))
    return fail(parser.problem != NULL ? parser.problem : "not YAML", NULL);
  cJSON *json = to_json(&doc, yaml_document_get_root_node(&doc), 0);
  char *out = cJSON_PrintUnformatted(json);
  printf("%s\n", out);
  free(out);
  cJSON_Delete(json);
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  g_free(text);
  return 0;
}

/* ---- the keyring ---- */

static SecretService *
service(GError **error)
{
  return secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION | SECRET_SERVICE_LOAD_COLLECTIONS,
                                 NULL, error);
}

static SecretCollection *
collection(SecretService *svc)
{
  SecretCollection *found = NULL;
  GList *all = secret_service_get_collections(svc);
  for (GList *l = all; l != NULL; l = l->next)
    if (found == NULL && strcmp(g_dbus_proxy_get_object_path(l->data), COLLECTION) == 0)
      found = g_object_ref(l->data);
  g_list_free_full(all, g_object_unref);
  return found;
}

static int
cmd_item(const char *key)
{
  GError *error = NULL;
  SecretService *svc = service(&error);
  if (svc == NULL)
    return fail("no Secret Service", error);
  SecretCollection *col = collection(svc);
  cJSON *out = cJSON_CreateObject();
  cJSON_AddBoolToObject(out, "collection", col != NULL);
  cJSON *list = cJSON_AddArrayToObject(out, "items");
  if (col != NULL) {
    cJSON_AddBoolToObject(out, "locked", secret_collection_get_locked(col));
    char *profile = g_strdup_printf("host/%s/token", key);
    GHashTable *attrs = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(attrs, "profile", profile);
    GList *items = secret_collection_search_sync(col, NULL, attrs,
                                                 SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS,
                                                 NULL, &error);
    if (error != NULL)
      return fail("search failed", error);
    for (GList *l = items; l != NULL; l = l->next) {
      SecretItem *item = l->data;
      cJSON *o = cJSON_CreateObject();
      cJSON_AddStringToObject(o, "path", g_dbus_proxy_get_object_path(G_DBUS_PROXY(item)));
      char *label = secret_item_get_label(item);
      cJSON_AddStringToObject(o, "label", label);
      g_free(label);
      cJSON *a = cJSON_AddObjectToObject(o, "attributes");
      GHashTable *have = secret_item_get_attributes(item);
      GHashTableIter it;
      gpointer k, v;
      g_hash_table_iter_init(&it, have);
      while (g_hash_table_iter_next(&it, &k, &v))
        cJSON_AddStringToObject(a, k, v);
      g_hash_table_unref(have);
      cJSON_AddBoolToObject(o, "locked", secret_item_get_locked(item));
      SecretValue *value = secret_item_get_secret(item);
      if (value != NULL) {
        gsize len = 0;
        const char *text = secret_value_get(value, &len);
        char *copy = g_strndup(text, len);
        cJSON_AddStringToObject(o, "content_type", secret_value_get_content_type(value));
        cJSON_AddStringToObject(o, "secret", copy);
        g_free(copy);
        secret_value_unref(value);
      }
      cJSON_AddItemToArray(list, o);
    }
    g_list_free_full(items, g_object_unref);
    g_hash_table_unref(attrs);
    g_free(profile);
    g_object_unref(col);
  }
  char *text = cJSON_PrintUnformatted(out);
  printf("%s\n", text);
  free(text);
  cJSON_Delete(out);
  g_object_unref(svc);
  return 0;
}

/* A GNOME Keyring call with the master password as a secret of our session. */
static int
call_with_password(const char *method, GVariant *first, const char *password)
{
  GError *error = NULL;
  SecretService *svc = service(&error);
  if (svc == NULL)
    return fail("no Secret Service", error);
  SecretValue *value = secret_value_new(password, -1, "text/plain");
  GVariant *secret = secret_service_encode_dbus_secret(svc, value);
  secret_value_unref(value);
  GVariant *reply = g_dbus_connection_call_sync(
    g_dbus_proxy_get_connection(G_DBUS_PROXY(svc)), "org.freedesktop.secrets",
    "/org/freedesktop/secrets", GKD_INTERFACE, method, g_variant_new("(@*@(oayays))", first, secret),
    NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_object_unref(svc);
  if (reply == NULL)
    return fail(method, error);
  g_variant_unref(reply);
  return 0;
}

static int
cmd_make_collection(const char *password)
{
  GVariantBuilder props;
  g_variant_builder_init(&props, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&props, "{sv}", "org.freedesktop.Secret.Collection.Label",
                        g_variant_new_string("bkt"));
  return call_with_password("CreateWithMasterPassword", g_variant_builder_end(&props), password);
}

static int
cmd_lock_or_delete(gboolean delete)
{
  GError *error = NULL;
  SecretService *svc = service(&error);
  if (svc == NULL)
    return fail("no Secret Service", error);
  SecretCollection *col = collection(svc);
  if (col == NULL)
    return delete ? 0 : fail("there is no collection 'bkt'", NULL);
  GList *objects = g_list_append(NULL, col);
  gboolean ok = delete ? secret_collection_delete_sync(col, NULL, &error)
                       : secret_service_lock_sync(svc, objects, NULL, NULL, &error) == 1;
  g_list_free(objects);
  g_object_unref(col);
  g_object_unref(svc);
  return ok ? 0 : fail(delete ? "delete failed" : "lock failed", error);
}

int
main(int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "";
  if (strcmp(cmd, "yaml") == 0 && argc == 3)
    return cmd_yaml(argv[2]);
  if (strcmp(cmd, "item") == 0 && argc == 3)
    return cmd_item(argv[2]);
  if (strcmp(cmd, "make-collection") == 0 && argc == 3)
    return cmd_make_collection(argv[2]);
  if (strcmp(cmd, "lock") == 0 && argc == 2)
    return cmd_lock_or_delete(FALSE);
  if (strcmp(cmd, "delete") == 0 && argc == 2)
    return cmd_lock_or_delete(TRUE);
  if (strcmp(cmd, "unlock") == 0 && argc == 3)
    return call_with_password("UnlockWithMasterPassword",
                              g_variant_new_object_path(COLLECTION), argv[2]);
  fprintf(stderr, "usage: bkt-reader yaml FILE | item KEY | make-collection PASSWORD | lock | "
                  "unlock PASSWORD | delete\n");
  return 2;
}
