#!/usr/bin/env python3
"""A fake Discord (REST API v10 + Gateway v10) for dutybot's end-to-end tests.

It follows Discord's published documentation (discord/discord-api-docs:
developers/events/gateway.mdx, events/gateway-events.mdx,
topics/opcodes-and-status-codes.mdx, topics/rate-limits.mdx,
resources/message.mdx, interactions/receiving-and-responding.mdx,
components/reference.mdx) and misbehaves on demand through a control API.

Run with Debian's python3 (it has python3-aiohttp)::

    /usr/bin/python3 tests/fakes/fake_discord.py --token TOKEN [--port 0] ...

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
                            refuse_gateway|set_token, ...}
    GET  /_fake/state
    POST /_fake/reset      {faults?: bool, buckets?: bool}
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import json
import logging
import math
import re
import secrets
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from aiohttp import WSMsgType, web

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
    def __init__(self, fake: "Fake", intents: int, properties: dict, shard):
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


# --------------------------------------------------------------------------- the fake

class Fake:
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

    # ------------------------------------------------------------ messages

    def create_message(self, cid: str, author: dict, content: str, components: Optional[list],
                       allowed_mentions: Optional[dict], flags: int, via: str, *,
                       webhook_id: Optional[str] = None, application_id: Optional[str] = None,
                       interaction_id: Optional[str] = None, nonce: Any = None) -> dict:
        ids = MENTION_RE.findall(content or "")
        mentions = list(dict.fromkeys(ids))
        everyone = "@everyone" in (content or "") or "@here" in (content or "")
        if allowed_mentions is None:
            pinged, pinged_everyone = mentions, everyone
        else:
            parse = allowed_mentions.get("parse") or []
            users = [str(u) for u in (allowed_mentions.get("users") or [])]
            pinged = [u for u in mentions if "users" in parse or u in users]
            pinged_everyone = everyone and "everyone" in parse
        now = time.time()
        m = {
            "id": self.snow.next(), "channel_id": cid,
            "guild_id": None if self.is_dm(cid) else self.guild_id,
            "author": author, "content": content or "", "components": components or [],
            "allowed_mentions": allowed_mentions, "flags": flags or 0, "via": via,
            "webhook_id": webhook_id, "application_id": application_id,
            "interaction_id": interaction_id, "timestamp": iso(now), "edited_timestamp": None,
            "edits": [], "deleted": False, "mentions": mentions, "mention_everyone": everyone,
            "pinged_users": pinged, "pinged_everyone": pinged_everyone, "nonce": nonce,
            "at": self.ms(), "_n": self.number(), "_t": time.monotonic(),
        }
        self.messages[m["id"]] = m
        self.msg_order.append(m["id"])
        return m

    def message_obj(self, m: dict) -> dict:
        obj = {
            "id": m["id"], "channel_id": m["channel_id"], "author": dict(m["author"]),
            "content": m["content"], "timestamp": m["timestamp"],
            "edited_timestamp": m["edited_timestamp"], "tts": False,
            "mention_everyone": m["mention_everyone"],
            "mentions": [self.user_obj(u) for u in m["mentions"]],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False,
            "type": 0, "flags": m["flags"], "components": json.loads(json.dumps(m["components"])),
        }
        if m["webhook_id"]:
            obj["webhook_id"] = m["webhook_id"]
        if m.get("nonce") is not None:
            obj["nonce"] = m["nonce"]
        if m["application_id"]:
            obj["application_id"] = m["application_id"]
        if m["interaction_id"]:
            inter = self.interactions.get(m["interaction_id"])
            if inter:
                obj["interaction_metadata"] = {"id": inter["id"], "type": 3,
                                               "user": self.user_obj(inter["user_id"]),
                                               "authorizing_integration_owners": {"0": inter["guild_id"] or "0"}}
        return obj

    def gateway_message(self, m: dict, s: Session) -> Optional[dict]:
        """The MESSAGE_CREATE/UPDATE payload for one session, or None if its intents exclude it."""
        ephemeral = bool(m["flags"] & EPHEMERAL)
        dm = m["guild_id"] is None
        need = DIRECT_MESSAGES if (dm or ephemeral) else GUILD_MESSAGES
        if not s.intents & need:
            return None
        d = self.message_obj(m)
        if not dm and not ephemeral:
            d["guild_id"] = self.guild_id
            if not m["webhook_id"]:
                d["member"] = self.member_obj()
            for u in d["mentions"]:
                u["member"] = self.member_obj()
        if dm:
            d["channel_type"] = 1
        mentioned_bot = self.bot_id in m["mentions"]
        own = m["author"].get("id") == self.bot_id
        if not (s.intents & MESSAGE_CONTENT) and not dm and not own and not mentioned_bot:
            d["content"] = ""
            d["embeds"] = []
            d["attachments"] = []
            d["components"] = []
        return d

    def broadcast_message(self, t: str, m: dict) -> None:
        self.broadcast(t, lambda s: self.gateway_message(m, s))

    def broadcast_delete(self, m: dict) -> None:
        def make(s: Session):
            need = DIRECT_MESSAGES if m["guild_id"] is None else GUILD_MESSAGES
            if not s.intents & need:
                return None
            d = {"id": m["id"], "channel_id": m["channel_id"]}
            if m["guild_id"]:
                d["guild_id"] = m["guild_id"]
            return d
        self.broadcast("MESSAGE_DELETE", make)

    def validate_message(self, body: dict, *, create: bool, existing: Optional[dict] = None,
                         allow_flags: int = 0) -> dict:
        """Checks a create/edit body; returns the fields to apply."""
        out: dict = {}
        if "content" in body:
            content = body["content"]
            if content is not None and not isinstance(content, str):
                raise form_error(["content"], "BASE_TYPE_STRING", "Must be a string.")
            if content is not None and len(content) > 2000:
                raise form_error(["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
            out["content"] = content or ""
        flags = body.get("flags")
        if flags is not None:
            if not is_int(flags):
                raise form_error(["flags"], "NUMBER_TYPE_COERCE", f'Value "{flags}" is not int.')
            if flags & ~allow_flags:
                raise form_error(["flags"], "MESSAGE_FLAGS_INVALID", "Invalid message flags.")
            out["flags"] = flags
        v2 = bool((flags or 0) & IS_COMPONENTS_V2)
        if v2 and out.get("content"):
            raise form_error(["content"], "MESSAGE_CONTENT_NOT_ALLOWED_WITH_COMPONENTS_V2",
                             "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
        if "components" in body:
            comps = body["components"]
            if comps is None:
                comps = []
            self.validate_components(comps, v2)
            out["components"] = comps
        if "allowed_mentions" in body and body["allowed_mentions"] is not None:
            am = body["allowed_mentions"]
            if not isinstance(am, dict):
                raise form_error(["allowed_mentions"], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            parse = am.get("parse", [])
            if not isinstance(parse, list) or any(p not in ("users", "roles", "everyone") for p in parse):
                raise form_error(["allowed_mentions", "parse"], "BASE_TYPE_CHOICES",
                                 "Value must be one of ('everyone', 'roles', 'users').")
            users = am.get("users", [])
            if not isinstance(users, list) or len(users) > 100 or not all(is_snowflake(str(u)) for u in users):
                raise form_error(["allowed_mentions", "users"], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
            if "users" in parse and users:
                raise form_error(["allowed_mentions"], "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                                 "parse:[\"users\"] and users: [ids] are mutually exclusive.")
            if "roles" in parse and am.get("roles"):
                raise form_error(["allowed_mentions"], "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                                 "parse:[\"roles\"] and roles: [ids] are mutually exclusive.")
            out["allowed_mentions"] = am
        if "nonce" in body and body["nonce"] is not None:
            nonce = body["nonce"]
            if not (is_int(nonce) or (isinstance(nonce, str) and len(nonce) <= 25)):
                raise form_error(["nonce"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            out["nonce"] = nonce
        for key in ("embeds", "sticker_ids", "poll", "attachments", "message_reference", "tts"):
            if key in body:
                out.setdefault("_other", []).append(key)
        # emptiness: content, embeds, sticker_ids, components, files or poll
        content = out.get("content", existing["content"] if existing else "")
        comps = out.get("components", existing["components"] if existing else [])
        others = any(body.get(k) for k in ("embeds", "sticker_ids", "poll"))
        if not content and not comps and not others and (create or "content" in body or "components" in body):
            raise json_error(400, 50006, "Cannot send an empty message")
        return out

    def validate_components(self, comps: Any, v2: bool) -> None:
        if not isinstance(comps, list):
            raise form_error(["components"], "BASE_TYPE_LIST", "Must be a list.")
        if v2:
            return      # components v2 layouts: accepted without further checks
        if len(comps) > 5:
            raise form_error(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        seen: set = set()
        for r, row in enumerate(comps):
            if not isinstance(row, dict) or row.get("type") != 1:
                raise form_error(["components", r, "type"], "UNION_TYPE_CHOICES",
                                 "Value of field \"type\" must be one of (1,).")
            items = row.get("components")
            if not isinstance(items, list) or not 1 <= len(items) <= 5:
                raise form_error(["components", r, "components"], "BASE_TYPE_BAD_LENGTH",
                                 "Must be between 1 and 5 in length.")
            for c, item in enumerate(items):
                path = ["components", r, "components", c]
                if not isinstance(item, dict):
                    raise form_error(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
                ctype = item.get("type")
                if ctype == 2:
                    style = item.get("style")
                    if style not in (1, 2, 3, 4, 5, 6):
                        raise form_error(path + ["style"], "BASE_TYPE_CHOICES",
                                         "Value must be one of {1, 2, 3, 4, 5, 6}.")
                    label = item.get("label")
                    if label is not None and (not isinstance(label, str) or len(label) > 80):
                        raise form_error(path + ["label"], "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.")
                    if style == 5:
                        if not item.get("url") or "custom_id" in item:
                            raise form_error(path, "BUTTON_COMPONENT_URL_REQUIRED",
                                             "A link button needs a url and no custom_id.")
                        continue
                    if style == 6:
                        continue
                    if not label and not item.get("emoji"):
                        raise form_error(path, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
                                         "A button needs a label or an emoji.")
                elif ctype in (3, 5, 6, 7, 8):
                    if len(items) != 1:
                        raise form_error(["components", r, "components"], "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                                         "A select menu must be alone in its action row.")
                else:
                    raise form_error(path + ["type"], "UNION_TYPE_CHOICES",
                                     "Value of field \"type\" must be one of (2, 3, 5, 6, 7, 8).")
                cid = item.get("custom_id")
                if not isinstance(cid, str) or not 1 <= len(cid) <= 100:
                    raise form_error(path + ["custom_id"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
                if cid in seen:
                    raise form_error(path + ["custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED",
                                     "Component custom id cannot be duplicated")
                seen.add(cid)

    def apply_edit(self, m: dict, fields: dict, via: str, **extra) -> dict:
        edit = {k: v for k, v in fields.items() if not k.startswith("_")}
        edit.update({"via": via, "at": self.ms()}, **extra)
        for key in ("content", "components", "allowed_mentions", "flags"):
            if key in fields:
                if key == "flags":
                    m["flags"] = (fields["flags"] & ~(EPHEMERAL | LOADING)) | (m["flags"] & EPHEMERAL)
                else:
                    m[key] = fields[key]
        m["flags"] &= ~LOADING
        m["edited_timestamp"] = iso(time.time())
        m["edits"].append(edit)
        return edit

    # ------------------------------------------------------------ gateway dispatch

    def dispatch_to(self, s: Session, t: str, d: Any) -> None:
        s.seq += 1
        payload = {"op": 0, "d": d, "s": s.seq, "t": t}
        s.log.append(payload)
        self.gw["dispatches"] += 1
        if s.conn is not None:
            s.conn.send(payload)

    def broadcast(self, t: str, make: Callable[[Session], Any]) -> int:
        n = 0
        now = time.monotonic()
        for s in list(self.sessions.values()):
            if not s.usable(now):
                continue
            d = make(s)
            if d is None:
                continue
            self.dispatch_to(s, t, d)
            n += 1
        return n

    def live_sessions(self) -> int:
        return sum(1 for s in self.sessions.values() if s.usable() and s.conn is not None)

    # ------------------------------------------------------------ gateway connection

    def server_close(self, conn: Conn, code: int, reason: str, invalidate: Optional[bool] = None) -> None:
        if conn.closing or not conn.open:
            return
        conn.closing = True
        conn.closed_by = "server"
        conn.close_code = code
        self.closes.append({"code": code, "by": "server", "reason": reason, "conn": conn.id,
                            "port": conn.port, "at": self.ms()})
        log.info("conn %d: server closes with %d (%s)", conn.id, code, reason)
        if invalidate is None:
            invalidate = code in SESSION_ENDING_CLOSES
        s = conn.session
        if s is not None:
            if s.conn is conn:
                s.conn = None
                s.detached_at = time.monotonic()
            if invalidate:
                s.end(f"server closed with {code}")
        conn.queue.put_nowait(("close", (code, reason)))

    def protocol_close(self, conn: Conn, code: int, reason: str) -> None:
        self.protocol_errors.append({"code": code, "reason": reason, "conn": conn.id, "at": self.ms()})
        self.server_close(conn, code, reason)

    async def writer(self, conn: Conn) -> None:
        while True:
            kind, arg = await conn.queue.get()
            if kind == "stop":
                return
            if kind == "send":
                if conn.ws.closed:
                    continue
                try:
                    await conn.ws.send_str(json.dumps(arg))
                except Exception as exc:       # the peer went away; the session log keeps it
                    log.info("conn %d: send failed: %s", conn.id, exc)
                    continue
                if arg.get("op") == 0:
                    conn.last_sent_seq = arg["s"]
            elif kind == "close":
                code, reason = arg
                try:
                    await conn.ws.close(code=code, message=reason.encode()[:120])
                except Exception:
                    pass
                return
            elif kind == "abort":
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
                return

    async def watchdog(self, conn: Conn) -> None:
        while conn.open and not conn.closing:
            delay = conn.deadline - time.monotonic()
            if delay <= 0:
                self.gw["heartbeat_timeouts"] += 1
                # gateway.mdx: a client that misses heartbeats is disconnected; the
                # close code is not documented, 4009 "Session timed out" fits best
                # (and ends the session, as 4009 does; --heartbeat-timeout-code 4000
                # keeps it resumable instead)
                self.server_close(conn, self.args.heartbeat_timeout_code,
                                  "no heartbeat within 1.5 x heartbeat_interval")
                return
            await asyncio.sleep(delay)

    async def ws_handler(self, request: web.Request, port: str) -> web.StreamResponse:
        ws = web.WebSocketResponse(timeout=3.0, autoclose=True, autoping=True, compress=False,
                                   max_msg_size=1 << 20)
        if not ws.can_prepare(request).ok:
            return web.json_response({"message": "404: Not Found", "code": 0}, status=404)
        if self.refuse_gateway > 0:
            self.refuse_gateway -= 1
            self.gw["refused"] += 1
            log.info("gateway: refusing a connection on the %s port (%d)", port, self.refuse_status)
            return web.Response(status=self.refuse_status, text="gateway unavailable (fake)")
        await ws.prepare(request)
        conn = Conn(self.next_conn_id, port, request, ws, self.args.heartbeat_ms)
        self.next_conn_id += 1
        self.conns.append(conn)
        self.gw["connections"] += 1
        log.info("conn %d: open on the %s port, query %s", conn.id, port, request.query_string)
        conn.writer_task = asyncio.create_task(self.writer(conn))

        v = request.query.get("v")
        encoding = request.query.get("encoding")
        compress = request.query.get("compress")
        if v != "10":
            self.protocol_close(conn, 4012, f"invalid API version {v!r} (this gateway speaks v=10)")
        elif encoding != "json":
            # The docs give no close code for a bad encoding; etf is valid on
            # Discord but this fake speaks json only, so both close with 4012.
            self.protocol_close(conn, 4012, f"encoding {encoding!r} not served (encoding=json expected)")
        elif compress is not None:
            self.protocol_close(conn, 4000, f"compress={compress!r} is not supported by the fake")
        else:
            conn.send({"op": 10, "d": {"heartbeat_interval": self.args.heartbeat_ms,
                                       "_trace": ["[\"fake-gateway\",{\"micros\":0}]"]},
                       "s": None, "t": None})
            conn.watchdog_task = asyncio.create_task(self.watchdog(conn))

        client_code: Optional[int] = None
        frame = False
        try:
            while True:
                msg = await ws.receive()
                if msg.type == WSMsgType.TEXT:
                    if not conn.closing:
                        self.on_payload(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    if not conn.closing:
                        self.protocol_close(conn, 4002, "binary frame on an encoding=json connection")
                elif msg.type == WSMsgType.CLOSE:
                    client_code, frame = msg.data, True
                    break
                elif msg.type == WSMsgType.CLOSING:
                    break
                else:                                   # CLOSED, ERROR: no close frame
                    break
        except Exception as exc:                        # pragma: no cover - defensive
            log.info("conn %d: receive failed: %s", conn.id, exc)
        finally:
            self.on_conn_end(conn, client_code, frame)
            if conn.writer_task and not conn.writer_task.done():
                conn.queue.put_nowait(("stop", None))
                try:
                    await asyncio.wait_for(asyncio.shield(conn.writer_task), 4.0)
                except (asyncio.TimeoutError, asyncio.CancelledError, Exception):
                    conn.writer_task.cancel()
            if conn.watchdog_task:
                conn.watchdog_task.cancel()
        return ws

    def on_conn_end(self, conn: Conn, code: Optional[int], frame: bool) -> None:
        if not conn.open:
            return
        conn.closed_at = time.monotonic()
        if conn.closed_by is None:
            conn.closed_by = "client"
            conn.close_code = code if frame else None
            self.closes.append({"code": conn.close_code, "by": "client", "frame": frame,
                                "conn": conn.id, "port": conn.port, "at": self.ms()})
            log.info("conn %d: client closed (%s)", conn.id, code if frame else "no close frame")
            s = conn.session
            if s is not None:
                if s.conn is conn:
                    s.conn = None
                    s.detached_at = time.monotonic()
                if frame and code in (1000, 1001):
                    # gateway.mdx: closing with 1000/1001 invalidates the session
                    s.end(f"client closed with {code}")
        conn.open = False

    def on_payload(self, conn: Conn, data: str) -> None:
        now = time.monotonic()
        conn.payloads += 1
        self.gw["payloads"] += 1
        conn.recv_times.append(now)
        while conn.recv_times and now - conn.recv_times[0] > GATEWAY_SEND_WINDOW:
            conn.recv_times.popleft()
        if len(data.encode("utf-8")) > GATEWAY_PAYLOAD_MAX:
            return self.protocol_close(conn, 4002, f"payload of {len(data.encode())} bytes (max {GATEWAY_PAYLOAD_MAX})")
        if len(conn.recv_times) > GATEWAY_SEND_LIMIT:
            return self.protocol_close(conn, 4008, f"more than {GATEWAY_SEND_LIMIT} payloads in 60 s")
        try:
            p = json.loads(data)
        except ValueError:
            return self.protocol_close(conn, 4002, "payload is not JSON")
        if not isinstance(p, dict):
            return self.protocol_close(conn, 4002, "payload is not a JSON object")
        op = p.get("op")
        d = p.get("d")
        if not is_int(op) or op not in CLIENT_OPS:
            return self.protocol_close(conn, 4001, f"unknown opcode {op!r}")
        if op == 1:
            return self.on_heartbeat(conn, d)
        if op == 2:
            return self.on_identify(conn, d)
        if op == 6:
            return self.on_resume(conn, d)
        if conn.session is None:
            return self.protocol_close(conn, 4003, f"op {op} before Identify")
        self.gw[f"op{op}"] += 1

    def on_heartbeat(self, conn: Conn, d: Any) -> None:
        if d is not None and not is_int(d):
            return self.protocol_close(conn, 4001, "heartbeat d must be the last sequence number or null")
        now = time.monotonic()
        conn.deadline = now + 1.5 * conn.interval
        conn.heartbeats += 1
        self.gw["heartbeats"] += 1
        self.last_seq_acked = d
        entry = {"conn": conn.id, "at": self.ms(now), "d": d, "last_sent_seq": conn.last_sent_seq}
        if conn.hb_request_at is not None:
            latency = round((now - conn.hb_request_at) * 1000.0, 1)
            entry["requested_latency_ms"] = latency
            for r in reversed(self.heartbeat_requests):
                if r["conn"] == conn.id and r["latency_ms"] is None:
                    r["latency_ms"] = latency
                    break
            conn.hb_request_at = None
        self.heartbeat_log.append(entry)
        del self.heartbeat_log[:-300]
        if self.drop_acks:
            self.gw["acks_dropped"] += 1
        else:
            conn.send({"op": 11, "d": None, "s": None, "t": None})
            self.gw["acks_sent"] += 1

    def check_token(self, conn: Conn, token: Any) -> bool:
        if token == self.token:
            return True
        if isinstance(token, str) and token == "Bot " + self.token:
            self.warn(f"conn {conn.id}: gateway token sent with a 'Bot ' prefix")
            return True
        self.gw["auth_failures"] += 1
        self.protocol_close(conn, 4004, "authentication failed")
        return False

    def on_identify(self, conn: Conn, d: Any) -> None:
        if conn.session is not None or conn.identified or conn.resumed:
            return self.protocol_close(conn, 4005, "already authenticated")
        if not isinstance(d, dict):
            return self.protocol_close(conn, 4001, "identify d must be an object")
        if not self.check_token(conn, d.get("token")):
            return
        intents = d.get("intents")
        if not is_int(intents) or intents < 0 or intents & ~KNOWN_INTENTS:
            return self.protocol_close(conn, 4013, f"invalid intents {intents!r}")
        if intents & self.args.disallowed_intents:
            return self.protocol_close(conn, 4014, f"disallowed intents {intents & self.args.disallowed_intents}")
        props = d.get("properties")
        if not isinstance(props, dict):
            return self.protocol_close(conn, 4001, "identify without properties")
        for key in ("os", "browser", "device"):
            if not isinstance(props.get(key), str):
                self.warn(f"conn {conn.id}: identify properties.{key} missing")
        if d.get("compress"):
            self.warn(f"conn {conn.id}: identify asks for payload compression; the fake sends plain JSON")
        shard = d.get("shard")
        if shard is not None:
            if (not isinstance(shard, list) or len(shard) != 2 or not all(is_int(x) for x in shard)
                    or not 0 <= shard[0] < shard[1]):
                return self.protocol_close(conn, 4010, f"invalid shard {shard!r}")
        now = time.monotonic()
        window = self.args.identify_window_ms / 1000.0
        if self.last_identify_ok is not None and now - self.last_identify_ok < window:
            # gateway.mdx: over max_concurrency per 5 s -> Invalid Session
            self.gw["identify_rejected"] += 1
            self.gw["invalid_sessions_sent"] += 1
            log.info("conn %d: identify within %.0f ms of the last one: op 9", conn.id, window * 1000)
            conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        self.last_identify_ok = now
        s = Session(self, intents, props, shard)
        self.sessions[s.id] = s
        s.conn = conn
        conn.session = s
        conn.session_id = s.id
        conn.identified = True
        self.gw["identifies"] += 1
        self.identifies_by_port[conn.port] += 1
        self.intents = intents
        self.identify_properties = props
        log.info("conn %d: identified, session %s, intents %d", conn.id, s.id, intents)
        user = dict(self.bot_user, verified=True, mfa_enabled=False, email=None)
        ready = {"v": 10, "user": user, "guilds": [], "session_id": s.id,
                 "resume_gateway_url": f"ws://127.0.0.1:{self.resume_port}",
                 "application": {"id": self.app_id, "flags": 0},
                 "private_channels": [], "relationships": [], "presences": [],
                 "session_type": "normal", "_trace": ["[\"fake-gateway\",{\"micros\":0}]"]}
        if shard is not None:
            ready["shard"] = shard
        self.dispatch_to(s, "READY", ready)

    def on_resume(self, conn: Conn, d: Any) -> None:
        if conn.session is not None or conn.identified or conn.resumed:
            return self.protocol_close(conn, 4005, "already authenticated")
        if not isinstance(d, dict):
            return self.protocol_close(conn, 4001, "resume d must be an object")
        self.gw["resumes"] += 1
        self.resumes_by_port[conn.port] += 1
        if not self.check_token(conn, d.get("token")):
            return
        sid = d.get("session_id")
        seq = d.get("seq")
        s = self.sessions.get(sid) if isinstance(sid, str) else None
        if s is None or not s.usable():
            self.gw["resumes_failed"] += 1
            self.gw["invalid_sessions_sent"] += 1
            why = "unknown session" if s is None else f"session ended: {s.end_reason}"
            log.info("conn %d: resume of %s refused (%s): op 9 false", conn.id, sid, why)
            self.replays.append({"conn": conn.id, "port": conn.port, "session_id": sid, "seq": seq,
                                 "ok": False, "why": why, "at": self.ms()})
            conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        if seq is None:
            self.warn(f"conn {conn.id}: resume with seq null")
            seq = 0
        if not is_int(seq) or seq < 0 or seq > s.seq:
            self.gw["resumes_failed"] += 1
            return self.protocol_close(conn, 4007, f"invalid seq {seq!r} (session is at {s.seq})")
        old = s.conn
        if old is not None and old is not conn:
            old.session = None
            s.conn = None
            self.server_close(old, 4000, "session resumed on another connection", invalidate=False)
        missed = [p for p in s.log if p["s"] > seq]
        for p in missed:
            conn.send(p)
        s.conn = conn
        s.detached_at = None
        conn.session = s
        conn.session_id = s.id
        conn.resumed = True
        self.gw["resumes_ok"] += 1
        self.replays.append({"conn": conn.id, "port": conn.port, "session_id": s.id, "seq": seq, "ok": True,
                             "replayed": [p["s"] for p in missed], "at": self.ms()})
        log.info("conn %d: resumed %s from seq %d, replaying %d", conn.id, s.id, seq, len(missed))
        self.dispatch_to(s, "RESUMED", {"_trace": ["[\"fake-gateway\",{\"micros\":0}]"]})

    def current_conn(self, conn_id: Optional[int] = None) -> Optional[Conn]:
        open_conns = [c for c in self.conns if c.open and not c.closing]
        if conn_id is not None:
            return next((c for c in open_conns if c.id == conn_id), None)
        with_session = [c for c in open_conns if c.session is not None]
        pool = with_session or open_conns
        return pool[-1] if pool else None

    # ------------------------------------------------------------ REST plumbing

    def route_info(self, request: web.Request):
        route = request.match_info.route
        resource = route.resource if route is not None else None
        canonical = resource.canonical if resource is not None else request.path
        return canonical, request.match_info

    def take_fault(self, kind: str, request: web.Request) -> Optional[dict]:
        for f in self.faults:
            if f["kind"] != kind or f["remaining"] <= 0:
                continue
            if f.get("path") and f["path"] not in request.path:
                continue
            if f.get("method") and f["method"].upper() != request.method:
                continue
            f["remaining"] -= 1
            return f
        return None

    def bucket_for(self, request: web.Request, canonical: str, mi) -> Optional[tuple]:
        if "{tail}" in canonical or canonical.startswith("/_fake"):
            return None
        tail = canonical[len("/api/v10"):]
        if request.method == "POST" and tail == "/channels/{cid}/messages":
            name = "POST /channels/{cid}/messages"
            limit, window = self.args.channel_limit, self.args.channel_window_ms / 1000.0
        else:
            name = f"{request.method} {tail}"
            limit, window = self.args.route_limit, self.args.route_window_ms / 1000.0
        if "cid" in mi:
            major = mi["cid"]
        elif "tok" in mi:
            major = f"{mi.get('app')}/{mi['tok']}"
        elif "iid" in mi:
            major = mi["iid"]
        else:
            major = ""
        bucket_id = hashlib.sha1(name.encode()).hexdigest()[:32]
        return (name, major), limit, window, bucket_id, name

    def limit_headers(self, b: dict, limit: int, bucket_id: str, now: float) -> dict:
        after = max(0.0, b["reset_at"] - now)
        return {"X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(max(0, limit - b["count"])),
                "X-RateLimit-Reset": f"{time.time() + after:.3f}",
                "X-RateLimit-Reset-After": f"{after:.3f}",
                "X-RateLimit-Bucket": bucket_id}

    def rate_limited(self, retry_after: float, glob: bool, scope: str, headers: dict) -> web.Response:
        self.stats["rate_limited"] += 1
        if scope != "shared":           # rate-limits.mdx: shared-scope 429s are not counted against you
            self.stats["invalid_requests"] += 1
        h = dict(headers)
        h["Retry-After"] = str(max(1, math.ceil(retry_after)))
        h["X-RateLimit-Scope"] = scope
        if glob:
            h["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3), "global": glob}
        return web.json_response(body, status=429, headers=h)

    @web.middleware
    async def api_middleware(self, request: web.Request, handler):
        if not request.path.startswith("/api/"):
            return await handler(request)
        started = time.monotonic()
        rec = {"method": request.method, "path": request.path, "status": None, "at": self.ms(started),
               "user_agent": request.headers.get("User-Agent"),
               "content_type": request.headers.get("Content-Type"),
               "audit_log_reason": request.headers.get("X-Audit-Log-Reason"),
               "_n": self.number()}
        if request.query_string:
            rec["query"] = request.query_string
        self.requests.append(rec)
        try:
            resp = await self._api(request, handler, rec, started)
        except FormError as exc:
            resp = web.json_response(exc.body, status=exc.status)
        rec["status"] = resp.status
        rec["ms"] = round((time.monotonic() - started) * 1000.0, 1)
        if resp.status in (401, 403):
            self.stats["invalid_requests"] += 1
        log.info("%s %s -> %d%s", request.method, short(request.path), resp.status,
                 f" ({rec['injected']})" if rec.get("injected") else "")
        return resp

    async def _api(self, request: web.Request, handler, rec: dict, started: float) -> web.StreamResponse:
        canonical, mi = self.route_info(request)
        path = request.path
        m = re.match(r"^/api/v(\d+)/", path)
        if m and m.group(1) != "10":
            return web.json_response({"message": "Invalid API version provided", "code": 50041}, status=400)
        token_route = path.startswith("/api/v10/interactions/") or path.startswith("/api/v10/webhooks/")
        open_route = token_route or path in ("/api/v10/gateway",)
        if not open_route:
            auth = request.headers.get("Authorization")
            rec["auth"] = "ok" if auth == f"Bot {self.token}" else ("missing" if auth is None else "bad")
            if rec["auth"] != "ok":
                return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        slow = self.take_fault("slow", request)
        if slow and slow.get("mode", "before") == "before":
            rec["slowed_ms"] = slow["ms"]
            await asyncio.sleep(slow["ms"] / 1000.0)
        err = self.take_fault("error", request)
        if err:
            self.stats["injected_errors"] += 1
            rec["injected"] = "error"
            status = err.get("status", 500)
            if status == 502:
                return web.Response(status=502, content_type="text/html",
                                    text="<html><body><h1>502 Bad Gateway</h1></body></html>")
            return web.json_response({"message": f"{status}: Internal Server Error", "code": 0}, status=status)

        now = time.monotonic()
        binfo = self.bucket_for(request, canonical, mi)
        key = binfo[0] if binfo else None
        if key is not None and now < self.blocked_until.get(key, 0.0):
            self.stats["early_retries"] += 1
            rec["early_retry"] = True
        elif not token_route and now < self.blocked_until.get("global", 0.0):
            self.stats["early_retries"] += 1
            rec["early_retry"] = True

        inj = self.take_fault("rate_limit", request)
        if inj:
            rec["injected"] = "rate_limit"
            retry = float(inj.get("retry_after", 1.0))
            glob = bool(inj.get("global", False))
            scope = inj.get("scope") or ("global" if glob else "user")
            headers = {}
            if glob:
                self.blocked_until["global"] = now + retry
            elif binfo:
                _, limit, _, bucket_id, _ = binfo
                headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0",
                           "X-RateLimit-Reset": f"{time.time() + retry:.3f}",
                           "X-RateLimit-Reset-After": f"{retry:.3f}", "X-RateLimit-Bucket": bucket_id}
                self.blocked_until[key] = now + retry
            return self.rate_limited(retry, glob, scope, headers)

        if not token_route and self.args.global_limit > 0:
            gw = self.global_window
            if now >= gw[0]:
                gw[0], gw[1] = now + 1.0, 0
            if gw[1] >= self.args.global_limit:
                self.stats["global_violations"] += 1
                self.blocked_until["global"] = gw[0]
                return self.rate_limited(gw[0] - now, True, "global", {})
            gw[1] += 1

        headers = {}
        if binfo:
            key, limit, window, bucket_id, name = binfo
            b = self.buckets.get(key)
            if b is None or now >= b["reset_at"]:
                b = self.buckets[key] = {"count": 0, "reset_at": now + window}
            if b["count"] >= limit:
                self.stats["violations"] += 1
                self.violations_by_route[name] += 1
                rec["violation"] = True
                self.blocked_until[key] = b["reset_at"]
                return self.rate_limited(b["reset_at"] - now, False, "user",
                                         self.limit_headers(b, limit, bucket_id, now))
            b["count"] += 1
            headers = self.limit_headers(b, limit, bucket_id, now)

        try:
            resp = await handler(request)
        except FormError as exc:
            resp = web.json_response(exc.body, status=exc.status)
        for k, v in headers.items():
            resp.headers[k] = v
        if slow and slow.get("mode") == "after":
            rec["slowed_ms"] = slow["ms"]
            await asyncio.sleep(slow["ms"] / 1000.0)
        return resp

    async def read_json(self, request: web.Request) -> dict:
        raw = await request.read()
        if not raw:
            return {}
        ctype = request.headers.get("Content-Type", "")
        if not ctype.split(";")[0].strip().lower() == "application/json":
            raise form_error([], "CONTENT_TYPE_INVALID", "Expected \"Content-Type\" header to be one of "
                                                         "{'application/json', 'multipart/form-data'}.")
        try:
            body = json.loads(raw)
        except ValueError:
            raise json_error(400, 50109, "The request body contains invalid JSON.")
        if not isinstance(body, dict):
            raise form_error([], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return body

    # ------------------------------------------------------------ REST handlers

    async def h_gateway(self, request: web.Request) -> web.Response:
        return web.json_response({"url": f"ws://127.0.0.1:{self.main_port}"})

    async def h_gateway_bot(self, request: web.Request) -> web.Response:
        return web.json_response({
            "url": f"ws://127.0.0.1:{self.main_port}", "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": max(0, 999 - self.gw["identifies"]),
                                    "reset_after": 14400000, "max_concurrency": 1}})

    async def h_me(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.bot_user, verified=True, mfa_enabled=False))

    async def h_dm_channel(self, request: web.Request) -> web.Response:
        body = await self.read_json(request)
        rid = body.get("recipient_id")
        rid = str(rid) if is_int(rid) else rid
        if not is_snowflake(rid):
            raise form_error(["recipient_id"], "NUMBER_TYPE_COERCE", f'Value "{rid}" is not snowflake.')
        cid = self.dm_channel_for(rid)
        return web.json_response({"id": cid, "type": 1, "last_message_id": None, "flags": 0,
                                  "recipients": [self.user_obj(rid)]})

    def channel_id(self, request: web.Request) -> str:
        cid = request.match_info["cid"]
        if not is_snowflake(cid):
            raise form_error(["channel_id"], "NUMBER_TYPE_COERCE", f'Value "{cid}" is not snowflake.')
        return cid

    def find_message(self, cid: str, mid: str) -> dict:
        m = self.messages.get(mid)
        if m is None or m["deleted"] or m["channel_id"] != cid or m["flags"] & EPHEMERAL:
            raise json_error(404, 10008, "Unknown Message")
        return m

    async def h_post_message(self, request: web.Request) -> web.Response:
        cid = self.channel_id(request)
        body = await self.read_json(request)
        fields = self.validate_message(body, create=True, allow_flags=(1 << 2) | (1 << 12) | (1 << 13) | IS_COMPONENTS_V2)
        nonce = fields.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # message.mdx: same author + same nonce within a few minutes -> that message, no new one
            for mid in reversed(self.msg_order):
                old = self.messages[mid]
                if time.monotonic() - old["_t"] > 300:
                    break
                if old["nonce"] == nonce and old["author"].get("id") == self.bot_id and not old["deleted"]:
                    self.stats["nonce_dedups"] += 1
                    return web.json_response(self.message_obj(old))
        m = self.create_message(cid, dict(self.bot_user), fields.get("content", ""), fields.get("components"),
                                fields.get("allowed_mentions"), fields.get("flags", 0), "channel_post",
                                nonce=nonce)
        self.broadcast_message("MESSAGE_CREATE", m)
        return web.json_response(self.message_obj(m))

    async def h_get_message(self, request: web.Request) -> web.Response:
        m = self.find_message(self.channel_id(request), request.match_info["mid"])
        return web.json_response(self.message_obj(m))

    async def h_patch_message(self, request: web.Request) -> web.Response:
        m = self.find_message(self.channel_id(request), request.match_info["mid"])
        body = await self.read_json(request)
        if m["author"].get("id") != self.bot_id:
            raise json_error(403, 50005, "Cannot edit a message authored by another user")
        fields = self.validate_message(body, create=False, existing=m, allow_flags=(1 << 2) | IS_COMPONENTS_V2)
        self.apply_edit(m, fields, "channel_patch")
        self.broadcast_message("MESSAGE_UPDATE", m)
        return web.json_response(self.message_obj(m))

    async def h_delete_message(self, request: web.Request) -> web.Response:
        m = self.find_message(self.channel_id(request), request.match_info["mid"])
        m["deleted"] = True
        self.broadcast_delete(m)
        return web.Response(status=204)

    # interactions

    def interaction_for(self, iid: str, token: str) -> dict:
        inter = self.interactions.get(iid)
        if inter is None:
            raise json_error(404, 10062, "Unknown interaction")
        if inter["token"] != token:
            raise json_error(401, 50027, "Invalid webhook token provided")
        return inter

    def deadline_passed(self, inter: dict, now: float) -> bool:
        return now - inter["_t"] > self.args.interaction_deadline_ms / 1000.0

    async def h_callback(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        iid, token = request.match_info["iid"], request.match_info["itok"]
        attempt = {"at": self.ms(now), "ms": None, "status": None, "type": None}
        try:
            inter = self.interaction_for(iid, token)
            attempt["ms"] = round((now - inter["_t"]) * 1000.0, 1)
            inter["callback_attempts"].append(attempt)
            body = await self.read_json(request)
            attempt["type"] = body.get("type")
            if inter["callback"] is not None:
                raise json_error(400, 40060, "Interaction has already been acknowledged")
            if self.deadline_passed(inter, now):
                inter["expired"] = True
                raise json_error(404, 10062, "Unknown interaction")
            ctype = body.get("type")
            if ctype not in (4, 5, 6, 7, 9):
                raise form_error(["type"], "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7, 9}.")
            data = body.get("data")
            if data is not None and not isinstance(data, dict):
                raise form_error(["data"], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            data = data or {}
            source = self.messages.get(inter["message_id"])
            resource = None
            if ctype == 4:
                fields = self.validate_message(data, create=True, allow_flags=EPHEMERAL | (1 << 2) | (1 << 12) | IS_COMPONENTS_V2)
                m = self.create_message(inter["channel_id"], dict(self.bot_user), fields.get("content", ""),
                                        fields.get("components"), fields.get("allowed_mentions"),
                                        fields.get("flags", 0), "interaction_reply",
                                        webhook_id=self.app_id, application_id=self.app_id, interaction_id=iid)
                inter["original_message_id"] = m["id"]
                self.broadcast_message("MESSAGE_CREATE", m)
                resource = m
            elif ctype == 5:
                flags = data.get("flags", 0)
                if not is_int(flags) or flags & ~EPHEMERAL:
                    raise form_error(["data", "flags"], "MESSAGE_FLAGS_INVALID", "Only EPHEMERAL may be set here.")
                m = self.create_message(inter["channel_id"], dict(self.bot_user), "", None, None,
                                        flags | LOADING, "interaction_deferred",
                                        webhook_id=self.app_id, application_id=self.app_id, interaction_id=iid)
                inter["original_message_id"] = m["id"]
                self.broadcast_message("MESSAGE_CREATE", m)
            elif ctype == 6:
                inter["original_message_id"] = inter["message_id"]
            elif ctype == 7:
                if source is None or source["deleted"]:
                    raise json_error(404, 10008, "Unknown Message")
                fields = self.validate_message(data, create=False, existing=source, allow_flags=(1 << 2) | IS_COMPONENTS_V2)
                self.apply_edit(source, fields, "interaction_update", interaction_id=iid)
                inter["original_message_id"] = source["id"]
                self.broadcast_message("MESSAGE_UPDATE", source)
                resource = source
            elif ctype == 9:
                if not data.get("custom_id") or not data.get("title") or not data.get("components"):
                    raise form_error(["data"], "BASE_TYPE_REQUIRED", "custom_id, title and components are required.")
            inter["callback"] = {"type": ctype, "ms": attempt["ms"], "at": attempt["at"], "data": data}
            attempt["status"] = 204
            if request.query.get("with_response", "").lower() == "true":
                attempt["status"] = 200
                out = {"interaction": {"id": iid, "type": 3,
                                       "response_message_id": inter.get("original_message_id"),
                                       "response_message_loading": ctype == 5,
                                       "response_message_ephemeral": bool(resource and resource["flags"] & EPHEMERAL)}}
                if resource is not None:
                    out["resource"] = {"type": ctype, "message": self.message_obj(resource)}
                return web.json_response(out)
            return web.Response(status=204)
        except FormError as exc:
            attempt["status"] = exc.status
            attempt["code"] = exc.body.get("code")
            raise

    def webhook_interaction(self, request: web.Request) -> dict:
        app, token = request.match_info["app"], request.match_info["tok"]
        inter = self.inter_by_token.get(token)
        if app != self.app_id or inter is None:
            raise json_error(404, 10015, "Unknown Webhook")
        now = time.monotonic()
        if now - inter["_t"] > self.args.token_ttl_ms / 1000.0:
            raise json_error(404, 10015, "Unknown Webhook")
        if inter["callback"] is None:
            if self.deadline_passed(inter, now):
                inter["expired"] = True
            # no initial response (yet): the interaction webhook does not exist
            raise json_error(404, 10015, "Unknown Webhook")
        return inter

    def webhook_message(self, inter: dict, mid: str) -> dict:
        if mid == "@original":
            mid = inter.get("original_message_id")
        elif mid not in [f["id"] for f in inter["followups"]] and mid != inter.get("original_message_id"):
            mid = None
        m = self.messages.get(mid) if mid else None
        if m is None or m["deleted"]:
            raise json_error(404, 10008, "Unknown Message")
        return m

    async def h_webhook_get(self, request: web.Request) -> web.Response:
        inter = self.webhook_interaction(request)
        return web.json_response(self.message_obj(self.webhook_message(inter, request.match_info["mid"])))

    async def h_webhook_patch(self, request: web.Request) -> web.Response:
        inter = self.webhook_interaction(request)
        mid = request.match_info["mid"]
        m = self.webhook_message(inter, mid)
        body = await self.read_json(request)
        fields = self.validate_message(body, create=False, existing=m, allow_flags=(1 << 2) | IS_COMPONENTS_V2)
        edit = self.apply_edit(m, fields, "webhook_original" if mid == "@original" else "webhook_followup",
                               interaction_id=inter["id"])
        entry = dict(edit, message_id=m["id"], ms=round((time.monotonic() - inter["_t"]) * 1000.0, 1))
        if mid == "@original":
            inter["original_edits"].append(entry)
        else:
            inter["followup_edits"].append(entry)
        self.broadcast_message("MESSAGE_UPDATE", m)
        return web.json_response(self.message_obj(m))

    async def h_webhook_delete(self, request: web.Request) -> web.Response:
        inter = self.webhook_interaction(request)
        m = self.webhook_message(inter, request.match_info["mid"])
        m["deleted"] = True
        self.broadcast_delete(m)
        return web.Response(status=204)

    async def h_followup(self, request: web.Request) -> web.Response:
        inter = self.webhook_interaction(request)
        body = await self.read_json(request)
        if inter["callback"]["type"] == 5:
            orig = self.messages.get(inter.get("original_message_id") or "")
            if orig is not None and orig["flags"] & LOADING:
                # receiving-and-responding.mdx: after a deferred reply the first
                # follow-up edits the loading message (deprecated behaviour)
                fields = self.validate_message(body, create=False, existing=orig, allow_flags=EPHEMERAL | (1 << 2) | (1 << 12) | IS_COMPONENTS_V2)
                fields.pop("flags", None)
                edit = self.apply_edit(orig, fields, "webhook_followup_as_original", interaction_id=inter["id"])
                inter["original_edits"].append(dict(edit, message_id=orig["id"], via_followup=True,
                                                    ms=round((time.monotonic() - inter["_t"]) * 1000.0, 1)))
                self.broadcast_message("MESSAGE_UPDATE", orig)
                return web.json_response(self.message_obj(orig))
        fields = self.validate_message(body, create=True, allow_flags=EPHEMERAL | (1 << 2) | (1 << 12) | IS_COMPONENTS_V2)
        m = self.create_message(inter["channel_id"], dict(self.bot_user), fields.get("content", ""),
                                fields.get("components"), fields.get("allowed_mentions"), fields.get("flags", 0),
                                "followup", webhook_id=self.app_id, application_id=self.app_id,
                                interaction_id=inter["id"])
        inter["followups"].append({"id": m["id"], "content": m["content"], "flags": m["flags"],
                                   "ephemeral": bool(m["flags"] & EPHEMERAL), "components": m["components"],
                                   "ms": round((time.monotonic() - inter["_t"]) * 1000.0, 1)})
        self.broadcast_message("MESSAGE_CREATE", m)
        return web.json_response(self.message_obj(m))

    async def h_not_found(self, request: web.Request) -> web.Response:
        return web.json_response({"message": "404: Not Found", "code": 0}, status=404)

    # ------------------------------------------------------------ control API

    async def c_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        content = body.get("content")
        if not isinstance(content, str):
            return web.json_response({"error": "content (a string) is required"}, status=400)
        webhook_id = body.get("webhook_id")
        dm = bool(body.get("dm", False))
        uid = body.get("user_id")
        uid = str(uid) if uid is not None else None
        username = body.get("username")
        if webhook_id is not None:
            if dm:
                return web.json_response({"error": "webhook messages cannot be DMs"}, status=400)
            webhook_id = str(webhook_id)
            # message.mdx: for webhook messages the author is the webhook (its id, name, avatar)
            author = {"id": webhook_id, "username": username or "Webhook", "discriminator": "0000",
                      "avatar": None, "bot": True}
        else:
            if not uid or not uid.isdigit():
                return web.json_response({"error": "user_id (a snowflake) is required"}, status=400)
            known = self.users.get(uid)
            name = username or (known or {}).get("username") or f"user{uid}"
            author = {"id": uid, "username": name, "discriminator": "0", "global_name": name, "avatar": None}
            if body.get("bot"):
                author["bot"] = True
            self.users[uid] = dict(author)
        if dm:
            cid = self.dm_channel_for(uid)
        else:
            cid = body.get("channel_id")
            cid = str(cid) if cid is not None else None
            if not cid or not cid.isdigit():
                return web.json_response({"error": "channel_id (a snowflake) is required"}, status=400)
            if self.is_dm(cid):
                return web.json_response({"error": f"{cid} is a DM channel; use dm: true"}, status=400)
        m = self.create_message(cid, author, content, None, None, 0, "user", webhook_id=webhook_id)
        n = self.broadcast_message("MESSAGE_CREATE", m)
        log.info("control: message %s from %s in %s%s, dispatched to %s session(s)", m["id"], author["id"], cid,
                 " (DM)" if dm else "", n)
        return web.json_response({"id": m["id"], "channel_id": cid, "dispatched_to": n})

    async def c_click(self, request: web.Request) -> web.Response:
        body = await request.json()
        mid = str(body.get("message_id"))
        custom_id = body.get("custom_id")
        uid = str(body.get("user_id") or "")
        if not uid.isdigit():
            return web.json_response({"error": "user_id (a snowflake) is required"}, status=400)
        m = self.messages.get(mid)
        if m is None or m["deleted"]:
            return web.json_response({"error": f"no message {mid}"}, status=404)
        button = None
        for row in m["components"]:
            for item in (row.get("components") or []) if isinstance(row, dict) else []:
                if item.get("type") == 2 and item.get("custom_id") == custom_id:
                    button = item
        if button is None:
            return web.json_response({"error": f"message {mid} has no button {custom_id!r}"}, status=400)
        if button.get("disabled"):
            return web.json_response({"error": f"button {custom_id!r} is disabled"}, status=400)
        username = body.get("username") or (self.users.get(uid) or {}).get("username") or f"user{uid}"
        user = {"id": uid, "username": username, "discriminator": "0", "global_name": username, "avatar": None}
        self.users[uid] = dict(user)
        iid = self.snow.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)
        dm = m["guild_id"] is None
        payload = {
            "id": iid, "application_id": self.app_id, "type": 3, "token": token, "version": 1,
            "data": {"custom_id": custom_id, "component_type": 2},
            "channel_id": m["channel_id"],
            "channel": {"id": m["channel_id"], "type": 1 if dm else 0},
            "message": self.message_obj(m),
            "app_permissions": "2248473465835073", "locale": "en-US", "entitlements": [],
            "authorizing_integration_owners": {"0": "0" if dm else self.guild_id},
            "context": 1 if dm else 0, "attachment_size_limit": 10485760,
        }
        if dm:
            payload["user"] = user
        else:
            payload["guild_id"] = self.guild_id
            payload["guild"] = {"id": self.guild_id, "locale": "en-US", "features": []}
            payload["guild_locale"] = "en-US"
            payload["channel"]["guild_id"] = self.guild_id
            payload["member"] = dict(self.member_obj(), user=user, permissions="2248473465835073")
        now = time.monotonic()
        inter = {"id": iid, "token": token, "custom_id": custom_id, "user_id": uid, "message_id": mid,
                 "channel_id": m["channel_id"], "guild_id": None if dm else self.guild_id,
                 "at": self.ms(now), "_t": now, "_n": self.number(), "callback": None,
                 "callback_attempts": [], "original_message_id": None, "original_edits": [],
                 "followups": [], "followup_edits": [], "expired": False}
        self.interactions[iid] = inter
        self.inter_by_token[token] = inter
        self.inter_order.append(iid)
        live = self.live_sessions()
        n = self.broadcast("INTERACTION_CREATE", lambda s: json.loads(json.dumps(payload)))
        inter["dispatched_to"] = n
        inter["delivered_live"] = live > 0
        log.info("control: click %r on %s by %s: interaction %s, dispatched to %d session(s)",
                 custom_id, mid, uid, iid, n)
        return web.json_response({"interaction_id": iid, "token": token, "dispatched_to": n})

    async def c_misbehave(self, request: web.Request) -> web.Response:
        body = await request.json()
        action = body.get("action")
        result: dict = {"ok": True, "action": action}
        log.info("control: misbehave %s", json.dumps(body))
        if action in ("rate_limit", "error500", "slow"):
            kind = {"rate_limit": "rate_limit", "error500": "error", "slow": "slow"}[action]
            fault = {"kind": kind, "remaining": int(body.get("count", 1)),
                     "path": body.get("path"), "method": body.get("method")}
            if kind == "rate_limit":
                fault.update(retry_after=float(body.get("retry_after", 1.0)),
                             **{"global": bool(body.get("global", False))}, scope=body.get("scope"))
            elif kind == "error":
                fault["status"] = int(body.get("status", 500))
            else:
                fault.update(ms=float(body.get("ms", 1000)), mode=body.get("mode", "before"))
            self.faults = [f for f in self.faults if f["remaining"] > 0]
            self.faults.append(fault)
            return web.json_response(result)
        if action == "drop_acks":
            self.drop_acks = bool(body.get("on", True))
            return web.json_response(result)
        if action == "refuse_gateway":
            self.refuse_gateway = int(body.get("count", 1))
            self.refuse_status = int(body.get("status", 503))
            return web.json_response(result)
        if action == "set_token":
            self.token = str(body["token"])
            return web.json_response(result)
        conn = self.current_conn(body.get("conn"))
        if conn is None:
            return web.json_response({"ok": False, "error": "no open gateway connection"}, status=409)
        result["conn"] = conn.id
        result["session_id"] = conn.session_id
        if action == "reconnect":
            self.gw["reconnects_sent"] += 1
            conn.send({"op": 7, "d": None, "s": None, "t": None})
            grace = float(body.get("grace_ms", 5000)) / 1000.0
            code = int(body.get("code", 4000))
            asyncio.get_running_loop().call_later(
                grace, lambda: conn.open and self.server_close(conn, code, "client did not reconnect after op 7",
                                                               invalidate=False))
        elif action == "invalid_session":
            resumable = bool(body.get("resumable", False))
            self.gw["invalid_sessions_sent"] += 1
            conn.send({"op": 9, "d": resumable, "s": None, "t": None})
            if not resumable and conn.session is not None:
                s = conn.session
                s.end("invalidated by op 9 d:false")
                s.conn = None
                conn.session = None
                conn.identified = conn.resumed = False     # may Identify again
        elif action == "close":
            code = int(body.get("code", 4000))
            inv = body.get("invalidate")
            self.server_close(conn, code, body.get("reason", "closed by the test"),
                              invalidate=None if inv is None else bool(inv))
        elif action == "drop":
            conn.closing = True
            conn.closed_by = "server"
            conn.close_code = None
            self.closes.append({"code": None, "by": "server", "reason": "dropped (no close frame)",
                                "conn": conn.id, "port": conn.port, "at": self.ms()})
            s = conn.session
            if s is not None and s.conn is conn:
                s.conn = None
                s.detached_at = time.monotonic()
            conn.queue.put_nowait(("abort", None))
        elif action == "heartbeat_request":
            conn.hb_request_at = time.monotonic()
            self.heartbeat_requests.append({"conn": conn.id, "at": self.ms(), "latency_ms": None})
            conn.send({"op": 1, "d": None, "s": None, "t": None})
        else:
            return web.json_response({"ok": False, "error": f"unknown action {action!r}"}, status=400)
        return web.json_response(result)

    async def c_reset(self, request: web.Request) -> web.Response:
        body = {}
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                body = {}
        self._reset_records()
        self.floor = self.counter + 1
        if body.get("faults"):
            self.faults = []
            self.drop_acks = False
            self.refuse_gateway = 0
        if body.get("buckets"):
            self.buckets.clear()
            self.blocked_until.clear()
            self.global_window = [0.0, 0]
        return web.json_response({"ok": True})

    def message_view(self, m: dict) -> dict:
        return {
            "id": m["id"], "channel_id": m["channel_id"], "guild_id": m["guild_id"],
            "dm": m["guild_id"] is None, "author_id": m["author"].get("id"),
            "author_bot": bool(m["author"].get("bot")), "content": m["content"],
            "components": m["components"], "allowed_mentions": m["allowed_mentions"], "flags": m["flags"],
            "ephemeral": bool(m["flags"] & EPHEMERAL), "via": m["via"], "webhook_id": m["webhook_id"],
            "interaction_id": m["interaction_id"], "edits": m["edits"], "deleted": m["deleted"],
            "mentions": m["mentions"], "pinged_users": m["pinged_users"], "nonce": m["nonce"],
            "pinged_everyone": m["pinged_everyone"], "at": m["at"],
        }

    def state(self) -> dict:
        now = time.monotonic()
        msgs = [self.message_view(self.messages[i]) for i in self.msg_order if self.messages[i]["_n"] >= self.floor]
        inters = []
        for iid in self.inter_order:
            i = self.interactions[iid]
            if i["_n"] < self.floor:
                continue
            if i["callback"] is None and self.deadline_passed(i, now):
                i["expired"] = True
            cb = i["callback"]
            inters.append({
                "id": i["id"], "token": i["token"], "custom_id": i["custom_id"], "user_id": i["user_id"],
                "message_id": i["message_id"], "channel_id": i["channel_id"], "guild_id": i["guild_id"],
                "at": i["at"], "dispatched_to": i.get("dispatched_to"), "delivered_live": i.get("delivered_live"),
                "callback_type": cb["type"] if cb else None, "callback_ms": cb["ms"] if cb else None,
                "callback": cb, "callback_attempts": i["callback_attempts"], "expired": i["expired"],
                "original_message_id": i["original_message_id"], "original_edits": i["original_edits"],
                "followups": i["followups"], "followup_edits": i["followup_edits"]})
        conns = []
        for c in self.conns[-30:]:
            conns.append({"id": c.id, "port": c.port, "query": c.query, "open": c.open and not c.closing,
                          "opened_at": self.ms(c.opened), "closed_at": self.ms(c.closed_at) if c.closed_at else None,
                          "closed_by": c.closed_by, "close_code": c.close_code, "session_id": c.session_id,
                          "identified": c.identified, "resumed": c.resumed, "payloads": c.payloads,
                          "heartbeats": c.heartbeats, "last_sent_seq": c.last_sent_seq})
        sessions = [{"session_id": s.id, "seq": s.seq, "valid": s.usable(now), "connected": s.conn is not None,
                     "conn": s.conn.id if s.conn else None, "intents": s.intents, "end_reason": s.end_reason,
                     "events": [p["t"] for p in s.log][-50:]} for s in self.sessions.values()]
        gw = dict(self.gw)
        for key in ("connections", "identifies", "identify_rejected", "resumes", "resumes_ok", "resumes_failed",
                    "heartbeats", "acks_sent", "acks_dropped", "heartbeat_timeouts", "dispatches",
                    "reconnects_sent", "invalid_sessions_sent", "payloads", "auth_failures", "refused"):
            gw.setdefault(key, 0)
        gw.update({
            "open_connections": sum(1 for c in self.conns if c.open and not c.closing),
            "resumes_by_port": dict(self.resumes_by_port),
            "identifies_by_port": dict(self.identifies_by_port),
            "closes": self.closes, "intents": self.intents, "identify_properties": self.identify_properties,
            "last_seq_acked": self.last_seq_acked, "heartbeat_log": self.heartbeat_log[-100:],
            "heartbeat_requests": self.heartbeat_requests, "protocol_errors": self.protocol_errors,
            "drop_acks": self.drop_acks,
            "replays": self.replays, "conns": conns, "sessions": sessions,
        })
        stats = {k: self.stats.get(k, 0) for k in ("rate_limited", "violations", "early_retries",
                                                  "global_violations", "injected_errors", "invalid_requests",
                                                  "nonce_dedups")}
        return {
            "app_id": self.app_id, "bot_id": self.bot_id, "guild_id": self.guild_id,
            "ports": {"main": self.main_port, "resume": self.resume_port}, "uptime_ms": self.ms(now),
            "messages": msgs, "dm_channels": dict(self.dm_by_user), "interactions": inters,
            "gateway": gw,
            "requests": [{k: v for k, v in r.items() if k != "_n"} for r in self.requests[-500:]],
            "requests_total": len(self.requests),
            **stats,
            "violations_by_route": dict(self.violations_by_route),
            "pending_faults": [dict(f) for f in self.faults if f["remaining"] > 0],
            "warnings": self.warnings,
        }

    async def c_state(self, request: web.Request) -> web.Response:
        return web.json_response(self.state())


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
