/*
 * irc: IRC over WebSocket (the IRCv3 websocket transport; InspIRCd 3's
 * m_websocket): one IRC line per text frame, without CR/LF.
 *
 *   IDLE --connect--> CONNECTING --socket open--> REGISTERING (PASS, CAP,
 *   SASL, NICK/USER) --001--> READY (JOIN, WHO)
 *   any --close/error/no PONG--> BACKOFF --timer--> CONNECTING
 *   464 (bad server password) --> FATAL until the config changes
 *
 * Who someone is never rests on a bare nick (irc_out.c, irc_identify()): a
 * services account from the account-tag, else the first staff hostmask of
 * this connection that nick!user@host matches ("mask:<pattern>", so the
 * identity "<conn>:mask:<pattern>" is the configured string), else
 * "nick:<nick>!<user>@<host>", which no staff identity can be (config/
 * refuses IRC identities other than mask: and account:).
 *
 * CTCP requests (VERSION, ACTION, ...) are ignored, never answered: an
 * answer would be a line anyone can make the bot send.  NOTICEs are never
 * answered (the IRC rule that keeps bots from talking to each other).
 */
#include "bot/platform/irc_private.h"
#include "bot/platform/irc_line.h"
#include "bot/lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct conn_state irc_states[] = {
	[I_IDLE] = { "IDLE", CONN_DOWN, "idle", false },
	[I_CONNECTING] = { "CONNECTING", CONN_CONNECTING, "connecting", false },
	[I_REGISTERING] = { "REGISTERING", CONN_CONNECTING, "registering", false },
	[I_READY] = { "READY", CONN_UP, "ready", false },
	[I_BACKOFF] = { "BACKOFF", CONN_DOWN, "reconnecting", false },
	[I_FATAL] = { "FATAL", CONN_FATAL, "failed: server password refused", false },
	[I_STOPPING] = { "STOPPING", CONN_DOWN, "stopping", true },
	[I_STOPPED] = { "STOPPED", CONN_STOPPED, "stopped", false },
};

static void irc_connect(struct irc *s);

static struct irc *irc_of(struct conn *c)
{
	return (struct irc *)c;
}

void irc_set_state(struct irc *s, enum irc_state st, const char *reason)
{
	conn_set_state(&s->conn, (int)st, reason);
}

void irc_want_write(struct irc *s)
{
	if (s->ws != NULL)
		wsc_want_write(s->ws);
}

void irc_ctl(struct irc *s, const char *fmt, ...)
{
	char line[1024];
	struct irc_ctl *c;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || s->ws == NULL)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	for (char *p = line; *p; p++)      /* a line break would end the line early: never sent raw */
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	if ((c = malloc(sizeof(*c) + (size_t)n + 1)) == NULL)
		return;
	memcpy(c->line, line, (size_t)n + 1);
	c->next = NULL;
	if (s->ctl_tail != NULL)
		s->ctl_tail->next = c;
	else
		s->ctl_head = c;
	s->ctl_tail = c;
	irc_want_write(s);
}

static void ctl_clear(struct irc *s)
{
	while (s->ctl_head != NULL) {
		struct irc_ctl *c = s->ctl_head;
		s->ctl_head = c->next;
		free(c);
	}
	s->ctl_tail = NULL;
}

static void close_now(struct irc *s, enum irc_close why, const char *reason)
{
	if (s->ws != NULL)
		wsc_close(s->ws, why == IC_STOP ? 1000 : 1001, reason, (int)why);
}

/* ---- the socket ---- */

