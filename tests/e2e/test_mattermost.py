"""End-to-end on Mattermost: the scenarios the Discord and Slack tests share,
over /api/v4/websocket and the REST API (tests/fakes/mattermost/), and the
fake's misbehaviours, each on its own: the socket dropped with and without
replay, an event seq skipped, a daemon restart, 429s with X-Ratelimit-Reset,
500s, slow answers, a long reply split, @channel echoed, buttons on and off,
a forged click."""

import time
import unittest
import urllib.error
import urllib.request

from platforms import MattermostWorld, PlatformCase, RestScenarios, Scenarios


class Mattermost(Scenarios, PlatformCase):
    WORLD = MattermostWorld

    def setUp(self):
        super().setUp()
        for p in self.STAFF:            # everyone has an account on a real server
            self.fake.set_user(self.world.uid(p["id"]), username=p["id"])

    def mention(self, person: str) -> str:
        return "@" + person             # as Mattermost writes one

    def test_at_usernames_are_looked_up_once(self):
        self.fake.set_user(self.world.uid("vera"), username="vera.k")   # not her staff id
        self.ask("mark", "!staff show @vera.k", "id: vera", channel="dm")
        self.ask("mark", "!staff show @Vera.K", "id: vera", channel="dm")
        self.ask("mark", "!staff show @nobody", "No staff member", channel="dm")
        self.ask("mark", "!staff show @nobody", "No staff member", channel="dm")
        self.assertEqual(self.fake.state()["stats"]["username_lookups"], 2)
        # chatter is never looked up, and order holds behind a lookup
        self.world.post("mia", "hello @tom and @sara")
        self.world.post("mark", "!staff show @lina", channel="dm")
        self.world.post("mark", "!ping", channel="dm")
        first = self.wait_post("No staff member", channel="dm", person="mark")
        second = self.wait_post("pong", channel="dm", person="mark")
        self.assertLess(self.world.order(first), self.world.order(second))
        self.assertEqual(self.fake.state()["stats"]["username_lookups"], 3)

    def test_long_output_is_split_at_the_platform_limit(self):
        # Mattermost takes 16,383 runes a post: the longest reply a command can
        # ask for (a plan of up to 8,192 bytes, the parser's limit) is one post, its
        # lines whole, where Discord and Slack need three or more
        lines = [f"{i:03d}-" + "x" * 186 for i in range(40)]     # 40 words: the parser takes 48
        self.ask("mark", "!plan set " + "\n".join(lines), "saved")
        mark = len(self.world.bot_messages(self.fake.state()))
        self.world.post("mark", "!plan")
        pieces = self.fake.wait_for(
            lambda s: (lambda t: t if "".join(t).count("x") == 40 * 186 else None)(
                [m["text"] for m in self.world.bot_messages(s)[mark:]]), what="the whole plan")
        self.assertEqual(len(pieces), 1, [len(p) for p in pieces])
        self.assertEqual([ln for ln in pieces[0].split("\n") if ln[:3].isdigit()], lines)
        self.assertEqual(self.fake.state()["stats"].get("empty_posts", 0), 0)

    def test_channel_wide_mentions_are_neutralised(self):
        msg = self.ask("mark", "!staff show @channel", "No staff member", channel="dm")
        self.assertNotIn("@channel", msg["text"])
        self.assertIn("\uff20channel", msg["text"])
        msg = self.ask("mark", "!staff show @ALL", "No staff member", channel="dm")
        self.assertNotIn("@ALL", msg["text"])

    def test_bots_system_posts_and_itself_are_ignored(self):
        self.world.post_as_other_bot("!ping")
        self.fake.message(user=self.world.uid("mia"), username="mia", text="!ping",
                          channel=self.world.channels["lobby"], type="system_join_channel")
        time.sleep(1.0)
        self.assertEqual(self.world.bot_messages(self.fake.state()), [])
        self.ask("mia", "!ping", "pong")


