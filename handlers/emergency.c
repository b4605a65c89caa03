/*
 * emergency: emergencies that always reach someone (!emergency, !ack,
 * !resolve, !emergencies and the escalation timer), the emergency contact
 * cards and plan (!contacts, !plan), and technical problem reports (!tech).
 * Paging goes through the durable outbox, so a page survives a crash.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/shift_time.h"
#include "handlers/commands.h"
#include "bot/lib/log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMERGENCY_TEXT_MAX 8192

/* "site #lobby" or "site (private)": where a report came from.  An IRC
 * channel's name has its '#' already ("irc #ops", never "irc ##ops").  A
 * private message is said in each reader's words: the text is a span. */
static void where(const struct request *req, char *buf, size_t n)
{
	if (req->room != NULL)
		snprintf(buf, n, "%s %s%s", request_conn_name(req), req->room[0] == '#' ? "" : "#", req->room);
	else
		catalog_span(buf, n, MSG_WHERE_PRIVATE, (const char *const[]){ "conn", request_conn_name(req) }, 2);
}

/* "E-3"/"e-3" -> "E-3"; false unless LETTER-digits. */
static bool item_id(const char *arg, char letter, char *out, size_t n)
{
	size_t len = strlen(arg);

	if (len < 3 || len >= n || toupper((unsigned char)arg[0]) != letter || arg[1] != '-')
		return false;
	for (size_t i = 2; i < len; i++)
		if (!isdigit((unsigned char)arg[i]))
			return false;
	memcpy(out, arg, len + 1);
	out[0] = letter;
	return true;
}

static struct state_args *contacts_args(struct request *req, const char *op)
{
	struct state_args *a = script_args(req, "plan");

	state_args_add(a, op);
	return a;
}

/* ---- !emergency <text> ---- */

static void on_emergency(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else
		reply(req, MSG_EMERGENCY_OPENED, "id", reply_str(r, 1));
	request_done(req);
}

void emergency_cmd(struct request *req)
{
	char from[160];
	struct state_args *a = script_args(req, "emergencies:open");

	where(req, from, sizeof(from));
	state_args_add(a, parse_rest(&req->cmd, 1));
	state_args_add(a, from);
	state_eval(request_state(req), SCRIPT_EMERGENCY_NEW, 1, a, on_emergency, req);
}

/* ---- !ack E-n / !resolve E-n <note> ---- */

/* The answer to an ack or a resolve; DONE says what happened when it worked. */
static void closed_answer(const redisReply *r, const char *err, struct request *req, enum msg_id done)
{
	if (err != NULL) {
		reply_state_error(req, err);
	} else if (reply_is(r, "not_found")) {
		refuse(req, MSG_EMERGENCY_NOT_FOUND, "id", req->data_person);
	} else if (reply_is(r, "already")) {
		char when[6];
		when_hhmm(strtoll(reply_str(r, 2), NULL, 10), when);
		refuse(req, MSG_EMERGENCY_ALREADY_ACKED, "id", req->data_person, "by", reply_str(r, 1), "time", when);
	} else if (reply_is(r, "resolved")) {
		refuse(req, MSG_EMERGENCY_ALREADY_RESOLVED, "id", req->data_person, "by", reply_str(r, 1));
	} else {
		reply(req, done, "id", req->data_person);
	}
	request_done(req);
}

static void on_acked(const redisReply *r, const char *err, void *privdata)
{
	closed_answer(r, err, privdata, MSG_EMERGENCY_ACK_OK);
}

static void on_resolved(const redisReply *r, const char *err, void *privdata)
{
	closed_answer(r, err, privdata, MSG_EMERGENCY_RESOLVE_OK);
}

static void close_emergency(struct request *req, const char *mode, const char *note, state_cb *answer)
{
	struct state_args *a;
	char hhmm[6];

	if (!item_id(req->cmd.argv[1], 'E', req->data_person, sizeof(req->data_person))) {
		refuse(req, MSG_EMERGENCY_NOT_FOUND, "id", req->cmd.argv[1]);
		request_done(req);
		return;
	}
	a = script_args(req, "emergencies:open");
	state_args_add(a, req->data_person);
	state_args_add(a, mode);
	state_args_add(a, note);
	/* the one who raised it is told when it was taken, in the site's time */
	state_args_add(a, when_hhmm(request_now(req), hhmm));
	state_eval(request_state(req), SCRIPT_EMERGENCY_CLOSE, 1, a, answer, req);
}

