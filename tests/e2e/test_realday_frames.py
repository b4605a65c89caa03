"""End-to-end, a real day at the default limits: one action the site never
answers, or answers with an error it cannot tie to a ref, does not stall the
connection.

The site connection sends one action at a time (max_in_flight = 1), so an
action left without an answer used to hold every reply queued behind it.
Now every action in flight has a deadline (4 s, then 8 s, then 12 s): past
it the action is sent again with the same ref, and after three tries it is
given up - the person whose reply it was is told, in their language, and an
entry of the durable outbox stays pending there and is sent again later
(nothing accepted is lost).  An error without a ref while exactly one action
is in flight is that action's error (a site that cannot read a frame cannot
name its ref): the queue behind it moves on at once.

The demo site misbehaves on request: "/garble N" answers the next N actions
with bad_request and no ref, "/lose N [TYPE]" leaves the next N actions (of
TYPE) unanswered and unshown, as if the frame were lost."""

import re
import time

from realday import RealDayE2E

MONDAY = "2026-12-07T09:00:00Z"

# !whoami typed privately: each person's answer starts with these words
WHOAMI = {
    "mia": "You are Mia Keller",
    "tom": "Du bist Tom Berger",
    "sara": "Eres Sara Ruiz",
    "ana": "You are Ana Horvat",
    "wei": "你是",
}

ACK_TIMEOUT = 4.0        # bot/platform/site_private.h SITE_ACK_TIMEOUT_MS
GIVE_UP_AFTER = 4 + 8 + 12


def ref_no(ev):
    return int(ev["ref"].lstrip("c"))


