/*
 * site_frame_compare: the site's two frame readers side by side, shared by
 * the differential unit test (tests/unit/test_site_frame_diff.c) and the
 * differential fuzz target (tests/fuzz/fuzz_site_frame_diff.c), so both hold
 * the readers to the same rule: where the hot path (jscan) takes a frame, its
 * outcome must be the cJSON path's, field by field; where it hands the frame
 * on, site.c reads it with cJSON, so there is nothing to differ.
 */
#ifndef DUTYBOT_SITE_FRAME_COMPARE_H
#define DUTYBOT_SITE_FRAME_COMPARE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bot/platform/site_frame.h"

#define SFC_PREFIX "!"

enum sfc_verdict { SFC_HANDOFF, SFC_CHATTER, SFC_ACK, SFC_MESSAGE, SFC_REFUSED, SFC_OTHER };

extern const char *const sfc_verdict_names[];

struct sfc_outcome {
	enum sfc_verdict v;
	uint64_t seq;                   /* SFC_ACK */
	const char *id;                 /* SFC_CHATTER: the raw id, pointing into the frame */
	size_t id_len;
	struct site_message m;          /* SFC_MESSAGE */
	char *scratch;                  /* the fast reader's strings */
	size_t cap;
	cJSON *tree;                    /* the slow reader's strings */
};

/* site.c's handle_frame up to where it hands a frame to handle_control. */
void sfc_read_fast(const char *buf, size_t len, struct sfc_outcome *o);
/* site.c's handle_control for the same frame: a message, an ack of ours, or neither. */
void sfc_read_slow(const char *buf, size_t len, struct sfc_outcome *o);
/* NULL when the hot path's outcome is the cJSON path's, else why not. */
const char *sfc_disagreement(const struct sfc_outcome *fast, const struct sfc_outcome *slow);
void sfc_outcome_free(struct sfc_outcome *o);
/* Two strings, either maybe NULL, equal (both NULL counts). */
bool sfc_same_str(const char *a, const char *b);

#endif
