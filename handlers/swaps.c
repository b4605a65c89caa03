/*
 * swaps: the requests that change the roster through an approval: shift
 * swaps (!swap <date> <shift> with <person>, !swap arrange by a minister,
 * !swap withdraw and !swap undo) and leave (!leave).
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/shift_time.h"
#include "handlers/approvals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* req->data_word of a swap request */
#define SWAP_ARRANGED 1         /* !swap arrange */
#define SWAP_RUNNING 2          /* the shift has started */

/* The end of the running shift a swap request named (its words again). */
static int64_t swap_running_end(struct request *req)
{
	const struct config *cfg = request_config(req);
	int first = req->data_word & SWAP_ARRANGED ? 2 : 1;
	const struct config_shift *shift = shift_by_name(cfg, req->cmd.argv[first + 1]);
	struct shift_instance inst;
	struct ymd date;

	if (shift == NULL || when_parse_date(req->cmd.argv[first], request_now(req), &date) != 0)
		return 0;
	shift_instance(shift, date, &inst);
	return inst.end;
}

static void on_swap(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char slot[32];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (approval_created(req, r)) {
		/* refused as uncompletable, or done at once */
	} else if (reply_is(r, "ok")) {
		if (req->data_word & SWAP_RUNNING) {
			/* the shift runs: the asker reads that the swap is for the rest of it */
			char text[1024], note[256], until[6];
			const char *id = reply_str(r, 1);
			int64_t end = swap_running_end(req);
			if (req->data_word & SWAP_ARRANGED)
				MSG(req, text, MSG_SWAP_ARRANGED, "id", id, "from", req->data_when, "other", req->data_person);
			else
				MSG(req, text, MSG_SWAP_REQUESTED, "id", id, "other", req->data_person);
			MSG(req, note, MSG_SWAP_REST_NOTE, "until", when_hhmm(end, until));
			snprintf(text + strlen(text), sizeof(text) - strlen(text), " %s", note);
			reply_text(req, text);
		} else if (req->data_word & SWAP_ARRANGED)
			reply(req, MSG_SWAP_ARRANGED, "id", reply_str(r, 1), "from", req->data_when, "other", req->data_person);
		else if (*reply_str(r, 2))
			reply(req, MSG_SWAP_REQUESTED_EXCHANGE, "id", reply_str(r, 1), "other", req->data_person,
			    "theirs", reply_str(r, 2));
		else
			reply(req, MSG_SWAP_REQUESTED, "id", reply_str(r, 1), "other", req->data_person);
	} else if (reply_is(r, "not_yours")) {
		refuse(req, MSG_SWAP_NOT_YOURS, "shift", req->cmd.argv[2], "date", req->cmd.argv[1]);
	} else if (reply_is(r, "not_theirs")) {
		refuse(req, MSG_SWAP_NOT_THEIRS, "id", reply_str(r, 1), "shift", req->cmd.argv[3], "date", req->cmd.argv[2]);
	} else if (reply_is(r, "no_such_person")) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", reply_str(r, 1));
	} else if (reply_is(r, "self")) {
		refuse(req, req->data_word & SWAP_ARRANGED ? MSG_SWAP_ARRANGE_SAME : MSG_SWAP_SELF);
	} else if (reply_is(r, "own")) {
		refuse(req, MSG_SWAP_ARRANGE_OWN);
	} else if (reply_is(r, "already_there")) {
		refuse(req, MSG_SWAP_ALREADY_THERE_REQ, "other", req->data_person);
	} else if (reply_is(r, "may_not_hold")) {
		snprintf(slot, sizeof(slot), "%s", reply_str(r, 2));
		refuse(req, MSG_ROSTER_MAY_NOT_HOLD, "id", reply_str(r, 1), "slot", slot);
	} else if (reply_is(r, "on_leave")) {
		refuse(req, MSG_ROSTER_ON_LEAVE, "id", reply_str(r, 1), "date", req->cmd.argv[req->data_word & SWAP_ARRANGED ? 2 : 1]);
	} else {
		refuse(req, MSG_SWAP_DUPLICATE, "id", reply_str(r, 1));
	}
	request_done(req);
}

/* "vip=PAM,xxl=PAM": the customer groups and the lowest level that serves each. */
static const char *swap_groups(const struct config *cfg, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_groups; i++)
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s=%s", i ? "," : "",
		    cfg->groups[i].name, config_level_name(cfg->groups[i].min_level));
	return buf;
}

