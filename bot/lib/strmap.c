/*
 * strmap: a bounded most-recently-used list (see strmap.h).  A list is
 * enough: lookups are per DM sent, and the hit is almost always in front.
 */
#include "bot/lib/strmap.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	struct entry *next;
	char *key, *value;
};

struct strmap {
	struct entry *head;
	size_t n, max;
};

struct strmap *strmap_new(size_t max)
{
	struct strmap *m = calloc(1, sizeof(*m));

	if (m != NULL)
		m->max = max > 0 ? max : 1;
	return m;
}

static void entry_free(struct entry *e)
{
	free(e->key);
	free(e->value);
	free(e);
}

const char *strmap_get(struct strmap *m, const char *key)
{
	for (struct entry **p = &m->head; *p; p = &(*p)->next) {
		struct entry *e = *p;
		if (strcmp(e->key, key) == 0) {
			*p = e->next;           /* to the front */
			e->next = m->head;
			m->head = e;
			return e->value;
		}
	}
	return NULL;
}

void strmap_put(struct strmap *m, const char *key, const char *value)
{
	struct entry *e;

	if (strmap_get(m, key) != NULL) {
		char *v = strdup(value);
		if (v != NULL) {
			free(m->head->value);
			m->head->value = v;
		}
		return;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL || (e->key = strdup(key)) == NULL ||
	    (e->value = strdup(value)) == NULL) {
		if (e != NULL)
			entry_free(e);
		return;
	}
	e->next = m->head;
	m->head = e;
	if (++m->n > m->max) {
		struct entry **p = &m->head;
		while ((*p)->next != NULL)
			p = &(*p)->next;
		entry_free(*p);
		*p = NULL;
		m->n--;
	}
}

void strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	while (m->head != NULL) {
		struct entry *e = m->head;
		m->head = e->next;
		entry_free(e);
	}
	free(m);
}
