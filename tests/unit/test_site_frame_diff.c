/*
 * test_site_frame_diff: the site's two frame readers, side by side.  Every
 * frame goes through the hot path's reader (jscan: chatter, ack, message, in
 * site.c's order) and through the cJSON reader alone.  Where the hot path
 * takes a frame, its outcome must be cJSON's, field by field; where it hands
 * the frame on, site.c reads it with cJSON, so there is nothing to differ.
 * A table of tricky frames, every truncation of a good one, then a few
 * thousand seeded mutations of good frames.
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

#include "bot/platform/site_frame.h"
#include "tests/common/site_frame_compare.h"

static int handoffs, compared;

/* Both readers on LEN bytes of JSON; fails the test, naming the frame, when they differ. */
static enum sfc_verdict check(const char *json, size_t len, const char *what)
{
	/* a copy in a heap block of its own size: a read past it shows under ASan */
	char *copy = malloc(len ? len : 1);
	struct sfc_outcome fast = { 0 }, slow = { 0 };
	const char *why;
	enum sfc_verdict v;

	assert_non_null(copy);
	memcpy(copy, json, len);
	sfc_read_fast(copy, len, &fast);
	sfc_read_slow(copy, len, &slow);
	why = sfc_disagreement(&fast, &slow);
	if (why != NULL)
		fail_msg("%s: the readers disagree (%s; hot path: %s, cJSON: %s): %.*s", what, why,
		    sfc_verdict_names[fast.v], sfc_verdict_names[slow.v], (int)len, json);
	if (fast.v == SFC_HANDOFF)
		handoffs++;
	else
		compared++;
	v = fast.v;
	sfc_outcome_free(&fast);
	sfc_outcome_free(&slow);
	free(copy);
	return v;
}

#define MSG(rest) "{\"type\":\"message\"," rest "}"
#define GOOD(rest) MSG("\"id\":\"m-1\",\"room\":\"ops\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\"}," rest)

