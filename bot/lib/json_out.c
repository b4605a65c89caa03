/*
 * json_out: RFC 8259 string escaping: quote, backslash and control
 * characters; everything else (UTF-8 included) is copied as it is.
 */
#include "bot/lib/json_out.h"

#include <stdio.h>
#include <string.h>

void json_out_init(struct json_out *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->failed = cap == 0;
}

static void put(struct json_out *j, const char *s, size_t n)
{
	if (j->failed || j->len + n > j->cap) {
		j->failed = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

void json_out_raw(struct json_out *j, const char *s)
{
	put(j, s, strlen(s));
}

void json_out_str(struct json_out *j, const char *s)
{
	const char *run = s;

	put(j, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(j, run, (size_t)(s - run));
		switch (c) {
		case '"': put(j, "\\\"", 2); break;
		case '\\': put(j, "\\\\", 2); break;
		case '\n': put(j, "\\n", 2); break;
		case '\r': put(j, "\\r", 2); break;
		case '\t': put(j, "\\t", 2); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(j, esc, 6);
		}
		run = s + 1;
	}
	put(j, run, (size_t)(s - run));
	put(j, "\"", 1);
}
