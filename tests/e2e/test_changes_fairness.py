"""End-to-end: told when it changes, !upcoming and !fairness (issue 20).

The department of the example config (one webmaster, one minister, two vice
ministers, agents of every level; Tom reads German, Vera Hungarian, Sara
Spanish, Wei Chinese) with its three shifts and the default policy; the
daemon's clock is moved by DUTYBOT_FAKE_NOW (2026-11-30 is a Monday; the zone
is UTC).  Whoever's slot changes is told privately at once, in their words;
!upcoming lists their next shifts and what changed since they last looked;
!fairness puts a month's hours on the roster, nights, weekend shifts and
swaps beside the average; a leave's gap names the free stand-in with the
fewest hours that week, and the late rule picks that one too."""

import unittest

from harness import E2E, STAFF

EXAMPLE_SHIFTS = ('( { name = "early"; start = "06:00"; end = "14:00"; },'
                  ' { name = "late"; start = "14:00"; end = "22:00"; },'
                  ' { name = "night"; start = "22:00"; end = "06:00"; standby = "vera"; } )')
# the example config's staff: the harness's plus Wang Wei (vice minister) and Ana (PAM)
EXAMPLE_STAFF = STAFF + [
    {"id": "wei", "name": "Wang Wei", "role": "vice_minister", "lang": "zh", "uid": "u7"},
    {"id": "ana", "name": "Ana Horvat", "role": "agent", "level": "PAM", "uid": "u8"},
]


def dm(to, text):
    return {"ev": "dm", "to": to, "text": text}


