"""Read the AWS credentials file, and rewrite one section of it without losing a byte.

The file often holds a user's only copy of their long-term keys, so every
write here follows the same steps:

1. :func:`edit_section` changes one section's text with configupdater and
   splices it back between the untouched text before and after it. Comments,
   blank lines, spacing, key order, other sections and CRLF endings outside
   that section are never re-rendered, so they cannot change.
2. It re-reads the result and checks that every other section still has
   exactly its old values, and the edited one exactly the new values.
3. :func:`save` writes a temporary file in the same folder, fsyncs it and
   renames it over the old one: a crash leaves the old file or the new one.
   A symbolic link stays a link (its target is replaced), an existing file's
   mode is kept, a new file is 0600 and a new folder 0700.

Writers hold :func:`locked` around read, decide, STS call and rename, so
concurrent runs never lose each other's sections.

What this module does not do: decide what to write (see :mod:`aws_mfa.login`)
or talk to STS.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping

from aws_mfa import ini, log
from aws_mfa.errors import FileError

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from pathlib import Path

    StrPath = str | os.PathLike[str]
    """A path as text (the read path avoids pathlib, which costs 3 ms to import) or a Path."""

FILE_MODE = 0o600
FOLDER_MODE = 0o700
TEMP_SUFFIX = ".aws-mfa-tmp"

LOCK_TIMEOUT = 120.0
"""Seconds a run waits for another aws-mfa that holds the lock.

