"""scale(values, factor): every float64 times factor, as a new list (list), a new buffer
(buffer) or in place (inplace).

Every Python-side bridge x scale cell: the shared vectors of benches/kernels/scale.toml
through every buffer exporter, ints converted like float(x), and bit for bit (NaN-aware,
see tests/test_differential.py) the reference's answer on Hypothesis inputs: sizes 0 to
10^5 of random float64 bit patterns (so NaNs with payloads, +-inf, -0.0 and subnormals
all occur) with special values spliced in, and factors of every kind.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import wrappers
from bridgebench.spec import Bridge, Cell
from support import (
    REFERENCE,
    SETTINGS,
    SPECIALS,
    cell_id,
    float64_bit_patterns,
    float64_bits,
    floats_of,
    kernel_cells,
    same_bits_nan_aware,
    same_nan_aware,
    vectors,
)

CELLS = kernel_cells("scale")

# Every exporter the buffer contract names, each made fresh from a list of floats.
EXPORTERS: dict[str, Callable[[list[float]], Any]] = {
    "numpy": lambda xs: np.array(xs, dtype=np.float64),
    "array.array": lambda xs: array("d", xs),
    "memoryview": lambda xs: np.array(xs, dtype=np.float64).data,  # ndarray.data is a memoryview
}


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_shared_vectors(pair: tuple[Bridge, Cell]) -> None:
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)
    for v in vectors("scale"):
        want = v["expect"]
        if cell.strategy == "list":
            got = floats_of(float64_bits(fn(list(v["values"]), v["factor"]), "list"))
            assert same_nan_aware(got, want), f"{v} -> {got}"
        elif cell.strategy == "buffer":
            for name, make in EXPORTERS.items():
                values = make(v["values"])
                got = floats_of(float64_bits(fn(values, v["factor"]), "buffer"))
                assert same_nan_aware(got, want), f"{name}: {v} -> {got}"
                assert same_nan_aware(floats_of(memoryview(values).tobytes()), v["values"]), (
                    f"{name}: scale_buffer must not modify its input"
                )
        else:
            for name, make in EXPORTERS.items():
                values = make(v["values"])
                assert fn(values, v["factor"]) is None
                got = floats_of(memoryview(values).tobytes())
                assert same_nan_aware(got, want), f"{name}: {v} -> {got}"


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_int_arguments_convert_like_float(pair: tuple[Bridge, Cell]) -> None:
    """The contract accepts ints where floats are expected, converted as float(x)."""
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)
    if cell.strategy == "list":
        assert fn([1, 2.5, -3], 2) == [2.0, 5.0, -6.0]
    elif cell.strategy == "buffer":
        assert floats_of(float64_bits(fn(np.array([1.0, 2.5]), 2), "buffer")) == [2.0, 5.0]
    else:
        values = np.array([1.0, 2.5])
        fn(values, 2)
        assert values.tolist() == [2.0, 5.0]


factors = st.one_of(
    st.sampled_from([*SPECIALS, 2.0, 0.5, 3.0, 1e300, 1e-300]), float64_bit_patterns
)
sizes = st.one_of(st.integers(0, 16), st.integers(0, 1000), st.integers(0, 10**5))


@st.composite
def float64_arrays(draw: st.DrawFn) -> np.ndarray:
    n = draw(sizes)
    seed = draw(st.integers(0, 2**32 - 1))
    bits = np.random.default_rng(seed).integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    values = bits.view(np.float64).copy()
    for index in draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=8 if n else 0)):
        values[index] = draw(st.sampled_from(SPECIALS))
    return values


# The kinds of float and sequence argument (tests/wrappers.py) and the bad-input cases of
# scale.toml that declare a tool's other nature for them.
DECLARED_BY = {
    "float subclass with its own __float__ and __mul__": {"scale-factor-float-subclass-is-valid"},
    "numpy float32": {"scale-factor-numpy-float32-is-valid"},
    "numpy integer": {"scale-factor-numpy-int-is-valid"},
    "object with __index__": {"scale-factor-numpy-int-is-valid"},
    "Decimal": {"scale-factor-decimal-is-valid"},
    "Fraction": {"scale-factor-decimal-is-valid"},
    "object with __float__": {"scale-factor-decimal-is-valid"},
    "tuple": {"scale-list-tuple-is-valid"},
    "tuple subclass": {"scale-list-tuple-is-valid"},
}


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_equals_reference(pair: tuple[Bridge, Cell]) -> None:
    """The factor, and for scale_list up to 8 elements and the sequence itself, wrapped in
    kinds the contract accepts (tests/wrappers.py): the same answer, bit for bit."""
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)
    floats = wrappers.drawn(bridge, wrappers.FLOAT_KINDS, DECLARED_BY, "float")
    sequences = wrappers.drawn(bridge, wrappers.SEQUENCE_KINDS, DECLARED_BY, "values")

    @SETTINGS
    @given(float64_arrays(), factors, floats, st.data())
    def check(values: np.ndarray, factor: float, wrap: wrappers.Wrap, data: st.DataObject) -> None:
        wrappers.example(bridge, cell.name)
        factor = wrap(factor)
        if cell.strategy == "list":
            items = values.tolist()
            for index in (
                data.draw(st.lists(st.integers(0, len(items) - 1), max_size=8, unique=True))
                if items
                else []
            ):
                items[index] = data.draw(floats)(items[index])
            given_values = data.draw(sequences)(items)
            want = float64_bits(REFERENCE.scale_list(given_values, factor), "list")
            got = float64_bits(fn(given_values, factor), "list")
        else:
            want = float64_bits(REFERENCE.scale_list(values.tolist(), factor), "list")
            if cell.strategy == "buffer":
                got = float64_bits(fn(values, factor), "buffer")
            else:
                fn(values, factor)
                got = values.tobytes()
        assert same_bits_nan_aware(got, want), (
            f"{bridge.name} {cell.name}: n={len(values)} factor={factor!r} differs"
        )

    check()


def test_reference_strategies_agree_with_numpy() -> None:
    """The reference's three strategies and numpy's multiply agree bit for bit."""
    values = np.random.default_rng(7).integers(0, 2**64, 4096, dtype=np.uint64).view(np.float64)
    for factor in [*SPECIALS, 2.0, 1e300]:
        with np.errstate(all="ignore"):  # overflow to inf is part of the contract
            want = (values * factor).tobytes()
        got = float64_bits(REFERENCE.scale_list(values.tolist(), factor), "list")
        assert same_bits_nan_aware(got, want)
        assert same_bits_nan_aware(
            float64_bits(REFERENCE.scale_buffer(values, factor), "buffer"), want
        )
        copy = values.copy()
        REFERENCE.scale_inplace(copy, factor)
        assert same_bits_nan_aware(copy.tobytes(), want)
