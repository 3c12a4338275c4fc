"""Resolve what a run should do into one frozen :class:`Settings`.

Every value is taken from the first place that has it, in aws-mfa 0.0.12's
order extended with the AWS config file: the command line, then the
environment, then keys in the long-term section of the credentials file, then
the config file (the short-term profile, then the long-term one), then the
default. Each value remembers where it came from, so an error names the flag,
variable or key to fix::

    # ~/.aws/credentials
    [dev-long-term]
    aws_access_key_id = AKIA...
    aws_secret_access_key = ...
    aws_mfa_device = arn:aws:iam::123456789012:mfa/alice   <- --device, MFA_DEVICE
    assume_role = arn:aws:iam::210987654321:role/admin     <- --assume-role, MFA_ASSUME_ROLE

    # ~/.aws/config
    [profile dev]
    mfa_serial = arn:aws:iam::123456789012:mfa/alice       <- after aws_mfa_device
    region = eu-west-1                                     <- after --region, AWS_REGION

Every check that can fail without asking AWS happens here, before any
prompt or STS call. This module reads no file and makes no network call:
the caller passes in what was read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from aws_mfa import log
from aws_mfa.aws_config import ConfigProfile, profiles
from aws_mfa.aws_config import default_path as config_path
from aws_mfa.errors import UsageError
from aws_mfa.expiry import DEFAULT_MIN_TTL
from aws_mfa.ini import IniFile
from aws_mfa.mfa import check_code
from aws_mfa.records import Record
from aws_mfa.yaml_profiles import default_path as yaml_path
from aws_mfa.yaml_profiles import device as yaml_device

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

# Patterns are compiled on first use (re caches them): most runs check one or two.
PARTITION = r"arn:aws(?:-[a-z]+)*"
ROLE_ARN = rf"{PARTITION}:iam::\d{{12}}:role/[\w+=,.@/-]{{1,512}}"
DEVICE_ARN = rf"{PARTITION}:iam::\d{{12}}:(?:mfa|u2f)/[\w+=,.@/-]{{1,512}}"
DEVICE_SERIAL = r"[\w+=/:,.@-]{9,256}"
"""A hardware token's serial number, which STS takes in place of an ARN."""
SESSION_NAME = r"[\w+=,.@-]{2,64}"
EXTERNAL_ID = r"[\w+=,.@:/-]{2,1224}"
REGION = r"[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}"


class Flags(Record):
    """What the command line said; None where a flag was not given."""

    profile: str | None = None
    credentials_file: str | None = None
    long_term_suffix: str | None = None
    short_term_suffix: str | None = None
    long_term_section: str | None = None
    short_term_section: str | None = None
    device: str | None = None
    duration: str | None = None
    assume_role: str | None = None
    role_session_name: str | None = None
    external_id: str | None = None
    force: bool = False
    token: str | None = None
    min_ttl: str | None = None
    region: str | None = None
    backup: bool = False
    token_command: str | None = None
    format: str | None = None


class Settings(Record):
    """Everything a run needs to know, checked."""

    profile: str
    credentials_file: str
    config_file: str
    long_term_section: str
    short_term_section: str
    device: str | None
    duration: int
    role_arn: str | None
    role_session_name: str
    external_id: str | None
    force: bool
    min_ttl: int
    region: str | None
    token: str | None
    token_source: str
    token_command: str | None
    token_command_source: str
    backup: bool
    shell: str | None
    """The export format or shell asked for (``--format``, ``shell`` in the YAML)."""
    shell_source: str
    lock_timeout: float


Candidate = tuple["str | None", str]
"""A value (None when absent) and where it came from, for error messages."""


def _first(*candidates: Candidate) -> Candidate:
    """The first candidate whose value is set; empty strings count as unset."""
    for value, source in candidates:
        if value is not None and value != "":
            return value, source
    return None, ""


def credentials_path(flags: Flags, environ: Mapping[str, str]) -> str:
    """``--credentials-file``, else ``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/credentials``."""
    from aws_mfa.credentials_file import default_path

    if flags.credentials_file:
        return os.path.expanduser(flags.credentials_file)
    return default_path(environ)


def profile_name(flags: Flags, environ: Mapping[str, str]) -> str:
    """``--profile``, else ``AWS_PROFILE``, else ``default``."""
    value, source = _first(
        (flags.profile, "--profile"), (environ.get("AWS_PROFILE"), "AWS_PROFILE")
    )
    if value is None:
        return DEFAULT_PROFILE
    check_section_name(value, source, "a profile name")
    return value


def check_section_name(value: str, source: str, what: str) -> None:
    """A name usable as a ``[section]``: no brackets, line breaks or outer spaces."""
    if not value or any(char in value for char in "[]\r\n") or value != value.strip():
        raise UsageError(
            f"{source}: {value!r} is not {what}; use one without brackets, "
            "and without spaces at its ends"
        )


