"""End-to-end on Slack: the scenarios of the other areas over Socket Mode and
the Web API (tests/fakes/slack/), and the fake's misbehaviours, each
on its own: disconnect warnings and refresh requests (a new socket first, no
event lost or handled twice), link_disabled, redelivered events, 429s with
Retry-After, 500s, slow answers, an abrupt close, a refused token."""

import time
import unittest

from platforms import PlatformCase, RestScenarios, Scenarios, SlackWorld


class Slack(Scenarios, PlatformCase):
    WORLD = SlackWorld

    def test_mentions_and_markup_are_neutralised(self):
        msg = self.ask("mark", "!staff show <!channel>", "No staff member", channel="dm")
        self.assertIn("&lt;!channel&gt;", msg["raw"]["text"])
        self.assertNotIn("<!channel>", msg["raw"]["text"])

    def test_bots_edits_joins_and_itself_are_ignored(self):
        self.fake.message(channel=self.world.channels["lobby"], user="U0OTHERBOT", text="!ping", bot_id="B0OTHER")
        self.fake.message(channel=self.world.channels["lobby"], user=self.world.uid("mia"), text="!ping",
                          subtype="message_changed")
        self.fake.message(channel=self.world.channels["lobby"], user=self.world.uid("mia"), text="joined",
                          subtype="channel_join")
        time.sleep(1.0)
        self.assertEqual(self.world.bot_messages(self.fake.state()), [])
        self.ask("mia", "!ping", "pong")

    def test_a_user_id_with_a_comma_or_quote_opens_no_dm(self):
        # conversations.open takes a list: "U0MALLORY,U0VERA" would be a group DM with Vera
        for hostile in (f"U0MALLORY,{self.world.uid('vera')}", 'U0MALLORY"', "U0MALLORY\n"):
            mark = self.daemon.log_mark()
            self.fake.message(user=hostile, text="!ping", channel_type="im")
            deadline = time.monotonic() + 10
            while ("a DM failed for good" not in self.daemon.log()[mark:] and time.monotonic() < deadline
                   and not self.pongs()):
                time.sleep(0.1)
            self.assertEqual(self.pongs(), [], f"{hostile!r} was answered")
            self.assertIn("a DM failed for good", self.daemon.log()[mark:])
        self.ask("mia", "!ping", "pong")

    def pongs(self):
        return [m for m in self.world.bot_messages(self.fake.state()) if m["text"] == "pong"]


class Socket(PlatformCase):
    WORLD = SlackWorld
    FAKE_OPTS = {"warning_ms": 1500}

    def pongs(self):
        return [m for m in self.world.bot_messages(self.fake.state()) if m["text"] == "pong"]

    def switch_without_loss(self, reason):
        self.ask("mia", "!ping", "pong")
        self.fake.misbehave(action="disconnect", reason=reason)
        # said while the switch is under way, and after it
        for _ in range(5):
            self.world.post("mia", "!ping")
            time.sleep(0.3)
        self.fake.wait_for(lambda s: s["connections"]["hellos"] >= 2 and s["connections"]["open_now"] == 1,
                           timeout=10, what="the new socket, and the old one closed")
        self.world.post("mia", "!ping")
        self.fake.wait_for(lambda s: len([m for m in self.world.bot_messages(s) if m["text"] == "pong"]) >= 7,
                           timeout=10, what="seven pongs")
        time.sleep(3.5)         # past Slack's ack timeout: anything not acked was sent again
        self.assertEqual(len(self.pongs()), 7)          # none lost, none twice
        # every event acked on one socket or the other (one caught by the close is sent
        # again by Slack and acked then: handled once all the same, as the pongs show)
        state = self.fake.state()
        events = {e["event_id"] for e in state["envelopes"] if e["type"] == "events_api"}
        acked = {e["event_id"] for e in state["envelopes"] if e["acked"]}
        self.assertEqual(events - acked, set(), state["envelopes"])
        self.assertEqual(state["connections"]["opened"], 2)

    def test_disconnect_warning_opens_the_new_socket_first(self):
        self.switch_without_loss("warning")
        self.daemon.wait_log("opening a new one first")

    def test_refresh_requested(self):
        self.switch_without_loss("refresh_requested")

    def test_link_disabled_is_not_retried(self):
        self.fake.misbehave(action="disconnect", reason="link_disabled")
        self.daemon.wait_log("link_disabled")
        time.sleep(3)
        self.assertEqual(self.fake.state()["connections"]["opened"], 1)

    def test_a_redelivered_event_is_handled_once(self):
        sent = self.world.post("mia", "!ping")
        self.wait_post("pong")
        self.fake.misbehave(action="redeliver", event_id=sent["event_id"])
        self.fake.wait_for(lambda s: sum(1 for e in s["envelopes"] if e.get("event_id") == sent["event_id"]
                                         and e["acked"]) >= 2, what="the redelivery acked")
        time.sleep(1.0)
        self.assertEqual(len(self.pongs()), 1)

    def test_every_envelope_is_acked_at_once(self):
        for _ in range(10):
            self.world.post("mia", "!whoami")
        self.fake.wait_for(lambda s: len(s["envelopes"]) >= 10 and all(e["acked"] for e in s["envelopes"]),
                           what="ten acks")
        for e in self.fake.state()["envelopes"]:
            self.assertLess(e["ack_ms"], 1000, e)
            self.assertEqual(e["retry_attempt"], 0, e)

    def test_an_abrupt_close_reconnects(self):
        self.fake.misbehave(action="close")
        self.fake.wait_for(lambda s: s["connections"]["hellos"] >= 2, timeout=10, what="a new socket")
        self.ask("mia", "!ping", "pong")


class WebApi(RestScenarios, PlatformCase):
    WORLD = SlackWorld

    def test_a_burst_stays_inside_the_limit(self):
        for _ in range(12):
            self.world.post("mia", "!ping")
        self.fake.wait_for(lambda s: len([m for m in self.world.bot_messages(s) if m["text"] == "pong"]) >= 12,
                           timeout=30, what="twelve pongs")
        # the fake's per-channel burst is 5 a second: what it refused was sent again
        self.assertEqual(len([m for m in self.world.bot_messages(self.fake.state()) if m["text"] == "pong"]), 12)


class BadToken(PlatformCase):
    class World(SlackWorld):
        def connection(self):
            return super().connection().replace(self.APP, "xapp-1-A0APP-1-wrong")

    WORLD = World

    def wait_ready(self, timeout=20):
        pass

    def test_a_refused_app_token_is_not_retried(self):
        self.daemon.wait_log(r"apps.connections.open: invalid_auth", timeout=10)
        time.sleep(3)
        state = self.fake.state()
        self.assertEqual(len([r for r in state["requests"] if r.get("method") == "apps.connections.open"]), 1)
        self.assertEqual(state["connections"]["opened"], 0)


    def test_the_right_token_on_reload_is_tried_at_once(self):
        self.daemon.wait_log("invalid_auth", timeout=10)
        self.reload_config("xapp-1-A0APP-1-wrong", self.world.APP)
        self.fake.wait_connected()
        self.ask("mia", "!ping", "pong")


if __name__ == "__main__":
    unittest.main()
