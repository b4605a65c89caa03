"""End-to-end: requests without noise, in the seeds' department at the
default settings.

A routine request is announced once in the ops room and privately only to
the people of its step's own role (the lowest role that may decide: the
vice ministers for training, the minister for leave); those above see it
in !pending and may still decide.  When that role has nobody who may
decide, the next role up is asked.  The private line leaves out a reason
that the summary already says and an evidence that does not exist.  One
day is "2026-12-10", never "2026-12-10..2026-12-10".  A summary names the
people with their level and says what is asked in words, in the reader's
language.  The person a request was about hears its approval once.  A
request that waits too long still reaches the webmasters.

The clock is Tuesday 2026-11-24 10:00 in Berlin."""

import time
import unittest

from realday import RealDayE2E

NOW = "2026-11-24T09:00:00Z"


class Case(RealDayE2E):
    START_DAEMON = False

    def setUp(self):
        super().setUp()
        self.start_at(NOW)

    def dms(self, to, prefix):
        """The private messages to TO that start with PREFIX, after a moment for the outbox."""
        return super().dms(to, prefix, settle=1.5)


class Training(Case):

    def test_an_interns_hours_ask_the_vice_ministers_only(self):
        self.dm_ask("tom", "!training log 4 Produktschulung", "Schulung H-1 eingetragen: 4,0 Stunden")
        # the room reads that hours wait for confirmation, not how many nor of what
        self.eventually({"ev": "send", "room": "ops", "text":
                         "H-1 waits for a vice minister or above: training hours of Tom Berger [TRN]. "
                         "!approve H-1 or !deny H-1 <reason>."})
        # the two vice ministers, each in their language, without a reason that repeats the topic
        # and without "evidence: —"
        self.assertEqual(self.eventually({"ev": "dm", "to": "vera", "text": lambda t: t.startswith("H-1")})["text"],
                         "H-1 a válaszodra vár: képzés – Tom Berger [TRN]: 4,0 óra, Produktschulung (kérte: Tom Berger [TRN]).")
        self.assertEqual(self.eventually({"ev": "dm", "to": "wei", "text": lambda t: t.startswith("H-1")})["text"],
                         "H-1 等待你的答复：Tom Berger [TRN] 的培训：4.0 小时，Produktschulung（申请人：Tom Berger [TRN]）。")
        # nobody above them is asked privately ...
        self.assertEqual(self.dms("lemon", "H-1"), [])
        self.assertEqual(self.dms("mark", "H-1"), [])
        # ... but they see it in !pending and may still decide
        pending = self.dm_ask("mark", "!pending", "Waiting for your decision:")["text"]
        self.assertIn("\nH-1 — training of Tom Berger [TRN]: 4.0 h, Produktschulung (from Tom Berger [TRN])", pending)
        self.assertNotIn("reason:", pending)
        self.assertNotIn("evidence:", pending)
        show = self.dm_ask("tom", "!approval show H-1", "H-1 (offen): Schulung von Tom Berger [TRN]: 4,0 Std., "
                           "Produktschulung, beantragt von Tom Berger [TRN]")["text"]
        self.assertNotIn("Begründung", show)
        self.ask("mark", "!approve H-1", "H-1 approved and done: training of Tom Berger [TRN]: 4.0 h, Produktschulung.")
        self.eventually({"ev": "dm", "to": "tom", "text":
                         "H-1 (Schulung von Tom Berger [TRN]: 4,0 Std., Produktschulung) wurde von Mark Novak genehmigt."})
        self.assertEqual(self.redis.cmd("HGET", self.key("intern", "tom"), "tenths"), "40")