void ack_cmd(struct request *req)
{
	close_emergency(req, "ack", "", on_acked);
}

void resolve_cmd(struct request *req)
{
	close_emergency(req, "resolve", parse_rest(&req->cmd, 2), on_resolved);
}

/* ---- !emergencies [all] ---- */

#define EMERGENCY_ROW 11        /* the fields emergencies_read.lua returns per emergency */

/* "HH:MM" today, "YYYY-MM-DD HH:MM" another day (the site's zone). */
static const char *when_short(const struct request *req, const char *ms_s, char *buf, size_t n)
{
	int64_t ms = strtoll(ms_s, NULL, 10);
	struct ymd day, today;
	char date[11], hhmm[6];
	int minute;

	when_local_date(ms, &day, &minute);
	when_local_date(request_now(req), &today, &minute);
	when_hhmm(ms, hhmm);
	if (when_compare(day, today) == 0)
		snprintf(buf, n, "%s", hhmm);
	else
		snprintf(buf, n, "%s %s", when_format(day, date), hhmm);
	return buf;
}

/* Where an emergency stands, said as a sentence part: who took it and when,
 * or who was paged last. */
static const char *emergency_state(const struct request *req, const redisReply *r, size_t row, char *buf, size_t n)
{
	const char *state = reply_str(r, row + 1), *acked = reply_str(r, row + 5);
	const char *resolved = reply_str(r, row + 7), *paged = reply_str(r, row + 9);
	char when[24];

	if (strcmp(state, "resolved") == 0)
		return MSGN(req, buf, n, MSG_EMERGENCY_STATE_RESOLVED, "by", resolved,
		    "time", when_short(req, reply_str(r, row + 8), when, sizeof(when)));
	if (*acked)
		return MSGN(req, buf, n, MSG_EMERGENCY_STATE_ACKED, "by", acked,
		    "time", when_short(req, reply_str(r, row + 6), when, sizeof(when)));
	if (*paged)
		return MSGN(req, buf, n, MSG_EMERGENCY_STATE_PAGED, "who", paged,
		    "time", when_short(req, reply_str(r, row + 10), when, sizeof(when)));
	return MSGN(req, buf, n, MSG_EMERGENCY_STATE_UNACKED);
}

static void on_emergencies(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char *out, line[1536], state[512], when[24];
	size_t len, n;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	n = r->type == REDIS_REPLY_ARRAY ? r->elements / EMERGENCY_ROW : 0;
	if (n == 0 || (out = malloc(EMERGENCY_TEXT_MAX)) == NULL) {
		reply(req, MSG_EMERGENCIES_NONE);
		request_done(req);
		return;
	}
	len = strlen(MSGN(req, out, EMERGENCY_TEXT_MAX, MSG_EMERGENCIES_HEADER));
	for (size_t i = 0; i < n && len < EMERGENCY_TEXT_MAX; i++) {
		size_t row = i * EMERGENCY_ROW;
		MSG(req, line, MSG_EMERGENCIES_LINE, "id", reply_str(r, row),
		    "time", when_short(req, reply_str(r, row + 4), when, sizeof(when)),
		    "by", reply_str(r, row + 3), "text", reply_str(r, row + 2),
		    "state", emergency_state(req, r, row, state, sizeof(state)));
		len += (size_t)snprintf(out + len, EMERGENCY_TEXT_MAX - len, "\n%s", line);
	}
	reply_text(req, out);
	free(out);
	request_done(req);
}

void emergencies_cmd(struct request *req)
{
	struct state_args *a = state_args_new();

	state_args_addf(a, "%semergencies:open", state_prefix(request_state(req)));
	state_args_add(a, state_prefix(request_state(req)));
	state_args_add(a, req->cmd.argc > 1 && strcmp(req->cmd.argv[1], "all") == 0 ? "all" : "open");
	state_eval(request_state(req), SCRIPT_EMERGENCIES_READ, 1, a, on_emergencies, req);
}

