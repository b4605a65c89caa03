/*
 * test_state_args: the argument lists of state calls (state/redis.c).  A
 * failed state_args_new() is NULL, and the callers do not check: the adders
 * take the NULL and do nothing, and state_call()/state_eval() fail such a
 * call through the callback ("out of memory"), once, and not from inside the
 * caller's own frame.  A list that overflows fails the same way ("request too
 * large").  No Redis is needed: nothing is ever sent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <uv.h>

#include "state/redis.h"

struct outcome {
	int calls;
	char err[64];
	bool reply;
};

static void on_done(const redisReply *reply, const char *err, void *privdata)
{
	struct outcome *o = privdata;

	o->calls++;
	o->reply = reply != NULL;
	snprintf(o->err, sizeof(o->err), "%s", err ? err : "");
}

static void test_adders_take_null(void **unused)
{
	(void)unused;
	state_args_add(NULL, "HSET");
	state_args_add(NULL, NULL);
	state_args_addb(NULL, "x", 1);
	state_args_addf(NULL, "%sstaff:%s", "dutybot:{cc}:", "mia");
	state_args_free(NULL);
}

static void test_adders_fill_a_list(void **unused)
{
	struct state_args *a = state_args_new();

	(void)unused;
	assert_non_null(a);
	state_args_add(a, "HSET");
	state_args_add(a, NULL);
	state_args_addb(a, "a\0b", 3);
	state_args_addf(a, "%d:%s", 7, "x");
	assert_int_equal(a->argc, 4);
	assert_string_equal(a->argv[0], "HSET");
	assert_int_equal(a->len[1], 0);
	assert_int_equal(a->len[2], 3);
	assert_memory_equal(a->argv[2], "a\0b", 3);
	assert_string_equal(a->argv[3], "7:x");
	assert_false(a->overflow);
	state_args_free(a);
}

/* A state that never connects: every call fails, which is what is tested. */
static struct state *new_state(uv_loop_t *loop)
{
	struct state_options so;

	memset(&so, 0, sizeof(so));
	so.host = "127.0.0.1";
	so.port = 1;
	so.prefix = "dutybot:{cc}:";
	return state_new(loop, &so);
}

static void close_state(uv_loop_t *loop, struct state *st)
{
	state_close(st, NULL, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	state_free(st);
	assert_int_equal(uv_loop_close(loop), 0);
}

static void test_eval_of_null_args_fails_through_the_callback(void **unused)
{
	uv_loop_t loop;
	struct state *st;
	struct outcome eval = { 0 }, call = { 0 };

	(void)unused;
	assert_int_equal(uv_loop_init(&loop), 0);
	st = new_state(&loop);
	assert_non_null(st);
	state_eval(st, SCRIPT_STAFF_UPSERT, 1, NULL, on_done, &eval);
	state_call(st, NULL, on_done, &call);
	/* not from inside the caller's frame */
	assert_int_equal(eval.calls, 0);
	assert_int_equal(call.calls, 0);
	uv_run(&loop, UV_RUN_NOWAIT);
	assert_int_equal(eval.calls, 1);
	assert_false(eval.reply);
	assert_string_equal(eval.err, "out of memory");
	assert_int_equal(call.calls, 1);
	assert_string_equal(call.err, "out of memory");
	close_state(&loop, st);
	assert_int_equal(eval.calls, 1);        /* exactly once */
}

static void test_overflowing_args_fail_as_too_large(void **unused)
{
	uv_loop_t loop;
	struct state *st;
	struct state_args *a = state_args_new();
	struct outcome o = { 0 };

	(void)unused;
	assert_non_null(a);
	for (int i = 0; i <= STATE_ARGS_MAX; i++)
		state_args_add(a, "x");
	assert_true(a->overflow);
	assert_int_equal(uv_loop_init(&loop), 0);
	st = new_state(&loop);
	assert_non_null(st);
	state_call(st, a, on_done, &o);
	uv_run(&loop, UV_RUN_NOWAIT);
	assert_int_equal(o.calls, 1);
	assert_string_equal(o.err, "request too large");
	close_state(&loop, st);
}

static void test_call_while_down_is_unavailable(void **unused)
{
	uv_loop_t loop;
	struct state *st;
	struct state_args *a = state_args_new();
	struct outcome o = { 0 };

	(void)unused;
	assert_int_equal(uv_loop_init(&loop), 0);
	st = new_state(&loop);
	assert_non_null(st);
	state_args_add(a, "PING");
	state_call(st, a, on_done, &o);
	uv_run(&loop, UV_RUN_NOWAIT);
	assert_int_equal(o.calls, 1);
	assert_string_equal(o.err, STATE_UNAVAILABLE);
	close_state(&loop, st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adders_take_null),
		cmocka_unit_test(test_adders_fill_a_list),
		cmocka_unit_test(test_eval_of_null_args_fails_through_the_callback),
		cmocka_unit_test(test_overflowing_args_fail_as_too_large),
		cmocka_unit_test(test_call_while_down_is_unavailable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
