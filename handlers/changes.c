/*
 * changes: what a person's shifts are and how fairly they are spread.
 * !upcoming shows someone's next shifts and what changed in them since they
 * last looked (the change log every roster change writes: roster_changed in
 * state/scripts/_2roster.lua, which also tells them at once); !fairness puts
 * each person's month beside the department's average.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/shift_time.h"
#include "handlers/shifts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANGES_TEXT_MAX 8192
#define UPCOMING_DAYS 14        /* how far !upcoming looks ahead */
#define UPCOMING_MOST 10        /* shifts it lists at most */
#define FAIRNESS_FIELDS 7       /* per person in fairness.lua's answer */

static void changes_append(char *out, size_t *len, const char *s)
{
	*len += (size_t)snprintf(out + *len, *len < CHANGES_TEXT_MAX ? CHANGES_TEXT_MAX - *len : 0, "%s", s);
}

/* "12:30" (H:MM) of MS, signed when SIGNED ("+1:30", "-2:00", "±0:00"). */
static const char *changes_hours(long long ms, bool sign, char *buf, size_t n)
{
	long long a = ms < 0 ? -ms : ms;
	const char *s = !sign ? "" : ms > 0 ? "+" : ms < 0 ? "-" : "±";

	snprintf(buf, n, "%s%lld:%02lld", s, a / 3600000, a % 3600000 / 60000);
	return buf;
}

/* ---- !upcoming [person] ---- */

static int upcoming_by_start(const void *a, const void *b)
{
	const struct shift_instance *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void on_upcoming(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const struct config *cfg = request_config(req);
	bool own = req->data_word;
	char *out, line[2048], slot[64], hh1[6], hh2[6], at[32], ds[11];
	size_t len = 0;
	const redisReply *sh, *ch;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	if (!reply_is(r, "ok") || r->elements < 4) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", req->data_person);
		request_done(req);
		return;
	}
	if ((out = malloc(CHANGES_TEXT_MAX)) == NULL) {
		request_done(req);
		return;
	}
	out[0] = '\0';
	sh = r->element[2];
	ch = r->element[3];
	if (sh->type == REDIS_REPLY_ARRAY && sh->elements >= 3) {
		MSG(req, line, MSG_UPCOMING_HEADER, "name", reply_str(r, 1));
		changes_append(out, &len, line);
		for (size_t i = 0; i + 2 < sh->elements; i += 3) {
			const struct config_shift *cs = shift_by_name(cfg, reply_str(sh, i + 1));
			struct shift_instance inst;
			struct ymd d;
			if (cs == NULL || when_parse_date(reply_str(sh, i), request_now(req), &d) != 0)
				continue;
			shift_instance(cs, d, &inst);
			snprintf(slot, sizeof(slot), "MSG_ROSTER_SLOT_%s", strcmp(reply_str(sh, i + 2), "lead") == 0 ? "LEAD"
			    : strcmp(reply_str(sh, i + 2), "minister") == 0 ? "MINISTER" : "AGENT");
			MSG(req, line, MSG_UPCOMING_LINE, "date", inst.date_s, "shift", cs->name,
			    "start", when_hhmm(inst.start, hh1), "end", when_hhmm(inst.end, hh2), "slot", slot);
			changes_append(out, &len, "\n");
			changes_append(out, &len, line);
		}
	} else {
		char days[8];
		snprintf(days, sizeof(days), "%d", UPCOMING_DAYS);
		MSG(req, line, MSG_UPCOMING_NONE, "name", reply_str(r, 1), "days", days);
		changes_append(out, &len, line);
	}
	if (ch->type == REDIS_REPLY_ARRAY && ch->elements >= 2) {
		MSG(req, line, own ? MSG_UPCOMING_CHANGES : MSG_UPCOMING_CHANGES_OTHER, "name", reply_str(r, 1));
		changes_append(out, &len, "\n");
		changes_append(out, &len, line);
		for (size_t i = 0; i + 1 < ch->elements; i += 2) {
			int64_t ms = strtoll(reply_str(ch, i), NULL, 10);
			struct ymd d;
			when_local_date(ms, &d, NULL);
			snprintf(at, sizeof(at), "%s %s", when_format(d, ds), when_hhmm(ms, hh1));
			MSG(req, line, MSG_UPCOMING_CHANGE_LINE, "at", at, "change", reply_str(ch, i + 1));
			changes_append(out, &len, "\n");
			changes_append(out, &len, line);
		}
	} else if (own) {
		MSG(req, line, MSG_UPCOMING_NO_CHANGES);
		changes_append(out, &len, "\n");
		changes_append(out, &len, line);
	}
	reply_text(req, out);
	free(out);
	request_done(req);
}

