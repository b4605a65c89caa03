/*
 * test_outbox: splitting long texts (line breaks, then blanks, then a hard
 * cut on a UTF-8 boundary, counted in code points), queue order through
 * next/acked/retry/failed/requeue, pacing to RATE actions per second, holds,
 * counts and kicks, and ack deadlines (sent again, then given up).
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
#include <uv.h>

#include "bot/outbox.h"

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

/* ---- the queue ---- */

/*
 * outbox.c keeps ONE action in flight per connection (replies must arrive in
 * order and a rate-limited action must be re-sent before anything behind
 * it), so these tests ack each action before asking for the next.
 */

static uv_loop_t loop;
static int kicks;

static void kick(void *arg)
{
	int *k = arg;

	(*k)++;
}

static int setup(void **state)
{
	kicks = 0;
	*state = NULL;
	return uv_loop_init(&loop);
}

static int teardown(void **state)
{
	struct outbox *ob = *state;

	outbox_free(ob);
	uv_run(&loop, UV_RUN_NOWAIT);
	return uv_loop_close(&loop) == 0 ? 0 : -1;
}

static struct outbox *new_outbox(void **state, size_t max, int rate)
{
	struct outbox *ob = outbox_new(&loop, max, rate, kick, &kicks);

	assert_non_null(ob);
	*state = ob;
	return ob;
}

/* Runs the loop until the outbox kicks (its timer), at most a few rounds. */
static void wait_kick(void)
{
	kicks = 0;
	for (int i = 0; i < 5 && kicks == 0; i++)
		if (uv_run(&loop, UV_RUN_ONCE) == 0 && kicks == 0)
			break;  /* nothing armed: no kick will ever come */
	assert_int_equal(kicks, 1);
}

static struct out_msg *next_text(struct outbox *ob, const char *text)
{
	struct out_msg *m = outbox_next(ob);

	assert_non_null(m);
	assert_string_equal(m->text, text);
	return m;
}

/* next() gives TEXT, then the platform acks it. */
static uint64_t send_ack(struct outbox *ob, const char *text)
{
	uint64_t seq = next_text(ob, text)->seq;

	assert_true(outbox_acked(ob, seq));
	return seq;
}

static void push(struct outbox *ob, const char *text)
{
	assert_int_equal(outbox_push(ob, OUT_SEND, "room", text, NULL, NULL, NULL), 1);
}

/* A gate: what GATE_SAYS, counting the questions and the done calls. */
static enum out_gate gate_says;
static int gate_asked, gate_done, gate_delivered;

static enum out_gate test_gate(void *arg)
{
	(void)arg;
	gate_asked++;
	return gate_says;
}

static void gate_done_cb(void *arg, const struct out_msg *m)
{
	(void)arg;
	gate_done++;
	gate_delivered += m->delivered;
}

static void test_gate_send_wait_drop(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	gate_asked = gate_done = gate_delivered = 0;
	push(ob, "before");
	assert_int_equal(outbox_push_tracked(ob, OUT_DM, "u2", "EMERGENCY E-1: page", "en", NULL, gate_done_cb,
	    test_gate, NULL), 1);
	assert_int_equal(outbox_push_tracked(ob, OUT_DM, "u3", "EMERGENCY E-1: second page", "en", NULL,
	    gate_done_cb, test_gate, NULL), 1);
	push(ob, "after");
	/* the gate is not asked while its message is not next */
	send_ack(ob, "before");
	assert_int_equal(gate_asked, 0);
	/* WAIT: nothing goes, not even what is behind it */
	gate_says = OUT_GATE_WAIT;
	assert_null(outbox_next(ob));
	assert_int_equal(gate_asked, 1);
	assert_int_equal(outbox_queued(ob), 3);
	/* SEND: it goes as any other */
	gate_says = OUT_GATE_SEND;
	kicks = 0;
	outbox_kick(ob);
	assert_int_equal(kicks, 1);
	m = next_text(ob, "EMERGENCY E-1: page");
	assert_true(outbox_acked(ob, m->seq));
	assert_int_equal(gate_done, 1);
	/* DROP: done as delivered, and the next message goes at once */
	gate_says = OUT_GATE_DROP;
	send_ack(ob, "after");
	assert_int_equal(gate_done, 2);
	assert_int_equal(gate_delivered, 2);
	assert_int_equal(outbox_queued(ob), 0);
	assert_null(outbox_next(ob));
}

