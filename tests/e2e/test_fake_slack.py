"""Self-test of the fake Slack (tests/fakes/slack/): does it behave as
Slack's documentation says, and misbehave when told?  It drives the fake with
an aiohttp client, as a bot would.  Run from tests/e2e with Debian's python:

    /usr/bin/python3 -m unittest -v test_fake_slack
"""

from __future__ import annotations

import asyncio
import json
import time
import unittest

try:
    import aiohttp
except ImportError:         # pragma: no cover - the pyenv python on PATH has no aiohttp
    aiohttp = None

from slack_driver import FakeSlack, FakeSlackError

APP = "xapp-1-A0APP-1-selftest"
BOT = "xoxb-1-selftest"


def button_blocks(*action_ids: str) -> list:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Swap shift?"}},
        {"type": "actions", "block_id": "decide", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": a.title()}, "action_id": a,
             "value": f"v-{a}", **({"style": "primary"} if i == 0 else {})}
            for i, a in enumerate(action_ids)]},
    ]


@unittest.skipIf(aiohttp is None, "needs aiohttp: run with /usr/bin/python3")
class FakeSlackTest(unittest.IsolatedAsyncioTestCase):
    OPTS: dict = {"ack_timeout_ms": 300, "warning_ms": 500, "refresh_ms": 150, "channel_burst": 5}

    def setUp(self) -> None:
        self.slack = FakeSlack(APP, BOT, **self.OPTS).start()
        self.addCleanup(self.slack.stop)

    async def asyncSetUp(self) -> None:
        self.session = aiohttp.ClientSession()
        self.sockets: list = []

    async def asyncTearDown(self) -> None:
        for ws in self.sockets:
            await ws.close()
        await self.session.close()

    # -------------------------------------------------------------- helpers

    async def call(self, method: str, token: str | None = BOT, *, form: dict | None = None,
                   content_type: str = "application/json; charset=utf-8", **params):
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if form is not None:
            data = aiohttp.FormData(form)
        else:
            data = json.dumps(params)
            headers["Content-Type"] = content_type
        async with self.session.post(f"{self.slack.api_url}/{method}", data=data, headers=headers) as r:
            text = await r.text()
            try:
                body = json.loads(text)
            except ValueError:
                body = {"raw": text}
            return r.status, r.headers, body

    async def connect(self):
        status, _, body = await self.call("apps.connections.open", APP)
        self.assertEqual((status, body["ok"]), (200, True), body)
        ws = await self.session.ws_connect(body["url"])
        self.sockets.append(ws)
        hello = await self.recv(ws)
        self.assertEqual(hello["type"], "hello")
        return ws, hello

    async def recv(self, ws, timeout: float = 3.0) -> dict:
        msg = await asyncio.wait_for(ws.receive(), timeout)
        self.assertEqual(msg.type, aiohttp.WSMsgType.TEXT, msg)
        return json.loads(msg.data)

    async def recv_envelope(self, ws, timeout: float = 3.0) -> dict:
        """Next envelope, skipping echoes of the bot's own posts."""
        while True:
            env = await self.recv(ws, timeout)
            ev = env.get("payload", {}).get("event", {})
            if env.get("type") == "events_api" and ev.get("bot_id"):
                await ws.send_json({"envelope_id": env["envelope_id"]})
                continue
            return env

    async def nothing(self, ws, wait: float) -> None:
        try:
            msg = await asyncio.wait_for(ws.receive(), wait)
        except asyncio.TimeoutError:
            return
        self.fail(f"expected no frame, got {msg}")

    async def wait_state(self, pred, what: str, timeout: float = 5.0):
        return await asyncio.to_thread(self.slack.wait_for, pred, timeout, what)

    # -------------------------------------------------------------- Web API

    async def test_auth_errors_and_auth_test(self):
        self.assertEqual((await self.call("auth.test", None))[2], {"ok": False, "error": "not_authed"})
        self.assertEqual((await self.call("auth.test", "xoxb-wrong"))[2]["error"], "invalid_auth")
        status, _, body = await self.call("apps.connections.open", BOT)
        self.assertEqual((status, body), (200, {"ok": False, "error": "not_allowed_token_type"}))
        self.assertEqual((await self.call("chat.postMessage", APP, channel="C0OPS", text="x"))[2]["error"],
                         "not_allowed_token_type")
        status, _, body = await self.call("auth.test")
        self.assertEqual(status, 200)
        self.assertEqual({k: body[k] for k in ("ok", "user", "team_id", "user_id", "bot_id",
                                              "is_enterprise_install")},
                         {"ok": True, "user": "dutybot", "team_id": "T0TEAM", "user_id": "U0BOT",
                          "bot_id": "B0BOT", "is_enterprise_install": False})
        self.assertIn("url", body)
        self.assertIn("team", body)
        # A token in the body is not accepted: the header is the way.
        self.assertEqual((await self.call("auth.test", None, form={"token": BOT}))[2]["error"], "not_authed")
        kinds = [(r["method"], r["token_kind"], r["status"]) for r in self.slack.state()["requests"]]
        self.assertEqual(kinds[:3], [("auth.test", "none", 200), ("auth.test", "invalid", 200),
                                     ("apps.connections.open", "bot", 200)])

    async def test_post_message_json_and_form(self):
        status, _, body = await self.call("chat.postMessage", channel="C0OPS", text="hello & <b>",
                                          unfurl_links=False)
        self.assertEqual(status, 200)
        self.assertTrue(body["ok"], body)
        self.assertEqual(body["channel"], "C0OPS")
        self.assertRegex(body["ts"], r"^\d{10}\.\d{6}$")
        m = body["message"]
        self.assertEqual((m["type"], m["text"], m["user"], m["bot_id"], m["ts"]),
                         ("message", "hello & <b>", "U0BOT", "B0BOT", body["ts"]))
        self.assertNotIn("warning", body)
        # JSON without charset: Slack answers, with a missing_charset warning.
        _, _, body2 = await self.call("chat.postMessage", channel="C0OPS", text="2",
                                      content_type="application/json")
        self.assertTrue(body2["ok"])
        self.assertEqual(body2["response_metadata"]["warnings"], ["missing_charset"])
        # Form-encoded, blocks as a JSON string.
        _, _, body3 = await self.call("chat.postMessage", form={
            "channel": "C0OPS", "text": "pick", "blocks": json.dumps(button_blocks("yes", "no")),
            "thread_ts": body["ts"]})
        self.assertTrue(body3["ok"], body3)
        self.assertGreater(body3["ts"], body2["ts"])
        blocks = body3["message"]["blocks"]
        self.assertTrue(all(b.get("block_id") for b in blocks), "Slack fills in block_id")
        msgs = self.slack.messages("C0OPS")
        self.assertEqual([m["text"] for m in msgs], ["hello & <b>", "2", "pick"])
        self.assertEqual(msgs[2]["thread_ts"], body["ts"])
        self.assertEqual(msgs[0]["args"], {"unfurl_links": False})
        # Errors.
        self.assertEqual((await self.call("chat.postMessage", channel="C0OPS"))[2]["error"], "no_text")
        self.assertEqual((await self.call("chat.postMessage", channel="D0NOPE", text="x"))[2]["error"],
                         "channel_not_found")
        self.assertEqual((await self.call("chat.postMessage", channel="#ops", text="x"))[2]["error"],
                         "channel_not_found")
        bad = [{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text",
                                                                          "text": "x" * 76}}]}]
        _, _, err = await self.call("chat.postMessage", channel="C0OPS", text="x", blocks=bad)
        self.assertEqual(err["error"], "invalid_blocks")
        self.assertEqual((await self.call("chat.postMessage", channel="C0OPS", text="x",
                                          blocks="not json"))[2]["error"], "invalid_blocks_format")
        # Over 40,000 characters: truncated, not refused.
        _, _, long = await self.call("chat.postMessage", channel="C0OPS", text="y" * 40_100)
        self.assertTrue(long["ok"])
        self.assertEqual(len(long["message"]["text"]), 40_000)
        self.assertTrue(self.slack.messages("C0OPS")[-1]["truncated"])

    async def test_conversations_open_and_dm(self):
        _, _, a = await self.call("conversations.open", users="U0MIA")
        _, _, b = await self.call("conversations.open", users="U0MIA")
        self.assertTrue(a["ok"])
        self.assertRegex(a["channel"]["id"], r"^D")
        self.assertEqual(a["channel"]["id"], b["channel"]["id"])
        self.assertTrue(b.get("already_open"))
        _, _, c = await self.call("conversations.open", users="U0BEN")
        self.assertNotEqual(c["channel"]["id"], a["channel"]["id"])
        self.assertEqual((await self.call("conversations.open"))[2]["error"], "users_list_not_supplied")
        _, _, post = await self.call("chat.postMessage", channel=a["channel"]["id"], text="psst")
        self.assertTrue(post["ok"], post)
        self.assertEqual(self.slack.state()["dm_channels"], {"U0MIA": a["channel"]["id"],
                                                              "U0BEN": c["channel"]["id"]})

    async def test_update_ephemeral_unknown(self):
        _, _, p = await self.call("chat.postMessage", channel="C0OPS", text="v1")
        _, _, u = await self.call("chat.update", channel="C0OPS", ts=p["ts"], text="v2")
        self.assertEqual((u["ok"], u["channel"], u["ts"], u["text"]), (True, "C0OPS", p["ts"], "v2"))
        self.assertEqual((await self.call("chat.update", channel="C0OPS", ts="1.000001", text="x"))[2]["error"],
                         "message_not_found")
        self.assertEqual((await self.call("chat.update", channel="C0OPS", ts=p["ts"]))[2]["error"], "no_text")
        sent = self.slack.message("C0OPS", "U0MIA", "mine")
        self.assertEqual((await self.call("chat.update", channel="C0OPS", ts=sent["ts"],
                                          text="x"))[2]["error"], "cant_update_message")
        _, _, e = await self.call("chat.postEphemeral", channel="C0OPS", user="U0MIA", text="only you")
        self.assertTrue(e["ok"])
        self.assertRegex(e["message_ts"], r"^\d+\.\d{6}$")
        self.assertEqual((await self.call("users.info", user="U0MIA"))[2]["user"]["id"], "U0MIA")
        self.assertEqual((await self.call("no.such.method"))[2]["error"], "unknown_method")
        st = self.slack.state()
        self.assertEqual(st["messages"][0]["text"], "v2")
        self.assertEqual([x["text"] for x in st["messages"][0]["updates"]], ["v2"])
        self.assertEqual(st["ephemerals"][0]["user"], "U0MIA")
        self.assertEqual(st["ephemerals"][0]["text"], "only you")

    async def test_channel_rate_limit(self):
        results = [await self.call("chat.postMessage", channel="C0OPS", text=str(i)) for i in range(6)]
        self.assertEqual([s for s, _, _ in results], [200] * 5 + [429])
        status, headers, body = results[5]
        self.assertEqual(headers.get("Retry-After"), "1")
        self.assertEqual(body, {"ok": False, "error": "ratelimited"})
        self.assertEqual((await self.call("chat.postMessage", channel="C0OTHER", text="x"))[0], 200)
        # Retrying before Retry-After is noticed.
        self.assertEqual((await self.call("chat.postMessage", channel="C0OPS", text="again"))[0], 429)
        await asyncio.sleep(1.05)
        self.assertEqual((await self.call("chat.postMessage", channel="C0OPS", text="later"))[0], 200)
        st = self.slack.state()
        self.assertEqual([m["text"] for m in st["messages"] if m["channel"] == "C0OPS"],
                         ["0", "1", "2", "3", "4", "later"])
        self.assertEqual((st["violations"], st["rate_limited"], st["early_retries"]), (2, 2, 1))

    async def test_injected_http_trouble(self):
        self.slack.misbehave(action="rate_limit", count=2, retry_after=7, method="auth.test")
        self.slack.misbehave(action="error500", count=1, method="chat.postMessage")
        self.slack.misbehave(action="slow", ms=400, count=1, method="conversations.open")
        s1, h1, b1 = await self.call("auth.test")
        self.assertEqual((s1, h1.get("Retry-After"), b1["error"]), (429, "7", "ratelimited"))
        self.assertEqual((await self.call("auth.test"))[0], 429)
        self.assertEqual((await self.call("auth.test"))[0], 200)
        s2, _, b2 = await self.call("chat.postMessage", channel="C0OPS", text="x")
        self.assertEqual(s2, 500)
        self.assertIn("raw", b2, "a 5xx body is not JSON")
        self.assertEqual(self.slack.messages(), [])
        t0 = time.monotonic()
        self.assertEqual((await self.call("conversations.open", users="U0MIA"))[0], 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.38)
        st = self.slack.state()
        self.assertEqual((st["rate_limited"], st["errors_500"], st["violations"]), (2, 1, 0))

    # -------------------------------------------------------------- Socket Mode

    async def test_hello_and_single_use_ticket(self):
        _, _, body = await self.call("apps.connections.open", APP)
        self.assertRegex(body["url"], r"^ws://127\.0\.0\.1:\d+/link/\?ticket=[0-9a-f-]{36}&app_id=A0APP$")
        ws = await self.session.ws_connect(body["url"])
        self.sockets.append(ws)
        hello = await self.recv(ws)
        self.assertEqual(hello, {"type": "hello", "num_connections": 1,
                                 "debug_info": {"host": "fake-1", "build_number": 1,
                                                "approximate_connection_time": 18060},
                                 "connection_info": {"app_id": "A0APP"}})
        with self.assertRaises(aiohttp.WSServerHandshakeError) as cm:
            await self.session.ws_connect(body["url"])
        self.assertEqual(cm.exception.status, 401)
        with self.assertRaises(aiohttp.WSServerHandshakeError):
            await self.session.ws_connect(body["url"].replace("ticket=", "ticket=x"))
        _, hello2 = await self.connect()
        self.assertEqual(hello2["num_connections"], 2)
        st = self.slack.state()
        self.assertEqual((st["tickets_issued"], st["bad_upgrades"]), (2, 2))
        self.assertEqual((st["connections"]["opened"], st["connections"]["open_now"],
                          st["connections"]["hellos"]), (2, 2, 2))

    async def test_message_event_envelope_and_ack(self):
        ws, _ = await self.connect()
        sent = self.slack.message("C0OPS", "U0MIA", "a<b & <@U0BOT> >c", username="mia")
        env = await self.recv(ws)
        self.assertEqual(set(env), {"envelope_id", "type", "accepts_response_payload", "payload",
                                    "retry_attempt", "retry_reason"})
        self.assertEqual((env["envelope_id"], env["type"], env["accepts_response_payload"],
                          env["retry_attempt"], env["retry_reason"]),
                         (sent["envelope_id"], "events_api", False, 0, ""))
        p = env["payload"]
        for k in ("token", "team_id", "api_app_id", "event", "type", "event_id", "event_time",
                  "authorizations", "is_ext_shared_channel", "event_context"):
            self.assertIn(k, p)
        self.assertEqual((p["type"], p["team_id"], p["api_app_id"], p["event_id"]),
                         ("event_callback", "T0TEAM", "A0APP", sent["event_id"]))
        self.assertEqual(p["authorizations"][0]["user_id"], "U0BOT")
        ev = p["event"]
        self.assertEqual((ev["type"], ev["channel"], ev["user"], ev["ts"], ev["channel_type"]),
                         ("message", "C0OPS", "U0MIA", sent["ts"], "channel"))
        self.assertEqual(ev["text"], "a&lt;b &amp; <@U0BOT> &gt;c")
        self.assertNotIn("subtype", ev)
        self.assertNotIn("bot_id", ev)
        await asyncio.sleep(0.05)
        await ws.send_json({"envelope_id": env["envelope_id"]})
        e = await self.wait_state(
            lambda s: next((x for x in s["envelopes"] if x["envelope_id"] == sent["envelope_id"]
                            and x["acked"]), None), "the ack")
        self.assertGreaterEqual(e["ack_ms"], 40)
        self.assertEqual((e["event_id"], e["retry_attempt"]), (sent["event_id"], 0))
        await self.nothing(ws, 0.5)     # acked: no retry
        # A DM.
        dm = self.slack.message(user="U0MIA", text="hi", channel_type="im")
        ev2 = (await self.recv(ws))["payload"]["event"]
        self.assertEqual((ev2["channel"], ev2["channel_type"]), (dm["channel"], "im"))
        self.assertEqual(self.slack.state()["dm_channels"]["U0MIA"], dm["channel"])

    async def test_unacked_envelope_is_retried_three_times(self):
        ws, _ = await self.connect()
        sent = self.slack.message("C0OPS", "U0MIA", "hello?")
        seen = [await self.recv(ws, 2) for _ in range(4)]
        self.assertEqual([e["retry_attempt"] for e in seen], [0, 1, 2, 3])
        self.assertEqual([e["retry_reason"] for e in seen], ["", "timeout", "timeout", "timeout"])
        self.assertEqual(len({e["envelope_id"] for e in seen}), 4)
        self.assertEqual({e["payload"]["event_id"] for e in seen}, {sent["event_id"]})
        await self.nothing(ws, 0.6)
        st = self.slack.state()
        self.assertEqual(len(st["envelopes"]), 4)
        self.assertTrue(st["envelopes"][-1]["gave_up"])

    async def test_retry_stops_when_acked(self):
        ws, _ = await self.connect()
        self.slack.message("C0OPS", "U0MIA", "one")
        first = await self.recv(ws)
        retry = await self.recv(ws, 2)
        self.assertEqual((retry["retry_attempt"], retry["retry_reason"]), (1, "timeout"))
        await ws.send_json({"envelope_id": retry["envelope_id"]})
        await self.nothing(ws, 0.6)
        envs = self.slack.state()["envelopes"]
        self.assertEqual([(e["envelope_id"], e["acked"]) for e in envs],
                         [(first["envelope_id"], False), (retry["envelope_id"], True)])

    async def test_held_until_a_connection_opens(self):
        sent = self.slack.message("C0OPS", "U0MIA", "while you were away")
        self.assertEqual(self.slack.state()["pending"], [sent["envelope_id"]])
        ws, _ = await self.connect()
        env = await self.recv(ws)
        self.assertEqual(env["envelope_id"], sent["envelope_id"])
        await ws.send_json({"envelope_id": env["envelope_id"]})

    async def test_bot_post_is_echoed_with_bot_id(self):
        ws, _ = await self.connect()
        _, _, p = await self.call("chat.postMessage", channel="C0OPS", text="I said this")
        env = await self.recv(ws)
        ev = env["payload"]["event"]
        self.assertEqual((ev["type"], ev["bot_id"], ev["user"], ev["ts"], ev["text"]),
                         ("message", "B0BOT", "U0BOT", p["ts"], "I said this"))
        await ws.send_json({"envelope_id": env["envelope_id"]})

    async def test_click_block_actions_and_response_url(self):
        ws, _ = await self.connect()
        _, _, p = await self.call("chat.postMessage", channel="C0OPS", text="Swap?",
                                  blocks=button_blocks("approve", "deny"))
        echo = await self.recv(ws)
        await ws.send_json({"envelope_id": echo["envelope_id"]})
        with self.assertRaises(FakeSlackError):
            self.slack.click("C0OPS", p["ts"], "nope", user="U0BOSS")
        c = self.slack.click("C0OPS", p["ts"], "approve", user="U0BOSS", username="boss")
        env = await self.recv(ws)
        self.assertEqual((env["type"], env["envelope_id"], env["accepts_response_payload"]),
                         ("interactive", c["envelope_id"], False))
        self.assertNotIn("retry_attempt", env)
        pl = env["payload"]
        self.assertEqual(pl["type"], "block_actions")
        self.assertEqual(pl["user"], {"id": "U0BOSS", "username": "boss", "name": "boss", "team_id": "T0TEAM"})
        self.assertEqual(pl["container"], {"type": "message", "message_ts": p["ts"], "channel_id": "C0OPS",
                                           "is_ephemeral": False})
        self.assertEqual((pl["channel"]["id"], pl["team"]["id"], pl["trigger_id"], pl["api_app_id"]),
                         ("C0OPS", "T0TEAM", c["trigger_id"], "A0APP"))
        self.assertEqual((pl["message"]["ts"], pl["message"]["bot_id"], pl["message"]["user"]),
                         (p["ts"], "B0BOT", "U0BOT"))
        self.assertEqual(len(pl["message"]["blocks"]), 2)
        a = pl["actions"][0]
        self.assertEqual((a["action_id"], a["block_id"], a["value"], a["style"], a["type"]),
                         ("approve", "decide", "v-approve", "primary", "button"))
        self.assertEqual(a["text"]["text"], "Approve")
        self.assertIn("action_ts", a)
        await ws.send_json({"envelope_id": env["envelope_id"]})
        async with self.session.post(pl["response_url"], json={"text": "Approved", "replace_original": True}) as r:
            self.assertEqual((r.status, await r.json()), (200, {"ok": True}))
        st = self.slack.state()
        self.assertEqual(st["response_url_posts"][0]["body"], {"text": "Approved", "replace_original": True})
        self.assertEqual(st["messages"][0]["text"], "Approved")
        self.assertEqual(st["messages"][0]["updates"][0]["via"], "response_url")
        ie = next(e for e in st["envelopes"] if e["type"] == "interactive")
        self.assertTrue(ie["acked"])

    async def test_redeliver_after_ack(self):
        ws, _ = await self.connect()
        sent = self.slack.message("C0OPS", "U0MIA", "once")
        env = await self.recv(ws)
        await ws.send_json({"envelope_id": env["envelope_id"]})
        await self.wait_state(lambda s: s["envelopes"][0]["acked"], "the ack")
        r = self.slack.misbehave(action="redeliver")
        again = await self.recv(ws)
        self.assertEqual(again["envelope_id"], r["envelope_id"])
        self.assertNotEqual(again["envelope_id"], env["envelope_id"])
        self.assertEqual((again["retry_attempt"], again["retry_reason"], again["payload"]["event_id"]),
                         (1, "timeout", sent["event_id"]))
        self.assertEqual(again["payload"], env["payload"])
        await ws.send_json({"envelope_id": again["envelope_id"]})

    async def test_newest_connection_gets_events(self):
        ws1, _ = await self.connect()
        ws2, _ = await self.connect()
        self.slack.message("C0OPS", "U0MIA", "to the newest")
        env = await self.recv(ws2)
        await ws2.send_json({"envelope_id": env["envelope_id"]})
        await self.nothing(ws1, 0.4)
        self.assertEqual(self.slack.state()["envelopes"][0]["conn"], 2)

    async def test_disconnect_warning(self):
        ws1, _ = await self.connect()
        t0 = time.monotonic()
        self.slack.misbehave(action="disconnect", reason="warning")
        d = await self.recv(ws1)
        self.assertEqual(d, {"type": "disconnect", "reason": "warning", "debug_info": {"host": "fake-1"}})
        # Between the warning and the close, events go to a newer connection.
        ws2, _ = await self.connect()
        self.slack.message("C0OPS", "U0MIA", "during the warning")
        env = await self.recv(ws2)
        await ws2.send_json({"envelope_id": env["envelope_id"]})
        msg = await asyncio.wait_for(ws1.receive(), 2)
        self.assertIn(msg.type, (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED))
        self.assertGreaterEqual(time.monotonic() - t0, 0.45)
        st = await self.wait_state(lambda s: s if s["connections"]["closed"] else None, "the close")
        self.assertEqual((st["connections"]["closed"][0]["id"], st["connections"]["closed"][0]["reason"],
                          st["connections"]["open_now"]), (1, "warning", 1))

    async def test_disconnect_refresh_requested(self):
        ws1, _ = await self.connect()
        t0 = time.monotonic()
        self.slack.misbehave(action="disconnect", reason="refresh_requested")
        self.assertEqual((await self.recv(ws1))["reason"], "refresh_requested")
        msg = await asyncio.wait_for(ws1.receive(), 2)
        self.assertIn(msg.type, (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED))
        self.assertLess(time.monotonic() - t0, 0.45)
        # Nothing open: events are held, then sent after the next hello.
        sent = self.slack.message("C0OPS", "U0MIA", "in the gap")
        ws2, _ = await self.connect()
        self.assertEqual((await self.recv(ws2))["envelope_id"], sent["envelope_id"])

    async def test_link_disabled(self):
        ws1, _ = await self.connect()
        self.slack.misbehave(action="disconnect", reason="link_disabled")
        self.assertEqual((await self.recv(ws1))["reason"], "link_disabled")
        msg = await asyncio.wait_for(ws1.receive(), 2)
        self.assertIn(msg.type, (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED))
        _, _, body = await self.call("apps.connections.open", APP)
        self.assertFalse(body["ok"])
        self.slack.misbehave(action="link", enabled=True)
        await self.connect()

    async def test_abrupt_close_and_redelivery_on_new_connection(self):
        ws1, _ = await self.connect()
        self.slack.message("C0OPS", "U0MIA", "lost in transit")
        env = await self.recv(ws1)            # received, but never acked
        self.slack.misbehave(action="close")
        msg = await asyncio.wait_for(ws1.receive(), 2)
        self.assertIn(msg.type, (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE))
        self.assertNotEqual(ws1.close_code, 1000)
        ws2, _ = await self.connect()
        retry = await self.recv(ws2, 2)
        self.assertEqual((retry["retry_attempt"], retry["payload"]["event_id"]),
                         (1, env["payload"]["event_id"]))
        await ws2.send_json({"envelope_id": retry["envelope_id"]})
        st = self.slack.state()
        self.assertEqual(st["connections"]["closed"][0]["by"], "server-abort")

    async def test_interactive_is_not_retried(self):
        ws, _ = await self.connect()
        _, _, p = await self.call("chat.postMessage", channel="C0OPS", text="?", blocks=button_blocks("go"))
        echo = await self.recv(ws)
        await ws.send_json({"envelope_id": echo["envelope_id"]})
        c = self.slack.click("C0OPS", p["ts"], "go")
        self.assertEqual((await self.recv(ws))["envelope_id"], c["envelope_id"])
        await self.nothing(ws, 0.7)
        ie = self.slack.envelope(c["envelope_id"])
        self.assertEqual((ie["acked"], ie["timed_out"]), (False, True))

    async def test_freeze_half_open_and_custom_event(self):
        ws1, _ = await self.connect()
        self.slack.misbehave(action="freeze")
        sent = self.slack.event({"type": "member_joined_channel", "user": "U0NEW", "channel": "C0OPS"})
        await self.nothing(ws1, 0.4)          # swallowed, like a dead link
        ws2, _ = await self.connect()         # the client reconnects; the retry reaches it
        env = await self.recv(ws2, 2)
        self.assertEqual((env["payload"]["event_id"], env["payload"]["event"]["type"], env["retry_reason"]),
                         (sent["event_id"], "member_joined_channel", "timeout"))
        self.assertGreaterEqual(env["retry_attempt"], 1)
        await ws2.send_json({"envelope_id": env["envelope_id"]})
        first = self.slack.envelope(sent["envelope_id"])
        self.assertTrue(first["lost"])

    async def test_sigterm_exits(self):
        ws, _ = await self.connect()
        self.slack.proc.terminate()
        msg = await asyncio.wait_for(ws.receive(), 3)
        self.assertIn(msg.type, (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED))
        self.assertEqual(await asyncio.to_thread(self.slack.proc.wait, 3), 0)

    async def test_reset_and_stdin_eof_exit(self):
        await self.call("chat.postMessage", channel="C0OPS", text="x")
        self.slack.message("C0OPS", "U0MIA", "y")
        self.slack.reset()
        st = self.slack.state()
        self.assertEqual((st["messages"], st["requests"], st["envelopes"], st["user_messages"]), ([], [], [], []))
        t0 = time.monotonic()
        self.assertEqual(self.slack.stop(), 0)
        self.assertLess(time.monotonic() - t0, 3)


if __name__ == "__main__":
    unittest.main()
