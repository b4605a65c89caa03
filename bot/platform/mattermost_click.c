/*
 * mattermost_click: the Mattermost adapter's buttons (shared/NOTES-platforms.md
 * section 3, "Buttons").  A post with buttons carries them as a message
 * attachment's actions, each with an integration URL on the daemon's HTTP
 * listener (http.public_url + /mattermost/actions) and a context holding the
 * command, the connection's name and its secret.  Mattermost's server (not
 * the clicker's client) POSTs the click there with that context, which no
 * client ever sees: the secret proves the caller.  The click is answered at
 * once with an empty 200 and handed to the daemon; when its command ends,
 * done edits the post (the outcome under it, the buttons gone) and refused
 * tells only the clicker why (an ephemeral post).  Without public_url there
 * are no buttons, said once in the log; typed commands always work.
 */
#include "bot/platform/mattermost_private.h"

#include "bot/i18n/catalog.h"
#include "bot/lib/log.h"
#include "bot/lib/strmap.h"
#include "bot/platform/clicks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mattermost_click {
	struct mattermost *m;
	char post[MM_ID_MAX], channel[MM_ID_MAX], user[MM_ID_MAX];
	char *outcome;                  /* while the post is fetched to be edited */
};

void mattermost_click_free(void *data)
{
	struct mattermost_click *k = data;

	if (k != NULL)
		free(k->outcome);
	free(k);
}

/* ---- buttons out ---- */

struct add_ctx {
	struct mattermost *m;
	cJSON *actions;
};

static void add_button(const struct out_button *ob, void *arg)
{
	const struct add_ctx *ac = arg;
	cJSON *a = cJSON_CreateObject(), *integ, *ctx;
	char id[24];

	snprintf(id, sizeof(id), "dutybot%d", ob->index);     /* letters and digits only: Mattermost's rule */
	cJSON_AddStringToObject(a, "id", id);
	cJSON_AddStringToObject(a, "type", "button");
	cJSON_AddStringToObject(a, "name", ob->label);
	cJSON_AddStringToObject(a, "style", strncmp(ob->command, "deny", 4) == 0 ? "danger" : "primary");
	integ = cJSON_AddObjectToObject(a, "integration");
	cJSON_AddStringToObject(integ, "url", ac->m->actions_url);
	ctx = cJSON_AddObjectToObject(integ, "context");
	cJSON_AddStringToObject(ctx, "command", ob->command);
	cJSON_AddStringToObject(ctx, "conn", ac->m->conn.name);
	cJSON_AddStringToObject(ctx, "secret", ac->m->secret);
	cJSON_AddItemToArray(ac->actions, a);
}

void mattermost_add_buttons(struct mattermost *m, cJSON *body, const char *buttons)
{
	struct add_ctx ac = { .m = m };
	cJSON *props, *att;

	if (buttons == NULL || *buttons == '\0')
		return;
	if (m->actions_url == NULL) {
		if (!m->buttons_warned)
			log_warnx("%s: buttons are off: http.public_url is not set, so Mattermost could not reach "
			    "dutybot with a click; approvals and acknowledgements work as typed commands", m->conn.name);
		m->buttons_warned = true;
		return;
	}
	props = cJSON_AddObjectToObject(body, "props");
	att = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(props, "attachments"), att);
	ac.actions = cJSON_AddArrayToObject(att, "actions");
	outbox_buttons(buttons, 5, 75, 255, add_button, &ac);
}

/* ---- a click in ---- */

static bool same_secret(const char *a, const char *b)
{
	size_t n = strlen(b);
	unsigned char diff = 0;

	if (strlen(a) != n)
		return false;   /* the length is no secret: always 32 */
	/* no early exit: how long it takes says nothing of how much matched */
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static char *error_answer(const char *text)
{
	cJSON *o = cJSON_CreateObject();
	char *out;

	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "error"), "message", text);
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

