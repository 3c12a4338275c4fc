"""Which identity a profile name means, here: the one answer every command and the endpoint use.

A name resolves to one :class:`Identity`, of one kind:

- ``session``: aws-mfa keeps an MFA session for it in its short-term section,
  bought with the long-term keys of its long-term section (with
  ``--assume-role``, 0.0.12's way, the role's credentials are written there);
- ``role``: a role profile of the AWS config (``role_arn`` with a
  ``source_profile`` aws-mfa keeps a session for): the AWS CLI and SDKs assume
  the role themselves from that MFA session, and aws-mfa assumes it from the
  same session where it hands credentials over (``export``, ``exec``,
  ``console``);
- ``keys``: the user's own plain keys in the credentials file, which aws-mfa
  neither keeps nor changes;
- ``elsewhere``: credentials the AWS tools find by themselves (IAM Identity
  Center, ``credential_process``, a web identity, ``credential_source``,
  ``aws login``), or a role whose source is one of those;
- ``unknown``: no file names it.

Example: with ``[dev-long-term]`` in the credentials file and::

    [profile prod]
    role_arn = arn:aws:iam::210987654321:role/admin
    source_profile = dev

in the config file, ``dev`` is a session, ``prod`` a role whose
:attr:`Identity.session` is dev's settings, and ``dev-long-term`` plain keys.

:func:`of_profile` answers for the profile a command runs for (it raises
what the user must fix); :func:`classify` for any other name, without
raising (``exec --server`` asks it for every profile of the config file).
What it does not do: read a file (it is given them), ask, write or call STS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_mfa.aws.config_file import ConfigProfile
from aws_mfa.aws.sections import has_long_term_keys, is_session
from aws_mfa.errors import AwsMfaError, UsageError
from aws_mfa.files import ini
from aws_mfa.records import Record
from aws_mfa.settings import checks
from aws_mfa.settings.resolve import Settings

SESSION = "session"
ROLE = "role"
KEYS = "keys"
ELSEWHERE = "elsewhere"
UNKNOWN = "unknown"

SettingsOf = Callable[[str], Settings]
"""The settings of a profile by name, resolved as the command's own are."""


class Identity(Record):
    """What one profile name means (see the module's docstring)."""

    name: str
    kind: str
    settings: Settings | None
    """``session``: the profile's settings; ``role``: the role's (its ARN, duration, session
    name and external id over the source profile's settings); else None."""
    source: Settings | None
    """``role``: the source profile's settings, whose short-term section holds the session."""
    header: str | None
    """The config file's header of the profile, where it has one."""
    mfa_serial: str | None
    """``role``: the role profile's own ``mfa_serial``, which makes the SDKs ask a code."""
    reason: str
    """Why the name means this, as a user reads it."""

    @property
    def servable(self) -> bool:
        """Whether aws-mfa can hand this identity's credentials over."""
        return self.kind in (SESSION, ROLE)

    @property
    def session(self) -> Settings:
        """The settings of the MFA session aws-mfa keeps for it (the source's, for a role)."""
        settings = self.source if self.kind == ROLE else self.settings
        if settings is None:
            raise UsageError(f"profile {self.name}: {self.reason}")
        return settings

    @property
    def role(self) -> Settings:
        """A role profile's settings (only for ``role``)."""
        if self.kind != ROLE or self.settings is None:
            raise UsageError(f"profile {self.name} is not a role profile")
        return self.settings

    @property
    def role_arn(self) -> str | None:
        return self.settings.role_arn if self.settings is not None else None

    @property
    def partition(self) -> str:
        """The AWS partition its ARNs name (``aws``, ``aws-cn``, ``aws-us-gov``...)."""
        settings = self.settings or self.source
        for arn in (settings.role_arn, settings.device) if settings else ():
            if arn and arn.startswith("arn:") and arn.count(":") >= 2:
                return arn.split(":")[1]
        return "aws"


