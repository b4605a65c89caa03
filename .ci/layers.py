#!/usr/bin/env python3
"""The layering check: each folder is one layer and uses only the layers below it.

Two checks, both against LAYERS below (the README's Layout section says the same
in words):
  includes  every #include "..." of a source or header names a file of its own
            layer or of a layer below it;
  calls     every symbol an object file of ours needs (nm: undefined) that another
            of our object files defines is defined in its own layer or below it
            (needs a build directory: a call through a header-less extern, or a
            macro hiding a call, is caught here and not by the first check).

Usage: layers.py SOURCE_DIR [BUILD_DIR]      exit 0 when both checks pass.
"""
import fnmatch
import os
import re
import subprocess
import sys

# Top to bottom. A layer is a list of path patterns (relative to the source dir,
# "*" within one folder); the first layer whose pattern matches a file owns it.
LAYERS = [
    ("daemon", ["bot/*.c", "bot/*.h"]),                 # main, daemon, dispatch, commands...
    ("handlers", ["handlers/*"]),
    ("chat", ["bot/chat/*"]),                           # what a handler sees and may do
    ("durable", ["bot/durable/*"]),                     # timers, durable outbox sender
    ("platform", ["bot/platform/*"]),                   # adapters and their skeleton
    ("rest", ["bot/rest/*"]),
    ("ops", ["bot/ops/*"]),
    ("i18n", ["bot/i18n/*"]),
    ("state", ["state/*"]),
    ("config", ["config/*"]),
    ("lib", ["bot/lib/*"]),
]
SOURCES = ("bot", "handlers", "state", "config")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def matches(path, pattern):
    """"bot/*" is the files directly in bot/, not those of its subfolders."""
    return (os.path.dirname(path) == os.path.dirname(pattern) and
            fnmatch.fnmatchcase(os.path.basename(path), os.path.basename(pattern)))


def layer_of(path):
    for rank, (name, patterns) in enumerate(LAYERS):
        if any(matches(path, p) for p in patterns):
            return rank, name
    return None, None


def our_files(src):
    for top in SOURCES:
        for root, _, files in os.walk(os.path.join(src, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(root, f), src)


def check_includes(src):
    errors = []
    files = list(our_files(src))
    for path in files:
        rank, name = layer_of(path)
        if rank is None:
            errors.append(f"{path}: in no layer (add it to LAYERS in .ci/layers.py)")
            continue
        with open(os.path.join(src, path), encoding="utf-8") as f:
            text = f.read()
        for lineno, inc in ((text.count("\n", 0, m.start()) + 1, m.group(1))
                            for m in INCLUDE.finditer(text)):
            if ".." in inc.split("/"):
                errors.append(f"{path}:{lineno}: includes {inc}: write includes from the source root")
                continue
            if not os.path.exists(os.path.join(src, inc)):
                continue        # a generated header of the build dir, or a system one
            r2, n2 = layer_of(inc)
            if r2 is None:
                errors.append(f"{path}:{lineno}: includes {inc}, which is in no layer")
            elif r2 < rank:
                errors.append(f"{path}:{lineno}: {name} includes {inc} of {n2}, a layer above it")
    return errors, len(files)


def nm(obj):
    out = subprocess.run(["nm", "--defined-only", "-g", obj], capture_output=True,
                         text=True, check=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if len(l.split()) == 3}
    out = subprocess.run(["nm", "-u", obj], capture_output=True, text=True, check=True).stdout
    needed = {l.split()[-1] for l in out.splitlines() if l.split()}
    return defined, needed


def check_calls(src, build):
    objects = {}
    for root, _, files in os.walk(build):
        for f in files:
            if not f.endswith(".c.o"):
                continue
            full = os.path.join(root, f)
            # CMake mirrors the source path: .../dutybot_core.dir/bot/daemon.c.o
            rel = re.sub(r"^.*?\.dir/", "", os.path.relpath(full, build))[:-2]
            if rel.startswith(SOURCES) and os.path.exists(os.path.join(src, rel)):
                objects[rel] = full
    owner = {}
    needs = {}
    for rel, full in objects.items():
        defined, needed = nm(full)
        for sym in defined:
            owner.setdefault(sym, rel)
        needs[rel] = needed
    errors = []
    for rel, needed in sorted(needs.items()):
        rank, name = layer_of(rel)
        for sym in sorted(needed):
            target = owner.get(sym)
            if target is None or rank is None:
                continue
            r2, n2 = layer_of(target)
            if r2 is not None and r2 < rank:
                errors.append(f"{rel}: {name} calls {sym}() of {target} ({n2}), a layer above it")
    return errors, len(objects)


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    src = argv[1]
    errors, n_files = check_includes(src)
    n_objects = 0
    if len(argv) == 3:
        call_errors, n_objects = check_calls(src, argv[2])
        if n_objects == 0:
            call_errors.append(f"{argv[2]}: no object files of ours (build first)")
        errors += call_errors
    for e in errors:
        print(e)
    print(f"layers: {n_files} files, {n_objects} objects, {len(errors)} violation(s)",
          file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
