/*
 * test_notify_check: the checks a system notification must pass.  Each check
 * fails on its own (one problem, its kind, 1-based character position and
 * detail); a clean text passes; positions count UTF-8 characters; link hosts,
 * mentions, placeholders, brackets, doubled vs. trailing spaces on every line,
 * the length in characters, the empty text, several problems at once and the
 * NOTIFY_MAX_PROBLEMS cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "handlers/notify_check.h"

#define GUARD 4

static const char *const hosts[] = { "example.org", "chat.example.net" };

static const struct notify_rules rules = {
	.tag = "[System]",
	.max_length = 200,
	.link_hosts = hosts,
	.n_link_hosts = sizeof(hosts) / sizeof(hosts[0]),
};

static struct notify_problem out[NOTIFY_MAX_PROBLEMS + GUARD];
static size_t n_out;

static const char *kind_name(enum notify_problem_kind k)
{
	static const char *const names[] = {
		"TAG", "LENGTH", "MENTION", "PLACEHOLDER", "LINK", "BRACKET",
		"TRAILING_SPACE", "DOUBLE_SPACE", "EMPTY",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static void dump(const char *text)
{
	print_message("text \"%s\": %zu problem(s)\n", text, n_out);
	for (size_t i = 0; i < n_out && i < NOTIFY_MAX_PROBLEMS; i++)
		print_message("  %s at %zu: \"%s\"\n", kind_name(out[i].kind), out[i].pos, out[i].detail);
}

static size_t check_with(const char *text, const struct notify_rules *r)
{
	memset(out, 0xA5, sizeof(out));
	n_out = notify_check(text, r, out);
	return n_out;
}

static size_t check(const char *text)
{
	return check_with(text, &rules);
}

/* TEXT has exactly one problem: KIND at POS with DETAIL (NULL: not checked). */
static void expect_one_with(const char *text, const struct notify_rules *r,
                            enum notify_problem_kind kind, size_t pos, const char *detail)
{
	check_with(text, r);
	if (n_out != 1 || out[0].kind != kind || out[0].pos != pos ||
	    (detail != NULL && strcmp(out[0].detail, detail) != 0)) {
		dump(text);
		print_error("expected exactly one %s at %zu \"%s\"\n", kind_name(kind), pos,
		            detail ? detail : "(any)");
		fail();
	}
}

static void expect_one(const char *text, enum notify_problem_kind kind, size_t pos, const char *detail)
{
	expect_one_with(text, &rules, kind, pos, detail);
}

static void expect_clean_with(const char *text, const struct notify_rules *r)
{
	if (check_with(text, r) != 0) {
		dump(text);
		print_error("expected no problems\n");
		fail();
	}
}

static void expect_clean(const char *text)
{
	expect_clean_with(text, &rules);
}

/* The last check_with result holds KIND at POS (with DETAIL unless NULL). */
static bool has(enum notify_problem_kind kind, size_t pos, const char *detail)
{
	for (size_t i = 0; i < n_out; i++)
		if (out[i].kind == kind && out[i].pos == pos &&
		    (detail == NULL || strcmp(out[i].detail, detail) == 0))
			return true;
	return false;
}

static void expect_has(const char *text, enum notify_problem_kind kind, size_t pos, const char *detail)
{
	if (!has(kind, pos, detail)) {
		dump(text);
		print_error("missing %s at %zu \"%s\"\n", kind_name(kind), pos, detail ? detail : "(any)");
		fail();
	}
}

/* ---- a clean text ---- */

static void test_clean_text_passes(void **state)
{
	(void)state;
	expect_clean("[System] Maintenance 22:00-23:00 (about 1 h) [planned].\n"
	             "See https://example.org/status or https://status.example.org/x?a=1\n"
	             "Chat: http://chat.example.net/room\n"
	             "Thanks! Mail ops@example.org.");
	expect_clean("[System] x");
	expect_clean("[System] Grüße aus München, 聊天 ok.");
	/* No tag required. */
	expect_clean_with("plain text", &(struct notify_rules){ "", 200, hosts, 2 });
	expect_clean_with("plain text", &(struct notify_rules){ NULL, 200, hosts, 2 });
}

