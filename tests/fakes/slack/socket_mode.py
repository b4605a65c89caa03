"""The fake Slack SERVER (part of the program tests/fakes/slack/server.py): Socket
Mode (the WebSocket link, envelope delivery, acks, retries, disconnects) and the
events it delivers.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import WSMsgType, web

from objects import Conn, Envelope, USER_MENTION, log, rand_block_id, rand_id


class SocketModeMixin:
    """Socket Mode: envelopes to one connection, acks and retries, disconnects; events."""

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
