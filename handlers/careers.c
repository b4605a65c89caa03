/*
 * careers: staff levels and what they gate (!levels), promotions
 * (!promote), probation to permanent (!probation) and internships
 * (!training, !internship, !staff verify); the SAM-only calendar is
 * handlers/calendar.c.  The level gates
 * themselves are rows of the command table and the customer_groups table of
 * the config; every request goes through the one approval engine.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/approvals.h"
#include "handlers/commands.h"
#include "handlers/shift_time.h"
#include "bot/lib/when.h"
#include "bot/lib/log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CAREERS_TEXT_MAX 8192

static struct state_args *careers_args(struct request *req, const char *op)
{
	struct state_args *a = script_args(req, "approvals:open");

	state_args_add(a, op);
	return a;
}

static void refuse_person(struct request *req, const char *who)
{
	refuse(req, MSG_STAFF_NOT_FOUND, "id", who);
}

/* ---- !levels ---- */

void levels_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	char *out = malloc(CAREERS_TEXT_MAX), line[512];
	size_t len;

	if (out == NULL) {
		request_done(req);
		return;
	}
	len = strlen(MSGN(req, out, CAREERS_TEXT_MAX, MSG_LEVELS_HEADER));
	for (int l = LEVEL_TRN; l <= LEVEL_SAM && len < CAREERS_TEXT_MAX; l++) {
		char groups[256] = "", cmds[512] = "";
		size_t g = 0, c = 0;
		for (size_t i = 0; i < cfg->n_groups; i++)
			if (cfg->groups[i].min_level > (enum level)l)
				g += (size_t)snprintf(groups + g, g < sizeof(groups) ? sizeof(groups) - g : 0, "%s%s",
				    g ? catalog_text(req->caller.lang, MSG_LIST_SEP) : "", cfg->groups[i].name);
		for (size_t i = 0; i < n_commands; i++) {
			char label[64];
			if (commands[i].min_level > (enum level)l && commands[i].min_role <= ROLE_AGENT)
				c += (size_t)snprintf(cmds + c, c < sizeof(cmds) ? sizeof(cmds) - c : 0, "%s%s%s",
				    c ? catalog_text(req->caller.lang, MSG_LIST_SEP) : "", cfg->command_prefix,
				    command_label(&commands[i], label, sizeof(label)));
		}
		/* what is closed, said only where something is */
		if (g && c)
			MSG(req, line, MSG_LEVELS_LINE, "level", config_level_name((enum level)l), "groups", groups, "commands", cmds);
		else if (g)
			MSG(req, line, MSG_LEVELS_LINE_GROUPS, "level", config_level_name((enum level)l), "groups", groups);
		else if (c)
			MSG(req, line, MSG_LEVELS_LINE_COMMANDS, "level", config_level_name((enum level)l), "commands", cmds);
		else
			MSG(req, line, MSG_LEVELS_LINE_OPEN, "level", config_level_name((enum level)l));
		len += (size_t)snprintf(out + len, CAREERS_TEXT_MAX - len, "\n%s", line);
	}
	reply_text(req, out);
	free(out);
	request_done(req);
}

/* ---- !promote <person> <level> cycle=in|off name="..." email=... [reason="..."] ---- */

/* Is MONTH-DAY inside "MM-DD..MM-DD" (a window may run over the new year)? */
static bool in_window(const char *w, int md)
{
	int m1, d1, m2, d2, a, b;

	if (sscanf(w, "%2d-%2d..%2d-%2d", &m1, &d1, &m2, &d2) != 4)
		return false;
	a = m1 * 100 + d1;
	b = m2 * 100 + d2;
	return a <= b ? (md >= a && md <= b) : (md >= a || md <= b);
}

/* The next window start after TODAY as "YYYY-MM-DD", "" if none configured. */
static void next_window(const struct config *cfg, struct ymd today, char *buf, size_t n)
{
	buf[0] = '\0';
	for (int d = 1; d <= 366 && cfg->careers.n_promotion_windows > 0; d++) {
		struct ymd day = when_add_days(today, d);
		for (size_t i = 0; i < cfg->careers.n_promotion_windows; i++) {
			int m1, d1;
			if (sscanf(cfg->careers.promotion_windows[i], "%2d-%2d", &m1, &d1) == 2 && day.m == m1 && day.d == d1) {
				char ds[11];
				snprintf(buf, n, "%s", when_format(day, ds));
				return;
			}
		}
	}
}

