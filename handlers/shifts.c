/*
 * shifts: the roster of each shift, who is on duty, check-in and check-out
 * (handovers: handover.c), and the three timers of a rostered shift: everyone's reminder,
 * the late rule for the lead and the minister on duty ("vice-minister
 * responsibility system") and the automatic check-out at its end.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/shift_time.h"
#include "handlers/shifts.h"
#include "bot/lib/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* "06:30" from minutes after midnight (0..1439). */
static void minutes_hhmm(int min, char buf[6])
{
	unsigned m = (unsigned)min % 1440u;

	snprintf(buf, 6, "%02u:%02u", m / 60u, m % 60u);
}

bool shifts_none(struct request *req)
{
	if (request_config(req)->n_shifts > 0)
		return false;
	refuse(req, MSG_SHIFT_NONE_CONFIGURED);
	request_done(req);
	return true;
}

void shifts_refuse_name(struct request *req, const char *name)
{
	char names[512];

	refuse(req, MSG_SHIFT_UNKNOWN, "shift", name, "shifts", shift_names(request_config(req), names, sizeof(names)));
}

void shifts_refuse_date(struct request *req, const char *s)
{
	refuse(req, MSG_DATE_BAD, "date", s);
}

/* ---- !roster [date] ---- */

static void append(char *out, size_t *len, const char *s)
{
	*len += (size_t)snprintf(out + *len, *len < SHIFT_TEXT_MAX ? SHIFT_TEXT_MAX - *len : 0, "%s", s);
}

/*
 * One person's attendance of a shift, as roster_read.lua gives it:
 * "name|late 0|1|open interval's start ms or ''|closed spans", the spans
 * "in-out" or "in-outA" (automatic check-out) separated by spaces.
 */
struct att_entry {
	const char *name;
	bool late, automatic;
	long long first_in;     /* the first check-in (ms): the first span's start, else the open one's */
	const char *open;       /* "" when not checked in now */
	const char *spans;
	char buf[1024];
};

static bool att_entry_parse(const char *s, struct att_entry *e)
{
	char *f[4], *p;
	int n = 0;

	snprintf(e->buf, sizeof(e->buf), "%s", s);
	for (p = e->buf, f[n++] = p; n < 4 && (p = strchr(p, '|')) != NULL; f[n++] = p)
		*p++ = '\0';
	if (n < 4)
		return false;
	e->name = f[0];
	e->late = *f[1] == '1';
	e->open = f[2];
	e->spans = f[3];
	e->automatic = *e->spans && e->spans[strlen(e->spans) - 1] == 'A';
	e->first_in = strtoll(*e->spans ? e->spans : e->open, NULL, 10);
	return true;
}

/* Whole minutes of lateness AFTER ms past the start; a late check-in is at
 * least a minute late (a grace under a minute must not read "0 min"). */
static long long late_minutes(long long after)
{
	return after >= 120000 ? after / 60000 : 1;
}

/* " (12 min late)" for an entry of a shift that started at START (ms), or "". */
static const char *late_mark(struct request *req, const struct att_entry *e, int64_t start, char *buf, size_t n)
{
	char minutes[24];

	buf[0] = '\0';
	if (e->late) {
		snprintf(minutes, sizeof(minutes), "%lld", late_minutes(e->first_in - start));
		MSGN(req, buf, n, MSG_LATE_MARK, "minutes", minutes);
	}
	return buf;
}

/* "Mia Keller [CCS] 06:02–10:00, 10:30–now (12 min late)" into OUT at *LEN;
 * the shift started at START (ms). */
