/* irc_line: parsing, tags, stripping, CTCP, splitting and mask matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/platform/irc_line.h"

static void test_parse_full(void **state)
{
	char line[] = "@account=lemon;time=2026-03-02T09:00:00.000Z :lemon!le@staff.example.org PRIVMSG #ops :!ping now\r\n";
	struct irc_msg m;
	char v[64];

	(void)state;
	assert_int_equal(irc_line_parse(line, &m), 0);
	assert_string_equal(m.nick, "lemon");
	assert_string_equal(m.user, "le");
	assert_string_equal(m.host, "staff.example.org");
	assert_string_equal(m.cmd, "PRIVMSG");
	assert_int_equal(m.nparams, 2);
	assert_string_equal(m.params[0], "#ops");
	assert_string_equal(m.params[1], "!ping now");
	assert_true(irc_line_tag(&m, "account", v, sizeof(v)));
	assert_string_equal(v, "lemon");
	assert_false(irc_line_tag(&m, "acc", v, sizeof(v)));
	assert_false(irc_line_tag(&m, "msgid", v, sizeof(v)));
}

static void test_parse_short_forms(void **state)
{
	char ping[] = "PING :irc.test";
	char server[] = ":irc.test 001 dutybot :Welcome";
	char empty[] = "   ";
	char notrail[] = ":n!u@h JOIN #lobby";
	char many[] = "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16";
	struct irc_msg m;

	(void)state;
	assert_int_equal(irc_line_parse(ping, &m), 0);
	assert_null(m.nick);
	assert_string_equal(m.cmd, "PING");
	assert_string_equal(m.params[0], "irc.test");
	assert_int_equal(irc_line_parse(server, &m), 0);
	assert_string_equal(m.nick, "irc.test");
	assert_null(m.user);
	assert_null(m.host);
	assert_string_equal(m.params[0], "dutybot");
	assert_int_equal(irc_line_parse(empty, &m), -1);
	assert_int_equal(irc_line_parse(notrail, &m), 0);
	assert_string_equal(m.params[0], "#lobby");
	assert_int_equal(irc_line_parse(many, &m), 0);
	assert_int_equal(m.nparams, IRC_LINE_PARAMS_MAX);
	assert_string_equal(m.params[14], "15 16");     /* the last takes the rest */
}

static void test_tag_escapes(void **state)
{
	char line[] = "@a=x\\:y\\sz\\\\w;b;c= :n!u@h PRIVMSG #c :t";
	struct irc_msg m;
	char v[64], tiny[3];

	(void)state;
	assert_int_equal(irc_line_parse(line, &m), 0);
	assert_true(irc_line_tag(&m, "a", v, sizeof(v)));
	assert_string_equal(v, "x;y z\\w");
	assert_false(irc_line_tag(&m, "b", v, sizeof(v)));      /* no value */
	assert_false(irc_line_tag(&m, "c", v, sizeof(v)));      /* empty value */
	assert_false(irc_line_tag(&m, "a", tiny, sizeof(tiny)));        /* does not fit */
}

static void test_strip(void **state)
{
	char a[] = "\x02!pi\x03" "04,12ng\x0f \x1d" "a\x1e" "b\x1f" "c\x16\x11";
	char b[] = "\x03" "4x \x03" "12,3y \x03,z \x03" "99,";
	char c[] = "\x04" "ff00AA,00ff00hex \x04" "12x";

	(void)state;
	assert_int_equal(irc_line_strip(a), strlen("!ping abc"));
	assert_string_equal(a, "!ping abc");
	irc_line_strip(b);
	assert_string_equal(b, "x y ,z ,");       /* ",z": a comma not followed by a digit stays */
	irc_line_strip(c);
	assert_string_equal(c, "hex 12x");
}

static void test_ctcp(void **state)
{
	char cmd[16];

	(void)state;
	assert_true(irc_line_ctcp("\x01VERSION\x01", cmd, sizeof(cmd)));
	assert_string_equal(cmd, "VERSION");
	assert_true(irc_line_ctcp("\x01" "ACTION waves", cmd, sizeof(cmd)));     /* closing \x01 missing */
	assert_string_equal(cmd, "ACTION");
	assert_false(irc_line_ctcp("!ping", cmd, sizeof(cmd)));
}

