/* SPDX-License-Identifier: MIT */
/*
 * The whole loopback listener over real sockets: whatever local programs or web pages send,
 * over one connection or several, at once or in pieces, the listener answers or closes each
 * connection, and no page it sends carries markup it did not write.
 *
 * An input is a script. Its bytes are sent on a connection to the listener, except two:
 *   0x1e (RS)  opens another connection (past MAX_CLIENTS it is left out); the ones before
 *              stay open, idle, until the end;
 *   0x1f (US)  a pause: what was sent so far is read by the listener before the rest is sent.
 * At the end every connection shuts down its sending side and waits for the listener's answer.
 * An input with neither byte is one request sent at once. A redirect with the right state
 * ends a listener: a connection opened after it goes to a new one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "loopback.h"

#define STATE "fuzz-state"
#define MAX_CLIENTS 8
#define RS 0x1e
#define US 0x1f

static BktLoopback *lb;

typedef struct {
  int fd;
  GString *resp;
  gboolean closed;
} Client;

/* The only tags of the listener's own page; anything else in a body is an echo. */
static const char *const own_tags[] = {
  "<!DOCTYPE html>", "<html>", "</html>", "<head>", "</head>", "<meta charset=\"utf-8\">",
  "<meta name=\"viewport\" content=\"width=device-width\">", "<title>", "</title>",
  "<style>", "</style>", "<body>", "</body>", "<h1>", "</h1>", "<p>", "</p>",
};

static void
check_page(GString *resp)
{
  if (resp->len == 0)
    return; /* closed without an answer: an idle or broken peer */
  FUZZ_CHECK(g_str_has_prefix(resp->str, "HTTP/1.1 "));
  const char *body = strstr(resp->str, "\r\n\r\n");
  FUZZ_CHECK(body != NULL);
  g_autofree char *head = g_strndup(resp->str, (size_t)(body - resp->str));
  FUZZ_CHECK(strstr(head, "Cache-Control: no-store") != NULL);
  FUZZ_CHECK(strstr(head, "Referrer-Policy: no-referrer") != NULL);
  g_autofree char *rest = g_strdup(body + 4);
  for (size_t i = 0; i < G_N_ELEMENTS(own_tags); i++) {
    size_t n = strlen(own_tags[i]);
    for (char *at = strstr(rest, own_tags[i]); at != NULL; at = strstr(at, own_tags[i]))
      memmove(at, at + n, strlen(at + n) + 1);
  }
  FUZZ_CHECK(strchr(rest, '<') == NULL && strchr(rest, '>') == NULL);
  FUZZ_CHECK(g_utf8_validate(rest, -1, NULL));
}

/* connect(2), finished when a signal (libFuzzer's timer) interrupts it. */
static gboolean
connect_to(int fd, const struct sockaddr_in *a)
{
  if (connect(fd, (const struct sockaddr *)a, sizeof *a) == 0)
    return TRUE;
  if (errno != EINTR)
    return FALSE;
  struct pollfd p = { .fd = fd, .events = POLLOUT };
  while (poll(&p, 1, 5000) < 0 && errno == EINTR)
    ;
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    return FALSE;
  errno = err;
  return err == 0;
}

/* A new connection to the listener; a new listener when the last one ended or ran out of
 * ports. */
static int
open_client(void)
{
  if (lb != NULL && bkt_loopback_result(lb) != NULL)
    g_clear_pointer(&lb, bkt_loopback_free);
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 3; attempt++) {
    if (lb == NULL) {
      lb = bkt_loopback_new("127.0.0.1", 0, "/callback", STATE, NULL);
      FUZZ_CHECK(lb != NULL);
      bkt_loopback_set_start(lb, "https://bitbucket.example/authorize?state=" STATE);
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(bkt_loopback_port(lb)) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!connect_to(fd, &a)) {
      /* Millions of closed connections use up the ports towards one listener (TIME_WAIT):
       * a listener on a new port starts afresh. */
      if (errno != EADDRNOTAVAIL)
        fprintf(stderr, "connect: %s\n", g_strerror(errno));
      FUZZ_CHECK(errno == EADDRNOTAVAIL);
      close(fd);
      fd = -1;
      g_clear_pointer(&lb, bkt_loopback_free);
    }
  }
  FUZZ_CHECK(fd >= 0);
  return fd;
}

/* What fits in the socket buffers; the listener reads at most a few kilobytes. */
static void
send_some(int fd, const uint8_t *data, size_t size)
{
  size_t off = 0;
  while (off < size) {
    ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0)
      break;
    off += (size_t)n;
  }
}

/* Let the listener take everything that waits for it, without waiting for more. */
static void
settle(void)
{
  for (int round = 0; round < 64; round++) {
    struct pollfd fds[2 + MAX_CLIENTS];
    int n = bkt_loopback_pollfds(lb, fds, (int)G_N_ELEMENTS(fds));
    if (poll(fds, (nfds_t)n, 0) <= 0)
      return;
    bkt_loopback_dispatch(lb, fds, n, g_get_monotonic_time());
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  Client clients[MAX_CLIENTS];
  int n_clients = 0;
  clients[n_clients++] = (Client){ open_client(), g_string_new(NULL), FALSE };
  size_t start = 0;
  for (size_t i = 0; i <= size; i++) {
    if (i < size && data[i] != RS && data[i] != US)
      continue;
    send_some(clients[n_clients - 1].fd, data + start, i - start);
    start = i + 1;
    if (i == size)
      break;
    if (data[i] == US)
      settle();
    else if (n_clients < MAX_CLIENTS)
      clients[n_clients++] = (Client){ open_client(), g_string_new(NULL), FALSE };
  }
  for (int c = 0; c < n_clients; c++)
    shutdown(clients[c].fd, SHUT_WR);

  int open = n_clients;
  for (int round = 0; round < 2000 && open > 0; round++) {
    struct pollfd fds[2 + 2 * MAX_CLIENTS];
    int n = bkt_loopback_pollfds(lb, fds, 2 + MAX_CLIENTS);
    int listener = n; /* the listener's descriptors come first */
    for (int c = 0; c < n_clients; c++)
      if (!clients[c].closed)
        fds[n++] = (struct pollfd){ .fd = clients[c].fd, .events = POLLIN };
    poll(fds, (nfds_t)n, 10);
    bkt_loopback_dispatch(lb, fds, listener, g_get_monotonic_time());
    for (int c = 0; c < n_clients; c++) {
      if (clients[c].closed)
        continue;
      char buf[4096];
      ssize_t got;
      while ((got = recv(clients[c].fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        g_string_append_len(clients[c].resp, buf, got);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        clients[c].closed = TRUE;
        open--;
      }
    }
  }
  FUZZ_CHECK(open == 0);
  for (int c = 0; c < n_clients; c++) {
    check_page(clients[c].resp);
    g_string_free(clients[c].resp, TRUE);
    close(clients[c].fd);
  }
  FUZZ_CHECK(bkt_loopback_connections(lb) == 0);
  return 0;
}
