"""End-to-end on IRC: the real dutybot over WebSocket to a real InspIRCd
(irc_driver.py), driven by people on plain TCP IRC clients.

Staff are known by hostmask (identities "irc:mask:<nick>!<ident>@127.0.0.1");
strangers and a nick thief come from other loopback addresses (127.0.0.x is
the host InspIRCd sees).  The clock is 2026-03-02 (a Monday) 09:00 UTC,
inside the early shift, as in the other platforms' scenarios.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import time
import unittest

from harness import Daemon, Redis, STAFF, quote, stop_clean, write_config
from irc_driver import Client, FakeServices, InspIRCd, need_inspircd

BOT = "dutybot"
LOBBY = "#lobby"
CHANNELS = {"ops": "#ops", "alerts": "#alerts", "tech": "#tech", "complaints": "#complaints"}
DAY_SHIFTS = ('( { name = "early"; start = "06:00"; end = "14:00"; },'
              ' { name = "late"; start = "14:00"; end = "22:00"; } )')
ESCALATION = ('{ ack_timeout = "2s"; repeat = 1;'
              ' chain = ( "shift_lead", "duty_minister", "ministers", "webmasters" ); }')
ENGLISH_STAFF = [{k: v for k, v in p.items() if k not in ("lang", "uid")} for p in STAFF]
# lemon's mask names no nick: lemon is lemon under any nick, from that ident and host
MASKS = {p["id"]: (f"*!{p['id']}@127.0.0.1" if p["id"] == "lemon" else f"{p['id']}!{p['id']}@127.0.0.1")
         for p in ENGLISH_STAFF}


class IrcCase(unittest.TestCase):
    STRICT = False              # dutybot's port in InspIRCd's default flood class
    SERVICES: dict | None = None    # {"accounts": {nick: account}, "logins": {account: password}}
    IDENTITIES: dict = {}       # staff id -> identities instead of their mask
    CONN_EXTRA = ""             # more keys of the irc connection
    PEOPLE = ("mia", "mark", "vera", "sara", "lemon")
    CONFIG: dict = {"shifts": DAY_SHIFTS, "escalation": ESCALATION,
                    "complaints": '{ capacity = { TRN = 1; CCS = 2; PAM = 2; SAM = 2; }; }'}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T09:00:00Z"}

    def setUp(self) -> None:
        need_inspircd()
        self.tmp = tempfile.mkdtemp(prefix="dutybot-e2e-irc-")
        if not os.environ.get("DUTYBOT_E2E_KEEP"):
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.redis = Redis(self.tmp)
        self.addCleanup(self.redis.stop)
        self.ircd = InspIRCd(self.tmp, strict=self.STRICT, services=self.SERVICES is not None)
        self.ircd.start()
        self.addCleanup(self.ircd.stop)
        if self.SERVICES is not None:
            self.services = FakeServices(self.ircd, **self.SERVICES)
            self.addCleanup(self.services.close)
            with open(os.path.join(self.tmp, "irc.sasl"), "w") as f:
                f.write("bot-secret\n")
            os.chmod(os.path.join(self.tmp, "irc.sasl"), 0o600)
        staff = [dict(p, identities=self.IDENTITIES.get(p["id"], [f"irc:mask:{MASKS[p['id']]}"]))
                 for p in ENGLISH_STAFF]
        chans = "; ".join(f"{k} = {quote(v)}" for k, v in CHANNELS.items())
        conn = (f'( {{ name = "irc"; type = "irc"; url = {quote(self.ircd.ws_url)}; nick = "{BOT}";'
                f' channels = {{ {chans}; }}; join = ( "{LOBBY}" ); {self.CONN_EXTRA} }} )')
        self.config = write_config(os.path.join(self.tmp, "dutybot.cfg"), redis_port=self.redis.port,
                                   connection="irc", staff=staff, connections=conn, **self.CONFIG)
        self.clients: dict[str, Client] = {}
        self.connect_people(*self.PEOPLE)
        self.before_daemon()
        self.daemon = Daemon(self.config, env=self.DAEMON_ENV, log_path=os.path.join(self.tmp, "dutybot.log"))
        self.addCleanup(stop_clean, self.daemon)
        self.daemon.wait_log(r"state change \w+ -> READY", timeout=20)
        self.wait_bot_in(LOBBY)

    def tearDown(self) -> None:
        for c in self.clients.values():
            c.close()
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        problems = list(getattr(result, "errors", [])) + list(getattr(result, "failures", []))
        if any(t is self for t, _ in problems):
            print(f"\n----- dutybot log ({self.tmp}) -----\n{self.daemon.log_tail(60)}", flush=True)

    def before_daemon(self) -> None:
        """What the channels' people do before dutybot comes."""

    # ---- people

    def connect_people(self, *names: str, source: str = "127.0.0.1", ident: str | None = None) -> None:
        new = []
        for n in names:
            self.clients[n] = Client(self.ircd.client_port, n, ident=ident, source=source)
            new.append(self.clients[n])
        for c in new:           # InspIRCd registers once a second: all at once
            c.registered()
        for c in new:
            c.join(LOBBY)
            for ch in CHANNELS.values():
                c.join(ch)

    def wait_bot_in(self, channel: str, timeout: float = 20) -> None:
        """The bot has joined CHANNEL (as someone there sees it) and knows who is there (its WHO)."""
        first = next(iter(self.clients.values()))
        first.send(f"NAMES {channel}")
        first.wait(lambda m: m["cmd"] == "353" and BOT in m["params"][-1].replace("@", "").split(), timeout,
                   f"{BOT} in {channel}")
        self.daemon.wait_log(rf"irc: joined {re.escape(channel)}", timeout=timeout)
        time.sleep(0.3)         # its WHO answered

    def ask(self, person: str, text: str, expect: str, channel: str = LOBBY, timeout: float = 10) -> dict:
        """PERSON says TEXT in CHANNEL ("dm": to the bot); the bot's line with EXPECT, there."""
        c = self.clients[person]
        mark = c.mark()
        c.say(BOT if channel == "dm" else channel, text)
        return self.bot_line(person, expect, channel, since=mark, timeout=timeout)

    def bot_line(self, person: str, expect: str, channel: str = LOBBY, since: int = 0, timeout: float = 10) -> dict:
        """The bot's first line after SINCE that PERSON sees in CHANNEL ("dm": privately) with EXPECT."""
        c = self.clients[person]
        want = c.nick if channel == "dm" else channel

        def ok(m):
            return (m["nick"] == BOT and m["cmd"] in ("PRIVMSG", "NOTICE") and m["params"][0].lower() == want.lower()
                    and expect in m["params"][-1])
        try:
            return c.wait(ok, timeout, f"the bot saying {expect!r} in {channel}", since=since)[2]
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- dutybot log:\n{self.daemon.log_tail(30)}") from None

    def bot_lines(self, person: str, channel: str, since: int) -> list[tuple[float, str, dict]]:
        c = self.clients[person]
        with c.lock:
            return [x for x in c.lines[since:] if x[2]["nick"] == BOT and x[2]["cmd"] == "PRIVMSG"
                    and x[2]["params"][0] == channel]


