/*
 * approvals: the commands of the one approval engine (state/scripts/
 * _3approvals.lua): !pending, !approve, !deny, !approval show|cancel, and
 * !swap accept|decline, which decide a swap's first step; and the timer
 * that reports a request stuck longer than approvals.stuck_after.  Who may
 * decide a step is the engine's business, checked in the same atomic step
 * as the decision.  !pending and !approval show carry personal data (the
 * reasons and the evidence of the requests).
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/approvals.h"
#include "bot/lib/log.h"
#include "bot/lib/when.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_TEXT_MAX 8192

/* "role:minister", "person:vera" or "advice:sara" in the reader's words. */
const char *approval_who_text(struct request *req, const char *who, char *buf, size_t n)
{
	const char *colon = strchr(who, ':');

	if (strncmp(who, "role:", 5) == 0) {
		int role = config_role_parse(who + 5);
		MSGN(req, buf, n, MSG_APPROVAL_WHO_ROLE, "role", role > 0 ? role_display((enum role)role, req->caller.lang) : who + 5);
	} else if (strncmp(who, "advice:", 7) == 0) {
		MSGN(req, buf, n, MSG_APPROVAL_WHO_ADVICE, "person", who + 7);
	} else {
		snprintf(buf, n, "%s", colon ? colon + 1 : who);
	}
	return buf;
}

/*
 * A value the engine stores as a message name ("MSG_LEAVE_SHORT_NOTICE") or
 * with words to be said (a summary) in the caller's language.
 */
#define SAID_MAX 1024
static const char *said(struct request *req, const char *text, char *buf)
{
	return catalog_said(buf, SAID_MAX, req->caller.lang, text);
}

const char *approval_state_text(struct request *req, const char *state)
{
	static const struct { const char *state; enum msg_id id; } states[] = {
		{ "open", MSG_APPROVAL_STATE_OPEN }, { "approved", MSG_APPROVAL_STATE_APPROVED },
		{ "denied", MSG_APPROVAL_STATE_DENIED }, { "failed", MSG_APPROVAL_STATE_FAILED },
		{ "cancelled", MSG_APPROVAL_STATE_CANCELLED },
		{ "withdrawn", MSG_APPROVAL_STATE_WITHDRAWN }, { "undone", MSG_APPROVAL_STATE_UNDONE },
	};

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(state, states[i].state) == 0)
			return catalog_text(req->caller.lang, states[i].id);
	return state;
}

void approval_args_end(const struct request *req, struct state_args *a)
{
	state_args_addf(a, "%lld", (long long)request_config(req)->approvals.stuck_after_ms);
}

/* The outcome of a decision, of a request's last step, or of a request that signed every step. */
static bool outcome(struct request *req, const redisReply *r, const char *id)
{
	char who[128], sum[SAID_MAX];

	if (reply_is(r, "failed")) {
		int why = catalog_id_by_name(reply_str(r, 3));
		req->result = RESULT_REFUSED;
		reply(req, MSG_APPROVAL_FAILED, "id", id, "summary", said(req, reply_str(r, 2), sum),
		    "why", why >= 0 ? catalog_text(req->caller.lang, (enum msg_id)why) : reply_str(r, 3));
	} else if (reply_is(r, "uncompletable")) {
		refuse(req, MSG_APPROVAL_UNCOMPLETABLE, "step", reply_str(r, 1),
		    "who", approval_who_text(req, reply_str(r, 2), who, sizeof(who)));
	} else {
		return false;
	}
	return true;
}

bool approval_created(struct request *req, const redisReply *r)
{
	char sum[SAID_MAX];

	if (reply_is(r, "approved")) {
		reply(req, MSG_APPROVAL_SIGNED_DONE, "id", reply_str(r, 1), "summary", said(req, reply_str(r, 2), sum));
		return true;
	}
	return outcome(req, r, reply_str(r, 1));
}

