/*
 * notify: checked system notifications.  !notify <room|*> [at <time>] <text>
 * checks the text (notify_check.c) and, if it passes, keeps it as a draft
 * N-n with a preview; !notify confirm N-n sends it as a site "system" action
 * (through the durable outbox) or schedules it (a durable timer);
 * !notify cancel N-n and !notify list.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"
#include "handlers/notify_check.h"
#include "handlers/shift_time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_TEXT_MAX 8192

static const enum msg_id problem_msg[] = {
	[NP_TAG] = MSG_NOTIFY_CHECK_TAG,
	[NP_LENGTH] = MSG_NOTIFY_CHECK_LENGTH,
	[NP_MENTION] = MSG_NOTIFY_CHECK_MENTION,
	[NP_PLACEHOLDER] = MSG_NOTIFY_CHECK_PLACEHOLDER,
	[NP_LINK] = MSG_NOTIFY_CHECK_LINK,
	[NP_BRACKET] = MSG_NOTIFY_CHECK_BRACKET,
	[NP_TRAILING_SPACE] = MSG_NOTIFY_CHECK_TRAILING,
	[NP_DOUBLE_SPACE] = MSG_NOTIFY_CHECK_DOUBLE_SPACE,
	[NP_EMPTY] = MSG_NOTIFY_CHECK_EMPTY,
};

static bool valid_room(const char *s)
{
	size_t n = strlen(s);

	if (strcmp(s, "*") == 0)
		return true;
	if (*s == '#' || *s == '&') {      /* an IRC channel */
		s++;
		n--;
	}
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

/* "at HH:MM" or "at <date> HH:MM" from word 2; returns the word index of the text, or -1. */
static int parse_when(struct request *req, int64_t *due)
{
	const struct parsed *p = &req->cmd;
	int64_t now = request_now(req);
	struct ymd date;
	int min;

	*due = 0;
	if (p->argc < 4 || strcmp(p->argv[2], "at") != 0)
		return 2;
	if ((min = when_parse_hhmm(p->argv[3])) >= 0) {
		when_local_date(now, &date, NULL);
		*due = when_local_ms(date, min);
		if (*due <= now)
			*due = when_local_ms(when_add_days(date, 1), min);     /* the next such time */
		return 4;
	}
	if (p->argc >= 5 && when_parse_date(p->argv[3], now, &date) == 0 && (min = when_parse_hhmm(p->argv[4])) >= 0) {
		*due = when_local_ms(date, min);
		return *due > now ? 5 : -2;
	}
	return -1;
}

/* TEXT as it is sent: with the notice tag in front when it does not start
 * with it (the bot puts it in, dutybot.cfg(5)); returns how many characters
 * were put before TEXT. */
static size_t notify_tagged(const struct config *cfg, const char *text, char *buf, size_t n)
{
	const char *tag = cfg->notify.tag;
	size_t chars = 0;

	if (tag == NULL || *tag == '\0' || strncmp(text, tag, strlen(tag)) == 0) {
		snprintf(buf, n, "%s", text);
		return 0;
	}
	snprintf(buf, n, "%s %s", tag, text);
	for (const char *p = tag; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	return chars + 1;
}

static void on_draft(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL)
		reply_state_error(req, err);
	else if (reply_is(r, "not_lead"))
		refuse(req, MSG_NOTIFY_NOT_LEAD);
	else {
		char *sent = malloc(NOTIFY_TEXT_MAX);
		if (sent != NULL) {
			notify_tagged(request_config(req), req->cmd.argc == req->data_word + 1 ? req->cmd.argv[req->data_word]
			    : parse_rest(&req->cmd, req->data_word), sent, NOTIFY_TEXT_MAX);
			reply(req, MSG_NOTIFY_DRAFT, "id", reply_str(r, 1), "room", req->data_person,
			    "when", req->data_when, "text", sent);
			free(sent);
		}
	}
	request_done(req);
}

