/*
 * common: see common.h.
 */
#include "handlers/common.h"
#include "bot/daemon.h"

#include <ctype.h>
#include <stdio.h>
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
	state_args_addf(a, "%s:%s", req->conn->name, req->msg_id ? req->msg_id : "-");
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

const char *display_name(const char *name, const char *level, char *buf, size_t n)
{
	if (level != NULL && *level)
		snprintf(buf, n, "%s [%s]", name, level);
	else
		snprintf(buf, n, "%s", name);
	return buf;
}
