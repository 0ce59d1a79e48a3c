"""The results table renders every registered cell of every kernel, n/a cells with reasons."""

from __future__ import annotations

from typing import Any

from bridgebench import results, spec


def _synthetic() -> dict[str, Any]:
    cells: list[dict[str, Any]] = []
    for bridge in spec.bridges():
        for name in bridge.cells:
            scalar = spec.cells()[name].strategy == "scalar"
            for size in [None] if scalar else [1, 1000]:
                cells.append(
                    {
                        "side": bridge.side,
                        "bridge": bridge.name,
                        "cell": name,
                        "size": size,
                        "status": "ok",
                        "median_ns": 123.0 * (size or 1),
                        "quartiles_ns": [100.0, 150.0],
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
    return {"mode": "quick", "created": "now", "environment": environment, "cells": cells}


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
