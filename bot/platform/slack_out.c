/*
 * slack_out: the Slack adapter's Web API out (shared/NOTES-platforms.md
 * section 2); Socket Mode in is slack.c, and slack_private.h is what the
 * two share.  Apart because the Web API needs no socket: once auth.test said
 * who the bot is, messages go out even while the socket is being replaced.
 *
 * The outbox's messages go by chat.postMessage, one rest queue per channel
 * (or user) so each keeps its order through 429s; a DM first needs
 * conversations.open, whose channel is cached per user.  Text is escaped
 * (& < >) so nothing echoed can ping; approvals and emergencies carry
 * buttons in an actions block.  A message that fails for good goes to
 * on_delivery_failed; one not sent when shutting down stays in the durable
 * outbox.  A click, taken in slack.c, is answered here: done edits the
 * message (chat.update), refused comes back only to the clicker
 * (chat.postEphemeral).
 */
#include "bot/platform/slack_private.h"

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
	struct slack *s;
	uint64_t seq;
	char user[32];
};

/* Slack escapes only & < > in text, and so do we: nothing echoed can ping. */
static char *escape(const char *text)
{
	size_t n = 1;
	char *out, *o;

	for (const char *p = text; *p; p++)
		n += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : 1;
	if ((out = malloc(n)) == NULL)
		return NULL;
	for (o = out; *text; text++) {
		const char *rep = *text == '&' ? "&amp;" : *text == '<' ? "&lt;" : *text == '>' ? "&gt;" : NULL;
		if (rep != NULL) {
			memcpy(o, rep, strlen(rep));
			o += strlen(rep);
		} else {
			*o++ = *text;
		}
	}
	*o = '\0';
	return out;
}

/* Web API answers 200 {"ok": false, "error": ...} for its errors: that is a failure too. */
const char *slack_api_error(const struct rest_response *res, cJSON **json)
{
	const cJSON *ok;

	*json = NULL;
	if (res->status != 200)
		return res->error ? res->error : "http error";
	if ((*json = cJSON_Parse(res->body)) == NULL)
		return "not JSON";
	ok = cJSON_GetObjectItemCaseSensitive(*json, "ok");
	if (!cJSON_IsTrue(ok)) {
		const char *e = str_field(*json, "error");
		return e ? e : "not ok";
	}
	return NULL;
}

/* ---- Web API out: the outbox ---- */

static void sent(struct slack *s, uint64_t seq, int status, const char *err, const char *what)
{
	if (err == NULL) {
		if (outbox_acked(s->conn.outbox, seq))
			s->conn.actions_acked++;
	} else if (status == 0 && (s->conn.state == S_STOPPING || s->conn.state == S_STOPPED || s->freeing)) {
		/* shutting down: what is not sent stays in the durable outbox for the next run */
	} else {
		struct out_msg *m = outbox_failed(s->conn.outbox, seq);
		char code[64];
		snprintf(code, sizeof(code), "%s", err);
		log_warnx("%s: %s failed for good: %s", s->conn.name, what, code);
		if (m != NULL) {
			s->conn.hooks->on_delivery_failed(&s->conn, m, code);
			outbox_msg_free(m);
		}
	}
	slack_out_kick(s);
}

static void on_posted(void *arg, const struct rest_response *res)
{
	struct send_ctx *sc = arg;
	cJSON *json;
	const char *err = slack_api_error(res, &json);

	sent(sc->s, sc->seq, (int)res->status, err, "a message");
	cJSON_Delete(json);
	free(sc);
}

static cJSON *section(const char *mrkdwn)
{
	cJSON *b = cJSON_CreateObject(), *t = cJSON_AddObjectToObject(b, "text");

	cJSON_AddStringToObject(b, "type", "section");
	cJSON_AddStringToObject(t, "type", "mrkdwn");
	cJSON_AddStringToObject(t, "text", mrkdwn);
	return b;
}

static void add_section(const char *piece, size_t len, void *arg)
{
	char *t = strndup(piece, len);

	if (t != NULL)
		cJSON_AddItemToArray(arg, section(t));
	free(t);
}

