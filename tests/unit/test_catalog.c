/*
 * test_catalog: the message catalog.  Every translation uses exactly the
 * placeholders of English, has each id once and is valid UTF-8;
 * catalog_format fills placeholders, keeps unknown ones, falls back to English
 * and cuts only on UTF-8 boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/i18n/catalog.h"
#include "config/config.h"

/* English straight from the X-macro list, independent of catalog.c. */
#define EN_TEXT(id, text) [id] = text,
static const char *const en_text[MSG_MAX] = { CATALOG_EN(EN_TEXT) };
#undef EN_TEXT

/* Every language of po/LINGUAS. */
#define LANG_ADDRESS(code) &catalog_##code,
static const struct catalog_lang *const langs[] = { I18N_TRANSLATIONS(LANG_ADDRESS) };
#undef LANG_ADDRESS
#define N_LANGS (sizeof(langs) / sizeof(langs[0]))

#define MAX_PH 16
#define PH_LEN 48
#define BIG 4096

struct ph_set {
	size_t n;
	char name[MAX_PH][PH_LEN];
};

/* Placeholders of T as catalog_format sees them: '{' up to the next '}'. */
static void placeholders(const char *t, struct ph_set *set)
{
	set->n = 0;
	for (;;) {
		const char *open = strchr(t, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (close == NULL)
			return;
		size_t len = (size_t)(close - open - 1);
		bool dup = false;
		assert_true(len < PH_LEN);
		for (size_t i = 0; i < set->n; i++)
			if (strlen(set->name[i]) == len && memcmp(set->name[i], open + 1, len) == 0)
				dup = true;
		if (!dup) {
			assert_true(set->n < MAX_PH);
			memcpy(set->name[set->n], open + 1, len);
			set->name[set->n][len] = '\0';
			set->n++;
		}
		t = close + 1;
	}
}

static bool ph_has(const struct ph_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->name[i], name) == 0)
			return true;
	return false;
}

/* Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static bool valid_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != '\0') {
		unsigned c = *s;
		size_t more;
		unsigned cp, min;

		if (c < 0x80) {
			s++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			more = 1, cp = c & 0x1F, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			more = 2, cp = c & 0x0F, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			more = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		for (size_t i = 1; i <= more; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		s += more + 1;
	}
	return true;
}

/* Key/value pairs giving every placeholder of TEXT the value "<name>". */
static size_t fill_all(const char *text, struct ph_set *set, char values[][PH_LEN + 2],
                       const char **kv)
{
	placeholders(text, set);
	for (size_t i = 0; i < set->n; i++) {
		snprintf(values[i], PH_LEN + 2, "<%s>", set->name[i]);
		kv[2 * i] = set->name[i];
		kv[2 * i + 1] = values[i];
	}
	return 2 * set->n;
}

static bool lang_has(const struct catalog_lang *lang, enum msg_id id, const char **text)
{
	for (const struct catalog_entry *e = lang->entries; e->text != NULL; e++)
		if (e->id == id) {
			*text = e->text;
			return true;
		}
	return false;
}

static void test_placeholders_match_english(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t l = 0; l < N_LANGS; l++) {
		for (const struct catalog_entry *e = langs[l]->entries; e->text != NULL; e++) {
			struct ph_set en, tr;

			assert_true(e->id < MSG_MAX);
			placeholders(en_text[e->id], &en);
			placeholders(e->text, &tr);
			for (size_t i = 0; i < en.n; i++)
				if (!ph_has(&tr, en.name[i])) {
					print_error("%s %s: missing {%s}\n", langs[l]->code,
					            catalog_id_name(e->id), en.name[i]);
					bad++;
				}
			for (size_t i = 0; i < tr.n; i++)
				if (!ph_has(&en, tr.name[i])) {
					print_error("%s %s: {%s} is not in English\n", langs[l]->code,
					            catalog_id_name(e->id), tr.name[i]);
					bad++;
				}
		}
	}
	assert_int_equal(bad, 0);
}

