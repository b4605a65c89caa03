/*
 * audit: !audit [n] [person] — the latest entries of the audit stream that
 * every state-changing script writes.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AUDIT_DEFAULT 10
#define AUDIT_MAX 50
#define AUDIT_TEXT_MAX 16384

/* Local time of the configured zone (main sets TZ). */
static void format_time(const char *ms, char *buf, size_t n)
{
	time_t t = (time_t)(strtoll(ms, NULL, 10) / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

static void on_audit(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;
	char *out, line[1024], when[32], filter[256] = "";
	const char *who = req->data_person[0] ? req->data_person : NULL;
	size_t len, n;

	if (err != NULL) {
		reply_state_error(req, err);
		request_done(req);
		return;
	}
	if (who != NULL)
		MSG(req, filter, MSG_AUDIT_FILTER, "name", who);
	n = r->type == REDIS_REPLY_ARRAY ? r->elements / 5 : 0;
	if (n == 0 || (out = malloc(AUDIT_TEXT_MAX)) == NULL) {
		reply(req, MSG_AUDIT_EMPTY, "filter", filter);
		request_done(req);
		return;
	}
	len = strlen(MSGN(req, out, AUDIT_TEXT_MAX, MSG_AUDIT_HEADER, "filter", filter));
	for (size_t i = 0; i < n && len < AUDIT_TEXT_MAX; i++) {
		format_time(reply_str(r, i * 5), when, sizeof(when));
		MSG(req, line, MSG_AUDIT_LINE, "time", when, "actor", reply_str(r, i * 5 + 1),
		    "action", reply_str(r, i * 5 + 2), "subject", reply_str(r, i * 5 + 3),
		    "detail", reply_str(r, i * 5 + 4));
		len += (size_t)snprintf(out + len, AUDIT_TEXT_MAX - len, "\n%s", line);
	}
	reply_text(req, out);
	free(out);
	request_done(req);
}

void audit_cmd(struct request *req)
{
	long count = AUDIT_DEFAULT;
	struct state_args *a;

	for (int i = 1; i < req->cmd.argc; i++) {
		const char *w = req->cmd.argv[i];
		char *end;
		long v = strtol(w, &end, 10);
		if (*w >= '0' && *w <= '9') {
			if (*end != '\0' || v < 1 || v > AUDIT_MAX) {
				char max[8];
				snprintf(max, sizeof(max), "%d", AUDIT_MAX);
				refuse(req, MSG_BAD_COUNT, "value", w, "min", "1", "max", max);
				request_done(req);
				return;
			}
			count = v;
		} else if (!person_arg(w, req->data_person, sizeof(req->data_person))) {
			refuse(req, MSG_STAFF_NOT_FOUND, "id", w);
			request_done(req);
			return;
		}
	}
	a = state_args_new();
	state_args_addf(a, "%saudit", state_prefix(request_state(req)));
	state_args_addf(a, "%ld", count);
	state_args_add(a, req->data_person);
	state_eval(request_state(req), SCRIPT_AUDIT_READ, 1, a, on_audit, req);
}
