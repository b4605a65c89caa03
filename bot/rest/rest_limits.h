/*
 * rest_limits: the rate-limit side of the REST client, for rest.c only (the
 * public interface is rest.h; rest_limits.c says how the limits work).
 *
 * rest.c asks here when a request may go and tells what went out and what
 * came back; what to do with an answer (retry, give up) stays rest.c's.  A
 * request holds its route, an opaque handle, from rest_request() until it is
 * freed, and the bucket it went out on while it is in flight: a route's
 * bucket can change under a request in flight, and the count must come off
 * the one it went on.  Times are uv_now() milliseconds.
 */
#ifndef DUTYBOT_REST_LIMITS_H
#define DUTYBOT_REST_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define REST_NEVER UINT64_MAX        /* "when something in flight finishes" */

/* ---- a small string-keyed table (rest.c's queues; routes and buckets here) ---- */

struct rest_table_entry {
	struct rest_table_entry *next;
	char *key;
};

struct rest_table {
	struct rest_table_entry **slot;
	size_t n_slot, count;
};

struct rest_table_entry *rest_table_find(const struct rest_table *t, const char *key);
/* 0, or -1 (out of memory; E is not in T). */
int rest_table_add(struct rest_table *t, struct rest_table_entry *e);
void rest_table_del(struct rest_table *t, struct rest_table_entry *e);

/* ---- the limits ---- */

struct rest_limits;     /* routes, buckets, the global window and hold */
struct rest_route;           /* a route key: its budget, its bucket */
struct rest_bucket;          /* what answers said about a bucket; what is in flight on it */

/* What the rate-limit headers of the last answer said. */
struct rest_limit_headers {
	bool has_limit, has_remaining, has_reset, has_retry, global;
	long limit, remaining;
	double reset_after, retry_after;
	char bucket[64];
	char scope[16];
};

/* NULL: out of memory.  LOOP's clock dates the sweeps of idle routes. */
struct rest_limits *rest_limits_new(uv_loop_t *loop);
/* Once nothing is in flight any more; L may be NULL. */
void rest_limits_free(struct rest_limits *l);

/* rest_global_limit(), rest_route_limit(): 0, or -1 (out of memory). */
int rest_limits_global(struct rest_limits *l, int per_second);
int rest_limits_route_budget(struct rest_limits *l, const char *route, int per_minute);

/* A request's route: ROUTE, or METHOD and PATH when ROUTE is NULL; held
 * until rest_limits_route_unref().  NULL: out of memory. */
struct rest_route *rest_limits_route_ref(struct rest_limits *l, const char *route, const char *method,
                               const char *path);
void rest_limits_route_unref(struct rest_route *rt);

/* True the first time only: a 401/403 is logged once per route. */
bool rest_limits_warn_once(struct rest_route *rt);

/* When a request on RT may go as far as RT's budget and bucket go (not the
 * global limits): 0 = now, REST_NEVER = when one in flight on its bucket comes back. */
uint64_t rest_limits_route_next(const struct rest_route *rt, uint64_t now);
/* Until when a global 429 holds every route. */
uint64_t rest_limits_global_hold(const struct rest_limits *l);
/* When the global rate lets the next request go: 0 = now. */
uint64_t rest_limits_global_next(const struct rest_limits *l);

/* A request on RT went out AT: it counts in the windows and in flight on
 * RT's bucket, which is returned; hand it back to rest_limits_returned(). */
struct rest_bucket *rest_limits_sent(struct rest_limits *l, struct rest_route *rt, uint64_t at);
void rest_limits_returned(struct rest_limits *l, struct rest_bucket *b);

/* curl's CURLOPT_HEADERFUNCTION; ARG is a struct rest_limit_headers, zeroed by every
 * status line. */
size_t rest_limits_on_header(char *line, size_t size, size_t n, void *arg);
/* What an answer's headers H say about RT's bucket; PATH, the request's,
 * gives the major parameter. */
void rest_limits_learn(struct rest_limits *l, struct rest_route *rt, const struct rest_limit_headers *h,
                  const char *path, uint64_t now);
/* A 429 with headers H and BODY (may be NULL): holds the bucket, or every
 * route when the 429 is global (*GLOBAL), and returns the wait in ms. */
uint64_t rest_limits_429(struct rest_limits *l, struct rest_route *rt, const struct rest_limit_headers *h,
                    const char *body, size_t body_len, uint64_t now, bool *global);
/* The wait an answer's Retry-After asks for, in ms; 0 when it has none. */
uint64_t rest_limits_retry_after(const struct rest_limit_headers *h);

#endif
