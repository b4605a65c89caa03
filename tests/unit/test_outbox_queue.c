/*
 * test_outbox_queue: the outbox queue: order through
 * next/acked/retry/failed/requeue, pacing to RATE actions per second, holds,
 * gates, counts and kicks.  Splitting texts is in test_outbox_split.c, ack
 * deadlines in test_outbox_deadline.c.
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

/* ---- the queue ---- */

/* A gate: what GATE_SAYS, counting the questions and the done calls. */
static enum out_gate gate_says;
static int gate_asked, gate_done, gate_delivered;

static enum out_gate test_gate(void *arg)
{
	(void)arg;
	gate_asked++;
	return gate_says;
}

static void gate_done_cb(void *arg, const struct out_msg *m)
{
	(void)arg;
	gate_done++;
	gate_delivered += m->delivered;
}

static void test_gate_send_wait_drop(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	gate_asked = gate_done = gate_delivered = 0;
	push(ob, "before");
	assert_int_equal(outbox_push_tracked(ob, OUT_DM, "u2", "EMERGENCY E-1: page", "en", NULL, gate_done_cb,
	    test_gate, NULL), 1);
	assert_int_equal(outbox_push_tracked(ob, OUT_DM, "u3", "EMERGENCY E-1: second page", "en", NULL,
	    gate_done_cb, test_gate, NULL), 1);
	push(ob, "after");
	/* the gate is not asked while its message is not next */
	send_ack(ob, "before");
	assert_int_equal(gate_asked, 0);
	/* WAIT: nothing goes, not even what is behind it */
	gate_says = OUT_GATE_WAIT;
	assert_null(outbox_next(ob));
	assert_int_equal(gate_asked, 1);
	assert_int_equal(outbox_queued(ob), 3);
	/* SEND: it goes as any other */
	gate_says = OUT_GATE_SEND;
	kicks = 0;
	outbox_kick(ob);
	assert_int_equal(kicks, 1);
	m = next_text(ob, "EMERGENCY E-1: page");
	assert_true(outbox_acked(ob, m->seq));
	assert_int_equal(gate_done, 1);
	/* DROP: done as delivered, and the next message goes at once */
	gate_says = OUT_GATE_DROP;
	send_ack(ob, "after");
	assert_int_equal(gate_done, 2);
	assert_int_equal(gate_delivered, 2);
	assert_int_equal(outbox_queued(ob), 0);
	assert_null(outbox_next(ob));
}

static void test_push_fields_and_kick(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	assert_int_equal(outbox_push(ob, OUT_DM, "u-1", "hello", "room-1", "u-2", "de"), 1);
	assert_int_equal(kicks, 1);
	assert_int_equal(outbox_queued(ob), 1);
	assert_int_equal(outbox_inflight(ob), 0);
	m = outbox_next(ob);
	assert_non_null(m);
	assert_int_equal(m->kind, OUT_DM);
	assert_string_equal(m->target, "u-1");
	assert_string_equal(m->text, "hello");
	assert_string_equal(m->origin_room, "room-1");
	assert_string_equal(m->origin_user, "u-2");
	assert_string_equal(m->lang, "de");
	assert_int_equal(m->attempts, 1);
	assert_int_equal(outbox_queued(ob), 0);
	assert_int_equal(outbox_inflight(ob), 1);
	assert_null(outbox_next(ob));
}

static void test_push_null_origin(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	assert_int_equal(outbox_push(ob, OUT_SEND, "ops", "hi", NULL, NULL, NULL), 1);
	m = outbox_next(ob);
	assert_non_null(m);
	assert_int_equal(m->kind, OUT_SEND);
	assert_null(m->origin_room);
	assert_null(m->origin_user);
	assert_string_equal(m->lang, "");
}

static void test_push_kicks_every_time(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	push(ob, "one");
	push(ob, "two");
	push(ob, "three");
	assert_int_equal(kicks, 3);
	assert_int_equal(outbox_queued(ob), 3);
}

static void test_push_splits_and_counts(void **state)
{
	struct outbox *ob = new_outbox(state, 5, 0);
	uint64_t a, b, c;

	assert_int_equal(outbox_push(ob, OUT_SEND, "r", "aaa bbb ccc", NULL, NULL, "en"), 3);
	assert_int_equal(kicks, 1);     /* one kick for the whole text */
	assert_int_equal(outbox_queued(ob), 3);
	a = send_ack(ob, "aaa");
	b = send_ack(ob, "bbb");
	c = send_ack(ob, "ccc");
	assert_true(a < b && b < c);
	assert_int_equal(outbox_queued(ob), 0);
	assert_int_equal(outbox_inflight(ob), 0);
}

