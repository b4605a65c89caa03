/*
 * discord: the Discord adapter, Gateway v10 in and REST v10 out
 * (shared/NOTES-platforms.md section 1).  This file is the gateway: the
 * connection, and what comes in by it; what goes out by REST (messages,
 * DMs, the answers to clicks) is discord_out.c's, and discord_private.h is
 * what the two share.
 *
 *   IDLE --GET /gateway/bot--> GATEWAY --socket--> HELLO --op 10: identify
 *   or resume--> WAITING --READY/RESUMED--> READY
 *   any --close/error--> BACKOFF --timer--> (resume_gateway_url or the
 *   cached gateway url);  4004, 4010-4014 --> FATAL (not retried until the
 *   token changes)
 *
 * Out, the gateway carries only identify, resume and heartbeats (at most 120
 * payloads a minute; heartbeats always go).  In, MESSAGE_CREATE and button
 * clicks (INTERACTION_CREATE) become chat events; the resume point never
 * moves past an event that was not taken, so it is replayed to whoever
 * resumes next.  A click is acknowledged at once, before it is handed on,
 * and its answer goes back through conn_ops.click_done (both discord_out.c).
 */
#include "bot/platform/discord_private.h"

#include "bot/platform/clicks.h"
#include "bot/platform/conn.h"
#include "bot/lib/log.h"
#include "bot/rest/rest.h"
#include "bot/lib/strmap.h"
#include "bot/platform/wsc.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISCORD_MAX_FRAME (4 * 1024 * 1024)    /* READY of a big bot is large */
#define DISCORD_HANDSHAKE_MS 20000
#define DISCORD_IN_FLIGHT 8
#define DISCORD_CLICK_TTL_MS (15 * 60 * 1000)   /* an interaction token lives 15 minutes */
#define DISCORD_CLICKS_MAX 1024
/* What a hello may ask for: Discord's is 41.25 s; far outside this is a
 * broken or hostile gateway, and casting NaN or 1e300 to an integer is
 * undefined behaviour, so the frame is refused before any cast. */
#define DISCORD_HEARTBEAT_MIN_MS 100
#define DISCORD_HEARTBEAT_MAX_MS (10 * 60 * 1000)
/* the largest sequence a double holds exactly: beyond it a seq is not a count */
#define DISCORD_SEQ_MAX 9007199254740992.0
/* GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT */
#define DISCORD_INTENTS ((1 << 9) | (1 << 12) | (1 << 15))

/* enum dstate (discord_private.h): the log's names, and what /healthz says */
static const struct conn_state discord_states[] = {
	[D_IDLE] = { "IDLE", CONN_DOWN, "idle", false },
	[D_GATEWAY] = { "GATEWAY", CONN_CONNECTING, "asking for the gateway", false },
	[D_CONNECTING] = { "CONNECTING", CONN_CONNECTING, "connecting", false },
	[D_WAITING] = { "WAITING", CONN_CONNECTING, "identifying", false },
	[D_READY] = { "READY", CONN_UP, "ready", false },
	[D_BACKOFF] = { "BACKOFF", CONN_DOWN, "reconnecting", false },
	[D_FATAL] = { "FATAL", CONN_FATAL, "failed", false },
	[D_STOPPING] = { "STOPPING", CONN_DOWN, "stopping", true },
	[D_STOPPED] = { "STOPPED", CONN_STOPPED, "stopped", false },
};

/* Why we closed the socket ourselves. */
enum why { WHY_NONE, WHY_ZOMBIE, WHY_RECONNECT, WHY_INVALID, WHY_TIMEOUT, WHY_STOP, WHY_BAD_HELLO };

static void discord_connect(struct discord *d);
static void schedule_reconnect(struct discord *d);
static void fetch_gateway(struct discord *d);

static void set_state(struct discord *d, enum dstate st, const char *reason)
{
	conn_set_state(&d->conn, (int)st, reason);
}

static void bad_frame(struct discord *d, const char *why)
{
	d->conn.bad_frames++;
	log_warnx("%s: ignoring a malformed gateway payload: %s", d->conn.name, why);
}

/* ---- resume point: "session_id resume_url" and the sequence ---- */

