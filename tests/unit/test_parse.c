/*
 * test_parse: a chat line into words.  Blanks and tabs separate words,
 * "double quotes" group (with \" and \\ escapes), key=value words are
 * options, parse_rest gives the line verbatim from a word, and the limits
 * (empty, unbalanced quote, too many words, too long) are reported.
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

#include "bot/chat/parse.h"

static struct parsed *parse_ok(const char *text)
{
	static struct parsed p;

	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(parse_command(text, &p), PARSE_OK);
	return &p;
}

static void test_plain_words(void **state)
{
	struct parsed *p = parse_ok("staff show mia");

	assert_int_equal(p->argc, 3);
	assert_string_equal(p->argv[0], "staff");
	assert_string_equal(p->argv[1], "show");
	assert_string_equal(p->argv[2], "mia");
	assert_int_equal(p->offset[0], 0);
	assert_int_equal(p->offset[1], 6);
	assert_int_equal(p->offset[2], 11);
	for (int i = 0; i < 3; i++)
		assert_false(p->is_option[i]);
}

static void test_single_word(void **state)
{
	struct parsed *p = parse_ok("ping");

	assert_int_equal(p->argc, 1);
	assert_string_equal(p->argv[0], "ping");
	assert_int_equal(parse_positional_count(p), 1);
	assert_string_equal(parse_positional(p, 0), "ping");
	assert_null(parse_positional(p, 1));
}

static void test_blanks_and_tabs(void **state)
{
	struct parsed *p = parse_ok("  a \t\tb\t c  \t");

	assert_int_equal(p->argc, 3);
	assert_string_equal(p->argv[0], "a");
	assert_string_equal(p->argv[1], "b");
	assert_string_equal(p->argv[2], "c");
	assert_int_equal(p->offset[0], 2);
	assert_int_equal(p->offset[1], 6);
	assert_int_equal(p->offset[2], 9);
}

static void test_quotes_group_words(void **state)
{
	struct parsed *p = parse_ok("say \"hello  world\" end");

	assert_int_equal(p->argc, 3);
	assert_string_equal(p->argv[1], "hello  world");
	assert_string_equal(p->argv[2], "end");
	assert_int_equal(p->offset[1], 4);
	assert_int_equal(p->offset[2], 19);
}

static void test_quotes_join_adjacent_text(void **state)
{
	struct parsed *p = parse_ok("a\"b c\"d e");

	assert_int_equal(p->argc, 2);
	assert_string_equal(p->argv[0], "ab cd");
	assert_string_equal(p->argv[1], "e");
}

static void test_empty_quotes_are_a_word(void **state)
{
	struct parsed *p = parse_ok("x \"\" y");

	assert_int_equal(p->argc, 3);
	assert_string_equal(p->argv[1], "");
	assert_string_equal(p->argv[2], "y");
}

static void test_escaped_quote_and_backslash(void **state)
{
	/* say "a \"b\" c\\d" */
	struct parsed *p = parse_ok("say \"a \\\"b\\\" c\\\\d\"");

	assert_int_equal(p->argc, 2);
	assert_string_equal(p->argv[1], "a \"b\" c\\d");
}

static void test_other_backslash_kept_in_quotes(void **state)
{
	struct parsed *p = parse_ok("x \"a\\nb\"");

	assert_int_equal(p->argc, 2);
	assert_string_equal(p->argv[1], "a\\nb");
}

static void test_backslash_outside_quotes_is_literal(void **state)
{
	struct parsed *p = parse_ok("x a\\b c\\\\");

	assert_int_equal(p->argc, 3);
	assert_string_equal(p->argv[1], "a\\b");
	assert_string_equal(p->argv[2], "c\\\\");
}