static void test_no_duplicate_ids(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t l = 0; l < N_LANGS; l++) {
		bool seen[MSG_MAX] = { false };

		assert_string_equal(langs[l]->code, catalog_languages[l + 1]);
		for (const struct catalog_entry *e = langs[l]->entries; e->text != NULL; e++) {
			if (e->id >= MSG_MAX) {
				print_error("%s: id %d is out of range\n", langs[l]->code, (int)e->id);
				bad++;
			} else if (seen[e->id]) {
				print_error("%s %s: appears twice\n", langs[l]->code, catalog_id_name(e->id));
				bad++;
			} else {
				seen[e->id] = true;
			}
		}
	}
	assert_int_equal(bad, 0);
}

static void test_texts_are_valid_utf8(void **state)
{
	int bad = 0;

	(void)state;
	for (int id = 0; id < MSG_MAX; id++) {
		assert_non_null(en_text[id]);
		if (!valid_utf8(en_text[id])) {
			print_error("en %s: not valid UTF-8\n", catalog_id_name((enum msg_id)id));
			bad++;
		}
	}
	for (size_t l = 0; l < N_LANGS; l++)
		for (const struct catalog_entry *e = langs[l]->entries; e->text != NULL; e++)
			if (!valid_utf8(e->text) || e->text[0] == '\0') {
				print_error("%s %s: empty or not valid UTF-8\n", langs[l]->code,
				            catalog_id_name(e->id));
				bad++;
			}
	assert_int_equal(bad, 0);
}

static void test_id_names(void **state)
{
	(void)state;
	assert_string_equal(catalog_id_name(MSG_PONG), "MSG_PONG");
	assert_string_equal(catalog_id_name(MSG_BAD_COUNT), "MSG_BAD_COUNT");
	assert_string_equal(catalog_id_name(MSG_MAX), "?");
	assert_string_equal(catalog_text("de", MSG_MAX), "");
}

static void test_format_fills_placeholders(void **state)
{
	char out[BIG];
	const char *kv_lang[] = { "lang", "de" };
	const char *kv_sub[] = { "prefix", "!", "cmd", "staff", "sub", "frob", "subs", "list, show" };

	(void)state;
	assert_int_equal(catalog_format(out, sizeof out, "en", MSG_LANG_SET, kv_lang, 2),
	                 strlen("Language set to de."));
	assert_string_equal(out, "Language set to de.");
	catalog_format(out, sizeof out, NULL, MSG_UNKNOWN_SUBCOMMAND, kv_sub, 8);
	assert_string_equal(out, "!staff has no sub-command \"frob\". One of: list, show.");

	/* Every placeholder of every text in every language gets its value. */
	for (size_t l = 0; l <= N_LANGS; l++) {
		const char *code = l == 0 ? "en" : langs[l - 1]->code;

		for (int id = 0; id < MSG_MAX; id++) {
			struct ph_set set;
			char values[MAX_PH][PH_LEN + 2];
			const char *kv[2 * MAX_PH];
			size_t nkv = fill_all(catalog_text(code, (enum msg_id)id), &set, values, kv);
			size_t len = catalog_format(out, sizeof out, code, (enum msg_id)id, kv, nkv);

			assert_int_equal(len, strlen(out));
			for (size_t i = 0; i < set.n; i++) {
				char raw[PH_LEN + 2];

				snprintf(raw, sizeof raw, "{%s}", set.name[i]);
				if (strstr(out, values[i]) == NULL || strstr(out, raw) != NULL) {
					print_error("%s %s: {%s} not filled: %s\n", code,
					            catalog_id_name((enum msg_id)id), set.name[i], out);
					fail();
				}
			}
		}
	}
}

