"""``aws-mfa logout``: forget the profile's session and every cached MFA session of its
long-term key, whatever its device (or every session with ``--all``): what
aws-mfa wrote, and nothing else.

For each short-term section it removes the keys aws-mfa writes
(:data:`aws_mfa.aws.sections.WRITTEN_KEYS`) and, when nothing of the user's is left in the
section, its header too, so a login followed by a logout gives back the file
as it was::

    [dev]                        [dev]
    region = eu-west-1     ->    region = eu-west-1
    assumed_role = False
    aws_access_key_id = ASIA...
    ...

It never removes long-term keys. STS has no call to revoke a session token:
a forgotten session stays usable at AWS until it expires, by anyone holding
a copy, and the user is told so.
"""

from __future__ import annotations

from datetime import datetime

from aws_mfa import expiry, log, system
from aws_mfa.aws.sections import WRITTEN_KEYS, is_aws_mfa_session, long_term_key_problem
from aws_mfa.cli.context import Context
from aws_mfa.clock import utc_now
from aws_mfa.errors import EXIT_OK, FileError
from aws_mfa.files import credentials_file, ini, read
from aws_mfa.files.lock import locked
from aws_mfa.files.section_edit import edit_section, remove_section_text
from aws_mfa.keys import mask
from aws_mfa.sessions.mfa_sessions import MfaSessions, default_folder
from aws_mfa.sessions.session_state import SessionStatus, session_status
from aws_mfa.settings.checks import LOCK_TIMEOUT
from aws_mfa.settings.resolve import resolve_early

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.aliases import Planned, StrPath


def run(context: Context) -> int:
    sessions = MfaSessions(default_folder())
    if context.flags.switch("all"):
        names = None
        backup: bool = resolve_early("backup", context.flags, context.environ)
        forgotten = sessions.forget_all()
        if forgotten:
            log.info("Forgot %s", cached(forgotten))
    else:
        resolved = context.settings()
        names, backup = [resolved.short_term_section], resolved.backup
        document = context.credentials()
        long_term = (document.values(resolved.long_term_section) if document else None) or {}
        key_id = long_term.get("aws_access_key_id")
        forgotten = sessions.forget(key_id) if key_id else 0  # whatever its device
        if forgotten and key_id:
            log.info(
                "Forgot %s of access key %s, which every profile with that key shares, role "
                "profiles assumed from it included: the next login of any of them asks for a code",
                cached(forgotten),
                mask(key_id),
            )
    path = context.credentials_path
    if not logout(path, names, utc_now(), backup=backup) and not forgotten:
        if read.read_ini(path) is None:
            log.info("There is no credentials file at %s; nothing to forget", system.shown(path))
        else:
            log.info("There was no session to forget")
    return EXIT_OK


def cached(count: int) -> str:
    return f"{count} cached MFA session{'' if count == 1 else 's'}"


def sessions_to_forget(document: ini.IniFile | None) -> list[str]:
    """Every section holding a session aws-mfa (or 0.0.12) wrote, for ``--all``."""
    if document is None:
        return []
    return [
        name for name, section in document.sections.items() if is_aws_mfa_session(section.values)
    ]


def _only_ours(document: ini.IniFile, section: ini.IniSection) -> bool:
    """True when the section holds nothing but aws-mfa's keys: no other key, no comment."""
    body = document.lines()[section.header_index + 1 : section.content_end]
    return set(section.values) <= set(WRITTEN_KEYS) and not any(
        line.strip()[:1] in ("#", ";") for line in body
    )


def forget(document: ini.IniFile, name: str) -> str:
    """The file's new text without the session in section ``name``."""
    section = document.sections[name]
    problem = long_term_key_problem(section.values)
    if problem:
        raise FileError(
            f"{system.shown(document.label)}: section {name!r} holds {problem}; logout never "
            "removes long-term keys (remove them by hand if you mean to)"
        )
    if _only_ours(document, section):
        return remove_section_text(document, name)
    return edit_section(document, name, {}, WRITTEN_KEYS)


def forget_all(
    document: ini.IniFile | None, names: list[str], now: datetime
) -> tuple[str, Planned, list[tuple[str, SessionStatus]]]:
    """The file's text without the sessions in ``names``, what those sections hold after,
    and each forgotten session's state before."""
    planned: Planned = {}
    forgotten = []
    for name in names:
        section = document.sections.get(name) if document else None
        if document is None or section is None or not (set(section.values) & set(WRITTEN_KEYS)):
            continue
        forgotten.append((name, session_status(section, name, now, 0)))
        document = ini.parse(forget(document, name), document.label)
        kept = document.values(name)
        planned[name] = None if kept is None else dict(kept)
    return (document.text if document else ""), planned, forgotten


def logout(
    path: StrPath,
    names: list[str] | None,
    now: datetime,
    *,
    backup: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> int:
    """Forget the sessions in ``names`` (None: every aws-mfa session); return how many.

    A missing file has no session: nothing is locked or created.
    """
    document = read.read_ini(path)
    if document is None:
        return 0
    with locked(path, lock_timeout):
        document = credentials_file.read_for_edit(path, document)
        targets = sessions_to_forget(document) if names is None else names
        forgotten = forget_all(document, targets, now)[2]

        def change(base: ini.IniFile | None) -> tuple[str, Planned]:
            text, planned, _ = forget_all(base, [name for name, _ in forgotten], now)
            return text, planned

        if forgotten:
            names_changed = [name for name, _ in forgotten]
            credentials_file.save_edit(path, document, names_changed, change, backup=backup)
    for name, state in forgotten:
        if state.seconds_left and state.expiration:
            log.info(
                "Forgot the session in [%s]. STS sessions cannot be revoked, only forgotten: "
                "it stays valid at AWS until %s for anyone holding a copy",
                name,
                expiry.describe_local(state.expiration),
            )
        else:
            log.info("Forgot the session in [%s], which had expired", name)
    return len(forgotten)
