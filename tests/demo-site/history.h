/*
 * history: the site's memory of chat messages, for replay on resume.  It is a
 * ring of the newest HISTORY_CAP message frames, each kept as the exact JSON
 * text once sent (or that would have been sent) to the bot, in id order.
 */
#ifndef DEMO_HISTORY_H
#define DEMO_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define HISTORY_CAP 10000

struct history_entry {
	uint64_t id;            /* the N of "m-N" */
	char *frame;            /* owned by the history */
	size_t len;
};

struct history;

struct history *history_new(size_t cap);
void history_free(struct history *h);

/* Appends a message; ID must be above every id already in. Takes FRAME (malloc'd). */
void history_add(struct history *h, uint64_t id, char *frame, size_t len);

size_t history_count(const struct history *h);

/* The I-th oldest entry kept, 0 <= I < history_count(). */
const struct history_entry *history_at(const struct history *h, size_t i);

/* Index of the oldest entry with id > AFTER; history_count() if none. */
size_t history_after(const struct history *h, uint64_t after);

#endif