class Leave(Case):

    def test_one_day_of_leave_is_one_date_everywhere(self):
        self.ask("mark", "!roster add 2026-12-10 early tom", "early")
        self.dm_ask("tom", "!leave 2026-12-10..2026-12-10 Arzttermin",
                    "Abwesenheitsantrag L-1 für 2026-12-10 gestellt; ein Minister oder Webmaster entscheidet.")
        self.eventually({"ev": "send", "room": "ops", "text":
                         "L-1 waits for a minister or above: leave for Tom Berger [TRN]: 2026-12-10. "
                         "!approve L-1 or !deny L-1 <reason>."})
        self.assertEqual(self.eventually({"ev": "dm", "to": "mark", "text": lambda t: t.startswith("L-1")})["text"],
                         "L-1 waits for your answer: leave for Tom Berger [TRN]: 2026-12-10 (asked by Tom Berger [TRN]). "
                         "Reason: Arzttermin.")
        self.assertEqual(self.dms("lemon", "L-1"), [])
        self.assertEqual(self.dms("vera", "L-1"), [])
        pending = self.dm_ask("lemon", "!pending", "Waiting for your decision:")["text"]
        self.assertIn("\nL-1 — leave for Tom Berger [TRN]: 2026-12-10 (from Tom Berger [TRN]) — reason: Arzttermin", pending)
        self.dm_ask("tom", "!approval show L-1", "L-1 (offen): Abwesenheit von Tom Berger [TRN]: 2026-12-10, beantragt von")
        self.ask("mark", "!approve L-1", "L-1 approved; the ops channel has the details.")
        self.eventually({"ev": "dm", "to": "tom", "text":
                         "L-1 (Abwesenheit von Tom Berger [TRN]: 2026-12-10) wurde von Mark Novak genehmigt."})
        self.eventually({"ev": "send", "room": "ops", "text":
                         "Leave L-1 approved by Mark Novak: leave for Tom Berger [TRN]: 2026-12-10. "
                         "Roster gaps: 2026-12-10 early (agent; suggested: Ana Horvat [PAM], "
                         "0:00 h on the roster that week)."})
        # more days read as a range, in the asker's language
        self.dm_ask("sara", "!leave 2026-12-21..2026-12-23 viaje familiar",
                    "Permiso L-2 para 2026-12-21..2026-12-23 solicitado")
        self.eventually({"ev": "send", "room": "ops", "text":
                         "L-2 waits for a minister or above: leave for Sara Ruiz [SAM]: 2026-12-21..2026-12-23."})
        self.assertNotIn("..2026-12-10", " ".join(e.get("text", "") for e in self.site.all({"ev": "dm"})))
        self.assertNotIn("..2026-12-10", " ".join(e.get("text", "") for e in self.site.all({"ev": "send"})))
        # Sara is not rostered on those days: ops reads that nothing opens, not "Roster gaps: -"
        self.ask("lemon", "!approve L-2", "L-2 approved; the ops channel has the details.")
        self.eventually({"ev": "send", "room": "ops", "text":
                         "Leave L-2 approved by Lemon Chen: leave for Sara Ruiz [SAM]: 2026-12-21..2026-12-23. "
                         "It leaves no gap in the roster."})
        self.assertFalse(self.site.all({"ev": "send", "text": lambda t: "Roster gaps: -" in t}))


class Promotion(Case):

    def test_the_promoted_person_hears_it_once(self):
        self.ask("mark", '!promote mia PAM cycle=off name="Mia Keller" email=mia@example.org reason="VIP nights"',
                 "Promotion P-1 of mia to PAM asked", room="dm")
        self.eventually({"ev": "send", "room": "ops", "text":
                         "P-1 waits for a webmaster or above: promotion of Mia Keller [CCS] to PAM (off-cycle). "
                         "!approve P-1 or !deny P-1 <reason>."})
        self.assertEqual(self.eventually({"ev": "dm", "to": "lemon", "text": lambda t: t.startswith("P-1")})["text"],
                         "P-1 waits for your answer: promotion of Mia Keller [CCS] to PAM (off-cycle) (asked by Mark Novak). "
                         "Reason: VIP nights.")
        self.ask("lemon", "!approve P-1", "P-1 approved and done: promotion of Mia Keller [CCS] to PAM (off-cycle).")
        self.eventually({"ev": "dm", "to": "mark", "text":
                         "P-1 (promotion of Mia Keller [CCS] to PAM (off-cycle)) was approved by Lemon Chen."})
        self.eventually({"ev": "dm", "to": "mia", "text": "Congratulations: Lemon Chen approved P-1, your level is now PAM."})
        time.sleep(1.5)
        self.assertEqual(len(self.site.all({"ev": "dm", "to": "mia"})), 1)
        self.assertEqual(self.redis.cmd("HGET", self.key("staff", "mia"), "level"), "PAM")
        # the audit keeps plain words (no control characters)
        details = [detail for _, _, detail in self.audit()]
        self.assertTrue(all("\x1e" not in d and "\x1f" not in d for d in details), details)