class Basics(IrcCase):
    PEOPLE = ("mia", "mark")

    def test_ping_whoami_in_a_channel_and_privately(self):
        self.ask("mia", "!ping", "pong")
        self.ask("mia", "!whoami", "Mia Keller")
        self.ask("mia", "whoami", "Mia Keller", channel="dm")          # no prefix needed privately
        self.ask("mia", "!ping", "pong", channel="dm")

    def test_formatting_and_ctcp_are_stripped_or_ignored(self):
        self.ask("mia", "\x02!pi\x0304,12ng\x0f", "pong")               # bold and colour around a command
        c = self.clients["mia"]
        mark = c.mark()
        c.say(BOT, "\x01VERSION\x01")
        c.say(LOBBY, "\x01ACTION !ping\x01")
        c.say(BOT, "!ping")
        self.bot_line("mia", "pong", "dm", since=mark)
        time.sleep(0.5)
        with c.lock:
            said = [t for _, t, m in c.lines[mark:] if m["nick"] == BOT]
        self.assertEqual(len(said), 1, said)             # neither CTCP got an answer

    def test_a_stranger_is_a_chat_friend(self):
        self.connect_people("lina", source="127.0.0.5")
        # known by all of nick!ident@host: nobody staff can ever be that
        self.ask("lina", "!whoami", "a chat friend, seen as irc:nick:lina!lina@127.0.0.5")
        self.ask("lina", "!staff list", "is for", channel="dm")

    def test_a_nick_thief_gains_nothing(self):
        # mia leaves; someone from another host takes her nick and ident
        self.clients.pop("mia").close()
        time.sleep(0.5)
        self.connect_people("mia", source="127.0.0.9")
        line = self.ask("mia", "!whoami", "")
        self.assertNotIn("Mia Keller", line["params"][-1])
        self.assertIn("chat friend", line["params"][-1])
        self.assertIn("irc:nick:mia!mia@127.0.0.9", line["params"][-1])
        self.ask("mia", "!roster add tomorrow early sara", "is for")
        self.ask("mia", "!checkin", "is for")
        # what is asked of the real mia privately never reaches the thief at her nick
        mark = self.clients["mia"].mark()
        log = self.daemon.log_mark()
        self.ask("mark", "!roster add tomorrow early mark", "Roster updated")
        self.ask("mark", "!swap tomorrow early with mia", "Swap S-1 asked of mia")
        self.daemon.wait_log(r"cannot deliver to mask:mia!mia@127\.0\.0\.1: nobody online is that person",
                             since=log)
        time.sleep(0.5)
        self.assertEqual([t for _, t, m in self.clients["mia"].lines[mark:] if m["nick"] == BOT
                          and m["params"][0] == "mia"], [])

    def test_only_accounts_and_exact_hostmasks_are_linked_in_chat(self):
        for bad in ("irc:mia", "irc:mask:mia!*@127.0.0.1", "irc:nick:mia!*@127.0.0.1"):
            self.ask("mark", f"!staff link mia {bad}", f'"{bad}" cannot be linked in chat', channel="dm")
        self.ask("mark", "!staff link mia irc:account:mia", "", channel="dm")
        self.assertIn("irc:account:mia", self.redis.cmd("HGET", self.key("staff", "mia"), "identities") or "")
        # the friend at 127.0.0.5 made staff by their exact nick!user@host
        self.connect_people("lina", source="127.0.0.5")
        self.ask("mark", "!staff link mia irc:nick:lina!lina@127.0.0.5", "", channel="dm")
        self.ask("lina", "!whoami", "Mia Keller")

    def test_the_real_person_is_known_under_a_new_nick_only_by_a_mask_without_one(self):
        lemon = Client(self.ircd.client_port, "lemon", source="127.0.0.1")
        self.clients["lemon"] = lemon
        lemon.registered()
        lemon.join(LOBBY)
        time.sleep(0.3)
        self.ask("lemon", "!whoami", "Lemon Chen")
        lemon.send("NICK lemon_away")
        lemon.nick = "lemon_away"
        time.sleep(0.3)
        self.ask("lemon", "!whoami", "Lemon Chen")                    # "*!lemon@127.0.0.1"
        self.ask("lemon", "whoami", "Lemon Chen", channel="dm")       # answered at the new nick
        self.clients["mia"].send("NICK mia_away")
        self.clients["mia"].nick = "mia_away"
        time.sleep(0.3)
        self.assertIn("chat friend", self.ask("mia", "!whoami", "")["params"][-1])   # "mia!mia@..." no more

    def key(self, *parts: str) -> str:
        return "dutybot:{%s}:%s" % (self.config.site, ":".join(parts))


