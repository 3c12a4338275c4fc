"""``Record``: typed, immutable records, without importing ``typing`` at run time.

Records are declared as with :class:`typing.NamedTuple`::

    class Decision(Record):
        renew: bool
        reason: str
        expiration: datetime | None = None

and mypy checks them as exactly that (it reads the ``TYPE_CHECKING`` branch
below). At run time the same class becomes a :func:`collections.namedtuple`
built from its annotations, which is all ``typing.NamedTuple`` does for these
records; importing ``typing`` itself costs about 3 ms, a tenth of a run that
finds valid credentials, on the path run before every AWS command.

What it does not do: check types at run time, or support generic records.
"""

from __future__ import annotations

import collections

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:

    class _RecordType(type):
        """Turn a class body with annotated fields into a namedtuple subclass."""

        def __new__(mcs, name, bases, namespace):
            if not bases:  # Record itself
                return super().__new__(mcs, name, bases, namespace)
            fields = list(namespace.get("__annotations__", {}))
            defaults = [namespace[field] for field in fields if field in namespace]
            base = collections.namedtuple(
                name, fields, defaults=defaults, module=namespace.get("__module__")
            )
            body = {k: v for k, v in namespace.items() if k not in fields}
            body["__slots__"] = ()
            return type(name, (base,), body)

    class Record(metaclass=_RecordType):
        """Base of every record; see the module's docstring."""


__all__ = ["Record"]
