/*
 * test_catalog_json: a catalog text filled from a script's JSON parameters.
 * Strings are themselves or the message they name, in the reader's
 * language; a nested {"msg": ...} is that message; an array is a list
 * joined by ", "; {"lines": [...]} one item per line; a value that is no
 * message name stays as written (text from chat is never taken for one).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bot/catalog_json.h"

static void render(const char *lang, enum msg_id id, const char *json, char *out, size_t n)
{
	cJSON *j = cJSON_Parse(json);

	assert_non_null(j);
	catalog_format_json(out, n, lang, id, j);
	cJSON_Delete(j);
}

static void test_strings_and_message_names(void **state)
{
	char out[512];

	(void)state;
	render("en", MSG_ATTENDANCE_LINE, "{\"name\":\"Mia\",\"hours\":\"4:15\",\"late\":\"0\",\"warnings\":\"\","
	    "\"mark\":\"MSG_ATTENDANCE_OK\"}", out, sizeof(out));
	assert_string_equal(out, "Mia: 4:15, late check-ins: 0 — minimum reached");
	render("de", MSG_ATTENDANCE_LINE, "{\"name\":\"Mia\",\"hours\":\"4:15\",\"late\":\"0\",\"warnings\":\"\","
	    "\"mark\":\"MSG_ATTENDANCE_OK\"}", out, sizeof(out));
	assert_string_equal(out, "Mia: 4:15, verspätete Einstempelungen: 0 — Minimum erreicht");
	/* not a message name: as written */
	render("en", MSG_REPORT_NO_TOPIC, "{\"n\":\"MSG_NO_SUCH_THING\"}", out, sizeof(out));
	assert_string_equal(out, "no topic MSG_NO_SUCH_THING");
}

static void test_nested_lists_and_lines(void **state)
{
	char out[512];
	const char *agents = "{\"lines\":["
	    "{\"msg\":\"MSG_REPORT_AGENT\",\"name\":\"Tom\",\"handled\":\"1\",\"median\":\"1m 00s\",\"rating\":\"5.0\"},"
	    "{\"msg\":\"MSG_REPORT_AGENT\",\"name\":\"Mia\",\"handled\":\"0\",\"median\":\"MSG_REPORT_NO_RESPONSE\","
	    "\"rating\":\"MSG_REPORT_NO_RATING\"}]}";

	(void)state;
	render("en", MSG_REPORT_NO_TOPIC, "{\"n\":\"3\"}", out, sizeof(out));
	assert_string_equal(out, "no topic 3");
	render("en", MSG_REPORT_TOPICS, "{\"topics\":[\"billing 2\",{\"msg\":\"MSG_REPORT_NO_TOPIC\",\"n\":\"1\"}]}",
	    out, sizeof(out));
	assert_string_equal(out, "\nBy topic: billing 2, no topic 1");
	render("zh", MSG_REPORT_TOPICS, "{\"topics\":[\"billing 2\",{\"msg\":\"MSG_REPORT_NO_TOPIC\",\"n\":\"1\"}]}",
	    out, sizeof(out));
	assert_string_equal(out, "\n按主题：billing 2, 无主题 1");
	render("en", MSG_REPORT_AGENTS, agents, out, sizeof(out));
	assert_string_equal(out, "\nAgents:\nTom: 1 handled, median response: 1m 00s, rating: 5.0\n"
	    "Mia: 0 handled, median response: none yet, rating: none yet");
	render("es", MSG_REPORT_AGENTS, agents, out, sizeof(out));
	assert_string_equal(out, "\nAgentes:\nTom: 1 resueltas, mediana de respuesta: 1m 00s, valoración: 5.0\n"
	    "Mia: 0 resueltas, mediana de respuesta: aún ninguna, valoración: aún ninguna");
}

static void test_list_with_a_separator(void **state)
{
	char out[512];
	const char *best = "{\"period\":\"2026-03\",\"best\":{\"list\":[{\"msg\":\"MSG_EVALUATION_LINE\",\"name\":\"Sara\","
	    "\"score\":\"0.90\",\"att\":\"1.00\",\"lat\":\"0.50\",\"com\":\"1.00\",\"res\":\"0.50\",\"rat\":\"1.00\"},\"Ana\"],"
	    "\"sep\":\"MSG_EVALUATION_SEP\"},\"worst\":\"Tom\"}";

	(void)state;
	render("en", MSG_EVALUATION, best, out, sizeof(out));
	assert_string_equal(out, "Evaluation 2026-03\nBest: Sara: 0.90 (attendance 1.00, lateness 0.50, complaints 1.00, "
	    "response 0.50, ratings 1.00); Ana\nWorst: Tom");
	render("zh", MSG_EVALUATION, best, out, sizeof(out));
	assert_string_equal(out, "评估 2026-03\n最佳：Sara：0.90（出勤 1.00，守时 0.50，投诉处理 1.00，回复速度 0.50，评分 1.00）；Ana\n最差：Tom");
}

static void test_cut_to_the_buffer(void **state)
{
	char out[16];

	(void)state;
	render("en", MSG_REPORT_TOPICS, "{\"topics\":[\"billing 2\",\"tech 1\",\"shop 4\"]}", out, sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_memory_equal(out, "\nBy topic: bill", sizeof(out) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_and_message_names),
		cmocka_unit_test(test_nested_lists_and_lines),
		cmocka_unit_test(test_list_with_a_separator),
		cmocka_unit_test(test_cut_to_the_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
