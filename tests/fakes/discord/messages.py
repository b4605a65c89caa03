"""The fake Discord SERVER (part of the program tests/fakes/discord/server.py): its
messages, as REST and the gateway both see them.
"""

from __future__ import annotations

import json
import time
from typing import Any, Optional

from objects import (
    DIRECT_MESSAGES, EPHEMERAL, GUILD_MESSAGES, IS_COMPONENTS_V2, LOADING, MENTION_RE,
    MESSAGE_CONTENT, Session, form_error, is_int, is_snowflake, iso, json_error)


class MessagesMixin:
    """Messages: creating, validating (content, embeds, components), editing, their gateway events."""

    # ------------------------------------------------------------ messages

    def create_message(self, cid: str, author: dict, content: str, components: Optional[list],
                       allowed_mentions: Optional[dict], flags: int, via: str, *,
                       webhook_id: Optional[str] = None, application_id: Optional[str] = None,
                       interaction_id: Optional[str] = None, nonce: Any = None) -> dict:
        ids = MENTION_RE.findall(content or "")
        mentions = list(dict.fromkeys(ids))
        everyone = "@everyone" in (content or "") or "@here" in (content or "")
        if allowed_mentions is None:
            pinged, pinged_everyone = mentions, everyone
        else:
            parse = allowed_mentions.get("parse") or []
            users = [str(u) for u in (allowed_mentions.get("users") or [])]
            pinged = [u for u in mentions if "users" in parse or u in users]
            pinged_everyone = everyone and "everyone" in parse
        now = time.time()
        m = {
            "id": self.snow.next(), "channel_id": cid,
            "guild_id": None if self.is_dm(cid) else self.guild_id,
            "author": author, "content": content or "", "components": components or [],
            "allowed_mentions": allowed_mentions, "flags": flags or 0, "via": via,
            "webhook_id": webhook_id, "application_id": application_id,
            "interaction_id": interaction_id, "timestamp": iso(now), "edited_timestamp": None,
            "edits": [], "deleted": False, "mentions": mentions, "mention_everyone": everyone,
            "pinged_users": pinged, "pinged_everyone": pinged_everyone, "nonce": nonce,
            "at": self.ms(), "_n": self.number(), "_t": time.monotonic(),
        }
        self.messages[m["id"]] = m
        self.msg_order.append(m["id"])
        return m

    def message_obj(self, m: dict) -> dict:
        obj = {
            "id": m["id"], "channel_id": m["channel_id"], "author": dict(m["author"]),
            "content": m["content"], "timestamp": m["timestamp"],
            "edited_timestamp": m["edited_timestamp"], "tts": False,
            "mention_everyone": m["mention_everyone"],
            "mentions": [self.user_obj(u) for u in m["mentions"]],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False,
            "type": 0, "flags": m["flags"], "components": json.loads(json.dumps(m["components"])),
        }
        if m["webhook_id"]:
            obj["webhook_id"] = m["webhook_id"]
        if m.get("nonce") is not None:
            obj["nonce"] = m["nonce"]
        if m["application_id"]:
            obj["application_id"] = m["application_id"]
        if m["interaction_id"]:
            inter = self.interactions.get(m["interaction_id"])
            if inter:
                obj["interaction_metadata"] = {"id": inter["id"], "type": 3,
                                               "user": self.user_obj(inter["user_id"]),
                                               "authorizing_integration_owners": {"0": inter["guild_id"] or "0"}}
        return obj

    def gateway_message(self, m: dict, s: Session) -> Optional[dict]:
        """The MESSAGE_CREATE/UPDATE payload for one session, or None if its intents exclude it."""
        ephemeral = bool(m["flags"] & EPHEMERAL)
        dm = m["guild_id"] is None
        need = DIRECT_MESSAGES if (dm or ephemeral) else GUILD_MESSAGES
        if not s.intents & need:
            return None
        d = self.message_obj(m)
        if not dm and not ephemeral:
            d["guild_id"] = self.guild_id
            if not m["webhook_id"]:
                d["member"] = self.member_obj()
            for u in d["mentions"]:
                u["member"] = self.member_obj()
        if dm:
            d["channel_type"] = 1
        mentioned_bot = self.bot_id in m["mentions"]
        own = m["author"].get("id") == self.bot_id
        if not (s.intents & MESSAGE_CONTENT) and not dm and not own and not mentioned_bot:
            d["content"] = ""
            d["embeds"] = []
            d["attachments"] = []
            d["components"] = []
        return d

    def broadcast_message(self, t: str, m: dict) -> None:
        self.broadcast(t, lambda s: self.gateway_message(m, s))

    def broadcast_delete(self, m: dict) -> None:
        def make(s: Session):
            need = DIRECT_MESSAGES if m["guild_id"] is None else GUILD_MESSAGES
            if not s.intents & need:
                return None
            d = {"id": m["id"], "channel_id": m["channel_id"]}
            if m["guild_id"]:
                d["guild_id"] = m["guild_id"]
            return d
        self.broadcast("MESSAGE_DELETE", make)

    def validate_message(self, body: dict, *, create: bool, existing: Optional[dict] = None,
                         allow_flags: int = 0) -> dict:
        """Checks a create/edit body; returns the fields to apply."""
        out: dict = {}
        if "content" in body:
            content = body["content"]
            if content is not None and not isinstance(content, str):
                raise form_error(["content"], "BASE_TYPE_STRING", "Must be a string.")
            if content is not None and len(content) > 2000:
                raise form_error(["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
            out["content"] = content or ""
        flags = body.get("flags")
        if flags is not None:
            if not is_int(flags):
                raise form_error(["flags"], "NUMBER_TYPE_COERCE", f'Value "{flags}" is not int.')
            if flags & ~allow_flags:
                raise form_error(["flags"], "MESSAGE_FLAGS_INVALID", "Invalid message flags.")
            out["flags"] = flags
        v2 = bool((flags or 0) & IS_COMPONENTS_V2)
        if v2 and out.get("content"):
            raise form_error(["content"], "MESSAGE_CONTENT_NOT_ALLOWED_WITH_COMPONENTS_V2",
                             "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
        if "components" in body:
            comps = body["components"]
            if comps is None:
                comps = []
            self.validate_components(comps, v2)
            out["components"] = comps
        if "allowed_mentions" in body and body["allowed_mentions"] is not None:
            am = body["allowed_mentions"]
            if not isinstance(am, dict):
                raise form_error(["allowed_mentions"], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            parse = am.get("parse", [])
            if not isinstance(parse, list) or any(p not in ("users", "roles", "everyone") for p in parse):
                raise form_error(["allowed_mentions", "parse"], "BASE_TYPE_CHOICES",
                                 "Value must be one of ('everyone', 'roles', 'users').")
            users = am.get("users", [])
            if not isinstance(users, list) or len(users) > 100 or not all(is_snowflake(str(u)) for u in users):
                raise form_error(["allowed_mentions", "users"], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
            if "users" in parse and users:
                raise form_error(["allowed_mentions"], "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                                 "parse:[\"users\"] and users: [ids] are mutually exclusive.")
            if "roles" in parse and am.get("roles"):
                raise form_error(["allowed_mentions"], "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                                 "parse:[\"roles\"] and roles: [ids] are mutually exclusive.")
            out["allowed_mentions"] = am
        if "nonce" in body and body["nonce"] is not None:
            nonce = body["nonce"]
            if not (is_int(nonce) or (isinstance(nonce, str) and len(nonce) <= 25)):
                raise form_error(["nonce"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            out["nonce"] = nonce
        for key in ("embeds", "sticker_ids", "poll", "attachments", "message_reference", "tts"):
            if key in body:
                out.setdefault("_other", []).append(key)
        # emptiness: content, embeds, sticker_ids, components, files or poll
        content = out.get("content", existing["content"] if existing else "")
        comps = out.get("components", existing["components"] if existing else [])
        others = any(body.get(k) for k in ("embeds", "sticker_ids", "poll"))
        if not content and not comps and not others and (create or "content" in body or "components" in body):
            raise json_error(400, 50006, "Cannot send an empty message")
        return out

    def validate_components(self, comps: Any, v2: bool) -> None:
        if not isinstance(comps, list):
            raise form_error(["components"], "BASE_TYPE_LIST", "Must be a list.")
        if v2:
            return      # components v2 layouts: accepted without further checks
        if len(comps) > 5:
            raise form_error(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        seen: set = set()
        for r, row in enumerate(comps):
            if not isinstance(row, dict) or row.get("type") != 1:
                raise form_error(["components", r, "type"], "UNION_TYPE_CHOICES",
                                 "Value of field \"type\" must be one of (1,).")
            items = row.get("components")
            if not isinstance(items, list) or not 1 <= len(items) <= 5:
                raise form_error(["components", r, "components"], "BASE_TYPE_BAD_LENGTH",
                                 "Must be between 1 and 5 in length.")
            for c, item in enumerate(items):
                path = ["components", r, "components", c]
                if not isinstance(item, dict):
                    raise form_error(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
                ctype = item.get("type")
                if ctype == 2:
                    style = item.get("style")
                    if style not in (1, 2, 3, 4, 5, 6):
                        raise form_error(path + ["style"], "BASE_TYPE_CHOICES",
                                         "Value must be one of {1, 2, 3, 4, 5, 6}.")
                    label = item.get("label")
                    if label is not None and (not isinstance(label, str) or len(label) > 80):
                        raise form_error(path + ["label"], "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.")
                    if style == 5:
                        if not item.get("url") or "custom_id" in item:
                            raise form_error(path, "BUTTON_COMPONENT_URL_REQUIRED",
                                             "A link button needs a url and no custom_id.")
                        continue
                    if style == 6:
                        continue
                    if not label and not item.get("emoji"):
                        raise form_error(path, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED",
                                         "A button needs a label or an emoji.")
                elif ctype in (3, 5, 6, 7, 8):
                    if len(items) != 1:
                        raise form_error(["components", r, "components"], "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                                         "A select menu must be alone in its action row.")
                else:
                    raise form_error(path + ["type"], "UNION_TYPE_CHOICES",
                                     "Value of field \"type\" must be one of (2, 3, 5, 6, 7, 8).")
                cid = item.get("custom_id")
                if not isinstance(cid, str) or not 1 <= len(cid) <= 100:
                    raise form_error(path + ["custom_id"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
                if cid in seen:
                    raise form_error(path + ["custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED",
                                     "Component custom id cannot be duplicated")
                seen.add(cid)

    def apply_edit(self, m: dict, fields: dict, via: str, **extra) -> dict:
        edit = {k: v for k, v in fields.items() if not k.startswith("_")}
        edit.update({"via": via, "at": self.ms()}, **extra)
        for key in ("content", "components", "allowed_mentions", "flags"):
            if key in fields:
                if key == "flags":
                    m["flags"] = (fields["flags"] & ~(EPHEMERAL | LOADING)) | (m["flags"] & EPHEMERAL)
                else:
                    m[key] = fields[key]
        m["flags"] &= ~LOADING
        m["edited_timestamp"] = iso(time.time())
        m["edits"].append(edit)
        return edit
