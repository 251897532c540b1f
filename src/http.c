/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/select.h>

#include "error.h"
#include "secret.h"
#include "tame.h"

#define MAX_BODY (1024 * 1024)

struct BktHttp {
  CURLM *multi;
  CURL *easy;
  char *ca_file;
  struct curl_slist *headers;
  BktSecret *auth_header; /* "Authorization: ..." */
  BktSecret *form;
  char *host;             /* for messages */
  gboolean finished;
  CURLcode result;
  gboolean too_big;
  gboolean tls_failed;    /* the last request failed on TLS: the certificate, the handshake */
  char errbuf[CURL_ERROR_SIZE];
  BktHttpResponse resp;
};

/*
 * libcurl and its TLS stack cost milliseconds and megabytes to load, more than handing out a
 * stored token does in all: load them only when a request is made.
 */
static struct {
  CURLcode (*global_init)(long flags);
  CURLM *(*multi_init)(void);
  CURLMcode (*multi_cleanup)(CURLM *multi);
  CURLMcode (*multi_add_handle)(CURLM *multi, CURL *easy);
  CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *easy);
  CURLMcode (*multi_perform)(CURLM *multi, int *running);
  CURLMcode (*multi_fdset)(CURLM *multi, fd_set *r, fd_set *w, fd_set *x, int *max_fd);
  CURLMcode (*multi_timeout)(CURLM *multi, long *ms);
  CURLMsg *(*multi_info_read)(CURLM *multi, int *left);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *easy);
  CURLcode (*easy_setopt)(CURL *easy, CURLoption option, ...);
  CURLcode (*easy_getinfo)(CURL *easy, CURLINFO info, ...);
  const char *(*easy_strerror)(CURLcode code);
  struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
  void (*slist_free_all)(struct curl_slist *list);
  curl_version_info_data *(*version_info)(CURLversion age);
  time_t (*getdate)(const char *text, const time_t *unused);
} lc;

static gsize curl_ready;
static char *curl_load_error;

#define SYM(name) { #name, (void **)&lc.name }

/* Open libcurl and find what we use; once per process. */
static gboolean
curl_load(GError **error)
{
  if (g_once_init_enter(&curl_ready)) {
    static const char *const sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4" };
    static const struct {
      const char *name;
      void **slot;
    } syms[] = {
      SYM(global_init), SYM(multi_init), SYM(multi_cleanup), SYM(multi_add_handle),
      SYM(multi_remove_handle), SYM(multi_perform), SYM(multi_fdset), SYM(multi_timeout),
      SYM(multi_info_read), SYM(easy_init), SYM(easy_cleanup), SYM(easy_setopt),
      SYM(easy_getinfo), SYM(easy_strerror), SYM(slist_append), SYM(slist_free_all),
      SYM(version_info), SYM(getdate),
    };
    void *lib = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(sonames) && lib == NULL; i++)
      lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
    for (size_t i = 0; lib != NULL && i < G_N_ELEMENTS(syms); i++) {
      g_autofree char *full = g_strconcat("curl_", syms[i].name, NULL);
      *syms[i].slot = dlsym(lib, full);
      if (*syms[i].slot == NULL)
        curl_load_error = g_strdup_printf(_("libcurl has no %s: install a newer libcurl4"), full);
    }
    if (lib == NULL)
      curl_load_error = g_strdup_printf(_("cannot load libcurl (%s): install the libcurl4 "
                                          "package"), dlerror());
    if (curl_load_error == NULL)
      lc.global_init(CURL_GLOBAL_DEFAULT);
    g_once_init_leave(&curl_ready, 1);
  }
  if (curl_load_error != NULL) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_FAILED, curl_load_error);
    return FALSE;
  }
  return TRUE;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ud)
{
  BktHttp *http = ud;
  size_t n = size * nmemb;
  if (!bkt_secret_append(http->resp.body, data, n)) {
    http->too_big = TRUE;
    return 0;
  }
  return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *ud)
{
  BktHttp *http = ud;
  size_t n = size * nmemb;
  if (n >= 5 && g_ascii_strncasecmp(data, "HTTP/", 5) == 0) {
    /* A new response (after a 100 Continue or a redirect): forget the previous headers. */
    g_hash_table_remove_all(http->resp.headers);
    return n;
  }
  const char *colon = memchr(data, ':', n);
  if (colon == NULL || g_hash_table_size(http->resp.headers) > 200)
    return n;
  char *name = g_ascii_strdown(data, colon - data);
  char *value = g_strstrip(g_strndup(colon + 1, n - (size_t)(colon + 1 - data)));
  g_hash_table_replace(http->resp.headers, name, value);
  return n;
}

