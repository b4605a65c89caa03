/*
 * test_shift_time: the configured shifts as instances in time
 * (handlers/shift_time.c), in Europe/Berlin.  Three shifts, day 06-14, late
 * 14-22 and night 22-06: a night shift is one instance over midnight, an hour
 * shorter or longer when the clocks change in it, and the hand-over order
 * (previous/next) crosses days and the turn of the year.  Expected instants
 * were computed independently (Python's datetime with zoneinfo).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers/shift_time.h"

#define HOUR_MS 3600000LL
#define BERLIN_2026_03_02_0000 1772406000000LL  /* no clock change near it */
#define BERLIN_2026_03_28_2200 1774731600000LL
#define BERLIN_2026_03_29_0600 1774756800000LL
#define BERLIN_2026_10_24_2200 1792872000000LL
#define BERLIN_2026_10_25_0600 1792904400000LL
#define BERLIN_2026_12_31_2200 1798750800000LL
#define BERLIN_2027_01_01_0600 1798779600000LL

static char day_name[] = "day", late_name[] = "late", night_name[] = "night";

static struct config_shift three_shifts[] = {
	{ .name = day_name, .start_min = 6 * 60, .end_min = 14 * 60 },
	{ .name = late_name, .start_min = 14 * 60, .end_min = 22 * 60 },
	{ .name = night_name, .start_min = 22 * 60, .end_min = 6 * 60 },
};

static struct config cfg;

static int in_berlin(void **state)
{
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	memset(&cfg, 0, sizeof(cfg));
	cfg.shifts = three_shifts;
	cfg.n_shifts = sizeof(three_shifts) / sizeof(three_shifts[0]);
	return 0;
}

static struct ymd ymd(int y, int m, int d)
{
	return (struct ymd){ y, m, d };
}

static void assert_instance(const struct shift_instance *in, const char *date, const char *name)
{
	assert_string_equal(in->date_s, date);
	assert_string_equal(in->shift->name, name);
}

static void test_by_name(void **state)
{
	assert_ptr_equal(shift_by_name(&cfg, "late"), &three_shifts[1]);
	assert_null(shift_by_name(&cfg, "Late"));
	assert_null(shift_by_name(&cfg, ""));
}

static void test_plain_day(void **state)
{
	struct shift_instance in;

	shift_instance(&three_shifts[0], ymd(2026, 3, 2), &in);
	assert_int_equal(in.start, BERLIN_2026_03_02_0000 + 6 * HOUR_MS);
	assert_int_equal(in.end, BERLIN_2026_03_02_0000 + 14 * HOUR_MS);
	assert_string_equal(in.date_s, "2026-03-02");
	assert_string_equal(in.week, "2026-W10");
}

static void test_night_over_midnight(void **state)
{
	struct shift_instance in;

	shift_instance(&three_shifts[2], ymd(2026, 3, 2), &in);
	assert_int_equal(in.start, BERLIN_2026_03_02_0000 + 22 * HOUR_MS);
	assert_int_equal(in.end, BERLIN_2026_03_02_0000 + 30 * HOUR_MS);
	assert_string_equal(in.date_s, "2026-03-02");     /* the date it starts on */
}

static void test_night_over_spring_change(void **state)
{
	struct shift_instance in;

	shift_instance(&three_shifts[2], ymd(2026, 3, 28), &in);
	assert_int_equal(in.start, BERLIN_2026_03_28_2200);
	assert_int_equal(in.end, BERLIN_2026_03_29_0600);
	assert_int_equal(in.end - in.start, 7 * HOUR_MS);
}

static void test_night_over_autumn_change(void **state)
{
	struct shift_instance in;

	shift_instance(&three_shifts[2], ymd(2026, 10, 24), &in);
	assert_int_equal(in.start, BERLIN_2026_10_24_2200);
	assert_int_equal(in.end, BERLIN_2026_10_25_0600);
	assert_int_equal(in.end - in.start, 9 * HOUR_MS);
}

