/*
 * timers: the engine of durable timers.  Everything that must happen later
 * is a member "<kind>|<arg>|<arg>..." of one Redis sorted set scored by due
 * time (scripts add them).  One uv timer wakes at the earliest due time we
 * know of, and at least every TIMERS_POLL_MS to learn of timers other
 * instances added; timer_claim.lua leases due members atomically, and the
 * kind's fire function (handlers/timer_kinds.c) runs one idempotent script
 * that removes the member when it is done.
 */
#ifndef DUTYBOT_TIMERS_H
#define DUTYBOT_TIMERS_H

#include <stdint.h>

struct dutybot;

#define TIMERS_POLL_MS 2000
#define TIMERS_LEASE_MS 30000
#define TIMER_ARGS_MAX 6

struct timer_kind {
	const char *kind;
	/* MEMBER is the whole member; ARGV its '|'-separated parts (ARGV[0] = kind). */
	void (*fire)(struct dutybot *bot, const char *member, int argc, char **argv);
};

extern const struct timer_kind timer_kinds[];
extern const unsigned n_timer_kinds;

struct timers;

struct timers *timers_new(struct dutybot *bot);
void timers_start(struct timers *t);
/* Something may have added an earlier timer: look now. */
void timers_poke(struct timers *t);
void timers_close(struct timers *t);    /* closes the uv handle; freed in its callback */
uint64_t timers_fired(const struct timers *t);

#endif
