/*
 * deliver: the sender of the durable outbox.  Scripts append what must
 * arrive (alerts, warnings, what a timer produced) to the stream "outbox";
 * this reads it in the consumer group "senders", formats each entry in its
 * readers' language, queues it on every connection it is for, and
 * acknowledges and deletes the entry only when every piece was acked by its
 * platform.  An entry left pending by an instance that died is taken over
 * (XAUTOCLAIM) after DELIVER_RECLAIM_MS, so it is sent at least once.
 */
#include "bot/durable/deliver.h"
#include "bot/platform/conn.h"
#include "bot/i18n/catalog.h"
#include "bot/lib/log.h"
#include "bot/lib/strcopy.h"
#include "state/redis.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Entries of this instance are read at once (poked); others' within a poll. */
#define DELIVER_POLL_MS 1000
#define DELIVER_RECLAIM_MS 30000
#define DELIVER_BATCH "50"
#define DELIVER_GROUP "senders"
#define DELIVER_TEXT_MAX 8192
#define DELIVER_KV_MAX 32
/* A page's emergency is looked at again when its last look is older. */
#define DELIVER_PAGE_CHECK_MS 200

struct delivery {
	struct deliver *d;
	struct delivery *next;          /* in d->active */
	char id[48];                    /* stream entry id */
	int pending;                    /* pieces not yet done */
	bool queued_all;
	/* A page (or a "paging ..."/"still open" note) of this emergency, or a
	 * summary of held pages of these (space list): it goes only while one
	 * of them waits for an ack (see page_gate). */
	char emergency[256];
	uint64_t checked_at;            /* uv_now of the last answer; 0: never */
	bool checking, stale;
	bool unanswered;                /* a piece was given up unanswered: not acked, sent again later */
};

struct deliver {
	struct deliver_setup daemon;    /* what it borrows from the daemon (deliver.h) */
	uv_timer_t timer;
	int checks;                     /* page checks in flight */
	char consumer[96];
	unsigned group_epoch;           /* the Redis connection the group was made on */
	bool group_ready;
	bool reading;
	bool closing;
	bool handle_closed;
	int64_t last_reclaim;
	struct delivery *active;        /* entries being sent */
	uint64_t delivered;
};

static void tick(struct deliver *d);

static void on_timer(uv_timer_t *h)
{
	tick(h->data);
}

/* ---- finishing an entry ---- */

static void on_done_acked(const redisReply *r, const char *err, void *privdata)
{
	(void)r;
	(void)privdata;
	if (err != NULL)
		log_warnx("deliver: could not acknowledge an entry (%s); it will be sent again", err);
}

static void unlink_active(struct deliver *d, struct delivery *dl)
{
	for (struct delivery **p = &d->active; *p; p = &(*p)->next) {
		if (*p == dl) {
			*p = dl->next;
			return;
		}
	}
}

static void finish(struct delivery *dl)
{
	struct deliver *d = dl->d;

	if (d == NULL) {        /* the deliverer closed: the entry stays pending in Redis */
		free(dl);
		return;
	}
	unlink_active(d, dl);
	if (dl->unanswered) {
		/* nothing accepted is lost: the entry stays pending and is taken
		 * over again (XAUTOCLAIM) after DELIVER_RECLAIM_MS */
		log_warnx("deliver: a platform never answered a piece of outbox entry %s; it stays pending "
		    "and is sent again once it has waited %d s", dl->id, DELIVER_RECLAIM_MS / 1000);
	} else if (!d->closing && state_is_up(d->daemon.state)) {
		struct state_args *a = state_args_new();
		state_args_addf(a, "%soutbox", state_prefix(d->daemon.state));
		state_args_add(a, DELIVER_GROUP);
		state_args_add(a, dl->id);
		state_eval(d->daemon.state, SCRIPT_OUTBOX_DONE, 1, a, on_done_acked, NULL);
		d->delivered++;
	}
	free(dl);
}

