/*
 * fuzz_discord_text: what the Discord adapter does to any text it posts:
 * no masked link and no heading survive.  Checked: no "](" in the result,
 * no line whose first character after spaces, quote markers and a subtext
 * "-" is "#", and the length in runes is unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bot/platform/discord_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static size_t runes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void check_line(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '>')
			break;
		while (*p == '>')
			p++;
	}
	if (*p == '-')
		p++;
	CHECK(*p != '#');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *out;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if ((out = discord_neutralise(text)) != NULL) {
		CHECK(strstr(out, "](") == NULL);
		check_line(out);
		for (const char *p = strchr(out, '\n'); p != NULL; p = strchr(p + 1, '\n'))
			check_line(p + 1);
		CHECK(runes(out) == runes(text));
		free(out);
	}
	free(text);
	return 0;
}