static void test_options(void **state)
{
	struct parsed *p = parse_ok("staff add mia name=\"Mia Keller\" email=mia@example.org role=agent");

	assert_int_equal(p->argc, 6);
	assert_false(p->is_option[0]);
	assert_false(p->is_option[1]);
	assert_false(p->is_option[2]);
	assert_true(p->is_option[3]);
	assert_true(p->is_option[4]);
	assert_true(p->is_option[5]);
	assert_string_equal(parse_option(p, "name"), "Mia Keller");
	assert_string_equal(parse_option(p, "email"), "mia@example.org");
	assert_string_equal(parse_option(p, "role"), "agent");
	assert_null(parse_option(p, "level"));
	/* a key that is a prefix of another key must not match it */
	assert_null(parse_option(p, "nam"));
	assert_null(parse_option(p, "rol"));
}

static void test_option_empty_value(void **state)
{
	struct parsed *p = parse_ok("cmd lang=");

	assert_true(p->is_option[1]);
	assert_non_null(parse_option(p, "lang"));
	assert_string_equal(parse_option(p, "lang"), "");
}

static void test_option_value_with_equals(void **state)
{
	struct parsed *p = parse_ok("cmd note=a=b");

	assert_true(p->is_option[1]);
	assert_string_equal(parse_option(p, "note"), "a=b");
}

static void test_not_options(void **state)
{
	/* no key, an uppercase key, a key with a digit or a dash: plain words */
	struct parsed *p = parse_ok("cmd =x Name=y k2=z a-b=c x");

	assert_int_equal(p->argc, 6);
	for (int i = 0; i < p->argc; i++)
		assert_false(p->is_option[i]);
	assert_null(parse_option(p, "Name"));
	assert_null(parse_option(p, "k2"));
	assert_int_equal(parse_positional_count(p), 6);
}

static void test_option_key_with_underscore(void **state)
{
	struct parsed *p = parse_ok("cmd user_id=42");

	assert_true(p->is_option[1]);
	assert_string_equal(parse_option(p, "user_id"), "42");
}

static void test_positional_skips_options(void **state)
{
	struct parsed *p = parse_ok("staff list role=agent mia x=1 tom");

	assert_int_equal(parse_positional_count(p), 4);
	assert_string_equal(parse_positional(p, 0), "staff");
	assert_string_equal(parse_positional(p, 1), "list");
	assert_string_equal(parse_positional(p, 2), "mia");
	assert_string_equal(parse_positional(p, 3), "tom");
	assert_null(parse_positional(p, 4));
	assert_null(parse_positional(p, 100));
}

static void test_rest_verbatim(void **state)
{
	const char *text = "staff set mia name   Mia  \"van\" Keller";
	struct parsed *p = parse_ok(text);

	assert_int_equal(p->argc, 7);
	assert_ptr_equal(parse_rest(p, 0), text);
	assert_string_equal(parse_rest(p, 3), "name   Mia  \"van\" Keller");
	assert_string_equal(parse_rest(p, 4), "Mia  \"van\" Keller");
	assert_string_equal(parse_rest(p, 5), "\"van\" Keller");
	assert_string_equal(parse_rest(p, 6), "Keller");
	assert_string_equal(parse_rest(p, 7), "");
	assert_string_equal(parse_rest(p, 99), "");
}

static void test_rest_offsets_after_quoted_words(void **state)
{
	const char *text = "note \"a b\"\tc \"d\\\"x\"e  f";
	struct parsed *p = parse_ok(text);

	assert_int_equal(p->argc, 5);
	assert_string_equal(p->argv[1], "a b");
	assert_string_equal(p->argv[2], "c");
	assert_string_equal(p->argv[3], "d\"xe");
	assert_string_equal(p->argv[4], "f");
	assert_int_equal(p->offset[1], 5);
	assert_int_equal(p->offset[2], 11);
	assert_int_equal(p->offset[3], 13);
	assert_int_equal(p->offset[4], 22);
	assert_string_equal(parse_rest(p, 1), "\"a b\"\tc \"d\\\"x\"e  f");
	assert_string_equal(parse_rest(p, 2), "c \"d\\\"x\"e  f");
	assert_string_equal(parse_rest(p, 3), "\"d\\\"x\"e  f");
	assert_string_equal(parse_rest(p, 4), "f");
}

static void test_empty(void **state)
{
	struct parsed p;

	assert_int_equal(parse_command("", &p), PARSE_EMPTY);
	assert_int_equal(p.argc, 0);
	assert_int_equal(parse_command(" \t  ", &p), PARSE_EMPTY);
	assert_int_equal(p.argc, 0);
	assert_string_equal(parse_rest(&p, 0), "");
}

