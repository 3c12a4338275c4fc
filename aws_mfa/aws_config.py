"""Profiles of the AWS config file (``~/.aws/config`` or ``AWS_CONFIG_FILE``), read-only.

People already keep MFA settings there::

    [profile myaccount]              <- the AWS CLI's spelling
    source_profile = myaccountPermanent
    region = eu-west-1

    [myaccountPermanent]             <- a bare header, found in the wild too
    mfa_serial = arn:aws:iam::123456789012:mfa/alice

    [default]
    region = us-east-1

Both ``[profile NAME]`` and ``[NAME]`` name profile ``NAME``; when a file has
both, ``[profile NAME]`` wins, as it does for the AWS CLI. Besides the keys the
AWS CLI knows (``mfa_serial``, ``source_profile``, ``region``,
``duration_seconds``, ``role_session_name``, ``external_id``), aws-mfa reads
its own, all starting with ``aws_mfa_`` so the AWS CLI ignores them; see
:data:`OWN_KEYS`.

This module never writes the config file (``aws-mfa config`` opens an
editor on it instead).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from aws_mfa import credentials_file, ini
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.credentials_file import StrPath

OWN_KEYS = {
    "aws_mfa_assume_role": "the role to assume, as --assume-role",
    "aws_mfa_long_term_section": "the credentials section holding the long-term keys",
    "aws_mfa_duration": "the session duration in seconds, as --duration",
    "aws_mfa_backup": "true to back up the credentials file before each write, as --backup",
}
"""aws-mfa's own per-profile settings in the config file, and what each means."""

HIDING_KEYS = ("role_arn", "credential_process", "sso_")
"""Keys that make the AWS CLI and SDKs ignore a profile's keys in the credentials file."""


def default_path(environ: Mapping[str, str]) -> str:
    """``AWS_CONFIG_FILE``, else ``~/.aws/config``."""
    return os.path.expanduser(environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def read(path: StrPath) -> ini.IniFile | None:
    """Parse the config file; None when there is none."""
    return credentials_file.read_text_file(path)


class ConfigProfile(Record):
    """One profile of the config file: its name, its header, its keys."""

    name: str
    header: str
    values: Mapping[str, str]


def profiles(config: ini.IniFile | None) -> dict[str, ConfigProfile]:
    """Every profile in ``config`` by name; ``[profile X]`` wins over ``[X]``."""
    found: dict[str, ConfigProfile] = {}
    if config is None:
        return found
    for header, section in config.sections.items():
        words = header.split(None, 1)
        if len(words) == 2 and words[0] == "profile":
            found[words[1]] = ConfigProfile(words[1], header, section.values)
        elif header not in found and header.strip() == header:
            found.setdefault(header, ConfigProfile(header, header, section.values))
    return found


def hiding_keys(profile: ConfigProfile | None) -> list[str]:
    """The keys of ``profile`` that would hide keys written to the credentials file."""
    if profile is None:
        return []
    return sorted(key for key in profile.values if key.startswith(HIDING_KEYS))
