"""End-to-end: calendar feeds.  Each person's shifts, and a minister's view of
the department, as an iCalendar feed on the HTTP listener (GET
/calendar/<secret>.ics, the link from !calendar feed), parsed with a real
iCalendar library (Debian's python3-icalendar) and checked against the
roster before and after a swap (!swap, !swap accept, !approve).

The shifts and the zone are the example config's (Europe/Berlin; early,
late, night); the clock stands on Wednesday 2026-03-25, so the feed's window
spans the change to summer time on 2026-03-29 (the night shift of the 28th
is seven hours long)."""

import os
import datetime
import re
import secrets
import signal
import unittest
import urllib.error
import urllib.request

try:
    import icalendar
except ImportError:         # Debian's python3-icalendar: .ci/run installs it
    if os.environ.get("CI"):
        raise                   # never skipped in CI
    icalendar = None

from harness import E2E, STAFF, free_port, quote

EXAMPLE_SHIFTS = ('( { name = "early"; start = "06:00"; end = "14:00"; },'
                  ' { name = "late"; start = "14:00"; end = "22:00"; },'
                  ' { name = "night"; start = "22:00"; end = "06:00"; standby = "vera"; } )')
UTC = datetime.timezone.utc
LINK = re.compile(r"(https?://\S+/calendar/[0-9a-f]{48}\.ics)")


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


class FeedCase(E2E):
    CONFIG = {"timezone": "Europe/Berlin", "shifts": EXAMPLE_SHIFTS}
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-03-25T09:00:00Z"}

    def link(self, person, command="!calendar feed", expect="calendar feed: http"):
        """PERSON asks for a link in the lobby: the room only hears that the
        answer went privately; the link comes in a direct message."""
        name = next(p["name"] for p in STAFF if p["id"] == person)
        self.ask(person, command, name)
        text = self.site.wait({"ev": "dm", "to": person, "text": expect})["text"]
        return LINK.search(text).group(1), text

    def get(self, url):
        """(status, body bytes, content type) of a GET."""
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.status, r.read(), r.headers.get("Content-Type")
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers.get("Content-Type")

    def feed(self, url):
        """The feed at URL, checked as RFC 5545 text and parsed: {uid: event}."""
        status, body, ctype = self.get(url)
        self.assertEqual(status, 200, body)
        self.assertEqual(ctype, "text/calendar; charset=utf-8")
        self.assertTrue(body.endswith(b"END:VCALENDAR\r\n"))
        for line in body.split(b"\r\n")[:-1]:
            self.assertNotIn(b"\n", line)
            self.assertLessEqual(len(line), 75, line)
        cal = icalendar.Calendar.from_ical(body)
        self.assertEqual(str(cal["VERSION"]), "2.0")
        tz = [c for c in cal.walk("VTIMEZONE")]
        self.assertEqual([str(c["TZID"]) for c in tz], ["Europe/Berlin"])
        summer = [c for c in tz[0].walk("DAYLIGHT")
                  if c.decoded("DTSTART") == datetime.datetime(2026, 3, 29, 2, 0)]
        self.assertEqual(len(summer), 1, body)
        self.assertEqual(summer[0].decoded("TZOFFSETTO"), datetime.timedelta(hours=2))
        events = {}
        for ev in cal.walk("VEVENT"):
            self.assertNotIn(str(ev["UID"]), events)
            self.assertEqual(ev["DTSTART"].params["TZID"], "Europe/Berlin")
            self.assertIsInstance(ev.decoded("DTSTAMP"), datetime.datetime)
            events[str(ev["UID"])] = ev
        return events

    def uid(self, date, shift, person):
        return f"{date.replace('-', '')}-{shift}-{person}@{self.config.site}.dutybot"

    def span(self, ev):
        return (ev.decoded("DTSTART").astimezone(UTC), ev.decoded("DTEND").astimezone(UTC))


