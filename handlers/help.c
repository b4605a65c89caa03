/*
 * help: generated from the command table, per caller: a person sees only
 * the commands they may run, in their language.
 */
#include "handlers/handlers.h"
#include "handlers/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#define HELP_MAX 16384

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
		if (!command_matches(c, name, sub) || !command_allowed(c, &req->caller))
			continue;
		snprintf(usage, sizeof(usage), "%s%s", prefix, c->usage);
		MSG(req, line, MSG_HELP_DETAIL, "usage", usage,
		    "help", catalog_text(req->caller.lang, c->help),
		    "role", role_display(c->min_role, req->caller.lang));
		len += (size_t)snprintf(out + len, len < HELP_MAX ? HELP_MAX - len : 0, "%s%s", len ? "\n\n" : "", line);
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

void help_cmd(struct request *req)
{
	const char *prefix = request_config(req)->command_prefix;
	char *out;
	size_t len = 0;
	char usage[256], line[1024];

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
		help_one(req, name, sub[0] ? sub : NULL);
		return;
	}
	out = malloc(HELP_MAX);
	if (out == NULL) {
		request_done(req);
		return;
	}
	len = strlen(MSGN(req, out, HELP_MAX, MSG_HELP_HEADER, "role", role_display(req->caller.role, req->caller.lang)));
	for (size_t i = 0; i < n_commands && len < HELP_MAX; i++) {
		const struct command *c = &commands[i];
		if (!command_allowed(c, &req->caller))
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
	request_done(req);
}
