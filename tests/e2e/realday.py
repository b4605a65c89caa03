"""The department of the seeds, at the default settings: the base of the
"real day" end-to-end tests.

One webmaster (lemon), one minister (mark), two vice ministers (vera, hu;
wei, zh) and agents of every level (mia CCS, tom TRN de, sara SAM es,
ana PAM).  No limits, policy, complaints or escalation settings are written,
so the daemon runs on its own defaults - the settings a new department
starts with - and the example config's shifts and time zone are used.
"""

from __future__ import annotations

from harness import E2E

DEPARTMENT = [
    {"id": "lemon", "name": "Lemon Chen", "role": "webmaster", "uid": "u1"},
    {"id": "mark", "name": "Mark Novak", "role": "minister", "uid": "u2"},
    {"id": "vera", "name": "Vera Kovacs", "role": "vice_minister", "lang": "hu", "uid": "u4"},
    {"id": "wei", "name": "Wang Wei", "role": "vice_minister", "lang": "zh", "uid": "u7"},
    {"id": "mia", "name": "Mia Keller", "role": "agent", "level": "CCS", "uid": "u3"},
    {"id": "tom", "name": "Tom Berger", "role": "agent", "level": "TRN", "lang": "de", "uid": "u5"},
    {"id": "sara", "name": "Sara Ruiz", "role": "agent", "level": "SAM", "lang": "es", "uid": "u6"},
    {"id": "ana", "name": "Ana Horvat", "role": "agent", "level": "PAM", "uid": "u8"},
]

# config/dutybot.example.cfg's shifts and zone
EXAMPLE_SHIFTS = ('( { name = "early"; start = "06:00"; end = "14:00"; },'
                  ' { name = "late"; start = "14:00"; end = "22:00"; },'
                  ' { name = "night"; start = "22:00"; end = "06:00"; standby = "vera"; } )')


class RealDayE2E(E2E):
    """E2E at the defaults: the harness's generous limits are removed.
    A test class adds what it needs in EXTRA_CONFIG (keep it to what the
    example config itself sets) and a clock in DAEMON_ENV."""

    EXTRA_CONFIG: dict = {}

    def config_overrides(self) -> dict:
        cfg = {"limits": None, "timezone": "Europe/Berlin", "shifts": EXAMPLE_SHIFTS,
               "staff": DEPARTMENT}
        cfg.update(self.CONFIG)
        cfg.update(self.EXTRA_CONFIG)
        return cfg