class Socket(PlatformCase):
    WORLD = MattermostWorld

    def pongs(self, state=None):
        return [m for m in self.world.bot_messages(state or self.fake.state()) if m["text"] == "pong"]

    def say_while_away(self, n=3):
        for _ in range(n):
            self.world.post("mia", "!ping")

    def wait_pongs(self, n, timeout=20):
        self.fake.wait_for(lambda s: len(self.pongs(s)) >= n, timeout=timeout, what=f"{n} pongs")
        time.sleep(1.5)                     # and no more than that
        self.assertEqual(len(self.pongs()), n, self.daemon.log_tail(30))

    def test_a_drop_is_resumed_and_replayed(self):
        self.ask("mia", "!ping", "pong")
        self.fake.misbehave(action="replay", enabled=True, overlap=2)   # also two it had seen
        self.fake.misbehave(action="drop")
        self.say_while_away()
        self.wait_pongs(4)
        s = self.fake.state()["stats"]
        self.assertEqual(s["resumed"], 1)
        self.assertEqual(s["fresh"], 1)
        self.assertGreaterEqual(s["replayed"], 3)
        self.assertEqual(s.get("posts_since", 0), 0)       # nothing to fetch: all replayed
        conn = self.fake.state()["connections"][-1]
        self.assertEqual(conn["query"]["connection_id"], conn["connection_id"])

    def test_a_resume_refused_for_a_while_is_still_a_resume(self):
        # a proxy restarting: the first reconnects fail, the server still has the connection
        self.ask("mia", "!ping", "pong")
        self.fake.misbehave(action="refuse", ms=2500)
        self.fake.misbehave(action="drop")
        self.say_while_away()
        self.wait_pongs(4, timeout=30)
        s = self.fake.state()["stats"]
        self.assertGreaterEqual(s["refused_upgrades"], 1)
        self.assertEqual(s["resumed"], 1)
        self.assertEqual(s["fresh"], 1)
        self.assertEqual(s.get("posts_since", 0), 0)

    def test_a_drop_without_replay_is_caught_up_over_rest(self):
        self.ask("mia", "!ping", "pong")
        self.ask("mia", "!ping", "pong", channel="dm")
        self.fake.misbehave(action="replay", enabled=False)
        self.fake.misbehave(action="drop")
        self.say_while_away()
        self.world.post("mia", "!ping", channel="dm")
        self.world.post("mia", "!ping", channel="ops")
        self.wait_pongs(7)
        s = self.fake.state()["stats"]
        self.assertEqual(s["fresh"], 2)
        self.assertEqual(s.get("resumed", 0), 0)
        self.assertGreaterEqual(s["posts_since"], 3)       # lobby, the DM and ops at least
        self.daemon.wait_log(r"caught up: [5-9] post")     # the two answered before, seen again: dropped
        # in the order they were said, per channel
        lobby = [m for m in self.pongs() if m["channel"] == self.world.channels["lobby"]]
        self.assertEqual(len(lobby), 4)
        self.assertEqual(lobby, sorted(lobby, key=self.world.order))

    def test_a_skipped_event_seq_reconnects_and_catches_up(self):
        self.ask("mia", "!ping", "pong")
        self.fake.misbehave(action="gap")
        self.world.post("mia", "!ping")
        self.wait_pongs(2)
        self.daemon.wait_log(r"events were lost; reconnecting afresh")
        s = self.fake.state()["stats"]
        self.assertEqual(s["fresh"], 2)
        self.assertGreaterEqual(s["posts_since"], 1)

    def test_a_restarted_daemon_catches_up_from_redis(self):
        self.ask("mia", "!ping", "pong")
        self.ask("mia", "!ping", "pong", channel="dm")
        self.daemon.stop()
        self.assertIsNotNone(self.redis.cmd("HGET", self.key("resume", "mm"), "last_id"))
        self.say_while_away(2)
        self.world.post("mia", "!ping", channel="dm")
        self.start_daemon()
        self.wait_ready()
        self.wait_pongs(5)

    def test_a_refused_token_is_fatal_until_the_config_changes(self):
        self.daemon.stop()
        with open(self.config.path, encoding="utf-8") as f:
            text = f.read()
        with open(self.config.path, "w", encoding="utf-8") as f:
            f.write(text.replace(self.world.TOKEN, "wrong-token"))
        self.start_daemon()
        self.daemon.wait_log(r"state change AUTH -> FATAL, reason: GET /users/me: the token was refused")
        time.sleep(1.5)
        self.assertEqual(self.fake.state()["stats"].get("opened", 0), 1)   # the first run's only


class Pings(PlatformCase):
    WORLD = MattermostWorld
    FAKE_OPTS = {"ignore_pings": True}

    def test_an_unanswered_ping_reconnects(self):
        # a ping every 30 s; one still unanswered when the next is due: the socket is dead
        self.ask("mia", "!ping", "pong")
        self.daemon.wait_log(r"no answer to a ping within 30 s: the socket is dead", timeout=75)
        self.fake.wait_for(lambda s: s["stats"].get("resumed", 0) >= 1, timeout=10, what="a resumed socket")
        self.assertEqual(self.fake.state()["stats"]["pings"], 1)      # sent at 30 s, found unanswered at 60 s
        self.ask("mia", "!ping", "pong")


