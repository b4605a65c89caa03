/*
 * test_outbox_split: splitting long texts for the platforms' limits (line
 * breaks, then blanks, then a hard cut on a UTF-8 boundary, counted in code
 * points), shortening, and joining what fits.  The queue is in
 * test_outbox_queue.c, the ack deadlines in test_outbox_deadline.c.
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
#include <time.h>

#include "bot/platform/outbox.h"

/* ---- splitting ---- */

#define MAX_PIECES 64

struct pieces {
	int n;
	char text[MAX_PIECES][512];
	size_t len[MAX_PIECES];
};

static void collect(const char *piece, size_t len, void *arg)
{
	struct pieces *ps = arg;

	assert_true(ps->n < MAX_PIECES);
	assert_true(len < sizeof(ps->text[0]));
	memcpy(ps->text[ps->n], piece, len);
	ps->text[ps->n][len] = '\0';
	ps->len[ps->n] = len;
	ps->n++;
}

static int split(const char *text, size_t max, struct pieces *ps)
{
	int n;

	memset(ps, 0, sizeof(*ps));
	n = outbox_split(text, max, collect, ps);
	assert_int_equal(n, ps->n);
	return n;
}

static size_t code_points(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int extra = *p < 0x80 ? 0 : (*p >> 5) == 6 ? 1 : (*p >> 4) == 14 ? 2 : (*p >> 3) == 30 ? 3 : -1;
		if (extra < 0)
			return false;
		p++;
		for (int i = 0; i < extra; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* Every piece non-empty, valid UTF-8 and within MAX code points. */
static void assert_pieces_sane(const struct pieces *ps, size_t max)
{
	for (int i = 0; i < ps->n; i++) {
		assert_true(ps->len[i] > 0);
		assert_int_equal(strlen(ps->text[i]), ps->len[i]);
		assert_true(code_points(ps->text[i]) <= max);
		assert_true(valid_utf8(ps->text[i]));
	}
}

static void test_split_short_text(void **state)
{
	struct pieces ps;

	assert_int_equal(split("hello world", 100, &ps), 1);
	assert_string_equal(ps.text[0], "hello world");
	assert_int_equal(split("exactly10!", 10, &ps), 1);
	assert_string_equal(ps.text[0], "exactly10!");
}

static void test_split_empty_text(void **state)
{
	struct pieces ps;

	assert_int_equal(split("", 10, &ps), 0);
	assert_int_equal(split("\n \n  \n", 10, &ps), 0);
}

static void test_split_at_line_break(void **state)
{
	struct pieces ps;

	/* the last line break within the limit wins over later blanks */
	assert_int_equal(split("first line\nsecond one here\nthird", 20, &ps), 3);
	assert_string_equal(ps.text[0], "first line");
	assert_string_equal(ps.text[1], "second one here");
	assert_string_equal(ps.text[2], "third");
	assert_pieces_sane(&ps, 20);
}

static void test_split_prefers_line_break_over_blank(void **state)
{
	struct pieces ps;

	assert_int_equal(split("a b\nc d e f gh", 10, &ps), 2);
	assert_string_equal(ps.text[0], "a b");
	assert_string_equal(ps.text[1], "c d e f gh");
}

static void test_split_several_lines_in_one_piece(void **state)
{
	struct pieces ps;

	assert_int_equal(split("l1\nl2\nl3\nl4 is longer", 12, &ps), 2);
	assert_string_equal(ps.text[0], "l1\nl2\nl3");
	assert_string_equal(ps.text[1], "l4 is longer");
}

static void test_split_piece_of_exactly_max_before_a_break(void **state)
{
	struct pieces ps;

	/* "aa bb" is exactly 5 characters and is followed by a line break: it
	 * fits whole, there is no need to cut it at its inner blank */
	assert_int_equal(split("aa bb\ncc", 5, &ps), 2);
	assert_string_equal(ps.text[0], "aa bb");
	assert_string_equal(ps.text[1], "cc");
	/* the same when a blank follows */
	assert_int_equal(split("aaa bbb ccc", 7, &ps), 2);
	assert_string_equal(ps.text[0], "aaa bbb");
	assert_string_equal(ps.text[1], "ccc");
}

static void test_split_long_line_at_blanks(void **state)
{
	struct pieces ps;

	assert_int_equal(split("the quick brown fox jumps over the lazy dog", 16, &ps), 3);
	assert_string_equal(ps.text[0], "the quick brown");
	assert_string_equal(ps.text[1], "fox jumps over");
	assert_string_equal(ps.text[2], "the lazy dog");
	assert_pieces_sane(&ps, 16);
}

static void test_split_hard_cut_long_word(void **state)
{
	struct pieces ps;

	assert_int_equal(split("abcdefghijklmnopqrstuvwxyz", 10, &ps), 3);
	assert_string_equal(ps.text[0], "abcdefghij");
	assert_string_equal(ps.text[1], "klmnopqrst");
	assert_string_equal(ps.text[2], "uvwxyz");
}

static void test_split_hard_cut_utf8(void **state)
{
	struct pieces ps;
	/* 7 x "ü" (2 bytes) and 5 x "聊" (3 bytes), no blanks */
	const char *text = "üüüüüüü聊聊聊聊聊";

	assert_int_equal(split(text, 5, &ps), 3);
	assert_string_equal(ps.text[0], "üüüüü");
	assert_string_equal(ps.text[1], "üü聊聊聊");
	assert_string_equal(ps.text[2], "聊聊");
	assert_pieces_sane(&ps, 5);
	/* 4-byte characters too */
	assert_int_equal(split("😀😀😀😀😀", 2, &ps), 3);
	assert_string_equal(ps.text[0], "😀😀");
	assert_string_equal(ps.text[2], "😀");
	assert_pieces_sane(&ps, 2);
}

static void test_split_counts_code_points(void **state)
{
	struct pieces ps;

	/* 6 code points, 18 bytes: fits a limit of 6 */
	assert_int_equal(split("聊聊聊聊聊聊", 6, &ps), 1);
	assert_string_equal(ps.text[0], "聊聊聊聊聊聊");
	assert_int_equal(ps.len[0], 18);
	/* but not a limit of 5 */
	assert_int_equal(split("聊聊聊聊聊聊", 5, &ps), 2);
	assert_string_equal(ps.text[0], "聊聊聊聊聊");
	assert_string_equal(ps.text[1], "聊");
	/* blanks between multi-byte words */
	assert_int_equal(split("Grüße aus Köln", 10, &ps), 2);
	assert_string_equal(ps.text[0], "Grüße aus");
	assert_string_equal(ps.text[1], "Köln");
}

static void test_split_no_empty_pieces(void **state)
{
	struct pieces ps;
	const char *text = "aaaa\n\n\n\n    bbbb          \n\n cccc\n\n";

	assert_int_equal(split(text, 4, &ps), 3);
	assert_string_equal(ps.text[0], "aaaa");
	assert_string_equal(ps.text[1], "bbbb");
	assert_string_equal(ps.text[2], "cccc");
	assert_pieces_sane(&ps, 4);
}

static void test_split_keeps_all_content(void **state)
{
	struct pieces ps;
	char text[400], joined[800];

	text[0] = '\0';
	for (int i = 0; i < 40; i++) {
		char w[16];
		snprintf(w, sizeof(w), "%sw%dü", i % 7 == 6 ? "\n" : i ? " " : "", i);
		strcat(text, w);
	}
	split(text, 17, &ps);
	assert_pieces_sane(&ps, 17);
	joined[0] = '\0';
	for (int i = 0; i < ps.n; i++) {
		/* each piece ends a word: cuts happen only at breaks here */
		strcat(joined, i ? " " : "");
		strcat(joined, ps.text[i]);
	}
	for (char *c = text; *c; c++)
		if (*c == '\n')
			*c = ' ';
	for (char *c = joined; *c; c++)
		if (*c == '\n')
			*c = ' ';
	assert_string_equal(joined, text);
}

static void test_split_truncated_utf8_stays_in_string(void **state)
{
	/* A text ending in a cut-off multi-byte sequence: the split must not run
	 * past the terminator (bytes after it belong to someone else). */
	char buf[] = "ab\xe8\0XYZ";
	struct pieces ps;

	split(buf, 10, &ps);
	for (int i = 0; i < ps.n; i++)
		assert_true(ps.len[i] <= strlen(buf));
	assert_null(memchr(ps.text[0], 'X', ps.len[0]));
}

/* The cut never falls inside a line when the line fits a piece: a blank
 * right at the limit used to win over the line break before it, which cut
 * "... someone asked" | "of you" and the German text after its dash. */
static void test_split_blank_at_the_limit_loses_to_an_earlier_line_break(void **state)
{
	struct pieces ps;

	/* the 25th character is the blank after "asked" */
	assert_int_equal(split("Who is on?\nsomeone asked of you", 24, &ps), 2);
	assert_string_equal(ps.text[0], "Who is on?");
	assert_string_equal(ps.text[1], "someone asked of you");
	/* and the 21st the blank after "Mia" */
	/* German, multi-byte dash and umlauts at the edge */
	assert_int_equal(split("Übergabe:\nFrüh — Mia übernimmt", 20, &ps), 2);
	assert_string_equal(ps.text[0], "Übergabe:");
	assert_string_equal(ps.text[1], "Früh — Mia übernimmt");
	assert_pieces_sane(&ps, 20);
}

static void test_split_every_piece_ends_at_a_line_end(void **state)
{
	struct pieces ps;
	char text[4096] = "", line[64];

	/* 60 lines of 20..39 characters, a limit of 100: whole lines only */
	for (int i = 0; i < 60; i++) {
		snprintf(line, sizeof(line), "%02d Zeile für Zeile%.*s\n", i, i % 20, "xxxxxxxxxxxxxxxxxxxx");
		strcat(text, line);
	}
	split(text, 100, &ps);
	assert_true(ps.n > 10);
	assert_pieces_sane(&ps, 100);
	for (int i = 0; i < ps.n; i++) {
		size_t l = ps.len[i];
		const char *end = strstr(text, ps.text[i]);
		/* found whole in the text, and followed there by a line break */
		assert_non_null(end);
		assert_int_equal(end[l], '\n');
		assert_true(end == text || end[-1] == '\n');
	}
}

static void test_split_multibyte_at_the_edge(void **state)
{
	struct pieces ps;

	/* the limit falls just after a 2-, 3- and 4-byte character */
	assert_int_equal(split("abcü defg", 4, &ps), 2);
	assert_string_equal(ps.text[0], "abcü");
	assert_string_equal(ps.text[1], "defg");
	assert_int_equal(split("ab聊cd", 3, &ps), 2);
	assert_string_equal(ps.text[0], "ab聊");
	assert_string_equal(ps.text[1], "cd");
	assert_int_equal(split("a😀😀b", 2, &ps), 2);
	assert_string_equal(ps.text[0], "a😀");
	assert_string_equal(ps.text[1], "😀b");
	assert_pieces_sane(&ps, 2);
}

static void test_split_cjk_text(void **state)
{
	struct pieces ps;

	/* no blanks: after the last full stop or comma within the limit */
	assert_int_equal(split("紧急情况已经确认。值班经理正在处理，请稍候。", 13, &ps), 2);
	assert_string_equal(ps.text[0], "紧急情况已经确认。");
	assert_string_equal(ps.text[1], "值班经理正在处理，请稍候。");
	assert_int_equal(split("值班经理正在处理，请稍候再试一次好吗", 10, &ps), 2);
	assert_string_equal(ps.text[0], "值班经理正在处理，");
	assert_string_equal(ps.text[1], "请稍候再试一次好吗");
	/* lines first, as everywhere */
	assert_int_equal(split("排班：\n早班 米娅，晚班 汤姆", 11, &ps), 2);
	assert_string_equal(ps.text[0], "排班：");
	assert_string_equal(ps.text[1], "早班 米娅，晚班 汤姆");
	assert_pieces_sane(&ps, 13);
}

static void test_shorten(void **state)
{
	char *t;

	(void)state;
	assert_string_equal((t = outbox_shorten("short", 5)), "short");
	free(t);
	/* at the last blank, an ellipsis counted in the limit */
	assert_string_equal((t = outbox_shorten("the quick brown fox", 12)), "the quick…");
	assert_int_equal(outbox_chars(t), 10);
	free(t);
	/* at a line end first */
	assert_string_equal((t = outbox_shorten("one two\nthree four five", 15)), "one two…");
	free(t);
	/* no blank: whole characters only */
	assert_string_equal((t = outbox_shorten("聊聊聊聊聊聊聊聊", 5)), "聊聊聊聊…");
	assert_int_equal(strlen(t), 15);
	free(t);
	assert_int_equal(outbox_chars("Grüße 😀"), 7);
}

static void test_join_fit_keeps_the_outcome(void **state)
{
	char orig[3000], *t;
	const char *outcome = "Approved by Lemon Chen: S-1 is done.";

	(void)state;
	memset(orig, 0, sizeof(orig));
	for (int i = 0; i < 400; i++)
		strcat(orig, "Früh ");
	strcat(orig, "聊");
	/* 2,000 characters of Discord: the original is cut, the outcome whole */
	t = outbox_join_fit(orig, "\n> ", outcome, 2000);
	assert_non_null(t);
	assert_true(outbox_chars(t) <= 2000);
	assert_non_null(strstr(t, "\n> Approved by Lemon Chen: S-1 is done."));
	assert_int_equal(strcmp(t + strlen(t) - strlen(outcome), outcome), 0);
	assert_true(valid_utf8(t));
	assert_non_null(strstr(t, "Früh…\n> "));
	free(t);
	/* short enough: unchanged */
	t = outbox_join_fit("Swap S-1: Mia asks", "\n> ", "approved", 2000);
	assert_string_equal(t, "Swap S-1: Mia asks\n> approved");
	free(t);
	/* an outcome longer than everything: it is cut, and still valid UTF-8 */
	t = outbox_join_fit("x", "\n> ", "聊聊聊聊聊聊聊聊聊聊", 8);
	assert_true(outbox_chars(t) <= 8);
	assert_true(valid_utf8(t));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_short_text),
		cmocka_unit_test(test_split_empty_text),
		cmocka_unit_test(test_split_at_line_break),
		cmocka_unit_test(test_split_prefers_line_break_over_blank),
		cmocka_unit_test(test_split_several_lines_in_one_piece),
		cmocka_unit_test(test_split_piece_of_exactly_max_before_a_break),
		cmocka_unit_test(test_split_long_line_at_blanks),
		cmocka_unit_test(test_split_hard_cut_long_word),
		cmocka_unit_test(test_split_hard_cut_utf8),
		cmocka_unit_test(test_split_counts_code_points),
		cmocka_unit_test(test_split_no_empty_pieces),
		cmocka_unit_test(test_split_keeps_all_content),
		cmocka_unit_test(test_split_truncated_utf8_stays_in_string),
		cmocka_unit_test(test_split_blank_at_the_limit_loses_to_an_earlier_line_break),
		cmocka_unit_test(test_split_every_piece_ends_at_a_line_end),
		cmocka_unit_test(test_split_multibyte_at_the_edge),
		cmocka_unit_test(test_split_cjk_text),
		cmocka_unit_test(test_shorten),
		cmocka_unit_test(test_join_fit_keeps_the_outcome),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
