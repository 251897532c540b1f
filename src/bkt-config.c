/* SPDX-License-Identifier: MIT */
/* bkt's config.yml through libyaml's document API: what is not ours is left as it was. */
#include "config.h"

#include "bkt-config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "files.h"

/* bkt writes a few hundred bytes; anything this large is not its file. */
#define MAX_CONFIG (1024 * 1024)
/* The format of config.yml that bkt 0.31 writes and bkt-auth knows. */
#define KNOWN_VERSION "1"

struct BktBktConfig {
  char *path;
  char *original;  /* the text as read; NULL when there was no file */
  yaml_document_t doc;
  gboolean have_doc;
};

char *
bkt_bkt_config_path(void)
{
  const char *dir = g_getenv("BKT_CONFIG_DIR");
  if (dir != NULL && *dir != '\0')
    return g_build_filename(dir, "config.yml", NULL);
  return g_build_filename(g_get_user_config_dir(), "bkt", "config.yml", NULL);
}

void
bkt_bkt_config_free(BktBktConfig *c)
{
  if (c == NULL)
    return;
  if (c->have_doc)
    yaml_document_delete(&c->doc);
  g_free(c->path);
  g_free(c->original);
  g_free(c);
}

const char *
bkt_bkt_config_file(const BktBktConfig *c)
{
  return c->path;
}

const char *
bkt_bkt_config_original(const BktBktConfig *c)
{
  return c->original;
}

/* ---- nodes ---- */

static yaml_node_t *
node(const BktBktConfig *c, int id)
{
  return id > 0 ? yaml_document_get_node((yaml_document_t *)&c->doc, id) : NULL;
}

static gboolean
scalar_is(const yaml_node_t *n, const char *text)
{
  return n != NULL && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(text) &&
         memcmp(n->data.scalar.value, text, n->data.scalar.length) == 0;
}

/* The pair of a mapping whose key is the text; NULL when none. Valid until nodes are added. */
static yaml_node_pair_t *
pair_of(const BktBktConfig *c, int map, const char *key)
{
  yaml_node_t *m = node(c, map);
  if (m == NULL || m->type != YAML_MAPPING_NODE)
    return NULL;
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
    if (scalar_is(node(c, p->key), key))
      return p;
  return NULL;
}

/* The value of a mapping's key: its node id, or 0. */
static int
get(const BktBktConfig *c, int map, const char *key)
{
  yaml_node_pair_t *p = pair_of(c, map, key);
  return p != NULL ? p->value : 0;
}

static int
root(const BktBktConfig *c)
{
  return c->have_doc && node(c, 1) != NULL ? 1 : 0;
}

/* The text of a scalar node; NULL for anything else. Newly allocated. */
static char *
text_of(const BktBktConfig *c, int id)
{
  yaml_node_t *n = node(c, id);
  if (n == NULL || n->type != YAML_SCALAR_NODE)
    return NULL;
  return g_strndup((const char *)n->data.scalar.value, n->data.scalar.length);
}

/* Whether a plain scalar of this text would be read as something other than a string (a
 * number, a boolean, null), or could not be plain at all. */
static gboolean
needs_quotes(const char *s)
{
  static const char *const words[] = { "true", "false", "yes", "no", "on", "off", "y", "n",
                                       "null", "~", NULL };
  if (*s == '\0' || g_ascii_isdigit(*s) || strchr("+-.", *s) != NULL)
    return TRUE;
  for (const char *const *w = words; *w != NULL; w++)
    if (g_ascii_strcasecmp(s, *w) == 0)
      return TRUE;
  return FALSE;
}

static int
add_string(BktBktConfig *c, const char *s)
{
  return yaml_document_add_scalar(&c->doc, NULL, (yaml_char_t *)s, (int)strlen(s),
                                  needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                                  : YAML_ANY_SCALAR_STYLE);
}

/* A plain scalar such as the version number, which a reader resolves to an integer. */
static int
add_plain(BktBktConfig *c, const char *s)
{
  return yaml_document_add_scalar(&c->doc, NULL, (yaml_char_t *)s, (int)strlen(s),
                                  YAML_PLAIN_SCALAR_STYLE);
}

