"""End-to-end: chat friends' visits (issue 19) in the seeds' department at
the default settings (tests/e2e/realday.py).  A friend who writes to the bot
privately (or says !ask) is greeted in their language, asked what brings
them when they said nothing, and handed to the best agent by the
complaints' routing; the agent answers through the bot (!reply), so the
friend reads the answer and the thanks at the close and nothing of the
staff's talk.  A friend's designated agent (!task) gets their visit first.
A visit nobody can take waits in the queue and the lead hears of it; the
first check-in takes it.  Every refusal says why.  Tom reads German, Vera
Hungarian; the friends Lina and Otto English, Jonas German."""

import unittest

from realday import RealDayE2E


class Day(RealDayE2E):
    """Monday 2026-03-02, 10:00 in Berlin: the early shift, Vera leading."""

    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-02T09:00:00Z"}

    def setUp(self):
        super().setUp()
        self.ask("mark", "!roster lead 2026-03-02 early vera", "Roster updated")
        self.ask("mark", "!roster add 2026-03-02 early tom mia sara", "Roster updated")
        self.site.skip()

    def checkin(self, *who):
        for w in who:
            self.ask(w, "!checkin", {"text": lambda t: "checked in" in t or "eingestempelt" in t or "fichado" in t})

    def visit(self, vid):
        return self.record("visit", vid)


