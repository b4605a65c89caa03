/*
 * clock: the daemon's one notion of "now".  DUTYBOT_FAKE_NOW (ISO-8601 such
 * as 2026-03-02T07:55:00Z / 2026-03-02T07:55:00+01:00, or epoch milliseconds)
 * makes the clock start at that instant and advance in real time, so tests of
 * shift and week logic need no long sleeps.  Scripts never read Redis TIME:
 * this value is passed to them.
 */
#ifndef DUTYBOT_CLOCK_H
#define DUTYBOT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Reads DUTYBOT_FAKE_NOW once; returns -1 (and logs) if it is set but bad. */
int clock_init(void);
bool clock_is_fake(void);
int64_t clock_now_ms(void);            /* wall clock, milliseconds since the epoch */
int64_t clock_parse_instant(const char *s);   /* ISO-8601 or epoch ms; -1 if bad */

#endif
