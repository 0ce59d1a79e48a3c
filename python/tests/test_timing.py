"""The timing loop takes every sample with a canary on each side (harness/timing.py), and
the parent brings each sample to the nominal machine speed by it (harness/canary.py)."""

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
    assert canary.normalize([150.0, 100.0], [1500, 1000], 1000, elasticity=1.0) == [100.0, 100.0]
    # With an elasticity above 1 the call is taken to slow more than the canary does.
    assert canary.normalize([150.0], [1500], 1000, elasticity=2.0) == [pytest.approx(150 / 2.25)]


def test_the_state_around_a_sample_is_the_median_of_the_nearby_canaries() -> None:
    # One odd reading (an interrupt during the canary) is not a slow stretch ...
    assert canary.state([100, 100, 400, 100, 100], half_window=2) == [100] * 5
    # ... a stretch is, from where it is most of the window; the ends use what they have.
    assert canary.state([100, 100, 100, 200, 200, 200], half_window=1) == [
        100,
        100,
        100,
        200,
        200,
        200,
    ]
    assert canary.state([100, 300], half_window=5) == [200, 200]
    assert canary.state([]) == []


def test_states_follow_the_order_the_samples_were_taken() -> None:
    # Two cases, three rounds: taken a0 b0 a1 b1 a2 b2. Each sample's state is read from
    # its neighbours in time (here one each side), the other case's samples included.
    a = timing.Timing(loops=1, canary_ns=[100, 300, 100])
    b = timing.Timing(loops=1, canary_ns=[100, 300, 900])
    assert timing.states([a, b], half_window=1) == [[100, 300, 300], [100, 300, 500]]
    assert timing.states([]) == []


def _record(samples: list[float], canaries: list[float], best: int | None) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "cell": "add",
        "size": None,
        "loops": 100,
        "samples_ns": samples,
        "canary_ns": canaries,
        "state_ns": canaries,  # a steady canary: the state is the canary
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
    # Two processes, one at the nominal speed, one in a slow stretch (canaries 2x): the
    # same call, 2 ** ELASTICITY times the time.
    slow = 2**canary.ELASTICITY
    nominal = [canary.NOMINAL_NS] * 3
    runs = [
        _record([100.0, 101.0, 99.0], nominal, best=1000),
        _record([100.0 * slow, 101.0 * slow, 99.0 * slow], [2 * c for c in nominal], best=1900),
    ]
    (cell,) = bench._pool(bridge, runs)
    assert cell["samples_ns"] == pytest.approx([100.0, 101.0, 99.0] * 2)
    assert cell["median_ns"] == pytest.approx(100.0) and "wide-spread" not in cell["flags"]
    assert cell["raw_median_ns"] == pytest.approx((101.0 + 99.0 * slow) / 2), "before scaling"
    assert cell["processes"] == 2
