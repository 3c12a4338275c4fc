"""The audit log: one JSON line for each hand-out of credentials, ``~/.aws/aws-mfa-audit.jsonl``.

A hand-out is any moment aws-mfa gives credentials to something outside it: a
renewal writing them to a short-term section (``login``, and the renewals of
``export``, ``exec`` and ``console``), ``export`` printing them, ``exec``
giving them to its command, each new credential the endpoint of
``exec --server`` holds to serve, ``console`` signing in with them, and
``export --stored`` printing the keys of a profile as they are. Each
appends one line (shown folded here)::

    {"time": "2026-11-22T21:12:44Z", "command": "export", "profile": "prod",
     "to": "stdout", "role_arn": "arn:aws:iam::210987654321:role/admin",
     "access_key_id": "ASIA...", "expiration": "2026-11-22T22:12:44Z",
     "agent": null, "session_policy_arns": [], "pid": 4242,
     "requester": {"pid": 4200, "executable": "/usr/bin/bash",
                   "command": ["bash", "-c", "aws-mfa export -p prod"]}}

The access key id is not a secret: it is what CloudTrail records for every
call made with the credentials, so it joins a line to what they did. No
secret access key, session token, MFA code or sign-in URL is ever written;
a requester's command line that holds the code or a handed-out secret has
them replaced with ``<redacted>``. The requester is aws-mfa's parent process,
as far as the system tells (:func:`aws_mfa.system.requester`).

The file is the user's alone: created 0600 in ``~/.aws`` (the home, whatever
folder the credentials file is in, as for the cache of MFA sessions), never
appended to through a symbolic link, nor when another user owns it; a file
of the user's that others may read is made 0600 again, with a warning. Each
line is one ``write`` to a file opened for appending, which a POSIX system
places at the end as a whole, so runs side by side never mix their lines and
the hand-out takes no lock (on Windows it does: :func:`aws_mfa.system.appends_whole`).
Past 1 MiB the file is rotated under the lock of :mod:`aws_mfa.files.lock`
(``aws-mfa-audit.jsonl.1`` to ``.4``: five files of 1 MiB at most), the size checked
again under it so that two runs never rotate twice.

A hand-out that cannot be logged does not happen: the log is the record of
what was handed to whom, and the user asked for it, so the command stops
with one line (exit code 3) before anything is handed over. The file and its
folder are checked before any MFA code is asked for (:meth:`Trail.problem`).
``aws_mfa_audit = false`` turns the log off.

What it does not do: decide what is handed out, or read the log back for
people (``aws-mfa audit``, :mod:`aws_mfa.commands.audit`).
"""

from __future__ import annotations

import os

from aws_mfa import log, system
from aws_mfa.clock import timezone, utc_now
from aws_mfa.errors import FileError
from aws_mfa.files import read
from aws_mfa.keys import LongTermKeys, TemporaryCredentials
from aws_mfa.outputs import json_string
from aws_mfa.records import Record

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from aws_mfa.clock import Clock, datetime
    from aws_mfa.settings.resolve import Settings

FILE = os.path.join("~", ".aws", "aws-mfa-audit.jsonl")
MAX_SIZE = 1 << 20
"""Bytes past which the file is rotated."""
KEPT = 5
"""Files kept: the current one and ``.1`` to ``.4``."""
REDACTED = "<redacted>"
COMMAND_LENGTH = 4096
"""Characters of a requester's command line kept: enough to know it, never a flood."""


def default_path() -> str:
    """``~/.aws/aws-mfa-audit.jsonl`` in the user's home."""
    return os.path.expanduser(FILE)


def rotated(path: str, number: int) -> str:
    """The ``number``-th older file (0: the current one)."""
    return f"{path}.{number}" if number else path


