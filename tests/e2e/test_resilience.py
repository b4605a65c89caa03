"""End-to-end: the site misbehaves and Redis goes away; the daemon survives,
says what is wrong, recovers by itself, and answers every command exactly once."""

import base64
import hashlib
import json
import os
import signal
import socket
import threading
import time
import unittest
import urllib.request

from harness import E2E


def http_get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return r.status, r.read().decode()


class BadFrames(E2E):

    def test_garbage_does_not_hurt_and_answers_stay_right(self):
        for raw in ["this is not json", "{}", "[1,2,3]", '{"type":42}', '{"type":"message"}',
                    '{"type":"message","id":5,"user":"x","text":1}',
                    '{"type":"message","id":"m-900","user":{"id":"u3"},"text":"!ping","dm":"yes"}',
                    '{"type":"message","id":"m-901","user":{"name":"x"},"room":"lobby","text":"!ping"}',
                    '{"type":"message","id":"m-902","user":{"id":"u3"},"text":"!ping"}',
                    '{"type":"ack","ref":"zzz"}', '{"type":"error","ref":"c999","code":"forbidden"}',
                    '{"type":"hello","heartbeat_ms":1}', '{"type":"who-knows"}', '{"type":"message",',
                    # a ts and a retry_ms no int64 holds (their casts were undefined behaviour),
                    # and a chatty frame without user.id (the hot path took it for chatter, uncounted)
                    '{"type":"message","id":"m-903","user":{"id":"u3"},"room":"lobby","text":"!ping","ts":1e999}',
                    '{"type":"message","id":"m-904","room":"lobby","text":"hello"}',
                    '{"type":"error","ref":"c999","code":"rate_limited","retry_ms":1e999}']:
            self.site.command("/raw " + raw)
        self.site.command("/big 70")                     # a 70 KiB frame holding "!ping"
        self.site.command("/bot helper !ping")           # bots are never answered
        self.site.command("/self !ping")                 # nor is the bot itself
        self.site.expect_none({"ev": "send"}, within=1.0)
        self.ask("mia", "!ping", "pong")
        self.site.expect_none({"ev": "send"}, within=0.5)
        self.assertTrue(self.daemon.running)
        _, metrics = http_get(self.config.http_port, "/metrics")
        bad = [l for l in metrics.splitlines() if l.startswith("dutybot_bad_frames_total")]
        self.assertGreaterEqual(int(bad[0].split()[-1]), 15, bad)
        self.daemon.wait_log("ts is out of range")
        self.daemon.wait_log("retry_ms out of range")
        self.daemon.wait_log("refusing a frame over 64 KiB")

    def test_same_message_id_twice_is_answered_once(self):
        self.ask("mia", "!whoami", "Mia Keller")
        self.site.command("/dup")
        self.site.expect_none({"ev": "send"}, within=1.0)
        self.ask("mia", "!ping", "pong")


def accept_without_subprotocol(srv):
    """A WebSocket server that completes every handshake but names no
    subprotocol; each connection stays open until the client goes."""
    while True:
        try:
            conn, _ = srv.accept()
        except OSError:
            return                                  # closed: the test is over
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                request += chunk
            key = next((line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
                        if line.lower().startswith(b"sec-websocket-key:")), b"")
            accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            while conn.recv(4096):
                pass


class Subprotocol(E2E):
    """dutybot asks for dutybot.site.v1 and refuses a server that does not accept it."""
    START_DAEMON = False

    def test_a_server_without_the_subprotocol_is_refused_and_retried(self):
        self.site.stop()
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.config.site_port))
        srv.listen(4)
        self.addCleanup(srv.close)
        threading.Thread(target=accept_without_subprotocol, args=(srv,), daemon=True).start()
        self.start_daemon()
        self.daemon.wait_log("site: the server did not accept subprotocol dutybot.site.v1")
        self.daemon.wait_log(r"site: state change CONNECTING -> BACKOFF, reason: connection failed")
        self.daemon.wait_log(r"site: reconnecting in \d+ ms")
        self.assertNotIn("-> HELLO", self.daemon.log())


