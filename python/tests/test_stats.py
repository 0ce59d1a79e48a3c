"""bridgebench.stats on synthetic data with known answers, and the folding of criterion's
samples (bridgebench.criterion)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bridgebench import criterion, spec, stats

SIZES = [0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000]


def test_median_and_quartiles() -> None:
    samples = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert stats.median(samples) == 3.0
    assert stats.quartiles(samples) == (2.0, 4.0)
    assert stats.median([1.0, 2.0, 3.0, 10.0]) == 2.5


def test_bootstrap_ci_is_repeatable_and_covers_the_median() -> None:
    rng = np.random.default_rng(1)
    samples = list(100.0 + rng.standard_normal(400))
    lo, hi = stats.bootstrap_ci([samples])
    assert (lo, hi) == stats.bootstrap_ci([samples]), "fixed seed: same samples, same CI"
    assert lo <= stats.median(samples) <= hi
    # One round: its samples are resampled one by one. The median of n normal samples has
    # standard error 1.2533 / sqrt(n) = 0.0627 for n = 400: a 95 % interval about
    # 2 * 1.96 * 0.0627 = 0.25 wide.
    assert 0.15 < hi - lo < 0.35
    assert stats.bootstrap_ci([[7.0] * 10]) == (7.0, 7.0)


def test_the_ci_resamples_whole_rounds() -> None:
    # Ten processes, each tight within itself but in its own memory layout (one of two
    # levels): resampled sample by sample the interval would be as narrow as one level.
    rounds = [[100.0 + 0.01 * i for i in range(30)] if k % 2 else [110.0] * 30 for k in range(10)]
    lo, hi = stats.bootstrap_ci(rounds)
    assert lo < 101 and hi > 109, "the layouts' difference is in the interval"
    flat = stats.bootstrap_ci([[x for r in rounds for x in r]])
    assert flat[1] - flat[0] < hi - lo


def test_spread_flags_follow_the_documented_rule() -> None:
    assert stats.spread_flags(100.0, 95.0, 105.0, (98.0, 102.0)) == []
    # IQR 20 % of the median (> 13.5 %), CI ±2 %.
    assert stats.spread_flags(100.0, 90.0, 110.0, (98.0, 102.0)) == ["wide-spread"]
    # IQR 10 %, but the CI spans 94..106 (±6 %, wider than ±5 %).
    assert stats.spread_flags(100.0, 95.0, 105.0, (94.0, 106.0)) == ["wide-ci"]
    assert stats.spread_flags(100.0, 80.0, 120.0, (90.0, 110.0)) == ["wide-spread", "wide-ci"]


def test_summarize_gives_every_field() -> None:
    summary = stats.summarize([[10.0] * 9 + [30.0], [10.0] * 10])
    assert summary["median_ns"] == 10.0
    assert summary["round_samples_ns"] == [[10.0] * 9 + [30.0], [10.0] * 10]
    assert summary["iqr_ns"] == 0.0
    assert summary["flags"] == []  # one outlier moves neither the median nor the IQR
    lo, hi = summary["ci95_ns"]
    assert lo <= 10.0 <= hi


def test_fit_recovers_an_exact_line() -> None:
    model = stats.fit_cost_model(SIZES, [100.0 + 2.0 * n for n in SIZES])
    assert model is not None
    assert model.fixed_ns == pytest.approx(100.0, rel=1e-9)
    assert model.per_unit_ns == pytest.approx(2.0, rel=1e-9)
    assert model.rms_rel_error < 1e-9
    assert model.sizes == tuple(SIZES)


def test_fit_weighs_small_sizes_as_much_as_large_ones() -> None:
    # 50 ns fixed, 0.5 ns per element, but 1 % slow at n = 10^6 (a cache effect). An
    # unweighted fit would move its intercept by thousands of ns to absorb that 1 %.
    times = [50.0 + 0.5 * n for n in SIZES]
    times[-1] *= 1.01
    model = stats.fit_cost_model(SIZES, times)
    assert model is not None
    assert model.fixed_ns == pytest.approx(50.0, rel=0.05)
    assert model.per_unit_ns == pytest.approx(0.5, rel=0.02)
    unweighted = np.polyfit(SIZES, times, 1)
    assert abs(unweighted[1] - 50.0) > 50.0, "the test's data must defeat a plain fit"


def test_fit_keeps_coefficients_non_negative() -> None:
    # Superlinear: the best unconstrained line has a negative intercept.
    sizes = [10, 100, 1000]
    model = stats.fit_cost_model(sizes, [float(n) ** 1.2 for n in sizes])
    assert model is not None
    assert model.fixed_ns == 0.0
    assert model.per_unit_ns > 0
    assert model.max_rel_error > 0.1, "a poor fit must show in its quality"


def test_fit_needs_two_sizes_with_time() -> None:
    assert stats.fit_cost_model([1000], [5.0]) is None
    assert stats.fit_cost_model([0, 1000], [5.0, 0.0]) is None  # nothing left at 1000


def _line(fixed: float, per_unit: float) -> stats.CostModel:
    return stats.CostModel(fixed, per_unit, 0.0, 0.0, tuple(SIZES))


def test_crossover_of_two_lines() -> None:
    python = _line(0.0, 8.0)
    # 1000 + n < 8 n  <=>  n > 142.86
    assert stats.crossover(_line(1000.0, 1.0), python) == stats.Crossover(from_n=143)
    # Equal at exactly n = 100: strictly faster from 101.
    assert stats.crossover(_line(1000.0, 10.0), _line(100.0, 19.0)).from_n == 101
    assert stats.crossover(_line(0.0, 1.0), _line(10.0, 1.0)) == stats.Crossover(from_n=0)
    assert stats.crossover(_line(10.0, 9.0), python) == stats.Crossover(from_n=None)
    # Cheaper call, dearer element: faster while n < 90 / 2 = 45 only.
    assert stats.crossover(_line(10.0, 10.0), _line(100.0, 8.0)) == stats.Crossover(
        from_n=None, below_n=45
    )


def _rec(bridge: str, cell: str, size: int | None, median: float) -> dict[str, Any]:
    side = "rust" if bridge == "rust" else "python"
    return {
        "side": side,
        "bridge": bridge,
        "cell": cell,
        "size": size,
        "status": "ok",
        "median_ns": median,
    }


def test_model_records_compare_with_the_reference_or_its_fallback() -> None:
    cells = [_rec("python", "k.objects", n, 1000.0 + 100.0 * n) for n in SIZES]
    cells += [_rec("fast", "k.objects", n, 50.0 + 10.0 * n) for n in SIZES]
    cells += [_rec("fast", "k.wire", n, 5000.0 + 1.0 * n) for n in SIZES]
    cells += [_rec("rust", "k.objects", n, 5.0 + 1.0 * n) for n in SIZES]
    cells += [_rec("fast", "add", None, 50.0)]  # scalar: no sweep, no model
    models = stats.model_records(
        cells,
        reference_bridge="python",
        reference_cells={"k.objects": "k.objects", "k.wire": "k.objects"},
        units={"k.objects": "record", "k.wire": "record"},
    )
    by_key = {(m["bridge"], m["cell"]): m for m in models}
    assert set(by_key) == {
        ("python", "k.objects"),
        ("fast", "k.objects"),
        ("fast", "k.wire"),
        ("rust", "k.objects"),
    }
    assert by_key[("fast", "k.objects")]["crossover_n"] == 0
    # 5000 + n < 1000 + 100 n  <=>  n > 40.4
    assert by_key[("fast", "k.wire")]["crossover_n"] == 41
    assert by_key[("fast", "k.wire")]["reference_cell"] == "k.objects"
    assert by_key[("fast", "k.wire")]["unit"] == "record"
    assert "crossover_n" not in by_key[("rust", "k.objects")]  # the Rust side has no reference
    assert "crossover_n" not in by_key[("python", "k.objects")]
    json.dumps(models)  # JSON-ready


def _criterion_bench(
    root: Path, cell: str, bridge: str, size: int | None, per_iter: list[float]
) -> None:
    """Criterion's files for one bench: each sample i of i + 1 iterations."""
    folder = root / cell / bridge / (str(size) if size is not None else "") / "new"
    folder.mkdir(parents=True)
    meta: dict[str, Any] = {
        "group_id": cell,
        "function_id": bridge,
        "value_str": str(size) if size else None,
    }
    if size is not None:
        meta["throughput"] = {"Elements": size}
    (folder / "benchmark.json").write_text(json.dumps(meta))
    med = float(np.median(per_iter))
    ci = {"lower_bound": med * 0.99, "upper_bound": med * 1.01}
    estimates = {"median": {"point_estimate": med, "confidence_interval": ci}}
    (folder / "estimates.json").write_text(json.dumps(estimates))
    iters = [i + 1 for i in range(len(per_iter))]
    times = [t * i for t, i in zip(per_iter, iters, strict=True)]
    sample = {"iters": [float(i) for i in iters], "times": times}
    (folder / "sample.json").write_text(json.dumps(sample))


