"""Exact counts per cell: allocations (an LD_PRELOADed counter) and instructions (callgrind).

`python -m bridgebench.harness.counts <bridge> --kind allocs|instructions [--quick]` prints
one JSON object per line, one per cell and input size; `run_counts()` returns the same
records. Both run the measurement in a child process of its own (`--child`), started with
the environment the kind needs; docs/COUNTS.md says how the figures are taken.

Every figure is a difference of two loop lengths, X(N2) - X(N1) over N2 - N1 calls with
N2 = 2 * N1, so start-up, warm-up and the cost of reading the counter cancel.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any

from bridgebench import kernels, spec
from bridgebench.harness import hooks
from bridgebench.harness.cases import Case, cases
from bridgebench.harness.cases import sizes as sweep

KINDS = ("allocs", "instructions")
# callgrind runs the code about 50x slower: instruction counts stop at this size.
INSTRUCTIONS_MAX_SIZE = 10**4
# The one size a quick run (and so the CI gate) counts of every sequence cell.
QUICK_SIZES = (1000,)
# Calls in the short loop: at most MAX_LOOPS, fewer for big inputs so that a loop handles
# about BUDGET elements, and at least MIN_LOOPS (a count is exact at any loop length).
MAX_LOOPS = 1000
MIN_LOOPS = 2
BUDGET = {"allocs": 10**5, "instructions": 10**4}
# "leak": live bytes grew by at least this much per call in both loops, and by at least
# LEAK_MIN_BYTES over the long loop (see leak_verdict).
LEAK_MIN_BYTES_PER_CALL = 1.0
LEAK_MIN_BYTES = 4096

Record = dict[str, Any]


class CountsError(RuntimeError):
    """A count run that could not be made (tool missing, child failed)."""


# ---------------------------------------------------------------- shared definitions


def loops(size: int | None, kind: str) -> tuple[int, int]:
    """N1 and N2 = 2 * N1 for a case of the given input size."""
    n1 = max(MIN_LOOPS, min(MAX_LOOPS, BUDGET[kind] // max(size or 1, 1)))
    return n1, 2 * n1


@dataclass(frozen=True)
class Selection:
    """What a run counts: the kernels' quick or full sizes, or only some cells and sizes
    (for tests and for looking at one cell)."""

    quick: bool
    cells: tuple[str, ...] | None = None  # None: every cell of the bridge
    sizes: tuple[int, ...] | None = None  # None: the kernels' sweeps (scalar cells: always)

    def argv(self) -> list[str]:
        out = ["--quick"] if self.quick else []
        if self.cells is not None:
            out += ["--cells", ",".join(self.cells)]
        if self.sizes is not None:
            out += ["--sizes", ",".join(map(str, self.sizes))]
        return out


def count_sizes(cell: spec.Cell, kind: str, select: Selection) -> list[int | None]:
    """The sizes counted: the kernel's sweep, capped at INSTRUCTIONS_MAX_SIZE for callgrind."""
    all_sizes = sweep(cell, quick=select.quick)
    if select.sizes is not None and cell.sized:
        all_sizes = list(select.sizes)
    if kind == "instructions":
        return [n for n in all_sizes if n is None or n <= INSTRUCTIONS_MAX_SIZE]
    return all_sizes


def payload_bytes(cell: spec.Cell, size: int | None) -> int:
    """The bytes of input a call carries, the denominator of the copy factor (the cell's
    kernel module says how many: bridgebench.kernels)."""
    n: int = kernels.of(cell).payload_bytes(cell, size)
    return n


def leak_verdict(grew: tuple[int, int], n: tuple[int, int], holders: tuple[int, int]) -> str:
    """ "leak" when what a loop leaves behind grows with the number of calls, else "ok".

    grew[i]: live bytes after loop i minus before it, both taken after gc.collect();
    n[i]: its calls; holders[i]: the module's live_holders() change over it (0 if none).
    A leak: live bytes grew by >= LEAK_MIN_BYTES_PER_CALL per call in BOTH loops, the
    per-call growth of the two agrees within 25% (proportional to the calls, so a one-off
    cache fill is not a leak), and the long loop grew by >= LEAK_MIN_BYTES (settled live
    bytes wobble by a few dozen bytes between runs: address-keyed tables resize at other
    moments, which two calls of a big input would otherwise read as a leak); or
    live_holders() grew in both loops.
    """
    if holders[0] > 0 and holders[1] > 0:
        return "leak"
    g1, g2 = grew[0] / n[0], grew[1] / n[1]
    proportional = abs(g2 - g1) <= 0.25 * max(g1, g2)
    if min(g1, g2) >= LEAK_MIN_BYTES_PER_CALL and proportional and grew[1] >= LEAK_MIN_BYTES:
        return "leak"
    return "ok"


