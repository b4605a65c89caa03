/*
 * test_guard: the abuse guard's token buckets.  A friend's burst passes, the
 * rest is DROPped and told once per flood (until the bucket is full again);
 * tokens come back at per_minute; identities do not share buckets;
 * reconfiguring applies; a flood of identities does not make the guard forget
 * a recent one.  Staff over their limit are DELAYed, never dropped: queued in
 * order, given back as tokens come, bounded by queue_max (then FULL).
 * Before Redis (guard_precheck) a known friend's flood is dropped only while
 * Redis vouches, during that flood, that they are a friend; with Redis down
 * everyone is counted at an unknown person's limits.
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

#include "bot/guard.h"

#define T0 1772438100000LL      /* 2026-03-02T07:55:00Z */

static const struct guard_limits FRIEND = { 6, 3 };        /* burst 3, then one every 10 s */
static const struct guard_limits STAFF = { 60, 5 };         /* burst 5, then one a second */

static int setup(void **state)
{
	*state = guard_new(&FRIEND, &STAFF, 4);
	return *state ? 0 : -1;
}

/* the old tests' configure(g, per_minute, burst): friends' limits */
static void configure(struct guard *g, int per_minute, int burst)
{
	guard_configure(g, &(struct guard_limits){ per_minute, burst }, &STAFF, 4);
}

static int teardown(void **state)
{
	guard_free(*state);
	return 0;
}

/* A friend's command: GUARD_WARN stands for a DROP the friend is told of. */
#define GUARD_WARN 100
static int check(struct guard *g, const char *id, int64_t now)
{
	struct guard_note note;
	enum guard_verdict v = guard_check(g, id, GUARD_FRIEND, NULL, now, NULL, &note);

	if (v == GUARD_DROP && note.tell)
		return GUARD_WARN;
	assert_false(note.tell);
	return (int)v;
}

static int check_wait(struct guard *g, const char *id, int64_t now, int64_t *wait)
{
	struct guard_note note;
	enum guard_verdict v = guard_check(g, id, GUARD_FRIEND, NULL, now, NULL, &note);

	*wait = note.wait_ms;
	return v == GUARD_DROP && note.tell ? GUARD_WARN : (int)v;
}

static void test_burst_then_warn_then_drop(void **state)
{
	struct guard *g = *state;
	int64_t wait = -1;

	assert_int_equal(check(g, "site:u1", T0), GUARD_OK);
	assert_int_equal(check(g, "site:u1", T0), GUARD_OK);
	assert_int_equal(check(g, "site:u1", T0), GUARD_OK);
	assert_int_equal(check_wait(g, "site:u1", T0, &wait), GUARD_WARN);
	/* one token comes every 10 s; the bucket is empty */
	assert_true(wait > 9000 && wait <= 10001);
	assert_int_equal(check(g, "site:u1", T0), GUARD_DROP);
	assert_int_equal(check(g, "site:u1", T0 + 1), GUARD_DROP);
	wait = -1;
	assert_int_equal(check_wait(g, "site:u1", T0 + 5000, &wait), GUARD_DROP);
	assert_true(wait > 4000 && wait <= 5001);
}

static void test_refill_over_time(void **state)
{
	struct guard *g = *state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "a", T0), GUARD_OK);
	assert_int_equal(check(g, "a", T0), GUARD_WARN);
	assert_int_equal(check(g, "a", T0 + 9000), GUARD_DROP);         /* 0.9 token */
	assert_int_equal(check(g, "a", T0 + 10050), GUARD_OK);          /* 1.005 tokens */
	assert_int_equal(check(g, "a", T0 + 10050), GUARD_DROP);        /* the same flood: told once */
	assert_int_equal(check(g, "a", T0 + 10100), GUARD_DROP);
	assert_int_equal(check(g, "a", T0 + 20100), GUARD_OK);          /* 1.005 tokens */
	assert_int_equal(check(g, "a", T0 + 20100), GUARD_DROP);
	/* quiet until the bucket is full again (3 tokens, 30 s): a new flood, told again */
	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "a", T0 + 60000), GUARD_OK);
	assert_int_equal(check(g, "a", T0 + 60000), GUARD_WARN);
}

static void test_refill_capped_at_burst(void **state)
{
	struct guard *g = *state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "a", T0), GUARD_OK);
	/* an hour idle gives back the burst, not 360 tokens */
	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "a", T0 + 3600000), GUARD_OK);
	assert_int_equal(check(g, "a", T0 + 3600000), GUARD_WARN);
}

