"""The seed article's three examples, as written (cpp/seed, bridgebench/seed): what they
do, shown, including where that is not what the project's contract asks (the seed's forms
are [[example]] entries of benches/bridges.toml, measured beside the bridges, not bridges).
"""

from __future__ import annotations

import ctypes
import importlib.util
import runpy
import struct
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pybind_example
import pytest
import swig_example
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgebench import figures, results, spec
from bridgebench.harness import cases, counts, hooks, worker
from bridgebench.harness.count_figures import AllocFigures
from bridgebench.harness.messages import decode
from bridgebench.seed import calls

SETTINGS = settings(max_examples=300, deadline=None)
add = calls.python_caller.lib.add  # the seed's function, with its argtypes and restype

# Any float64 bit pattern: NaNs with payloads, +-inf, -0.0 and subnormals all occur.
any_float = st.integers(0, 2**64 - 1).map(lambda b: struct.unpack("d", struct.pack("Q", b))[0])


def _bits(values: list[float]) -> bytes:
    return np.array(values, dtype=np.float64).tobytes()


def _run_caller(name: str) -> None:
    """Run one of the seed's caller scripts as a script (its file: `calls` imported it)."""
    spec_ = importlib.util.find_spec(f"bridgebench.seed.{name}")
    assert spec_ is not None and spec_.origin is not None
    runpy.run_path(spec_.origin, run_name="__main__")


def _low_32_bits_signed(x: int) -> int:
    """What c_int keeps of a Python int: its low 32 bits, as a signed int."""
    return (x + 2**31) % 2**32 - 2**31


# ----------------------------------------------------------------------- 1: ctypes add


def test_the_ctypes_caller_prints_what_the_seed_says(capsys: pytest.CaptureFixture[str]) -> None:
    _run_caller("python_caller")
    assert capsys.readouterr().out == "Result: 8\n"
    assert add(5, 3) == 8


def test_add_wraps_around_at_32_bits() -> None:
    # int + int overflowing is undefined behaviour in C++; this build's add (gcc, -O2: one
    # `lea`) wraps, and ctypes hands back what the register holds.
    assert add(2**31 - 1, 1) == -(2**31)
    assert add(-(2**31), -1) == 2**31 - 1
    assert add(2**31 - 1, 2**31 - 1) == -2


def test_ctypes_keeps_the_low_32_bits_of_a_bigger_int_silently() -> None:
    assert add(2**32 + 5, 3) == 8, "2**32 + 5 arrives as 5"
    assert add(2**31, 0) == -(2**31), "2**31 arrives as -2**31"
    assert add(-(2**32) - 1, 0) == -1
    assert add(10**30, 0) == _low_32_bits_signed(10**30)
    assert ctypes.c_int(2**32 + 5).value == 5, "the conversion itself: c_int(x)"


@SETTINGS
@given(st.integers(), st.integers())
def test_any_int_arrives_as_its_low_32_bits(a: int, b: int) -> None:
    assert add(a, b) == _low_32_bits_signed(_low_32_bits_signed(a) + _low_32_bits_signed(b))


def test_what_is_not_an_int_is_refused() -> None:
    for bad in (1.5, "1", None):
        with pytest.raises(ctypes.ArgumentError):
            add(bad, 1)


# ---------------------------------------------------------------- 2: pybind11 process_data


def test_the_pybind_caller_prints_what_the_seed_says(capsys: pytest.CaptureFixture[str]) -> None:
    _run_caller("python_caller_pybind")
    assert capsys.readouterr().out == (
        "Input: [1.0, 2.0, 3.0, 4.0]\nOutput: [2.0, 4.0, 6.0, 8.0]\n"
    )
    assert pybind_example.process_data([1.0, 2.0, 3.0, 4.0]) == [2.0, 4.0, 6.0, 8.0]


@SETTINGS
@given(st.lists(any_float, max_size=50))
def test_process_data_is_bit_identical_to_times_two(values: list[float]) -> None:
    got = pybind_example.process_data(values)
    assert isinstance(got, list) and len(got) == len(values)
    assert _bits(got) == _bits([x * 2.0 for x in values])


def test_process_data_on_the_awkward_floats() -> None:
    values = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 5e-324, 1.7976931348623157e308]
    assert _bits(pybind_example.process_data(values)) == _bits([x * 2.0 for x in values])


# ------------------------------------------------------------------------- 3: SWIG MyClass


def test_the_swig_caller_runs(capsys: pytest.CaptureFixture[str]) -> None:
    _run_caller("python_caller_swig")
    assert capsys.readouterr().out == "Data: Hello from C++\n"


@SETTINGS
@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_my_class_round_trips_any_str(text: str) -> None:
    # Non-ASCII, NULs and emoji included: std_string.i encodes a str as UTF-8 and decodes
    # getData()'s std::string back.
    assert swig_example.MyClass(text).getData() == text


