/*
 * irc_out: what the IRC adapter says.  Protocol lines (registration, PONG,
 * JOIN, WHO) go at once; the outbox's messages are cut into lines that fit
 * the 512-byte limit with the prefix the server puts before them, and paced:
 * IRC_BURST lines at once, then max_send_rate lines a second (default 1),
 * below the flood limits of common servers (InspIRCd's default class lets
 * about one line a second through after a burst of ten; more and it lags
 * the client, far more and it disconnects it for an excess flood).  A
 * message counts as delivered once its last line is written: IRC acks
 * nothing.  A message whose socket drops half-way is sent again whole.
 *
 * Private answers go to the person's current nick: the nick last seen
 * (speaking, joining, in a WHO reply, or renamed) whose identity is the
 * target user id; when nobody online is that person the message fails and
 * whoever caused it is told.  A nick alone never makes the match.
 */
#include "bot/platform/irc_private.h"
#include "bot/platform/irc_line.h"
#include "bot/lib/log.h"
#include "config/config_values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- who is who ---- */

static struct irc_user *find_nick(struct irc *s, const char *nick)
{
	for (size_t i = 0; i < s->n_users; i++)
		if (strcasecmp(s->users[i].nick, nick) == 0)
			return &s->users[i];
	return NULL;
}

static void compute_id(struct irc *s, struct irc_user *u)
{
	char full[300];

	snprintf(full, sizeof(full), "%s!%s@%s", u->nick, u->user, u->host);
	for (size_t i = 0; i < s->n_masks; i++)
		if (irc_line_mask_match(s->masks[i], full)) {
			snprintf(u->id, sizeof(u->id), "mask:%.290s", s->masks[i]);
			return;
		}
	if (u->account[0])
		snprintf(u->id, sizeof(u->id), "account:%s", u->account);
	else
		snprintf(u->id, sizeof(u->id), "nick:%.290s", full);
}

const char *irc_identify(struct irc *s, const char *nick, const char *user, const char *host, const char *account)
{
	struct irc_user *u = find_nick(s, nick);

	if (u == NULL) {
		if (s->n_users == IRC_USERS_MAX) {         /* forget the one seen longest ago */
			size_t old = 0;
			for (size_t i = 1; i < s->n_users; i++)
				if (s->users[i].seen < s->users[old].seen)
					old = i;
			u = &s->users[old];
		} else {
			struct irc_user *v = realloc(s->users, (s->n_users + 1) * sizeof(*v));
			if (v == NULL) {
				static char fallback[300];
				snprintf(fallback, sizeof(fallback), "nick:%s!%s@%s", nick, user, host);
				return fallback;
			}
			s->users = v;
			u = &s->users[s->n_users++];
		}
		memset(u, 0, sizeof(*u));
	}
	snprintf(u->nick, sizeof(u->nick), "%s", nick);
	snprintf(u->user, sizeof(u->user), "%s", user);
	snprintf(u->host, sizeof(u->host), "%s", host);
	if (account != NULL)            /* NULL: a line that cannot tell (JOIN, WHO) logs nobody out */
		snprintf(u->account, sizeof(u->account), "%s", account);
	u->seen = uv_now(s->conn.loop);
	compute_id(s, u);
	return u->id;
}

void irc_user_nick(struct irc *s, const char *old, const char *nick)
{
	struct irc_user *u = find_nick(s, old), *clash = find_nick(s, nick);

	if (u == NULL)
		return;
	if (clash != NULL && clash != u)
		clash->nick[0] = '\0';          /* stale: that nick is this person's now */
	snprintf(u->nick, sizeof(u->nick), "%s", nick);
	compute_id(s, u);               /* a mask with a nick in it may no longer match */
}

void irc_user_gone(struct irc *s, const char *nick)
{
	struct irc_user *u = find_nick(s, nick);

	if (u != NULL) {
		*u = s->users[--s->n_users];
	}
}

void irc_users_clear(struct irc *s)
{
	free(s->users);
	s->users = NULL;
	s->n_users = 0;
}

/* The nick a private answer to user id ID goes to; NULL if nobody online is that person. */
static const char *nick_of(struct irc *s, const char *id)
{
	struct irc_user *best = NULL;

	for (size_t i = 0; i < s->n_users; i++)
		if (s->users[i].nick[0] && strcmp(s->users[i].id, id) == 0 &&
		    (best == NULL || s->users[i].seen > best->seen))
			best = &s->users[i];
	return best != NULL ? best->nick : NULL;
}

/* ---- a message into lines ---- */

struct cut {
	struct irc *s;
	bool failed;
};

static void add_line(const char *piece, size_t len, void *arg)
{
	struct cut *c = arg;
	struct irc *s = c->s;
	char **v = realloc(s->lines, (s->n_lines + 1) * sizeof(*v));

	if (v == NULL || (v[s->n_lines] = strndup(piece, len)) == NULL) {
		if (v != NULL)
			s->lines = v;
		c->failed = true;
		return;
	}
	s->lines = v;
	s->n_lines++;
}

static void lines_free(struct irc *s)
{
	for (size_t i = 0; i < s->n_lines; i++)
		free(s->lines[i]);
	free(s->lines);
	s->lines = NULL;
	s->n_lines = s->next_line = 0;
}

void irc_out_reset(struct irc *s)
{
	lines_free(s);
	s->cur = NULL;          /* still in the outbox's flight: requeued by the caller */
}

void irc_out_free(struct irc *s)
{
	irc_out_reset(s);
	irc_users_clear(s);
}

