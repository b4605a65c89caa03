/*
 * common: see common.h.
 */
#include "handlers/common.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *actor_of(const struct request *req)
{
	return req->caller.id[0] ? req->caller.id : req->caller.identity;
}

struct state_args *script_args(const struct request *req, const char *key)
{
	struct state_args *a = state_args_new();
	const char *prefix = state_prefix(request_state(req));

	if (a == NULL)
		return NULL;
	state_args_addf(a, "%s%s", prefix, key);
	state_args_add(a, prefix);
	state_args_addf(a, "%lld", (long long)request_now(req));
	state_args_add(a, actor_of(req));
	state_args_addf(a, "%s:%s", request_conn_name(req), req->msg_id ? req->msg_id : "-");
	return a;
}

bool valid_staff_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '.' || *s == '-' || *s == '_'))
			return false;
	return true;
}

bool person_arg(const char *arg, char *out, size_t n)
{
	size_t i = 0;

	if (*arg == '@')
		arg++;
	for (; *arg && i + 1 < n; arg++)
		out[i++] = (char)tolower((unsigned char)*arg);
	out[i] = '\0';
	return *arg == '\0' && valid_staff_id(out);
}

bool person_arg_or_refuse(struct request *req, const char *arg, char *out, size_t n)
{
	if (person_arg(arg, out, n))
		return true;
	refuse(req, MSG_STAFF_NOT_FOUND, "id", arg);
	request_done(req);
	return false;
}

#define ROWS_TEXT_MAX 8192
#define ROWS_STRIDE_MAX 8

void reply_rows_done(struct request *req, const redisReply *r, size_t stride, const char *const *keys,
                     enum msg_id header, enum msg_id line, enum msg_id none)
{
	size_t n = r->type == REDIS_REPLY_ARRAY && stride > 0 && stride <= ROWS_STRIDE_MAX ? r->elements / stride : 0;
	char *out = n ? malloc(ROWS_TEXT_MAX) : NULL, row[1024];
	size_t len;

	if (out == NULL) {
		reply(req, none);
		request_done(req);
		return;
	}
	len = strlen(MSGN(req, out, ROWS_TEXT_MAX, header));
	for (size_t i = 0; i < n && len < ROWS_TEXT_MAX; i++) {
		const char *kv[ROWS_STRIDE_MAX * 2];
		for (size_t k = 0; k < stride; k++) {
			kv[k * 2] = keys[k];
			kv[k * 2 + 1] = reply_str(r, i * stride + k);
		}
		request_msg(req, row, sizeof(row), line, kv, stride * 2);
		len += (size_t)snprintf(out + len, ROWS_TEXT_MAX - len, "\n%s", row);
	}
	reply_text(req, out);
	free(out);
	request_done(req);
}

const char *reply_str(const redisReply *r, size_t i)
{
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || i >= r->elements)
		return "";
	return r->element[i]->type == REDIS_REPLY_STRING || r->element[i]->type == REDIS_REPLY_STATUS
	    ? r->element[i]->str : "";
}

bool reply_is(const redisReply *r, const char *what)
{
	return strcmp(reply_str(r, 0), what) == 0;
}