/* ---- one test per check, each failing on its own ---- */

static void test_tag_check(void **state)
{
	(void)state;
	expect_one("System maintenance tonight.", NP_TAG, 1, "[System]");
	expect_one("Hello [System] later.", NP_TAG, 1, "[System]");
	expect_one_with("Hello", &(struct notify_rules){ "[Ops]", 200, hosts, 2 }, NP_TAG, 1, "[Ops]");
}

static void test_length_check(void **state)
{
	const struct notify_rules r20 = { "[System]", 20, hosts, 2 };

	(void)state;
	/* 8 + 1 + 11 = 20 characters: exactly the limit. */
	expect_clean_with("[System] 0123456789A", &r20);
	/* 21 characters: the problem is at the first character past the limit. */
	expect_one_with("[System] 0123456789AB", &r20, NP_LENGTH, 21, "21");
	expect_one_with("[System] 0123456789ABCDEFGHIJ", &r20, NP_LENGTH, 21, "29");
}

static void test_length_counts_characters(void **state)
{
	const struct notify_rules r20 = { "[System]", 20, hosts, 2 };

	(void)state;
	/* 9 + 11 = 20 characters, 31 bytes. */
	expect_clean_with("[System] üüüüüüüüüüü", &r20);
	expect_clean_with("[System] 聊天聊天聊天聊天聊天聊", &r20);
	expect_one_with("[System] üüüüüüüüüüüü", &r20, NP_LENGTH, 21, "21");
	expect_one_with("[System] 聊天聊天聊天聊天聊天聊天", &r20, NP_LENGTH, 21, "21");
}

static void test_mention_check(void **state)
{
	(void)state;
	/* "[System] Attention " is 19 characters. */
	expect_one("[System] Attention @everyone, please read.", NP_MENTION, 20, "@everyone");
}

static void test_mentions(void **state)
{
	(void)state;
	expect_one("[System] hi @here", NP_MENTION, 13, "@here");
	expect_one("[System] hi @channel.", NP_MENTION, 13, "@channel");
	/* Case-insensitive; the detail is the text as written. */
	expect_one("[System] hi @EVERYONE!", NP_MENTION, 13, "@EVERYONE");
	expect_one("[System] hi @Here: now", NP_MENTION, 13, "@Here");
	expect_one("[System] hi @cHaNnEl", NP_MENTION, 13, "@cHaNnEl");
	/* Followed by a letter it is another name. */
	expect_clean("[System] hi @heretic");
	expect_clean("[System] hi @hereafter and @channels and @everyones");
	expect_clean("[System] hi @HEREford");
	/* Raw mentions. */
	expect_one("[System] hi <@123> there", NP_MENTION, 13, "<@123>");
	expect_one("[System] hi <!here> there", NP_MENTION, 13, "<!here>");
	expect_one("[System] hi <#456> there", NP_MENTION, 13, "<#456>");
	expect_one("[System] hi <!everyone>", NP_MENTION, 13, "<!everyone>");
	/* Not mentions. */
	expect_clean("[System] 3 < 4 and 5 > 4, <b> stays, a@b.example");
}

static void test_placeholder_check(void **state)
{
	(void)state;
	/* "[System] Hello " is 15 characters. */
	expect_one("[System] Hello {name}, welcome.", NP_PLACEHOLDER, 16, "{name}");
}

static void test_placeholders(void **state)
{
	(void)state;
	expect_one("[System] at {time}", NP_PLACEHOLDER, 13, "{time}");
	expect_one("[System] {x}", NP_PLACEHOLDER, 10, "{x}");
	/* With blanks it is not a placeholder, and it is bracket-balanced. */
	expect_clean("[System] Use { not a placeholder } here.");
	expect_clean("[System] {a b}");
	/* Two of them: both. */
	check("[System] {a}{b}");
	assert_int_equal(n_out, 2);
	expect_has("[System] {a}{b}", NP_PLACEHOLDER, 10, "{a}");
	expect_has("[System] {a}{b}", NP_PLACEHOLDER, 13, "{b}");
}

