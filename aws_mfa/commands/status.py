"""``aws-mfa status``: what the stored sessions are worth, without side effects.

It reads the credentials file and the cache of MFA sessions, and nothing
else: no STS call, no prompt, no write, no botocore import, no keychain, so a
shell prompt or a script may run it as often as it likes. A session is a
section holding a session token and an expiration, whoever wrote it (see
:mod:`aws_mfa.aws.sections`); a long-term section is shown with where its
secret is (the file, or the OS keychain, as the section says)::

    $ aws-mfa status
    PROFILE  IDENTITY     EXPIRES                  LEFT     STATE
    dev      user         2026-11-23 09:12:44 CET  11h 58m  valid
    admin    role/admin   2026-11-22 13:00:00 CET  -        expired

    ROLE PROFILE  ROLE        FROM  EXPIRES                  LEFT     STATE
    prod          role/admin  dev   2026-11-23 09:12:44 CET  11h 58m  valid

    AWS LOGIN PROFILE  IDENTITY                   EXPIRES                  LEFT    STATE
    console            123456789012:user/alice    2026-11-22 21:04:05 CET  12m 4s  valid

    LONG-TERM SECTION  ACCESS KEY  SECRET IN  KEY AGE
    dev-long-term      ...WXYZ     keychain   12 days

A role profile of the AWS config (``role_arn`` with a ``source_profile`` aws-mfa keeps a
session for, :mod:`aws_mfa.identity`) is listed with the MFA session it is assumed from:
the AWS CLI and SDKs can assume it with no code until that session ends, so its state is
that session's, and so is the exit code of ``status -p ROLE_PROFILE``.

The key's age is the time ``aws-mfa rotate`` recorded when it made the key
(``aws_mfa_key_created``, see :mod:`aws_mfa.key_age`); the column is left out
when no section has one.

The profiles ``aws login`` signed in (``login_session`` in the config file)
are listed with the expiry of their cached credentials, read from the AWS
CLI's cache only when the config file has such a profile (see
:mod:`aws_mfa.aws.login_sessions`); nothing else of that cache is read.

For one profile (``--profile`` or ``AWS_PROFILE``) the exit code tells the
state: 0 valid, 7 expired or missing, 8 expiring within the margin.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from aws_mfa import expiry, key_age, log, system
from aws_mfa.aws.config_file import LOGIN_SESSION_KEY, ConfigProfile
from aws_mfa.aws.sections import has_long_term_keys, secret_location
from aws_mfa.cli.context import Context
from aws_mfa.clock import utc_now
from aws_mfa.errors import EXIT_OK
from aws_mfa.files import ini
from aws_mfa.identity import ROLE, Identity
from aws_mfa.keys import mask
from aws_mfa.profiles import long_term_sections
from aws_mfa.records import Record
from aws_mfa.sessions.mfa_sessions import MfaSessions, default_folder
from aws_mfa.sessions.session_state import (
    EXPIRED,
    EXPIRING,
    MISSING,
    REPLACED,
    UNREADABLE,
    VALID,
    SessionStatus,
    all_sessions,
    session_status,
    state_of,
)

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from datetime import datetime
    from typing import TextIO

    from aws_mfa.aws.login_sessions import LoginSession
    from aws_mfa.settings.resolve import Settings

STALE = "stale"
"""A login's cached credentials are past their expiry: the AWS CLI and SDKs get new ones
with its refresh token, as long as the login lasts (up to 12 hours), which no file says."""
COLOURS = {
    VALID: "32",
    EXPIRING: "33",
    STALE: "33",
    EXPIRED: "31",
    MISSING: "31",
    UNREADABLE: "31",
    REPLACED: "31",
}
"""ANSI colours of the state words: valid green, expiring and stale yellow, the rest red."""


def run(context: Context) -> int:
    flags, environ = context.flags, context.environ
    document = context.credentials()
    resolved = context.settings()
    now = utc_now()
    colour = use_colour(sys.stdout, environ)
    one = not flags.switch("all") and (
        flags.value("profile") or environ.get("AWS_DEFAULT_PROFILE") or environ.get("AWS_PROFILE")
    )
    if one:
        found = context.identity_of(resolved.profile)
        if found.kind == ROLE:
            role_row = role_status(found, document, now)
            print(as_json(role_row) if flags.switch("json") else role_table([role_row], colour))
            return role_row.exit_code
        name = resolved.short_term_section
        section = document.sections.get(name) if document else None
        row = session_status(section, name, now, resolved.min_ttl)
        long_term = long_term_status(document, [resolved.long_term_section])
        if flags.switch("json"):
            print(as_json(row, long_term=long_term))
        else:
            print(table([row], colour) + long_term_part(long_term))
        return row.exit_code
    return every_profile(context, document, resolved, now, colour)


class RoleStatus(Record):
    """A role profile, as ``status`` shows it: the state of the MFA session it is assumed from."""

    profile: str
    role_arn: str
    source: SessionStatus

    @property
    def exit_code(self) -> int:
        return self.source.exit_code

    def as_json(self) -> dict[str, object]:
        return {
            "kind": "role_profile",
            **self.source.as_json(),
            "profile": self.profile,
            "role_arn": self.role_arn,
            "source_section": self.source.profile,
        }


def role_status(found: Identity, document: ini.IniFile | None, now: datetime) -> RoleStatus:
    session = found.session
    name = session.short_term_section
    section = document.sections.get(name) if document else None
    state = session_status(section, name, now, session.min_ttl)
    return RoleStatus(found.name, found.role_arn or "", state)


def role_rows(context: Context, document: ini.IniFile | None, now: datetime) -> list[RoleStatus]:
    """Every role profile of the config aws-mfa serves, with its source's session."""
    found = [
        context.identity_of(name)
        for name, profile in context.config_profiles().items()
        if profile.values.get("role_arn")
    ]
    return [role_status(one, document, now) for one in found if one.kind == ROLE]


