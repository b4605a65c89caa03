"""Part of the end-to-end harness (tests import it through harness.py): the real
dutybot binary, started with a test's config, its log read and waited on.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from typing import Iterable

from harness_proc import _binary, _die_with_parent, _wait_until
from harness_config import TestConfig


# --------------------------------------------------------------------------- the daemon

class Daemon:
    """The real dutybot binary with a test config; stdout and stderr go to LOG_PATH."""

    def __init__(self, config: TestConfig | str, *, env: dict | None = None,
                 args: Iterable[str] = (), log_path: str | None = None, start: bool = True):
        self.config_path = config.path if isinstance(config, TestConfig) else config
        self.env = dict(env or {})
        self.args = list(args)
        self.log_path = log_path or os.path.join(
            os.path.dirname(os.path.abspath(self.config_path)), "dutybot.log")
        self.proc: subprocess.Popen | None = None
        if start:
            self.start()

    def start(self) -> None:
        env = dict(os.environ)
        env.update({k: str(v) for k, v in self.env.items()})
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([_binary("DUTYBOT_BIN"), "-c", self.config_path,
                                          *self.args],
                                         stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, env=env,
                                         preexec_fn=_die_with_parent)

    @property
    def running(self) -> bool:
        return bool(self.proc and self.proc.poll() is None)

    @property
    def returncode(self) -> int | None:
        return self.proc.poll() if self.proc else None

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM; asserts that dutybot exits within TIMEOUT; returns the exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"dutybot did not exit within {timeout:g}s of SIGTERM; "
                                 f"log tail:\n{self.log_tail(30)}") from None

    def kill(self) -> None:
        """SIGKILL: a crash, as far as Redis and the site can tell."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def log(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-n:])

    def log_mark(self) -> int:
        """A position in the log for wait_log(since=...)."""
        return len(self.log())

    def wait_log(self, regex: str | re.Pattern, timeout: float = 10.0,
                 since: int = 0) -> re.Match:
        """The first match of REGEX in the log (from SINCE on), waiting for it."""
        rx = re.compile(regex, re.M) if isinstance(regex, str) else regex

        def found():
            m = rx.search(self.log(), since)
            if not m and self.proc and self.proc.poll() is not None:
                raise AssertionError(f"dutybot exited ({self.proc.returncode}) before logging "
                                     f"{rx.pattern!r}; log tail:\n{self.log_tail(30)}")
            return m
        try:
            return _wait_until(found, timeout, f"{rx.pattern!r} in the dutybot log")
        except AssertionError as e:
            if "log tail" in str(e):
                raise
            raise AssertionError(f"{e}; log tail:\n{self.log_tail(30)}") from None
