"""End-to-end: swaps, complete (withdraw, arrange, undo, the rest of a running
shift, the effect shown before approval) and the acknowledged handover, at the
default config with the example config's shifts (early 06-14, late 14-22,
night 22-06) and the seeds' people, each in their language: Lemon, Mark and
Mia read English, Tom German, Sara Spanish, Vera Hungarian.  The clock is
DUTYBOT_FAKE_NOW (2026-03-02 is a Monday; the zone is UTC)."""

import time
import unittest

from harness import E2E

SHIFTS = ('( { name = "early"; start = "06:00"; end = "14:00"; },'
          ' { name = "late"; start = "14:00"; end = "22:00"; },'
          ' { name = "night"; start = "22:00"; end = "06:00"; standby = "vera"; } )')

SUM = "Mia Keller [CCS] hands the early shift on 2026-03-03 to Sara Ruiz [SAM]"
SUM_ES = "Mia Keller [CCS] cede el turno de mañana del 2026-03-03 a Sara Ruiz [SAM]"     # the same, as Sara reads it


class Case(E2E):
    CONFIG = {"shifts": SHIFTS}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T09:00:00Z"}

    def setUp(self):
        super().setUp()
        # today: Vera leads early, Mia on it; tomorrow: Vera leads early with Mia and Tom;
        # Wednesday: Sara on late (her week so far: 8 h)
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mark", "!roster add today early mia", "Roster updated")
        self.ask("mark", "!roster lead tomorrow early vera", "Roster updated")
        self.ask("mark", "!roster add tomorrow early mia tom", "Roster updated")
        self.ask("mark", "!roster add 2026-03-04 late sara", "Roster updated")

    def roster(self, date, shift):
        flat = self.redis.cmd("HGETALL", self.key("roster", date, shift))
        return dict(zip(flat[::2], flat[1::2]))

    def agents(self, date, shift):
        return sorted(self.roster(date, shift).get("agents", "").split())

    def state(self, id_):
        return self.redis.cmd("HGET", self.key("approval", id_), "state")


class Withdraw(Case):

    def test_withdraw_by_the_requester_before_it_is_decided(self):
        self.ask("mia", "!swap tomorrow early with sara", "Swap S-1 asked of sara")
        # the one asked reads the effect on both weeks and on the shift (in Spanish)
        asked = self.site.wait({"ev": "dm", "to": "sara", "text": "Mia Keller [CCS] te pide un cambio de turno"})
        self.assertIn("Efecto: horas en el cuadrante esta semana: Mia Keller [CCS] 16:00 → 8:00 h, "
                      "Sara Ruiz [SAM] 8:00 → 16:00 h", asked["text"])
        self.assertIn("conserva su responsable y a alguien para cada grupo de clientes", asked["text"])
        # refusals first: not hers, not his (in German), not a friend's, no such request
        self.ask("sara", "!swap withdraw S-1", "Solo quien pidió S-1 puede retirarlo")
        self.ask("tom", "!swap withdraw S-1", "Nur wer S-1 angefragt hat, kann ihn zurückziehen")
        self.ask("lina", "!swap withdraw S-1", "!swap withdraw is for agent and above; you are chat friend.")
        self.ask("mia", "!swap withdraw S-99", "There is no request S-99.")
        self.ask("mia", "!swap withdraw nonsense", "There is no request nonsense.")
        self.assertEqual(self.state("S-1"), "open")
        self.ask("mia", "!swap withdraw S-1", f"S-1 withdrawn: {SUM}. Nothing changes.")
        self.site.wait({"ev": "dm", "to": "sara", "text": f"Mia Keller [CCS] ha retirado el cambio de turno S-1 ({SUM_ES}); no cambia nada."})
        self.assertEqual(self.state("S-1"), "withdrawn")
        self.assertEqual(self.agents("2026-03-03", "early"), ["mia", "tom"])
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("approvals:open"), "S-1"))
        # gone for good: neither withdrawn twice nor accepted
        self.ask("mia", "!swap withdraw S-1", "S-1 is no longer open (withdrawn); there is nothing to withdraw.")
        self.ask("sara", "!swap accept S-1", "S-1 ya está decidida (retirado).")
        self.ask("mark", "!approval show S-1", "withdrawn", room="dm")
        audit = self.ask("lemon", "!audit 5", "Latest changes", room="dm")["text"]
        self.assertIn("swap.withdraw", audit)

    def test_only_a_swap_is_withdrawn_and_only_while_open(self):
        self.ask("mia", "!leave 2026-03-20 family", "Leave L-1", room="dm")
        self.ask("mia", "!swap withdraw L-1", "L-1 is not a swap.")
        self.ask("mia", "!swap tomorrow early with sara", "S-1")
        self.ask("sara", "!swap decline S-1 tengo examen", "S-1")
        self.ask("mia", "!swap withdraw S-1", "S-1 is no longer open (denied); there is nothing to withdraw.")


