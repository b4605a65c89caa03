/*
 * slack: the Slack adapter, Socket Mode in (shared/NOTES-platforms.md
 * section 2); the Web API out, where the outbox's messages and the answers
 * to clicks go, is slack_out.c, and slack_private.h is what the two share.
 *
 *   IDLE --auth.test--> OPENING --apps.connections.open--> CONNECTING
 *   --hello--> READY;  disconnect warning/refresh_requested: a second socket
 *   is opened, and the old one is closed only once the new one said hello,
 *   so no envelope is lost across the switch (one handled twice is dropped
 *   by the dispatcher's dedupe on the event id).  link_disabled and refused
 *   tokens --> FATAL (not retried until the config changes).
 *
 * Every envelope is acknowledged at once on the socket it came on, before
 * it is handled (Slack resends what is not acked within 3 s); one the daemon
 * cannot take now (shutting down) is not acked, so Slack delivers it again.
 * Slack has no heartbeat of its own: a WebSocket ping every 30 s without a
 * pong marks the socket dead.
 */
#include "bot/platform/clicks.h"
#include "bot/platform/conn.h"
#include "bot/lib/json_out.h"
#include "bot/lib/log.h"
#include "bot/rest/rest.h"
#include "bot/platform/slack_private.h"
#include "bot/lib/strmap.h"
#include "bot/platform/wsc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLACK_MAX_FRAME (1024 * 1024)
#define SLACK_HANDSHAKE_MS 20000
#define SLACK_PING_MS 30000
#define SLACK_IN_FLIGHT 8
#define SLACK_CLICK_TTL_MS (30 * 60 * 1000)
#define SLACK_CLICKS_MAX 1024
#define SLACK_ACKS_MAX 256

/* enum sstate (slack_private.h): the log's names, and what /healthz says */
static const struct conn_state slack_states[] = {
	[S_IDLE] = { "IDLE", CONN_DOWN, "idle", false },
	[S_AUTH] = { "AUTH", CONN_CONNECTING, "checking the bot token", false },
	[S_OPENING] = { "OPENING", CONN_CONNECTING, "opening a socket", false },
	[S_CONNECTING] = { "CONNECTING", CONN_CONNECTING, "connecting", false },
	[S_READY] = { "READY", CONN_UP, "ready", false },
	[S_BACKOFF] = { "BACKOFF", CONN_DOWN, "reconnecting", false },
	[S_FATAL] = { "FATAL", CONN_FATAL, "failed", false },
	[S_STOPPING] = { "STOPPING", CONN_DOWN, "stopping", true },
	[S_STOPPED] = { "STOPPED", CONN_STOPPED, "stopped", false },
};

enum why { WHY_NONE, WHY_ZOMBIE, WHY_REPLACED, WHY_TIMEOUT, WHY_STOP, WHY_DISABLED };

/* One Socket Mode connection; two exist while one replaces the other. */
struct sock {
	struct slack *s;
	struct wsc *w;
	bool hello;
	bool want_ping, awaiting_pong;
	bool close_when_flushed;        /* replaced: goes once its acks are written */
	char *acks[SLACK_ACKS_MAX];     /* envelope ids to acknowledge */
	size_t n_acks;
};

static void open_socket(struct slack *s, bool replacement);
static void schedule_reconnect(struct slack *s);

static void set_state(struct slack *s, enum sstate st, const char *reason)
{
	conn_set_state(&s->conn, (int)st, reason);
}

static void bad_frame(struct slack *s, const char *why)
{
	s->conn.bad_frames++;
	log_warnx("%s: ignoring a malformed envelope: %s", s->conn.name, why);
}

