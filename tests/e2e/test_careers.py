"""End-to-end: staff levels and careers.  Level gates come from the command
table (the SAM calendar) and the customer_groups table; promotions,
probation and internship transfers go through the one approval engine to
their end, with the staff record, the audit stream and the messages checked.
The clock is 2026-03-02 (outside the promotion windows, Jan and Jul)."""

import unittest

from harness import E2E, STAFF

CAREERS = ('{ promotion_windows = ( "01-01..01-31", "07-01..07-31" ); probation_apply_window = "14d";'
           ' calendar_reminder = "5s"; training_hours = 40; talks = 2; }')
# everyone reads English; a second minister so a minister's request can be approved by another
STAFF_EN = [{k: v for k, v in p.items() if k != "lang"} for p in STAFF] + [
    {"id": "iron", "name": "Iron Fist", "role": "minister", "uid": "u7"}]


class Case(E2E):
    START_DAEMON = False
    CONFIG = {"careers": CAREERS}
    FAKE_NOW = "2026-03-02T09:59:50Z"

    def config_overrides(self):
        return dict(self.CONFIG, staff=STAFF_EN)

    def setUp(self):
        super().setUp()
        text = open(self.config.path).read()
        # probation: Mia's ends on 2026-03-12 (she may apply now), Sara's on 2026-05-01
        text = text.replace('id = "mia";', 'id = "mia"; probation_start = "2026-01-01"; probation = "70d";')
        text = text.replace('id = "sara";', 'id = "sara"; probation_start = "2026-02-20"; probation = "70d";')
        with open(self.config.path, "w") as f:
            f.write(text)
        self.start_daemon(DUTYBOT_FAKE_NOW=self.FAKE_NOW)
        self.site.wait({"ev": "ready"}, timeout=20)

    def staff(self, id):
        flat = self.redis.cmd("HGETALL", self.key("staff", id))
        return dict(zip(flat[::2], flat[1::2]))

    def audit_actions(self):
        entries = self.redis.cmd("XRANGE", self.key("audit"), "-", "+")
        return [(dict(zip(e[1][::2], e[1][1::2]))["action"], dict(zip(e[1][::2], e[1][1::2]))["subject"])
                for e in entries]


class Gates(Case):

    def test_sam_only_calendar_and_the_levels_table(self):
        self.ask("tom", "!calendar", "!calendar needs level SAM or above; you are TRN.", room="dm")
        self.ask("mia", "!calendar add tomorrow 10:00 x", "!calendar add needs level SAM or above; you are CCS.", room="dm")
        self.ask("lina", "!calendar", "is for agent and above; you are chat friend.", room="dm")
        self.ask("mia", "!help calendar add", "There is no command !calendar add that you may use.")
        self.ask("sara", "!help calendar add", "!calendar add <date> <HH:MM> <text>")
        levels = self.ask("tom", "!levels", "Levels and what each may not do yet:")["text"]
        self.assertIn("TRN: customer groups closed: vip, xxl, storyline; commands closed: "
                      "!calendar, !calendar add, !calendar remove", levels)
        self.assertIn("\nPAM: commands closed: !calendar", levels)      # nothing said where nothing is closed
        self.assertIn("\nSAM: everything open", levels)

    def test_calendar_is_private_and_reminds(self):
        self.site.say("sara", "!calendar add today 10:00 call the VIP friend Lina")
        self.site.wait({"ev": "dm", "to": "sara", "text": "Appointment K-1 on 2026-03-02 10:00 added"})
        self.site.say("sara", "!calendar add tomorrow 15:30 storyline review")
        self.site.wait({"ev": "dm", "to": "sara", "text": "Appointment K-2"})
        self.site.wait({"ev": "dm", "to": "sara", "text": "Reminder: appointment K-1 at 10:00: call the VIP friend Lina"},
                       timeout=15)
        self.site.say("sara", "!calendar tomorrow")
        self.site.wait({"ev": "dm", "to": "sara", "text": "Your appointments on 2026-03-03:\nK-2 15:30 storyline review"})
        self.site.say("sara", "!calendar remove K-2")
        self.site.wait({"ev": "dm", "to": "sara", "text": "Appointment K-2 removed."})
        self.ask("sara", "!calendar remove K-2", "You have no appointment K-2.", room="dm")
        self.ask("sara", "!calendar add yesterday 10:00 x", "That time is in the past.", room="dm")
        for e in self.site.events:
            if e.get("ev") == "send":
                self.assertNotIn("VIP friend", e["text"])     # never into a room


