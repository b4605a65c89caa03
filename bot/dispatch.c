/*
 * dispatch: from a chat_event to a handler.  In order: is it a command at
 * all (prefix, or any private line), the abuse guard for someone already known
 * as a chat friend (a known friend's flood is dropped before Redis, while
 * Redis vouches they are a friend: see guard_precheck), then one Redis round
 * trip (begin_batch.lua) that drops a message already handled and resolves
 * the caller, the abuse guard for everyone else (now that their role is
 * known: staff over their limit wait their turn in the guard's queue, run in
 * order by the delay timer, never dropped; with Redis unreachable, everyone
 * at the limits of a person not known), then parse, table lookup,
 * role/level and arity checks, each with its own answer.  Only then the
 * handler runs.  This is the only place that checks what a command row
 * declares (CMD_PRIVATE is applied in bot/chat/request.c).
 *
 * The begin is batched: Redis's cost is mostly per script call, not per
 * command in it, so all commands read in one loop turn share one call.
 * dispatch_event() appends the request; a uv_check_t sends the batch.  Check
 * handles run right after the poll phase, i.e. after every socket read of the
 * turn and before the loop can block again, so a command waits for nothing
 * but the reads of its own turn.  A uv_prepare_t (run just before the poll
 * phase) sends what was appended after the check had run (from a check or
 * close callback), so nothing waits for the next I/O.  Both run only while a
 * batch waits; a full batch (BEGIN_BATCH_MAX) goes at once.  Each request then
 * goes on from begin_done() exactly as with a call of its own: requests of one
 * batch in the order they were read, the error path for all of them when the
 * call fails.
 */
#include "bot/dispatch.h"
#include "bot/daemon.h"
#include "bot/request_pool.h"
#include "bot/request_host.h"
#include "bot/flow.h"
#include "handlers/commands.h"
#include "handlers/handlers.h"
#include "bot/guard.h"
#include "bot/mentions.h"
#include "bot/platform/outbox.h"
#include "bot/lib/log.h"
#include "bot/lib/clock.h"
#include "bot/lib/strcopy.h"
#include "state/redis.h"

#include <uv.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* S of N bytes into *AT (terminated); returns the copy and moves *AT past it. */
static char *put(char **at, const char *s, size_t n)
{
	char *p = *at;

	memcpy(p, s, n);
	p[n] = '\0';
	*at += n + 1;
	return p;
}


static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The names of the sub-commands of NAME that P may run: "list, show". */
static void allowed_subs(const char *name, const struct person *p, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		if (strcmp(c->name, name) != 0 || c->sub == NULL || !command_allowed(c, p))
			continue;
		len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s", len ? ", " : "", c->sub);
	}
}

static void route(struct request *req)
{
	const struct config *cfg = request_config(req);
	const struct command *c;
	char name[64], sub[64];
	enum parse_error pe;
	bool known;

	parse_free(&req->cmd);
	pe = parse_command(req->text, &req->cmd);
	if (pe != PARSE_OK) {
		refuse(req, MSG_PARSE_ERROR, "why", parse_error_name(pe));
		request_done(req);
		return;
	}
	copy_trunc(name, sizeof(name), req->cmd.argv[0]);
	lower(name);
	copy_trunc(sub, sizeof(sub), req->cmd.argc > 1 ? req->cmd.argv[1] : "");
	lower(sub);
	c = commands_lookup(name, req->cmd.argc > 1 ? sub : NULL, &known);
	if (req->unprefixed && req->caller.role == ROLE_FRIEND
	    && (c == NULL || !command_allowed(c, &req->caller) || !command_arity_ok(c, req->cmd.argc))) {
		/* a chat friend talking to the bot, not commanding it ("report: the
		 * video hangs" is no !report of theirs): a visit.  Staff's private
		 * lines stay commands, answered as before.  It is counted, and
		 * wakes the outbox, as the !ask it is. */
		req->command = commands_lookup("ask", NULL, &known);
		visits_line(req);
		return;
	}
	if (c == NULL && !known) {
		req->bot->metrics.unknown_commands++;
		refuse(req, MSG_UNKNOWN_COMMAND, "cmd", name, "prefix", cfg->command_prefix);
		request_done(req);
		return;
	}
	if (c == NULL) {
		char subs[256];
		allowed_subs(name, &req->caller, subs, sizeof(subs));
		if (subs[0] == '\0') {
			/* nothing under this name is theirs: say so as for any command they may not run */
			bool k;
			c = commands_lookup(name, NULL, &k);
			for (size_t i = 0; c == NULL && i < n_commands; i++)
				if (strcmp(commands[i].name, name) == 0)
					c = &commands[i];
		} else {
			req->bot->metrics.unknown_commands++;
			refuse(req, MSG_UNKNOWN_SUBCOMMAND, "prefix", cfg->command_prefix, "cmd", name,
			    "sub", sub, "subs", subs);
			request_done(req);
			return;
		}
	}
	req->command = c;
	if (!command_allowed(c, &req->caller)) {
		char label[64];
		command_label(c, label, sizeof(label));
		if (req->caller.role < c->min_role)
			refuse(req, MSG_REFUSED_ROLE, "prefix", cfg->command_prefix, "cmd", label,
			    "needed", role_display(c->min_role, req->caller.lang),
			    "role", role_display(req->caller.role, req->caller.lang));
		else
			refuse(req, MSG_REFUSED_LEVEL, "prefix", cfg->command_prefix, "cmd", label,
			    "needed", config_level_name(c->min_level),
			    "level", req->caller.level ? config_level_name(req->caller.level) : "—");
		request_done(req);
		return;
	}
	if (!command_arity_ok(c, req->cmd.argc)) {
		reply_usage(req);
		request_done(req);
		return;
	}
	req->private_answer = (c->flags & CMD_PRIVATE) != 0;
	c->proc(req);
}

