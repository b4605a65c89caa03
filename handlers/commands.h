/*
 * commands: the one command table (handlers/commands.c): every command and
 * sub-command of the bot, one row each (bot/chat/command.h says what a row holds).
 * The dispatcher checks everything a row declares; !help is generated from
 * the rows.
 */
#ifndef DUTYBOT_COMMANDS_H
#define DUTYBOT_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "bot/chat/command.h"

struct command_area_info {
	const char *word;               /* !help <word>: the same in every language, as the commands are */
	enum msg_id title;
};

extern const struct command_area_info command_areas[AREA_MAX];
extern const struct command commands[];
extern const size_t n_commands;

/* The row for NAME [SUB]; *KNOWN_NAME says whether NAME exists at all. */
const struct command *commands_lookup(const char *name, const char *sub, bool *known_name);
/* Index of a row (for metrics). */
size_t command_index(const struct command *c);

#endif
