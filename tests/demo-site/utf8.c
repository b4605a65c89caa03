/*
 * utf8: validation and counting of UTF-8 text for the demo site.  The checks
 * follow RFC 3629 table 3-7 so a frame the site accepts is one a strict
 * client would accept too; counting happens in the same pass.
 */
#include "utf8.h"

long utf8_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	long n = 0;

	while (p < end) {
		unsigned char c = *p;
		size_t need;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			p++;
			n++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;      /* no UTF-16 surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;      /* nothing above U+10FFFF */
		} else
			return -1;
		if ((size_t)(end - p) < need + 1)
			return -1;
		if (p[1] < lo || p[1] > hi)
			return -1;
		for (size_t i = 2; i <= need; i++)
			if ((p[i] & 0xc0) != 0x80)
				return -1;
		p += need + 1;
		n++;
	}
	return n;
}

size_t utf8_prefix(const char *s, size_t len, size_t max)
{
	size_t i = 0, count = 0;

	while (i < len && count < max) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		count++;
	}
	return i;
}
