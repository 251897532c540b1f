/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "browser.h"
#include "peer.h"

#define NOBODY 65534

/* ---- the parser, on canned tables (as a little-endian kernel writes them) ---- */

#define HEADER                                                                              \
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "     \
  "timeout inode\n"
#define HEADER6                                                                             \
  "  sl  local_address                         remote_address                        st "   \
  "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

/* 127.0.0.1:40887 is the peer, 127.0.0.1:38200 our end, in every v4 table below. */
#define PEER4 "0100007F:9FB7"
#define OURS4 "0100007F:9538"
#define LINE(sl, local, remote, st, uid, inode)                                             \
  "  " sl ": " local " " remote " " st " 00000000:00000000 00:00000000 00000000 " uid       \
  "        0 " inode " 1 0000000000000000 20 4 30 10 -1\n"

static BktPeerEnd
end4(const char *addr, guint16 port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  g_assert_cmpint(inet_pton(AF_INET, addr, &a.sin_addr), ==, 1);
  BktPeerEnd e;
  g_assert_true(bkt_peer_end_from_sockaddr((struct sockaddr *)&a, sizeof a, &e));
  return e;
}

static BktPeerEnd
end6(const char *addr, guint16 port)
{
  struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
  g_assert_cmpint(inet_pton(AF_INET6, addr, &a.sin6_addr), ==, 1);
  BktPeerEnd e;
  g_assert_true(bkt_peer_end_from_sockaddr((struct sockaddr *)&a, sizeof a, &e));
  return e;
}

/* Look up in a copy of exactly the table's length: no terminating NUL to lean on. */
static BktPeerOwner
find(const char *table, BktPeerEnd peer, BktPeerEnd ours, uid_t *uid)
{
  size_t len = strlen(table);
  char *copy = g_memdup2(table, len);
  *uid = (uid_t)-1;
  BktPeerOwner r = bkt_peer_find(copy, len, &peer, &ours, uid);
  g_free(copy);
  return r;
}

static gboolean
little_endian(void)
{
  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    return TRUE;
  g_test_skip("the canned tables are as a little-endian kernel writes them");
  return FALSE;
}

