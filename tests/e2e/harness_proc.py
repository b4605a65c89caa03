"""Part of the end-to-end harness (tests import it through harness.py): free
ports on 127.0.0.1, waiting for a condition, the binaries ctest names, and
children that die with the test process.
"""

from __future__ import annotations

import os
import signal
import socket
import time
import unittest
from typing import Any, Callable


HOST = "127.0.0.1"

# --------------------------------------------------------------------------- ports

_ports_given: set[int] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (and not handed out before by
    this process)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        if port not in _ports_given:
            _ports_given.add(port)
            return port
    raise RuntimeError("no free port found")


def _wait_until(pred: Callable[[], Any], timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def _die_with_parent() -> None:
    """preexec_fn: SIGTERM the child when the test process dies (e.g. killed
    by a ctest timeout), so no redis-server or dutybot is left behind."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _binary(var: str) -> str:
    path = os.environ.get(var)
    if not path:
        raise unittest.SkipTest(f"{var} is not set (ctest sets it to the built binary)")
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest(f"{var}={path} is not an executable")
    return path
