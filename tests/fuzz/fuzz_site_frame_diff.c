/*
 * fuzz_site_frame_diff: the differential target.  The same bytes go to the
 * site's hot-path reader (jscan) and to cJSON; the run stops with the frame
 * when the hot path takes a frame and reads it differently from cJSON (two
 * senders for one frame, a command answered as a chat friend's...).  Also
 * the site frame decoder's own fuzz target: ASan/UBSan watch both readers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/site_frame_compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap block of exactly SIZE bytes: a read past the frame shows under ASan */
	char *copy = malloc(size ? size : 1);
	struct sfc_outcome fast = { 0 }, slow = { 0 };
	const char *why;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	sfc_read_fast(copy, size, &fast);
	sfc_read_slow(copy, size, &slow);
	why = sfc_disagreement(&fast, &slow);
	if (why != NULL) {
		fprintf(stderr, "the readers disagree (%s; hot path: %s, cJSON: %s): %.*s\n", why,
		    sfc_verdict_names[fast.v], sfc_verdict_names[slow.v], (int)size, copy);
		abort();
	}
	sfc_outcome_free(&fast);
	sfc_outcome_free(&slow);
	free(copy);
	return 0;
}