static void att_entry_text(struct request *req, const struct att_entry *e, int64_t start, char *out, size_t n,
                           size_t *len)
{
	const char *p = e->spans;
	char a[6], b[6], open[64], mark[96];
	int k = 0;

#define PUT(...) (*len += (size_t)snprintf(out + *len, *len < n ? n - *len : 0, __VA_ARGS__))
	PUT("%s%s", *len ? catalog_text(req->caller.lang, MSG_LIST_SEP) : "", e->name);
	while (*p) {
		char *end;
		long long from = strtoll(p, &end, 10), to;
		if (*end != '-')
			break;
		to = strtoll(end + 1, &end, 10);
		when_hhmm(from, a);
		when_hhmm(to, b);
		PUT("%s%s–%s", k++ ? ", " : " ", a, b);
		p = end;
		while (*p == 'A' || *p == ' ')
			p++;
	}
	if (*e->open) {
		when_hhmm(strtoll(e->open, NULL, 10), a);
		MSG(req, open, MSG_ROSTER_OPEN_SPAN, "from", a);
		PUT("%s%s", k ? ", " : " ", open);
	}
	PUT("%s", late_mark(req, e, start, mark, sizeof(mark)));
	if (e->automatic && !*e->open)
		PUT("%s", catalog_text(req->caller.lang, MSG_AUTO_CHECKOUT_MARK));
#undef PUT
}

/* "early 06:00-14:00: lead Vera Kovacs; agents: Mia Keller [CCS]" from
 * roster_read's entry S: the parts it has, "nobody on it yet" when none. */
static void roster_shift_line(struct request *req, const redisReply *s, const char *start, const char *end,
                              const char *checked, char *out, size_t n)
{
	static const enum msg_id part_id[] = { MSG_ROSTER_PART_LEAD, MSG_ROSTER_PART_MINISTER,
	                                       MSG_ROSTER_PART_AGENTS, MSG_ROSTER_PART_CHECKED };
	const char *part_val[] = { reply_str(s, 2), reply_str(s, 3), reply_str(s, 4), checked };
	char parts[3072], one[1024];
	size_t len = 0;

	parts[0] = '\0';
	for (size_t i = 0; i < sizeof(part_id) / sizeof(part_id[0]); i++) {
		if (!*part_val[i])
			continue;
		MSG(req, one, part_id[i], "who", part_val[i]);
		len += (size_t)snprintf(parts + len, len < sizeof(parts) ? sizeof(parts) - len : 0, "%s%s",
		    len ? catalog_text(req->caller.lang, MSG_ROSTER_PART_SEP) : "", one);
	}
	if (len == 0)
		MSGN(req, out, n, MSG_ROSTER_SHIFT_EMPTY, "shift", reply_str(s, 0), "start", start, "end", end);
	else
		MSGN(req, out, n, MSG_ROSTER_SHIFT, "shift", reply_str(s, 0), "start", start, "end", end, "parts", parts);
}

static void on_roster(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char *out, line[1024], hhmm1[6], hhmm2[6];
	size_t len = 0;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	out = malloc(SHIFT_TEXT_MAX);
	if (out == NULL) {
		request_done(req);
		return;
	}
	out[0] = '\0';
	MSG(req, line, MSG_ROSTER_HEADER, "date", req->data_person);
	append(out, &len, line);
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		const redisReply *s = r->element[i];
		const struct config_shift *cs;
		struct shift_instance inst = { .start = 0 };
		struct ymd day;
		char checked[2048] = "";
		size_t clen = 0;
		if (s->type != REDIS_REPLY_ARRAY || s->elements < 8)
			continue;
		cs = shift_by_name(request_config(req), reply_str(s, 0));
		if (cs != NULL && when_parse_date(req->data_person, request_now(req), &day) == 0)
			shift_instance(cs, day, &inst);
		minutes_hhmm(cs ? cs->start_min : 0, hhmm1);
		minutes_hhmm(cs ? cs->end_min : 0, hhmm2);
		for (size_t k = 0; s->element[5]->type == REDIS_REPLY_ARRAY && k < s->element[5]->elements; k++) {
			struct att_entry e;
			if (att_entry_parse(reply_str(s->element[5], k), &e))
				att_entry_text(req, &e, inst.start, checked, sizeof(checked), &clen);
		}
		roster_shift_line(req, s, hhmm1, hhmm2, clen ? checked : "", line, sizeof(line));
		append(out, &len, "\n");
		append(out, &len, line);
		if (*reply_str(s, 6)) {
			MSG(req, line, MSG_ROSTER_REPLACED, "who", reply_str(s, 6));
			append(out, &len, line);
		}
		if (*reply_str(s, 7)) {
			MSG(req, line, MSG_ROSTER_MINISTER_REPLACED, "who", reply_str(s, 7));
			append(out, &len, line);
		}
	}
	reply_text(req, out);
	free(out);
	request_done(req);
}

