"""What every command that hands credentials over does first, and then: the profile chosen
(``--pick``), what it means (:func:`aws_mfa.identity.of_profile`, asked once), keys that
``aws configure`` left in the short-term section moved, the warnings, and the credentials.

``login``, ``export``, ``exec`` and ``console`` go through :func:`prepare`,
which asks for nothing but the profile (``--pick``) and the move of the keys,
and returns the :class:`~aws_mfa.identity.Identity`; :func:`credentials`
gives its credentials (:func:`aws_mfa.sessions.keep.credentials_of`), asking
for a code only when it must.

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

from aws_mfa import expiry, identity, log
from aws_mfa.aws import precedence
from aws_mfa.aws.config_file import ConfigProfile
from aws_mfa.aws.sections import has_long_term_keys, keys_to_move
from aws_mfa.cli.context import Context
from aws_mfa.clock import utc_now
from aws_mfa.errors import FileError, UsageError
from aws_mfa.files import ini
from aws_mfa.identity import Identity
from aws_mfa.keys import LongTermKeys, TemporaryCredentials
from aws_mfa.sessions import session_state
from aws_mfa.settings.checks import DEFAULT_PROFILE
from aws_mfa.settings.resolve import (
    Flags,
    Settings,
    chosen_profile,
    resolve_early,
    section_names,
)

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from aws_mfa.codes.mfa_code import Prompter
    from aws_mfa.sessions.handouts import Trail


def prepare(context: Context, warn: bool = True) -> Identity:
    """Pick the profile if asked, and say what it means: all that needs no code.

    ``warn``: say when the environment or the config file would hide the
    written keys from the AWS CLI and SDKs (not for ``export`` and ``exec``,
    which hand the keys over themselves).
    """
    if context.flags.switch("pick"):
        choose_profile(context)
    found = context.identity()
    written = found.session  # the settings of the session written
    document = context.credentials()
    long_term, short_term = written.long_term_section, written.short_term_section
    if document is not None and keys_to_move(
        document.values(long_term), document.values(short_term)
    ):
        offer_to_move_keys(context, written)
        context.forget_credentials()
        found = context.identity()
        if found.session.device is None:  # aws configure leaves none: ask for it now
            from aws_mfa.codes.mfa_code import terminal_prompter
            from aws_mfa.commands.setup import add_device

            session = found.session
            add_device(session.credentials_file, long_term, terminal_prompter)
            context.forget_credentials()
            found = context.identity()
    if found.kind == identity.ROLE:
        warn_about_role_profile(found)
        warn_about_region(context, found)
    elif warn:
        resolved = found.session
        short_term = resolved.short_term_section
        profile = context.config_profiles().get(short_term)
        warnings = precedence.environment_overrides(context.environ, short_term)
        warnings += precedence.hidden_by_config(profile, short_term, resolved.config_file)
        warnings += precedence.hides_login_session(
            profile, short_term, resolved.credentials_file, resolved.config_file
        )
        for warning in warnings:
            log.warning("%s", warning)
    return found


def credentials(
    context: Context, found: Identity, while_valid: bool = False
) -> TemporaryCredentials:
    """The credentials of ``found`` (see :func:`aws_mfa.sessions.keep.credentials_of`),
    asking for a code only when the session must be renewed (``while_valid``: and can be);
    first, whether their hand-out can be logged (:func:`record_hand_out`).

    For an agent, or with a session policy, the hand-out :func:`aws_mfa.agents.plan`
    decides (kept as ``context.plan`` for what reports it), approved first where it must be.
    """
    from aws_mfa.sessions.handouts import check

    check(trail(context))

    def read() -> ini.IniFile | None:
        context.forget_credentials()  # a renewal may have changed it
        return context.credentials()

    chosen = context.agent_plan(found)
    if chosen is None:
        from aws_mfa.sessions.keep import credentials_of

        return credentials_of(found, read, while_valid=while_valid, command=context.command)
    from aws_mfa.agents import hand_out

    return hand_out(chosen, read, while_valid=while_valid, command=context.command)


def trail(context: Context) -> Trail:
    """This run's audit log (:mod:`aws_mfa.sessions.handouts`), as the profile's settings
    say (``aws_mfa_audit``)."""
    from aws_mfa.sessions.handouts import of_settings

    return of_settings(context.settings())


def record_hand_out(
    context: Context,
    found: Identity | None,
    creds: TemporaryCredentials | LongTermKeys,
    to: str,
    *,
    agent: str | None = None,
    session_policy_arns: Sequence[str] = (),
) -> None:
    """Log that ``creds`` of ``found`` (None: the profile named, as it is in the file) go
    ``to`` somewhere, right before they do; a FileError (nothing is handed out) when the line
    cannot be written. ``agent`` and ``session_policy_arns``: whom they are for, and how
    they were scoped; by default, what the agent's plan says (``context.plan``,
    :func:`aws_mfa.agents.plan`)."""
    from aws_mfa.sessions.handouts import Handout

    if context.plan is not None:
        agent = agent or context.plan.agent_name
        session_policy_arns = session_policy_arns or context.plan.policy_arns
    profile = found.name if found is not None else chosen_profile(context.flags, context.environ)
    role_arn = found.role_arn if found is not None else None
    handout = Handout(
        context.command, profile, to, role_arn, creds, agent, tuple(session_policy_arns)
    )
    trail(context).record(handout)


def offer_to_move_keys(context: Context, resolved: Settings) -> None:
    """The short-term section holds the long-term keys (``aws configure``'s ``[default]``):
    on a terminal, offer to move them (and then ask for the MFA device when nothing names
    it); with none, say which command does."""
    from aws_mfa.codes.mfa_code import can_prompt, terminal_prompter
    from aws_mfa.profiles import move_keys, setup_command

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


REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


def warn_about_region(context: Context, found: Identity) -> None:
    """A role profile with no region (as AWS's own examples write it), where the environment
    names none either: the AWS CLI then stops with "You must specify a region"; say so now."""
    profile = context.config_profiles().get(found.name)
    if profile is None or profile.values.get("region"):
        return
    if any(context.environ.get(name) for name in REGION_VARIABLES):
        return
    source = context.config_profiles().get(found.session.profile)
    suggested = (source.values.get("region") if source else None) or "us-east-1"
    log.warning(
        "[%s] has no region, and neither AWS_REGION nor AWS_DEFAULT_REGION is set: the AWS "
        "CLI and SDKs will stop with \"You must specify a region\"; add 'region = %s' (or "
        "yours) to [%s] of %s",
        profile.header,
        suggested,
        profile.header,
        context.config_path,
    )


def warn_about_role_profile(found: Identity) -> None:
    """An ``mfa_serial`` in the role profile makes the AWS CLI and SDKs ask for a code for the
    role themselves, every time: say so, with the fix."""
    if found.mfa_serial:
        log.warning(
            "[%s] has mfa_serial: the AWS CLI and SDKs then ask for an MFA code to assume %s "
            "themselves, every time; remove it there (aws-mfa finds the device in [%s] or "
            "aws_mfa_device) so that they assume it from the MFA session in [%s], with no code",
            found.header,
            found.role_arn,
            found.session.long_term_section,
            found.session.short_term_section,
        )


def choose_profile(context: Context) -> None:
    """``--pick``: choose the profile from the files alone, then let the settings follow it."""
    from aws_mfa.codes.mfa_code import no_terminal, terminal_prompter

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