static void add_button(const struct out_button *ob, void *arg)
{
	cJSON *b = cJSON_CreateObject(), *t = cJSON_AddObjectToObject(b, "text");
	char id[24];

	snprintf(id, sizeof(id), "dutybot_%d", ob->index);
	cJSON_AddStringToObject(b, "type", "button");
	cJSON_AddStringToObject(t, "type", "plain_text");
	cJSON_AddStringToObject(t, "text", ob->label);
	cJSON_AddStringToObject(b, "action_id", id);
	cJSON_AddStringToObject(b, "value", ob->command);
	cJSON_AddStringToObject(b, "style", strncmp(ob->command, "deny", 4) == 0 ? "danger" : "primary");
	cJSON_AddItemToArray(arg, b);
}

/* blocks: the text, then an actions block of buttons (Slack: labels of 75) */
static void add_blocks(cJSON *body, const char *escaped, const char *buttons)
{
	cJSON *blocks = cJSON_AddArrayToObject(body, "blocks"), *actions = cJSON_CreateObject();

	/* the piece fits SLACK_MAX_TEXT before escaping; an "&" escaped is five
	 * characters, so a section of its own for each SLACK_MAX_TEXT of them */
	outbox_split(escaped, SLACK_MAX_TEXT, add_section, blocks);
	cJSON_AddStringToObject(actions, "type", "actions");
	outbox_buttons(buttons, 5, 75, 255, add_button, cJSON_AddArrayToObject(actions, "elements"));
	cJSON_AddItemToArray(blocks, actions);
}

static void post_to_channel(struct slack *s, uint64_t seq, const char *channel, const char *text,
                            const char *buttons, const char *queue)
{
	cJSON *body = cJSON_CreateObject();
	struct send_ctx *sc = calloc(1, sizeof(*sc));
	char *esc = escape(text), *json, route[96];

	cJSON_AddStringToObject(body, "channel", channel);
	cJSON_AddStringToObject(body, "text", esc ? esc : "");
	cJSON_AddFalseToObject(body, "unfurl_links");
	if (buttons != NULL && esc != NULL)
		add_blocks(body, esc, buttons);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	free(esc);
	/* chat.postMessage: about one a second per channel, with short bursts */
	snprintf(route, sizeof(route), "chat.postMessage %s", channel);
	rest_route_limit(s->rest, route, 60);
	if (sc == NULL || json == NULL) {
		free(sc);
		cJSON_free(json);
		sent(s, seq, 0, "out of memory", "a message");
		return;
	}
	sc->s = s;
	sc->seq = seq;
	if (rest_request(s->rest, "POST", "/chat.postMessage", route, queue, NULL, json, on_posted, sc) < 0) {
		free(sc);
		sent(s, seq, 0, "out of memory", "a message");
	}
	cJSON_free(json);
}

static void on_dm_opened(void *arg, const struct rest_response *res)
{
	struct send_ctx *sc = arg;
	struct slack *s = sc->s;
	cJSON *json;
	const char *err = slack_api_error(res, &json);
	const char *id = err == NULL ? str_field(cJSON_GetObjectItemCaseSensitive(json, "channel"), "id") : NULL;
	struct out_msg *m = outbox_inflight_find(s->conn.outbox, sc->seq);

	if (m != NULL && id != NULL) {
		char queue[64];
		strmap_put(s->dm_channels, sc->user, id);
		snprintf(queue, sizeof(queue), "u:%s", sc->user);
		post_to_channel(s, sc->seq, id, m->text, m->buttons, queue);
	} else if (m != NULL) {
		sent(s, sc->seq, (int)res->status, err ? err : "no channel", "opening a DM");
	}
	cJSON_Delete(json);
	free(sc);
}

static bool slack_is_user_id(const char *id)
{
	size_t n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

	return n > 0 && id[n] == '\0';
}

