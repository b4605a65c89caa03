/*
 * attendance: hours worked per ISO week (real elapsed time between check-in
 * and check-out), the weekly list against policy.min_weekly_hours, excuses
 * approved by a webmaster, and the week-close timer that posts who stayed
 * under the minimum.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/approvals.h"
#include "handlers/shift_time.h"
#include "bot/lib/when.h"
#include "bot/lib/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATT_TEXT_MAX 8192
#define ATT_FIELDS 9        /* per person in attendance_read.lua's answer */

static void hours_text(const char *ms, char *buf, size_t n)
{
	long long v = strtoll(ms, NULL, 10);

	snprintf(buf, n, "%lld:%02lld", v / 3600000, v % 3600000 / 60000);
}

static void week_close_member(const struct config *cfg, struct ymd monday, char *member, size_t n, int64_t *due);

/* WEEK from ARG ("2026-W10", or NULL for this week) into WEEK and the week's
 * bounds; REQ's data_word says whether the week is still running (its close
 * has not come: its hours are not all in, so it is judged as "so far"). */
static int week_arg(struct request *req, const char *arg, char week[9], int64_t *from, int64_t *to)
{
	struct ymd monday;
	char member[64];
	int64_t due;

	if (arg == NULL) {
		struct ymd today;
		when_local_date(request_now(req), &today, NULL);
		monday = when_week_monday(today);
	} else if (when_parse_week(arg, &monday) != 0) {
		return -1;
	}
	when_week(monday, week);
	*from = when_local_ms(monday, 0);
	*to = when_local_ms(when_add_days(monday, 7), 0) - 1;
	week_close_member(request_config(req), monday, member, sizeof(member), &due);
	req->data_word = request_now(req) < due;
	return 0;
}

static bool is_week(const char *s)
{
	struct ymd m;

	return when_parse_week(s, &m) == 0;
}

static void read_attendance(struct request *req, const char *week, int64_t from, int64_t to, const char *who,
                            state_cb *cb)
{
	struct state_args *a = state_args_new();

	state_args_addf(a, "%sstaff", state_prefix(request_state(req)));
	state_args_add(a, state_prefix(request_state(req)));
	state_args_add(a, week);
	state_args_addf(a, "%lld", (long long)from);
	state_args_addf(a, "%lld", (long long)to);
	state_args_add(a, who);
	state_args_addf(a, "%lld", (long long)request_now(req));
	{
		/* the shifts one may be checked in to now: an open check-in counts up to now */
		const struct config *cfg = request_config(req);
		struct shift_instance around[64];
		char running[1024];
		size_t len = 0;
		int64_t now = request_now(req);
		int n = shift_instances_around(cfg, now, around, 64);
		running[0] = '\0';
		for (int i = 0; i < n; i++)
			if (around[i].start - shift_checkin_opens_ms(cfg) <= now && now < around[i].end)
				len += (size_t)snprintf(running + len, len < sizeof(running) ? sizeof(running) - len : 0,
				    "%s%s|%s|%s", len ? " " : "", around[i].date_s, around[i].shift->name, around[i].week);
		state_args_add(a, running);
	}
	{
		/* a running week: its shifts not ended yet, for what the roster still holds */
		const struct config *cfg = request_config(req);
		char left[4096];
		size_t len = 0;
		struct ymd monday;
		int64_t now = request_now(req);
		left[0] = '\0';
		when_parse_week(week, &monday);
		for (int d = 0; req->data_word && d < 7; d++)
			for (size_t i = 0; i < cfg->n_shifts; i++) {
				struct shift_instance inst;
				shift_instance(&cfg->shifts[i], when_add_days(monday, d), &inst);
				if (inst.end > now && len < sizeof(left))
					len += (size_t)snprintf(left + len, sizeof(left) - len, "%s%s|%s|%lld|%lld", len ? " " : "",
					    inst.date_s, inst.shift->name, (long long)inst.start, (long long)inst.end);
			}
		state_args_add(a, len < sizeof(left) ? left : "");
	}
	state_eval(request_state(req), SCRIPT_ATTENDANCE_READ, 1, a, cb, req);
}