static void save_resume(struct discord *d)
{
	char session[sizeof(d->session) + sizeof(d->resume_url) + 2], seq[24];

	if (d->freeze_resume || !d->session[0] || d->seq < 0)
		return;
	snprintf(session, sizeof(session), "%s %s", d->session, d->resume_url);
	snprintf(seq, sizeof(seq), "%" PRId64, d->seq);
	d->conn.hooks->save_resume(&d->conn, session, seq);
}

/* ---- gateway writes ---- */

/* The gateway allows 120 payloads a minute; heartbeats always go. */
static bool send_allowed(struct discord *d, bool heartbeat)
{
	uint64_t now = uv_now(d->conn.loop), oldest = d->sent_at[d->sent_pos];

	if (!heartbeat && oldest != 0 && now - oldest < 60000)
		return false;
	d->sent_at[d->sent_pos] = now;
	d->sent_pos = (d->sent_pos + 1) % DISCORD_SENDS_PER_MINUTE;
	return true;
}

static int send_json(struct discord *d, cJSON *payload, bool heartbeat)
{
	char *text = cJSON_PrintUnformatted(payload);
	int rc = 0;

	cJSON_Delete(payload);
	if (text == NULL)
		return -1;
	if (!send_allowed(d, heartbeat))
		log_warnx("%s: over the gateway's send limit; dropping a payload", d->conn.name);
	else
		rc = wsc_send(d->ws, text, strlen(text));
	cJSON_free(text);
	return rc;
}

static int write_hello_reply(struct discord *d)
{
	cJSON *p = cJSON_CreateObject(), *data = cJSON_AddObjectToObject(p, "d");

	cJSON_AddStringToObject(data, "token", d->token);
	if (d->resume_next && !d->fresh_identify && d->session[0] && d->seq >= 0) {
		cJSON_AddNumberToObject(p, "op", 6);
		cJSON_AddStringToObject(data, "session_id", d->session);
		cJSON_AddNumberToObject(data, "seq", (double)d->seq);
		log_info("%s: resuming session %s after sequence %" PRId64, d->conn.name, d->session, d->seq);
	} else {
		cJSON *props = cJSON_AddObjectToObject(data, "properties");
		cJSON_AddNumberToObject(p, "op", 2);
		cJSON_AddNumberToObject(data, "intents", DISCORD_INTENTS);
		cJSON_AddStringToObject(props, "os", "linux");
		cJSON_AddStringToObject(props, "browser", "dutybot");
		cJSON_AddStringToObject(props, "device", "dutybot");
		log_info("%s: identifying", d->conn.name);
		d->session[0] = '\0';
		d->seq = -1;
		d->freeze_resume = false;
	}
	return send_json(d, p, false);
}

static int write_heartbeat(struct discord *d)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddNumberToObject(p, "op", 1);
	if (d->seq >= 0)
		cJSON_AddNumberToObject(p, "d", (double)d->seq);
	else
		cJSON_AddNullToObject(p, "d");
	return send_json(d, p, true);
}

static int on_writeable(struct wsc *w, void *arg)
{
	struct discord *d = arg;

	(void)w;
	if (d->want_hello_reply) {
		d->want_hello_reply = false;
		if (write_hello_reply(d) < 0)
			return -1;
	}
	if (d->want_heartbeat) {
		d->want_heartbeat = false;
		if (write_heartbeat(d) < 0)
			return -1;
	}
	return 0;
}

/* ---- gateway in ---- */

static void on_message_create(struct discord *d, const cJSON *data)
{
	const char *id = str_field(data, "id"), *channel = str_field(data, "channel_id");
	const char *content = str_field(data, "content"), *guild = str_field(data, "guild_id");
	const cJSON *author = cJSON_GetObjectItemCaseSensitive(data, "author");
	const char *uid = cJSON_IsObject(author) ? str_field(author, "id") : NULL;
	const char *uname = cJSON_IsObject(author) ? str_field(author, "username") : NULL;
	const cJSON *bot = cJSON_IsObject(author) ? cJSON_GetObjectItemCaseSensitive(author, "bot") : NULL;

	if (id == NULL || channel == NULL || uid == NULL || content == NULL) {
		bad_frame(d, "MESSAGE_CREATE without id, channel_id, author.id or content");
		return;
	}
	if (cJSON_IsTrue(bot) || cJSON_GetObjectItemCaseSensitive(data, "webhook_id") != NULL ||
	    strcmp(uid, d->conn.self_id) == 0) {
		d->conn.events_in++;
		return;         /* bots, webhooks and the bot itself are never answered */
	}
	if (d->conn.state == D_STOPPING || !conn_take(&d->conn, id, guild == NULL, channel, uid, uname, content, NULL))
		d->freeze_resume = true;        /* replayed to whoever resumes next */
}

