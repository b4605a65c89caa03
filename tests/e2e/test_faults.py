"""End-to-end faults (issue 17): Redis killed mid-burst, the daemon killed
between a timer's claim and the page, the socket dropped mid-reply-burst, two
daemons on one Redis and one site, the wall clock moved.  Nothing accepted is
lost, nothing is done twice; each test prints what it measured (FAULTS: ...)
so the issue's note can quote it."""

import os
import re
import signal
import socket
import threading
import time
import unittest
import urllib.request

from harness import E2E, STAFF, Daemon, stop_clean, write_config

ENGLISH_STAFF = [{k: v for k, v in p.items() if k != "lang"} for p in STAFF]
SHIFTS = '( { name = "day"; start = "08:00"; end = "16:00"; } )'
NOW = "2026-03-02T10:00:00Z"
DONE = re.compile(r"\b[CG]-(\d+)\b")
NOT_DONE = "nothing was done"


def figures(test, **kv):
    print(f"\nFAULTS {test}: " + ", ".join(f"{k}={v}" for k, v in kv.items()), flush=True)


class RedisKilledMidBurst(E2E):
    """SIGKILL of redis-server (appendonly, appendfsync always) while a burst
    of filings from many people is in flight; restarted on the same port from
    its AOF.  Each command is typed by its own person in its own place, so its
    one answer is found by where it went."""
    REDIS_ARGS = ("--appendonly", "yes", "--appendfsync", "always")
    N = 60

    def command(self, i):
        """(line typed, where its answer goes, the text that marks it in Redis)."""
        token = f"zq{i:03d}"
        if i % 4 == 3:        # staff file for a friend, in a room of their own
            staff = ("lemon", "mark", "mia")[i % 3]      # English: one word for "not done"
            return f"{staff}@r{i}> !complaint new f{i} {token} from the floor", \
                {"ev": "send", "room": f"r{i}"}, token
        if i % 4 == 2:
            return f"friend{i}@dm> !suggest {token} quieter rooms", {"ev": "dm", "to": f"friend{i}"}, token
        return f"friend{i}@dm> !complain {token} the lobby is loud", {"ev": "dm", "to": f"friend{i}"}, token

    def stored(self):
        """token -> [(kind, id)] of every complaint and suggestion in Redis."""
        out = {}
        for kind in ("complaint", "suggestion"):
            for key in self.redis.keys(self.key(kind, "*")):
                if key.count(":") != 3:
                    continue        # complaint:<id>:notes and the like
                text = self.redis.cmd("HGET", key, "text") or ""
                m = re.search(r"zq\d{3}", text)
                if m:
                    out.setdefault(m.group(0), []).append((kind, key.rsplit(":", 1)[1]))
        return out

    def test_every_command_applied_and_answered_done_or_answered_not_done(self):
        self.ask("lemon", "!ping", "pong")
        cmds = [self.command(i) for i in range(self.N)]
        self.site.skip()
        killed = threading.Event()

        def kill_midway():
            # the first third typed: SIGKILL while the daemon works on them
            while sum(1 for e in list(self.site.events) if e.get("ev") == "message") < 1 + self.N // 3:
                time.sleep(0.002)
            self.redis.kill()
            killed.set()
        killer = threading.Thread(target=kill_midway)
        killer.start()
        for line, _, _ in cmds:
            self.site.type(line)
            time.sleep(0.01)
        killer.join(10)
        self.assertTrue(killed.is_set())
        time.sleep(0.5)
        self.redis.start()          # same port, same dir: the AOF is read back
        answers = {}
        for line, where, token in cmds:
            answers[token] = self.site.wait(where, timeout=20, consume=False)["text"]
        time.sleep(1.0)             # nothing more may come
        stored = self.stored()
        done = refused = lost = half = twice = applied_refused = 0
        for line, where, token in cmds:
            got = self.site.all(lambda e, w=where: e.get("ev") in ("send", "dm") and all(
                e.get(k) == v for k, v in w.items()))
            self.assertEqual(len(got), 1, f"{line}: answered {len(got)} times: {got}")
            text, rows = got[0]["text"], stored.get(token, [])
            if len(rows) > 1:
                twice += 1
            if NOT_DONE in text:
                refused += 1
                applied_refused += bool(rows)
            elif DONE.search(text):
                done += 1
                if not rows:
                    lost += 1
                elif DONE.search(text).group(0) != rows[0][1]:
                    half += 1       # answered with another id than the one stored
            else:
                self.fail(f"{line}: neither done nor not done: {text!r}")
        # nothing half written: every record is in its index, every index entry has its record
        created = set(self.redis.cmd("ZRANGE", self.key("complaints", "created"), 0, -1))
        suggestions = set(self.redis.cmd("ZRANGE", self.key("suggestions"), 0, -1))
        records = {(k, i) for rows in stored.values() for k, i in rows}
        self.assertEqual({i for k, i in records if k == "complaint"}, created)
        self.assertEqual({i for k, i in records if k == "suggestion"}, suggestions)
        replayed = sum(int(n) for n in re.findall(r"redis: (\d+) call\(s\) in flight", self.daemon.log()))
        with urllib.request.urlopen(f"http://127.0.0.1:{self.config.http_port}/metrics", timeout=5) as r:
            metric = re.search(r"^dutybot_redis_calls_resent_total (\d+)$", r.read().decode(), re.M)
        self.assertEqual(int(metric.group(1)), replayed)
        figures("redis SIGKILL mid-burst", faults=1, sent=self.N, done=done, refused=refused,
                lost=lost, half_done=half, duplicates=twice, applied_but_refused=applied_refused,
                calls_sent_again=replayed)
        self.assertGreater(done, 0, "the kill came before any command: no fault mid-burst")
        self.assertGreater(refused, 0, "the kill came after the burst: no fault mid-burst")
        self.assertEqual(done + refused, self.N)
        self.assertEqual((lost, half, twice, applied_refused), (0, 0, 0, 0))
        # and the store is whole again: a command after the restart is done
        self.ask("friend999", "!complain after the restart", "was received", room="dm")


    def test_a_call_sent_again_runs_once_and_gets_the_same_reply(self):
        """What the daemon does after a lost reply, done by hand: the call it
        sent (seen with MONITOR), under a once key of the test's, sent twice
        runs once and answers the same twice; another key runs it again (the
        control).  The daemon's own once key is deleted once its reply came."""
        mon = Monitor(self.redis.port, self)
        self.addCleanup(mon.close)
        self.ask("friend1", "!complain zq001 the lobby is loud", "Your complaint C-1 was received", room="dm")
        call = mon.next_call(lambda args: args[0].lower() == "evalsha" and "complaint" in " ".join(args[3:6])
                             and "zq001 the lobby is loud" in args)
        nkeys = int(call[2])
        once = call[2 + nkeys]
        self.assertIn(":once:", once, "the once key is the last of the keys")
        created = lambda: self.redis.cmd("ZCARD", self.key("complaints", "created"))
        mine = list(call)
        mine[2 + nkeys] = once + ":test"
        first = self.redis.cmd(*mine)
        self.assertIn("C-2", first)
        self.assertEqual(self.redis.cmd(*mine), first)              # sent again: the kept reply
        self.assertEqual(created(), 2)
        ttl = self.redis.cmd("PTTL", mine[2 + nkeys])
        self.assertTrue(0 < ttl <= 30000, ttl)
        mine[2 + nkeys] = once + ":other"
        self.assertIn("C-3", self.redis.cmd(*mine))               # the control: a new key runs
        self.assertEqual(created(), 3)
        deadline = time.monotonic() + 5
        while self.redis.cmd("EXISTS", once) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.redis.cmd("EXISTS", once), 0, "the daemon's kept reply is deleted")

