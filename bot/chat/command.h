/*
 * command: one row of the command table (handlers/commands.c) and what the
 * dispatcher, the chat API and !help ask of a row.  Each row is a command (or
 * a sub-command) with the lowest role and level allowed to run it, its arity
 * in the Redis style (words including the name and sub-command; -N means at
 * least N), its flags, handler, help text (catalog id) and usage.
 */
#ifndef DUTYBOT_COMMAND_H
#define DUTYBOT_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "bot/chat/chat.h"

/*
 * CMD_WRITE     changes state (audited by its script)
 * CMD_NO_STATE  runs even when the state store is down (the caller is then
 *               treated as an unknown chat friend)
 * CMD_QUIET     a write whose script neither schedules a timer nor sends
 *               through the durable outbox: no need to wake those engines
 * CMD_PRIVATE   its answers carry personal data (reasons, contact cards,
 *               evaluations, others' hours, e-mail, audit lines): every reply
 *               goes to the caller privately, and a room it was typed in is
 *               told so in one short line (bot/chat/request.c).  Announcements a
 *               handler makes to a channel on purpose are not replies.
 */
enum command_flags {
	CMD_WRITE = 1 << 0,
	CMD_NO_STATE = 1 << 1,
	CMD_QUIET = 1 << 2,
	CMD_PRIVATE = 1 << 3,
};

typedef void command_proc(struct request *req);
/* Can P use the row now, beyond its role and level (an intern's summary is
 * an intern's)?  Only !help asks: a row it hides still runs and refuses
 * with its reason, so a hidden command never fails silently. */
typedef bool command_usable_fn(const struct person *p);

/* The areas !help groups the rows in, in the order it shows them: the staff's
 * work first, the chat friends' commands and the basics last.  Each has a
 * word (!help shifts) and a title in the catalog (handlers/commands.c). */
enum command_area {
	AREA_SHIFTS, AREA_REQUESTS, AREA_ATTENDANCE, AREA_COMPLAINTS, AREA_EMERGENCIES,
	AREA_TECH, AREA_NOTICES, AREA_STAFF, AREA_CAREERS, AREA_FRIENDS, AREA_BASICS,
	AREA_MAX
};

struct command {
	const char *name;
	const char *sub;                /* NULL for a plain command */
	enum role min_role;
	enum level min_level;           /* only checked for agents */
	int arity;
	unsigned flags;
	command_proc *proc;
	enum msg_id help;
	const char *usage;              /* without the prefix: "staff show <person>" */
	enum command_area area;
	unsigned top;                   /* 1..3: its rank among its area's most used (the short !help); 0 not there */
	command_usable_fn *usable;      /* NULL: whoever the role and level let */
	const char *example;            /* the user's guide's example, without the prefix */
	const char *who;                /* the guide's "For: ..." where usable() narrows the role (English) */
};

/* Is C the row NAME SUB, or (SUB NULL) any row of NAME?  For !help, which shows them all. */
bool command_matches(const struct command *c, const char *name, const char *sub);
bool command_allowed(const struct command *c, const struct person *p);
/* Allowed, and its usable() (if any) says P has a use for it now. */
bool command_usable(const struct command *c, const struct person *p);
bool command_arity_ok(const struct command *c, int argc);
/* "ping" or "staff list" */
const char *command_label(const struct command *c, char *buf, size_t n);

#endif
