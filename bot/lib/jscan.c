/*
 * jscan: a single forward pass over a JSON object.  Values of keys nobody
 * asked for are skipped by tracking nesting depth and string state only.
 */
#include "bot/lib/jscan.h"

#include <string.h>

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* P at the opening quote; returns the closing quote or NULL. */
static const char *string_end(const char *p, const char *end, bool *escaped)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			*escaped = true;
			p++;
		} else if (*p == '"') {
			return p;
		} else if ((unsigned char)*p < 0x20) {
			return NULL;
		}
	}
	return NULL;
}

/* Skips one value starting at P; returns the first byte after it or NULL. */
static const char *skip_value(const char *p, const char *end, enum jscan_kind *kind)
{
	bool esc = false;
	int depth = 0;

	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		*kind = JSCAN_STRING;
		p = string_end(p, end, &esc);
		return p ? p + 1 : NULL;
	case '{':
	case '[':
		*kind = *p == '{' ? JSCAN_OBJECT : JSCAN_ARRAY;
		for (; p < end; p++) {
			if (*p == '"') {
				p = string_end(p, end, &esc);
				if (p == NULL)
					return NULL;
			} else if (*p == '{' || *p == '[') {
				depth++;
			} else if (*p == '}' || *p == ']') {
				if (--depth == 0)
					return p + 1;
			}
		}
		return NULL;
	case 't':
		*kind = JSCAN_TRUE;
		return (end - p >= 4 && memcmp(p, "true", 4) == 0) ? p + 4 : NULL;
	case 'f':
		*kind = JSCAN_FALSE;
		return (end - p >= 5 && memcmp(p, "false", 5) == 0) ? p + 5 : NULL;
	case 'n':
		*kind = JSCAN_NULL;
		return (end - p >= 4 && memcmp(p, "null", 4) == 0) ? p + 4 : NULL;
	default:
		*kind = JSCAN_NUMBER;
		if (!(*p == '-' || (*p >= '0' && *p <= '9')))
			return NULL;
		while (p < end && strchr("+-0123456789.eE", *p) != NULL)
			p++;
		return p;
	}
}

int jscan_object(const char *buf, size_t len, struct jscan_field *fields, int nfields)
{
	const char *p = buf, *end = buf + len;

	for (int i = 0; i < nfields; i++) {
		fields[i].kind = JSCAN_ABSENT;
		fields[i].val = NULL;
		fields[i].len = 0;
		fields[i].escaped = false;
	}
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return skip_ws(p + 1, end) == end ? 0 : -1;
	for (;;) {
		const char *key, *key_end, *val;
		enum jscan_kind kind;
		bool esc = false;

		if (p >= end || *p != '"')
			return -1;
		key = p + 1;
		key_end = string_end(p, end, &esc);
		if (key_end == NULL)
			return -1;
		p = skip_ws(key_end + 1, end);
		if (p >= end || *p != ':')
			return -1;
		val = p = skip_ws(p + 1, end);
		p = skip_value(p, end, &kind);
		if (p == NULL)
			return -1;
		for (int i = 0; i < nfields; i++) {
			size_t klen = (size_t)(key_end - key);
			if (!esc && fields[i].key[0] == key[0] && strncmp(fields[i].key, key, klen) == 0 &&
			    fields[i].key[klen] == '\0') {
				if (fields[i].kind != JSCAN_ABSENT)
					break;  /* a repeated key: the first counts, as in cJSON */
				fields[i].kind = kind;
				if (kind == JSCAN_STRING) {
					fields[i].val = val + 1;
					fields[i].len = (size_t)(p - val - 2);
					fields[i].escaped = memchr(val + 1, '\\', fields[i].len) != NULL;
				} else {
					fields[i].val = val;
					fields[i].len = (size_t)(p - val);
					fields[i].escaped = false;
				}
				break;
			}
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}')
			return skip_ws(p + 1, end) == end ? 0 : -1;
		return -1;
	}
}

bool jscan_is(const struct jscan_field *f, const char *lit)
{
	size_t n = strlen(lit);

	return f->kind == JSCAN_STRING && !f->escaped && f->len == n && memcmp(f->val, lit, n) == 0;
}
