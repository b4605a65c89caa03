/*
 * fuzz_notify_check: the checks a system notification passes before it is
 * sent, on any text.  Checked: never more problems than the array holds,
 * every position inside the text (1-based, in characters), every detail a
 * terminated string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/notify_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = { "example.org", "help.example.org" };
	const struct notify_rules rules[] = {
		{ .tag = "[Notice]", .max_length = 500, .link_hosts = hosts, .n_link_hosts = 2 },
		{ .tag = "", .max_length = 0, .link_hosts = NULL, .n_link_hosts = 0 },
		{ .tag = "【系统通知】", .max_length = 3, .link_hosts = hosts, .n_link_hosts = 1 },
	};
	struct notify_problem out[NOTIFY_MAX_PROBLEMS];
	char *text = malloc(size + 1);
	size_t len;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		size_t n = notify_check(text, &rules[r], out);

		CHECK(n <= NOTIFY_MAX_PROBLEMS);
		for (size_t i = 0; i < n; i++) {
			CHECK(out[i].pos <= len + 1);
			CHECK(memchr(out[i].detail, '\0', sizeof(out[i].detail)) != NULL);
		}
	}
	free(text);
	return 0;
}
