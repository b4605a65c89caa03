/*
 * overdue: the escalation auditor (see overdue.h).  One check in flight at a
 * time; the ping goes through the REST client (its own instance, no auth).
 */
#include "bot/durable/overdue.h"
#include "bot/durable/timers.h"
#include "bot/rest/rest.h"
#include "bot/lib/clock.h"
#include "bot/lib/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DELIVER_GROUP "senders"         /* deliver.c's consumer group */

struct overdue {
	struct overdue_setup d;
	uv_timer_t timer;
	bool checking, closing, handle_closed;
	const char *status;             /* NULL, "timers", "outbox" or "timers and outbox" */
	struct rest *ping;
	char *ping_for;                 /* the URL PING was made for (a reload may change it) */
	bool ping_in_flight;
	struct timers_late late;        /* taken at the start of the check in flight */
	/* A late fire is a moment, not a state: /healthz stays degraded for one
	 * bound after it (uv_now), so a monitor polling now and then sees it. */
	uint64_t late_until;
	int64_t late_worst;
};

static void maybe_free(struct overdue *o)
{
	if (o->closing && o->handle_closed && !o->checking && !o->ping_in_flight) {
		if (o->ping != NULL)
			rest_free(o->ping);
		free(o->ping_for);
		free(o);
	}
}

/* Redis's entry ids are its own wall-clock milliseconds: aged by the real
 * clock, never the daemon's (which a test may fake). */
static int64_t entry_age_ms(const redisReply *id)
{
	struct timespec ts;
	int64_t ms;

	if (id->type != REDIS_REPLY_STRING || id->len == 0)
		return -1;
	ms = strtoll(id->str, NULL, 10);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - ms;
}

static void on_pinged(void *arg, const struct rest_response *res)
{
	struct overdue *o = arg;

	o->ping_in_flight = false;
	if (res->status >= 200 && res->status < 300)
		(*o->d.pings)++;
	else if (res->error == NULL || strcmp(res->error, "shutting down") != 0)
		log_warnx("healthcheck: ping_url answered %ld%s%s", res->status, res->error ? ": " : "",
		    res->error ? res->error : "");
	maybe_free(o);
}

/* GET ping_url: all is well this interval.  The REST client takes a base
 * ("https://hc.example.org") and a path ("/ping/abc?x=1"). */
static void ping(struct overdue *o)
{
	const char *url = (*o->d.cfg)->healthcheck.ping_url, *host, *path;
	char base[512], full[1024];

	if (url == NULL || o->ping_in_flight)
		return;
	host = strstr(url, "://") + 3;  /* the config checked the scheme */
	path = host + strcspn(host, "/?");
	if (o->ping_for == NULL || strcmp(o->ping_for, url) != 0) {
		if (o->ping != NULL)
			rest_free(o->ping);
		free(o->ping_for);
		snprintf(base, sizeof(base), "%.*s", (int)(path - url), url);
		o->ping = rest_new(o->d.loop, "healthcheck", base, true);
		o->ping_for = o->ping != NULL ? strdup(url) : NULL;
		if (o->ping_for == NULL)
			return;
	}
	snprintf(full, sizeof(full), "%s%s", *path == '/' ? "" : "/", path);
	if (rest_request(o->ping, "GET", full, "ping", "ping", NULL, NULL, on_pinged, o) == 0)
		o->ping_in_flight = true;
}

static void on_alerted(const redisReply *r, const char *err, void *privdata)
{
	(void)privdata;
	if (err != NULL)
		log_warnx("healthcheck: the overdue alert could not be posted: %s", err);
	else if (r->type == REDIS_REPLY_INTEGER && r->integer == 0)
		log_info("healthcheck: another instance already posted the overdue alert");
}

static void alert(struct overdue *o, const char *msg, int64_t late_ms)
{
	struct state_args *a = state_args_new();
	const struct config *cfg = *o->d.cfg;

	state_args_addf(a, "%soverdue:alerted", state_prefix(o->d.state));
	state_args_add(a, state_prefix(o->d.state));
	state_args_add(a, msg);
	/* to the nearest minute, and never "0 min" for a bound below one */
	state_args_addf(a, "%lld", late_ms < 90000 ? 1LL : (long long)((late_ms + 30000) / 60000));
	state_args_addf(a, "%lld", (long long)cfg->healthcheck.overdue_after_ms);
	state_eval(o->d.state, SCRIPT_OVERDUE_ALERT, 1, a, on_alerted, NULL);
}

