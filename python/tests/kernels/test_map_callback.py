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

from bridgebench import spec
from bridgebench.spec import Bridge, Cell
from support import cell_id, float64_bits, floats_of, kernel_cells, same_nan_aware, vectors

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
