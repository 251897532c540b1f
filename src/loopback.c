/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "loopback.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "browser.h"
#include "error.h"
#include "peer.h"
#include "secret.h"

#define MAX_CONNS 128
#define MAX_REQUEST 8192
#define READ_DEADLINE_US (5 * G_USEC_PER_SEC)
#define START_PATH "/start"

typedef struct {
  int fd;
  gint64 deadline;
  GString *buf;
} Conn;

struct BktLoopback {
  int listen_fd[2];
  int n_listen;
  guint16 port;
  char *path;
  char *state;
  char *start_path;   /* answered with a redirect to start_target, once that is set */
  char *start_url;
  char *start_target; /* the authorize URL */
  uid_t uid;
  gboolean wsl;
  Conn conns[MAX_CONNS];
  int n_conns;
  BktCallback result;
  gboolean have_result;
  gboolean result_owner_known;
};

/* Whose program sent a request. */
typedef enum {
  OWNER_US,
  OWNER_UNKNOWN, /* not found, or (under WSL) another user's, which may be Windows' relay */
  OWNER_OTHER,   /* another user of this machine */
  OWNER_GONE,    /* the peer closed or reset the connection: no browser waits for an answer */
} Owner;

/* Listen on a loopback address (addr: 4 or 16 bytes for family; NULL: 127.0.0.1 or ::1). */
static int
listen_on(int family, const guint8 *addr, guint16 port, int *err)
{
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
    a.sin6_addr = in6addr_loopback;
    if (addr != NULL)
      memcpy(&a.sin6_addr, addr, sizeof a.sin6_addr);
    rc = bind(fd, (struct sockaddr *)&a, sizeof a);
  } else {
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (addr != NULL)
      memcpy(&a.sin_addr, addr, sizeof a.sin_addr);
    rc = bind(fd, (struct sockaddr *)&a, sizeof a);
  }
  if (rc < 0 || listen(fd, 64) < 0) {
    *err = errno;
    close(fd);
    return -1;
  }
  return fd;
}

static guint16
bound_port(int fd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
    return 0;
  if (ss.ss_family == AF_INET6)
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

BktLoopback *
bkt_loopback_new(const char *bind_host, guint16 port, const char *path, const char *state,
                 GError **error)
{
  /* "localhost" is both 127.0.0.1 and ::1; an address is itself (any of 127.0.0.0/8). */
  gboolean both = g_ascii_strcasecmp(bind_host, "localhost") == 0;
  g_autoptr(GInetAddress) addr = both ? NULL : g_inet_address_new_from_string(bind_host);
  gboolean v6 = both || (addr != NULL && g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV6);
  gboolean v4 = both || !v6;
  const guint8 *bytes = addr != NULL ? g_inet_address_to_bytes(addr) : NULL;
  BktLoopback *lb = g_new0(BktLoopback, 1);
  lb->listen_fd[0] = lb->listen_fd[1] = -1;
  int err = 0;
  if (v4) {
    int fd = listen_on(AF_INET, v6 ? NULL : bytes, port, &err);
    if (fd < 0)
      goto fail;
    lb->listen_fd[lb->n_listen++] = fd;
    port = bound_port(fd);
  }
  if (v6) {
    int fd = listen_on(AF_INET6, v4 ? NULL : bytes, port, &err);
    if (fd >= 0) {
      lb->listen_fd[lb->n_listen++] = fd;
      port = bound_port(fd);
    } else if (!v4 || err == EADDRINUSE) {
      /* Without IPv6 on the machine, IPv4 alone serves "localhost". */
      goto fail;
    }
  }
  lb->port = port;
  lb->path = g_strdup(path);
  lb->state = g_strdup(state);
  lb->uid = getuid();
  lb->wsl = bkt_env_is_wsl();
  /* The start address never takes the redirect's place, whatever path that has. */
  lb->start_path = g_strdup(strcmp(path, START_PATH) != 0 ? START_PATH : START_PATH "-login");
  char *name = both ? g_strdup("localhost")
               : v6   ? g_strdup_printf("[%s]", bind_host)
                      : g_strdup(bind_host);
  lb->start_url = g_strdup_printf("http://%s:%u%s", name, (unsigned)port, lb->start_path);
  g_free(name);
  return lb;

fail:
  if (err == EADDRINUSE)
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED,
                _("port %u on this machine is already in use, so the browser cannot come back "
                  "to bkt-auth: stop the program using it (see 'ss -ltnp'), or register "
                  "another redirect URL and pass it with --redirect-uri"),
                (unsigned)port);
  else
    g_set_error(error, BKT_ERROR, BKT_ERROR_FAILED,
                _("cannot listen on %s port %u for the browser's redirect: %s"),
                bind_host, (unsigned)port, g_strerror(err));
  bkt_loopback_free(lb);
  return NULL;
}