static void on_piece_done(void *arg, const struct out_msg *m)
{
	struct delivery *dl = arg;

	/* refused for good is final too (the log has it); unanswered is not */
	if (m != NULL && m->unanswered)
		dl->unanswered = true;
	if (--dl->pending == 0 && dl->queued_all)
		finish(dl);
}

/* ---- formatting and queueing one entry ---- */

static int params_kv(cJSON *params, const char **kv, size_t max)
{
	int n = 0;
	cJSON *it;

	cJSON_ArrayForEach(it, params) {
		if ((size_t)n + 2 > max)
			break;
		if (!cJSON_IsString(it))
			continue;
		kv[n++] = it->string;
		kv[n++] = it->valuestring;
	}
	return n;
}

static const char *kv_get(const char **kv, int nkv, const char *key)
{
	for (int i = 0; i + 1 < nkv; i += 2)
		if (strcmp(kv[i], key) == 0)
			return kv[i + 1];
	return NULL;
}

/*
 * The buttons a message carries on platforms that have them: a request for
 * approval gets Approve / Deny, an emergency Acknowledge, the ask to take a
 * handover Take over.  A click is the typed command from the clicker, so it
 * passes the same gates as !approve.
 */
static void buttons_for(enum msg_id id, const char *lang, const char **kv, int nkv, char *buf, size_t n)
{
	const char *ref = kv_get(kv, nkv, "id");

	buf[0] = '\0';
	if (id == MSG_HANDOVER_ACK_ASK) {
		/* the incoming lead takes the shift over: the same as typing it */
		snprintf(buf, n, "%s\thandover ack", catalog_text(lang, MSG_BUTTON_TAKE_OVER));
		return;
	}
	if (ref == NULL || strlen(ref) > 32)
		return;
	switch (id) {
	case MSG_APPROVAL_WAITS:
	case MSG_APPROVAL_ASKS_YOU:
		snprintf(buf, n, "%s\tapprove %s\n%s\tdeny %s %s", catalog_text(lang, MSG_BUTTON_APPROVE), ref,
		    catalog_text(lang, MSG_BUTTON_DENY), ref, catalog_text(lang, MSG_BUTTON_DENY_REASON));
		break;
	case MSG_EMERGENCY_ALERT:
	case MSG_EMERGENCY_PAGE:
	case MSG_EMERGENCY_PAGE_NO_PLAN:
	case MSG_EMERGENCY_NOBODY_TO_PAGE:
	case MSG_EMERGENCY_STILL_OPEN:
		snprintf(buf, n, "%s\tack %s", catalog_text(lang, MSG_BUTTON_ACK), ref);
		break;
	default:
		break;
	}
}

/* ---- pages whose emergency was acknowledged meanwhile ---- */

/*
 * A page is decided when its escalation step fires, and may wait in a
 * connection's queue (a rate limit, a connection that is down) while
 * someone acknowledges.  So its emergency is looked at when the page is
 * next to go: acknowledged or resolved meanwhile, the page is dropped (and
 * the entry acked as done); the announcement of the ack is no page and
 * still goes.  Each piece, on each connection, is looked at (an answer
 * younger than DELIVER_PAGE_CHECK_MS serves the pieces right behind it).
 */
static bool wants_open_emergency(enum msg_id id)
{
	switch (id) {
	case MSG_EMERGENCY_PAGE:
	case MSG_EMERGENCY_PAGE_NO_PLAN:
	case MSG_EMERGENCY_PAGING:
	case MSG_EMERGENCY_PAGED:
	case MSG_EMERGENCY_NOBODY_TO_PAGE:
	case MSG_EMERGENCY_STILL_OPEN:
	case MSG_EMERGENCY_YOURS_PAGING:
	case MSG_EMERGENCY_YOURS_NOBODY:
	case MSG_EMERGENCY_YOURS_UNANSWERED:
	case MSG_EMERGENCY_PAGES_HELD:
		return true;
	default:
		return false;
	}
}

