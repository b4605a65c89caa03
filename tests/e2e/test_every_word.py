"""End-to-end: every word in the reader's language (issue 21).

A German (tom), a Chinese (wei), a Spanish (sara) and a Hungarian (vera)
speaker of the seeds' department each get a swap approval, an emergency page,
a refusal, a complaint receipt and !hours; no reply to them may hold an
English word of the catalog.  The English words are read from the catalog's
own English texts (po/dutybot.pot), so a new English text is checked too;
names, ids, commands and the config's own words (shift names, level
shortcodes) are taken out of the reply first, and the few words that are
the same in a language are allowed for that language only (ALSO_NATIVE).

A channel set to Spanish (channels.alerts.lang) gets its alerts in Spanish
while the connection's people read English.
"""

from __future__ import annotations

import os
import re
import time
import unittest

from realday import DEPARTMENT, RealDayE2E

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
POT = os.path.join(ROOT, "po", "dutybot.pot")
DAY = "2026-12-08"                  # a Tuesday; Berlin is UTC+1
NOW = "2026-12-08T08:10:00+01:00"   # early (06-14) runs


def english_words() -> set[str]:
    """The words of the catalog's English texts, lowercase, placeholders out."""
    words: set[str] = set()
    with open(POT, encoding="utf-8") as f:
        text = f.read()
    for block in re.findall(r'^msgid ((?:".*"\n)+)', text, re.M):
        english = "".join(re.findall(r'"(.*)"', block))
        english = re.sub(r"\{[a-z_]+\}", " ", english)
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", english))
    return words


# Words of the catalog's English that are also ordinary words of the language
# (said so by a native reader, not English left over) - kept small:
ALSO_NATIVE = {
    # German: articles and words of its own (in, an, was, so), loans the seeds
    # use (Minister, Webmaster, Agent, Level, Team, Status, Median, Problem), "Min." and "ID"
    "de": {"in", "an", "was", "so", "minimum", "name", "team", "level", "status", "min", "minister",
           "webmaster", "agent", "median", "problem", "id"},
    # Spanish: "no", "me", "has" (has fichado), "decide(s)", "plan", "total", "normal", the seeds'
    # "webmaster", "min" and "ID"
    "es": {"no", "me", "has", "decide", "decides", "plan", "total", "normal", "webmaster", "min", "id"},
    # Hungarian: "is" (also), "ha" (if), "meg", "be" (verb prefixes), "most" (now), "minimum"
    "hu": {"is", "ha", "meg", "be", "most", "min", "minimum"},
    # Chinese has no Latin words of its own: only the ID abbreviation
    "zh": {"id"},
}
# In every language, the department's own names from its config: the
# connection's name and its rooms.  A shift is said in the reader's words
# ("Frühschicht", "早班"), so its config name counts as English - except as the
# argument of a command the reader is shown how to type (SHIFT_ARG).
CONFIG_WORDS = {"site", "lobby", "ops", "alerts", "tech", "complaints"}
SHIFT_NAMES = ("early", "late", "night")
NAMES = {w.lower() for p in DEPARTMENT for w in p["name"].split() + [p["id"]]}
# the free texts this test types, in each speaker's language
TYPED = {
    "tom": ("Kunde wartet seit einer Stunde", "Der Chat lädt nicht"),
    "wei": ("客户等了一个小时", "聊天室无法登录"),
    "sara": ("el cliente espera desde hace una hora", "El chat no carga"),
    "vera": ("az ügyfél egy órája vár", "A chat nem töltődik be"),
}
LANG = {"tom": "de", "wei": "zh", "sara": "es", "vera": "hu"}
# Only a vice minister or above is paged: here Tom and Sara lead shifts too.
STAFF = [dict(p, role="vice_minister", level=None) if p["id"] in ("tom", "sara") else p for p in DEPARTMENT]


def sub_commands() -> set[str]:
    """The sub-command names of the command table (handlers/commands.c)."""
    with open(os.path.join(ROOT, "handlers", "commands.c"), encoding="utf-8") as f:
        return set(re.findall(r'\.sub = "([a-z]+)"', f.read()))


