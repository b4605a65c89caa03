"""End-to-end on Discord: the scenarios of the other areas over Gateway v10
and REST v10 (tests/fakes/discord/), and the fake's misbehaviours,
each on its own: op 7 Reconnect, op 9 Invalid Session both ways, closes 4000
and 4009 and a fatal one, missing heartbeat ACKs, a heartbeat asked for,
429s with retry_after (route and global), 500s, slow answers, what was said
while the bot was away (resumed after a drop and after a restart)."""

import os
import signal
import subprocess
import time
import unittest

from platforms import DiscordWorld, PlatformCase, RestScenarios, Scenarios


class Discord(Scenarios, PlatformCase):
    WORLD = DiscordWorld

    def test_pings_no_one_and_identifies_with_the_intents(self):
        msg = self.ask("mark", "!staff show @everyone", "No staff member", channel="dm")
        # privately (a record): no @everyone, nobody but the reader
        self.assertEqual(msg["raw"]["allowed_mentions"]["parse"], [])
        self.assertEqual(msg["raw"]["allowed_mentions"].get("users", []), [self.world.uid("mark")])
        gw = self.fake.state()["gateway"]
        self.assertEqual(gw["intents"] & ((1 << 9) | (1 << 12) | (1 << 15)), (1 << 9) | (1 << 12) | (1 << 15))

    def test_a_page_pings_its_person_only(self):
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mia", "!emergency smoke in the server room", "E-1")
        page = self.wait_post("EMERGENCY E-1", channel="dm", person="vera")
        self.assertEqual(page["raw"]["allowed_mentions"].get("users"), [self.world.uid("vera")])

    def test_a_masked_link_in_echoed_text_shows_its_address(self):
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mia", "!emergency see [the runbook](https://evil.example/login)", "E-1")
        page = self.wait_post("EMERGENCY E-1", channel="dm", person="vera")
        content = page["raw"]["content"]
        self.assertNotIn("](", content)
        self.assertIn("[the runbook\uff3d(https://evil.example/login)", content)

    def test_a_click_is_acknowledged_within_the_deadline(self):
        self.ask("mark", "!roster lead today early vera", "Roster updated")
        self.ask("mia", "!emergency the chat servers are down", "E-1")
        alert = self.wait_post("EMERGENCY E-1", channel="alerts")
        self.world.click("vera", alert, "ack")
        self.wait_edited(alert, "E-1 acknowledged.")
        (click,) = self.fake.state()["interactions"]
        self.assertEqual(click["callback_type"], 6)           # "edit later"
        self.assertLess(click["callback_ms"], 3000)
        self.assertEqual(len(click["original_edits"]), 1)
        self.assertEqual(click["original_edits"][0].get("components"), [])


class Gateway(PlatformCase):
    WORLD = DiscordWorld
    FAKE_OPTS = {"heartbeat_ms": 1000, "identify_window_ms": 0}

    def gw(self):
        return self.fake.state()["gateway"]

    def test_op7_reconnect_resumes_on_the_resume_url(self):
        self.ask("mia", "!ping", "pong")
        self.fake.misbehave(action="reconnect")
        self.fake.wait_for(lambda s: s["gateway"]["resumes_by_port"]["resume"] >= 1, what="a resume")
        self.ask("mia", "!ping", "pong")
        self.assertEqual(self.gw()["identifies"], 1)

    def test_op9_resumable_resumes(self):
        self.fake.misbehave(action="invalid_session", resumable=True)
        self.fake.wait_for(lambda s: s["gateway"]["resumes_ok"] >= 1, timeout=15, what="a resume")
        self.ask("mia", "!ping", "pong")
        self.assertEqual(self.gw()["identifies"], 1)

    def test_op9_not_resumable_identifies_again(self):
        self.fake.misbehave(action="invalid_session", resumable=False)
        self.fake.wait_for(lambda s: s["gateway"]["identifies"] >= 2, timeout=15, what="a new identify")
        self.ask("mia", "!ping", "pong")
        self.assertEqual(self.gw()["resumes"], 0)

    def test_close_4000_resumes_and_what_was_said_meanwhile_is_answered(self):
        self.fake.misbehave(action="close", code=4000)
        self.world.post("mia", "!whoami")           # stored in the session, replayed on resume
        self.wait_post("Mia Keller", timeout=15)
        self.assertGreaterEqual(self.gw()["resumes_ok"], 1)
        self.assertEqual(self.gw()["identifies"], 1)

    def test_close_4009_identifies_again(self):
        self.fake.misbehave(action="close", code=4009)
        self.fake.wait_for(lambda s: s["gateway"]["identifies"] >= 2, timeout=15, what="a new identify")
        self.ask("mia", "!ping", "pong")

    def test_close_4004_is_fatal_and_not_retried(self):
        self.fake.misbehave(action="close", code=4004)
        self.daemon.wait_log("4004", timeout=10)
        time.sleep(3)
        self.assertEqual(self.gw()["connections"], 1)

    def test_missing_heartbeat_acks_mean_a_dead_connection(self):
        self.fake.misbehave(action="drop_acks", on=True)
        self.daemon.wait_log("no heartbeat ack", timeout=10)
        self.fake.misbehave(action="drop_acks", on=False)
        self.fake.wait_for(lambda s: s["gateway"]["resumes_ok"] >= 1, timeout=15, what="a resume")
        self.ask("mia", "!ping", "pong")
        closes = [c for c in self.gw()["closes"] if c.get("by") == "client"]
        self.assertTrue(closes and all(c.get("code") not in (1000, 1001) for c in closes), closes)

    def test_a_heartbeat_asked_for_is_sent_at_once(self):
        self.fake.misbehave(action="heartbeat_request")
        req = self.fake.wait_for(lambda s: next((r for r in s["gateway"]["heartbeat_requests"]
                                                 if r.get("latency_ms") is not None), None), what="the beat")
        self.assertLess(req["latency_ms"], 500)

    def test_a_bad_sequence_is_ignored_and_the_last_good_one_kept(self):
        self.ask("mia", "!ping", "pong")
        good = self.fake.misbehave(action="dispatch", t="TYPING_START", d={"channel_id": "1"})["s"]
        # negative, past int64 (undefined behaviour when cast), fractional, past 2^53
        for bad in (-5, 1e300, good + 0.5, 2 ** 60):
            self.fake.misbehave(action="raw", payload={"op": 0, "s": bad, "t": "TYPING_START", "d": {}})
        self.fake.misbehave(action="heartbeat_request")     # answered after the frames above
        beat = self.fake.wait_for(lambda s: next((b for b in s["gateway"]["heartbeat_log"]
                                                  if "requested_latency_ms" in b), None), what="the beat")
        self.assertEqual(beat["d"], good)
        self.daemon.wait_log("ignoring a dispatch's sequence 1e\\+300")
        self.ask("mia", "!ping", "pong")

    def test_a_hello_with_a_bad_heartbeat_interval_is_refused_and_the_bot_reconnects(self):
        self.ask("mia", "!ping", "pong")
        self.fake.misbehave(action="hello_interval", values=[-1, 1e300])
        self.fake.misbehave(action="close", code=4000)
        # two hellos refused (each closed by the bot), the third one taken: resumed
        self.fake.wait_for(lambda s: s["gateway"]["connections"] >= 4 and s["gateway"]["resumes_ok"] >= 1,
                           timeout=30, what="a resume after the bad hellos")
        refused = [c for c in self.gw()["closes"] if c.get("by") == "client" and c["conn"] in (2, 3)]
        self.assertEqual(len(refused), 2, self.gw()["closes"])
        self.assertEqual(self.gw()["identifies"], 1)
        self.ask("mia", "!ping", "pong", timeout=15)
        self.daemon.wait_log("hello without a heartbeat_interval")

    def test_a_user_id_with_a_quote_never_reaches_a_dm_body(self):
        victim = self.world.uid("vera")
        hostile = f'1","recipient_id":"{victim}'
        # a DM (no guild_id) from that id: the answer goes by DM to the sender
        self.fake.misbehave(action="dispatch", t="MESSAGE_CREATE", d={
            "id": "3000000000000000001", "channel_id": "3000000000000000002", "type": 0,
            "content": "!ping", "author": {"id": hostile, "username": "mallory"}})
        deadline = time.monotonic() + 10
        while (victim not in self.fake.state()["dm_channels"] and "a DM failed for good" not in self.daemon.log()
               and time.monotonic() < deadline):
            time.sleep(0.1)
        s = self.fake.state()
        self.assertNotIn(victim, s["dm_channels"], "the id's quote opened a DM with someone else")
        self.assertIn("a DM failed for good", self.daemon.log())
        self.assertEqual([r for r in s["requests"] if r["path"].endswith("/users/@me/channels")], [])
        self.ask("mia", "!ping", "pong")

    def test_a_restart_resumes_the_session(self):
        self.ask("mia", "!ping", "pong")
        self.daemon.stop()
        self.world.post("mia", "!whoami")           # said while the bot was away
        self.start_daemon()
        self.wait_post("Mia Keller", timeout=20)
        self.assertGreaterEqual(self.gw()["resumes_ok"], 1)
        self.assertEqual(self.gw()["identifies"], 1)


class Rest(RestScenarios, PlatformCase):
    WORLD = DiscordWorld

    def test_a_global_429_holds_every_route(self):
        self.fake.misbehave(action="rate_limit", count=1, retry_after=1.0, **{"global": True})
        self.ask("mia", "!ping", "pong", timeout=15)
        state = self.fake.state()
        self.assertEqual(state["early_retries"], 0)
        self.assertEqual(state["global_violations"], 0)

    def test_a_burst_keeps_inside_the_channel_bucket(self):
        for _ in range(8):
            self.world.post("mia", "!ping")
        self.fake.wait_for(lambda s: len([m for m in self.world.bot_messages(s) if m["text"] == "pong"]) >= 8,
                           timeout=30, what="eight pongs")
        state = self.fake.state()
        self.assertEqual(state["violations"], 0)        # waited for the bucket, never ran into it


class BadToken(PlatformCase):
    class World(DiscordWorld):
        def connection(self):
            return super().connection().replace(self.TOKEN, "wrong-token")

    WORLD = World

    def wait_ready(self, timeout=20):
        pass

    def test_a_refused_token_is_not_retried(self):
        self.daemon.wait_log("the token was refused", timeout=10)
        time.sleep(3)
        state = self.fake.state()
        self.assertEqual(len([r for r in state["requests"] if r["path"].endswith("/gateway/bot")]), 1)
        self.assertEqual(state["gateway"]["connections"], 0)


    def test_the_right_token_on_reload_is_tried_at_once(self):
        self.daemon.wait_log("the token was refused", timeout=10)
        self.reload_config("wrong-token", self.world.TOKEN)
        self.fake.wait_for(lambda s: s["gateway"]["identifies"] >= 1, what="an identify")
        self.ask("mia", "!ping", "pong")


class WithoutLibcurl(PlatformCase):
    """libcurl is loaded when a REST connection starts: without it (here: a
    libcurl.so.4 that is not libcurl) the connection says so and does not run,
    and the daemon goes on and stops cleanly."""
    WORLD = DiscordWorld

    def start_daemon(self, **env):
        lib = os.path.join(self.tmp, "lib")
        os.makedirs(lib, exist_ok=True)
        with open(os.path.join(lib, "empty.c"), "w", encoding="utf-8") as f:
            f.write("int not_libcurl;\n")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", os.path.join(lib, "libcurl.so.4"),
                        os.path.join(lib, "empty.c")], check=True)
        return super().start_daemon(LD_LIBRARY_PATH=lib, **env)

    def wait_ready(self, timeout=20):
        pass

    def test_the_connection_says_why_and_the_daemon_goes_on(self):
        self.daemon.wait_log("libcurl.so.4 has no curl_global_init", timeout=10)
        self.daemon.wait_log("discord: could not start", timeout=10)
        time.sleep(1)
        self.assertTrue(self.daemon.running)
        self.assertEqual(self.fake.state()["requests"], [])
        # a new token on SIGHUP for the connection that never started: said, and no crash
        with open(self.config.path, encoding="utf-8") as f:
            text = f.read()
        with open(self.config.path, "w", encoding="utf-8") as f:
            f.write(text.replace(self.world.TOKEN, self.world.TOKEN + ".new"))
        mark = self.daemon.log_mark()
        self.daemon.proc.send_signal(signal.SIGHUP)
        self.daemon.wait_log("reload: discord did not start; its new settings take effect at a restart",
                             since=mark)
        self.daemon.wait_log("configuration reloaded", since=mark)
        self.assertTrue(self.daemon.running)

if __name__ == "__main__":
    unittest.main()
