/*
 * rest: a request is in exactly one place at a time.
 *
 *   queued     behind the request in front of it in its queue (struct rqueue);
 *   ready      a list in order of creation: the head of every queue and every
 *              request without one, waiting until its limits let it go;
 *   in flight  on a curl easy handle in the multi;
 *   finished   its answer is final; done() is called from the scheduler.
 *
 * One uv timer (sched) runs the scheduler: at once when something changed,
 * else at the earliest moment a ready request may go.  It hands the finished
 * to done() first and then starts what the limits allow, so done() is never
 * called from inside curl nor from rest_request().  A retry goes back to
 * ready, still the head of its queue, so nothing behind it can overtake it.
 *
 * Limits, all checked before a request goes out:
 *   - bucket (Discord's headers): remaining, minus what is in flight on it,
 *     until reset; while a bucket is still unknown only one request probes
 *     it; a route that answers without rate-limit headers is not limited;
 *   - route budget (rest_route_limit) and global rate (rest_global_limit):
 *     sliding-window logs (the send times of the last N), so "N in any
 *     window" holds exactly, which a token bucket would not promise;
 *   - holds from a 429: the bucket's, or everything's when it is global.
 */
#include "bot/rest.h"
#include "bot/jscan.h"
#include "bot/log.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REST_USER_AGENT "DiscordBot (https://example.org/dutybot, 0.1) dutybot"
#define REST_MAX_HOST_CONNECTIONS 4
/* More than the connections, so a freed connection never idles while a
 * request is ready; few enough that a transfer curl keeps pending for a
 * connection does not spend much of its timeout waiting. */
#define REST_MAX_IN_FLIGHT 16
#define REST_RATE_RETRIES 10    /* 429s after which the 429 is the answer */
#define REST_TIMEOUT_MS 20000
#define REST_CONNECT_TIMEOUT_MS 10000
#define REST_BACKOFF_MS 500
#define REST_DEFAULT_RETRY_MS 1000      /* a 429 that does not say how long */
#define REST_BODY_MAX (8u << 20)
#define REST_SNIPPET 200
#define REST_IDLE_EASY 8        /* easy handles kept for reuse */
#define REST_MIN_SWEEP 256      /* routes kept before idle ones are forgotten */
#define NEVER UINT64_MAX        /* "when something in flight finishes" */
/* uv_now() is whole milliseconds from the start of the loop iteration: the
 * real time may be up to about a millisecond later.  Deadlines and send
 * times count from uv_now() + this, so a wait the server asked for never
 * comes out shorter. */
#define CLOCK_SLACK_MS 1

/* ---- a small string-keyed table (routes, buckets, queues) ---- */

struct entry {
	struct entry *next;
	char *key;
};

struct table {
	struct entry **slot;
	size_t n_slot, count;
};

