/*
 * sentinel: finding the Redis master through Redis Sentinel, for state/redis.c.
 * Two kinds of short-lived or standing connections, all async on the uv loop:
 * a question (SENTINEL get-master-addr-by-name) put to the sentinels in turn
 * until one answers, and one subscription to +switch-master on some sentinel
 * that tells of a failover the moment the sentinels decide it.
 */
#ifndef DUTYBOT_STATE_SENTINEL_H
#define DUTYBOT_STATE_SENTINEL_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct sentinel;

struct sentinel_options {
	const char *const *hosts;   /* address literals */
	const int *ports;
	size_t n;
	const char *master_name;
	const char *password;       /* AUTH to each sentinel; NULL for none */
	int64_t timeout_ms;         /* per sentinel asked */
};

/* The master's address (an IP literal and a port), or HOST NULL when no sentinel answered. */
typedef void sentinel_found_cb(void *arg, const char *host, int port);

struct sentinel *sentinel_new(uv_loop_t *loop, const struct sentinel_options *opt,
                              sentinel_found_cb *found, sentinel_found_cb *switched, void *arg);
/* Start the +switch-master subscription (it reconnects by itself). */
void sentinel_start(struct sentinel *s);
/* Ask the sentinels in turn; found() is called once, later, unless
 * sentinel_cancel() comes first.  Asking again restarts the round. */
void sentinel_ask(struct sentinel *s);
void sentinel_cancel(struct sentinel *s);
/* Close every connection and timer; *done() when all are closed. */
void sentinel_close(struct sentinel *s, void (*done)(void *arg), void *arg);
void sentinel_free(struct sentinel *s);

#endif
