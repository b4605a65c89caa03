"""End-to-end test harness for dutybot (Python 3.11, standard library only).

Each test gets its own world on 127.0.0.1: a real ``redis-server`` in a
temporary directory, a generated dutybot config, the fake site
(``dutybot-demo-site --machine``, whose stdout is one JSON event per line) and,
optionally, the real ``dutybot`` binary.  The test talks to the daemon as chat
users would - by typing lines into the fake site - and asserts on the events
the site reports and on what is in Redis.

Binaries come from the environment: ``DUTYBOT_BIN`` and ``DEMO_SITE_BIN``
(ctest sets both).  Every wait has a timeout, so nothing can hang; set
``DUTYBOT_E2E_KEEP=1`` to keep the temporary directories for inspection.

Quick reference::

    class ShiftTest(E2E):
        def test_ping(self):
            self.site.say("mia", "!ping")
            self.site.wait({"ev": "send", "room": "lobby", "text": "pong"})

The harness is split by what it runs; tests import everything from here:
harness_proc.py (ports, waiting, binaries), harness_redis.py (Redis),
harness_config.py (write_config, STAFF), harness_site.py (DemoSite, matches),
harness_daemon.py (Daemon); this file keeps the test case (E2E, stop_clean).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import unittest
from typing import Any

# re-exported: the tests import these from harness
from harness_config import STAFF, TestConfig, quote, write_config
from harness_daemon import Daemon
from harness_proc import HOST, _binary, _die_with_parent, _wait_until, free_port
from harness_redis import Redis, RedisError
from harness_site import DemoSite, matches

__all__ = [
    "HOST", "STAFF", "free_port", "quote", "write_config", "TestConfig",
    "Redis", "RedisError", "DemoSite", "Daemon", "E2E", "matches",
    "stop_clean", "_binary", "_wait_until", "_die_with_parent",
]

# --------------------------------------------------------------------------- the test case

def stop_clean(daemon: Daemon) -> None:
    """Stop DAEMON; a non-zero exit (but for a kill the test did) or a
    sanitizer report in its log fails the test."""
    killed = daemon.returncode is not None and daemon.returncode < 0
    code = daemon.stop()
    log = daemon.log()
    for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        if bad in log:
            raise AssertionError(f"dutybot reported {bad}:\n{daemon.log_tail(60)}")
    if code not in (0, None) and not (killed or code == -signal.SIGKILL):
        raise AssertionError(f"dutybot exited {code}:\n{daemon.log_tail(30)}")


class E2E(unittest.TestCase):
    """Base class: a world per test.  setUp starts Redis, writes the config,
    starts the demo site and (START_DAEMON) dutybot, and waits until dutybot
    is identified (WAIT_READY).  Everything is stopped again afterwards; on a
    failure the daemon's log tail and the site's last events are printed.

    Class knobs: START_DAEMON, WAIT_READY, HEARTBEAT_MS, MAX_RATE, CONFIG (write_config
    overrides), REDIS_ARGS (added to redis-server's, e.g. ("--appendonly", "yes")), DAEMON_ENV (e.g. {"DUTYBOT_FAKE_NOW": "2025-03-03T07:55:00Z"}).
    """

    START_DAEMON = True
    WAIT_READY = True
    HEARTBEAT_MS: int | None = None
    MAX_RATE: int | None = None
    CONFIG: dict = {}
    DAEMON_ENV: dict = {}
    REDIS_ARGS: tuple = ()

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="dutybot-e2e-")
        if not os.environ.get("DUTYBOT_E2E_KEEP"):
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.daemon: Daemon | None = None
        self.redis = Redis(self.tmp, args=self.REDIS_ARGS)
        self.addCleanup(self.redis.stop)
        self.config = write_config(os.path.join(self.tmp, "dutybot.cfg"),
                                   redis_port=self.redis.port, **self.config_overrides())
        self.site = DemoSite(self.config, heartbeat_ms=self.HEARTBEAT_MS,
                             max_rate=self.MAX_RATE, log_dir=self.tmp)
        self.addCleanup(self.site.stop)
        self.addCleanup(self.no_placeholders)
        if self.START_DAEMON:
            self.start_daemon()
            if self.WAIT_READY:
                self.site.wait({"ev": "ready"}, timeout=20)

    def config_overrides(self) -> dict:
        """write_config() overrides; the default is the CONFIG class attribute."""
        return dict(self.CONFIG)

    def start_daemon(self, **env: Any) -> Daemon:
        """Start (another) dutybot with DAEMON_ENV plus ENV; stopped at cleanup,
        where a non-zero exit or a sanitizer report fails the test."""
        self.daemon = Daemon(self.config, env={**self.DAEMON_ENV, **env},
                             log_path=os.path.join(self.tmp, "dutybot.log"))
        self.addCleanup(self._stop_clean, self.daemon)
        return self.daemon

    def _stop_clean(self, daemon: Daemon) -> None:
        stop_clean(daemon)

    def no_placeholders(self) -> None:
        """Fails the test when a reply had a line whose value is only a
        dash ("Roster gaps: -."): a part with nothing to say is left out."""
        if self.site.placeholders:
            raise AssertionError("replies with a placeholder-only line (leave the part out):\n"
                                 + "\n---\n".join(self.site.placeholders[:5]))

    def key(self, *parts: str) -> str:
        """A Redis key of this test's site: key("staff", "mia") -> "dutybot:{t1a2}:staff:mia"."""
        return "dutybot:{%s}:%s" % (self.config.site, ":".join(parts))

    def ask(self, person: str, text: str, expect: Any, room: str = "lobby",
            timeout: float = 10.0) -> dict:
        """PERSON says TEXT; wait for the bot's answer matching EXPECT (a
        substring of the text, or a dict): a send in ROOM, or a dm to PERSON
        when ROOM is "dm"."""
        self.site.say(person, text, room=room)
        want = {"ev": "dm", "to": person.lower()} if room == "dm" else {"ev": "send", "room": room}
        if isinstance(expect, dict):
            want.update(expect)
        else:
            want["text"] = expect
        return self.site.wait(want, timeout=timeout)

    def _failed(self) -> bool:
        outcome = getattr(self, "_outcome", None)
        if outcome is None:
            return False
        if not getattr(outcome, "success", True):
            return True
        result = getattr(outcome, "result", None)
        problems = list(getattr(result, "errors", [])) + list(getattr(result, "failures", []))
        return any(test is self for test, _ in problems)

    def tearDown(self) -> None:
        if not self._failed():
            return
        out = [f"\n===== {self.id()}: diagnostics (temp dir {self.tmp}) ====="]
        if self.daemon:
            state = "running" if self.daemon.running else f"exited {self.daemon.returncode}"
            out.append(f"----- dutybot log, last 60 lines ({state}) -----")
            out.append(self.daemon.log_tail(60))
        out.append("----- demo site, last 40 events -----")
        out.append(self.site.tail(40))
        err = self.site.stderr().strip()
        if err:
            out.append("----- demo site stderr (last 20 lines) -----")
            out.append("\n".join(err.splitlines()[-20:]))
        print("\n".join(out), file=sys.stderr, flush=True)
