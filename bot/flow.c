/*
 * flow: turning chat friends away from a busy connection, and telling the
 * alerts channel (flow.h says the policy).
 */
#include "bot/flow.h"
#include "bot/daemon.h"
#include "bot/guard.h"
#include "bot/i18n/catalog.h"
#include "bot/lib/clock.h"
#include "bot/lib/log.h"

#include <stdio.h>

/* Whether IDENTITY is staff as far as the daemon knows without Redis. */
static bool known_staff(struct dutybot *bot, const char *identity)
{
	return config_staff_by_identity(bot->cfg, identity) != NULL ||
	    guard_class_of(bot->guard, identity) == GUARD_STAFF;
}

static void tell_alerts(struct dutybot *bot, struct conn *c, enum msg_id id, unsigned long n)
{
	const char *room = c->channel[CHANNEL_ALERTS];
	const char *lang = c->channel_lang[CHANNEL_ALERTS] ? c->channel_lang[CHANNEL_ALERTS] : c->lang;
	char count[24], text[600];

	if (room == NULL)
		return;         /* logged in any case */
	snprintf(count, sizeof(count), "%lu", n);
	catalog_format(text, sizeof(text), lang, id, (const char *const[]){ "conn", c->name, "n", count }, 4);
	daemon_queue(bot, c, true, OUT_SEND, room, text, NULL, NULL, lang);
}

static void on_flow_timer(uv_timer_t *t)
{
	struct dutybot *bot = t->data;
	int64_t now = clock_now_ms();
	bool busy = false;

	for (size_t i = 0; i < bot->n_conns; i++) {
		struct conn *c = bot->conns[i];
		if (c->last_turned_away_ms == 0)
			continue;
		if (now - c->last_turned_away_ms < FLOW_CALM_MS) {
			busy = true;
			continue;
		}
		log_warnx("%s: back to normal; %llu command(s) of chat friends were not taken", c->name,
		    (unsigned long long)c->turned_away_episode);
		tell_alerts(bot, c, MSG_FLOW_CALM, (unsigned long)c->turned_away_episode);
		c->turned_away_episode = 0;
		c->last_turned_away_ms = 0;
	}
	if (!busy)
		uv_timer_stop(t);
}

void flow_init(struct dutybot *bot)
{
	uv_timer_init(bot->loop, &bot->flow_timer);
	bot->flow_timer.data = bot;
}

bool flow_admit(struct dutybot *bot, struct conn *c, const char *identity)
{
	if (!conn_busy(c) || known_staff(bot, identity))
		return true;
	c->turned_away++;
	c->turned_away_episode++;
	if (c->last_turned_away_ms == 0) {
		log_warnx("%s: %zu commands in hand, %zu actions waiting to go out: not taking commands of "
		    "chat friends until it is calm again", c->name, c->pending,
		    c->outbox != NULL ? outbox_queued(c->outbox) : 0);
		tell_alerts(bot, c, MSG_FLOW_BUSY, 0);
		if (!uv_is_closing((uv_handle_t *)&bot->flow_timer))
			uv_timer_start(&bot->flow_timer, on_flow_timer, 1000, 1000);
	}
	c->last_turned_away_ms = clock_now_ms();
	return false;
}

void flow_began(struct conn *c)
{
	c->pending++;
	conn_flow(c);
}

void flow_ended(struct conn *c)
{
	if (c->pending > 0)
		c->pending--;
	conn_flow(c);
}

void flow_close(struct dutybot *bot)
{
	if (!uv_is_closing((uv_handle_t *)&bot->flow_timer))
		uv_close((uv_handle_t *)&bot->flow_timer, NULL);
}