static void test_push_fields_and_kick(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	assert_int_equal(outbox_push(ob, OUT_DM, "u-1", "hello", "room-1", "u-2", "de"), 1);
	assert_int_equal(kicks, 1);
	assert_int_equal(outbox_queued(ob), 1);
	assert_int_equal(outbox_inflight(ob), 0);
	m = outbox_next(ob);
	assert_non_null(m);
	assert_int_equal(m->kind, OUT_DM);
	assert_string_equal(m->target, "u-1");
	assert_string_equal(m->text, "hello");
	assert_string_equal(m->origin_room, "room-1");
	assert_string_equal(m->origin_user, "u-2");
	assert_string_equal(m->lang, "de");
	assert_int_equal(m->attempts, 1);
	assert_int_equal(outbox_queued(ob), 0);
	assert_int_equal(outbox_inflight(ob), 1);
	assert_null(outbox_next(ob));
}

static void test_push_null_origin(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	assert_int_equal(outbox_push(ob, OUT_SEND, "ops", "hi", NULL, NULL, NULL), 1);
	m = outbox_next(ob);
	assert_non_null(m);
	assert_int_equal(m->kind, OUT_SEND);
	assert_null(m->origin_room);
	assert_null(m->origin_user);
	assert_string_equal(m->lang, "");
}

static void test_push_kicks_every_time(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	push(ob, "one");
	push(ob, "two");
	push(ob, "three");
	assert_int_equal(kicks, 3);
	assert_int_equal(outbox_queued(ob), 3);
}

static void test_push_splits_and_counts(void **state)
{
	struct outbox *ob = new_outbox(state, 5, 0);
	uint64_t a, b, c;

	assert_int_equal(outbox_push(ob, OUT_SEND, "r", "aaa bbb ccc", NULL, NULL, "en"), 3);
	assert_int_equal(kicks, 1);     /* one kick for the whole text */
	assert_int_equal(outbox_queued(ob), 3);
	a = send_ack(ob, "aaa");
	b = send_ack(ob, "bbb");
	c = send_ack(ob, "ccc");
	assert_true(a < b && b < c);
	assert_int_equal(outbox_queued(ob), 0);
	assert_int_equal(outbox_inflight(ob), 0);
}

static void test_push_nothing_no_kick(void **state)
{
	struct outbox *ob = new_outbox(state, 10, 0);

	assert_int_equal(outbox_push(ob, OUT_SEND, "r", " \n ", NULL, NULL, NULL), 0);
	assert_int_equal(kicks, 0);
	assert_int_equal(outbox_queued(ob), 0);
	assert_null(outbox_next(ob));
}

static void test_order_and_ack(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	uint64_t s1, s2, s3;

	push(ob, "one");
	push(ob, "two");
	assert_int_equal(outbox_push(ob, OUT_DM, "u", "three", NULL, NULL, NULL), 1);
	s1 = send_ack(ob, "one");
	assert_int_equal(outbox_queued(ob), 2);
	s2 = send_ack(ob, "two");
	s3 = send_ack(ob, "three");
	assert_true(s1 < s2 && s2 < s3);
	assert_false(outbox_acked(ob, s2));     /* not in flight any more */
	assert_false(outbox_acked(ob, 9999));
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 0);
	assert_null(outbox_next(ob));
}

