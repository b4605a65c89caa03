/*
 * catalog: the one place the bot's words come from.  A text is picked by
 * message id and language and its {placeholders} are filled from key/value
 * pairs.  A language without the id falls back to English.
 */
#ifndef DUTYBOT_CATALOG_H
#define DUTYBOT_CATALOG_H

#include <stddef.h>
#include "bot/catalog_en.h"

#define CATALOG_ENUM(id, text) id,
enum msg_id { CATALOG_EN(CATALOG_ENUM) MSG_MAX };
#undef CATALOG_ENUM

struct catalog_entry {
	enum msg_id id;
	const char *text;
};

struct catalog_lang {
	const char *code;                       /* "de" */
	const struct catalog_entry *entries;    /* ends with { MSG_MAX, NULL } */
};

extern const struct catalog_lang catalog_de, catalog_es, catalog_hu, catalog_zh;

/* The languages in order of their codes; "en, de, es, hu, zh" for messages. */
extern const char *const catalog_languages[];
extern const char catalog_language_list[];

/* Template of ID in LANG (NULL or unknown LANG = English); never NULL. */
const char *catalog_text(const char *lang, enum msg_id id);
/* English id name, "MSG_PONG", for tests and logs. */
const char *catalog_id_name(enum msg_id id);
/* The id of "MSG_PONG"; -1 if there is none (scripts name messages so). */
int catalog_id_by_name(const char *name);

/*
 * Fills the template of ID into OUT (always terminated, cut at N-1 bytes on a
 * UTF-8 boundary).  KV holds NKV strings: key, value, key, value...  A
 * placeholder without a value stays as written.  Returns the length.
 */
size_t catalog_format(char *out, size_t n, const char *lang, enum msg_id id,
                      const char *const *kv, size_t nkv);

/*
 * VALUE as the reader of LANG reads it: a message name ("MSG_CYCLE_OFF") is
 * that message; spans "\x1eMSG_X\x1fkey\x1fvalue...\x1e" anywhere in the text
 * are that message filled (scripts store summaries so, to be said in each
 * reader's language).  Returns VALUE itself, a catalog text, or OUT; OUT is
 * used only when VALUE holds spans (a name or plain text needs none).
 */
const char *catalog_said(char *out, size_t n, const char *lang, const char *value);

#endif
