/*
 * test_when: the calendar of bot/lib/when.c.  ISO weeks where they are easy to get
 * wrong (week 53, the days of one year that belong to a week of the next or
 * the last), dates as people type them, and local wall time in Europe/Berlin
 * across both clock changes: a night shift over the spring change is 7 hours,
 * over the autumn change 9.  Expected instants were computed independently
 * (Python's datetime with zoneinfo).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/lib/when.h"

#define HOUR_MS 3600000LL

/* Europe/Berlin, 2026: clocks go forward on 29 March at 02:00 CET, back on
 * 25 October at 03:00 CEST */
#define BERLIN_2026_03_29_0000 1774738800000LL  /* 2026-03-28T23:00Z */
#define BERLIN_2026_03_30_0000 1774821600000LL
#define BERLIN_2026_03_28_2200 1774731600000LL
#define BERLIN_2026_03_29_0600 1774756800000LL
#define BERLIN_2026_03_29_0330 1774747800000LL  /* 01:30Z, the first instant of CEST + 30 min */
#define BERLIN_2026_10_25_0000 1792879200000LL
#define BERLIN_2026_10_26_0000 1792969200000LL
#define BERLIN_2026_10_24_2200 1792872000000LL
#define BERLIN_2026_10_25_0600 1792904400000LL
#define BERLIN_2026_03_02_0000 1772406000000LL

static int in_berlin(void **state)
{
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	return 0;
}

static struct ymd ymd(int y, int m, int d)
{
	return (struct ymd){ y, m, d };
}

static void assert_ymd(struct ymd got, int y, int m, int d)
{
	assert_int_equal(got.y, y);
	assert_int_equal(got.m, m);
	assert_int_equal(got.d, d);
}

static void assert_week(struct ymd d, const char *want)
{
	char buf[9];

	assert_string_equal(when_week(d, buf), want);
}

static void test_iso_week_plain(void **state)
{
	assert_week(ymd(2026, 3, 2), "2026-W10");
	assert_week(ymd(2026, 3, 8), "2026-W10");       /* Sunday ends the week */
	assert_week(ymd(2026, 3, 9), "2026-W11");
}

static void test_iso_week_53(void **state)
{
	/* 2020 and 2026 begin on a Thursday (2020 a leap year from Wednesday): 53 weeks */
	assert_week(ymd(2020, 12, 31), "2020-W53");
	assert_week(ymd(2026, 12, 28), "2026-W53");
	assert_week(ymd(2026, 12, 31), "2026-W53");
}

static void test_iso_week_year_boundary(void **state)
{
	/* early January in the last week of the year before */
	assert_week(ymd(2021, 1, 1), "2020-W53");
	assert_week(ymd(2021, 1, 3), "2020-W53");
	assert_week(ymd(2021, 1, 4), "2021-W01");
	assert_week(ymd(2027, 1, 1), "2026-W53");
	assert_week(ymd(2027, 1, 3), "2026-W53");
	assert_week(ymd(2027, 1, 4), "2027-W01");
	/* late December in week 1 of the year after */
	assert_week(ymd(2024, 12, 29), "2024-W52");
	assert_week(ymd(2024, 12, 30), "2025-W01");
	assert_week(ymd(2025, 12, 29), "2026-W01");
	assert_week(ymd(2026, 1, 1), "2026-W01");
}

static void test_week_monday_across_years(void **state)
{
	assert_ymd(when_week_monday(ymd(2027, 1, 3)), 2026, 12, 28);
	assert_ymd(when_week_monday(ymd(2026, 1, 1)), 2025, 12, 29);
	assert_ymd(when_week_monday(ymd(2026, 3, 2)), 2026, 3, 2);
}

static void test_parse_week(void **state)
{
	struct ymd monday;

	assert_int_equal(when_parse_week("2026-W10", &monday), 0);
	assert_ymd(monday, 2026, 3, 2);
	assert_int_equal(when_parse_week("2026-W01", &monday), 0);
	assert_ymd(monday, 2025, 12, 29);
	assert_int_equal(when_parse_week("2027-w01", &monday), 0);
	assert_ymd(monday, 2027, 1, 4);
	assert_int_equal(when_parse_week("2026-W53", &monday), 0);
	assert_ymd(monday, 2026, 12, 28);
	assert_int_equal(when_parse_week("2020-W53", &monday), 0);
	assert_ymd(monday, 2020, 12, 28);
}