static size_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct entry *table_find(const struct table *t, const char *key)
{
	if (t->n_slot == 0)
		return NULL;
	for (struct entry *e = t->slot[hash_str(key) & (t->n_slot - 1)]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static int table_grow(struct table *t)
{
	size_t n = t->n_slot ? t->n_slot * 2 : 64;
	struct entry **slot = calloc(n, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (size_t i = 0; i < t->n_slot; i++) {
		struct entry *e = t->slot[i], *next;
		for (; e != NULL; e = next) {
			size_t j = hash_str(e->key) & (n - 1);
			next = e->next;
			e->next = slot[j];
			slot[j] = e;
		}
	}
	free(t->slot);
	t->slot = slot;
	t->n_slot = n;
	return 0;
}

static int table_add(struct table *t, struct entry *e)
{
	size_t i;

	if (t->count >= t->n_slot && table_grow(t) != 0 && t->n_slot == 0)
		return -1;      /* a failed growth only makes the chains longer */
	i = hash_str(e->key) & (t->n_slot - 1);
	e->next = t->slot[i];
	t->slot[i] = e;
	t->count++;
	return 0;
}

static void table_del(struct table *t, struct entry *e)
{
	struct entry **p = &t->slot[hash_str(e->key) & (t->n_slot - 1)];

	while (*p != e)
		p = &(*p)->next;
	*p = e->next;
	t->count--;
}

/* ---- sliding windows ---- */

/* The send times of the last N requests, oldest at POS once full. */
struct window {
	uint64_t *at;
	unsigned n, pos, used;
	uint64_t span;
};

static int window_set(struct window *w, int n, uint64_t span)
{
	free(w->at);
	memset(w, 0, sizeof(*w));
	if (n <= 0)
		return 0;
	if ((w->at = calloc((size_t)n, sizeof(*w->at))) == NULL)
		return -1;
	w->n = (unsigned)n;
	w->span = span;
	return 0;
}

/* When the next request may go: at once, or when the oldest ages out. */
static uint64_t window_next(const struct window *w)
{
	return w->n == 0 || w->used < w->n ? 0 : w->at[w->pos] + w->span;
}

static void window_add(struct window *w, uint64_t now)
{
	if (w->n == 0)
		return;
	w->at[w->pos] = now;
	w->pos = (w->pos + 1) % w->n;
	if (w->used < w->n)
		w->used++;
}

/* ---- the objects ---- */

enum bucket_state {
	B_UNKNOWN,      /* no answer yet: one request at a time finds out */
	B_NONE,         /* answers carry no rate-limit headers: no limit */
	B_LIMITED,      /* limit / remaining / reset_at are known */
};

struct bucket {
	struct entry e;         /* key "<X-RateLimit-Bucket> <major parameter>"; a
	                         * route's own bucket has none until it learns it */
	bool named;
	enum bucket_state state;
	long limit, remaining;
	uint64_t reset_at;      /* uv_now when remaining is back to limit */
	uint64_t hold_until;    /* a 429 on this bucket */
	unsigned in_flight;
	unsigned refs;          /* routes that point at it + requests in flight on it */
};

struct route {
	struct entry e;         /* key: the route */
	struct bucket *bucket;
	struct window budget;   /* rest_route_limit(); n == 0: none */
	unsigned refs;          /* requests that name it */
	bool warned;            /* a 401/403 on it was logged */
};

struct rqueue {
	struct entry e;
	struct req *head, *tail;        /* HEAD is ready, in flight or finished */
};

enum req_state { REQ_QUEUED, REQ_READY, REQ_IN_FLIGHT, REQ_FINISHED };

/* What the rate-limit headers of the last answer said. */
struct limits {
	bool has_limit, has_remaining, has_reset, has_retry, global;
	long limit, remaining;
	double reset_after, retry_after;
	char bucket[64];
	char scope[16];
};

struct buf {
	char *p;
	size_t len, cap;
};

struct req {
	struct req *prev, *next;        /* in ready, in flight or finished */
	struct req *qnext;              /* behind it in its queue */
	struct rest *r;
	uint64_t seq;
	enum req_state state;
	char *method, *url, *body;
	const char *path;               /* inside URL */
	size_t body_len;
	struct curl_slist *headers;
	struct route *route;
	struct bucket *bucket;          /* the one it is in flight on */
	struct rqueue *queue;
	rest_done_fn *done;
	void *arg;
	CURL *easy;
	int attempts;                   /* answered by a 5xx or a transport error */
	int rate_retries;
	uint64_t not_before;
	long status;
	const char *error;
	struct limits hdr;
	struct buf resp;
	char errbuf[CURL_ERROR_SIZE];
};

struct list {
	struct req *head, *tail;
	size_t n;
};

struct sock {
	uv_poll_t poll;
	struct sock *prev, *next;
	struct rest *r;
	curl_socket_t fd;
};

struct rest {
	uv_loop_t *loop;
	char *name, *base_url, *auth;
	bool tls_verify;
	CURLM *multi;
	uv_timer_t curl_timer, sched;
	uint64_t sched_at;              /* when sched fires; NEVER when stopped */
	struct list ready, in_flight, finished;
	struct table routes, buckets, queues;
	size_t routes_swept;            /* routes left by the last sweep */
	struct window global;
	uint64_t global_hold;
	uint64_t next_seq;
	size_t n_reqs;
	unsigned backoff_ms;
	uint32_t rng;
	CURL *idle[REST_IDLE_EASY];
	unsigned n_idle;
	struct sock *socks;
	unsigned handles;               /* uv handles not closed yet */
	bool closing;
};

/* ---- lists ---- */

static void list_append(struct list *l, struct req *q)
{
	q->next = NULL;
	q->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = q;
	else
		l->head = q;
	l->tail = q;
	l->n++;
}

static void list_remove(struct list *l, struct req *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		l->head = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	else
		l->tail = q->prev;
	q->prev = q->next = NULL;
	l->n--;
}

/* In creation order, so a retry goes back in front of what was made after
 * it; a new request lands at the tail at once. */
static void list_insert_ordered(struct list *l, struct req *q)
{
	struct req *after = l->tail;

	while (after != NULL && after->seq > q->seq)
		after = after->prev;
	if (after == l->tail) {
		list_append(l, q);
		return;
	}
	q->prev = after;
	q->next = after ? after->next : l->head;
	q->next->prev = q;
	if (after != NULL)
		after->next = q;
	else
		l->head = q;
	l->n++;
}

/* ---- small helpers ---- */

static uint64_t seconds_to_ms(double s)
{
	if (!(s >= 0))
		return REST_DEFAULT_RETRY_MS;   /* negative or NaN */
	if (s > 86400)
		s = 86400;
	return (uint64_t)(s * 1000.0 + 0.999);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint32_t rng_next(struct rest *r)
{
	uint32_t x = r->rng;    /* xorshift32: jitter only, keeps rand() alone */

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return r->rng = x;
}

/* 5xx / transport error number ATTEMPT (1-based): backoff_ms · 2^(attempt-1), ±25%. */
static uint64_t backoff(struct rest *r, int attempt)
{
	uint64_t base = (uint64_t)r->backoff_ms << (attempt - 1 < 16 ? attempt - 1 : 16);

	return base * 3 / 4 + (uint64_t)((double)(base / 2) * (rng_next(r) / 4294967296.0));
}

/* The path fit for a log: Discord puts a webhook's or an interaction's token
 * in the path, and tokens stay out of logs. */
static const char *loggable(const char *path, char *buf, size_t size)
{
	static const char *const secret_after[] = { "/webhooks/", "/interactions/" };

	for (size_t i = 0; i < sizeof(secret_after) / sizeof(secret_after[0]); i++) {
		size_t n = strlen(secret_after[i]);
		const char *id, *token;
		if (strncmp(path, secret_after[i], n) != 0)
			continue;
		id = path + n;
		if ((token = strchr(id, '/')) == NULL)
			return path;
		token++;
		snprintf(buf, size, "%.*s***%s", (int)(token - path), path, token + strcspn(token, "/?"));
		return buf;
	}
	return path;
}

/*
 * The major parameter of a Discord path ("/channels/123", "/guilds/4",
 * "/webhooks/5/token"): a bucket id is shared by every channel, but its
 * limit counts per major parameter, so both make the bucket's key.
 */
static size_t major_len(const char *path)
{
	static const struct { const char *prefix; int segments; } majors[] = {
		{ "/channels/", 1 }, { "/guilds/", 1 }, { "/webhooks/", 2 },
	};

	for (size_t i = 0; i < sizeof(majors) / sizeof(majors[0]); i++) {
		size_t n = strlen(majors[i].prefix);
		const char *p = path + n;
		if (strncmp(path, majors[i].prefix, n) != 0)
			continue;
		for (int s = 0; s < majors[i].segments; s++) {
			p += strcspn(p, "/?");
			if (s + 1 < majors[i].segments && *p == '/')
				p++;
		}
		return (size_t)(p - path);
	}
	return 0;
}

/* ---- buckets and routes ---- */

static struct bucket *bucket_new(void)
{
	struct bucket *b = calloc(1, sizeof(*b));

	if (b != NULL)
		b->refs = 1;
	return b;
}

static void bucket_unref(struct rest *r, struct bucket *b)
{
	if (--b->refs > 0)
		return;
	if (b->named)
		table_del(&r->buckets, &b->e);
	free(b->e.key);
	free(b);
}

/* When a request on B may go as far as B goes: 0 = now, NEVER = when one in
 * flight on it comes back. */
static uint64_t bucket_next(const struct bucket *b, uint64_t now)
{
	if (now < b->hold_until)
		return b->hold_until;
	switch (b->state) {
	case B_UNKNOWN:
		return b->in_flight == 0 ? 0 : NEVER;
	case B_NONE:
		return 0;
	case B_LIMITED:
		if (now < b->reset_at)
			return b->remaining > (long)b->in_flight ? 0 : b->reset_at;
		return b->limit > (long)b->in_flight ? 0 : NEVER;
	}
	return 0;
}

/* ROUTE's answers name bucket HASH: from now on it shares the state of every
 * route on the same bucket and major parameter. */
static void route_bucket(struct rest *r, struct route *rt, const char *hash, const char *path)
{
	size_t major = major_len(path), len = strlen(hash) + 1 + major + 1;
	char *key = malloc(len);
	struct bucket *b;

	if (key == NULL)
		return;         /* it keeps its old bucket: only less sharing */
	snprintf(key, len, "%s %.*s", hash, (int)major, path);
	if (rt->bucket->named && strcmp(rt->bucket->e.key, key) == 0) {
		free(key);
		return;
	}
	b = (struct bucket *)table_find(&r->buckets, key);
	if (b == NULL && !rt->bucket->named) {
		/* the first route on it: its own bucket, with what it knows, gets the name */
		rt->bucket->e.key = key;
		rt->bucket->named = true;
		if (table_add(&r->buckets, &rt->bucket->e) != 0) {
			rt->bucket->e.key = NULL;
			rt->bucket->named = false;
			free(key);
		}
		return;
	}
	if (b == NULL) {
		if ((b = bucket_new()) == NULL) {
			free(key);
			return;
		}
		b->e.key = key;
		b->named = true;
		if (table_add(&r->buckets, &b->e) != 0) {
			free(key);
			free(b);
			return;
		}
		b->refs = 0;
	} else {
		free(key);
	}
	b->refs++;
	bucket_unref(r, rt->bucket);
	rt->bucket = b;
}

static void route_free(struct rest *r, struct route *rt)
{
	table_del(&r->routes, &rt->e);
	bucket_unref(r, rt->bucket);
	window_set(&rt->budget, 0, 0);
	free(rt->e.key);
	free(rt);
}

/* A route can be forgotten when no request names it and forgetting loses
 * nothing: default routes contain ids (a message id, say), and the table
 * must not grow with them.  Its bucket's state is lost only if the route
 * is its last holder, so then the bucket must hold nothing back.  A route
 * that comes back probes its bucket again. */
static bool route_idle(const struct route *rt, uint64_t now)
{
	const struct bucket *b = rt->bucket;

	if (rt->refs > 0 || rt->budget.n > 0 || rt->warned)
		return false;
	return b->refs > 1 || (now >= b->hold_until && (b->state != B_LIMITED || now >= b->reset_at));
}

static void routes_sweep(struct rest *r)
{
	uint64_t now = uv_now(r->loop);

	for (size_t i = 0; i < r->routes.n_slot; i++) {
		struct entry *e = r->routes.slot[i], *next;
		for (; e != NULL; e = next) {
			next = e->next;
			if (route_idle((struct route *)e, now))
				route_free(r, (struct route *)e);
		}
	}
	r->routes_swept = r->routes.count;
}

static struct route *route_get(struct rest *r, const char *key)
{
	struct route *rt = (struct route *)table_find(&r->routes, key);

	if (rt != NULL)
		return rt;
	if (r->routes.count >= 2 * max_u64(r->routes_swept, REST_MIN_SWEEP))
		routes_sweep(r);
	if ((rt = calloc(1, sizeof(*rt))) == NULL)
		return NULL;
	if ((rt->e.key = strdup(key)) == NULL || (rt->bucket = bucket_new()) == NULL ||
	    table_add(&r->routes, &rt->e) != 0) {
		free(rt->bucket);
		free(rt->e.key);
		free(rt);
		return NULL;
	}
	return rt;
}

/* ---- requests ---- */

static void req_free(struct rest *r, struct req *q)
{
	if (q->route != NULL)
		q->route->refs--;
	curl_slist_free_all(q->headers);
	free(q->resp.p);
	free(q->method);
	free(q->url);
	free(q->body);
	free(q);
	r->n_reqs--;
}

static void sched_at(struct rest *r, uint64_t when);

static void kick(struct rest *r)
{
	sched_at(r, uv_now(r->loop));
}

static void make_ready(struct rest *r, struct req *q)
{
	q->state = REQ_READY;
	list_insert_ordered(&r->ready, q);
	kick(r);
}

static void finish(struct rest *r, struct req *q, long status, const char *error)
{
	q->status = status;
	q->error = status != 0 ? NULL : error;
	q->state = REQ_FINISHED;
	list_append(&r->finished, q);
	kick(r);
}

/* Q's answer is about to be handed out: the next in its queue may go. */
static void queue_advance(struct rest *r, struct req *q)
{
	struct rqueue *qu = q->queue;

	if (qu == NULL)
		return;
	q->queue = NULL;
	if ((qu->head = q->qnext) != NULL) {
		make_ready(r, qu->head);
		return;
	}
	table_del(&r->queues, &qu->e);
	free(qu->e.key);
	free(qu);
}

static void log_snippet(struct rest *r, const struct req *q, long status)
{
	char pbuf[256];
	size_t n = q->resp.len < REST_SNIPPET ? q->resp.len : REST_SNIPPET;

	log_debug("rest %s: %s %s: %ld: %.*s%s", r->name, q->method, loggable(q->path, pbuf, sizeof(pbuf)),
	          status, (int)n, q->resp.p ? q->resp.p : "", q->resp.len > n ? "…" : "");
}

/* Hands Q's answer to its done() and frees Q.  Anything not finished when
 * this runs is being failed by rest_free(). */
static void deliver(struct rest *r, struct req *q)
{
	struct rest_response res = { 0, "", 0, "shutting down" };

	if (q->state == REQ_FINISHED) {
		list_remove(&r->finished, q);
		res.status = q->status;
		res.error = q->error;
		if (q->resp.p != NULL) {
			res.body = q->resp.p;
			res.body_len = q->resp.len;
		}
		if (q->status != 0 && (q->status < 200 || q->status > 299))
			log_snippet(r, q, q->status);
	}
	queue_advance(r, q);
	q->done(q->arg, &res);
	req_free(r, q);
}

/* ---- curl callbacks of one transfer ---- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;

	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;
		while (cap < b->len + len + 1)
			cap *= 2;
		if (cap > REST_BODY_MAX || (p = realloc(b->p, cap)) == NULL)
			return 0;       /* CURLE_WRITE_ERROR: the answer is not retried */
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}

/* A header value into a fixed field, cut if it is longer (they never are). */
static void copy_value(char *dst, size_t size, const char *val)
{
	size_t n = strnlen(val, size - 1);

	memcpy(dst, val, n);
	dst[n] = '\0';
}

static bool header_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct limits *h = arg;
	size_t len = size * n, name_len, vlen;
	const char *colon, *v;
	char val[64];

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		memset(h, 0, sizeof(*h));       /* a new response (after a 100, say) */
		return len;
	}
	if ((colon = memchr(line, ':', len)) == NULL)
		return len;
	name_len = (size_t)(colon - line);
	for (v = colon + 1; v < line + len && (*v == ' ' || *v == '\t'); v++)
		;
	for (vlen = (size_t)(line + len - v); vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
	                                                   v[vlen - 1] == ' '); vlen--)
		;
	if (vlen >= sizeof(val))
		vlen = sizeof(val) - 1;
	memcpy(val, v, vlen);
	val[vlen] = '\0';
	if (header_is(line, name_len, "x-ratelimit-limit")) {
		h->limit = strtol(val, NULL, 10);
		h->has_limit = true;
	} else if (header_is(line, name_len, "x-ratelimit-remaining")) {
		h->remaining = strtol(val, NULL, 10);
		h->has_remaining = true;
	} else if (header_is(line, name_len, "x-ratelimit-reset-after")) {
		h->reset_after = strtod(val, NULL);
		h->has_reset = true;
	} else if (header_is(line, name_len, "x-ratelimit-bucket")) {
		copy_value(h->bucket, sizeof(h->bucket), val);
	} else if (header_is(line, name_len, "x-ratelimit-global")) {
		h->global = strcasecmp(val, "true") == 0;
	} else if (header_is(line, name_len, "x-ratelimit-scope")) {
		copy_value(h->scope, sizeof(h->scope), val);
	} else if (header_is(line, name_len, "retry-after")) {
		char *end;
		h->retry_after = strtod(val, &end);
		h->has_retry = end != val;      /* an HTTP date is not understood: default wait */
	}
	return len;
}

