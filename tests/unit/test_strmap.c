/*
 * test_strmap: the bounded map of DM channels.  Lookups find what was put,
 * a put replaces, past the bound the least recently used entry goes (a
 * lookup counts as a use), and nothing leaks (ASan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bot/lib/strmap.h"

static void test_put_get_replace(void **state)
{
	struct strmap *m = strmap_new(4);

	(void)state;
	assert_non_null(m);
	assert_null(strmap_get(m, "u1"));
	strmap_put(m, "u1", "D1");
	strmap_put(m, "u2", "D2");
	assert_string_equal(strmap_get(m, "u1"), "D1");
	assert_string_equal(strmap_get(m, "u2"), "D2");
	strmap_put(m, "u1", "D1b");
	assert_string_equal(strmap_get(m, "u1"), "D1b");
	strmap_free(m);
}

static void test_least_recently_used_goes(void **state)
{
	struct strmap *m = strmap_new(3);

	(void)state;
	strmap_put(m, "a", "1");
	strmap_put(m, "b", "2");
	strmap_put(m, "c", "3");
	assert_non_null(strmap_get(m, "a"));   /* a is used again: b is now the oldest */
	strmap_put(m, "d", "4");
	assert_null(strmap_get(m, "b"));
	assert_string_equal(strmap_get(m, "a"), "1");
	assert_string_equal(strmap_get(m, "c"), "3");
	assert_string_equal(strmap_get(m, "d"), "4");
	strmap_free(m);
}

static void test_many_stay_bounded(void **state)
{
	struct strmap *m = strmap_new(100);
	char k[32], v[32];

	(void)state;
	for (int i = 0; i < 10000; i++) {
		snprintf(k, sizeof(k), "user%d", i);
		snprintf(v, sizeof(v), "D%d", i);
		strmap_put(m, k, v);
	}
	assert_null(strmap_get(m, "user0"));
	assert_null(strmap_get(m, "user9899"));
	assert_string_equal(strmap_get(m, "user9900"), "D9900");
	assert_string_equal(strmap_get(m, "user9999"), "D9999");
	strmap_free(m);
	strmap_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_replace),
		cmocka_unit_test(test_least_recently_used_goes),
		cmocka_unit_test(test_many_stay_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
