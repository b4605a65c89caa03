"""End-to-end: shifts, with the daemon's clock moved by DUTYBOT_FAKE_NOW
(2026-03-02 is a Monday; the zone is UTC).  A whole day with the late rule,
swaps through the approval engine, leave with its roster gap, the week close
with an excuse, and the durable timers across a restart and two instances."""

import os
import time
import unittest

from harness import E2E, STAFF, DemoSite, Daemon, write_config

# everyone reads English here, so the texts below can be asserted as they are
ENGLISH_STAFF = [{k: v for k, v in p.items() if k != "lang"} for p in STAFF]

# one-minute shifts keep "a whole day" inside a minute of real time
MINUTE_SHIFTS = ('( { name = "morning"; start = "08:00"; end = "08:01"; },'
                 ' { name = "noon"; start = "08:01"; end = "08:02"; standby = "lemon"; },'
                 ' { name = "evening"; start = "16:00"; end = "23:00"; } )')
DAY_SHIFTS = ('( { name = "early"; start = "06:00"; end = "14:00"; },'
              ' { name = "late"; start = "14:00"; end = "22:00"; } )')
POLICY = '{ late_grace = "3s"; late_window = "30d"; reminder = "2s"; checkin_opens = "30m"; leave_notice = "24h"; min_weekly_hours = 30; }'


class ShiftCase(E2E):
    def config_overrides(self):
        return dict(self.CONFIG, staff=ENGLISH_STAFF)


class WholeDay(ShiftCase):
    CONFIG = {"shifts": MINUTE_SHIFTS, "policy": POLICY}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T07:59:52Z"}

    def test_roster_reminder_checkin_warning_replacement_and_handover(self):
        s = self.site
        self.ask("mark", "!roster lead today morning vera", "Roster updated: morning on 2026-03-02 — lead Vera Kovacs.")
        self.ask("mark", "!roster minister today morning mark", "Roster updated")
        self.ask("mark", "!roster add today morning mia tom", "Roster updated")
        self.ask("mark", "!roster lead today noon vera", "Roster updated")
        roster = self.ask("mia", "!roster", "Roster of 2026-03-02:")["text"]
        self.assertIn("morning 08:00-08:01: lead Vera Kovacs; minister on duty Mark Novak; "
                      "agents: Mia Keller [CCS], Tom Berger [TRN]\n", roster)
        # the reminder goes to the lead privately before the start
        s.wait({"ev": "dm", "to": "vera", "text": "Reminder: you lead morning on 2026-03-02 at 08:00"}, timeout=15)
        self.ask("mia", "!checkin", "Mia Keller [CCS], you are checked in to morning (2026-03-02).")
        self.ask("mia", "!checkin", "You are already checked in")
        # the lead is not there by start + grace: first time = a warning, to her, ops and the minister
        s.wait_all({"ev": "dm", "to": "vera", "text": "Warning: you lead morning"},
                   {"ev": "send", "room": "ops", "text": "Vera Kovacs, lead of morning (2026-03-02, 08:00), has not checked in: first warning."},
                   {"ev": "dm", "to": "mark", "text": "first warning"}, timeout=20)
        duty = self.ask("tom", "!duty", "On duty now: morning until 08:01")["text"]
        self.assertIn("Checked in: Mia Keller [CCS]", duty)
        self.assertIn("Lead: Vera Kovacs. Minister on duty: Mark Novak.", duty)
        self.assertIn("Next: noon on 2026-03-02 at 08:01, lead Vera Kovacs", duty)
        self.ask("vera", "!handover the printer in room 2 is on fire; C-7 waits for a call back",
                 "Handover notes of morning (2026-03-02) saved")
        self.ask("mia", "!checkout", "you are checked out of morning")
        # noon: vera is late again within the window: replaced by the standby
        s.wait_all({"ev": "dm", "to": "vera", "text": "Lemon Chen replaces you"},
                   {"ev": "dm", "to": "lemon", "text": "You now lead noon (2026-03-02, 08:01) in place of Vera Kovacs"},
                   {"ev": "send", "room": "ops", "text": "Vera Kovacs was late again: Lemon Chen now leads noon (2026-03-02)."},
                   timeout=80)
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-02", "noon"), "lead"), "lemon")
        self.assertEqual(self.redis.cmd("ZCARD", self.key("lates", "vera")), 2)
        self.ask("mia", "!roster", "(replaced Vera Kovacs)")
        # the new lead checks in and gets the handover of the shift before privately
        self.ask("lemon", "!checkin", "Lemon Chen, you are checked in to noon (2026-03-02), 1 min after it started (counted as late).")
        ho = s.wait({"ev": "dm", "to": "lemon", "text": "Handover notes for noon (2026-03-02) from the morning shift of 2026-03-02, by Vera Kovacs:\n"})
        self.assertIn("printer in room 2 is on fire", ho["text"])
        self.ask("mark", "!handover show today morning", "printer in room 2")
        audit = self.ask("lemon", "!audit 30", "Latest changes", room="dm")["text"]
        self.assertIn("shift.late_warning vera", audit)
        self.assertIn("shift.late_replaced vera", audit)
        # every timer fired exactly once
        # (the minister on duty of morning never checked in either: he is under the same rule)
        self.assertEqual(len(s.all({"ev": "send", "room": "ops", "text": "Vera Kovacs, lead of morning"})), 1)
        self.assertEqual(len(s.all({"ev": "send", "room": "ops", "text": "Mark Novak, minister on duty of morning"})), 1)
        self.assertEqual(len(s.all({"ev": "send", "room": "ops", "text": "late again"})), 1)

    def test_roster_refusals_change_nothing(self):
        self.ask("mia", "!roster lead today morning vera", "is for minister and above; you are agent.")
        self.ask("mark", "!roster lead today morning tom", "tom may not hold the lead slot")
        self.ask("mark", "!roster lead today lunch vera", 'There is no shift "lunch"; the shifts are: morning noon evening.')
        self.ask("mark", "!roster lead 2026-02-30 morning vera", '"2026-02-30" is not a date')
        self.ask("mark", "!roster lead yesterday morning vera", "is over")
        self.ask("mark", "!roster add today morning ghost", 'No staff member "ghost"')
        self.ask("mark", "!roster remove today evening mia", "mia is not on the evening shift")
        self.ask("mark", "!roster add 2026-03-01..2026-06-01 evening mia", "is not a date")
        self.ask("mia", "!checkin", "You are not on the roster of a shift that is open for check-in now.")
        self.ask("mia", "!checkout", "You are not checked in to any shift.")
        self.ask("vera", "!handover nothing", "Only the lead of the shift running now writes its handover.")
        self.assertEqual(self.redis.keys(self.key("roster", "*")), [])
        self.assertEqual(self.redis.keys(self.key("att", "*")), [])


