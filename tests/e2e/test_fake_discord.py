"""Self-test of the fake Discord (tests/fakes/discord/): does it behave
as Discord's documentation says?  It needs aiohttp, so run it with Debian's
python3 from tests/e2e::

    /usr/bin/python3 -m unittest -v test_fake_discord
"""

from __future__ import annotations

import asyncio
import json
import time
import unittest

try:
    import aiohttp
except ImportError:                                    # pragma: no cover
    aiohttp = None

from discord_driver import FakeDiscord, FakeDiscordError

TOKEN = "test-token.abc"
BOT = "900000000000000002"
APP = "900000000000000001"
GUILD_MESSAGES, DIRECT_MESSAGES, MESSAGE_CONTENT = 1 << 9, 1 << 12, 1 << 15
INTENTS = GUILD_MESSAGES | DIRECT_MESSAGES             # no MESSAGE_CONTENT
HEARTBEAT_MS = 1000
BUTTONS = [{"type": 1, "components": [
    {"type": 2, "style": 3, "label": "Approve", "custom_id": "approve:1"},
    {"type": 2, "style": 4, "label": "Deny", "custom_id": "deny:1"},
    {"type": 2, "style": 5, "label": "Docs", "url": "https://example.org"}]}]


class Gateway:
    """A minimal gateway client for the tests."""

    def __init__(self, http: "aiohttp.ClientSession", url: str):
        self.http = http
        self.url = url
        self.ws = None
        self.seq = None
        self.hello = None
        self.beat_task = None
        self.received: list = []

    async def connect(self, query: str = "/?v=10&encoding=json", hello: bool = True) -> "Gateway":
        self.ws = await self.http.ws_connect(self.url + query, autoping=True)
        if hello:
            self.hello = await self.recv()
            assert self.hello["op"] == 10, self.hello
        return self

    async def send(self, op: int, d) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": d}))

    async def recv(self, timeout: float = 3.0) -> dict:
        msg = await self.ws.receive(timeout=timeout)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"not a text frame: {msg.type} {msg.data!r} (close code {self.ws.close_code})")
        p = json.loads(msg.data)
        if p.get("s") is not None:
            self.seq = p["s"]
        self.received.append(p)
        return p

    async def recv_until(self, pred, timeout: float = 3.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            p = await self.recv(max(0.05, deadline - time.monotonic()))
            if pred(p):
                return p

    async def dispatch(self, t: str, timeout: float = 3.0) -> dict:
        return await self.recv_until(lambda p: p["op"] == 0 and p["t"] == t, timeout)

    async def expect_close(self, timeout: float = 3.0) -> int:
        deadline = time.monotonic() + timeout
        while True:
            msg = await self.ws.receive(timeout=max(0.05, deadline - time.monotonic()))
            if msg.type == aiohttp.WSMsgType.CLOSE:
                return msg.data
            if msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.ERROR):
                return self.ws.close_code

    async def identify(self, intents: int = INTENTS, token: str = TOKEN) -> dict:
        await self.send(2, {"token": token, "intents": intents,
                            "properties": {"os": "linux", "browser": "selftest", "device": "selftest"}})
        return await self.dispatch("READY")

    def start_beating(self) -> None:
        async def beat():
            while True:
                await asyncio.sleep(HEARTBEAT_MS * 0.7 / 1000)
                await self.send(1, self.seq)
        self.beat_task = asyncio.create_task(beat())

    async def close(self, code: int = 4000) -> None:
        if self.beat_task:
            self.beat_task.cancel()
        if self.ws is not None and not self.ws.closed:
            await self.ws.close(code=code)