void shifts_read_day(struct request *req, struct ymd date, state_cb *cb)
{
	const struct config *cfg = request_config(req);
	struct state_args *a = state_args_new();

	when_format(date, req->data_person);
	state_args_addf(a, "%sroster", state_prefix(request_state(req)));
	state_args_add(a, state_prefix(request_state(req)));
	for (size_t i = 0; i < cfg->n_shifts; i++)
		state_args_addf(a, "%s|%s", req->data_person, cfg->shifts[i].name);
	state_eval(request_state(req), SCRIPT_ROSTER_READ, 1, a, cb, req);
}

void roster_show_cmd(struct request *req)
{
	struct ymd date;

	if (shifts_none(req))
		return;
	if (when_parse_date(req->cmd.argc > 1 ? req->cmd.argv[1] : "today", request_now(req), &date) != 0) {
		shifts_refuse_date(req, req->cmd.argv[1]);
		request_done(req);
		return;
	}
	shifts_read_day(req, date, on_roster);
}

void shifts_read_today(struct request *req, state_cb *cb)
{
	struct ymd today;

	when_parse_date("today", request_now(req), &today);
	shifts_read_day(req, today, cb);
}

bool shifts_day_empty(const redisReply *r)
{
	if (r == NULL || r->type != REDIS_REPLY_ARRAY)
		return false;
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *s = r->element[i];
		if (s->type != REDIS_REPLY_ARRAY || s->elements < 8 || *reply_str(s, 2) || *reply_str(s, 3)
		    || *reply_str(s, 4))
			return false;
	}
	return true;
}

const char *shifts_empty_hint(struct request *req, const char *date, char *buf, size_t n)
{
	const struct config *cfg = request_config(req);

	return MSGN(req, buf, n, MSG_ROSTER_EMPTY_HINT, "prefix", cfg->command_prefix, "date", date,
	    "name", cfg->n_shifts ? cfg->shifts[0].name : "");
}

/* ---- !roster lead|minister|add|remove <date|range> <shift> <person>... ---- */

static void on_roster_set(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char slot[64];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (reply_is(r, "ok")) {
		/* what the slot is now, so that the one typing can check it */
		const char *what = reply_str(r, 2);
		enum msg_id id = strcmp(what, "lead") == 0 ? MSG_ROSTER_UPDATED_LEAD
		    : strcmp(what, "minister") == 0 ? MSG_ROSTER_UPDATED_MINISTER
		    : strcmp(what, "removed") == 0 ? MSG_ROSTER_UPDATED_REMOVED
		    : strcmp(what, "added") == 0 ? MSG_ROSTER_UPDATED_ADDED : MSG_ROSTER_UPDATED_AGENTS;
		if (*reply_str(r, 3) == '\0')       /* nobody there now: said in words, not "—" */
			id = id == MSG_ROSTER_UPDATED_LEAD ? MSG_ROSTER_UPDATED_NO_LEAD
			    : id == MSG_ROSTER_UPDATED_MINISTER ? MSG_ROSTER_UPDATED_NO_MINISTER : MSG_ROSTER_UPDATED_NOBODY;
		reply(req, id, "shift", req->cmd.argv[3], "dates", req->data_person, "who", reply_str(r, 3));
	} else if (reply_is(r, "no_such_person")) {
		refuse(req, MSG_STAFF_NOT_FOUND, "id", reply_str(r, 1));
	} else if (reply_is(r, "may_not_hold")) {
		snprintf(slot, sizeof(slot), "%s", reply_str(r, 2));
		refuse(req, MSG_ROSTER_MAY_NOT_HOLD, "id", reply_str(r, 1), "slot", slot);
	} else if (reply_is(r, "on_leave")) {
		refuse(req, MSG_ROSTER_ON_LEAVE, "id", reply_str(r, 1), "date", reply_str(r, 2));
	} else if (reply_is(r, "already")) {
		refuse(req, MSG_ROSTER_ALREADY, "id", reply_str(r, 1), "date", reply_str(r, 2), "slot", reply_str(r, 3));
	} else {
		refuse(req, MSG_ROSTER_NOT_THERE, "id", reply_str(r, 1), "shift", req->cmd.argv[3]);
	}
	request_done(req);
}

