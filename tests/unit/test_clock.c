/*
 * test_clock: parsing of instants (epoch ms, ISO-8601 with Z or an offset,
 * with or without a fraction) and DUTYBOT_FAKE_NOW moving the start of the
 * clock while it still advances in real time.
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

#include "bot/lib/clock.h"

/* 2026-03-02T07:55:00Z, computed independently (Python datetime) */
#define T_2026 1772438100000LL

static int64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_epoch_ms(void **state)
{
	assert_int_equal(clock_parse_instant("0"), 0);
	assert_int_equal(clock_parse_instant("1772438100000"), T_2026);
	assert_int_equal(clock_parse_instant("1772438100123"), T_2026 + 123);
	assert_int_equal(clock_parse_instant("000042"), 42);
}

static void test_epoch_ms_out_of_range(void **state)
{
	/* more than int64 can hold is not an instant (strtoll would clamp it) */
	assert_int_equal(clock_parse_instant("99999999999999999999"), -1);
	assert_int_equal(clock_parse_instant("9223372036854775808"), -1);
}

static void test_iso_utc(void **state)
{
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00Z"), T_2026);
	assert_int_equal(clock_parse_instant("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(clock_parse_instant("2000-02-29T23:59:59Z"), 951868799000LL);
}

static void test_iso_fraction(void **state)
{
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00.123Z"), T_2026 + 123);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00.5Z"), T_2026 + 500);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00.05Z"), T_2026 + 50);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00.000Z"), T_2026);
	/* digits past milliseconds are ignored, not rounded */
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00.123999Z"), T_2026 + 123);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00.250+01:00"), T_2026 - 3600000 + 250);
}

static void test_iso_offsets(void **state)
{
	/* 07:55 at +01:00 is 06:55Z */
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+01:00"), 1772434500000LL);
	/* 07:55 at -05:30 is 13:25Z */
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00-05:30"), 1772457900000LL);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+00:00"), T_2026);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00-00:00"), T_2026);
	/* the same instant written three ways */
	assert_int_equal(clock_parse_instant("2026-03-02T13:25:00+05:30"), clock_parse_instant("2026-03-02T07:55:00Z"));
	/* an offset crossing midnight and a year */
	assert_int_equal(clock_parse_instant("2026-01-01T00:30:00+01:00"), clock_parse_instant("2025-12-31T23:30:00Z"));
}

static void test_rejects_no_zone(void **state)
{
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00.123"), -1);
}

static void test_rejects_junk(void **state)
{
	assert_int_equal(clock_parse_instant(NULL), -1);
	assert_int_equal(clock_parse_instant(""), -1);
	assert_int_equal(clock_parse_instant("now"), -1);
	assert_int_equal(clock_parse_instant("-1"), -1);
	assert_int_equal(clock_parse_instant("12ab"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02 07:55:00Z"), -1);
	assert_int_equal(clock_parse_instant("2026-13-02T07:55:00Z"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T25:55:00Z"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00Zjunk"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00z"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00.Z"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00 Z"), -1);
}

static void test_rejects_bad_offsets(void **state)
{
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+0100"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+1:00"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+01"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+01:"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+24:00"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+01:60"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+01:00Z"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+01:000"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+aa:bb"), -1);
}

static void test_rejects_signed_offset_fields(void **state)
{
	/* sscanf's %d takes a sign and skips blanks: these are not HH:MM */
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+-1:00"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+01:-5"), -1);
	assert_int_equal(clock_parse_instant("2026-03-02T07:55:00+ 1:00"), -1);
}

static void test_real_clock(void **state)
{
	/* without DUTYBOT_FAKE_NOW the clock is the wall clock */
	int64_t before = real_ms(), now, after;

	unsetenv("DUTYBOT_FAKE_NOW");
	assert_int_equal(clock_init(), 0);
	assert_false(clock_is_fake());
	now = clock_now_ms();
	after = real_ms();
	assert_true(now >= before && now <= after);
}

static void test_bad_fake_now_refused(void **state)
{
	setenv("DUTYBOT_FAKE_NOW", "2026-03-02T07:55:00", 1);
	assert_int_equal(clock_init(), -1);
	assert_false(clock_is_fake());
	setenv("DUTYBOT_FAKE_NOW", "yesterday", 1);
	assert_int_equal(clock_init(), -1);
	assert_false(clock_is_fake());
	unsetenv("DUTYBOT_FAKE_NOW");
}

static void test_fake_now(void **state)
{
	int64_t t1, t2;

	setenv("DUTYBOT_FAKE_NOW", "2026-03-02T07:55:00+01:00", 1);
	assert_int_equal(clock_init(), 0);
	assert_true(clock_is_fake());
	t1 = clock_now_ms();
	assert_true(t1 >= 1772434500000LL && t1 < 1772434500000LL + 1000);
	sleep_ms(30);
	t2 = clock_now_ms();
	assert_true(t2 >= t1 + 25 && t2 < t1 + 1000);
}

static void test_fake_now_epoch_ms(void **state)
{
	int64_t t1;

	setenv("DUTYBOT_FAKE_NOW", "1000000", 1);
	assert_int_equal(clock_init(), 0);
	assert_true(clock_is_fake());
	t1 = clock_now_ms();
	assert_true(t1 >= 1000000 && t1 < 1000000 + 1000);
	sleep_ms(20);
	assert_true(clock_now_ms() >= t1 + 15);
	unsetenv("DUTYBOT_FAKE_NOW");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_ms),
		cmocka_unit_test(test_epoch_ms_out_of_range),
		cmocka_unit_test(test_iso_utc),
		cmocka_unit_test(test_iso_fraction),
		cmocka_unit_test(test_iso_offsets),
		cmocka_unit_test(test_rejects_no_zone),
		cmocka_unit_test(test_rejects_junk),
		cmocka_unit_test(test_rejects_bad_offsets),
		cmocka_unit_test(test_rejects_signed_offset_fields),
		/* clock_init keeps state: the real clock first, then bad and good fakes */
		cmocka_unit_test(test_real_clock),
		cmocka_unit_test(test_bad_fake_now_refused),
		cmocka_unit_test(test_fake_now),
		cmocka_unit_test(test_fake_now_epoch_ms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