class KilledBetweenClaimAndSend(E2E):
    """The daemon SIGKILLed after a timer's script claimed its step and put
    the page (a scheduled notice) in the outbox, before the platform took it.
    Deterministic: "/lose 1 dm" (or system) makes the site take that one frame
    and never answer it nor show it, as if the daemon died while it was on its
    way; the daemon is killed once the site saw it go.  The outbox entry is
    then pending in the consumer group, unacknowledged; the restarted daemon
    (another consumer) takes it over once it has waited DELIVER_RECLAIM_MS
    (30 s) and sends it: shown exactly once."""
    CONFIG = {"shifts": SHIFTS,
              "escalation": '{ ack_timeout = "3s"; repeat = 0;'
                            ' chain = ( "shift_lead", "duty_minister", "webmasters" ); }'}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": NOW}

    def config_overrides(self):
        return dict(self.CONFIG, staff=ENGLISH_STAFF)

    def pending(self):
        try:
            return self.redis.cmd("XPENDING", self.key("outbox"), "senders")[0]
        except Exception:       # no group yet
            return 0

    def kill_after_the_loss(self, kind):
        self.site.wait({"ev": "action_lost", "type": kind}, timeout=15)
        # at once: the daemon sends an unanswered action again after a while
        self.daemon.kill()
        self.site.wait({"ev": "closed"})
        self.assertGreaterEqual(self.pending(), 1, "the lost piece's entry is pending, not acknowledged")

    def test_the_claimed_page_is_sent_once_by_the_restarted_daemon(self):
        self.ask("mark", "!roster lead today day vera", "Roster updated")
        self.ask("mark", "!roster minister today day mark", "Roster updated")
        self.ask("mia", "!emergency the payment page is down", "Emergency E-1 raised")
        self.site.wait_all({"ev": "dm", "to": "vera", "text": "EMERGENCY E-1"},
                           {"ev": "dm", "to": "mia", "text": "Your emergency E-1: paging the shift's lead"})
        # the next step (3 s on) pages Mark: a page and an alerts line; the page is lost
        self.site.command("/lose 1 dm")
        self.kill_after_the_loss("dm")
        self.assertEqual(self.site.all({"ev": "dm", "to": "mark"}), [])
        killed = time.monotonic()
        self.start_daemon(DUTYBOT_FAKE_NOW="2026-03-02T10:00:10Z")
        self.site.wait({"ev": "dm", "to": "mark", "text": "EMERGENCY E-1"}, timeout=60)
        waited = time.monotonic() - killed
        self.ask("mark", "!ack E-1", "E-1 acknowledged.")
        self.site.expect_none({"ev": "dm", "to": "mark"}, within=2.0)
        pages = self.site.all({"ev": "dm", "to": "mark", "text": "EMERGENCY E-1"})
        told = self.site.all({"ev": "send", "room": "alerts", "text": "paging the minister on duty"})
        figures("daemon SIGKILL between claim and page", faults=1, pages_lost_in_flight=1,
                pages_shown=len(pages), step_announced=len(told), duplicates=len(pages) - 1,
                seconds_to_resend=round(waited, 1))
        self.assertEqual(len(pages), 1, pages)
        self.assertEqual(len(told), 1, told)
        self.assertEqual(self.pending(), 0)

    def test_the_claimed_scheduled_notice_is_sent_once_by_the_restarted_daemon(self):
        self.daemon.stop()
        self.start_daemon(DUTYBOT_FAKE_NOW="2026-03-02T10:00:56Z")
        self.site.wait({"ev": "ready"}, timeout=20)
        self.ask("mark", "!notify lobby at 10:01 [System] Quiz starts now!", "Draft N-1")
        self.ask("mark", "!notify confirm N-1", "N-1 scheduled for lobby at 2026-03-02 10:01.")
        self.site.command("/lose 1 system")
        self.kill_after_the_loss("system")
        self.assertIsNone(self.redis.cmd("ZSCORE", self.key("timers"), "notice|N-1"))   # the timer is done
        killed = time.monotonic()
        self.start_daemon(DUTYBOT_FAKE_NOW="2026-03-02T10:01:10Z")
        self.site.wait({"ev": "system", "room": "lobby", "text": "[System] Quiz starts now!"}, timeout=60)
        waited = time.monotonic() - killed
        self.site.expect_none({"ev": "system"}, within=2.0)
        shown = self.site.all({"ev": "system"})
        figures("daemon SIGKILL between claim and scheduled notice", faults=1, notices_lost_in_flight=1,
                notices_shown=len(shown), duplicates=len(shown) - 1, seconds_to_resend=round(waited, 1))
        self.assertEqual(len(shown), 1, shown)
        self.assertEqual(self.pending(), 0)



