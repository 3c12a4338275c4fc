"""``Record``: typed, immutable records, without importing ``typing`` at run time.

Records are declared as with :class:`typing.NamedTuple`::

    class Decision(Record):
        renew: bool
        reason: str
        expiration: datetime | None = None

and mypy checks them as exactly that (it reads the ``TYPE_CHECKING`` branch
below). At run time the same class becomes a tuple whose fields are read by
name, built from its annotations: what ``typing.NamedTuple`` gives these
records (construction by position or keyword, defaults, ``_fields``,
``_replace``, equality, hashing, a readable ``repr``), without importing
``typing`` (about 3 ms) and without :func:`collections.namedtuple`, which
compiles code for every class (about 0.15 ms each, 2.3 ms for the ten
records a run that finds valid credentials defines; docs/performance.md).

What it does not do: check types at run time, or support generic records.
"""

from __future__ import annotations

import operator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:

    class _RecordType(type):
        """Turn a class body with annotated fields into a tuple read by field names."""

        def __new__(mcs, name, bases, namespace):
            if not bases:  # Record itself
                return super().__new__(mcs, name, bases, namespace)
            fields = tuple(namespace.get("__annotations__", {}))
            body = {key: value for key, value in namespace.items() if key not in fields}
            body["_field_defaults"] = {key: namespace[key] for key in fields if key in namespace}
            body["_fields"] = fields
            body["__slots__"] = ()
            for index, field in enumerate(fields):
                body[field] = property(operator.itemgetter(index), doc=f"Field {index}")
            return super().__new__(mcs, name, bases, body)

    class Record(tuple, metaclass=_RecordType):
        """Base of every record; see the module's docstring."""

        __slots__ = ()  # _fields and _field_defaults: set on each record by _RecordType

        def __new__(cls, *args, **kwargs):
            fields = cls._fields
            if len(args) > len(fields):
                raise TypeError(f"{cls.__name__} takes {len(fields)} values, not {len(args)}")
            values = list(args)
            for field in fields[len(args) :]:
                if field in kwargs:
                    values.append(kwargs.pop(field))
                elif field in cls._field_defaults:
                    values.append(cls._field_defaults[field])
                else:
                    raise TypeError(f"{cls.__name__} needs a value for {field!r}")
            for field in kwargs:
                raise TypeError(f"{cls.__name__} got {field!r} twice, or has no such field")
            return tuple.__new__(cls, values)

        def _replace(self, **changes):
            return type(self)(**{**dict(zip(self._fields, self, strict=True)), **changes})

        def __repr__(self):
            pairs = zip(self._fields, self, strict=True)
            shown = ", ".join(f"{name}={value!r}" for name, value in pairs)
            return f"{type(self).__name__}({shown})"

        def __getnewargs__(self):
            return tuple(self)


__all__ = ["Record"]
