"""The one clock of aws-mfa: the current time, timezone-aware, in UTC.

Commands and the login take it as a parameter defaulting to :func:`utc_now`,
so tests hand in a fixed time instead of patching.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)
