"""End-to-end: the approval engine in the seeds' department (one webmaster,
one minister, two vice ministers) at the default settings.  Every request
kind can be completed there, whoever of them asks: a step the requester's
own role satisfies is signed by the request, nobody decides two steps, a
chain the staff cannot complete is refused when it is asked (naming the
step), a request can be cancelled, a request stuck past
approvals.stuck_after (48h by default) is reported to the webmasters once,
the deciders see the reason and the evidence, an evaluation takes a score,
and an intern's own training counts only once confirmed.

The clock is Tuesday 2026-11-24 10:00 in Berlin; Mia's probation (from
2026-09-01, 90 days) ends on 2026-11-30, so she may apply now."""

import unittest

from realday import RealDayE2E

NOW = "2026-11-24T09:00:00Z"


class Case(RealDayE2E):
    START_DAEMON = False

    def setUp(self):
        super().setUp()
        self.mia_on_probation()
        self.start_at(NOW)

    def approval(self, id):
        return self.record("approval", id)

    def level(self, id):
        return self.redis.cmd("HGET", self.key("staff", id), "level")


class Completable(Case):

    def test_a_ministers_promotion_completed_by_the_one_webmaster(self):
        # the issue: the minister may not approve his own request, the webmaster approved the
        # minister step and then was told he had decided a step already; the request waited forever
        self.dm_ask("mark", '!promote tom CCS cycle=off name="Tom Berger" email=tom@example.org reason="runs the night queue alone"',
                    "Promotion P-1 of tom to CCS asked; it waits for a webmaster or above.")
        self.eventually({"ev": "send", "room": "ops", "text": lambda t: t.startswith(
            "P-1 waits for a webmaster or above: promotion of Tom Berger [TRN] to CCS (off-cycle).")})
        lemon_dm = self.eventually({"ev": "dm", "to": "lemon", "text": lambda t: t.startswith("P-1 waits for your answer")})
        self.assertEqual(lemon_dm["text"], "P-1 waits for your answer: promotion of Tom Berger [TRN] to CCS (off-cycle) "
                         "(asked by Mark Novak). Reason: runs the night queue alone.")
        show = self.dm_ask("lemon", "!approval show P-1", "P-1 (open): promotion of Tom Berger [TRN] to CCS (off-cycle), asked by Mark Novak on 2026-11-24 10:00.")["text"]
        self.assertIn("\nReason: runs the night queue alone", show)
        self.assertIn("\nStep 1, a minister or above: signed by the request: Mark Novak is minister.", show)
        self.assertIn("\nStep 2, a webmaster or above: waits; may decide: Lemon Chen.", show)
        self.ask("vera", "!approve P-1", "P-1: nem te döntesz róla, hanem legalább webmester szerepkörű személy.")
        self.ask("tom", "!approve P-1", "Du kannst nicht über deinen eigenen Antrag P-1 entscheiden.")
        self.ask("lemon", "!approve P-1", "P-1 approved and done: promotion of Tom Berger [TRN] to CCS (off-cycle).")
        self.eventually({"ev": "dm", "to": "tom", "text": "Glückwunsch"})
        self.eventually({"ev": "dm", "to": "mark", "text": "P-1 (promotion of Tom Berger [TRN] to CCS (off-cycle)) was approved by Lemon Chen."})
        self.assertEqual(self.level("tom"), "CCS")
        self.assertEqual(self.approval("P-1")["state"], "approved")
        actions = self.audit()
        self.assertIn(("approval.sign", "P-1", "step 1 signed by the request: Mark Novak is minister"), actions)
        self.assertIn(("approval.approve", "P-1", "promotion tom -> CCS (off-cycle)"), actions)
        self.assertEqual(self.redis.cmd("ZCARD", self.key("approvals", "open")), 0)
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "stuck|P-1"))

    def test_the_webmasters_own_requests_sign_themselves_and_the_minister_leave_goes_to_the_webmaster(self):
        # every step of a webmaster's promotion request is his own role's: done at once, and said so
        self.dm_ask("lemon", '!promote ana SAM cycle=off name="Ana Horvat" email=ana@example.org reason="storyline lead"',
                    "P-1 approved and done: promotion of Ana Horvat [PAM] to SAM (off-cycle). Your own role signed every step.")
        self.assertEqual(self.level("ana"), "SAM")
        # a vice minister's leave: the minister (or the webmaster) decides
        self.dm_ask("vera", "!leave 2026-12-10 családi esemény", "L-1")
        self.ask("wei", "!approve L-1", "L-1 等待的是 部长及以上角色，而不是你。")
        self.ask("mark", "!approve L-1", "L-1 approved; the ops channel has the details.")
        # a swap the minister asks of the webmaster: the webmaster accepts, the minister's role signs the rest
        self.ask("mark", "!roster add 2026-11-26 early mark", "")
        self.ask("mark", "!swap 2026-11-26 early with lemon", "Swap S-1 asked of lemon")
        self.ask("lemon", "!swap accept S-1", "S-1 approved; the ops channel has the details.")
        self.assertIn(("approval.sign", "S-1", "step 2 signed by the request: Mark Novak is minister"), self.audit())


