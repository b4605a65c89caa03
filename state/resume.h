/*
 * resume: where each connection picks its platform session up again after a
 * restart (the session id and the last event id it handled), kept in Redis
 * under <prefix>resume:<connection>.  An adapter notes a new point per event
 * (in memory only: no formatter, no Redis call); the daemon saves the points
 * that changed every few seconds and once more when it stops.
 */
#ifndef DUTYBOT_STATE_RESUME_H
#define DUTYBOT_STATE_RESUME_H

#include <stdbool.h>

struct state;

struct state_resume_point {
	char session[128];
	char last_id[128];
	bool dirty;             /* changed since it was last saved */
};

/* Called exactly once: SESSION and LAST_ID NULL when there is none (or Redis
 * could not say: that is logged, and the connection starts a new session). */
typedef void state_resume_cb(void *arg, const char *session, const char *last_id);

void state_resume_load(struct state *st, const char *conn_name, state_resume_cb *done, void *arg);
/* The point the connection reached (per event: copies only). */
void state_resume_note(struct state_resume_point *rp, const char *session, const char *last_id);
/* Saves RP if it changed and is complete; a failed save is tried again on the next call. */
void state_resume_save(struct state *st, const char *conn_name, struct state_resume_point *rp);

#endif
