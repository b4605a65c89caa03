"""End-to-end: emergencies escalate until acknowledged (across a restart and
with two instances, each page once), contact cards stay private, technical
problems reach the tech channel, and system notifications are checked before
they are sent exactly once (at once, or at their time after a restart).
The daemon's clock is moved by DUTYBOT_FAKE_NOW: 2026-03-02 10:00 UTC is in
the middle of the "day" shift led by Vera with Mark as minister on duty."""

import os
import time
import unittest

from harness import E2E, STAFF, DemoSite, Daemon, write_config

ENGLISH_STAFF = [{k: v for k, v in p.items() if k != "lang"} for p in STAFF]
SHIFTS = '( { name = "day"; start = "08:00"; end = "16:00"; }, { name = "night"; start = "16:00"; end = "08:00"; } )'
ESCALATION = ('{ ack_timeout = "2s"; repeat = 1;'
              ' chain = ( "shift_lead", "duty_minister", "ministers", "webmasters" ); }')
NOTIFY = '{ tag = "[System]"; max_length = 80; link_hosts = ( "example.org" ); }'
NOW = "2026-03-02T10:00:00Z"


class Case(E2E):
    CONFIG = {"shifts": SHIFTS, "escalation": ESCALATION, "notify": NOTIFY}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": NOW}

    def config_overrides(self):
        return dict(self.CONFIG, staff=ENGLISH_STAFF)

    def setUp(self):
        super().setUp()
        self.ask("mark", "!roster lead today day vera", "Roster updated")
        self.ask("mark", "!roster minister today day mark", "Roster updated")
        self.ask("mark", "!plan set Call the site owner first; then 112 if people are in danger.", "saved")


class Escalation(Case):

    def test_escalates_through_every_step_and_stops_at_the_ack(self):
        s = self.site
        self.ask("mia", "!emergency the chat servers are down", "Emergency E-1 raised")
        s.wait_all({"ev": "send", "room": "alerts", "text": "EMERGENCY E-1 from Mia Keller [CCS] (site #lobby): the chat servers are down"},
                   {"ev": "dm", "to": "vera", "text": "Emergency plan: Call the site owner first"},
                   {"ev": "send", "room": "alerts", "text": "E-1: paging the shift's lead, Vera Kovacs."},
                   {"ev": "dm", "to": "mia", "text": "Your emergency E-1: paging the shift's lead, Vera Kovacs."})
        s.wait_all({"ev": "dm", "to": "mark", "text": "EMERGENCY E-1"},
                   {"ev": "send", "room": "alerts", "text": "paging the minister on duty, Mark Novak (round 1 of 2)."}, timeout=8)
        s.wait({"ev": "send", "room": "alerts", "text": "paging the ministers, Mark Novak (round 1 of 2)."}, timeout=8)
        s.wait_all({"ev": "dm", "to": "lemon", "text": "EMERGENCY E-1"},
                   {"ev": "send", "room": "alerts", "text": "paging the webmasters, Lemon Chen (round 1 of 2)."}, timeout=8)
        # repeat = 1: the chain runs once more, then only the alerts channel is told
        s.wait({"ev": "send", "room": "alerts", "text": "paging the shift's lead, Vera Kovacs (round 2 of 2)."}, timeout=8)
        s.wait({"ev": "send", "room": "alerts", "text": "paging the webmasters, Lemon Chen (round 2 of 2)."}, timeout=20)
        # the chain ran out: the alerts channel is reminded, the one who raised it told once
        s.wait_all({"ev": "send", "room": "alerts", "text": "E-1 is still not acknowledged"},
                   {"ev": "dm", "to": "mia", "text": "Your emergency E-1 is still not acknowledged"}, timeout=8)
        self.ask("lemon", "!ack E-1", "E-1 acknowledged.")
        s.wait_all({"ev": "send", "room": "alerts", "text": "E-1 acknowledged by Lemon Chen; the escalation stops."},
                   {"ev": "dm", "to": "mia", "text": "Your emergency E-1 was acknowledged by Lemon Chen at 10:0"})
        s.expect_none(lambda e: e.get("ev") in ("send", "dm") and "E-1" in e.get("text", ""), within=4.5)
        self.ask("vera", "!ack E-1", "E-1 was already acknowledged by Lemon Chen at 10:")
        self.ask("mia", "!emergencies", "E-1 10:00 Mia Keller [CCS]: the chat servers are down — acknowledged by Lemon Chen at 10:0")
        self.ask("vera", "!resolve E-1 power is back", "E-1 resolved.")
        s.wait({"ev": "send", "room": "alerts", "text": "E-1 resolved by Vera Kovacs: power is back"})
        self.ask("mia", "!emergencies", "No open emergencies.")
        self.ask("mia", "!emergencies all", "resolved")
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "esc|E-1"))

    def test_refusals(self):
        self.ask("lina", "!emergency help", "!emergency is for agent and above; you are chat friend.")
        self.ask("mia", "!ack E-9", "There is no emergency E-9.")
        self.ask("mia", "!ack X-1", "There is no emergency X-1.")
        self.assertEqual(self.redis.keys(self.key("emergency:*")), [])


