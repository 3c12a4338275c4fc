"""The operating system, where POSIX and Windows differ: each such call aws-mfa makes, once.

Every module that opens, replaces or flushes a file, asks on the terminal,
checks who owns a file or replaces itself with a command calls this module,
never ``os.O_*`` flags, ``fcntl``, ``termios``, ``pwd`` or ``resource`` itself
(``tests/test_platform.py`` checks it). A command started beside aws-mfa (the
token command, a dialog or ykman, a notification, the editor, the browser,
the command of ``exec --server``) is started with :mod:`subprocess` by the
module that needs it, as it is the same on both; what differs (a child that
dies with aws-mfa, the signals that exist) comes from here. Each piece has a
POSIX branch and a Windows branch:

- **the terminal**: ``/dev/tty``; on Windows the console, ``CONIN$`` to read
  and ``CONOUT$`` to write;
- **replacing a file**: ``os.replace``; on Windows tried again for a second
  while another program (an antivirus, the indexer, an SDK) holds the file;
- **flushing to disk**: ``fsync``, ``F_FULLFSYNC`` on macOS (its ``fsync``
  stops at the drive's cache); a folder is flushed on POSIX only;
- **private files**: the mode bits and the owner on POSIX; on Windows nothing
  is checked, and aws-mfa says so rather than warn falsely (it does not read
  ACLs);
- **running a command in place**: ``execvpe`` on POSIX; on Windows a child
  whose exit code becomes aws-mfa's, Ctrl-C reaching it through the console;
- **signals**: only those that exist are forwarded; on Linux a command
  dies with aws-mfa (``PR_SET_PDEATHSIG``).

:data:`WINDOWS` is read at each call, so a test takes the Windows branch on
Linux (``tests/test_platform.py``). Every file is opened in binary mode
(``O_BINARY`` where it exists): line endings stay the file's own.

What it does not do: decide anything, log, or raise aws-mfa's errors (callers
turn :class:`OSError` into them).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import NoReturn

WINDOWS = sys.platform == "win32"
"""Take the Windows branches (a test sets it to simulate Windows on Linux)."""
MACOS = sys.platform == "darwin"

BINARY = getattr(os, "O_BINARY", 0)
"""Windows opens files in text mode unless told: every file aws-mfa opens is binary."""
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
"""A FIFO in a file's place is opened without waiting for a writer (and then refused)."""

REPLACE_ATTEMPTS = 10
REPLACE_PAUSE = 0.1
"""Windows: a file another program holds open cannot be replaced; aws-mfa tries again
this many times, this far apart (a second in all), before it gives up."""
SHARING_ERRORS = (5, 32, 33)
"""Windows' errors for a file another program holds: access denied, sharing violation,
lock violation (``winerror``)."""


def open_to_read(path: str | os.PathLike[str], follow_links: bool = True) -> int:
    """A file opened to read, in binary mode, never waiting on a FIFO."""
    flags = os.O_RDONLY | BINARY | CLOEXEC | NONBLOCK | (0 if follow_links else NOFOLLOW)
    return os.open(path, flags)


