/*
 * conn: the part every adapter shares (conn.h says what an adapter
 * provides): construction by platform type, the reloadable settings, the
 * state log, the reconnect backoff, drain-then-stop, and teardown.
 */
#include "bot/platform/conn.h"
#include "bot/lib/log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CONN_STABLE_MS 30000            /* up this long: the next drop starts the backoff afresh */
#define CONN_BACKOFF_FIRST_MS 1000
#define CONN_BACKOFF_CAP_MS 60000
#define CONN_DRAIN_POLL_MS 50
#define CONN_DRAIN_MAX_MS 3000

struct conn *conn_new(const struct config_connection *cc, uv_loop_t *loop, struct lws_context *lws,
                      const struct conn_hooks *hooks, void *owner, const char *command_prefix)
{
	struct conn *c = NULL;

	switch (cc->type) {
	case PLATFORM_SITE:
		c = site_conn_new(cc, command_prefix);
		break;
	case PLATFORM_DISCORD:
		c = discord_conn_new(cc, command_prefix);
		break;
	case PLATFORM_SLACK:
		c = slack_conn_new(cc, command_prefix);
		break;
	case PLATFORM_IRC:
		c = irc_conn_new(cc, command_prefix);
		break;
	case PLATFORM_MATTERMOST:
		c = mattermost_conn_new(cc, command_prefix);
		break;
	default:
		log_warnx("%s: platform %s is not supported by this build yet", cc->name,
		    config_platform_name(cc->type));
		return NULL;
	}
	if (c == NULL)
		return NULL;
	c->loop = loop;
	c->lws = lws;
	c->hooks = hooks;
	c->owner = owner;
	c->name = strdup(cc->name);
	c->type = cc->type;
	c->status = CONN_DOWN;
	c->status_text = "down";
	conn_apply_config(c, cc);
	return c;
}

bool conn_take(struct conn *c, const char *msg_id, bool dm, const char *room, const char *user_id,
               const char *user_name, const char *text, const char *click)
{
	struct chat_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.msg_id = msg_id;
	ev.dm = dm;
	ev.room = dm ? NULL : room;
	ev.user_id = user_id;
	ev.user_name = user_name ? user_name : user_id;
	ev.text = text;
	ev.text_len = strlen(text);
	ev.click = click;
	c->events_in++;
	return c->status != CONN_STOPPED && c->hooks->on_event(c, &ev);
}

void conn_apply_config(struct conn *c, const struct config_connection *cc)
{
	free(c->lang);
	c->lang = strdup(cc->lang ? cc->lang : "en");
	for (int i = 0; i < CHANNEL_MAX; i++) {
		free(c->channel[i]);
		c->channel[i] = cc->channel[i] ? strdup(cc->channel[i]) : NULL;
		free(c->channel_lang[i]);
		c->channel_lang[i] = cc->channel_lang[i] ? strdup(cc->channel_lang[i]) : NULL;
	}
	c->max_send_rate = cc->max_send_rate;
	c->max_in_flight = cc->max_in_flight > 0 ? cc->max_in_flight : 1;
	c->max_pending = cc->max_pending > 0 ? (size_t)cc->max_pending : 256;
	c->max_queued = cc->max_queued > 0 ? (size_t)cc->max_queued : 1000;
	conn_flow(c);
	if (c->outbox != NULL) {
		outbox_set_rate(c->outbox, cc->max_send_rate);
		outbox_set_max_inflight(c->outbox, (size_t)c->max_in_flight);
	}
}

static void on_timer_closed(uv_handle_t *h)
{
	struct conn *c = h->data;

	if (--c->open_timers == 0)
		free(c);        /* the adapter's struct: c is its first member */
}

/* Frees the adapter's resources, then C once the last timer is closed. */
void conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	c->ops->free(c);        /* first: what it frees may still log with c->name */
	free(c->name);
	c->name = NULL;
	free(c->lang);
	for (int i = 0; i < CHANNEL_MAX; i++) {
		free(c->channel[i]);
		free(c->channel_lang[i]);
	}
	if (c->open_timers == 0) {
		free(c);
		return;
	}
	for (int i = 0; i < c->n_timers; i++)
		uv_close((uv_handle_t *)c->timers[i], on_timer_closed);
}

/* ---- the adapter skeleton ---- */

void conn_set_state(struct conn *c, int st, const char *reason)
{
	const struct conn_state *from = &c->states[c->state], *to = &c->states[st];

	if (c->state == st)
		return;
	if (to->status == CONN_FATAL || (from->status == CONN_UP && !to->stopping))
		log_warnx("%s: state change %s -> %s, reason: %s", c->name, from->name, to->name, reason);
	else
		log_info("%s: state change %s -> %s, reason: %s", c->name, from->name, to->name, reason);
	c->state = st;
	c->status = to->status;
	c->status_text = to->text;
	c->reading_paused = false;      /* a new socket reads; conn_flow() stops it again if need be */
}

