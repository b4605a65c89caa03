/*
 * mattermost: the Mattermost adapter, its WebSocket in (shared/NOTES-platforms.md
 * section 3); posts out are mattermost_out.c, the REST catch-up after a gap
 * mattermost_sync.c, and mattermost_private.h is what the three share.
 *
 *   IDLE --GET /users/me--> AUTH --socket--> CONNECTING
 *   --authentication_challenge (seq 1), OK, hello--> READY
 *   drop --> BACKOFF --timer--> CONNECTING with ?connection_id&sequence_number
 *   a refused token --> FATAL (not retried until the config changes)
 *
 * Nothing said while away is lost: the reconnect offers the connection_id
 * of the last hello and the next event seq, as Mattermost's own web client
 * does, and the server replays what the socket missed.  When it cannot (a
 * hello with a new connection_id), or when an event seq skips one, every
 * channel's posts since the watermark are fetched over REST
 * (mattermost_sync.c).  Either way a post seen twice carries the same id,
 * which the dispatcher's dedupe drops.  Mattermost answers our "ping"
 * action; one unanswered until the next (30 s) means the socket is dead.
 */
#include "bot/platform/mattermost_private.h"

#include "bot/lib/json_out.h"
#include "bot/lib/log.h"
#include "bot/lib/strmap.h"
#include "bot/platform/clicks.h"
#include "bot/platform/wsc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MM_MAX_FRAME (1024 * 1024)
#define MM_HANDSHAKE_MS 20000
#define MM_PING_MS 30000
#define MM_IN_FLIGHT 8
#define MM_CHANNELS_MAX 4096
#define MM_CLICK_TTL_MS (30 * 60 * 1000)
#define MM_CLICKS_MAX 1024

static const struct conn_state mattermost_states[] = {
	[M_IDLE] = { "IDLE", CONN_DOWN, "idle", false },
	[M_AUTH] = { "AUTH", CONN_CONNECTING, "checking the bot token", false },
	[M_CONNECTING] = { "CONNECTING", CONN_CONNECTING, "connecting", false },
	[M_READY] = { "READY", CONN_UP, "ready", false },
	[M_BACKOFF] = { "BACKOFF", CONN_DOWN, "reconnecting", false },
	[M_FATAL] = { "FATAL", CONN_FATAL, "failed", false },
	[M_STOPPING] = { "STOPPING", CONN_DOWN, "stopping", true },
	[M_STOPPED] = { "STOPPED", CONN_STOPPED, "stopped", false },
};

enum why { WHY_NONE, WHY_ZOMBIE, WHY_GAP, WHY_TIMEOUT, WHY_STOP, WHY_REFUSED };

static void start_auth(struct mattermost *m);
static void open_socket(struct mattermost *m);

static void set_state(struct mattermost *m, enum mstate st, const char *reason)
{
	conn_set_state(&m->conn, (int)st, reason);
}

static void bad_frame(struct mattermost *m, const char *why)
{
	m->conn.bad_frames++;
	log_warnx("%s: ignoring a malformed frame: %s", m->conn.name, why);
}

static void save_resume(struct mattermost *m)
{
	char last[24], session[sizeof(m->secret) + MM_ID_MAX + 2];

	if (m->freeze || m->watermark <= 0 || !m->connection_id[0])
		return;
	snprintf(last, sizeof(last), "%" PRId64, m->watermark);
	snprintf(session, sizeof(session), "%s %s", m->secret, m->connection_id);
	m->conn.hooks->save_resume(&m->conn, session, last);
}

/* The buttons' secret: the one saved with the resume point (buttons posted
 * before a restart still work), else a new one. */
