/*
 * site_private: what site_server.c (lws, connections, queues),
 * site_protocol.c (the meaning of the frames) and site_misbehave.c (faults
 * on request) share.  Not for other files.
 */
#ifndef DEMO_SITE_PRIVATE_H
#define DEMO_SITE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <libwebsockets.h>
#include <cjson/cJSON.h>

#include "site_server.h"

#define SITE_PROTOCOL   "dutybot.site.v1"
#define SITE_FRAME_MAX  65536   /* bytes; larger frames are refused (close 1009) */
#define SITE_TEXT_MAX   2000    /* code points of a message text */

enum conn_state {
	CONN_HELLO,             /* hello sent, waiting for identify */
	CONN_READY,             /* identified: gets live messages */
	CONN_CLOSING,           /* a close or drop is queued or under way: nothing more */
};

enum qkind { Q_FRAME, Q_CLOSE, Q_DROP };

/* One queued thing to do on a connection, in the order it was asked for. */
struct qitem {
	struct qitem *next;
	enum qkind kind;
	int code;               /* Q_CLOSE */
	unsigned burst;         /* Q_FRAME of a /burst: its group, written in one segment */
	size_t len;             /* payload bytes after LWS_PRE (Q_CLOSE: the reason) */
	unsigned char buf[];    /* LWS_PRE + len */
};

/* The per-connection data; lws allocates it zeroed and frees it after CLOSED. */
struct conn {
	struct conn *next, **pprev;     /* in site_server.conns */
	struct site_server *srv;        /* NULL until established */
	struct lws *wsi;
	unsigned num;                   /* 1, 2, ... for the human log */
	enum conn_state state;
	uint64_t session;               /* the N of "s-N" once identified */

	struct qitem *qhead, *qtail;    /* owned, freed at CLOSED */

	char *rx;                       /* owned: the message being reassembled */
	size_t rx_len, rx_cap;
	bool rx_binary, rx_too_big;
	size_t rx_total;

	uint64_t *window;               /* owned: ms times of the last max_rate actions */
	size_t win_head, win_n;

	int peer_code;                  /* the bot's close code, -1 none */
	int sent_code;                  /* ours, -1 none */
	bool close_due;                 /* the queue reached a close: kick does it */
	bool close_started;
	int close_code;
	char close_reason[124];
	size_t close_reason_len;
};

struct site_session {
	uint64_t num;
	uint64_t start_id;              /* messages after this one are "unseen" by it */
};

struct site_server {
	uv_loop_t *loop;                /* borrowed */
	struct lws_context *ctx;
	struct lws_vhost *vhost;
	struct people *people;          /* borrowed */
	struct report *report;          /* borrowed */

	char *host, *path;              /* owned */
	int port;
	char **tokens;                  /* owned */
	size_t n_tokens;
	int heartbeat_ms, max_rate;

	bool acks, refuse;
	int forced_limits, forced_retry_ms;     /* /ratelimit N RETRY_MS */
	int lose_next, garble_next;             /* /lose N [TYPE], /garble N */
	char lose_type[8];                      /* "": any action */

	uint64_t last_id;               /* the last "m-N" given out */
	uint64_t last_session;          /* the last "s-N" given out */
	struct site_session *sessions;  /* owned; emptied by /expire */
	size_t n_sessions, cap_sessions;
	struct history *history;        /* owned */
	char *last_frame;               /* owned: the last message frame, for /dup */
	size_t last_frame_len;
	uint64_t last_frame_id;
	unsigned burst, bursts;         /* the /burst being queued (0: none), the last one */

	struct conn *conns;
	unsigned n_conns_ever;
	struct site_web *web;           /* owned; NULL without --web */

	uv_timer_t kick;                /* runs queued closes outside lws callbacks */
	uv_timer_t deadline;            /* shutdown: stop waiting for closes */
	bool shutting_down;
	bool destroying;                /* lws_context_destroy() phase 1 has run */
	bool debug;                     /* DEMO_SITE_DEBUG set: state changes to stderr */
};

/* site_server.c */
/* Appends a frame, a close or a drop to C's queue (nothing once it is closing). */
void conn_push(struct conn *c, enum qkind kind, int code, const void *data, size_t len);
void conn_set_state(struct conn *c, enum conn_state state, const char *reason);
void conn_send(struct conn *c, const char *data, size_t len);
void conn_send_json(struct conn *c, cJSON *frame);      /* frees FRAME */
void conn_close(struct conn *c, int code, const char *reason);

/* Does the comma-separated list LIST (a Sec-WebSocket-Protocol header) name PROTO? */
bool site_offers(const char *list, const char *proto);

/* site_web.c */
void site_web_free(struct site_web *web);

/* site_protocol.c */
void site_on_frame(struct conn *c, const char *data, size_t len, bool binary);
void site_bad_frame(struct conn *c, const char *why, const char *data, size_t len);
uint64_t site_now_ms(void);

#endif
