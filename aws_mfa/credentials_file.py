"""The AWS credentials file: read it, judge it, and commit one edit to it safely.

The file often holds a user's only copy of their long-term keys, so a write
(:func:`save_edit`, called under :class:`locked`) goes like this:

1. read the file again; when another program changed it since aws-mfa read
   it (``aws configure set``, an editor), apply the same one-section edit to
   its new text, or stop with an error if that very section changed;
2. write the new text through :func:`aws_mfa.safe_write.write_file`
   (temporary file, fsync, rename, folder fsync, modes);
3. before the rename, read the temporary file with botocore's own reader and
   check that every section holds exactly what was meant
   (:mod:`aws_mfa.write_check`), and that the file did not change again
   meanwhile (inode, size, times).

With ``backup``, the old file is first copied (atomically too) into
``<name>_backup/``, keeping the newest :data:`BACKUPS_KEPT`.

What this module does not do: decide what to write (see :mod:`aws_mfa.login`),
edit text (:mod:`aws_mfa.section_edit`), or talk to STS.
"""

from __future__ import annotations

import os
import stat

from aws_mfa import file_read, ini, log
from aws_mfa.errors import FileError

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    # Re-exported (see REEXPORTED): callers use the credentials file through this module.
    from aws_mfa.file_lock import LOCK_NOTICE_AFTER as LOCK_NOTICE_AFTER
    from aws_mfa.file_lock import LOCK_TIMEOUT as LOCK_TIMEOUT
    from aws_mfa.file_lock import locked as locked
    from aws_mfa.safe_write import FILE_MODE as FILE_MODE
    from aws_mfa.safe_write import FOLDER_MODE as FOLDER_MODE
    from aws_mfa.safe_write import TEMP_SUFFIX as TEMP_SUFFIX
    from aws_mfa.safe_write import StrPath as StrPath
    from aws_mfa.section_edit import edit_section as edit_section
    from aws_mfa.section_edit import line_ending as line_ending
    from aws_mfa.section_edit import planned_values as planned_values
    from aws_mfa.section_edit import remove_section_text as remove_section_text

    Planned = dict[str, dict[str, str] | None]
    """What each changed section must hold after an edit (None: the section is gone)."""
    Change = Callable[[ini.IniFile | None], tuple[str, Planned]]
    """An edit: from the file as it is, its new text and what the changed sections hold."""


REEXPORTED = {
    "file_lock": ("LOCK_NOTICE_AFTER", "LOCK_TIMEOUT", "locked"),
    "safe_write": ("FILE_MODE", "FOLDER_MODE", "TEMP_SUFFIX"),
    "section_edit": ("edit_section", "line_ending", "planned_values", "remove_section_text"),
}
"""Names of the modules that write, imported on first use: a run that finds valid
credentials reads this module and never needs them (0.6 ms; docs/performance.md)."""


