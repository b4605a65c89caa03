"""End-to-end: shifts as they really run, in the seeds' department at the
default settings (late_grace 10m, reminder 30m, checkin_opens 30m,
late_window 30d) with the example's shifts (early 06-14, late 14-22, night
22-06, zone Europe/Berlin; 2026-03-02 is a Monday, UTC+1).

Time is moved by restarting the daemon with a later DUTYBOT_FAKE_NOW: the
durable timers that fell due in between fire at the start, as after a real
outage.

- the minister on duty is under the late rule: warned the first time,
  reported (no other minister free) or replaced the second time;
- every rostered person is reminded privately, in their language;
- check-in and check-out agree, a shift's end checks out automatically and
  the week's hours come from the intervals;
- two shifts in a row: the check-in goes to the shift about to start, and the
  bot asks where that does not decide;
- !staff remove of someone who still holds slots.
"""

import unittest

from realday import RealDayE2E


def hhmm(ms: int) -> str:
    return "%d:%02d" % (ms // 3600000, ms % 3600000 // 60000)


class Case(RealDayE2E):

    def att(self, date: str, shift: str) -> dict:
        return self.record("att", date, shift)

    def worked(self, date: str, shift: str, who: str) -> int:
        """The ms of WHO's closed intervals on DATE SHIFT, from the attendance record."""
        total = 0
        for span in self.att(date, shift).get(who + ":spans", "").split():
            a, b = span.rstrip("A").split("-")
            total += int(b) - int(a)
        return total


class MinisterOnDutyLate(Case):
    """The seeds: "El ministro de turno no asumió el cargo a tiempo y recibió una
    advertencia por primera vez ... reemplazado por segunda vez"."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T05:09:30Z"}      # 06:09:30 Berlin

    def test_warned_first_then_reported_then_replaced(self):
        s = self.site
        self.ask("mark", "!roster lead today early vera", "Roster updated: early on 2026-03-02 — lead Vera Kovacs.")
        self.ask("mark", "!roster minister 2026-03-02..2026-03-04 early mark", "Roster updated: early on 2026-03-02..2026-03-04 — minister on duty Mark Novak.")
        # the lead is there in time (in Hungarian): only the minister on duty is late
        self.ask("vera", "!checkin", "Vera Kovacs, bejelentkeztél a műszakra: délelőttös műszak (2026-03-02).")
        s.wait_all({"ev": "dm", "to": "mark", "text": "Warning: you are minister on duty of early (2026-03-02, 06:00) "
                    "and have not checked in. A second time within the window means replacement."},
                   {"ev": "send", "room": "ops", "text": "Mark Novak, minister on duty of early (2026-03-02, 06:00), "
                    "has not checked in: first warning."},
                   {"ev": "dm", "to": "lemon", "text": "Mark Novak, minister on duty of early (2026-03-02, 06:00), "
                    "has not checked in: first warning."}, timeout=60)
        s.expect_none({"ev": "dm", "to": "vera", "text": "Figyelmeztetés"}, within=1.0)
        self.assertEqual(self.redis.cmd("ZCARD", self.key("lates", "mark")), 1)
        self.assertEqual(self.redis.cmd("ZCARD", self.key("lates", "vera")), 0)

        # the next day, late again, and the department has no other minister: reported
        self.restart_at("2026-03-03T05:10:05Z")
        s.wait_all({"ev": "send", "room": "ops", "text": "Mark Novak, minister on duty of early (2026-03-03, 06:00), "
                    "is late again and no other minister is free: webmasters, please act."},
                   {"ev": "dm", "to": "lemon", "text": "is late again and no other minister is free"}, timeout=20)
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-03", "early"), "minister"), "mark")

        # a second minister joins (Iron Fist, as in the seeds); the third time mark is replaced
        self.ask("lemon", '!staff add iron name="Iron Fist" email=iron@example.org role=minister site:u9', "Added Iron Fist as minister.")
        s.person("iron", "u9")
        self.restart_at("2026-03-04T05:10:05Z")
        s.wait_all({"ev": "dm", "to": "mark", "text": "You did not check in as minister on duty of early (2026-03-04) "
                    "again: Iron Fist replaces you for this shift."},
                   {"ev": "dm", "to": "iron", "text": "You are now minister on duty of early (2026-03-04, 06:00) in "
                    "place of Mark Novak. Please check in."},
                   {"ev": "send", "room": "ops", "text": "Mark Novak was late again: Iron Fist is now minister on duty "
                    "of early (2026-03-04)."}, timeout=20)
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-04", "early"), "minister"), "iron")
        roster = self.ask("vera", "!roster 2026-03-04", "2026-03-04")["text"]
        self.assertIn("délelőttös műszak 06:00-14:00: ügyeletes miniszter: Iron Fist", roster)       # no lead: not said
        self.assertIn(" (ügyeletes miniszter Mark Novak helyett)", roster)
        self.ask("iron", "!checkin", "Iron Fist, you are checked in to early (2026-03-04), 10 min after it started (counted as late).")
        audit = self.ask("lemon", "!audit 40", "Latest changes", room="dm")["text"]
        self.assertIn("shift.late_warning mark 2026-03-02 early minister", audit)
        self.assertIn("shift.late_again mark 2026-03-03 early minister (no standby)", audit)
        self.assertIn("shift.late_replaced mark 2026-03-04 early minister -> iron", audit)
        # each timer once
        self.assertEqual(len(s.all({"ev": "send", "room": "ops", "text": "first warning"})), 1)
        self.assertEqual(len(s.all({"ev": "send", "room": "ops", "text": "late again"})), 2)


class Reminders(Case):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T12:29:35Z"}      # 13:29:35 Berlin; late starts 14:00

    def test_everyone_rostered_is_reminded_privately_in_their_language(self):
        s = self.site
        self.ask("mark", "!roster lead today late wei", "Roster updated")
        self.ask("mark", "!roster minister today late mark", "Roster updated")
        self.ask("mark", "!roster add today late tom sara mia", "Roster updated")
        s.wait_all({"ev": "dm", "to": "wei", "text": "提醒：你是 2026-03-02 14:00 的 晚班 的值班负责人。请用 !checkin 签到。"},
                   {"ev": "dm", "to": "mark", "text": "Reminder: you are minister on duty of late on 2026-03-02 at 14:00. "
                    "Check in with !checkin."},
                   {"ev": "dm", "to": "tom", "text": "Erinnerung: Deine Spätschicht am 2026-03-02 beginnt um 14:00. "
                    "Stempel dich mit !checkin ein."},
                   {"ev": "dm", "to": "sara", "text": "Recordatorio: tu turno de tarde del 2026-03-02 empieza a las 14:00. "
                    "Ficha la entrada con !checkin."},
                   {"ev": "dm", "to": "mia", "text": "Reminder: your shift late on 2026-03-02 starts at 14:00. "
                    "Check in with !checkin."}, timeout=40)
        s.expect_none({"ev": "dm", "to": "ana"}, within=1.0)
        # privately only, once each
        for e in s.events:
            if e.get("ev") == "send":
                self.assertNotIn("Reminder", e["text"])
        self.assertEqual(len(s.all({"ev": "dm", "text": "14:00"})), 5)
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "remind|2026-03-02|late"))
        # the reminder tells them to check in, and that works
        self.ask("tom", "!checkin", "Tom Berger [TRN], du bist für Spätschicht (2026-03-02) eingestempelt.")


class CheckinCheckout(Case):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T05:00:00Z"}      # 06:00 Berlin, early starts

    def test_checkout_checkin_agree_and_the_shift_end_checks_out(self):
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mark", "!roster add today early mia", "Roster updated")
        self.ask("mark", "!roster add 2026-03-08 night sara", "Roster updated")
        self.ask("mia", "!checkin", "Mia Keller [CCS], you are checked in to early (2026-03-02).")
        self.ask("mia", "!checkin", "You are already checked in to early (2026-03-02) since 06:00.")
        self.ask("mia", "!checkout", "Mia Keller [CCS], you are checked out of early: 0:00 worked, 0:00 this week.")
        # after a check-out every command agrees that she is out
        self.ask("mia", "!checkout", "You are not checked in: you checked out of early (2026-03-02) at 06:00.")
        roster = self.ask("mia", "!roster", "Roster of 2026-03-02:")["text"]
        self.assertIn("agents: Mia Keller [CCS]; checked in: Mia Keller [CCS] 06:00–06:00\n", roster)
        duty = self.ask("vera", "!duty", "Most ügyeletben: délelőttös műszak, 14:00-ig.")["text"]
        self.assertNotIn("Bejelentkezett", duty)       # nobody in: the part is left out, never "—"
        # back from a break: a new interval of the same shift
        self.ask("mia", "!checkin", "Mia Keller [CCS], you are checked in to early (2026-03-02) again.")
        self.ask("vera", "!duty", "Bejelentkezett: Mia Keller [CCS].")
        self.ask("mia", "!roster", "checked in: Mia Keller [CCS] 06:00–06:00, 06:00–now\n")
        self.assertEqual(self.redis.cmd("ZSCORE", self.key("timers"), "checkout|2026-03-02|early"),
                         "1772456400000")          # 14:00 Berlin

        # hours count the interval she is in up to now
        self.restart_at("2026-03-02T09:00:00Z")     # 10:00 Berlin
        hours = self.ask("mia", "!hours", "Mia Keller [CCS], week 2026-W10 so far: ", room="dm")["text"]
        self.assertRegex(hours, r"W10 so far: (3:59|4:00) worked \(minimum 30 h\), late check-ins: 0; cannot reach "
                         r"the minimum with the shifts rostered: needs (26:01|26:00) more, (4:00|3:59) rostered\.$")
        # nobody checks out: the shift's end does, marked automatic
        self.restart_at("2026-03-02T13:00:20Z")
        self.ask("mia", "!checkout", "You are not checked in: early (2026-03-02) ended and you were checked "
                 "out automatically at 14:00.", timeout=20)
        att = self.att("2026-03-02", "early")
        self.assertEqual(att["mia:out"], "1772456400000")
        self.assertTrue(att["mia:spans"].endswith("-1772456400000A"))
        worked = self.worked("2026-03-02", "early", "mia")
        self.assertTrue(7 * 3600000 + 58 * 60000 < worked <= 8 * 3600000, worked)
        self.assertEqual(int(self.redis.cmd("HGET", self.key("hours", "2026-W10"), "mia")), worked)
        self.ask("mia", "!roster", "checked in: Mia Keller [CCS] 06:00–06:00, 06:00–14:00 (checked out automatically)")
        self.ask("mia", "!hours", f"Mia Keller [CCS], week 2026-W10 so far: {hhmm(worked)} worked (minimum 30 h), "
                 "late check-ins: 0; cannot reach the minimum with the shifts rostered: needs "
                 f"{hhmm(30 * 3600000 - worked + worked % 60000)} more, 0:00 rostered. Automatic check-outs at a shift's end: 1.", room="dm")
        self.ask("mia", "!checkin", "You are not on the roster of a shift that is open for check-in now.")

        # Sunday's night shift runs into Monday: its hours count for the week it started in
        self.restart_at("2026-03-08T20:59:55Z")     # 21:59:55 Berlin
        self.ask("sara", "!checkin", "Sara Ruiz [SAM], has fichado la entrada en turno de noche (2026-03-08).")
        self.restart_at("2026-03-09T05:00:10Z")     # 06:00:10 Berlin: the night ended, the week closes
        closed = self.site.wait({"ev": "send", "room": "ops", "text": "Week 2026-W10 closed."}, timeout=20)
        night = self.worked("2026-03-08", "night", "sara")
        self.assertTrue(7 * 3600000 + 58 * 60000 < night < 8 * 3600000 + 60000, night)     # from her check-in
        self.assertIn(f"Mia Keller [CCS] {hhmm(worked)}", closed["text"])
        self.assertIn(f"Sara Ruiz [SAM] {hhmm(night)}", closed["text"])
        self.assertIn("Ana Horvat [PAM] 0:00", closed["text"])
        self.ask("sara", "!checkout", "No has fichado la entrada: turno de noche (2026-03-08) terminó y se fichó tu salida "
                 "automáticamente a las 06:00.")


class TwoShiftsInARow(Case):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T12:29:30Z"}      # 13:29:30 Berlin

    def test_checkin_goes_to_the_shift_about_to_start(self):
        s = self.site
        # mark is the day's minister on duty and leads the late shift; wei leads
        # both; sara works both
        self.ask("mark", "!roster minister today early mark", "Roster updated")
        self.ask("mark", "!roster lead today early wei", "Roster updated")
        self.ask("mark", "!roster lead today late mark", "Roster updated")
        self.ask("mark", "!roster add today late wei sara", "Roster updated")
        self.ask("mark", "!roster add today early sara", "Roster updated")
        # 7 h 29 min after early's start: how late, in minutes, not "late" beside the shift called late
        ev = self.ask("wei", "!checkin early", "Wang Wei，你已签到 早班（2026-03-02），比开始时间晚 ")
        self.assertRegex(ev["text"], r"晚 4(49|50) 分钟（计为迟到）。$")
        ev = self.ask("sara", "!checkin early", "Sara Ruiz [SAM], has fichado la entrada en turno de mañana (2026-03-02), ")
        self.assertRegex(ev["text"], r", 4(49|50) min después de empezar \(cuenta como retraso\)\.$")
        self.ask("sara", "!checkout", "Sara Ruiz [SAM], has fichado la salida de turno de mañana")
        s.wait({"ev": "dm", "to": "mark", "text": "Reminder: you lead late on 2026-03-02 at 14:00. Check in with !checkin."},
               timeout=30)
        # the reminded shift, not the running one where he never checked in
        self.ask("mark", "!checkin", "Mark Novak, you are checked in to late (2026-03-02).")
        self.assertNotIn("mark:in", self.att("2026-03-02", "early"))
        self.ask("mark", "!checkin", "You are already checked in to late (2026-03-02) since 13:30.")
        # checked in to the running one: the next one takes over, the running one is closed
        self.ask("wei", "!checkin", "Wang Wei，你已签到 晚班（2026-03-02）。你已从 2026-03-02 早班 签退。")
        self.assertIn("wei:out", self.att("2026-03-02", "early"))
        self.assertNotIn("wei:out", self.att("2026-03-02", "late"))
        self.assertEqual(int(self.redis.cmd("HGET", self.key("hours", "2026-W10"), "wei")),
                         self.worked("2026-03-02", "early", "wei"))
        # checked out of the running one by hand: back from a break, or the next? the bot asks
        self.ask("sara", "!checkin", "¿Qué turno? Puedes fichar la entrada en: early (2026-03-02, 06:00-14:00), "
                 "late (2026-03-02, 14:00-22:00). Escribe !checkin <turno>, p. ej. !checkin late.")
        self.assertNotIn("sara:in", self.att("2026-03-02", "late"))
        self.ask("sara", "!checkin night", "No estás en el cuadrante de ningún turno de noche en el que se pueda fichar la entrada ahora.")
        self.ask("sara", "!checkin lunch", "No existe el turno «lunch»; los turnos son: early late night.")
        self.ask("sara", "!checkin early late", "Uso: !checkin [shift]")
        self.ask("sara", "!checkin late", "Sara Ruiz [SAM], has fichado la entrada en turno de tarde (2026-03-02).")
        self.ask("mia", "!checkin late", "You are not on the roster of a late shift that is open for check-in now.")
        duty = self.ask("mark", "!duty", "On duty now: early until 14:00.")["text"]
        self.assertNotIn("Checked in", duty)       # all three moved on to the late shift


class RemindedEarlierThanCheckinOpens(Case):
    """A department that reminds an hour ahead: the reminder's "check in with
    !checkin" works then, and it means the reminded shift."""
    EXTRA_CONFIG = {"policy": '{ reminder = "1h"; }'}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T11:59:40Z"}      # 12:59:40 Berlin; late starts 14:00

    def test_the_reminded_shift_is_open_for_check_in(self):
        self.ask("mark", "!roster minister today early mark", "Roster updated")
        self.ask("mark", "!roster lead today late mark", "Roster updated")
        self.site.wait({"ev": "dm", "to": "mark", "text": "Reminder: you lead late on 2026-03-02 at 14:00."}, timeout=40)
        self.ask("mark", "!checkin", "Mark Novak, you are checked in to late (2026-03-02).")
        self.assertNotIn("mark:in", self.att("2026-03-02", "early"))


class StaffRemoveWithSlots(Case):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T05:30:00Z"}      # 06:30 Berlin, early running

    def test_remove_refuses_listing_the_slots_and_force_frees_them(self):
        s = self.site
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mark", "!roster lead 2026-03-03..2026-03-04 night vera", "Roster updated")
        self.ask("mark", "!roster add 2026-03-05 late vera", "Roster updated")
        self.ask("vera", "!checkin", "bejelentkeztél")
        self.ask("mark", "!staff remove vera", "Vera Kovacs is still on the roster: 2026-03-02 early (lead), "
                 "2026-03-03 night (lead), 2026-03-04 night (lead), 2026-03-05 late (agent). Give these to someone else "
                 "first (!roster lead|minister|add … / !roster remove …), or write !staff remove vera force to remove "
                 "them anyway and leave the gaps to ops.")
        self.assertEqual(self.redis.cmd("HGET", self.key("staff", "vera"), "name"), "Vera Kovacs")
        self.ask("mark", "!staff remove vera now", "Usage: !staff remove <person> [force]")
        # reassigned the way the refusal says: only the running shift is left
        self.ask("mark", "!roster lead 2026-03-03..2026-03-04 night wei", "Roster updated")
        self.ask("mark", "!roster remove 2026-03-05 late vera", "Roster updated")
        self.ask("mark", "!staff remove vera", "Vera Kovacs is still on the roster: 2026-03-02 early (lead).")
        self.ask("mark", "!staff remove vera force", "Removed Vera Kovacs. They are also in the config file and come "
                 "back at the next restart unless removed there. Freed from the roster: 2026-03-02 early (lead); "
                 "ops is told the gaps.")
        s.wait({"ev": "send", "room": "ops", "text": "Vera Kovacs was removed from the staff by Mark Novak. "
                "Roster gaps: 2026-03-02 early (lead)."})
        self.assertIsNone(self.redis.cmd("HGET", self.key("staff", "vera"), "name"))
        self.ask("mark", "!roster", "early 06:00-14:00: nobody on it yet")
        # her check-in was closed at the removal and counted
        att = self.att("2026-03-02", "early")
        self.assertIn("vera:out", att)
        self.assertEqual(int(self.redis.cmd("HGET", self.key("hours", "2026-W10"), "vera")),
                         self.worked("2026-03-02", "early", "vera"))
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-03", "night"), "lead"), "wei")
        # someone without slots goes at once
        self.ask("mark", "!staff remove ana", "Removed Ana Horvat [PAM].")
        s.expect_none({"ev": "send", "room": "ops", "text": "Ana Horvat was removed"}, within=1.0)


if __name__ == "__main__":
    unittest.main()
