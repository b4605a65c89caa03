"""End-to-end: the daemon as an operator meets it: options, config checks,
signals (reload, clean stop), /healthz and /metrics, the fake clock."""

import json
import os
import signal
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from harness import E2E, _binary


def run(*args, env=None):
    return subprocess.run([_binary("DUTYBOT_BIN"), *args], capture_output=True, text=True,
                          timeout=20, env={**os.environ, **(env or {})})


def http_get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read().decode(), r.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers.get("Content-Type")


class Options(E2E):
    START_DAEMON = False

    def test_version_and_help(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^dutybot \d+\.\d+\.\d+\n$")
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--check-config", r.stdout)
        self.assertEqual(run("--bogus").returncode, 2)

    def test_check_config_ok_and_every_error_named(self):
        r = run("--check-config", "-c", self.config.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("configuration OK", r.stdout)
        bad = os.path.join(self.tmp, "bad.cfg")
        with open(bad, "w") as f:
            f.write('connections = (\n  { name = "x"; type = "discrod"; },\n'
                    '  { name = "x"; type = "site"; url = "ws://127.0.0.1:1/b"; token = "t"; }\n);\n'
                    'redis = { hots = "127.0.0.1"; };\npolicy = { late_grace = "10 minutes"; };\n')
        r = run("--check-config", "-c", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f'{bad}:2: connections.[0].type: unknown platform "discrod"', r.stderr)
        self.assertIn(f"{bad}:5: redis.hots: unknown setting", r.stderr)
        self.assertIn(f"{bad}:6: policy.late_grace", r.stderr)
        self.assertIn("connections.[1].name", r.stderr)          # duplicate name
        r = run("-c", bad)                                        # the daemon refuses to start
        self.assertEqual(r.returncode, 1)
        r = run("--check-config", "-c", os.path.join(self.tmp, "missing.cfg"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.cfg", r.stderr)

    def test_a_port_in_use_fails_the_start_cleanly(self):
        import socket
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", self.config.http_port))
            taken.listen()
            r = run("-c", self.config.path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"cannot listen on 127.0.0.1:{self.config.http_port}", r.stderr)
        self.assertIn("start-up failed", r.stderr)
        for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:", "handles still open"):
            self.assertNotIn(bad, r.stderr)

    def test_fake_clock_is_logged_loudly_and_rejected_when_bad(self):
        r = run("-c", self.config.path, env={"DUTYBOT_FAKE_NOW": "yesterday"})
        self.assertEqual(r.returncode, 1)
        self.assertIn("DUTYBOT_FAKE_NOW", r.stderr)
        d = self.start_daemon(DUTYBOT_FAKE_NOW="2026-03-02T07:55:00+01:00")
        d.wait_log("FAKE TIME in use")
        self.site.wait({"ev": "ready"}, timeout=15)
        self.ask("lemon", '!staff set mia name "Mia K. Keller"', "is now")
        self.ask("lemon", "!audit 1", "2026-03-02 06:55", room="dm")        # UTC in this config


class Signals(E2E):

    def test_sigterm_flushes_closes_cleanly_and_exits_0(self):
        self.site.command("/ratelimit 2 1000")       # the answers wait in the outbox
        for _ in range(5):
            self.site.say("mia", "!whoami")
        self.site.wait({"ev": "rate_limited"})
        # all five taken (their answers wait in the outbox) before the signal: a
        # line that arrives after it is left for the next run, not answered now
        deadline = time.monotonic() + 10
        while 'dutybot_commands_total{command="whoami",result="ok"} 5' not in \
                http_get(self.config.http_port, "/metrics")[1]:
            self.assertLess(time.monotonic(), deadline, "the daemon did not take the five commands")
            time.sleep(0.05)
        self.daemon.proc.send_signal(signal.SIGTERM)
        for _ in range(5):
            self.site.wait({"ev": "send", "text": "Mia Keller"})
        self.site.wait({"ev": "closed", "code": 1000})
        self.assertEqual(self.daemon.stop(), 0)
        self.assertIn("stopped", self.daemon.log())
        # the resume point was saved on the way out
        self.assertIsNotNone(self.redis.cmd("HGET", self.key("resume", "site"), "last_id"))

    def test_sigterm_while_the_site_is_unreachable_exits_0(self):
        self.site.command("/refuse on")
        self.site.command("/drop")
        self.site.wait({"ev": "refused"}, timeout=10)
        self.assertEqual(self.daemon.stop(), 0)
        self.assertIn("stopped", self.daemon.log())

    def test_a_sigterm_in_the_last_steps_never_kills_them(self):
        # A service manager's second SIGTERM can land just as the daemon gives
        # the signal back its default action on the way out (the CI saw -15).
        # The preloaded fault sends SIGTERM in exactly that instant.
        self.daemon.stop()
        d = self.start_daemon(LD_PRELOAD=os.environ["SIGNAL_AT_DEFAULT_SO"],
                              ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
                              ":verify_asan_link_order=0")
        self.site.wait({"ev": "ready"}, timeout=15)
        self.ask("mia", "!whoami", "Mia Keller")
        self.assertEqual(d.stop(), 0)
        self.assertIn("stopped", d.log())

    def test_sigterm_while_the_handshake_is_unanswered_exits_0(self):
        # A site that takes the TCP connection and never answers the upgrade: the
        # socket is not a WebSocket yet when the stop comes (lws asserts on a
        # close frame for it: the CI once saw -6 here).
        import socket
        self.daemon.stop()
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen()
            port = silent.getsockname()[1]
            with open(self.config.path, encoding="utf-8") as f:
                text = f.read()
            with open(self.config.path, "w", encoding="utf-8") as f:
                f.write(text.replace(self.config.url, f"ws://127.0.0.1:{port}/bot"))
            d = self.start_daemon()
            silent.settimeout(15)
            conn, _ = silent.accept()
            with conn:
                d.wait_log("site: state change IDLE -> CONNECTING")
                time.sleep(0.3)         # the upgrade request is out, unanswered
                self.assertEqual(d.stop(), 0)
        self.assertIn("stopped", d.log())

    def test_sighup_applies_staff_and_refuses_a_broken_config(self):
        self.ask("nora", "!whoami", "chat friend")
        text = open(self.config.path).read()
        new_staff = ('    { id = "nora"; name = "Nora Vidal"; email = "nora@example.org"; role = "agent";'
                     ' level = "PAM"; identities = ( "site:f-nora" ); },\n')
        with open(self.config.path, "w") as f:
            f.write(text.replace("staff = (\n", "staff = (\n" + new_staff))
        mark = self.daemon.log_mark()
        self.daemon.proc.send_signal(signal.SIGHUP)
        self.daemon.wait_log("configuration reloaded", since=mark)
        deadline = time.monotonic() + 10
        while "Nora Vidal [PAM]" not in self.ask("nora", "!whoami", {"ev": "send"})["text"]:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.2)
        with open(self.config.path, "w") as f:
            f.write(text.replace('type = "site";', 'type = "sitee";'))
        mark = self.daemon.log_mark()
        self.daemon.proc.send_signal(signal.SIGHUP)
        self.daemon.wait_log(r"reload refused: .*connections.\[0\].type", since=mark)
        self.assertTrue(self.daemon.running)
        self.ask("nora", "!whoami", "Nora Vidal [PAM]")           # the running config is kept


class ServiceManager(E2E):
    """The systemd notify protocol (bot/ops/sdnotify.c), spoken to a datagram
    socket of the test's own: READY once started, WATCHDOG
    at half the interval asked for, RELOADING/READY around a SIGHUP, STOPPING."""
    START_DAEMON = False

    def notifications(self, sock, until: str, timeout: float = 10.0) -> list[str]:
        got = []
        deadline = time.monotonic() + timeout
        while until not in got:
            left = deadline - time.monotonic()
            self.assertGreater(left, 0, f"no {until}; got {got}")
            sock.settimeout(left)
            data = sock.recv(4096).decode()
            got.extend(data.split("\n"))
        return got

    def check(self, address: str, path_for_env: str) -> None:
        import socket
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(address)
        self.start_daemon(NOTIFY_SOCKET=path_for_env, WATCHDOG_USEC="400000")
        got = self.notifications(sock, "READY=1")
        self.assertIn("STATUS=running", got)
        self.site.wait({"ev": "ready"}, timeout=20)
        t0 = time.monotonic()
        self.notifications(sock, "WATCHDOG=1")
        self.notifications(sock, "WATCHDOG=1")
        self.assertLess(time.monotonic() - t0, 1.5)      # every 0.2 s, not once
        self.daemon.proc.send_signal(signal.SIGHUP)
        got = self.notifications(sock, "RELOADING=1")
        self.notifications(sock, "READY=1")
        self.daemon.proc.send_signal(signal.SIGTERM)
        self.notifications(sock, "STOPPING=1")
        self.assertEqual(self.daemon.stop(), 0)

    def test_notify_socket_path(self):
        path = os.path.join(self.tmp, "notify.sock")
        self.check(path, path)

    def test_notify_socket_abstract(self):
        name = f"dutybot-test-{os.getpid()}-{time.monotonic_ns()}"
        self.check("\0" + name, "@" + name)

    def test_a_watchdog_meant_for_another_process_is_ignored(self):
        import socket
        path = os.path.join(self.tmp, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        self.start_daemon(NOTIFY_SOCKET=path, WATCHDOG_USEC="200000", WATCHDOG_PID="1")
        self.notifications(sock, "READY=1")
        sock.settimeout(1.0)
        with self.assertRaises(socket.timeout):
            while True:
                self.assertNotIn("WATCHDOG=1", sock.recv(4096).decode())


class Http(E2E):

    def test_healthz_and_metrics(self):
        self.ask("mia", "!ping", "pong")
        self.ask("mia", "!staff list", "is for minister")
        status, body, ctype = http_get(self.config.http_port, "/healthz")
        self.assertEqual(status, 200)
        self.assertIn("json", ctype)
        self.assertEqual(json.loads(body), {"status": "ok", "redis": "up", "connections": {"site": "ready"}})
        status, body, ctype = http_get(self.config.http_port, "/metrics")
        self.assertEqual(status, 200)
        self.assertIn("text/plain", ctype)
        self.assertIn('dutybot_commands_total{command="ping",result="ok"} 1', body)
        self.assertIn('dutybot_commands_total{command="staff list",result="refused"} 1', body)
        self.assertIn('dutybot_connection_up{connection="site"} 1', body)
        self.assertIn("dutybot_redis_up 1", body)
        self.assertIn('dutybot_queue_depth{connection="site"} 0', body)
        self.assertIn("dutybot_timers_fired_total", body)
        self.assertIn("dutybot_outbox_sending 0", body)
        self.assertRegex(body, r'dutybot_events_in_total\{connection="site"\} [1-9]')
        self.assertEqual(http_get(self.config.http_port, "/nope")[0], 404)


if __name__ == "__main__":
    unittest.main()
