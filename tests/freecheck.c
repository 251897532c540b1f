/* SPDX-License-Identifier: MIT */
/*
 * Preloaded by the hygiene tests (LD_PRELOAD): looks into every block the program frees, or
 * that realloc moves, and reports those that still hold a secret, with where the free came
 * from. A block freed by bkt-auth's own code ("ours") must have been wiped first; blocks freed
 * inside libraries (libcurl's buffers, GDBus messages) are reported as such, for the record.
 *
 * Every block is zeroed once looked at, so what a block holds when it is freed was written by
 * its last owner, not left over from an earlier one.
 *
 * Secrets: words shaped like the fake Bitbucket's tokens ("at-" or "rt-" and 20 or more
 * base64url characters), and each line of the file named by BKT_FREECHECK_SECRETS.
 * Reports go to the file named by BKT_FREECHECK_LOG, one line each, after a first line
 * "loaded PID N" (N: how many secrets the file gave), so that a test can tell a clean run
 * from a preload that never loaded. Only the process it is preloaded into is watched: the
 * programs that one starts (the browser) run without it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void __libc_free(void *p);
extern void *__libc_malloc(size_t n);

#define MAX_SECRETS 16
#define MAX_FRAMES 32

static __thread int busy;
static int log_fd = -1;
static char secrets[MAX_SECRETS][256];
static size_t secret_len[MAX_SECRETS];
static int n_secrets;
static uintptr_t exe_lo = UINTPTR_MAX, exe_hi;

static int
find_exe(struct dl_phdr_info *info, size_t size, void *data)
{
  (void)size;
  (void)data;
  if (info->dlpi_name != NULL && info->dlpi_name[0] != '\0')
    return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD)
      continue;
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
    if (lo < exe_lo)
      exe_lo = lo;
    if (hi > exe_hi)
      exe_hi = hi;
  }
  return 1;
}

__attribute__((constructor)) static void
freecheck_init(void)
{
  busy = 1;
  const char *log = getenv("BKT_FREECHECK_LOG");
  if (log != NULL)
    log_fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  const char *list = getenv("BKT_FREECHECK_SECRETS");
  FILE *f = list != NULL ? fopen(list, "re") : NULL;
  char line[256];
  while (f != NULL && n_secrets < MAX_SECRETS && fgets(line, sizeof line, f) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (strlen(line) >= 8) {
      strcpy(secrets[n_secrets], line);
      secret_len[n_secrets] = strlen(line);
      n_secrets++;
    }
  }
  if (f != NULL)
    fclose(f);
  unsetenv("LD_PRELOAD");
  if (log_fd >= 0) {
    char hello[64];
    int len = snprintf(hello, sizeof hello, "loaded %ld %d\n", (long)getpid(), n_secrets);
    (void)!write(log_fd, hello, (size_t)len);
  }
  dl_iterate_phdr(find_exe, NULL);
  void *warm[2];
  backtrace(warm, 2); /* loads the unwinder now, not inside free */
  busy = 0;
}

static int
b64url(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_';
}

/* Whether the n bytes at p hold a secret. */
static int
holds_secret(const unsigned char *p, size_t n)
{
  /* A copy of one of our environment variables: the environment holds it all along. */
  if (n > 4 && memcmp(p, "BKT_", 4) == 0 && memchr(p, '=', n < 40 ? n : 40) != NULL)
    return 0;
  for (size_t i = 1; i + 3 + 20 <= n; i++) {
    if (p[i] != 't' || p[i + 1] != '-' || (p[i - 1] != 'a' && p[i - 1] != 'r'))
      continue;
    if (i >= 2 && b64url(p[i - 2]))
      continue;
    size_t run = 0;
    while (i + 2 + run < n && b64url(p[i + 2 + run]))
      run++;
    if (run >= 20)
      return 1;
  }
  for (int s = 0; s < n_secrets; s++)
    if (memmem(p, n, secrets[s], secret_len[s]) != NULL)
      return 1;
  return 0;
}

static const char *
object_of(void *addr, uintptr_t *offset)
{
  Dl_info info;
  if (dladdr(addr, &info) == 0 || info.dli_fname == NULL) {
    *offset = (uintptr_t)addr;
    return "?";
  }
  *offset = (uintptr_t)addr - (uintptr_t)info.dli_fbase;
  const char *slash = strrchr(info.dli_fname, '/');
  return slash != NULL ? slash + 1 : info.dli_fname;
}

/* Utilities our code calls to free or grow its own buffers: look past them. */
static int
is_utility(const char *object)
{
  return strncmp(object, "libc.so", 7) == 0 || strncmp(object, "libglib-2.0.so", 14) == 0 ||
         strncmp(object, "libcjson.so", 11) == 0 || strstr(object, "freecheck") != NULL;
}

static void
report(const char *how, size_t size)
{
  if (log_fd < 0)
    return;
  void *frames[MAX_FRAMES];
  int n = backtrace(frames, MAX_FRAMES);
  const char *who = NULL;
  for (int i = 1; i < n && who == NULL; i++) {
    uintptr_t off;
    const char *obj = object_of(frames[i], &off);
    if ((uintptr_t)frames[i] >= exe_lo && (uintptr_t)frames[i] < exe_hi)
      who = "ours";
    else if (!is_utility(obj))
      who = obj;
  }
  char line[2048];
  int len = snprintf(line, sizeof line, "%s %s %zu:", who != NULL ? who : "?", how, size);
  for (int i = 1; i < n && len < (int)sizeof line - 64; i++) {
    uintptr_t off;
    const char *obj = object_of(frames[i], &off);
    len += snprintf(line + len, sizeof line - (size_t)len, " %s+0x%lx", obj,
                    (unsigned long)off);
  }
  if (len < (int)sizeof line - 1)
    line[len++] = '\n';
  (void)!write(log_fd, line, (size_t)len);
}

/* Look into a block about to be given back, then zero it. */
static void
check_and_zero(void *p, const char *how)
{
  size_t n = malloc_usable_size(p);
  if (!busy) {
    busy = 1;
    if (holds_secret(p, n))
      report(how, n);
    busy = 0;
  }
  explicit_bzero(p, n);
}

void
free(void *p)
{
  if (p != NULL)
    check_and_zero(p, "free");
  __libc_free(p);
}

/* Always a new block, so that the old one is looked at as it is given back. */
void *
realloc(void *p, size_t size)
{
  if (p == NULL)
    return __libc_malloc(size);
  if (size == 0) {
    free(p);
    return NULL;
  }
  void *q = __libc_malloc(size);
  if (q == NULL)
    return NULL;
  size_t n = malloc_usable_size(p);
  memcpy(q, p, n < size ? n : size);
  check_and_zero(p, "realloc");
  __libc_free(p);
  return q;
}