/* ---- starting a transfer ---- */

static CURL *easy_take(struct rest *r)
{
	return r->n_idle > 0 ? r->idle[--r->n_idle] : curl_easy_init();
}

/* Reset as it goes idle: it must not keep pointers into a freed request
 * (error buffer, private, write data). */
static void easy_release(struct rest *r, struct req *q)
{
	if (q->easy == NULL)
		return;
	if (r->n_idle < REST_IDLE_EASY && !r->closing) {
		curl_easy_reset(q->easy);
		r->idle[r->n_idle++] = q->easy;
	} else {
		curl_easy_cleanup(q->easy);
	}
	q->easy = NULL;
}

static int set_method(CURL *e, const struct req *q)
{
	bool has_body = q->body != NULL || strcmp(q->method, "POST") == 0 ||
	                strcmp(q->method, "PUT") == 0 || strcmp(q->method, "PATCH") == 0;
	CURLcode rc = CURLE_OK;

	if (strcmp(q->method, "GET") == 0 && q->body == NULL)
		return curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) == CURLE_OK ? 0 : -1;
	if (has_body) {
		/* a body-less PUT still says Content-Length: 0 (Discord wants it) */
		rc |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)q->body_len);
		rc |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body ? q->body : "");
	}
	if (strcmp(q->method, "POST") != 0)
		rc |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, q->method);
	return rc == CURLE_OK ? 0 : -1;
}

