/*
 * handover: the outgoing lead's notes for the next lead (!handover), which
 * the next lead gets at check-in (checkin.lua) or at once when already
 * checked in, !handover show, and !handover ack: until the next lead
 * acknowledges, the outgoing one is paged as lead and, policy.handover_ack
 * after the next shift's start, the minister on duty hears it was never taken.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/shift_time.h"
#include "handlers/shifts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- !handover <notes> / !handover show [date] [shift] ---- */

static void on_handover(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "ok") && *reply_str(r, 3))
		reply(req, MSG_HANDOVER_SAVED_SENT, "shift", reply_str(r, 2), "date", reply_str(r, 1), "lead", reply_str(r, 3));
	else if (reply_is(r, "ok"))
		reply(req, MSG_HANDOVER_SAVED, "shift", reply_str(r, 2), "date", reply_str(r, 1));
	else
		refuse(req, MSG_HANDOVER_NOT_LEAD);
	request_done(req);
}

void handover_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	struct shift_instance around[SHIFT_AROUND_MAX], next;
	int n = shift_instances_around(cfg, now, around, SHIFT_AROUND_MAX);
	char running[1024];
	size_t len = 0;
	struct state_args *a;

	if (shifts_none(req))
		return;
	/* the running instances and the one each hands over to: "date|shift|next date|next shift" */
	running[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (!(around[i].start <= now && now < around[i].end))
			continue;
		if (shift_next(cfg, &around[i], &next) != 0)
			next = around[i];
		len += (size_t)snprintf(running + len, len < sizeof(running) ? sizeof(running) - len : 0, "%s%s|%s|%s|%s|%lld",
		    len ? " " : "", around[i].date_s, around[i].shift->name, next.date_s, next.shift->name,
		    (long long)((next.start > now ? next.start : now) + cfg->policy.handover_ack_ms));
	}
	a = script_args(req, "roster");
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, parse_rest(&req->cmd, 1));
	state_args_add(a, running);
	state_eval(request_state(req), SCRIPT_HANDOVER_SET, 1, a, on_handover, req);
}

/* ---- !handover ack ---- */

static void on_handover_ack(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "ok"))
		reply(req, MSG_HANDOVER_ACKED, "shift", reply_str(r, 2), "date", reply_str(r, 1), "pshift", reply_str(r, 3),
		    "pdate", reply_str(r, 4), "out", reply_str(r, 5));
	else if (reply_is(r, "already"))
		refuse(req, MSG_HANDOVER_ACK_ALREADY, "shift", reply_str(r, 2), "date", reply_str(r, 1), "by", reply_str(r, 3));
	else if (reply_is(r, "nothing"))
		refuse(req, MSG_HANDOVER_ACK_NOTHING, "shift", reply_str(r, 2), "date", reply_str(r, 1));
	else
		refuse(req, MSG_HANDOVER_ACK_NOT_LEAD);
	request_done(req);
}

/* The instances running now and the next one: a lead may take over before the start. */
void handover_ack_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	struct shift_instance around[SHIFT_AROUND_MAX];
	int n;
	char insts[1024];
	size_t len = 0;
	struct state_args *a;

	if (shifts_none(req))
		return;
	n = shift_instances_around(cfg, now, around, SHIFT_AROUND_MAX);
	insts[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (around[i].end <= now)
			continue;
		len += (size_t)snprintf(insts + len, len < sizeof(insts) ? sizeof(insts) - len : 0, "%s%s|%s",
		    len ? " " : "", around[i].date_s, around[i].shift->name);
		if (around[i].start > now)
			break;
	}
	a = script_args(req, "roster");
	state_args_add(a, "ack");
	state_args_add(a, insts);
	state_eval(request_state(req), SCRIPT_HANDOVER_ACK, 1, a, on_handover_ack, req);
}

/* The timer "hoack|<date>|<shift>": a handover still not acknowledged. */
void handover_ack_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct state_args *a = timers_args(ctx, "roster");

	state_args_add(a, "dutybot");
	state_args_add(a, "timer");
	state_args_add(a, "timer");
	state_args_add(a, member);
	state_args_add(a, argc >= 2 ? argv[1] : "");
	state_args_add(a, argc >= 3 ? argv[2] : "");
	timers_run(ctx, "handover ack", member, SCRIPT_HANDOVER_ACK, a);
}

/*
 * The answer of the handover read: per handover key asked for, {by (name and
 * level), text, ts}; nil fields where nothing was written.
 */
static bool handover_at(const redisReply *r, size_t k, const char **by, const char **notes, char when[6])
{
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 * k + 3 || r->element[3 * k + 1]->type != REDIS_REPLY_STRING)
		return false;
	*by = reply_str(r, 3 * k);
	*notes = reply_str(r, 3 * k + 1);
	when_hhmm(strtoll(reply_str(r, 3 * k + 2), NULL, 10), when);
	return true;
}

