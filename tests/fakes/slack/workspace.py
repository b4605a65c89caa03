"""The fake Slack SERVER (part of the program tests/fakes/slack/server.py): the
workspace it pretends to be (tokens, channels, users) and the Block Kit
checks every post goes through.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from aiohttp import web

from objects import (
    ACTION_ID_MAX, ApiError, BLOCK_ID_MAX, BUTTON_TEXT_MAX, BUTTON_URL_MAX, BUTTON_VALUE_MAX,
    CHANNEL_ID, HEADER_TEXT_MAX, KNOWN_BLOCK_TYPES, MAX_ACTIONS, MAX_BLOCKS, SECTION_TEXT_MAX,
    rand_block_id, rand_id)


class WorkspaceMixin:
    """Tokens, channels, users, and the Block Kit checks of a post."""

    # ------------------------------------------------------------------ helpers

    def token_kind(self, request: web.Request) -> str:
        auth = request.headers.get("Authorization", "")
        if not auth.strip():
            return "none"
        m = re.match(r"^\s*Bearer\s+(\S+)\s*$", auth, re.I)
        if not m:
            return "invalid"
        tok = m.group(1)
        if tok == self.a.app_token:
            return "app"
        if tok == self.a.bot_token:
            return "bot"
        return "invalid"

    def channel_type(self, ch: str) -> str:
        return {"C": "channel", "G": "group", "D": "im"}.get(ch[:1], "channel")

    def dm_for(self, user: str) -> str:
        if user not in self.dm:
            d = "D0" + hashlib.sha1(user.encode()).hexdigest()[:9].upper()
            while d in self.known_channels:
                d = rand_id("D0", 9)
            self.dm[user] = d
            self.known_channels.add(d)
        return self.dm[user]

    def check_channel(self, ch: Any, *, posting: bool) -> str:
        if not isinstance(ch, str) or not CHANNEL_ID.match(ch):
            raise ApiError("channel_not_found")
        if ch[0] == "D" and ch not in self.known_channels:
            raise ApiError("channel_not_found")
        if ch[0] in "CG":
            if posting:
                self.known_channels.add(ch)
            elif ch not in self.known_channels:
                raise ApiError("channel_not_found")
        return ch

    def user_name(self, uid: str) -> str:
        return self.users.get(uid, {}).get("name") or uid.lower()

    def channel_name(self, ch: str) -> str:
        if ch in self.channel_names:
            return self.channel_names[ch]
        if ch.startswith("D"):
            return "directmessage"
        if ch.startswith("G"):
            return "privategroup"
        return ch.lower()

    def bot_profile(self) -> dict:
        return {"id": self.a.bot_id, "deleted": False, "name": "dutybot", "updated": 1700000000,
                "app_id": self.a.app_id, "icons": {}, "team_id": self.a.team}

    def parse_blocks(self, raw: Any) -> list | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise ApiError("invalid_blocks_format")
        if not isinstance(raw, list):
            raise ApiError("invalid_blocks_format")
        return raw

    def validate_blocks(self, blocks: list) -> list:
        """Check blocks the way Slack does for the parts a bot uses; return a
        normalised copy (block_id and button action_id filled in, as Slack
        generates them when absent)."""
        errors: list[str] = []
        if len(blocks) > MAX_BLOCKS:
            errors.append(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]")
        out, block_ids = [], set()

        def text_obj(t: Any, where: str, max_len: int, plain_only: bool = False) -> None:
            if not isinstance(t, dict) or t.get("type") not in (("plain_text",) if plain_only
                                                               else ("plain_text", "mrkdwn")):
                errors.append(f"must be a {'plain_text' if plain_only else 'text'} object [json-pointer:{where}]")
                return
            s = t.get("text")
            if not isinstance(s, str) or not s:
                errors.append(f"must be more than 0 characters [json-pointer:{where}/text]")
            elif len(s) > max_len:
                errors.append(f"must be less than {max_len + 1} characters [json-pointer:{where}/text]")

        def element(e: Any, where: str, ids: set) -> Any:
            if not isinstance(e, dict) or not isinstance(e.get("type"), str):
                errors.append(f"missing required field: type [json-pointer:{where}]")
                return e
            e = dict(e)
            if e["type"] == "button":
                text_obj(e.get("text"), where + "/text", BUTTON_TEXT_MAX, plain_only=True)
                if isinstance(e.get("text"), dict):
                    e["text"] = {"emoji": True, **e["text"]}
                if "action_id" not in e:
                    e["action_id"] = rand_block_id()
                aid = e["action_id"]
                if not isinstance(aid, str) or not aid or len(aid) > ACTION_ID_MAX:
                    errors.append(f"invalid action_id [json-pointer:{where}/action_id]")
                elif aid in ids:
                    errors.append(f"action_id already exists in this block [json-pointer:{where}/action_id]")
                ids.add(aid)
                if "value" in e and (not isinstance(e["value"], str) or len(e["value"]) > BUTTON_VALUE_MAX):
                    errors.append(f"must be less than {BUTTON_VALUE_MAX + 1} characters [json-pointer:{where}/value]")
                if "url" in e and (not isinstance(e["url"], str) or len(e["url"]) > BUTTON_URL_MAX):
                    errors.append(f"invalid url [json-pointer:{where}/url]")
                if "style" in e and e["style"] not in ("primary", "danger"):
                    errors.append(f"must be one of the provided options [json-pointer:{where}/style]")
            return e

        for i, b in enumerate(blocks):
            where = f"/blocks/{i}"
            if not isinstance(b, dict) or not isinstance(b.get("type"), str):
                errors.append(f"missing required field: type [json-pointer:{where}]")
                out.append(b)
                continue
            b = dict(b)
            if b["type"] not in KNOWN_BLOCK_TYPES:
                errors.append(f"unsupported type: {b['type']} [json-pointer:{where}/type]")
            bid = b.get("block_id")
            if bid is None:
                b["block_id"] = rand_block_id()
            elif not isinstance(bid, str) or not bid or len(bid) > BLOCK_ID_MAX:
                errors.append(f"invalid block_id [json-pointer:{where}/block_id]")
            elif bid in block_ids:
                errors.append(f"block_id already exists [json-pointer:{where}/block_id]")
            block_ids.add(b.get("block_id"))
            t = b["type"]
            if t == "actions":
                els = b.get("elements")
                if not isinstance(els, list) or not els:
                    errors.append(f"must provide at least 1 element [json-pointer:{where}/elements]")
                else:
                    if len(els) > MAX_ACTIONS:
                        errors.append(f"no more than {MAX_ACTIONS} items allowed [json-pointer:{where}/elements]")
                    ids: set = set()
                    b["elements"] = [element(e, f"{where}/elements/{j}", ids) for j, e in enumerate(els)]
            elif t == "section":
                if "text" not in b and "fields" not in b:
                    errors.append(f"must provide either text or fields [json-pointer:{where}]")
                if "text" in b:
                    text_obj(b["text"], where + "/text", SECTION_TEXT_MAX)
                if "accessory" in b:
                    b["accessory"] = element(b["accessory"], where + "/accessory", set())
            elif t == "header":
                text_obj(b.get("text"), where + "/text", HEADER_TEXT_MAX, plain_only=True)
            elif t == "context":
                els = b.get("elements")
                if not isinstance(els, list) or not els or len(els) > 10:
                    errors.append(f"must provide 1 to 10 elements [json-pointer:{where}/elements]")
            out.append(b)
        if errors:
            raise ApiError("invalid_blocks", errors=errors,
                           response_metadata={"messages": ["[ERROR] " + e for e in errors]})
        return out

    def find_button(self, msg: dict, action_id: str, block_id: str | None) -> tuple[dict, dict] | None:
        for b in msg.get("blocks") or []:
            if block_id and b.get("block_id") != block_id:
                continue
            els = []
            if b.get("type") == "actions":
                els = b.get("elements") or []
            elif b.get("type") == "section" and isinstance(b.get("accessory"), dict):
                els = [b["accessory"]]
            for e in els:
                if e.get("type") == "button" and e.get("action_id") == action_id:
                    return b, e
        return None