static void test_format_keeps_unknown_placeholders(void **state)
{
	char out[BIG];
	const char *kv_cmd[] = { "cmd", "!frob" };
	const char *kv_other[] = { "pre", "x", "prefixes", "y", "nosuch", "z" };
	const char *kv_null[] = { "cmd", NULL, "prefix", "!" };
	const char *kv_odd[] = { "cmd", "!frob", "prefix" };

	(void)state;
	catalog_format(out, sizeof out, "en", MSG_UNKNOWN_COMMAND, kv_cmd, 2);
	assert_string_equal(out, "Unknown command !frob. Try {prefix}help.");
	catalog_format(out, sizeof out, "en", MSG_UNKNOWN_COMMAND, kv_other, 6);
	assert_string_equal(out, "Unknown command {cmd}. Try {prefix}help.");
	catalog_format(out, sizeof out, "en", MSG_UNKNOWN_COMMAND, NULL, 0);
	assert_string_equal(out, en_text[MSG_UNKNOWN_COMMAND]);
	catalog_format(out, sizeof out, "en", MSG_UNKNOWN_COMMAND, kv_null, 4);
	assert_string_equal(out, "Unknown command . Try !help.");
	/* A key without a value is ignored. */
	catalog_format(out, sizeof out, "en", MSG_UNKNOWN_COMMAND, kv_odd, 3);
	assert_string_equal(out, "Unknown command !frob. Try {prefix}help.");
	/* Translations keep unknown placeholders too. */
	for (size_t l = 0; l < N_LANGS; l++) {
		catalog_format(out, sizeof out, langs[l]->code, MSG_UNKNOWN_COMMAND, kv_cmd, 2);
		assert_non_null(strstr(out, "!frob"));
		assert_non_null(strstr(out, "{prefix}help"));
	}
}

static void test_format_falls_back_for_missing_id(void **state)
{
	char out[BIG], en[BIG];
	int missing = 0;

	(void)state;
	for (size_t l = 0; l < N_LANGS; l++) {
		const char *code = langs[l]->code;

		for (int id = 0; id < MSG_MAX; id++) {
			struct ph_set set;
			char values[MAX_PH][PH_LEN + 2];
			const char *kv[2 * MAX_PH];
			const char *text;
			size_t nkv = fill_all(en_text[id], &set, values, kv);

			catalog_format(out, sizeof out, code, (enum msg_id)id, kv, nkv);
			catalog_format(en, sizeof en, "en", (enum msg_id)id, kv, nkv);
			if (lang_has(langs[l], (enum msg_id)id, &text)) {
				if (catalog_text(code, (enum msg_id)id) != text) {
					print_error("%s %s: catalog_text is not the entry\n", code,
					            catalog_id_name((enum msg_id)id));
					fail();
				}
			} else {
				missing++;
				assert_string_equal(catalog_text(code, (enum msg_id)id), en_text[id]);
				assert_string_equal(out, en);
			}
		}
	}
	if (missing > 0)
		print_message("(%d untranslated ids fell back to English)\n", missing);
}

static void test_format_falls_back_for_unknown_language(void **state)
{
	static const char *const unknown[] = { "xx", "", "DE", "de_DE", "zh-CN", "english", NULL };
	const char *kv[] = { "lang", "xx", "langs", "en, de" };
	char out[BIG];

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		for (int id = 0; id < MSG_MAX; id++)
			assert_string_equal(catalog_text(unknown[i], (enum msg_id)id), en_text[id]);
		catalog_format(out, sizeof out, unknown[i], MSG_LANG_BAD, kv, 4);
		assert_string_equal(out, "Unknown language \"xx\". Available: en, de.");
	}
	assert_string_equal(catalog_text("en", MSG_PONG_STATE_DOWN), en_text[MSG_PONG_STATE_DOWN]);
}