class Arrange(Case):

    def test_a_minister_arranges_and_the_taker_accepts(self):
        self.ask("mark", "!swap arrange tomorrow early mia sara",
                 "Swap S-1 arranged: mia hands the shift to sara; sara is asked to accept, then it applies.")
        asked = self.site.wait({"ev": "dm", "to": "sara", "text": "Mark Novak ha organizado el cambio de turno S-1 y te pide que lo aceptes"})
        self.assertIn("Mia Keller [CCS] 16:00 → 8:00 h, Sara Ruiz [SAM] 8:00 → 16:00 h", asked["text"])
        self.site.wait({"ev": "dm", "to": "mia", "text": f"Mark Novak arranged swap S-1: {SUM}. Sara Ruiz [SAM] is asked to accept; it applies when they do."})
        # nothing changes until she accepts; then it applies at once (no second approval)
        self.assertEqual(self.agents("2026-03-03", "early"), ["mia", "tom"])
        self.ask("sara", "!swap accept S-1", "S-1 aprobada; los detalles están en el canal de operaciones.")
        self.site.wait_all({"ev": "send", "room": "ops", "text": "Swap S-1 approved by Sara Ruiz [SAM]"},
                           {"ev": "dm", "to": "mark", "text": f"S-1 ({SUM}) was approved by Sara Ruiz [SAM]."},
                           {"ev": "dm", "to": "mia", "text": f"S-1 ({SUM}) was approved by Sara Ruiz [SAM]."})
        self.assertEqual(self.agents("2026-03-03", "early"), ["sara", "tom"])
        self.assertEqual(self.state("S-1"), "approved")

    def test_the_taker_declines_and_the_giver_is_told(self):
        self.ask("lemon", "!swap arrange tomorrow early tom sara", "Swap S-1 arranged")
        self.ask("sara", "!swap decline S-1 no puedo", "S-1")
        self.site.wait_all({"ev": "dm", "to": "lemon", "text": "was denied by Sara Ruiz [SAM]: no puedo"},
                           {"ev": "dm", "to": "tom", "text": "wurde von Sara Ruiz [SAM] abgelehnt: no puedo"})
        self.assertEqual(self.agents("2026-03-03", "early"), ["mia", "tom"])

    def test_arrange_refusals_change_nothing(self):
        self.ask("mia", "!swap arrange tomorrow early tom sara", "!swap arrange is for minister and above; you are agent.")
        self.ask("vera", "!swap arrange tomorrow early tom sara",
                 "!swap arrange: legalább miniszter szerepkör kell hozzá; a te szerepköröd: miniszterhelyettes.")
        self.ask("mark", "!swap arrange tomorrow early mia mark", "!swap arrange is for two other people")
        self.ask("mark", "!swap arrange tomorrow early tom tom",
                 "The one who gives the shift and the one who takes it must be two different people.")
        self.ask("mark", "!swap arrange tomorrow late mia sara", "Mia Keller [CCS] is not on the late shift of tomorrow.")
        self.ask("mark", "!swap arrange tomorrow early mia ghost", 'No staff member "ghost"')
        self.ask("mark", "!swap arrange tomorrow early ghost sara", 'No staff member "ghost"')
        self.ask("mark", "!swap arrange 2026-02-30 early mia sara", '"2026-02-30" is not a date')
        self.ask("mark", "!swap arrange tomorrow brunch mia sara", 'There is no shift "brunch"')
        self.ask("mark", "!swap arrange yesterday early mia sara",
                 "early on 2026-03-01 is over; only a shift that has not ended can be swapped.")
        self.ask("mark", "!swap arrange tomorrow early mia vera", "vera is already on that shift.")
        self.ask("mark", "!swap arrange tomorrow early vera sara", "sara may not hold the lead slot of a shift.")
        self.ask("mark", "!swap arrange tomorrow early mia", "Usage: !swap arrange <date> <shift> <from> <to>")
        self.assertEqual(self.redis.keys(self.key("approval", "*")), [])
        self.ask("mark", "!swap arrange tomorrow early mia sara", "S-1")
        self.ask("lemon", "!swap arrange tomorrow early mia sara", "You already asked S-1 for that shift.")
        self.assertEqual(self.agents("2026-03-03", "early"), ["mia", "tom"])


