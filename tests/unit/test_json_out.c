/*
 * test_json_out: JSON written into a caller's buffer.  Strings are quoted
 * and escaped (quote, backslash, \n \r \t, other controls as \u00XX), UTF-8
 * is copied as it is, running out of room sets failed, and what comes out
 * parses back with cJSON to the same string.
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
#include <strings.h>

#include <cjson/cJSON.h>

#include "bot/lib/json_out.h"

/* Escapes S into a fresh buffer; returns its text (terminated by us). */
static const char *esc(const char *s)
{
	static char buf[4096];
	struct json_out j;

	memset(buf, 0x7f, sizeof(buf));
	json_out_init(&j, buf, sizeof(buf) - 1);
	json_out_str(&j, s);
	assert_false(j.failed);
	assert_true(j.len < sizeof(buf));
	buf[j.len] = '\0';
	return buf;
}

/* S written by json_out_str parses back with cJSON to exactly S. */
static void assert_round_trip(const char *s)
{
	char buf[4096];
	struct json_out j;
	cJSON *v;

	json_out_init(&j, buf, sizeof(buf));
	json_out_raw(&j, "{\"k\":");
	json_out_str(&j, s);
	json_out_raw(&j, "}");
	assert_false(j.failed);
	v = cJSON_ParseWithLength(buf, j.len);
	assert_non_null(v);
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "k")));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "k")->valuestring, s);
	cJSON_Delete(v);
}

static void test_init(void **state)
{
	char buf[8];
	struct json_out j;

	json_out_init(&j, buf, sizeof(buf));
	assert_ptr_equal(j.buf, buf);
	assert_int_equal(j.cap, sizeof(buf));
	assert_int_equal(j.len, 0);
	assert_false(j.failed);
	json_out_init(&j, buf, 0);
	assert_true(j.failed);
}

static void test_raw(void **state)
{
	char buf[32];
	struct json_out j;

	json_out_init(&j, buf, sizeof(buf));
	json_out_raw(&j, "{\"a\":");
	json_out_raw(&j, "1}");
	assert_false(j.failed);
	assert_int_equal(j.len, 7);
	assert_memory_equal(buf, "{\"a\":1}", 7);
}

static void test_plain_string(void **state)
{
	assert_string_equal(esc("hello world"), "\"hello world\"");
	assert_string_equal(esc(""), "\"\"");
}

static void test_escapes_quote_and_backslash(void **state)
{
	assert_string_equal(esc("say \"hi\""), "\"say \\\"hi\\\"\"");
	assert_string_equal(esc("c:\\dir\\"), "\"c:\\\\dir\\\\\"");
	assert_string_equal(esc("\\\""), "\"\\\\\\\"\"");
	/* a slash needs no escape */
	assert_string_equal(esc("a/b"), "\"a/b\"");
}

static void test_escapes_newline_cr_tab(void **state)
{
	assert_string_equal(esc("a\nb\rc\td"), "\"a\\nb\\rc\\td\"");
	assert_string_equal(esc("\n"), "\"\\n\"");
	assert_string_equal(esc("\r\n\t"), "\"\\r\\n\\t\"");
}

static void test_escapes_other_controls(void **state)
{
	char in[2] = { 0, 0 };

	for (int c = 1; c < 0x20; c++) {
		char want[16];
		if (c == '\n' || c == '\r' || c == '\t')
			continue;
		in[0] = (char)c;
		snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		/* hex digits in either case are valid JSON */
		if (strcasecmp(esc(in), want) != 0)
			fail_msg("0x%02x escaped as %s, want %s", c, esc(in), want);
	}
	assert_int_equal(strcasecmp(esc("a\x01z\x1f"), "\"a\\u0001z\\u001f\""), 0);
	assert_int_equal(strcasecmp(esc("\b\f"), "\"\\u0008\\u000c\""), 0);
}

static void test_del_and_high_bytes_kept(void **state)
{
	assert_string_equal(esc("a\x7f" "b"), "\"a\x7f" "b\"");
}

static void test_utf8_as_is(void **state)
{
	assert_string_equal(esc("Grüße, 聊天 😀 …"), "\"Grüße, 聊天 😀 …\"");
	assert_string_equal(esc("ü\n聊"), "\"ü\\n聊\"");
}