static void test_parse_week_refuses(void **state)
{
	struct ymd monday;

	assert_int_equal(when_parse_week("2025-W53", &monday), -1);     /* 2025 has 52 weeks */
	assert_int_equal(when_parse_week("2026-W00", &monday), -1);
	assert_int_equal(when_parse_week("2026-W54", &monday), -1);
	assert_int_equal(when_parse_week("2026W10", &monday), -1);
	assert_int_equal(when_parse_week("2026-X10", &monday), -1);
	assert_int_equal(when_parse_week("2026-W1", &monday), -1);
	assert_int_equal(when_parse_week("1969-W10", &monday), -1);
	assert_int_equal(when_parse_week("", &monday), -1);
}

static void test_weekday_and_days(void **state)
{
	char buf[11];

	assert_int_equal(when_weekday(ymd(1970, 1, 1)), 3);
	assert_int_equal(when_weekday(ymd(2026, 3, 2)), 0);
	assert_int_equal(when_weekday(ymd(2027, 1, 3)), 6);
	assert_string_equal(when_format(when_add_days(ymd(2024, 2, 28), 1), buf), "2024-02-29");
	assert_string_equal(when_format(when_add_days(ymd(2026, 2, 28), 1), buf), "2026-03-01");
	assert_string_equal(when_format(when_add_days(ymd(2026, 12, 31), 1), buf), "2027-01-01");
	assert_string_equal(when_format(when_add_days(ymd(2026, 1, 1), -1), buf), "2025-12-31");
	assert_int_equal(when_compare(ymd(2026, 1, 1), ymd(2025, 12, 31)), 1);
	assert_int_equal(when_compare(ymd(2025, 12, 31), ymd(2026, 1, 1)), -1);
	assert_int_equal(when_compare(ymd(2026, 1, 1), ymd(2026, 1, 1)), 0);
}

static void test_parse_hhmm(void **state)
{
	assert_int_equal(when_parse_hhmm("00:00"), 0);
	assert_int_equal(when_parse_hhmm("07:55"), 7 * 60 + 55);
	assert_int_equal(when_parse_hhmm("23:59"), 1439);
	assert_int_equal(when_parse_hhmm("24:00"), -1);
	assert_int_equal(when_parse_hhmm("12:60"), -1);
	assert_int_equal(when_parse_hhmm("7:55"), -1);
	assert_int_equal(when_parse_hhmm("07.55"), -1);
	assert_int_equal(when_parse_hhmm("07:55 "), -1);
}

static void test_parse_date_words(void **state)
{
	/* 2026-03-01T23:30Z is already Monday 2 March 00:30 in Berlin */
	int64_t now = 1772407800000LL;
	struct ymd d;

	assert_int_equal(when_parse_date("today", now, &d), 0);
	assert_ymd(d, 2026, 3, 2);
	assert_int_equal(when_parse_date("Yesterday", now, &d), 0);
	assert_ymd(d, 2026, 3, 1);
	assert_int_equal(when_parse_date("TOMORROW", now, &d), 0);
	assert_ymd(d, 2026, 3, 3);
	assert_int_equal(when_parse_date("mon", now, &d), 0);   /* today included */
	assert_ymd(d, 2026, 3, 2);
	assert_int_equal(when_parse_date("sun", now, &d), 0);
	assert_ymd(d, 2026, 3, 8);
	assert_int_equal(when_parse_date("someday", now, &d), -1);
	assert_int_equal(when_parse_date("", now, &d), -1);
}

static void test_parse_date_iso(void **state)
{
	struct ymd d;

	assert_int_equal(when_parse_date("2024-02-29", 0, &d), 0);
	assert_ymd(d, 2024, 2, 29);
	assert_int_equal(when_parse_date("2026-02-29", 0, &d), -1);     /* not a leap year */
	assert_int_equal(when_parse_date("2026-04-31", 0, &d), -1);
	assert_int_equal(when_parse_date("2026-13-01", 0, &d), -1);
	assert_int_equal(when_parse_date("2026-3-02", 0, &d), -1);
	assert_int_equal(when_parse_date("2026-03-0x", 0, &d), -1);
	assert_int_equal(when_parse_date("1969-12-31", 0, &d), -1);
}

static void test_parse_range(void **state)
{
	struct ymd from, to;

	assert_int_equal(when_parse_range("2026-12-28..2027-01-03", 0, &from, &to), 0);
	assert_ymd(from, 2026, 12, 28);
	assert_ymd(to, 2027, 1, 3);
	assert_int_equal(when_parse_range("2026-03-02", 0, &from, &to), 0);
	assert_ymd(to, 2026, 3, 2);
	/* 62 days inclusive is the most */
	assert_int_equal(when_parse_range("2026-01-01..2026-03-03", 0, &from, &to), 0);
	assert_int_equal(when_parse_range("2026-01-01..2026-03-04", 0, &from, &to), -1);
	assert_int_equal(when_parse_range("2026-03-02..2026-03-01", 0, &from, &to), -1);
	assert_int_equal(when_parse_range("2026-03-02..", 0, &from, &to), -1);
}

