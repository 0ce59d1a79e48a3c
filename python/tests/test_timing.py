"""The timing loop (harness/timing.py), a round's worker and its child per size
(harness/worker.py), and the schedule of rounds (harness/rounds.py)."""

from __future__ import annotations

import dis
import os
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from bridgebench import spec
from bridgebench.harness import cases, loops, rounds, timing, worker
from bridgebench.harness.messages import Failed, decode
from bridgebench.kernels import Call, plain


def test_a_case_is_checked_when_prepared_and_keeps_a_canary_per_sample() -> None:
    checks: list[int] = []
    case = timing.prepare(plain(lambda x: x, (1,), lambda: checks.append(1)), target_ns=1)
    assert checks == [1], "checked once, before any sample"
    timing.sample(case)
    timing.sample(case)
    assert len(case.samples_ns) == len(case.overheads_ns) == len(case.canary_ns) == 2
    assert all(c > 0 for c in case.canary_ns)


def test_given_loops_are_kept_and_not_calibrated_again() -> None:
    case = timing.prepare(plain(lambda x: x, (1,), lambda: None), target_ns=10**9, loops=12)
    assert case.loops == 12


def test_one_stalled_call_does_not_decide_the_loop_count() -> None:
    # The first call stalls for longer than a whole sample; the calls after it are fast.
    calls: list[int] = []

    def call(x: int) -> None:
        calls.append(x)
        if len(calls) == 1:
            time.sleep(0.03)

    loops = timing.calibrate(plain(call, (1,), lambda: None), target_ns=20_000_000)
    assert loops > 1, "the stalled try is timed again; the fast retry counts"


def test_a_wrong_answer_fails_before_any_sample() -> None:
    def check() -> None:
        raise AssertionError("wrong answer")

    with pytest.raises(AssertionError, match="wrong answer"):
        timing.prepare(plain(lambda x: x, (1,), check), target_ns=1)


def test_a_sample_is_the_call_less_the_empty_loop() -> None:
    # A call that sleeps 1 ms: whatever the empty loop costs, the sample is about 1 ms.
    case = timing.Case(plain(lambda _: time.sleep(0.001), (1,), lambda: None), loops=4)
    timing.sample(case)
    assert 1e6 <= case.samples_ns[0] < 5e6
    assert case.overheads_ns[0] < 1e4


def test_a_statement_is_timed_as_written_with_its_names_as_locals() -> None:
    # A property read, and a refused call caught inside the loop.
    class Slow:
        @property
        def value(self) -> int:
            time.sleep(0.001)
            return 1

        def refuse(self) -> None:
            time.sleep(0.001)
            raise TypeError("no")

    for stmt in ("c.value", "try:\n    c.refuse()\nexcept TypeError:\n    pass"):
        case = timing.Case(Call(stmt, {"c": Slow()}, lambda: None), loops=4)
        timing.sample(case)
        assert 1e6 <= case.samples_ns[0] < 5e6, stmt


def _round(*jobs: worker.Job, pairs: int = 2) -> worker.Round:
    return worker.Round(index=0, pairs=pairs, target_ms=0.1, quick=True, jobs=list(jobs))


def test_a_worker_pairs_each_sample_with_the_floors_for_every_size() -> None:
    cell = spec.cells()["scale.buffer"]
    quick = spec.kernels()[cell.kernel]["bench"]["quick_sizes"]
    lines: list[str] = []
    worker.run(_round(worker.Job("python", cell.name, [[3, 5]] * len(quick))), lines.append)
    measured = [decode(line, (worker.Measured,)) for line in lines]
    assert [m.size for m in measured] == quick, "every size, each in a child of its own"
    for m in measured:
        assert (m.loops, m.floor_loops) == (3, 5), "the loops it was given"
        assert len(m.samples_ns) == len(m.floor_ns) == 2
        assert len(m.canary_ns) == 4, "a canary after every sample, the floor's too"


def test_a_cells_shared_inputs_are_built_once_read_only_and_forgotten() -> None:
    cell = spec.cells()["scale.buffer"]

    def inputs() -> np.ndarray:
        ((_, call),) = cases.cases(spec.reference(), cell, [10])
        data: np.ndarray = call.names["a0"]
        return data

    assert inputs() is not inputs()  # each case builds its own by default
    cases.share_inputs(cell, [10])
    try:
        values = cases._SHARED["scale.buffer", 10]
        assert not values.flags.writeable, "no case can change what another is given"
        assert np.array_equal(inputs(), values) and inputs() is not values, "a copy of it"
    finally:
        cases.forget_inputs()
    assert not cases._SHARED


def test_the_floors_own_cells_are_not_paired_and_a_stand_in_cell_is() -> None:
    lines: list[str] = []
    floor = spec.floor("python").name
    worker.run(
        _round(worker.Job(floor, "add"), worker.Job("protobuf", "summarize.protobuf"), pairs=1),
        lines.append,
    )
    measured = [decode(line, (worker.Measured,)) for line in lines]
    assert measured[0].bridge == floor and measured[0].floor_ns == []
    protobuf = [m for m in measured if m.bridge == "protobuf"]
    assert protobuf and all(len(m.floor_ns) == 1 for m in protobuf), "summarize.objects"


