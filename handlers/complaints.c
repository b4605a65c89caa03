/*
 * complaints: chat friends' complaints and suggestions: intake (!complain,
 * !suggest, !complaint new), routing to the best agent on duty in one
 * atomic step (state/scripts/_4complaints.lua), the queue that is drained
 * whenever capacity may appear (a check-in, a shift's start - a durable
 * timer -, a resolve, a reassignment), first-response SLAs as durable
 * timers, !complaint take|assign|note|reply|group|resolve, !complaints,
 * !task and !rate.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/shift_time.h"
#include "bot/lib/log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMPLAINT_TEXT_MAX 8192

static const char *const priorities[] = { "urgent", "high", "normal", "low" };

/* The head every complaints.lua call takes: the standard one, op, running
 * shift instances, capacities per level, group gates. */
static struct state_args *complaint_args_for(const struct config *cfg, struct state *st, const char *actor,
                                            const char *src, int64_t now, const char *op)
{
	char running[512], caps[128], groups[512];
	size_t glen = 0;
	struct state_args *a = state_args_new();

	groups[0] = '\0';
	snprintf(caps, sizeof(caps), "TRN=%d,CCS=%d,PAM=%d,SAM=%d", cfg->complaints.capacity[LEVEL_TRN],
	    cfg->complaints.capacity[LEVEL_CCS], cfg->complaints.capacity[LEVEL_PAM], cfg->complaints.capacity[LEVEL_SAM]);
	for (size_t i = 0; i < cfg->n_groups; i++)
		glen += (size_t)snprintf(groups + glen, glen < sizeof(groups) ? sizeof(groups) - glen : 0, "%s%s=%s",
		    i ? "," : "", cfg->groups[i].name, config_level_name(cfg->groups[i].min_level));
	state_args_addf(a, "%scomplaints:queue", state_prefix(st));
	state_args_add(a, state_prefix(st));
	state_args_addf(a, "%lld", (long long)now);
	state_args_add(a, actor);
	state_args_add(a, src);
	state_args_add(a, op);
	state_args_add(a, shift_running(cfg, now, running, sizeof(running)));
	state_args_add(a, caps);
	state_args_add(a, groups);
	return a;
}

static struct state_args *complaint_args(struct request *req, const char *op)
{
	char src[200];

	snprintf(src, sizeof(src), "%s:%s", request_conn_name(req), req->msg_id ? req->msg_id : "-");
	return complaint_args_for(request_config(req), request_state(req), actor_of(req), src, request_now(req), op);
}

/* The same head for visits.lua, which routes by the same rules (handlers/visits.c). */
struct state_args *complaints_state_args(struct request *req, const char *op)
{
	return complaint_args(req, op);
}

static int priority_index(const char *p)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(p, priorities[i]) == 0)
			return i;
	return -1;
}

static bool complaint_id(const char *arg, char *out, size_t n)
{
	size_t len = strlen(arg);

	if (len < 3 || len >= n || toupper((unsigned char)arg[0]) != 'C' || arg[1] != '-')
		return false;
	for (size_t i = 2; i < len; i++)
		if (!isdigit((unsigned char)arg[i]))
			return false;
	snprintf(out, n, "C-%s", arg + 2);
	return true;
}

/* ---- intake ---- */

/* Who filed what: a friend's (or anyone's own) complaint, a suggestion, or staff for a friend. */
enum filing { FILED_OWN, FILED_SUGGESTION, FILED_FOR_FRIEND };

static void filed_answer(const redisReply *r, const char *err, struct request *req, enum filing filing)
{
	if (err != NULL) {
		reply_state_error(req, err);
	} else if (reply_is(r, "held")) {
		char hm[6];
		when_hhmm(strtoll(reply_str(r, 2), NULL, 10), hm);
		reply_private(req, MSG_COMPLAINT_HELD, "id", reply_str(r, 1), "time", hm);
	} else if (filing == FILED_SUGGESTION) {
		reply_private(req, MSG_SUGGESTION_RECEIPT, "id", reply_str(r, 1));
	} else if (req->caller.role == ROLE_FRIEND || filing == FILED_OWN) {
		/* a receipt, privately: a complaint is never echoed into a room */
		reply_private(req, MSG_COMPLAINT_RECEIPT, "id", reply_str(r, 1));
	} else {
		reply(req, *reply_str(r, 2) ? MSG_COMPLAINT_FILED_ROUTED : MSG_COMPLAINT_FILED_QUEUED,
		    "id", reply_str(r, 1), "agent", reply_str(r, 2));
	}
	request_done(req);
}

