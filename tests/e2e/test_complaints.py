"""End-to-end: chat friends' complaints.  Each routing rule decides on its
own (group gate, skill, language, capacity, the friend's previous agent,
load, the tie, the queue and its later routing), capacity holds when two
arrive at once, the SLA breach alerts the lead, a rating only by the friend,
a flood held back but not lost.  The clock: 2026-03-02 10:00 UTC, inside the
"day" shift, Vera leading."""

import time
import unittest

from harness import E2E, STAFF

STAFF_EN = [{k: v for k, v in p.items() if k != "lang"} for p in STAFF]
CONFIG = {
    "shifts": '( { name = "day"; start = "08:00"; end = "16:00"; } )',
    "complaints": '{ capacity = { TRN = 1; CCS = 2; PAM = 2; SAM = 2; }; per_friend_hour = 2;'
                  ' sla = { urgent = "2s"; high = "15m"; normal = "1h"; low = "4h"; }; }',
}


class Case(E2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T10:00:00Z"}
    ON_DUTY = ("mia", "sara", "tom")

    def config_overrides(self):
        return dict(CONFIG, staff=STAFF_EN)

    def setUp(self):
        super().setUp()
        self.ask("mark", "!roster lead today day vera", "Roster updated")
        self.ask("mark", "!roster add today day mia sara tom", "Roster updated")
        for who in self.ON_DUTY:
            self.ask(who, "!checkin", "checked in")

    def file(self, text, expect="filed"):
        return self.ask("vera", "!complaint new " + text, expect)

    def agent_of(self, cid):
        return self.redis.cmd("HGET", self.key("complaint", cid), "agent")


class Routing(Case):

    def test_group_gate(self):
        self.file("f1 group=vip I was charged twice", "C-1 filed and given to sara.")
        self.site.wait({"ev": "dm", "to": "sara", "text": "Complaint C-1 (normal, group vip) from f1: I was charged twice"})
        self.ask("tom", "!complaint take C-1", "C-1 is for the vip group: it needs level PAM or above.")

    def test_skill(self):
        self.ask("mark", "!staff set mia skills tech,video", "skills is now tech,video")
        self.file("f1 topic=tech the player hangs", "given to mia.")

    def test_language(self):
        self.ask("mark", "!staff set tom langs de", "langs is now de")
        self.file("f1 lang=de der Chat ist zu laut", "given to tom.")

    def test_skill_and_language_together_win_over_one(self):
        self.ask("mark", "!staff set mia skills billing", "now")
        self.ask("mark", "!staff set sara skills billing", "now")
        self.ask("mark", "!staff set sara langs es", "now")
        self.file("f1 topic=billing lang=es me cobraron dos veces", "given to sara.")

    def test_capacity(self):
        self.ask("mark", "!staff set tom langs de", "now")
        self.file("f1 lang=de eins", "given to tom.")
        self.file("f2 lang=de zwei", "filed and given to")           # tom (TRN) holds 1 at most
        self.assertNotEqual(self.agent_of("C-2"), "tom")

    def test_previous_agent_first(self):
        self.file("f2 someone else", "C-1 filed and given to mia.")      # tie: by id
        self.file("f1 first visit", "C-2 filed and given to sara.")      # fewer open
        self.file("f3 and another", "C-3 filed and given to tom.")       # tom is full now
        # mia and sara both have 1 and mia waited longer, but sara had f1 before
        self.file("f1 second visit", "C-4 filed and given to sara.")

    def test_fewest_open_then_longest_waiting(self):
        self.file("f1 a", "given to mia.")
        self.file("f2 b", "given to sara.")          # fewer open than mia
        self.file("f3 c", "given to tom.")
        self.file("f4 d", "given to mia.")           # all have 1: mia waited longest since hers
        self.assertEqual(self.redis.cmd("SCARD", self.key("complaints", "agent", "mia")), 2)


class Queue(Case):
    ON_DUTY = ("tom",)

    def test_queued_when_nobody_can_and_routed_when_someone_frees_up(self):
        self.file("f1 one", "given to tom.")
        self.file("f2 group=vip two", "C-2 filed; nobody is free, it waits in the queue.")
        self.site.wait({"ev": "dm", "to": "vera", "text": "Nobody can take complaint C-2 (normal) now"})
        self.file("f3 three", "C-3 filed; nobody is free")
        self.ask("vera", "!complaints queue", "C-2 queued normal not taken yet: two", room="dm")
        # sara checks in: she can take the vip one, and one more
        self.ask("sara", "!checkin", "checked in")
        deadline = time.monotonic() + 5
        while self.agent_of("C-2") != "sara" and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.agent_of("C-2"), "sara")
        self.assertEqual(self.agent_of("C-3"), "sara")
        # tom frees up: nothing left in the queue; a new one goes to him
        self.ask("tom", "!complaint resolve C-1 refunded", "C-1 resolved; the friend is told.")
        self.file("f4 four", "given to tom.")

    def test_two_at_the_same_moment_never_past_capacity(self):
        for i in range(4):
            self.site.say("vera", f"!complaint new f{i} burst {i}")
        for _ in range(4):
            self.site.wait({"ev": "send", "text": "filed"})
        self.assertEqual(self.redis.cmd("SCARD", self.key("complaints", "agent", "tom")), 1)
        self.assertEqual(self.redis.cmd("ZCARD", self.key("complaints", "queue")), 3)


