/*
 * console: one line of stdin to one effect.  Chat lines become messages via
 * site_post(); "/" lines are looked up in a sorted table of commands, each
 * row with its usage and help (so /help cannot drift from what exists) and a
 * thin handler over the site_server knobs.  Argument errors and "no bot
 * connected" are reported as {"ev":"error"} and change nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "people.h"
#include "report.h"
#include "site_server.h"
#include "utf8.h"

#define ROOM_MAX 64

enum args { ARGS_NONE, ARGS_OPTIONAL, ARGS_REQUIRED };

struct console_cmd {
	const char *name;
	enum args args;
	const char *usage;
	const char *help;
	int (*proc)(struct console *con, char *args);  /* 0 done, -1 reported error */
};

/* Strict decimal in [MIN, MAX]: no sign games, no trailing junk. */
static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Splits off the first word of *ARGS (NULL if none); *ARGS is the rest. */
static char *next_word(char **args)
{
	char *p = *args, *w;

	if (!p)
		return NULL;
	p += strspn(p, " \t");
	if (!*p) {
		*args = p;
		return NULL;
	}
	w = p;
	p += strcspn(p, " \t");
	if (*p)
		*p++ = '\0';
	*args = p;
	return w;
}

static int on_off(struct console *con, const char *arg, bool *out)
{
	if (arg && !strcmp(arg, "on"))
		*out = true;
	else if (arg && !strcmp(arg, "off"))
		*out = false;
	else {
		report_error(con->report, "say on or off");
		return -1;
	}
	return 0;
}

static int need_bot(struct console *con, int n)
{
	if (n > 0)
		return 0;
	report_error(con->report, "no bot connected");
	return -1;
}

/* --- commands ----------------------------------------------------------------- */

static int cmd_acks(struct console *con, char *args)
{
	bool on;

	if (on_off(con, next_word(&args), &on))
		return -1;
	site_set_acks(con->srv, on);
	report_say(con->report, "* heartbeat acks %s", on ? "on" : "off");
	return 0;
}

static int cmd_big(struct console *con, char *args)
{
	char *kib_s = next_word(&args), *name = next_word(&args);
	const struct person *who;
	long kib;
	int n;

	if (parse_int(kib_s, 1, 16384, &kib)) {
		report_error(con->report, "/big: KIB must be 1..16384");
		return -1;
	}
	if (name)
		who = people_speaker(con->people, name);
	else
		who = people_at(con->people, 0) ? people_at(con->people, 0)
						: people_speaker(con->people, "anna");
	if (!who) {
		report_error(con->report, "/big: not a name: %s", name);
		return -1;
	}
	n = site_big(con->srv, (size_t)kib * 1024, who);
	if (n < 0) {
		report_error(con->report, "/big: %ld KiB is too small for a message frame", kib);
		return -1;
	}
	return need_bot(con, n);
}

static void console_chat(struct console *con, char *line);