static void test_time_going_back_is_harmless(void **state)
{
	struct guard *g = *state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "a", T0), GUARD_OK);
	assert_int_equal(check(g, "a", T0 - 60000), GUARD_WARN);
	assert_int_equal(check(g, "a", T0 - 60000), GUARD_DROP);
	assert_int_equal(check(g, "a", T0 + 10100), GUARD_OK);
}

static void test_identities_independent(void **state)
{
	struct guard *g = *state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "site:mia", T0), GUARD_OK);
	assert_int_equal(check(g, "site:mia", T0), GUARD_WARN);
	assert_int_equal(check(g, "site:mia", T0), GUARD_DROP);
	/* nobody else is slowed, not even a similar name or another connection */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(check(g, "site:mi", T0), GUARD_OK);
		assert_int_equal(check(g, "site:miaa", T0), GUARD_OK);
		assert_int_equal(check(g, "other:mia", T0), GUARD_OK);
	}
	assert_int_equal(check(g, "site:mi", T0), GUARD_WARN);
	assert_int_equal(check(g, "site:mia", T0), GUARD_DROP);
}

static void test_reconfigure_burst(void **state)
{
	struct guard *g = *state;

	configure(g, 6, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(check(g, "new", T0), GUARD_OK);
	assert_int_equal(check(g, "new", T0), GUARD_WARN);
	configure(g, 6, 1);
	assert_int_equal(check(g, "newer", T0), GUARD_OK);
	assert_int_equal(check(g, "newer", T0), GUARD_WARN);
}

static void test_reconfigure_rate(void **state)
{
	struct guard *g = *state;

	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "a", T0), GUARD_OK);
	assert_int_equal(check(g, "a", T0), GUARD_WARN);
	/* 60 a minute: one a second from now on */
	configure(g, 60, 3);
	assert_int_equal(check(g, "a", T0 + 900), GUARD_DROP);
	assert_int_equal(check(g, "a", T0 + 1100), GUARD_OK);
	assert_int_equal(check(g, "a", T0 + 1100), GUARD_DROP);        /* the same flood */
	assert_int_equal(check(g, "a", T0 + 2200), GUARD_OK);
}

static void test_nonsense_config_is_clamped(void **state)
{
	struct guard *g = *state;

	/* zero or negative: at least a burst of 1 and 1 a minute, never "nothing passes" */
	configure(g, 0, 0);
	assert_int_equal(check(g, "z", T0), GUARD_OK);
	assert_int_equal(check(g, "z", T0), GUARD_WARN);
	assert_int_equal(check(g, "z", T0 + 59000), GUARD_DROP);
	assert_int_equal(check(g, "z", T0 + 60100), GUARD_OK);
	configure(g, -5, -5);
	assert_int_equal(check(g, "y", T0), GUARD_OK);
	assert_int_equal(check(g, "y", T0), GUARD_WARN);
}

static void test_long_identity(void **state)
{
	/* the dispatcher's identity buffer holds 199 characters */
	struct guard *g = *state;
	char id[200], other[200];

	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	memcpy(other, id, sizeof(id));
	other[198] = 'y';
	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, id, T0), GUARD_OK);
	assert_int_equal(check(g, id, T0), GUARD_WARN);
	assert_int_equal(check(g, id, T0), GUARD_DROP);
	assert_int_equal(check(g, other, T0), GUARD_OK);
}

static void test_many_identities_keep_recent(void **state)
{
	struct guard *g = *state;
	char id[32];
	int64_t now = T0;

	/* more identities than the table has room for */
	for (int i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "site:flood-%d", i);
		assert_int_equal(check(g, id, now++), GUARD_OK);
	}
	/* a recent identity drains its bucket... */
	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "site:recent", now), GUARD_OK);
	assert_int_equal(check(g, "site:recent", now), GUARD_WARN);
	/* ...a few hundred newcomers later it is still known and still limited */
	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "site:late-%d", i);
		assert_int_equal(check(g, id, now + 1 + i), GUARD_OK);
	}
	assert_int_equal(check(g, "site:recent", now + 400), GUARD_DROP);
	/* and the latest flood identities are still tracked too */
	snprintf(id, sizeof(id), "site:late-%d", 299);
	assert_int_equal(check(g, id, now + 400), GUARD_OK);
	assert_int_equal(check(g, id, now + 400), GUARD_OK);
	assert_int_equal(check(g, id, now + 400), GUARD_WARN);
}

