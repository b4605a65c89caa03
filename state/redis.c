/*
 * redis: connection life cycle and calls.
 *
 *   DOWN --connect--> CONNECTING --onConnect ok--> LOADING --PING reply--> UP
 *     ^                    |                          |                    |
 *     +---- backoff <------+---------- error/timeout -+--------------------+
 *
 * With sentinels, "connect" first asks them for the master (ASKING), and the
 * setup checks ROLE says master; +switch-master from a sentinel drops the
 * connection and connects to the new master at once.  A failed connection
 * asks the sentinels again after the usual backoff.
 *
 * Every call is a struct pending on a FIFO list (replies come back in order
 * on one connection, so the head is the oldest); a 250 ms sweep fails the
 * connection when the head waits past the timeout.  hiredis hands each
 * pending callback a NULL reply when the context goes away, which we turn
 * into STATE_UNAVAILABLE: every callback runs exactly once.
 *
 * A script call whose reply was lost that way may have run or not (Redis can
 * write it to its AOF and die before answering), so its caller could not say
 * "done" or "not done" truthfully.  Each one names a key of its own (its last
 * KEYS, "<prefix>once:<instance>:<n>") under which the script keeps its reply
 * (wrap_once.lua.in); it waits, up to STATE_REPLAY_MS from its first sending,
 * for the connection to be up again and is sent again: run once, answered
 * once, with the reply of the run that counted.
 */
#include "state/redis.h"
#include "state/redis_priv.h"
#include "state/redis_uv.h"
#include "bot/lib/log.h"

#include <hiredis/async.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A call whose reply was lost waits this long for Redis (its reply is kept 30 s). */
#define STATE_REPLAY_MS 15000
/* Kept replies whose reply came are deleted this many at a time, or each sweep. */
#define STATE_FORGET_BATCH 256

static const char *const conn_names[] = {
	"down", "asking the sentinels", "connecting", "loading scripts", "up", "closing"
};

#define STATE_NAMES(id, name) name,
static const char *const script_names[] = { STATE_SCRIPTS(STATE_NAMES) };
#undef STATE_NAMES

static void finish_close(struct state *st);

/* ---- pending list ---- */

static void list_insert_tail(struct pending *head, struct pending *p)
{
	p->prev = head->prev;
	p->next = head;
	head->prev->next = p;
	head->prev = p;
}

static void list_remove(struct pending *p)
{
	p->prev->next = p->next;
	p->next->prev = p->prev;
	p->prev = p->next = p;
}

static void release(struct pending *p)
{
	if (p->finished && p->outstanding == 0)
		free(p);
}

/* What an UNLINK misses expires by itself (wrap_once.lua.in). */
static void on_forgotten(const redisReply *reply, const char *err, void *privdata)
{
	(void)reply, (void)err, (void)privdata;
}

static void forget_flush(struct state *st)
{
	struct state_args *a = st->forget;

	st->forget = NULL;
	if (a == NULL || a->argc <= 1 || st->conn != ST_UP) {
		state_args_free(a);
		return;
	}
	state_submit(st, -1, 0, a, on_forgotten, NULL, true);
}

/* The reply of P came: its kept copy is of no use any more. */
static void forget(struct state *st, const struct pending *p)
{
	if (st->forget == NULL) {
		st->forget = state_args_new();
		if (st->forget == NULL)
			return;
		state_args_add(st->forget, "UNLINK");
	}
	state_args_add(st->forget, p->once);
	if (st->forget->argc > STATE_FORGET_BATCH)
		forget_flush(st);
}

static void finish(struct pending *p, const redisReply *reply, const char *err)
{
	struct state *st = p->st;

	if (reply != NULL && p->once[0] != '\0')
		forget(st, p);
	list_remove(p);
	st->n_pending--;
	if (err != NULL)
		st->stats.errors++;
	p->finished = true;
	p->cb(reply, err, p->privdata);
	state_args_free(p->args);
	p->args = NULL;
	if (p->held != NULL)
		freeReplyObject(p->held);
	p->held = NULL;
	release(p);
}

