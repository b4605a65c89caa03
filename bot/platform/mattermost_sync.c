/*
 * mattermost_sync: the catch-up after the socket missed events it could not
 * have replayed (a hello with a new connection_id, an event seq that skips
 * one, a restarted daemon).  The channels are the configured ones and every
 * channel the bot is a member of (GET /users/{id}/channels: DMs included);
 * each one's posts since the watermark (GET /channels/{id}/posts?since=)
 * are handed on oldest first, one channel at a time.  The watermark the
 * fetch uses is the one the catch-up began with: posts handed on meanwhile
 * move the live one, and a later channel's older posts must still come.
 * A post already handled (the live socket's, or an earlier catch-up's) has
 * the same id and is dropped by the dispatcher's dedupe.
 */
#include "bot/platform/mattermost_private.h"

#include "bot/lib/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MM_SYNC_CHANNELS_MAX 512

struct mattermost_sync {
	struct mattermost *m;
	int64_t since;
	char (*ids)[MM_ID_MAX];
	char types[MM_SYNC_CHANNELS_MAX];
	size_t n, next;
	size_t handed;
};

static void add_channel(struct mattermost_sync *s, const char *id, char type)
{
	if (id == NULL || strlen(id) >= MM_ID_MAX || strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(id))
		return;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return;
	if (s->n == MM_SYNC_CHANNELS_MAX)
		return;
	snprintf(s->ids[s->n], MM_ID_MAX, "%s", id);
	s->types[s->n++] = type;
}

static void finish(struct mattermost_sync *s)
{
	struct mattermost *m = s->m;

	if (!m->freeing)
		log_info("%s: caught up: %zu post(s) from %zu channel(s) since %" PRId64, m->conn.name, s->handed, s->n,
		    s->since);
	m->sync = NULL;
	free(s->ids);
	free(s);
	if (m->sync_again && !m->freeing) {
		m->sync_again = false;
		mattermost_sync_start(m);
	}
}

static void fetch_next(struct mattermost_sync *s);

static int by_create_at(const void *a, const void *b)
{
	const cJSON *pa = *(const cJSON *const *)a, *pb = *(const cJSON *const *)b;
	double x = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(pa, "create_at"));
	double y = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(pb, "create_at"));

	return x < y ? -1 : x > y;
}

static void on_posts(void *arg, const struct rest_response *res)
{
	struct mattermost_sync *s = arg;
	struct mattermost *m = s->m;
	cJSON *json = res->status == 200 ? cJSON_Parse(res->body) : NULL;
	const cJSON *posts = cJSON_GetObjectItemCaseSensitive(json, "posts"), *p;
	const cJSON **list = NULL;
	size_t n = 0;
	char type[2] = { s->types[s->next - 1], '\0' };
	bool stop = m->freeing || m->conn.state == M_STOPPING || m->conn.state == M_STOPPED;

	if (json == NULL && !stop)
		log_warnx("%s: catching up on channel %s: %s", m->conn.name, s->ids[s->next - 1],
		    res->error ? res->error : "no posts in the answer");
	if (cJSON_IsObject(posts) && !stop && (list = calloc((size_t)cJSON_GetArraySize(posts) + 1, sizeof(*list))) != NULL) {
		cJSON_ArrayForEach(p, posts) {
			const cJSON *at = cJSON_GetObjectItemCaseSensitive(p, "create_at");
			const cJSON *del = cJSON_GetObjectItemCaseSensitive(p, "delete_at");
			/* "since" also returns older posts edited or deleted since */
			if (cJSON_IsNumber(at) && at->valuedouble >= (double)s->since &&
			    !(cJSON_IsNumber(del) && del->valuedouble > 0))
				list[n++] = p;
		}
		qsort(list, n, sizeof(*list), by_create_at);
		for (size_t i = 0; i < n && !stop; i++) {
			if (!mattermost_take_post(m, list[i], type[0] ? type : NULL))
				stop = true;
			else
				s->handed++;
		}
	}
	free(list);
	cJSON_Delete(json);
	if (stop)
		finish(s);
	else
		fetch_next(s);
}

static void fetch_next(struct mattermost_sync *s)
{
	char path[160];

	if (s->next >= s->n) {
		finish(s);
		return;
	}
	snprintf(path, sizeof(path), "/channels/%s/posts?since=%" PRId64, s->ids[s->next], s->since);
	s->next++;
	if (rest_request(s->m->rest, "GET", path, "channels/posts", "sync", NULL, NULL, on_posts, s) < 0)
		finish(s);
}

static void on_channels(void *arg, const struct rest_response *res)
{
	struct mattermost_sync *s = arg;
	struct mattermost *m = s->m;
	cJSON *json = res->status == 200 ? cJSON_Parse(res->body) : NULL, *ch;

	if (m->freeing) {
		cJSON_Delete(json);
		finish(s);
		return;
	}
	if (!cJSON_IsArray(json))
		log_warnx("%s: listing the bot's channels: %s; catching up on the configured ones only", m->conn.name,
		    res->error ? res->error : "not a list");
	if (!cJSON_IsArray(json)) {
		cJSON_Delete(json);
		json = NULL;
	}
	cJSON_ArrayForEach(ch, json) {
		const char *t = str_field(ch, "type");
		add_channel(s, str_field(ch, "id"), t ? t[0] : '\0');
	}
	cJSON_Delete(json);
	fetch_next(s);
}

void mattermost_sync_start(struct mattermost *m)
{
	struct mattermost_sync *s;
	char path[200];

	if (m->sync != NULL) {
		m->sync_again = true;
		return;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->ids = calloc(MM_SYNC_CHANNELS_MAX, MM_ID_MAX)) == NULL) {
		free(s);
		return;
	}
	s->m = m;
	s->since = m->watermark;
	m->sync = s;
	for (int i = 0; i < CHANNEL_MAX; i++)
		add_channel(s, m->conn.channel[i], '\0');
	log_info("%s: catching up on posts since %" PRId64, m->conn.name, s->since);
	snprintf(path, sizeof(path), "/users/%s/channels", m->conn.self_id);
	if (rest_request(m->rest, "GET", path, "users/channels", "sync", NULL, NULL, on_channels, s) < 0)
		finish(s);
}

void mattermost_sync_free(struct mattermost *m)
{
	if (m->sync != NULL)
		finish(m->sync);
}
