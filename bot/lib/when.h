/*
 * when: dates and times as the department speaks them, in the configured
 * zone (TZ is set from the config).  Shift times are wall-clock: a shift on
 * the day clocks change is an hour shorter or longer.  Week keys are ISO
 * weeks ("2026-W10").
 */
#ifndef DUTYBOT_WHEN_H
#define DUTYBOT_WHEN_H

#include <stdbool.h>
#include <stdint.h>

struct ymd {
	int y, m, d;
};

#define WHEN_RANGE_MAX_DAYS 62

/* "2026-03-02", "today", "tomorrow", "yesterday", "mon".."sun" (the next such day, today
 * included).  0 or -1. */
int when_parse_date(const char *s, int64_t now_ms, struct ymd *out);
/* A date or "A..B" (inclusive, at most WHEN_RANGE_MAX_DAYS days). */
int when_parse_range(const char *s, int64_t now_ms, struct ymd *from, struct ymd *to);
/* "HH:MM" -> minutes after midnight; -1 if bad. */
int when_parse_hhmm(const char *s);

void when_local_date(int64_t ms, struct ymd *out, int *minute_of_day);
/* The instant of local wall time DATE + MINUTES (minutes may pass 24 h). */
int64_t when_local_ms(struct ymd date, int minutes);
struct ymd when_add_days(struct ymd d, int days);
int when_compare(struct ymd a, struct ymd b);
int when_weekday(struct ymd d);                 /* 0 = Monday .. 6 = Sunday */
/* "2026-03-02" into BUF (11 bytes). */
const char *when_format(struct ymd d, char *buf);
/* "HH:MM" of an instant, local. */
const char *when_hhmm(int64_t ms, char *buf);
/* ISO week "2026-W10" of a date into BUF (9 bytes); its Monday. */
const char *when_week(struct ymd d, char *buf);
struct ymd when_week_monday(struct ymd d);
/* "2026-W10" -> its Monday; -1 if bad. */
int when_parse_week(const char *s, struct ymd *monday);

#endif