static int easy_setup(struct rest *r, struct req *q)
{
	CURL *e = q->easy;
	CURLcode rc = CURLE_OK;

	rc |= curl_easy_setopt(e, CURLOPT_URL, q->url);
	rc |= curl_easy_setopt(e, CURLOPT_PRIVATE, q);
	rc |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, q->headers);
	rc |= curl_easy_setopt(e, CURLOPT_USERAGENT, REST_USER_AGENT);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEDATA, &q->resp);
	rc |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	rc |= curl_easy_setopt(e, CURLOPT_HEADERDATA, &q->hdr);
	rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf);
	rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)REST_TIMEOUT_MS);
	rc |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)REST_CONNECT_TIMEOUT_MS);
	rc |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, r->tls_verify ? 1L : 0L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, r->tls_verify ? 2L : 0L);
	/* h2 where TLS offers it: one connection multiplexes; http:// stays 1.1 */
	rc |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	if (rc != CURLE_OK)
		return -1;
	return set_method(e, q);
}

static void start(struct rest *r, struct req *q, uint64_t now)
{
	list_remove(&r->ready, q);
	q->errbuf[0] = '\0';
	q->resp.len = 0;
	if (q->resp.p != NULL)
		q->resp.p[0] = '\0';
	memset(&q->hdr, 0, sizeof(q->hdr));
	if ((q->easy = easy_take(r)) == NULL || easy_setup(r, q) != 0 ||
	    curl_multi_add_handle(r->multi, q->easy) != CURLM_OK) {
		if (q->easy != NULL)
			curl_easy_cleanup(q->easy);
		q->easy = NULL;
		finish(r, q, 0, "out of memory");
		return;
	}
	q->state = REQ_IN_FLIGHT;
	list_append(&r->in_flight, q);
	q->bucket = q->route->bucket;
	q->bucket->in_flight++;
	q->bucket->refs++;
	window_add(&q->route->budget, now + CLOCK_SLACK_MS);
	window_add(&r->global, now + CLOCK_SLACK_MS);
}

