/*
 * when: calendar arithmetic on plain y/m/d (days from the civil calendar,
 * no time zone involved), and the zone only where wall time meets instants:
 * mktime() with tm_isdst = -1 for local -> instant, localtime_r() back.
 */
#include "bot/lib/when.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(struct ymd d)
{
	int y = d.y - (d.m <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (unsigned)((153 * (d.m + (d.m > 2 ? -3 : 9)) + 2) / 5 + d.d - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static struct ymd civil_from_days(int64_t z)
{
	struct ymd r;
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	r.y = (int)((int64_t)yoe + era * 400 + (r.m <= 2));
	return r;
}

static bool valid_date(struct ymd d)
{
	struct ymd back;

	if (d.y < 1970 || d.y > 9999 || d.m < 1 || d.m > 12 || d.d < 1 || d.d > 31)
		return false;
	back = civil_from_days(days_from_civil(d));
	return back.y == d.y && back.m == d.m && back.d == d.d;
}

struct ymd when_add_days(struct ymd d, int days)
{
	return civil_from_days(days_from_civil(d) + days);
}

int when_compare(struct ymd a, struct ymd b)
{
	int64_t x = days_from_civil(a), y = days_from_civil(b);

	return x < y ? -1 : x > y;
}

int when_weekday(struct ymd d)
{
	/* 1970-01-01 was a Thursday (3 with Monday = 0) */
	int64_t w = (days_from_civil(d) + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

void when_local_date(int64_t ms, struct ymd *out, int *minute_of_day)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	out->y = tm.tm_year + 1900;
	out->m = tm.tm_mon + 1;
	out->d = tm.tm_mday;
	if (minute_of_day != NULL)
		*minute_of_day = tm.tm_hour * 60 + tm.tm_min;
}

int64_t when_local_ms(struct ymd date, int minutes)
{
	struct ymd day = when_add_days(date, minutes / 1440);
	struct tm tm;

	minutes %= 1440;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = day.y - 1900;
	tm.tm_mon = day.m - 1;
	tm.tm_mday = day.d;
	tm.tm_hour = minutes / 60;
	tm.tm_min = minutes % 60;
	tm.tm_isdst = -1;       /* let the zone decide; a time in a DST gap moves forward */
	return (int64_t)mktime(&tm) * 1000;
}

int when_parse_hhmm(const char *s)
{
	if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	{
		int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
		return h < 24 && m < 60 ? h * 60 + m : -1;
	}
}

int when_parse_date(const char *s, int64_t now_ms, struct ymd *out)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	struct ymd today;
	char lower[16];
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(lower))
		return -1;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)s[i]);
	when_local_date(now_ms, &today, NULL);
	if (strcmp(lower, "today") == 0) {
		*out = today;
		return 0;
	}
	if (strcmp(lower, "yesterday") == 0) {
		*out = when_add_days(today, -1);
		return 0;
	}
	if (strcmp(lower, "tomorrow") == 0) {
		*out = when_add_days(today, 1);
		return 0;
	}
	for (int i = 0; i < 7; i++) {
		if (strcmp(lower, days[i]) == 0) {
			*out = when_add_days(today, (i - when_weekday(today) + 7) % 7);
			return 0;
		}
	}
	if (n == 10 && s[4] == '-' && s[7] == '-') {
		struct ymd d;
		char *end;
		for (int i = 0; i < 10; i++)
			if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
				return -1;
		d.y = (int)strtol(s, &end, 10);
		d.m = (int)strtol(s + 5, &end, 10);
		d.d = (int)strtol(s + 8, &end, 10);
		if (!valid_date(d))
			return -1;
		*out = d;
		return 0;
	}
	return -1;
}

int when_parse_range(const char *s, int64_t now_ms, struct ymd *from, struct ymd *to)
{
	const char *dots = strstr(s, "..");
	char a[32];

	if (dots == NULL) {
		if (when_parse_date(s, now_ms, from) != 0)
			return -1;
		*to = *from;
		return 0;
	}
	if ((size_t)(dots - s) >= sizeof(a))
		return -1;
	memcpy(a, s, (size_t)(dots - s));
	a[dots - s] = '\0';
	if (when_parse_date(a, now_ms, from) != 0 || when_parse_date(dots + 2, now_ms, to) != 0)
		return -1;
	if (when_compare(*from, *to) > 0 || days_from_civil(*to) - days_from_civil(*from) >= WHEN_RANGE_MAX_DAYS)
		return -1;
	return 0;
}

const char *when_format(struct ymd d, char *buf)
{
	snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u, (unsigned)d.d % 100u);
	return buf;
}

const char *when_hhmm(int64_t ms, char *buf)
{
	struct ymd d;
	int min;

	when_local_date(ms, &d, &min);
	snprintf(buf, 6, "%02u:%02u", (unsigned)(min / 60) % 100u, (unsigned)min % 60u);
	return buf;
}

struct ymd when_week_monday(struct ymd d)
{
	return when_add_days(d, -when_weekday(d));
}

const char *when_week(struct ymd d, char *buf)
{
	/* the ISO year is the year of the week's Thursday */
	struct ymd thu = when_add_days(when_week_monday(d), 3);
	struct ymd jan1 = { thu.y, 1, 1 };
	int64_t week = (days_from_civil(thu) - days_from_civil(jan1)) / 7 + 1;

	snprintf(buf, 9, "%04u-W%02u", (unsigned)thu.y % 10000u, (unsigned)(week % 100));
	return buf;
}

int when_parse_week(const char *s, struct ymd *monday)
{
	struct ymd jan4, w1;
	int y, w;

	if (strlen(s) != 8 || s[4] != '-' || (s[5] != 'W' && s[5] != 'w') ||
	    !isdigit((unsigned char)s[6]) || !isdigit((unsigned char)s[7]))
		return -1;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	y = atoi(s);
	w = (s[6] - '0') * 10 + (s[7] - '0');
	if (y < 1970 || w < 1 || w > 53)
		return -1;
	jan4 = (struct ymd){ y, 1, 4 };         /* always in week 1 */
	w1 = when_week_monday(jan4);
	*monday = when_add_days(w1, (w - 1) * 7);
	{
		char back[9];
		when_week(*monday, back);
		if (strncmp(back, s, 4) != 0)
			return -1;          /* week 53 of a year that has 52 */
	}
	return 0;
}