static void test_one_in_flight_until_acked(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t s1;

	push(ob, "one");
	push(ob, "two");
	m = next_text(ob, "one");
	s1 = m->seq;
	/* nothing else goes out before the answer to "one" */
	assert_null(outbox_next(ob));
	assert_null(outbox_next(ob));
	assert_int_equal(outbox_inflight(ob), 1);
	assert_int_equal(outbox_queued(ob), 1);
	/* the ack frees the slot and kicks, as there is more to send */
	kicks = 0;
	assert_true(outbox_acked(ob, s1));
	assert_int_equal(kicks, 1);
	next_text(ob, "two");
}

/* Many in flight, acked out of order, some retried: the in-flight list stays
 * in seq order (a drop re-sends them oldest first) and finds every one. */
static void test_many_in_flight_out_of_order(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	uint64_t seq[6];
	char text[8];

	outbox_set_max_inflight(ob, 8);
	for (int i = 0; i < 6; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		push(ob, text);
	}
	for (int i = 0; i < 6; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		seq[i] = next_text(ob, text)->seq;
	}
	assert_true(outbox_acked(ob, seq[5]));  /* the newest first */
	assert_true(outbox_acked(ob, seq[1]));
	assert_non_null(outbox_inflight_find(ob, seq[4]));
	assert_null(outbox_inflight_find(ob, seq[5]));
	assert_true(outbox_retry(ob, seq[3], 0));
	next_text(ob, "m3");                    /* back in flight with its old seq */
	push(ob, "m6");
	next_text(ob, "m6");
	assert_int_equal(outbox_inflight(ob), 5);
	outbox_requeue_inflight(ob);            /* dropped: all again, oldest first */
	next_text(ob, "m0");
	next_text(ob, "m2");
	next_text(ob, "m3");
	next_text(ob, "m4");
	next_text(ob, "m6");
	assert_null(outbox_next(ob));
}

static void test_ack_with_nothing_queued_no_kick(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	push(ob, "one");
	kicks = 0;
	send_ack(ob, "one");
	assert_int_equal(kicks, 0);
}

static void test_ack_of_queued_refused(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	push(ob, "one");
	push(ob, "two");
	m = next_text(ob, "one");
	/* seq of "two" is the next one; it is queued, not in flight */
	assert_false(outbox_acked(ob, m->seq + 1));
	assert_false(outbox_retry(ob, m->seq + 1, 0));
	assert_null(outbox_failed(ob, m->seq + 1));
	assert_int_equal(outbox_queued(ob), 1);
	assert_int_equal(outbox_inflight(ob), 1);
}

static void test_unpaced(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	for (int i = 0; i < 50; i++)
		push(ob, "x");
	for (int i = 0; i < 50; i++)
		send_ack(ob, "x");
	assert_null(outbox_next(ob));
	assert_int_equal(outbox_queued(ob), 0);
}

static void test_rate_pacing(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 3);
	struct out_msg *m;
	uint64_t t0;

	for (int i = 0; i < 5; i++) {
		char t[8];
		snprintf(t, sizeof(t), "m%d", i);
		push(ob, t);
	}
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	send_ack(ob, "m0");
	send_ack(ob, "m1");
	send_ack(ob, "m2");
	assert_null(outbox_next(ob));   /* a fourth within the second: paced */
	assert_null(outbox_next(ob));
	assert_int_equal(outbox_queued(ob), 2);
	assert_int_equal(outbox_inflight(ob), 0);
	/* the timer armed for the end of the window kicks */
	wait_kick();
	assert_true(uv_now(&loop) >= t0 + 1000);
	assert_true(uv_now(&loop) < t0 + 1500);
	m = next_text(ob, "m3");
	assert_int_equal(m->attempts, 1);
	assert_true(outbox_acked(ob, m->seq));
	send_ack(ob, "m4");
}

static void test_rate_pacing_is_sliding(void **state)
{
	/* the window is the last RATE sends, not a calendar second */
	struct outbox *ob = new_outbox(state, 100, 2);
	uint64_t t0;

	for (int i = 0; i < 4; i++)
		push(ob, "x");
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	send_ack(ob, "x");
	uv_sleep(300);
	uv_update_time(&loop);
	send_ack(ob, "x");
	assert_null(outbox_next(ob));
	/* 1 s after the first send (not the second) one more may go */
	wait_kick();
	assert_true(uv_now(&loop) >= t0 + 1000 && uv_now(&loop) < t0 + 1300);
	send_ack(ob, "x");
	assert_null(outbox_next(ob));   /* the second send is less than 1 s ago */
}