/* ---- the scheduler ---- */

static void on_sched(uv_timer_t *t);

static void sched_at(struct rest *r, uint64_t when)
{
	uint64_t now = uv_now(r->loop);

	if (r->closing || when >= r->sched_at)
		return;
	r->sched_at = when;
	uv_timer_start(&r->sched, on_sched, when > now ? when - now : 0, 0);
}

/* When Q may go as far as its own limits go (not the global ones). */
static uint64_t ready_at(const struct req *q, uint64_t now)
{
	uint64_t t = q->not_before;

	t = max_u64(t, window_next(&q->route->budget));
	return max_u64(t, bucket_next(q->route->bucket, now));
}

static void pump(struct rest *r)
{
	uint64_t now = uv_now(r->loop), wake = NEVER;
	struct req *q, *next;

	if (now < r->global_hold) {
		sched_at(r, r->global_hold);
		return;
	}
	for (q = r->ready.head; q != NULL && r->in_flight.n < REST_MAX_IN_FLIGHT; q = next) {
		uint64_t t;
		next = q->next;
		if ((t = ready_at(q, now)) > now) {
			if (t < wake)
				wake = t;
			continue;
		}
		if ((t = window_next(&r->global)) > now) {
			if (t < wake)
				wake = t;
			break;
		}
		start(r, q, now);
	}
	if (wake != NEVER)
		sched_at(r, wake);
}