def role_table(rows: list[RoleStatus], colour: bool = False) -> str:
    """The role profiles, one row each, with the session they are assumed from."""
    cells = [
        (
            row.profile,
            role_name(row.role_arn),
            row.source.profile,
            *when(row.source.expiration, row.source.seconds_left),
            row.source.state,
        )
        for row in rows
    ]
    header = ("ROLE PROFILE", "ROLE", "FROM", "EXPIRES", "LEFT", "STATE")
    return render(header, cells, colour)


def every_profile(
    context: Context, document: ini.IniFile | None, resolved: Settings, now: datetime, colour: bool
) -> int:
    """The tables (or the JSON list) of every session, cached MFA session, ``aws login``
    profile and long-term section."""
    flags, environ = context.flags, context.environ
    long_term = long_term_status(document, long_term_sections(document))
    rows = all_sessions(document, now, resolved.min_ttl)
    mfa_rows = [
        mfa_session_status(
            entry.access_key_id, entry.device, entry.credentials.expiration, now, resolved.min_ttl
        )
        for entry in MfaSessions(default_folder()).entries()
    ]
    logins = login_rows(context.config_profiles(), environ, now)
    roles = role_rows(context, document, now)
    if flags.switch("json"):
        print(as_json(rows, mfa_rows, long_term, logins, roles))
        return EXIT_OK
    if not rows:
        log.info("No sessions in %s", context.credentials_path)
    tables = (
        table(rows, colour) if rows else "",
        role_table(roles, colour) if roles else "",
        mfa_table(mfa_rows, colour) if mfa_rows else "",
        login_table(logins, colour) if logins else "",
        long_term_table(long_term) if long_term else "",
    )
    if any(tables):
        print("\n\n".join(text for text in tables if text))
    return EXIT_OK


def long_term_part(rows: list[LongTermStatus]) -> str:
    """The table of long-term sections after a blank line; nothing when there are none."""
    return "\n\n" + long_term_table(rows) if rows else ""


def role_name(role_arn: str) -> str:
    """``role/NAME`` of a role's ARN, as the IDENTITY and ROLE columns show it."""
    return "role/" + role_arn.rpartition(":role/")[2]


def identity(status: SessionStatus) -> str:
    """``role/NAME`` for a role session, ``user`` for a user's session token."""
    if status.role_arn:
        return role_name(status.role_arn)
    return "user"


