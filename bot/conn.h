/*
 * conn: what every platform adapter is to the rest of the daemon.  An adapter
 * fills a struct conn, turns frames into chat_events for hooks->on_event, and
 * drains conn->outbox into frames.  It calls upward only through the hooks,
 * so it never includes the dispatcher or touches Redis.
 */
#ifndef DUTYBOT_CONN_H
#define DUTYBOT_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config/config.h"
#include "bot/outbox.h"

struct lws_context;

/* A platform message, borrowed for the duration of on_event(). */
struct chat_event {
	const char *msg_id;     /* platform message id; NULL if it has none */
	const char *room;       /* NULL for a private message */
	bool dm;
	const char *user_id;    /* platform user id */
	const char *user_name;  /* display name; never used to identify anyone */
	const char *text;       /* starts with the command prefix (or is a DM) */
	size_t text_len;
	int64_t ts_ms;          /* platform timestamp, 0 if none */
	/* A button click: TEXT is the button's command and CLICK the adapter's
	 * handle for answering it; the answer comes back through
	 * conn_ops.click_done instead of being posted.  NULL for typed messages. */
	const char *click;
};

enum conn_status { CONN_DOWN, CONN_CONNECTING, CONN_UP, CONN_FATAL, CONN_STOPPED };

struct conn;

struct conn_hooks {
	/* False: not taken (shutting down); the adapter must not move its resume
	 * point past it, so whoever runs next gets it again. */
	bool (*on_event)(struct conn *c, const struct chat_event *ev);
	/* Where to resume: calls done(c, session, last_id) (NULLs for none), maybe later. */
	void (*load_resume)(struct conn *c, void (*done)(struct conn *c, const char *session, const char *last_id));
	/* The resume point moved (called often; the receiver throttles). */
	void (*save_resume)(struct conn *c, const char *session, const char *last_id);
	/* A delivery failed for good: tell the person who caused it. */
	void (*on_delivery_failed)(struct conn *c, const struct out_msg *m, const char *code);
	void (*on_stopped)(struct conn *c);
};

struct conn_ops {
	int (*start)(struct conn *c);
	void (*stop)(struct conn *c);           /* flush briefly, close cleanly, then hooks->on_stopped */
	void (*kick)(struct conn *c);           /* the outbox may have work */
	/* Config reload: take the (maybe changed) secrets of CC; one refused
	 * before is tried again. */
	void (*set_token)(struct conn *c, const struct config_connection *cc);
	/* The command a click ran ended: OK if it did what the button says; TEXT
	 * is what it answered (NULL if nothing).  Only adapters with buttons. */
	void (*click_done)(struct conn *c, const char *click, bool ok, const char *text);
	void (*free)(struct conn *c);
};

struct conn {
	const struct conn_ops *ops;
	const struct conn_hooks *hooks;
	void *owner;                    /* the daemon, for the hooks */
	uv_loop_t *loop;
	struct lws_context *lws;
	char *name;                     /* owned */
	enum platform_type type;
	enum conn_status status;
	const char *status_text;        /* static string for /healthz */
	char *lang;                     /* default language, owned */
	char *channel[CHANNEL_MAX];     /* owned, NULL where unmapped; replaced on reload */
	int max_send_rate;              /* actions per second, 0 = unpaced */
	int max_in_flight;
	char self_id[128];              /* the bot's own user id once known */
	struct outbox *outbox;
	uint64_t reconnects;
	uint64_t events_in;
	uint64_t bad_frames;
	uint64_t actions_acked;
};

/* Hands a message (or a click, CLICK non-NULL) to the daemon, counting it.
 * ROOM is ignored when DM.  False: not taken (shutting down), see on_event. */
bool conn_take(struct conn *c, const char *msg_id, bool dm, const char *room, const char *user_id,
               const char *user_name, const char *text, const char *click);

/* Creates the adapter for CC; NULL (logged) if the platform is not built in. */
struct conn *conn_new(const struct config_connection *cc, uv_loop_t *loop, struct lws_context *lws,
                      const struct conn_hooks *hooks, void *owner, const char *command_prefix);
/* Copies the reloadable settings (channels, lang, send rate). */
void conn_apply_config(struct conn *c, const struct config_connection *cc);
void conn_free(struct conn *c);

/* Platform constructors (bot/<platform>.c). */
struct conn *site_conn_new(const struct config_connection *cc, const char *command_prefix);
struct conn *discord_conn_new(const struct config_connection *cc, const char *command_prefix);
struct conn *slack_conn_new(const struct config_connection *cc, const char *command_prefix);

#endif
