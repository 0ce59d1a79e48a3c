"""Differential, property-based: every bridge x cell equals the reference bit for bit.

NaN-aware: any NaN equals any NaN. IEEE 754 leaves the payload of NaN * NaN to the
implementation (x86 returns its first operand's, and a compiler may swap the operands
of a commutative multiply), so payloads are not part of the contract; everything else,
-0.0 and subnormals included, must match exactly.

Inputs come from Hypothesis: int64 extremes for add; for scale, sizes 0 to 10^5 of
random float64 bit patterns (so NaNs with payloads, +-inf, -0.0 and subnormals all
occur) with special values spliced in, and factors of every kind.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgebench import spec
from bridgebench.kernels import summarize as records_input
from bridgebench.kernels.summarize import summary_fields
from bridgebench.spec import Bridge, Cell
from support import cell_id, float64_bits, python_cells, same_bits_nan_aware

REFERENCE = spec.reference().import_module()
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
SPECIALS = [
    0.0,
    -0.0,
    float("inf"),
    float("-inf"),
    float("nan"),
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    1.0,
    -1.0,
]

int64s = st.one_of(
    st.sampled_from([INT64_MIN, INT64_MIN + 1, -2, -1, 0, 1, 2, INT64_MAX - 1, INT64_MAX]),
    st.integers(INT64_MIN, INT64_MAX),
)
factors = st.one_of(
    st.sampled_from([*SPECIALS, 2.0, 0.5, 3.0, 1e300, 1e-300]),
    st.integers(0, 2**64 - 1).map(lambda b: struct.unpack("d", struct.pack("Q", b))[0]),
)
sizes = st.one_of(st.integers(0, 16), st.integers(0, 1000), st.integers(0, 10**5))

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def float64_arrays(draw: st.DrawFn) -> np.ndarray:
    n = draw(sizes)
    seed = draw(st.integers(0, 2**32 - 1))
    bits = np.random.default_rng(seed).integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    values = bits.view(np.float64).copy()
    for index in draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=8 if n else 0)):
        values[index] = draw(st.sampled_from(SPECIALS))
    return values


def _outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "value", fn(*args)
    except (ArithmeticError, TypeError, ValueError) as exc:
        return "raised", type(exc)


INT_PAIR_CELLS = [p for p in python_cells() if p[1].strategy == "scalar"]
SCALE_CELLS = [p for p in python_cells() if p[1].kernel == "scale"]


@pytest.mark.parametrize("pair", INT_PAIR_CELLS, ids=cell_id)
def test_int_pair_kernel_equals_reference(pair: tuple[Bridge, Cell]) -> None:
    fn = getattr(pair[0].import_module(), pair[1].function)
    reference = getattr(REFERENCE, pair[1].function)

    @SETTINGS
    @given(int64s, int64s)
    def check(a: int, b: int) -> None:
        assert _outcome(fn, a, b) == _outcome(reference, a, b), f"{pair[1].function}({a}, {b})"

    check()


@pytest.mark.parametrize("pair", SCALE_CELLS, ids=cell_id)
def test_scale_equals_reference(pair: tuple[Bridge, Cell]) -> None:
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)

    @SETTINGS
    @given(float64_arrays(), factors)
    def check(values: np.ndarray, factor: float) -> None:
        want = float64_bits(REFERENCE.scale_list(values.tolist(), factor), "list")
        if cell.strategy == "list":
            got = float64_bits(fn(values.tolist(), factor), "list")
        elif cell.strategy == "buffer":
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


def test_nan_aware_comparison_can_fail() -> None:
    """The checker itself must be able to say no: 0.0 is not -0.0, a NaN is not a number."""
    nan, zero, minus_zero = (np.array([x]).tobytes() for x in (float("nan"), 0.0, -0.0))
    assert not same_bits_nan_aware(zero, minus_zero)
    assert not same_bits_nan_aware(nan, zero)
    assert same_bits_nan_aware(nan, np.array([-float("nan")]).tobytes())


# Names: any code points but surrogates (those have no UTF-8 form), NUL and emoji included.
names = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
scores = st.one_of(
    st.sampled_from(SPECIALS),
    st.integers(0, 2**64 - 1).map(lambda b: struct.unpack("d", struct.pack("Q", b))[0]),
)
record_lists = st.lists(st.tuples(int64s, names, scores), max_size=300)
SUMMARIZE_CELLS = [p for p in python_cells() if p[1].kernel == "summarize"]


@pytest.mark.parametrize("pair", SUMMARIZE_CELLS, ids=cell_id)
def test_summarize_equals_reference(pair: tuple[Bridge, Cell]) -> None:
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)

    @SETTINGS
    @given(record_lists)
    def check(records: list[tuple[int, str, float]]) -> None:
        want = summary_fields(REFERENCE.summarize_objects(records))
        got = summary_fields(fn(*records_input.arguments(cell.strategy, records)))
        assert got[0] == want[0] and got[2:] == want[2:], f"{bridge.name}: {got} != {want}"
        assert same_bits_nan_aware(struct.pack("d", got[1]), struct.pack("d", want[1])), (
            f"{bridge.name}: score_sum {got[1]!r} != {want[1]!r}"
        )

    check()


HOLDER_BRIDGES = [b for b in spec.python_bridges() if "holder.create" in b.cells]


@pytest.mark.parametrize("bridge", HOLDER_BRIDGES, ids=lambda b: b.name)
def test_holder_equals_reference(bridge: Bridge) -> None:
    module = bridge.import_module()

    @SETTINGS
    @given(names, st.lists(names, max_size=5))
    def check(text: str, appends: list[str]) -> None:
        got, want = module.Holder(text), REFERENCE.Holder(text)
        for more in appends:
            got.append(more)
            want.append(more)
        assert (got.text(), got.utf8_len()) == (want.text(), want.utf8_len())

    check()
