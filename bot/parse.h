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

#define PARSE_MAX_WORDS 48
#define PARSE_MAX_TEXT 8192

struct parsed {
	int argc;                       /* words, the command name first */
	char *argv[PARSE_MAX_WORDS];    /* unquoted; point into buf */
	size_t offset[PARSE_MAX_WORDS]; /* where word i starts in the original text */
	bool is_option[PARSE_MAX_WORDS];/* word i is key=value */
	const char *text;               /* the original text after the prefix (borrowed) */
	char buf[PARSE_MAX_TEXT + PARSE_MAX_WORDS];
};

enum parse_error {
	PARSE_OK,
	PARSE_EMPTY,            /* nothing after the prefix */
	PARSE_UNBALANCED_QUOTE,
	PARSE_TOO_MANY_WORDS,
	PARSE_TOO_LONG,
};

/* TEXT is the line without the command prefix; P borrows it until done. */
enum parse_error parse_command(const char *text, struct parsed *p);
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
