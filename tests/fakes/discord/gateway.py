"""The fake Discord SERVER (part of the program tests/fakes/discord/server.py): the
Gateway v10 WebSocket (hello, heartbeats, identify, resume, dispatch, closes).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable, Optional

from aiohttp import WSMsgType, web

from objects import (
    CLIENT_OPS, Conn, GATEWAY_PAYLOAD_MAX, GATEWAY_SEND_LIMIT, GATEWAY_SEND_WINDOW, KNOWN_INTENTS,
    SESSION_ENDING_CLOSES, Session, is_int, log)


class GatewayMixin:
    """The gateway: dispatch to sessions, connections, heartbeats, Identify and Resume."""

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
            interval = self.hello_intervals.pop(0) if self.hello_intervals else self.args.heartbeat_ms
            conn.send({"op": 10, "d": {"heartbeat_interval": interval,
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
