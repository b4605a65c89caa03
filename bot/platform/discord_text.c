/*
 * discord_text: what Discord's markdown would make of text the bot echoes.
 * Mentions are handled by allowed_mentions (discord_out.c); what is left is
 * markup that changes what a reader sees: a masked link ("[the roster](url)")
 * hides where it leads, and a heading ("# ", "-# ") makes a line shout or
 * whisper.  The bot's own words use neither, so in any text going out the
 * "]" of a "](" and a line's leading "#" become their full-width twins: they
 * read the same, Discord renders them as plain text, and the length in runes
 * (the 2,000 the outbox splits at) stays the same.
 */
#include "bot/platform/discord_private.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FULLWIDTH_BRACKET "\xef\xbc\xbd"        /* U+FF3D FULLWIDTH RIGHT SQUARE BRACKET */
#define FULLWIDTH_HASH "\xef\xbc\x83"           /* U+FF03 FULLWIDTH NUMBER SIGN */

/* Where a heading's "#" would be on the line starting at P: after spaces and
 * block-quote markers ("> ", ">>> "), and after the "-" of subtext. */
static const char *heading_hash(const char *p)
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
	return *p == '#' ? p : NULL;
}

/* Whether the byte at P (in TEXT) is changed; LINE_HASH is the heading "#"
 * of the current line, if any. */
static bool changed(const char *p, const char *line_hash)
{
	return p == line_hash || (*p == ']' && p[1] == '(');
}

char *discord_neutralise(const char *text)
{
	const char *hash = heading_hash(text);
	size_t extra = 0;
	char *out, *o;

	for (const char *p = text; *p; p++) {
		if (changed(p, hash))
			extra += 2;
		if (*p == '\n')
			hash = heading_hash(p + 1);
	}
	if ((out = malloc(strlen(text) + extra + 1)) == NULL)
		return NULL;
	o = out;
	hash = heading_hash(text);
	for (const char *p = text; *p; p++) {
		if (changed(p, hash)) {
			memcpy(o, *p == '#' ? FULLWIDTH_HASH : FULLWIDTH_BRACKET, 3);
			o += 3;
		} else {
			*o++ = *p;
		}
		if (*p == '\n')
			hash = heading_hash(p + 1);
	}
	*o = '\0';
	return out;
}
