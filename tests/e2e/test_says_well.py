"""End-to-end, the seeds' department at the defaults: the bot says it well.

- !help is one short message per role, in the reader's language, listing
  only commands the caller can use: each one listed, run by that role, is
  not refused for their role, level or record;
- an empty roster of today: !duty and a minister's !help say how to fill it;
- the harness (harness_site.py) fails any test whose replies hold a line of
  placeholders only ("Emergency plan: -", "lead —").
"""

from __future__ import annotations

import re
import time
import unittest

from realday import RealDayE2E

# Monday 2026-03-02, 10:00 in Berlin: the early shift (06-14) runs
EARLY = "2026-03-02T09:00:00Z"
SITE_MAX_TEXT = 2000        # PROTOCOL-site.md: "text is at most 2000 characters"
HELP_MAX_LINES = 15

# What a refusal for the caller's role, level or record reads like (English)
PERMISSION = re.compile(r"is for .* and above; you are|needs level .* or above; you are|^Only a .* or above"
                        r"|has no probation|not an intern|There is no command")
# The commands of the short help's area lines: "Shifts: !duty · !roster · !checkin (more: !help shifts)"
LISTED = re.compile(r"!([a-z]+(?: (?!help\b)[a-z]+)?)(?= ·|$| \(|（)")


def listed_commands(text: str) -> list[str]:
    lines = text.split("\n")[1:-1]             # not the header, not the footer
    out = []
    for line in lines:
        if "!roster add" in line and "<" in line:
            continue                            # the empty roster's hint
        # (the last command before "(more: ...)" is followed by a blank, not the "("
        out += LISTED.findall(line.split("(")[0].split("（")[0].rstrip())
    return out