static void test_link_check(void **state)
{
	(void)state;
	/* "[System] See " is 13 characters. */
	expect_one("[System] See https://evil.com/x now.", NP_LINK, 14, "evil.com");
}

static void test_link_hosts(void **state)
{
	(void)state;
	/* The host itself and its subdomains. */
	expect_clean("[System] https://example.org");
	expect_clean("[System] http://example.org/a/b?c=d");
	expect_clean("[System] https://www.example.org/");
	expect_clean("[System] https://a.b.example.org:8443/x");
	expect_clean("[System] HTTPS://Status.Example.ORG/x");
	expect_clean("[System] https://chat.example.net/room and https://x.chat.example.net");
	/* Other hosts. */
	expect_one("[System] https://example.org.evil.com/", NP_LINK, 10, "example.org.evil.com");
	expect_one("[System] https://notexample.org/", NP_LINK, 10, "notexample.org");
	expect_one("[System] http://example.com", NP_LINK, 10, "example.com");
	expect_one("[System] https://example.net/", NP_LINK, 10, "example.net");
	expect_one("[System] https://evil-example.org/", NP_LINK, 10, "evil-example.org");
	expect_one("[System] https://example.org-evil.com/", NP_LINK, 10, "example.org-evil.com");
	/* No allowed hosts: every link fails. */
	expect_one_with("[System] https://example.org", &(struct notify_rules){ "[System]", 200, NULL, 0 },
	                NP_LINK, 10, "example.org");
	/* An allowed link and a bad one: only the bad one. */
	expect_one("[System] https://example.org/a then http://bad.example/b", NP_LINK, 37, "bad.example");
}

/* A link with user info goes to the host after the '@', not to the allowed one before it. */
static void test_link_userinfo_is_not_the_host(void **state)
{
	(void)state;
	expect_one("[System] https://example.org@evil.com/login", NP_LINK, 10, NULL);
}

static void test_bracket_check(void **state)
{
	(void)state;
	/* "[System] Closed " is 16 characters. */
	expect_one("[System] Closed (until 14:00.", NP_BRACKET, 17, "(");
}

static void test_brackets(void **state)
{
	static const char *const each[] = { "(", ")", "[", "]", "{", "}" };
	char text[64];

	(void)state;
	/* "[System] a " is 11 characters. */
	for (size_t i = 0; i < sizeof(each) / sizeof(each[0]); i++) {
		snprintf(text, sizeof text, "[System] a %s b", each[i]);
		expect_one(text, NP_BRACKET, 12, each[i]);
	}
	/* Mismatched: the closing one that does not fit. */
	expect_one("[System] a (] b", NP_BRACKET, 13, "]");
	expect_one("[System] a [(]) b", NP_BRACKET, 14, "]");
	expect_one("[System] a {] b", NP_BRACKET, 13, "]");
	/* The innermost unclosed one. */
	expect_one("[System] a ((b)", NP_BRACKET, 12, "(");
	expect_clean("[System] a ([{ x }]) (b) [c] { d }");
}

/* More than 64 unclosed brackets are still unbalanced. */
static void test_deeply_nested_unclosed_brackets(void **state)
{
	char text[128] = "[System] ";

	(void)state;
	memset(text + 9, '(', 65);
	text[9 + 65] = '\0';
	expect_one(text, NP_BRACKET, 74, "(");
}

static void test_trailing_space_check(void **state)
{
	(void)state;
	/* "[System] Done." is 14 characters. */
	expect_one("[System] Done. ", NP_TRAILING_SPACE, 15, NULL);
}

static void test_double_space_check(void **state)
{
	(void)state;
	expect_one("[System] Done.  Thanks.", NP_DOUBLE_SPACE, 15, NULL);
}