static void on_complained(const redisReply *r, const char *err, void *privdata)
{
	filed_answer(r, err, privdata, FILED_OWN);
}

static void on_suggested(const redisReply *r, const char *err, void *privdata)
{
	filed_answer(r, err, privdata, FILED_SUGGESTION);
}

static void on_filed_for_friend(const redisReply *r, const char *err, void *privdata)
{
	filed_answer(r, err, privdata, FILED_FOR_FRIEND);
}

/* Files a complaint (OP "new") or a suggestion (OP "suggest"); ANSWER words the receipt. */
static void file(struct request *req, const char *op, state_cb *answer, const char *identity, const char *name,
                 const char *text, const char *prio, const char *topic, const char *lang, const char *group,
                 const char *filer)
{
	const struct config *cfg = request_config(req);
	struct state_args *a = complaint_args(req, op);
	int p = priority_index(prio);

	state_args_add(a, identity);
	state_args_add(a, name);
	state_args_add(a, text);
	state_args_add(a, prio);
	state_args_add(a, topic);
	state_args_add(a, lang);
	state_args_add(a, group);
	state_args_addf(a, "%d", cfg->complaints.per_friend_hour);
	state_args_addf(a, "%lld", (long long)(request_now(req) + cfg->complaints.sla_ms[p < 0 ? 2 : p]));
	state_args_add(a, filer);
	state_eval(request_state(req), SCRIPT_COMPLAINTS, 1, a, answer, req);
}

/* !complain <text>: anyone, for themself */
void complain_cmd(struct request *req)
{
	file(req, "new", on_complained, req->caller.identity, req->caller.name, parse_rest(&req->cmd, 1), "normal",
	    "", "", "", "");
}

/* !suggest <text>: anyone, for themself */
void suggest_cmd(struct request *req)
{
	file(req, "suggest", on_suggested, req->caller.identity, req->caller.name, parse_rest(&req->cmd, 1), "normal",
	    "", "", "", "");
}

/* ---- !suggestions [n]: what the reports count ---- */

static void on_suggestions(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	size_t rows = r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 0 ? (r->elements - 1) / 4 : 0, len;
	char *out, line[1024], when[24], ds[11], hm[6];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (rows == 0) {
		reply(req, MSG_SUGGESTIONS_NONE);
	} else if ((out = malloc(COMPLAINT_TEXT_MAX)) != NULL) {
		len = strlen(MSGN(req, out, COMPLAINT_TEXT_MAX, MSG_SUGGESTIONS_HEADER, "total", reply_str(r, 0)));
		for (size_t i = 0; i < rows && len < COMPLAINT_TEXT_MAX; i++) {
			int64_t at = strtoll(reply_str(r, 2 + i * 4), NULL, 10);
			struct ymd d;
			when_local_date(at, &d, NULL);
			snprintf(when, sizeof(when), "%s %s", when_format(d, ds), when_hhmm(at, hm));
			MSG(req, line, MSG_SUGGESTIONS_LINE, "id", reply_str(r, 1 + i * 4), "when", when,
			    "friend", reply_str(r, 3 + i * 4), "text", reply_str(r, 4 + i * 4));
			len += (size_t)snprintf(out + len, COMPLAINT_TEXT_MAX - len, "\n%s", line);
		}
		reply_text(req, out);
		free(out);
	}
	request_done(req);
}

void suggestions_cmd(struct request *req)
{
	struct state_args *a;
	char *end;
	long n = 10;

	if (req->cmd.argc > 1) {
		n = strtol(req->cmd.argv[1], &end, 10);
		if (*end != '\0' || n < 1 || n > 50) {
			reply_usage(req);
			request_done(req);
			return;
		}
	}
	a = complaint_args(req, "suggestions");
	state_args_addf(a, "%ld", n);
	state_eval(request_state(req), SCRIPT_COMPLAINTS, 1, a, on_suggestions, req);
}