static const char *const tricky[] = {
	/* escaped keys: cJSON decodes them and takes the first of the two */
	MSG("\"\\u0069d\":\"m-1\",\"id\":\"m-2\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!ping\""),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"\\u0069d\":\"webmaster\",\"id\":\"u1\"},\"text\":\"!ping\""),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"\\u0074ext\":\"!oncall\",\"text\":\"hello\""),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!ping\",\"\\u0064m\":true"),
	MSG("\"id\":\"m-1\",\"r\\u006fom\":\"staff\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"hi\""),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u1\",\"b\\u006ft\":true},\"text\":\"!ping\""),
	"{\"\\u0074ype\":\"ack\",\"type\":\"message\",\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"hi\"}",
	"{\"type\":\"ack\",\"\\u0072ef\":\"c9\",\"ref\":\"c5\"}",
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"hi\",\"\\\"\":1"),
	/* a key given twice: the first counts in both */
	MSG("\"id\":\"m-1\",\"id\":\"m-2\",\"room\":\"r\",\"user\":{\"id\":\"u1\",\"id\":\"u2\"},\"text\":\"!a\",\"text\":\"!b\""),
	"{\"type\":\"ack\",\"type\":\"message\",\"ref\":\"c5\",\"ref\":\"c6\"}",
	"{\"type\":\"message\",\"type\":\"ack\",\"ref\":\"c5\",\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"hi\"}",
	GOOD("\"text\":\"hi\",\"dm\":true,\"dm\":false"),
	GOOD("\"text\":\"hi\",\"user\":{\"id\":\"u9\"}"),
	GOOD("\"text\":\"hi\",\"ts\":1,\"ts\":\"x\""),
	/* escaped values */
	GOOD("\"text\":\"\\u0021ping\""),
	GOOD("\"text\":\"\\\\!ping\""),
	GOOD("\"text\":\"h\\u0069\""),
	GOOD("\"text\":\"!say \\\"hi\\\"\\n\\t\\/\\b\\f\\r\""),
	MSG("\"id\":\"m-\\u0031\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"hi\""),
	MSG("\"id\":\"\\u0000\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"hi\""),
	MSG("\"id\":\"m-1\",\"room\":\"\\u0000\",\"user\":{\"id\":\"u1\"},\"text\":\"hi\""),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"\\u0000x\"},\"text\":\"hi\""),
	GOOD("\"text\":\"a\\u0000!ping\""),
	GOOD("\"text\":\"\\ud83d\\ude00 hi\""),
	/* bad escapes and bytes: cJSON refuses a lone or reversed surrogate, an unknown escape, a short \u */
	GOOD("\"text\":\"\\ud800\""),
	GOOD("\"text\":\"\\udc00\\ud800\""),
	GOOD("\"text\":\"\\ud800\\u0041\""),
	GOOD("\"text\":\"\\q\""),
	GOOD("\"text\":\"\\u12\""),
	GOOD("\"text\":\"\\u12g4\""),
	GOOD("\"text\":\"hi\",\"extra\":\"\\x\""),
	GOOD("\"text\":\"hi\",\"extra\":\"\\ud800\""),
	GOOD("\"text\":\"\xff\xfe\xc0\xaf not UTF-8\""),
	GOOD("\"text\":\"!\xed\xa0\x80\""),
	GOOD("\"text\":\"tab\there\""),
	GOOD("\"text\":\"nul\0here\""),
	/* numbers: huge, negative, fractional, exponents, not JSON's */
	GOOD("\"text\":\"!p\",\"ts\":1e999"),
	GOOD("\"text\":\"hi\",\"ts\":1e999"),
	GOOD("\"text\":\"!p\",\"ts\":-1e999"),
	GOOD("\"text\":\"!p\",\"ts\":1e-999"),
	GOOD("\"text\":\"!p\",\"ts\":9223372036854775807"),
	GOOD("\"text\":\"!p\",\"ts\":9223372036854775808"),
	GOOD("\"text\":\"!p\",\"ts\":-9223372036854775808"),
	GOOD("\"text\":\"!p\",\"ts\":-9223372036854777856"),
	GOOD("\"text\":\"!p\",\"ts\":9223372036854774784"),
	GOOD("\"text\":\"!p\",\"ts\":123456789012345678"),
	GOOD("\"text\":\"!p\",\"ts\":9007199254740993"),
	GOOD("\"text\":\"!p\",\"ts\":999999999999999"),
	GOOD("\"text\":\"!p\",\"ts\":1700000000000.9"),
	GOOD("\"text\":\"!p\",\"ts\":-1.5"),
	GOOD("\"text\":\"!p\",\"ts\":-0"),
	GOOD("\"text\":\"!p\",\"ts\":1.7E12"),
	GOOD("\"text\":\"!p\",\"ts\":1e+3"),
	GOOD("\"text\":\"!p\",\"ts\":01"),
	GOOD("\"text\":\"!p\",\"ts\":1."),
	GOOD("\"text\":\"!p\",\"ts\":.5"),
	GOOD("\"text\":\"!p\",\"ts\":+1"),
	GOOD("\"text\":\"!p\",\"ts\":1e"),
	GOOD("\"text\":\"!p\",\"ts\":1-2"),
	GOOD("\"text\":\"!p\",\"ts\":0x10"),
	GOOD("\"text\":\"!p\",\"ts\":NaN"),
	GOOD("\"text\":\"!p\",\"ts\":-Infinity"),
	GOOD("\"text\":\"!p\",\"ts\":1000000000000000000000000000000000000000000000000000000000000001"),
	GOOD("\"text\":\"!p\",\"ts\":100000000000000000000000000000000000000000000000000000000000001"),
	GOOD("\"text\":\"hi\",\"n\":100000000000000000000000000000000000000000000000000000000000000001"),
	GOOD("\"text\":\"hi\",\"n\":1-2"),
	GOOD("\"text\":\"hi\",\"n\":[1.5e3,-0,0.25,01]"),
	/* nested objects with the same key names are not the frame's */
	GOOD("\"text\":\"hi\",\"extra\":{\"id\":\"x\",\"type\":\"ack\",\"text\":\"!no\",\"dm\":true}"),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"user\":{\"id\":\"u2\"},\"id\":\"u1\"},\"text\":\"hi\""),
	MSG("\"extra\":[{\"id\":\"m-0\"}],\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!x\""),
	/* broken structure where nobody reads: cJSON refuses the frame, so must the hot path */
	GOOD("\"text\":\"hi\",\"x\":[1,2}"),
	GOOD("\"text\":\"hi\",\"x\":{\"a\":1,}"),
	GOOD("\"text\":\"hi\",\"x\":[1 2]"),
	GOOD("\"text\":\"hi\",\"x\":{\"a\" 1}"),
	GOOD("\"text\":\"hi\",\"x\":{1:2}"),
	GOOD("\"text\":\"hi\",\"x\":[,]"),
	GOOD("\"text\":\"hi\",\"x\":[tru]"),
	GOOD("\"text\":\"hi\",\"x\":{\"a\":nul}"),
	GOOD("\"text\":\"hi\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
	GOOD("\"text\":\"hi\",\"x\":[[[[]]],\"y\":{\"a\":{\"b\":[{}]}}"),
	/* the fields the daemon reads, wrong */
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"text\":\"hello\""),
	MSG("\"id\":\"m-1\",\"user\":{\"id\":\"u1\"},\"text\":\"hello\""),
	MSG("\"id\":\"m-1\",\"room\":\"\",\"user\":{\"id\":\"u1\"},\"text\":\"hello\""),
	GOOD("\"text\":\"hello\",\"dm\":null"),
	GOOD("\"text\":\"hello\",\"dm\":\"false\""),
	GOOD("\"text\":\"hello\",\"ts\":\"1\""),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u1\",\"bot\":\"no\"},\"text\":\"hello\""),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u1\",\"bot\":true},\"text\":\"hello\""),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":[\"u1\"],\"text\":\"hello\""),
	MSG("\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":7},\"text\":\"hello\""),
	/* outside the object */
	GOOD("\"text\":\"hi\"") "x",
	GOOD("\"text\":\"hi\"") " \n",
	"\x0c" GOOD("\"text\":\"hi\""),
	"[" GOOD("\"text\":\"hi\"") "]",
	"",
	"{}",
	"null",
};