static void
conn_close(BktLoopback *lb, int i)
{
  close(lb->conns[i].fd);
  bkt_wipe(lb->conns[i].buf->str, lb->conns[i].buf->len);
  g_string_free(lb->conns[i].buf, TRUE);
  lb->conns[i] = lb->conns[--lb->n_conns];
}

static void
stop_listening(BktLoopback *lb)
{
  for (int i = 0; i < lb->n_listen; i++)
    close(lb->listen_fd[i]);
  lb->n_listen = 0;
  while (lb->n_conns > 0)
    conn_close(lb, lb->n_conns - 1);
}

void
bkt_loopback_free(BktLoopback *lb)
{
  if (lb == NULL)
    return;
  stop_listening(lb);
  g_free(lb->path);
  g_free(lb->state);
  g_free(lb->start_path);
  g_free(lb->start_url);
  g_free(lb->start_target);
  bkt_callback_clear(&lb->result);
  g_free(lb);
}

guint16
bkt_loopback_port(const BktLoopback *lb)
{
  return lb->port;
}

void
bkt_loopback_set_start(BktLoopback *lb, const char *authorize_url)
{
  g_free(lb->start_target);
  lb->start_target = g_strdup(authorize_url);
}

const char *
bkt_loopback_start_url(const BktLoopback *lb)
{
  return lb->start_url;
}

const BktCallback *
bkt_loopback_result(const BktLoopback *lb)
{
  return lb->have_result ? &lb->result : NULL;
}

gboolean
bkt_loopback_result_owner_known(const BktLoopback *lb)
{
  return lb->have_result && lb->result_owner_known;
}

int
bkt_loopback_connections(const BktLoopback *lb)
{
  return lb->n_conns;
}

int
bkt_loopback_pollfds(const BktLoopback *lb, struct pollfd *fds, int max)
{
  int n = 0;
  for (int i = 0; i < lb->n_listen && n < max; i++)
    fds[n++] = (struct pollfd){ .fd = lb->listen_fd[i], .events = POLLIN };
  for (int i = 0; i < lb->n_conns && n < max; i++)
    fds[n++] = (struct pollfd){ .fd = lb->conns[i].fd, .events = POLLIN };
  return n;
}

int
bkt_loopback_timeout_ms(const BktLoopback *lb, gint64 now_us)
{
  gint64 first = G_MAXINT64;
  for (int i = 0; i < lb->n_conns; i++)
    first = MIN(first, lb->conns[i].deadline);
  if (first == G_MAXINT64)
    return -1;
  return first <= now_us ? 0 : (int)MIN((first - now_us + 999) / 1000, G_MAXINT);
}

/* Send a small self-contained page and close the connection. */
static void
respond(BktLoopback *lb, int i, int status, const char *reason, const char *title,
        const char *message)
{
  g_autofree char *t = g_markup_escape_text(title, -1);
  g_autofree char *m = g_markup_escape_text(message, -1);
  g_autofree char *body = g_strdup_printf(
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width\"><title>%s</title>"
    "<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;"
    "padding:0 1em;color:#172b4d}h1{font-size:1.4em}</style></head>"
    "<body><h1>%s</h1><p>%s</p></body></html>\n",
    t, t, m);
  g_autofree char *head = g_strdup_printf(
    "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n"
    "Cache-Control: no-store\r\nPragma: no-cache\r\nReferrer-Policy: no-referrer\r\n"
    "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
    "Connection: close\r\n\r\n",
    status, reason, strlen(body));
  g_autofree char *all = g_strconcat(head, body, NULL);
  /* The page is small enough for any socket buffer; a peer that does not read loses it. */
  (void)!send(lb->conns[i].fd, all, strlen(all), MSG_NOSIGNAL | MSG_DONTWAIT);
  shutdown(lb->conns[i].fd, SHUT_WR);
  conn_close(lb, i);
}