def test_criterion_folds_samples_and_only_this_modes_sizes(tmp_path: Path) -> None:
    scale = spec.kernels()["scale"]["bench"]
    quick_size = scale["quick_sizes"][0]
    stale = next(n for n in scale["sizes"] if n not in scale["quick_sizes"])
    _criterion_bench(tmp_path, "add", "rust", None, [10.0, 10.0, 11.0, 10.0, 30.0])
    _criterion_bench(tmp_path, "scale.buffer", "rust", quick_size, [5.0, 5.0, 5.0, 5.0, 5.0])
    _criterion_bench(tmp_path, "scale.buffer", "rust", stale, [9.0, 9.0, 9.0, 9.0, 9.0])

    everything = criterion.read([tmp_path])
    assert len(everything) == 3
    quick = criterion.read([tmp_path], quick=True)
    assert {r["size"] for r in quick} == {None, quick_size}, "stale full-mode size folded"

    add = next(r for r in quick if r["cell"] == "add")
    assert add["status"] == "ok" and add["source"] == "criterion"
    assert add["median_ns"] == 10.0 and add["criterion_median_ns"] == 10.0
    assert add["ci95_ns"][0] <= 10.0 <= add["ci95_ns"][1]
    assert add["round_samples_ns"] == [pytest.approx([10.0, 10.0, 11.0, 10.0, 30.0])]
    assert add["quartiles_ns"] == [10.0, 11.0]
    q1, q3 = add["quartiles_ns"]
    assert add["flags"] == stats.spread_flags(10.0, q1, q3, tuple(add["ci95_ns"]))


