"""Profiles of the AWS config file (``~/.aws/config`` or ``AWS_CONFIG_FILE``), read-only.

People already keep MFA settings there::

    [profile myaccount]              <- the AWS CLI's spelling
    source_profile = myaccountPermanent
    region = eu-west-1

    [myaccountPermanent]             <- a bare header, found in the wild too
    mfa_serial = arn:aws:iam::123456789012:mfa/alice

    [default]
    region = us-east-1

Profiles are named as botocore names them:

- ``[profile NAME]`` and ``[profile "NAME"]`` (split as a shell would) name
  profile ``NAME``, and ``[default]`` names ``default``; when one profile has
  two such headers (``[default]`` and ``[profile default]``), the later one
  in the file wins, as in botocore;
- ``[DEFAULT]`` is configparser's: not a profile, but its keys are the
  defaults of every profile;
- ``[sso-session NAME]``, ``[services NAME]`` and other headers botocore
  reserves are not profiles;
- a bare ``[NAME]``, which botocore ignores, still names profile ``NAME`` for
  aws-mfa's own lookups, unless a header above names it too.

Besides the keys the
AWS CLI knows (``mfa_serial``, ``source_profile``, ``region``,
``duration_seconds``, ``role_session_name``, ``external_id``), aws-mfa reads
its own, all starting with ``aws_mfa_`` so the AWS CLI ignores them; the
settings table (:mod:`aws_mfa.settings.table`) lists them.

This module never writes the config file (``aws-mfa config`` opens an
editor on it instead).
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa.files import ini
from aws_mfa.files.read import read_ini
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath


def read(path: StrPath) -> ini.IniFile | None:
    """Parse the config file; None when there is none."""
    return read_ini(path)


class ConfigProfile(Record):
    """One profile of the config file: its name, its header, its keys."""

    name: str
    header: str
    values: Mapping[str, str]

    @property
    def role_arn(self) -> str | None:
        """The role the AWS CLI and SDKs assume for this profile (its ``role_arn``), or None:
        such a profile is a role profile, not one aws-mfa writes a session for."""
        return self.values.get("role_arn") or None


LOGIN_SESSION_KEY = "login_session"
"""The key ``aws login`` (AWS CLI v2.32+) writes to a profile: the ARN of who signed in
(see :mod:`aws_mfa.aws.login_sessions`)."""
NOT_PROFILES = ("sso-session", "services")
"""Header prefixes of the config file's sections that are not profiles (botocore's)."""
DEFAULTS_SECTION = "DEFAULT"
"""configparser's section of defaults for every other section."""


def profile_of_header(header: str) -> str | None:
    """The profile a ``[header]`` names for botocore, or None."""
    if header == "default":
        return header
    if not header.startswith("profile"):
        return None
    if any(char in header for char in "\"'\\"):
        import shlex

        try:
            words = shlex.split(header)
        except ValueError:  # an unclosed quote: botocore skips the section
            return None
    else:
        words = header.split()
    return words[1] if len(words) == 2 else None


def profiles(config: ini.IniFile | None) -> dict[str, ConfigProfile]:
    """Every profile in ``config`` by name, named as botocore names them (see above)."""
    found: dict[str, ConfigProfile] = {}
    if config is None:
        return found
    defaults = config.sections.get(DEFAULTS_SECTION)
    bare: dict[str, ConfigProfile] = {}
    order: dict[str, None] = {}  # names in the order their first header comes
    for header, section in config.sections.items():
        values: Mapping[str, str] = section.values
        if defaults is not None:
            values = {**defaults.values, **section.values}
        name = profile_of_header(header)
        if name is not None:
            found[name] = ConfigProfile(name, header, values)
            order.setdefault(name)
        elif (
            header != DEFAULTS_SECTION
            and not header.startswith(NOT_PROFILES)
            and not header.startswith("profile")
            and header.strip() == header
        ):
            bare.setdefault(header, ConfigProfile(header, header, values))
            order.setdefault(header)
    return {name: found.get(name) or bare[name] for name in order}