static void test_flood_of_one_and_many(void **state)
{
	struct guard *g = *state;
	char id[32];
	int ok = 0;

	/* someone flooding does not get through while others come and go */
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "site:other-%d", i);
		check(g, id, T0 + i);
		if (check(g, "site:flooder", T0 + i) == GUARD_OK)
			ok++;
	}
	/* 3 burst + one every 10 s over 5 s of flooding */
	assert_int_equal(ok, 3);
}

/* ---- staff: delayed, never dropped ---- */

static enum guard_verdict staff(struct guard *g, const char *id, int64_t now, void *item, struct guard_note *note)
{
	return guard_check(g, id, GUARD_STAFF, "de", now, item, note);
}

static void test_staff_delayed_in_order_then_full(void **state)
{
	struct guard *g = *state;
	struct guard_note note;
	int items[8];

	for (int i = 0; i < 5; i++)
		assert_int_equal(staff(g, "site:mark", T0, &items[0], &note), GUARD_OK);
	/* over the limit: queued, told once */
	assert_int_equal(staff(g, "site:mark", T0, &items[1], &note), GUARD_DELAY);
	assert_true(note.tell);
	assert_int_equal(note.queued, 1);
	assert_true(note.wait_ms > 900 && note.wait_ms <= 1001);
	assert_string_equal(note.lang, "de");
	for (int i = 2; i <= 4; i++) {
		assert_int_equal(staff(g, "site:mark", T0, &items[i], &note), GUARD_DELAY);
		assert_false(note.tell);
		assert_int_equal(note.queued, (size_t)i);
	}
	assert_true(note.wait_ms > 3900 && note.wait_ms <= 4001);      /* the 4th waits 4 s */
	assert_int_equal(guard_queued(g), 4);
	/* the queue holds 4: the next is refused, told once, and nothing is lost */
	assert_int_equal(staff(g, "site:mark", T0, &items[5], &note), GUARD_FULL);
	assert_true(note.tell);
	assert_int_equal(note.queued, 4);
	assert_int_equal(staff(g, "site:mark", T0, &items[6], &note), GUARD_FULL);
	assert_false(note.tell);
	assert_int_equal(guard_queued(g), 4);
	/* they come back in order, one a second */
	assert_null(guard_next_ready(g, T0 + 500));
	assert_true(guard_next_due(g, T0 + 500) > 400 && guard_next_due(g, T0 + 500) <= 501);
	assert_ptr_equal(guard_next_ready(g, T0 + 1001), &items[1]);
	assert_null(guard_next_ready(g, T0 + 1001));
	/* a new command while others wait queues behind them, even with a token */
	assert_int_equal(staff(g, "site:mark", T0 + 2500, &items[7], &note), GUARD_DELAY);
	assert_false(note.tell);
	assert_ptr_equal(guard_next_ready(g, T0 + 2500), &items[2]);
	assert_null(guard_next_ready(g, T0 + 2500));
	assert_ptr_equal(guard_next_ready(g, T0 + 6000), &items[3]);
	assert_ptr_equal(guard_next_ready(g, T0 + 6000), &items[4]);
	assert_ptr_equal(guard_next_ready(g, T0 + 6000), &items[7]);
	assert_null(guard_next_ready(g, T0 + 6000));
	assert_int_equal(guard_next_due(g, T0 + 6000), -1);
	assert_int_equal(guard_queued(g), 0);
}

static void test_staff_told_again_after_the_flood(void **state)
{
	struct guard *g = *state;
	struct guard_note note;
	int item;

	for (int i = 0; i < 5; i++)
		assert_int_equal(staff(g, "s", T0, &item, &note), GUARD_OK);
	assert_int_equal(staff(g, "s", T0, &item, &note), GUARD_DELAY);
	assert_true(note.tell);
	assert_ptr_equal(guard_next_ready(g, T0 + 1001), &item);
	/* one token back but the bucket not full: the same flood */
	assert_int_equal(staff(g, "s", T0 + 2000, &item, &note), GUARD_OK);
	assert_int_equal(staff(g, "s", T0 + 2000, &item, &note), GUARD_DELAY);
	assert_false(note.tell);
	assert_ptr_equal(guard_next_ready(g, T0 + 3001), &item);
	/* quiet until full again (5 s): a new flood is told */
	for (int i = 0; i < 5; i++)
		assert_int_equal(staff(g, "s", T0 + 10000, &item, &note), GUARD_OK);
	assert_int_equal(staff(g, "s", T0 + 10000, &item, &note), GUARD_DELAY);
	assert_true(note.tell);
	assert_non_null(guard_take_any(g));
}

