/*
 * fuzz_mattermost_text: what the Mattermost adapter does to any text it
 * posts: @channel, @all and @here lose their power.  Checked: no ASCII "@"
 * in the result starts a channel-wide mention as Mattermost reads one (not
 * after a name character, the word not followed by one, any case), and the
 * length in runes is unchanged.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/platform/mattermost_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static size_t runes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const words[] = { "channel", "all", "here" };
	char *text = malloc(size + 1), *out;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if ((out = mattermost_neutralise(text)) != NULL) {
		for (const char *p = strchr(out, '@'); p != NULL; p = strchr(p + 1, '@')) {
			if (p > out && name_char(p[-1]))
				continue;
			for (size_t i = 0; i < 3; i++) {
				size_t n = strlen(words[i]);
				CHECK(strncasecmp(p + 1, words[i], n) != 0 || name_char(p[1 + n]));
			}
		}
		CHECK(runes(out) == runes(text));
		free(out);
	}
	free(text);
	return 0;
}