static int
add_mapping(BktBktConfig *c)
{
  return yaml_document_add_mapping(&c->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
}

/* Set a mapping's key to the node value: the pair in place, else a new pair at the end. */
static void
put(BktBktConfig *c, int map, const char *key, int value)
{
  yaml_node_pair_t *p = pair_of(c, map, key);
  if (p != NULL) {
    p->value = value;
    return;
  }
  int k = add_string(c, key);
  yaml_document_append_mapping_pair(&c->doc, map, k, value);
}

/* Remove a mapping's key; FALSE when it had none. The value's nodes stay, unreachable: the
 * emitter writes only what the root reaches. */
static gboolean
drop(BktBktConfig *c, int map, const char *key)
{
  yaml_node_pair_t *p = pair_of(c, map, key);
  if (p == NULL)
    return FALSE;
  yaml_node_t *m = node(c, map);
  if (m == NULL)
    return FALSE;
  memmove(p, p + 1, (size_t)(m->data.mapping.pairs.top - (p + 1)) * sizeof *p);
  m->data.mapping.pairs.top--;
  return TRUE;
}

/* The mapping under the root's key, made when missing. */
static int
section(BktBktConfig *c, const char *key)
{
  int id = get(c, root(c), key);
  yaml_node_t *n = node(c, id);
  if (n != NULL && n->type == YAML_MAPPING_NODE)
    return id;
  id = add_mapping(c);
  put(c, root(c), key, id);
  return id;
}

/* ---- reading ---- */

static void
new_document(BktBktConfig *c)
{
  yaml_document_initialize(&c->doc, NULL, NULL, NULL, 1, 1);
  c->have_doc = TRUE;
  int map = add_mapping(c);
  put(c, map, "version", add_plain(c, KNOWN_VERSION));
}

static gboolean
damaged(GError **error, const char *path, const char *what)
{
  g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
              _("bkt's configuration '%s' is not laid out as bkt writes it (%s): fix it, or "
                "move it aside and let bkt-auth write a new one"), path, what);
  return FALSE;
}

/* What bkt's own reading would choke on, or a version it may have changed the layout for. */
static gboolean
check_layout(BktBktConfig *c, GError **error)
{
  yaml_node_t *top = node(c, root(c));
  if (top == NULL || top->type != YAML_MAPPING_NODE)
    return damaged(error, c->path, _("the top is not a mapping"));
  static const char *const sections[] = { "contexts", "hosts", NULL };
  for (const char *const *s = sections; *s != NULL; s++) {
    yaml_node_t *n = node(c, get(c, root(c), *s));
    if (n != NULL && n->type != YAML_MAPPING_NODE &&
        !(n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0)) {
      g_autofree char *what = g_strdup_printf(_("'%s' is not a mapping"), *s);
      return damaged(error, c->path, what);
    }
  }
  g_autofree char *version = text_of(c, get(c, root(c), "version"));
  if (version != NULL && strcmp(version, KNOWN_VERSION) != 0) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("bkt's configuration '%s' has version %s, and this bkt-auth knows only "
                  "version 1: upgrade bkt-auth, or use 'bkt-auth exec -- bkt' meanwhile"),
                c->path, version);
    return FALSE;
  }
  return TRUE;
}

static gboolean
load_text(BktBktConfig *c, const char *text, size_t len, GError **error)
{
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  gboolean ok = yaml_parser_load(&parser, &c->doc) != 0;
  if (!ok)
    g_set_error(error, BKT_ERROR, BKT_ERROR_USAGE,
                _("bkt's configuration '%s' cannot be read: %s at line %lu; fix it, or move "
                  "it aside and let bkt-auth write a new one"),
                c->path, parser.problem != NULL ? parser.problem : _("not YAML"),
                (unsigned long)parser.problem_mark.line + 1);
  yaml_parser_delete(&parser);
  if (!ok)
    return FALSE;
  c->have_doc = TRUE;
  if (root(c) == 0) {
    /* An empty file: what bkt reads as an empty configuration. */
    yaml_document_delete(&c->doc);
    c->have_doc = FALSE;
    new_document(c);
  }
  return check_layout(c, error);
}

BktBktConfig *
bkt_bkt_config_parse(const char *text, size_t len, const char *path, GError **error)
{
  BktBktConfig *c = g_new0(BktBktConfig, 1);
  c->path = g_strdup(path);
  if (text == NULL) {
    new_document(c);
    return c;
  }
  c->original = g_strndup(text, len);
  if (len > MAX_CONFIG || strlen(c->original) != len) {
    damaged(error, path, len > MAX_CONFIG ? _("it is larger than 1 MiB")
                                          : _("it holds a NUL byte"));
    bkt_bkt_config_free(c);
    return NULL;
  }
  if (!load_text(c, text, len, error)) {
    bkt_bkt_config_free(c);
    return NULL;
  }
  return c;
}

BktBktConfig *
bkt_bkt_config_load(GError **error)
{
  g_autofree char *path = bkt_bkt_config_path();
  g_autofree char *text = NULL;
  size_t len = 0;
  if (!bkt_file_read(path, &text, &len, error))
    return NULL;
  return bkt_bkt_config_parse(text, len, path, error);
}