static void test_staff_queues_are_served_in_turn(void **state)
{
	struct guard *g = *state;
	int a[3], b[3];
	void *got[6];

	for (int i = 0; i < 5; i++) {
		assert_int_equal(staff(g, "a", T0, &a[0], NULL), GUARD_OK);
		assert_int_equal(staff(g, "b", T0, &b[0], NULL), GUARD_OK);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(staff(g, "a", T0, &a[i], NULL), GUARD_DELAY);
		assert_int_equal(staff(g, "b", T0, &b[i], NULL), GUARD_DELAY);
	}
	/* a second later each has a token: one of each, not two of one */
	got[0] = guard_next_ready(g, T0 + 1001);
	got[1] = guard_next_ready(g, T0 + 1001);
	assert_null(guard_next_ready(g, T0 + 1001));
	assert_true((got[0] == &a[0] && got[1] == &b[0]) || (got[0] == &b[0] && got[1] == &a[0]));
	/* shutting down: everything, limits ignored, each person's in order */
	for (int i = 0; i < 4; i++)
		assert_non_null(got[2 + i] = guard_take_any(g));
	assert_null(guard_take_any(g));
	for (int i = 2; i < 6; i++)
		for (int j = i + 1; j < 6; j++) {
			/* a[1] before a[2], b[1] before b[2] */
			assert_false(got[i] == &a[2] && got[j] == &a[1]);
			assert_false(got[i] == &b[2] && got[j] == &b[1]);
		}
	assert_int_equal(guard_queued(g), 0);
}

static void test_waiting_work_is_never_forgotten(void **state)
{
	struct guard *g = *state;
	char id[32];
	int item;

	for (int i = 0; i < 5; i++)
		staff(g, "site:mark", T0, &item, NULL);
	assert_int_equal(staff(g, "site:mark", T0, &item, NULL), GUARD_DELAY);
	/* a flood of newcomers reuses stale buckets, never the one with work in it */
	for (int i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "site:flood-%d", i);
		check(g, id, T0 + i);
	}
	assert_int_equal(guard_class_of(g, "site:mark"), GUARD_STAFF);
	assert_ptr_equal(guard_next_ready(g, T0 + 20000), &item);
	assert_int_equal(guard_queued(g), 0);
}

static void test_class_is_learned(void **state)
{
	struct guard *g = *state;
	int item;

	assert_int_equal(guard_class_of(g, "site:lina"), GUARD_UNKNOWN);
	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "site:lina", T0), GUARD_OK);
	assert_int_equal(guard_class_of(g, "site:lina"), GUARD_FRIEND);
	assert_int_equal(check(g, "site:lina", T0), GUARD_WARN);
	/* made staff: a fresh bucket with the staff's limits, and never dropped */
	for (int i = 0; i < 5; i++)
		assert_int_equal(staff(g, "site:lina", T0, &item, NULL), GUARD_OK);
	assert_int_equal(guard_class_of(g, "site:lina"), GUARD_STAFF);
	assert_int_equal(staff(g, "site:lina", T0, &item, NULL), GUARD_DELAY);
	assert_ptr_equal(guard_take_any(g), &item);
}

static void test_learning_later_counts_nothing(void **state)
{
	struct guard *g = *state;
	struct guard_note note;
	int item;

	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "site:lina", T0), GUARD_OK);
	/* her language, learned after the check: the next notice is in it */
	guard_learn(g, "site:lina", GUARD_FRIEND, "es", T0);
	assert_int_equal(guard_check(g, "site:lina", GUARD_FRIEND, NULL, T0, NULL, &note), GUARD_DROP);
	assert_true(note.tell);
	assert_string_equal(note.lang, "es");
	/* counted as a friend, found to be staff: staff limits from now on */
	guard_learn(g, "site:lina", GUARD_STAFF, "es", T0);
	assert_int_equal(guard_class_of(g, "site:lina"), GUARD_STAFF);
	for (int i = 0; i < 5; i++)
		assert_int_equal(staff(g, "site:lina", T0, &item, NULL), GUARD_OK);
	assert_int_equal(staff(g, "site:lina", T0, &item, NULL), GUARD_DELAY);
	assert_ptr_equal(guard_take_any(g), &item);
	/* nobody is created by learning */
	guard_learn(g, "site:nobody", GUARD_STAFF, "de", T0);
	assert_int_equal(guard_class_of(g, "site:nobody"), GUARD_UNKNOWN);
}

