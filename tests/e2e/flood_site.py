"""A site of the site protocol (shared/PROTOCOL-site.md) built to flood:
it writes message frames as fast as the socket takes them (so the daemon's
reading pace is the site's pace: TCP backpressure), acks actions or stops
acking on request, and records every action with its arrival time.  Runs
its own asyncio loop in a thread; the test drives it with plain calls.
Needs python3-aiohttp (Debian's), like the Discord and Slack fakes.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

from aiohttp import web, WSMsgType

SUBPROTOCOL = "dutybot.site.v1"


class FloodSite:
    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.acking = True
        self.actions: list[dict] = []           # every action, with "at" (monotonic)
        self.unacked: list[str] = []            # refs held while not acking
        self.ready = threading.Event()
        self.written = 0                        # message frames handed to the socket
        self.next_id = 1
        self._lock = threading.Lock()
        self._ws = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = threading.Event()
        self._thread.start()
        self._started.wait(10)

    # ---- the server, in its thread
    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/bot", self._bot)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._started.set()
        self._loop.run_forever()

    async def _bot(self, request):
        ws = web.WebSocketResponse(protocols=(SUBPROTOCOL,), max_msg_size=1 << 20, heartbeat=None)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "heartbeat_ms": 30000}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            f = json.loads(msg.data)
            t = f.get("type")
            if t == "identify":
                if f.get("token") != self.token:
                    await ws.close(code=4001, message=b"bad token")
                    return ws
                self._ws = ws
                await ws.send_str(json.dumps({"type": "ready", "session": "s-1", "resumed": False,
                                              "user": {"id": "b1", "name": "dutybot"}}))
                self.ready.set()
            elif t == "heartbeat":
                await ws.send_str(json.dumps({"type": "heartbeat_ack"}))
            elif t in ("send", "dm", "system"):
                f["at"] = time.monotonic()
                with self._lock:
                    self.actions.append(f)
                if self.acking:
                    await self._ack(ws, f["ref"])
                else:
                    self.unacked.append(f["ref"])
        return ws

    async def _ack(self, ws, ref: str) -> None:
        with self._lock:
            mid = self.next_id
            self.next_id += 1
        await ws.send_str(json.dumps({"type": "ack", "ref": ref, "id": f"m-{mid}"}))

    def _message(self, uid: str, text: str, room: str | None) -> str:
        with self._lock:
            mid = self.next_id
            self.next_id += 1
        f = {"type": "message", "id": f"m-{mid}", "user": {"id": uid, "name": uid, "bot": False},
             "text": text, "ts": int(time.time() * 1000), "dm": room is None}
        if room is not None:
            f["room"] = room
        return json.dumps(f)

    async def _write(self, lines: list[tuple[str, str, str | None]]) -> None:
        for uid, text, room in lines:
            await self._ws.send_str(self._message(uid, text, room))      # waits while the daemon doesn't read
            self.written += 1

    # ---- the test's side
    def _call(self, coro, timeout: float):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def say(self, lines: list[tuple[str, str, str | None]], timeout: float = 120) -> None:
        """Write LINES ((user id, text, room or None for a dm)) in order, as
        fast as the daemon reads them; returns once all are written."""
        self._call(self._write(lines), timeout)

    def say_soon(self, lines: list[tuple[str, str, str | None]]):
        """Start writing LINES; returns a future (result() waits)."""
        return asyncio.run_coroutine_threadsafe(self._write(lines), self._loop)

    def set_acking(self, on: bool) -> None:
        async def switch():
            self.acking = on
            if on:
                held, self.unacked = self.unacked, []
                for ref in held:
                    await self._ack(self._ws, ref)
        self._call(switch(), 10)

    def sent(self, kind: str | None = None, room: str | None = None, user: str | None = None) -> list[dict]:
        with self._lock:
            return [a for a in self.actions if (kind is None or a["type"] == kind)
                    and (room is None or a.get("room") == room) and (user is None or a.get("user") == user)]

    def wait_sent(self, timeout: float, **match) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.sent(**match)
            if got:
                return got
            time.sleep(0.05)
        raise AssertionError(f"no action {match} within {timeout:g} s")

    def stop(self) -> None:
        async def down():
            await self._runner.cleanup()
        try:
            self._call(down(), 10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
