/*
 * staff_sync: the config's staff list put into Redis, one staff_upsert.lua
 * call per person.  The upserts are idempotent, so the daemon simply runs the
 * sync again whenever it may not hold: after a reload, after a failed upsert,
 * and on a new Redis connection (a restarted Redis may have lost the data).
 */
#ifndef DUTYBOT_STATE_STAFF_SYNC_H
#define DUTYBOT_STATE_STAFF_SYNC_H

#include <stdbool.h>
#include <stddef.h>

struct state;
struct config;

struct state_staff_sync {
	bool synced;            /* the config's staff are in Redis; false = sync again */
	int pending;            /* upserts not answered yet */
	unsigned epoch;         /* state_epoch() of the connection the last sync ran on */
	size_t n_staff;         /* entries of the last sync, for the log line */
	/* every upsert of a sync stored: start-up is over (NULL for none) */
	void (*on_synced)(void *arg);
	void *arg;
};

/* Sends one upsert per config entry (an entry whose identities do not fit is
 * logged and skipped); S must live until they are answered. */
void state_staff_sync(struct state_staff_sync *s, struct state *st, const struct config *cfg);

#endif
