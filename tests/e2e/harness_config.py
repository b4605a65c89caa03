"""Part of the end-to-end harness (tests import it through harness.py): the
dutybot config a test runs with (write_config), with the staff of the example
config.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from harness_proc import HOST, free_port


# --------------------------------------------------------------------------- config

STAFF = [   # the staff of config/dutybot.example.cfg
    {"id": "lemon", "name": "Lemon Chen", "role": "webmaster", "uid": "u1"},
    {"id": "mark", "name": "Mark Novak", "role": "minister", "uid": "u2"},
    {"id": "vera", "name": "Vera Kovacs", "role": "vice_minister", "lang": "hu", "uid": "u4"},
    {"id": "mia", "name": "Mia Keller", "role": "agent", "level": "CCS", "uid": "u3"},
    {"id": "tom", "name": "Tom Berger", "role": "agent", "level": "TRN", "lang": "de", "uid": "u5"},
    {"id": "sara", "name": "Sara Ruiz", "role": "agent", "level": "SAM", "lang": "es", "uid": "u6"},
]

# Top-level settings whose value is a plain string: a Python str given for
# one of them is quoted unless it already is.
_STRING_SETTINGS = {"site", "key_prefix", "command_prefix", "timezone", "default_lang",
                    "log_level"}


def quote(s: str) -> str:
    """A libconfig string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _value(key: str, v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        if key in _STRING_SETTINGS and not v.lstrip().startswith('"'):
            return quote(v)
        return v
    raise TypeError(f"config override {key}: give raw libconfig text, a number or a bool")


@dataclasses.dataclass
class TestConfig:
    """What write_config() chose, for the test to use."""
    path: str
    site: str
    token: str
    connection: str
    url: str
    site_port: int
    http_port: int
    redis_port: int
    staff: list


def write_config(path: str, *, redis_port: int, site: str | None = None,
                 token: str | None = None, site_port: int | None = None,
                 http_port: int | None = None, connection: str = "site",
                 staff: list | None = None, **overrides: Any) -> TestConfig:
    """Write a dutybot config for a test and return what it chose.

    Defaults: site "t<random>", Redis on 127.0.0.1:REDIS_PORT, the HTTP
    endpoint on a free port, one site connection CONNECTION on
    ws://127.0.0.1:<free port>/bot with TOKEN, channels ops/alerts/tech/
    complaints (rooms of the same names), the STAFF of the example config
    (lemon webmaster u1, mark minister u2, vera vice_minister u4 lang hu, mia
    agent CCS u3, tom agent TRN u5 lang de, sara agent SAM u6 lang es), log
    level debug and generous per-person limits.

    OVERRIDES replace or add top-level settings as raw libconfig text, e.g.
    ``limits="{ commands_per_minute = 2; burst = 1; }"``,
    ``shifts='( { name = "day"; start = "08:00"; end = "16:00"; } )'``,
    ``timezone="Europe/Berlin"`` (plain-string settings are quoted for you);
    None removes a default setting.
    """
    site = site or "t" + secrets.token_hex(4)
    token = token or "tok-" + secrets.token_hex(8)
    site_port = site_port or free_port()
    http_port = http_port or free_port()
    staff = STAFF if staff is None else staff
    url = f"ws://{HOST}:{site_port}/bot"

    def staff_entry(p: dict) -> str:
        fields = [f"id = {quote(p['id'])};", f"name = {quote(p['name'])};",
                  f"email = {quote(p.get('email', p['id'] + '@example.org'))};",
                  f"role = {quote(p['role'])};"]
        if p.get("level"):
            fields.append(f"level = {quote(p['level'])};")
        if p.get("lang"):
            fields.append(f"lang = {quote(p['lang'])};")
        idents = list(p.get("identities", []))
        if p.get("uid"):
            idents.insert(0, f"{connection}:{p['uid']}")
        fields.append("identities = ( " + ", ".join(quote(i) for i in idents) + " );")
        return "    { " + " ".join(fields) + " }"

    settings: dict[str, str] = {
        "site": quote(site),
        "command_prefix": quote("!"),
        "timezone": quote("UTC"),
        "log_level": quote("debug"),
        "redis": f"{{ host = {quote(HOST)}; port = {redis_port}; }}",
        "http": f"{{ listen = {quote(f'{HOST}:{http_port}')}; }}",
        "connections": (
            "(\n  { name = %s; type = \"site\"; url = %s; token = %s;\n"
            "    channels = { ops = \"ops\"; alerts = \"alerts\"; tech = \"tech\";"
            " complaints = \"complaints\"; }; }\n)"
            % (quote(connection), quote(url), quote(token))),
        "staff": "(\n" + ",\n".join(staff_entry(p) for p in staff) + "\n)",
        "limits": '{ commands_per_minute = 600; burst = 100; dedupe_ttl = "24h"; }',
    }
    for key, v in overrides.items():
        if v is None:
            settings.pop(key, None)
        else:
            settings[key] = _value(key, v)
    text = "# written by tests/e2e/harness_config.py write_config()\n" + "".join(
        f"{k} = {v};\n" for k, v in settings.items())
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return TestConfig(path=path, site=site, token=token, connection=connection, url=url,
                      site_port=site_port, http_port=http_port, redis_port=redis_port,
                      staff=staff)
