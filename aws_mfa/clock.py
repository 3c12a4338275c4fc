"""The one clock of aws-mfa: the current time, timezone-aware, in UTC; and the time types.

Commands and the login take the clock as a parameter defaulting to
:func:`utc_now`, so tests hand in a fixed time instead of patching.

The modules a run that finds valid credentials imports take ``datetime`` and
``timezone`` from here. On CPython these are the C module's own types,
imported without ``datetime.py``, which before Python 3.12 runs its whole
pure-Python implementation only to replace it with them (1.3 ms of a 22 ms
run; docs/performance.md). They are the very types of the ``datetime``
module: ``aws_mfa.clock.datetime is datetime.datetime``.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from datetime import datetime, timezone
else:
    try:
        from _datetime import datetime, timezone
    except ImportError:  # a Python without the C module
        from datetime import datetime, timezone

__all__ = ["Clock", "datetime", "timezone", "utc_now"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)
