/*
 * site_frame_compare: see site_frame_compare.h.
 */
#include "tests/common/site_frame_compare.h"
#include "bot/lib/cjson_get.h"

#include <stdlib.h>
#include <string.h>

const char *const sfc_verdict_names[] = {
	[SFC_HANDOFF] = "handed to cJSON", [SFC_CHATTER] = "chatter", [SFC_ACK] = "ack",
	[SFC_MESSAGE] = "message", [SFC_REFUSED] = "refused", [SFC_OTHER] = "other",
};

void sfc_read_fast(const char *buf, size_t len, struct sfc_outcome *o)
{
	struct site_frame fr;

	memset(&fr, 0xa5, sizeof(fr));  /* nothing may be read that the scan did not write */
	site_frame_scan(buf, len, &fr);
	if (site_frame_is_chatter(&fr, SFC_PREFIX, strlen(SFC_PREFIX))) {
		o->v = SFC_CHATTER;
		o->id = fr.f[SF_ID].val;
		o->id_len = fr.f[SF_ID].len;
	} else if (fr.kind == SITE_FRAME_ACK) {
		o->v = SFC_ACK;
		o->seq = fr.ack_seq;
	} else if (fr.kind == SITE_FRAME_MESSAGE && site_frame_message(&fr, &o->scratch, &o->cap, &o->m) == 0) {
		o->v = SFC_MESSAGE;
	} else {
		o->v = SFC_HANDOFF;
	}
}

void sfc_read_slow(const char *buf, size_t len, struct sfc_outcome *o)
{
	const char *type, *ref;
	char *end;

	o->tree = cJSON_ParseWithLength(buf, len);
	if (o->tree == NULL || !cJSON_IsObject(o->tree) || (type = str_field(o->tree, "type")) == NULL) {
		o->v = SFC_REFUSED;
	} else if (strcmp(type, "message") == 0) {
		o->v = SFC_MESSAGE;
		site_message_from_cjson(o->tree, &o->m);
	} else if (strcmp(type, "ack") == 0 && (ref = str_field(o->tree, "ref")) != NULL && ref[0] == 'c' &&
	    (o->seq = strtoull(ref + 1, &end, 10), *end == '\0')) {
		o->v = SFC_ACK;   /* as on_action_reply reads a ref */
	} else {
		o->v = SFC_OTHER;
	}
}

bool sfc_same_str(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

/* NULL when A and B agree, else what differs. */
static const char *differ(const struct site_message *a, const struct site_message *b)
{
	if (!sfc_same_str(a->id, b->id))
		return "id";
	if (!sfc_same_str(a->text, b->text) || a->text_len != b->text_len)
		return "text";
	if (!sfc_same_str(a->room, b->room))
		return "room";
	if (a->user_is_object != b->user_is_object || !sfc_same_str(a->user_id, b->user_id))
		return "user.id";
	if (!sfc_same_str(a->user_name, b->user_name))
		return "user.name";
	if (a->dm != b->dm || a->bot != b->bot)
		return "dm or user.bot";
	if (a->ts != b->ts || a->ts_ms != b->ts_ms ||
	    (a->ts == JSCAN_NUMBER && a->ts_in_range != b->ts_in_range))
		return "ts";
	if (!sfc_same_str(site_message_bad(a), site_message_bad(b)))
		return "the verdict of site_message_bad";
	return NULL;
}

const char *sfc_disagreement(const struct sfc_outcome *fast, const struct sfc_outcome *slow)
{
	switch (fast->v) {
	case SFC_HANDOFF:
		return NULL;
	case SFC_CHATTER:
		/* a good room message whose text is no command, with that id */
		if (slow->v != SFC_MESSAGE || site_message_bad(&slow->m) != NULL || slow->m.dm == JSCAN_TRUE ||
		    strncmp(slow->m.text, SFC_PREFIX, strlen(SFC_PREFIX)) == 0 ||
		    strlen(slow->m.id) != fast->id_len || memcmp(slow->m.id, fast->id, fast->id_len) != 0)
			return "chatter to the hot path, not to cJSON";
		return NULL;
	case SFC_ACK:
		return slow->v == SFC_ACK && slow->seq == fast->seq ? NULL : "a different ack";
	case SFC_MESSAGE:
		return slow->v == SFC_MESSAGE ? differ(&fast->m, &slow->m) : "a message cJSON does not read as one";
	default:
		return "an impossible verdict";
	}
}

void sfc_outcome_free(struct sfc_outcome *o)
{
	free(o->scratch);
	cJSON_Delete(o->tree);
}