/* ---- questions ---- */

char *
bkt_bkt_config_active(const BktBktConfig *c)
{
  g_autofree char *name = text_of(c, get(c, root(c), "active_context"));
  return name != NULL && *name != '\0' ? g_steal_pointer(&name) : NULL;
}

gboolean
bkt_bkt_config_has_context(const BktBktConfig *c, const char *name)
{
  return get(c, get(c, root(c), "contexts"), name) != 0;
}

char *
bkt_bkt_config_context_host(const BktBktConfig *c, const char *name)
{
  int ctx = get(c, get(c, root(c), "contexts"), name);
  g_autofree char *key = text_of(c, get(c, ctx, "host"));
  return key != NULL && *key != '\0' ? g_steal_pointer(&key) : NULL;
}

gboolean
bkt_bkt_config_has_host(const BktBktConfig *c, const char *key)
{
  return get(c, get(c, root(c), "hosts"), key) != 0;
}

char *
bkt_bkt_config_host_field(const BktBktConfig *c, const char *key, const char *field)
{
  int host = get(c, get(c, root(c), "hosts"), key);
  g_autofree char *value = text_of(c, get(c, host, field));
  return value != NULL && *value != '\0' ? g_steal_pointer(&value) : NULL;
}

/* ---- changes ---- */

void
bkt_bkt_config_set_host(BktBktConfig *c, const char *key, const BktBktHost *h)
{
  int hosts = section(c, "hosts");
  int entry = add_mapping(c);
  /* In the order bkt writes its fields. */
  put(c, entry, "kind", add_string(c, h->kind));
  put(c, entry, "base_url", add_string(c, h->base_url));
  if (h->username != NULL)
    put(c, entry, "username", add_string(c, h->username));
  put(c, entry, "auth_method", add_string(c, h->auth_method));
  put(c, hosts, key, entry);
}

gboolean
bkt_bkt_config_remove_host(BktBktConfig *c, const char *key)
{
  return drop(c, get(c, root(c), "hosts"), key);
}

void
bkt_bkt_config_set_context(BktBktConfig *c, const char *name, const char *key)
{
  int contexts = section(c, "contexts");
  int ctx = add_mapping(c);
  put(c, ctx, "host", add_string(c, key));
  put(c, contexts, name, ctx);
}

gboolean
bkt_bkt_config_remove_context(BktBktConfig *c, const char *name)
{
  return drop(c, get(c, root(c), "contexts"), name);
}

void
bkt_bkt_config_set_active(BktBktConfig *c, const char *name)
{
  if (name == NULL)
    drop(c, root(c), "active_context");
  else
    put(c, root(c), "active_context", add_string(c, name));
}

/* ---- writing ---- */

static int
on_output(void *data, unsigned char *buffer, size_t size)
{
  g_string_append_len(data, (const char *)buffer, (gssize)size);
  return 1;
}

char *
bkt_bkt_config_print(BktBktConfig *c, GError **error)
{
  yaml_emitter_t emitter;
  yaml_emitter_initialize(&emitter);
  GString *out = g_string_new(NULL);
  yaml_emitter_set_output(&emitter, on_output, out);
  yaml_emitter_set_unicode(&emitter, 1);
  yaml_emitter_set_width(&emitter, -1);
  /* Dumping consumes the document: it is read back from the text below. */
  c->have_doc = FALSE;
  gboolean ok = yaml_emitter_open(&emitter) && yaml_emitter_dump(&emitter, &c->doc) &&
                yaml_emitter_close(&emitter) && yaml_emitter_flush(&emitter);
  if (!ok)
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED,
                _("cannot write bkt's configuration '%s': %s"), c->path,
                emitter.problem != NULL ? emitter.problem : _("out of memory"));
  yaml_emitter_delete(&emitter);
  g_autoptr(GError) again = NULL;
  if (ok && !load_text(c, out->str, out->len, &again)) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED,
                _("cannot write bkt's configuration '%s': %s"), c->path, again->message);
    ok = FALSE;
  }
  if (!c->have_doc)
    new_document(c);
  return g_string_free(out, !ok);
}

gboolean
bkt_bkt_config_save(BktBktConfig *c, GError **error)
{
  g_autofree char *text = bkt_bkt_config_print(c, error);
  if (text == NULL)
    return FALSE;
  g_autofree char *dir = g_path_get_dirname(c->path);
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    int e = errno;
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED, _("cannot make the folder '%s': %s"), dir,
                g_strerror(e));
    return FALSE;
  }
  return bkt_file_write(c->path, text, strlen(text), error);
}
