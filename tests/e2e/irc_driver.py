"""A real InspIRCd for the IRC end-to-end tests, and a plain IRC client over TCP.

InspIRCd (Debian's ``inspircd``, 3.x) runs on loopback with a generated
config in the test's temporary directory: a plain client port, a WebSocket
port for dutybot (``hook="websocket"``, with ``m_websocket``, ``m_sha1`` and
``<wsorigin>``), the IRCv3 modules, and a connect class without flood limits
for the test's people; STRICT=True puts dutybot's WebSocket port in a class
of InspIRCd's default flood limits instead.  See shared/NOTES-libs.md.

The client is what a person's IRC program does: NICK/USER from a chosen
loopback address (127.0.0.x: its host as the server sees it) and ident,
PONG, JOIN, PRIVMSG; every line it gets is kept with the time it came.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import unittest

from harness_proc import HOST, _die_with_parent, _wait_until, free_port

INSPIRCD = "/usr/sbin/inspircd"

_CONF = """<config format="xml">
<server name="irc.test" description="dutybot test" network="DutyTest">
<admin name="test" nick="test" email="test@example.org">
<bind address="127.0.0.1" port="{client_port}" type="clients">
<bind address="127.0.0.1" port="{ws_port}" type="clients" hook="websocket">
<module name="websocket">
<module name="sha1">
<module name="cap">
<module name="ircv3">
<module name="ircv3_servertime">
<module name="ircv3_msgid">
<module name="ircv3_ctctags">
<module name="ircv3_accounttag">
<wsorigin allow="http://127.0.0.1">
{strict}<connect name="people" allow="*" timeout="60" threshold="100000" commandrate="1000000" fakelag="no"
 resolvehostnames="no" useident="no" recvq="64K" softsendq="1M" hardsendq="4M" maxchans="50"
 localmax="1000" globalmax="1000" limit="1000">
<pid file="{dir}/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="{dir}/inspircd.log">
<performance netbuffersize="65534">
<security hidesplits="no">
<files motd="{dir}/motd">
"""
# InspIRCd's default class (threshold 10, commandrate 1000, fakelag on), for dutybot's port only
_STRICT = ('<connect name="strict" allow="*" port="{ws_port}" resolvehostnames="no" useident="no"'
           ' timeout="60" localmax="1000" globalmax="1000" limit="1000">\n')


def need_inspircd() -> None:
    if not os.access(INSPIRCD, os.X_OK):
        raise unittest.SkipTest(f"{INSPIRCD} is missing: apt-get install inspircd (CI and the README's "
                                "install command do)")


class InspIRCd:
    def __init__(self, tmp: str, strict: bool = False):
        self.dir = os.path.join(tmp, "inspircd")
        os.makedirs(self.dir, exist_ok=True)
        self.client_port = free_port()
        self.ws_port = free_port()
        self.strict = strict
        self.proc: subprocess.Popen | None = None
        self.conf = os.path.join(self.dir, "inspircd.conf")
        with open(os.path.join(self.dir, "motd"), "w") as f:
            f.write("test server\n")
        with open(self.conf, "w") as f:
            f.write(_CONF.format(client_port=self.client_port, ws_port=self.ws_port, dir=self.dir,
                                 strict=_STRICT.format(ws_port=self.ws_port) if strict else ""))

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.ws_port}/"

    def start(self, timeout: float = 15) -> None:
        args = [INSPIRCD, "--config", self.conf, "--nofork"]
        if os.geteuid() == 0:
            args.append("--runasroot")
        if getattr(self, "out", None):
            self.out.close()
        self.out = open(os.path.join(self.dir, "stdout.log"), "ab")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent, cwd=self.dir)

        def listening():
            if self.proc.poll() is not None:
                raise AssertionError(f"inspircd exited {self.proc.returncode}: {self.output()[-2000:]}")
            for port in (self.client_port, self.ws_port):
                try:
                    socket.create_connection((HOST, port), timeout=0.2).close()
                except OSError:
                    return False
            return True
        _wait_until(listening, timeout, "inspircd listening on both ports")

    def output(self) -> str:
        with open(os.path.join(self.dir, "stdout.log"), encoding="utf-8", errors="replace") as f:
            return f.read()

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "out", None):
            self.out.close()
            self.out = None


def parse(line: str) -> dict:
    """{"tags", "nick", "user", "host", "cmd", "params"} of one IRC line."""
    tags = {}
    if line.startswith("@"):
        raw, line = line[1:].split(" ", 1)
        for t in raw.split(";"):
            k, _, v = t.partition("=")
            tags[k] = v
    nick = user = host = None
    if line.startswith(":"):
        prefix, line = line[1:].split(" ", 1)
        nick, _, rest = prefix.partition("!")
        user, _, host = rest.partition("@")
    trailing = None
    if " :" in line:
        line, trailing = line.split(" :", 1)
    parts = line.split()
    params = parts[1:] + ([trailing] if trailing is not None else [])
    return {"tags": tags, "nick": nick, "user": user or None, "host": host or None,
            "cmd": parts[0] if parts else "", "params": params}


class Client:
    """One person on IRC: NICK, USER (ident) from SOURCE (a 127.0.0.x address)."""

    def __init__(self, port: int, nick: str, ident: str | None = None, source: str = HOST):
        self.nick = nick
        self.ident = ident or nick
        self.sock = socket.create_connection((HOST, port), timeout=10, source_address=(source, 0))
        self.sock.settimeout(None)
        self.lines: list[tuple[float, str, dict]] = []     # (when, raw, parsed)
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        self.closed = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        self.send(f"NICK {nick}")
        self.send(f"USER {self.ident} 0 * :{nick} test")

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            buf += data
            while b"\r\n" in buf:
                raw, buf = buf.split(b"\r\n", 1)
                text = raw.decode("utf-8")      # strict: a cut character fails the test
                msg = parse(text)
                if msg["cmd"] == "PING":
                    self.send("PONG :" + (msg["params"][0] if msg["params"] else ""))
                with self.lock:
                    self.raw.append(raw)
                    self.lines.append((time.monotonic(), text, msg))

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode("utf-8") + b"\r\n")

    def wait(self, pred, timeout: float = 10, what: str = "a line", since: int = 0):
        def find():
            with self.lock:
                for i in range(since, len(self.lines)):
                    if pred(self.lines[i][2]):
                        return self.lines[i]
            return None
        try:
            return _wait_until(find, timeout, f"{what} at {self.nick}")
        except AssertionError as e:
            with self.lock:
                tail = "\n".join(t for _, t, _ in self.lines[-15:])
            raise AssertionError(f"{e}; {self.nick}'s last lines:\n{tail}") from None

    def mark(self) -> int:
        with self.lock:
            return len(self.lines)

    def registered(self, timeout: float = 10) -> None:
        self.wait(lambda m: m["cmd"] == "001", timeout, "001")

    def join(self, channel: str, timeout: float = 10) -> None:
        mark = self.mark()
        self.send(f"JOIN {channel}")
        self.wait(lambda m: m["cmd"] == "366" and len(m["params"]) > 1 and m["params"][1] == channel, timeout,
                  f"joined {channel}", since=mark)

    def say(self, target: str, text: str) -> None:
        self.send(f"PRIVMSG {target} :{text}")

    def close(self) -> None:
        try:
            self.send("QUIT :bye")
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