/* !complaint new <friend> [priority=] [topic=] [lang=] [group=] <text> */
void complaint_new_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	const char *prio = parse_option(&req->cmd, "priority"), *topic = parse_option(&req->cmd, "topic");
	const char *lang = parse_option(&req->cmd, "lang"), *group = parse_option(&req->cmd, "group");
	char friend[160], identity[200];
	int text_at = -1;

	snprintf(friend, sizeof(friend), "%s", req->cmd.argv[2]);
	if (friend[0] == '@')
		memmove(friend, friend + 1, strlen(friend));
	if (friend[0] == '\0' || strpbrk(friend, ":") != NULL || req->cmd.is_option[2]) {
		refuse(req, MSG_COMPLAINT_BAD_FRIEND, "friend", req->cmd.argv[2]);
		goto done;
	}
	if (prio != NULL && priority_index(prio) < 0) {
		refuse(req, MSG_COMPLAINT_BAD_PRIORITY, "priority", prio);
		goto done;
	}
	if (group != NULL) {
		bool known = false;
		for (size_t i = 0; i < cfg->n_groups; i++)
			known |= strcmp(cfg->groups[i].name, group) == 0;
		if (!known) {
			refuse(req, MSG_COMPLAINT_BAD_GROUP, "group", group);
			goto done;
		}
	}
	if (lang != NULL && !config_lang_valid(lang) && strlen(lang) > 8) {
		refuse(req, MSG_STAFF_BAD_VALUE, "field", "lang", "value", lang, "why", catalog_text(req->caller.lang, MSG_WHY_LANG));
		goto done;
	}
	for (int i = 3; i < req->cmd.argc && text_at < 0; i++)
		if (!req->cmd.is_option[i])
			text_at = i;
	if (text_at < 0) {
		reply_usage(req);
		goto done;
	}
	snprintf(identity, sizeof(identity), "%s:%s", request_conn_name(req), friend);
	file(req, "new", on_filed_for_friend, identity, friend, parse_rest(&req->cmd, text_at), prio ? prio : "normal",
	    topic ? topic : "", lang ? lang : "", group ? group : "", actor_of(req));
	return;
done:
	request_done(req);
}

/* ---- take / assign / note / reply / group / resolve ---- */

/* What was done to a complaint, for the words of the answer. */
enum handling { HANDLED_ASSIGN, HANDLED_NOTE, HANDLED_REPLY, HANDLED_GROUP, HANDLED_RESOLVE };

static void handled_answer(const redisReply *r, const char *err, struct request *req, enum handling done)
{
	const char *id = req->data_person;

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_found"))
		refuse(req, MSG_COMPLAINT_NOT_FOUND, "id", id);
	else if (reply_is(r, "resolved"))
		refuse(req, MSG_COMPLAINT_ALREADY_RESOLVED, "id", id);
	else if (reply_is(r, "no_such_person"))
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->data_when);
	else if (reply_is(r, "level"))
		refuse(req, MSG_COMPLAINT_LEVEL, "id", id, "level", reply_str(r, 1), "group", reply_str(r, 2));
	else if (reply_is(r, "already"))
		refuse(req, MSG_COMPLAINT_ALREADY_THEIRS, "id", id, "agent", reply_str(r, 1));
	else if (reply_is(r, "taken"))
		refuse(req, MSG_COMPLAINT_TAKEN, "id", id, "agent", reply_str(r, 1));
	else if (reply_is(r, "not_yours") && *reply_str(r, 1) == '\0')
		refuse(req, MSG_COMPLAINT_NOT_TAKEN, "id", id);
	else if (reply_is(r, "not_yours"))
		refuse(req, MSG_COMPLAINT_NOT_YOURS, "id", id, "agent", reply_str(r, 1));
	else if (reply_is(r, "off_shift"))
		refuse(req, MSG_COMPLAINT_OFF_SHIFT, "id", id, "agent", reply_str(r, 1), "person", req->data_when,
		    "free", *reply_str(r, 2) ? reply_str(r, 2) : catalog_text(req->caller.lang, MSG_COMPLAINT_NOBODY_FREE));
	else if (reply_is(r, "unchanged"))
		refuse(req, MSG_COMPLAINT_GROUP_UNCHANGED, "id", id, "group", req->data_when);
	else if (done == HANDLED_ASSIGN)
		reply(req, MSG_COMPLAINT_ASSIGNED_OK, "id", id, "agent", reply_str(r, 1));
	else if (done == HANDLED_NOTE)
		reply(req, MSG_COMPLAINT_NOTED, "id", id);
	else if (done == HANDLED_REPLY)
		reply(req, MSG_COMPLAINT_REPLIED, "id", id, "friend", reply_str(r, 1));
	else if (done == HANDLED_GROUP && reply_is(r, "moved"))
		reply(req, MSG_COMPLAINT_GROUP_MOVED, "id", id, "group", req->data_when, "old", reply_str(r, 1),
		    "agent", reply_str(r, 2));
	else if (done == HANDLED_GROUP && reply_is(r, "queued"))
		reply(req, MSG_COMPLAINT_GROUP_QUEUED, "id", id, "group", req->data_when, "old", reply_str(r, 1));
	else if (done == HANDLED_GROUP)
		reply(req, *req->data_when ? MSG_COMPLAINT_GROUP_SET : MSG_COMPLAINT_GROUP_CLEARED, "id", id,
		    "group", req->data_when);
	else
		reply(req, MSG_COMPLAINT_RESOLVED_OK, "id", id);
	request_done(req);
}