static void on_fail_timer(uv_timer_t *t)
{
	struct state *st = t->data;

	while (st->failed.next != &st->failed) {
		struct pending *p = st->failed.next;
		list_remove(p);
		list_insert_tail(&st->head, p);   /* finish() removes it again */
		finish(p, NULL, p->refused != NULL ? p->refused : STATE_UNAVAILABLE);
	}
}

/* Fail without calling back from inside the caller's own stack frame. */
static void fail_later(struct state *st, struct pending *p)
{
	list_insert_tail(&st->failed, p);
	if (!uv_is_active((uv_handle_t *)&st->fail_timer))
		uv_timer_start(&st->fail_timer, on_fail_timer, 0, 0);
}

/* ---- sending ---- */

static void send_pending(struct state *st, struct pending *p);

/* Below the call timeout, so a silent replica costs a slow answer, not a dropped connection. */
static int64_t wait_ms(const struct state *st)
{
	return st->opt.timeout_ms / 2 > 0 ? st->opt.timeout_ms / 2 : 1;
}

static void on_wait_reply(redisAsyncContext *ac, void *r, void *privdata);

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct pending *p = privdata;
	redisReply *reply = r;
	char where[128];

	(void)ac;
	p->outstanding--;
	if (p->finished) {
		release(p);
		return;
	}
	if (reply == NULL) {
		struct state *st = p->st;
		if (p->once[0] != '\0' && st->conn != ST_CLOSING && uv_now(st->loop) - p->first < STATE_REPLAY_MS) {
			if (p->wait)
				p->skip_waits++;        /* this attempt's WAIT comes back empty too */
			list_remove(p);
			list_insert_tail(&st->replay, p);
			st->stats.replayed++;
			return;
		}
		finish(p, NULL, STATE_UNAVAILABLE);
		return;
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		if (p->script >= 0 && !p->retried && strncmp(reply->str, "NOSCRIPT", 8) == 0 &&
		    p->st->conn == ST_UP) {
			/* Redis restarted or flushed its script cache: send the source once. */
			p->retried = 1;
			p->st->sha[p->script][0] = '\0';
			if (p->wait)
				p->skip_waits++;
			send_pending(p->st, p);
			return;
		}
		log_warnx("redis: %s: %s%s", p->script >= 0 ? script_names[p->script] : "command", reply->str,
		    p->script >= 0 ? state_script_where(&state_script_sources[p->st->script_index[p->script]],
		    reply->str, where, sizeof(where)) : "");
		finish(p, NULL, reply->str);
		return;
	}
	if (p->wait && (p->held = state_reply_clone(reply)) != NULL)
		return;         /* answered when the WAIT is */
	finish(p, reply, NULL);
}

/*
 * The WAIT after a call in sentinel mode: once a replica has what the call
 * wrote, a failover (which promotes a replica) cannot lose it.  When none
 * confirms in time the write is on the master all the same, so it is answered
 * as it went, and logged: that is the window in which a failover loses it.
 */
