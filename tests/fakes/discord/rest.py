"""The fake Discord SERVER (part of the program tests/fakes/discord/server.py): the
REST API v10 (rate limits, messages, interaction callbacks, webhooks).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
import time
from typing import Optional

from aiohttp import web

from objects import (
    EPHEMERAL, FormError, IS_COMPONENTS_V2, LOADING, form_error, is_int, is_snowflake, json_error,
    log, short)


class RestMixin:
    """REST: authentication, rate-limit buckets, injected faults, and the routes."""

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
