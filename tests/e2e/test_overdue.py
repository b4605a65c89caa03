"""End-to-end: the escalation auditor (healthcheck.*).

A timer that fires more than overdue_after after its due time (here: one
due ten minutes ago, as after a daemon that was down or hung), or an outbox
entry a platform never answers, turns /healthz "degraded", counts in
dutybot_overdue_total and posts one alert to the alerts channel; while all
is well, ping_url is fetched every interval (an outside dead-man's switch),
and not while something is overdue.
"""

import http.server
import json
import re
import threading
import time
import urllib.request

from harness import E2E


class PingCounter:
    """A loopback HTTP server that counts GETs of one path."""

    def __init__(self):
        self.hits = []
        counter = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                counter.hits.append((time.monotonic(), self.path))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def wait(self, n, timeout=15.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(self.hits) >= n:
                return
            time.sleep(0.1)
        raise AssertionError(f"ping_url fetched {len(self.hits)} times, not {n}, in {timeout} s")


PING = PingCounter()


class Health:
    def healthz(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.config.http_port}/healthz", timeout=5) as r:
            return json.loads(r.read())


class Auditor(Health, E2E):
    CONFIG = {"healthcheck": '{ overdue_after = "5s"; interval = "1s"; ping_url = "http://127.0.0.1:%d/ping/dutybot?from=test"; }'
              % PING.port}

    def overdue_total(self) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.config.http_port}/metrics", timeout=5) as r:
            return int(re.search(r"^dutybot_overdue_total (\d+)$", r.read().decode(), re.M).group(1))

    def wait_health(self, status, timeout=15.0) -> dict:
        end = time.monotonic() + timeout
        while True:
            h = self.healthz()
            if h["status"] == status or time.monotonic() > end:
                self.assertEqual(h["status"], status, h)
                return h
            time.sleep(0.2)

    def test_a_late_timer_degrades_alerts_once_then_clears_and_pings_again(self):
        self.ask("mia", "!ping", "pong")
        start = len(PING.hits)
        PING.wait(start + 2)
        self.assertEqual(PING.hits[-1][1], "/ping/dutybot?from=test")
        self.assertEqual(self.healthz()["status"], "ok")
        self.assertEqual(self.overdue_total(), 0)
        # due ten minutes ago: the engine fires it now, ten minutes late
        due = int(time.time() * 1000) - 600_000
        self.redis.cmd("ZADD", self.key("timers"), str(due), "stuck|A-999")
        alert = self.site.wait({"ev": "send", "room": "alerts", "text": "dutybot is running late"}, timeout=15)
        self.assertIn("10 min", alert["text"])
        h = self.wait_health("degraded")
        self.assertEqual(h["overdue"], "timers")
        self.assertGreaterEqual(self.overdue_total(), 1)
        # a due timer the engine has not claimed yet (it polls every 2 s) is
        # overdue too; once fired, its lateness is logged with the timer
        self.daemon.wait_log(r"timer\(s\) fired more than 5 s late, the latest 6\d\d s \(stuck\|A-999\)")
        # the next clean check clears it and pings again (a degraded check never pings)
        self.wait_health("ok")
        pinged = len(PING.hits)
        PING.wait(pinged + 1)
        self.daemon.wait_log("healthcheck: nothing is overdue any more")
        # one alert for the episode
        self.site.expect_none({"ev": "send", "room": "alerts", "text": "dutybot is running late"}, within=1.5)

    def test_an_outbox_entry_the_platform_never_answers(self):
        self.ask("mia", "!ping", "pong")
        self.site.command("/lose 1 send")
        # what a script appends when something must reach the ops channel
        self.redis.cmd("XADD", self.key("outbox"), "*", "to", "channel:ops", "msg", "MSG_OVERDUE_OUTBOX",
                       "params", json.dumps({"minutes": "0"}))
        self.daemon.wait_log(r"an outbox entry has waited \d+ s to be delivered \(bound 5 s\)", timeout=20)
        # the alert waits behind the lost action on the same connection, until
        # the outbox gives that one up and sends both again
        ops, alert = self.site.wait_all({"ev": "send", "room": "ops", "text": "a message has waited"},
                                        {"ev": "send", "room": "alerts", "text": "a message has waited"},
                                        timeout=40)
        self.assertIn("waited 1 min", alert["text"])        # never "0 min"


class AuditorDefaults(Health, E2E):
    def test_defaults_check_each_minute_with_no_ping(self):
        self.ask("mia", "!ping", "pong")
        h = self.healthz()
        self.assertEqual(h["status"], "ok")
        self.assertNotIn("overdue", h)


def tearDownModule():
    PING.stop()