static void test_push_nothing_no_kick(void **state)
{
	struct outbox *ob = new_outbox(state, 10, 0);

	assert_int_equal(outbox_push(ob, OUT_SEND, "r", " \n ", NULL, NULL, NULL), 0);
	assert_int_equal(kicks, 0);
	assert_int_equal(outbox_queued(ob), 0);
	assert_null(outbox_next(ob));
}

static void test_order_and_ack(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	uint64_t s1, s2, s3;

	push(ob, "one");
	push(ob, "two");
	assert_int_equal(outbox_push(ob, OUT_DM, "u", "three", NULL, NULL, NULL), 1);
	s1 = send_ack(ob, "one");
	assert_int_equal(outbox_queued(ob), 2);
	s2 = send_ack(ob, "two");
	s3 = send_ack(ob, "three");
	assert_true(s1 < s2 && s2 < s3);
	assert_false(outbox_acked(ob, s2));     /* not in flight any more */
	assert_false(outbox_acked(ob, 9999));
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 0);
	assert_null(outbox_next(ob));
}

static void push_first(struct outbox *ob, const char *text)
{
	assert_int_equal(outbox_push_lane(ob, true, OUT_SEND, "ops", text, NULL, NULL, "en", NULL, NULL, NULL, NULL), 1);
}

/* Staff's answers and alerts (the first lane) go ahead of chat friends'
 * answers queued before them, each lane in its own order; what was sent is
 * never overtaken, and a first-lane action refused for a while goes back to
 * the front of its lane. */
static void test_the_first_lane_goes_ahead(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	push(ob, "friend 1");
	push(ob, "friend 2");
	send_ack(ob, "friend 1");
	push_first(ob, "staff 1");
	push(ob, "friend 3");
	push_first(ob, "alert 1");
	assert_int_equal(outbox_queued(ob), 4);
	send_ack(ob, "staff 1");
	m = next_text(ob, "alert 1");
	push_first(ob, "staff 2");
	assert_true(outbox_retry(ob, m->seq, 0));   /* rate-limited: back in front of its lane */
	send_ack(ob, "alert 1");
	send_ack(ob, "staff 2");
	send_ack(ob, "friend 2");
	push_first(ob, "staff 3");                  /* a lane with nothing queued starts at the front */
	send_ack(ob, "staff 3");
	send_ack(ob, "friend 3");
	assert_int_equal(outbox_queued(ob), 0);
	assert_null(outbox_next(ob));
}

static void test_one_in_flight_until_acked(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t s1;

	push(ob, "one");
	push(ob, "two");
	m = next_text(ob, "one");
	s1 = m->seq;
	/* nothing else goes out before the answer to "one" */
	assert_null(outbox_next(ob));
	assert_null(outbox_next(ob));
	assert_int_equal(outbox_inflight(ob), 1);
	assert_int_equal(outbox_queued(ob), 1);
	/* the ack frees the slot and kicks, as there is more to send */
	kicks = 0;
	assert_true(outbox_acked(ob, s1));
	assert_int_equal(kicks, 1);
	next_text(ob, "two");
}

/* Many in flight, acked out of order, some retried: the in-flight list stays
 * in seq order (a drop re-sends them oldest first) and finds every one. */
static void test_many_in_flight_out_of_order(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	uint64_t seq[6];
	char text[8];

	outbox_set_max_inflight(ob, 8);
	for (int i = 0; i < 6; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		push(ob, text);
	}
	for (int i = 0; i < 6; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		seq[i] = next_text(ob, text)->seq;
	}
	assert_true(outbox_acked(ob, seq[5]));  /* the newest first */
	assert_true(outbox_acked(ob, seq[1]));
	assert_non_null(outbox_inflight_find(ob, seq[4]));
	assert_null(outbox_inflight_find(ob, seq[5]));
	assert_true(outbox_retry(ob, seq[3], 0));
	next_text(ob, "m3");                    /* back in flight with its old seq */
	push(ob, "m6");
	next_text(ob, "m6");
	assert_int_equal(outbox_inflight(ob), 5);
	outbox_requeue_inflight(ob);            /* dropped: all again, oldest first */
	next_text(ob, "m0");
	next_text(ob, "m2");
	next_text(ob, "m3");
	next_text(ob, "m4");
	next_text(ob, "m6");
	assert_null(outbox_next(ob));
}

