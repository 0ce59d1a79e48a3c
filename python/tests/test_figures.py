"""The figures of a results record (bridgebench.figures): times as measured, ratios to the
floor paired round by round, and no constant of any machine in between."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bridgebench import criterion, figures, spec, steadiness
from bridgebench.harness.rounds import Timed, Timings

FLOOR = spec.floor("python").name


def _timings(factor: float) -> Timings:
    """Three bridges of two cells over six rounds, every sample and canary x factor."""
    rng = np.random.default_rng(7)
    out = Timings()
    speeds = 1.0 + rng.random(6)  # the machine's mood of each round
    for bridge, cost in ((FLOOR, 20.0), ("python", 150.0), ("pyo3", 35.0)):
        for cell, size in (("add", None), ("scale.buffer", 1000)):
            t = Timed(bridge, cell, size, loops=64)
            for s in speeds:
                noise = 1.0 + 0.05 * rng.random(3)
                t.rounds.append([factor * cost * s * x for x in noise])
                t.loop_overhead_ns.append(factor * 3.0)
            out.timed[(bridge, cell, size)] = t
    out.canary_ns = [[int(factor * 50_000 * s)] * 10 for s in speeds]
    return out


def _criterion_pass(folder: Path, factor: float) -> None:
    for bridge, cost in (("rust", 2.0), ("cxx", 3.0)):
        new = folder / "add" / bridge / "new"
        new.mkdir(parents=True)
        (new / "benchmark.json").write_text(
            json.dumps({"group_id": "add", "function_id": bridge, "value_str": None})
        )
        per_iter = [factor * cost * (1 + 0.01 * i) for i in range(10)]
        iters = [float(1000 * (i + 1)) for i in range(10)]
        sample = {"iters": iters, "times": [t * i for t, i in zip(per_iter, iters, strict=True)]}
        (new / "sample.json").write_text(json.dumps(sample))
        median = {"median": {"point_estimate": float(np.median(per_iter))}}
        (new / "estimates.json").write_text(json.dumps(median))


def _records(tmp_path: Path, factor: float) -> dict[tuple[Any, ...], dict[str, Any]]:
    records = figures.python_records(_timings(factor))
    passes = []
    for k in range(3):
        folder = tmp_path / f"x{factor}" / f"pass-{k}"
        _criterion_pass(folder, factor)
        passes.append(folder)
    records += criterion.read(passes)
    figures.add_ratios(records)
    return {(r["side"], r["bridge"], r["cell"], r["size"]): r for r in records}


def test_no_machine_constant_enters_a_figure(tmp_path: Path) -> None:
    # A machine twice as slow: every sample and every canary x 2.
    once, twice = _records(tmp_path, 1.0), _records(tmp_path, 2.0)
    assert once.keys() == twice.keys()
    ns_fields = ("median_ns", "iqr_ns", "quartiles_ns", "ci95_ns", "criterion_median_ns")
    for key, rec in once.items():
        slow = twice[key]
        for name in ns_fields:
            if name in rec:
                assert np.allclose(np.asarray(slow[name]), 2 * np.asarray(rec[name])), (key, name)
        assert slow["flags"] == rec["flags"], key
        assert slow["ratio"] == pytest.approx(rec["ratio"]), key
        assert slow["ratio_ci95"] == pytest.approx(rec["ratio_ci95"]), key
    # The canary moves only the steadiness figures, never a time.
    phase = steadiness.canary_fields(_timings(2.0).canary_ns)
    assert phase["canary_ns"]["median"] == pytest.approx(
        2 * steadiness.canary_fields(_timings(1.0).canary_ns)["canary_ns"]["median"], rel=1e-4
    )


def test_a_ratio_is_to_the_floor_of_the_same_side_cell_and_size(tmp_path: Path) -> None:
    records = _records(tmp_path, 1.0)
    floor = records[("python", FLOOR, "add", None)]
    assert floor["ratio"] == 1.0 and floor["ratio_ci95"] == pytest.approx([1.0, 1.0])
    pyo3 = records[("python", "pyo3", "scale.buffer", 1000)]
    base = records[("python", FLOOR, "scale.buffer", 1000)]
    assert pyo3["ratio"] == pytest.approx(pyo3["median_ns"] / base["median_ns"])
    assert pyo3["ratio_to"] == {"bridge": FLOOR, "cell": "scale.buffer"}
    # Every round met its own mood, which the floor met too: the ratio is tight.
    lo, hi = pyo3["ratio_ci95"]
    assert 35 / 20 * 0.95 < lo <= hi < 35 / 20 * 1.05
    cxx = records[("rust", "cxx", "add", None)]
    assert cxx["ratio_to"] == {"bridge": "rust", "cell": "add"}
    assert cxx["ratio"] == pytest.approx(1.5)


def test_a_cell_the_floor_lacks_is_divided_by_its_kernels_objects_cell() -> None:
    assert figures.ratio_cell("python", "summarize.protobuf") == "summarize.objects"
    assert figures.ratio_cell("python", "scale.list") == "scale.list"
    assert figures.ratio_cell("rust", "scale.buffer") == "scale.buffer"


def test_each_side_has_one_floor_that_covers_the_scalar_cells() -> None:
    for side in ("python", "rust"):
        floor = spec.floor(side)
        assert floor.side == side and "add" in floor.cells