BktHttp *
bkt_http_new(const char *ca_file, GError **error)
{
  if (!curl_load(error))
    return NULL;
  BktHttp *http = g_new0(BktHttp, 1);
  http->multi = lc.multi_init();
  http->ca_file = g_strdup(ca_file);
  if (http->multi == NULL) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_FAILED, _("cannot start libcurl"));
    bkt_http_free(http);
    return NULL;
  }
  return http;
}

static void
request_clear(BktHttp *http)
{
  if (http->easy != NULL) {
    lc.multi_remove_handle(http->multi, http->easy);
    lc.easy_cleanup(http->easy);
    http->easy = NULL;
  }
  /* curl copied the Authorization header into the list: wipe the copies before freeing. */
  for (struct curl_slist *item = http->headers; item != NULL; item = item->next)
    bkt_wipe(item->data, strlen(item->data));
  lc.slist_free_all(http->headers);
  http->headers = NULL;
  g_clear_pointer(&http->auth_header, bkt_secret_free);
  g_clear_pointer(&http->form, bkt_secret_free);
  g_clear_pointer(&http->host, g_free);
  bkt_http_response_clear(&http->resp);
  http->finished = FALSE;
  http->too_big = FALSE;
  http->result = CURLE_OK;
  http->errbuf[0] = '\0';
}

void
bkt_http_free(BktHttp *http)
{
  if (http == NULL)
    return;
  request_clear(http);
  if (http->multi != NULL)
    lc.multi_cleanup(http->multi);
  g_free(http->ca_file);
  g_free(http);
}

void
bkt_http_cancel(BktHttp *http)
{
  request_clear(http);
}

gboolean
bkt_http_start(BktHttp *http, const BktHttpRequest *req, GError **error)
{
  request_clear(http);
  g_autoptr(GUri) uri = g_uri_parse(req->url, G_URI_FLAGS_NONE, NULL);
  http->host = g_strdup(uri != NULL && g_uri_get_host(uri) ? g_uri_get_host(uri) : req->url);
  http->resp.body = bkt_secret_new(MAX_BODY);
  http->resp.headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

  CURL *e = lc.easy_init();
  if (e == NULL) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_FAILED, _("cannot start libcurl"));
    return FALSE;
  }
  http->easy = e;
  lc.easy_setopt(e, CURLOPT_URL, req->url);
  lc.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  lc.easy_setopt(e, CURLOPT_USERAGENT, "bkt-auth/" PACKAGE_VERSION);
  lc.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  long timeout_s = req->timeout_s > 0 ? req->timeout_s : 30L;
  lc.easy_setopt(e, CURLOPT_CONNECTTIMEOUT, MIN(15L, timeout_s));
  lc.easy_setopt(e, CURLOPT_TIMEOUT, timeout_s);
  lc.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  lc.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  lc.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  lc.easy_setopt(e, CURLOPT_ERRORBUFFER, http->errbuf);
  lc.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  lc.easy_setopt(e, CURLOPT_WRITEDATA, http);
  lc.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  lc.easy_setopt(e, CURLOPT_HEADERDATA, http);
  /* --ca-file, else SSL_CERT_FILE as other TLS programs honour it; the system CA directory
   * stays in use either way. */
  const char *ca = http->ca_file != NULL ? http->ca_file : g_getenv("SSL_CERT_FILE");
  if (ca != NULL && *ca != '\0')
    lc.easy_setopt(e, CURLOPT_CAINFO, ca);

  http->headers = lc.slist_append(NULL, "Accept: application/json");
  if (req->bearer != NULL) {
    http->auth_header = bkt_secret_new(BKT_SECRET_MAX + 64);
    bkt_secret_append(http->auth_header, "Authorization: Bearer ", 22);
    bkt_secret_append(http->auth_header, req->bearer, strlen(req->bearer));
  } else if (req->basic_user != NULL) {
    /* Built here rather than by CURLOPT_USERPWD, so that every copy is ours to wipe. */
    g_autoptr(BktSecret) pair = bkt_secret_new(2 * BKT_SECRET_MAX);
    bkt_secret_append(pair, req->basic_user, strlen(req->basic_user));
    bkt_secret_append_c(pair, ':');
    bkt_secret_append(pair, req->basic_password, strlen(req->basic_password));
    char *b64 = g_base64_encode((const guchar *)bkt_secret_str(pair), bkt_secret_len(pair));
    http->auth_header = bkt_secret_new(3 * BKT_SECRET_MAX);
    bkt_secret_append(http->auth_header, "Authorization: Basic ", 21);
    bkt_secret_append(http->auth_header, b64, strlen(b64));
    bkt_wipe_free(b64);
  }
  if (http->auth_header != NULL)
    http->headers = lc.slist_append(http->headers, bkt_secret_str(http->auth_header));
  if (g_strcmp0(req->method, "POST") == 0) {
    http->form = req->form != NULL ? bkt_secret_dup(req->form) : bkt_secret_new(0);
    http->headers =
      lc.slist_append(http->headers, "Content-Type: application/x-www-form-urlencoded");
    lc.easy_setopt(e, CURLOPT_POSTFIELDS, bkt_secret_str(http->form));
    lc.easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)bkt_secret_len(http->form));
  }
  lc.easy_setopt(e, CURLOPT_HTTPHEADER, http->headers);
  lc.multi_add_handle(http->multi, e);
  int running;
  lc.multi_perform(http->multi, &running);
  return TRUE;
}