static void on_wait_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct pending *p = privdata;
	redisReply *reply = r;

	(void)ac;
	p->outstanding--;
	if (p->skip_waits > 0) {
		p->skip_waits--;
		release(p);
		return;
	}
	if (p->finished) {
		release(p);
		return;
	}
	if (reply == NULL && p->held == NULL) {
		finish(p, NULL, STATE_UNAVAILABLE);
		return;
	}
	/* gone before the WAIT answered: the call itself ran (its reply is
	 * held), only whether a replica has it is unknown */
	if (reply == NULL || reply->type != REDIS_REPLY_INTEGER || reply->integer < 1) {
		struct state *st = p->st;
		st->stats.unreplicated++;
		/* WAIT blocks the connection: waiting on for a stuck replica would
		 * hold every call behind it, so calls go on without until one is back */
		if (!st->lagging)
			log_warnx("redis: no replica confirmed a write in %lld ms (%s); a failover now would lose it; "
			    "calls stop waiting for a replica until one catches up", (long long)wait_ms(st),
			    reply == NULL ? "connection lost" : reply->type == REDIS_REPLY_ERROR ? reply->str : "WAIT timed out");
		st->lagging = true;
		/* the calls sent behind it (with WAITs of their own, sent before
		 * this one timed out) could not run while it blocked: that time
		 * is not theirs, or two WAITs in a row would time a call out */
		if (reply != NULL) {
			uint64_t now = uv_now(st->loop);
			for (struct pending *q = st->head.next; q != &st->head; q = q->next)
				if (q != p && q->started < now)
					q->started = now;
		}
	}
	finish(p, p->held, NULL);
}

static void send_pending(struct state *st, struct pending *p)
{
	const char *argv_inline[STATE_ARGS_INLINE + 4], **argv = argv_inline;
	size_t len_inline[STATE_ARGS_INLINE + 4], *len = len_inline;
	char nkeys[16];
	int argc = 0, ok;

	if (p->args->argc > STATE_ARGS_INLINE) {
		argv = malloc((size_t)(p->args->argc + 4) * sizeof(*argv));
		len = malloc((size_t)(p->args->argc + 4) * sizeof(*len));
		if (argv == NULL || len == NULL) {
			free(argv);
			free(len);
			list_remove(p);
			fail_later(st, p);
			return;
		}
	}

	if (p->script >= 0) {
		int idx = st->script_index[p->script];
		if (st->sha[p->script][0] != '\0') {
			argv[argc] = "EVALSHA";
			len[argc++] = 7;
			argv[argc] = st->sha[p->script];
			len[argc++] = 40;
		} else {
			argv[argc] = "EVAL";
			len[argc++] = 4;
			argv[argc] = state_script_sources[idx].source;
			len[argc] = strlen(argv[argc]);
			argc++;
		}
		snprintf(nkeys, sizeof(nkeys), "%d", p->nkeys + (p->once[0] != '\0'));
		argv[argc] = nkeys;
		len[argc++] = strlen(nkeys);
	}
	for (int i = 0; i < p->args->argc; i++) {
		if (i == p->nkeys && p->once[0] != '\0') {
			argv[argc] = p->once;           /* the last of the keys */
			len[argc++] = strlen(p->once);
		}
		argv[argc] = p->args->argv[i];
		len[argc++] = p->args->len[i];
	}
	if (p->args->argc == p->nkeys && p->once[0] != '\0') {
		argv[argc] = p->once;
		len[argc++] = strlen(p->once);
	}
	p->ac = st->ac;
	ok = redisAsyncCommandArgv(st->ac, on_reply, p, argc, argv, len) == REDIS_OK;
	if (ok)
		p->outstanding++;
	if (ok && p->wait) {
		if (redisAsyncCommand(st->ac, on_wait_reply, p, "WAIT 1 %lld", (long long)wait_ms(st)) == REDIS_OK)
			p->outstanding++;
		else
			p->wait = false;
	}
	if (argv != argv_inline) {
		free(argv);
		free(len);
	}
	if (!ok) {
		list_remove(p);
		fail_later(st, p);
	}
}