class Uncompletable(Case):

    def test_an_uncompletable_request_is_refused_naming_the_step(self):
        # the only webmaster's own hours: nobody else could excuse them
        # typed in the lobby: the lobby hears only where the answer went, in Vera's language
        self.ask_in_lobby("vera", "!excuse lemon 2026-W48 konferencia",
                          "Vera Kovacs, a választ privát üzenetben küldtem el neked.",
                          "Nem jött létre kérelem: a kérelem 1. lépéséről (legalább webmester szerepkörű személy) senki sem dönthetne.")
        self.assertEqual(self.redis.keys(self.key("approval", "*")), [])
        # a department without its minister: probation needs a minister and a webmaster, two people
        self.ask("lemon", "!staff remove mark", "")
        self.dm_ask("mia", "!probation apply I ran the Saturday queue",
                    "Nothing was asked: nobody could decide step 3 (a webmaster or above). Each step needs a different "
                    "person, and neither the requester nor the person concerned decides. Ask a webmaster to add staff "
                    "for that role.")
        self.assertEqual(self.redis.keys(self.key("approval", "*")), [])
        self.assertFalse([a for a in self.audit() if a[0] == "probation.apply"])
        # the webmaster files his own excuse: his own role signs it
        self.dm_ask("lemon", "!excuse lemon 2026-W48 conference", "X-1 approved and done")

    def test_a_decision_that_would_leave_a_later_step_without_anyone_is_refused(self):
        # the stuck probation: the webmaster took an earlier step, then nobody was left for his own
        self.dm_ask("mia", "!probation apply I ran the Saturday queue", "Probation request PR-1 filed")
        self.ask("lemon", "!approve PR-1 score=4 good",
                 "Not decided: if you took this step, nobody would be left for step 3 of PR-1 (a webmaster or above), "
                 "and nobody decides two steps. Leave this step to someone else.")
        self.dm_ask("mark", "!probation evaluate PR-1 score=4 good",
                    "Not decided: if you took this step, nobody would be left for step 3 of PR-1")
        self.assertNotIn("by1", self.approval("PR-1"))
        self.dm_ask("vera", "!probation evaluate PR-1 score=4 megbízható", "PR-1 elfogadva")
        self.dm_ask("mark", "!probation consult PR-1 lemon", "PR-1 now waits for the opinion of lemon first.")
        # an opinion is not a decision: the webmaster still decides his own step after giving it
        self.ask("lemon", "!approve PR-1 she grew a lot", "PR-1 accepted; it now waits for a minister or above")
        self.ask("mark", "!approve PR-1", "PR-1 accepted; it now waits for a webmaster or above")
        self.ask("lemon", "!approve PR-1", "PR-1 approved and done")
        self.assertEqual(self.redis.cmd("HGET", self.key("staff", "mia"), "permanent"), "PR-1")