static void
test_parse_v4(void)
{
  if (!little_endian())
    return;
  BktPeerEnd peer = end4("127.0.0.1", 40887), ours = end4("127.0.0.1", 38200);
  uid_t uid;
  const char *table = HEADER
    LINE("0", "0100007F:9538", "00000000:0000", "0A", "0", "1111")   /* our listener */
    LINE("1", OURS4, PEER4, "01", "0", "2222")                       /* our own socket */
    LINE("2", PEER4, OURS4, "01", "1000", "536008");                 /* the peer */
  g_assert_cmpint(find(table, peer, ours, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 1000);

  /* Our own socket (the same addresses the other way round) is never taken for the peer. */
  const char *ours_only = HEADER LINE("1", OURS4, PEER4, "01", "1000", "2222");
  g_assert_cmpint(find(ours_only, peer, ours, &uid), ==, BKT_PEER_UNKNOWN);
  g_assert_cmpint(find(HEADER, peer, ours, &uid), ==, BKT_PEER_UNKNOWN);
  g_assert_cmpint(find("", peer, ours, &uid), ==, BKT_PEER_UNKNOWN);
  g_assert_cmpint(bkt_peer_find(NULL, 0, &peer, &ours, &uid), ==, BKT_PEER_UNKNOWN);
  /* Another port or address of the peer is another connection. */
  BktPeerEnd elsewhere = end4("127.0.0.2", 40887);
  g_assert_cmpint(find(table, elsewhere, ours, &uid), ==, BKT_PEER_UNKNOWN);
  BktPeerEnd other_port = end4("127.0.0.1", 40888);
  g_assert_cmpint(find(table, other_port, ours, &uid), ==, BKT_PEER_UNKNOWN);
}

static void
test_parse_closed_peer(void)
{
  if (!little_endian())
    return;
  BktPeerEnd peer = end4("127.0.0.1", 40887), ours = end4("127.0.0.1", 38200);
  uid_t uid;
  /* A peer that sent and closed at once: no process holds its socket, uid 0 or not. */
  const char *closed = HEADER LINE("2", PEER4, OURS4, "04", "0", "0");
  g_assert_cmpint(find(closed, peer, ours, &uid), ==, BKT_PEER_GONE);
  const char *closed_nobody = HEADER LINE("2", PEER4, OURS4, "05", "65534", "0");
  g_assert_cmpint(find(closed_nobody, peer, ours, &uid), ==, BKT_PEER_GONE);
  g_assert_cmpuint(uid, ==, (uid_t)-1);
  /* A connection in TIME_WAIT beside a live one with the same addresses: the live one counts,
   * in either order. */
  const char *before = HEADER LINE("2", PEER4, OURS4, "06", "0", "0")
    LINE("3", PEER4, OURS4, "01", "1000", "77");
  g_assert_cmpint(find(before, peer, ours, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 1000);
  const char *after = HEADER LINE("3", PEER4, OURS4, "01", "1000", "77")
    LINE("2", PEER4, OURS4, "06", "0", "0");
  g_assert_cmpint(find(after, peer, ours, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 1000);
}

static void
test_parse_v6(void)
{
  if (!little_endian())
    return;
  uid_t uid;
  /* [::1]:40887 to [::1]:38200 */
  BktPeerEnd peer = end6("::1", 40887), ours = end6("::1", 38200);
  const char *table = HEADER6
    LINE("0", "00000000000000000000000001000000:9538", "00000000000000000000000001000000:9FB7",
         "01", "0", "1")
    LINE("1", "00000000000000000000000001000000:9FB7", "00000000000000000000000001000000:9538",
         "01", "1001", "4242");
  g_assert_cmpint(find(table, peer, ours, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 1001);
  /* A full address, to check the order of the words and of the bytes in them. */
  BktPeerEnd p2 = end6("2001:db8::1234:5678", 443), o2 = end6("fe80::1", 8080);
  const char *full = HEADER6
    LINE("0", "B80D0120000000000000000078563412:01BB", "000080FE000000000000000001000000:1F90",
         "01", "7", "9");
  g_assert_cmpint(find(full, p2, o2, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 7);
}

static void
test_parse_v4_mapped(void)
{
  if (!little_endian())
    return;
  uid_t uid;
  /* An IPv6 socket that connected to ::ffff:127.0.0.1 is listed in tcp6 that way; the
   * connection looks like plain IPv4 from an IPv4 listener, and the other way round. */
  BktPeerEnd peer4 = end4("127.0.0.1", 40887), ours4 = end4("127.0.0.1", 38200);
  BktPeerEnd peer_mapped = end6("::ffff:127.0.0.1", 40887);
  BktPeerEnd ours_mapped = end6("::ffff:127.0.0.1", 38200);
  const char *in_tcp6 = HEADER6
    LINE("0", "0000000000000000FFFF00000100007F:9FB7", "0000000000000000FFFF00000100007F:9538",
         "01", "1002", "31337");
  g_assert_cmpint(find(in_tcp6, peer4, ours4, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 1002);
  g_assert_cmpint(find(in_tcp6, peer_mapped, ours_mapped, &uid), ==, BKT_PEER_FOUND);
  const char *in_tcp = HEADER LINE("2", PEER4, OURS4, "01", "1003", "536008");
  g_assert_cmpint(find(in_tcp, peer_mapped, ours_mapped, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 1003);
  /* ::1 is not 127.0.0.1. */
  g_assert_cmpint(find(in_tcp, end6("::1", 40887), end6("::1", 38200), &uid), ==,
                  BKT_PEER_UNKNOWN);
}

static void
test_parse_junk(void)
{
  if (!little_endian())
    return;
  BktPeerEnd peer = end4("127.0.0.1", 40887), ours = end4("127.0.0.1", 38200);
  uid_t uid;
  static const char *const bad[] = {
    "  2: " PEER4 " " OURS4 " 01 00000000:00000000 00:00000000 00000000 1000\n", /* short */
    "  2: " PEER4 " " OURS4 "\n",
    "  2 " PEER4 " " OURS4 " 01 0:0 00:0 0 1000 0 536008\n",            /* sl without ':' */
    "  2: 0100007G:9FB7 " OURS4 " 01 0:0 00:0 0 1000 0 536008\n",       /* not hex */
    "  2: 100007F:9FB7 " OURS4 " 01 0:0 00:0 0 1000 0 536008\n",        /* 7 digits */
    "  2: 0100007F:9FB7F " OURS4 " 01 0:0 00:0 0 1000 0 536008\n",      /* 5-digit port */
    "  2: 0100007F-9FB7 " OURS4 " 01 0:0 00:0 0 1000 0 536008\n",       /* no colon */
    "  2: " PEER4 " " OURS4 " 01 0:0 00:0 0 -1000 0 536008\n",          /* signed uid */
    "  2: " PEER4 " " OURS4 " 01 0:0 00:0 0 +1000 0 536008\n",
    "  2: " PEER4 " " OURS4 " 01 0:0 00:0 0 4294967295 0 536008\n",     /* (uid_t)-1 */
    "  2: " PEER4 " " OURS4 " 01 0:0 00:0 0 99999999999999999999999 0 536008\n",
    "  2: " PEER4 " " OURS4 " 01 0:0 00:0 0 1000 0 536008x\n",          /* inode not a number */
    "  2: " PEER4 " " OURS4 " 01 0:0 00:0 0 1000 0 99999999999999999999999\n",
    "  2: " PEER4 " " OURS4 " 01 0:0 00:0 0 10\r00 0 536008\n",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autofree char *table = g_strconcat(HEADER, bad[i], NULL);
    g_assert_cmpint(find(table, peer, ours, &uid), ==, BKT_PEER_UNKNOWN);
  }
  /* Junk around a good line does not hide it; a last line without its newline counts. */
  GString *all = g_string_new(HEADER);
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
    g_string_append(all, bad[i]);
  g_string_append(all, "\n\n   \t\n:\n");
  g_string_append(all, "  2: " PEER4 " " OURS4 " 01 0:0 00:0 0 4294967294 0 1");
  g_assert_cmpint(find(all->str, peer, ours, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 4294967294u);
  /* Cut anywhere, the junk never reads past the end; the good line cut short is not found. */
  gsize good_at = all->len - strlen(strrchr(all->str, '\n') + 1);
  for (size_t cut = 0; cut < all->len; cut++) {
    char *copy = g_memdup2(all->str, cut);
    BktPeerOwner r = bkt_peer_find(copy, cut, &peer, &ours, &uid);
    if (cut >= good_at)
      g_assert_cmpint(r, ==, BKT_PEER_UNKNOWN);
    g_free(copy);
  }
  g_string_free(all, TRUE);
  /* A NUL inside a line spoils that line only. */
  const char nul[] = HEADER "  2: " PEER4 " " OURS4 " 01 0:0 00:0 0 1000\0 0 536008\n"
                            "  3: " PEER4 " " OURS4 " 01 0:0 00:0 0 1004 0 536008\n";
  g_assert_cmpint(bkt_peer_find(nul, sizeof nul - 1, &peer, &ours, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 1004);
}

/* bkt_peer_read over a file holding text. */
static BktPeerOwner
read_table(const char *text, BktPeerEnd peer, BktPeerEnd ours, uid_t *uid)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp("bkt-peer-XXXXXX", &path, &error);
  g_assert_no_error(error);
  g_unlink(path);
  size_t len = strlen(text);
  g_assert_cmpint(write(fd, text, len), ==, (ssize_t)len);
  g_assert_cmpint(lseek(fd, 0, SEEK_SET), ==, 0);
  *uid = (uid_t)-1;
  BktPeerOwner r = bkt_peer_read(fd, &peer, &ours, uid);
  close(fd);
  return r;
}

static void
test_read_large(void)
{
  if (!little_endian())
    return;
  BktPeerEnd peer = end4("127.0.0.1", 40887), ours = end4("127.0.0.1", 38200);
  uid_t uid;
  const char *entry = LINE("9", PEER4, OURS4, "01", "1005", "99");
  /* Thousands of other connections, then the peer: read in several chunks. */
  GString *big = g_string_new(HEADER);
  for (int i = 0; i < 3000; i++)
    g_string_append(big, LINE("1", "0100007F:1F90", "0100007F:1F91", "01", "1", "5"));
  g_string_append(big, entry);
  g_assert_cmpuint(big->len, >, 3 * 65536);
  g_assert_cmpint(read_table(big->str, peer, ours, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 1005);
  g_assert_cmpint(read_table(big->str, end4("127.0.0.1", 1), ours, &uid), ==,
                  BKT_PEER_UNKNOWN);
  g_string_free(big, TRUE);

  /* A line longer than a chunk is skipped whole, even where its tail looks like an entry. */
  GString *longline = g_string_new(HEADER "  0: junk");
  for (int i = 0; i < 70000; i++)
    g_string_append_c(longline, ' ');
  g_string_append(longline, entry);
  g_assert_cmpint(read_table(longline->str, peer, ours, &uid), ==, BKT_PEER_UNKNOWN);
  g_string_append(longline, LINE("9", PEER4, OURS4, "01", "1006", "99"));
  g_assert_cmpint(read_table(longline->str, peer, ours, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, 1006);
  g_string_free(longline, TRUE);
}

static void
test_end_from_sockaddr(void)
{
  struct sockaddr_un_like {
    sa_family_t family;
    char path[20];
  } unix_addr = { AF_UNIX, "x" };
  BktPeerEnd e;
  g_assert_false(bkt_peer_end_from_sockaddr((struct sockaddr *)&unix_addr, sizeof unix_addr,
                                            &e));
  struct sockaddr_in short_v4 = { .sin_family = AF_INET };
  g_assert_false(bkt_peer_end_from_sockaddr((struct sockaddr *)&short_v4, 4, &e));
  BktPeerEnd a = end4("127.0.0.1", 80), b = end6("::ffff:127.0.0.1", 80);
  g_assert_cmpmem(a.addr, 16, b.addr, 16);
  g_assert_cmpuint(a.port, ==, 80);
}

/* ---- real sockets ---- */

typedef struct {
  int listener, client, accepted;
} Pair;

/* A listener on addr (family), a client of family client_family connected to connect_addr,
 * and the accepted end. FALSE (with the test skipped) when the machine has no such address. */
static gboolean
pair_open(Pair *p, int family, const char *addr, int client_family, const char *connect_addr)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  p->listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (p->listener < 0 && family == AF_INET6) {
    g_test_skip("no IPv6 on this machine");
    return FALSE;
  }
  g_assert_cmpint(p->listener, >=, 0);
  if (family == AF_INET6) {
    int off = 0;
    setsockopt(p->listener, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    g_assert_cmpint(inet_pton(AF_INET6, addr, &a->sin6_addr), ==, 1);
    len = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    g_assert_cmpint(inet_pton(AF_INET, addr, &a->sin_addr), ==, 1);
    len = sizeof *a;
  }
  if (bind(p->listener, (struct sockaddr *)&ss, len) < 0) {
    g_assert_true(family == AF_INET6);
    g_test_skip("no IPv6 loopback on this machine");
    close(p->listener);
    return FALSE;
  }
  g_assert_cmpint(listen(p->listener, 8), ==, 0);
  len = sizeof ss;
  g_assert_cmpint(getsockname(p->listener, (struct sockaddr *)&ss, &len), ==, 0);
  guint16 port = family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                    : ntohs(((struct sockaddr_in *)&ss)->sin_port);

  p->client = socket(client_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_storage to = { 0 };
  if (client_family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    g_assert_cmpint(inet_pton(AF_INET6, connect_addr, &a->sin6_addr), ==, 1);
    len = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&to;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    g_assert_cmpint(inet_pton(AF_INET, connect_addr, &a->sin_addr), ==, 1);
    len = sizeof *a;
  }
  g_assert_cmpint(connect(p->client, (struct sockaddr *)&to, len), ==, 0);
  p->accepted = accept4(p->listener, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint(p->accepted, >=, 0);
  return TRUE;
}

static void
pair_close(Pair *p)
{
  if (p->client >= 0)
    close(p->client);
  close(p->accepted);
  close(p->listener);
}

/* Our own connection is ours; once the client closed (and once it reset), it is gone. */
static void
check_pair(int family, const char *addr, int client_family, const char *connect_addr)
{
  Pair p;
  if (!pair_open(&p, family, addr, client_family, connect_addr))
    return;
  uid_t uid = (uid_t)-1;
  g_assert_cmpint(bkt_peer_owner(p.accepted, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, getuid());
  /* The listening socket has no peer. */
  g_assert_cmpint(bkt_peer_owner(p.listener, &uid), !=, BKT_PEER_FOUND);
  g_assert_cmpint(send(p.client, "x", 1, 0), ==, 1);
  close(p.client);
  p.client = -1;
  g_assert_cmpint(bkt_peer_owner(p.accepted, &uid), ==, BKT_PEER_GONE);
  pair_close(&p);
}

static void
test_real_v4(void)
{
  check_pair(AF_INET, "127.0.0.1", AF_INET, "127.0.0.1");
}

static void
test_real_v6(void)
{
  check_pair(AF_INET6, "::1", AF_INET6, "::1");
}

static void
test_real_v4_mapped(void)
{
  /* An IPv6 listener sees an IPv4 client as ::ffff:127.0.0.1 ... */
  check_pair(AF_INET6, "::ffff:127.0.0.1", AF_INET, "127.0.0.1");
  /* ... and an IPv4 listener sees an IPv6 client of ::ffff:127.0.0.1 as 127.0.0.1. */
  check_pair(AF_INET, "127.0.0.1", AF_INET6, "::ffff:127.0.0.1");
}

static void
test_real_reset(void)
{
  Pair p;
  pair_open(&p, AF_INET, "127.0.0.1", AF_INET, "127.0.0.1");
  struct linger hard = { .l_onoff = 1, .l_linger = 0 };
  g_assert_cmpint(setsockopt(p.client, SOL_SOCKET, SO_LINGER, &hard, sizeof hard), ==, 0);
  close(p.client);
  p.client = -1;
  uid_t uid;
  g_assert_cmpint(bkt_peer_owner(p.accepted, &uid), ==, BKT_PEER_GONE);
  pair_close(&p);
}

/* A connection made by a process of another user (nobody): root only. */
static void
test_real_other_user(void)
{
  if (getuid() != 0) {
    g_test_skip("needs root to connect as another user");
    return;
  }
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = { .sin_family = AF_INET };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  g_assert_cmpint(bind(listener, (struct sockaddr *)&a, sizeof a), ==, 0);
  g_assert_cmpint(listen(listener, 8), ==, 0);
  g_assert_cmpint(getsockname(listener, (struct sockaddr *)&a, &len), ==, 0);
  int done[2];
  g_assert_cmpint(pipe(done), ==, 0);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    close(done[1]);
    if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
      _exit(2);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
      _exit(3);
    char c;
    /* Hold the connection until the parent has looked. */
    (void)!read(done[0], &c, 1);
    _exit(0);
  }
  close(done[0]);
  int accepted = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint(accepted, >=, 0);
  uid_t uid = 0;
  g_assert_cmpint(bkt_peer_owner(accepted, &uid), ==, BKT_PEER_FOUND);
  g_assert_cmpuint(uid, ==, NOBODY);
  close(done[1]);
  int status;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(accepted);
  close(listener);
}

static void
test_wsl(void)
{
  g_autofree char *release = NULL;
  g_file_get_contents("/proc/sys/kernel/osrelease", &release, NULL, NULL);
  g_autofree char *lower = release != NULL ? g_ascii_strdown(release, -1) : NULL;
  gboolean kernel_says = lower != NULL && strstr(lower, "microsoft") != NULL;
  g_unsetenv("WSL_DISTRO_NAME");
  g_unsetenv("WSL_INTEROP");
  g_assert_cmpint(bkt_env_is_wsl(), ==, kernel_says);
  g_setenv("WSL_DISTRO_NAME", "Ubuntu", TRUE);
  g_assert_true(bkt_env_is_wsl());
  g_setenv("WSL_DISTRO_NAME", "", TRUE);
  g_assert_cmpint(bkt_env_is_wsl(), ==, kernel_says);
  g_unsetenv("WSL_DISTRO_NAME");
  g_setenv("WSL_INTEROP", "/run/WSL/1_interop", TRUE);
  g_assert_true(bkt_env_is_wsl());
  g_unsetenv("WSL_INTEROP");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/peer/parse/v4", test_parse_v4);
  g_test_add_func("/peer/parse/closed-peer", test_parse_closed_peer);
  g_test_add_func("/peer/parse/v6", test_parse_v6);
  g_test_add_func("/peer/parse/v4-mapped", test_parse_v4_mapped);
  g_test_add_func("/peer/parse/junk", test_parse_junk);
  g_test_add_func("/peer/read-large", test_read_large);
  g_test_add_func("/peer/end-from-sockaddr", test_end_from_sockaddr);
  g_test_add_func("/peer/real/v4", test_real_v4);
  g_test_add_func("/peer/real/v6", test_real_v6);
  g_test_add_func("/peer/real/v4-mapped", test_real_v4_mapped);
  g_test_add_func("/peer/real/reset", test_real_reset);
  g_test_add_func("/peer/real/other-user", test_real_other_user);
  g_test_add_func("/peer/wsl", test_wsl);
  return g_test_run();
}