static void test_end_equal_to_start_is_a_whole_day(void **state)
{
	char name[] = "round";
	struct config_shift s = { .name = name, .start_min = 8 * 60, .end_min = 8 * 60 };
	struct shift_instance in;

	shift_instance(&s, ymd(2026, 3, 2), &in);
	assert_int_equal(in.end - in.start, 24 * HOUR_MS);
}

static void test_night_over_new_year(void **state)
{
	struct shift_instance in, next;

	shift_instance(&three_shifts[2], ymd(2026, 12, 31), &in);
	assert_int_equal(in.start, BERLIN_2026_12_31_2200);
	assert_int_equal(in.end, BERLIN_2027_01_01_0600);
	assert_string_equal(in.week, "2026-W53");
	assert_int_equal(shift_next(&cfg, &in, &next), 0);
	assert_instance(&next, "2027-01-01", "day");
	assert_string_equal(next.week, "2026-W53");     /* 1 January 2027 is a Friday */
}

static void test_instances_around_sorted(void **state)
{
	/* listed out of order in the config */
	struct config_shift backwards[3] = { three_shifts[2], three_shifts[1], three_shifts[0] };
	struct config shuffled = { .shifts = backwards, .n_shifts = 3 };
	struct shift_instance around[16];
	int n = shift_instances_around(&shuffled, BERLIN_2026_03_02_0000 + 12 * HOUR_MS, around, 16);

	/* three shifts on each of 1, 2 and 3 March, by start */
	assert_int_equal(n, 9);
	assert_instance(&around[0], "2026-03-01", "day");
	assert_instance(&around[2], "2026-03-01", "night");
	assert_instance(&around[3], "2026-03-02", "day");
	assert_instance(&around[8], "2026-03-03", "night");
	for (int i = 1; i < n; i++)
		assert_true(around[i - 1].start < around[i].start);
}

static void test_instances_around_bounded(void **state)
{
	struct shift_instance around[4];

	assert_int_equal(shift_instances_around(&cfg, BERLIN_2026_03_02_0000, around, 4), 4);
}

static void test_previous_and_next(void **state)
{
	struct shift_instance day, prev, next;

	shift_instance(&three_shifts[0], ymd(2026, 3, 2), &day);
	assert_int_equal(shift_previous(&cfg, &day, &prev), 0);
	assert_instance(&prev, "2026-03-01", "night");
	assert_int_equal(shift_next(&cfg, &day, &next), 0);
	assert_instance(&next, "2026-03-02", "late");
	assert_int_equal(shift_next(&cfg, &next, &next), 0);
	assert_instance(&next, "2026-03-02", "night");
	assert_int_equal(shift_next(&cfg, &next, &next), 0);
	assert_instance(&next, "2026-03-03", "day");
}

static void test_previous_across_the_spring_change(void **state)
{
	struct shift_instance day, prev;

	/* the night before is 7 hours long and still hands over at 06:00 */
	shift_instance(&three_shifts[0], ymd(2026, 3, 29), &day);
	assert_int_equal(day.start, BERLIN_2026_03_29_0600);
	assert_int_equal(shift_previous(&cfg, &day, &prev), 0);
	assert_instance(&prev, "2026-03-28", "night");
	assert_int_equal(prev.end, day.start);
}

static void test_no_previous_of_a_lone_shift_with_a_gap(void **state)
{
	/* one shift 09-17: the one before is yesterday's; nothing is lost in the gap */
	char name[] = "office";
	struct config_shift office = { .name = name, .start_min = 9 * 60, .end_min = 17 * 60 };
	struct config one = { .shifts = &office, .n_shifts = 1 };
	struct shift_instance in, prev, next;

	shift_instance(&office, ymd(2026, 3, 2), &in);
	assert_int_equal(shift_previous(&one, &in, &prev), 0);
	assert_instance(&prev, "2026-03-01", "office");
	assert_int_equal(shift_next(&one, &in, &next), 0);
	assert_instance(&next, "2026-03-03", "office");
}

