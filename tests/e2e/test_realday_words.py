"""End-to-end: the words of shifts, as the people of the seeds' department
read them (default settings; the example's shifts early 06-14, late 14-22,
night 22-06, zone Europe/Berlin; 2026-03-02 is a Monday, UTC+1).

- a late check-in says how late, in minutes after the start: "late" alone
  reads like the shift called "late" (in every language);
- !duty and !roster say "(12 min late)", not "(late)";
- names carry the level shortcode in the check-in answers;
- at check-in the lead gets the handover notes, or one short line when there
  are none; what is open (technical problems, complaints) comes in the lead's
  language, only when there is some, and no line is a row of dashes;
- !handover show during a shift shows the notes handed TO it (and its own for
  the next one, labelled);
- "Roster updated" says what the slot is now.
"""

import unittest

from realday import RealDayE2E


class LateInMinutes(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T05:12:00Z"}      # 06:12 Berlin: early started 12 min ago

    def test_late_check_in_says_how_late_and_the_lead_reads_what_is_open_in_her_language(self):
        s = self.site
        self.ask("mark", "!roster lead today early vera", "Roster updated: early on 2026-03-02 — lead Vera Kovacs.")
        self.ask("mark", "!roster add today early mia tom",
                 "Roster updated: early on 2026-03-02 — agents Mia Keller [CCS], Tom Berger [TRN].")
        # something open before the lead comes: a technical problem and a complaint nobody can take yet
        self.ask("tom", "!tech the lobby's video player hangs", "T-1")
        self.ask("mark", "!complaint new f1 priority=high the music is too loud", "C-1 filed")
        s.wait({"ev": "dm", "to": "vera", "text": "Most senki sem tudja átvenni ezt a panaszt: C-1 (magas)"})

        # the lead, 12 minutes after the start, in Hungarian
        since = len(s.events)
        ev = self.ask("vera", "!checkin", "Vera Kovacs")
        self.assertEqual(ev["text"], "Vera Kovacs, bejelentkeztél a műszakra: délelőttös műszak (2026-03-02), "
                                     "12 perccel a kezdés után (késésnek számít).")
        s.wait_all({"ev": "dm", "to": "vera", "text": "Az előző műszak (2026-03-01 éjszakás műszak) nem hagyott átadási jegyzetet."},
                   {"ev": "dm", "to": "vera", "text": "Megoldatlan műszaki problémák: T-1 the lobby's video player hangs"},
                   {"ev": "dm", "to": "vera", "text": "Várólistán váró nyitott panaszok: C-1 (magas)."})
        # a lead checking in after the start's grace gets the shift's briefing at once too
        # (issue 19: who is in, late or missing, what is open)
        brief = s.wait({"ev": "dm", "to": "vera", "text": lambda t: t.startswith("Eligazítás: délelőttös műszak")},
                       consume=False)["text"]
        self.assertIn("Hiányzik (nem jelentkezett be): Mia Keller [CCS], Tom Berger [TRN]", brief)
        s.expect_none({"ev": "dm", "to": "vera", "text": "függő"}, within=1.0)
        told = [e["text"] for e in s.events[since:] if e.get("ev") == "dm" and e.get("to") == "vera"]
        self.assertEqual(len(told), 4, told)
        for text in told:
            self.assertNotIn(": -", text)          # no row of dashes
            self.assertNotIn("Open", text)         # no English fragment
            self.assertNotIn("queued", text)

        # agents: how late, in their language, with the level after the name
        self.ask("mia", "!checkin", "Mia Keller [CCS], you are checked in to early (2026-03-02), "
                 "12 min after it started (counted as late).")
        self.ask("tom", "!checkin", "Tom Berger [TRN], du bist für Frühschicht (2026-03-02) eingestempelt, "
                 "12 Min. nach Schichtbeginn (zählt als Verspätung).")

        # !duty and !roster: "(12 min late)", never "(late)" beside the shift called late
        duty = self.ask("mark", "!duty", "On duty now: early")["text"]
        self.assertIn("Checked in: Vera Kovacs (12 min late), Mia Keller [CCS] (12 min late), "
                      "Tom Berger [TRN] (12 min late).", duty)
        self.assertNotIn("(late)", duty)
        duty = self.ask("wei", "!duty", "当前值班：早班")["text"]
        self.assertIn("已签到：Vera Kovacs（迟到 12 分钟）、Mia Keller [CCS]（迟到 12 分钟）", duty)
        roster = self.ask("mark", "!roster", "Roster of 2026-03-02:")["text"]
        self.assertIn("checked in: Vera Kovacs 06:12–now (12 min late), Mia Keller [CCS] 06:12–now (12 min late)", roster)
        roster = self.ask("tom", "!roster", "Dienstplan")["text"]
        self.assertIn("Mia Keller [CCS] 06:12–jetzt (12 Min. zu spät)", roster)

        # a check-out names the person with the level too
        self.ask("mia", "!checkout", "Mia Keller [CCS], you are checked out of early")

    def test_a_check_in_in_time_is_not_marked(self):
        self.ask("mark", "!roster add tomorrow early sara", "Roster updated: early on 2026-03-03 — agents Sara Ruiz [SAM].")
        self.restart_at("2026-03-03T04:55:00Z")          # 05:55 Berlin, before the start
        self.ask("sara", "!checkin", "Sara Ruiz [SAM], has fichado la entrada en turno de mañana (2026-03-03).")
        roster = self.ask("mark", "!roster", "Roster of 2026-03-03:")["text"]
        self.assertIn("checked in: Sara Ruiz [SAM] 05:55–now\n", roster)


class RosterUpdated(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T05:12:00Z"}

    def test_each_change_says_what_the_slot_is_now(self):
        self.ask("mark", "!roster lead 2026-03-03..2026-03-05 early vera",
                 "Roster updated: early on 2026-03-03..2026-03-05 — lead Vera Kovacs.")
        self.ask("mark", "!roster minister 2026-03-03 early mark",
                 "Roster updated: early on 2026-03-03 — minister on duty Mark Novak.")
        self.ask("mark", "!roster add 2026-03-03..2026-03-05 early mia",
                 "Roster updated: early on 2026-03-03..2026-03-05 — agents Mia Keller [CCS].")
        self.ask("mark", "!roster add 2026-03-04 early ana",
                 "Roster updated: early on 2026-03-04 — agents Mia Keller [CCS], Ana Horvat [PAM].")
        # over a range whose days differ now: who was added
        self.ask("mark", "!roster add 2026-03-03..2026-03-05 early tom",
                 "Roster updated: early on 2026-03-03..2026-03-05 — Tom Berger [TRN] added as agents.")
        self.ask("mark", "!roster remove 2026-03-03..2026-03-05 early tom",
                 "Roster updated: early on 2026-03-03..2026-03-05 — Tom Berger [TRN] taken off.")
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-04", "early"), "agents"), "mia ana")
        # in the minister's language
        self.ask("mark", "!lang de", "Sprache auf de gestellt.")
        self.ask("mark", "!roster lead 2026-03-03 late wei",
                 "Dienstplan aktualisiert: Spätschicht für 2026-03-03 — Schichtleitung Wang Wei.")
        self.ask("mark", "!roster remove 2026-03-03 late wei",
                 "Dienstplan aktualisiert: Spätschicht für 2026-03-03 — ausgetragen: Wang Wei.")
        # a refusal changes nothing and still says why
        self.ask("mark", "!roster remove 2026-03-03 late wei", "wei")
        self.assertIsNone(self.redis.cmd("HGET", self.key("roster", "2026-03-03", "late"), "lead"))


class Handover(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T12:50:00Z"}      # 13:50 Berlin: early runs, late opens

    def test_notes_go_to_the_next_lead_and_show_shows_what_was_handed_to_the_running_shift(self):
        s = self.site
        self.ask("mark", "!roster lead today early vera", "lead Vera Kovacs.")
        self.ask("mark", "!roster lead today late wei", "lead Wang Wei.")
        self.ask("vera", "!checkin", "délelőttös műszak (2026-03-02)")
        s.wait({"ev": "dm", "to": "vera", "text": "Az előző műszak (2026-03-01 éjszakás műszak) nem hagyott átadási jegyzetet."})
        # nothing was handed to early; show says so, and what early leaves for the next shift once written
        self.ask("vera", "!handover show", "Az előző műszak (2026-03-01 éjszakás műszak) nem hagyott átadási jegyzetet ehhez: "
                 "délelőttös műszak (2026-03-02).")
        self.ask("vera", "!handover C-1 erledigt, Server neu gestartet", "Átadási jegyzetek mentve: délelőttös műszak (2026-03-02); "
                 "a következő műszakvezető bejelentkezéskor megkapja őket.")
        shown = self.ask("vera", "!handover show", "nem hagyott átadási jegyzetet ehhez: délelőttös műszak (2026-03-02).")["text"]
        self.assertIn("\nA(z) délelőttös műszak (2026-03-02) jegyzetei a következő műszaknak, írta: Vera Kovacs, ", shown)
        self.assertTrue(shown.endswith(":\nC-1 erledigt, Server neu gestartet"), shown)

        # the next lead checks in: the notes, with the author's name, and nothing else
        self.ask("wei", "!checkin", "Wang Wei，你已签到 晚班（2026-03-02）。")
        ho = s.wait({"ev": "dm", "to": "wei", "text": "交接记录"})
        self.assertEqual(ho["text"], "晚班（2026-03-02）的交接记录，来自 2026-03-02 的 早班，由 Vera Kovacs 填写：\n"
                                     "C-1 erledigt, Server neu gestartet")
        s.expect_none({"ev": "dm", "to": "wei", "text": "申请"}, within=1.0)
        # the notice of his new slot (told when it changes), the notes alone, and the ask to take them over
        told = self.dms("wei")
        self.assertEqual(len(told), 3, told)
        self.assertTrue(told[0].startswith("你的班次有变动：\n2026-03-02 的 晚班：现为值班负责人"), told)
        self.assertTrue(told[2].startswith("阅读后请用 !handover ack 确认接班"), told)

        # during late: show without arguments gives the notes handed to late
        self.restart_at("2026-03-02T13:05:00Z")          # 14:05 Berlin
        shown = self.ask("wei", "!handover show", "交给 晚班（2026-03-02）的交接记录，来自 2026-03-02 的 早班，由 Vera Kovacs 于 ")["text"]
        self.assertTrue(shown.endswith("填写：\nC-1 erledigt, Server neu gestartet"), shown)
        self.assertNotIn("没有交接记录", shown)
        self.ask("wei", "!handover 夜班请跟进 C-2", "晚班（2026-03-02）的交接记录已保存")
        shown = self.ask("mark", "!handover show", "Handover to late (2026-03-02) from the early shift of 2026-03-02, "
                         "by Vera Kovacs at ")["text"]
        self.assertIn(":\nC-1 erledigt, Server neu gestartet\nNotes of late (2026-03-02) for the next shift, by Wang Wei at ",
                      shown)
        self.assertTrue(shown.endswith(":\n夜班请跟进 C-2"), shown)
        # a shift named: that shift's own notes, as before
        self.ask("mark", "!handover show today early", "Handover of 2026-03-02 early by Vera Kovacs at ")
        self.ask("mark", "!handover show today night", "No handover notes for 2026-03-02 night.")

    def test_pending_requests_of_the_shift_come_in_their_own_line(self):
        s = self.site
        self.ask("mark", "!roster lead today late wei", "lead Wang Wei.")
        self.ask("mark", "!roster add today late ana", "agents Ana Horvat [PAM].")
        self.ask("ana", "!swap today late with mia", "S-1")
        self.ask("wei", "!checkin", "Wang Wei，你已签到 晚班（2026-03-02）。")
        s.wait_all({"ev": "dm", "to": "wei", "text": "2026-03-02 的 早班还没有留下交接记录"},
                   {"ev": "dm", "to": "wei", "text": "本班次待处理的申请：S-1 "})

    def test_notes_written_after_the_next_lead_checked_in_reach_them_then(self):
        s = self.site
        self.ask("mark", "!roster lead today early vera", "lead Vera Kovacs.")
        self.ask("mark", "!roster lead today late wei", "lead Wang Wei.")
        # 13:50: the late lead checks in while early still runs: "not yet", not "none"
        self.ask("wei", "!checkin", "Wang Wei，你已签到 晚班（2026-03-02）。")
        s.wait({"ev": "dm", "to": "wei", "text": "2026-03-02 的 早班还没有留下交接记录；该班负责人写好后，你会在这里收到。"})
        self.ask("vera", "!handover C-1 erledigt", "Átadási jegyzetek mentve: délelőttös műszak (2026-03-02), és elküldve Wang Wei "
                 "részére, a következő műszakvezetőnek, aki már bejelentkezett.")
        ho = s.wait({"ev": "dm", "to": "wei", "text": "交接记录，来自"})
        self.assertEqual(ho["text"], "晚班（2026-03-02）的交接记录，来自 2026-03-02 的 早班，由 Vera Kovacs 填写：\n"
                                     "C-1 erledigt")
        # a minister may write the running shift's notes too; a new version goes out again
        self.ask("mark", "!lang de", "Sprache auf de gestellt.")
        self.ask("mark", "!handover Drucker repariert", "Übergabenotizen für Frühschicht (2026-03-02) gespeichert und an "
                 "Wang Wei geschickt, die nächste Schichtleitung, die schon eingestempelt ist.")
        s.wait({"ev": "dm", "to": "wei", "text": "由 Mark Novak 填写：\nDrucker repariert"})
        # with the notice of his new slot (told when it changes) first; each version of the
        # notes asks him to take them over (!handover ack), as he has not yet
        told = self.dms("wei", settle=0.5)
        self.assertEqual(len(told), 6, told)
        self.assertTrue(told[0].startswith("你的班次有变动：\n2026-03-02 的 晚班：现为值班负责人"), told)
        self.assertEqual([t.startswith("阅读后请用 !handover ack") for t in told[3::2]], [True, True], told)


if __name__ == "__main__":
    unittest.main()
