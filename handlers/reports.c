/*
 * reports: !report day|week|month [date], !evaluate [month] and the
 * end-of-day report the bot posts to the ops channel by itself (a durable
 * timer).  The figures are computed by one read script (report.lua); the
 * text is the catalog's MSG_REPORT, so the posted and the asked-for report
 * are the same words.  The evaluation ranks only agents with data in the
 * month, and a tie is a tie: no "worst" among equals.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "bot/lib/when.h"
#include "bot/lib/log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_TEXT_MAX 8192
#define REPORT_KV_MAX 40

struct period {
	struct ymd from, to;            /* inclusive days */
	char label[32];
};

/* The ISO weeks the period touches, "2026-W10 2026-W11". */
static void period_weeks(const struct period *p, char *buf, size_t n)
{
	size_t len = 0;
	char last[9] = "";

	buf[0] = '\0';
	for (struct ymd d = p->from; when_compare(d, p->to) <= 0; d = when_add_days(d, 1)) {
		char w[9];
		when_week(d, w);
		if (strcmp(w, last) != 0) {
			len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? " " : "", w);
			strcpy(last, w);
		}
	}
}

static struct state_args *report_args_at(const struct config *cfg, struct state *st, int64_t now, const char *op,
                                         const struct period *p)
{
	struct state_args *a = state_args_new();
	char weeks[512];

	period_weeks(p, weeks, sizeof(weeks));
	state_args_addf(a, "%scomplaints:created", state_prefix(st));
	state_args_add(a, state_prefix(st));
	state_args_addf(a, "%lld", (long long)now);
	state_args_add(a, op);
	state_args_addf(a, "%lld", (long long)when_local_ms(p->from, 0));
	state_args_addf(a, "%lld", (long long)when_local_ms(when_add_days(p->to, 1), 0) - 1);
	state_args_add(a, p->label);
	state_args_add(a, weeks);
	state_args_addf(a, "%lld", (long long)cfg->policy.min_weekly_hours * 3600000LL);
	{
		/* the period's shift instances: hours worked are those of its shifts */
		char *inst = malloc(REPORT_TEXT_MAX);
		size_t len = 0;
		for (struct ymd d = p->from; inst != NULL && when_compare(d, p->to) <= 0; d = when_add_days(d, 1))
			for (size_t i = 0; i < cfg->n_shifts && len < REPORT_TEXT_MAX; i++) {
				char ds[11];
				len += (size_t)snprintf(inst + len, REPORT_TEXT_MAX - len, "%s%s|%s", len ? " " : "",
				    when_format(d, ds), cfg->shifts[i].name);
			}
		state_args_add(a, inst != NULL && len < REPORT_TEXT_MAX ? inst : "");
		free(inst);
	}
	return a;
}

static struct state_args *report_args(const struct request *req, const char *op, const struct period *p)
{
	return report_args_at(request_config(req), request_state(req), request_now(req), op, p);
}

/* "day|week|month" and a date into a period; -1 if bad. */
static int parse_period(const char *kind, struct ymd date, struct period *p)
{
	char a[11];

	if (strcmp(kind, "day") == 0) {
		p->from = p->to = date;
		snprintf(p->label, sizeof(p->label), "%s", when_format(date, a));
	} else if (strcmp(kind, "week") == 0) {
		p->from = when_week_monday(date);
		p->to = when_add_days(p->from, 6);
		when_week(date, p->label);
	} else if (strcmp(kind, "month") == 0) {
		p->from = (struct ymd){ date.y, date.m, 1 };
		p->to = when_add_days((struct ymd){ date.m == 12 ? date.y + 1 : date.y, date.m == 12 ? 1 : date.m + 1, 1 }, -1);
		snprintf(p->label, sizeof(p->label), "%04d-%02d", date.y % 10000, date.m % 100);
	} else {
		return -1;
	}
	return 0;
}

/* J's string members as catalog parameters, each said in LANG (catalog_said:
 * the scripts write message names and spans); the values are in SAID. */
static size_t report_kv(const cJSON *j, const char *lang, const char **kv, char **said, size_t max)
{
	const cJSON *it;
	size_t nkv = 0;

	cJSON_ArrayForEach(it, j)
		if (cJSON_IsString(it) && nkv + 2 <= max && (said[nkv / 2] = malloc(REPORT_TEXT_MAX)) != NULL) {
			kv[nkv++] = it->string;
			kv[nkv] = catalog_said(said[nkv / 2], REPORT_TEXT_MAX, lang, it->valuestring);
			nkv++;
		}
	return nkv;
}

