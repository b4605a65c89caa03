"""End-to-end, the seeds' department at the defaults: what the daemon puts
out.  The HTTP listener binds exactly its address and survives bad clients
(a bare TCP connect, half, garbage and very long requests, a slow client,
many connections at once); long replies arrive in pieces that end at line
ends; a page decided before an acknowledgement but still waiting in the
queue is not sent after "E-1 acknowledged"; a second start logs no warning
about the outbox's consumer group."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import time
import unittest

from harness import HOST, _binary, free_port
from platforms import DiscordWorld, PlatformCase, SlackWorld
from realday import RealDayE2E

# Monday 2026-03-02, 10:00 in Berlin: the early shift (06-14) runs
EARLY = "2026-03-02T09:00:00Z"
SITE_MAX_TEXT = 2000        # PROTOCOL-site.md: "text is at most 2000 characters"


def listeners(port: int) -> list[str]:
    """The addresses listening on TCP PORT, from /proc/net/tcp and tcp6
    ("127.0.0.1", "0.0.0.0", "::1", "::")."""
    out = []
    for path, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(path, encoding="ascii") as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            addr, p = fields[1].split(":")
            if fields[3] != "0A" or int(p, 16) != port:     # 0A: LISTEN
                continue
            raw = bytes.fromhex(addr)
            if v6:      # four host-order 32-bit words
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                out.append(socket.inet_ntop(socket.AF_INET6, raw))
            else:
                out.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
    return sorted(out)


def get(host: str, port: int, path: str, timeout: float = 5.0) -> tuple[int, str]:
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()


class HttpListener(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": EARLY}

    def answers(self, who: str = "mia", lang_pong: str = "pong") -> None:
        status, body = get(HOST, self.config.http_port, "/healthz")
        self.assertEqual(status, 200)
        self.assertIn('"status":"ok"', body)
        self.assertIn('"site":"ready"', body)
        self.ask(who, "!ping", lang_pong)
        self.assertTrue(self.daemon.running)

    def test_binds_only_its_address(self):
        self.assertEqual(listeners(self.config.http_port), ["127.0.0.1"])
        self.answers()
        self.assertRegex(self.daemon.log(), rf"http: /healthz and /metrics on 127\.0\.0\.1:{self.config.http_port}\n")

    def test_bad_clients_leave_it_answering(self):
        port = self.config.http_port
        # a port scanner / TCP health probe: connect and close, no request
        for _ in range(20):
            socket.create_connection((HOST, port), timeout=5).close()
        self.answers()
        # a half request, then gone
        with socket.create_connection((HOST, port), timeout=5) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        # garbage (a TLS hello on the plain port)
        with socket.create_connection((HOST, port), timeout=5) as s:
            s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200) + b"\r\n\r\n")
            s.recv(4096)
        # a request line of 20 KiB: refused or closed, nothing more
        with socket.create_connection((HOST, port), timeout=5) as s:
            s.sendall(b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                s.recv(4096)
            except ConnectionResetError:
                pass
        self.answers("tom", "pong")
        # a slow client, a byte at a time: the others are answered meanwhile,
        # and it is dropped after its time (5 s) instead of held forever
        slow = socket.create_connection((HOST, port), timeout=10)
        for b in b"GET /hea":
            slow.send(bytes([b]))
            time.sleep(0.1)
        self.answers()
        slow.settimeout(10)
        t0 = time.monotonic()
        try:
            self.assertEqual(slow.recv(4096), b"")      # closed by the daemon
        except ConnectionResetError:
            pass
        self.assertLess(time.monotonic() - t0, 9)
        slow.close()
        # many at once, some idle, some with a request, all open together
        socks = [socket.create_connection((HOST, port), timeout=5) for _ in range(60)]
        for s in socks[::2]:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        for s in socks[::2]:
            self.assertTrue(s.recv(64).startswith(b"HTTP/1.1 200"))
        self.answers("sara", "pong")
        # and more than lws's table of sockets (128) holds: the chat goes on
        socks += [socket.create_connection((HOST, port), timeout=5) for _ in range(150)]
        self.ask("vera", "!ping", "pong")
        for s in socks:
            s.close()
        self.answers()
        self.assertEqual(listeners(port), ["127.0.0.1"])


class HttpListenerIPv6(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": EARLY}

    def config_overrides(self) -> dict:
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
                s.bind(("::1", 0))
        except OSError:
            raise unittest.SkipTest("no IPv6 loopback here")
        self.v6_port = free_port()
        return dict(super().config_overrides(), http=f'{{ listen = "[::1]:{self.v6_port}"; }}')

    def test_binds_the_ipv6_loopback_only(self):
        self.assertEqual(listeners(self.v6_port), ["::1"])
        status, body = get("::1", self.v6_port, "/healthz")
        self.assertEqual(status, 200)
        with socket.create_connection(("::1", self.v6_port), timeout=5):
            pass
        self.ask("mia", "!ping", "pong")
        self.assertIn(f"http: /healthz and /metrics on [::1]:{self.v6_port}", self.daemon.log())


class HttpListenerRefused(RealDayE2E):
    """An address that cannot work is refused before the daemon runs; one
    that cannot be bound stops the start with a line naming the setting."""
    START_DAEMON = False

    def run_daemon(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([_binary("DUTYBOT_BIN"), *args, "-c", self.config.path],
                              capture_output=True, text=True, timeout=20)

    def rewrite_listen(self, value: str) -> None:
        self.rewrite_config(r'http = \{ listen = "[^"]*"; \};', f'http = {{ listen = "{value}"; }};')

    def test_a_host_name_is_refused(self):
        self.rewrite_listen("localhost:9462")
        r = self.run_daemon("--check-config")
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r'dutybot\.cfg:\d+: http\.listen: "localhost:9462": the host must be an '
                                   r'IP address \("127\.0\.0\.1:9462", "\[::1\]:9462"\), not a name')

    def test_a_port_in_use_stops_the_start(self):
        port = self.config.http_port
        with socket.socket() as busy:
            busy.bind((HOST, port))
            busy.listen()
            r = self.run_daemon()
        self.assertNotEqual(r.returncode, 0)
        out = r.stdout + r.stderr
        self.assertIn(f'http.listen: cannot listen on 127.0.0.1:{port} (see above); fix the setting or turn '
                      'the endpoint off with listen = ""', out)
        self.assertNotIn("AddressSanitizer", out)


class LongOutput(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": EARLY}

    def pieces(self, person: str, command: str, first: str, room: str = "lobby") -> list[str]:
        """PERSON runs COMMAND; the reply's pieces (the first starts with FIRST),
        until the bot says nothing more for a second."""
        self.site.skip()
        self.site.say(person, command, room=room)
        want = {"ev": "dm", "to": person} if room == "dm" else {"ev": "send", "room": room}
        got = [self.site.wait(dict(want, text=lambda t: t.startswith(first)))["text"]]
        while True:
            try:
                got.append(self.site.wait(want, timeout=1.5)["text"])
            except AssertionError:
                return got

    def assert_whole_lines(self, pieces: list[str], line_start: re.Pattern) -> None:
        """Every piece fits the site, and every line of every piece is a
        whole line of the reply (each line of this reply starts like
        LINE_START): no piece ends inside a line."""
        self.assertGreater(len(pieces), 1, "the reply was expected to need several pieces")
        for p in pieces:
            self.assertLessEqual(len(p), SITE_MAX_TEXT)
            self.assertEqual(p, p.strip())
        lines = "\n".join(pieces).split("\n")
        for line in lines[1:]:         # the first is the header
            self.assertRegex(line, line_start)

    def test_help_all_of_a_webmaster_in_german_arrives_in_whole_lines(self):
        self.ask("lemon", "!lang de", "Sprache auf de gestellt.")
        pieces = self.pieces("lemon", "!help all", "Befehle, die du als Webmaster verwenden darfst:\n!roster [date] — ")
        self.assert_whole_lines(pieces, re.compile(r"^!\w"))
        text = "\n".join(pieces)
        self.assertIn("!emergency", text)
        self.assertIn("!ack", text)
        # in English the same lines, also in pieces at line ends
        self.ask("lemon", "!lang en", "Language set to en.")
        en = self.pieces("lemon", "!help all", "Commands you may use as webmaster:")
        self.assert_whole_lines(en, re.compile(r"^!\w"))
        self.assertEqual(sum(p.count("\n") + 1 for p in en), sum(p.count("\n") + 1 for p in pieces))


class LongClick:
    """Discord and Slack: a click on a request or alert that fills the
    platform's limit edits it to show the outcome; the request is shortened
    (at a word, with an ellipsis, never inside a character), the outcome
    stays whole."""

    def test_the_outcome_of_a_click_survives_a_long_message(self):
        head = "EMERGENCY E-1 from Mia Keller [CCS] (%s #%s): " % (self.world.name, self.world.channels["lobby"])
        # long words (a command has at most 48), the alert 5 short of the limit
        word = "Überflutung-im-Serverraum-Nord-bitte-sofort-prüfen-und-melden-dann-den-Notfallplan-lesen"
        words = (word + " ") * 40
        text = words[:self.world.MAX_TEXT - len(head) - 5].strip()
        self.ask("mia", "!emergency " + text, "Emergency E-1 raised")
        alert = self.wait_post(head, channel="alerts")
        self.assertLessEqual(len(alert["text"]), self.world.MAX_TEXT)
        self.assertTrue(alert["text"].endswith(text[-20:]), "the alert was expected in one message")
        self.world.click("mark", alert, "ack")
        edited = self.wait_edited(alert, "E-1 acknowledged.")["text"]
        self.assertLessEqual(len(edited), self.world.MAX_TEXT)
        self.assertTrue(edited.endswith("\n> E-1 acknowledged."), edited[-80:])
        self.assertTrue(edited.startswith(head + "Überflutung-im-Serverraum"), edited[:120])
        before = edited[:-len("\n> E-1 acknowledged.")]
        self.assertTrue(before.endswith("…"), before[-40:])
        # cut at a word: what is left ends with a whole one
        self.assertTrue(before[:-1].endswith(" " + word), before[-80:])
        self.assertEqual(self.message_now(alert)["buttons"], [])


class LongClickDiscord(LongClick, PlatformCase):
    WORLD = DiscordWorld


class LongClickSlack(LongClick, PlatformCase):
    WORLD = SlackWorld

    def test_an_alert_full_of_ampersands_still_gets_through(self):
        # 2,854 characters, but 8,000 once Slack's "&amp;" is written: one
        # section block (3,000 at most) was refused, and the alert was lost
        word = "&".join(["R"] * 50)
        text = " ".join([word] * 28)
        self.ask("mia", "!emergency " + text, "Emergency E-1 raised")
        alert = self.wait_post("EMERGENCY E-1 from Mia Keller [CCS]", channel="alerts")
        self.assertTrue(alert["text"].endswith(text))
        sections = [b["text"]["text"] for b in alert["raw"]["blocks"] if b["type"] == "section"]
        self.assertGreater(len(sections), 1)
        self.assertTrue(all(len(t) <= 3000 for t in sections), [len(t) for t in sections])
        self.assertEqual(self.world._unescape(" ".join(sections)), alert["text"])
        self.assertEqual([c for _, c in alert["buttons"]], ["ack E-1"])
        self.world.click("mark", alert, "ack")
        edited = self.wait_edited(alert, "E-1 acknowledged.")
        self.assertTrue(edited["text"].endswith("\n> E-1 acknowledged."), edited["text"][-60:])
        (section,) = [b["text"]["text"] for b in edited["raw"]["blocks"] if b["type"] == "section"]
        self.assertLessEqual(len(section), 3000)


# the notice of her new slot Vera reads first (issue 20); every other private message to her is a page
ROSTER_NOTICE_HU = "Változtak a műszakjaid:\n"
PAGE_TO_VERA = {"ev": "dm", "to": "vera", "text": lambda t: not t.startswith(ROSTER_NOTICE_HU)}


class StalePage(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": EARLY}

    def outbox_msgs(self) -> list[str]:
        entries = self.redis.cmd("XRANGE", self.key("outbox"), "-", "+")
        return [dict(zip(f[::2], f[1::2])).get("msg") for _, f in entries]

    def test_a_page_waiting_in_the_queue_is_not_sent_after_the_ack(self):
        s = self.site
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mark", "!roster minister today early mark", "Roster updated")
        s.wait({"ev": "dm", "to": "vera", "text": ROSTER_NOTICE_HU})     # told when it changes
        s.skip()
        # the site refuses the next action for 6 s: everything queues behind it
        s.command("/ratelimit 1 6000")
        s.say("mia", "!emergency the chat servers are down")
        # the first escalation step fired: the page to the lead (vera) is decided
        deadline = time.monotonic() + 5
        while not {"MSG_EMERGENCY_PAGE", "MSG_EMERGENCY_PAGE_NO_PLAN"} & set(self.outbox_msgs()):
            self.assertLess(time.monotonic(), deadline, f"no page in the outbox: {self.outbox_msgs()}")
            time.sleep(0.05)
        self.assertEqual(s.all(PAGE_TO_VERA), [])
        s.say("mark", "!ack E-1")
        deadline = time.monotonic() + 5
        while self.redis.cmd("HGET", self.key("emergency", "E-1"), "acked_by") != "mark":
            self.assertLess(time.monotonic(), deadline, "the ack did not happen")
            time.sleep(0.05)
        # the queue flows again: the alert, the ack and its announcement, but no page
        s.wait_all({"ev": "send", "room": "lobby", "text": "Emergency E-1 raised"},
                   {"ev": "send", "room": "alerts",
                    "text": "EMERGENCY E-1 from Mia Keller [CCS] (site #lobby): the chat servers are down"},
                   {"ev": "send", "room": "lobby", "text": "E-1 acknowledged."},
                   {"ev": "send", "room": "alerts", "text": "E-1 acknowledged by Mark Novak; the escalation stops."},
                   timeout=20)
        s.expect_none(lambda e: e.get("ev") == "dm" and e.get("to") == "vera", within=2)
        self.assertEqual(s.all(PAGE_TO_VERA), [])
        self.assertEqual(s.all({"ev": "send", "room": "alerts", "text": "paging"}), [])
        # the page's entry was acked as done, like everything else
        deadline = time.monotonic() + 5
        while self.redis.cmd("XLEN", self.key("outbox")) != 0:
            self.assertLess(time.monotonic(), deadline, f"outbox not empty: {self.outbox_msgs()}")
            time.sleep(0.05)
        self.assertRegex(self.daemon.log(), r"deliver: E-1 was acknowledged or resolved meanwhile: "
                                            r"outbox entry \S+ is not sent")

    def test_a_page_without_an_ack_still_arrives(self):
        s = self.site
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        s.wait({"ev": "dm", "to": "vera", "text": ROSTER_NOTICE_HU})     # told when it changes
        s.skip()
        s.command("/ratelimit 1 1500")
        s.say("mia", "!emergency the chat servers are down")
        # vera reads Hungarian: her page arrives after the hold, whole
        page = s.wait({"ev": "dm", "to": "vera"}, timeout=15)
        self.assertEqual(page["text"], "VÉSZHELYZET E-1, jelezte: Mia Keller [CCS]: the chat servers are down\n"
                                       "Nyugtázd ezzel: !ack E-1.")
        s.wait({"ev": "send", "room": "alerts", "text": "E-1: paging the shift's lead, Vera Kovacs."},
               timeout=10)


class SecondStart(RealDayE2E):

    def test_no_warning_about_the_consumer_group(self):
        self.ask("mia", "!ping", "pong")
        self.assertEqual(self.daemon.stop(), 0)
        self.site.wait({"ev": "closed"})
        mark = self.daemon.log_mark()
        second = self.start_daemon()
        self.site.wait({"ev": "ready"}, timeout=20)
        self.ask("tom", "!ping", "pong")
        log = second.log()[mark:]
        self.assertIn("dutybot info", log)
        self.assertNotIn("BUSYGROUP", log)
        self.assertEqual([l for l in log.splitlines() if "warning" in l and "group" in l.lower()], [])
        groups = self.redis.cmd("XINFO", "GROUPS", self.key("outbox"))
        self.assertEqual(groups[0][1], "senders")


if __name__ == "__main__":
    unittest.main()
