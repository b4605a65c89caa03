/*
 * guard: a fixed table of buckets with open addressing.  A bucket idle long
 * enough to be full again is as good as none, so when a probe run is full
 * the stalest bucket is reused: memory stays bounded whatever the traffic.
 * A bucket with commands waiting is never reused (its person's work would be
 * lost); only staff have queues, each at most queue_max long, so what waits
 * is bounded by queue_max times the staff who are flooding.  Buckets with a
 * queue are also on the busy list, which guard_next_ready() walks round-robin
 * so one person's long queue does not starve another's.
 *
 * A bucket is "vouched" while Redis has said, since this flood's notice, that
 * its person is a chat friend; only then may guard_precheck() drop a line
 * without asking Redis, and only for GUARD_VOUCH_MS after that word.
 */
#include "bot/guard.h"

#include <stdlib.h>
#include <string.h>

#define GUARD_SLOTS 4096
#define GUARD_PROBES 8
#define GUARD_KEY_MAX 200
#define GUARD_QUEUE_FIRST 8     /* a queue's first allocation; it doubles up to queue_max */

struct bucket {
	char key[GUARD_KEY_MAX];
	double tokens;
	int64_t last_ms;
	bool used;
	bool told;              /* told of this flood (dropped or delayed) */
	bool told_full;         /* told that the queue is full, this flood */
	bool vouched;           /* Redis said "a friend" during this flood (after it was told)... */
	int64_t vouched_ms;     /* ...at this time */
	unsigned char cls;      /* enum guard_class */
	char lang[8];
	size_t busy;            /* index in the busy list + 1; 0: not on it */
	void **q;               /* ring of waiting items */
	size_t q_head, q_n, q_cap;
};

struct rate {
	double per_ms;
	double capacity;
};

struct guard {
	struct rate rate[GUARD_CLASSES];
	size_t queue_max;
	size_t n_queued;
	size_t n_busy, rr;
	struct bucket *busy[GUARD_SLOTS];
	struct bucket slots[GUARD_SLOTS];
};

struct guard *guard_new(const struct guard_limits *friend_limits, const struct guard_limits *staff_limits,
                        int queue_max)
{
	struct guard *g = calloc(1, sizeof(*g));

	if (g != NULL)
		guard_configure(g, friend_limits, staff_limits, queue_max);
	return g;
}

static void set_rate(struct rate *r, const struct guard_limits *l)
{
	/* zero or negative: at least a burst of 1 and 1 a minute, never "nothing passes" */
	r->per_ms = (l != NULL && l->per_minute > 0 ? l->per_minute : 1) / 60000.0;
	r->capacity = l != NULL && l->burst > 0 ? l->burst : 1;
}

