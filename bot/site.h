/*
 * site: the adapter for the site's own JSON-over-WebSocket protocol.  The
 * daemon puts site_protocol in the client vhost's protocol list and creates
 * connections with site_conn_new() (declared in bot/conn.h).
 */
#ifndef DUTYBOT_SITE_H
#define DUTYBOT_SITE_H

#include <uv.h>
#include <libwebsockets.h>
#include "bot/conn.h"

/* The client vhost's protocol row for site connections. */
int site_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
#define SITE_PROTOCOL { .name = "dutybot.site.v1", .callback = site_callback }

#endif