void state_submit(struct state *st, int script, int nkeys, struct state_args *args,
                   state_cb *cb, void *privdata, bool internal)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		state_args_free(args);
		cb(NULL, "out of memory", privdata);
		return;
	}
	p->st = st;
	p->args = args;
	p->script = script;
	p->nkeys = nkeys;
	p->cb = cb;
	p->privdata = privdata;
	p->started = p->first = uv_now(st->loop);
	/* a key cut short could be another call's: such a call is just not sent again */
	if (script >= 0 && !internal && snprintf(p->once, sizeof(p->once), "%sonce:%s:%llu", st->opt.prefix,
	    st->instance, (unsigned long long)++st->once_seq) >= (int)sizeof(p->once))
		p->once[0] = '\0';
	p->prev = p->next = p;
	st->n_pending++;
	st->stats.calls++;
	if (args == NULL) {
		/* state_args_new() failed and the adders did nothing: no call to make */
		log_warnx("redis: a call without arguments (out of memory) was not sent");
		p->refused = "out of memory";
		fail_later(st, p);
		return;
	}
	if (args->overflow) {
		log_warnx("redis: a call with too many or too long arguments was not sent");
		p->refused = "request too large";
		fail_later(st, p);
		return;
	}
	if (!(st->conn == ST_UP || (internal && st->conn == ST_LOADING)) || st->ac == NULL) {
		fail_later(st, p);
		return;
	}
	p->wait = !internal && st->sentinel != NULL && st->replicas > 0 && !st->lagging;
	list_insert_tail(&st->head, p);
	send_pending(st, p);
}

void state_call(struct state *st, struct state_args *args, state_cb *cb, void *privdata)
{
	state_submit(st, -1, 0, args, cb, privdata, false);
}

void state_eval(struct state *st, enum state_script id, int nkeys,
                struct state_args *args, state_cb *cb, void *privdata)
{
	state_submit(st, (int)id, nkeys, args, cb, privdata, false);
}

/* ---- connection ---- */

/* Up again: the calls whose reply was lost go first, in their order. */
static void replay(struct state *st)
{
	size_t n = 0;

	while (st->replay.next != &st->replay && st->conn == ST_UP && st->ac != NULL) {
		struct pending *p = st->replay.next;
		list_remove(p);
		list_insert_tail(&st->head, p);
		p->retried = 0;
		p->started = uv_now(st->loop);
		p->wait = st->sentinel != NULL && st->replicas > 0 && !st->lagging;
		send_pending(st, p);
		n++;
	}
	if (n > 0)
		log_info("redis: %zu call(s) in flight when the connection failed sent again "
		    "(each runs once: its reply is kept)", n);
}

/* Those that waited too long for Redis: now "unavailable" after all. */
static void expire_replays(struct state *st, bool all)
{
	uint64_t now = uv_now(st->loop);

	for (struct pending *p = st->replay.next, *next; p != &st->replay; p = next) {
		next = p->next;
		if (all || now - p->first >= STATE_REPLAY_MS) {
			list_remove(p);
			fail_later(st, p);
		}
	}
}

void state_set_conn(struct state *st, enum state_conn c, const char *reason)
{
	/* closing is the end: a late answer (the script load's ping, a sentinel's)
	 * must not make the connection "up" again, or it never finishes closing */
	if (st->conn == c || st->conn == ST_CLOSING)
		return;
	if (c == ST_UP || st->conn == ST_UP || st->quiet_failures == 0)
		log_info("redis: state change %s -> %s, reason: %s", conn_names[st->conn], conn_names[c], reason);
	else
		log_debug("redis: state change %s -> %s, reason: %s", conn_names[st->conn], conn_names[c], reason);
	st->conn = c;
	if (c == ST_UP)
		replay(st);
}

struct loaded_ctx {
	struct state *st;
	int id;
};

static void on_script_loaded_ctx(const redisReply *reply, const char *err, void *privdata)
{
	struct loaded_ctx *lc = privdata;

	char where[128];

	if (err == NULL && reply->type == REDIS_REPLY_STRING && reply->len == 40)
		memcpy(lc->st->sha[lc->id], reply->str, 41);
	else if (err == NULL)
		log_warnx("redis: SCRIPT LOAD %s: unexpected reply", script_names[lc->id]);
	else if (*state_script_where(&state_script_sources[lc->st->script_index[lc->id]], err, where, sizeof(where)))
		log_warnx("redis: SCRIPT LOAD %s failed%s", script_names[lc->id], where);
	free(lc);
}

