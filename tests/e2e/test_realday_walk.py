"""End-to-end: one whole department day at the default config, as its
people live it (the seeds' department of tests/e2e/realday.py).

The day is played in segments: the daemon is stopped and started again at
the next instant of the day (DUTYBOT_FAKE_NOW), so the durable timers that
fell due in between fire as they would have, and state carries over in
Redis as it does across a real restart.  Every line gets an answer that is
not empty; nothing is dropped by the abuse guard; nothing personal is said
in a room; the transcript is written to $DUTYBOT_WALK_TRANSCRIPT if set."""

from __future__ import annotations

import json
import os
import unittest

from realday import RealDayE2E

DAY = "2026-12-08"          # a Tuesday; Berlin is UTC+1 in December


def at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00+01:00"


class DepartmentDay(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": at("05:15")}

    def restart_at(self, hhmm: str) -> None:
        """Stop the daemon and start it again at HHMM of the day."""
        super().restart_at(at(hhmm))

    def line(self, person: str, text: str, room: str = "lobby", expect: str | None = None) -> list[dict]:
        """PERSON says TEXT; returns what the bot said to them (room or dm)
        until it is quiet; at least one answer, none empty."""
        start = len(self.site.events)
        self.site.say(person, text, room=room)
        first = self.site.wait(lambda e: self._answer_to(e, person, room), timeout=10)
        self.site.expect_none(lambda e: False, within=0.4)
        got = [e for e in self.site.events[start:] if e.get("ev") in ("send", "dm")]
        for e in got:
            self.assertTrue(e.get("text", "").strip(), f"an empty message: {e}")
        if expect is not None:
            self.assertTrue(any(expect in e["text"] for e in got),
                            f"{person}> {text}: no answer contains {expect!r}: {got}")
        self.transcript.append({"say": f"{person}@{room}> {text}", "got": got})
        self.site.skip()
        return got

    @staticmethod
    def _answer_to(e: dict, person: str, room: str) -> bool:
        if e.get("ev") == "dm" and e.get("to") == person:
            return True
        return e.get("ev") == "send" and e.get("room") == room and room != "dm"

    def setUp(self) -> None:
        super().setUp()
        self.transcript: list[dict] = []
        path = os.environ.get("DUTYBOT_WALK_TRANSCRIPT")
        if path:
            self.addCleanup(self._write_transcript, path)

    def _write_transcript(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            for step in self.transcript:
                f.write(step["say"] + "\n")
                for e in step["got"]:
                    where = f"dm:{e['to']}" if e["ev"] == "dm" else e["room"]
                    for i, ln in enumerate(e["text"].splitlines() or [""]):
                        f.write(("   [%s] " % where if i == 0 else "        ") + ln + "\n")
            f.write("\n== all events ==\n")
            for e in self.site.events:
                if e.get("ev") in ("send", "dm"):
                    f.write(json.dumps(e, ensure_ascii=False) + "\n")

    def test_a_whole_day(self):
        L = self.line
        # 05:15 the minister sets up the day and the rest of the week, line by line, quickly
        lines = [
            "!roster lead today early vera", "!roster minister today early mark",
            "!roster add today early mia tom", "!roster lead today late wei",
            "!roster minister today late mark", "!roster add today late sara ana",
            "!roster lead 2026-12-09..2026-12-11 early vera", "!roster minister 2026-12-09..2026-12-11 early mark",
            "!roster add 2026-12-09..2026-12-11 early mia tom", "!roster lead 2026-12-09..2026-12-11 late wei",
            "!roster minister 2026-12-09..2026-12-11 late mark", "!roster add 2026-12-09..2026-12-11 late sara ana",
        ]
        start = len(self.site.events)
        for text in lines:
            self.site.say("mark", text)
        self.site.wait(lambda e: len([x for x in self.site.events[start:]
                                      if x.get("ev") == "send" and x.get("room") == "lobby"]) >= len(lines),
                       timeout=60)
        answers = [x["text"] for x in self.site.events[start:] if x.get("ev") == "send"]
        self.transcript.append({"say": "mark> (12 roster lines)", "got": [x for x in self.site.events[start:] if x.get("ev") in ("send", "dm")]})
        self.assertEqual(sum("Roster updated" in a for a in answers), len(lines), answers)
        self.site.skip()
        L("mark", "!roster", expect="early 06:00-14:00: lead Vera Kovacs")
        L("anna", "!complain Mein Konto wurde gesperrt, bitte helft mir")

        # 05:40: everyone rostered for early was reminded at 05:30, privately
        self.restart_at("05:40")
        self.site.wait_all(*({"ev": "dm", "to": who} for who in ("vera", "mark", "mia", "tom")), timeout=10)
        L("tom", "!checkin")
        L("vera", "!checkin")

        # 06:12: the minister on duty is late (warned); Mia checks in late; the complaint went out at 06:00
        self.restart_at("06:12")
        self.site.wait({"ev": "dm", "to": "mark"}, timeout=10)      # the late minister on duty is told
        self.site.expect_none(lambda e: False, within=1.0)
        self.site.skip()
        L("mia", "!checkin", expect="12 min after it started (counted as late)")
        L("mark", "!checkin")
        L("tom", "!complaints")
        L("tom", "!complaint reply C-1 Wir prüfen das sofort.")
        L("tom", "!complaint resolve C-1 Konto wieder freigeschaltet")
        L("anna", "!rate C-1 5 danke!")
        L("tom", "!leave 2026-12-10 Arzttermin")
        L("mark", "!pending", expect="reason: Arzttermin")
        L("mark", "!approve L-1")
        L("mia", "!emergency Der Chat ist down, niemand kommt rein")
        L("vera", "!ack E-1")
        L("vera", "!resolve E-1 Server neu gestartet")
        L("vera", "!notify * Wartung heute um 23 Uhr, der Chat ist kurz weg")
        L("vera", "!notify list")
        L("mark", '!promote mia PAM cycle=off name="Mia Keller" email=mia@example.org reason="VIP nights"')
        L("lemon", "!pending")
        L("lemon", "!approve P-1", expect="P-1 approved and done")
        L("tom", "!training log 4 Produktschulung")
        L("vera", "!approve H-1")
        L("tom", "!internship status")
        L("sara", "!calendar add 2026-12-08 16:00 llamar a Marta")
        L("wei", "!duty")
        L("mia", "!hours")

        # 13:50: the minister on duty of both shifts, the late team checks in
        self.restart_at("13:50")
        L("mark", "!checkin")
        L("wei", "!checkin")
        L("sara", "!checkin")
        L("ana", "!checkin")
        L("vera", "!handover C-1 erledigt, Server neu gestartet um 07:00")

        # 14:05: the early shift was checked out at 14:00 by itself
        self.restart_at("14:05")
        L("mia", "!checkout", expect="checked out automatically at 14:00")
        L("mia", "!hours", expect="Automatic check-outs at a shift's end: 1.")
        L("wei", "!roster")
        L("wei", "!handover show", expect="C-1 erledigt, Server neu gestartet um 07:00")

        # 22:05: the day's report went to ops
        self.restart_at("22:05")
        L("mark", "!report day")
        L("mark", "!attendance", expect="no weekly minimum for a minister")
        L("mia", "!whoami", expect="Mia Keller [PAM]")     # the promotion outlived three restarts
        L("lemon", "!audit 10")

        rooms = [e for e in self.site.events if e.get("ev") == "send"]
        for e in rooms:
            self.assertNotIn("Arzttermin", e["text"], f"a leave reason in room {e['room']}")
        for e in self.site.events:
            if e.get("ev") in ("send", "dm"):
                self.assertNotIn("too fast", e["text"])
                self.assertNotIn("ignored", e["text"])


if __name__ == "__main__":
    unittest.main()
