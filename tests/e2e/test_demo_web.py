"""End-to-end: the demo in a browser.  Debian's chromium (headless, driven by
python3-selenium through chromium-driver) opens the page of
``dutybot-demo-site --web --day`` next to the real dutybot on the example
config (only its ports changed), after the day was set up through the bot's
own commands: Mia asks !whoami, Tom (German) too, Mia's !duty names the
people the day put on the roster, the minister approves the waiting swap by
clicking its button, and the lead (Hungarian) acknowledges Tom's emergency
with hers.  Every line typed on the page must reach the site as
an ordinary chat message, and the answers must be on the page.

Skipped only when chromium is missing outside CI; under CI ($CI set, as
.ci/run does) a missing browser fails the test.
"""

import os
import re
import shutil
import socket
import sys
import tempfile
import unittest

from harness import Daemon, DemoSite, Redis, free_port, stop_clean

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE = os.path.join(TOP, "config", "dutybot.example.cfg")

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False


def browser_missing():
    """Why the browser cannot run here, or None."""
    if not HAVE_SELENIUM:
        return "python3-selenium is not installed"
    if not shutil.which("chromium"):
        return "chromium is not installed"
    if not (shutil.which("chromedriver") or os.path.exists("/usr/bin/chromedriver")):
        return "chromium-driver is not installed"
    return None


def example_config(path, redis_port, site_port, http_port):
    """config/dutybot.example.cfg with free ports instead of its fixed ones."""
    with open(EXAMPLE, encoding="utf-8") as f:
        text = f.read()
    for old, new in (("port = 6379;", f"port = {redis_port};"),
                     ("127.0.0.1:8080/bot", f"127.0.0.1:{site_port}/bot"),
                     ("127.0.0.1:9462", f"127.0.0.1:{http_port}")):
        if old not in text:
            raise AssertionError(f"the example config no longer has {old!r}")
        text = text.replace(old, new)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def listening_address(port):
    """The IPv4 address a listening socket on PORT is bound to (from /proc/net/tcp)."""
    with open("/proc/net/tcp", encoding="ascii") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.split(":")
            if state == "0A" and int(p, 16) == port:
                return socket.inet_ntoa(bytes.fromhex(addr)[::-1])
    return None


class DemoWorld(unittest.TestCase):
    """Redis, dutybot and the demo site with --web and --day at FAKE_NOW
    (DUTYBOT_FAKE_NOW, for both: the day's shifts do not depend on the hour
    the test runs at), and a headless chromium on the page."""

    FAKE_NOW = "2026-03-04T05:05:00Z"         # 06:05 in Berlin: early runs, late is next

    def setUp(self):
        why = browser_missing()
        if why:
            if os.environ.get("CI"):
                self.fail(f"CI must run the browser test: {why}")
            self.skipTest(why)
        old = os.environ.get("DUTYBOT_FAKE_NOW")
        os.environ["DUTYBOT_FAKE_NOW"] = self.FAKE_NOW
        self.addCleanup(lambda: os.environ.pop("DUTYBOT_FAKE_NOW") if old is None
                        else os.environ.__setitem__("DUTYBOT_FAKE_NOW", old))
        self.tmp = tempfile.mkdtemp(prefix="dutybot-web-")
        if not os.environ.get("DUTYBOT_E2E_KEEP"):
            self.addCleanup(shutil.rmtree, self.tmp, True)
        self.redis = Redis(self.tmp)
        self.addCleanup(self.redis.stop)
        cfg = example_config(os.path.join(self.tmp, "dutybot.cfg"), self.redis.port,
                             free_port(), free_port())
        self.web_port = free_port()
        self.site = DemoSite(cfg, args=["--web", f"127.0.0.1:{self.web_port}", "--day"],
                             log_dir=self.tmp)
        self.addCleanup(self.site_stops_clean)
        self.daemon = Daemon(cfg, log_path=os.path.join(self.tmp, "dutybot.log"))
        self.addCleanup(stop_clean, self.daemon)
        self.day = self.site.wait({"ev": "day_ready"}, timeout=90)

        opts = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--window-size=1400,900", "--lang=en"):
            opts.add_argument(arg)
        service = Service(executable_path=shutil.which("chromedriver")
                                          or "/usr/bin/chromedriver")
        self.browser = webdriver.Chrome(options=opts, service=service)
        self.addCleanup(self.browser.quit)
        self.browser.get(f"http://127.0.0.1:{self.web_port}/")

    def site_stops_clean(self):
        """The site (its page's vhost and the day included) ends with 0 and no
        sanitizer report."""
        code = self.site.stop()
        err = self.site.stderr()
        for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            self.assertNotIn(bad, err)
        self.assertEqual(code, 0, err[-2000:])

    # -- the page
    def page_wait(self, what, pred, timeout=30):
        try:
            return WebDriverWait(self.browser, timeout, poll_frequency=0.2).until(
                lambda d: pred(d))
        except Exception:
            self.shot("failed")
            raise AssertionError(f"the page never showed {what}")

    def shot(self, name):
        path = os.path.join(self.tmp, f"demo-web-{name}.png")
        self.browser.save_screenshot(path)
        kept = "" if os.environ.get("DUTYBOT_E2E_KEEP") else " (kept with DUTYBOT_E2E_KEEP=1)"
        print(f"\nscreenshot: {path}{kept}", file=sys.stderr, flush=True)
        return path

    def lines(self, panel):
        return [e.text for e in self.browser.find_elements(By.CSS_SELECTOR, f"#{panel} .line")]

    def pick(self, person):
        self.browser.find_element(By.CSS_SELECTOR, f'#people [data-person="{person}"]').click()

    def room(self, name):
        self.browser.find_element(By.CSS_SELECTOR, f'#rooms [data-room="{name}"]').click()

    def type(self, text, panel="text"):
        box = self.browser.find_element(By.ID, panel)
        box.clear()
        box.send_keys(text, Keys.ENTER)

    def answer(self, match, timeout=20):
        """The bot's answer as the site saw it (the cursor moves past it)."""
        return self.site.wait(match, timeout=timeout)

    def shown(self, panel, text, timeout=20):
        """TEXT appears in a line of PANEL (lines: the room, dm-lines: private)."""
        return self.page_wait(repr(text) + " in #" + panel,
                              lambda d: any(text in t for t in self.lines(panel)), timeout)



