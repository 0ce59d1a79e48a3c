"""`python -m bridgebench pyperf-check [--bridge B ...] [--rounds R]`: the headline figures
against pyperf, the clock a Python performance engineer trusts, side by side.

For each checked cell and size (checks(): the kernel specs' `pyperf_check`) and every
Python-side bridge that has it, round by round, process by process:
  1. the harness's worker for that bridge and cell, exactly as `bench` runs it (every size
     of the cell, each in a child of its own, paired with the floor's call, the full
     plan's pairs; the first round calibrates);
  2. right before or after it (alternating by round), `python -m pyperf timeit -p 1` of
     the same call on the same arguments (bridgebench.harness.cases.one: its statement,
     its names locals of pyperf's timing function, as in the harness's loop); the first
     round lets pyperf calibrate its loops, later rounds reuse them, as its own workers do;
  3. the same for `pass` at the same loop count: the harness subtracts its empty loop and
     pyperf does not, so pyperf's figure is its median net of its `pass` median.
Every process of both clocks runs on the one CPU the bench's timing runs on
(bridgebench.harness.cpu), so neither starts on a CPU that was idle.
The harness's figure is pooled over its rounds by the same code as `bench`'s headline
(bridgebench.figures); pyperf's is the median of all its values. Exit status 1 if any
ratio harness/pyperf is outside 1 ± tolerance (10 %).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridgebench import figures, spec
from bridgebench.harness import cases, cpu, rounds, worker
from bridgebench.kernels import Call


def checks() -> list[tuple[str, int | None]]:
    """(cell, size) of every cell whose spec asks for the check (`pyperf_check`: true for a
    cell without sizes, else the size): benches/kernels/*.toml."""
    return [
        (name, None if cell.pyperf_check is True else int(cell.pyperf_check))
        for name, cell in spec.cells().items()
        if cell.pyperf_check is not False
    ]


TOLERANCE = 0.10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bridge", action="append", help="only these bridges (repeatable)")
    parser.add_argument("--cell", action="append", help="only these checked cells (repeatable)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=rounds.FULL.rounds,
        help="processes per bridge, cell and clock (default: the full bench's, %(default)s)",
    )
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="allowed |ratio − 1|")


@dataclass
class Pair:
    """One bridge, cell and size: the harness's rounds and pyperf's values."""

    bridge: str
    cell: str
    size: int | None
    harness: list[list[float]] = field(default_factory=list)  # ns per call, per round
    harness_loops: list[list[int]] = field(default_factory=list)
    pyperf_ns: list[float] = field(default_factory=list)  # per loop of the call
    pass_ns: list[float] = field(default_factory=list)  # per loop of `pass`
    pyperf_loops: int = 0

    @property
    def headline_ns(self) -> float:
        record = figures.timed_record("python", self.bridge, self.cell, self.size, self.harness)
        return float(record["median_ns"])

    @property
    def pyperf_net_ns(self) -> float:
        return statistics.median(self.pyperf_ns) - statistics.median(self.pass_ns)


def _pyperf(setup: str, stmt: str, loops: int, out: Path) -> tuple[int, list[float]]:
    """One pyperf worker (`-p 1`, its default values and warm-up): its loops and values in
    ns per loop. `loops` 0 lets pyperf calibrate."""
    argv = [sys.executable, "-m", "pyperf", "timeit", "-q", "-p", "1", "-l", str(loops)]
    argv += ["--copy-env", "-o", str(out), *(["-s", setup] if setup else []), stmt]
    out.unlink(missing_ok=True)  # pyperf refuses to overwrite
    done = subprocess.run(
        argv, capture_output=True, text=True, cwd=spec.ROOT, env=spec.child_env(), check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr.strip()[-1000:]}")
    return parse_pyperf(json.loads(out.read_text()))


def parse_pyperf(data: dict[str, Any]) -> tuple[int, list[float]]:
    """The loop count and every value (ns per loop) of a pyperf JSON file's one benchmark."""
    (bench,) = data["benchmarks"]
    loops, values = 0, []
    for run in bench["runs"]:
        if "values" in run:
            loops = int(run.get("metadata", {}).get("loops") or data["metadata"]["loops"])
            values += [v * 1e9 for v in run["values"]]
    return loops, values


def _setup(pair: Pair, names: list[str]) -> str:
    """pyperf's setup: the call's names as locals of its timing function."""
    return "\n".join(
        [
            "from bridgebench.harness.cases import one",
            f"_call = one({pair.bridge!r}, {pair.cell!r}, {pair.size!r})",
            *(f"{name} = _call.names[{name!r}]" for name in names),
        ]
    )


def _harness_round(pair: Pair, round_: int) -> None:
    """One round of the harness's worker on the pair's cell, as `bench` runs it."""
    plan = rounds.FULL
    job = worker.Job(pair.bridge, pair.cell, pair.harness_loops or None)
    results = list(
        rounds.run_round(worker.Round(round_, plan.pairs, plan.target_ms, plan.quick, [job]))
    )
    errors = [r for r in results if not isinstance(r, worker.Measured)]
    if errors:
        raise RuntimeError(f"{pair.bridge} {pair.cell}: {errors[0].error}")
    measured = [r for r in results if isinstance(r, worker.Measured)]
    pair.harness_loops = [[m.loops, m.floor_loops] for m in measured]
    pair.harness.append(next(m.samples_ns for m in measured if m.size == pair.size))


def _pyperf_round(pair: Pair, call: Call, out: Path) -> None:
    """One pyperf worker on the pair's call, then one on `pass` at the same loops."""
    pair.pyperf_loops, values = _pyperf(
        _setup(pair, list(call.names)), call.stmt, pair.pyperf_loops, out
    )
    pair.pyperf_ns += values
    pair.pass_ns += _pyperf("", "pass", pair.pyperf_loops, out)[1]


def measure(pairs: list[Pair], n_rounds: int) -> None:
    """Fill every pair, round by round: the harness's worker and pyperf's, one right after
    the other, which goes first alternating by round (this VM's slow states last seconds
    to a minute: the two should meet the same ones, and neither always the earlier)."""
    calls = {(p.bridge, p.cell): cases.one(p.bridge, p.cell, p.size) for p in pairs}
    with tempfile.TemporaryDirectory() as tmp, cpu.one_cpu():
        out = Path(tmp) / "pyperf.json"
        for round_ in range(n_rounds):
            for i, pair in enumerate(pairs, 1):
                print(
                    f"[round {round_ + 1}/{n_rounds}, {i}/{len(pairs)}] {pair.bridge}"
                    f" {pair.cell} n={pair.size}",
                    file=sys.stderr,
                    flush=True,
                )
                call = calls[(pair.bridge, pair.cell)]
                if round_ % 2 == 0:
                    _harness_round(pair, round_)
                    _pyperf_round(pair, call, out)
                else:
                    _pyperf_round(pair, call, out)
                    _harness_round(pair, round_)


def table(pairs: list[Pair], tolerance: float) -> tuple[str, bool]:
    """The Markdown table and whether every pair is within tolerance."""
    lines = [
        "The harness's headline figure (the median of its rounds' samples, as `bench`"
        " reports it) against pyperf's median net of its `pass` loop, measured process by"
        " process in the same rounds.",
        "",
        "| bridge | cell | size | harness ns | pyperf ns (net) | harness/pyperf "
        f"| within {tolerance:.0%}? | pyperf `pass` ns | pyperf loops |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    all_ok = True
    for p in pairs:
        net = p.pyperf_net_ns
        ratio = p.headline_ns / net if net > 0 else float("inf")
        ok = abs(ratio - 1) <= tolerance
        all_ok &= ok
        size = "" if p.size is None else f"{p.size:,}"
        lines.append(
            f"| {p.bridge} | {p.cell} | {size} | {p.headline_ns:.1f} | {net:.1f} | {ratio:.3f} "
            f"| {'yes' if ok else '**no**'} | {statistics.median(p.pass_ns):.1f} "
            f"| {p.pyperf_loops} |"
        )
    return "\n".join(lines) + "\n", all_ok


def run(args: argparse.Namespace) -> int:
    pairs = [
        Pair(b.name, cell, size)
        for cell, size in checks()
        if not args.cell or cell in args.cell
        for b in spec.python_bridges()
        if cell in b.cells and (not args.bridge or b.name in args.bridge)
    ]
    if not pairs:
        print("pyperf-check: no Python-side bridge selected has a checked cell", file=sys.stderr)
        return 2
    measure(pairs, args.rounds)
    text, ok = table(pairs, args.tolerance)
    sys.stdout.write(text)
    return 0 if ok else 1
