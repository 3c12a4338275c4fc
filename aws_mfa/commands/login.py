"""``aws-mfa [login]``: make the profile's short-term section valid, asking for a code only
when it must (the work is :func:`aws_mfa.login.login`); ``--pick`` chooses the profile
first, and ``--setup`` adds long-term keys instead."""

from __future__ import annotations

from aws_mfa import checks, log
from aws_mfa.clock import utc_now
from aws_mfa.context import Context
from aws_mfa.errors import EXIT_OK
from aws_mfa.keys import TemporaryCredentials
from aws_mfa.settings import Settings, resolve_early


def run(context: Context) -> int:
    if context.flags.switch("setup"):
        from aws_mfa.commands import setup

        return setup.run(context)
    fresh_credentials(context)
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
    if warn:
        short_term = resolved.short_term_section
        warnings = checks.environment_overrides(context.environ, short_term)
        warnings += checks.hidden_by_config(
            context.config_profiles().get(short_term), short_term, resolved.config_file
        )
        for warning in warnings:
            log.warning("%s", warning)
    return resolved


def log_in(context: Context, resolved: Settings) -> TemporaryCredentials:
    """Make the short-term section valid (see :func:`aws_mfa.login.login`); its credentials."""
    from aws_mfa.login import login

    return login(resolved, context.credentials()).credentials


def choose_profile(context: Context) -> None:
    """``--pick``: choose the profile from the files alone, then let the settings follow it."""
    from aws_mfa.mfa import terminal_prompter
    from aws_mfa.pick import NO_TERMINAL, pick

    choice = pick(
        context.credentials(),
        context.config_profiles(),
        context.flags,
        now=utc_now(),
        min_ttl=resolve_early("min_ttl", context.flags, context.environ),
        ask=lambda prompt: terminal_prompter(prompt, NO_TERMINAL),
    )
    context.flags = context.flags.replace(profile=choice)
