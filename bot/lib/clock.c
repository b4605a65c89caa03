/*
 * clock: wall-clock milliseconds plus an offset that is zero unless
 * DUTYBOT_FAKE_NOW moved the start.  The offset is taken against the real
 * clock at start, so fake time still advances in real time.
 */
#include "bot/lib/clock.h"
#include "bot/lib/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t offset_ms;
static bool fake;

static int64_t real_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_parse_instant(const char *s)
{
	struct tm tm;
	const char *p;
	char *end;
	int64_t ms = 0;
	long off = 0;

	if (s == NULL || *s == '\0')
		return -1;
	if (strspn(s, "0123456789") == strlen(s)) {
		long long v;
		errno = 0;
		v = strtoll(s, &end, 10);
		/* far beyond any real instant: adding to it would overflow */
		return (*end == '\0' && errno == 0 && v >= 0 && v < 253402300800000LL) ? (int64_t)v : -1;
	}
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {        /* fraction: milliseconds, extra digits ignored */
		int digits = 0;
		for (p++; isdigit((unsigned char)*p); p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			ms *= 10;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int hh, mm;
		if (!(isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) && p[3] == ':' &&
		      isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5])))
			return -1;
		hh = (p[1] - '0') * 10 + (p[2] - '0');
		mm = (p[4] - '0') * 10 + (p[5] - '0');
		if (hh > 23 || mm > 59)
			return -1;
		off = (hh * 60L + mm) * 60L * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;      /* a local time without a zone is ambiguous: refuse it */
	}
	if (*p != '\0')
		return -1;
	return ((int64_t)timegm(&tm) - off) * 1000 + ms;
}

int clock_init(void)
{
	const char *env = getenv("DUTYBOT_FAKE_NOW");
	int64_t start;

	if (env == NULL || *env == '\0')
		return 0;
	start = clock_parse_instant(env);
	if (start < 0) {
		log_warnx("DUTYBOT_FAKE_NOW: cannot parse \"%s\" (ISO-8601 with a zone, or epoch ms)", env);
		return -1;
	}
	offset_ms = start - real_now_ms();
	fake = true;
	log_warnx("clock: FAKE TIME in use: DUTYBOT_FAKE_NOW=%s (offset %lld ms); never in production",
	    env, (long long)offset_ms);
	return 0;
}

bool clock_is_fake(void)
{
	return fake;
}

int64_t clock_now_ms(void)
{
	return real_now_ms() + offset_ms;
}