/* ---- judging a week's hours ---- */

/*
 * What the hours of the person at BASE of R say against the minimum, into
 * MARK; false if their role has no minimum (only agents and vice ministers
 * do, as at the week's close).  A running week (REQ's data_word) is judged
 * only on what is certain: reached, or how much is missing and whether the
 * shifts still rostered this week can make it up.
 */
static bool judge(struct request *req, const redisReply *r, size_t base, char *mark, size_t n)
{
	const struct config *cfg = request_config(req);
	const char *role = reply_str(r, base + 7);
	long long ms = strtoll(reply_str(r, base + 2), NULL, 10);
	long long min = (long long)cfg->policy.min_weekly_hours * 3600000;
	long long left = strtoll(reply_str(r, base + 8), NULL, 10);
	bool excused = r->element[base + 5]->type == REDIS_REPLY_INTEGER && r->element[base + 5]->integer;
	char need[32], rostered[32];

	if (strcmp(role, "agent") != 0 && strcmp(role, "vice_minister") != 0) {
		int rl = config_role_parse(role);
		MSGN(req, mark, n, MSG_ATTENDANCE_NO_MINIMUM, "role", role_display(rl < 0 ? ROLE_MINISTER : (enum role)rl,
		    req->caller.lang));
		return false;
	}
	/* what is missing against the hours as shown (whole minutes), so that
	 * the two add up to the minimum on the reader's screen */
	snprintf(need, sizeof(need), "%lld", min - (ms - ms % 60000));
	hours_text(need, need, sizeof(need));
	snprintf(rostered, sizeof(rostered), "%lld", left);
	hours_text(rostered, rostered, sizeof(rostered));
	if (ms >= min)
		MSGN(req, mark, n, MSG_ATTENDANCE_OK);
	else if (!req->data_word)
		MSGN(req, mark, n, excused ? MSG_ATTENDANCE_EXCUSED : MSG_ATTENDANCE_UNDER);
	else if (excused)
		MSGN(req, mark, n, MSG_ATTENDANCE_EXCUSED_SO_FAR);
	else
		MSGN(req, mark, n, ms + left >= min ? MSG_ATTENDANCE_NEEDS : MSG_ATTENDANCE_OUT_OF_REACH, "need", need,
		    "rostered", rostered);
	return true;
}

/* ", late-rule warnings: 1" when there were any, else "" */
static const char *warnings_text(struct request *req, const char *count, char *buf, size_t n)
{
	buf[0] = '\0';
	if (strtol(count, NULL, 10) > 0)
		MSGN(req, buf, n, MSG_ATTENDANCE_WARNINGS, "warnings", count);
	return buf;
}

/* ---- !hours [person] [week] ---- */

static void on_hours(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char h[32];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (r->type != REDIS_REPLY_ARRAY || r->elements < ATT_FIELDS) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->data_person);
	} else {
		char min[16], text[1024], more[256], mark[256], warn[128];
		const char *sofar = req->data_word ? catalog_text(req->caller.lang, MSG_ATTENDANCE_SO_FAR) : "";
		bool judged = judge(req, r, 0, mark, sizeof(mark));
		hours_text(reply_str(r, 2), h, sizeof(h));
		snprintf(min, sizeof(min), "%d", request_config(req)->policy.min_weekly_hours);
		warnings_text(req, reply_str(r, 4), warn, sizeof(warn));
		if (judged)
			MSG(req, text, MSG_HOURS, "name", reply_str(r, 1), "week", req->data_person + 33, "sofar", sofar,
			    "hours", h, "min", min, "late", reply_str(r, 3), "warnings", warn, "mark", mark);
		else
			MSG(req, text, MSG_HOURS_NO_MINIMUM, "name", reply_str(r, 1), "week", req->data_person + 33,
			    "sofar", sofar, "hours", h, "late", reply_str(r, 3), "warnings", warn);
		if (strtol(reply_str(r, 6), NULL, 10) > 0) {
			MSG(req, more, MSG_HOURS_AUTO, "auto", reply_str(r, 6));
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s", more);
		}
		reply_text(req, text);
	}
	request_done(req);
}