static void on_assigned(const redisReply *r, const char *err, void *privdata)
{
	handled_answer(r, err, privdata, HANDLED_ASSIGN);
}

static void on_noted(const redisReply *r, const char *err, void *privdata)
{
	handled_answer(r, err, privdata, HANDLED_NOTE);
}

static void on_replied(const redisReply *r, const char *err, void *privdata)
{
	handled_answer(r, err, privdata, HANDLED_REPLY);
}

static void on_grouped(const redisReply *r, const char *err, void *privdata)
{
	handled_answer(r, err, privdata, HANDLED_GROUP);
}

static void on_resolved(const redisReply *r, const char *err, void *privdata)
{
	handled_answer(r, err, privdata, HANDLED_RESOLVE);
}

/* Does the '@' at P start a mention (not the middle of an e-mail address)? */
static bool mention_at(const char *text, const char *p)
{
	return *p == '@' && (p == text || !isalnum((unsigned char)p[-1]));
}

/* TEXT with a zero-width space after each '@' that starts a word, so
 * nothing a person wrote pings anyone when the bot repeats it (@everyone,
 * @here, <@id>) on any platform; malloc'd. */
static char *neutralise_mentions(const char *text)
{
	size_t n = strlen(text), at = 0;
	char *out, *o;

	for (const char *p = text; *p; p++)
		at += mention_at(text, p);
	if ((out = malloc(n + at * 3 + 1)) == NULL)
		return NULL;
	o = out;
	for (const char *p = text; *p; p++) {
		*o++ = *p;
		if (mention_at(text, p)) {
			memcpy(o, "\xe2\x80\x8b", 3);        /* U+200B ZERO WIDTH SPACE */
			o += 3;
		}
	}
	*o = '\0';
	return out;
}

char *complaints_unmention(const char *text)
{
	return neutralise_mentions(text);
}

/* "vip" (a configured group) or "none"/"-" (no group) into OUT; false if neither. */
static bool group_arg(const struct config *cfg, const char *arg, char *out, size_t n)
{
	if (strcmp(arg, "none") == 0 || strcmp(arg, "-") == 0) {
		out[0] = '\0';
		return true;
	}
	for (size_t i = 0; i < cfg->n_groups; i++)
		if (strcmp(cfg->groups[i].name, arg) == 0) {
			snprintf(out, n, "%s", arg);
			return true;
		}
	return false;
}

/* The complaint argv[2] names, into data_person; false when refused. */
static bool complaint_arg(struct request *req)
{
	if (!complaint_id(req->cmd.argv[2], req->data_person, sizeof(req->data_person))) {
		refuse(req, MSG_COMPLAINT_NOT_FOUND, "id", req->cmd.argv[2]);
		request_done(req);
		return false;
	}
	return true;
}

/* OP ("take" or "assign") the complaint in data_person to WHO. */
static void assign_to(struct request *req, const char *op, const char *who, bool force)
{
	struct state_args *a;

	if (!person_arg_or_refuse(req, who, req->data_when, sizeof(req->data_when)))
		return;
	a = complaint_args(req, op);
	state_args_add(a, req->data_person);
	state_args_add(a, req->data_when);
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, force ? "1" : "0");
	state_eval(request_state(req), SCRIPT_COMPLAINTS, 1, a, on_assigned, req);
}

/* !complaint take <C-n> */
void complaint_take_cmd(struct request *req)
{
	if (complaint_arg(req))
		assign_to(req, "take", req->caller.id, false);
}

