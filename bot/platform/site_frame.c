/*
 * site_frame: reading "message" and "ack" frames with jscan (site_frame.h).
 */
#include "bot/platform/site_frame.h"
#include "bot/lib/cjson_get.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const keys[SF_N] = {
	[SF_TYPE] = "type", [SF_ID] = "id", [SF_TEXT] = "text", [SF_DM] = "dm",
	[SF_REF] = "ref", [SF_ROOM] = "room", [SF_USER] = "user", [SF_TS] = "ts",
};

/* "c<decimal>" as on_action_reply reads it (strtoull, nothing after). */
static bool our_ref(const struct jscan_field *ref, uint64_t *seq)
{
	char digits[24];
	char *end;

	if (ref->kind != JSCAN_STRING || ref->escaped || ref->len < 2 || ref->len > sizeof(digits) ||
	    ref->val[0] != 'c' || ref->val[1] < '0' || ref->val[1] > '9')
		return false;
	memcpy(digits, ref->val + 1, ref->len - 1);
	digits[ref->len - 1] = '\0';
	errno = 0;
	*seq = strtoull(digits, &end, 10);
	return *end == '\0' && errno == 0;
}

void site_frame_scan(const char *buf, size_t len, struct site_frame *fr)
{
	for (int i = 0; i < SF_N; i++)
		fr->f[i].key = keys[i];
	fr->kind = SITE_FRAME_OTHER;
	if (jscan_object(buf, len, fr->f, SF_N) != 0)
		return;
	if (jscan_is(&fr->f[SF_TYPE], "message"))
		fr->kind = SITE_FRAME_MESSAGE;
	else if (jscan_is(&fr->f[SF_TYPE], "ack") && our_ref(&fr->f[SF_REF], &fr->ack_seq))
		fr->kind = SITE_FRAME_ACK;
}

/* A copy of F's string into the scratch at *AT; NULL when F is not a string. */
static const char *copy_str(const struct jscan_field *f, char *scratch, size_t *at)
{
	char *p;

	if (f->kind != JSCAN_STRING)
		return NULL;
	p = scratch + *at;      /* only now: with no string at all, SCRATCH may be NULL */
	memcpy(p, f->val, f->len);
	p[f->len] = '\0';
	*at += f->len + 1;
	return p;
}

/* The bytes a string field needs in the scratch, with its terminator. */
static size_t need_of(const struct jscan_field *f)
{
	return f->kind == JSCAN_STRING ? f->len + 1 : 0;
}

static bool any_escaped(const struct jscan_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == JSCAN_STRING && f[i].escaped)
			return true;
	return false;
}

/*
 * Up to 15 plain digits (no sign, fraction or exponent) as an integer.  No
 * more: cJSON reads every number as a double, exact only below 2^53, and an
 * 18-digit ts read exactly here would differ from its rounding there.
 */
static bool plain_ms(const struct jscan_field *f, int64_t *out)
{
	int64_t v = 0;

	if (f->len == 0 || f->len > 15)
		return false;
	for (size_t i = 0; i < f->len; i++) {
		if (f->val[i] < '0' || f->val[i] > '9')
			return false;
		v = v * 10 + (f->val[i] - '0');
	}
	*out = v;
	return true;
}

bool site_frame_ms(double v, int64_t *out)
{
	/* NaN fails both tests; -2^63 fits, 2^63 does not (and is what INT64_MAX rounds to) */
	if (!(v >= -0x1p63 && v < 0x1p63)) {
		*out = 0;
		return false;
	}
	*out = (int64_t)v;
	return true;
}

/*
 * A number field as cJSON reads it (strtod, then site_frame_ms): 0, or -1
 * when it is not a number strtod reads whole (left to cJSON).  *IN_RANGE
 * false for one no int64 holds (1e999, -1e300).
 */
static int number_ms(const struct jscan_field *f, int64_t *ms, bool *in_range)
{
	char num[40], *end;

	*in_range = true;
	if (plain_ms(f, ms))
		return 0;       /* the usual: milliseconds as plain digits */
	if (f->len >= sizeof(num))
		return -1;
	memcpy(num, f->val, f->len);
	num[f->len] = '\0';
	*in_range = site_frame_ms(strtod(num, &end), ms);
	return *end == '\0' ? 0 : -1;
}

/*
 * Chatter is told from the raw fields, and only where the full readers would
 * take the frame as a good room message with a text not starting with the
 * prefix: a frame site_message_bad() refuses is a bad frame, counted as such
 * by take_message, never quietly dropped as chatter.  Escapes are allowed in
 * the text past the prefix's length (they cannot make it a command), not in
 * the id, the room or user.id, whose decoded form could differ (\u0000).
 */
