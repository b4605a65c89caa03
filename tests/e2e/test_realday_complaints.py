"""End-to-end, a real day of complaints in the seeds' department at the
default settings (tests/e2e/realday.py): the example's shifts early 06-14,
late 14-22, night 22-06 in Europe/Berlin, the default capacities (TRN 2,
CCS 4, PAM 6, SAM 8), SLAs and customer groups (vip, xxl, storyline: PAM).

What the issue found, each as the people concerned read it:
- an urgent complaint queued while an agent was free: the queue is drained
  at every shift start (a durable timer), on check-in, resolve and
  reassignment, most urgent first, and a new complaint never goes past an
  older queued one of the same or higher urgency;
- an assignment to someone off shift is refused (naming who is free), or
  given with "force";
- the default !complaints shows what the caller can act on;
- a note is internal, a reply reaches the friend and is the first response;
- a friend's group can be set on an existing complaint, which re-routes it;
- !evaluate ranks nobody without data, and a tie is a tie.
Tom reads German, Sara Spanish, Vera Hungarian, Wei Chinese."""

import re
import time
import unittest

from realday import RealDayE2E

ZWSP = "\u200b"


class Day(RealDayE2E):
    """The early shift of Monday 2026-03-02 (06:00-14:00 in Berlin, 05:00-13:00 UTC)."""

    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T09:00:00Z"}     # 10:00 in Berlin
    ROSTER = ("tom", "mia", "sara", "ana")
    LEAD = "vera"

    def setUp(self):
        super().setUp()
        self.ask("mark", f"!roster lead 2026-03-02 early {self.LEAD}", "Roster updated")
        self.ask("mark", "!roster add 2026-03-02 early " + " ".join(self.ROSTER), "Roster updated")
        self.site.skip()

    def agent_of(self, cid):
        return self.redis.cmd("HGET", self.key("complaint", cid), "agent")

    def state_of(self, cid):
        return self.redis.cmd("HGET", self.key("complaint", cid), "state")

    def queue(self):
        return self.redis.cmd("ZRANGE", self.key("complaints", "queue"), 0, -1)

    def checkin(self, who, expect="checked in"):
        return self.ask(who, "!checkin", {"text": lambda t: "eingestempelt" in t or "fichado" in t
                                          or "bejelentkeztél" in t or expect in t})

    def file(self, who, text, expect):
        return self.ask(who, "!complaint new " + text, expect)


class QueueAtShiftStart(Day):
    """Tom checks in at 05:59 Berlin time, before his shift starts: he is not
    on duty yet, so what is filed then waits.  At 06:00 the shift-start timer
    drains the queue to him, the most urgent first."""

    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T04:59:35Z"}     # 05:59:35 in Berlin
    LEAD = "wei"

    def test_the_queue_is_drained_when_the_shift_starts(self):
        start = 1772427600000                                     # 2026-03-02T05:00:00Z
        self.assertEqual(int(float(self.redis.cmd("ZSCORE", self.key("timers"), "shiftstart|2026-03-02|early"))),
                         start)
        self.ask("tom", "!checkin", "du bist für Frühschicht (2026-03-02) eingestempelt.")
        self.file("mark", "f1 the lobby music is too loud", "C-1 filed; nobody is free, it waits in the queue.")
        self.file("mark", "f2 priority=urgent I was charged twice", "C-2 filed; nobody is free")
        self.file("mark", "f3 my avatar is gone", "C-3 filed; nobody is free")
        self.assertEqual(self.queue(), ["C-2", "C-1", "C-3"])
        # 06:00: Tom (TRN: two at most) takes the urgent one and then the older normal one
        self.site.wait({"ev": "dm", "to": "tom",
                        "text": "Beschwerde C-2 (dringend) von f2: I was charged twice"}, timeout=30)
        self.site.wait({"ev": "dm", "to": "tom", "text": "Beschwerde C-1 (normal"})
        self.assertEqual(self.queue(), ["C-3"])
        self.assertEqual(self.agent_of("C-3"), None)
        # the timer of the next shift start is set by the one that fired
        self.until(lambda: self.redis.cmd("ZSCORE", self.key("timers"), "shiftstart|2026-03-02|early") is None,
                   "the early shift's timer to be done")
        self.assertEqual(int(float(self.redis.cmd("ZSCORE", self.key("timers"), "shiftstart|2026-03-02|late"))),
                         1772456400000)                           # 14:00 Berlin
        # a new normal complaint waits behind the older C-3; Mia's late check-in takes both, C-3 first
        self.file("mark", "f4 a newer one", "C-4 filed; nobody is free")
        self.assertEqual(self.queue(), ["C-3", "C-4"])
        self.checkin("mia")
        self.site.wait({"ev": "dm", "to": "mia", "text": "Complaint C-3 (normal"})
        self.site.wait({"ev": "dm", "to": "mia", "text": "Complaint C-4 (normal"})
        self.assertEqual(self.queue(), [])

    def test_a_new_complaint_never_goes_past_an_older_queued_one(self):
        # the shift-start timer is lost (say, Redis lost it): the first new
        # complaint after 06:00 still drains the queue before it is routed
        self.until(lambda: self.redis.cmd("ZSCORE", self.key("timers"), "shiftstart|2026-03-02|early"),
                   "the shift-start timer to be set")
        self.redis.cmd("ZREM", self.key("timers"), "shiftstart|2026-03-02|early")
        self.ask("tom", "!checkin", "eingestempelt")
        self.file("mark", "f1 priority=urgent the site is down for me", "C-1 filed; nobody is free")
        self.file("mark", "f2 priority=high the payment hangs", "C-2 filed; nobody is free")
        self.site.expect_none({"ev": "dm", "to": "tom", "text": "Beschwerde C-1"}, within=1.0)
        # wait for 06:00 on the daemon's clock (the real clock plus the offset it logs), then file once
        off = int(self.daemon.wait_log(r"clock: FAKE TIME in use: .*\(offset (-?\d+) ms\)").group(1))
        self.until(lambda: time.time() * 1000 + off >= 1772427600000 + 200, "06:00 in Berlin", timeout=40)
        self.file("mark", "f3 a normal one", "C-3 filed; nobody is free")
        # the normal complaint filed after 06:00 did not take Tom's room from the older urgent and high ones
        self.assertEqual(self.agent_of("C-1"), "tom")
        self.assertEqual(self.agent_of("C-2"), "tom")
        self.assertEqual(self.queue(), ["C-3"])