struct begin_batch;
static void batch_add(struct begin_batch *b, struct request *req);
static void delay_arm(struct begin_batch *b);

/* Tells USER privately what the guard did (ID with NAME, SECONDS and KV). */
static void guard_tell(struct dutybot *bot, struct conn *c, const char *user, const char *lang, enum msg_id id,
                       const char *name, int64_t wait_ms, const char *count, const char *cmd)
{
	char text[1024], secs[24];

	snprintf(secs, sizeof(secs), "%lld", (long long)((wait_ms + 999) / 1000));
	catalog_format(text, sizeof(text), lang, id,
	    (const char *const[]){ "name", name, "seconds", secs, "count", count ? count : "", "cmd", cmd ? cmd : "" }, 8);
	daemon_queue(bot, c, false, OUT_DM, user, text, NULL, NULL, lang);
}

/* The most characters of a command quoted back in a guard notice. */
#define GUARD_CMD_CHARS 80

/*
 * The abuse guard for a request whose caller is resolved: true if it runs
 * now.  Otherwise the request is the guard's (staff: waits in its queue) or
 * is done with (a friend's flood, a full queue).
 */
static bool admit(struct request *req)
{
	struct dutybot *bot = req->bot;
	const struct person *p = &req->caller;
	struct guard_note note;
	char name[PERSON_NAME_MAX + 16], count[24], *cmd;
	enum guard_verdict v;

	v = guard_check(bot->guard, p->identity, p->role > ROLE_FRIEND ? GUARD_STAFF : GUARD_FRIEND, p->lang,
	    clock_now_ms(), req, &note);
	if (v == GUARD_OK)
		return true;
	if (v == GUARD_DELAY) {
		bot->metrics.delayed++;
		if (note.tell) {
			log_info("%s: %s sends commands faster than their limit; the next ones wait their turn",
			    req->conn->name, p->identity);
			guard_tell(bot, req->conn, req->user_id, p->lang, MSG_GUARD_DELAYED, person_display(p, name, sizeof(name)), note.wait_ms, NULL, NULL);
		}
		delay_arm(bot->batch);
		return false;
	}
	bot->metrics.throttled++;
	if (note.tell && v == GUARD_FULL) {
		log_warnx("%s: %s has %zu commands waiting; refusing more", req->conn->name, p->identity, note.queued);
		snprintf(count, sizeof(count), "%zu", note.queued);
		/* the command as typed, cut at a character boundary (any script) */
		cmd = outbox_shorten(req->text, GUARD_CMD_CHARS);
		guard_tell(bot, req->conn, req->user_id, p->lang, MSG_GUARD_QUEUE_FULL, person_display(p, name, sizeof(name)), note.wait_ms, count,
		    cmd != NULL ? cmd : "");
		free(cmd);
	} else if (note.tell) {
		log_info("%s: %s sends commands too fast; dropping the excess", req->conn->name, p->identity);
		guard_tell(bot, req->conn, req->user_id, p->lang, MSG_SLOW_DOWN, person_display(p, name, sizeof(name)), note.wait_ms, NULL, NULL);
	}
	request_done(req);
	return false;
}

