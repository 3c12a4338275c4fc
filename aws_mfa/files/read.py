"""Read an AWS file's text, refusing what botocore would misread or what is not a file.

Rules, each giving one error line that says how to fix it:

- only a regular file is read: a folder, FIFO or device in its place is
  refused without blocking (it is opened with ``O_NONBLOCK`` and checked
  with ``fstat`` before any read);
- at most :data:`MAX_SIZE` bytes (a credentials file is a few kilobytes), or
  the smaller ``limit`` a caller gives;
- UTF-8 text without a byte-order mark (botocore rejects a BOM).

A missing file reads as None. Line endings are left to :mod:`aws_mfa.files.ini`,
which splits lines as botocore does (``\\r\\n``, ``\\n`` or a lone ``\\r``).

:func:`read_ini` reads and parses a credentials or config file in one step,
and :func:`mode_problem` says when others may read a file. :func:`read_private`
reads a file aws-mfa keeps for itself (a cached session) only when it is the
user's own: a regular file, not a link, owned by the user, 0600 or stricter.

What it does not do: parse by itself (see :mod:`aws_mfa.files.ini`) or write.
"""

from __future__ import annotations

import os

from aws_mfa import log, system
from aws_mfa.errors import FileError
from aws_mfa.files import ini
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath

MAX_SIZE = 64 * 1024 * 1024
"""Largest file read: far above any real credentials file, far below a memory problem."""
UTF8_BOM = b"\xef\xbb\xbf"


class Snapshot(Record):
    """A file's text, and what identifies the version read (inode, size, times)."""

    text: str
    signature: tuple[int, int, int, int]


