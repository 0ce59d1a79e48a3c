"""Exact counts per cell: allocations (an LD_PRELOADed counter) and instructions (callgrind).

`run_counts()` counts one bridge in a child process of its own
(bridgebench.harness.count_child), started with the environment the kind needs, and
returns one record of figures per cell and input size (bridgebench.harness.count_figures).
`python -m bridgebench.harness.counts <bridge> --kind allocs|instructions [--quick]`
prints them, one JSON object per line. docs/COUNTS.md says how the figures are taken.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from functools import cache
from pathlib import Path

from bridgebench import spec
from bridgebench.harness import count_binary, count_figures, hooks
from bridgebench.harness.count_figures import AllocFigures, CountsError, Figures
from bridgebench.harness.count_messages import (
    TYPES,
    AllocLoops,
    InstructionLoops,
    TracemallocPeak,
)
from bridgebench.harness.count_plan import (
    BUDGET,
    INSTRUCTIONS_MAX_SIZE,
    KINDS,
    MAX_LOOPS,
    MIN_LOOPS,
    QUICK_SIZES,
    Selection,
)
from bridgebench.harness.count_plan import loops as loop_lengths
from bridgebench.harness.messages import Failed, decode

__all__ = ["KINDS", "QUICK_SIZES", "CountsError", "Figures", "run_counts"]


def _interpreter() -> str:
    """The real interpreter binary: valgrind on a pyenv shim or a venv link measures the
    wrong program (field notes), so links are resolved and sys.path is given explicitly."""
    return os.path.realpath(sys.executable)


def _child_env(kind: str, module_dirs: Sequence[Path] = (), python: bool = True) -> dict[str, str]:
    """A small fixed environment: the same heap layout, hash seed and sys.path every run.
    `module_dirs` go first on sys.path: a bridge module built elsewhere shadows the
    installed one (the gate's test counts a deliberately regressed build this way).
    `python`: the child is the harness's (the bridgebench package and the venv's
    site-packages on its path), else the Rust-side count binary, which may embed Python."""
    paths = [_in_tree(Path(d).resolve()) for d in module_dirs]
    if python:
        paths.append(str(_package_view()))
        for key in ("purelib", "platlib"):  # the venv's site-packages (the bridges' modules)
            path = _in_tree(sysconfig.get_paths()[key])
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
    if "CARGO_TARGET_DIR" in os.environ:  # an interpreter's own build (spec.TARGET)
        env["CARGO_TARGET_DIR"] = _in_tree(spec.TARGET)
    if kind == "allocs":
        env["LD_PRELOAD"] = _in_tree(hooks.library_path())
        env["PYTHONMALLOC"] = "malloc"  # the Python heap through malloc, so it is counted
    return env


def _scratch() -> Path:
    """A fixed folder outside the repo: the child's working directory (sys.path[0] under
    -m) must not change between runs, and callgrind's output goes beside it."""
    path = Path(tempfile.gettempdir()) / "bridgebench-counts"
    (path / "cwd").mkdir(parents=True, exist_ok=True)
    return path


def _in_tree(path: Path | str) -> str:
    """`path`, when inside this tree, as the child sees it: through a link whose path has
    the same length for every clone. The tree's path is in every module's file name, so a
    clone at a path of another length moved the heap (boost-python holder.create n=1000:
    9,692 instructions per call in one clone, 9,946 in another); through the link, no count
    depends on where the tree was cloned."""
    path = Path(path)
    if not path.is_relative_to(spec.ROOT):
        return str(path)
    return str(_tree_link() / path.relative_to(spec.ROOT))


_LINKING = threading.Lock()  # the gate's count threads ask for the link at once


def _tree_name() -> str:
    """12 hex digits naming this tree: the same length for every clone."""
    return hashlib.sha256(str(spec.ROOT).encode()).hexdigest()[:12]


def _link(link: Path, target: Path) -> Path:
    """`link` -> `target`, made or repaired."""
    with _LINKING:
        if not (link.is_symlink() and Path(os.readlink(link)) == target):
            fresh = link.with_name(f"{link.name}.{os.getpid()}")  # apart from other processes'
            fresh.unlink(missing_ok=True)
            fresh.symlink_to(target, target_is_directory=True)
            fresh.replace(link)  # atomic: a running count child sees the old or the new one
    return link


