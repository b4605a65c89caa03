/*
 * metrics: counters live where they are counted (the daemon, each conn, the
 * state layer); this file only reads and prints them, in a growing buffer.
 */
#include "bot/metrics.h"
#include "bot/daemon.h"
#include "handlers/commands.h"
#include "handlers/handlers.h"
#include "bot/lib/clock.h"
#include "state/redis.h"
#include "bot/durable/timers.h"
#include "bot/durable/deliver.h"
#include "bot/durable/overdue.h"
#include "bot/guard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
	char *buf;
	size_t len, cap;
	int failed;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = (b->cap + (size_t)n) * 2;
			char *p = realloc(b->buf, cap);
			if (p == NULL) {
				b->failed = 1;
				return;
			}
			b->buf = p;
			b->cap = cap;
		}
	}
}

static int sb_init(struct sbuf *b)
{
	b->cap = 4096;
	b->len = 0;
	b->failed = 0;
	b->buf = malloc(b->cap);
	return b->buf ? 0 : -1;
}

static char *sb_finish(struct sbuf *b, size_t *len)
{
	if (b->failed) {
		free(b->buf);
		return NULL;
	}
	*len = b->len;
	return b->buf;
}

static void head(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *metrics_render(void *dutybot, size_t *len)
{
	struct dutybot *bot = dutybot;
	static const char *const result_names[RESULT_MAX] = { "ok", "refused", "usage", "error", "unavailable" };
	const struct state_stats *ss = state_stats(bot->state);
	struct sbuf b;

	if (sb_init(&b) != 0)
		return NULL;
	head(&b, "dutybot_up", "gauge", "1 while the daemon runs");
	sb_printf(&b, "dutybot_up 1\n");
	head(&b, "dutybot_uptime_seconds", "gauge", "seconds since start");
	sb_printf(&b, "dutybot_uptime_seconds %lld\n", (long long)((clock_now_ms() - bot->started_ms) / 1000));
	head(&b, "dutybot_events_in_total", "counter", "messages received per connection");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "dutybot_events_in_total{connection=\"%s\"} %llu\n", bot->conns[i]->name,
		    (unsigned long long)bot->conns[i]->events_in);
	head(&b, "dutybot_command_events_total", "counter", "messages that looked like commands");
	sb_printf(&b, "dutybot_command_events_total %llu\n", (unsigned long long)bot->metrics.events_in);
	head(&b, "dutybot_commands_total", "counter", "commands run, by command and result");
	for (size_t i = 0; i < n_commands; i++) {
		char label[64];
		command_label(&commands[i], label, sizeof(label));
		for (int r = 0; r < RESULT_MAX; r++)
			sb_printf(&b, "dutybot_commands_total{command=\"%s\",result=\"%s\"} %llu\n", label,
			    result_names[r], (unsigned long long)bot->metrics.commands[i * RESULT_MAX + (size_t)r]);
	}
	head(&b, "dutybot_unknown_commands_total", "counter", "unknown commands and sub-commands");
	sb_printf(&b, "dutybot_unknown_commands_total %llu\n", (unsigned long long)bot->metrics.unknown_commands);
	head(&b, "dutybot_duplicates_total", "counter", "messages dropped as already handled");
	sb_printf(&b, "dutybot_duplicates_total %llu\n", (unsigned long long)bot->metrics.duplicates);
	head(&b, "dutybot_begin_batches_total", "counter", "state calls that began commands (one per loop turn with commands)");
	sb_printf(&b, "dutybot_begin_batches_total %llu\n", (unsigned long long)bot->metrics.begin_batches);
	head(&b, "dutybot_throttled_total", "counter", "commands dropped by the abuse guard");
	sb_printf(&b, "dutybot_throttled_total %llu\n", (unsigned long long)bot->metrics.throttled);
	head(&b, "dutybot_delayed_total", "counter", "staff commands the abuse guard made wait their turn");
	sb_printf(&b, "dutybot_delayed_total %llu\n", (unsigned long long)bot->metrics.delayed);
	head(&b, "dutybot_delayed", "gauge", "staff commands waiting their turn now");
	sb_printf(&b, "dutybot_delayed %zu\n", guard_queued(bot->guard));
	head(&b, "dutybot_replies_total", "counter", "actions queued for sending");
	sb_printf(&b, "dutybot_replies_total %llu\n", (unsigned long long)bot->metrics.replies);
	head(&b, "dutybot_replies_sent_total", "counter", "actions the platform acknowledged");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "dutybot_replies_sent_total{connection=\"%s\"} %llu\n", bot->conns[i]->name,
		    (unsigned long long)bot->conns[i]->actions_acked);
	head(&b, "dutybot_delivery_failures_total", "counter", "actions the platform refused for good");
	sb_printf(&b, "dutybot_delivery_failures_total %llu\n", (unsigned long long)bot->metrics.delivery_failures);
	head(&b, "dutybot_overdue_total", "counter",
	    "timers fired later than healthcheck.overdue_after, and checks that found a due timer or outbox entry overdue");
	sb_printf(&b, "dutybot_overdue_total %llu\n", (unsigned long long)bot->metrics.overdue);
	head(&b, "dutybot_pages_held_total", "counter",
	    "pages held back over escalation.pages_per_minute, to be summarised in one page");
	sb_printf(&b, "dutybot_pages_held_total %llu\n", (unsigned long long)emergency_pages_held());
	head(&b, "dutybot_healthcheck_pings_total", "counter", "healthcheck.ping_url fetched with a 2xx answer");
	sb_printf(&b, "dutybot_healthcheck_pings_total %llu\n", (unsigned long long)bot->metrics.healthcheck_pings);
	head(&b, "dutybot_reconnects_total", "counter", "connection losses per connection");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "dutybot_reconnects_total{connection=\"%s\"} %llu\n", bot->conns[i]->name,
		    (unsigned long long)bot->conns[i]->reconnects);
	head(&b, "dutybot_bad_frames_total", "counter", "malformed or oversized frames ignored");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "dutybot_bad_frames_total{connection=\"%s\"} %llu\n", bot->conns[i]->name,
		    (unsigned long long)bot->conns[i]->bad_frames);
	head(&b, "dutybot_connection_up", "gauge", "1 when the connection is ready");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "dutybot_connection_up{connection=\"%s\"} %d\n", bot->conns[i]->name,
		    bot->conns[i]->status == CONN_UP);
	head(&b, "dutybot_queue_depth", "gauge", "actions waiting or in flight per connection");
	for (size_t i = 0; i < bot->n_conns; i++) {
		struct outbox *ob = bot->conns[i]->outbox;
		sb_printf(&b, "dutybot_queue_depth{connection=\"%s\"} %zu\n", bot->conns[i]->name,
		    ob ? outbox_queued(ob) + outbox_inflight(ob) : 0);
	}
	head(&b, "dutybot_commands_in_hand", "gauge", "commands being handled per connection");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "dutybot_commands_in_hand{connection=\"%s\"} %zu\n", bot->conns[i]->name,
		    bot->conns[i]->pending);
	head(&b, "dutybot_commands_turned_away_total", "counter",
	    "chat friends' commands not taken while the connection was busy");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "dutybot_commands_turned_away_total{connection=\"%s\"} %llu\n", bot->conns[i]->name,
		    (unsigned long long)bot->conns[i]->turned_away);
	head(&b, "dutybot_reading_paused", "gauge", "1 while the connection's socket is not read (too many commands in hand)");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "dutybot_reading_paused{connection=\"%s\"} %d\n", bot->conns[i]->name,
		    bot->conns[i]->reading_paused);
	head(&b, "dutybot_reading_pauses_total", "counter", "times reading a connection stopped");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "dutybot_reading_pauses_total{connection=\"%s\"} %llu\n", bot->conns[i]->name,
		    (unsigned long long)bot->conns[i]->reading_pauses);
	head(&b, "dutybot_redis_up", "gauge", "1 when the state store is connected");
	sb_printf(&b, "dutybot_redis_up %d\n", state_is_up(bot->state));
	head(&b, "dutybot_redis_errors_total", "counter", "failed state calls");
	sb_printf(&b, "dutybot_redis_errors_total %llu\n", (unsigned long long)ss->errors);
	head(&b, "dutybot_redis_reconnects_total", "counter", "state store reconnections");
	sb_printf(&b, "dutybot_redis_reconnects_total %llu\n", (unsigned long long)ss->reconnects);
	head(&b, "dutybot_redis_unreplicated_total", "counter",
	    "state calls whose WAIT for a replica timed out (sentinel mode)");
	sb_printf(&b, "dutybot_redis_unreplicated_total %llu\n", (unsigned long long)ss->unreplicated);
	head(&b, "dutybot_redis_calls_resent_total", "counter",
	    "script calls sent again after their reply was lost (each runs once)");
	sb_printf(&b, "dutybot_redis_calls_resent_total %llu\n", (unsigned long long)ss->replayed);
	head(&b, "dutybot_redis_pending", "gauge", "state calls waiting for a reply");
	sb_printf(&b, "dutybot_redis_pending %zu\n", state_pending(bot->state));
	head(&b, "dutybot_timers_fired_total", "counter", "durable timers fired by this instance");
	sb_printf(&b, "dutybot_timers_fired_total %llu\n",
	    (unsigned long long)(bot->timers ? timers_fired(bot->timers) : 0));
	head(&b, "dutybot_outbox_sending", "gauge", "durable outbox entries being sent by this instance");
	sb_printf(&b, "dutybot_outbox_sending %zu\n", bot->deliver ? deliver_active(bot->deliver) : 0);
	head(&b, "dutybot_outbox_delivered_total", "counter", "durable outbox entries delivered by this instance");
	sb_printf(&b, "dutybot_outbox_delivered_total %llu\n",
	    (unsigned long long)(bot->deliver ? deliver_count(bot->deliver) : 0));
	head(&b, "dutybot_requests_in_flight", "gauge", "commands being handled");
	sb_printf(&b, "dutybot_requests_in_flight %zu\n", bot->requests_in_flight);
	return sb_finish(&b, len);
}

char *metrics_health(void *dutybot, size_t *len)
{
	struct dutybot *bot = dutybot;
	const char *overdue;
	struct sbuf b;

	if (sb_init(&b) != 0)
		return NULL;
	overdue = overdue_status(bot->overdue);
	sb_printf(&b, "{\"status\":\"%s\",\"redis\":\"%s\",",
	    bot->stopping ? "stopping" : overdue != NULL ? "degraded" : "ok", state_is_up(bot->state) ? "up" : "down");
	if (overdue != NULL)
		sb_printf(&b, "\"overdue\":\"%s\",", overdue);
	sb_printf(&b, "\"connections\":{");
	for (size_t i = 0; i < bot->n_conns; i++)
		sb_printf(&b, "%s\"%s\":\"%s\"", i ? "," : "", bot->conns[i]->name, bot->conns[i]->status_text);
	sb_printf(&b, "}}\n");
	return sb_finish(&b, len);
}