def per_call(values: tuple[int, int], n: tuple[int, int]) -> float:
    """(X(N2) - X(N1)) / (N2 - N1)."""
    return (values[1] - values[0]) / (n[1] - n[0])


# ---------------------------------------------------------------- the child: loops


def _loop(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    loops: int,
    before: Callable[[], None],
    after: Callable[[], None],
) -> None:
    """`loops` calls in a function-local loop, the same shape as harness/timing.py, with
    `before`/`after` (a counter read, a callgrind toggle) right around it."""
    it = repeat(None, loops)
    if len(args) == 1:
        (a,) = args
        before()
        for _ in it:
            fn(a)
        after()
    elif len(args) == 2:
        a, b = args
        before()
        for _ in it:
            fn(a, b)
        after()
    elif len(args) == 4:
        a, b, c, d = args
        before()
        for _ in it:
            fn(a, b, c, d)
        after()
    else:
        raise ValueError(f"no count loop for {len(args)} arguments: add one in {__file__}")


def _nothing() -> None:
    pass


def _each_case(bridge: spec.Bridge, kind: str, select: Selection) -> Iterator[tuple[str, Case]]:
    module = bridge.import_module()
    unknown = set(select.cells or ()) - set(bridge.cells)
    if unknown:
        raise ValueError(f"bridge {bridge.name} has no cells {sorted(unknown)}")
    for cell_name in bridge.cells:
        if select.cells is not None and cell_name not in select.cells:
            continue
        cell = spec.cells()[cell_name]
        for case in cases(module, cell, count_sizes(cell, kind, select)):
            yield cell_name, case


def _emit(record: Record) -> None:
    print(json.dumps(record), flush=True)


