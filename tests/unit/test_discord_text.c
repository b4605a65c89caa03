/*
 * test_discord_text: what the Discord adapter does to text going out: a
 * masked link shows where it leads and a heading stays a plain line, with
 * the length in runes unchanged (the 2,000-rune limit the outbox splits at
 * stays true); the bot's own words, brackets and a "#" inside a line are
 * left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bot/platform/discord_private.h"
#include "bot/platform/outbox.h"

#include <stdlib.h>
#include <string.h>

#define RB "\xef\xbc\xbd"       /* U+FF3D FULLWIDTH RIGHT SQUARE BRACKET */
#define HASH "\xef\xbc\x83"     /* U+FF03 FULLWIDTH NUMBER SIGN */

static void expect(const char *in, const char *want)
{
	char *out = discord_neutralise(in);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(outbox_chars(out), outbox_chars(in));
	free(out);
}

static void test_masked_links_show_their_address(void **state)
{
	(void)state;
	expect("[the roster](https://evil.example/x)", "[the roster" RB "(https://evil.example/x)");
	expect("C-3: see [here](<http://a>) and [b]( http://c )",
	    "C-3: see [here" RB "(<http://a>) and [b" RB "( http://c )");
	expect("]]((", "]" RB "((");
}

static void test_headings_and_subtext_stay_plain_lines(void **state)
{
	(void)state;
	expect("# EVERYONE LEAVE", HASH " EVERYONE LEAVE");
	expect("Complaint C-1:\n## big\n  ### bigger\n-# small", "Complaint C-1:\n" HASH "# big\n  " HASH "## bigger\n-" HASH " small");
	expect("> # quoted\n>>> #x", "> " HASH " quoted\n>>> " HASH "x");
}

static void test_the_bots_own_words_are_left_alone(void **state)
{
	(void)state;
	expect("[System] Maintenance at 22:00.", "[System] Maintenance at 22:00.");
	expect("Mia Keller [CCS] (agent), ticket #12", "Mia Keller [CCS] (agent), ticket #12");
	expect("- item\n-> next\n", "- item\n-> next\n");
	expect("", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masked_links_show_their_address),
		cmocka_unit_test(test_headings_and_subtext_stay_plain_lines),
		cmocka_unit_test(test_the_bots_own_words_are_left_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