static void on_interaction(struct discord *d, const cJSON *data)
{
	const char *id = str_field(data, "id"), *token = str_field(data, "token");
	const char *channel = str_field(data, "channel_id"), *guild = str_field(data, "guild_id");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(data, "type");
	const cJSON *cdata = cJSON_GetObjectItemCaseSensitive(data, "data");
	const cJSON *member = cJSON_GetObjectItemCaseSensitive(data, "member");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(cJSON_IsObject(member) ? member : data, "user");
	const cJSON *message = cJSON_GetObjectItemCaseSensitive(data, "message");
	const char *custom = cJSON_IsObject(cdata) ? str_field(cdata, "custom_id") : NULL;
	const char *uid = cJSON_IsObject(user) ? str_field(user, "id") : NULL;
	const char *uname = cJSON_IsObject(user) ? str_field(user, "username") : NULL;
	const char *content = cJSON_IsObject(message) ? str_field(message, "content") : NULL;
	const char *key;
	struct click *k;
	char text[128];

	if (!cJSON_IsNumber(type) || type->valueint != 3)
		return;         /* only button clicks: we register no slash commands */
	if (id == NULL || token == NULL || custom == NULL || uid == NULL || channel == NULL) {
		bad_frame(d, "INTERACTION_CREATE without id, token, custom_id, user or channel");
		return;
	}
	if (strlen(token) > 1024 || strlen(id) > 64) {
		bad_frame(d, "INTERACTION_CREATE with an oversized id or token");
		return;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return;
	k->token = strdup(token);
	k->content = strdup(content ? content : "");
	snprintf(k->queue, sizeof(k->queue), "i:%s", id);
	if ((key = clicks_add(d->clicks, uv_now(d->conn.loop), k)) == NULL)
		return;
	if (d->conn.state == D_STOPPING) {
		discord_click_free(clicks_take(d->clicks, key));
		return;         /* unanswered: Discord tells the clicker it failed; a click again works */
	}
	discord_click_ack(d, id, token, k->queue);
	snprintf(text, sizeof(text), "%s%s", d->prefix, custom);
	if (!conn_take(&d->conn, id, guild == NULL, channel, uid, uname, text, key))
		discord_click_free(clicks_take(d->clicks, key));
}

static void on_ready(struct discord *d, const cJSON *data)
{
	const char *session = str_field(data, "session_id"), *resume = str_field(data, "resume_gateway_url");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(data, "user");
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(data, "application");
	const char *uid = cJSON_IsObject(user) ? str_field(user, "id") : NULL;
	const char *app_id = cJSON_IsObject(app) ? str_field(app, "id") : NULL;

	if (session == NULL || uid == NULL || strlen(session) >= sizeof(d->session)) {
		bad_frame(d, "READY without session_id or user.id");
		wsc_close(d->ws, 4000, "bad READY", WHY_INVALID);
		return;
	}
	snprintf(d->session, sizeof(d->session), "%s", session);
	snprintf(d->resume_url, sizeof(d->resume_url), "%s", resume ? resume : d->gateway_url);
	snprintf(d->conn.self_id, sizeof(d->conn.self_id), "%s", uid);
	snprintf(d->app_id, sizeof(d->app_id), "%s", app_id ? app_id : uid);
	d->fresh_identify = false;
	conn_handshake_stop(&d->conn);
	conn_stable_start(&d->conn);
	set_state(d, D_READY, "identified");
	discord_out_kick(d);
}

static void on_dispatch(struct discord *d, const cJSON *f)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(f, "s");
	const char *t = str_field(f, "t");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(f, "d");

	if (t == NULL || !cJSON_IsObject(data))
		return bad_frame(d, "dispatch without t or d");
	if (strcmp(t, "READY") == 0)
		on_ready(d, data);
	else if (strcmp(t, "RESUMED") == 0) {
		conn_handshake_stop(&d->conn);
		set_state(d, D_READY, "resumed");
		discord_out_kick(d);
	} else if (strcmp(t, "MESSAGE_CREATE") == 0)
		on_message_create(d, data);
	else if (strcmp(t, "INTERACTION_CREATE") == 0)
		on_interaction(d, data);
	if (cJSON_IsNumber(s) && !d->freeze_resume) {
		/* NaN, negative, fractional or past 2^53: not a sequence; the
		 * last good one stays, so a resume still asks for what follows it */
		double v = s->valuedouble;
		if (!(v >= 0 && v <= DISCORD_SEQ_MAX) || floor(v) != v) {
			d->conn.bad_frames++;
			log_warnx("%s: ignoring a dispatch's sequence %g: not a whole number from 0 to 2^53; "
			    "keeping %" PRId64, d->conn.name, v, d->seq);
			return;
		}
		d->seq = (int64_t)v;
		save_resume(d);
	}
}

