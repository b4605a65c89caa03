"""End-to-end: emergencies read right, at the default config (escalation:
ack_timeout 5m, repeat 2, chain shift_lead, duty_minister, ministers,
webmasters) in the seeds' department.

Every text an emergency produces is read as the person receiving it: the
one who raises it learns who was paged and who took it (privately, in their
language); the alerts channel says the first page as a page and an
escalation with the time it waited, the chain step in words and the round
of all rounds, in the channel's language; a page carries the plan only when
one is written (never a "-"); the end of the chain says so.  Time moves by
restarting the daemon at a later DUTYBOT_FAKE_NOW: the escalation timer
that fell due meanwhile fires once per start."""

from __future__ import annotations

import re
import time
import unittest

from realday import RealDayE2E

DAY = "2026-12-08"          # a Tuesday; Berlin is UTC+1 in December
NEXT = "2026-12-09"


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day}T{hhmm}+01:00"


def exactly(text: str):
    return lambda got: got == text


class EmergencyDay(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": at("06:19:30")}

    def no_config_tokens_or_dashes(self) -> None:
        """No emergency text names a config token or shows "-" for an empty value."""
        for e in self.site.events:
            if e.get("ev") not in ("send", "dm") or "E-" not in e.get("text", ""):
                continue
            for token in ("shift_lead", "duty_minister", "ministers (", "webmasters ("):
                self.assertNotIn(token, e["text"], e)
            self.assertIsNone(re.search(r":\s*-\s*(\n|$)", e["text"]), e)

    def roster_early(self) -> None:
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mark", "!roster minister today early mark", "Roster updated")
        self.site.skip()

    def test_raised_paged_escalated_acknowledged_resolved(self):
        s = self.site
        self.roster_early()
        s.say("mia", "!emergency Der Chat ist down, niemand kommt rein")
        s.wait_all(
            {"ev": "send", "room": "lobby", "text": exactly(
                "Emergency E-1 raised: it is posted to the alerts channel, and people are paged until "
                "someone acknowledges it. I'll tell you privately who is paged and who takes it.")},
            {"ev": "send", "room": "alerts", "text": exactly(
                "EMERGENCY E-1 from Mia Keller [CCS] (site #lobby): Der Chat ist down, niemand kommt rein")},
            # the lead reads Hungarian; no plan is written: no plan line, no "-"
            {"ev": "dm", "to": "vera", "text": exactly(
                "VÉSZHELYZET E-1, jelezte: Mia Keller [CCS]: Der Chat ist down, niemand kommt rein\n"
                "Nyugtázd ezzel: !ack E-1.")},
            # the first page is a page, not an escalation: nothing timed out yet
            {"ev": "send", "room": "alerts", "text": exactly("E-1: paging the shift's lead, Vera Kovacs.")},
            # the one who raised it learns who was paged
            {"ev": "dm", "to": "mia", "text": exactly(
                "Your emergency E-1: paging the shift's lead, Vera Kovacs. "
                "I'll tell you when someone acknowledges it.")})
        s.expect_none({"ev": "send", "room": "alerts", "text": "not acknowledged"}, within=1.0)
        self.ask("tom", "!emergencies", "Notfälle:\nE-1 06:19 Mia Keller [CCS]: Der Chat ist down, "
                 "niemand kommt rein — noch nicht bestätigt; Vera Kovacs um 06:19 alarmiert")

        # 5 minutes later nobody acknowledged: the minister on duty is paged
        self.restart_at(at("06:24:50"))
        _, page = s.wait_all(
            {"ev": "send", "room": "alerts", "text": exactly(
                "E-1 not acknowledged after 5 min: paging the minister on duty, Mark Novak (round 1 of 3).")},
            {"ev": "dm", "to": "mark", "text": "EMERGENCY E-1 from Mia Keller [CCS]"}, timeout=15)
        self.assertEqual(page["text"], "EMERGENCY E-1 from Mia Keller [CCS]: Der Chat ist down, niemand kommt rein\n"
                                       "Acknowledge with !ack E-1.")
        # the raiser was told once who was paged first; escalations go to the alerts channel
        s.expect_none({"ev": "dm", "to": "mia", "text": "E-1"}, within=1.0)

        self.ask("mark", "!ack E-1", exactly("E-1 acknowledged."))
        s.wait_all({"ev": "send", "room": "alerts", "text": exactly("E-1 acknowledged by Mark Novak; the escalation stops.")},
                   {"ev": "dm", "to": "mia", "text": exactly("Your emergency E-1 was acknowledged by Mark Novak at 06:24.")})
        self.ask("mia", "!emergencies", exactly(
            "Emergencies:\nE-1 06:19 Mia Keller [CCS]: Der Chat ist down, niemand kommt rein — "
            "acknowledged by Mark Novak at 06:24"))
        self.ask("vera", "!ack E-1", exactly("E-1 már nyugtázva van: Mark Novak nyugtázta ekkor: 06:24."))

        self.ask("vera", "!resolve E-1 Server neu gestartet", exactly("E-1 lezárva."))
        s.wait_all({"ev": "send", "room": "alerts", "text": exactly("E-1 resolved by Vera Kovacs: Server neu gestartet")},
                   {"ev": "dm", "to": "mia", "text": exactly(
                       "Your emergency E-1 was resolved by Vera Kovacs at 06:24: Server neu gestartet")})
        self.ask("mia", "!emergencies", exactly("No open emergencies."))
        self.ask("sara", "!emergencies all", exactly(
            "Emergencias:\nE-1 06:19 Mia Keller [CCS]: Der Chat ist down, niemand kommt rein — "
            "resuelta por Vera Kovacs a las 06:24"))

        # the next day the old one shows its date
        self.restart_at(at("09:00:00", NEXT))
        self.ask("vera", "!emergencies all", exactly(
            "Vészhelyzetek:\nE-1 2026-12-08 06:19 Mia Keller [CCS]: Der Chat ist down, niemand kommt rein — "
            "lezárta: Vera Kovacs, 2026-12-08 06:24-kor"))
        # nothing more about E-1 after it was taken
        self.assertEqual(s.all({"ev": "dm", "to": "tom", "text": "E-1"}), [])
        self.assertEqual(len(s.all({"ev": "dm", "to": "vera", "text": "VÉSZHELYZET E-1"})), 1)
        self.assertEqual(len(s.all({"ev": "dm", "to": "mark", "text": "EMERGENCY E-1"})), 1)
        self.assertEqual(s.all({"ev": "dm", "to": "lemon", "text": "E-1"}), [])
        self.no_config_tokens_or_dashes()

    def test_the_lead_raising_it_is_not_paged_and_hears_in_hungarian(self):
        s = self.site
        self.roster_early()
        self.ask("mark", "!plan set Erst den Seitenbetreiber anrufen, dann 112.", "Emergency plan saved.")
        s.say("vera", "!emergency Tűz a szerverteremben")
        s.wait_all(
            {"ev": "send", "room": "lobby", "text": exactly(
                "Vészhelyzet jelezve (E-1): kikerült a riasztási csatornára, és addig riasztok, amíg valaki nem "
                "nyugtázza. Privát üzenetben megírom, kit riasztok, és ki vállalja.")},
            # the lead raised it: the first page goes to the minister on duty, with the plan
            {"ev": "dm", "to": "mark", "text": exactly(
                "EMERGENCY E-1 from Vera Kovacs: Tűz a szerverteremben\nAcknowledge with !ack E-1.\n"
                "Emergency plan: Erst den Seitenbetreiber anrufen, dann 112.")},
            {"ev": "send", "room": "alerts", "text": exactly("E-1: paging the minister on duty, Mark Novak.")},
            {"ev": "dm", "to": "vera", "text": exactly(
                "A vészhelyzeted (E-1): riasztom az ügyeletes minisztert: Mark Novak. Szólok, amint valaki nyugtázza.")})
        s.expect_none({"ev": "dm", "to": "vera", "text": "VÉSZHELYZET"}, within=1.0)
        self.ask("mark", "!emergencies", "E-1 06:19 Vera Kovacs: Tűz a szerverteremben — "
                 "not acknowledged yet; Mark Novak paged at 06:19")
        # she acknowledges it herself: nobody tells her what she did
        self.ask("vera", "!ack E-1", exactly("E-1 nyugtázva."))
        s.wait({"ev": "send", "room": "alerts", "text": exactly("E-1 acknowledged by Vera Kovacs; the escalation stops.")})
        s.expect_none({"ev": "dm", "to": "vera", "text": "E-1"}, within=1.0)
        self.no_config_tokens_or_dashes()

    def test_contact_cards_say_what_is_missing(self):
        self.ask("mark", "!contacts ana", exactly(
            "Ana Horvat [PAM] has not filled in an emergency contact card yet; everyone fills in their own "
            "with !contacts set phone|address|backup <value>."), room="dm")
        self.ask("mia", "!contacts set phone +49 170 5550123", "saved", room="dm")
        self.ask("mark", "!contacts mia", exactly(
            "Emergency contact card of Mia Keller [CCS]\nphone: +49 170 5550123\naddress: not given\n"
            "backup contact: not given"), room="dm")


class EmergencyNight(RealDayE2E):
    """The alerts channel reads German (default_lang, as the example config
    sets it); the one raising it reads Spanish; nobody answers the whole
    chain: three rounds, then the alerts channel is reminded."""
    EXTRA_CONFIG = {"default_lang": "de"}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": at("22:59:30")}

    no_config_tokens_or_dashes = EmergencyDay.no_config_tokens_or_dashes

    def test_nobody_answers_the_whole_chain(self):
        s = self.site
        self.ask("mark", "!roster lead today night wei", "Dienstplan aktualisiert")
        self.ask("mark", "!roster minister today night mark", "Dienstplan aktualisiert")
        self.ask("mark", "!plan set Den Seitenbetreiber anrufen.", "Notfallplan gespeichert.")
        s.skip()
        s.say("sara", "!emergency El chat no carga")
        s.wait_all(
            {"ev": "send", "room": "lobby", "text": exactly(
                "Emergencia E-1 declarada: está publicada en el canal de alertas y se avisará a la gente hasta "
                "que alguien la confirme. Te diré en privado a quién se avisa y quién se hace cargo.")},
            {"ev": "send", "room": "alerts", "text": exactly(
                "NOTFALL E-1 von Sara Ruiz [SAM] (site #lobby): El chat no carga")},
            {"ev": "dm", "to": "wei", "text": exactly(
                "紧急情况 E-1，来自 Sara Ruiz [SAM]：El chat no carga\n请用 !ack E-1 确认。\n紧急情况预案：Den Seitenbetreiber anrufen.")},
            {"ev": "send", "room": "alerts", "text": exactly("E-1: alarmiere die Schichtleitung, Wang Wei.")},
            {"ev": "dm", "to": "sara", "text": exactly(
                "Tu emergencia E-1: avisando a la persona responsable del turno, Wang Wei. "
                "Te diré cuando alguien la confirme.")})

        # every 6 minutes (the ack timeout is 5) the next step: 4 steps, 3 rounds
        created = int(self.redis.cmd("HGET", self.key("emergency", "E-1"), "created"))
        minutes = 0

        def six_minutes_later() -> int:
            nonlocal minutes
            minutes += 6
            self.restart_at(str(created + minutes * 60_000 + 20_000))
            return minutes

        chain = ["die Schichtleitung, Wang Wei", "den diensthabenden Minister, Mark Novak",
                 "die Minister, Mark Novak", "die Webmaster, Lemon Chen"]
        for n in range(1, 12):
            rnd, step = divmod(n, 4)
            after = six_minutes_later()
            s.wait({"ev": "send", "room": "alerts", "text": exactly(
                f"E-1 nach {after} Min. nicht bestätigt: alarmiere {chain[step]} (Runde {rnd + 1} von 3).")},
                timeout=15)
        self.assertEqual(len(s.all({"ev": "dm", "to": "wei", "text": "紧急情况 E-1"})), 3)
        self.assertEqual(len(s.all({"ev": "dm", "to": "lemon", "text": "NOTFALL E-1"})), 3)
        self.assertEqual(len(s.all({"ev": "dm", "to": "mark", "text": "NOTFALL E-1"})), 6)
        # the raiser heard only who was paged first so far
        self.assertEqual(len(s.all({"ev": "dm", "to": "sara", "text": "E-1"})), 1)

        # the chain ran out: the alerts channel says so, the raiser hears it once
        after = six_minutes_later()
        s.wait_all(
            {"ev": "send", "room": "alerts", "text": exactly(
                f"E-1 ist nach {after} Min. immer noch nicht bestätigt, obwohl die ganze Eskalationskette "
                "alarmiert wurde: El chat no carga\nWer ihn übernimmt, sendet !ack E-1.")},
            {"ev": "dm", "to": "sara", "text": exactly(
                f"Tu emergencia E-1 sigue sin confirmar tras {after} min, aunque se avisó a toda la cadena "
                "de escalado; se seguirá recordando en el canal de alertas.")}, timeout=15)
        after = six_minutes_later()
        s.wait({"ev": "send", "room": "alerts", "text": f"E-1 ist nach {after} Min. immer noch nicht bestätigt"},
               timeout=15)
        self.assertEqual(len(s.all({"ev": "dm", "to": "sara", "text": "E-1"})), 2)
        self.assertEqual(len(s.all({"ev": "dm", "to": "lemon", "text": "NOTFALL E-1"})), 3)
        self.ask("lemon", "!ack E-1", exactly("E-1 bestätigt."))
        took = time.strftime("%H:%M", time.gmtime((created + minutes * 60_000 + 20_000) / 1000 + 3600))
        s.wait_all({"ev": "send", "room": "alerts", "text": exactly("E-1 von Lemon Chen bestätigt; die Eskalation wird beendet.")},
                   {"ev": "dm", "to": "sara", "text": exactly(f"Lemon Chen confirmó tu emergencia E-1 a las {took}.")})
        self.no_config_tokens_or_dashes()

    def test_the_night_lead_raising_it_hears_in_chinese(self):
        s = self.site
        self.ask("mark", "!roster lead today night wei", "Dienstplan aktualisiert")
        self.ask("mark", "!roster minister today night mark", "Dienstplan aktualisiert")
        s.skip()
        s.say("wei", "!emergency 聊天室无法登录")
        s.wait_all(
            {"ev": "send", "room": "lobby", "text": exactly(
                "已发起紧急情况 E-1：已发到警报频道，并会持续呼叫相关人员，直到有人确认。我会私下告诉你呼叫了谁、由谁接手。")},
            {"ev": "dm", "to": "mark", "text": exactly("NOTFALL E-1 von Wang Wei: 聊天室无法登录\nBestätige mit !ack E-1.")},
            {"ev": "send", "room": "alerts", "text": exactly("E-1: alarmiere den diensthabenden Minister, Mark Novak.")},
            {"ev": "dm", "to": "wei", "text": exactly("你的紧急情况 E-1：正在呼叫值班部长 Mark Novak。有人确认后我会告诉你。")})
        self.ask("wei", "!emergencies", "E-1 22:59 Wang Wei：聊天室无法登录 — 尚未确认；已于 22:59 呼叫 Mark Novak")
        self.ask("mark", "!ack E-1", exactly("E-1 bestätigt."))
        s.wait({"ev": "dm", "to": "wei", "text": re.compile(r"^你的紧急情况 E-1 已由 Mark Novak 于 22:59 确认。$")})
        self.no_config_tokens_or_dashes()


class NobodyToPage(RealDayE2E):
    """A chain of the shift's people only (not the default: there the
    ministers and webmasters are always there), with nobody rostered."""
    EXTRA_CONFIG = {"escalation": '{ chain = ( "shift_lead", "duty_minister" ); }'}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": at("06:19:30")}

    no_config_tokens_or_dashes = EmergencyDay.no_config_tokens_or_dashes

    NOBODY = ("E-1: nobody on the escalation chain can be paged right now, so only this channel is told: "
              "the printer burns\nWhoever takes it, send !ack E-1.")

    def raise_it(self) -> int:
        s = self.site
        s.say("mia", "!emergency the printer burns")
        s.wait_all({"ev": "send", "room": "lobby", "text": "Emergency E-1 raised"},
                   {"ev": "send", "room": "alerts", "text": exactly(self.NOBODY)},
                   {"ev": "dm", "to": "mia", "text": exactly(
                       "Your emergency E-1: nobody on the escalation chain can be paged right now; "
                       "only the alerts channel is told.")})
        self.ask("mia", "!emergencies", "E-1 06:19 Mia Keller [CCS]: the printer burns — not acknowledged yet")
        return int(self.redis.cmd("HGET", self.key("emergency", "E-1"), "created"))

    def test_nobody_ever_paged_is_never_said_to_be_paged(self):
        s = self.site
        created = self.raise_it()
        for minutes in (6, 12, 18, 24):     # rounds 2 and 3, then the chain is over
            self.restart_at(str(created + minutes * 60_000 + 20_000))
            s.wait({"ev": "send", "room": "alerts", "text": exactly(self.NOBODY)}, timeout=15)
        s.expect_none({"ev": "send", "room": "alerts", "text": "E-1"}, within=1.0)
        self.assertEqual(s.all({"ev": "send", "room": "alerts", "text": "was paged"}), [])
        self.assertEqual(len(s.all({"ev": "dm", "to": "mia", "text": "E-1"})), 1)
        self.no_config_tokens_or_dashes()

    def test_a_lead_rostered_later_is_paged_and_the_raiser_told(self):
        s = self.site
        created = self.raise_it()
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.restart_at(str(created + 6 * 60_000 + 20_000))
        s.wait_all({"ev": "send", "room": "alerts", "text": exactly(
                        "E-1 not acknowledged after 6 min: paging the shift's lead, Vera Kovacs (round 2 of 3).")},
                   {"ev": "dm", "to": "vera", "text": "VÉSZHELYZET E-1"},
                   {"ev": "dm", "to": "mia", "text": exactly(
                       "Your emergency E-1: paging the shift's lead, Vera Kovacs. "
                       "I'll tell you when someone acknowledges it.")}, timeout=15)
        self.no_config_tokens_or_dashes()


if __name__ == "__main__":
    unittest.main()
