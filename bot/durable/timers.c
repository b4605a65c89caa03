/*
 * timers: claim, dispatch by kind, re-arm; and the one place that runs a
 * fire's script, logs its outcome and wakes up after it.  One claim is in
 * flight at a time; a poke while one is in flight just asks for another pass
 * after it.
 */
#include "bot/durable/timers.h"
#include "bot/durable/deliver.h"
#include "bot/lib/clock.h"
#include "bot/lib/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct timers {
	struct state *state;
	struct config *const *cfg;      /* the daemon's pointer: replaced on reload */
	struct deliver *deliver;        /* borrowed until timers_close() */
	const struct timer_kind *kinds;
	size_t n_kinds;
	uv_timer_t uv;
	int in_flight;                  /* the claim */
	int running;                    /* timers_run()/timers_add() calls not yet answered */
	int again;
	int closing;
	int handle_closed;
	uint64_t fired;
	/* fires later than the config's healthcheck.overdue_after, for the auditor */
	struct timers_late late;
};

/* One call of timers_run()/timers_add(), until its reply. */
struct run {
	struct timers *t;               /* NULL when started while shutting down */
	char label[40];                 /* what it is, for the log */
	char member[160];               /* the timer; "" for a handler's background work */
	timers_then *then;              /* NULL: nothing more than the log */
	void *then_arg;
};

static void claim(struct timers *t);

/* Freed only when the handle is closed and no reply is outstanding. */
static void maybe_free(struct timers *t)
{
	if (t->closing && t->handle_closed && !t->in_flight && t->running == 0)
		free(t);
}

static void on_uv(uv_timer_t *h)
{
	claim(h->data);
}

static void arm(struct timers *t, int64_t next_due)
{
	int64_t delay = TIMERS_POLL_MS;

	if (t->closing)
		return;
	if (next_due >= 0) {
		int64_t d = next_due - clock_now_ms();
		if (d < delay)
			delay = d < 0 ? 0 : d;
	}
	uv_timer_start(&t->uv, on_uv, (uint64_t)delay, 0);
}

static void fire(struct timers *t, const char *member)
{
	char buf[512], *argv[TIMER_ARGS_MAX], *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", member);
	for (char *p = strtok_r(buf, "|", &save); p && argc < TIMER_ARGS_MAX; p = strtok_r(NULL, "|", &save))
		argv[argc++] = p;
	for (size_t i = 0; argc > 0 && i < t->n_kinds; i++) {
		if (strcmp(t->kinds[i].kind, argv[0]) == 0) {
			struct timer_ctx ctx = timers_ctx(t);
			log_debug("timers: firing %s", member);
			t->fired++;
			t->kinds[i].fire(&ctx, member, argc, argv);
			return;
		}
	}
	log_warnx("timers: no kind for %s; it stays leased and is retried later", member);
}

/* A fire LATE_MS after its due time: counted when later than the bound. */
static void note_lateness(struct timers *t, const char *member, int64_t late_ms)
{
	if (late_ms <= (*t->cfg)->healthcheck.overdue_after_ms)
		return;
	t->late.count++;
	if (late_ms > t->late.worst_ms) {
		t->late.worst_ms = late_ms;
		snprintf(t->late.worst_member, sizeof(t->late.worst_member), "%s", member);
	}
}

struct timers_late timers_take_late(struct timers *t)
{
	struct timers_late l = t->late;

	memset(&t->late, 0, sizeof(t->late));
	return l;
}

