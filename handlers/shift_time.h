/*
 * shift_time: the configured shifts as instances in time.  A shift on a date
 * starts at its wall-clock start in the site's zone and ends at its end, the
 * next day when the end is not after the start (a night shift).
 */
#ifndef DUTYBOT_SHIFT_TIME_H
#define DUTYBOT_SHIFT_TIME_H

#include <stdint.h>
#include "config/config.h"
#include "bot/lib/when.h"

struct shift_instance {
	struct ymd date;
	const struct config_shift *shift;
	int64_t start, end;
	char date_s[11];
	char week[9];           /* ISO week of the date */
};

const struct config_shift *shift_by_name(const struct config *cfg, const char *name);
void shift_instance(const struct config_shift *s, struct ymd date, struct shift_instance *out);
/* Instances of every shift from date FROM-1 to FROM+1, sorted by start. */
int shift_instances_around(const struct config *cfg, int64_t now, struct shift_instance *out, int max);
/* The instance that ends last at or before INST starts (its predecessor); -1 if none. */
int shift_previous(const struct config *cfg, const struct shift_instance *inst, struct shift_instance *out);
/* The instance whose previous one (shift_previous) is INST: the one it hands
 * over to.  0, or -1 when there is none. */
int shift_next(const struct config *cfg, const struct shift_instance *inst, struct shift_instance *out);
/* "2026-03-02|day 2026-03-01|night": the instances running at NOW, for scripts. */
const char *shift_running(const struct config *cfg, int64_t now, char *buf, size_t n);
/* How long before its start a shift is open for check-in: policy.checkin_opens,
 * or policy.reminder when that is earlier (whoever is reminded to check in can). */
int64_t shift_checkin_opens_ms(const struct config *cfg);
/* "a b c": every shift name. */
const char *shift_names(const struct config *cfg, char *buf, size_t n);
/* "early:28800000 night:28800000": every shift's length on an ordinary day
 * (ms), for the scripts that weigh hours on the roster (_2roster.lua). */
const char *shift_lengths(const struct config *cfg, char *buf, size_t n);

#endif
