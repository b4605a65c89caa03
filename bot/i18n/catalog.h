/*
 * catalog: the one place the bot's words come from.  A text is picked by
 * message id and language and its {placeholders} are filled from key/value
 * pairs.  A language without the id falls back to English: so does an entry
 * of a .po that is untranslated or fuzzy (its English changed since it was
 * translated), which the build leaves out, as gettext does.  The texts live in
 * po/ (ids and English in po/dutybot.pot, one po/<lang>.po per translation,
 * the languages in po/LINGUAS); the build turns them into the "generated/"
 * files (po/catalog_gen.py).
 */
#ifndef DUTYBOT_CATALOG_H
#define DUTYBOT_CATALOG_H

#include <stddef.h>
#include "generated/catalog_en.h"
#include "generated/languages.h"

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
	unsigned long (*plural)(unsigned long n);       /* its Plural-Forms: the form of N */
};

/* catalog_de, catalog_es...: one table per language of po/LINGUAS. */
#define CATALOG_DECLARE(code) extern const struct catalog_lang catalog_##code;
I18N_TRANSLATIONS(CATALOG_DECLARE)
#undef CATALOG_DECLARE

/* English, then the languages of po/LINGUAS; "en, de, es, hu, zh" for messages. */
extern const char *const catalog_languages[];
extern const char catalog_language_list[];

/* Template of ID in LANG (NULL or unknown LANG = English); never NULL.
 * A plural text holds all its forms: fill it with catalog_format. */
const char *catalog_text(const char *lang, enum msg_id id);
/* English id name, "MSG_PONG", for tests and logs. */
const char *catalog_id_name(enum msg_id id);
/* The id of "MSG_PONG"; -1 if there is none (scripts name messages so). */
int catalog_id_by_name(const char *name);

/*
 * Fills the template of ID into OUT (always terminated, cut at N-1 bytes on a
 * UTF-8 boundary).  KV holds NKV strings: key, value, key, value...  A
 * placeholder without a value stays as written.  Returns the length.
 * A plural text (msgid_plural in po/) has its forms, "\x1b" between them:
 * the value of "n" picks one by the Plural-Forms of the language the text
 * came from ("1 resuelta", "2 resueltas"), as ngettext does.
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

/* A span of ID filled from KV (NKV strings) into OUT, to be said later in
 * each reader's language (catalog_said); returns OUT, "" if it does not fit. */
const char *catalog_span(char *out, size_t n, enum msg_id id, const char *const *kv, size_t nkv);

/* WHOLE.FRAC (FRAC written with DIGITS digits) as LANG writes a decimal
 * number (MSG_DECIMAL: "12.5", "12,5") into OUT; returns OUT. */
const char *catalog_decimal(char *out, size_t n, const char *lang, long whole, long frac, int digits);

/*
 * The department's shifts (config shifts[]: names and labels), for
 * catalog_shift; the daemon hands them over at each load and reload and keeps
 * them alive until the next call.  None: every shift is said by its name.
 */
struct config_shift;
void catalog_use_shifts(const struct config_shift *shifts, size_t n);

/* Shift NAME as the reader of LANG says it: its label in LANG, else the
 * catalog's word for a common name (early, late, night... MSG_SHIFT_EARLY:
 * "Frühschicht"), else its English label, else NAME ("late" the shift is
 * never "late" the check-in). */
const char *catalog_shift(const char *lang, const char *name);

/*
 * catalog_format with every value said in LANG first (catalog_said): a
 * stored priority "MSG_PRIORITY_HIGH" or a summary with spans reads in the
 * reader's language, in a reply as in the outbox.  The value of a {shift},
 * {pshift} or {theirs} placeholder is a shift's config name: it is said by
 * catalog_shift, here and in spans.  At most
 * CATALOG_SAID_KV_MAX strings in KV (more: filled as they are).
 */
#define CATALOG_SAID_KV_MAX 32
size_t catalog_format_said(char *out, size_t n, const char *lang, enum msg_id id,
                           const char *const *kv, size_t nkv);

#endif
