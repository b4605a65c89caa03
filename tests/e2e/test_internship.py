"""End-to-end: applying for an internship and the defense (issue 19), in the
seeds' department at the default settings (one webmaster, one minister, two
vice ministers; 40 hours of training and 2 talks).

The seeds (004, workflow 1.2-1.6): a candidate applies through the shift
manager; the conditions are time online, real-name registration and 40 hours
of training; the intern writes a summary, the webmaster approves it (or
returns it to rewrite), and only then is the intern's defense evaluated.
Here: the application goes to the running shift's lead, who forwards or
declines it; a minister approves the start; the summary goes to the
webmaster; a minister or webmaster records the defense; a pass with the
hours, talks and verification done makes the intern CCS through the approval
engine.  Tom reads German, Vera Hungarian, Wang Wei Chinese, Sara Spanish,
the others English.  Every refusal is asserted with its text.

The clock is Tuesday 2026-11-24 10:00 in Berlin: the early shift runs."""

import unittest

from realday import RealDayE2E

NOW = "2026-11-24T09:00:00Z"

CONDITIONS_DE = "Die Bedingungen: genug Zeit online, Registrierung mit Klarnamen, 40 Stunden Schulung und Praxis."


class Case(RealDayE2E):
    START_DAEMON = False

    def setUp(self):
        super().setUp()
        self.start_at(NOW)

    def staff(self, id):
        return self.record("staff", id)

    def lead(self, who):
        self.dm_ask("mark", f"!roster lead today early {who}", "Roster updated")