static void test_unbalanced_quote(void **state)
{
	struct parsed p;

	assert_int_equal(parse_command("say \"hello", &p), PARSE_UNBALANCED_QUOTE);
	assert_int_equal(parse_command("\"", &p), PARSE_UNBALANCED_QUOTE);
	/* an escaped quote does not close */
	assert_int_equal(parse_command("say \"a\\\"", &p), PARSE_UNBALANCED_QUOTE);
	/* an escaped backslash does not hide the closing quote */
	assert_int_equal(parse_command("say \"a\\\\\"", &p), PARSE_OK);
	assert_string_equal(p.argv[1], "a\\");
}

static void build_words(char *buf, int n)
{
	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		strcat(buf, i ? " w" : "w");
}

static void test_max_words(void **state)
{
	char text[4 * (PARSE_MAX_WORDS + 2)];
	struct parsed p;

	build_words(text, PARSE_MAX_WORDS);
	assert_int_equal(parse_command(text, &p), PARSE_OK);
	assert_int_equal(p.argc, PARSE_MAX_WORDS);
	assert_string_equal(p.argv[PARSE_MAX_WORDS - 1], "w");
}

static void test_too_many_words(void **state)
{
	char text[4 * (PARSE_MAX_WORDS + 2)];
	struct parsed p;

	build_words(text, PARSE_MAX_WORDS + 1);
	assert_int_equal(parse_command(text, &p), PARSE_TOO_MANY_WORDS);
	/* trailing blanks after the last allowed word are fine */
	build_words(text, PARSE_MAX_WORDS);
	strcat(text, "   \t");
	assert_int_equal(parse_command(text, &p), PARSE_OK);
	assert_int_equal(p.argc, PARSE_MAX_WORDS);
}

static void test_max_text(void **state)
{
	char *text = malloc(PARSE_MAX_TEXT + 2);
	struct parsed *p = malloc(sizeof(*p));

	assert_non_null(text);
	assert_non_null(p);
	/* one word of exactly the limit */
	memset(text, 'x', PARSE_MAX_TEXT);
	text[PARSE_MAX_TEXT] = '\0';
	assert_int_equal(parse_command(text, p), PARSE_OK);
	assert_int_equal(p->argc, 1);
	assert_int_equal(strlen(p->argv[0]), PARSE_MAX_TEXT);
	parse_free(p);
	/* the most words at the limit: every terminator must still fit */
	for (int i = 0; i < PARSE_MAX_TEXT; i++)
		text[i] = (i % 2) ? ' ' : 'y';
	memset(text + 2 * (PARSE_MAX_WORDS - 1), 'z', PARSE_MAX_TEXT - 2 * (PARSE_MAX_WORDS - 1));
	assert_int_equal(parse_command(text, p), PARSE_OK);
	assert_int_equal(p->argc, PARSE_MAX_WORDS);
	assert_int_equal(strlen(p->argv[PARSE_MAX_WORDS - 1]), PARSE_MAX_TEXT - 2 * (PARSE_MAX_WORDS - 1));
	parse_free(p);
	free(p);
	free(text);
}

/* An ordinary line stays in the struct; a long one gets a buffer of its own,
 * freed by parse_free, after which the struct parses a short line again. */
static void test_small_and_long_lines(void **state)
{
	struct parsed p = { 0 };
	char text[PARSE_SMALL * 2];

	parse_free(&p);                 /* fine on a zeroed struct */
	assert_int_equal(parse_command("ping", &p), PARSE_OK);
	assert_ptr_equal(p.buf, p.small);
	parse_free(&p);
	memset(text, 'q', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "say ", 4);
	assert_int_equal(parse_command(text, &p), PARSE_OK);
	assert_ptr_not_equal(p.buf, p.small);
	assert_int_equal(p.argc, 2);
	assert_int_equal(strlen(p.argv[1]), sizeof(text) - 1 - 4);
	assert_string_equal(parse_rest(&p, 1), text + 4);
	parse_free(&p);
	assert_ptr_equal(p.buf, p.small);
	assert_int_equal(parse_command("staff show mia", &p), PARSE_OK);
	assert_string_equal(p.argv[2], "mia");
	parse_free(&p);
	parse_free(&p);                 /* and twice */
}

