"""Bridge `python`: the pure-Python reference every other bridge must equal bit for bit.

It also spells out the boundary contract (benches/kernels/*.toml) in plain code:
which inputs are accepted and which exception each bad input gets.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np

from bridgebench.bridges._buffers import byte_view, float64_view, int64_view
from bridgebench.bridges._numbers import as_float, as_index
from bridgebench.bridges._records import Summary, record_list, sequence, utf8

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


# ANCHOR: add
def add(a: int, b: int) -> int:
    # Written for speed as well as clarity: this is also the pure-Python row of the results.
    if type(a) is not int or type(b) is not int:
        # Refused here rather than in as_index: one frame less for the exception to carry.
        if not (hasattr(type(a), "__index__") and hasattr(type(b), "__index__")):
            raise TypeError(f"add() takes two ints, not {type(a).__name__} and {type(b).__name__}")
        a, b = as_index(a, "a"), as_index(b, "b")  # a bool, a numpy int: an exact int
    total = a + b
    if (
        INT64_MIN <= total <= INT64_MAX
        and INT64_MIN <= a <= INT64_MAX
        and INT64_MIN <= b <= INT64_MAX
    ):
        return total
    if not (INT64_MIN <= a <= INT64_MAX and INT64_MIN <= b <= INT64_MAX):
        raise OverflowError(f"add({a}, {b}): an argument does not fit in int64")
    raise OverflowError("integer overflow: result does not fit in int64")
    # ANCHOR_END: add


def checked_div(a: int, b: int) -> int:
    if type(a) is not int or type(b) is not int:
        a, b = as_index(a, "a"), as_index(b, "b")
    if not (INT64_MIN <= a <= INT64_MAX and INT64_MIN <= b <= INT64_MAX):
        raise OverflowError(f"checked_div({a}, {b}): an argument does not fit in int64")
    if b == 0:
        raise ZeroDivisionError("division by zero")
    # C++ and Rust truncate toward zero; Python's // floors, so divide the magnitudes.
    quotient = abs(a) // abs(b)
    quotient = quotient if (a < 0) == (b < 0) else -quotient
    if quotient > INT64_MAX:
        raise OverflowError("integer overflow: result does not fit in int64")
    return quotient


def map_callback(values: list[float], fn: Callable[[float], float]) -> list[float]:
    if not callable(fn):
        raise TypeError(f"map_callback(): fn must be callable, not {type(fn).__name__}")
    # Convert every element first, as a native bridge's list conversion does, then call.
    xs = [_as_float(v, "values[i]") for v in sequence(values, "values")]
    return [_as_float(fn(x), "fn's result") for x in xs]


# ANCHOR: as_float
def _as_float(value: Any, what: str) -> float:
    # An exact float is the common case; everything else as PyFloat_AsDouble reads it.
    return value if type(value) is float else as_float(value, what)
    # ANCHOR_END: as_float


# ANCHOR: float64_view
def _float64_view(obj: Any, *, writable: bool) -> memoryview[Any]:
    view = float64_view(obj, writable=writable)
    if len(view) and _address(view) % 8:
        # Reading a misaligned double through double* or &[f64] is undefined behaviour.
        raise BufferError("expected an 8-byte aligned float64 buffer")
    # memoryview only indexes native single-char formats: ctypes exports '<d'.
    return view if view.format == "d" else view.cast("B").cast("d")


def _address(view: memoryview) -> int:
    # The stdlib cannot tell where a read-only buffer starts; numpy can, without copying.
    return int(np.frombuffer(view, dtype=np.uint8).ctypes.data)
    # ANCHOR_END: float64_view


def scale_list(values: list[float], factor: float) -> list[float]:
    f = _as_float(factor, "factor")
    return [_as_float(v, "values[i]") * f for v in sequence(values, "values")]


def scale_buffer(values: Any, factor: float) -> array[float]:
    f = _as_float(factor, "factor")
    view = _float64_view(values, writable=False)
    return array("d", [v * f for v in view])


def scale_inplace(values: Any, factor: float) -> None:
    f = _as_float(factor, "factor")
    view = _float64_view(values, writable=True)
    for i in range(len(view)):
        view[i] = view[i] * f


# ANCHOR: holder
class Holder:
    """The reference holder: keeps the UTF-8 bytes, as the native holders do."""

    _live = 0
    # The holders' state: `+=` (on the live count, on a holder's bytes) reads, then writes, and
    # another thread may run between the two. One lock for all holders, as the ctypes and cffi
    # bridges have, keeps every append from any number of threads, as the native holders do.
    _lock = threading.Lock()

    def __init__(self, text: str) -> None:
        self._data = utf8(text, "text")
        with Holder._lock:
            Holder._live += 1

    def __del__(self) -> None:
        # __init__ may have failed before counting this object.
        if hasattr(self, "_data"):
            with Holder._lock:
                Holder._live -= 1

    def text(self) -> str:
        return self._data.decode("utf-8")

    def utf8_len(self) -> int:
        return len(self._data)

    def append(self, more: str) -> None:
        data = utf8(more, "more")
        with Holder._lock:
            self._data += data
        # ANCHOR_END: holder


# ANCHOR: counter
class Counter:
    """The reference counter: an int64 behind a method and a property."""

    __slots__ = ("_value",)
    # bump reads, adds, then writes: another thread may run in between and a bump be lost.
    # One lock for all counters makes each bump atomic, as it is on every native bridge.
    _lock = threading.Lock()

    def __init__(self, start: int = 0) -> None:
        self._value = _int64(start, "start")

    def bump(self, by: int = 1) -> int:
        with Counter._lock:
            self._value = add(self._value, by)
            return self._value

    @property
    def value(self) -> int:
        return self._value

    @value.setter
    def value(self, value: int) -> None:
        self._value = _int64(value, "value")
        # ANCHOR_END: counter


def live_holders() -> int:
    return Holder._live


def _int64(value: Any, what: str) -> int:
    if type(value) is not int:
        value = as_index(value, what)
    if not INT64_MIN <= value <= INT64_MAX:
        raise OverflowError(f"{what} = {value} does not fit in int64")
    return value


# ANCHOR: summarize_objects
class _Summarizer:
    """summarize as a fold, exactly as the Rust and C++ kernels do it."""

    def __init__(self) -> None:
        self.count = 0
        self.score_sum = 0.0
        self.max_id = INT64_MIN
        self.longest: bytes = b""

    def add(self, id_: int, name: bytes, score: float) -> None:
        self.count += 1
        self.score_sum += score  # left to right, from +0.0
        self.max_id = max(self.max_id, id_)
        if len(name) > len(self.longest):  # strictly: the first of equal names stays
            self.longest = name

    def finish(self) -> Summary:
        return Summary(self.count, self.score_sum, self.max_id, self.longest.decode("utf-8"))


def summarize_objects(records: Any) -> Summary:
    s = _Summarizer()
    for record in record_list(records):
        fields = record if type(record) is tuple else sequence(record, "a record")
        if len(fields) != 3:
            raise TypeError(f"a record has 3 fields (id, name, score), not {len(fields)}")
        id_, name, score = fields
        s.add(_int64(id_, "id"), utf8(name, "name"), _as_float(score, "score"))
    return s.finish()
    # ANCHOR_END: summarize_objects


BAD_COLUMNS = (
    "columns disagree: want n ids, n scores and n + 1 name offsets that start at 0, "
    "never decrease and end at len(name_bytes)"
)


def summarize_columns(ids: Any, scores: Any, name_offsets: Any, name_bytes: Any) -> Summary:
    id_view = int64_view(ids).cast("B").cast("q")
    score_view = _float64_view(scores, writable=False)
    offsets = int64_view(name_offsets).cast("B").cast("q").tolist()
    data = byte_view(name_bytes).tobytes()
    n = len(id_view)
    if (
        len(score_view) != n
        or len(offsets) != n + 1
        or offsets[0] != 0
        or offsets[n] != len(data)
        or any(a > b for a, b in pairwise(offsets))
    ):
        raise ValueError(BAD_COLUMNS)
    s = _Summarizer()
    for i in range(n):
        name = data[offsets[i] : offsets[i + 1]]
        try:
            name.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"a name is not valid UTF-8 (name {i})") from None
        s.add(id_view[i], name, score_view[i])
    return s.finish()