def use_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never with ``NO_COLOR`` set (no-color.org) or TERM=dumb.

    On Windows only where the terminal is known to read colour codes (Windows
    Terminal sets ``WT_SESSION``; ConEmu and others set ``TERM`` or ``ANSICON``):
    the classic console would show them as text.
    """
    if system.WINDOWS and not any(environ.get(name) for name in ("WT_SESSION", "TERM", "ANSICON")):
        return False
    return stream.isatty() and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def table(rows: list[SessionStatus], colour: bool = False) -> str:
    """A plain text table, one row per session; state words coloured when ``colour``."""
    cells = [
        (
            row.profile,
            identity(row) if row.state != MISSING else "-",
            *when(row.expiration, row.seconds_left),
            row.state,
        )
        for row in rows
    ]
    return render(("PROFILE", "IDENTITY", "EXPIRES", "LEFT", "STATE"), cells, colour)


def mfa_table(rows: list[MfaSessionStatus], colour: bool = False) -> str:
    """The cached MFA sessions, one row each (see :mod:`aws_mfa.sessions.mfa_sessions`)."""
    cells = [
        (mask(row.access_key_id), row.device, *when(row.expiration, row.seconds_left), row.state)
        for row in rows
    ]
    return render(("MFA SESSION OF", "DEVICE", "EXPIRES", "LEFT", "STATE"), cells, colour)


def when(expiration: datetime | None, seconds_left: int | None) -> tuple[str, str]:
    """The EXPIRES and LEFT cells."""
    return (
        expiry.describe_local(expiration) if expiration else "-",
        expiry.format_duration(seconds_left) if seconds_left else "-",
    )


def render(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], colour: bool) -> str:
    """Columns padded to their widest cell; the last cell (the state) coloured when ``colour``."""
    lines = [header, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    if colour:  # the state is the last column: colouring it shifts no other
        text[1:] = [
            line[: -len(row[-1])] + f"\033[{COLOURS[row[-1]]}m{row[-1]}\033[0m"
            for line, row in zip(text[1:], rows, strict=True)
        ]
    return "\n".join(text)


class MfaSessionStatus(Record):
    """The state of one cached MFA session (see :mod:`aws_mfa.sessions.mfa_sessions`)."""

    access_key_id: str
    device: str
    expiration: datetime
    seconds_left: int
    state: str

    def as_json(self) -> dict[str, object]:
        return {
            "kind": "mfa_session",
            "access_key_id": mask(self.access_key_id),
            "device": self.device,
            "expiration": self.expiration.isoformat(),
            "expiration_local": expiry.describe_local(self.expiration),
            "seconds_left": self.seconds_left,
            "state": self.state,
        }


def mfa_session_status(
    access_key_id: str, device: str, expiration: datetime, now: datetime, min_ttl: int
) -> MfaSessionStatus:
    left = int((expiration - now).total_seconds())
    state = state_of(left, min_ttl)
    return MfaSessionStatus(access_key_id, device, expiration, max(left, 0), state)


class LoginSessionStatus(Record):
    """The state of a profile ``aws login`` signed in: when its cached credentials expire.
    Nothing secret: the cache's credentials, refresh token and DPoP key are never read."""

    profile: str
    session: str
    cache_file: str
    expiration: datetime | None
    seconds_left: int | None
    state: str
    reason: str

    def as_json(self) -> dict[str, object]:
        return {
            "kind": "login_session",
            "profile": self.profile,
            "login_session": self.session,
            "cache_file": self.cache_file,
            "expiration": self.expiration.isoformat() if self.expiration else None,
            "expiration_local": expiry.describe_local(self.expiration) if self.expiration else None,
            "seconds_left": self.seconds_left,
            "state": self.state,
            "reason": self.reason or None,
        }


def login_rows(
    profiles: Mapping[str, ConfigProfile], environ: Mapping[str, str], now: datetime
) -> list[LoginSessionStatus]:
    """The profiles ``aws login`` signed in. Without a ``login_session`` in the config file
    (most runs), neither the AWS CLI's cache nor the module that reads it is touched."""
    if not any(LOGIN_SESSION_KEY in profile.values for profile in profiles.values()):
        return []
    from aws_mfa.aws.login_sessions import login_sessions

    return [login_session_status(login, now) for login in login_sessions(profiles, environ)]