def test_my_class_round_trips_non_ascii_and_a_megabyte() -> None:
    for text in ("grüße, 世界 🌍", "a\0b", "x" * 10**6):
        assert swig_example.MyClass(text).getData() == text


def test_the_proxy_owns_its_object() -> None:
    obj = swig_example.MyClass("owned")
    assert obj.thisown, "the proxy deletes the C++ object (~MyClass) when it goes"


# Creates and drops MyClass objects of 1 MB each, the allocation counter preloaded
# (crates/measure-hooks: every malloc and free of the process, C++'s operator new
# included); prints how many live bytes the loop left behind.
_DESTRUCTOR_SCRIPT = textwrap.dedent(
    """
    import gc, sys
    import swig_example
    from bridgebench.harness import hooks

    text = "x" * 10**6
    gc.collect()
    before = hooks.alloc_counters().live_bytes
    for _ in range(50):
        obj = swig_example.MyClass(text)
        if sys.argv[1] == "disowned":
            obj.thisown = False  # the proxy no longer deletes it: ~MyClass never runs
        del obj
    gc.collect()
    print(hooks.alloc_counters().live_bytes - before)
    """
)


def _live_growth(mode: str) -> int:
    env = dict(spec.child_env(), LD_PRELOAD=str(hooks.library_path()), PYTHONMALLOC="malloc")
    out = subprocess.run(
        [sys.executable, "-c", _DESTRUCTOR_SCRIPT, mode],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout)


def test_the_destructor_frees_each_objects_megabyte() -> None:
    owned, disowned = _live_growth("owned"), _live_growth("disowned")
    assert owned < 10**6, f"50 objects of 1 MB created and dropped left {owned} bytes live"
    # The same loop with the destructor kept from running leaves every megabyte behind:
    # the check above can fail.
    assert disowned >= 50 * 10**6, f"without ~MyClass only {disowned} bytes stayed live"


def test_the_harness_counts_no_leak_for_my_class() -> None:
    # The measurement's own verdict (harness/counts.py, docs/COUNTS.md): live bytes after
    # loops of N1 and 2 * N1 calls of MyClass(text) with a 1 MB text, both settled.
    (record,) = counts.run_counts(
        "seed-myclass", "allocs", quick=True, cells=["holder.create"], sizes=[10**6]
    )
    assert isinstance(record, AllocFigures)
    assert record.bytes_per_call >= 10**6, "the megabyte was copied into the object"
    assert record.leak == "ok" and abs(record.live_bytes_per_call) < 1000, record


# ------------------------------------------------------------ the harness measures them


@pytest.mark.parametrize("example", spec.examples(), ids=lambda e: e.name)
def test_every_example_call_is_built_and_checked_at_each_quick_size(example: spec.Example) -> None:
    for name in example.cells:
        cell = spec.cells()[name]
        for size, call in cases.cases(example, cell, cases.sizes(cell, quick=True)):
            call.check()
            assert call.stmt.startswith("fn("), (size, call.stmt)


def test_an_examples_samples_pair_with_its_beside_bridges() -> None:
    example = spec.measured("seed-add")
    assert isinstance(example, spec.Example)
    lines: list[str] = []
    job = worker.Job(example.name, "add")
    worker.run(worker.Round(index=0, pairs=2, target_ms=0.1, quick=True, jobs=[job]), lines.append)
    (measured,) = [decode(line, (worker.Measured,)) for line in lines]
    assert measured.bridge == "seed-add"
    assert len(measured.samples_ns) == len(measured.floor_ns) == 2, "beside ctypes' add"
    assert measured.floor_loops > 0


def test_the_examples_table_shows_each_example_beside_its_bridge() -> None:
    rounds = [[100.0, 110.0], [105.0, 95.0]]
    beside_rounds = [[50.0, 55.0], [50.0, 50.0]]
    rec: dict[str, Any] = figures.timed_record("python", "seed-add", "add", None, rounds)
    rec |= {"round_floor_ns": beside_rounds, "instructions_per_call": 5000.0}
    figures.add_ratios([rec])
    assert rec["ratio_to"] == {"bridge": "ctypes", "cell": "add"}
    assert rec["ratio"] == pytest.approx(2.0, rel=0.1)
    assert rec["beside_median_ns"] == 50.0
    ctypes_add = figures.timed_record("python", "ctypes", "add", None, beside_rounds)
    ctypes_add["instructions_per_call"] = 4000.0
    lines = results._examples_table(
        {"cells": [ctypes_add], "examples": [rec]}, lambda r: str(r["status"])
    )
    example_row, beside_row = (
        line for line in lines if line.startswith("| seed-add") or "beside:" in line
    )
    assert example_row.startswith("| seed-add | add |  | example | 102 ns"), example_row
    assert "| 2.00× (" in example_row and "| 5,000 |" in example_row, example_row
    assert beside_row.startswith("| | | | beside: ctypes add | 50.0 ns | 1 | 4,000 |"), beside_row