static void on_heartbeat_timer(uv_timer_t *t);

static void on_hello(struct discord *d, const cJSON *data)
{
	const cJSON *hb = cJSON_IsObject(data) ? cJSON_GetObjectItemCaseSensitive(data, "heartbeat_interval") : NULL;
	uint64_t first;

	/* checked before the cast: NaN or 1e300 would be undefined behaviour,
	 * a tiny or huge interval a beat storm or a connection never checked */
	if (!cJSON_IsNumber(hb) || !(hb->valuedouble >= DISCORD_HEARTBEAT_MIN_MS &&
	    hb->valuedouble <= DISCORD_HEARTBEAT_MAX_MS)) {
		bad_frame(d, "hello without a heartbeat_interval from 100 ms to 10 minutes");
		wsc_close(d->ws, 4000, "bad hello", WHY_BAD_HELLO);
		return;
	}
	d->heartbeat_ms = (int64_t)hb->valuedouble;
	/* the first beat at a random point of the interval, as the gateway asks */
	first = (uint64_t)((double)d->heartbeat_ms * ((double)rand() / ((double)RAND_MAX + 1.0)));
	d->awaiting_ack = false;
	uv_timer_start(&d->heartbeat_timer, on_heartbeat_timer, first, (uint64_t)d->heartbeat_ms);
	set_state(d, D_WAITING, "hello");
	d->want_hello_reply = true;
	wsc_want_write(d->ws);
}

static void on_frame(struct wsc *w, void *arg, const char *buf, size_t len)
{
	struct discord *d = arg;
	cJSON *f = cJSON_ParseWithLength(buf, len);
	const cJSON *op = f ? cJSON_GetObjectItemCaseSensitive(f, "op") : NULL;
	const cJSON *data = f ? cJSON_GetObjectItemCaseSensitive(f, "d") : NULL;

	(void)w;
	if (!cJSON_IsNumber(op)) {
		bad_frame(d, "not a JSON object with an op");
		cJSON_Delete(f);
		return;
	}
	switch (op->valueint) {
	case 0:
		on_dispatch(d, f);
		break;
	case 1:         /* the gateway asks for a beat now */
		d->want_heartbeat = true;
		wsc_want_write(d->ws);
		break;
	case 7:
		log_info("%s: the gateway asks us to reconnect", d->conn.name);
		wsc_close(d->ws, 4000, "reconnect requested", WHY_RECONNECT);
		break;
	case 9:
		log_warnx("%s: invalid session (%s)", d->conn.name, cJSON_IsTrue(data) ? "resumable" : "not resumable");
		if (!cJSON_IsTrue(data)) {
			d->fresh_identify = true;
			d->session[0] = '\0';
			d->freeze_resume = false;
		}
		/* the documents ask for a wait of 1 to 5 s before identifying again */
		d->fixed_delay_ms = 1000 + rand() % 4000;
		wsc_close(d->ws, 4000, "invalid session", WHY_INVALID);
		break;
	case 10:
		on_hello(d, data);
		break;
	case 11:
		d->awaiting_ack = false;
		break;
	default:
		log_debug("%s: ignoring op %d", d->conn.name, op->valueint);
		break;
	}
	cJSON_Delete(f);
}

