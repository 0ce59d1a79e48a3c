"""The Python side's timing schedule: every cell of every bridge, one worker process each,
in rounds.

A round runs one process for every (bridge, cell), cell by cell, so every bridge of a cell
is measured within seconds of the others, the C-API floor among them: the ratios to it
(bridgebench.figures) compare processes that met the same state of the machine. The
bridges' order within a cell turns by one place each round, so none is always first. The
first round calibrates each size's calls per sample; later rounds reuse them (pyperf's
habit), so every round weighs the same.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bridgebench import spec
from bridgebench.harness.worker import Measured


@dataclass(frozen=True)
class Plan:
    """How much to measure: `rounds` processes per (bridge, cell), each taking `samples`
    samples of at least `target_ms` of every size."""

    rounds: int
    samples: int
    target_ms: float
    quick: bool  # the kernels' quick_sizes instead of their full sweeps


# FULL: 8 rounds x 3 samples = 24 samples per size from 8 processes (memory layouts) and
# moments spread over the run (pyperf takes 20 x 3 of one benchmark; 8 rounds fit the
# 15-minute budget on 2 cores: a round of every cell's sweep takes about 50 s). QUICK is
# a smoke run of the quick sizes, one round, short samples: do not quote its figures.
FULL = Plan(rounds=8, samples=3, target_ms=5, quick=False)
QUICK = Plan(rounds=1, samples=2, target_ms=2, quick=True)


@dataclass
class Timed:
    """One (bridge, cell, size) over the run: the samples of each round's process."""

    bridge: str
    cell: str
    size: int | None
    loops: int
    rounds: list[list[float]] = field(default_factory=list)
    loop_overhead_ns: list[float] = field(default_factory=list)


@dataclass
class Timings:
    """What the schedule measured: every size's samples, the (bridge, cell) pairs whose
    worker failed (with the error), and every canary probe of each round."""

    timed: dict[tuple[str, str, int | None], Timed] = field(default_factory=dict)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)
    canary_ns: list[list[int]] = field(default_factory=list)


def run_worker(
    bridge: spec.Bridge, cell: str, plan: Plan, loops: list[int] | None
) -> list[Measured]:
    """One worker process measuring `cell` of `bridge`: its records, one per size."""
    argv = [
        sys.executable,
        "-m",
        "bridgebench.harness.worker",
        bridge.name,
        cell,
        "--samples",
        str(plan.samples),
        "--target-ms",
        str(plan.target_ms),
        *(["--quick"] if plan.quick else []),
        *(["--loops", ",".join(map(str, loops))] if loops else []),
    ]
    out = subprocess.run(
        argv, capture_output=True, text=True, cwd=spec.ROOT, env=spec.child_env(), check=False
    )
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    errors = [line["error"] for line in lines if "error" in line]
    if errors or out.returncode != 0:
        detail = errors[0] if errors else out.stderr.strip()[-500:]
        raise RuntimeError(f"worker exited with {out.returncode}: {detail}")
    return [Measured(**line) for line in lines]


def cells_in_order(bridges: list[spec.Bridge]) -> list[tuple[str, list[spec.Bridge]]]:
    """Every cell that a selected bridge covers, in the specs' order, with its bridges."""
    return [
        (cell, [b for b in bridges if cell in b.cells])
        for cell in spec.cells()
        if any(cell in b.cells for b in bridges)
    ]


def measure(bridges: list[spec.Bridge], plan: Plan, say: Callable[[str], None] = print) -> Timings:
    """Run the schedule; `say` gets a progress line per cell and round."""
    out = Timings()
    schedule = cells_in_order(bridges)
    clock = time.monotonic()
    for round_ in range(plan.rounds):
        canaries: list[int] = []
        for cell, cell_bridges in schedule:
            turn = round_ % len(cell_bridges)
            done = []
            for bridge in cell_bridges[turn:] + cell_bridges[:turn]:
                if (bridge.name, cell) in out.errors:
                    continue
                known = [t for (b, c, _), t in out.timed.items() if (b, c) == (bridge.name, cell)]
                try:
                    measured = run_worker(bridge, cell, plan, [t.loops for t in known] or None)
                except (RuntimeError, ValueError, TypeError) as exc:
                    out.errors[(bridge.name, cell)] = str(exc)
                    say(f"      ERROR {bridge.name} {cell}: {exc}")
                    continue
                for m in measured:
                    t = out.timed.setdefault(
                        (bridge.name, cell, m.size), Timed(bridge.name, cell, m.size, m.loops)
                    )
                    t.rounds.append(m.samples_ns)
                    t.loop_overhead_ns.append(m.loop_overhead_ns)
                    canaries += m.canary_ns
                done.append(bridge.name)
            elapsed = time.monotonic() - clock
            say(f"[round {round_ + 1}/{plan.rounds}] {cell}: {', '.join(done)}  ({elapsed:.0f} s)")
        out.canary_ns.append(canaries)
        left = (time.monotonic() - clock) / (round_ + 1) * (plan.rounds - round_ - 1)
        say(f"    round {round_ + 1} done, about {left:.0f} s left")
    return out