void guard_configure(struct guard *g, const struct guard_limits *friend_limits,
                     const struct guard_limits *staff_limits, int queue_max)
{
	set_rate(&g->rate[GUARD_UNKNOWN], friend_limits);
	set_rate(&g->rate[GUARD_FRIEND], friend_limits);
	set_rate(&g->rate[GUARD_STAFF], staff_limits);
	g->queue_max = queue_max > 0 ? (size_t)queue_max : 1;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct bucket *lookup(struct guard *g, const char *key)
{
	uint32_t h = hash(key);

	for (int i = 0; i < GUARD_PROBES; i++) {
		struct bucket *b = &g->slots[(h + (uint32_t)i) % GUARD_SLOTS];
		if (!b->used)
			return NULL;
		if (strncmp(b->key, key, sizeof(b->key) - 1) == 0)
			return b;
	}
	return NULL;
}

/* KEY's bucket, a new one (full, of class CLS) if it has none; NULL only
 * when every bucket of its probe run has commands waiting. */
static struct bucket *find(struct guard *g, const char *key, enum guard_class cls, int64_t now)
{
	uint32_t h = hash(key);
	struct bucket *stalest = NULL;

	for (int i = 0; i < GUARD_PROBES; i++) {
		struct bucket *b = &g->slots[(h + (uint32_t)i) % GUARD_SLOTS];
		if (b->used && strncmp(b->key, key, sizeof(b->key) - 1) == 0)
			return b;
		if (b->q_n > 0)
			continue;       /* pinned: someone's commands wait in it */
		if (!b->used || stalest == NULL || (stalest->used && b->last_ms < stalest->last_ms))
			stalest = b;
		if (!b->used)
			break;
	}
	if (stalest == NULL)
		return NULL;
	free(stalest->q);
	memset(stalest, 0, sizeof(*stalest));
	stalest->used = true;
	strncpy(stalest->key, key, sizeof(stalest->key) - 1);
	stalest->cls = (unsigned char)cls;
	stalest->tokens = g->rate[cls].capacity;
	stalest->last_ms = now;
	return stalest;
}

static void refill(struct guard *g, struct bucket *b, int64_t now)
{
	const struct rate *r = &g->rate[b->cls];

	if (now > b->last_ms) {
		b->tokens += (double)(now - b->last_ms) * r->per_ms;
		b->last_ms = now;
	}
	if (b->tokens >= r->capacity) {
		b->tokens = r->capacity;
		if (b->q_n == 0)
			b->told = b->told_full = b->vouched = false;    /* the flood is over */
	}
}

/* Milliseconds until B has N tokens (0 if it has). */
static int64_t wait_for(const struct guard *g, const struct bucket *b, double n)
{
	if (b->tokens >= n)
		return 0;
	return (int64_t)((n - b->tokens) / g->rate[b->cls].per_ms) + 1;
}

enum guard_class guard_class_of(struct guard *g, const char *identity)
{
	struct bucket *b = lookup(g, identity);

	return b != NULL ? (enum guard_class)b->cls : GUARD_UNKNOWN;
}

static bool push(struct guard *g, struct bucket *b, void *item)
{
	if (b->q_n == b->q_cap) {
		size_t cap = b->q_cap ? b->q_cap * 2 : GUARD_QUEUE_FIRST;
		void **q;
		if (cap > g->queue_max)
			cap = g->queue_max;
		if (cap <= b->q_cap || (q = malloc(cap * sizeof(*q))) == NULL)
			return false;
		for (size_t i = 0; i < b->q_n; i++)
			q[i] = b->q[(b->q_head + i) % b->q_cap];
		free(b->q);
		b->q = q;
		b->q_cap = cap;
		b->q_head = 0;
	}
	b->q[(b->q_head + b->q_n) % b->q_cap] = item;
	b->q_n++;
	g->n_queued++;
	if (b->busy == 0) {
		g->busy[g->n_busy++] = b;
		b->busy = g->n_busy;
	}
	return true;
}

static void *pop(struct guard *g, struct bucket *b)
{
	void *item = b->q[b->q_head];

	b->q_head = (b->q_head + 1) % b->q_cap;
	b->q_n--;
	g->n_queued--;
	if (b->q_n == 0) {
		/* off the busy list: the last one takes its place */
		struct bucket *last = g->busy[--g->n_busy];
		g->busy[b->busy - 1] = last;
		last->busy = b->busy;
		b->busy = 0;
	}
	return item;
}

static void learn(struct guard *g, struct bucket *b, enum guard_class cls, const char *lang, int64_t now_ms)
{
	if (cls != GUARD_UNKNOWN && b->cls != cls) {
		/* newly learned (or changed): a fresh bucket of the new class; but
		 * one counted at the friends' limits while nobody knew (Redis was
		 * down) keeps its count when it turns out to be a friend's */
		if (!(b->cls == GUARD_UNKNOWN && cls == GUARD_FRIEND)) {
			b->tokens = g->rate[cls].capacity;
			b->last_ms = now_ms;
			b->told = b->told_full = false;
		}
		b->cls = (unsigned char)cls;
		b->vouched = false;
	}
	if (lang != NULL && *lang)
		strncpy(b->lang, lang, sizeof(b->lang) - 1);
}

/* Redis said B's person is of class CLS: during a friend's flood, that
 * vouches for dropping their next lines before Redis for a while. */
static void vouch(struct bucket *b, enum guard_class cls, int64_t now_ms)
{
	if (cls == GUARD_FRIEND && b->told) {
		b->vouched = true;
		b->vouched_ms = now_ms;
	}
}

void guard_learn(struct guard *g, const char *identity, enum guard_class cls, const char *lang, int64_t now_ms)
{
	struct bucket *b = lookup(g, identity);

	if (b != NULL) {
		learn(g, b, cls, lang, now_ms);
		refill(g, b, now_ms);
		vouch(b, cls, now_ms);
	}
}

enum guard_verdict guard_check(struct guard *g, const char *identity, enum guard_class cls, const char *lang,
                               int64_t now_ms, void *item, struct guard_note *note)
{
	struct guard_note dummy;
	struct bucket *b = find(g, identity, cls, now_ms);

	if (note == NULL)
		note = &dummy;
	memset(note, 0, sizeof(*note));
	if (b == NULL)
		return GUARD_OK;        /* nowhere to count it: let it pass rather than lose work */
	learn(g, b, cls, lang, now_ms);
	memcpy(note->lang, b->lang, sizeof(note->lang));
	refill(g, b, now_ms);
	vouch(b, cls, now_ms);
	if (b->cls == GUARD_STAFF && item != NULL) {
		if (b->q_n == 0 && b->tokens >= 1.0) {
			b->tokens -= 1.0;
			return GUARD_OK;
		}
		if (b->q_n >= g->queue_max || !push(g, b, item)) {
			note->tell = !b->told_full;
			b->told_full = true;
			note->queued = b->q_n;
			note->wait_ms = wait_for(g, b, (double)b->q_n + 1.0);
			return GUARD_FULL;
		}
		note->tell = !b->told;
		b->told = true;
		note->queued = b->q_n;
		note->wait_ms = wait_for(g, b, (double)b->q_n);
		return GUARD_DELAY;
	}
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return GUARD_OK;
	}
	note->tell = !b->told;
	b->told = true;
	vouch(b, cls, now_ms);
	note->wait_ms = wait_for(g, b, 1.0);
	return GUARD_DROP;
}