class Scenarios(IrcCase):
    def key(self, *parts: str) -> str:
        return "dutybot:{%s}:%s" % (self.config.site, ":".join(parts))

    def test_swap_approved(self):
        self.ask("mark", "!roster lead tomorrow early vera", "Roster updated")
        self.ask("mark", "!roster add tomorrow early mia", "Roster updated")
        self.ask("mia", "!swap tomorrow early with sara", "Swap S-1 asked of sara")
        self.bot_line("sara", "S-1", "dm")                         # asked privately
        self.ask("sara", "!swap accept S-1", "S-1 accepted; it now waits for a minister or above")
        self.bot_line("mark", "S-1 waits for a minister or above", CHANNELS["ops"])
        self.ask("mark", "!approve S-1", "S-1 approved")
        self.bot_line("mark", "Swap S-1 approved by Mark Novak", CHANNELS["ops"])
        self.bot_line("mia", "was approved by Mark Novak", "dm")
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-03", "early"), "agents"), "sara")
        self.assertEqual(self.redis.cmd("HGET", self.key("approval", "S-1"), "state"), "approved")

    def test_emergency_paged_and_acknowledged(self):
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mark", "!roster minister today early mark", "Roster updated")
        self.ask("mia", "!emergency the chat servers are down", "Emergency E-1 raised")
        # where it came from names the channel as IRC writes it ("##lobby" before)
        self.bot_line("vera", "EMERGENCY E-1 from Mia Keller [CCS] (irc #lobby): the chat servers", CHANNELS["alerts"])
        self.bot_line("vera", "EMERGENCY E-1", "dm")                # paged privately at her nick
        self.bot_line("mark", "EMERGENCY E-1", "dm", timeout=10)    # nobody acked in 2 s: the minister
        self.ask("mark", "!ack E-1", "E-1 acknowledged", channel="dm")
        self.bot_line("vera", "E-1 acknowledged by Mark Novak; the escalation stops.", CHANNELS["alerts"])
        self.assertEqual(self.redis.cmd("HGET", self.key("emergency", "E-1"), "acked_by"), "mark")

    def test_a_system_notice_is_a_notice_to_the_channel(self):
        self.ask("mark", f"!notify {LOBBY} [System] Maintenance tonight at 02:00 UTC.", "Send it with !notify confirm N-1")
        mark = self.clients["mia"].mark()
        self.ask("mark", "!notify confirm N-1", "N-1 sent to")
        notice = self.bot_line("mia", "[System] Maintenance tonight at 02:00 UTC.", LOBBY, since=mark)
        self.assertEqual(notice["cmd"], "NOTICE")
        # to every room: every channel the bot is in
        self.ask("mark", "!notify * [System] Everyone: new rules.", "Send it with !notify confirm N-2")
        mark = self.clients["mia"].mark()
        self.ask("mark", "!notify confirm N-2", "N-2 sent to")
        for channel in [LOBBY, *CHANNELS.values()]:
            self.assertEqual(self.bot_line("mia", "[System] Everyone: new rules.", channel, since=mark)["cmd"],
                             "NOTICE")

    def test_a_strangers_complaint_is_routed(self):
        self.connect_people("lina", source="127.0.0.5")
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mark", "!roster add today early mia", "Roster updated")
        self.ask("mia", "!checkin", "checked in")
        self.ask("lina", "!complain the music is too loud", "Your complaint C-1 was received", channel="dm")
        self.bot_line("mia", "Complaint C-1", "dm")
        self.assertEqual(self.redis.cmd("HGET", self.key("complaint", "C-1"), "agent"), "mia")
        user = self.redis.cmd("HGET", self.key("complaint", "C-1"), "friend") or ""
        self.assertNotIn("mask:", user)

    def test_a_long_reply_is_split_into_lines_none_lost(self):
        words = [f"wörd{i}-日本" for i in range(260)]          # multi-byte characters near every cut
        plan = " ".join(words)
        # longer than one IRC line can carry in: as set on another platform
        self.redis.cmd("SET", self.key("plan"), plan)
        c = self.clients["mark"]
        mark = c.mark()
        c.say(LOBBY, "!plan")
        got = c.wait(lambda m: m["nick"] == BOT and "wörd259-日本" in m["params"][-1], 30, "the plan's last word",
                     since=mark)
        lines = self.bot_lines("mark", LOBBY, mark)
        self.assertGreaterEqual(len(lines), 5)
        with c.lock:
            raws = [r for r in c.raw if r.startswith(b":" + BOT.encode() + b"!")]
        self.assertTrue(all(len(r) + 2 <= 512 for r in raws), max(len(r) for r in raws))
        said = " ".join(m["params"][-1] for _, _, m in lines).split()
        self.assertEqual(said[said.index("wörd0-日本"):], words)     # in order, none cut, none lost
        self.assertTrue(got)


