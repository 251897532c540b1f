/* SPDX-License-Identifier: MIT */
#include "canned.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <stdio.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  char *prefix;
  int status;
  char *headers;
  char *body;
  int count;
  char *last_body;
} Route;

struct Canned {
  int fd;
  int stop[2];
  char *url;
  GThread *thread;
  GMutex lock;
  GPtrArray *routes;
};

static void
route_free(Route *r)
{
  g_free(r->prefix);
  g_free(r->headers);
  g_free(r->body);
  g_free(r->last_body);
  g_free(r);
}

static Route *
find(Canned *c, const char *path)
{
  for (guint i = 0; i < c->routes->len; i++) {
    Route *r = g_ptr_array_index(c->routes, i);
    if (g_str_has_prefix(path, r->prefix))
      return r;
  }
  return NULL;
}

/* Read one request (head and, with Content-Length, body) from fd. */
static GString *
read_request(int fd, char **body_out)
{
  GString *buf = g_string_new(NULL);
  char chunk[4096];
  *body_out = NULL;
  for (;;) {
    const char *end = strstr(buf->str, "\r\n\r\n");
    if (end != NULL) {
      size_t head = (size_t)(end - buf->str) + 4;
      const char *cl = g_strstr_len(buf->str, (gssize)head, "Content-Length:");
      size_t want = cl != NULL ? strtoul(cl + 15, NULL, 10) : 0;
      if (buf->len >= head + want) {
        *body_out = g_strndup(buf->str + head, want);
        return buf;
      }
    }
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      return buf;
    g_string_append_len(buf, chunk, n);
  }
}

static void
serve(Canned *c, int fd)
{
  char *body = NULL;
  GString *req = read_request(fd, &body);
  char path[2048] = "";
  sscanf(req->str, "%*s %2047s", path);
  g_mutex_lock(&c->lock);
  Route *r = find(c, path);
  GString *out = g_string_new(NULL);
  if (r != NULL) {
    r->count++;
    g_free(r->last_body);
    r->last_body = g_strdup(body);
    g_string_append_printf(out, "HTTP/1.1 %d Canned\r\nContent-Type: application/json\r\n"
                                "Content-Length: %zu\r\nConnection: close\r\n",
                           r->status, strlen(r->body));
    if (r->headers != NULL)
      g_string_append_printf(out, "%s\r\n", r->headers);
    g_string_append_printf(out, "\r\n%s", r->body);
  } else {
    g_string_append(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }
  g_mutex_unlock(&c->lock);
  (void)!send(fd, out->str, out->len, MSG_NOSIGNAL);
  g_string_free(out, TRUE);
  g_string_free(req, TRUE);
  g_free(body);
  close(fd);
}

static gpointer
run(gpointer data)
{
  Canned *c = data;
  for (;;) {
    struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN }, { .fd = c->stop[0], .events = POLLIN } };
    if (poll(p, 2, -1) < 0 && errno != EINTR)
      return NULL;
    if (p[1].revents != 0)
      return NULL;
    if (p[0].revents != 0) {
      int fd = accept(c->fd, NULL, NULL);
      if (fd >= 0)
        serve(c, fd);
    }
  }
}

Canned *
canned_start(void)
{
  Canned *c = g_new0(Canned, 1);
  g_mutex_init(&c->lock);
  c->routes = g_ptr_array_new_with_free_func((GDestroyNotify)route_free);
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = { .sin_family = AF_INET };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  g_assert_cmpint(bind(c->fd, (struct sockaddr *)&a, sizeof a), ==, 0);
  g_assert_cmpint(listen(c->fd, 16), ==, 0);
  socklen_t len = sizeof a;
  getsockname(c->fd, (struct sockaddr *)&a, &len);
  c->url = g_strdup_printf("http://127.0.0.1:%u", ntohs(a.sin_port));
  g_assert_true(g_unix_open_pipe(c->stop, FD_CLOEXEC, NULL));
  c->thread = g_thread_new("canned", run, c);
  return c;
}

void
canned_stop(Canned *c)
{
  (void)!write(c->stop[1], "x", 1);
  g_thread_join(c->thread);
  close(c->fd);
  close(c->stop[0]);
  close(c->stop[1]);
  g_ptr_array_unref(c->routes);
  g_mutex_clear(&c->lock);
  g_free(c->url);
  g_free(c);
}

const char *
canned_url(const Canned *c)
{
  return c->url;
}

void
canned_set(Canned *c, const char *prefix, int status, const char *headers, const char *body)
{
  g_mutex_lock(&c->lock);
  Route *r = NULL;
  for (guint i = 0; i < c->routes->len; i++) {
    Route *x = g_ptr_array_index(c->routes, i);
    if (strcmp(x->prefix, prefix) == 0)
      r = x;
  }
  if (r == NULL) {
    r = g_new0(Route, 1);
    r->prefix = g_strdup(prefix);
    g_ptr_array_add(c->routes, r);
  }
  r->status = status;
  g_free(r->headers);
  r->headers = g_strdup(headers);
  g_free(r->body);
  r->body = g_strdup(body);
  g_mutex_unlock(&c->lock);
}

int
canned_count(Canned *c, const char *prefix)
{
  g_mutex_lock(&c->lock);
  int n = 0;
  for (guint i = 0; i < c->routes->len; i++) {
    Route *r = g_ptr_array_index(c->routes, i);
    if (g_str_has_prefix(r->prefix, prefix))
      n += r->count;
  }
  g_mutex_unlock(&c->lock);
  return n;
}

char *
canned_last_body(Canned *c, const char *prefix)
{
  g_mutex_lock(&c->lock);
  char *body = NULL;
  for (guint i = 0; i < c->routes->len; i++) {
    Route *r = g_ptr_array_index(c->routes, i);
    if (strcmp(r->prefix, prefix) == 0)
      body = g_strdup(r->last_body);
  }
  g_mutex_unlock(&c->lock);
  return body;
}
