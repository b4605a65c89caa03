/*
 * mattermost_names: "@username" where a command takes a person.  Mattermost
 * writes a mention as the plain "@sara", while the dispatcher knows people
 * by platform user id in "<@id>" (bot/mentions.h).  So a command's @names
 * are looked up once each (GET /users/username/{name}, cached, the cache
 * bounded) and written "<@id|name>" before the post is handed on; a name
 * nobody has stays as typed.  Posts wait in one queue while a name is
 * looked up, so they are still handed on in the order they came; one not
 * handed on when the daemon stops was never taken, and the resume point
 * never moved past it: the next run fetches it again.
 */
#include "bot/platform/mattermost_private.h"

#include "bot/lib/log.h"
#include "bot/lib/strmap.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MM_NAMES_MAX 4096
#define MM_NAME_MAX 64
#define MM_PENDING_MAX 1000
#define MM_MENTIONS_MAX 8               /* the dispatcher's own bound (bot/mentions.h) */

struct mattermost_pending {
	struct mattermost_pending *next;
	cJSON *post;
	char ctype[2];
};

static bool name_start(const char *text, const char *p)
{
	return *p == '@' && isalpha((unsigned char)p[1]) && (p == text || !(isalnum((unsigned char)p[-1]) ||
	    p[-1] == '_' || p[-1] == '.' || p[-1] == '-' || p[-1] == '<'));
}

/* The username at P ("@Sara." -> "sara"), lowercased; 0 when it is none. */
static size_t name_at(const char *p, char *name, size_t size)
{
	size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	while (n > 0 && p[n] == '.')
		n--;    /* a sentence's full stop */
	if (n == 0 || n >= size)
		return 0;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)p[1 + i]);
	name[n] = '\0';
	if (strcmp(name, "channel") == 0 || strcmp(name, "all") == 0 || strcmp(name, "here") == 0)
		return 0;
	return n;
}

/* The first name of TEXT not yet in the cache, into NAME; false when all are. */
static bool unknown_name(struct mattermost *m, const char *text, char *name, size_t size)
{
	size_t seen = 0;

	for (const char *p = strchr(text, '@'); p != NULL && seen < MM_MENTIONS_MAX; p = strchr(p + 1, '@')) {
		if (!name_start(text, p) || name_at(p, name, size) == 0)
			continue;
		seen++;
		if (strmap_get(m->names, name) == NULL)
			return true;
	}
	return false;
}