static void test_doubled_vs_trailing_spaces(void **state)
{
	(void)state;
	/* Doubled at a line end is trailing, not doubled. */
	expect_one("[System] Done.  ", NP_TRAILING_SPACE, 15, NULL);
	expect_one("[System] Done.   \nNext", NP_TRAILING_SPACE, 15, NULL);
	expect_one("[System] Done.\t\nNext", NP_TRAILING_SPACE, 15, NULL);
	expect_one("[System] Done.\nNext  ", NP_TRAILING_SPACE, 20, NULL);
	/* Doubled inside a line, at its start too. */
	expect_one("[System] a\n  b", NP_DOUBLE_SPACE, 12, NULL);
	expect_one("[System] a   b", NP_DOUBLE_SPACE, 11, NULL);
}

/* Blanks at a line end, whatever mix of spaces and tabs, are trailing only. */
static void test_doubled_spaces_then_tab_at_line_end(void **state)
{
	(void)state;
	expect_one("[System] Done.  \t\nNext", NP_TRAILING_SPACE, 15, NULL);
}

static void test_spaces_on_every_line(void **state)
{
	/*
	 * line 1: "[System] a  b"   chars 1-13, doubled at 11, '\n' 14
	 * line 2: "line two "       chars 15-23, trailing at 23, '\n' 24
	 * line 3: "c  d  "          chars 25-30, doubled at 26, trailing at 29, '\n' 31
	 * line 4: "ok"              chars 32-33, '\n' 34
	 * line 5: "last\t"          chars 35-39, trailing at 39
	 */
	const char *text = "[System] a  b\nline two \nc  d  \nok\nlast\t";

	(void)state;
	check(text);
	if (n_out != 5)
		dump(text);
	assert_int_equal(n_out, 5);
	expect_has(text, NP_DOUBLE_SPACE, 11, NULL);
	expect_has(text, NP_TRAILING_SPACE, 23, NULL);
	expect_has(text, NP_DOUBLE_SPACE, 26, NULL);
	expect_has(text, NP_TRAILING_SPACE, 29, NULL);
	expect_has(text, NP_TRAILING_SPACE, 39, NULL);

	/* Only the first and the last line. */
	text = "[System] a \nb\nc ";
	check(text);
	assert_int_equal(n_out, 2);
	expect_has(text, NP_TRAILING_SPACE, 11, NULL);
	expect_has(text, NP_TRAILING_SPACE, 16, NULL);
}

static void test_empty_check(void **state)
{
	(void)state;
	expect_one("", NP_EMPTY, 1, "");
	expect_one_with("", &(struct notify_rules){ "", 200, hosts, 2 }, NP_EMPTY, 1, "");
}

/* ---- positions are characters, not bytes ---- */

static void test_positions_count_characters(void **state)
{
	(void)state;
	/* "[System] Grüße" is 14 characters, 16 bytes. */
	expect_one("[System] Grüße  aus München", NP_DOUBLE_SPACE, 15, NULL);
	/* "[System] 聊天 " is 12 characters, 16 bytes. */
	expect_one("[System] 聊天 @here", NP_MENTION, 13, "@here");
	expect_one("[System] ü {name}", NP_PLACEHOLDER, 12, "{name}");
	expect_one("[System] 聊 https://evil.com", NP_LINK, 12, "evil.com");
	expect_one("[System] ü (", NP_BRACKET, 12, "(");
	expect_one("[System] 聊聊 ", NP_TRAILING_SPACE, 12, NULL);
	expect_one("[System] ü\n聊 <#456>", NP_MENTION, 14, "<#456>");
	expect_one("聊天", NP_TAG, 1, "[System]");
}

/* ---- several problems, and the cap ---- */