class Shutdown(IrcCase):
    PEOPLE = ("mia",)

    def test_sigterm_sends_what_is_queued_then_quits(self):
        # the plan is more than the burst: most of it is still queued at the SIGTERM
        plan = " ".join(f"part{i:03d}" + "y" * 40 for i in range(80))     # nine lines: paced over seconds
        self.redis.cmd("SET", "dutybot:{%s}:plan" % self.config.site, plan)
        c = self.clients["mia"]
        mark = c.mark()
        c.say(LOBBY, "!plan")
        c.wait(lambda m: m["nick"] == BOT and "part000" in m["params"][-1], 10, "the plan's start", since=mark)
        self.daemon.proc.send_signal(signal.SIGTERM)
        quit_line = c.wait(lambda m: m["nick"] == BOT and m["cmd"] == "QUIT", 10, "the bot's QUIT", since=mark)
        self.assertIn("dutybot shutting down", quit_line[1])
        self.assertEqual(self.daemon.proc.wait(10), 0)
        # everything queued went out, paced, before the QUIT
        said = " ".join(m["params"][-1] for _, _, m in c.lines[mark:] if m["nick"] == BOT
                        and m["cmd"] == "PRIVMSG").split()
        self.assertEqual(said[said.index("part000" + "y" * 40):], plan.split())


class Keys(IrcCase):
    PEOPLE = ("mia",)
    CONN_EXTRA = 'channel_keys = ( "#ops s3cret" );'

    def before_daemon(self) -> None:
        # mia made #ops (its first member is its operator) and locks it with a key
        mark = self.clients["mia"].mark()
        self.clients["mia"].send("MODE #ops +k s3cret")
        self.clients["mia"].wait(lambda m: m["cmd"] == "MODE" and m["params"][:2] == ["#ops", "+k"], since=mark)

    def test_joins_a_keyed_channel_with_its_key(self):
        self.wait_bot_in(CHANNELS["ops"])
        self.ask("mia", "!ping", "pong", channel=CHANNELS["ops"])