struct pieces {
	char p[64][1100];
	size_t n;
};

static void collect(const char *piece, size_t len, void *arg)
{
	struct pieces *ps = arg;

	assert_true(ps->n < 64);
	memcpy(ps->p[ps->n], piece, len);
	ps->p[ps->n][len] = '\0';
	ps->n++;
}

static bool utf8_whole(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; ) {
		int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0)
			return false;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static void test_split_words_and_lines(void **state)
{
	struct pieces *ps = calloc(1, sizeof(*ps));

	(void)state;
	assert_int_equal(irc_line_split("one two three\r\nfour\n\n  five  ", 9, collect, ps), 4);
	assert_string_equal(ps->p[0], "one two");
	assert_string_equal(ps->p[1], "three");
	assert_string_equal(ps->p[2], "four");
	assert_string_equal(ps->p[3], "five");
	assert_int_equal(ps->n, 4);     /* the blank-only tail gives nothing */
	free(ps);
}

static void test_split_never_cuts_a_character(void **state)
{
	struct pieces *ps = calloc(1, sizeof(*ps));
	char text[2000] = "";
	size_t total = 0;

	(void)state;
	for (int i = 0; i < 60; i++)
		strcat(text, "日本語ő");         /* one long word: cut at characters */
	irc_line_split(text, 100, collect, ps);
	for (size_t i = 0; i < ps->n; i++) {
		assert_true(strlen(ps->p[i]) <= 100);
		assert_true(utf8_whole(ps->p[i]));
		total += strlen(ps->p[i]);
	}
	assert_int_equal(total, strlen(text));  /* nothing lost */
	free(ps);
}

static void test_split_long_words_text(void **state)
{
	struct pieces *ps = calloc(1, sizeof(*ps));
	char text[8000] = "", joined[8000] = "";

	(void)state;
	for (int i = 0; i < 260; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%swörd%d-日本", i ? " " : "", i);
	irc_line_split(text, 468, collect, ps);
	assert_true(ps->n >= 7);
	for (size_t i = 0; i < ps->n; i++) {
		assert_true(strlen(ps->p[i]) <= 468);
		if (i + 1 < ps->n)
			assert_true(strlen(ps->p[i]) > 400);    /* full lines but the last */
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? " " : "", ps->p[i]);
	}
	assert_string_equal(joined, text);      /* at blanks only: the words whole, in order */
	free(ps);
}

static void test_split_control_characters(void **state)
{
	struct pieces *ps = calloc(1, sizeof(*ps));

	(void)state;
	irc_line_split("a\x01VERSION\x01 b\x00", 100, collect, ps);
	assert_string_equal(ps->p[0], "a VERSION  b");  /* \x01 never starts a CTCP from us */
	assert_int_equal(irc_line_split("x", 3, collect, ps), 0);
	free(ps);
}

static void test_mask_match(void **state)
{
	(void)state;
	assert_true(irc_line_mask_match("lemon!*@staff.example.org", "lemon!le@staff.example.org"));
	assert_true(irc_line_mask_match("LEMON!*@staff.example.org", "lemon!~le@STAFF.example.org"));
	assert_false(irc_line_mask_match("lemon!*@staff.example.org", "lemon!le@evil.example.org"));
	assert_false(irc_line_mask_match("lemon!*@staff.example.org", "lemon2!le@staff.example.org"));
	assert_false(irc_line_mask_match("lemon!*@staff.example.org", "lemon!le@staff.example.org.evil"));
	assert_true(irc_line_mask_match("*!mia@127.0.0.?", "anything!mia@127.0.0.1"));
	assert_true(irc_line_mask_match("n[a]!*@*", "N{A}!u@h"));        /* rfc1459 folding */
	assert_true(irc_line_mask_match("*a*b*", "xxaxxbxx"));
	assert_false(irc_line_mask_match("*a*b", "xxaxxbxx"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_short_forms),
		cmocka_unit_test(test_tag_escapes),
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_ctcp),
		cmocka_unit_test(test_split_words_and_lines),
		cmocka_unit_test(test_split_never_cuts_a_character),
		cmocka_unit_test(test_split_long_words_text),
		cmocka_unit_test(test_split_control_characters),
		cmocka_unit_test(test_mask_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