static void on_claimed(const redisReply *r, const char *err, void *privdata)
{
	struct timers *t = privdata;
	int64_t next = -1;

	t->in_flight = 0;
	if (t->closing) {
		maybe_free(t);          /* the last one out frees it */
		return;
	}
	if (err == NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_ARRAY) {
		const redisReply *due = r->element[0];
		int64_t now = clock_now_ms();
		for (size_t i = 0; i + 1 < due->elements; i += 2) {
			if (due->element[i]->type != REDIS_REPLY_STRING || due->element[i + 1]->type != REDIS_REPLY_STRING)
				continue;
			note_lateness(t, due->element[i]->str, now - strtoll(due->element[i + 1]->str, NULL, 10));
			fire(t, due->element[i]->str);
		}
		if (r->element[1]->type == REDIS_REPLY_STRING && r->element[1]->len > 0)
			next = strtoll(r->element[1]->str, NULL, 10);
		if (due->elements > 0)
			next = 0;       /* there may be more due than one claim takes */
	}
	if (t->again) {
		t->again = 0;
		next = 0;
	}
	arm(t, next);
}

static void claim(struct timers *t)
{
	struct state *st = t->state;
	struct state_args *a;

	if (t->closing)
		return;
	if (t->in_flight) {
		t->again = 1;
		return;
	}
	if (!state_is_up(st)) {
		arm(t, -1);
		return;
	}
	a = state_args_new();
	state_args_addf(a, "%stimers", state_prefix(st));
	state_args_addf(a, "%lld", (long long)clock_now_ms());
	state_args_addf(a, "%d", TIMERS_LEASE_MS);
	state_args_add(a, "20");
	t->in_flight = 1;
	state_eval(st, SCRIPT_TIMER_CLAIM, 1, a, on_claimed, t);
}

struct timers *timers_new(uv_loop_t *loop, struct state *st, struct config *const *cfg, struct deliver *deliver,
                          const struct timer_kind *kinds, size_t n_kinds)
{
	struct timers *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->state = st;
	t->cfg = cfg;
	t->deliver = deliver;
	t->kinds = kinds;
	t->n_kinds = n_kinds;
	uv_timer_init(loop, &t->uv);
	t->uv.data = t;
	return t;
}

void timers_start(struct timers *t)
{
	arm(t, 0);
}

void timers_poke(struct timers *t)
{
	if (t == NULL)
		return;         /* shutting down */
	if (!t->closing && !t->in_flight)
		arm(t, 0);
	else
		t->again = 1;
}

void timers_seed(struct timers *t)
{
	struct timer_ctx ctx;

	if (t == NULL || t->closing)
		return;
	ctx = timers_ctx(t);
	for (size_t i = 0; i < t->n_kinds; i++)
		if (t->kinds[i].seed != NULL)
			t->kinds[i].seed(&ctx);
}

static void on_closed(uv_handle_t *h)
{
	struct timers *t = h->data;

	t->handle_closed = 1;
	maybe_free(t);
}

void timers_close(struct timers *t)
{
	t->closing = 1;
	uv_timer_stop(&t->uv);
	uv_close((uv_handle_t *)&t->uv, on_closed);
}

uint64_t timers_fired(const struct timers *t)
{
	return t->fired;
}

struct timer_ctx timers_ctx(struct timers *t)
{
	return (struct timer_ctx){ .cfg = *t->cfg, .state = t->state, .now = clock_now_ms(), .timers = t };
}

struct state_args *timers_args(const struct timer_ctx *ctx, const char *key)
{
	struct state_args *a = state_args_new();

	state_args_addf(a, "%s%s", state_prefix(ctx->state), key);
	state_args_add(a, state_prefix(ctx->state));
	state_args_addf(a, "%lld", (long long)ctx->now);
	return a;
}

/* ---- one script for a fire (or a handler's background work), one log line ---- */

static struct run *run_new(const struct timer_ctx *ctx, const char *label, const char *member)
{
	struct run *run = malloc(sizeof(*run));

	if (run == NULL)
		return NULL;
	run->t = ctx->timers != NULL && !ctx->timers->closing ? ctx->timers : NULL;
	snprintf(run->label, sizeof(run->label), "%s", label);
	snprintf(run->member, sizeof(run->member), "%s", member ? member : "");
	run->then = NULL;
	run->then_arg = NULL;
	if (run->t != NULL)
		run->t->running++;
	return run;
}

