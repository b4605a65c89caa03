/*
 * rest_limits: when a request of rest.c may go out.  rest.c asks before it
 * starts a request (rest_limits_route_next(), rest_limits_global_next(), the global
 * hold) and tells what went out (rest_limits_sent()) and what came back
 * (rest_limits_returned(), the headers, rest_limits_learn(), rest_limits_429()).  Kept
 * apart from rest.c, which moves requests, because this is the other idea:
 * what the platforms allow, and what their answers said about it.
 *
 * Limits, all checked before a request goes out:
 *   - bucket (Discord's headers): remaining, minus what is in flight on it,
 *     until reset; while a bucket is still unknown only one request probes
 *     it; a route that answers without rate-limit headers is not limited;
 *   - route budget (rest_route_limit) and global rate (rest_global_limit):
 *     sliding-window logs (the send times of the last N), so "N in any
 *     window" holds exactly, which a token bucket would not promise;
 *   - holds from a 429: the bucket's, or everything's when it is global.
 *
 * A route key maps to a bucket; the routes that Discord says share a bucket
 * id share one struct rest_bucket per major parameter (a channel, a guild, a
 * webhook), as Discord counts.  Idle routes are forgotten, so routes that
 * contain ids do not pile up.
 */
#include "bot/rest/rest_limits.h"
#include "bot/lib/jscan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#define REST_DEFAULT_RETRY_MS 1000      /* a 429 that does not say how long */
#define REST_MIN_SWEEP 256      /* routes kept before idle ones are forgotten */

/* ---- a small string-keyed table (routes, buckets, rest.c's queues) ---- */

static size_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

