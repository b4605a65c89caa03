/*
 * shift_time: see shift_time.h.
 */
#include "handlers/shift_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct config_shift *shift_by_name(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_shifts; i++)
		if (strcmp(cfg->shifts[i].name, name) == 0)
			return &cfg->shifts[i];
	return NULL;
}

void shift_instance(const struct config_shift *s, struct ymd date, struct shift_instance *out)
{
	int end = s->end_min <= s->start_min ? s->end_min + 1440 : s->end_min;

	out->date = date;
	out->shift = s;
	out->start = when_local_ms(date, s->start_min);
	out->end = when_local_ms(date, end);
	when_format(date, out->date_s);
	when_week(date, out->week);
}

static int by_start(const void *a, const void *b)
{
	const struct shift_instance *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int shift_instances_around(const struct config *cfg, int64_t now, struct shift_instance *out, int max)
{
	struct ymd today;
	int n = 0;

	when_local_date(now, &today, NULL);
	for (int d = -1; d <= 1; d++)
		for (size_t i = 0; i < cfg->n_shifts && n < max; i++)
			shift_instance(&cfg->shifts[i], when_add_days(today, d), &out[n++]);
	qsort(out, (size_t)n, sizeof(*out), by_start);
	return n;
}

int shift_previous(const struct config *cfg, const struct shift_instance *inst, struct shift_instance *out)
{
	int found = -1;

	for (int d = -2; d <= 0; d++) {
		for (size_t i = 0; i < cfg->n_shifts; i++) {
			struct shift_instance c;
			shift_instance(&cfg->shifts[i], when_add_days(inst->date, d), &c);
			if (c.end <= inst->start && (found < 0 || c.end > out->end || (c.end == out->end && c.start > out->start))) {
				*out = c;
				found = 0;
			}
		}
	}
	return found;
}

int shift_next(const struct config *cfg, const struct shift_instance *inst, struct shift_instance *out)
{
	struct shift_instance around[64], prev;
	int count = shift_instances_around(cfg, inst->end, around, 64);

	for (int i = 0; i < count; i++)         /* sorted by start: the first that follows INST */
		if (around[i].start >= inst->end && shift_previous(cfg, &around[i], &prev) == 0
		    && prev.start == inst->start && prev.shift == inst->shift) {
			*out = around[i];
			return 0;
		}
	return -1;
}

const char *shift_running(const struct config *cfg, int64_t now, char *buf, size_t n)
{
	struct shift_instance around[64];
	int count = shift_instances_around(cfg, now, around, 64);
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < count; i++)
		if (around[i].start <= now && now < around[i].end)
			len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s|%s", len ? " " : "",
			    around[i].date_s, around[i].shift->name);
	return buf;
}

const char *shift_names(const struct config *cfg, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_shifts; i++)
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", i ? " " : "", cfg->shifts[i].name);
	return buf;
}

const char *shift_lengths(const struct config *cfg, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_shifts; i++) {
		const struct config_shift *s = &cfg->shifts[i];
		int min = s->end_min > s->start_min ? s->end_min - s->start_min : s->end_min + 1440 - s->start_min;
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s:%lld", i ? " " : "", s->name,
		    (long long)min * 60000);
	}
	return buf;
}

int64_t shift_checkin_opens_ms(const struct config *cfg)
{
	return cfg->policy.reminder_ms > cfg->policy.checkin_opens_ms ? cfg->policy.reminder_ms
	    : cfg->policy.checkin_opens_ms;
}