/* A report or, with EVALUATION, the monthly evaluation, from the script's JSON. */
static void report_answer(const redisReply *r, const char *err, struct request *req, bool evaluation)
{
	cJSON *j = NULL;
	const char *kv[REPORT_KV_MAX];
	char *said[REPORT_KV_MAX / 2] = { NULL };
	size_t nkv;
	char *out;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	if (*reply_str(r, 0) != '\0')
		j = cJSON_Parse(reply_str(r, 0));
	out = malloc(REPORT_TEXT_MAX);
	if (j == NULL || out == NULL) {
		reply_state_error(req, "unexpected report");
		cJSON_Delete(j);
		free(out);
		request_done(req);
		return;
	}
	nkv = report_kv(j, req->caller.lang, kv, said, REPORT_KV_MAX);
	if (evaluation) {
		/* no ranking without data: the script says which case it is */
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
		const cJSON *unranked = cJSON_GetObjectItemCaseSensitive(j, "unranked");
		const char *k = cJSON_IsString(kind) ? kind->valuestring : "";
		enum msg_id id = strcmp(k, "none") == 0 ? MSG_EVALUATION_NO_DATA : strcmp(k, "one") == 0 ? MSG_EVALUATION_ONE
		    : strcmp(k, "tie") == 0 ? MSG_EVALUATION_TIE : MSG_EVALUATION;
		size_t len = strlen(request_msg(req, out, REPORT_TEXT_MAX, id, kv, nkv));
		if (id != MSG_EVALUATION_NO_DATA && cJSON_IsString(unranked) && *unranked->valuestring && len + 2 < REPORT_TEXT_MAX) {
			out[len++] = '\n';
			MSGN(req, out + len, REPORT_TEXT_MAX - len, MSG_EVALUATION_UNRANKED, "names", unranked->valuestring);
		}
	} else {
		request_msg(req, out, REPORT_TEXT_MAX, MSG_REPORT, kv, nkv);
	}
	reply_text(req, out);
	for (size_t i = 0; i < nkv / 2; i++)
		free(said[i]);
	free(out);
	cJSON_Delete(j);
	request_done(req);
}

static void on_report(const redisReply *r, const char *err, void *privdata)
{
	report_answer(r, err, privdata, false);
}

static void on_evaluation(const redisReply *r, const char *err, void *privdata)
{
	report_answer(r, err, privdata, true);
}

void report_cmd(struct request *req)
{
	struct period p;
	struct ymd date;

	if (when_parse_date(req->cmd.argc > 2 ? req->cmd.argv[2] : "today", request_now(req), &date) != 0) {
		refuse(req, MSG_DATE_BAD, "date", req->cmd.argv[2]);
		request_done(req);
		return;
	}
	if (parse_period(req->cmd.argv[1], date, &p) != 0) {
		reply_usage(req);
		request_done(req);
		return;
	}
	state_eval(request_state(req), SCRIPT_REPORT, 1, report_args(req, "read", &p), on_report, req);
}

void evaluate_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	struct period p;
	struct ymd date;
	struct state_args *a;

	when_local_date(request_now(req), &date, NULL);
	if (req->cmd.argc > 1) {
		int y, m, n = 0;
		if (sscanf(req->cmd.argv[1], "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || req->cmd.argv[1][n] || m < 1 || m > 12) {
			refuse(req, MSG_MONTH_BAD, "month", req->cmd.argv[1]);
			request_done(req);
			return;
		}
		date = (struct ymd){ y, m, 1 };
	}
	parse_period("month", date, &p);
	a = report_args(req, "evaluate", &p);
	state_args_addf(a, "%d,%d,%d,%d,%d", cfg->complaints.weights[0], cfg->complaints.weights[1],
	    cfg->complaints.weights[2], cfg->complaints.weights[3], cfg->complaints.weights[4]);
	state_eval(request_state(req), SCRIPT_REPORT, 1, a, on_evaluation, req);
}

/* ---- the end-of-day report: "dayreport|<date>" at daily_report ---- */

static void day_report_member(const struct config *cfg, struct ymd date, char *member, size_t n, int64_t *due)
{
	char ds[11];

	snprintf(member, n, "dayreport|%s", when_format(date, ds));
	*due = when_local_ms(date, cfg->complaints.daily_report_min);
}

void reports_day_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct period p;
	struct ymd date;
	char next[64];
	int64_t due;
	struct state_args *a;

	if (argc < 2 || when_parse_date(argv[1], ctx->now, &date) != 0) {
		log_warnx("timers: bad day report %s", member);
		return;
	}
	parse_period("day", date, &p);
	day_report_member(ctx->cfg, when_add_days(date, 1), next, sizeof(next), &due);
	a = report_args_at(ctx->cfg, ctx->state, ctx->now, "post", &p);
	state_args_add(a, member);
	state_args_add(a, next);
	state_args_addf(a, "%lld", (long long)due);
	timers_run(ctx, "day report", member, SCRIPT_REPORT, a);
}

/* Today's report (tomorrow's once today's time has passed), whenever the
 * store is up again: each report's script adds the next day's. */
void reports_day_seed(const struct timer_ctx *ctx)
{
	struct ymd today;
	char member[64];
	int64_t due;

	if (ctx->cfg->complaints.daily_report_min < 0)
		return;
	when_local_date(ctx->now, &today, NULL);
	day_report_member(ctx->cfg, today, member, sizeof(member), &due);
	if (due <= ctx->now)
		day_report_member(ctx->cfg, when_add_days(today, 1), member, sizeof(member), &due);
	timers_add(ctx, due, member);
}
