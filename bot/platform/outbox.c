/*
 * outbox: two singly linked lists kept in seq order, "queued" and
 * "inflight", a ring of the last RATE send times for pacing, and one uv timer
 * that kicks the adapter when pacing or a hold allows the next send.
 */
#include "bot/platform/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * By default one action in flight per connection (max_in_flight = 1).  Replies must arrive in order (a
 * long answer is several pieces), and a rate-limited action must be re-sent
 * before anything queued behind it: with more in flight, a later action
 * could be accepted while an earlier one is refused.  The cost is one round
 * trip per action, which at a platform's rate limit is no cost at all.
 */
#define OUTBOX_DEFAULT_INFLIGHT 1

struct outbox {
	uv_loop_t *loop;
	uv_timer_t timer;
	uv_timer_t ack_timer;           /* the earliest deadline of what is in flight */
	int open_timers;
	uint64_t ack_timeout;           /* ms; 0: none */
	uint64_t ack_due;               /* when ack_timer fires, if active */
	int ack_tries;
	outbox_expired_fn *expired;
	size_t max_chars;
	int rate;
	size_t max_inflight;
	uint64_t *sent_at;      /* ring of the last RATE send times (uv_now) */
	int ring_pos;
	uint64_t held_until;
	uint64_t next_seq;
	struct out_msg *queued, *inflight;
	struct out_msg *inflight_tail;  /* the last in flight; NULL: not known, found on demand */
	struct out_msg *last;           /* the tail of queued, so a push does not walk it */
	struct out_msg *last_first;     /* the last of the first lane in queued; NULL: none queued */
	size_t n_queued, n_inflight;
	outbox_kick_fn *kick;
	void *kick_arg;
};

struct outbox *outbox_new(uv_loop_t *loop, size_t max_chars, int rate, outbox_kick_fn *kick, void *arg)
{
	struct outbox *ob = calloc(1, sizeof(*ob));

	if (ob == NULL)
		return NULL;
	ob->loop = loop;
	ob->max_chars = max_chars;
	ob->kick = kick;
	ob->kick_arg = arg;
	ob->next_seq = 1;
	ob->max_inflight = OUTBOX_DEFAULT_INFLIGHT;
	uv_timer_init(loop, &ob->timer);
	ob->timer.data = ob;
	uv_timer_init(loop, &ob->ack_timer);
	ob->ack_timer.data = ob;
	ob->open_timers = 2;
	outbox_set_rate(ob, rate);
	return ob;
}

void outbox_set_rate(struct outbox *ob, int rate)
{
	free(ob->sent_at);
	ob->sent_at = NULL;
	ob->rate = 0;
	ob->ring_pos = 0;
	if (rate > 0 && (ob->sent_at = calloc((size_t)rate, sizeof(uint64_t))) != NULL)
		ob->rate = rate;
}

void outbox_msg_free(struct out_msg *m)
{
	if (m == NULL)
		return;
	if (m->done != NULL)
		m->done(m->done_arg, m);
	free(m->buttons);
	free(m);                /* and its strings, which live in the same block */
}

static void free_list(struct out_msg *m)
{
	while (m != NULL) {
		struct out_msg *next = m->next;
		outbox_msg_free(m);
		m = next;
	}
}

static void on_closed(uv_handle_t *h)
{
	struct outbox *ob = h->data;

	if (--ob->open_timers > 0)
		return;
	free_list(ob->queued);
	free_list(ob->inflight);
	free(ob->sent_at);
	free(ob);
}

void outbox_free(struct outbox *ob)
{
	if (ob != NULL) {
		uv_close((uv_handle_t *)&ob->timer, on_closed);
		uv_close((uv_handle_t *)&ob->ack_timer, on_closed);
	}
}

/* ---- splitting ---- */

/* Bytes of the character at P, never past the terminating NUL (a cut-off
 * sequence in user text counts as the bytes that are there). */
static size_t utf8_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;

	for (size_t i = 1; i < n; i++)
		if (p[i] == '\0')
			return i;
	return n;
}

/* A CJK full stop, comma or mark after which a line without blanks may break. */
static bool cjk_break_after(const char *p, size_t n)
{
	static const char *const marks[] = { "\u3002", "\u3001", "\uff0c", "\uff01", "\uff1f", "\uff1b", "\uff1a" };

	if (n != 3)
		return false;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (memcmp(p, marks[i], 3) == 0)
			return true;
	return false;
}

/*
 * Where the piece that starts at P ends: everything if it fits in MAX_CHARS
 * code points; else before the last line break that fits (the rest starts
 * with the next line); else a line too long for one piece at its last blank,
 * or after a CJK punctuation mark; else (one long word) at the last whole
 * character.  *NEXT is where the next piece starts.
 */
