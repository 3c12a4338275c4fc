"""Resolve what a run should do into one frozen :class:`Settings`.

Each setting of :mod:`aws_mfa.settings.table` is taken from the first place that
has it, in aws-mfa 0.0.12's order extended with the YAML profiles and the
AWS config file: the command line, then the environment, then the YAML
profile, then keys in the long-term section of the credentials file, then
the config file (the short-term profile, then the one ``--profile`` names,
then the long-term one), then the default. Each value remembers where it
came from, so an error names the flag, variable or key to fix::

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

The settings' own checks (:mod:`aws_mfa.settings.checks`) run here, before any
prompt or STS call; what needs the files' content (are there keys?) is
checked by the command. This module reads no file and makes no network call:
the caller passes in what was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from aws_mfa import log
from aws_mfa.aws.config_file import ConfigProfile, profiles
from aws_mfa.errors import UsageError
from aws_mfa.files.ini import IniFile
from aws_mfa.records import Record
from aws_mfa.settings.checks import (
    AGENT_NAME,
    DEFAULT_LONG_TERM_SUFFIX,
    DEFAULT_PROFILE,
    section_name,
)
from aws_mfa.settings.table import BY_NAME, MARKERS, SETTINGS, SWITCH, UNNAMED_AGENT, Option
from aws_mfa.settings.yaml_profiles import default_path as yaml_path
from aws_mfa.settings.yaml_profiles import device as yaml_device

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any

__all__ = ["DEFAULT_LONG_TERM_SUFFIX", "DEFAULT_PROFILE", "Flags", "Settings", "resolve"]


class Flags:
    """What the command line said: the parsed options, by name (see
    :mod:`aws_mfa.settings.table`)."""

    __slots__ = ("values",)

    def __init__(self, values: Mapping[str, object] | None = None, **given: object) -> None:
        self.values = {**(values or {}), **given}

    def value(self, name: str) -> str | None:
        """The text given for option ``name``; None when it was not given."""
        value = self.values.get(name)
        return value if isinstance(value, str) else None

    def switch(self, name: str) -> bool:
        """Whether the switch ``name`` was given."""
        return self.values.get(name) is True

    def replace(self, **changes: object) -> Flags:
        return Flags(self.values, **changes)


class Settings(Record):
    """Everything a run needs to know, checked; ``sources`` says where each value came from."""

    profile: str
    credentials_file: str
    config_file: str
    long_term_section: str
    short_term_section: str
    device: str | None
    token: str | None
    role_arn: str | None
    duration: int
    role_session_name: str
    external_id: str | None
    force: bool
    min_ttl: int
    region: str | None
    token_command: str | None
    prompt: str
    prompt_timeout: int
    ykman_account: str | None
    backup: bool
    lock_timeout: float
    sts_timeout: float
    secret_timeout: int
    """Seconds the password manager's command may take (:mod:`aws_mfa.secret_command`)."""
    keyring_backend: str | None
    """The keyring backend chosen (``aws_mfa_keyring_backend``, ``PYTHON_KEYRING_BACKEND``)."""
    mfa_session_duration: int
    session_cache: bool
    audit: bool
    """Log every hand-out of credentials (:mod:`aws_mfa.sessions.handouts`)."""
    key_max_age: int
    """Days after which ``doctor`` reports a long-term key as due for rotation."""
    format: str | None
    """The export format asked for (``--format``, ``shell`` in the YAML); ``export``
    checks it before it logs in."""
    console_browser: str | None
    federation_policy: str | None
    federation_name: str | None
    """``console``'s own (docs/console.md); checked by that command, as ``format`` is."""
    agent: str | None
    session_policy: str | None
    agent_guard: bool
    agent_policy_arns: tuple[str, ...] | None
    agent_policy: str | None
    agent_approval: str
    source_identity: str | None
    agent_tags: bool
    """Agents' (docs/agents.md): decided once by :mod:`aws_mfa.agents`."""
    sources: Mapping[str, str]

    @property
    def token_source(self) -> str:
        return self.sources.get("token", "")

    @property
    def token_command_source(self) -> str:
        return self.sources.get("token_command", "")


Candidate = tuple["str | None", str]
"""A value (None when absent) and where it came from, for error messages."""


