/*
 * http: GET /healthz and GET /metrics on http.listen, served by lws on the
 * same loop.  The daemon adds HTTP_PROTOCOL to its listening vhost, whose
 * user pointer is a struct http_pages: the pages come from its owner, so this
 * layer knows nothing of what they say.
 */
#ifndef DUTYBOT_HTTP_H
#define DUTYBOT_HTTP_H

#include <uv.h>
#include <libwebsockets.h>

/* Each renders a page into a malloc'd string (the caller frees it); NULL on no memory. */
struct http_pages {
	char *(*health)(void *owner, size_t *len);      /* /healthz, JSON */
	char *(*metrics)(void *owner, size_t *len);     /* /metrics, Prometheus text */
	void *owner;
};

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

#define HTTP_SESSION_SIZE (sizeof(void *) + sizeof(size_t))

#endif
