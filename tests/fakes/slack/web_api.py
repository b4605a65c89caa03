"""The fake Slack SERVER (part of the program tests/fakes/slack/server.py): the Web
API (POST /api/<method>, rate limits, injected 429/500/slow) and response_url.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import uuid
from typing import Any

from aiohttp import web

from objects import ApiError, TEXT_LIMIT, USER_ID, log, rand_id, truthy


class WebApiMixin:
    """The Web API methods, their rate limits and injected faults, and response_url."""

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
