/*
 * overdue: the escalation auditor.  The promise is that a page is never more
 * than a bound late (PagerDuty counts one five minutes late against its SLA);
 * this checks it from the inside, every healthcheck.interval:
 *   - fires the timer engine made later than healthcheck.overdue_after after
 *     their due time (a daemon that was down, paused or stuck);
 *   - due timers nobody claimed for longer than the bound (no instance is
 *     firing them);
 *   - the oldest outbox entry not delivered for longer than the bound
 *     (pending at a platform that does not answer, or not read at all).
 * Anything overdue turns /healthz "degraded" (overdue_status), counts in
 * dutybot_overdue_total, and posts one alert to the alerts channel per
 * episode (several instances post it once).  While all is well, the optional
 * healthcheck.ping_url is fetched each interval, so an outside dead-man's
 * switch notices a daemon that is dead, hung, or unable to check.
 */
#ifndef DUTYBOT_OVERDUE_H
#define DUTYBOT_OVERDUE_H

#include <stdint.h>
#include <uv.h>

#include "config/config.h"
#include "state/redis.h"

struct timers;
struct overdue;

/* What the auditor borrows from the daemon for its whole life; the daemon's
 * fields, read at every check. */
struct overdue_setup {
	uv_loop_t *loop;
	struct state *state;
	struct config *const *cfg;
	struct timers *const *timers;   /* NULL once the engine is closed */
	uint64_t *overdue_total;        /* the metrics counter */
	uint64_t *pings;                /* ping_url answered 2xx (metrics) */
};

struct overdue *overdue_new(const struct overdue_setup *setup);
void overdue_start(struct overdue *o);
/* NULL while nothing is overdue; else what is, for /healthz ("timers", "outbox"). */
const char *overdue_status(const struct overdue *o);
/* Stops checking; freed once its handle and any call in flight are done. */
void overdue_close(struct overdue *o);

#endif