class Swaps(ShiftCase):
    CONFIG = {"shifts": DAY_SHIFTS, "policy": POLICY}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T09:00:00Z"}

    def setUp(self):
        super().setUp()
        self.ask("mark", "!roster lead tomorrow early vera", "Roster updated")
        self.ask("mark", "!roster add tomorrow early mia", "Roster updated")
        self.ask("mark", "!roster add tomorrow late tom", "Roster updated")

    def roster(self, shift):
        flat = self.redis.cmd("HGETALL", self.key("roster", "2026-03-03", shift))
        return dict(zip(flat[::2], flat[1::2]))

    def test_swap_accepted_and_approved_in_channel(self):
        self.ask("mia", "!swap tomorrow early with sara", "Swap S-1 asked of sara")
        self.site.wait({"ev": "dm", "to": "sara", "text": "Mia Keller [CCS] asks you to swap: Mia Keller [CCS] hands the early shift on 2026-03-03 to Sara Ruiz [SAM]"})
        self.ask("sara", "!pending", "S-1 — Mia Keller [CCS] hands the early shift on 2026-03-03 to Sara Ruiz [SAM] (from Mia Keller [CCS])", room="dm")
        self.ask("sara", "!swap accept S-1", "S-1 accepted; it now waits for a minister or above")
        self.site.wait({"ev": "send", "room": "ops", "text": "S-1 waits for a minister or above"})
        self.ask("mark", "!pending", "S-1", room="dm")
        self.ask("mark", "!approve S-1", "S-1 approved; the ops channel has the details.")
        self.site.wait_all({"ev": "send", "room": "ops", "text": "Swap S-1 approved by Mark Novak"},
                           {"ev": "dm", "to": "mia", "text": "S-1 (Mia Keller [CCS] hands the early shift on 2026-03-03 to Sara Ruiz [SAM]) was approved by Mark Novak."},
                           {"ev": "dm", "to": "sara", "text": "was approved"})
        self.assertEqual(self.roster("early")["agents"], "sara")
        self.assertEqual(self.redis.cmd("HGET", self.key("approval", "S-1"), "state"), "approved")
        self.ask("mark", "!approve S-1", "S-1 is already decided (approved).")

    def test_swap_exchange_between_two_shifts(self):
        self.ask("mia", "!swap tomorrow early with tom", "who gives you their late shift that day in exchange")
        self.ask("tom", "!swap accept S-1", "accepted")
        self.ask("lemon", "!approve S-1", "S-1 approved; the ops channel has the details.")
        self.assertEqual(self.roster("early")["agents"], "tom")
        self.assertEqual(self.roster("late")["agents"], "mia")

    def test_swap_denied_changes_nothing(self):
        before = (self.roster("early"), self.roster("late"))
        self.ask("mia", "!swap tomorrow early with sara", "S-1")
        self.ask("sara", "!swap accept S-1", "accepted")
        self.ask("mark", "!deny S-1 we are short on Tuesday", "S-1 denied")
        self.site.wait({"ev": "dm", "to": "mia", "text": "was denied by Mark Novak: we are short on Tuesday"})
        self.assertEqual((self.roster("early"), self.roster("late")), before)
        self.ask("mia", "!swap tomorrow early with sara", "S-2")
        self.ask("sara", "!swap decline S-2", "S-2 denied")
        self.assertEqual((self.roster("early"), self.roster("late")), before)

    def test_swap_fails_when_the_shift_changed_before_approval(self):
        self.ask("mia", "!swap tomorrow early with sara", "S-1")
        self.ask("sara", "!swap accept S-1", "accepted")
        self.ask("mark", "!roster remove tomorrow early mia", "Roster updated")
        self.ask("mark", "!approve S-1", "S-1 cannot be done any more: the requester's shift changed since the request. Nothing changed.")
        self.assertEqual(self.roster("early").get("agents", ""), "")
        self.assertEqual(self.redis.cmd("HGET", self.key("approval", "S-1"), "state"), "failed")
        self.site.wait({"ev": "dm", "to": "mia", "text": "could not be done: the requester's shift changed since the request"})

    def test_swap_refusals_change_nothing(self):
        before = (self.roster("early"), self.roster("late"))
        self.ask("mia", "!swap yesterday early with sara", "early on 2026-03-01 is over; only a shift that has not ended can be swapped.")
        self.ask("mia", "!swap tomorrow late with sara", "You are not on the late shift of tomorrow.")
        self.ask("mia", "!swap tomorrow early with mia", "You cannot swap with yourself.")
        self.ask("mia", "!swap tomorrow early with vera", "vera is already on that shift.")
        self.ask("vera", "!swap tomorrow early with tom", "tom may not hold the lead slot")
        self.ask("mia", "!swap tomorrow early with ghost", 'No staff member "ghost"')
        self.ask("mia", "!swap tomorrow brunch with sara", 'There is no shift "brunch"')
        self.ask("mia", "!swap tomorrow early to sara", "Usage: !swap <date> <shift> with <person>")
        self.ask("lina", "!swap tomorrow early with sara", "is for agent and above; you are chat friend.")
        self.assertEqual(self.redis.keys(self.key("approval", "*")), [])
        # deciding: not one's own, not someone else's step, not twice
        self.ask("mia", "!swap tomorrow early with mark", "S-1")
        self.ask("mia", "!approve S-1", "You cannot decide your own request S-1.")
        self.ask("lemon", "!approve S-1", "S-1 waits for mark, not for you.")
        self.ask("mark", "!swap accept S-1", "accepted")
        self.ask("mark", "!approve S-1", "You have already decided a step of S-1.")
        self.ask("tom", "!approve S-1", "S-1 waits for a minister or above, not for you.")
        self.ask("mark", "!approve S-99", "There is no request S-99.")
        self.ask("mia", "!swap tomorrow early with mark", "You already asked S-1 for that shift.")
        self.assertEqual((self.roster("early"), self.roster("late")), before)
        self.assertEqual(self.redis.cmd("HGET", self.key("approval", "S-1"), "state"), "open")