class Buttons(PlatformCase):
    WORLD = MattermostWorld
    CONFIG = Scenarios.CONFIG
    DAEMON_ENV = Scenarios.DAEMON_ENV

    def approval(self):
        self.ask("mark", "!roster add tomorrow early mia", "Roster updated")
        self.ask("mia", "!swap tomorrow early with sara", "S-1")
        self.ask("sara", "!swap accept S-1", "accepted")
        return self.wait_post("S-1 waits for a minister or above", channel="ops")

    def test_a_click_with_a_forged_secret_is_refused(self):
        request = self.approval()
        action = request["raw"]["props"]["attachments"][0]["actions"][0]
        forged = dict(action["integration"]["context"], secret="0" * 32)
        rec = self.fake.click(request["id"], self.world.uid("mark"), action["id"], forge_context=forged)
        self.assertEqual(rec["status"], 403)
        self.daemon.wait_log("a button callback without our secret: refused")
        time.sleep(1.0)
        self.assertFalse(self.message_now(request)["edited"])
        self.assertEqual(self.redis.cmd("HGET", self.key("approval", "S-1"), "state"), "open")
        # the context never reaches a client; the server's own call works
        self.world.click("mark", request, "approve")
        self.wait_edited(request, "S-1 approved and done")


    def test_the_listener_refuses_what_is_no_click_of_ours(self):
        url = f"http://127.0.0.1:{self.world.http_port}"

        def post(path, body):
            req = urllib.request.Request(url + path, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    return r.status
            except urllib.error.HTTPError as e:
                return e.code
        self.assertEqual(post("/mattermost/actions", b'{"context":{"conn":"other"}}'), 403)
        self.assertEqual(post("/mattermost/actions", b"not json"), 403)
        self.assertEqual(post("/mattermost/actions", b"x" * 70000), 413)
        self.assertEqual(post("/healthz", b"{}"), 404)
        with urllib.request.urlopen(url + "/healthz", timeout=5) as r:       # GET still answers
            self.assertEqual(r.status, 200)
        self.ask("mia", "!ping", "pong")


class NoButtons(PlatformCase):
    WORLD = MattermostWorld
    CONFIG = Scenarios.CONFIG
    DAEMON_ENV = Scenarios.DAEMON_ENV
    FAKE_OPTS = {"buttons": False}

    def test_without_public_url_no_buttons_and_typed_commands_work(self):
        self.ask("mark", "!roster add tomorrow early mia", "Roster updated")
        self.ask("mia", "!swap tomorrow early with sara", "S-1")
        self.ask("sara", "!swap accept S-1", "accepted")
        request = self.wait_post("S-1 waits for a minister or above", channel="ops")
        self.assertEqual(request["buttons"], [])
        self.assertNotIn("attachments", request["raw"]["props"])
        self.daemon.wait_log(r"buttons are off: http.public_url is not set")
        self.ask("mark", "!approve S-1", "approved", channel="ops")
        self.assertEqual(self.redis.cmd("HGET", self.key("approval", "S-1"), "state"), "approved")
        self.assertEqual(self.daemon.log().count("buttons are off"), 1)


class ServerLimiter(PlatformCase):
    WORLD = MattermostWorld
    FAKE_OPTS = {"rate_per_second": 5, "enforce_rate": True}
    CONFIG = {"limits": "{ staff = { per_minute = 6000; burst = 1000; queue = 1000; }; }"}

    def test_a_burst_stays_within_x_ratelimit_remaining(self):
        # the server's limiter on, 5 requests a second: its headers pace the burst, no 429
        self.ask("mia", "!ping", "pong")
        t0 = time.monotonic()
        for _ in range(20):
            self.world.post("mia", "!ping")
        self.fake.wait_for(lambda s: sum(m["text"] == "pong" for m in self.world.bot_messages(s)) >= 21,
                           timeout=30, what="21 pongs")
        took = time.monotonic() - t0
        self.assertGreaterEqual(took, 3.0)         # 20 posts at 5 a second
        self.assertEqual(self.fake.state()["stats"].get("over_limit", 0), 0)


class Rest(RestScenarios, PlatformCase):
    WORLD = MattermostWorld

    def test_429_honours_x_ratelimit_reset(self):
        self.world.inject("rate_limit", count=1, retry_after=2)
        t0 = time.monotonic()
        self.ask("mia", "!ping", "pong", timeout=15)
        self.assertGreaterEqual(time.monotonic() - t0, 1.9)
        self.assertEqual(self.fake.state()["early_retries"], 0)


if __name__ == "__main__":
    unittest.main()
