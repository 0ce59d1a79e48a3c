"""The contract's int and float arguments (docs/protocol.md, "The boundary contract") in
Python, for the bridges written in Python: the reference, and ctypes' and cffi's callback
results.

Both follow CPython's own argument conversions, which the native tools use too:
`PyLong_AsLongLong` (PyArg_Parse's "L") for an int, `PyFloat_AsDouble` ("d") for a float.
"""

from __future__ import annotations

import operator
from typing import Any


def as_index(value: Any, what: str) -> int:
    """An int argument as an exact int: anything `operator.index` takes (an int subclass by
    its stored value, never its own `__index__`; a bool as 0 or 1; numpy integers), TypeError
    for anything else (a float, numpy float, Decimal or Fraction is never truncated)."""
    # Checked first, not caught: a refused argument raises one exception, not two.
    if not hasattr(type(value), "__index__"):
        raise TypeError(f"{what} must be int, not {type(value).__name__}")
    return operator.index(value)


def as_float(value: Any, what: str) -> float:
    """A float argument as an exact float, as `PyFloat_AsDouble` reads it: a float or float
    subclass by its stored value (never its own `__float__`), anything else through its
    `__float__`, else its `__index__` (an int beyond float range: OverflowError)."""
    if isinstance(value, float):
        return float.__float__(value)  # the stored value, also of a subclass
    kind = type(value)
    # float(x) would also parse a str or bytes; PyFloat_AsDouble does not.
    if hasattr(kind, "__float__") or hasattr(kind, "__index__"):
        return float(value)
    raise TypeError(f"{what} must be float, not {kind.__name__}")