class Leave(ShiftCase):
    CONFIG = {"shifts": DAY_SHIFTS, "policy": POLICY}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T09:00:00Z"}

    def test_long_ranges_fit_in_one_call(self):
        self.ask("mark", "!roster lead 2026-03-03..2026-05-03 early vera", "Roster updated: early on 2026-03-03..2026-05-03 — lead Vera Kovacs.")
        self.ask("mark", "!roster add 2026-03-03..2026-05-03 late mia tom sara", "Roster updated")
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-05-03", "early"), "lead"), "vera")
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-05-03", "late"), "agents"), "mia tom sara")
        self.ask("mark", "!roster add 2026-03-03..2026-05-04 late mia", "is not a date")     # 63 days

    def test_leave_approved_and_the_gap_reported(self):
        self.ask("mark", "!roster add 2026-03-03..2026-03-04 early mia", "Roster updated")
        self.ask("mark", "!roster add 2026-03-04 late mia", "Roster updated")
        self.ask("mia", "!leave 2026-03-04..2026-03-05 family wedding", "Leave L-1 for 2026-03-04..2026-03-05 asked; a minister", room="dm")
        self.site.wait({"ev": "send", "room": "ops", "text": "L-1 waits for a minister or above: leave for Mia Keller [CCS]: 2026-03-04..2026-03-05"})
        self.ask("mia", "!leave tomorrow dentist", "asked at short notice (less than the notice period before the first day)", room="dm")
        self.ask("mia", "!leave 2026-03-05 again", "You already asked for leave on those days (L-1).", room="dm")
        self.ask("mark", "!approve L-1", "L-1 approved; the ops channel has the details.")
        # each gap with the free agent with the fewest hours that week, one person per day
        self.site.wait({"ev": "send", "room": "ops", "text": "Roster gaps: 2026-03-04 early (agent; suggested: Sara Ruiz [SAM], "
                        "0:00 h on the roster that week), 2026-03-04 late (agent; suggested: Tom Berger [TRN], "
                        "0:00 h on the roster that week)."})
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-04", "early"), "agents"), "")
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-03", "early"), "agents"), "mia")
        self.ask("mark", "!roster add 2026-03-05 early mia", "mia is on leave on 2026-03-05.")
        self.ask("mia", "!leave 2026-03-01 too late", "is in the past", room="dm")
        self.ask("lemon", "!deny L-2 not now", "L-2 denied")
        self.assertEqual(self.redis.cmd("SISMEMBER", self.key("onleave", "mia"), "2026-03-03"), 0)


