/*
 * strmap: a small bounded string -> string map (most recently used first),
 * for what an adapter learns once and asks often: a person's DM channel.
 * Past MAX entries the least recently used one is forgotten (it is learned
 * again with one REST call), so memory stays bounded however many people
 * write to the bot.
 */
#ifndef DUTYBOT_STRMAP_H
#define DUTYBOT_STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap *strmap_new(size_t max);
/* NULL if absent; the value lives until the next put or free. */
const char *strmap_get(struct strmap *m, const char *key);
void strmap_put(struct strmap *m, const char *key, const char *value);
void strmap_free(struct strmap *m);

#endif
