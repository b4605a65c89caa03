/*
 * briefing: the shift's opening briefing and its close (the seeds' morning
 * meeting with the attendance check, and the end of day with the next
 * shift's key work).  The lead gets the briefing privately once the shift
 * has begun ("brief" timer at start + late_grace, or their check-in when it
 * comes later); !briefing shows it again, !briefing post puts it in ops and
 * records who was present.  Near the end ("close" timers: close_before
 * before it, at it, and close_before after it) the lead is asked for the
 * close, reminded once, and then the minister on duty is told; !close
 * writes it for the next lead and the day's report.  The scripts are
 * briefing.lua and shift_close.lua.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/shift_time.h"
#include "handlers/shifts.h"
#include "bot/lib/when.h"
#include "bot/lib/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BRIEF_INSTS_MAX 1024

/* When each kind's timer is due for INST. */
static int64_t brief_due(const struct config *cfg, const struct shift_instance *inst)
{
	return inst->start + cfg->policy.late_grace_ms;
}

static int64_t close_ask_due(const struct config *cfg, const struct shift_instance *inst)
{
	int64_t due = inst->end - cfg->policy.close_before_ms;

	return due > inst->start ? due : inst->start;
}

typedef int64_t due_fn(const struct config *cfg, const struct shift_instance *inst);

/* The instance whose DUE comes first after AFTER; false without shifts. */
static bool first_due_after(const struct config *cfg, int64_t after, due_fn *due, struct shift_instance *out,
                            int64_t *at)
{
	struct shift_instance around[SHIFT_AROUND_MAX];
	int n = shift_instances_around(cfg, after, around, SHIFT_AROUND_MAX);
	bool found = false;

	for (int i = 0; i < n; i++) {
		int64_t d = due(cfg, &around[i]);
		if (d > after && (!found || d < *at)) {
			*out = around[i];
			*at = d;
			found = true;
		}
	}
	return found;
}

/* The instance of a timer member's "<date>|<shift>" parts; -1 if unknown. */
static int member_instance(const struct config *cfg, int argc, char **argv, struct shift_instance *inst)
{
	const struct config_shift *sh;
	struct ymd date;

	if (argc < 3 || when_parse_date(argv[1], 0, &date) != 0 || (sh = shift_by_name(cfg, argv[2])) == NULL)
		return -1;
	shift_instance(sh, date, inst);
	return 0;
}

/* Local midnight today and tomorrow: the day the briefing's notices are of. */
static void add_day_bounds(struct state_args *a, int64_t now)
{
	struct ymd today;

	when_local_date(now, &today, NULL);
	state_args_addf(a, "%lld", (long long)when_local_ms(today, 0));
	state_args_addf(a, "%lld", (long long)when_local_ms(when_add_days(today, 1), 0));
}

/* "date|shift|pdate|pshift" of INST, appended to BUF at *LEN. */
static void add_with_previous(const struct config *cfg, const struct shift_instance *inst, char *buf, size_t n,
                              size_t *len)
{
	struct shift_instance prev;
	bool has = shift_previous(cfg, inst, &prev) == 0;

	if (*len < n)
		*len += (size_t)snprintf(buf + *len, n - *len, "%s%s|%s|%s|%s", *len ? " " : "", inst->date_s,
		    inst->shift->name, has ? prev.date_s : "", has ? prev.shift->name : "");
}

/* ---- !briefing / !briefing post [note] ---- */

static void on_briefing(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (reply_is(r, "ok")) {
		reply(req, MSG_BRIEFING_FOR_LEAD, "shift", reply_str(r, 2), "date", reply_str(r, 1), "lead", reply_str(r, 3),
		    "body", reply_str(r, 4));
	} else if (reply_is(r, "posted")) {
		if (*reply_str(r, 5))
			reply(req, MSG_BRIEFING_POSTED_YOU_MISSING, "shift", reply_str(r, 2), "date", reply_str(r, 1),
			    "present", reply_str(r, 3), "rostered", reply_str(r, 4), "names", reply_str(r, 5));
		else
			reply(req, MSG_BRIEFING_POSTED_YOU, "shift", reply_str(r, 2), "date", reply_str(r, 1),
			    "present", reply_str(r, 3), "rostered", reply_str(r, 4));
	} else if (reply_is(r, "not_lead") && *reply_str(r, 3)) {
		refuse(req, MSG_BRIEFING_NOT_LEAD, "shift", reply_str(r, 2), "date", reply_str(r, 1), "lead", reply_str(r, 3));
	} else if (reply_is(r, "not_lead")) {
		refuse(req, MSG_BRIEFING_NOT_LEAD_NOBODY, "shift", reply_str(r, 2), "date", reply_str(r, 1));
	} else {
		refuse(req, MSG_BRIEFING_NO_SHIFT);
	}
	request_done(req);
}