void upcoming_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	struct shift_instance *inst;
	struct state_args *a;
	struct ymd today;
	char who[PERSON_ID_MAX];
	size_t n = 0;

	if (shifts_none(req))
		return;
	snprintf(who, sizeof(who), "%s", req->caller.id);
	if (req->cmd.argc > 2) {
		reply_usage(req);
		request_done(req);
		return;
	}
	if (req->cmd.argc > 1 && !person_arg_or_refuse(req, req->cmd.argv[1], who, sizeof(who)))
		return;
	if (strcmp(who, req->caller.id) != 0 && req->caller.role < ROLE_VICE_MINISTER) {
		refuse(req, MSG_UPCOMING_OTHERS, "role", role_display(ROLE_VICE_MINISTER, req->caller.lang));
		request_done(req);
		return;
	}
	snprintf(req->data_person, sizeof(req->data_person), "%s", who);
	req->data_word = strcmp(who, req->caller.id) == 0;
	/* from yesterday on: a night shift that began yesterday may still run */
	inst = calloc((UPCOMING_DAYS + 1) * cfg->n_shifts, sizeof(*inst));
	if (inst == NULL) {
		request_done(req);
		return;
	}
	when_local_date(now, &today, NULL);
	for (int d = -1; d < UPCOMING_DAYS; d++)
		for (size_t i = 0; i < cfg->n_shifts; i++) {
			shift_instance(&cfg->shifts[i], when_add_days(today, d), &inst[n]);
			if (inst[n].end > now)
				n++;
		}
	qsort(inst, n, sizeof(*inst), upcoming_by_start);
	a = state_args_new();
	state_args_addf(a, "%sstaff", state_prefix(request_state(req)));
	state_args_add(a, state_prefix(request_state(req)));
	state_args_addf(a, "%lld", (long long)now);
	state_args_add(a, who);
	state_args_add(a, req->data_word ? "1" : "0");
	state_args_addf(a, "%d", UPCOMING_MOST);
	for (size_t i = 0; i < n; i++)
		state_args_addf(a, "%s|%s", inst[i].date_s, inst[i].shift->name);
	free(inst);
	state_eval(request_state(req), SCRIPT_UPCOMING, 1, a, on_upcoming, req);
}

/* ---- !fairness [month] ---- */

/* TENTHS/10 with one decimal as the reader writes it ("0,3"), signed when SIGN. */
static const char *fairness_tenths(struct request *req, long long tenths, bool sign, char *buf, size_t n)
{
	char num[24];
	long long a = tenths < 0 ? -tenths : tenths;

	catalog_decimal(num, sizeof(num), req->caller.lang, (long)(a / 10), (long)(a % 10), 1);
	snprintf(buf, n, "%s%s", !sign ? "" : tenths > 0 ? "+" : tenths < 0 ? "-" : "±", num);
	return buf;
}