/* ---- the escalation timer: "esc|E-n" ---- */

/* Counted per process like every /metrics counter; the limit itself is
 * shared by all daemons (it lives in Redis). */
static uint64_t pages_held;

uint64_t emergency_pages_held(void)
{
	return pages_held;
}

/* {'paged', step, held}: the pages the step held back over the limit. */
static void on_escalated(const redisReply *r, void *arg)
{
	(void)arg;
	if (reply_is(r, "paged") && r->elements >= 3 && r->element[2]->type == REDIS_REPLY_INTEGER &&
	    r->element[2]->integer > 0)
		pages_held += (uint64_t)r->element[2]->integer;
}

void emergency_escalate_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	const struct config *cfg = ctx->cfg;
	char chain[256], running[512];
	size_t clen = 0;
	struct state_args *a;

	chain[0] = '\0';
	for (size_t i = 0; i < cfg->escalation.n_chain; i++)
		clen += (size_t)snprintf(chain + clen, clen < sizeof(chain) ? sizeof(chain) - clen : 0, "%s%s",
		    i ? " " : "", cfg->escalation.chain[i]);
	a = timers_args(ctx, "emergencies:open");
	state_args_add(a, member);
	state_args_add(a, argc >= 2 ? argv[1] : "");
	state_args_addf(a, "%lld", (long long)cfg->escalation.ack_timeout_ms);
	state_args_addf(a, "%d", cfg->escalation.repeat);
	state_args_add(a, chain);
	state_args_add(a, shift_running(cfg, ctx->now, running, sizeof(running)));
	state_args_addf(a, "%d", cfg->escalation.pages_per_minute);
	timers_run_then(ctx, "escalation", member, SCRIPT_EMERGENCY_FIRE, a, on_escalated, NULL);
}

void emergency_page_summary_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct state_args *a = timers_args(ctx, "emergencies:open");

	state_args_add(a, member);
	state_args_add(a, argc >= 2 ? argv[1] : "");
	state_args_addf(a, "%d", ctx->cfg->escalation.pages_per_minute);
	timers_run(ctx, "page summary", member, SCRIPT_PAGE_SUMMARY, a);
}

/* ---- !contacts [person] / !contacts set ... / !plan [set] ---- */

static void on_card(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else if (r->type != REDIS_REPLY_ARRAY || r->elements < 4)
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->data_person);
	else if (!*reply_str(r, 1) && !*reply_str(r, 2) && !*reply_str(r, 3))
		reply_private(req, MSG_CONTACT_CARD_NONE, "name", reply_str(r, 0));
	else {
		/* contact data never goes into a room (the row is CMD_PRIVATE too) */
		const char *none = catalog_text(req->caller.lang, MSG_CONTACT_EMPTY);
		reply_private(req, MSG_CONTACT_CARD, "name", reply_str(r, 0),
		    "phone", *reply_str(r, 1) ? reply_str(r, 1) : none,
		    "address", *reply_str(r, 2) ? reply_str(r, 2) : none,
		    "backup", *reply_str(r, 3) ? reply_str(r, 3) : none);
	}
	request_done(req);
}

void contacts_cmd(struct request *req)
{
	struct state_args *a;
	const char *who = req->cmd.argc > 1 ? req->cmd.argv[1] : req->caller.id;

	if (!person_arg_or_refuse(req, who, req->data_person, sizeof(req->data_person)))
		return;
	a = contacts_args(req, "card");
	state_args_add(a, req->data_person);
	state_eval(request_state(req), SCRIPT_CONTACTS, 1, a, on_card, req);
}

/* The field as its reader calls it ("phone" is the word typed, "Telefon" Tom's). */
static const char *contact_field_said(const struct request *req, const char *field)
{
	enum msg_id id = strcmp(field, "phone") == 0 ? MSG_CONTACT_FIELD_PHONE
	    : strcmp(field, "address") == 0 ? MSG_CONTACT_FIELD_ADDRESS : MSG_CONTACT_FIELD_BACKUP;

	return catalog_text(req->caller.lang, id);
}