class Undo(Case):

    def approved_swap(self):
        self.ask("mia", "!swap tomorrow early with sara", "S-1")
        self.ask("sara", "!swap accept S-1", "S-1")
        self.ask("mark", "!approve S-1", "S-1 approved")
        self.assertEqual(self.agents("2026-03-03", "early"), ["sara", "tom"])

    def test_an_approver_undoes_before_the_shift_starts(self):
        self.approved_swap()
        self.ask("mia", "!swap undo S-1", "!swap undo is for minister and above; you are agent.")
        self.ask("tom", "!swap undo S-1", "!swap undo erfordert mindestens die Rolle Minister; deine Rolle: Agent.")
        self.assertEqual(self.agents("2026-03-03", "early"), ["sara", "tom"])
        self.ask("lemon", "!swap undo S-1", f"S-1 undone: the roster is back as it was before ({SUM} no longer holds); both are told.")
        self.site.wait_all({"ev": "dm", "to": "mia", "text": f"Swap S-1 ({SUM}) was undone by Lemon Chen: the roster is back as it was before it."},
                           {"ev": "dm", "to": "sara", "text": f"Lemon Chen ha deshecho el cambio de turno S-1 ({SUM_ES}): el cuadrante vuelve a estar como antes."},
                           {"ev": "send", "room": "ops", "text": f"Swap S-1 undone by Lemon Chen: {SUM} no longer holds"})
        self.assertEqual(self.agents("2026-03-03", "early"), ["mia", "tom"])
        self.assertEqual(self.state("S-1"), "undone")
        self.ask("lemon", "!swap undo S-1", "S-1 is undone, not approved; only an approved swap can be undone.")

    def test_undo_refusals_change_nothing(self):
        self.ask("mia", "!swap tomorrow early with sara", "S-1")
        self.ask("mark", "!swap undo S-1", "S-1 is open, not approved; only an approved swap can be undone.")
        self.ask("mark", "!swap undo S-7", "There is no request S-7.")
        self.ask("mia", "!leave 2026-03-20 family", "Leave L-1", room="dm")
        self.ask("mark", "!swap undo L-1", "L-1 is not a swap.")
        self.ask("sara", "!swap accept S-1", "S-1")
        self.ask("mark", "!approve S-1", "S-1 approved")
        # the roster changed by hand since: not undone over it
        self.ask("mark", "!roster remove tomorrow early sara", "Roster updated")
        self.ask("mark", "!swap undo S-1", "The roster of S-1's shift changed since the swap; nothing was undone.")
        self.assertEqual(self.agents("2026-03-03", "early"), ["tom"])
        self.assertEqual(self.state("S-1"), "approved")