Long enough for the other run's user to type an MFA code, short enough that a
forgotten prompt in another terminal does not hang a script for ever.
"""
LOCK_NOTICE_AFTER = 1.0
"""Seconds of waiting before saying that another aws-mfa holds the lock."""


def default_path(environ: Mapping[str, str]) -> str:
    """``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/credentials``, as botocore does."""
    return os.path.expanduser(environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def read_text_file(path: StrPath) -> ini.IniFile | None:
    """Parse the INI file at ``path``; None when there is no file there."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise FileError(
            f"{path} is a folder, not a file; move it away or point elsewhere"
        ) from None
    except PermissionError:
        raise FileError(
            f"cannot read {path}: permission denied; check its owner, "
            f"and its mode (chmod 600 {path})"
        ) from None
    except OSError as err:
        raise FileError(f"cannot read {path}: {err.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise FileError(f"{path}, line {line}: not UTF-8 text; save the file as UTF-8") from None
    return ini.parse(text, str(path))


def mode_problem(path: StrPath) -> str | None:
    """A warning when group or others may read the file at ``path``."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return (
        f"{path} can be read by other users (mode {mode:04o}), and it holds your keys; "
        f"run: chmod 600 {path}"
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


def edit_section(
    document: ini.IniFile | None,
    name: str,
    values: Mapping[str, str],
    remove: tuple[str, ...] = (),
) -> str:
    """The file's new text with section ``name`` holding ``values``, minus ``remove``.

    Keys already in the section are changed where they stand (their spelling
    kept); new keys go after the section's last key; a new section is
    appended at the end of the file after one blank line. Nothing outside
    the section changes. The result keeps a leading byte-order mark.
    """
    text = document.text if document else ""
    eol = line_ending(text)
    section = document.sections.get(name) if document else None
    if section is None:
        if text and not text.endswith("\n"):
            text += eol
        if text.strip() and text[:-1].rpartition("\n")[2].strip():  # the last line has text
            text += eol
        body = f"[{name}]{eol}" + "".join(f"{key} = {value}{eol}" for key, value in values.items())
        new_text = text + body
    else:
        lines = ini.split_lines(text)
        before = "".join(lines[: section.header_index])
        old = "".join(lines[section.header_index : section.content_end])
        after = "".join(lines[section.content_end :])
        new_text = before + _edit_with_configupdater(old, name, values, remove, eol) + after
    if document and document.bom:
        new_text = ini.BOM + new_text
    _check_edit(document, new_text, name, values, remove)
    return new_text


def _edit_with_configupdater(
    text: str, name: str, values: Mapping[str, str], remove: tuple[str, ...], eol: str
) -> str:
    """Edit ``text``: a section's header through its last key, nothing after it.

    New keys therefore land right after the last key, before any blank lines
    or comments that lead into the next section.
    """
    from configparser import Error as ParserError

    from configupdater import ConfigUpdater

    if not text.endswith("\n"):
        text += eol
    updater = ConfigUpdater()
    try:
        updater.read_string(text)
    except ParserError as err:
        raise FileError(f"cannot edit [{name}]: {err}") from None
    section = updater[name]
    for key in remove:
        if key in section:
            del section[key]
    for key, value in values.items():
        if key in section:
            section[key].value = value
        else:
            section.set(key, value)
    rendered = str(updater)
    if eol == "\r\n":
        # configupdater ends the lines it writes with "\n"; this part of the
        # file is rewritten anyway, so all of it gets the file's line ending.
        rendered = rendered.replace("\r\n", "\n").replace("\n", "\r\n")
    return rendered


def _check_edit(
    document: ini.IniFile | None,
    new_text: str,
    name: str,
    values: Mapping[str, str],
    remove: tuple[str, ...],
) -> None:
    """Refuse to write ``new_text`` unless it holds exactly the intended change."""
    label = document.label if document else "the credentials file"
    new = ini.parse(new_text, label)
    old_sections = document.sections if document else {}
    expected = dict(old_sections[name].values) if name in old_sections else {}
    for key in remove:
        expected.pop(key, None)
    expected.update(values)
    unchanged = {key: sec.values for key, sec in old_sections.items() if key != name}
    changed = {key: sec.values for key, sec in new.sections.items() if key != name}
    if changed != unchanged or new.values(name) != expected:
        raise FileError(
            f"{label}: refusing to write an edit of [{name}] that would change other "
            "content (an aws-mfa bug; please report it); the file was not changed"
        )


def remove_section_text(document: ini.IniFile, name: str) -> str:
    """The file's new text without section ``name``: header through last key.

    Comments after its last key stay (they usually introduce the next
    section), and so do comments before it. The blank lines after it go, and
    when it was the file's last section so do the blank lines before it, so
    removing a section :func:`edit_section` appended gives back the old text.
    """
    section = document.sections[name]
    lines = document.lines()
    start, end = section.header_index, section.content_end
    while end < len(lines) and not lines[end].strip():
        end += 1
    if end == len(lines):
        while start > 0 and not lines[start - 1].strip():
            start -= 1
    new_text = "".join(lines[:start] + lines[end:])
    if document.bom:
        new_text = ini.BOM + new_text
    new = ini.parse(new_text, document.label)
    kept = {key: sec.values for key, sec in document.sections.items() if key != name}
    if {key: sec.values for key, sec in new.sections.items()} != kept:
        raise FileError(
            f"{document.label}: refusing to write a removal of [{name}] that would change "
            "other content (an aws-mfa bug; please report it); the file was not changed"
        )
    return new_text


def line_ending(text: str) -> str:
    """The file's usual line ending: ``\\r\\n`` when most lines end so, else ``\\n``."""
    return "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"


def _target(path: StrPath) -> Path:
    """The real file behind ``path``: writes replace a link's target, not the link."""
    from pathlib import Path

    return Path(os.path.realpath(path))


class locked:
    """Hold the advisory lock of the credentials file at ``path`` (a context manager).

    The lock is ``<file>.lock`` beside the real file. The operating system
    drops it when its holder dies, so a file left by a crash blocks no one.
    A class rather than a contextlib generator: contextlib would be imported
    by every run, and only renewals and other writes lock.
    """

    def __init__(self, path: StrPath, timeout: float = LOCK_TIMEOUT) -> None:
        self.path, self.timeout = path, timeout

    def __enter__(self) -> None:
        from filelock import FileLock, Timeout

        path, timeout = self.path, self.timeout
        target = _target(path)
        _make_folder(target.parent)
        self.lock = FileLock(f"{target}.lock", mode=FILE_MODE)
        try:
            try:
                self.lock.acquire(timeout=min(LOCK_NOTICE_AFTER, timeout))
            except Timeout:
                log.info("waiting for another aws-mfa that is renewing credentials in %s", path)
                self.lock.acquire(timeout=max(0.0, timeout - LOCK_NOTICE_AFTER))
        except Timeout:
            raise FileError(
                f"another aws-mfa has held the lock on {path} for over {int(timeout)} seconds "
                "(is it waiting for an MFA code in another terminal?); finish or stop it, "
                "then run again"
            ) from None
        except OSError as err:
            raise FileError(f"cannot lock {path}: {err.strerror} ({target}.lock)") from None

    def __exit__(self, *exception: object) -> None:
        self.lock.release()


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except OSError as err:
        raise FileError(f"cannot create the folder {folder}: {err.strerror}") from None


def save(path: StrPath, text: str, *, backup: bool = False) -> None:
    """Replace the file at ``path`` with ``text`` atomically. Call it under :func:`locked`.

    With ``backup``, the old file is first copied by :func:`back_up`.
    Temporary files left by a writer that was killed are removed here: under
    the lock no other writer can be using them.
    """
    import contextlib

    target = _target(path)
    folder = target.parent
    _make_folder(folder)
    if backup:
        back_up(path)
    for leftover in folder.glob(f".{target.name}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            leftover.unlink()
    try:
        old = target.stat()
    except FileNotFoundError:
        old = None
    except OSError as err:
        raise FileError(f"cannot write {path}: {err.strerror}") from None
    temp = folder / f".{target.name}.{os.getpid()}{TEMP_SUFFIX}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            if old is not None:
                os.chmod(fd, stat.S_IMODE(old.st_mode))
                if old.st_uid != os.geteuid():
                    with contextlib.suppress(OSError):
                        os.chown(fd, old.st_uid, old.st_gid)
            data = text.encode("utf-8")
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise FileError(f"cannot write {path}: {err.strerror}; the file was not changed") from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _sync_folder(folder)


BACKUPS_KEPT = 10


def back_up(path: StrPath) -> Path | None:
    """Copy the file at ``path`` into ``<name>_backup/`` beside it; keep the newest 10.

    Copies are 0600 in a 0700 folder and named by UTC time, for example
    ``credentials_backup/credentials.2026-11-22T150405.123456Z``. Returns the
    copy, or None when there was no file to copy.
    """
    import contextlib
    from datetime import datetime, timezone
    from pathlib import Path

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise FileError(f"cannot back up {path}: {err.strerror}") from None

    folder = path.parent / f"{path.name}_backup"
    _make_folder(folder)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H%M%S.%fZ")
    copy = folder / f"{path.name}.{stamp}"
    try:
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        raise FileError(f"cannot back up {path} to {folder}: {err.strerror}") from None
    copies = sorted(folder.glob(f"{path.name}.????-??-??T*Z"))
    for old in copies[:-BACKUPS_KEPT]:
        with contextlib.suppress(OSError):
            old.unlink()
    log.info("Backed up %s to %s", path, copy)
    return copy


def _sync_folder(folder: Path) -> None:
    """Make the rename durable: fsync the folder (where the platform allows it)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    import contextlib

    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