bool site_frame_is_chatter(const struct site_frame *fr, const char *prefix, size_t plen)
{
	struct jscan_field user[] = { { .key = "id" }, { .key = "bot" } };
	const struct jscan_field *f = fr->f, *text = &fr->f[SF_TEXT];
	size_t head = text->len < plen ? text->len : plen;
	int64_t ms;
	bool in_range;

	if (fr->kind != SITE_FRAME_MESSAGE || plen == 0 || text->kind != JSCAN_STRING ||
	    memchr(text->val, '\\', head) != NULL || (text->len >= plen && memcmp(text->val, prefix, plen) == 0))
		return false;
	if (f[SF_ID].kind != JSCAN_STRING || f[SF_ID].escaped || f[SF_ID].len == 0 ||
	    f[SF_ROOM].kind != JSCAN_STRING || f[SF_ROOM].escaped || f[SF_ROOM].len == 0 ||
	    (f[SF_DM].kind != JSCAN_ABSENT && f[SF_DM].kind != JSCAN_FALSE) || f[SF_USER].kind != JSCAN_OBJECT)
		return false;
	if (f[SF_TS].kind != JSCAN_ABSENT &&
	    (f[SF_TS].kind != JSCAN_NUMBER || number_ms(&f[SF_TS], &ms, &in_range) != 0 || !in_range))
		return false;
	if (jscan_object(f[SF_USER].val, f[SF_USER].len, user, 2) != 0)
		return false;
	return user[0].kind == JSCAN_STRING && !user[0].escaped && user[0].len > 0 &&
	    (user[1].kind == JSCAN_ABSENT || user[1].kind == JSCAN_TRUE || user[1].kind == JSCAN_FALSE);
}

int site_frame_message(const struct site_frame *fr, char **scratch, size_t *cap, struct site_message *m)
{
	struct jscan_field user[] = { { .key = "id" }, { .key = "name" }, { .key = "bot" } };
	const struct jscan_field *f = fr->f;
	size_t need = 0, at = 0;

	if (fr->kind != SITE_FRAME_MESSAGE || any_escaped(f, SF_N))
		return -1;
	memset(m, 0, sizeof(*m));
	m->dm = f[SF_DM].kind;
	m->ts = f[SF_TS].kind;
	m->user_is_object = f[SF_USER].kind == JSCAN_OBJECT;
	if (m->user_is_object) {
		if (jscan_object(f[SF_USER].val, f[SF_USER].len, user, 3) != 0 || any_escaped(user, 3))
			return -1;
		m->bot = user[2].kind;
		need += need_of(&user[0]) + need_of(&user[1]);
	}
	if (m->ts == JSCAN_NUMBER && number_ms(&f[SF_TS], &m->ts_ms, &m->ts_in_range) != 0)
		return -1;
	need += need_of(&f[SF_ID]) + need_of(&f[SF_TEXT]) + need_of(&f[SF_ROOM]);
	if (need > *cap) {
		char *p = realloc(*scratch, need);
		if (p == NULL)
			return -1;
		*scratch = p;
		*cap = need;
	}
	m->id = copy_str(&f[SF_ID], *scratch, &at);
	m->text = copy_str(&f[SF_TEXT], *scratch, &at);
	m->text_len = m->text ? f[SF_TEXT].len : 0;
	m->room = copy_str(&f[SF_ROOM], *scratch, &at);
	if (m->user_is_object) {
		m->user_id = copy_str(&user[0], *scratch, &at);
		m->user_name = copy_str(&user[1], *scratch, &at);
	}
	return 0;
}

static enum jscan_kind kind_of(const cJSON *v)
{
	if (v == NULL)
		return JSCAN_ABSENT;
	if (cJSON_IsTrue(v))
		return JSCAN_TRUE;
	if (cJSON_IsFalse(v))
		return JSCAN_FALSE;
	if (cJSON_IsNumber(v))
		return JSCAN_NUMBER;
	if (cJSON_IsString(v))
		return JSCAN_STRING;
	if (cJSON_IsObject(v))
		return JSCAN_OBJECT;
	if (cJSON_IsArray(v))
		return JSCAN_ARRAY;
	return JSCAN_NULL;
}

void site_message_from_cjson(const cJSON *f, struct site_message *m)
{
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(f, "user");
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(f, "ts");

	memset(m, 0, sizeof(*m));
	m->id = str_field(f, "id");
	m->text = str_field(f, "text");
	m->text_len = m->text ? strlen(m->text) : 0;
	m->room = str_field(f, "room");
	m->dm = kind_of(cJSON_GetObjectItemCaseSensitive(f, "dm"));
	m->ts = kind_of(ts);
	if (cJSON_IsNumber(ts))
		m->ts_in_range = site_frame_ms(ts->valuedouble, &m->ts_ms);
	m->user_is_object = cJSON_IsObject(user);
	if (m->user_is_object) {
		m->user_id = str_field(user, "id");
		m->user_name = str_field(user, "name");
		m->bot = kind_of(cJSON_GetObjectItemCaseSensitive(user, "bot"));
	}
}

static bool is_bool(enum jscan_kind k)
{
	return k == JSCAN_TRUE || k == JSCAN_FALSE;
}

const char *site_message_bad(const struct site_message *m)
{
	if (m->id == NULL || *m->id == '\0')
		return "message without a string id";
	if (m->user_id == NULL || *m->user_id == '\0')
		return "message without user.id";
	if (m->text == NULL)
		return "message without a string text";
	if (m->dm != JSCAN_ABSENT && !is_bool(m->dm))
		return "message with a non-boolean dm";
	if (m->dm != JSCAN_TRUE && (m->room == NULL || *m->room == '\0'))
		return "room message without a room";
	if (m->bot != JSCAN_ABSENT && !is_bool(m->bot))
		return "user.bot is not a boolean";
	if (m->ts != JSCAN_ABSENT && m->ts != JSCAN_NUMBER)
		return "ts is not a number";
	if (m->ts == JSCAN_NUMBER && !m->ts_in_range)
		return "ts is out of range";
	return NULL;
}
