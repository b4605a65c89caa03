/*
 * visits: a chat friend who comes to talk, not to complain (!ask, or a
 * private line to the bot that is no command: bot/dispatch.c hands it to
 * visits_line), greeted in their language and handed to the best agent by
 * the complaints' routing (state/scripts/visits.lua on _4complaints.lua);
 * the friend's further private lines go to that agent, tagged V-n.  The
 * agent answers through the bot (!reply), so the friend reads only what was
 * meant for them (never a !visit note); !visit close thanks them; !visits lists.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VISITS_TEXT_MAX 8192

/* "V-3" (or "v-3") into OUT; false when ARG is no visit id. */
static bool visit_id(const char *arg, char *out, size_t n)
{
	size_t len = strlen(arg);

	if (len < 3 || len >= n || toupper((unsigned char)arg[0]) != 'V' || arg[1] != '-')
		return false;
	for (size_t i = 2; i < len; i++)
		if (!isdigit((unsigned char)arg[i]))
			return false;
	snprintf(out, n, "V-%s", arg + 2);
	return true;
}

/* ---- the friend's side ---- */

static void on_asked(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const char *name = req->caller.name[0] ? req->caller.name : req->user_id;
	bool again = err == NULL && strcmp(reply_str(r, 3), "1") == 0;

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "asking"))
		reply_private(req, MSG_VISIT_GREET_ASK, "name", name, "id", reply_str(r, 1));
	else if (reply_is(r, "routed"))      /* greeted once: "hello" again only when new */
		reply_private(req, again ? MSG_VISIT_ROUTED : MSG_VISIT_GREET_ROUTED, "name", name, "id", reply_str(r, 1),
		    "agent", reply_str(r, 2));
	else if (reply_is(r, "queued"))
		reply_private(req, again ? MSG_VISIT_QUEUED : MSG_VISIT_GREET_QUEUED, "name", name, "id", reply_str(r, 1));
	else if (reply_is(r, "already") && *reply_str(r, 2))
		reply_private(req, MSG_VISIT_ALREADY, "id", reply_str(r, 1), "agent", reply_str(r, 2));
	else if (reply_is(r, "already") || reply_is(r, "waiting"))
		reply_private(req, MSG_VISIT_WAITING, "id", reply_str(r, 1));
	/* "forwarded": the agent has it and answers; a receipt for every line would be noise */
	request_done(req);
}

/* Opens the caller's visit with TEXT ("" : no reason given), or adds TEXT to the open one. */
static void visit_open(struct request *req, const char *text)
{
	struct state_args *a = complaints_state_args(req, "ask");

	state_args_add(a, req->caller.identity);
	state_args_add(a, req->caller.name[0] ? req->caller.name : req->user_id);
	state_args_add(a, req->caller.lang);
	state_args_add(a, text);
	state_eval(request_state(req), SCRIPT_VISITS, 1, a, on_asked, req);
}

/* !ask [question]: a chat friend's; staff have the visits' other end */
void ask_cmd(struct request *req)
{
	if (req->caller.role > ROLE_FRIEND) {
		refuse(req, MSG_VISIT_STAFF);
		request_done(req);
		return;
	}
	visit_open(req, parse_rest(&req->cmd, 1));
}

/* A chat friend's private line that is no command: their visit goes on, or starts. */
void visits_line(struct request *req)
{
	visit_open(req, req->text);
}

/* ---- the agent's side: !reply V-n <text>, !visit note|close V-n ---- */

/* What was done to a visit, for the words of the answer. */
enum visit_done { VISIT_REPLIED, VISIT_NOTED, VISIT_CLOSED };

static void visit_answer(const redisReply *r, const char *err, struct request *req, enum visit_done done)
{
	const char *id = req->data_person;

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_found"))
		refuse(req, MSG_VISIT_NOT_FOUND, "id", id);
	else if (reply_is(r, "closed"))
		refuse(req, MSG_VISIT_CLOSED_ALREADY, "id", id, "who", reply_str(r, 1));
	else if (reply_is(r, "not_yours"))
		refuse(req, MSG_VISIT_NOT_YOURS, "id", id, "agent", reply_str(r, 1));
	else
		reply(req, done == VISIT_CLOSED ? MSG_VISIT_CLOSED_OK : done == VISIT_NOTED ? MSG_VISIT_NOTED : MSG_VISIT_REPLIED,
		    "id", id, "friend", reply_str(r, 1));
	request_done(req);
}