class EscalationRestart(Case):

    def test_the_chain_continues_after_a_restart(self):
        self.ask("mia", "!emergency fire alarm", "E-1")
        self.site.wait({"ev": "send", "room": "alerts", "text": "E-1: paging the shift's lead, Vera Kovacs."})
        self.assertEqual(self.daemon.stop(), 0)
        self.site.wait({"ev": "closed"})
        self.start_daemon(DUTYBOT_FAKE_NOW="2026-03-02T10:00:30Z")
        self.site.wait({"ev": "send", "room": "alerts", "text": "paging the minister on duty, Mark Novak (round 1 of 2)."}, timeout=15)
        self.assertEqual(len(self.site.all({"ev": "send", "room": "alerts", "text": "paging the shift's lead, Vera Kovacs"})), 1)
        self.ask("mark", "!ack E-1", "acknowledged")


class EscalationTwoInstances(Case):

    def test_two_daemons_never_page_twice(self):
        cfg2 = write_config(os.path.join(self.tmp, "second.cfg"), redis_port=self.redis.port, site=self.config.site,
                            staff=ENGLISH_STAFF, shifts=SHIFTS, escalation=ESCALATION, notify=NOTIFY)
        site2 = DemoSite(cfg2, log_dir=self.tmp)
        self.addCleanup(site2.stop)
        second = Daemon(cfg2, env={"DUTYBOT_FAKE_NOW": NOW}, log_path=os.path.join(self.tmp, "second.log"))
        self.addCleanup(second.stop)
        site2.wait({"ev": "ready"}, timeout=20)
        self.ask("mia", "!emergency two of us", "E-1")
        deadline = time.monotonic() + 20
        both = lambda m: self.site.all(m) + site2.all(m)
        while time.monotonic() < deadline and not both({"ev": "send", "room": "alerts", "text": "the webmasters, Lemon Chen (round 1 of 2)"}):
            time.sleep(0.3)
        self.ask("lemon", "!ack E-1", "acknowledged")
        time.sleep(3)
        for step in ("the shift's lead", "the minister on duty", "the ministers", "the webmasters"):
            self.assertEqual(len(both({"ev": "send", "room": "alerts", "text": f"paging {step}, "})), 1, step)
        self.assertEqual(len(both({"ev": "dm", "to": "vera", "text": "EMERGENCY E-1"})), 1)
        self.assertEqual(len(both({"ev": "dm", "to": "lemon", "text": "EMERGENCY E-1"})), 1)
        self.assertEqual(len(both({"ev": "send", "room": "alerts", "text": "EMERGENCY E-1 from"})), 1)


