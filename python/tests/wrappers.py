"""Hypothesis strategies that wrap a kernel's values in the other kinds the contract accepts
(docs/protocol.md, "The boundary contract"): int, float and str subclasses (some overriding
their own conversions), bools, numpy scalars, objects with `__index__` or `__float__`,
tuples and named tuples.

The differential tests hand the same wrapped input to a bridge and to the reference, which
must then agree bit for bit. A bridge whose tool by nature refuses or misreads a kind
declares it on a bad-input case under `[bridge.outcomes]`; each kernel's test names, per
kind, those cases (`declared_by`), and the kind is not drawn for a bridge that declares one
of them (test_bad_input checks the declaration itself).

Each wrapped value is reported as a Hypothesis event. The checks are inner functions, which
pytest's `--hypothesis-show-statistics` does not see: to count what was drawn, set
BRIDGEBENCH_KINDS_LOG to a file, which then gets a line per example (`example`) and per
wrapped value, each with the bridge's name.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import event
from hypothesis import strategies as st

from bridgebench.kinds import (
    FloatLike,
    Index,
    LyingFloat,
    LyingInt,
    LyingStr,
    MyFloat,
    MyInt,
    MyStr,
)
from bridgebench.spec import Bridge

Wrap = Callable[[Any], Any]


def _fits_int32(v: int) -> bool:
    return -(2**31) <= v < 2**31


def _numpy_int(v: int) -> Any:
    return np.int32(v) if _fits_int32(v) else np.int64(v)


# An int64 value as another kind of int argument (bools stand for 0 and 1 only).
INT_KINDS: dict[str, Wrap] = {
    "int": lambda v: v,
    "int subclass": MyInt,
    "int subclass with its own __index__ and __float__": LyingInt,
    "bool": lambda v: bool(v) if v in (0, 1) else v,
    "numpy integer": _numpy_int,
    "object with __index__": Index,
}


def _float32(v: float) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow to inf is fine here
        return np.float32(v)


def _integral(v: float) -> int | None:
    """v as an int64, when it is one (the int kinds only wrap ints)."""
    if not math.isfinite(v) or v != int(v) or abs(v) >= 2**63:
        return None
    return int(v)


def _as_int_kind(make: Wrap) -> Wrap:
    return lambda v: v if _integral(v) is None else make(_integral(v))


# A float64 value as another kind of float argument. A kind that changes the value
# (float32) does so for the bridge and the reference alike: both get the same object.
FLOAT_KINDS: dict[str, Wrap] = {
    "float": lambda v: v,
    "float subclass": MyFloat,
    "float subclass with its own __float__ and __mul__": LyingFloat,
    "numpy float64": np.float64,
    "numpy float32": _float32,
    "Decimal": Decimal,
    "Fraction": lambda v: Fraction(v) if math.isfinite(v) else v,
    "object with __float__": FloatLike,
    "int": _as_int_kind(lambda v: v),
    "int subclass with its own __index__ and __float__": _as_int_kind(LyingInt),
    "bool": lambda v: bool(v) if v in (0.0, 1.0) else v,
    "numpy integer": _as_int_kind(np.int64),
    "object with __index__": _as_int_kind(Index),
}

STR_KINDS: dict[str, Wrap] = {
    "str": lambda s: s,
    "str subclass": MyStr,
    "str subclass with its own __str__, encode and __len__": LyingStr,
    "numpy str_": np.str_,
}

# A list of items as another kind of sequence argument.
SEQUENCE_KINDS: dict[str, Wrap] = {
    "list": list,
    "tuple": tuple,
    "list subclass": type("MyList", (list,), {}),
    "tuple subclass": type("MyTuple", (tuple,), {}),
}


_LOG = os.environ.get("BRIDGEBENCH_KINDS_LOG")


def log(bridge: Bridge, what: str) -> None:
    """One line of the BRIDGEBENCH_KINDS_LOG file, if set: `bridge<TAB>what`."""
    if _LOG:
        with open(_LOG, "a") as f:
            f.write(f"{bridge.name}\t{what}\n")


def example(bridge: Bridge, test: str) -> None:
    """Count one example of a widened test (BRIDGEBENCH_KINDS_LOG)."""
    log(bridge, f"example\t{test}")


def drawn(
    bridge: Bridge, table: Mapping[str, Wrap], declared_by: Mapping[str, set[str]], label: str
) -> st.SearchStrategy[Wrap]:
    """A strategy of wrappers from `table`: every kind but those whose bad-input cases
    (`declared_by`) `bridge` declares; each wrapper, when used, reported as an event."""
    names = [k for k in table if not declared_by.get(k, set()) & set(bridge.outcomes)]

    def pick(name: str) -> Wrap:
        make = table[name]

        def wrap(value: Any) -> Any:
            wrapped = make(value)
            # A kind that cannot hold the value (bool for 2.5) passes it through: not counted.
            if wrapped is not value or name in ("int", "float", "str"):
                event(f"{label}: {name}")
                log(bridge, f"kind\t{label}: {name}")
            return wrapped

        return wrap

    return st.sampled_from(names).map(pick)
