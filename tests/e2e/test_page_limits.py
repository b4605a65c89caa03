"""End-to-end: pages are limited per person (escalation.pages_per_minute,
default 3).  A storm of emergencies pages the shift's lead three times at
once; the rest is held, not dropped, and one summary page names those still
unacknowledged when the minute is over.  The config is the default but for
the escalation's ack_timeout, long enough that no later step pages anyone
during the test.  2026-03-02 10:00 UTC is in Vera's "day" shift."""

import re
import time
import urllib.request

from harness import E2E, STAFF

ENGLISH_STAFF = [{k: v for k, v in p.items() if k != "lang"} for p in STAFF]
SHIFTS = '( { name = "day"; start = "08:00"; end = "16:00"; }, { name = "night"; start = "16:00"; end = "08:00"; } )'
ESCALATION = '{ ack_timeout = "30m"; }'


class PageLimit(E2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T10:00:00Z"}

    def config_overrides(self):
        return {"shifts": SHIFTS, "escalation": ESCALATION, "staff": ENGLISH_STAFF}

    def setUp(self):
        super().setUp()
        self.ask("mark", "!roster lead today day vera", "Roster updated")

    def pages_to_vera(self):
        return [e for e in self.site.all({"ev": "dm", "to": "vera"}) if e.get("text", "").startswith("EMERGENCY ")]

    def metric(self, name):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.config.http_port}/metrics", timeout=5) as r:
            body = r.read().decode()
        m = re.search(rf"^{name} (\d+)$", body, re.M)
        self.assertIsNotNone(m, body)
        return int(m.group(1))

    def storm(self, n):
        for i in range(1, n + 1):
            self.ask("mia", f"!emergency storm part {i}", f"Emergency E-{i} raised")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(self.site.all(
                {"ev": "send", "room": "alerts", "text": ": paging the shift's lead, Vera Kovacs."})) < n:
            time.sleep(0.2)
        time.sleep(2)   # any page that would still go has gone
        self.site.skip()
        paged = sorted(re.match(r"EMERGENCY (E-\d+) ", e["text"]).group(1) for e in self.pages_to_vera())
        self.assertEqual(len(paged), 3, paged)
        return paged

    def test_a_storm_pages_three_times_then_one_summary_of_what_is_still_open(self):
        paged = self.storm(6)
        held = [f"E-{i}" for i in range(1, 7) if f"E-{i}" not in paged]
        self.assertEqual(self.metric("dutybot_pages_held_total"), 3)
        # acknowledged while held: not in the summary
        self.ask("mark", f"!ack {held[1]}", f"{held[1]} acknowledged.")
        rest = [held[0], held[2]]
        summary = self.site.wait({"ev": "dm", "to": "vera", "text": "more emergencies wait for you"}, timeout=75)
        self.assertEqual(summary["text"].splitlines()[0], f"2 more emergencies wait for you: {rest[0]}, {rest[1]}")
        self.assertEqual(len(self.pages_to_vera()), 3)
        # one summary, and nothing of the held ones after it
        self.site.expect_none(lambda e: e.get("ev") == "dm" and e.get("to") == "vera", within=3)
        self.assertEqual(self.redis.keys(self.key("pages:held:*")), [])

    def test_nothing_is_sent_when_every_held_emergency_was_acknowledged(self):
        paged = self.storm(4)
        held = [f"E-{i}" for i in range(1, 5) if f"E-{i}" not in paged]
        self.assertEqual(len(held), 1)
        self.ask("mark", f"!ack {held[0]}", f"{held[0]} acknowledged.")
        # the summary timer fires when the minute is over and finds nothing to say
        deadline = time.monotonic() + 75
        while time.monotonic() < deadline and self.redis.cmd("ZSCORE", self.key("timers"), "pagesum|vera") is not None:
            time.sleep(0.5)
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "pagesum|vera"))
        self.site.expect_none(lambda e: e.get("ev") == "dm" and e.get("to") == "vera", within=2)
        self.assertEqual(len(self.pages_to_vera()), 3)

    def test_a_summary_waiting_in_the_queue_is_not_sent_after_the_acks(self):
        s = self.site
        started = time.monotonic()
        paged = self.storm(4)
        held = [f"E-{i}" for i in range(1, 5) if f"E-{i}" not in paged]
        # before the minute is over the site refuses the next action for 15 s:
        # the summary, decided meanwhile, waits in the queue behind it
        time.sleep(max(0.0, started + 50 - time.monotonic()))
        s.command("/ratelimit 1 15000")
        s.say("mia", "!emergencies")
        deadline = time.monotonic() + 20
        while "MSG_EMERGENCY_PAGES_HELD" not in self.outbox_msgs():
            self.assertLess(time.monotonic(), deadline, f"no summary in the outbox: {self.outbox_msgs()}")
            time.sleep(0.05)
        self.assertEqual(len(self.pages_to_vera()), 3)
        s.say("mark", f"!ack {held[0]}")
        deadline = time.monotonic() + 5
        while self.redis.cmd("HGET", self.key("emergency", held[0]), "acked_by") != "mark":
            self.assertLess(time.monotonic(), deadline, "the ack did not happen")
            time.sleep(0.05)
        s.wait({"ev": "send", "room": "alerts", "text": f"{held[0]} acknowledged by Mark Novak"}, timeout=30)
        s.expect_none(lambda e: e.get("ev") == "dm" and e.get("to") == "vera", within=2)
        self.assertEqual(len(self.pages_to_vera()), 3)
        self.assertEqual(s.all({"ev": "dm", "to": "vera", "text": "more emergenc"}), [])
        self.assertRegex(self.daemon.log(), rf"deliver: {held[0]} was acknowledged or resolved meanwhile")

    def outbox_msgs(self):
        entries = self.redis.cmd("XRANGE", self.key("outbox"), "-", "+")
        return [dict(zip(f[::2], f[1::2])).get("msg") for _, f in entries]
