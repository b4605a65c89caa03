/*
 * site_misbehave: what the site does wrong on purpose, on the console's or a
 * test's request: drop or close connections, ask for a reconnect, send raw,
 * duplicate or oversized frames, write a burst in one segment, stop acking,
 * rate-limit, refuse handshakes, lose or garble frames, expire sessions,
 * change the accepted tokens.  Each is a thing queued on a connection
 * (site_server.c) or a switch site_protocol.c reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "people.h"
#include "report.h"
#include "site_private.h"

/* --- misbehaviour ------------------------------------------------------------- */

/* Applies FN to every connection that is open (READY_ONLY: identified ones). */
static int site_each(struct site_server *srv, bool ready_only,
		     void (*fn)(struct conn *c, const void *arg), const void *arg)
{
	struct conn *c;
	int n = 0;

	for (c = srv->conns; c; c = c->next) {
		if (c->state == CONN_CLOSING || (ready_only && c->state != CONN_READY))
			continue;
		fn(c, arg);
		n++;
	}
	return n;
}

static void each_drop(struct conn *c, const void *arg)
{
	conn_push(c, Q_DROP, 0, NULL, 0);
}

int site_drop(struct site_server *srv)
{
	return site_each(srv, false, each_drop, NULL);
}

struct close_args {
	int code;
	const char *reason;
};

static void each_close(struct conn *c, const void *arg)
{
	const struct close_args *a = arg;

	conn_close(c, a->code, a->reason);
}

int site_close(struct site_server *srv, int code, const char *reason)
{
	struct close_args a = { code, reason ? reason : "" };

	if (code < 1000 || code > 4999 || strlen(a.reason) > 123)
		return -1;
	return site_each(srv, false, each_close, &a);
}

struct frame_args {
	const char *data;
	size_t len;
};

static void each_send(struct conn *c, const void *arg)
{
	const struct frame_args *a = arg;

	conn_send(c, a->data, a->len);
}

int site_reconnect(struct site_server *srv)
{
	static const char frame[] = "{\"type\":\"reconnect\"}";
	struct frame_args a = { frame, sizeof(frame) - 1 };

	return site_each(srv, false, each_send, &a);
}

int site_raw(struct site_server *srv, const char *text)
{
	struct frame_args a = { text, strlen(text) };

	return site_each(srv, false, each_send, &a);
}

int site_dup(struct site_server *srv)
{
	struct frame_args a = { srv->last_frame, srv->last_frame_len };
	int n;
	cJSON *ev;
	char id[32], human[64];

	if (!srv->last_frame)
		return -1;
	n = site_each(srv, true, each_send, &a);
	if (!n)
		return 0;
	snprintf(id, sizeof(id), "m-%llu", (unsigned long long)srv->last_frame_id);
	ev = report_ev("dup");
	cJSON_AddStringToObject(ev, "id", id);
	snprintf(human, sizeof(human), "* message %s sent again", id);
	report_event(srv->report, ev, human);
	return n;
}

void site_burst_begin(struct site_server *srv)
{
	srv->burst = ++srv->bursts ? srv->bursts : ++srv->bursts;
}

void site_burst_end(struct site_server *srv)
{
	srv->burst = 0;
}

int site_big(struct site_server *srv, size_t bytes, const struct person *who)
{
	cJSON *m, *user, *ev;
	char id[32], *text, *s, human[96];
	size_t base, len;
	int n;

	if (!site_ready_count(srv))
		return 0;
	snprintf(id, sizeof(id), "m-%llu", (unsigned long long)(srv->last_id + 1));
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "type", "message");
	cJSON_AddStringToObject(m, "id", id);
	cJSON_AddStringToObject(m, "room", "lobby");
	user = cJSON_AddObjectToObject(m, "user");
	cJSON_AddStringToObject(user, "id", who->uid);
	cJSON_AddStringToObject(user, "name", who->name);
	cJSON_AddBoolToObject(user, "bot", who->bot);
	cJSON_AddStringToObject(m, "text", "!ping");
	cJSON_AddNumberToObject(m, "ts", (double)site_now_ms());
	cJSON_AddBoolToObject(m, "dm", false);
	s = cJSON_PrintUnformatted(m);
	base = s ? strlen(s) : 0;
	cJSON_free(s);
	if (!s || bytes < base) {
		cJSON_Delete(m);
		return -1;
	}
	/* Spaces need no escaping: the frame grows by exactly the padding. */
	text = malloc(bytes - base + 6);
	if (!text) {
		cJSON_Delete(m);
		return -1;
	}
	memcpy(text, "!ping", 5);
	memset(text + 5, ' ', bytes - base);
	text[5 + bytes - base] = '\0';
	cJSON_ReplaceItemInObject(m, "text", cJSON_CreateString(text));
	free(text);
	s = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	if (!s)
		return -1;
	len = strlen(s);

	srv->last_id++;
	free(srv->last_frame);
	srv->last_frame = s;            /* cJSON's default hooks: malloc/free */
	srv->last_frame_len = len;
	srv->last_frame_id = srv->last_id;
	{
		struct frame_args a = { s, len };

		n = site_each(srv, true, each_send, &a);
	}
	ev = report_ev("big");
	cJSON_AddStringToObject(ev, "id", id);
	cJSON_AddNumberToObject(ev, "bytes", (double)len);
	snprintf(human, sizeof(human), "* sent %s, a frame of %zu bytes", id, len);
	report_event(srv->report, ev, human);
	return n;
}

void site_set_acks(struct site_server *srv, bool on)
{
	srv->acks = on;
}

void site_set_ratelimit(struct site_server *srv, int n, int retry_ms)
{
	srv->forced_limits = n;
	srv->forced_retry_ms = retry_ms;
}

void site_set_refuse(struct site_server *srv, bool on)
{
	srv->refuse = on;
}

void site_set_lose(struct site_server *srv, int n, const char *type)
{
	srv->lose_next = n;
	snprintf(srv->lose_type, sizeof(srv->lose_type), "%s", type ? type : "");
}

void site_set_garble(struct site_server *srv, int n)
{
	srv->garble_next = n;
}

void site_expire(struct site_server *srv)
{
	srv->n_sessions = 0;
}

int site_set_tokens(struct site_server *srv, const char *tokens)
{
	char **v = NULL;
	size_t n = 0;
	const char *p = tokens;

	while (p && *p) {
		size_t len;
		char **nv;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!len)
			break;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || !(nv[n] = strndup(p, len))) {
			v = nv ? nv : v;
			goto fail;
		}
		v = nv;
		n++;
		p += len;
	}
	if (!n)
		goto fail;
	for (size_t i = 0; i < srv->n_tokens; i++)
		free(srv->tokens[i]);
	free(srv->tokens);
	srv->tokens = v;
	srv->n_tokens = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -1;
}

size_t site_ready_count(const struct site_server *srv)
{
	size_t n = 0;

	for (const struct conn *c = srv->conns; c; c = c->next)
		n += c->state == CONN_READY;
	return n;
}
