#!/usr/bin/python3
"""The fake Slack SERVER for dutybot's end-to-end tests: Socket Mode + the Web
API methods a chat bot uses, faithful to Slack's published documentation, and
able to misbehave on demand.  A program of its own; tests start and drive it
through tests/e2e/slack_driver.py.

Run it with Debian's python3 (python3-aiohttp 3.8)::

    /usr/bin/python3 tests/fakes/slack/server.py --app-token xapp-1-... --bot-token xoxb-... \
        [--port 0] [--bot-user U0BOT] [--bot-id B0BOT] [--team T0TEAM] \
        [--ack-timeout-ms 3000] [--warning-ms 2000] [--channel-burst 5]

It listens on 127.0.0.1 only, prints exactly one line ``READY <port>`` on
stdout when it accepts connections, logs to stderr, and exits on SIGTERM, on
SIGINT or when its stdin reaches EOF (``--ignore-stdin`` turns that last one
off for runs by hand).

One port serves three things:

``POST /api/<method>``
    The Web API.  Errors are HTTP 200 ``{"ok": false, "error": "..."}`` as in
    Slack; rate limiting is HTTP 429 with ``Retry-After`` and
    ``{"ok": false, "error": "ratelimited"}``.  The token is read from
    ``Authorization: Bearer`` only.  Methods: apps.connections.open (app-level
    token), auth.test, chat.postMessage, chat.update, chat.delete,
    chat.postEphemeral, conversations.open, users.info (bot token).

``GET /link/?ticket=...&app_id=...``
    Socket Mode.  A ticket from apps.connections.open opens one connection,
    once; an unknown or used ticket is answered HTTP 401 without an upgrade
    (Slack documents no status for this; real ones have been seen answering
    404 and 408, so a client must treat any non-101 answer as "fetch a new
    URL").  On connect the fake sends ``hello``; envelopes follow.

    Delivery: each envelope goes to ONE connection, the most recently opened
    open connection that got its ``hello`` and has not been sent a
    ``disconnect``; failing that, the most recently opened open one (so a
    lone connection keeps receiving between a ``warning`` and its close).
    With no connection open, envelopes are held and sent, in order, right
    after the next ``hello``.  events_api envelopes not acked within
    ``--ack-timeout-ms`` are sent again as a new envelope (new envelope_id,
    same payload and event_id, retry_attempt + 1, retry_reason "timeout"), up
    to ``--max-retries`` (3) times.  interactive envelopes are not retried
    (Slack documents retry fields for events_api only; an unacked click shows
    the user an error): they are marked ``timed_out``.

``/_fake/...``
    The control API for tests (JSON in and out); see control.py and
    tests/e2e/slack_driver.py, which wraps it.

Sources: docs.slack.dev (apis/events-api/using-socket-mode, apis/web-api/
rate-limits, reference/methods/{apps.connections.open, auth.test,
chat.postMessage, chat.update, chat.postEphemeral, conversations.open},
reference/events/message, reference/interaction-payloads/block_actions-payload,
reference/block-kit/{blocks/actions-block, block-elements/button-element});
slackapi/node-slack-sdk packages/socket-mode/src (SocketModeClient,
SlackWebSocket, HelloMessage and the envelope fixtures in its tests);
/work/shared/NOTES-platforms.md section 2.

This file holds the class ``FakeSlack`` (its state), the app and ``main``; the
class's methods come from one module per side of Slack, next to it:
workspace.py (tokens, channels, users, Block Kit checks), socket_mode.py,
web_api.py, control.py; objects.py has the limits, helpers, connection and
envelope objects.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

from aiohttp import web

from objects import Clock, Conn, Envelope, log
from control import ControlMixin
from socket_mode import SocketModeMixin
from web_api import WebApiMixin
from workspace import WorkspaceMixin


class FakeSlack(WorkspaceMixin, SocketModeMixin, WebApiMixin, ControlMixin):
    def __init__(self, args: argparse.Namespace):
        self.a = args
        self.port = 0
        self.start_mono = time.monotonic()
        self.clock = Clock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping: asyncio.Event | None = None
        self.link_enabled = True
        self.link_error = "access_denied"
        # Persistent world (survives /_fake/reset).
        self.tickets: dict[str, dict] = {}
        self.conns: list[Conn] = []
        self.pending: collections.deque[Envelope] = collections.deque()
        self.envelopes: dict[str, Envelope] = {}
        self.messages: list[dict] = []          # bot posts, in order
        self.by_ts: dict[tuple[str, str], dict] = {}
        self.known_channels: set[str] = set()
        self.dm: dict[str, str] = {}            # user -> D id (and mpim key -> G id)
        self.users: dict[str, dict] = {}
        self.channel_names: dict[str, str] = {}
        self.response_urls: dict[str, dict] = {}
        self.post_times: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self.blocked_until: dict[tuple, float] = {}
        self.last_events_env: Envelope | None = None
        self.env_seq = 0
        self.conn_seq = 0
        self.event_seq = 0
        # Misbehaviour switches.
        self.inject_429: list[dict] = []         # [{"count", "retry_after", "method"}]
        self.inject_500: list[dict] = []
        self.inject_slow: list[dict] = []
        self._reset_records()

    # ------------------------------------------------------------------ records

    def _reset_records(self) -> None:
        self.mark_msg = len(self.messages)
        self.mark_env = self.env_seq
        self.user_messages: list[dict] = []
        self.ephemerals: list[dict] = []
        self.response_posts: list[dict] = []
        self.requests: list[dict] = []
        self.closed: list[dict] = []
        self.misbehaviours: list[dict] = []
        self.bad_acks: list[dict] = []
        self.unexpected_frames: list[Any] = []
        self.opened = 0
        self.hellos = 0
        self.tickets_issued = 0
        self.bad_upgrades = 0
        self.rate_limited = 0
        self.violations = 0
        self.early_retries = 0
        self.errors_500 = 0

    def now_ms(self) -> int:
        return int((time.monotonic() - self.start_mono) * 1000)

    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ lifecycle

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_get("/link/", self.ws_link)
        app.router.add_get("/link", self.ws_link)
        app.router.add_post("/response/{rid}", self.response_url)
        app.router.add_post("/_fake/message", self.c_message)
        app.router.add_post("/_fake/event", self.c_event)
        app.router.add_post("/_fake/click", self.c_click)
        app.router.add_post("/_fake/misbehave", self.c_misbehave)
        app.router.add_post("/_fake/user", self.c_user)
        app.router.add_get("/_fake/state", self.c_state)
        app.router.add_post("/_fake/reset", self.c_reset)
        return app

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.a.port, shutdown_timeout=1.0)
        await site.start()
        self.port = runner.addresses[0][1]
        for sig in (signal.SIGTERM, signal.SIGINT):
            self.loop.add_signal_handler(sig, self.stopping.set)
        if not self.a.ignore_stdin:
            threading.Thread(target=self._watch_stdin, daemon=True, name="stdin-eof").start()
        log.info("listening on 127.0.0.1:%d (app %s, team %s, bot %s/%s)", self.port, self.a.app_id,
                 self.a.team, self.a.bot_user, self.a.bot_id)
        sys.stdout.write(f"READY {self.port}\n")
        sys.stdout.flush()
        await self.stopping.wait()
        log.info("shutting down")
        for c in list(self.conns):
            if c.open:
                try:
                    await asyncio.wait_for(self.server_close(c, 1001), 1)
                except Exception:
                    pass
        await runner.cleanup()

    def _watch_stdin(self) -> None:
        # os.read on the fd, not sys.stdin: a daemon thread blocked inside the
        # buffered reader would abort the interpreter at exit.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        assert self.loop is not None and self.stopping is not None
        log.info("stdin closed")
        self.loop.call_soon_threadsafe(self.stopping.set)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app-token", required=True, help="the app-level token (xapp-...)")
    ap.add_argument("--bot-token", required=True, help="the bot token (xoxb-...)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--bot-user", default="U0BOT")
    ap.add_argument("--bot-id", default="B0BOT")
    ap.add_argument("--team", default="T0TEAM")
    ap.add_argument("--app-id", default="A0APP")
    ap.add_argument("--ack-timeout-ms", type=int, default=3000)
    ap.add_argument("--max-retries", type=int, default=3)
    ap.add_argument("--warning-ms", type=int, default=2000,
                    help="a 'warning' disconnect closes the socket this much later (Slack: ~10 s)")
    ap.add_argument("--refresh-ms", type=int, default=200,
                    help="a 'refresh_requested' disconnect closes the socket this much later")
    ap.add_argument("--channel-burst", type=int, default=5,
                    help="chat.postMessage posts allowed per channel per second")
    ap.add_argument("--ping-interval-ms", type=int, default=10000,
                    help="server WebSocket ping interval, 0 = none")
    ap.add_argument("--max-connections", type=int, default=10)
    ap.add_argument("--no-echo", dest="echo", action="store_false",
                    help="do not deliver the bot's own posts back as message events")
    ap.add_argument("--echo-changes", action="store_true",
                    help="deliver chat.update as message_changed events")
    ap.add_argument("--ignore-stdin", action="store_true", help="do not exit on stdin EOF")
    args = ap.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s.%(msecs)03d fake_slack %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("aiohttp").setLevel(logging.WARNING)
    try:
        asyncio.run(FakeSlack(args).run())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
