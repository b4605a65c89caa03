"""Floods, at the default limits: 30,000 chat friends (a site where
identities are cheap) each sending a command as fast as the socket takes
them, with staff commands in the middle; a site that stops acking meanwhile;
and Redis holding every call while staff keep typing.  The promises (bot/flow.h):
memory stays bounded, staff commands get through while friends are turned
away, every friend's command is either answered once or counted as turned
away, the alerts channel is told once when it starts and once when it is
calm again, and a connection with too many commands in hand is not read
until half of them are done (TCP backpressure), losing nothing.

Figures are printed as "FLOOD ..." lines for the issue note.
"""

from __future__ import annotations

import os
import re
import time
import unittest
import urllib.request

from flood_site import FloodSite
from harness import Daemon, Redis, _binary, free_port, stop_clean, write_config

FRIENDS = 30000
# The daemon's resident memory at its high-water mark stays under this in a
# build without sanitizers (idle it is about 10 MiB; ASan's shadow memory and
# quarantine make RSS meaningless there, so only the caps are checked).
RSS_BOUND_KIB = 64 * 1024


def figures(test, **kv):
    print(f"\nFLOOD {test}: " + ", ".join(f"{k}={v}" for k, v in kv.items()), flush=True)


def sanitized() -> bool:
    with open(_binary("DUTYBOT_BIN"), "rb") as f:
        return b"__asan_init" in f.read()


