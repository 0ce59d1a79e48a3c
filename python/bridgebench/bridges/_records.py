"""What the bridges written in Python (python, ctypes, cffi, protobuf) share for `holder`
and `summarize`: the Summary type they return and the boundary's str and records checks.

Each of them turns text into UTF-8 bytes with its length and copies a summary out of
something (a C struct, a message, the reference's fold), so these checks and this type
are the same for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


# A frozen dataclass, not a NamedTuple: a NamedTuple field `count` would hide tuple.count.
@dataclass(frozen=True, slots=True)
class Summary:
    """`summarize`'s result, copied out of a C ABI's `BbSummary`, a message, or a fold."""

    count: int
    score_sum: float
    max_id: int
    longest_name: str


def utf8(text: object, what: str) -> bytes:
    """`text` as UTF-8 for the C ABI: TypeError unless it is a str, UnicodeEncodeError for a
    str without a UTF-8 form (a lone surrogate). The length travels with the bytes, so
    embedded NULs are kept."""
    # Checked by hand: bytes would be copied as is by both tools, None passed as NULL.
    if not isinstance(text, str):
        raise TypeError(f"{what} must be str, not {type(text).__name__}")
    # str.encode, not text.encode: a str subclass crosses as its characters, as
    # PyUnicode_AsUTF8AndSize reads them, whatever its own encode() or __str__ say.
    return str.encode(text)


_SEQUENCES = (list, tuple)  # not `list | tuple`, which makes a new object at each call


def sequence(value: Any, what: str) -> list[Any] | tuple[Any, ...]:
    """`value` itself if it is a list or a tuple (subclasses included: a namedtuple is a
    tuple), else TypeError: a str, a range, a generator or a dict is not taken as a sequence."""
    if not isinstance(value, _SEQUENCES):
        raise TypeError(f"{what} must be a list or tuple, not {type(value).__name__}")
    return value


def record_list(records: Any) -> list[Any] | tuple[Any, ...]:
    """`records` itself if it is a list or a tuple, else TypeError (a str or a dict would
    otherwise be iterated as records)."""
    return sequence(records, "records")
