"""The DRIVER of the fake Mattermost, test side: starts the fake server
(tests/fakes/mattermost/server.py, standard library only) and drives it.

Quick reference::

    mm = FakeMattermost("mm-token")
    mm.start()                          # READY read; mm.url is the server's URL
    mm.message(user="u...", channel="c...", text="!ping")      # or dm=True
    mm.wait_for(lambda s: ..., what="...")
    mm.misbehave(action="drop")         # replay (enabled), gap, rate_limit (count, reset,
                                        # path), error500 (count, path), slow (ms, count, path)
    mm.click(post_id, user, action_id)  # the server POSTs to the button's integration URL
    mm.stop()

State (``state()``): posts (everyone's, in order: id, user_id, channel_id,
message, props, create_at, edits), channels, dm_channels {user id: channel
id}, connections [{query, authed, resumed, connection_id, closed}],
session, open_now, stats {opened, hellos, fresh, resumed, replayed,
rate_limited, early_retries, errors_500, posts_since, channel_lists, pings,
dm_opened, username_lookups, empty_posts, ...}, requests, ephemerals, clicks.
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
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "fakes", "mattermost", "server.py")


def _die_with_parent() -> None:
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class FakeMattermostError(RuntimeError):
    pass


class FakeMattermost:
    def __init__(self, token: str = "mm-fake-token", **opts: Any) -> None:
        self.token = token
        self.opts = opts
        self.bot_id = opts.get("bot_id", "b" * 26)
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self._err: collections.deque[str] = collections.deque(maxlen=3000)

    def start(self, timeout: float = 10) -> "FakeMattermost":
        argv = [sys.executable, os.path.normpath(FAKE), "--token", self.token]
        for k, v in self.opts.items():
            if v is None or v is False:
                continue
            argv += ["--" + k.replace("_", "-")] + ([] if v is True else [str(v)])
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     preexec_fn=_die_with_parent)
        threading.Thread(target=self._read_stderr, daemon=True).start()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("READY "):
            self.stop()
            raise AssertionError(f"fake Mattermost did not start: {line!r}\n{self.stderr()}")
        self.port = int(line.split()[1])
        return self

    def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for raw in self.proc.stderr:
            self._err.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def stderr(self, lines: int = 40) -> str:
        return "\n".join(list(self._err)[-lines:])

    def stop(self) -> None:
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            try:
                p.stdin.close()
                p.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                p.kill()
                p.wait()
        for f in (p.stdin, p.stdout, p.stderr):
            try:
                f.close()
            except OSError:
                pass

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _http(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raise FakeMattermostError(f"{method} {path} -> {e.code}: {e.read().decode(errors='replace')}") from None

    def message(self, user: str, text: str, channel: str | None = None, dm: bool = False, **extra: Any) -> dict:
        return self._http("POST", "/_fake/message", {"user": user, "text": text, "channel": channel, "dm": dm,
                                                      **extra})

    def set_user(self, uid: str, **fields: Any) -> None:
        self._http("POST", "/_fake/user", {"id": uid, **fields})

    def misbehave(self, **kw: Any) -> dict:
        return self._http("POST", "/_fake/misbehave", kw)

    def click(self, post_id: str, user: str, action_id: str, **extra: Any) -> dict:
        return self._http("POST", "/_fake/click", {"post_id": post_id, "user": user, "action_id": action_id,
                                                    **extra})

    def state(self) -> dict:
        return self._http("GET", "/_fake/state")

    def wait_for(self, predicate: Callable[[dict], Any], timeout: float = 10, what: str = "a condition",
                 interval: float = 0.05) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"fake Mattermost exited while waiting for {what}\n{self.stderr()}")
            state = self.state()
            value = predicate(state)
            if value:
                return value
            if time.monotonic() >= deadline:
                tail = {k: (v[-8:] if isinstance(v, list) else v) for k, v in state.items()}
                raise AssertionError(f"timed out after {timeout:g}s waiting for {what}\n"
                                     f"{json.dumps(tail, indent=1)[:6000]}\n--- fake log ---\n{self.stderr()}")
            time.sleep(interval)