/* OP ("lead", "minister", "add" or "remove") the people argv[4..] on shift argv[3] of the dates argv[2]. */
static void roster_set(struct request *req, const char *op)
{
	const struct config *cfg = request_config(req);
	const struct config_shift *shift;
	struct ymd from, to;
	struct state_args *a;
	int64_t now = request_now(req);

	if (shifts_none(req))
		return;
	if (when_parse_range(req->cmd.argv[2], now, &from, &to) != 0) {
		shifts_refuse_date(req, req->cmd.argv[2]);
		goto done;
	}
	if ((shift = shift_by_name(cfg, req->cmd.argv[3])) == NULL) {
		shifts_refuse_name(req, req->cmd.argv[3]);
		goto done;
	}
	{
		struct shift_instance last;
		char a_s[11], b_s[11];
		if (when_compare(from, to) == 0)
			snprintf(req->data_person, sizeof(req->data_person), "%s", when_format(from, a_s));
		else
			snprintf(req->data_person, sizeof(req->data_person), "%s..%s", when_format(from, a_s),
			    when_format(to, b_s));
		shift_instance(shift, to, &last);
		if (last.end <= now) {
			refuse(req, MSG_ROSTER_PAST, "dates", req->cmd.argv[2]);
			goto done;
		}
	}
	a = script_args(req, "roster");
	state_args_add(a, op);
	state_args_add(a, shift->name);
	{
		/* the dates, and for a lead the reminder and late-check due times, as lists */
		char dates[WHEN_RANGE_MAX_DAYS * 11 + 1], dues[WHEN_RANGE_MAX_DAYS * 42 + 1];
		size_t dl = 0, ul = 0;
		dates[0] = dues[0] = '\0';
		for (struct ymd d = from; when_compare(d, to) <= 0; d = when_add_days(d, 1)) {
			struct shift_instance inst;
			shift_instance(shift, d, &inst);
			dl += (size_t)snprintf(dates + dl, sizeof(dates) - dl, "%s%s", dl ? " " : "", inst.date_s);
			ul += (size_t)snprintf(dues + ul, sizeof(dues) - ul, "%s%lld %lld", ul ? " " : "",
			    (long long)(inst.start - cfg->policy.reminder_ms),
			    (long long)(inst.start + cfg->policy.late_grace_ms));
		}
		state_args_add(a, dates);
		state_args_add(a, dues);
	}
	for (int i = 4; i < req->cmd.argc; i++) {
		char id[64];
		if (!person_arg(req->cmd.argv[i], id, sizeof(id))) {
			state_args_free(a);
			refuse(req, MSG_STAFF_NOT_FOUND, "id", req->cmd.argv[i]);
			goto done;
		}
		state_args_add(a, id);
	}
	state_eval(request_state(req), SCRIPT_ROSTER_SET, 1, a, on_roster_set, req);
	return;
done:
	request_done(req);
}

void roster_lead_cmd(struct request *req)
{
	roster_set(req, "lead");
}

void roster_minister_cmd(struct request *req)
{
	roster_set(req, "minister");
}

void roster_add_cmd(struct request *req)
{
	roster_set(req, "add");
}