class Swap(Case):

    def test_a_swap_in_words_and_the_next_role_up_when_the_minister_is_taken(self):
        self.ask("mark", "!roster add 2026-12-11 early sara", "early")
        self.ask("sara", "!swap 2026-12-11 early with ana", "S-1")
        self.eventually({"ev": "dm", "to": "ana", "text":
                         "Sara Ruiz [SAM] asks you to swap: Sara Ruiz [SAM] hands the early shift on 2026-12-11 "
                         "to Ana Horvat [PAM]. Effect: rostered this week: Sara Ruiz [SAM] 8:00 → 0:00 h, "
                         "Ana Horvat [PAM] 0:00 → 8:00 h; early on 2026-12-11 has no lead. "
                         "Answer with !swap accept S-1 or !swap decline S-1."})
        self.ask("ana", "!swap accept S-1", "S-1 accepted; it now waits for a minister or above")
        self.assertEqual(self.eventually({"ev": "dm", "to": "mark", "text": lambda t: t.startswith("S-1")})["text"],
                         "S-1 waits for your answer: Sara Ruiz [SAM] hands the early shift on 2026-12-11 to Ana Horvat [PAM] "
                         "(asked by Sara Ruiz [SAM]). Evidence: rostered this week: Sara Ruiz [SAM] 8:00 → 0:00 h, "
                         "Ana Horvat [PAM] 0:00 → 8:00 h; early on 2026-12-11 has no lead.")
        self.assertEqual(self.dms("lemon", "S-1"), [])
        self.ask("mark", "!approve S-1", "S-1 approved; the ops channel has the details.")
        self.eventually({"ev": "dm", "to": "sara", "text":
                         "Mark Novak ha aprobado S-1 (Sara Ruiz [SAM] cede el turno de mañana del 2026-12-11 a Ana Horvat [PAM])."})
        # the minister takes the shift himself: he has answered the first step, so the webmaster is asked
        self.ask("mark", "!roster add 2026-12-12 early sara", "early")
        self.ask("sara", "!swap 2026-12-12 early with mark", "S-2")
        self.ask("mark", "!swap accept S-2", "S-2 accepted; it now waits for a minister or above")
        self.assertEqual(self.eventually({"ev": "dm", "to": "lemon", "text": lambda t: t.startswith("S-2")})["text"],
                         "S-2 waits for your answer: Sara Ruiz [SAM] hands the early shift on 2026-12-12 to Mark Novak "
                         "(asked by Sara Ruiz [SAM]). Evidence: rostered this week: Sara Ruiz [SAM] 8:00 → 0:00 h, "
                         "Mark Novak 0:00 → 8:00 h; early on 2026-12-12 has no lead; early on 2026-12-12 has nobody for "
                         "vip (PAM), xxl (PAM), storyline (PAM).")


class Stuck(Case):

    def test_a_stuck_training_still_reaches_the_webmaster(self):
        self.dm_ask("tom", "!training log 4 Produktschulung", "H-1")
        self.eventually({"ev": "dm", "to": "vera", "text": lambda t: t.startswith("H-1")})
        self.site.skip()
        self.restart_at("2026-11-26T09:00:30Z")
        self.site.wait({"ev": "dm", "to": "lemon", "text":
                        "H-1 has waited 48 h for a vice minister or above: training of Tom Berger [TRN]: 4.0 h, "
                        "Produktschulung. Decide it, or cancel it with !approval cancel H-1 <reason>."}, timeout=15)


