/*
 * test_ics: the iCalendar text of bot/lib/ics.c.  Folding at 75 octets
 * without cutting a UTF-8 character, the escapes of TEXT, and the VTIMEZONE
 * of Europe/Berlin over 2026 (changes on 2026-03-29 01:00Z and 2026-10-25
 * 01:00Z, known from tzdata) and of a zone without changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/lib/ics.h"

static void use_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Every line of TEXT ends in CRLF and has at most 75 octets; returns the unfolded text. */
static char *unfold_checked(const char *text)
{
	char *out = calloc(1, strlen(text) + 1);
	const char *p = text;
	size_t o = 0;

	assert_non_null(out);
	while (*p != '\0') {
		const char *crlf = strstr(p, "\r\n");
		assert_non_null(crlf);
		assert_true(crlf - p <= 75);
		assert_null(memchr(p, '\n', (size_t)(crlf - p)));
		if (p != text && *p == ' ')
			p++;            /* a continuation */
		else if (p != text)
			out[o++] = '\n';
		memcpy(out + o, p, (size_t)(crlf - p));
		o += (size_t)(crlf - p);
		p = crlf + 2;
	}
	out[o] = '\0';
	return out;
}

static void test_text_escapes(void **state)
{
	struct ics_buf b = { 0 };
	size_t len;
	char *t;

	(void)state;
	ics_text(&b, "SUMMARY", "Keller, Mia; lead\\back\nsecond\r line\x01");
	t = ics_buf_take(&b, &len);
	assert_string_equal(t, "SUMMARY:Keller\\, Mia\\; lead\\\\back\\nsecond line\r\n");
	assert_int_equal(len, strlen(t));
	free(t);
	ics_line(&b, "DTSTART;TZID=Europe/Berlin", "20260302T060000");
	t = ics_buf_take(&b, &len);
	assert_string_equal(t, "DTSTART;TZID=Europe/Berlin:20260302T060000\r\n");
	free(t);
}

static void test_folds_at_75_octets(void **state)
{
	struct ics_buf b = { 0 };
	char value[301], *t, *u, want[320];
	size_t len;

	(void)state;
	memset(value, 'x', 300);
	value[300] = '\0';
	ics_text(&b, "DESCRIPTION", value);
	t = ics_buf_take(&b, &len);
	/* 12 + 300 octets: 75, then 74 each after the space */
	assert_memory_equal(t + 75, "\r\n x", 4);
	assert_memory_equal(t + 75 + 2 + 75, "\r\n x", 4);
	u = unfold_checked(t);
	snprintf(want, sizeof(want), "DESCRIPTION:%s", value);
	assert_string_equal(u, want);
	free(u);
	free(t);
}

static void test_fold_keeps_utf8_whole(void **state)
{
	struct ics_buf b = { 0 };
	char value[400] = "", *t, *u, want[420];
	size_t len;

	(void)state;
	for (int i = 0; i < 60; i++)
		strcat(value, "Spät");  /* ä: two octets, at every offset modulo 5 */
	ics_text(&b, "SUMMARY", value);
	t = ics_buf_take(&b, &len);
	for (const char *p = strstr(t, "\r\n "); p != NULL; p = strstr(p + 1, "\r\n "))
		assert_true(((unsigned char)p[3] & 0xC0) != 0x80);      /* no piece starts mid-character */
	u = unfold_checked(t);
	snprintf(want, sizeof(want), "SUMMARY:%s", value);
	assert_string_equal(u, want);
	free(u);
	free(t);
}

static void test_times(void **state)
{
	char out[17];

	(void)state;
	use_zone("Europe/Berlin");
	assert_string_equal(ics_utc_time(1772431200000LL, out), "20260302T060000Z");
	assert_string_equal(ics_local_time(1772431200000LL, out), "20260302T070000");
	assert_string_equal(ics_local_time(1784959200000LL, out), "20260725T080000");
}

static void test_vtimezone_berlin_2026(void **state)
{
	struct ics_buf b = { 0 };
	size_t len;
	char *t;

	(void)state;
	use_zone("Europe/Berlin");
	/* 2026-01-01 .. 2027-01-01 UTC */
	ics_vtimezone(&b, "Europe/Berlin", 1767225600000LL, 1798761600000LL);
	t = ics_buf_take(&b, &len);
	assert_string_equal(t,
	    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
	    "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n"
	    "TZNAME:CET\r\nEND:STANDARD\r\n"
	    "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
	    "TZNAME:CEST\r\nEND:DAYLIGHT\r\n"
	    "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
	    "TZNAME:CET\r\nEND:STANDARD\r\n"
	    "END:VTIMEZONE\r\n");
	free(t);
}

static void test_vtimezone_without_changes(void **state)
{
	struct ics_buf b = { 0 };
	size_t len;
	char *t;

	(void)state;
	use_zone("Asia/Kolkata");
	ics_vtimezone(&b, "Asia/Kolkata", 1767225600000LL, 1798761600000LL);
	t = ics_buf_take(&b, &len);
	assert_string_equal(t,
	    "BEGIN:VTIMEZONE\r\nTZID:Asia/Kolkata\r\n"
	    "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\n"
	    "TZNAME:IST\r\nEND:STANDARD\r\n"
	    "END:VTIMEZONE\r\n");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_folds_at_75_octets),
		cmocka_unit_test(test_fold_keeps_utf8_whole),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_vtimezone_berlin_2026),
		cmocka_unit_test(test_vtimezone_without_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