static void briefing_run(struct request *req, const char *op, const char *note)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	struct shift_instance around[SHIFT_AROUND_MAX];
	int n = shift_instances_around(cfg, now, around, SHIFT_AROUND_MAX);
	char insts[BRIEF_INSTS_MAX];
	size_t len = 0;
	struct state_args *a;

	if (shifts_none(req))
		return;
	/* the shifts open for check-in or running, the latest start first: the
	 * briefing is the coming shift's from the time its check-in opens */
	insts[0] = '\0';
	for (int i = n - 1; i >= 0; i--)
		if (around[i].start - shift_checkin_opens_ms(cfg) <= now && now < around[i].end)
			add_with_previous(cfg, &around[i], insts, sizeof(insts), &len);
	a = script_args(req, "roster");
	state_args_add(a, op);
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, len < sizeof(insts) ? insts : "");
	add_day_bounds(a, now);
	if (note != NULL)
		state_args_add(a, note);
	state_eval(request_state(req), SCRIPT_BRIEFING, 1, a, on_briefing, req);
}

void briefing_cmd(struct request *req)
{
	briefing_run(req, "show", NULL);
}

void briefing_post_cmd(struct request *req)
{
	briefing_run(req, "post", parse_rest(&req->cmd, 2));
}

/* After a lead's first check-in (shifts.c): the briefing, if its time has come. */
void briefing_after_checkin(const struct request *req, const char *date, const char *shift)
{
	const struct config *cfg = request_config(req);
	struct timer_ctx ctx = request_timer_ctx(req);
	char *argv[3] = { "brief", (char *)date, (char *)shift }, inst_s[160];
	struct shift_instance inst;
	size_t len = 0;
	struct state_args *a;

	if (member_instance(cfg, 3, argv, &inst) != 0)
		return;
	inst_s[0] = '\0';
	add_with_previous(cfg, &inst, inst_s, sizeof(inst_s), &len);
	a = timers_args(&ctx, "roster");
	state_args_add(a, "dutybot");
	state_args_add(a, "checkin");
	state_args_add(a, "checkin");
	state_args_add(a, "0");
	state_args_add(a, inst_s);
	add_day_bounds(a, ctx.now);
	state_args_addf(a, "%lld", (long long)brief_due(cfg, &inst));
	timers_run(&ctx, "briefing", NULL, SCRIPT_BRIEFING, a);
}

/* ---- the "brief|<date>|<shift>" timer ---- */

void briefing_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct shift_instance inst, next;
	char inst_s[160] = "", next_member[160] = "";
	int64_t next_due = 0, after = ctx->now - ctx->cfg->policy.late_grace_ms;
	size_t len = 0;
	struct state_args *a;

	if (member_instance(ctx->cfg, argc, argv, &inst) != 0) {
		/* a shift renamed or removed since: drop the timer, keep the chain */
		log_warnx("timers: bad briefing %s", member);
	} else {
		if (brief_due(ctx->cfg, &inst) > after)
			after = brief_due(ctx->cfg, &inst);
		/* after an outage: no briefing for a shift that is over */
		if (ctx->now < inst.end)
			add_with_previous(ctx->cfg, &inst, inst_s, sizeof(inst_s), &len);
	}
	/* the next one after this; after an outage, none of those missed */
	if (first_due_after(ctx->cfg, after, brief_due, &next, &next_due))
		snprintf(next_member, sizeof(next_member), "brief|%s|%s", next.date_s, next.shift->name);
	a = timers_args(ctx, "roster");
	state_args_add(a, "dutybot");
	state_args_add(a, "timer");
	state_args_add(a, "fire");
	state_args_add(a, "0");
	state_args_add(a, inst_s);
	add_day_bounds(a, ctx->now);
	state_args_add(a, member);
	state_args_add(a, next_member);
	state_args_addf(a, "%lld", (long long)next_due);
	timers_run(ctx, "briefing", member, SCRIPT_BRIEFING, a);
}

