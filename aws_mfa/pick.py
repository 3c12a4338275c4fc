"""``aws-mfa --pick``: choose the profile from a list, on the terminal.

It lists the profiles whose long-term section exists with both keys (under
the same naming rules a login uses), each with the state of its session::

    Profiles with long-term keys:
      1) default  valid, 11h 58m left
      2) dev      expired
      3) prod     no session
    Profile [default]:

Enter takes ``default``; a name or a number takes that profile; anything else
is an error. Only ``--pick`` ever asks for a profile: without it, scripts
never block on a prompt.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aws_mfa import expiry, ini, status
from aws_mfa.aws_config import ConfigProfile
from aws_mfa.errors import UsageError
from aws_mfa.mfa import Prompter, no_terminal
from aws_mfa.profiles import has_long_term_keys, known_profiles
from aws_mfa.settings import DEFAULT_PROFILE, Flags

NO_TERMINAL = no_terminal("--pick needs to ask for the profile", "name it with --profile instead")


def describe(section: ini.IniSection | None, name: str, now: datetime, min_ttl: int) -> str:
    state = status.session_status(section, name, now, min_ttl)
    if state.state in (status.VALID, status.EXPIRING) and state.seconds_left:
        return f"{state.state}, {expiry.format_duration(state.seconds_left)} left"
    return "no session" if state.state == status.MISSING else state.state


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
    choices = [
        (profile, short_term)
        for profile, _, short_term in known_profiles(document, config, flags)
        if document is not None and not has_long_term_keys(document, short_term)
    ]
    if not choices:
        raise UsageError(
            "--pick found no profile with long-term keys; add one with 'aws-mfa --setup'"
        )
    width = max(len(name) for name, _ in choices)
    lines = ["Profiles with long-term keys:"]
    for number, (name, short_term) in enumerate(choices, 1):
        section = document.sections.get(short_term) if document else None
        lines.append(
            f"  {number}) {name.ljust(width)}  {describe(section, short_term, now, min_ttl)}"
        )
    answer = ask("\n".join(lines) + f"\nProfile [{DEFAULT_PROFILE}]: ").strip()
    if not answer:
        return DEFAULT_PROFILE
    names = [name for name, _ in choices]
    if answer.isdigit() and 1 <= int(answer) <= len(names):
        return names[int(answer) - 1]
    if answer in names:
        return answer
    raise UsageError(
        f"--pick: no profile {answer!r} with long-term keys; choose one of: {', '.join(names)}"
    )