class ShortHelp(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": EARLY}

    def one_message(self, person: str, text: str, first: str) -> str:
        """PERSON says TEXT in the lobby; the one answer (starting with
        FIRST) is returned, and nothing else follows within a second."""
        self.site.skip()
        self.site.say(person, text)
        got = self.site.wait({"ev": "send", "room": "lobby", "text": lambda t: t.startswith(first)})["text"]
        self.site.expect_none({"ev": "send", "room": "lobby"}, within=1.0)
        return got

    def assert_short(self, text: str) -> None:
        self.assertLessEqual(len(text), SITE_MAX_TEXT)
        self.assertLessEqual(len(text.split("\n")), HELP_MAX_LINES, text)

    def test_each_roles_help_is_one_short_message_of_usable_commands(self):
        # vera leads the running shift: what a lead may do now is hers (!notify)
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        roles = {
            "lemon": "Your most used commands as webmaster:",
            "mark": "Your most used commands as minister:",
            "vera": "A legtöbbet használt parancsaid (miniszterhelyettes):",
            "wei": "你作为副部长最常用的命令：",
            "mia": "Your most used commands as agent:",
            "tom": "Deine wichtigsten Befehle als Agent:",
            "sara": "Tus comandos más usados como agente:",
            "ana": "Your most used commands as agent:",
            "lina": "Your most used commands as chat friend:",
        }
        helps = {}
        for person, header in roles.items():
            helps[person] = self.one_message(person, "!help", header)
            self.assert_short(helps[person])
        # staff commands before the chat friends' ones, those before the basics
        mark = helps["mark"]
        self.assertLess(mark.index("Shifts: "), mark.index("For chat friends: "))
        self.assertLess(mark.index("For chat friends: "), mark.index("Basics: "))
        self.assertIn("(more: !help shifts)", mark)
        # only what the caller can use: never a minister's probation, a CCS's calendar
        self.assertNotIn("!probation apply", mark)
        self.assertNotIn("!probation apply", helps["lemon"])
        self.assertNotIn("!calendar", helps["mia"])
        self.assertIn("!calendar", helps["sara"])
        self.assertNotIn("!staff", helps["mia"])
        self.assertNotIn("!staff", helps["lina"])
        self.assertNotIn("Shifts", helps["lina"])
        self.assertIn("!training log", helps["tom"])         # an intern logs hours
        self.assertNotIn("!training log", helps["mia"])
        # every command listed, run by that role, is not refused for who they are
        for person in roles:
            if person not in ("lina", "mia", "mark", "lemon", "ana"):
                self.ask(person, "!lang en", "Language set to en.", room="dm")
            cmds = listed_commands(helps[person])
            self.assertGreaterEqual(len(cmds), 5 if person != "lina" else 5, (person, helps[person]))
            for cmd in cmds:
                answer = self.ask(person, "!" + cmd, "", room="dm")["text"]
                self.assertNotRegex(answer, PERMISSION, f"{person} was refused !{cmd}, which !help listed")

    def test_help_of_an_area_and_of_a_command_stay_short(self):
        area = self.one_message("mia", "!help emergencies", "Emergencies:")
        self.assert_short(area)
        self.assertIn("!ack <E-n> — ", area)
        self.assertNotIn("!plan set", area)         # a minister's
        detail = self.one_message("mia", "!help ack", "!ack <E-n>\n")
        self.assertIn("Example: !ack E-1", detail)
        self.assert_short(detail)
        self.ask("mark", "!help probation apply", "There is no command !probation apply that you may use.")

    def test_an_empty_roster_says_how_to_fill_it(self):
        hint = "Nobody is on the roster yet: !roster add 2026-03-02 early <person> puts someone on a shift."
        self.assertIn(hint, self.one_message("mark", "!help", "Your most used commands as minister:"))
        self.assertIn(hint, self.one_message("lemon", "!help", "Your most used commands as webmaster:"))
        duty = self.one_message("mia", "!duty", "On duty now: early until 14:00.")
        self.assertIn(hint, duty)
        self.assertNotIn("—", duty)
        self.assertNotIn(hint, self.one_message("mia", "!help", "Your most used commands as agent:"))
        roster = self.one_message("mia", "!roster", "Roster of 2026-03-02:")
        self.assertIn("\nearly 06:00-14:00: nobody on it yet", roster)
        # once someone is on it, the hint is gone
        self.ask("mark", "!roster add today late mia", "Roster updated")
        self.assertNotIn("Nobody is on the roster", self.one_message("mark", "!help", "Your most used"))
        self.assertNotIn("Nobody is on the roster", self.one_message("mia", "!duty", "On duty now"))


class Suggestions(RealDayE2E):
    """The suggestions the reports count are shown by !suggestions, to the
    ministers and webmasters (the seeds: the department's heads read the
    site's suggestions); everyone else is refused with the role needed."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": EARLY}

    def test_suggestions_are_shown_to_ministers_and_webmasters(self):
        self.ask("mark", "!suggestions", "No suggestions yet.", room="dm")
        self.ask("lina", "!suggest A dark mode for the chat rooms", "Thank you for your suggestion G-1.", room="dm")
        self.ask("anna", "!suggest Bigger emoji", "Thank you for your suggestion G-2.", room="dm")
        got = self.ask("mark", "!suggestions", "Latest suggestions (2 in all):", room="dm")["text"]
        self.assertEqual(got.split("\n")[1:], ["G-2 2026-03-02 10:00 Anna: Bigger emoji",
                                               "G-1 2026-03-02 10:00 Lina: A dark mode for the chat rooms"])
        one = self.ask("lemon", "!suggestions 1", "Latest suggestions (2 in all):", room="dm")["text"]
        self.assertEqual(one, "Latest suggestions (2 in all):\nG-2 2026-03-02 10:00 Anna: Bigger emoji")
        # the report of the day counts the same two
        self.ask("mark", "!report day", "Suggestions 2,", room="dm")
        # in a room only a short notice: the friends' names and words come privately
        self.ask_in_lobby("mark", "!suggestions", "Mark Novak, I sent you the answer privately.", "G-2")
        self.ask("vera", "!lang en", "Language set to en.", room="dm")
        self.ask("vera", "!suggestions", "!suggestions is for minister and above; you are vice minister.", room="dm")
        self.ask("mia", "!suggestions", "!suggestions is for minister and above; you are agent.", room="dm")
        self.ask("lina", "!suggestions", "!suggestions is for minister and above; you are chat friend.", room="dm")
        self.ask("mark", "!suggestions 0", "Usage: !suggestions [n]", room="dm")


class OnePostPerEvent(RealDayE2E):
    """An approval is posted once: the ops channel reads its outcome, the
    approver is not told it again (typed in ops: nothing more; elsewhere:
    one line pointing there).  An emergency raised says it was raised and
    who is paged, never "not acknowledged" or a round before anyone could
    acknowledge, never the config word shift_lead."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": EARLY}

    def ops_about(self, id_: str, since: int) -> list[str]:
        return [e["text"] for e in self.site.events[since:]
                if e.get("ev") == "send" and e.get("room") == "ops" and id_ in e.get("text", "")]

    def test_an_approval_is_posted_once(self):
        self.ask("mark", "!roster add 2026-03-04 late mia", "Roster updated")
        self.ask("mia", "!swap 2026-03-04 late with ana", "Swap S-1 asked of")
        self.ask("ana", "!swap accept S-1", "")
        time.sleep(1)
        # the minister approves in ops: the ops post is the only message about it there
        since = len(self.site.events)
        self.site.say("mark", "!approve S-1", room="ops")
        self.site.wait({"ev": "send", "room": "ops", "text": "Swap S-1 approved by Mark Novak"})
        time.sleep(1.5)
        self.assertEqual(len(self.ops_about("S-1", since)), 1, self.ops_about("S-1", since))
        self.assertEqual([e for e in self.site.events[since:] if e.get("ev") == "send" and e.get("room") != "ops"], [])
        # typed in the lobby: one short line there, the outcome once in ops
        self.dm_ask("tom", "!leave 2026-03-10 Arzttermin", "L-1")
        self.eventually({"ev": "send", "room": "ops", "text": "L-1 waits for"})
        since = len(self.site.events)
        self.ask("mark", "!approve L-1", "L-1 approved; the ops channel has the details.")
        self.site.wait({"ev": "send", "room": "ops", "text": "Leave L-1 approved by Mark Novak"})
        time.sleep(1.5)
        self.assertEqual(len(self.ops_about("L-1", since)), 1, self.ops_about("L-1", since))
        lobby = [e["text"] for e in self.site.events[since:] if e.get("ev") == "send" and e.get("room") == "lobby"]
        self.assertEqual(lobby, ["L-1 approved; the ops channel has the details."])

    def test_an_emergency_raised_says_raised_and_who_is_paged(self):
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        since = len(self.site.events)
        self.ask("mia", "!emergency The chat is down", "Emergency E-1 raised")
        self.site.wait({"ev": "send", "room": "alerts", "text": "E-1: paging the shift's lead, Vera Kovacs."})
        self.site.wait({"ev": "dm", "to": "mia", "text": "Your emergency E-1: paging the shift's lead, Vera Kovacs."})
        time.sleep(1)
        said = [e["text"] for e in self.site.events[since:] if e.get("ev") in ("send", "dm")]
        for text in said:
            self.assertNotIn("not acknowledged", text)
            self.assertNotIn("round 1", text)
            self.assertNotIn("shift_lead", text)