class Changes(E2E):
    CONFIG = {"shifts": EXAMPLE_SHIFTS}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-11-30T09:00:00Z"}

    def config_overrides(self):
        return dict(self.CONFIG, staff=EXAMPLE_STAFF)

    def test_roster_edits_are_told_and_upcoming_shows_them_once(self):
        s = self.site
        self.ask("mark", "!roster add 2026-12-01..2026-12-03 early mia", "Roster updated")
        s.wait(dm("mia", "Your shifts changed:\nearly on 2026-12-01..2026-12-03: now agent "
                         "(roster changed by Mark Novak)\n!upcoming shows your next shifts."))
        # Tom reads German: the shift, the slot and the reason in his words
        self.ask("mark", "!roster add 2026-12-01 late tom", "Roster updated")
        s.wait(dm("tom", "Deine Schichten haben sich geändert:\nSpätschicht am 2026-12-01: jetzt Agent "
                         "(Dienstplan geändert von Mark Novak)\n!upcoming zeigt deine nächsten Schichten."))
        # a lead put in another's place: both are told; Vera in Hungarian
        self.ask("mark", "!roster lead 2026-12-02 early vera", "Roster updated")
        s.wait(dm("vera", "délelőttös műszak, 2026-12-02: mostantól műszakvezető"))
        self.ask("mark", "!roster lead 2026-12-02 early wei", "Roster updated")
        s.wait_all(dm("vera", "délelőttös műszak, 2026-12-02: már nem műszakvezető "
                              "(a beosztást módosította: Mark Novak)"),
                   dm("wei", "2026-12-02 的 早班：现为值班负责人（Mark Novak 修改了排班）"))
        # who changes their own slot typed it: no private notice for them
        self.ask("mark", "!roster minister 2026-12-01 early mark", "Roster updated")
        s.expect_none(dm("mark", "Your shifts changed"), within=1.5)

        up = self.ask("mia", "!upcoming", "Next shifts of Mia Keller [CCS]:", room="dm")["text"]
        self.assertEqual(up, "Next shifts of Mia Keller [CCS]:\n"
                             "2026-12-01 early 06:00-14:00: agent\n"
                             "2026-12-02 early 06:00-14:00: agent\n"
                             "2026-12-03 early 06:00-14:00: agent\n"
                             "Changed since you last looked:\n"
                             "2026-11-30 09:00: early on 2026-12-01..2026-12-03: now agent (roster changed by Mark Novak)")
        # looked at: seen
        self.ask("mia", "!upcoming", "Nothing changed since you last looked.", room="dm")
        self.ask("mark", "!roster remove 2026-12-02 early mia", "Roster updated")
        s.wait(dm("mia", "early on 2026-12-02: no longer agent (roster changed by Mark Novak)"))
        up = self.ask("mia", "!upcoming", "Next shifts", room="dm")["text"]
        self.assertNotIn("2026-12-02 early", up)
        self.assertIn("2026-12-03 early 06:00-14:00: agent", up)
        self.assertIn("Changed since you last looked:\n2026-11-30 09:00: early on 2026-12-02: no longer agent", up)
        self.assertNotIn("now agent", up)
        # typed in a room, the answer still goes privately
        self.ask("tom", "!upcoming", "Tom Berger [TRN], ich habe dir die Antwort privat geschickt.")
        up = s.wait(dm("tom", "Nächste Schichten von Tom Berger [TRN]:\n2026-12-01 Spätschicht 14:00-22:00: Agent\n"
                              "Geändert, seit du zuletzt nachgesehen hast:\n"))["text"]
        self.assertIn("Spätschicht am 2026-12-01: jetzt Agent (Dienstplan geändert von Mark Novak)", up)
        # someone without shifts reads that, never an empty answer (Sara reads Spanish)
        self.ask("sara", "!upcoming", "Sara Ruiz [SAM] no tiene turnos en el cuadrante en los próximos 14 días.\n"
                                      "No ha cambiado nada desde la última vez que miraste.", room="dm")
        # the log is bounded
        self.assertEqual(self.redis.cmd("LLEN", self.key("changes", "mia")), 2)
        self.assertGreater(self.redis.cmd("PTTL", self.key("changes", "mia")), 0)

    def test_upcoming_of_someone_else_and_its_refusals(self):
        self.ask("mark", "!roster add 2026-12-01 early mia", "Roster updated")
        self.site.wait(dm("mia", "Your shifts changed"))
        # a minister may look; it is not Mia looking, so her changes stay unseen
        up = self.ask("mark", "!upcoming mia", "Next shifts of Mia Keller [CCS]:", room="dm")["text"]
        self.assertIn("Changes Mia Keller [CCS] has not looked at yet:\n2026-11-30 09:00: early on 2026-12-01: now agent", up)
        self.ask("mia", "!upcoming", "Changed since you last looked:", room="dm")
        # an agent may not look at another's, in English and in German
        self.ask("mia", "!upcoming sara", "Only a vice minister or above sees someone else's shifts and changes.", room="dm")
        self.ask("tom", "!upcoming mia", "Nur jemand mit der Rolle Vizeminister oder höher sieht die Schichten "
                                         "und Änderungen anderer Personen.", room="dm")
        self.ask("mark", "!upcoming ghost", 'No staff member "ghost".', room="dm")
        self.ask("mark", "!upcoming Mia!", 'No staff member "Mia!".', room="dm")
        self.ask("mark", "!upcoming mia tom", "Usage: !upcoming [person]", room="dm")
        self.ask("lina", "!upcoming", "!upcoming is for agent and above; you are chat friend.")
        # nothing of that was marked seen
        self.assertIsNone(self.redis.cmd("HGET", self.key("changes_seen"), "sara"))

    def test_swap_and_leave_are_told_counted_and_suggest_the_least_loaded(self):
        s = self.site
        self.ask("mark", "!roster add 2026-12-05..2026-12-06 early mia", "Roster updated")
        self.ask("mark", "!roster add 2026-12-01 night sara", "Roster updated")
        self.ask("mark", "!roster lead 2026-12-01 early vera", "Roster updated")
        self.ask("mark", "!roster add 2026-12-04 late tom", "Roster updated")
        s.wait(dm("tom", "Spätschicht am 2026-12-04"))
        self.ask("mark", "!roster add 2026-12-03 late mia", "Roster updated")
        # a swap: both told what they hold now once it is approved
        self.ask("mia", "!swap 2026-12-05 early with ana", "S-1")
        self.ask("ana", "!swap accept S-1", "accepted")
        self.ask("mark", "!approve S-1", "S-1 approved")
        s.wait_all(dm("mia", "Your shifts changed:\nearly on 2026-12-05: no longer agent (swap S-1)"),
                   dm("ana", "Your shifts changed:\nearly on 2026-12-05: now agent (swap S-1)"))
        # a leave: the gap goes to ops with the free agent with the fewest hours
        # on the roster that week (Mia 16 h; Sara and Ana 8 h each: then by id)
        self.ask("tom", "!leave 2026-12-04 Prüfung", "L-1", room="dm")
        self.ask("mark", "!approve L-1", "L-1 approved")
        ops, _ = s.wait_all({"ev": "send", "room": "ops", "text": "Leave L-1 approved by Mark Novak"},
                            dm("tom", "Deine Schichten haben sich geändert:\nSpätschicht am 2026-12-04: "
                                      "nicht mehr Agent (Abwesenheit L-1)"))
        self.assertIn("Roster gaps: 2026-12-04 late (agent; suggested: Ana Horvat [PAM], "
                      "8:00 h on the roster that week).", ops["text"])

        # the month beside the average: 6 people (agents and vice ministers), 32 h in all
        fair = self.ask("mark", "!fairness 2026-12", "Fairness in 2026-12", room="dm")["text"]
        self.assertEqual(fair.split("\n"), [
            "Fairness in 2026-12 (hours on the roster; ± against the department's average):",
            "Ana Horvat [PAM]: 8:00 h (+1:20) · shifts 1 · nights 0 (-0.2) · weekend shifts 1 (+0.7) · swaps 1",
            "Mia Keller [CCS]: 16:00 h (+9:20) · shifts 2 · nights 0 (-0.2) · weekend shifts 1 (+0.7) · swaps 1",
            "Sara Ruiz [SAM]: 8:00 h (+1:20) · shifts 1 · nights 1 (+0.8) · weekend shifts 0 (-0.3) · swaps 0",
            "Tom Berger [TRN]: 0:00 h (-6:40) · shifts 0 · nights 0 (-0.2) · weekend shifts 0 (-0.3) · swaps 0",
            "Vera Kovacs: 8:00 h (+1:20) · shifts 1 · nights 0 (-0.2) · weekend shifts 0 (-0.3) · swaps 0",
            "Wang Wei: 0:00 h (-6:40) · shifts 0 · nights 0 (-0.2) · weekend shifts 0 (-0.3) · swaps 0",
            "Average: 6:40 h · shifts 0.8 · nights 0.2 · weekend shifts 0.3 · swaps 0.3",
        ])
        # the webmaster too, and in German (a decimal comma)
        self.ask("lemon", "!lang de", "Sprache auf de gestellt.")
        fair = self.ask("lemon", "!fairness 2026-12", "Fairness für 2026-12", room="dm")["text"]
        self.assertIn("Sara Ruiz [SAM]: 8:00 Std. (+1:20) · Schichten 1 · Nächte 1 (+0,8) · "
                      "Wochenendschichten 0 (-0,3) · Tausche 0", fair)
        self.assertIn("Durchschnitt: 6:40 Std. · Schichten 0,8 · Nächte 0,2 · Wochenendschichten 0,3 · Tausche 0,3", fair)
        # without a month: this one (nobody on the roster in November)
        fair = self.ask("mark", "!fairness", "Fairness in 2026-11", room="dm")["text"]
        self.assertIn("Mia Keller [CCS]: 0:00 h (±0:00) · shifts 0", fair)

    def test_fairness_refusals(self):
        self.ask("mia", "!fairness", "!fairness is for minister and above; you are agent.")
        # a vice minister sees everyone's hours of a week (!attendance), not this comparison
        self.ask("vera", "!fairness", "!fairness: legalább miniszter szerepkör kell hozzá; "
                                      "a te szerepköröd: miniszterhelyettes.")
        self.ask("tom", "!fairness 2026-12", "!fairness erfordert mindestens die Rolle Minister; deine Rolle: Agent.")
        self.ask("mark", "!fairness 2026-13", '"2026-13" is not a month: write it as 2026-03.', room="dm")
        self.ask("mark", "!fairness december", '"december" is not a month: write it as 2026-03.', room="dm")
        self.ask("lemon", "!fairness 2026-12 2027-01", "Usage: !fairness [YYYY-MM]", room="dm")
        self.ask("lina", "!fairness", "!fairness is for minister and above; you are chat friend.")


