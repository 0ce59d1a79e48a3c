"""Every Python-side bridge against the shared vectors of benches/kernels/*.toml."""

from __future__ import annotations

import builtins
import gc
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from bridgebench import spec
from bridgebench.kernels import summarize as records_input
from bridgebench.kernels.summarize import summary_fields
from bridgebench.spec import Bridge, Cell
from support import cell_id, float64_bits, floats_of, python_cells, same_nan_aware

# Every exporter the buffer contract names, each made fresh from a list of floats.
EXPORTERS: dict[str, Callable[[list[float]], Any]] = {
    "numpy": lambda xs: np.array(xs, dtype=np.float64),
    "array.array": lambda xs: array("d", xs),
    "memoryview": lambda xs: np.array(xs, dtype=np.float64).data,  # ndarray.data is a memoryview
}


def _scale_vectors() -> list[dict[str, Any]]:
    return spec.kernels()["scale"]["vectors"]


@pytest.mark.parametrize("pair", python_cells(), ids=cell_id)
def test_shared_vectors(pair: tuple[Bridge, Cell]) -> None:
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)
    vectors = spec.kernels()[cell.kernel]["vectors"]
    assert vectors
    if cell.kernel == "holder":
        _check_holder_vectors(bridge, cell)
        return
    if cell.kernel == "summarize":
        _check_summarize_vectors(bridge, cell, fn)
        return
    if cell.strategy == "scalar":
        errors = spec.kernels()[cell.kernel]["errors"]
        for v in vectors:
            label = f"{bridge.name}: {cell.kernel}({v['a']}, {v['b']})"
            if "expect" in v:
                assert fn(v["a"], v["b"]) == v["expect"], label
                continue
            error = errors[v["error"]]
            with pytest.raises(getattr(builtins, error["python"])) as caught:
                fn(v["a"], v["b"])
            assert error["message"] in str(caught.value), f"{label}: message {caught.value!r}"
        return
    if cell.strategy == "callback":
        _check_callback_vectors(bridge, fn)
        return
    for v in _scale_vectors():
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


def _check_callback_vectors(bridge: Bridge, fn: Callable[..., Any]) -> None:
    for v in spec.kernels()["map_callback"]["vectors"]:
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


def test_every_kernel_has_vector_checks() -> None:
    """A new kernel needs its branch in test_shared_vectors, or its vectors go unchecked."""
    assert set(spec.kernels()) == {
        "add",
        "checked_div",
        "map_callback",
        "scale",
        "holder",
        "summarize",
    }, "teach test_shared_vectors the new kernel's vectors"


def _check_holder_vectors(bridge: Bridge, cell: Cell) -> None:
    module = bridge.import_module()
    start = module.live_holders()
    kept = []
    for v in spec.kernels()["holder"]["vectors"]:
        text = v["text"] * v.get("repeat", 1)
        holder = module.Holder(text)
        for more in v.get("append", []):
            assert holder.append(more) is None
            text += more
        label = f"{bridge.name}: holder vector {v['text'][:20]!r} x{v.get('repeat', 1)}"
        got = holder.text()
        assert type(got) is str, f"{label}: text() returned {type(got).__name__}"
        assert got == text, f"{label}: text() differs (len {len(got)} vs {len(text)})"
        assert holder.utf8_len() == v["utf8_len"], label
        kept.append(holder)
        assert module.live_holders() == start + len(kept), f"{label}: live count"
    del kept, holder
    gc.collect()
    assert module.live_holders() == start, f"{bridge.name}: holders left alive"


def _check_summarize_vectors(bridge: Bridge, cell: Cell, fn: Callable[..., Any]) -> None:
    data = spec.kernels()["summarize"]
    for v in data["vectors"]:
        records = [(r["id"], r["name"], r["score"]) for r in v["records"]]
        got = summary_fields(fn(*records_input.arguments(cell.strategy, records)))
        want = tuple(v["expect"][k] for k in ("count", "score_sum", "max_id", "longest_name"))
        assert got[0] == want[0] and got[2:] == want[2:], f"{bridge.name}: {records} -> {got}"
        assert same_nan_aware([got[1]], [want[1]]), f"{bridge.name}: {records} -> {got}"
    if cell.strategy != "columns":
        return
    for v in data["column_vectors"]:
        args = (
            np.array(v["ids"], dtype=np.int64),
            np.array(v["scores"], dtype=np.float64),
            np.array(v["name_offsets"], dtype=np.int64),
            bytes(v["name_bytes"]),
        )
        label = f"{bridge.name}: column vector {v}"
        if "expect" in v:
            got = summary_fields(fn(*args))
            assert list(got) == [
                v["expect"][k] for k in ("count", "score_sum", "max_id", "longest_name")
            ], label
            continue
        error = data["errors"][v["error"]]
        with pytest.raises(getattr(builtins, error["python"])) as caught:
            fn(*args)
        assert error["message"] in str(caught.value), f"{label}: message {caught.value!r}"


SCALE_CELLS = [p for p in python_cells() if p[1].kernel == "scale"]


@pytest.mark.parametrize("pair", SCALE_CELLS, ids=cell_id)
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