static void test_exact_fit(void **state)
{
	/* "a\"b" needs 1 + 1 + 2 + 1 + 1 = 6 bytes */
	char buf[6];
	struct json_out j;

	json_out_init(&j, buf, 6);
	json_out_str(&j, "a\"b");
	assert_false(j.failed);
	assert_int_equal(j.len, 6);
	assert_memory_equal(buf, "\"a\\\"b\"", 6);
}

static void test_too_small(void **state)
{
	char buf[16];
	struct json_out j;

	/* one byte short of "a\"b" */
	memset(buf, 'Z', sizeof(buf));
	json_out_init(&j, buf, 5);
	json_out_str(&j, "a\"b");
	assert_true(j.failed);
	assert_true(j.len <= 5);
	assert_int_equal(buf[5], 'Z');          /* nothing written past the cap */
	/* an escape does not fit in half */
	json_out_init(&j, buf, 3);
	json_out_str(&j, "\n");
	assert_true(j.failed);
	/* a \u escape needs all six bytes */
	memset(buf, 'Z', sizeof(buf));
	json_out_init(&j, buf, 7);
	json_out_str(&j, "\x01");
	assert_true(j.failed);
	assert_int_equal(buf[7], 'Z');
}

static void test_raw_too_small(void **state)
{
	char buf[8];
	struct json_out j;

	json_out_init(&j, buf, 4);
	json_out_raw(&j, "abcd");
	assert_false(j.failed);
	json_out_raw(&j, "e");
	assert_true(j.failed);
	assert_int_equal(j.len, 4);
}

static void test_failed_sticks(void **state)
{
	char buf[8];
	struct json_out j;

	json_out_init(&j, buf, sizeof(buf));
	json_out_raw(&j, "0123456789");     /* too long: fails */
	assert_true(j.failed);
	json_out_raw(&j, "x");              /* would fit, but the frame is already broken */
	assert_true(j.failed);
	assert_int_equal(j.len, 0);
}

static void test_zero_cap(void **state)
{
	char buf[1] = { 'Z' };
	struct json_out j;

	json_out_init(&j, buf, 0);
	json_out_str(&j, "");
	assert_true(j.failed);
	assert_int_equal(j.len, 0);
	assert_int_equal(buf[0], 'Z');
}

static void test_round_trip(void **state)
{
	char all[128];

	assert_round_trip("");
	assert_round_trip("plain");
	assert_round_trip("quote \" backslash \\ slash / end\\");
	assert_round_trip("lines\nand\r\ntabs\t.");
	assert_round_trip("\x01\x02\x1b[31mred\x1b[0m\x1f\x7f");
	assert_round_trip("Grüße 聊天 😀 … «»");
	assert_round_trip("\\u0041 is not an escape here");
	/* every byte 1..127 */
	for (int i = 1; i < 128; i++)
		all[i - 1] = (char)i;
	all[127] = '\0';
	assert_round_trip(all);
}

static void test_frame(void **state)
{
	char buf[256];
	struct json_out j;
	cJSON *v;

	json_out_init(&j, buf, sizeof(buf));
	json_out_raw(&j, "{\"type\":\"send\",\"ref\":\"c7\",\"room\":");
	json_out_str(&j, "ops \"main\"");
	json_out_raw(&j, ",\"text\":");
	json_out_str(&j, "Mia Keller [CCS]\nis on duty");
	json_out_raw(&j, "}");
	assert_false(j.failed);
	v = cJSON_ParseWithLength(buf, j.len);
	assert_non_null(v);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "type")->valuestring, "send");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "room")->valuestring, "ops \"main\"");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "text")->valuestring, "Mia Keller [CCS]\nis on duty");
	cJSON_Delete(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_plain_string),
		cmocka_unit_test(test_escapes_quote_and_backslash),
		cmocka_unit_test(test_escapes_newline_cr_tab),
		cmocka_unit_test(test_escapes_other_controls),
		cmocka_unit_test(test_del_and_high_bytes_kept),
		cmocka_unit_test(test_utf8_as_is),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_raw_too_small),
		cmocka_unit_test(test_failed_sticks),
		cmocka_unit_test(test_zero_cap),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
