/* SPDX-License-Identifier: MIT */
/*
 * The floor of an HTTP command, for the benchmarks: what any program pays that, like
 * 'bkt-auth token' with a token to refresh, reads one item from the Secret Service with
 * libsecret and then makes one request with libcurl (loaded on demand, as bkt-auth does).
 * Nothing else: no configuration, no JSON, no terminal, no second keyring call.
 *
 *   floor HOST URL ID:SECRET   look up bkt-auth's item for HOST, then POST a refresh grant
 *                              to URL (client ID:SECRET in Basic authentication) with a
 *                              refresh token the server refuses: nothing is rotated
 *
 * Exit 0 when the item was found and the server answered with any HTTP status.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <libsecret/secret.h>
#include <stdio.h>
#include <string.h>

static const SecretSchema schema = {
  "org.bkt-auth.Credentials",
  SECRET_SCHEMA_NONE,
  {
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static size_t
discard(char *data, size_t size, size_t nmemb, void *ud)
{
  (void)data;
  (void)ud;
  return size * nmemb;
}

int
main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: floor HOST URL ID:SECRET\n");
    return 1;
  }
  GError *error = NULL;
  char *secret = secret_password_lookup_sync(&schema, NULL, &error, "host", argv[1], NULL);
  if (secret == NULL) {
    fprintf(stderr, "floor: no item for %s: %s\n", argv[1], error ? error->message : "-");
    return 1;
  }
  secret_password_free(secret);

  void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL)
    lib = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "floor: %s\n", dlerror());
    return 1;
  }
  CURLcode (*global_init)(long) = (CURLcode(*)(long))dlsym(lib, "curl_global_init");
  CURL *(*easy_init)(void) = (CURL * (*)(void)) dlsym(lib, "curl_easy_init");
  CURLcode (*setopt)(CURL *, CURLoption, ...) =
    (CURLcode(*)(CURL *, CURLoption, ...))dlsym(lib, "curl_easy_setopt");
  CURLcode (*perform)(CURL *) = (CURLcode(*)(CURL *))dlsym(lib, "curl_easy_perform");
  void (*cleanup)(CURL *) = (void (*)(CURL *))dlsym(lib, "curl_easy_cleanup");
  if (!global_init || !easy_init || !setopt || !perform || !cleanup)
    return 1;
  global_init(CURL_GLOBAL_DEFAULT);
  CURL *e = easy_init();
  setopt(e, CURLOPT_URL, argv[2]);
  setopt(e, CURLOPT_NOPROXY, "*");
  setopt(e, CURLOPT_USERPWD, argv[3]);
  setopt(e, CURLOPT_POSTFIELDS, "grant_type=refresh_token&refresh_token=bench-unknown");
  setopt(e, CURLOPT_WRITEFUNCTION, discard);
  CURLcode rc = perform(e);
  cleanup(e);
  return rc == CURLE_OK ? 0 : 1;
}
