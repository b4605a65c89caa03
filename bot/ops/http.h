/*
 * http: GET /healthz and GET /metrics on http.listen, served by lws on the
 * same loop, and POSTs of a small body (a chat server's button callbacks)
 * handed to the owner whole.  The daemon adds HTTP_PROTOCOL to its listening vhost, whose
 * user pointer is a struct http_pages: the pages come from its owner, so this
 * layer knows nothing of what they say.
 */
#ifndef DUTYBOT_HTTP_H
#define DUTYBOT_HTTP_H

#include <uv.h>
#include <libwebsockets.h>

struct http_reply;

/* Each renders a page into a malloc'd string (the caller frees it); NULL on no memory. */
struct http_pages {
	char *(*health)(void *owner, size_t *len);      /* /healthz, JSON */
	char *(*metrics)(void *owner, size_t *len);     /* /metrics, Prometheus text */
	/* A POST to URI with BODY (at most HTTP_POST_MAX bytes, NUL-terminated):
	 * returns the HTTP status, and *ANSWER a malloc'd JSON body or NULL
	 * ("{}").  NULL: every POST is 404. */
	int (*post)(void *owner, const char *uri, const char *body, size_t len, char **answer);
	/* A GET of a URI the pages above do not serve: returns 0 and answers
	 * later through http_answer() on REPLY, exactly once; or -1 (404, nothing
	 * was kept).  NULL: every such GET is 404. */
	int (*get)(void *owner, const char *uri, struct http_reply *reply);
	void *owner;
};

/* A GET answered later.  Answers STATUS with TEXT of LEN bytes (owned, freed
 * here; NULL: 500) of content TYPE; when the client left meanwhile, only frees. */
void http_answer(struct http_reply *reply, unsigned status, const char *type, char *text, size_t len);

int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
#define HTTP_PROTOCOL { .name = "http", .callback = http_callback, \
	.per_session_data_size = HTTP_SESSION_SIZE }
/* Seconds a client may take for its request, or stay idle between requests. */
#define HTTP_TIMEOUT_S 5

/* 0 if the daemon's listening socket on PORT is bound to HOST (an IP
 * literal) and to nothing else; otherwise logs what it found and -1. */
int http_check_bound(const char *host, int port);
/* "127.0.0.1:9462", "[::1]:9462"; a static buffer. */
const char *http_listen_text(const char *host, int port);

#define HTTP_POST_MAX 65536
#define HTTP_SESSION_SIZE 128   /* struct http_session (http.c checks it fits) */

#endif
