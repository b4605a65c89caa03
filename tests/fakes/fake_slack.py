#!/usr/bin/python3
"""A fake Slack for dutybot's end-to-end tests: Socket Mode + the Web API
methods a chat bot uses, faithful to Slack's published documentation, and able
to misbehave on demand.

Run it with Debian's python3 (python3-aiohttp 3.8)::

    /usr/bin/python3 tests/fakes/fake_slack.py --app-token xapp-1-... --bot-token xoxb-... \
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
    The control API for tests (JSON in and out); see ``Control`` below and
    tests/e2e/slack_fake.py, which wraps it.

Sources: docs.slack.dev (apis/events-api/using-socket-mode, apis/web-api/
rate-limits, reference/methods/{apps.connections.open, auth.test,
chat.postMessage, chat.update, chat.postEphemeral, conversations.open},
reference/events/message, reference/interaction-payloads/block_actions-payload,
reference/block-kit/{blocks/actions-block, block-elements/button-element});
slackapi/node-slack-sdk packages/socket-mode/src (SocketModeClient,
SlackWebSocket, HelloMessage and the envelope fixtures in its tests);
/work/shared/NOTES-platforms.md section 2.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import json
import logging
import os
import random
import re
import signal
import string
import sys
import threading
import time
import urllib.parse
import uuid
from typing import Any

from aiohttp import WSMsgType, web

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


class FakeSlack:
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

    # ------------------------------------------------------------------ helpers

    def token_kind(self, request: web.Request) -> str:
        auth = request.headers.get("Authorization", "")
        if not auth.strip():
            return "none"
        m = re.match(r"^\s*Bearer\s+(\S+)\s*$", auth, re.I)
        if not m:
            return "invalid"
        tok = m.group(1)
        if tok == self.a.app_token:
            return "app"
        if tok == self.a.bot_token:
            return "bot"
        return "invalid"

    def channel_type(self, ch: str) -> str:
        return {"C": "channel", "G": "group", "D": "im"}.get(ch[:1], "channel")

    def dm_for(self, user: str) -> str:
        if user not in self.dm:
            d = "D0" + hashlib.sha1(user.encode()).hexdigest()[:9].upper()
            while d in self.known_channels:
                d = rand_id("D0", 9)
            self.dm[user] = d
            self.known_channels.add(d)
        return self.dm[user]

    def check_channel(self, ch: Any, *, posting: bool) -> str:
        if not isinstance(ch, str) or not CHANNEL_ID.match(ch):
            raise ApiError("channel_not_found")
        if ch[0] == "D" and ch not in self.known_channels:
            raise ApiError("channel_not_found")
        if ch[0] in "CG":
            if posting:
                self.known_channels.add(ch)
            elif ch not in self.known_channels:
                raise ApiError("channel_not_found")
        return ch

    def user_name(self, uid: str) -> str:
        return self.users.get(uid, {}).get("name") or uid.lower()

    def channel_name(self, ch: str) -> str:
        if ch in self.channel_names:
            return self.channel_names[ch]
        if ch.startswith("D"):
            return "directmessage"
        if ch.startswith("G"):
            return "privategroup"
        return ch.lower()

    def bot_profile(self) -> dict:
        return {"id": self.a.bot_id, "deleted": False, "name": "dutybot", "updated": 1700000000,
                "app_id": self.a.app_id, "icons": {}, "team_id": self.a.team}

    def parse_blocks(self, raw: Any) -> list | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise ApiError("invalid_blocks_format")
        if not isinstance(raw, list):
            raise ApiError("invalid_blocks_format")
        return raw

    def validate_blocks(self, blocks: list) -> list:
        """Check blocks the way Slack does for the parts a bot uses; return a
        normalised copy (block_id and button action_id filled in, as Slack
        generates them when absent)."""
        errors: list[str] = []
        if len(blocks) > MAX_BLOCKS:
            errors.append(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]")
        out, block_ids = [], set()

        def text_obj(t: Any, where: str, max_len: int, plain_only: bool = False) -> None:
            if not isinstance(t, dict) or t.get("type") not in (("plain_text",) if plain_only
                                                               else ("plain_text", "mrkdwn")):
                errors.append(f"must be a {'plain_text' if plain_only else 'text'} object [json-pointer:{where}]")
                return
            s = t.get("text")
            if not isinstance(s, str) or not s:
                errors.append(f"must be more than 0 characters [json-pointer:{where}/text]")
            elif len(s) > max_len:
                errors.append(f"must be less than {max_len + 1} characters [json-pointer:{where}/text]")

        def element(e: Any, where: str, ids: set) -> Any:
            if not isinstance(e, dict) or not isinstance(e.get("type"), str):
                errors.append(f"missing required field: type [json-pointer:{where}]")
                return e
            e = dict(e)
            if e["type"] == "button":
                text_obj(e.get("text"), where + "/text", BUTTON_TEXT_MAX, plain_only=True)
                if isinstance(e.get("text"), dict):
                    e["text"] = {"emoji": True, **e["text"]}
                if "action_id" not in e:
                    e["action_id"] = rand_block_id()
                aid = e["action_id"]
                if not isinstance(aid, str) or not aid or len(aid) > ACTION_ID_MAX:
                    errors.append(f"invalid action_id [json-pointer:{where}/action_id]")
                elif aid in ids:
                    errors.append(f"action_id already exists in this block [json-pointer:{where}/action_id]")
                ids.add(aid)
                if "value" in e and (not isinstance(e["value"], str) or len(e["value"]) > BUTTON_VALUE_MAX):
                    errors.append(f"must be less than {BUTTON_VALUE_MAX + 1} characters [json-pointer:{where}/value]")
                if "url" in e and (not isinstance(e["url"], str) or len(e["url"]) > BUTTON_URL_MAX):
                    errors.append(f"invalid url [json-pointer:{where}/url]")
                if "style" in e and e["style"] not in ("primary", "danger"):
                    errors.append(f"must be one of the provided options [json-pointer:{where}/style]")
            return e

        for i, b in enumerate(blocks):
            where = f"/blocks/{i}"
            if not isinstance(b, dict) or not isinstance(b.get("type"), str):
                errors.append(f"missing required field: type [json-pointer:{where}]")
                out.append(b)
                continue
            b = dict(b)
            if b["type"] not in KNOWN_BLOCK_TYPES:
                errors.append(f"unsupported type: {b['type']} [json-pointer:{where}/type]")
            bid = b.get("block_id")
            if bid is None:
                b["block_id"] = rand_block_id()
            elif not isinstance(bid, str) or not bid or len(bid) > BLOCK_ID_MAX:
                errors.append(f"invalid block_id [json-pointer:{where}/block_id]")
            elif bid in block_ids:
                errors.append(f"block_id already exists [json-pointer:{where}/block_id]")
            block_ids.add(b.get("block_id"))
            t = b["type"]
            if t == "actions":
                els = b.get("elements")
                if not isinstance(els, list) or not els:
                    errors.append(f"must provide at least 1 element [json-pointer:{where}/elements]")
                else:
                    if len(els) > MAX_ACTIONS:
                        errors.append(f"no more than {MAX_ACTIONS} items allowed [json-pointer:{where}/elements]")
                    ids: set = set()
                    b["elements"] = [element(e, f"{where}/elements/{j}", ids) for j, e in enumerate(els)]
            elif t == "section":
                if "text" not in b and "fields" not in b:
                    errors.append(f"must provide either text or fields [json-pointer:{where}]")
                if "text" in b:
                    text_obj(b["text"], where + "/text", SECTION_TEXT_MAX)
                if "accessory" in b:
                    b["accessory"] = element(b["accessory"], where + "/accessory", set())
            elif t == "header":
                text_obj(b.get("text"), where + "/text", HEADER_TEXT_MAX, plain_only=True)
            elif t == "context":
                els = b.get("elements")
                if not isinstance(els, list) or not els or len(els) > 10:
                    errors.append(f"must provide 1 to 10 elements [json-pointer:{where}/elements]")
            out.append(b)
        if errors:
            raise ApiError("invalid_blocks", errors=errors,
                           response_metadata={"messages": ["[ERROR] " + e for e in errors]})
        return out

    def find_button(self, msg: dict, action_id: str, block_id: str | None) -> tuple[dict, dict] | None:
        for b in msg.get("blocks") or []:
            if block_id and b.get("block_id") != block_id:
                continue
            els = []
            if b.get("type") == "actions":
                els = b.get("elements") or []
            elif b.get("type") == "section" and isinstance(b.get("accessory"), dict):
                els = [b["accessory"]]
            for e in els:
                if e.get("type") == "button" and e.get("action_id") == action_id:
                    return b, e
        return None

    # ------------------------------------------------------------------ socket mode: delivery

    def target(self) -> Conn | None:
        live = [c for c in self.conns if c.open and c.hello]
        fresh = [c for c in live if not c.draining]
        if fresh:
            return fresh[-1]
        return live[-1] if live else None

    def new_envelope(self, etype: str, payload: dict, **kw: Any) -> Envelope:
        self.env_seq += 1
        env = Envelope(self.env_seq, etype, payload, **kw)
        env.created_ms = self.now_ms()
        self.envelopes[env.id] = env
        if etype == "events_api":
            self.last_events_env = env
        return env

    def deliver(self, env: Envelope) -> None:
        c = self.target()
        if c is None:
            log.info("holding envelope %s (%s): no connection", env.id, env.type)
            self.pending.append(env)
        else:
            c.queue.put_nowait(("env", env))

    def flush_pending(self) -> None:
        c = self.target()
        while c is not None and self.pending:
            c.queue.put_nowait(("env", self.pending.popleft()))

    def on_sent(self, env: Envelope, conn: Conn, lost: bool = False) -> None:
        env.sent_ms = self.now_ms()
        env.sent_mono = time.monotonic()
        env.conn = conn.id
        env.lost = lost
        conn.sent += 1
        assert self.loop is not None
        env.timer = self.loop.call_later(self.a.ack_timeout_ms / 1000, self.ack_deadline, env)

    def ack_deadline(self, env: Envelope) -> None:
        env.timer = None
        if env.acked:
            return
        if env.type != "events_api":
            env.timed_out = True
            log.info("%s envelope %s not acked within %d ms (not retried)", env.type, env.id,
                     self.a.ack_timeout_ms)
            return
        if env.retry_attempt >= self.a.max_retries:
            env.gave_up = True
            log.info("envelope %s not acked; retries exhausted", env.id)
            return
        retry = self.new_envelope("events_api", env.payload, retry_attempt=env.retry_attempt + 1,
                                  retry_reason="timeout", retry_of=env.id)
        env.retried_as = retry.id
        log.info("envelope %s not acked within %d ms: retry %d as %s", env.id, self.a.ack_timeout_ms,
                 retry.retry_attempt, retry.id)
        self.deliver(retry)

    async def writer(self, conn: Conn) -> None:
        while True:
            kind, item = await conn.queue.get()
            if kind == "stop":
                return
            if not conn.open or conn.ws.closed:
                if kind == "env":
                    self.pending.append(item)
                continue
            if conn.frozen:
                conn.lost += 1
                if kind == "env":
                    self.on_sent(item, conn, lost=True)
                continue
            frame = item.frame() if kind == "env" else item
            try:
                await conn.ws.send_str(frame)
            except Exception as e:      # connection went away under us
                log.info("conn %d: send failed (%s)", conn.id, e)
                if kind == "env":
                    self.pending.append(item)
                continue
            if kind == "env":
                self.on_sent(item, conn)

    def send_raw(self, conn: Conn, obj: dict) -> None:
        conn.queue.put_nowait(("raw", json.dumps(obj)))

    def handle_frame(self, conn: Conn, data: str) -> None:
        try:
            obj = json.loads(data)
        except ValueError:
            self.unexpected_frames.append({"conn": conn.id, "frame": data[:500], "why": "not JSON"})
            return
        if not isinstance(obj, dict) or "envelope_id" not in obj:
            self.unexpected_frames.append({"conn": conn.id, "frame": obj, "why": "no envelope_id"})
            return
        eid = obj["envelope_id"]
        env = self.envelopes.get(eid) if isinstance(eid, str) else None
        if env is None:
            self.bad_acks.append({"conn": conn.id, "envelope_id": eid, "at_ms": self.now_ms()})
            log.info("conn %d: ack for unknown envelope %r", conn.id, eid)
            return
        conn.acks += 1
        if env.acked:
            env.duplicate_acks += 1
            return
        env.acked = True
        env.ack_conn = conn.id
        env.ack_payload = obj.get("payload")
        if env.sent_mono is not None:
            env.ack_ms = int((time.monotonic() - env.sent_mono) * 1000)
        if env.timer is not None:
            env.timer.cancel()
            env.timer = None
        log.info("conn %d: ack %s after %s ms", conn.id, eid, env.ack_ms)

    async def ping_loop(self, conn: Conn) -> None:
        interval = self.a.ping_interval_ms / 1000
        while conn.open:
            await asyncio.sleep(interval)
            if conn.open and not conn.frozen and not conn.ws.closed:
                try:
                    await conn.ws.ping(f"ping-{self.now_ms()}".encode())
                except Exception:
                    return

    async def ws_link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        t = self.tickets.get(ticket)
        ws = web.WebSocketResponse(autoping=False, max_msg_size=16 * 1024 * 1024)
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text="expected a WebSocket upgrade\n")
        if t is None or t["used"] or not self.link_enabled:
            self.bad_upgrades += 1
            why = "unknown ticket" if t is None else ("ticket already used" if t["used"] else "link disabled")
            log.info("refusing Socket Mode upgrade: %s", why)
            return web.Response(status=401, text=f"{why}\n")
        t["used"] = True
        transport = request.transport
        await ws.prepare(request)
        self.conn_seq += 1
        conn = Conn(self.conn_seq, ws, transport, self.now_ms())
        self.conns.append(conn)
        self.opened += 1
        conn.writer = asyncio.ensure_future(self.writer(conn))
        pinger = asyncio.ensure_future(self.ping_loop(conn)) if self.a.ping_interval_ms > 0 else None
        n_open = sum(1 for c in self.conns if c.open)
        self.send_raw(conn, {
            "type": "hello", "num_connections": n_open,
            "debug_info": {"host": "fake-1", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.a.app_id},
        })
        conn.hello = True
        self.hellos += 1
        log.info("conn %d open (%d open now)", conn.id, n_open)
        if n_open > self.a.max_connections:
            log.info("conn %d: too many websockets", conn.id)
            self.disconnect(conn, "too_many_websockets")
        else:
            self.flush_pending()
        try:
            while True:
                msg = await ws.receive()
                if msg.type == WSMsgType.TEXT:
                    if not conn.frozen:
                        self.handle_frame(conn, msg.data)
                elif msg.type == WSMsgType.PING:
                    conn.client_pings += 1
                    if not conn.frozen:
                        await ws.pong(msg.data)
                elif msg.type == WSMsgType.PONG:
                    conn.client_pongs += 1
                elif msg.type == WSMsgType.BINARY:
                    self.unexpected_frames.append({"conn": conn.id, "why": "binary frame",
                                                   "bytes": len(msg.data)})
                else:       # CLOSE / CLOSING / CLOSED / ERROR
                    if msg.type == WSMsgType.CLOSE and conn.closed_by is None:
                        conn.closed_by = "client"
                    break
        except Exception as e:
            log.info("conn %d: receive failed: %r", conn.id, e)
        finally:
            await self.conn_gone(conn, ws.close_code)
            if pinger:
                pinger.cancel()
        return ws

    async def conn_gone(self, conn: Conn, code: int | None) -> None:
        if not conn.open:
            return
        conn.open = False
        conn.closed_ms = self.now_ms()
        conn.close_code = code if conn.close_code is None else conn.close_code
        if conn.closed_by is None:
            conn.closed_by = "network"
        self.closed.append({"id": conn.id, "opened_ms": conn.opened_ms, "closed_ms": conn.closed_ms,
                            "code": conn.close_code, "by": conn.closed_by,
                            "reason": conn.disconnect_reason})
        # Envelopes that never left: back to the head of the queue, in order.
        left = []
        while not conn.queue.empty():
            kind, item = conn.queue.get_nowait()
            if kind == "env":
                left.append(item)
        for env in reversed(left):
            self.pending.appendleft(env)
        conn.queue.put_nowait(("stop", None))
        log.info("conn %d closed (code %s, by %s); %d envelope(s) held", conn.id, conn.close_code,
                 conn.closed_by, len(self.pending))
        self.flush_pending()
        if not conn.ws.closed:
            try:
                await conn.ws.close()
            except Exception:
                pass

    async def server_close(self, conn: Conn, code: int = 1000, message: bytes = b"") -> None:
        if not conn.open:
            return
        conn.closed_by = conn.closed_by or "server"
        conn.close_code = code
        try:
            await asyncio.wait_for(conn.ws.close(code=code, message=message), 2)
        except Exception:
            pass
        await self.conn_gone(conn, code)

    def abort(self, conn: Conn) -> None:
        """Drop the TCP connection: no close frame."""
        if not conn.open:
            return
        conn.closed_by = "server-abort"
        conn.close_code = 1006
        if conn.transport is not None:
            conn.transport.abort()

    def disconnect(self, conn: Conn, reason: str, delay_ms: int | None = None, code: int = 1000) -> int:
        self.send_raw(conn, {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-1"}})
        conn.draining = True
        conn.disconnect_reason = reason
        if delay_ms is None:
            delay_ms = {"warning": self.a.warning_ms, "link_disabled": 100,
                        "too_many_websockets": 100}.get(reason, self.a.refresh_ms)
        assert self.loop is not None
        self.loop.call_later(delay_ms / 1000,
                             lambda: asyncio.ensure_future(self.server_close(conn, code)))
        log.info("conn %d: disconnect %s, closing in %d ms", conn.id, reason, delay_ms)
        self.flush_pending()
        return delay_ms

    # ------------------------------------------------------------------ events

    def event_payload(self, event: dict) -> dict:
        self.event_seq += 1
        ch = event.get("channel", "")
        return {
            "token": "fake-verification-token",
            "team_id": self.a.team,
            "context_team_id": self.a.team,
            "context_enterprise_id": None,
            "api_app_id": self.a.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{self.event_seq:04d}" + rand_id("", 6),
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": self.a.team, "user_id": self.a.bot_user,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": f"4-{event.get('type', 'event')}-{self.a.team}-{ch}",
        }

    def emit_event(self, event: dict) -> Envelope:
        env = self.new_envelope("events_api", self.event_payload(event))
        self.deliver(env)
        return env

    def rich_text(self, text: str) -> list:
        elements: list[dict] = []
        pos = 0
        for m in USER_MENTION.finditer(text):
            if m.start() > pos:
                elements.append({"type": "text", "text": text[pos:m.start()]})
            elements.append({"type": "user", "user_id": m.group(1)})
            pos = m.end()
        if pos < len(text):
            elements.append({"type": "text", "text": text[pos:]})
        return [{"type": "rich_text", "block_id": rand_block_id(),
                 "elements": [{"type": "rich_text_section", "elements": elements}]}]

    def bot_message_event(self, msg: dict) -> dict:
        ev = {"type": "message", "user": self.a.bot_user, "bot_id": self.a.bot_id,
              "app_id": self.a.app_id, "text": msg["text"], "ts": msg["ts"], "team": self.a.team,
              "bot_profile": self.bot_profile(), "channel": msg["channel"],
              "event_ts": msg["ts"], "channel_type": self.channel_type(msg["channel"])}
        if msg.get("blocks"):
            ev["blocks"] = msg["blocks"]
        if msg.get("thread_ts"):
            ev["thread_ts"] = msg["thread_ts"]
            parent = self.by_ts.get((msg["channel"], msg["thread_ts"]))
            if parent:
                ev["parent_user_id"] = parent.get("user")
        return ev

    def message_view(self, m: dict) -> dict:
        return {k: m.get(k) for k in ("channel", "ts", "text", "blocks", "thread_ts", "user", "bot_id",
                                      "updates", "deleted", "truncated", "args")}

    def public_message(self, m: dict) -> dict:
        out = {"type": "message", "user": m["user"], "bot_id": m["bot_id"], "app_id": self.a.app_id,
               "text": m["text"], "ts": m["ts"], "team": self.a.team, "bot_profile": self.bot_profile()}
        if m.get("blocks"):
            out["blocks"] = m["blocks"]
        if m.get("thread_ts"):
            out["thread_ts"] = m["thread_ts"]
        return out

    # ------------------------------------------------------------------ web api

    async def read_params(self, request: web.Request) -> tuple[dict, list[str]]:
        warnings: list[str] = []
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST":
            return params, warnings
        body = await request.read()
        ctype = request.headers.get("Content-Type", "")
        mime = ctype.split(";")[0].strip().lower()
        if not body:
            return params, warnings
        if not ctype:
            raise ApiError("missing_post_type")
        if mime == "application/json":
            if "charset" not in ctype.lower():
                warnings.append("missing_charset")
            try:
                obj = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise ApiError("invalid_json")
            if not isinstance(obj, dict):
                raise ApiError("invalid_json")
            params.update(obj)
        elif mime in ("application/x-www-form-urlencoded", "text/plain"):
            try:
                params.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except (ValueError, UnicodeDecodeError):
                raise ApiError("invalid_form_data")
        elif mime == "multipart/form-data":
            raise ApiError("invalid_post_type")   # not used by dutybot; keep the fake small
        else:
            raise ApiError("invalid_post_type")
        return params, warnings

    def take(self, rules: list[dict], method: str) -> dict | None:
        for r in rules:
            if r["count"] > 0 and (not r.get("method") or r["method"] == method):
                r["count"] -= 1
                return r
        return None

    async def api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        kind = self.token_kind(request)
        rec: dict[str, Any] = {"method": method, "http": request.method, "token_kind": kind,
                               "at_ms": self.now_ms(), "content_type": request.headers.get("Content-Type")}
        self.requests.append(rec)
        headers: dict[str, str] = {}
        status = 200
        try:
            slow = self.take(self.inject_slow, method)
            if slow:
                await asyncio.sleep(slow["ms"] / 1000)
                rec["slowed_ms"] = slow["ms"]
            e500 = self.take(self.inject_500, method)
            if e500:
                self.errors_500 += 1
                rec.update(status=e500["status"], ok=False, error="injected_http_error")
                return web.Response(status=e500["status"], content_type="text/html",
                                    text="<html><body><h1>Internal Server Error</h1></body></html>\n")
            params, warnings = await self.read_params(request)
            ch = params.get("channel") if isinstance(params.get("channel"), str) else None
            rec["channel"] = ch
            key = (method, ch if method == "chat.postMessage" else None)
            if key in self.blocked_until and time.monotonic() < self.blocked_until[key]:
                self.early_retries += 1
                rec["early_retry"] = True
            inj = self.take(self.inject_429, method)
            if inj:
                return self.too_many(rec, key, inj["retry_after"], injected=True)
            if "token" in params:
                rec["token_in_body"] = True
            if kind == "none":
                raise ApiError("not_authed")
            if kind == "invalid":
                raise ApiError("invalid_auth")
            handler = self.METHODS.get(method)
            if handler is None:
                raise ApiError("unknown_method", req_method=method)
            fn, allowed = handler
            if kind not in allowed:
                raise ApiError("not_allowed_token_type")
            if method == "chat.postMessage":
                limited = self.channel_limit(params)
                if limited:
                    self.violations += 1
                    return self.too_many(rec, key, 1, injected=False)
            body = fn(self, params)
            body = {"ok": True, **body}
            if warnings:
                body["warning"] = ",".join(warnings)
                body.setdefault("response_metadata", {})["warnings"] = warnings
            rec.update(status=status, ok=True)
            return web.json_response(body, headers=headers, dumps=json.dumps)
        except ApiError as e:
            rec.update(status=200, ok=False, error=e.error)
            return web.json_response({"ok": False, "error": e.error, **e.extra})
        finally:
            log.info("api %s token=%s channel=%s -> %s %s", method, kind, rec.get("channel"),
                     rec.get("status"), rec.get("error") or ("ok" if rec.get("ok") else ""))

    def too_many(self, rec: dict, key: tuple, retry_after: int, injected: bool) -> web.Response:
        self.rate_limited += 1
        self.blocked_until[key] = time.monotonic() + retry_after
        rec.update(status=429, ok=False, error="ratelimited", retry_after=retry_after, injected=injected)
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                 headers={"Retry-After": str(retry_after)})

    def channel_limit(self, params: dict) -> bool:
        ch = params.get("channel")
        if not isinstance(ch, str):
            return False
        now = time.monotonic()
        q = self.post_times[ch]
        while q and now - q[0] >= 1.0:
            q.popleft()
        return len(q) >= self.a.channel_burst

    def _text_and_blocks(self, params: dict, *, required: bool = True) -> tuple[str | None, list | None, bool]:
        text = params.get("text")
        if text is not None and not isinstance(text, str):
            text = json.dumps(text) if isinstance(text, (dict, list)) else str(text)
        blocks = self.parse_blocks(params.get("blocks"))
        if blocks is not None:
            blocks = self.validate_blocks(blocks)
        if required and not text and not blocks and not params.get("attachments"):
            raise ApiError("no_text")
        truncated = False
        if text is not None and len(text) > TEXT_LIMIT:
            text, truncated = text[:TEXT_LIMIT], True
        return text, blocks, truncated

    def m_connections_open(self, params: dict) -> dict:
        if not self.link_enabled:
            raise ApiError(self.link_error)
        ticket = str(uuid.uuid4())
        self.tickets[ticket] = {"used": False, "issued_ms": self.now_ms()}
        self.tickets_issued += 1
        port = self.port
        return {"url": f"ws://127.0.0.1:{port}/link/?ticket={ticket}&app_id={self.a.app_id}"}

    def m_auth_test(self, params: dict) -> dict:
        return {"url": "https://fake-team.slack.com/", "team": "Fake Team", "user": "dutybot",
                "team_id": self.a.team, "user_id": self.a.bot_user, "bot_id": self.a.bot_id,
                "is_enterprise_install": False}

    def m_post_message(self, params: dict) -> dict:
        ch = self.check_channel(params.get("channel"), posting=True)
        text, blocks, truncated = self._text_and_blocks(params)
        ts = self.clock.ts()
        thread_ts = params.get("thread_ts") or None
        if thread_ts is not None:
            thread_ts = str(thread_ts)
        msg = {
            "channel": ch, "ts": ts, "text": text or "", "blocks": blocks, "thread_ts": thread_ts,
            "user": self.a.bot_user, "bot_id": self.a.bot_id, "updates": [], "deleted": False,
            "truncated": truncated, "posted_ms": self.now_ms(),
            "args": {k: v for k, v in params.items()
                     if k not in ("channel", "text", "blocks", "thread_ts", "token")},
        }
        self.messages.append(msg)
        self.by_ts[(ch, ts)] = msg
        self.post_times[ch].append(time.monotonic())
        if self.a.echo:
            self.emit_event(self.bot_message_event(msg))
        return {"channel": ch, "ts": ts, "message": self.public_message(msg)}

    def m_update(self, params: dict) -> dict:
        ch = self.check_channel(params.get("channel"), posting=False)
        ts = params.get("ts")
        msg = self.by_ts.get((ch, str(ts))) if ts is not None else None
        if msg is None or msg.get("deleted"):
            raise ApiError("message_not_found")
        if msg.get("bot_id") != self.a.bot_id:
            raise ApiError("cant_update_message")
        text, blocks, truncated = self._text_and_blocks(params)
        if text is not None:
            msg["text"] = text
        if "blocks" in params:
            msg["blocks"] = blocks
        msg["updates"].append({"text": text, "blocks": blocks if "blocks" in params else None,
                               "at_ms": self.now_ms(), "via": "chat.update", "truncated": truncated})
        if self.a.echo_changes:
            self.emit_event({"type": "message", "subtype": "message_changed", "hidden": True,
                             "channel": ch, "ts": self.clock.ts(), "event_ts": self.clock.ts(),
                             "channel_type": self.channel_type(ch),
                             "message": {**self.public_message(msg), "edited": {"user": self.a.bot_user,
                                                                               "ts": self.clock.ts()}}})
        return {"channel": ch, "ts": msg["ts"], "text": msg["text"], "message": self.public_message(msg)}

    def m_delete(self, params: dict) -> dict:
        ch = self.check_channel(params.get("channel"), posting=False)
        msg = self.by_ts.get((ch, str(params.get("ts"))))
        if msg is None or msg.get("deleted"):
            raise ApiError("message_not_found")
        if msg.get("bot_id") != self.a.bot_id:
            raise ApiError("cant_delete_message")
        msg["deleted"] = True
        msg["updates"].append({"deleted": True, "at_ms": self.now_ms(), "via": "chat.delete"})
        return {"channel": ch, "ts": msg["ts"]}

    def m_post_ephemeral(self, params: dict) -> dict:
        ch = self.check_channel(params.get("channel"), posting=True)
        user = params.get("user")
        if not isinstance(user, str) or not USER_ID.match(user):
            raise ApiError("user_not_found")
        text, blocks, truncated = self._text_and_blocks(params)
        ts = self.clock.ts()
        self.ephemerals.append({"channel": ch, "user": user, "text": text or "", "blocks": blocks,
                                "thread_ts": params.get("thread_ts"), "message_ts": ts,
                                "truncated": truncated, "at_ms": self.now_ms()})
        return {"message_ts": ts}

    def m_conversations_open(self, params: dict) -> dict:
        if params.get("channel"):
            ch = params["channel"]
            if ch not in self.known_channels or ch[0] not in "DG":
                raise ApiError("channel_not_found")
            return {"no_op": True, "already_open": True, "channel": {"id": ch}}
        users = params.get("users")
        if isinstance(users, list):
            users = ",".join(users)
        if not isinstance(users, str) or not users.strip():
            raise ApiError("users_list_not_supplied")
        ids = [u.strip() for u in users.split(",") if u.strip()]
        if any(not USER_ID.match(u) for u in ids):
            raise ApiError("user_not_found")
        if len(ids) > 8:
            raise ApiError("too_many_users")
        if len(ids) == 1:
            existed = ids[0] in self.dm
            ch = self.dm_for(ids[0])
        else:
            key = "mpim:" + ",".join(sorted(ids))
            existed = key in self.dm
            if not existed:
                self.dm[key] = rand_id("G0", 9)
                self.known_channels.add(self.dm[key])
            ch = self.dm[key]
        body: dict[str, Any] = {"channel": {"id": ch}}
        if existed:
            body.update(no_op=True, already_open=True)
        return body

    def m_users_info(self, params: dict) -> dict:
        uid = params.get("user")
        if not isinstance(uid, str) or not USER_ID.match(uid):
            raise ApiError("user_not_found")
        if uid == self.a.bot_user:
            return {"user": {"id": uid, "team_id": self.a.team, "name": "dutybot", "real_name": "dutybot",
                             "is_bot": True, "deleted": False,
                             "profile": {"display_name": "dutybot", "real_name": "dutybot",
                                         "bot_id": self.a.bot_id}}}
        u = self.users.get(uid, {})
        name = u.get("name") or uid.lower()
        real = u.get("real_name") or name
        return {"user": {"id": uid, "team_id": self.a.team, "name": name, "real_name": real,
                         "is_bot": False, "deleted": False,
                         "profile": {"display_name": u.get("display_name", name), "real_name": real}}}

    METHODS = {
        "apps.connections.open": (m_connections_open, {"app"}),
        "auth.test": (m_auth_test, {"bot"}),
        "chat.postMessage": (m_post_message, {"bot"}),
        "chat.update": (m_update, {"bot"}),
        "chat.delete": (m_delete, {"bot"}),
        "chat.postEphemeral": (m_post_ephemeral, {"bot"}),
        "conversations.open": (m_conversations_open, {"bot"}),
        "users.info": (m_users_info, {"bot"}),
    }

    # ------------------------------------------------------------------ response_url

    async def response_url(self, request: web.Request) -> web.StreamResponse:
        rid = request.match_info["rid"]
        info = self.response_urls.get(rid)
        if info is None:
            return web.json_response({"ok": False, "error": "expired_url"}, status=404)
        try:
            body = await request.json()
        except Exception:
            body = None
        if not isinstance(body, dict):
            self.response_posts.append({"id": rid, "body": None, "error": "invalid_payload",
                                        "at_ms": self.now_ms()})
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        info["uses"] += 1
        rec = {"id": rid, "channel": info["channel"], "message_ts": info["message_ts"], "body": body,
               "use": info["uses"], "at_ms": self.now_ms()}
        self.response_posts.append(rec)
        if info["uses"] > 5:            # "up to five times within 30 minutes"
            rec["error"] = "used_url"
            return web.json_response({"ok": False, "error": "used_url"}, status=404)
        msg = self.by_ts.get((info["channel"], info["message_ts"]))
        if msg is not None and truthy(body.get("delete_original")):
            msg["deleted"] = True
            msg["updates"].append({"deleted": True, "at_ms": self.now_ms(), "via": "response_url"})
        elif msg is not None and truthy(body.get("replace_original")):
            blocks = body.get("blocks")
            try:
                blocks = self.validate_blocks(self.parse_blocks(blocks)) if blocks else None
            except ApiError as e:
                rec["error"] = e.error
                return web.json_response({"ok": False, "error": e.error}, status=400)
            msg["text"] = body.get("text", "")
            msg["blocks"] = blocks
            msg["updates"].append({"text": msg["text"], "blocks": blocks, "at_ms": self.now_ms(),
                                   "via": "response_url"})
        return web.json_response({"ok": True})

    # ------------------------------------------------------------------ control API

    async def c_message(self, request: web.Request) -> web.StreamResponse:
        p = await request.json()
        user = p.get("user", "U0ALICE")
        ctype = p.get("channel_type")
        ch = p.get("channel")
        if ctype == "im" or (ch and ch.startswith("D")):
            if ch and ch.startswith("D"):
                self.known_channels.add(ch)
                self.dm.setdefault(user, ch)
            else:
                ch = self.dm_for(user)
            ctype = "im"
        if not ch:
            return web.json_response({"error": "channel is required"}, status=400)
        self.known_channels.add(ch)
        if p.get("channel_name"):
            self.channel_names[ch] = p["channel_name"]
        if p.get("username"):
            self.users.setdefault(user, {})["name"] = p["username"]
        raw = p.get("text", "")
        text = raw if p.get("raw") else slack_escape(raw)
        ts = self.clock.ts()
        ev: dict[str, Any] = {"type": "message"}
        if p.get("subtype"):
            ev["subtype"] = p["subtype"]
        if not p.get("bot_id") and not p.get("subtype"):
            ev["client_msg_id"] = str(uuid.uuid4())
        ev.update(text=text, user=user, ts=ts, team=self.a.team)
        if p.get("bot_id"):
            ev["bot_id"] = p["bot_id"]
        if not p.get("subtype") and not p.get("bot_id"):
            ev["blocks"] = self.rich_text(text)
        if p.get("thread_ts"):
            ev["thread_ts"] = p["thread_ts"]
            parent = self.by_ts.get((ch, p["thread_ts"]))
            if parent:
                ev["parent_user_id"] = parent.get("user")
        ev.update(channel=ch, event_ts=ts, channel_type=ctype or self.channel_type(ch))
        ev.update(p.get("extra") or {})
        umsg = {"channel": ch, "ts": ts, "text": text, "user": user, "thread_ts": p.get("thread_ts"),
                "subtype": p.get("subtype"), "bot_id": p.get("bot_id")}
        self.user_messages.append(umsg)
        self.by_ts.setdefault((ch, ts), {**umsg, "updates": []})
        env = self.emit_event(ev)
        log.info("control: message %s in %s by %s -> envelope %s", ts, ch, user, env.id)
        return web.json_response({"event_id": env.payload["event_id"], "ts": ts, "channel": ch,
                                  "envelope_id": env.id, "text": text})

    async def c_event(self, request: web.Request) -> web.StreamResponse:
        p = await request.json()
        ev = p.get("event")
        if not isinstance(ev, dict) or "type" not in ev:
            return web.json_response({"error": "event with a type is required"}, status=400)
        env = self.emit_event(ev)
        return web.json_response({"event_id": env.payload["event_id"], "envelope_id": env.id})

    async def c_click(self, request: web.Request) -> web.StreamResponse:
        p = await request.json()
        ch, ts, aid = p.get("channel"), p.get("message_ts"), p.get("action_id")
        user = p.get("user", "U0ALICE")
        msg = self.by_ts.get((ch, ts))
        if msg is None or msg.get("deleted") or msg.get("bot_id") != self.a.bot_id:
            return web.json_response({"error": f"no message by the bot at {ch}/{ts}"}, status=404)
        found = self.find_button(msg, aid, p.get("block_id"))
        if found is None:
            return web.json_response({"error": f"message {ts} has no button {aid!r}",
                                      "blocks": msg.get("blocks")}, status=400)
        block, button = found
        if p.get("username"):
            self.users.setdefault(user, {})["name"] = p["username"]
        rid = uuid.uuid4().hex
        self.response_urls[rid] = {"channel": ch, "message_ts": ts, "uses": 0}
        now = time.time()
        trigger = f"{int(now * 1000)}.{random.randint(10**9, 10**10 - 1)}.{uuid.uuid4().hex[:32]}"
        action = {"action_id": button["action_id"], "block_id": block["block_id"], "text": button.get("text"),
                  "type": "button", "action_ts": f"{now:.6f}"}
        if "value" in button:
            action["value"] = button["value"]
        if "style" in button:
            action["style"] = button["style"]
        message = self.public_message(msg)
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": self.user_name(user), "name": self.user_name(user),
                     "team_id": self.a.team},
            "api_app_id": self.a.app_id,
            "token": "fake-verification-token",
            "container": {"type": "message", "message_ts": ts, "channel_id": ch, "is_ephemeral": False},
            "trigger_id": trigger,
            "team": {"id": self.a.team, "domain": "fake-team"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": ch, "name": self.channel_name(ch)},
            "message": message,
            "state": {"values": {}},
            "response_url": f"{self.base_url()}/response/{rid}",
            "actions": [action],
        }
        if msg.get("thread_ts"):
            payload["container"]["thread_ts"] = msg["thread_ts"]
        env = self.new_envelope("interactive", payload)
        self.deliver(env)
        log.info("control: click %s on %s/%s by %s -> envelope %s", aid, ch, ts, user, env.id)
        return web.json_response({"envelope_id": env.id, "trigger_id": trigger,
                                  "response_url": payload["response_url"]})

    def pick_conns(self, p: dict) -> list[Conn]:
        live = [c for c in self.conns if c.open]
        if p.get("all"):
            return live
        if p.get("conn") is not None:
            return [c for c in live if c.id == int(p["conn"])]
        t = self.target()
        return [t] if t else (live[-1:] if live else [])

    async def c_misbehave(self, request: web.Request) -> web.StreamResponse:
        p = await request.json()
        action = p.get("action")
        self.misbehaviours.append({**p, "at_ms": self.now_ms()})
        log.info("control: misbehave %s", p)
        out: dict[str, Any] = {"ok": True, "action": action}
        if action == "disconnect":
            reason = p.get("reason", "refresh_requested")
            conns = self.pick_conns(p) if reason != "link_disabled" else [c for c in self.conns if c.open]
            if reason == "link_disabled":
                self.link_enabled = False
                if p.get("error"):
                    self.link_error = p["error"]
            out["conns"] = [c.id for c in conns]
            out["close_in_ms"] = [self.disconnect(c, reason, p.get("delay_ms"), int(p.get("code", 1000)))
                                  for c in conns]
        elif action == "close":
            conns = self.pick_conns(p)
            out["conns"] = [c.id for c in conns]
            for c in conns:
                if p.get("clean"):
                    await self.server_close(c, int(p.get("code", 1000)))
                else:
                    self.abort(c)
        elif action == "freeze":
            conns = self.pick_conns(p)
            out["conns"] = [c.id for c in conns]
            for c in conns:
                c.frozen = bool(p.get("enabled", True))
            self.flush_pending()
        elif action == "redeliver":
            src = None
            if p.get("envelope_id"):
                src = self.envelopes.get(p["envelope_id"])
            elif p.get("event_id"):
                src = next((e for e in reversed(list(self.envelopes.values()))
                            if e.type == "events_api" and e.payload.get("event_id") == p["event_id"]), None)
            else:
                src = self.last_events_env
            if src is None or src.type != "events_api":
                return web.json_response({"error": "no events_api envelope to redeliver"}, status=400)
            env = self.new_envelope("events_api", src.payload, retry_attempt=src.retry_attempt + 1,
                                    retry_reason=p.get("retry_reason", "timeout"), retry_of=src.id)
            self.deliver(env)
            out.update(envelope_id=env.id, event_id=src.payload.get("event_id"),
                       retry_attempt=env.retry_attempt)
        elif action == "rate_limit":
            self.inject_429.append({"count": int(p.get("count", 1)), "retry_after": int(p.get("retry_after", 1)),
                                    "method": p.get("method")})
        elif action == "error500":
            self.inject_500.append({"count": int(p.get("count", 1)), "status": int(p.get("status", 500)),
                                    "method": p.get("method")})
        elif action == "slow":
            self.inject_slow.append({"count": int(p.get("count", 1)), "ms": int(p.get("ms", 1000)),
                                     "method": p.get("method")})
        elif action == "link":
            self.link_enabled = bool(p.get("enabled", True))
            if p.get("error"):
                self.link_error = p["error"]
        elif action == "clear":
            self.inject_429.clear()
            self.inject_500.clear()
            self.inject_slow.clear()
        else:
            return web.json_response({"error": f"unknown action {action!r}"}, status=400)
        return web.json_response(out)

    async def c_user(self, request: web.Request) -> web.StreamResponse:
        p = await request.json()
        self.users.setdefault(p["id"], {}).update({k: v for k, v in p.items() if k != "id"})
        return web.json_response({"ok": True})

    async def c_state(self, request: web.Request) -> web.StreamResponse:
        open_now = [c for c in self.conns if c.open]
        state = {
            "now_ms": self.now_ms(),
            "port": self.port,
            "messages": [self.message_view(m) for m in self.messages[self.mark_msg:]],
            "user_messages": self.user_messages,
            "ephemerals": self.ephemerals,
            "response_url_posts": self.response_posts,
            "dm_channels": {u: d for u, d in self.dm.items() if not u.startswith("mpim:")},
            "envelopes": [e.view() for e in self.envelopes.values() if e.seq > self.mark_env],
            "pending": [e.id for e in self.pending],
            "connections": {"opened": self.opened, "open_now": len(open_now), "hellos": self.hellos,
                            "open_ids": [c.id for c in open_now],
                            "target": (self.target().id if self.target() else None),
                            "closed": self.closed, "all": [c.view() for c in self.conns]},
            "link_enabled": self.link_enabled,
            "tickets_issued": self.tickets_issued,
            "bad_upgrades": self.bad_upgrades,
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "violations": self.violations,
            "early_retries": self.early_retries,
            "errors_500": self.errors_500,
            "bad_acks": self.bad_acks,
            "unexpected_frames": self.unexpected_frames,
            "misbehaviours": self.misbehaviours,
            "injections": {"rate_limit": self.inject_429, "error500": self.inject_500,
                           "slow": self.inject_slow},
        }
        return web.json_response(state)

    async def c_reset(self, request: web.Request) -> web.StreamResponse:
        self._reset_records()
        self.inject_429.clear()
        self.inject_500.clear()
        self.inject_slow.clear()
        self.blocked_until.clear()
        self.post_times.clear()
        log.info("control: reset")
        return web.json_response({"ok": True})

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
