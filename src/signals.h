/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * SIGINT, SIGTERM and SIGHUP, the one place that installs handlers for them. The handlers do
 * no work: they write the signal's number to a pipe that poll loops watch (open/take/close),
 * or, over a section that must not be cut, note it until the section ends (hold/release).
 */

/* Start catching into the pipe; returns the descriptor to poll, or -1. Nested opens share
 * one pipe; the old handlers come back with the last close. */
int bkt_signals_open(void);

/* The last signal that arrived (0: none), emptying the pipe. */
int bkt_signals_take(void);

void bkt_signals_close(void);

/*
 * Hold the three signals over a section that must finish (a refresh whose old refresh token
 * the server may already have spent): release puts the handlers back, then acts on a signal
 * that arrived meanwhile as it would have. A handler, not a blocked mask: the library threads
 * (GDBus, resolvers) do not block signals, so one of them would take it.
 */
void bkt_signals_hold(void);
void bkt_signals_release(void);