static void on_sched(uv_timer_t *t)
{
	struct rest *r = t->data;

	r->sched_at = NEVER;
	while (r->finished.head != NULL && !r->closing)
		deliver(r, r->finished.head);   /* done() may call rest_free() */
	if (!r->closing)
		pump(r);
}

/* ---- an answer ---- */

/* What any answer's headers say about its route's bucket. */
static void learn_limits(struct rest *r, struct req *q, uint64_t now)
{
	const struct limits *h = &q->hdr;
	struct bucket *b;

	if (h->bucket[0] != '\0')
		route_bucket(r, q->route, h->bucket, q->path);
	b = q->route->bucket;
	if (!h->has_remaining) {
		if (b->state == B_UNKNOWN)
			b->state = B_NONE;
		return;
	}
	b->state = B_LIMITED;
	b->remaining = h->remaining;
	if (h->has_limit)
		b->limit = h->limit;
	if (b->limit < 1)
		b->limit = 1;
	b->reset_at = h->has_reset ? now + seconds_to_ms(h->reset_after) : now;
}

static void rate_limited(struct rest *r, struct req *q, uint64_t now)
{
	struct jscan_field f[] = { { .key = "retry_after" }, { .key = "global" } };
	double after = -1;
	bool global = q->hdr.global;
	uint64_t ms;
	char pbuf[256];

	if (q->resp.p != NULL && jscan_object(q->resp.p, q->resp.len, f, 2) == 0) {
		if (f[0].kind == JSCAN_NUMBER)
			after = strtod(f[0].val, NULL);
		global = global || f[1].kind == JSCAN_TRUE;
	}
	if (after < 0 && q->hdr.has_retry)
		after = q->hdr.retry_after;
	if (after < 0 && q->hdr.has_reset)
		after = q->hdr.reset_after;
	ms = after < 0 ? REST_DEFAULT_RETRY_MS : seconds_to_ms(after);
	if (global)
		r->global_hold = max_u64(r->global_hold, now + ms);
	else
		q->route->bucket->hold_until = max_u64(q->route->bucket->hold_until, now + ms);
	q->not_before = now + ms;
	log_info("rest %s: %s %s: 429%s%s%s, retry %d in %llu ms", r->name, q->method,
	         loggable(q->path, pbuf, sizeof(pbuf)), global ? " global" : "",
	         q->hdr.scope[0] ? " scope " : "", q->hdr.scope, q->rate_retries, (unsigned long long)ms);
	make_ready(r, q);
}

static bool retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_WRITE_ERROR:         /* the body was too large: it would be again */
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return false;
	default:
		return true;
	}
}

/* A 5xx or a transport error: again after a backoff, or that is the answer. */
static void failed_attempt(struct rest *r, struct req *q, long status, CURLcode rc, uint64_t now)
{
	const char *why = status ? NULL : q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc);
	char pbuf[256], sbuf[16];

	snprintf(sbuf, sizeof(sbuf), "%ld", status);
	if (++q->attempts < REST_MAX_ATTEMPTS && (status != 0 || retryable(rc))) {
		uint64_t ms = backoff(r, q->attempts);
		if (status != 0 && q->hdr.has_retry)    /* a 503 may say how long */
			ms = max_u64(ms, seconds_to_ms(q->hdr.retry_after));
		log_info("rest %s: %s %s: %s; attempt %d of %d in %llu ms", r->name, q->method,
		         loggable(q->path, pbuf, sizeof(pbuf)), why ? why : sbuf, q->attempts + 1,
		         REST_MAX_ATTEMPTS, (unsigned long long)ms);
		q->not_before = now + ms;
		make_ready(r, q);
		return;
	}
	log_warnx("rest %s: %s %s: %s, giving up after %d attempt%s", r->name, q->method,
	          loggable(q->path, pbuf, sizeof(pbuf)), why ? why : sbuf, q->attempts, q->attempts == 1 ? "" : "s");
	finish(r, q, status, why);
}

static void transfer_done(struct rest *r, struct req *q, CURLcode rc)
{
	uint64_t now = uv_now(r->loop) + CLOCK_SLACK_MS;
	long status = 0;
	char pbuf[256];

	if (rc == CURLE_OK)
		curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(r->multi, q->easy);
	easy_release(r, q);
	list_remove(&r->in_flight, q);
	q->bucket->in_flight--;
	bucket_unref(r, q->bucket);
	q->bucket = NULL;
	kick(r);                /* the in-flight slot and maybe the bucket are free */
	if (status != 0)
		learn_limits(r, q, now);
	if (status == 429 && ++q->rate_retries <= REST_RATE_RETRIES) {
		rate_limited(r, q, now);
	} else if (status == 0 || (status >= 500 && status <= 599)) {
		failed_attempt(r, q, status, rc, now);
	} else {
		if ((status == 401 || status == 403) && !q->route->warned) {
			q->route->warned = true;
			log_warnx("rest %s: %s %s: %ld %s (not retried; logged once for this route)", r->name,
			          q->method, loggable(q->path, pbuf, sizeof(pbuf)), status,
			          status == 401 ? "unauthorized: is the token right?" : "forbidden: missing permission?");
		}
		finish(r, q, status, NULL);
	}
}