static void maybe_free(struct deliver *d)
{
	if (d->closing && d->handle_closed && !d->reading && d->checks == 0)
		free(d);
}

struct page_check {
	struct deliver *d;
	char id[48];
};

static void on_page_checked(const redisReply *r, const char *err, void *privdata)
{
	struct page_check *pc = privdata;
	struct deliver *d = pc->d;
	struct delivery *dl;

	d->checks--;
	if (d->closing) {
		free(pc);
		maybe_free(d);
		return;
	}
	for (dl = d->active; dl != NULL && strcmp(dl->id, pc->id) != 0; dl = dl->next)
		;
	free(pc);
	if (dl == NULL)
		return;
	dl->checking = false;
	dl->checked_at = uv_now(d->daemon.loop);
	if (dl->checked_at == 0)
		dl->checked_at = 1;
	/* how many of its emergencies still wait for an ack; a failed look
	 * sends (a page that must arrive is not dropped on a doubt) */
	if (err == NULL && r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
		dl->stale = true;
		log_info("deliver: %s was acknowledged or resolved meanwhile: outbox entry %s is not sent",
		    dl->emergency, dl->id);
	}
	for (size_t i = 0; i < *d->daemon.n_conns; i++)
		if ((*d->daemon.conns)[i]->outbox != NULL)
			outbox_kick((*d->daemon.conns)[i]->outbox);
}

static enum out_gate page_gate(void *arg)
{
	struct delivery *dl = arg;
	struct deliver *d = dl->d;
	struct page_check *pc;
	struct state_args *a;

	if (d == NULL)
		return OUT_GATE_SEND;
	if (dl->stale)
		return OUT_GATE_DROP;
	if (dl->checking)
		return OUT_GATE_WAIT;
	if (dl->checked_at != 0 && uv_now(d->daemon.loop) - dl->checked_at <= DELIVER_PAGE_CHECK_MS)
		return OUT_GATE_SEND;
	if (!state_is_up(d->daemon.state) || (pc = malloc(sizeof(*pc))) == NULL)
		return OUT_GATE_SEND;     /* a page that must arrive is not held on a doubt */
	pc->d = d;
	copy_trunc(pc->id, sizeof(pc->id), dl->id);
	a = state_args_new();
	state_args_addf(a, "%semergencies:open", state_prefix(d->daemon.state));
	state_args_add(a, state_prefix(d->daemon.state));
	for (const char *e = dl->emergency; *e;) {
		size_t len = strcspn(e, " ");
		if (len > 0)
			state_args_addf(a, "%.*s", (int)len, e);
		e += len + (e[len] == ' ');
	}
	dl->checking = true;
	d->checks++;
	state_eval(d->daemon.state, SCRIPT_PAGE_OPEN, 1, a, on_page_checked, pc);
	return OUT_GATE_WAIT;
}

static void queue_to(struct deliver *d, struct delivery *dl, struct conn *c, enum out_kind kind,
                     const char *target, enum msg_id id, const char *lang, const char **kv, int nkv)
{
	char *text = malloc(DELIVER_TEXT_MAX);
	char buttons[512];
	int n;

	if (text == NULL || c->outbox == NULL) {
		free(text);
		return;
	}
	/* a value naming a message ("why": "MSG_SWAP_CHANGED_YOURS") or holding one
	 * (a summary) is said in LANG too */
	catalog_format_said(text, DELIVER_TEXT_MAX, lang, id, kv, (size_t)nkv);
	dl->pending++;          /* held while queueing so a fast done cannot finish early */
	buttons_for(id, lang, kv, nkv, buttons, sizeof(buttons));
	/* pages, alerts, reminders: the first lane, ahead of chat friends' answers */
	n = outbox_push_lane(c->outbox, true, kind, target, text, NULL, NULL, lang, buttons[0] ? buttons : NULL,
	    on_piece_done, dl->emergency[0] ? page_gate : NULL, dl);
	dl->pending += n - 1;
	*d->daemon.replies += (uint64_t)(n > 0 ? n : 0);
	free(text);
}

