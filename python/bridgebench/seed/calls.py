"""The calls the harness measures of the seed's examples (benches/bridges.toml [[example]]).

For each cell an example declares, a function here makes the `Call` that is timed and
counted at each size, as a kernel module's `case` does for a bridge (bridgebench.kernels),
on the same inputs as the bridge beside it: but the call is the seed's own, its function
as the seed's caller set it up, and its answer is checked against what the seed's code
computes, not the kernel's contract (`add` is 32-bit; `process_data` doubles, where the
scale kernel multiplies by its factor; `MyClass` has `getData()`, not the Holder protocol).
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import numpy as np
import pybind_example
import swig_example

from bridgebench import spec
from bridgebench.kernels import Call, bench, plain
from bridgebench.kernels._floats import bits
from bridgebench.kernels.holder import text_of

# The seed's caller is a script: it prints its result when imported. It is imported for
# the very function object it set up (lib.add with its argtypes and restype).
with contextlib.redirect_stdout(io.StringIO()):
    from bridgebench.seed import python_caller


def add(cell: spec.Cell, n: None, given: None) -> Call:
    """`lib.add(a, b)` on the kernel's bench arguments (5, 3), as the seed calls it."""
    fn = python_caller.lib.add
    a, b = bench(cell)["args"]

    def check() -> None:
        if fn(a, b) != a + b:
            raise AssertionError(f"seed add({a}, {b}) did not answer {a + b}")

    return plain(fn, (a, b), check)


def process_data(cell: spec.Cell, n: int, values: np.ndarray) -> Call:
    """`process_data(values)` on a list of the kernel's n floats; checked: each doubled."""
    fn = pybind_example.process_data
    want = (values * 2.0).tobytes()
    data = values.tolist()

    def check() -> None:
        if bits(fn(data), as_list=True) != want:
            raise AssertionError(f"seed process_data: not each value * 2.0 (n={n})")

    return plain(fn, (data,), check)


def my_class(cell: spec.Cell, n: int, given: None) -> Call:
    """`MyClass(text)`, built and dropped (its destructor runs), on the kernel's text."""
    cls: Any = swig_example.MyClass
    text = text_of(cell, n)

    def check() -> None:
        if cls(text).getData() != text:
            raise AssertionError(f"seed MyClass(text).getData() is not the text (n={n})")

    return plain(cls, (text,), check)


def get_data(cell: spec.Cell, n: int, given: None) -> Call:
    """`getData()` of a MyClass holding the kernel's text (the unbound method, called
    with the object: no bound-method object per call, as the Holder cell's text())."""
    text = text_of(cell, n)
    obj = swig_example.MyClass(text)
    fn = swig_example.MyClass.getData

    def check() -> None:
        if fn(obj) != text:
            raise AssertionError(f"seed getData() is not the text (n={n})")

    return plain(fn, (obj,), check)