/*
 * Every shift of DATE's ISO week with its length, "date|shift|ms ...": the
 * swap script counts both people's rostered hours of the week from it.
 */
static char *swap_week_spec(const struct config *cfg, struct ymd date)
{
	size_t n = 7 * cfg->n_shifts * 64 + 1, len = 0;
	char *buf = malloc(n);
	struct ymd monday = when_week_monday(date);

	if (buf == NULL)
		return NULL;
	buf[0] = '\0';
	for (int d = 0; d < 7; d++)
		for (size_t i = 0; i < cfg->n_shifts; i++) {
			struct shift_instance inst;
			shift_instance(&cfg->shifts[i], when_add_days(monday, d), &inst);
			len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s|%s|%lld", len ? " " : "",
			    inst.date_s, inst.shift->name, (long long)(inst.end - inst.start));
		}
	return buf;
}

/*
 * !swap <date> <shift> with <to> and !swap arrange <date> <shift> <from> <to>:
 * ARGS[0..1] the date and the shift, FROM NULL for the caller's own shift.
 * A shift that has started may still change hands for the rest of it; one
 * that is over may not.
 */
static void swap_ask(struct request *req, char *const *args, const char *from, const char *to)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	const struct config_shift *shift;
	struct shift_instance inst;
	struct ymd date;
	struct state_args *a;
	char names[512], groups[512], until[6], *week;

	if (when_parse_date(args[0], now, &date) != 0) {
		refuse(req, MSG_DATE_BAD, "date", args[0]);
		goto done;
	}
	if ((shift = shift_by_name(cfg, args[1])) == NULL) {
		refuse(req, MSG_SHIFT_UNKNOWN, "shift", args[1], "shifts", shift_names(cfg, names, sizeof(names)));
		goto done;
	}
	shift_instance(shift, date, &inst);
	if (inst.end <= now) {
		refuse(req, MSG_SWAP_PAST, "shift", shift->name, "date", inst.date_s);
		goto done;
	}
	if (from != NULL && !person_arg(from, req->data_when, sizeof(req->data_when))) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", from);
		goto done;
	}
	if (!person_arg(to, req->data_person, sizeof(req->data_person))) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", to);
		goto done;
	}
	if ((week = swap_week_spec(cfg, date)) == NULL) {
		reply_state_error(req, "out of memory");
		goto done;
	}
	req->data_word = (from != NULL ? SWAP_ARRANGED : 0) | (inst.start <= now ? SWAP_RUNNING : 0);
	a = script_args(req, "approvals:open");
	state_args_add(a, inst.date_s);
	state_args_add(a, shift->name);
	state_args_add(a, req->data_person);
	state_args_add(a, shift_names(cfg, names, sizeof(names)));
	state_args_add(a, from != NULL ? req->data_when : "");
	state_args_addf(a, "%lld", (long long)inst.start);
	state_args_addf(a, "%lld", (long long)inst.end);
	state_args_add(a, inst.week);
	state_args_add(a, week);
	state_args_add(a, swap_groups(cfg, groups, sizeof(groups)));
	state_args_add(a, inst.start <= now ? when_hhmm(inst.end, until) : "");
	free(week);
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_SWAP_REQUEST, 1, a, on_swap, req);
	return;
done:
	request_done(req);
}

void swap_cmd(struct request *req)
{
	if (strcmp(req->cmd.argv[3], "with") != 0) {
		reply_usage(req);
		request_done(req);
		return;
	}
	swap_ask(req, &req->cmd.argv[1], NULL, req->cmd.argv[4]);
}

void swap_arrange_cmd(struct request *req)
{
	swap_ask(req, &req->cmd.argv[2], req->cmd.argv[4], req->cmd.argv[5]);
}

/* ---- !swap withdraw <S-n> / !swap undo <S-n> ---- */

