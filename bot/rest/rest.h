/*
 * rest: the HTTPS client of the REST platforms (Discord, Slack, Mattermost), on the
 * daemon's libuv loop through libcurl's multi interface (sockets watched by
 * uv_poll_t, curl's timeout by a uv_timer_t; no blocking call anywhere).
 *
 * Connections are kept alive and reused.  Rate limits are honoured before a
 * request goes out, not only after a 429:
 *   - per route: a route key ("POST /channels/123/messages") maps to a bucket;
 *     Discord's X-RateLimit-Bucket / -Remaining / -Reset-After (Mattermost's
 *     X-Ratelimit-Remaining / -Reset) fill it in, a
 *     route with a fixed budget (Slack's tiers) is declared with
 *     rest_route_limit();
 *   - global: rest_global_limit() requests per second, and a 429 that says
 *     "global" (Discord's X-RateLimit-Global or body "global": true) holds
 *     every route for its retry_after.
 * A 429 is retried after retry_after (body, float seconds) or Retry-After
 * (header, seconds); a 5xx or a transport error is retried with exponential
 * backoff (REST_MAX_ATTEMPTS in all); requests that share a queue key go out
 * one at a time in the order they were made, so a channel's messages keep
 * their order across retries.  A 401/403 is logged once per route, with the
 * token never in the log.
 */
#ifndef DUTYBOT_REST_H
#define DUTYBOT_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#define REST_MAX_ATTEMPTS 5

struct rest;

struct rest_response {
	long status;            /* HTTP status; 0 when no response arrived */
	const char *body;       /* NUL-terminated; "" when none */
	size_t body_len;
	const char *error;      /* transport error or "shutting down"; NULL when status != 0 */
};

/* Called exactly once per request: with the final answer (after retries),
 * or with status 0 and error "shutting down" from rest_free(). */
typedef void rest_done_fn(void *arg, const struct rest_response *res);

/*
 * NAME: for the logs ("discord").  BASE_URL: "https://discord.com/api/v10"
 * (a request's PATH is appended).  TLS_VERIFY false only for tests.
 */
struct rest *rest_new(uv_loop_t *loop, const char *name, const char *base_url, bool tls_verify);

/* The Authorization header value used when a request names none ("Bot …",
 * "Bearer xoxb-…"); copied. */
void rest_set_auth(struct rest *r, const char *authorization);

/* At most PER_SECOND requests per second over all routes (Discord: 50); 0 = none. */
void rest_global_limit(struct rest *r, int per_second);

/* A fixed budget for ROUTE: at most PER_MINUTE requests in any minute (Slack tiers). */
void rest_route_limit(struct rest *r, const char *route, int per_minute);

/* The wait before the first retry after a 5xx or a transport error (default
 * 500 ms); it doubles with every retry, with ±25% jitter.  Tests shorten it. */
void rest_set_backoff(struct rest *r, unsigned first_ms);

/*
 * Queues a request.  METHOD "GET" "POST" "PATCH" "PUT" "DELETE"; PATH starts
 * with "/"; ROUTE: the rate-limit key (NULL = METHOD + " " + PATH); QUEUE:
 * requests with the same non-NULL key run one at a time, in order; AUTH:
 * NULL = the default; JSON_BODY: sent as application/json (NULL = no body).
 * Returns 0, or -1 (out of memory; DONE is not called).
 */
int rest_request(struct rest *r, const char *method, const char *path, const char *route,
                 const char *queue, const char *auth, const char *json_body,
                 rest_done_fn *done, void *arg);

/* Requests queued, waiting or in flight. */
size_t rest_pending(const struct rest *r);

/* Fails everything pending ("shutting down"), then closes its handles; the
 * memory is released once libuv has closed them. */
void rest_free(struct rest *r);

#endif