class DedupeWindow(E2E):
    """Handled message ids are kept per connection in time buckets of
    dedupe_ttl (begin_batch.lua): remembered at least dedupe_ttl, at most
    twice that, and every bucket has an expiry."""
    CONFIG = {"limits": '{ commands_per_minute = 600; burst = 100; dedupe_ttl = "3s"; }'}

    def test_an_id_is_remembered_for_the_ttl_and_then_forgotten(self):
        self.ask("mia", "!ping", "pong")
        buckets = self.redis.cmd("KEYS", self.key("seen", "site", "*"))
        self.assertEqual(len(buckets), 1, buckets)
        ttl = self.redis.cmd("PTTL", buckets[0])
        self.assertTrue(0 < ttl <= 6000, ttl)            # the end of the next bucket
        self.assertEqual(self.redis.cmd("HLEN", buckets[0]), 1)
        # the same id again within the ttl, wherever the bucket boundary falls
        start = time.monotonic()
        for _ in range(2):
            time.sleep(0.6)
            self.site.command("/dup")
            self.site.expect_none({"ev": "send"}, within=0.2)
        self.assertLess(time.monotonic() - start, 3.0)
        # after twice the ttl it is forgotten: delivered again, it is answered again
        time.sleep(6.2 - (time.monotonic() - start))
        self.site.command("/dup")
        self.site.wait({"ev": "send", "room": "lobby", "text": "pong"})


class Burst(E2E):

    def test_a_burst_in_one_read_shares_one_begin_and_is_answered_once_each_in_order(self):
        self.ask("lemon", "!ping", "pong")               # connected, scripts loaded
        _, before = http_get(self.config.http_port, "/metrics")
        self.site.skip()
        # one TCP segment: the daemon reads them in one loop turn; /dup repeats
        # mia's second line with the same message id, within the same batch
        self.site.command("/burst mia@rm> !zz1 || mark@rk> !zz1 || mia@rm> !zz2 || /dup"
                          " || mark@rk> !zz2 || anna@ra> !whoami || mia@rm> !whoami"
                          " || mark@rk> !whoami || mark@rk> !zz3 || mia@rm> !zz3")
        want = {"rm": ["zz1", "zz2", "You are Mia Keller", "zz3"],
                "rk": ["zz1", "zz2", "You are Mark Novak", "zz3"],
                "ra": ["a chat friend"]}
        self.site.wait_all(*[{"ev": "send", "room": room, "text": texts[-1]} for room, texts in want.items()])
        self.site.expect_none({"ev": "send"}, within=1.0)
        for room, texts in want.items():
            got = [e["text"] for e in self.site.all({"ev": "send", "room": room})]
            self.assertEqual(len(got), len(texts), f"{room}: {got}")
            for text, expect in zip(got, texts):
                self.assertIn(expect, text, f"{room}: {got}")
        _, after = http_get(self.config.http_port, "/metrics")

        def metric(text, name):
            return int(next(l for l in text.splitlines() if l.startswith(name + " ")).split()[-1])
        self.assertEqual(metric(after, "dutybot_duplicates_total") - metric(before, "dutybot_duplicates_total"), 1)
        # nine commands and the duplicate read at once: one begin_batch call
        self.assertEqual(metric(after, "dutybot_begin_batches_total")
                         - metric(before, "dutybot_begin_batches_total"), 1)
        self.assertEqual(metric(after, "dutybot_command_events_total")
                         - metric(before, "dutybot_command_events_total"), 10)


