"""The Python side's timing schedule: every cell of every bridge, in rounds.

A round is one worker process (bridgebench.harness.worker, a fresh interpreter: its own
memory layout and hash seed, as pyperf's workers) that measures every (bridge, cell), cell
by cell, each size in a child of its own, the bridge's samples paired with the floor's.
The bridges' order within a cell turns by one place each round, so none is always first.
The first round calibrates each size's calls per sample; later rounds reuse them (pyperf's
habit), so every round weighs the same.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

from bridgebench import spec
from bridgebench.harness import cpu
from bridgebench.harness.messages import Failed, decode
from bridgebench.harness.worker import Job, Measured, Round


@dataclass(frozen=True)
class Plan:
    """How much to measure: `rounds` worker processes, each taking `pairs` samples of
    every size of every (bridge, cell), each beside a sample of the floor's call, of at
    least `target_ms`."""

    rounds: int
    pairs: int
    target_ms: float
    quick: bool  # the kernels' quick_sizes instead of their full sweeps


# FULL: 8 rounds x 2 pairs = 16 samples per size (and 16 of the floor beside them) from 8
# processes (memory layouts) and moments spread over the run. Measured on 2026-12-06 (on
# one CPU, harness/cpu.py), two consecutive runs agreed within 5 % on 92 % of the Python
# side's ratios, in about 5 minutes of timing; 16 rounds x 1 pair of 2 ms samples agreed
# less (a pair of short samples is more often split by a change of the machine's state).
# QUICK is a smoke run of the quick sizes, one round, one pair: do not quote it.
FULL = Plan(rounds=8, pairs=2, target_ms=5, quick=False)
QUICK = Plan(rounds=1, pairs=1, target_ms=2, quick=True)


@dataclass
class Timed:
    """One (bridge, cell, size) over the run: each round's samples, and the floor's
    samples taken beside them (empty lists for the floor's own cells)."""

    bridge: str
    cell: str
    size: int | None
    loops: int
    floor_loops: int
    rounds: list[list[float]] = field(default_factory=list)
    floor_rounds: list[list[float]] = field(default_factory=list)
    loop_overhead_ns: list[float] = field(default_factory=list)


@dataclass
class Timings:
    """What the schedule measured: every size's samples, the (bridge, cell) pairs whose
    worker failed (with the error), and every canary probe of each round."""

    timed: dict[tuple[str, str, int | None], Timed] = field(default_factory=dict)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)
    canary_ns: list[list[int]] = field(default_factory=list)
    cpu: int | None = None  # the CPU every round ran on (bridgebench.harness.cpu)


def run_round(plan: Round) -> Iterator[Measured | Failed]:
    """Run one worker process on `plan`: each size's `Measured` as it comes, or a
    `Failed` naming the job (its bridge and cell) that failed."""
    # One BLAS thread: the worker forks, and numpy's kernels here need none.
    env = dict(spec.child_env(), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    argv = [sys.executable, "-m", "bridgebench.harness.worker"]
    with subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=spec.ROOT,
        env=env,
    ) as proc:
        assert proc.stdin and proc.stdout and proc.stderr
        proc.stdin.write(json.dumps(asdict(plan)))
        proc.stdin.close()
        seen = set()
        for line in proc.stdout:
            if not line.startswith("{"):
                continue
            result: Measured | Failed = decode(line, (Measured, Failed))
            seen.add((result.bridge, result.cell))
            yield result
        stderr = proc.stderr.read()
        status = proc.wait()
    if status != 0:
        detail = stderr.strip()[-500:] or f"exit status {status}"
        for job in plan.jobs:
            if (job.bridge, job.cell) not in seen:
                yield Failed(f"the round's worker failed: {detail}", job.bridge, job.cell)


def cells_in_order(
    bridges: Sequence[spec.Subject],
) -> list[tuple[str, list[spec.Subject]]]:
    """Every cell that a selected bridge (or example) covers, in the specs' order, with its
    bridges and examples."""
    return [
        (cell, [b for b in bridges if cell in b.cells])
        for cell in spec.cells()
        if any(cell in b.cells for b in bridges)
    ]


def jobs_of_round(bridges: Sequence[spec.Subject], round_: int, out: Timings) -> list[Job]:
    """Round `round_`'s jobs: cell by cell, the bridges turned by `round_` places, without
    the jobs that failed before, with the loops the first round calibrated."""
    jobs = []
    for cell, cell_bridges in cells_in_order(bridges):
        turn = round_ % len(cell_bridges)
        for bridge in cell_bridges[turn:] + cell_bridges[:turn]:
            if (bridge.name, cell) in out.errors:
                continue
            known = [t for (b, c, _), t in out.timed.items() if (b, c) == (bridge.name, cell)]
            loops = [[t.loops, t.floor_loops] for t in known] or None
            jobs.append(Job(bridge.name, cell, loops))
    return jobs


def record(out: Timings, m: Measured) -> None:
    t = out.timed.setdefault(
        (m.bridge, m.cell, m.size), Timed(m.bridge, m.cell, m.size, m.loops, m.floor_loops)
    )
    t.rounds.append(m.samples_ns)
    t.floor_rounds.append(m.floor_ns)
    t.loop_overhead_ns.append(m.loop_overhead_ns)


def measure_round(
    out: Timings, plan: Plan, round_: int, jobs: list[Job], say: Callable[[str], None]
) -> None:
    """Run round `round_` into `out`; `say` gets a line as each cell is done."""
    canaries: list[int] = []
    cells: dict[str, list[str]] = {}  # the cells begun, in order, with their bridges
    clock = time.monotonic()

    def finished(cell: str) -> None:
        took = time.monotonic() - clock
        bridges = ", ".join(cells[cell])
        say(f"[round {round_ + 1}/{plan.rounds}] {cell}: {bridges}  ({took:.0f} s into the round)")

    for result in run_round(Round(round_, plan.pairs, plan.target_ms, plan.quick, jobs)):
        if isinstance(result, Measured):
            record(out, result)
            canaries += result.canary_ns
            name, cell = result.bridge, result.cell
        else:
            name, cell = result.bridge, result.cell
            out.errors[(name, cell)] = result.error
            say(f"      ERROR {name} {cell}: {result.error}")
        if cell not in cells and cells:
            finished(list(cells)[-1])
        if name not in cells.setdefault(cell, []):
            cells[cell].append(name)
    if cells:
        finished(list(cells)[-1])
    out.canary_ns.append(canaries)


def measure(
    bridges: Sequence[spec.Subject], plan: Plan, say: Callable[[str], None] = print
) -> Timings:
    """Run the schedule on one CPU; `say` gets a progress line per cell and round. An
    example (benches/bridges.toml [[example]]) among `bridges` is measured as a bridge is,
    in its cells' turns, its samples paired with its `beside` bridge's."""
    out = Timings()
    clock = time.monotonic()
    with cpu.one_cpu() as out.cpu:
        for round_ in range(plan.rounds):
            measure_round(out, plan, round_, jobs_of_round(bridges, round_, out), say)
            left = (time.monotonic() - clock) / (round_ + 1) * (plan.rounds - round_ - 1)
            say(f"    round {round_ + 1} done, about {left:.0f} s left")
    return out