static void test_ack_with_nothing_queued_no_kick(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	push(ob, "one");
	kicks = 0;
	send_ack(ob, "one");
	assert_int_equal(kicks, 0);
}

static void test_ack_of_queued_refused(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	push(ob, "one");
	push(ob, "two");
	m = next_text(ob, "one");
	/* seq of "two" is the next one; it is queued, not in flight */
	assert_false(outbox_acked(ob, m->seq + 1));
	assert_false(outbox_retry(ob, m->seq + 1, 0));
	assert_null(outbox_failed(ob, m->seq + 1));
	assert_int_equal(outbox_queued(ob), 1);
	assert_int_equal(outbox_inflight(ob), 1);
}

static void test_unpaced(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	for (int i = 0; i < 50; i++)
		push(ob, "x");
	for (int i = 0; i < 50; i++)
		send_ack(ob, "x");
	assert_null(outbox_next(ob));
	assert_int_equal(outbox_queued(ob), 0);
}

static void test_rate_pacing(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 3);
	struct out_msg *m;
	uint64_t t0;

	for (int i = 0; i < 5; i++) {
		char t[8];
		snprintf(t, sizeof(t), "m%d", i);
		push(ob, t);
	}
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	send_ack(ob, "m0");
	send_ack(ob, "m1");
	send_ack(ob, "m2");
	assert_null(outbox_next(ob));   /* a fourth within the second: paced */
	assert_null(outbox_next(ob));
	assert_int_equal(outbox_queued(ob), 2);
	assert_int_equal(outbox_inflight(ob), 0);
	/* the timer armed for the end of the window kicks */
	wait_kick();
	assert_true(uv_now(&loop) >= t0 + 1000);
	assert_true(uv_now(&loop) < t0 + 1500);
	m = next_text(ob, "m3");
	assert_int_equal(m->attempts, 1);
	assert_true(outbox_acked(ob, m->seq));
	send_ack(ob, "m4");
}

static void test_rate_pacing_is_sliding(void **state)
{
	/* the window is the last RATE sends, not a calendar second */
	struct outbox *ob = new_outbox(state, 100, 2);
	uint64_t t0;

	for (int i = 0; i < 4; i++)
		push(ob, "x");
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	send_ack(ob, "x");
	uv_sleep(300);
	uv_update_time(&loop);
	send_ack(ob, "x");
	assert_null(outbox_next(ob));
	/* 1 s after the first send (not the second) one more may go */
	wait_kick();
	assert_true(uv_now(&loop) >= t0 + 1000 && uv_now(&loop) < t0 + 1300);
	send_ack(ob, "x");
	assert_null(outbox_next(ob));   /* the second send is less than 1 s ago */
}

static void test_set_rate_zero_unpaces(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 1);

	for (int i = 0; i < 4; i++)
		push(ob, "x");
	uv_update_time(&loop);
	send_ack(ob, "x");
	assert_null(outbox_next(ob));
	outbox_set_rate(ob, 0);
	send_ack(ob, "x");
	send_ack(ob, "x");
	send_ack(ob, "x");
	assert_int_equal(outbox_queued(ob), 0);
}

static void test_retry_goes_in_front_and_holds(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t s2, t0;

	push(ob, "one");
	push(ob, "two");
	push(ob, "three");
	send_ack(ob, "one");
	s2 = next_text(ob, "two")->seq;
	push(ob, "four");
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	/* "two" is rate-limited: back in front of "three" and "four" */
	assert_true(outbox_retry(ob, s2, 80));
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 3);
	assert_null(outbox_next(ob));   /* held */
	assert_null(outbox_next(ob));
	wait_kick();
	assert_true(uv_now(&loop) >= t0 + 80);
	m = next_text(ob, "two");
	assert_int_equal(m->seq, s2);
	assert_int_equal(m->attempts, 2);
	assert_true(outbox_acked(ob, s2));
	send_ack(ob, "three");
	send_ack(ob, "four");
	assert_false(outbox_retry(ob, s2, 10));         /* acked: gone */
	assert_false(outbox_retry(ob, 12345, 10));
}

