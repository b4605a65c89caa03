/*
 * irc_line: reading, cleaning, cutting and matching IRC lines (see irc_line.h).
 */
#include "bot/platform/irc_line.h"

#include <string.h>

int irc_line_parse(char *line, struct irc_msg *m)
{
	char *p = line, *end;

	memset(m, 0, sizeof(*m));
	end = p + strlen(p);
	while (end > p && (end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	if (*p == '@') {
		m->tags = ++p;
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
		*p++ = '\0';
	}
	while (*p == ' ')
		p++;
	if (*p == ':') {
		char *prefix = ++p, *bang, *at;
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
		*p++ = '\0';
		at = strchr(prefix, '@');
		if (at != NULL) {
			*at = '\0';
			m->host = at + 1;
		}
		bang = strchr(prefix, '!');
		if (bang != NULL) {
			*bang = '\0';
			m->user = bang + 1;
		}
		m->nick = prefix;
	}
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return -1;
	m->cmd = p;
	p = strchr(p, ' ');
	while (p != NULL && m->nparams < IRC_LINE_PARAMS_MAX) {
		*p++ = '\0';
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p == ':' || m->nparams == IRC_LINE_PARAMS_MAX - 1) {
			m->params[m->nparams++] = *p == ':' ? p + 1 : p;
			break;
		}
		m->params[m->nparams++] = p;
		p = strchr(p, ' ');
	}
	return 0;
}

bool irc_line_tag(const struct irc_msg *m, const char *key, char *out, size_t n)
{
	const char *t = m->tags;
	size_t klen = strlen(key);

	while (t != NULL && *t) {
		const char *next = strchr(t, ';');
		size_t len = next ? (size_t)(next - t) : strlen(t);
		if (len > klen && strncmp(t, key, klen) == 0 && t[klen] == '=') {
			size_t o = 0;
			for (const char *v = t + klen + 1; v < t + len; v++) {
				char c = *v;
				if (c == '\\' && v + 1 < t + len) {
					v++;
					c = *v == ':' ? ';' : *v == 's' ? ' ' : *v == 'r' ? '\r' : *v == 'n' ? '\n' : *v;
				} else if (c == '\\')
					continue;       /* a lone trailing backslash is dropped */
				if (o + 1 >= n)
					return false;
				out[o++] = c;
			}
			if (o == 0 || n == 0)
				return false;
			out[o] = '\0';
			return true;
		}
		t = next ? next + 1 : NULL;
	}
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

size_t irc_line_strip(char *text)
{
	char *r = text, *w = text;

	while (*r) {
		unsigned char c = (unsigned char)*r;
		if (c == 0x03) {                /* colour: up to two digits, then ",NN" */
			r++;
			if (is_digit(*r)) {
				r += is_digit(r[1]) ? 2 : 1;
				if (r[0] == ',' && is_digit(r[1]))
					r += is_digit(r[2]) ? 3 : 2;
			}
		} else if (c == 0x04) {         /* hex colour: RRGGBB[,RRGGBB] */
			int i;
			r++;
			for (i = 0; i < 6 && is_hex(r[i]); i++)
				;
			if (i == 6) {
				r += 6;
				if (r[0] == ',') {
					for (i = 0; i < 6 && is_hex(r[1 + i]); i++)
						;
					if (i == 6)
						r += 7;
				}
			}
		} else if (c == 0x01 || c == 0x02 || c == 0x0f || c == 0x11 || c == 0x16 || c == 0x1d ||
		    c == 0x1e || c == 0x1f) {
			r++;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - text);
}

bool irc_line_ctcp(const char *text, char *cmd, size_t n)
{
	size_t len;

	if (text[0] != '\x01' || n == 0)
		return false;
	text++;
	len = strcspn(text, " \x01");
	if (len >= n)
		len = n - 1;
	memcpy(cmd, text, len);
	cmd[len] = '\0';
	return true;
}

/* A byte that may not go out raw: C0 controls but tab and the formatting codes. */
static bool is_unsafe(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != 0x02 && c != 0x03 && c != 0x0f && c != 0x11 && c != 0x16 &&
	    c != 0x1d && c != 0x1e && c != 0x1f) || c == 0x7f;
}

/* One line of TEXT (no CR/LF inside), cut into pieces of at most MAX bytes. */
static int split_line(const char *s, size_t len, size_t max, void (*fn)(const char *, size_t, void *), void *arg)
{
	char piece[1024];
	int count = 0;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0) {
		size_t cut = len, n;
		if (len > max) {
			size_t at;
			for (at = max; at > 0 && s[at] != ' ' && s[at] != '\t'; at--)
				;
			if (at > 0)
				cut = at;
			else {          /* one long word: the last whole character that fits */
				for (cut = max; cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80; cut--)
					;
				if (cut == 0)
					cut = max;
			}
		}
		n = cut;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n > 0) {
			if (n > sizeof(piece))
				n = sizeof(piece);
			for (size_t i = 0; i < n; i++)
				piece[i] = is_unsafe((unsigned char)s[i]) ? ' ' : s[i];
			fn(piece, n, arg);
			count++;
		}
		s += cut;
		len -= cut;
		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
	}
	return count;
}

int irc_line_split(const char *text, size_t max, void (*fn)(const char *piece, size_t len, void *arg), void *arg)
{
	int count = 0;

	if (max < 4)
		return 0;
	if (max > 1024)
		max = 1024;
	while (*text) {
		size_t len = strcspn(text, "\r\n");
		count += split_line(text, len, max, fn, arg);
		text += len;
		while (*text == '\r' || *text == '\n')
			text++;
	}
	return count;
}

static char fold(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	switch (c) {
	case '[': return '{';
	case ']': return '}';
	case '\\': return '|';
	case '~': return '^';
	default: return c;
	}
}

bool irc_line_mask_match(const char *p, const char *s)
{
	const char *star = NULL, *after = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			after = s;
		} else if (*p == '?' || (*p && fold(*p) == fold(*s))) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star + 1;
			s = ++after;
		} else
			return false;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
