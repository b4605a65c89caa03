/*
 * site_protocol: the meaning of the frames of shared/PROTOCOL-site.md, from
 * the server's side.  A client frame is checked in a fixed order - UTF-8,
 * JSON object, string "type", a known type, identified yet - and then goes
 * to one function per type.  Actions (send, dm, system) share one path:
 * a string ref, the rate limit, the per-type field checks from a table,
 * then ack or error.  Chat messages get site-wide ids "m-N" and are kept in
 * the history, so a resumed session is replayed what it missed.
 *
 * Strictness is the point: the demo site is also the fake site of the
 * end-to-end tests, so anything the protocol does not allow is answered
 * with an error (or a close before identify) and reported as an event.
 * Fields the protocol does not name are ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "people.h"
#include "report.h"
#include "site_private.h"
#include "utf8.h"

#define EXCERPT_MAX 200         /* code points of a bad frame in its event */

uint64_t site_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t mono_ms(void)
{
	return uv_hrtime() / 1000000;
}

/* "m-42" with PREFIX 'm' -> 42; -1 for anything else. */
static int parse_id(const char *s, char prefix, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (s[0] != prefix || s[1] != '-' || !s[2] || strlen(s + 2) > 18)
		return -1;
	for (p = s + 2; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return 0;
}

static void format_id(char buf[32], char prefix, uint64_t n)
{
	snprintf(buf, 32, "%c-%llu", prefix, (unsigned long long)n);
}

/* --- bad frames and errors -------------------------------------------------- */

/* The first EXCERPT_MAX code points of DATA as valid UTF-8 (bad bytes -> '?'). */
static char *excerpt(const char *data, size_t len)
{
	char *out;
	size_t n;

	if (utf8_count(data, len) >= 0) {
		n = utf8_prefix(data, len, EXCERPT_MAX);
		return strndup(data, n);
	}
	n = len < EXCERPT_MAX ? len : EXCERPT_MAX;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)data[i] < 0x80 && data[i] ? data[i] : '?';
	out[n] = '\0';
	return out;
}

void site_bad_frame(struct conn *c, const char *why, const char *data, size_t len)
{
	cJSON *ev = report_ev("bad_frame");
	char *ex = excerpt(data ? data : "", data ? len : 0);
	char human[400];

	cJSON_AddStringToObject(ev, "why", why);
	cJSON_AddStringToObject(ev, "frame", ex ? ex : "");
	snprintf(human, sizeof(human), "! bad frame from dutybot (%s): %.80s", why, ex ? ex : "");
	report_event(c->srv->report, ev, human);
	free(ex);
}

static void send_error(struct conn *c, const cJSON *ref, const char *code, const char *message)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "type", "error");
	if (ref)
		cJSON_AddItemToObject(f, "ref", cJSON_Duplicate(ref, true));
	cJSON_AddStringToObject(f, "code", code);
	cJSON_AddStringToObject(f, "message", message);
	conn_send_json(c, f);
}

/*
 * A frame the protocol does not allow.  Before identify the connection is
 * closed with 4000; after it the frame is answered with an error (with its
 * ref when it has one) and reported as action_error (with a ref) or bad_frame.
 */
static void reject(struct conn *c, const cJSON *msg, const char *code, const char *why,
		   const char *data, size_t len)
{
	const cJSON *ref = msg ? cJSON_GetObjectItemCaseSensitive(msg, "ref") : NULL;

	if (c->state == CONN_HELLO) {
		site_bad_frame(c, why, data, len);
		conn_close(c, 4000, "identify first");
		return;
	}
	if (cJSON_IsString(ref)) {
		cJSON *ev = report_ev("action_error");
		char human[300];

		cJSON_AddStringToObject(ev, "ref", ref->valuestring);
		cJSON_AddStringToObject(ev, "code", code);
		cJSON_AddStringToObject(ev, "why", why);
		snprintf(human, sizeof(human), "! dutybot's %.40s was refused: %s (%s)",
			 ref->valuestring, code, why);
		report_event(c->srv->report, ev, human);
	} else {
		site_bad_frame(c, why, data, len);
	}
	send_error(c, ref, code, why);
}

