#!/usr/bin/env python3
"""One-time converter: bot/catalog_en.h and bot/catalog_<lang>.c -> po/dutybot.pot
and po/<lang>.po.  Run once, then the C tables and this script are deleted: the
.po files are the source from then on."""
import re, sys

LANGS = {"de": "German", "es": "Spanish", "hu": "Hungarian", "zh": "Chinese (simplified)"}
PLURALS = {"de": "nplurals=2; plural=(n != 1);", "es": "nplurals=2; plural=(n != 1);",
           "hu": "nplurals=2; plural=(n != 1);", "zh": "nplurals=1; plural=0;"}
# Texts the four C tables lacked; translated now (the build fails on a missing id).
NEW = {
    "MSG_STAFF_TOO_MANY_IDENTITIES": {
        "de": "Ein Mitarbeiter hat höchstens {max} Identitäten; löse zuerst eine davon.",
        "es": "Un miembro del personal tiene como máximo {max} identidades; desvincula una primero.",
        "hu": "Egy munkatársnak legfeljebb {max} platformazonosítója lehet; előbb válassz le egyet.",
        "zh": "每位工作人员最多关联 {max} 个平台身份；请先解除其中一个。",
    },
}
LIST = "en, de, es, hu, zh"   # written into MSG_WHY_LANG today; {languages} from now on


def c_unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\":
            out.append({"n": "\n", '"': '"', "\\": "\\"}[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def po_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


STR = r'"((?:[^"\\]|\\.)*)"'
en = [(i, c_unescape(t)) for i, t in
      re.findall(r"^\s*X\((MSG_\w+), " + STR + r"\) *\\?$", open("bot/catalog_en.h").read(), re.M)]
assert len(en) == open("bot/catalog_en.h").read().count("X(MSG_"), "unparsed English line"


def languages(text):
    assert text.count(LIST) <= 1
    return text.replace(LIST, "{languages}")


def entry(out, ident, english, text, comment=None):
    if comment:
        out.append("#. " + comment)
    if "{" in english:
        out.append("#, python-brace-format")
    out.append("msgctxt " + po_str(ident))
    out.append("msgid " + po_str(english))
    out.append("msgstr " + po_str(text))
    out.append("")


WHY = "{languages} is filled in when the bot is built: the codes of po/LINGUAS."
pot = ['msgid ""', 'msgstr ""', '"Project-Id-Version: dutybot\\n"',
       '"MIME-Version: 1.0\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"',
       '"Content-Transfer-Encoding: 8bit\\n"', ""]
for ident, text in en:
    t = languages(text)
    entry(pot, ident, t, "", WHY if t != text else None)
open("po/dutybot.pot", "w").write("\n".join(pot))

for lang, name in LANGS.items():
    src = open(f"bot/catalog_{lang}.c").read()
    tr = {i: c_unescape(t) for i, t in re.findall(r"^\s*\{ (MSG_\w+), " + STR + r" \},$", src, re.M)}
    assert len(tr) == src.count("{ MSG_") - 1, "unparsed line in " + lang
    for ident, texts in NEW.items():
        assert ident not in tr
        tr[ident] = texts[lang]
    po = ['# ' + name + ' translation of dutybot.', 'msgid ""', 'msgstr ""',
          '"Project-Id-Version: dutybot\\n"', '"PO-Revision-Date: 2026-12-07 00:00+0000\\n"',
          '"Last-Translator: dutybot maintainers\\n"', '"Language-Team: ' + name + '\\n"',
          '"Language: ' + lang + '\\n"', '"MIME-Version: 1.0\\n"',
          '"Content-Type: text/plain; charset=UTF-8\\n"', '"Content-Transfer-Encoding: 8bit\\n"',
          '"Plural-Forms: ' + PLURALS[lang] + '\\n"', ""]
    for ident, text in en:
        t = languages(text)
        entry(po, ident, t, languages(tr[ident]), WHY if t != text else None)
    open(f"po/{lang}.po", "w").write("\n".join(po))
print("wrote po/dutybot.pot and", " ".join(f"po/{l}.po" for l in LANGS))