def login_session_status(login: LoginSession, now: datetime) -> LoginSessionStatus:
    """``valid`` until its cached credentials expire, then ``stale`` (see :data:`STALE`);
    ``missing`` with no cache file, ``unreadable`` when its expiry cannot be read."""
    if login.expiration is None:
        state = UNREADABLE if login.cached else MISSING
        return LoginSessionStatus(
            login.profile, login.session, login.cache_file, None, None, state, login.reason
        )
    left = int((login.expiration - now).total_seconds())
    state = VALID if left > 0 else STALE
    return LoginSessionStatus(
        login.profile, login.session, login.cache_file, login.expiration, max(left, 0), state, ""
    )


def login_table(rows: list[LoginSessionStatus], colour: bool = False) -> str:
    """The profiles ``aws login`` signed in, one row each."""
    from aws_mfa.aws import login_sessions

    cells = [
        (
            row.profile if row.profile.isprintable() else repr(row.profile),
            login_sessions.signed_in_as(row.session),
            *when(row.expiration, row.seconds_left),
            row.state,
        )
        for row in rows
    ]
    return render(("AWS LOGIN PROFILE", "IDENTITY", "EXPIRES", "LEFT", "STATE"), cells, colour)


class LongTermStatus(Record):
    """A section with long-term keys, where its secret is (``file`` or ``keychain``), and
    when its key was created (None when the section does not say)."""

    section: str
    access_key_id: str
    secret: str
    created: datetime | None = None

    def age(self) -> int | None:
        return None if self.created is None else key_age.age_days(self.created, utc_now())

    def as_json(self) -> dict[str, object]:
        return {
            "kind": "long_term",
            "section": self.section,
            "access_key_id": mask(self.access_key_id),
            "secret": self.secret,
            "key_created": key_age.format_created(self.created) if self.created else None,
            "key_age_days": self.age(),
        }


def long_term_status(document: ini.IniFile | None, names: Sequence[str]) -> list[LongTermStatus]:
    """The sections among ``names`` that hold long-term keys, in that order."""
    if document is None:
        return []
    return [
        LongTermStatus(
            name,
            values["aws_access_key_id"],
            secret_location(values) or "",
            key_age.created(values),
        )
        for name in names
        for values in [document.values(name) or {}]
        if has_long_term_keys(values)
    ]


def long_term_table(rows: list[LongTermStatus]) -> str:
    """The long-term sections, one row each, with where each secret is (and the key's age
    when any section records one)."""
    header: tuple[str, ...] = ("LONG-TERM SECTION", "ACCESS KEY", "SECRET IN")
    cells: list[tuple[str, ...]] = [
        (row.section, mask(row.access_key_id), row.secret) for row in rows
    ]
    if any(row.created for row in rows):
        header += ("KEY AGE",)
        ages = [row.age() for row in rows]
        cells = [
            (*cell, "-" if age is None else key_age.describe(age))
            for cell, age in zip(cells, ages, strict=True)
        ]
    return render(header, cells, colour=False)


def as_json(
    rows: list[SessionStatus] | SessionStatus | RoleStatus,
    mfa_rows: list[MfaSessionStatus] | None = None,
    long_term: list[LongTermStatus] | None = None,
    logins: list[LoginSessionStatus] | None = None,
    roles: list[RoleStatus] | None = None,
) -> str:
    """JSON: a list for every session (then every role profile, MFA session, ``aws login``
    profile and long-term section), an object for one profile (with its long-term section
    and where its secret is; a role profile with the session it is assumed from).
    """
    import json

    if isinstance(rows, RoleStatus):
        return json.dumps(rows.as_json(), indent=2)
    if isinstance(rows, SessionStatus):
        first = long_term[0] if long_term else None
        return json.dumps(
            {
                **rows.as_json(),
                "long_term_section": first.section if first else None,
                "long_term_secret": first.secret if first else None,
            },
            indent=2,
        )
    listed = [{"kind": "profile", **row.as_json()} for row in rows]
    listed += [row.as_json() for row in roles or []]
    listed += [row.as_json() for row in mfa_rows or []]
    listed += [row.as_json() for row in logins or []]
    listed += [row.as_json() for row in long_term or []]
    return json.dumps(listed, indent=2)
