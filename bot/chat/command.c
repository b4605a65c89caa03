/*
 * command: what can be asked of one row of the command table.
 */
#include "bot/chat/command.h"

#include <stdio.h>
#include <string.h>

bool command_matches(const struct command *c, const char *name, const char *sub)
{
	if (strcmp(c->name, name) != 0)
		return false;
	return sub == NULL || (c->sub != NULL && strcmp(c->sub, sub) == 0);
}

bool command_allowed(const struct command *c, const struct person *p)
{
	if (p->role < c->min_role)
		return false;
	if (c->min_level != LEVEL_NONE && p->role == ROLE_AGENT && p->level < c->min_level)
		return false;
	return true;
}

bool command_usable(const struct command *c, const struct person *p)
{
	return command_allowed(c, p) && (c->usable == NULL || c->usable(p));
}

bool command_arity_ok(const struct command *c, int argc)
{
	return c->arity >= 0 ? argc == c->arity : argc >= -c->arity;
}

const char *command_label(const struct command *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
	return buf;
}