void roster_remove_cmd(struct request *req)
{
	roster_set(req, "remove");
}

/* ---- !duty ---- */

struct duty_ctx {
	struct shift_instance cur[4], next;
	int ncur;
	bool has_next;
	int pending;
	char *text;
};

/* "On duty now: early until 14:00. Lead: …." with the parts there are. */
static void duty_now_line(struct request *req, const char *shift, const char *end, const char *lead,
                          const char *minister, const char *checked, char *out, size_t n)
{
	char part[2048];
	size_t len = strlen(MSGN(req, out, n, MSG_DUTY_NOW, "shift", shift, "end", end));

	if (*lead)
		len += (size_t)snprintf(out + len, len < n ? n - len : 0, " %s", MSG(req, part, MSG_DUTY_PART_LEAD, "who", lead));
	if (*minister)
		len += (size_t)snprintf(out + len, len < n ? n - len : 0, " %s",
		    MSG(req, part, MSG_DUTY_PART_MINISTER, "who", minister));
	if (*checked)
		snprintf(out + len, len < n ? n - len : 0, " %s", MSG(req, part, MSG_DUTY_PART_CHECKED, "who", checked));
}

static void on_duty(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char line[1024], hhmm[6];

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	{
		char *out = malloc(SHIFT_TEXT_MAX);
		size_t len = 0;
		const struct config *cfg = request_config(req);
		int64_t now = req->received_ms;         /* the instants duty_cmd() asked for */
		struct shift_instance around[SHIFT_AROUND_MAX];
		int n = shift_instances_around(cfg, now, around, SHIFT_AROUND_MAX);
		size_t idx = 0;
		bool anyone = false;
		char hint_date[16] = "";

		if (out == NULL) {
			request_done(req);
			return;
		}
		out[0] = '\0';
		for (int i = 0; i < n; i++) {
			const redisReply *s;
			bool running = around[i].start <= now && now < around[i].end;
			bool next = !running && around[i].start > now;
			if (!running && !next)
				continue;
			if (r->type != REDIS_REPLY_ARRAY || idx >= r->elements)
				break;
			s = r->element[idx++];
			if (s->type != REDIS_REPLY_ARRAY || s->elements < 8)
				continue;
			if (running) {
				char checked[2048] = "";
				size_t clen = 0;
				for (size_t k = 0; s->element[5]->type == REDIS_REPLY_ARRAY && k < s->element[5]->elements; k++) {
					struct att_entry e;
					char mark[96];
					if (!att_entry_parse(reply_str(s->element[5], k), &e) || !*e.open)
						continue;       /* not checked in now */
					clen += (size_t)snprintf(checked + clen, clen < sizeof(checked) ? sizeof(checked) - clen : 0,
					    "%s%s%s", clen ? catalog_text(req->caller.lang, MSG_LIST_SEP) : "", e.name,
					    late_mark(req, &e, around[i].start, mark, sizeof(mark)));
				}
				when_hhmm(around[i].end, hhmm);
				duty_now_line(req, around[i].shift->name, hhmm, reply_str(s, 2), reply_str(s, 3),
				    clen ? checked : "", line, sizeof(line));
				if (*reply_str(s, 8)) {
					/* the handover is not taken yet: who is still the lead */
					char open[512];
					size_t ll = strlen(line);
					MSG(req, open, MSG_DUTY_HANDOVER_OPEN, "pshift", reply_str(s, 9), "out", reply_str(s, 8));
					snprintf(line + ll, ll < sizeof(line) ? sizeof(line) - ll : 0, " %s", open);
				}
			} else {
				when_hhmm(around[i].start, hhmm);
				if (*reply_str(s, 2))
					MSG(req, line, MSG_DUTY_NEXT, "shift", around[i].shift->name, "date", around[i].date_s,
					    "start", hhmm, "lead", reply_str(s, 2));
				else
					MSG(req, line, MSG_DUTY_NEXT_NO_LEAD, "shift", around[i].shift->name,
					    "date", around[i].date_s, "start", hhmm);
			}
			if (*reply_str(s, 2) || *reply_str(s, 3) || *reply_str(s, 4))
				anyone = true;
			if (hint_date[0] == '\0')
				snprintf(hint_date, sizeof(hint_date), "%s", around[i].date_s);
			len += (size_t)snprintf(out + len, len < SHIFT_TEXT_MAX ? SHIFT_TEXT_MAX - len : 0, "%s%s",
			    len ? "\n" : "", line);
			if (next)
				break;
		}
		if (len == 0)
			MSGN(req, out, SHIFT_TEXT_MAX, MSG_DUTY_NONE);
		else if (!anyone) {
			/* a new department's first question: how does anyone get on it */
			shifts_empty_hint(req, hint_date, line, sizeof(line));
			snprintf(out + len, len < SHIFT_TEXT_MAX ? SHIFT_TEXT_MAX - len : 0, "\n%s", line);
		}
		reply_text(req, out);
		free(out);
	}
	request_done(req);
}

