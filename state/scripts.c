/*
 * scripts: from a line of an embedded script back to its .lua file, through
 * the line map the build wrote beside each text (state/embed_scripts.cmake).
 */
#include "state/scripts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *state_script_where(const struct state_script_source *s, const char *err, char *buf, size_t n)
{
	static const char mark[] = "user_script:";
	const char *at = err != NULL ? strstr(err, mark) : NULL;
	const struct state_script_line *piece = NULL;
	unsigned long line;
	char *end;

	buf[0] = '\0';
	if (at == NULL || s == NULL)
		return buf;
	line = strtoul(at + sizeof(mark) - 1, &end, 10);
	if (end == at + sizeof(mark) - 1 || line == 0)
		return buf;
	for (unsigned i = 0; i < s->n_lines && s->lines[i].from <= line; i++)
		piece = &s->lines[i];
	if (piece != NULL)
		snprintf(buf, n, " (at %s:%lu)", piece->file, piece->file_line + (line - piece->from));
	return buf;
}
