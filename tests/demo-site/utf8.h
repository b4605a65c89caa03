/*
 * utf8: the one text rule both sides of the site protocol share.  A frame is
 * UTF-8, and a message's length limit counts code points, not bytes, so the
 * demo site checks well-formedness and counts characters in one pass here.
 */
#ifndef DEMO_UTF8_H
#define DEMO_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Number of code points in S[0..LEN), or -1 when it is not well-formed UTF-8
 * (overlong forms, surrogates and values above U+10FFFF are rejected).
 */
long utf8_count(const char *s, size_t len);

/* Byte length of the longest prefix of S with at most MAX code points. */
size_t utf8_prefix(const char *s, size_t len, size_t max);

#endif
