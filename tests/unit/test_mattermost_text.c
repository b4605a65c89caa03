/*
 * test_mattermost_text: what the Mattermost adapter does to text going out:
 * @channel, @all and @here (any case, at a word's start, up to a word's
 * end) lose the power to ping a whole channel and keep their length in
 * runes (the 16,383-rune limit the outbox splits at stays true); a person's
 * @name, an address and a longer word are left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bot/platform/mattermost_private.h"
#include "bot/platform/outbox.h"

#include <stdlib.h>
#include <string.h>

#define AT "\xef\xbc\xa0"       /* U+FF20 FULLWIDTH COMMERCIAL AT */

static void expect(const char *in, const char *want)
{
	char *out = mattermost_neutralise(in);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(outbox_chars(out), outbox_chars(in));
	free(out);
}

static void test_group_mentions_are_neutralised(void **state)
{
	(void)state;
	expect("@channel", AT "channel");
	expect("hi @all, see @here.", "hi " AT "all, see " AT "here.");
	expect("@Channel @ALL @hErE", AT "Channel " AT "ALL " AT "hErE");
	expect("(@channel)\n@here!", "(" AT "channel)\n" AT "here!");
}

static void test_people_and_words_are_left_alone(void **state)
{
	(void)state;
	expect("@allison @channels @here_now @all-hands", "@allison @channels @here_now @all-hands");
	expect("mail me@here or ops@all", "mail me@here or ops@all");
	expect("@mia: @ @@ plain", "@mia: @ @@ plain");
	expect("", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_mentions_are_neutralised),
		cmocka_unit_test(test_people_and_words_are_left_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