/*
 * The abuse guard for a request whose caller Redis could not resolve (it is
 * down, or answered nonsense): true if it runs (as far as it can).  Nobody's
 * role is known, staff can't be told from friends: counted as an unknown
 * person's (at the class learned earlier, the friends' limits if none), the
 * excess dropped and told once, like a friend's flood; in the language the
 * guard learned before (dispatch_event put it in ->caller), if any.
 */
static bool admit_unknown(struct request *req)
{
	struct dutybot *bot = req->bot;
	const struct person *p = &req->caller;
	struct guard_note note;
	char name[PERSON_NAME_MAX + 16];

	if (req->guarded)
		return true;    /* counted before Redis already */
	if (guard_check(bot->guard, p->identity, GUARD_UNKNOWN, NULL, clock_now_ms(), NULL, &note) == GUARD_OK)
		return true;
	bot->metrics.throttled++;
	if (note.tell) {
		log_info("%s: %s sends commands too fast while the state store is unavailable; dropping the excess",
		    req->conn->name, p->identity);
		guard_tell(bot, req->conn, req->user_id, p->lang, MSG_SLOW_DOWN,
		    person_display(p, name, sizeof(name)), note.wait_ms, NULL, NULL);
	}
	request_done(req);
	return false;
}

static void fill_friend(struct request *req, const char *user_name, const char *lang)
{
	struct person *p = &req->caller;

	p->id[0] = '\0';
	p->role = ROLE_FRIEND;
	p->level = LEVEL_NONE;
	copy_trunc(p->name, sizeof(p->name), user_name);
	copy_trunc(p->lang, sizeof(p->lang), lang && *lang ? lang : req->conn->lang);
}

/* Without the state store, who the caller is comes from the config's staff
 * list (which the store's staff records are synced from): their role for the
 * gate of what still runs, their language for the answer. */
static void fill_from_config(struct request *req)
{
	struct person *p = &req->caller;
	const struct config_staff *s = config_staff_by_identity(req->bot->cfg, p->identity);

	if (s == NULL)
		return;
	copy_trunc(p->id, sizeof(p->id), s->id);
	copy_trunc(p->name, sizeof(p->name), s->name);
	p->role = s->role;
	p->level = s->level;
	if (s->lang != NULL)
		copy_trunc(p->lang, sizeof(p->lang), s->lang);
}

#define BEGIN_FIELDS_MAX (6 + MENTIONS_MAX)

/*
 * Splits a begin reply ("1\0id\0name…", see begin_batch.lua) in place into
 * its NUL-terminated fields (hiredis ends the string with a NUL too); fields
 * past MAX are dropped.  Returns the number of fields.
 */
static size_t split_fields(const redisReply *r, const char **f, size_t max)
{
	const char *p = r->str, *end = r->str + r->len;
	size_t n = 0;

	while (n < max) {
		f[n++] = p;
		p = memchr(p, '\0', (size_t)(end - p));
		if (p == NULL || p == end)
			break;
		p++;
	}
	return n;
}

/* Writes the mentions begin_batch.lua resolved (IDS, N of them) as "@<staff id>". */
static void apply_mentions(struct request *req, const char *const *ids, size_t nids)
{
	struct mention m[MENTIONS_MAX];
	const char *staff[MENTIONS_MAX];
	size_t n = mentions_find(req->text, m, MENTIONS_MAX);
	char *out;

	if (n == 0 || nids == 0)
		return;
	for (size_t i = 0; i < n; i++)
		staff[i] = i < nids && *ids[i] ? ids[i] : NULL;
	if ((out = mentions_rewrite(req->text, m, n, staff)) != NULL) {
		free(req->text_rewritten);
		req->text = req->text_rewritten = out;
	}
}

