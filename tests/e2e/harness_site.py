"""Part of the end-to-end harness (tests import it through harness.py): the fake
site (dutybot-demo-site --machine) a test types into, and matching the JSON
events it reports.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from typing import Any, Callable, Iterable

from harness_proc import _binary, _die_with_parent
from harness_config import TestConfig


# --------------------------------------------------------------------------- placeholders

# A value that is only a dash ("Emergency plan: -", "lead —;", "median -,",
# a line of "—"): a reply must leave such a part out.  Checked on every bot
# message the site reports, once, as it is read; ranges ("06:00–14:00") and
# dashes between words ("Mia — agent") do not match.
PLACEHOLDER = re.compile(r"(?:^|[\s:：])[-—–](?=[.,;。；，]?[ \t]*(?:$|\n)|[,;，；]\s)|[:：]\s*[-—–]\s+\d", re.M)
BOT_SAYS = ("send", "dm")


def placeholder_lines(text: str) -> list[str]:
    """The lines of TEXT with a placeholder-only value."""
    if not PLACEHOLDER.search(text):
        return []
    return [line for line in text.split("\n") if PLACEHOLDER.search(line + "\n")]


# --------------------------------------------------------------------------- matching

def matches(event: dict, match: dict | Callable[[dict], bool]) -> bool:
    """Does EVENT match?  MATCH is a predicate, or a dict that must be a
    subset of the event: values compare equal, except that a str given for
    "text" matches as a substring, a compiled regex is searched, a callable is
    called with the value, and a nested dict matches as a subset."""
    if callable(match):
        return bool(match(event))
    for key, want in match.items():
        if key not in event:
            return False
        got = event[key]
        if isinstance(want, re.Pattern):
            if not isinstance(got, str) or not want.search(got):
                return False
        elif callable(want):
            if not want(got):
                return False
        elif key == "text" and isinstance(want, str):
            if not isinstance(got, str) or want not in got:
                return False
        elif isinstance(want, dict) and isinstance(got, dict):
            if not matches(got, want):
                return False
        elif isinstance(want, bool) or isinstance(got, bool):
            if type(want) is not type(got) or want != got:
                return False
        elif got != want:
            return False
    return True


def _describe(match) -> str:
    if callable(match):
        return getattr(match, "__name__", repr(match))
    return json.dumps(match, default=repr, ensure_ascii=False)


# --------------------------------------------------------------------------- the fake site

class DemoSite:
    """dutybot-demo-site --machine: type lines into it, wait for its events.

    Events are kept in ``events`` (all of them, in order).  ``wait()`` returns
    the first matching event after the cursor and moves the cursor past it,
    so each wait sees only what happened after the last one it returned.
    """

    def __init__(self, config: TestConfig | str, *, heartbeat_ms: int | None = None,
                 max_rate: int | None = None, connection: str | None = None,
                 args: Iterable[str] = (), log_dir: str | None = None, start: bool = True):
        self.config_path = config.path if isinstance(config, TestConfig) else config
        self.heartbeat_ms = heartbeat_ms
        self.max_rate = max_rate
        self.connection = connection
        self.args = list(args)
        self.log_dir = log_dir or os.path.dirname(os.path.abspath(self.config_path))
        self.stderr_path = os.path.join(self.log_dir, "demo-site.stderr")
        self.proc: subprocess.Popen | None = None
        self.events: list[dict] = []
        self.placeholders: list[str] = []       # bot messages with a placeholder-only line
        self.cursor = 0
        self.port: int | None = None
        self._cond = threading.Condition()
        self._eof = False
        self._reader: threading.Thread | None = None
        if start:
            self.start()

    def start(self, timeout: float = 10.0) -> None:
        cmd = [_binary("DEMO_SITE_BIN"), "-c", self.config_path, "--machine"]
        if self.heartbeat_ms is not None:
            cmd += ["--heartbeat-ms", str(self.heartbeat_ms)]
        if self.max_rate is not None:
            cmd += ["--max-rate", str(self.max_rate)]
        if self.connection:
            cmd += ["--connection", self.connection]
        cmd += self.args
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, preexec_fn=_die_with_parent)
        self._eof = False
        self._reader = threading.Thread(target=self._read_events, daemon=True,
                                        name="demo-site-events")
        self._reader.start()
        ev = self.wait(lambda e: e.get("ev") in ("listening", "error"), timeout=timeout)
        if ev["ev"] != "listening":
            raise RuntimeError(f"demo site did not start: {ev.get('why')}")
        self.port = ev["port"]

    def _read_events(self) -> None:
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            try:
                ev = json.loads(line)
                if not isinstance(ev, dict):
                    raise ValueError
            except ValueError:
                ev = {"ev": "_unparsed", "line": line}
            if ev.get("ev") in BOT_SAYS and isinstance(ev.get("text"), str) and placeholder_lines(ev["text"]):
                self.placeholders.append(ev["text"])
            with self._cond:
                self.events.append(ev)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    # -- input
    def type(self, line: str) -> None:
        """Type one line at the site's prompt."""
        if "\n" in line:
            raise ValueError("one line at a time: the site's prompt is line based")
        if not self.running:
            raise AssertionError("the demo site is not running")
        self.proc.stdin.write(line.encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def say(self, person: str, text: str, room: str = "lobby", timeout: float = 10.0) -> dict:
        """PERSON says TEXT in ROOM ("dm": privately to the bot); returns the
        site's message event (with its id).  Does not move the cursor."""
        start = len(self.events)
        self.type(f"{person}> {text}" if room == "lobby" else f"{person}@{room}> {text}")
        want = {"ev": "message", "user": person.lower(),
                "dm": room == "dm", "text": lambda t: t == text.lstrip(" \t")}
        return self._find(want, timeout, start=start, consume=False)

    def dm(self, person: str, text: str, timeout: float = 10.0) -> dict:
        """PERSON writes TEXT privately to the bot."""
        return self.say(person, text, room="dm", timeout=timeout)

    def person(self, name: str, uid: str, display: str | None = None) -> None:
        """From now on "NAME> ..." speaks as site user UID (shown as DISPLAY),
        e.g. for someone a test added to the staff with a site identity."""
        self.command(f"/person {name} {uid}" + (f" {display}" if display else ""))

    def command(self, line: str, timeout: float = 10.0) -> dict:
        """Type a site command ("/acks off") and wait until it took effect;
        raises AssertionError if the site refused it.  Does not move the cursor."""
        name = line.split()[0].lstrip("/")
        start = len(self.events)
        self.type(line)
        ev = self._find(lambda e: (e.get("ev") == "cmd" and e.get("cmd") == name)
                        or e.get("ev") == "error", timeout, start=start, consume=False)
        if ev["ev"] == "error":
            raise AssertionError(f"site command {line!r} failed: {ev.get('why')}")
        return ev

    # -- events
    def _find(self, match, timeout: float, start: int | None = None, consume: bool = True):
        deadline = time.monotonic() + timeout
        i = self.cursor if start is None else start
        with self._cond:
            while True:
                while i < len(self.events):
                    if matches(self.events[i], match):
                        if consume:
                            self.cursor = i + 1
                        return self.events[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    break
                self._cond.wait(min(left, 0.5))
        why = "the demo site exited" if self._eof else f"{timeout:g}s passed"
        raise AssertionError(f"no event matching {_describe(match)} ({why}); "
                             f"latest events:\n{self.tail(20)}")

    def wait(self, match, timeout: float = 10.0, consume: bool = True) -> dict:
        """The first event after the cursor matching MATCH (a dict subset or
        a predicate); the cursor moves past it unless CONSUME is false."""
        return self._find(match, timeout, consume=consume)

    def wait_all(self, *matches_: Any, timeout: float = 10.0) -> list[dict]:
        """Distinct events after the cursor matching each of MATCHES, in any
        order; the cursor moves past the last of them."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found: list[int | None] = [None] * len(matches_)
                for i in range(self.cursor, len(self.events)):
                    for k, m in enumerate(matches_):
                        if found[k] is None and i not in found and matches(self.events[i], m):
                            found[k] = i
                            break
                if all(f is not None for f in found):
                    self.cursor = max(found) + 1
                    return [self.events[i] for i in found]
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    missing = [_describe(m) for m, f in zip(matches_, found) if f is None]
                    raise AssertionError(f"no events matching {', '.join(missing)}; "
                                         f"latest events:\n{self.tail(20)}")
                self._cond.wait(min(left, 0.5))

    def expect_none(self, match, within: float = 1.0) -> None:
        """Fail if an event after the cursor matches within WITHIN seconds
        (the cursor does not move)."""
        deadline = time.monotonic() + within
        with self._cond:
            while True:
                for ev in self.events[self.cursor:]:
                    if matches(ev, match):
                        raise AssertionError(f"unexpected event {json.dumps(ev)} "
                                             f"(matches {_describe(match)})")
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    return
                self._cond.wait(min(left, 0.2))

    def skip(self) -> None:
        """Move the cursor past everything seen so far."""
        with self._cond:
            self.cursor = len(self.events)

    def all(self, match) -> list[dict]:
        """Every event so far (cursor or not) matching MATCH."""
        with self._cond:
            return [e for e in self.events if matches(e, match)]

    def tail(self, n: int = 40) -> str:
        with self._cond:
            evs = self.events[-n:]
        return "\n".join("  " + json.dumps(e, ensure_ascii=False)[:500] for e in evs)

    # -- life
    @property
    def running(self) -> bool:
        return bool(self.proc and self.proc.poll() is None)

    def stop(self, timeout: float = 10.0) -> int | None:
        """/quit, else SIGTERM, else SIGKILL; returns the exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            try:
                self.type("/quit")
            except (OSError, AssertionError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        if self._reader:
            self._reader.join(5)
        self.proc.stdout.close()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def stderr(self) -> str:
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""
