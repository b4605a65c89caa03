/*
 * guard: a fixed table of buckets with open addressing.  A bucket idle long
 * enough to be full again is as good as none, so when a probe run is full
 * the stalest bucket is reused: memory stays bounded whatever the traffic.
 */
#include "bot/guard.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define GUARD_SLOTS 4096
#define GUARD_PROBES 8
#define GUARD_KEY_MAX 200

struct bucket {
	char key[GUARD_KEY_MAX];
	double tokens;
	int64_t last_ms;
	bool used;
	bool warned;
};

struct guard {
	double per_ms;
	double capacity;
	struct bucket slots[GUARD_SLOTS];
};

struct guard *guard_new(int per_minute, int burst)
{
	struct guard *g = calloc(1, sizeof(*g));

	if (g != NULL)
		guard_configure(g, per_minute, burst);
	return g;
}

void guard_configure(struct guard *g, int per_minute, int burst)
{
	g->per_ms = (per_minute > 0 ? per_minute : 1) / 60000.0;
	g->capacity = burst > 0 ? burst : 1;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct bucket *find(struct guard *g, const char *key, int64_t now)
{
	uint32_t h = hash(key);
	struct bucket *stalest = NULL;

	for (int i = 0; i < GUARD_PROBES; i++) {
		struct bucket *b = &g->slots[(h + (uint32_t)i) % GUARD_SLOTS];
		if (b->used && strcmp(b->key, key) == 0)
			return b;
		if (!b->used || stalest == NULL || (stalest->used && b->last_ms < stalest->last_ms))
			stalest = b;
		if (!b->used)
			break;
	}
	memset(stalest, 0, sizeof(*stalest));
	stalest->used = true;
	strncpy(stalest->key, key, sizeof(stalest->key) - 1);
	stalest->tokens = g->capacity;
	stalest->last_ms = now;
	return stalest;
}

enum guard_verdict guard_check(struct guard *g, const char *identity, int64_t now_ms, int64_t *wait_ms)
{
	struct bucket *b = find(g, identity, now_ms);

	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * g->per_ms;
		if (b->tokens > g->capacity)
			b->tokens = g->capacity;
		b->last_ms = now_ms;
	}
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		b->warned = false;
		return GUARD_OK;
	}
	if (wait_ms != NULL)
		*wait_ms = (int64_t)((1.0 - b->tokens) / g->per_ms) + 1;
	if (b->warned)
		return GUARD_DROP;
	b->warned = true;
	return GUARD_WARN;
}

void guard_free(struct guard *g)
{
	free(g);
}
