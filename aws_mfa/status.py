"""``aws-mfa status``: what the stored sessions are worth, without side effects.

It reads the credentials file and nothing else: no STS call, no prompt, no
write, no botocore import, so a shell prompt or a script may run it as often
as it likes. A session is a section holding a session token and an
expiration, whoever wrote it::

    $ aws-mfa status
    PROFILE  IDENTITY     EXPIRES                  LEFT     STATE
    dev      user         2026-11-23 09:12:44 CET  11h 58m  valid
    admin    role/admin   2026-11-22 13:00:00 CET  -        expired

For one profile (``--profile`` or ``AWS_PROFILE``) the exit code tells the
state: 0 valid, 7 expired or missing, 8 expiring within the margin.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aws_mfa import expiry, ini
from aws_mfa.errors import EXIT_EXPIRING, EXIT_NOT_VALID, EXIT_OK, FileError
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import TextIO

VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"
MISSING = "missing"
UNREADABLE = "unreadable"

EXIT_CODES: dict[str, int] = {VALID: EXIT_OK, EXPIRING: EXIT_EXPIRING}
"""Exit code of ``status PROFILE`` by state; every other state is EXIT_NOT_VALID."""


class SessionStatus(Record):
    """The state of one short-term section."""

    profile: str
    role_arn: str | None
    expiration: datetime | None
    seconds_left: int | None
    state: str

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.state, EXIT_NOT_VALID)

    def as_json(self) -> dict[str, object]:
        return {
            "profile": self.profile,
            "role_arn": self.role_arn,
            "expiration": self.expiration.isoformat() if self.expiration else None,
            "expiration_local": expiry.describe_local(self.expiration) if self.expiration else None,
            "seconds_left": self.seconds_left,
            "state": self.state,
        }


def is_session(section: ini.IniSection) -> bool:
    """A section holding temporary credentials (aws-mfa's, 0.0.12's, or another tool's)."""
    return bool(section.values.get("aws_session_token") and section.values.get("expiration"))


def session_status(
    section: ini.IniSection | None, name: str, now: datetime, min_ttl: int
) -> SessionStatus:
    """The state of short-term section ``name`` (``section`` is None when absent)."""
    if section is None or not is_session(section):
        return SessionStatus(name, None, None, None, MISSING)
    values = section.values
    role = values.get("assumed_role_arn") or None
    try:
        expiration = expiry.parse_expiration(values["expiration"], f"[{name}]")
    except FileError:
        return SessionStatus(name, role, None, None, UNREADABLE)
    left = int((expiration - now).total_seconds())
    if left <= 0:
        state = EXPIRED
    elif left < min_ttl:
        state = EXPIRING
    else:
        state = VALID
    return SessionStatus(name, role, expiration, max(left, 0), state)


def all_sessions(document: ini.IniFile | None, now: datetime, min_ttl: int) -> list[SessionStatus]:
    """Every session in the credentials file, in file order."""
    if document is None:
        return []
    return [
        session_status(section, name, now, min_ttl)
        for name, section in document.sections.items()
        if is_session(section)
    ]


def identity(status: SessionStatus) -> str:
    """``role/NAME`` for a role session, ``user`` for a user's session token."""
    if status.role_arn:
        return "role/" + status.role_arn.rpartition(":role/")[2]
    return "user"


COLOURS = {VALID: "32", EXPIRING: "33", EXPIRED: "31", MISSING: "31", UNREADABLE: "31"}
"""ANSI colours of the state words: valid green, expiring yellow, the rest red."""


def use_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never with ``NO_COLOR`` set (no-color.org) or TERM=dumb."""
    return stream.isatty() and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def table(rows: list[SessionStatus], colour: bool = False) -> str:
    """A plain text table, one row per session; state words coloured when ``colour``."""
    lines = [("PROFILE", "IDENTITY", "EXPIRES", "LEFT", "STATE")]
    for row in rows:
        lines.append(
            (
                row.profile,
                identity(row) if row.state != MISSING else "-",
                expiry.describe_local(row.expiration) if row.expiration else "-",
                expiry.format_duration(row.seconds_left) if row.seconds_left else "-",
                row.state,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    if colour:  # the state is the last column: colouring it shifts no other
        text[1:] = [
            line[: -len(row.state)] + f"\033[{COLOURS[row.state]}m{row.state}\033[0m"
            for line, row in zip(text[1:], rows, strict=True)
        ]
    return "\n".join(text)


def as_json(rows: list[SessionStatus] | SessionStatus) -> str:
    """JSON: a list for every session, an object for one profile."""
    import json

    if isinstance(rows, SessionStatus):
        return json.dumps(rows.as_json(), indent=2)
    return json.dumps([row.as_json() for row in rows], indent=2)
