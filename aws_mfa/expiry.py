"""When short-term credentials expire, and whether they must be renewed now.

Inside aws-mfa every time is a timezone-aware UTC datetime. On disk the
``expiration`` key keeps the format aws-mfa 0.0.12 wrote, so files move freely
between the two tools::

    expiration = 2026-11-22 21:04:05      <- UTC, %Y-%m-%d %H:%M:%S

ISO 8601 forms written by other tools (``2026-11-22T21:04:05Z``,
``...+00:00``) are read too; a time with no zone is UTC.

:func:`needs_renewal` is the one decision of the program. It returns the
reason with the answer, and the reason is what the user reads. It reads
nothing and calls nothing: the caller hands it the section's values and the
clock's reading.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_mfa.aws.sections import SESSION_KEYS, missing_session_keys, replaced_keys, stored_role
from aws_mfa.clock import datetime, timezone
from aws_mfa.errors import FileError
from aws_mfa.files.ini import IniFile
from aws_mfa.records import Record

EXPIRATION_FORMAT = "%Y-%m-%d %H:%M:%S"
SDK_REFRESH = 900
"""Seconds before expiry at which botocore, the AWS CLI and the JavaScript SDK v3 start to
refresh credentials (botocore's advisory window; its mandatory one is 600). Credentials
handed to them with less would make them run ``credential_process`` again at once, so
``export --format process`` renews by then, and a cached role is handed out only with more
(docs/outputs.md compares the windows)."""
FIRST_YEAR, LAST_YEAR = 1970, 9000
"""Expirations outside these years are no session's: refused as unreadable, which also
keeps every one of them showable in any local time zone (year 9999 is not)."""


def parse_expiration(text: str, where: str | Callable[[], str]) -> datetime:
    """The UTC datetime in ``text``; ``where`` says where it was read, for errors.

    ``where`` may be a function, called only for an error: finding a key's
    line in a large file is not free, and most runs find a valid date.
    """
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as err:
        place = where() if callable(where) else where
        raise FileError(
            f"{place}: expiration {text!r} is not a date and time like "
            "'2026-11-22 21:04:05'; fix it or run with --force to replace it"
        ) from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        place = where() if callable(where) else where
        raise FileError(
            f"{place}: expiration {text!r} is not a time any session could end at; "
            "fix it or run with --force to replace it"
        )
    return moment.astimezone(timezone.utc)


def format_expiration(moment: datetime) -> str:
    """``moment`` as the credentials file stores it (UTC, no zone suffix)."""
    return moment.astimezone(timezone.utc).strftime(EXPIRATION_FORMAT)


def format_duration(seconds: float) -> str:
    """A short human form: ``11h 59m``, ``4m 10s``, ``0s``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def describe_local(moment: datetime) -> str:
    """``moment`` in the machine's local time zone, for people to read."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


class Decision(Record):
    """Whether to call STS, and the reason the user is shown."""

    renew: bool
    reason: str
    expiration: datetime | None = None


def needs_renewal(
    document: IniFile | None,
    *,
    name: str,
    role_arn: str | None,
    force: bool,
    min_ttl: int,
    now: datetime,
) -> Decision:
    """Decide whether the short-term section ``name`` of ``document`` must be renewed.

    ``document`` is the credentials file as :mod:`aws_mfa.files.ini` read it (None
    when there is none). The checks run in aws-mfa 0.0.12's order: a missing
    section or key, then ``--force``, then a change of role, then the time
    left against ``min_ttl``; after ``--force`` comes one 0.0.12 could not make:
    keys another tool put in the place of those aws-mfa wrote (their expiry is
    unknown, see :data:`aws_mfa.aws.sections.WRITER_KEY`).
    """
    section = document.sections.get(name) if document else None
    if document is None or section is None:
        return Decision(True, f"short-term section [{name}] is missing")
    values = section.values
    incomplete = incomplete_session(values, name)
    if incomplete:
        return Decision(True, incomplete)
    if force:
        return Decision(True, "renewal forced with --force")
    replaced = replaced_keys(values, name)
    if replaced:
        return Decision(True, replaced)

    def where(key: str) -> str:
        return f"{document.label}, line {document.key_line(name, key) + 1}, [{name}]"

    if values["assumed_role"].lower() not in ("true", "false"):
        raise FileError(
            f"{where('assumed_role')}: assumed_role {values['assumed_role']!r} is "
            "neither True nor False; fix it or run with --force to replace it"
        )
    other_role = role_change(values, name, role_arn)
    if other_role:
        return Decision(True, other_role)
    expiration = parse_expiration(values["expiration"], lambda: where("expiration"))
    left = (expiration - now).total_seconds()
    if left <= 0:
        return Decision(True, f"the credentials in [{name}] have expired", expiration)
    if left < min_ttl:
        return Decision(
            True,
            f"the credentials in [{name}] expire in {format_duration(left)}, "
            f"within the {format_duration(min_ttl)} margin",
            expiration,
        )
    return Decision(
        False,
        f"the credentials in [{name}] are still valid for "
        f"{format_duration(left)}, until {describe_local(expiration)}",
        expiration,
    )


def incomplete_session(values: dict[str, str], name: str) -> str | None:
    """Why section ``name`` is not a whole aws-mfa session, or None when it is."""
    missing = missing_session_keys(values)
    if missing and values.get("aws_session_token") and not values.get("expiration"):
        return (
            f"[{name}] holds a session with no expiration (as 'aws configure mfa-login' "
            "writes them), so the time it has left cannot be known"
        )
    if len(missing) == len(SESSION_KEYS):
        return f"there is no session in [{name}] yet"
    if missing:
        return f"[{name}] holds an incomplete session: it has no {', '.join(missing)}"
    return None


def role_change(values: dict[str, str], name: str, role_arn: str | None) -> str | None:
    """Why section ``name`` holds the session of another identity than asked for, or None."""
    stored = stored_role(values)
    if stored == role_arn:
        return None
    if role_arn is None:
        return f"[{name}] holds a session for role {stored}, and no role was asked for"
    if stored is None:
        return f"[{name}] holds no role session, and role {role_arn} was asked for"
    return f"[{name}] holds a session for role {stored}, not {role_arn}"