struct rest_table_entry *rest_table_find(const struct rest_table *t, const char *key)
{
	if (t->n_slot == 0)
		return NULL;
	for (struct rest_table_entry *e = t->slot[hash_str(key) & (t->n_slot - 1)]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static int table_grow(struct rest_table *t)
{
	size_t n = t->n_slot ? t->n_slot * 2 : 64;
	struct rest_table_entry **slot = calloc(n, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (size_t i = 0; i < t->n_slot; i++) {
		struct rest_table_entry *e = t->slot[i], *next;
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

int rest_table_add(struct rest_table *t, struct rest_table_entry *e)
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

void rest_table_del(struct rest_table *t, struct rest_table_entry *e)
{
	struct rest_table_entry **p = &t->slot[hash_str(e->key) & (t->n_slot - 1)];

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

struct rest_bucket {
	struct rest_table_entry e;         /* key "<X-RateLimit-Bucket> <major parameter>"; a
	                         * route's own bucket has none until it learns it */
	bool named;
	enum bucket_state state;
	long limit, remaining;
	uint64_t reset_at;      /* uv_now when remaining is back to limit */
	uint64_t hold_until;    /* a 429 on this bucket */
	unsigned in_flight;
	unsigned refs;          /* routes that point at it + requests in flight on it */
};

struct rest_route {
	struct rest_table_entry e;         /* key: the route */
	struct rest_bucket *bucket;
	struct window budget;   /* rest_route_limit(); n == 0: none */
	unsigned refs;          /* requests that name it */
	bool warned;            /* a 401/403 on it was logged */
};

struct rest_limits {
	uv_loop_t *loop;
	struct rest_table routes, buckets;
	size_t routes_swept;            /* routes left by the last sweep */
	struct window global;
	uint64_t global_hold;
};

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

static struct rest_bucket *bucket_new(void)
{
	struct rest_bucket *b = calloc(1, sizeof(*b));

	if (b != NULL)
		b->refs = 1;
	return b;
}

static void bucket_unref(struct rest_limits *l, struct rest_bucket *b)
{
	if (--b->refs > 0)
		return;
	if (b->named)
		rest_table_del(&l->buckets, &b->e);
	free(b->e.key);
	free(b);
}

/* When a request on B may go as far as B goes: 0 = now, REST_NEVER = when one in
 * flight on it comes back. */
static uint64_t bucket_next(const struct rest_bucket *b, uint64_t now)
{
	if (now < b->hold_until)
		return b->hold_until;
	switch (b->state) {
	case B_UNKNOWN:
		return b->in_flight == 0 ? 0 : REST_NEVER;
	case B_NONE:
		return 0;
	case B_LIMITED:
		if (now < b->reset_at)
			return b->remaining > (long)b->in_flight ? 0 : b->reset_at;
		return b->limit > (long)b->in_flight ? 0 : REST_NEVER;
	}
	return 0;
}

/* ROUTE's answers name bucket HASH: from now on it shares the state of every
 * route on the same bucket and major parameter. */
static void route_bucket(struct rest_limits *l, struct rest_route *rt, const char *hash, const char *path)
{
	size_t major = major_len(path), len = strlen(hash) + 1 + major + 1;
	char *key = malloc(len);
	struct rest_bucket *b;

	if (key == NULL)
		return;         /* it keeps its old bucket: only less sharing */
	snprintf(key, len, "%s %.*s", hash, (int)major, path);
	if (rt->bucket->named && strcmp(rt->bucket->e.key, key) == 0) {
		free(key);
		return;
	}
	b = (struct rest_bucket *)rest_table_find(&l->buckets, key);
	if (b == NULL && !rt->bucket->named) {
		/* the first route on it: its own bucket, with what it knows, gets the name */
		rt->bucket->e.key = key;
		rt->bucket->named = true;
		if (rest_table_add(&l->buckets, &rt->bucket->e) != 0) {
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
		if (rest_table_add(&l->buckets, &b->e) != 0) {
			free(key);
			free(b);
			return;
		}
		b->refs = 0;
	} else {
		free(key);
	}
	b->refs++;
	bucket_unref(l, rt->bucket);
	rt->bucket = b;
}

static void route_free(struct rest_limits *l, struct rest_route *rt)
{
	rest_table_del(&l->routes, &rt->e);
	bucket_unref(l, rt->bucket);
	window_set(&rt->budget, 0, 0);
	free(rt->e.key);
	free(rt);
}

/* A route can be forgotten when no request names it and forgetting loses
 * nothing: default routes contain ids (a message id, say), and the table
 * must not grow with them.  Its bucket's state is lost only if the route
 * is its last holder, so then the bucket must hold nothing back.  A route
 * that comes back probes its bucket again. */
static bool route_idle(const struct rest_route *rt, uint64_t now)
{
	const struct rest_bucket *b = rt->bucket;

	if (rt->refs > 0 || rt->budget.n > 0 || rt->warned)
		return false;
	return b->refs > 1 || (now >= b->hold_until && (b->state != B_LIMITED || now >= b->reset_at));
}

static void routes_sweep(struct rest_limits *l)
{
	uint64_t now = uv_now(l->loop);

	for (size_t i = 0; i < l->routes.n_slot; i++) {
		struct rest_table_entry *e = l->routes.slot[i], *next;
		for (; e != NULL; e = next) {
			next = e->next;
			if (route_idle((struct rest_route *)e, now))
				route_free(l, (struct rest_route *)e);
		}
	}
	l->routes_swept = l->routes.count;
}

static struct rest_route *route_get(struct rest_limits *l, const char *key)
{
	struct rest_route *rt = (struct rest_route *)rest_table_find(&l->routes, key);

	if (rt != NULL)
		return rt;
	if (l->routes.count >= 2 * max_u64(l->routes_swept, REST_MIN_SWEEP))
		routes_sweep(l);
	if ((rt = calloc(1, sizeof(*rt))) == NULL)
		return NULL;
	if ((rt->e.key = strdup(key)) == NULL || (rt->bucket = bucket_new()) == NULL ||
	    rest_table_add(&l->routes, &rt->e) != 0) {
		free(rt->bucket);
		free(rt->e.key);
		free(rt);
		return NULL;
	}
	return rt;
}

/* The route of a request that names none: METHOD and PATH without the query. */
static struct rest_route *default_route(struct rest_limits *l, const char *method, const char *path)
{
	size_t len = strlen(method) + 1 + strcspn(path, "?") + 1;
	char *key = malloc(len);
	struct rest_route *rt;

	if (key == NULL)
		return NULL;
	snprintf(key, len, "%s %.*s", method, (int)strcspn(path, "?"), path);
	rt = route_get(l, key);
	free(key);
	return rt;
}

/* ---- what rest.c asks and tells ---- */

struct rest_limits *rest_limits_new(uv_loop_t *loop)
{
	struct rest_limits *l = calloc(1, sizeof(*l));

	if (l != NULL)
		l->loop = loop;
	return l;
}

void rest_limits_free(struct rest_limits *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->routes.n_slot; i++) {
		struct rest_table_entry *e = l->routes.slot[i], *next;
		for (; e != NULL; e = next) {
			next = e->next;
			route_free(l, (struct rest_route *)e);
		}
	}
	free(l->routes.slot);
	free(l->buckets.slot);
	window_set(&l->global, 0, 0);
	free(l);
}

int rest_limits_global(struct rest_limits *l, int per_second)
{
	return window_set(&l->global, per_second, 1000);
}

int rest_limits_route_budget(struct rest_limits *l, const char *route, int per_minute)
{
	struct rest_route *rt = route_get(l, route);

	return rt == NULL || window_set(&rt->budget, per_minute, 60000) != 0 ? -1 : 0;
}

struct rest_route *rest_limits_route_ref(struct rest_limits *l, const char *route, const char *method,
                               const char *path)
{
	struct rest_route *rt = route ? route_get(l, route) : default_route(l, method, path);

	if (rt != NULL)
		rt->refs++;
	return rt;
}

void rest_limits_route_unref(struct rest_route *rt)
{
	rt->refs--;
}

bool rest_limits_warn_once(struct rest_route *rt)
{
	if (rt->warned)
		return false;
	rt->warned = true;
	return true;
}

uint64_t rest_limits_route_next(const struct rest_route *rt, uint64_t now)
{
	return max_u64(window_next(&rt->budget), bucket_next(rt->bucket, now));
}

uint64_t rest_limits_global_hold(const struct rest_limits *l)
{
	return l->global_hold;
}

uint64_t rest_limits_global_next(const struct rest_limits *l)
{
	return window_next(&l->global);
}

struct rest_bucket *rest_limits_sent(struct rest_limits *l, struct rest_route *rt, uint64_t at)
{
	struct rest_bucket *b = rt->bucket;

	b->in_flight++;
	b->refs++;
	window_add(&rt->budget, at);
	window_add(&l->global, at);
	return b;
}

void rest_limits_returned(struct rest_limits *l, struct rest_bucket *b)
{
	b->in_flight--;
	bucket_unref(l, b);
}

/* ---- an answer ---- */

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

size_t rest_limits_on_header(char *line, size_t size, size_t n, void *arg)
{
	struct rest_limit_headers *h = arg;
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
	} else if (header_is(line, name_len, "x-ratelimit-reset") && !h->has_reset) {
		/* Mattermost's (Discord's too, with -Reset-After beside it, which
		 * wins): seconds until the window resets, or when, as epoch seconds */
		double secs = strtod(val, NULL);
		if (secs > 1e9)
			secs -= (double)time(NULL);
		h->reset_after = secs > 0 ? secs : 0;
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

/* What any answer's headers say about its route's bucket. */
void rest_limits_learn(struct rest_limits *l, struct rest_route *rt, const struct rest_limit_headers *h,
                  const char *path, uint64_t now)
{
	struct rest_bucket *b;

	if (h->bucket[0] != '\0')
		route_bucket(l, rt, h->bucket, path);
	b = rt->bucket;
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

uint64_t rest_limits_429(struct rest_limits *l, struct rest_route *rt, const struct rest_limit_headers *h,
                    const char *body, size_t body_len, uint64_t now, bool *global_out)
{
	struct jscan_field f[] = { { .key = "retry_after" }, { .key = "global" } };
	double after = -1;
	bool global = h->global;
	uint64_t ms;

	if (body != NULL && jscan_object(body, body_len, f, 2) == 0) {
		if (f[0].kind == JSCAN_NUMBER)
			after = strtod(f[0].val, NULL);
		global = global || f[1].kind == JSCAN_TRUE;
	}
	if (after < 0 && h->has_retry)
		after = h->retry_after;
	if (after < 0 && h->has_reset)
		after = h->reset_after;
	ms = after < 0 ? REST_DEFAULT_RETRY_MS : seconds_to_ms(after);
	if (global)
		l->global_hold = max_u64(l->global_hold, now + ms);
	else
		rt->bucket->hold_until = max_u64(rt->bucket->hold_until, now + ms);
	*global_out = global;
	return ms;
}

uint64_t rest_limits_retry_after(const struct rest_limit_headers *h)
{
	return h->has_retry ? seconds_to_ms(h->retry_after) : 0;
}
