/*
 * strcopy: snprintf(dst, n, "%s", src) without the format machinery, for the
 * per-command paths, where the formatter showed in the profile.
 */
#ifndef DUTYBOT_STRCOPY_H
#define DUTYBOT_STRCOPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* SRC into DST of N > 0 bytes, cut to fit, always terminated. */
static inline void copy_trunc(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* "A<SEP>B" into DST of N > 0 bytes, cut to fit, always terminated. */
static inline void copy_join(char *dst, size_t n, const char *a, char sep, const char *b)
{
	size_t la = strlen(a);

	copy_trunc(dst, n, a);
	if (la + 1 < n) {
		dst[la] = sep;
		copy_trunc(dst + la + 1, n - la - 1, b);
	}
}

/* V in decimal at DST (room for 21 bytes); returns the length. */
static inline size_t u64_to_dec(char *dst, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	dst[n] = '\0';
	return n;
}

#endif