/* ---- before Redis: guard_precheck ---- */

static enum guard_verdict pre(struct guard *g, const char *id, int64_t now, struct guard_note *note)
{
	return guard_precheck(g, id, now, note);
}

static void test_precheck_counts_only_known_friends(void **state)
{
	struct guard *g = *state;
	struct guard_note note;
	int item;

	/* nobody known: counted after Redis, whoever they turn out to be */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(pre(g, "site:new", T0, &note), GUARD_OK);
		assert_false(note.counted);
	}
	/* staff: never counted (nor dropped) before Redis */
	for (int i = 0; i < 6; i++)
		staff(g, "site:mark", T0, &item, NULL);
	assert_int_equal(pre(g, "site:mark", T0, &note), GUARD_OK);
	assert_false(note.counted);
	assert_string_equal(note.lang, "de");  /* what the guard knows, should Redis not answer */
	assert_ptr_equal(guard_take_any(g), &item);
	/* a known friend within the limit: counted now, once */
	assert_int_equal(check(g, "site:lina", T0), GUARD_OK);
	guard_learn(g, "site:lina", GUARD_FRIEND, "es", T0);
	assert_int_equal(pre(g, "site:lina", T0, &note), GUARD_OK);
	assert_true(note.counted);
	assert_string_equal(note.lang, "es");
	assert_int_equal(pre(g, "site:lina", T0, &note), GUARD_OK);
	assert_true(note.counted);
	/* the burst of 3 is spent: the first over it is the one told */
	assert_int_equal(pre(g, "site:lina", T0, &note), GUARD_DROP);
	assert_true(note.tell);
	assert_true(note.wait_ms > 9000 && note.wait_ms <= 10001);
}

static void test_precheck_drops_only_while_redis_vouches(void **state)
{
	struct guard *g = *state;
	struct guard_note note;

	for (int i = 0; i < 3; i++)
		assert_int_equal(check(g, "site:lina", T0), GUARD_OK);
	assert_int_equal(pre(g, "site:lina", T0, &note), GUARD_DROP);
	assert_true(note.tell);
	/* until Redis answers for this flood, the rest goes to Redis (not counted) */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(pre(g, "site:lina", T0 + 5, &note), GUARD_OK);
		assert_false(note.counted);
		assert_false(note.tell);
	}
	/* and is dropped there, silently, the friend's limits counting it */
	assert_int_equal(check(g, "site:lina", T0 + 10), GUARD_DROP);
	/* Redis said "a friend" during the flood: dropped before Redis now... */
	assert_int_equal(pre(g, "site:lina", T0 + 20, &note), GUARD_DROP);
	assert_false(note.tell);
	assert_int_equal(pre(g, "site:lina", T0 + 10 + GUARD_VOUCH_MS - 1, &note), GUARD_DROP);
	/* ...but not for longer than GUARD_VOUCH_MS after its word */
	assert_int_equal(pre(g, "site:lina", T0 + 10 + GUARD_VOUCH_MS, &note), GUARD_OK);
	assert_false(note.counted);
	guard_learn(g, "site:lina", GUARD_FRIEND, NULL, T0 + 1500);
	assert_int_equal(pre(g, "site:lina", T0 + 1600, &note), GUARD_DROP);
	/* the flood over (the bucket full again): counted, and told again next time */
	assert_int_equal(pre(g, "site:lina", T0 + 40000, &note), GUARD_OK);
	assert_true(note.counted);
	assert_int_equal(pre(g, "site:lina", T0 + 40000, &note), GUARD_OK);
	assert_int_equal(pre(g, "site:lina", T0 + 40000, &note), GUARD_OK);
	assert_int_equal(pre(g, "site:lina", T0 + 40000, &note), GUARD_DROP);
	assert_true(note.tell);
	/* what Redis said in the last flood vouches for nothing in this one */
	assert_int_equal(pre(g, "site:lina", T0 + 40001, &note), GUARD_OK);
	assert_false(note.counted);
}

