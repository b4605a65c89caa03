/*
 * conn: what every platform adapter is to the rest of the daemon, and the
 * skeleton the adapters share.  An adapter fills a struct conn, turns frames
 * into chat_events for hooks->on_event, and drains conn->outbox into frames.
 * It calls upward only through the hooks, so it never includes the
 * dispatcher or touches Redis.
 *
 * What an adapter provides (bot/platform/site.c is the smallest whole example; a
 * platform that sends by REST has a <platform>_out.c beside it, as Discord
 * and Slack do):
 *   - a struct that begins with its struct conn, made by <platform>_conn_new()
 *     (declared at the end of this file, called from conn_new());
 *   - an enum of its states and a table of struct conn_state rows in the
 *     same order (names for the log, what /healthz says); every transition
 *     goes through conn_set_state(), which logs "state change A -> B,
 *     reason: R" (a warning when leaving READY other than by stopping, or
 *     when failing for good);
 *   - its conn_ops: start (conn_timer_init() each of its timers, the
 *     skeleton's with conn_skeleton_start(), then connect), stop, kick,
 *     reconnect (the backoff ended: connect again), handshake_timeout (close
 *     the socket), set_token, free (its own resources only: conn_free()
 *     closes the timers and frees the struct);
 *   - its socket through bot/platform/wsc.h (wsc.h says what a socket needs), and
 *     its REST side through bot/rest/rest.h, draining with conn_drain_then() on
 *     stop.
 * The skeleton gives it: the state log and status, the reconnect backoff
 * (conn_schedule_reconnect(), reset once the connection stayed up:
 * conn_stable_start()), the handshake deadline (conn_handshake_start()),
 * drain-then-stop, and the timers' life cycle.
 *
 * So a new platform (Mattermost, IRC) is: its type and keys in config/, one
 * case in conn_new(), bot/<platform>.c (plus <platform>_out.c if it sends
 * by REST), and a fake server in tests/fakes/; the client vhost needs no new
 * protocol row, since every socket is a wsc one.
 */
#ifndef DUTYBOT_CONN_H
#define DUTYBOT_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config/config.h"
#include "bot/platform/outbox.h"

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

/* One row of an adapter's state table, indexed by the adapter's enum of states. */
struct conn_state {
	const char *name;               /* for the log: "READY" */
	enum conn_status status;        /* for the metrics */
	const char *text;               /* for /healthz (conn.status_text) */
	bool stopping;                  /* our own way down: leaving the up state for it is no warning */
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
	/* A chat server's callback on the daemon's HTTP listener (Mattermost's
	 * button clicks), BODY NUL-terminated: the HTTP status to answer (*ANSWER
	 * a malloc'd JSON body, or NULL), 0 when it is not this connection's.
	 * Only adapters whose platform calls back. */
	int (*http_action)(struct conn *c, const char *body, size_t len, char **answer);
	/* The backoff conn_schedule_reconnect() started has ended: connect again
	 * (if the adapter is still waiting to). */
	void (*reconnect)(struct conn *c);
	/* The handshake did not end by conn_handshake_start()'s deadline: close
	 * the socket (its on_closed reconnects). */
	void (*handshake_timeout)(struct conn *c);
	/* Releases the adapter's own resources, not C itself (conn_free() does,
	 * once the timers are closed). */
	void (*free)(struct conn *c);
	/* Stop (ON false) or go on (ON true) reading the platform's socket:
	 * conn_flow() when the connection has too many commands in hand.  NULL:
	 * the adapter cannot; a new socket always reads. */
	void (*set_reading)(struct conn *c, bool on);
};

#define CONN_TIMERS_MAX 8

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
	char *channel_lang[CHANNEL_MAX]; /* owned; NULL: the channel reads lang */
	int max_send_rate;              /* actions per second, 0 = unpaced */
	int max_in_flight;
	/* flow (conn_flow): commands from here being handled, and the caps */
	size_t pending;
	size_t max_pending;             /* reading stops here; chat friends are turned away from half */
	size_t max_queued;              /* actions waiting to go out beyond which friends are turned away */
	bool reading_paused;
	uint64_t reading_pauses;        /* times reading stopped */
	uint64_t turned_away;           /* chat friends' commands not taken while busy (bot/flow.c) */
	uint64_t turned_away_episode;   /* ... since the alerts channel was told */
	int64_t last_turned_away_ms;    /* 0: not turning anyone away */
	char self_id[128];              /* the bot's own user id once known */
	struct outbox *outbox;
	uint64_t reconnects;
	uint64_t events_in;
	uint64_t bad_frames;
	uint64_t actions_acked;

	/* the skeleton's (conn.c); the adapter reads state, sets it through conn_set_state() */
	int state;                      /* index into states */
	const struct conn_state *states;/* the adapter's table, static */
	uv_timer_t retry_timer, stable_timer, handshake_timer, drain_timer;
	int attempt;                    /* backoff exponent */
	uv_timer_t *timers[CONN_TIMERS_MAX];    /* closed by conn_free(); data is the conn */
	int n_timers, open_timers;
	uint64_t stop_at;               /* when the drain began */
	size_t (*drain_pending)(struct conn *c);
	void (*drain_done)(struct conn *c);
};