static void on_replied(const redisReply *r, const char *err, void *privdata)
{
	visit_answer(r, err, privdata, VISIT_REPLIED);
}

static void on_noted(const redisReply *r, const char *err, void *privdata)
{
	visit_answer(r, err, privdata, VISIT_NOTED);
}

static void on_closed(const redisReply *r, const char *err, void *privdata)
{
	visit_answer(r, err, privdata, VISIT_CLOSED);
}

/* The visit ARG names, into data_person; false (answered) when it is none. */
static bool visit_arg(struct request *req, const char *arg)
{
	if (visit_id(arg, req->data_person, sizeof(req->data_person)))
		return true;
	refuse(req, MSG_VISIT_NOT_FOUND, "id", arg);
	request_done(req);
	return false;
}

/* OP ("reply" or "close") on the visit in data_person, with TEXT. */
static void visit_act(struct request *req, const char *op, const char *text, state_cb *answer)
{
	struct state_args *a = complaints_state_args(req, op);

	state_args_add(a, req->data_person);
	state_args_add(a, text);
	state_args_addf(a, "%d", (int)req->caller.role);
	state_eval(request_state(req), SCRIPT_VISITS, 1, a, answer, req);
}

/* !reply V-n <text>: goes to the friend, so nothing in it may ping anyone */
void reply_cmd(struct request *req)
{
	char *text;

	bool blank = true;

	if (!visit_arg(req, req->cmd.argv[1]))
		return;
	/* the row wants a word of text; a quoted "" or " " is a word, but nothing to send */
	for (int i = 2; i < req->cmd.argc; i++)
		blank &= strspn(req->cmd.argv[i], " \t") == strlen(req->cmd.argv[i]);
	if (blank) {
		refuse(req, MSG_VISIT_REPLY_EMPTY, "id", req->data_person);
		request_done(req);
		return;
	}
	if ((text = complaints_unmention(parse_rest(&req->cmd, 2))) == NULL) {
		reply_state_error(req, "out of memory");
		request_done(req);
		return;
	}
	visit_act(req, "reply", text, on_replied);
	free(text);
}

/* !visit note V-n <text>: for the staff only */
void visit_note_cmd(struct request *req)
{
	if (visit_arg(req, req->cmd.argv[2]))
		visit_act(req, "note", parse_rest(&req->cmd, 3), on_noted);
}

/* !visit close V-n */
void visit_close_cmd(struct request *req)
{
	if (visit_arg(req, req->cmd.argv[2]))
		visit_act(req, "close", "", on_closed);
}

/* ---- !visits [open|mine] ---- */

static void on_visits(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	size_t rows = r != NULL && r->type == REDIS_REPLY_ARRAY ? r->elements / 5 : 0, len;
	char *out, line[1024];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (rows == 0) {
		reply(req, req->data_word ? MSG_VISITS_NONE_MINE : MSG_VISITS_NONE);
	} else if ((out = malloc(VISITS_TEXT_MAX)) == NULL) {
		reply_state_error(req, "out of memory");
	} else {
		len = strlen(MSGN(req, out, VISITS_TEXT_MAX, MSG_VISITS_HEADER));
		for (size_t i = 0; i < rows && len + 1 < VISITS_TEXT_MAX; i++) {
			const char *agent = reply_str(r, i * 5 + 2);
			MSG(req, line, *agent ? MSG_VISITS_LINE : MSG_VISITS_LINE_NOBODY, "id", reply_str(r, i * 5),
			    "state", reply_str(r, i * 5 + 1), "agent", agent, "friend", reply_str(r, i * 5 + 3),
			    "text", reply_str(r, i * 5 + 4));
			len += (size_t)snprintf(out + len, VISITS_TEXT_MAX - len, "\n%s", line);
		}
		reply_text(req, out);
		free(out);
	}
	request_done(req);
}

void visits_cmd(struct request *req)
{
	const char *which = req->cmd.argc > 1 ? req->cmd.argv[1] : "";
	struct state_args *a;

	if (req->cmd.argc > 2 || (*which && strcmp(which, "open") != 0 && strcmp(which, "mine") != 0)) {
		reply_usage(req);
		request_done(req);
		return;
	}
	req->data_word = strcmp(which, "mine") == 0;
	a = complaints_state_args(req, "list");
	state_args_add(a, which);
	state_eval(request_state(req), SCRIPT_VISITS, 1, a, on_visits, req);
}