static void test_tricky_frames(void **state)
{
	char what[32];

	(void)state;
	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		snprintf(what, sizeof(what), "frame %zu", i);
		/* the NUL case is the only one with a NUL inside: its length is the literal's */
		check(tricky[i], strlen(tricky[i]), what);
	}
	check(GOOD("\"text\":\"nul\0here\""), sizeof(GOOD("\"text\":\"nul\0here\"")) - 1, "a raw NUL");
}

/* What the hot path must still take itself: the shortcut is not lost. */
static void test_good_frames_stay_on_the_hot_path(void **state)
{
	(void)state;
	assert_int_equal(check(GOOD("\"text\":\"hello\",\"ts\":1763800000123,\"dm\":false"),
	    strlen(GOOD("\"text\":\"hello\",\"ts\":1763800000123,\"dm\":false")), "chatter"), SFC_CHATTER);
	assert_int_equal(check(GOOD("\"text\":\"!ping\""), strlen(GOOD("\"text\":\"!ping\"")), "command"), SFC_MESSAGE);
	assert_int_equal(check(GOOD("\"text\":\"hi \\\"you\\\"\""), strlen(GOOD("\"text\":\"hi \\\"you\\\"\"")),
	    "chatter with an escape"), SFC_CHATTER);
	assert_int_equal(check("{\"type\":\"ack\",\"ref\":\"c17\"}", strlen("{\"type\":\"ack\",\"ref\":\"c17\"}"), "ack"),
	    SFC_ACK);
}

/* Where the readers must not only agree but say this. */
static void test_named_outcomes(void **state)
{
	static const struct { const char *json; enum sfc_verdict v; const char *bad; } cases[] = {
		/* the first of two keys counts: taken, read as m-1 by both */
		{ MSG("\"id\":\"m-1\",\"id\":\"m-2\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!a\""), SFC_MESSAGE, NULL },
		/* an escaped key: handed on whole */
		{ MSG("\"\\u0069d\":\"m-1\",\"id\":\"m-2\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!p\""), SFC_HANDOFF, NULL },
		/* a text that decodes to a command is never chatter */
		{ GOOD("\"text\":\"\\u0021ping\""), SFC_HANDOFF, NULL },
		/* a chatty frame without user.id is a bad frame, not chatter */
		{ MSG("\"id\":\"m-1\",\"room\":\"r\",\"text\":\"hello\""), SFC_MESSAGE, "message without user.id" },
		/* a ts no int64 holds is a bad frame on both paths */
		{ GOOD("\"text\":\"!p\",\"ts\":1e999"), SFC_MESSAGE, "ts is out of range" },
		{ GOOD("\"text\":\"hi\",\"ts\":-9223372036854777856"), SFC_MESSAGE, "ts is out of range" },
		{ GOOD("\"text\":\"!p\",\"ts\":-9223372036854775808"), SFC_MESSAGE, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].json);
		struct sfc_outcome fast = { 0 }, slow = { 0 };
		char what[32];

		snprintf(what, sizeof(what), "named case %zu", i);
		if (check(cases[i].json, len, what) != cases[i].v)
			fail_msg("%s: not %s: %s", what, sfc_verdict_names[cases[i].v], cases[i].json);
		sfc_read_fast(cases[i].json, len, &fast);
		sfc_read_slow(cases[i].json, len, &slow);
		assert_int_equal(slow.v, SFC_MESSAGE);
		if (!sfc_same_str(site_message_bad(&slow.m), cases[i].bad))
			fail_msg("%s: cJSON's verdict is \"%s\": %s", what, site_message_bad(&slow.m), cases[i].json);
		sfc_outcome_free(&fast);
		sfc_outcome_free(&slow);
	}
}