class Evidence(Case):

    def test_reasons_and_evidence_in_pending_and_show(self):
        # typed in the lobby: the lobby hears only where the answer went, in Tom's language
        self.ask_in_lobby("tom", "!leave 2026-11-25 Arzttermin",
                          "Tom Berger [TRN], ich habe dir die Antwort privat geschickt.",
                          "Abwesenheitsantrag L-1 für 2026-11-25 kurzfristig gestellt (innerhalb der Vorlauffrist vor dem ersten Tag)")
        pending = self.dm_ask("mark", "!pending", "Waiting for your decision:")["text"]
        self.assertIn("\nL-1 — leave for Tom Berger [TRN]: 2026-11-25 (from Tom Berger [TRN]) — reason: Arzttermin — "
                      "evidence: asked at short notice (less than the notice period before the first day)", pending)
        self.assertNotIn("(late)", pending)
        mark_dm = self.eventually({"ev": "dm", "to": "mark", "text": lambda t: t.startswith("L-1 waits for your answer")})
        self.assertEqual(mark_dm["text"], "L-1 waits for your answer: leave for Tom Berger [TRN]: 2026-11-25 (asked by Tom Berger [TRN]). "
                         "Reason: Arzttermin. Evidence: asked at short notice (less than the notice period before the first day).")
        # the room hears that it waits, not the reason
        ops = self.eventually({"ev": "send", "room": "ops", "text": lambda t: t.startswith("L-1 waits")})
        self.assertNotIn("Arzttermin", ops["text"])
        show = self.dm_ask("tom", "!approval show L-1", "L-1 (offen): Abwesenheit von Tom Berger [TRN]: 2026-11-25, beantragt von Tom Berger [TRN]")["text"]
        self.assertIn("\nBegründung: Arzttermin\nNachweise: kurzfristig beantragt", show)
        self.assertIn("\nSchritt 1, jemand mit der Rolle Minister oder höher: wartet; entscheiden darf: Lemon Chen, Mark Novak.", show)
        self.ask("sara", "!approval show L-1", "L-1 no trata de ti y no decides ninguno de sus pasos.", room="dm")
        # probation: the deciders read the self-evaluation and the figures, then the lead's evaluation
        self.dm_ask("mia", "!probation apply I ran the Saturday queue alone", "PR-1")
        pending = self.dm_ask("vera", "!pending", "A döntésedre vár:")["text"]
        self.assertIn("PR-1 — véglegesítés a próbaidő után – Mia Keller [CCS] (kérte: Mia Keller [CCS]) — "
                      "indoklás: I ran the Saturday queue alone — bizonyítékok: 0:00 óra munka, 0 késői bejelentkezés", pending)
        self.dm_ask("wei", "!probation evaluate PR-1 score=5 很可靠", "PR-1")
        pending = self.dm_ask("mark", "!pending", "Waiting for your decision:")["text"]
        self.assertIn("evaluation by Wang Wei: score 5: 很可靠", pending)
        show = self.dm_ask("lemon", "!approval show PR-1", "PR-1 (open)")["text"]
        self.assertIn("\nStep 1, a vice minister or above: approved by Wang Wei: score 5: 很可靠.", show)
        self.assertIn("\nStep 2, a minister or above: waits; may decide: Lemon Chen, Mark Novak.", show)
        self.assertIn("\nStep 3, a webmaster or above: comes later; may decide: Lemon Chen.", show)