int
bkt_http_pollfds(BktHttp *http, struct pollfd *fds, int max)
{
  if (http->easy == NULL || http->finished)
    return 0;
  fd_set r, w, x;
  int maxfd = -1, n = 0;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_ZERO(&x);
  lc.multi_fdset(http->multi, &r, &w, &x, &maxfd);
  for (int fd = 0; fd <= maxfd && n < max; fd++) {
    short ev = (FD_ISSET(fd, &r) ? POLLIN : 0) | (FD_ISSET(fd, &w) ? POLLOUT : 0) |
               (FD_ISSET(fd, &x) ? POLLPRI : 0);
    if (ev != 0)
      fds[n++] = (struct pollfd){ .fd = fd, .events = ev };
  }
  return n;
}

int
bkt_http_timeout_ms(BktHttp *http)
{
  if (http->easy == NULL || http->finished)
    return -1;
  long ms = -1;
  lc.multi_timeout(http->multi, &ms);
  /* No socket yet (the resolver is busy): curl asks to be called again soon. */
  if (ms < 0 || ms > 200)
    ms = 200;
  return (int)ms;
}

gboolean
bkt_http_dispatch(BktHttp *http)
{
  if (http->easy == NULL)
    return FALSE;
  if (http->finished)
    return TRUE;
  int running = 0;
  lc.multi_perform(http->multi, &running);
  CURLMsg *msg;
  int left;
  while ((msg = lc.multi_info_read(http->multi, &left)) != NULL) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == http->easy) {
      http->finished = TRUE;
      http->result = msg->data.result;
      lc.easy_getinfo(http->easy, CURLINFO_RESPONSE_CODE, &http->resp.status);
    }
  }
  return http->finished;
}