static void test_local_ms_spring_forward(void **state)
{
	/* the day of the change is 23 hours long */
	assert_int_equal(when_local_ms(ymd(2026, 3, 29), 0), BERLIN_2026_03_29_0000);
	assert_int_equal(when_local_ms(ymd(2026, 3, 29), 1440), BERLIN_2026_03_30_0000);
	assert_int_equal(BERLIN_2026_03_30_0000 - BERLIN_2026_03_29_0000, 23 * HOUR_MS);
	/* 22:00 to 06:00 the next day (minutes past 24 h) spans the change: 7 hours */
	assert_int_equal(when_local_ms(ymd(2026, 3, 28), 22 * 60), BERLIN_2026_03_28_2200);
	assert_int_equal(when_local_ms(ymd(2026, 3, 28), 30 * 60), BERLIN_2026_03_29_0600);
	assert_int_equal(BERLIN_2026_03_29_0600 - BERLIN_2026_03_28_2200, 7 * HOUR_MS);
	/* 02:30 does not exist that night: it moves forward, to 03:30 CEST */
	assert_int_equal(when_local_ms(ymd(2026, 3, 29), 2 * 60 + 30), BERLIN_2026_03_29_0330);
}

static void test_local_ms_fall_back(void **state)
{
	/* the day of the change is 25 hours long */
	assert_int_equal(when_local_ms(ymd(2026, 10, 25), 0), BERLIN_2026_10_25_0000);
	assert_int_equal(when_local_ms(ymd(2026, 10, 26), 0), BERLIN_2026_10_26_0000);
	assert_int_equal(BERLIN_2026_10_26_0000 - BERLIN_2026_10_25_0000, 25 * HOUR_MS);
	assert_int_equal(when_local_ms(ymd(2026, 10, 24), 22 * 60), BERLIN_2026_10_24_2200);
	assert_int_equal(when_local_ms(ymd(2026, 10, 24), 30 * 60), BERLIN_2026_10_25_0600);
	assert_int_equal(BERLIN_2026_10_25_0600 - BERLIN_2026_10_24_2200, 9 * HOUR_MS);
}

static void test_local_date_and_hhmm_at_the_changes(void **state)
{
	struct ymd d;
	int minute;
	char buf[6];

	/* the last minute of CET and the first of CEST, one minute apart */
	when_local_date(1774745940000LL, &d, &minute);          /* 00:59Z */
	assert_ymd(d, 2026, 3, 29);
	assert_int_equal(minute, 1 * 60 + 59);
	when_local_date(1774746000000LL, &d, &minute);          /* 01:00Z */
	assert_int_equal(minute, 3 * 60);
	assert_string_equal(when_hhmm(1774746000000LL, buf), "03:00");
	/* in October 02:30 comes twice: CEST at 00:30Z, CET at 01:30Z */
	assert_string_equal(when_hhmm(1792888200000LL, buf), "02:30");
	assert_string_equal(when_hhmm(1792891800000LL, buf), "02:30");
	/* local midnight of Monday 2 March, and the millisecond before it */
	when_local_date(BERLIN_2026_03_02_0000, &d, &minute);
	assert_ymd(d, 2026, 3, 2);
	assert_int_equal(minute, 0);
	when_local_date(BERLIN_2026_03_02_0000 - 1, &d, &minute);
	assert_ymd(d, 2026, 3, 1);
	assert_int_equal(minute, 1439);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso_week_plain),
		cmocka_unit_test(test_iso_week_53),
		cmocka_unit_test(test_iso_week_year_boundary),
		cmocka_unit_test(test_week_monday_across_years),
		cmocka_unit_test(test_parse_week),
		cmocka_unit_test(test_parse_week_refuses),
		cmocka_unit_test(test_weekday_and_days),
		cmocka_unit_test(test_parse_hhmm),
		cmocka_unit_test(test_parse_date_words),
		cmocka_unit_test(test_parse_date_iso),
		cmocka_unit_test(test_parse_range),
		cmocka_unit_test(test_local_ms_spring_forward),
		cmocka_unit_test(test_local_ms_fall_back),
		cmocka_unit_test(test_local_date_and_hhmm_at_the_changes),
	};

	return cmocka_run_group_tests(tests, in_berlin, NULL);
}
