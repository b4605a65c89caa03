"""The department of the seeds, at the default settings: the base of the
"real day" end-to-end tests.

One webmaster (lemon), one minister (mark), two vice ministers (vera, hu;
wei, zh) and agents of every level (mia CCS, tom TRN de, sara SAM es,
ana PAM).  No limits, policy, complaints or escalation settings are written,
so the daemon runs on its own defaults - the settings a new department
starts with - and the example config's shifts and time zone are used.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable

from harness import E2E, _wait_until

DEPARTMENT = [
    {"id": "lemon", "name": "Lemon Chen", "role": "webmaster", "uid": "u1"},
    {"id": "mark", "name": "Mark Novak", "role": "minister", "uid": "u2"},
    {"id": "vera", "name": "Vera Kovacs", "role": "vice_minister", "lang": "hu", "uid": "u4"},
    {"id": "wei", "name": "Wang Wei", "role": "vice_minister", "lang": "zh", "uid": "u7"},
    {"id": "mia", "name": "Mia Keller", "role": "agent", "level": "CCS", "uid": "u3"},
    {"id": "tom", "name": "Tom Berger", "role": "agent", "level": "TRN", "lang": "de", "uid": "u5"},
    {"id": "sara", "name": "Sara Ruiz", "role": "agent", "level": "SAM", "lang": "es", "uid": "u6"},
    {"id": "ana", "name": "Ana Horvat", "role": "agent", "level": "PAM", "uid": "u8"},
]

# config/dutybot.example.cfg's shifts and zone
EXAMPLE_SHIFTS = ('( { name = "early"; start = "06:00"; end = "14:00"; },'
                  ' { name = "late"; start = "14:00"; end = "22:00"; },'
                  ' { name = "night"; start = "22:00"; end = "06:00"; standby = "vera"; } )')


class RealDayE2E(E2E):
    """E2E at the defaults: the harness's generous limits are removed.
    A test class adds what it needs in EXTRA_CONFIG (keep it to what the
    example config itself sets) and a clock in DAEMON_ENV.

    The helpers every real-day test shares are here, once: moving the clock
    (start_at, restart_at), editing the written config (rewrite_config,
    mia_on_probation), asking (dm_ask, ask_in_lobby) and reading what
    happened (eventually, until, dms, answers_in_lobby, record, audit).
    Staff are not paced: at the default staff limits (120 a minute, bursts
    of 30, the excess delayed, never dropped) a test types as fast as it
    likes; only a test about the friends' limit paces itself."""

    EXTRA_CONFIG: dict = {}

    def config_overrides(self) -> dict:
        cfg = {"limits": None, "timezone": "Europe/Berlin", "shifts": EXAMPLE_SHIFTS,
               "staff": DEPARTMENT}
        cfg.update(self.CONFIG)
        cfg.update(self.EXTRA_CONFIG)
        return cfg

    # -- the daemon's clock and config --------------------------------------

    def rewrite_config(self, pattern: str, repl: str) -> None:
        """Replace what matches the regex PATTERN in the written config file
        with REPL (before the daemon reads it); it must match at least once."""
        with open(self.config.path, encoding="utf-8") as f:
            text, n = re.subn(pattern, repl, f.read())
        if not n:
            raise AssertionError(f"{pattern!r} is not in {self.config.path}")
        with open(self.config.path, "w", encoding="utf-8") as f:
            f.write(text)

    def mia_on_probation(self) -> None:
        """Mia's probation runs from 2026-09-01 for 90 days (ends 2026-11-30):
        written into the config, so START_DAEMON = False and start_at() after."""
        self.rewrite_config('id = "mia";', 'id = "mia"; probation_start = "2026-09-01"; probation = "90d";')

    def start_at(self, instant: str) -> None:
        """Start the daemon with its clock at INSTANT and wait until it is ready."""
        self.start_daemon(DUTYBOT_FAKE_NOW=instant)
        self.site.wait({"ev": "ready"}, timeout=20)

    def restart_at(self, instant: str) -> None:
        """Stop the daemon (cleanly) and start it again with its clock at
        INSTANT: the durable timers that fell due in between fire at the start,
        as after a real outage."""
        self.assertEqual(self.daemon.stop(), 0)
        self.site.wait({"ev": "closed"}, timeout=10)
        self.start_at(instant)

    # -- asking -------------------------------------------------------------

    def dm_ask(self, person: str, text: str, expect: Any) -> dict:
        """PERSON asks privately (a CMD_PRIVATE command); the answer matching
        EXPECT comes privately."""
        return self.ask(person, text, expect, room="dm")

    def ask_in_lobby(self, person: str, text: str, notice: str, expect: Any) -> dict:
        """PERSON types a command whose answer is private (CMD_PRIVATE) in the
        lobby: the lobby reads only NOTICE (exactly, in PERSON's language) and
        the answer matching EXPECT comes to PERSON as a dm; returns the dm."""
        said = self.site.say(person, text)
        room, answer = self.site.wait_all({"ev": "send", "room": "lobby", "text": lambda t: t == notice},
                                          {"ev": "dm", "to": person, "text": expect})
        self.site.expect_none({"ev": "send", "room": "lobby", "text": expect}, within=0.5)
        after = self.site.events[self.site.events.index(said):]
        self.assertEqual([e["text"] for e in after if e.get("ev") == "send" and e.get("room") == "lobby"
                          and e is not room and expect in e["text"]], [])
        return answer

    # -- reading what happened ----------------------------------------------

    def eventually(self, match: Any, timeout: float = 10.0) -> dict:
        """An event matching MATCH arrives (before or after the cursor; the cursor stays)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.site.all(match)
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"no event matching {match}; latest events:\n{self.site.tail(30)}")

    def until(self, pred: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
        """Poll PRED until it is true (returned); after TIMEOUT s fail naming WHAT."""
        return _wait_until(pred, timeout, what)

    def dms(self, to: str, prefix: str = "", settle: float = 0.0) -> list[str]:
        """The texts of the private messages to TO so far that start with
        PREFIX, after SETTLE seconds for the outbox to deliver."""
        time.sleep(settle)
        return [e["text"] for e in self.site.all({"ev": "dm", "to": to, "text": lambda t: t.startswith(prefix)})]

    def answers_in_lobby(self, n: int, timeout: float = 10.0) -> list[str]:
        """The bot's next N messages in the lobby, in the order they came."""
        return [self.site.wait({"ev": "send", "room": "lobby"}, timeout=timeout)["text"] for _ in range(n)]

    def record(self, *key: str) -> dict:
        """The Redis hash at key(*KEY) as a dict ({} when there is none)."""
        flat = self.redis.cmd("HGETALL", self.key(*key))
        return dict(zip(flat[::2], flat[1::2]))

    def audit(self) -> list[tuple[str, str, str]]:
        """The audit log, oldest first, as (action, subject, detail)."""
        out = []
        for e in self.redis.cmd("XRANGE", self.key("audit"), "-", "+"):
            f = dict(zip(e[1][::2], e[1][1::2]))
            out.append((f["action"], f["subject"], f["detail"]))
        return out