/* The next shift's briefing, whenever the store is up again: each fire adds the next. */
void briefing_seed(const struct timer_ctx *ctx)
{
	struct shift_instance inst;
	char member[160];
	int64_t due;

	if (first_due_after(ctx->cfg, ctx->now, brief_due, &inst, &due)) {
		snprintf(member, sizeof(member), "brief|%s|%s", inst.date_s, inst.shift->name);
		timers_add(ctx, due, member);
	}
}

/* ---- !close <text> / !close amend <text> ---- */

static void on_close(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	bool amended = reply_is(r, "amended");

	if (err != NULL) {
		reply_state_error(req, err);
	} else if ((reply_is(r, "ok") || amended) && *reply_str(r, 3)) {
		reply(req, amended ? MSG_CLOSE_AMENDED_SENT : MSG_CLOSE_SAVED_SENT, "shift", reply_str(r, 2),
		    "date", reply_str(r, 1), "lead", reply_str(r, 3));
	} else if (reply_is(r, "ok") || amended) {
		reply(req, amended ? MSG_CLOSE_AMENDED : MSG_CLOSE_SAVED, "shift", reply_str(r, 2), "date", reply_str(r, 1));
	} else if (reply_is(r, "already")) {
		char when[6];
		when_hhmm(strtoll(reply_str(r, 4), NULL, 10), when);
		refuse(req, MSG_CLOSE_ALREADY, "shift", reply_str(r, 2), "date", reply_str(r, 1), "by", reply_str(r, 3),
		    "time", when);
	} else if (reply_is(r, "not_lead") && *reply_str(r, 3)) {
		refuse(req, MSG_CLOSE_NOT_LEAD, "shift", reply_str(r, 2), "date", reply_str(r, 1), "lead", reply_str(r, 3));
	} else if (reply_is(r, "not_lead")) {
		refuse(req, MSG_CLOSE_NOT_LEAD_NOBODY, "shift", reply_str(r, 2), "date", reply_str(r, 1));
	} else {
		char minutes[24];
		snprintf(minutes, sizeof(minutes), "%lld", (long long)(request_config(req)->policy.close_before_ms / 60000));
		refuse(req, MSG_CLOSE_NO_SHIFT, "minutes", minutes);
	}
	request_done(req);
}

/* Does TEXT say anything: a letter or digit, or any non-ASCII character
 * (Chinese has no ASCII letters)?  "-" or "\"\"" is an empty close. */
static bool says_something(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p >= 0x80 || (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			return true;
	return false;
}

static void close_run(struct request *req, const char *op, int first)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	struct shift_instance around[SHIFT_AROUND_MAX], next;
	int n = shift_instances_around(cfg, now, around, SHIFT_AROUND_MAX);
	const char *text = parse_rest(&req->cmd, first);
	char insts[BRIEF_INSTS_MAX];
	size_t len = 0;
	struct state_args *a;

	if (shifts_none(req))
		return;
	if (!says_something(text)) {
		refuse(req, MSG_CLOSE_EMPTY);
		request_done(req);
		return;
	}
	/* the running shifts first, then those ended within close_before: a
	 * lead reminded at the end may still write it */
	insts[0] = '\0';
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			bool running = around[i].start <= now && now < around[i].end;
			bool ended = around[i].end <= now && now < around[i].end + cfg->policy.close_before_ms;
			if (!(pass == 0 ? running : ended))
				continue;
			if (shift_next(cfg, &around[i], &next) != 0)
				next = around[i];
			if (len < sizeof(insts))
				len += (size_t)snprintf(insts + len, sizeof(insts) - len, "%s%s|%s|%s|%s", len ? " " : "",
				    around[i].date_s, around[i].shift->name, next.date_s, next.shift->name);
		}
	a = script_args(req, "roster");
	state_args_add(a, op);
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, text);
	state_args_add(a, len < sizeof(insts) ? insts : "");
	state_eval(request_state(req), SCRIPT_SHIFT_CLOSE, 1, a, on_close, req);
}

