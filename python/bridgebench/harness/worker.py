"""One bridge's measurements, run in a process of its own.

`python -m bridgebench.harness.worker <bridge> --samples N --target-ms T` prints one JSON object per
line: a record per measured cell and size, as it finishes, so the parent can show
progress and a crash loses only the cell it was in; last, the fastest canary the process
saw (`canary_best_ns`), against which the parent judges every sample's canary again.
"""

from __future__ import annotations

import argparse
import json
import sys

from bridgebench import spec
from bridgebench.harness.canary import Canary
from bridgebench.harness.cases import cases, sizes
from bridgebench.harness.timing import measure


def run(
    bridge: spec.Bridge, samples: int, target_ns: int, quick: bool, only: list[str] | None = None
) -> None:
    module = bridge.import_module()
    canary = Canary()
    canary.calibrate()
    for cell_name in bridge.cells:
        if only and cell_name not in only:
            continue
        cell = spec.cells()[cell_name]
        for size, fn, args, check in cases(module, cell, sizes(cell, quick=quick)):
            timing = measure(
                fn, args, samples=samples, target_ns=target_ns, check=check, canary=canary
            )
            record = {
                "cell": cell_name,
                "size": size,
                "loops": timing.loops,
                "samples_ns": timing.samples_ns,
                "median_ns": timing.median,
                "quartiles_ns": timing.quartiles,
                "loop_overhead_ns": timing.loop_overhead_ns,
                "canary_ns": timing.canary_ns,
                "rejected": timing.rejected,
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
