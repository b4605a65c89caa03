"""The DRIVER of the fake Slack, test side: starts the fake server
(tests/fakes/slack/server.py) and drives it from a test.

Standard library only.  The fake itself needs aiohttp, so it is started with
``sys.executable``: run the tests with Debian's /usr/bin/python3 (ctest does).

Quick reference::

    slack = FakeSlack("xapp-1-A0APP-1-test", "xoxb-test", ack_timeout_ms=1000)
    slack.start()                       # READY line read; slack.api_url is ready
    ...                                 # point dutybot at slack.api_url
    slack.wait_for(lambda s: s["connections"]["hellos"] >= 1, what="the bot to connect")
    sent = slack.message(channel="C0OPS", user="U0MIA", text="!ping")
    slack.wait_acked(sent["envelope_id"])
    reply = slack.wait_message(lambda m: m["text"] == "pong", channel="C0OPS")
    slack.click("C0OPS", reply["ts"], "approve", user="U0BOSS")
    slack.misbehave(action="disconnect", reason="warning")
    slack.stop()

State (``state()``) is the fake's ``GET /_fake/state``: ``messages`` (the
bot's posts, in order: channel, ts, text, blocks, thread_ts, updates, ...),
``user_messages``, ``ephemerals``, ``response_url_posts``, ``dm_channels``,
``envelopes`` (envelope_id, type, event_id, retry_attempt, acked, ack_ms, ...),
``connections`` {opened, open_now, hellos, closed, all}, ``tickets_issued``,
``requests`` [{method, status, token_kind, ...}], ``rate_limited``,
``violations``, ``early_retries``, ...
"""

from __future__ import annotations

import collections
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable

HOST = "127.0.0.1"
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "fakes", "slack", "server.py")

__all__ = ["FakeSlack", "FakeSlackError"]


class FakeSlackError(RuntimeError):
    """The control API answered an error (the message carries its body)."""