/* Hands a message (or a click, CLICK non-NULL) to the daemon, counting it.
 * ROOM is ignored when DM.  False: not taken (shutting down), see on_event. */
bool conn_take(struct conn *c, const char *msg_id, bool dm, const char *room, const char *user_id,
               const char *user_name, const char *text, const char *click);

/* Flow.  Whether C is too busy to take a chat friend's command: half its
 * max_pending commands in hand, or max_queued actions waiting to go out
 * (counting those in hand, which will be answered).
 * Staff commands are taken anyway (the abuse guard bounds each person's). */
bool conn_busy(const struct conn *c);
/* Stops reading C's socket at max_pending commands in hand and reads again
 * at half of it (the adapter's set_reading); call when pending changed.
 * Never for a full outbox: the acks that empty it come on the same socket. */
void conn_flow(struct conn *c);

/* Creates the adapter for CC; NULL (logged) if the platform is not built in. */
struct conn *conn_new(const struct config_connection *cc, uv_loop_t *loop, struct lws_context *lws,
                      const struct conn_hooks *hooks, void *owner, const char *command_prefix);
/* Copies the reloadable settings (channels, lang, send rate). */
void conn_apply_config(struct conn *c, const struct config_connection *cc);
void conn_free(struct conn *c);

/* ---- the adapter skeleton ---- */

/* Moves C to state ST of its table, logging "state change A -> B, reason:
 * REASON"; sets status and status_text from the row.  Nothing if already there. */
void conn_set_state(struct conn *c, int st, const char *reason);

/* Registers T, one of the adapter's timers (uv_timer_init, data = C); conn_free() closes it. */
void conn_timer_init(struct conn *c, uv_timer_t *t);
/* Inits the skeleton's own timers (reconnect, stable, handshake, drain); in ops->start. */
void conn_skeleton_start(struct conn *c);

/* Jittered exponential backoff: 1 s doubling to 60 s, ±25 %; counts *ATTEMPT up. */
int64_t conn_backoff_ms(int *attempt);
/* Logs "reconnecting in N ms" (" (resume)" when RESUME) and calls
 * ops->reconnect after DELAY_MS, or after the next backoff delay when
 * DELAY_MS is negative. */
void conn_schedule_reconnect(struct conn *c, int64_t delay_ms, bool resume);
/* The connection is up: once it stays up a while, the next drop starts the
 * backoff from its first delay.  conn_stable_stop(): it went down. */
void conn_stable_start(struct conn *c);
void conn_stable_stop(struct conn *c);
/* A socket is being opened: unless the state is up within MS, ops->handshake_timeout.
 * conn_handshake_stop(): it is up, or gone. */
void conn_handshake_start(struct conn *c, uint64_t ms);
void conn_handshake_stop(struct conn *c);
/* Stops the reconnect, stable and handshake timers (stopping). */
void conn_timers_stop(struct conn *c);

/* Drain-then-stop, for adapters that send by REST: DONE runs (once) as soon
 * as PENDING says nothing is in flight, at once if nothing is, and after
 * 3 s at the latest. */
void conn_drain_then(struct conn *c, size_t (*pending)(struct conn *c), void (*done)(struct conn *c));

/* Platform constructors (bot/<platform>.c). */
struct conn *site_conn_new(const struct config_connection *cc, const char *command_prefix);
struct conn *discord_conn_new(const struct config_connection *cc, const char *command_prefix);
struct conn *slack_conn_new(const struct config_connection *cc, const char *command_prefix);
struct conn *irc_conn_new(const struct config_connection *cc, const char *command_prefix);
struct conn *mattermost_conn_new(const struct config_connection *cc, const char *command_prefix);

#endif