void notify_cmd(struct request *req)
{
	const struct config *cfg = request_config(req);
	const char *room = req->cmd.argv[1], *text;
	char *sent = NULL;
	size_t shift;
	struct notify_problem problems[NOTIFY_MAX_PROBLEMS];
	struct notify_rules rules = { cfg->notify.tag, (size_t)cfg->notify.max_length,
		(const char *const *)cfg->notify.link_hosts, cfg->notify.n_link_hosts };
	char running[512];
	size_t n;
	int64_t due, now = request_now(req);
	int at;
	struct state_args *a;

	if (!valid_room(room)) {
		refuse(req, MSG_NOTIFY_BAD_ROOM, "room", room);
		goto done;
	}
	at = parse_when(req, &due);
	if (at < 0 || at >= req->cmd.argc) {
		refuse(req, at == -2 ? MSG_NOTIFY_PAST : MSG_NOTIFY_BAD_TIME, "time", req->cmd.argc > 3 ? req->cmd.argv[3] : "");
		goto done;
	}
	/* one (maybe quoted) word is taken as parsed, so a quoted text keeps its blanks */
	text = req->cmd.argc == at + 1 ? req->cmd.argv[at] : parse_rest(&req->cmd, at);
	if ((sent = malloc(NOTIFY_TEXT_MAX)) == NULL)
		goto done;
	/* checked as it will be sent, positions said in the text as typed */
	shift = notify_tagged(cfg, text, sent, NOTIFY_TEXT_MAX);
	n = notify_check(sent, &rules, problems);
	for (size_t i = 0; i < n; i++)
		if (problems[i].pos > shift)
			problems[i].pos -= shift;
	if (n > 0) {
		char *out = malloc(NOTIFY_TEXT_MAX), line[512], count[24], pos[24];
		size_t len;
		if (out == NULL)
			goto done;
		snprintf(count, sizeof(count), "%zu", n);
		len = strlen(MSGN(req, out, NOTIFY_TEXT_MAX, MSG_NOTIFY_REFUSED, "n", count));
		for (size_t i = 0; i < n && len < NOTIFY_TEXT_MAX; i++) {
			char max[16];
			snprintf(pos, sizeof(pos), "%zu", problems[i].pos);
			snprintf(max, sizeof(max), "%d", cfg->notify.max_length);
			MSG(req, line, problem_msg[problems[i].kind], "pos", pos, "what", problems[i].detail,
			    "tag", cfg->notify.tag, "max", max);
			len += (size_t)snprintf(out + len, NOTIFY_TEXT_MAX - len, "\n- %s", line);
		}
		req->result = RESULT_REFUSED;
		reply_text(req, out);
		free(out);
		goto done;
	}
	/* kept for the answer */
	snprintf(req->data_person, sizeof(req->data_person), "%s", room);
	if (due > 0) {
		struct ymd d;
		char ds[11], hm[6];
		when_local_date(due, &d, NULL);
		snprintf(req->data_when, sizeof(req->data_when), "%s %s", when_format(d, ds), when_hhmm(due, hm));
	} else {
		MSG(req, req->data_when, MSG_NOTIFY_NOW);
	}
	req->data_word = at;
	a = script_args(req, "notices");
	state_args_add(a, "draft");
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, shift_running(cfg, now, running, sizeof(running)));
	state_args_add(a, room);
	state_args_add(a, sent);
	state_args_addf(a, "%lld", (long long)due);
	state_eval(request_state(req), SCRIPT_NOTICE, 1, a, on_draft, req);
	free(sent);
	return;
done:
	free(sent);
	request_done(req);
}

static void on_decided(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	const char *id = req->data_person;

	if (err != NULL) {
		reply_state_error(req, err);
	} else if (reply_is(r, "not_found")) {
		refuse(req, MSG_NOTIFY_NOT_FOUND, "id", id);
	} else if (reply_is(r, "state")) {
		refuse(req, MSG_NOTIFY_STATE, "id", id, "state", reply_str(r, 1));
	} else if (reply_is(r, "not_yours")) {
		refuse(req, MSG_NOTIFY_NOT_YOURS, "id", id, "by", reply_str(r, 1));
	} else if (reply_is(r, "sent")) {
		reply(req, MSG_NOTIFY_SENT, "id", id, "room", reply_str(r, 1));
	} else if (reply_is(r, "scheduled")) {
		struct ymd d;
		char ds[11], hm[6], when[24];
		int64_t due = strtoll(reply_str(r, 2), NULL, 10);
		when_local_date(due, &d, NULL);
		snprintf(when, sizeof(when), "%s %s", when_format(d, ds), when_hhmm(due, hm));
		reply(req, MSG_NOTIFY_SCHEDULED, "id", id, "room", reply_str(r, 1), "when", when);
	} else {
		reply(req, MSG_NOTIFY_CANCELLED, "id", id);
	}
	request_done(req);
}