static void on_ready_ping(const redisReply *reply, const char *err, void *privdata)
{
	struct state *st = privdata;

	if (err != NULL) {
		if (st->conn == ST_LOADING)
			state_drop_connection(st, err);
		return;
	}
	st->backoff_ms = 0;
	st->quiet_failures = 0;
	if (st->connects++ > 0)
		st->stats.reconnects++;
	state_set_conn(st, ST_UP, "connected, scripts loaded");
}

static void on_setup_reply(const redisReply *reply, const char *err, void *privdata)
{
	struct state *st = privdata;

	if (err != NULL && st->conn == ST_LOADING) {
		log_warnx("redis: setup failed: %s", err);
		state_drop_connection(st, "setup failed");
	}
}

static void load_scripts(struct state *st)
{
	struct state_args *a;

	if (st->opt.password != NULL) {
		a = state_args_new();
		state_args_add(a, "AUTH");
		state_args_add(a, st->opt.password);
		state_submit(st, -1, 0, a, on_setup_reply, st, true);
	}
	if (st->opt.db != 0) {
		a = state_args_new();
		state_args_add(a, "SELECT");
		state_args_addf(a, "%d", st->opt.db);
		state_submit(st, -1, 0, a, on_setup_reply, st, true);
	}
	if (st->sentinel != NULL) {
		st->replicas_said = false;
		state_ask_role(st);   /* before PING: a replica never gets to UP */
	}
	for (int id = 0; id < SCRIPT_MAX; id++) {
		struct loaded_ctx *lc = malloc(sizeof(*lc));
		if (lc == NULL)
			continue;
		lc->st = st;
		lc->id = id;
		a = state_args_new();
		state_args_add(a, "SCRIPT");
		state_args_add(a, "LOAD");
		state_args_add(a, state_script_sources[st->script_index[id]].source);
		state_submit(st, -1, 0, a, on_script_loaded_ctx, lc, true);
	}
	a = state_args_new();
	state_args_add(a, "PING");
	state_submit(st, -1, 0, a, on_ready_ping, st, true);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct state *st = ac->data;

	if (st == NULL || st->ac != ac)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees the context after this callback, without onDisconnect */
		if (st->quiet_failures++ == 0)
			log_warnx("redis: cannot connect: %s", ac->errstr);
		st->ac = NULL;
		state_set_conn(st, ST_DOWN, "connect failed");
		state_schedule_connect(st);
		return;
	}
	state_set_conn(st, ST_LOADING, "connected");
	load_scripts(st);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct state *st = ac->data;

	if (st == NULL)
		return;
	if (st->ac == ac)
		st->ac = NULL;
	if (st->conn == ST_CLOSING) {
		finish_close(st);       /* every reply in flight has been handed out */
		return;
	}
	if (status != REDIS_OK && st->quiet_failures++ == 0)
		log_warnx("redis: connection lost: %s", ac->errstr);
	state_set_conn(st, ST_DOWN, status == REDIS_OK ? "closed" : "connection lost");
	state_schedule_connect(st);
}

void state_connect_now(struct state *st)
{
	redisAsyncContext *ac;

	if (st->sentinel != NULL && !st->master_known) {
		state_set_conn(st, ST_ASKING, "looking for the master");
		sentinel_ask(st->sentinel);     /* state_on_master_found() goes on */
		return;
	}
	st->master_known = false;       /* the next connect asks again */
	if (st->sentinel != NULL)
		ac = redisAsyncConnect(st->master_host, st->master_port);
	else if (st->opt.unix_socket != NULL)
		ac = redisAsyncConnectUnix(st->opt.unix_socket);
	else
		ac = redisAsyncConnect(st->opt.host, st->opt.port);
	if (ac == NULL || ac->err) {
		if (st->quiet_failures++ == 0)
			log_warnx("redis: cannot connect: %s", ac ? ac->errstr : "out of memory");
		if (ac != NULL)
			redisAsyncFree(ac);
		state_schedule_connect(st);
		return;
	}
	ac->data = st;
	if (redis_uv_attach(ac, st->loop) != 0) {
		redisAsyncFree(ac);
		state_schedule_connect(st);
		return;
	}
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	st->ac = ac;
	st->connect_started = uv_now(st->loop);
	state_set_conn(st, ST_CONNECTING, "connecting");
}

