/*
 * test_outbox_buttons: the one reader of an out_msg's buttons
 * ("<label>\t<command>" lines) that Discord, Slack and Mattermost build
 * their buttons from: limits, bad lines skipped, indexes of what is kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bot/platform/outbox.h"

struct seen {
	int n;
	char line[8][400];
};

static void collect(const struct out_button *b, void *arg)
{
	struct seen *s = arg;

	snprintf(s->line[s->n++], sizeof(s->line[0]), "%d|%s|%s", b->index, b->label, b->command);
}

static void test_reads_each_good_line(void **state)
{
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(outbox_buttons("Approve\tapprove S-1\nDeny\tdeny S-1 (denied with the button)", 5, 80, 100,
	    collect, &s), 2);
	assert_string_equal(s.line[0], "0|Approve|approve S-1");
	assert_string_equal(s.line[1], "1|Deny|deny S-1 (denied with the button)");
}

static void test_skips_bad_lines_and_keeps_counting_the_kept(void **state)
{
	struct seen s = { 0 };
	char long_label[120], text[400];

	(void)state;
	memset(long_label, 'x', sizeof(long_label) - 1);
	long_label[sizeof(long_label) - 1] = '\0';
	snprintf(text, sizeof(text), "no tab here\nEmpty\t\n%s\tack E-1\n\tack E-2\nAck\tack E-3\n", long_label);
	assert_int_equal(outbox_buttons(text, 5, 80, 100, collect, &s), 2);
	assert_string_equal(s.line[0], "0||ack E-2");          /* an empty label is the platform's to refuse */
	assert_string_equal(s.line[1], "1|Ack|ack E-3");
	assert_int_equal(outbox_buttons(NULL, 5, 80, 100, collect, &s), 0);
	assert_int_equal(outbox_buttons("", 5, 80, 100, collect, &s), 0);
}

static void test_at_most_max_and_within_the_struct(void **state)
{
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(outbox_buttons("a\t1\nb\t2\nc\t3", 2, 80, 100, collect, &s), 2);
	assert_string_equal(s.line[1], "1|b|2");
	/* limits above the struct's room are brought down to it */
	s.n = 0;
	assert_int_equal(outbox_buttons("L\tcmd", 5, 10000, 10000, collect, &s), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_each_good_line),
		cmocka_unit_test(test_skips_bad_lines_and_keeps_counting_the_kept),
		cmocka_unit_test(test_at_most_max_and_within_the_struct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