class Promotions(Case):

    def test_refusals_name_the_reason_and_change_nothing(self):
        ok = 'name="Mia Keller" email=mia@example.org'
        self.ask("mia", f"!promote mia PAM cycle=off {ok} reason=x", "!promote is for minister and above; you are agent.", room="dm")
        self.ask("mark", '!promote mia PAM cycle=off name="Mia Kelller" email=mia@example.org reason=x',
                 "name does not match the staff record", room="dm")
        self.ask("mark", '!promote mia PAM cycle=off name="Mia Keller" email=mia@example.com reason=x',
                 "email does not match the staff record", room="dm")
        self.ask("mark", '!promote mia PAM cycle=off name="M K" email=m@example.com reason=x',
                 "name email does not match", room="dm")
        self.ask("mark", f"!promote mia SAM cycle=off {ok} reason=x", "none may be skipped", room="dm")
        self.ask("mark", f"!promote mia CCS cycle=off {ok} reason=x", "already is CCS", room="dm")
        self.ask("mark", f"!promote mia TRN cycle=off {ok} reason=x", "that is not a promotion", room="dm")
        self.ask("mark", f"!promote mia PAM cycle=off {ok}", "An off-cycle promotion needs its reason", room="dm")
        self.ask("mark", f"!promote mia PAM cycle=in {ok}", "No promotion window is open now; the next one opens on 2026-07-01.", room="dm")
        self.ask("mark", '!promote vera PAM cycle=off name="Vera Kovacs" email=vera@example.org reason=x',
                 "vera is not an agent", room="dm")
        self.assertEqual(self.redis.keys(self.key("approval", "*")), [])
        self.assertEqual(self.staff("mia")["level"], "CCS")

    def test_minister_then_webmaster_and_the_level_changes(self):
        # the minister's step is signed by the request of a minister; a webmaster approves
        self.ask("mark", '!promote mia PAM cycle=off name="mia keller" email=MIA@example.org reason="covers every VIP night"',
                 "Promotion P-1 of mia to PAM asked; it waits for a webmaster or above.", room="dm")
        self.site.wait({"ev": "send", "room": "ops", "text": "P-1 waits for a webmaster or above"})
        self.ask("mark", "!approve P-1", "You cannot decide your own request P-1.")
        self.ask("vera", "!approve P-1", "P-1 waits for a webmaster or above, not for you.")
        self.ask("iron", "!approve P-1", "P-1 waits for a webmaster or above, not for you.")
        self.ask("mia", "!approve P-1", "You cannot decide your own request P-1.")
        self.ask("lemon", "!approve P-1", "P-1 approved and done")
        self.site.wait({"ev": "dm", "to": "mia", "text": "Congratulations: Lemon Chen approved P-1, your level is now PAM."})
        self.assertEqual(self.staff("mia")["level"], "PAM")
        self.ask("mia", "!whoami", "Mia Keller [PAM]")
        actions = self.audit_actions()
        for step in (("promotion.request", "P-1"), ("approval.sign", "P-1"), ("approval.approve", "P-1")):
            self.assertIn(step, actions)

    def test_denied_promotion_tells_the_reason(self):
        self.ask("mark", '!promote mia PAM cycle=off name="Mia Keller" email=mia@example.org reason=x', "P-1", room="dm")
        self.ask("lemon", "!deny P-1 not before the review", "P-1 denied")
        self.site.wait({"ev": "dm", "to": "mia", "text": "was denied by Lemon Chen: not before the review"})
        self.assertEqual(self.staff("mia")["level"], "CCS")


class Probation(Case):

    def test_every_step_to_permanent(self):
        ev = self.ask("mia", "!probation apply I handled the Saturday queue alone", "Probation request PR-1 filed", room="dm")
        self.assertIn("0:00 h worked, 0 late check-ins", ev["text"])
        self.ask("mia", "!probation apply again", "Your request PR-1 is already open.", room="dm")
        self.ask("vera", "!probation evaluate PR-1 score=9 great", 'score="9": give a score from 1 to 5.', room="dm")
        self.ask("vera", "!probation evaluate PR-1 score=4 reliable and kind", "PR-1 accepted; it now waits for a minister or above", room="dm")
        self.ask("vera", "!probation consult PR-1 sara", "!probation consult is for minister and above", room="dm")
        self.ask("mark", "!probation consult PR-1 mia", "The person on probation cannot give the opinion", room="dm")
        self.ask("mark", "!probation consult PR-1 sara", "PR-1 now waits for the opinion of sara first.", room="dm")
        self.site.wait({"ev": "dm", "to": "sara", "text": "PR-1 waits for your answer"})
        self.ask("mark", "!approve PR-1", "PR-1 waits for the opinion of sara, not for you.")
        # an opinion is recorded either way and never decides on its own
        self.ask("sara", "!deny PR-1 quiet in team chats", "PR-1 accepted; it now waits for a minister or above")
        self.ask("mark", "!approve PR-1", "PR-1 accepted; it now waits for a webmaster or above")
        self.ask("lemon", "!approve PR-1", "PR-1 approved and done")
        self.site.wait({"ev": "dm", "to": "mia", "text": "PR-1 (permanent contract for Mia Keller [CCS] after probation) was approved by Lemon Chen."})
        a = dict(zip(*[iter(self.redis.cmd("HGETALL", self.key("approval", "PR-1")))] * 2))
        self.assertEqual((a["score1"], a["note1"]), ("4", "\x1eMSG_NOTE_SCORE\x1fscore\x1f4\x1fnote\x1freliable and kind\x1e"))
        self.assertIn("Sara Ruiz [SAM]: quiet in team chats", a["opinion"])
        self.assertEqual(self.staff("mia")["permanent"], "PR-1")
        actions = self.audit_actions()
        for step in (("probation.apply", "PR-1"), ("probation.consult", "PR-1"), ("approval.approve", "PR-1")):
            self.assertIn(step, actions)
        self.assertEqual(sum(1 for a in actions if a == ("approval.step", "PR-1")), 3)
        self.ask("mia", "!probation apply once more", "You are permanent staff already.", room="dm")

    def test_the_evaluator_may_also_be_consulted(self):
        self.ask("mia", "!probation apply ready", "PR-1", room="dm")
        self.ask("vera", "!probation evaluate PR-1 score=3 fine", "accepted", room="dm")
        self.ask("mark", "!probation consult PR-1 vera", "PR-1 now waits for the opinion of vera first.", room="dm")
        self.ask("vera", "!approve PR-1 she grew a lot", "PR-1 accepted; it now waits for a minister or above")

    def test_refusals_and_a_denial(self):
        self.ask("sara", "!probation apply please", "Too early: you may apply from 2026-04-17; your probation ends on 2026-05-01.", room="dm")
        self.ask("tom", "!probation apply please", "Your staff record has no probation", room="dm")
        self.ask("mia", "!probation apply ready", "PR-1", room="dm")
        self.ask("vera", "!probation evaluate PR-1 score=2 often late", "accepted", room="dm")
        self.ask("mark", "!deny PR-1 extend the probation by a month", "PR-1 denied")
        self.site.wait({"ev": "dm", "to": "mia", "text": "was denied by Mark Novak: extend the probation by a month"})
        self.assertNotIn("permanent", self.staff("mia"))