class QueueOrder(Day):
    """Tom alone on duty holds two; the queue moves, most urgent first, when
    he resolves one, when one of his is reassigned, and when Mia checks in."""

    def test_drained_on_resolve_reassignment_and_checkin_in_urgency_order(self):
        self.checkin("tom")
        self.file("vera", "f1 one", "C-1 rögzítve; tom kezeli.")
        self.file("vera", "f2 two", "C-2 rögzítve; tom kezeli.")
        self.file("vera", "f3 three", "C-3 rögzítve; most senki sem szabad, ezért a várólistán vár.")
        self.file("vera", "f4 priority=urgent four", "C-4 rögzítve; most senki")
        self.file("vera", "f5 priority=high five", "C-5 rögzítve; most senki")
        self.file("vera", "f6 priority=low six", "C-6 rögzítve; most senki")
        self.assertEqual(self.queue(), ["C-4", "C-5", "C-3", "C-6"])
        self.site.skip()
        # a resolve: the urgent one, not the oldest
        self.ask("tom", "!complaint resolve C-1 refunded", "C-1 abgeschlossen; der Chatfreund ist benachrichtigt.")
        self.site.wait({"ev": "dm", "to": "tom", "text": "Beschwerde C-4 (dringend"})
        self.assertEqual(self.queue(), ["C-5", "C-3", "C-6"])
        # a reassignment (forced: Sara is not on shift) frees Tom: the high one
        self.ask("vera", "!complaint assign C-2 sara force", "C-2: mostantól Sara Ruiz [SAM] kezeli.")
        self.site.wait({"ev": "dm", "to": "tom", "text": "Beschwerde C-5 (hoch"})
        self.assertEqual(self.queue(), ["C-3", "C-6"])
        # a check-in: Mia takes the rest, normal before low
        self.checkin("mia")
        first = self.site.wait({"ev": "dm", "to": "mia", "text": "Complaint C-3 (normal"})
        second = self.site.wait({"ev": "dm", "to": "mia", "text": "Complaint C-6 (low"})
        self.assertLess(self.site.events.index(first), self.site.events.index(second))
        self.assertEqual(self.queue(), [])
        self.assertEqual(self.agent_of("C-6"), "mia")