static void take_secret(struct mattermost *m, const char *session)
{
	const char *sp = session ? strchr(session, ' ') : NULL;
	unsigned char raw[16];

	if (sp != NULL && sp - session == 32 && strspn(session, "0123456789abcdef") == 32) {
		snprintf(m->secret, sizeof(m->secret), "%.32s", session);
		snprintf(m->connection_id, sizeof(m->connection_id), "%s", sp + 1);
		return;
	}
	if (lws_get_random(m->conn.lws, raw, sizeof(raw)) != sizeof(raw)) {
		log_warnx("%s: no random bytes for the buttons' secret: buttons are off", m->conn.name);
		free(m->actions_url);
		m->actions_url = NULL;
		return;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(m->secret + 2 * i, 3, "%02x", raw[i]);
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- posts in ---- */

bool mattermost_hand_post(struct mattermost *m, const cJSON *post, const char *channel_type)
{
	const char *id = str_field(post, "id"), *uid = str_field(post, "user_id");
	const char *ch = str_field(post, "channel_id"), *text = str_field(post, "message");
	const char *type = str_field(post, "type"), *known;
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(post, "props");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(post, "create_at");
	const char *from_bot = str_field(props, "from_bot");
	int64_t create_at = cJSON_IsNumber(at) ? (int64_t)at->valuedouble : 0;
	bool dm, taken;

	if (id == NULL || uid == NULL || ch == NULL || text == NULL || strlen(ch) >= MM_ID_MAX) {
		bad_frame(m, "post without id, user_id, channel_id or message");
		return true;
	}
	if (channel_type != NULL)
		strmap_put(m->rooms, ch, channel_type);
	known = strmap_get(m->rooms, ch);
	dm = known != NULL && strcmp(known, "D") == 0;
	/* joins and the like carry a type; other bots' posts (and ours) a from_bot */
	if ((type != NULL && type[0] != '\0') || strcmp(uid, m->conn.self_id) == 0 ||
	    (from_bot != NULL && strcmp(from_bot, "true") == 0) ||
	    cJSON_GetObjectItemCaseSensitive(props, "from_webhook") != NULL)
		taken = true;
	else
		taken = m->conn.state != M_STOPPING &&
		    conn_take(&m->conn, id, dm, ch, uid, str_field(post, "user_name"), text, NULL);
	if (!taken) {
		m->freeze = true;       /* replayed to whoever runs next */
		return false;
	}
	if (create_at > m->watermark) {
		m->watermark = create_at;
		save_resume(m);
	}
	return true;
}

static void on_posted(struct mattermost *m, const cJSON *data)
{
	const char *raw = str_field(data, "post"), *ctype = str_field(data, "channel_type");
	cJSON *post = raw ? cJSON_Parse(raw) : NULL;

	const char *sender = str_field(data, "sender_name");

	if (post == NULL) {
		bad_frame(m, "posted event without a post");
		return;
	}
	/* "@mia": what the reply calls a chat friend (never who they are) */
	if (sender != NULL && sender[0] == '@' && sender[1] != '\0' && !cJSON_HasObjectItem(post, "user_name"))
		cJSON_AddStringToObject(post, "user_name", sender + 1);
	mattermost_take_post(m, post, ctype);
	cJSON_Delete(post);
}

/* ---- the socket ---- */

static void close_socket(struct mattermost *m, int code, const char *reason, int why)
{
	if (m->w != NULL)
		wsc_close(m->w, code, reason, why);
}

static int on_writeable(struct wsc *w, void *arg)
{
	struct mattermost *m = arg;
	char frame[700];
	struct json_out jo;

	if (m->want_auth) {
		m->want_auth = false;
		json_out_init(&jo, frame, sizeof(frame));
		json_out_raw(&jo, "{\"seq\":1,\"action\":\"authentication_challenge\",\"data\":{\"token\":");
		json_out_str(&jo, m->token);
		json_out_raw(&jo, "}}");
		if (jo.failed || wsc_send(w, frame, jo.len) < 0)
			return -1;
	}
	if (m->want_ping && m->authed) {
		m->want_ping = false;
		m->awaiting_ping = true;
		m->ping_seq = ++m->next_seq;
		snprintf(frame, sizeof(frame), "{\"seq\":%" PRId64 ",\"action\":\"ping\"}", m->ping_seq);
		if (wsc_send(w, frame, strlen(frame)) < 0)
			return -1;
	}
	return 0;
}

static void on_open(struct wsc *w, void *arg)
{
	struct mattermost *m = arg;

	m->want_auth = true;
	m->next_seq = 1;
	wsc_want_write(w);
}

static void on_hello(struct mattermost *m, const cJSON *f)
{
	const char *cid = str_field(cJSON_GetObjectItemCaseSensitive(f, "data"), "connection_id");
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(f, "seq");
	bool resumed = m->resume_next && cid != NULL && strcmp(cid, m->connection_id) == 0;
	bool catch_up = !resumed && m->watermark > 0;

	if (cid == NULL || strlen(cid) >= sizeof(m->connection_id)) {
		bad_frame(m, "hello without a connection_id");
		return;
	}
	m->hello = true;
	if (!resumed) {
		if (m->connection_id[0])
			log_info("%s: the server could not resume connection %s: fetching what was missed", m->conn.name,
			    m->connection_id);
		snprintf(m->connection_id, sizeof(m->connection_id), "%s", cid);
		m->server_seq = cJSON_IsNumber(seq) ? (int64_t)seq->valuedouble + 1 : 1;
		/* a first start has nothing to catch up: from now on */
		if (m->watermark <= 0)
			m->watermark = wall_ms();
	}
	m->resume_next = false;
	conn_handshake_stop(&m->conn);
	conn_stable_start(&m->conn);
	set_state(m, M_READY, resumed ? "hello (resumed)" : "hello");
	save_resume(m);
	if (catch_up)
		mattermost_sync_start(m);
	mattermost_out_kick(m);
}

/* False when the event skips one: the socket is closed and a fresh one catches up. */
static bool check_seq(struct mattermost *m, const cJSON *f)
{
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(f, "seq");
	int64_t s;

	if (!cJSON_IsNumber(seq) || m->server_seq < 0)
		return true;
	s = (int64_t)seq->valuedouble;
	if (s > m->server_seq) {
		log_warnx("%s: event %" PRId64 " came after %" PRId64 ": events were lost; reconnecting afresh",
		    m->conn.name, s, m->server_seq - 1);
		m->server_seq = -1;
		close_socket(m, 1000, "events lost", WHY_GAP);
		return false;
	}
	if (s < m->server_seq)
		return false;   /* replayed twice: already handled */
	m->server_seq = s + 1;
	return true;
}

static void on_reply(struct mattermost *m, const cJSON *f, int64_t seq_reply)
{
	const char *status = str_field(f, "status");

	if (seq_reply == 1 && !m->authed) {
		if (status != NULL && strcmp(status, "OK") == 0) {
			m->authed = true;
			return;
		}
		log_warnx("%s: the server refused the authentication challenge", m->conn.name);
		close_socket(m, 1000, "refused", WHY_REFUSED);
		return;
	}
	if (seq_reply == m->ping_seq)
		m->awaiting_ping = false;
}

static void on_frame(struct wsc *w, void *arg, const char *buf, size_t len)
{
	struct mattermost *m = arg;
	cJSON *f = cJSON_ParseWithLength(buf, len);
	const cJSON *reply = cJSON_GetObjectItemCaseSensitive(f, "seq_reply");
	const char *event = str_field(f, "event");

	(void)w;
	m->awaiting_ping = false;       /* anything from the server shows it is alive */
	if (f == NULL) {
		bad_frame(m, "not JSON");
		return;
	}
	if (cJSON_IsNumber(reply))
		on_reply(m, f, (int64_t)reply->valuedouble);
	else if (event == NULL)
		bad_frame(m, "neither a reply nor an event");
	else if (strcmp(event, "hello") == 0)
		on_hello(m, f);
	else if (m->hello && check_seq(m, f) && strcmp(event, "posted") == 0)
		on_posted(m, cJSON_GetObjectItemCaseSensitive(f, "data"));
	cJSON_Delete(f);
}

static void on_closed(struct wsc *w, void *arg, const struct wsc_end *end)
{
	struct mattermost *m = arg;
	char reason[256];

	(void)w;
	m->w = NULL;
	conn_handshake_stop(&m->conn);
	conn_stable_stop(&m->conn);
	/* resume the same connection unless events were lost on it (also after
	 * an attempt that failed before its hello: the server may still have it) */
	m->resume_next = end->why != WHY_GAP && m->server_seq >= 0 && m->connection_id[0];
	m->hello = m->authed = false;
	if (m->conn.state == M_STOPPING || end->why == WHY_STOP) {
		set_state(m, M_STOPPED, "stopped");
		m->conn.hooks->on_stopped(&m->conn);
		return;
	}
	if (m->conn.state == M_FATAL)
		return;
	snprintf(reason, sizeof(reason), "%s%s", end->what,
	    end->why == WHY_ZOMBIE ? " (no answer to ping)" : end->why == WHY_TIMEOUT ? " (no hello)" :
	    end->why == WHY_GAP ? " (events lost)" : end->why == WHY_REFUSED ? " (token refused)" : "");
	if (end->peer_code) {
		size_t n = strlen(reason);
		snprintf(reason + n, sizeof(reason) - n, ", close code %d %s", end->peer_code, end->peer_reason);
	}
	set_state(m, M_BACKOFF, reason);
	m->conn.reconnects++;
	conn_schedule_reconnect(&m->conn, end->why == WHY_GAP ? 0 : -1, m->resume_next);
}

static void on_pong(struct wsc *w, void *arg)
{
	(void)w;
	((struct mattermost *)arg)->awaiting_ping = false;
}

static const struct wsc_ops socket_ops = {
	.on_open = on_open,
	.on_frame = on_frame,
	.on_writeable = on_writeable,
	.on_closed = on_closed,
	.on_pong = on_pong,
};

static void open_socket(struct mattermost *m)
{
	char url[1024];

	if (m->resume_next)
		snprintf(url, sizeof(url), "%s?connection_id=%s&sequence_number=%" PRId64, m->ws_url, m->connection_id,
		    m->server_seq);
	else
		snprintf(url, sizeof(url), "%s", m->ws_url);
	m->authed = m->hello = false;
	m->awaiting_ping = m->want_ping = false;
	if (!m->resume_next)
		m->server_seq = -1;
	set_state(m, M_CONNECTING, m->resume_next ? "connecting (resume)" : "connecting");
	m->w = wsc_open(m->conn.lws, url, NULL, m->tls_verify, MM_MAX_FRAME, &socket_ops, m, m->conn.name);
	if (m->w == NULL) {
		set_state(m, M_BACKOFF, "connect failed at once");
		conn_schedule_reconnect(&m->conn, -1, false);
		return;
	}
	conn_handshake_start(&m->conn, MM_HANDSHAKE_MS);
}

static void mattermost_handshake_timeout(struct conn *c)
{
	close_socket(mattermost_of(c), 4000, "no hello", WHY_TIMEOUT);
}

/* ---- who the bot is ---- */

static void on_me(void *arg, const struct rest_response *res)
{
	struct mattermost *m = arg;
	cJSON *json = res->status == 200 ? cJSON_Parse(res->body) : NULL;
	const char *id = str_field(json, "id");

	if (m->conn.state != M_AUTH) {
		cJSON_Delete(json);
		return;
	}
	if (id == NULL || strlen(id) >= sizeof(m->conn.self_id)) {
		char why[160];
		snprintf(why, sizeof(why), "GET /users/me: %s",
		    res->status == 401 ? "the token was refused" : res->error ? res->error : "no user id");
		if (res->status == 401 || res->status == 403) {
			set_state(m, M_FATAL, why);
			m->conn.status_text = "failed: bad token";
		} else {
			set_state(m, M_BACKOFF, why);
			conn_schedule_reconnect(&m->conn, -1, false);
		}
		cJSON_Delete(json);
		return;
	}
	snprintf(m->conn.self_id, sizeof(m->conn.self_id), "%s", id);
	log_info("%s: the bot is %s (%s)", m->conn.name, id, str_field(json, "username") ? str_field(json, "username") : "?");
	cJSON_Delete(json);
	open_socket(m);
}

static void start_auth(struct mattermost *m)
{
	set_state(m, M_AUTH, "checking the bot token");
	if (rest_request(m->rest, "GET", "/users/me", "users/me", NULL, NULL, NULL, on_me, m) < 0) {
		set_state(m, M_BACKOFF, "out of memory");
		conn_schedule_reconnect(&m->conn, -1, false);
	}
}

static void on_resume_loaded(struct conn *c, const char *session, const char *last_id)
{
	struct mattermost *m = mattermost_of(c);

	m->resume_loaded = true;
	take_secret(m, session);
	if (session != NULL && last_id != NULL) {
		m->watermark = strtoll(last_id, NULL, 10);
		log_info("%s: will catch up on posts since %s", c->name, last_id);
	}
	if (m->conn.state == M_IDLE)
		start_auth(m);
}

/* ---- timers and conn ops ---- */

static void on_ping_timer(uv_timer_t *t)
{
	struct mattermost *m = t->data;

	if (m->w == NULL || !m->hello)
		return;
	if (m->awaiting_ping) {
		log_warnx("%s: no answer to a ping within %d s: the socket is dead", m->conn.name, MM_PING_MS / 1000);
		close_socket(m, 4000, "no answer to ping", WHY_ZOMBIE);
		return;
	}
	m->want_ping = true;
	wsc_want_write(m->w);
}

static void mattermost_reconnect(struct conn *c)
{
	struct mattermost *m = mattermost_of(c);

	if (m->conn.state != M_BACKOFF)
		return;
	if (m->conn.self_id[0])
		open_socket(m);
	else
		start_auth(m);
}

static void mattermost_kick(struct conn *c)
{
	mattermost_out_kick(c);
}

static int mattermost_start(struct conn *c)
{
	struct mattermost *m = mattermost_of(c);
	char auth[600];

	if (m->http_url == NULL) {
		set_state(m, M_FATAL, "no usable url");
		m->conn.status_text = "failed: bad url";
		return -1;
	}
	m->conn.outbox = outbox_new(c->loop, MM_MAX_TEXT, c->max_send_rate, mattermost_out_kick, m);
	m->rest = rest_new(c->loop, c->name, m->http_url, m->tls_verify);
	if (m->conn.outbox == NULL || m->rest == NULL || m->dm_channels == NULL || m->rooms == NULL ||
	    m->clicks == NULL || m->names == NULL || m->token == NULL || m->ws_url == NULL || strlen(m->token) > 400) {
		outbox_free(m->conn.outbox);
		m->conn.outbox = NULL;
		rest_free(m->rest);
		m->rest = NULL;
		set_state(m, M_FATAL, "cannot start");
		m->conn.status_text = "failed: cannot start";
		return -1;
	}
	outbox_set_max_inflight(m->conn.outbox, MM_IN_FLIGHT);
	snprintf(auth, sizeof(auth), "Bearer %s", m->token);
	rest_set_auth(m->rest, auth);
	/* no fixed cap: the server's limiter is off by default, and when it is on
	 * (10 a second, bursts of 100) every answer's X-Ratelimit-* says so */
	conn_skeleton_start(c);
	conn_timer_init(c, &m->ping_timer);
	uv_timer_start(&m->ping_timer, on_ping_timer, MM_PING_MS, MM_PING_MS);
	set_state(m, M_IDLE, "loading the resume point");
	c->hooks->load_resume(c, on_resume_loaded);
	return 0;
}

static size_t rest_in_flight(struct conn *c)
{
	return rest_pending(mattermost_of(c)->rest);
}

static void finish_stop(struct conn *c)
{
	struct mattermost *m = mattermost_of(c);

	if (m->w != NULL) {
		close_socket(m, 1000, "dutybot shutting down", WHY_STOP);
	} else {
		set_state(m, M_STOPPED, "stopped");
		m->conn.hooks->on_stopped(&m->conn);
	}
}

static void mattermost_stop(struct conn *c)
{
	struct mattermost *m = mattermost_of(c);

	conn_timers_stop(c);
	uv_timer_stop(&m->ping_timer);
	set_state(m, M_STOPPING, "shutting down");
	conn_drain_then(c, rest_in_flight, finish_stop);
}

static void mattermost_free(struct conn *c)
{
	struct mattermost *m = mattermost_of(c);

	m->freeing = true;
	if (m->w != NULL)
		wsc_abandon(m->w);
	if (m->rest != NULL)
		rest_free(m->rest);     /* a catch-up's request ends here, and the catch-up with it */
	mattermost_sync_free(m);
	mattermost_names_free(m);
	if (m->conn.outbox != NULL)
		outbox_free(m->conn.outbox);
	strmap_free(m->dm_channels);
	strmap_free(m->rooms);
	clicks_free(m->clicks);
	free(m->actions_url);
	free(m->token);
	free(m->http_url);
	free(m->ws_url);
}

static void mattermost_set_token(struct conn *c, const struct config_connection *cc)
{
	struct mattermost *m = mattermost_of(c);
	char auth[600];

	if (cc->token == NULL || strcmp(cc->token, m->token) == 0 || strlen(cc->token) > 400)
		return;
	free(m->token);
	if ((m->token = strdup(cc->token)) == NULL || m->rest == NULL)
		return;
	snprintf(auth, sizeof(auth), "Bearer %s", m->token);
	rest_set_auth(m->rest, auth);
	if (m->conn.state == M_FATAL) {
		log_info("%s: token changed: trying again", c->name);
		m->conn.attempt = 0;
		m->conn.self_id[0] = '\0';
		start_auth(m);
	}
}

static void mattermost_set_reading(struct conn *c, bool on)
{
	wsc_set_reading(mattermost_of(c)->w, on);
}

static const struct conn_ops mattermost_ops = {
	.start = mattermost_start,
	.stop = mattermost_stop,
	.kick = mattermost_kick,
	.set_token = mattermost_set_token,
	.click_done = mattermost_click_done,
	.http_action = mattermost_http_action,
	.reconnect = mattermost_reconnect,
	.handshake_timeout = mattermost_handshake_timeout,
	.free = mattermost_free,
	.set_reading = mattermost_set_reading,
};

/* "https://host[/prefix][/]" -> the REST base and the socket's URL */
static int derive_urls(struct mattermost *m, const char *url)
{
	bool tls = strncmp(url, "https://", 8) == 0;
	const char *rest = url + (tls ? 8 : 7);
	size_t n = strlen(rest);
	char buf[1024];

	if (!tls && strncmp(url, "http://", 7) != 0)
		return -1;
	while (n > 0 && rest[n - 1] == '/')
		n--;
	if (n == 0 || n > 900)
		return -1;
	snprintf(buf, sizeof(buf), "%s%.*s/api/v4", tls ? "https://" : "http://", (int)n, rest);
	m->http_url = strdup(buf);
	snprintf(buf, sizeof(buf), "%s%.*s/api/v4/websocket", tls ? "wss://" : "ws://", (int)n, rest);
	m->ws_url = strdup(buf);
	return m->http_url && m->ws_url ? 0 : -1;
}

struct conn *mattermost_conn_new(const struct config_connection *cc, const char *command_prefix)
{
	struct mattermost *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->conn.ops = &mattermost_ops;
	m->conn.states = mattermost_states;
	m->token = strdup(cc->token ? cc->token : "");
	if (cc->url == NULL || derive_urls(m, cc->url) < 0) {
		log_warnx("%s: url must be http:// or https:// and a host", cc->name);
		free(m->http_url);
		free(m->ws_url);
		m->http_url = m->ws_url = NULL;
	}
	m->tls_verify = cc->tls_verify;
	m->server_seq = -1;
	snprintf(m->prefix, sizeof(m->prefix), "%s", command_prefix);
	m->dm_channels = strmap_new(4096);
	m->rooms = strmap_new(MM_CHANNELS_MAX);
	m->clicks = clicks_new(MM_CLICK_TTL_MS, MM_CLICKS_MAX, mattermost_click_free);
	mattermost_names_init(m);
	m->actions_url = cc->actions_url ? strdup(cc->actions_url) : NULL;
	return &m->conn;
}
