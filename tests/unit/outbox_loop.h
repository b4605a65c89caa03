/*
 * outbox_loop.h: the loop, kicks and small steps the outbox queue tests
 * (test_outbox_queue.c, test_outbox_deadline.c) share; one test program
 * includes it once (after cmocka.h), so its statics are that program's own.
 */
#ifndef DUTYBOT_TEST_OUTBOX_LOOP_H
#define DUTYBOT_TEST_OUTBOX_LOOP_H

#include <uv.h>

#include "bot/platform/outbox.h"

/*
 * outbox.c keeps ONE action in flight per connection (replies must arrive in
 * order and a rate-limited action must be re-sent before anything behind
 * it), so these tests ack each action before asking for the next.
 */

static uv_loop_t loop;
static int kicks;

static inline void kick(void *arg)
{
	int *k = arg;

	(*k)++;
}

static inline int setup(void **state)
{
	kicks = 0;
	*state = NULL;
	return uv_loop_init(&loop);
}

static inline int teardown(void **state)
{
	struct outbox *ob = *state;

	outbox_free(ob);
	uv_run(&loop, UV_RUN_NOWAIT);
	return uv_loop_close(&loop) == 0 ? 0 : -1;
}

static inline struct outbox *new_outbox(void **state, size_t max, int rate)
{
	struct outbox *ob = outbox_new(&loop, max, rate, kick, &kicks);

	assert_non_null(ob);
	*state = ob;
	return ob;
}

/* Runs the loop until the outbox kicks (its timer), at most a few rounds. */
static inline void wait_kick(void)
{
	kicks = 0;
	for (int i = 0; i < 5 && kicks == 0; i++)
		if (uv_run(&loop, UV_RUN_ONCE) == 0 && kicks == 0)
			break;  /* nothing armed: no kick will ever come */
	assert_int_equal(kicks, 1);
}

static inline struct out_msg *next_text(struct outbox *ob, const char *text)
{
	struct out_msg *m = outbox_next(ob);

	assert_non_null(m);
	assert_string_equal(m->text, text);
	return m;
}

/* next() gives TEXT, then the platform acks it. */
static inline uint64_t send_ack(struct outbox *ob, const char *text)
{
	uint64_t seq = next_text(ob, text)->seq;

	assert_true(outbox_acked(ob, seq));
	return seq;
}

static inline void push(struct outbox *ob, const char *text)
{
	assert_int_equal(outbox_push(ob, OUT_SEND, "room", text, NULL, NULL, NULL), 1);
}

#endif
