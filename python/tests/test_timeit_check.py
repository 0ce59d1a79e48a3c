"""timeit-check: parses `python -m timeit -v -v`, subtracts the empty loop, and fails a
bridge outside the tolerance; one real round for the reference bridge."""

from __future__ import annotations

import argparse

import pytest

from bridgebench.commands import timeit_check
from bridgebench.commands.timeit_check import Figures

TIMEIT_OUTPUT = """1 loop -> 4.929e-06 secs
5000000 loops -> 0.362 secs

raw times: 362.5 msec, 332.4 msec, 346.9 msec

5000000 loops, best of 3: 46.27 nsec per loop
"""


def test_timeit_output_is_parsed_into_per_loop_ns() -> None:
    loops, times = timeit_check.parse_timeit(TIMEIT_OUTPUT)
    assert loops == 5_000_000
    assert times == pytest.approx([72.5, 66.48, 69.38])
    with pytest.raises(ValueError, match="unexpected timeit output"):
        timeit_check.parse_timeit("5000000 loops, best of 3: 46.27 nsec per loop\n")


def test_the_table_compares_best_with_best_net_of_the_empty_loop_and_flags_outliers() -> None:
    # timeit's figure is its fastest repeat (59) minus the fastest empty loop (10), the
    # harness's its fastest sample (50); the medians (51; 60 - 11) and the harness's
    # nominal-speed figure beside them
    close = Figures(
        [50.0, 51.0, 52.0], [40.0], timeit_ns=[60.0, 61.0, 59.0], empty_ns=[10.0, 12.0, 11.0]
    )
    far = Figures(harness_ns=[50.0], timeit_ns=[80.0], empty_ns=[10.0])
    text, ok = timeit_check.table({"close": close}, 0.15)
    assert ok and "| close | 50.0 | 49.0 | 1.020 | yes | 51.0 | 49.0 | 40.0 |" in text
    text, ok = timeit_check.table({"close": close, "far": far}, 0.15)
    assert not ok and "| 0.714 | **no** |" in text


def test_the_statement_is_the_specs_bench_call() -> None:
    assert timeit_check.statement() == "add(5, 3)"


def test_one_real_round_for_the_reference_bridge() -> None:
    args = argparse.Namespace(bridge=["python"], rounds=1, tolerance=100.0)
    assert timeit_check.run(args) == 0