static const char *const seeds[] = {
	"{\"type\":\"message\",\"id\":\"m-1043\",\"room\":\"lobby\",\"user\":{\"id\":\"u42\",\"name\":\"Lina\",\"bot\":false},"
	"\"text\":\"!complain the music bot is too loud\",\"ts\":1763800000123,\"dm\":false}",
	"{\"type\":\"message\",\"id\":\"m-7\",\"room\":\"ops\",\"user\":{\"id\":\"u7\",\"name\":\"B\\u00e9a\"},"
	"\"text\":\"hello \\\"all\\\"\",\"ts\":1.7e12,\"extra\":[1,{\"id\":\"x\"},null,true],\"dm\":false}",
	"{\"type\":\"ack\",\"ref\":\"c17\",\"id\":\"m-1044\"}",
};

static void test_every_truncation(void **state)
{
	char what[48];

	(void)state;
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++)
		for (size_t n = 0; n <= strlen(seeds[s]); n++) {
			snprintf(what, sizeof(what), "seed %zu cut at %zu", s, n);
			check(seeds[s], n, what);
		}
}

static uint64_t rng = 0x9e3779b97f4a7c15u;      /* fixed: every run tries the same frames */

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

/* The bytes JSON's structure turns on, more often than any other. */
static char pick_byte(void)
{
	static const char telling[] = "\"\\{}[]:,0123456789-+.eEuUdD tfnlrsa!\n";

	return next_rand() % 4 == 0 ? (char)(next_rand() & 0xff) : telling[next_rand() % (sizeof(telling) - 1)];
}

static void test_mutations(void **state)
{
	enum { ROUNDS = 6000, MAXLEN = 512 };
	char buf[MAXLEN], what[48];

	(void)state;
	handoffs = compared = 0;
	for (int r = 0; r < ROUNDS; r++) {
		const char *seed = seeds[next_rand() % (sizeof(seeds) / sizeof(seeds[0]))];
		size_t len = strlen(seed);
		int edits = 1 + (int)(next_rand() % 4);

		memcpy(buf, seed, len);
		for (int e = 0; e < edits; e++) {
			size_t at = len ? next_rand() % len : 0;
			switch (next_rand() % 3) {
			case 0:         /* flip */
				if (len > 0)
					buf[at] = pick_byte();
				break;
			case 1:         /* insert */
				if (len < MAXLEN) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = pick_byte();
					len++;
				}
				break;
			default:        /* delete */
				if (len > 0) {
					memmove(buf + at, buf + at + 1, len - at - 1);
					len--;
				}
				break;
			}
		}
		snprintf(what, sizeof(what), "mutation %d", r);
		check(buf, len, what);
	}
	/* both kinds happened: the loop did compare, and did hand frames on */
	print_message("%d mutated frames: %d taken by the hot path and compared, %d handed to cJSON\n",
	    ROUNDS, compared, handoffs);
	assert_true(compared > ROUNDS / 10);
	assert_true(handoffs > ROUNDS / 10);
}

/* The conversion every numeric field goes through, on both paths. */
static void test_ms_range(void **state)
{
	int64_t ms;

	(void)state;
	assert_true(site_frame_ms(1763800000123.0, &ms));
	assert_true(ms == 1763800000123);
	assert_true(site_frame_ms(-1.9, &ms));
	assert_true(ms == -1);
	assert_true(site_frame_ms(-0x1p63, &ms));
	assert_true(ms == INT64_MIN);
	assert_true(site_frame_ms(0x1p63 - 1024, &ms));
	assert_true(ms == INT64_MAX - 1023);
	assert_false(site_frame_ms(0x1p63, &ms));
	assert_true(ms == 0);
	assert_false(site_frame_ms(-0x1p63 - 2048, &ms));
	assert_false(site_frame_ms(1e300, &ms));
	assert_false(site_frame_ms(strtod("inf", NULL), &ms));
	assert_false(site_frame_ms(strtod("-inf", NULL), &ms));
	assert_false(site_frame_ms(strtod("nan", NULL), &ms));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tricky_frames),
		cmocka_unit_test(test_good_frames_stay_on_the_hot_path),
		cmocka_unit_test(test_named_outcomes),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_ms_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