class AssignOffShift(Day):

    def test_assign_to_someone_off_shift_is_refused_or_forced(self):
        self.checkin("tom")
        self.checkin("mia")
        self.file("mark", "f1 I cannot log in", "C-1 filed and given to")
        holder = self.agent_of("C-1")
        free = "Mia Keller [CCS]" if holder == "tom" else "Tom Berger [TRN]"
        self.ask("mark", "!complaint assign C-1 sara",
                 "Sara Ruiz [SAM] is not on shift now: C-1 would wait past its response time. "
                 f"On shift and free: {free}. To give it anyway: !complaint assign C-1 sara force")
        self.assertEqual(self.agent_of("C-1"), holder)               # nothing changed
        self.ask("vera", "!complaint assign C-1 ana",
                 "Ana Horvat [PAM] most nincs műszakban: C-1 tovább várna, mint a válaszidő. "
                 f"Műszakban és szabad: {free}.")
        self.ask("mark", "!complaint assign C-1 sara now", "Usage: !complaint assign <C-n> <person> [force]")
        self.assertEqual(self.agent_of("C-1"), holder)
        # a vip complaint: only someone of level PAM or above is named; nobody is
        self.file("mark", "f2 group=vip where is my badge", "C-2 filed; nobody is free")
        self.ask("mark", "!complaint assign C-2 ana",
                 "Ana Horvat [PAM] is not on shift now: C-2 would wait past its response time. "
                 "On shift and free: nobody. To give it anyway: !complaint assign C-2 ana force")
        self.ask("mark", "!complaint assign C-2 ana force", "C-2 is now with Ana Horvat [PAM].")
        self.assertEqual(self.agent_of("C-2"), "ana")
        # someone on shift is given it without a question
        other = "mia" if holder == "tom" else "tom"
        self.ask("mark", f"!complaint assign C-1 {other}", "C-1 is now with")
        self.assertEqual(self.agent_of("C-1"), other)
        # the lead is on shift once she has checked in
        self.ask("mark", "!complaint assign C-1 vera", "Vera Kovacs is not on shift now")
        self.ask("vera", "!checkin", "bejelentkeztél")
        self.ask("mark", "!complaint assign C-1 vera", "C-1 is now with Vera Kovacs.")


class DefaultView(Day):

    def test_the_default_view_shows_what_the_caller_can_act_on(self):
        self.checkin("tom")
        self.file("vera", "f1 one", "tom kezeli")
        self.file("vera", "f2 two", "tom kezeli")
        self.file("vera", "f3 priority=urgent the chat is down", "C-3 rögzítve; most senki")
        self.file("vera", "f4 group=vip my vip badge is gone", "C-4 rögzítve; most senki")
        self.file("vera", "f5 the lobby is too loud", "C-5 rögzítve; most senki")
        # Mia (CCS, not checked in yet) sees the queue she could take, not the vip one
        # typed in the lobby: the lobby hears only where the answer went
        text = self.ask_in_lobby("mia", "!complaints", "Mia Keller [CCS], I sent you the answer privately.",
                                 "Yours: none.")["text"]
        self.assertEqual(text, "Yours: none.\nQueue you can take (2):\n"
                               "C-3 queued urgent not taken yet: the chat is down\nC-5 queued normal not taken yet: the lobby is too loud")
        # Ana (PAM) may take the vip one too; Sara reads Spanish
        text = self.dm_ask("ana", "!complaints", "Queue you can take (3):")["text"]
        self.assertIn("C-4 queued normal not taken yet: my vip badge is gone", text)
        self.dm_ask("sara", "!complaints", "Tuyas: ninguna.\nEn la cola y puedes tomarlas (3):\nC-3 en cola urgente sin asignar todavía")
        # Tom has his own two and is shown the queue he could take
        self.dm_ask("tom", "!complaints", "Deine (2):\nC-1 offen normal Tom Berger [TRN]: one\n"
                                          "C-2 offen normal Tom Berger [TRN]: two\n"
                                          "Warteschlange, die du übernehmen kannst (2):\nC-3 in der Warteschlange dringend noch nicht übernommen")
        # once Mia checks in she takes them; the view says what is empty and where to look
        self.checkin("mia")
        self.until(lambda: self.queue() == ["C-4"], "Mia to take C-3 and C-5")
        self.dm_ask("mia", "!complaints", "Yours (2):\nC-3 open urgent Mia Keller [CCS]: the chat is down\n"
                                          "C-5 open normal Mia Keller [CCS]: the lobby is too loud\n"
                                          "Queue: nothing you can take.")
        self.ask("mia", "!complaint resolve C-3 back up", "C-3 resolved")
        self.ask("mia", "!complaint resolve C-5 turned down", "C-5 resolved")
        self.dm_ask("mia", "!complaints",
                    "You have no open complaints, and the queue has none you can take. "
                    "Everything open: !complaints open; the whole queue: !complaints queue")
        self.dm_ask("mia", "!complaints queue", "Complaints:\nC-4 queued normal not taken yet: my vip badge is gone")
        self.dm_ask("mia", "!complaints everything", "Usage: !complaints [open|mine|queue|all]")


