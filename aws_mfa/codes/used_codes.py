"""Remember which MFA codes were sent, so that none is sent twice.

STS rejects a one-time code it has already accepted, and a device shows the
same code for a whole 30-second window. So when two renewals for the same
device fall in one window (two profiles, one after the other), the second
would fail with the same code. aws-mfa remembers, for each code it sent, a
keyed digest of device and code, and the window it was sent in::

    {"codes": {"5f0c...": 59374183}, "devices": {"arn:aws:iam::123456789012:mfa/alice": 59374183}}

- A code given outright is refused only when that same code was sent in
  this window or the one before (STS accepts a code a little late); a
  different code is sent.
- Before asking for a code (terminal or command), aws-mfa waits for the next
  window when this device's code was sent in the current one.

No code is stored: the digest is an HMAC-SHA256 with a random key kept in
``~/.aws/aws-mfa-used-codes.key`` (0600), so the file cannot be checked
against the million possible codes without that key. The file is
``~/.aws/aws-mfa-used-codes.json``, 0600, written by
:func:`aws_mfa.files.safe_write.write_file`; entries older than a day are dropped.
A missing or broken file is an empty memory, and a file that cannot be
written is one WARNING line: this is best effort, and STS itself is the
final judge.

It also remembers, for each device, the last prompt the user refused (a
dialog cancelled or left unanswered, a YubiKey not touched) and when, as
``"refused": {device: [seconds, why]}``: runs that waited on the lock while
that prompt was shown fail with it instead of asking again
(:meth:`UsedCodes.refused_since`).

What it does not do: ask for codes (see :mod:`aws_mfa.codes.mfa_code`) or wait.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from aws_mfa import log
from aws_mfa.errors import FileError
from aws_mfa.files import safe_write

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any, TypeGuard

WINDOW = 30
"""Seconds a TOTP code lives (RFC 6238's default, which every AWS MFA app uses)."""
KEEP_WINDOWS = 24 * 3600 // WINDOW
LATE_WINDOWS = 1
"""Windows after its own in which STS may still take a code (so it may still reject it)."""
KEY_BYTES = 32
KEEP = 24 * 3600
"""Seconds a refused prompt is remembered (only runs already waiting then ever use it)."""


def default_path() -> Path:
    return Path.home() / ".aws" / "aws-mfa-used-codes.json"


class UsedCodes:
    """The windows in which each device, and each (keyed digest of a) code, was last used."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.key_path = path.with_suffix(".key")
        self.clock = clock

    def window(self) -> int:
        return int(self.clock() // WINDOW)

    def seconds_to_next_window(self) -> float:
        return WINDOW - self.clock() % WINDOW

    def _load(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # JSON nested too deep is broken too
            return {}
        return data if isinstance(data, dict) else {}

    def _read(self) -> dict[str, dict[str, int]]:
        memory: dict[str, dict[str, int]] = {"codes": {}, "devices": {}}
        data = self._load()
        for part, entries in memory.items():
            found = data.get(part)
            if isinstance(found, dict):
                entries.update((str(k), v) for k, v in found.items() if isinstance(v, int))
        return memory

    def _refusals(self) -> tuple[dict[str, tuple[float, str]], bool]:
        """Each device's last refused prompt: when (seconds since the epoch), and why; and
        whether one was dated in the future.

        A refusal dated later than now was recorded before the clock was set back. It
        counts as made now: it fails the runs waiting right now, as a fresh refusal would,
        and, once saved so, no run that starts later, and it is pruned :data:`KEEP` seconds
        on. Left as it was, it would fail every run until the clock caught up with it, and
        never be pruned. Refusals older than :data:`KEEP` are left out (pruned by the
        next save).
        """
        found = self._load().get("refused")
        now = self.clock()
        refusals: dict[str, tuple[float, str]] = {}
        future = False
        for device, entry in found.items() if isinstance(found, dict) else ():
            if _is_refusal(entry) and now - entry[0] < KEEP:
                when = float(entry[0])
                future = future or when > now
                refusals[str(device)] = (min(when, now), str(entry[1]))
        return refusals, future

    def _key(self, create: bool) -> bytes | None:
        """The random key of the digests; made (0600, never replaced) when ``create``."""
        try:
            key = self.key_path.read_bytes()
            if len(key) == KEY_BYTES:
                return key
        except OSError:
            pass
        if not create:
            return None
        try:
            safe_write.write_file(self.key_path, os.urandom(KEY_BYTES), exclusive=True)
        except FileError as err:  # another run made it first (read below), or none can be
            del err
        return self._key(create=False)

    def _digest(self, key: bytes, device: str, code: str) -> str:
        import hashlib
        import hmac

        return hmac.new(key, f"{device}\n{code}".encode(), hashlib.sha256).hexdigest()

    def used_now(self, device: str) -> bool:
        """True when a code of ``device`` was already sent in the current window."""
        return self._read()["devices"].get(device) == self.window()

    def used(self, device: str, code: str) -> bool:
        """True when this very ``code`` of ``device`` was sent recently enough to be rejected."""
        key = self._key(create=False)
        if key is None:
            return False
        sent = self._read()["codes"].get(self._digest(key, device, code))
        return sent is not None and 0 <= self.window() - sent <= LATE_WINDOWS

    def record(self, device: str, code: str) -> None:
        """Note that ``code`` of ``device`` was sent in the current window (best effort)."""
        now = self.window()
        memory = self._read()
        for part in memory.values():
            for name in [name for name, seen in part.items() if now - seen >= KEEP_WINDOWS]:
                del part[name]
        memory["devices"][device] = now
        key = self._key(create=True)
        if key is not None:
            memory["codes"][self._digest(key, device, code)] = now
        self._save(memory, self._refusals()[0])

    def refuse(self, device: str, why: str) -> None:
        """Note that the user refused the prompt for ``device`` just now, and ``why`` (best
        effort): the runs that waited for it fail with it (:meth:`refused_since`)."""
        refusals = self._refusals()[0]
        refusals[device] = (self.clock(), why)
        self._save(self._read(), refusals)

    def refused_since(self, device: str, since: float | None) -> str | None:
        """Why the prompt for ``device`` was refused at or after ``since``; None when it
        was not (or ``since`` is None). A refusal dated in the future is saved dated now."""
        refusals, future = self._refusals()
        if future:
            self._save(self._read(), refusals)
        entry = refusals.get(device)
        if since is None or entry is None or entry[0] < since:
            return None
        return entry[1]

    def _save(
        self, memory: dict[str, dict[str, int]], refusals: dict[str, tuple[float, str]]
    ) -> None:
        data: dict[str, object] = dict(memory)
        if refusals:
            data["refused"] = refusals
        try:
            safe_write.write_file(self.path, json.dumps(data).encode())
        except FileError as err:  # best effort, but said: a later run may send this code again
            log.warning("The memory of MFA codes sent was not saved: %s", err.message)


def _is_refusal(entry: object) -> TypeGuard[list[Any]]:
    """``[seconds, why]``, the why short and printable (it is shown in a message)."""
    return (
        isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], (int, float))
        and not isinstance(entry[0], bool)
        and isinstance(entry[1], str)
        and 0 < len(entry[1]) <= 200
        and entry[1].isprintable()
    )
