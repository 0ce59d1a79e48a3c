"""map_callback(values, fn): fn called once per element, in order, from native code.

Every Python-side bridge with the cell: the shared vectors of
benches/kernels/map_callback.toml (answers and the calls made), and an exception raised in
the callback reaches the caller unchanged, the kernel stops at once, and nothing is leaked.
"""

from __future__ import annotations

import gc
import sys
import weakref
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wrappers
from bridgebench import spec
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

CELLS = kernel_cells("map_callback")


def named_callback(name: str, calls: list[float]) -> Callable[[float], float]:
    """A callback of map_callback.toml's [callbacks], recording every argument in `calls`."""
    source = spec.kernels()["map_callback"]["callbacks"][name]["python"]

    def fail_above_two(x: float) -> float:
        if x > 2.0:
            raise ValueError(f"callback refused {x}")
        return x

    inner = fail_above_two if source == "FAIL_ABOVE_TWO" else eval(source)  # noqa: S307 - repo spec

    def recorded(x: float) -> float:
        calls.append(x)
        return inner(x)

    return recorded


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_shared_vectors(pair: tuple[Bridge, Cell]) -> None:
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)
    for v in vectors("map_callback"):
        calls: list[float] = []
        callback = named_callback(v["callback"], calls)
        if "expect" in v:
            got = floats_of(float64_bits(fn(list(v["values"]), callback), "list"))
            assert same_nan_aware(got, v["expect"]), f"{bridge.name}: {v} -> {got}"
        else:
            with pytest.raises(ValueError, match="callback refused"):
                fn(list(v["values"]), callback)
        assert len(calls) == v["calls"], f"{bridge.name}: {v}: called with {calls}"
        assert same_nan_aware(calls, v["values"][: v["calls"]]), "called in order, once each"


class Refused(Exception):
    """A user-defined exception type: a bridge must not turn it into something else."""


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_the_callbacks_exception_object_reaches_the_caller(pair: tuple[Bridge, Cell]) -> None:
    fn = getattr(pair[0].import_module(), pair[1].function)
    raised: list[Refused] = []
    calls: list[float] = []

    def callback(x: float) -> float:
        calls.append(x)
        if x > 1.0:
            raised.append(Refused(f"no {x}"))
            raise raised[-1]
        return x

    with pytest.raises(Refused) as caught:
        fn([0.5, 1.0, 1.5, 2.0], callback)
    assert caught.value is raised[0], "the very object the callback raised"
    assert calls == [0.5, 1.0, 1.5], "stops at the first failure"


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_nothing_is_leaked(pair: tuple[Bridge, Cell]) -> None:
    fn = getattr(pair[0].import_module(), pair[1].function)
    values = [1.0, 2.0, 3.0]

    def failing(x: float) -> float:
        if x > 2.0:
            raise Refused("no")
        return x

    def doubling(x: float) -> float:
        return x * 2.0

    for callback in (failing, doubling):
        before = (sys.getrefcount(values), sys.getrefcount(callback))
        for _ in range(1000):
            try:
                fn(values, callback)
            except Refused:
                pass
        gc.collect()
        assert (sys.getrefcount(values), sys.getrefcount(callback)) == before, callback.__name__

    try:
        fn(values, failing)
    except Refused as exc:
        dead = weakref.ref(exc)
    gc.collect()
    assert dead() is None, "the exception object is freed once the caller drops it"


# The kinds of float and sequence argument (tests/wrappers.py) and the bad-input cases of
# map_callback.toml that declare a tool's other nature for them (fn's result and the values
# convert alike).
DECLARED_BY = {
    "float subclass with its own __float__ and __mul__": {"scale-factor-float-subclass-is-valid"},
    "numpy float32": {"callback-returns-numpy-float-is-valid"},
    "Decimal": {"callback-returns-decimal-is-valid"},
    "Fraction": {"callback-returns-decimal-is-valid"},
    "object with __float__": {"callback-returns-decimal-is-valid"},
    "numpy integer": {"callback-returns-numpy-float-is-valid"},
    "object with __index__": {"callback-returns-numpy-float-is-valid"},
    "tuple": {"callback-values-tuple-is-valid"},
    "tuple subclass": {"callback-values-tuple-is-valid"},
}


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_equals_reference(pair: tuple[Bridge, Cell]) -> None:
    """Values of any float64 bits, each wrapped in a kind of float the contract accepts, in a
    kind of sequence it accepts, and fn's results wrapped too: the reference's answer, bit
    for bit (NaN-aware)."""
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)
    floats = wrappers.drawn(bridge, wrappers.FLOAT_KINDS, DECLARED_BY, "float")
    sequences = wrappers.drawn(bridge, wrappers.SEQUENCE_KINDS, DECLARED_BY, "values")
    values = st.lists(st.one_of(st.sampled_from(SPECIALS), float64_bit_patterns), max_size=20)

    @SETTINGS
    @given(values, st.lists(floats, max_size=20), st.lists(floats, max_size=20), sequences)
    def check(
        xs: list[float],
        wrap_in: list[wrappers.Wrap],
        wrap_out: list[wrappers.Wrap],
        sequence: wrappers.Wrap,
    ) -> None:
        wrappers.example(bridge, cell.name)
        given_values = sequence(
            [w(x) for w, x in zip(wrap_in, xs, strict=False)] + xs[len(wrap_in) :]
        )
        results = iter(wrap_out)

        def callback(x: float) -> object:
            return next(results, lambda y: y)(x * 2.0)

        want = float64_bits(REFERENCE.map_callback(given_values, callback), "list")
        results = iter(wrap_out)  # the same results, in the same order, for the bridge
        got = float64_bits(fn(given_values, callback), "list")
        assert same_bits_nan_aware(got, want), f"{bridge.name}: {given_values!r} differs"

    check()
