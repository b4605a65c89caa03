/*
 * discord_out: what the Discord adapter sends by REST v10 (discord.c is the
 * gateway it comes in by; discord_private.h is what the two share).
 *
 * Messages go out by REST, one rest queue per channel so a channel's
 * messages keep their order through 429s; the gateway only carries
 * identify, resume and heartbeats.  A DM first opens the person's DM
 * channel (cached by user id), in the person's queue so their DMs keep
 * their order too.  Nothing echoed from users pings anyone: allowed_mentions
 * lets a page ping only its person; no masked link or heading in it renders
 * (discord_neutralise).  Approvals and emergencies carry buttons;
 * a click is acknowledged at once (type 6, "edit later"), runs as the typed
 * command of the clicker, and its answer edits the message (done) or comes
 * back only to the clicker (refused).
 */
#include "bot/platform/discord_private.h"

#include "bot/platform/clicks.h"
#include "bot/lib/json_out.h"
#include "bot/lib/log.h"
#include "bot/rest/rest.h"
#include "bot/lib/strmap.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct send_ctx {
	struct discord *d;
	uint64_t seq;                   /* the out_msg in flight */
	char user[64];                  /* DM: the recipient, while opening the channel */
};

/* ---- REST out: the outbox ---- */

static void sent(struct discord *d, uint64_t seq, const struct rest_response *res, const char *what)
{
	if (res->status >= 200 && res->status < 300) {
		if (outbox_acked(d->conn.outbox, seq))
			d->conn.actions_acked++;
	} else if (res->status == 0 && (d->conn.state == D_STOPPING || d->conn.state == D_STOPPED || d->freeing)) {
		/* shutting down: what is not sent stays in the durable outbox for the next run */
	} else {
		struct out_msg *m = outbox_failed(d->conn.outbox, seq);
		char code[32];
		snprintf(code, sizeof(code), res->status ? "http_%ld" : "unreachable", res->status);
		log_warnx("%s: %s failed for good: %s%s%s", d->conn.name, what, code, res->error ? ": " : "",
		    res->error ? res->error : "");
		if (m != NULL) {
			d->conn.hooks->on_delivery_failed(&d->conn, m, code);
			outbox_msg_free(m);
		}
	}
	discord_out_kick(d);
}

static void on_posted(void *arg, const struct rest_response *res)
{
	struct send_ctx *sc = arg;

	sent(sc->d, sc->seq, res, "a message");
	free(sc);
}

/* components: one action row of buttons (Discord: at most 5, labels of 80,
 * custom ids of 100) */
static void add_button(const struct out_button *ob, void *arg)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddNumberToObject(b, "type", 2);
	cJSON_AddNumberToObject(b, "style", strncmp(ob->command, "deny", 4) == 0 ? 4 :
	    strncmp(ob->command, "approve", 7) == 0 ? 3 : 1);
	cJSON_AddStringToObject(b, "label", ob->label);
	cJSON_AddStringToObject(b, "custom_id", ob->command);
	cJSON_AddItemToArray(arg, b);
}

static void add_buttons(cJSON *body, const char *buttons)
{
	cJSON *rows = cJSON_AddArrayToObject(body, "components"), *row = cJSON_CreateObject();

	cJSON_AddNumberToObject(row, "type", 1);
	outbox_buttons(buttons, 5, 80, 100, add_button, cJSON_AddArrayToObject(row, "components"));
	cJSON_AddItemToArray(rows, row);
}

/* TEXT as BODY's content, its markdown made plain (discord_text.c). */
static void add_content(cJSON *body, const char *text)
{
	char *safe = discord_neutralise(text);

	cJSON_AddStringToObject(body, "content", safe != NULL ? safe : "");
	free(safe);
}

static void post_to_channel(struct discord *d, uint64_t seq, const char *channel, const char *text,
                            const char *buttons, const char *ping_user, const char *queue)
{
	cJSON *body = cJSON_CreateObject(), *am = cJSON_AddObjectToObject(body, "allowed_mentions");
	struct send_ctx *sc = calloc(1, sizeof(*sc));
	char path[160], *json;

	/* nothing echoed from users pings anyone; a page pings only its person */
	cJSON_AddArrayToObject(am, "parse");
	if (ping_user != NULL)
		cJSON_AddItemToArray(cJSON_AddArrayToObject(am, "users"), cJSON_CreateString(ping_user));
	add_content(body, text);
	if (buttons != NULL)
		add_buttons(body, buttons);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	snprintf(path, sizeof(path), "/channels/%s/messages", channel);
	if (sc == NULL || json == NULL) {
		struct rest_response oom = { .status = 0, .body = "", .error = "out of memory" };
		free(sc);
		cJSON_free(json);
		sent(d, seq, &oom, "a message");
		return;
	}
	sc->d = d;
	sc->seq = seq;
	if (rest_request(d->rest, "POST", path, NULL, queue, NULL, json, on_posted, sc) < 0) {
		struct rest_response oom = { .status = 0, .body = "", .error = "out of memory" };
		free(sc);
		sent(d, seq, &oom, "a message");
	}
	cJSON_free(json);
}

static void on_dm_opened(void *arg, const struct rest_response *res)
{
	struct send_ctx *sc = arg;
	struct discord *d = sc->d;
	cJSON *ch = res->status == 200 ? cJSON_Parse(res->body) : NULL;
	const char *id = ch ? str_field(ch, "id") : NULL;
	struct out_msg *m = outbox_inflight_find(d->conn.outbox, sc->seq);

	if (id != NULL && m != NULL) {
		char queue[96];
		strmap_put(d->dm_channels, sc->user, id);
		snprintf(queue, sizeof(queue), "u:%s", sc->user);
		post_to_channel(d, sc->seq, id, m->text, m->buttons, sc->user, queue);
	} else if (m != NULL) {
		struct rest_response r = *res;
		if (r.status == 200)
			r.status = 502;         /* answered, but not with a channel */
		sent(d, sc->seq, &r, "opening a DM channel");
	}
	cJSON_Delete(ch);
	free(sc);
}