static void on_retry_timer(uv_timer_t *t)
{
	struct state *st = t->data;

	if (st->conn == ST_DOWN)
		state_connect_now(st);
}

void state_schedule_connect(struct state *st)
{
	uint64_t delay;

	if (st->conn == ST_CLOSING)
		return;
	st->backoff_ms = st->backoff_ms == 0 ? 100 : st->backoff_ms * 2;
	if (st->backoff_ms > 5000)
		st->backoff_ms = 5000;
	/* jitter: 75%..125% so several instances do not reconnect in step */
	delay = st->backoff_ms * 3 / 4 + (uint64_t)rand() % (st->backoff_ms / 2 + 1);
	uv_timer_start(&st->retry_timer, on_retry_timer, delay, 0);
}

/* Give up on the current context: pending calls fail, a reconnect follows. */
void state_drop_connection(struct state *st, const char *why)
{
	redisAsyncContext *ac = st->ac;

	if (ac == NULL)
		return;
	log_warnx("redis: dropping connection: %s", why);
	st->ac = NULL;
	ac->data = NULL;        /* our callbacks ignore it from now on */
	if (st->conn == ST_CLOSING) {
		redisAsyncFree(ac);
		finish_close(st);
		return;
	}
	state_set_conn(st, ST_DOWN, why);
	redisAsyncFree(ac);     /* calls every pending callback with NULL */
	state_schedule_connect(st);
}

static void on_sweep(uv_timer_t *t)
{
	struct state *st = t->data;
	uint64_t now = uv_now(st->loop);
	uint64_t timeout = (uint64_t)st->opt.timeout_ms;

	expire_replays(st, false);
	forget_flush(st);
	if (st->conn == ST_CONNECTING && now - st->connect_started > timeout) {
		state_drop_connection(st, "connect timed out");
		return;
	}
	if (st->head.next != &st->head && now - st->head.next->started > timeout) {
		state_drop_connection(st, "command timed out");
		return;
	}
	if (st->sentinel != NULL && st->conn == ST_UP && !st->role_pending)
		state_ask_role(st);   /* a replica added or gone changes whether calls WAIT */
	if (st->sentinel != NULL && st->conn == ST_UP && st->lagging && st->replicas > 0 && !st->probe_pending)
		state_probe_replica(st);
}

struct state *state_new(uv_loop_t *loop, const struct state_options *opt)
{
	struct state *st = calloc(1, sizeof(*st));
	unsigned i;