bool conn_busy(const struct conn *c)
{
	/* what is in hand will be answered: count it as queued already */
	return c->pending * 2 >= c->max_pending ||
	    (c->outbox != NULL && outbox_queued(c->outbox) + c->pending >= c->max_queued);
}

void conn_flow(struct conn *c)
{
	if (c->ops->set_reading == NULL)
		return;
	if (!c->reading_paused && c->pending >= c->max_pending) {
		c->reading_paused = true;
		c->reading_pauses++;
		log_warnx("%s: %zu commands in hand: not reading until half of them are done", c->name, c->pending);
		c->ops->set_reading(c, false);
	} else if (c->reading_paused && c->pending * 2 <= c->max_pending) {
		c->reading_paused = false;
		log_info("%s: %zu commands in hand: reading again", c->name, c->pending);
		c->ops->set_reading(c, true);
	}
}

void conn_timer_init(struct conn *c, uv_timer_t *t)
{
	if (c->n_timers == CONN_TIMERS_MAX) {
		log_warnx("%s: more than %d timers (raise CONN_TIMERS_MAX)", c->name, CONN_TIMERS_MAX);
		abort();        /* a programming error, found by the first test that starts the adapter */
	}
	uv_timer_init(c->loop, t);
	t->data = c;
	c->timers[c->n_timers++] = t;
	c->open_timers++;
}

void conn_skeleton_start(struct conn *c)
{
	conn_timer_init(c, &c->retry_timer);
	conn_timer_init(c, &c->stable_timer);
	conn_timer_init(c, &c->handshake_timer);
	conn_timer_init(c, &c->drain_timer);
}

int64_t conn_backoff_ms(int *attempt)
{
	int64_t base = CONN_BACKOFF_FIRST_MS;

	for (int i = 0; i < *attempt && base < CONN_BACKOFF_CAP_MS; i++)
		base *= 2;
	if (base > CONN_BACKOFF_CAP_MS)
		base = CONN_BACKOFF_CAP_MS;
	if (*attempt < 16)
		(*attempt)++;
	/* jitter 75%..125%: a platform outage must not bring every bot back at once */
	return base * 3 / 4 + rand() % (base / 2 + 1);
}

static void on_retry_timer(uv_timer_t *t)
{
	struct conn *c = t->data;

	c->ops->reconnect(c);
}

void conn_schedule_reconnect(struct conn *c, int64_t delay_ms, bool resume)
{
	int64_t delay = delay_ms >= 0 ? delay_ms : conn_backoff_ms(&c->attempt);

	log_info("%s: reconnecting in %" PRId64 " ms%s", c->name, delay, resume ? " (resume)" : "");
	uv_timer_start(&c->retry_timer, on_retry_timer, (uint64_t)delay, 0);
}

static void on_stable_timer(uv_timer_t *t)
{
	struct conn *c = t->data;

	c->attempt = 0;         /* it stayed up: the next drop starts from the first delay */
}

void conn_stable_start(struct conn *c)
{
	uv_timer_start(&c->stable_timer, on_stable_timer, CONN_STABLE_MS, 0);
}

void conn_stable_stop(struct conn *c)
{
	uv_timer_stop(&c->stable_timer);
}

static void on_handshake_timer(uv_timer_t *t)
{
	struct conn *c = t->data;

	if (c->status != CONN_UP)
		c->ops->handshake_timeout(c);
}

void conn_handshake_start(struct conn *c, uint64_t ms)
{
	uv_timer_start(&c->handshake_timer, on_handshake_timer, ms, 0);
}

void conn_handshake_stop(struct conn *c)
{
	uv_timer_stop(&c->handshake_timer);
}

void conn_timers_stop(struct conn *c)
{
	uv_timer_stop(&c->retry_timer);
	uv_timer_stop(&c->stable_timer);
	uv_timer_stop(&c->handshake_timer);
}

static void drain_done(struct conn *c)
{
	uv_timer_stop(&c->drain_timer);
	c->drain_done(c);
}

static void on_drain_timer(uv_timer_t *t)
{
	struct conn *c = t->data;

	if (c->drain_pending(c) == 0 || uv_now(c->loop) - c->stop_at > CONN_DRAIN_MAX_MS)
		drain_done(c);
}

void conn_drain_then(struct conn *c, size_t (*pending)(struct conn *c), void (*done)(struct conn *c))
{
	c->drain_pending = pending;
	c->drain_done = done;
	if (pending(c) == 0) {
		drain_done(c);
		return;
	}
	c->stop_at = uv_now(c->loop);
	uv_timer_start(&c->drain_timer, on_drain_timer, CONN_DRAIN_POLL_MS, CONN_DRAIN_POLL_MS);
}