/* Send the browser on to the authorize URL, and close the connection. */
static void
respond_start(BktLoopback *lb, int i)
{
  g_autofree char *head = g_strdup_printf(
    "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n"
    "Cache-Control: no-store\r\nPragma: no-cache\r\nReferrer-Policy: no-referrer\r\n"
    "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
    lb->start_target);
  (void)!send(lb->conns[i].fd, head, strlen(head), MSG_NOSIGNAL | MSG_DONTWAIT);
  shutdown(lb->conns[i].fd, SHUT_WR);
  conn_close(lb, i);
}

/* Whose program holds the other end of connection i. */
static Owner
owner_of(const BktLoopback *lb, int i)
{
  uid_t uid;
  switch (bkt_peer_owner(lb->conns[i].fd, &uid)) {
  case BKT_PEER_FOUND:
    /* Under WSL, Windows' relay holds the browser's connection, as whichever user it is. */
    return uid == lb->uid ? OWNER_US : lb->wsl ? OWNER_UNKNOWN : OWNER_OTHER;
  case BKT_PEER_GONE:
    return OWNER_GONE;
  case BKT_PEER_UNKNOWN:
  default:
    return OWNER_UNKNOWN;
  }
}

static void
handle_request(BktLoopback *lb, int i, const char *method, const char *target)
{
  const char *q = strchr(target, '?');
  g_autofree char *path = q != NULL ? g_strndup(target, (size_t)(q - target)) : g_strdup(target);
  Owner owner = owner_of(lb, i);
  if (owner == OWNER_GONE) {
    conn_close(lb, i);
    return;
  }
  if (owner == OWNER_OTHER) {
    respond(lb, i, 403, "Forbidden", _("Not your login"),
            strcmp(path, lb->path) == 0
              ? _("bkt-auth takes a sign-in only from programs of the user who started the "
                  "login, and this one came from another user of this computer. If the "
                  "sign-in is yours, copy this page's address into the terminal where "
                  "bkt-auth waits.")
              : _("bkt-auth answers only programs of the user who started the login, and "
                  "this request came from another user of this computer."));
    return;
  }
  if (strcmp(method, "GET") != 0) {
    respond(lb, i, 405, "Method Not Allowed", _("Not here"),
            _("bkt-auth only answers the browser's redirect."));
    return;
  }
  if (lb->start_target != NULL && strcmp(path, lb->start_path) == 0) {
    respond_start(lb, i);
    return;
  }
  if (strcmp(path, lb->path) != 0) {
    respond(lb, i, 404, "Not Found", _("Not here"),
            _("bkt-auth only answers the browser's redirect."));
    return;
  }
  BktCallback cb;
  if (q == NULL || !bkt_callback_parse_query(q + 1, &cb)) {
    respond(lb, i, 400, "Bad Request", _("Not a sign-in redirect"),
            _("This address carries no authorization. Return to the terminal and start the "
              "login again."));
    return;
  }
  if (!bkt_str_equal_ct(cb.state, lb->state)) {
    bkt_callback_clear(&cb);
    respond(lb, i, 400, "Bad Request", _("Sign-in not recognised"),
            _("This sign-in does not belong to the login bkt-auth is waiting for, so it was "
              "ignored. Use the link from your terminal."));
    return;
  }
  if (cb.error != NULL) {
    g_autofree char *msg =
      cb.error_description != NULL
        ? g_strdup_printf(_("Bitbucket said: %s. Return to the terminal to try again."),
                          cb.error_description)
        : g_strdup_printf(_("Bitbucket answered '%s'. Return to the terminal to try again."),
                          cb.error);
    respond(lb, i, 200, "OK", _("Authorization not granted"), msg);
  } else {
    respond(lb, i, 200, "OK", _("bkt-auth is authorized"),
            _("You can close this tab and return to the terminal."));
  }
  lb->result = cb;
  lb->have_result = TRUE;
  lb->result_owner_known = owner == OWNER_US;
  stop_listening(lb);
}