static void test_set_rate_zero_unpaces(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 1);

	for (int i = 0; i < 4; i++)
		push(ob, "x");
	uv_update_time(&loop);
	send_ack(ob, "x");
	assert_null(outbox_next(ob));
	outbox_set_rate(ob, 0);
	send_ack(ob, "x");
	send_ack(ob, "x");
	send_ack(ob, "x");
	assert_int_equal(outbox_queued(ob), 0);
}

static void test_retry_goes_in_front_and_holds(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t s2, t0;

	push(ob, "one");
	push(ob, "two");
	push(ob, "three");
	send_ack(ob, "one");
	s2 = next_text(ob, "two")->seq;
	push(ob, "four");
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	/* "two" is rate-limited: back in front of "three" and "four" */
	assert_true(outbox_retry(ob, s2, 80));
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 3);
	assert_null(outbox_next(ob));   /* held */
	assert_null(outbox_next(ob));
	wait_kick();
	assert_true(uv_now(&loop) >= t0 + 80);
	m = next_text(ob, "two");
	assert_int_equal(m->seq, s2);
	assert_int_equal(m->attempts, 2);
	assert_true(outbox_acked(ob, s2));
	send_ack(ob, "three");
	send_ack(ob, "four");
	assert_false(outbox_retry(ob, s2, 10));         /* acked: gone */
	assert_false(outbox_retry(ob, 12345, 10));
}

static void test_retry_repeatedly(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t s1;

	push(ob, "one");
	push(ob, "two");
	s1 = next_text(ob, "one")->seq;
	assert_true(outbox_retry(ob, s1, 0));
	m = next_text(ob, "one");
	assert_int_equal(m->seq, s1);
	assert_true(outbox_retry(ob, s1, 0));
	m = next_text(ob, "one");
	assert_int_equal(m->attempts, 3);
	assert_true(outbox_acked(ob, s1));
	send_ack(ob, "two");
}

static void test_hold(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	uint64_t t0;

	push(ob, "one");
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	outbox_hold(ob, 60);
	assert_null(outbox_next(ob));
	/* a shorter hold does not shorten the running one */
	outbox_hold(ob, 0);
	assert_null(outbox_next(ob));
	wait_kick();
	assert_true(uv_now(&loop) >= t0 + 60);
	send_ack(ob, "one");
}

static void test_failed_hands_out(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m1, *f;
	uint64_t s1;

	outbox_push(ob, OUT_DM, "u-7", "one", "ops", "u-1", "hu");
	push(ob, "two");
	m1 = next_text(ob, "one");
	s1 = m1->seq;
	f = outbox_failed(ob, s1);
	assert_ptr_equal(f, m1);
	assert_null(f->next);
	assert_int_equal(f->seq, s1);
	assert_int_equal(f->kind, OUT_DM);
	assert_string_equal(f->target, "u-7");
	assert_string_equal(f->text, "one");
	assert_string_equal(f->origin_room, "ops");
	assert_string_equal(f->origin_user, "u-1");
	assert_string_equal(f->lang, "hu");
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 1);
	assert_null(outbox_failed(ob, s1));
	assert_false(outbox_acked(ob, s1));
	outbox_msg_free(f);
	send_ack(ob, "two");
}

static void test_failed_kicks_when_more_queued(void **state)
{
	/* A message failed for good frees the in-flight slot just as an ack
	 * does.  Without a kick nothing asks for the next send: the adapter
	 * only writes again when kicked, so "two" would wait for the next push. */
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	push(ob, "one");
	push(ob, "two");
	m = next_text(ob, "one");
	kicks = 0;
	m = outbox_failed(ob, m->seq);
	assert_non_null(m);
	outbox_msg_free(m);
	assert_int_equal(kicks, 1);
	next_text(ob, "two");
}

