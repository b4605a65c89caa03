#!/usr/bin/env python3
"""catalog_gen: the bot's words from po/ into the C tables of bot/i18n/catalog.c.

po/LINGUAS lists the translations (the one list of languages; English is always
first).  po/dutybot.pot is the source of the message ids (msgctxt) and of the
English texts (msgid); po/<lang>.po translates them (msgstr).  CMake runs:

  catalog_gen.py headers PO_DIR OUT_DIR MSGFMT   -> languages.h, catalog_en.h
  catalog_gen.py tables  PO_DIR OUT_DIR MSGFMT   -> catalog_tables.c, and prints
                                                    the counts of each language
  catalog_gen.py update  PO_DIR MSGMERGE         -> merges the .pot into each .po
                                                    (the po-update target)

The build fails (exit 1, "file:line: what") on a syntax error, on a placeholder
that differs from the English one (msgfmt -c --check-format, python-brace-format),
on an id missing from a .po or unknown to the .pot, and on a .po whose English is
not the .pot's (po-update not run).  An entry that is fuzzy or has an empty
msgstr is counted and left out of the table: the reader gets English, as with
gettext.  "{languages}" in any text is filled here with the list of languages.
A text that counts has msgid_plural (its count is {n}) and msgstr[N] forms: the
forms go into the tables joined by FORM_SEP, and each language's Plural-Forms
expression becomes its C function <code>_plural() (catalog_format picks the form).
"""
import os
import re
import subprocess
import sys

POT = "dutybot.pot"
ID = re.compile(r"MSG_[A-Z0-9_]+")
CODE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")      # also a C identifier: catalog_<code>
UPDATE_HINT = "run `cmake --build build --target po-update`"
PO_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
FORM_SEP = "\x1b"          # between the plural forms of a text in the C tables


class Failed(Exception):
    """A reason the build stops, as "file:line: problem"."""


class Entry:
    def __init__(self, line):
        self.line = line            # where msgctxt (or msgid) is, for messages
        self.flags = set()
        self.msgctxt = None
        self.msgid = None
        self.msgstr = None
        self.msgid_plural = None
        self.forms = {}             # msgstr[N] of a plural entry: {N: text}

    def done(self):
        return self.msgstr is not None or bool(self.forms)


def languages(po_dir):
    """The codes of po/LINGUAS, in order: whitespace-separated, '#' comments."""
    path = os.path.join(po_dir, "LINGUAS")
    codes = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            for code in line.split("#", 1)[0].split():
                if not CODE.fullmatch(code) or code == "en" or code in codes:
                    raise Failed(f"{path}:{n}: \"{code}\" is not a new language code like de or pt_BR")
                codes.append(code)
    return codes


def unquote(path, n, s):
    """The text of one PO string line '"..."' with its C escapes."""
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise Failed(f"{path}:{n}: not a quoted string: {s}")
    out, i, body = [], 0, s[1:-1]
    while i < len(body):
        if body[i] == "\\":
            if i + 1 >= len(body) or body[i + 1] not in PO_ESCAPES:
                raise Failed(f"{path}:{n}: unknown escape in {s}")
            out.append(PO_ESCAPES[body[i + 1]])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def read_po(path):
    """The entries of a PO file, header and obsolete (#~) entries left out.
    Only what msgfmt has accepted is read, so the syntax here is the common one."""
    entries, cur, key = [], None, None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if cur is not None and cur.done() and (line.startswith(("#", "msgctxt", "msgid ")) or not line):
                entries.append(cur)
                cur, key = None, None
            if not line or (line.startswith("#") and not line.startswith("#,")):
                continue
            if cur is None:
                cur = Entry(n)
            if line.startswith("#,"):
                cur.flags.update(flag.strip() for flag in line[2:].split(","))
                continue
            word, _, rest = line.partition(" ")
            form = re.fullmatch(r"msgstr\[(\d+)\]", word)
            if word in ("msgctxt", "msgid", "msgstr", "msgid_plural"):
                key = word
                if word == "msgctxt":
                    cur.line = n
                setattr(cur, word, unquote(path, n, rest.strip()))
            elif form:
                key = int(form.group(1))
                cur.forms[key] = unquote(path, n, rest.strip())
            elif line.startswith('"') and isinstance(key, int):
                cur.forms[key] += unquote(path, n, line)
            elif line.startswith('"') and key is not None:
                setattr(cur, key, getattr(cur, key) + unquote(path, n, line))
            else:
                raise Failed(f"{path}:{n}: not used in the catalog (plural forms?): {line}")
    if cur is not None and cur.done():
        entries.append(cur)
    return [e for e in entries if e.msgid != "" or e.msgctxt is not None]


