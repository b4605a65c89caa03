/*
 * fuzz_parse: the command parser on any line.  Beyond ASan/UBSan, what the
 * handlers rely on is checked: every word and offset lies inside the line,
 * options have their '=', and the accessors never step past argc.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bot/chat/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct parsed p;
	size_t len;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);     /* a chat line never holds a NUL: the platforms' readers stop there */
	memset(&p, 0, sizeof(p));
	if (parse_command(text, &p) == PARSE_OK) {
		CHECK(p.argc >= 1 && p.argc <= PARSE_MAX_WORDS);
		for (int i = 0; i < p.argc; i++) {
			CHECK(p.argv[i] != NULL);
			CHECK(p.offset[i] <= len);
			CHECK(strlen(parse_rest(&p, i)) <= len);
			CHECK(!p.is_option[i] || strchr(p.argv[i], '=') != NULL);
		}
		CHECK(strcmp(parse_rest(&p, p.argc), "") == 0);
		CHECK(parse_positional_count(&p) <= p.argc);
		CHECK(parse_positional(&p, parse_positional_count(&p)) == NULL);
		(void)parse_option(&p, "reason");
	}
	parse_free(&p);
	free(text);
	return 0;
}
