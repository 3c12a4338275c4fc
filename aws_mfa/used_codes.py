"""Remember which MFA device's code was used in which 30-second window, so none is sent twice.

STS rejects a one-time code it has already accepted, and a device shows the
same code for a whole 30-second window. So when two renewals for the same
device fall in one window (two profiles, one after the other), the second
would fail. aws-mfa remembers, per device, the window of the last code it
sent successfully, and before asking for a code it checks whether the
current window was used already::

    {"arn:aws:iam::123456789012:mfa/alice": 59374183}

No code is stored: only the device and the window number (Unix time // 30).
The file is ``~/.aws/aws-mfa-used-codes.json``, 0600, replaced atomically,
and entries older than a day are dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

WINDOW = 30
"""Seconds a TOTP code lives (RFC 6238's default, which every AWS MFA app uses)."""
KEEP_WINDOWS = 24 * 3600 // WINDOW


def default_path() -> Path:
    return Path.home() / ".aws" / "aws-mfa-used-codes.json"


class UsedCodes:
    """The windows in which each device's code was last used."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock

    def window(self) -> int:
        return int(self.clock() // WINDOW)

    def seconds_to_next_window(self) -> float:
        return WINDOW - self.clock() % WINDOW

    def _read(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, int)}

    def used_now(self, device: str) -> bool:
        """True when a code of ``device`` was already sent in the current window."""
        return self._read().get(device) == self.window()

    def record(self, device: str) -> None:
        """Note that a code of ``device`` was sent in the current window (best effort)."""
        now = self.window()
        data = {k: v for k, v in self._read().items() if now - v < KEEP_WINDOWS}
        data[device] = now
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(temp, self.path)
