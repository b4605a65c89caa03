/*
 * mattermost_private: what mattermost.c (the WebSocket in), mattermost_sync.c
 * (the REST catch-up after a gap) and mattermost_out.c (posts out) share, for
 * those files only (the public interface is mattermost_conn_new() in conn.h).
 *
 * The resume point the daemon keeps for this connection (conn_hooks
 * load_resume/save_resume) is, as session, the buttons' secret and the
 * socket's connection_id ("<secret> <connection_id>") and, as last_id,
 * the create_at (ms, server clock) of the newest post handed on: one
 * watermark for all channels, since every channel's posts are fetched
 * "since" it after a gap, and one seen again is dropped by the
 * dispatcher's dedupe on the post id.
 */
#ifndef DUTYBOT_MATTERMOST_PRIVATE_H
#define DUTYBOT_MATTERMOST_PRIVATE_H

#include "bot/lib/cjson_get.h"
#include "bot/platform/conn.h"
#include "bot/rest/rest.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define MM_MAX_TEXT 16383               /* runes: the server's default post limit (65535 / 4) */
#define MM_ID_MAX 64                    /* ids are 26 characters */

enum mstate { M_IDLE, M_AUTH, M_CONNECTING, M_READY, M_BACKOFF, M_FATAL, M_STOPPING, M_STOPPED };

struct wsc;
struct strmap;
struct mattermost_sync;
struct mattermost_pending;

struct mattermost {
	struct conn conn;               /* first; conn.state is an enum mstate */
	struct rest *rest;
	struct wsc *w;
	char *token, *http_url, *ws_url;
	char prefix[8];
	bool tls_verify;
	bool freeing;

	/* the socket */
	bool authed, hello;
	bool want_auth, want_ping, awaiting_ping;
	int64_t next_seq;               /* our requests' seq (1 is the challenge) */
	int64_t ping_seq;
	int64_t server_seq;             /* the next event seq expected; -1 before hello */
	char connection_id[MM_ID_MAX];  /* from hello: offered back on reconnect */
	bool resume_next;               /* offer connection_id + sequence_number next */
	uv_timer_t ping_timer;

	/* the resume point: newest post handed on, server ms; 0 = none yet */
	int64_t watermark;
	bool freeze;                    /* a post was not taken: never move past it */
	bool resume_loaded;
	struct mattermost_sync *sync;           /* the catch-up under way, or NULL */
	bool sync_again;                /* another gap came while it ran */

	/* buttons (mattermost_click.c) */
	char *actions_url;              /* NULL: no buttons */
	char secret[40];                /* in every button's context; kept with the resume point */
	bool buttons_warned;
	struct clicks *clicks;

	/* @names (mattermost_names.c) */
	struct strmap *names;           /* username -> user id, "" for nobody */
	struct mattermost_pending *pending, *pending_tail;      /* posts waiting for a lookup, in order */
	size_t n_pending;
	bool name_lookup;               /* a lookup is under way */
	char looking_up[64];

	struct strmap *dm_channels;     /* user id -> DM channel id */
	struct strmap *rooms;           /* channel ids posts came from this run (catch-up list) */
};

static inline struct mattermost *mattermost_of(struct conn *c)
{
	return (struct mattermost *)c;
}

/* ---- mattermost.c ---- */

/* A post (its @names written as mentions already): handed to the daemon
 * unless it is ours, another bot's or a system post; CHANNEL_TYPE "D" for a
 * DM (NULL: unknown, from the channel id cache).  False: the daemon could
 * not take it (shutting down). */
bool mattermost_hand_post(struct mattermost *m, const cJSON *post, const char *channel_type);

/* ---- mattermost_names.c ---- */

/* A post (the parsed JSON of a posted event, or from the REST catch-up):
 * handed on through mattermost_hand_post(), once its @names are looked up (later,
 * in order, when one is not known yet).  False: not taken (shutting down). */
bool mattermost_take_post(struct mattermost *m, const cJSON *post, const char *channel_type);
int mattermost_names_init(struct mattermost *m);
void mattermost_names_free(struct mattermost *m);

/* ---- mattermost_sync.c ---- */

/* Fetches every known channel's posts since the watermark and hands them on
 * in order (the socket could not replay what was missed). */
void mattermost_sync_start(struct mattermost *m);
void mattermost_sync_free(struct mattermost *m);

/* ---- mattermost_click.c ---- */

/* Adds BUTTONS (lines of "label\tcommand", see struct out_msg) to the post
 * BODY as an attachment's actions; none (logged once) without public_url. */
void mattermost_add_buttons(struct mattermost *m, cJSON *body, const char *buttons);
/* conn_ops.http_action and conn_ops.click_done */
int mattermost_http_action(struct conn *c, const char *body, size_t len, char **answer);
void mattermost_click_done(struct conn *c, const char *key, bool ok, const char *text);
/* Frees a click (the clicks table's free function). */
void mattermost_click_free(void *data);

/* ---- mattermost_out.c ---- */

/* Drains the outbox (ARG the struct mattermost). */
void mattermost_out_kick(void *arg);
/* TEXT with @channel, @all and @here (any case) unable to ping: their "@"
 * becomes a full-width one, so the length in runes is unchanged.  malloc'd. */
char *mattermost_neutralise(const char *text);

#endif
