"""End-to-end: secrets. The platform tokens never appear in the daemon's log
(at debug, through traffic, a DM, a reload and a reconnect) nor in /metrics;
a config or token file readable by others is warned about by --check-config
and at start (a reload here), and the exit code does not change."""

import os
import signal
import subprocess
import urllib.request

from harness import _binary
from platforms import DiscordWorld, PlatformCase, SlackWorld


class TokensStayOut:
    """Mixed into a PlatformCase; TOKENS are the world's secrets."""

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.config.http_port}/metrics", timeout=5) as r:
            return r.read().decode()

    def test_no_token_in_the_log_or_metrics(self):
        self.ask("mia", "!ping", "pong")
        self.ask("mia", "whoami", "Mia Keller", channel="dm")
        mark = self.daemon.log_mark()
        os.kill(self.daemon.proc.pid, signal.SIGHUP)               # the tokens are read again
        self.daemon.wait_log("configuration reloaded", since=mark)
        self.drop_connection()                                    # and sent again
        self.ask("mia", "!ping", "pong", timeout=20)
        with open(self.config.path, encoding="utf-8") as f:
            self.assertIn('log_level = "debug"', f.read())         # every line the daemon has
        text = self.daemon.log() + self.metrics()
        self.assertIn("dutybot_", text)                            # /metrics was read
        for token in self.TOKENS:
            self.assertNotIn(token, text)
            # nor a telling piece of it (a token cut short by a log line's width)
            self.assertNotIn(token[-12:], text)


class DiscordTokens(TokensStayOut, PlatformCase):
    WORLD = DiscordWorld
    TOKENS = (DiscordWorld.TOKEN,)

    def drop_connection(self):
        self.fake.misbehave(action="close", code=4009)           # identifies again, with the token
        self.fake.wait_for(lambda s: s["gateway"]["identifies"] >= 2, timeout=15, what="a new identify")


class SlackTokens(TokensStayOut, PlatformCase):
    WORLD = SlackWorld
    TOKENS = (SlackWorld.APP, SlackWorld.BOT)

    def drop_connection(self):
        self.fake.misbehave(action="disconnect", reason="refresh_requested")


class ReadableByOthers(PlatformCase):
    WORLD = DiscordWorld

    def check(self):
        return subprocess.run([_binary("DUTYBOT_BIN"), "--check-config", "-c", self.config.path],
                              capture_output=True, text=True, timeout=20)

    def test_check_config_and_a_reload_warn_and_the_exit_code_stays(self):
        path = self.config.path
        os.chmod(path, 0o600)
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("readable by others", r.stderr)
        os.chmod(path, 0o644)
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("configuration OK", r.stdout)
        self.assertIn(f"{path} is readable by others (mode 0644): chmod 600 it\n", r.stderr)
        mark = self.daemon.log_mark()
        os.kill(self.daemon.proc.pid, signal.SIGHUP)
        self.daemon.wait_log(r"config: .* is readable by others \(mode 0644\): chmod 600 it", since=mark)
        self.daemon.wait_log("configuration reloaded", since=mark)
        self.ask("mia", "!ping", "pong")                          # still running
