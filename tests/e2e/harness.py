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
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from typing import Any, Callable, Iterable

HOST = "127.0.0.1"

__all__ = [
    "HOST", "STAFF", "free_port", "quote", "write_config", "TestConfig",
    "Redis", "RedisError", "DemoSite", "Daemon", "E2E", "matches",
]

# --------------------------------------------------------------------------- ports

_ports_given: set[int] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (and not handed out before by
    this process)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        if port not in _ports_given:
            _ports_given.add(port)
            return port
    raise RuntimeError("no free port found")


def _wait_until(pred: Callable[[], Any], timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def _die_with_parent() -> None:
    """preexec_fn: SIGTERM the child when the test process dies (e.g. killed
    by a ctest timeout), so no redis-server or dutybot is left behind."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _binary(var: str) -> str:
    path = os.environ.get(var)
    if not path:
        raise unittest.SkipTest(f"{var} is not set (ctest sets it to the built binary)")
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest(f"{var}={path} is not an executable")
    return path


# --------------------------------------------------------------------------- Redis

class RedisError(Exception):
    """An error reply from Redis (the message is Redis's, e.g. 'WRONGTYPE ...')."""


class Redis:
    """A private redis-server on a free port, and a tiny RESP2 client for it.

    ``cmd("HGETALL", key)`` returns str / int / None / list (bulk strings are
    decoded as UTF-8 when they are valid UTF-8, else returned as bytes); an
    error reply raises RedisError.  ``stop()`` and ``start()`` restart the
    server on the same port (data is not kept: --save '' --appendonly no).
    """

    def __init__(self, tmpdir: str, port: int | None = None, start: bool = True):
        self.dir = tmpdir
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._rfile = None
        if start:
            self.start()

    # -- process
    def start(self, timeout: float = 10.0) -> None:
        if self.proc and self.proc.poll() is None:
            return
        log = open(os.path.join(self.dir, f"redis-{self.port}.log"), "ab")
        try:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", HOST,
                 "--save", "", "--appendonly", "no", "--dir", self.dir],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent)
        finally:
            log.close()

        def answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode} "
                                   f"(see {self.dir}/redis-{self.port}.log)")
            try:
                return self.cmd("PING") == "PONG"
            except (OSError, ConnectionError):
                self._disconnect()
                return False
        _wait_until(answers, timeout, f"redis-server on port {self.port} to answer PING")

    def stop(self, timeout: float = 10.0) -> None:
        if not self.proc:
            return
        if self.proc.poll() is None:
            try:
                self._send(["SHUTDOWN", "NOSAVE"])
                self._rfile.readline()          # the server just closes
            except (OSError, ConnectionError, AttributeError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._disconnect()
        self.proc = None

    @property
    def running(self) -> bool:
        return bool(self.proc and self.proc.poll() is None)

    # -- client
    def _disconnect(self) -> None:
        if self._rfile:
            self._rfile.close()
        if self._sock:
            self._sock.close()
        self._sock = self._rfile = None

    def _connected(self) -> bool:
        """False when there is no connection or the server closed it (e.g. a restart)."""
        if not self._sock:
            return False
        try:
            readable, _, _ = select.select([self._sock], [], [], 0)
            if readable and not self._sock.recv(1, socket.MSG_PEEK):
                return False
        except OSError:
            return False
        return True

    def _send(self, args: Iterable[Any]) -> None:
        if not self._connected():
            self._disconnect()
            self._sock = socket.create_connection((HOST, self.port), timeout=10)
            self._rfile = self._sock.makefile("rb")
        out = []
        args = list(args)
        out.append(b"*%d\r\n" % len(args))
        for a in args:
            if isinstance(a, bytes):
                b = a
            elif isinstance(a, bool):
                b = b"1" if a else b"0"
            else:
                b = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self._sock.sendall(b"".join(out))

    def _read(self):
        line = self._rfile.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("redis closed the connection")
        kind, body = line[:1], line[1:-2]
        if kind == b"+":
            return body.decode()
        if kind == b"-":
            return RedisError(body.decode(errors="replace"))
        if kind == b":":
            return int(body)
        if kind == b"$":
            n = int(body)
            if n < 0:
                return None
            data = self._rfile.read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("redis closed the connection")
            data = data[:-2]
            try:
                return data.decode()
            except UnicodeDecodeError:
                return data
        if kind == b"*":
            n = int(body)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise ConnectionError(f"unexpected reply from redis: {line!r}")

    def cmd(self, *args: Any):
        """Run one command; returns the reply, raises RedisError for an error
        reply (errors inside arrays, e.g. from EXEC, are returned as RedisError
        objects in the list)."""
        self._send(args)
        try:
            reply = self._read()
        except (OSError, ConnectionError):
            self._disconnect()
            raise
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def keys(self, pattern: str = "*") -> list[str]:
        """All keys matching PATTERN (SCAN, so it is safe on a big keyspace)."""
        cursor, out = "0", []
        while True:
            cursor, batch = self.cmd("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)
            out.extend(batch)
            if cursor == "0":
                return sorted(out)


# --------------------------------------------------------------------------- config

STAFF = [   # the staff of config/dutybot.example.cfg
    {"id": "lemon", "name": "Lemon Chen", "role": "webmaster", "uid": "u1"},
    {"id": "mark", "name": "Mark Novak", "role": "minister", "uid": "u2"},
    {"id": "vera", "name": "Vera Kovacs", "role": "vice_minister", "lang": "hu", "uid": "u4"},
    {"id": "mia", "name": "Mia Keller", "role": "agent", "level": "CCS", "uid": "u3"},
    {"id": "tom", "name": "Tom Berger", "role": "agent", "level": "TRN", "lang": "de", "uid": "u5"},
    {"id": "sara", "name": "Sara Ruiz", "role": "agent", "level": "SAM", "lang": "es", "uid": "u6"},
]

# Top-level settings whose value is a plain string: a Python str given for
# one of them is quoted unless it already is.
_STRING_SETTINGS = {"site", "key_prefix", "command_prefix", "timezone", "default_lang",
                    "log_level"}


def quote(s: str) -> str:
    """A libconfig string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _value(key: str, v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        if key in _STRING_SETTINGS and not v.lstrip().startswith('"'):
            return quote(v)
        return v
    raise TypeError(f"config override {key}: give raw libconfig text, a number or a bool")


@dataclasses.dataclass
class TestConfig:
    """What write_config() chose, for the test to use."""
    path: str
    site: str
    token: str
    connection: str
    url: str
    site_port: int
    http_port: int
    redis_port: int
    staff: list


def write_config(path: str, *, redis_port: int, site: str | None = None,
                 token: str | None = None, site_port: int | None = None,
                 http_port: int | None = None, connection: str = "site",
                 staff: list | None = None, **overrides: Any) -> TestConfig:
    """Write a dutybot config for a test and return what it chose.

    Defaults: site "t<random>", Redis on 127.0.0.1:REDIS_PORT, the HTTP
    endpoint on a free port, one site connection CONNECTION on
    ws://127.0.0.1:<free port>/bot with TOKEN, channels ops/alerts/tech/
    complaints (rooms of the same names), the STAFF of the example config
    (lemon webmaster u1, mark minister u2, vera vice_minister u4 lang hu, mia
    agent CCS u3, tom agent TRN u5 lang de, sara agent SAM u6 lang es), log
    level debug and generous per-person limits.

    OVERRIDES replace or add top-level settings as raw libconfig text, e.g.
    ``limits="{ commands_per_minute = 2; burst = 1; }"``,
    ``shifts='( { name = "day"; start = "08:00"; end = "16:00"; } )'``,
    ``timezone="Europe/Berlin"`` (plain-string settings are quoted for you);
    None removes a default setting.
    """
    site = site or "t" + secrets.token_hex(4)
    token = token or "tok-" + secrets.token_hex(8)
    site_port = site_port or free_port()
    http_port = http_port or free_port()
    staff = STAFF if staff is None else staff
    url = f"ws://{HOST}:{site_port}/bot"

    def staff_entry(p: dict) -> str:
        fields = [f"id = {quote(p['id'])};", f"name = {quote(p['name'])};",
                  f"email = {quote(p.get('email', p['id'] + '@example.org'))};",
                  f"role = {quote(p['role'])};"]
        if p.get("level"):
            fields.append(f"level = {quote(p['level'])};")
        if p.get("lang"):
            fields.append(f"lang = {quote(p['lang'])};")
        idents = list(p.get("identities", []))
        if p.get("uid"):
            idents.insert(0, f"{connection}:{p['uid']}")
        fields.append("identities = ( " + ", ".join(quote(i) for i in idents) + " );")
        return "    { " + " ".join(fields) + " }"

    settings: dict[str, str] = {
        "site": quote(site),
        "command_prefix": quote("!"),
        "timezone": quote("UTC"),
        "log_level": quote("debug"),
        "redis": f"{{ host = {quote(HOST)}; port = {redis_port}; }}",
        "http": f"{{ listen = {quote(f'{HOST}:{http_port}')}; }}",
        "connections": (
            "(\n  { name = %s; type = \"site\"; url = %s; token = %s;\n"
            "    channels = { ops = \"ops\"; alerts = \"alerts\"; tech = \"tech\";"
            " complaints = \"complaints\"; }; }\n)"
            % (quote(connection), quote(url), quote(token))),
        "staff": "(\n" + ",\n".join(staff_entry(p) for p in staff) + "\n)",
        "limits": '{ commands_per_minute = 600; burst = 100; dedupe_ttl = "24h"; }',
    }
    for key, v in overrides.items():
        if v is None:
            settings.pop(key, None)
        else:
            settings[key] = _value(key, v)
    text = "# written by tests/e2e/harness.py write_config()\n" + "".join(
        f"{k} = {v};\n" for k, v in settings.items())
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return TestConfig(path=path, site=site, token=token, connection=connection, url=url,
                      site_port=site_port, http_port=http_port, redis_port=redis_port,
                      staff=staff)


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


# --------------------------------------------------------------------------- the daemon

class Daemon:
    """The real dutybot binary with a test config; stdout and stderr go to LOG_PATH."""

    def __init__(self, config: TestConfig | str, *, env: dict | None = None,
                 args: Iterable[str] = (), log_path: str | None = None, start: bool = True):
        self.config_path = config.path if isinstance(config, TestConfig) else config
        self.env = dict(env or {})
        self.args = list(args)
        self.log_path = log_path or os.path.join(
            os.path.dirname(os.path.abspath(self.config_path)), "dutybot.log")
        self.proc: subprocess.Popen | None = None
        if start:
            self.start()

    def start(self) -> None:
        env = dict(os.environ)
        env.update({k: str(v) for k, v in self.env.items()})
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([_binary("DUTYBOT_BIN"), "-c", self.config_path,
                                          *self.args],
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, env=env,
                                         preexec_fn=_die_with_parent)

    @property
    def running(self) -> bool:
        return bool(self.proc and self.proc.poll() is None)

    @property
    def returncode(self) -> int | None:
        return self.proc.poll() if self.proc else None

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM; asserts that dutybot exits within TIMEOUT; returns the exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"dutybot did not exit within {timeout:g}s of SIGTERM; "
                                 f"log tail:\n{self.log_tail(30)}") from None

    def kill(self) -> None:
        """SIGKILL: a crash, as far as Redis and the site can tell."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def log(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-n:])

    def log_mark(self) -> int:
        """A position in the log for wait_log(since=...)."""
        return len(self.log())

    def wait_log(self, regex: str | re.Pattern, timeout: float = 10.0,
                 since: int = 0) -> re.Match:
        """The first match of REGEX in the log (from SINCE on), waiting for it."""
        rx = re.compile(regex, re.M) if isinstance(regex, str) else regex

        def found():
            m = rx.search(self.log(), since)
            if not m and self.proc and self.proc.poll() is not None:
                raise AssertionError(f"dutybot exited ({self.proc.returncode}) before logging "
                                     f"{rx.pattern!r}; log tail:\n{self.log_tail(30)}")
            return m
        try:
            return _wait_until(found, timeout, f"{rx.pattern!r} in the dutybot log")
        except AssertionError as e:
            if "log tail" in str(e):
                raise
            raise AssertionError(f"{e}; log tail:\n{self.log_tail(30)}") from None


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
    overrides), DAEMON_ENV (e.g. {"DUTYBOT_FAKE_NOW": "2025-03-03T07:55:00Z"}).
    """

    START_DAEMON = True
    WAIT_READY = True
    HEARTBEAT_MS: int | None = None
    MAX_RATE: int | None = None
    CONFIG: dict = {}
    DAEMON_ENV: dict = {}

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="dutybot-e2e-")
        if not os.environ.get("DUTYBOT_E2E_KEEP"):
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.daemon: Daemon | None = None
        self.redis = Redis(self.tmp)
        self.addCleanup(self.redis.stop)
        self.config = write_config(os.path.join(self.tmp, "dutybot.cfg"),
                                   redis_port=self.redis.port, **self.config_overrides())
        self.site = DemoSite(self.config, heartbeat_ms=self.HEARTBEAT_MS,
                             max_rate=self.MAX_RATE, log_dir=self.tmp)
        self.addCleanup(self.site.stop)
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
