/*
 * conn: the part every adapter shares: construction by platform type, the
 * reloadable settings, and teardown.
 */
#include "bot/conn.h"
#include "bot/log.h"

#include <stdlib.h>
#include <string.h>

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
	}
	c->max_send_rate = cc->max_send_rate;
	c->max_in_flight = cc->max_in_flight > 0 ? cc->max_in_flight : 1;
	if (c->outbox != NULL) {
		outbox_set_rate(c->outbox, cc->max_send_rate);
		outbox_set_max_inflight(c->outbox, (size_t)c->max_in_flight);
	}
}

void conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->lang);
	for (int i = 0; i < CHANNEL_MAX; i++)
		free(c->channel[i]);
	c->ops->free(c);        /* frees the adapter's part, the outbox and c */
}