static void test_running(void **state)
{
	char buf[128];

	assert_string_equal(shift_running(&cfg, BERLIN_2026_03_02_0000 + 3 * HOUR_MS, buf, sizeof(buf)),
	    "2026-03-01|night");
	/* the end is not part of a shift: at 06:00 only the day shift runs */
	assert_string_equal(shift_running(&cfg, BERLIN_2026_03_02_0000 + 6 * HOUR_MS, buf, sizeof(buf)),
	    "2026-03-02|day");
	assert_string_equal(shift_running(&cfg, BERLIN_2026_03_02_0000 + 6 * HOUR_MS - 1, buf, sizeof(buf)),
	    "2026-03-01|night");
}

static void test_running_overlap_and_small_buffer(void **state)
{
	char name[] = "office";
	struct config_shift four[4];
	struct config overlap = { .shifts = four, .n_shifts = 4 };
	char buf[128], small[8];

	memcpy(four, three_shifts, sizeof(three_shifts));
	four[3] = (struct config_shift){ .name = name, .start_min = 9 * 60, .end_min = 17 * 60 };
	assert_string_equal(shift_running(&overlap, BERLIN_2026_03_02_0000 + 10 * HOUR_MS, buf, sizeof(buf)),
	    "2026-03-02|day 2026-03-02|office");
	/* a buffer too small is cut, never overrun */
	shift_running(&overlap, BERLIN_2026_03_02_0000 + 10 * HOUR_MS, small, sizeof(small));
	assert_string_equal(small, "2026-03");
}

static void test_names(void **state)
{
	char buf[64], small[6];

	assert_string_equal(shift_names(&cfg, buf, sizeof(buf)), "day late night");
	assert_string_equal(shift_names(&cfg, small, sizeof(small)), "day l");
}

/* Lengths on an ordinary day, for the scripts that weigh hours on the
 * roster: a night over midnight is 8 h, a shift ending at its start a day. */
static void test_lengths(void **state)
{
	static char whole_name[] = "whole";
	struct config_shift one[] = { { .name = whole_name, .start_min = 7 * 60, .end_min = 7 * 60 } };
	struct config c1 = { .shifts = one, .n_shifts = 1 };
	char buf[128], small[12];

	(void)state;
	assert_string_equal(shift_lengths(&cfg, buf, sizeof(buf)), "day:28800000 late:28800000 night:28800000");
	assert_string_equal(shift_lengths(&c1, buf, sizeof(buf)), "whole:86400000");
	assert_string_equal(shift_lengths(&cfg, small, sizeof(small)), "day:2880000");
}

static void test_checkin_opens(void **state)
{
	cfg.policy.checkin_opens_ms = 30 * 60000;
	cfg.policy.reminder_ms = 45 * 60000;
	assert_int_equal(shift_checkin_opens_ms(&cfg), 45 * 60000);
	cfg.policy.reminder_ms = 10 * 60000;
	assert_int_equal(shift_checkin_opens_ms(&cfg), 30 * 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_plain_day),
		cmocka_unit_test(test_night_over_midnight),
		cmocka_unit_test(test_night_over_spring_change),
		cmocka_unit_test(test_night_over_autumn_change),
		cmocka_unit_test(test_end_equal_to_start_is_a_whole_day),
		cmocka_unit_test(test_night_over_new_year),
		cmocka_unit_test(test_instances_around_sorted),
		cmocka_unit_test(test_instances_around_bounded),
		cmocka_unit_test(test_previous_and_next),
		cmocka_unit_test(test_previous_across_the_spring_change),
		cmocka_unit_test(test_no_previous_of_a_lone_shift_with_a_gap),
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_running_overlap_and_small_buffer),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_checkin_opens),
	};

	return cmocka_run_group_tests(tests, in_berlin, NULL);
}