class Application(Case):

    def test_refusals_say_why_and_change_nothing(self):
        self.dm_ask("tom", "!internship apply self Ich bin jeden Abend online",
                    "Gerade läuft keine Schicht mit Schichtleitung, und ein Antrag geht über die Leitung der "
                    "laufenden Schicht: stelle ihn während einer Schicht mit Leitung (!roster zeigt sie).")
        self.lead("vera")
        self.dm_ask("mia", "!internship apply tom he is keen", "Only a vice minister or above does this for someone else.")
        self.ask("mia", "!help internship apply", "There is no command !internship apply that you may use.")
        self.ask("wei", "!help internship apply", "!internship apply <person|self> <note>")
        self.dm_ask("mia", "!internship apply self I want to learn", "mia is CCS already: an internship is for newcomers (TRN).")
        self.dm_ask("sara", "!internship apply self quiero aprender",
                    "sara ya es SAM: las prácticas son para recién llegados (TRN).")
        self.dm_ask("lina", "!internship apply self x", "!internship apply is for agent and above; you are chat friend.")
        self.dm_ask("mark", "!internship apply self x", "mark is not an agent: an internship is for agents new to customer care (TRN).")
        self.dm_ask("mark", "!internship apply nobody x", 'No staff member "nobody".')
        self.dm_ask("tom", "!internship apply self", "Verwendung: !internship apply <person|self> <note>")
        self.assertEqual(self.redis.keys(self.key("approval", "*")), [])
        self.assertNotIn("intern_start", self.staff("tom"))

    def test_through_the_lead_to_the_minister(self):
        self.lead("vera")
        self.dm_ask("tom", "!internship apply self Ich bin jeden Abend online, Klarname registriert",
                    "Antrag IA-1 auf ein Praktikum für Tom Berger [TRN] eingereicht; Vera Kovacs, Leitung der "
                    "laufenden Schicht, leitet ihn an einen Minister weiter oder lehnt ihn ab. " + CONDITIONS_DE)
        # the lead is asked privately, in her language, with the note and the conditions
        ask = self.eventually({"ev": "dm", "to": "vera", "text": lambda t: "IA-1" in t})["text"]
        self.assertIn("Ich bin jeden Abend online, Klarname registriert", ask)
        self.assertIn("40 óra képzés és gyakorlat", ask)
        self.dm_ask("tom", "!internship apply self nochmal", "Für tom gibt es schon einen Antrag: IA-1 ist noch offen.")
        self.dm_ask("tom", "!internship", "Antrag IA-1 wartet auf vera.")
        self.ask("mark", "!approve IA-1", "IA-1 waits for vera, not for you.")
        self.ask("tom", "!approve IA-1", "Du kannst nicht über deinen eigenen Antrag IA-1 entscheiden.")
        self.ask("vera", "!approve IA-1 megbízható", "IA-1")
        self.eventually({"ev": "send", "room": "ops", "text": lambda t: t.startswith("IA-1 waits for a minister or above")})
        self.assertNotIn("intern_start", self.staff("tom"))
        # the application waits for the minister across a restart of the daemon
        self.restart_at("2026-11-24T09:05:00Z")
        self.ask("mark", "!approve IA-1", "IA-1 approved and done: internship of Tom Berger [TRN].")
        self.eventually({"ev": "dm", "to": "tom", "text": "IA-1 (Praktikum von Tom Berger [TRN]) wurde von Mark Novak genehmigt."})
        self.assertGreaterEqual(int(self.staff("tom")["intern_start"]), 1795511100000)   # 09:05Z, the approval's time
        self.dm_ask("tom", "!internship", "Im Praktikum seit 2026-11-24.")
        self.dm_ask("tom", "!internship apply self noch einmal", "tom ist schon seit 2026-11-24 im Praktikum.")
        actions = [(a, s) for a, s, _ in self.audit()]
        self.assertIn(("internship.apply", "IA-1"), actions)
        self.assertIn(("approval.approve", "IA-1"), actions)

    def test_the_lead_declines_with_the_reason(self):
        self.lead("wei")
        self.dm_ask("tom", "!internship apply self bitte", "Wang Wei, Leitung der laufenden Schicht")
        self.ask("wei", "!deny IA-1", "用法：!deny <id> <reason>")          # a decline needs its reason
        self.ask("wei", "!deny IA-1 先完成实名登记", "IA-1")
        self.eventually({"ev": "dm", "to": "tom", "text": lambda t: "IA-1" in t and "先完成实名登记" in t})
        self.assertNotIn("intern_start", self.staff("tom"))
        # a declined application may be made again
        self.dm_ask("tom", "!internship apply self Klarname ist jetzt registriert", "Antrag IA-2")

    def test_a_lead_who_applies_has_forwarded_it(self):
        self.lead("vera")
        self.dm_ask("vera", "!internship apply tom új kolléga",
                    "IA-1: Tom Berger [TRN] gyakornoksági kérelme beadva, és te mint műszakvezető továbbítottad")
        self.ask("mark", "!approve IA-1", "IA-1 approved and done")
        self.eventually({"ev": "dm", "to": "tom", "text": "Mark Novak hat IA-1 genehmigt: dein Praktikum beginnt heute. "
                                                          "Willkommen im Team!"})
        self.assertIn("intern_start", self.staff("tom"))

    def test_the_minister_as_lead_leaves_the_start_to_the_webmaster(self):
        # one minister in the department: he forwards as the lead, so the webmaster approves the start
        self.lead("mark")
        self.dm_ask("tom", "!internship apply self bitte", "Antrag IA-1")
        self.ask("mark", "!approve IA-1", "IA-1 accepted; it now waits for a minister or above: internship of Tom Berger [TRN].")
        self.ask("mark", "!approve IA-1", "You have already decided a step of IA-1.")
        self.ask("lemon", "!approve IA-1", "IA-1 approved and done")
        self.assertIn("intern_start", self.staff("tom"))


