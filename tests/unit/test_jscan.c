/*
 * test_jscan: top-level fields of a JSON object found in one pass.  Keys of
 * the same name inside nested objects or arrays are not top-level; string
 * values come without quotes, escapes left raw; anything it cannot walk is -1.
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

#include "bot/lib/jscan.h"

static int scan(const char *json, struct jscan_field *f, int n)
{
	/* a copy without terminator in its own heap block: reads past LEN show up under ASan */
	size_t len = strlen(json);
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, json, len);
	rc = jscan_object(copy, len, f, n);
	/* the results point into COPY; rebase them onto JSON before freeing */
	for (int i = 0; i < n; i++)
		if (f[i].kind != JSCAN_ABSENT)
			f[i].val = json + (f[i].val - copy);
	free(copy);
	return rc;
}

static void assert_val(const struct jscan_field *f, enum jscan_kind kind, const char *text)
{
	assert_int_equal(f->kind, kind);
	assert_int_equal(f->len, strlen(text));
	assert_memory_equal(f->val, text, f->len);
}

static void test_string_field(void **state)
{
	struct jscan_field f[] = { { .key = "type" } };

	assert_int_equal(scan("{\"type\":\"message\"}", f, 1), 0);
	assert_val(&f[0], JSCAN_STRING, "message");
	assert_false(f[0].escaped);
	assert_true(jscan_is(&f[0], "message"));
}

static void test_all_kinds(void **state)
{
	struct jscan_field f[] = {
		{ .key = "s" }, { .key = "n" }, { .key = "t" }, { .key = "f" },
		{ .key = "z" }, { .key = "o" }, { .key = "a" }, { .key = "neg" },
	};
	const char *json = "{\"s\":\"str\",\"n\":12.5e3,\"t\":true,\"f\":false,\"z\":null,"
	                   "\"o\":{\"k\":[1,2]},\"a\":[1,{\"x\":\"]\"},3],\"neg\":-7}";

	assert_int_equal(scan(json, f, 8), 0);
	assert_val(&f[0], JSCAN_STRING, "str");
	assert_val(&f[1], JSCAN_NUMBER, "12.5e3");
	assert_val(&f[2], JSCAN_TRUE, "true");
	assert_val(&f[3], JSCAN_FALSE, "false");
	assert_val(&f[4], JSCAN_NULL, "null");
	assert_val(&f[5], JSCAN_OBJECT, "{\"k\":[1,2]}");
	assert_val(&f[6], JSCAN_ARRAY, "[1,{\"x\":\"]\"},3]");
	assert_val(&f[7], JSCAN_NUMBER, "-7");
}

static void test_absent_fields(void **state)
{
	struct jscan_field f[] = { { .key = "id" }, { .key = "text" } };

	f[0].kind = JSCAN_STRING;       /* stale output must be reset */
	f[1].kind = JSCAN_NUMBER;
	assert_int_equal(scan("{\"other\":1}", f, 2), 0);
	assert_int_equal(f[0].kind, JSCAN_ABSENT);
	assert_int_equal(f[1].kind, JSCAN_ABSENT);
	assert_false(jscan_is(&f[0], ""));
}

static void test_nested_same_key_ignored(void **state)
{
	struct jscan_field f[] = { { .key = "id" } };

	assert_int_equal(scan("{\"user\":{\"id\":\"u1\"},\"id\":\"m-1\"}", f, 1), 0);
	assert_val(&f[0], JSCAN_STRING, "m-1");
}

static void test_nested_only_is_absent(void **state)
{
	struct jscan_field f[] = { { .key = "id" } };

	assert_int_equal(scan("{\"user\":{\"id\":\"u1\",\"deep\":{\"id\":2}},\"list\":[{\"id\":3}]}", f, 1), 0);
	assert_int_equal(f[0].kind, JSCAN_ABSENT);
}

static void test_nested_in_array_ignored(void **state)
{
	struct jscan_field f[] = { { .key = "id" }, { .key = "after" } };

	assert_int_equal(scan("{\"items\":[{\"id\":\"x\"},[\"id\",{\"id\":\"y\"}]],\"id\":42,\"after\":true}", f, 2), 0);
	assert_val(&f[0], JSCAN_NUMBER, "42");
	assert_int_equal(f[1].kind, JSCAN_TRUE);
}