/* One request's begin reply R (or ERR; neither: the reply was malformed). */
static void begin_done(struct request *req, const redisReply *r, const char *err)
{
	struct person *p = &req->caller;
	const char *f[BEGIN_FIELDS_MAX];
	char name[PERSON_NAME_MAX + 16];
	size_t nf = 0;

	if (err == NULL && (r == NULL || r->type != REDIS_REPLY_STRING ||
	    (nf = split_fields(r, f, BEGIN_FIELDS_MAX)) < 1 || f[0][0] < '0' || f[0][0] > '2' || f[0][1] != '\0' ||
	    (f[0][0] == '1' && nf < 6) || (f[0][0] == '2' && nf < 2)))
		err = "unexpected reply from begin";
	if (err != NULL) {
		/* Without the store we cannot tell who it is: guarded as someone
		 * not known, then only CMD_NO_STATE commands run. */
		struct parsed *cmd = &req->cmd;
		bool known;
		const struct command *c = NULL;
		if (req->guard_dropped) {
			/* the notice, in the language learned before (dispatch_event) or the connection's */
			req->bot->metrics.throttled++;
			guard_tell(req->bot, req->conn, req->user_id, p->lang, MSG_SLOW_DOWN,
			    person_display(p, name, sizeof(name)), req->data_word, NULL, NULL);
			request_done(req);
			return;
		}
		if (!admit_unknown(req))
			return;
		fill_from_config(req);
		parse_free(cmd);
		if (parse_command(req->text, cmd) == PARSE_OK) {
			char cname[64];
			copy_trunc(cname, sizeof(cname), cmd->argv[0]);
			lower(cname);
			c = commands_lookup(cname, cmd->argc > 1 ? cmd->argv[1] : NULL, &known);
		}
		/* the same gate as always, with who the config says the caller is */
		if (c != NULL && (c->flags & CMD_NO_STATE) && command_allowed(c, p)) {
			req->command = c;
			c->proc(req);
			return;
		}
		req->command = c;
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	switch (f[0][0]) {
	case '0':
		log_debug("%s: message %s already handled", req->conn->name, req->msg_id ? req->msg_id : "?");
		req->bot->metrics.duplicates++;
		request_done(req);
		return;
	case '1': {
		int role = config_role_parse(f[3]);
		int level = config_level_parse(f[4]);
		copy_trunc(p->id, sizeof(p->id), f[1]);
		copy_trunc(p->name, sizeof(p->name), f[2]);
		p->role = role > ROLE_FRIEND ? (enum role)role : ROLE_AGENT;
		p->level = level > 0 ? (enum level)level : LEVEL_NONE;
		copy_trunc(p->lang, sizeof(p->lang), *f[5] ? f[5] : req->conn->lang);
		apply_mentions(req, f + 6, nf - 6);
		break;
	}
	default:
		/* the friend's display name was kept in ->name by dispatch_event */
		copy_trunc(p->lang, sizeof(p->lang), *f[1] ? f[1] : req->conn->lang);
		apply_mentions(req, f + 2, nf - 2);
		break;
	}
	if (req->guard_dropped && p->role == ROLE_FRIEND) {
		/* a known friend's flood: the one notice, now in their language */
		guard_learn(req->bot->guard, p->identity, GUARD_FRIEND, p->lang, clock_now_ms());
		req->bot->metrics.throttled++;
		guard_tell(req->bot, req->conn, req->user_id, p->lang, MSG_SLOW_DOWN,
		    person_display(p, name, sizeof(name)), req->data_word, NULL, NULL);
		request_done(req);
		return;
	}
	if (req->guarded)       /* counted before Redis as a friend's: what is it really? */
		guard_learn(req->bot->guard, p->identity, p->role > ROLE_FRIEND ? GUARD_STAFF : GUARD_FRIEND, p->lang,
		    clock_now_ms());
	else if (!admit(req))   /* (also a line dropped as a friend's whose caller is staff now: staff limits) */
		return;
	route(req);
}

void dispatch_event(struct dutybot *bot, struct conn *c, const struct chat_event *ev)
{
	const struct config *cfg = bot->cfg;
	const char *prefix = cfg->command_prefix;
	size_t plen = strlen(prefix);
	const char *body = ev->text;
	size_t blen = ev->text_len;
	char identity[sizeof(((struct person *)0)->identity)];
	struct guard_note note;
	struct request *req;
	const char *room;
	size_t len[4];
	char *at;
	bool guarded = false, dropped = false, unprefixed = false;

	if (blen >= plen && memcmp(body, prefix, plen) == 0) {
		body += plen;
		blen -= plen;
	} else if (!ev->dm) {
		return;         /* chatter */
	} else {
		unprefixed = true;
	}
	while (blen > 0 && parse_blank(*body)) {
		body++;
		blen--;
	}
	if (blen == 0)
		return;         /* a lone "!" */
	while (blen > 0 && parse_blank(body[blen - 1]))
		blen--;
	bot->metrics.events_in++;
	copy_join(identity, sizeof(identity), c->name, ':', ev->user_id);

	/* a known chat friend's flood stops here, while Redis vouches they are
	 * a friend, but for the one line whose begin call learns the language of
	 * the notice (and whether they are staff by now); everyone else is
	 * guarded once their role is known (admit()) */
	if (guard_precheck(bot->guard, identity, clock_now_ms(), &note) != GUARD_OK) {
		if (!note.tell) {
			bot->metrics.throttled++;
			return;
		}
		log_info("%s: %s sends commands too fast; dropping the excess", c->name, identity);
		dropped = true;
	}
	guarded = note.counted;
	/* a busy connection takes staff only: memory stays bounded, staff first */
	if (!flow_admit(bot, c, identity))
		return;

	room = ev->dm ? NULL : ev->room;
	len[0] = room ? strlen(room) : 0;
	len[1] = strlen(ev->user_id);
	len[2] = ev->msg_id ? strlen(ev->msg_id) : 0;
	len[3] = ev->click ? strlen(ev->click) : 0;
	req = request_pool_get(bot->requests, len[0] + len[1] + len[2] + len[3] + blen + 5);
	if (req == NULL) {
		log_warnx("dispatch: out of memory");
		return;
	}
	at = (char *)(req + 1);
	req->host = &request_host;
	req->bot = bot;
	req->conn = c;
	req->room = room ? put(&at, room, len[0]) : NULL;
	req->user_id = put(&at, ev->user_id, len[1]);
	req->msg_id = ev->msg_id ? put(&at, ev->msg_id, len[2]) : NULL;
	req->click = ev->click ? put(&at, ev->click, len[3]) : NULL;
	req->text = put(&at, body, blen);
	req->received_ms = clock_now_ms();
	copy_trunc(req->caller.identity, sizeof(req->caller.identity), identity);
	req->guarded = guarded;
	req->guard_dropped = dropped;
	req->unprefixed = unprefixed;
	req->data_word = dropped ? (int)(note.wait_ms < 3600000 ? note.wait_ms : 3600000) : 0;
	/* the language learned before, until Redis says (or if it can't) */
	fill_friend(req, ev->user_name, note.lang);
	bot->requests_in_flight++;
	flow_began(c);
	batch_add(bot->batch, req);
}

/* ---- the begin batch ---- */

#define BEGIN_BATCH_MAX 128
struct begin_batch {
	struct dutybot *bot;
	uv_check_t check;
	uv_prepare_t prepare;
	bool closed;                    /* handles closed: every append is sent at once */
	uv_timer_t delay;               /* runs staff commands the guard made wait, when their turn comes */
	size_t n;
	struct request *req[BEGIN_BATCH_MAX];
};

/* One begin_batch.lua call in flight: its requests, in order. */
struct begin_call {
	size_t n;
	struct request *req[];
};

static void on_begin_batch(const redisReply *r, const char *err, void *privdata)
{
	struct begin_call *call = privdata;
	bool ok = err != NULL || (r->type == REDIS_REPLY_ARRAY && r->elements == call->n);

	if (!ok)
		log_warnx("dispatch: begin_batch answered %zu replies for %zu commands",
		    r->type == REDIS_REPLY_ARRAY ? r->elements : 0, call->n);
	for (size_t i = 0; i < call->n; i++)
		begin_done(call->req[i], ok && err == NULL ? r->element[i] : NULL, err);
	free(call);
}

static void batch_flush(struct begin_batch *b)
{
	struct dutybot *bot = b->bot;
	size_t n = b->n;
	struct begin_call *call;
	struct state_args *a;

	if (n == 0)
		return;
	b->n = 0;
	if (!b->closed) {
		uv_check_stop(&b->check);
		uv_prepare_stop(&b->prepare);
	}
	call = malloc(sizeof(*call) + n * sizeof(call->req[0]));
	if (call == NULL) {
		log_warnx("dispatch: out of memory");
		for (size_t i = 0; i < n; i++)
			begin_done(b->req[i], NULL, "out of memory");
		return;
	}
	call->n = n;
	memcpy(call->req, b->req, n * sizeof(call->req[0]));
	a = state_args_new();
	if (a != NULL) {
		const char *pre = state_prefix(bot->state);
		state_args_addf(a, "%sident", pre);
		state_args_add(a, pre);
		state_args_addf(a, "%lld", (long long)bot->cfg->limits.dedupe_ttl_ms);
		for (size_t i = 0; i < n; i++) {
			static const char *const counts[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8" };
			const struct request *req = call->req[i];
			struct mention m[MENTIONS_MAX];
			size_t nm = strstr(req->text, "<@") != NULL ? mentions_find(req->text, m, MENTIONS_MAX) : 0;
			_Static_assert(MENTIONS_MAX < sizeof(counts) / sizeof(counts[0]), "a count per mention");
			bool dedupe = req->msg_id != NULL && req->msg_id[0] != '\0';
			state_args_add(a, dedupe ? req->conn->name : "");
			state_args_add(a, dedupe ? req->msg_id : "");
			state_args_add(a, req->caller.identity);
			state_args_add(a, counts[nm]);
			for (size_t j = 0; j < nm; j++)
				state_args_addf(a, "%s:%s", req->conn->name, m[j].id);
		}
	}
	bot->metrics.begin_batches++;
	state_eval(bot->state, SCRIPT_BEGIN_BATCH, 1, a, on_begin_batch, call);
}

static void on_check(uv_check_t *h)
{
	batch_flush(h->data);
}

static void on_prepare(uv_prepare_t *h)
{
	batch_flush(h->data);
}

/* ---- staff commands waiting their turn ---- */

/* Every command still waiting, limits ignored: the daemon is stopping. */
static void delay_run_all(struct begin_batch *b)
{
	struct request *req;

	while ((req = guard_take_any(b->bot->guard)) != NULL)
		route(req);
}

static void on_delay(uv_timer_t *t)
{
	struct begin_batch *b = t->data;
	struct request *req;

	if (b->bot->stopping) {
		delay_run_all(b);
		return;
	}
	while ((req = guard_next_ready(b->bot->guard, clock_now_ms())) != NULL)
		route(req);
	delay_arm(b);
}

/* Wakes when the next waiting command's turn comes (at most 250 ms on, so
 * that a shutdown runs what waits without delay). */
static void delay_arm(struct begin_batch *b)
{
	int64_t due;

	if (b->closed) {
		delay_run_all(b);
		return;
	}
	due = guard_next_due(b->bot->guard, clock_now_ms());
	if (due < 0) {
		uv_timer_stop(&b->delay);
		return;
	}
	uv_timer_start(&b->delay, on_delay, (uint64_t)(due < 250 ? due : 250), 0);
}

static void batch_add(struct begin_batch *b, struct request *req)
{
	b->req[b->n++] = req;
	if (b->n == BEGIN_BATCH_MAX || b->closed) {
		batch_flush(b);
	} else if (b->n == 1) {
		uv_check_start(&b->check, on_check);
		uv_prepare_start(&b->prepare, on_prepare);
	}
}

int dispatch_init(struct dutybot *bot)
{
	struct begin_batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return -1;
	b->bot = bot;
	uv_check_init(bot->loop, &b->check);
	uv_prepare_init(bot->loop, &b->prepare);
	uv_timer_init(bot->loop, &b->delay);
	b->check.data = b->prepare.data = b->delay.data = b;
	bot->batch = b;
	return 0;
}

void dispatch_close(struct dutybot *bot)
{
	struct begin_batch *b = bot->batch;

	if (b == NULL || b->closed)
		return;
	batch_flush(b);
	b->closed = true;
	/* what still waits its turn goes now, before Redis closes */
	delay_run_all(b);
	uv_close((uv_handle_t *)&b->check, NULL);
	uv_close((uv_handle_t *)&b->prepare, NULL);
	uv_close((uv_handle_t *)&b->delay, NULL);
}

void dispatch_free(struct dutybot *bot)
{
	free(bot->batch);
	bot->batch = NULL;
}
