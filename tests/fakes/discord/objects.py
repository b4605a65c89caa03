"""The fake Discord SERVER (part of the program tests/fakes/discord/server.py): its
constants, small helpers, errors and the gateway's per-session and
per-connection objects.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import re
import secrets
import time
from datetime import datetime, timezone
from typing import Any, Optional

from aiohttp import web


log = logging.getLogger("fake_discord")

DISCORD_EPOCH_MS = 1420070400000

# Gateway intents (gateway.mdx "List of Intents"): bits 0-16, 20, 21, 24, 25.
KNOWN_INTENTS = ((1 << 17) - 1) | (1 << 20) | (1 << 21) | (1 << 24) | (1 << 25)
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15

# Close codes after which the session cannot be resumed: 4004 and 4010-4014
# are fatal, 4007 and 4009 say "reconnect and start a new session".
SESSION_ENDING_CLOSES = {4004, 4007, 4009, 4010, 4011, 4012, 4013, 4014}

# Opcodes a client may send (opcodes-and-status-codes.mdx, "Send" rows).
CLIENT_OPS = {1, 2, 3, 4, 6, 8, 31, 43}

GATEWAY_PAYLOAD_MAX = 4096          # bytes per payload sent by the client
GATEWAY_SEND_LIMIT = 120            # payloads per connection ...
GATEWAY_SEND_WINDOW = 60.0          # ... per 60 s

EPHEMERAL = 1 << 6
LOADING = 1 << 7
IS_COMPONENTS_V2 = 1 << 15


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="microseconds")


class Snowflakes:
    """Discord snowflakes: ms since the Discord epoch << 22 | worker | process | increment."""

    def __init__(self) -> None:
        self.last = 0
        self.inc = 0

    def next(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (1 << 17) | (1 << 12) | (self.inc & 0xFFF)
        self.inc += 1
        if value <= self.last:
            value = self.last + 1
        self.last = value
        return str(value)


def is_snowflake(value: Any) -> bool:
    return isinstance(value, str) and value.isdigit() and 0 < len(value) <= 20


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


MENTION_RE = re.compile(r"<@!?(\d+)>")
LONG_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{40,}")


def short(path: str) -> str:
    """A path with interaction tokens shortened, for the log."""
    return LONG_TOKEN_RE.sub(lambda m: m.group(0)[:10] + "...", path)


class FormError(Exception):
    """A 400 "Invalid Form Body" (50035) or another JSON error."""

    def __init__(self, status: int, body: dict):
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


def form_error(path: list, code: str, message: str) -> FormError:
    errors: dict = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        errors = {str(key): errors}
    return FormError(400, {"code": 50035, "errors": errors, "message": "Invalid Form Body"})


def json_error(status: int, code: int, message: str) -> FormError:
    return FormError(status, {"message": message, "code": code})


# --------------------------------------------------------------------------- gateway objects

class Session:
    def __init__(self, fake: Any, intents: int, properties: dict, shard):
        self.id = secrets.token_hex(16)
        self.intents = intents
        self.properties = properties
        self.shard = shard
        self.seq = 0
        self.log: list[dict] = []
        self.conn: Optional[Conn] = None
        self.detached_at: Optional[float] = None
        self.valid = True
        self.end_reason: Optional[str] = None
        self.created = time.monotonic()
        self.ttl = fake.args.session_ttl_ms / 1000.0

    def usable(self, now: Optional[float] = None) -> bool:
        if not self.valid:
            return False
        if self.conn is None and self.detached_at is not None:
            if (now or time.monotonic()) - self.detached_at > self.ttl:
                self.valid = False
                self.end_reason = "timed out while disconnected"
                return False
        return True

    def end(self, reason: str) -> None:
        if self.valid:
            self.valid = False
            self.end_reason = reason


class Conn:
    def __init__(self, cid: int, port: str, request: web.Request, ws: web.WebSocketResponse, interval_ms: int):
        self.id = cid
        self.port = port
        self.request = request
        self.ws = ws
        self.query = dict(request.query)
        self.opened = time.monotonic()
        self.closed_at: Optional[float] = None
        self.open = True
        self.closing = False
        self.closed_by: Optional[str] = None
        self.close_code: Optional[int] = None
        self.session: Optional[Session] = None
        self.session_id: Optional[str] = None
        self.identified = False
        self.resumed = False
        self.queue: asyncio.Queue = asyncio.Queue()
        self.interval = interval_ms / 1000.0
        self.deadline = self.opened + 1.5 * self.interval
        self.recv_times: collections.deque = collections.deque()
        self.payloads = 0
        self.heartbeats = 0
        self.last_sent_seq: Optional[int] = None
        self.hb_request_at: Optional[float] = None
        self.writer_task: Optional[asyncio.Task] = None
        self.watchdog_task: Optional[asyncio.Task] = None

    def send(self, payload: dict) -> None:
        if self.open and not self.closing:
            self.queue.put_nowait(("send", payload))