static void check_done(struct rest *r)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(r->multi, &left)) != NULL) {
		CURLcode rc = m->data.result;   /* M is gone once the handle is removed */
		char *q = NULL;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &q);
		transfer_done(r, (struct req *)q, rc);
	}
}

/* ---- curl on libuv ---- */

static void on_handle_closed(uv_handle_t *h);

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct sock *s = h->data;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(s->r->multi, s->fd, flags, &running);
	check_done(s->r);
}

static void sock_close(struct rest *r, struct sock *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		r->socks = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	uv_poll_stop(&s->poll);
	uv_close((uv_handle_t *)&s->poll, on_handle_closed);
}

static struct sock *sock_new(struct rest *r, curl_socket_t fd)
{
	struct sock *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (uv_poll_init_socket(r->loop, &s->poll, fd) != 0) {
		free(s);
		return NULL;
	}
	s->poll.data = s;
	s->r = r;
	s->fd = fd;
	s->next = r->socks;
	if (s->next != NULL)
		s->next->prev = s;
	r->socks = s;
	r->handles++;
	return s;
}

/* Curl says which of its sockets to watch for what (CURLMOPT_SOCKETFUNCTION). */
static int on_curl_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct rest *r = userp;
	struct sock *s = socketp;
	int events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL)
			sock_close(r, s);
		return 0;
	}
	if (s == NULL) {
		if ((s = sock_new(r, fd)) == NULL) {
			log_warnx("rest %s: cannot watch a socket", r->name);
			return -1;
		}
		curl_multi_assign(r->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, on_poll);
	return 0;
}

static void on_curl_timeout(uv_timer_t *t)
{
	struct rest *r = t->data;
	int running;

	curl_multi_socket_action(r->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(r);
}

/* Curl's one timeout (CURLMOPT_TIMERFUNCTION); 0 means "soon", not "now". */
static int on_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct rest *r = userp;

	if (r->closing)
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&r->curl_timer);
	else
		uv_timer_start(&r->curl_timer, on_curl_timeout, (uint64_t)timeout_ms, 0);
	return 0;
}

/* ---- the API ---- */

struct rest *rest_new(uv_loop_t *loop, const char *name, const char *base_url, bool tls_verify)
{
	struct rest *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(r);
		return NULL;
	}
	r->loop = loop;
	r->tls_verify = tls_verify;
	r->backoff_ms = REST_BACKOFF_MS;
	r->sched_at = NEVER;
	r->rng = (uint32_t)uv_hrtime() | 1;
	r->name = strdup(name);
	r->base_url = strdup(base_url);
	/* a slash at the end would double the one every path starts with */
	if (r->base_url != NULL && r->base_url[0] != '\0' && r->base_url[strlen(r->base_url) - 1] == '/')
		r->base_url[strlen(r->base_url) - 1] = '\0';
	if (r->name == NULL || r->base_url == NULL || (r->multi = curl_multi_init()) == NULL) {
		free(r->name);
		free(r->base_url);
		free(r);
		curl_global_cleanup();
		return NULL;
	}
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETDATA, r);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERDATA, r);
	curl_multi_setopt(r->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)REST_MAX_HOST_CONNECTIONS);
	curl_multi_setopt(r->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	uv_timer_init(loop, &r->curl_timer);
	uv_timer_init(loop, &r->sched);
	r->curl_timer.data = r->sched.data = r;
	r->handles = 2;
	return r;
}

void rest_set_auth(struct rest *r, const char *authorization)
{
	free(r->auth);
	r->auth = authorization ? strdup(authorization) : NULL;
}

void rest_global_limit(struct rest *r, int per_second)
{
	if (window_set(&r->global, per_second, 1000) != 0)
		log_warnx("rest %s: out of memory: no global limit", r->name);
}

void rest_route_limit(struct rest *r, const char *route, int per_minute)
{
	struct route *rt = route_get(r, route);

	if (rt == NULL || window_set(&rt->budget, per_minute, 60000) != 0)
		log_warnx("rest %s: out of memory: no limit on %s", r->name, route);
}

void rest_set_backoff(struct rest *r, unsigned first_ms)
{
	r->backoff_ms = first_ms ? first_ms : 1;
}

static struct curl_slist *make_headers(const char *auth, bool json)
{
	struct curl_slist *h = NULL, *n;
	char *line = NULL;

	if (auth != NULL && *auth != '\0') {
		size_t len = strlen("Authorization: ") + strlen(auth) + 1;
		if ((line = malloc(len)) == NULL)
			return NULL;
		snprintf(line, len, "Authorization: %s", auth);
		h = curl_slist_append(h, line);
		free(line);
		if (h == NULL)
			return NULL;
	}
	/* no "Expect: 100-continue" round trip; no form type on an empty POST */
	if ((n = curl_slist_append(h, "Expect:")) == NULL ||
	    (n = curl_slist_append(n, json ? "Content-Type: application/json" : "Content-Type:")) == NULL) {
		curl_slist_free_all(h);
		return NULL;
	}
	return n;
}

