/*
 * resume: the resume points of the connections in Redis (resume.h says what
 * they are).  One HMGET to load a point, one HSET to save it.
 */
#include "state/resume.h"
#include "state/redis.h"
#include "bot/lib/log.h"
#include "bot/lib/strcopy.h"

#include <stdlib.h>
#include <string.h>

struct resume_load {
	state_resume_cb *done;
	void *arg;
	char conn_name[];       /* for the log line: the reply may outlive the caller's copy */
};

static void on_resume_loaded(const redisReply *r, const char *err, void *privdata)
{
	struct resume_load *rl = privdata;
	const char *session = NULL, *last_id = NULL;

	if (err == NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING) {
		session = r->element[0]->str;
		last_id = r->element[1]->str;
	} else if (err != NULL) {
		log_warnx("%s: resume point unavailable (%s): starting a new session", rl->conn_name, err);
	}
	rl->done(rl->arg, session, last_id);
	free(rl);
}

void state_resume_load(struct state *st, const char *conn_name, state_resume_cb *done, void *arg)
{
	size_t n = strlen(conn_name) + 1;
	struct resume_load *rl = malloc(sizeof(*rl) + n);
	struct state_args *a = state_args_new();

	if (rl == NULL || a == NULL) {
		free(rl);
		state_args_free(a);
		done(arg, NULL, NULL);
		return;
	}
	rl->done = done;
	rl->arg = arg;
	memcpy(rl->conn_name, conn_name, n);
	state_args_add(a, "HMGET");
	state_args_addf(a, "%sresume:%s", state_prefix(st), conn_name);
	state_args_add(a, "session");
	state_args_add(a, "last_id");
	state_call(st, a, on_resume_loaded, rl);
}

void state_resume_note(struct state_resume_point *rp, const char *session, const char *last_id)
{
	/* per message: no formatter */
	copy_trunc(rp->session, sizeof(rp->session), session ? session : "");
	copy_trunc(rp->last_id, sizeof(rp->last_id), last_id ? last_id : "");
	rp->dirty = true;
}

static void on_resume_saved(const redisReply *r, const char *err, void *privdata)
{
	struct state_resume_point *rp = privdata;

	(void)r;
	if (err != NULL)
		rp->dirty = true;       /* try again on the next flush */
}

void state_resume_save(struct state *st, const char *conn_name, struct state_resume_point *rp)
{
	struct state_args *a;

	if (!rp->dirty || !rp->session[0] || !rp->last_id[0] || !state_is_up(st))
		return;
	rp->dirty = false;
	a = state_args_new();
	state_args_add(a, "HSET");
	state_args_addf(a, "%sresume:%s", state_prefix(st), conn_name);
	state_args_add(a, "session");
	state_args_add(a, rp->session);
	state_args_add(a, "last_id");
	state_args_add(a, rp->last_id);
	state_call(st, a, on_resume_saved, rp);
}
