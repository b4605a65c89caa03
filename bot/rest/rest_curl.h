/*
 * rest_curl: libcurl on the uv loop, for rest.c only (the public interface
 * is rest.h; rest_curl.c says how curl is driven).
 *
 * rest.c decides which request goes when, and what to do with its answer;
 * this runs the transfers: a request's struct transfer goes in with
 * rest_curl_start() and comes back through the done() given to
 * rest_curl_new(), called from inside curl (never from rest_curl_start()).
 * What a transfer sends (method, url, body, headers) is rest.c's: it fills
 * it in, keeps it while the transfer is in flight, and frees it.
 */
#ifndef DUTYBOT_REST_CURL_H
#define DUTYBOT_REST_CURL_H

#include "bot/rest/rest_limits.h"

#include "bot/rest/curl_lib.h"

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct rest_curl;       /* the multi, the sockets and timer it is watched by, idle easy handles */

struct buf {
	char *p;
	size_t len, cap;
};

/* One request on the wire; an attempt at a time. */
struct transfer {
	char *method, *url, *body;      /* rest.c's */
	size_t body_len;
	struct curl_slist *headers;     /* rest.c's, from rest_curl_headers() */
	CURL *easy;                     /* while in flight */
	/* what the last attempt got back (reset by rest_curl_start()) */
	struct rest_limit_headers hdr;
	struct buf resp;                /* rest.c frees resp.p */
	char errbuf[CURL_ERROR_SIZE];
};

/* T's attempt is over: STATUS the HTTP status, or 0 and RC when no answer
 * came.  T is out of the multi already; it may be started again. */
typedef void rest_curl_done_fn(void *arg, struct transfer *t, long status, CURLcode rc);

/* NAME (for the logs) must outlive it.  NULL: out of memory, or curl would
 * not start.  TLS_VERIFY false only for tests. */
struct rest_curl *rest_curl_new(uv_loop_t *loop, const char *name, bool tls_verify,
                                rest_curl_done_fn *done, void *arg);

/* A transfer's headers: AUTH (the Authorization value; NULL or "" = none),
 * and JSON's content type.  NULL: out of memory; free with curl_slist_free_all(). */
struct curl_slist *rest_curl_headers(const char *auth, bool json);

/* Puts T on the wire: 0, or -1 (out of memory; T is not in flight). */
int rest_curl_start(struct rest_curl *c, struct transfer *t);

/* rest_free()'s steps, in order: rest_curl_stop() (no more timeouts; an easy
 * handle let go is not kept for reuse), rest_curl_cancel() of every transfer
 * in flight (done() is not called for it), then rest_curl_free(): its memory
 * is released once libuv has closed its handles, and then CLOSED(arg) is called. */
void rest_curl_stop(struct rest_curl *c);
void rest_curl_cancel(struct rest_curl *c, struct transfer *t);
void rest_curl_free(struct rest_curl *c, void (*closed)(void *arg));

#endif