class Visit(Day):

    def test_routed_answered_and_closed_the_friend_reads_only_what_is_for_them(self):
        self.checkin("mia")
        self.ask("lina", "hello, how do I join the book club room?",
                 "Hello Lina, welcome! Mia Keller will be with you shortly, right here. (Your visit: V-1)", room="dm")
        self.eventually({"ev": "dm", "to": "mia", "text":
                         "Visit V-1 from Lina: hello, how do I join the book club room?\n"
                         "Answer with !reply V-1 <text>; !visit close V-1 when you are done."})
        # the staff talk among themselves: none of it reaches the friend
        self.site.say("mia", "lina again, she asked about the club last week too", room="ops")
        self.ask("mia", "!complaint new lina she says the club link is broken", "C-1 filed")
        self.ask("mia", "!visit note V-1 asked about the club last week too",
                 "Note kept with visit V-1; Lina does not see it.")
        self.ask("lina", "!ask", "You are already talking with Mia Keller (visit V-1): just write here, they read it.",
                 room="dm")
        # the friend goes on talking: it reaches Mia, tagged
        self.site.dm("lina", "and is it free?")
        self.eventually({"ev": "dm", "to": "mia", "text": "[V-1] Lina: and is it free?"})
        self.ask("mia", "!reply V-1 Yes, it is free: the club meets in #books on Fridays at 20:00.",
                 "Sent privately to Lina (visit V-1).")
        self.eventually({"ev": "dm", "to": "lina",
                         "text": "Mia Keller: Yes, it is free: the club meets in #books on Fridays at 20:00."})
        self.ask("mia", "!visit close V-1", "Visit V-1 with Lina closed; they were thanked for coming.")
        self.eventually({"ev": "dm", "to": "lina", "text": "Thank you for visiting us! If anything else comes up, "
                                                          "just write to me here."})
        self.assertEqual(self.dms("lina"), [
            "Hello Lina, welcome! Mia Keller will be with you shortly, right here. (Your visit: V-1)",
            "You are already talking with Mia Keller (visit V-1): just write here, they read it.",
            "Mia Keller: Yes, it is free: the club meets in #books on Fridays at 20:00.",
            "Thank you for visiting us! If anything else comes up, just write to me here.",
        ])
        v = self.visit("V-1")
        self.assertEqual((v["state"], v["agent"], v["closed_by"]), ("closed", "mia", "mia"))
        self.assertIn(("visit.close", "V-1", ""), self.audit())
        # a visit is its own figure in the day's report; the complaint keeps its own
        report = self.dm_ask("mark", "!report day", "Report 2026-03-02")["text"]
        self.assertIn("Visits: 1 begun, 1 closed, 0 still open; first answer median", report)
        self.assertIn("Complaints: 1 filed", report)
        # her next line is a new visit, to Mia again; a line that starts with
        # the name of a staff command is still a friend talking, not a refusal
        self.ask("lina", "report the video hangs every evening",
                 "Hello Lina, welcome! Mia Keller will be with you shortly, right here. (Your visit: V-2)", room="dm")
        self.eventually({"ev": "dm", "to": "mia", "text": lambda t: t.startswith(
            "Visit V-2 from Lina: report the video hangs every evening")})

    def test_in_german_asked_what_brings_them_and_a_minister_closes(self):
        self.checkin("mia", "tom")
        self.ask("jonas", "!lang de", "Sprache auf de gestellt.", room="dm")
        self.ask("jonas", "!ask", "Hallo Jonas, willkommen! Was führt dich heute zu uns? Schreib es einfach hier, "
                                  "ich suche dir jemanden. (Dein Besuch: V-1)", room="dm")
        self.assertEqual(self.visit("V-1")["state"], "asking")
        self.ask("jonas", "!ask", "Was führt dich heute zu uns?", room="dm")         # asked again, the same visit
        # his reason, in German: Tom speaks it (the language rule), and the greeting is not repeated
        self.ask("mark", "!staff set tom langs de", "now")
        self.ask("jonas", "Ich suche den Buchclub", "Danke! Tom Berger ist gleich hier für dich da. (Dein Besuch: V-1)",
                 room="dm")
        self.eventually({"ev": "dm", "to": "tom", "text": "Besuch V-1 von Jonas: Ich suche den Buchclub\n"
                         "Antworte mit !reply V-1 <Text>; !visit close V-1, wenn ihr fertig seid."})
        self.ask("tom", "!reply V-1 Der Buchclub trifft sich freitags um 20 Uhr in #books.",
                 "Privat an Jonas gesendet (Besuch V-1).")
        self.eventually({"ev": "dm", "to": "jonas", "text": "Tom Berger: Der Buchclub trifft sich freitags um 20 Uhr in #books."})
        # someone else's visit: refused, saying whose it is; a minister may act on any
        self.ask("mia", "!reply V-1 I can help too", "Visit V-1 is with Tom Berger [TRN], not with you: "
                 "only they or a vice minister or above may answer or close it.")
        self.ask("mia", "!visit close V-1", "Visit V-1 is with Tom Berger [TRN], not with you")
        self.ask("mark", "!visits", {"text": lambda t: t.startswith("Visits:\nV-1 open, with Tom Berger [TRN] - Jonas: "
                                                                     "Ich suche den Buchclub")}, room="dm")
        self.ask("mark", "!visit close V-1", "Visit V-1 with Jonas closed; they were thanked for coming.")
        self.eventually({"ev": "dm", "to": "jonas",
                         "text": "Danke für deinen Besuch! Wenn noch etwas ist, schreib mir einfach hier."})
        self.assertEqual(self.dms("jonas"), [
            "Sprache auf de gestellt.",
            "Hallo Jonas, willkommen! Was führt dich heute zu uns? Schreib es einfach hier, ich suche dir jemanden. "
            "(Dein Besuch: V-1)",
            "Hallo Jonas, willkommen! Was führt dich heute zu uns? Schreib es einfach hier, ich suche dir jemanden. "
            "(Dein Besuch: V-1)",
            "Danke! Tom Berger ist gleich hier für dich da. (Dein Besuch: V-1)",
            "Tom Berger: Der Buchclub trifft sich freitags um 20 Uhr in #books.",
            "Danke für deinen Besuch! Wenn noch etwas ist, schreib mir einfach hier.",
        ])
        # a closed visit takes nothing more, in Tom's German
        self.ask("tom", "!reply V-1 noch etwas", "Besuch V-1 ist schon abgeschlossen; darüber erreicht den Freund "
                                                 "nichts mehr.")


