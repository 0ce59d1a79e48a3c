"""Fold criterion's estimates (Rust-side benches) into the results' cell records.

Criterion writes target/criterion/<group>/<id>/new/{benchmark,estimates,sample}.json. The
Rust benches (benches/rust/) name the group after the cell and the function after the
bridge, with the input size as the parameter where there is one.

The benches time every sample with a steady-state guard (benches/rust/common.rs) and log
each criterion sample's canary to <criterion>/bridgebench-steady/<group>.jsonl. Criterion
cannot drop a sample, so the judging happens here, as for the Python side: a sample
counts only when its canary was within the logged tolerance of the fastest canary its
process saw. Each record then gets the same fields as a Python-side cell, from those
steady samples (bridgebench.stats.summarize_steady): median, quartiles and IQR, a 95 %
bootstrap CI of the median, spread flags, `samples_rejected`; criterion's own median
(over every sample, steady or not) is kept beside it as `criterion_median_ns`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bridgebench import spec, stats
from bridgebench.harness import canary


def _wanted_sizes(cell: str, quick: bool | None) -> set[int | None] | None:
    """The sizes this run's mode measures, or None for any (no filtering)."""
    if quick is None:
        return None
    bench = spec.kernels()[spec.cells()[cell].kernel].get("bench", {})
    if "sizes" not in bench:
        return {None}  # a scalar kernel
    return set(bench["quick_sizes" if quick else "sizes"])


STEADY_DIR = "bridgebench-steady"
RERUN = "rerun the Rust side: `cargo xtask bench --side rust`"
LogKey = tuple[str, str, int | None]  # group (cell), function (bridge module), size


def _steady_logs(criterion_dir: Path) -> dict[LogKey, dict[str, Any]]:
    """Every bench's steady log line, with `best_canary_ns` lowered to the fastest canary
    its process saw over its whole run (later lines of a process saw more)."""
    lines = []
    for path in sorted((criterion_dir / STEADY_DIR).glob("*.jsonl")):
        for n, text in enumerate(path.read_text().splitlines(), 1):
            try:
                line = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc}); {RERUN}") from None
            line["file"] = f"{path}:{n}"
            lines.append(line)
    best: dict[int, int] = {}
    for line in lines:
        pid = line["process"]
        best[pid] = min(best.get(pid, line["best_canary_ns"]), line["best_canary_ns"])
    out = {}
    for line in lines:
        line["best_canary_ns"] = best[line["process"]]
        out[(line["group"], line["function"], line["size"])] = line
    return out


def _judged(sample_file: Path, log: dict[str, Any] | None) -> dict[str, Any]:
    """The summary fields of one bench from its steady samples (per-iteration ns).

    Criterion's samples are the last calls the guard logged (warm-up calls come first);
    each must be the logged call of the same iteration count and the same nanoseconds,
    or the two files are from different runs."""
    sample = json.loads(sample_file.read_text())
    iters, times = sample["iters"], sample["times"]
    if log is None:
        raise ValueError(f"no steady log for {sample_file.parent.parent}; {RERUN}")
    taken = log["taken"][-len(times) :] if times else []
    if len(taken) != len(times) or any(
        (float(i), float(ns)) != (float(it), float(t))
        for (i, ns, _), it, t in zip(taken, iters, times, strict=True)
    ):
        raise ValueError(
            f"criterion's samples in {sample_file} are not the calls logged in {log['file']} "
            f"(files of two runs?); {RERUN}"
        )
    every = [t / i for t, i in zip(times, iters, strict=True)]
    canaries = [c for _, _, c in taken]
    steady = canary.judge(every, canaries, log["best_canary_ns"], log["tolerance"])
    summary = stats.summarize_steady(steady, every)
    summary["samples_rejected"] = len(every) - len(steady) + int(log["retaken"])
    return summary


def read(criterion_dir: Path, *, quick: bool | None = None) -> list[dict[str, Any]]:
    """Every registered Rust-side (cell, bridge, size) criterion measured under criterion_dir.

    `quick` (True/False) keeps only the sizes of that mode's sweep (`quick_sizes`/`sizes`):
    criterion never deletes the folders of sizes an earlier run of the other mode measured,
    and their stale estimates must not be folded in. None keeps everything.
    """
    records = []
    rust_bridges = {b.module: b.name for b in spec.bridges() if b.side == "rust"}
    try:
        logs, log_error = _steady_logs(criterion_dir), None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # One unreadable log must not lose the whole side: every cell says why instead.
        logs, log_error = {}, f"the steady logs cannot be read ({exc!r}); {RERUN}"
    for bench_file in sorted(criterion_dir.glob("**/new/benchmark.json")):
        meta = json.loads(bench_file.read_text())
        estimates = json.loads((bench_file.parent / "estimates.json").read_text())
        cell, bridge = meta["group_id"], meta["function_id"]
        if cell not in spec.cells() or bridge not in rust_bridges:
            continue  # a bench that is not a registry cell (none today)
        size = int(meta["value_str"]) if meta.get("value_str") else None
        wanted = _wanted_sizes(cell, quick)
        if wanted is not None and size not in wanted:
            continue
        record: dict[str, Any] = {
            "side": "rust",
            "bridge": rust_bridges[bridge],
            "cell": cell,
            "size": size,
            "source": "criterion",
        }
        try:
            if log_error:
                raise ValueError(log_error)
            judged = _judged(bench_file.parent / "sample.json", logs.get((cell, bridge, size)))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            records.append({**record, "status": "error", "error": str(exc)})
            continue
        record["status"] = "ok"
        record.update(judged)
        record["criterion_median_ns"] = float(estimates["median"]["point_estimate"])
        records.append(record)
        if meta.get("throughput"):  # scalar cells have none
            records[-1]["throughput"] = meta["throughput"]
    return records
