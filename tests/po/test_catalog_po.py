"""test_catalog_po: the build step that turns po/ into the catalog's tables
(po/catalog_gen.py) refuses what would make a wrong catalog: a missing id, a
placeholder that is not the English one, a syntax error, a .po not merged with
the .pot; and counts, not uses, what is fuzzy or untranslated.  Each test runs
the script on a changed copy of po/, as the build would."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

CATALOG_GEN = os.environ["CATALOG_GEN"]
PO_DIR = os.environ["PO_DIR"]
MSGFMT = os.environ.get("MSGFMT", "msgfmt")
MSGMERGE = os.environ.get("MSGMERGE", "msgmerge")
LANGS = ("de", "es", "hu", "zh")


class CatalogPo(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.po = os.path.join(tmp.name, "po")
        self.out = os.path.join(tmp.name, "generated")
        shutil.copytree(PO_DIR, self.po, ignore=shutil.ignore_patterns("*.py", "*.cmake"))

    def gen(self, step):
        tool = MSGMERGE if step == "update" else MSGFMT
        args = [sys.executable, CATALOG_GEN, step, self.po] + ([] if step == "update" else [self.out]) + [tool]
        return subprocess.run(args, capture_output=True, text=True)

    def build(self):
        """The two build steps; the result of the first that fails, or of the last."""
        done = self.gen("headers")
        return done if done.returncode != 0 else self.gen("tables")

    def path(self, name):
        return os.path.join(self.po, name)

    def read(self, name):
        with open(self.path(name), encoding="utf-8") as f:
            return f.read()

    def write(self, name, text):
        with open(self.path(name), "w", encoding="utf-8") as f:
            f.write(text)

    def edit(self, name, old, new):
        text = self.read(name)
        self.assertEqual(text.count(old), 1, f"{name}: {old!r}")
        self.write(name, text.replace(old, new))

    def drop_entry(self, name, msg_id):
        entries = self.read(name).split("\n\n")
        kept = [e for e in entries if f'msgctxt "{msg_id}"' not in e]
        self.assertEqual(len(kept), len(entries) - 1)
        self.write(name, "\n\n".join(kept))

    def read_out(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as f:
            return f.read()

    def table(self, lang):
        """The ids in LANG's generated table."""
        body = re.search(r"%s_entries\[\] = \{\n(.*?)\n\};" % lang, self.read_out("catalog_tables.c"), re.S).group(1)
        return set(re.findall(r"\{ (MSG_\w+),", body)) - {"MSG_MAX"}

    def assert_fails(self, done, *words):
        self.assertNotEqual(done.returncode, 0, done.stdout)
        for w in words:
            self.assertIn(w, done.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.out, "catalog_tables.c")))

    def test_the_po_files_build(self):
        done = self.build()
        self.assertEqual(done.returncode, 0, done.stderr)
        for lang in LANGS:
            self.assertRegex(done.stdout, rf"po/{lang}\.po: \d+ translated, \d+ fuzzy, \d+ untranslated")
            self.assertIn("MSG_STAFF_TOO_MANY_IDENTITIES", self.table(lang))
        self.assertIn('#define I18N_LANGUAGE_LIST "en, de, es, hu, zh"', self.read_out("languages.h"))

    def test_missing_id_fails(self):
        self.drop_entry("de.po", "MSG_STAFF_TOO_MANY_IDENTITIES")
        self.assert_fails(self.build(), "de.po: missing MSG_STAFF_TOO_MANY_IDENTITIES", "po-update")

    def test_missing_id_in_every_language_fails_naming_each(self):
        for lang in LANGS:
            self.drop_entry(f"{lang}.po", "MSG_STAFF_TOO_MANY_IDENTITIES")
        done = self.build()
        self.assert_fails(done, *(f"{lang}.po: missing MSG_STAFF_TOO_MANY_IDENTITIES" for lang in LANGS))

    def test_placeholder_renamed_fails(self):
        self.edit("es.po", "como máximo {max} identidades", "como máximo {maximum} identidades")
        self.assert_fails(self.build(), "es.po", "a format specification for argument 'max'")

    def test_placeholder_dropped_fails(self):
        self.edit("hu.po", "legfeljebb {max} platformazonosítója", "legfeljebb 16 platformazonosítója")
        self.assert_fails(self.build(), "hu.po", "a format specification for argument 'max'")

    def test_placeholder_in_a_text_without_any_fails(self):
        self.edit("zh.po", 'msgid "pong"\nmsgstr "pong"', 'msgid "pong"\nmsgstr "pong {name}"')
        self.assert_fails(self.build(), "zh.po", "MSG_PONG", "placeholders")

    def test_syntax_error_fails(self):
        self.edit("zh.po", 'msgid "pong"\nmsgstr "pong"', 'msgid "pong"\nmsgstr "pong')
        self.assert_fails(self.build(), "zh.po")

    def test_unknown_id_fails(self):
        self.write("de.po", self.read("de.po") + '\nmsgctxt "MSG_NO_SUCH"\nmsgid "x"\nmsgstr "y"\n')
        self.assert_fails(self.build(), "MSG_NO_SUCH is not in dutybot.pot")

    def test_pot_placeholder_needs_the_format_flag(self):
        self.edit("dutybot.pot", '#, python-brace-format\nmsgctxt "MSG_USAGE"', 'msgctxt "MSG_USAGE"')
        done = self.gen("headers")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("MSG_USAGE has placeholders: mark it #, python-brace-format", done.stderr)

    def test_changed_english_not_merged_fails(self):
        self.edit("dutybot.pot", '"pong (but the state store is unavailable right now)"',
                  '"pong (but Redis is unavailable right now)"')
        self.assert_fails(self.build(), "MSG_PONG_STATE_DOWN: the English is not the one of dutybot.pot",
                          "po-update")

    def test_changed_english_becomes_fuzzy_and_is_said_in_english(self):
        self.edit("dutybot.pot", '"pong (but the state store is unavailable right now)"',
                  '"pong (but Redis is unavailable right now)"')
        self.assertEqual(self.gen("update").returncode, 0)
        for lang in LANGS:
            self.assertIn('#, fuzzy\n#| msgctxt "MSG_PONG_STATE_DOWN"\n#| msgid "pong (but the state store',
                          self.read(f"{lang}.po"))
        done = self.build()
        self.assertEqual(done.returncode, 0, done.stderr)
        for lang in LANGS:
            self.assertRegex(done.stdout, rf"po/{lang}\.po: \d+ translated, 1 fuzzy, 0 untranslated \(these are said in English\)")
            self.assertNotIn("MSG_PONG_STATE_DOWN", self.table(lang))
            self.assertIn("MSG_PONG", self.table(lang))
        self.assertIn('X(MSG_PONG_STATE_DOWN, "pong (but Redis is unavailable right now)")', self.read_out("catalog_en.h"))

    def test_new_id_comes_in_untranslated(self):
        self.write("dutybot.pot", self.read("dutybot.pot") + '\nmsgctxt "MSG_NEW_ONE"\nmsgid "a new text"\nmsgstr ""\n')
        self.assert_fails(self.build(), "missing MSG_NEW_ONE")
        self.assertEqual(self.gen("update").returncode, 0)
        done = self.build()
        self.assertEqual(done.returncode, 0, done.stderr)
        for lang in LANGS:
            self.assertRegex(done.stdout, rf"po/{lang}\.po: \d+ translated, 0 fuzzy, 1 untranslated")
            self.assertNotIn("MSG_NEW_ONE", self.table(lang))

    def test_update_changes_nothing_when_nothing_changed(self):
        before = {lang: self.read(f"{lang}.po") for lang in LANGS}
        self.assertEqual(self.gen("update").returncode, 0)
        for lang in LANGS:
            self.assertEqual(self.read(f"{lang}.po"), before[lang], lang)

    def test_a_language_is_added_in_one_place(self):
        self.write("fr.po", self.read("de.po").replace('"Language: de\\n"', '"Language: fr\\n"'))
        self.edit("LINGUAS", "de es hu zh", "de es fr hu zh")
        done = self.build()
        self.assertEqual(done.returncode, 0, done.stderr)
        head = self.read_out("languages.h")
        self.assertIn('#define I18N_LANGUAGES "en", "de", "es", "fr", "hu", "zh"', head)
        self.assertIn("#define I18N_TRANSLATIONS(X) X(de) X(es) X(fr) X(hu) X(zh)", head)
        self.assertIn("const struct catalog_lang catalog_fr = { \"fr\", fr_entries, fr_plural };", self.read_out("catalog_tables.c"))

    def test_plural_forms_come_from_the_header_and_are_joined(self):
        tables = (self.build(), self.read_out("catalog_tables.c"))[1]
        self.assertIn("static unsigned long zh_plural(unsigned long n)\n{\n\treturn (unsigned long)(0);", tables)
        self.assertIn("static unsigned long de_plural(unsigned long n)\n{\n\treturn (unsigned long)((n != 1));", tables)
        self.assertIn('{ MSG_NOTIFY_REFUSED, "No se ha creado el borrador: antes tienes que corregir {n} problema:'
                      '\\033No se ha creado', tables)
        self.assertIn('X(MSG_NOTIFY_REFUSED, "Not drafted: {n} problem to fix first:\\033Not drafted: {n} problems',
                      self.read_out("catalog_en.h"))

    def test_a_plural_form_with_a_placeholder_english_has_not_fails(self):
        self.edit("es.po", 'msgstr[1] "No se ha creado el borrador: antes tienes que corregir {n} problemas:"',
                  'msgstr[1] "No se ha creado el borrador: antes tienes que corregir {count} problemas:"')
        self.assert_fails(self.build(), "es.po", "count")          # msgfmt --check-format says so first

    def test_a_plural_english_without_n_fails(self):
        self.edit("dutybot.pot", 'msgid_plural "Not drafted: {n} problems to fix first:"',
                  'msgid_plural "Not drafted: some problems to fix first:"')
        self.assert_fails(self.build(), "a plural text counts its {n}")

    def test_a_language_without_its_file_fails(self):
        self.edit("LINGUAS", "de es hu zh", "de es fr hu zh")
        self.assert_fails(self.build(), "fr.po")

if __name__ == "__main__":
    unittest.main()
