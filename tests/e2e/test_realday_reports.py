"""End-to-end: attendance and reports that judge fairly, in the seeds'
department at the default settings (minimum 30 h a week, the example's
shifts early 06-14, late 14-22, night 22-06, zone Europe/Berlin; 2026-12-08
is a Tuesday, UTC+1).

- a running week is "so far": judged only on what is certain (minimum
  reached, or what is missing against what the roster still holds); a
  closed week keeps "under the minimum";
- the day report makes no weekly judgement; a closed week's report does;
- a complaint without a topic is "no topic", and no topic line at all when
  nothing has one; counts read right for one (no "1 warnings");
- the posted day report and the week close say it in words, not dashes.

Time is moved by restarting the daemon with a later DUTYBOT_FAKE_NOW: the
durable timers that fell due in between fire at the start.
"""

import json
import os
import time
import unittest

from realday import RealDayE2E

# the default limits: 20 commands a minute per person, bursts of 5
PER_SECOND, BURST = 20 / 60, 5
H = 3600000


def hhmm(ms: int) -> str:
    return "%d:%02d" % (ms // 3600000, ms % 3600000 // 60000)


def ms_of(iso: str) -> int:
    from datetime import datetime
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


class Case(RealDayE2E):

    def setUp(self) -> None:
        super().setUp()
        path = os.environ.get("DUTYBOT_REPORTS_TRANSCRIPT")
        if path:
            self.addCleanup(self._write_transcript, path + "." + type(self).__name__)

    def _write_transcript(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            for e in self.site.events:
                if e.get("ev") in ("send", "dm", "message"):
                    f.write(json.dumps(e, ensure_ascii=False) + "\n")

    def ask(self, person, text, expect, room="lobby", timeout=10.0):
        """As a person at the default limits types: never faster than they allow."""
        buckets = self.__dict__.setdefault("_buckets", {})
        now = time.monotonic()
        tokens, last = buckets.get(person, (BURST, now))
        tokens = min(BURST, tokens + (now - last) * PER_SECOND)
        if tokens < 1:
            time.sleep((1 - tokens) / PER_SECOND + 0.3)
            now, tokens = time.monotonic(), 1
        buckets[person] = (tokens - 1, now)
        return super().ask(person, text, expect, room=room, timeout=timeout)

    def jump(self, instant: str) -> None:
        """Stop the daemon and start it again with its clock at INSTANT."""
        self.restart_at(instant)
        self.jumped = ms_of(instant)

    def checked_in_at(self, date: str, shift: str, who: str) -> int:
        return int(self.redis.cmd("HGET", self.key("att", date, shift), who + ":in"))

    def assert_one_of(self, candidates, text):
        self.assertTrue(any(c in text for c in candidates), f"none of {sorted(set(candidates))!r} in {text!r}")

    def so_far(self, since: int) -> list:
        """The worked times an interval open since SINCE may show now (the
        daemon's clock ran on a little from the jump)."""
        return [self.jumped + s * 1000 - since for s in range(0, 40)]


class RunningAndClosedWeek(Case):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-12-08T05:45:00+01:00"}

    def test_a_week_judged_fairly_while_it_runs_and_when_it_is_closed(self):
        s = self.site
        self.jumped = ms_of("2026-12-08T05:45:00+01:00")
        # Tuesday: Mia is on early today and the next three days, Tom only today
        for line in ("!roster lead today early vera", "!roster minister today early mark",
                     "!roster add today early mia tom", "!roster lead 2026-12-09..2026-12-11 early vera",
                     "!roster add 2026-12-09..2026-12-11 early mia"):
            self.ask("mark", line, "Roster updated")
        self.ask("anna", "!complain Mein Konto wurde gesperrt", "C-1", room="dm")
        for who in ("mia", "tom", "vera"):
            self.ask(who, "!checkin", "(2026-12-08)")   # in each reader's words

        # 10:00: the minister on duty never checked in (warned at 06:10)
        self.jump("2026-12-08T10:00:00+01:00")
        s.skip()
        mia_in = self.checked_in_at("2026-12-08", "early", "mia")
        tom_in = self.checked_in_at("2026-12-08", "early", "tom")
        left_today = ms_of("2026-12-08T14:00:00+01:00") - self.jumped

        # Mia can still make it; nothing says "under the minimum" on a Tuesday
        text = self.ask("mia", "!hours", "Mia Keller [CCS], week 2026-W50 so far: ", room="dm")["text"]
        self.assert_one_of([f"Mia Keller [CCS], week 2026-W50 so far: {hhmm(w)} worked (minimum 30 h), "
                            f"late check-ins: 0; needs {hhmm(30 * H - w + w % 60000)} more, "
                            f"{hhmm(left_today + 3 * 8 * H - k * 1000)} still rostered."
                            for w in self.so_far(mia_in) for k in range(0, 40)], text)
        self.assertNotIn("under the minimum", text)
        self.assertNotIn("1 late check-ins", text)
        # Tom (German) is on today only: he cannot reach it, and is told so in his language
        text = self.ask("tom", "!hours", "Tom Berger [TRN], Woche 2026-W50 bisher: ", room="dm")["text"]
        self.assert_one_of([f"Tom Berger [TRN], Woche 2026-W50 bisher: {hhmm(w)} gearbeitet (Minimum 30 h), "
                            f"verspätete Einstempelungen: 0; kann das Minimum mit den eingeteilten Schichten nicht "
                            f"erreichen: braucht noch {hhmm(30 * H - w + w % 60000)}, nur {hhmm(left_today - k * 1000)} eingeteilt."
                            for w in self.so_far(tom_in) for k in range(0, 40)], text)
        # the minister on duty has no weekly minimum; his warning reads right for one
        self.ask("mark", "!hours", "Mark Novak, week 2026-W50 so far: 0:00 worked, late check-ins: 0, "
                 "late-rule warnings: 1.", room="dm")

        att = self.ask("mark", "!attendance", "Attendance 2026-W50 so far (minimum 30 h):", room="dm")["text"]
        self.assertIn("\nAna Horvat [PAM]: 0:00, late check-ins: 0 — cannot reach the minimum with the shifts "
                      "rostered: needs 30:00 more, 0:00 rostered", att)
        self.assertIn("\nMark Novak: 0:00, late check-ins: 0, late-rule warnings: 1 — no weekly minimum for a "
                      "minister", att)
        self.assertIn("\nMia Keller [CCS]: ", att)
        self.assertNotIn("under the minimum", att)
        self.assertNotIn("warnings: 0", att)
        # in Hungarian, as Vera reads it
        att = self.ask("vera", "!attendance", "Jelenlét, 2026-W50, eddig (minimum 30 óra):", room="dm")["text"]
        self.assertIn("\nAna Horvat [PAM]: 0:00, késői bejelentkezések: 0 — a beosztott műszakokkal nem érheti el "
                      "a minimumot: még 30:00 hiányzik, csak 0:00 van beosztva", att)
        self.assertIn("\nMark Novak: 0:00, késői bejelentkezések: 0, figyelmeztetések a késési szabály szerint: 1 — "
                      "nincs heti minimum ennél a szerepkörnél: miniszter", att)
        self.assertNotIn("a minimum alatt", att)

        # the day report: no weekly judgement; a complaint without a topic, and no topic line yet
        rep = self.ask("mark", "!report day", "Report 2026-12-08\n", room="dm")["text"]
        self.assertNotIn("minimum", rep)
        self.assertNotIn("By topic", rep)
        self.assertIn("\nBy priority: normal 1\n", rep)
        self.assertNotIn(" -", rep)
        # the hours of today's shifts: Mia, Tom and Vera, each in since 05:45
        self.assertRegex(rep, r"\nHours worked \(shifts of 2026-12-08\): 12:4\d$")
        self.ask("vera", "!complaint new f2 topic=billing Rechnung doppelt", "C-2")
        rep = self.ask("mark", "!report day", "Report 2026-12-08\n", room="dm")["text"]
        self.assertIn("\nBy topic: billing 1, no topic 1\n", rep)
        rep = self.ask("wei", "!report day", "报告 2026-12-08\n", room="dm")["text"]
        self.assertIn("\n按主题：billing 1, 无主题 1\n", rep)
        self.assertIn("\n工作时长（2026-12-08 的班次）：", rep)
        self.assertNotIn("最低要求", rep)
        self.assertNotIn("handled", rep)
        # an excuse asked while the week runs: Ana is "excused", not judged
        self.ask("vera", "!excuse ana 2026-W50 krank die ganze Woche", "X-1", room="dm")
        self.ask("lemon", "!approve X-1", "X-1 approved and done")
        self.ask("mark", "!hours ana", "Ana Horvat [PAM], week 2026-W50 so far: 0:00 worked (minimum 30 h), "
                 "late check-ins: 0; excused for this week.", room="dm")

        # 22:00: the day report went to ops by itself, in words
        self.jump("2026-12-08T22:00:30+01:00")
        posted = s.wait({"ev": "send", "room": "ops", "text": "Report 2026-12-08\n"}, timeout=20)["text"]
        self.assertIn("\nBy topic: billing 1, no topic 1\n", posted)
        self.assertNotIn("minimum", posted)
        self.assertNotIn(" -", posted)
        self.assertNotIn("1 warnings", posted)

        # Monday after Sunday's night shift: the week closes; Mia's other shifts were never worked
        self.jump("2026-12-14T06:00:30+01:00")
        mia = int(self.redis.cmd("HGET", self.key("hours", "2026-W50"), "mia"))
        tom = int(self.redis.cmd("HGET", self.key("hours", "2026-W50"), "tom"))
        closed = s.wait({"ev": "send", "room": "ops", "text": "Week 2026-W50 closed."}, timeout=30)["text"]
        self.assertIn("Under the minimum of 30 h: ", closed)
        self.assertIn(f"Mia Keller [CCS] {hhmm(mia)}", closed)
        self.assertIn(f"Tom Berger [TRN] {hhmm(tom)}", closed)
        self.assertTrue(closed.endswith(" Excused: Ana Horvat [PAM] 0:00."), closed)
        self.assertNotIn("Mark", closed)
        # closed: now it is "under the minimum", for good
        att = self.ask("mark", "!attendance 2026-W50", "Attendance 2026-W50 (minimum 30 h):", room="dm")["text"]
        self.assertIn(f"\nMia Keller [CCS]: {hhmm(mia)}, late check-ins: 0 — under the minimum", att)
        self.assertIn("\nAna Horvat [PAM]: 0:00, late check-ins: 0 — under the minimum, excused", att)
        self.assertNotIn("so far", att)
        self.ask("tom", "!hours 2026-W50", f"Tom Berger [TRN], Woche 2026-W50: {hhmm(tom)} gearbeitet (Minimum 30 h), "
                 "verspätete Einstempelungen: 0; unter dem Minimum.", room="dm")
        # the closed week's report judges it: everyone on shifts stayed under, Ana excused
        rep = self.ask("mark", "!report week 2026-12-08", "Report 2026-W50\n", room="dm")["text"]
        self.assertIn("\nUnder the weekly minimum of 30 h: 5, excused: 1", rep)
        rep = self.ask("mark", "!report week", "Report 2026-W51\n", room="dm")["text"]
        self.assertIn("\nComplaints: none filed\n", rep)
        self.assertNotIn("minimum", rep)


class NobodyUnder(Case):
    """A week where everyone on shifts reached the minimum is said so, not '-'."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-12-13T21:59:50+01:00"}     # Sunday, before the night shift

    def test_week_close_says_everyone_reached_it(self):
        self.jumped = ms_of("2026-12-13T21:59:50+01:00")
        week = self.key("hours", "2026-W50")
        for who in ("mia", "tom", "sara", "ana", "vera", "wei"):
            self.redis.cmd("HSET", week, who, str(31 * H))
        self.ask("vera", "!attendance", "Jelenlét, 2026-W50, eddig (minimum 30 óra):", room="dm")
        self.ask("wei", "!hours", "Wang Wei，2026-W50（截至目前）：工作 31:00（最低 30 小时），迟到签到：0；已达到最低要求。",
                 room="dm")
        self.jump("2026-12-14T06:00:20+01:00")
        closed = self.site.wait({"ev": "send", "room": "ops", "text": "Week 2026-W50 closed."}, timeout=30)
        self.assertEqual(closed["text"], "Week 2026-W50 closed. Everyone reached the minimum of 30 h.")


class EvaluationInWords(Case):
    """The month's evaluation says its score lines in the reader's language."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-12-08T10:00:00+01:00"}

    def test_score_lines_translated(self):
        self.ask("mark", "!roster add today early mia", "Roster updated")
        self.ask("mia", "!checkin", "late")           # four hours late: lateness is her data
        self.ask("mark", "!lang de", "de")
        text = self.ask("mark", "!evaluate", "Auswertung 2026-12\n", room="dm")["text"]
        self.assertIn("Nur ein Agent hat Daten, deshalb gibt es keine Rangfolge: Mia Keller [CCS]: ", text)
        self.assertIn("Mia Keller [CCS]: 0,50 (Anwesenheit 0,00, Pünktlichkeit 0,50, Beschwerden 0,00, Antwortzeit 0,00, "
                      "Bewertungen 0,00)",
                      text)
        self.assertNotIn("attendance", text)


if __name__ == "__main__":
    unittest.main()
