"""End-to-end: who someone is comes from their platform user id, never from
the name they show.  A chat friend who calls themselves "Mark Novak" (the
minister's display name) gets nothing of the minister's: not his role, not
his commands, not his private messages.
"""

from harness import E2E


class DisplayNameIsNotIdentity(E2E):
    def test_a_friend_named_like_the_minister_gets_nothing_of_his(self):
        self.site.person("fakemark", "u99", "Mark Novak")
        mine = self.ask("mark", "!whoami", "Mark Novak")
        theirs = self.ask("fakemark", "!whoami", "")
        self.assertNotEqual(theirs["text"], mine["text"])
        self.assertNotIn("minister", theirs["text"].lower())
        for cmd in ("!staff show mia", "!approve S-1", "!roster"):
            got = self.ask("fakemark", cmd, "you are chat friend")
            self.assertNotIn("Mia Keller", got["text"])
            self.assertNotIn("approved", got["text"].lower())
        self.assertEqual(self.site.all({"ev": "dm", "to": "fakemark"}), [])