def english_in(text: str, lang: str, typed: tuple[str, ...], words: set[str]) -> list[str]:
    """The English words of TEXT once names, ids, commands and typed words are out."""
    for t in typed:
        text = text.replace(t, " ")
    subs = "|".join(sorted(sub_commands()))
    shift_arg = rf"(?: \d{{4}}-\d\d-\d\d(?:\.\.\S+)? (?:{'|'.join(SHIFT_NAMES)})\b)?"
    text = re.sub(rf"![a-z]+(?: (?:{subs})\b)?{shift_arg}", " ", text)                     # commands
    text = re.sub(r"\b[A-Z]{1,2}-\d+\b", " ", text)                                    # ids: S-1, PR-2
    text = re.sub(r"<[a-z -]+>", " ", text)                                              # usage placeholders
    text = re.sub(r"\b(TRN|CCS|PAM|SAM)\b", " ", text)                                   # level shortcodes
    text = re.sub(r"\b\d{4}-W\d\d\b", " ", text)                                         # ISO weeks
    allowed = NAMES | CONFIG_WORDS | ALSO_NATIVE[lang]
    # one letter ("h" for hours, "s") is a unit, not a word; a word with a letter
    # beyond ASCII ("várólistán") is not English.  Chinese puts no space between
    # words: "early让给" holds the English "early"
    return [w for w in re.findall(r"[A-Za-z]+" if lang == "zh" else r"\w+", text)
            if len(w) > 1 and w.isascii() and w.lower() in words and w.lower() not in allowed]


