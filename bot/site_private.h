/*
 * site_private: the site adapter's state, shared by its files: site.c (the
 * connection's life: states, closing, reconnecting, reading) and
 * site_write.c (frames out).
 */
#ifndef DUTYBOT_SITE_PRIVATE_H
#define DUTYBOT_SITE_PRIVATE_H

#include "bot/conn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <libwebsockets.h>

#define SITE_SUBPROTOCOL "dutybot.site.v1"
#define SITE_MAX_FRAME (64 * 1024)
#define SITE_MAX_TEXT 2000
#define SITE_HANDSHAKE_MS 15000
/* An action's answer is due within this times its try number (4, 8, 12 s);
 * after SITE_ACK_TRIES sends without one it is given up (the catalog's
 * MSG_DELIVERY_UNANSWERED and docs/dutybot.cfg.5 say "3 tries"). */
#define SITE_ACK_TIMEOUT_MS 4000
#define SITE_ACK_TRIES 3

enum site_state { S_IDLE, S_CONNECTING, S_HELLO, S_IDENTIFYING, S_READY, S_BACKOFF, S_FATAL,
                  S_STOPPING, S_STOPPED };

/* Why we closed the socket ourselves; decides what the CLOSED event does. */
enum local_close { LC_NONE, LC_ZOMBIE, LC_RECONNECT, LC_TIMEOUT, LC_PROTOCOL, LC_STOP };

struct site {
	struct conn conn;               /* first: a struct conn * is a struct site *; conn.state is an enum site_state */
	struct lws *wsi;
	char url[512];                  /* parsed in place by lws_parse_uri */
	const char *host, *path_raw;
	char path[520];
	int port;
	bool tls, tls_verify;
	char *token;                    /* owned */
	char prefix[8];
	size_t prefix_len;

	char session[128];              /* resume point */
	char last_id[128];
	bool freeze_resume;             /* an event was not taken: never move past it */

	uv_timer_t heartbeat_timer, handshake_timer;
	int64_t heartbeat_ms;
	bool awaiting_ack;
	bool want_identify, want_heartbeat;
	int64_t next_delay_ms;          /* set by the close policy, -1 = backoff */
	bool resume_next;               /* offer resume on the next identify */
	int peer_close_code;
	char peer_close_reason[64];
	enum local_close local_close;
	bool in_callback;               /* inside site_callback for our wsi */
	bool close_pending;             /* close_now() was asked inside it */
	bool socket_open;               /* a connect is under way or the socket is up */
	bool write_requested;           /* a WRITEABLE is on its way */

	char *rx;                       /* frame being assembled */
	char *scratch;                  /* a message's strings, terminated (site_frame_message) */
	size_t scratch_cap;
	size_t rx_len, rx_cap;
	bool rx_skip;                   /* current frame is over the limit */
	unsigned char *tx;              /* LWS_PRE + frame */
	size_t tx_cap;
};

/* Asks lws for one WRITEABLE (once until it comes). */
void site_want_write(struct site *s);
/* The WRITEABLE callback: control frames, then queued actions.  -1: close. */
int site_on_writeable(struct site *s);

#endif
