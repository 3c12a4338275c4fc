"""Resolve what a run should do into one frozen :class:`Settings`.

Every value is taken from the first place that has it, in aws-mfa 0.0.12's
order: the command line, then the environment, then keys in the long-term
section of the credentials file, then the default. Each value remembers
where it came from, so an error names the flag, variable or key to fix::

    [dev-long-term]
    aws_access_key_id = AKIA...
    aws_secret_access_key = ...
    aws_mfa_device = arn:aws:iam::123456789012:mfa/alice   <- --device, MFA_DEVICE
    assume_role = arn:aws:iam::210987654321:role/admin     <- --assume-role, MFA_ASSUME_ROLE

Every check that can fail without asking AWS happens here, before any
prompt or STS call. This module reads no file and makes no network call:
the caller passes in what was read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aws_mfa.errors import UsageError
from aws_mfa.expiry import DEFAULT_MIN_TTL
from aws_mfa.ini import IniFile
from aws_mfa.mfa import check_code

DEFAULT_PROFILE = "default"
DEFAULT_LONG_TERM_SUFFIX = "long-term"
DEFAULT_DURATION = 43200
"""12 hours, 0.0.12's default for GetSessionToken."""
DEFAULT_ROLE_DURATION = 3600
"""1 hour: the longest every role allows unless its maximum was raised."""
MIN_DURATION = 900
MAX_DURATION = 129600
"""GetSessionToken's limit for IAM users: 36 hours."""
MAX_ROLE_DURATION = 43200
"""AssumeRole's limit: 12 hours (and the role's own maximum may be lower)."""

PARTITION = r"arn:aws(?:-[a-z]+)*"
ROLE_ARN = re.compile(rf"{PARTITION}:iam::\d{{12}}:role/[\w+=,.@/-]{{1,512}}")
DEVICE_ARN = re.compile(rf"{PARTITION}:iam::\d{{12}}:(?:mfa|u2f)/[\w+=,.@/-]{{1,512}}")
DEVICE_SERIAL = re.compile(r"[\w+=/:,.@-]{9,256}")
"""A hardware token's serial number, which STS takes in place of an ARN."""
SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
REGION = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}")


@dataclass(frozen=True)
class Flags:
    """What the command line said; None where a flag was not given."""

    profile: str | None = None
    credentials_file: str | None = None
    long_term_suffix: str | None = None
    short_term_suffix: str | None = None
    device: str | None = None
    duration: str | None = None
    assume_role: str | None = None
    role_session_name: str | None = None
    force: bool = False
    token: str | None = None
    min_ttl: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, checked."""

    profile: str
    credentials_file: Path
    long_term_section: str
    short_term_section: str
    device: str | None
    duration: int
    role_arn: str | None
    role_session_name: str
    force: bool
    min_ttl: int
    region: str | None
    token: str | None
    token_source: str


def _first(*candidates: tuple[str | None, str]) -> tuple[str | None, str]:
    """The first (value, source) whose value is set; empty strings count as unset."""
    for value, source in candidates:
        if value is not None and value != "":
            return value, source
    return None, ""


def credentials_path(flags: Flags, environ: Mapping[str, str]) -> Path:
    """``--credentials-file``, else ``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/credentials``."""
    from aws_mfa.credentials_file import default_path

    if flags.credentials_file:
        return Path(flags.credentials_file).expanduser()
    return default_path(environ)


def profile_name(flags: Flags, environ: Mapping[str, str]) -> str:
    """``--profile``, else ``AWS_PROFILE``, else ``default``."""
    value, source = _first(
        (flags.profile, "--profile"), (environ.get("AWS_PROFILE"), "AWS_PROFILE")
    )
    if value is None:
        return DEFAULT_PROFILE
    if "]" in value or "[" in value or value != value.strip() or "\n" in value:
        raise UsageError(
            f"{source}: {value!r} is not a profile name; "
            "use one without brackets, and without spaces at its ends"
        )
    return value


def section_names(profile: str, flags: Flags) -> tuple[str, str]:
    """The long-term and short-term section names, by 0.0.12's suffix rules."""
    long_suffix = flags.long_term_suffix
    if long_suffix is None:
        long_term = f"{profile}-{DEFAULT_LONG_TERM_SUFFIX}"
    elif long_suffix.lower() == "none":
        long_term = profile
    else:
        long_term = f"{profile}-{long_suffix}"
    short_suffix = flags.short_term_suffix
    if not short_suffix or short_suffix.lower() == "none":
        short_term = profile
    else:
        short_term = f"{profile}-{short_suffix}"
    if long_term == short_term:
        raise UsageError(
            f"the long-term and short-term sections would both be [{long_term}]; "
            "give --long-term-suffix and --short-term-suffix different values"
        )
    return long_term, short_term


