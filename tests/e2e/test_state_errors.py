"""End-to-end: when Redis refuses a command, its own words stay in the log.

Redis out of memory (maxmemory 1 byte, noeviction) refuses every write with
"OOM command not allowed when used memory > 'maxmemory'", and a script's
error names the script's file and line.  That text is for the operator: the
person gets "nothing was changed" with a reference ("ref E<n>") that finds
the log line, in their language; nothing is changed, and once Redis has room
again the same command works.  With the store down, !ping (the one command
that runs without it) still passes its role gate.
"""

import re
import signal

from harness import E2E


class RedisRefuses(E2E):
    def test_an_oom_error_is_logged_and_the_person_gets_a_reference(self):
        self.ask("mia", "!ping", "pong")
        swaps_before = self.redis.cmd("KEYS", self.key("swap", "*"))
        self.redis.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction")
        self.redis.cmd("CONFIG", "SET", "maxmemory", "1")
        try:
            mark = self.daemon.log_mark()
            got = self.ask("mia", "!duty", "nothing was changed")
            self.assertRegex(got["text"], r"\(ref E\d+\)")
            for word in ("OOM", "maxmemory", "ERR", "script", "@user_script", ".lua"):
                self.assertNotIn(word, got["text"])
            ref = re.search(r"ref E\d+", got["text"]).group(0)
            # the operator finds the person's reference, with Redis's words, in the log
            self.daemon.wait_log(r"failed \(" + ref + r"\): .*OOM", since=mark)
            # a German reader gets it in German, with a reference of its own
            got = self.ask("tom", "!duty", "es wurde nichts geändert")
            self.assertRegex(got["text"], r"\(ref E\d+\)")
            self.assertNotIn(ref + ")", got["text"])
            self.assertNotIn("OOM", got["text"])
        finally:
            self.redis.cmd("CONFIG", "SET", "maxmemory", "0")
        self.assertEqual(self.redis.cmd("KEYS", self.key("swap", "*")), swaps_before)
        self.ask("mia", "!ping", "pong")
        got = self.ask("mia", "!duty", "")
        self.assertNotIn("nothing was changed", got["text"])


class RedisDown(E2E):
    def test_with_the_store_down_staff_are_answered_in_their_language(self):
        self.ask("mia", "!ping", "pong")
        self.redis.stop()
        # tom's first words (no language learned from an earlier answer):
        # who tom is comes from the config now: German, and !ping (friends may) still runs
        self.ask("tom", "!ping", "pong (aber die Datenbank ist gerade nicht erreichbar)", timeout=15)
        self.ask("tom", "!duty", "Die Datenbank ist gerade nicht erreichbar", timeout=15)
        # someone the config does not know gets the connection's language
        self.ask("stranger", "!ping", "pong (but the state store is unavailable right now)", timeout=15)


class StopWhileLoadingScripts(E2E):
    START_DAEMON = False

    def test_sigterm_while_redis_loads_the_scripts_still_stops(self):
        # Redis holds every command for 3 s: the daemon connects and waits in
        # "loading scripts" when the service manager stops it.  The script
        # load's late answer once set the closing connection "up" again; it
        # then reconnected forever and never exited.
        self.redis.cmd("CLIENT", "PAUSE", "3000", "ALL")
        daemon = self.start_daemon()
        daemon.wait_log(r"redis: state change connecting -> loading scripts", timeout=10)
        daemon.proc.send_signal(signal.SIGTERM)
        self.assertEqual(daemon.proc.wait(15), 0)
        self.assertNotIn("closing -> up", daemon.log())
