/*
 * mentions: Discord and Slack write a person as "<@id>" ("<@!id>" from old
 * Discord clients, "<@U123|name>" on Slack).  The dispatcher finds them in a
 * command, has begin's script look each one up as an identity of the
 * connection, and writes the known ones as "@<staff id>", so every command
 * that takes a person takes a mention.
 */
#ifndef DUTYBOT_MENTIONS_H
#define DUTYBOT_MENTIONS_H

#include <stddef.h>

#define MENTIONS_MAX 8

struct mention {
	size_t at, len;         /* the whole "<@...>" in the text */
	char id[64];            /* the platform user id inside */
};

/* Up to MAX mentions of TEXT, in order; returns how many. */
size_t mentions_find(const char *text, struct mention *m, size_t max);
/* TEXT with mention I written "@IDS[I]" where IDS[I] is a non-empty staff id
 * (others stay as written); malloc'd, NULL when out of memory. */
char *mentions_rewrite(const char *text, const struct mention *m, size_t n, const char *const *ids);

#endif
