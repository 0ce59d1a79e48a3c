"""One cell of one bridge, measured in a process of its own (as pyperf runs a benchmark).

`python -m bridgebench.harness.worker <bridge> <cell> --samples N --target-ms T [--quick]
[--loops L,L,...]` prints one JSON line per size of the cell (`Measured`), or one line
`{"error": ...}`. Every size is prepared first (answer checked, `loops` calibrated or taken
from `--loops`), then sampled round-robin, one sample of each per round, so a size's
samples spread over the process's life.

Why a process per cell: a cell measured among a bridge's other cells does not behave as
it does alone. Measured that way (one process per bridge, until 2026-12-06), cffi's `add`
had a median of 700-729 ns where pyperf measured 496 ns for `add` alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass

from bridgebench import spec
from bridgebench.harness import timing
from bridgebench.harness.cases import cases, sizes


@dataclass(frozen=True)
class Measured:
    """One size of one cell, as one worker process measured it."""

    size: int | None
    loops: int
    samples_ns: list[float]
    loop_overhead_ns: float
    canary_ns: list[int]


def run(
    bridge: spec.Bridge,
    cell_name: str,
    samples: int,
    target_ns: int,
    quick: bool,
    loops: list[int] | None = None,
) -> list[Measured]:
    cell = spec.cells()[cell_name]
    built = cases(bridge.import_module(), cell, sizes(cell, quick=quick))
    if loops is not None and len(loops) != len(built):
        raise ValueError(f"--loops has {len(loops)} values for {len(built)} sizes of {cell_name}")
    prepared = [
        (size, timing.prepare(fn, args, check, target_ns, loops[i] if loops else None))
        for i, (size, fn, args, check) in enumerate(built)
    ]
    for _ in range(samples):
        for _, case in prepared:
            timing.sample(case)
    return [
        Measured(size, c.loops, c.samples_ns, c.loop_overhead_ns, c.canary_ns)
        for size, c in prepared
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bridge")
    parser.add_argument("cell")
    parser.add_argument("--samples", type=int, required=True, help="samples of each size")
    parser.add_argument("--target-ms", type=float, required=True, help="minimum sample length")
    parser.add_argument("--quick", action="store_true", help="the kernels' quick_sizes only")
    parser.add_argument("--loops", help="calls per sample of each size, comma-separated")
    args = parser.parse_args()
    try:
        loops = [int(x) for x in args.loops.split(",")] if args.loops else None
        measured = run(
            spec.bridge(args.bridge),
            args.cell,
            args.samples,
            int(args.target_ms * 1e6),
            args.quick,
            loops,
        )
    except Exception as exc:  # reported to the parent as this cell's error
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        sys.exit(1)
    for m in measured:
        print(json.dumps(asdict(m)), flush=True)


if __name__ == "__main__":
    main()