class SummaryAndDefense(Case):

    def test_summary_returned_once_a_defense_failed_then_passed_to_ccs(self):
        self.lead("vera")
        self.dm_ask("tom", "!internship apply self jeden Abend online", "IA-1")
        self.ask("vera", "!approve IA-1", "IA-1")
        self.ask("mark", "!approve IA-1", "IA-1 approved and done")
        # the summary goes to the webmaster
        self.ask("tom", "!internship summary Ich habe viel gelernt.",
                 "Praktikumsbericht IS-1 eingereicht; ein Webmaster genehmigt ihn oder gibt ihn zur Überarbeitung zurück.")
        # the webmaster reads it once, with one full stop
        asked = self.eventually({"ev": "dm", "to": "lemon", "text": "Reason: Ich habe viel gelernt."})
        self.assertNotIn("gelernt..", asked["text"])
        self.ask("tom", "!internship summary Zweiter Versuch",
                 "Dein Bericht IS-1 wartet noch auf einen Webmaster; für einen neuen zieh ihn erst zurück: !approval cancel IS-1.")
        self.dm_ask("mark", "!internship defense tom pass 4 gut",
                    "tom's summary IS-1 still waits for a webmaster: the defense comes after it is approved.")
        self.ask("mark", "!approve IS-1", "IS-1 waits for a webmaster or above, not for you.")
        self.ask("lemon", "!deny IS-1 too short: describe two VIP cases", "IS-1 denied")
        self.eventually({"ev": "dm", "to": "tom", "text": "Lemon Chen hat deinen Praktikumsbericht (IS-1) zur Überarbeitung "
                         "zurückgegeben: too short: describe two VIP cases. Schick den neuen mit !internship summary <Text>."})
        self.dm_ask("vera", "!internship tom", "összefoglaló: IS-1 átírásra visszaadva")
        self.dm_ask("mark", "!internship defense tom fail 2 x",
                    "tom has no approved summary yet: the defense comes after a webmaster approved it.")
        self.ask("tom", "!internship summary Zwei VIP-Fälle: ...", "Praktikumsbericht IS-2 eingereicht")
        self.ask("lemon", "!approve IS-2", "IS-2 approved and done")
        self.ask("tom", "!internship summary dritter", "Dein Praktikumsbericht ist schon genehmigt (IS-2).")
        self.assertEqual(self.record("intern", "tom")["summary"], "Zwei VIP-Fälle: ...")
        # the defense
        self.dm_ask("vera", "!internship defense tom pass 4 x",
                    "!internship defense: legalább miniszter szerepkör kell hozzá; a te szerepköröd: miniszterhelyettes.")
        self.dm_ask("mark", "!internship defense tom maybe 4 x", '"maybe": say pass or fail.')
        self.dm_ask("mark", "!internship defense tom pass 9 x", '"9" is not a score: give one from 1 to 5.')
        self.dm_ask("mark", "!internship defense tom pass 4", "!internship defense <person> pass|fail <score 1-5> <notes>")
        self.dm_ask("mark", "!internship defense mia pass 4 x", "mia is CCS, not an intern (TRN).")
        self.dm_ask("mark", "!internship defense tom pass 4 good answers",
                    "Tom Berger [TRN] cannot pass yet; missing: training hours, talks, real-name verification "
                    "(0.0 of 40 hours, 0 of 2 talks). Record a pass once these are done, or a fail now.")
        self.assertNotIn("defense", self.record("intern", "tom"))
        self.dm_ask("mark", "!internship defense tom fail 2 unsure on the VIP cases",
                    "Defense of Tom Berger recorded: not passed (score 2). Next: Tom Berger works on the notes and "
                    "defends again; record that defense the same way.")
        self.eventually({"ev": "dm", "to": "tom", "text": "Deine Praktikumsverteidigung ist nicht bestanden (Note 2, "
                         "Mark Novak): unsure on the VIP cases. Weiter: arbeite an diesen Punkten; du verteidigst erneut, "
                         "wenn ein Minister oder Webmaster den Termin festlegt."})
        self.dm_ask("tom", "!internship", "Letzte Verteidigung: nicht bestanden, Note 2 (2026-11-24).")
        self.assertEqual(self.staff("tom")["level"], "TRN")
        # hours, talks and the real-name check, then the second defense passes
        self.dm_ask("wei", "!training log tom 40 产品与后台培训", "tom")
        self.ask("lemon", "!internship talk tom the site and the purpose of customer care", "1")
        self.ask("lemon", "!internship talk tom customer care techniques", "2")
        self.ask("mark", "!staff verify tom", "Tom Berger [TRN]")
        self.dm_ask("lemon", "!internship defense tom PASS 5 clear and calm on every case",
                    "Defense of Tom Berger passed (score 5); I-1: the internship is complete, Tom Berger is CCS now.")
        self.eventually({"ev": "dm", "to": "tom", "text": "Glückwunsch: Lemon Chen hat I-1 genehmigt, dein Level ist jetzt CCS."})
        self.assertEqual(self.staff("tom")["level"], "CCS")
        self.assertEqual(self.record("approval", "I-1")["state"], "approved")
        self.dm_ask("tom", "!internship", "tom ist CCS, kein Praktikant (TRN).")
        actions = [(a, s) for a, s, _ in self.audit()]
        self.assertEqual(actions.count(("internship.defense", "tom")), 2)
        for step in (("internship.summary", "IS-1"), ("approval.deny", "IS-1"), ("approval.approve", "IS-2"),
                     ("internship.complete", "I-1"), ("approval.sign", "I-1"), ("approval.approve", "I-1")):
            self.assertIn(step, actions)


if __name__ == "__main__":
    unittest.main()
