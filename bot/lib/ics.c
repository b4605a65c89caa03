/*
 * ics: the text of an iCalendar object.  Clients differ in how much of RFC
 * 5545 they forgive, so everything here is the strict form: CRLF after every
 * line, folds before the 76th octet and on a character's first byte (a fold
 * inside a UTF-8 sequence is legal but breaks naive unfolders), and a
 * VTIMEZONE that lists the zone's real transitions for the span asked rather
 * than RRULEs guessed from them (a zone's rules change; its transitions are
 * what tzdata says they are).
 */
#include "bot/lib/ics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ICS_FOLD 75             /* octets of a line before its CRLF */

static void put(struct ics_buf *b, const char *s, size_t n)
{
	char *grown;
	size_t cap;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((grown = realloc(b->text, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->text = grown;
		b->cap = cap;
	}
	memcpy(b->text + b->len, s, n);
	b->len += n;
	b->text[b->len] = '\0';
}

void ics_buf_free(struct ics_buf *b)
{
	free(b->text);
	*b = (struct ics_buf){ 0 };
}

char *ics_buf_take(struct ics_buf *b, size_t *len)
{
	char *t = b->failed ? NULL : b->text;

	if (t == NULL)
		free(b->text);
	*len = t ? b->len : 0;
	*b = (struct ics_buf){ 0 };
	return t;
}

/* LINE (LEN octets, unfolded) folded: the first piece up to 75 octets, each
 * next one a space and up to 74, a piece never ending inside a character. */
static void put_folded(struct ics_buf *b, const char *line, size_t len)
{
	size_t room = ICS_FOLD;

	while (len > room) {
		size_t cut = room;
		while (cut > 1 && ((unsigned char)line[cut] & 0xC0) == 0x80)
			cut--;
		put(b, line, cut);
		put(b, "\r\n ", 3);
		line += cut;
		len -= cut;
		room = ICS_FOLD - 1;
	}
	put(b, line, len);
	put(b, "\r\n", 2);
}

static void line_of(struct ics_buf *b, const char *name, const char *value, bool text)
{
	struct ics_buf l = { 0 };

	put(&l, name, strlen(name));
	put(&l, ":", 1);
	for (const char *p = value ? value : ""; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (text && (c == '\\' || c == ';' || c == ',')) {
			char esc[2] = { '\\', (char)c };
			put(&l, esc, 2);
		} else if (text && c == '\n') {
			put(&l, "\\n", 2);
		} else if ((c < 0x20 && c != '\t') || c == 0x7F) {
			continue;       /* CONTROL is not allowed in a value; CR of CRLF goes too */
		} else {
			put(&l, p, 1);
		}
	}
	if (l.failed)
		b->failed = true;
	else
		put_folded(b, l.text, l.len);
	ics_buf_free(&l);
}

void ics_line(struct ics_buf *b, const char *name, const char *value)
{
	line_of(b, name, value, false);
}

void ics_text(struct ics_buf *b, const char *name, const char *value)
{
	line_of(b, name, value, true);
}

static const char *tm_text(const struct tm *tm, char *out, const char *zulu)
{
	/* the moduli only tell the compiler the widths */
	snprintf(out, 17, "%04u%02u%02uT%02u%02u%02u%s", (unsigned)(tm->tm_year + 1900) % 10000u,
	    (unsigned)(tm->tm_mon + 1) % 100u, (unsigned)tm->tm_mday % 100u, (unsigned)tm->tm_hour % 100u,
	    (unsigned)tm->tm_min % 100u, (unsigned)tm->tm_sec % 100u, zulu);
	return out;
}

const char *ics_local_time(int64_t ms, char *out)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	return tm_text(&tm, out, "");
}

const char *ics_utc_time(int64_t ms, char *out)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	return tm_text(&tm, out, "Z");
}

struct ics_offset {
	long gmtoff;
	bool dst;
	char name[16];
};

static struct ics_offset offset_at(time_t t)
{
	struct ics_offset o = { 0 };
	struct tm tm;

	localtime_r(&t, &tm);
	o.gmtoff = tm.tm_gmtoff;
	o.dst = tm.tm_isdst > 0;
	snprintf(o.name, sizeof(o.name), "%s", tm.tm_zone ? tm.tm_zone : "");
	return o;
}

static bool same_offset(const struct ics_offset *a, const struct ics_offset *b)
{
	return a->gmtoff == b->gmtoff && a->dst == b->dst && strcmp(a->name, b->name) == 0;
}

/* "+0100", "-0330", "+053328" (UTC-OFFSET) */
static const char *offset_text(long s, char *out)
{
	unsigned long a = (unsigned long)(s < 0 ? -s : s);

	if (a % 60)
		snprintf(out, 12, "%c%02lu%02lu%02lu", s < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60, a % 60);
	else
		snprintf(out, 12, "%c%02lu%02lu", s < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
	return out;
}

/* One observance: ONSET given in the wall time of the offset before it. */
static void observance(struct ics_buf *b, const char *onset, const struct ics_offset *from,
                       const struct ics_offset *to)
{
	const char *kind = to->dst ? "DAYLIGHT" : "STANDARD";
	char f[12], t[12];

	ics_line(b, "BEGIN", kind);
	ics_line(b, "DTSTART", onset);
	ics_line(b, "TZOFFSETFROM", offset_text(from->gmtoff, f));
	ics_line(b, "TZOFFSETTO", offset_text(to->gmtoff, t));
	if (to->name[0] != '\0')
		ics_text(b, "TZNAME", to->name);
	ics_line(b, "END", kind);
}

void ics_vtimezone(struct ics_buf *b, const char *tzid, int64_t from_ms, int64_t to_ms)
{
	/* zones change at most a few times a year, never twice within hours */
	const time_t step = 3 * 3600;
	time_t t = (time_t)(from_ms / 1000), end = (time_t)(to_ms / 1000);
	struct ics_offset now = offset_at(t);

	ics_line(b, "BEGIN", "VTIMEZONE");
	ics_line(b, "TZID", tzid);
	/* the offset in force when the span starts, as if since 1970: every
	 * event of the feed lies after an onset */
	observance(b, "19700101T000000", &now, &now);
	for (; t < end; t += step) {
		struct ics_offset next = offset_at(t + step), o;
		time_t lo = t, hi = t + step;   /* the change is in (lo, hi] */
		char onset[17];
		struct tm tm;

		if (same_offset(&now, &next))
			continue;
		while (hi - lo > 1) {
			time_t mid = lo + (hi - lo) / 2;
			o = offset_at(mid);
			if (same_offset(&now, &o))
				lo = mid;
			else
				hi = mid;
		}
		next = offset_at(hi);
		{
			time_t wall = hi + now.gmtoff;
			gmtime_r(&wall, &tm);
		}
		observance(b, tm_text(&tm, onset, ""), &now, &next);
		now = next;
	}
	ics_line(b, "END", "VTIMEZONE");
}