static void test_brackets_inside_strings(void **state)
{
	struct jscan_field f[] = { { .key = "id" } };

	assert_int_equal(scan("{\"o\":{\"t\":\"}}]]{\\\"\"},\"id\":\"ok\"}", f, 1), 0);
	assert_val(&f[0], JSCAN_STRING, "ok");
}

static void test_key_as_string_value_not_matched(void **state)
{
	/* "id" appears as a value first, the real key later */
	struct jscan_field f[] = { { .key = "id" } };

	assert_int_equal(scan("{\"name\":\"id\",\"id\":\"real\"}", f, 1), 0);
	assert_val(&f[0], JSCAN_STRING, "real");
}

static void test_escaped_string(void **state)
{
	struct jscan_field f[] = { { .key = "text" }, { .key = "id" } };
	/* text: a \"quoted\" back\\slash */
	const char *json = "{\"text\":\"a \\\"quoted\\\" back\\\\slash\",\"id\":\"x\"}";

	assert_int_equal(scan(json, f, 2), 0);
	assert_val(&f[0], JSCAN_STRING, "a \\\"quoted\\\" back\\\\slash");
	assert_true(f[0].escaped);
	assert_false(jscan_is(&f[0], "a \"quoted\" back\\slash"));
	assert_val(&f[1], JSCAN_STRING, "x");
	assert_false(f[1].escaped);
}

static void test_escaped_backslash_before_closing_quote(void **state)
{
	struct jscan_field f[] = { { .key = "p" }, { .key = "q" } };

	assert_int_equal(scan("{\"p\":\"c:\\\\\",\"q\":1}", f, 2), 0);
	assert_val(&f[0], JSCAN_STRING, "c:\\\\");
	assert_true(f[0].escaped);
	assert_val(&f[1], JSCAN_NUMBER, "1");
}

static void test_escaped_flag_per_field(void **state)
{
	/* an escape in an earlier value does not mark a later field */
	struct jscan_field f[] = { { .key = "b" } };

	assert_int_equal(scan("{\"a\":\"\\n\",\"b\":\"plain\"}", f, 1), 0);
	assert_val(&f[0], JSCAN_STRING, "plain");
	assert_false(f[0].escaped);
	assert_true(jscan_is(&f[0], "plain"));
}

static void test_jscan_is(void **state)
{
	struct jscan_field f[] = { { .key = "s" }, { .key = "n" }, { .key = "e" } };

	assert_int_equal(scan("{\"s\":\"ping\",\"n\":1,\"e\":\"\"}", f, 3), 0);
	assert_true(jscan_is(&f[0], "ping"));
	assert_false(jscan_is(&f[0], "pin"));
	assert_false(jscan_is(&f[0], "pings"));
	assert_false(jscan_is(&f[0], "PING"));
	assert_false(jscan_is(&f[1], "1"));     /* a number is not a string */
	assert_true(jscan_is(&f[2], ""));
	assert_false(jscan_is(&f[2], "x"));
}

static void test_empty_object(void **state)
{
	struct jscan_field f[] = { { .key = "a" } };

	assert_int_equal(scan("{}", f, 1), 0);
	assert_int_equal(f[0].kind, JSCAN_ABSENT);
	assert_int_equal(scan(" \n{ \t\r\n } ", f, 1), 0);
	assert_int_equal(f[0].kind, JSCAN_ABSENT);
	assert_int_equal(scan("{}", NULL, 0), 0);
}

static void test_whitespace_everywhere(void **state)
{
	struct jscan_field f[] = { { .key = "a" }, { .key = "b" }, { .key = "c" } };
	const char *json = " \r\n\t{ \"a\" \t: \"x y\" ,\n \"b\"\n:\n[ 1 , 2 ]\r\n,\"c\" :  false  \n}\n";

	assert_int_equal(scan(json, f, 3), 0);
	assert_val(&f[0], JSCAN_STRING, "x y");
	assert_val(&f[1], JSCAN_ARRAY, "[ 1 , 2 ]");
	assert_val(&f[2], JSCAN_FALSE, "false");
}

