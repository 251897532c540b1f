/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * Who holds the other end of a TCP connection made on this machine, found as identd finds it:
 * the peer's socket is the entry of /proc/net/tcp or /proc/net/tcp6 whose local address and
 * port are the connection's remote ones, and whose remote address and port are its local ones.
 * An entry counts only while a process holds the socket (a non-zero inode): a peer that sent
 * and closed at once is listed with inode 0, and on some kernels with uid 0.
 */

typedef enum {
  BKT_PEER_FOUND,   /* a process of *uid holds the peer's socket */
  BKT_PEER_GONE,    /* the peer closed its socket (listed, but no process holds it) or reset
                       the connection */
  BKT_PEER_UNKNOWN, /* not listed, not TCP over IP, or the tables cannot be read */
} BktPeerOwner;

/* One end of a connection: an IPv6 address (IPv4 as ::ffff:a.b.c.d) and a port. */
typedef struct {
  guint8 addr[16];
  guint16 port;
} BktPeerEnd;

/* The owner of the peer of the connected TCP socket fd (an accepted one, say). */
BktPeerOwner bkt_peer_owner(int fd, uid_t *uid);

/* Fill out from an AF_INET or AF_INET6 address; FALSE for anything else. */
gboolean bkt_peer_end_from_sockaddr(const struct sockaddr *sa, socklen_t len, BktPeerEnd *out);

/*
 * Look for the peer's socket in len bytes of a table in the format of /proc/net/tcp or
 * /proc/net/tcp6 (both may be mixed; lines that do not parse are skipped). peer is the far
 * end of our connection, ours the near end.
 */
BktPeerOwner bkt_peer_find(const char *table, size_t len, const BktPeerEnd *peer,
                           const BktPeerEnd *ours, uid_t *uid);

/*
 * The same over what fd gives until its end, read in chunks of whole lines (a table may be
 * large). A line longer than 64 KiB, which no kernel writes, is skipped.
 */
BktPeerOwner bkt_peer_read(int fd, const BktPeerEnd *peer, const BktPeerEnd *ours, uid_t *uid);
