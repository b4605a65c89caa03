"""End-to-end: what the README promises a new user: run-demo.sh starts
dutybot on the example config against the demo site, and `mia> !ping` is
answered.  Uses the example config's fixed ports (8080, 9462) and a
redis-server on 6379 (its own, unless one already runs there)."""

import os
import subprocess
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Readme(unittest.TestCase):

    def test_new_user_sees_ping_answered(self):
        build = os.path.dirname(os.environ["DUTYBOT_BIN"])
        script = ("sleep 3; echo 'mia> !ping'; echo 'lina> !whoami'; echo 'tom> !ping';"
                  " sleep 3; echo '/quit'")
        feeder = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE)
        demo = subprocess.run([os.path.join(TOP, "tests", "demo-site", "run-demo.sh")],
                              stdin=feeder.stdout, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "BUILD_DIR": build})
        feeder.wait()
        out = demo.stdout
        self.assertEqual(demo.returncode, 0, demo.stderr + out)
        self.assertIn("[lobby] Mia Keller: !ping", out)          # the line the user typed, as the site shows it
        self.assertIn("[lobby] dutybot: pong", out)
        self.assertIn("a chat friend", out)
        self.assertIn("dutybot's log:", out + demo.stderr)
        # run-demo.sh started dutybot itself: the banner does not ask the user to
        self.assertNotIn("Start dutybot with the same config", out)
        self.assertIn("dutybot is running on the same config", out)


if __name__ == "__main__":
    unittest.main()
