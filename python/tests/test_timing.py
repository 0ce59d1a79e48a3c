"""The timing loop takes every sample with canary probes between its chunks
(harness/timing.py), and the parent brings each sample to the nominal machine speed by
them (harness/canary.py)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bridgebench import spec
from bridgebench.commands import bench
from bridgebench.harness import canary, timing


class ScriptedCanary(canary.Canary):
    """Probe times from a script instead of the clock."""

    def __init__(self, probes: list[int]) -> None:
        self.best_ns = min(probes)
        self._probes: Iterator[int] = iter(probes)

    def probe(self) -> int:
        return next(self._probes)


def test_a_sample_keeps_the_mean_of_its_two_canaries_and_is_checked() -> None:
    checks: list[int] = []
    case = timing.prepare(lambda x: x, (1,), lambda: checks.append(1), target_ns=1)
    assert checks == [1], "checked once when prepared"
    probes = ScriptedCanary([1000, 1200, 1800, 1000])
    timing.sample(case, probes)
    timing.sample(case, probes)
    assert case.timing.canary_ns == [1100, 1400]
    assert len(case.timing.samples_ns) == 2 and len(case.timing.overheads_ns) == 2
    assert checks == [1, 1, 1], "and after every sample"


def test_one_stalled_call_does_not_decide_the_loop_count() -> None:
    # The first call stalls for longer than a whole sample; the calls after it are fast.
    calls: list[int] = []

    def call(x: int) -> None:
        calls.append(x)
        if len(calls) == 1:
            time.sleep(0.03)

    loops = timing.calibrate(call, (1,), target_ns=20_000_000)
    assert loops > 1, "the stalled try is timed again; the fast retry counts"


def test_a_wrong_answer_fails_the_sample() -> None:
    def check() -> None:
        raise AssertionError("wrong answer")

    case = timing.Case(lambda x: x, (1,), check, timing.Timing(loops=4))
    with pytest.raises(AssertionError, match="wrong answer"):
        timing.sample(case, ScriptedCanary([1000] * 5))


def test_a_long_sample_is_probed_between_its_chunks() -> None:
    calls: list[int] = []
    case = timing.Case(calls.append, (1,), lambda: None, timing.Timing(loops=4 * timing.CHUNKS))
    # The machine slows down halfway through the sample: the first half of its chunks
    # runs between probes of 1000, the rest between probes of 3000 but the one between.
    half = timing.CHUNKS // 2
    probes = [1000] * (half + 1) + [3000] * half
    warm_up = case.timing.loops // 10  # untimed, before the sample
    timing.sample(case, ScriptedCanary(probes))
    assert len(calls) == warm_up + case.timing.loops, "every call of the sample, in chunks"
    # Chunk by chunk: the mean of the probes either side, then the mean over the chunks.
    by_chunk = [1000] * half + [2000] + [3000] * (half - 1)
    assert case.timing.canary_ns == [pytest.approx(sum(by_chunk) / timing.CHUNKS)]


def test_normalize_scales_each_sample_by_its_own_canary() -> None:
    # A sample taken while the canary ran 1.5x slower than the reference was taken in a
    # machine state 1.5x slower: it is scaled back by that factor.
    assert canary.normalize([150.0, 100.0], [1500, 1000], 1000, elasticity=1.0) == [100.0, 100.0]
    # With an elasticity above 1 the call is taken to slow more than the canary does.
    assert canary.normalize([150.0], [1500], 1000, elasticity=2.0) == [pytest.approx(150 / 2.25)]


def test_a_cells_elasticity_is_the_robust_slope_of_its_samples_on_their_canaries() -> None:
    canaries = [1000.0, 1300.0, 1600.0, 1000.0, 1300.0, 1600.0]
    # A call that slows half as much as the canary does, in log terms ...
    samples = [100.0 * (c / 1000) ** 0.5 for c in canaries]
    # ... and one sample an interrupt spoiled: the median of the pairwise slopes ignores it.
    samples[1] *= 3
    slope, pairs = canary.elasticity(samples, canaries)
    assert slope == pytest.approx(0.5) and pairs == 12, "pairs with canaries 10 % apart"
    # Samples all taken in one state say nothing of the slope: the fallback.
    assert canary.elasticity([100.0, 120.0] * 6, [1000.0, 1050.0] * 6) == (
        canary.FALLBACK_ELASTICITY,
        0,
    )


def _record(samples: list[float], canaries: list[float], best: int | None) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "cell": "add",
        "size": None,
        "loops": 100,
        "samples_ns": samples,
        "canary_ns": canaries,
        "loop_overhead_ns": 5.0,
    }
    if best is not None:
        rec["canary_best_ns"] = best
    return rec


def test_a_process_reports_the_fastest_canary_it_saw() -> None:
    assert bench.process_best_ns([_record([1.0], [1500], best=1200)]) == 1200
    # A worker that died before its last line counts with the canaries it reported.
    assert bench.process_best_ns([_record([1.0], [900, 1300], best=None)]) == 900
    assert bench.process_best_ns([]) is None


def test_pooling_normalizes_every_process_to_the_nominal_speed() -> None:
    bridge = spec.bridge("python")
    # Two processes, one at the nominal speed, one in a slow stretch (canaries 2x) where
    # this call took 1.5x the time: its elasticity is log 1.5 / log 2, and every sample
    # comes back to the nominal speed along it.
    nominal = [canary.NOMINAL_NS] * 4
    runs = [
        _record([100.0, 101.0, 99.0, 100.0], nominal, best=1000),
        _record([150.0, 151.5, 148.5, 150.0], [2 * c for c in nominal], best=1900),
    ]
    (cell,) = bench.pool(bridge, runs)
    assert cell["elasticity"] == pytest.approx(math.log(1.5) / math.log(2), rel=0.01)
    assert cell["elasticity_pairs"] == 16, "each fast sample with each slow one"
    assert cell["samples_ns"] == pytest.approx([100.0, 101.0, 99.0, 100.0] * 2, rel=0.01)
    assert cell["median_ns"] == pytest.approx(100.0, rel=0.01)
    assert "wide-spread" not in cell["flags"]
    assert cell["raw_median_ns"] == pytest.approx((101.0 + 148.5) / 2), "before scaling"
    assert cell["processes"] == 2


def test_pooling_uses_a_cells_slope_only_within_its_canaries_range() -> None:
    bridge = spec.bridge("python")
    # A steady night: every canary at 0.5-0.6 of the nominal time, the call 2x slower per
    # 1.2x of its canary. The slope takes the samples to 0.6 N, the top of their range,
    # and the fallback elasticity from there to N; extrapolated along the slope they
    # would be 20 x (1 / 0.6) ** 3.8, a guess 4.2 times this figure.
    low, high = [canary.NOMINAL_NS / 2] * 4, [canary.NOMINAL_NS * 0.6] * 4
    runs = [_record([10.0] * 4, low, best=1000), _record([20.0] * 4, high, best=1000)]
    (cell,) = bench.pool(bridge, runs)
    assert cell["elasticity"] == pytest.approx(math.log(2) / math.log(1.2))
    expected = 20.0 * (1 / 0.6) ** canary.FALLBACK_ELASTICITY
    assert cell["samples_ns"] == pytest.approx([expected] * 8)


def test_scale_within_takes_no_samples_and_one() -> None:
    # Criterion may log a bench without samples; its fold must then fail as a summary of
    # nothing (an error cell), not here.
    assert canary.scale_within([], [], 1000.0)["samples_ns"] == []
    one = canary.scale_within([150.0], [1500.0], 1000.0)["samples_ns"]
    assert one == [pytest.approx(100.0)]