class ProbationCase(Case):
    """Mia's probation ends on 2026-11-30: she may apply now."""

    def setUp(self):
        RealDayE2E.setUp(self)
        self.mia_on_probation()
        self.start_at(NOW)


class Probation(ProbationCase):

    def test_the_figures_and_the_evaluation_in_the_readers_words(self):
        self.dm_ask("mia", "!probation apply I ran the Saturday queue", "Probation request PR-1 filed")
        self.assertEqual(self.eventually({"ev": "dm", "to": "wei", "text": lambda t: t.startswith("PR-1")})["text"],
                         "PR-1 等待你的答复：Mia Keller [CCS] 试用期满转正（申请人：Mia Keller [CCS]）。"
                         "理由：I ran the Saturday queue。依据：已工作 0:00，迟到签到 0 次。")
        self.assertEqual(self.dms("mark", "PR-1"), [])
        self.dm_ask("vera", "!probation evaluate PR-1 score=4 megbízható", "PR-1 elfogadva")
        self.eventually({"ev": "dm", "to": "mark", "text":
                         "PR-1 waits for your answer: permanent contract for Mia Keller [CCS] after probation "
                         "(asked by Mia Keller [CCS]). Reason: I ran the Saturday queue. "
                         "Evidence: 0:00 h worked, 0 late check-ins; evaluation by Vera Kovacs: score 4: megbízható."})
        self.dm_ask("mark", "!probation consult PR-1 sara", "PR-1 now waits for the opinion of sara first.")
        self.eventually({"ev": "dm", "to": "sara", "text":
                         "PR-1 espera tu respuesta: contrato fijo para Mia Keller [CCS] tras el periodo de prueba "
                         "(solicitado por Mia Keller [CCS]). Motivo: I ran the Saturday queue. Pruebas: 0:00 h trabajadas, "
                         "fichajes con retraso: 0; evaluación de Vera Kovacs: puntuación 4: megbízható."})
        self.dm_ask("sara", "!approve PR-1", "PR-1")
        show = self.dm_ask("wei", "!approval show PR-1", "PR-1")["text"]
        self.assertIn("Vera Kovacs 的评估：评分 4：megbízható; Sara Ruiz [SAM] 的意见：同意", show)