static void on_decided(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const char *id = req->data_person;
	char who[128], sum[SAID_MAX];

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_found"))
		refuse(req, MSG_APPROVAL_NOT_FOUND, "id", id);
	else if (reply_is(r, "closed"))
		refuse(req, MSG_APPROVAL_CLOSED, "id", id, "state", approval_state_text(req, reply_str(r, 1)));
	else if (reply_is(r, "own"))
		refuse(req, MSG_APPROVAL_OWN, "id", id);
	else if (reply_is(r, "twice"))
		refuse(req, MSG_APPROVAL_TWICE, "id", id);
	else if (reply_is(r, "not_yours"))
		refuse(req, MSG_APPROVAL_NOT_YOURS, "id", id, "who", approval_who_text(req, reply_str(r, 1), who, sizeof(who)));
	else if (reply_is(r, "needs_score"))
		refuse(req, MSG_APPROVAL_NEEDS_SCORE, "id", id, "step", reply_str(r, 1));
	else if (reply_is(r, "needed_later"))
		refuse(req, MSG_APPROVAL_NEEDED_LATER, "id", id, "step", reply_str(r, 1),
		    "who", approval_who_text(req, reply_str(r, 2), who, sizeof(who)));
	else if (reply_is(r, "denied"))
		reply(req, MSG_APPROVAL_DENIED_OK, "id", id, "summary", said(req, reply_str(r, 2), sum));
	else if (reply_is(r, "advanced"))
		reply(req, MSG_APPROVAL_ADVANCED, "id", id, "summary", said(req, reply_str(r, 2), sum),
		    "who", approval_who_text(req, reply_str(r, 3), who, sizeof(who)));
	else if (outcome(req, r, id))
		;
	else if (*reply_str(r, 4) == '1' && req->click == NULL && request_in_channel(req, CHANNEL_OPS))
		;       /* typed in ops, which reads the outcome once: the post is the answer */
	else if (*reply_str(r, 4) == '1' && req->click == NULL)
		reply(req, MSG_APPROVAL_APPROVED_TOLD, "id", id);       /* ops has the summary: not twice */
	else
		reply(req, MSG_APPROVAL_APPROVED_OK, "id", id, "summary", said(req, reply_str(r, 2), sum));
	request_done(req);
}

/* S-12 / pr-3 -> "S-12" / "PR-3": one or two letters, a dash, digits. */
bool approval_parse_id(const char *arg, char *out, size_t n)
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

/* One call of approval_decide.lua: OP on ARG with REASON and SCORE. */
static void approval_op(struct request *req, const char *arg, const char *op, const char *reason, const char *score,
                        state_cb *cb)
{
	struct state_args *a;

	if (!approval_parse_id(arg, req->data_person, sizeof(req->data_person))) {
		refuse(req, MSG_APPROVAL_NOT_FOUND, "id", arg);
		request_done(req);
		return;
	}
	a = script_args(req, "approvals:open");
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, req->data_person);
	state_args_add(a, op);
	state_args_add(a, reason);
	state_args_add(a, score);
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_APPROVAL_DECIDE, 1, a, cb, req);
}

void approval_decide_as(struct request *req, const char *arg, const char *verdict, const char *reason)
{
	approval_op(req, arg, verdict, reason, "", on_decided);
}

/*
 * An evaluation: score=<1-5> and the words from FIRST on that are not
 * options as the note, approving ARG's current step.  The engine keeps the
 * score and the note apart and says "score 4: reliable" in each reader's words.
 */
void approval_evaluate(struct request *req, const char *arg, int first)
{
	const char *score = parse_option(&req->cmd, "score");
	const char *note = "";

	if (score == NULL || strlen(score) != 1 || score[0] < '1' || score[0] > '5') {
		refuse(req, MSG_PROBATION_BAD_SCORE, "score", score ? score : "");
		request_done(req);
		return;
	}
	for (int i = first; i < req->cmd.argc; i++)
		if (!req->cmd.is_option[i]) {
			note = parse_rest(&req->cmd, i);
			break;
		}
	approval_op(req, arg, "approve", note, score, on_decided);
}

void approve_cmd(struct request *req)
{
	if (parse_option(&req->cmd, "score") != NULL)
		approval_evaluate(req, req->cmd.argv[1], 2);
	else
		approval_decide_as(req, req->cmd.argv[1], "approve", parse_rest(&req->cmd, 2));
}

void deny_cmd(struct request *req)
{
	approval_decide_as(req, req->cmd.argv[1], "deny", parse_rest(&req->cmd, 2));
}

