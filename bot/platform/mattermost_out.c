/*
 * mattermost_out: the Mattermost adapter's posts out (shared/NOTES-platforms.md
 * section 3); the socket in is mattermost.c.  Apart because REST needs no
 * socket: once /users/me said who the bot is, posts go out even while the
 * socket reconnects.
 *
 * The outbox's messages go by POST /posts, one rest queue per channel (or
 * user) so each keeps its order through 429s and 5xx retries (bot/rest);
 * a DM first needs POST /channels/direct, whose channel is cached per user.
 * Nothing echoed can ping a whole channel: @channel, @all and @here lose
 * their power (mattermost_neutralise).  A message that fails for good goes to
 * on_delivery_failed; one not sent when shutting down stays in the durable
 * outbox.
 */
#include "bot/platform/mattermost_private.h"

#include "bot/lib/json_out.h"
#include "bot/lib/log.h"
#include "bot/lib/strmap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct send_ctx {
	struct mattermost *m;
	uint64_t seq;
	char user[MM_ID_MAX];
};

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* The length of the channel-wide mention at P ("@all"...), 0 if none. */
static size_t group_mention(const char *text, const char *p)
{
	static const char *const words[] = { "channel", "all", "here" };

	if (*p != '@' || (p > text && name_char(p[-1])))
		return 0;
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if (strncasecmp(p + 1, words[i], n) == 0 && !name_char(p[1 + n]))
			return n + 1;
	}
	return 0;
}

char *mattermost_neutralise(const char *text)
{
	static const char fullwidth_at[] = "\xef\xbc\xa0";      /* U+FF20: reads as @, pings nobody */
	size_t extra = 0;
	char *out, *o;

	for (const char *p = text; *p; p++)
		if (group_mention(text, p))
			extra += 2;
	if ((out = malloc(strlen(text) + extra + 1)) == NULL)
		return NULL;
	o = out;
	for (const char *p = text; *p; p++) {
		if (group_mention(text, p)) {
			memcpy(o, fullwidth_at, 3);
			o += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static void sent(struct mattermost *m, uint64_t seq, int status, const char *err, const char *what)
{
	if (err == NULL) {
		if (outbox_acked(m->conn.outbox, seq))
			m->conn.actions_acked++;
	} else if (status == 0 && (m->conn.state == M_STOPPING || m->conn.state == M_STOPPED || m->freeing)) {
		/* shutting down: what is not sent stays in the durable outbox for the next run */
	} else {
		struct out_msg *msg = outbox_failed(m->conn.outbox, seq);
		char code[64];
		if (status != 0)
			snprintf(code, sizeof(code), "HTTP %d", status);
		else
			snprintf(code, sizeof(code), "%s", err);
		log_warnx("%s: %s failed for good: %s", m->conn.name, what, code);
		if (msg != NULL) {
			m->conn.hooks->on_delivery_failed(&m->conn, msg, code);
			outbox_msg_free(msg);
		}
	}
	mattermost_out_kick(m);
}

static void on_post_done(void *arg, const struct rest_response *res)
{
	struct send_ctx *sc = arg;

	sent(sc->m, sc->seq, (int)res->status, res->status == 201 || res->status == 200 ? NULL :
	    res->error ? res->error : "refused", "a post");
	free(sc);
}

static void post_to_channel(struct mattermost *m, uint64_t seq, const char *channel, const char *text,
                            const char *buttons, const char *queue)
{
	cJSON *body = cJSON_CreateObject();
	struct send_ctx *sc = calloc(1, sizeof(*sc));
	char *safe = mattermost_neutralise(text), *json;

	cJSON_AddStringToObject(body, "channel_id", channel);
	cJSON_AddStringToObject(body, "message", safe ? safe : "");
	mattermost_add_buttons(m, body, buttons);
	json = safe ? cJSON_PrintUnformatted(body) : NULL;
	cJSON_Delete(body);
	free(safe);
	if (sc == NULL || json == NULL) {
		free(sc);
		cJSON_free(json);
		sent(m, seq, 0, "out of memory", "a post");
		return;
	}
	sc->m = m;
	sc->seq = seq;
	if (rest_request(m->rest, "POST", "/posts", "posts", queue, NULL, json, on_post_done, sc) < 0) {
		free(sc);
		sent(m, seq, 0, "out of memory", "a post");
	}
	cJSON_free(json);
}

static void on_direct(void *arg, const struct rest_response *res)
{
	struct send_ctx *sc = arg;
	struct mattermost *m = sc->m;
	cJSON *json = res->status == 201 || res->status == 200 ? cJSON_Parse(res->body) : NULL;
	const char *id = str_field(json, "id");
	struct out_msg *msg = outbox_inflight_find(m->conn.outbox, sc->seq);

	if (msg != NULL && id != NULL && strlen(id) < MM_ID_MAX) {
		char queue[MM_ID_MAX + 4];
		strmap_put(m->dm_channels, sc->user, id);
		strmap_put(m->rooms, id, "D");
		snprintf(queue, sizeof(queue), "u:%s", sc->user);
		post_to_channel(m, sc->seq, id, msg->text, msg->buttons, queue);
	} else if (msg != NULL) {
		sent(m, sc->seq, (int)res->status, res->error ? res->error : "no channel", "opening a DM");
	}
	cJSON_Delete(json);
	free(sc);
}

/* a user id is letters and digits: anything else would not be one person */
static bool is_user_id(const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

	return n > 0 && n < MM_ID_MAX && id[n] == '\0';
}

static void send_one(struct mattermost *m, struct out_msg *msg)
{
	char queue[MM_ID_MAX + 4], body[200];
	const char *ch;
	struct send_ctx *sc;

	if (msg->kind != OUT_DM) {
		snprintf(queue, sizeof(queue), "c:%.60s", msg->target);
		post_to_channel(m, msg->seq, msg->target, msg->text, msg->buttons, queue);
		return;
	}
	snprintf(queue, sizeof(queue), "u:%.60s", msg->target);
	if ((ch = strmap_get(m->dm_channels, msg->target)) != NULL) {
		post_to_channel(m, msg->seq, ch, msg->text, msg->buttons, queue);
		return;
	}
	if (!is_user_id(msg->target) || !is_user_id(m->conn.self_id) || (sc = calloc(1, sizeof(*sc))) == NULL) {
		sent(m, msg->seq, 400, "bad user id", "a DM");
		return;
	}
	sc->m = m;
	sc->seq = msg->seq;
	snprintf(sc->user, sizeof(sc->user), "%s", msg->target);
	snprintf(body, sizeof(body), "[\"%s\",\"%s\"]", m->conn.self_id, msg->target);
	if (rest_request(m->rest, "POST", "/channels/direct", "channels/direct", queue, NULL, body, on_direct, sc) < 0) {
		free(sc);
		sent(m, msg->seq, 0, "out of memory", "a DM");
	}
}

void mattermost_out_kick(void *arg)
{
	struct mattermost *m = arg;
	struct out_msg *msg;

	/* REST works without the socket, once /users/me said who the bot is */
	if (!m->conn.self_id[0] || m->rest == NULL || m->conn.state == M_FATAL || m->conn.state == M_STOPPED)
		return;
	while ((msg = outbox_next(m->conn.outbox)) != NULL)
		send_one(m, msg);
}