static void test_requeue_inflight(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t s2;

	push(ob, "one");
	push(ob, "two");
	push(ob, "three");
	send_ack(ob, "one");
	s2 = next_text(ob, "two")->seq;
	push(ob, "four");
	assert_int_equal(outbox_inflight(ob), 1);
	assert_int_equal(outbox_queued(ob), 2);
	/* the connection drops: "two" goes back in front of "three" and "four" */
	outbox_requeue_inflight(ob);
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 3);
	assert_false(outbox_acked(ob, s2));     /* no longer in flight */
	m = next_text(ob, "two");
	assert_int_equal(m->seq, s2);
	assert_int_equal(m->attempts, 2);
	assert_true(outbox_acked(ob, s2));
	m = next_text(ob, "three");
	assert_int_equal(m->attempts, 1);
	assert_true(outbox_acked(ob, m->seq));
	send_ack(ob, "four");
	assert_null(outbox_next(ob));
}

static void test_requeue_empty(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	outbox_requeue_inflight(ob);
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 0);
	assert_null(outbox_next(ob));
	push(ob, "one");
	outbox_requeue_inflight(ob);            /* queued, not in flight: unchanged */
	assert_int_equal(outbox_queued(ob), 1);
	send_ack(ob, "one");
}

/* ---- ack deadlines ---- */

static int expired_again, expired_final;
static struct out_msg *given_up;

static void on_expired(void *arg, struct out_msg *m, bool final)
{
	(void)arg;
	if (final) {
		expired_final++;
		assert_null(given_up);
		given_up = m;
	} else {
		expired_again++;
	}
}

static int unanswered_done, unanswered_seen;

static void unanswered_done_cb(void *arg, const struct out_msg *m)
{
	(void)arg;
	unanswered_done++;
	unanswered_seen += m->unanswered && !m->delivered;
}

/* Runs the loop until the deadline timer has expired something. */
static void wait_expiry(int again, int final)
{
	for (int i = 0; i < 20 && (expired_again < again || expired_final < final); i++)
		if (uv_run(&loop, UV_RUN_ONCE) == 0)
			break;
	assert_int_equal(expired_again, again);
	assert_int_equal(expired_final, final);
}

/*
 * An action with no answer by its deadline goes back in front (the queue
 * behind it waits: strict order), is sent again with the same seq (ref), and
 * after the last try is handed out as unanswered; the next one then goes.
 */
static void test_deadline_resend_then_give_up(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;
	uint64_t seq;

	expired_again = expired_final = 0;
	given_up = NULL;
	unanswered_done = unanswered_seen = 0;
	outbox_set_ack_timeout(ob, 20, 3, on_expired);
	assert_int_equal(outbox_push_tracked(ob, OUT_SEND, "room", "lost", "en", NULL, unanswered_done_cb, NULL,
	    NULL), 1);
	push(ob, "behind");
	m = next_text(ob, "lost");
	seq = m->seq;
	assert_null(outbox_next(ob));           /* one in flight: "behind" waits */
	/* first deadline: back in front, the queue kicked */
	kicks = 0;
	wait_expiry(1, 0);
	assert_true(kicks > 0);
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(outbox_queued(ob), 2);
	m = next_text(ob, "lost");
	assert_int_equal(m->seq, seq);          /* the same ref */
	assert_int_equal(m->timeouts, 1);
	assert_int_equal(m->attempts, 2);
	/* the second try waits twice as long */
	assert_int_equal(m->deadline - m->sent_at, 40);
	wait_expiry(2, 0);
	m = next_text(ob, "lost");
	assert_int_equal(m->deadline - m->sent_at, 60);
	/* the third: given up, unanswered, handed out; "behind" goes next */
	wait_expiry(2, 1);
	assert_non_null(given_up);
	assert_int_equal(given_up->seq, seq);
	assert_true(given_up->unanswered);
	assert_false(given_up->delivered);
	assert_int_equal(outbox_inflight(ob), 0);
	assert_int_equal(unanswered_done, 0);   /* the callee frees it */
	outbox_msg_free(given_up);
	given_up = NULL;
	assert_int_equal(unanswered_done, 1);
	assert_int_equal(unanswered_seen, 1);
	send_ack(ob, "behind");
	assert_int_equal(outbox_queued(ob), 0);
}