static void on_fairness(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	size_t n = r && r->type == REDIS_REPLY_ARRAY ? r->elements / FAIRNESS_FIELDS : 0;
	long long sum[5] = { 0 }, avg10[5];
	char *out, line[1024], v[5][32], dv[3][32];
	size_t len = 0;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	if (n == 0) {
		reply(req, MSG_FAIRNESS_NONE, "month", req->data_person);
		request_done(req);
		return;
	}
	if ((out = malloc(CHANGES_TEXT_MAX)) == NULL) {
		request_done(req);
		return;
	}
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 5; k++)
			sum[k] += strtoll(reply_str(r, i * FAIRNESS_FIELDS + 2 + (size_t)k), NULL, 10);
	for (int k = 0; k < 5; k++)         /* the average in tenths (hours: in ms), rounded */
		avg10[k] = k == 0 ? (sum[0] + (long long)n / 2) / (long long)n : (sum[k] * 10 + (long long)n / 2) / (long long)n;
	MSGN(req, out, CHANGES_TEXT_MAX, MSG_FAIRNESS_HEADER, "month", req->data_person);
	len = strlen(out);
	for (size_t i = 0; i < n && len < CHANGES_TEXT_MAX; i++) {
		long long x[5];
		for (int k = 0; k < 5; k++)
			x[k] = strtoll(reply_str(r, i * FAIRNESS_FIELDS + 2 + (size_t)k), NULL, 10);
		changes_hours(x[0], false, v[0], sizeof(v[0]));
		changes_hours(x[0] - avg10[0], true, dv[0], sizeof(dv[0]));
		fairness_tenths(req, x[2] * 10 - avg10[2], true, dv[1], sizeof(dv[1]));
		fairness_tenths(req, x[3] * 10 - avg10[3], true, dv[2], sizeof(dv[2]));
		for (int k = 1; k < 5; k++)
			snprintf(v[k], sizeof(v[k]), "%lld", x[k]);
		MSG(req, line, MSG_FAIRNESS_LINE, "name", reply_str(r, i * FAIRNESS_FIELDS + 1), "hours", v[0],
		    "hdiff", dv[0], "shifts", v[1], "nights", v[2], "ndiff", dv[1], "weekends", v[3], "wdiff", dv[2],
		    "swaps", v[4]);
		changes_append(out, &len, "\n");
		changes_append(out, &len, line);
	}
	changes_hours(avg10[0], false, v[0], sizeof(v[0]));
	for (int k = 1; k < 5; k++)
		fairness_tenths(req, avg10[k], false, v[k], sizeof(v[k]));
	MSG(req, line, MSG_FAIRNESS_AVERAGE, "hours", v[0], "shifts", v[1], "nights", v[2], "weekends", v[3],
	    "swaps", v[4]);
	changes_append(out, &len, "\n");
	changes_append(out, &len, line);
	reply_text(req, out);
	free(out);
	request_done(req);
}

void fairness_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	struct state_args *a;
	struct ymd date;

	if (shifts_none(req))
		return;
	if (req->cmd.argc > 2) {
		reply_usage(req);
		request_done(req);
		return;
	}
	when_local_date(request_now(req), &date, NULL);
	if (req->cmd.argc > 1) {
		int y, m, k = 0;
		if (sscanf(req->cmd.argv[1], "%4d-%2d%n", &y, &m, &k) != 2 || k != 7 || req->cmd.argv[1][k]
		    || m < 1 || m > 12) {
			refuse(req, MSG_MONTH_BAD, "month", req->cmd.argv[1]);
			request_done(req);
			return;
		}
		date = (struct ymd){ y, m, 1 };
	}
	snprintf(req->data_person, sizeof(req->data_person), "%04d-%02d", date.y % 10000, date.m % 100);
	a = state_args_new();
	state_args_addf(a, "%sstaff", state_prefix(request_state(req)));
	state_args_add(a, state_prefix(request_state(req)));
	state_args_add(a, req->data_person);
	for (struct ymd d = { date.y, date.m, 1 }; d.m == date.m; d = when_add_days(d, 1))
		for (size_t i = 0; i < cfg->n_shifts; i++) {
			const struct config_shift *s = &cfg->shifts[i];
			struct shift_instance inst;
			shift_instance(s, d, &inst);
			/* a night shift runs over midnight; the weekend is Saturday and Sunday */
			state_args_addf(a, "%s|%s|%lld|%d|%d", inst.date_s, s->name, (long long)(inst.end - inst.start),
			    s->end_min <= s->start_min, when_weekday(d) >= 5);
		}
	state_eval(request_state(req), SCRIPT_FAIRNESS, 1, a, on_fairness, req);
}