def resolve(flags: Flags, environ: Mapping[str, str], credentials: IniFile | None) -> Settings:
    """Combine ``flags``, ``environ`` and the credentials file into checked Settings."""
    profile = profile_name(flags, environ)
    long_term, short_term = section_names(profile, flags)
    stored = (credentials.values(long_term) if credentials else None) or {}
    in_file = f"in [{long_term}]"

    device, device_source = _first(
        (flags.device, "--device"),
        (environ.get("MFA_DEVICE"), "MFA_DEVICE"),
        (stored.get("aws_mfa_device"), f"aws_mfa_device {in_file}"),
    )
    if device is not None:
        check_device(device, device_source)

    role, role_source = _first(
        (flags.assume_role, "--assume-role"),
        (environ.get("MFA_ASSUME_ROLE"), "MFA_ASSUME_ROLE"),
        (stored.get("assume_role"), f"assume_role {in_file}"),
    )
    if role is not None:
        check_role(role, role_source)

    duration_text, duration_source = _first(
        (flags.duration, "--duration"),
        (environ.get("MFA_STS_DURATION"), "MFA_STS_DURATION"),
    )
    if duration_text is None:
        duration = DEFAULT_ROLE_DURATION if role else DEFAULT_DURATION
    else:
        duration = check_duration(duration_text, duration_source, role is not None)

    min_ttl_text, min_ttl_source = _first(
        (flags.min_ttl, "--min-ttl"), (environ.get("MFA_MIN_TTL"), "MFA_MIN_TTL")
    )
    min_ttl = DEFAULT_MIN_TTL
    if min_ttl_text is not None:
        min_ttl = whole_number(min_ttl_text, min_ttl_source)
    if min_ttl >= duration:
        raise UsageError(
            f"{min_ttl_source or 'the renewal margin'} ({min_ttl} seconds) must be shorter "
            f"than the session duration ({duration} seconds), or every run would renew"
        )

    session_name, session_source = _first((flags.role_session_name, "--role-session-name"))
    if session_name is None:
        session_name = default_session_name()
    elif not SESSION_NAME.fullmatch(session_name):
        raise UsageError(
            f"{session_source}: {session_name!r} is not a role session name; use 2 to 64 "
            "letters, digits or the characters + = , . @ - _"
        )

    region, region_source = _first(
        (flags.region, "--region"),
        (environ.get("AWS_REGION"), "AWS_REGION"),
        (environ.get("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"),
    )
    if region is not None and not REGION.fullmatch(region):
        raise UsageError(f"{region_source}: {region!r} is not an AWS region name, like eu-west-1")

    token = flags.token
    if token is not None and token != "-":
        check_code(token, "--token")

    return Settings(
        profile=profile,
        credentials_file=credentials_path(flags, environ),
        long_term_section=long_term,
        short_term_section=short_term,
        device=device,
        duration=duration,
        role_arn=role,
        role_session_name=session_name,
        force=flags.force,
        min_ttl=min_ttl,
        region=region,
        token=token,
        token_source="--token",
    )


def whole_number(text: str, source: str) -> int:
    """``text`` as a non-negative whole number, else a UsageError naming ``source``."""
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit():
        raise UsageError(f"{source}: {text!r} is not a whole number of seconds")
    return int(stripped)


def check_duration(text: str, source: str, for_role: bool) -> int:
    """The session duration in ``text``, within STS's limits for the call made."""
    seconds = whole_number(text, source)
    top = MAX_ROLE_DURATION if for_role else MAX_DURATION
    if not MIN_DURATION <= seconds <= top:
        call = "assuming a role" if for_role else "a session token"
        raise UsageError(
            f"{source}: {seconds} seconds is outside what STS allows for {call}: "
            f"{MIN_DURATION} to {top}"
        )
    return seconds


def check_role(arn: str, source: str) -> None:
    """A role ARN like ``arn:aws:iam::123456789012:role/Name``, else a UsageError."""
    if not ROLE_ARN.fullmatch(arn):
        raise UsageError(
            f"{source}: {arn!r} is not a role ARN; it looks like "
            "arn:aws:iam::123456789012:role/RoleName"
        )


def check_device(device: str, source: str) -> None:
    """An MFA device ARN or a hardware token's serial number, else a UsageError."""
    if device.startswith("arn:"):
        if DEVICE_ARN.fullmatch(device):
            return
        if ":user/" in device:
            raise UsageError(
                f"{source}: {device!r} is a user ARN, not an MFA device; the device is "
                f"{device.replace(':user/', ':mfa/', 1)} for a virtual device named after "
                "the user (see IAM > Users > Security credentials)"
            )
        raise UsageError(
            f"{source}: {device!r} is not an MFA device ARN; it looks like "
            "arn:aws:iam::123456789012:mfa/DeviceName"
        )
    if not DEVICE_SERIAL.fullmatch(device):
        raise UsageError(
            f"{source}: {device!r} is neither an MFA device ARN "
            "(arn:aws:iam::123456789012:mfa/DeviceName) nor a hardware token serial number"
        )


def default_session_name() -> str:
    """The local user name, as 0.0.12 used, made into a valid role session name."""
    import getpass

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = ""
    name = re.sub(r"[^\w+=,.@-]", "-", user)[:64]
    return name if len(name) >= 2 else "aws-mfa"
