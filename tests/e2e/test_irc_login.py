"""End-to-end on IRC, what the real InspIRCd of test_irc.py cannot show
without services: SASL PLAIN, the account-tag, the server password and the
nick-in-use fallback, against a small IRC-over-WebSocket server written here
from the IRCv3 documents (capability negotiation 302 with a list over two
lines, sasl-3.1, account-tag).  It records every line dutybot sends and the
handshake's headers."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import tempfile
import threading
import time
import unittest

from aiohttp import web, WSMsgType

from harness import Daemon, Redis, STAFF, quote, stop_clean, write_config
from harness_proc import HOST, _wait_until, free_port

ENGLISH_STAFF = [{k: v for k, v in p.items() if k not in ("lang", "uid")} for p in STAFF]


class FakeIrcd:
    """One IRC server over WebSocket (subprotocol text.ircv3.net)."""

    def __init__(self, password: str | None = None, sasl: tuple[str, str] | None = None,
                 taken: tuple[str, ...] = (), deaf: bool = False):
        self.port = free_port()
        self.deaf = deaf            # a link that died silently: PINGs go unanswered
        self.password, self.sasl, self.taken = password, sasl, set(taken)
        self.received: list[str] = []
        self.headers: list[dict] = []
        self.sockets: list[web.WebSocketResponse] = []
        self.nick = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._ws)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, HOST, self.port).start())
        self.ready.set()
        self.loop.run_forever()

    def start(self) -> None:
        self.thread.start()
        self.ready.wait(10)

    def stop(self) -> None:
        async def down():
            for ws in self.sockets:
                await ws.close()
            await self.runner.cleanup()
        asyncio.run_coroutine_threadsafe(down(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    @property
    def url(self) -> str:
        return f"ws://{HOST}:{self.port}/"

    def send(self, line: str) -> None:
        """A line to dutybot on its newest socket."""
        ws = self.sockets[-1]
        asyncio.run_coroutine_threadsafe(ws.send_str(line), self.loop).result(5)

    def wait_line(self, pred, timeout: float = 10, what: str = "a line") -> str:
        return _wait_until(lambda: next((l for l in self.received if pred(l)), None), timeout,
                           f"{what} from dutybot; got {self.received[-10:]}")

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        self.headers.append(dict(request.headers, path=request.path))
        ws = web.WebSocketResponse(protocols=("text.ircv3.net",))
        await ws.prepare(request)
        self.sockets.append(ws)
        st = {"pass": None, "nick": None, "user": False, "capend": False, "welcomed": False}

        async def out(line: str) -> None:
            await ws.send_str(line)

        async def maybe_welcome() -> None:
            if st["welcomed"] or not st["nick"] or not st["user"] or not st["capend"]:
                return
            if self.password is not None and st["pass"] != self.password:
                await out(":fake.irc 464 * :Password incorrect")
                await out("ERROR :Closing link: bad password")
                await ws.close()
                return
            st["welcomed"] = True
            self.nick = st["nick"]
            await out(f":fake.irc 001 {st['nick']} :Welcome to the fake network {st['nick']}!dutybot@bot.host")

        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            line = msg.data
            self.received.append(line)
            if "\r" in line or "\n" in line:
                await out("ERROR :a raw line break in a frame")
                continue
            words = line.split(" ")
            cmd, args = words[0], words[1:]
            if cmd == "PASS":
                st["pass"] = line.split(" :", 1)[1] if " :" in line else args[0]
            elif cmd == "CAP" and args[:1] == ["LS"]:
                # 302: the list over two lines, the first marked "*"
                await out(":fake.irc CAP * LS * :account-tag message-tags multi-prefix")
                await out(":fake.irc CAP * LS :server-time sasl=PLAIN,EXTERNAL echo-message")
            elif cmd == "CAP" and args[:1] == ["REQ"]:
                await out(f":fake.irc CAP * ACK :{line.split(' :', 1)[1]}")
            elif cmd == "CAP" and args[:1] == ["END"]:
                st["capend"] = True
                await maybe_welcome()
            elif cmd == "AUTHENTICATE" and args == ["PLAIN"]:
                await out("AUTHENTICATE +")
            elif cmd == "AUTHENTICATE":
                raw = base64.b64decode(args[0]).split(b"\0")
                if self.sasl and raw == [self.sasl[0].encode(), self.sasl[0].encode(), self.sasl[1].encode()]:
                    await out(f":fake.irc 900 * * {self.sasl[0]} :You are now logged in as {self.sasl[0]}")
                    await out(":fake.irc 903 * :SASL authentication successful")
                else:
                    await out(":fake.irc 904 * :SASL authentication failed")
            elif cmd == "NICK":
                if args[0] in self.taken:
                    await out(f":fake.irc 433 * {args[0]} :Nickname is already in use")
                else:
                    st["nick"] = args[0]
                    await maybe_welcome()
            elif cmd == "USER":
                st["user"] = True
                await maybe_welcome()
            elif cmd == "JOIN":
                await out(f":{st['nick']}!dutybot@bot.host JOIN {args[0]}")
            elif cmd == "WHO":
                await out(f":fake.irc 315 {st['nick']} {args[0]} :End of /WHO list.")
            elif cmd == "PING" and not (self.deaf and len(self.sockets) == 1):
                await out(f":fake.irc PONG fake.irc :{line.split(' :', 1)[-1]}")
        return ws


class LoginCase(unittest.TestCase):
    FAKE: dict = {}
    CONN = ""

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="dutybot-e2e-irc-")
        if not os.environ.get("DUTYBOT_E2E_KEEP"):
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.redis = Redis(self.tmp)
        self.addCleanup(self.redis.stop)
        self.fake = FakeIrcd(**self.FAKE)
        self.fake.start()
        self.addCleanup(self.fake.stop)
        for name, text in (("irc.pass", "server-pw\n"), ("irc.sasl", "sasl-pw\n")):
            with open(os.path.join(self.tmp, name), "w") as f:
                f.write(text)
            os.chmod(os.path.join(self.tmp, name), 0o600)
        ids = {"lemon": ["irc:account:lemon"], "mia": ["irc:mask:mia!mia@staff.example.org"]}
        staff = [dict(p, identities=ids.get(p["id"], [])) for p in ENGLISH_STAFF]
        conn = (f'( {{ name = "irc"; type = "irc"; url = {quote(self.fake.url)}; nick = "dutybot";'
                f' channels = {{ ops = "#ops"; }}; join = ( "#lobby" ); {self.CONN} }} )')
        self.config = write_config(os.path.join(self.tmp, "dutybot.cfg"), redis_port=self.redis.port,
                                   connection="irc", staff=staff, connections=conn)
        self.daemon = Daemon(self.config, log_path=os.path.join(self.tmp, "dutybot.log"))
        self.addCleanup(stop_clean, self.daemon)

    def bot_says(self, expect: str, since: int, timeout: float = 10) -> str:
        def find():
            for line in self.fake.received[since:]:
                if line.startswith("PRIVMSG ") and expect in line:
                    return line
            return None
        try:
            return _wait_until(find, timeout, f"the bot saying {expect!r}")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.fake.received[since:]}\n{self.daemon.log_tail(30)}") from None


class Login(LoginCase):
    FAKE = {"password": "server-pw", "sasl": ("dutybot", "sasl-pw"), "taken": ("dutybot",)}
    CONN = 'password_file = "irc.pass"; sasl_user = "dutybot"; sasl_password_file = "irc.sasl";'

    def test_pass_cap_sasl_nick_fallback_then_account_tag(self):
        self.daemon.wait_log(r"state change \w+ -> READY", timeout=20)
        got = self.fake.received
        self.assertEqual(got[0], "PASS :server-pw")             # before anything else
        self.assertIn("CAP LS 302", got)
        # what was offered over both lines of the list, and only that
        req = next(l for l in got if l.startswith("CAP REQ"))
        self.assertEqual(set(req.split(" :", 1)[1].split()), {"account-tag", "message-tags", "server-time", "sasl"})
        self.assertIn("AUTHENTICATE PLAIN", got)
        self.assertIn("CAP END", got)
        self.assertLess(got.index("AUTHENTICATE PLAIN"), got.index("CAP END"))
        self.assertEqual(self.fake.nick, "dutybot_")           # "dutybot" was taken
        self.daemon.wait_log(r"logged in as dutybot")
        self.daemon.wait_log(r"nick dutybot is taken: using dutybot_")
        hdr = self.fake.headers[0]
        self.assertIn("text.ircv3.net", hdr.get("Sec-WebSocket-Protocol", ""))
        self.assertTrue(hdr.get("Origin"), hdr)
        self.assertEqual(hdr["path"], "/", hdr)
        self.fake.wait_line(lambda l: l == "JOIN #lobby", what="JOIN #lobby")
        # the account is the identity, from any nick and host
        mark = len(self.fake.received)
        self.fake.send("@account=lemon;time=2026-03-02T09:00:00.000Z :lem0n!x@elsewhere.example PRIVMSG #lobby :!whoami")
        self.assertIn("Lemon Chen", self.bot_says("You are", mark))
        # the same nick without the tag (logged out) is nobody
        mark = len(self.fake.received)
        self.fake.send(":lem0n!x@elsewhere.example PRIVMSG #lobby :!whoami")
        self.assertIn("irc:nick:lem0n!x@elsewhere.example", self.bot_says("chat friend", mark))
        # someone logged in to an account no staff identity names is a chat friend known by it
        mark = len(self.fake.received)
        self.fake.send("@account=lina :lina!l@h PRIVMSG dutybot_ :whoami")
        line = self.bot_says("chat friend", mark)
        self.assertTrue(line.startswith("PRIVMSG lina :"), line)
        self.assertIn("irc:account:lina", line)
        # a private answer goes to the nick the account was last seen with
        mark = len(self.fake.received)
        self.fake.send("@account=lemon :lemon_phone!y@mobile.example PRIVMSG dutybot_ :whoami")
        self.assertTrue(self.bot_says("Lemon Chen", mark).startswith("PRIVMSG lemon_phone :"))
        # nothing raw: every frame one line
        self.assertFalse([l for l in self.fake.received if "\r" in l or "\n" in l])


class BadSasl(LoginCase):
    FAKE = {"sasl": ("dutybot", "other")}
    CONN = 'sasl_user = "dutybot"; sasl_password_file = "irc.sasl";'

    def test_a_refused_sasl_login_goes_on_without(self):
        self.daemon.wait_log(r"SASL login as dutybot refused", timeout=20)
        self.daemon.wait_log(r"state change \w+ -> READY", timeout=10)


class BadPassword(LoginCase):
    FAKE = {"password": "the-real-one"}
    CONN = 'password_file = "irc.pass";'

    def test_a_refused_server_password_is_not_retried(self):
        self.daemon.wait_log(r"-> FATAL, reason: 464", timeout=20)
        time.sleep(3)
        self.assertEqual(len(self.fake.headers), 1)


class Lag(LoginCase):
    FAKE = {"deaf": True}

    def test_no_pong_in_time_reconnects(self):
        self.daemon.wait_log(r"state change \w+ -> READY", timeout=20)
        t0 = time.monotonic()
        # quiet for 15 s: a PING at the next 30 s tick; unanswered by the one after, the link is dead
        self.fake.wait_line(lambda l: l.startswith("PING "), timeout=40, what="our own PING")
        self.daemon.wait_log(r"no PONG within 30 s: the connection is dead", timeout=40)
        self.daemon.wait_log(r"READY -> BACKOFF, reason: connection closed \(no PONG in time\)")
        self.assertGreater(time.monotonic() - t0, 25)
        _wait_until(lambda: len(self.fake.headers) >= 2, 10, "a new socket")
        self.daemon.wait_log(r"state change \w+ -> READY", timeout=20,
                             since=self.daemon.log().index("no PONG within"))


if __name__ == "__main__":
    unittest.main()
