"""One bridge's measurements, run in a process of its own.

`python -m bridgebench.harness.worker <bridge> --samples N --target-ms T` prints one JSON
object per line: `{"round": k, "of": N}` as each round of samples finishes (the parent
shows progress), then a record per measured cell and size (its samples and the canary
probes' mean of each, canary.py), and last the fastest canary
the process saw (`canary_best_ns`). Every case (cell and size) is prepared first, then
sampled round-robin, one sample of each per round (harness/timing.py says why).
"""

from __future__ import annotations

import argparse
import json
import sys

from bridgebench import spec
from bridgebench.harness import timing
from bridgebench.harness.canary import Canary
from bridgebench.harness.cases import cases, sizes


def run(
    bridge: spec.Bridge, samples: int, target_ns: int, quick: bool, only: list[str] | None = None
) -> None:
    module = bridge.import_module()
    canary = Canary()
    canary.calibrate()
    prepared: list[tuple[str, int | None, timing.Case]] = []
    for cell_name in bridge.cells:
        if only and cell_name not in only:
            continue
        cell = spec.cells()[cell_name]
        for size, fn, args, check in cases(module, cell, sizes(cell, quick=quick)):
            prepared.append((cell_name, size, timing.prepare(fn, args, check, target_ns)))
    for round_ in range(1, samples + 1):
        for _, _, case in prepared:
            timing.sample(case, canary)
        print(json.dumps({"round": round_, "of": samples}), flush=True)
    for cell_name, size, case in prepared:
        t = case.timing
        record = {
            "cell": cell_name,
            "size": size,
            "loops": t.loops,
            "samples_ns": t.samples_ns,
            "canary_ns": t.canary_ns,
            "loop_overhead_ns": t.loop_overhead_ns,
        }
        print(json.dumps(record), flush=True)
    print(json.dumps({"canary_best_ns": canary.best_ns}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bridge")
    parser.add_argument("--samples", type=int, required=True)
    parser.add_argument("--target-ms", type=float, required=True, help="minimum sample length")
    parser.add_argument("--quick", action="store_true", help="the kernels' quick_sizes only")
    parser.add_argument("--cell", action="append", help="only these cells (repeatable)")
    args = parser.parse_args()
    try:
        bridge = spec.bridge(args.bridge)
        run(bridge, args.samples, int(args.target_ms * 1e6), args.quick, args.cell)
    except Exception as exc:  # reported to the parent as this bridge's error
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