	if (st == NULL)
		return NULL;
	st->loop = loop;
	st->opt.host = strdup(opt->host ? opt->host : "127.0.0.1");
	st->opt.port = opt->port;
	st->opt.unix_socket = opt->unix_socket ? strdup(opt->unix_socket) : NULL;
	st->opt.db = opt->db;
	st->opt.password = opt->password ? strdup(opt->password) : NULL;
	st->opt.timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 2000;
	st->opt.prefix = strdup(opt->prefix);
	if (opt->n_sentinels > 0) {
		struct sentinel_options so = {
			.hosts = opt->sentinel_hosts, .ports = opt->sentinel_ports, .n = opt->n_sentinels,
			.master_name = opt->master_name, .password = opt->sentinel_password,
			.timeout_ms = st->opt.timeout_ms,
		};
		/* the sentinel's timers join the loop only when nothing can fail after them */
		if ((st->opt.master_name = strdup(opt->master_name)) == NULL ||
		    (st->sentinel = sentinel_new(loop, &so, state_on_master_found, state_on_master_switched, st)) == NULL) {
			state_free(st);
			return NULL;
		}
	}
	st->head.prev = st->head.next = &st->head;
	st->failed.prev = st->failed.next = &st->failed;
	st->replay.prev = st->replay.next = &st->replay;
	snprintf(st->instance, sizeof(st->instance), "%x.%llx", (unsigned)getpid(),
	    (unsigned long long)uv_hrtime() & 0xffffffffffULL);
	for (int id = 0; id < SCRIPT_MAX; id++) {
		st->script_index[id] = -1;
		for (i = 0; i < state_script_count; i++)
			if (strcmp(state_script_sources[i].name, script_names[id]) == 0)
				st->script_index[id] = (int)i;
		if (st->script_index[id] < 0)
			fatalx("redis: script %s.lua is not embedded", script_names[id]);
	}
	uv_timer_init(loop, &st->retry_timer);
	uv_timer_init(loop, &st->sweep_timer);
	uv_timer_init(loop, &st->fail_timer);
	st->retry_timer.data = st->sweep_timer.data = st->fail_timer.data = st;
	return st;
}

int state_start(struct state *st)
{
	uv_timer_start(&st->sweep_timer, on_sweep, 1000, 1000);    /* timeouts are seconds */
	if (st->sentinel != NULL)
		sentinel_start(st->sentinel);
	state_connect_now(st);
	return 0;
}

static void on_handle_closed(uv_handle_t *h)
{
	struct state *st = h->data;

	if (--st->open_handles == 0 && st->closed != NULL)
		st->closed(st->closed_arg);
}

static void on_sentinel_closed(void *arg)
{
	struct state *st = arg;

	if (--st->open_handles == 0 && st->closed != NULL)
		st->closed(st->closed_arg);
}

/* Redis is gone for good: fail what is left, then close our handles. */
static void finish_close(struct state *st)
{
	if (st->finishing)
		return;
	st->finishing = true;
	state_args_free(st->forget);
	st->forget = NULL;
	expire_replays(st, true);
	on_fail_timer(&st->fail_timer);         /* also what those callbacks submit */
	st->open_handles = st->sentinel != NULL ? 4 : 3;
	if (st->sentinel != NULL)
		sentinel_close(st->sentinel, on_sentinel_closed, st);
	uv_close((uv_handle_t *)&st->retry_timer, on_handle_closed);
	uv_close((uv_handle_t *)&st->sweep_timer, on_handle_closed);
	uv_close((uv_handle_t *)&st->fail_timer, on_handle_closed);
}

void state_close(struct state *st, void (*done)(void *arg), void *arg)
{
	st->closed = done;
	st->closed_arg = arg;
	st->conn = ST_CLOSING;
	uv_timer_stop(&st->retry_timer);
	if (st->sentinel != NULL)
		sentinel_cancel(st->sentinel);
	if (st->ac != NULL)
		/* waits for the replies in flight (the sweep still times them
		 * out), hands them out, then on_disconnect() finishes */
		redisAsyncDisconnect(st->ac);
	else
		finish_close(st);
}

void state_free(struct state *st)
{
	if (st == NULL)
		return;
	free((char *)st->opt.host);
	free((char *)st->opt.unix_socket);
	free((char *)st->opt.password);
	free((char *)st->opt.prefix);
	free((char *)st->opt.master_name);
	sentinel_free(st->sentinel);
	free(st);
}

bool state_is_up(const struct state *st)
{
	return st->conn == ST_UP;
}

const char *state_prefix(const struct state *st)
{
	return st->opt.prefix;
}

const struct state_stats *state_stats(const struct state *st)
{
	return &st->stats;
}

unsigned state_epoch(const struct state *st)
{
	return (unsigned)st->connects;
}

size_t state_pending(const struct state *st)
{
	return st->n_pending;
}
