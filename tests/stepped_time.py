"""A clock the test steps, and the renewing thread's waits on it.

The endpoint of ``exec --server`` renews on a clock and waits with a
:class:`aws_mfa.server.Waiter`; both are injected (:func:`aws_mfa.commands.exec.endpoint`).
:class:`SteppedTime` is both: time stands still until the test calls
:meth:`~SteppedTime.advance`, and a wait of the renewing thread ends when the
clock reaches its end (or when the endpoint stops), so that 20 minutes of an
endpoint's life take no time, and nothing depends on how busy the machine is.
Every real wait here has a generous ceiling, and only guards against a hang.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from aws_mfa.server import Waiter

CEILING = 60.0
"""Seconds a wait on a condition may take before the test fails (a hang, not a race)."""


class SteppedTime(Waiter):
    """``time()`` is the stepped clock's now; ``wait``/``wake`` are the renewing thread's."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        self.now = start or datetime.now(timezone.utc)
        self.changed = threading.Condition()
        self.stopped = False

    def __call__(self) -> datetime:
        with self.changed:
            return self.now

    def advance(self, seconds: float) -> None:
        with self.changed:
            self.now += timedelta(seconds=seconds)
            self.changed.notify_all()

    def advance_to(self, when: datetime, seconds_after: float = 0.1) -> None:
        """Step to ``seconds_after`` past ``when`` (never back): a moment named by what the
        endpoint holds, so that how long a login took in real time does not matter."""
        with self.changed:
            self.now = max(self.now, when + timedelta(seconds=seconds_after))
            self.changed.notify_all()

    def wait(self, seconds: float) -> None:
        with self.changed:
            end = self.now + timedelta(seconds=seconds)
            self.changed.wait_for(lambda: self.stopped or self.now >= end, timeout=CEILING)

    def wake(self) -> None:
        with self.changed:
            self.stopped = True
            self.changed.notify_all()


def wait_until(condition: Callable[[], bool], seconds: float = CEILING) -> bool:
    """Poll ``condition`` every 10 ms until it holds, or ``seconds`` (a ceiling) pass."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