class ConfigLookup:
    """Keys of the first config profile that has them.

    The profiles are the short-term section's, then the one named by
    ``--profile`` (when the sections are named otherwise), then the long-term
    section's.
    """

    def __init__(self, label: str, *found: ConfigProfile | None) -> None:
        self.label = label
        self.profiles = [profile for profile in found if profile is not None]

    def get(self, key: str) -> Candidate:
        return _first(
            *(
                (profile.values.get(key), f"{key} in [{profile.header}] of {self.label}")
                for profile in self.profiles
            )
        )


def section_names(
    profile: str,
    flags: Flags,
    config: Mapping[str, ConfigProfile] | None = None,
    entry: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """The long-term and short-term section names.

    Explicit section flags win; then the suffix flags (0.0.12's rules); then
    the YAML entry (``aws_profile``, ``short_term_profile``); then, for the
    long-term section, ``aws_mfa_long_term_section`` and ``source_profile`` in
    the short-term profile's config; then ``[PROFILE-long-term]`` and
    ``[PROFILE]``.
    """
    entry = entry or {}
    if flags.short_term_section:
        short_term = flags.short_term_section
        check_section_name(short_term, "--short-term-section", "a section name")
    elif flags.short_term_suffix and flags.short_term_suffix.lower() != "none":
        short_term = f"{profile}-{flags.short_term_suffix}"
    elif entry.get("short_term_profile"):
        short_term = entry["short_term_profile"]
        check_section_name(short_term, f"short_term_profile of '{profile}'", "a section name")
    else:
        short_term = profile

    short_config = (config or {}).get(short_term)
    configured, source = _first(
        *(
            (short_config.values.get(key), f"{key} in [{short_config.header}]")
            for key in ("aws_mfa_long_term_section", "source_profile")
            if short_config is not None
        )
    )
    from_yaml = False
    if flags.long_term_section:
        long_term = flags.long_term_section
        check_section_name(long_term, "--long-term-section", "a section name")
    elif flags.long_term_suffix is not None:
        if flags.long_term_suffix.lower() == "none":
            long_term = profile
        else:
            long_term = f"{profile}-{flags.long_term_suffix}"
    elif entry.get("aws_profile"):
        long_term, from_yaml = entry["aws_profile"], True
        check_section_name(long_term, f"aws_profile of '{profile}'", "a section name")
    elif configured is not None:
        check_section_name(configured, source, "a section name")
        long_term = configured
    else:
        long_term = f"{profile}-{DEFAULT_LONG_TERM_SUFFIX}"

    if long_term == short_term:
        if from_yaml:
            raise UsageError(
                f"the YAML profile '{profile}' would write its session over its long-term "
                f"keys in [{long_term}]; set short_term_profile in that entry to another name"
            )
        raise UsageError(
            f"the long-term and short-term sections would both be [{long_term}]; "
            "give --long-term-suffix and --short-term-suffix (or --long-term-section "
            "and --short-term-section) different values"
        )
    return long_term, short_term


def resolve(
    flags: Flags,
    environ: Mapping[str, str],
    credentials: IniFile | None,
    config: IniFile | None = None,
    yaml_entries: Mapping[str, Mapping[str, str]] | None = None,
) -> Settings:
    """Combine ``flags``, ``environ`` and the files into checked Settings.

    ``yaml_entries`` are the profiles of ``~/.aws/aws-mfa.yaml``, inheritance
    resolved (None when there is no such file).
    """
    profile = profile_name(flags, environ)
    config_profiles = profiles(config)
    entry = (yaml_entries or {}).get(profile) or {}
    long_term, short_term = section_names(profile, flags, config_profiles, entry)
    stored = (credentials.values(long_term) if credentials else None) or {}
    in_file = f"in [{long_term}]"
    config_file = config_path(environ)
    configured = ConfigLookup(
        str(config_file),
        *(config_profiles.get(name) for name in dict.fromkeys((short_term, profile, long_term))),
    )
    yaml_file = yaml_path(environ)

    def from_yaml(key: str, value: str | None = None) -> Candidate:
        return (entry.get(key) if value is None else value), f"{key} of '{profile}' in {yaml_file}"

    device, device_source = _first(
        (flags.device, "--device"),
        (environ.get("MFA_DEVICE"), "MFA_DEVICE"),
        from_yaml("device", yaml_device(entry) or ""),
        (stored.get("aws_mfa_device"), f"aws_mfa_device {in_file}"),
        configured.get("mfa_serial"),
    )
    if device is not None:
        check_device(device, device_source)

    role, role_source = _first(
        (flags.assume_role, "--assume-role"),
        (environ.get("MFA_ASSUME_ROLE"), "MFA_ASSUME_ROLE"),
        from_yaml("assume_role"),
        (stored.get("assume_role"), f"assume_role {in_file}"),
        configured.get("aws_mfa_assume_role"),
    )
    if role is not None:
        check_role(role, role_source)

    duration_text, duration_source = _first(
        (flags.duration, "--duration"),
        (environ.get("MFA_STS_DURATION"), "MFA_STS_DURATION"),
        from_yaml("expiry"),
        configured.get("aws_mfa_duration"),
        configured.get("duration_seconds"),
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

    session_name, session_source = _first(
        (flags.role_session_name, "--role-session-name"), configured.get("role_session_name")
    )
    if session_name is None:  # only AssumeRole takes one; getpass is not free
        session_name = default_session_name() if role else ""
    elif not re.fullmatch(SESSION_NAME, session_name):
        raise UsageError(
            f"{session_source}: {session_name!r} is not a role session name; use 2 to 64 "
            "letters, digits or the characters + = , . @ - _"
        )

    external_id, external_source = _first(
        (flags.external_id, "--external-id"), configured.get("external_id")
    )
    if external_id is not None and not re.fullmatch(EXTERNAL_ID, external_id):
        raise UsageError(
            f"{external_source}: the external id must be 2 to 1224 letters, digits "
            "or the characters + = , . @ : / - _"
        )

    region, region_source = _first(
        (flags.region, "--region"),
        (environ.get("AWS_REGION"), "AWS_REGION"),
        (environ.get("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"),
        from_yaml("region"),
        configured.get("region"),
    )
    if region is not None and not re.fullmatch(REGION, region):
        raise UsageError(f"{region_source}: {region!r} is not an AWS region name, like eu-west-1")

    backup_text, backup_source = _first(
        ("true" if flags.backup else None, "--backup"), configured.get("aws_mfa_backup")
    )
    backup = backup_text is not None and yes_or_no(backup_text, backup_source)

    token, token_source = _first((flags.token, "--token"), (environ.get("MFA_TOKEN"), "MFA_TOKEN"))
    if flags.token == "":  # an empty --token is a mistake, not an absent flag
        token, token_source = "", "--token"
    if token is not None and not (token == "-" and token_source == "--token"):
        check_code(token, token_source)
    token_command, token_command_source = _first(
        (flags.token_command, "--token-command"),
        from_yaml("mfa_process"),
        configured.get("mfa_process"),
    )
    shell, shell_source = _first((flags.format, "--format"), from_yaml("shell"))

    log.debug(
        "Profile %s: long-term [%s], short-term [%s]; device %s (%s); role %s (%s); "
        "duration %s (%s); region %s (%s); code from %s",
        profile,
        long_term,
        short_term,
        device,
        device_source or "not set",
        role,
        role_source or "not set",
        duration,
        duration_source or "default",
        region,
        region_source or "global endpoint",
        token_source or token_command_source or "the terminal",
    )
    return Settings(
        profile=profile,
        credentials_file=credentials_path(flags, environ),
        config_file=config_file,
        long_term_section=long_term,
        short_term_section=short_term,
        device=device,
        duration=duration,
        role_arn=role,
        role_session_name=session_name,
        external_id=external_id,
        force=flags.force,
        min_ttl=min_ttl,
        region=region,
        token=token,
        token_source=token_source,
        token_command=token_command,
        token_command_source=token_command_source,
        backup=backup,
        shell=shell,
        shell_source=shell_source,
        lock_timeout=lock_timeout(environ),
    )


def lock_timeout(environ: Mapping[str, str]) -> float:
    """Seconds to wait for another aws-mfa's lock: ``MFA_LOCK_TIMEOUT``, else 120."""
    from aws_mfa.credentials_file import LOCK_TIMEOUT

    text = environ.get("MFA_LOCK_TIMEOUT")
    return float(whole_number(text, "MFA_LOCK_TIMEOUT")) if text else LOCK_TIMEOUT


def yes_or_no(text: str, source: str) -> bool:
    """``true``/``yes``/``on``/``1`` or ``false``/``no``/``off``/``0``, in any case."""
    answer = text.strip().lower()
    if answer in ("true", "yes", "on", "1"):
        return True
    if answer in ("false", "no", "off", "0"):
        return False
    raise UsageError(f"{source}: {text!r} is neither true nor false")


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
    if not re.fullmatch(ROLE_ARN, arn):
        raise UsageError(
            f"{source}: {arn!r} is not a role ARN; it looks like "
            "arn:aws:iam::123456789012:role/RoleName"
        )


def check_device(device: str, source: str) -> None:
    """An MFA device ARN or a hardware token's serial number, else a UsageError."""
    if device.startswith("arn:"):
        if re.fullmatch(DEVICE_ARN, device):
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
    if not re.fullmatch(DEVICE_SERIAL, device):
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
