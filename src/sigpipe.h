/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * SIGINT, SIGTERM and SIGHUP as a readable descriptor, for front ends that wait in poll: the
 * handler only writes the signal's number to a pipe (no work in signal handlers).
 */

/* Start catching; returns the descriptor to poll, or -1. The old handlers are kept. */
int bkt_sigpipe_open(void);

/* The last signal that arrived (0: none), emptying the pipe. */
int bkt_sigpipe_take(void);

/* Put the old handlers back and close the pipe; safe to call when not open. */
void bkt_sigpipe_close(void);