/* "/burst mia> !ping || mark> !whoami || /dup": the lines as frames in one TCP segment. */
static int cmd_burst(struct console *con, char *args)
{
	char *part = args;

	site_burst_begin(con->srv);
	while (part) {
		char *sep = strstr(part, "||"), *end;
		if (sep)
			*sep = '\0';
		part += strspn(part, " \t");
		for (end = part + strlen(part); end > part && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		if (!strcmp(part, "/dup")) {
			if (site_dup(con->srv) < 0) {
				report_error(con->report, "/burst: /dup: no message yet");
				site_burst_end(con->srv);
				return -1;
			}
		} else if (*part) {
			console_chat(con, part);
		}
		part = sep ? sep + 2 : NULL;
	}
	site_burst_end(con->srv);
	return 0;
}

static int cmd_bot(struct console *con, char *args)
{
	char *name = next_word(&args);
	const struct person *who = name ? people_bot(con->people, name) : NULL;

	if (!who) {
		report_error(con->report, "/bot: not a name: %s", name ? name : "");
		return -1;
	}
	args += strspn(args, " \t");
	if (!*args) {
		report_error(con->report, "usage: /bot NAME TEXT");
		return -1;
	}
	site_post(con->srv, who, "lobby", args);
	return 0;
}

static int cmd_close(struct console *con, char *args)
{
	char *code_s = next_word(&args);
	long code;
	int n;

	if (parse_int(code_s, 1000, 4999, &code)) {
		report_error(con->report, "/close: CODE must be 1000..4999");
		return -1;
	}
	args += strspn(args, " \t");
	n = site_close(con->srv, (int)code, args);
	if (n < 0) {
		report_error(con->report, "/close: the reason is longer than 123 bytes");
		return -1;
	}
	if (need_bot(con, n))
		return -1;
	report_say(con->report, "* closing with %ld%s%s", code, *args ? " " : "", args);
	return 0;
}

static int cmd_drop(struct console *con, char *args)
{
	if (need_bot(con, site_drop(con->srv)))
		return -1;
	report_say(con->report, "* dropping the connection (no close frame)");
	return 0;
}

static int cmd_dup(struct console *con, char *args)
{
	int n = site_dup(con->srv);

	if (n < 0) {
		report_error(con->report, "/dup: no message yet");
		return -1;
	}
	return need_bot(con, n);
}

static int cmd_expire(struct console *con, char *args)
{
	site_expire(con->srv);
	report_say(con->report, "* all sessions forgotten: the next resume gets invalid_session");
	return 0;
}

static int cmd_help(struct console *con, char *args)
{
	console_help(con);
	return 0;
}

static int cmd_person(struct console *con, char *args)
{
	char *name = next_word(&args), *uid = next_word(&args);
	const char *why = NULL;

	if (!uid) {
		report_error(con->report, "usage: /person NAME UID [DISPLAY NAME]");
		return -1;
	}
	args += strspn(args, " \t");
	if (people_define(con->people, name, uid, *args ? args : NULL, &why)) {
		report_error(con->report, "/person: %s", why);
		return -1;
	}
	report_say(con->report, "* %s now speaks as %s", name, uid);
	return 0;
}

/* "/lose N [TYPE]": the next N actions (of TYPE) go unanswered and unshown. */
static int cmd_lose(struct console *con, char *args)
{
	char *n_s = next_word(&args), *type = next_word(&args);
	long n;

	if (parse_int(n_s, 0, 1000000, &n) || next_word(&args) ||
	    (type && strcmp(type, "send") && strcmp(type, "dm") && strcmp(type, "system"))) {
		report_error(con->report, "usage: /lose N [send|dm|system]");
		return -1;
	}
	site_set_lose(con->srv, (int)n, type);
	report_say(con->report, "* the next %ld action%s%s%s get%s no answer", n, n == 1 ? "" : "s",
		   type ? " of type " : "", type ? type : "", n == 1 ? "s" : "");
	return 0;
}

/* "/garble N": the next N actions are refused with bad_request without a ref. */
static int cmd_garble(struct console *con, char *args)
{
	char *n_s = next_word(&args);
	long n;

	if (parse_int(n_s, 0, 1000000, &n) || next_word(&args)) {
		report_error(con->report, "usage: /garble N");
		return -1;
	}
	site_set_garble(con->srv, (int)n);
	report_say(con->report, "* the next %ld action%s get%s bad_request without a ref",
		   n, n == 1 ? "" : "s", n == 1 ? "s" : "");
	return 0;
}

static int cmd_quit(struct console *con, char *args)
{
	con->quit(con->arg);
	return 0;
}

static int cmd_ratelimit(struct console *con, char *args)
{
	char *n_s = next_word(&args), *retry_s = next_word(&args);
	long n, retry = 500;

	if (parse_int(n_s, 0, 1000000, &n) || (retry_s && parse_int(retry_s, 1, 3600000, &retry))) {
		report_error(con->report, "usage: /ratelimit N [RETRY_MS]");
		return -1;
	}
	site_set_ratelimit(con->srv, (int)n, (int)retry);
	report_say(con->report, "* the next %ld action%s get%s rate_limited (retry_ms %ld)",
		   n, n == 1 ? "" : "s", n == 1 ? "s" : "", retry);
	return 0;
}

static int cmd_raw(struct console *con, char *args)
{
	return need_bot(con, site_raw(con->srv, args ? args : ""));
}

static int cmd_reconnect(struct console *con, char *args)
{
	if (need_bot(con, site_reconnect(con->srv)))
		return -1;
	report_say(con->report, "* asked dutybot to reconnect");
	return 0;
}

static int cmd_refuse(struct console *con, char *args)
{
	bool on;

	if (on_off(con, next_word(&args), &on))
		return -1;
	site_set_refuse(con->srv, on);
	report_say(con->report, "* %s new connections", on ? "refusing" : "accepting");
	return 0;
}

static int cmd_self(struct console *con, char *args)
{
	args += strspn(args, " \t");
	if (!*args) {
		report_error(con->report, "usage: /self TEXT");
		return -1;
	}
	site_post(con->srv, people_self(con->people), "lobby", args);
	return 0;
}

static int cmd_tokens(struct console *con, char *args)
{
	if (site_set_tokens(con->srv, args)) {
		report_error(con->report, "usage: /tokens TOKEN [TOKEN...]");
		return -1;
	}
	report_say(con->report, "* accepted tokens changed");
	return 0;
}

/* Sorted by name. */
static const struct console_cmd console_cmds[] = {
	{ "acks", ARGS_REQUIRED, "/acks on|off", "answer heartbeats or not", cmd_acks },
	{ "big", ARGS_REQUIRED, "/big KIB [NAME]",
	  "send a valid message frame of KIB KiB: \"!ping\" padded with spaces", cmd_big },
	{ "bot", ARGS_REQUIRED, "/bot NAME TEXT", "a message from a bot user (bot:true)", cmd_bot },
	{ "burst", ARGS_REQUIRED, "/burst LINE || LINE || ...",
	  "chat lines (or /dup) sent in one TCP segment", cmd_burst },
	{ "close", ARGS_REQUIRED, "/close CODE [REASON]", "close with a close frame", cmd_close },
	{ "drop", ARGS_NONE, "/drop", "close the TCP connection without a close frame", cmd_drop },
	{ "dup", ARGS_NONE, "/dup", "send the last message frame again, same id", cmd_dup },
	{ "expire", ARGS_NONE, "/expire", "forget all sessions (resume gets invalid_session)",
	  cmd_expire },
	{ "garble", ARGS_REQUIRED, "/garble N",
	  "answer the next N actions with bad_request without a ref (an unreadable frame)", cmd_garble },
	{ "help", ARGS_NONE, "/help", "this list", cmd_help },
	{ "lose", ARGS_REQUIRED, "/lose N [send|dm|system]",
	  "leave the next N actions (of that type) unanswered and unshown (a lost frame)", cmd_lose },
	{ "person", ARGS_REQUIRED, "/person NAME UID [DISPLAY NAME]",
	  "NAME> now speaks as site user UID (e.g. staff added at run time)", cmd_person },
	{ "quit", ARGS_NONE, "/quit", "exit", cmd_quit },
	{ "ratelimit", ARGS_REQUIRED, "/ratelimit N [RETRY_MS]",
	  "answer the next N actions with rate_limited (retry 500 ms)", cmd_ratelimit },
	{ "raw", ARGS_OPTIONAL, "/raw TEXT", "send TEXT verbatim as one text frame", cmd_raw },
	{ "reconnect", ARGS_NONE, "/reconnect", "send {\"type\":\"reconnect\"}", cmd_reconnect },
	{ "refuse", ARGS_REQUIRED, "/refuse on|off", "refuse new WebSocket handshakes", cmd_refuse },
	{ "self", ARGS_REQUIRED, "/self TEXT", "a message from the bot's own user b1", cmd_self },
	{ "tokens", ARGS_REQUIRED, "/tokens TOKEN [TOKEN...]", "change the accepted token(s)",
	  cmd_tokens },
};

void console_help(struct console *con)
{
	/* chatting as someone is what a newcomer wants first; the faults come after */
	report_say(con->report, "Chat as anyone:");
	report_say(con->report, "  %-26s %s", "NAME> TEXT", "NAME says TEXT in the lobby (e.g. mia> !help)");
	report_say(con->report, "  %-26s %s", "NAME@ROOM> TEXT", "... in room ROOM (e.g. mia@ops> !duty)");
	report_say(con->report, "  %-26s %s", "NAME@dm> TEXT", "... privately to the bot");
	report_say(con->report, "  %-26s %s", "", "a name the config does not know is a chat friend");
	report_say(con->report, "Site commands (the site misbehaving on purpose, and more):");
	for (size_t i = 0; i < sizeof(console_cmds) / sizeof(console_cmds[0]); i++)
		report_say(con->report, "  %-26s %s", console_cmds[i].usage, console_cmds[i].help);
}

static int cmd_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct console_cmd *)elem)->name);
}

