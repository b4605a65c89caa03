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

import base64
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
{services}<pid file="{dir}/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="{dir}/inspircd.log">
<performance netbuffersize="65534">
<security hidesplits="no">
<files motd="{dir}/motd">
"""
# a services server (FakeServices) linked in: accounts, account-tag, SASL
_SERVICES = """<bind address="127.0.0.1" port="{link_port}" type="servers">
<module name="spanningtree">
<module name="services_account">
<module name="sasl">
<link name="services.test" ipaddr="127.0.0.1" port="{link_port}" allowmask="127.0.0.0/8"
 sendpass="{link_pass}" recvpass="{link_pass}">
<uline server="services.test" silent="yes">
<sasl target="services.test" requiressl="no">
"""
# InspIRCd's default class (threshold 10, commandrate 1000, fakelag on), for dutybot's port only
_STRICT = ('<connect name="strict" allow="*" port="{ws_port}" resolvehostnames="no" useident="no"'
           ' timeout="60" localmax="1000" globalmax="1000" limit="1000">\n')


def need_inspircd() -> None:
    if not os.access(INSPIRCD, os.X_OK):
        raise unittest.SkipTest(f"{INSPIRCD} is missing: apt-get install inspircd (CI and the README's "
                                "install command do)")


class InspIRCd:
    def __init__(self, tmp: str, strict: bool = False, services: bool = False):
        self.dir = os.path.join(tmp, "inspircd")
        os.makedirs(self.dir, exist_ok=True)
        self.client_port = free_port()
        self.ws_port = free_port()
        self.strict = strict
        self.link_port = free_port() if services else 0
        self.link_pass = "link-" + os.urandom(6).hex()
        self.proc: subprocess.Popen | None = None
        self.conf = os.path.join(self.dir, "inspircd.conf")
        with open(os.path.join(self.dir, "motd"), "w") as f:
            f.write("test server\n")
        with open(self.conf, "w") as f:
            f.write(_CONF.format(client_port=self.client_port, ws_port=self.ws_port, dir=self.dir,
                                 strict=_STRICT.format(ws_port=self.ws_port) if strict else "",
                                 services=_SERVICES.format(link_port=self.link_port, link_pass=self.link_pass)
                                 if services else ""))

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
            for port in (self.client_port, self.ws_port) + ((self.link_port,) if self.link_port else ()):
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


class FakeServices:
    """A services server linked to InspIRCd over its server protocol (1205, as
    3.x speaks it): it mirrors the CAPAB negotiation, bursts nothing, logs
    people into ACCOUNTS (nick -> account) as they connect, and answers SASL
    PLAIN for LOGINS (account -> password).  What SASL it saw is in .sasl."""

    SID = "0SV"

    def __init__(self, ircd: InspIRCd, accounts: dict[str, str], logins: dict[str, str]):
        self.ircd, self.accounts, self.logins = ircd, accounts, logins
        self.sasl: list[tuple[str, bool]] = []          # (account tried, accepted)
        self.burst_done = threading.Event()
        self.sock = socket.create_connection((HOST, ircd.link_port), timeout=10)
        self.sock.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()
        if not self.burst_done.wait(10):
            raise AssertionError("the services link did not come up")

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode() + b"\n")

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            buf += data
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                self._line(raw.decode("utf-8", "replace").rstrip("\r"))

    def _line(self, line: str) -> None:
        w = line.split(" ")
        src = w[0][1:] if w[0].startswith(":") else None
        cmd, args = (w[1], w[2:]) if src else (w[0], w[1:])
        if cmd == "CAPAB" and args[:1] == ["START"]:
            self.send(line)
        elif cmd == "CAPAB" and args[:1] == ["END"]:
            self.send("CAPAB END")
            self.send(f"SERVER services.test {self.ircd.link_pass} 0 {self.SID} :Fake services")
        elif cmd == "SERVER":
            self.send(f":{self.SID} BURST {int(time.time())}")
            self.send(f":{self.SID} ENDBURST")
        elif cmd == "ENDBURST":
            self.burst_done.set()
        elif cmd == "PING":
            self.send(f":{self.SID} PONG {self.SID} {src}")
        elif cmd == "UID" and len(args) > 2 and args[2] in self.accounts:
            self.send(f":{self.SID} METADATA {args[0]} accountname :{self.accounts[args[2]]}")
        elif cmd == "ENCAP" and len(args) >= 5 and args[1] == "SASL":
            uid, mode = args[2], args[4]
            if mode == "S":
                self.send(f":{self.SID} ENCAP {src} SASL {self.SID} {uid} C +")
            elif mode == "C" and len(args) > 5:
                parts = base64.b64decode(args[5]).split(b"\0")
                name = parts[1].decode() if len(parts) == 3 else ""
                ok = len(parts) == 3 and self.logins.get(name) == parts[2].decode()
                self.sasl.append((name, ok))
                if ok:
                    self.send(f":{self.SID} METADATA {uid} accountname :{name}")
                self.send(f":{self.SID} ENCAP {src} SASL {self.SID} {uid} D {'S' if ok else 'F'}")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


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