class QueuedComplaintsBatched(RealDayE2E):
    """Complaints nobody on shift can take reach the shift's lead together:
    what queues up within a few seconds comes in one message (the qbatch
    timer of the durable timers), one alone as before."""
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": EARLY}

    def test_the_lead_gets_queued_complaints_in_one_message(self):
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("vera", "!lang en", "Language set to en.", room="dm")
        for friend, text in (("lina", "The video does not load"), ("anna", "I was charged twice"),
                             ("bob", "My messages vanish")):
            self.ask(friend, "!complain " + text, "was received", room="dm")
        got = self.site.wait({"ev": "dm", "to": "vera", "text": "Nobody can take"}, timeout=15)["text"]
        self.assertEqual(got, "Nobody can take these 3 complaints now; they wait in the queue:\n"
                              "C-1 (normal): The video does not load\nC-2 (normal): I was charged twice\n"
                              "C-3 (normal): My messages vanish")
        time.sleep(6)
        self.assertEqual(len(self.dms("vera", "Nobody can take")), 1)
        # a complaint alone later: the one-complaint message, again once
        self.ask("carl", "!complain The lobby is slow", "was received", room="dm")
        self.site.wait({"ev": "dm", "to": "vera", "text": "Nobody can take complaint C-4 (normal) now; it waits in the "
                        "queue: The lobby is slow"}, timeout=15)
        # taken before the batch went out: not news for the lead
        self.ask("dora", "!complain Photos do not upload", "was received", room="dm")
        self.ask("mia", "!complaint take C-5", "")
        time.sleep(7)
        self.assertEqual([t for t in self.dms("vera") if "C-5" in t], [])


if __name__ == "__main__":
    unittest.main()