def _count_allocs(bridge: spec.Bridge, select: Selection) -> None:
    hooks.alloc_counters()  # raises unless the counter is preloaded
    live_holders: Callable[[], int] = getattr(bridge.import_module(), "live_holders", lambda: 0)
    loop_reader, settled = hooks.CounterReader(), hooks.CounterReader()
    for cell_name, (size, fn, args, check) in _each_case(bridge, "allocs", select):
        check()
        n = loops(size, "allocs")
        _loop(fn, args, n[0], _nothing, _nothing)  # warm-up: freelists, caches, specialisation
        deltas: list[hooks.AllocCounters] = []
        grew: list[int] = []
        holders: list[int] = []
        for calls in n:
            # No cycle collection inside the loop (as timeit); before and after it, a full
            # one, so live bytes compare settled heaps.
            gc.collect()
            settled.before()
            held = live_holders()
            gc.disable()
            try:
                _loop(fn, args, calls, loop_reader.before, loop_reader.after)
            finally:
                gc.enable()
            gc.collect()
            settled.after()
            deltas.append(loop_reader.delta())
            grew.append(settled.delta().live_bytes)
            holders.append(live_holders() - held)
        _emit(
            {
                "cell": cell_name,
                "size": size,
                "loops": list(n),
                "totals": [d.__dict__ for d in deltas],
                "live_growth": grew,
                "live_holders_growth": holders,
                "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        )
    # Second pass, after every counted loop: tracemalloc's own allocations must not be
    # counted. One call per case (the first pass warmed the code up): the peak of the
    # Python heap (objects and PyMem buffers) above what was live before the call.
    # Tracing starts after the inputs are built (tracing a million-element input is slow).
    for cell_name, (size, fn, args, _check) in _each_case(bridge, "allocs", select):
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        _loop(fn, args, 1, _nothing, _nothing)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        _emit({"cell": cell_name, "size": size, "tracemalloc_peak_bytes": peak - base})


def _count_instructions(bridge: spec.Bridge, select: Selection) -> None:
    if not hooks.running_on_valgrind():
        raise CountsError("--kind instructions must run under valgrind: use run_counts()")
    for index, (cell_name, (size, fn, args, check)) in enumerate(
        _each_case(bridge, "instructions", select)
    ):
        check()
        n = loops(size, "instructions")
        gc.collect()
        # Warm-up runs uninstrumented (fast); counts do not depend on instrumentation.
        _loop(fn, args, n[0], _nothing, _nothing)
        dumps = [f"bb-{index}-{calls}" for calls in n]
        gc.disable()  # as timeit: no cycle collection inside a counted loop
        try:
            hooks.callgrind_start_instrumentation()
            for calls, dump in zip(n, dumps, strict=True):
                gc.collect()
                hooks.callgrind_zero()
                toggle = hooks.callgrind_toggle_collect
                _loop(fn, args, calls, toggle, toggle)
                hooks.callgrind_dump(dump)
            hooks.callgrind_stop_instrumentation()
        finally:
            gc.enable()
        _emit({"cell": cell_name, "size": size, "loops": list(n), "dumps": dumps})


# ---------------------------------------------------------------- the parent: run, fold


def _interpreter() -> str:
    """The real interpreter binary: valgrind on a pyenv shim or a venv link measures the
    wrong program (field notes), so links are resolved and sys.path is given explicitly."""
    return os.path.realpath(sys.executable)


def _child_env(kind: str, module_dirs: Sequence[Path] = ()) -> dict[str, str]:
    """A small fixed environment: the same heap layout, hash seed and sys.path every run.
    `module_dirs` go first on sys.path: a bridge module built elsewhere shadows the
    installed one (the gate's test counts a deliberately regressed build this way)."""
    paths = [str(Path(d).resolve()) for d in module_dirs] + [str(spec.ROOT / "python")]
    for key in ("purelib", "platlib"):  # the venv's site-packages (the bridges' modules)
        path = sysconfig.get_paths()[key]
        if path not in paths:
            paths.append(path)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",  # not the caller's: its length moves the heap
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONHASHSEED": "0",
        "LC_ALL": "C.UTF-8",
        # No idle BLAS worker threads (numpy is imported by the harness).
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    if kind == "allocs":
        env["LD_PRELOAD"] = str(hooks.library_path())
        env["PYTHONMALLOC"] = "malloc"  # the Python heap through malloc, so it is counted
    return env


def _scratch() -> Path:
    """A fixed folder outside the repo: the child's working directory (sys.path[0] under
    -m) must not change between runs, and callgrind's output goes beside it."""
    path = Path(tempfile.gettempdir()) / "bridgebench-counts"
    (path / "cwd").mkdir(parents=True, exist_ok=True)
    return path


@cache
def _no_aslr() -> list[str]:
    """`setarch <machine> -R`, when it works here: with addresses randomised, CPython's
    address-keyed tables resize at other moments from run to run, so frees and live bytes
    wobble (allocations and bytes do not). A container may forbid it; then it is left out."""
    argv = ["setarch", platform.machine(), "-R"]
    if shutil.which("setarch") is None:
        return []
    probe = subprocess.run([*argv, "true"], capture_output=True, check=False)
    return argv if probe.returncode == 0 else []


def _valgrind() -> str:
    path = shutil.which("valgrind")
    if path is None:
        raise CountsError(
            "valgrind is not installed: instruction counts need it. Install the Debian package "
            "`valgrind` (listed in ci/system-packages.txt): sudo apt-get install valgrind"
        )
    return path


def _dump_totals(out_dir: Path, totals: dict[str, int], seen: set[Path]) -> dict[str, int]:
    """Add the instructions of each new callgrind dump to `totals`, by the dump's name (its
    `desc: Trigger:` line); `summary:` is in the header, so reading stops there."""
    for path in sorted(set(out_dir.glob("callgrind.out.*")) - seen):
        seen.add(path)
        name, total = None, None
        with path.open() as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request: "):
                    name = line.split(": ", 3)[-1].strip()
                elif line.startswith("summary: "):
                    total = int(line.split()[1])
                    break
        if name is not None and total is not None:
            totals[name] = total
    return totals


def _fold_allocs(raw: Record, cell: spec.Cell) -> Record:
    n = (raw["loops"][0], raw["loops"][1])
    t1, t2 = raw["totals"]
    out: Record = {"cell": raw["cell"], "size": raw["size"], "loops": list(n)}
    for key in ("allocs", "reallocs", "frees", "bytes"):
        out[f"{key}_per_call"] = per_call((t1[key], t2[key]), n)
    grew = (raw["live_growth"][0], raw["live_growth"][1])
    holders = (raw["live_holders_growth"][0], raw["live_holders_growth"][1])
    payload = payload_bytes(cell, raw["size"])
    out.update(
        payload_bytes=payload,
        copy_factor=out["bytes_per_call"] / payload if payload > 0 else None,
        live_bytes_per_call=per_call(grew, n),
        live_growth=list(grew),
        live_holders_growth=list(holders),
        leak=leak_verdict(grew, n, holders),
        peak_rss_bytes=raw["peak_rss_bytes"],
    )
    return out


def _fold_instructions(raw: Record, totals: dict[str, int]) -> Record:
    n = (raw["loops"][0], raw["loops"][1])
    missing = [d for d in raw["dumps"] if d not in totals]
    if missing:
        raise CountsError(f"callgrind wrote no dump named {missing} ({raw['cell']})")
    counts = (totals[raw["dumps"][0]], totals[raw["dumps"][1]])
    return {
        "cell": raw["cell"],
        "size": raw["size"],
        "loops": list(n),
        "instructions": list(counts),
        "instructions_per_call": per_call(counts, n),
    }


def run_counts(
    bridge: str,
    kind: str,
    quick: bool,
    progress: Callable[[Record], None] | None = None,
    *,
    cells: Sequence[str] | None = None,
    sizes: Sequence[int] | None = None,
    module_dirs: Sequence[Path] = (),
) -> list[Record]:
    """Count every cell and size of a Python-side bridge in a child process; one record
    per (cell, size), passed to `progress` as it completes. `cells` and `sizes` narrow
    the run; `module_dirs` are searched for the bridge's module before the installed one.
    Raises CountsError."""
    select = Selection(
        quick, tuple(cells) if cells is not None else None, tuple(sizes) if sizes else None
    )
    if kind not in KINDS:
        raise CountsError(f"kind must be one of {KINDS}, not {kind!r}")
    try:
        spec.bridge(bridge)  # an unknown name fails here, not in the child
        hooks.library_path()  # both kinds load it: the counter, or the client requests
    except (KeyError, FileNotFoundError) as exc:
        raise CountsError(str(exc)) from None
    # A module compiled during the run (a stale .pyc) changes the heap layout, and with it
    # the instruction counts (CPython's method cache hashes addresses): compile first.
    compileall.compile_dir(spec.ROOT / "python" / "bridgebench", quiet=2)
    scratch = _scratch()
    python = [_interpreter(), "-s", "-m", "bridgebench.harness.counts", bridge]
    python += ["--kind", kind, "--child", *select.argv()]
    with tempfile.TemporaryDirectory(dir=scratch, prefix="callgrind-") as out:
        out_dir = Path(out)
        tool: list[str] = []
        if kind == "instructions":
            tool = [
                _valgrind(),
                "--tool=callgrind",
                "--quiet",
                "--instr-atstart=no",  # start-up and warm-up at full speed
                "--collect-atstart=no",  # only the toggled loops are counted
                f"--callgrind-out-file={out_dir / 'callgrind.out'}",
            ]
        argv = [*_no_aslr(), *tool, *python]
        env = _child_env(kind, module_dirs)
        return _run_child(argv, kind, env, scratch / "cwd", out_dir, progress)


def _run_child(
    argv: list[str],
    kind: str,
    env: dict[str, str],
    cwd: Path,
    out_dir: Path,
    progress: Callable[[Record], None] | None,
) -> list[Record]:
    records: list[Record] = []
    by_key: dict[tuple[str, Any], Record] = {}
    totals: dict[str, int] = {}
    seen: set[Path] = set()
    # stderr to a file: a chatty child cannot fill a pipe nobody reads.
    with (
        (out_dir / "stderr.txt").open("w+") as stderr,
        subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
        ) as child,
    ):
        if child.stdout is None:
            raise CountsError("no pipe from the child")

        def tail() -> str:
            stderr.seek(0)
            return stderr.read()[-2000:]

        for line in child.stdout:
            raw = json.loads(line)
            if "error" in raw:
                child.wait()
                raise CountsError(f"{raw['error']}\n{tail()}")
            key = (raw["cell"], raw["size"])
            if "tracemalloc_peak_bytes" in raw:  # allocs' second pass
                by_key[key]["tracemalloc_peak_bytes"] = raw["tracemalloc_peak_bytes"]
                continue
            if kind == "allocs":
                record = _fold_allocs(raw, spec.cells()[raw["cell"]])
            else:
                record = _fold_instructions(raw, _dump_totals(out_dir, totals, seen))
            records.append(record)
            by_key[key] = record
            if progress is not None:
                progress(record)
        if child.wait() != 0:
            raise CountsError(f"count child exited with {child.returncode}:\n{tail()}")
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bridge")
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--quick", action="store_true", help="the kernels' quick_sizes only")
    parser.add_argument("--cells", help="comma-separated cells (default: all of the bridge's)")
    parser.add_argument("--sizes", help="comma-separated input sizes (default: the sweep)")
    parser.add_argument("--child", action="store_true", help="measure in this process")
    args = parser.parse_args()
    select = Selection(
        args.quick,
        tuple(args.cells.split(",")) if args.cells else None,
        tuple(int(n) for n in args.sizes.split(",")) if args.sizes else None,
    )
    if not args.child:
        try:
            for record in run_counts(
                args.bridge, args.kind, args.quick, cells=select.cells, sizes=select.sizes
            ):
                print(json.dumps(record), flush=True)
        except CountsError as exc:
            sys.exit(f"counts: {args.bridge} ({args.kind}): {exc}")
        return
    try:
        bridge = spec.bridge(args.bridge)
        if args.kind == "allocs":
            _count_allocs(bridge, select)
        else:
            _count_instructions(bridge, select)
    except Exception as exc:  # reported to the parent as this bridge's error
        _emit({"error": f"{type(exc).__name__}: {exc}"})
        sys.exit(1)


if __name__ == "__main__":
    main()