/* One read for !duty: the running instances and the next one. */
void duty_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = req->received_ms;
	struct shift_instance around[SHIFT_AROUND_MAX];
	int n;
	struct state_args *a;

	if (shifts_none(req))
		return;
	n = shift_instances_around(cfg, now, around, SHIFT_AROUND_MAX);
	a = state_args_new();
	state_args_addf(a, "%sroster", state_prefix(request_state(req)));
	state_args_add(a, state_prefix(request_state(req)));
	for (int i = 0; i < n; i++) {
		bool running = around[i].start <= now && now < around[i].end;
		if (running || around[i].start > now) {
			state_args_addf(a, "%s|%s", around[i].date_s, around[i].shift->name);
			if (!running)
				break;
		}
	}
	state_eval(request_state(req), SCRIPT_ROSTER_READ, 1, a, on_duty, req);
}

/* ---- !checkin [shift] / !checkout ---- */

static void format_hours(int64_t ms, char *buf, size_t n)
{
	snprintf(buf, n, "%lld:%02lld", (long long)(ms / 3600000), (long long)(ms % 3600000 / 60000));
}

/* "early (2026-03-02, 06:00-14:00)" for "2026-03-02|early". */
static void choice_text(const struct config *cfg, const char *inst, char *buf, size_t n)
{
	char date[11] = "", a[6] = "?", b[6] = "?";
	const char *bar = strchr(inst, '|');
	const struct config_shift *cs = bar ? shift_by_name(cfg, bar + 1) : NULL;

	if (bar != NULL)
		snprintf(date, sizeof(date), "%.*s", (int)(bar - inst), inst);
	if (cs != NULL) {
		minutes_hhmm(cs->start_min, a);
		minutes_hhmm(cs->end_min, b);
	}
	snprintf(buf, n, "%s (%s, %s-%s)", bar ? bar + 1 : inst, date, a, b);
}

