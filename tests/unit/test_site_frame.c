/*
 * test_site_frame: the site's message and ack frames read with jscan give
 * what cJSON gives.  Every frame of the corpus goes through both readers; where
 * the jscan reader takes a frame, its struct site_message (every string, every
 * kind, ts) and site_message_bad()'s verdict must equal the cJSON reader's.
 * Frames it must leave to cJSON (escapes, odd numbers) are named.
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

static void assert_same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same(const struct site_message *a, const struct site_message *b)
{
	assert_same_str(a->id, b->id);
	assert_same_str(a->text, b->text);
	assert_int_equal(a->text_len, b->text_len);
	assert_same_str(a->room, b->room);
	assert_int_equal(a->user_is_object, b->user_is_object);
	assert_same_str(a->user_id, b->user_id);
	assert_same_str(a->user_name, b->user_name);
	assert_int_equal(a->dm, b->dm);
	assert_int_equal(a->bot, b->bot);
	assert_int_equal(a->ts, b->ts);
	assert_int_equal(a->ts_ms, b->ts_ms);
	assert_same_str(site_message_bad(a), site_message_bad(b));
}

/* Both readers on JSON; returns whether the jscan reader took it. */
static bool both(const char *json, struct site_message *fast)
{
	/* the frame in a heap block of its own size: a read past it shows under ASan */
	size_t len = strlen(json);
	char *copy = malloc(len ? len : 1), *scratch = NULL;
	size_t cap = 0;
	struct site_frame fr;
	struct site_message slow;
	cJSON *f;
	bool took;

	assert_non_null(copy);
	memcpy(copy, json, len);
	memset(&fr, 0xa5, sizeof(fr));  /* nothing may be read that the scan did not write */
	site_frame_scan(copy, len, &fr);
	assert_int_equal(fr.kind, SITE_FRAME_MESSAGE);
	took = site_frame_message(&fr, &scratch, &cap, fast) == 0;
	f = cJSON_ParseWithLength(json, len);
	assert_non_null(f);
	site_message_from_cjson(f, &slow);
	if (took) {
		assert_same(fast, &slow);
		/* the strings live in the scratch, not in the frame */
		free(copy);
		copy = NULL;
		assert_same(fast, &slow);
	}
	cJSON_Delete(f);
	free(copy);
	free(scratch);
	return took;
}

static const char *const taken[] = {
	"{\"type\":\"message\",\"id\":\"m-1043\",\"room\":\"lobby\",\"user\":{\"id\":\"u42\",\"name\":\"Lina\",\"bot\":false},"
	"\"text\":\"!complain the music bot is too loud\",\"ts\":1763800000123,\"dm\":false}",
	"{\"type\":\"message\",\"id\":\"m-1\",\"user\":{\"id\":\"u1\",\"name\":\"Mia\"},\"text\":\"!ping\",\"dm\":true}",
	/* keys in another order, blanks everywhere, unknown fields with nested values */
	" { \"text\" : \"!whoami\" , \"user\" : { \"name\" : \"Ádám\" , \"x\" : [1,{\"id\":\"no\"}], \"id\" : \"u7\" } ,"
	" \"extra\" : {\"id\":\"m-0\",\"text\":\"!no\"} , \"id\" : \"m-7\" , \"room\" : \"ops\" , \"type\" : \"message\" } ",
	/* malformed in the fields the daemon reads: both readers must agree on why */
	"{\"type\":\"message\",\"room\":\"lobby\",\"user\":{\"id\":\"u1\"},\"text\":\"!ping\"}",
	"{\"type\":\"message\",\"id\":\"\",\"room\":\"lobby\",\"user\":{\"id\":\"u1\"},\"text\":\"!ping\"}",
	"{\"type\":\"message\",\"id\":7,\"room\":\"lobby\",\"user\":{\"id\":\"u1\"},\"text\":\"!ping\"}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"lobby\",\"user\":\"u1\",\"text\":\"!ping\"}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"lobby\",\"user\":{\"id\":\"\"},\"text\":\"!ping\"}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"lobby\",\"user\":{\"id\":\"u1\"},\"text\":null}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"lobby\",\"user\":{\"id\":\"u1\"},\"text\":\"!x\",\"dm\":\"yes\"}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"lobby\",\"user\":{\"id\":\"u1\"},\"text\":\"!x\",\"dm\":null}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"user\":{\"id\":\"u1\"},\"text\":\"!x\",\"dm\":false}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"\",\"user\":{\"id\":\"u1\"},\"text\":\"!x\"}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"r\",\"user\":{\"id\":\"u1\",\"bot\":1},\"text\":\"!x\"}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"r\",\"user\":{\"id\":\"u1\",\"bot\":true},\"text\":\"!x\"}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!x\",\"ts\":\"today\"}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!x\",\"ts\":-12.5e2}",
	"{\"type\":\"message\",\"id\":\"m-2\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"\"}",
	/* a key given twice: the first counts in both */
	"{\"type\":\"message\",\"id\":\"m-3\",\"id\":\"m-4\",\"room\":\"r\",\"user\":{\"id\":\"u1\",\"id\":\"u2\"},\"text\":\"!a\",\"text\":\"!b\"}",
	/* UTF-8 passes through untouched */
	"{\"type\":\"message\",\"id\":\"m-5\",\"room\":\"大厅\",\"user\":{\"id\":\"u5\",\"name\":\"李娜\"},\"text\":\"!lang 中文\"}",
};

static void test_fast_reader_agrees_with_cjson(void **state)
{
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		struct site_message m;
		if (!both(taken[i], &m))
			fail_msg("frame %zu was left to cJSON: %s", i, taken[i]);
	}
}