@cache
def _tree_link() -> Path:
    """<scratch>/tree-<tree name> -> the tree."""
    return _link(_scratch() / f"tree-{_tree_name()}", spec.ROOT)


@cache
def _package_view() -> Path:
    """<scratch>/view-<tree name>, a folder holding only `bridgebench` -> the package (through
    the tree's link): the child's path entry for the package. Not python/: the import system
    keeps a listing of every folder on sys.path, and python/ gains tools' caches during a
    test run (.mypy_cache, .ruff_cache), and a longer listing moves the heap (one file
    more there: cpython-api scale.inplace n=1000 from 3,270.5 to 3,289.5 instructions per
    call). spec.ROOT follows the package's link back to the tree."""
    view = _scratch() / f"view-{_tree_name()}"
    view.mkdir(exist_ok=True)
    _link(view / "bridgebench", _tree_link() / "python" / "bridgebench")
    return view


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


def run_counts(
    bridge: str,
    kind: str,
    quick: bool,
    progress: Callable[[Figures], None] | None = None,
    *,
    cells: Sequence[str] | None = None,
    sizes: Sequence[int] | None = None,
    module_dirs: Sequence[Path] = (),
    count_binary: Path | None = None,
) -> list[Figures]:
    """Count every cell and size of a bridge (or of an example: benches/bridges.toml
    [[example]]) in child processes; one record per (cell,
    size), passed to `progress` as it completes. `cells` and `sizes` narrow the run.
    A Python-side bridge is counted by bridgebench.harness.count_child, `module_dirs`
    searched for its module before the installed one; a Rust-side bridge by the count
    binary (harness/count_binary.py), `module_dirs` then on the embedded Python's path
    (the memory layouts of the gate), and `count_binary` (default: the normal build) counts
    it. Raises CountsError."""
    select = Selection(
        quick, tuple(cells) if cells is not None else None, tuple(sizes) if sizes else None
    )
    if kind not in KINDS:
        raise CountsError(f"kind must be one of {KINDS}, not {kind!r}")
    try:
        chosen = spec.measured(bridge)  # an unknown name fails here, not in the child
        hooks.library_path()  # both kinds load it: the counter, or the client requests
        children = (
            _rust_children(chosen, kind, select, module_dirs, count_binary)
            if isinstance(chosen, spec.Bridge) and chosen.side == "rust"
            else [_python_child(chosen, kind, select, module_dirs)]
        )
    except (KeyError, FileNotFoundError, ValueError) as exc:
        raise CountsError(str(exc)) from None
    scratch = _scratch()
    records: list[Figures] = []
    for argv, env in children:
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
            command = [*_no_aslr(), *tool, *argv]
            records += _run_child(command, env, scratch / "cwd", out_dir, progress)
    _check_plan(chosen, kind, select, records)
    return records


def _python_child(
    bridge: spec.Subject, kind: str, select: Selection, module_dirs: Sequence[Path]
) -> tuple[list[str], dict[str, str]]:
    # A module compiled during the run (a stale .pyc) changes the heap layout, and with it
    # the instruction counts (CPython's method cache hashes addresses): compile first.
    compileall.compile_dir(spec.ROOT / "python" / "bridgebench", quiet=2)
    _compile_module(bridge.module)
    argv = [_interpreter(), "-s", "-m", "bridgebench.harness.count_child", bridge.name]
    return [*argv, "--kind", kind, *select.argv()], _child_env(kind, module_dirs)


def _compile_module(name: str) -> None:
    """Byte-compile the bridge's module when it is Python source outside the package (a
    SWIG proxy, a maturin package's __init__.py): the first child to import it would
    otherwise compile it, and count another heap than the next."""
    try:
        found = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # not built: the child says how to build it
        return
    if found is None or found.origin is None:
        return
    if found.submodule_search_locations:
        for folder in found.submodule_search_locations:
            compileall.compile_dir(folder, quiet=2)
    elif found.origin.endswith(".py"):
        compileall.compile_file(found.origin, quiet=2)