/* --- sessions ------------------------------------------------------------------ */

static struct site_session *session_find(struct site_server *srv, uint64_t num)
{
	for (size_t i = 0; i < srv->n_sessions; i++)
		if (srv->sessions[i].num == num)
			return &srv->sessions[i];
	return NULL;
}

static struct site_session *session_new(struct site_server *srv)
{
	if (srv->n_sessions == srv->cap_sessions) {
		size_t cap = srv->cap_sessions ? srv->cap_sessions * 2 : 8;
		struct site_session *v = realloc(srv->sessions, cap * sizeof(*v));

		if (!v)
			return NULL;
		srv->sessions = v;
		srv->cap_sessions = cap;
	}
	srv->sessions[srv->n_sessions] = (struct site_session){
		.num = ++srv->last_session, .start_id = srv->last_id };
	return &srv->sessions[srv->n_sessions++];
}

/* --- identify and heartbeat -------------------------------------------------- */

static bool token_ok(const struct site_server *srv, const char *token)
{
	for (size_t i = 0; i < srv->n_tokens; i++)
		if (!strcmp(srv->tokens[i], token))
			return true;
	return false;
}

static void send_ready(struct conn *c, bool resumed)
{
	cJSON *f = cJSON_CreateObject(), *user;
	char sid[32];

	format_id(sid, 's', c->session);
	cJSON_AddStringToObject(f, "type", "ready");
	cJSON_AddStringToObject(f, "session", sid);
	user = cJSON_AddObjectToObject(f, "user");
	cJSON_AddStringToObject(user, "id", people_self(c->srv->people)->uid);
	cJSON_AddStringToObject(user, "name", people_self(c->srv->people)->name);
	cJSON_AddBoolToObject(f, "resumed", resumed);
	conn_send_json(c, f);
}

static void report_ready(struct conn *c, bool resumed, size_t replayed)
{
	cJSON *ev = report_ev("ready");
	char sid[32], human[128];

	format_id(sid, 's', c->session);
	cJSON_AddStringToObject(ev, "session", sid);
	cJSON_AddBoolToObject(ev, "resumed", resumed);
	cJSON_AddNumberToObject(ev, "replayed", (double)replayed);
	if (resumed)
		snprintf(human, sizeof(human), "* session %s ready (resumed, %zu message%s replayed)",
			 sid, replayed, replayed == 1 ? "" : "s");
	else
		snprintf(human, sizeof(human), "* session %s ready", sid);
	report_event(c->srv->report, ev, human);
}