class RunningShift(Case):

    def test_a_started_shift_changes_hands_for_the_rest_and_cannot_be_undone(self):
        self.ask("mia", "!checkin", "Mia Keller [CCS], you are checked in to early (2026-03-02)")
        said = self.ask("mia", "!swap today early with sara", "Swap S-1 asked of sara")["text"]
        self.assertIn("The shift has started: the swap is for the rest of it, until 14:00; your check-in there "
                      "ends when it applies.", said)
        self.site.wait({"ev": "dm", "to": "sara", "text": "Efecto: el turno ya ha empezado: el cambio es para lo que "
                        "queda, hasta las 14:00; horas en el cuadrante esta semana"})
        self.ask("sara", "!swap accept S-1", "S-1")
        self.ask("mark", "!approve S-1", "S-1 approved")
        self.assertEqual(self.agents("2026-03-02", "early"), ["sara"])
        # Mia's hours stop where the swap applied; Sara checks in for the rest
        self.assertIsNotNone(self.redis.cmd("HGET", self.key("att", "2026-03-02", "early"), "mia:out"))
        self.ask("mia", "!checkout", "You are not checked in: you checked out of early (2026-03-02) at 09:00.")
        self.ask("sara", "!checkin", "Sara Ruiz [SAM]")
        self.ask("mark", "!swap undo S-1",
                 "early on 2026-03-02 has started; S-1 can only be undone before the shift starts.")
        self.assertEqual(self.agents("2026-03-02", "early"), ["sara"])


class Effect(Case):

    def test_deciders_see_the_hours_and_what_the_shift_keeps(self):
        self.ask("mia", "!swap tomorrow early with sara", "S-1")
        self.ask("sara", "!swap accept S-1", "S-1")
        pending = self.ask("mark", "!pending", "S-1", room="dm")["text"]
        self.assertIn("rostered this week: Mia Keller [CCS] 16:00 → 8:00 h, Sara Ruiz [SAM] 8:00 → 16:00 h; "
                      "early on 2026-03-03 keeps its lead and someone for every customer group", pending)
        shown = self.ask("mark", "!approval show S-1", "S-1", room="dm")["text"]
        self.assertIn("Mia Keller [CCS] 16:00 → 8:00 h", shown)

    def test_a_swap_that_leaves_the_shift_without_a_lead_or_a_level_says_so(self):
        # Wednesday late has only Sara (SAM), no lead; she hands it to Lemon (no level)
        self.ask("sara", "!swap 2026-03-04 late with lemon", "S-1")
        asked = self.site.wait({"ev": "dm", "to": "lemon", "text": "Sara Ruiz [SAM] asks you to swap"})
        self.assertIn("late on 2026-03-04 has no lead; late on 2026-03-04 has nobody for vip (PAM), xxl (PAM), "
                      "storyline (PAM)", asked["text"])
        self.assertIn("Sara Ruiz [SAM] 8:00 → 0:00 h, Lemon Chen 0:00 → 8:00 h", asked["text"])


