/*
 * site: the client of the site's own protocol (shared/PROTOCOL-site.md).
 *
 *   IDLE --connect--> CONNECTING --established--> HELLO --hello/identify-->
 *   IDENTIFYING --ready--> READY
 *   any --close/error--> BACKOFF --timer--> CONNECTING;  4001 --> FATAL
 *
 * Every transition goes through conn_set_state() (bot/platform/conn.h), which logs
 * it with its reason.  The socket is a bot/platform/wsc.h one, asking for the
 * subprotocol dutybot.site.v1.  Close codes map to a policy (resume, fresh,
 * delayed, fatal).  Incoming messages and acks are read by jscan without a
 * parse tree (site_frame.h); the other frames reach cJSON.  Outgoing actions
 * come from the connection's outbox, several per WRITEABLE (site_write.c),
 * with ref "c<seq>".
 */
#include "bot/platform/site_private.h"
#include "bot/platform/site_frame.h"
#include "bot/lib/cjson_get.h"
#include "bot/lib/log.h"
#include "bot/platform/wsc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* enum site_state (site_private.h): the log's names, and what /healthz says */
static const struct conn_state site_states[] = {
	[S_IDLE] = { "IDLE", CONN_DOWN, "idle", false },
	[S_CONNECTING] = { "CONNECTING", CONN_CONNECTING, "connecting", false },
	[S_HELLO] = { "HELLO", CONN_CONNECTING, "connecting", false },
	[S_IDENTIFYING] = { "IDENTIFYING", CONN_CONNECTING, "identifying", false },
	[S_READY] = { "READY", CONN_UP, "ready", false },
	[S_BACKOFF] = { "BACKOFF", CONN_DOWN, "reconnecting", false },
	[S_FATAL] = { "FATAL", CONN_FATAL, "failed: bad token", false },
	[S_STOPPING] = { "STOPPING", CONN_DOWN, "stopping", true },
	[S_STOPPED] = { "STOPPED", CONN_STOPPED, "stopped", false },
};

static void site_connect(struct site *s);
static void schedule_reconnect(struct site *s);
static void on_heartbeat_timer(uv_timer_t *t);

static struct site *site_of(struct conn *c)
{
	return (struct site *)c;
}

static void set_state(struct site *s, enum site_state st, const char *reason)
{
	conn_set_state(&s->conn, (int)st, reason);
}

/* ---- resume point ---- */

static void note_message_id(struct site *s, const char *id, size_t len)
{
	if (s->freeze_resume || len == 0 || len >= sizeof(s->last_id))
		return;
	memcpy(s->last_id, id, len);
	s->last_id[len] = '\0';
	s->conn.hooks->save_resume(&s->conn, s->session[0] ? s->session : NULL, s->last_id);
}

/* ---- closing ---- */

/* Closes with a real close frame (wsc_close); on_closed follows. */
static void close_now(struct site *s, enum local_close why, const char *reason)
{
	if (s->ws != NULL)
		wsc_close(s->ws, why == LC_STOP ? 1000 : 1001, reason, (int)why);   /* normal, going away */
}