/* An answer before the deadline: nothing expires. */
static void test_deadline_met(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);

	expired_again = expired_final = 0;
	outbox_set_ack_timeout(ob, 10, 3, on_expired);
	push(ob, "a");
	push(ob, "b");
	send_ack(ob, "a");
	send_ack(ob, "b");
	uv_run(&loop, UV_RUN_ONCE);             /* the deadline timer fires for nothing */
	assert_int_equal(expired_again, 0);
	assert_int_equal(expired_final, 0);
	assert_int_equal(outbox_queued(ob), 0);
	assert_int_equal(outbox_inflight(ob), 0);
}

/* With several in flight only the overdue one goes back; a later send with
 * an earlier deadline than the armed one is not missed. */
static void test_deadline_several_in_flight(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *a, *b;

	expired_again = expired_final = 0;
	outbox_set_max_inflight(ob, 4);
	outbox_set_ack_timeout(ob, 20, 2, on_expired);
	push(ob, "a");
	push(ob, "b");
	a = next_text(ob, "a");
	b = next_text(ob, "b");
	assert_true(outbox_acked(ob, b->seq));
	wait_expiry(1, 0);
	assert_int_equal(outbox_inflight(ob), 0);
	a = next_text(ob, "a");
	assert_int_equal(a->timeouts, 1);
	push(ob, "c");
	assert_non_null(next_text(ob, "c"));    /* deadline 20 ms, before a's 40 */
	wait_expiry(2, 0);
	assert_int_equal(outbox_queued(ob), 1); /* c is back; a still waits */
	assert_int_equal(outbox_inflight(ob), 1);
	assert_true(outbox_acked(ob, outbox_inflight_first(ob)->seq));
	wait_expiry(2, 0);
	send_ack(ob, "c");
}

/* An error without a ref is tied to the one action in flight: it is the first. */
static void test_inflight_first(void **state)
{
	struct outbox *ob = new_outbox(state, 100, 0);
	struct out_msg *m;

	assert_null(outbox_inflight_first(ob));
	push(ob, "a");
	m = outbox_next(ob);
	assert_ptr_equal(outbox_inflight_first(ob), m);
	assert_true(outbox_acked(ob, m->seq));
	assert_null(outbox_inflight_first(ob));
}

static void test_free_with_messages(void **state)
{
	/* queued and in-flight messages are freed with the outbox (ASan checks) */
	struct outbox *ob = new_outbox(state, 4, 0);

	outbox_push(ob, OUT_SEND, "r", "aaa bbb ccc ddd", "o", "u", "zh");
	next_text(ob, "aaa");
	outbox_hold(ob, 10000);        /* an armed timer is closed too */
	assert_int_equal(outbox_queued(ob), 3);
	assert_int_equal(outbox_inflight(ob), 1);
}

int main(void)
{
	const struct CMUnitTest split_tests[] = {
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
	const struct CMUnitTest queue_tests[] = {
		cmocka_unit_test_setup_teardown(test_push_fields_and_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_null_origin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_kicks_every_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_splits_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_send_wait_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_nothing_no_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_and_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_in_flight_until_acked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_in_flight_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_with_nothing_queued_no_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_of_queued_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_pacing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_pacing_is_sliding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_rate_zero_unpaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_goes_in_front_and_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_repeatedly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_hands_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_kicks_when_more_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_inflight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_resend_then_give_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_met, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_several_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inflight_first, setup, teardown),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("split", split_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("queue", queue_tests, NULL, NULL);
	return failed;
}
