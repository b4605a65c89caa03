/*
 * wsc: one WebSocket client socket for the adapters whose socket URL comes
 * from a REST call (Discord's gateway, Slack's Socket Mode).  It owns the lws
 * details: connecting with or without TLS, assembling fragmented frames up
 * to a limit, writing with LWS_PRE room, and closing with a real close frame
 * even when asked from inside lws's own callback.  The adapter sees whole
 * frames, WRITEABLE turns and one on_closed() per socket; a wsc frees itself
 * after on_closed(), so an adapter can run two at once (Slack's refresh).
 */
#ifndef DUTYBOT_WSC_H
#define DUTYBOT_WSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <libwebsockets.h>

struct wsc;

struct wsc_ops {
	void (*on_open)(struct wsc *w, void *arg);
	void (*on_frame)(struct wsc *w, void *arg, const char *buf, size_t len);
	/* Write with wsc_send(); return -1 to drop the socket. */
	int (*on_writeable)(struct wsc *w, void *arg);
	/* PEER_CODE: the peer's close code (0 if none: dropped, refused, or we
	 * closed); WHY: what we asked in wsc_close (0 if we didn't).  W is freed
	 * when this returns. */
	void (*on_closed)(struct wsc *w, void *arg, int peer_code, const char *peer_reason, int why,
	                  const char *what);
	/* A pong answered our ping (may be NULL). */
	void (*on_pong)(struct wsc *w, void *arg);
};

/* The client vhost's protocol row every wsc socket is bound to. */
int wsc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
#define WSC_PROTOCOL_NAME "dutybot-wsc"
#define WSC_PROTOCOL { .name = WSC_PROTOCOL_NAME, .callback = wsc_callback }

/* Starts connecting to URL (ws:// or wss://, query kept); NULL if it could
 * not even start (then on_closed is not called).  NAME is for the logs. */
struct wsc *wsc_open(struct lws_context *lws, const char *url, bool tls_verify, size_t max_frame,
                     const struct wsc_ops *ops, void *arg, const char *name);
void wsc_want_write(struct wsc *w);
/* Inside on_writeable: one text frame.  0 or -1. */
int wsc_send(struct wsc *w, const char *buf, size_t len);
/* Inside on_writeable: a WebSocket ping (for platforms without heartbeats of their own). */
int wsc_ping(struct wsc *w);
/* Closes with CODE and REASON; on_closed follows with WHY: at once (before
 * this returns, freeing W) when called from outside lws's callbacks, else
 * once the callback returns. */
void wsc_close(struct wsc *w, int code, const char *reason, int why);
/* The adapter is going away: no more callbacks; the socket is dropped. */
void wsc_abandon(struct wsc *w);

#endif