def _rust_children(
    bridge: spec.Bridge,
    kind: str,
    select: Selection,
    module_dirs: Sequence[Path],
    binary: Path | None,
) -> list[tuple[list[str], dict[str, str]]]:
    """One child: the count binary, told by the environment to count this bridge's row
    (crates/rust-counts reads it)."""
    unknown = set(select.cells or ()) - set(bridge.cells)
    if unknown:
        raise ValueError(f"bridge {bridge.name} has no cells {sorted(unknown)}")
    chosen = [c for c in bridge.cells if select.cells is None or c in select.cells]
    env = _child_env(kind, module_dirs, python=False)
    env |= {
        "BRIDGEBENCH_COUNT": kind,
        "BRIDGEBENCH_COUNT_BRIDGE": bridge.module,
        "BRIDGEBENCH_COUNT_CELLS": ",".join(chosen),
        "BRIDGEBENCH_COUNT_LOOPS": f"{BUDGET[kind]},{MAX_LOOPS},{MIN_LOOPS}",
        "BRIDGEBENCH_MEASURE_HOOKS": _in_tree(hooks.library_path()),
    }
    if select.quick:
        env["BRIDGEBENCH_QUICK"] = "1"
    if select.sizes is not None:
        env["BRIDGEBENCH_COUNT_SIZES"] = ",".join(map(str, select.sizes))
    if kind == "instructions":
        env["BRIDGEBENCH_COUNT_MAX_SIZE"] = str(INSTRUCTIONS_MAX_SIZE)
    return [([_in_tree(binary or count_binary.binary())], env)]


def _check_plan(
    bridge: spec.Subject, kind: str, select: Selection, records: Sequence[Figures]
) -> None:
    """Every record counted over the loops of count_plan's rule, and every chosen cell
    counted: a child that skipped a cell, or counted it its own way, fails the run."""
    for r in records:
        if tuple(r.loops) != loop_lengths(r.size, kind):
            raise CountsError(
                f"bridge {bridge.name}: {r.cell} n={r.size} was counted over loops {r.loops}, "
                f"not {loop_lengths(r.size, kind)} (harness/count_plan.py)"
            )
    counted = {r.cell for r in records}
    missing = [c for c in bridge.cells if (select.cells is None or c in select.cells)]
    missing = [c for c in missing if c not in counted]
    if missing:
        raise CountsError(
            f"bridge {bridge.name}: no count of {', '.join(missing)} "
            "(its registry entry lists them; the bench or count child skipped them)"
        )


def _run_child(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    out_dir: Path,
    progress: Callable[[Figures], None] | None,
) -> list[Figures]:
    """Run the child, making figures of its messages as they come."""
    records: list[Figures] = []
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
            message = decode(line, TYPES)
            if isinstance(message, Failed):
                child.wait()
                raise CountsError(f"{message.error}\n{tail()}")
            if isinstance(message, TracemallocPeak):  # allocs' second pass, after the first
                records = [_with_peak(r, message) for r in records]
                continue
            if isinstance(message, AllocLoops):
                record: Figures = count_figures.allocs(message)
            elif isinstance(message, InstructionLoops):
                record = count_figures.instructions(message, _dump_totals(out_dir, totals, seen))
            records.append(record)
            if progress is not None:
                progress(record)
        if child.wait() != 0:
            raise CountsError(f"count child exited with {child.returncode}:\n{tail()}")
    return records


def _with_peak(record: Figures, peak: TracemallocPeak) -> Figures:
    if isinstance(record, AllocFigures) and (record.cell, record.size) == (peak.cell, peak.size):
        return replace(record, tracemalloc_peak_bytes=peak.bytes)
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bridge")
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--quick", action="store_true", help="the kernels' quick_sizes only")
    parser.add_argument("--cells", help="comma-separated cells (default: all of the bridge's)")
    parser.add_argument("--sizes", help="comma-separated input sizes (default: the sweep)")
    args = parser.parse_args()
    select = Selection.parse(args.quick, args.cells, args.sizes)
    try:
        for record in run_counts(
            args.bridge, args.kind, args.quick, cells=select.cells, sizes=select.sizes
        ):
            print(json.dumps(asdict(record)), flush=True)
    except CountsError as exc:
        sys.exit(f"counts: {args.bridge} ({args.kind}): {exc}")


if __name__ == "__main__":
    main()