static void on_identify(struct conn *c, cJSON *msg, const char *data, size_t len)
{
	struct site_server *srv = c->srv;
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(msg, "token");
	const cJSON *resume = cJSON_GetObjectItemCaseSensitive(msg, "resume");
	const cJSON *session = NULL, *last = NULL;
	struct site_session *sess;
	uint64_t snum = 0, after = 0;
	bool ok, has_last = false;
	cJSON *ev;
	size_t from, n;

	if (c->state != CONN_HELLO) {
		reject(c, msg, "bad_request", "identify on an identified connection", data, len);
		return;
	}
	if (!cJSON_IsString(token)) {
		reject(c, msg, "bad_request", "identify: token must be a string", data, len);
		return;
	}
	if (cJSON_IsNull(resume))
		resume = NULL;
	if (resume) {
		if (!cJSON_IsObject(resume)) {
			reject(c, msg, "bad_request", "identify: resume must be an object", data, len);
			return;
		}
		session = cJSON_GetObjectItemCaseSensitive(resume, "session");
		last = cJSON_GetObjectItemCaseSensitive(resume, "last_id");
		if (!cJSON_IsString(session) || parse_id(session->valuestring, 's', &snum)) {
			reject(c, msg, "bad_request", "identify: resume.session must be \"s-N\"", data, len);
			return;
		}
		if (last && !cJSON_IsNull(last)) {
			if (!cJSON_IsString(last) || parse_id(last->valuestring, 'm', &after)) {
				reject(c, msg, "bad_request", "identify: resume.last_id must be \"m-N\"",
				       data, len);
				return;
			}
			has_last = true;
		}
	}

	ok = token_ok(srv, token->valuestring);
	ev = report_ev("identify");
	cJSON_AddBoolToObject(ev, "token_ok", ok);
	cJSON_AddItemToObject(ev, "resume", resume ? cJSON_Duplicate(resume, true) : cJSON_CreateNull());
	report_event(srv->report, ev, ok ? NULL : "! dutybot identified with a wrong token: closing with 4001");
	if (!ok) {
		conn_close(c, 4001, "bad token");
		return;
	}

	if (!resume) {
		sess = session_new(srv);
		if (!sess) {
			conn_close(c, 1011, "out of memory");
			return;
		}
		c->session = sess->num;
		send_ready(c, false);
		conn_set_state(c, CONN_READY, "identified");
		report_ready(c, false, 0);
		return;
	}

	sess = session_find(srv, snum);
	if (!sess) {
		char human[96];

		ev = report_ev("invalid_session");
		cJSON_AddStringToObject(ev, "session", session->valuestring);
		snprintf(human, sizeof(human), "* session %.40s is unknown: invalid_session, closing",
			 session->valuestring);
		report_event(srv->report, ev, human);
		conn_send(c, "{\"type\":\"invalid_session\"}", 26);
		conn_close(c, 4002, "invalid session");
		return;
	}
	c->session = snum;
	if (!has_last)
		after = sess->start_id;
	send_ready(c, true);
	from = history_after(srv->history, after);
	n = history_count(srv->history);
	for (size_t i = from; i < n; i++) {
		const struct history_entry *e = history_at(srv->history, i);

		conn_send(c, e->frame, e->len);
	}
	conn_set_state(c, CONN_READY, "resumed");
	report_ready(c, true, n - from);
}

static void on_heartbeat(struct conn *c, cJSON *msg, const char *data, size_t len)
{
	const cJSON *last = cJSON_GetObjectItemCaseSensitive(msg, "last_id");
	cJSON *ev;

	if (last && !cJSON_IsNull(last) && !cJSON_IsString(last)) {
		reject(c, msg, "bad_request", "heartbeat: last_id must be a string", data, len);
		return;
	}
	ev = report_ev("heartbeat");
	if (cJSON_IsString(last))
		cJSON_AddStringToObject(ev, "last_id", last->valuestring);
	else
		cJSON_AddNullToObject(ev, "last_id");
	cJSON_AddBoolToObject(ev, "acked", c->srv->acks);
	report_event(c->srv->report, ev, NULL);
	if (c->srv->acks)
		conn_send(c, "{\"type\":\"heartbeat_ack\"}", 24);
}

/* --- actions ---------------------------------------------------------------------- */

struct action {
	const char *ref;
	const char *room;               /* send, system */
	const struct person *to;        /* dm */
	const char *text;
	char why[128];
};

static const char *check_text(const cJSON *msg, struct action *a)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(msg, "text");
	long n;

	if (!cJSON_IsString(t)) {
		snprintf(a->why, sizeof(a->why), "text must be a string");
		return "bad_request";
	}
	if (!t->valuestring[0]) {
		snprintf(a->why, sizeof(a->why), "text is empty");
		return "bad_request";
	}
	n = utf8_count(t->valuestring, strlen(t->valuestring));
	if (n < 0) {
		snprintf(a->why, sizeof(a->why), "text is not valid UTF-8");
		return "bad_request";
	}
	if (n > SITE_TEXT_MAX) {
		snprintf(a->why, sizeof(a->why), "text has %ld characters, more than %d", n,
			 SITE_TEXT_MAX);
		return "too_long";
	}
	a->text = t->valuestring;
	return NULL;
}

static const char *check_room(const cJSON *msg, struct action *a, bool every_room_ok)
{
	const cJSON *room = cJSON_GetObjectItemCaseSensitive(msg, "room");

	if (!cJSON_IsString(room) || !room->valuestring[0]) {
		snprintf(a->why, sizeof(a->why), "room must be a non-empty string");
		return "bad_request";
	}
	if (!every_room_ok && !strcmp(room->valuestring, "*")) {
		snprintf(a->why, sizeof(a->why), "\"*\" (every room) is for system messages only");
		return "no_such_room";
	}
	a->room = room->valuestring;
	return check_text(msg, a);
}