class Contacts(Case):

    def test_cards_are_private_and_for_ministers_and_webmasters(self):
        self.site.say("mia", "!contacts set phone +49 170 5550123")
        self.site.wait({"ev": "dm", "to": "mia", "text": "Your contact card's phone is saved."})
        self.site.say("mia", "!contacts set backup her sister, +49 170 5550999")
        self.site.wait({"ev": "dm", "to": "mia", "text": "backup contact is saved"})
        self.ask("mia", "!contacts set shoe 42", "Unknown field", room="dm")
        self.ask("tom", "!contacts mia", "!contacts is for minister and above; you are agent.", room="dm")
        self.ask("vera", "!contacts mia", "!contacts is for minister and above; you are vice minister.", room="dm")
        self.site.say("mark", "!contacts mia")
        card, _ = self.site.wait_all({"ev": "dm", "to": "mark", "text": "Emergency contact card of Mia Keller [CCS]"},
                                     {"ev": "send", "room": "lobby", "text": "Mark Novak, I sent you the answer privately."})
        self.assertIn("+49 170 5550123", card["text"])
        self.assertIn("her sister", card["text"])
        for e in self.site.events:
            if e.get("ev") in ("send", "system"):
                self.assertNotIn("5550123", e.get("text", ""))
        audit = self.redis.cmd("XRANGE", self.key("audit"), "-", "+")
        self.assertNotIn("5550123", str(audit))           # the value is not in the audit either
        self.ask("lemon", "!contacts ghost", 'No staff member "ghost"', room="dm")


class Tech(Case):

    def test_reported_at_once_listed_resolved_and_in_the_handover(self):
        self.ask("tom", "!tech the lobby's video player hangs", "Technical problem T-1 reported")
        self.site.wait({"ev": "send", "room": "tech", "text": "Technical problem T-1 from Tom Berger [TRN] (site #lobby): the lobby's video player hangs"})
        self.ask("mia", "!tech list", "T-1 Tom Berger [TRN] (site #lobby): the lobby's video player hangs")
        self.ask("mia", "!tech resolve T-1 restarted the player", "T-1 resolved.")
        self.site.wait({"ev": "send", "room": "tech", "text": "Technical problem T-1 resolved by Mia Keller [CCS]: restarted the player"})
        self.ask("mia", "!tech resolve T-1 again", "T-1 was already resolved by Mia Keller [CCS].")
        self.ask("mia", "!tech resolve T-7 x", "There is no technical problem T-7.")
        self.ask("mia", "!tech list", "No unresolved technical problems.")


class HandoverItems(Case):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T15:45:00Z"}

    def test_the_next_lead_gets_open_emergencies_and_problems(self):
        self.ask("mark", "!roster lead today night lemon", "Roster updated")
        self.ask("tom", "!tech the lobby's video player hangs", "T-1")
        self.ask("mia", "!emergency printer on fire", "E-1")
        self.ask("lemon", "!ack E-1", "acknowledged")
        self.ask("mia", "!complaint new f1 priority=high the music is too loud", "C-1 filed")
        self.ask("lemon", "!checkin", "checked in to night")
        items, _ = self.site.wait_all({"ev": "dm", "to": "lemon", "text": "Open emergencies: E-1 printer on fire"},
                                      {"ev": "dm", "to": "lemon", "text": "Open complaints waiting in the queue: C-1 (high)."})
        self.assertIn("Unresolved technical problems: T-1 the lobby's video player hangs", items["text"])


