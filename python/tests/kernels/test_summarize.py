"""summarize(records): count, score_sum, max_id and longest_name of (id, name, score)
records that cross as objects, as columns or as one serialized message.

Every Python-side bridge x summarize cell: the shared record vectors of
benches/kernels/summarize.toml (and its column vectors, errors included, for the columns
strategy), and the reference's Summary on Hypothesis records (int64 ids, names of any
code points, scores of any float64 bits), score_sum bit for bit (NaN-aware).
"""

from __future__ import annotations

import gc
import struct
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgebench.kernels import summarize as records_input
from bridgebench.kernels.summarize import summary_fields
from bridgebench.spec import Bridge, Cell
from support import (
    REFERENCE,
    SETTINGS,
    SPECIALS,
    cell_id,
    float64_bit_patterns,
    int64s,
    kernel_cells,
    names,
    raises_declared,
    same_bits_nan_aware,
    same_nan_aware,
    vectors,
)

CELLS = kernel_cells("summarize")
FIELDS = ("count", "score_sum", "max_id", "longest_name")


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_shared_vectors(pair: tuple[Bridge, Cell]) -> None:
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)
    for v in vectors("summarize"):
        records = [(r["id"], r["name"], r["score"]) for r in v["records"]]
        got = summary_fields(fn(*records_input.arguments(cell.strategy, records)))
        want = tuple(v["expect"][k] for k in FIELDS)
        assert got[0] == want[0] and got[2:] == want[2:], f"{bridge.name}: {records} -> {got}"
        assert same_nan_aware([got[1]], [want[1]]), f"{bridge.name}: {records} -> {got}"


@pytest.mark.parametrize("pair", [p for p in CELLS if p[1].strategy == "columns"], ids=cell_id)
def test_column_vectors(pair: tuple[Bridge, Cell]) -> None:
    """Columns as given, in Arrow's layout: those that disagree or hold bad UTF-8 included."""
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)
    for v in vectors("summarize", "column_vectors"):
        args = (
            np.array(v["ids"], dtype=np.int64),
            np.array(v["scores"], dtype=np.float64),
            np.array(v["name_offsets"], dtype=np.int64),
            bytes(v["name_bytes"]),
        )
        label = f"{bridge.name}: column vector {v}"
        if "expect" in v:
            got = summary_fields(fn(*args))
            assert list(got) == [v["expect"][k] for k in FIELDS], label
            continue
        with raises_declared("summarize", v["error"], label):
            fn(*args)


scores = st.one_of(st.sampled_from(SPECIALS), float64_bit_patterns)
record_lists = st.lists(st.tuples(int64s, names, scores), max_size=300)


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_equals_reference(pair: tuple[Bridge, Cell]) -> None:
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


@pytest.mark.parametrize("pair", [p for p in CELLS if p[1].strategy == "columns"], ids=cell_id)
def test_a_refused_call_kept_in_a_cycle_is_collected_cleanly(
    pair: tuple[Bridge, Cell], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exception of a refused call, its traceback and the call's frame (the buffers
    it was pointing into) left in a reference cycle: the cycle collector frees them
    without an error (a memoryview still exported when the collector clears it reports
    BufferError, and freeing its consumer afterwards can crash the interpreter)."""
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    args = (
        np.array([1, 2], dtype=np.int64),
        np.array([1.0], dtype=np.float64),  # one score for two ids: refused
        np.array([0, 1, 2], dtype=np.int64),
        b"ab",
    )
    gc.collect()
    try:
        fn(*args)
    except ValueError as exc:
        exc.cycle = exc  # type: ignore[attr-defined]
    else:
        pytest.fail(f"{bridge.name}: columns that disagree were accepted")
    gc.collect()
    assert not unraisable, f"{bridge.name}: {unraisable}"