class Friends(Case):

    def test_receipt_privately_resolve_rate_only_by_the_friend(self):
        self.site.say("lina", "!complain the music bot is too loud in the lobby")
        self.site.wait({"ev": "dm", "to": "lina", "text": "Your complaint C-1 was received"})
        for e in self.site.events:
            if e.get("ev") == "send":
                self.assertNotIn("music bot", e["text"])          # never echoed into a room
        agent = self.agent_of("C-1")
        self.ask("lina", "!rate C-1 5", "C-1 is not resolved yet.")
        self.ask(agent, "!complaint note C-1 asked the room owner", "Note added to C-1.")
        self.ask(agent, "!complaint resolve C-1 volume lowered", "C-1 resolved")
        self.site.wait({"ev": "dm", "to": "lina", "text": "Your complaint C-1 is resolved: volume lowered\nHow did we do? Answer with !rate C-1 <1-5>"})
        self.ask("nick", "!rate C-1 1", "Only the chat friend who filed C-1 rates it.")
        self.ask("mark", "!rate C-1 1", "Only the chat friend who filed C-1 rates it.")
        self.site.say("lina", "!rate C-1 4 quick and kind")
        self.site.wait({"ev": "dm", "to": "lina", "text": "Thank you for rating C-1."})
        self.ask("lina", "!rate C-1 5", "C-1 was already rated (4).")
        self.assertEqual(self.redis.cmd("HGET", self.key("complaint", "C-1"), "rating"), "4")
        self.ask(agent, "!complaint resolve C-1 again", "C-1 is already resolved.")

    def test_flood_is_held_back_not_lost(self):
        self.site.say("lina", "!complain one")
        self.site.wait({"ev": "dm", "to": "lina", "text": "C-1 was received"})
        self.site.say("lina", "!suggest more quiet rooms")
        self.site.wait({"ev": "dm", "to": "lina", "text": "Thank you for your suggestion G-1."})
        self.site.say("lina", "!complain three")
        self.site.wait({"ev": "dm", "to": "lina", "text": "You have sent many in the last hour. C-2 is kept and goes to an agent at 11:00."})
        self.assertEqual(self.redis.cmd("HGET", self.key("complaint", "C-2"), "state"), "held")
        self.assertEqual(self.redis.cmd("HGET", self.key("complaint", "C-2"), "text"), "three")
        self.assertIsNotNone(self.redis.cmd("ZSCORE", self.key("timers"), "release|C-2"))

    def test_refusals(self):
        self.ask("mia", "!complaint new f1 priority=asap x", 'Priority "asap": one of urgent, high, normal, low.')
        self.ask("mia", "!complaint new f1 group=gold x", 'There is no customer group "gold".')
        self.ask("mia", "!complaint take C-9", "There is no complaint C-9.")
        self.ask("lina", "!complaints", "!complaints is for agent and above; you are chat friend.", room="dm")
        self.ask("mia", "!complaint assign C-1 tom", "!complaint assign is for vice minister and above")
        self.file("f1 x", "given to mia.")
        self.ask("tom", "!complaint take C-1", "C-1 is with Mia Keller [CCS]; the lead or a minister reassigns it.")
        self.ask("tom", "!complaint note C-1 x", "C-1 is with Mia Keller [CCS], not with you.")
        self.ask("vera", "!complaint assign C-1 sara", "C-1 is now with Sara Ruiz [SAM].")
        self.assertEqual(self.redis.cmd("SCARD", self.key("complaints", "agent", "mia")), 0)


