/*
 * site_frame: the site's two hot frames read without a parse tree.
 *
 * Every command brings two frames: its "message" and, once answered, the
 * "ack" of the answer.  cJSON builds a tree of allocations for each (a tenth
 * of the daemon's CPU in a burst of commands), so both are read with jscan
 * instead.  A frame this reader cannot read exactly as cJSON would (an
 * escaped string, an odd number) is left to cJSON: site_frame_scan() then
 * says SITE_FRAME_OTHER, and nothing is lost but the shortcut.
 *
 * Both readers fill the same struct site_message, and site_message_bad() is
 * the one judge of what a message must carry, so the two paths cannot
 * disagree about the fields the daemon uses.  jscan takes only what cJSON
 * takes and reads the same: it checks what it skips as strictly as cJSON,
 * refuses an escaped key (cJSON decodes it), and of a key given twice both
 * take the first (tests/unit/test_site_frame_diff.c holds them to it).
 */
#ifndef DUTYBOT_SITE_FRAME_H
#define DUTYBOT_SITE_FRAME_H

#include "bot/lib/jscan.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum site_frame_kind {
	SITE_FRAME_OTHER,       /* anything else, or not readable here: parse it with cJSON */
	SITE_FRAME_MESSAGE,     /* type "message" */
	SITE_FRAME_ACK,         /* type "ack" with a ref of ours, "c<seq>" */
};

enum { SF_TYPE, SF_ID, SF_TEXT, SF_DM, SF_REF, SF_ROOM, SF_USER, SF_TS, SF_N };

struct site_frame {
	enum site_frame_kind kind;
	struct jscan_field f[SF_N];     /* raw, pointing into the frame */
	uint64_t ack_seq;               /* SITE_FRAME_ACK */
};

/* A message frame's fields, from either reader. */
struct site_message {
	const char *id, *text, *room;   /* NULL: absent or not a string */
	size_t text_len;
	bool user_is_object;
	const char *user_id, *user_name;
	enum jscan_kind dm, bot, ts;    /* what each was (JSCAN_ABSENT: missing) */
	int64_t ts_ms;                  /* truncated toward zero, as cJSON's double is cast */
	bool ts_in_range;               /* a number ts an int64 holds (not 1e999) */
};

/* Reads BUF's top level once. */
void site_frame_scan(const char *buf, size_t len, struct site_frame *fr);

/* True for a room message (not a DM) whose text does not start with PREFIX:
 * chatter, which costs only a look into its user object.  Only for a frame
 * both readers take as a good message (site_message_bad): its id is a plain
 * string. */
bool site_frame_is_chatter(const struct site_frame *fr, const char *prefix, size_t plen);

/*
 * The message of a SITE_FRAME_MESSAGE frame, its strings copied with their
 * terminators into *SCRATCH (grown as needed, kept by the caller for the next
 * frame).  0 on success; -1 when the frame needs cJSON (an escaped string, a
 * number strtod would not read whole, a user object it cannot walk) or when
 * out of memory.
 */
int site_frame_message(const struct site_frame *fr, char **scratch, size_t *cap, struct site_message *m);

/* The same from a parsed frame; the strings point into F. */
void site_message_from_cjson(const cJSON *f, struct site_message *m);

/* V as whole milliseconds, truncated: false (and 0) for NaN, infinities and
 * anything outside int64, whose cast would be undefined behaviour. */
bool site_frame_ms(double v, int64_t *out);

/* Why M is not a message the daemon can take, or NULL when it is. */
const char *site_message_bad(const struct site_message *m);

#endif
