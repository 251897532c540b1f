/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "peer.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

/* About 400 entries per read: a line is about 150 bytes. */
#define READ_CHUNK 65536
/* How often the tables are read for a peer not found in them. */
#define SCANS 3

/* The next field of [*p, end), separated by spaces or tabs; FALSE when there is none. */
static gboolean
next_field(const char **p, const char *end, const char **field, size_t *len)
{
  const char *s = *p;
  while (s < end && (*s == ' ' || *s == '\t'))
    s++;
  const char *e = s;
  while (e < end && *e != ' ' && *e != '\t')
    e++;
  *p = e;
  *field = s;
  *len = (size_t)(e - s);
  return e > s;
}

/* n (at most 8) hexadecimal digits. */
static gboolean
hex_value(const char *s, size_t n, guint32 *out)
{
  guint32 v = 0;
  for (size_t i = 0; i < n; i++) {
    int d = g_ascii_xdigit_value(s[i]);
    if (d < 0)
      return FALSE;
    v = v << 4 | (guint32)d;
  }
  *out = v;
  return TRUE;
}

/* Decimal digits only, no sign, not above max. */
static gboolean
dec_value(const char *s, size_t n, guint64 max, guint64 *out)
{
  guint64 v = 0;
  if (n == 0)
    return FALSE;
  for (size_t i = 0; i < n; i++) {
    if (!g_ascii_isdigit(s[i]))
      return FALSE;
    guint64 d = (guint64)(s[i] - '0');
    if (v > (max - d) / 10)
      return FALSE;
    v = v * 10 + d;
  }
  *out = v;
  return TRUE;
}

static void
map_v4(const guint8 v4[4], guint8 out[16])
{
  memset(out, 0, 10);
  out[10] = out[11] = 0xff;
  memcpy(out + 12, v4, 4);
}

static gboolean
is_v4_mapped(const guint8 a[16])
{
  static const guint8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  return memcmp(a, prefix, sizeof prefix) == 0;
}

/*
 * "0100007F:9FB7" (IPv4) or 32 hexadecimal digits, ':', 4 (IPv6). The kernel prints each
 * 32-bit word of the address as the number it is in memory, so each goes back as it is.
 */
static gboolean
parse_end(const char *s, size_t n, BktPeerEnd *out)
{
  if (n != 8 + 5 && n != 32 + 5)
    return FALSE;
  size_t addr_len = n - 5;
  guint32 port;
  if (s[addr_len] != ':' || !hex_value(s + addr_len + 1, 4, &port))
    return FALSE;
  guint8 bytes[16];
  for (size_t w = 0; w < addr_len / 8; w++) {
    guint32 word;
    if (!hex_value(s + 8 * w, 8, &word))
      return FALSE;
    memcpy(bytes + 4 * w, &word, sizeof word);
  }
  if (addr_len == 8)
    map_v4(bytes, out->addr);
  else
    memcpy(out->addr, bytes, 16);
  out->port = (guint16)port;
  return TRUE;
}

static gboolean
same_end(const BktPeerEnd *a, const BktPeerEnd *b)
{
  return a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

/* What one line of the table says about the peer. */
static BktPeerOwner
match_line(const char *p, const char *end, const BktPeerEnd *peer, const BktPeerEnd *ours,
           uid_t *uid)
{
  /* sl, local, remote, st, tx_queue:rx_queue, tr:when, retrnsmt, uid, timeout, inode */
  const char *f[10];
  size_t n[10];
  BktPeerEnd local, remote;
  /* Most lines are other connections: the local address says so before the rest is read. */
  if (!next_field(&p, end, &f[0], &n[0]) || f[0][n[0] - 1] != ':' ||
      !next_field(&p, end, &f[1], &n[1]) || !parse_end(f[1], n[1], &local) ||
      !same_end(&local, peer))
    return BKT_PEER_UNKNOWN;
  for (int i = 2; i < 10; i++)
    if (!next_field(&p, end, &f[i], &n[i]))
      return BKT_PEER_UNKNOWN;
  guint64 owner, inode;
  if (!parse_end(f[2], n[2], &remote) || !same_end(&remote, ours) ||
      !dec_value(f[7], n[7], G_MAXUINT32 - 1, &owner) ||
      !dec_value(f[9], n[9], G_MAXUINT64, &inode))
    return BKT_PEER_UNKNOWN;
  if (inode == 0)
    return BKT_PEER_GONE;
  *uid = (uid_t)owner;
  return BKT_PEER_FOUND;
}

/* A socket held by a process outranks a closed one with the same addresses (TIME_WAIT). */
static BktPeerOwner
better(BktPeerOwner a, BktPeerOwner b)
{
  if (a == BKT_PEER_FOUND || b == BKT_PEER_FOUND)
    return BKT_PEER_FOUND;
  if (a == BKT_PEER_GONE || b == BKT_PEER_GONE)
    return BKT_PEER_GONE;
  return BKT_PEER_UNKNOWN;
}

BktPeerOwner
bkt_peer_find(const char *table, size_t len, const BktPeerEnd *peer, const BktPeerEnd *ours,
              uid_t *uid)
{
  BktPeerOwner result = BKT_PEER_UNKNOWN;
  if (len == 0)
    return result; /* table may be NULL then */
  const char *p = table, *end = table + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *line_end = nl != NULL ? nl : end;
    result = better(result, match_line(p, line_end, peer, ours, uid));
    if (result == BKT_PEER_FOUND)
      return result;
    p = nl != NULL ? nl + 1 : end;
  }
  return result;
}