class Reconnects(E2E):
    HEARTBEAT_MS = 400

    def test_a_line_said_while_the_socket_is_down_is_answered_once(self):
        self.ask("mia", "!ping", "pong")
        time.sleep(2.3)                                   # the resume point is saved every 2 s
        self.site.command("/refuse on")
        self.site.command("/drop")
        self.site.wait({"ev": "closed"})
        self.site.say("mia", "!whoami")                   # nobody is connected to hear it
        self.site.wait({"ev": "refused"}, timeout=10)     # the daemon tries again...
        self.site.command("/refuse off")
        ready = self.site.wait({"ev": "ready"}, timeout=15)
        self.assertTrue(ready["resumed"])
        self.assertGreaterEqual(ready["replayed"], 1)
        self.site.wait({"ev": "send", "text": "Mia Keller"})
        self.site.expect_none({"ev": "send"}, within=1.5)   # and only once; ping not again

    def test_site_reconnect_request_resumes(self):
        self.ask("mia", "!ping", "pong")                  # something to resume after
        self.site.command("/reconnect")
        ident = self.site.wait({"ev": "identify"})
        self.assertIsNotNone(ident["resume"])
        self.assertTrue(self.site.wait({"ev": "ready"})["resumed"])
        self.ask("mia", "!ping", "pong")

    def test_no_heartbeat_ack_means_a_dead_connection(self):
        self.ask("mia", "!ping", "pong")
        self.site.command("/acks off")
        self.site.wait({"ev": "closed"}, timeout=5)
        self.site.command("/acks on")
        ident = self.site.wait({"ev": "identify"}, timeout=10)
        self.assertIsNotNone(ident["resume"])
        self.site.wait({"ev": "ready"})
        self.daemon.wait_log("no heartbeat ack")
        self.ask("mia", "!ping", "pong")

    def test_close_4008_waits_the_time_given(self):
        self.site.command("/close 4008 1500")
        closed = time.monotonic()
        self.site.wait({"ev": "closed", "code": 4008})
        self.site.wait({"ev": "connected"}, timeout=10)
        self.assertGreaterEqual(time.monotonic() - closed, 1.4)
        self.site.wait({"ev": "ready"})

    def test_close_4002_starts_a_new_session(self):
        self.site.command("/close 4002 expired")
        ident = self.site.wait({"ev": "identify"}, timeout=10)
        self.assertIsNone(ident["resume"])
        self.assertFalse(self.site.wait({"ev": "ready"})["resumed"])
        self.ask("mia", "!ping", "pong")

    def test_invalid_session_falls_back_to_identify(self):
        self.ask("mia", "!ping", "pong")
        self.site.command("/expire")
        self.site.command("/drop")
        first = self.site.wait({"ev": "identify"}, timeout=10)
        self.assertIsNotNone(first["resume"])
        self.site.wait({"ev": "invalid_session"})
        second = self.site.wait({"ev": "identify"}, timeout=10)
        self.assertIsNone(second["resume"])
        self.site.wait({"ev": "ready"})
        self.ask("mia", "!ping", "pong")

    def test_bad_token_is_not_retried_until_the_config_changes(self):
        self.site.command("/tokens other-token")
        self.site.command("/drop")
        self.site.wait({"ev": "identify", "token_ok": False}, timeout=10)
        self.site.wait({"ev": "closed", "code": 4001})
        self.site.expect_none({"ev": "connected"}, within=4.0)    # no tight loop, no loop at all
        _, health = http_get(self.config.http_port, "/healthz")
        self.assertIn("bad token", json.loads(health)["connections"]["site"])
        # the operator fixes the token in the config and reloads
        text = open(self.config.path).read().replace(self.config.token, "other-token")
        open(self.config.path, "w").write(text)
        os.kill(self.daemon.proc.pid, signal.SIGHUP)
        self.site.wait({"ev": "identify", "token_ok": True}, timeout=10)
        self.site.wait({"ev": "ready"})
        self.ask("mia", "!ping", "pong")