static void on_promote(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	char who[128];

	if (err != NULL)
		reply_state_error(req, err);
	else if (approval_created(req, r))
		;       /* refused as uncompletable, or done at once */
	else if (reply_is(r, "ok"))
		reply(req, MSG_PROMOTION_REQUESTED, "id", reply_str(r, 1), "person", req->data_person,
		    "level", req->cmd.argv[2], "who", approval_who_text(req, reply_str(r, 2), who, sizeof(who)));
	else if (reply_is(r, "no_such_person"))
		refuse_person(req, req->data_person);
	else if (reply_is(r, "not_agent"))
		refuse(req, MSG_PROMOTION_NOT_AGENT, "person", req->data_person);
	else if (reply_is(r, "mismatch"))
		refuse(req, MSG_PROMOTION_MISMATCH, "person", req->data_person, "fields", reply_str(r, 1));
	else if (reply_is(r, "same"))
		refuse(req, MSG_PROMOTION_SAME, "person", req->data_person, "level", reply_str(r, 1));
	else if (reply_is(r, "lower"))
		refuse(req, MSG_PROMOTION_LOWER, "person", req->data_person, "level", reply_str(r, 1));
	else if (reply_is(r, "skip"))
		refuse(req, MSG_PROMOTION_SKIP, "person", req->data_person, "level", reply_str(r, 1));
	else
		refuse(req, MSG_PROMOTION_DUPLICATE, "id", reply_str(r, 1));
	request_done(req);
}

void promote_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	const char *level = req->cmd.argv[2];
	const char *cycle = parse_option(&req->cmd, "cycle"), *name = parse_option(&req->cmd, "name");
	const char *email = parse_option(&req->cmd, "email"), *reason = parse_option(&req->cmd, "reason");
	char summary[256];
	struct state_args *a;
	struct ymd today;
	int lv = config_level_parse(level);

	if (req->cmd.is_option[1] || !person_arg(req->cmd.argv[1], req->data_person, sizeof(req->data_person))) {
		refuse_person(req, req->cmd.argv[1]);
		goto done;
	}
	if (req->cmd.is_option[2] || lv <= LEVEL_NONE) {
		refuse(req, MSG_STAFF_BAD_VALUE, "field", "level", "value", level, "why",
		    catalog_text(req->caller.lang, MSG_WHY_LEVEL));
		goto done;
	}
	if (cycle == NULL || name == NULL || email == NULL) {
		char usage[256];
		snprintf(usage, sizeof(usage), "%s%s", cfg->command_prefix, req->command->usage);
		refuse(req, MSG_STAFF_MISSING, "option", cycle == NULL ? "cycle" : name == NULL ? "name" : "email",
		    "usage", usage);
		goto done;
	}
	if (strcmp(cycle, "off") == 0 && (reason == NULL || *reason == '\0')) {
		refuse(req, MSG_PROMOTION_OFF_NEEDS_REASON);
		goto done;
	}
	when_local_date(request_now(req), &today, NULL);
	if (strcmp(cycle, "in") == 0) {
		bool inside = false;
		for (size_t i = 0; i < cfg->careers.n_promotion_windows; i++)
			inside |= in_window(cfg->careers.promotion_windows[i], today.m * 100 + today.d);
		if (!inside) {
			char next[16];
			next_window(cfg, today, next, sizeof(next));
			if (*next)
				refuse(req, MSG_PROMOTION_OUT_OF_CYCLE, "next", next);
			else
				refuse(req, MSG_PROMOTION_NO_WINDOW);
			goto done;
		}
	} else if (strcmp(cycle, "off") != 0) {
		refuse(req, MSG_PROMOTION_BAD_CYCLE, "cycle", cycle);
		goto done;
	}
	snprintf(summary, sizeof(summary), "promotion %s -> %s (%s-cycle)", req->data_person,
	    config_level_name((enum level)lv), cycle);
	a = careers_args(req, "promote");
	state_args_add(a, req->data_person);
	state_args_add(a, config_level_name((enum level)lv));
	state_args_add(a, cycle);
	state_args_add(a, name);
	state_args_add(a, email);
	state_args_add(a, reason ? reason : "");
	state_args_add(a, summary);
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_CAREERS, 1, a, on_promote, req);
	return;
done:
	request_done(req);
}