/* !complaint assign <C-n> <person> [force] */
void complaint_assign_cmd(struct request *req)
{
	bool force = req->cmd.argc == 5 && strcmp(req->cmd.argv[4], "force") == 0;

	if (!complaint_arg(req))
		return;
	if (req->cmd.argc > 4 && !force) {
		reply_usage(req);
		request_done(req);
		return;
	}
	assign_to(req, "assign", req->cmd.argv[3], force);
}

/* !complaint group <C-n> <group|none> */
void complaint_group_cmd(struct request *req)
{
	struct state_args *a;

	if (!complaint_arg(req))
		return;
	if (!group_arg(request_config(req), req->cmd.argv[3], req->data_when, sizeof(req->data_when))) {
		refuse(req, MSG_COMPLAINT_BAD_GROUP, "group", req->cmd.argv[3]);
		request_done(req);
		return;
	}
	a = complaint_args(req, "group");
	state_args_add(a, req->data_person);
	state_args_add(a, req->data_when);
	state_args_addf(a, "%d", (int)req->caller.role);
	state_eval(request_state(req), SCRIPT_COMPLAINTS, 1, a, on_grouped, req);
}

/* OP ("reply", "note" or "resolve") with TEXT on the complaint in data_person. */
static void with_text(struct request *req, const char *op, const char *text, state_cb *answer)
{
	struct state_args *a = complaint_args(req, op);

	state_args_add(a, req->data_person);
	state_args_add(a, text);
	state_args_addf(a, "%d", (int)req->caller.role);
	state_eval(request_state(req), SCRIPT_COMPLAINTS, 1, a, answer, req);
}

/* !complaint reply <C-n> <text>: goes to the friend, so nothing in it may ping anyone */
void complaint_reply_cmd(struct request *req)
{
	char *text;

	if (!complaint_arg(req))
		return;
	if ((text = neutralise_mentions(parse_rest(&req->cmd, 3))) == NULL) {
		reply_state_error(req, "out of memory");
		request_done(req);
		return;
	}
	with_text(req, "reply", text, on_replied);
	free(text);
}

/* !complaint note <C-n> <text> */
void complaint_note_cmd(struct request *req)
{
	if (complaint_arg(req))
		with_text(req, "note", parse_rest(&req->cmd, 3), on_noted);
}

/* !complaint resolve <C-n> <text> */
void complaint_resolve_cmd(struct request *req)
{
	if (complaint_arg(req))
		with_text(req, "resolve", parse_rest(&req->cmd, 3), on_resolved);
}

/* ---- !complaints [open|mine|queue|all] ---- */

#define LIST_TEXT_MAX 8192

/* Appends "\n" (unless first) and S to OUT of LIST_TEXT_MAX; cut when full. */
static void append_line(char *out, size_t *len, const char *s)
{
	if (*len + 1 < LIST_TEXT_MAX) {
		int n = snprintf(out + *len, LIST_TEXT_MAX - *len, "%s%s", *len ? "\n" : "", s);
		*len = n < 0 ? *len : *len + (size_t)n < LIST_TEXT_MAX ? *len + (size_t)n : LIST_TEXT_MAX - 1;
	}
}

/* The five values of R from FIRST as one line of a list; a task has no
 * priority (an empty one), and its line says none rather than "-". */
static const char *list_line(struct request *req, const redisReply *r, size_t first, char *row, size_t n)
{
	static const char *const keys[] = { "id", "state", "priority", "agent", "text" };
	const char *kv[10];

	for (size_t k = 0; k < 5; k++) {
		kv[k * 2] = keys[k];
		kv[k * 2 + 1] = reply_str(r, first + k);
	}
	return request_msg(req, row, n, *kv[5] == '\0' ? MSG_COMPLAINTS_LINE_TASK : MSG_COMPLAINTS_LINE, kv, 10);
}

/* The default view: the caller's own (reply element 0 says how many rows),
 * then the queue they can take, each under a short header. */