static const char *check_send(struct site_server *srv, const cJSON *msg, struct action *a)
{
	return check_room(msg, a, false);
}

static const char *check_system(struct site_server *srv, const cJSON *msg, struct action *a)
{
	return check_room(msg, a, true);
}

static const char *check_dm(struct site_server *srv, const cJSON *msg, struct action *a)
{
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(msg, "user");
	const char *code = check_text(msg, a);

	if (!cJSON_IsString(user) || !user->valuestring[0]) {
		snprintf(a->why, sizeof(a->why), "user must be a non-empty string");
		return "bad_request";
	}
	if (code)
		return code;
	a->to = people_by_uid(srv->people, user->valuestring);
	if (!a->to) {
		snprintf(a->why, sizeof(a->why), "no user %.60s", user->valuestring);
		return "no_such_user";
	}
	return NULL;
}

static void done_send(struct site_server *srv, const struct action *a, const char *id)
{
	cJSON *ev = report_ev("send");

	cJSON_AddStringToObject(ev, "ref", a->ref);
	cJSON_AddStringToObject(ev, "id", id);
	cJSON_AddStringToObject(ev, "room", a->room);
	cJSON_AddStringToObject(ev, "text", a->text);
	report_chat(srv->report, ev, a->room, people_self(srv->people)->name, a->text);
}

static void done_dm(struct site_server *srv, const struct action *a, const char *id)
{
	cJSON *ev = report_ev("dm");
	char where[128];

	cJSON_AddStringToObject(ev, "ref", a->ref);
	cJSON_AddStringToObject(ev, "id", id);
	cJSON_AddStringToObject(ev, "to", a->to->key);
	cJSON_AddStringToObject(ev, "uid", a->to->uid);
	cJSON_AddStringToObject(ev, "text", a->text);
	snprintf(where, sizeof(where), "dm → %s", a->to->name);
	report_chat(srv->report, ev, where, people_self(srv->people)->name, a->text);
}

static void done_system(struct site_server *srv, const struct action *a, const char *id)
{
	cJSON *ev = report_ev("system");
	char where[128];

	cJSON_AddStringToObject(ev, "ref", a->ref);
	cJSON_AddStringToObject(ev, "id", id);
	cJSON_AddStringToObject(ev, "room", a->room);
	cJSON_AddStringToObject(ev, "text", a->text);
	if (!strcmp(a->room, "*"))
		snprintf(where, sizeof(where), "system, every room");
	else
		snprintf(where, sizeof(where), "system %.100s", a->room);
	report_chat(srv->report, ev, where, NULL, a->text);
}

static const struct site_action {
	const char *type;
	const char *(*check)(struct site_server *srv, const cJSON *msg, struct action *a);
	void (*done)(struct site_server *srv, const struct action *a, const char *id);
} site_actions[] = {
	{ "dm", check_dm, done_dm },
	{ "send", check_send, done_send },
	{ "system", check_system, done_system },
};

/* 0 if an action may go now, else the ms until the one-second window frees. */
static uint64_t window_wait(struct conn *c, uint64_t now)
{
	size_t max = (size_t)c->srv->max_rate;

	while (c->win_n && now - c->window[c->win_head] >= 1000) {
		c->win_head = (c->win_head + 1) % max;
		c->win_n--;
	}
	if (c->win_n < max)
		return 0;
	return c->window[c->win_head] + 1000 - now;
}

static void window_push(struct conn *c, uint64_t now)
{
	size_t max = (size_t)c->srv->max_rate;

	c->window[(c->win_head + c->win_n) % max] = now;
	c->win_n++;
}