/* Ends RUN: after a success the script may have added a timer or an outbox
 * entry, so the engines look now (not once shutting down). */
static void run_end(struct run *run, bool wake_timers, bool wake_deliver)
{
	struct timers *t = run->t;

	free(run);
	if (t == NULL)
		return;
	t->running--;
	if (t->closing) {
		maybe_free(t);
		return;
	}
	if (wake_timers)
		timers_poke(t);
	if (wake_deliver)
		deliver_poke(t->deliver);
}

/* The reply in one line: the first elements of an array, or the value. */
static const char *reply_line(const redisReply *r, char *line, size_t n)
{
	size_t len = 0;

	line[0] = '\0';
	if (r->type == REDIS_REPLY_ARRAY) {
		for (size_t i = 0; i < r->elements && i < 8; i++) {
			const redisReply *e = r->element[i];
			const char *s = e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS ? e->str : "";
			if (e->type == REDIS_REPLY_INTEGER)
				len += (size_t)snprintf(line + len, len < n ? n - len : 0, "%s%lld", i ? " " : "", e->integer);
			else
				len += (size_t)snprintf(line + len, len < n ? n - len : 0, "%s%s", i ? " " : "", s);
		}
	} else if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) {
		snprintf(line, n, "%s", r->str);
	} else if (r->type == REDIS_REPLY_INTEGER) {
		snprintf(line, n, "%lld", r->integer);
	}
	return line;
}

static void on_ran(const redisReply *r, const char *err, void *privdata)
{
	struct run *run = privdata;
	char line[256];

	if (err != NULL && run->member[0])
		log_warnx("timers: %s failed (%s); %s fires again after its lease", run->label, err, run->member);
	else if (err != NULL)
		log_warnx("timers: %s failed (%s)", run->label, err);
	else if (run->member[0])
		log_info("timers: %s: %s (%s)", run->label, reply_line(r, line, sizeof(line)), run->member);
	else    /* work a command started (the queue after a check-in): routine, not a fire */
		log_debug("timers: %s: %s", run->label, reply_line(r, line, sizeof(line)));
	if (err == NULL && r != NULL && run->then != NULL)
		run->then(r, run->then_arg);
	run_end(run, err == NULL, err == NULL);
}

void timers_run_then(const struct timer_ctx *ctx, const char *label, const char *member, enum state_script id,
                     struct state_args *args, timers_then *then, void *arg)
{
	struct run *run = run_new(ctx, label, member);

	if (run == NULL) {
		log_warnx("timers: out of memory for the %s", label);
		state_args_free(args);
		return;
	}
	run->then = then;
	run->then_arg = arg;
	state_eval(ctx->state, id, 1, args, on_ran, run);
}

void timers_run(const struct timer_ctx *ctx, const char *label, const char *member, enum state_script id,
                struct state_args *args)
{
	timers_run_then(ctx, label, member, id, args, NULL, NULL);
}

static void on_added(const redisReply *r, const char *err, void *privdata)
{
	struct run *run = privdata;

	(void)r;
	if (err != NULL)
		log_warnx("timers: cannot add %s: %s", run->member, err);
	run_end(run, err == NULL, false);       /* a ZADD sends nothing */
}

void timers_add(const struct timer_ctx *ctx, int64_t due, const char *member)
{
	struct run *run = run_new(ctx, "add", member);
	struct state_args *a;

	if (run == NULL) {
		log_warnx("timers: out of memory: cannot add %s", member);
		return;
	}
	a = state_args_new();
	state_args_add(a, "ZADD");
	state_args_addf(a, "%stimers", state_prefix(ctx->state));
	state_args_add(a, "NX");
	state_args_addf(a, "%lld", (long long)due);
	state_args_add(a, member);
	state_call(ctx->state, a, on_added, run);
}
