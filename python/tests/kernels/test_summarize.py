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
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import wrappers
from bridgebench.kernels import summarize as records_input
from bridgebench.kernels.summarize import summary_fields
from bridgebench.kinds import Record
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


# The kinds of argument (tests/wrappers.py) and the bad-input cases that declare a tool's
# other nature for them: an id's kinds, a score's, a record's.
NUMPY_NUMBERS = {"record-numpy-numbers-are-valid"}
ID_DECLARED_BY = {
    "bool": {"add-bool-is-valid"},
    "numpy integer": NUMPY_NUMBERS,
    "object with __index__": NUMPY_NUMBERS | {"add-index-object-is-valid"},
}
SCORE_DECLARED_BY = {
    "numpy integer": NUMPY_NUMBERS,
    "object with __index__": NUMPY_NUMBERS,
    "numpy float32": NUMPY_NUMBERS,
    "Decimal": NUMPY_NUMBERS,
    "Fraction": NUMPY_NUMBERS,
    "object with __float__": NUMPY_NUMBERS,
    "float subclass with its own __float__ and __mul__": {"record-score-float-subclass-is-valid"},
}
RECORD_DECLARED_BY = {
    "list": {"record-as-list-is-valid"},
    "list subclass": {"record-as-list-is-valid"},
    "named tuple": {"record-namedtuple-is-valid"},
}
RECORD_KINDS: dict[str, wrappers.Wrap] = {
    **wrappers.SEQUENCE_KINDS,
    "named tuple": lambda fields: Record(*fields),
}


@pytest.mark.parametrize("pair", CELLS, ids=cell_id)
def test_equals_reference(pair: tuple[Bridge, Cell]) -> None:
    """Records of int64 ids, any names and any float64 scores; for summarize_objects each
    field, each record and the records wrapped in kinds the contract accepts."""
    bridge, cell = pair
    fn = getattr(bridge.import_module(), cell.function)

    plain: st.SearchStrategy[wrappers.Wrap] = st.just(lambda v: v)
    objects = cell.strategy == "objects"
    ints = wrappers.drawn(bridge, wrappers.INT_KINDS, ID_DECLARED_BY, "id") if objects else plain
    strs = wrappers.drawn(bridge, wrappers.STR_KINDS, {}, "name") if objects else plain
    floats = (
        wrappers.drawn(bridge, wrappers.FLOAT_KINDS, SCORE_DECLARED_BY, "score")
        if objects
        else plain
    )
    shapes = (
        wrappers.drawn(bridge, RECORD_KINDS, RECORD_DECLARED_BY, "record")
        if objects
        else st.just(tuple)
    )
    containers = (
        wrappers.drawn(bridge, wrappers.SEQUENCE_KINDS, {}, "records") if objects else st.just(list)
    )

    @SETTINGS
    @given(record_lists, st.data())
    def check(records: list[tuple[int, str, float]], data: st.DataObject) -> None:
        wrappers.example(bridge, cell.name)
        rows: list[Any] = list(records)
        # Up to 8 records wrapped, field by field (a draw per field of 300 records is slow).
        for i in (
            data.draw(st.lists(st.integers(0, len(rows) - 1), max_size=8, unique=True))
            if rows
            else []
        ):
            id_, name, score = records[i]
            fields = (data.draw(ints)(id_), data.draw(strs)(name), data.draw(floats)(score))
            rows[i] = data.draw(shapes)(fields)
        given_records = data.draw(containers)(rows)
        want = summary_fields(REFERENCE.summarize_objects(given_records))
        args = (given_records,) if objects else records_input.arguments(cell.strategy, records)
        got = summary_fields(fn(*args))
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