static void console_command(struct console *con, char *line)
{
	char *name = line + 1, *args;
	const struct console_cmd *cmd;
	size_t n = strcspn(name, " \t");
	cJSON *ev;

	args = name + n;
	if (*args)
		*args++ = '\0';
	else
		args = NULL;
	cmd = bsearch(name, console_cmds, sizeof(console_cmds) / sizeof(console_cmds[0]),
		      sizeof(console_cmds[0]), cmd_cmp);
	if (!cmd) {
		report_error(con->report, "unknown command /%s (try /help)", name);
		return;
	}
	if (args && cmd->args != ARGS_OPTIONAL && !args[strspn(args, " \t")])
		args = NULL;
	if ((cmd->args == ARGS_NONE && args) || (cmd->args == ARGS_REQUIRED && !args)) {
		report_error(con->report, "usage: %s", cmd->usage);
		return;
	}
	if (cmd->proc(con, args ? args : (char *)""))
		return;
	ev = report_ev("cmd");
	cJSON_AddStringToObject(ev, "cmd", cmd->name);
	report_event(con->report, ev, NULL);
}

static void console_chat(struct console *con, char *line)
{
	char *gt = strchr(line, '>'), *head = line, *text, *at, *end;
	const char *room = "lobby";
	const struct person *who;

	if (!gt) {
		report_error(con->report, "not understood: %.60s (type NAME> TEXT, or /help)", line);
		return;
	}
	*gt = '\0';
	text = gt + 1;
	text += strspn(text, " \t");
	head += strspn(head, " \t");
	for (end = head + strlen(head); end > head && (end[-1] == ' ' || end[-1] == '\t');)
		*--end = '\0';
	at = strchr(head, '@');
	if (at) {
		*at = '\0';
		room = at + 1;
		if (!strcmp(room, "dm"))
			room = NULL;
		else if (!*room || strlen(room) > ROOM_MAX || strpbrk(room, " \t@")) {
			report_error(con->report, "not a room: %.70s", room);
			return;
		}
	}
	if (!*text) {
		report_error(con->report, "empty message (type NAME> TEXT)");
		return;
	}
	who = people_speaker(con->people, head);
	if (!who) {
		report_error(con->report, "not a name: %.40s (letters, digits, _ . -; at most 32)",
			     head);
		return;
	}
	site_post(con->srv, who, room, text);
}

void console_line(struct console *con, char *line)
{
	size_t len = strlen(line);

	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (utf8_count(line, len) < 0) {
		report_error(con->report, "the line is not valid UTF-8");
		return;
	}
	if (!line[strspn(line, " \t")])
		return;
	if (line[0] == '/')
		console_command(con, line);
	else
		console_chat(con, line);
}