/* VERDICT ("confirm" or "cancel") on the draft or scheduled notice argv[2]. */
static void notify_decide(struct request *req, const char *verdict)
{
	const char *arg = req->cmd.argv[2];
	struct state_args *a;
	size_t len = strlen(arg);
	bool ok = len >= 3 && len < 32 && toupper((unsigned char)arg[0]) == 'N' && arg[1] == '-';

	for (size_t i = 2; ok && i < len; i++)
		ok = isdigit((unsigned char)arg[i]);
	if (!ok) {
		refuse(req, MSG_NOTIFY_NOT_FOUND, "id", arg);
		request_done(req);
		return;
	}
	snprintf(req->data_person, sizeof(req->data_person), "N-%s", arg + 2);
	a = script_args(req, "notices");
	state_args_add(a, verdict);
	state_args_addf(a, "%d", (int)req->caller.role);
	state_args_add(a, req->data_person);
	state_eval(request_state(req), SCRIPT_NOTICE, 1, a, on_decided, req);
}

void notify_confirm_cmd(struct request *req)
{
	notify_decide(req, "confirm");
}

void notify_cancel_cmd(struct request *req)
{
	notify_decide(req, "cancel");
}

static void on_list(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	size_t n = err == NULL && r->type == REDIS_REPLY_ARRAY ? r->elements / 6 : 0;
	char *out, line[1024];
	size_t len;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	if (n == 0 || (out = malloc(NOTIFY_TEXT_MAX)) == NULL) {
		reply(req, MSG_NOTIFY_LIST_NONE);
		request_done(req);
		return;
	}
	len = strlen(MSGN(req, out, NOTIFY_TEXT_MAX, MSG_NOTIFY_LIST_HEADER));
	for (size_t i = 0; i < n && len < NOTIFY_TEXT_MAX; i++) {
		char when[24] = "";
		int64_t due = strtoll(reply_str(r, i * 6 + 3), NULL, 10);
		if (due > 0) {
			struct ymd d;
			char ds[11], hm[6];
			when_local_date(due, &d, NULL);
			snprintf(when, sizeof(when), " %s %s", when_format(d, ds), when_hhmm(due, hm));
		}
		MSG(req, line, MSG_NOTIFY_LIST_LINE, "id", reply_str(r, i * 6), "state", reply_str(r, i * 6 + 1),
		    "room", reply_str(r, i * 6 + 2), "when", when, "by", reply_str(r, i * 6 + 4),
		    "text", reply_str(r, i * 6 + 5));
		len += (size_t)snprintf(out + len, NOTIFY_TEXT_MAX - len, "\n%s", line);
	}
	reply_text(req, out);
	free(out);
	request_done(req);
}

void notify_list_cmd(struct request *req)
{
	struct state_args *a = script_args(req, "notices");

	state_args_add(a, "list");
	state_eval(request_state(req), SCRIPT_NOTICE, 1, a, on_list, req);
}

/* ---- the timer of a scheduled notice: "notice|N-n" ---- */

void notify_fire(const struct timer_ctx *ctx, const char *member, int argc, char **argv)
{
	struct state_args *a = timers_args(ctx, "notices");

	state_args_add(a, "dutybot");
	state_args_add(a, "timer");
	state_args_add(a, "fire");
	state_args_add(a, member);
	state_args_add(a, argc >= 2 ? argv[1] : "");
	timers_run(ctx, "scheduled notice", member, SCRIPT_NOTICE, a);
}
