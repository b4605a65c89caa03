/*
 * history: a fixed-capacity ring of message frames.  The oldest entry is
 * dropped when a new one arrives at capacity, so memory stays bounded however
 * long a demo runs; ids only grow, so "everything after m-N" is a binary
 * search followed by a walk to the end.
 */
#include <stdlib.h>

#include "history.h"

struct history {
	struct history_entry *ring;     /* owned */
	size_t cap;
	size_t head;                    /* index of the oldest entry */
	size_t n;
};

struct history *history_new(size_t cap)
{
	struct history *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->ring = calloc(cap, sizeof(*h->ring));
	if (!h->ring) {
		free(h);
		return NULL;
	}
	h->cap = cap;
	return h;
}

void history_free(struct history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->ring[(h->head + i) % h->cap].frame);
	free(h->ring);
	free(h);
}

void history_add(struct history *h, uint64_t id, char *frame, size_t len)
{
	struct history_entry *e;

	if (h->n == h->cap) {
		free(h->ring[h->head].frame);
		h->head = (h->head + 1) % h->cap;
		h->n--;
	}
	e = &h->ring[(h->head + h->n) % h->cap];
	*e = (struct history_entry){ .id = id, .frame = frame, .len = len };
	h->n++;
}

size_t history_count(const struct history *h)
{
	return h->n;
}

const struct history_entry *history_at(const struct history *h, size_t i)
{
	return &h->ring[(h->head + i) % h->cap];
}

size_t history_after(const struct history *h, uint64_t after)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (history_at(h, mid)->id <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