static void send_one(struct slack *s, struct out_msg *m)
{
	char queue[64], body[96];
	const char *ch;
	struct send_ctx *sc = NULL;
	struct json_out jo;

	if (m->kind != OUT_DM) {
		snprintf(queue, sizeof(queue), "c:%s", m->target);
		post_to_channel(s, m->seq, m->target, m->text, m->buttons, queue);
		return;
	}
	snprintf(queue, sizeof(queue), "u:%s", m->target);
	if ((ch = strmap_get(s->dm_channels, m->target)) != NULL) {
		post_to_channel(s, m->seq, ch, m->text, m->buttons, queue);
		return;
	}
	/* a user id is letters and digits ("U0ALICE"): a comma would open a
	 * group DM with whoever follows it, a quote would end the JSON string */
	if (!slack_is_user_id(m->target) || (sc = calloc(1, sizeof(*sc))) == NULL ||
	    strlen(m->target) >= sizeof(sc->user)) {
		free(sc);
		sent(s, m->seq, 400, "bad user id", "a DM");
		return;
	}
	sc->s = s;
	sc->seq = m->seq;
	snprintf(sc->user, sizeof(sc->user), "%s", m->target);
	/* escaped (a newline or control byte passes the check above) */
	json_out_init(&jo, body, sizeof(body) - 1);     /* room for the NUL rest wants */
	json_out_raw(&jo, "{\"users\":");
	json_out_str(&jo, m->target);
	json_out_raw(&jo, "}");
	body[jo.failed ? 0 : jo.len] = '\0';
	if (jo.failed) {
		free(sc);
		sent(s, m->seq, 400, "bad user id", "a DM");
		return;
	}
	if (rest_request(s->rest, "POST", "/conversations.open", "conversations.open", queue, NULL, body,
	    on_dm_opened, sc) < 0)
		free(sc);
}

void slack_out_kick(void *arg)
{
	struct slack *s = arg;
	struct out_msg *m;

	if (s->conn.state != S_READY && s->conn.state != S_STOPPING && s->conn.state != S_BACKOFF &&
	    s->conn.state != S_OPENING && s->conn.state != S_CONNECTING)
		return;         /* the Web API works without the socket, once auth.test said who we are */
	while ((m = outbox_next(s->conn.outbox)) != NULL)
		send_one(s, m);
}

/* ---- clicks ---- */

void slack_click_free(void *data)
{
	struct click *k = data;

	if (k == NULL)
		return;
	free(k->text);
	free(k);
}

static void on_api_logged(void *arg, const struct rest_response *res)
{
	cJSON *json;
	const char *err = slack_api_error(res, &json);

	if (err != NULL)
		log_warnx("%s failed: %s", (const char *)arg, err);
	cJSON_Delete(json);
}

void slack_click_done(struct conn *c, const char *key, bool ok, const char *text)
{
	struct slack *s = slack_of(c);
	struct click *k = clicks_take(s->clicks, key);
	cJSON *body;
	char *json, *esc;

	if (k == NULL)
		return;
	if (text == NULL || (esc = escape(text)) == NULL) {
		slack_click_free(k);
		return;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "channel", k->channel);
	if (ok) {
		/* the outcome under the request, the buttons gone; a long request
		 * is shortened, never the outcome.  The limit counts the escaped
		 * text: fit, escape, and fit tighter while escaping made it longer. */
		char *all = NULL;
		for (size_t budget = SLACK_MAX_TEXT, n, less;;) {
			char *raw = outbox_join_fit(k->text ? k->text : "", "\n> ", text, budget);
			all = raw ? escape(raw) : NULL;
			free(raw);
			if (all == NULL || (n = outbox_chars(all)) <= SLACK_MAX_TEXT || budget <= 1)
				break;
			free(all);
			less = budget * SLACK_MAX_TEXT / n;
			budget = less < budget ? less : budget - 1;
		}
		if (all != NULL) {
			cJSON_AddStringToObject(body, "ts", k->ts);
			cJSON_AddStringToObject(body, "text", all);
			cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "blocks"), section(all));
			free(all);
		}
	} else {
		/* refused: only the clicker sees why; the buttons stay for someone who may */
		cJSON_AddStringToObject(body, "user", k->user);
		cJSON_AddStringToObject(body, "text", esc);
	}
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (json != NULL)
		rest_request(s->rest, "POST", ok ? "/chat.update" : "/chat.postEphemeral",
		    ok ? "chat.update" : "chat.postEphemeral", NULL, NULL, json, on_api_logged,
		    ok ? (void *)"slack: showing a click's outcome" : (void *)"slack: telling a clicker why not");
	cJSON_free(json);
	free(esc);
	slack_click_free(k);
}
