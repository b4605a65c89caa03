"""Part of the end-to-end harness (tests import it through harness.py): a real
redis-server per test in its temporary directory, and a small RESP client to
look into it.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
from typing import Any, Iterable

from harness_proc import HOST, _die_with_parent, _wait_until, free_port


# --------------------------------------------------------------------------- Redis

class RedisError(Exception):
    """An error reply from Redis (the message is Redis's, e.g. 'WRONGTYPE ...')."""


class Redis:
    """A private redis-server on a free port, and a tiny RESP2 client for it.

    ``cmd("HGETALL", key)`` returns str / int / None / list (bulk strings are
    decoded as UTF-8 when they are valid UTF-8, else returned as bytes); an
    error reply raises RedisError.  ``stop()`` and ``start()`` restart the
    server on the same port (data is not kept: --save '' --appendonly no,
    unless ARGS, added last, say otherwise: e.g. --appendonly yes).
    """

    def __init__(self, tmpdir: str, port: int | None = None, start: bool = True,
                 args: Iterable[str] = ()):
        self.dir = tmpdir
        self.port = port or free_port()
        self.args = list(args)
        self.proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._rfile = None
        if start:
            self.start()

    # -- process
    def start(self, timeout: float = 10.0) -> None:
        if self.proc and self.proc.poll() is None:
            return
        log = open(os.path.join(self.dir, f"redis-{self.port}.log"), "ab")
        try:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", HOST,
                 "--save", "", "--appendonly", "no", "--dir", self.dir, *self.args],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent)
        finally:
            log.close()

        def answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode} "
                                   f"(see {self.dir}/redis-{self.port}.log)")
            try:
                return self.cmd("PING") == "PONG"
            except (OSError, ConnectionError):
                self._disconnect()
                return False
            except RedisError as e:     # LOADING: still reading its AOF back
                if str(e).startswith("LOADING"):
                    return False
                raise
        _wait_until(answers, timeout, f"redis-server on port {self.port} to answer PING")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no last write; what reached the AOF is all there is."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._disconnect()
        self.proc = None

    def stop(self, timeout: float = 10.0) -> None:
        if not self.proc:
            return
        if self.proc.poll() is None:
            try:
                self._send(["SHUTDOWN", "NOSAVE"])
                self._rfile.readline()          # the server just closes
            except (OSError, ConnectionError, AttributeError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._disconnect()
        self.proc = None

    @property
    def running(self) -> bool:
        return bool(self.proc and self.proc.poll() is None)

    # -- client
    def _disconnect(self) -> None:
        if self._rfile:
            self._rfile.close()
        if self._sock:
            self._sock.close()
        self._sock = self._rfile = None

    def _connected(self) -> bool:
        """False when there is no connection or the server closed it (e.g. a restart)."""
        if not self._sock:
            return False
        try:
            readable, _, _ = select.select([self._sock], [], [], 0)
            if readable and not self._sock.recv(1, socket.MSG_PEEK):
                return False
        except OSError:
            return False
        return True

    def _send(self, args: Iterable[Any]) -> None:
        if not self._connected():
            self._disconnect()
            self._sock = socket.create_connection((HOST, self.port), timeout=10)
            self._rfile = self._sock.makefile("rb")
        out = []
        args = list(args)
        out.append(b"*%d\r\n" % len(args))
        for a in args:
            if isinstance(a, bytes):
                b = a
            elif isinstance(a, bool):
                b = b"1" if a else b"0"
            else:
                b = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self._sock.sendall(b"".join(out))

    def _read(self):
        line = self._rfile.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("redis closed the connection")
        kind, body = line[:1], line[1:-2]
        if kind == b"+":
            return body.decode()
        if kind == b"-":
            return RedisError(body.decode(errors="replace"))
        if kind == b":":
            return int(body)
        if kind == b"$":
            n = int(body)
            if n < 0:
                return None
            data = self._rfile.read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("redis closed the connection")
            data = data[:-2]
            try:
                return data.decode()
            except UnicodeDecodeError:
                return data
        if kind == b"*":
            n = int(body)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise ConnectionError(f"unexpected reply from redis: {line!r}")

    def cmd(self, *args: Any):
        """Run one command; returns the reply, raises RedisError for an error
        reply (errors inside arrays, e.g. from EXEC, are returned as RedisError
        objects in the list)."""
        self._send(args)
        try:
            reply = self._read()
        except (OSError, ConnectionError):
            self._disconnect()
            raise
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def keys(self, pattern: str = "*") -> list[str]:
        """All keys matching PATTERN (SCAN, so it is safe on a big keyspace)."""
        cursor, out = "0", []
        while True:
            cursor, batch = self.cmd("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)
            out.extend(batch)
            if cursor == "0":
                return sorted(out)
