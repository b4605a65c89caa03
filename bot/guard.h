/*
 * guard: the abuse guard.  A token bucket per platform identity (burst, then
 * commands_per_minute); someone over it is told once and the excess is
 * dropped, nobody else is slowed.  In memory: a flood never reaches Redis.
 */
#ifndef DUTYBOT_GUARD_H
#define DUTYBOT_GUARD_H

#include <stdint.h>

enum guard_verdict { GUARD_OK, GUARD_WARN, GUARD_DROP };

struct guard;

struct guard *guard_new(int per_minute, int burst);
void guard_configure(struct guard *g, int per_minute, int burst);
/* *WAIT_MS: when the next command would pass (for WARN). */
enum guard_verdict guard_check(struct guard *g, const char *identity, int64_t now_ms, int64_t *wait_ms);
void guard_free(struct guard *g);

#endif
