"""The AWS credentials file: commit one edit to it safely.

The file often holds a user's only copy of their long-term keys, so a write
(:func:`save_edit`, called under :class:`aws_mfa.files.lock.locked`) goes like this:

1. read the file again; when another program changed it since aws-mfa read
   it (``aws configure set``, an editor), apply the same one-section edit to
   its new text, or stop with an error if that very section changed;
2. write the new text through :func:`aws_mfa.files.safe_write.write_file`
   (temporary file, fsync, rename, folder fsync, modes);
3. before the rename, read the temporary file with botocore's own reader and
   check that every section holds exactly what was meant
   (:mod:`aws_mfa.files.write_check`), and that the file did not change again
   meanwhile (inode, size, times).

With ``backup``, the old file is first copied (atomically too) into
``<name>_backup/``, keeping the newest :data:`BACKUPS_KEPT`.

What this module does not do: lock (the caller does), decide what to write
(see :mod:`aws_mfa.sessions.renewal`), edit text (:mod:`aws_mfa.files.section_edit`),
or talk to STS.
"""

from __future__ import annotations

import os
from functools import partial

from aws_mfa import log
from aws_mfa.errors import FileError
from aws_mfa.files import ini, read, safe_write
from aws_mfa.files.section_edit import (
    edit_section,
    planned_values,
    refuse_lone_cr,
    section_text,
)
from aws_mfa.files.section_edit import replace_key as replace_in_text
from aws_mfa.files.write_check import check_with_botocore

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from aws_mfa.aliases import Change, Planned, StrPath

BACKUPS_KEPT = 10
ATTEMPTS = 3
"""Times a write is tried again when another program keeps changing the file."""


def read_for_edit(path: StrPath, document: ini.IniFile | None) -> ini.IniFile | None:
    """The file at ``path`` now, to be edited: ``document`` itself when its text is unchanged.

    A renewal reads the file once before taking the lock and once under it;
    when nothing changed in between, the second parse (of a file that may
    hold thousands of profiles) is not needed. A file aws-mfa cannot edit
    safely (lone CR line endings) is refused here, before any prompt or STS call.
    """
    snapshot = read.read_snapshot(path)
    if snapshot is None:
        return None
    if document is None or snapshot.text != document.text:
        document = ini.parse(snapshot.text, os.fspath(path))
    refuse_lone_cr(document)
    return document


def set_values(name: str, values: Mapping[str, str], remove: tuple[str, ...] = ()) -> Change:
    """The :func:`save_edit` change: section ``name`` holds ``values``, minus ``remove``."""

    def change(base: ini.IniFile | None) -> tuple[str, Planned]:
        planned: Planned = {name: planned_values(base, name, values, remove)}
        return edit_section(base, name, values, remove), planned

    return change


def replace_key(name: str, old_key: str, new_key: str, value: str) -> Change:
    """The :func:`save_edit` change: in section ``name``, the line of ``old_key`` now sets
    ``new_key`` to ``value``, where it stood (see
    :func:`aws_mfa.files.section_edit.replace_key`)."""

    def change(base: ini.IniFile | None) -> tuple[str, Planned]:
        old = base.values(name) if base else None
        if base is None or old is None or old_key not in old:
            raise FileError(f"[{name}] has no {old_key} to replace; nothing was changed")
        kept = {key: text for key, text in old.items() if key != old_key}
        planned: Planned = {name: {**kept, new_key: value}}
        return replace_in_text(base, name, old_key, new_key, value), planned

    return change


def move_keys(source: str, target: str, keys: tuple[str, ...]) -> Change:
    """The :func:`save_edit` change: the ``keys`` section ``source`` has move, in their order,
    to a new section ``target`` at the end of the file; every other line stays::

        [default]                       [default]
        # mine                          # mine
        aws_access_key_id = AKIA...     region = eu-west-1
        aws_secret_access_key = ...
        region = eu-west-1        ->    [default-long-term]
                                        aws_access_key_id = AKIA...
                                        aws_secret_access_key = ...
    """

    def change(base: ini.IniFile | None) -> tuple[str, Planned]:
        old = base.values(source) if base else None
        if base is None or old is None or target in base.sections:
            raise FileError(f"cannot move keys from [{source}] to [{target}]; nothing was changed")
        moved = {key: value for key, value in old.items() if key in keys}
        if any("\n" in value for value in moved.values()):
            raise FileError(
                f"{base.label!r}: [{source}] has a key that runs over several lines, which "
                "aws-mfa does not move; put it on one line first"
            )
        left = ini.parse(edit_section(base, source, {}, tuple(moved)), base.label)
        planned: Planned = {
            source: {key: value for key, value in old.items() if key not in moved},
            target: moved,
        }
        return edit_section(left, target, moved), planned

    return change


