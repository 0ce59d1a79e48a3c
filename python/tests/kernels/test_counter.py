"""Counter(start=0): a native object holding one int64, with bump(by=1) -> the new value
(OverflowError, value unchanged, when it does not fit) and a read-write property `value`.

For every Python-side bridge with the counter cells: the shared vectors of
benches/kernels/counter.toml, the call shapes the harness times, and the reference's
Counter step by step on Hypothesis sequences of bumps (by position, by keyword, by
default) and sets, from int64 starts, near the int64 limits too, so overflow happens.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wrappers
from bridgebench import spec
from support import (
    INT64_MAX,
    INT64_MIN,
    REFERENCE,
    SETTINGS,
    bridge_id,
    int64s,
    kernel_bridges,
    outcome,
    raises_declared,
    vectors,
)


@pytest.fixture(params=kernel_bridges("counter"), ids=bridge_id)
def bridge(request: pytest.FixtureRequest) -> spec.Bridge:
    return request.param


@pytest.fixture
def module(bridge: spec.Bridge) -> ModuleType:
    return bridge.import_module()


def _answer(value: Any) -> tuple[type, Any]:
    """An int the bridge hands back, with its type: an int, not a bool or a NumPy int."""
    return type(value), value


def _step(counter: Any, step: list[Any]) -> Any:
    """One step of a vector: ["bump", by] or ["bump"] answers c.bump(...); ["set", v]
    assigns c.value = v and answers None."""
    match step:
        case ["bump", *by]:
            return counter.bump(*by)
        case ["set", value]:
            counter.value = value
            return None
    raise ValueError(f"benches/kernels/counter.toml: unknown step {step!r}")


def test_shared_vectors(bridge: spec.Bridge, module: ModuleType) -> None:
    for v in vectors("counter"):
        label = f"{bridge.name}: counter vector {v}"
        counter = module.Counter(v["start"]) if "start" in v else module.Counter()
        for i, step in enumerate(v["steps"]):
            if "error" in v and i == len(v["steps"]) - 1:
                before = counter.value
                with raises_declared("counter", v["error"], f"{label}, step {step}"):
                    _step(counter, step)
                assert counter.value == before, f"{label}: a failed {step} changed the value"
            elif step[0] == "bump":
                answer = _step(counter, step)
                assert _answer(answer) == (int, counter.value), f"{label}: {step} -> {answer!r}"
            else:
                _step(counter, step)
        assert _answer(counter.value) == (int, v["value"]), f"{label}: value {counter.value!r}"


def test_call_shapes(module: ModuleType) -> None:
    """What the harness times (counter.toml's cells): a bump by position and by keyword,
    the property read and written, and a refused argument."""
    counter = module.Counter(0)
    assert counter.bump(2) == 2
    assert counter.bump(by=2) == 4
    assert counter.value == 4
    counter.value = 7
    assert counter.value == 7
    assert counter.bump() == 8
    with pytest.raises(TypeError):
        counter.bump("x")
    assert counter.value == 8, "a refused argument leaves the value unchanged"


# Values near the limits, and small steps, so that sums overflow often.
near_limits = st.one_of(
    int64s,
    st.integers(INT64_MAX - 1000, INT64_MAX),
    st.integers(INT64_MIN, INT64_MIN + 1000),
    st.integers(-1000, 1000),
)
# ("bump", by): c.bump(by); ("bump",): c.bump(); ("bump_by", by): c.bump(by=by);
# ("set", v): c.value = v.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("bump"), near_limits),
        st.tuples(st.just("bump")),
        st.tuples(st.just("bump_by"), near_limits),
        st.tuples(st.just("set"), near_limits),
    ),
    max_size=12,
)


def _apply(counter: Any, operation: tuple[Any, ...]) -> Any:
    match operation:
        case ("bump_by", by):
            return _answer(counter.bump(by=by))
        case ("set", value):
            counter.value = value
            return None
    return _answer(counter.bump(*operation[1:]))


# The kinds of int argument (tests/wrappers.py) and the bad-input cases of counter.toml that
# declare a tool's other nature for them.
DECLARED_BY = {
    "numpy integer": {"counter-numpy-int-is-valid"},
    "object with __index__": {"counter-set-index-object-is-valid"},
}


def _wrapped(operation: tuple[Any, ...], wrap: wrappers.Wrap) -> tuple[Any, ...]:
    """The operation with its int, if it has one, wrapped."""
    return (*operation[:1], *map(wrap, operation[1:]))


def test_equals_reference(bridge: spec.Bridge, module: ModuleType) -> None:
    """Step by step, with every int wrapped in a kind of int argument the contract accepts."""
    wraps = wrappers.drawn(bridge, wrappers.INT_KINDS, DECLARED_BY, "int")

    @SETTINGS
    @given(st.one_of(st.none(), near_limits), operations, st.data())
    def check(start: int | None, plain: list[tuple[Any, ...]], data: st.DataObject) -> None:
        wrappers.example(bridge, "counter")
        args = () if start is None else (data.draw(wraps)(start),)
        steps = [_wrapped(operation, data.draw(wraps)) for operation in plain]
        got, want = module.Counter(*args), REFERENCE.Counter(*args)
        for i, operation in enumerate(steps):
            label = f"Counter({args}) after {steps[:i]}: {operation}"
            assert outcome(_apply, got, operation) == outcome(_apply, want, operation), label
            assert _answer(got.value) == _answer(want.value), f"{label}: value"

    check()