class PersonalData(ProbationCase):
    """What a request says about a person (its reason, the probation figures,
    a lead's score and evaluation, an excuse's reason, why it was cancelled)
    is read by the deciders and the people it concerns, privately; the ops
    room hears only what is asked of whom and what became of it."""

    PRIVATE = ("Saturday queue", "0:00", "late check-ins", "megbízható", "score", "pont", "Scheidungstermin",
               "divorce", "hospital", "Krankenhaus", "Produktschulung", "4.0")

    def test_no_room_reads_reasons_figures_scores_or_evaluations(self):
        # probation: the figures go to the evidence, the summary names only the person
        self.dm_ask("mia", "!probation apply I ran the Saturday queue",
                    "Probation request PR-1 filed with your figures (0:00 h worked, 0 late check-ins)")
        self.eventually({"ev": "send", "room": "ops", "text":
                         "PR-1 waits for a vice minister or above: permanent contract for Mia Keller [CCS] after probation. "
                         "!approve PR-1 or !deny PR-1 <reason>."})
        self.assertEqual(self.eventually({"ev": "dm", "to": "wei", "text": lambda t: t.startswith("PR-1")})["text"],
                         "PR-1 等待你的答复：Mia Keller [CCS] 试用期满转正（申请人：Mia Keller [CCS]）。"
                         "理由：I ran the Saturday queue。依据：已工作 0:00，迟到签到 0 次。")
        # the lead's evaluation: its score and note reach the next deciders, not the room
        self.dm_ask("vera", "!probation evaluate PR-1 score=4 megbízható és pontos", "PR-1 elfogadva")
        self.eventually({"ev": "send", "room": "ops", "text":
                         "PR-1 waits for a minister or above: permanent contract for Mia Keller [CCS] after probation. "
                         "!approve PR-1 or !deny PR-1 <reason>."})
        self.assertEqual(self.eventually({"ev": "dm", "to": "mark", "text": lambda t: t.startswith("PR-1")})["text"],
                         "PR-1 waits for your answer: permanent contract for Mia Keller [CCS] after probation "
                         "(asked by Mia Keller [CCS]). Reason: I ran the Saturday queue. Evidence: 0:00 h worked, "
                         "0 late check-ins; evaluation by Vera Kovacs: score 4: megbízható és pontos.")
        # a leave with a reason, an excuse with a reason
        self.dm_ask("tom", "!leave 2026-12-10 Scheidungstermin", "Abwesenheitsantrag L-1 für 2026-12-10 gestellt")
        self.eventually({"ev": "send", "room": "ops", "text":
                         "L-1 waits for a minister or above: leave for Tom Berger [TRN]: 2026-12-10. "
                         "!approve L-1 or !deny L-1 <reason>."})
        self.eventually({"ev": "dm", "to": "mark", "text":
                         "L-1 waits for your answer: leave for Tom Berger [TRN]: 2026-12-10 (asked by Tom Berger [TRN]). "
                         "Reason: Scheidungstermin."})
        # an intern's hours: how many and of what, for the vice ministers
        self.dm_ask("tom", "!training log 4 Produktschulung", "Schulung H-1 eingetragen: 4,0 Stunden")
        self.eventually({"ev": "send", "room": "ops", "text": lambda t: t.startswith("H-1 waits for a vice minister")})
        self.eventually({"ev": "dm", "to": "vera", "text": lambda t: t.startswith("H-1") and "4,0 óra, Produktschulung" in t})
        self.dm_ask("mark", "!excuse ana 2026-W48 hospital stay", "X-1")
        self.eventually({"ev": "send", "room": "ops", "text": lambda t: t.startswith("X-1 waits for a webmaster or above")})
        self.eventually({"ev": "dm", "to": "lemon", "text": lambda t: t.startswith("X-1 waits for your answer")
                         and "Reason: hospital stay." in t})
        # cancelled with a reason: the room hears who cancelled, the people concerned also why
        self.ask("lemon", "!approval cancel L-1 his divorce hearing moved", "L-1 cancelled", room="dm")
        self.eventually({"ev": "send", "room": "ops", "text":
                         "L-1 (leave for Tom Berger [TRN]: 2026-12-10) was cancelled by Lemon Chen."})
        self.eventually({"ev": "dm", "to": "tom", "text":
                         "L-1 (Abwesenheit von Tom Berger [TRN]: 2026-12-10) wurde von Lemon Chen zurückgezogen: "
                         "his divorce hearing moved"})
        self.ask("lemon", "!approval cancel PR-1 the divorce papers first", "PR-1 cancelled", room="dm")
        self.eventually({"ev": "send", "room": "ops", "text":
                         "PR-1 (permanent contract for Mia Keller [CCS] after probation) was cancelled by Lemon Chen."})
        self.eventually({"ev": "dm", "to": "mia", "text":
                         "PR-1 (permanent contract for Mia Keller [CCS] after probation) was cancelled by Lemon Chen: "
                         "the divorce papers first"})
        time.sleep(1.5)
        rooms = [e["text"] for e in self.site.all({"ev": "send"})]
        self.assertGreaterEqual(len(rooms), 6, rooms)
        for text in rooms:
            for word in self.PRIVATE:
                self.assertNotIn(word, text, f"personal data in a room: {text!r}")


