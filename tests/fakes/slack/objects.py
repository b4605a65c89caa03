"""The fake Slack SERVER (part of the program tests/fakes/slack/server.py): its
limits, small helpers, errors, and the Socket Mode connection and envelope objects.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import string
import time
import uuid
from typing import Any

from aiohttp import web


log = logging.getLogger("fake_slack")

TEXT_LIMIT = 40_000          # chat.postMessage: "truncates messages containing more than 40,000 characters"
MAX_BLOCKS = 50              # Block Kit: up to 50 blocks per message
MAX_ACTIONS = 25             # actions block: "maximum of 25 elements"
BUTTON_TEXT_MAX = 75         # button text: max 75 characters
ACTION_ID_MAX = 255
BLOCK_ID_MAX = 255
BUTTON_VALUE_MAX = 2000
BUTTON_URL_MAX = 3000
SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
KNOWN_BLOCK_TYPES = {
    "actions", "context", "context_actions", "divider", "file", "header", "image", "input",
    "markdown", "rich_text", "section", "table", "video",
}
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")
USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
# What Slack's own client sends unescaped inside message text: user and channel
# mentions, special mentions and user-group mentions.
MENTION = re.compile(
    r"<(?:@[UW][A-Z0-9]+(?:\|[^<>]*)?|#C[A-Z0-9]+(?:\|[^<>]*)?"
    r"|!(?:here|channel|everyone)(?:\|[^<>]*)?|!subteam\^[A-Z0-9]+(?:\|[^<>]*)?)>")
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def slack_escape(text: str) -> str:
    """Escape text the way Slack delivers it (&, <, >), leaving mentions."""
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out, pos = [], 0
    for m in MENTION.finditer(text):
        out.append(esc(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def rand_id(prefix: str, n: int = 9) -> str:
    return prefix + "".join(random.choices(string.ascii_uppercase + string.digits, k=n))


def rand_block_id() -> str:
    return "".join(random.choices(string.ascii_letters + string.digits + "=+/", k=5))


def truthy(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "on")
    return bool(v)


class ApiError(Exception):
    """A Slack API error: HTTP 200 with {"ok": false, "error": ...}."""

    def __init__(self, error: str, **extra: Any):
        super().__init__(error)
        self.error = error
        self.extra = extra


class Clock:
    """Message timestamps: "<unix seconds>.<6 digits>", strictly increasing."""

    def __init__(self) -> None:
        self.last = 0

    def ts(self) -> str:
        us = int(time.time() * 1_000_000)
        if us <= self.last:
            us = self.last + 1
        self.last = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"


class Conn:
    """One Socket Mode WebSocket connection."""

    def __init__(self, cid: int, ws: web.WebSocketResponse, transport: Any, opened_ms: int):
        self.id = cid
        self.ws = ws
        self.transport = transport
        self.opened_ms = opened_ms
        self.closed_ms: int | None = None
        self.hello = False
        self.open = True
        self.draining = False           # sent a disconnect; closes soon
        self.disconnect_reason: str | None = None
        self.frozen = False             # half-open: frames dropped, pings unanswered
        self.close_code: int | None = None
        self.closed_by: str | None = None
        self.queue: asyncio.Queue = asyncio.Queue()
        self.writer: asyncio.Task | None = None
        self.sent = 0
        self.acks = 0
        self.client_pings = 0
        self.client_pongs = 0
        self.lost = 0

    def view(self) -> dict:
        return {
            "id": self.id, "opened_ms": self.opened_ms, "closed_ms": self.closed_ms,
            "open": self.open, "hello": self.hello, "draining": self.draining,
            "disconnect_reason": self.disconnect_reason, "frozen": self.frozen,
            "close_code": self.close_code, "closed_by": self.closed_by,
            "envelopes_sent": self.sent, "acks": self.acks, "client_pings": self.client_pings,
            "client_pongs": self.client_pongs, "frames_lost": self.lost,
        }


class Envelope:
    def __init__(self, seq: int, etype: str, payload: dict, *, retry_attempt: int = 0,
                 retry_reason: str = "", retry_of: str | None = None):
        self.seq = seq
        self.id = str(uuid.uuid4())
        self.type = etype
        self.payload = payload
        self.retry_attempt = retry_attempt
        self.retry_reason = retry_reason
        self.retry_of = retry_of
        self.created_ms = 0
        self.sent_ms: int | None = None
        self.sent_mono: float | None = None
        self.conn: int | None = None
        self.acked = False
        self.ack_ms: int | None = None
        self.ack_conn: int | None = None
        self.ack_payload: Any = None
        self.duplicate_acks = 0
        self.retried_as: str | None = None
        self.gave_up = False             # events_api: retries exhausted
        self.timed_out = False           # interactive: not acked in time
        self.lost = False                # sent into a frozen (half-open) connection
        self.timer: asyncio.TimerHandle | None = None

    def frame(self) -> str:
        env: dict[str, Any] = {"envelope_id": self.id, "type": self.type, "payload": self.payload,
                               "accepts_response_payload": False}
        if self.type == "events_api":
            env["retry_attempt"] = self.retry_attempt
            env["retry_reason"] = self.retry_reason
        return json.dumps(env)

    def view(self) -> dict:
        p = self.payload
        v = {
            "envelope_id": self.id, "type": self.type, "retry_attempt": self.retry_attempt,
            "retry_reason": self.retry_reason, "retry_of": self.retry_of, "retried_as": self.retried_as,
            "created_ms": self.created_ms, "sent_ms": self.sent_ms, "conn": self.conn,
            "acked": self.acked, "ack_ms": self.ack_ms, "ack_conn": self.ack_conn,
            "ack_payload": self.ack_payload, "duplicate_acks": self.duplicate_acks,
            "gave_up": self.gave_up, "timed_out": self.timed_out, "lost": self.lost,
        }
        if self.type == "events_api":
            ev = p.get("event", {})
            v.update(event_id=p.get("event_id"), event_type=ev.get("type"), channel=ev.get("channel"),
                     ts=ev.get("ts"), text=ev.get("text"), user=ev.get("user"), bot_id=ev.get("bot_id"))
        elif self.type == "interactive":
            v.update(event_id=None, payload_type=p.get("type"), trigger_id=p.get("trigger_id"),
                     channel=(p.get("channel") or {}).get("id"),
                     message_ts=(p.get("container") or {}).get("message_ts"),
                     action_id=(p.get("actions") or [{}])[0].get("action_id"))
        return v