static void test_len_bounds_the_scan(void **state)
{
	/* only the first LEN bytes count: the object is cut in the middle */
	const char *json = "{\"a\":\"xyz\"}";
	struct jscan_field f[] = { { .key = "a" } };
	char *buf = malloc(8);

	assert_non_null(buf);
	memcpy(buf, json, 8);   /* {"a":"xy */
	assert_int_equal(jscan_object(buf, 8, f, 1), -1);
	free(buf);
}

static void test_not_an_object(void **state)
{
	struct jscan_field f[] = { { .key = "a" } };

	assert_int_equal(scan("", f, 1), -1);
	assert_int_equal(scan("   ", f, 1), -1);
	assert_int_equal(scan("[{\"a\":1}]", f, 1), -1);
	assert_int_equal(scan("\"a\"", f, 1), -1);
	assert_int_equal(scan("42", f, 1), -1);
	assert_int_equal(scan("null", f, 1), -1);
	assert_int_equal(f[0].kind, JSCAN_ABSENT);
}

static void test_truncated(void **state)
{
	struct jscan_field f[] = { { .key = "a" } };

	assert_int_equal(scan("{", f, 1), -1);
	assert_int_equal(scan("{\"a", f, 1), -1);
	assert_int_equal(scan("{\"a\":", f, 1), -1);
	assert_int_equal(scan("{\"a\":\"unterminated", f, 1), -1);
	assert_int_equal(scan("{\"a\":\"ends in backslash\\", f, 1), -1);
	assert_int_equal(scan("{\"a\":\"x\"", f, 1), -1);
	assert_int_equal(scan("{\"a\":\"x\",", f, 1), -1);
	assert_int_equal(scan("{\"a\":{\"b\":1}", f, 1), -1);
	assert_int_equal(scan("{\"a\":[1,2", f, 1), -1);
	assert_int_equal(scan("{\"a\":tru", f, 1), -1);
	assert_int_equal(scan("{\"a\":fals", f, 1), -1);
	assert_int_equal(scan("{\"a\":nul", f, 1), -1);
}

static void test_missing_colon(void **state)
{
	struct jscan_field f[] = { { .key = "a" } };

	assert_int_equal(scan("{\"a\" \"x\"}", f, 1), -1);
	assert_int_equal(scan("{\"a\"}", f, 1), -1);
	assert_int_equal(scan("{\"b\":1,\"a\"=2}", f, 1), -1);
}

static void test_bad_keys_and_values(void **state)
{
	struct jscan_field f[] = { { .key = "a" } };

	assert_int_equal(scan("{a:1}", f, 1), -1);              /* unquoted key */
	assert_int_equal(scan("{'a':1}", f, 1), -1);
	assert_int_equal(scan("{\"a\":x}", f, 1), -1);          /* bare word */
	assert_int_equal(scan("{\"a\":}", f, 1), -1);
	assert_int_equal(scan("{\"a\":1,}", f, 1), -1);         /* trailing comma */
	assert_int_equal(scan("{,\"a\":1}", f, 1), -1);
	assert_int_equal(scan("{\"a\":1 \"b\":2}", f, 1), -1);  /* missing comma */
	assert_int_equal(scan("{\"a\":truex}", f, 1), -1);
}

static void test_trailing_garbage(void **state)
{
	struct jscan_field f[] = { { .key = "a" } };

	assert_int_equal(scan("{\"a\":1} x", f, 1), -1);
	assert_int_equal(scan("{\"a\":1}}", f, 1), -1);
	assert_int_equal(scan("{}{}", f, 1), -1);
	/* trailing whitespace is not garbage */
	assert_int_equal(scan("{\"a\":1} \n", f, 1), 0);
}