class WeekClose(ShiftCase):
    CONFIG = {"shifts": DAY_SHIFTS, "policy": POLICY}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-08T23:59:52Z"}     # Sunday night

    def test_week_close_lists_those_under_the_minimum_and_the_excused(self):
        self.redis.cmd("HSET", self.key("hours", "2026-W10"), "tom", str(31 * 3600000), "mia", str(12 * 3600000))
        self.ask("vera", "!excuse sara 2026-W10 sick all week", "Excuse X-1 for 2026-W10 asked; a webmaster decides.", room="dm")
        self.ask("mark", "!approve X-1", "X-1 waits for a webmaster or above, not for you.")
        self.ask("lemon", "!approve X-1", "X-1 approved and done")
        # the week's last shift has not ended: its hours are "so far", judged on what is certain
        att = self.ask("vera", "!attendance", "Attendance 2026-W10 so far (minimum 30 h):", room="dm")["text"]
        self.assertIn("Tom Berger [TRN]: 31:00, late check-ins: 0 — minimum reached", att)
        self.assertIn("Sara Ruiz [SAM]: 0:00, late check-ins: 0 — excused for this week", att)
        self.assertIn("Mia Keller [CCS]: 12:00, late check-ins: 0 — cannot reach the minimum with the shifts "
                      "rostered: needs 18:00 more, 0:00 rostered", att)
        self.ask("mia", "!hours", "Mia Keller [CCS], week 2026-W10 so far: 12:00 worked (minimum 30 h), late "
                 "check-ins: 0; cannot reach the minimum", room="dm")
        self.ask("mia", "!hours tom", "Only a vice minister or above sees someone else's hours.", room="dm")
        self.ask("mia", "!excuse tom 2026-W10 x", "Only a vice minister or above", room="dm")
        self.ask("mark", "!excuse sara 2026-W99 x", '"2026-W99" is not a week', room="dm")
        closed = self.site.wait({"ev": "send", "room": "ops", "text": "Week 2026-W10 closed."}, timeout=20)
        self.assertIn("Under the minimum of 30 h: Mia Keller [CCS] 12:00, Vera Kovacs 0:00.", closed["text"])
        self.assertIn("Excused: Sara Ruiz [SAM] 0:00.", closed["text"])
        self.assertNotIn("Tom", closed["text"])
        # once closed, the week is judged for good
        att = self.ask("vera", "!attendance 2026-W10", "Attendance 2026-W10 (minimum 30 h):", room="dm")["text"]
        self.assertIn("Sara Ruiz [SAM]: 0:00, late check-ins: 0 — under the minimum, excused", att)
        self.assertIn("Mia Keller [CCS]: 12:00, late check-ins: 0 — under the minimum", att)
        # the next week's close is scheduled, this one is gone
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "weekclose|2026-W10"))
        self.assertEqual(int(float(self.redis.cmd("ZSCORE", self.key("timers"), "weekclose|2026-W11"))),
                         1773619200000)     # 2026-03-16T00:00:00Z


