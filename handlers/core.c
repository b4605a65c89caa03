/*
 * core: the commands everyone has: !ping, !whoami, !lang.
 */
#include "handlers/handlers.h"
#include "handlers/common.h"

#include <stdio.h>
#include <string.h>

void core_ping_cmd(struct request *req)
{
	if (state_is_up(request_state(req)))
		reply(req, MSG_PONG);
	else
		reply(req, MSG_PONG_STATE_DOWN);
	request_done(req);
}

void core_whoami_cmd(struct request *req)
{
	const struct person *p = &req->caller;
	char name[200];

	person_display(p, name, sizeof(name));
	if (p->role == ROLE_FRIEND)
		reply(req, MSG_WHOAMI_FRIEND, "name", name, "identity", p->identity, "lang", p->lang);
	else
		reply(req, MSG_WHOAMI_STAFF, "name", name, "role", role_display(p->role, p->lang),
		    "id", p->id, "identity", p->identity, "lang", p->lang);
	request_done(req);
}

static void on_lang_set(const redisReply *r, const char *err, void *privdata)
{
	struct request *req = privdata;

	if (err != NULL) {
		reply_state_error(req, err);
	} else {
		/* confirm in the language just chosen */
		snprintf(req->caller.lang, sizeof(req->caller.lang), "%s", req->cmd.argv[1]);
		reply(req, MSG_LANG_SET, "lang", req->caller.lang);
	}
	request_done(req);
}

void core_lang_cmd(struct request *req)
{
	const char *lang;
	char key[256];
	struct state_args *a;

	if (req->cmd.argc < 2) {
		reply(req, MSG_LANG_SHOW, "lang", req->caller.lang, "langs", catalog_language_list);
		request_done(req);
		return;
	}
	lang = req->cmd.argv[1];
	if (!config_lang_valid(lang)) {
		refuse(req, MSG_LANG_BAD, "lang", lang, "langs", catalog_language_list);
		request_done(req);
		return;
	}
	if (req->caller.id[0])
		snprintf(key, sizeof(key), "staff:%s", req->caller.id);
	else
		snprintf(key, sizeof(key), "friend:%s", req->caller.identity);
	a = script_args(req, key);
	state_args_add(a, lang);
	state_args_add(a, req->caller.id[0] ? "staff" : "friend");
	state_eval(request_state(req), SCRIPT_LANG_SET, 1, a, on_lang_set, req);
}