static void on_closed(struct wsc *w, void *arg, const struct wsc_end *end)
{
	struct irc *s = arg;
	char reason[160];

	(void)w;
	if (end->error != NULL && (s->conn.reconnects == 0 || s->conn.attempt <= 1))
		log_warnx("%s: cannot connect: %s", s->conn.name, end->error);
	s->ws = NULL;
	ctl_clear(s);
	irc_out_reset(s);
	outbox_requeue_inflight(s->conn.outbox);
	irc_users_clear(s);
	uv_timer_stop(&s->ping_timer);
	uv_timer_stop(&s->rejoin_timer);
	uv_timer_stop(&s->pace_timer);
	conn_handshake_stop(&s->conn);
	conn_stable_stop(&s->conn);
	s->registered = false;
	if (s->conn.state == I_STOPPING || end->why == IC_STOP) {
		irc_set_state(s, I_STOPPED, "stopped");
		s->conn.hooks->on_stopped(&s->conn);
		return;
	}
	if (s->conn.state == I_FATAL)
		return;
	snprintf(reason, sizeof(reason), "%s%s", end->error != NULL ? "connection failed" : "connection closed",
	    end->why == IC_LAG ? " (no PONG in time)" : end->why == IC_TIMEOUT ? " (registration timed out)" : "");
	irc_set_state(s, I_BACKOFF, reason);
	s->conn.reconnects++;
	conn_schedule_reconnect(&s->conn, -1, false);
}

static void on_open(struct wsc *w, void *arg)
{
	struct irc *s = arg;

	(void)w;
	irc_set_state(s, I_REGISTERING, "connected");
	s->quit_sent = false;
	snprintf(s->nick, sizeof(s->nick), "%s", s->want_nick);
	s->nick_tries = 0;
	s->self_user[0] = s->self_host[0] = '\0';
	s->awaiting_pong = s->in_sasl = s->cap_sasl = false;
	s->cap_listing = true;
	s->caps_offered = 0;
	s->account_tag = false;
	s->last_rx = uv_now(s->conn.loop);
	if (s->password != NULL)
		irc_ctl(s, "PASS :%s", s->password);
	irc_ctl(s, "CAP LS 302");
	irc_ctl(s, "NICK %s", s->nick);
	irc_ctl(s, "USER %s 0 * :dutybot", IRC_IDENT);
}

/* ---- registration ---- */