static void on_contact_saved(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	(void)r;
	if (err != NULL)
		reply_state_error(req, err);
	else
		reply_private(req, MSG_CONTACT_SAVED, "field", contact_field_said(req, req->cmd.argv[2]));
	request_done(req);
}

void contacts_set_cmd(struct request *req)
{
	const char *field = req->cmd.argv[2];
	struct state_args *a;

	if (strcmp(field, "phone") != 0 && strcmp(field, "address") != 0 && strcmp(field, "backup") != 0) {
		refuse(req, MSG_CONTACT_BAD_FIELD, "field", field);
		request_done(req);
		return;
	}
	a = contacts_args(req, "set");
	state_args_add(a, field);
	state_args_add(a, parse_rest(&req->cmd, 3));
	state_eval(request_state(req), SCRIPT_CONTACTS, 1, a, on_contact_saved, req);
}

static void on_plan_saved(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	(void)r;
	if (err != NULL)
		reply_state_error(req, err);
	else
		reply(req, MSG_PLAN_SAVED);
	request_done(req);
}

static void on_plan(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else if (*reply_str(r, 0) == '\0')
		reply(req, MSG_PLAN_NONE);
	else
		reply(req, MSG_PLAN_SHOW, "plan", reply_str(r, 0));
	request_done(req);
}

void plan_cmd(struct request *req)
{
	state_eval(request_state(req), SCRIPT_CONTACTS, 1, contacts_args(req, "plan"), on_plan, req);
}

void plan_set_cmd(struct request *req)
{
	struct state_args *a = contacts_args(req, "plan_set");

	state_args_add(a, parse_rest(&req->cmd, 2));
	state_eval(request_state(req), SCRIPT_CONTACTS, 1, a, on_plan_saved, req);
}

/* ---- !tech <text> / !tech resolve T-n <note> / !tech list ---- */

static void on_tech_filed(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else
		reply(req, MSG_TECH_FILED, "id", reply_str(r, 1));
	request_done(req);
}

static void on_tech_resolved(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_found"))
		refuse(req, MSG_TECH_NOT_FOUND, "id", req->data_person);
	else if (reply_is(r, "already"))
		refuse(req, MSG_TECH_ALREADY, "id", req->data_person, "by", reply_str(r, 1));
	else
		reply(req, MSG_TECH_RESOLVE_OK, "id", req->data_person);
	request_done(req);
}

static void on_tech_list(const redisReply *r, const char *err, void *privdata)
{
	static const char *const keys[] = { "id", "text", "by", "where", "created" };
	struct request *req = privdata;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	reply_rows_done(req, r, 5, keys, MSG_TECH_HEADER, MSG_TECH_LINE, MSG_TECH_NONE);
}

/* !tech <text> */
void tech_cmd(struct request *req)
{
	struct state_args *a = script_args(req, "tech:open");
	char from[160];

	where(req, from, sizeof(from));
	state_args_add(a, "new");
	state_args_add(a, parse_rest(&req->cmd, 1));
	state_args_add(a, from);
	state_eval(request_state(req), SCRIPT_TECH_REPORT, 1, a, on_tech_filed, req);
}

/* !tech resolve <T-n> <note> */
void tech_resolve_cmd(struct request *req)
{
	struct state_args *a;

	if (!item_id(req->cmd.argv[2], 'T', req->data_person, sizeof(req->data_person))) {
		refuse(req, MSG_TECH_NOT_FOUND, "id", req->cmd.argv[2]);
		request_done(req);
		return;
	}
	a = script_args(req, "tech:open");
	state_args_add(a, "resolve");
	state_args_add(a, req->data_person);
	state_args_add(a, parse_rest(&req->cmd, 3));
	state_eval(request_state(req), SCRIPT_TECH_REPORT, 1, a, on_tech_resolved, req);
}

/* !tech list */
void tech_list_cmd(struct request *req)
{
	struct state_args *a = script_args(req, "tech:open");

	state_args_add(a, "list");
	state_eval(request_state(req), SCRIPT_TECH_REPORT, 1, a, on_tech_list, req);
}
