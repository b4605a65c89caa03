/*
 * help: generated from the command table, per caller, in their language.
 * !help is one short message a person reads mid-shift: each area they have
 * commands in, with its most used ones (the rows' .top) and the word that
 * lists the rest; a minister or webmaster whose roster of today is empty
 * also reads how to fill it.  !help <area> lists an area, !help <command>
 * explains one, !help all lists everything.  Only what the caller can use now is shown (role, level and
 * the row's usable()).
 */
#include "handlers/handlers.h"
#include "handlers/commands.h"
#include "handlers/shifts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#define HELP_MAX 16384
#define HELP_TOP 3                      /* commands per area in the short help */
#define HELP_RANK_MAX 16                /* the highest .top a row may have */

static void help_one(struct request *req, const char *name, const char *sub)
{
	const char *prefix = request_config(req)->command_prefix;
	char *out = malloc(HELP_MAX);
	size_t len = 0;
	char usage[256], line[1024];

	if (out == NULL) {
		request_done(req);
		return;
	}
	out[0] = '\0';
	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		if (!command_matches(c, name, sub) || !command_usable(c, &req->caller))
			continue;
		snprintf(usage, sizeof(usage), "%s%s", prefix, c->usage);
		MSG(req, line, MSG_HELP_DETAIL, "usage", usage,
		    "help", catalog_text(req->caller.lang, c->help),
		    "role", role_display(c->min_role, req->caller.lang));
		len += (size_t)snprintf(out + len, len < HELP_MAX ? HELP_MAX - len : 0, "%s%s", len ? "\n\n" : "", line);
		if (c->example != NULL) {
			snprintf(usage, sizeof(usage), "%s%s", prefix, c->example);
			MSG(req, line, MSG_HELP_EXAMPLE, "example", usage);
			len += (size_t)snprintf(out + len, len < HELP_MAX ? HELP_MAX - len : 0, "\n%s", line);
		}
	}
	if (len == 0) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "%s%s%s%s", prefix, name, sub ? " " : "", sub ? sub : "");
		refuse(req, MSG_HELP_NO_SUCH, "cmd", cmd, "prefix", prefix);
	} else {
		reply_text(req, out);
	}
	free(out);
	request_done(req);
}

/* The area named WORD, or AREA_MAX. */
static enum command_area help_area_named(const char *word)
{
	for (int a = 0; a < AREA_MAX; a++)
		if (strcmp(command_areas[a].word, word) == 0)
			return (enum command_area)a;
	return AREA_MAX;
}

/* Every row of AREA the caller can use, one "usage — help" line each; false
 * (nothing answered) when there is none. */
static bool help_area(struct request *req, enum command_area area)
{
	const char *prefix = request_config(req)->command_prefix;
	char *out = malloc(HELP_MAX);
	size_t len = 0;
	char usage[256], line[1024];
	int n = 0;

	if (out == NULL)
		return false;
	len = strlen(MSGN(req, out, HELP_MAX, MSG_HELP_AREA_HEADER,
	    "area", catalog_text(req->caller.lang, command_areas[area].title)));
	for (size_t i = 0; i < n_commands && len < HELP_MAX; i++) {
		const struct command *c = &commands[i];
		if (c->area != area || !command_usable(c, &req->caller))
			continue;
		snprintf(usage, sizeof(usage), "%s%s", prefix, c->usage);
		MSG(req, line, MSG_HELP_LINE, "usage", usage, "help", catalog_text(req->caller.lang, c->help));
		len += (size_t)snprintf(out + len, HELP_MAX - len, "\n%s", line);
		n++;
	}
	if (n > 0 && len < HELP_MAX) {
		MSG(req, line, MSG_HELP_FOOTER, "prefix", prefix);
		snprintf(out + len, HELP_MAX - len, "\n%s", line);
		reply_text(req, out);
	}
	free(out);
	return n > 0;
}

/* "!duty · !roster · !checkin" for AREA into OUT: the caller's most used
 * rows of it, by rank (then the first usable ones).  Returns 0 when the
 * caller can use none of AREA, > 0 when there are more than shown, < 0 when
 * all are shown; *FIRST is the first row shown. */
static int help_area_top(struct request *req, enum command_area area, char *out, size_t n,
                         const struct command **first)
{
	const char *prefix = request_config(req)->command_prefix;
	const struct command *shown[HELP_TOP];
	int usable = 0, k = 0;
	size_t len = 0;
	char label[64];

	for (unsigned rank = 1; rank <= HELP_RANK_MAX && k < HELP_TOP; rank++)
		for (size_t i = 0; i < n_commands && k < HELP_TOP; i++)
			if (commands[i].area == area && commands[i].top == rank && command_usable(&commands[i], &req->caller))
				shown[k++] = &commands[i];
	for (size_t i = 0; i < n_commands; i++) {
		const struct command *c = &commands[i];
		if (c->area != area || !command_usable(c, &req->caller))
			continue;
		usable++;
		if (k < HELP_TOP && c->top == 0)
			shown[k++] = c;
	}
	out[0] = '\0';
	for (int j = 0; j < k; j++)
		len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s%s", j ? " · " : "", prefix,
		    command_label(shown[j], label, sizeof(label)));
	*first = k ? shown[0] : NULL;
	return usable > k ? usable : (usable ? -usable : 0);
}

