/*
 * catalog: lookups and placeholder filling.  The English table is an array
 * indexed by id; a translation is a sparse list (generated/catalog_tables.c:
 * the entries of a .po that are translated and not fuzzy) that is indexed
 * once, lazily, into its own array, so every lookup is O(1).
 */
#include "bot/i18n/catalog.h"
#include "config/config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CATALOG_TEXT(id, text) [id] = text,
static const char *const english[MSG_MAX] = { CATALOG_EN(CATALOG_TEXT) };
#undef CATALOG_TEXT
#define CATALOG_NAME(id, text) [id] = #id,
static const char *const id_names[MSG_MAX] = { CATALOG_EN(CATALOG_NAME) };
#undef CATALOG_NAME

const char *const catalog_languages[] = { I18N_LANGUAGES, NULL };
const char catalog_language_list[] = I18N_LANGUAGE_LIST;

#define CATALOG_ADDRESS(code) &catalog_##code,
static const struct catalog_lang *const translations[] = { I18N_TRANSLATIONS(CATALOG_ADDRESS) };
#undef CATALOG_ADDRESS
#define N_TRANSLATIONS (sizeof(translations) / sizeof(translations[0]))

static const char *indexed[N_TRANSLATIONS][MSG_MAX];
static bool index_built;

static void build_index(void)
{
	for (size_t t = 0; t < N_TRANSLATIONS; t++)
		for (const struct catalog_entry *e = translations[t]->entries; e->text != NULL; e++)
			if (e->id < MSG_MAX)
				indexed[t][e->id] = e->text;
	index_built = true;
}

static unsigned long english_plural(unsigned long n)
{
	return n != 1;
}

/* The text of ID in LANG, and the plural rule of the language it is in
 * (English's when it fell back). */
static const char *lookup(const char *lang, enum msg_id id, unsigned long (**plural)(unsigned long))
{
	*plural = english_plural;
	if (id >= MSG_MAX)
		return "";
	if (lang != NULL && strcmp(lang, "en") != 0) {
		if (!index_built)
			build_index();
		for (size_t t = 0; t < N_TRANSLATIONS; t++)
			if (strcmp(translations[t]->code, lang) == 0 && indexed[t][id] != NULL) {
				*plural = translations[t]->plural;
				return indexed[t][id];
			}
	}
	return english[id];
}

const char *catalog_text(const char *lang, enum msg_id id)
{
	unsigned long (*plural)(unsigned long);

	return lookup(lang, id, &plural);
}

#define FORM_SEP '\x1b'

/* The form of plural text T that the count "n" of KV picks; its length in *LEN. */
static const char *plural_form(const char *t, unsigned long (*plural)(unsigned long),
                               const char *const *kv, size_t nkv, size_t *len)
{
	unsigned long count = 0, form;
	const char *end;

	for (size_t i = 0; i + 1 < nkv; i += 2)
		if (strcmp(kv[i], "n") == 0 && kv[i + 1] != NULL)
			count = strtoul(kv[i + 1], NULL, 10);
	form = plural(count);
	for (; form > 0 && strchr(t, FORM_SEP) != NULL; form--)
		t = strchr(t, FORM_SEP) + 1;         /* past the last form: the last one */
	end = strchr(t, FORM_SEP);
	*len = end ? (size_t)(end - t) : strlen(t);
	return t;
}

const char *catalog_id_name(enum msg_id id)
{
	return id < MSG_MAX ? id_names[id] : "?";
}

int catalog_id_by_name(const char *name)
{
	for (int i = 0; i < MSG_MAX; i++)
		if (strcmp(id_names[i], name) == 0)
			return i;
	return -1;
}

/* Appends up to LEN bytes of S at *POS, never splitting a UTF-8 sequence. */
static bool put(char *out, size_t n, size_t *pos, const char *s, size_t len)
{
	size_t room = n - 1 - *pos;
	bool whole = len <= room;

	if (!whole) {
		len = room;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out + *pos, s, len);
	*pos += len;
	return whole;
}