void close_cmd(struct request *req)
{
	close_run(req, "close", 1);
}

void close_amend_cmd(struct request *req)
{
	close_run(req, "amend", 2);
}

/* ---- the "close|<date>|<shift>|ask|remind|tell" timers ---- */

void briefing_close_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	const struct config *cfg = ctx->cfg;
	struct shift_instance inst, next;
	char ends[6], m1[160] = "", m2[160] = "";
	int64_t d1 = 0, d2 = 0;
	struct state_args *a;
	const char *stage = argc >= 4 ? argv[3] : "";

	if (member_instance(cfg, argc, argv, &inst) != 0 || (strcmp(stage, "ask") != 0 && strcmp(stage, "remind") != 0
	    && strcmp(stage, "tell") != 0)) {
		log_warnx("timers: bad close timer %s", member);
		a = timers_args(ctx, "roster");
		state_args_add(a, "dutybot");
		state_args_add(a, "timer");
		state_args_add(a, "fire");
		state_args_add(a, member);
		state_args_add(a, "tell");
		state_args_add(a, "-");
		state_args_add(a, "-");
		state_args_add(a, "");
		timers_run(ctx, "close", member, SCRIPT_SHIFT_CLOSE, a);
		return;
	}
	if (strcmp(stage, "ask") == 0) {
		/* the next one after this; after an outage, none of those missed */
		int64_t after = close_ask_due(cfg, &inst);
		if (after < ctx->now - cfg->policy.close_before_ms)
			after = ctx->now - cfg->policy.close_before_ms;
		if (first_due_after(cfg, after, close_ask_due, &next, &d2))
			snprintf(m2, sizeof(m2), "close|%s|%s|ask", next.date_s, next.shift->name);
		snprintf(m1, sizeof(m1), "close|%s|%s|remind", inst.date_s, inst.shift->name);
		d1 = inst.end;
	} else if (strcmp(stage, "remind") == 0) {
		snprintf(m1, sizeof(m1), "close|%s|%s|tell", inst.date_s, inst.shift->name);
		d1 = inst.end + cfg->policy.close_before_ms;
	}
	/* After an outage: an ask held up past the end is not sent (the reminder
	 * comes at once instead); past the time a close may be written
	 * (close_before after the end), neither is, nor anything after them. */
	if (strcmp(stage, "tell") != 0 && ctx->now >= inst.end + cfg->policy.close_before_ms) {
		stage = "stale";
		m1[0] = '\0';
	} else if (strcmp(stage, "ask") == 0 && ctx->now >= inst.end) {
		stage = "stale";
	}
	when_hhmm(inst.end, ends);
	a = timers_args(ctx, "roster");
	state_args_add(a, "dutybot");
	state_args_add(a, "timer");
	state_args_add(a, "fire");
	state_args_add(a, member);
	state_args_add(a, stage);
	state_args_add(a, inst.date_s);
	state_args_add(a, inst.shift->name);
	state_args_add(a, ends);
	if (*m1) {
		state_args_add(a, m1);
		state_args_addf(a, "%lld", (long long)d1);
	}
	if (*m2) {
		state_args_add(a, m2);
		state_args_addf(a, "%lld", (long long)d2);
	}
	timers_run(ctx, "close", member, SCRIPT_SHIFT_CLOSE, a);
}

/* The next shift's ask for the close, whenever the store is up again. */
void briefing_close_seed(const struct timer_ctx *ctx)
{
	struct shift_instance inst;
	char member[160];
	int64_t due;

	if (first_due_after(ctx->cfg, ctx->now, close_ask_due, &inst, &due)) {
		snprintf(member, sizeof(member), "close|%s|%s|ask", inst.date_s, inst.shift->name);
		timers_add(ctx, due, member);
	}
}