class DemoWeb(DemoWorld):

    def test_whoami_duty_and_the_swap_approved_by_click(self):
        listening = self.site.all({"ev": "listening"})[0]
        self.assertEqual(listening["web"], f"127.0.0.1:{self.web_port}")
        self.assertEqual(listening_address(self.web_port), "127.0.0.1",
                         "the page's socket must listen on loopback only")
        swap = self.day["swap"]
        self.assertRegex(swap, r"^S-\d+$")
        self.assertIn("the early shift runs with lead Vera Kovacs and minister on duty Mark Novak",
                      self.day["summary"])

        # the page shows the day so far, and who is who
        self.page_wait("the people", lambda d: d.find_elements(By.CSS_SELECTOR,
                                                               '#people [data-person="mia"]'))
        people = self.browser.find_element(By.ID, "people").text
        for who in ("Mia Keller agent · CCS · en", "Tom Berger agent · TRN · de",
                    "Mark Novak minister · en", "Vera Kovacs vice minister · hu"):
            self.assertIn(who, people)
        self.assertIn("Anna", people)           # a chat friend to play
        self.page_wait("dutybot connected",
                       lambda d: "dutybot is connected" in d.find_element(By.ID, "status").text)

        # Mia asks !whoami in the lobby: a chat line like any other
        self.pick("mia")
        self.room("lobby")
        self.type("!whoami")
        self.site.wait({"ev": "message", "user": "mia", "room": "lobby", "dm": False,
                        "text": lambda t: t == "!whoami"})
        mine = self.answer({"ev": "send", "room": "lobby", "text": "Mia Keller"})
        self.shown("lines", mine["text"].splitlines()[0])

        # Tom's answer comes in German
        self.pick("tom")
        self.type("!whoami")
        self.site.wait({"ev": "message", "user": "tom", "text": lambda t: t == "!whoami"})
        toms = self.answer({"ev": "send", "room": "lobby", "text": "Tom Berger"})
        self.assertRegex(toms["text"], r"Agent|Stufe|Rolle|Sprache")
        self.shown("lines", toms["text"].splitlines()[0])

        # !duty names the day's real people: the lead, the minister on duty, the agents
        self.pick("mia")
        self.room("ops")
        self.type("!duty")
        duty = self.answer({"ev": "send", "room": "ops", "text": "Vera Kovacs"})
        for name in ("Mark Novak", "Mia Keller", "Wang Wei"):      # Wang Wei leads the next shift
            self.assertIn(name, duty["text"])
        self.assertNotIn("Tom Berger", duty["text"])               # on the roster, not checked in
        self.assertNotIn("—", duty["text"])
        self.shown("lines", duty["text"].splitlines()[0])

        # the minister approves the waiting swap with its button, privately
        self.pick("mark")
        button = self.page_wait(
            "the swap's Approve button in Mark's private messages",
            lambda d: d.find_elements(By.CSS_SELECTOR,
                                      f'#dm-lines button[data-cmd="approve"][data-id="{swap}"]'))
        button[0].click()
        self.site.wait({"ev": "message", "user": "mark", "dm": True,
                        "text": lambda t: t == f"!approve {swap}"})
        done = self.answer(lambda e: e.get("ev") in ("send", "dm") and swap in e.get("text", "")
                           and "approved" in e["text"])
        self.room(done.get("room") or "ops")
        self.shown("dm-lines" if done["ev"] == "dm" else "lines", done["text"].splitlines()[0])
        # the roster changed: Ana has Sara's late shift now (asked as the minister, privately)
        self.type("!roster today", panel="dm-text")
        roster = self.answer({"ev": "dm", "to": "mark", "text": "Ana Horvat"})
        self.shown("dm-lines", roster["text"].splitlines()[0])
        self.shot("approved")

        # Tom raises an emergency in #alerts; the lead (Vera, Hungarian) acknowledges
        # it with the button in her private messages
        self.pick("tom")
        self.room("alerts")
        self.type("!emergency Die Bezahlseite zeigt Fehler")
        page = self.answer({"ev": "dm", "to": "vera", "text": re.compile(r"!ack E-\d+")})
        eid = re.search(r"E-\d+", page["text"]).group(0)
        self.pick("vera")
        button = self.page_wait(
            "the Acknowledge button in Vera's private messages",
            lambda d: d.find_elements(By.CSS_SELECTOR,
                                      f'#dm-lines button[data-cmd="ack"][data-id="{eid}"]'))
        button[0].click()
        self.site.wait({"ev": "message", "user": "vera", "dm": True,
                        "text": lambda t: t == f"!ack {eid}"})
        acked = self.answer({"ev": "dm", "to": "vera", "text": eid})
        self.assertNotIn("!ack", acked["text"])     # an answer, not the page again
        self.shown("dm-lines", acked["text"].splitlines()[0])
        self.shot("acknowledged")

    def test_chat_text_is_shown_as_text(self):
        """A friend's line with markup is shown as typed, never run as HTML."""
        evil = '<img src=x onerror="document.title=\'owned\'"><b>bold</b>'
        self.site.say("ben", evil)
        self.page_wait("the friend's line", lambda d: any(evil in t for t in self.lines("lines")))
        self.assertEqual(self.browser.find_elements(By.CSS_SELECTOR, "#lines img, #lines b"), [])
        self.assertNotEqual(self.browser.title, "owned")

    def test_other_origins_may_not_type(self):
        """A page from elsewhere cannot open the demo's socket (the browser would let it)."""
        def handshake(origin):
            with socket.create_connection(("127.0.0.1", self.web_port), timeout=5) as s:
                s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{self.web_port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 13\r\n"
                           "Sec-WebSocket-Protocol: dutybot.demo-web.v1\r\n"
                           f"Origin: {origin}\r\n\r\n").encode())
                return s.recv(200).decode("latin-1").split("\r\n")[0]
        self.assertIn("101", handshake(f"http://127.0.0.1:{self.web_port}"))
        self.assertIn("403", handshake("http://evil.example"))


class DemoWebAtNight(DemoWorld):
    """At 02:30 the night shift that began yesterday is the running one."""

    FAKE_NOW = "2026-03-04T01:30:00Z"         # 02:30 in Berlin

    def test_the_day_is_set_up_on_last_nights_shift(self):
        self.assertIn("the night shift runs", self.day["summary"])
        self.assertEqual(self.site.all({"ev": "error"}), [])
        self.assertTrue(self.site.all({"ev": "message", "user": "mark",
                                       "text": "!roster lead yesterday night vera"}))
        self.pick("mia")
        self.room("ops")
        self.type("!duty")
        duty = self.answer({"ev": "send", "room": "ops", "text": "Vera Kovacs"})
        self.assertIn("Mia Keller", duty["text"])
        self.assertIn("Wang Wei", duty["text"])                 # the early shift's lead, next
        self.shown("lines", duty["text"].splitlines()[0])


if __name__ == "__main__":
    unittest.main()