/* The socket is gone: decide from who closed it, and how, what comes next. */
static void on_closed(struct wsc *w, void *arg, const struct wsc_end *end)
{
	struct site *s = arg;
	int code = end->peer_code;
	enum local_close lc = (enum local_close)end->why;
	const char *what = end->error != NULL ? "connection failed" : "connection closed";
	char reason[128];
	int64_t preset_delay = s->next_delay_ms;

	(void)w;
	/* in a long outage only the first tries say why */
	if (end->error != NULL && (s->conn.reconnects == 0 || s->conn.attempt <= 1))
		log_warnx("%s: cannot connect: %s", s->conn.name, end->error);
	s->ws = NULL;
	uv_timer_stop(&s->heartbeat_timer);
	conn_handshake_stop(&s->conn);
	conn_stable_stop(&s->conn);
	s->awaiting_ack = false;
	s->want_identify = s->want_heartbeat = false;
	outbox_requeue_inflight(s->conn.outbox);
	s->next_delay_ms = preset_delay;   /* set by invalid_session; else -1 */
	s->resume_next = true;

	if (s->conn.state == S_STOPPING || lc == LC_STOP) {
		set_state(s, S_STOPPED, "stopped");
		s->conn.hooks->on_stopped(&s->conn);
		return;
	}
	if (code == 4001) {
		set_state(s, S_FATAL, "close 4001: the site refused the token; not retrying until the config changes");
		return;
	}
	if (code == 4002) {
		s->session[0] = '\0';
		s->resume_next = false;
		s->next_delay_ms = 100;
	} else if (code == 4008) {
		char *after;
		long ms = strtol(end->peer_reason, &after, 10);
		s->next_delay_ms = (after != end->peer_reason && *after == '\0' && ms >= 0 && ms <= 600000)
		    ? ms : -1;
		log_warnx("%s: the site says we sent too fast; waiting %s ms", s->conn.name,
		    end->peer_reason[0] ? end->peer_reason : "(unspecified)");
	} else if (!s->session[0]) {
		s->resume_next = false;
	}
	if (code)
		snprintf(reason, sizeof(reason), "%s, close code %d", what, code);
	else
		snprintf(reason, sizeof(reason), "%s%s", what,
		    lc == LC_ZOMBIE ? " (no heartbeat ack)" : lc == LC_RECONNECT ? " (site asked to reconnect)" :
		    lc == LC_TIMEOUT ? " (handshake timed out)" : lc == LC_PROTOCOL ? " (protocol error)" : "");
	set_state(s, S_BACKOFF, reason);
	s->conn.reconnects++;
	schedule_reconnect(s);
	s->next_delay_ms = -1;
}

/* ---- incoming frames ---- */

static void bad_frame(struct site *s, const char *why)
{
	s->conn.bad_frames++;
	log_warnx("%s: ignoring a malformed frame: %s", s->conn.name, why);
}

static void take_message(struct site *s, const struct site_message *m)
{
	const char *bad = site_message_bad(m);
	struct chat_event ev;

	if (bad != NULL)
		return bad_frame(s, bad);
	if (m->bot == JSCAN_TRUE || (s->conn.self_id[0] && strcmp(m->user_id, s->conn.self_id) == 0)) {
		note_message_id(s, m->id, strlen(m->id));
		return;         /* bots, and the bot itself, are never answered */
	}
	memset(&ev, 0, sizeof(ev));
	ev.msg_id = m->id;
	ev.dm = m->dm == JSCAN_TRUE;
	ev.room = ev.dm ? NULL : m->room;
	ev.user_id = m->user_id;
	ev.user_name = m->user_name ? m->user_name : m->user_id;
	ev.text = m->text;
	ev.text_len = m->text_len;
	ev.ts_ms = m->ts_ms;
	s->conn.events_in++;
	if (s->conn.state == S_STOPPING || !s->conn.hooks->on_event(&s->conn, &ev)) {
		s->freeze_resume = true;        /* replayed to whoever runs next */
		return;
	}
	note_message_id(s, m->id, strlen(m->id));
}

static void on_ready(struct site *s, const cJSON *f)
{
	const char *session = str_field(f, "session");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(f, "user");
	const char *uid = cJSON_IsObject(user) ? str_field(user, "id") : NULL;
	const cJSON *resumed = cJSON_GetObjectItemCaseSensitive(f, "resumed");

	if (session == NULL || strlen(session) >= sizeof(s->session) || uid == NULL) {
		bad_frame(s, "ready without session or user.id");
		close_now(s, LC_PROTOCOL, "bad ready");
		return;
	}
	snprintf(s->session, sizeof(s->session), "%s", session);
	snprintf(s->conn.self_id, sizeof(s->conn.self_id), "%s", uid);
	conn_handshake_stop(&s->conn);
	conn_stable_start(&s->conn);
	set_state(s, S_READY, cJSON_IsTrue(resumed) ? "resumed" : "identified");
	s->conn.hooks->save_resume(&s->conn, s->session, s->last_id[0] ? s->last_id : NULL);
	site_want_write(s);
}