class Accounts(IrcCase):
    """InspIRCd with a services server linked: SASL PLAIN for the bot, and
    people logged into accounts, which the account-tag carries."""
    SERVICES = {"accounts": {"lemonade": "lemon"}, "logins": {"dutybot": "bot-secret"}}
    IDENTITIES = {"lemon": ["irc:account:lemon"]}
    CONN_EXTRA = 'sasl_user = "dutybot"; sasl_password_file = "irc.sasl";'
    PEOPLE = ("mia",)

    def test_sasl_login_and_the_account_is_the_identity(self):
        self.daemon.wait_log(r"irc: logged in as dutybot")
        self.assertIn(("dutybot", True), self.services.sasl)
        self.assertIn("account-tag", self.daemon.wait_log(r"irc: capabilities: .*").group(0))
        # lemon, logged in as "lemon" under another nick and from another host, is Lemon
        self.connect_people("lemonade", source="127.0.0.7", ident="phone")
        self.ask("lemonade", "!whoami", "Lemon Chen")
        self.ask("lemonade", "whoami", "seen as irc:account:lemon", channel="dm")
        # the nick "lemon" without the account is nobody
        self.connect_people("lemon", source="127.0.0.8")
        self.assertIn("chat friend", self.ask("lemon", "!whoami", "You are")["params"][-1])


class Restart(IrcCase):
    PEOPLE = ("mia",)

    def test_inspircd_killed_and_restarted(self):
        self.ask("mia", "!ping", "pong")
        self.ircd.kill()
        self.clients.pop("mia").close()
        self.daemon.wait_log(r"state change READY -> BACKOFF", timeout=10)
        mark = self.daemon.log_mark()
        self.ircd.start()
        self.connect_people("mia")
        self.daemon.wait_log(r"state change \w+ -> READY", timeout=40, since=mark)
        self.wait_bot_in(LOBBY)
        self.ask("mia", "!ping", "pong")
        self.ask("mia", "whoami", "Mia Keller", channel="dm")


class Kick(IrcCase):
    PEOPLE = ("mia",)

    def test_rejoins_after_a_kick(self):
        # the first to join a channel is its operator: mia made #lobby
        c = self.clients["mia"]
        c.send(f"KICK {LOBBY} {BOT} :out")
        self.daemon.wait_log(r"kicked from #lobby by mia", timeout=10)
        self.daemon.wait_log(r"irc: joined #lobby", timeout=15, since=self.daemon.log_mark() - 200)
        time.sleep(7)
        self.ask("mia", "!ping", "pong")


class Pacing(IrcCase):
    """At the default max_send_rate: five lines at once, then one a second."""
    PEOPLE = ("mark",)

    def key(self, *parts: str) -> str:
        return "dutybot:{%s}:%s" % (self.config.site, ":".join(parts))

    def long_plan(self) -> list[tuple[float, str, dict]]:
        plan = " ".join(f"step{i:03d}" + "x" * 40 for i in range(80))     # about 4 KB: nine lines
        self.redis.cmd("SET", self.key("plan"), plan)
        c = self.clients["mark"]
        mark = c.mark()
        c.say(LOBBY, "!plan")
        c.wait(lambda m: m["nick"] == BOT and "step079" in m["params"][-1], 40, "the plan's end", since=mark)
        lines = self.bot_lines("mark", LOBBY, mark)
        self.assertGreaterEqual(len(lines), 9)
        said = " ".join(m["params"][-1] for _, _, m in lines).split()
        self.assertEqual(said[said.index("step000" + "x" * 40):], plan.split())
        return lines

    def test_a_burst_then_one_line_a_second(self):
        times = [t for t, _, _ in self.long_plan()]
        burst = 5
        self.assertLess(times[burst - 1] - times[0], 0.5, times)
        self.assertGreaterEqual(times[-1] - times[burst - 1], (len(times) - burst) * 0.8, times)


class Flood(Pacing):
    """Through InspIRCd's default flood limits (fakelag, threshold 10): never lagged off."""
    STRICT = True

    def test_a_burst_then_one_line_a_second(self):
        self.long_plan()
        self.assertNotIn("READY -> BACKOFF", self.daemon.log())
        self.ask("mark", "!ping", "pong", timeout=15)


if __name__ == "__main__":
    unittest.main()