static void on_handover_show(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const char *by, *notes;
	char when[6];

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (req->data_word == 1) {
		/* the running shift: the notes handed to it, then its own for the next one if written */
		char *out = malloc(SHIFT_TEXT_MAX), date[11] = "", pdate[11] = "", line[1024];
		const char *shift = strchr(req->data_person, ' '), *pshift = strchr(req->data_when, ' ');
		size_t len = 0;
		if (out == NULL || shift == NULL || pshift == NULL) {
			free(out);
			request_done(req);
			return;
		}
		snprintf(date, sizeof(date), "%.*s", (int)(shift - req->data_person), req->data_person);
		snprintf(pdate, sizeof(pdate), "%.*s", (int)(pshift - req->data_when), req->data_when);
		shift++;
		pshift++;
		if (handover_at(r, 0, &by, &notes, when))
			MSGN(req, out, SHIFT_TEXT_MAX, MSG_HANDOVER_TO, "shift", shift, "date", date, "pshift", pshift,
			    "pdate", pdate, "by", by, "time", when, "notes", notes);
		else
			MSGN(req, out, SHIFT_TEXT_MAX, MSG_HANDOVER_TO_NONE, "shift", shift, "date", date, "pshift", pshift,
			    "pdate", pdate);
		len = strlen(out);
		if (handover_at(r, 1, &by, &notes, when)) {
			MSG(req, line, MSG_HANDOVER_FOR_NEXT, "shift", shift, "date", date, "by", by, "time", when,
			    "notes", notes);
			snprintf(out + len, SHIFT_TEXT_MAX - len, "%s", line);
		}
		reply_text(req, out);
		free(out);
	} else if (!handover_at(r, 0, &by, &notes, when)) {
		reply(req, MSG_HANDOVER_NONE, "what", req->data_person);
	} else {
		reply(req, MSG_HANDOVER_SHOW, "what", req->data_person, "by", by, "time", when, "notes", notes);
	}
	request_done(req);
}

void handover_show_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	int64_t now = request_now(req);
	struct shift_instance inst, prev;
	struct state_args *a;
	struct ymd date;
	const struct config_shift *shift = NULL;
	bool running = false;

	if (shifts_none(req))
		return;
	if (req->cmd.argc >= 3 && when_parse_date(req->cmd.argv[2], now, &date) != 0) {
		shifts_refuse_date(req, req->cmd.argv[2]);
		request_done(req);
		return;
	}
	if (req->cmd.argc >= 4 && (shift = shift_by_name(cfg, req->cmd.argv[3])) == NULL) {
		shifts_refuse_name(req, req->cmd.argv[3]);
		request_done(req);
		return;
	}
	if (req->cmd.argc == 3) {
		/* a date alone: that day's last shift that has started */
		shift_instance(&cfg->shifts[0], date, &inst);
		for (size_t i = 0; i < cfg->n_shifts; i++) {
			struct shift_instance c;
			shift_instance(&cfg->shifts[i], date, &c);
			if ((c.start <= now && c.start > inst.start) || inst.start > now)
				inst = c;
		}
	} else if (req->cmd.argc < 3) {
		/* during a shift: the notes handed to it (the previous shift's), and its
		 * own for the next one if already written; between shifts: the notes of
		 * the last shift, the ones the next lead gets */
		struct shift_instance around[SHIFT_AROUND_MAX];
		int n = shift_instances_around(cfg, now, around, SHIFT_AROUND_MAX);
		inst = around[0];
		for (int i = 0; i < n; i++)
			if (around[i].start <= now) {
				inst = around[i];
				running = now < around[i].end;
			}
		if (running && shift_previous(cfg, &inst, &prev) != 0)
			running = false;
	} else {
		shift_instance(shift, date, &inst);
	}
	snprintf(req->data_person, sizeof(req->data_person), "%s %s", inst.date_s, inst.shift->name);
	a = state_args_new();
	if (running) {
		req->data_word = 1;
		snprintf(req->data_when, sizeof(req->data_when), "%s %s", prev.date_s, prev.shift->name);
		state_args_addf(a, "%shandover:%s:%s", state_prefix(request_state(req)), prev.date_s, prev.shift->name);
	} else {
		req->data_word = 0;
	}
	state_args_addf(a, "%shandover:%s:%s", state_prefix(request_state(req)), inst.date_s, inst.shift->name);
	state_args_add(a, state_prefix(request_state(req)));
	state_eval(request_state(req), SCRIPT_HANDOVER_READ, running ? 2 : 1, a, on_handover_show, req);
}
