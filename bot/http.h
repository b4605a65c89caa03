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
#define HTTP_SESSION_SIZE (sizeof(void *) + sizeof(size_t))

#endif
