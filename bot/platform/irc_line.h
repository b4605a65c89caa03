/*
 * irc_line: the pure text work of the IRC adapter (bot/platform/irc.c), kept
 * apart so it can be tested without a socket: reading one line (IRCv3 tags,
 * the prefix, the parameters), cleaning what people type (CTCP, formatting
 * codes), cutting what the bot says into lines that fit the 512-byte limit,
 * and matching hostmasks.
 */
#ifndef DUTYBOT_IRC_LINE_H
#define DUTYBOT_IRC_LINE_H

#include <stdbool.h>
#include <stddef.h>

#define IRC_LINE_PARAMS_MAX 15

struct irc_msg {
	char *tags;                     /* raw tag part without '@', NULL if none */
	char *nick, *user, *host;       /* from the prefix; NULL where absent */
	char *cmd;
	int nparams;
	char *params[IRC_LINE_PARAMS_MAX];
};

/* Reads LINE (NUL-terminated, cut up in place; a trailing CR/LF is
 * dropped) into M.  -1 if there is no command. */
int irc_line_parse(char *line, struct irc_msg *m);

/* The value of tag KEY (unescaped: \: \s \\ \r \n) into OUT; false if M has
 * no such tag or it has no value, or the value does not fit. */
bool irc_line_tag(const struct irc_msg *m, const char *key, char *out, size_t n);

/*
 * Cleans TEXT in place for reading as a command: formatting codes (\x02 bold,
 * \x03 colour with up to two digits and ",NN", \x04 hex colour, \x0f \x11
 * \x16 \x1d \x1e \x1f) are removed.  Returns the new length.
 */
size_t irc_line_strip(char *text);

/* TEXT is a CTCP request (starts with \x01): its command ("VERSION",
 * "ACTION") into CMD; false when it is not one. */
bool irc_line_ctcp(const char *text, char *cmd, size_t n);

/*
 * Cuts TEXT into lines of at most MAX bytes: at its line breaks (CR, LF),
 * a longer line at its last blank that fits, else at the last whole UTF-8
 * character that fits, so no piece ever holds a raw CR or LF or half a
 * character.  Blanks at a cut are dropped; empty lines are skipped (IRC
 * cannot send them); \x01 (which would start a CTCP) and other control
 * characters but the formatting codes and tab become blanks.  FN gets each
 * piece (not NUL-terminated).  Returns the count; MAX under 4 gives 0.
 */
int irc_line_split(const char *text, size_t max, void (*fn)(const char *piece, size_t len, void *arg), void *arg);

/* IRC case-insensitive glob match of S against PATTERN ('*' any run, '?'
 * one character; rfc1459 folding: A-Z to a-z and []\~ to {}|^). */
bool irc_line_mask_match(const char *pattern, const char *s);

#endif