class Evaluation(Case):

    def test_an_evaluation_step_refuses_a_bare_approve(self):
        self.dm_ask("mia", "!probation apply I ran the Saturday queue", "PR-1")
        self.ask("vera", "!approve PR-1",
                 "PR-1 1. lépése értékelés, ehhez 1 és 5 közötti pontszám és megjegyzés kell. "
                 "Így add meg: !approve PR-1 score=4 <megjegyzés> (vagy !probation evaluate PR-1 score=4 <megjegyzés>).")
        self.ask("wei", "!approve PR-1 很好", "PR-1：第 1 步是评估，需要 1 到 5 的评分和评语。")
        self.ask("mark", "!approve PR-1",
                 "PR-1: step 1 is an evaluation and needs a score from 1 to 5 and a note. "
                 "Give them: !approve PR-1 score=4 <note> (or !probation evaluate PR-1 score=4 <note>).")
        self.assertEqual(self.approval("PR-1")["step"], "1")
        self.assertNotIn("by1", self.approval("PR-1"))
        # the evaluation, either way it is given
        self.ask("vera", "!approve PR-1 score=9 x", 'score="9"')
        self.ask("vera", "!approve PR-1 score=4 megbízható és kedves",
                 "PR-1 elfogadva; most a következő döntéshozóra vár (legalább miniszter szerepkörű személy)")
        a = self.approval("PR-1")
        self.assertEqual((a["score1"], a["by1"]), ("4", "vera"))
        self.assertIn("megbízható és kedves", a["note1"])
        # the next step is no evaluation: a bare approve is its answer
        self.ask("mark", "!approve PR-1", "PR-1 accepted; it now waits for a webmaster or above")
        self.ask("lemon", "!deny PR-1 one more month", "PR-1 denied")


class Training(Case):

    def test_self_logged_training_is_not_counted_until_confirmed(self):
        self.dm_ask("tom", "!training log 8 Produktgrundlagen",
                    "Schulung H-1 eingetragen: 8,0 Stunden, die erst zählen, wenn ein Vizeminister oder höher sie "
                    "bestätigt (!approve H-1). Bisher bestätigt: 0,0 Stunden.")
        self.dm_ask("tom", "!training log 32 Selbststudium", "Schulung H-2 eingetragen: 32,0 Stunden")
        self.dm_ask("tom", "!internship status", "Tom Berger [TRN]: Schulung 0,0 von 40 Stunden, Gespräche 0 von 2, "
                    "Bericht: nein, Klarname geprüft: nein. Noch unbestätigt: 40,0 Stunden, Gespräche: 0.")
        self.ask("tom", "!approve H-2", "Du kannst nicht über deinen eigenen Antrag H-2 entscheiden.")
        self.ask("mia", "!approve H-2", "H-2 waits for a vice minister or above, not for you.")
        self.dm_ask("mark", "!internship recommend tom", "missing: training hours, talks, written summary, real-name verification (0.0 of 40 hours")
        self.ask("vera", "!approve H-1", "H-1 jóváhagyva és végrehajtva: képzés – Tom Berger [TRN]: 8,0 óra, Produktgrundlagen.")
        self.ask("wei", "!deny H-2 不是培训", "H-2 已驳回")
        self.dm_ask("vera", "!internship status tom", "Tom Berger [TRN]: képzés 8,0/40 óra")
        # hours a vice minister logs for the intern count at once
        self.dm_ask("wei", "!training log tom 32 跟班学习", "培训已记录：tom 现在共有 40.0 小时。")
        self.dm_ask("vera", "!internship status tom", "képzés 40,0/40 óra")
        # talks count once the designated person confirms them
        self.dm_ask("sara", "!training log 2 x", "sara tiene el nivel SAM; no es becario (TRN).")
        self.ask("tom", "!internship talk tom ich", "Ein Gespräch führst du mit der benannten Person, nicht mit dir selbst.")
        self.ask("tom", "!internship talk lemon die Seite und der Zweck des Kundendienstes",
                    "Gespräch TK-1 mit lemon eingetragen; es zählt, sobald lemon es bestätigt (!approve TK-1). Bisher bestätigt: 0.")
        self.eventually({"ev": "dm", "to": "lemon", "text": lambda t: t.startswith("TK-1 waits for your answer")})
        self.ask("mark", "!approve TK-1", "TK-1 waits for lemon, not for you.")
        self.ask("lemon", "!approve TK-1", "TK-1 approved and done")
        # the designated person files the second talk himself: it counts at once
        self.ask("lemon", "!internship talk tom customer care techniques", "Talk filed (2 so far).")
        self.ask("mia", "!internship talk sara x", "sara is SAM, not an intern (TRN).")
        self.dm_ask("vera", "!internship status tom", "képzés 40,0/40 óra, beszélgetések 2/2")
        self.assertEqual(self.redis.cmd("HMGET", self.key("intern", "tom"), "tenths", "talks"), ["400", "2"])


