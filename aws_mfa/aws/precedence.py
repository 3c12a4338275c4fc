"""What makes the AWS CLI and SDKs ignore what aws-mfa writes, found without changing anything.

aws-mfa writes keys into the credentials file, but an AWS SDK takes
credentials from the first source that has some: environment variables come
before the file, and a config profile with ``role_arn``, ``sso_*`` or
``credential_process`` is resolved its own way. When that is the case the
user should hear it from aws-mfa, not discover it from an AccessDenied.

Each function returns findings as sentences; callers log them as warnings.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa.aws.config_file import ConfigProfile

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