class Sources:
    """Where values come from, each able to say so: the flags, the environment, the files."""

    def __init__(
        self,
        flags: Flags,
        environ: Mapping[str, str],
        profile: str = "",
        entry: Mapping[str, str] | None = None,
        stored: Mapping[str, str] | None = None,
        long_term: str = "",
        configured: list[ConfigProfile] | None = None,
    ) -> None:
        self.flags, self.environ, self.profile = flags, environ, profile
        self.entry = dict(entry or {})
        if entry is not None:
            self.entry["device"] = yaml_device(entry) or ""
        self.stored, self.long_term = stored or {}, long_term
        self.configured = configured or []

    @property
    def config_file(self) -> str:
        """The AWS config file, as messages name it."""
        path: str = resolve_early("config_file", self.flags, self.environ)
        return path

    def candidates(self, option: Option) -> Iterator[Candidate]:
        """Where ``option`` may be set, in order of precedence."""
        if option.kind == SWITCH:
            yield (option.switched if self.flags.switch(option.name) else None), option.label
        else:
            yield self.flags.value(option.name), option.label
        for name in option.env:
            yield self.environ.get(name), name
        if option.yaml:
            where = yaml_path(self.environ)
            yield self.entry.get(option.yaml), f"{option.yaml} of {self.profile!r} in {where}"
        if option.long_term:
            yield self.stored.get(option.long_term), f"{option.long_term} in [{self.long_term}]"
        for key in option.config:
            for found in self.configured:
                label = f"{key} in [{found.header}] of {self.config_file}"
                yield found.values.get(key), label


def first(candidates: Iterator[Candidate]) -> Candidate:
    """The first candidate whose value is set; empty strings count as unset."""
    for value, source in candidates:
        if value is not None and value != "":
            return value, source
    return None, ""


def resolve_option(
    option: Option, sources: Sources, resolved: Mapping[str, Any]
) -> tuple[Any, str]:
    """The value of ``option`` and where it came from ("" for the default)."""
    text: str | None
    if option.empty_flag_counts and sources.flags.value(option.name) == "":
        text, source = "", option.label  # an empty flag is a mistake, not an absent one
    else:
        text, source = first(sources.candidates(option))
    if text is None:
        return (option.default(resolved) if option.default else None), ""
    return (option.check(text, source, resolved) if option.check else text), source


def resolve_early(name: str, flags: Flags, environ: Mapping[str, str]) -> Any:
    """A setting that only flags and the environment set, before any file is read."""
    return resolve_option(BY_NAME[name], Sources(flags, environ), {})[0]


def chosen_profile(flags: Flags, environ: Mapping[str, str]) -> str:
    """``--profile``, else ``AWS_DEFAULT_PROFILE`` or ``AWS_PROFILE`` (botocore's order)."""
    named = environ.get("AWS_DEFAULT_PROFILE"), environ.get("AWS_PROFILE")
    if flags.value("profile") is None and all(named) and named[0] != named[1]:
        log.warning(
            "AWS_DEFAULT_PROFILE (%r) and AWS_PROFILE (%r) differ; using AWS_DEFAULT_PROFILE, "
            "as boto3 and the AWS CLI v1 do, while the AWS CLI v2 and the JavaScript and Go "
            "SDKs read AWS_PROFILE: set both to the same profile",
            *named,
        )
    profile: str = resolve_early("profile", flags, environ)
    return profile


def short_term_name(profile: str, flags: Flags, entry: Mapping[str, str]) -> str:
    """The short-term section: ``--short-term-section``, the suffix, the YAML, or PROFILE."""
    section, suffix = flags.value("short_term_section"), flags.value("short_term_suffix")
    if section:
        return section_name(section, "--short-term-section")
    if suffix and suffix.lower() != "none":
        return section_name(f"{profile}-{suffix}", "--short-term-suffix")
    if entry.get("short_term_profile"):
        return section_name(entry["short_term_profile"], f"short_term_profile of {profile!r}")
    return profile


def long_term_name(
    profile: str, flags: Flags, short_config: ConfigProfile | None, entry: Mapping[str, str]
) -> tuple[str, bool]:
    """The long-term section, and whether the YAML entry named it.

    ``--long-term-section``, the suffix (0.0.12's rules), the YAML entry's
    ``aws_profile``, ``aws_mfa_long_term_section`` or ``source_profile`` in
    the short-term profile's config, else ``PROFILE-long-term``.
    """
    section, suffix = flags.value("long_term_section"), flags.value("long_term_suffix")
    if section:
        return section_name(section, "--long-term-section"), False
    if suffix is not None:
        if suffix.lower() == "none":
            return profile, False
        return section_name(f"{profile}-{suffix}", "--long-term-suffix"), False
    if entry.get("aws_profile"):
        return section_name(entry["aws_profile"], f"aws_profile of {profile!r}"), True
    for key in ("aws_mfa_long_term_section", "source_profile"):
        value = short_config.values.get(key) if short_config else None
        if value and short_config:
            return section_name(value, f"{key} in [{short_config.header}]"), False
    return f"{profile}-{DEFAULT_LONG_TERM_SUFFIX}", False