class Sla(Case):

    def test_a_breach_alerts_the_lead_and_is_counted(self):
        self.file("f1 priority=urgent the site is down for me", "given to mia.")
        self.file("f2 priority=urgent also down", "given to sara.")
        self.ask("sara", "!complaint reply C-2 looking into it", "Answer to C-2 sent privately to f2.")     # answered in time
        self.site.wait({"ev": "dm", "to": "vera", "text": "Complaint C-1 (urgent) has had no response in time (agent Mia Keller [CCS])."},
                       timeout=10)
        time.sleep(1.5)
        self.assertEqual(self.site.all({"ev": "dm", "to": "vera", "text": "C-2 (urgent) has had no response"}), [])
        self.assertEqual(self.redis.cmd("GET", self.key("sla_breaches")), "1")

    def test_task_shows_in_mine(self):
        self.ask("mark", "!task mia f77 call back about the storyline contest", "Task A-1 given to mia.")
        self.site.wait({"ev": "dm", "to": "mia", "text": "Task A-1: look after site:f77: call back about the storyline contest"})
        self.ask("mia", "!complaints mine", "A-1 task for site:f77: call back about the storyline contest", room="dm")


if __name__ == "__main__":
    unittest.main()


class Reports(Case):

    @staticmethod
    def dur(ms):
        s = ms // 1000
        return f"{s // 60}m {s % 60:02d}s" if s < 3600 else f"{s // 3600}h {s % 3600 // 60:02d}m"

    def test_day_report_figures_match_the_events(self):
        self.file("f1 topic=billing priority=high a", "given to mia.")
        self.file("f2 topic=billing b", "given to sara.")
        self.file("f3 topic=tech c", "given to tom.")
        time.sleep(1.1)
        self.ask("mia", "!complaint reply C-1 on it", "Answer to C-1 sent privately")
        time.sleep(1.1)
        self.ask("sara", "!complaint resolve C-2 fixed", "resolved")
        self.site.say("lina", "!suggest a quiet room")
        self.site.wait({"ev": "dm", "to": "lina", "text": "suggestion G-1"})
        self.ask("tom", "!tech chat lags", "T-1")
        # the friend of C-2 is "site:f2": rate as that friend
        self.redis.cmd("HSET", self.key("complaint", "C-2"), "rating", "4")
        responses = []
        for cid in ("C-1", "C-2"):
            created, first = self.redis.cmd("HMGET", self.key("complaint", cid), "created", "first_response")
            responses.append(int(first) - int(created))
        responses.sort()
        text = self.ask("vera", "!report day", "Report 2026-03-02", room="dm")["text"]
        self.assertIn("Complaints: 3 filed, 1 resolved, 2 still open; "
                      f"first response median {self.dur(responses[0])}, 90th percentile {self.dur(responses[1])}; "
                      "SLA breaches 0", text)
        self.assertIn("By topic: billing 2, tech 1", text)
        self.assertIn("By priority: high 1, normal 2", text)
        self.assertIn("Suggestions 1, emergencies 0, technical problems 1", text)
        self.assertIn(f"Sara Ruiz [SAM]: 1 handled, median response: {self.dur(responses[1])}, rating: 4.0", text)
        self.assertIn(f"Mia Keller [CCS]: 0 handled, median response: {self.dur(responses[0])}, rating: none yet", text)
        self.ask("vera", "!report week 2026-03-04", "Report 2026-W10", room="dm")
        self.ask("vera", "!report month", "Report 2026-03", room="dm")
        self.ask("vera", "!report year", "Usage: !report day|week|month [date]", room="dm")
        self.ask("mia", "!report day", "!report is for vice minister and above", room="dm")
        ev = self.ask("mark", "!evaluate", "Evaluation 2026-03", room="dm")["text"]
        self.assertIn("Best: Sara Ruiz [SAM]", ev)
        self.ask("mark", "!evaluate 2026-13", '"2026-13" is not a month', room="dm")


class DailyReport(Case):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T10:00:52Z"}
    ON_DUTY = ()

    def config_overrides(self):
        c = super().config_overrides()
        c["complaints"] = c["complaints"].replace("per_friend_hour = 2;", 'per_friend_hour = 2; daily_report = "10:01";')
        return c

    def test_the_end_of_day_report_is_posted_by_itself_and_rescheduled(self):
        self.file("f1 topic=billing a", "C-1 filed")
        ev = self.site.wait({"ev": "send", "room": "ops", "text": "Report 2026-03-02"}, timeout=20)
        self.assertIn("Complaints: 1 filed, 0 resolved, 1 still open", ev["text"])
        self.assertEqual(int(float(self.redis.cmd("ZSCORE", self.key("timers"), "dayreport|2026-03-03"))),
                         1772532060000)      # 2026-03-03T10:01:00Z
        self.site.expect_none({"ev": "send", "room": "ops", "text": "Report"}, within=2.0)