/* Discord ids are 1 to 20 digits */
static bool discord_is_snowflake(const char *id)
{
	size_t n = strspn(id, "0123456789");

	return n > 0 && n <= 20 && id[n] == '\0';
}

static void send_one(struct discord *d, struct out_msg *m)
{
	char queue[96];

	if (m->kind != OUT_DM) {
		snprintf(queue, sizeof(queue), "c:%s", m->target);
		post_to_channel(d, m->seq, m->target, m->text, m->buttons, NULL, queue);
		return;
	}
	/* a person's DMs share one queue, the channel's opening included, so they keep their order */
	snprintf(queue, sizeof(queue), "u:%s", m->target);
	{
		const char *ch = strmap_get(d->dm_channels, m->target);
		struct send_ctx *sc = NULL;
		struct json_out jo;
		char body[160];
		if (ch != NULL) {
			post_to_channel(d, m->seq, ch, m->text, m->buttons, m->target, queue);
			return;
		}
		/* a user id is a snowflake (digits); anything else came from a
		 * hostile or broken peer and is refused before any request */
		if (!discord_is_snowflake(m->target) || (sc = calloc(1, sizeof(*sc))) == NULL ||
		    strlen(m->target) >= sizeof(sc->user)) {
			struct rest_response bad = { .status = 400, .body = "", .error = NULL };
			free(sc);
			sent(d, m->seq, &bad, "a DM");
			return;
		}
		sc->d = d;
		sc->seq = m->seq;
		snprintf(sc->user, sizeof(sc->user), "%s", m->target);
		json_out_init(&jo, body, sizeof(body) - 1);     /* room for the NUL rest wants */
		json_out_raw(&jo, "{\"recipient_id\":");
		json_out_str(&jo, m->target);      /* escaped, even if the check above changes */
		json_out_raw(&jo, "}");
		body[jo.failed ? 0 : jo.len] = '\0';
		if (jo.failed) {
			struct rest_response bad = { .status = 400, .body = "", .error = NULL };
			free(sc);
			sent(d, m->seq, &bad, "a DM");
			return;
		}
		if (rest_request(d->rest, "POST", "/users/@me/channels", NULL, queue, NULL, body, on_dm_opened, sc) < 0)
			free(sc);
	}
}

void discord_out_kick(void *arg)
{
	struct discord *d = arg;
	struct out_msg *m;

	if (d->conn.state != D_READY && d->conn.state != D_STOPPING)
		return;         /* REST works without the gateway, but not before we know who we are */
	while ((m = outbox_next(d->conn.outbox)) != NULL)
		send_one(d, m);
}

/* ---- clicks ---- */

void discord_click_free(void *data)
{
	struct click *k = data;

	if (k == NULL)
		return;
	free(k->token);
	free(k->content);
	free(k);
}

static void on_rest_logged(void *arg, const struct rest_response *res)
{
	const char *what = arg;

	if (res->status < 200 || res->status >= 300)
		log_warnx("%s failed: %ld %s", what, res->status, res->error ? res->error : "");
}

void discord_click_ack(struct discord *d, const char *id, const char *token, const char *queue)
{
	char path[1200];        /* the token is up to 1024 characters (checked on arrival) */

	/* within 3 s: "got it, the message is edited later"; first in the click's
	 * queue, so the answer (which may come at once) cannot overtake it */
	snprintf(path, sizeof(path), "/interactions/%s/%s/callback", id, token);
	rest_request(d->rest, "POST", path, "POST /interactions/callback", queue, NULL, "{\"type\":6}",
	    on_rest_logged, (void *)"discord: acknowledging a click");
}

void discord_click_done(struct conn *c, const char *key, bool ok, const char *text)
{
	struct discord *d = discord_of(c);
	struct click *k = clicks_take(d->clicks, key);
	char path[1200];
	cJSON *body;
	char *json;

	if (k == NULL)
		return;
	if (text == NULL || !d->app_id[0]) {
		discord_click_free(k);
		return;
	}
	body = cJSON_CreateObject();
	cJSON_AddArrayToObject(cJSON_AddObjectToObject(body, "allowed_mentions"), "parse");
	if (ok) {
		/* the outcome under the request, the buttons gone: nobody clicks a
		 * decided request; a long request is shortened, never the outcome */
		char *content = outbox_join_fit(k->content, "\n> ", text, DISCORD_MAX_TEXT);
		if (content != NULL) {
			add_content(body, content);
			free(content);
		}
		cJSON_AddArrayToObject(body, "components");
		snprintf(path, sizeof(path), "/webhooks/%s/%s/messages/@original", d->app_id, k->token);
	} else {
		/* refused: only the clicker sees why; the buttons stay for someone who may */
		char *t = outbox_shorten(text, DISCORD_MAX_TEXT);
		add_content(body, t ? t : "");
		cJSON_AddNumberToObject(body, "flags", 64);
		free(t);
		snprintf(path, sizeof(path), "/webhooks/%s/%s", d->app_id, k->token);
	}
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (json != NULL)
		rest_request(d->rest, ok ? "PATCH" : "POST", path, ok ? "PATCH /webhooks/original" : "POST /webhooks",
		    k->queue, NULL, json, on_rest_logged, ok ? (void *)"discord: showing a click's outcome" :
		    (void *)"discord: telling a clicker why not");
	cJSON_free(json);
	discord_click_free(k);
}