class HandoverAck(Case):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T13:59:40Z"}

    def setUp(self):
        super().setUp()
        self.ask("mark", "!roster lead today late lemon", "Roster updated")
        self.ask("mark", "!roster minister today late mark", "Roster updated")
        self.ask("mark", "!roster add today late tom", "Roster updated")

    def until_late_runs(self):
        """!duty once the late shift runs: asked again each second until then
        (the fake clock starts 20 s before and runs in real time)."""
        for _ in range(40):
            duty = self.ask("mia", "!duty", "On duty now")["text"]
            if "On duty now: late until 22:00" in duty:
                return duty
            time.sleep(1)
        self.fail("the late shift never started: " + duty)

    def test_until_the_next_lead_acknowledges_the_outgoing_lead_is_paged(self):
        s = self.site
        self.ask("vera", "!handover C-3 vár a visszahívásra", "Átadási jegyzetek mentve")
        self.assertEqual(self.redis.cmd("HGET", self.key("handack", "2026-03-02", "late"), "out"), "vera")
        # the due time: the late shift's start + policy.handover_ack (default 30 m)
        self.assertEqual(int(float(self.redis.cmd("ZSCORE", self.key("timers"), "hoack|2026-03-02|late"))),
                         1772460000000 + 30 * 60000)
        self.ask("lemon", "!checkin", "Lemon Chen, you are checked in to late (2026-03-02)")
        s.wait({"ev": "dm", "to": "lemon", "text": "Handover notes for late (2026-03-02) from the early shift"})
        s.wait({"ev": "dm", "to": "lemon", "text": "Take over with !handover ack once you have read it: until then "
                "Vera Kovacs is still paged as the lead (handover from early, 2026-03-02)."})
        # the late shift starts (the fake clock runs in real time): the
        # check-out of the early one at its end is the sign
        duty = self.until_late_runs()
        self.assertIn("Handover from early not taken yet: Vera Kovacs is still paged as the lead.", duty)
        self.ask("tom", "!duty", "Übergabe aus der Frühschicht noch nicht angenommen: Vera Kovacs wird noch als Schichtleitung alarmiert.")
        # an emergency now pages the outgoing lead as the shift's lead
        self.ask("mia", "!emergency chat servers down", "E-1")
        s.wait({"ev": "send", "room": "alerts", "text": "E-1: paging the shift's lead, Vera Kovacs."}, timeout=15)
        self.ask("vera", "!ack E-1", "E-1")
        # refusals: not a lead of the running or next shift; an agent may not
        self.ask("mark", "!handover ack", "Only the lead of the running or the next shift takes over a handover; you lead neither.")
        self.ask("vera", "!handover ack", "Átadást csak a futó vagy a következő műszak műszakvezetője vehet át")
        self.ask("mia", "!handover ack", "!handover ack is for vice minister and above; you are agent.")
        # 30 minutes later, still not taken: the minister on duty is told, once
        self.assertEqual(self.daemon.stop(), 0)
        s.wait({"ev": "closed"})
        self.start_daemon(DUTYBOT_FAKE_NOW="2026-03-02T14:30:05Z")
        told = "Handover not taken: Lemon Chen has not acknowledged the handover from early (2026-03-02) to late (2026-03-02); Vera Kovacs is still paged as the lead."
        s.wait({"ev": "dm", "to": "mark", "text": told}, timeout=20)
        self.ask("lemon", "!handover ack", "You took over late (2026-03-02) from Vera Kovacs; you are paged as its lead from now on.")
        s.wait({"ev": "dm", "to": "vera", "text": "Lemon Chen átvette tőled a műszakot"})
        self.ask("lemon", "!handover ack", "Lemon Chen already took over the handover to late (2026-03-02).")
        duty = self.ask("mia", "!duty", "On duty now: late until 22:00")["text"]
        self.assertNotIn("Handover from", duty)
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "hoack|2026-03-02|late"))
        self.assertEqual(len(s.all({"ev": "dm", "to": "mark", "text": "Handover not taken"})), 1)
        # from now on the new lead is paged
        self.ask("mia", "!emergency printer fire", "E-2")
        s.wait({"ev": "send", "room": "alerts", "text": "E-2: paging the shift's lead, Lemon Chen."}, timeout=15)
        self.ask("lemon", "!ack E-2", "E-2")

    def test_nothing_to_take_over(self):
        self.ask("lemon", "!handover ack", "Nothing to take over yet: no handover notes were written for late (2026-03-02).")


if __name__ == "__main__":
    unittest.main()