def create_exclusive(path: str | os.PathLike[str], mode: int) -> int:
    """A new file opened to write, binary; FileExistsError when anything is there, a link too."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | BINARY | CLOEXEC
    return os.open(path, flags, mode)


def flush(fd: int) -> None:
    """Make what was written to ``fd`` reach the disk (on macOS past the drive's cache too)."""
    if MACOS and sys.platform == "darwin":
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:  # file systems that refuse it (network, FAT): fsync, as elsewhere
            pass
    os.fsync(fd)


def flush_folder(folder: str | os.PathLike[str]) -> None:
    """Make a rename in ``folder`` last, where the system can (best effort; not Windows)."""
    directory = getattr(os, "O_DIRECTORY", 0)
    if WINDOWS or not directory:
        return
    try:
        fd = os.open(folder, os.O_RDONLY | directory)
    except OSError:
        return
    try:
        flush(fd)
    except OSError:
        return  # some file systems cannot flush a folder; the rename is done anyway
    finally:
        os.close(fd)


def replace(source: str, target: str, sleep: Callable[[float], None] | None = None) -> None:
    """``os.replace``; on Windows tried again while another program holds ``target``."""
    import time

    for attempt in range(1, REPLACE_ATTEMPTS + 1):
        try:
            os.replace(source, target)
            return
        except PermissionError as err:
            held = getattr(err, "winerror", None) in SHARING_ERRORS
            if not WINDOWS or not held or attempt == REPLACE_ATTEMPTS:
                raise
        (sleep or time.sleep)(REPLACE_PAUSE)


def user_id() -> int | None:
    """The user's id, to compare with a file's owner; None on Windows (no such id)."""
    if WINDOWS or sys.platform == "win32":
        return None
    return os.geteuid()


def checks_modes() -> bool:
    """Whether a file's mode bits say who may read it (not on Windows, where ACLs do, and
    aws-mfa does not read them)."""
    return not WINDOWS


def set_mode(fd: int, mode: int) -> None:
    """Give the open file ``fd`` the POSIX ``mode`` (Windows has no such bits)."""
    if not WINDOWS and sys.platform != "win32":
        os.fchmod(fd, mode)


def give_to(fd: int, uid: int, gid: int) -> None:
    """Make the open file ``fd`` belong to ``uid`` when it is not ours (only root may; the
    file then stays ours, with the old file's mode)."""
    if WINDOWS or sys.platform == "win32" or uid == os.geteuid():
        return
    try:
        os.fchown(fd, uid, gid)
    except OSError:
        return


class Terminal:
    """The user's terminal: prompts are written where they see them, lines read where they
    type. On POSIX both are ``/dev/tty``; on Windows ``CONOUT$`` and ``CONIN$``."""

    def __init__(self, reader: int, writer: int) -> None:
        self.reader, self.writer = reader, writer

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        while data:
            data = data[os.write(self.writer, data) :]

    def read_line(self) -> str:
        """One line as typed, unbuffered (nothing after it is taken); "" at the end."""
        data = b""
        while not data.endswith(b"\n"):
            byte = os.read(self.reader, 1)
            if not byte:
                break
            data += byte
        return data.decode("utf-8", "replace").replace("\r\n", "\n")

    def close(self) -> None:
        os.close(self.reader)
        if self.writer != self.reader:
            os.close(self.writer)


def open_terminal() -> Terminal:
    """The controlling terminal; OSError when there is none (cron, CI, an SDK's helper)."""
    if WINDOWS:
        reader = os.open("CONIN$", os.O_RDONLY | BINARY)
        try:
            writer = os.open("CONOUT$", os.O_WRONLY | BINARY)
        except OSError:
            os.close(reader)
            raise
        return Terminal(reader, writer)
    fd = os.open("/dev/tty", os.O_RDWR | getattr(os, "O_NOCTTY", 0))
    return Terminal(fd, fd)


def has_terminal() -> bool:
    """Whether there is a terminal to ask on (it is opened, then closed)."""
    try:
        open_terminal().close()
    except OSError:
        return False
    return True


def in_terminal_foreground() -> bool:
    """Whether Ctrl-C typed on the terminal reaches this process's children by itself: they
    are in its foreground group (POSIX), or share its console (Windows)."""
    if WINDOWS:
        return has_terminal()
    try:
        terminal = open_terminal()
    except OSError:
        return False
    try:
        if sys.platform == "win32":
            return True
        return os.tcgetpgrp(terminal.reader) == os.getpgrp()
    except OSError:
        return False
    finally:
        terminal.close()


def run_in_place(command: Sequence[str], env: Mapping[str, str]) -> NoReturn:
    """Become ``command``: on POSIX by ``execvpe``, so that its exit code and every signal
    are its own; on Windows, where ``exec`` only starts a process and returns, by running it
    as a child and ending with its exit code. OSError when it cannot be started."""
    if not WINDOWS:
        os.execvpe(command[0], list(command), dict(env))  # noqa: S606 (what the user typed)
    import subprocess

    child = subprocess.Popen(list(command), env=dict(env))
    sys.exit(wait_ignoring_ctrl_c(child))


def wait_ignoring_ctrl_c(child: object) -> int:
    """The exit code of ``child`` (a Popen). Ctrl-C reaches it through the console; this
    process only waits for it, as a shell does."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        code: int = child.wait()  # type: ignore[attr-defined]
    finally:
        signal.signal(signal.SIGINT, previous)
    return 128 - code if code < 0 else code


def signals(names: Sequence[str]) -> list[int]:
    """The signals among ``names`` this system has (Windows has no SIGHUP)."""
    import signal

    return [int(getattr(signal, name)) for name in names if hasattr(signal, name)]


PR_SET_PDEATHSIG = 1
"""``<linux/prctl.h>``: the signal the kernel sends a process when its parent dies."""


def die_with_parent() -> Callable[[], None] | None:
    """On Linux, what a child runs before it starts: SIGTERM it when aws-mfa dies.

    The C function is looked up here, in the parent, so that the child
    (forked from a process with threads) runs only the system call,
    ``getppid`` and perhaps ``kill``: when aws-mfa died before the call, the
    signal would never come, and the child sends it to itself. Elsewhere, or
    without ``prctl``: None, and nothing is arranged (docs/outputs.md says
    what happens there).
    """
    if WINDOWS or not sys.platform.startswith("linux"):
        return None
    import ctypes
    import signal

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent, sigterm = os.getpid(), int(signal.SIGTERM)

    def in_the_child() -> None:
        if prctl(PR_SET_PDEATHSIG, sigterm, 0, 0, 0) == 0 and os.getppid() != parent:
            os.kill(os.getpid(), sigterm)

    return in_the_child