def __getattr__(name: str) -> object:
    """The re-exported ``name`` (PEP 562: called only for names the module lacks)."""
    import importlib

    for module, names in REEXPORTED.items():
        if name in names:
            return getattr(importlib.import_module(f"aws_mfa.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


BACKUPS_KEPT = 10
ATTEMPTS = 3
"""Times a write is tried again when another program keeps changing the file."""


def default_path(environ: Mapping[str, str]) -> str:
    """``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/credentials``, as botocore does."""
    return os.path.expanduser(environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def read_ini_file(path: StrPath) -> ini.IniFile | None:
    """Parse the INI file at ``path`` (credentials or config); None when there is no file."""
    snapshot = file_read.read_snapshot(path)
    return None if snapshot is None else ini.parse(snapshot.text, os.fspath(path))


def read_for_edit(path: StrPath, document: ini.IniFile | None) -> ini.IniFile | None:
    """The file at ``path`` now, to be edited: ``document`` itself when its text is unchanged.

    A renewal reads the file once before taking the lock and once under it;
    when nothing changed in between, the second parse (of a file that may
    hold thousands of profiles) is not needed. A file aws-mfa cannot edit
    safely (lone CR line endings) is refused here, before any prompt or STS call.
    """
    from aws_mfa.section_edit import refuse_lone_cr

    snapshot = file_read.read_snapshot(path)
    if snapshot is None:
        return None
    if document is None or snapshot.text != document.text:
        document = ini.parse(snapshot.text, os.fspath(path))
    refuse_lone_cr(document)
    return document


def set_values(name: str, values: Mapping[str, str], remove: tuple[str, ...] = ()) -> Change:
    """The :func:`save_edit` change: section ``name`` holds ``values``, minus ``remove``."""

    def change(base: ini.IniFile | None) -> tuple[str, Planned]:
        from aws_mfa.section_edit import edit_section, planned_values

        planned: Planned = {name: planned_values(base, name, values, remove)}
        return edit_section(base, name, values, remove), planned

    return change


def replace_key(name: str, old_key: str, new_key: str, value: str) -> Change:
    """The :func:`save_edit` change: in section ``name``, the line of ``old_key`` now sets
    ``new_key`` to ``value``, where it stood (see :func:`aws_mfa.section_edit.replace_key`)."""
    from aws_mfa.section_edit import replace_key as replace_in_text

    def change(base: ini.IniFile | None) -> tuple[str, Planned]:
        old = base.values(name) if base else None
        if base is None or old is None or old_key not in old:
            raise FileError(f"[{name}] has no {old_key} to replace; nothing was changed")
        kept = {key: text for key, text in old.items() if key != old_key}
        planned: Planned = {name: {**kept, new_key: value}}
        return replace_in_text(base, name, old_key, new_key, value), planned

    return change


def mode_problem(path: StrPath) -> str | None:
    """A warning when group or others may read the file at ``path``."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return (
        f"{os.fspath(path)!r} can be read by other users (mode {mode:04o}), and it holds your "
        f"keys; run: chmod 600 {os.fspath(path)!r}"
    )


def long_term_key_problem(section: ini.IniSection | None) -> str | None:
    """Why ``section`` looks like it holds long-term keys, or None.

    An ``AKIA`` key id is always long-term, and so are keys with no session
    token. Empty placeholder keys are not keys.
    """
    if section is None:
        return None
    values = section.values
    key_id = values.get("aws_access_key_id", "")
    if key_id.startswith("AKIA"):
        return f"a long-term access key id (...{key_id[-4:]})"
    if values.get("aws_secret_access_key") and not values.get("aws_session_token"):
        return "a secret access key with no session token"
    return None


class _ChangedMeanwhile(Exception):
    """The file changed between its last read and the rename: read it again."""


def _base(
    path: StrPath, document: ini.IniFile | None, names: list[str]
) -> tuple[ini.IniFile | None, tuple[int, int, int, int] | None]:
    """The file as it is now, and its signature; the read ``document`` when unchanged.

    When another program changed it, the changed sections ``names`` must
    still hold the text they had, or aws-mfa stops.
    """
    from aws_mfa.section_edit import section_text

    snapshot = file_read.read_snapshot(path)
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
    """Apply ``change`` to the file at ``path`` as read in ``document``, under :class:`locked`.

    ``names`` are the sections the change touches; see the module's steps.
    """
    from functools import partial

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
    from aws_mfa.write_check import check_with_botocore

    check_with_botocore(temp, base, planned, os.fspath(path), text)
    if file_read.current_signature(path) != signature:
        raise _ChangedMeanwhile


def save(
    path: StrPath,
    text: str,
    *,
    backup: bool = False,
    check: Callable[[str], None] | None = None,
) -> None:
    """Replace the file at ``path`` with ``text`` atomically. Call it under :class:`locked`.

    With ``backup``, the old file is first copied by :func:`back_up`.
    Temporary files left by a writer that was killed are removed here: under
    the lock no other writer can be using them.
    """
    if backup:
        back_up(path)
    from aws_mfa import safe_write

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
    from datetime import datetime, timezone

    from aws_mfa import safe_write

    snapshot = file_read.read_snapshot(path)
    if snapshot is None:
        return None
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    folder = os.path.join(folder, f"{name}_backup")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H%M%S.%fZ")
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
