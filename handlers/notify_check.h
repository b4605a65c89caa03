/*
 * notify_check: the checks a system notification must pass before it may be
 * sent ("send system notifications carefully and strictly check their
 * format").  Pure functions: the text in, every problem with its position out.
 */
#ifndef DUTYBOT_NOTIFY_CHECK_H
#define DUTYBOT_NOTIFY_CHECK_H

#include <stddef.h>

enum notify_problem_kind {
	NP_TAG,                 /* does not start with the required tag */
	NP_LENGTH,              /* longer than the limit (detail: the length) */
	NP_MENTION,             /* @everyone, @here, @channel, <@..>, <!..>, <#..> */
	NP_PLACEHOLDER,         /* an unfilled {placeholder} */
	NP_LINK,                /* a link to a host not allowed (detail: the host) */
	NP_BRACKET,             /* an unbalanced ( ) [ ] { } */
	NP_TRAILING_SPACE,
	NP_DOUBLE_SPACE,
	NP_EMPTY,
};

struct notify_problem {
	enum notify_problem_kind kind;
	size_t pos;             /* 1-based character position */
	char detail[64];
};

#define NOTIFY_MAX_PROBLEMS 32

struct notify_rules {
	const char *tag;                /* "" = none required */
	size_t max_length;              /* characters */
	const char *const *link_hosts;
	size_t n_link_hosts;
};

/* Fills OUT (at most NOTIFY_MAX_PROBLEMS); returns how many problems. */
size_t notify_check(const char *text, const struct notify_rules *rules, struct notify_problem *out);

#endif