enum guard_verdict guard_precheck(struct guard *g, const char *identity, int64_t now_ms, struct guard_note *note)
{
	struct bucket *b = lookup(g, identity);

	memset(note, 0, sizeof(*note));
	if (b != NULL)
		memcpy(note->lang, b->lang, sizeof(note->lang));
	if (b == NULL || b->cls != GUARD_FRIEND)
		return GUARD_OK;        /* counted once Redis said who it is */
	refill(g, b, now_ms);
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		note->counted = true;
		return GUARD_OK;
	}
	note->wait_ms = wait_for(g, b, 1.0);
	if (!b->told) {
		b->told = true;
		note->tell = true;
		return GUARD_DROP;
	}
	if (b->vouched && now_ms >= b->vouched_ms && now_ms - b->vouched_ms < GUARD_VOUCH_MS)
		return GUARD_DROP;
	return GUARD_OK;        /* not vouched for: Redis says who it is, guard_check() counts it */
}

void *guard_next_ready(struct guard *g, int64_t now_ms)
{
	for (size_t k = 0; k < g->n_busy; k++) {
		size_t i = (g->rr + k) % g->n_busy;
		struct bucket *b = g->busy[i];
		refill(g, b, now_ms);
		if (b->tokens >= 1.0) {
			b->tokens -= 1.0;
			g->rr = i + 1;
			return pop(g, b);
		}
	}
	return NULL;
}

int64_t guard_next_due(struct guard *g, int64_t now_ms)
{
	int64_t due = -1;

	for (size_t i = 0; i < g->n_busy; i++) {
		struct bucket *b = g->busy[i];
		int64_t w;
		refill(g, b, now_ms);
		w = wait_for(g, b, 1.0);
		if (due < 0 || w < due)
			due = w;
	}
	return due;
}

void *guard_take_any(struct guard *g)
{
	return g->n_busy > 0 ? pop(g, g->busy[0]) : NULL;
}

size_t guard_queued(const struct guard *g)
{
	return g->n_queued;
}

void guard_free(struct guard *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < GUARD_SLOTS; i++)
		free(g->slots[i].q);
	free(g);
}