class Flood(unittest.TestCase):
    CONFIG: dict = {"limits": None}     # the daemon's default limits

    def setUp(self):
        import tempfile, shutil
        self.tmp = tempfile.mkdtemp(prefix="dutybot-flood-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.redis = Redis(self.tmp)
        self.addCleanup(self.redis.stop)
        self.config = write_config(os.path.join(self.tmp, "dutybot.cfg"), redis_port=self.redis.port,
                                   **self.CONFIG)
        self.site = FloodSite(self.config.site_port, self.config.token)
        self.addCleanup(self.site.stop)
        self.daemon = Daemon(self.config, log_path=os.path.join(self.tmp, "dutybot.log"))
        self.addCleanup(stop_clean, self.daemon)
        self.assertTrue(self.site.ready.wait(20), "the daemon never identified")

    def metrics(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.config.http_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        out = {}
        for m in re.finditer(r'^(dutybot_\w+)(?:\{connection="site"\})? (\d+)$', text, re.M):
            out[m.group(1)] = int(m.group(2))
        return out

    def hwm_kib(self) -> int:
        with open(f"/proc/{self.daemon.proc.pid}/status") as f:
            return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))

    def wait_metric(self, name, pred, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            v = self.metrics().get(name, 0)
            if pred(v):
                return v
            time.sleep(0.2)
        self.fail(f"{name} never right within {timeout} s (last {self.metrics().get(name)})")

    def friends(self, lo, hi):
        return [(f"f{n}", "!whoami", f"r{n}") for n in range(lo, hi)]

    def probe(self, k):
        return ("u2", "!whoami", f"probe{k}")       # Mark, the minister

    def answered_friends(self):
        per_room = {}
        for a in self.site.sent("send"):
            if a["room"].startswith("r"):
                per_room[a["room"]] = per_room.get(a["room"], 0) + 1
        return per_room

    def test_thirty_thousand_friends_and_staff_still_get_through(self):
        lines, sent_at = [], {}
        for k in range(6):
            lines += self.friends(k * 5000, (k + 1) * 5000)
            lines.append(self.probe(k))
        start = time.monotonic()
        # the probe's send time is when the site wrote it: write in six parts
        for k in range(6):
            self.site.say(lines[k * 5001:(k + 1) * 5001])
            sent_at[k] = time.monotonic()
        written = time.monotonic() - start
        late = []
        for k in range(6):
            a = self.site.wait_sent(30, kind="send", room=f"probe{k}")
            self.assertEqual(len(a), 1, f"probe{k} answered {len(a)} times")
            self.assertIn("Mark Novak", a[0]["text"])
            late.append(round(a[0]["at"] - sent_at[k], 2))
        # every friend: answered once, or counted as turned away
        turned = self.wait_metric("dutybot_commands_turned_away_total", lambda v: v > 0, 10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answered = self.answered_friends()
            turned = self.metrics()["dutybot_commands_turned_away_total"]
            if len(answered) + turned >= FRIENDS:
                break
            time.sleep(0.5)
        twice = sum(1 for v in answered.values() if v > 1)
        m = self.metrics()
        hwm = self.hwm_kib()
        # told once when it began, once when calm (after FLOW_CALM_MS)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(self.site.sent("send", room="alerts")) < 2:
            time.sleep(0.2)
        alerts = [a["text"] for a in self.site.sent("send", room="alerts")]
        figures("30,000 friends, 6 staff probes, site acking", friends=FRIENDS, seconds_to_write=round(written, 1),
                answered=len(answered), turned_away=turned, lost=FRIENDS - len(answered) - turned,
                duplicates=twice, probe_seconds=late, vm_hwm_kib=hwm, reading_pauses=m["dutybot_reading_pauses_total"])
        self.assertEqual(len(answered) + turned, FRIENDS, "a friend's command neither answered nor counted")
        self.assertEqual(twice, 0)
        self.assertGreater(turned, 0)
        self.assertLess(max(late), 20, "staff waited behind the friends")
        self.assertEqual(len(alerts), 2, alerts)
        self.assertIn("Too many commands on site", alerts[0])
        self.assertIn(f"{turned} commands from chat friends were not taken", alerts[1])
        if not sanitized():
            self.assertLess(hwm, RSS_BOUND_KIB)

    def test_a_site_that_stops_acking_keeps_memory_bounded(self):
        self.site.set_acking(False)
        self.site.say(self.friends(0, FRIENDS) + [self.probe(0)])
        # the probe is taken and waits in the queue; friends past the cap are turned away
        self.wait_metric("dutybot_events_in_total", lambda v: v >= FRIENDS + 1, 60)
        self.wait_metric("dutybot_commands_in_hand", lambda v: v == 0, 30)
        m = self.metrics()
        depth = m["dutybot_queue_depth"]
        hwm = self.hwm_kib()
        self.site.set_acking(True)
        a = self.site.wait_sent(60, kind="send", room="probe0")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answered = self.answered_friends()
            if len(answered) + m["dutybot_commands_turned_away_total"] >= FRIENDS and \
                    self.metrics()["dutybot_queue_depth"] == 0:
                break
            time.sleep(0.5)
        figures("30,000 friends, site not acking", friends=FRIENDS, queue_depth_while_stalled=depth,
                turned_away=m["dutybot_commands_turned_away_total"], answered_after=len(answered),
                lost=FRIENDS - len(answered) - m["dutybot_commands_turned_away_total"], vm_hwm_kib=hwm)
        self.assertEqual(len(a), 1)
        # the queue holds what was taken before it was full, the probe, the alert
        self.assertLessEqual(depth, 1000 + 3)
        self.assertEqual(len(answered) + m["dutybot_commands_turned_away_total"], FRIENDS)
        if not sanitized():
            self.assertLess(hwm, RSS_BOUND_KIB)


class HeldRedis(unittest.TestCase):
    """max_pending = 8: Redis holds every call (CLIENT PAUSE), staff keep
    typing; at 8 commands in hand the socket is not read (what the site
    writes meanwhile is not read: events_in stays), and once Redis answers,
    every command is answered once."""

    def setUp(self):
        import tempfile, shutil
        self.tmp = tempfile.mkdtemp(prefix="dutybot-flood-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.redis = Redis(self.tmp)
        self.addCleanup(self.redis.stop)
        conn = ('(\n  { name = "site"; type = "site"; url = "ws://127.0.0.1:%d/bot"; token = "tok-held";'
                ' max_pending = 8; channels = { ops = "ops"; alerts = "alerts"; }; }\n)')
        port = free_port()
        self.config = write_config(os.path.join(self.tmp, "dutybot.cfg"), redis_port=self.redis.port,
                                   token="tok-held", site_port=port, connections=conn % port)
        self.site = FloodSite(port, "tok-held")
        self.addCleanup(self.site.stop)
        self.daemon = Daemon(self.config, log_path=os.path.join(self.tmp, "dutybot.log"))
        self.addCleanup(stop_clean, self.daemon)
        self.assertTrue(self.site.ready.wait(20), "the daemon never identified")
    metrics = Flood.metrics

    def test_reading_stops_at_the_cap_and_nothing_is_lost(self):
        self.site.say([("u2", "!ping", "warm")])
        self.site.wait_sent(10, kind="send", room="warm")
        self.redis.cmd("CLIENT", "PAUSE", 6000, "ALL")
        staff = ["u1", "u2", "u3", "u4", "u5", "u6"]
        first = [(staff[n % 6], "!ping", f"p{n}") for n in range(12)]
        self.site.say(first)
        time.sleep(1.5)
        m1 = self.metrics()
        self.site.say([(staff[n % 6], "!ping", f"p{n}") for n in range(12, 20)])
        time.sleep(1.5)
        m2 = self.metrics()
        figures("Redis held, max_pending 8", in_hand=m1["dutybot_commands_in_hand"],
                paused=m1["dutybot_reading_paused"], events_before=m1["dutybot_events_in_total"],
                events_after_more=m2["dutybot_events_in_total"])
        self.assertEqual(m1["dutybot_reading_paused"], 1)
        self.assertGreaterEqual(m1["dutybot_commands_in_hand"], 8)
        self.assertEqual(m2["dutybot_events_in_total"], m1["dutybot_events_in_total"],
                         "the socket was read while over the cap")
        self.redis.cmd("CLIENT", "UNPAUSE")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(not self.site.sent("send", room=f"p{n}") for n in range(20)):
            time.sleep(0.2)
        counts = [len(self.site.sent("send", room=f"p{n}")) for n in range(20)]
        m3 = self.metrics()
        figures("Redis answers again", answered=sum(1 for c in counts if c), duplicates=sum(1 for c in counts if c > 1),
                paused=m3["dutybot_reading_paused"], pauses=m3["dutybot_reading_pauses_total"])
        self.assertEqual(counts, [1] * 20)
        self.assertEqual(m3["dutybot_reading_paused"], 0)
        self.assertGreaterEqual(m3["dutybot_reading_pauses_total"], 1)


if __name__ == "__main__":
    unittest.main()