static void list_actionable(struct request *req, const redisReply *r)
{
	size_t rows = r->type == REDIS_REPLY_ARRAY && r->elements > 0 ? (r->elements - 1) / 5 : 0;
	size_t own = (size_t)strtoul(reply_str(r, 0), NULL, 10), len = 0;
	char *out, row[1024], n[24];

	if (own > rows)
		own = rows;
	if (rows == 0) {
		reply(req, MSG_COMPLAINTS_VIEW_EMPTY);
		return;
	}
	if ((out = malloc(LIST_TEXT_MAX)) == NULL) {
		reply_state_error(req, "out of memory");
		return;
	}
	for (size_t part = 0; part < 2; part++) {
		size_t from = part == 0 ? 0 : own, to = part == 0 ? own : rows;
		snprintf(n, sizeof(n), "%zu", to - from);
		if (to == from)
			MSG(req, row, part == 0 ? MSG_COMPLAINTS_YOURS_NONE : MSG_COMPLAINTS_TAKEABLE_NONE);
		else
			MSG(req, row, part == 0 ? MSG_COMPLAINTS_YOURS : MSG_COMPLAINTS_TAKEABLE, "n", n);
		append_line(out, &len, row);
		for (size_t i = from; i < to; i++)
			append_line(out, &len, list_line(req, r, 1 + i * 5, row, sizeof(row)));
	}
	reply_text(req, out);
	free(out);
}

static void on_list(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	size_t rows = r != NULL && r->type == REDIS_REPLY_ARRAY ? r->elements / 5 : 0, len = 0;
	char *out, row[1024];

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	if (req->cmd.argc < 2) {
		list_actionable(req, r);
		request_done(req);
		return;
	}
	if (rows == 0 || (out = malloc(LIST_TEXT_MAX)) == NULL) {
		reply(req, MSG_COMPLAINTS_NONE);
		request_done(req);
		return;
	}
	append_line(out, &len, MSG(req, row, MSG_COMPLAINTS_HEADER));
	for (size_t i = 0; i < rows; i++)
		append_line(out, &len, list_line(req, r, i * 5, row, sizeof(row)));
	reply_text(req, out);
	free(out);
	request_done(req);
}

void complaints_cmd(struct request *req)
{
	const char *which = req->cmd.argc > 1 ? req->cmd.argv[1] : "";
	struct state_args *a;

	if ((req->cmd.argc > 1 && strcmp(which, "open") != 0 && strcmp(which, "mine") != 0 &&
	     strcmp(which, "queue") != 0 && strcmp(which, "all") != 0) || req->cmd.argc > 2) {
		reply_usage(req);
		request_done(req);
		return;
	}
	a = complaint_args(req, "list");
	state_args_add(a, which);
	state_eval(request_state(req), SCRIPT_COMPLAINTS, 1, a, on_list, req);
}

/* ---- !task <person> <friend> <note> / !rate C-n <1-5> [comment] ---- */

/* The answer to a task (TASK) or a rating: the refusals are the script's, the same for both. */
static void simple_answer(const redisReply *r, const char *err, struct request *req, bool task)
{
	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "ok") && task)
		reply(req, MSG_TASK_OK, "id", reply_str(r, 1), "agent", req->data_when);
	else if (reply_is(r, "ok"))
		reply_private(req, MSG_RATE_OK, "id", req->data_person);
	else if (reply_is(r, "no_such_person"))
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->data_when);
	else if (reply_is(r, "not_found"))
		refuse(req, MSG_COMPLAINT_NOT_FOUND, "id", req->data_person);
	else if (reply_is(r, "not_yours"))
		refuse(req, MSG_RATE_NOT_YOURS, "id", req->data_person);
	else if (reply_is(r, "open"))
		refuse(req, MSG_RATE_OPEN, "id", req->data_person);
	else
		refuse(req, MSG_RATE_ALREADY, "id", req->data_person, "rating", reply_str(r, 1));
	request_done(req);
}

static void on_tasked(const redisReply *r, const char *err, void *privdata)
{
	simple_answer(r, err, privdata, true);
}

static void on_rated(const redisReply *r, const char *err, void *privdata)
{
	simple_answer(r, err, privdata, false);
}

void task_cmd(struct request *req)
{
	char identity[200];
	struct state_args *a;

	if (!person_arg_or_refuse(req, req->cmd.argv[1], req->data_when, sizeof(req->data_when)))
		return;
	snprintf(identity, sizeof(identity), "%s:%s", request_conn_name(req),
	    req->cmd.argv[2][0] == '@' ? req->cmd.argv[2] + 1 : req->cmd.argv[2]);
	a = complaint_args(req, "task");
	state_args_add(a, req->data_when);
	state_args_add(a, identity);
	state_args_add(a, parse_rest(&req->cmd, 3));
	state_eval(request_state(req), SCRIPT_COMPLAINTS, 1, a, on_tasked, req);
}