static void test_too_long(void **state)
{
	char *text = malloc(PARSE_MAX_TEXT + 2);
	struct parsed *p = malloc(sizeof(*p));

	assert_non_null(text);
	assert_non_null(p);
	memset(text, 'x', PARSE_MAX_TEXT + 1);
	text[PARSE_MAX_TEXT + 1] = '\0';
	assert_int_equal(parse_command(text, p), PARSE_TOO_LONG);
	/* blanks count too: the limit is on the text, not the words */
	memset(text, ' ', PARSE_MAX_TEXT + 1);
	text[0] = 'a';
	assert_int_equal(parse_command(text, p), PARSE_TOO_LONG);
	free(p);
	free(text);
}

static void test_utf8_words(void **state)
{
	struct parsed *p = parse_ok("lang 中文 \"Grüße aus Köln\" név=Ádám …");

	assert_int_equal(p->argc, 5);
	assert_string_equal(p->argv[1], "中文");
	assert_string_equal(p->argv[2], "Grüße aus Köln");
	/* a non-ASCII key is not an option key */
	assert_false(p->is_option[3]);
	assert_string_equal(p->argv[3], "név=Ádám");
	assert_string_equal(p->argv[4], "…");
	assert_int_equal(p->offset[1], 5);
	assert_string_equal(parse_rest(p, 2), "\"Grüße aus Köln\" név=Ádám …");
}

static void test_utf8_option_value(void **state)
{
	struct parsed *p = parse_ok("staff set mia name=\"Zoë 王\"");

	assert_true(p->is_option[3]);
	assert_string_equal(parse_option(p, "name"), "Zoë 王");
}

static void test_reuse_resets(void **state)
{
	struct parsed p;

	assert_int_equal(parse_command("a b c d", &p), PARSE_OK);
	assert_int_equal(p.argc, 4);
	assert_int_equal(parse_command("x y=1", &p), PARSE_OK);
	assert_int_equal(p.argc, 2);
	assert_string_equal(p.argv[0], "x");
	assert_string_equal(parse_option(&p, "y"), "1");
	assert_null(parse_positional(&p, 1));
}

static void test_error_names(void **state)
{
	const enum parse_error all[] = { PARSE_OK, PARSE_EMPTY, PARSE_UNBALANCED_QUOTE,
	                                 PARSE_TOO_MANY_WORDS, PARSE_TOO_LONG };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char *n = parse_error_name(all[i]);
		assert_non_null(n);
		assert_true(strlen(n) > 0);
		assert_string_not_equal(n, "?");
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(n, parse_error_name(all[k]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_words),
		cmocka_unit_test(test_single_word),
		cmocka_unit_test(test_blanks_and_tabs),
		cmocka_unit_test(test_quotes_group_words),
		cmocka_unit_test(test_quotes_join_adjacent_text),
		cmocka_unit_test(test_empty_quotes_are_a_word),
		cmocka_unit_test(test_escaped_quote_and_backslash),
		cmocka_unit_test(test_other_backslash_kept_in_quotes),
		cmocka_unit_test(test_backslash_outside_quotes_is_literal),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_option_empty_value),
		cmocka_unit_test(test_option_value_with_equals),
		cmocka_unit_test(test_not_options),
		cmocka_unit_test(test_option_key_with_underscore),
		cmocka_unit_test(test_positional_skips_options),
		cmocka_unit_test(test_rest_verbatim),
		cmocka_unit_test(test_rest_offsets_after_quoted_words),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unbalanced_quote),
		cmocka_unit_test(test_max_words),
		cmocka_unit_test(test_too_many_words),
		cmocka_unit_test(test_max_text),
		cmocka_unit_test(test_small_and_long_lines),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_utf8_words),
		cmocka_unit_test(test_utf8_option_value),
		cmocka_unit_test(test_reuse_resets),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