class Refusals(Day):

    def test_every_refusal_says_why(self):
        self.checkin("mia")
        self.ask("lina", "!ask where is the music room?", "Mia Keller will be with you shortly", room="dm")
        # not a friend: staff have the other end of a visit
        self.ask("sara", "!ask", "!ask es para los amigos del chat que vienen de visita; tú eres del equipo. "
                                 "Las visitas aún abiertas: !visits", room="dm")
        self.ask("mia", "!ask I need help", "!ask is for chat friends who come to visit; you are staff. "
                                            "The visits not closed yet: !visits", room="dm")
        # a friend may not answer visits
        self.ask("lina", "!reply V-1 hi", "!reply is for agent and above; you are chat friend.")
        self.ask("lina", "!visits", "!visits is for agent and above; you are chat friend.")
        # unknown visit, malformed id, empty reply (in Tom's German too)
        self.ask("mia", "!reply V-7 hello", "There is no visit V-7. The open ones: !visits")
        self.ask("mia", "!visit close C-1", "There is no visit C-1. The open ones: !visits")
        self.ask("mia", "!reply V-1", "Usage: !reply <V-n> <text>")
        self.ask("mia", '!reply V-1 ""', "Your reply to V-1 is empty: write what the friend should read, "
                                         "e.g. !reply V-1 Welcome back!")
        self.ask("tom", '!reply V-1 " "', "Deine Antwort auf V-1 ist leer: Schreib, was der Freund lesen soll")
        # not your visit
        self.ask("sara", "!visit close V-1", "La visita V-1 la tiene Mia Keller [CCS], no tú: solo Mia Keller [CCS] "
                                             "o un viceministro o superior pueden responderla o cerrarla.")
        self.ask("mia", "!visit close V-1", "Visit V-1 with Lina closed")
        # closed
        self.ask("mia", "!visit close V-1", "Visit V-1 is closed already; nothing reaches the friend through it any more.")
        self.ask("mia", "!reply V-1 one more", "Visit V-1 is closed already")
        self.ask("mia", "!visits", "No open visits.", room="dm")
        self.ask("mia", "!visits mine", "You have no open visits.", room="dm")
        self.ask("mia", "!visits all", "Usage: !visits [open|mine]", room="dm")
        # staff's private lines stay commands, as before
        self.ask("mia", "hello there", "Unknown command hello. Try !help.", room="dm")
        # nothing of it reached the friend but her own visit's words
        self.assertEqual(self.dms("lina", settle=0.5), [
            "Hello Lina, welcome! Mia Keller will be with you shortly, right here. (Your visit: V-1)",
            "Thank you for visiting us! If anything else comes up, just write to me here.",
        ])


class Designated(Day):

    def test_the_designated_agent_gets_their_friends_visit_first(self):
        self.checkin("mia", "sara")
        # Mia speaks the friends' language, Sara does not: without a designation Mia wins
        self.ask("mark", "!staff set mia langs en", "now")
        self.ask("mark", "!task sara f-lina a weekly check on her VIP subscription", "Task A-1 given to sara.")
        self.ask("otto", "hi, where do I change my nickname?", "Mia Keller will be with you shortly", room="dm")
        # Lina goes to Sara, her designated agent, though Mia speaks her language
        self.ask("lina", "hi, it is about my subscription", "Sara Ruiz will be with you shortly", room="dm")
        self.eventually({"ev": "dm", "to": "sara", "text": "Visita V-2 de Lina: hi, it is about my subscription"})
        self.assertEqual(self.visit("V-2")["agent"], "sara")
        self.ask("sara", "!visits mine", {"text": lambda t: t.startswith("Visitas:\nV-2 abierta, con Sara Ruiz [SAM] - Lina")},
                 room="dm")


class Queue(Day):

    def test_a_visit_nobody_can_take_waits_and_the_first_check_in_takes_it(self):
        self.ask("lina", "is anyone there?", "Hello Lina, welcome! Everyone is busy just now; you are next in line "
                 "and someone will write to you here soon. (Your visit: V-1)", room="dm")
        # the lead hears of it (in Hungarian), once the batch window closed
        self.eventually({"ev": "dm", "to": "vera", "text": lambda t: t.startswith("Most senki sem tudja vállalni ezt "
                                                                                   "a látogatást: V-1")}, timeout=20)
        self.ask("lina", "still waiting", "Thank you, noted (visit V-1). Someone will write to you here soon.",
                 room="dm")
        self.ask("vera", "!visits", {"text": lambda t: "V-1 várakozik, még senki sem kezeli - Lina: is anyone there?" in t},
                 room="dm")
        self.checkin("mia")
        # Mia reads all Lina wrote while she waited
        self.eventually({"ev": "dm", "to": "mia", "text": lambda t: t.startswith("Visit V-1 from Lina: is anyone there? "
                                                                                  "/ still waiting\n")})
        self.eventually({"ev": "dm", "to": "lina",
                         "text": "Mia Keller is with you now and will write to you here. (Your visit: V-1)"})
        self.site.dm("lina", "great!")
        self.eventually({"ev": "dm", "to": "mia", "text": "[V-1] Lina: great!"})


if __name__ == "__main__":
    unittest.main()
