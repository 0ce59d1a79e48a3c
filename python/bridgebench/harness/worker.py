"""One bridge's measurements, run in a process of its own.

`python -m bridgebench.harness.worker <bridge> --samples N --target-ms T` prints one JSON object per
line: a record per measured cell and size, as it finishes, so the parent can show
progress and a crash loses only the cell it was in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from bridgebench import spec
from bridgebench.harness.timing import measure

SIZES = (1, 1000, 1_000_000)
FACTOR = -1.0  # keeps repeated in-place scaling bounded: no drift into inf or subnormals


def _bits(result: Any, strategy: str) -> bytes:
    if strategy == "list":
        return np.array(result, dtype=np.float64).tobytes()
    return memoryview(result).tobytes()


def _bench(cell: spec.Cell) -> dict[str, Any]:
    bench: dict[str, Any] = spec.kernels()[cell.kernel]["bench"]
    return bench


def _callback_case(
    fn: Callable[..., Any], cell: spec.Cell, n: int
) -> tuple[int, Any, Any, Callable[[], None]]:
    """map_callback over n normal numbers with the spec's [bench] callback (a Python lambda)."""
    name = _bench(cell)["callback"]
    callback = eval(spec.kernels()[cell.kernel]["callbacks"][name]["python"])  # noqa: S307
    values = np.random.default_rng(n).standard_normal(n).tolist()
    want = np.array([callback(x) for x in values]).tobytes()

    def check() -> None:
        if _bits(fn(values, callback), "list") != want:
            raise AssertionError(f"wrong answer from {cell.function} (n={n})")

    return n, values, callback, check


def _scalar_case(fn: Callable[..., Any], cell: spec.Cell) -> tuple[Any, Any, Callable[[], None]]:
    """The kernel spec's [bench] args, checked against the reference's answer."""
    a, b = _bench(cell)["args"]
    want = getattr(spec.reference().import_module(), cell.function)(a, b)

    def check() -> None:
        if fn(a, b) != want:
            raise AssertionError(f"wrong answer from {cell.function}({a}, {b})")

    return a, b, check


def _scale_case(fn: Callable[..., Any], strategy: str, n: int) -> tuple[Any, Callable[[], None]]:
    # Normal numbers only: the timing should not depend on subnormal slow paths.
    values = np.random.default_rng(n).standard_normal(n)
    want = (values * FACTOR).tobytes()
    data: Any = values.tolist() if strategy == "list" else values.copy()

    def check() -> None:
        if strategy == "inplace":
            probe = values.copy()
            fn(probe, FACTOR)
            got = probe.tobytes()
        else:
            got = _bits(fn(data, FACTOR), strategy)
        if got != want:
            raise AssertionError(f"wrong answer from scale ({strategy}, n={n})")

    return data, check


def run(bridge: spec.Bridge, samples: int, target_ns: int) -> None:
    module = bridge.import_module()
    for cell_name in bridge.cells:
        cell = spec.cells()[cell_name]
        fn = getattr(module, cell.function)
        cases: list[tuple[int | None, Any, Any, Callable[[], None]]]
        if cell.strategy == "scalar":
            cases = [(None, *_scalar_case(fn, cell))]
        elif cell.strategy == "callback":
            cases = [_callback_case(fn, cell, n) for n in _bench(cell)["sizes"]]
        else:
            cases = []
            for n in SIZES:
                data, check = _scale_case(fn, cell.strategy, n)
                cases.append((n, data, FACTOR, check))
        for size, a, b, check in cases:
            timing = measure(fn, a, b, samples=samples, target_ns=target_ns, check=check)
            record = {
                "cell": cell_name,
                "size": size,
                "loops": timing.loops,
                "samples_ns": timing.samples_ns,
                "median_ns": timing.median,
                "quartiles_ns": timing.quartiles,
                "loop_overhead_ns": timing.loop_overhead_ns,
            }
            print(json.dumps(record), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bridge")
    parser.add_argument("--samples", type=int, required=True)
    parser.add_argument("--target-ms", type=float, required=True, help="minimum sample length")
    args = parser.parse_args()
    try:
        run(spec.bridge(args.bridge), args.samples, int(args.target_ms * 1e6))
    except Exception as exc:  # reported to the parent as this bridge's error
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