static void on_open(struct wsc *w, void *arg)
{
	struct discord *d = arg;

	(void)w;
	log_info("%s: gateway connected", d->conn.name);
}

static bool fatal_close(int code, const char **why)
{
	switch (code) {
	case 4004: *why = "close 4004: authentication failed (bad token)"; return true;
	case 4010: *why = "close 4010: invalid shard"; return true;
	case 4011: *why = "close 4011: sharding required"; return true;
	case 4012: *why = "close 4012: invalid API version"; return true;
	case 4013: *why = "close 4013: invalid intents"; return true;
	case 4014: *why = "close 4014: disallowed intents (enable Message Content in the Developer Portal)";
		return true;
	default: return false;
	}
}

static void on_closed(struct wsc *w, void *arg, const struct wsc_end *end)
{
	struct discord *d = arg;
	int peer_code = end->peer_code, why = end->why;
	const char *peer_reason = end->peer_reason, *what = end->what;
	const char *fatal;
	char reason[256];

	(void)w;
	d->ws = NULL;
	uv_timer_stop(&d->heartbeat_timer);
	conn_handshake_stop(&d->conn);
	conn_stable_stop(&d->conn);
	d->awaiting_ack = d->want_hello_reply = d->want_heartbeat = false;
	if (d->conn.state == D_STOPPING || why == WHY_STOP) {
		set_state(d, D_STOPPED, "stopped");
		d->conn.hooks->on_stopped(&d->conn);
		return;
	}
	if (fatal_close(peer_code, &fatal)) {
		set_state(d, D_FATAL, fatal);
		d->conn.status_text = peer_code == 4004 ? "failed: bad token" : "failed: refused by the gateway";
		return;
	}
	if (peer_code == 4007 || peer_code == 4009) {
		d->fresh_identify = true;       /* resuming would fail: identify again */
		d->session[0] = '\0';
		d->freeze_resume = false;
	}
	d->resume_next = true;
	snprintf(reason, sizeof(reason), "%s%s%s", what,
	    why == WHY_ZOMBIE ? " (no heartbeat ack)" : why == WHY_RECONNECT ? " (gateway asked to reconnect)" :
	    why == WHY_INVALID ? " (invalid session)" : why == WHY_TIMEOUT ? " (handshake timed out)" :
	    why == WHY_BAD_HELLO ? " (bad hello)" : "",
	    "");
	if (peer_code) {
		size_t n = strlen(reason);
		snprintf(reason + n, sizeof(reason) - n, ", close code %d %s", peer_code, peer_reason);
	}
	set_state(d, D_BACKOFF, reason);
	d->conn.reconnects++;
	schedule_reconnect(d);
}

static const struct wsc_ops gateway_ops = {
	.on_open = on_open,
	.on_frame = on_frame,
	.on_writeable = on_writeable,
	.on_closed = on_closed,
};

/* ---- timers ---- */

static void on_heartbeat_timer(uv_timer_t *t)
{
	struct discord *d = t->data;

	if (d->ws == NULL)
		return;
	if (d->awaiting_ack) {
		/* not 1000/1001: those would end the session we want to resume */
		log_warnx("%s: no heartbeat ack within %" PRId64 " ms: the connection is dead", d->conn.name,
		    d->heartbeat_ms);
		uv_timer_stop(&d->heartbeat_timer);
		wsc_close(d->ws, 4000, "no heartbeat ack", WHY_ZOMBIE);
		return;
	}
	d->awaiting_ack = true;
	d->want_heartbeat = true;
	wsc_want_write(d->ws);
}

/* conn_ops.handshake_timeout */
static void discord_handshake_timeout(struct conn *c)
{
	struct discord *d = discord_of(c);

	if (d->ws != NULL)
		wsc_close(d->ws, 4000, "handshake timed out", WHY_TIMEOUT);
}

/* conn_ops.reconnect: the backoff ended */
static void discord_reconnect(struct conn *c)
{
	struct discord *d = discord_of(c);

	if (d->conn.state != D_BACKOFF)
		return;
	if (d->gateway_url[0])
		discord_connect(d);
	else
		fetch_gateway(d);
}

