"""The count child: counts one bridge's calls in this process and prints what it
measured, one count_messages record per cell and size, for its parent
(bridgebench.harness.counts, which starts it in the environment each kind needs).

`python -m bridgebench.harness.count_child <bridge> --kind allocs|instructions
[--quick] [--cells ...] [--sizes ...]`
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tracemalloc
from collections.abc import Callable, Iterator

from bridgebench import kernels, spec
from bridgebench.harness import hooks, loops
from bridgebench.harness.cases import Case, cases
from bridgebench.harness.count_messages import (
    AllocLoops,
    InstructionLoops,
    Message,
    TracemallocPeak,
)
from bridgebench.harness.count_plan import KINDS, Selection, count_sizes
from bridgebench.harness.count_plan import loops as loop_lengths
from bridgebench.harness.messages import Failed, encode


def _send(message: Message) -> None:
    print(encode(message), flush=True)


def _each_case(bridge: spec.Subject, kind: str, select: Selection) -> Iterator[tuple[str, Case]]:
    unknown = set(select.cells or ()) - set(bridge.cells)
    if unknown:
        raise ValueError(f"bridge {bridge.name} has no cells {sorted(unknown)}")
    for cell_name in bridge.cells:
        if select.cells is not None and cell_name not in select.cells:
            continue
        cell = spec.cells()[cell_name]
        for case in cases(bridge, cell, count_sizes(cell, kind, select)):
            yield cell_name, case


def _live_objects(bridge: spec.Subject, cell_name: str) -> Callable[[], int]:
    """The kernel's count of its live native objects in the bridge's module (kernel
    modules with native objects define `live_objects(module)`), or 0. An example's module
    keeps no such count: its leak verdict is its live bytes'."""
    live = getattr(kernels.of(spec.cells()[cell_name]), "live_objects", None)
    if live is None or isinstance(bridge, spec.Example):
        return lambda: 0
    module = bridge.import_module()
    return lambda: int(live(module))


def count_allocs(bridge: spec.Subject, select: Selection) -> None:
    hooks.alloc_counters()  # raises unless the counter is preloaded
    loop_reader, settled = hooks.CounterReader(), hooks.CounterReader()
    for cell_name, (size, call) in _each_case(bridge, "allocs", select):
        call.check()
        live_objects = _live_objects(bridge, cell_name)
        n = loop_lengths(size, "allocs")
        loops.run(call, n[0], loops.nothing, loops.nothing)  # warm-up: free lists, caches
        deltas: list[hooks.AllocCounters] = []
        grew: list[int] = []
        objects: list[int] = []
        for calls in n:
            # No cycle collection inside the loop (as timeit); before and after it, a full
            # one, so live bytes compare settled heaps.
            gc.collect()
            settled.before()
            held = live_objects()
            gc.disable()
            try:
                loops.run(call, calls, loop_reader.before, loop_reader.after)
            finally:
                gc.enable()
            gc.collect()
            settled.after()
            deltas.append(loop_reader.delta())
            grew.append(settled.delta().live_bytes)
            objects.append(live_objects() - held)
        _send(
            AllocLoops(
                cell_name,
                size,
                list(n),
                [vars(d) for d in deltas],
                grew,
                objects,
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            )
        )
    # Second pass, after every counted loop: tracemalloc's own allocations must not be
    # counted. One call per case (the first pass warmed the code up): the peak of the
    # Python heap (objects and PyMem buffers) above what was live before the call.
    # Tracing starts after the inputs are built (tracing a million-element input is slow).
    for cell_name, (size, call) in _each_case(bridge, "allocs", select):
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        loops.run(call, 1, loops.nothing, loops.nothing)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        _send(TracemallocPeak(cell_name, size, peak - base))


def count_instructions(bridge: spec.Subject, select: Selection) -> None:
    if not hooks.running_on_valgrind():
        raise RuntimeError("--kind instructions must run under valgrind: use run_counts()")
    for index, (cell_name, (size, call)) in enumerate(_each_case(bridge, "instructions", select)):
        call.check()
        n = loop_lengths(size, "instructions")
        gc.collect()
        # What lives now is left out of this case's collections, and they run
        # uninstrumented: a full collection under callgrind took 0.1 s, more than a
        # scalar cell's counted loops (the count child takes 30 % less time).
        gc.freeze()
        # Warm-up runs uninstrumented (fast); counts do not depend on instrumentation.
        loops.run(call, n[0], loops.nothing, loops.nothing)
        dumps = [f"bb-{index}-{calls}" for calls in n]
        gc.disable()  # as timeit: no cycle collection inside a counted loop
        try:
            for calls, dump in zip(n, dumps, strict=True):
                gc.collect()
                hooks.callgrind_start_instrumentation()
                hooks.callgrind_zero()
                toggle = hooks.callgrind_toggle_collect
                loops.run(call, calls, toggle, toggle)
                hooks.callgrind_dump(dump)
                hooks.callgrind_stop_instrumentation()
        finally:
            gc.enable()
            gc.unfreeze()
        _send(InstructionLoops(cell_name, size, list(n), dumps))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bridge")
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cells")
    parser.add_argument("--sizes")
    args = parser.parse_args()
    select = Selection.parse(args.quick, args.cells, args.sizes)
    try:
        bridge = spec.measured(args.bridge)  # or an example (benches/bridges.toml)
        if args.kind == "allocs":
            count_allocs(bridge, select)
        else:
            count_instructions(bridge, select)
    except Exception as exc:  # reported to the parent as this bridge's error
        _send(Failed(f"{type(exc).__name__}: {exc}"))
        sys.exit(1)


if __name__ == "__main__":
    main()