static void on_checkin(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char text[1024], more[512], when[6];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (reply_is(r, "ok")) {
		bool again = strcmp(reply_str(r, 5), "again") == 0;
		long long after = strtoll(reply_str(r, 7), NULL, 10);
		char name[PERSON_NAME_MAX + 16], minutes[24];
		/* how late, in minutes after the start: "late" alone reads like the shift called late */
		snprintf(minutes, sizeof(minutes), "%lld", late_minutes(after));
		MSG(req, text, again ? MSG_CHECKIN_AGAIN : strcmp(reply_str(r, 4), "1") == 0 ? MSG_CHECKIN_LATE : MSG_CHECKIN_OK,
		    "name", person_display(&req->caller, name, sizeof(name)), "shift", reply_str(r, 2),
		    "date", reply_str(r, 1), "minutes", minutes);
		if (*reply_str(r, 6)) {
			/* "DATE SHIFT": the shift in the reader's words, as in every {shift} */
			const char *prev = reply_str(r, 6), *sp = strrchr(prev, ' ');
			char said[160];
			if (sp != NULL)
				snprintf(said, sizeof(said), "%.*s %s", (int)(sp - prev), prev, catalog_shift(req->caller.lang, sp + 1));
			MSG(req, more, MSG_CHECKIN_CLOSED_OTHER, "prev", sp != NULL ? said : prev);
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s", more);
		}
		reply_text(req, text);
		complaints_route_queue(req);    /* someone new may take the queue */
		if (!again && strcmp(reply_str(r, 3), "lead") == 0)
			briefing_after_checkin(req, reply_str(r, 1), reply_str(r, 2));
	} else if (reply_is(r, "already")) {
		when_hhmm(strtoll(reply_str(r, 3), NULL, 10), when);
		refuse(req, MSG_CHECKIN_ALREADY, "shift", reply_str(r, 2), "date", reply_str(r, 1), "since", when);
	} else if (reply_is(r, "which")) {
		size_t len = 0;
		const char *example = "";
		more[0] = '\0';
		for (size_t i = 1; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
			char one[128];
			choice_text(request_config(req), reply_str(r, i), one, sizeof(one));
			len += (size_t)snprintf(more + len, len < sizeof(more) ? sizeof(more) - len : 0, "%s%s",
			    len ? catalog_text(req->caller.lang, MSG_LIST_SEP) : "", one);
			/* the example: the last choice, the one starting latest */
			example = strchr(reply_str(r, i), '|') ? strchr(reply_str(r, i), '|') + 1 : "";
		}
		refuse(req, MSG_CHECKIN_WHICH, "choices", more, "example", example);
	} else if (reply_is(r, "not_on")) {
		refuse(req, MSG_CHECKIN_NOT_ON_SHIFT, "shift", reply_str(r, 1));
	} else {
		refuse(req, MSG_CHECKIN_NOT_ROSTERED);
	}
	request_done(req);
}

void checkin_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	struct shift_instance around[SHIFT_AROUND_MAX], prev;
	int n;
	struct state_args *a;

	if (shifts_none(req))
		return;
	if (req->cmd.argc > 2) {
		reply_usage(req);
		request_done(req);
		return;
	}
	if (req->cmd.argc == 2 && shift_by_name(cfg, req->cmd.argv[1]) == NULL) {
		shifts_refuse_name(req, req->cmd.argv[1]);
		request_done(req);
		return;
	}
	n = shift_instances_around(cfg, now, around, SHIFT_AROUND_MAX);
	a = script_args(req, "roster");
	state_args_add(a, req->cmd.argc == 2 ? req->cmd.argv[1] : "");
	for (int i = 0; i < n; i++) {
		bool open = around[i].start - shift_checkin_opens_ms(cfg) <= now && now < around[i].end;
		if (shift_previous(cfg, &around[i], &prev) != 0)
			prev = around[i];
		/* late once policy.late_grace has passed after the start */
		state_args_addf(a, "%s|%s|%s|%lld|%lld|%lld|%d|%s|%s|%lld", around[i].date_s, around[i].shift->name,
		    around[i].week, (long long)around[i].start, (long long)around[i].end,
		    (long long)(around[i].start + cfg->policy.late_grace_ms), open ? 1 : 0, prev.date_s, prev.shift->name,
		    (long long)prev.end);
	}
	state_eval(request_state(req), SCRIPT_CHECKIN, 1, a, on_checkin, req);
}

static void on_checkout(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char worked[32], total[32], when[6];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (reply_is(r, "ok")) {
		format_hours(strtoll(reply_str(r, 3), NULL, 10), worked, sizeof(worked));
		format_hours(strtoll(reply_str(r, 4), NULL, 10), total, sizeof(total));
		char name[PERSON_NAME_MAX + 16];
		reply(req, MSG_CHECKOUT_OK, "name", person_display(&req->caller, name, sizeof(name)), "shift", reply_str(r, 2),
		    "worked", worked, "total", total);
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements >= 5) {
		/* not checked in: say when the last check-out was, and whose */
		when_hhmm(strtoll(reply_str(r, 3), NULL, 10), when);
		refuse(req, strcmp(reply_str(r, 4), "A") == 0 ? MSG_CHECKOUT_WAS_AUTO : MSG_CHECKOUT_WAS_OUT,
		    "shift", reply_str(r, 2), "date", reply_str(r, 1), "time", when);
	} else {
		refuse(req, MSG_CHECKOUT_NOT_IN);
	}
	request_done(req);
}

