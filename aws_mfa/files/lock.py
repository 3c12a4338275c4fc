"""The advisory lock every writer of the credentials file holds (a context manager).

The lock is ``<file>.lock`` beside the real file. The operating system drops
it when its holder dies, so a lock left by a crash blocks no one. Programs
other than aws-mfa do not take it: :func:`aws_mfa.files.credentials_file.save_edit`
notices their edits instead.

What it does not do: read or write the file it protects.
"""

from __future__ import annotations

from aws_mfa import log, system
from aws_mfa.errors import FileError
from aws_mfa.files import safe_write

TYPE_CHECKING = False  # see aws_mfa.records
if TYPE_CHECKING:
    from aws_mfa.aliases import StrPath

LOCK_NOTICE_AFTER = 1.0
"""Seconds of waiting before saying that another aws-mfa holds the lock."""


class locked:
    """Hold the lock of the file at ``path`` for the ``with`` block, waiting at most
    ``timeout`` seconds for another holder (the ``lock_timeout`` setting).

    A class rather than a contextlib generator: contextlib would be imported
    by every run, and only renewals and other writes lock.
    """

    def __init__(self, path: StrPath, timeout: float) -> None:
        self.path, self.timeout = path, timeout

    def __enter__(self) -> None:
        import os

        from filelock import FileLock, Timeout

        path, timeout = self.path, self.timeout
        target = safe_write.real_path(path)
        safe_write.make_folder(os.path.dirname(target))
        self.lock = FileLock(f"{target}.lock", mode=safe_write.FILE_MODE)
        try:
            try:
                self.lock.acquire(timeout=min(LOCK_NOTICE_AFTER, timeout))
            except Timeout:
                log.info(
                    "waiting for another aws-mfa that is renewing credentials in %s",
                    system.shown(path),
                )
                self.lock.acquire(timeout=max(0.0, timeout - LOCK_NOTICE_AFTER))
        except Timeout as err:
            raise FileError(
                f"another aws-mfa has held the lock on {system.shown(path)} for over "
                f"{int(timeout)} seconds (is it waiting for an MFA code in another terminal?); "
                "finish or stop it, then run again"
            ) from err
        except PermissionError as err:
            lock = system.shown(target + ".lock")
            raise FileError(
                f"cannot lock {system.shown(path)}: {err.strerror} ({lock}); aws-mfa creates "
                f"and writes that file beside the credentials file: it and its folder must be "
                "yours (one left by a run as another user, say with sudo, can be removed)"
            ) from err
        except OSError as err:
            raise FileError(
                f"cannot lock {system.shown(path)}: {err.strerror} "
                f"({system.shown(target + '.lock')})"
            ) from err

    def __exit__(self, *exception: object) -> None:
        self.lock.release()
