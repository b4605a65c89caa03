/*
 * parse: one pass over the line, copying each word (unquoted) into a buffer
 * sized for the line plus a terminator per word: the struct's own for an
 * ordinary line, the heap's for a long one.
 */
#include "bot/chat/parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool option_word(const char *w)
{
	const char *eq = strchr(w, '=');

	if (eq == NULL || eq == w)
		return false;
	for (const char *k = w; k < eq; k++)
		if (!(islower((unsigned char)*k) || *k == '_'))
			return false;
	return true;
}

enum parse_error parse_command(const char *text, struct parsed *p)
{
	const char *s = text;
	size_t len = strlen(text), need = len + PARSE_MAX_WORDS + 1;
	char *out;

	p->argc = 0;
	p->text = text;
	p->buf = p->small;
	if (len > PARSE_MAX_TEXT)
		return PARSE_TOO_LONG;
	if (need > sizeof(p->small) && (p->buf = malloc(need)) == NULL) {
		p->buf = p->small;
		return PARSE_NO_MEMORY;
	}
	out = p->buf;
	for (;;) {
		while (parse_blank(*s))
			s++;
		if (*s == '\0')
			break;
		if (p->argc == PARSE_MAX_WORDS)
			return PARSE_TOO_MANY_WORDS;
		p->offset[p->argc] = (uint16_t)(s - text);
		p->argv[p->argc] = out;
		while (*s != '\0' && !parse_blank(*s)) {
			if (*s == '"') {
				for (s++; *s != '"'; s++) {
					if (*s == '\0')
						return PARSE_UNBALANCED_QUOTE;
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
						s++;
					*out++ = *s;
				}
				s++;
			} else {
				*out++ = *s++;
			}
		}
		*out++ = '\0';
		p->is_option[p->argc] = option_word(p->argv[p->argc]);
		p->argc++;
	}
	return p->argc == 0 ? PARSE_EMPTY : PARSE_OK;
}

void parse_free(struct parsed *p)
{
	if (p->buf != NULL && p->buf != p->small)
		free(p->buf);
	p->buf = p->small;
	p->argc = 0;
}

const char *parse_error_name(enum parse_error e)
{
	switch (e) {
	case PARSE_OK: return "ok";
	case PARSE_EMPTY: return "empty command";
	case PARSE_UNBALANCED_QUOTE: return "unbalanced quote";
	case PARSE_TOO_MANY_WORDS: return "too many words";
	case PARSE_TOO_LONG: return "line too long";
	case PARSE_NO_MEMORY: return "out of memory";
	}
	return "?";
}

const char *parse_rest(const struct parsed *p, int i)
{
	return i < p->argc ? p->text + p->offset[i] : "";
}

const char *parse_option(const struct parsed *p, const char *key)
{
	size_t klen = strlen(key);

	for (int i = 1; i < p->argc; i++)
		if (p->is_option[i] && strncmp(p->argv[i], key, klen) == 0 && p->argv[i][klen] == '=')
			return p->argv[i] + klen + 1;
	return NULL;
}

int parse_positional_count(const struct parsed *p)
{
	int n = 0;

	for (int i = 0; i < p->argc; i++)
		n += !p->is_option[i];
	return n;
}

const char *parse_positional(const struct parsed *p, int n)
{
	for (int i = 0; i < p->argc; i++)
		if (!p->is_option[i] && n-- == 0)
			return p->argv[i];
	return NULL;
}
