"""The layering check (.ci/layers.py) passes on the tree and fails on an upward
include or call: a check that cannot fail would guard nothing."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ.get("SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD_DIR")
CHECK = os.path.join(SRC, ".ci", "layers.py")


def run(*args):
    return subprocess.run([sys.executable, CHECK, *args], capture_output=True, text=True)


def tree_with(tmp, rel, first_line=None):
    """A copy of the sources in TMP; REL gets FIRST_LINE put before its text
    (or, when it does not exist, is written with it alone)."""
    for top in ("bot", "handlers", "state", "config"):
        shutil.copytree(os.path.join(SRC, top), os.path.join(tmp, top))
    target = os.path.join(tmp, rel)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    text = ""
    if os.path.exists(target):
        with open(target, encoding="utf-8") as f:
            text = f.read()
    with open(target, "w", encoding="utf-8") as f:
        f.write(first_line + "\n" + text)


class Layers(unittest.TestCase):

    def test_the_tree_keeps_its_layers(self):
        args = [SRC] + ([BUILD] if BUILD else [])
        r = run(*args)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0 violation(s)", r.stderr)
        if BUILD:
            self.assertNotIn(" 0 objects", r.stderr)

    def test_an_upward_include_fails(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree_with(tmp, "state/redis.c", '#include "handlers/handlers.h"')
            r = run(tmp)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("state/redis.c:1: state includes handlers/handlers.h of handlers, "
                      "a layer above it", r.stdout)

    def test_a_relative_include_fails(self):
        # "../" would hide an upward include from the path check
        with tempfile.TemporaryDirectory() as tmp:
            tree_with(tmp, "state/redis.c", '#include "../handlers/handlers.h"')
            r = run(tmp)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("state/redis.c:1: includes ../handlers/handlers.h: write includes from the "
                      "source root", r.stdout)

    def test_a_file_in_no_layer_fails(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree_with(tmp, "bot/misc/stray.c", "int stray;")
            r = run(tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn("bot/misc/stray.c: in no layer", r.stdout)

    def test_an_upward_call_fails(self):
        # a call the includes do not show (an extern declared by hand)
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "state"))
            os.makedirs(os.path.join(tmp, "handlers"))
            with open(os.path.join(tmp, "state", "low.c"), "w") as f:
                f.write("extern int handler_thing(void);\nint low(void) { return handler_thing(); }\n")
            with open(os.path.join(tmp, "handlers", "high.c"), "w") as f:
                f.write("int handler_thing(void) { return 1; }\n")
            for rel in ("state/low.c", "handlers/high.c"):
                obj = os.path.join(tmp, "build", "core.dir", rel + ".o")
                os.makedirs(os.path.dirname(obj), exist_ok=True)
                subprocess.run(["cc", "-c", "-o", obj, os.path.join(tmp, rel)], check=True)
            r = run(tmp, os.path.join(tmp, "build"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("state/low.c: state calls handler_thing() of handlers/high.c (handlers), "
                      "a layer above it", r.stdout)


if __name__ == "__main__":
    unittest.main()
