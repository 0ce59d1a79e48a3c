"""The timing loop takes every sample with a canary on each side (harness/timing.py), and
the parent brings each sample to the machine's fast state by it (harness/canary.py)."""

from __future__ import annotations

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


def test_a_wrong_answer_fails_the_sample() -> None:
    def check() -> None:
        raise AssertionError("wrong answer")

    case = timing.Case(lambda x: x, (1,), check, timing.Timing(loops=4))
    with pytest.raises(AssertionError, match="wrong answer"):
        timing.sample(case, ScriptedCanary([1000, 1000]))


def test_normalize_scales_each_sample_by_its_own_canary() -> None:
    # A sample taken while the canary ran 1.5x slower than the reference was taken in a
    # machine state 1.5x slower: it is scaled back by that factor.
    assert canary.normalize([150.0, 100.0], [1500, 1000], 1000) == [100.0, 100.0]


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


def test_the_reference_is_the_median_of_the_processes_fastest_canaries() -> None:
    assert bench.process_best_ns([_record([1.0], [1500], best=1200)]) == 1200
    # A worker that died before its last line counts with the canaries it reported.
    assert bench.process_best_ns([_record([1.0], [900, 1300], best=None)]) == 900
    assert bench.process_best_ns([]) is None
    # One process that met a rare fast moment does not move every figure of the run.
    assert bench.reference_ns([1000, 1010, 1020, 700]) == 1005
    assert bench.reference_ns([]) is None


def test_pooling_normalizes_every_process_to_the_run_reference() -> None:
    bridge = spec.bridge("python")
    # Two processes, one in a slow stretch (canaries 2000): the same call, 2x the time.
    runs = [
        _record([100.0, 101.0, 99.0], [1000, 1000, 1000], best=1000),
        _record([200.0, 202.0, 198.0], [2000, 2000, 2000], best=1900),
    ]
    (cell,) = bench._pool(bridge, runs, 1000)
    assert sorted(cell["samples_ns"]) == [99.0, 99.0, 100.0, 100.0, 101.0, 101.0]
    assert cell["median_ns"] == 100.0 and "wide-spread" not in cell["flags"]
    assert cell["raw_median_ns"] == 149.5, "the median before normalizing"
    assert cell["processes"] == 2
