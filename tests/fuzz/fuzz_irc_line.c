/*
 * fuzz_irc_line: the IRC adapter's text work on any bytes: a line read from
 * the server (tags, prefix, parameters), what people type cleaned, what the
 * bot says cut into lines, hostmasks matched.  Checked: parameters within
 * the bound; the cut pieces each fit, hold no CR, LF or NUL, never start or
 * end inside a UTF-8 character of valid input; a mask matches itself.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bot/platform/irc_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

struct cut {
	size_t max;
	bool utf8_ok;
};

static bool utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (len == 0 || i + len > n)
			return false;
		for (size_t k = 1; k < len; k++)
			if (((unsigned char)s[i + k] >> 6) != 2)
				return false;
		i += len;
	}
	return true;
}

static void on_piece(const char *piece, size_t len, void *arg)
{
	const struct cut *c = arg;

	CHECK(len > 0 && len <= c->max);
	CHECK(memchr(piece, '\r', len) == NULL && memchr(piece, '\n', len) == NULL);
	CHECK(memchr(piece, '\0', len) == NULL);
	CHECK(memchr(piece, '\x01', len) == NULL);
	if (c->utf8_ok)
		CHECK(utf8_valid(piece, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), *copy = malloc(size + 1), tag[64], cmd[32];
	struct irc_msg m;
	struct cut c;

	if (line == NULL || copy == NULL) {
		free(line);
		free(copy);
		return 0;
	}
	memcpy(line, data, size);
	line[size] = '\0';
	memcpy(copy, line, size + 1);
	if (irc_line_parse(line, &m) == 0) {
		CHECK(m.cmd != NULL && m.nparams >= 0 && m.nparams <= IRC_LINE_PARAMS_MAX);
		for (int i = 0; i < m.nparams; i++)
			CHECK(m.params[i] != NULL);
		(void)irc_line_tag(&m, "account", tag, sizeof(tag));
		if (m.nparams > 0) {
			size_t before = strlen(m.params[m.nparams - 1]);
			CHECK(irc_line_strip(m.params[m.nparams - 1]) <= before);
			(void)irc_line_ctcp(m.params[m.nparams - 1], cmd, sizeof(cmd));
		}
	}
	c.utf8_ok = utf8_valid(copy, strlen(copy));
	for (size_t max = 4; max <= 512; max *= 8) {
		c.max = max;
		(void)irc_line_split(copy, max, on_piece, &c);
	}
	/* a mask with no wildcard matches itself, case folded */
	if (strchr(copy, '*') == NULL && strchr(copy, '?') == NULL && strlen(copy) < 200)
		CHECK(irc_line_mask_match(copy, copy));
	(void)irc_line_mask_match(copy, "mia!mia@staff.example.org");
	free(line);
	free(copy);
	return 0;
}
