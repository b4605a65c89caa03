/*
 * test_timers: the timer engine without a Redis: timers_seed() calls each
 * kind's seed with the daemon's current config (read through the daemon's
 * pointer, so a reload is seen), and nothing once closing; a run or an add
 * whose reply comes after timers_close() keeps the engine alive until then
 * (the sanitizer build checks the frees); and the handlers' table of kinds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <uv.h>

#include "bot/durable/timers.h"
#include "bot/lib/clock.h"
#include "handlers/handlers.h"

struct seen {
	int calls;
	const struct config *cfg;
	struct state *state;
	struct timers *timers;
	int64_t now;
};

static struct seen seen_b, seen_c;

static void fire_none(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	(void)ctx;
	(void)member;
	(void)argc;
	(void)argv;
	fail_msg("no timer fires without a Redis");
}

static void remember(struct seen *s, const struct timer_ctx *ctx)
{
	s->calls++;
	s->cfg = ctx->cfg;
	s->state = ctx->state;
	s->timers = ctx->timers;
	s->now = ctx->now;
}

static void seed_b(const struct timer_ctx *ctx)
{
	remember(&seen_b, ctx);
}

static void seed_c(const struct timer_ctx *ctx)
{
	remember(&seen_c, ctx);
}

static const struct timer_kind kinds[] = {
	{ .kind = "a", .fire = fire_none },
	{ .kind = "b", .fire = fire_none, .seed = seed_b },
	{ .kind = "c", .fire = fire_none, .seed = seed_c },
};

struct fixture {
	uv_loop_t loop;
	struct state *st;
	struct config cfg, reloaded;
	struct config *current;         /* the daemon's bot->cfg */
	struct timers *t;
};

static int setup(void **state)
{
	static struct fixture f;
	struct state_options so = { .host = "127.0.0.1", .port = 1, .prefix = "test{t}:" };

	memset(&f, 0, sizeof(f));
	memset(&seen_b, 0, sizeof(seen_b));
	memset(&seen_c, 0, sizeof(seen_c));
	assert_int_equal(uv_loop_init(&f.loop), 0);
	f.st = state_new(&f.loop, &so);     /* never started: every call fails, later */
	assert_non_null(f.st);
	f.current = &f.cfg;
	f.t = timers_new(&f.loop, f.st, &f.current, NULL, kinds, sizeof(kinds) / sizeof(kinds[0]));
	assert_non_null(f.t);
	*state = &f;
	return 0;
}

/* Closes what the test left open; every handle must be gone. */
static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->t != NULL)
		timers_close(f->t);
	state_close(f->st, NULL, NULL);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	state_free(f->st);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	return 0;
}

static void test_seed_calls_every_seed_with_the_context(void **state)
{
	struct fixture *f = *state;
	int64_t before = clock_now_ms();

	timers_seed(f->t);
	assert_int_equal(seen_b.calls, 1);
	assert_int_equal(seen_c.calls, 1);
	assert_ptr_equal(seen_b.cfg, &f->cfg);
	assert_ptr_equal(seen_b.state, f->st);
	assert_ptr_equal(seen_b.timers, f->t);
	assert_true(seen_b.now >= before && seen_b.now <= clock_now_ms());
}

static void test_seed_sees_the_reloaded_config(void **state)
{
	struct fixture *f = *state;

	f->current = &f->reloaded;      /* what a reload does to bot->cfg */
	timers_seed(f->t);
	assert_ptr_equal(seen_c.cfg, &f->reloaded);
}

static void test_nothing_is_seeded_once_closing(void **state)
{
	struct fixture *f = *state;

	timers_close(f->t);
	timers_seed(f->t);
	f->t = NULL;                    /* freed by the loop in teardown */
	assert_int_equal(seen_b.calls, 0);
	assert_int_equal(seen_c.calls, 0);
	timers_seed(NULL);              /* the daemon's pointer after shutdown */
}

/* The replies (failures: no Redis) arrive after the close: the engine waits for them. */
static void test_runs_answered_after_the_close_free_it_once(void **state)
{
	struct fixture *f = *state;
	struct timer_ctx ctx = timers_ctx(f->t);

	timers_run(&ctx, "test", "b|1", SCRIPT_TIMER_CLAIM, timers_args(&ctx, "timers"));
	timers_run(&ctx, "test", NULL, SCRIPT_TIMER_CLAIM, timers_args(&ctx, "timers"));
	timers_add(&ctx, ctx.now + 1000, "b|2");
	timers_close(f->t);
	f->t = NULL;
	uv_run(&f->loop, UV_RUN_DEFAULT);
}

/* Started while shutting down (no engine): still runs, and wakes nobody. */
static void test_a_run_without_an_engine_still_runs(void **state)
{
	struct fixture *f = *state;
	struct timer_ctx ctx = { .cfg = &f->cfg, .state = f->st, .now = clock_now_ms(), .timers = NULL };

	timers_run(&ctx, "test", NULL, SCRIPT_TIMER_CLAIM, timers_args(&ctx, "timers"));
	timers_add(&ctx, ctx.now, "b|3");
	uv_run(&f->loop, UV_RUN_NOWAIT);
}

static void test_the_handlers_table(void **state)
{
	static const char *const must_seed[] = { "weekclose", "dayreport", "shiftstart" };

	(void)state;
	assert_true(n_timer_kinds > 0);
	for (size_t i = 0; i < n_timer_kinds; i++) {
		assert_non_null(timer_kinds[i].kind);
		assert_non_null(timer_kinds[i].fire);
		assert_null(strchr(timer_kinds[i].kind, '|'));
		for (size_t j = i + 1; j < n_timer_kinds; j++)
			assert_string_not_equal(timer_kinds[i].kind, timer_kinds[j].kind);
	}
	/* a kind whose fire adds the next one needs a first one */
	for (size_t m = 0; m < sizeof(must_seed) / sizeof(must_seed[0]); m++) {
		bool found = false;
		for (size_t i = 0; i < n_timer_kinds; i++)
			if (strcmp(timer_kinds[i].kind, must_seed[m]) == 0)
				found = timer_kinds[i].seed != NULL;
		assert_true(found);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seed_calls_every_seed_with_the_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_sees_the_reloaded_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_is_seeded_once_closing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runs_answered_after_the_close_free_it_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_run_without_an_engine_still_runs, setup, teardown),
		cmocka_unit_test(test_the_handlers_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