static void acked(struct site *s, uint64_t seq)
{
	if (outbox_acked(s->conn.outbox, seq))
		s->conn.actions_acked++;
}

/* "send to ops: \"Shift day handed...\"": what an action was, for the log. */
static void describe(const struct out_msg *m, char *buf, size_t n)
{
	static const char *const kinds[] = { [OUT_SEND] = "send", [OUT_DM] = "dm", [OUT_SYSTEM] = "system" };
	size_t len = strlen(m->text);

	if (len > 60)           /* cut at a character's start */
		for (len = 60; len > 0 && ((unsigned char)m->text[len] & 0xc0) == 0x80; len--)
			;
	snprintf(buf, n, "%s to %s: \"%.*s%s\"", kinds[m->kind], m->target, (int)len, m->text,
	    m->text[len] ? "..." : "");
}

/*
 * An action got no answer by its deadline (outbox_set_ack_timeout): sent
 * again, or after its last try given up.  Given up, whoever caused it is
 * told as for a refusal; an entry of the durable outbox (it has a DONE)
 * stays pending there and is sent again later.
 */
static void on_expired(void *arg, struct out_msg *m, bool final)
{
	struct site *s = arg;
	char what[160];

	describe(m, what, sizeof(what));
	if (!final) {
		log_warnx("%s: no answer to c%llu (%s) by its deadline: sending it again (try %d of %d)",
		    s->conn.name, (unsigned long long)m->seq, what, m->timeouts + 1, SITE_ACK_TRIES);
		return;
	}
	log_warnx("%s: no answer to c%llu (%s) after %d tries: giving it up%s", s->conn.name,
	    (unsigned long long)m->seq, what, m->timeouts,
	    m->done != NULL ? "; it stays in the durable outbox for a later retry" : "");
	s->conn.hooks->on_delivery_failed(&s->conn, m, "no answer");
	outbox_msg_free(m);
}

static void on_action_reply(struct site *s, const cJSON *f, bool ok)
{
	const char *ref = str_field(f, "ref");
	unsigned long long seq;
	char *end;
	char buf[24];

	if (ref == NULL || ref[0] != 'c' || (seq = strtoull(ref + 1, &end, 10), *end != '\0')) {
		const char *code = str_field(f, "code");
		struct out_msg *only = outbox_inflight(s->conn.outbox) == 1 ? outbox_inflight_first(s->conn.outbox) : NULL;
		/*
		 * A site that could not read a frame cannot name its ref.  With one
		 * action in flight and no heartbeat waiting for its answer (whose
		 * error this could be), the error can only be that action's.
		 */
		if (!ok && ref == NULL && only != NULL && !s->awaiting_ack) {
			char what[160];
			describe(only, what, sizeof(what));
			log_warnx("%s: site error without a ref: %s %s; taking it as the answer to c%llu (%s), "
			    "the only action in flight", s->conn.name, code ? code : "",
			    str_field(f, "message") ? str_field(f, "message") : "", (unsigned long long)only->seq, what);
			seq = only->seq;
			snprintf(buf, sizeof(buf), "c%llu", seq);
			ref = buf;
		} else {
			log_warnx("%s: site %s without a ref of ours: %s %s", s->conn.name, ok ? "ack" : "error",
			    code ? code : "", str_field(f, "message") ? str_field(f, "message") : "");
			return;
		}
	}
	if (ok) {
		acked(s, seq);
		return;
	}
	{
		const char *code = str_field(f, "code");
		const cJSON *retry = cJSON_GetObjectItemCaseSensitive(f, "retry_ms");
		if (code != NULL && strcmp(code, "rate_limited") == 0) {
			int64_t ms = 1000;
			/* never a cast of a double outside int64 (1e999 is inf): undefined behaviour */
			if (cJSON_IsNumber(retry) && retry->valuedouble >= 0 && !site_frame_ms(retry->valuedouble, &ms)) {
				s->conn.bad_frames++;  /* a bad frame, though the rate limit it tells of holds */
				log_warnx("%s: rate limit with retry_ms out of range: taking the longest wait", s->conn.name);
				ms = 600000;
			}
			if (ms > 600000)
				ms = 600000;
			log_info("%s: rate limited, re-sending %s after %lld ms", s->conn.name, ref, (long long)ms);
			outbox_retry(s->conn.outbox, seq, ms);
		} else {
			struct out_msg *m = outbox_failed(s->conn.outbox, seq);
			const char *msg = str_field(f, "message");
			log_warnx("%s: the site refused %s: %s%s%s", s->conn.name, ref, code ? code : "unknown error",
			    msg ? ": " : "", msg ? msg : "");
			if (m != NULL) {
				s->conn.hooks->on_delivery_failed(&s->conn, m, code ? code : "error");
				outbox_msg_free(m);
			}
		}
	}
}

