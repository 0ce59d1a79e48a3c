"""map_callback: an exception raised in the callback reaches the caller unchanged, the
kernel stops at once, and nothing is leaked — for every bridge with the cell."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from bridgebench.spec import Bridge, Cell
from support import cell_id, python_cells

CALLBACK_CELLS = [p for p in python_cells() if p[1].strategy == "callback"]


class Refused(Exception):
    """A user-defined exception type: a bridge must not turn it into something else."""


@pytest.mark.parametrize("pair", CALLBACK_CELLS, ids=cell_id)
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


@pytest.mark.parametrize("pair", CALLBACK_CELLS, ids=cell_id)
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
