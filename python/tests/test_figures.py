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
    """Three bridges of two cells over six rounds, every sample and canary x factor; each
    sample of a bridge has the floor's beside it, which met the same mood."""
    rng = np.random.default_rng(7)
    out = Timings()
    speeds = 1.0 + rng.random(6)  # the machine's mood of each round
    for bridge, cost in ((FLOOR, 20.0), ("python", 150.0), ("pyo3", 35.0)):
        for cell, size in (("add", None), ("scale.buffer", 1000)):
            t = Timed(bridge, cell, size, loops=64, floor_loops=128)
            for s in speeds:
                moods = s * (1.0 + rng.random(3))  # each pair's own moment, up to 2x
                noise = 1.0 + 0.02 * rng.random(3)
                t.rounds.append(list(factor * cost * moods * noise))
                floor = [] if bridge == FLOOR else list(factor * 20.0 * moods)
                t.floor_rounds.append(floor)
                t.loop_overhead_ns.append(factor * 3.0)
            out.timed[(bridge, cell, size)] = t
    out.canary_ns = [[int(factor * 50_000 * s)] * 10 for s in speeds]
    return out


def _criterion_pass(folder: Path, factor: float) -> None:
    """One pass of the add benches as criterion and benches/rust/common.rs leave it."""
    moods = [1 + 0.01 * i for i in range(10)]
    iters = [float(1000 * (i + 1)) for i in range(10)]
    floor_times = [factor * 2.0 * m * i for m, i in zip(moods, iters, strict=True)]
    for bridge, cost in (("rust", 2.0), ("cxx", 3.0)):
        new = folder / "add" / bridge / "new"
        new.mkdir(parents=True)
        (new / "benchmark.json").write_text(
            json.dumps({"group_id": "add", "function_id": bridge, "value_str": None})
        )
        per_iter = [factor * cost * m for m in moods]
        times = [t * i for t, i in zip(per_iter, iters, strict=True)]
        (new / "sample.json").write_text(json.dumps({"iters": iters, "times": times}))
        median = {"median": {"point_estimate": float(np.median(per_iter))}}
        (new / "estimates.json").write_text(json.dumps(median))
        if bridge != "rust":  # the warm-up's calls first, then one per sample
            pairs = folder / "floor-pairs" / "add" / f"{bridge}.json"
            pairs.parent.mkdir(parents=True)
            pairs.write_text(
                json.dumps(
                    {
                        "iters": [1, 2, *iters],
                        "row_ns": [5, 9, *times],
                        "floor_ns": [4, 7, *floor_times],
                    }
                )
            )


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
    assert pyo3["ratio_to"] == {"bridge": FLOOR, "cell": "scale.buffer"}
    # Each pair met its own mood (up to 2x apart), which its ratio cancels: the ratio is
    # the cost ratio within the 2 % noise, and so is its interval.
    assert 35 / 20 <= pyo3["ratio"] <= 35 / 20 * 1.02
    lo, hi = pyo3["ratio_ci95"]
    assert 35 / 20 <= lo <= hi <= 35 / 20 * 1.02
    # Median over median would have kept the moods: both medians swing with them.
    assert pyo3["median_ns"] / records[("python", FLOOR, "scale.buffer", 1000)]["median_ns"] != (
        pytest.approx(pyo3["ratio"], rel=0.02)
    )
    cxx = records[("rust", "cxx", "add", None)]
    assert cxx["ratio_to"] == {"bridge": "rust", "cell": "add"}
    assert cxx["ratio"] == pytest.approx(1.5) and cxx["ratio_ci95"] == pytest.approx([1.5, 1.5])
    assert len(cxx["round_floor_ns"]) == 3, "the floor's samples of every pass"


def test_floor_samples_that_do_not_match_criterions_are_an_error(tmp_path: Path) -> None:
    _criterion_pass(tmp_path, 1.0)
    pairs = tmp_path / "floor-pairs" / "add" / "cxx.json"
    data = json.loads(pairs.read_text())
    data["row_ns"][-1] += 1
    pairs.write_text(json.dumps(data))
    (cxx,) = [r for r in criterion.read([tmp_path]) if r["bridge"] == "cxx"]
    assert cxx["status"] == "error" and "does not match criterion's samples" in cxx["error"]


def test_a_pair_whose_floor_sample_is_all_loop_overhead_is_left_out() -> None:
    assert figures.pair_ratios([[4.0, 6.0]], [[0.0, 2.0]]) == [[3.0]]


def test_a_cell_the_floor_lacks_is_paired_with_its_kernels_objects_cell() -> None:
    assert spec.floor_cell("python", "summarize.protobuf") == "summarize.objects"
    assert spec.floor_cell("python", "scale.list") == "scale.list"
    assert spec.floor_cell("rust", "scale.buffer") == "scale.buffer"


def test_each_side_has_one_floor_that_covers_the_scalar_cells() -> None:
    for side in ("python", "rust"):
        floor = spec.floor(side)
        assert floor.side == side and "add" in floor.cells
