"""``aws-mfa logout``: forget sessions aws-mfa wrote, and nothing else.

For each short-term section it removes the keys aws-mfa writes
(:data:`SESSION_KEYS`) and, when nothing of the user's is left in the
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

import os
from datetime import datetime

from aws_mfa import credentials_file, expiry, ini, log, status
from aws_mfa.errors import FileError

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.credentials_file import Planned, StrPath

SESSION_KEYS = (*expiry.SESSION_KEYS, "assumed_role_arn")


def sessions_to_forget(document: ini.IniFile | None) -> list[str]:
    """Every section holding a session aws-mfa (or 0.0.12) wrote, for ``--all``."""
    if document is None:
        return []
    return [
        name
        for name, section in document.sections.items()
        if all(section.values.get(key) for key in expiry.SESSION_KEYS)
        and credentials_file.long_term_key_problem(section) is None
    ]


def _only_ours(document: ini.IniFile, section: ini.IniSection) -> bool:
    """True when the section holds nothing but aws-mfa's keys: no other key, no comment."""
    body = document.lines()[section.header_index + 1 : section.content_end]
    return set(section.values) <= set(SESSION_KEYS) and not any(
        line.strip()[:1] in ("#", ";") for line in body
    )


def forget(document: ini.IniFile, name: str) -> str:
    """The file's new text without the session in section ``name``."""
    section = document.sections[name]
    problem = credentials_file.long_term_key_problem(section)
    if problem:
        raise FileError(
            f"{document.label!r}: section {name!r} holds {problem}; logout never removes "
            "long-term keys (remove them by hand if you mean to)"
        )
    if _only_ours(document, section):
        return credentials_file.remove_section_text(document, name)
    return credentials_file.edit_section(document, name, {}, SESSION_KEYS)


def forget_all(
    document: ini.IniFile | None, names: list[str], now: datetime
) -> tuple[str, Planned, list[tuple[str, status.SessionStatus]]]:
    """The file's text without the sessions in ``names``, what those sections hold after,
    and each forgotten session's state before."""
    planned: Planned = {}
    forgotten = []
    for name in names:
        section = document.sections.get(name) if document else None
        if document is None or section is None or not (set(section.values) & set(SESSION_KEYS)):
            log.info("No session in section %r; nothing to forget", name)
            continue
        forgotten.append((name, status.session_status(section, name, now, 0)))
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
    lock_timeout: float = credentials_file.LOCK_TIMEOUT,
) -> int:
    """Forget the sessions in ``names`` (None: every aws-mfa session); return how many.

    A missing file has no session: nothing is locked or created.
    """
    document = credentials_file.read_ini_file(path)
    if document is None:
        log.info("There is no credentials file at %r; nothing to forget", os.fspath(path))
        return 0
    with credentials_file.locked(path, lock_timeout):
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