static void test_retry_repeatedly(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t s1;

	push(ob, "one");
	push(ob, "two");
	s1 = next_text(ob, "one")->seq;
	assert_true(outbox_retry(ob, s1, 0));
	m = next_text(ob, "one");
	assert_int_equal(m->seq, s1);
	assert_true(outbox_retry(ob, s1, 0));
	m = next_text(ob, "one");
	assert_int_equal(m->attempts, 3);
	assert_true(outbox_acked(ob, s1));
	send_ack(ob, "two");
}

static void test_hold(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	uint64_t t0;

	push(ob, "one");
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	outbox_hold(ob, 60);
	assert_null(outbox_next(ob));
	/* a shorter hold does not shorten the running one */
	outbox_hold(ob, 0);
	assert_null(outbox_next(ob));
	wait_kick();
	assert_true(uv_now(&loop) >= t0 + 60);
	send_ack(ob, "one");
}

static void test_failed_hands_out(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m1, *f;
	uint64_t s1;

	outbox_push(ob, OUT_DM, "u-7", "one", "ops", "u-1", "hu");
	push(ob, "two");
	m1 = next_text(ob, "one");
	s1 = m1->seq;
	f = outbox_failed(ob, s1);
	assert_ptr_equal(f, m1);
	assert_null(f->next);
	assert_int_equal(f->seq, s1);
	assert_int_equal(f->kind, OUT_DM);
	assert_string_equal(f->target, "u-7");
	assert_string_equal(f->text, "one");
	assert_string_equal(f->origin_room, "ops");
	assert_string_equal(f->origin_user, "u-1");
	assert_string_equal(f->lang, "hu");
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 1);
	assert_null(outbox_failed(ob, s1));
	assert_false(outbox_acked(ob, s1));
	outbox_msg_free(f);
	send_ack(ob, "two");
}

static void test_failed_kicks_when_more_queued(void **state)
{
	/* A message failed for good frees the in-flight slot just as an ack
	 * does.  Without a kick nothing asks for the next send: the adapter
	 * only writes again when kicked, so "two" would wait for the next push. */
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	push(ob, "one");
	push(ob, "two");
	m = next_text(ob, "one");
	kicks = 0;
	m = outbox_failed(ob, m->seq);
	assert_non_null(m);
	outbox_msg_free(m);
	assert_int_equal(kicks, 1);
	next_text(ob, "two");
}

static void test_requeue_inflight(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t s2;

	push(ob, "one");
	push(ob, "two");
	push(ob, "three");
	send_ack(ob, "one");
	s2 = next_text(ob, "two")->seq;
	push(ob, "four");
	assert_int_equal(outbox_inflight(ob), 1);
	assert_int_equal(outbox_queued(ob), 2);
	/* the connection drops: "two" goes back in front of "three" and "four" */
	outbox_requeue_inflight(ob);
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 3);
	assert_false(outbox_acked(ob, s2));     /* no longer in flight */
	m = next_text(ob, "two");
	assert_int_equal(m->seq, s2);
	assert_int_equal(m->attempts, 2);
	assert_true(outbox_acked(ob, s2));
	m = next_text(ob, "three");
	assert_int_equal(m->attempts, 1);
	assert_true(outbox_acked(ob, m->seq));
	send_ack(ob, "four");
	assert_null(outbox_next(ob));
}

static void test_requeue_empty(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	outbox_requeue_inflight(ob);
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 0);
	assert_null(outbox_next(ob));
	push(ob, "one");
	outbox_requeue_inflight(ob);            /* queued, not in flight: unchanged */
	assert_int_equal(outbox_queued(ob), 1);
	send_ack(ob, "one");
}

static void test_free_with_messages(void **state)
{
	/* queued and in-flight messages are freed with the outbox (ASan checks) */
	struct outbox *ob = new_outbox(state, 4, 0);

	outbox_push(ob, OUT_SEND, "r", "aaa bbb ccc ddd", "o", "u", "zh");
	next_text(ob, "aaa");
	outbox_hold(ob, 10000);        /* an armed timer is closed too */
	assert_int_equal(outbox_queued(ob), 3);
	assert_int_equal(outbox_inflight(ob), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_push_fields_and_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_null_origin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_kicks_every_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_splits_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_send_wait_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_nothing_no_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_and_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_first_lane_goes_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_in_flight_until_acked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_in_flight_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_with_nothing_queued_no_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_of_queued_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_pacing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_pacing_is_sliding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_rate_zero_unpaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_goes_in_front_and_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_repeatedly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_hands_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_kicks_when_more_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_inflight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_messages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