static bool cap_in(const char *list, const char *cap)
{
	size_t n = strlen(cap);

	for (const char *p = list; *p; ) {
		size_t len = strcspn(p, " ");
		if ((len == n || (len > n && p[n] == '=')) && strncmp(p, cap, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

static void on_cap(struct irc *s, const struct irc_msg *m)
{
	const char *sub = m->nparams >= 2 ? m->params[1] : "";
	const char *list = m->nparams >= 1 ? m->params[m->nparams - 1] : "";
	bool more = m->nparams >= 4 && strcmp(m->params[2], "*") == 0;

	if (strcmp(sub, "LS") == 0 && s->cap_listing) {
		static const char *const wanted[] = { "account-tag", "server-time", "message-tags", "sasl" };
		char req[256] = "";
		for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
			if (cap_in(list, wanted[i]))
				s->caps_offered |= 1u << i;
		if (more)
			return;         /* the list goes on over another line */
		for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
			if ((s->caps_offered & (1u << i)) && (strcmp(wanted[i], "sasl") != 0 || s->sasl_user != NULL))
				snprintf(req + strlen(req), sizeof(req) - strlen(req), "%s%s", req[0] ? " " : "", wanted[i]);
		if (s->sasl_user != NULL && !(s->caps_offered & (1u << 3)))
			log_warnx("%s: the server offers no SASL: going on without logging in as %s", s->conn.name,
			    s->sasl_user);
		s->cap_listing = false;
		if (req[0])
			irc_ctl(s, "CAP REQ :%s", req);
		else
			irc_ctl(s, "CAP END");
	} else if (strcmp(sub, "ACK") == 0) {
		log_info("%s: capabilities: %s", s->conn.name, list);
		s->account_tag = cap_in(list, "account-tag");
		if (s->sasl_user != NULL && cap_in(list, "sasl")) {
			s->in_sasl = true;
			irc_ctl(s, "AUTHENTICATE PLAIN");
		} else
			irc_ctl(s, "CAP END");
	} else if (strcmp(sub, "NAK") == 0) {
		log_warnx("%s: the server refused capabilities %s", s->conn.name, list);
		irc_ctl(s, "CAP END");
	}
}

static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		    (i + 2 < n ? in[i + 2] : 0);
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	out[o] = '\0';
}

/* AUTHENTICATE +: authzid \0 authcid \0 password, base64, in chunks of 400. */
static void sasl_plain(struct irc *s)
{
	unsigned char raw[400];
	char enc[540];
	size_t u = strlen(s->sasl_user), p = strlen(s->sasl_password ? s->sasl_password : ""), n = 2 * u + p + 2, len;

	if (n > 290) {
		log_warnx("%s: SASL user and password too long", s->conn.name);
		irc_ctl(s, "AUTHENTICATE *");
		return;
	}
	memcpy(raw, s->sasl_user, u);
	raw[u] = '\0';
	memcpy(raw + u + 1, s->sasl_user, u);
	raw[2 * u + 1] = '\0';
	memcpy(raw + 2 * u + 2, s->sasl_password ? s->sasl_password : "", p);
	base64(raw, n, enc);
	len = strlen(enc);
	irc_ctl(s, "AUTHENTICATE %s", enc);         /* under 400: one chunk */
	if (len == 400)
		irc_ctl(s, "AUTHENTICATE +");
	memset(raw, 0, sizeof(raw));
	memset(enc, 0, sizeof(enc));
}

static void join_all(struct irc *s)
{
	for (size_t i = 0; i < s->n_join; i++)
		irc_ctl(s, "JOIN %s", s->join[i]);
}

static void on_rejoin_timer(uv_timer_t *t)
{
	struct irc *s = t->data;

	if (s->conn.state == I_READY)
		join_all(s);            /* a channel already joined: the server ignores it */
}

static void on_welcome(struct irc *s, const struct irc_msg *m)
{
	if (m->nparams >= 1)
		snprintf(s->nick, sizeof(s->nick), "%s", m->params[0]);
	snprintf(s->conn.self_id, sizeof(s->conn.self_id), "%s", s->nick);
	s->registered = true;
	conn_handshake_stop(&s->conn);
	conn_stable_start(&s->conn);
	irc_set_state(s, I_READY, strcmp(s->nick, s->want_nick) == 0 ? "registered" : "registered (nick in use)");
	if (strcmp(s->nick, s->want_nick) != 0)
		log_warnx("%s: nick %s is taken: using %s", s->conn.name, s->want_nick, s->nick);
	s->tokens = IRC_BURST;
	s->refilled_at = uv_now(s->conn.loop);
	join_all(s);
}

static void on_nick_in_use(struct irc *s)
{
	if (s->registered)
		return;         /* a NICK of ours later: we keep the one we have */
	if (++s->nick_tries <= 4)
		snprintf(s->nick, sizeof(s->nick), "%.40s%.*s", s->want_nick, s->nick_tries, "____");
	else
		snprintf(s->nick, sizeof(s->nick), "%.20s%d", s->want_nick, (int)(uv_now(s->conn.loop) % 10000));
	irc_ctl(s, "NICK %s", s->nick);
}

/* ---- what people say ---- */

static void on_privmsg(struct irc *s, struct irc_msg *m)
{
	char account[64] = "", msgid[128], ctcp[32];
	char *text = m->nparams >= 2 ? m->params[1] : NULL;
	const char *target = m->nparams >= 1 ? m->params[0] : "";
	const char *id;
	struct chat_event ev;
	size_t len;

	if (text == NULL || m->nick == NULL || m->user == NULL || m->host == NULL) {
		s->conn.bad_frames++;
		return;
	}
	if (!irc_line_tag(m, "account", account, sizeof(account)) || strcmp(account, "*") == 0)
		account[0] = '\0';
	/* with account-tag, a line without the tag is from someone logged out */
	id = irc_identify(s, m->nick, m->user, m->host, s->account_tag || account[0] ? account : NULL);
	if (strcasecmp(m->nick, s->nick) == 0)
		return;                 /* our own line (echo-message) */
	if (irc_line_ctcp(text, ctcp, sizeof(ctcp))) {
		log_debug("%s: ignoring CTCP %s from %s", s->conn.name, ctcp, m->nick);
		return;
	}
	len = irc_line_strip(text);
	memset(&ev, 0, sizeof(ev));
	ev.msg_id = irc_line_tag(m, "msgid", msgid, sizeof(msgid)) ? msgid : NULL;
	ev.dm = target[0] != '#' && target[0] != '&';
	ev.room = ev.dm ? NULL : target;
	ev.user_id = id;
	ev.user_name = m->nick;
	ev.text = text;
	ev.text_len = len;
	s->conn.events_in++;
	if (s->conn.state == I_STOPPING || !s->conn.hooks->on_event(&s->conn, &ev))
		log_info("%s: not taking a line from %s while stopping", s->conn.name, m->nick);
}

static void on_join(struct irc *s, const struct irc_msg *m)
{
	if (m->nick == NULL || m->nparams < 1)
		return;
	if (strcasecmp(m->nick, s->nick) == 0) {
		/* the prefix the server puts before our lines: their room is 512 bytes less it */
		snprintf(s->self_user, sizeof(s->self_user), "%s", m->user ? m->user : "");
		snprintf(s->self_host, sizeof(s->self_host), "%s", m->host ? m->host : "");
		log_info("%s: joined %s", s->conn.name, m->params[0]);
		irc_ctl(s, "WHO %s", m->params[0]);     /* who is already there */
		return;
	}
	if (m->user != NULL && m->host != NULL)
		irc_identify(s, m->nick, m->user, m->host, "");
}

static void on_kick(struct irc *s, const struct irc_msg *m)
{
	if (m->nparams < 2)
		return;
	if (strcasecmp(m->params[1], s->nick) != 0) {
		return;
	}
	log_warnx("%s: kicked from %s by %s (%s): joining again in %d s", s->conn.name, m->params[0],
	    m->nick ? m->nick : "?", m->nparams >= 3 ? m->params[2] : "", IRC_REJOIN_MS / 1000);
	uv_timer_start(&s->rejoin_timer, on_rejoin_timer, IRC_REJOIN_MS, 0);
}

static void on_line(struct irc *s, struct irc_msg *m)
{
	const char *cmd = m->cmd;

	if (strcmp(cmd, "PING") == 0)
		irc_ctl(s, "PONG :%s", m->nparams >= 1 ? m->params[0] : "");
	else if (strcmp(cmd, "PONG") == 0)
		s->awaiting_pong = false;
	else if (strcmp(cmd, "PRIVMSG") == 0)
		on_privmsg(s, m);
	else if (strcmp(cmd, "NOTICE") == 0)
		return;
	else if (strcmp(cmd, "JOIN") == 0)
		on_join(s, m);
	else if (strcmp(cmd, "NICK") == 0 && m->nick != NULL && m->nparams >= 1) {
		if (strcasecmp(m->nick, s->nick) == 0)
			snprintf(s->nick, sizeof(s->nick), "%s", m->params[0]);
		irc_user_nick(s, m->nick, m->params[0]);
	} else if (strcmp(cmd, "QUIT") == 0 && m->nick != NULL)
		irc_user_gone(s, m->nick);
	else if (strcmp(cmd, "KICK") == 0)
		on_kick(s, m);
	else if (strcmp(cmd, "CAP") == 0)
		on_cap(s, m);
	else if (strcmp(cmd, "AUTHENTICATE") == 0 && s->in_sasl && m->nparams >= 1 && strcmp(m->params[0], "+") == 0)
		sasl_plain(s);
	else if (strcmp(cmd, "001") == 0)
		on_welcome(s, m);
	else if (strcmp(cmd, "352") == 0 && m->nparams >= 6)    /* WHO: me #chan user host server nick ... */
		irc_identify(s, m->params[5], m->params[2], m->params[3], NULL);
	else if (strcmp(cmd, "433") == 0 || strcmp(cmd, "432") == 0 || strcmp(cmd, "437") == 0)
		on_nick_in_use(s);
	else if (strcmp(cmd, "903") == 0 || strcmp(cmd, "907") == 0) {
		log_info("%s: logged in as %s", s->conn.name, s->sasl_user);
		s->in_sasl = false;
		irc_ctl(s, "CAP END");
	} else if (strcmp(cmd, "904") == 0 || strcmp(cmd, "905") == 0 || strcmp(cmd, "906") == 0) {
		log_warnx("%s: SASL login as %s refused (%s): going on without", s->conn.name, s->sasl_user, cmd);
		s->in_sasl = false;
		irc_ctl(s, "CAP END");
	} else if (strcmp(cmd, "464") == 0) {
		irc_set_state(s, I_FATAL, "464: the server refused the password; not retrying until the config changes");
		close_now(s, IC_FATAL, "bad password");
	} else if (strcmp(cmd, "471") == 0 || strcmp(cmd, "473") == 0 || strcmp(cmd, "474") == 0 ||
	    strcmp(cmd, "475") == 0 || strcmp(cmd, "403") == 0) {
		log_warnx("%s: cannot join %s: %s; trying again in %d s", s->conn.name,
		    m->nparams >= 2 ? m->params[1] : "?", m->nparams >= 3 ? m->params[2] : cmd, 6 * IRC_REJOIN_MS / 1000);
		uv_timer_start(&s->rejoin_timer, on_rejoin_timer, 6 * IRC_REJOIN_MS, 0);
	} else if (strcmp(cmd, "ERROR") == 0)
		log_warnx("%s: server says: %s", s->conn.name, m->nparams >= 1 ? m->params[0] : "");
}

static void on_frame(struct wsc *w, void *arg, const char *buf, size_t len)
{
	struct irc *s = arg;
	char line[IRC_MAX_FRAME + 1];
	struct irc_msg m;

	(void)w;
	s->last_rx = uv_now(s->conn.loop);
	s->awaiting_pong = false;       /* anything heard is proof of life */
	if (len > IRC_MAX_FRAME || memchr(buf, '\0', len) != NULL) {
		s->conn.bad_frames++;
		return;
	}
	memcpy(line, buf, len);
	line[len] = '\0';
	if (irc_line_parse(line, &m) != 0) {
		s->conn.bad_frames++;
		log_warnx("%s: ignoring a line without a command", s->conn.name);
		return;
	}
	on_line(s, &m);
}

static void on_oversized(struct wsc *w, void *arg)
{
	(void)w;
	((struct irc *)arg)->conn.bad_frames++;
}

static const struct wsc_ops socket_ops = {
	.on_open = on_open,
	.on_frame = on_frame,
	.on_writeable = irc_on_writeable,
	.on_closed = on_closed,
	.on_oversized = on_oversized,
};

/* ---- timers ---- */

/* Every IRC_PING_MS: a PING after that much silence; the next tick without an answer is a dead link. */
static void on_ping_timer(uv_timer_t *t)
{
	struct irc *s = t->data;
	uint64_t now = uv_now(s->conn.loop);

	if (s->ws == NULL || s->conn.state != I_READY)
		return;
	if (s->awaiting_pong) {
		log_warnx("%s: no PONG within %d s: the connection is dead", s->conn.name, IRC_PING_MS / 1000);
		close_now(s, IC_LAG, "no PONG");
		return;
	}
	if (now - s->last_rx >= IRC_PING_MS / 2) {
		s->awaiting_pong = true;
		irc_ctl(s, "PING :dutybot");
	}
}

static void irc_handshake_timeout(struct conn *c)
{
	close_now(irc_of(c), IC_TIMEOUT, "registration timed out");
}

static void irc_reconnect(struct conn *c)
{
	struct irc *s = irc_of(c);

	if (s->conn.state == I_BACKOFF)
		irc_connect(s);
}

static void irc_connect(struct irc *s)
{
	irc_set_state(s, I_CONNECTING, "connecting");
	s->ws = wsc_open(s->conn.lws, s->url, IRC_SUBPROTOCOLS, s->tls_verify, IRC_MAX_FRAME, &socket_ops, s,
	    s->conn.name);
	if (s->ws == NULL) {
		irc_set_state(s, I_BACKOFF, "connect failed at once");
		conn_schedule_reconnect(&s->conn, -1, false);
		return;
	}
	uv_timer_start(&s->ping_timer, on_ping_timer, IRC_PING_MS, IRC_PING_MS);
	conn_handshake_start(&s->conn, IRC_HANDSHAKE_MS);
}

/* ---- conn ops ---- */

static void kick(void *arg)
{
	struct irc *s = arg;

	if (s->conn.state == I_READY)
		irc_want_write(s);
}

static void irc_kick(struct conn *c)
{
	kick(c);
}

static void on_quit_timer(uv_timer_t *t)
{
	struct irc *s = t->data;

	close_now(s, IC_STOP, "dutybot shutting down");
}

static int irc_start(struct conn *c)
{
	struct irc *s = irc_of(c);

	/* paced here, by lines, not by the outbox's actions: one action may be many lines */
	s->conn.outbox = outbox_new(c->loop, IRC_MAX_TEXT, 0, kick, s);
	if (s->conn.outbox == NULL)
		return -1;
	conn_skeleton_start(c);
	conn_timer_init(c, &s->pace_timer);
	conn_timer_init(c, &s->ping_timer);
	conn_timer_init(c, &s->rejoin_timer);
	irc_connect(s);
	return 0;
}

static void irc_stop(struct conn *c)
{
	struct irc *s = irc_of(c);

	conn_timers_stop(c);
	uv_timer_stop(&s->rejoin_timer);
	uv_timer_stop(&s->pace_timer);
	irc_set_state(s, I_STOPPING, "shutting down");
	if (s->ws != NULL && s->registered) {
		/* what is queued goes out first (irc_out.c), then a QUIT, so the
		 * channel reads why; the socket closes then, or after 2 s at the latest */
		uv_timer_start(&s->ping_timer, on_quit_timer, 2000, 0);
		irc_want_write(s);
	} else if (s->ws != NULL) {
		uv_timer_stop(&s->ping_timer);
		close_now(s, IC_STOP, "dutybot shutting down");
	} else {
		uv_timer_stop(&s->ping_timer);
		irc_set_state(s, I_STOPPED, "stopped");
		s->conn.hooks->on_stopped(c);
	}
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void irc_free(struct conn *c)
{
	struct irc *s = irc_of(c);

	if (s->ws != NULL)
		wsc_abandon(s->ws);
	ctl_clear(s);
	irc_out_free(s);
	if (s->conn.outbox != NULL)
		outbox_free(s->conn.outbox);
	free(s->password);
	free(s->sasl_user);
	free(s->sasl_password);
	strv_free(s->join, s->n_join);
	strv_free(s->masks, s->n_masks);
}

static char *dup_or_null(const char *v)
{
	return v != NULL ? strdup(v) : NULL;
}

static int strv_add(char ***v, size_t *n, const char *a, const char *b)
{
	char **p = realloc(*v, (*n + 1) * sizeof(**v));
	size_t len = strlen(a) + (b ? strlen(b) + 1 : 0) + 1;

	if (p == NULL)
		return -1;
	*v = p;
	if ((p[*n] = malloc(len)) == NULL)
		return -1;
	snprintf(p[*n], len, "%s%s%s", a, b ? " " : "", b ? b : "");
	(*n)++;
	return 0;
}

/* The channels to join (mapped ones, then join = ...), each with its key, and the staff masks. */
static int take_config(struct irc *s, const struct config_connection *cc)
{
	strv_free(s->join, s->n_join);
	strv_free(s->masks, s->n_masks);
	s->join = s->masks = NULL;
	s->n_join = s->n_masks = 0;
	for (size_t i = 0; i < CHANNEL_MAX + cc->n_join; i++) {
		const char *ch = i < CHANNEL_MAX ? cc->channel[i] : cc->join[i - CHANNEL_MAX], *key = NULL;
		bool dup = false;
		if (ch == NULL)
			continue;
		for (size_t j = 0; j < s->n_join && !dup; j++)
			dup = strncasecmp(s->join[j], ch, strlen(ch)) == 0 &&
			    (s->join[j][strlen(ch)] == '\0' || s->join[j][strlen(ch)] == ' ');
		for (size_t k = 0; k < cc->n_channel_keys; k++)
			if (strncmp(cc->channel_keys[k], ch, strlen(ch)) == 0 && cc->channel_keys[k][strlen(ch)] == ' ')
				key = cc->channel_keys[k] + strlen(ch) + 1;
		if (!dup && strv_add(&s->join, &s->n_join, ch, key) != 0)
			return -1;
	}
	for (size_t i = 0; i < cc->n_irc_masks; i++)
		if (strv_add(&s->masks, &s->n_masks, cc->irc_masks[i], NULL) != 0)
			return -1;
	return 0;
}

static void irc_set_token(struct conn *c, const struct config_connection *cc)
{
	struct irc *s = irc_of(c);
	bool changed = (cc->password == NULL) != (s->password == NULL) ||
	    (cc->password != NULL && strcmp(cc->password, s->password) != 0);

	free(s->password);
	free(s->sasl_user);
	free(s->sasl_password);
	s->password = dup_or_null(cc->password);
	s->sasl_user = dup_or_null(cc->sasl_user);
	s->sasl_password = dup_or_null(cc->sasl_password);
	if (take_config(s, cc) != 0)
		log_warnx("%s: out of memory taking the new config", c->name);
	irc_users_clear(s);             /* who matches which mask may have changed: learned again */
	if (s->conn.state == I_READY) {
		join_all(s);
		for (size_t i = 0; i < s->n_join; i++)
			irc_ctl(s, "WHO %.*s", (int)strcspn(s->join[i], " "), s->join[i]);
	}
	if (s->conn.state == I_FATAL && changed) {
		log_info("%s: server password changed: trying again", c->name);
		s->conn.attempt = 0;
		irc_connect(s);
	}
}

static void irc_set_reading(struct conn *c, bool on)
{
	wsc_set_reading(irc_of(c)->ws, on);
}

static const struct conn_ops irc_ops = {
	.start = irc_start,
	.stop = irc_stop,
	.kick = irc_kick,
	.set_token = irc_set_token,
	.reconnect = irc_reconnect,
	.handshake_timeout = irc_handshake_timeout,
	.free = irc_free,
	.set_reading = irc_set_reading,
};

struct conn *irc_conn_new(const struct config_connection *cc, const char *command_prefix)
{
	struct irc *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->conn.ops = &irc_ops;
	s->conn.states = irc_states;
	snprintf(s->url, sizeof(s->url), "%s", cc->url ? cc->url : "");
	if (!wsc_url_usable(s->url)) {
		log_warnx("%s: cannot use url %s", cc->name, s->url);
		free(s);
		return NULL;
	}
	s->tls_verify = cc->tls_verify;
	snprintf(s->want_nick, sizeof(s->want_nick), "%s", cc->nick ? cc->nick : "dutybot");
	snprintf(s->prefix, sizeof(s->prefix), "%s", command_prefix);
	s->password = dup_or_null(cc->password);
	s->sasl_user = dup_or_null(cc->sasl_user);
	s->sasl_password = dup_or_null(cc->sasl_password);
	if (take_config(s, cc) != 0) {
		irc_free(&s->conn);
		free(s);
		return NULL;
	}
	return &s->conn;
}