size_t catalog_format(char *out, size_t n, const char *lang, enum msg_id id,
                      const char *const *kv, size_t nkv)
{
	unsigned long (*plural)(unsigned long);
	const char *t = lookup(lang, id, &plural), *end;
	size_t pos = 0, len;

	if (n == 0)
		return 0;
	if (strchr(t, FORM_SEP) != NULL)
		t = plural_form(t, plural, kv, nkv, &len);
	else
		len = strlen(t);
	end = t + len;
	while (t < end && pos < n - 1) {
		const char *open = memchr(t, '{', (size_t)(end - t));
		const char *close = open ? memchr(open, '}', (size_t)(end - open)) : NULL;
		bool filled = false;

		if (open == NULL || close == NULL) {
			put(out, n, &pos, t, (size_t)(end - t));
			break;
		}
		if (!put(out, n, &pos, t, (size_t)(open - t)))
			break;
		for (size_t i = 0; i + 1 < nkv; i += 2) {
			size_t klen = strlen(kv[i]);
			if (klen == (size_t)(close - open - 1) && memcmp(kv[i], open + 1, klen) == 0) {
				const char *v = kv[i + 1] ? kv[i + 1] : "";
				filled = true;
				if (!put(out, n, &pos, v, strlen(v)))
					goto done;
				break;
			}
		}
		if (!filled && !put(out, n, &pos, open, (size_t)(close - open + 1)))
			break;
		t = close + 1;
	}
done:
	out[pos] = '\0';
	return pos;
}

/*
 * Words a script stores to be said in each reader's language: a value that is
 * a message name ("MSG_CYCLE_OFF"), or that holds spans "\x1eMSG_X\x1fkey\x1f
 * value...\x1e" anywhere in plain text ("L-3 \x1eMSG_SUM_LEAVE...\x1e").  A
 * span's values may name a message, or hold inner spans "\x1cMSG_Y\x1dkey
 * \x1dvalue\x1c" (a priority in a report's line): one level, so a stored text
 * never recurses.  An inner span may stand on its own too.
 */
#define SAID_KV_MAX 24
#define SPAN '\x1e'
#define SEP '\x1f'
#define INNER_SPAN '\x1c'
#define INNER_SEP '\x1d'

static size_t said_text(char *out, size_t n, const char *lang, const char *s, size_t len, bool outer);

static bool has_span(const char *s)
{
	return strchr(s, SPAN) != NULL || strchr(s, INNER_SPAN) != NULL;
}

static const struct config_shift *shifts;
static size_t n_shifts;

void catalog_use_shifts(const struct config_shift *s, size_t n)
{
	shifts = s;
	n_shifts = n;
}

static const char *shift_label(const struct config_shift *sh, const char *lang)
{
	for (size_t i = 0; i < sh->n_labels; i++)
		if (strcmp(sh->labels[i].lang, lang) == 0)
			return sh->labels[i].text;
	return NULL;
}

