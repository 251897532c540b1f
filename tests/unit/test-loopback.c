/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "loopback.h"

#define NOBODY 65534
#define AUTHORIZE "https://bitbucket.example/site/oauth2/authorize?client_id=c&state=good-state"

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

/* Let the listener work until it has nothing left to do: no connection waits, none is open. */
static void
pump_until_idle(BktLoopback *lb)
{
  gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  while (g_get_monotonic_time() < deadline) {
    struct pollfd fds[140];
    int n = bkt_loopback_pollfds(lb, fds, 140);
    int ready = poll(fds, (nfds_t)n, 50);
    bkt_loopback_dispatch(lb, fds, n, g_get_monotonic_time());
    if (ready == 0 && bkt_loopback_connections(lb) == 0)
      return;
  }
  g_assert_not_reached();
}

static void
test_start_address(void)
{
  BktLoopback *lb = new_listener();
  g_autofree char *want = g_strdup_printf("http://127.0.0.1:%u/start",
                                          (unsigned)bkt_loopback_port(lb));
  g_assert_cmpstr(bkt_loopback_start_url(lb), ==, want);
  /* Nothing to send the browser to yet. */
  g_autofree char *r1 = exchange(lb, "GET /start HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(r1, "HTTP/1.1 404"));

  bkt_loopback_set_start(lb, AUTHORIZE);
  for (int i = 0; i < 2; i++) {
    g_autofree char *r = exchange(lb, i == 0 ? "GET /start HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                             : "GET /start?again HTTP/1.1\r\n\r\n");
    g_assert_true(g_str_has_prefix(r, "HTTP/1.1 302 "));
    g_assert_nonnull(strstr(r, "\r\nLocation: " AUTHORIZE "\r\n"));
    g_assert_nonnull(strstr(r, "\r\nCache-Control: no-store\r\n"));
    g_assert_nonnull(strstr(r, "\r\nReferrer-Policy: no-referrer\r\n"));
    g_assert_null(bkt_loopback_result(lb));
  }
  g_autofree char *r2 = exchange(lb, "POST /start HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(r2, "HTTP/1.1 405"));
  g_autofree char *ok = exchange(lb, "GET /callback?code=c&state=good-state HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(ok, "HTTP/1.1 200"));
  g_assert_nonnull(bkt_loopback_result(lb));
  g_assert_true(bkt_loopback_result_owner_known(lb));
  bkt_loopback_free(lb);

  /* On the redirect's own host name; never in the redirect's place. */
  g_autoptr(GError) error = NULL;
  lb = bkt_loopback_new("localhost", 0, "/start", "s", &error);
  g_assert_no_error(error);
  g_free(want);
  want = g_strdup_printf("http://localhost:%u/start-login", (unsigned)bkt_loopback_port(lb));
  g_assert_cmpstr(bkt_loopback_start_url(lb), ==, want);
  bkt_loopback_free(lb);
  lb = bkt_loopback_new("::1", 0, "/callback", "s", NULL);
  if (lb != NULL) {
    g_free(want);
    want = g_strdup_printf("http://[::1]:%u/start", (unsigned)bkt_loopback_port(lb));
    g_assert_cmpstr(bkt_loopback_start_url(lb), ==, want);
    bkt_loopback_free(lb);
  }
}

/* A peer that sends the right redirect and closes (or resets) at once is not answered and
 * not taken: no browser waits for that page, and as root it is listed with our uid 0. */
static void
test_sent_and_closed(void)
{
  BktLoopback *lb = new_listener();
  bkt_loopback_set_start(lb, AUTHORIZE);
  static const char *const requests[] = {
    "GET /callback?code=c&state=good-state HTTP/1.1\r\n\r\n",
    "GET /callback?error=access_denied&state=good-state HTTP/1.1\r\n\r\n",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(requests); i++) {
    for (int reset = 0; reset < 2; reset++) {
      int fd = connect_to(bkt_loopback_port(lb));
      if (reset) {
        struct linger hard = { .l_onoff = 1, .l_linger = 0 };
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      }
      g_assert_cmpint(send(fd, requests[i], strlen(requests[i]), 0), ==,
                      (ssize_t)strlen(requests[i]));
      close(fd);
      pump_until_idle(lb);
      g_assert_null(bkt_loopback_result(lb));
    }
  }
  g_autofree char *ok = exchange(lb, requests[0]);
  g_assert_true(g_str_has_prefix(ok, "HTTP/1.1 200"));
  g_assert_true(bkt_loopback_result_owner_known(lb));
  bkt_loopback_free(lb);
}

/* Send request from a process of user nobody and return what it read back. Root only. */
static char *
exchange_as_nobody(BktLoopback *lb, const char *request)
{
  int out[2];
  g_assert_cmpint(pipe(out), ==, 0);
  guint16 port = bkt_loopback_port(lb);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    close(out[0]);
    if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
      _exit(2);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        send(fd, request, strlen(request), 0) != (ssize_t)strlen(request))
      _exit(3);
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
      if (write(out[1], buf, (size_t)n) != n)
        _exit(4);
    _exit(0);
  }
  close(out[1]);
  GString *resp = g_string_new(NULL);
  gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  for (;;) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    struct pollfd fds[140];
    int n = bkt_loopback_pollfds(lb, fds, 139);
    fds[n++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
    poll(fds, (nfds_t)n, 100);
    bkt_loopback_dispatch(lb, fds, n - 1, g_get_monotonic_time());
    if (fds[n - 1].revents != 0) {
      char buf[4096];
      ssize_t got = read(out[0], buf, sizeof buf);
      if (got <= 0)
        break;
      g_string_append_len(resp, buf, got);
    }
  }
  close(out[0]);
  int status;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return g_string_free(resp, FALSE);
}

static gboolean
can_be_nobody(void)
{
  if (getuid() == 0)
    return TRUE;
  g_test_skip("needs root to connect as another user");
  return FALSE;
}

/* Another user's program knows the state: it still cannot end, start or abort the login. */
static void
test_other_user_refused(void)
{
  if (!can_be_nobody())
    return;
  g_unsetenv("WSL_DISTRO_NAME");
  g_unsetenv("WSL_INTEROP");
  BktLoopback *lb = new_listener();
  bkt_loopback_set_start(lb, AUTHORIZE);
  static const char *const requests[] = {
    "GET /callback?code=mallory&state=good-state HTTP/1.1\r\n\r\n",
    "GET /callback?error=access_denied&state=good-state HTTP/1.1\r\n\r\n",
    "GET /start HTTP/1.1\r\n\r\n",
    "GET /elsewhere HTTP/1.1\r\n\r\n",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(requests); i++) {
    g_autofree char *r = exchange_as_nobody(lb, requests[i]);
    g_assert_true(g_str_has_prefix(r, "HTTP/1.1 403"));
    g_assert_null(strstr(r, "Location:"));
    g_assert_null(strstr(r, "good-state"));
    g_assert_null(bkt_loopback_result(lb));
  }
  g_autofree char *ok = exchange(lb, "GET /callback?code=c&state=good-state HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(ok, "HTTP/1.1 200"));
  g_assert_cmpstr(bkt_secret_str(bkt_loopback_result(lb)->code), ==, "c");
  g_assert_true(bkt_loopback_result_owner_known(lb));
  bkt_loopback_free(lb);
}

/* Under WSL, Windows' relay holds the browser's connection: another user's counts as unknown. */
static void
test_other_user_under_wsl(void)
{
  if (!can_be_nobody())
    return;
  g_setenv("WSL_DISTRO_NAME", "Test", TRUE);
  BktLoopback *lb = new_listener();
  g_unsetenv("WSL_DISTRO_NAME");
  bkt_loopback_set_start(lb, AUTHORIZE);
  g_autofree char *start = exchange_as_nobody(lb, "GET /start HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(start, "HTTP/1.1 302"));
  g_autofree char *r = exchange_as_nobody(lb, "GET /callback?code=relayed&state=good-state "
                                              "HTTP/1.1\r\n\r\n");
  g_assert_true(g_str_has_prefix(r, "HTTP/1.1 200"));
  g_assert_cmpstr(bkt_secret_str(bkt_loopback_result(lb)->code), ==, "relayed");
  g_assert_false(bkt_loopback_result_owner_known(lb));
  bkt_loopback_free(lb);
}

/* A redirect on another address of 127.0.0.0/8 is listened on there, not on 127.0.0.1. */
static void
test_other_loopback_address(void)
{
  g_autoptr(GError) error = NULL;
  BktLoopback *lb = bkt_loopback_new("127.0.0.2", 0, "/callback", "good-state", &error);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(bkt_loopback_start_url(lb), "http://127.0.0.2:"));
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(bkt_loopback_port(lb)) };
  a.sin_addr.s_addr = htonl(0x7f000002);
  g_assert_cmpint(connect(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
  const char *req = "GET /callback?code=c2&state=good-state HTTP/1.1\r\n\r\n";
  g_assert_cmpint(send(fd, req, strlen(req), 0), ==, (ssize_t)strlen(req));
  g_autofree char *resp = pump_until_closed(lb, fd);
  g_assert_true(g_str_has_prefix(resp, "HTTP/1.1 200"));
  g_assert_cmpstr(bkt_secret_str(bkt_loopback_result(lb)->code), ==, "c2");
  bkt_loopback_free(lb);
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
  g_test_add_func("/loopback/start-address", test_start_address);
  g_test_add_func("/loopback/sent-and-closed", test_sent_and_closed);
  g_test_add_func("/loopback/other-user-refused", test_other_user_refused);
  g_test_add_func("/loopback/other-user-under-wsl", test_other_user_under_wsl);
  g_test_add_func("/loopback/other-loopback-address", test_other_loopback_address);
  return g_test_run();
}