static const char *field(const redisReply *fields, const char *name)
{
	for (size_t i = 0; i + 1 < fields->elements; i += 2)
		if (fields->element[i]->type == REDIS_REPLY_STRING && strcmp(fields->element[i]->str, name) == 0 &&
		    fields->element[i + 1]->type == REDIS_REPLY_STRING)
			return fields->element[i + 1]->str;
	return NULL;
}

static bool active(struct deliver *d, const char *id)
{
	for (struct delivery *dl = d->active; dl; dl = dl->next)
		if (strcmp(dl->id, id) == 0)
			return true;
	return false;
}

/* The connection named NAME, or NULL. */
static struct conn *conn_named(const struct deliver *d, const char *name)
{
	for (size_t i = 0; i < *d->daemon.n_conns; i++)
		if (strcmp((*d->daemon.conns)[i]->name, name) == 0)
			return (*d->daemon.conns)[i];
	return NULL;
}

static void take_entry(struct deliver *d, const redisReply *entry)
{
	struct conn *const *conns = *d->daemon.conns;
	size_t n_conns = *d->daemon.n_conns;
	const redisReply *fields;
	const char *to, *msgname, *params_s, *lang;
	const char *kv[DELIVER_KV_MAX];
	struct delivery *dl;
	cJSON *params = NULL;
	int nkv = 0, id;

	if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || entry->element[0]->type != REDIS_REPLY_STRING)
		return;
	if (active(d, entry->element[0]->str))
		return;         /* reclaimed while we still send it */
	fields = entry->element[1];
	if (fields->type != REDIS_REPLY_ARRAY)
		return;
	dl = calloc(1, sizeof(*dl));
	if (dl == NULL)
		return;
	dl->d = d;
	snprintf(dl->id, sizeof(dl->id), "%s", entry->element[0]->str);
	dl->next = d->active;
	d->active = dl;
	dl->pending = 1;        /* released at the end of this function */

	to = field(fields, "to");
	msgname = field(fields, "msg");
	params_s = field(fields, "params");
	lang = field(fields, "lang");
	id = msgname ? catalog_id_by_name(msgname) : -1;
	if (params_s != NULL && (params = cJSON_Parse(params_s)) != NULL)
		nkv = params_kv(params, kv, DELIVER_KV_MAX);
	if (id >= 0 && wants_open_emergency((enum msg_id)id)) {
		/* a summary names its emergencies "E-4, E-5": kept as "E-4 E-5" */
		const char *e = kv_get(kv, nkv, id == MSG_EMERGENCY_PAGES_HELD ? "ids" : "id");
		size_t n = 0;
		if (e != NULL && strlen(e) < sizeof(dl->emergency))
			for (; *e; e++)
				if (*e != ',')
					dl->emergency[n++] = *e;
		dl->emergency[n] = '\0';
	}
	if (to != NULL && strncmp(to, "system:", 7) == 0) {
		/* a checked system notice: its text as written, to every site connection,
		 * and to every IRC one when the room is a channel there ("#...") or all */
		const char *text = field(fields, "text"), *room = to + 7;
		bool irc_room = room[0] == '#' || room[0] == '&';
		for (size_t i = 0; text != NULL && i < n_conns; i++) {
			struct conn *c = conns[i];
			int n;
			if (c->outbox == NULL || !((c->type == PLATFORM_SITE && !irc_room) ||
			    (c->type == PLATFORM_IRC && (irc_room || strcmp(room, "*") == 0))))
				continue;
			dl->pending++;
			n = outbox_push_lane(c->outbox, true, OUT_SYSTEM, to + 7, text, NULL, NULL, c->lang, NULL,
			    on_piece_done, NULL, dl);
			dl->pending += n - 1;
			*d->daemon.replies += (uint64_t)(n > 0 ? n : 0);
		}
	} else if (to == NULL || id < 0) {
		log_warnx("deliver: dropping outbox entry %s: %s", dl->id, to ? "unknown message" : "no recipient");
	} else if (strncmp(to, "channel:", 8) == 0) {
		int ch = config_channel_parse(to + 8);
		bool any = false;
		for (size_t i = 0; ch >= 0 && i < n_conns; i++) {
			struct conn *c = conns[i];
			if (c->channel[ch] == NULL)
				continue;
			queue_to(d, dl, c, OUT_SEND, c->channel[ch], (enum msg_id)id,
			    c->channel_lang[ch] ? c->channel_lang[ch] : c->lang, kv, nkv);
			any = true;
		}
		if (!any)
			log_warnx("deliver: no connection maps the channel %s; %s not posted", to + 8, msgname);
	} else if (strncmp(to, "user:", 5) == 0) {
		/* a chat friend: "user:<connection>:<user id>" */
		char conn_name[64];
		const char *colon = strchr(to + 5, ':');
		struct conn *c = NULL;
		if (colon != NULL && (size_t)(colon - to - 5) < sizeof(conn_name)) {
			memcpy(conn_name, to + 5, (size_t)(colon - to - 5));
			conn_name[colon - to - 5] = '\0';
			c = conn_named(d, conn_name);
		}
		if (c != NULL)
			queue_to(d, dl, c, OUT_DM, colon + 1, (enum msg_id)id, lang && *lang ? lang : c->lang, kv, nkv);
		else
			log_warnx("deliver: no connection for %s; %s not sent", to, msgname);
	} else if (strncmp(to, "staff:", 6) == 0) {
		const char *idents = field(fields, "idents");
		char *buf = strdup(idents ? idents : ""), *save = NULL;
		bool any = false;
		for (char *ident = buf ? strtok_r(buf, " ", &save) : NULL; ident; ident = strtok_r(NULL, " ", &save)) {
			char *colon = strchr(ident, ':');
			struct conn *c;
			if (colon == NULL)
				continue;
			*colon = '\0';
			c = conn_named(d, ident);
			if (c == NULL)
				continue;
			queue_to(d, dl, c, OUT_DM, colon + 1, (enum msg_id)id, lang && *lang ? lang : c->lang, kv, nkv);
			any = true;
		}
		free(buf);
		if (!any)
			log_warnx("deliver: %s has no identity on a running connection; %s not sent", to + 6, msgname);
	} else {
		log_warnx("deliver: dropping outbox entry %s: unknown recipient %s", dl->id, to);
	}
	cJSON_Delete(params);
	dl->queued_all = true;
	on_piece_done(dl, NULL);
}