class Frames(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": MONDAY}

    def whoami_burst(self, *people):
        """PEOPLE each type !whoami in the lobby, all in one TCP segment, so
        their answers are queued behind the first one while it is in flight."""
        self.site.type("/burst " + " || ".join(f"{p}> !whoami" for p in people))

    @staticmethod
    def answer(person):
        return {"ev": "send", "room": "lobby", "text": lambda t: t.startswith(WHOAMI[person])}

    def answer_to(self, person, timeout=10.0, consume=False):
        return self.site.wait(self.answer(person), timeout=timeout, consume=consume)

    def test_whoami_texts(self):
        # the texts the other tests look for, one person at a time
        for p in WHOAMI:
            self.site.say(p, "!whoami")
            self.answer_to(p, consume=True)

    def test_error_without_ref_is_the_answer_to_the_one_action_in_flight(self):
        self.site.command("/garble 1")
        self.site.skip()
        mark = self.daemon.log_mark()
        start = time.monotonic()
        self.whoami_burst("tom", "mia", "sara", "ana")
        garbled = self.site.wait({"ev": "action_garbled"})
        # tom's answer was first in line; the site could not read it and said so without a ref
        self.assertEqual(garbled["type"], "send")
        self.daemon.wait_log(r"site error without a ref: bad_request frame could not be read; taking it as "
                             r"the answer to %s \(send to lobby: \"Du bist Tom Berger" % re.escape(garbled["ref"]),
                             since=mark)
        # the three queued behind it arrive at once, in the order they were queued
        answers = [self.answer_to(p) for p in ("mia", "sara", "ana")]
        self.assertLess(time.monotonic() - start, ACK_TIMEOUT,
                        "the queue behind the refused action waited for a timeout")
        self.assertEqual([ref_no(a) for a in answers], sorted(ref_no(a) for a in answers))
        self.assertLess(ref_no(garbled), ref_no(answers[0]))
        # bad_request is final: tom is told, in German, and his answer is not sent again
        self.site.wait({"ev": "dm", "to": "tom",
                        "text": "Ich konnte eine Nachricht an lobby nicht zustellen: bad_request."})
        self.site.expect_none(self.answer("tom"), within=ACK_TIMEOUT + 1)
        self.assertEqual(self.site.all({"ref": garbled["ref"], "ev": lambda e: e in ("dm", "send")}), [])
        self.assertNotIn("by its deadline", self.daemon.log()[mark:])
        # and the connection goes on as before
        self.site.say("ana", "!ping")
        self.site.wait({"ev": "send", "room": "lobby", "text": "pong"}, timeout=3)

    def test_lost_action_is_sent_again_and_shown_once_before_the_rest(self):
        self.site.command("/lose 1")
        self.site.skip()
        mark = self.daemon.log_mark()
        self.whoami_burst("sara", "mia", "tom", "ana")
        lost = self.site.wait({"ev": "action_lost"})
        # nothing overtakes the lost answer: the others wait for it, then follow in order
        self.site.expect_none({"ev": "send"}, within=ACK_TIMEOUT - 1)
        self.daemon.wait_log(r"no answer to %s \(send to lobby: \"Eres Sara Ruiz[^\n]*\) by its deadline: "
                             r"sending it again \(try 2 of 3\)" % re.escape(lost["ref"]), since=mark,
                             timeout=ACK_TIMEOUT + 5)
        answers = [self.answer_to(p, timeout=ACK_TIMEOUT + 5) for p in ("sara", "mia", "tom", "ana")]
        # the same action, same ref, shown once
        self.assertEqual(answers[0]["ref"], lost["ref"])
        self.assertEqual([ref_no(a) for a in answers], sorted(ref_no(a) for a in answers))
        for p in ("sara", "mia", "tom", "ana"):
            self.assertEqual(len(self.site.all(self.answer(p))), 1, p)
        self.assertEqual(self.site.all({"ev": "dm"}), [])

    def test_action_never_answered_is_given_up_after_three_tries(self):
        self.site.command("/lose 3")
        self.site.skip()
        mark = self.daemon.log_mark()
        start = time.monotonic()
        self.whoami_burst("wei", "mia")
        first = self.site.wait({"ev": "action_lost"})
        # wei's answer is sent three times with its ref, then given up; mia's goes after it
        self.answer_to("mia", timeout=GIVE_UP_AFTER + 10)
        self.assertGreater(time.monotonic() - start, GIVE_UP_AFTER - 1)
        lost = self.site.all({"ev": "action_lost"})
        self.assertEqual([e["ref"] for e in lost], [first["ref"]] * 3)
        self.daemon.wait_log(r"no answer to %s \(send to lobby: \"你是[^\n]*\) after 3 tries: giving it up\n"
                             % re.escape(first["ref"]), since=mark)
        # wei is told, in Chinese; his answer never shows
        self.site.wait({"ev": "dm", "to": "wei",
                        "text": "无法向 lobby 投递消息：聊天站点尝试 3 次后仍未确认收到。"}, timeout=5)
        self.assertEqual(self.site.all(self.answer("wei")), [])
        # the connection was never dropped for it, and goes on at once
        self.assertEqual(self.site.all({"ev": "ready"})[1:], [])
        self.site.say("ana", "!whoami")
        self.answer_to("ana", timeout=3)

    def test_durable_entry_never_answered_stays_pending_and_is_sent_later(self):
        self.site.command("/lose 3 system")
        self.site.skip()
        mark = self.daemon.log_mark()
        text = "[System] Maintenance tonight at 02:00 UTC."
        self.site.dm("mark", "!notify lobby " + text)
        self.site.wait({"ev": "dm", "to": "mark", "text": lambda t: t.startswith("Draft N-1")})
        self.site.dm("mark", "!notify confirm N-1")
        first = self.site.wait({"ev": "action_lost", "type": "system"})
        stream = self.key("outbox")
        self.daemon.wait_log(r"no answer to %s \(system to lobby: \"\[System\] Maintenance[^\n]*\) after 3 "
                             r"tries: giving it up; it stays in the durable outbox for a later retry"
                             % re.escape(first["ref"]), since=mark, timeout=GIVE_UP_AFTER + 10)
        self.daemon.wait_log(r"outbox entry \S+ .*stays pending", since=mark, timeout=5)
        # not acknowledged: still pending in the stream, not lost
        self.assertEqual(self.redis.cmd("XPENDING", stream, "senders")[0], 1)
        # taken over again once it has waited 30 s, and sent: shown once, then done
        shown = self.site.wait({"ev": "system", "room": "lobby", "text": text}, timeout=40)
        self.assertNotEqual(shown["ref"], first["ref"])
        deadline = time.monotonic() + 5
        while self.redis.cmd("XPENDING", stream, "senders")[0] != 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.redis.cmd("XPENDING", stream, "senders")[0], 0)
        self.assertEqual(len(self.site.all({"ev": "system", "text": text})), 1)