class ReplyAndNote(Day):

    def test_a_reply_reaches_the_friend_and_counts_a_note_does_not(self):
        self.checkin("mia")
        self.ask("lina", "!lang es", "Idioma cambiado a es.")
        self.site.say("lina", "!complain the music bot is too loud")
        self.site.wait({"ev": "dm", "to": "lina", "text": "Hemos recibido tu queja C-1"})
        self.site.say("nick", "!complain my messages vanish")
        self.site.wait({"ev": "dm", "to": "nick", "text": "Your complaint C-2 was received"})
        self.until(lambda: self.agent_of("C-2") == "mia", "C-2 with Mia")
        self.site.skip()
        # a note: internal, the friend hears nothing, and it is no response
        self.ask("mia", "!complaint note C-1 asked the room owner", "Note added to C-1.")
        self.ask("mia", "!complaint note C-2 probably the spam filter", "Note added to C-2.")
        self.assertIsNone(self.redis.cmd("HGET", self.key("complaint", "C-1"), "first_response"))
        # a reply: privately to the friend, in the friend's language, mentions neutralised
        self.ask("mia", "!complaint reply C-1 we turned it down, thanks @everyone <@u99> (help@example.org)",
                 {"text": re.compile(r"^Answer to C-1 sent privately to lina\.$", re.I)})
        ev = self.site.wait({"ev": "dm", "to": "lina", "text": "Respuesta a tu queja C-1:"})
        self.assertEqual(ev["text"], f"Respuesta a tu queja C-1: we turned it down, thanks @{ZWSP}everyone <@{ZWSP}u99> (help@example.org)")
        self.assertIsNotNone(self.redis.cmd("HGET", self.key("complaint", "C-1"), "first_response"))
        self.assertIsNone(self.redis.cmd("HGET", self.key("complaint", "C-2"), "first_response"))
        for e in self.site.all({"ev": "send"}):
            self.assertNotIn("turned it down", e["text"])                # never into a room
        for e in self.site.all({"ev": "dm", "to": "nick"}) + self.site.all({"ev": "dm", "to": "lina"}):
            self.assertNotIn("room owner", e["text"])
            self.assertNotIn("spam filter", e["text"])
        # only the holder (or the lead) replies
        self.ask("tom", "!complaint reply C-1 hallo", "C-1 liegt bei Mia Keller [CCS], nicht bei dir.")
        # the SLA: both are due now; the noted one breaches, the answered one does not
        for cid in ("C-1", "C-2"):
            created = self.redis.cmd("HGET", self.key("complaint", cid), "created")
            self.redis.cmd("ZADD", self.key("timers"), "XX", created, f"sla|{cid}")
        self.site.wait({"ev": "dm", "to": "vera",
                        "text": "Erre a panaszra nem érkezett időben válasz: C-2 (normál, ügyintéző: Mia Keller [CCS])."},
                       timeout=10)
        self.until(lambda: self.redis.cmd("ZSCORE", self.key("timers"), "sla|C-1") is None, "C-1's SLA timer")
        self.assertEqual(self.site.all({"ev": "dm", "to": "vera", "text": "C-1"}), [])
        self.assertIsNone(self.redis.cmd("HGET", self.key("complaint", "C-1"), "breached"))
        self.assertEqual(self.redis.cmd("GET", self.key("sla_breaches")), "1")


