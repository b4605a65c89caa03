/*
 * discord_private: what discord.c (the gateway) and discord_out.c (REST out)
 * share, and nothing else includes (the public interface is conn.h's
 * discord_conn_new()).
 *
 * One struct discord is both files' state.  discord.c builds it, runs the
 * state machine and frees it; discord_out.c reads the state (to know when
 * it may send), the rest queues and app_id, and keeps dm_channels.  The
 * click store is filled by discord.c (a click comes in) and emptied by
 * discord_out.c (its answer goes out).  Besides two inline helpers, the
 * files call each other only through the four functions at the end, all
 * in discord_out.c; everything else stays static in its own file.
 */
#ifndef DUTYBOT_DISCORD_PRIVATE_H
#define DUTYBOT_DISCORD_PRIVATE_H

#include "bot/lib/cjson_get.h"
#include "bot/platform/conn.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct clicks;
struct rest;
struct strmap;
struct wsc;

#define DISCORD_MAX_TEXT 2000
#define DISCORD_SENDS_PER_MINUTE 110            /* the gateway closes at 120 */

enum dstate { D_IDLE, D_GATEWAY, D_CONNECTING, D_WAITING, D_READY, D_BACKOFF, D_FATAL, D_STOPPING,
              D_STOPPED };

/* A click in progress (bot/platform/clicks.h has them by key). */
struct click {
	char *token;                    /* interaction token */
	char queue[80];                 /* its callback and the answer go out in this order */
	char *content;                  /* the button message's text, to show the outcome under */
};

struct discord {
	struct conn conn;               /* first: a struct conn * is a struct discord *; conn.state is an enum dstate */
	struct rest *rest;
	struct wsc *ws;
	char *token;
	char *api_url;
	char prefix[8];
	bool tls_verify;
	char gateway_url[512];          /* from GET /gateway/bot, cached */
	char resume_url[512];
	char session[128];
	int64_t seq;                    /* last dispatch sequence, -1 = none */
	bool freeze_resume;             /* an event was not taken: never save past it */
	bool resume_next;
	bool fresh_identify;            /* op 9 false / 4007 / 4009: new session */
	char app_id[32];

	uv_timer_t heartbeat_timer;
	int64_t heartbeat_ms;
	bool awaiting_ack, want_hello_reply, want_heartbeat;
	int64_t fixed_delay_ms;         /* next reconnect delay set by a policy, -1 = backoff */
	uint64_t sent_at[DISCORD_SENDS_PER_MINUTE];
	size_t sent_pos;

	bool freeing;
	struct strmap *dm_channels;     /* user id -> DM channel id */
	struct clicks *clicks;
};

/* ---- helpers both files use ---- */

static inline struct discord *discord_of(struct conn *c)
{
	return (struct discord *)c;
}

/* ---- discord_out.c, for discord.c ---- */

/* The outbox's kick (ARG is the struct discord): sends what the outbox has
 * ready, once READY (or while stopping).  discord.c hands it to outbox_new()
 * and calls it when the gateway becomes ready and for conn_ops.kick. */
void discord_out_kick(void *arg);

/* Frees a struct click (DATA); the click store's free function. */
void discord_click_free(void *data);

/* The interaction callback of the click with interaction ID and TOKEN, in
 * the click's QUEUE: on_interaction() calls it before handing the click on. */
void discord_click_ack(struct discord *d, const char *id, const char *token, const char *queue);

/* conn_ops.click_done: the answer to the click KEY. */
void discord_click_done(struct conn *c, const char *key, bool ok, const char *text);

/* ---- discord_text.c ---- */

/* TEXT with its masked links and headings made plain, the same length in
 * runes (malloc'ed; NULL when out of memory). */
char *discord_neutralise(const char *text);

#endif