static void test_format_cuts_on_utf8_boundary(void **state)
{
	char out[BIG];
	const char *kv_name[] = { "lang", "聊友聊友" };

	(void)state;
	/* 8 bytes hold 7: two 3-byte characters, never a half third one. */
	assert_int_equal(catalog_format(out, 8, "zh", MSG_STATE_DOWN, NULL, 0), 6);
	assert_true(valid_utf8(out));
	assert_int_equal(strncmp(out, catalog_text("zh", MSG_STATE_DOWN), 6), 0);
	/* A value is cut on a boundary too. */
	catalog_format(out, 19, "en", MSG_LANG_SET, kv_name, 2);
	assert_true(valid_utf8(out));
	assert_int_equal(strncmp(out, "Language set to ", 16), 0);
	catalog_format(out, 20, "en", MSG_LANG_SET, kv_name, 2);
	assert_string_equal(out, "Language set to 聊");
	/* Nothing is written into no room; one byte holds only the terminator. */
	out[0] = 'x';
	assert_int_equal(catalog_format(out, 0, "zh", MSG_PONG, NULL, 0), 0);
	assert_int_equal(out[0], 'x');
	assert_int_equal(catalog_format(out, 1, "zh", MSG_STATE_DOWN, NULL, 0), 0);
	assert_string_equal(out, "");

	/* Every text, filled, into every size: valid UTF-8 and within the size. */
	for (size_t l = 0; l <= N_LANGS; l++) {
		const char *code = l == 0 ? "en" : langs[l - 1]->code;

		for (int id = 0; id < MSG_MAX; id++) {
			struct ph_set set;
			char values[MAX_PH][PH_LEN + 2];
			const char *kv[2 * MAX_PH];
			size_t nkv = fill_all(catalog_text(code, (enum msg_id)id), &set, values, kv);
			size_t full = catalog_format(out, sizeof out, code, (enum msg_id)id, kv, nkv);

			assert_true(full < sizeof out - 1);
			for (size_t n = 1; n <= full + 1; n++) {
				char *buf = malloc(n);   /* exact size, so ASan sees overruns */
				size_t len;

				assert_non_null(buf);
				len = catalog_format(buf, n, code, (enum msg_id)id, kv, nkv);
				if (len >= n || len != strlen(buf) || !valid_utf8(buf)) {
					print_error("%s %s into %zu bytes: bad cut (%zu)\n", code,
					            catalog_id_name((enum msg_id)id), n, len);
					free(buf);
					fail();
				}
				free(buf);
			}
		}
	}
}

/* A cut text is the beginning of the whole text, not pieces of it. */
/* Words a script stores for each reader: spans filled in the reader's language, plain text kept. */
static void test_said_fills_spans(void **state)
{
	char out[512], small[12];
	const char *v = "L-1 \x1eMSG_SUM_LEAVE\x1fperson\x1fTom Berger [TRN]\x1f" "dates\x1f" "2026-12-10\x1e; S-2";
	(void)state;

	assert_string_equal(catalog_said(out, sizeof(out), "en", v), "L-1 leave for Tom Berger [TRN]: 2026-12-10; S-2");
	assert_string_equal(catalog_said(out, sizeof(out), "de", v), "L-1 Abwesenheit von Tom Berger [TRN]: 2026-12-10; S-2");
	assert_string_equal(catalog_said(out, sizeof(out), "de", "plain text"), "plain text");
	assert_string_equal(catalog_said(out, sizeof(out), "de", "MSG_APPROVAL_STATE_OPEN"), "offen");
	/* a value naming a message is said too; an unknown name stays as written */
	assert_string_equal(catalog_said(out, sizeof(out), "en", "\x1eMSG_APPROVAL_WHO_ROLE\x1frole\x1fMSG_ROLE_MINISTER\x1e"),
	    "a minister or above");
	assert_string_equal(catalog_said(out, sizeof(out), "en", "a \x1eMSG_NO_SUCH\x1fk\x1fv\x1e b"), "a MSG_NO_SUCH b");
	/* cut at the size, terminated */
	catalog_said(small, sizeof(small), "en", v);
	assert_string_equal(small, "L-1 leave f");
}

/* A shift is said in the reader's words: its label, else the catalog's word
 * for a common name, else its English label, else its name; a word nobody
 * configured stays as typed, and a {shift} in a span is said too. */
