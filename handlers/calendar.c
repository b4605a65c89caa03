/*
 * calendar: the personal appointment calendar only a SAM keeps (!calendar,
 * !calendar add|remove) and its reminder timer.  Appointments live in
 * careers.lua (the SAM gate is the command table's); they are personal data
 * of chat friends, so every answer goes privately.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "bot/lib/when.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALENDAR_TEXT_MAX 8192

static struct state_args *calendar_args(struct request *req, const char *op)
{
	struct state_args *a = script_args(req, "approvals:open");

	state_args_add(a, op);
	return a;
}

static void on_calendar_list(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	size_t n = err == NULL && r->type == REDIS_REPLY_ARRAY ? r->elements / 3 : 0;
	char *out = n ? malloc(CALENDAR_TEXT_MAX) : NULL, line[512];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (out == NULL) {
		reply_private(req, MSG_CALENDAR_EMPTY, "date", req->data_person);
	} else {
		size_t len = strlen(MSGN(req, out, CALENDAR_TEXT_MAX, MSG_CALENDAR_HEADER, "date", req->data_person));
		for (size_t i = 0; i < n && len < CALENDAR_TEXT_MAX; i++) {
			char hm[6];
			when_hhmm(strtoll(reply_str(r, i * 3 + 1), NULL, 10), hm);
			MSG(req, line, MSG_CALENDAR_LINE, "id", reply_str(r, i * 3), "time", hm, "text", reply_str(r, i * 3 + 2));
			len += (size_t)snprintf(out + len, CALENDAR_TEXT_MAX - len, "\n%s", line);
		}
		/* personal appointments with chat friends: privately */
		reply_private_text(req, out);
	}
	free(out);
	request_done(req);
}

static void on_calendar_added(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else
		reply_private(req, MSG_CALENDAR_ADDED, "id", reply_str(r, 1), "when", req->data_when);
	request_done(req);
}

static void on_calendar_removed(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "ok"))
		reply_private(req, MSG_CALENDAR_REMOVED, "id", req->data_person);
	else
		refuse(req, MSG_CALENDAR_NOT_FOUND, "id", req->data_person);
	request_done(req);
}

/* !calendar [date] */
void calendar_cmd(struct request *req)
{
	struct state_args *a;
	struct ymd date;

	if (when_parse_date(req->cmd.argc > 1 ? req->cmd.argv[1] : "today", request_now(req), &date) != 0) {
		refuse(req, MSG_DATE_BAD, "date", req->cmd.argv[1]);
		request_done(req);
		return;
	}
	when_format(date, req->data_person);
	a = calendar_args(req, "cal_list");
	state_args_addf(a, "%lld", (long long)when_local_ms(date, 0));
	state_args_addf(a, "%lld", (long long)when_local_ms(date, 1440) - 1);
	state_eval(request_state(req), SCRIPT_CAREERS, 1, a, on_calendar_list, req);
}

/* !calendar add <date> <HH:MM> <text> */
void calendar_add_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	int min = when_parse_hhmm(req->cmd.argv[3]);
	int64_t start;
	char ds[11], hm[6];
	struct state_args *a;
	struct ymd date;

	if (when_parse_date(req->cmd.argv[2], now, &date) != 0) {
		refuse(req, MSG_DATE_BAD, "date", req->cmd.argv[2]);
		request_done(req);
		return;
	}
	if (min < 0) {
		refuse(req, MSG_NOTIFY_BAD_TIME, "time", req->cmd.argv[3]);
		request_done(req);
		return;
	}
	start = when_local_ms(date, min);
	if (start <= now) {
		refuse(req, MSG_NOTIFY_PAST);
		request_done(req);
		return;
	}
	snprintf(req->data_when, sizeof(req->data_when), "%s %s", when_format(date, ds), when_hhmm(start, hm));
	a = calendar_args(req, "cal_add");
	state_args_addf(a, "%lld", (long long)start);
	state_args_addf(a, "%lld", (long long)(start - cfg->careers.calendar_reminder_ms));
	state_args_add(a, parse_rest(&req->cmd, 4));
	state_args_add(a, when_hhmm(start, hm));
	state_eval(request_state(req), SCRIPT_CAREERS, 1, a, on_calendar_added, req);
}

/* !calendar remove <id> */
void calendar_remove_cmd(struct request *req)
{
	struct state_args *a;

	snprintf(req->data_person, sizeof(req->data_person), "%s", req->cmd.argv[2]);
	req->data_person[0] = (char)toupper((unsigned char)req->data_person[0]);
	a = calendar_args(req, "cal_remove");
	state_args_add(a, req->data_person);
	state_eval(request_state(req), SCRIPT_CAREERS, 1, a, on_calendar_removed, req);
}

/* ---- the reminder timer: "cal|<id>" ---- */

void calendar_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct state_args *a = timers_args(ctx, "approvals:open");

	state_args_add(a, "dutybot");
	state_args_add(a, "timer");
	state_args_add(a, "cal_fire");
	state_args_add(a, member);
	state_args_add(a, argc >= 2 ? argv[1] : "");
	timers_run(ctx, "calendar reminder", member, SCRIPT_CAREERS, a);
}
