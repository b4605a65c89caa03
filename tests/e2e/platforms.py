"""The worlds of the Discord, Slack and Mattermost end-to-end tests: a real redis-server,
the platform's fake (tests/fakes/, driven through discord_driver.py and
slack_driver.py) and the real dutybot with one connection to it.

A World hides the platform from the scenario tests: people post in named
channels or privately, the bot's posts are read back as
{"channel", "id", "text", "buttons": [(label, command)], "edited": bool},
and a button is clicked by its command.  Scenario tests are written once in
a mixin and run on both worlds; misbehaviour tests use the fake directly.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
import unittest

from harness import Daemon, Redis, STAFF, free_port, quote, stop_clean, write_config
from discord_driver import FakeDiscord
from slack_driver import FakeSlack
from mattermost_driver import FakeMattermost

ENGLISH_STAFF = [{k: v for k, v in p.items() if k != "lang" and k != "uid"} for p in STAFF]
CHANNEL_NAMES = ("ops", "alerts", "tech", "complaints", "lobby")


class DiscordWorld:
    name = "discord"
    MAX_TEXT = 2000
    TOKEN = "dutybot-test-token.discord"

    def __init__(self, **fake_opts):
        self.fake = FakeDiscord(self.TOKEN, **fake_opts)
        self.channels = {n: "2000000000000000%02d" % (i + 1) for i, n in enumerate(CHANNEL_NAMES)}
        self.users: dict[str, str] = {}

    def uid(self, person: str) -> str:
        if person not in self.users:
            self.users[person] = "1000000000000%05d" % (len(self.users) + 1)
        return self.users[person]

    def connection(self) -> str:
        chans = "; ".join(f"{n} = {quote(self.channels[n])}" for n in CHANNEL_NAMES if n != "lobby")
        return (f'( {{ name = "discord"; type = "discord"; token = {quote(self.TOKEN)};'
                f' api_url = {quote(self.fake.api_url)}; channels = {{ {chans}; }}; }} )')

    def post(self, person: str, text: str, channel: str = "lobby") -> dict:
        if channel == "dm":
            return self.fake.message(channel_id=None, user_id=self.uid(person), username=person,
                                     content=text, dm=True)
        return self.fake.message(channel_id=self.channels[channel], user_id=self.uid(person),
                                 username=person, content=text)

    def dm_channel(self, person: str, state: dict) -> str | None:
        return state.get("dm_channels", {}).get(self.uid(person))

    def post_as_other_bot(self, text: str, channel: str = "lobby") -> None:
        self.fake.message(channel_id=self.channels[channel], user_id="999000000000000001",
                          username="otherbot", content=text, bot=True)

    def bot_messages(self, state: dict) -> list[dict]:
        out = []
        for m in state.get("messages", []):
            if m.get("author_id") != state.get("bot_id"):
                continue        # people's messages are in the fake's list too
            buttons = []
            for row in m.get("components") or []:
                for b in row.get("components", []):
                    buttons.append((b.get("label"), b.get("custom_id")))
            out.append({"channel": m["channel_id"], "id": m["id"], "text": m.get("content", ""),
                        "buttons": buttons, "edited": bool(m.get("edits")), "raw": m})
        return out

    def click(self, person: str, msg: dict, command_prefix: str) -> dict:
        cmd = next(c for _, c in msg["buttons"] if c.startswith(command_prefix))
        return self.fake.click(message_id=msg["id"], custom_id=cmd, user_id=self.uid(person),
                               username=person)

    def inject(self, action: str, **kw) -> None:
        """The next message posts meet ACTION (rate_limit, error500, slow)."""
        self.fake.misbehave(action=action, path="/messages", **kw)

    @staticmethod
    def order(msg: dict):
        return int(msg["id"])

    def private_answers(self, state: dict) -> list[str]:
        """What only a clicker saw (ephemeral follow-ups)."""
        out = []
        for i in state.get("interactions", []):
            for f in i.get("followups", []):
                if (f.get("flags") or 0) & 64:
                    out.append(f.get("content", ""))
        return out


class SlackWorld:
    name = "slack"
    MAX_TEXT = 3000             # a section block's limit (Slack advises 4,000 for text)
    APP = "xapp-1-A0APP-1-dutybottest"
    BOT = "xoxb-dutybot-test"

    def __init__(self, **fake_opts):
        self.fake = FakeSlack(self.APP, self.BOT, **fake_opts)
        self.channels = {n: "C0" + n.upper() for n in CHANNEL_NAMES}
        self.users: dict[str, str] = {}

    def uid(self, person: str) -> str:
        return self.users.setdefault(person, "U0" + person.upper())

    def connection(self) -> str:
        chans = "; ".join(f"{n} = {quote(self.channels[n])}" for n in CHANNEL_NAMES if n != "lobby")
        return (f'( {{ name = "slack"; type = "slack"; app_token = {quote(self.APP)};'
                f' bot_token = {quote(self.BOT)}; api_url = {quote(self.fake.api_url)};'
                f' channels = {{ {chans}; }}; }} )')

    def post(self, person: str, text: str, channel: str = "lobby") -> dict:
        if channel == "dm":
            return self.fake.message(channel=None, user=self.uid(person), text=text, channel_type="im")
        return self.fake.message(channel=self.channels[channel], user=self.uid(person), text=text)

    def dm_channel(self, person: str, state: dict) -> str | None:
        return state.get("dm_channels", {}).get(self.uid(person))

    def post_as_other_bot(self, text: str, channel: str = "lobby") -> None:
        self.fake.message(channel=self.channels[channel], user="U0OTHERBOT", text=text, bot_id="B0OTHER")

    @staticmethod
    def _unescape(t: str) -> str:
        return t.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def bot_messages(self, state: dict) -> list[dict]:
        out = []
        for m in state.get("messages", []):
            buttons = []
            for block in m.get("blocks") or []:
                if block.get("type") == "actions":
                    for e in block.get("elements", []):
                        buttons.append((e.get("text", {}).get("text"), e.get("value") or e.get("action_id")))
            out.append({"channel": m["channel"], "id": m["ts"], "text": self._unescape(m.get("text", "")),
                        "buttons": buttons, "edited": bool(m.get("updates")), "raw": m})
        return out

    def click(self, person: str, msg: dict, command_prefix: str) -> dict:
        action = next(e for block in msg["raw"].get("blocks") or [] if block.get("type") == "actions"
                      for e in block.get("elements", []) if (e.get("value") or "").startswith(command_prefix))
        return self.fake.click(msg["channel"], msg["id"], action["action_id"], user=self.uid(person))

    def inject(self, action: str, **kw) -> None:
        self.fake.misbehave(action=action, method="chat.postMessage", **kw)

    @staticmethod
    def order(msg: dict):
        return float(msg["id"])

    def private_answers(self, state: dict) -> list[str]:
        return [self._unescape(e.get("text", "")) for e in state.get("ephemerals", [])]


class MattermostWorld:
    name = "mm"
    MAX_TEXT = 16383
    TOKEN = "mm-dutybot-test-token"

    def __init__(self, buttons: bool = True, **fake_opts):
        self.buttons = buttons
        self.channels = {n: ("c" + n).ljust(26, "0") for n in CHANNEL_NAMES}
        self.fake = FakeMattermost(self.TOKEN, channels=",".join(f"{c}:{n}" for n, c in self.channels.items()),
                                   **fake_opts)
        self.users: dict[str, str] = {}

    def uid(self, person: str) -> str:
        return self.users.setdefault(person, ("u" + person).ljust(26, "0")[:26])

    def config_overrides(self) -> dict:
        """The HTTP listener Mattermost's button callbacks come to (http.public_url)."""
        if not self.buttons:
            return {}
        port = self.http_port = free_port()
        return {"http": f'{{ listen = "127.0.0.1:{port}"; public_url = "http://127.0.0.1:{port}/"; }}'}

    def connection(self, extra: str = "") -> str:
        chans = "; ".join(f"{n} = {quote(self.channels[n])}" for n in CHANNEL_NAMES if n != "lobby")
        return (f'( {{ name = "mm"; type = "mattermost"; url = {quote(self.fake.url)};'
                f' token = {quote(self.TOKEN)}; channels = {{ {chans}; }}; {extra} }} )')

    def post(self, person: str, text: str, channel: str = "lobby") -> dict:
        if channel == "dm":
            return self.fake.message(user=self.uid(person), username=person, text=text, dm=True)
        return self.fake.message(user=self.uid(person), username=person, text=text, channel=self.channels[channel],
                                 channel_name=channel)

    def dm_channel(self, person: str, state: dict) -> str | None:
        return state.get("dm_channels", {}).get(self.uid(person))

    def post_as_other_bot(self, text: str, channel: str = "lobby") -> None:
        self.fake.message(user="otherbot".ljust(26, "0"), username="otherbot", text=text,
                          channel=self.channels[channel], bot=True)

    def bot_messages(self, state: dict) -> list[dict]:
        out = []
        for m in state.get("posts", []):
            if m["user_id"] != state.get("bot_id"):
                continue
            buttons = []
            for att in m.get("props", {}).get("attachments") or []:
                for a in att.get("actions") or []:
                    ctx = (a.get("integration") or {}).get("context") or {}
                    buttons.append((a.get("name"), ctx.get("command")))
            out.append({"channel": m["channel_id"], "id": m["id"], "text": m["message"], "buttons": buttons,
                        "edited": bool(m.get("edits")), "raw": m})
        return out

    def click(self, person: str, msg: dict, command_prefix: str) -> dict:
        action = next(a for att in msg["raw"]["props"].get("attachments") or [] for a in att.get("actions") or []
                      if ((a.get("integration") or {}).get("context") or {}).get("command", "").startswith(
                          command_prefix))
        return self.fake.click(msg["id"], self.uid(person), action["id"])

    def inject(self, action: str, **kw) -> None:
        if "retry_after" in kw:
            kw["reset"] = kw.pop("retry_after")
        self.fake.misbehave(action=action, path="/api/v4/posts", **kw)

    @staticmethod
    def order(msg: dict):
        return msg["raw"]["create_at"]

    def private_answers(self, state: dict) -> list[str]:
        return [e["message"] for e in state.get("ephemerals", [])]


