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
  dies with aws-mfa (``PR_SET_PDEATHSIG``);
- **appending**: one ``O_APPEND`` write lands whole on POSIX; on Windows
  it does not, and the audit log's writer locks (:func:`appends_whole`);
- **who asked** (the audit log's requester, :func:`requester`): on Linux the
  parent's executable and command line from ``/proc``; on macOS its
  executable from ``proc_pidpath``; on Windows from
  ``QueryFullProcessImageNameW``; elsewhere its process id alone;
- **the terminal lent to a command** (``exec --server``): on POSIX the
  command gets a pseudo-terminal that :class:`TerminalRelay` joins to the
  user's, and a prompt takes the terminal back through
  :func:`open_terminal`; on Windows the console is the command's
  (:class:`ConsoleLent`) and is not asked on.

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
    import threading
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, NoReturn

    from aws_mfa.keys import Redactor

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


def canonical_path(path: str | os.PathLike[str]) -> str:
    """The one name of the file at ``path``, however it was typed: links resolved, and where
    file names ignore case, one case: lower case on Windows (``normcase``), and on macOS the
    case the file system keeps (``F_GETPATH``), for a file that exists. Linux's names are
    case-sensitive: there two cases are two files."""
    real = os.path.normcase(os.path.realpath(os.fspath(path)))
    if not (MACOS and sys.platform == "darwin"):
        return real
    import fcntl

    try:
        fd = os.open(real, os.O_RDONLY | NONBLOCK | CLOEXEC)
    except OSError:
        return real  # no file yet: the name as typed is all there is
    try:
        return os.fsdecode(fcntl.fcntl(fd, fcntl.F_GETPATH, bytes(1024)).rstrip(b"\0"))
    except OSError:
        return real
    finally:
        os.close(fd)


def user_path(text: str) -> str:
    """``text`` as a path to use and show: ``~`` made the home folder, and the system's own
    separator throughout (on Windows ``~/.aws/x`` would otherwise be ``C:\\Users\\me/.aws/x``:
    it works, but reads as two systems' paths in one)."""
    expanded = os.path.expanduser(text)
    return expanded.replace(os.altsep, os.sep) if os.altsep else expanded


def shown(path: str | os.PathLike[str], quote: bool = True) -> str:
    """A path as a message shows it: in the system's own form, quoted unless told not to.

    Not ``repr``, which doubles every backslash of a Windows path; and with
    one separator: ``C:\\Users\\me/.aws`` (a Windows home joined to a POSIX
    tail) is shown ``C:\\Users\\me\\.aws``. A character that cannot be
    printed (a newline in a hostile name) is escaped, so the message stays
    one line.
    """
    text = os.fspath(path)
    if os.altsep:
        text = text.replace(os.altsep, os.sep)
    if not text.isprintable():
        text = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    return f"'{text}'" if quote else text


def open_to_read(path: str | os.PathLike[str], follow_links: bool = True) -> int:
    """A file opened to read, in binary mode, never waiting on a FIFO."""
    flags = os.O_RDONLY | BINARY | CLOEXEC | NONBLOCK | (0 if follow_links else NOFOLLOW)
    return os.open(path, flags)


def open_to_append(path: str | os.PathLike[str], mode: int) -> int:
    """A file opened to append to, binary, created with ``mode`` when missing, never through
    a link where the system can tell, never waiting on a FIFO (see :func:`appends_whole`)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | NOFOLLOW | NONBLOCK | BINARY | CLOEXEC
    return os.open(path, flags, mode)


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


def appends_whole() -> bool:
    """Whether one ``write`` to a file opened with ``O_APPEND`` lands at its end whole, even
    with other processes appending (POSIX); on Windows the C library seeks to the end and
    then writes, two steps another process may come between, so a lock is needed there."""
    return not WINDOWS


def requester() -> dict[str, object]:
    """aws-mfa's parent process, as far as the system tells cheaply: ``pid`` always;
    ``executable`` on Linux, macOS and Windows; ``command`` (its words) on Linux alone
    (elsewhere it needs a privileged or slow call). What cannot be read is None."""
    parent = parent_pid()
    executable: str | None = None
    command: list[str] | None = None
    if not WINDOWS and sys.platform.startswith("linux"):
        try:
            executable = os.readlink(f"/proc/{parent}/exe")
        except OSError:
            executable = None
        try:
            with open(f"/proc/{parent}/cmdline", "rb") as words:
                text = words.read(65536).decode("utf-8", "replace")
            command = text.rstrip("\0").split("\0") if text else None
        except OSError:
            command = None
    elif parent is not None:
        executable = executable_of(parent)
    return {"pid": parent, "executable": executable, "command": command}


def parent_pid() -> int | None:
    """aws-mfa's parent process id; None where the system does not tell.

    On Windows it is read from a process snapshot (Toolhelp32), as Python 3.11's
    ``os.getppid`` read it: 3.12's calls ``PssCaptureSnapshot``, which Wine does
    not have, and there a missing function ends the process at once.
    """
    if sys.platform != "win32":
        return os.getppid()
    import ctypes
    from ctypes import wintypes

    class Entry(ctypes.Structure):  # PROCESSENTRY32W
        _fields_ = [
            ("dwSize", wintypes.DWORD),
            ("cntUsage", wintypes.DWORD),
            ("th32ProcessID", wintypes.DWORD),
            ("th32DefaultHeapID", ctypes.c_size_t),
            ("th32ModuleID", wintypes.DWORD),
            ("cntThreads", wintypes.DWORD),
            ("th32ParentProcessID", wintypes.DWORD),
            ("pcPriClassBase", ctypes.c_long),
            ("dwFlags", wintypes.DWORD),
            ("szExeFile", ctypes.c_wchar * 260),
        ]

    kernel = ctypes.WinDLL("kernel32")
    kernel.CreateToolhelp32Snapshot.restype = wintypes.HANDLE
    snapshot = kernel.CreateToolhelp32Snapshot(0x2, 0)  # TH32CS_SNAPPROCESS
    if not snapshot or snapshot == ctypes.c_void_p(-1).value:  # INVALID_HANDLE_VALUE
        return None
    try:
        entry = Entry()
        entry.dwSize = ctypes.sizeof(Entry)
        mine = os.getpid()
        found = kernel.Process32FirstW(snapshot, ctypes.byref(entry))
        while found:
            if entry.th32ProcessID == mine:
                return int(entry.th32ParentProcessID)
            found = kernel.Process32NextW(snapshot, ctypes.byref(entry))
        return None
    finally:
        kernel.CloseHandle(snapshot)


def executable_of(pid: int) -> str | None:
    """The executable of process ``pid`` on macOS (``proc_pidpath``) and Windows
    (``QueryFullProcessImageNameW``); None where that fails."""
    import ctypes

    try:
        if sys.platform == "win32":
            kernel = ctypes.windll.kernel32
            handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
            if not handle:
                return None
            try:
                size = ctypes.c_ulong(32768)
                name = ctypes.create_unicode_buffer(size.value)
                if not kernel.QueryFullProcessImageNameW(handle, 0, name, ctypes.byref(size)):
                    return None
                return str(name.value)
            finally:
                kernel.CloseHandle(handle)
        if sys.platform == "darwin":
            libproc = ctypes.CDLL("/usr/lib/libproc.dylib")
            path = ctypes.create_string_buffer(4096)
            if libproc.proc_pidpath(pid, path, 4096) <= 0:
                return None
            return path.value.decode("utf-8", "replace")
    except (OSError, AttributeError, ValueError):
        return None
    return None


class Terminal:
    """The user's terminal: prompts are written where they see them, lines read where they
    type. On POSIX both are ``/dev/tty``; on Windows ``CONOUT$`` and ``CONIN$``.

    ``lender``: what lent the terminal to a command and took it back for this use
    (:func:`open_terminal`); closing gives it back."""

    def __init__(self, reader: int, writer: int, lender: Lender | None = None) -> None:
        self.reader, self.writer, self.lender = reader, writer, lender

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
        try:
            os.close(self.reader)
            if self.writer != self.reader:
                os.close(self.writer)
        finally:
            if self.lender is not None:
                self.lender.give_back()


class Lender:
    """What lent the user's terminal to a command (``exec --server``'s), and takes it back
    for aws-mfa's own use: :class:`TerminalRelay` on POSIX, :class:`ConsoleLent` on Windows."""

    def borrow(self) -> None:
        """Take the terminal back until :meth:`give_back`; OSError when it cannot be."""
        raise NotImplementedError

    def give_back(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Lender:
        """The terminal is lent inside the ``with`` block (see :data:`LENT`)."""
        LENT.append(self)
        return self

    def __exit__(self, *exception: object) -> None:
        LENT.remove(self)


LENT: list[Lender] = []
"""The lender of the terminal while a command holds it (at most one): the terminal is one
per process, and every use of it in the process goes through :func:`open_terminal`."""


def terminal_lent() -> bool:
    """Whether the terminal is lent to a command (a stdin that is a terminal is then the
    command's too, and is not read instead of the terminal)."""
    return bool(LENT)


def open_terminal() -> Terminal:
    """The controlling terminal; OSError when there is none (cron, CI, an SDK's helper).

    While the terminal is lent to a command (:data:`LENT`), it is taken back
    first, so that aws-mfa is its only reader until the :class:`Terminal` is
    closed; or OSError where it cannot be taken back (Windows).
    """
    lender = LENT[0] if LENT else None
    if lender is not None:
        lender.borrow()
    try:
        terminal = open_device()
    except OSError:
        if lender is not None:
            lender.give_back()
        raise
    terminal.lender = lender
    return terminal


def open_device() -> Terminal:
    """``/dev/tty``, or on Windows the console."""
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


def command_text(words: Sequence[str]) -> str:
    """``words`` as one command line that splits back into them the way this OS's tools
    split one: POSIX shell quoting, or on Windows the C runtime's rules (botocore splits a
    ``credential_process`` line by the same)."""
    if WINDOWS:
        import subprocess

        return subprocess.list2cmdline(list(words))
    import shlex

    return shlex.join(words)


def split_command(text: str) -> list[str]:
    """A command line a user wrote in a setting, split into words the way this OS's tools
    split one, with no shell run: POSIX shell quoting (``shlex``: quotes, backslashes, no
    variables or globs), or on Windows the C runtime's rules (:func:`windows_words`), so
    that ``"C:\\Program Files\\KeePassXC\\keepassxc-cli.exe" show ...`` keeps its
    backslashes. ValueError for an unclosed quote. The inverse of :func:`command_text`."""
    if WINDOWS:
        return windows_words(text)
    import shlex

    return shlex.split(text)


def windows_words(text: str) -> list[str]:
    """``text`` split as the Microsoft C runtime splits a command line into ``argv`` (and
    ``subprocess.list2cmdline`` joins one): spaces and tabs separate words outside double
    quotes; a backslash is itself unless backslashes end at a double quote, where each pair
    gives one and an odd one makes the quote literal; ``""`` inside quotes is one quote;
    single quotes are plain characters. ValueError for an unclosed quote."""
    words: list[str] = []
    word: list[str] = []
    in_word = quoted = False
    index, end = 0, len(text)
    while index < end:
        char = text[index]
        if char == "\\":
            run = len(text[index:]) - len(text[index:].lstrip("\\"))
            index += run
            if index < end and text[index] == '"':
                word.append("\\" * (run // 2))
                if run % 2:
                    word.append('"')
                    index += 1
            else:
                word.append("\\" * run)
            in_word = True
            continue
        if char == '"':
            if quoted and text[index + 1 : index + 2] == '"':
                word.append('"')
                index += 2
                continue
            quoted, in_word = not quoted, True
        elif char in " \t" and not quoted:
            if in_word:
                words.append("".join(word))
            word, in_word = [], False
        else:
            word.append(char)
            in_word = True
        index += 1
    if quoted:
        raise ValueError("No closing quotation")
    if in_word:
        words.append("".join(word))
    return words


def run_captured(
    words: Sequence[str], timeout: float, given: bytes | None = None
) -> tuple[int, bytes]:
    """Run ``words`` with no shell; its exit status and what it printed on stdout.

    Its stderr is aws-mfa's, so that what it says reaches the user. Its stdin
    is ``given`` through a pipe; else the terminal, when there is one, so that
    the program can ask there (to unlock a password manager, say); else empty.
    The terminal has one reader at a time: taken back from a command it was
    lent to (:func:`open_terminal`), it is the program's alone until it ends,
    and aws-mfa does not read it meanwhile. A program still running after
    ``timeout`` seconds is killed (``subprocess.TimeoutExpired``), and the
    terminal's modes it may have changed (no echo) are put back. OSError when
    it cannot be started.
    """
    import subprocess

    terminal: Terminal | None = None
    if given is None:
        try:
            terminal = open_terminal()
        except OSError:
            terminal = None
    stdin = terminal.reader if terminal is not None else subprocess.DEVNULL
    modes = terminal_modes(terminal.reader) if terminal is not None else None
    try:
        done = subprocess.run(
            list(words),
            input=given,
            stdin=None if given is not None else stdin,
            stdout=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
    except BaseException:  # stopped: its timeout, Ctrl-C
        if terminal is not None and modes is not None:
            put_back_modes(terminal.reader, modes)
        raise
    finally:
        if terminal is not None:
            terminal.close()
    return done.returncode, done.stdout


def terminal_modes(fd: int) -> list[Any] | None:
    """The terminal's modes (POSIX), to put back after a program killed while it had echo
    off; None where there are none to keep."""
    if sys.platform == "win32":
        return None
    import termios

    try:
        return termios.tcgetattr(fd)
    except termios.error:
        return None


def put_back_modes(fd: int, modes: list[Any]) -> None:
    """Put the terminal's modes back, only while this process is in its foreground (else
    the system would stop it for touching the terminal)."""
    if sys.platform == "win32":
        return
    import termios

    try:
        if os.tcgetpgrp(fd) == os.getpgrp():
            termios.tcsetattr(fd, termios.TCSADRAIN, modes)
    except (OSError, termios.error):
        return


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


class ConsoleLent(Lender):
    """Windows: the console is the command's while it runs, and is not taken back.

    Windows has no job control: nothing stops a program that reads the
    console while another does, and no pseudo-terminal aws-mfa could put
    between them here. So a prompt does not race the command for the typed
    code: the terminal counts as absent (:func:`open_terminal` fails), and a
    code is asked for in a dialog (``--prompt auto`` chooses PowerShell's) or
    the renewal fails with one line saying how to give codes instead.
    """

    def borrow(self) -> None:
        raise OSError("the console belongs to the command exec --server runs")

    def give_back(self) -> None:
        """Nothing was taken."""


def is_controlling_terminal(fd: int) -> bool:
    """Whether ``fd`` is this process's controlling terminal (``tcgetpgrp`` fails on any
    other file, another terminal too; ``/dev/tty``'s own device number names no terminal)."""
    if sys.platform == "win32":
        return False
    try:
        os.tcgetpgrp(fd)
    except OSError:
        return False
    return True


def is_pipe(fd: int) -> bool:
    """Whether ``fd`` is a pipe or a socket (``| less``: another program of the pipeline, a
    pager, may read the terminal)."""
    import stat

    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def terminal_relay() -> TerminalRelay | None:
    """A relay of the user's terminal for a command, when aws-mfa can lend it one; None
    where the command gets the terminal as it is: on Windows; with no controlling terminal;
    when stdin is not that terminal (the command cannot read it there); when stdout is a
    pipe (a pager after it reads the keys, which the relay would take); when aws-mfa does
    not hold the terminal's foreground (it runs in the background)."""
    if WINDOWS:
        return None
    if sys.platform == "win32":
        return None
    try:
        terminal = open_device()
    except OSError:
        return None
    fd = terminal.reader
    try:
        if is_controlling_terminal(0) and not is_pipe(1) and os.tcgetpgrp(fd) == os.getpgrp():
            return TerminalRelay(fd)
    except OSError:
        pass
    os.close(fd)
    return None


NO_PTY = "Windows has no pseudo-terminals"

PAUSE_CEILING = 5.0
"""Seconds a prompt waits for the relay to stop reading the terminal (it stops at once; it
may have ended with the command)."""


class TerminalRelay(Lender):
    """The user's terminal lent to a command on a pseudo-terminal of its own (POSIX).

    Job control alone cannot keep a command from reading what is typed for
    aws-mfa: a read already waiting on the terminal (a shell at its prompt, a
    REPL, ``terraform apply`` asking for "yes") keeps waiting when the
    foreground changes and takes the next line; interactive shells ignore
    SIGTTIN and take the terminal back. So, as ``sudo`` (``use_pty``),
    ``script`` and ``ssh`` do, the command runs in a new session whose
    controlling terminal is a pseudo-terminal (its stdin, and its stdout and
    stderr where they were the terminal), and aws-mfa copies bytes between it
    and the user's terminal, which it puts in raw mode. A prompt borrows the
    terminal (:meth:`borrow`, through :func:`open_terminal`): the relay stops
    reading it, its modes are put back for the line to be typed, and the
    command's reads wait until :meth:`give_back`. The command keeps writing.

    Signals: Ctrl-C, Ctrl-\\ and the rest go to the pseudo-terminal as bytes,
    whose line discipline signals the command's foreground job, as the
    terminal would have. Ctrl-Z too, except when the command holds its
    pseudo-terminal's foreground itself (not a shell running a job): a session
    leader's group is orphaned and would ignore SIGTSTP, so aws-mfa stops it
    (SIGSTOP), then stops itself (SIGTSTP) as the whole job used to stop; on
    ``fg`` both continue. The window size follows the terminal's (SIGWINCH).
    """

    terminal: int
    master: int
    slave: int
    wake_reader: int
    wake_writer: int
    modes: list[Any]
    lock: threading.Lock
    paused: threading.Event
    borrowers: int
    pause: bool
    listening: bool
    finished: bool
    closed: bool
    pid: int
    redactor: Redactor | None
    """What the command writes passes through it (``exec --redact``), when set."""

    def __init__(self, terminal: int) -> None:
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        import pty
        import termios
        import threading

        self.terminal = terminal
        self.modes = termios.tcgetattr(terminal)
        self.master, self.slave = pty.openpty()
        termios.tcsetattr(self.slave, termios.TCSANOW, self.modes)
        self.copy_window_size()
        self.wake_reader, self.wake_writer = os.pipe()
        os.set_blocking(self.wake_writer, False)
        self.lock = threading.Lock()
        self.borrowers = 0
        self.pause = False
        self.listening = False
        self.paused = threading.Event()
        self.finished = False
        self.closed = False
        self.pid = 0
        self.redactor = None

    def streams(self) -> list[int | None]:
        """The command's stdin, stdout and stderr: the pseudo-terminal where aws-mfa's are the
        user's terminal; None (aws-mfa's own) where they are not."""
        return [self.slave if is_controlling_terminal(fd) else None for fd in (0, 1, 2)]

    def child_setup(self, also: Callable[[], None] | None) -> Callable[[], None]:
        """What the command's process runs before it starts, after ``setsid()``: the
        pseudo-terminal becomes its controlling terminal; then ``also``."""
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        import fcntl
        import termios

        slave, request = self.slave, termios.TIOCSCTTY

        def in_the_child() -> None:
            fcntl.ioctl(slave, request, 0)
            if also is not None:
                also()

        return in_the_child

    def started(self, pid: int) -> None:
        """The command runs: only it holds the pseudo-terminal's other side now."""
        self.pid = pid
        os.close(self.slave)
        self.slave = -1  # never closed twice: the number may be another file's by then

    def poke(self) -> None:
        """Make the relay look again (under :attr:`lock`, while it is open)."""
        try:
            os.write(self.wake_writer, b".")
        except OSError:  # full: it will look anyway
            return

    def copy_window_size(self) -> None:
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        import fcntl
        import termios

        try:
            size = fcntl.ioctl(self.terminal, termios.TIOCGWINSZ, b"\0" * 8)
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, size)
        except OSError:
            return

    def set_modes(self, raw: bool) -> None:
        """The terminal in raw mode (bytes pass as typed), or back in the modes it had."""
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        import termios
        import tty

        try:
            if raw:
                tty.setraw(self.terminal, termios.TCSADRAIN)
            else:
                termios.tcsetattr(self.terminal, termios.TCSADRAIN, self.modes)
        except (OSError, termios.error):
            return

    def borrow(self) -> None:
        import threading

        with self.lock:
            self.borrowers += 1
            if self.borrowers > 1 or self.finished:
                return
            self.pause = True
            wait = self.listening  # else the relay is not reading the terminal now
            if wait:
                self.paused.clear()
                self.poke()
        if wait and threading.current_thread() is not threading.main_thread():
            self.paused.wait(PAUSE_CEILING)
        with self.lock:  # never a file of the relay's once it closed them
            if not self.finished:
                self.set_modes(raw=False)

    def give_back(self) -> None:
        with self.lock:
            self.borrowers -= 1
            if self.borrowers > 0 or self.finished:
                return
            self.set_modes(raw=True)
            self.pause = False
            self.poke()

    def suspend_char(self) -> bytes | None:
        """The byte that suspends (Ctrl-Z), when the terminal's modes give it that meaning."""
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        import termios

        if not self.modes[3] & termios.ISIG:
            return None
        char = self.modes[6][termios.VSUSP]
        return char if isinstance(char, bytes) and char != b"\0" else None

    def run(self, forward: Callable[[int], None]) -> int:
        """Relay until the command ends; its exit code (128 + N after signal N).

        ``forward(signal)``: what to do with SIGINT, SIGTERM and SIGHUP sent to
        aws-mfa (SIGINT now comes from the terminal only while a prompt holds
        it, and goes to the command's foreground job).
        """
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        import signal

        def on_signal(number: int, frame: object) -> None:
            forward(number)

        def look(number: int, frame: object) -> None:
            """The wakeup fd below has woken the relay already."""

        handlers: dict[int, Callable[..., object] | int | None] = {
            signal.SIGCHLD: look,
            signal.SIGWINCH: look,
            **{number: on_signal for number in signals(("SIGINT", "SIGTERM", "SIGHUP"))},
        }
        previous = {number: signal.signal(number, handler) for number, handler in handlers.items()}
        # Every signal (the command ended, the window changed) writes to the wakeup fd, which
        # ends the relay's wait at once, whichever thread the system gave the signal to.
        woken_by = signal.set_wakeup_fd(self.wake_writer, warn_on_full_buffer=False)
        with self.lock:
            if not self.pause:  # a prompt that came first has the terminal as it was
                self.set_modes(raw=True)
        own_lines(sys.stderr, raw=True)
        try:
            status = self.relay()
        finally:
            signal.set_wakeup_fd(woken_by)
            for number, handler in previous.items():
                signal.signal(number, handler)
            self.finish()
            own_lines(sys.stderr, raw=False)
        code = os.waitstatus_to_exitcode(status)
        return 128 - code if code < 0 else code

    def relay(self) -> int:
        """Copy bytes both ways until the command ends; its wait status."""
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        import select

        suspend = self.suspend_char()
        reading, output = True, True
        while True:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return status
            with self.lock:
                self.listening = reading and not self.pause
                if not self.listening:
                    self.paused.set()
                listen = [self.wake_reader, *([self.master] if output else [])]
                listen += [self.terminal] if self.listening else []
            ready, _, _ = select.select(listen, [], [])
            if self.wake_reader in ready:
                os.read(self.wake_reader, 512)
                self.copy_window_size()
            if self.master in ready:
                output = self.copy(self.master, self.terminal)
            if self.terminal in ready:
                reading = self.from_terminal(suspend)

    def copy(self, source: int, target: int) -> bool:
        """Copy what ``source`` has to ``target`` (through :attr:`redactor`); False at its
        end."""
        try:
            data = os.read(source, 65536)
        except OSError:  # EIO: the command's side is closed
            data = b""
        redactor = self.redactor
        write_all(target, data if redactor is None else redacted(redactor, data))
        return bool(data)

    def from_terminal(self, suspend: bytes | None) -> bool:
        """Pass what was typed to the command; False when the terminal is gone."""
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        try:
            data = os.read(self.terminal, 4096)
        except OSError:
            return False
        if not data:
            return False
        while suspend is not None and suspend in data and self.leads_itself():
            before, _, data = data.partition(suspend)
            write_all(self.master, before)
            self.suspend()
        write_all(self.master, data)
        return True

    def interrupt(self) -> None:
        """SIGINT to the command's foreground job, as Ctrl-C typed there would send it."""
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        import signal

        try:
            group = os.tcgetpgrp(self.master)
        except OSError:  # where the pseudo-terminal does not say (not Linux): the command's
            group = self.pid
        try:
            os.killpg(group, signal.SIGINT)
        except OSError:
            return

    def leads_itself(self) -> bool:
        """Whether the command holds its pseudo-terminal's foreground itself."""
        if sys.platform == "win32":
            return False
        try:
            return bool(os.tcgetpgrp(self.master) == self.pid)
        except OSError:
            return False

    def suspend(self) -> None:
        """Ctrl-Z: the command stops, then aws-mfa as its shell's job; both go on at ``fg``."""
        if sys.platform == "win32":
            raise OSError(NO_PTY)
        import signal

        try:
            os.killpg(self.pid, signal.SIGSTOP)
        except OSError:
            return
        self.set_modes(raw=False)
        os.kill(os.getpid(), signal.SIGTSTP)  # ignored when no shell does job control
        self.set_modes(raw=True)
        self.copy_window_size()
        try:
            os.killpg(self.pid, signal.SIGCONT)
        except OSError:
            return

    def finish(self) -> None:
        """The command ended: its last output shown, the terminal's modes back."""
        import select
        import time

        with self.lock:
            self.finished = True
            self.paused.set()
        deadline = time.monotonic() + FINAL_OUTPUT * 5  # a background job may write on
        while select.select([self.master], [], [], FINAL_OUTPUT)[0]:
            if not self.copy(self.master, self.terminal) or time.monotonic() > deadline:
                break
        if self.redactor is not None:
            write_all(self.terminal, self.redactor.end())
        self.set_modes(raw=False)
        self.close()

    def close(self) -> None:
        """Close what the relay opened (the command could not start, or it ended)."""
        with self.lock:
            self.finished = True
            self.paused.set()
            fds = (self.master, self.slave, self.wake_reader, self.wake_writer, self.terminal)
            for fd in fds if not self.closed else ():
                try:
                    if fd >= 0:
                        os.close(fd)
                except OSError:
                    continue
            self.closed = True


def own_lines(stream: object, raw: bool) -> None:
    """aws-mfa's own lines (its log on stderr) end in CR LF while the terminal they go to is
    raw, which moves down a line on LF alone; in LF again after. Only a stream that is
    the terminal, and a text stream that can be told (not a test's StringIO)."""
    reconfigure = getattr(stream, "reconfigure", None)
    fileno = getattr(stream, "fileno", None)
    if reconfigure is None or fileno is None:
        return
    try:
        if not is_controlling_terminal(fileno()):
            return
        stream.flush()  # type: ignore[attr-defined]
        reconfigure(newline="\r\n" if raw else "\n")
    except (OSError, ValueError):
        return


FINAL_OUTPUT = 0.2
"""Seconds the relay waits for more of what the command wrote just before it ended (the
pseudo-terminal hands it over asynchronously); it stops at once when the command's side
closes."""


def redacted(redactor: Redactor, data: bytes) -> bytes:
    """What of ``data`` can be shown now; at the stream's end (no data), what was held."""
    return redactor.feed(data) if data else redactor.end()


def write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]
