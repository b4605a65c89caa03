/*
 * console: the demo site's prompt.  One line is either a chat line -
 * "NAME> TEXT" (room lobby), "NAME@ROOM> TEXT", "NAME@dm> TEXT" (private
 * to the bot) - or a site command from a table ("/drop", "/close 4008 1500",
 * "/help" ...).  Every command that succeeds is confirmed with
 * {"ev":"cmd","cmd":NAME}, so a test knows it took effect.
 */
#ifndef DEMO_CONSOLE_H
#define DEMO_CONSOLE_H

struct people;
struct report;
struct site_server;

struct console {
	struct site_server *srv;        /* borrowed */
	struct people *people;          /* borrowed */
	struct report *report;          /* borrowed */
	void (*quit)(void *arg);        /* "/quit" */
	void *arg;
};

/* Runs one line (no newline; LINE may be modified). */
void console_line(struct console *con, char *line);

/* Prints the command list (human mode). */
void console_help(struct console *con);

#endif