def of_profile(
    settings: Settings, config: Mapping[str, ConfigProfile], settings_of: SettingsOf
) -> Identity:
    """The identity of the profile a command runs for, ``settings`` its resolved settings.

    A profile the AWS config makes a role (``role_arn`` with a
    ``source_profile``) is a ``role``, unless ``--assume-role`` (or its
    variable) asks for 0.0.12's way; every other profile is a ``session``.
    A role profile aws-mfa cannot serve is a UsageError saying why.
    """
    profile = config.get(settings.profile)
    role_arn = profile.role_arn if profile else None
    if profile is None or not role_arn or settings.role_arn is not None:
        return Identity(
            settings.profile,
            SESSION,
            settings,
            None,
            profile.header if profile else None,
            None,
            f"aws-mfa keeps an MFA session in [{settings.short_term_section}]",
        )
    role_arn = checks.role(role_arn, f"role_arn in [{profile.header}]")
    source = profile.values.get("source_profile")
    if not source:
        instead = "credential_source" if profile.values.get("credential_source") else "no keys"
        raise UsageError(
            f"[{profile.header}] of {settings.config_file} assumes {role_arn} with {instead}; "
            "aws-mfa serves role profiles whose source_profile holds long-term keys"
        )
    source_settings = settings_of(
        checks.valid_profile_name(source, f"source_profile in [{profile.header}]", {})
    )
    mfa_serial = profile.values.get("mfa_serial") or None
    if source_settings.device is None and mfa_serial:
        source_settings = source_settings._replace(device=mfa_serial)
    return Identity(
        settings.profile,
        ROLE,
        role_settings(settings, source_settings, role_arn),
        source_settings,
        profile.header,
        mfa_serial,
        f"a role assumed from the MFA session in [{source_settings.short_term_section}]",
    )


def role_settings(resolved: Settings, source: Settings, role_arn: str) -> Settings:
    """The source profile's settings, with the role's: its ARN, and the duration, session name
    and external id of the role profile (a role lasts an hour unless it says otherwise)."""
    duration = checks.DEFAULT_ROLE_DURATION
    label = resolved.sources.get("duration", "")
    if label:
        duration = checks.duration(str(resolved.duration), label, {"role_arn": role_arn})
    return source._replace(
        role_arn=role_arn,
        duration=duration,
        role_session_name=resolved.role_session_name or checks.default_session_name(),
        external_id=resolved.external_id,
    )


def classify(
    name: str,
    document: ini.IniFile | None,
    config: Mapping[str, ConfigProfile],
    settings_of: SettingsOf,
) -> Identity:
    """What ``name`` means, for a name no command runs for (a profile a command run by
    ``exec --server`` may name): never raises; what aws-mfa cannot serve is ``keys``,
    ``elsewhere`` or ``unknown``, with the reason."""
    profile = config.get(name)
    values = document.values(name) if document is not None else None
    header = profile.header if profile else None
    if profile is None and values is None:
        return Identity(name, UNKNOWN, None, None, None, None, "no file names it")
    try:
        settings = settings_of(name)
        identity = of_profile(settings, config, settings_of)
    except AwsMfaError as err:
        return Identity(name, ELSEWHERE, None, None, header, None, str(err))
    if manages(identity.session, document):
        return identity
    if identity.kind == SESSION and has_long_term_keys(values):
        return Identity(name, KEYS, None, None, header, None, f"plain keys in [{name}]")
    how = "its role's source profile" if identity.kind == ROLE else "it"
    return Identity(
        name, ELSEWHERE, None, None, header, None, f"aws-mfa keeps no MFA session for {how}"
    )


def manages(session: Settings, document: ini.IniFile | None) -> bool:
    """Whether aws-mfa keeps the MFA session of these settings: their long-term section holds
    long-term keys, and their short-term section is a session or not there yet."""
    if document is None or session.long_term_section == session.short_term_section:
        return False
    short_term = document.values(session.short_term_section)
    return has_long_term_keys(document.values(session.long_term_section)) and (
        short_term is None or is_session(short_term)
    )
