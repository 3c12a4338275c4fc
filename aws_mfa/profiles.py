"""Which profiles the files hold: those with long-term keys, found by a login's naming rules
(what long-term keys are is :func:`aws_mfa.aws.sections.has_long_term_keys`); and the move
of long-term keys out of a short-term section (the ``[default]`` of ``aws configure``).

``--pick``, ``doctor`` and completion list profiles this way, reading only
what they are given (the parsed credentials file and the config profiles).
:func:`move_keys` (``--setup``, and a login that finds keys to move) is the
one function here that writes. Nothing here decides about renewing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from aws_mfa import log
from aws_mfa.aws.config_file import ConfigProfile
from aws_mfa.aws.sections import LOCATION_KEY, SECRET_KEY, has_long_term_keys, keys_to_move
from aws_mfa.errors import UsageError
from aws_mfa.files import ini
from aws_mfa.settings.checks import DEFAULT_LONG_TERM_SUFFIX, DEFAULT_PROFILE, LOCK_TIMEOUT
from aws_mfa.settings.resolve import Flags, section_names
from aws_mfa.settings.table import SETTINGS

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath


def long_term_sections(document: ini.IniFile | None) -> list[str]:
    """Every section of the file with long-term keys, in file order."""
    if document is None:
        return []
    return [
        name for name, section in document.sections.items() if has_long_term_keys(section.values)
    ]


def known_profiles(
    document: ini.IniFile | None, config: Mapping[str, ConfigProfile], flags: Flags
) -> list[tuple[str, str, str]]:
    """(profile, long-term section, short-term section) of every profile with long-term keys.

    Candidates are the names of every credentials section and config profile,
    with the long-term suffix removed where they have it; each is kept when
    the naming rules of a login lead it to a section with long-term keys. A role
    profile of the config (``role_arn``) is not one, unless ``--assume-role`` makes
    every profile 0.0.12's kind (see :mod:`aws_mfa.identity`).
    """
    if document is None:
        return []
    suffix = "-" + (flags.value("long_term_suffix") or DEFAULT_LONG_TERM_SUFFIX)
    candidates = [DEFAULT_PROFILE]
    for name in [*document.sections, *config]:
        candidates += [name, name[: -len(suffix)] if name.endswith(suffix) else name]
    found: dict[str, tuple[str, str]] = {}
    for profile in candidates:
        if profile in found or not profile:
            continue
        role = config.get(profile)
        if role is not None and role.role_arn and not flags.value("assume_role"):
            continue
        try:
            long_term, short_term = section_names(profile, flags, config)
        except UsageError:
            continue
        if has_long_term_keys(document.values(long_term)):
            found[profile] = (long_term, short_term)
    ordered = sorted(found.items(), key=lambda item: (item[0] != DEFAULT_PROFILE, item[0]))
    return [(profile, long_term, short_term) for profile, (long_term, short_term) in ordered]


MOVED_KEYS = (
    "aws_access_key_id",
    SECRET_KEY,
    LOCATION_KEY,
    *(option.long_term for option in SETTINGS if option.long_term),
)
"""What moves to the long-term section: the key pair (or where its secret is kept) and the
settings aws-mfa reads there (``aws_mfa_device``...). The rest, ``region`` say, stays."""


Ask = Callable[[str], str]
"""Asks a question on the terminal; the answer."""


def movable(document: ini.IniFile | None, long_term: str, short_term: str) -> bool:
    """Whether the file has long-term keys to move (see
    :func:`aws_mfa.aws.sections.keys_to_move`)."""
    if document is None:
        return False
    return keys_to_move(document.values(long_term), document.values(short_term))


def move_keys(
    path: StrPath,
    profile: str,
    short_term: str,
    long_term: str,
    *,
    ask: Ask,
    lock_timeout: float = LOCK_TIMEOUT,
    backup: bool = False,
) -> None:
    """Move the long-term keys of ``short_term`` to ``long_term`` once ``ask`` says yes.

    Says what will change first; a no changes nothing. The move is one
    locked, atomic edit, checked with botocore's reader, like every write.
    """
    from aws_mfa.files import credentials_file  # writing: not on the path of a valid session
    from aws_mfa.files.lock import locked

    shown = os.fspath(path)
    with locked(path, lock_timeout):
        document = credentials_file.read_for_edit(path, None)
        if not movable(document, long_term, short_term):
            return  # another run moved them meanwhile
        question = (
            f"[{short_term}] in {shown} holds your long-term keys, where aws-mfa writes its "
            f"sessions. aws-mfa keeps them in [{long_term}] instead: it moves "
            f"{', '.join(moving(document, short_term))} there, leaves everything else as it "
            f"is, and writes the session to [{short_term}], which the AWS CLI and SDKs keep "
            "using. Move them now? [Y/n]: "
        )
        if ask(question).strip().lower() not in ("", "y", "yes"):
            raise UsageError(
                f"the keys stay in [{short_term}], where aws-mfa will not write a session; "
                f"nothing was changed (to move them later: {setup_command(profile)})"
            )
        change = credentials_file.move_keys(short_term, long_term, MOVED_KEYS)
        credentials_file.save_edit(path, document, [short_term, long_term], change, backup=backup)
    log.info("Moved the long-term keys of [%s] to [%s] of %s", short_term, long_term, shown)


def login_command(profile: str) -> str:
    """The command that logs ``profile`` in, as messages give it, ready to paste: ``aws-mfa``
    for the default profile, ``aws-mfa -p NAME`` for any other."""
    import shlex

    return "aws-mfa" if profile == DEFAULT_PROFILE else f"aws-mfa -p {shlex.quote(profile)}"


def setup_command(profile: str) -> str:
    """The command that moves the keys of ``profile``, as messages give it."""
    import shlex

    return f"aws-mfa -p {shlex.quote(profile)} --setup"


def moving(document: ini.IniFile | None, short_term: str) -> list[str]:
    """The keys of ``short_term`` that :func:`move_keys` moves, as the file names them."""
    values = (document.values(short_term) if document else None) or {}
    return [key for key in values if key in MOVED_KEYS]