@unittest.skipIf(icalendar is None, "python3-icalendar is not installed")
class CalendarFeed(FeedCase):
    def setUp(self):
        super().setUp()
        self.ask("mark", "!roster lead 2026-03-26 early vera", "Roster updated")
        self.ask("mark", "!roster add 2026-03-26 early mia", "Roster updated")
        self.ask("mark", "!roster add 2026-03-28 night mia", "Roster updated")

    def test_feed_follows_the_roster_through_a_swap(self):
        url, text = self.link("mia")
        self.assertIn(f"http://127.0.0.1:{self.config.http_port}/calendar/", url)
        self.assertIn("!calendar feed renew gives you a new link", text)
        self.assertIn("only on the bot's own machine until the operator sets http.public_url", text)
        events = self.feed(url)
        early, night = self.uid("2026-03-26", "early", "mia"), self.uid("2026-03-28", "night", "mia")
        self.assertEqual(set(events), {early, night})
        self.assertEqual(self.span(events[early]), (utc(2026, 3, 26, 5), utc(2026, 3, 26, 13)))
        # over the change to summer time: 22:00 CET to 06:00 CEST, seven hours
        self.assertEqual(self.span(events[night]), (utc(2026, 3, 28, 21), utc(2026, 3, 29, 4)))
        self.assertEqual(str(events[early]["SUMMARY"]), "early shift (agent)")
        self.assertEqual(str(events[night]["SUMMARY"]), "night shift (agent)")
        for ev in events.values():
            self.assertEqual((ev["STATUS"], ev.decoded("SEQUENCE")), ("CONFIRMED", 0))
        stamp = events[early].decoded("DTSTAMP")
        # asked again unchanged: the same feed, nothing bumped
        self.assertEqual({u: ev.decoded("SEQUENCE") for u, ev in self.feed(url).items()}, {early: 0, night: 0})

        # the swap through the approval engine
        self.ask("mia", "!swap 2026-03-26 early with sara", "Swap S-1 asked of sara")
        self.ask("sara", "!swap accept S-1", "S-1", room="dm")
        self.ask("mark", "!approve S-1", "S-1 approved")
        self.site.wait({"ev": "dm", "to": "mia", "text": "was approved"})
        after = self.feed(url)
        self.assertEqual(set(after), {early, night})
        self.assertEqual(after[early]["STATUS"], "CANCELLED")
        self.assertEqual(after[early].decoded("SEQUENCE"), 1)
        self.assertGreaterEqual(after[early].decoded("DTSTAMP"), stamp)
        self.assertEqual(self.span(after[early]), (utc(2026, 3, 26, 5), utc(2026, 3, 26, 13)))
        self.assertEqual((after[night]["STATUS"], after[night].decoded("SEQUENCE")), ("CONFIRMED", 0))

        # Sara reads Spanish: her link, her feed, in her words
        surl, stext = self.link("sara", expect="Tus turnos como calendario suscrito: http")
        self.assertIn("!calendar feed renew te da un enlace nuevo", stext)
        sara = self.feed(surl)
        self.assertEqual(set(sara), {self.uid("2026-03-26", "early", "sara")})
        ev = sara[self.uid("2026-03-26", "early", "sara")]
        self.assertEqual((ev["STATUS"], ev.decoded("SEQUENCE")), ("CONFIRMED", 0))
        self.assertIn("turno de mañana", str(ev["SUMMARY"]))
        self.assertEqual(self.span(ev), (utc(2026, 3, 26, 5), utc(2026, 3, 26, 13)))

    def test_a_changed_slot_keeps_its_uid_and_bumps_sequence(self):
        url, _ = self.link("vera", expect="http")
        uid = self.uid("2026-03-26", "early", "vera")
        before = self.feed(url)[uid]
        self.assertEqual(before.decoded("SEQUENCE"), 0)
        self.ask("mark", "!roster remove 2026-03-26 early vera", "Roster updated")
        self.ask("mark", "!roster add 2026-03-26 early vera", "Roster updated")
        after = self.feed(url)[uid]
        self.assertEqual((after["STATUS"], after.decoded("SEQUENCE")), ("CONFIRMED", 1))
        self.assertNotEqual(str(after["SUMMARY"]), str(before["SUMMARY"]))
        # taken away and given back between two reads: cancelled, then confirmed again
        self.ask("mark", "!roster remove 2026-03-26 early vera", "Roster updated")
        gone = self.feed(url)[uid]
        self.assertEqual((gone["STATUS"], gone.decoded("SEQUENCE")), ("CANCELLED", 2))
        self.ask("mark", "!roster add 2026-03-26 early vera", "Roster updated")
        back = self.feed(url)[uid]
        self.assertEqual((back["STATUS"], back.decoded("SEQUENCE")), ("CONFIRMED", 3))

    def test_new_shift_hours_bump_sequence(self):
        url, _ = self.link("mia")
        early = self.uid("2026-03-26", "early", "mia")
        self.assertEqual(self.feed(url)[early].decoded("SEQUENCE"), 0)
        with open(self.config.path, encoding="utf-8") as f:
            text = f.read()
        with open(self.config.path, "w", encoding="utf-8") as f:
            f.write(text.replace('start = "06:00"; end = "14:00"', 'start = "07:00"; end = "15:00"'))
        mark = self.daemon.log_mark()
        self.daemon.proc.send_signal(signal.SIGHUP)
        self.daemon.wait_log("configuration reloaded", since=mark)
        events = self.feed(url)
        self.assertEqual((events[early]["STATUS"], events[early].decoded("SEQUENCE")), ("CONFIRMED", 1))
        self.assertEqual(self.span(events[early]), (utc(2026, 3, 26, 6), utc(2026, 3, 26, 14)))
        night = events[self.uid("2026-03-28", "night", "mia")]
        self.assertEqual(night.decoded("SEQUENCE"), 0)

    def test_renew_invalidates_the_old_link(self):
        old, _ = self.link("mia")
        again, _ = self.link("mia")
        self.assertEqual(again, old)            # asked again: the same link
        self.assertEqual(len(self.feed(old)), 2)
        new, text = self.link("mia", "!calendar feed renew")
        self.assertNotEqual(new, old)
        self.assertIn("The old link no longer works.", text)
        self.assertEqual(self.get(old)[:2], (404, b"not found\n"))
        self.assertEqual(set(self.feed(new)), {self.uid("2026-03-26", "early", "mia"),
                                               self.uid("2026-03-28", "night", "mia")})
        audit = self.ask("lemon", "!audit 10", "Latest changes", room="dm")["text"]
        self.assertIn("calendar.feed_renew mia", audit)

    def test_bad_links_are_a_bare_404_and_change_nothing(self):
        url, _ = self.link("mia")
        self.feed(url)
        before = {k: self.redis.cmd("HGETALL", k) for k in self.redis.keys(self.key("ics", "*"))}
        self.assertTrue(before)
        secret = url.rsplit("/", 1)[1][:-4]
        base = f"http://127.0.0.1:{self.config.http_port}/calendar/"
        wrong_token = secret[:16] + ("0" if secret[16] != "0" else "1") + secret[17:]
        for bad in (base + wrong_token + ".ics", base + secrets.token_hex(24) + ".ics",
                    base + secret.upper() + ".ics", base + secret, base + secret[:-1] + ".ics",
                    base + secret + ".ics/x", base):
            self.assertEqual(self.get(bad)[:2], (404, b"not found\n"), bad)
        # the roster changes; a bad token must not make the feed remember it
        self.ask("mark", "!roster remove 2026-03-26 early mia", "Roster updated")
        self.assertEqual(self.get(base + wrong_token + ".ics")[0], 404)
        after = {k: self.redis.cmd("HGETALL", k) for k in self.redis.keys(self.key("ics", "*"))}
        self.assertEqual(after, before)

    def test_department_feed_only_for_ministers(self):
        self.ask("mia", "!calendar feed department",
                 "!calendar feed department is for minister and above; you are agent.", room="dm")
        self.ask("vera", "!calendar feed department", "miniszter", room="dm")
        self.ask("tom", "!calendar feed department", "Minister", room="dm")
        self.assertEqual(self.redis.keys(self.key("icsfeed:*")), [])
        url, text = self.link("mark", "!calendar feed department", "Every shift of the department")
        self.assertIn("!calendar feed department renew", text)
        events = self.feed(url)
        self.assertEqual(set(events), {self.uid("2026-03-26", "early", "vera"),
                                       self.uid("2026-03-26", "early", "mia"),
                                       self.uid("2026-03-28", "night", "mia")})
        self.assertEqual(str(events[self.uid("2026-03-26", "early", "vera")]["SUMMARY"]),
                         "Vera Kovacs: early shift (lead)")
        # the webmaster too; and the minister's own feed is another link
        lurl, _ = self.link("lemon", "!calendar feed department", "Every shift of the department")
        self.assertNotEqual(lurl, url)
        own, _ = self.link("mark")
        self.assertNotEqual(own, url)
        self.assertEqual(self.feed(own), {})
        # a minister who is one no more: the department feed is gone
        self.ask("lemon", "!staff set mark role vice_minister", "role is now")
        self.assertEqual(self.get(url)[:2], (404, b"not found\n"))

    def test_commands_as_each_role_and_language(self):
        _, text = self.link("tom", expect="Deine Schichten als Kalender-Abo: http")
        self.assertIn("!calendar feed renew gibt dir einen neuen Link", text)
        self.assertIn("bis der Betreiber http.public_url setzt", text)
        self.ask("mia", "!calendar feed today", "Usage: !calendar feed [department] [renew]", room="dm")
        self.ask("mia", "!calendar feed renew now", "Usage: !calendar feed [department] [renew]", room="dm")
        self.ask("lina", "!calendar feed", "is for agent and above; you are chat friend.", room="dm")
        # the SAM's appointment calendar is as it was
        self.ask("mia", "!calendar", "needs level SAM or above; you are CCS.", room="dm")
        self.ask("sara", "!calendar add 2026-03-26 15:00 call lina", "K-1", room="dm")
        self.ask("sara", "!calendar 2026-03-26", "call lina", room="dm")
        help_text = self.ask("mia", "!help calendar", "calendar feed")["text"]
        self.assertNotIn("calendar add", help_text)


@unittest.skipIf(icalendar is None, "python3-icalendar is not installed")
class PublicUrl(FeedCase):
    def config_overrides(self):
        port = free_port()
        return dict(self.CONFIG, http_port=port,
                    http=f"{{ listen = {quote(f'127.0.0.1:{port}')}; public_url = \"https://duty.example.org\"; }}")

    def test_link_uses_public_url(self):
        url, text = self.link("mia", expect="calendar feed: https://duty.example.org/calendar/")
        self.assertNotIn("public_url", text)
        local = url.replace("https://duty.example.org", f"http://127.0.0.1:{self.config.http_port}")
        self.assertEqual(self.feed(local), {})


class ListenerOff(FeedCase):
    CONFIG = dict(FeedCase.CONFIG, http='{ listen = ""; }')

    def test_feed_refused_when_the_listener_is_off(self):
        self.ask("mia", "!calendar feed", "Calendar feeds are off: the bot's HTTP listener is turned off",
                 room="dm")
        self.assertEqual(self.redis.keys(self.key("icsfeed*")), [])


if __name__ == "__main__":
    unittest.main()
