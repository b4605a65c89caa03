/*
 * http: GET /healthz and GET /metrics on http.listen, served by lws on the
 * same loop.  The daemon adds http_protocol to its listening vhost.
 */
#ifndef DUTYBOT_HTTP_H
#define DUTYBOT_HTTP_H

#include <uv.h>
#include <libwebsockets.h>

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