/* ---- reading ---- */

static void on_read(const redisReply *r, const char *err, void *privdata)
{
	struct deliver *d = privdata;

	d->reading = false;
	if (d->closing) {
		maybe_free(d);
		return;
	}
	if (err != NULL) {
		if (strncmp(err, "NOGROUP", 7) == 0)
			d->group_ready = false;
		return;
	}
	/* XREADGROUP: [[stream, [entries]]] or nil; XAUTOCLAIM: [cursor, [entries], [deleted]] */
	if (r->type == REDIS_REPLY_ARRAY && r->elements >= 1) {
		const redisReply *entries = NULL;
		if (r->elements >= 2 && r->element[0]->type == REDIS_REPLY_STRING)
			entries = r->element[1];                       /* XAUTOCLAIM */
		else if (r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2)
			entries = r->element[0]->element[1];           /* XREADGROUP */
		for (size_t i = 0; entries && entries->type == REDIS_REPLY_ARRAY && i < entries->elements; i++)
			take_entry(d, entries->element[i]);
		if (entries && entries->elements > 0)
			uv_timer_start(&d->timer, on_timer, 0, 0);    /* maybe more */
	}
}

static void on_group(const redisReply *r, const char *err, void *privdata)
{
	struct deliver *d = privdata;

	(void)r;
	d->reading = false;
	if (d->closing) {
		maybe_free(d);
		return;
	}
	if (err == NULL)
		d->group_ready = true;
	else
		log_warnx("deliver: cannot create the consumer group: %s", err);
}

