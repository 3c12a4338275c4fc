"""Record: what typing.NamedTuple gives, built without typing or collections.namedtuple."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from aws_mfa.records import Record


class Point(Record):
    x: int
    y: int = 0
    label: str | None = None

    @property
    def total(self) -> int:
        return self.x + self.y


class Same(NamedTuple):
    x: int
    y: int = 0
    label: str | None = None


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((1,), {}), ((1, 2), {}), ((1,), {"label": "a"}), ((), {"x": 3, "y": 4}), ((1, 2, "z"), {})],
)
def test_it_behaves_as_the_same_named_tuple(args: tuple, kwargs: dict) -> None:
    ours, theirs = Point(*args, **kwargs), Same(*args, **kwargs)
    assert tuple(ours) == tuple(theirs)
    assert (ours.x, ours.y, ours.label) == (theirs.x, theirs.y, theirs.label)
    assert ours == theirs
    assert hash(ours) == hash(theirs)
    assert repr(ours) == repr(theirs).replace("Same", "Point")
    assert ours._replace(y=9) == theirs._replace(y=9)
    assert isinstance(ours._replace(y=9), Point)
    assert Point._fields == Same._fields
    assert Point._field_defaults == Same._field_defaults


def test_methods_and_properties_of_the_class_stay() -> None:
    assert Point(1, 2).total == 3


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), ((1, 2, "a", 4), {}), ((1,), {"x": 2}), ((1,), {"z": 2})],
)
def test_wrong_values_are_a_type_error_as_for_a_named_tuple(args: tuple, kwargs: dict) -> None:
    with pytest.raises(TypeError):
        Same(*args, **kwargs)
    with pytest.raises(TypeError):
        Point(*args, **kwargs)


def test_it_is_immutable() -> None:
    point = Point(1)
    with pytest.raises(AttributeError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        point.other = 2  # type: ignore[attr-defined]