class EveryWord(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": NOW}

    def config_overrides(self) -> dict:
        cfg = super().config_overrides()
        cfg["staff"] = STAFF
        return cfg

    def said_to(self, who: str, since: int) -> list[str]:
        """Every text the bot sent WHO privately, and every lobby answer after WHO spoke, since event SINCE."""
        out, spoke = [], False
        for e in self.site.events[since:]:
            if e.get("ev") == "message":
                spoke = e.get("user") == who
            elif e.get("ev") == "dm" and e.get("to") == who:
                out.append(e["text"])
            elif e.get("ev") == "send" and e.get("room") == "lobby" and spoke:
                out.append(e["text"])
        return out

    def day_of(self, who: str) -> list[str]:
        """WHO gets a swap approval, an emergency page, a refusal, a complaint
        receipt and !hours; returns every text WHO read."""
        s = self.site
        ask_text, emergency_text = TYPED[who]
        since = len(s.events)
        self.ask("mark", f"!roster add 2026-12-11 early {who}", "Roster updated")
        self.ask("mark", f"!roster lead {DAY} early {who}", "Roster updated")
        # a swap, accepted and approved: the asker is told in his language
        self.ask(who, "!swap 2026-12-11 early with ana", "S-1")
        self.ask("ana", "!swap accept S-1", "S-1")
        self.ask("mark", "!approve S-1", "S-1")
        self.eventually({"ev": "dm", "to": who, "text": lambda t: "S-1" in t and "Mark Novak" in t})
        # an emergency: the lead of the shift is paged
        s.say("mia", f"!emergency {emergency_text}")
        self.eventually({"ev": "dm", "to": who, "text": lambda t: "E-1" in t and emergency_text in t})
        # refusals: a minister's command, and a decision that is not his
        self.ask(who, "!roster add 2026-12-12 early mia", "!roster")
        self.ask("mia", "!leave 2026-12-20 family", "L-1", room="dm")
        self.ask(who, "!approve L-1", "L-1")
        # a complaint, and its receipt
        self.ask(who, f"!complaint new f1 priority=high {ask_text}", "C-1")
        # the week's hours
        self.ask(who, "!hours", "2026-W50", room="dm")
        time.sleep(1.0)
        return self.said_to(who, since)

    def check(self, who: str) -> None:
        words = english_words()
        texts = self.day_of(who)
        if os.environ.get("WORDS_SHOW"):        # WORDS_SHOW=1: print what each speaker read
            print("\n".join(f"{who}: {t}" for t in texts))
        self.assertGreaterEqual(len(texts), 7, texts)
        bad = {t: english_in(t, LANG[who], TYPED[who], words) for t in texts}
        bad = {t: w for t, w in bad.items() if w}
        self.assertEqual(bad, {}, f"English in what {who} ({LANG[who]}) read:\n" +
                         "\n".join(f"  {t!r}: {w}" for t, w in bad.items()))

    def test_german(self):
        self.check("tom")

    def test_chinese(self):
        self.check("wei")

    def test_spanish(self):
        self.check("sara")

    def test_hungarian(self):
        self.check("vera")


# What else a shift asks, each typed privately by every speaker once there is a
# complaint of each kind, a leave and an emergency: lists, the week's figures,
# the contact card, the approval engine's views.
SWEEP = ["!internship status", "!duty", "!roster", "!complaints all", "!contacts set phone +49 30 1234",
         "!contacts set backup Ana", "!tech list", "!emergencies all", "!pending", "!approval show L-1",
         "!levels", "!attendance", "!hours", "!whoami", "!plan"]


class EveryWordAllDay(EveryWord):
    """Every speaker, in one daemon, after the day: the commands of SWEEP."""

    test_german = test_chinese = test_spanish = test_hungarian = None

    def test_every_speaker_reads_every_answer_in_their_language(self):
        s, words = self.site, english_words()
        self.ask("mark", f"!roster add {DAY} early tom sara mia", "Roster updated")
        self.ask("mark", f"!roster lead {DAY} early vera", "Roster updated")
        self.ask("mark", "!complaint new f1 priority=urgent Kunde wartet", "C-1")
        self.ask("mark", "!complaint new f2 priority=low 客户等待", "C-2")
        self.ask("mia", "!leave 2026-12-20 family", "L-1", room="dm")
        self.ask("mia", "!emergency Feuer", "E-1")
        since = len(s.events)
        for cmd in SWEEP:
            for who in LANG:
                s.say(who, cmd, room="dm")
            time.sleep(0.3)
        time.sleep(1.5)
        bad = {}
        for who in LANG:
            texts = self.said_to(who, since)
            self.assertGreaterEqual(len(texts), len(SWEEP), (who, texts))
            for t in texts:
                # an empty value leaves its comma behind: "tom ist , kein Praktikant"
                self.assertNotRegex(t, r"\s[,，]", (who, t))
                found = english_in(t, LANG[who], (), words)
                if found:
                    bad[f"{who}: {t}"] = found
        self.assertEqual(bad, {})


class ShiftLabels(RealDayE2E):
    """A shift with a label (config shifts[].label) is said by it; a shift
    without one by the catalog's word; commands still take the config name."""

    START_DAEMON = False

    def setUp(self):
        super().setUp()
        self.rewrite_config(r'\{ name = "early"; start = "06:00"; end = "14:00"; \}',
                            '{ name = "early"; start = "06:00"; end = "14:00"; '
                            'label = { de = "Frühdienst"; zh = "早班（六点）"; }; }')
        self.start_at(NOW)

    def test_each_reader_reads_the_label_or_the_catalogs_word(self):
        s = self.site
        self.ask("mark", f"!roster lead {DAY} early vera", "Roster updated: early on")      # Mark reads English
        self.ask("mark", f"!roster add {DAY} early tom", "Roster updated: early on")
        self.ask("mark", f"!roster add {DAY} late sara ana", "Roster updated: late on")
        roster = {who: self.ask(who, "!roster", DAY, room="dm")["text"] for who in ("tom", "wei", "sara", "vera")}
        self.assertIn("Frühdienst 06:00-14:00", roster["tom"])          # the label
        self.assertIn("Spätschicht 14:00-22:00", roster["tom"])         # the catalog's word
        self.assertIn("早班（六点） 06:00-14:00", roster["wei"])
        self.assertIn("晚班 14:00-22:00", roster["wei"])
        self.assertIn("turno de mañana 06:00-14:00", roster["sara"])    # no Spanish label: the catalog's word
        self.assertIn("délutános műszak 14:00-22:00", roster["vera"])
        for who, text in roster.items():
            self.assertEqual(english_in(text, LANG[who], (), english_words()), [], (who, text))
        # Tom checks in to his shift as he calls it; the command took "early"
        self.ask("tom", "!checkin", "du bist für Frühdienst (2026-12-08) eingestempelt", room="dm")
        self.ask("mark", "!roster add 2026-12-09 Frühdienst ana",              # a label is not a name
                 'There is no shift "Frühdienst"; the shifts are: early late night.')


class SpanishAlerts(RealDayE2E):
    """channels.alerts.lang = "es": the alerts channel reads Spanish, the
    other channels and the people keep their own language."""

    START_DAEMON = False

    def setUp(self):
        super().setUp()
        self.rewrite_config(r'alerts = "alerts";', 'alerts = { room = "alerts"; lang = "es"; };')
        self.start_at(NOW)

    def test_a_channel_set_to_spanish_gets_spanish_alerts(self):
        s = self.site
        self.ask("mark", f"!roster lead {DAY} early vera", "Roster updated")
        self.ask("mia", "!emergency the printer burns", "Emergency E-1 raised")    # Mia reads English
        s.wait({"ev": "dm", "to": "vera", "text": "VÉSZHELYZET E-1"})                 # Vera Hungarian
        time.sleep(1.0)
        alerts = [e["text"] for e in s.all({"ev": "send", "room": "alerts"})]
        self.assertGreaterEqual(len(alerts), 2, alerts)
        self.assertTrue(alerts[0].startswith("EMERGENCIA E-1 de Mia Keller [CCS]"), alerts)
        words = english_words()
        bad = {t: english_in(t, "es", ("the printer burns",), words) for t in alerts}
        self.assertEqual({t: w for t, w in bad.items() if w}, {})
        # acknowledged: said in the channel in Spanish too
        self.ask("vera", "!ack E-1", "E-1")
        ack = s.wait({"ev": "send", "room": "alerts", "text": lambda t: t not in alerts})
        self.assertEqual(english_in(ack["text"], "es", (), words), [], ack["text"])


if __name__ == "__main__":
    unittest.main()
