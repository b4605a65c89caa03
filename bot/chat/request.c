/*
 * request: the calls a handler makes on its request (bot/chat/chat.h): answers in
 * the caller's language, routed back to where the command came from, and the
 * end of the request; the daemon's side of both is the request's host
 * (struct chat_host, bot/request_host.c).
 */
#include "bot/chat/chat.h"
#include "bot/chat/command.h"
#include "bot/platform/conn.h"
#include "bot/lib/clock.h"
#include "bot/lib/log.h"
#include "state/redis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLY_MAX 16384

const char *display_name(const char *name, const char *level, char *buf, size_t n)
{
	if (level != NULL && *level)
		snprintf(buf, n, "%s [%s]", name, level);
	else
		snprintf(buf, n, "%s", name);
	return buf;
}

const char *person_display(const struct person *p, char *buf, size_t n)
{
	return display_name(p->name, config_level_name(p->level), buf, n);
}

const char *role_display(enum role r, const char *lang)
{
	static const enum msg_id ids[] = {
		[ROLE_FRIEND] = MSG_ROLE_FRIEND, [ROLE_AGENT] = MSG_ROLE_AGENT,
		[ROLE_VICE_MINISTER] = MSG_ROLE_VICE_MINISTER, [ROLE_MINISTER] = MSG_ROLE_MINISTER,
		[ROLE_WEBMASTER] = MSG_ROLE_WEBMASTER,
	};

	return catalog_text(lang, ids[r]);
}

/* A click's answer is kept for the adapter, which shows it on the button's message. */
static void keep_click_answer(struct request *req, const char *text)
{
	size_t old = req->click_answer ? strlen(req->click_answer) : 0, add = strlen(text);
	char *p = realloc(req->click_answer, old + add + 2);

	if (p == NULL)
		return;
	if (old > 0)
		p[old++] = '\n';
	memcpy(p + old, text, add + 1);
	req->click_answer = p;
}

static void send_text(struct request *req, bool private, const char *text)
{
	private = private || req->private_answer;
	if (private && req->room != NULL && req->click == NULL && !req->private_told) {
		/* typed in a room: the room learns where the answer went, once */
		char notice[PERSON_NAME_MAX + 160], name[PERSON_NAME_MAX + 16];
		req->private_told = true;
		catalog_format(notice, sizeof(notice), req->caller.lang, MSG_SENT_PRIVATELY,
		    (const char *const[]){ "name", person_display(&req->caller, name, sizeof(name)) }, 2);
		req->host->queue(req, OUT_SEND, req->room, notice, req->room, req->user_id);
	}
	if (req->click != NULL && !private && req->conn->ops->click_done != NULL)
		keep_click_answer(req, text);
	else if (private || req->room == NULL)
		req->host->queue(req, OUT_DM, req->user_id, text, NULL, NULL);
	else
		req->host->queue(req, OUT_SEND, req->room, text, req->room, req->user_id);
}

static void send_msg(struct request *req, bool private, enum msg_id id, const char *const *kv, size_t nkv)
{
	char text[REPLY_MAX];   /* on the stack: a 16 KiB malloc per reply cost more than the reply */

	catalog_format_said(text, sizeof(text), req->caller.lang, id, kv, nkv);
	send_text(req, private, text);
}

void reply_kv(struct request *req, enum msg_id id, const char *const *kv, size_t nkv)
{
	send_msg(req, false, id, kv, nkv);
}

void reply_private_kv(struct request *req, enum msg_id id, const char *const *kv, size_t nkv)
{
	send_msg(req, true, id, kv, nkv);
}

void refuse_kv(struct request *req, enum msg_id id, const char *const *kv, size_t nkv)
{
	req->result = RESULT_REFUSED;
	send_msg(req, false, id, kv, nkv);
}

void reply_text(struct request *req, const char *text)
{
	send_text(req, false, text);
}

void reply_private_text(struct request *req, const char *text)
{
	send_text(req, true, text);
}

void reply_usage(struct request *req)
{
	char usage[512];

	req->result = RESULT_USAGE;
	snprintf(usage, sizeof(usage), "%s%s", request_config(req)->command_prefix,
	    req->command ? req->command->usage : "help");
	reply(req, MSG_USAGE, "usage", usage);
}

void reply_state_error(struct request *req, const char *err)
{
	if (err != NULL && strcmp(err, STATE_UNAVAILABLE) == 0) {
		req->result = RESULT_UNAVAILABLE;
		reply(req, MSG_STATE_DOWN);
	} else {
		/* Redis's own words (a script's file and line, "OOM command not
		 * allowed…") are for the operator: the log gets them, the person a
		 * reference to quote, which finds the log line */
		static unsigned long ref_seq;
		char ref[32], label[64];

		req->result = RESULT_ERROR;
		snprintf(ref, sizeof(ref), "ref E%lu", ++ref_seq);
		log_warnx("%s: %s failed (%s): %s", req->conn->name,
		    req->command ? command_label(req->command, label, sizeof(label)) : "a command", ref, err ? err : "?");
		reply(req, MSG_INTERNAL_ERROR, "error", ref);
	}
}

const char *request_msg(const struct request *req, char *buf, size_t n, enum msg_id id, const char *const *kv, size_t nkv)
{
	catalog_format_said(buf, n, req->caller.lang, id, kv, nkv);
	return buf;
}

void request_done(struct request *req)
{
	if (req->click != NULL && req->conn->ops->click_done != NULL)
		req->conn->ops->click_done(req->conn, req->click, req->result == RESULT_OK, req->click_answer);
	free(req->click_answer);
	req->click_answer = NULL;
	free(req->text_rewritten);
	req->text_rewritten = NULL;
	parse_free(&req->cmd);
	req->host->end(req);    /* counts it, wakes the engines, gives it back: last */
}

const struct config *request_config(const struct request *req)
{
	return req->host->config(req);
}

struct state *request_state(const struct request *req)
{
	return req->host->state(req);
}

bool request_in_channel(const struct request *req, enum channel_kind k)
{
	const struct config *cfg = request_config(req);

	if (req->room == NULL)
		return false;
	for (size_t i = 0; i < cfg->n_connections; i++)
		if (strcmp(cfg->connections[i].name, req->conn->name) == 0)
			return cfg->connections[i].channel[k] != NULL && strcmp(cfg->connections[i].channel[k], req->room) == 0;
	return false;
}

const char *request_conn_name(const struct request *req)
{
	return req->conn->name;
}

int64_t request_now(const struct request *req)
{
	(void)req;
	return clock_now_ms();
}

struct timer_ctx request_timer_ctx(const struct request *req)
{
	/* the timers are gone while shutting down: the work still runs, unwoken */
	return (struct timer_ctx){ .cfg = request_config(req), .state = request_state(req), .now = clock_now_ms(),
	    .timers = req->host->timers(req) };
}