static void schedule_reconnect(struct discord *d)
{
	int64_t delay = d->fixed_delay_ms;

	d->fixed_delay_ms = -1;
	conn_schedule_reconnect(&d->conn, delay, d->session[0] && !d->fresh_identify);
}

/* ---- connecting ---- */

static void discord_connect(struct discord *d)
{
	bool resume = d->resume_next && !d->fresh_identify && d->session[0] && d->resume_url[0];
	const char *base = resume ? d->resume_url : d->gateway_url;
	size_t n = strlen(base);
	char url[600];

	snprintf(url, sizeof(url), "%s%s?v=10&encoding=json", base, n > 0 && base[n - 1] == '/' ? "" : "/");
	set_state(d, D_CONNECTING, resume ? "connecting to resume" : "connecting");
	d->ws = wsc_open(d->conn.lws, url, NULL, d->tls_verify, DISCORD_MAX_FRAME, &gateway_ops, d, d->conn.name);
	if (d->ws == NULL) {
		set_state(d, D_BACKOFF, "connect failed at once");
		schedule_reconnect(d);
		return;
	}
	conn_handshake_start(&d->conn, DISCORD_HANDSHAKE_MS);
}

static void on_gateway(void *arg, const struct rest_response *res)
{
	struct discord *d = arg;
	cJSON *g = res->status == 200 ? cJSON_Parse(res->body) : NULL;
	const char *url = g ? str_field(g, "url") : NULL;

	if (d->conn.state != D_GATEWAY) {
		cJSON_Delete(g);
		return;         /* stopped meanwhile */
	}
	if (res->status == 401 || res->status == 403) {
		set_state(d, D_FATAL, "GET /gateway/bot: the token was refused; not retrying until the config changes");
		d->conn.status_text = "failed: bad token";
	} else if (url == NULL || strlen(url) >= sizeof(d->gateway_url)) {
		char why[128];
		snprintf(why, sizeof(why), "GET /gateway/bot failed: %ld %s", res->status, res->error ? res->error : "");
		set_state(d, D_BACKOFF, why);
		schedule_reconnect(d);
	} else {
		snprintf(d->gateway_url, sizeof(d->gateway_url), "%s", url);
		discord_connect(d);
	}
	cJSON_Delete(g);
}

static void fetch_gateway(struct discord *d)
{
	set_state(d, D_GATEWAY, "asking for the gateway url");
	if (rest_request(d->rest, "GET", "/gateway/bot", NULL, NULL, NULL, NULL, on_gateway, d) < 0) {
		set_state(d, D_BACKOFF, "out of memory");
		schedule_reconnect(d);
	}
}

static void on_resume_loaded(struct conn *c, const char *session, const char *last_id)
{
	struct discord *d = discord_of(c);
	char *end;

	if (d->conn.state != D_IDLE)
		return;
	if (session != NULL && last_id != NULL) {
		const char *sp = strchr(session, ' ');
		long long seq = strtoll(last_id, &end, 10);
		if (sp != NULL && *end == '\0' && seq >= 0 && (size_t)(sp - session) < sizeof(d->session) &&
		    strlen(sp + 1) < sizeof(d->resume_url)) {
			snprintf(d->session, sizeof(d->session), "%.*s", (int)(sp - session), session);
			snprintf(d->resume_url, sizeof(d->resume_url), "%s", sp + 1);
			d->seq = seq;
			d->resume_next = true;
			log_info("%s: will resume session %s after sequence %lld", c->name, d->session, seq);
		}
	}
	fetch_gateway(d);
}

/* ---- conn ops ---- */

static void discord_kick(struct conn *c)
{
	discord_out_kick(c);
}

