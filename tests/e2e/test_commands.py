"""End-to-end: the first commands through the whole house (site -> dispatch ->
handler -> Redis script -> outbox -> site), answered in the right place and
language, refused with the reason, and recorded in Redis and the audit."""

import unittest

from harness import E2E


class Commands(E2E):

    def test_ping_in_a_room_and_privately(self):
        self.ask("mia", "!ping", {"text": "pong"})
        self.ask("mia", "ping", {"text": "pong"}, room="dm")      # no prefix needed in private
        self.ask("lina", "!ping", {"text": "pong"}, room="ops")

    def test_chatter_is_not_answered(self):
        self.site.say("mia", "hello everyone, !ping is what you type")
        self.site.say("mia", "!")
        self.site.expect_none({"ev": "send"}, within=1.0)

    def test_unknown_command_gets_a_hint(self):
        self.ask("mia", "!shfit", "Unknown command shfit. Try !help.")

    def test_unknown_subcommand_lists_what_exists(self):
        ev = self.ask("lemon", "!staff frobnicate", "has no sub-command")
        self.assertIn("list", ev["text"])
        self.assertIn("remove", ev["text"])

    def test_parse_error_is_explained(self):
        self.ask("lemon", '!staff set mia name "Mia', "unbalanced quote")

    def test_whoami_staff_and_friend(self):
        ev = self.ask("mia", "!whoami", "Mia Keller [CCS]")
        self.assertIn("agent", ev["text"])
        self.assertIn("site:u3", ev["text"])
        ev = self.ask("lina", "!whoami", "chat friend")
        self.assertIn("site:f-lina", ev["text"])

    def test_help_is_filtered_by_role(self):
        friend = self.ask("lina", "!help all", "!ping")["text"]
        self.assertNotIn("!staff", friend)
        self.assertNotIn("!audit", friend)
        # a long list comes in pieces: the whole answer is every piece up to the last (!ping's)
        self.ask("mark", "!help all", "!ping")
        minister = "\n".join(e["text"] for e in self.site.all({"ev": "send", "room": "lobby"})[1:])
        self.assertIn("!staff add", minister)
        self.assertIn("!audit", minister)
        self.assertIn("!audit", self.ask("mark", "!help staff", "!staff list")["text"])
        detail = self.ask("mark", "!help staff remove", "!staff remove <person>")["text"]
        self.assertIn("minister", detail)
        self.ask("lina", "!help staff", "There is no command !staff that you may use")

    def test_refusal_names_the_role_needed(self):
        self.ask("mia", "!staff list", "!staff list is for minister and above; you are agent.")
        self.ask("lina", "!audit", "!audit is for minister and above; you are chat friend.")

    def test_wrong_arity_shows_usage(self):
        self.ask("lemon", "!staff show", "Usage: !staff show <person>")
        self.ask("mia", "!whoami please", "Usage: !whoami")

    def test_language_per_person_and_fallback(self):
        # Tom's config language is German
        self.ask("tom", "!whoami", "Du bist Tom Berger [TRN]")
        self.ask("lina", "!lang zh", "zh")
        self.ask("lina", "!ping", "pong")
        ev = self.ask("lina", "!nope", {"ev": "send"})
        self.assertNotIn("Unknown command", ev["text"])              # answered in Chinese
        self.ask("lina", "!lang xx", "xx")                             # refused, in Chinese
        self.assertEqual(self.redis.cmd("HGET", self.key("friend", "site:f-lina"), "lang"), "zh")
        self.ask("mia", "!lang es", "es")
        self.assertEqual(self.redis.cmd("HGET", self.key("staff", "mia"), "lang"), "es")

    def test_config_staff_are_in_redis(self):
        self.assertEqual(self.redis.cmd("HGET", self.key("staff", "mia"), "level"), "CCS")
        self.assertEqual(self.redis.cmd("HGET", self.key("ident"), "site:u1"), "lemon")
        self.assertEqual(self.redis.cmd("HGET", self.key("staff", "lemon"), "source"), "config")

    def test_staff_lifecycle_and_audit(self):
        lst = self.ask("mark", "!staff list", "Staff (6):")["text"]
        self.assertIn("Mia Keller [CCS] — agent, id mia", lst)
        self.ask("mark", '!staff add nina name="Nina Horvath" email=nina@example.org role=agent level=TRN site:f-nina',
                 "Added Nina Horvath [TRN] as agent.")
        self.ask("nina", "!whoami", "Nina Horvath [TRN]")             # her site identity is now hers
        self.ask("mark", "!staff set nina level CCS", "Nina Horvath [CCS]: level is now CCS.")
        self.ask("mark", '!staff set nina name "Nina H. Horvath"', "name is now Nina H. Horvath")
        self.ask("mark", "!staff set nina level CCS", "already")
        self.ask("mark", "!staff link nina site:u10", "site:u10 now belongs to Nina H. Horvath [CCS]")
        self.ask("mark", "!staff link mia site:u10", "site:u10 already belongs to Nina H. Horvath")
        self.ask("mark", "!staff unlink nina site:u10", "no longer belongs")
        show = self.site
        self.site.say("mark", "!staff show nina")
        ev = show.wait({"ev": "dm", "to": "mark"})                  # contact data: privately
        self.assertIn("nina@example.org", ev["text"])
        self.site.expect_none({"ev": "send", "text": "nina@example.org"}, within=0.3)
        self.ask("mark", "!staff remove nina", "Removed Nina H. Horvath [CCS].")
        self.assertEqual(self.redis.cmd("EXISTS", self.key("staff", "nina")), 0)
        self.assertIsNone(self.redis.cmd("HGET", self.key("ident"), "site:f-nina"))
        self.ask("nina", "!whoami", "chat friend")
        audit = self.ask("lemon", "!audit 20 nina", "Latest changes by or about nina:", room="dm")["text"]
        for action in ("staff.add", "staff.set", "staff.link", "staff.unlink", "staff.remove"):
            self.assertIn(action, audit)
        self.assertIn("mark:", audit)

    def test_staff_refusals_change_nothing(self):
        before = self.redis.cmd("HGETALL", self.key("staff", "mia"))
        self.ask("mark", "!staff add mia name=X email=x@example.org role=agent level=CCS",
                 "There is already a staff record with id mia")
        self.ask("mark", "!staff add Bad!Id name=X email=x@example.org role=agent level=CCS", "Invalid id")
        self.ask("mark", "!staff add zed name=Zed email=nope role=agent level=CCS", "Invalid email")
        self.ask("mark", "!staff add zed name=Zed email=z@example.org role=agent", "Invalid level")
        self.ask("mark", "!staff add zed email=z@example.org role=agent level=CCS", "Missing name=")
        self.ask("mark", "!staff add zed name=Zed email=z@example.org role=agent level=CCS site:u3",
                 "site:u3 already belongs to Mia Keller")
        self.ask("mark", "!staff add zed name=Zed email=z@example.org role=agent level=CCS discord:1",
                 "is not an identity")
        # rank: a minister may not create or touch a minister or webmaster
        self.ask("mark", "!staff add zed name=Zed email=z@example.org role=minister",
                 "You may manage only people below your own role")
        self.ask("mark", "!staff set lemon name Mallory", "You may manage only people below")
        self.ask("mark", "!staff set mia role webmaster", "You may manage only people below")
        self.ask("mark", "!staff set mia shoe 42", "Unknown field")
        self.ask("mark", "!staff set ghost level CCS", 'No staff member "ghost"')
        self.ask("lemon", "!staff remove lemon", "You cannot remove your own staff record.")
        self.ask("lemon", "!staff set lemon role minister", "lemon".title() + " Chen is the last webmaster")
        self.assertEqual(self.redis.cmd("HGETALL", self.key("staff", "mia")), before)
        self.assertEqual(self.redis.cmd("EXISTS", self.key("staff", "zed")), 0)
        self.assertEqual(self.redis.cmd("HGET", self.key("staff", "lemon"), "role"), "webmaster")

    def test_removing_a_config_person_warns_they_come_back(self):
        self.ask("lemon", "!staff remove tom", "come back at the next restart")

    def test_long_reply_is_split_at_line_breaks(self):
        for i in range(60):
            self.redis.cmd("HSET", self.key("staff", f"p{i:02d}"), "name", "Person " + "x" * 40 + f" {i}",
                           "role", "agent", "level", "CCS")
            self.redis.cmd("SADD", self.key("staff"), f"p{i:02d}")
        self.site.say("lemon", "!staff list")
        first = self.site.wait({"ev": "send", "room": "lobby", "text": "Staff (66):"})
        second = self.site.wait({"ev": "send", "room": "lobby"})
        self.assertLessEqual(len(first["text"]), 2000)
        self.assertTrue(first["text"].endswith(")") or "id " in first["text"].splitlines()[-1])
        self.assertIn("id", second["text"])
        self.assertFalse(second["text"].startswith("\n"))


class AbuseGuard(E2E):
    CONFIG = {"limits": '{ commands_per_minute = 6; burst = 3; dedupe_ttl = "24h"; }'}

    def test_flooder_is_told_once_and_others_are_not_slowed(self):
        for _ in range(8):
            self.site.say("lina", "!ping")
        # the notice needs no Redis round trip, so it may overtake the pongs
        self.site.wait_all({"ev": "dm", "to": "lina", "text": "too fast"},
                           *[{"ev": "send", "room": "lobby", "text": "pong"}] * 3)
        self.site.expect_none({"ev": "send", "text": "pong"}, within=0.5)
        self.site.expect_none({"ev": "dm", "to": "lina", "text": "too fast"}, within=0.1)
        self.ask("mia", "!ping", "pong")                              # nobody else is slowed
        self.assertIn("dutybot_throttled_total 5", self.metrics())

    def metrics(self):
        import urllib.request
        with urllib.request.urlopen(f"http://127.0.0.1:{self.config.http_port}/metrics", timeout=5) as r:
            return r.read().decode()


if __name__ == "__main__":
    unittest.main()