static void on_hello(struct site *s, const cJSON *f)
{
	const cJSON *hb = cJSON_GetObjectItemCaseSensitive(f, "heartbeat_ms");

	if (s->conn.state != S_HELLO)
		return bad_frame(s, "hello out of turn");
	s->heartbeat_ms = 30000;
	/* never a cast of a double outside int64 (1e999 is inf): undefined behaviour */
	if (cJSON_IsNumber(hb) && hb->valuedouble >= 100 && !site_frame_ms(hb->valuedouble, &s->heartbeat_ms)) {
		s->conn.bad_frames++;  /* a bad frame, though the handshake goes on */
		log_warnx("%s: hello with heartbeat_ms out of range: using 30000 ms", s->conn.name);
		s->heartbeat_ms = 30000;
	}
	set_state(s, S_IDENTIFYING, "hello");
	s->want_identify = true;
	s->awaiting_ack = false;
	uv_timer_start(&s->heartbeat_timer, on_heartbeat_timer, (uint64_t)s->heartbeat_ms,
	    (uint64_t)s->heartbeat_ms);
	site_want_write(s);
}

static void handle_control(struct site *s, const char *buf, size_t len)
{
	cJSON *f = cJSON_ParseWithLength(buf, len);
	const char *type;

	if (f == NULL || !cJSON_IsObject(f)) {
		bad_frame(s, "not a JSON object");
		cJSON_Delete(f);
		return;
	}
	type = str_field(f, "type");
	if (type == NULL)
		bad_frame(s, "no string type");
	else if (strcmp(type, "message") == 0) {
		struct site_message m;
		site_message_from_cjson(f, &m);
		take_message(s, &m);
	}
	else if (strcmp(type, "ack") == 0)
		on_action_reply(s, f, true);
	else if (strcmp(type, "error") == 0)
		on_action_reply(s, f, false);
	else if (strcmp(type, "heartbeat_ack") == 0)
		s->awaiting_ack = false;
	else if (strcmp(type, "hello") == 0)
		on_hello(s, f);
	else if (strcmp(type, "ready") == 0)
		on_ready(s, f);
	else if (strcmp(type, "invalid_session") == 0) {
		log_warnx("%s: the site has forgotten session %s; identifying afresh", s->conn.name, s->session);
		s->session[0] = '\0';
		s->next_delay_ms = 0;
	} else if (strcmp(type, "reconnect") == 0) {
		cJSON_Delete(f);
		close_now(s, LC_RECONNECT, "reconnect requested");
		return;
	} else if (strcmp(type, "presence") != 0)
		log_debug("%s: ignoring frame of type %s", s->conn.name, type);
	cJSON_Delete(f);
}

