#!/usr/bin/env python3
"""The fake Discord SERVER (REST API v10 + Gateway v10) for dutybot's end-to-end
tests: a program of its own; tests start and drive it through
tests/e2e/discord_driver.py.

It follows Discord's published documentation (discord/discord-api-docs:
developers/events/gateway.mdx, events/gateway-events.mdx,
topics/opcodes-and-status-codes.mdx, topics/rate-limits.mdx,
resources/message.mdx, interactions/receiving-and-responding.mdx,
components/reference.mdx) and misbehaves on demand through a control API.

Run with Debian's python3 (it has python3-aiohttp)::

    /usr/bin/python3 tests/fakes/discord/server.py --token TOKEN [--port 0] ...

Listens on 127.0.0.1 only: a main port (REST under /api/v10, the gateway
WebSocket at /?v=10&encoding=json and the control API under /_fake/) and a
second port that is the READY ``resume_gateway_url``.  When ready it prints
exactly one line ``READY <main port> <resume port>`` on stdout; it logs to
stderr; it exits on SIGTERM, SIGINT or EOF on stdin (``--ignore-stdin`` turns
the last off).

Control API (JSON in and out, no authentication; for tests only)::

    POST /_fake/message    {channel_id, user_id, username?, content, dm?, bot?, webhook_id?}
    POST /_fake/click      {message_id, custom_id, user_id, username?}
    POST /_fake/misbehave  {action: reconnect|invalid_session|close|drop|drop_acks|
                            heartbeat_request|rate_limit|error500|slow|
                            refuse_gateway|set_token|hello_interval|raw|dispatch, ...}
                           hello_interval {values: [...]}: the next hellos carry these
                           heartbeat_interval values (any JSON), one each;
                           raw {payload}: that gateway payload as it is (a bad "s");
                           dispatch {t, d}: a dispatch in the session's sequence
    GET  /_fake/state
    POST /_fake/reset      {faults?: bool, buckets?: bool}

This file holds the class ``Fake`` (its state), the apps and ``main``; the
class's methods come from one module per side of Discord, next to it:
messages.py (the messages both sides see), gateway.py, rest.py, control.py;
objects.py has the constants, helpers and per-session/connection objects.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import signal
import sys
import threading
import time
from typing import Any, Optional

from aiohttp import web

from objects import Conn, Session, Snowflakes, iso, log
from control import ControlMixin
from gateway import GatewayMixin
from messages import MessagesMixin
from rest import RestMixin


# --------------------------------------------------------------------------- the fake

class Fake(MessagesMixin, GatewayMixin, RestMixin, ControlMixin):
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.token = args.token
        self.app_id = args.app_id
        self.bot_id = args.bot_id
        self.guild_id = args.guild_id
        self.t0 = time.monotonic()
        self.snow = Snowflakes()
        self.main_port = 0
        self.resume_port = 0
        self.bot_user = {"id": self.bot_id, "username": args.bot_name, "discriminator": "0",
                         "global_name": None, "avatar": None, "bot": True, "flags": 0}
        self.users: dict[str, dict] = {}
        self.dm_by_user: dict[str, str] = {}
        self.dm_user_by_channel: dict[str, str] = {}
        self.messages: dict[str, dict] = {}
        self.msg_order: list[str] = []
        self.interactions: dict[str, dict] = {}
        self.inter_by_token: dict[str, dict] = {}
        self.inter_order: list[str] = []
        self.sessions: dict[str, Session] = {}
        self.conns: list[Conn] = []
        self.next_conn_id = 1
        self.counter = 0            # numbers recorded items; reset hides those below floor
        self.floor = 0
        self.last_identify_ok: Optional[float] = None
        # faults
        self.faults: list[dict] = []
        self.drop_acks = False
        self.refuse_gateway = 0
        self.refuse_status = 503
        self.hello_intervals: list = []     # heartbeat_interval of the next hellos (misbehave)
        # REST limits
        self.buckets: dict[tuple, dict] = {}
        self.blocked_until: dict[Any, float] = {}
        self.global_window = [0.0, 0]
        self.stop_event: Optional[asyncio.Event] = None
        self._reset_records()

    # ------------------------------------------------------------ records

    def _reset_records(self) -> None:
        self.requests: list[dict] = []
        self.stats = collections.Counter()
        self.violations_by_route = collections.Counter()
        self.closes: list[dict] = []
        self.heartbeat_log: list[dict] = []
        self.heartbeat_requests: list[dict] = []
        self.protocol_errors: list[dict] = []
        self.warnings: list[str] = []
        self.gw = collections.Counter()
        self.resumes_by_port = collections.Counter({"main": 0, "resume": 0})
        self.identifies_by_port = collections.Counter({"main": 0, "resume": 0})
        self.intents: Optional[int] = None
        self.identify_properties: Optional[dict] = None
        self.last_seq_acked: Optional[int] = None
        self.replays: list[dict] = []

    def ms(self, t: Optional[float] = None) -> float:
        return round(((t if t is not None else time.monotonic()) - self.t0) * 1000.0, 1)

    def number(self) -> int:
        self.counter += 1
        return self.counter

    def warn(self, text: str) -> None:
        log.warning("%s", text)
        if len(self.warnings) < 200:
            self.warnings.append(text)

    # ------------------------------------------------------------ users, channels

    def user_obj(self, uid: str) -> dict:
        if uid == self.bot_id:
            return dict(self.bot_user)
        return dict(self.users.get(uid) or {"id": uid, "username": f"user{uid}", "discriminator": "0",
                                            "global_name": None, "avatar": None})

    def member_obj(self) -> dict:
        return {"roles": [], "joined_at": iso(time.time() - 86400), "deaf": False, "mute": False,
                "flags": 0, "nick": None, "avatar": None, "premium_since": None, "pending": False,
                "communication_disabled_until": None}

    def dm_channel_for(self, uid: str) -> str:
        cid = self.dm_by_user.get(uid)
        if cid is None:
            cid = self.snow.next()
            self.dm_by_user[uid] = cid
            self.dm_user_by_channel[cid] = uid
        return cid

    def is_dm(self, cid: str) -> bool:
        return cid in self.dm_user_by_channel

# --------------------------------------------------------------------------- app setup

def build_apps(fake: Fake) -> tuple[web.Application, web.Application]:
    main = web.Application(middlewares=[fake.api_middleware])
    api = "/api/v10"
    r = main.router
    r.add_get("/", lambda req: fake.ws_handler(req, "main"))
    r.add_get(api + "/gateway", fake.h_gateway)
    r.add_get(api + "/gateway/bot", fake.h_gateway_bot)
    r.add_get(api + "/users/@me", fake.h_me)
    r.add_post(api + "/users/@me/channels", fake.h_dm_channel)
    r.add_post(api + "/channels/{cid}/messages", fake.h_post_message)
    r.add_get(api + "/channels/{cid}/messages/{mid}", fake.h_get_message)
    r.add_patch(api + "/channels/{cid}/messages/{mid}", fake.h_patch_message)
    r.add_delete(api + "/channels/{cid}/messages/{mid}", fake.h_delete_message)
    r.add_post(api + "/interactions/{iid}/{itok}/callback", fake.h_callback)
    r.add_post(api + "/webhooks/{app}/{tok}", fake.h_followup)
    r.add_get(api + "/webhooks/{app}/{tok}/messages/{mid}", fake.h_webhook_get)
    r.add_patch(api + "/webhooks/{app}/{tok}/messages/{mid}", fake.h_webhook_patch)
    r.add_delete(api + "/webhooks/{app}/{tok}/messages/{mid}", fake.h_webhook_delete)
    r.add_route("*", "/api/{tail:.*}", fake.h_not_found)
    r.add_post("/_fake/message", fake.c_message)
    r.add_post("/_fake/click", fake.c_click)
    r.add_post("/_fake/misbehave", fake.c_misbehave)
    r.add_get("/_fake/state", fake.c_state)
    r.add_post("/_fake/reset", fake.c_reset)

    resume = web.Application()
    resume.router.add_get("/", lambda req: fake.ws_handler(req, "resume"))
    return main, resume


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Fake Discord (REST v10 + Gateway v10) for tests")
    p.add_argument("--token", required=True, help="the bot token (REST: 'Authorization: Bot <token>')")
    p.add_argument("--port", type=int, default=0, help="main port: REST, gateway, control (0 = any free)")
    p.add_argument("--resume-port", type=int, default=0, help="port of resume_gateway_url (0 = any free)")
    p.add_argument("--heartbeat-ms", type=int, default=41250)
    p.add_argument("--heartbeat-timeout-code", type=int, default=4009,
                   help="close code when no heartbeat came within 1.5 x the interval")
    p.add_argument("--app-id", default="900000000000000001")
    p.add_argument("--bot-id", default="900000000000000002")
    p.add_argument("--bot-name", default="dutybot")
    p.add_argument("--guild-id", default="800000000000000001")
    p.add_argument("--channel-limit", type=int, default=5, help="POST /channels/{id}/messages per window per channel")
    p.add_argument("--channel-window-ms", type=int, default=5000)
    p.add_argument("--route-limit", type=int, default=50, help="other routes: requests per window per bucket")
    p.add_argument("--route-window-ms", type=int, default=1000)
    p.add_argument("--global-limit", type=int, default=50, help="requests per second per bot (0 = off)")
    p.add_argument("--interaction-deadline-ms", type=int, default=3000)
    p.add_argument("--token-ttl-ms", type=int, default=15 * 60 * 1000, help="interaction token lifetime")
    p.add_argument("--identify-window-ms", type=int, default=5000,
                   help="max_concurrency 1: a second Identify within this window gets op 9 (0 = off)")
    p.add_argument("--session-ttl-ms", type=int, default=180000,
                   help="how long a disconnected session stays resumable")
    p.add_argument("--disallowed-intents", type=int, default=0,
                   help="intent bits not enabled in the 'Developer Portal' (Identify with them -> 4014)")
    p.add_argument("--ignore-stdin", action="store_true", help="do not exit on EOF on stdin")
    p.add_argument("--quiet", action="store_true", help="log warnings only")
    return p.parse_args(argv)


async def amain(args: argparse.Namespace) -> None:
    fake = Fake(args)
    loop = asyncio.get_running_loop()
    fake.stop_event = asyncio.Event()
    main_app, resume_app = build_apps(fake)
    main_runner = web.AppRunner(main_app, access_log=None)
    resume_runner = web.AppRunner(resume_app, access_log=None)
    await main_runner.setup()
    await resume_runner.setup()
    await web.TCPSite(main_runner, "127.0.0.1", args.port, shutdown_timeout=2.0).start()
    await web.TCPSite(resume_runner, "127.0.0.1", args.resume_port, shutdown_timeout=2.0).start()
    fake.main_port = main_runner.addresses[0][1]
    fake.resume_port = resume_runner.addresses[0][1]

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, fake.stop_event.set)
    if not args.ignore_stdin:
        def watch_stdin() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except (OSError, ValueError):
                pass
            loop.call_soon_threadsafe(fake.stop_event.set)
        threading.Thread(target=watch_stdin, daemon=True, name="stdin-watch").start()

    log.info("listening on 127.0.0.1:%d (REST, gateway, control) and :%d (resume gateway)",
             fake.main_port, fake.resume_port)
    sys.stdout.write(f"READY {fake.main_port} {fake.resume_port}\n")
    sys.stdout.flush()
    await fake.stop_event.wait()
    log.info("stopping")
    for c in fake.conns:
        if c.open and not c.closing:
            fake.server_close(c, 1001, "fake shutting down", invalidate=False)
    try:
        await asyncio.wait_for(asyncio.gather(main_runner.cleanup(), resume_runner.cleanup()), 5.0)
    except (asyncio.TimeoutError, Exception):
        pass


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s.%(msecs)03d fake-discord %(levelname)s %(message)s",
                        datefmt="%H:%M:%S")
    try:
        asyncio.run(amain(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
