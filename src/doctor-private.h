/* SPDX-License-Identifier: MIT */
#pragma once

/* What the parts of doctor share. */

#include "doctor.h"
#include "host.h"
#include "hosts.h"
#include "secret.h"

typedef struct {
  BktCheckFunc report;
  gpointer user_data;
} Run;

/* A new check; takes summary and fix. */
BktCheck *doctor_check(const char *id, const char *host, BktCheckStatus status, char *summary,
                    char *fix);
/* Report a check and free it. */
void doctor_emit(Run *run, BktCheck *c);

/* Reach a host: the connection, TLS, what answers, the clock, and the stored token (when
 * entry and token are given). */
void doctor_check_server(Run *run, const BktHost *host, const char *ca_file, const BktHostEntry *entry,
                  const BktSecret *token);

/* Where tokens can be kept here: the Secret Service and the kernel keyring. */
void doctor_check_stores(Run *run, GPtrArray *hosts);
/* Logins kept in the file while a safer store can be used (only named, when not NULL). */
void doctor_check_file_logins(Run *run, GPtrArray *hosts, const BktHostEntry *named);