class SitePacing(E2E):

    def test_rate_limited_actions_are_resent_in_order(self):
        self.site.command("/ratelimit 2 400")
        for text in ("!ping", "!whoami", "!lang"):
            self.site.say("mia", text)
        got = [self.site.wait({"ev": "send"}) for _ in range(3)]
        self.assertEqual(got[0]["text"], "pong")
        self.assertIn("Mia Keller", got[1]["text"])
        self.assertIn("Your language", got[2]["text"])
        self.assertEqual(len(self.site.all({"ev": "rate_limited"})), 2)
        self.assertEqual(self.site.all({"ev": "action_error"}), [])


class SlowSending(E2E):
    MAX_RATE = 100        # the site would allow more: the pacing is the daemon's own

    def test_pacing_keeps_below_the_rate(self):
        # max_send_rate = 4: twelve answers need at least two more seconds
        self.daemon.stop()
        text = open(self.config.path).read().replace("type = \"site\";", "type = \"site\"; max_send_rate = 4;")
        open(self.config.path, "w").write(text)
        self.start_daemon()
        self.site.wait({"ev": "ready"}, timeout=15)
        start = time.monotonic()
        for i in range(12):
            self.site.say("mia", "!ping")
        sends = [self.site.wait({"ev": "send", "text": "pong"}, timeout=15) for _ in range(12)]
        self.assertGreaterEqual(time.monotonic() - start, 2.0)
        self.assertEqual(len(sends), 12)
        self.assertEqual(self.site.all({"ev": "rate_limited"}), [])


class RedisOutage(E2E):

    def test_clear_answers_while_redis_is_down_and_full_recovery(self):
        self.ask("mia", "!whoami", "Mia Keller")
        self.redis.stop()
        self.ask("mia", "!whoami", "The state store is unavailable right now")
        self.ask("mia", "!ping", "state store is unavailable")
        _, health = http_get(self.config.http_port, "/healthz")
        self.assertEqual(json.loads(health)["redis"], "down")
        self.redis.start()
        deadline = time.monotonic() + 15
        while True:
            self.site.say("mia", "!whoami")
            ev = self.site.wait({"ev": "send"})
            if "Mia Keller" in ev["text"]:
                break
            self.assertLess(time.monotonic(), deadline, "no recovery after Redis came back")
            time.sleep(0.3)
        # a fresh Redis has no scripts and no staff: both come back by themselves
        while "Staff (6):" not in self.ask("mark", "!staff list", {"ev": "send"})["text"]:
            self.assertLess(time.monotonic(), deadline, "the staff did not come back")
            time.sleep(0.3)
        self.assertTrue(self.daemon.running)
        _, metrics = http_get(self.config.http_port, "/metrics")
        self.assertIn("dutybot_redis_up 1", metrics)


class ScriptCache(E2E):

    def test_a_flushed_script_cache_is_refilled_on_the_fly(self):
        self.ask("mia", "!whoami", "Mia Keller")
        self.redis.cmd("SCRIPT", "FLUSH")
        self.ask("mia", "!whoami", "Mia Keller")          # NOSCRIPT -> EVAL, transparently
        self.ask("mark", "!staff list", "Staff (6):")
        self.assertNotIn("Something went wrong", "".join(e.get("text", "") for e in self.site.events))


class Crash(E2E):

    def test_restart_after_a_crash_resumes_without_double_answers(self):
        self.ask("mia", "!ping", "pong")
        time.sleep(2.3)                                   # that resume point is saved (every 2 s)...
        self.ask("mia", "!ping", "pong")                  # ...this one probably not yet
        self.daemon.kill()                                # no clean shutdown, no final save
        self.site.wait({"ev": "closed"})
        self.site.say("mia", "!whoami")                   # said while nobody listens
        self.start_daemon()
        ready = self.site.wait({"ev": "ready"}, timeout=15)
        self.assertTrue(ready["resumed"])
        self.site.wait({"ev": "send", "text": "Mia Keller"})
        self.site.expect_none({"ev": "send"}, within=1.5)   # the pings were not answered again


if __name__ == "__main__":
    unittest.main()
