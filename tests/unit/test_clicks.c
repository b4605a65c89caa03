/*
 * test_clicks: the clicks in progress (bot/platform/clicks.c).  A click is handed
 * back once by its key; one nobody takes is freed after the TTL, the oldest
 * goes first when the table is full, and the table frees what is left.  The
 * data are heap strings, so the sanitizer build sees a leak or a double free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bot/platform/clicks.h"

static int freed;

static void count_free(void *data)
{
	freed++;
	free(data);
}

static int reset(void **state)
{
	freed = 0;
	return 0;
}

static void *payload(const char *s)
{
	return strdup(s);
}

/* The key is the table's: keep a copy to ask with after more adds. */
static void add_key(struct clicks *t, uint64_t now, const char *what, char *key, size_t n)
{
	const char *k = clicks_add(t, now, payload(what));

	assert_non_null(k);
	assert_true(strlen(k) < n);
	strcpy(key, k);
}

static void test_take_hands_back_once(void **state)
{
	struct clicks *t = clicks_new(60000, 16, count_free);
	char a[24], b[24];
	char *got;

	assert_non_null(t);
	add_key(t, 1000, "approve:7", a, sizeof(a));
	add_key(t, 1000, "deny:7", b, sizeof(b));
	assert_string_not_equal(a, b);
	got = clicks_take(t, a);
	assert_string_equal(got, "approve:7");
	free(got);
	assert_null(clicks_take(t, a));
	assert_null(clicks_take(t, "k999"));
	assert_null(clicks_take(t, ""));
	assert_int_equal(freed, 0);                     /* taken data is the caller's */
	clicks_free(t);
	assert_int_equal(freed, 1);                     /* b */
}

static void test_keys_are_not_reused(void **state)
{
	struct clicks *t = clicks_new(60000, 16, count_free);
	char first[24], again[24];

	add_key(t, 0, "x", first, sizeof(first));
	free(clicks_take(t, first));
	add_key(t, 0, "y", again, sizeof(again));
	assert_string_not_equal(first, again);
	assert_null(clicks_take(t, first));
	clicks_free(t);
}

static void test_expires_after_ttl(void **state)
{
	struct clicks *t = clicks_new(5000, 16, count_free);
	char old[24], edge[24], young[24];
	char *got;

	add_key(t, 1000, "old", old, sizeof(old));
	add_key(t, 2000, "edge", edge, sizeof(edge));
	/* at 7000 "old" is 6000 ms old (past the TTL), "edge" exactly 5000 (kept) */
	add_key(t, 7000, "young", young, sizeof(young));
	assert_int_equal(freed, 1);
	assert_null(clicks_take(t, old));
	got = clicks_take(t, edge);
	assert_string_equal(got, "edge");
	free(got);
	got = clicks_take(t, young);
	assert_string_equal(got, "young");
	free(got);
	clicks_free(t);
	assert_int_equal(freed, 1);
}

static void test_full_table_drops_the_oldest(void **state)
{
	struct clicks *t = clicks_new(60000, 3, count_free);
	char k[5][24];
	char *got;

	add_key(t, 0, "a", k[0], sizeof(k[0]));
	add_key(t, 1, "b", k[1], sizeof(k[1]));
	add_key(t, 2, "c", k[2], sizeof(k[2]));
	assert_int_equal(freed, 0);
	add_key(t, 3, "d", k[3], sizeof(k[3]));
	assert_int_equal(freed, 1);
	assert_null(clicks_take(t, k[0]));
	add_key(t, 4, "e", k[4], sizeof(k[4]));
	assert_int_equal(freed, 2);
	assert_null(clicks_take(t, k[1]));
	for (int i = 2; i < 5; i++) {
		got = clicks_take(t, k[i]);
		assert_non_null(got);
		assert_int_equal(got[0], 'a' + i);
		free(got);
	}
	clicks_free(t);
	assert_int_equal(freed, 2);
}

static void test_max_zero_keeps_one(void **state)
{
	struct clicks *t = clicks_new(60000, 0, count_free);
	char a[24], b[24];
	char *got;

	add_key(t, 0, "a", a, sizeof(a));
	add_key(t, 0, "b", b, sizeof(b));
	assert_int_equal(freed, 1);
	assert_null(clicks_take(t, a));
	got = clicks_take(t, b);
	assert_string_equal(got, "b");
	free(got);
	clicks_free(t);
}

static void test_free_releases_everything_left(void **state)
{
	struct clicks *t = clicks_new(60000, 16, count_free);
	char key[24];

	for (int i = 0; i < 10; i++)
		add_key(t, (uint64_t)i, "left", key, sizeof(key));
	clicks_free(t);
	assert_int_equal(freed, 10);
	clicks_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_take_hands_back_once, reset),
		cmocka_unit_test_setup(test_keys_are_not_reused, reset),
		cmocka_unit_test_setup(test_expires_after_ttl, reset),
		cmocka_unit_test_setup(test_full_table_drops_the_oldest, reset),
		cmocka_unit_test_setup(test_max_zero_keeps_one, reset),
		cmocka_unit_test_setup(test_free_releases_everything_left, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
