/*
 * clicks: a short list of the clicks in progress (see clicks.h), newest
 * first; a handful at a time in practice, so a list is all it needs.
 */
#include "bot/platform/clicks.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct click {
	struct click *next;
	char key[24];
	uint64_t at;
	void *data;
};

struct clicks {
	struct click *head;
	uint64_t ttl_ms, next_id;
	size_t max;
	void (*free_data)(void *data);
};

struct clicks *clicks_new(uint64_t ttl_ms, size_t max, void (*free_data)(void *data))
{
	struct clicks *t = calloc(1, sizeof(*t));

	if (t != NULL) {
		t->ttl_ms = ttl_ms;
		t->max = max > 0 ? max : 1;
		t->free_data = free_data;
	}
	return t;
}

static void expire(struct clicks *t, uint64_t now)
{
	size_t n = 0;

	for (struct click **p = &t->head; *p;) {
		struct click *k = *p;
		if (now - k->at > t->ttl_ms || ++n >= t->max) {
			*p = k->next;
			t->free_data(k->data);
			free(k);
		} else {
			p = &k->next;
		}
	}
}

const char *clicks_add(struct clicks *t, uint64_t now, void *data)
{
	struct click *k;

	expire(t, now);
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		t->free_data(data);
		return NULL;
	}
	snprintf(k->key, sizeof(k->key), "k%" PRIu64, ++t->next_id);
	k->at = now;
	k->data = data;
	k->next = t->head;
	t->head = k;
	return k->key;
}

void *clicks_take(struct clicks *t, const char *key)
{
	for (struct click **p = &t->head; *p; p = &(*p)->next) {
		struct click *k = *p;
		if (strcmp(k->key, key) == 0) {
			void *data = k->data;
			*p = k->next;
			free(k);
			return data;
		}
	}
	return NULL;
}

void clicks_free(struct clicks *t)
{
	if (t == NULL)
		return;
	while (t->head != NULL) {
		struct click *k = t->head;
		t->head = k->next;
		t->free_data(k->data);
		free(k);
	}
	free(t);
}
