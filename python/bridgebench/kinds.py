"""Unusual kinds of input that the boundary contract pins down (docs/protocol.md): int, float
and str subclasses, some overriding their own conversions, and objects that are numbers only
through `__index__` or `__float__`.

The bad-input cases of benches/kernels/*.toml may name them in `args` (bridgebench.badinput),
and the differential tests wrap the kernels' values in them (tests/wrappers.py).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, SupportsIndex, overload


class MyInt(int):
    """An int subclass: valued as its stored int."""


class LyingInt(int):
    """An int subclass whose own conversions disagree with its stored value. As an int it
    is its stored value (PyLong_AsLongLong reads it in place); as a float it is what its
    `__float__` says (PyFloat_AsDouble calls it, as float(x) does)."""

    def __index__(self) -> int:
        return int.__int__(self) + 1

    def __int__(self) -> int:
        return int.__int__(self) + 1

    def __float__(self) -> float:
        return int.__int__(self) * 0.5 + 0.25


class MyFloat(float):
    """A float subclass: valued as its stored float."""


class LyingFloat(float):
    """A float subclass whose own `__float__` and arithmetic disagree with its stored
    value: PyFloat_AsDouble reads the stored value in place, and so must every bridge."""

    def __float__(self) -> float:
        return 99.0

    def __mul__(self, other: object) -> float:
        return 99.0

    __rmul__ = __mul__


class MyStr(str):
    """A str subclass: it crosses as its characters."""


class LyingStr(str):
    """A str subclass whose `__str__`, `encode` and `__len__` disagree with its characters:
    PyUnicode_AsUTF8AndSize reads the characters, and so must every bridge."""

    def __str__(self) -> str:
        return "lie"

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return b"lie"

    def __len__(self) -> int:
        return 3


class Index:
    """Not an int, but an integer through `__index__` (as numpy's integers are)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"Index({self.value})"


class FloatLike:
    """Not a float, but a number through `__float__` alone."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        return f"FloatLike({self.value!r})"


class Seq(Sequence[Any]):
    """A sequence that is neither a list nor a tuple."""

    def __init__(self, items: Sequence[Any]) -> None:
        self.items = list(items)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, i: SupportsIndex) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Any]: ...
    def __getitem__(self, i: SupportsIndex | slice) -> Any:
        return self.items[i]


class Clears:
    """A number whose `__float__` and `__index__` empty the list it sits in: a conversion
    that runs Python code may change the very list being read."""

    def __init__(self, target: list[Any]) -> None:
        self.target = target

    def __float__(self) -> float:
        self.target.clear()
        return 1.0

    def __index__(self) -> int:
        self.target.clear()
        return 1


def _unmapped_when_freed(items: list[Any]) -> list[Any]:
    """`items` as a list whose item array glibc unmaps when it is freed, so that a bridge that
    goes on reading it after the list was emptied crashes at once, instead of reading whatever
    the allocator left there: made 40 MB long (above glibc's largest mmap threshold, so the
    array is mapped on its own) and then cut back, which shrinks the mapping in place."""
    out: list[Any] = [None] * 5_000_000
    out[: len(items)] = items
    del out[len(items) :]
    return out


def clearing_values() -> list[Any]:
    """50 floats, the second a `Clears`: it empties the list, and frees its item array."""
    values = _unmapped_when_freed([0.5] * 50)
    values[1] = Clears(values)
    return values


def clearing_records(field: int) -> list[Any]:
    """50 records whose second has a `Clears` as its field `field` (0: the id, 2: the score):
    it empties the list, and frees its item array."""
    records = _unmapped_when_freed([(0, "name", 0.5)] * 50)
    fields: list[Any] = [1, "other", 1.5]
    fields[field] = Clears(records)
    records[1] = tuple(fields)
    return records


# A record as a named tuple: a tuple.
Record = namedtuple("Record", "id name score")

# The names a bad-input case's `args` may use.
NAMES: dict[str, Any] = {
    "Decimal": Decimal,
    "Fraction": Fraction,
    "MyInt": MyInt,
    "LyingInt": LyingInt,
    "MyFloat": MyFloat,
    "LyingFloat": LyingFloat,
    "MyStr": MyStr,
    "LyingStr": LyingStr,
    "Index": Index,
    "FloatLike": FloatLike,
    "Seq": Seq,
    "Record": Record,
    "clearing_values": clearing_values,
    "clearing_records": clearing_records,
}