static size_t piece_end(const char *p, size_t max_chars, const char **next)
{
	const char *q = p, *nl = NULL, *word = NULL, *word_next = NULL;
	size_t chars = 0;

	while (*q != '\0' && chars < max_chars) {
		size_t n = utf8_len(q);
		if (*q == '\n') {
			nl = q;
		} else if (*q == ' ') {
			word = q;
			word_next = q + 1;
		} else if (cjk_break_after(q, n)) {
			word = word_next = q + n;
		}
		q += n;
		chars++;
	}
	if (*q == '\0') {
		*next = q;
		return (size_t)(q - p);
	}
	/* the character after the window may itself be the break */
	if (*q == '\n')
		nl = q;
	else if (*q == ' ' && nl == NULL)
		word = q, word_next = q + 1;
	if (nl != NULL && nl > p) {
		*next = nl + 1;
		return (size_t)(nl - p);
	}
	if (word != NULL && word > p) {
		*next = word_next;
		return (size_t)(word - p);
	}
	*next = q;
	return (size_t)(q - p);
}

int outbox_buttons(const char *buttons, int max, size_t max_label, size_t max_command,
                   void (*fn)(const struct out_button *b, void *arg), void *arg)
{
	struct out_button b;
	const char *line = buttons;
	int n = 0;

	if (max_label >= sizeof(b.label))
		max_label = sizeof(b.label) - 1;
	if (max_command >= sizeof(b.command))
		max_command = sizeof(b.command) - 1;
	while (line != NULL && *line && n < max) {
		const char *tab = strchr(line, '\t'), *end = strchr(line, '\n');
		size_t label_len, cmd_len;

		if (end == NULL)
			end = line + strlen(line);
		label_len = tab != NULL && tab < end ? (size_t)(tab - line) : 0;
		cmd_len = tab != NULL && tab < end ? (size_t)(end - tab - 1) : 0;
		if (cmd_len > 0 && cmd_len <= max_command && label_len <= max_label) {
			b.index = n++;
			memcpy(b.label, line, label_len);
			b.label[label_len] = '\0';
			memcpy(b.command, tab + 1, cmd_len);
			b.command[cmd_len] = '\0';
			fn(&b, arg);
		}
		line = *end ? end + 1 : NULL;
	}
	return n;
}

int outbox_split(const char *text, size_t max_chars,
                 void (*fn)(const char *piece, size_t len, void *arg), void *arg)
{
	const char *p = text;
	int pieces = 0;

	if (max_chars == 0)
		return 0;
	/* blank lines and blanks at a cut say nothing at the top of a piece */
	while (*p == '\n' || *p == ' ')
		p++;
	while (*p != '\0') {
		const char *next;
		size_t len = piece_end(p, max_chars, &next);

		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == ' '))
			len--;
		if (len > 0) {
			fn(p, len, arg);
			pieces++;
		}
		p = next;
		while (*p == '\n' || *p == ' ')
			p++;
	}
	return pieces;
}

size_t outbox_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s += utf8_len(s))
		n++;
	return n;
}

char *outbox_shorten(const char *text, size_t max_chars)
{
	static const char ellipsis[] = "\u2026";
	const char *next;
	size_t len;
	char *out;

	if (outbox_chars(text) <= max_chars)
		return strdup(text);
	if (max_chars == 0)
		return strdup("");
	/* room for the ellipsis; a cut at a line end or blank like a split */
	len = piece_end(text, max_chars - 1, &next);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	if ((out = malloc(len + sizeof(ellipsis))) == NULL)
		return NULL;
	memcpy(out, text, len);
	memcpy(out + len, ellipsis, sizeof(ellipsis));
	return out;
}

char *outbox_join_fit(const char *original, const char *sep, const char *outcome, size_t max_chars)
{
	size_t fixed = outbox_chars(sep), oc = outbox_chars(outcome);
	char *o, *r, *out;
	size_t n;

	if (fixed + oc + 1 > max_chars) {
		/* the outcome alone is too long: the original shrinks to its ellipsis */
		o = strdup("\u2026");
		r = outbox_shorten(outcome, max_chars > fixed + 1 ? max_chars - fixed - 1 : 0);
	} else {
		o = outbox_shorten(original, max_chars - fixed - oc);
		r = strdup(outcome);
	}
	out = NULL;
	if (o != NULL && r != NULL) {
		n = strlen(o) + strlen(sep) + strlen(r) + 1;
		if ((out = malloc(n)) != NULL)
			snprintf(out, n, "%s%s%s", o, sep, r);
	}
	free(o);
	free(r);
	return out;
}