void hours_cmd(struct request *req)
{
	const char *who = req->caller.id, *weekarg = NULL;
	char id[33], week[9];
	int64_t from, to;

	for (int i = 1; i < req->cmd.argc; i++) {
		if (is_week(req->cmd.argv[i]))
			weekarg = req->cmd.argv[i];
		else if (person_arg(req->cmd.argv[i], id, sizeof(id)))
			who = id;
		else {
			refuse(req, MSG_WEEK_BAD, "week", req->cmd.argv[i]);
			request_done(req);
			return;
		}
	}
	if (strcmp(who, req->caller.id) != 0 && req->caller.role < ROLE_VICE_MINISTER) {
		refuse(req, MSG_HOURS_OTHERS, "role", role_display(ROLE_VICE_MINISTER, req->caller.lang));
		request_done(req);
		return;
	}
	if (week_arg(req, weekarg, week, &from, &to) != 0) {
		refuse(req, MSG_WEEK_BAD, "week", weekarg);
		request_done(req);
		return;
	}
	/* data_person: the id, then (at 33) the week, kept for the answer */
	snprintf(req->data_person, 33, "%.32s", who);
	snprintf(req->data_person + 33, sizeof(req->data_person) - 33, "%s", week);
	read_attendance(req, week, from, to, who, on_hours);
}

/* ---- !attendance [week] ---- */

static void on_attendance(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const struct config *cfg = request_config(req);
	char *out, line[768], h[32], min[16], mark[256], warn[128];
	const char *sofar = req->data_word ? catalog_text(req->caller.lang, MSG_ATTENDANCE_SO_FAR) : "";
	size_t len, n;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	out = malloc(ATT_TEXT_MAX);
	if (out == NULL) {
		request_done(req);
		return;
	}
	snprintf(min, sizeof(min), "%d", cfg->policy.min_weekly_hours);
	len = strlen(MSGN(req, out, ATT_TEXT_MAX, MSG_ATTENDANCE_HEADER, "week", req->data_person, "sofar", sofar,
	    "min", min));
	n = r->type == REDIS_REPLY_ARRAY ? r->elements / ATT_FIELDS : 0;
	for (size_t i = 0; i < n && len < ATT_TEXT_MAX; i++) {
		judge(req, r, i * ATT_FIELDS, mark, sizeof(mark));
		hours_text(reply_str(r, i * ATT_FIELDS + 2), h, sizeof(h));
		MSG(req, line, MSG_ATTENDANCE_LINE, "name", reply_str(r, i * ATT_FIELDS + 1), "hours", h,
		    "late", reply_str(r, i * ATT_FIELDS + 3),
		    "warnings", warnings_text(req, reply_str(r, i * ATT_FIELDS + 4), warn, sizeof(warn)), "mark", mark);
		len += (size_t)snprintf(out + len, ATT_TEXT_MAX - len, "\n%s", line);
	}
	if (n == 0)
		len += (size_t)snprintf(out + len, ATT_TEXT_MAX - len, "\n%s", catalog_text(req->caller.lang, MSG_ATTENDANCE_NOBODY));
	reply_text(req, out);
	free(out);
	request_done(req);
}

