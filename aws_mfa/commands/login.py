"""``aws-mfa [login]``: make the profile's short-term section valid, asking for a code only
when it must (the work is :func:`aws_mfa.session_state.ensure_valid`); ``--pick`` chooses
the profile first, and ``--setup`` adds long-term keys instead.

``export`` and ``exec`` log in with the same steps: :func:`prepare`, then :func:`log_in`.

``--pick`` lists the profiles whose long-term section exists with both keys
(under the same naming rules a login uses), each with the state of its
session::

    Profiles with long-term keys:
      1) default  valid, 11h 58m left
      2) dev      expired
      3) prod     no session
    Profile [default]:

Enter takes ``default`` (or the first profile listed when ``default`` is not
among them); a name or a number takes that profile; anything else is an
error. Only ``--pick`` ever asks for a profile: without it, scripts never
block on a prompt.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_mfa import expiry, log, session_state
from aws_mfa.aws import precedence
from aws_mfa.aws.config_file import ConfigProfile
from aws_mfa.aws.sections import has_long_term_keys, keys_to_move
from aws_mfa.cli.context import Context
from aws_mfa.clock import utc_now
from aws_mfa.errors import EXIT_OK, FileError, UsageError
from aws_mfa.files import ini
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.records import Record
from aws_mfa.settings.checks import DEFAULT_PROFILE
from aws_mfa.settings.resolve import Flags, Settings, resolve_early, section_names

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from datetime import datetime

    from aws_mfa.mfa_code import Prompter


def run(context: Context) -> int:
    if context.flags.switch("setup"):
        from aws_mfa.commands import setup

        return setup.run(context)
    resolved = prepare(context)
    plan = role_plan(context, resolved)
    if plan is None:
        log_in(context, resolved)
        return EXIT_OK
    outcome = session_state.ensure_valid(plan.source, context.credentials())
    log.info(
        "AWS_PROFILE=%s programs assume %s themselves, from the MFA session in [%s], with no "
        "code until it ends (%s)",
        resolved.profile,
        plan.role.role_arn,
        plan.source.short_term_section,
        expiry.describe_local(outcome.credentials.expiration),
    )
    return EXIT_OK


def fresh_credentials(context: Context, warn: bool = True) -> tuple[Settings, TemporaryCredentials]:
    """Pick the profile if asked, resolve its settings, and log in: the work of ``login``."""
    resolved = prepare(context, warn)
    return resolved, log_in(context, resolved)


def prepare(context: Context, warn: bool = True) -> Settings:
    """Pick the profile if asked and resolve its settings: all that needs no code.

    ``warn``: say when the environment or the config file would hide the
    written keys from the AWS CLI and SDKs (not for ``export`` and ``exec``,
    which hand the keys over themselves).
    """
    if context.flags.switch("pick"):
        choose_profile(context)
    resolved = context.settings()
    plan = role_plan(context, resolved)
    written = plan.source if plan else resolved  # the settings of the session written
    document = context.credentials()
    long_term, short_term = written.long_term_section, written.short_term_section
    if document is not None and keys_to_move(
        document.values(long_term), document.values(short_term)
    ):
        offer_to_move_keys(context, written)
        context.forget_credentials()
        resolved = context.settings()
    if plan is not None:
        warn_about_role_profile(plan)
    elif warn:
        short_term = resolved.short_term_section
        profile = context.config_profiles().get(short_term)
        warnings = precedence.environment_overrides(context.environ, short_term)
        warnings += precedence.hidden_by_config(profile, short_term, resolved.config_file)
        warnings += precedence.hides_login_session(
            profile, short_term, resolved.credentials_file, resolved.config_file
        )
        for warning in warnings:
            log.warning("%s", warning)
    return resolved


def offer_to_move_keys(context: Context, resolved: Settings) -> None:
    """The short-term section holds the long-term keys (``aws configure``'s ``[default]``):
    on a terminal, offer once to move them; with none, say which command does."""
    from aws_mfa.commands.setup import move_keys, setup_command
    from aws_mfa.mfa_code import can_prompt, terminal_prompter

    short_term, long_term = resolved.short_term_section, resolved.long_term_section
    if not can_prompt(terminal_prompter):
        command = setup_command(resolved.profile)
        raise FileError(
            f"{resolved.credentials_file}: [{short_term}] holds long-term keys, where aws-mfa "
            f"writes its sessions; move them to [{long_term}] with '{command}' in a terminal "
            "(it asks first, and changes nothing else)"
        )
    move_keys(
        resolved.credentials_file,
        resolved.profile,
        short_term,
        long_term,
        ask=terminal_prompter,
        lock_timeout=resolved.lock_timeout,
        backup=resolved.backup,
    )


def log_in(context: Context, resolved: Settings) -> TemporaryCredentials:
    """Make the short-term section valid (see :func:`aws_mfa.session_state.ensure_valid`);
    its credentials. For a role profile: its source profile's session made valid, and
    the role assumed from the MFA session (see :func:`role_plan`)."""
    plan = role_plan(context, resolved)
    if plan is None:
        return session_state.ensure_valid(resolved, context.credentials()).credentials
    session_state.ensure_valid(plan.source, context.credentials())
    context.forget_credentials()  # just renewed, maybe
    from aws_mfa.renewal import role_credentials

    return role_credentials(plan.role, context.credentials())


class RolePlan(Record):
    """A role profile of the AWS config, as aws-mfa serves it: the source profile's MFA
    session kept valid in its own section, and the role's settings."""

    header: str
    source: Settings
    role: Settings
    mfa_serial: str | None


def role_plan(context: Context, resolved: Settings) -> RolePlan | None:
    """The plan for a profile the AWS config makes a role (``role_arn`` with a
    ``source_profile``), unless ``--assume-role`` (or its variable) asks for 0.0.12's way.

    The AWS CLI and SDKs assume such a role themselves, before they read keys
    in the credentials file, signed with the source profile's credentials. So
    aws-mfa keeps the source profile's section holding a valid MFA session
    (from its long-term keys), from which they assume the role with no code,
    and writes nothing under the role profile's name (docs/roles.md).
    """
    profile = context.config_profiles().get(resolved.profile)
    role_arn = profile.values.get("role_arn") if profile else None
    if profile is None or not role_arn or resolved.role_arn is not None:
        return None
    from aws_mfa.settings import checks

    role_arn = checks.role(role_arn, f"role_arn in [{profile.header}]")
    source = profile.values.get("source_profile")
    if not source:
        instead = "credential_source" if profile.values.get("credential_source") else "no keys"
        raise UsageError(
            f"[{profile.header}] of {resolved.config_file} assumes {role_arn} with {instead}; "
            "aws-mfa serves role profiles whose source_profile holds long-term keys"
        )
    source_settings = context.settings_of(
        checks.valid_profile_name(source, f"source_profile in [{profile.header}]", {})
    )
    mfa_serial = profile.values.get("mfa_serial") or None
    if source_settings.device is None and mfa_serial:
        source_settings = source_settings._replace(device=mfa_serial)
    return RolePlan(
        profile.header,
        source_settings,
        role_settings(resolved, source_settings, role_arn),
        mfa_serial,
    )


def role_settings(resolved: Settings, source: Settings, role_arn: str) -> Settings:
    """The source profile's settings, with the role's: its ARN, and the duration, session name
    and external id of the role profile (a role lasts an hour unless it says otherwise)."""
    from aws_mfa.settings import checks

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


def warn_about_role_profile(plan: RolePlan) -> None:
    """An ``mfa_serial`` in the role profile makes the AWS CLI and SDKs ask for a code for the
    role themselves, every time: say so, with the fix."""
    if plan.mfa_serial:
        log.warning(
            "[%s] has mfa_serial: the AWS CLI and SDKs then ask for an MFA code to assume %s "
            "themselves, every time; remove it there (aws-mfa finds the device in [%s] or "
            "aws_mfa_device) so that they assume it from the MFA session in [%s], with no code",
            plan.header,
            plan.role.role_arn,
            plan.source.long_term_section,
            plan.source.short_term_section,
        )


def choose_profile(context: Context) -> None:
    """``--pick``: choose the profile from the files alone, then let the settings follow it."""
    from aws_mfa.mfa_code import no_terminal, terminal_prompter

    cannot = no_terminal("--pick needs to ask for the profile", "name it with --profile instead")
    choice = pick(
        context.credentials(),
        context.config_profiles(),
        context.flags,
        now=utc_now(),
        min_ttl=resolve_early("min_ttl", context.flags, context.environ),
        ask=lambda prompt: terminal_prompter(prompt, cannot),
    )
    context.flags = context.flags.replace(profile=choice)


def nothing_to_pick(
    document: ini.IniFile | None, config: Mapping[str, ConfigProfile], flags: Flags
) -> UsageError:
    """The error of a ``--pick`` with no profile to offer, naming keys that could be moved."""
    long_term, short_term = section_names(DEFAULT_PROFILE, flags, config)
    if document is not None and keys_to_move(
        document.values(long_term), document.values(short_term)
    ):
        return UsageError(
            f"--pick found no profile aws-mfa can use yet: [{short_term}] holds long-term "
            f"keys, which aws-mfa keeps in [{long_term}]; move them with 'aws-mfa --setup' "
            "(it asks first)"
        )
    return UsageError("--pick found no profile with long-term keys; add one with 'aws-mfa --setup'")


def describe_session(section: ini.IniSection | None, name: str, now: datetime, min_ttl: int) -> str:
    state = session_state.session_status(section, name, now, min_ttl)
    if state.state in (session_state.VALID, session_state.EXPIRING) and state.seconds_left:
        return f"{state.state}, {expiry.format_duration(state.seconds_left)} left"
    return "no session" if state.state == session_state.MISSING else state.state


def pick(
    document: ini.IniFile | None,
    config: Mapping[str, ConfigProfile],
    flags: Flags,
    *,
    now: datetime,
    min_ttl: int,
    ask: Prompter,
) -> str:
    """Show the profiles and return the one chosen."""
    from aws_mfa.profiles import known_profiles

    choices = [
        (profile, short_term)
        for profile, _, short_term in known_profiles(document, config, flags)
        if document is not None and not has_long_term_keys(document.values(short_term))
    ]
    if not choices:
        raise nothing_to_pick(document, config, flags)
    width = max(len(name) for name, _ in choices)
    lines = ["Profiles with long-term keys:"]
    for number, (name, short_term) in enumerate(choices, 1):
        section = document.sections.get(short_term) if document else None
        state = describe_session(section, short_term, now, min_ttl)
        lines.append(f"  {number}) {name.ljust(width)}  {state}")
    names = [name for name, _ in choices]
    offered = DEFAULT_PROFILE if DEFAULT_PROFILE in names else names[0]  # one of the list
    answer = ask("\n".join(lines) + f"\nProfile [{offered}]: ").strip()
    if not answer:
        return offered
    if answer.isdigit() and 1 <= int(answer) <= len(names):
        return names[int(answer) - 1]
    if answer in names:
        return answer
    raise UsageError(
        f"--pick: no profile {answer!r} with long-term keys; choose one of: {', '.join(names)}"
    )
