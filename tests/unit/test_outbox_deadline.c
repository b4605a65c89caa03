/*
 * test_outbox_deadline: ack deadlines of the outbox queue: an action with no
 * answer in time is sent again, then given up and handed out as unanswered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outbox_loop.h"

/* ---- ack deadlines ---- */

static int expired_again, expired_final;
static struct out_msg *given_up;

static void on_expired(void *arg, struct out_msg *m, bool final)
{
	(void)arg;
	if (final) {
		expired_final++;
		assert_null(given_up);
		given_up = m;
	} else {
		expired_again++;
	}
}

static int unanswered_done, unanswered_seen;

static void unanswered_done_cb(void *arg, const struct out_msg *m)
{
	(void)arg;
	unanswered_done++;
	unanswered_seen += m->unanswered && !m->delivered;
}

/* Runs the loop until the deadline timer has expired something. */
static void wait_expiry(int again, int final)
{
	for (int i = 0; i < 20 && (expired_again < again || expired_final < final); i++)
		if (uv_run(&loop, UV_RUN_ONCE) == 0)
			break;
	assert_int_equal(expired_again, again);
	assert_int_equal(expired_final, final);
}

/*
 * An action with no answer by its deadline goes back in front (the queue
 * behind it waits: strict order), is sent again with the same seq (ref), and
 * after the last try is handed out as unanswered; the next one then goes.
 */
static void test_deadline_resend_then_give_up(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t seq;

	expired_again = expired_final = 0;
	given_up = NULL;
	unanswered_done = unanswered_seen = 0;
	outbox_set_ack_timeout(ob, 20, 3, on_expired);
	assert_int_equal(outbox_push_tracked(ob, OUT_SEND, "room", "lost", "en", NULL, unanswered_done_cb, NULL,
	    NULL), 1);
	push(ob, "behind");
	m = next_text(ob, "lost");
	seq = m->seq;
	assert_null(outbox_next(ob));           /* one in flight: "behind" waits */
	/* first deadline: back in front, the queue kicked */
	kicks = 0;
	wait_expiry(1, 0);
	assert_true(kicks > 0);
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 2);
	m = next_text(ob, "lost");
	assert_int_equal(m->seq, seq);          /* the same ref */
	assert_int_equal(m->timeouts, 1);
	assert_int_equal(m->attempts, 2);
	/* the second try waits twice as long */
	assert_int_equal(m->deadline - m->sent_at, 40);
	wait_expiry(2, 0);
	m = next_text(ob, "lost");
	assert_int_equal(m->deadline - m->sent_at, 60);
	/* the third: given up, unanswered, handed out; "behind" goes next */
	wait_expiry(2, 1);
	assert_non_null(given_up);
	assert_int_equal(given_up->seq, seq);
	assert_true(given_up->unanswered);
	assert_false(given_up->delivered);
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(unanswered_done, 0);   /* the callee frees it */
	outbox_msg_free(given_up);
	given_up = NULL;
	assert_int_equal(unanswered_done, 1);
	assert_int_equal(unanswered_seen, 1);
	send_ack(ob, "behind");
	assert_int_equal(outbox_queued(ob), 0);
}

/* An answer before the deadline: nothing expires. */
static void test_deadline_met(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	expired_again = expired_final = 0;
	outbox_set_ack_timeout(ob, 10, 3, on_expired);
	push(ob, "a");
	push(ob, "b");
	send_ack(ob, "a");
	send_ack(ob, "b");
	uv_run(&loop, UV_RUN_ONCE);             /* the deadline timer fires for nothing */
	assert_int_equal(expired_again, 0);
	assert_int_equal(expired_final, 0);
	assert_int_equal(outbox_queued(ob), 0);
	assert_int_equal(outbox_inflight(ob), 0);
}

/* With several in flight only the overdue one goes back; a later send with
 * an earlier deadline than the armed one is not missed. */
static void test_deadline_several_in_flight(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *a, *b;

	expired_again = expired_final = 0;
	outbox_set_max_inflight(ob, 4);
	outbox_set_ack_timeout(ob, 20, 2, on_expired);
	push(ob, "a");
	push(ob, "b");
	a = next_text(ob, "a");
	b = next_text(ob, "b");
	assert_true(outbox_acked(ob, b->seq));
	wait_expiry(1, 0);
	assert_int_equal(outbox_inflight(ob), 0);
	a = next_text(ob, "a");
	assert_int_equal(a->timeouts, 1);
	push(ob, "c");
	assert_non_null(next_text(ob, "c"));    /* deadline 20 ms, before a's 40 */
	wait_expiry(2, 0);
	assert_int_equal(outbox_queued(ob), 1); /* c is back; a still waits */
	assert_int_equal(outbox_inflight(ob), 1);
	assert_true(outbox_acked(ob, outbox_inflight_first(ob)->seq));
	wait_expiry(2, 0);
	send_ack(ob, "c");
}

/* An error without a ref is tied to the one action in flight: it is the first. */
static void test_inflight_first(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	assert_null(outbox_inflight_first(ob));
	push(ob, "a");
	m = outbox_next(ob);
	assert_ptr_equal(outbox_inflight_first(ob), m);
	assert_true(outbox_acked(ob, m->seq));
	assert_null(outbox_inflight_first(ob));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deadline_resend_then_give_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_met, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_several_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inflight_first, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