/* ---- !probation apply|evaluate|consult ---- */

static void on_probation(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (approval_created(req, r)) {
		/* refused as uncompletable */
	} else if (reply_is(r, "ok") && *reply_str(r, 1)) {
		char figures[512];
		reply(req, MSG_PROBATION_APPLIED, "id", reply_str(r, 1),
		    "figures", catalog_said(figures, sizeof(figures), req->caller.lang, reply_str(r, 2)));
	} else if (reply_is(r, "ok")) {
		reply(req, MSG_PROBATION_CONSULTED, "id", req->cmd.argv[2], "person", req->data_person);
	} else if (reply_is(r, "permanent")) {
		refuse(req, MSG_PROBATION_PERMANENT);
	} else if (reply_is(r, "no_probation")) {
		refuse(req, MSG_PROBATION_NONE);
	} else if (reply_is(r, "too_early")) {
		struct ymd from, end;
		char a_s[11], b_s[11];
		when_local_date(strtoll(reply_str(r, 1), NULL, 10), &from, NULL);
		when_local_date(strtoll(reply_str(r, 2), NULL, 10), &end, NULL);
		refuse(req, MSG_PROBATION_TOO_EARLY, "from", when_format(from, a_s), "end", when_format(end, b_s));
	} else if (reply_is(r, "duplicate")) {
		refuse(req, MSG_PROBATION_DUPLICATE, "id", reply_str(r, 1));
	} else if (reply_is(r, "no_such_person")) {
		refuse_person(req, req->data_person);
	} else if (reply_is(r, "not_found")) {
		refuse(req, MSG_APPROVAL_NOT_FOUND, "id", req->cmd.argv[2]);
	} else if (reply_is(r, "closed")) {
		refuse(req, MSG_APPROVAL_CLOSED, "id", req->cmd.argv[2], "state", reply_str(r, 1));
	} else if (reply_is(r, "self")) {
		refuse(req, MSG_PROBATION_CONSULT_SELF);
	} else {
		refuse(req, MSG_PROBATION_CONSULT_NOT_NOW, "id", req->cmd.argv[2]);
	}
	request_done(req);
}

void probation_apply_cmd(struct request *req)
{
	struct state_args *a = careers_args(req, "probation_apply");

	state_args_add(a, parse_rest(&req->cmd, 2));
	state_args_addf(a, "%lld", (long long)request_config(req)->careers.probation_apply_window_ms);
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_CAREERS, 1, a, on_probation, req);
}

void probation_consult_cmd(struct request *req)
{
	struct state_args *a;
	char id[16];

	if (!person_arg(req->cmd.argv[3], req->data_person, sizeof(req->data_person))) {
		refuse_person(req, req->cmd.argv[3]);
		request_done(req);
		return;
	}
	snprintf(id, sizeof(id), "%s", req->cmd.argv[2]);
	for (char *p = id; *p && *p != '-'; p++)
		*p = (char)toupper((unsigned char)*p);
	a = careers_args(req, "consult");
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, id);
	state_args_add(a, req->data_person);
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_CAREERS, 1, a, on_probation, req);
}

/* !probation evaluate PR-n score=<1-5> <text>: the lead's step, with its score */
void probation_evaluate_cmd(struct request *req)
{
	approval_evaluate(req, req->cmd.argv[2], 3);
}

/* ---- internships ---- */

/* What an internship request was, for the words of its answer. */
enum intern_form { INTERN_LOG, INTERN_TALK, INTERN_SUMMARY, INTERN_VERIFY, INTERN_PROGRESS, INTERN_APPLY,
	INTERN_DEFENSE };

/* "2026-03-02" of a time in ms as the script returned it. */
static const char *intern_date(const char *ms, char buf[11])
{
	struct ymd d;

	when_local_date(strtoll(ms, NULL, 10), &d, NULL);
	return when_format(d, buf);
}

/* The status line, then where the internship stands: since when, the
 * application or the summary waiting, the last defense not passed.
 * R: 'status', tenths, talks, summary, verified, name, waiting tenths,
 * waiting talks, start ms, summary id, its state, application id, its step,
 * last defense "pass|fail score ms". */