static int discord_start(struct conn *c)
{
	struct discord *d = discord_of(c);
	char auth[600];

	d->conn.outbox = outbox_new(c->loop, DISCORD_MAX_TEXT, c->max_send_rate, discord_out_kick, d);
	d->rest = rest_new(c->loop, c->name, d->api_url, d->tls_verify);
	if (d->conn.outbox == NULL || d->rest == NULL || d->dm_channels == NULL || d->clicks == NULL ||
	    d->token == NULL) {
		/* libcurl missing (logged) or out of memory: this connection cannot run */
		outbox_free(d->conn.outbox);      /* both take NULL */
		d->conn.outbox = NULL;            /* the shutdown has nothing to stop here */
		rest_free(d->rest);
		d->rest = NULL;
		set_state(d, D_FATAL, "cannot start");
		d->conn.status_text = "failed: cannot start";
		return -1;
	}
	/* REST keeps each channel's order itself: several channels may be in flight */
	outbox_set_max_inflight(d->conn.outbox, DISCORD_IN_FLIGHT);
	snprintf(auth, sizeof(auth), "Bot %s", d->token);
	rest_set_auth(d->rest, auth);
	rest_global_limit(d->rest, 50);
	conn_skeleton_start(c);
	conn_timer_init(c, &d->heartbeat_timer);
	c->hooks->load_resume(c, on_resume_loaded);
	return 0;
}

/* The drain is over (conn_drain_then): close the gateway. */
static void finish_stop(struct conn *c)
{
	struct discord *d = discord_of(c);

	if (d->ws != NULL) {
		/* 4000, not 1000: the session stays resumable for the next run */
		wsc_close(d->ws, 4000, "dutybot restarting", WHY_STOP);
	} else {
		set_state(d, D_STOPPED, "stopped");
		d->conn.hooks->on_stopped(&d->conn);
	}
}

static size_t rest_in_flight(struct conn *c)
{
	return rest_pending(discord_of(c)->rest);
}

static void discord_stop(struct conn *c)
{
	struct discord *d = discord_of(c);

	/* the heartbeat goes on until the socket is closed: a session that
	 * misses beats is ended by the gateway, and the next run resumes it */
	conn_timers_stop(c);
	set_state(d, D_STOPPING, "shutting down");
	/* waits (a little) for what is being sent, then closes */
	conn_drain_then(c, rest_in_flight, finish_stop);
}

static void discord_free(struct conn *c)
{
	struct discord *d = discord_of(c);

	d->freeing = true;      /* what rest_free fails now stays in the durable outbox */
	if (d->ws != NULL)
		wsc_abandon(d->ws);
	if (d->rest != NULL)
		rest_free(d->rest);
	if (d->conn.outbox != NULL)
		outbox_free(d->conn.outbox);
	clicks_free(d->clicks);
	strmap_free(d->dm_channels);
	free(d->token);
	free(d->api_url);
}

static void discord_set_token(struct conn *c, const struct config_connection *cc)
{
	struct discord *d = discord_of(c);
	const char *token = cc->token;
	char auth[600];

	if (token == NULL || (d->token != NULL && strcmp(token, d->token) == 0))
		return;
	free(d->token);
	d->token = strdup(token);
	if (d->rest == NULL || d->token == NULL)
		return;         /* not started, or could not: a start takes the new token */
	snprintf(auth, sizeof(auth), "Bot %s", d->token);
	rest_set_auth(d->rest, auth);
	if (d->conn.state == D_FATAL) {
		log_info("%s: token changed: trying again", c->name);
		d->conn.attempt = 0;
		d->fresh_identify = true;
		fetch_gateway(d);
	}
}

static void discord_set_reading(struct conn *c, bool on)
{
	wsc_set_reading(discord_of(c)->ws, on);
}

static const struct conn_ops discord_ops = {
	.start = discord_start,
	.stop = discord_stop,
	.kick = discord_kick,
	.set_token = discord_set_token,
	.click_done = discord_click_done,
	.reconnect = discord_reconnect,
	.handshake_timeout = discord_handshake_timeout,
	.free = discord_free,
	.set_reading = discord_set_reading,
};

struct conn *discord_conn_new(const struct config_connection *cc, const char *command_prefix)
{
	struct discord *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->conn.ops = &discord_ops;
	d->conn.states = discord_states;
	d->token = strdup(cc->token ? cc->token : "");
	d->tls_verify = cc->tls_verify;
	snprintf(d->prefix, sizeof(d->prefix), "%s", command_prefix);
	d->seq = -1;
	d->fixed_delay_ms = -1;
	d->dm_channels = strmap_new(4096);
	d->clicks = clicks_new(DISCORD_CLICK_TTL_MS, DISCORD_CLICKS_MAX, discord_click_free);
	d->api_url = strdup(cc->api_url ? cc->api_url : "https://discord.com/api/v10");
	return &d->conn;
}