def placeholders(text):
    """{name}s as catalog_format() sees them: '{' up to the next '}'."""
    return set(re.findall(r"\{([^}]*)\}", text))


def msgfmt_check(msgfmt, path, strict):
    """msgfmt's own checks; -c --check-format for a translation."""
    args = [msgfmt, "-o", os.devnull] + (["-c", "--check-format"] if strict else []) + [path]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise Failed(done.stderr.strip() or f"{path}: msgfmt failed")


def read_english(po_dir, msgfmt):
    """The .pot's entries, in order, after checking ids and format flags."""
    path = os.path.join(po_dir, POT)
    msgfmt_check(msgfmt, path, strict=False)
    english, seen = read_po(path), set()
    for e in english:
        where = f"{path}:{e.line}"
        if e.msgctxt is None or not ID.fullmatch(e.msgctxt):
            raise Failed(f"{where}: msgctxt must be the message id, MSG_SOMETHING")
        if e.msgctxt in seen:
            raise Failed(f"{where}: {e.msgctxt} appears twice")
        seen.add(e.msgctxt)
        if e.msgstr not in ("", None) or any(e.forms.values()):
            raise Failed(f"{where}: {e.msgctxt}: the template's msgstr stays empty")
        if e.msgid_plural is not None and "n" not in placeholders(e.msgid_plural):
            raise Failed(f"{where}: {e.msgctxt}: a plural text counts its {{n}}")
        if placeholders(e.msgid) and "python-brace-format" not in e.flags:
            raise Failed(f"{where}: {e.msgctxt} has placeholders: mark it #, python-brace-format")
    return english


def read_translation(po_dir, code, english, msgfmt):
    """The texts of CODE that are used ({id: text}) and its counts; fails as the module says."""
    path = os.path.join(po_dir, code + ".po")
    msgfmt_check(msgfmt, path, strict=True)
    with open(path, encoding="utf-8") as f:
        if not re.search(r'^"Language: ' + re.escape(code) + r'\\n"$', f.read(), re.M):
            raise Failed(f"{path}: the header says no \"Language: {code}\"")
    wanted = {e.msgctxt: e.msgid for e in english}
    found, texts, fuzzy, untranslated = set(), {}, 0, 0
    for e in read_po(path):
        where = f"{path}:{e.line}"
        if e.msgctxt not in wanted:
            raise Failed(f"{where}: {e.msgctxt} is not in {POT}; {UPDATE_HINT} to retire it")
        if e.msgid != wanted[e.msgctxt]:
            raise Failed(f"{where}: {e.msgctxt}: the English is not the one of {POT}; {UPDATE_HINT}")
        found.add(e.msgctxt)
        forms = [e.forms[k] for k in sorted(e.forms)] if e.forms else [e.msgstr]
        if all(f == "" for f in forms):
            untranslated += 1
        elif "fuzzy" in e.flags:
            fuzzy += 1
        elif any(placeholders(f) - placeholders(english_text(e)) for f in forms) \
                or placeholders(forms[-1]) != placeholders(e.msgid_plural or e.msgid):
            # a singular form may leave {n} out ("eine Beschwerde"), the others say what the English says
            raise Failed(f"{where}: {e.msgctxt}: placeholders {sorted(placeholders(forms[-1]))}"
                         f" are not the English {sorted(placeholders(e.msgid_plural or e.msgid))}")
        else:
            texts[e.msgctxt] = FORM_SEP.join(forms)
    missing = [e.msgctxt for e in english if e.msgctxt not in found]
    if missing:
        raise Failed(f"{path}: missing {', '.join(missing)}; {UPDATE_HINT}, then translate")
    return texts, fuzzy, untranslated


def english_text(e):
    """The English of E as the C table holds it: the forms of a plural entry
    (singular, plural) joined by FORM_SEP, catalog_format picks one by {n}."""
    return e.msgid if e.msgid_plural is None else e.msgid + FORM_SEP + e.msgid_plural


def plural_rule(po_dir, code):
    """The C expression of the Plural-Forms header of po/CODE.po (gettext's
    own syntax is C's); 'n != 1' when it has none."""
    path = os.path.join(po_dir, code + ".po")
    with open(path, encoding="utf-8") as f:
        m = re.search(r'^"Plural-Forms: *nplurals=(\d+); *plural=([^;"]+);', f.read(), re.M)
    if m is None:
        return "n != 1"
    if not re.fullmatch(r"[n0-9 ()!=<>&|%?:+-]+", m.group(2)):
        raise Failed(f"{path}: Plural-Forms: \"{m.group(2)}\" is not a plural expression")
    return m.group(2)