class GroupOnExisting(Day):

    def test_the_group_is_set_on_an_existing_complaint_and_it_is_rerouted(self):
        self.checkin("mia")
        self.file("mark", "f1 my vip badge is gone", "C-1 filed and given to mia.")
        # nobody on shift serves vip yet: it goes back to the queue, Mia is told
        self.ask("mark", "!complaint group C-1 vip",
                 "C-1 is now in the vip group; Mia Keller [CCS] cannot serve it and nobody on shift who can is free, "
                 "so it waits in the queue.")
        self.site.wait({"ev": "dm", "to": "mia",
                        "text": "C-1 is no longer yours: it is now for the vip group, which needs level PAM or above."})
        self.assertEqual(self.queue(), ["C-1"])
        self.assertEqual(self.redis.cmd("SCARD", self.key("complaints", "agent", "mia")), 0)
        self.ask("mark", "!complaint group C-1 vip", "C-1 is in that group already; nothing changed.")
        self.ask("mark", "!complaint group C-1 gold", 'There is no customer group "gold".')
        # Ana (PAM) checks in and takes it
        self.checkin("ana")
        self.site.wait({"ev": "dm", "to": "ana", "text": "Complaint C-1 (normal, group vip) from f1"})
        self.assertEqual(self.agent_of("C-1"), "ana")
        # one of Mia's moves straight to Ana when it becomes a storyline complaint
        self.file("mark", "f2 storyline contest points missing", "C-2 filed and given to mia.")
        self.ask("tom", "!complaint group C-2 storyline", "C-2 liegt bei Mia Keller [CCS], nicht bei dir.")
        self.assertEqual(self.redis.cmd("HGET", self.key("complaint", "C-2"), "group"), "")
        self.ask("vera", "!complaint group C-2 storyline",
                 "C-2 mostantól ebbe a csoportba tartozik: storyline; Mia Keller [CCS] nem kezelheti, "
                 "ezért Ana Horvat [PAM] vette át.")
        self.assertEqual(self.agent_of("C-2"), "ana")
        # a group that her level serves leaves it with its agent; clearing keeps it too
        self.ask("ana", "!complaint group C-2 xxl", "C-2 is now in the xxl group.")
        self.ask("ana", "!complaint group C-2 none", "C-2 is no longer in a customer group.")
        self.assertEqual(self.agent_of("C-2"), "ana")
        self.assertEqual(self.redis.cmd("HGET", self.key("complaint", "C-2"), "group"), "")


class Evaluation(Day):

    def test_no_ranking_without_data_and_ties_are_ties(self):
        self.dm_ask("mark", "!evaluate 2026-10",
                    "Evaluation 2026-10: not enough data to rank anyone "
                    "(no agent has hours, lateness, complaints or ratings in that month).")
        self.ask("wei", "!evaluate 2026-10", "!evaluate")                  # a vice minister may not
        self.ask("mark", "!lang zh", "zh")
        self.dm_ask("mark", "!evaluate 2026-10", "评估 2026-10：数据不足，无法排名")
        self.ask("mark", "!lang en", "en")
        # Mia checks in late (10:00 for 06:00): one agent with data is no ranking
        self.checkin("mia")
        self.dm_ask("mark", "!evaluate",
                    "Evaluation 2026-03\nOnly one agent has data, so there is no ranking: Mia Keller [CCS]: 0.50 "
                    "(attendance 0.00, lateness 0.50, complaints 0.00, response 0.00, ratings 0.00)\n"
                    "Not ranked (no data): Ana Horvat [PAM], Sara Ruiz [SAM], Tom Berger [TRN]")
        # Tom too: the same data, a tie
        self.checkin("tom")
        text = self.dm_ask("mark", "!evaluate", "Evaluation 2026-03")["text"]
        self.assertEqual(text, "Evaluation 2026-03\nEveryone with data ties, so there is no best or worst:\n"
                               "Mia Keller [CCS]: 0.50 (attendance 0.00, lateness 0.50, complaints 0.00, response 0.00, ratings 0.00)\n"
                               "Tom Berger [TRN]: 0.50 (attendance 0.00, lateness 0.50, complaints 0.00, response 0.00, ratings 0.00)\n"
                               "Not ranked (no data): Ana Horvat [PAM], Sara Ruiz [SAM]")
        self.assertNotIn("Worst", text)
        # Sara checks in late and resolves one: she is best; Mia and Tom tie at the bottom
        self.checkin("sara")
        self.file("mark", "f1 group=vip my badge", "C-1 filed and given to sara.")
        self.ask("sara", "!complaint resolve C-1 badge restored", "C-1 resuelta")
        text = self.dm_ask("mark", "!evaluate", "Evaluation 2026-03")["text"]
        self.assertIn("\nBest: Sara Ruiz [SAM]: ", text)
        self.assertIn("\nWorst: Mia Keller [CCS]: 0.50 (attendance 0.00, lateness 0.50, complaints 0.00, response 0.00, "
                      "ratings 0.00); Tom Berger [TRN]: 0.50", text)
        self.assertTrue(text.endswith("\nNot ranked (no data): Ana Horvat [PAM]"), text)


if __name__ == "__main__":
    unittest.main()
