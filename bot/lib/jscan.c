/*
 * jscan: a single forward pass over a JSON object.  Values of keys nobody
 * asked for are skipped, but checked as strictly as cJSON would check them
 * (or more so): whatever jscan takes, cJSON takes too and reads the same,
 * so a frame's fast path and its cJSON fallback cannot disagree.
 */
#include "bot/lib/jscan.h"

#include <stdint.h>
#include <string.h>

/* Nesting jscan follows inside a value; deeper is left to cJSON (its limit is 1000). */
#define JSCAN_MAX_DEPTH 64

/* cJSON (1.7.15) reads a number through a 64-byte buffer: longer ones it refuses. */
#define JSCAN_MAX_NUMBER 63

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * P at the opening quote; returns the byte after the closing quote or NULL.
 * Refuses what cJSON refuses (an unknown escape, a short \u) and more: raw
 * control bytes, which cJSON lets through, and every \u of a surrogate,
 * whose pairing rules are cJSON's business.
 */
static const char *skip_string(const char *p, const char *end, bool *escaped)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		*escaped = true;
		if (++p >= end)
			return NULL;
		if (*p == 'u') {
			if (end - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]))
				return NULL;
			if ((p[1] == 'd' || p[1] == 'D') && strchr("89abcdefABCDEF", p[2]) != NULL)
				return NULL;
			p += 4;
		} else if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0') {
			return NULL;
		}
	}
	return NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
 * which strtod reads whole, as cJSON does.  Returns the byte after it or NULL.
 */
static const char *skip_number(const char *p, const char *end)
{
	const char *start = p;

	if (p < end && *p == '-')
		p++;
	if (p >= end || !is_digit(*p))
		return NULL;
	if (*p == '0')
		p++;
	else
		while (p < end && is_digit(*p))
			p++;
	if (p < end && *p == '.') {
		if (++p >= end || !is_digit(*p))
			return NULL;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return NULL;
		while (p < end && is_digit(*p))
			p++;
	}
	/* glued to more number bytes ("01", "1.2.3") or too long for cJSON: refused */
	if (p - start > JSCAN_MAX_NUMBER || (p < end && strchr("+-0123456789.eE", *p) != NULL && *p != '\0'))
		return NULL;
	return p;
}

/* One value that is not an object or an array. */
static const char *skip_scalar(const char *p, const char *end, enum jscan_kind *kind)
{
	bool esc = false;

	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		*kind = JSCAN_STRING;
		return skip_string(p, end, &esc);
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
		return skip_number(p, end);
	}
}

/* In an object at P (after '{' or ','): a key and its colon; the value's start or NULL. */
static const char *skip_key(const char *p, const char *end)
{
	bool esc = false;

	if (p >= end || *p != '"' || (p = skip_string(p, end, &esc)) == NULL)
		return NULL;
	p = skip_ws(p, end);
	if (p >= end || *p != ':')
		return NULL;
	return skip_ws(p + 1, end);
}

/*
 * Skips one value starting at P; returns the first byte after it or NULL.
 * Objects and arrays are walked with a stack of one bit per level (set: an
 * object), so a '}' closing a '[' or a missing comma is refused as cJSON
 * refuses it; nothing is allocated.
 */
static const char *skip_value(const char *p, const char *end, enum jscan_kind *kind)
{
	uint64_t objects = 0;   /* bit i: level i+1 is an object */
	int depth = 0;
	enum jscan_kind k;

	if (p >= end)
		return NULL;
	if (*p != '{' && *p != '[')
		return skip_scalar(p, end, kind);
	*kind = *p == '{' ? JSCAN_OBJECT : JSCAN_ARRAY;
	for (;;) {
		/* P at a value */
		if (*p == '{' || *p == '[') {
			bool obj = *p == '{';
			if (depth == JSCAN_MAX_DEPTH)
				return NULL;
			objects = obj ? objects | (UINT64_C(1) << depth) : objects & ~(UINT64_C(1) << depth);
			depth++;
			p = skip_ws(p + 1, end);
			if (p < end && *p == (obj ? '}' : ']')) {
				p++;
				depth--;
			} else {
				if (obj && (p = skip_key(p, end)) == NULL)
					return NULL;
				if (p >= end)
					return NULL;
				continue;
			}
		} else if ((p = skip_scalar(p, end, &k)) == NULL) {
			return NULL;
		}
		/* P after a value: a comma and the next, or closers */
		for (;;) {
			bool obj;
			if (depth == 0)
				return p;
			obj = (objects >> (depth - 1)) & 1;
			p = skip_ws(p, end);
			if (p >= end)
				return NULL;
			if (*p == ',') {
				p = skip_ws(p + 1, end);
				if (obj && (p = skip_key(p, end)) == NULL)
					return NULL;
				if (p >= end)
					return NULL;
				break;
			}
			if (*p != (obj ? '}' : ']'))
				return NULL;
			p++;
			depth--;
		}
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
		size_t klen;

		if (p >= end || *p != '"')
			return -1;
		key = p + 1;
		key_end = skip_string(p, end, &esc);
		/*
		 * An escaped key is refused, not skipped: cJSON decodes it, so
		 * {"\u0069d":"a","id":"b"} has the id "a" there and would have "b"
		 * here.  Decoding it would need a copy; no honest peer escapes a
		 * key, so the whole frame goes to the reader that decodes.
		 */
		if (key_end == NULL || esc)
			return -1;
		key_end--;      /* at the closing quote */
		klen = (size_t)(key_end - key);
		p = skip_ws(key_end + 1, end);
		if (p >= end || *p != ':')
			return -1;
		val = p = skip_ws(p + 1, end);
		p = skip_value(p, end, &kind);
		if (p == NULL)
			return -1;
		for (int i = 0; i < nfields; i++) {
			if (fields[i].key[0] == key[0] && strncmp(fields[i].key, key, klen) == 0 &&
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