class DurableTimers(ShiftCase):
    CONFIG = {"shifts": MINUTE_SHIFTS, "policy": POLICY}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T07:59:40Z"}

    def test_a_timer_survives_a_restart(self):
        self.ask("mark", "!roster lead today morning vera", "Roster updated")
        self.assertIsNotNone(self.redis.cmd("ZSCORE", self.key("timers"), "late|2026-03-02|morning"))
        self.assertEqual(self.daemon.stop(), 0)
        self.site.wait({"ev": "closed"})
        # back after the timer was due (the fake clock of the new process starts later)
        self.start_daemon(DUTYBOT_FAKE_NOW="2026-03-02T08:00:30Z")
        self.site.wait({"ev": "send", "room": "ops", "text": "has not checked in: first warning"}, timeout=20)
        self.site.expect_none({"ev": "send", "room": "ops", "text": "first warning"}, within=2.0)
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "late|2026-03-02|morning"))

    def test_two_daemons_on_one_redis_fire_each_timer_once(self):
        # a second instance with its own site connection, on the same Redis and site namespace
        cfg2 = write_config(os.path.join(self.tmp, "second.cfg"), redis_port=self.redis.port,
                            site=self.config.site, staff=ENGLISH_STAFF, shifts=MINUTE_SHIFTS, policy=POLICY)
        site2 = DemoSite(cfg2, log_dir=self.tmp)
        self.addCleanup(site2.stop)
        second = Daemon(cfg2, env={"DUTYBOT_FAKE_NOW": "2026-03-02T07:59:40Z"},
                        log_path=os.path.join(self.tmp, "second.log"))
        self.addCleanup(second.stop)
        site2.wait({"ev": "ready"}, timeout=20)
        self.ask("mark", "!roster lead today morning vera", "Roster updated")
        self.ask("mark", "!roster lead today noon vera", "Roster updated")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            replaced = self.site.all({"ev": "send", "room": "ops", "text": "late again"}) + \
                site2.all({"ev": "send", "room": "ops", "text": "late again"})
            if replaced:
                break
            time.sleep(0.5)
        time.sleep(2)
        for text in ("first warning", "late again"):
            n = len(self.site.all({"ev": "send", "room": "ops", "text": text})) + \
                len(site2.all({"ev": "send", "room": "ops", "text": text}))
            self.assertEqual(n, 1, text)
        # the shift's reminder (the close of a shift has a reminder of its own)
        reminders = len(self.site.all({"ev": "dm", "to": "vera", "text": "Reminder: you lead"})) + \
            len(site2.all({"ev": "dm", "to": "vera", "text": "Reminder: you lead"}))
        self.assertEqual(reminders, 2)          # one per shift, each sent once
        entries = self.redis.cmd("XRANGE", self.key("audit"), "-", "+")
        actions = [dict(zip(e[1][::2], e[1][1::2]))["action"] for e in entries]
        self.assertEqual(actions.count("shift.late_warning"), 1)
        self.assertEqual(actions.count("shift.late_replaced"), 1)


if __name__ == "__main__":
    unittest.main()