int mattermost_http_action(struct conn *c, const char *body, size_t len, char **answer)
{
	struct mattermost *m = mattermost_of(c);
	cJSON *req = cJSON_ParseWithLength(body, len);
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(req, "context");
	const char *conn = str_field(ctx, "conn"), *secret = str_field(ctx, "secret"), *cmd = str_field(ctx, "command");
	const char *uid = str_field(req, "user_id"), *post = str_field(req, "post_id"), *ch = str_field(req, "channel_id");
	const char *trigger = str_field(req, "trigger_id"), *known;
	char text[300], msg_id[200];
	struct mattermost_click *k;
	const char *key;
	int status = 200;

	if (conn == NULL || strcmp(conn, c->name) != 0) {
		cJSON_Delete(req);
		return 0;
	}
	if (secret == NULL || !m->secret[0] || !same_secret(secret, m->secret)) {
		log_warnx("%s: a button callback without our secret: refused", c->name);
		*answer = NULL;         /* nothing for a caller that is not Mattermost */
		cJSON_Delete(req);
		return 403;
	}
	if (cmd == NULL || uid == NULL || post == NULL || ch == NULL || strlen(cmd) > 250 || strlen(uid) >= MM_ID_MAX ||
	    strlen(post) >= MM_ID_MAX || strlen(ch) >= MM_ID_MAX) {
		m->conn.bad_frames++;
		log_warnx("%s: a button callback without user, post, channel or command", c->name);
		*answer = NULL;
		cJSON_Delete(req);
		return 400;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		cJSON_Delete(req);
		return 503;
	}
	k->m = m;
	snprintf(k->post, sizeof(k->post), "%s", post);
	snprintf(k->channel, sizeof(k->channel), "%s", ch);
	snprintf(k->user, sizeof(k->user), "%s", uid);
	if ((key = clicks_add(m->clicks, uv_now(c->loop), k)) == NULL) {
		cJSON_Delete(req);
		return 503;
	}
	snprintf(text, sizeof(text), "%s%s", m->prefix, cmd);
	snprintf(msg_id, sizeof(msg_id), "act:%s:%s:%.60s", uid, post, trigger ? trigger : "");
	known = strmap_get(m->rooms, ch);
	if (m->conn.state == M_STOPPING || !conn_take(c, msg_id, known != NULL && strcmp(known, "D") == 0, ch, uid,
	    str_field(req, "user_name"), text, key)) {
		mattermost_click_free(clicks_take(m->clicks, key));
		*answer = error_answer(catalog_text(c->lang, MSG_MM_CLICK_RESTARTING));
		status = 503;
	}
	cJSON_Delete(req);
	return status;
}

/* ---- the answer ---- */

static void on_logged(void *arg, const struct rest_response *res)
{
	if (res->status != 200 && res->status != 201)
		log_warnx("%s failed: %s", (const char *)arg, res->error ? res->error : "refused");
}

static void on_post_fetched(void *arg, const struct rest_response *res)
{
	struct mattermost_click *k = arg;
	struct mattermost *m = k->m;
	cJSON *post = res->status == 200 ? cJSON_Parse(res->body) : NULL, *patch;
	const char *orig = str_field(post, "message");
	char *all, *safe = NULL, *json = NULL, path[100];

	if (orig == NULL || m->freeing) {
		if (!m->freeing)
			log_warnx("%s: showing a click's outcome: the post is gone (%ld)", m->conn.name, res->status);
		cJSON_Delete(post);
		mattermost_click_free(k);
		return;
	}
	/* the outcome under the request, the buttons gone; the request is shortened, never the outcome */
	all = outbox_join_fit(orig, "\n> ", k->outcome, MM_MAX_TEXT);
	if (all != NULL && (safe = mattermost_neutralise(all)) != NULL) {
		patch = cJSON_CreateObject();
		cJSON_AddStringToObject(patch, "message", safe);
		cJSON_AddObjectToObject(patch, "props");
		json = cJSON_PrintUnformatted(patch);
		cJSON_Delete(patch);
	}
	snprintf(path, sizeof(path), "/posts/%s/patch", k->post);
	if (json != NULL)
		rest_request(m->rest, "PUT", path, "posts/patch", NULL, NULL, json, on_logged,
		    (void *)"mattermost: showing a click's outcome");
	cJSON_free(json);
	free(all);
	free(safe);
	cJSON_Delete(post);
	mattermost_click_free(k);
}

void mattermost_click_done(struct conn *c, const char *key, bool ok, const char *text)
{
	struct mattermost *m = mattermost_of(c);
	struct mattermost_click *k = clicks_take(m->clicks, key);
	char path[100], *safe;

	if (k == NULL)
		return;
	if (text == NULL || (safe = mattermost_neutralise(text)) == NULL) {
		mattermost_click_free(k);
		return;
	}
	if (ok) {
		k->outcome = safe;
		snprintf(path, sizeof(path), "/posts/%s", k->post);
		if (rest_request(m->rest, "GET", path, "posts/get", NULL, NULL, NULL, on_post_fetched, k) < 0)
			mattermost_click_free(k);
		return;
	}
	/* refused: only the clicker sees why; the buttons stay for someone who may */
	{
		cJSON *body = cJSON_CreateObject(), *post = cJSON_AddObjectToObject(body, "post");
		char *json;
		cJSON_AddStringToObject(body, "user_id", k->user);
		cJSON_AddStringToObject(post, "channel_id", k->channel);
		cJSON_AddStringToObject(post, "message", safe);
		json = cJSON_PrintUnformatted(body);
		cJSON_Delete(body);
		if (json != NULL)
			rest_request(m->rest, "POST", "/posts/ephemeral", "posts/ephemeral", NULL, NULL, json, on_logged,
			    (void *)"mattermost: telling a clicker why not");
		cJSON_free(json);
	}
	free(safe);
	mattermost_click_free(k);
}
