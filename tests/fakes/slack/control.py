"""The fake Slack SERVER (part of the program tests/fakes/slack/server.py): the
control API a test drives it with (/_fake/message, event, click, misbehave,
user, state, reset); tests/e2e/slack_driver.py is its client.
"""

from __future__ import annotations

import random
import time
import uuid
from typing import Any

from aiohttp import web

from objects import Conn, log, slack_escape


class ControlMixin:
    """The control API under /_fake/: what a test makes happen and what it reads back."""

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
