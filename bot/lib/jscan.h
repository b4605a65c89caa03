/*
 * jscan: finds top-level fields of a JSON object in one pass, without
 * allocating or copying.  The hot path uses it to tell chatter from commands
 * before paying for a full parse.  What it takes, cJSON takes and reads the
 * same: it checks the values it skips at least as strictly as cJSON, and
 * anything it cannot follow exactly (an escaped key, nesting over 64, a
 * number outside JSON's grammar) makes it fail, and the caller then falls
 * back to cJSON.
 */
#ifndef DUTYBOT_JSCAN_H
#define DUTYBOT_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

enum jscan_kind { JSCAN_ABSENT, JSCAN_STRING, JSCAN_NUMBER, JSCAN_TRUE, JSCAN_FALSE,
                  JSCAN_NULL, JSCAN_OBJECT, JSCAN_ARRAY };

struct jscan_field {
	const char *key;        /* in: the key to find (plain ASCII, no escapes) */
	enum jscan_kind kind;   /* out */
	const char *val;        /* out: strings without their quotes, escapes left raw */
	size_t len;             /* out */
	bool escaped;           /* out: a string value contains a backslash */
};

/* 0 when BUF is an object it could walk; -1 otherwise (also for any escaped
 * key of the object: cJSON would decode it, and might find a field there).
 * Fields not present are JSCAN_ABSENT; of a key given twice the first counts
 * (as in cJSON). */
int jscan_object(const char *buf, size_t len, struct jscan_field *fields, int nfields);

/* True when a string field is exactly LIT (no escapes). */
bool jscan_is(const struct jscan_field *f, const char *lit);

#endif