/* !help all: every command the caller can use, area by area (the long list
 * the short help stands in for; long, so it arrives in pieces). */
static void help_all(struct request *req)
{
	const char *prefix = request_config(req)->command_prefix;
	char *out = malloc(HELP_MAX);
	size_t len;
	char usage[256], line[1024];

	if (out == NULL)
		return;
	len = strlen(MSGN(req, out, HELP_MAX, MSG_HELP_HEADER, "role", role_display(req->caller.role, req->caller.lang)));
	for (int a = 0; a < AREA_MAX; a++)
		for (size_t i = 0; i < n_commands && len < HELP_MAX; i++) {
			const struct command *c = &commands[i];
			if (c->area != (enum command_area)a || !command_usable(c, &req->caller))
				continue;
			snprintf(usage, sizeof(usage), "%s%s", prefix, c->usage);
			MSG(req, line, MSG_HELP_LINE, "usage", usage, "help", catalog_text(req->caller.lang, c->help));
			len += (size_t)snprintf(out + len, HELP_MAX - len, "\n%s", line);
		}
	if (len < HELP_MAX) {
		MSG(req, line, MSG_HELP_FOOTER, "prefix", prefix);
		snprintf(out + len, HELP_MAX - len, "\n%s", line);
	}
	reply_text(req, out);
	free(out);
}

/* The short !help; HINT (or "") is the line that says how to fill an empty roster. */
static void help_short(struct request *req, const char *hint)
{
	const char *prefix = request_config(req)->command_prefix;
	const struct command *example = NULL;
	char *out = malloc(HELP_MAX);
	size_t len;
	char line[1024], cmds[512], label[64];

	if (out == NULL) {
		request_done(req);
		return;
	}
	len = strlen(MSGN(req, out, HELP_MAX, MSG_HELP_SHORT_HEADER,
	    "role", role_display(req->caller.role, req->caller.lang)));
	if (*hint)
		len += (size_t)snprintf(out + len, len < HELP_MAX ? HELP_MAX - len : 0, "\n%s", hint);
	for (int a = 0; a < AREA_MAX; a++) {
		const struct command *first;
		int more = help_area_top(req, (enum command_area)a, cmds, sizeof(cmds), &first);
		const char *title = catalog_text(req->caller.lang, command_areas[a].title);
		if (more == 0)
			continue;
		if (example == NULL && first != NULL && first->area != AREA_BASICS)
			example = first;
		if (more > 0)
			MSG(req, line, MSG_HELP_AREA_MORE, "area", title, "commands", cmds,
			    "prefix", prefix, "word", command_areas[a].word);
		else
			MSG(req, line, MSG_HELP_AREA_LINE, "area", title, "commands", cmds);
		len += (size_t)snprintf(out + len, len < HELP_MAX ? HELP_MAX - len : 0, "\n%s", line);
	}
	MSG(req, line, MSG_HELP_SHORT_FOOTER, "prefix", prefix,
	    "example", example ? command_label(example, label, sizeof(label)) : "ping");
	snprintf(out + len, len < HELP_MAX ? HELP_MAX - len : 0, "\n%s", line);
	reply_text(req, out);
	free(out);
	request_done(req);
}

static void on_help_roster(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char hint[512] = "";

	/* a store that does not answer costs the hint, not the help */
	if (err == NULL && shifts_day_empty(r))
		shifts_empty_hint(req, req->data_person, hint, sizeof(hint));
	help_short(req, hint);
}

void help_cmd(struct request *req)
{
	const char *prefix = request_config(req)->command_prefix;

	if (req->cmd.argc >= 2) {
		char name[64], sub[64];
		const char *n = req->cmd.argv[1];
		if (strncmp(n, prefix, strlen(prefix)) == 0)
			n += strlen(prefix);
		snprintf(name, sizeof(name), "%s", n);
		snprintf(sub, sizeof(sub), "%s", req->cmd.argc >= 3 ? req->cmd.argv[2] : "");
		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		for (char *p = sub; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!sub[0] && strcmp(name, "all") == 0) {
			help_all(req);
			request_done(req);
			return;
		}
		if (!sub[0] && help_area_named(name) != AREA_MAX && help_area(req, help_area_named(name))) {
			request_done(req);
			return;
		}
		help_one(req, name, sub[0] ? sub : NULL);
		return;
	}
	/* those who fill the roster learn here when today's is empty */
	if (req->caller.role >= ROLE_MINISTER && request_config(req)->n_shifts > 0)
		shifts_read_today(req, on_help_roster);
	else
		help_short(req, "");
}
