/*
 * timers: the engine of durable timers.  Everything that must happen later
 * is a member "<kind>|<arg>|<arg>..." of one Redis sorted set scored by due
 * time (scripts add them inside their atomic call; C code with timers_add()).
 * One uv timer wakes at the earliest due time we know of, and at least every
 * TIMERS_POLL_MS to learn of timers other instances added; timer_claim.lua
 * leases due members atomically, and the kind's fire function runs one
 * idempotent script (through timers_run()) that removes the member when it
 * is done.
 *
 * The engine knows no handler: the table of kinds is passed in at
 * timers_new() (the daemon passes handlers/timer_kinds.c's).  A kind's
 * functions get a struct timer_ctx, never the daemon; the engine logs a
 * fire's outcome and wakes itself and the outbox sender after it.
 */
#ifndef DUTYBOT_TIMERS_H
#define DUTYBOT_TIMERS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "config/config.h"
#include "state/redis.h"

struct timers;
struct deliver;

#define TIMERS_POLL_MS 2000
#define TIMERS_LEASE_MS 30000
#define TIMER_ARGS_MAX 6

/* What a kind's functions may use; borrowed until they return. */
struct timer_ctx {
	const struct config *cfg;       /* the daemon's current config */
	struct state *state;
	int64_t now;                    /* the daemon's clock when the engine called */
	struct timers *timers;          /* for timers_run()/timers_add(); NULL while shutting down */
};

struct timer_kind {
	const char *kind;
	/* MEMBER is the whole member; ARGV its '|'-separated parts (ARGV[0] = kind). */
	void (*fire)(const struct timer_ctx *ctx, const char *member, int argc, char **argv);
	/* Optional: adds the kind's first timer (timers_add) when the state store
	 * is up again or the config changed (timers_seed()). */
	void (*seed)(const struct timer_ctx *ctx);
};

/* KINDS (N_KINDS rows) is borrowed for the engine's life; *CFG is read at
 * every call (the daemon replaces it on reload); DELIVER is woken after a
 * fire, until timers_close(). */
struct timers *timers_new(uv_loop_t *loop, struct state *st, struct config *const *cfg, struct deliver *deliver,
                          const struct timer_kind *kinds, size_t n_kinds);
void timers_start(struct timers *t);
/* Something may have added an earlier timer: look now. */
void timers_poke(struct timers *t);
/* Calls every kind's seed: the state store is up (again) or the config changed. */
void timers_seed(struct timers *t);
void timers_close(struct timers *t);    /* closes the uv handle; freed when nothing is in flight */
uint64_t timers_fired(const struct timers *t);
/* The fires later than healthcheck.overdue_after since the last call (the
 * auditor's; the due time is the member's score when it was claimed). */
struct timers_late {
	uint64_t count;
	int64_t worst_ms;               /* the latest of them: how late */
	char worst_member[160];
};
struct timers_late timers_take_late(struct timers *t);
/* The context the kinds get, for code that starts the same work outside a fire. */
struct timer_ctx timers_ctx(struct timers *t);

/* KEYS[1] = prefix + KEY, then ARGV prefix, now: the head of a fire's script. */
struct state_args *timers_args(const struct timer_ctx *ctx, const char *key);
/* Runs script ID (one key, ARGS owned) for the timer MEMBER (NULL for the
 * background work of a handler): logs the outcome as "timers: LABEL: <the
 * reply> (MEMBER)" (a failed timer fires again after its lease) and, when it
 * succeeded, wakes the timers and the outbox sender, since the script may
 * have added to either. */
void timers_run(const struct timer_ctx *ctx, const char *label, const char *member, enum state_script id,
                struct state_args *args);
/* The same, and THEN(reply, ARG) is called with the reply of a script that
 * succeeded, for a kind that counts what its script did. */
typedef void timers_then(const redisReply *r, void *arg);
void timers_run_then(const struct timer_ctx *ctx, const char *label, const char *member, enum state_script id,
                     struct state_args *args, timers_then *then, void *arg);
/* Adds MEMBER due at DUE unless it is there already (ZADD NX: several
 * instances add it once), and looks again when it was added. */
void timers_add(const struct timer_ctx *ctx, int64_t due, const char *member);

#endif
