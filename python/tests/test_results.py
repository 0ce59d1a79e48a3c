"""The results tables render every registered cell of every kernel, n/a cells with reasons,
the statistics of each cell with its ratio to the floor, a cost model per swept cell, and
how steady the machine was under the header."""

from __future__ import annotations

from typing import Any

import pytest
from test_schema import machine

from bridgebench import results, spec, steadiness


def _synthetic() -> dict[str, Any]:
    cells: list[dict[str, Any]] = []
    for bridge in spec.bridges():
        for name in bridge.cells:
            scalar = not spec.cells()[name].sized
            # Pure Python: 500 ns a call + 100 ns an element; every other bridge 2000 + 10 n,
            # so each one beats it from n = 17 (2000 + 10 n < 500 + 100 n <=> n > 16.7).
            fixed, per_unit = (500.0, 100.0) if bridge.name == "python" else (2000.0, 10.0)
            floor = spec.floor(bridge.side).name
            for size in [None] if scalar else [0, 1, 1000]:
                median = fixed + per_unit * (size or 0)
                # Every bridge 2.5x its floor (interval 2.4 to 2.6); the floor itself 1.
                ratio = 1.0 if bridge.name == floor else 2.5
                spread = 0.0 if bridge.name == floor else 0.1
                cells.append(
                    {
                        "side": bridge.side,
                        "bridge": bridge.name,
                        "cell": name,
                        "size": size,
                        "status": "ok",
                        "median_ns": median,
                        "quartiles_ns": [median * 0.8, median * 1.2],
                        "ci95_ns": [median * 0.9, median * 1.1],
                        "flags": ["wide-spread", "wide-ci"] if bridge.name == "ctypes" else [],
                        "ratio": ratio,
                        "ratio_ci95": [ratio - spread, ratio + spread],
                        "ratio_to": {"bridge": floor, "cell": name},
                    }
                )
        for name, reason in bridge.na.items():
            cells.append(
                {
                    "side": bridge.side,
                    "bridge": bridge.name,
                    "cell": name,
                    "size": None,
                    "status": "n/a",
                    "reason": reason,
                }
            )
    environment = {
        "git_commit": "0" * 40,
        "git_dirty": False,
        "cpu": "test CPU",
        "cores": 2,
        "os": "test OS",
        "python": "3.x",
        "tools": {"tool": "1.0"},
    }
    return {
        "mode": "quick",
        "created": "now",
        "machine": machine(),
        "environment": environment,
        "cells": cells,
    }


def test_every_kernel_and_every_na_reason_is_in_the_table() -> None:
    text = results.markdown(_synthetic())
    for kernel in spec.kernels():
        assert f"## {kernel}" in text, f"no table for kernel {kernel}"
    for bridge in spec.bridges():
        for reason in bridge.na.values():
            assert reason in text, f"{bridge.name}: n/a reason missing from the table"


def test_small_per_element_figures_keep_their_digits() -> None:
    assert results._fmt_ns(0.042) == "0.042 ns"
    assert results._fmt_ns(42.0) == "42.0 ns"


def test_scalar_tables_show_median_ci_flags_and_the_ratio_to_the_floor() -> None:
    text = results.markdown(_synthetic())
    add = text.split("## add: ns per call")[1].split("\n## ")[0]
    assert "| 95 % CI |" in add and "| × floor (95 % CI) |" in add and "fastest" not in add
    ctypes_row = next(line for line in add.splitlines() if "| ctypes |" in line)
    assert "wide-spread, wide-ci" in ctypes_row
    assert "1.80 µs – 2.20 µs" in ctypes_row  # the CI of a 2000 ns median
    assert "| 2.50× (2.40–2.60) |" in ctypes_row  # the ratio to cpython-api and its interval
    floor_row = next(line for line in add.splitlines() if "| cpython-api |" in line)
    assert "| 1 (floor) |" in floor_row


def _header(text: str) -> str:
    return text[: text.index("\n## ")]


@pytest.mark.parametrize("verdict", ["steady", "disturbed"])
def test_the_header_says_figures_are_as_measured_and_how_steady_the_machine_was(
    verdict: str,
) -> None:
    data = _synthetic()
    data["machine"] = machine(verdict)
    header = _header(results.markdown(data))
    assert "nominal" not in header and "raw_median_ns" not in header
    assert "Medians as measured" in header
    assert "× the floor bridge of the side, the median of the ratios of each sample" in (
        header.replace("\n", " ")
    )
    lines = header.splitlines()
    # The machine's line right under the run's: bold when it was disturbed.
    said = steadiness.line(data["machine"])
    assert lines[5] == (said if verdict == "steady" else f"**{said}**")
    assert ("DISTURBED" in said) == (verdict == "disturbed")


def test_sequence_tables_show_n0_per_call_and_a_cost_model_per_kernel() -> None:
    text = results.markdown(_synthetic())
    for kernel, data in spec.kernels().items():
        if "sizes" not in data.get("bench", {}):
            continue
        table = text.split(f"## {kernel}: ns per")[1].split("\n## ")[0]
        assert "n = 0" in table
        pybind = next(line for line in table.splitlines() if "| pybind11 |" in line)
        assert "| 2.00 µs |" in pybind, "n = 0 shows the cost per call"
        assert f"### {kernel}: cost model" in table
        model_rows = table.split("cost model")[1].splitlines()
        nanobind = next(line for line in model_rows if "| nanobind |" in line)
        assert "| 2.00 µs | 10.0 ns |" in nanobind, "fixed and per-unit cost of the fit"
        assert "n ≥ 17" in nanobind, "crossover against pure Python"
        ctypes = next(line for line in table.splitlines() if "| ctypes |" in line)
        assert results.FLAG_MARK in ctypes, "a flagged figure carries the mark"


def test_crossover_text() -> None:
    base = {"bridge": "b", "cell": "scale.list", "reference_cell": "scale.list", "sizes": [1, 10]}
    assert results._crossover_text({**base, "crossover_n": 0}, "python") == "always"
    assert results._crossover_text({**base, "crossover_n": None}, "python") == "never"
    assert results._crossover_text({**base, "crossover_n": 5}, "python") == "n ≥ 5"
    beyond = results._crossover_text({**base, "crossover_n": 50}, "python")
    assert beyond == "n ≥ 50 (beyond the sweep)"
    below = {**base, "crossover_n": None, "faster_below_n": 9}
    assert results._crossover_text(below, "python") == "only n < 9"
    protobuf = {**base, "cell": "summarize.protobuf", "reference_cell": "summarize.objects"}
    assert (
        results._crossover_text({**protobuf, "crossover_n": 0}, "python") == "always (vs objects)"
    )
    assert results._crossover_text({**base, "bridge": "python"}, "python") == "(reference)"


def test_counts_appear_in_scalar_and_per_kernel_tables() -> None:
    data = _synthetic()
    for rec in data["cells"]:
        if rec["status"] == "ok" and rec["size"] in (None, 1000):
            rec.update(
                instructions_per_call=4321.0,
                allocs_per_call=3.0,
                bytes_per_call=8192.0,
                copy_factor=1.02,
                leak="ok",
            )
    text = results.markdown(data)
    assert "| 4,321 | 3 | 8,192 |" in text, "scalar tables: instructions, allocs, bytes"
    sequence = {c.kernel for c in spec.cells().values() if c.sized}
    for kernel in sequence:
        assert f"### {kernel}: counts per call at n = 1,000" in text
    assert "| 1.02 |" in text, "copy factor"
