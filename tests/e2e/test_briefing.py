"""End-to-end: the shift's opening briefing and its close (issue 19; the
seeds' morning meeting with the attendance check, and the end of day with the
next shift's key work), in the seeds' department at the default settings
(late_grace 10m, checkin_opens 30m, close_before 30m) with the example's
shifts (early 06-14, late 14-22, night 22-06, Europe/Berlin; 2026-03-02 is a
Monday, UTC+1).

One day, played as its people would: Vera (Hungarian) leads the early
shift, Wang Wei (Chinese) the late one, Mark (English) is minister on duty.
Time is moved by restarting the daemon with a later DUTYBOT_FAKE_NOW: the
durable timers that fell due in between fire at the start.

- the briefing comes to the lead privately after the start, names who is in
  and who is missing, and is posted to ops with the attendance check kept;
- the lead is asked for the close before the end; the close goes to the
  next lead (already checked in) and into their briefing, and into the
  day's report; a second close is refused with how to amend it;
- a lead who never closes is reminded once (at once, when an outage held
  up the ask past the end), then the minister on duty is told, and the
  report says so;
- every refusal says why.
"""

import unittest

from realday import RealDayE2E

DAY = "2026-03-02"


class BriefingAndClose(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T04:40:00Z"}      # 05:40 Berlin

    def dm(self, to: str, text: str, timeout: float = 20.0) -> str:
        """A private message to TO containing TEXT, at any time so far or to come."""
        return self.eventually({"ev": "dm", "to": to, "text": lambda t: text in t}, timeout=timeout)["text"]

    def fired(self, to: str, text: str) -> str:
        """A private message to TO starting with TEXT that a timer sends after
        the last restart (the cursor stays before it)."""
        return self.site.wait({"ev": "dm", "to": to, "text": lambda t: t.startswith(text)}, timeout=20,
                              consume=False)["text"]

    def test_a_day_of_briefings_and_closes(self):
        s = self.site
        # the minister rosters the day
        self.ask("mark", f"!roster lead {DAY} early vera", "lead Vera Kovacs")
        self.ask("mark", f"!roster minister {DAY} early mark", "minister on duty Mark Novak")
        self.ask("mark", f"!roster add {DAY} early mia tom ana", "Roster updated")
        self.ask("mark", f"!roster lead {DAY} late wei", "lead Wang Wei")
        self.ask("mark", f"!roster minister {DAY} late mark", "minister on duty Mark Novak")
        self.ask("mark", f"!roster add {DAY} late sara", "Roster updated")

        # refusals before anything is there, each with its reason
        self.ask("mia", "!briefing", "!briefing is for vice minister and above; you are agent.")
        self.dm_ask("wei", "!briefing",
                    "只有早班（2026-03-02）的值班负责人 Vera Kovacs 才能主持本班班前会。")
        self.ask("vera", "!close Minden rendben",
                 "A zárást csak a műszak (éjszakás műszak, 2026-03-01) vezetője írhatja meg, "
                 "de nincs műszakvezető: egy miniszter jelöli ki a !roster lead paranccsal.")
        self.ask("vera", "!close", "!close <done; problems and lessons; next shift's key work>")
        self.ask("vera", "!close -", "A zárás üres. Írd le, mi készült el, milyen problémák és tanulságok voltak, "
                 "és mik a következő műszak fő feladatai: !close <szöveg>")

        # 05:4x: the early shift checks in, but for Ana
        self.ask("vera", "!checkin", "Vera Kovacs, bejelentkeztél a műszakra: délelőttös műszak (2026-03-02).")
        # a chat friend's visit before any agent is in: it waits, and the lead's briefing says so
        s.say("lina", "Hello, my video hangs", room="dm")
        s.wait({"ev": "dm", "to": "lina"})
        waiting = self.dm_ask("vera", "!briefing", "Eligazítás: délelőttös műszak")["text"]
        self.assertIn("Várakozó látogatások (1): V-1 Hello, my video hangs", waiting)
        self.ask("mark", "!checkin", "Mark Novak, you are checked in")
        self.ask("mia", "!checkin", "Mia Keller [CCS], you are checked in")
        self.ask("tom", "!checkin", "Tom Berger [TRN], du bist für Frühschicht (2026-03-02) eingestempelt.")
        # before the start the briefing has not come by itself (check-in opens 30 min early)
        s.expect_none({"ev": "dm", "to": "vera", "text": lambda t: t.startswith("Eligazítás")}, within=1.0)
        # but the lead may look at it already
        early = self.dm_ask("vera", "!briefing", "Eligazítás: délelőttös műszak (2026-03-02); műszakvezető: Vera Kovacs")["text"]
        self.assertIn("Hiányzik (nem jelentkezett be): Ana Horvat [PAM]", early)

        # 06:11: the briefing comes privately, in Hungarian, naming the missing agent
        self.restart_at("2026-03-02T05:11:00Z")
        brief = self.fired("vera", "Eligazítás: délelőttös műszak (2026-03-02); műszakvezető: Vera Kovacs\n")
        self.assertEqual(brief.split("\n")[1:],
                         ["Bejelentkezett (4): Vera Kovacs, Mark Novak, Mia Keller [CCS], Tom Berger [TRN]",
                          "Hiányzik (nem jelentkezett be): Ana Horvat [PAM]",
                          "Az előző műszak (2026-03-01 éjszakás műszak) nem hagyott sem átadási jegyzetet, sem zárást.",
                          "Nincs nyitott ügy: nincs függő kérelem, vészhelyzet, várakozó panasz vagy mára ütemezett értesítés.",
                          "Újra: !briefing; az ops csatornára: !briefing post [megjegyzés]"])
        # the two she asked for at 05:4x and the one the timer sent, once
        self.assertEqual(len(self.dms("vera", "Eligazítás:", settle=0.5)), 3)

        # posted to ops (in the channel's language) with a note; the attendance check is kept
        self.ask("vera", "!briefing post Tom viszi a VIP sort, amíg Ana megérkezik",
                 "Az eligazítás (délelőttös műszak, 2026-03-02) kikerült az ops csatornára. "
                 "Jelenlét: 5 főből 4 van bent; hiányzik: Ana Horvat [PAM].")
        posted = s.wait({"ev": "send", "room": "ops", "text": lambda t: t.startswith("Shift briefing:")})["text"]
        self.assertEqual(posted.split("\n"),
                         ["Shift briefing: the early shift (2026-03-02), given by Vera Kovacs",
                          "Checked in (4): Vera Kovacs, Mark Novak, Mia Keller [CCS], Tom Berger [TRN]",
                          "Missing (not checked in): Ana Horvat [PAM]",
                          "No handover notes or close from the night shift (2026-03-01).",
                          "Nothing open: no pending approvals, emergencies, waiting complaints or notifications scheduled today.",
                          "Note: Tom viszi a VIP sort, amíg Ana megérkezik"])
        rec = self.record("briefing", DAY, "early")
        self.assertEqual((rec["present"], rec["missing"], rec["rostered"], rec["by"]),
                         ("vera mark mia tom", "ana", "5", "vera"))
        self.assertIn(("shift.briefing", f"{DAY} early", "4/5 present, missing ana"), self.audit())
        # Ana comes late: the briefing shown again says so
        self.ask("ana", "!checkin", "Ana Horvat [PAM]")
        again = self.dm_ask("vera", "!briefing", "Eligazítás")["text"]
        self.assertIn("Késett: Ana Horvat [PAM]", again)
        self.assertNotIn("Hiányzik", again)
        self.dm_ask("wei", "!briefing post", "只有早班（2026-03-02）的值班负责人 Vera Kovacs 才能主持本班班前会。")

        # 13:31: Vera is asked for the close; Wei checks in for the late shift
        self.restart_at("2026-03-02T12:31:00Z")
        self.fired("vera", "A műszak (délelőttös műszak, 2026-03-02) 14:00-kor ér véget. Kérlek, írd meg a zárását")
        self.ask("wei", "!close 不是我的班", "只有早班（2026-03-02）的值班负责人 Vera Kovacs 才能填写收班总结。")
        close = "12 panasz lezárva; a fizetési oldal kétszer leállt, a tech tud róla; fő feladat: C-7 visszatérítése"
        self.ask("vera", f"!close {close}",
                 "A műszak (délelőttös műszak, 2026-03-02) zárása mentve: a következő műszakvezető az átadással "
                 "megkapja, és bekerül a napi jelentésbe.")
        # Wei checks in for the late shift and gets the close with the handover
        self.ask("wei", "!checkin", "晚班（2026-03-02）")
        self.dm("wei", f"2026-03-02 早班的收班总结（交给 2026-03-02 晚班），由 Vera Kovacs 填写：\n{close}")
        refused = self.ask("vera", "!close még valami", "már lezárta Vera Kovacs")["text"]
        self.assertIn("A szöveg cseréje: !close amend <szöveg>", refused)
        close += "; a VIP sor üres"
        self.ask("vera", f"!close amend {close}",
                 "A műszak (délelőttös műszak, 2026-03-02) zárása lecserélve, az új szöveget Wang Wei, "
                 "a következő műszakvezető is megkapta; a napi jelentésbe is ez kerül.")
        self.dm("wei", f"由 Vera Kovacs 填写：\n{close}")          # Wei is in: the new text at once
        self.assertEqual(self.record("close", DAY, "early")["text"], close)

        # 14:11: the late shift's briefing carries the close to Wei; Vera is not reminded
        self.restart_at("2026-03-02T13:11:00Z")
        late = self.fired("wei", "晚班（2026-03-02）班前会简报；值班负责人：Wang Wei")
        self.assertIn(f"2026-03-02 早班的收班总结，由 Vera Kovacs 填写：{close}", late)
        self.assertIn("缺勤（未签到）：Mark Novak, Sara Ruiz [SAM]", late)
        s.expect_none({"ev": "dm", "to": "vera", "text": lambda t: t.startswith("Emlékeztető")}, within=1.0)

        # Wei never closes.  The bot is down from 14:11 to 22:01 (the ask at 21:30 is
        # missed): the ask is not sent after the end, the reminder comes at once instead
        self.restart_at("2026-03-02T21:01:00Z")
        self.fired("wei", "提醒：晚班（2026-03-02）的收班总结还没有填写。请现在填写：!close <内容>")
        self.assertEqual(self.dms("wei", "晚班（2026-03-02）将于 22:00 结束"), [])
        s.expect_none({"ev": "dm", "to": "mark", "text": lambda t: "has not written its close" in t}, within=1.0)
        self.restart_at("2026-03-02T21:31:00Z")
        self.fired("mark", "Wang Wei, lead of the late shift (2026-03-02, ended 22:00), has not written its close, "
                "even after a reminder.")
        self.assertEqual(len(self.dms("wei", "提醒：晚班（2026-03-02）的收班总结")), 1)     # reminded once

        # the day's report has the attendance check and both closes' fate
        report = self.dm_ask("mark", f"!report day {DAY}", "Report 2026-03-02")["text"]
        self.assertIn("\nShifts:\n"
                      "early: briefing with 4 of 5 present; missing: Ana Horvat [PAM]\n"
                      f"early: close by Vera Kovacs: {close}\n"
                      "late: no close written by Wang Wei, even after a reminder", report)


if __name__ == "__main__":
    unittest.main()