class _ChangedMeanwhile(Exception):
    """The file changed between its last read and the rename: read it again."""


def _base(
    path: StrPath, document: ini.IniFile | None, names: list[str]
) -> tuple[ini.IniFile | None, tuple[int, int, int, int] | None]:
    """The file as it is now, and its signature; the read ``document`` when unchanged.

    When another program changed it, the changed sections ``names`` must
    still hold the text they had, or aws-mfa stops.
    """
    snapshot = read.read_snapshot(path)
    signature = snapshot.signature if snapshot else None
    if (snapshot.text if snapshot else None) == (document.text if document else None):
        return document, signature
    current = ini.parse(snapshot.text, os.fspath(path)) if snapshot else None
    for name in names:
        if section_text(current, name) != section_text(document, name):
            raise FileError(
                f"{os.fspath(path)!r} changed while aws-mfa was working, section {name!r} "
                "included; aws-mfa did not overwrite it: run again"
            )
    log.info("%r changed meanwhile; applying the edit to its new content", os.fspath(path))
    return current, signature


def save_edit(
    path: StrPath,
    document: ini.IniFile | None,
    names: list[str],
    change: Change,
    *,
    backup: bool = False,
) -> None:
    """Apply ``change`` to the file at ``path`` as read in ``document``, under the lock.

    ``names`` are the sections the change touches; see the module's steps.
    """
    for _ in range(ATTEMPTS):
        base, signature = _base(path, document, names)
        new_text, planned = change(base)
        if base is not None and new_text == base.text:
            return
        try:
            save(
                path,
                new_text,
                backup=backup,
                check=partial(
                    _final_check,
                    path,
                    base=base,
                    planned=planned,
                    signature=signature,
                    text=new_text,
                ),
            )
            return
        except _ChangedMeanwhile:
            document = base
    raise FileError(
        f"{os.fspath(path)!r} keeps changing while aws-mfa writes it; stop the other "
        "program and run again"
    )


def _final_check(
    path: StrPath,
    temp: str,
    *,
    base: ini.IniFile | None,
    planned: Planned,
    signature: tuple[int, int, int, int] | None,
    text: str,
) -> None:
    check_with_botocore(temp, base, planned, os.fspath(path), text)
    if read.current_signature(path) != signature:
        raise _ChangedMeanwhile


def save(
    path: StrPath,
    text: str,
    *,
    backup: bool = False,
    check: Callable[[str], None] | None = None,
) -> None:
    """Replace the file at ``path`` with ``text`` atomically. Call it under the lock.

    With ``backup``, the old file is first copied by :func:`back_up`.
    Temporary files left by a writer that was killed are removed here: under
    the lock no other writer can be using them.
    """
    if backup:
        back_up(path)
    safe_write.remove_leftovers(path)
    safe_write.write_file(path, text.encode("utf-8"), check=check)


def back_up(path: StrPath) -> str | None:
    """Copy the file at ``path`` into ``<name>_backup/`` beside it; keep the newest 10.

    Copies are 0600 in a 0700 folder, written atomically, and named by UTC
    time, for example ``credentials_backup/credentials.2026-11-22T150405.123456Z``.
    A copy that fails leaves nothing behind and removes no older copy.
    Returns the copy, or None when there was no file to copy.
    """
    import re

    from aws_mfa.clock import utc_now

    snapshot = read.read_snapshot(path)
    if snapshot is None:
        return None
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    folder = os.path.join(folder, f"{name}_backup")
    stamp = utc_now().strftime("%Y-%m-%dT%H%M%S.%fZ")
    copy = os.path.join(folder, f"{name}.{stamp}")
    try:
        safe_write.write_file(copy, snapshot.text.encode("utf-8"))
    except FileError as err:
        reason = getattr(err.__cause__, "strerror", None) or str(err)
        raise FileError(
            f"cannot back up {os.fspath(path)!r} to {folder!r}: {reason}; "
            "no copy was made and the file was not changed"
        ) from err
    pattern = re.compile(re.escape(name) + r"\.\d{4}-\d\d-\d\dT\d{6}\.\d{6}Z")
    copies = sorted(entry for entry in os.listdir(folder) if pattern.fullmatch(entry))
    for old in copies[:-BACKUPS_KEPT]:
        safe_write.remove(os.path.join(folder, old))
    log.info("Backed up %r to %r", os.fspath(path), copy)
    return copy
