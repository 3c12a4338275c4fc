"""What makes the AWS CLI and SDKs ignore what aws-mfa writes, found without changing anything.

aws-mfa writes keys into the credentials file, but an AWS SDK takes
credentials from the first source that has some. botocore's order for a
profile is: the environment's keys, ``role_arn``, ``web_identity_token_file``,
``sso_*``, the keys in the credentials file, ``login_session`` (``aws
login``), ``credential_process``, the keys in the config file. So the
environment hides what aws-mfa writes, and so does a config profile with
``role_arn``, ``sso_*`` or ``credential_process`` (resolved its own way);
and what aws-mfa writes hides a ``login_session`` profile of the same name.
When that is the case the user should hear it from aws-mfa, not discover it
from an AccessDenied, or from the wrong account.

Each function returns findings as sentences; callers log them as warnings.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa.aws.config_file import LOGIN_SESSION_KEY, ConfigProfile, profile_name

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath

OVERRIDING_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
"""Credentials in the environment, which the AWS CLI and SDKs use before any profile."""
HIDING_KEYS = ("role_arn", "credential_process", "sso_")
"""Keys that make the AWS CLI and SDKs ignore a profile's keys in the credentials file."""


def hiding_keys(profile: ConfigProfile | None) -> list[str]:
    """The keys of ``profile`` that would hide keys written to the credentials file."""
    if profile is None:
        return []
    return sorted(key for key in profile.values if key.startswith(HIDING_KEYS))


def environment_overrides(environ: Mapping[str, str], profile: str | None = None) -> list[str]:
    """Credentials in the environment, which SDKs use before any profile."""
    found = [name for name in OVERRIDING_VARIABLES if environ.get(name)]
    if not found:
        return []
    one = len(found) == 1
    instead = f"profile [{profile}]" if profile else "the profiles"
    return [
        f"{' and '.join(found)} {'is' if one else 'are'} set in the environment: "
        f"the AWS CLI and SDKs use {'it' if one else 'them'} instead of {instead}; "
        f"unset {'it' if one else 'them'} to use the profile"
    ]


def hidden_by_config(
    profile: ConfigProfile | None, section: str, config_file: StrPath
) -> list[str]:
    """Config keys that make SDKs ignore the keys written to ``section``."""
    keys = hiding_keys(profile)
    if not keys or profile is None:
        return []
    return [
        f"[{profile.header}] in {config_file} has {', '.join(keys)}: the AWS CLI and SDKs "
        f"then ignore the keys aws-mfa writes to [{section}]; remove "
        f"{'it' if len(keys) == 1 else 'them'} from that profile or write to another one"
    ]


def hides_login_session(
    profile: ConfigProfile | None, section: str, credentials_file: StrPath, config_file: StrPath
) -> list[str]:
    """A ``login_session`` profile (``aws login``) named like ``section``: botocore takes a
    profile's keys in the credentials file before its ``login_session``, so the keys aws-mfa
    writes to ``section`` hide the login."""
    if profile is None or LOGIN_SESSION_KEY not in profile.values:
        return []
    if profile_name(profile.header) != section:  # a bare [NAME]: botocore ignores it
        return []
    return [
        f"[{profile.header}] in {config_file} has login_session (from 'aws login'), but the AWS "
        f"CLI and SDKs take the keys in [{section}] of {credentials_file} before a "
        "login_session, so the keys aws-mfa writes there hide the login: write them to another "
        f"section (--short-term-section NAME) and remove them from [{section}], or remove "
        "login_session from that profile"
    ]
