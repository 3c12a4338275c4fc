"""The short-term section's state: what it holds, and whether it must be renewed.

::

    settings -> credentials file -> decide() -> still valid: stored_credentials()
                                             -> else: a renewal (aws_mfa.sessions.renewal)

Most runs end at the decision ("still valid"), so this module imports nothing
heavy. The states ``status``, ``--pick`` and ``logout`` show (valid, expiring,
expired, missing, unreadable, replaced) are read here too, by :func:`session_status`.

What it does not do: write, prompt, call STS, or start a renewal (that is
:func:`aws_mfa.sessions.keep.ensure_valid`).
"""

from __future__ import annotations

from aws_mfa import expiry
from aws_mfa.aws.sections import is_session, replaced_keys, stored_role
from aws_mfa.errors import EXIT_EXPIRING, EXIT_NOT_VALID, EXIT_OK, FileError
from aws_mfa.files import ini
from aws_mfa.keys import LongTermKeys, TemporaryCredentials
from aws_mfa.records import Record
from aws_mfa.settings.resolve import Settings

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from datetime import datetime


class Outcome(Record):
    """What a login did, and the credentials the short-term section now holds."""

    renewed: bool
    reason: str
    credentials: TemporaryCredentials
    keys: LongTermKeys | None = None
    """The long-term keys a renewal read (in memory only), so that a role assumed next in
    the same run does not read the secret a second time."""


def decide(settings: Settings, document: ini.IniFile | None, now: datetime) -> expiry.Decision:
    """Whether the short-term section must be renewed for these settings."""
    return expiry.needs_renewal(
        document,
        name=settings.short_term_section,
        role_arn=settings.role_arn,
        force=settings.force,
        min_ttl=settings.min_ttl,
        now=now,
    )


def stored_credentials(settings: Settings, document: ini.IniFile) -> TemporaryCredentials:
    """The credentials a valid short-term section holds."""
    name = settings.short_term_section
    values = document.values(name) or {}
    return TemporaryCredentials(
        access_key_id=values["aws_access_key_id"],
        secret_access_key=values["aws_secret_access_key"],
        session_token=values["aws_session_token"],
        expiration=expiry.parse_expiration(values["expiration"], f"[{name}]"),
    )


VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"
MISSING = "missing"
UNREADABLE = "unreadable"
REPLACED = "replaced"
"""Keys another tool put in the place of those aws-mfa wrote: their expiry is unknown."""

EXIT_CODES: dict[str, int] = {VALID: EXIT_OK, EXPIRING: EXIT_EXPIRING}
"""Exit code of ``status -p PROFILE`` by state; every other state is EXIT_NOT_VALID."""


class SessionStatus(Record):
    """The state of one short-term section, as ``status`` shows it."""

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


def session_status(
    section: ini.IniSection | None, name: str, now: datetime, min_ttl: int
) -> SessionStatus:
    """The state of short-term section ``name`` (``section`` is None when absent)."""
    if section is None or not is_session(section.values):
        return SessionStatus(name, None, None, None, MISSING)
    values = section.values
    role = stored_role(values)
    if replaced_keys(values, name):
        return SessionStatus(name, role, None, None, REPLACED)
    try:
        expiration = expiry.parse_expiration(values["expiration"], f"[{name}]")
    except FileError:
        return SessionStatus(name, role, None, None, UNREADABLE)
    left = int((expiration - now).total_seconds())
    return SessionStatus(name, role, expiration, max(left, 0), state_of(left, min_ttl))


def state_of(seconds_left: int, min_ttl: int) -> str:
    """Expired, expiring within the margin, or valid."""
    return EXPIRED if seconds_left <= 0 else EXPIRING if seconds_left < min_ttl else VALID


def all_sessions(document: ini.IniFile | None, now: datetime, min_ttl: int) -> list[SessionStatus]:
    """Every session in the credentials file, in file order."""
    if document is None:
        return []
    return [
        session_status(section, name, now, min_ttl)
        for name, section in document.sections.items()
        if is_session(section.values)
    ]
