/*
 * swaps: the requests that change the roster through an approval: shift
 * swaps (!swap <date> <shift> with <person>) and leave (!leave).
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/shift_time.h"
#include "handlers/approvals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_swap(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char slot[32];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (approval_created(req, r)) {
		/* refused as uncompletable, or done at once */
	} else if (reply_is(r, "ok")) {
		if (*reply_str(r, 2))
			reply(req, MSG_SWAP_REQUESTED_EXCHANGE, "id", reply_str(r, 1), "other", req->data_person,
			    "theirs", reply_str(r, 2));
		else
			reply(req, MSG_SWAP_REQUESTED, "id", reply_str(r, 1), "other", req->data_person);
	} else if (reply_is(r, "not_yours")) {
		refuse(req, MSG_SWAP_NOT_YOURS, "shift", req->cmd.argv[2], "date", req->cmd.argv[1]);
	} else if (reply_is(r, "no_such_person")) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->data_person);
	} else if (reply_is(r, "self")) {
		refuse(req, MSG_SWAP_SELF);
	} else if (reply_is(r, "already_there")) {
		refuse(req, MSG_SWAP_ALREADY_THERE_REQ, "other", req->data_person);
	} else if (reply_is(r, "may_not_hold")) {
		snprintf(slot, sizeof(slot), "%s", reply_str(r, 2));
		refuse(req, MSG_ROSTER_MAY_NOT_HOLD, "id", reply_str(r, 1), "slot", slot);
	} else if (reply_is(r, "on_leave")) {
		refuse(req, MSG_ROSTER_ON_LEAVE, "id", reply_str(r, 1), "date", req->cmd.argv[1]);
	} else {
		refuse(req, MSG_SWAP_DUPLICATE, "id", reply_str(r, 1));
	}
	request_done(req);
}

void swap_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	const struct config_shift *shift;
	struct shift_instance inst;
	struct ymd date;
	struct state_args *a;
	char names[512];

	if (strcmp(req->cmd.argv[3], "with") != 0) {
		reply_usage(req);
		goto done;
	}
	if (when_parse_date(req->cmd.argv[1], now, &date) != 0) {
		refuse(req, MSG_DATE_BAD, "date", req->cmd.argv[1]);
		goto done;
	}
	if ((shift = shift_by_name(cfg, req->cmd.argv[2])) == NULL) {
		refuse(req, MSG_SHIFT_UNKNOWN, "shift", req->cmd.argv[2], "shifts", shift_names(cfg, names, sizeof(names)));
		goto done;
	}
	shift_instance(shift, date, &inst);
	if (inst.start <= now) {
		refuse(req, MSG_SWAP_PAST, "shift", shift->name, "date", inst.date_s);
		goto done;
	}
	if (!person_arg(req->cmd.argv[4], req->data_person, sizeof(req->data_person))) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->cmd.argv[4]);
		goto done;
	}
	a = script_args(req, "approvals:open");
	state_args_add(a, inst.date_s);
	state_args_add(a, shift->name);
	state_args_add(a, req->data_person);
	state_args_add(a, shift_names(cfg, names, sizeof(names)));
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_SWAP_REQUEST, 1, a, on_swap, req);
	return;
done:
	request_done(req);
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
