"""One round of the Python side's timing: a process that imports the bridges once, then
measures every job (a bridge's cell) size by size, each size in a child forked for it.

`python -m bridgebench.harness.worker` reads a `Round` as JSON on stdin and prints one record
per (job, size), a `Measured`, or a `Failed` naming the job's bridge and cell
(bridgebench.harness.messages).

Each size of a cell is measured in a process of its own, forked from this one after the
imports (so it costs 3 ms, not an interpreter's start-up): a size does not
meet the heap and caches another size or cell left behind. Measured among a bridge's other
cells in one process (until 2026-12-06), cffi's `add` had a median of 700-729 ns where
pyperf measured 496 ns for `add` alone; pybind11's scale.buffer at n = 10^4 measured among
the other sizes was 8 % slower than alone.

The inputs of a cell (the kernel's values or records and the reference's answers) are
built here, once, before its children are forked: each child would otherwise build them
twice (for the bridge and for the floor), and for 10^5 records that took over ten times
as long as the child's samples.

In that child the bridge's call and the floor's call (the same cell and size of the side's
floor bridge, bridgebench.spec.floor_cell) are sampled in turn, floor-bridge then
bridge-floor (which first alternating by round too): each pair of samples met the same
state of the machine, and the ratio of a pair cancels it. This VM switches between a fast
and a 2x slower state for milliseconds to a minute at a time (docs/METHODOLOGY.md).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from bridgebench import spec
from bridgebench.harness import cases, timing
from bridgebench.harness.cases import sizes
from bridgebench.harness.messages import Failed, decode, encode


@dataclass(frozen=True)
class Job:
    """A bridge's cell; `loops` per size as [bridge's, floor's] calls per sample from an
    earlier round (pyperf's habit), or None to calibrate. `bridge` may name an example
    (benches/bridges.toml [[example]]): its samples pair with its `beside` bridge's."""

    bridge: str
    cell: str
    loops: list[list[int]] | None = None


@dataclass(frozen=True)
class Round:
    index: int  # which round of the run: the pairs' order alternates with it
    pairs: int  # samples of the bridge (and as many of the floor) per size
    target_ms: float  # minimum length of a sample when calibrating
    quick: bool  # the kernels' quick_sizes instead of their full sweeps
    jobs: list[Job] = field(default_factory=list)


@dataclass(frozen=True)
class Measured:
    """One size of one job, as its child process measured it. `floor_ns[i]` was sampled
    right before or after `samples_ns[i]`; empty for the floor's own cells."""

    bridge: str
    cell: str
    size: int | None
    loops: int
    floor_loops: int
    samples_ns: list[float]
    floor_ns: list[float]
    loop_overhead_ns: float
    canary_ns: list[int]


def _case(
    subject: spec.Subject, cell: str, size: int | None, target_ns: int, loops: int | None
) -> timing.Case:
    ((_, call),) = cases.cases(subject, spec.cells()[cell], [size])
    return timing.prepare(call, target_ns, loops)


def measure_size(job: Job, index: int, size: int | None, plan: Round) -> Measured:
    """Sample one size of `job`, paired with the floor's call where the floor has one (an
    example's: with its `beside` bridge's call, spec.paired_with)."""
    subject = spec.measured(job.bridge)
    pair = spec.paired_with(subject, job.cell)
    target_ns = int(plan.target_ms * 1e6)
    loops = job.loops[index] if job.loops else [None, None]
    case = _case(subject, job.cell, size, target_ns, loops[0])
    ref = _case(pair[0], pair[1], size, target_ns, loops[1]) if pair else None
    for i in range(plan.pairs):
        order = (ref, case) if (i + plan.index) % 2 == 0 else (case, ref)
        for c in order:
            if c is not None:
                timing.sample(c)
    return Measured(
        job.bridge,
        job.cell,
        size,
        case.loops,
        ref.loops if ref else 0,
        case.samples_ns,
        ref.samples_ns if ref else [],
        case.loop_overhead_ns,
        case.canary_ns + (ref.canary_ns if ref else []),
    )


def _in_child(job: Job, index: int, size: int | None, plan: Round) -> Measured | Failed:
    """Measure one size in a forked child: its record, or what went wrong."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, write one line, leave without running atexit hooks
        os.close(read_end)
        status = 0
        try:
            line = encode(measure_size(job, index, size, plan))
        except Exception as exc:  # reported to the parent as this job's error
            line = encode(Failed(f"n={size}: {type(exc).__name__}: {exc}", job.bridge, job.cell))
            status = 1
        with os.fdopen(write_end, "w") as out:
            out.write(line)
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end) as inp:
        line = inp.read()
    _, wait_status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(wait_status):
        return Failed(f"n={size}: died of signal {os.WTERMSIG(wait_status)}", job.bridge, job.cell)
    if not line:
        return Failed(f"n={size}: exited with {wait_status} and no result", job.bridge, job.cell)
    result: Measured | Failed = decode(line, (Measured, Failed))
    return result


def run(plan: Round, emit: Any = print) -> None:
    """Measure every job of `plan`; `emit` gets each record's line."""
    for i, job in enumerate(plan.jobs):
        try:
            subject = spec.measured(job.bridge)
            subject.import_module()
            pair = spec.paired_with(subject, job.cell)
            if pair is not None:
                pair[0].import_module()
            cell = spec.cells()[job.cell]
            job_sizes = sizes(cell, quick=plan.quick)
            if i == 0 or plan.jobs[i - 1].cell != job.cell:
                cases.forget_inputs()  # the last cell's: its children are done
                cases.share_inputs(cell, job_sizes)
            if job.loops is not None and len(job.loops) != len(job_sizes):
                raise ValueError(f"{len(job.loops)} loop counts for {len(job_sizes)} sizes")
        except Exception as exc:  # this job's error; the round goes on
            emit(encode(Failed(str(exc), job.bridge, job.cell)))
            continue
        for index, size in enumerate(job_sizes):
            result = _in_child(job, index, size, plan)
            emit(encode(result))
            if isinstance(result, Failed):
                break


def main() -> None:
    raw = json.load(sys.stdin)
    plan = Round(**{**raw, "jobs": [Job(**j) for j in raw["jobs"]]})
    run(plan, lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()