def test_criterion_pools_passes_as_rounds(tmp_path: Path) -> None:
    first, second = tmp_path / "pass-1", tmp_path / "pass-2"
    size = spec.kernels()["scale"]["bench"]["quick_sizes"][0]
    slow, fast = [7.5] * 6, [5.0, 5.1, 4.9, 5.0, 5.2, 5.0]
    _criterion_bench(first, "scale.buffer", "rust", size, slow)
    _criterion_bench(second, "scale.buffer", "rust", size, fast)
    _criterion_bench(first, "add", "rust", None, [3.0] * 6)
    _criterion_bench(second, "add", "rust", None, [3.0] * 6)
    records = {r["cell"]: r for r in criterion.read([first, second])}
    scale = records["scale.buffer"]
    assert scale["round_samples_ns"] == [pytest.approx(slow), pytest.approx(fast)]
    assert scale["rounds"] == 2
    assert scale["median_ns"] == pytest.approx(float(np.median(slow + fast)))
    assert scale["criterion_median_ns"] == pytest.approx((7.5 + 5.0) / 2)
    # A bench one pass lacks is an error naming the fix, not half a cell.
    _criterion_bench(second, "checked_div", "rust", None, [3.0] * 6)
    records = {r["cell"]: r for r in criterion.read([first, second])}
    assert records["checked_div"]["status"] == "error"
    assert "not in pass 1" in records["checked_div"]["error"]
    assert "cargo xtask bench --side rust" in records["checked_div"]["error"]


def test_the_rust_side_load_is_weighted_by_each_pass_time(tmp_path: Path) -> None:
    assert criterion.load([tmp_path]) is None
    for k, (seconds, others) in enumerate([(10.0, 0.0), (30.0, 1.0)]):
        folder = tmp_path / f"pass-{k}"
        folder.mkdir()
        load = {"seconds": seconds, "others_cores": others, "steal_share": 0.0}
        (folder / criterion.LOAD_FILE).write_text(json.dumps(load))
    got = criterion.load([tmp_path / "pass-0", tmp_path / "pass-1"])
    assert got == {"seconds": 40.0, "others_cores": 0.75, "steal_share": 0.0}