class PlatformCase(unittest.TestCase):
    """A world per test: Redis, the fake, dutybot with one connection to it."""

    WORLD = DiscordWorld
    FAKE_OPTS: dict = {}
    CONFIG: dict = {}
    DAEMON_ENV: dict = {}
    STAFF = ENGLISH_STAFF

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="dutybot-e2e-")
        if not os.environ.get("DUTYBOT_E2E_KEEP"):
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.redis = Redis(self.tmp)
        self.addCleanup(self.redis.stop)
        self.world = self.WORLD(**self.FAKE_OPTS)
        self.fake = self.world.fake
        self.fake.start()
        self.addCleanup(self.fake.stop)
        staff = [dict(p, identities=[f"{self.world.name}:{self.world.uid(p['id'])}"]) for p in self.STAFF]
        self.config = write_config(os.path.join(self.tmp, "dutybot.cfg"), redis_port=self.redis.port,
                                   connection=self.world.name, staff=staff,
                                   connections=self.world.connection(),
                                   **{**self.CONFIG, **getattr(self.world, "config_overrides", dict)()})
        self.seen: dict[str, int] = {}  # per channel id: the bot's posts already matched by wait_post()
        self.start_daemon()
        self.wait_ready()

    def start_daemon(self, **env) -> Daemon:
        self.daemon = Daemon(self.config, env={**self.DAEMON_ENV, **env},
                             log_path=os.path.join(self.tmp, "dutybot.log"))
        self.addCleanup(stop_clean, self.daemon)
        return self.daemon

    def wait_ready(self, timeout: float = 20) -> None:
        self.daemon.wait_log(r"state change \w+ -> READY", timeout=timeout)

    def reload_config(self, old: str, new: str) -> None:
        """Replace OLD by NEW in the config file and tell dutybot (SIGHUP)."""
        with open(self.config.path, encoding="utf-8") as f:
            text = f.read().replace(old, new)
        with open(self.config.path, "w", encoding="utf-8") as f:
            f.write(text)
        os.kill(self.daemon.proc.pid, signal.SIGHUP)

    def key(self, *parts: str) -> str:
        return "dutybot:{%s}:%s" % (self.config.site, ":".join(parts))

    # ---- talking

    def wait_post(self, expect: str, channel: str = "lobby", person: str | None = None,
                  timeout: float = 10, since: int | None = None) -> dict:
        """The bot's first post in CHANNEL (a name, or "dm" to PERSON) whose
        text contains EXPECT, after the last one matched there (or from the
        SINCE-th post of all, without moving the mark)."""
        box = {}

        def find(state):
            want = self.world.dm_channel(person, state) if channel == "dm" else self.world.channels[channel]
            if want is None:
                return None
            start = since if since is not None else self.seen.get(want, 0)
            msgs = self.world.bot_messages(state)
            for i, m in enumerate(msgs[start:], start):
                if m["channel"] == want and expect in m["text"]:
                    box["channel"] = want
                    return i, m
            return None

        try:
            i, m = self.fake.wait_for(find, timeout=timeout, what=f"a post in {channel} with {expect!r}")
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- dutybot log:\n{self.daemon.log_tail(40)}") from None
        if since is None:
            self.seen[box["channel"]] = i + 1
        return m

    def ask(self, person: str, text: str, expect: str, channel: str = "lobby", timeout: float = 10) -> dict:
        mark = len(self.world.bot_messages(self.fake.state()))
        self.world.post(person, text, channel)
        return self.wait_post(expect, channel, person=person, timeout=timeout, since=mark)

    def message_now(self, msg: dict) -> dict:
        """MSG as it is now (after edits)."""
        for m in self.world.bot_messages(self.fake.state()):
            if m["id"] == msg["id"] and m["channel"] == msg["channel"]:
                return m
        raise AssertionError(f"message {msg['id']} is gone")

    def wait_edited(self, msg: dict, expect: str, timeout: float = 10) -> dict:
        def find(_state):
            m = self.message_now(msg)
            return m if m["edited"] and expect in m["text"] else None
        try:
            return self.fake.wait_for(find, timeout=timeout, what=f"message {msg['id']} edited to show {expect!r}")
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- dutybot log:\n{self.daemon.log_tail(40)}") from None

    def wait_private_answer(self, expect: str, timeout: float = 10) -> str:
        return self.fake.wait_for(lambda s: next((t for t in self.world.private_answers(s) if expect in t), None),
                                  timeout=timeout, what=f"a private answer with {expect!r}")