static void test_several_problems_at_once(void **state)
{
	/*
	 * H1 i2 _3 _4 @here5-9 _10 {name}11-16 _17 see18-20 _21
	 * https://evil.com22-37 _38 (39 x40 _41: 41 characters.
	 */
	const char *text = "Hi  @here {name} see https://evil.com (x ";
	const struct notify_rules r30 = { "[System]", 30, hosts, 2 };

	(void)state;
	check_with(text, &r30);
	if (n_out != 8)
		dump(text);
	assert_int_equal(n_out, 8);
	expect_has(text, NP_TAG, 1, "[System]");
	expect_has(text, NP_LENGTH, 31, "41");
	expect_has(text, NP_MENTION, 5, "@here");
	expect_has(text, NP_PLACEHOLDER, 11, "{name}");
	expect_has(text, NP_LINK, 22, "evil.com");
	expect_has(text, NP_BRACKET, 39, "(");
	expect_has(text, NP_DOUBLE_SPACE, 3, NULL);
	expect_has(text, NP_TRAILING_SPACE, 41, NULL);

	/* Several of one kind. */
	text = "[System] @here @everyone <@1> http://a.example http://b.example";
	check(text);
	assert_int_equal(n_out, 5);
	expect_has(text, NP_MENTION, 10, "@here");
	expect_has(text, NP_MENTION, 16, "@everyone");
	expect_has(text, NP_MENTION, 26, "<@1>");
	expect_has(text, NP_LINK, 31, "a.example");
	expect_has(text, NP_LINK, 48, "b.example");
}

static void test_at_most_max_problems(void **state)
{
	char text[512] = "[System]";
	struct notify_problem guard;

	(void)state;
	for (int i = 0; i < NOTIFY_MAX_PROBLEMS + 8; i++)
		strcat(text, " @here");
	check_with(text, &(struct notify_rules){ "[System]", 1000, hosts, 2 });
	assert_int_equal(n_out, NOTIFY_MAX_PROBLEMS);
	/* Nothing written past the cap. */
	memset(&guard, 0xA5, sizeof guard);
	for (size_t i = NOTIFY_MAX_PROBLEMS; i < NOTIFY_MAX_PROBLEMS + GUARD; i++)
		assert_memory_equal(&out[i], &guard, sizeof guard);
	/* The first ones, in order. */
	for (size_t i = 0; i < NOTIFY_MAX_PROBLEMS; i++) {
		assert_int_equal(out[i].kind, NP_MENTION);
		assert_int_equal(out[i].pos, 10 + 6 * i);
		assert_string_equal(out[i].detail, "@here");
	}
	/* A long detail is cut to fit. */
	{
		char long_text[256] = "[System] https://";
		size_t n;

		for (n = strlen(long_text); n < 17 + 100; n++)
			long_text[n] = 'a';
		long_text[n] = '\0';
		check(long_text);
		assert_int_equal(n_out, 1);
		assert_int_equal(out[0].kind, NP_LINK);
		assert_int_equal(strlen(out[0].detail), sizeof(out[0].detail) - 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_text_passes),
		cmocka_unit_test(test_tag_check),
		cmocka_unit_test(test_length_check),
		cmocka_unit_test(test_length_counts_characters),
		cmocka_unit_test(test_mention_check),
		cmocka_unit_test(test_mentions),
		cmocka_unit_test(test_placeholder_check),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_link_check),
		cmocka_unit_test(test_link_hosts),
		cmocka_unit_test(test_link_userinfo_is_not_the_host),
		cmocka_unit_test(test_bracket_check),
		cmocka_unit_test(test_brackets),
		cmocka_unit_test(test_deeply_nested_unclosed_brackets),
		cmocka_unit_test(test_trailing_space_check),
		cmocka_unit_test(test_double_space_check),
		cmocka_unit_test(test_doubled_vs_trailing_spaces),
		cmocka_unit_test(test_doubled_spaces_then_tab_at_line_end),
		cmocka_unit_test(test_spaces_on_every_line),
		cmocka_unit_test(test_empty_check),
		cmocka_unit_test(test_positions_count_characters),
		cmocka_unit_test(test_several_problems_at_once),
		cmocka_unit_test(test_at_most_max_problems),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