static void intern_status(struct request *req, const redisReply *r, const char *hours, const char *need,
                          const char *ntalks)
{
	char text[2048], piece[512], sum[128], date[11], who[128];
	const char *lang = req->caller.lang, *sid = reply_str(r, 9), *sstate = reply_str(r, 10);
	long wait = strtol(reply_str(r, 6), NULL, 10);

	if (strcmp(reply_str(r, 3), "1") == 0)
		snprintf(sum, sizeof(sum), "%s", catalog_text(lang, MSG_YES));
	else if (*sid && strcmp(sstate, "open") == 0)
		MSG(req, sum, MSG_INTERN_SUMMARY_STATE_WAITS, "id", sid);
	else if (*sid && strcmp(sstate, "denied") == 0)
		MSG(req, sum, MSG_INTERN_SUMMARY_STATE_RETURNED, "id", sid);
	else
		snprintf(sum, sizeof(sum), "%s", catalog_text(lang, MSG_NO));
	MSG(req, text, MSG_INTERN_STATUS, "person", reply_str(r, 5), "hours", hours, "need", need,
	    "talks", reply_str(r, 2), "ntalks", ntalks, "summary", sum,
	    "verified", catalog_text(lang, strcmp(reply_str(r, 4), "1") == 0 ? MSG_YES : MSG_NO));
	if (wait > 0 || strcmp(reply_str(r, 7), "0") != 0) {
		char wait_hours[32];
		/* logged by the intern, not confirmed yet: counted nowhere */
		catalog_decimal(wait_hours, sizeof(wait_hours), lang, wait / 10, wait % 10, 1);
		MSG(req, piece, MSG_INTERN_WAITING, "hours", wait_hours, "talks", reply_str(r, 7));
		snprintf(text + strlen(text), sizeof(text) - strlen(text), " %s", piece);
	}
	if (*reply_str(r, 8)) {
		MSG(req, piece, MSG_INTERN_STATUS_SINCE, "date", intern_date(reply_str(r, 8), date));
		snprintf(text + strlen(text), sizeof(text) - strlen(text), " %s", piece);
	}
	if (*reply_str(r, 11)) {
		MSG(req, piece, MSG_INTERN_STATUS_APPLIED, "id", reply_str(r, 11),
		    "who", approval_who_text(req, reply_str(r, 12), who, sizeof(who)));
		snprintf(text + strlen(text), sizeof(text) - strlen(text), " %s", piece);
	}
	if (strncmp(reply_str(r, 13), "fail ", 5) == 0) {
		char score[8] = "", ms[24] = "";
		sscanf(reply_str(r, 13) + 5, "%7s %23s", score, ms);
		MSG(req, piece, MSG_INTERN_STATUS_DEFENSE, "score", score, "date", intern_date(ms, date));
		snprintf(text + strlen(text), sizeof(text) - strlen(text), " %s", piece);
	}
	reply_text(req, text);
}

/* The answers only an application or a defense has; false when R is none of them. */
static bool intern_answer_new(struct request *req, const redisReply *r)
{
	const struct config *cfg = request_config(req);
	char date[11], need[16];

	snprintf(need, sizeof(need), "%d", cfg->careers.training_hours);
	if (reply_is(r, "applied"))
		reply(req, strcmp(reply_str(r, 3), "1") == 0 ? MSG_INTERN_APPLIED_BY_LEAD : MSG_INTERN_APPLIED,
		    "id", reply_str(r, 1), "person", reply_str(r, 4), "lead", reply_str(r, 2), "hours", need);
	else if (reply_is(r, "apply_not_agent"))
		refuse(req, MSG_INTERN_APPLY_NOT_AGENT, "person", req->data_person);
	else if (reply_is(r, "apply_level"))
		refuse(req, MSG_INTERN_APPLY_LEVEL, "person", req->data_person, "level", reply_str(r, 1));
	else if (reply_is(r, "apply_started"))
		refuse(req, MSG_INTERN_APPLY_STARTED, "person", req->data_person, "date", intern_date(reply_str(r, 1), date));
	else if (reply_is(r, "apply_open"))
		refuse(req, MSG_INTERN_APPLY_OPEN, "person", req->data_person, "id", reply_str(r, 1));
	else if (reply_is(r, "no_lead"))
		refuse(req, MSG_INTERN_APPLY_NO_LEAD);
	else if (reply_is(r, "summary_filed"))
		reply(req, MSG_INTERN_SUMMARY_SENT, "id", reply_str(r, 1));
	else if (reply_is(r, "summary_done"))
		refuse(req, MSG_INTERN_SUMMARY_DONE, "id", reply_str(r, 1));
	else if (reply_is(r, "summary_open"))
		refuse(req, MSG_INTERN_SUMMARY_OPEN, "id", reply_str(r, 1));
	else if (reply_is(r, "summary_waits"))
		refuse(req, MSG_INTERN_DEFENSE_SUMMARY_WAITS, "person", req->data_person, "id", reply_str(r, 1));
	else if (reply_is(r, "no_summary"))
		refuse(req, MSG_INTERN_DEFENSE_NO_SUMMARY, "person", req->data_person);
	else if (reply_is(r, "defense_failed"))
		reply(req, MSG_INTERN_DEFENSE_FAILED, "person", reply_str(r, 1), "score", req->data_when);
	else if (reply_is(r, "defense_passed"))
		reply(req, MSG_INTERN_DEFENSE_PASSED, "person", reply_str(r, 2), "score", req->data_when,
		    "id", reply_str(r, 1));
	else if (reply_is(r, "defense_waits"))
		reply(req, MSG_INTERN_DEFENSE_WAITS, "person", req->data_person, "id", reply_str(r, 1));
	else
		return false;
	return true;
}