/* ---- queue ---- */

struct push_ctx {
	struct outbox *ob;
	enum out_kind kind;
	const char *target, *origin_room, *origin_user, *lang;
	struct out_msg **tail;
	int failed;
	void (*done)(void *arg, const struct out_msg *m);
	void *done_arg;
	const char *buttons;
	struct out_msg *last_piece;
	enum out_gate (*gate)(void *arg);
	bool first;
};

static void push_piece(const char *piece, size_t len, void *arg)
{
	struct push_ctx *pc = arg;
	size_t lt = strlen(pc->target) + 1;
	size_t lr = pc->origin_room ? strlen(pc->origin_room) + 1 : 0;
	size_t lu = pc->origin_user ? strlen(pc->origin_user) + 1 : 0;
	/* one block: the struct, then text, target, origin room and user; malloc,
	 * not calloc, which in glibc skips the thread cache (one per reply) */
	struct out_msg *m = malloc(sizeof(*m) + len + 1 + lt + lr + lu);
	char *at;

	if (m == NULL) {
		pc->failed++;
		return;
	}
	memset(m, 0, sizeof(*m));
	at = (char *)(m + 1);
	m->text = at;
	memcpy(at, piece, len);
	at[len] = '\0';
	at += len + 1;
	m->target = memcpy(at, pc->target, lt);
	at += lt;
	m->origin_room = pc->origin_room ? memcpy(at, pc->origin_room, lr) : NULL;
	at += lr;
	m->origin_user = pc->origin_user ? memcpy(at, pc->origin_user, lu) : NULL;
	m->kind = pc->kind;
	m->seq = pc->ob->next_seq++;
	if (pc->lang != NULL)
		strncpy(m->lang, pc->lang, sizeof(m->lang) - 1);
	m->done = pc->done;
	m->done_arg = pc->done_arg;
	m->gate = pc->gate;
	m->first = pc->first;
	pc->last_piece = m;
	/* at the tail, or (first lane) behind the first lane's last */
	m->next = *pc->tail;
	*pc->tail = m;
	pc->tail = &m->next;
	if (m->next == NULL)
		pc->ob->last = m;
	if (pc->first)
		pc->ob->last_first = m;
	pc->ob->n_queued++;
}

static int push(struct outbox *ob, struct push_ctx pc, const char *text)
{
	int n;

	if (pc.first)
		pc.tail = ob->last_first != NULL ? &ob->last_first->next : &ob->queued;
	else
		pc.tail = ob->last != NULL ? &ob->last->next : &ob->queued;
	n = outbox_split(text, ob->max_chars, push_piece, &pc);
	if (pc.buttons != NULL && pc.last_piece != NULL)
		pc.last_piece->buttons = strdup(pc.buttons);
	if (n > 0)
		ob->kick(ob->kick_arg);
	return n - pc.failed;
}

int outbox_push_lane(struct outbox *ob, bool first, enum out_kind kind, const char *target, const char *text,
                     const char *origin_room, const char *origin_user, const char *lang, const char *buttons,
                     void (*done)(void *arg, const struct out_msg *m), enum out_gate (*gate)(void *arg), void *arg)
{
	struct push_ctx pc = { ob, kind, target, origin_room, origin_user, lang, &ob->queued, 0, done, arg,
	                       buttons, NULL, gate, first };

	return push(ob, pc, text);
}

int outbox_push(struct outbox *ob, enum out_kind kind, const char *target, const char *text,
                const char *origin_room, const char *origin_user, const char *lang)
{
	return outbox_push_lane(ob, false, kind, target, text, origin_room, origin_user, lang, NULL, NULL, NULL, NULL);
}

int outbox_push_tracked(struct outbox *ob, enum out_kind kind, const char *target, const char *text,
                        const char *lang, const char *buttons, void (*done)(void *arg, const struct out_msg *m),
                        enum out_gate (*gate)(void *arg), void *arg)
{
	return outbox_push_lane(ob, false, kind, target, text, NULL, NULL, lang, buttons, done, gate, arg);
}

void outbox_kick(struct outbox *ob)
{
	if (ob->queued != NULL)
		ob->kick(ob->kick_arg);
}

static void on_timer(uv_timer_t *t)
{
	struct outbox *ob = t->data;

	ob->kick(ob->kick_arg);
}

static void wake_at(struct outbox *ob, uint64_t when)
{
	uint64_t now = uv_now(ob->loop);

	uv_timer_start(&ob->timer, on_timer, when > now ? when - now : 0, 0);
}