static void on_swap_change(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const char *id = req->data_person;
	char sum[1024];

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_found") || reply_is(r, "not_swap"))
		refuse(req, reply_is(r, "not_found") ? MSG_APPROVAL_NOT_FOUND : MSG_SWAP_NOT_A_SWAP, "id", id);
	else if (reply_is(r, "not_requester"))
		refuse(req, MSG_SWAP_WITHDRAW_NOT_YOURS, "id", id);
	else if (reply_is(r, "not_allowed"))
		refuse(req, MSG_SWAP_UNDO_NOT_ALLOWED, "id", id);
	else if (reply_is(r, "closed"))
		refuse(req, MSG_SWAP_WITHDRAW_DECIDED, "id", id, "state", approval_state_text(req, reply_str(r, 1)));
	else if (reply_is(r, "not_approved"))
		refuse(req, MSG_SWAP_UNDO_NOT_APPROVED, "id", id, "state", approval_state_text(req, reply_str(r, 1)));
	else if (reply_is(r, "started"))
		refuse(req, MSG_SWAP_UNDO_STARTED, "id", id, "shift", reply_str(r, 2), "date", reply_str(r, 1));
	else if (reply_is(r, "changed"))
		refuse(req, MSG_SWAP_UNDO_CHANGED, "id", id);
	else if (reply_is(r, "withdrawn"))
		reply(req, MSG_SWAP_WITHDRAWN, "id", id, "summary", catalog_said(sum, sizeof(sum), req->caller.lang, reply_str(r, 2)));
	else
		reply(req, MSG_SWAP_UNDONE, "id", id, "summary", catalog_said(sum, sizeof(sum), req->caller.lang, reply_str(r, 2)));
	request_done(req);
}

static void swap_change(struct request *req, const char *op)
{
	struct state_args *a;

	if (!approval_parse_id(req->cmd.argv[2], req->data_person, sizeof(req->data_person))) {
		refuse(req, MSG_APPROVAL_NOT_FOUND, "id", req->cmd.argv[2]);
		request_done(req);
		return;
	}
	a = script_args(req, "approvals:open");
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, req->data_person);
	state_args_add(a, op);
	state_eval(request_state(req), SCRIPT_SWAP_CHANGE, 1, a, on_swap_change, req);
}

void swap_withdraw_cmd(struct request *req)
{
	swap_change(req, "withdraw");
}

void swap_undo_cmd(struct request *req)
{
	swap_change(req, "undo");
}

static void on_leave(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else if (approval_created(req, r))
		;       /* refused as uncompletable, or done at once */
	else if (reply_is(r, "ok"))
		reply(req, req->data_person[0] == 'L' ? MSG_LEAVE_REQUESTED_LATE : MSG_LEAVE_REQUESTED,
		    "id", reply_str(r, 1), "dates", req->data_when);
	else
		refuse(req, MSG_LEAVE_OVERLAP, "id", reply_str(r, 1));
	request_done(req);
}

void leave_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	struct ymd from, to, today;
	struct state_args *a;
	char dates[WHEN_RANGE_MAX_DAYS * 11 + 1], names[512], a_s[11], b_s[11];
	size_t len = 0;
	bool late;

	if (when_parse_range(req->cmd.argv[1], now, &from, &to) != 0) {
		refuse(req, MSG_DATE_BAD, "date", req->cmd.argv[1]);
		request_done(req);
		return;
	}
	when_local_date(now, &today, NULL);
	if (when_compare(from, today) < 0) {
		refuse(req, MSG_LEAVE_PAST, "dates", req->cmd.argv[1]);
		request_done(req);
		return;
	}
	dates[0] = '\0';
	for (struct ymd d = from; when_compare(d, to) <= 0; d = when_add_days(d, 1)) {
		char ds[11];
		len += (size_t)snprintf(dates + len, sizeof(dates) - len, "%s%s", len ? " " : "", when_format(d, ds));
	}
	/*
	 * asked later than policy.leave_notice before the first day starts:
	 * allowed, at short notice (the deciders read that in their language)
	 */
	late = when_local_ms(from, 0) - now < cfg->policy.leave_notice_ms;
	req->data_person[0] = late ? 'L' : '\0';
	/* one day is "2026-12-10", more "2026-12-10..2026-12-12" (the script's summary says it so too) */
	if (when_compare(from, to) == 0)
		snprintf(req->data_when, sizeof(req->data_when), "%s", when_format(from, a_s));
	else
		snprintf(req->data_when, sizeof(req->data_when), "%s..%s", when_format(from, a_s), when_format(to, b_s));
	a = script_args(req, "approvals:open");
	state_args_add(a, dates);
	state_args_add(a, shift_names(cfg, names, sizeof(names)));
	state_args_add(a, late ? "1" : "0");
	state_args_add(a, parse_rest(&req->cmd, 2));
	state_args_add(a, shift_lengths(cfg, names, sizeof(names)));
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_LEAVE_REQUEST, 1, a, on_leave, req);
}