class Cancel(Case):

    def test_cancel_by_the_requester_or_a_webmaster_only_while_open(self):
        self.dm_ask("mia", "!leave 2026-12-10..2026-12-11 family wedding", "Leave L-1")
        self.assertIsNotNone(self.redis.cmd("ZSCORE", self.key("timers"), "stuck|L-1"))
        self.ask("ana", "!help approval cancel", "!approval cancel <id> [reason]")
        self.ask("sara", "!approval cancel L-1", "Solo quien solicitó L-1, o un webmaster, puede cancelarla.")
        self.ask("mark", "!approval cancel L-1", "Only whoever asked L-1, or a webmaster, can cancel it.")
        self.ask("mia", "!approval cancel L-99", "There is no request L-99.")
        self.ask("mia", "!approval cancel L-1 the wedding moved", "L-1 cancelled: leave for Mia Keller [CCS]: 2026-12-10..2026-12-11.")
        self.eventually({"ev": "send", "room": "ops",
                         "text": "L-1 (leave for Mia Keller [CCS]: 2026-12-10..2026-12-11) was cancelled by Mia Keller [CCS]."})
        self.ask("mark", "!approve L-1", "L-1 is already decided (cancelled).")
        self.ask("mia", "!approval cancel L-1", "L-1 is already decided (cancelled).")
        self.assertEqual(self.approval("L-1")["state"], "cancelled")
        self.assertEqual(self.redis.cmd("ZCARD", self.key("approvals", "open")), 0)
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "stuck|L-1"))
        self.assertIn(("approval.cancel", "L-1", "the wedding moved"), self.audit())
        # the same days may be asked again; a webmaster cancels anyone's, and tells them
        self.dm_ask("mia", "!leave 2026-12-10 family wedding", "Leave L-2")
        self.ask("lemon", "!approval cancel L-2 asked twice by mistake", "L-2 cancelled")
        self.eventually({"ev": "dm", "to": "mia", "text": "L-2 (leave for Mia Keller [CCS]: 2026-12-10) was cancelled by Lemon Chen: asked twice by mistake"})
        # a decided request is not cancelled
        self.dm_ask("tom", "!leave 2026-12-14 Umzug", "L-3")
        self.ask("mark", "!approve L-3", "L-3 approved; the ops channel has the details.")
        self.ask("tom", "!approval cancel L-3", "Über L-3 wurde bereits entschieden (genehmigt).")


class Stuck(Case):

    def test_a_stuck_request_is_reported_to_the_webmasters_once(self):
        self.dm_ask("sara", "!leave 2026-12-21..2026-12-23 viaje familiar", "L-1")
        created = int(self.approval("L-1")["created"])
        due = int(float(self.redis.cmd("ZSCORE", self.key("timers"), "stuck|L-1")))
        self.assertEqual(due - created, 48 * 3600 * 1000)        # approvals.stuck_after's default
        self.site.skip()
        # two days later (a restart moves the daemon's clock): the timer fires once
        self.restart_at("2026-11-26T09:00:30Z")
        self.site.wait({"ev": "dm", "to": "lemon",
                        "text": "L-1 has waited 48 h for a minister or above: leave for Sara Ruiz [SAM]: 2026-12-21..2026-12-23. "
                                "Decide it, or cancel it with !approval cancel L-1 <reason>."}, timeout=15)
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "stuck|L-1"))
        self.site.expect_none({"ev": "dm", "text": lambda t: t.startswith("L-1 has waited")}, within=5)
        self.assertEqual(len(self.site.all({"ev": "dm", "text": lambda t: t.startswith("L-1 has waited")})), 1)
        self.assertEqual([a for a in self.audit() if a[0] == "approval.stuck"][0][1], "L-1")
        # decided at last: a next step would be timed afresh; this one is done and nothing stays armed
        self.ask("mark", "!approve L-1", "L-1 approved; the ops channel has the details.")
        self.assertEqual(self.redis.cmd("ZRANGE", self.key("timers"), 0, -1, "WITHSCORES").count("stuck|L-1"), 0)


if __name__ == "__main__":
    unittest.main()
