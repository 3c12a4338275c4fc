"""What makes the AWS CLI and SDKs take credentials from elsewhere than aws-mfa means them to.

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
``exec --server`` uses the same knowledge the other way round: the variables
(:data:`CREDENTIAL_SOURCE_VARIABLES`) and config keys
(:func:`without_credentials`) its command must not see, so that its SDK asks
the endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa.aws.config_file import LOGIN_SESSION_KEY, ConfigProfile, profile_of_header
from aws_mfa.files import ini

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath

OVERRIDING_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
"""Credentials in the environment, which the AWS CLI and SDKs use before any profile."""
CREDENTIAL_SOURCE_VARIABLES = (
    # Keys in the environment, which every SDK takes before anything else; the Go SDK
    # also reads AWS_ACCESS_KEY and AWS_SECRET_KEY, and the account and scope go with them.
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCOUNT_ID",
    "AWS_CREDENTIAL_SCOPE",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    # A web identity: the SDK assumes AWS_ROLE_ARN with the token file, before any endpoint.
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    # Another container endpoint, or another token for it: a relative URI wins over the
    # full URI, and a token file over the token (botocore, the JavaScript and Go SDKs).
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    # Files of profiles and keys: the command gets private ones instead (an empty
    # credentials file, the config without credentials, an empty boto config).
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "BOTO_CONFIG",
    # The EC2 command-line tools' key file, which botocore reads before any endpoint.
    "AWS_CREDENTIAL_FILE",
    # A profile, whose keys in the credentials file win over any endpoint (kept when
    # the command's config has that profile, where it holds no credentials).
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
)
"""Environment variables that can make an SDK take credentials from anywhere but the
endpoint of ``exec --server``: its command inherits none of them (docs/outputs.md lists them)."""
CONFIG_CREDENTIAL_KEYS = (
    # Keys, as in the credentials file (and the account they belong to).
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "aws_account_id",
    # A role, assumed from another profile's credentials or from the environment's.
    "role_arn",
    "source_profile",
    "credential_source",
    # A web identity token, exchanged for a role.
    "web_identity_token_file",
    # A program that prints credentials.
    "credential_process",
    # The AWS CLI's 'aws login' session.
    "login_session",
)
"""Keys of a config-file profile that give it credentials, which SDKs take before an
endpoint's; with :data:`CONFIG_CREDENTIAL_PREFIXES`, what :func:`without_credentials` removes."""
CONFIG_CREDENTIAL_PREFIXES = ("sso_",)
"""IAM Identity Center: ``sso_session``, ``sso_account_id``, ``sso_role_name`` and the rest."""
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
    if profile_of_header(profile.header) != section:  # a bare [NAME]: botocore ignores it
        return []
    return [
        f"[{profile.header}] in {config_file} has login_session (from 'aws login'), but the AWS "
        f"CLI and SDKs take the keys in [{section}] of {credentials_file} before a "
        "login_session, so the keys aws-mfa writes there hide the login: write them to another "
        f"section (--short-term-section NAME) and remove them from [{section}], or remove "
        "login_session from that profile"
    ]


def selects_credentials(key: str) -> bool:
    """Whether config key ``key`` gives a profile credentials (:data:`CONFIG_CREDENTIAL_KEYS`)."""
    return key in CONFIG_CREDENTIAL_KEYS or key.startswith(CONFIG_CREDENTIAL_PREFIXES)


def without_credentials(
    config: ini.IniFile, given: Mapping[str, Mapping[str, str] | None] | None = None
) -> ini.IniFile:
    """``config`` with every key that gives a profile credentials removed from every section,
    but those ``given`` names by header: ``None`` keeps that section as it is, a mapping is
    set in it once the keys are removed (``credential_process``, say).

    Region, output, endpoints and every other setting stay, byte for byte
    (:func:`aws_mfa.files.section_edit.edit_section`), so a command given this
    copy keeps the user's settings and can take credentials only from
    elsewhere. Each section (with the comments and blank lines after it) is
    edited as a text of its own, so a file of thousands of profiles takes time
    in proportion to its size. Lone CR line endings (which edits refuse) become
    LF first: this is a copy.
    """
    from aws_mfa.files.section_edit import edit_section  # not on the path of a valid session

    given = given or {}
    if ini.has_lone_cr(config.text):
        config = ini.parse(config.text.replace("\r\n", "\n").replace("\r", "\n"), config.label)
    lines = config.lines()
    in_order = sorted(config.sections.values(), key=lambda section: section.header_index)
    parts = ["".join(lines[: in_order[0].header_index if in_order else len(lines)])]
    for section in in_order:
        part = "".join(lines[section.header_index : section.end_index])
        if section.name in given and given[section.name] is None:
            parts.append(part)
            continue
        remove = tuple(key for key in section.values if selects_credentials(key))
        values = given.get(section.name) or {}
        if remove or values:
            part = edit_section(ini.parse(part, config.label), section.name, values, remove)
        parts.append(part)
    return ini.parse("".join(parts), config.label)