void rate_cmd(struct request *req)
{
	const char *score = req->cmd.argv[2];
	struct state_args *a;

	if (!complaint_id(req->cmd.argv[1], req->data_person, sizeof(req->data_person))) {
		refuse(req, MSG_COMPLAINT_NOT_FOUND, "id", req->cmd.argv[1]);
		request_done(req);
		return;
	}
	if (strlen(score) != 1 || score[0] < '1' || score[0] > '5') {
		refuse(req, MSG_PROBATION_BAD_SCORE, "score", score);
		request_done(req);
		return;
	}
	a = complaint_args(req, "rate");
	state_args_add(a, req->data_person);
	state_args_add(a, req->caller.identity);
	state_args_add(a, score);
	state_args_add(a, parse_rest(&req->cmd, 3));
	state_eval(request_state(req), SCRIPT_COMPLAINTS, 1, a, on_rated, req);
}

/* ---- timers and the queue ---- */

/* The same head for the daemon's own calls (timers, the queue after a check-in). */
static struct state_args *complaint_args_timer(const struct timer_ctx *ctx, const char *src, const char *op)
{
	return complaint_args_for(ctx->cfg, ctx->state, "dutybot", src, ctx->now, op);
}

/* Capacity may have appeared (a check-in): drain the queue.  checkin.lua
 * does not drain itself; shifts.c calls this after a check-in.  It runs in
 * the background (the request may end first), woken up like a timer. */
void complaints_route_queue(const struct request *req)
{
	struct timer_ctx ctx = request_timer_ctx(req);

	timers_run(&ctx, "complaint queue", NULL, SCRIPT_COMPLAINTS, complaint_args_timer(&ctx, "checkin", "route_queue"));
}

/* ---- the queue at every shift start: "shiftstart|<date>|<shift>" ---- */

/* The first shift instance that starts after NOW; false without shifts. */
static bool next_shift_start(const struct config *cfg, int64_t now, char *member, size_t n, int64_t *due)
{
	struct shift_instance around[64];
	int count = shift_instances_around(cfg, now, around, 64);

	for (int i = 0; i < count; i++)
		if (around[i].start > now) {
			snprintf(member, n, "shiftstart|%s|%s", around[i].date_s, around[i].shift->name);
			*due = around[i].start;
			return true;
		}
	return false;
}

/* A shift began: those who checked in early are on duty now and take the
 * queue; the next shift's start is set in the same script. */
void complaints_shift_start_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	int64_t due = 0;
	char next[160] = "";
	struct state_args *a = complaint_args_timer(ctx, "timer", "shiftstart");

	(void)argc;
	(void)argv;
	if (!next_shift_start(ctx->cfg, ctx->now, next, sizeof(next), &due))
		next[0] = '\0';
	state_args_add(a, member);
	state_args_add(a, next);
	state_args_addf(a, "%lld", (long long)due);
	timers_run(ctx, "complaint timer", member, SCRIPT_COMPLAINTS, a);
}

/* At start (and after Redis lost its data): the next shift start's timer,
 * unless it is there already. */
void complaints_shift_start_seed(const struct timer_ctx *ctx)
{
	char member[160];
	int64_t due;

	if (next_shift_start(ctx->cfg, ctx->now, member, sizeof(member), &due))
		timers_add(ctx, due, member);
}

void complaints_sla_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct state_args *a = complaint_args_timer(ctx, "timer", "sla");

	state_args_add(a, member);
	state_args_add(a, argc >= 2 ? argv[1] : "");
	timers_run(ctx, "complaint timer", member, SCRIPT_COMPLAINTS, a);
}

/* A friend's complaint held back by the flood limit goes on now; its SLA
 * counts from here (a priority is not known for a friend's own: normal). */
/* qbatch|<lead or #>: the complaints that queued up together, to the lead in one message */
void complaints_qbatch_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct state_args *a = complaint_args_timer(ctx, "timer", "qbatch");

	state_args_add(a, member);
	state_args_add(a, argc >= 2 ? argv[1] : "#");
	timers_run(ctx, "complaint timer", member, SCRIPT_COMPLAINTS, a);
}

void complaints_release_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct state_args *a = complaint_args_timer(ctx, "timer", "release");

	state_args_add(a, member);
	state_args_add(a, argc >= 2 ? argv[1] : "");
	state_args_addf(a, "%lld", (long long)(ctx->now + ctx->cfg->complaints.sla_ms[2]));
	timers_run(ctx, "complaint timer", member, SCRIPT_COMPLAINTS, a);
}