class Handout(Record):
    """What one line records (besides the time and the requester)."""

    command: str
    profile: str
    to: str
    """Where the credentials went: ``[SECTION]`` of the credentials file, ``stdout``,
    ``environment`` (exec), ``endpoint`` (exec --server) or ``sign-in`` (console)."""
    role_arn: str | None
    credentials: TemporaryCredentials | LongTermKeys
    """What was handed out (keys without a session: ``export --stored`` of plain keys)."""
    agent: str | None = None
    session_policy_arns: tuple[str, ...] = ()


class Trail:
    """Where hand-outs are logged, and whether: one per run, made by the command.

    ``scrub``: what must never reach the file (the MFA code given), besides the credentials
    handed out. ``requester``: aws-mfa's parent, as :func:`aws_mfa.system.requester` tells.
    """

    def __init__(
        self,
        enabled: bool,
        path: str | None = None,
        *,
        lock_timeout: float = 10.0,
        clock: Clock = utc_now,
        scrub: Iterable[str | None] = (),
        requester: Mapping[str, object] | None = None,
    ) -> None:
        self.enabled, self.path = enabled, path or default_path()
        self.lock_timeout, self.clock = lock_timeout, clock
        self.scrub = [word for word in scrub if word]
        self.requester = requester

    def problem(self) -> str | None:
        """Why a line could not be appended now (checked before any code is asked for), or
        None: the file must be a regular file of the user's, not a link."""
        if not self.enabled:
            return None
        try:
            status = os.lstat(self.path)
        except FileNotFoundError:
            return None
        except OSError as err:
            return f"cannot look at the audit log {system.shown(self.path)}: {err.strerror}"
        # the user's own, open to others: made 0600 again by the write
        wrong = read.owner_problem(status, open_ok=True) or read.kind_problem(status.st_mode)
        return f"the audit log {system.shown(self.path)} is {wrong}" if wrong else None

    def record(self, handout: Handout) -> None:
        """Append the line of ``handout``; a FileError when it cannot be (the caller then
        hands nothing out)."""
        if not self.enabled:
            return
        problem = self.problem()
        if problem:
            raise refused(problem)
        line = self.line(handout).encode("utf-8")
        try:
            append(self.path, line, self.lock_timeout)
        except OSError as err:
            raise refused(
                f"cannot write the audit log {system.shown(self.path)}: {err.strerror}"
            ) from err

    def line(self, handout: Handout) -> str:
        """The JSON line of ``handout`` (without ``json``: ``export`` on the valid path writes
        one, see docs/performance.md)."""
        creds = handout.credentials
        hidden = [*self.scrub, creds.secret_access_key]
        expiration = None
        if isinstance(creds, TemporaryCredentials):
            hidden.append(creds.session_token)
            expiration = stamp(creds.expiration)
        requester = self.requester
        if requester is None:
            requester = self.requester = system.requester()
        fields: dict[str, object] = {
            "time": stamp(self.clock()),
            "command": handout.command,
            "profile": handout.profile,
            "to": handout.to,
            "role_arn": handout.role_arn,
            "access_key_id": creds.access_key_id,
            "expiration": expiration,
            "agent": handout.agent,
            "session_policy_arns": list(handout.session_policy_arns),
            "pid": os.getpid(),
            "requester": {name: scrubbed(value, hidden) for name, value in requester.items()},
        }
        return json_value(fields) + "\n"


def of_settings(settings: Settings, clock: Clock = utc_now) -> Trail:
    """The audit log as a profile's settings say (``aws_mfa_audit``); the code given is
    never written."""
    return Trail(
        settings.audit, lock_timeout=settings.lock_timeout, clock=clock, scrub=(settings.token,)
    )


def check(trail: Trail) -> None:
    """Stop before any code or STS call when a hand-out could not be logged."""
    problem = trail.problem()
    if problem:
        raise refused(problem)


