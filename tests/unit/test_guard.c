/*
 * test_guard: the abuse guard's token buckets.  A burst passes, the next
 * command is a WARN (once), the rest DROP; tokens come back at per_minute;
 * identities do not share buckets; reconfiguring applies; a flood of
 * identities does not make the guard forget a recent one.
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

static int setup(void **state)
{
	*state = guard_new(6, 3);      /* burst 3, then one every 10 s */
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	guard_free(*state);
	return 0;
}

static enum guard_verdict check(struct guard *g, const char *id, int64_t now)
{
	return guard_check(g, id, now, NULL);
}

static void test_burst_then_warn_then_drop(void **state)
{
	struct guard *g = *state;
	int64_t wait = -1;

	assert_int_equal(check(g, "site:u1", T0), GUARD_OK);
	assert_int_equal(check(g, "site:u1", T0), GUARD_OK);
	assert_int_equal(check(g, "site:u1", T0), GUARD_OK);
	assert_int_equal(guard_check(g, "site:u1", T0, &wait), GUARD_WARN);
	/* one token comes every 10 s; the bucket is empty */
	assert_true(wait > 9000 && wait <= 10001);
	assert_int_equal(check(g, "site:u1", T0), GUARD_DROP);
	assert_int_equal(check(g, "site:u1", T0 + 1), GUARD_DROP);
	wait = -1;
	assert_int_equal(guard_check(g, "site:u1", T0 + 5000, &wait), GUARD_DROP);
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
	assert_int_equal(check(g, "a", T0 + 10050), GUARD_WARN);        /* told again after a pass */
	assert_int_equal(check(g, "a", T0 + 10100), GUARD_DROP);
	assert_int_equal(check(g, "a", T0 + 20100), GUARD_OK);          /* 1.005 tokens */
	assert_int_equal(check(g, "a", T0 + 20100), GUARD_WARN);
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

	guard_configure(g, 6, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(check(g, "new", T0), GUARD_OK);
	assert_int_equal(check(g, "new", T0), GUARD_WARN);
	guard_configure(g, 6, 1);
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
	guard_configure(g, 60, 3);
	assert_int_equal(check(g, "a", T0 + 900), GUARD_DROP);
	assert_int_equal(check(g, "a", T0 + 1100), GUARD_OK);
	assert_int_equal(check(g, "a", T0 + 1100), GUARD_WARN);
	assert_int_equal(check(g, "a", T0 + 2200), GUARD_OK);
}

static void test_nonsense_config_is_clamped(void **state)
{
	struct guard *g = *state;

	/* zero or negative: at least a burst of 1 and 1 a minute, never "nothing passes" */
	guard_configure(g, 0, 0);
	assert_int_equal(check(g, "z", T0), GUARD_OK);
	assert_int_equal(check(g, "z", T0), GUARD_WARN);
	assert_int_equal(check(g, "z", T0 + 59000), GUARD_DROP);
	assert_int_equal(check(g, "z", T0 + 60100), GUARD_OK);
	guard_configure(g, -5, -5);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
