"""The timing loop keeps only samples taken in the machine's fast state (harness/canary.py),
and the parent judges them again against the process's final reference."""

from __future__ import annotations

from collections.abc import Iterator

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


def test_samples_whose_canary_was_slow_are_retried_and_counted() -> None:
    fast, slow = 1000, 1800
    # attempts: (fast, fast) kept, (fast, slow) retried, (slow, fast) retried, (fast, fast) kept
    probes = [fast, fast, fast, slow, slow, fast, fast, fast]
    t = timing.measure(
        lambda x: x,
        (1,),
        samples=2,
        target_ns=1,
        check=lambda: None,
        canary=ScriptedCanary(probes),
    )
    assert t.rejected == 2
    assert len(t.samples_ns) == 2
    assert t.canary_ns == [fast, fast]


def test_a_cell_that_is_never_steady_keeps_its_last_attempt() -> None:
    probes = [1000] + [5000] * (2 * timing.MAX_ATTEMPTS_PER_SAMPLE * 3)
    t = timing.measure(
        lambda x: x,
        (1,),
        samples=3,
        target_ns=1,
        check=lambda: None,
        canary=ScriptedCanary(probes),
    )
    assert t.rejected == 3 * timing.MAX_ATTEMPTS_PER_SAMPLE
    assert len(t.samples_ns) == 1


def _record(samples: list[float], canaries: list[int], best: int | None) -> dict:
    rec = {
        "cell": "add",
        "size": None,
        "loops": 100,
        "samples_ns": samples,
        "canary_ns": canaries,
        "rejected": 1,
        "loop_overhead_ns": 5.0,
    }
    if best is not None:
        rec["canary_best_ns"] = best
    return rec


def test_the_parent_judges_samples_against_the_final_reference() -> None:
    # The process began in a slow stretch (canaries ~1800) and met the fast state later
    # (best 1000): its early samples are dropped although the worker kept them.
    rec = _record([190.0, 300.0, 195.0], [1050, 1800, 1100], best=1000)
    kept, late = bench._steady_samples(rec)
    assert kept == [190.0, 195.0] and late == 1
    # A worker that died before its last line is judged by the canaries it reported.
    kept, late = bench._steady_samples(_record([1.0, 2.0], [1000, 2000], best=None))
    assert kept == [1.0] and late == 1


def test_pooling_flags_a_cell_with_too_few_steady_samples() -> None:
    bridge = spec.bridge("python")
    steady = [_record([100.0 + i for i in range(5)], [1000] * 5, best=1000)]
    (cell,) = bench._pool(bridge, steady)
    assert "unsteady" not in cell["flags"] and cell["samples_rejected"] == 1
    assert len(cell["samples_ns"]) == 5
    shaky = [_record([100.0, 180.0, 185.0, 190.0], [1000, 1900, 1900, 1900], best=1000)]
    (cell,) = bench._pool(bridge, shaky)
    assert "unsteady" in cell["flags"]
    assert cell["samples_ns"] == [100.0, 180.0, 185.0, 190.0]  # all kept, and flagged
    assert cell["samples_rejected"] == 1 + 3