class DroppedMidReplyBurst(E2E):
    """The site drops the TCP connection (no close frame) while 30 replies
    are on their way (paced at 10 a second, so that the drop falls inside the
    burst): after the reconnect every reply is shown exactly once."""
    N = 30

    def setUp(self):
        super().setUp()
        self.daemon.stop()
        text = open(self.config.path).read()
        open(self.config.path, "w").write(text.replace('type = "site";', 'type = "site"; max_send_rate = 10;'))
        self.start_daemon()
        self.site.wait({"ev": "ready"}, timeout=20)

    def test_every_reply_once_after_the_reconnect(self):
        self.ask("mia", "!ping", "pong")
        self.site.skip()
        self.site.command("/burst " + " || ".join(f"mia@q{i}> !whoami" for i in range(self.N)))
        shown = lambda: len(self.site.all({"ev": "send", "text": "You are Mia Keller"}))
        deadline = time.monotonic() + 10
        while shown() < self.N // 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        before = shown()
        self.site.command("/drop")
        self.site.wait({"ev": "closed"})
        self.site.wait({"ev": "ready"}, timeout=20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(
                not self.site.all({"ev": "send", "room": f"q{i}"}) for i in range(self.N)):
            time.sleep(0.1)
        time.sleep(2.0)         # nothing more may come
        per_room = {i: self.site.all({"ev": "send", "room": f"q{i}"}) for i in range(self.N)}
        twice = sum(1 for got in per_room.values() if len(got) > 1)
        lost = sum(1 for got in per_room.values() if not got)
        figures("socket dropped mid reply burst", faults=1, replies=self.N, shown_before_drop=before,
                after_reconnect=self.N - before, lost=lost, duplicates=twice)
        self.assertLess(before, self.N, "the drop came after the burst")
        for i, got in per_room.items():
            self.assertEqual(len(got), 1, f"q{i}: {got}")
            self.assertIn("You are Mia Keller", got[0]["text"])



def unquote(s):
    """A MONITOR argument as Redis quoted it (sdscatrepr) back to bytes."""
    out, i = bytearray(), 0
    esc = {"n": 10, "r": 13, "t": 9, "a": 7, "b": 8, '"': 34, "\\": 92}
    while i < len(s):
        if s[i] == "\\" and s[i + 1] == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif s[i] == "\\":
            out.append(esc[s[i + 1]])
            i += 2
        else:
            out.append(ord(s[i]))
            i += 1
    return bytes(out).decode("utf-8", errors="surrogateescape")


class Monitor:
    """MONITOR on Redis: the "now" of every timer claim (timer_claim.lua's
    arguments: ... now, lease 30000, limit 20) as Redis runs it."""

    def __init__(self, port, test):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"MONITOR\r\n")
        self.rfile = self.sock.makefile("rb")
        test.assertEqual(self.rfile.readline(), b"+OK\r\n")

    def next_call(self, match, timeout=10):
        """The next call (its arguments, unquoted) MATCH accepts."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.rfile.readline().decode("latin-1")
            args = [unquote(a) for a in re.findall(r'"((?:[^"\\]|\\.)*)"', line)]
            if args and match(args):
                return args
        raise AssertionError("no such call within %gs" % timeout)

    def next_claim(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.rfile.readline().decode(errors="replace")
            m = re.search(r':timers" (?:"[^"]*:once:[^"]*" )?"(\d+)" "30000" "20"\s*$', line)
            if m:
                return int(m.group(1))
        raise AssertionError("no timer claim within %gs" % timeout)

    def close(self):
        self.rfile.close()
        self.sock.close()


class TwoDaemons(E2E):
    """Two daemons on one Redis and one site (two connections to the same
    demo site, which gives every message to both): each command is answered
    once, each timer fires once.  Then one is killed while it holds a timer it
    claimed and had not fired: the other answers on, and fires that timer once
    its lease ran out.  Their clocks start at NOW (the second one's moved on
    by the time between the starts, so both read the same time)."""
    CONFIG = {"escalation": '{ ack_timeout = "4s"; repeat = 0; chain = ( "ministers", "webmasters" ); }'}
    NOW_MS = 1772445640000      # 2026-03-02T10:00:40Z
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": str(NOW_MS)}

    def setUp(self):
        self.started = time.monotonic()
        super().setUp()
        cfg2 = write_config(os.path.join(self.tmp, "second.cfg"), redis_port=self.redis.port,
                            site=self.config.site, token=self.config.token,
                            site_port=self.config.site_port, **self.config_overrides())
        now = self.NOW_MS + int((time.monotonic() - self.started) * 1000)
        self.second = Daemon(cfg2, env={"DUTYBOT_FAKE_NOW": str(now)},
                             log_path=os.path.join(self.tmp, "second.log"))
        self.addCleanup(stop_clean, self.second)
        # a failure while one is frozen must not leave it deaf to the SIGTERM
        # above (cleanups run last registered first)
        self.addCleanup(self.thaw, self.second)
        self.site.wait({"ev": "ready"}, timeout=20)
        self.assertEqual(len(self.site.all({"ev": "ready"})), 2)
        self.first = self.daemon
        self.addCleanup(self.thaw, self.first)

    def thaw(self, daemon):
        if daemon.proc.poll() is None:
            os.kill(daemon.proc.pid, signal.SIGCONT)

    def answered_once_each(self, lines):
        """Type LINES (each in its own room or dm); each gets exactly one answer."""
        self.site.command("/burst " + " || ".join(line for line, _ in lines))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(not self.site.all(w) for _, w in lines):
            time.sleep(0.1)
        time.sleep(1.5)
        counts = [len(self.site.all(w)) for _, w in lines]
        lost, twice = counts.count(0), sum(1 for c in counts if c > 1)
        return lost, twice

    def test_commands_and_timers_once_and_the_survivor_carries_on(self):
        # timers: five notices due at 10:01, each shown once
        for i in range(1, 6):
            self.ask("lemon", f"!notify lobby at 10:01 [System] Notice number {i}.", f"Draft N-{i}")
            self.ask("lemon", f"!notify confirm N-{i}", "scheduled")
        # commands: 20 questions and 20 complaints, each from its own place
        lines = [(f"mia@w{i}> !whoami", {"ev": "send", "room": f"w{i}"}) for i in range(20)]
        lines += [(f"pal{i}@dm> !complain p2{i:03d} too loud", {"ev": "dm", "to": f"pal{i}"}) for i in range(20)]
        lost, twice = self.answered_once_each(lines)
        stored = [k for k in self.redis.keys(self.key("complaint", "*")) if k.count(":") == 3]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(self.site.all({"ev": "system"})) < 5:
            time.sleep(0.2)
        time.sleep(2.0)
        notices = [e["text"] for e in self.site.all({"ev": "system"})]
        fired = {n: notices.count(f"[System] Notice number {n}.") for n in range(1, 6)}
        figures("two daemons, both up", daemons=2, commands=len(lines), lost=lost, duplicates=twice,
                complaints_stored=len(stored), timers=5, timers_fired=sum(fired.values()))
        self.assertEqual((lost, twice), (0, 0))
        self.assertEqual(len(stored), 20)
        self.assertEqual(fired, {n: 1 for n in range(1, 6)})

        # the first daemon alone claims the escalation's next step (the second is
        # stopped), Redis holds the claim (CLIENT PAUSE) until the first is
        # frozen too, runs it, and the first is killed: a lease nobody fires.
        # A daemon has one claim in flight at a time and arms the next for the
        # earliest due time its claim returned, at most 2 s on: after a claim
        # less than 2 s before the step is due, the next claim comes at the
        # due time.  Writes are held right after such a claim, so that one
        # waits in Redis.  A claim too close to the due time (under 0.3 s, no
        # time to hold writes) lets the step go: that emergency is
        # acknowledged and another raised.
        os.kill(self.second.proc.pid, signal.SIGSTOP)
        for attempt in range(1, 4):
            eid = f"E-{attempt}"
            self.ask("mia", f"!emergency the lobby is flooded ({attempt})", f"Emergency {eid} raised")
            self.site.wait({"ev": "dm", "to": "mark", "text": f"EMERGENCY {eid}"})
            created = int(self.redis.cmd("HGET", self.key("emergency", eid), "created"))
            due = created + 4000                      # the daemons' clock, ms
            claims = Monitor(self.redis.port, self)
            at = claims.next_claim(timeout=5)
            while at <= due - 2000:
                at = claims.next_claim(timeout=5)
            if at < due - 300:
                self.redis.cmd("CLIENT", "PAUSE", 10000, "WRITE")
                break
            claims.close()
            self.ask("lemon", f"!ack {eid}", f"{eid} acknowledged.")
        else:
            self.fail("three emergencies, each claimed less than 0.3 s before its step was due")
        time.sleep((due - at) / 1000 + 0.5)         # the claim at the due time is sent, and held
        os.kill(self.first.proc.pid, signal.SIGSTOP)
        self.redis.cmd("CLIENT", "UNPAUSE")
        time.sleep(0.3)
        lease = self.redis.cmd("ZSCORE", self.key("timers"), f"esc|{eid}")
        self.first.kill()
        claims.close()
        os.kill(self.second.proc.pid, signal.SIGCONT)
        killed = time.monotonic()
        self.assertGreater(float(lease) - created, 25000, "the first daemon holds the step's lease")
        self.assertEqual(self.site.all({"ev": "dm", "to": "lemon", "text": f"EMERGENCY {eid}"}), [])
        # the survivor answers on
        lines = [(f"mia@k{i}> !whoami", {"ev": "send", "room": f"k{i}"}) for i in range(10)]
        lost2, twice2 = self.answered_once_each(lines)
        # and pages the webmasters once the lease ran out
        self.site.wait({"ev": "dm", "to": "lemon", "text": f"EMERGENCY {eid}"}, timeout=45)
        after = time.monotonic() - killed
        self.ask("lemon", f"!ack {eid}", f"{eid} acknowledged.")
        self.site.expect_none({"ev": "dm", "to": "lemon", "text": f"EMERGENCY {eid}"}, within=2.0)
        pages = self.site.all({"ev": "dm", "to": "lemon", "text": f"EMERGENCY {eid}"})
        figures("two daemons, one killed holding a lease", faults=1, commands=len(lines), lost=lost2,
                duplicates=twice2, leased_steps=1, attempts=attempt, fired_by_survivor=len(pages),
                seconds_after_kill=round(after, 1))
        self.assertEqual((lost2, twice2), (0, 0))
        self.assertEqual(len(pages), 1, pages)
        self.assertGreater(after, 20, "fired before the lease ran out")



class ClockJumps(E2E):
    """The wall clock moves: the daemon restarted an hour ahead, then an hour
    back, then on to the next notice's time.  Only what is due fires, once;
    nothing not yet due fires, nothing is lost."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": NOW}

    def restart_at(self, when):
        self.daemon.stop()
        self.site.wait({"ev": "closed"})
        self.start_daemon(DUTYBOT_FAKE_NOW=when)
        self.site.wait({"ev": "ready"}, timeout=20)
        time.sleep(3.0)         # more than a poll of the timers (2 s)

    def shown(self):
        texts = [e["text"] for e in self.site.all({"ev": "system"})]
        return {n: texts.count(f"[System] Notice at {t}.") for n, t in ((1, "10:30"), (2, "11:30"), (3, "12:30"))}

    def test_forward_and_back_an_hour(self):
        for n, t in ((1, "10:30"), (2, "11:30"), (3, "12:30")):
            self.ask("lemon", f"!notify lobby at {t} [System] Notice at {t}.", f"Draft N-{n}")
            self.ask("lemon", f"!notify confirm N-{n}", f"N-{n} scheduled for lobby at 2026-03-02 {t}.")
        steps = []
        for when, want in (("2026-03-02T11:00:00Z", {1: 1, 2: 0, 3: 0}),     # an hour ahead
                           ("2026-03-02T10:00:00Z", {1: 1, 2: 0, 3: 0}),     # and back
                           ("2026-03-02T11:30:05Z", {1: 1, 2: 1, 3: 0})):    # on to N-2's time
            self.restart_at(when)
            steps.append((when, self.shown()))
            self.assertEqual(steps[-1][1], want, when)
        self.assertEqual(int(self.redis.cmd("ZSCORE", self.key("timers"), "notice|N-3")),
                         1772454600000, "N-3 still waits for 12:30")
        self.ask("lemon", "!notify list", "N-3 scheduled lobby 2026-03-02 12:30")
        figures("clock jumps", faults=3, jumps="+1h,-1h,+1.5h", timers=3,
                shown_after_each=[list(c.values()) for _, c in steps], fired_early=0, duplicates=0, lost=0)

if __name__ == "__main__":
    unittest.main()
