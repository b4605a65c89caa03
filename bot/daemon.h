/*
 * daemon: the one context of a running dutybot.  main() fills it, starts it
 * and runs the loop; everything else receives it explicitly.
 */
#ifndef DUTYBOT_DAEMON_H
#define DUTYBOT_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "config/config.h"
#include "bot/platform/conn.h"
#include "bot/chat/chat.h"
#include "bot/ops/http.h"
#include "state/staff_sync.h"

struct lws_context;
struct state;
struct state_resume_point;
struct guard;
struct timers;
struct deliver;
struct overdue;

struct metrics {
	uint64_t events_in;             /* command events that reached the dispatcher */
	uint64_t duplicates;            /* dropped as already handled */
	uint64_t begin_batches;         /* begin_batch.lua calls (each for 1..BEGIN_BATCH_MAX commands) */
	uint64_t unknown_commands;
	uint64_t throttled;             /* dropped by the abuse guard (friends' floods, a full staff queue) */
	uint64_t delayed;               /* staff commands the abuse guard made wait */
	uint64_t *commands;             /* [command index * RESULT_MAX + result] */
	uint64_t replies;               /* actions queued */
	uint64_t delivery_failures;
	uint64_t overdue;               /* late fires and overdue findings of the auditor */
	uint64_t healthcheck_pings;     /* healthcheck.ping_url answered 2xx */
};

struct dutybot {
	uv_loop_t *loop;
	struct config *cfg;             /* owned; replaced on reload */
	char *config_path;
	struct state *state;
	struct lws_context *lws;
	struct conn **conns;
	struct state_resume_point *resume;      /* per conn (state/resume.h) */
	size_t n_conns;
	struct guard *guard;
	struct timers *timers;          /* durable timers (bot/durable/timers.c) */
	struct deliver *deliver;        /* durable outbox sender (bot/durable/deliver.c) */
	struct overdue *overdue;        /* the escalation auditor (bot/durable/overdue.c) */
	struct metrics metrics;
	size_t requests_in_flight;
	bool stopping;
	int64_t started_ms;
	uv_signal_t sig_term, sig_int, sig_hup;
	uv_timer_t watchdog, resume_flush, shutdown_timer, startup_timer;
	uv_timer_t flow_timer;          /* a busy connection calm again (bot/flow.c) */
	bool started;                   /* connections started */
	struct state_staff_sync staff;  /* the config's staff in Redis (state/staff_sync.h) */
	uint64_t trimmed_at_events;     /* malloc_trim() ran when events_in was this */
	int64_t shutdown_deadline;
	int stop_phase;
	bool loop_ready;                /* uv_loop_init succeeded */
	size_t conns_stopped;
	bool stopping_conns;            /* shutdown_step() is stopping them right now */
	struct http_pages http_pages;   /* what bot/ops/http.c serves (bot/metrics.c renders it) */
	struct begin_batch *batch;      /* commands waiting for their begin call (bot/dispatch.c) */
	struct request_pool *requests;  /* memory of the requests (bot/request_pool.c) */
};

int daemon_init(struct dutybot *bot, const char *config_path, struct config *cfg);
int daemon_run(struct dutybot *bot);    /* runs the loop; returns the exit code */
void daemon_free(struct dutybot *bot);

struct conn *daemon_conn(struct dutybot *bot, const char *name);
/* Queues an action on C and counts it; FIRST: in the outbox's first lane
 * (staff's answers, alerts), ahead of chat friends' answers. */
void daemon_queue(struct dutybot *bot, struct conn *c, bool first, enum out_kind kind, const char *target,
                  const char *text, const char *origin_room, const char *origin_user, const char *lang);

#endif