BktPeerOwner
bkt_peer_read(int fd, const BktPeerEnd *peer, const BktPeerEnd *ours, uid_t *uid)
{
  char *buf = g_malloc(READ_CHUNK);
  size_t have = 0;
  gboolean skipping = FALSE; /* the rest of a line too long to hold */
  BktPeerOwner result = BKT_PEER_UNKNOWN;
  for (;;) {
    ssize_t got = read(fd, buf + have, READ_CHUNK - have);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      result = better(result, bkt_peer_find(buf, have, peer, ours, uid));
      break;
    }
    have += (size_t)got;
    if (skipping) {
      const char *nl = memchr(buf, '\n', have);
      size_t drop = nl != NULL ? (size_t)(nl + 1 - buf) : have;
      memmove(buf, buf + drop, have - drop);
      have -= drop;
      skipping = nl == NULL;
    }
    size_t whole = have;
    while (whole > 0 && buf[whole - 1] != '\n')
      whole--;
    if (whole == 0) {
      /* No kernel writes a line this long: it is skipped whole. */
      if (have == READ_CHUNK) {
        have = 0;
        skipping = TRUE;
      }
      continue;
    }
    result = better(result, bkt_peer_find(buf, whole, peer, ours, uid));
    if (result == BKT_PEER_FOUND)
      break;
    memmove(buf, buf + whole, have - whole);
    have -= whole;
  }
  g_free(buf);
  return result;
}

static BktPeerOwner
scan_file(const char *path, const BktPeerEnd *peer, const BktPeerEnd *ours, uid_t *uid)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return BKT_PEER_UNKNOWN;
  BktPeerOwner result = bkt_peer_read(fd, peer, ours, uid);
  close(fd);
  return result;
}

gboolean
bkt_peer_end_from_sockaddr(const struct sockaddr *sa, socklen_t len, BktPeerEnd *out)
{
  if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    map_v4((const guint8 *)&in->sin_addr, out->addr);
    out->port = ntohs(in->sin_port);
    return TRUE;
  }
  if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    memcpy(out->addr, &in6->sin6_addr, 16);
    out->port = ntohs(in6->sin6_port);
    return TRUE;
  }
  return FALSE;
}

/* The peer's address; ENOTCONN (in *err) once the connection was reset. */
static gboolean
peer_end(int fd, BktPeerEnd *peer, int *err)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0) {
    *err = errno;
    return FALSE;
  }
  *err = 0;
  return bkt_peer_end_from_sockaddr((struct sockaddr *)&ss, len, peer);
}

BktPeerOwner
bkt_peer_owner(int fd, uid_t *uid)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  BktPeerEnd ours, peer;
  int err;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
      !bkt_peer_end_from_sockaddr((struct sockaddr *)&ss, len, &ours))
    return BKT_PEER_UNKNOWN;
  if (!peer_end(fd, &peer, &err))
    return err == ENOTCONN ? BKT_PEER_GONE : BKT_PEER_UNKNOWN;
  BktPeerOwner result = BKT_PEER_UNKNOWN;
  /*
   * The kernel writes the tables a piece per read, and an entry that moves in its hash chain
   * meanwhile (as a socket does when it goes to TIME_WAIT) can be left out: a peer not seen is
   * looked for again.
   */
  for (int attempt = 0; attempt < SCANS && result == BKT_PEER_UNKNOWN; attempt++) {
    /* An IPv4 peer holds an IPv4 socket, or an IPv6 one that connected to ::ffff:127.0.0.1. */
    if (is_v4_mapped(peer.addr))
      result = scan_file("/proc/net/tcp", &peer, &ours, uid);
    if (result != BKT_PEER_FOUND)
      result = better(result, scan_file("/proc/net/tcp6", &peer, &ours, uid));
  }
  /* A peer that reset the connection is in no table: asked again, our socket says so. */
  if (result == BKT_PEER_UNKNOWN && !peer_end(fd, &peer, &err) && err == ENOTCONN)
    result = BKT_PEER_GONE;
  return result;
}