static void intern_answer(const redisReply *r, const char *err, struct request *req, enum intern_form form)
{
	const struct config *cfg = request_config(req);

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (reply_is(r, "no_such_person")) {
		refuse_person(req, req->data_person);
	} else if (intern_answer_new(req, r)) {
		/* an application, a summary or a defense */
	} else if (reply_is(r, "not_intern")) {
		if (*reply_str(r, 1) == '\0')      /* not an agent: no level to name ("tom ist , kein ...") */
			refuse(req, MSG_INTERN_NOT_AGENT, "person", req->data_person);
		else
			refuse(req, MSG_INTERN_NOT_TRN, "person", req->data_person, "level", reply_str(r, 1));
	} else if (reply_is(r, "status") || reply_is(r, "missing")) {
		int o = reply_is(r, "missing") ? 2 : 1;
		char hours[32], need[16], talks[16], ntalks[16];
		long tenths = strtol(reply_str(r, (size_t)o), NULL, 10);
		catalog_decimal(hours, sizeof(hours), req->caller.lang, tenths / 10, tenths % 10, 1);
		snprintf(need, sizeof(need), "%d", cfg->careers.training_hours);
		snprintf(talks, sizeof(talks), "%s", reply_str(r, (size_t)o + 1));
		snprintf(ntalks, sizeof(ntalks), "%d", cfg->careers.talks);
		if (o == 2)
			refuse(req, form == INTERN_DEFENSE ? MSG_INTERN_DEFENSE_MISSING : MSG_INTERN_MISSING,
			    "person", reply_str(r, 6), "missing", reply_str(r, 1),
			    "hours", hours, "need", need, "talks", talks, "ntalks", ntalks);
		else
			intern_status(req, r, hours, need, ntalks);
	} else if (reply_is(r, "duplicate")) {
		refuse(req, MSG_PROMOTION_DUPLICATE, "id", reply_str(r, 1));
	} else if (approval_created(req, r)) {
		/* refused as uncompletable, or done at once */
	} else if (reply_is(r, "self")) {
		refuse(req, MSG_INTERN_TALK_SELF);
	} else if (reply_is(r, "unconfirmed")) {
		char total[32];
		long tenths = strtol(reply_str(r, 2), NULL, 10);
		catalog_decimal(total, sizeof(total), req->caller.lang, tenths / 10, tenths % 10, 1);
		if (form == INTERN_LOG) {
			char logged[32], *dot;
			long whole = strtol(req->data_when, &dot, 10);      /* "8.0", as !training log wrote it */
			catalog_decimal(logged, sizeof(logged), req->caller.lang, whole,
			    *dot == '.' ? strtol(dot + 1, NULL, 10) : 0, 1);
			reply(req, MSG_TRAINING_UNCONFIRMED, "id", reply_str(r, 1), "hours", logged, "total", total);
		} else {
			reply(req, MSG_INTERN_TALK_UNCONFIRMED, "id", reply_str(r, 1), "person", req->data_person,
			    "count", reply_str(r, 2));
		}
	} else if (form == INTERN_LOG) {
		char hours[32];
		long tenths = strtol(reply_str(r, 1), NULL, 10);
		catalog_decimal(hours, sizeof(hours), req->caller.lang, tenths / 10, tenths % 10, 1);
		reply(req, MSG_TRAINING_LOGGED, "person", req->data_person, "hours", hours);
	} else if (form == INTERN_TALK) {
		reply(req, MSG_INTERN_TALK_FILED, "count", reply_str(r, 1));
	} else if (form == INTERN_VERIFY) {
		reply(req, MSG_STAFF_VERIFIED, "name", reply_str(r, 1));
	} else {
		reply(req, MSG_INTERN_RECOMMENDED, "id", reply_str(r, 1), "person", req->data_person);
	}
	request_done(req);
}

