#!/usr/bin/python3
"""The fake Mattermost SERVER for dutybot's end-to-end tests: the API v4 REST
calls and the /api/v4/websocket a bot uses, written from Mattermost's
published documents (api.mattermost.com; the webapp's websocket.ts for the
socket's resume), and able to misbehave on demand.  Python's standard library
only.  A program of its own; tests start and drive it through
tests/e2e/mattermost_driver.py.

It prints "READY <port>" on stdout once listening and exits when its stdin
closes.  The control API under /_fake/ (message, click, misbehave, user,
state) is what a test uses; see mattermost_driver.py.

What it models:
  - REST: Authorization "Bearer <token>" (401 otherwise); GET /users/me,
    /users/username/{name}, /users/{id}/channels, /channels/{id}/posts?since=;
    POST /posts (201), /channels/direct (201); X-Ratelimit-Limit/-Remaining/
    -Reset (seconds until the window resets) on every answer.
  - The socket: {"seq":1,"action":"authentication_challenge","data":{"token"}}
    -> {"status":"OK","seq_reply":1}, then the hello event (connection_id);
    events numbered by "seq" per connection; {"action":"ping"} answered
    {"status":"OK","seq_reply":N,"data":{"text":"pong"}}.  A connection's last
    128 events are kept (also while the socket is gone), and a reconnect
    with ?connection_id=&sequence_number= gets the same connection_id in its
    hello and the events from that seq on, unless told not to replay: then a
    new connection_id and seq from 0, as after a server restart.
  - Buttons: a post's props.attachments[].actions[].integration {url,
    context}; /_fake/click POSTs {user_id, post_id, channel_id, team_id,
    context} to that url as the server does, and applies the answer's
    "update" to the post or records its "ephemeral_text".
Misbehaviours (/_fake/misbehave): drop (the socket cut without a close
frame), replay (enabled; overlap: also replay that many events already
sent), gap (the next event skips a seq), refuse (ms: socket upgrades
answered 503, as a restarting proxy does), rate_limit
(count, reset, path), error500 (count, path), slow (ms, count, path), clear.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import hashlib
import json
import logging
import os
import random
import string
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request

log = logging.getLogger("fake_mm")
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
QUEUE_MAX = 128
TEAM = "t" * 26


def new_id() -> str:
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(26))


def now_ms() -> int:
    return int(time.time() * 1000)


class Session:
    """A socket connection as the server keeps it: its id, numbering and last events."""

    def __init__(self) -> None:
        self.id = new_id()
        self.next_seq = 0
        self.queue: collections.deque = collections.deque(maxlen=QUEUE_MAX)
        self.writer: asyncio.StreamWriter | None = None
        self.authed = False


class Fake:
    def __init__(self, args: argparse.Namespace) -> None:
        self.a = args
        self.bot_id = args.bot_id
        self.users: dict[str, dict] = {self.bot_id: {"id": self.bot_id, "username": args.bot_username,
                                                      "is_bot": True}}
        self.channels: dict[str, dict] = {}
        self.dm: dict[str, str] = {}            # user id -> DM channel id
        self.posts: list[dict] = []             # everyone's, in order
        self.by_id: dict[str, dict] = {}
        self.session: Session | None = None
        self.replay = True
        self.replay_overlap = 0                 # also replay this many events the client had seen
        self.gap_next = False
        self.refuse_until = 0.0                 # socket upgrades answered 503 until then
        self.inject: dict[str, list] = {"rate_limit": [], "error500": [], "slow": []}
        self.blocked_until: dict[str, float] = {}
        self.stats = collections.Counter()
        self.requests: list[dict] = []
        self.ephemerals: list[dict] = []
        self.clicks: list[dict] = []
        self.connections: list[dict] = []
        self.window_start = time.monotonic()
        self.window_used = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        for item in filter(None, args.channels.split(",")):
            cid, _, name = item.partition(":")
            self.channel(cid, "O", name or None)

    # ------------------------------------------------------------------ model

    def channel(self, cid: str, ctype: str = "O", name: str | None = None) -> dict:
        if cid not in self.channels:
            self.channels[cid] = {"id": cid, "type": ctype, "name": name or cid, "display_name": name or cid,
                                  "team_id": "" if ctype == "D" else TEAM, "create_at": now_ms()}
        return self.channels[cid]

    def dm_channel(self, uid: str) -> dict:
        if uid not in self.dm:
            self.dm[uid] = new_id()
            ch = self.channel(self.dm[uid], "D", "__".join(sorted([self.bot_id, uid])))
            ch["members"] = [self.bot_id, uid]
        return self.channels[self.dm[uid]]

    def make_post(self, uid: str, cid: str, message: str, props: dict | None = None, ptype: str = "") -> dict:
        t = max(now_ms(), (self.posts[-1]["create_at"] + 1) if self.posts else 0)
        post = {"id": new_id(), "create_at": t, "update_at": t, "edit_at": 0, "delete_at": 0,
                "is_pinned": False, "user_id": uid, "channel_id": cid, "root_id": "", "original_id": "",
                "message": message, "type": ptype, "props": props or {}, "hashtags": "",
                "pending_post_id": "", "reply_count": 0, "metadata": {}}
        self.posts.append(post)
        self.by_id[post["id"]] = post
        ch = self.channels[cid]
        sender = self.users.get(uid, {}).get("username", uid)
        self.broadcast("posted", {"channel_display_name": ch["display_name"], "channel_name": ch["name"],
                                  "channel_type": ch["type"], "post": json.dumps(post),
                                  "sender_name": "@" + sender, "team_id": ch["team_id"]},
                       {"omit_users": None, "user_id": "", "channel_id": cid, "team_id": ""})
        return post

    def broadcast(self, event: str, data: dict, bc: dict) -> None:
        s = self.session
        if s is None:
            return
        if self.gap_next:
            self.gap_next = False
            s.next_seq += 1
            self.stats["gaps"] += 1
        frame = {"event": event, "data": data, "broadcast": bc, "seq": s.next_seq}
        s.next_seq += 1
        s.queue.append(frame)
        if s.writer is not None and s.authed:
            self.ws_send(s.writer, frame)

    # ------------------------------------------------------------------ HTTP plumbing

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                body = b""
                if "content-length" in headers:
                    body = await reader.readexactly(int(headers["content-length"]))
                url = urllib.parse.urlsplit(target)
                query = dict(urllib.parse.parse_qsl(url.query))
                if headers.get("upgrade", "").lower() == "websocket":
                    await self.websocket(reader, writer, url.path, query, headers)
                    return
                status, extra, payload = await self.route(method, url.path, query, headers, body)
                data = json.dumps(payload).encode()
                head = [f"HTTP/1.1 {status} {'OK' if status < 400 else 'Error'}",
                        "Content-Type: application/json", f"Content-Length: {len(data)}"]
                head += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    def over_limit(self) -> bool:
        """With --enforce-rate, a request past the window's budget (the server's limiter on)."""
        now = time.monotonic()
        if now - self.window_start >= 1:
            self.window_start, self.window_used = now, 0
        return self.a.enforce_rate and self.window_used >= self.a.rate_per_second

    def limit_headers(self) -> dict:
        self.window_used += 1
        remaining = max(self.a.rate_per_second - self.window_used, 0)
        return {"X-Ratelimit-Limit": str(self.a.rate_per_second), "X-Ratelimit-Remaining": str(remaining),
                "X-Ratelimit-Reset": "1"}

    def take_injection(self, kind: str, path: str) -> dict | None:
        for inj in self.inject[kind]:
            if inj["count"] > 0 and (inj.get("path") or "/api/v4/posts") == path:
                inj["count"] -= 1
                return inj
        return None

    async def route(self, method: str, path: str, query: dict, headers: dict, body: bytes):
        if path.startswith("/_fake/"):
            return await self.control(method, path[len("/_fake/"):], body)
        rec = {"method": method, "path": path, "at_ms": now_ms()}
        self.requests.append(rec)
        if headers.get("authorization") != "Bearer " + self.a.token:
            rec["status"] = 401
            return 401, {}, {"id": "api.context.session_expired.app_error", "status_code": 401}
        until = self.blocked_until.get(path)
        if until is not None and time.time() < until - 0.05:
            self.stats["early_retries"] += 1
        inj = self.take_injection("slow", path)
        if inj:
            await asyncio.sleep(inj["ms"] / 1000)
        if self.over_limit():
            self.stats["over_limit"] += 1
            self.stats["rate_limited"] += 1
            rec["status"] = 429
            return 429, {"X-Ratelimit-Limit": str(self.a.rate_per_second), "X-Ratelimit-Remaining": "0",
                         "X-Ratelimit-Reset": "1", "Retry-After": "1"}, {
                "id": "api.context.rate_limit", "message": "Too many requests", "status_code": 429}
        inj = self.take_injection("rate_limit", path)
        if inj:
            self.stats["rate_limited"] += 1
            self.blocked_until[path] = time.time() + inj["reset"]
            rec["status"] = 429
            return 429, {"X-Ratelimit-Limit": "10", "X-Ratelimit-Remaining": "0",
                         "X-Ratelimit-Reset": str(inj["reset"])}, {
                "id": "api.context.rate_limit", "message": "Too many requests", "status_code": 429}
        inj = self.take_injection("error500", path)
        if inj:
            self.stats["errors_500"] += 1
            rec["status"] = 500
            return 500, {}, {"id": "app_error", "message": "internal", "status_code": 500}
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            rec["status"] = 400
            return 400, {}, {"message": "invalid JSON"}
        status, out = self.api(method, path.split("/")[3:], query, payload)
        rec["status"] = status
        return status, self.limit_headers(), out

    def api(self, method: str, parts: list[str], query: dict, p):
        if method == "GET" and parts == ["users", "me"]:
            return 200, self.users[self.bot_id]
        if method == "GET" and len(parts) == 3 and parts[:2] == ["users", "username"]:
            u = next((u for u in self.users.values() if u.get("username") == parts[2]), None)
            self.stats["username_lookups"] += 1
            return (200, u) if u else (404, {"message": "user not found", "status_code": 404})
        if method == "GET" and len(parts) == 3 and parts[0] == "users" and parts[2] == "channels":
            if parts[1] != self.bot_id:
                return 403, {"message": "forbidden", "status_code": 403}
            self.stats["channel_lists"] += 1
            return 200, [c for c in self.channels.values() if c["type"] != "D" or self.bot_id in c["members"]]
        if method == "GET" and len(parts) == 3 and parts[0] == "channels" and parts[2] == "posts":
            since = int(query.get("since", "0"))
            self.stats["posts_since"] += 1
            found = [q for q in self.posts if q["channel_id"] == parts[1] and q["update_at"] >= since]
            return 200, {"order": [q["id"] for q in reversed(found)], "posts": {q["id"]: q for q in found},
                         "next_post_id": "", "prev_post_id": ""}
        if method == "GET" and len(parts) == 2 and parts[0] == "posts":
            post = self.by_id.get(parts[1])
            return (200, post) if post else (404, {"message": "no such post", "status_code": 404})
        if method == "PUT" and len(parts) == 3 and parts[0] == "posts" and parts[2] == "patch":
            post = self.by_id.get(parts[1])
            if post is None or post["user_id"] != self.bot_id:
                return 403, {"message": "not the bot's post", "status_code": 403}
            if "message" in (p or {}):
                post["message"] = p["message"]
            if "props" in (p or {}):
                post["props"] = dict(p["props"] or {}, from_bot="true")
            post["edit_at"] = post["update_at"] = now_ms()
            post["edits"] = post.get("edits", 0) + 1
            return 200, post
        if method == "POST" and parts == ["posts", "ephemeral"]:
            q = (p or {}).get("post") or {}
            if not (p or {}).get("user_id") or q.get("channel_id") not in self.channels or not q.get("message"):
                return 400, {"message": "want user_id and post {channel_id, message}", "status_code": 400}
            self.ephemerals.append({"user_id": p["user_id"], "channel_id": q["channel_id"], "message": q["message"]})
            return 201, dict(q, id=new_id(), user_id=self.bot_id)
        if method == "POST" and parts == ["posts"]:
            cid, msg = (p or {}).get("channel_id"), (p or {}).get("message")
            if cid not in self.channels or not isinstance(msg, str):
                return 400, {"message": "bad channel or message", "status_code": 400}
            if len(msg) > self.a.max_post_runes:
                return 400, {"id": "model.post.is_valid.msg.app_error", "status_code": 400}
            if not msg.strip() and not (p.get("props") or {}).get("attachments"):
                self.stats["empty_posts"] += 1
                return 400, {"message": "empty post", "status_code": 400}
            props = dict(p.get("props") or {}, from_bot="true")
            return 201, self.make_post(self.bot_id, cid, msg, props)
        if method == "POST" and parts == ["channels", "direct"]:
            if not isinstance(p, list) or len(p) != 2 or self.bot_id not in p:
                return 400, {"message": "want [bot id, user id]", "status_code": 400}
            other = p[0] if p[1] == self.bot_id else p[1]
            if other not in self.users and len(other) == 26 and other.isalnum() and other.islower():
                self.users[other] = {"id": other, "username": other}     # everyone exists on a real server
            if other not in self.users:
                return 400, {"message": "no such user", "status_code": 400}
            self.stats["dm_opened"] += 1
            return 201, self.dm_channel(other)
        return 404, {"message": f"not in the fake: {method} /{'/'.join(parts)}", "status_code": 404}

    # ------------------------------------------------------------------ the socket

    def ws_send(self, writer: asyncio.StreamWriter, obj, opcode: int = 1) -> None:
        data = json.dumps(obj).encode() if opcode == 1 else obj
        n = len(data)
        head = bytes([0x80 | opcode])
        head += bytes([n]) if n < 126 else (bytes([126]) + struct.pack(">H", n) if n < 65536
                                            else bytes([127]) + struct.pack(">Q", n))
        try:
            writer.write(head + data)
        except Exception:
            pass

    async def ws_read(self, reader: asyncio.StreamReader):
        b0, b1 = await reader.readexactly(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", await reader.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", await reader.readexactly(8))[0]
        mask = await reader.readexactly(4) if b1 & 0x80 else b"\0\0\0\0"
        data = bytearray(await reader.readexactly(n))
        for i in range(n):
            data[i] ^= mask[i % 4]
        return b0 & 0x0F, bytes(data)

    async def websocket(self, reader, writer, path, query, headers) -> None:
        if path != "/api/v4/websocket":
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return
        if time.monotonic() < self.refuse_until:
            self.stats["refused_upgrades"] += 1
            writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
            return
        accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + WS_GUID).encode()).digest()).decode()
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        view = {"at_ms": now_ms(), "query": query, "authed": False, "resumed": None, "closed": False}
        self.connections.append(view)
        self.stats["opened"] += 1
        s: Session | None = None
        try:
            while True:
                op, data = await self.ws_read(reader)
                if op == 8:
                    self.ws_send(writer, data[:2], 8)
                    break
                if op == 9:
                    self.ws_send(writer, data, 10)
                    continue
                if op != 1:
                    continue
                try:
                    msg = json.loads(data)
                except ValueError:
                    self.stats["bad_frames"] += 1
                    continue
                action, seq = msg.get("action"), msg.get("seq")
                if action == "authentication_challenge":
                    if (msg.get("data") or {}).get("token") != self.a.token:
                        self.ws_send(writer, {"status": "FAIL", "seq_reply": seq,
                                              "error": {"id": "api.web_socket_router.not_authenticated.app_error"}})
                        continue
                    self.ws_send(writer, {"status": "OK", "seq_reply": seq})
                    s = self.attach(writer, query, view)
                elif action == "ping":
                    self.stats["pings"] += 1
                    if not self.a.ignore_pings:
                        self.ws_send(writer, {"status": "OK", "seq_reply": seq,
                                              "data": {"text": "pong", "version": "9.11.0", "server_time": now_ms()}})
                else:
                    self.stats["unknown_actions"] += 1
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            view["closed"] = True
            self.stats["closed"] += 1
            if s is not None and s.writer is writer:
                s.writer = None
                s.authed = False

    def attach(self, writer, query: dict, view: dict) -> Session:
        cid, seq = query.get("connection_id"), query.get("sequence_number")
        s = self.session
        old = s.writer if s is not None else None
        resumable = (self.replay and s is not None and cid == s.id and seq is not None and seq.isdigit() and
                     (int(seq) == s.next_seq or (s.queue and s.queue[0]["seq"] <= int(seq) <= s.next_seq)))
        if old is not None and old is not writer:
            old.transport.abort()           # one socket per connection id
        if resumable:
            self.stats["resumed"] += 1
            view["resumed"] = True
            s.writer, s.authed = writer, True
            self.ws_send(writer, {"event": "hello", "data": {"connection_id": s.id, "server_version": "9.11.0"},
                                  "broadcast": {"user_id": self.bot_id}, "seq": int(seq)})
            replayed = [f for f in s.queue if f["seq"] >= int(seq) - self.replay_overlap]
            self.stats["replayed"] += len(replayed)
            for f in replayed:
                self.ws_send(writer, f)
        else:
            self.stats["fresh"] += 1
            view["resumed"] = False
            s = self.session = Session()
            s.writer, s.authed = writer, True
            frame = {"event": "hello", "data": {"connection_id": s.id, "server_version": "9.11.0"},
                     "broadcast": {"user_id": self.bot_id}, "seq": 0}
            s.next_seq = 1
            self.ws_send(writer, frame)
        view["authed"] = True
        view["connection_id"] = s.id
        self.stats["hellos"] += 1
        return s

    # ------------------------------------------------------------------ control

    async def control(self, method: str, what: str, body: bytes):
        p = json.loads(body) if body else {}
        if what == "state":
            return 200, {}, self.state()
        if what == "user":
            self.users.setdefault(p["id"], {"id": p["id"]}).update(p)
            return 200, {}, {"ok": True}
        if what == "message":
            uid = p["user"]
            self.users.setdefault(uid, {"id": uid, "username": p.get("username", uid)})
            if p.get("dm"):
                cid = self.dm_channel(uid)["id"]
            else:
                cid = self.channel(p["channel"], "O", p.get("channel_name"))["id"]
            props = {"from_bot": "true"} if p.get("bot") else {}
            post = self.make_post(uid, cid, p.get("text", ""), props, p.get("type", ""))
            return 200, {}, post
        if what == "misbehave":
            return self.misbehave(p)
        if what == "click":
            return await self.click(p)
        return 404, {}, {"error": "unknown control " + what}

    def misbehave(self, p: dict):
        action = p.get("action")
        log.info("misbehave %s", p)
        if action == "drop":
            s = self.session
            if s is None or s.writer is None:
                return 409, {}, {"error": "no socket to drop"}
            s.writer.transport.abort()
            s.writer, s.authed = None, False
        elif action == "replay":
            self.replay = bool(p.get("enabled", True))
            self.replay_overlap = int(p.get("overlap", 0))
        elif action == "gap":
            self.gap_next = True
        elif action == "refuse":
            self.refuse_until = time.monotonic() + int(p.get("ms", 2000)) / 1000
        elif action in ("rate_limit", "error500", "slow"):
            self.inject[action].append({"count": int(p.get("count", 1)), "reset": int(p.get("reset", 1)),
                                        "ms": int(p.get("ms", 1000)), "path": p.get("path")})
        elif action == "clear":
            for v in self.inject.values():
                v.clear()
        else:
            return 400, {}, {"error": f"unknown action {action!r}"}
        return 200, {}, {"ok": True}

    async def click(self, p: dict):
        post = self.by_id.get(p.get("post_id", ""))
        if post is None or post["user_id"] != self.bot_id:
            return 404, {}, {"error": "no post by the bot with that id"}
        action = None
        for att in (post["props"].get("attachments") or []):
            for a in att.get("actions") or []:
                if a.get("id") == p.get("action_id") or a.get("name") == p.get("name"):
                    action = a
        if action is None:
            return 400, {}, {"error": "the post has no such button", "props": post["props"]}
        integ = action.get("integration") or {}
        req = {"user_id": p["user"], "user_name": self.users.get(p["user"], {}).get("username", ""),
               "post_id": post["id"], "channel_id": post["channel_id"],
               "channel_name": self.channels[post["channel_id"]]["name"], "team_id": TEAM, "team_domain": "team",
               "type": "", "context": integ.get("context") or {}, "trigger_id": new_id()}
        if p.get("forge_context") is not None:
            req["context"] = p["forge_context"]
        rec = {"request": req, "url": integ.get("url")}
        self.clicks.append(rec)
        loop = asyncio.get_running_loop()
        status, answer = await loop.run_in_executor(None, post_json, integ.get("url", ""), req)
        rec["status"], rec["answer"] = status, answer
        if status == 200 and isinstance(answer, dict):
            upd = answer.get("update")
            if isinstance(upd, dict):
                if "message" in upd:
                    post["message"] = upd["message"]
                if "props" in upd:
                    post["props"] = dict(upd["props"] or {}, from_bot="true")
                post["edit_at"] = post["update_at"] = now_ms()
                post.setdefault("edits", 0)
                post["edits"] += 1
            if answer.get("ephemeral_text"):
                self.ephemerals.append({"user_id": p["user"], "channel_id": post["channel_id"],
                                        "message": answer["ephemeral_text"]})
        return 200, {}, rec

    def state(self) -> dict:
        return {"bot_id": self.bot_id, "posts": self.posts, "channels": list(self.channels.values()),
                "dm_channels": dict(self.dm), "connections": self.connections,
                "session": self.session.id if self.session else None,
                "open_now": int(bool(self.session and self.session.writer)),
                "stats": dict(self.stats), "rate_limited": self.stats["rate_limited"],
                "early_retries": self.stats["early_retries"], "requests": self.requests[-200:], "ephemerals": self.ephemerals,
                "clicks": self.clicks}

    # ------------------------------------------------------------------ running

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        server = await asyncio.start_server(self.handle, "127.0.0.1", self.a.port)
        port = server.sockets[0].getsockname()[1]
        print(f"READY {port}", flush=True)

        def watch_stdin() -> None:
            try:
                while os.read(0, 4096):
                    pass
            except OSError:
                pass
            self.loop.call_soon_threadsafe(stopping.set)
        threading.Thread(target=watch_stdin, daemon=True).start()
        await stopping.wait()
        server.close()


def post_json(url: str, body: dict):
    """The server's POST to a button's integration URL (blocking; in a thread)."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (OSError, ValueError) as e:
        return 0, str(e)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--token", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--bot-id", default="b" * 26)
    ap.add_argument("--bot-username", default="dutybot")
    ap.add_argument("--rate-per-second", type=int, default=100)
    ap.add_argument("--enforce-rate", action="store_true",
                    help="answer 429 past --rate-per-second requests in a second")
    ap.add_argument("--max-post-runes", type=int, default=16383)
    ap.add_argument("--ignore-pings", action="store_true")
    ap.add_argument("--channels", default="", help="id:name,... of the team's channels, the bot a member")
    args = ap.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s.%(msecs)03d fake_mm %(message)s", datefmt="%H:%M:%S")
    try:
        asyncio.run(Fake(args).run())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