def test_a_job_that_fails_is_reported_and_the_round_goes_on() -> None:
    lines: list[str] = []
    worker.run(
        _round(worker.Job("python", "add", [[1, 1], [1, 1]]), worker.Job("python", "add")),
        lines.append,
    )
    first, second = (decode(line, (worker.Measured, Failed)) for line in lines)
    assert isinstance(first, Failed) and first.bridge == "python"
    assert "2 loop counts for 1 sizes" in first.error
    assert isinstance(second, worker.Measured) and len(second.samples_ns) == 2


def test_a_child_that_dies_is_an_error_of_its_job_not_of_the_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(*_: object) -> worker.Measured:
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("not reached")

    monkeypatch.setattr(worker, "measure_size", crash)
    lines: list[str] = []
    worker.run(_round(worker.Job("python", "add")), lines.append)
    (line,) = lines
    failed = decode(line, (worker.Measured, Failed))
    assert isinstance(failed, Failed) and "died of signal" in failed.error
    assert (failed.bridge, failed.cell) == ("python", "add")


def test_a_round_runs_every_bridge_of_a_cell_back_to_back_each_first_in_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rounds_run: list[worker.Round] = []

    def fake(plan: worker.Round) -> Iterator[worker.Measured | Failed]:
        rounds_run.append(plan)
        for job in plan.jobs:
            if (job.bridge, job.cell) == ("ctypes", "add"):
                yield Failed("boom", "ctypes", "add")
            else:
                yield worker.Measured(
                    job.bridge, job.cell, None, 7, 9, [1.0, 2.0], [0.5, 1.0], 0.5, [1]
                )

    monkeypatch.setattr(rounds, "run_round", fake)
    chosen = [spec.bridge(n) for n in ("python", "cpython-api", "ctypes", "protobuf")]
    plan = rounds.Plan(rounds=2, pairs=2, target_ms=1, quick=True)
    out = rounds.measure(chosen, plan, say=lambda _: None)
    first, second = rounds_run
    assert [r.index for r in rounds_run] == [0, 1]
    add_first = [j.bridge for j in first.jobs if j.cell == "add"]
    add_second = [j.bridge for j in second.jobs if j.cell == "add"]
    assert add_first == ["python", "cpython-api", "ctypes", "protobuf"]
    assert add_second == ["cpython-api", "protobuf", "python"], "turned by one, failed one gone"
    cells_in_first = [j.cell for j in first.jobs]
    assert cells_in_first == sorted(cells_in_first, key=list(spec.cells()).index), "cell by cell"
    assert all(j.loops is None for j in first.jobs), "the first round calibrates"
    assert all(j.loops == [[7, 9]] for j in second.jobs), "later rounds reuse its loops"
    assert out.errors == {("ctypes", "add"): "boom"}
    timed = out.timed[("python", "add", None)]
    assert timed.rounds == [[1.0, 2.0], [1.0, 2.0]] and timed.floor_rounds == [[0.5, 1.0]] * 2
    assert len(out.canary_ns) == 2


def test_the_full_plan_pools_at_least_16_pairs_from_several_processes() -> None:
    assert rounds.FULL.rounds * rounds.FULL.pairs >= 16 and rounds.FULL.rounds >= 5
    assert not rounds.FULL.quick and rounds.QUICK.quick


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this OS")
def test_every_round_runs_on_one_cpu_and_the_affinity_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = os.sched_getaffinity(0)
    seen: list[set[int]] = []

    def fake(plan: worker.Round) -> Iterator[worker.Measured | Failed]:
        seen.append(os.sched_getaffinity(0))  # what the round's worker would inherit
        yield from ()

    monkeypatch.setattr(rounds, "run_round", fake)
    plan = rounds.Plan(rounds=2, pairs=1, target_ms=1, quick=True)
    out = rounds.measure([spec.bridge("python")], plan, say=lambda _: None)
    assert seen == [{max(before)}] * 2 and out.cpu == max(before)
    assert os.sched_getaffinity(0) == before


def test_a_plain_calls_loop_is_the_bytecode_of_a_hand_written_loop() -> None:
    """The compiled loop adds nothing to what is timed: its body for `fn(a0, a1)` is the
    instruction sequence of `for _ in it: fn(a, b)` written by hand (jump offsets aside)."""

    def by_hand(fn: Any, a: Any, b: Any, it: Any) -> None:
        for _ in it:
            fn(a, b)

    def body(function: Any) -> list[str]:
        ops = [i.opname for i in dis.get_instructions(function)]
        # the jump back to FOR_ITER: JUMP_BACKWARD from CPython 3.11, JUMP_ABSOLUTE before
        back = "JUMP_BACKWARD" if sys.version_info >= (3, 11) else "JUMP_ABSOLUTE"
        return ops[ops.index("FOR_ITER") : ops.index(back) + 1]

    call = plain(max, (1, 2), lambda: None)
    compiled = loops._compiled(call.stmt, tuple(call.names))
    assert body(compiled) == body(by_hand)
    assert loops.run(call, 3, lambda: 0, lambda: 1) == (0, 1)