static void rate_limited(struct conn *c, const cJSON *ref, uint64_t retry_ms)
{
	cJSON *f = cJSON_CreateObject(), *ev = report_ev("rate_limited");
	char human[128];

	if (retry_ms < 1)
		retry_ms = 1;
	cJSON_AddStringToObject(f, "type", "error");
	cJSON_AddStringToObject(f, "ref", ref->valuestring);
	cJSON_AddStringToObject(f, "code", "rate_limited");
	cJSON_AddNumberToObject(f, "retry_ms", (double)retry_ms);
	conn_send_json(c, f);
	cJSON_AddStringToObject(ev, "ref", ref->valuestring);
	cJSON_AddNumberToObject(ev, "retry_ms", (double)retry_ms);
	snprintf(human, sizeof(human), "* dutybot's %.40s was rate limited (retry in %llu ms)",
		 ref->valuestring, (unsigned long long)retry_ms);
	report_event(c->srv->report, ev, human);
}

static void on_action(struct conn *c, cJSON *msg, const char *data, size_t len)
{
	struct site_server *srv = c->srv;
	const char *type = cJSON_GetObjectItemCaseSensitive(msg, "type")->valuestring;
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(msg, "ref");
	const struct site_action *act = NULL;
	struct action a = { 0 };
	const char *code;
	uint64_t now, wait;
	cJSON *ack;
	char id[32];

	for (size_t i = 0; i < sizeof(site_actions) / sizeof(site_actions[0]); i++)
		if (!strcmp(site_actions[i].type, type))
			act = &site_actions[i];
	if (!act)
		return;         /* not reached: site_frames sends only actions here */
	if (!cJSON_IsString(ref) || !ref->valuestring[0]) {
		reject(c, msg, "bad_request", "ref must be a non-empty string", data, len);
		return;
	}
	if ((srv->lose_next > 0 && (!srv->lose_type[0] || !strcmp(srv->lose_type, type))) ||
	    srv->garble_next > 0) {
		bool lose = srv->lose_next > 0 && (!srv->lose_type[0] || !strcmp(srv->lose_type, type));
		cJSON *ev = report_ev(lose ? "action_lost" : "action_garbled");
		char human[160];

		if (lose)
			srv->lose_next--;
		else
			srv->garble_next--;
		cJSON_AddStringToObject(ev, "ref", ref->valuestring);
		cJSON_AddStringToObject(ev, "type", type);
		snprintf(human, sizeof(human), lose ? "* dutybot's %.40s was lost (no answer, not shown)"
			 : "* dutybot's %.40s was garbled (bad_request without a ref, not shown)",
			 ref->valuestring);
		report_event(srv->report, ev, human);
		if (!lose)
			send_error(c, NULL, "bad_request", "frame could not be read");
		return;
	}
	if (srv->forced_limits > 0) {
		srv->forced_limits--;
		rate_limited(c, ref, (uint64_t)srv->forced_retry_ms);
		return;
	}
	now = mono_ms();
	wait = window_wait(c, now);
	if (wait) {
		rate_limited(c, ref, wait);
		return;
	}
	window_push(c, now);

	a.ref = ref->valuestring;
	code = act->check(srv, msg, &a);
	if (code) {
		reject(c, msg, code, a.why, data, len);
		return;
	}
	format_id(id, 'm', ++srv->last_id);
	ack = cJSON_CreateObject();
	cJSON_AddStringToObject(ack, "type", "ack");
	cJSON_AddStringToObject(ack, "ref", a.ref);
	cJSON_AddStringToObject(ack, "id", id);
	conn_send_json(c, ack);
	act->done(srv, &a, id);
}

/* --- dispatch ---------------------------------------------------------------------- */

static const struct site_frame {
	const char *type;
	void (*on)(struct conn *c, cJSON *msg, const char *data, size_t len);
} site_frames[] = {
	{ "dm", on_action },
	{ "heartbeat", on_heartbeat },
	{ "identify", on_identify },
	{ "send", on_action },
	{ "system", on_action },
};