void attendance_cmd(struct request *req)
{
	char week[9];
	int64_t from, to;

	if (week_arg(req, req->cmd.argc > 1 ? req->cmd.argv[1] : NULL, week, &from, &to) != 0) {
		refuse(req, MSG_WEEK_BAD, "week", req->cmd.argv[1]);
		request_done(req);
		return;
	}
	snprintf(req->data_person, sizeof(req->data_person), "%s", week);
	read_attendance(req, week, from, to, "", on_attendance);
}

/* ---- !excuse <person> <week> <reason> ---- */

static void on_excuse(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else if (approval_created(req, r))
		;       /* refused as uncompletable, or done at once */
	else if (reply_is(r, "ok"))
		reply(req, MSG_EXCUSE_REQUESTED, "id", reply_str(r, 1), "week", req->cmd.argv[2]);
	else
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->cmd.argv[1]);
	request_done(req);
}

void excuse_cmd(struct request *req)
{
	char id[33], week[9], summary[256];
	int64_t from, to;
	struct state_args *a;

	if (!person_arg(req->cmd.argv[1], id, sizeof(id))) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->cmd.argv[1]);
		goto done;
	}
	if (strcmp(id, req->caller.id) != 0 && req->caller.role < ROLE_VICE_MINISTER) {
		refuse(req, MSG_HOURS_OTHERS, "role", role_display(ROLE_VICE_MINISTER, req->caller.lang));
		goto done;
	}
	if (week_arg(req, req->cmd.argv[2], week, &from, &to) != 0) {
		refuse(req, MSG_WEEK_BAD, "week", req->cmd.argv[2]);
		goto done;
	}
	snprintf(summary, sizeof(summary), "excuse %s %s", id, week);
	a = script_args(req, "approvals:open");
	state_args_add(a, id);
	state_args_add(a, week);
	state_args_add(a, parse_rest(&req->cmd, 3));
	state_args_add(a, summary);
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_EXCUSE_REQUEST, 1, a, on_excuse, req);
	return;
done:
	request_done(req);
}

/* ---- the week-close timer ---- */

/* "weekclose|2026-W10|..." fires at the Monday 00:00 after that week, or
 * when the week's last shift (Sunday's night shift) has ended, whichever is
 * later: its hours are in by then (the automatic check-out at a shift's end
 * is a timer of the same due time, and "checkout|" sorts first). */
static void week_close_member(const struct config *cfg, struct ymd monday, char *member, size_t n, int64_t *due)
{
	char week[9];

	when_week(monday, week);
	snprintf(member, n, "weekclose|%s", week);
	*due = when_local_ms(when_add_days(monday, 7), 0);
	for (size_t i = 0; i < cfg->n_shifts; i++) {
		struct shift_instance last;
		shift_instance(&cfg->shifts[i], when_add_days(monday, 6), &last);
		if (last.end > *due)
			*due = last.end;
	}
}

void attendance_week_close_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct ymd monday, next;
	char next_member[64];
	int64_t next_due;
	struct state_args *a;

	if (argc < 2 || when_parse_week(argv[1], &monday) != 0) {
		log_warnx("timers: bad week close %s", member);
		return;
	}
	next = when_add_days(monday, 7);
	week_close_member(ctx->cfg, next, next_member, sizeof(next_member), &next_due);
	a = timers_args(ctx, "staff");
	state_args_add(a, member);
	state_args_add(a, argv[1]);
	state_args_addf(a, "%lld", (long long)ctx->cfg->policy.min_weekly_hours * 3600000LL);
	state_args_add(a, next_member);
	state_args_addf(a, "%lld", (long long)next_due);
	timers_run(ctx, "week close", member, SCRIPT_WEEK_CLOSE, a);
}

/* This week's close, whenever the store is up again: the fire adds the next. */
void attendance_week_close_seed(const struct timer_ctx *ctx)
{
	struct ymd today;
	char member[64];
	int64_t due;

	when_local_date(ctx->now, &today, NULL);
	week_close_member(ctx->cfg, when_week_monday(today), member, sizeof(member), &due);
	timers_add(ctx, due, member);
}
