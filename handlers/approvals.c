/*
 * approvals: the commands of the one approval engine (state/scripts/
 * _3approvals.lua): !pending, !approve, !deny, and !swap accept|decline,
 * which decide a swap's first step.  Who may decide a step is the engine's
 * business, checked in the same atomic step as the decision.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "bot/daemon.h"
#include "bot/commands.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "role:minister" or "person:vera" in the reader's words. */
static const char *who_text(struct request *req, const char *who, char *buf, size_t n)
{
	if (strncmp(who, "role:", 5) == 0) {
		int role = config_role_parse(who + 5);
		MSGN(req, buf, n, MSG_APPROVAL_WHO_ROLE, "role", role > 0 ? role_display((enum role)role, req->caller.lang) : who + 5);
	} else {
		const char *colon = strchr(who, ':');     /* person:<id>, advice:<id> */
		snprintf(buf, n, "%s", colon ? colon + 1 : who);
	}
	return buf;
}

static void on_decided(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const char *id = req->data_person;
	char who[128];

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_found"))
		refuse(req, MSG_APPROVAL_NOT_FOUND, "id", id);
	else if (reply_is(r, "closed"))
		refuse(req, MSG_APPROVAL_CLOSED, "id", id, "state", reply_str(r, 1));
	else if (reply_is(r, "own"))
		refuse(req, MSG_APPROVAL_OWN, "id", id);
	else if (reply_is(r, "twice"))
		refuse(req, MSG_APPROVAL_TWICE, "id", id);
	else if (reply_is(r, "not_yours"))
		refuse(req, MSG_APPROVAL_NOT_YOURS, "id", id, "who", who_text(req, reply_str(r, 1), who, sizeof(who)));
	else if (reply_is(r, "denied"))
		reply(req, MSG_APPROVAL_DENIED_OK, "id", id, "summary", reply_str(r, 2));
	else if (reply_is(r, "advanced"))
		reply(req, MSG_APPROVAL_ADVANCED, "id", id, "summary", reply_str(r, 2),
		    "who", who_text(req, reply_str(r, 3), who, sizeof(who)));
	else if (reply_is(r, "failed")) {
		int why = catalog_id_by_name(reply_str(r, 3));
		req->result = RESULT_REFUSED;
		reply(req, MSG_APPROVAL_FAILED, "id", id, "summary", reply_str(r, 2),
		    "why", why >= 0 ? catalog_text(req->caller.lang, (enum msg_id)why) : reply_str(r, 3));
	} else
		reply(req, MSG_APPROVAL_APPROVED_OK, "id", id, "summary", reply_str(r, 2));
	request_done(req);
}

/* S-12 / pr-3 -> "S-12" / "PR-3": one or two letters, a dash, digits. */
static bool approval_id(const char *arg, char *out, size_t n)
{
	size_t len = strlen(arg), letters = 0;

	while (letters < len && isalpha((unsigned char)arg[letters]))
		letters++;
	if (letters < 1 || letters > 2 || len < letters + 2 || len >= n || arg[letters] != '-')
		return false;
	for (size_t i = letters + 1; i < len; i++)
		if (!isdigit((unsigned char)arg[i]))
			return false;
	for (size_t i = 0; i <= len; i++)
		out[i] = i < letters ? (char)toupper((unsigned char)arg[i]) : arg[i];
	return true;
}

void approval_decide_as(struct request *req, const char *arg, const char *verdict, const char *reason)
{
	struct state_args *a;

	if (!approval_id(arg, req->data_person, sizeof(req->data_person))) {
		refuse(req, MSG_APPROVAL_NOT_FOUND, "id", arg);
		request_done(req);
		return;
	}
	a = script_args(req, "approvals:open");
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, req->data_person);
	state_args_add(a, verdict);
	state_args_add(a, reason);
	state_eval(request_state(req), SCRIPT_APPROVAL_DECIDE, 1, a, on_decided, req);
}

void approve_cmd(struct request *req)
{
	approval_decide_as(req, req->cmd.argv[1], "approve", parse_rest(&req->cmd, 2));
}

void deny_cmd(struct request *req)
{
	approval_decide_as(req, req->cmd.argv[1], "deny", parse_rest(&req->cmd, 2));
}

void swap_accept_cmd(struct request *req)
{
	if (toupper((unsigned char)req->cmd.argv[2][0]) != 'S') {
		refuse(req, MSG_APPROVAL_NOT_FOUND, "id", req->cmd.argv[2]);
		request_done(req);
		return;
	}
	approval_decide_as(req, req->cmd.argv[2], strcmp(req->command->sub, "accept") == 0 ? "approve" : "deny",
	    req->cmd.argc > 3 ? parse_rest(&req->cmd, 3) : "declined");
}

static void on_pending(const redisReply *r, const char *err, void *privdata)
{
	static const char *const keys[] = { "id", "summary", "by", "created" };
	struct request *req = privdata;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	reply_rows_done(req, r, 4, keys, MSG_PENDING_HEADER, MSG_PENDING_LINE, MSG_PENDING_NONE);
}

void pending_cmd(struct request *req)
{
	struct state_args *a = state_args_new();

	state_args_addf(a, "%sapprovals:open", state_prefix(request_state(req)));
	state_args_add(a, state_prefix(request_state(req)));
	state_args_add(a, req->caller.id);
	state_args_addf(a, "%d", (int)req->caller.role);
	state_eval(request_state(req), SCRIPT_APPROVALS_PENDING, 1, a, on_pending, req);
}