static int req_fill(struct rest *r, struct req *q, const char *method, const char *path,
                    const char *auth, const char *json_body)
{
	size_t base = strlen(r->base_url), len = base + strlen(path) + 1;

	if ((q->method = strdup(method)) == NULL || (q->url = malloc(len)) == NULL)
		return -1;
	snprintf(q->url, len, "%s%s", r->base_url, path);
	q->path = q->url + base;
	if (json_body != NULL) {
		if ((q->body = strdup(json_body)) == NULL)
			return -1;
		q->body_len = strlen(json_body);
	}
	q->headers = make_headers(auth ? auth : r->auth, json_body != NULL);
	return q->headers == NULL ? -1 : 0;
}

/* The route of a request that names none: METHOD and PATH without the query. */
static struct route *default_route(struct rest *r, const char *method, const char *path)
{
	size_t len = strlen(method) + 1 + strcspn(path, "?") + 1;
	char *key = malloc(len);
	struct route *rt;

	if (key == NULL)
		return NULL;
	snprintf(key, len, "%s %.*s", method, (int)strcspn(path, "?"), path);
	rt = route_get(r, key);
	free(key);
	return rt;
}

/* Q goes behind the last of QUEUE, or is its head and ready at once. */
static int enqueue(struct rest *r, struct req *q, const char *queue)
{
	struct rqueue *qu;

	if (queue == NULL) {
		make_ready(r, q);
		return 0;
	}
	if ((qu = (struct rqueue *)table_find(&r->queues, queue)) != NULL) {
		q->state = REQ_QUEUED;
		q->queue = qu;
		qu->tail->qnext = q;
		qu->tail = q;
		return 0;
	}
	if ((qu = calloc(1, sizeof(*qu))) == NULL || (qu->e.key = strdup(queue)) == NULL ||
	    table_add(&r->queues, &qu->e) != 0) {
		if (qu != NULL)
			free(qu->e.key);
		free(qu);
		return -1;
	}
	qu->head = qu->tail = q;
	q->queue = qu;
	make_ready(r, q);
	return 0;
}

int rest_request(struct rest *r, const char *method, const char *path, const char *route,
                 const char *queue, const char *auth, const char *json_body,
                 rest_done_fn *done, void *arg)
{
	struct req *q;

	if (r->closing || (q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	q->r = r;
	q->done = done;
	q->arg = arg;
	q->seq = ++r->next_seq;
	r->n_reqs++;
	if (req_fill(r, q, method, path, auth, json_body) != 0 ||
	    (q->route = route ? route_get(r, route) : default_route(r, method, path)) == NULL) {
		req_free(r, q);
		return -1;
	}
	q->route->refs++;
	if (enqueue(r, q, queue) != 0) {
		req_free(r, q);
		return -1;
	}
	return 0;
}

size_t rest_pending(const struct rest *r)
{
	return r->n_reqs;
}

static void release(struct rest *r)
{
	for (size_t i = 0; i < r->routes.n_slot; i++) {
		struct entry *e = r->routes.slot[i], *next;
		for (; e != NULL; e = next) {
			next = e->next;
			route_free(r, (struct route *)e);
		}
	}
	free(r->routes.slot);
	free(r->buckets.slot);
	free(r->queues.slot);
	window_set(&r->global, 0, 0);
	free(r->name);
	free(r->base_url);
	free(r->auth);
	free(r);
	curl_global_cleanup();
}

static void on_handle_closed(uv_handle_t *h)
{
	struct rest *r;

	if (h->type == UV_POLL) {
		struct sock *s = h->data;
		r = s->r;
		free(s);
	} else {
		r = h->data;
	}
	if (--r->handles == 0 && r->closing)
		release(r);
}

void rest_free(struct rest *r)
{
	struct req *q;

	if (r == NULL || r->closing)
		return;
	r->closing = true;
	uv_timer_stop(&r->sched);
	uv_timer_stop(&r->curl_timer);
	while ((q = r->in_flight.head) != NULL) {
		curl_multi_remove_handle(r->multi, q->easy);
		easy_release(r, q);
		list_remove(&r->in_flight, q);
		q->bucket->in_flight--;
		bucket_unref(r, q->bucket);
		q->bucket = NULL;
		q->state = REQ_READY;   /* failed below, in its order */
		list_insert_ordered(&r->ready, q);
	}
	/* The finished have their real answer; the rest, and whatever their
	 * queues let go after them, fail. */
	while ((q = r->finished.head) != NULL)
		deliver(r, q);
	while ((q = r->ready.head) != NULL) {
		list_remove(&r->ready, q);
		deliver(r, q);
	}
	while (r->n_idle > 0)
		curl_easy_cleanup(r->idle[--r->n_idle]);
	curl_multi_cleanup(r->multi);   /* may still tell on_curl_socket to let go */
	r->multi = NULL;
	while (r->socks != NULL)
		sock_close(r, r->socks);
	uv_close((uv_handle_t *)&r->curl_timer, on_handle_closed);
	uv_close((uv_handle_t *)&r->sched, on_handle_closed);
}