/* TEXT with each known @name written "<@id|name>"; malloc'd. */
static char *rewrite(struct mattermost *m, const char *text)
{
	size_t cap = strlen(text) + MM_MENTIONS_MAX * (MM_ID_MAX + 4) + 1, o = 0, seen = 0;
	char *out = malloc(cap), name[MM_NAME_MAX];

	if (out == NULL)
		return NULL;
	for (const char *p = text; *p;) {
		size_t n;
		const char *id;
		if (seen < MM_MENTIONS_MAX && name_start(text, p) && (n = name_at(p, name, sizeof(name))) > 0) {
			seen++;
			if ((id = strmap_get(m->names, name)) != NULL && *id) {
				o += (size_t)snprintf(out + o, cap - o, "<@%s|%s>", id, name);
				p += n + 1;
				continue;
			}
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	return out;
}

static bool wants_names(struct mattermost *m, const cJSON *post, const char *ctype)
{
	const char *text = str_field(post, "message"), *ch = str_field(post, "channel_id"), *known;
	const char *uid = str_field(post, "user_id"), *type = str_field(post, "type");

	/* ours (echoed), other bots' and system posts are not handed on at all */
	if (text == NULL || strchr(text, '@') == NULL || m->names == NULL || uid == NULL ||
	    strcmp(uid, m->conn.self_id) == 0 || (type != NULL && *type) ||
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(post, "props"), "from_bot") != NULL)
		return false;
	known = ctype != NULL ? ctype : ch != NULL ? strmap_get(m->rooms, ch) : NULL;
	return strncmp(text, m->prefix, strlen(m->prefix)) == 0 || (known != NULL && strcmp(known, "D") == 0);
}

static void drain(struct mattermost *m);

static void on_user(void *arg, const struct rest_response *res)
{
	struct mattermost *m = arg;
	cJSON *json = res->status == 200 ? cJSON_Parse(res->body) : NULL;
	const char *id = str_field(json, "id");

	m->name_lookup = false;
	if (m->freeing) {
		cJSON_Delete(json);
		return;
	}
	if (id != NULL && strlen(id) < MM_ID_MAX && strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(id))
		strmap_put(m->names, m->looking_up, id);
	else if (res->status == 404)
		strmap_put(m->names, m->looking_up, "");        /* nobody: stays as typed */
	else
		log_warnx("%s: looking up @%s: %s; it stays as typed", m->conn.name, m->looking_up,
		    res->error ? res->error : "no user in the answer");
	if (strmap_get(m->names, m->looking_up) == NULL)
		strmap_put(m->names, m->looking_up, "");        /* this once: the post goes on */
	cJSON_Delete(json);
	drain(m);
}

static void pop(struct mattermost *m)
{
	struct mattermost_pending *p = m->pending;

	m->pending = p->next;
	if (m->pending == NULL)
		m->pending_tail = NULL;
	m->n_pending--;
	cJSON_Delete(p->post);
	free(p);
}

static void drain(struct mattermost *m)
{
	char name[MM_NAME_MAX], path[MM_NAME_MAX + 32];

	while (m->pending != NULL && !m->name_lookup) {
		struct mattermost_pending *p = m->pending;
		const char *text = str_field(p->post, "message");
		char *written;
		if (text != NULL && unknown_name(m, text, name, sizeof(name))) {
			snprintf(m->looking_up, sizeof(m->looking_up), "%s", name);
			snprintf(path, sizeof(path), "/users/username/%s", name);
			if (rest_request(m->rest, "GET", path, "users/username", "names", NULL, NULL, on_user, m) == 0) {
				m->name_lookup = true;
				return;
			}
			strmap_put(m->names, name, "");
			continue;
		}
		if (text != NULL && (written = rewrite(m, text)) != NULL) {
			cJSON_ReplaceItemInObjectCaseSensitive(p->post, "message", cJSON_CreateString(written));
			free(written);
		}
		if (!mattermost_hand_post(m, p->post, p->ctype[0] ? p->ctype : NULL)) {
			while (m->pending != NULL)
				pop(m);  /* not taken: the resume point stayed before them */
			return;
		}
		pop(m);
	}
}

bool mattermost_take_post(struct mattermost *m, const cJSON *post, const char *channel_type)
{
	struct mattermost_pending *p = NULL;

	if (m->pending == NULL && !wants_names(m, post, channel_type))
		return mattermost_hand_post(m, post, channel_type);
	if (m->n_pending >= MM_PENDING_MAX || (p = calloc(1, sizeof(*p))) == NULL ||
	    (p->post = cJSON_Duplicate(post, true)) == NULL) {
		free(p);
		log_warnx("%s: too many posts wait for @names to be looked up: handing this one on as typed", m->conn.name);
		return mattermost_hand_post(m, post, channel_type);
	}
	if (channel_type != NULL)
		snprintf(p->ctype, sizeof(p->ctype), "%s", channel_type);
	if (m->pending_tail != NULL)
		m->pending_tail->next = p;
	else
		m->pending = p;
	m->pending_tail = p;
	m->n_pending++;
	drain(m);
	return true;
}

int mattermost_names_init(struct mattermost *m)
{
	m->names = strmap_new(MM_NAMES_MAX);
	return m->names != NULL ? 0 : -1;
}

void mattermost_names_free(struct mattermost *m)
{
	while (m->pending != NULL)
		pop(m);
	strmap_free(m->names);
	m->names = NULL;
}