/* Takes M, the head, off the queue. */
static void unlink_head(struct outbox *ob, struct out_msg *m)
{
	ob->queued = m->next;
	if (ob->queued == NULL)
		ob->last = NULL;
	if (ob->last_first == m)
		ob->last_first = NULL;
	ob->n_queued--;
	m->next = NULL;
}

static void insert_sorted(struct out_msg **list, struct out_msg *m)
{
	while (*list != NULL && (*list)->seq < m->seq)
		list = &(*list)->next;
	m->next = *list;
	*list = m;
}

/* Back into the queue in seq order, keeping its tail right; one of the
 * first lane back into that lane (at the front), in its order. */
static void requeue(struct outbox *ob, struct out_msg *m)
{
	if (m->first) {
		struct out_msg **at = &ob->queued, *prev = NULL;

		while (*at != NULL && (*at)->first && (*at)->seq < m->seq) {
			prev = *at;
			at = &(*at)->next;
		}
		m->next = *at;
		*at = m;
		if (prev == ob->last_first)
			ob->last_first = m;
	} else {
		insert_sorted(&ob->queued, m);
	}
	if (m->next == NULL)
		ob->last = m;
	ob->n_queued++;
}

/*
 * In flight, in seq order.  A new send has the highest seq of all, so it is
 * appended at the tail in O(1): walking the list per send cost 6 % of the
 * daemon's CPU with 256 in flight.  Only a re-send after a retry or a drop
 * (an older seq) walks.
 */
static void inflight_add(struct outbox *ob, struct out_msg *m)
{
	if (ob->inflight != NULL && ob->inflight_tail == NULL)
		for (ob->inflight_tail = ob->inflight; ob->inflight_tail->next; ob->inflight_tail = ob->inflight_tail->next)
			;
	m->next = NULL;
	if (ob->inflight == NULL) {
		ob->inflight = ob->inflight_tail = m;
	} else if (ob->inflight_tail->seq < m->seq) {
		ob->inflight_tail->next = m;
		ob->inflight_tail = m;
	} else {
		insert_sorted(&ob->inflight, m);
	}
}

static struct out_msg *unlink_seq(struct out_msg **list, uint64_t seq);

static struct out_msg *inflight_unlink(struct outbox *ob, uint64_t seq)
{
	struct out_msg *m = unlink_seq(&ob->inflight, seq);

	if (m != NULL && m == ob->inflight_tail)
		ob->inflight_tail = NULL;
	return m;
}

static struct out_msg *unlink_seq(struct out_msg **list, uint64_t seq)
{
	for (; *list != NULL; list = &(*list)->next) {
		if ((*list)->seq == seq) {
			struct out_msg *m = *list;
			*list = m->next;
			m->next = NULL;
			return m;
		}
	}
	return NULL;
}

static void on_ack_timer(uv_timer_t *t);

static void arm_ack_timer(struct outbox *ob, uint64_t due, uint64_t now)
{
	ob->ack_due = due;
	uv_timer_start(&ob->ack_timer, on_ack_timer, due > now ? due - now : 0, 0);
}

/*
 * A deadline passed: what is overdue goes back in front (or, after its last
 * try, to EXPIRED for good), so the queue behind it moves on.  The timer is
 * then armed for the earliest deadline left; an ack does not stop it (it
 * fires once for nothing at worst).
 */
static void on_ack_timer(uv_timer_t *t)
{
	struct outbox *ob = t->data;
	uint64_t now = uv_now(ob->loop), next = UINT64_MAX;
	struct out_msg *overdue = NULL, **tail = &overdue, *m;

	for (struct out_msg **p = &ob->inflight; *p != NULL;) {
		m = *p;
		if (m->deadline > now) {
			if (m->deadline < next)
				next = m->deadline;
			p = &m->next;
			continue;
		}
		*p = m->next;           /* unlinked first: EXPIRED may push or ack */
		m->next = NULL;
		*tail = m;
		tail = &m->next;
		ob->n_inflight--;
		ob->inflight_tail = NULL;
	}
	if (next != UINT64_MAX)
		arm_ack_timer(ob, next, now);
	while ((m = overdue) != NULL) {
		overdue = m->next;
		m->next = NULL;
		m->timeouts++;
		if (m->timeouts >= ob->ack_tries) {
			m->unanswered = true;
			if (ob->expired != NULL)
				ob->expired(ob->kick_arg, m, true);
			else
				outbox_msg_free(m);
		} else {
			requeue(ob, m);
			if (ob->expired != NULL)
				ob->expired(ob->kick_arg, m, false);
		}
	}
	if (ob->queued != NULL)
		ob->kick(ob->kick_arg);
}