class NoShifts(E2E):
    """A department without shifts in its config: both commands say so."""

    def test_both_commands_say_there_are_no_shifts(self):
        self.ask("mia", "!upcoming", "No shifts are configured.", room="dm")
        self.ask("tom", "!upcoming", "Es sind keine Schichten konfiguriert.", room="dm")
        self.ask("mark", "!fairness 2026-12", "No shifts are configured.", room="dm")


class LateRuleFewestHours(E2E):
    """The late rule's replacement: of the free vice ministers, the one with
    the fewest hours on the roster that week, not the first by name."""
    CONFIG = {"shifts": EXAMPLE_SHIFTS}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-12-07T06:09:40Z"}

    def config_overrides(self):
        staff = EXAMPLE_STAFF + [{"id": "iris", "name": "Iris Lang", "role": "vice_minister", "uid": "u9"}]
        return dict(self.CONFIG, staff=staff)

    def test_replacement_is_the_free_one_with_fewest_hours(self):
        s = self.site
        # Iris leads two late shifts this week (16 h); Wang Wei none
        self.ask("mark", "!roster lead 2026-12-08..2026-12-09 late iris", "Roster updated")
        # Vera was late once already this month: the second time she is replaced
        self.redis.cmd("ZADD", self.key("lates", "vera"), 1796537400000, "2026-12-06|early")
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        s.wait_all({"ev": "send", "room": "ops", "text": "Vera Kovacs was late again: Wang Wei now leads early (2026-12-07)."},
                   dm("wei", "代替 Vera Kovacs 担任 早班（2026-12-07，06:00）的值班负责人"), timeout=40)
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-12-07", "early"), "lead"), "wei")
        # the late rule's own messages told them; the change is in their logs for !upcoming
        up = self.ask("mark", "!upcoming vera", "Changes Vera Kovacs has not looked at yet:", room="dm")["text"]
        self.assertIn("early on 2026-12-07: no longer lead (late rule)", up)
        up = self.ask("mark", "!upcoming wei", "Next shifts of Wang Wei:", room="dm")["text"]
        self.assertIn("2026-12-07 early 06:00-14:00: lead", up)
        self.assertIn("early on 2026-12-07: now lead (late rule)", up)
        s.expect_none(dm("wei", "你的班次有变动"), within=1.0)


if __name__ == "__main__":
    unittest.main()
