"""End-to-end, a real day at the default limits: the abuse guard stops chat
friends' floods and never a working minister, and answers that carry personal
data go privately wherever the command was typed.

The department of the seeds (tests/e2e/realday.py) on the daemon's own
defaults: chat friends 20 a minute with a burst of 5 (the excess dropped,
told once per flood), staff 120 a minute with a burst of 30 (the excess waits
its turn, in order, never dropped).  With Redis down nobody's role is known:
everyone is held to a chat friend's limits.  A friend made staff is heard at
once, even in the middle of their own flood."""

import time
import unittest

from realday import RealDayE2E

MONDAY = "2026-03-02T07:55:00Z"


def days(n):
    """2026-03-03, 2026-03-04, ... (n of them; March has room)."""
    return [f"2026-03-{d:02d}" for d in range(3, 3 + n)]


class Guard(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": MONDAY}

    def roster_lines(self, n):
        """N distinct roster lines of a minister setting up the weeks ahead,
        and the answer each gets."""
        lines = []
        for date in days(14):
            for shift, who, name in (("early", "mia", "Mia Keller [CCS]"), ("late", "ana", "Ana Horvat [PAM]"),
                                     ("night", "sara", "Sara Ruiz [SAM]")):
                lines.append((f"!roster add {date} {shift} {who}",
                              f"Roster updated: {shift} on {date} — agents {name}."))
        return lines[:n]

    def test_twelve_roster_lines_typed_at_once_are_all_done_in_order(self):
        lines = self.roster_lines(12)
        # pasted: the twelve lines arrive in one TCP segment, read in one go
        self.site.command("/burst " + " || ".join(f"mark> {line}" for line, _ in lines))
        self.assertEqual(self.answers_in_lobby(12, timeout=15), [want for _, want in lines])
        self.site.expect_none({"ev": "dm", "to": "mark"}, within=0.5)
        self.assertEqual(self.metric("dutybot_delayed_total"), "0")     # well inside the staff's burst
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-06", "night"), "agents"), "sara")
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-03", "early"), "agents"), "mia")

    def test_forty_roster_lines_wait_their_turn_and_are_all_done_in_order(self):
        lines = self.roster_lines(40)
        for line, _ in lines:
            self.site.say("mark", line)
        # 30 at once, then two a second: the last ten come within about five seconds
        self.assertEqual(self.answers_in_lobby(40, timeout=20), [want for _, want in lines])
        notices = self.site.all({"ev": "dm", "to": "mark"})
        self.assertEqual(len(notices), 1, notices)
        self.assertRegex(notices[0]["text"], r"^Mark Novak, you are sending commands faster than I run them: "
                                 r"the next ones wait their turn and are all done, in order "
                                 r"\(in about \d+ s\)\.$")
        # told once, and never that anything was ignored
        self.assertEqual(len(self.site.all({"ev": "dm", "to": "mark"})), 1)
        self.assertEqual(self.site.all({"text": lambda t: "ignored" in t}), [])
        for date in days(13):
            self.assertEqual(self.redis.cmd("HGET", self.key("roster", date, "late"), "agents"), "ana", date)
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-16", "early"), "agents"), "mia")
        # 30 ran at once; of the other ten, those typed before a token came back waited
        self.assertIn(int(self.metric("dutybot_delayed_total")), range(1, 11))
        self.assertEqual(self.metric("dutybot_throttled_total"), "0")
        self.assertEqual(self.metric("dutybot_delayed"), "0")

    def test_a_german_agent_flooding_waits_too_and_is_told_in_german(self):
        self.site.command("/burst " + " || ".join(["tom> !ping"] * 35))
        pongs = self.answers_in_lobby(35, timeout=15)
        self.assertEqual(pongs, ["pong"] * 35)
        notices = self.site.all({"ev": "dm", "to": "tom"})
        self.assertEqual(len(notices), 1, notices)
        notice = notices[0]["text"]
        self.assertTrue(notice.startswith("Tom Berger [TRN], du sendest Befehle schneller, als ich sie ausführe: "
                                          "Die nächsten warten, bis sie dran sind, und werden alle der Reihe "
                                          "nach erledigt"), notice)
        self.assertEqual(len(self.site.all({"ev": "dm", "to": "tom"})), 1)
        self.assertEqual(self.metric("dutybot_delayed_total"), "5")     # 30 at once, 5 waited

    def test_a_friends_flood_is_held_back_and_told_once(self):
        for _ in range(30):
            self.site.say("lina", "!ping")
        self.site.wait({"ev": "dm", "to": "lina", "text": "Lina, you are sending commands too fast. "
                                                          "The extra ones are ignored; wait "}, timeout=10)
        self.site.expect_none({"ev": "dm", "to": "lina"}, within=1.5)
        pongs = self.site.all({"ev": "send", "room": "lobby", "text": "pong"})
        # the burst of 5, and at most one more for the token that came back meanwhile
        self.assertGreaterEqual(len(pongs), 5)
        self.assertLessEqual(len(pongs), 6)
        self.assertEqual(len(self.site.all({"ev": "dm", "to": "lina"})), 1)
        # nobody else is slowed, staff least of all
        self.site.skip()
        self.ask("mark", "!ping", "pong")
        throttled = int(self.metric("dutybot_throttled_total"))
        self.assertEqual(throttled, 30 - len(pongs))

    def test_a_friends_flood_in_spanish_is_told_in_spanish(self):
        self.ask("lina", "!lang es", "Idioma")
        for _ in range(12):
            self.site.say("lina", "!ping")
        self.site.wait({"ev": "dm", "to": "lina", "text": "Lina, estás enviando comandos demasiado rápido. "
                                                          "Los que sobran se ignoran; espera "}, timeout=10)
        self.site.expect_none({"ev": "dm", "to": "lina"}, within=1.0)
        self.assertLessEqual(len(self.site.all({"ev": "send", "room": "lobby", "text": "pong"})), 5)

    def test_a_long_flood_of_a_known_friend_mostly_stops_before_redis(self):
        self.ask("lina", "!ping", "pong")
        before = int(self.metric("dutybot_begin_batches_total"))
        start = time.monotonic()
        for _ in range(120):
            self.site.say("lina", "!ping")
        took = time.monotonic() - start
        self.site.wait({"ev": "dm", "to": "lina", "text": "Lina, you are sending commands too fast."}, timeout=10)
        self.site.expect_none({"ev": "dm", "to": "lina"}, within=1.0)
        # 120 lines read one by one: each would be a begin call of its own; while
        # Redis vouches (for a second at a time) that she is a friend, none is
        batches = int(self.metric("dutybot_begin_batches_total")) - before
        self.assertLess(batches, 40, batches)
        # the first ping, the four left of her burst, and one for each 3 s the flood took
        self.assertLessEqual(len(self.site.all({"ev": "send", "room": "lobby", "text": "pong"})),
                             1 + 4 + int(took / 3) + 1)

    def metrics(self):
        import urllib.request
        with urllib.request.urlopen(f"http://127.0.0.1:{self.config.http_port}/metrics", timeout=5) as r:
            return r.read().decode()

    def metric(self, name):
        for line in self.metrics().splitlines():
            if line.startswith(name + " "):
                return line.split()[1]
        raise AssertionError(f"no metric {name}")


class GuardQueueFull(RealDayE2E):
    """A small staff queue (as an operator may set it): what does not fit is
    refused with a clear message, once, naming the first command not run."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": MONDAY}
    EXTRA_CONFIG = {"limits": "{ staff = { per_minute = 600; burst = 2; queue = 3; }; }"}

    def test_what_does_not_fit_the_queue_is_refused_once_and_the_rest_runs_in_order(self):
        self.site.command("/burst " + " || ".join(f"mark> !roster add {d} early mia" for d in days(8)))
        done = [self.site.wait({"ev": "send", "room": "lobby"}, timeout=10)["text"] for _ in range(5)]
        self.assertEqual(done, [f"Roster updated: early on {d} — agents Mia Keller [CCS]." for d in days(5)])
        told = [e["text"] for e in self.site.all({"ev": "dm", "to": "mark"})]
        self.assertEqual(len(told), 2, told)
        self.assertTrue(told[0].startswith("Mark Novak, you are sending commands faster than I run them"), told)
        self.assertRegex(told[1], r'^Mark Novak, 3 of your commands are already waiting, ' r'so "roster add 2026-03-08 early mia" and what you send right after it '
                                          r'were not run\. Send them again in \d+ s\.$')
        self.site.expect_none({"ev": "send", "room": "lobby"}, within=1.0)
        self.site.expect_none({"ev": "dm", "to": "mark"}, within=0.1)
        self.assertIsNone(self.redis.cmd("HGET", self.key("roster", "2026-03-08", "early"), "agents"))
        self.assertEqual(self.redis.cmd("HGET", self.key("roster", "2026-03-07", "early"), "agents"), "mia")

    def test_what_waits_is_done_before_the_daemon_stops(self):
        self.site.command("/burst " + " || ".join(f"mark> !roster add {d} late ana" for d in days(5)))
        self.site.wait({"ev": "dm", "to": "mark", "text": "wait their turn"}, timeout=10)
        self.daemon.stop()
        self.assertEqual(len(self.site.all({"ev": "send", "room": "lobby", "text": "Roster updated: late on"})), 5)
        for d in days(5):
            self.assertEqual(self.redis.cmd("HGET", self.key("roster", d, "late"), "agents"), "ana")


    def test_a_long_chinese_command_is_quoted_back_cut_between_characters(self):
        # wei (zh) hands over in Chinese while four quick pings are still waiting
        handover = ("handover 早班交接：三号线客服系统上午出现过两次短暂故障，已经恢复；VIP客户投诉两起，"
                    "已转给Ana处理；晚班请继续关注工单积压情况，并在二十二点前完成日报。")
        self.site.command("/burst " + " || ".join(["wei> !ping"] * 5 + [f"wei> !{handover}"]))
        self.assertEqual(self.answers_in_lobby(5), ["pong"] * 5)
        told = [e["text"] for e in self.site.all({"ev": "dm", "to": "wei"})]
        self.assertEqual(len(told), 2, told)
        self.assertTrue(told[0].startswith("Wang Wei，你发送命令的速度比我执行得快：后面的命令会排队等候"), told)
        # 80 characters at most, cut after a mark, never inside a character
        self.assertRegex(told[1], r"^Wang Wei，你已有 3 条命令在等待，因此“handover 早班交接：三号线客服系统上午出现过两次"
                                  r"短暂故障，已经恢复；VIP客户投诉两起，已转给Ana处理；晚班请继续关注工单积压情况，…”"
                                  r"及紧随其后发送的命令未被执行。请在 \d+ 秒后重新发送。$")
        self.assertNotIn("\ufffd", told[1])
        self.site.expect_none({"ev": "send", "room": "lobby"}, within=0.5)


class WithoutRedis(RealDayE2E):
    """Redis down: nobody's role can be known, so everyone is held to a chat
    friend's limits (or to what the guard learned of them before): a flood
    gets a bounded number of answers and one notice, in the language the
    guard knows; a line typed at a person's pace is answered, always."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": MONDAY}

    STATE_DOWN = "The state store is unavailable right now, so nothing was done. Please try again in a minute."
    PONG_DOWN = "pong (but the state store is unavailable right now)"

    def flood(self, person, n):
        for _ in range(n):
            self.site.say(person, "!ping")

    def test_a_flood_is_held_back_and_people_typing_slowly_get_answers(self):
        s = self.site
        # known to the guard before the outage: lina reads Spanish, tom German
        self.ask("lina", "!lang es", "Idioma")
        self.ask("lina", "!ping", "pong")
        self.ask("tom", "!ping", "pong")
        self.redis.stop()
        # a chat friend the daemon never saw: 30 lines, 5 answered (a sixth if a token came back)
        self.flood("rex", 30)
        s.wait({"ev": "dm", "to": "rex", "text": "Rex, you are sending commands too fast. "
                                                 "The extra ones are ignored; wait "}, timeout=10)
        s.expect_none({"ev": "dm", "to": "rex"}, within=1.5)
        pongs = len(s.all({"ev": "send", "room": "lobby", "text": self.PONG_DOWN}))
        self.assertIn(pongs, (5, 6))
        self.assertEqual(len(s.all({"ev": "dm", "to": "rex"})), 1)
        # a friend the guard knew: told in her language, answered in it too
        self.flood("lina", 20)
        s.wait({"ev": "dm", "to": "lina", "text": "Lina, estás enviando comandos demasiado rápido. "
                                                  "Los que sobran se ignoran; espera "}, timeout=10)
        s.expect_none({"ev": "dm", "to": "lina"}, within=1.0)
        lina = len(s.all({"ev": "send", "room": "lobby",
                          "text": "pong (pero la base de datos no está disponible en este momento)"}))
        self.assertIn(lina, range(3, 7))    # her !lang and !ping took two of the five
        self.assertEqual(len(s.all({"ev": "dm", "to": "lina"})), 1)
        self.assertEqual(int(self.metric("dutybot_throttled_total")), (30 - pongs) + (20 - lina))
        # staff at a person's pace: every line answered, in their language where the guard knows it
        s.skip()
        for _ in range(3):
            self.ask("tom", "!whoami", "Die Datenbank ist gerade nicht erreichbar, daher wurde nichts ausgeführt. "
                                       "Bitte versuch es in einer Minute noch einmal.")
            self.ask("mark", "!roster 2026-03-03", self.STATE_DOWN)
        s.expect_none({"ev": "dm", "to": "tom"}, within=0.3)
        s.expect_none({"ev": "dm", "to": "mark"}, within=0.1)

    def test_after_a_restart_with_redis_down_a_flood_is_still_held_back(self):
        s = self.site
        self.daemon.stop()
        self.redis.stop()
        self.start_daemon()
        s.wait({"ev": "ready"}, timeout=15)
        # nobody is known now: a minister's pasted flood is held to a friend's limits
        s.command("/burst " + " || ".join(["mark> !ping"] * 30))
        s.wait({"ev": "dm", "to": "mark", "text": "Mark Novak, you are sending commands too fast. "
                                                  "The extra ones are ignored; wait "}, timeout=10)
        s.expect_none({"ev": "dm", "to": "mark"}, within=1.0)
        self.assertEqual(len(s.all({"ev": "send", "room": "lobby", "text": self.PONG_DOWN})), 5)
        # a colleague typing at a person's pace is not slowed
        s.skip()
        self.ask("mia", "!roster", self.STATE_DOWN)
        self.ask("mia", "!ping", self.PONG_DOWN)
        # Redis back: everyone is themselves again, mark at the staff's limits
        self.redis.start()
        deadline = time.monotonic() + 15
        while not (self.metric("dutybot_redis_up") == "1" and
                   self.redis.cmd("HGET", self.key("ident"), "site:u2") == "mark"):
            self.assertLess(time.monotonic(), deadline, "the staff did not come back after Redis did")
            time.sleep(0.2)
        self.ask("mark", "!whoami", "You are Mark Novak, minister, staff id mark")
        s.skip()
        s.command("/burst " + " || ".join(["mark> !ping"] * 12))
        self.assertEqual(self.answers_in_lobby(12), ["pong"] * 12)
        s.expect_none({"ev": "dm", "to": "mark"}, within=0.5)

    metric = Guard.metric
    metrics = Guard.metrics


class FriendMadeStaff(RealDayE2E):
    """A chat friend made staff is heard as staff at once, even if their
    flood was being held back a moment ago."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": MONDAY}

    def test_a_flooding_friend_made_staff_is_answered(self):
        s = self.site
        s.person("newbie", "u42", "Nina Neu")
        for _ in range(10):
            s.say("newbie", "!ping")
        s.wait({"ev": "dm", "to": "newbie", "text": "Nina Neu, you are sending commands too fast. "
                                                    "The extra ones are ignored; wait "}, timeout=10)
        self.ask("mark", '!staff add newbie name="Nina Neu" email=nina@example.org role=agent level=TRN site:u42',
                 "Added Nina Neu [TRN] as agent.")
        # (the time she takes to read it: what Redis said of her flood vouches for a second)
        time.sleep(1.2)
        self.ask("newbie", "!whoami", "You are Nina Neu [TRN], agent, staff id newbie, seen as site:u42.")
        # and at the staff's limits from now on: a pasted dozen, all done
        s.skip()
        s.command("/burst " + " || ".join(["newbie> !ping"] * 12))
        self.assertEqual(self.answers_in_lobby(12), ["pong"] * 12)
        self.assertEqual(len(s.all({"ev": "dm", "to": "newbie"})), 1)

    def test_the_line_over_a_friends_limit_runs_when_its_sender_is_staff_now(self):
        s = self.site
        s.person("kim", "u43", "Kim Lee")
        for _ in range(5):
            self.ask("kim", "!ping", "pong")            # a friend's burst, spent
        self.ask("mark", "!staff link mia site:u43", "site:u43 now belongs to Mia Keller [CCS]")
        # at once, as Mia: the line over the friend's limit runs, and none of the rest is held back
        s.command("/burst " + " || ".join(["kim> !whoami"] + ["kim> !ping"] * 7))
        answers = [s.wait({"ev": "send", "room": "lobby"})["text"] for _ in range(8)]
        self.assertTrue(answers[0].startswith("You are Mia Keller [CCS], agent, staff id mia, seen as site:u43."),
                        answers)
        self.assertEqual(answers[1:], ["pong"] * 7)
        s.expect_none({"ev": "dm", "to": "kim"}, within=0.5)


class PrivateAnswers(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": MONDAY}

    def no_room_message_contains(self, text):
        leaks = self.site.all({"ev": "send", "text": lambda t: text in t})
        self.assertEqual(leaks, [], f"{text!r} was posted in a room")

    def test_leave_and_pending_typed_in_the_lobby_answer_privately_in_german_and_english(self):
        s = self.site
        s.say("tom", "!leave 2026-03-10 Arzt")
        s.wait_all({"ev": "send", "room": "lobby",
                    "text": "Tom Berger [TRN], ich habe dir die Antwort privat geschickt."},
                   {"ev": "dm", "to": "tom", "text": "Abwesenheitsantrag L-1 für 2026-03-10 gestellt"})
        # the approval engine's announcement to ops is not a reply: it stays
        s.wait({"ev": "send", "room": "ops", "text": "L-1 waits for a minister or above"})
        s.skip()
        s.say("mark", "!pending")
        s.wait_all({"ev": "send", "room": "lobby", "text": "Mark Novak, I sent you the answer privately."},
                   {"ev": "dm", "to": "mark",
                    "text": "Waiting for your decision:\nL-1 — leave for Tom Berger [TRN]: 2026-03-10 (from Tom Berger [TRN])"})
        s.expect_none({"ev": "send", "room": "lobby", "text": "L-1"}, within=0.5)
        self.no_room_message_contains("Arzt")
        # the lobby got exactly one short line per command
        self.assertEqual(len(s.all({"ev": "send", "room": "lobby"})), 2)

    def test_typed_privately_there_is_no_notice(self):
        self.site.dm("tom", "!leave 2026-03-11 Arzt")
        self.site.wait({"ev": "dm", "to": "tom", "text": "Abwesenheitsantrag L-1"})
        self.site.expect_none({"ev": "send"}, within=0.5)

    def test_the_notice_is_in_the_callers_language(self):
        self.site.say("tom", "!leave 2026-03-10 Arzt")
        self.site.wait({"ev": "dm", "to": "tom", "text": "L-1"})
        self.site.skip()
        self.site.say("wei", "!pending", room="ops")
        self.site.wait_all({"ev": "send", "room": "ops", "text": "Wang Wei，我已通过私信把回复发给你。"},
                           {"ev": "dm", "to": "wei"})
        self.site.say("vera", "!attendance")
        self.site.wait_all({"ev": "send", "room": "lobby", "text": "Vera Kovacs, a választ privát üzenetben küldtem el neked."},
                           {"ev": "dm", "to": "vera", "text": "Tom Berger [TRN]"})
        self.site.say("sara", "!hours")
        self.site.wait_all({"ev": "send", "room": "lobby", "text": "Sara Ruiz [SAM], te he enviado la respuesta en privado."},
                           {"ev": "dm", "to": "sara", "text": "Sara Ruiz [SAM]"})
        self.no_room_message_contains("Arzt")

    def test_personal_records_go_privately(self):
        s = self.site
        self.ask("mia", "!contacts set phone +49 170 1234567", "Mia Keller [CCS], I sent you the answer privately.")
        s.wait({"ev": "dm", "to": "mia", "text": "Your contact card's phone is saved."})
        for cmd, dm in (("!contacts mia", "+49 170 1234567"),
                        ("!staff show mia", "e-mail: mia@example.org"),
                        ("!audit 5", "contacts"),
                        ("!hours mia", "Mia Keller [CCS], week 2026-W10"),
                        ("!evaluate", "Evaluation")):
            s.say("lemon", cmd)
            s.wait_all({"ev": "send", "room": "lobby", "text": "Lemon Chen, I sent you the answer privately."},
                       {"ev": "dm", "to": "lemon", "text": dm})
        self.no_room_message_contains("1234567")
        self.no_room_message_contains("mia@example.org")
        # a refusal by the table is not personal: it stays where it was asked
        self.ask("lina", "!staff show mia", "!staff show is for minister and above; you are chat friend.")
        # and what carries nothing personal still answers in the room
        self.ask("mark", "!staff list", "Staff (8):")
        self.ask("mia", "!roster 2026-03-03", "Roster of 2026-03-03:")


if __name__ == "__main__":
    unittest.main()
