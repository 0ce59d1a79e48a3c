"""The timing loop (harness/timing.py), one worker process per cell (harness/worker.py),
and the schedule of rounds (harness/rounds.py)."""

from __future__ import annotations

import time

import pytest

from bridgebench import spec
from bridgebench.harness import rounds, timing, worker


def test_a_case_is_checked_when_prepared_and_keeps_a_canary_per_sample() -> None:
    checks: list[int] = []
    case = timing.prepare(lambda x: x, (1,), lambda: checks.append(1), target_ns=1)
    assert checks == [1], "checked once, before any sample"
    timing.sample(case)
    timing.sample(case)
    assert len(case.samples_ns) == len(case.overheads_ns) == len(case.canary_ns) == 2
    assert all(c > 0 for c in case.canary_ns)


def test_given_loops_are_kept_and_not_calibrated_again() -> None:
    case = timing.prepare(lambda x: x, (1,), lambda: None, target_ns=10**9, loops=12)
    assert case.loops == 12


def test_one_stalled_call_does_not_decide_the_loop_count() -> None:
    # The first call stalls for longer than a whole sample; the calls after it are fast.
    calls: list[int] = []

    def call(x: int) -> None:
        calls.append(x)
        if len(calls) == 1:
            time.sleep(0.03)

    loops = timing.calibrate(call, (1,), target_ns=20_000_000)
    assert loops > 1, "the stalled try is timed again; the fast retry counts"


def test_a_wrong_answer_fails_before_any_sample() -> None:
    def check() -> None:
        raise AssertionError("wrong answer")

    with pytest.raises(AssertionError, match="wrong answer"):
        timing.prepare(lambda x: x, (1,), check, target_ns=1)


def test_a_sample_is_the_call_less_the_empty_loop() -> None:
    # A call that sleeps 1 ms: whatever the empty loop costs, the sample is about 1 ms.
    case = timing.Case(lambda _: time.sleep(0.001), (1,), lambda: None, loops=4)
    timing.sample(case)
    assert 1e6 <= case.samples_ns[0] < 5e6
    assert case.overheads_ns[0] < 1e4


def test_a_worker_measures_every_size_of_one_cell_with_the_loops_it_is_given() -> None:
    bridge, cell = spec.reference(), spec.cells()["scale.buffer"]
    quick = spec.kernels()[cell.kernel]["bench"]["quick_sizes"]
    measured = worker.run(bridge, cell.name, 2, 10**5, quick=True, loops=[3] * len(quick))
    assert [m.size for m in measured] == quick
    assert all(m.loops == 3 and len(m.samples_ns) == len(m.canary_ns) == 2 for m in measured)
    with pytest.raises(ValueError, match="--loops has 1 values"):
        worker.run(bridge, cell.name, 1, 10**5, quick=True, loops=[3])


def test_a_round_runs_every_bridge_of_a_cell_back_to_back_each_first_in_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, str, list[int] | None]] = []

    def fake(
        bridge: spec.Bridge, cell: str, plan: rounds.Plan, loops: list[int] | None
    ) -> list[worker.Measured]:
        calls.append((bridge.name, cell, loops))
        if bridge.name == "ctypes" and cell == "add":
            raise RuntimeError("worker exited with 1: boom")
        return [worker.Measured(None, 7, [1.0, 2.0], 0.5, [100, 100])]

    monkeypatch.setattr(rounds, "run_worker", fake)
    chosen = [spec.bridge(n) for n in ("python", "cpython-api", "ctypes", "protobuf")]
    plan = rounds.Plan(rounds=2, samples=2, target_ms=1, quick=True)
    out = rounds.measure(chosen, plan, say=lambda _: None)
    per_round = len(calls) // 2 + 1  # ctypes add is not run again after it failed
    first, second = calls[:per_round], calls[per_round:]
    add_first = [b for b, c, _ in first if c == "add"]
    add_second = [b for b, c, _ in second if c == "add"]
    assert add_first == ["python", "cpython-api", "ctypes", "protobuf"]
    assert add_second == ["cpython-api", "protobuf", "python"], "turned by one, failed one gone"
    cells_in_first = [c for _, c, _ in first]
    assert cells_in_first == sorted(cells_in_first, key=list(spec.cells()).index), "cell by cell"
    assert all(loops is None for _, _, loops in first), "the first round calibrates"
    assert all(loops == [7] for _, _, loops in second), "later rounds reuse its loops"
    assert out.errors == {("ctypes", "add"): "worker exited with 1: boom"}
    assert out.timed[("python", "add", None)].rounds == [[1.0, 2.0], [1.0, 2.0]]
    assert len(out.canary_ns) == 2


def test_the_full_plan_pools_at_least_20_samples_from_several_processes() -> None:
    assert rounds.FULL.rounds * rounds.FULL.samples >= 20 and rounds.FULL.rounds >= 5
    assert not rounds.FULL.quick and rounds.QUICK.quick
