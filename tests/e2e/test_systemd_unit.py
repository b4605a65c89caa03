"""The shipped systemd unit's sandbox, as systemd itself scores it.

`systemd-analyze security --offline=true` rates a unit file's exposure from
0 (locked down) to 10.  The unit must stay at 1.0 or lower (every option a
network client can live without, and no link-local or multicast address),
and with the local-only drop-in (no address but loopback) at 0.9 or lower.  Running the daemon under the unit
needs systemd as PID 1 (systemd-run): the test says so and skips that part
where the machine has none, as in a container.
"""

import ipaddress
import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
UNIT = os.path.join(ROOT, "systemd", "dutybot.service")
DROPIN = os.path.join(ROOT, "systemd", "local-only.conf")
ANALYZE = shutil.which("systemd-analyze")


def exposure(path: str) -> tuple[float, str]:
    out = subprocess.run([ANALYZE, "security", "--offline=true", "--no-pager", path],
                         capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d)", out.stdout + out.stderr)
    if m is None:
        raise AssertionError("no exposure level in systemd-analyze's output:\n" + out.stdout + out.stderr)
    return float(m.group(1)), out.stdout


@unittest.skipIf(ANALYZE is None, "systemd-analyze is missing (apt-get install systemd)")
class UnitSandbox(unittest.TestCase):
    def test_the_unit_scores_1_0_or_lower(self):
        level, report = exposure(UNIT)
        self.assertLessEqual(level, 1.0, report)

    def test_with_the_local_only_drop_in_it_scores_0_9_or_lower(self):
        # a drop-in's settings apply after the unit's: for these keys, the
        # same as appending them to the [Service] section
        with open(UNIT) as f:
            unit = f.read()
        with open(DROPIN) as f:
            dropin = f.read().replace("[Service]\n", "")
        unit = unit.replace("[Install]", dropin + "\n[Install]")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "dutybot.service")
            with open(path, "w") as f:
                f.write(unit)
            level, report = exposure(path)
        self.assertLessEqual(level, 0.9, report)
        self.assertIn("only localhost entries", report, "the drop-in must drop the unit's own allow list")

    def test_the_allow_list_is_every_unicast_address_but_link_local(self):
        allowed = []
        with open(UNIT) as f:
            for line in f:
                if line.startswith("IPAddressAllow="):
                    allowed += [ipaddress.ip_network(n) for n in line.split("=", 1)[1].split()
                                if n != "localhost"]
                    if "localhost" in line.split():
                        allowed += [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
        self.assertIn("\nIPAddressDeny=any\n", open(UNIT).read())

        def reached(addr):
            a = ipaddress.ip_address(addr)
            return any(a in n for n in allowed if n.version == a.version)
        for addr in ("127.0.0.1", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "162.159.135.232",
                     "34.223.40.1", "2606:4700::6810:84e5", "fd00::1", "169.253.255.255", "169.255.0.1"):
            self.assertTrue(reached(addr), addr)
        for addr in ("169.254.169.254", "169.254.0.1", "fe80::1", "224.0.0.1", "239.255.255.250", "ff02::1"):
            self.assertFalse(reached(addr), addr)

    def test_the_settings_it_is_scored_on_are_there(self):
        with open(UNIT) as f:
            unit = f.read()
        for key in ("PrivateMounts=yes", "PrivateUsers=yes", "RemoveIPC=yes", "DevicePolicy=closed",
                    "SystemCallFilter=@system-service", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"):
            self.assertIn("\n" + key + "\n", unit)

    @unittest.skipUnless(os.path.isdir("/run/systemd/system"),
                         "no systemd as PID 1 here (a container): the daemon is not run under the unit")
    def test_the_daemon_runs_under_the_units_sandbox(self):
        binary = os.environ.get("DUTYBOT_BIN")
        if not binary:
            self.skipTest("DUTYBOT_BIN is not set")
        props = []
        with open(UNIT) as f:
            section = None
            for line in f:
                line = line.strip()
                if line.startswith("["):
                    section = line
                elif section == "[Service]" and "=" in line and not line.startswith("#"):
                    key = line.split("=", 1)[0]
                    if key not in ("Type", "NotifyAccess", "ExecStartPre", "ExecStart", "ExecReload", "Restart",
                                   "RestartSec", "WatchdogSec", "TimeoutStopSec", "User", "Group", "ReadOnlyPaths"):
                        props += ["-p", line]
        out = subprocess.run(["systemd-run", "--wait", "--collect", "--pipe", *props, binary, "--version"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("dutybot", out.stdout + out.stderr)


if __name__ == "__main__":
    unittest.main()
