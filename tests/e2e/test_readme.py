"""End-to-end: what the README promises a new user: run-demo.sh starts
dutybot on the example config against the demo site, and `mia> !ping` is
answered.  Uses the example config's fixed ports (8080, 9462) and a
redis-server on 6379 (its own, unless one already runs there); the page's
port is a free one (DEMO_WEB), not the README's 8081."""

import os
import subprocess
import unittest

from harness import free_port

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Readme(unittest.TestCase):

    def test_new_user_sees_ping_answered(self):
        build = os.path.dirname(os.environ["DUTYBOT_BIN"])
        script = ("sleep 3; echo 'mia> !ping'; echo 'lina> !whoami'; echo 'tom> !ping';"
                  " sleep 3; echo '/quit'")
        feeder = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE)
        web = f"127.0.0.1:{free_port()}"
        demo = subprocess.run([os.path.join(TOP, "tests", "demo-site", "run-demo.sh")],
                              stdin=feeder.stdout, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "BUILD_DIR": build, "DEMO_WEB": web})
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
        # the page's address is printed, and the day is being set up through the bot
        self.assertIn(f"Open http://{web}/ in your browser", out)
        self.assertIn(f"The same chat in a browser: http://{web}/", out)
        self.assertIn("[ops] Mark Novak: !roster lead", out)


if __name__ == "__main__":
    unittest.main()