void site_on_frame(struct conn *c, const char *data, size_t len, bool binary)
{
	const struct site_frame *f = NULL;
	const cJSON *type;
	cJSON *msg;
	char why[96];

	if (binary) {
		reject(c, NULL, "bad_request", "binary frame (the protocol is JSON text)", data, len);
		return;
	}
	if (utf8_count(data, len) < 0) {
		reject(c, NULL, "bad_request", "frame is not valid UTF-8", data, len);
		return;
	}
	/* DATA is NUL-terminated; an embedded NUL is not JSON either. */
	msg = memchr(data, '\0', len) ? NULL : cJSON_ParseWithLengthOpts(data, len + 1, NULL, true);
	if (!msg) {
		reject(c, NULL, "bad_request", "frame is not JSON", data, len);
		return;
	}
	if (!cJSON_IsObject(msg)) {
		reject(c, NULL, "bad_request", "frame is not a JSON object", data, len);
		goto out;
	}
	type = cJSON_GetObjectItemCaseSensitive(msg, "type");
	if (!cJSON_IsString(type)) {
		reject(c, msg, "bad_request", "frame has no string \"type\"", data, len);
		goto out;
	}
	for (size_t i = 0; i < sizeof(site_frames) / sizeof(site_frames[0]); i++)
		if (!strcmp(site_frames[i].type, type->valuestring))
			f = &site_frames[i];
	if (!f) {
		snprintf(why, sizeof(why), "unknown type \"%.40s\"", type->valuestring);
		reject(c, msg, "bad_request", why, data, len);
		goto out;
	}
	if (c->state == CONN_HELLO && f->on != on_identify) {
		snprintf(why, sizeof(why), "%s before identify", f->type);
		reject(c, msg, "bad_request", why, data, len);
		goto out;
	}
	f->on(c, msg, data, len);
out:
	cJSON_Delete(msg);
}

/* --- messages from the prompt ---------------------------------------------------- */

void site_post(struct site_server *srv, const struct person *who, const char *room,
	       const char *text)
{
	cJSON *m = cJSON_CreateObject(), *user, *ev;
	char id[32], *frame, *copy;
	size_t len;
	struct conn *c;

	format_id(id, 'm', ++srv->last_id);
	cJSON_AddStringToObject(m, "type", "message");
	cJSON_AddStringToObject(m, "id", id);
	if (room)
		cJSON_AddStringToObject(m, "room", room);
	user = cJSON_AddObjectToObject(m, "user");
	cJSON_AddStringToObject(user, "id", who->uid);
	cJSON_AddStringToObject(user, "name", who->name);
	cJSON_AddBoolToObject(user, "bot", who->bot);
	cJSON_AddStringToObject(m, "text", text);
	cJSON_AddNumberToObject(m, "ts", (double)site_now_ms());
	cJSON_AddBoolToObject(m, "dm", !room);
	frame = cJSON_PrintUnformatted(m);     /* cJSON's default hooks: malloc/free */
	cJSON_Delete(m);
	if (!frame)
		return;
	len = strlen(frame);
	copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, frame, len + 1);
		free(srv->last_frame);
		srv->last_frame = copy;
		srv->last_frame_len = len;
		srv->last_frame_id = srv->last_id;
	}
	for (c = srv->conns; c; c = c->next)
		if (c->state == CONN_READY)
			conn_send(c, frame, len);
	history_add(srv->history, srv->last_id, frame, len);

	ev = report_ev("message");
	cJSON_AddStringToObject(ev, "id", id);
	cJSON_AddStringToObject(ev, "user", who->key);
	cJSON_AddStringToObject(ev, "uid", who->uid);
	if (room)
		cJSON_AddStringToObject(ev, "room", room);
	else
		cJSON_AddNullToObject(ev, "room");
	cJSON_AddBoolToObject(ev, "dm", !room);
	cJSON_AddBoolToObject(ev, "bot", who->bot);
	cJSON_AddStringToObject(ev, "text", text);
	if (srv->report->echo || who->bot) {
		char where[128], name[96];

		snprintf(where, sizeof(where), "%.100s", room ? room : "dm → dutybot");
		snprintf(name, sizeof(name), "%.80s%s", who->name, who->bot ? " (bot)" : "");
		report_chat(srv->report, ev, where, name, text);
	} else {
		report_event(srv->report, ev, NULL);
	}
}