class Internship(Case):

    def test_from_training_to_early_transfer(self):
        # an intern's own hours and talks count once someone who trains them / the person they talked with confirms
        self.ask("tom", "!training log 8 product basics",
                 "Training H-1 logged: 8.0 hours, not counted until a vice minister or above confirms it "
                 "(!approve H-1). Confirmed so far: 0.0 hours.", room="dm")
        self.ask("mia", "!training log tom 2 shadowing", "Only a vice minister or above does this for someone else.", room="dm")
        self.ask("mia", "!training log 2 shadowing", "mia is CCS, not an intern (TRN).", room="dm")
        self.ask("vera", "!training log tom 30 shadowing the night shift", "Training logged: tom has 30.0 hours now.", room="dm")
        self.ask("vera", "!training log tom zero x", '"zero" is not a number of hours', room="dm")
        self.ask("mark", "!internship recommend tom",
                 "cannot be recommended yet; missing: training hours, talks, written summary, real-name verification (30.0 of 40 hours, 0 of 2 talks).", room="dm")
        self.ask("vera", "!approve H-1", "H-1 approved and done")
        self.ask("tom", "!training log 2 the backend", "Confirmed so far: 38.0 hours.", room="dm")
        self.ask("iron", "!approve H-2", "H-2 approved and done")
        self.ask("tom", "!internship talk lemon the site, the purpose of customer care",
                 "Talk TK-1 with lemon filed; it counts once lemon confirms it (!approve TK-1). Confirmed so far: 0.")
        self.ask("tom", "!internship talk lemon customer care techniques", "Talk TK-2 with lemon filed")
        self.ask("mark", "!approve TK-1", "TK-1 waits for lemon, not for you.")
        self.ask("lemon", "!approve TK-1", "TK-1 approved and done")
        self.ask("lemon", "!approve TK-2", "TK-2 approved and done")
        self.ask("mark", "!internship recommend tom", "missing: written summary, real-name verification", room="dm")
        self.ask("tom", "!internship summary Forty hours taught me patience.",
                 "Internship summary IS-1 filed; a webmaster approves it or returns it to rewrite.")
        self.ask("mark", "!internship recommend tom", "missing: written summary, real-name verification", room="dm")
        self.ask("lemon", "!approve IS-1", "IS-1 approved and done")
        self.ask("tom", "!staff verify tom", "!staff verify is for minister and above")
        self.ask("mark", "!staff verify tom", "Tom Berger [TRN]: real-name registration recorded as checked.")
        self.ask("vera", "!internship status tom",
                 "Tom Berger [TRN]: training 40.0 of 40 hours, talks 2 of 2, summary: yes, real name verified: yes.", room="dm")
        self.ask("mia", "!internship status tom", "Only a vice minister or above", room="dm")
        self.ask("vera", "!internship recommend tom", "!internship recommend is for minister and above", room="dm")
        self.ask("mark", "!internship recommend tom", "I-1: tom recommended for early transfer to CCS; a webmaster decides.", room="dm")
        self.ask("iron", "!approve I-1", "I-1 waits for a webmaster or above, not for you.")
        self.ask("lemon", "!approve I-1", "I-1 approved and done")
        self.site.wait({"ev": "dm", "to": "tom", "text": "Congratulations: Lemon Chen approved I-1, your level is now CCS."})
        self.assertEqual(self.staff("tom")["level"], "CCS")
        self.assertIn(("staff.verify", "tom"), self.audit_actions())
        self.assertIn(("approval.approve", "I-1"), self.audit_actions())


if __name__ == "__main__":
    unittest.main()