/* !swap accept|decline <S-n>: the approval of a swap request, in the swap's words */
static void swap_decide(struct request *req, const char *verdict)
{
	if (toupper((unsigned char)req->cmd.argv[2][0]) != 'S') {
		refuse(req, MSG_APPROVAL_NOT_FOUND, "id", req->cmd.argv[2]);
		request_done(req);
		return;
	}
	approval_decide_as(req, req->cmd.argv[2], verdict, req->cmd.argc > 3 ? parse_rest(&req->cmd, 3) : "declined");
}

void swap_accept_cmd(struct request *req)
{
	swap_decide(req, "approve");
}

void swap_decline_cmd(struct request *req)
{
	swap_decide(req, "deny");
}

/* ---- !approval cancel <ID> [reason] ---- */

static void on_cancelled(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const char *id = req->data_person;
	char sum[SAID_MAX];

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_found"))
		refuse(req, MSG_APPROVAL_NOT_FOUND, "id", id);
	else if (reply_is(r, "closed"))
		refuse(req, MSG_APPROVAL_CLOSED, "id", id, "state", approval_state_text(req, reply_str(r, 1)));
	else if (reply_is(r, "not_allowed"))
		refuse(req, MSG_APPROVAL_CANCEL_NOT_ALLOWED, "id", id);
	else
		reply(req, MSG_APPROVAL_CANCELLED_OK, "id", id, "summary", said(req, reply_str(r, 2), sum));
	request_done(req);
}

void approval_cancel_cmd(struct request *req)
{
	approval_op(req, req->cmd.argv[2], "cancel", parse_rest(&req->cmd, 3), "", on_cancelled);
}

/* ---- !approval show <ID> ---- */

/* A step's decider as the subject of a line ("Step 1, a minister or above: ..."). */
static const char *step_who(struct request *req, const char *who, char *buf, size_t n)
{
	int role = strncmp(who, "role:", 5) == 0 ? config_role_parse(who + 5) : -1;

	if (role <= 0)
		return approval_who_text(req, who, buf, n);
	return MSGN(req, buf, n, MSG_APPROVAL_STEP_ROLE, "role", role_display((enum role)role, req->caller.lang));
}

static void on_show(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const char *id = req->data_person;
	char *out, line[1024], when[32], who[128], ds[11], hm[6], sum[SAID_MAX];
	size_t len, nsteps;
	struct ymd day;
	int role;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	if (reply_is(r, "not_found") || reply_is(r, "not_allowed")) {
		refuse(req, reply_is(r, "not_found") ? MSG_APPROVAL_NOT_FOUND : MSG_APPROVAL_SHOW_NOT_ALLOWED, "id", id);
		request_done(req);
		return;
	}
	if ((out = malloc(SHOW_TEXT_MAX)) == NULL) {
		reply_state_error(req, "out of memory");
		request_done(req);
		return;
	}
	when_local_date(strtoll(reply_str(r, 6), NULL, 10), &day, NULL);
	snprintf(when, sizeof(when), "%s %s", when_format(day, ds), when_hhmm(strtoll(reply_str(r, 6), NULL, 10), hm));
	len = strlen(MSGN(req, out, SHOW_TEXT_MAX, MSG_APPROVAL_SHOW_HEAD, "id", id,
	    "state", approval_state_text(req, reply_str(r, 2)), "summary", said(req, reply_str(r, 3), sum), "by", reply_str(r, 4), "when", when));
	if (*reply_str(r, 7)) {
		MSG(req, line, MSG_APPROVAL_SHOW_REASON, "reason", reply_str(r, 7));
		len += (size_t)snprintf(out + len, SHOW_TEXT_MAX - len, "\n%s", line);
	}
	if (*reply_str(r, 8) && len < SHOW_TEXT_MAX) {
		MSG(req, line, MSG_APPROVAL_SHOW_EVIDENCE, "evidence", said(req, reply_str(r, 8), sum));
		len += (size_t)snprintf(out + len, SHOW_TEXT_MAX - len, "\n%s", line);
	}
	nsteps = (size_t)strtoul(reply_str(r, 9), NULL, 10);
	role = config_role_parse(reply_str(r, 5));
	for (size_t i = 0; i < nsteps && len < SHOW_TEXT_MAX; i++) {
		const char *status = reply_str(r, 10 + i * 5 + 1), *name = reply_str(r, 10 + i * 5 + 2);
		const char *note = reply_str(r, 10 + i * 5 + 3), *may = reply_str(r, 10 + i * 5 + 4);
		char n[24], with_note[512], note_said[SAID_MAX];
		snprintf(n, sizeof(n), "%zu", i + 1);
		snprintf(with_note, sizeof(with_note), "%s%s", *note ? ": " : "", said(req, note, note_said));
		step_who(req, reply_str(r, 10 + i * 5), who, sizeof(who));
		if (!*may)
			may = catalog_text(req->caller.lang, MSG_APPROVAL_NOBODY);
		if (strcmp(status, "signed") == 0)
			MSG(req, line, MSG_APPROVAL_STEP_SIGNED, "n", n, "who", who, "name", name,
			    "role", role > 0 ? role_display((enum role)role, req->caller.lang) : reply_str(r, 5));
		else if (strcmp(status, "approved") == 0)
			MSG(req, line, MSG_APPROVAL_STEP_APPROVED, "n", n, "who", who, "name", name, "note", with_note);
		else if (strcmp(status, "denied") == 0)
			MSG(req, line, MSG_APPROVAL_STEP_DENIED, "n", n, "who", who, "name", name, "note", with_note);
		else if (strcmp(status, "waits") == 0)
			MSG(req, line, MSG_APPROVAL_STEP_WAITS, "n", n, "who", who, "names", may);
		else if (strcmp(status, "later") == 0)
			MSG(req, line, MSG_APPROVAL_STEP_LATER, "n", n, "who", who, "names", may);
		else
			MSG(req, line, MSG_APPROVAL_STEP_NONE, "n", n, "who", who);
		len += (size_t)snprintf(out + len, SHOW_TEXT_MAX - len, "\n%s", line);
	}
	reply_text(req, out);
	free(out);
	request_done(req);
}

