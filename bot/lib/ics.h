/*
 * ics: writing iCalendar (RFC 5545) text: content lines ended by CRLF and
 * folded at 75 octets (never inside a UTF-8 character), TEXT values escaped,
 * date-times local or UTC, and a VTIMEZONE of the process's zone (TZ, set
 * from the config) built from the zone's own transitions.  Knows nothing of
 * shifts: the calendar feed (handlers/calendar_feed.c) says what goes in.
 */
#ifndef DUTYBOT_ICS_H
#define DUTYBOT_ICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing text; failed once memory ran out (the text is then incomplete). */
struct ics_buf {
	char *text;             /* owned; NUL-terminated while not failed */
	size_t len, cap;
	bool failed;
};

void ics_buf_free(struct ics_buf *b);
/* Takes the text (the caller frees it); NULL if it failed.  B is empty after. */
char *ics_buf_take(struct ics_buf *b, size_t *len);

/* NAME (with its parameters: "DTSTART;TZID=Europe/Berlin") ":" VALUE as it is, folded. */
void ics_line(struct ics_buf *b, const char *name, const char *value);
/* The same with VALUE a TEXT: backslash, ';', ',' and newlines escaped. */
void ics_text(struct ics_buf *b, const char *name, const char *value);

/* "20260302T060000" (local wall time of MS) into OUT (16 bytes). */
const char *ics_local_time(int64_t ms, char *out);
/* "20260302T050000Z" into OUT (17 bytes). */
const char *ics_utc_time(int64_t ms, char *out);

/* BEGIN:VTIMEZONE..END:VTIMEZONE for TZID, the process's zone, with every
 * change of its offset between FROM_MS and TO_MS (and the offset in force at
 * FROM_MS as the first observance). */
void ics_vtimezone(struct ics_buf *b, const char *tzid, int64_t from_ms, int64_t to_ms);

#endif