class Notify(Case):

    def test_every_check_fails_on_its_own_with_its_position(self):
        cases = [
            ("[System] " + "x" * 80, "position 81: longer than 80 characters (89)"),
            ("[System] Hello @everyone, maintenance.", "position 16: mass or raw mention @everyone"),
            ("[System] Maintenance at {time}.", "position 25: unfilled placeholder {time}"),
            ("[System] See https://evil.example.com/x", "position 14: links to evil.example.com are not allowed"),
            ("[System] (Maintenance at 02:00.", "position 10: unbalanced bracket ("),
            ("[System] Maintenance  at 02:00.", "position 21: doubled space"),
            ('"[System] Maintenance at 02:00. "', "position 31: trailing whitespace"),
        ]
        for text, problem in cases:
            ev = self.ask("vera", "!notify lobby " + text, "Not drafted: 1 problem to fix first:")
            self.assertIn(problem, ev["text"], text)
        ev = self.ask("vera", "!notify lobby Maintenance  at {time} @here", "Not drafted: 3 problems to fix first:")   # the tag is put in
        self.assertEqual(self.redis.cmd("EXISTS", self.key("notices")), 0)
        self.ask("vera", "!notify lobby [System] Status: https://status.example.org/ (all good).", "Draft N-1")
        # the tag is the bot's to put in (dutybot.cfg(5)): a draft without it gets it, and
        # a problem's position is the one in the text as typed
        self.ask("vera", "!notify lobby Maintenance at 02:00.", "Draft N-2 for lobby (now), checked:\n"
                 "[System] Maintenance at 02:00.\n")
        self.ask("vera", "!notify lobby Maintenance  at 02:00.", "position 12: doubled space")
        self.ask("vera", "!notify lobby " + "x" * 72, "position 72: longer than 80 characters (81)")

    def test_confirmed_notice_goes_out_once_as_a_system_action(self):
        ev = self.ask("vera", "!notify lobby [System] Maintenance tonight at 02:00 UTC.", "Draft N-1 for lobby (now), checked:")
        self.assertIn("[System] Maintenance tonight at 02:00 UTC.", ev["text"])
        self.site.expect_none({"ev": "system"}, within=1.0)
        self.ask("vera", "!notify confirm N-1", "N-1 sent to lobby.")
        self.site.wait({"ev": "system", "room": "lobby", "text": "[System] Maintenance tonight at 02:00 UTC."})
        self.ask("vera", "!notify confirm N-1", "N-1 is sent; nothing to do.")
        self.site.expect_none({"ev": "system"}, within=1.5)
        self.ask("mark", "!notify * [System] Everyone: new rules.", "Draft N-2")
        self.ask("vera", "!notify confirm N-2", "N-2 was drafted by Mark Novak")
        self.ask("mark", "!notify cancel N-2", "N-2 cancelled.")
        self.ask("mark", "!notify confirm N-2", "N-2 is cancelled")
        self.assertEqual(len(self.site.all({"ev": "system"})), 1)

    def test_who_may_send(self):
        self.ask("mia", "!notify lobby [System] hi", "!notify is for vice minister and above; you are agent.")
        self.ask("mark", "!roster lead today day lemon", "Roster updated")     # vera no longer leads
        self.ask("vera", "!notify lobby [System] hi", "Only the lead or the minister on duty")
        self.ask("lemon", "!notify lobby [System] hi", "Draft N-1")

    def test_scheduled_notice_is_sent_at_its_time_after_a_restart(self):
        self.ask("vera", "!notify lobby at 10:01 [System] Quiz starts now!", "Draft N-1 for lobby (2026-03-02 10:01)")
        self.ask("vera", "!notify confirm N-1", "N-1 scheduled for lobby at 2026-03-02 10:01.")
        self.ask("vera", "!notify list", "N-1 scheduled lobby 2026-03-02 10:01 by Vera Kovacs: [System] Quiz starts now!")
        self.assertEqual(self.daemon.stop(), 0)
        self.site.wait({"ev": "closed"})
        self.site.expect_none({"ev": "system"}, within=0.5)
        self.start_daemon(DUTYBOT_FAKE_NOW="2026-03-02T10:01:05Z")
        self.site.wait({"ev": "system", "room": "lobby", "text": "[System] Quiz starts now!"}, timeout=15)
        self.site.expect_none({"ev": "system"}, within=2.0)
        self.ask("vera", "!notify lobby at 09:00 [System] x", "Draft N-2 for lobby (2026-03-03 09:00)")
        self.ask("vera", "!notify lobby at 2026-03-01 09:00 [System] x", "That time is in the past.")
        self.ask("vera", "!notify lobby at 25:00 [System] x", "is not a time")
        self.ask("vera", "!notify confirm N-2", "scheduled")
        self.ask("vera", "!notify cancel N-2", "N-2 cancelled.")
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "notice|N-2"))


if __name__ == "__main__":
    unittest.main()
