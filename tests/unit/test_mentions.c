/*
 * test_mentions: the platforms' "<@id>" forms are found (Discord's <@id> and
 * <@!id>, Slack's <@U1|name>), broken ones are not, and the known ones are
 * written "@staffid" with the rest of the text as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bot/mentions.h"

static void test_finds_each_form(void **state)
{
	struct mention m[MENTIONS_MAX];
	size_t n = mentions_find("swap tomorrow early with <@80351110224678912> or <@!42> or <@U04AB|mia>", m,
	    MENTIONS_MAX);

	(void)state;
	assert_int_equal(n, 3);
	assert_string_equal(m[0].id, "80351110224678912");
	assert_string_equal(m[1].id, "42");
	assert_string_equal(m[2].id, "U04AB");
	assert_int_equal(m[2].len, strlen("<@U04AB|mia>"));
}

static void test_ignores_what_is_not_a_mention(void **state)
{
	struct mention m[MENTIONS_MAX];

	(void)state;
	assert_int_equal(mentions_find("<@> <@ 1> <@12 <!here> <#C1> <@unclosed", m, MENTIONS_MAX), 0);
	assert_int_equal(mentions_find("no mention at all", m, MENTIONS_MAX), 0);
}

/* Found by tests/fuzz/fuzz_mentions: a Slack label ran to the next '>', so
 * "<@U1|sara late <@U2>" was one mention that swallowed "late" and <@U2>. */
static void test_a_label_never_swallows_what_follows(void **state)
{
	struct mention m[MENTIONS_MAX];
	const char *text = "swap <@U1|sara late <@U2> and <@U3|tom> <@U4>";
	static const char *const ids[] = { "lena", "tom", "mia" };
	char *out;

	(void)state;
	assert_int_equal(mentions_find(text, m, MENTIONS_MAX), 3);
	assert_string_equal(m[0].id, "U2");
	assert_string_equal(m[1].id, "U3");
	assert_int_equal(m[1].len, strlen("<@U3|tom>"));
	assert_string_equal(m[2].id, "U4");
	out = mentions_rewrite(text, m, 3, ids);
	assert_string_equal(out, "swap <@U1|sara late @lena and @tom @mia");
	free(out);
}

static void test_at_most_max(void **state)
{
	struct mention m[2];

	(void)state;
	assert_int_equal(mentions_find("<@1> <@2> <@3>", m, 2), 2);
}

static void test_rewrites_the_known_ones(void **state)
{
	const char *text = "staff set <@111> langs de and <@222>!";
	struct mention m[MENTIONS_MAX];
	size_t n = mentions_find(text, m, MENTIONS_MAX);
	const char *ids[] = { "mia", "" };      /* the second is nobody we know */
	char *out = mentions_rewrite(text, m, n, ids);

	(void)state;
	assert_string_equal(out, "staff set @mia langs de and <@222>!");
	free(out);
	ids[1] = "a-staff-id-that-is-longer-than-the-mention";
	out = mentions_rewrite(text, m, n, ids);
	assert_string_equal(out, "staff set @mia langs de and @a-staff-id-that-is-longer-than-the-mention!");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_each_form),
		cmocka_unit_test(test_ignores_what_is_not_a_mention),
		cmocka_unit_test(test_a_label_never_swallows_what_follows),
		cmocka_unit_test(test_at_most_max),
		cmocka_unit_test(test_rewrites_the_known_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