/*
 * The hot path: chatter costs one jscan pass (and one over its small user
 * object, so that a bad frame is counted, not taken for chatter); commands
 * and the acks of answers are read from that pass too
 * (bot/platform/site_frame.h).  The rest, and what jscan cannot read exactly
 * as cJSON would, goes to cJSON.
 */
static void handle_frame(struct site *s, const char *buf, size_t len)
{
	struct site_frame fr;
	struct site_message m;

	site_frame_scan(buf, len, &fr);
	if (site_frame_is_chatter(&fr, s->prefix, s->prefix_len)) {
		s->conn.events_in++;
		note_message_id(s, fr.f[SF_ID].val, fr.f[SF_ID].len);  /* frozen once one was not taken */
		return;
	}
	if (fr.kind == SITE_FRAME_ACK) {
		acked(s, fr.ack_seq);
		return;
	}
	if (fr.kind == SITE_FRAME_MESSAGE && site_frame_message(&fr, &s->scratch, &s->scratch_cap, &m) == 0) {
		take_message(s, &m);
		return;
	}
	handle_control(s, buf, len);
}

static void on_frame(struct wsc *w, void *arg, const char *buf, size_t len)
{
	(void)w;
	handle_frame(arg, buf, len);
}

static void on_open(struct wsc *w, void *arg)
{
	(void)w;
	set_state(arg, S_HELLO, "connected");
}

static void on_oversized(struct wsc *w, void *arg)
{
	struct site *s = arg;

	(void)w;
	s->conn.bad_frames++;
}

static const struct wsc_ops socket_ops = {
	.on_open = on_open,
	.on_frame = on_frame,
	.on_writeable = site_on_writeable,
	.on_closed = on_closed,
	.on_oversized = on_oversized,
};

/* ---- timers ---- */

static void on_heartbeat_timer(uv_timer_t *t)
{
	struct site *s = t->data;

	if (s->ws == NULL)
		return;
	if (s->awaiting_ack) {
		log_warnx("%s: no heartbeat ack within %lld ms: the connection is dead", s->conn.name,
		    (long long)s->heartbeat_ms);
		close_now(s, LC_ZOMBIE, "no heartbeat ack");
		return;
	}
	s->awaiting_ack = true;
	s->want_heartbeat = true;
	site_want_write(s);
}

/* conn_ops.handshake_timeout */
static void site_handshake_timeout(struct conn *c)
{
	close_now(site_of(c), LC_TIMEOUT, "handshake timed out");
}

/* conn_ops.reconnect: the backoff ended */
static void site_reconnect(struct conn *c)
{
	struct site *s = site_of(c);

	if (s->conn.state == S_BACKOFF)
		site_connect(s);
}

static void schedule_reconnect(struct site *s)
{
	conn_schedule_reconnect(&s->conn, s->next_delay_ms, s->resume_next && s->session[0]);
}

/* ---- connecting ---- */

static void site_connect(struct site *s)
{
	set_state(s, S_CONNECTING, "connecting");
	s->ws = wsc_open(s->conn.lws, s->url, SITE_SUBPROTOCOL, s->tls_verify, SITE_MAX_FRAME, &socket_ops, s,
	    s->conn.name);
	if (s->ws == NULL) {
		set_state(s, S_BACKOFF, "connect failed at once");
		s->next_delay_ms = -1;
		schedule_reconnect(s);
		return;
	}
	conn_handshake_start(&s->conn, SITE_HANDSHAKE_MS);
}

