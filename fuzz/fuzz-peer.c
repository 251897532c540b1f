/* SPDX-License-Identifier: MIT */
/*
 * The /proc/net/tcp and tcp6 parser that tells who sent a request to the loopback listener:
 * whole or read from a descriptor in chunks, a table gives the same answer, the owner is set
 * only when found, and nothing outside the table is read.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "peer.h"

#define UNSET ((uid_t)12345)

static BktPeerEnd
end_of(int family, const char *addr, guint16 port)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, addr, &a->sin_addr);
    len = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, addr, &a->sin6_addr);
    len = sizeof *a;
  }
  BktPeerEnd e;
  FUZZ_CHECK(bkt_peer_end_from_sockaddr((struct sockaddr *)&ss, len, &e));
  return e;
}

static void
check(const uint8_t *data, size_t size, const BktPeerEnd *peer, const BktPeerEnd *ours)
{
  uid_t whole_uid = UNSET, read_uid = UNSET;
  BktPeerOwner whole = bkt_peer_find((const char *)data, size, peer, ours, &whole_uid);
  FUZZ_CHECK(whole == BKT_PEER_FOUND || whole == BKT_PEER_GONE || whole == BKT_PEER_UNKNOWN);
  if (whole != BKT_PEER_FOUND)
    FUZZ_CHECK(whole_uid == UNSET);
  else
    FUZZ_CHECK(whole_uid != (uid_t)-1);

  /* Through a pipe, which takes the whole input at once (at most 64 KiB). */
  if (size > 60000)
    return;
  int fds[2];
  FUZZ_CHECK(pipe(fds) == 0);
  FUZZ_CHECK(size == 0 || write(fds[1], data, size) == (ssize_t)size);
  close(fds[1]);
  BktPeerOwner chunked = bkt_peer_read(fds[0], peer, ours, &read_uid);
  close(fds[0]);
  FUZZ_CHECK(chunked == whole);
  FUZZ_CHECK(read_uid == whole_uid);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* A copy of exactly the input's size: ASan sees any read past its end. */
  uint8_t *copy = g_memdup2(data, size);
  BktPeerEnd v4_peer = end_of(AF_INET, "127.0.0.1", 40887);
  BktPeerEnd v4_ours = end_of(AF_INET, "127.0.0.1", 38200);
  BktPeerEnd v6_peer = end_of(AF_INET6, "::1", 40887);
  BktPeerEnd v6_ours = end_of(AF_INET6, "::1", 38200);
  check(copy, size, &v4_peer, &v4_ours);
  check(copy, size, &v6_peer, &v6_ours);
  check(copy, size, &v4_ours, &v4_peer);
  g_free(copy);
  return 0;
}
