/*
 * site_private: the site adapter's state, shared by its files: site.c (the
 * connection's life: states, closing, reconnecting, reading) and
 * site_write.c (frames out).  The socket is a bot/platform/wsc.h one.
 */
#ifndef DUTYBOT_SITE_PRIVATE_H
#define DUTYBOT_SITE_PRIVATE_H

#include "bot/platform/conn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

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

/* Why we closed the socket ourselves (wsc_close's WHY); decides what on_closed does. */
enum local_close { LC_NONE, LC_ZOMBIE, LC_RECONNECT, LC_TIMEOUT, LC_PROTOCOL, LC_STOP };

struct wsc;

struct site {
	struct conn conn;               /* first: a struct conn * is a struct site *; conn.state is an enum site_state */
	struct wsc *ws;                 /* the socket; NULL while there is none */
	char url[512];
	bool tls_verify;
	char *token;                    /* owned */
	char prefix[8];
	size_t prefix_len;

	char session[128];              /* resume point */
	char last_id[128];
	bool freeze_resume;             /* an event was not taken: never move past it */

	uv_timer_t heartbeat_timer;
	int64_t heartbeat_ms;
	bool awaiting_ack;
	bool want_identify, want_heartbeat;
	int64_t next_delay_ms;          /* set by the close policy, -1 = backoff */
	bool resume_next;               /* offer resume on the next identify */

	char *scratch;                  /* a message's strings, terminated (site_frame_message) */
	size_t scratch_cap;
};

/* Asks for one WRITEABLE, if there is a socket. */
void site_want_write(struct site *s);
/* The socket's on_writeable (ARG the struct site): control frames, then
 * queued actions.  -1: close. */
int site_on_writeable(struct wsc *w, void *arg);

#endif