void outbox_set_ack_timeout(struct outbox *ob, uint64_t timeout_ms, int tries, outbox_expired_fn *expired)
{
	ob->ack_timeout = timeout_ms;
	ob->ack_tries = tries > 0 ? tries : 1;
	ob->expired = expired;
	if (timeout_ms == 0)
		uv_timer_stop(&ob->ack_timer);
}

struct out_msg *outbox_next(struct outbox *ob)
{
	uint64_t now = uv_now(ob->loop);
	struct out_msg *m;

	if (ob->queued == NULL)
		return NULL;
	if (now < ob->held_until) {
		wake_at(ob, ob->held_until);
		return NULL;
	}
	if (ob->n_inflight >= ob->max_inflight)
		return NULL;    /* an ack kicks again */
	if (ob->rate > 0) {
		uint64_t oldest = ob->sent_at[ob->ring_pos];
		if (oldest != 0 && now < oldest + 1000) {
			wake_at(ob, oldest + 1000);
			return NULL;
		}
	}
	/* asked only when the message could go now: a page is looked at as late as possible */
	while ((m = ob->queued) != NULL && m->gate != NULL) {
		enum out_gate g = m->gate(m->done_arg);
		if (g == OUT_GATE_SEND)
			break;
		if (g == OUT_GATE_WAIT)
			return NULL;    /* whoever said wait kicks */
		/* no longer wanted: done, as if delivered */
		unlink_head(ob, m);
		m->delivered = true;
		outbox_msg_free(m);
	}
	if (ob->queued == NULL)
		return NULL;
	if (ob->rate > 0) {
		ob->sent_at[ob->ring_pos] = now ? now : 1;
		ob->ring_pos = (ob->ring_pos + 1) % ob->rate;
	}
	m = ob->queued;
	unlink_head(ob, m);
	m->attempts++;
	m->sent_at = now;
	inflight_add(ob, m);
	ob->n_inflight++;
	if (ob->ack_timeout > 0) {
		m->deadline = now + ob->ack_timeout * (uint64_t)(m->timeouts + 1);
		if (!uv_is_active((uv_handle_t *)&ob->ack_timer) || m->deadline < ob->ack_due)
			arm_ack_timer(ob, m->deadline, now);
	}
	return m;
}

bool outbox_acked(struct outbox *ob, uint64_t seq)
{
	struct out_msg *m = inflight_unlink(ob, seq);

	if (m == NULL)
		return false;
	ob->n_inflight--;
	m->delivered = true;
	outbox_msg_free(m);
	if (ob->queued != NULL && ob->n_inflight == ob->max_inflight - 1)
		ob->kick(ob->kick_arg);
	return true;
}

bool outbox_retry(struct outbox *ob, uint64_t seq, int64_t delay_ms)
{
	struct out_msg *m = inflight_unlink(ob, seq);

	if (m == NULL)
		return false;
	ob->n_inflight--;
	requeue(ob, m);
	outbox_hold(ob, delay_ms);
	return true;
}

struct out_msg *outbox_failed(struct outbox *ob, uint64_t seq)
{
	struct out_msg *m = inflight_unlink(ob, seq);

	if (m != NULL) {
		ob->n_inflight--;
		if (ob->queued != NULL)
			ob->kick(ob->kick_arg);     /* the slot is free for the next one */
	}
	return m;
}

struct out_msg *outbox_inflight_find(struct outbox *ob, uint64_t seq)
{
	for (struct out_msg *m = ob->inflight; m != NULL; m = m->next)
		if (m->seq == seq)
			return m;
	return NULL;
}

void outbox_requeue_inflight(struct outbox *ob)
{
	while (ob->inflight != NULL) {
		struct out_msg *m = ob->inflight;
		ob->inflight = m->next;
		requeue(ob, m);
	}
	ob->inflight_tail = NULL;
	ob->n_inflight = 0;
}

void outbox_hold(struct outbox *ob, int64_t delay_ms)
{
	uint64_t until = uv_now(ob->loop) + (uint64_t)(delay_ms > 0 ? delay_ms : 0);

	if (until > ob->held_until)
		ob->held_until = until;
	wake_at(ob, ob->held_until);
}

struct out_msg *outbox_inflight_first(struct outbox *ob)
{
	return ob->inflight;
}

void outbox_set_max_inflight(struct outbox *ob, size_t n)
{
	ob->max_inflight = n > 0 ? n : 1;
}

size_t outbox_queued(const struct outbox *ob)
{
	return ob->n_queued;
}

size_t outbox_inflight(const struct outbox *ob)
{
	return ob->n_inflight;
}