def _die_with_parent() -> None:
    """preexec_fn: SIGTERM the fake when the test process dies."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class FakeSlack:
    """The fake Slack as a subprocess, and a client for its control API."""

    def __init__(self, app_token: str = "xapp-1-A0APP-1-fake", bot_token: str = "xoxb-0-fake",
                 **opts: Any):
        """``opts`` become command-line options: ``ack_timeout_ms=500`` is
        ``--ack-timeout-ms 500``; ``True`` is a bare flag (``echo_changes=True``),
        ``False``/``None`` leaves it out.  Common ones: port, bot_user, bot_id,
        team, app_id, ack_timeout_ms, max_retries, warning_ms, refresh_ms,
        channel_burst, ping_interval_ms, max_connections, no_echo, echo_changes."""
        self.app_token = app_token
        self.bot_token = bot_token
        self.opts = opts
        self.bot_user = opts.get("bot_user", "U0BOT")
        self.bot_id = opts.get("bot_id", "B0BOT")
        self.team = opts.get("team", "T0TEAM")
        self.proc: subprocess.Popen | None = None
        self._port: int | None = None
        self._err: collections.deque[str] = collections.deque(maxlen=5000)
        self._err_thread: threading.Thread | None = None

    # ---------------------------------------------------------------- lifecycle

    def _argv(self) -> list[str]:
        argv = [sys.executable, os.path.normpath(FAKE), "--app-token", self.app_token,
                "--bot-token", self.bot_token]
        for k, v in self.opts.items():
            if v is None or v is False:
                continue
            flag = "--" + k.replace("_", "-")
            argv += [flag] if v is True else [flag, str(v)]
        return argv

    def start(self, timeout: float = 10) -> "FakeSlack":
        if self.proc is not None:
            raise RuntimeError("already started")
        self.proc = subprocess.Popen(self._argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, preexec_fn=_die_with_parent)
        self._err_thread = threading.Thread(target=self._read_stderr, daemon=True, name="fake-slack-stderr")
        self._err_thread.start()
        deadline = time.monotonic() + timeout
        line = b""
        assert self.proc.stdout is not None
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                raise AssertionError(f"fake Slack did not print READY within {timeout:g}s\n{self.stderr()}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 1)
                if not chunk:
                    code = self.proc.wait(5)
                    raise AssertionError(f"fake Slack exited with {code} before READY\n{self.stderr()}")
                line += chunk
        parts = line.decode().split()
        if len(parts) != 2 or parts[0] != "READY":
            self.stop()
            raise AssertionError(f"unexpected first line from fake Slack: {line!r}")
        self._port = int(parts[1])
        return self

    def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for raw in self.proc.stderr:
            self._err.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def stop(self, timeout: float = 5) -> int | None:
        """Close the fake's stdin (it exits on EOF); terminate/kill if it lingers.
        Returns its exit code."""
        p = self.proc
        if p is None:
            return None
        if p.poll() is None:
            try:
                assert p.stdin is not None
                p.stdin.close()
            except OSError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.terminate()
                try:
                    p.wait(2)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for f in (p.stdin, p.stdout):
            try:
                if f:
                    f.close()
            except OSError:
                pass
        if self._err_thread:
            self._err_thread.join(2)
        try:
            if p.stderr:
                p.stderr.close()
        except OSError:
            pass
        return p.returncode

    def __enter__(self) -> "FakeSlack":
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("fake Slack not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        """What the bot uses instead of https://slack.com/api."""
        return f"{self.base_url}/api"

    def stderr(self, lines: int = 60) -> str:
        """The last lines the fake logged."""
        tail = list(self._err)[-lines:]
        return "\n".join(tail)

    # ---------------------------------------------------------------- control API

    def _http(self, method: str, path: str, body: Any = None, timeout: float = 10) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raise FakeSlackError(f"{method} {path} -> HTTP {e.code}: {e.read().decode(errors='replace')}") from None

    def message(self, channel: str | None = None, user: str = "U0ALICE", text: str = "", *,
                channel_type: str | None = None, subtype: str | None = None, bot_id: str | None = None,
                thread_ts: str | None = None, **extra: Any) -> dict:
        """A user posts ``text`` (escaped like Slack, mentions kept; ``raw=True``
        sends it as is).  ``channel_type="im"`` posts in the user's DM with the
        bot.  Returns {event_id, ts, channel, envelope_id, text}."""
        body: dict[str, Any] = {"user": user, "text": text}
        for k, v in (("channel", channel), ("channel_type", channel_type), ("subtype", subtype),
                     ("bot_id", bot_id), ("thread_ts", thread_ts)):
            if v is not None:
                body[k] = v
        body.update(extra)
        return self._http("POST", "/_fake/message", body)

    def event(self, event: dict) -> dict:
        """Deliver any Events API ``event`` (wrapped like Slack).  Returns
        {event_id, envelope_id}."""
        return self._http("POST", "/_fake/event", {"event": event})

    def click(self, channel: str, message_ts: str, action_id: str, user: str = "U0ALICE", **extra: Any) -> dict:
        """A user clicks the bot's button ``action_id`` on message ``message_ts``.
        Returns {envelope_id, trigger_id, response_url}; raises FakeSlackError
        if the message has no such button."""
        body = {"channel": channel, "message_ts": message_ts, "action_id": action_id, "user": user, **extra}
        return self._http("POST", "/_fake/click", body)

    def misbehave(self, **kw: Any) -> dict:
        """``action=`` disconnect (reason, conn?, all?, delay_ms?), close
        (conn?, clean?), freeze (enabled), redeliver (envelope_id?/event_id?),
        rate_limit (count, retry_after, method?), error500 (count, status?,
        method?), slow (ms, count, method?), link (enabled, error?), clear."""
        return self._http("POST", "/_fake/misbehave", kw)

    def set_user(self, uid: str, **fields: Any) -> None:
        self._http("POST", "/_fake/user", {"id": uid, **fields})

    def state(self) -> dict:
        return self._http("GET", "/_fake/state")

    def reset(self) -> None:
        self._http("POST", "/_fake/reset", {})

    def api(self, method: str, token: str | None = None, **params: Any) -> tuple[int, dict, dict]:
        """Call the fake's Web API as a client would (JSON body); ``token``
        defaults to the bot token.  Returns (HTTP status, headers, body)."""
        data = json.dumps(params).encode()
        req = urllib.request.Request(f"{self.api_url}/{method}", data=data, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {token or self.bot_token}"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), json.loads(r.read())
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"raw": raw.decode(errors="replace")}
            return e.code, dict(e.headers), body

    # ---------------------------------------------------------------- waiting

    def wait_for(self, predicate: Callable[[dict], Any], timeout: float = 10, what: str = "a condition",
                 interval: float = 0.05) -> Any:
        """Poll the state until ``predicate(state)`` returns something truthy;
        return it.  On timeout raise AssertionError with the tail of the state
        and of the fake's log."""
        deadline = time.monotonic() + timeout
        state: dict = {}
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"fake Slack exited ({self.proc.returncode}) while waiting for {what}\n"
                                     f"{self.stderr()}")
            state = self.state()
            value = predicate(state)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout:g}s waiting for {what}\n"
                                     f"{self._state_tail(state)}\n--- fake Slack log ---\n{self.stderr(40)}")
            time.sleep(interval)

    @staticmethod
    def _state_tail(state: dict, n: int = 8) -> str:
        keep = {}
        for k, v in state.items():
            if isinstance(v, list):
                keep[k] = v[-n:] if len(v) > n else v
                if len(v) > n:
                    keep[k + "_count"] = len(v)
            elif k == "connections":
                keep[k] = {kk: (vv[-n:] if isinstance(vv, list) else vv) for kk, vv in v.items()}
            else:
                keep[k] = v
        text = json.dumps(keep, indent=1, default=str)
        return text if len(text) < 12000 else text[:6000] + "\n...\n" + text[-6000:]

    def messages(self, channel: str | None = None) -> list[dict]:
        """The bot's posts (since the last reset), optionally in one channel."""
        ms = self.state()["messages"]
        return [m for m in ms if channel is None or m["channel"] == channel]

    def wait_message(self, predicate: Callable[[dict], Any] = lambda m: True, timeout: float = 10,
                     channel: str | None = None, what: str | None = None) -> dict:
        """The first bot post (optionally in ``channel``) that satisfies ``predicate``."""
        def find(state: dict) -> dict | None:
            for m in state["messages"]:
                if (channel is None or m["channel"] == channel) and predicate(m):
                    return m
            return None
        return self.wait_for(find, timeout, what or f"a bot message{' in ' + channel if channel else ''}")

    def wait_connected(self, hellos: int = 1, timeout: float = 10) -> dict:
        """Until ``hellos`` connections have been greeted and one is open."""
        return self.wait_for(lambda s: s["connections"] if s["connections"]["hellos"] >= hellos
                             and s["connections"]["open_now"] >= 1 else None,
                             timeout, f"{hellos} Socket Mode connection(s)")

    def envelope(self, envelope_id: str) -> dict | None:
        return next((e for e in self.state()["envelopes"] if e["envelope_id"] == envelope_id), None)

    def wait_acked(self, envelope_id: str, timeout: float = 10) -> dict:
        def acked(state: dict) -> dict | None:
            return next((e for e in state["envelopes"] if e["envelope_id"] == envelope_id and e["acked"]), None)
        return self.wait_for(acked, timeout, f"envelope {envelope_id} to be acked")