static void on_resume_loaded(struct conn *c, const char *session, const char *last_id)
{
	struct site *s = site_of(c);

	if (s->conn.state != S_IDLE)
		return;
	if (session != NULL && last_id != NULL && strlen(session) < sizeof(s->session) &&
	    strlen(last_id) < sizeof(s->last_id)) {
		strcpy(s->session, session);
		strcpy(s->last_id, last_id);
		s->resume_next = true;
		log_info("%s: will resume session %s after message %s", c->name, session, last_id);
	}
	site_connect(s);
}

/* ---- conn ops ---- */

static void kick(void *arg)
{
	struct site *s = arg;

	if (s->conn.state == S_READY || s->conn.state == S_STOPPING)
		site_want_write(s);
}

static void site_kick(struct conn *c)
{
	kick(c);
}

static int site_start(struct conn *c)
{
	struct site *s = site_of(c);

	s->conn.outbox = outbox_new(c->loop, SITE_MAX_TEXT, c->max_send_rate, kick, s);
	if (s->conn.outbox == NULL)
		return -1;
	outbox_set_max_inflight(s->conn.outbox, (size_t)c->max_in_flight);
	outbox_set_ack_timeout(s->conn.outbox, SITE_ACK_TIMEOUT_MS, SITE_ACK_TRIES, on_expired);
	conn_skeleton_start(c);
	conn_timer_init(c, &s->heartbeat_timer);
	c->hooks->load_resume(c, on_resume_loaded);
	return 0;
}

static void site_stop(struct conn *c)
{
	struct site *s = site_of(c);
	bool had_socket = s->ws != NULL;

	conn_timers_stop(c);
	uv_timer_stop(&s->heartbeat_timer);
	set_state(s, S_STOPPING, "shutting down");
	if (had_socket)
		close_now(s, LC_STOP, "dutybot shutting down");     /* on_closed -> on_stopped */
	else {
		set_state(s, S_STOPPED, "stopped");
		s->conn.hooks->on_stopped(c);
	}
}

/* The site's own resources; conn_free() closes the timers and frees S. */
static void site_free(struct conn *c)
{
	struct site *s = site_of(c);

	if (s->ws != NULL)
		wsc_abandon(s->ws);        /* lws may still close it later */
	if (s->conn.outbox != NULL)
		outbox_free(s->conn.outbox);
	free(s->token);
	free(s->scratch);
}

static void site_set_token(struct conn *c, const struct config_connection *cc)
{
	struct site *s = site_of(c);
	const char *token = cc->token;

	if (token == NULL || strcmp(token, s->token) == 0)
		return;
	free(s->token);
	s->token = strdup(token);
	if (s->conn.state == S_FATAL) {
		log_info("%s: token changed: trying again", c->name);
		s->conn.attempt = 0;
		s->resume_next = false;
		site_connect(s);
	}
}

static void site_set_reading(struct conn *c, bool on)
{
	wsc_set_reading(site_of(c)->ws, on);
}

static const struct conn_ops site_ops = {
	.start = site_start,
	.stop = site_stop,
	.kick = site_kick,
	.set_token = site_set_token,
	.reconnect = site_reconnect,
	.handshake_timeout = site_handshake_timeout,
	.free = site_free,
	.set_reading = site_set_reading,
};

struct conn *site_conn_new(const struct config_connection *cc, const char *command_prefix)
{
	struct site *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->conn.ops = &site_ops;
	s->conn.states = site_states;
	snprintf(s->url, sizeof(s->url), "%s", cc->url);
	if (!wsc_url_usable(s->url)) {
		log_warnx("%s: cannot use url %s", cc->name, cc->url);
		free(s);
		return NULL;
	}
	s->tls_verify = cc->tls_verify;
	s->token = strdup(cc->token ? cc->token : "");
	snprintf(s->prefix, sizeof(s->prefix), "%s", command_prefix);
	/* a prefix that JSON escapes cannot be matched raw: then every message is parsed */
	s->prefix_len = strpbrk(s->prefix, "\"\\") ? 0 : strlen(s->prefix);
	s->next_delay_ms = -1;
	return &s->conn;
}
