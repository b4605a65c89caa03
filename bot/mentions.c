/*
 * mentions: finding "<@id>" in a command and writing the known ones as
 * "@<staff id>" (see mentions.h).
 */
#include "bot/mentions.h"

#include <stdlib.h>
#include <string.h>

#define STAFF_ID_MAX 62

size_t mentions_find(const char *text, struct mention *m, size_t max)
{
	size_t n = 0;
	const char *p = strstr(text, "<@");

	while (p != NULL && n < max) {
		const char *id = p + 2 + (p[2] == '!'), *end = id, *close;
		while (*end && *end != '>' && *end != '|' && *end != ' ' && *end != '<')
			end++;
		/* Slack's "<@U123|name>": the label ends at the first '>', and holds
		 * no '<' (Slack escapes it), so a mention never swallows the words
		 * and the mentions after it */
		close = *end == '|' ? end + strcspn(end, "<>") : end;
		if (end == id || (size_t)(end - id) >= sizeof(m[n].id) || *close != '>') {
			p = strstr(p + 2, "<@");
			continue;
		}
		m[n].at = (size_t)(p - text);
		m[n].len = (size_t)(close - p) + 1;
		memcpy(m[n].id, id, (size_t)(end - id));
		m[n].id[end - id] = '\0';
		n++;
		p = strstr(close + 1, "<@");
	}
	return n;
}

char *mentions_rewrite(const char *text, const struct mention *m, size_t n, const char *const *ids)
{
	size_t len = strlen(text), o = 0, from = 0;
	char *out = malloc(len + n * (STAFF_ID_MAX + 1) + 1);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t idlen = ids[i] ? strlen(ids[i]) : 0;
		if (idlen == 0 || idlen > STAFF_ID_MAX || m[i].at < from)
			continue;
		memcpy(out + o, text + from, m[i].at - from);
		o += m[i].at - from;
		out[o++] = '@';
		memcpy(out + o, ids[i], idlen);
		o += idlen;
		from = m[i].at + m[i].len;
	}
	memcpy(out + o, text + from, len - from + 1);
	return out;
}