static void on_checked(const redisReply *r, const char *err, void *privdata)
{
	struct overdue *o = privdata;
	const struct config *cfg = *o->d.cfg;
	int64_t bound = cfg->healthcheck.overdue_after_ms, timers_late = -1, outbox_age = -1, age;
	uint64_t found = 0;
	const char *was = o->status;

	o->checking = false;
	if (o->closing) {
		maybe_free(o);
		return;
	}
	if (err != NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 4) {
		log_warnx("healthcheck: cannot check for overdue work: %s", err ? err : "unexpected reply");
		return;         /* no ping either: the outside switch notices */
	}
	if (o->late.count > 0) {
		timers_late = o->late.worst_ms;
		o->late_until = uv_now(o->d.loop) + (uint64_t)bound;
		o->late_worst = o->late.worst_ms;
		found += o->late.count;
		log_warnx("healthcheck: %llu timer(s) fired more than %lld s late, the latest %lld s (%s)",
		    (unsigned long long)o->late.count, (long long)bound / 1000, (long long)o->late.worst_ms / 1000,
		    o->late.worst_member);
	}
	if (r->element[0]->type == REDIS_REPLY_INTEGER && r->element[0]->integer > 0) {
		age = clock_now_ms() - (r->element[1]->type == REDIS_REPLY_STRING ? strtoll(r->element[1]->str, NULL, 10) : 0);
		found++;
		if (age > timers_late)
			timers_late = age;
		log_warnx("healthcheck: %lld due timer(s) not claimed for more than %lld s, the oldest %lld s",
		    (long long)r->element[0]->integer, (long long)bound / 1000, (long long)age / 1000);
	}
	for (size_t i = 2; i < 4; i++) {
		if ((age = entry_age_ms(r->element[i])) > bound && age > outbox_age)
			outbox_age = age;
	}
	if (outbox_age > bound) {
		found++;
		log_warnx("healthcheck: an outbox entry has waited %lld s to be delivered (bound %lld s)",
		    (long long)outbox_age / 1000, (long long)bound / 1000);
	}
	if (timers_late < 0 && uv_now(o->d.loop) < o->late_until)
		timers_late = o->late_worst;    /* still within the bound after a late fire */
	o->status = timers_late >= 0 && outbox_age > bound ? "timers and outbox" :
	    timers_late >= 0 ? "timers" : outbox_age > bound ? "outbox" : NULL;
	*o->d.overdue_total += found;
	if (o->status == NULL) {
		if (was != NULL)
			log_info("healthcheck: nothing is overdue any more");
		ping(o);
		return;
	}
	if (was == NULL) {
		log_warnx("healthcheck: degraded: %s overdue", o->status);
		if (timers_late >= 0)
			alert(o, "MSG_OVERDUE_TIMERS", timers_late);
		else
			alert(o, "MSG_OVERDUE_OUTBOX", outbox_age);
	}
}

static void check(uv_timer_t *t)
{
	struct overdue *o = t->data;
	struct state_args *a;

	if (o->closing || o->checking)
		return;
	if (!state_is_up(o->d.state))
		return;         /* /healthz says redis down; no ping: the outside switch notices */
	o->late = *o->d.timers != NULL ? timers_take_late(*o->d.timers) : (struct timers_late){ 0 };
	a = state_args_new();
	state_args_addf(a, "%stimers", state_prefix(o->d.state));
	state_args_addf(a, "%soutbox", state_prefix(o->d.state));
	state_args_addf(a, "%lld", (long long)clock_now_ms());
	state_args_addf(a, "%lld", (long long)(*o->d.cfg)->healthcheck.overdue_after_ms);
	state_args_add(a, DELIVER_GROUP);
	o->checking = true;
	state_eval(o->d.state, SCRIPT_OVERDUE_CHECK, 2, a, on_checked, o);
}

struct overdue *overdue_new(const struct overdue_setup *setup)
{
	struct overdue *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->d = *setup;
	uv_timer_init(setup->loop, &o->timer);
	o->timer.data = o;
	return o;
}

void overdue_start(struct overdue *o)
{
	uint64_t every = (uint64_t)(*o->d.cfg)->healthcheck.interval_ms;

	/* a reload's new interval applies after a restart: the check is cheap */
	uv_timer_start(&o->timer, check, every, every);
}

const char *overdue_status(const struct overdue *o)
{
	return o != NULL ? o->status : NULL;
}

static void on_closed(uv_handle_t *h)
{
	struct overdue *o = h->data;

	o->handle_closed = true;
	maybe_free(o);
}

void overdue_close(struct overdue *o)
{
	if (o == NULL)
		return;
	o->closing = true;
	if (o->ping != NULL && o->ping_in_flight) {
		/* fails the ping at once ("shutting down"); on_pinged then frees */
		struct rest *p = o->ping;
		o->ping = NULL;
		rest_free(p);
	}
	uv_close((uv_handle_t *)&o->timer, on_closed);
}