static void test_friend_made_staff_is_not_dropped(void **state)
{
	struct guard *g = *state;
	struct guard_note note;
	int item[3];

	/* a friend's flood, vouched for */
	for (int i = 0; i < 4; i++)
		check(g, "site:u42", T0);
	guard_learn(g, "site:u42", GUARD_FRIEND, NULL, T0);
	assert_int_equal(pre(g, "site:u42", T0 + 1, &note), GUARD_DROP);
	/* made staff meanwhile: once the word is old, the next line goes to Redis... */
	assert_int_equal(pre(g, "site:u42", T0 + GUARD_VOUCH_MS, &note), GUARD_OK);
	assert_false(note.counted);
	/* ...which says staff: the staff's limits, and never dropped before Redis */
	assert_int_equal(staff(g, "site:u42", T0 + GUARD_VOUCH_MS, &item[0], NULL), GUARD_OK);
	assert_int_equal(guard_class_of(g, "site:u42"), GUARD_STAFF);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(pre(g, "site:u42", T0 + GUARD_VOUCH_MS, &note), GUARD_OK);
		assert_false(note.counted);
	}
	/* the line told as a friend's turns out to be staff's: it runs */
	for (int i = 0; i < 3; i++)
		check(g, "site:u43", T0);
	assert_int_equal(pre(g, "site:u43", T0, &note), GUARD_DROP);
	assert_true(note.tell);
	assert_int_equal(staff(g, "site:u43", T0, &item[1], NULL), GUARD_OK);
	/* so does a paste read before Redis answered for any of it */
	for (int i = 0; i < 3; i++)
		check(g, "site:u44", T0);
	assert_int_equal(pre(g, "site:u44", T0, &note), GUARD_DROP);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pre(g, "site:u44", T0, &note), GUARD_OK);
	guard_learn(g, "site:u44", GUARD_STAFF, NULL, T0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(staff(g, "site:u44", T0, &item[2], NULL), GUARD_OK);
	assert_int_equal(guard_queued(g), 0);
}

/* ---- Redis down: nobody's role is known ---- */

static enum guard_verdict unknown(struct guard *g, const char *id, int64_t now, struct guard_note *note)
{
	return guard_check(g, id, GUARD_UNKNOWN, NULL, now, NULL, note);
}

static void test_unknown_get_the_friends_limits(void **state)
{
	struct guard *g = *state;
	struct guard_note note;
	int item;
	int ok = 0, told = 0;

	/* nobody known (a restart with Redis down): a friend's burst, told once */
	for (int i = 0; i < 30; i++) {
		if (unknown(g, "site:u9", T0 + i, &note) == GUARD_OK)
			ok++;
		told += note.tell;
	}
	assert_int_equal(ok, 3);
	assert_int_equal(told, 1);
	/* nothing is learned */
	assert_int_equal(guard_class_of(g, "site:u9"), GUARD_UNKNOWN);
	assert_int_equal(pre(g, "site:u9", T0 + 40, &note), GUARD_OK);
	assert_false(note.counted);
	/* Redis back, a friend after all: the count goes on, and nothing is told twice */
	assert_int_equal(guard_check(g, "site:u9", GUARD_FRIEND, NULL, T0 + 50, NULL, &note), GUARD_DROP);
	assert_false(note.tell);
	assert_int_equal(guard_class_of(g, "site:u9"), GUARD_FRIEND);
	/* staff known from before the outage: their own limits, the excess dropped (nothing queues) */
	staff(g, "site:mark", T0, &item, NULL);
	ok = told = 0;
	for (int i = 0; i < 8; i++) {
		if (unknown(g, "site:mark", T0, &note) == GUARD_OK)
			ok++;
		told += note.tell;
		assert_string_equal(note.lang, "de");
	}
	assert_int_equal(ok, 4);
	assert_int_equal(told, 1);
	assert_int_equal(guard_queued(g), 0);
	assert_int_equal(guard_class_of(g, "site:mark"), GUARD_STAFF);
	/* a token back a second later */
	assert_int_equal(unknown(g, "site:mark", T0 + 1000, &note), GUARD_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_burst_then_warn_then_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refill_over_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refill_capped_at_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_going_back_is_harmless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identities_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconfigure_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconfigure_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonsense_config_is_clamped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_identities_keep_recent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_of_one_and_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staff_delayed_in_order_then_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staff_told_again_after_the_flood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staff_queues_are_served_in_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waiting_work_is_never_forgotten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_class_is_learned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learning_later_counts_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precheck_counts_only_known_friends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precheck_drops_only_while_redis_vouches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_friend_made_staff_is_not_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_get_the_friends_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