static void on_training_logged(const redisReply *r, const char *err, void *privdata)
{
	intern_answer(r, err, privdata, INTERN_LOG);
}

static void on_talk_filed(const redisReply *r, const char *err, void *privdata)
{
	intern_answer(r, err, privdata, INTERN_TALK);
}

static void on_summary_filed(const redisReply *r, const char *err, void *privdata)
{
	intern_answer(r, err, privdata, INTERN_SUMMARY);
}

static void on_verified(const redisReply *r, const char *err, void *privdata)
{
	intern_answer(r, err, privdata, INTERN_VERIFY);
}

static void on_progress(const redisReply *r, const char *err, void *privdata)
{
	intern_answer(r, err, privdata, INTERN_PROGRESS);
}

static void on_applied(const redisReply *r, const char *err, void *privdata)
{
	intern_answer(r, err, privdata, INTERN_APPLY);
}

static void on_defense(const redisReply *r, const char *err, void *privdata)
{
	intern_answer(r, err, privdata, INTERN_DEFENSE);
}

/* !training log [intern] <hours> <topic> */
void training_log_cmd(struct request *req)
{
	int i = 2;
	char *end;
	double hours;
	struct state_args *a;

	snprintf(req->data_person, sizeof(req->data_person), "%s", req->caller.id);
	if (req->cmd.argc > 3 && strtod(req->cmd.argv[2], &end) >= 0 && *end != '\0') {
		/* the first word is not a number: it names the intern */
		if (!person_arg(req->cmd.argv[2], req->data_person, sizeof(req->data_person))) {
			refuse_person(req, req->cmd.argv[2]);
			goto done;
		}
		i = 3;
	}
	if (strcmp(req->data_person, req->caller.id) != 0 && req->caller.role < ROLE_VICE_MINISTER) {
		refuse(req, MSG_TRAINING_OTHERS, "role", role_display(ROLE_VICE_MINISTER, req->caller.lang));
		goto done;
	}
	hours = i < req->cmd.argc ? strtod(req->cmd.argv[i], &end) : -1;
	if (i + 1 >= req->cmd.argc || *end != '\0' || hours < 0.1 || hours > 100) {
		refuse(req, MSG_TRAINING_BAD_HOURS, "hours", i < req->cmd.argc ? req->cmd.argv[i] : "");
		goto done;
	}
	/* hours an intern logs count once a vice minister or above confirms them; theirs count at once */
	snprintf(req->data_when, sizeof(req->data_when), "%ld.%ld", (long)(hours * 10 + 0.5) / 10,
	    (long)(hours * 10 + 0.5) % 10);
	a = careers_args(req, "training");
	state_args_add(a, req->data_person);
	state_args_addf(a, "%ld", (long)(hours * 10 + 0.5));
	state_args_add(a, parse_rest(&req->cmd, i + 1));
	state_args_add(a, req->caller.role >= ROLE_VICE_MINISTER ? "1" : "0");
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_CAREERS, 1, a, on_training_logged, req);
	return;
done:
	request_done(req);
}

/* The person the internship command names (argv[ARG]), or the caller; false when refused. */
static bool intern_person_at(struct request *req, int arg)
{
	const char *who = req->cmd.argc > arg ? req->cmd.argv[arg] : req->caller.id;

	if (strcmp(who, "self") == 0)
		who = req->caller.id;

	if (!person_arg(who, req->data_person, sizeof(req->data_person))) {
		refuse_person(req, who);
		request_done(req);
		return false;
	}
	return true;
}

static bool intern_person(struct request *req)
{
	return intern_person_at(req, 2);
}

static void intern_send(struct request *req, struct state_args *a, state_cb *answer)
{
	approval_args_end(req, a);
	state_eval(request_state(req), SCRIPT_CAREERS, 1, a, answer, req);
}

