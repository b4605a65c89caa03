/*
 * catalog: lookups and placeholder filling.  The English table is an array
 * indexed by id; a translation is a sparse list that is indexed once, lazily,
 * into its own array, so every lookup is O(1).
 */
#include "bot/catalog.h"

#include <stdbool.h>
#include <string.h>

#define CATALOG_TEXT(id, text) [id] = text,
static const char *const english[MSG_MAX] = { CATALOG_EN(CATALOG_TEXT) };
#undef CATALOG_TEXT
#define CATALOG_NAME(id, text) [id] = #id,
static const char *const id_names[MSG_MAX] = { CATALOG_EN(CATALOG_NAME) };
#undef CATALOG_NAME

const char *const catalog_languages[] = { "en", "de", "es", "hu", "zh", NULL };
const char catalog_language_list[] = "en, de, es, hu, zh";

static const struct catalog_lang *const translations[] = {
	&catalog_de, &catalog_es, &catalog_hu, &catalog_zh,
};
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

const char *catalog_text(const char *lang, enum msg_id id)
{
	if (id >= MSG_MAX)
		return "";
	if (lang != NULL && strcmp(lang, "en") != 0) {
		if (!index_built)
			build_index();
		for (size_t t = 0; t < N_TRANSLATIONS; t++)
			if (strcmp(translations[t]->code, lang) == 0 && indexed[t][id] != NULL)
				return indexed[t][id];
	}
	return english[id];
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
	const char *t = catalog_text(lang, id);
	size_t pos = 0;

	if (n == 0)
		return 0;
	while (*t != '\0' && pos < n - 1) {
		const char *open = strchr(t, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		bool filled = false;

		if (open == NULL || close == NULL) {
			put(out, n, &pos, t, strlen(t));
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