static const char *const left_to_cjson[] = {
	/* escapes: cJSON decodes them, jscan would not */
	"{\"type\":\"message\",\"id\":\"m-6\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!say \\\"hi\\\"\"}",
	"{\"type\":\"message\",\"id\":\"m-6\",\"room\":\"r\",\"user\":{\"id\":\"u1\",\"name\":\"L\\u00e9a\"},\"text\":\"!ping\"}",
	"{\"type\":\"message\",\"id\":\"m-\\u0036\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!ping\"}",
	"{\"type\":\"message\",\"id\":\"m-6\",\"room\":\"r\\n\",\"user\":{\"id\":\"u1\"},\"text\":\"!ping\"}",
	/* a number strtod would not read whole */
	"{\"type\":\"message\",\"id\":\"m-6\",\"room\":\"r\",\"user\":{\"id\":\"u1\"},\"text\":\"!ping\",\"ts\":1-2}",
};

static void test_escapes_and_odd_numbers_left_to_cjson(void **state)
{
	for (size_t i = 0; i < sizeof(left_to_cjson) / sizeof(left_to_cjson[0]); i++) {
		size_t len = strlen(left_to_cjson[i]);
		struct site_frame fr;
		struct site_message m;
		char *scratch = NULL;
		size_t cap = 0;

		/* refused by the scan (a number out of JSON's grammar) or by the message reader */
		site_frame_scan(left_to_cjson[i], len, &fr);
		if (fr.kind == SITE_FRAME_MESSAGE && site_frame_message(&fr, &scratch, &cap, &m) == 0)
			fail_msg("frame %zu was taken: %s", i, left_to_cjson[i]);
		free(scratch);
	}
}

static void test_ack_frames(void **state)
{
	static const struct { const char *json; enum site_frame_kind kind; uint64_t seq; } cases[] = {
		{ "{\"type\":\"ack\",\"ref\":\"c17\",\"id\":\"m-1044\"}", SITE_FRAME_ACK, 17 },
		{ "{\"ref\":\"c18446744073709551615\",\"type\":\"ack\"}", SITE_FRAME_ACK, UINT64_MAX },
		/* not ours, or not readable here: cJSON's path logs them */
		{ "{\"type\":\"ack\",\"ref\":\"x17\"}", SITE_FRAME_OTHER, 0 },
		{ "{\"type\":\"ack\",\"ref\":\"c\"}", SITE_FRAME_OTHER, 0 },
		{ "{\"type\":\"ack\",\"ref\":\"c1x\"}", SITE_FRAME_OTHER, 0 },
		{ "{\"type\":\"ack\",\"ref\":\"c-1\"}", SITE_FRAME_OTHER, 0 },
		{ "{\"type\":\"ack\",\"ref\":\"c18446744073709551616\"}", SITE_FRAME_OTHER, 0 },
		{ "{\"type\":\"ack\",\"ref\":17}", SITE_FRAME_OTHER, 0 },
		{ "{\"type\":\"ack\"}", SITE_FRAME_OTHER, 0 },
		{ "{\"type\":\"ack\",\"ref\":\"c\\u0031\"}", SITE_FRAME_OTHER, 0 },
		{ "{\"type\":\"error\",\"ref\":\"c17\",\"code\":\"rate_limited\"}", SITE_FRAME_OTHER, 0 },
		{ "{\"type\":\"ack\",\"ref\":\"c17\"", SITE_FRAME_OTHER, 0 },
		{ "[\"ack\"]", SITE_FRAME_OTHER, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct site_frame fr;
		site_frame_scan(cases[i].json, strlen(cases[i].json), &fr);
		if (fr.kind != cases[i].kind)
			fail_msg("case %zu: kind %d, expected %d: %s", i, fr.kind, cases[i].kind, cases[i].json);
		if (fr.kind == SITE_FRAME_ACK)
			assert_true(fr.ack_seq == cases[i].seq);
	}
}

static void test_chatter(void **state)
{
	static const struct { const char *json; bool chatter; } cases[] = {
		{ "{\"type\":\"message\",\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u\"},\"text\":\"hello\"}", true },
		{ "{\"type\":\"message\",\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u\"},\"text\":\"\"}", true },
		{ "{\"type\":\"message\",\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u\"},\"text\":\"!ping\"}", false },
		{ "{\"type\":\"message\",\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u\"},\"text\":\"!\"}", false },
		/* a DM is always a command */
		{ "{\"type\":\"message\",\"id\":\"m-1\",\"user\":{\"id\":\"u\"},\"text\":\"hello\",\"dm\":true}", false },
		/* no usable id: the full reader decides */
		{ "{\"type\":\"message\",\"id\":\"m-\\u0031\",\"room\":\"r\",\"user\":{\"id\":\"u\"},\"text\":\"hi\"}", false },
		{ "{\"type\":\"message\",\"room\":\"r\",\"user\":{\"id\":\"u\"},\"text\":\"hi\"}", false },
		{ "{\"type\":\"message\",\"id\":\"m-1\",\"room\":\"r\",\"user\":{\"id\":\"u\"},\"text\":5}", false },
		{ "{\"type\":\"presence\",\"id\":\"m-1\",\"text\":\"hi\"}", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct site_frame fr;
		site_frame_scan(cases[i].json, strlen(cases[i].json), &fr);
		if (site_frame_is_chatter(&fr, "!", 1) != cases[i].chatter)
			fail_msg("case %zu: chatter should be %d: %s", i, cases[i].chatter, cases[i].json);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_reader_agrees_with_cjson),
		cmocka_unit_test(test_escapes_and_odd_numbers_left_to_cjson),
		cmocka_unit_test(test_ack_frames),
		cmocka_unit_test(test_chatter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
