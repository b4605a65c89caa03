/*
 * clicks: the button clicks an adapter has handed to the daemon and not yet
 * answered.  The daemon knows a click only by its key; when the command it
 * ran ends (conn_ops.click_done) the adapter takes the click back by that key
 * to answer it on the platform.  A click whose command never ends (dropped by
 * the abuse guard) is forgotten after TTL, and at most MAX are kept, so the
 * table stays bounded.
 */
#ifndef DUTYBOT_CLICKS_H
#define DUTYBOT_CLICKS_H

#include <stddef.h>
#include <stdint.h>

struct clicks;

/* FREE_DATA frees what an adapter registered (expired, or left at the end). */
struct clicks *clicks_new(uint64_t ttl_ms, size_t max, void (*free_data)(void *data));
/* Registers DATA (the table owns it from now on) at NOW; returns its key, or
 * NULL (out of memory: DATA is freed).  The key lives while it is registered. */
const char *clicks_add(struct clicks *t, uint64_t now, void *data);
/* Unregisters KEY and hands its data back to the caller; NULL if unknown. */
void *clicks_take(struct clicks *t, const char *key);
void clicks_free(struct clicks *t);

#endif