def section_names(
    profile: str,
    flags: Flags,
    config: Mapping[str, ConfigProfile] | None = None,
    entry: Mapping[str, str] | None = None,
    writes_session: bool = True,
) -> tuple[str, str]:
    """The long-term and short-term section names; they must differ when a session is written
    (``keychain`` writes none: it edits the long-term section alone)."""
    entry = entry or {}
    short_term = short_term_name(profile, flags, entry)
    long_term, from_yaml = long_term_name(profile, flags, (config or {}).get(short_term), entry)
    if long_term != short_term or not writes_session:
        return long_term, short_term
    if from_yaml:
        raise UsageError(
            f"the YAML profile {profile!r} would write its session over its long-term "
            f"keys in [{long_term}]; set short_term_profile in that entry to another name"
        )
    raise UsageError(
        f"the long-term and short-term sections would both be [{long_term}]; "
        "give --long-term-suffix and --short-term-suffix (or --long-term-section "
        "and --short-term-section) different values"
    )


def resolve(
    flags: Flags,
    environ: Mapping[str, str],
    credentials: IniFile | None,
    config: IniFile | None = None,
    yaml_entries: Mapping[str, Mapping[str, str]] | None = None,
    writes_session: bool = True,
) -> Settings:
    """Combine ``flags``, ``environ`` and the files into checked Settings.

    ``yaml_entries`` are the profiles of ``~/.aws/aws-mfa.yaml``, inheritance
    resolved (None when there is no such file); ``writes_session`` is False
    for a command that never writes the short-term section.
    """
    profile = chosen_profile(flags, environ)
    config_profiles = profiles(config)
    entry = (yaml_entries or {}).get(profile)
    long_term, short_term = section_names(profile, flags, config_profiles, entry, writes_session)
    names = dict.fromkeys((short_term, profile, long_term))
    sources = Sources(
        flags,
        environ,
        profile,
        entry,
        stored=(credentials.values(long_term) if credentials else None),
        long_term=long_term,
        configured=[config_profiles[name] for name in names if name in config_profiles],
    )
    resolved: dict[str, Any] = {
        "profile": profile,
        "long_term_section": long_term,
        "short_term_section": short_term,
    }
    labels: dict[str, str] = {}
    for option in SETTINGS:
        if option.key not in resolved:
            resolved[option.key], labels[option.key] = resolve_option(option, sources, resolved)
    if resolved["agent"] is None and resolved["agent_guard"]:
        resolved["agent"], labels["agent"] = detected(environ)
    check_together(resolved, labels)
    if log.enabled("DEBUG"):
        log.debug("Profile %r: %s", profile, describe(resolved, labels))
    return Settings(**resolved, sources=labels)


def detected(environ: Mapping[str, str]) -> Candidate:
    """The agent whose marker (:data:`aws_mfa.settings.table.MARKERS`) ``environ`` holds, and
    the marker as messages name it (``CLAUDECODE=1``); (None, "") when there is none."""
    for marker in MARKERS:
        value = environ.get(marker.variable, "")
        if value and (not marker.value or value == marker.value):
            name = marker.agent or value
            if not re.fullmatch(AGENT_NAME, name):
                name = UNNAMED_AGENT
            return name, f"{marker.variable}={value if marker.value else '...'}"
    return None, ""


def check_together(resolved: Mapping[str, Any], labels: Mapping[str, str]) -> None:
    """Checks of one setting against another."""
    min_ttl, duration = (
        resolved["min_ttl"],
        min(resolved["duration"], resolved["mfa_session_duration"]),
    )
    if min_ttl >= duration:
        raise UsageError(
            f"{labels.get('min_ttl') or 'the renewal margin'} ({min_ttl} seconds) must be "
            f"shorter than the session duration ({duration} seconds), or every run would renew"
        )


SHOWN = ("long_term_section", "short_term_section", "device", "role_arn", "duration", "region")
"""The settings the DEBUG log shows, with where each came from (never the code)."""


def describe(resolved: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    parts = [f"{key} {resolved[key]!r} ({labels.get(key) or 'default'})" for key in SHOWN]
    asked = f"--prompt {resolved['prompt']} ({labels.get('prompt') or 'default'})"
    token_from = labels.get("token") or labels.get("token_command") or asked
    return "; ".join([*parts, f"code from {token_from}"])