gboolean
bkt_http_finish(BktHttp *http, BktHttpResponse *out, GError **error)
{
  memset(out, 0, sizeof *out);
  gboolean ok = FALSE;
  /* libcurl's words may quote what a server sent: tamed before they reach a terminal. */
  g_autofree char *why = http->finished ? bkt_text_tame(http->errbuf[0] != '\0'
                                                          ? http->errbuf
                                                          : lc.easy_strerror(http->result))
                                        : NULL;
  g_autofree char *host = bkt_text_tame(http->host);
  /* Given with --ca-file: the advice is about the file, not to give one. */
  g_autofree char *ca_shown = http->ca_file != NULL ? bkt_text_tame(http->ca_file) : NULL;
  http->tls_failed = http->finished && (http->result == CURLE_PEER_FAILED_VERIFICATION ||
                                        http->result == CURLE_SSL_CACERT_BADFILE ||
                                        http->result == CURLE_SSL_CERTPROBLEM ||
                                        http->result == CURLE_SSL_CONNECT_ERROR);
  if (!http->finished) {
    g_set_error_literal(error, BKT_ERROR, BKT_ERROR_FAILED, _("the request did not finish"));
  } else if (http->too_big) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_PROTOCOL,
                _("'%s' sent an answer larger than %d KiB: it does not look like Bitbucket"),
                host, MAX_BODY / 1024);
  } else if ((http->result == CURLE_PEER_FAILED_VERIFICATION ||
              http->result == CURLE_SSL_CACERT_BADFILE ||
              http->result == CURLE_SSL_CERTPROBLEM) && ca_shown != NULL) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_NETWORK,
                _("the certificate of '%s' is not trusted even with the CA file '%s' (%s): check "
                  "that the file holds the certificate of the authority that signed it"),
                host, ca_shown, why);
  } else if (http->result == CURLE_PEER_FAILED_VERIFICATION ||
             http->result == CURLE_SSL_CACERT_BADFILE || http->result == CURLE_SSL_CERTPROBLEM) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_NETWORK,
                _("the certificate of '%s' is not trusted (%s): if it uses a private "
                  "certificate authority, pass its certificate with --ca-file FILE"),
                host, why);
  } else if (http->result == CURLE_OPERATION_TIMEDOUT) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_NETWORK,
                _("'%s' did not answer in time: check the address and your network, then "
                  "try again"), host);
  } else if (http->result == CURLE_COULDNT_RESOLVE_HOST) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_NETWORK,
                _("cannot find the host '%s': check the spelling of the address"), host);
  } else if (http->result != CURLE_OK) {
    g_set_error(error, BKT_ERROR, BKT_ERROR_NETWORK, _("cannot reach '%s': %s"), host, why);
  } else {
    *out = http->resp;
    memset(&http->resp, 0, sizeof http->resp);
    ok = TRUE;
  }
  request_clear(http);
  return ok;
}

gboolean
bkt_http_perform(BktHttp *http, const BktHttpRequest *req, BktHttpResponse *out,
                 GError **error)
{
  if (!bkt_http_start(http, req, error))
    return FALSE;
  while (!bkt_http_dispatch(http)) {
    struct pollfd fds[16];
    int n = bkt_http_pollfds(http, fds, G_N_ELEMENTS(fds));
    poll(fds, (nfds_t)n, bkt_http_timeout_ms(http));
  }
  return bkt_http_finish(http, out, error);
}

gboolean
bkt_http_failed_on_tls(const BktHttp *http)
{
  return http->tls_failed;
}

char *
bkt_http_library_version(GError **error)
{
  if (!curl_load(error))
    return NULL;
  const curl_version_info_data *v = lc.version_info(CURLVERSION_NOW);
  if (v == NULL || v->version == NULL)
    return g_strdup("libcurl");
  if (v->ssl_version != NULL)
    return g_strdup_printf("libcurl %s (%s)", v->version, v->ssl_version);
  return g_strdup_printf("libcurl %s", v->version);
}

const char *
bkt_http_response_header(const BktHttpResponse *resp, const char *name)
{
  return resp->headers != NULL ? g_hash_table_lookup(resp->headers, name) : NULL;
}

void
bkt_http_response_clear(BktHttpResponse *resp)
{
  bkt_secret_free(resp->body);
  if (resp->headers != NULL)
    g_hash_table_unref(resp->headers);
  memset(resp, 0, sizeof *resp);
}

gboolean
bkt_form_add(BktSecret *form, const char *name, const char *value)
{
  /* Escaped a byte at a time into the form: no copy of a secret value is made elsewhere. */
  static const char hex[] = "0123456789ABCDEF";
  gboolean ok = bkt_secret_empty(form) || bkt_secret_append_c(form, '&');
  for (int part = 0; part < 2 && ok; part++) {
    const char *p = part == 0 ? name : value;
    for (; *p && ok; p++) {
      unsigned char c = (unsigned char)*p;
      if (g_ascii_isalnum(c) || strchr("-._~", c) != NULL) {
        ok = bkt_secret_append_c(form, (char)c);
      } else {
        char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
        ok = bkt_secret_append(form, esc, 3);
      }
    }
    if (part == 0 && ok)
      ok = bkt_secret_append_c(form, '=');
  }
  return ok;
}

gboolean
bkt_http_parse_date(const char *text, gint64 *unix_seconds)
{
  if (text == NULL || !curl_load(NULL))
    return FALSE;
  time_t t = lc.getdate(text, NULL);
  if (t == (time_t)-1)
    return FALSE;
  *unix_seconds = (gint64)t;
  return TRUE;
}