class Evaluation(ProbationCase):
    """The score of an evaluation is said in the reader's language, like the rest of the evidence."""

    def test_the_score_in_the_readers_words(self):
        self.dm_ask("mia", "!probation apply I ran the Saturday queue", "PR-1")
        self.dm_ask("wei", "!probation evaluate PR-1 score=5 很可靠", "PR-1")
        a = self.redis.cmd("HGETALL", self.key("approval", "PR-1"))
        a = dict(zip(a[::2], a[1::2]))
        self.assertEqual(a["score1"], "5")
        pending = self.dm_ask("mark", "!pending", "Waiting for your decision:")["text"]
        self.assertIn("evidence: 0:00 h worked, 0 late check-ins; evaluation by Wang Wei: score 5: 很可靠", pending)
        pending = self.dm_ask("lemon", "!pending", "Waiting for your decision:")["text"]
        self.assertIn("evaluation by Wang Wei: score 5: 很可靠", pending)
        show = self.dm_ask("wei", "!approval show PR-1", "PR-1")["text"]
        self.assertIn("Wang Wei 的评估：评分 5：很可靠", show)
        self.assertIn("\n第 1 步，副部长及以上角色：由 Wang Wei 批准: 评分 5：很可靠。", show)
        show = self.dm_ask("mia", "!approval show PR-1", "PR-1")["text"]
        self.assertIn("evaluation by Wang Wei: score 5: 很可靠", show)
        # a score without words reads as a score alone
        self.dm_ask("mark", "!approval cancel PR-1", "Only whoever asked PR-1, or a webmaster, can cancel it.")
        self.dm_ask("mia", "!approval cancel PR-1", "PR-1 cancelled")
        self.dm_ask("mia", "!probation apply again", "PR-2")
        self.dm_ask("vera", "!probation evaluate PR-2 score=3", "PR-2 elfogadva")
        show = self.dm_ask("vera", "!approval show PR-2", "PR-2")["text"]
        self.assertIn("Vera Kovacs értékelése: 3 pont", show)
        self.assertIn("\n1. lépés, legalább miniszterhelyettes szerepkörű személy: jóváhagyta Vera Kovacs: 3 pont.", show)
        self.assertNotIn("score", show)


class StuckRace(Case):
    """A stuck report claimed before a decision moved the request on (the
    timer fires once its first step has waited its time, and the decision
    arms the next step's report meanwhile) leaves the next step's report
    alone: that step is reported when it has waited its own time."""

    def test_a_late_report_of_the_step_before_keeps_the_new_steps_timer(self):
        self.ask("mark", "!roster add 2026-12-11 early sara", "early")
        self.ask("sara", "!swap 2026-12-11 early with ana", "S-1")
        first = int(float(self.redis.cmd("ZSCORE", self.key("timers"), "stuck|S-1")))
        self.ask("ana", "!swap accept S-1", "S-1 accepted; it now waits for a minister or above")
        self.eventually({"ev": "dm", "to": "mark", "text": lambda t: t.startswith("S-1 waits for your answer")})
        due = int(self.redis.cmd("HGET", self.key("approval", "S-1"), "stuckdue"))
        self.assertEqual(int(float(self.redis.cmd("ZSCORE", self.key("timers"), "stuck|S-1"))), due)
        self.assertEqual(due - int(self.redis.cmd("HGET", self.key("approval", "S-1"), "stepsince")), 48 * 3600 * 1000)
        self.assertGreaterEqual(due, first)
        self.assertEqual(self.daemon.stop(), 0)
        self.site.wait({"ev": "closed"}, timeout=10)
        # the first step's report, claimed earlier, reaches the fire script now: a day later
        self.redis.cmd("ZADD", self.key("timers"), first - 47 * 3600 * 1000, "stuck|S-1")
        self.site.skip()
        self.start_at("2026-11-25T09:00:00Z")
        self.daemon.wait_log(r"stuck request: later", timeout=15)
        self.assertEqual(int(float(self.redis.cmd("ZSCORE", self.key("timers"), "stuck|S-1"))), due)
        self.site.expect_none({"ev": "dm", "text": lambda t: t.startswith("S-1 has waited")}, within=3)
        actions = [a[0] for a in self.audit()]
        self.assertNotIn("approval.stuck", actions)
        # the second step is reported when it has waited its own 48 hours
        self.restart_at("2026-11-26T09:01:00Z")
        self.site.wait({"ev": "dm", "to": "lemon", "text":
                        "S-1 has waited 48 h for a minister or above: Sara Ruiz [SAM] hands the early shift on "
                        "2026-12-11 to Ana Horvat [PAM]. Decide it, or cancel it with !approval cancel S-1 <reason>."},
                       timeout=15)
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "stuck|S-1"))


if __name__ == "__main__":
    unittest.main()
