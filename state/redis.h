/*
 * redis: the daemon's one Redis connection (hiredis async on the uv loop).
 * It reconnects by itself with backoff, loads the embedded scripts on every
 * connect, re-sends a script with EVAL when Redis answers NOSCRIPT, and fails
 * a command that waits longer than the configured timeout.  While Redis is
 * down a call fails at once (asynchronously) with STATE_UNAVAILABLE, so the
 * person who asked is told instead of waiting.
 */
#ifndef DUTYBOT_STATE_REDIS_H
#define DUTYBOT_STATE_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <hiredis/hiredis.h>

#include "state/scripts.h"

#define STATE_UNAVAILABLE "state store unavailable"
#define STATE_ARGS_INLINE 64     /* most calls: no allocation for the lists */
#define STATE_ARGS_MAX 8192      /* the begin batch of bot/dispatch.c is the big one */

struct state;

/* Arguments of one call; binary safe.  Owned by whoever holds it, freed by state. */
struct state_args {
	int argc;
	int cap;
	char **argv;            /* inline_argv until it grows */
	size_t *len;
	bool overflow;          /* too many or out of memory: the call fails */
	char *inline_argv[STATE_ARGS_INLINE];
	size_t inline_len[STATE_ARGS_INLINE];
};

/* NULL when out of memory.  The adders then do nothing and state_call() or
 * state_eval() of the NULL fails the call ("out of memory", through the
 * callback as any failure), so a caller need not check. */
struct state_args *state_args_new(void);
void state_args_add(struct state_args *a, const char *s);            /* NULL adds "" */
void state_args_addb(struct state_args *a, const void *p, size_t n);
void state_args_addf(struct state_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void state_args_free(struct state_args *a);

/* A deep copy of R that freeReplyObject() frees (hiredis frees R when its
 * callback returns); NULL when out of memory. */
redisReply *state_reply_clone(const redisReply *r);

/*
 * Called exactly once per call: reply set and err NULL on success; reply NULL
 * and err set (STATE_UNAVAILABLE, a timeout, or Redis's error text) on failure.
 * The reply is borrowed until the callback returns.
 */
typedef void state_cb(const redisReply *reply, const char *err, void *privdata);

struct state_options {
	const char *host;           /* IP literal or "localhost" */
	int port;
	const char *unix_socket;    /* wins over host/port when set */
	int db;
	const char *password;       /* NULL for none */
	int64_t timeout_ms;
	const char *prefix;         /* "dutybot:{cc}:" */
	/* Sentinel mode when n_sentinels > 0: host/port/unix_socket are unused;
	 * the sentinels name the master, and every call waits (WAIT 1) until a
	 * replica has its writes before it is answered, while replicas exist. */
	const char *const *sentinel_hosts;  /* address literals */
	const int *sentinel_ports;
	size_t n_sentinels;
	const char *master_name;
	const char *sentinel_password;      /* NULL for none */
};

struct state_stats {
	uint64_t errors;            /* failed calls (down, timeout, error reply) */
	uint64_t reconnects;        /* successful connects after the first */
	uint64_t calls;
	uint64_t unreplicated;      /* sentinel mode: answered while no replica had confirmed the write */
	uint64_t replayed;          /* script calls sent again after their reply was lost */
};

struct state *state_new(uv_loop_t *loop, const struct state_options *opt);
int state_start(struct state *st);
/* Stop reconnecting, let pending replies arrive, close; *done() when fully closed. */
void state_close(struct state *st, void (*done)(void *arg), void *arg);
void state_free(struct state *st);

bool state_is_up(const struct state *st);
const char *state_prefix(const struct state *st);
const struct state_stats *state_stats(const struct state *st);
size_t state_pending(const struct state *st);
/* Counts every successful connect: a change means Redis may have lost data. */
unsigned state_epoch(const struct state *st);

/* Takes ownership of ARGS. */
void state_call(struct state *st, struct state_args *args, state_cb *cb, void *privdata);
/* EVALSHA of script ID with ARGS = keys then args; NKEYS of them are keys. */
void state_eval(struct state *st, enum state_script id, int nkeys,
                struct state_args *args, state_cb *cb, void *privdata);

#endif
