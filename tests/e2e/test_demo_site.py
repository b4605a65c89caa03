"""The fake site itself: dutybot-demo-site against a small WebSocket client
written here with the standard library, so the e2e tests of dutybot can trust
what the site reports.  No dutybot and (apart from the harness's) no Redis use.
"""

import base64
import hashlib
import json
import os
import socket
import struct
import subprocess
import time
import unittest

from harness import E2E, HOST, write_config

PROTOCOL = "dutybot.site.v1"
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeRefused(Exception):
    def __init__(self, status, head):
        super().__init__(f"handshake refused: {status} {head[:200]!r}")
        self.status = status


class WSClosed(Exception):
    """The server closed: CODE/REASON from its close frame, or None (no close frame)."""

    def __init__(self, code, reason):
        super().__init__(f"closed: {code} {reason!r}")
        self.code = code
        self.reason = reason


class WS:
    """A minimal RFC 6455 client: masked frames, ping answered, close handled."""

    def __init__(self, port, path="/bot", protocols=(PROTOCOL,), timeout=5.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""
        self.closed = None
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\n")
        if protocols:
            req += "Sec-WebSocket-Protocol: " + ", ".join(protocols) + "\r\n"
        self.sock.sendall((req + "\r\n").encode())
        head = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in head:
            try:
                chunk = self.sock.recv(4096)
            except (ConnectionResetError, socket.timeout):
                chunk = b""
            if not chunk or time.monotonic() > deadline:
                self.sock.close()
                raise HandshakeRefused(None, head)
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        if status != 101:
            self.sock.close()
            raise HandshakeRefused(status, head)
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        assert self.headers.get("sec-websocket-accept") == want, self.headers
        if protocols:
            assert self.headers.get("sec-websocket-protocol") == PROTOCOL, self.headers

    # -- sending
    def send_frame(self, opcode, payload, fin=True):
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([(0x80 if fin else 0) | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send_text(self, text):
        self.send_frame(0x1, text.encode() if isinstance(text, str) else text)

    def send_json(self, obj):
        self.send_text(json.dumps(obj))

    def send_close(self, code=1000, reason=""):
        self.send_frame(0x8, struct.pack("!H", code) + reason.encode())

    # -- receiving
    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no frame in time")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = (None, None)
                raise WSClosed(None, None)
            self.buf += chunk

    def recv_frame(self, timeout=5.0):
        """(opcode, payload) of the next data frame; raises WSClosed on close/EOF."""
        if self.closed:
            raise WSClosed(*self.closed)
        deadline = time.monotonic() + timeout
        while True:
            self._fill(2, deadline)
            b0, b1 = self.buf[0], self.buf[1]
            assert not b1 & 0x80, "the server must not mask"
            n, off = b1 & 0x7F, 2
            if n == 126:
                self._fill(4, deadline)
                n, off = struct.unpack("!H", self.buf[2:4])[0], 4
            elif n == 127:
                self._fill(10, deadline)
                n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
            self._fill(off + n, deadline)
            payload, self.buf = self.buf[off:off + n], self.buf[off + n:]
            opcode = b0 & 0x0F
            if opcode == 0x9:
                self.send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                reason = payload[2:].decode()
                self.closed = (code, reason)
                try:
                    self.send_close(code or 1000)
                except OSError:
                    pass
                raise WSClosed(code, reason)
            assert b0 & 0x80, "the server does not fragment"
            return opcode, payload

    def recv(self, timeout=5.0):
        opcode, payload = self.recv_frame(timeout)
        assert opcode == 0x1, f"binary frame {payload[:100]!r}"
        return json.loads(payload)

    def recv_until(self, pred, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            msg = self.recv(max(0.01, deadline - time.monotonic()))
            if pred(msg):
                return msg

    def expect_close(self, timeout=5.0):
        """Read until the server closes; returns (code, reason), code None for no close frame."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.recv_frame(max(0.01, deadline - time.monotonic()))
        except WSClosed as e:
            return e.code, e.reason

    def expect_silence(self, within=0.7):
        try:
            frame = self.recv_frame(within)
        except socket.timeout:
            return
        raise AssertionError(f"unexpected frame {frame!r}")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class DemoSiteTest(E2E):
    START_DAEMON = False
    HEARTBEAT_MS = 1234

    def setUp(self):
        super().setUp()
        self.clients = []
        self.ref = 0

    def tearDown(self):
        for c in self.clients:
            c.close()
        super().tearDown()
        # Every scenario must end in a clean exit: 0, and nothing on stderr
        # (an ASan build reports leaks and errors there).
        if self.site.running:
            self.assertEqual(self.site.stop(), 0)
        self.assertEqual(self.site.stderr().strip(), "")

    # -- helpers
    def connect(self, **kw):
        ws = WS(self.site.port, **kw)
        self.clients.append(ws)
        return ws

    def identify(self, resume=None, token=None):
        ws = self.connect()
        hello = ws.recv()
        self.assertEqual(hello, {"type": "hello", "heartbeat_ms": 1234})
        msg = {"type": "identify", "token": token or self.config.token}
        if resume:
            msg["resume"] = resume
        ws.send_json(msg)
        return ws

    def ready(self):
        ws = self.identify()
        r = ws.recv()
        self.assertEqual(r["type"], "ready")
        self.assertFalse(r["resumed"])
        self.assertEqual(r["user"], {"id": "b1", "name": "dutybot"})
        self.site.wait({"ev": "ready", "session": r["session"], "resumed": False, "replayed": 0})
        ws.session = r["session"]
        return ws

    def next_ref(self):
        self.ref += 1
        return f"c{self.ref}"

    def act(self, ws, type_, **fields):
        ref = self.next_ref()
        ws.send_json({"type": type_, "ref": ref, **fields})
        return ref

    # -- handshake
    def test_subprotocol_required(self):
        with self.assertRaises(HandshakeRefused):
            self.connect(protocols=())
        self.site.wait({"ev": "refused", "why": lambda w: "subprotocol" in w})
        with self.assertRaises(HandshakeRefused):
            self.connect(protocols=("chat.v2",))
        self.site.wait({"ev": "refused"})
        with self.assertRaises(HandshakeRefused):
            self.connect(path="/other")
        self.site.wait({"ev": "refused", "why": lambda w: "path" in w})
        ws = self.connect(protocols=("chat.v2", PROTOCOL))
        self.assertEqual(ws.recv()["type"], "hello")
        self.site.wait({"ev": "connected"})

    def test_plain_http_is_404(self):
        s = socket.create_connection((HOST, self.site.port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIn(b" 404 ", s.recv(4096))
        s.close()

    def test_refuse(self):
        self.site.command("/refuse on")
        with self.assertRaises(HandshakeRefused):
            self.connect()
        self.site.wait({"ev": "refused", "why": lambda w: "refuse" in w})
        self.site.command("/refuse off")
        self.ready()

    # -- session
    def test_hello_identify_ready(self):
        ws = self.ready()
        self.assertEqual(ws.session, "s-1")
        self.assertEqual(self.site.all({"ev": "identify"}), [
            {"ev": "identify", "token_ok": True, "resume": None}])
        self.assertEqual(self.ready().session, "s-2")

    def test_bad_token_closes_4001(self):
        ws = self.identify(token="wrong")
        self.assertEqual(ws.expect_close()[0], 4001)
        self.site.wait({"ev": "identify", "token_ok": False})
        self.site.wait({"ev": "closed", "code": 4001})

    def test_tokens_command(self):
        self.site.command("/tokens new-one other")
        ws = self.identify()
        self.assertEqual(ws.expect_close()[0], 4001)
        ws = self.identify(token="other")
        self.assertEqual(ws.recv()["type"], "ready")

    def test_action_before_identify_closes_4000(self):
        ws = self.connect()
        ws.recv()
        ws.send_json({"type": "send", "ref": "c1", "room": "lobby", "text": "hi"})
        self.assertEqual(ws.expect_close()[0], 4000)
        self.site.wait({"ev": "bad_frame", "why": lambda w: "before identify" in w})

    def test_identify_twice_is_bad_request(self):
        ws = self.ready()
        ws.send_json({"type": "identify", "token": self.config.token})
        self.assertEqual(ws.recv()["code"], "bad_request")

    def test_resume_replays_missed_messages(self):
        ws = self.ready()
        self.site.say("mia", "seen")
        seen = ws.recv()
        self.assertEqual(seen["text"], "seen")
        ws.send_close(1001)
        self.assertEqual(ws.expect_close()[0], 1001)
        self.site.wait({"ev": "closed", "code": 1001, "by": "bot"})
        typed = [self.site.say("mia", f"while away {i}")["id"] for i in range(3)]
        typed.append(self.site.dm("anna", "private while away")["id"])
        ws = self.identify(resume={"session": ws.session, "last_id": seen["id"]})
        r = ws.recv()
        self.assertEqual((r["type"], r["session"], r["resumed"]), ("ready", "s-1", True))
        replay = [ws.recv() for _ in range(4)]
        self.assertEqual([m["id"] for m in replay], typed)
        self.assertEqual(replay[3]["dm"], True)
        self.assertNotIn("room", replay[3])
        self.site.wait({"ev": "ready", "session": "s-1", "resumed": True, "replayed": 4})
        ws.expect_silence()
        self.site.say("mia", "live again")
        self.assertEqual(ws.recv()["text"], "live again")

    def test_fresh_identify_replays_nothing(self):
        ws = self.ready()
        ws.close()
        self.site.wait({"ev": "closed", "code": None})
        self.site.say("mia", "nobody listening")
        ws = self.ready()
        ws.expect_silence()

    def test_expire_gives_invalid_session(self):
        ws = self.ready()
        ws.close()
        self.site.command("/expire")
        ws = self.identify(resume={"session": ws.session, "last_id": "m-0"})
        self.assertEqual(ws.recv(), {"type": "invalid_session"})
        self.assertEqual(ws.expect_close()[0], 4002)
        self.site.wait({"ev": "invalid_session"})
        self.assertEqual(self.ready().session, "s-2")

    def test_unknown_session_and_bad_resume(self):
        ws = self.identify(resume={"session": "s-99", "last_id": "m-1"})
        self.assertEqual(ws.recv(), {"type": "invalid_session"})
        ws = self.identify(resume={"session": 7})
        self.assertEqual(ws.expect_close()[0], 4000)

    # -- chat lines
    def test_typed_lines_arrive_as_messages(self):
        ws = self.ready()
        ev = self.site.say("mia", "hello there")
        m = ws.recv()
        self.assertEqual(m["type"], "message")
        self.assertEqual(m["id"], ev["id"])
        self.assertEqual(m["room"], "lobby")
        self.assertEqual(m["user"], {"id": "u3", "name": "Mia Keller", "bot": False})
        self.assertEqual(m["text"], "hello there")
        self.assertIs(m["dm"], False)
        self.assertIsInstance(m["ts"], int)
        self.assertLess(abs(m["ts"] / 1000 - time.time()), 60)

        self.site.type("Anna@ops> !complain too loud")
        m = ws.recv()
        self.assertEqual((m["room"], m["user"]["id"], m["user"]["name"]), ("ops", "f-anna", "Anna"))
        self.site.wait({"ev": "message", "user": "anna", "uid": "f-anna", "room": "ops"})

        self.site.dm("lemon", "psst")
        m = ws.recv()
        self.assertIs(m["dm"], True)
        self.assertNotIn("room", m)
        self.assertEqual(m["user"]["id"], "u1")

        self.site.type("/bot ci build green")
        m = ws.recv()
        self.assertEqual(m["user"], {"id": "bot-ci", "name": "ci", "bot": True})
        self.site.type("/self I am the bot")
        m = ws.recv()
        self.assertEqual(m["user"], {"id": "b1", "name": "dutybot", "bot": True})

        ids = [int(x["id"][2:]) for x in self.site.all({"ev": "message"})]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(set(ids)), len(ids))

    def test_person_command(self):
        ws = self.ready()
        self.site.person("nina", "u9", "Nina Horvath")
        self.site.say("nina", "hi")
        self.assertEqual(ws.recv()["user"], {"id": "u9", "name": "Nina Horvath", "bot": False})
        ref = self.act(ws, "dm", user="u9", text="welcome")
        self.assertEqual(ws.recv()["ref"], ref)
        self.site.wait({"ev": "dm", "to": "nina", "uid": "u9"})
        self.site.type("/person zed u3")              # u3 is Mia's
        self.assertIn("someone else", self.site.wait({"ev": "error"})["why"])

    def test_bad_lines_and_unknown_commands(self):
        for line in ("no arrow here", "bad name!> x", "mia> ", "/nope", "/close", "/close 99",
                     "/acks maybe", "/ratelimit x"):
            self.site.type(line)
            self.site.wait({"ev": "error"})
        self.site.say("mia", "still alive")

    # -- actions
    def test_actions_are_acked_and_reported(self):
        ws = self.ready()
        r1 = self.act(ws, "send", room="lobby", text="pong")
        a1 = ws.recv()
        self.assertEqual(a1["type"], "ack")
        self.assertEqual(a1["ref"], r1)
        self.site.wait({"ev": "send", "ref": r1, "room": "lobby", "text": "pong"})
        r2 = self.act(ws, "dm", user="u3", text="Your complaint C-1 was received.")
        a2 = ws.recv()
        self.assertEqual(a2["ref"], r2)
        self.site.wait({"ev": "dm", "ref": r2, "to": "mia", "uid": "u3", "text": "C-1"})
        r3 = self.act(ws, "system", room="*", text="[System] Maintenance at 02:00.")
        a3 = ws.recv()
        self.assertEqual(a3["ref"], r3)
        self.site.wait({"ev": "system", "ref": r3, "room": "*"})
        ids = [int(a["id"][2:]) for a in (a1, a2, a3)]
        self.assertEqual(ids, sorted(ids))
        self.site.say("mia", "after")
        self.assertGreater(int(ws.recv()["id"][2:]), ids[-1])

    def test_action_errors(self):
        ws = self.ready()
        cases = [
            ({"type": "send", "ref": "e1", "room": "lobby"}, "bad_request"),
            ({"type": "send", "ref": "e2", "room": "lobby", "text": 5}, "bad_request"),
            ({"type": "send", "ref": "e3", "room": "lobby", "text": ""}, "bad_request"),
            ({"type": "send", "ref": "e4", "text": "x"}, "bad_request"),
            ({"type": "send", "ref": "e5", "room": "*", "text": "x"}, "no_such_room"),
            ({"type": "dm", "ref": "e6", "user": "u99", "text": "x"}, "no_such_user"),
            ({"type": "dm", "ref": "e7", "user": 3, "text": "x"}, "bad_request"),
            ({"type": "send", "ref": "e8", "room": "lobby", "text": "x" * 2001}, "too_long"),
            ({"type": "fly", "ref": "e9"}, "bad_request"),
        ]
        for msg, code in cases:
            ws.send_json(msg)
            err = ws.recv()
            self.assertEqual((err["type"], err["ref"], err["code"]), ("error", msg["ref"], code),
                             msg)
            self.assertIsInstance(err["message"], str)
            self.site.wait({"ev": "action_error", "ref": msg["ref"], "code": code})
        # 2000 characters of two bytes each are fine: characters, not bytes.
        ref = self.act(ws, "send", room="lobby", text="é" * 2000)
        ack = ws.recv()
        self.assertEqual((ack["type"], ack["ref"]), ("ack", ref))
        self.site.wait({"ev": "send", "ref": ref, "id": ack["id"]})

    def test_malformed_frames(self):
        ws = self.ready()
        for frame, why in ((b"not json", "not JSON"), (b"[1,2]", "object"),
                           (b'{"ref":"x1"}', "type"), (b"\xff\xfe", "UTF-8"),
                           (b'{"type":"send"} trailing', "not JSON")):
            ws.send_text(frame)
            err = ws.recv()
            self.assertEqual(err["type"], "error")
            self.assertEqual(err["code"], "bad_request")
            ev = self.site.wait(lambda e: e["ev"] in ("bad_frame", "action_error"))
            self.assertIn(why, ev["why"])
        ws.send_frame(0x2, b"\x00\x01")
        self.assertEqual(ws.recv()["code"], "bad_request")
        self.site.wait({"ev": "bad_frame", "why": lambda w: "binary" in w})

    def test_frame_over_64k_is_refused(self):
        ws = self.ready()
        ws.send_json({"type": "send", "ref": "ok", "room": "lobby", "text": "x" * 1000})
        self.assertEqual(ws.recv()["type"], "ack")
        ws.send_text(json.dumps({"type": "send", "ref": "big", "room": "lobby",
                                 "text": "x" * 70000}))
        self.assertEqual(ws.expect_close()[0], 1009)
        self.site.wait({"ev": "bad_frame", "why": lambda w: "64 KiB" in w})

    def test_rate_limited_after_max_rate(self):
        ws = self.ready()
        refs = [self.act(ws, "send", room="lobby", text=f"n{i}") for i in range(21)]
        answers = [ws.recv() for _ in refs]
        self.assertEqual([a["type"] for a in answers[:20]], ["ack"] * 20)
        last = answers[20]
        self.assertEqual((last["type"], last["ref"], last["code"]), ("error", refs[20], "rate_limited"))
        self.assertGreaterEqual(last["retry_ms"], 1)
        self.assertLessEqual(last["retry_ms"], 1000)
        self.site.wait({"ev": "rate_limited", "ref": refs[20]})
        time.sleep(last["retry_ms"] / 1000 + 0.05)
        ref = self.act(ws, "send", room="lobby", text="again")
        self.assertEqual(ws.recv()["ref"], ref)

    def test_ratelimit_command(self):
        ws = self.ready()
        self.site.command("/ratelimit 2 700")
        for _ in range(2):
            ref = self.act(ws, "dm", user="u3", text="x")
            self.assertEqual(ws.recv(), {"type": "error", "ref": ref, "code": "rate_limited",
                                         "retry_ms": 700})
        ref = self.act(ws, "dm", user="u3", text="x")
        self.assertEqual(ws.recv()["type"], "ack")
        self.site.command("/ratelimit 1")
        self.act(ws, "send", room="lobby", text="x")
        self.assertEqual(ws.recv()["retry_ms"], 500)

    # -- heartbeats
    def test_heartbeat_ack_and_acks_off(self):
        ws = self.ready()
        ws.send_json({"type": "heartbeat", "last_id": "m-7"})
        self.assertEqual(ws.recv(), {"type": "heartbeat_ack"})
        self.site.wait({"ev": "heartbeat", "last_id": "m-7"})
        ws.send_json({"type": "heartbeat", "last_id": None})
        self.assertEqual(ws.recv(), {"type": "heartbeat_ack"})
        self.site.command("/acks off")
        ws.send_json({"type": "heartbeat", "last_id": "m-7"})
        ws.expect_silence(1.0)
        self.site.wait({"ev": "heartbeat", "acked": False})
        self.site.command("/acks on")
        ws.send_json({"type": "heartbeat"})
        self.assertEqual(ws.recv(), {"type": "heartbeat_ack"})

    # -- misbehaviour
    def test_close_with_code_and_reason(self):
        ws = self.ready()
        self.site.say("mia", "before the close")
        self.site.command("/close 4008 1500")
        self.assertEqual(ws.recv()["text"], "before the close")
        self.assertEqual(ws.expect_close(), (4008, "1500"))
        self.site.wait({"ev": "closed", "code": 4008, "by": "site"})

    def test_drop_sends_no_close_frame(self):
        ws = self.ready()
        self.site.command("/drop")
        self.assertEqual(ws.expect_close(), (None, None))
        self.site.wait({"ev": "closed", "code": None})

    def test_commands_need_a_bot(self):
        for line in ("/drop", "/close 1000", "/reconnect", "/raw {}", "/dup", "/big 1"):
            self.site.type(line)
            self.site.wait({"ev": "error"})

    def test_reconnect_raw_big_dup(self):
        ws = self.ready()
        self.site.command("/reconnect")
        self.assertEqual(ws.recv(), {"type": "reconnect"})
        self.site.command('/raw {"type":"message","id":"broken"')
        self.assertEqual(ws.recv_frame(), (0x1, b'{"type":"message","id":"broken"'))
        self.site.command("/big 65")
        opcode, payload = ws.recv_frame()
        self.assertEqual(len(payload), 65 * 1024)
        big = json.loads(payload)
        self.assertTrue(big["text"].startswith("!ping "))
        self.assertEqual(big["text"].strip(), "!ping")
        self.site.say("mia", "once")
        first = ws.recv()
        self.site.command("/dup")
        self.assertEqual(ws.recv(), first)
        self.site.wait({"ev": "dup", "id": first["id"]})

    # -- volume and life
    def test_burst_of_lines(self):
        ws = self.ready()
        n = 10000
        lines = "".join(f"mia> burst {i}\n" for i in range(n)).encode()
        self.site.proc.stdin.write(lines)
        self.site.proc.stdin.flush()
        last = None
        for i in range(n):
            m = ws.recv(timeout=30)
            self.assertEqual(m["text"], f"burst {i}")
            if last:
                self.assertEqual(int(m["id"][2:]), int(last["id"][2:]) + 1)
            last = m
        self.site.wait({"ev": "message", "text": f"burst {n - 1}"}, timeout=30)
        ws.send_json({"type": "heartbeat", "last_id": last["id"]})
        self.assertEqual(ws.recv(), {"type": "heartbeat_ack"})

    def test_history_keeps_the_newest_10000(self):
        ws = self.ready()
        ws.close()
        self.site.wait({"ev": "closed"})
        n = 10005
        self.site.proc.stdin.write("".join(f"tom> h{i}\n" for i in range(n)).encode())
        self.site.proc.stdin.flush()
        self.site.wait({"ev": "message", "text": f"h{n - 1}"}, timeout=30)
        ws = self.identify(resume={"session": ws.session, "last_id": "m-0"})
        self.assertTrue(ws.recv()["resumed"])
        first = ws.recv(timeout=10)
        self.assertEqual(first["text"], "h5")
        self.site.wait({"ev": "ready", "replayed": 10000}, timeout=30)

    def test_end_of_input_quits_in_machine_mode(self):
        ws = self.ready()
        self.site.proc.stdin.close()            # the driving test is gone
        self.assertEqual(ws.expect_close()[0], 1001)
        self.assertEqual(self.site.proc.wait(10), 0)
        self.site.wait({"ev": "eof"})

    def test_quit_and_sigterm_exit_cleanly(self):
        ws = self.ready()
        self.site.proc.send_signal(15)
        self.assertEqual(ws.expect_close()[0], 1001)
        self.assertEqual(self.site.proc.wait(10), 0)
        self.assertEqual(self.site.stderr().strip(), "")


class HarnessRedisTest(unittest.TestCase):
    """The harness's own pieces that the other e2e tests lean on."""

    def test_resp_client_and_restart(self):
        import tempfile
        from harness import Redis, RedisError
        with tempfile.TemporaryDirectory() as tmp:
            r = Redis(tmp)
            try:
                self.assertEqual(r.cmd("SET", "k", "välue"), "OK")
                self.assertEqual(r.cmd("GET", "k"), "välue")
                self.assertIsNone(r.cmd("GET", "missing"))
                self.assertEqual(r.cmd("RPUSH", "l", 1, 2, b"\xff"), 3)
                self.assertEqual(r.cmd("LRANGE", "l", 0, -1), ["1", "2", b"\xff"])
                with self.assertRaises(RedisError):
                    r.cmd("INCR", "k")
                self.assertEqual(r.cmd("MULTI"), "OK")
                r.cmd("INCR", "k")
                r.cmd("INCR", "n")
                res = r.cmd("EXEC")
                self.assertIsInstance(res[0], RedisError)
                self.assertEqual(res[1], 1)
                self.assertEqual(r.keys(), ["k", "l", "n"])
                port = r.port
                r.stop()
                self.assertFalse(r.running)
                r.start()
                self.assertEqual(r.port, port)
                self.assertEqual(r.cmd("DBSIZE"), 0)      # nothing saved
            finally:
                r.stop()


class HumanModeTest(unittest.TestCase):
    """Without --machine: the banner and chat lines for a person."""

    def test_banner_and_chat_lines(self):
        import tempfile
        from harness import _binary, free_port
        binary = _binary("DEMO_SITE_BIN")
        with tempfile.TemporaryDirectory() as tmp:
            cfg = write_config(os.path.join(tmp, "d.cfg"), redis_port=free_port())
            proc = subprocess.Popen([binary, "-c", cfg.path], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                banner = b""
                while b"/quit" not in banner:
                    banner += proc.stdout.readline()
                self.assertIn(b"mia> !ping", banner)
                self.assertIn(b"Mia Keller", banner)
                ws = WS(cfg.site_port)
                ws.recv()
                ws.send_json({"type": "identify", "token": cfg.token})
                ws.recv()
                ws.send_json({"type": "send", "ref": "c1", "room": "lobby",
                              "text": "line one\nline two"})
                ws.recv()
                ws.send_json({"type": "dm", "ref": "c2", "user": "u3", "text": "hi"})
                ws.recv()
                ws.send_json({"type": "system", "ref": "c3", "room": "ops", "text": "notice"})
                ws.recv()
                proc.stdin.write(b"/quit\n")
                proc.stdin.flush()
                out, err = proc.communicate(timeout=10)
                text = out.decode()
                self.assertIn("[lobby] dutybot: line one\n" + " " * 17 + "line two\n", text)
                self.assertIn("[dm → Mia Keller] dutybot: hi\n", text)
                self.assertIn("[system ops] notice\n", text)
                self.assertIn("* session s-1 ready", text)
                self.assertEqual(proc.returncode, 0)
                ws.close()
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()

    def test_banner_tells_what_to_do_and_help_leads_with_chatting(self):
        """run-demo.sh starts dutybot itself (--bot-running): the banner does
        not ask to start it; /help begins with how to chat as someone."""
        import tempfile
        from harness import _binary, free_port
        binary = _binary("DEMO_SITE_BIN")
        with tempfile.TemporaryDirectory() as tmp:
            cfg = write_config(os.path.join(tmp, "d.cfg"), redis_port=free_port())
            for extra, start_line in (([], True), (["--bot-running"], False)):
                proc = subprocess.run([binary, "-c", cfg.path, *extra], input=b"/help\n/quit\n",
                                      capture_output=True, timeout=20)
                out = proc.stdout.decode()
                self.assertEqual("Start dutybot with the same config" in out, start_line, out)
                self.assertEqual("dutybot is running on the same config" in out, not start_line, out)
                help_ = out[out.index("Chat as anyone:"):]
                self.assertLess(help_.index("NAME> TEXT"), help_.index("/acks on|off"))
                self.assertLess(help_.index("NAME@dm> TEXT"), help_.index("Site commands"))
        with open(os.path.join(os.path.dirname(__file__), "..", "demo-site", "run-demo.sh")) as f:
            self.assertIn("--bot-running", f.read())


if __name__ == "__main__":
    unittest.main()