/* !internship talk <person> <notes> */
void internship_talk_cmd(struct request *req)
{
	struct state_args *a;

	if (!intern_person(req))
		return;
	a = careers_args(req, "talk");
	state_args_add(a, req->data_person);
	state_args_add(a, parse_rest(&req->cmd, 3));
	intern_send(req, a, on_talk_filed);
}

/* !internship summary <text> */
void internship_summary_cmd(struct request *req)
{
	struct state_args *a;

	snprintf(req->data_person, sizeof(req->data_person), "%s", req->caller.id);
	a = careers_args(req, "summary");
	state_args_add(a, parse_rest(&req->cmd, 2));
	intern_send(req, a, on_summary_filed);
}

/* !staff verify <person> */
void staff_verify_cmd(struct request *req)
{
	struct state_args *a;

	if (!intern_person(req))
		return;
	a = careers_args(req, "verify");
	state_args_add(a, req->data_person);
	intern_send(req, a, on_verified);
}

/* OP ("status" or "recommend") of the intern in data_person, against the configured needs. */
static void intern_progress(struct request *req, const char *op)
{
	const struct config *cfg = request_config(req);
	struct state_args *a = careers_args(req, op);

	state_args_add(a, req->data_person);
	state_args_addf(a, "%d", cfg->careers.training_hours * 10);
	state_args_addf(a, "%d", cfg->careers.talks);
	intern_send(req, a, on_progress);
}

/* !internship status [person] and !internship [person]: one's own, or anyone's from vice minister up */
static void intern_status_of(struct request *req, int arg)
{
	if (!intern_person_at(req, arg))
		return;
	if (strcmp(req->data_person, req->caller.id) != 0 && req->caller.role < ROLE_VICE_MINISTER) {
		refuse(req, MSG_TRAINING_OTHERS, "role", role_display(ROLE_VICE_MINISTER, req->caller.lang));
		request_done(req);
		return;
	}
	intern_progress(req, "status");
}

void internship_status_cmd(struct request *req)
{
	intern_status_of(req, 2);
}

void internship_cmd(struct request *req)
{
	intern_status_of(req, 1);
}

/* !internship apply <person|self> <note>: to the running shift's lead, then a minister */
void internship_apply_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	char running[512];
	struct state_args *a;

	if (!intern_person(req))
		return;
	if (strcmp(req->data_person, req->caller.id) != 0 && req->caller.role < ROLE_VICE_MINISTER) {
		refuse(req, MSG_TRAINING_OTHERS, "role", role_display(ROLE_VICE_MINISTER, req->caller.lang));
		request_done(req);
		return;
	}
	a = careers_args(req, "apply");
	state_args_add(a, req->data_person);
	state_args_add(a, parse_rest(&req->cmd, 3));
	state_args_add(a, shift_running(cfg, request_now(req), running, sizeof(running)));
	state_args_addf(a, "%d", cfg->careers.training_hours);
	intern_send(req, a, on_applied);
}

/* !internship defense <person> pass|fail <score> <notes> */
void internship_defense_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	const char *verdict = req->cmd.argv[3], *score = req->cmd.argv[4];
	struct state_args *a;

	if (!intern_person(req))
		return;
	if (strcasecmp(verdict, "pass") != 0 && strcasecmp(verdict, "fail") != 0) {
		refuse(req, MSG_INTERN_DEFENSE_BAD_VERDICT, "verdict", verdict);
		goto done;
	}
	if (strlen(score) != 1 || score[0] < '1' || score[0] > '5') {
		refuse(req, MSG_INTERN_DEFENSE_BAD_SCORE, "score", score);
		goto done;
	}
	snprintf(req->data_when, sizeof(req->data_when), "%s", score);
	a = careers_args(req, "defense");
	state_args_add(a, req->data_person);
	state_args_add(a, strcasecmp(verdict, "pass") == 0 ? "pass" : "fail");
	state_args_add(a, score);
	state_args_add(a, parse_rest(&req->cmd, 5));
	state_args_addf(a, "%d", cfg->careers.training_hours * 10);
	state_args_addf(a, "%d", cfg->careers.talks);
	intern_send(req, a, on_defense);
	return;
done:
	request_done(req);
}

/* !internship recommend <person> */
void internship_recommend_cmd(struct request *req)
{
	if (!intern_person(req))
		return;
	intern_progress(req, "recommend");
}