# --------------------------------------------------------------------------- the scenarios

DAY_SHIFTS = ('( { name = "early"; start = "06:00"; end = "14:00"; },'
              ' { name = "late"; start = "14:00"; end = "22:00"; } )')
ESCALATION = ('{ ack_timeout = "2s"; repeat = 1;'
              ' chain = ( "shift_lead", "duty_minister", "ministers", "webmasters" ); }')


class Scenarios:
    """What works on the site works here: run on both platforms.  The clock
    is 2026-03-02 (a Monday) 09:00 UTC, inside the early shift."""

    CONFIG = {"shifts": DAY_SHIFTS, "escalation": ESCALATION,
              "complaints": '{ capacity = { TRN = 1; CCS = 2; PAM = 2; SAM = 2; }; }'}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T09:00:00Z"}

    def mention(self, person: str) -> str:
        return f"<@{self.world.uid(person)}>"

    def test_ping_in_a_channel_and_privately(self):
        self.ask("mia", "!ping", "pong")
        self.ask("mia", "!ping", "pong", channel="dm")
        self.ask("mia", "whoami", "Mia Keller", channel="dm")           # no prefix needed privately
        self.ask("lina", "!whoami", "chat friend")                     # not staff: a chat friend
        # the bot's own posts (the fakes echo them, as the platforms do) and other
        # bots' are never answered
        posts = len(self.world.bot_messages(self.fake.state()))
        self.world.post_as_other_bot("!ping")
        time.sleep(1.0)
        self.assertEqual(len(self.world.bot_messages(self.fake.state())), posts)

    def test_a_mention_is_a_person(self):
        self.ask("mark", f"!staff show {self.mention('mia')}", "id: mia", channel="dm")
        self.ask("mark", "!staff show <@999999>", "No staff member", channel="dm")

    def test_swap_approved_by_button(self):
        self.ask("mark", "!roster lead tomorrow early vera", "Roster updated")
        self.ask("mark", "!roster add tomorrow early mia", "Roster updated")
        self.ask("mia", f"!swap tomorrow early with {self.mention('sara')}", "Swap S-1 asked of sara")
        self.ask("sara", "!swap accept S-1", "S-1 accepted; it now waits for a minister or above")
        request = self.wait_post("S-1 waits for a minister or above", channel="ops")
        self.assertEqual([c.split()[0] for _, c in request["buttons"]], ["approve", "deny"])
        # an agent's click is refused like the typed command, and only they are told
        self.world.click("tom", request, "approve")
        self.wait_private_answer("S-1 waits for a minister or above, not for you.")
        self.assertFalse(self.message_now(request)["edited"])
        self.world.click("mark", request, "approve")
        done = self.wait_edited(request, "S-1 approved and done")
        self.assertEqual(done["buttons"], [])
        self.assertIn("S-1 waits for a minister or above", done["text"])
        self.wait_post("Swap S-1 approved by Mark Novak", channel="ops")
        self.wait_post("was approved by Mark Novak", channel="dm", person="mia")
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-03", "early"), "agents"), "sara")
        self.assertEqual(self.redis.cmd("HGET", self.key("approval", "S-1"), "state"), "approved")

    def test_swap_denied_by_button(self):
        self.ask("mark", "!roster add tomorrow early mia", "Roster updated")
        self.ask("mia", "!swap tomorrow early with sara", "S-1")
        self.ask("sara", "!swap accept S-1", "accepted")
        request = self.wait_post("S-1 waits for a minister or above", channel="ops")
        self.world.click("lemon", request, "deny")
        self.wait_edited(request, "S-1 denied")
        self.wait_post("was denied by Lemon Chen: (denied with the button)", channel="dm", person="mia")
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-03", "early"), "agents"), "mia")

    def test_emergency_escalated_and_acked_by_button(self):
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mark", "!roster minister today early mark", "Roster updated")
        self.ask("mia", "!emergency the chat servers are down", "Emergency E-1 raised")
        alert = self.wait_post("EMERGENCY E-1 from Mia Keller [CCS]", channel="alerts")
        self.assertEqual([c for _, c in alert["buttons"]], ["ack E-1"])
        self.wait_post("EMERGENCY E-1", channel="dm", person="vera")
        self.wait_post("E-1: paging the shift's lead, Vera Kovacs.", channel="alerts")
        # nobody acks within 2 s: the duty minister is paged, and acks with the button of his page
        page = self.wait_post("EMERGENCY E-1", channel="dm", person="mark", timeout=8)
        self.assertEqual([c for _, c in page["buttons"]], ["ack E-1"])
        self.world.click("mark", page, "ack")
        self.wait_edited(page, "E-1 acknowledged.")
        self.wait_post("E-1 acknowledged by Mark Novak; the escalation stops.", channel="alerts")
        self.assertEqual(self.redis.cmd("HGET", self.key("emergency", "E-1"), "acked_by"), "mark")
        # a second click (on the alert) says who was first, privately
        self.world.click("vera", alert, "ack")
        self.wait_private_answer("E-1 was already acknowledged by Mark Novak")

    def test_long_output_is_split_at_the_platform_limit(self):
        plan = "q" * 2500 + " " + "z" * 2500
        self.ask("mark", "!plan set " + plan, "saved")
        mark = len(self.world.bot_messages(self.fake.state()))
        self.world.post("mark", "!plan")
        pieces = self.fake.wait_for(
            lambda s: (lambda t: t if "".join(t).count("z") == 2500 else None)(
                [m["text"] for m in self.world.bot_messages(s)[mark:]]), what="the whole plan")
        self.assertGreaterEqual(len(pieces), 2)
        self.assertTrue(all(len(p) <= self.world.MAX_TEXT for p in pieces), [len(p) for p in pieces])
        self.assertEqual("".join(pieces).replace("\n", "").replace(" ", ""),
                         "Emergencyplan:" + plan.replace(" ", ""))

    def test_complaint_filed_and_routed(self):
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mark", "!roster add today early mia", "Roster updated")
        self.ask("mia", "!checkin", "checked in")
        self.ask("vera", "!complaint new f1 I was charged twice", "C-1 filed and given to mia.")
        self.wait_post("Complaint C-1", channel="dm", person="mia")
        self.ask("lina", "!complain the music is too loud", "Your complaint C-2 was received", channel="dm")
        self.assertEqual(self.redis.cmd("HGET", self.key("complaint", "C-2"), "agent"), "mia")


class RestScenarios:
    """The REST side misbehaving: the same on both platforms."""

    def test_429_is_retried_after_retry_after_in_order(self):
        self.world.inject("rate_limit", count=1, retry_after=1)
        t0 = time.monotonic()
        self.world.post("mia", "!ping")
        self.world.post("mia", "!whoami")
        first = self.wait_post("pong", timeout=15)
        second = self.wait_post("Mia Keller", timeout=15)
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)
        self.assertLess(self.world.order(first), self.world.order(second))
        state = self.fake.state()
        self.assertGreaterEqual(state["rate_limited"], 1)
        self.assertEqual(state["early_retries"], 0)

    def test_5xx_is_retried(self):
        self.world.inject("error500", count=2)
        self.ask("mia", "!ping", "pong", timeout=15)

    def test_slow_answers_keep_the_order(self):
        self.world.inject("slow", ms=1500, count=1)
        self.world.post("mia", "!ping")
        self.world.post("mia", "!whoami")
        first = self.wait_post("pong")
        second = self.wait_post("Mia Keller")
        self.assertLess(self.world.order(first), self.world.order(second))