static void test_control_char_in_string(void **state)
{
	struct jscan_field f[] = { { .key = "a" } };

	assert_int_equal(scan("{\"a\":\"line\nbreak\"}", f, 1), -1);
	assert_int_equal(scan("{\"a\":\"tab\there\"}", f, 1), -1);
	assert_int_equal(scan("{\"k\ney\":1}", f, 1), -1);             /* in a key */
	assert_int_equal(scan("{\"o\":{\"b\":\"x\x01y\"},\"a\":1}", f, 1), -1); /* nested */
	/* escaped forms are fine */
	assert_int_equal(scan("{\"a\":\"line\\nbreak\"}", f, 1), 0);
	assert_val(&f[0], JSCAN_STRING, "line\\nbreak");
}

static void test_utf8_values(void **state)
{
	struct jscan_field f[] = { { .key = "text" } };

	assert_int_equal(scan("{\"text\":\"Grüße 聊天\"}", f, 1), 0);
	assert_val(&f[0], JSCAN_STRING, "Grüße 聊天");
	assert_false(f[0].escaped);
	assert_true(jscan_is(&f[0], "Grüße 聊天"));
}

static void test_escaped_key_refused(void **state)
{
	/*
	 * "\u0069d" is "id" to cJSON, which takes it as the first id; skipping it
	 * would read the second.  Any escaped key of the object, even one nobody
	 * asked for, leaves it to cJSON; inside a value it only skips, an escaped
	 * key changes nothing it reads.
	 */
	struct jscan_field f[] = { { .key = "id" } };

	assert_int_equal(scan("{\"\\u0069d\":\"esc\",\"id\":\"plain\"}", f, 1), -1);
	assert_int_equal(scan("{\"id\":\"plain\",\"a\\\"\":1}", f, 1), -1);
	assert_int_equal(scan("{\"id\":\"plain\",\"x\":{\"\\u0069d\":1}}", f, 1), 0);
	assert_val(&f[0], JSCAN_STRING, "plain");
}

static void test_key_prefix_not_matched(void **state)
{
	struct jscan_field f[] = { { .key = "id" } };

	assert_int_equal(scan("{\"i\":1,\"idx\":2,\"Id\":3}", f, 1), 0);
	assert_int_equal(f[0].kind, JSCAN_ABSENT);
}

static void test_typical_event(void **state)
{
	struct jscan_field f[] = { { .key = "type" }, { .key = "room" }, { .key = "text" }, { .key = "id" } };
	const char *json = "{\"type\":\"message\",\"id\":\"m-17\",\"room\":\"ops\","
	                   "\"user\":{\"id\":\"u-3\",\"name\":\"Mia\"},\"text\":\"!staff show mia\","
	                   "\"mentions\":[{\"id\":\"u-9\"}],\"ts\":1772438100000}";

	assert_int_equal(scan(json, f, 4), 0);
	assert_true(jscan_is(&f[0], "message"));
	assert_true(jscan_is(&f[1], "ops"));
	assert_true(jscan_is(&f[2], "!staff show mia"));
	assert_true(jscan_is(&f[3], "m-17"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_field),
		cmocka_unit_test(test_all_kinds),
		cmocka_unit_test(test_absent_fields),
		cmocka_unit_test(test_nested_same_key_ignored),
		cmocka_unit_test(test_nested_only_is_absent),
		cmocka_unit_test(test_nested_in_array_ignored),
		cmocka_unit_test(test_brackets_inside_strings),
		cmocka_unit_test(test_key_as_string_value_not_matched),
		cmocka_unit_test(test_escaped_string),
		cmocka_unit_test(test_escaped_backslash_before_closing_quote),
		cmocka_unit_test(test_escaped_flag_per_field),
		cmocka_unit_test(test_jscan_is),
		cmocka_unit_test(test_empty_object),
		cmocka_unit_test(test_whitespace_everywhere),
		cmocka_unit_test(test_len_bounds_the_scan),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_missing_colon),
		cmocka_unit_test(test_bad_keys_and_values),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_control_char_in_string),
		cmocka_unit_test(test_utf8_values),
		cmocka_unit_test(test_escaped_key_refused),
		cmocka_unit_test(test_key_prefix_not_matched),
		cmocka_unit_test(test_typical_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