BktRequestStatus
bkt_loopback_parse_request(const char *buf, size_t len, char **method, char **target)
{
  *method = NULL;
  *target = NULL;
  const char *line_end = memchr(buf, '\n', len);
  if (line_end == NULL)
    return BKT_REQUEST_INCOMPLETE;
  /* The head ends at a blank line: "\r\n\r\n" or "\n\n". */
  gboolean complete = memmem(buf, len, "\n\r\n", 3) != NULL || memmem(buf, len, "\n\n", 2) != NULL;
  if (memchr(buf, '\0', len) != NULL)
    return BKT_REQUEST_BAD;

  /* "METHOD TARGET HTTP/1.x", read in place: the target carries the code. */
  size_t line_len = (size_t)(line_end - buf);
  if (line_len > 0 && buf[line_len - 1] == '\r')
    line_len--;
  const char *end = buf + line_len;
  const char *sp1 = memchr(buf, ' ', line_len);
  const char *sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1)) : NULL;
  if (sp1 == NULL || sp2 == NULL || sp1 == buf || memchr(sp2 + 1, ' ', (size_t)(end - sp2 - 1)) ||
      sp1[1] != '/' || (size_t)(end - sp2 - 1) < 7 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
    return BKT_REQUEST_BAD;
  for (const char *c = buf; c < sp1; c++)
    if (!g_ascii_isupper(*c))
      return BKT_REQUEST_BAD;
  if (!complete)
    return BKT_REQUEST_INCOMPLETE;
  *method = g_strndup(buf, (size_t)(sp1 - buf));
  *target = g_strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
  return BKT_REQUEST_OK;
}

/* Add what arrived to the connection's request and answer it once it is whole. */
static void
conn_take(BktLoopback *lb, int i, const char *chunk, ssize_t got)
{
  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (got <= 0) {
    conn_close(lb, i);
    return;
  }
  GString *buf = lb->conns[i].buf;
  if (buf->len + (size_t)got > MAX_REQUEST) {
    respond(lb, i, 431, "Request Header Fields Too Large", _("Request too large"),
            _("bkt-auth only answers the browser's redirect."));
    return;
  }
  g_string_append_len(buf, chunk, got);
  char *method, *target;
  switch (bkt_loopback_parse_request(buf->str, buf->len, &method, &target)) {
  case BKT_REQUEST_INCOMPLETE:
    return;
  case BKT_REQUEST_BAD:
    respond(lb, i, 400, "Bad Request", _("Bad request"),
            _("bkt-auth only answers the browser's redirect."));
    return;
  case BKT_REQUEST_OK:
    handle_request(lb, i, method, target);
    g_free(method);
    bkt_wipe_free(target);
    return;
  }
}

static void
conn_read(BktLoopback *lb, int i)
{
  char chunk[2048];
  ssize_t got = recv(lb->conns[i].fd, chunk, sizeof chunk, MSG_DONTWAIT);
  conn_take(lb, i, chunk, got);
  bkt_wipe(chunk, sizeof chunk);
}

static void
accept_all(BktLoopback *lb, int lfd, gint64 now_us)
{
  /* A few at a time: a flood of connections must not starve signals, input and the clock. */
  for (int taken = 0; taken < 16; taken++) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
      return;
    if (lb->n_conns == MAX_CONNS) {
      /* Full of idle peers: the oldest one gives way to the newcomer. */
      int oldest = 0;
      for (int i = 1; i < lb->n_conns; i++)
        if (lb->conns[i].deadline < lb->conns[oldest].deadline)
          oldest = i;
      conn_close(lb, oldest);
    }
    /* Sized once: a growing buffer would leave copies of the code behind. */
    lb->conns[lb->n_conns++] =
      (Conn){ fd, now_us + READ_DEADLINE_US, g_string_sized_new(MAX_REQUEST + 1) };
  }
}

void
bkt_loopback_dispatch(BktLoopback *lb, const struct pollfd *fds, int n, gint64 now_us)
{
  for (int k = 0; k < n && !lb->have_result; k++) {
    if (fds[k].revents == 0)
      continue;
    for (int l = 0; l < lb->n_listen; l++)
      if (fds[k].fd == lb->listen_fd[l])
        accept_all(lb, fds[k].fd, now_us);
    for (int i = 0; i < lb->n_conns; i++) {
      if (fds[k].fd == lb->conns[i].fd) {
        conn_read(lb, i);
        break;
      }
    }
  }
  for (int i = lb->n_conns - 1; i >= 0; i--)
    if (lb->conns[i].deadline <= now_us)
      conn_close(lb, i);
}