def signature_of(status: os.stat_result) -> tuple[int, int, int, int]:
    """What tells one version of a file from another, from ``os.fstat`` of an open file only.

    Two signatures are compared only when both come from ``fstat``: on Windows
    since Python 3.12, ``fstat`` gives ``st_ctime`` as the change time while
    ``os.stat`` still gives the creation time, so mixing the two calls makes
    every file look changed. From ``fstat`` each field is sound on both
    systems: the file id (``st_ino``; a rename puts a new file, with a new id,
    in place), the size and the write time, and ``st_ctime``, the change time
    on POSIX and on Windows 3.12+, the creation time (which never moves, so
    it adds nothing but takes nothing away) on older Windows Pythons.
    """
    return (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def _open(path: StrPath) -> int | None:
    try:
        return system.open_to_read(path)
    except FileNotFoundError:
        return None
    except PermissionError as err:
        if os.path.isdir(path):  # Windows refuses to open a folder, where POSIX opens it
            raise FileError(_not_regular(path, "a folder")) from err
        raise FileError(
            f"cannot read {system.shown(path)}: permission denied; check its owner, "
            "and its mode (chmod 600)"
        ) from err
    except OSError as err:
        raise FileError(f"cannot read {system.shown(path)}: {err.strerror}") from err


def _not_regular(path: StrPath, kind: str) -> str:
    return f"{system.shown(path)} is {kind}, not a regular file; move it away or point elsewhere"


def kind_problem(mode: int) -> str | None:
    """What a non-regular file is ("a folder", "a FIFO" ...), or None for a regular file."""
    import stat

    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def size_text(size: int) -> str:
    """``64 MiB`` for a mebibyte or more, else ``65536 bytes``."""
    return f"{size >> 20} MiB" if size >= 1 << 20 else f"{size} bytes"


def _read_bytes(path: StrPath, fd: int, limit: int = MAX_SIZE) -> tuple[bytes, os.stat_result]:
    shown = os.fspath(path)
    status = os.fstat(fd)
    kind = kind_problem(status.st_mode)
    if kind:
        raise FileError(_not_regular(shown, kind))
    if status.st_size > limit:
        raise FileError(
            f"{system.shown(shown)} is {size_text(status.st_size)}, over the {size_text(limit)} "
            "aws-mfa reads; is it the right file?"
        )
    chunks = []
    size = 0
    while size <= limit:
        chunk = os.read(fd, max(status.st_size + 1, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise FileError(
            f"{system.shown(shown)} grew over {size_text(limit)} while read; is it the right file?"
        )
    return b"".join(chunks), status


def decode(data: bytes, shown: str) -> str:
    """The text of ``data``: UTF-8 without a byte-order mark, or one clear error."""
    if data.startswith(UTF8_BOM):
        raise FileError(
            f"{system.shown(shown)}, line 1: the file starts with a UTF-8 byte-order mark (BOM), "
            "which the AWS CLI and SDKs reject; save it as UTF-8 without BOM"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise FileError(
            f"{system.shown(shown)}, line {line}: not UTF-8 text; save the file as UTF-8"
        ) from err


def read_snapshot(path: StrPath, limit: int = MAX_SIZE) -> Snapshot | None:
    """The text of the file at ``path`` and its signature; None when there is no file.

    ``limit``: the most bytes read (a FileError says the file is larger).
    """
    fd = _open(path)
    if fd is None:
        return None
    try:
        data, status = _read_bytes(path, fd, limit)
    except OSError as err:
        raise FileError(f"cannot read {system.shown(path)}: {err.strerror}") from err
    finally:
        os.close(fd)
    return Snapshot(decode(data, os.fspath(path)), signature_of(status))


def current_signature(path: StrPath) -> tuple[int, int, int, int] | None:
    """The signature of the file at ``path`` now; None when there is none."""
    try:
        fd = system.open_to_read(path)
    except OSError:
        return None
    try:
        return signature_of(os.fstat(fd))  # fstat, as read_snapshot: see signature_of
    except OSError:
        return None
    finally:
        os.close(fd)


def read_ini(path: StrPath) -> ini.IniFile | None:
    """Parse the INI file at ``path`` (credentials or config); None when there is no file."""
    snapshot = read_snapshot(path)
    return None if snapshot is None else ini.parse(snapshot.text, os.fspath(path))


def mode_problem(path: StrPath) -> str | None:
    """A warning when group or others may read the file at ``path`` (never on Windows, whose
    mode bits say nothing of it)."""
    import stat

    if not system.checks_modes():
        return None
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return (
        f"{system.shown(path)} can be read by other users (mode {mode:04o}), and it holds your "
        f"keys; run: chmod 600 {system.shown(path)}"
    )


def owner_problem(status: os.stat_result, open_ok: bool = False) -> str | None:
    """Why a file or folder with this ``lstat`` is not the user's own and private, or None;
    with ``open_ok``, one of the user's that others may open is no problem (the caller makes
    it private again: see :func:`open_to_others`).

    Where the platform has no owners (Windows), only the link and the kind are judged.
    """
    import stat

    if stat.S_ISLNK(status.st_mode):
        return "a symbolic link"
    uid = system.user_id()
    if uid is not None and status.st_uid != uid:
        return f"owned by another user (uid {status.st_uid})"
    return None if open_ok else open_to_others(status)


def open_to_others(status: os.stat_result) -> str | None:
    """``open to other users (mode ...)`` when others may open it, or None (and always None
    where the platform has no owners)."""
    import stat

    mode = stat.S_IMODE(status.st_mode)
    if system.user_id() is not None and mode & 0o077:
        return f"open to other users (mode {mode:04o})"
    return None


def private_folder_problem(folder: str, repair: bool = False) -> str | None:
    """Why a folder aws-mfa keeps for itself (the cache of MFA sessions, the rotation
    journals) cannot be trusted or used now, or None; None too when it does not exist yet
    (the first write makes it, 0700).

    It must be a folder, not a symbolic link, the user's own, closed to others and
    writable. With ``repair``, a folder of the user's that others may open is made 0700
    again, with a warning, instead of refused.
    """
    import stat

    try:
        status = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as err:
        return f"{system.shown(folder)} cannot be looked at ({err.strerror})"
    if not stat.S_ISDIR(status.st_mode) and not stat.S_ISLNK(status.st_mode):
        return f"{system.shown(folder)} is not a folder"
    found = owner_problem(status, open_ok=repair)
    if found:
        return f"{system.shown(folder)} is {found}"
    opened = open_to_others(status) if repair else None
    if opened:
        try:
            os.chmod(folder, 0o700)
        except OSError as err:
            shown = system.shown(folder)
            return f"{shown} is {opened}, and cannot be made private ({err.strerror})"
        log.warning("%s was %s; it is 0700 again", system.shown(folder), opened)
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        return f"{system.shown(folder)} cannot be written"
    return None


PRIVATE_MAX_SIZE = 64 * 1024
"""Largest file :func:`read_private` reads: what aws-mfa keeps for itself is a few hundred bytes."""


def read_private(path: StrPath) -> str | None:
    """The text of a file aws-mfa keeps for itself; None when there is none.

    A FileError says why it is not read: not a regular file, a symbolic link
    (never followed), another user's, open to others, or too large.
    """
    shown = os.fspath(path)
    try:
        fd = system.open_to_read(path, follow_links=False)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise FileError(f"cannot read {system.shown(shown)}: {err.strerror}") from err
    try:
        status = os.fstat(fd)
        problem = kind_problem(status.st_mode) or owner_problem(status)
        if problem is None and status.st_size > PRIVATE_MAX_SIZE:
            problem = f"{status.st_size} bytes, more than aws-mfa ever writes there"
        if problem:
            raise FileError(f"{system.shown(shown)} is {problem}")
        data = os.read(fd, PRIVATE_MAX_SIZE + 1)
    except OSError as err:
        raise FileError(f"cannot read {system.shown(shown)}: {err.strerror}") from err
    finally:
        os.close(fd)
    return decode(data, shown)