@unittest.skipIf(aiohttp is None, "needs aiohttp: run with /usr/bin/python3")
class FakeDiscordTest(unittest.IsolatedAsyncioTestCase):
    fake: FakeDiscord

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeDiscord(TOKEN, heartbeat_ms=HEARTBEAT_MS, channel_limit=3, channel_window_ms=1000,
                               interaction_deadline_ms=700, identify_window_ms=0)
        cls.fake.start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    async def asyncSetUp(self):
        self.fake.reset(faults=True, buckets=True)
        self.http = aiohttp.ClientSession()
        self.gateways: list[Gateway] = []

    async def asyncTearDown(self):
        for g in self.gateways:
            try:
                await g.close()
            except Exception:
                pass
        await self.http.close()

    # ---------------------------------------------------------------- helpers

    def gw(self, port: int | None = None) -> Gateway:
        g = Gateway(self.http, f"ws://127.0.0.1:{port or self.fake.port}")
        self.gateways.append(g)
        return g

    async def api(self, method: str, path: str, body=None, auth: str | None = f"Bot {TOKEN}", **kw):
        headers = {"User-Agent": "DiscordBot (https://example.org, 1.0) selftest", **kw.pop("headers", {})}
        if auth:
            headers["Authorization"] = auth
        async with self.http.request(method, self.fake.api_url + path, json=body, headers=headers, **kw) as r:
            raw = await r.read()
            try:
                data = json.loads(raw) if raw else None
            except ValueError:
                data = raw.decode()
            return r.status, data, r.headers

    async def post(self, channel: str, content=None, **extra):
        body = dict(extra)
        if content is not None:
            body["content"] = content
        return await self.api("POST", f"/channels/{channel}/messages", body)

    async def ready_gateway(self, intents: int = INTENTS) -> Gateway:
        g = await self.gw().connect()
        ready = await g.identify(intents)
        self.assertEqual(ready["s"], 1)
        g.start_beating()
        return g

    # ---------------------------------------------------------------- REST

    async def test_rest_auth_and_gateway_bot(self):
        status, body, _ = await self.api("GET", "/gateway/bot", auth=None)
        self.assertEqual((status, body), (401, {"message": "401: Unauthorized", "code": 0}))
        status, body, _ = await self.api("GET", "/users/@me", auth="Bot wrong")
        self.assertEqual(status, 401)
        status, body, _ = await self.api("GET", "/users/@me", auth=TOKEN)         # no "Bot " prefix
        self.assertEqual(status, 401)
        status, body, _ = await self.api("GET", "/gateway/bot")
        self.assertEqual(status, 200)
        self.assertEqual(body["url"], f"ws://127.0.0.1:{self.fake.port}")
        self.assertEqual(body["shards"], 1)
        self.assertEqual(set(body["session_start_limit"]), {"total", "remaining", "reset_after", "max_concurrency"})
        status, me, _ = await self.api("GET", "/users/@me")
        self.assertEqual((me["id"], me["bot"], me["username"]), (BOT, True, "dutybot"))
        status, body, _ = await self.api("GET", "/nope")
        self.assertEqual(status, 404)
        st = self.fake.state()
        self.assertEqual([r["status"] for r in st["requests"]], [401, 401, 401, 200, 200, 404])
        self.assertEqual(st["invalid_requests"], 3)

    async def test_post_message_validation(self):
        status, m, h = await self.post("100", "hello <@42>", allowed_mentions={"parse": []})
        self.assertEqual(status, 200)
        self.assertTrue(m["id"].isdigit())
        self.assertEqual((m["channel_id"], m["content"], m["author"]["id"], m["author"]["bot"]),
                         ("100", "hello <@42>", BOT, True))
        self.assertIn("timestamp", m)
        self.assertEqual(h["X-RateLimit-Limit"], "3")
        self.assertEqual(h["X-RateLimit-Remaining"], "2")
        for key in ("X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Bucket"):
            self.assertIn(key, h)
        status, body, _ = await self.post("101", "x" * 2001)
        self.assertEqual((status, body["code"], body["message"]), (400, 50035, "Invalid Form Body"))
        self.assertIn("content", body["errors"])
        status, body, _ = await self.post("101", "")
        self.assertEqual((status, body["code"]), (400, 50006))
        status, body, _ = await self.post("101")
        self.assertEqual((status, body["code"]), (400, 50006))
        status, m2, _ = await self.post("103", None, components=BUTTONS)          # components only: fine
        self.assertEqual(status, 200)
        bad = [{"type": 1, "components": [{"type": 2, "style": 1, "label": "a", "custom_id": "x"},
                                          {"type": 2, "style": 1, "label": "b", "custom_id": "x"}]}]
        status, body, _ = await self.post("102", "dup", components=bad)
        self.assertEqual((status, body["code"]), (400, 50035))
        status, body, _ = await self.api("POST", "/channels/102/messages", data=b"{nope",
                                         headers={"Content-Type": "application/json"})
        self.assertEqual((status, body["code"]), (400, 50109))
        status, edited, _ = await self.api("PATCH", f"/channels/100/messages/{m['id']}", {"content": "edited"})
        self.assertEqual((status, edited["content"]), (200, "edited"))
        status, body, _ = await self.api("PATCH", f"/channels/999/messages/{m['id']}", {"content": "x"})
        self.assertEqual((status, body["code"]), (404, 10008))
        status, n1, _ = await self.post("104", "once", nonce="abc", enforce_nonce=True)
        status, n2, _ = await self.post("104", "once", nonce="abc", enforce_nonce=True)   # a retry
        self.assertEqual((status, n2["id"], n2["nonce"]), (200, n1["id"], "abc"))
        st = self.fake.state()
        self.assertEqual(st["nonce_dedups"], 1)
        self.assertEqual([x["content"] for x in st["messages"]], ["edited", "", "once"])
        first = st["messages"][0]
        self.assertEqual(first["via"], "channel_post")
        self.assertEqual(first["allowed_mentions"], {"parse": []})
        self.assertEqual(first["pinged_users"], [])
        self.assertEqual([e["content"] for e in first["edits"]], ["edited"])
        self.assertEqual(st["messages"][1]["components"], BUTTONS)

    async def test_channel_rate_limit(self):
        for i in range(3):
            status, _, h = await self.post("200", f"m{i}")
            self.assertEqual((status, h["X-RateLimit-Remaining"]), (200, str(2 - i)))
        status, body, h = await self.post("200", "too many")
        self.assertEqual(status, 429)
        self.assertEqual(body["message"], "You are being rate limited.")
        self.assertFalse(body["global"])
        self.assertGreater(body["retry_after"], 0)
        self.assertLessEqual(body["retry_after"], 1.0)
        self.assertEqual(h["X-RateLimit-Scope"], "user")
        self.assertIn("Retry-After", h)
        self.assertEqual(h["X-RateLimit-Remaining"], "0")
        status, _, h2 = await self.post("201", "other channel")                     # own bucket
        self.assertEqual(status, 200)
        self.assertEqual(h2["X-RateLimit-Bucket"], h["X-RateLimit-Bucket"])         # same route, same id
        await asyncio.sleep(body["retry_after"] + 0.05)
        status, _, _ = await self.post("200", "after the reset")
        self.assertEqual(status, 200)
        st = self.fake.state()
        self.assertEqual([m["content"] for m in st["messages"] if m["channel_id"] == "200"],
                         ["m0", "m1", "m2", "after the reset"])
        self.assertEqual((st["rate_limited"], st["violations"], st["early_retries"]), (1, 1, 0))

    async def test_rest_faults(self):
        self.fake.misbehave(action="rate_limit", count=1, retry_after=0.4, **{"global": True})
        status, body, h = await self.api("GET", "/users/@me")
        self.assertEqual(status, 429)
        self.assertTrue(body["global"])
        self.assertEqual((h["X-RateLimit-Global"], h["X-RateLimit-Scope"]), ("true", "global"))
        status, _, _ = await self.api("GET", "/users/@me")        # retried at once: served, but counted
        self.assertEqual(status, 200)
        self.assertEqual(self.fake.state()["early_retries"], 1)
        self.fake.misbehave(action="error500", count=2, path="/messages")
        status, _, _ = await self.api("GET", "/users/@me")        # path filter: not this one
        self.assertEqual(status, 200)
        self.assertEqual((await self.post("300", "a"))[0], 500)
        self.assertEqual((await self.post("300", "b"))[0], 500)
        self.assertEqual((await self.post("300", "c"))[0], 200)
        self.fake.misbehave(action="error500", count=1, status=502)
        self.assertEqual((await self.api("GET", "/users/@me"))[0], 502)
        self.fake.misbehave(action="slow", ms=400, count=1)
        t = time.monotonic()
        self.assertEqual((await self.api("GET", "/users/@me"))[0], 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.38)
        st = self.fake.state()
        self.assertEqual([m["content"] for m in st["messages"]], ["c"])          # failed posts not posted
        self.assertEqual(st["injected_errors"], 3)

    async def test_dm_channel(self):
        status, ch, _ = await self.api("POST", "/users/@me/channels", {"recipient_id": "4242"})
        self.assertEqual((status, ch["type"], ch["recipients"][0]["id"]), (200, 1, "4242"))
        _, ch2, _ = await self.api("POST", "/users/@me/channels", {"recipient_id": "4242"})
        self.assertEqual(ch2["id"], ch["id"])
        sent = self.fake.message(user_id="4242", content="hi bot", dm=True)
        self.assertEqual(sent["channel_id"], ch["id"])
        self.assertEqual(self.fake.state()["dm_channels"]["4242"], ch["id"])

    # ---------------------------------------------------------------- gateway: handshake

    async def test_gateway_bad_query(self):
        g = await self.gw().connect("/?v=9&encoding=json", hello=False)
        self.assertEqual(await g.expect_close(), 4012)
        g = await self.gw().connect("/?encoding=json", hello=False)
        self.assertEqual(await g.expect_close(), 4012)
        g = await self.gw().connect("/?v=10&encoding=etf", hello=False)
        self.assertEqual(await g.expect_close(), 4012)

    async def test_identify_errors(self):
        g = await self.gw().connect()
        self.assertEqual(g.hello["d"]["heartbeat_interval"], HEARTBEAT_MS)
        self.assertIsNone(g.hello["s"])
        await g.send(2, {"token": "wrong", "intents": INTENTS, "properties": {"os": "l", "browser": "b", "device": "d"}})
        self.assertEqual(await g.expect_close(), 4004)

        g = await self.gw().connect()
        await g.send(2, {"token": TOKEN, "intents": 1 << 18, "properties": {"os": "l", "browser": "b", "device": "d"}})
        self.assertEqual(await g.expect_close(), 4013)

        g = await self.gw().connect()
        await g.send(3, {"since": None, "activities": [], "status": "online", "afk": False})
        self.assertEqual(await g.expect_close(), 4003)

        g = await self.gw().connect()
        await g.send(1, None)                                   # heartbeats are fine before Identify
        self.assertEqual((await g.recv())["op"], 11)
        await g.identify()
        await g.send(2, {"token": TOKEN, "intents": INTENTS, "properties": {}})
        self.assertEqual(await g.expect_close(), 4005)

        g = await self.gw().connect()
        await g.ws.send_str(json.dumps({"op": 1, "d": None, "pad": "x" * 4100}))
        self.assertEqual(await g.expect_close(), 4002)

        g = await self.gw().connect()
        await g.ws.send_str("{not json")
        self.assertEqual(await g.expect_close(), 4002)

        g = await self.gw().connect()
        await g.send(5, None)
        self.assertEqual(await g.expect_close(), 4001)

        codes = [c["code"] for c in self.fake.state()["gateway"]["closes"] if c["by"] == "server"]
        self.assertEqual(codes, [4004, 4013, 4003, 4005, 4002, 4002, 4001])

    async def test_gateway_send_limit(self):
        g = await self.gw().connect()
        for _ in range(121):
            await g.send(1, None)
        self.assertEqual(await g.expect_close(), 4008)

    async def test_ready_and_message_content(self):
        g = await self.gw().connect()
        ready = await g.identify()
        d = ready["d"]
        self.assertEqual((ready["op"], ready["s"], d["v"]), (0, 1, 10))
        self.assertEqual((d["user"]["id"], d["user"]["bot"], d["user"]["username"]), (BOT, True, "dutybot"))
        self.assertEqual(d["resume_gateway_url"], f"ws://127.0.0.1:{self.fake.resume_port}")
        self.assertEqual(d["application"], {"id": APP, "flags": 0})
        self.assertTrue(d["session_id"])
        self.assertEqual(d["guilds"], [])
        g.start_beating()

        self.fake.message(channel_id="500", user_id="42", username="mia", content="!ping")
        ev = await g.dispatch("MESSAGE_CREATE")
        self.assertEqual(ev["s"], 2)
        m = ev["d"]
        self.assertEqual(m["content"], "")                      # no MESSAGE_CONTENT intent: guild content empty
        self.assertEqual((m["author"]["id"], m["author"]["username"]), ("42", "mia"))
        self.assertIn("guild_id", m)
        self.assertIn("member", m)

        self.fake.message(channel_id="500", user_id="42", content=f"<@{BOT}> help")
        m = (await g.dispatch("MESSAGE_CREATE"))["d"]
        self.assertEqual(m["content"], f"<@{BOT}> help")       # mentions of the app keep content
        self.assertEqual(m["mentions"][0]["id"], BOT)

        self.fake.message(user_id="42", content="a dm", dm=True)
        m = (await g.dispatch("MESSAGE_CREATE"))["d"]
        self.assertEqual(m["content"], "a dm")                 # DMs keep content
        self.assertNotIn("guild_id", m)
        self.assertNotIn("member", m)
        self.assertEqual(m["channel_type"], 1)

        self.fake.message(channel_id="500", user_id="77", content="hook", webhook_id="555")
        m = (await g.dispatch("MESSAGE_CREATE"))["d"]
        self.assertEqual((m["webhook_id"], m["author"]["id"], m["author"]["bot"]), ("555", "555", True))
        self.assertNotIn("member", m)

        status, _, _ = await self.post("500", "my own post")
        m = (await g.dispatch("MESSAGE_CREATE"))["d"]
        self.assertEqual((m["author"]["id"], m["content"]), (BOT, "my own post"))   # own posts come back

        g2 = await self.gw().connect()
        await g2.identify(INTENTS | MESSAGE_CONTENT)
        g2.start_beating()
        self.fake.message(channel_id="500", user_id="42", content="visible")
        self.assertEqual((await g2.dispatch("MESSAGE_CREATE"))["d"]["content"], "visible")
        self.assertEqual((await g.dispatch("MESSAGE_CREATE"))["d"]["content"], "")

        g3 = await self.gw().connect()
        await g3.identify(GUILD_MESSAGES)                       # no DIRECT_MESSAGES: no DMs
        self.fake.message(user_id="42", content="dm 2", dm=True)
        self.fake.message(channel_id="500", user_id="42", content="guild 2")
        ev = await g3.dispatch("MESSAGE_CREATE")
        self.assertEqual(ev["d"]["channel_id"], "500")

        await asyncio.sleep(HEARTBEAT_MS * 0.8 / 1000)
        st = self.fake.state()
        self.assertEqual(st["gateway"]["intents"], GUILD_MESSAGES)
        self.assertGreaterEqual(st["gateway"]["heartbeats"], 1)
        self.assertGreaterEqual(st["gateway"]["acks_sent"], 1)

    # ---------------------------------------------------------------- gateway: heartbeats

    async def test_heartbeat_timeout(self):
        g = await self.gw().connect()
        ready = await g.identify()
        t = time.monotonic()
        self.assertEqual(await g.expect_close(timeout=3), 4009)
        self.assertGreaterEqual(time.monotonic() - t, HEARTBEAT_MS * 1.4 / 1000)
        r = await self.gw(self.fake.resume_port).connect()
        await r.send(6, {"token": TOKEN, "session_id": ready["d"]["session_id"], "seq": 1})
        self.assertEqual(await r.recv(), {"op": 9, "d": False, "s": None, "t": None})

    async def test_heartbeat_controls(self):
        g = await self.ready_gateway()
        self.fake.misbehave(action="heartbeat_request")
        p = await g.recv_until(lambda p: p["op"] == 1)
        await g.send(1, g.seq)
        self.assertEqual((await g.recv_until(lambda p: p["op"] in (0, 11)))["op"], 11)
        reqs = self.fake.wait_for(lambda s: [r for r in s["gateway"]["heartbeat_requests"] if r["latency_ms"] is not None],
                                  what="heartbeat request latency")
        self.assertLess(reqs[0]["latency_ms"], 500)
        self.fake.misbehave(action="drop_acks", on=True)
        await g.send(1, g.seq)
        with self.assertRaises(asyncio.TimeoutError):
            await g.recv_until(lambda p: p["op"] == 11, timeout=0.5)
        self.assertGreaterEqual(self.fake.state()["gateway"]["acks_dropped"], 1)
        self.fake.misbehave(action="drop_acks", on=False)
        await g.send(1, g.seq)
        self.assertEqual((await g.recv_until(lambda p: p["op"] == 11))["op"], 11)

    # ---------------------------------------------------------------- gateway: resume

    async def test_resume_replays_missed_events(self):
        g = await self.ready_gateway()
        sid = g.received[-1]["d"]["session_id"]
        self.fake.message(channel_id="600", user_id="42", content="seen")
        self.assertEqual((await g.dispatch("MESSAGE_CREATE"))["s"], 2)
        await g.close(4000)                                     # not 1000/1001: the session survives
        self.fake.wait_for(lambda s: any(c["by"] == "client" and c["code"] == 4000 for c in s["gateway"]["closes"]),
                           what="the client close")
        self.fake.message(channel_id="600", user_id="42", content="missed 1")
        self.fake.message(channel_id="600", user_id="42", content="missed 2")

        r = await self.gw(self.fake.resume_port).connect()
        await r.send(6, {"token": TOKEN, "session_id": sid, "seq": 2})
        e1, e2, done = await r.recv(), await r.recv(), await r.recv()
        self.assertEqual([e1["s"], e2["s"], done["s"]], [3, 4, 5])
        self.assertEqual([e1["d"]["author"]["id"], e2["d"]["author"]["id"]], ["42", "42"])
        self.assertEqual(done["t"], "RESUMED")
        r.start_beating()
        self.fake.message(channel_id="600", user_id="42", content="live again")
        self.assertEqual((await r.dispatch("MESSAGE_CREATE"))["s"], 6)

        st = self.fake.state()["gateway"]
        self.assertEqual(st["resumes_by_port"], {"main": 0, "resume": 1})
        self.assertEqual(st["resumes_ok"], 1)
        self.assertEqual(st["replays"][-1]["replayed"], [3, 4])

        # a fresh Identify starts a new session: no replay of the old one
        await r.close(4000)
        self.fake.message(channel_id="600", user_id="42", content="while away")
        n = await self.gw().connect()
        ready = await n.identify()
        self.assertEqual(ready["s"], 1)
        with self.assertRaises(asyncio.TimeoutError):
            await n.recv_until(lambda p: p["op"] == 0, timeout=0.4)

    async def test_resume_refused(self):
        r = await self.gw(self.fake.resume_port).connect()
        await r.send(6, {"token": TOKEN, "session_id": "nope", "seq": 0})
        self.assertEqual(await r.recv(), {"op": 9, "d": False, "s": None, "t": None})

        g = await self.ready_gateway()
        sid = g.received[-1]["d"]["session_id"]
        r = await self.gw(self.fake.resume_port).connect()
        await r.send(6, {"token": TOKEN, "session_id": sid, "seq": 99})
        self.assertEqual(await r.expect_close(), 4007)          # invalid seq

        await g.close(1000)                                     # 1000 ends the session
        self.fake.wait_for(lambda s: any(c["code"] == 1000 for c in s["gateway"]["closes"]), what="close 1000")
        r = await self.gw(self.fake.resume_port).connect()
        await r.send(6, {"token": TOKEN, "session_id": sid, "seq": 1})
        self.assertEqual((await r.recv())["d"], False)

        r = await self.gw().connect()                           # Resume is accepted on the main port too
        await r.send(6, {"token": TOKEN, "session_id": sid, "seq": 1})
        self.assertEqual((await r.recv())["op"], 9)
        self.assertEqual(self.fake.state()["gateway"]["resumes_by_port"], {"main": 1, "resume": 3})

    async def test_misbehave_gateway(self):
        g = await self.ready_gateway()
        sid = g.received[-1]["d"]["session_id"]
        self.fake.misbehave(action="reconnect", grace_ms=300)
        self.assertEqual((await g.recv_until(lambda p: p["op"] == 7))["d"], None)
        self.assertEqual(await g.expect_close(), 4000)          # we did not reconnect: the server closes
        r = await self.gw(self.fake.resume_port).connect()
        await r.send(6, {"token": TOKEN, "session_id": sid, "seq": g.seq})
        self.assertEqual((await r.dispatch("RESUMED"))["t"], "RESUMED")
        r.start_beating()

        self.fake.misbehave(action="invalid_session", resumable=True)
        self.assertEqual((await r.recv_until(lambda p: p["op"] == 9))["d"], True)

        self.fake.misbehave(action="close", code=4009)
        self.assertEqual(await r.expect_close(), 4009)
        r2 = await self.gw(self.fake.resume_port).connect()
        await r2.send(6, {"token": TOKEN, "session_id": sid, "seq": r.seq})
        self.assertEqual((await r2.recv())["d"], False)         # 4009: start a new session

        g = await self.ready_gateway()
        sid = g.received[-1]["d"]["session_id"]
        self.fake.misbehave(action="close", code=4000)
        self.assertEqual(await g.expect_close(), 4000)
        r = await self.gw(self.fake.resume_port).connect()
        await r.send(6, {"token": TOKEN, "session_id": sid, "seq": g.seq})
        await r.dispatch("RESUMED")                              # 4000: resumable
        r.start_beating()

        self.fake.misbehave(action="invalid_session", resumable=False)
        self.assertEqual((await r.recv_until(lambda p: p["op"] == 9))["d"], False)
        await r.close(4000)
        r3 = await self.gw(self.fake.resume_port).connect()
        await r3.send(6, {"token": TOKEN, "session_id": sid, "seq": r.seq})
        self.assertEqual((await r3.recv())["d"], False)

        g = await self.ready_gateway()
        self.fake.misbehave(action="drop")
        with self.assertRaises(ConnectionError):                # TCP gone, no close frame
            await g.recv_until(lambda p: False, timeout=1)
        closes = self.fake.state()["gateway"]["closes"]
        self.assertEqual([c["code"] for c in closes if c["by"] == "server"], [4000, 4009, 4000, None])

    # ---------------------------------------------------------------- interactions

    async def test_interactions(self):
        g = await self.ready_gateway()
        status, msg, _ = await self.post("700", "Approve shift swap?", components=BUTTONS)
        self.assertEqual(status, 200)
        await g.dispatch("MESSAGE_CREATE")

        with self.assertRaises(FakeDiscordError) as cm:
            self.fake.click(msg["id"], "nope", user_id="42")
        self.assertEqual(cm.exception.status, 400)

        click = self.fake.click(msg["id"], "approve:1", user_id="42", username="mia")
        ev = (await g.dispatch("INTERACTION_CREATE"))["d"]
        self.assertEqual((ev["id"], ev["token"], ev["type"], ev["version"]), (click["interaction_id"], click["token"], 3, 1))
        self.assertEqual(ev["application_id"], APP)
        self.assertEqual(ev["data"], {"custom_id": "approve:1", "component_type": 2})
        self.assertEqual((ev["channel_id"], ev["member"]["user"]["id"]), ("700", "42"))
        self.assertIn("guild_id", ev)
        self.assertNotIn("user", ev)
        self.assertEqual(ev["message"]["id"], msg["id"])
        self.assertEqual(ev["message"]["components"], BUTTONS)

        hook = f"/webhooks/{APP}/{ev['token']}"
        status, body, _ = await self.api("PATCH", hook + "/messages/@original", {"content": "early"}, auth=None)
        self.assertEqual((status, body["code"]), (404, 10015))            # no response yet
        cb = f"/interactions/{ev['id']}/{ev['token']}/callback"
        status, _, _ = await self.api("POST", cb, {"type": 6}, auth=None)
        self.assertEqual(status, 204)
        status, body, _ = await self.api("POST", cb, {"type": 6}, auth=None)
        self.assertEqual((status, body["code"]), (400, 40060))
        status, edited, _ = await self.api("PATCH", hook + "/messages/@original",
                                           {"content": "Approved by mia", "components": []}, auth=None)
        self.assertEqual((status, edited["id"], edited["content"]), (200, msg["id"], "Approved by mia"))
        status, fu, _ = await self.api("POST", hook, {"content": "only you see this", "flags": 64}, auth=None)
        self.assertEqual((status, fu["flags"] & 64), (200, 64))

        # UPDATE_MESSAGE (7) edits the message at once
        _, msg2, _ = await self.post("700", "Second", components=BUTTONS)
        self.fake.click(msg2["id"], "deny:1", user_id="43")
        ev2 = (await g.dispatch("INTERACTION_CREATE"))["d"]
        status, _, _ = await self.api("POST", f"/interactions/{ev2['id']}/{ev2['token']}/callback",
                                      {"type": 7, "data": {"content": "Denied", "components": []}}, auth=None)
        self.assertEqual(status, 204)

        # too late: the deadline (700 ms here) passed
        _, msg3, _ = await self.post("700", "Third", components=BUTTONS)
        self.fake.click(msg3["id"], "approve:1", user_id="44")
        ev3 = (await g.dispatch("INTERACTION_CREATE"))["d"]
        await asyncio.sleep(0.8)
        status, body, _ = await self.api("POST", f"/interactions/{ev3['id']}/{ev3['token']}/callback",
                                         {"type": 6}, auth=None)
        self.assertEqual((status, body), (404, {"message": "Unknown interaction", "code": 10062}))
        status, body, _ = await self.api("PATCH", f"/webhooks/{APP}/{ev3['token']}/messages/@original",
                                         {"content": "x"}, auth=None)
        self.assertEqual((status, body["code"]), (404, 10015))

        # a DM click carries user, not member
        _, ch, _ = await self.api("POST", "/users/@me/channels", {"recipient_id": "45"})
        _, dm_msg, _ = await self.post(ch["id"], "DM approval", components=BUTTONS)
        self.fake.click(dm_msg["id"], "approve:1", user_id="45")
        ev4 = (await g.dispatch("INTERACTION_CREATE"))["d"]
        self.assertEqual(ev4["user"]["id"], "45")
        self.assertNotIn("member", ev4)
        self.assertNotIn("guild_id", ev4)

        st = self.fake.state()
        i1, i2, i3, _ = st["interactions"]
        self.assertEqual((i1["callback_type"], i1["custom_id"], i1["user_id"]), (6, "approve:1", "42"))
        self.assertLess(i1["callback_ms"], 700)
        self.assertEqual([e["content"] for e in i1["original_edits"]], ["Approved by mia"])
        self.assertEqual([(f["content"], f["ephemeral"]) for f in i1["followups"]], [("only you see this", True)])
        self.assertEqual([a["status"] for a in i1["callback_attempts"]], [204, 400])
        self.assertEqual(i2["callback_type"], 7)
        self.assertIsNone(i3["callback_type"])
        self.assertTrue(i3["expired"])
        by_id = {m["id"]: m for m in st["messages"]}
        self.assertEqual((by_id[msg["id"]]["content"], by_id[msg["id"]]["components"]), ("Approved by mia", []))
        self.assertEqual(by_id[msg2["id"]]["content"], "Denied")
        self.assertEqual(by_id[msg2["id"]]["edits"][0]["via"], "interaction_update")
        self.assertEqual(by_id[fu["id"]]["via"], "followup")

    # ---------------------------------------------------------------- misc

    async def test_identify_concurrency_and_reset(self):
        strict = FakeDiscord(TOKEN, heartbeat_ms=HEARTBEAT_MS)     # default: 1 Identify per 5 s
        await asyncio.to_thread(strict.start)
        try:
            a = Gateway(self.http, strict.gateway_url)
            b = Gateway(self.http, strict.gateway_url)
            self.gateways += [a, b]
            await (await a.connect()).identify()
            await b.connect()
            await b.send(2, {"token": TOKEN, "intents": INTENTS, "properties": {"os": "l", "browser": "b", "device": "d"}})
            self.assertEqual(await b.recv(), {"op": 9, "d": False, "s": None, "t": None})
            st = strict.state()["gateway"]
            self.assertEqual((st["identifies"], st["identify_rejected"]), (1, 1))
            strict.reset()
            st = strict.state()
            self.assertEqual((st["gateway"]["identifies"], st["requests"], st["messages"]), (0, [], []))
            self.assertEqual(len(st["gateway"]["sessions"]), 1)          # sessions survive a reset
        finally:
            await asyncio.to_thread(strict.stop)


if __name__ == "__main__":
    unittest.main()