static void unescape_in_place(char *t)
{
	static const struct { const char *from; char to; } map[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' } };
	char *o = t;

	while (*t) {
		bool done = false;
		for (size_t i = 0; i < 3 && !done; i++) {
			size_t n = strlen(map[i].from);
			if (strncmp(t, map[i].from, n) == 0) {
				*o++ = map[i].to;
				t += n;
				done = true;
			}
		}
		if (!done)
			*o++ = *t++;
	}
	*o = '\0';
}

/* ---- socket writes: acks and pings ---- */

static int on_writeable(struct wsc *w, void *arg)
{
	struct sock *k = arg;

	for (size_t i = 0; i < k->n_acks; i++) {
		char frame[160];
		struct json_out jo;
		int rc;
		json_out_init(&jo, frame, sizeof(frame));
		json_out_raw(&jo, "{\"envelope_id\":");
		json_out_str(&jo, k->acks[i]);      /* escaped: ack() bounds it, this keeps it JSON */
		json_out_raw(&jo, "}");
		rc = jo.failed ? 0 : wsc_send(w, frame, jo.len);
		free(k->acks[i]);
		k->acks[i] = NULL;
		if (rc < 0) {
			for (size_t j = i + 1; j < k->n_acks; j++)
				free(k->acks[j]);
			k->n_acks = 0;
			return -1;
		}
	}
	k->n_acks = 0;
	if (k->close_when_flushed)
		return -1;
	if (k->want_ping) {
		k->want_ping = false;
		k->awaiting_pong = true;
		if (wsc_ping(w) < 0)
			return -1;
	}
	return 0;
}

static void ack(struct sock *k, const char *envelope_id)
{
	if (strlen(envelope_id) > 100 || strpbrk(envelope_id, "\"\\") != NULL)
		return;
	if (k->n_acks == SLACK_ACKS_MAX) {
		log_warnx("%s: too many acks waiting for the socket; Slack will resend", k->s->conn.name);
		return;
	}
	if ((k->acks[k->n_acks] = strdup(envelope_id)) != NULL)
		k->n_acks++;
	wsc_want_write(k->w);
}

/* ---- socket in ---- */

/* Returns false when the daemon could not take it (then it is not acked). */
static bool on_block_actions(struct slack *s, const cJSON *p)
{
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(p, "user");
	const cJSON *channel = cJSON_GetObjectItemCaseSensitive(p, "channel");
	const cJSON *container = cJSON_GetObjectItemCaseSensitive(p, "container");
	const cJSON *message = cJSON_GetObjectItemCaseSensitive(p, "message");
	const cJSON *actions = cJSON_GetObjectItemCaseSensitive(p, "actions");
	const cJSON *action = cJSON_IsArray(actions) ? cJSON_GetArrayItem(actions, 0) : NULL;
	const char *uid = str_field(user, "id"), *uname = str_field(user, "username");
	const char *ch = str_field(channel, "id"), *ts = str_field(container, "message_ts");
	const char *value = str_field(action, "value"), *action_ts = str_field(action, "action_ts");
	const char *mtext = str_field(message, "text");
	char text[300], msg_id[96];
	const char *key;
	struct click *k;

	if (ch == NULL)
		ch = str_field(container, "channel_id");
	if (ts == NULL)
		ts = str_field(message, "ts");
	if (uid == NULL || ch == NULL || ts == NULL || value == NULL || strlen(ch) >= sizeof(k->channel) ||
	    strlen(ts) >= sizeof(k->ts) || strlen(uid) >= sizeof(k->user) || strlen(value) > 250) {
		bad_frame(s, "block_actions without user, channel, message ts or button value");
		return true;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return false;
	snprintf(k->channel, sizeof(k->channel), "%s", ch);
	snprintf(k->ts, sizeof(k->ts), "%s", ts);
	snprintf(k->user, sizeof(k->user), "%s", uid);
	k->text = strdup(mtext ? mtext : "");
	if (k->text != NULL)
		unescape_in_place(k->text);
	if ((key = clicks_add(s->clicks, uv_now(s->conn.loop), k)) == NULL)
		return false;
	snprintf(text, sizeof(text), "%s%s", s->prefix, value);
	/* one click, however often Slack delivers it */
	snprintf(msg_id, sizeof(msg_id), "act:%s:%s:%s", uid, ts, action_ts ? action_ts : "");
	if (s->conn.state == S_STOPPING || !conn_take(&s->conn, msg_id, ch[0] == 'D', ch, uid, uname, text, key)) {
		slack_click_free(clicks_take(s->clicks, key));
		return false;
	}
	return true;
}

/* Returns false when the daemon could not take it (then it is not acked). */
static bool on_event(struct slack *s, const cJSON *payload)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(payload, "event");
	const char *event_id = str_field(payload, "event_id"), *type = str_field(e, "type");
	const char *ch = str_field(e, "channel"), *user = str_field(e, "user"), *text = str_field(e, "text");
	const char *ctype = str_field(e, "channel_type");
	char *copy;
	bool taken;

	if (type == NULL || strcmp(type, "message") != 0)
		return true;
	/* edits, joins, bot posts and our own carry a subtype or a bot_id */
	if (cJSON_GetObjectItemCaseSensitive(e, "subtype") != NULL || cJSON_GetObjectItemCaseSensitive(e, "bot_id") != NULL)
		return true;
	if (ch == NULL || user == NULL || text == NULL || event_id == NULL) {
		bad_frame(s, "message event without channel, user, text or event_id");
		return true;
	}
	if (strcmp(user, s->conn.self_id) == 0)
		return true;
	if ((copy = strdup(text)) == NULL)
		return false;
	unescape_in_place(copy);
	/* the event id is the same on every delivery of one event */
	taken = s->conn.state != S_STOPPING &&
	    conn_take(&s->conn, event_id, (ctype != NULL && strcmp(ctype, "im") == 0) || ch[0] == 'D', ch, user, user,
	        copy, NULL);
	free(copy);
	return taken;
}

static void close_sock(struct sock *k, int code, const char *reason, int why)
{
	if (k != NULL && k->w != NULL)
		wsc_close(k->w, code, reason, why);
}

static void on_hello(struct slack *s, struct sock *k)
{
	k->hello = true;
	if (k == s->next) {
		/* the replacement is up: only now the old socket goes */
		struct sock *old = s->cur;
		s->cur = k;
		s->next = NULL;
		log_info("%s: the new socket is up; closing the old one", s->conn.name);
		if (old != NULL && old->w != NULL) {
			/* after the acks it still owes, or Slack sends those envelopes again */
			old->close_when_flushed = true;
			wsc_want_write(old->w);
		}
	}
	conn_handshake_stop(&s->conn);
	conn_stable_start(&s->conn);
	set_state(s, S_READY, "hello");
	slack_out_kick(s);
}

static void on_disconnect(struct slack *s, struct sock *k, const char *reason)
{
	if (reason != NULL && strcmp(reason, "link_disabled") == 0) {
		set_state(s, S_FATAL, "Socket Mode was turned off for the app (link_disabled); not retrying until the config changes");
		s->conn.status_text = "failed: socket mode disabled";
		close_sock(k, 1000, "link disabled", WHY_DISABLED);
		return;
	}
	log_info("%s: Slack will close this socket (%s): opening a new one first", s->conn.name,
	    reason ? reason : "?");
	if (k == s->cur && s->next == NULL && !s->refreshing)
		open_socket(s, true);
}

static void on_frame(struct wsc *w, void *arg, const char *buf, size_t len)
{
	struct sock *k = arg;
	struct slack *s = k->s;
	cJSON *f = cJSON_ParseWithLength(buf, len);
	const char *type = str_field(f, "type"), *envelope = str_field(f, "envelope_id");
	const cJSON *payload = f ? cJSON_GetObjectItemCaseSensitive(f, "payload") : NULL;
	bool take = true;

	(void)w;
	k->awaiting_pong = false;       /* anything from the server shows it is alive */
	if (type == NULL) {
		bad_frame(s, "not a JSON object with a type");
		cJSON_Delete(f);
		return;
	}
	if (strcmp(type, "hello") == 0)
		on_hello(s, k);
	else if (strcmp(type, "disconnect") == 0)
		on_disconnect(s, k, str_field(f, "reason"));
	else if (strcmp(type, "events_api") == 0)
		take = on_event(s, payload);
	else if (strcmp(type, "interactive") == 0 && strcmp(str_field(payload, "type") ? str_field(payload, "type") : "", "block_actions") == 0)
		take = on_block_actions(s, payload);
	else if (envelope == NULL)
		log_debug("%s: ignoring a frame of type %s", s->conn.name, type);
	if (envelope != NULL && take)
		ack(k, envelope);
	cJSON_Delete(f);
}

static void on_pong(struct wsc *w, void *arg)
{
	struct sock *k = arg;

	(void)w;
	k->awaiting_pong = false;
}

static void sock_free(struct sock *k)
{
	for (size_t i = 0; i < k->n_acks; i++)
		free(k->acks[i]);
	free(k);
}

static void on_closed(struct wsc *w, void *arg, const struct wsc_end *end)
{
	struct sock *k = arg;
	int peer_code = end->peer_code, why = end->why;
	const char *peer_reason = end->peer_reason, *what = end->what;
	struct slack *s = k->s;
	char reason[256];

	(void)w;
	if (k == s->next) {
		s->next = NULL;
		log_warnx("%s: the replacement socket failed (%s); keeping the old one", s->conn.name, what);
		sock_free(k);
		return;
	}
	if (k != s->cur) {
		sock_free(k);           /* the replaced one */
		return;
	}
	s->cur = NULL;
	sock_free(k);
	conn_handshake_stop(&s->conn);
	conn_stable_stop(&s->conn);
	if (s->conn.state == S_STOPPING || why == WHY_STOP) {
		if (s->next == NULL) {
			set_state(s, S_STOPPED, "stopped");
			s->conn.hooks->on_stopped(&s->conn);
		}
		return;
	}
	if (s->conn.state == S_FATAL)
		return;
	snprintf(reason, sizeof(reason), "%s%s", what,
	    why == WHY_ZOMBIE ? " (no pong)" : why == WHY_TIMEOUT ? " (no hello)" : "");
	if (peer_code) {
		size_t n = strlen(reason);
		snprintf(reason + n, sizeof(reason) - n, ", close code %d %s", peer_code, peer_reason);
	}
	set_state(s, S_BACKOFF, reason);
	s->conn.reconnects++;
	schedule_reconnect(s);
}

static const struct wsc_ops socket_ops = {
	.on_frame = on_frame,
	.on_writeable = on_writeable,
	.on_closed = on_closed,
	.on_pong = on_pong,
};

/* ---- connecting ---- */

static void on_connections_open(void *arg, const struct rest_response *res)
{
	struct slack *s = arg;
	bool replacement = s->refreshing && s->cur != NULL;
	cJSON *json;
	const char *err = slack_api_error(res, &json), *url = err == NULL ? str_field(json, "url") : NULL;
	struct sock *k;

	s->refreshing = false;
	if (s->conn.state == S_STOPPING || s->conn.state == S_STOPPED || s->conn.state == S_FATAL) {
		cJSON_Delete(json);
		return;
	}
	if (url == NULL) {
		char why[160];
		snprintf(why, sizeof(why), "apps.connections.open: %s", err ? err : "no url");
		if (err != NULL && (strcmp(err, "invalid_auth") == 0 || strcmp(err, "not_authed") == 0 ||
		    strcmp(err, "not_allowed_token_type") == 0 || strcmp(err, "account_inactive") == 0 ||
		    strcmp(err, "token_revoked") == 0)) {
			set_state(s, S_FATAL, why);
			s->conn.status_text = "failed: bad app token";
		} else if (!replacement) {
			set_state(s, S_BACKOFF, why);
			schedule_reconnect(s);
		} else {
			log_warnx("%s: %s; the old socket stays until it closes", s->conn.name, why);
		}
		cJSON_Delete(json);
		return;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		cJSON_Delete(json);
		return;
	}
	k->s = s;
	if (replacement)
		s->next = k;
	else {
		s->cur = k;
		set_state(s, S_CONNECTING, "connecting");
	}
	k->w = wsc_open(s->conn.lws, url, NULL, s->tls_verify, SLACK_MAX_FRAME, &socket_ops, k, s->conn.name);
	cJSON_Delete(json);
	if (k->w == NULL) {
		if (replacement)
			s->next = NULL;
		else
			s->cur = NULL;
		sock_free(k);
		if (!replacement) {
			set_state(s, S_BACKOFF, "connect failed at once");
			schedule_reconnect(s);
		}
		return;
	}
}

/* conn_ops.handshake_timeout */
static void slack_handshake_timeout(struct conn *c)
{
	struct slack *s = slack_of(c);

	if (s->cur != NULL)
		close_sock(s->cur, 4000, "no hello", WHY_TIMEOUT);
}

/* Asks for a socket URL with the app-level token; REPLACEMENT: the current one stays meanwhile. */
static void open_socket(struct slack *s, bool replacement)
{
	if (!replacement)
		set_state(s, S_OPENING, "asking for a socket url");
	s->refreshing = replacement;
	if (rest_request(s->rest, "POST", "/apps.connections.open", "apps.connections.open", NULL, s->app_auth,
	    NULL, on_connections_open, s) < 0 && !replacement) {
		set_state(s, S_BACKOFF, "out of memory");
		schedule_reconnect(s);
	}
	if (!replacement)
		conn_handshake_start(&s->conn, SLACK_HANDSHAKE_MS);
}

static void on_auth_test(void *arg, const struct rest_response *res)
{
	struct slack *s = arg;
	cJSON *json;
	const char *err = slack_api_error(res, &json);
	const char *uid = err == NULL ? str_field(json, "user_id") : NULL, *bot = str_field(json, "bot_id");

	if (s->conn.state != S_AUTH) {
		cJSON_Delete(json);
		return;
	}
	if (uid == NULL) {
		char why[160];
		snprintf(why, sizeof(why), "auth.test: %s", err ? err : "no user_id");
		if (err != NULL && (strcmp(err, "invalid_auth") == 0 || strcmp(err, "not_authed") == 0 ||
		    strcmp(err, "account_inactive") == 0 || strcmp(err, "token_revoked") == 0)) {
			set_state(s, S_FATAL, why);
			s->conn.status_text = "failed: bad bot token";
		} else {
			set_state(s, S_BACKOFF, why);
			schedule_reconnect(s);
		}
		cJSON_Delete(json);
		return;
	}
	snprintf(s->conn.self_id, sizeof(s->conn.self_id), "%s", uid);
	snprintf(s->bot_id, sizeof(s->bot_id), "%s", bot ? bot : "");
	log_info("%s: the bot is %s", s->conn.name, uid);
	cJSON_Delete(json);
	open_socket(s, false);
}

static void start_auth(struct slack *s)
{
	set_state(s, S_AUTH, "checking the bot token");
	if (rest_request(s->rest, "POST", "/auth.test", "auth.test", NULL, NULL, NULL, on_auth_test, s) < 0) {
		set_state(s, S_BACKOFF, "out of memory");
		schedule_reconnect(s);
	}
}

/* ---- timers ---- */

static void on_ping_timer(uv_timer_t *t)
{
	struct slack *s = t->data;
	struct sock *k = s->cur;

	if (k == NULL || k->w == NULL || !k->hello)
		return;
	if (k->awaiting_pong) {
		log_warnx("%s: no pong within %d s: the socket is dead", s->conn.name, SLACK_PING_MS / 1000);
		close_sock(k, 4000, "no pong", WHY_ZOMBIE);
		return;
	}
	k->want_ping = true;
	wsc_want_write(k->w);
}

/* conn_ops.reconnect: the backoff ended */
static void slack_reconnect(struct conn *c)
{
	struct slack *s = slack_of(c);

	if (s->conn.state != S_BACKOFF)
		return;
	if (s->conn.self_id[0])
		open_socket(s, false);
	else
		start_auth(s);
}

static void schedule_reconnect(struct slack *s)
{
	conn_schedule_reconnect(&s->conn, -1, false);
}

/* ---- conn ops ---- */

static void slack_kick(struct conn *c)
{
	slack_out_kick(c);
}

static int slack_start(struct conn *c)
{
	struct slack *s = slack_of(c);
	char auth[600];

	s->conn.outbox = outbox_new(c->loop, SLACK_MAX_TEXT, c->max_send_rate, slack_out_kick, s);
	s->rest = rest_new(c->loop, c->name, s->api_url, s->tls_verify);
	if (s->conn.outbox == NULL || s->rest == NULL || s->dm_channels == NULL || s->clicks == NULL ||
	    s->bot_token == NULL || s->app_token == NULL) {
		/* libcurl missing (logged) or out of memory: this connection cannot run */
		outbox_free(s->conn.outbox);      /* both take NULL */
		s->conn.outbox = NULL;            /* the shutdown has nothing to stop here */
		rest_free(s->rest);
		s->rest = NULL;
		set_state(s, S_FATAL, "cannot start");
		s->conn.status_text = "failed: cannot start";
		return -1;
	}
	outbox_set_max_inflight(s->conn.outbox, SLACK_IN_FLIGHT);
	snprintf(auth, sizeof(auth), "Bearer %s", s->bot_token);
	rest_set_auth(s->rest, auth);
	snprintf(s->app_auth, sizeof(s->app_auth), "Bearer %s", s->app_token);
	/* the Web API's tiers (per minute): 1 apps.connections.open (bursts allowed),
	 * 3 conversations.open and chat.update, 4 chat.postEphemeral and auth.test */
	rest_route_limit(s->rest, "apps.connections.open", 10);
	rest_route_limit(s->rest, "conversations.open", 50);
	rest_route_limit(s->rest, "chat.update", 50);
	rest_route_limit(s->rest, "chat.postEphemeral", 100);
	rest_route_limit(s->rest, "auth.test", 100);
	conn_skeleton_start(c);
	conn_timer_init(c, &s->ping_timer);
	uv_timer_start(&s->ping_timer, on_ping_timer, SLACK_PING_MS, SLACK_PING_MS);
	start_auth(s);
	return 0;
}

/* The drain is over (conn_drain_then): close the sockets. */
static void finish_stop(struct conn *c)
{
	struct slack *s = slack_of(c);

	close_sock(s->next, 1000, "dutybot shutting down", WHY_STOP);
	if (s->cur != NULL && s->cur->w != NULL) {
		close_sock(s->cur, 1000, "dutybot shutting down", WHY_STOP);
	} else {
		set_state(s, S_STOPPED, "stopped");
		s->conn.hooks->on_stopped(&s->conn);
	}
}

static size_t rest_in_flight(struct conn *c)
{
	return rest_pending(slack_of(c)->rest);
}

static void slack_stop(struct conn *c)
{
	struct slack *s = slack_of(c);

	conn_timers_stop(c);
	uv_timer_stop(&s->ping_timer);
	set_state(s, S_STOPPING, "shutting down");
	conn_drain_then(c, rest_in_flight, finish_stop);
}

static void slack_free(struct conn *c)
{
	struct slack *s = slack_of(c);
	struct sock *socks[2] = { s->cur, s->next };

	s->freeing = true;
	for (int i = 0; i < 2; i++) {
		if (socks[i] == NULL)
			continue;
		if (socks[i]->w != NULL)
			wsc_abandon(socks[i]->w);
		sock_free(socks[i]);
	}
	if (s->rest != NULL)
		rest_free(s->rest);
	if (s->conn.outbox != NULL)
		outbox_free(s->conn.outbox);
	clicks_free(s->clicks);
	strmap_free(s->dm_channels);
	free(s->app_token);
	free(s->bot_token);
	free(s->api_url);
}

static void slack_set_token(struct conn *c, const struct config_connection *cc)
{
	struct slack *s = slack_of(c);
	char auth[600];

	if (cc->app_token == NULL || cc->bot_token == NULL ||
	    (strcmp(cc->app_token, s->app_token) == 0 && strcmp(cc->bot_token, s->bot_token) == 0))
		return;
	free(s->app_token);
	free(s->bot_token);
	s->app_token = strdup(cc->app_token);
	s->bot_token = strdup(cc->bot_token);
	if (s->app_token == NULL || s->bot_token == NULL || s->rest == NULL)
		return;         /* not started, or could not: a start takes the new tokens */
	snprintf(auth, sizeof(auth), "Bearer %s", s->bot_token);
	rest_set_auth(s->rest, auth);
	snprintf(s->app_auth, sizeof(s->app_auth), "Bearer %s", s->app_token);
	if (s->conn.state == S_FATAL) {
		log_info("%s: tokens changed: trying again", c->name);
		s->conn.attempt = 0;
		s->conn.self_id[0] = '\0';
		start_auth(s);
	}
}

static void slack_set_reading(struct conn *c, bool on)
{
	struct slack *s = slack_of(c);

	if (s->cur != NULL)
		wsc_set_reading(s->cur->w, on);
	if (s->next != NULL)
		wsc_set_reading(s->next->w, on);
}

static const struct conn_ops slack_ops = {
	.start = slack_start,
	.stop = slack_stop,
	.kick = slack_kick,
	.set_token = slack_set_token,
	.click_done = slack_click_done,
	.reconnect = slack_reconnect,
	.handshake_timeout = slack_handshake_timeout,
	.free = slack_free,
	.set_reading = slack_set_reading,
};

struct conn *slack_conn_new(const struct config_connection *cc, const char *command_prefix)
{
	struct slack *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->conn.ops = &slack_ops;
	s->conn.states = slack_states;
	s->app_token = strdup(cc->app_token ? cc->app_token : "");
	s->bot_token = strdup(cc->bot_token ? cc->bot_token : "");
	s->api_url = strdup(cc->api_url ? cc->api_url : "https://slack.com/api");
	s->tls_verify = cc->tls_verify;
	snprintf(s->prefix, sizeof(s->prefix), "%s", command_prefix);
	s->dm_channels = strmap_new(4096);
	s->clicks = clicks_new(SLACK_CLICK_TTL_MS, SLACK_CLICKS_MAX, slack_click_free);
	return &s->conn;
}
