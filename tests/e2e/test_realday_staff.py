"""End-to-end: what is decided in chat survives a restart; an operator's edit
of the config file still wins (the seeds' department at the default config).

A promotion approved in chat, or a language a person chose, used to be undone
at the next start: the config's staff entries were written over the state
store's.  Now a field takes the config's value only when the config's value
changed since it was last applied."""

from __future__ import annotations

import unittest

from realday import RealDayE2E


class ChatDecisionsSurviveARestart(RealDayE2E):
    DAEMON_ENV = {"DUTYBOT_FAKE_NOW": "2026-12-08T10:00:00+01:00"}

    def restart(self) -> None:
        self.restart_at("2026-12-08T10:05:00+01:00")

    def level(self, who: str) -> str:
        return self.redis.cmd("HGET", self.key("staff", who), "level")

    def test_a_promotion_and_a_language_stay_and_the_config_file_still_wins(self):
        self.ask("mark", '!promote mia PAM cycle=off name="Mia Keller" email=mia@example.org reason="VIP nights"',
                 "Promotion P-1 of mia to PAM asked", room="dm")
        self.ask("lemon", "!approve P-1", "P-1 approved and done")
        self.ask("tom", "!lang es", "Idioma")
        self.assertEqual(self.level("mia"), "PAM")
        self.restart()
        self.assertEqual(self.level("mia"), "PAM")
        self.ask("mia", "!whoami", "You are Mia Keller [PAM]")
        self.ask("tom", "!whoami", "Tom Berger [TRN]")
        self.assertEqual(self.redis.cmd("HGET", self.key("staff", "tom"), "lang"), "es")
        # the operator changes the file: that change is applied, the rest stays
        with open(self.config.path, encoding="utf-8") as f:
            text = f.read()
        self.assertIn('level = "TRN"', text)
        with open(self.config.path, "w", encoding="utf-8") as f:
            f.write(text.replace('level = "TRN"', 'level = "CCS"'))
        self.restart()
        self.assertEqual(self.level("tom"), "CCS")
        self.assertEqual(self.level("mia"), "PAM")
        self.assertEqual(self.redis.cmd("HGET", self.key("staff", "tom"), "lang"), "es")
        actions = [e for e in self.redis.cmd("XRANGE", self.key("audit"), "-", "+")]
        updates = [dict(zip(fields[::2], fields[1::2])) for _, fields in actions]
        updates = [u for u in updates if u.get("action") == "staff.update" and u.get("actor") == "config"]
        self.assertEqual([(u["subject"], u["detail"]) for u in updates], [("tom", "level")])


if __name__ == "__main__":
    unittest.main()
