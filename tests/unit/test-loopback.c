/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "loopback.h"

static int
connect_to(guint16 port)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  g_assert_cmpint(connect(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
  return fd;
}

/* Let the listener work until the client's connection closes or 5 s pass. */
static char *
pump_until_closed(BktLoopback *lb, int client)
{
  GString *resp = g_string_new(NULL);
  gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  while (g_get_monotonic_time() < deadline) {
    struct pollfd fds[140];
    int n = bkt_loopback_pollfds(lb, fds, 139);
    fds[n++] = (struct pollfd){ .fd = client, .events = POLLIN };
    poll(fds, (nfds_t)n, 100);
    bkt_loopback_dispatch(lb, fds, n - 1, g_get_monotonic_time());
    if (fds[n - 1].revents != 0) {
      char buf[4096];
      ssize_t got = recv(client, buf, sizeof buf, MSG_DONTWAIT);
      if (got == 0 || (got < 0 && errno != EAGAIN))
        break;
      if (got > 0)
        g_string_append_len(resp, buf, got);
    }
  }
  close(client);
  return g_string_free(resp, FALSE);
}

static char *
exchange(BktLoopback *lb, const char *request)
{
  int fd = connect_to(bkt_loopback_port(lb));
  g_assert_cmpint(send(fd, request, strlen(request), 0), ==, (ssize_t)strlen(request));
  return pump_until_closed(lb, fd);
}

static BktLoopback *
new_listener(void)
{
  g_autoptr(GError) error = NULL;
  BktLoopback *lb = bkt_loopback_new("127.0.0.1", 0, "/callback", "good-state", &error);
  g_assert_no_error(error);
  g_assert_cmpuint(bkt_loopback_port(lb), >, 0);
  return lb;
}

static void
test_ignores_wrong_state_then_accepts(void)
{
  BktLoopback *lb = new_listener();
  g_autofree char *r1 = exchange(lb, "GET /callback?code=x&state=forged HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(r1, "HTTP/1.1 400"));
  g_assert_null(bkt_loopback_result(lb));

  g_autofree char *r2 = exchange(lb, "GET /callback?code=x HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(r2, "HTTP/1.1 400"));
  g_autofree char *r3 = exchange(lb, "POST /callback?code=x&state=good-state HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(r3, "HTTP/1.1 405"));
  g_autofree char *r4 = exchange(lb, "GET /other?code=x&state=good-state HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(r4, "HTTP/1.1 404"));
  g_assert_null(bkt_loopback_result(lb));

  g_autofree char *ok = exchange(lb, "GET /callback?code=the-code&state=good-state HTTP/1.1\r\n"
                                     "Host: 127.0.0.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(ok, "HTTP/1.1 200"));
  g_assert_nonnull(strstr(ok, "Cache-Control: no-store"));
  g_assert_nonnull(strstr(ok, "Referrer-Policy: no-referrer"));
  const BktCallback *cb = bkt_loopback_result(lb);
  g_assert_nonnull(cb);
  g_assert_cmpstr(bkt_secret_str(cb->code), ==, "the-code");
  /* It stops listening once the code arrived. */
  struct pollfd fds[4];
  g_assert_cmpint(bkt_loopback_pollfds(lb, fds, 4), ==, 0);
  bkt_loopback_free(lb);
}

static void
test_error_is_escaped(void)
{
  BktLoopback *lb = new_listener();
  g_autofree char *r = exchange(lb, "GET /callback?error=access_denied&error_description="
                                    "%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=good-state "
                                    "HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(r, "HTTP/1.1 200"));
  g_assert_null(strstr(r, "<script>"));
  g_assert_nonnull(strstr(r, "&lt;script&gt;"));
  const BktCallback *cb = bkt_loopback_result(lb);
  g_assert_cmpstr(cb->error, ==, "access_denied");
  bkt_loopback_free(lb);
}

static void
test_oversize_and_junk(void)
{
  BktLoopback *lb = new_listener();
  GString *big = g_string_new("GET /callback?x=");
  for (int i = 0; i < 20000; i++)
    g_string_append_c(big, 'a');
  g_autofree char *r1 = exchange(lb, big->str);
  g_string_free(big, TRUE);
  g_assert_true(g_str_has_prefix(r1, "HTTP/1.1 431"));
  g_autofree char *r2 = exchange(lb, "\x16\x03\x01 junk\r\n\r\n");
  g_assert_true(g_str_has_prefix(r2, "HTTP/1.1 400"));
  g_assert_null(bkt_loopback_result(lb));
  bkt_loopback_free(lb);
}

static void
test_many_idle_connections(void)
{
  BktLoopback *lb = new_listener();
  int idle[300];
  for (int i = 0; i < 300; i++) {
    idle[i] = connect_to(bkt_loopback_port(lb));
    struct pollfd fds[140];
    int n = bkt_loopback_pollfds(lb, fds, 140);
    poll(fds, (nfds_t)n, 0);
    bkt_loopback_dispatch(lb, fds, n, g_get_monotonic_time());
  }
  g_assert_cmpint(bkt_loopback_connections(lb), <=, 128);
  g_autofree char *ok = exchange(lb, "GET /callback?code=c&state=good-state HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(ok, "HTTP/1.1 200"));
  g_assert_nonnull(bkt_loopback_result(lb));
  for (int i = 0; i < 300; i++)
    close(idle[i]);
  bkt_loopback_free(lb);
}

static void
test_port_in_use(void)
{
  BktLoopback *first = new_listener();
  g_autoptr(GError) error = NULL;
  BktLoopback *second =
    bkt_loopback_new("127.0.0.1", bkt_loopback_port(first), "/callback", "s", &error);
  g_assert_null(second);
  g_assert_error(error, BKT_ERROR, BKT_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, "in use"));
  bkt_loopback_free(first);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/loopback/wrong-state-then-accepts", test_ignores_wrong_state_then_accepts);
  g_test_add_func("/loopback/error-is-escaped", test_error_is_escaped);
  g_test_add_func("/loopback/oversize-and-junk", test_oversize_and_junk);
  g_test_add_func("/loopback/many-idle-connections", test_many_idle_connections);
  g_test_add_func("/loopback/port-in-use", test_port_in_use);
  return g_test_run();
}