void checkout_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	struct shift_instance around[SHIFT_AROUND_MAX];
	int n;
	struct state_args *a;

	if (shifts_none(req))
		return;
	n = shift_instances_around(cfg, now, around, SHIFT_AROUND_MAX);
	a = script_args(req, "roster");
	state_args_add(a, "hand");
	state_args_add(a, "");
	/* newest first: the shift one is most likely checked in to */
	for (int i = n - 1; i >= 0; i--)
		if (around[i].start - shift_checkin_opens_ms(cfg) <= now)
			state_args_addf(a, "%s|%s|%s|%lld", around[i].date_s, around[i].shift->name, around[i].week,
			    (long long)around[i].end);
	state_eval(request_state(req), SCRIPT_CHECKOUT, 1, a, on_checkout, req);
}

/* ---- timers: reminder and late rule ---- */

static struct state_args *fire_args(const struct timer_ctx *ctx, const char *member)
{
	struct state_args *a = timers_args(ctx, "roster");

	state_args_add(a, member);
	return a;
}

void shifts_remind_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	const struct config_shift *shift = argc >= 3 ? shift_by_name(ctx->cfg, argv[2]) : NULL;
	struct state_args *a = fire_args(ctx, member);
	char start[6] = "?";

	if (shift != NULL)
		minutes_hhmm(shift->start_min, start);
	state_args_add(a, argc >= 2 ? argv[1] : "");
	state_args_add(a, argc >= 3 ? argv[2] : "");
	state_args_add(a, start);
	timers_run(ctx, "shift timer", member, SCRIPT_REMIND_FIRE, a);
}

void shifts_late_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	const struct config_shift *shift = argc >= 3 ? shift_by_name(ctx->cfg, argv[2]) : NULL;
	struct state_args *a = fire_args(ctx, member);
	char start[6] = "?", names[512];

	if (shift != NULL)
		minutes_hhmm(shift->start_min, start);
	state_args_add(a, argc >= 2 ? argv[1] : "");
	state_args_add(a, argc >= 3 ? argv[2] : "");
	state_args_addf(a, "%lld", (long long)ctx->cfg->policy.late_window_ms);
	state_args_add(a, shift && shift->standby ? shift->standby : "");
	state_args_add(a, start);
	state_args_add(a, shift_names(ctx->cfg, names, sizeof(names)));
	state_args_add(a, shift_lengths(ctx->cfg, names, sizeof(names)));
	timers_run(ctx, "shift timer", member, SCRIPT_LATE_FIRE, a);
}

/* "checkout|<date>|<shift>" at the end of a shift instance: whoever is still
 * checked in is checked out at the end, marked automatic. */
void shifts_checkout_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	const struct config_shift *shift = argc >= 3 ? shift_by_name(ctx->cfg, argv[2]) : NULL;
	struct state_args *a = timers_args(ctx, "roster");
	struct shift_instance inst;
	struct ymd date;

	state_args_add(a, "dutybot");
	state_args_add(a, "timer");
	state_args_add(a, "auto");
	state_args_add(a, member);
	if (shift != NULL && when_parse_date(argv[1], ctx->now, &date) == 0) {
		shift_instance(shift, date, &inst);
		state_args_addf(a, "%s|%s|%s|%lld", inst.date_s, shift->name, inst.week, (long long)inst.end);
	} else {
		log_warnx("timers: %s names no configured shift; dropped", member);
	}
	timers_run(ctx, "shift timer", member, SCRIPT_CHECKOUT, a);
}
