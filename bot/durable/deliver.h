/*
 * deliver: sends the durable outbox (see deliver.c).
 */
#ifndef DUTYBOT_DELIVER_H
#define DUTYBOT_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "state/redis.h"

struct deliver;
struct conn;

/* What the sender borrows from the daemon for its whole life.  The
 * connections are made after the sender, so it gets the addresses of the
 * daemon's fields and reads them at every use. */
struct deliver_setup {
	uv_loop_t *loop;
	struct state *state;
	struct conn **const *conns;     /* the daemon's array of connections... */
	const size_t *n_conns;          /* ...and its length */
	const bool *stopping;           /* no new reads once it is set */
	uint64_t *replies;              /* counts the actions it queues (/metrics) */
};

struct deliver *deliver_new(const struct deliver_setup *setup);
void deliver_start(struct deliver *d);
/* A script may have added entries: read now. */
void deliver_poke(struct deliver *d);
size_t deliver_active(const struct deliver *d);
uint64_t deliver_count(const struct deliver *d);
void deliver_close(struct deliver *d);

#endif