const char *catalog_shift(const char *lang, const char *name)
{
	const struct config_shift *sh = NULL;
	const char *label;
	char id[48];
	int common;

	if (lang == NULL)
		lang = "en";
	for (size_t i = 0; i < n_shifts && sh == NULL; i++)
		if (shifts[i].name != NULL && strcmp(shifts[i].name, name) == 0)
			sh = &shifts[i];
	if (sh != NULL && (label = shift_label(sh, lang)) != NULL)
		return label;
	/* only a configured shift: a word typed by someone is said as typed */
	if (sh != NULL && snprintf(id, sizeof(id), "MSG_SHIFT_NAME_%s", name) < (int)sizeof(id)) {
		for (char *c = id + strlen("MSG_SHIFT_NAME_"); *c != '\0'; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
		if ((common = catalog_id_by_name(id)) >= 0)
			return catalog_text(lang, (enum msg_id)common);
	}
	if (sh != NULL && (label = shift_label(sh, "en")) != NULL)
		return label;
	return name;
}

/* Is KEY a placeholder whose value is a shift's config name? */
static bool is_shift_key(const char *key)
{
	return key != NULL && (strcmp(key, "shift") == 0 || strcmp(key, "pshift") == 0 || strcmp(key, "theirs") == 0);
}

/* The span S (LEN bytes, without its marks) whose parts SEP divides; INNER:
 * its values may hold inner spans. */
static size_t said_span(char *out, size_t n, const char *lang, const char *s, size_t len, char sep, bool inner)
{
	char buf[2048], *kv[SAID_KV_MAX], *own[SAID_KV_MAX] = { NULL }, *p;
	const char *local[SAID_KV_MAX] = { NULL };
	size_t nkv = 0, pos = 0;
	int id;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	p = strchr(buf, sep);
	if (p != NULL)
		*p++ = '\0';
	if ((id = catalog_id_by_name(buf)) < 0) {
		put(out, n, &pos, buf, strlen(buf));
		out[pos] = '\0';
		return pos;
	}
	while (p != NULL && nkv < SAID_KV_MAX) {
		kv[nkv++] = p;
		if ((p = strchr(p, sep)) != NULL)
			*p++ = '\0';
	}
	for (size_t i = 0; i < nkv; i++) {
		int sub = (i % 2 == 1 && strncmp(kv[i], "MSG_", 4) == 0) ? catalog_id_by_name(kv[i]) : -1;
		local[i] = sub >= 0 ? catalog_text(lang, (enum msg_id)sub) : kv[i];
		if (i % 2 == 1 && is_shift_key(kv[i - 1]))
			local[i] = catalog_shift(lang, kv[i]);
		if (i % 2 == 1 && inner && strchr(kv[i], INNER_SPAN) != NULL && (own[i] = malloc(n)) != NULL) {
			said_text(own[i], n, lang, kv[i], strlen(kv[i]), false);
			local[i] = own[i];
		}
	}
	pos = catalog_format(out, n, lang, (enum msg_id)id, local, nkv & ~(size_t)1);
	for (size_t i = 0; i < nkv; i++)
		free(own[i]);
	return pos;
}

/* Plain text S with spans (OUTER: both kinds; else inner ones only) into OUT. */
static size_t said_text(char *out, size_t n, const char *lang, const char *s, size_t len, bool outer)
{
	const char *end = s + len;
	size_t pos = 0;

	if (n == 0)
		return 0;
	while (s < end && pos < n - 1) {
		const char *open = NULL, *close = NULL;
		for (const char *q = s; q < end && open == NULL; q++)
			if (*q == INNER_SPAN || (outer && *q == SPAN))
				open = q;
		if (open != NULL)
			close = memchr(open + 1, *open, (size_t)(end - open - 1));
		if (open == NULL || close == NULL) {
			put(out, n, &pos, s, (size_t)(end - s));
			break;
		}
		if (!put(out, n, &pos, s, (size_t)(open - s)))
			break;
		pos += said_span(out + pos, n - pos, lang, open + 1, (size_t)(close - open - 1),
		    *open == SPAN ? SEP : INNER_SEP, *open == SPAN);
		s = close + 1;
	}
	out[pos] = '\0';
	return pos;
}

const char *catalog_said(char *out, size_t n, const char *lang, const char *value)
{
	if (!has_span(value)) {     /* no spans: a message's name, or plain text */
		int id = strncmp(value, "MSG_", 4) == 0 ? catalog_id_by_name(value) : -1;
		return id >= 0 ? catalog_text(lang, (enum msg_id)id) : value;
	}
	if (n == 0)
		return value;
	said_text(out, n, lang, value, strlen(value), true);
	return out;
}

const char *catalog_span(char *out, size_t n, enum msg_id id, const char *const *kv, size_t nkv)
{
	size_t pos = 0;
	bool fits = n > 2 && put(out, n, &pos, (const char[]){ SPAN }, 1) && put(out, n, &pos, id_names[id], strlen(id_names[id]));

	for (size_t i = 0; fits && i < nkv; i++)
		fits = put(out, n, &pos, (const char[]){ SEP }, 1) && put(out, n, &pos, kv[i], strlen(kv[i]));
	fits = fits && put(out, n, &pos, (const char[]){ SPAN }, 1);
	out[fits ? pos : 0] = '\0';
	return out;
}

const char *catalog_decimal(char *out, size_t n, const char *lang, long whole, long frac, int digits)
{
	char i[24], f[24];

	snprintf(i, sizeof(i), "%ld", whole);
	snprintf(f, sizeof(f), "%0*ld", digits, frac < 0 ? -frac : frac);
	catalog_format(out, n, lang, MSG_DECIMAL, (const char *const[]){ "i", i, "f", f }, 4);
	return out;
}

size_t catalog_format_said(char *out, size_t n, const char *lang, enum msg_id id,
                           const char *const *kv, size_t nkv)
{
	const char *local[CATALOG_SAID_KV_MAX] = { NULL };
	char *said[CATALOG_SAID_KV_MAX] = { NULL };
	size_t len;

	if (nkv > CATALOG_SAID_KV_MAX)
		return catalog_format(out, n, lang, id, kv, nkv);
	for (size_t i = 0; i < nkv; i++) {
		local[i] = kv[i];
		if (i % 2 == 0 || kv[i] == NULL)
			continue;
		if (is_shift_key(kv[i - 1]))
			local[i] = catalog_shift(lang, kv[i]);
		else if (!has_span(kv[i]))             /* a name or plain text: no buffer */
			local[i] = catalog_said(NULL, 0, lang, kv[i]);
		else if ((said[i] = malloc(n)) != NULL)  /* spans are rare: summaries, lists of them */
			local[i] = catalog_said(said[i], n, lang, kv[i]);
	}
	len = catalog_format(out, n, lang, id, local, nkv);
	for (size_t i = 0; i < nkv; i++)
		free(said[i]);
	return len;
}