static void test_shift_words(void **state)
{
	struct config_label early_labels[] = { { "zh", "早班A" }, { "en", "early one" } };
	struct config_shift shifts[] = {
		{ .name = "early", .labels = early_labels, .n_labels = 2 },
		{ .name = "late" },
		{ .name = "swing" },
	};
	char out[512];
	(void)state;

	assert_string_equal(catalog_shift("de", "late"), "late");       /* no shifts handed over yet */
	catalog_use_shifts(shifts, 3);
	assert_string_equal(catalog_shift("zh", "early"), "早班A");      /* its label */
	assert_string_equal(catalog_shift("de", "early"), "Frühschicht"); /* the catalog's word beats the English label */
	assert_string_equal(catalog_shift("en", "early"), "early one");
	assert_string_equal(catalog_shift(NULL, "early"), "early one");
	assert_string_equal(catalog_shift("de", "late"), "Spätschicht");
	assert_string_equal(catalog_shift("hu", "late"), "délutános műszak");
	assert_string_equal(catalog_shift("en", "late"), "late");
	assert_string_equal(catalog_shift("de", "swing"), "swing");
	assert_string_equal(catalog_shift("de", "night"), "night");      /* not configured: as typed */
	/* "late" the shift is not "late" the check-in */
	assert_null(strstr(catalog_text("de", MSG_CHECKIN_LATE), "Spätschicht"));
	catalog_format_said(out, sizeof(out), "de", MSG_CHECKIN_LATE,
	    (const char *const[]){ "name", "Tom", "shift", "late", "date", "2026-12-08", "minutes", "12" }, 8);
	assert_string_equal(out, "Tom, du bist für Spätschicht (2026-12-08) eingestempelt, 12 Min. nach Schichtbeginn (zählt als Verspätung).");
	assert_string_equal(catalog_said(out, sizeof(out), "es",
	    "\x1eMSG_SUM_SWAP\x1f" "from\x1f" "Ana\x1f" "shift\x1f" "early\x1f" "date\x1f" "2026-12-11\x1f" "to\x1f" "Sara\x1e"),
	    "Ana cede el turno de mañana del 2026-12-11 a Sara");
	catalog_use_shifts(NULL, 0);
}

/* A span made in C is said in each reader's language. */
static void test_span_is_said(void **state)
{
	char span[64], out[128];
	(void)state;

	catalog_span(span, sizeof(span), MSG_WHERE_PRIVATE, (const char *const[]){ "conn", "site" }, 2);
	assert_string_equal(catalog_said(out, sizeof(out), "en", span), "site (private)");
	assert_string_equal(catalog_said(out, sizeof(out), "de", span), "site (Direktnachricht)");
	assert_string_equal(catalog_span(span, 8, MSG_WHERE_PRIVATE, (const char *const[]){ "conn", "site" }, 2), "");
}

/* A plural text: {n} picks the form by the Plural-Forms of the language the
 * text is in (English's when it fell back); Chinese has one form. */
static void test_plural_forms(void **state)
{
	char out[256];
	(void)state;

#define REFUSED(lang, count) (catalog_format(out, sizeof(out), (lang), MSG_NOTIFY_REFUSED, \
	(const char *const[]){ "n", (count) }, 2), out)
	assert_string_equal(REFUSED("en", "1"), "Not drafted: 1 problem to fix first:");
	assert_string_equal(REFUSED("en", "0"), "Not drafted: 0 problems to fix first:");
	assert_string_equal(REFUSED("es", "1"), "No se ha creado el borrador: antes tienes que corregir 1 problema:");
	assert_string_equal(REFUSED("es", "4"), "No se ha creado el borrador: antes tienes que corregir 4 problemas:");
	assert_string_equal(REFUSED("de", "2"), "Kein Entwurf angelegt: Behebe zuerst 2 Probleme:");
	assert_string_equal(REFUSED("zh", "1"), "未创建草稿：请先修正以下 1 个问题：");
	assert_string_equal(REFUSED("zh", "7"), "未创建草稿：请先修正以下 7 个问题：");
	assert_string_equal(REFUSED("xx", "3"), "Not drafted: 3 problems to fix first:");