static void fail(struct irc *s, struct out_msg *m, const char *code, const char *why)
{
	struct out_msg *f = outbox_failed(s->conn.outbox, m->seq);

	log_warnx("%s: cannot deliver to %s: %s", s->conn.name, m->target, why);
	if (f != NULL) {
		s->conn.hooks->on_delivery_failed(&s->conn, f, code);
		outbox_msg_free(f);
	}
}

/* Takes the next message into lines; false when there is none (or it failed: then try the next). */
static bool take_next(struct irc *s, bool *again)
{
	struct out_msg *m = outbox_next(s->conn.outbox);
	const char *to;
	const char *verb;
	size_t room;
	struct cut c = { .s = s, .failed = false };

	*again = false;
	if (m == NULL)
		return false;
	if (m->kind == OUT_DM) {
		to = nick_of(s, m->target);
		if (to == NULL) {
			fail(s, m, "not online", "nobody online is that person");
			*again = true;
			return false;
		}
	} else if (m->kind == OUT_SYSTEM && strcmp(m->target, "*") == 0) {
		/* every channel joined, in one NOTICE of several targets */
		s->cur_to[0] = '\0';
		for (size_t i = 0; i < s->n_join; i++) {
			size_t len = strlen(s->cur_to), n = strcspn(s->join[i], " ");
			if (len + n + 1 > IRC_TARGETS_MAX) {   /* the text needs the rest of the line */
				log_warnx("%s: a notice to every channel leaves out %s and those after it",
				    s->conn.name, s->join[i]);
				break;
			}
			snprintf(s->cur_to + len, sizeof(s->cur_to) - len, "%s%.*s", len ? "," : "", (int)n, s->join[i]);
		}
		to = s->cur_to;
	} else {
		to = m->target;
		if (!config_irc_channel_valid(to)) {
			fail(s, m, "bad channel", "not a channel name");
			*again = true;
			return false;
		}
	}
	/* ":nick!user@host VERB target :text\r\n" must fit 512; the host is unknown until our first JOIN */
	verb = m->kind == OUT_SYSTEM ? "NOTICE" : "PRIVMSG";
	room = 512 - 2 - (1 + strlen(s->nick) + 1 + (s->self_user[0] ? strlen(s->self_user) : 10) + 1 +
	    (s->self_host[0] ? strlen(s->self_host) : 63) + 1) - strlen(verb) - 1 - strlen(to) - 2;
	s->cur = m;
	if (to != s->cur_to)
		snprintf(s->cur_to, sizeof(s->cur_to), "%s", to);
	s->cur_verb = verb;
	irc_line_split(m->text, room, add_line, &c);
	if (c.failed)
		log_warnx("%s: out of memory cutting a message into lines: sending what fitted", s->conn.name);
	return true;
}

static bool pace_take(struct irc *s)
{
	uint64_t now = uv_now(s->conn.loop);
	int rate = s->conn.max_send_rate;

	if (rate <= 0)
		return true;
	s->tokens += (double)(now - s->refilled_at) * rate / 1000.0;
	if (s->tokens > IRC_BURST)
		s->tokens = IRC_BURST;
	s->refilled_at = now;
	if (s->tokens < 1.0) {
		uint64_t wait = (uint64_t)((1.0 - s->tokens) * 1000.0 / rate) + 1;
		if (!uv_is_active((uv_handle_t *)&s->pace_timer))
			uv_timer_start(&s->pace_timer, irc_on_pace_timer, wait, 0);
		return false;
	}
	s->tokens -= 1.0;
	return true;
}

void irc_on_pace_timer(uv_timer_t *t)
{
	irc_want_write(t->data);
}

static int send_line(struct irc *s, const char *line)
{
	if (wsc_send(s->ws, line, strlen(line)) != 0)
		return -1;
	s->lines_out++;
	return 0;
}

int irc_on_writeable(struct wsc *w, void *arg)
{
	struct irc *s = arg;
	int sent = 0;

	(void)w;
	while (wsc_send_more(s->ws)) {
		if (s->ctl_head != NULL) {
			struct irc_ctl *c = s->ctl_head;
			if (sent++ == 1)
				wsc_cork(s->ws);
			if (send_line(s, c->line) != 0)
				return -1;
			s->ctl_head = c->next;
			if (s->ctl_head == NULL)
				s->ctl_tail = NULL;
			free(c);
			continue;
		}
		if (s->conn.state != I_READY && s->conn.state != I_STOPPING)
			break;
		if (s->cur == NULL) {
			bool again;
			if (!take_next(s, &again)) {
				if (again)
					continue;
				if (s->conn.state == I_STOPPING && !s->quit_sent) {
					s->quit_sent = true;
					if (send_line(s, "QUIT :dutybot shutting down") != 0)
						return -1;
					wsc_close(s->ws, 1000, "quit", IC_STOP);
				}
				break;
			}
		}
		if (s->next_line < s->n_lines) {
			char line[1100];
			if (!pace_take(s))
				break;
			snprintf(line, sizeof(line), "%s %s :%s", s->cur_verb, s->cur_to, s->lines[s->next_line]);
			if (sent++ == 1)
				wsc_cork(s->ws);
			if (send_line(s, line) != 0)
				return -1;
			s->next_line++;
		}
		if (s->next_line >= s->n_lines) {
			if (outbox_acked(s->conn.outbox, s->cur->seq))
				s->conn.actions_acked++;
			lines_free(s);
			s->cur = NULL;
		}
	}
	/* lws buffered: the rest on the next WRITEABLE (the pace timer and the outbox's kick ask otherwise) */
	if (s->ws != NULL && !wsc_send_more(s->ws))
		irc_want_write(s);
	return 0;
}