void approval_show_cmd(struct request *req)
{
	approval_op(req, req->cmd.argv[2], "show", "", "", on_show);
}

/* ---- !pending ---- */

#define PENDING_STRIDE 6

static void on_pending(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	size_t n = r != NULL && r->type == REDIS_REPLY_ARRAY ? r->elements / PENDING_STRIDE : 0;
	char *out, row[2048], part[1024], sum[SAID_MAX];
	size_t len;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	if (n == 0 || (out = malloc(SHOW_TEXT_MAX)) == NULL) {
		reply(req, MSG_PENDING_NONE);
		request_done(req);
		return;
	}
	len = strlen(MSGN(req, out, SHOW_TEXT_MAX, MSG_PENDING_HEADER));
	for (size_t i = 0; i < n && len < SHOW_TEXT_MAX; i++) {
		const char *reason = reply_str(r, i * PENDING_STRIDE + 4), *evidence = reply_str(r, i * PENDING_STRIDE + 5);
		size_t rl = strlen(MSG(req, row, MSG_PENDING_LINE, "id", reply_str(r, i * PENDING_STRIDE),
		    "summary", said(req, reply_str(r, i * PENDING_STRIDE + 1), sum), "by", reply_str(r, i * PENDING_STRIDE + 2)));
		if (*reason) {
			MSG(req, part, MSG_APPROVAL_REASON, "reason", reason);
			rl += (size_t)snprintf(row + rl, rl < sizeof(row) ? sizeof(row) - rl : 0, " — %s", part);
		}
		if (*evidence && rl < sizeof(row)) {
			MSG(req, part, MSG_APPROVAL_EVIDENCE, "evidence", said(req, evidence, sum));
			snprintf(row + rl, sizeof(row) - rl, " — %s", part);
		}
		len += (size_t)snprintf(out + len, SHOW_TEXT_MAX - len, "\n%s", row);
	}
	reply_text(req, out);
	free(out);
	request_done(req);
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

/* ---- the timer "stuck|<ID>": a request waited longer than approvals.stuck_after ---- */

void approvals_stuck_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct state_args *a = timers_args(ctx, "approvals:open");

	state_args_add(a, "dutybot");
	state_args_add(a, "timer");
	state_args_add(a, "0");
	state_args_add(a, argc >= 2 ? argv[1] : "");
	state_args_add(a, "stuck");
	state_args_add(a, member);
	state_args_add(a, "");
	state_args_add(a, "0");
	timers_run(ctx, "stuck request", member, SCRIPT_APPROVAL_DECIDE, a);
}
