/*
 * slack_private: what slack.c (Socket Mode in) and slack_out.c (the Web API
 * out) share, for those two files only (the public interface is
 * slack_conn_new() in conn.h).
 *
 * One struct slack is the whole adapter: slack.c makes it, runs its sockets
 * and timers and frees it; slack_out.c drains its outbox and answers its
 * clicks with the same rest client.  A click is made in slack.c (a
 * block_actions envelope) and answered in slack_out.c (click_done), so
 * struct click is here too; struct sock stays slack.c's.
 */
#ifndef DUTYBOT_SLACK_PRIVATE_H
#define DUTYBOT_SLACK_PRIVATE_H

#include "bot/lib/cjson_get.h"
#include "bot/platform/conn.h"
#include "bot/rest/rest.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define SLACK_MAX_TEXT 3000             /* a section block's limit: buttons sit under one */

enum sstate { S_IDLE, S_AUTH, S_OPENING, S_CONNECTING, S_READY, S_BACKOFF, S_FATAL, S_STOPPING, S_STOPPED };

struct sock;            /* slack.c's: one Socket Mode connection */
struct strmap;
struct clicks;

/* A click in progress (bot/platform/clicks.h has them by key). */
struct click {
	char channel[32], ts[32], user[32];
	char *text;                     /* the button message's text */
};

struct slack {
	struct conn conn;               /* first; conn.state is an enum sstate */
	struct rest *rest;
	struct sock *cur, *next;        /* next: the replacement being opened */
	char *app_token, *bot_token, *api_url;
	char app_auth[600];
	char prefix[8];
	bool tls_verify;
	char bot_id[32];
	bool refreshing;                /* apps.connections.open for a replacement is under way */
	uv_timer_t ping_timer;
	bool freeing;
	struct strmap *dm_channels;
	struct clicks *clicks;
};

/* Small helpers both files use; inline so each stays file-local. */

static inline struct slack *slack_of(struct conn *c)
{
	return (struct slack *)c;
}

/* ---- slack_out.c, called from slack.c ---- */

/* Web API answers 200 {"ok": false, "error": ...} for its errors: that is a
 * failure too.  NULL when it went well; *JSON the parsed body (or NULL), the
 * caller's to cJSON_Delete(). */
const char *slack_api_error(const struct rest_response *res, cJSON **json);

/* Drains the outbox (ARG the struct slack): the outbox's kick callback, and
 * called when the socket says hello. */
void slack_out_kick(void *arg);

/* conn_ops.click_done: answers a click with chat.update or chat.postEphemeral. */
void slack_click_done(struct conn *c, const char *key, bool ok, const char *text);

/* Frees a struct click (DATA): the clicks table's free function. */
void slack_click_free(void *data);

#endif
