"""The DRIVER of the fake Discord, test side: starts the fake server
(tests/fakes/discord/server.py) and drives it from a test.

Standard library only.  The fake itself needs aiohttp, so it runs under
``sys.executable`` (ctest uses Debian's /usr/bin/python3, which has
python3-aiohttp); set ``DUTYBOT_FAKE_PYTHON`` to use another interpreter.

Quick reference::

    discord = FakeDiscord("tok", heartbeat_ms=1000, channel_limit=5)
    discord.start()
    ...                                         # point dutybot at discord.api_url
    discord.message(channel_id="100", user_id="42", content="!ping")
    m = discord.wait_message(lambda m: m["via"] == "channel_post" and "pong" in m["content"])
    discord.click(m["id"], "approve:7", user_id="42")
    discord.misbehave(action="reconnect")
    discord.wait_for(lambda s: s["gateway"]["resumes_ok"] >= 1, what="a resume")
    discord.stop()

Options of ``FakeDiscord(token, **opts)`` are the fake's command-line flags
with dashes as underscores (``heartbeat_ms=1000`` -> ``--heartbeat-ms 1000``;
``True`` -> a bare flag).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from typing import Any, Callable, Optional

FAKE_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fakes", "discord", "server.py")

__all__ = ["FakeDiscord", "FakeDiscordError", "FAKE_PATH"]


def _die_with_parent() -> None:
    """preexec_fn: SIGTERM the fake when the test process dies."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class FakeDiscordError(Exception):
    """A control-API call failed; ``status`` and ``body`` say how."""

    def __init__(self, status: int, body: Any):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class FakeDiscord:
    def __init__(self, token: str, **opts: Any):
        self.token = token
        self.opts = opts
        self.proc: Optional[subprocess.Popen] = None
        self._port: Optional[int] = None
        self._resume_port: Optional[int] = None
        self._stderr_file = None

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 10.0) -> "FakeDiscord":
        python = os.environ.get("DUTYBOT_FAKE_PYTHON") or sys.executable
        cmd = [python, FAKE_PATH, "--token", self.token]
        for key, value in self.opts.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                cmd.append(flag)
            elif value is False or value is None:
                continue
            else:
                cmd += [flag, str(value)]
        self._stderr_file = tempfile.TemporaryFile(prefix="fake-discord-", suffix=".log")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr_file, preexec_fn=_die_with_parent)
        line = self._read_line(timeout)
        if not line.startswith("READY "):
            err = self.stderr()
            self.stop()
            if "No module named 'aiohttp'" in err:
                raise unittest.SkipTest(f"{python} has no aiohttp (the fake Discord needs python3-aiohttp; "
                                        f"run with /usr/bin/python3 or set DUTYBOT_FAKE_PYTHON)")
            raise RuntimeError(f"fake Discord did not start (got {line!r}); stderr:\n{err}")
        _, port, resume_port = line.split()
        self._port, self._resume_port = int(port), int(resume_port)
        return self

    def _read_line(self, timeout: float) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        buf = b""
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    return buf.decode(errors="replace")
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
        finally:
            sel.close()
        return buf.split(b"\n", 1)[0].decode(errors="replace")

    def stop(self, timeout: float = 5.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                proc.stdin.close()                      # EOF on stdin: the fake exits
            except OSError:
                pass
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for f in (proc.stdout, proc.stdin):
            try:
                if f:
                    f.close()
            except OSError:
                pass
        self._stopped_stderr = self._stderr_tail(2000)
        if self._stderr_file:
            self._stderr_file.close()
            self._stderr_file = None

    def __enter__(self) -> "FakeDiscord":
        return self.start() if self.proc is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        assert self._port is not None, "start() first"
        return self._port

    @property
    def resume_port(self) -> int:
        assert self._resume_port is not None, "start() first"
        return self._resume_port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.resume_port}"

    # ------------------------------------------------------------------ control API

    def _call(self, method: str, path: str, body: Any = None, timeout: float = 10.0) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = raw.decode(errors="replace")
            raise FakeDiscordError(exc.code, payload) from None
        return json.loads(raw) if raw else None

    def message(self, channel_id: Optional[str] = None, user_id: Optional[str] = None, content: str = "",
                username: Optional[str] = None, dm: bool = False, bot: bool = False,
                webhook_id: Optional[str] = None) -> dict:
        """A user (or bot, or webhook) posts: MESSAGE_CREATE on the gateway.
        Returns {"id", "channel_id", "dispatched_to"}."""
        body: dict = {"content": content, "dm": dm, "bot": bot}
        for key, value in (("channel_id", channel_id), ("user_id", user_id), ("username", username),
                           ("webhook_id", webhook_id)):
            if value is not None:
                body[key] = str(value)
        return self._call("POST", "/_fake/message", body)

    def click(self, message_id: str, custom_id: str, user_id: str, username: Optional[str] = None) -> dict:
        """A user clicks a button: INTERACTION_CREATE.  Returns {"interaction_id", "token", ...}."""
        body = {"message_id": str(message_id), "custom_id": custom_id, "user_id": str(user_id)}
        if username is not None:
            body["username"] = username
        return self._call("POST", "/_fake/click", body)

    def misbehave(self, **kw: Any) -> dict:
        """E.g. misbehave(action="close", code=4000), misbehave(action="rate_limit", count=2,
        retry_after=0.5), misbehave(action="drop_acks", on=True)."""
        return self._call("POST", "/_fake/misbehave", kw)

    def state(self) -> dict:
        return self._call("GET", "/_fake/state")

    def reset(self, faults: bool = False, buckets: bool = False) -> None:
        self._call("POST", "/_fake/reset", {"faults": faults, "buckets": buckets})

    # ------------------------------------------------------------------ waiting

    def wait_for(self, predicate: Callable[[dict], Any], timeout: float = 10.0, what: str = "a condition",
                 interval: float = 0.05) -> Any:
        """Polls the state until predicate(state) is truthy and returns that value."""
        deadline = time.monotonic() + timeout
        state: dict = {}
        while True:
            try:
                state = self.state()
            except (OSError, FakeDiscordError) as exc:
                if self.proc is None or self.proc.poll() is not None:
                    raise AssertionError(f"fake Discord is not running while waiting for {what}: {exc}\n"
                                         f"stderr:\n{self.stderr()}") from None
                state = {}
            if state:
                value = predicate(state)
                if value:
                    return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout:g}s waiting for {what}\n{self.describe(state)}")
            time.sleep(interval)

    def messages(self, channel_id: Optional[str] = None) -> list:
        msgs = self.state()["messages"]
        if channel_id is not None:
            msgs = [m for m in msgs if m["channel_id"] == str(channel_id)]
        return msgs

    def wait_message(self, predicate: Callable[[dict], Any], timeout: float = 10.0,
                     what: str = "a matching message") -> dict:
        return self.wait_for(lambda s: next((m for m in s["messages"] if predicate(m)), None),
                             timeout=timeout, what=what)

    # ------------------------------------------------------------------ diagnostics

    def _stderr_tail(self, lines: int = 40) -> str:
        if self._stderr_file is None:
            return getattr(self, "_stopped_stderr", "")
        try:
            self._stderr_file.flush()
            self._stderr_file.seek(0)
            text = self._stderr_file.read().decode(errors="replace")
        except (OSError, ValueError):
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stderr(self, lines: int = 40) -> str:
        """The last lines the fake logged."""
        return self._stderr_tail(lines)

    def describe(self, state: Optional[dict] = None) -> str:
        """A short account of the state, for assertion messages."""
        if not state:
            return f"(no state)\nfake stderr:\n{self.stderr(20)}"
        gw = state.get("gateway", {})
        out = ["fake Discord state (tail):"]
        for m in state.get("messages", [])[-8:]:
            out.append(f"  message {m['id']} ch={m['channel_id']} via={m['via']} author={m['author_id']} "
                       f"content={m['content'][:80]!r} buttons={_custom_ids(m['components'])} "
                       f"edits={len(m['edits'])}")
        for i in state.get("interactions", [])[-4:]:
            out.append(f"  interaction {i['id']} {i['custom_id']!r} by {i['user_id']}: callback={i['callback_type']} "
                       f"after {i['callback_ms']} ms, attempts={[(a['status'], a.get('code')) for a in i['callback_attempts']]}, "
                       f"original_edits={len(i['original_edits'])} followups={len(i['followups'])}")
        out.append("  gateway: " + ", ".join(f"{k}={gw.get(k)}" for k in (
            "connections", "open_connections", "identifies", "identify_rejected", "resumes", "resumes_ok",
            "resumes_failed", "heartbeats", "acks_sent", "intents", "last_seq_acked")))
        out.append(f"  gateway closes: {gw.get('closes', [])[-6:]}")
        for r in state.get("requests", [])[-10:]:
            out.append(f"  {r['method']} {r['path']} -> {r['status']}")
        out.append(f"  rate_limited={state.get('rate_limited')} violations={state.get('violations')} "
                   f"early_retries={state.get('early_retries')}")
        out.append("fake stderr:\n" + self.stderr(15))
        return "\n".join(out)


def _custom_ids(components: list) -> list:
    ids = []
    for row in components or []:
        for item in (row.get("components") or []) if isinstance(row, dict) else []:
            if isinstance(item, dict) and item.get("custom_id"):
                ids.append(item["custom_id"])
    return ids
