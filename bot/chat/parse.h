/*
 * parse: a chat line into command words.  Words are separated by blanks;
 * "double quotes" group words (\" and \\ escape inside them); key=value and
 * key="some value" are options.  Each word remembers where it began in the
 * original text, so a handler can take "the rest of the line" verbatim.
 */
#ifndef DUTYBOT_PARSE_H
#define DUTYBOT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARSE_MAX_WORDS 48
#define PARSE_MAX_TEXT 8192     /* fits offset[]'s uint16_t */
#define PARSE_SMALL 512         /* lines up to ~460 bytes need no allocation */

/*
 * Every request carries one, so it is kept small: the words of an ordinary
 * line go into small[], only a long one gets a buffer of its own (freed by
 * parse_free).  It was a fixed 8 KiB buffer, which made each request a
 * 9.5 KiB calloc: most of the daemon's allocator time, and the heap a burst
 * of commands left behind.
 */
struct parsed {
	int argc;                       /* words, the command name first */
	char *argv[PARSE_MAX_WORDS];    /* unquoted; point into buf */
	uint16_t offset[PARSE_MAX_WORDS]; /* where word i starts in the original text */
	bool is_option[PARSE_MAX_WORDS];/* word i is key=value */
	const char *text;               /* the original text after the prefix (borrowed) */
	char *buf;                      /* small, or a heap buffer for a long line */
	char small[PARSE_SMALL];
};

/* What separates words, and what is trimmed around a command (dispatch). */
static inline bool parse_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum parse_error {
	PARSE_OK,
	PARSE_EMPTY,            /* nothing after the prefix */
	PARSE_UNBALANCED_QUOTE,
	PARSE_TOO_MANY_WORDS,
	PARSE_TOO_LONG,
	PARSE_NO_MEMORY,
};

/* TEXT is the line without the command prefix; P borrows it until done.
 * P's earlier contents are not looked at: parse_free() a P before parsing
 * into it again. */
enum parse_error parse_command(const char *text, struct parsed *p);
/* Frees a long line's buffer; P may then be parsed into again.  Safe on a
 * zeroed struct and after any parse_command result. */
void parse_free(struct parsed *p);
const char *parse_error_name(enum parse_error e);

/* The rest of the line verbatim from word I, "" if I >= argc (the dispatcher
 * trims the line, so there is no trailing blank). */
const char *parse_rest(const struct parsed *p, int i);
/* Value of option KEY (key=value), NULL if absent. */
const char *parse_option(const struct parsed *p, const char *key);
/* Number of words that are not options. */
int parse_positional_count(const struct parsed *p);
/* The N-th word that is not an option (0 = command name), NULL if none. */
const char *parse_positional(const struct parsed *p, int n);

#endif
