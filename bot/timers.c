/*
 * timers: claim, dispatch by kind, re-arm.  One claim is in flight at a
 * time; a poke while one is in flight just asks for another pass after it.
 */
#include "bot/timers.h"
#include "bot/daemon.h"
#include "bot/clock.h"
#include "bot/log.h"
#include "state/redis.h"

#include <stdlib.h>
#include <string.h>

struct timers {
	struct dutybot *bot;
	uv_timer_t uv;
	int in_flight;
	int again;
	int closing;
	int handle_closed;
	uint64_t fired;
};

static void claim(struct timers *t);

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
	for (unsigned i = 0; argc > 0 && i < n_timer_kinds; i++) {
		if (strcmp(timer_kinds[i].kind, argv[0]) == 0) {
			log_debug("timers: firing %s", member);
			t->fired++;
			timer_kinds[i].fire(t->bot, member, argc, argv);
			return;
		}
	}
	log_warnx("timers: no kind for %s; it stays leased and is retried later", member);
}

static void on_claimed(const redisReply *r, const char *err, void *privdata)
{
	struct timers *t = privdata;
	int64_t next = -1;

	t->in_flight = 0;
	if (t->closing) {
		if (t->handle_closed)
			free(t);        /* the last one out frees it */
		return;
	}
	if (err == NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_ARRAY) {
		const redisReply *due = r->element[0];
		for (size_t i = 0; i < due->elements; i++)
			if (due->element[i]->type == REDIS_REPLY_STRING)
				fire(t, due->element[i]->str);
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
	struct state *st = t->bot->state;
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

struct timers *timers_new(struct dutybot *bot)
{
	struct timers *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->bot = bot;
	uv_timer_init(bot->loop, &t->uv);
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

static void on_closed(uv_handle_t *h)
{
	struct timers *t = h->data;

	t->handle_closed = 1;
	if (!t->in_flight)
		free(t);
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
