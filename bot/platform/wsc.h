/*
 * wsc: one WebSocket client socket, what every adapter's socket is built on
 * (the site's own, Discord's gateway, Slack's Socket Mode).  It owns the lws
 * details: connecting with or without TLS, asking for a subprotocol and
 * refusing a server that does not accept it, assembling fragmented frames
 * up to a limit, writing with LWS_PRE room (several frames per WRITEABLE,
 * corked into one segment when the adapter has a burst), and closing with a
 * real close frame even when asked from inside lws's own callback.  The
 * adapter sees whole frames, WRITEABLE turns and one on_closed() per
 * socket; a wsc frees itself after on_closed(), so an adapter can run two at
 * once (Slack's refresh).
 *
 * What an adapter gives a socket (the rest of an adapter is in conn.h):
 *   - on_open: the handshake is done (the platform's hello follows);
 *   - on_frame: one whole text frame, borrowed until it returns;
 *   - on_writeable: write what is due with wsc_send(), as long as
 *     wsc_send_more() says so; wsc_frame_buf() lends a buffer to build a
 *     frame in without a copy, wsc_cork() holds a burst for one segment;
 *   - on_closed: the socket is gone, with who closed it and why (struct
 *     wsc_end): the adapter's close policy (resume, fresh, later, fatal)
 *     reads it, then conn_schedule_reconnect();
 *   - optionally on_pong (platforms without heartbeats of their own ping
 *     with wsc_ping()) and on_oversized (count a refused frame).
 */
#ifndef DUTYBOT_WSC_H
#define DUTYBOT_WSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <libwebsockets.h>

struct wsc;

/* How a socket ended, for on_closed. */
struct wsc_end {
	int peer_code;                  /* the peer's close code; 0 if none (dropped, refused, or we closed) */
	const char *peer_reason;        /* its reason text, "" if none */
	int why;                        /* what we asked in wsc_close(); 0 if we did not close it */
	const char *what;               /* "connection closed" or "connection failed: <error>" */
	const char *error;              /* the connect error alone, NULL if the socket had opened */
};

struct wsc_ops {
	void (*on_open)(struct wsc *w, void *arg);
	void (*on_frame)(struct wsc *w, void *arg, const char *buf, size_t len);
	/* Write with wsc_send(); return -1 to drop the socket. */
	int (*on_writeable)(struct wsc *w, void *arg);
	/* The socket is gone (END borrowed).  W is freed when this returns. */
	void (*on_closed)(struct wsc *w, void *arg, const struct wsc_end *end);
	/* A pong answered our ping (may be NULL). */
	void (*on_pong)(struct wsc *w, void *arg);
	/* A frame over the limit was dropped, and logged (may be NULL). */
	void (*on_oversized)(struct wsc *w, void *arg);
};

/* The client vhost's protocol row every wsc socket is bound to. */
int wsc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
#define WSC_PROTOCOL_NAME "dutybot-wsc"
#define WSC_PROTOCOL { .name = WSC_PROTOCOL_NAME, .callback = wsc_callback }

/* True when URL is one wsc_open() can use (ws:// or wss://, a host). */
bool wsc_url_usable(const char *url);
/* Starts connecting to URL (ws:// or wss://, query kept), asking for
 * SUBPROTOCOL (NULL: none; else a server that does not accept it is
 * refused; "a, b" offers both, preferred first, and either is accepted);
 * NULL if it could not even start (then on_closed is not called).  Every
 * handshake carries an Origin header (http://<host>): some servers
 * (InspIRCd) refuse one without.  NAME is for the logs. */
struct wsc *wsc_open(struct lws_context *lws, const char *url, const char *subprotocol, bool tls_verify,
                     size_t max_frame, const struct wsc_ops *ops, void *arg, const char *name);
/* Asks for one WRITEABLE (asking again before it comes costs nothing). */
void wsc_want_write(struct wsc *w);
/* Stop (ON false) or go on (ON true) reading the socket: what the peer
 * sends waits in the kernel, then in the peer (TCP backpressure).  A NULL W
 * or one not open yet is left alone. */
void wsc_set_reading(struct wsc *w, bool on);
/* Inside on_writeable: a buffer of at least NEED bytes (*ROOM says how
 * many) to build the next frame in, valid until the next call; NULL when
 * out of memory. */
char *wsc_frame_buf(struct wsc *w, size_t need, size_t *room);
/* Inside on_writeable: one text frame (BUF may be wsc_frame_buf()'s: then
 * it is not copied).  0 or -1. */
int wsc_send(struct wsc *w, const char *buf, size_t len);
/* Inside on_writeable: false once lws had to buffer what was sent; the rest
 * waits for the next WRITEABLE. */
bool wsc_send_more(struct wsc *w);
/*
 * Inside on_writeable: several frames follow.  lws sends each frame with a
 * send() of its own, and on TCP each send() pushes a segment through the
 * whole stack at once (on loopback, the peer's receive path too): that was
 * a quarter of the daemon's CPU in a burst of replies.  Corked, the frames
 * of one WRITEABLE leave as one push when on_writeable returns, so a burst
 * costs one segment and a lone reply waits for nothing.
 */
void wsc_cork(struct wsc *w);
/* Inside on_writeable: a WebSocket ping (for platforms without heartbeats of their own). */
int wsc_ping(struct wsc *w);
/* Closes with CODE and REASON; on_closed follows with WHY: at once (before
 * this returns, freeing W) when called from outside lws's callbacks, else
 * once the callback returns. */
void wsc_close(struct wsc *w, int code, const char *reason, int why);
/* The adapter is going away: no more callbacks; the socket is dropped. */
void wsc_abandon(struct wsc *w);

#endif