def refused(problem: str) -> FileError:
    return FileError(
        f"{problem}; nothing was handed out, as every hand-out is logged: fix or move the "
        "file (see 'aws-mfa doctor'), or turn the log off with aws_mfa_audit = false"
    )


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def scrubbed(value: object, hidden: list[str]) -> object:
    """``value`` with every word of ``hidden`` replaced (a command line, word by word), cut
    to :data:`COMMAND_LENGTH` characters in all."""
    if isinstance(value, list):
        kept, room = [], COMMAND_LENGTH
        for word in value:
            if room <= 0:
                break
            text = str(scrubbed(word, hidden))[:room]
            kept.append(text)
            room -= len(text)
        return kept
    if isinstance(value, str):
        for word in hidden:
            value = value.replace(word, REDACTED)
        return value[:COMMAND_LENGTH]
    return value


def json_value(value: object) -> str:
    """``value`` (text, numbers, None, lists and dicts of them) as one line of JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(json_value, value)) + "]"
    if isinstance(value, dict):
        pairs = (f"{json_string(str(key))}: {json_value(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"no JSON for {type(value).__name__}")


def append(path: str, line: bytes, lock_timeout: float) -> None:
    """Append ``line`` in one write, rotating the file first when it would pass
    :data:`MAX_SIZE`; the file is created 0600 (and its folder 0700) when missing. Where one
    appending write is not whole against other processes (Windows), under the lock."""
    if system.appends_whole():
        append_unlocked(path, line, lock_timeout)
        return
    from aws_mfa.files.lock import locked

    with locked(path, lock_timeout):
        append_unlocked(path, line, None)


def append_unlocked(path: str, line: bytes, lock_timeout: float | None) -> None:
    """:func:`append`'s work; ``lock_timeout`` None: the lock is held already."""
    fd = open_to_append(path)
    try:
        if os.fstat(fd).st_size + len(line) > MAX_SIZE:
            os.close(fd)
            fd = -1
            rotate(path, len(line), lock_timeout)
            fd = open_to_append(path)
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(28, os.strerror(28))  # a short write: the disk is full
    finally:
        if fd >= 0:
            os.close(fd)


def open_to_append(path: str) -> int:
    """The file opened for appending, when it is a regular file of the user's (made 0600
    again, with a warning, when others may read it)."""
    import stat

    try:
        fd = system.open_to_append(path, 0o600)
    except FileNotFoundError:
        from aws_mfa.files.safe_write import make_folder

        make_folder(os.path.dirname(path))
        fd = system.open_to_append(path, 0o600)
    status = os.fstat(fd)
    wrong = read.owner_problem(status, open_ok=True) or read.kind_problem(status.st_mode)
    if wrong:
        os.close(fd)
        raise refused(f"the audit log {system.shown(path)} is {wrong}")
    opened = read.open_to_others(status)
    if opened:
        system.set_mode(fd, 0o600)
        log.warning("The audit log %s was %s; it is 0600 again", system.shown(path), opened)
    if system.checks_modes() and stat.S_IMODE(status.st_mode) != 0o600 and not status.st_size:
        system.set_mode(fd, 0o600)  # new, and the umask took bits away
    return fd


def rotate(path: str, needed: int, lock_timeout: float | None) -> None:
    """Move the file to ``.1`` (and ``.1`` to ``.2``...; the oldest goes), under the lock
    (``lock_timeout`` None: held already), unless another run did while this one waited."""
    if lock_timeout is None:
        shift(path, needed)
        return
    from aws_mfa.files.lock import locked

    with locked(path, lock_timeout):
        shift(path, needed)


def shift(path: str, needed: int) -> None:
    """The rotation itself, under the lock: the size is checked again first."""
    try:
        if os.lstat(path).st_size + needed <= MAX_SIZE:
            return
    except FileNotFoundError:
        return
    for number in range(KEPT - 1, 0, -1):
        older = rotated(path, number - 1)
        if os.path.lexists(older):
            system.replace(older, rotated(path, number))
    log.debug("Rotated the audit log %s", system.shown(path))


def paths(path: str) -> list[str]:
    """The files of the log, oldest first."""
    return [rotated(path, number) for number in range(KEPT - 1, -1, -1)]