static void tick(struct deliver *d)
{
	struct state *st = d->daemon.state;
	struct state_args *a;

	if (d->closing)
		return;
	uv_timer_start(&d->timer, on_timer, DELIVER_POLL_MS, 0);
	if (d->reading || !state_is_up(st) || *d->daemon.stopping)
		return;
	if (d->group_epoch != state_epoch(st))
		d->group_ready = false;         /* a new Redis may have no group */
	a = state_args_new();
	if (!d->group_ready) {
		/* in a script: the group that exists already (every start) is no
		 * error reply, which the state layer would log as a warning */
		d->group_epoch = state_epoch(st);
		state_args_addf(a, "%soutbox", state_prefix(st));
		state_args_add(a, DELIVER_GROUP);
		d->reading = true;
		state_eval(st, SCRIPT_OUTBOX_GROUP, 1, a, on_group, d);
		return;
	}
	if (uv_now(d->daemon.loop) - (uint64_t)d->last_reclaim > DELIVER_RECLAIM_MS / 3) {
		d->last_reclaim = (int64_t)uv_now(d->daemon.loop);
		state_args_add(a, "XAUTOCLAIM");
		state_args_addf(a, "%soutbox", state_prefix(st));
		state_args_add(a, DELIVER_GROUP);
		state_args_add(a, d->consumer);
		state_args_addf(a, "%d", DELIVER_RECLAIM_MS);
		state_args_add(a, "0-0");
		state_args_add(a, "COUNT");
		state_args_add(a, DELIVER_BATCH);
	} else {
		state_args_add(a, "XREADGROUP");
		state_args_add(a, "GROUP");
		state_args_add(a, DELIVER_GROUP);
		state_args_add(a, d->consumer);
		state_args_add(a, "COUNT");
		state_args_add(a, DELIVER_BATCH);
		state_args_add(a, "STREAMS");
		state_args_addf(a, "%soutbox", state_prefix(st));
		state_args_add(a, ">");
	}
	d->reading = true;
	state_call(st, a, on_read, d);
}

struct deliver *deliver_new(const struct deliver_setup *setup)
{
	struct deliver *d = calloc(1, sizeof(*d));
	char host[64] = "host";

	if (d == NULL)
		return NULL;
	d->daemon = *setup;
	gethostname(host, sizeof(host) - 1);
	snprintf(d->consumer, sizeof(d->consumer), "%s:%d", host, (int)getpid());
	uv_timer_init(setup->loop, &d->timer);
	d->timer.data = d;
	return d;
}

void deliver_start(struct deliver *d)
{
	uv_timer_start(&d->timer, on_timer, 0, 0);
}

void deliver_poke(struct deliver *d)
{
	if (d == NULL)
		return;         /* shutting down */
	if (!d->closing && !d->reading)
		uv_timer_start(&d->timer, on_timer, 0, 0);
}

size_t deliver_active(const struct deliver *d)
{
	size_t n = 0;

	for (const struct delivery *dl = d->active; dl; dl = dl->next)
		n++;
	return n;
}

uint64_t deliver_count(const struct deliver *d)
{
	return d->delivered;
}

static void on_closed(uv_handle_t *h)
{
	struct deliver *d = h->data;

	d->handle_closed = true;
	maybe_free(d);
}

void deliver_close(struct deliver *d)
{
	/* entries still active stay pending in Redis: another instance, or this
	 * one after a restart, sends them; their pieces free themselves */
	for (struct delivery *dl = d->active; dl; dl = dl->next)
		dl->d = NULL;
	d->active = NULL;
	d->closing = true;
	uv_timer_stop(&d->timer);
	uv_close((uv_handle_t *)&d->timer, on_closed);
}
