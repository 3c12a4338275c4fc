"""Write a file so that a crash, a full disk or a reader never sees half of it.

The one routine for every file aws-mfa writes (the credentials file, its
backups, the used-code memory, ``--setup``, and any later cache):

1. create the folder if needed, 0700 at every level it creates, whatever
   the umask;
2. write all the bytes to a temporary file with a unique name in the same
   folder, mode 0600 for a new file or the old file's mode and owner;
3. fsync it, let the caller check it (``check``), rename it over the
   target, then fsync the folder so that the rename survives a power cut.

A symbolic link stays a link: its target is replaced (with ``follow_links``
false, as for aws-mfa's own private files, a link is refused instead).
Something that is not a regular file (a device such as ``/dev/null``, a FIFO,
a folder) is never replaced. A failure leaves the old file and no temporary
file behind.

What it does not do: lock (see :mod:`aws_mfa.files.lock`) or decide what to
write.
"""

from __future__ import annotations

import os
import stat

from aws_mfa import system
from aws_mfa.errors import FileError
from aws_mfa.files.read import kind_problem

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_mfa.aliases import StrPath

FILE_MODE = 0o600
FOLDER_MODE = 0o700
TEMP_SUFFIX = ".aws-mfa-tmp"


def real_path(path: StrPath) -> str:
    """The real file behind ``path``: writes replace a link's target, not the link."""
    return os.path.realpath(os.fspath(path))


def make_folder(folder: StrPath) -> None:
    """Create ``folder`` and its missing parents, each one 0700 whatever the umask."""
    missing = []
    current = os.path.abspath(os.fspath(folder))
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for each in reversed(missing):
        try:
            os.mkdir(each, FOLDER_MODE)
            os.chmod(each, FOLDER_MODE)  # mkdir's mode is cut by the umask
        except FileExistsError as err:
            if not os.path.isdir(each):
                raise FileError(
                    f"cannot create the folder {system.shown(each)}: something else is in its place"
                ) from err
        except OSError as err:
            raise FileError(
                f"cannot create the folder {system.shown(each)}: {err.strerror}"
            ) from err


def is_temp_of(name: str, target_name: str) -> bool:
    """True when ``name`` is a temporary file :func:`write_file` makes for ``target_name``.

    Names are compared exactly, never as a pattern: ``cred[1]`` is not ``cred1``.
    """
    prefix = f".{target_name}."
    if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
        return False
    middle = name[len(prefix) : -len(TEMP_SUFFIX)]
    pid, _, random = middle.partition(".")  # 0.1.0 wrote no random part
    return pid.isdigit() and pid.isascii() and (not random or _is_hex(random, 16))


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(char in "0123456789abcdef" for char in text)


def remove_leftovers(path: StrPath) -> None:
    """Remove the temporary files a killed writer left for ``path``. Call it under the lock."""
    target = real_path(path)
    folder, name = os.path.split(target)
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if is_temp_of(entry, name):
            remove(os.path.join(folder, entry))


def _old_state(target: str, shown: str, follow_links: bool = True) -> os.stat_result | None:
    """The target's stat, None when there is none; refuse anything but a regular file."""
    try:
        old = os.stat(target) if follow_links else os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise FileError(f"cannot write {system.shown(shown)}: {err.strerror}") from err
    if stat.S_ISLNK(old.st_mode):
        raise FileError(
            f"{system.shown(shown)} is a symbolic link; aws-mfa never writes through one here"
        )
    kind = kind_problem(old.st_mode)
    if kind:
        raise FileError(
            f"{system.shown(shown)} is {kind}, not a regular file; aws-mfa never replaces it: "
            "move it away or point elsewhere"
        )
    return old


def _write_all(fd: int, data: bytes, old: os.stat_result | None) -> None:
    system.set_mode(fd, stat.S_IMODE(old.st_mode) if old else FILE_MODE)
    if old is not None:
        system.give_to(fd, old.st_uid, old.st_gid)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    system.flush(fd)


def write_file(
    path: StrPath,
    data: bytes,
    *,
    check: Callable[[str], None] | None = None,
    exclusive: bool = False,
    follow_links: bool = True,
) -> None:
    """Replace the file at ``path`` with ``data`` atomically (see the module's steps).

    ``check(temp_path)`` runs after the temporary file is complete and
    fsynced, before the rename; whatever it raises stops the write, and the
    old file stays. With ``exclusive``, a file already there is kept, and
    :class:`FileExistsError` (an :class:`OSError`) becomes a FileError. With
    ``follow_links`` false, a link at ``path`` is refused rather than followed.
    """
    shown = os.fspath(path)
    target = real_path(path) if follow_links else os.path.abspath(shown)
    folder, name = os.path.split(target)
    make_folder(folder)
    old = _old_state(target, shown, follow_links)
    temp = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(8).hex()}{TEMP_SUFFIX}")
    try:
        fd = system.create_exclusive(temp, FILE_MODE)
        try:
            _write_all(fd, data, old)
        finally:
            os.close(fd)
        if check is not None:
            check(temp)
        if exclusive:
            os.link(temp, target)  # fails, atomically, when the target exists
            os.unlink(temp)
        else:
            system.replace(temp, target)
    except OSError as err:
        remove(temp)
        raise FileError(
            f"cannot write {system.shown(shown)}: {err.strerror}; the file was not changed"
        ) from err
    except BaseException:
        remove(temp)
        raise
    sync_folder(folder)


def remove(path: str) -> None:
    """Remove the file at ``path`` if it is there (best effort)."""
    try:
        os.unlink(path)
    except OSError:
        return


def sync_folder(folder: StrPath) -> None:
    """Make a rename durable: flush the folder (where the system can)."""
    system.flush_folder(folder)
