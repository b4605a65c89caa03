/*
 * notify_check: one pass per check over the text, counting characters
 * (UTF-8 code points) for the positions people see.
 */
#include "handlers/notify_check.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct problems {
	struct notify_problem *out;
	size_t n;
};

static void add(struct problems *p, enum notify_problem_kind kind, size_t pos, const char *detail, size_t dlen)
{
	if (p->n >= NOTIFY_MAX_PROBLEMS)
		return;
	p->out[p->n].kind = kind;
	p->out[p->n].pos = pos;
	if (dlen >= sizeof(p->out[p->n].detail))
		dlen = sizeof(p->out[p->n].detail) - 1;
	memcpy(p->out[p->n].detail, detail ? detail : "", detail ? dlen : 0);
	p->out[p->n].detail[detail ? dlen : 0] = '\0';
	p->n++;
}

/* Character position (1-based) of byte offset OFF. */
static size_t char_pos(const char *text, size_t off)
{
	size_t n = 1;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static size_t char_len(const char *text)
{
	return char_pos(text, strlen(text)) - 1;
}

static void check_mentions(const char *t, struct problems *p)
{
	static const char *const words[] = { "@everyone", "@here", "@channel" };

	for (const char *s = t; *s; s++) {
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			size_t n = strlen(words[i]);
			if (strncasecmp(s, words[i], n) == 0 && !isalnum((unsigned char)s[n]))
				add(p, NP_MENTION, char_pos(t, (size_t)(s - t)), s, n);
		}
		if (s[0] == '<' && (s[1] == '@' || s[1] == '!' || s[1] == '#')) {
			const char *end = strchr(s, '>');
			if (end != NULL)
				add(p, NP_MENTION, char_pos(t, (size_t)(s - t)), s, (size_t)(end - s + 1));
		}
	}
}

static void check_placeholders(const char *t, struct problems *p)
{
	for (const char *s = strchr(t, '{'); s; s = strchr(s + 1, '{')) {
		const char *end = strchr(s, '}');
		if (end != NULL && end > s + 1 && memchr(s, ' ', (size_t)(end - s)) == NULL)
			add(p, NP_PLACEHOLDER, char_pos(t, (size_t)(s - t)), s, (size_t)(end - s + 1));
	}
}

static void check_links(const char *t, const struct notify_rules *r, struct problems *p)
{
	for (const char *s = t; *s; s++) {
		const char *host;
		size_t hlen = 0;
		bool ok = false;
		if (strncasecmp(s, "http://", 7) == 0)
			host = s + 7;
		else if (strncasecmp(s, "https://", 8) == 0)
			host = s + 8;
		else
			continue;
		{
			/* user info before an '@' is not the host: https://example.org@evil.com/ */
			size_t auth = strcspn(host, "/\\?# \t\n\r");
			const char *at = NULL;
			for (size_t k = 0; k < auth; k++)
				if (host[k] == '@')
					at = host + k;
			if (at != NULL) {
				/* user info hides where a link goes: never allowed */
				add(p, NP_LINK, char_pos(t, (size_t)(s - t)), host, auth);
				s = host + auth - 1;
				continue;
			}
		}
		while (host[hlen] && (isalnum((unsigned char)host[hlen]) || host[hlen] == '.' || host[hlen] == '-'))
			hlen++;
		while (hlen > 0 && host[hlen - 1] == '.')
			hlen--;         /* the full stop after a link is not part of it */
		for (size_t i = 0; i < r->n_link_hosts && !ok; i++) {
			size_t n = strlen(r->link_hosts[i]);
			/* the host itself or a subdomain of it */
			ok = (hlen == n && strncasecmp(host, r->link_hosts[i], n) == 0) ||
			    (hlen > n && host[hlen - n - 1] == '.' && strncasecmp(host + hlen - n, r->link_hosts[i], n) == 0);
		}
		if (!ok)
			add(p, NP_LINK, char_pos(t, (size_t)(s - t)), host, hlen);
		s = host + hlen - 1;
	}
}

#define BRACKET_DEPTH_MAX 256

static void check_brackets(const char *t, struct problems *p)
{
	const char *stack[BRACKET_DEPTH_MAX];
	size_t depth = 0;

	for (const char *s = t; *s; s++) {
		if (*s == '(' || *s == '[' || *s == '{') {
			if (depth == BRACKET_DEPTH_MAX) {
				add(p, NP_BRACKET, char_pos(t, (size_t)(s - t)), s, 1);     /* absurdly deep */
				return;
			}
			stack[depth++] = s;
		} else if (*s == ')' || *s == ']' || *s == '}') {
			char open = *s == ')' ? '(' : *s == ']' ? '[' : '{';
			if (depth == 0 || *stack[depth - 1] != open) {
				add(p, NP_BRACKET, char_pos(t, (size_t)(s - t)), s, 1);
				return;
			}
			depth--;
		}
	}
	if (depth > 0)
		add(p, NP_BRACKET, char_pos(t, (size_t)(stack[depth - 1] - t)), stack[depth - 1], 1);
}

static void check_spaces(const char *t, struct problems *p)
{
	size_t len = strlen(t);
	const char *s;

	for (s = strstr(t, "  "); s != NULL; s = strstr(s, "  ")) {
		size_t rest = strspn(s, " \t");
		/* blanks up to the end of a line count as trailing whitespace instead */
		if (s[rest] != '\0' && s[rest] != '\n' && !(s[rest] == '\r' && (s[rest + 1] == '\n' || s[rest + 1] == '\0')))
			add(p, NP_DOUBLE_SPACE, char_pos(t, (size_t)(s - t)), NULL, 0);
		s += rest;
	}
	/* at the end of every line */
	for (size_t end = 0; end <= len; end++) {
		size_t i;
		size_t e = end;
		if (end < len && t[end] != '\n')
			continue;
		if (e > 0 && t[e - 1] == '\r')
			e--;            /* a CRLF line end is not whitespace of the line */
		for (i = e; i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'); i--)
			;
		if (i < e)
			add(p, NP_TRAILING_SPACE, char_pos(t, i), NULL, 0);
	}
}

size_t notify_check(const char *text, const struct notify_rules *rules, struct notify_problem *out)
{
	struct problems p = { out, 0 };
	size_t len = char_len(text);

	if (*text == '\0') {
		add(&p, NP_EMPTY, 1, NULL, 0);
		return p.n;
	}
	if (rules->tag && *rules->tag && strncmp(text, rules->tag, strlen(rules->tag)) != 0)
		add(&p, NP_TAG, 1, rules->tag, strlen(rules->tag));
	if (len > rules->max_length) {
		char n[24];
		snprintf(n, sizeof(n), "%zu", len);
		add(&p, NP_LENGTH, rules->max_length + 1, n, strlen(n));
	}
	check_mentions(text, &p);
	check_placeholders(text, &p);
	check_links(text, rules, &p);
	check_brackets(text, &p);
	check_spaces(text, &p);
	return p.n;
}
