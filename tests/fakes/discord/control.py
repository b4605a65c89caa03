"""The fake Discord SERVER (part of the program tests/fakes/discord/server.py): the
control API a test drives it with (/_fake/message, click, misbehave, state,
reset); tests/e2e/discord_driver.py is its client.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time

from aiohttp import web

from objects import EPHEMERAL, log


class ControlMixin:
    """The control API under /_fake/: what a test makes happen and what it reads back."""

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
        if action == "hello_interval":
            self.hello_intervals = list(body.get("values", []))
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
        elif action == "raw":
            conn.send(body["payload"])
        elif action == "dispatch":
            if conn.session is None:
                return web.json_response({"ok": False, "error": "no session on the connection"}, status=409)
            self.dispatch_to(conn.session, str(body["t"]), body["d"])
            result["s"] = conn.session.seq
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
            self.hello_intervals = []
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