#undef REFUSED
	/* a decimal as the reader writes it */
	assert_string_equal(catalog_decimal(out, sizeof(out), "en", 12, 5, 1), "12.5");
	assert_string_equal(catalog_decimal(out, sizeof(out), "de", 0, 5, 2), "0,05");
	assert_string_equal(catalog_decimal(out, sizeof(out), "hu", 40, 0, 1), "40,0");
	assert_string_equal(catalog_decimal(out, sizeof(out), "zh", 3, 25, 2), "3.25");
	/* in a span, as the scripts store it */
	assert_string_equal(catalog_said(out, sizeof(out), "es", "\x1eMSG_REPORT_AGENT\x1fname\x1fSara\x1fn\x1f" "1\x1fmedian\x1f-\x1frating\x1f-\x1e"),
	    "Sara: 1 resuelta, mediana de respuesta: -, valoración: -");
}

/* A span's value may hold inner spans (a report line's priorities), and an
 * inner span may stand alone; deeper ones are not read as spans. */
static void test_said_fills_inner_spans(void **state)
{
	char out[512];
	const char *v = "\x1eMSG_REPORT_PRIORITIES\x1fpriorities\x1f\x1cMSG_PRIORITY_HIGH\x1c 1, \x1cMSG_PRIORITY_NORMAL\x1c 8\x1e";
	(void)state;

	assert_string_equal(catalog_said(out, sizeof(out), "en", v), "\nBy priority: high 1, normal 8");
	assert_string_equal(catalog_said(out, sizeof(out), "de", v), "\nNach Priorität: hoch 1, normal 8");
	assert_string_equal(catalog_said(out, sizeof(out), "hu", "C-1 (\x1cMSG_PRIORITY_HIGH\x1c)"), "C-1 (magas)");
	assert_string_equal(catalog_format_said(out, sizeof(out), "es", MSG_REPORT_PRIORITIES,
	    (const char *const[]){ "priorities", "\x1cMSG_PRIORITY_URGENT\x1c 2" }, 2) > 0 ? out : "",
	    "\nPor prioridad: urgente 2");
}

static void test_format_cut_is_a_prefix(void **state)
{
	char out[BIG];
	const char *kv_name[] = { "lang", "聊友聊友" };
	int bad = 0;

	(void)state;
	/* Room for 18 bytes: the value is cut after "to ", and nothing follows. */
	catalog_format(out, 19, "en", MSG_LANG_SET, kv_name, 2);
	assert_string_equal(out, "Language set to ");
	for (size_t l = 0; l <= N_LANGS; l++) {
		const char *code = l == 0 ? "en" : langs[l - 1]->code;

		for (int id = 0; id < MSG_MAX; id++) {
			struct ph_set set;
			char values[MAX_PH][PH_LEN + 2];
			const char *kv[2 * MAX_PH];
			size_t nkv = fill_all(catalog_text(code, (enum msg_id)id), &set, values, kv);
			size_t full = catalog_format(out, sizeof out, code, (enum msg_id)id, kv, nkv);

			for (size_t n = 1; n <= full + 1; n++) {
				char buf[BIG];
				size_t len = catalog_format(buf, n, code, (enum msg_id)id, kv, nkv);

				if (strncmp(buf, out, len) != 0) {
					print_error("%s %s into %zu bytes: \"%s\" is not a prefix of \"%s\"\n",
					            code, catalog_id_name((enum msg_id)id), n, buf, out);
					bad++;
					break;
				}
			}
		}
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders_match_english),
		cmocka_unit_test(test_no_duplicate_ids),
		cmocka_unit_test(test_texts_are_valid_utf8),
		cmocka_unit_test(test_id_names),
		cmocka_unit_test(test_format_fills_placeholders),
		cmocka_unit_test(test_format_keeps_unknown_placeholders),
		cmocka_unit_test(test_format_falls_back_for_missing_id),
		cmocka_unit_test(test_format_falls_back_for_unknown_language),
		cmocka_unit_test(test_format_cuts_on_utf8_boundary),
		cmocka_unit_test(test_format_cut_is_a_prefix),
		cmocka_unit_test(test_said_fills_spans),
		cmocka_unit_test(test_said_fills_inner_spans),
		cmocka_unit_test(test_plural_forms),
		cmocka_unit_test(test_shift_words),
		cmocka_unit_test(test_span_is_said),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