def c_string(text):
    """TEXT as a C string literal; UTF-8 stays as it is."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\%03o" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out).replace("??", "?\\?") + '"'


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def fill(text, codes):
    return text.replace("{languages}", ", ".join(["en"] + codes))


def headers(po_dir, out_dir, msgfmt):
    codes, english = languages(po_dir), read_english(po_dir, msgfmt)
    everyone = ["en"] + codes
    write(os.path.join(out_dir, "languages.h"), f"""\
/* Generated from po/LINGUAS by po/catalog_gen.py: change po/LINGUAS, not this. */
#ifndef DUTYBOT_GENERATED_LANGUAGES_H
#define DUTYBOT_GENERATED_LANGUAGES_H

/* English first, then the translations: an initializer list of codes. */
#define I18N_LANGUAGES {", ".join(c_string(c) for c in everyone)}
/* The same for people to read, and for a usage line. */
#define I18N_LANGUAGE_LIST {c_string(", ".join(everyone))}
#define I18N_LANGUAGE_CHOICES {c_string("|".join(everyone))}
/* X(code) for each translation. */
#define I18N_TRANSLATIONS(X) {" ".join(f"X({c})" for c in codes)}

#endif
""")
    lines = "".join(f" \\\n\tX({e.msgctxt}, {c_string(fill(english_text(e), codes))})" for e in english)
    write(os.path.join(out_dir, "catalog_en.h"), f"""\
/*
 * Generated from po/dutybot.pot by po/catalog_gen.py: change the .pot, not this.
 * Every text the bot says, in English, keyed by message id; this list defines
 * the ids (enum msg_id).
 */
#define CATALOG_EN(X){lines}
""")


def tables(po_dir, out_dir, msgfmt):
    codes, english = languages(po_dir), read_english(po_dir, msgfmt)
    parts = ["/*\n * Generated from po/<lang>.po by po/catalog_gen.py: change the .po files, not this.\n"
             " * Each language lists its translated texts that are not fuzzy; catalog.c\n"
             " * falls back to English for the others.\n */\n#include \"bot/i18n/catalog.h\"\n"]
    failures = []
    for code in codes:
        try:
            texts, fuzzy, untranslated = read_translation(po_dir, code, english, msgfmt)
        except Failed as why:
            failures.append(str(why))
            continue
        print(f"po/{code}.po: {len(texts)} translated, {fuzzy} fuzzy, {untranslated} untranslated"
              + ("" if fuzzy + untranslated == 0 else " (these are said in English)"))
        rows = "".join(f"\t{{ {e.msgctxt}, {c_string(fill(texts[e.msgctxt], codes))} }},\n"
                       for e in english if e.msgctxt in texts)
        parts.append(f"\nstatic const struct catalog_entry {code}_entries[] = {{\n{rows}"
                     f"\t{{ MSG_MAX, NULL }},\n}};\n"
                     f"static unsigned long {code}_plural(unsigned long n)\n{{\n"
                     f"\treturn (unsigned long)({plural_rule(po_dir, code)});\n}}\n"
                     f"const struct catalog_lang catalog_{code} = {{ \"{code}\", {code}_entries, {code}_plural }};\n")
    if failures:
        raise Failed("\n".join(failures))
    write(os.path.join(out_dir, "catalog_tables.c"), "".join(parts))


def update(po_dir, msgmerge):
    """What po-update does: changed English becomes fuzzy (with the old one as #|),
    new ids come in untranslated, ids gone from the .pot become obsolete (#~)."""
    for code in languages(po_dir):
        subprocess.run([msgmerge, "--quiet", "--update", "--backup=none", "--previous", "--no-wrap",
                        os.path.join(po_dir, code + ".po"), os.path.join(po_dir, POT)], check=True)
        print(f"po/{code}.po: merged with po/{POT}")


def main(argv):
    try:
        if len(argv) == 5 and argv[1] in ("headers", "tables"):
            os.makedirs(argv[3], exist_ok=True)
            (headers if argv[1] == "headers" else tables)(argv[2], argv[3], argv[4])
        elif len(argv) == 4 and argv[1] == "update":
            update(argv[2], argv[3])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except Failed as why:
        print(why, file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError) as why:
        print(f"catalog_gen: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
