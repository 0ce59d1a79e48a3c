"""Fold criterion's estimates (Rust-side benches) into the results' cell records.

Criterion writes <pass>/<group>/<id>/new/{benchmark,estimates,sample}.json. The Rust benches
(benches/rust/) name the group after the cell and the function after the bridge, with the
input size as the parameter where there is one. A full run runs every bench binary more
than once, each pass into a folder of its own (`cargo xtask bench`: target/criterion/pass-<k>),
so a cell's samples come from several processes and moments of the run, as on the Python
side; a quick run has one pass.

The benches probe a canary between the chunks of every sample (benches/rust/common.rs)
and log each criterion sample's canary to <pass>/bridgebench-canary/<group>.jsonl.
Criterion cannot rescale a sample, so that happens here, as for the Python side
(harness/canary.py): each sample is brought to a fixed machine speed, the one at which
the Rust canary takes NOMINAL_NS, along the bench's own elasticity, fitted on its pooled
samples and used only within their range of canaries (`canary.scale_within`). Every
bridge of a cell is in the same bench binary, so they share one canary's code.
Each record then gets the same fields as a Python-side cell, from the scaled samples of
every pass pooled (bridgebench.stats.summarize): median, quartiles and IQR, a 95 %
bootstrap CI of the median, spread flags, `raw_median_ns` (before scaling); criterion's
own median (of its unscaled samples, the median over passes) is kept beside it as
`criterion_median_ns`.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
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


CANARY_DIR = "bridgebench-canary"
RERUN = "rerun the Rust side: `cargo xtask bench --side rust`"
LogKey = tuple[str, str, int | None]  # group (cell), function (bridge module), size


# The machine speed every Rust-side figure is brought to: a Rust canary time among the
# states most samples are taken in here (15.8-23 us on 2026-12-03, most near 16), so each
# bench is brought to it along its own slope within the range it was measured in. A
# constant, as on the Python side: the fastest canary each run saw moved by 6-18 %
# between two full runs, and every figure with it. Two Rust-side runs agreed within 5 %
# for 92-93 % of the benches at 16-19 us, 79 % at 23 us; two full runs that sat near
# 21 us agreed for only 61 %; four runs in one state at 14.9 us agreed for 68 % with the
# slope extrapolated to 18 us, 99 % with it used only within the samples' range
# (docs/METHODOLOGY.md, Rust side).
NOMINAL_NS = 18_000.0


def _canary_logs(passes: Sequence[Path]) -> list[dict[LogKey, dict[str, Any]]]:
    """Every bench's canary log line, per pass, keyed by (group, function, size)."""
    out: list[dict[LogKey, dict[str, Any]]] = [{} for _ in passes]
    for index, folder in enumerate(passes):
        for path in sorted((folder / CANARY_DIR).glob("*.jsonl")):
            for n, text in enumerate(path.read_text().splitlines(), 1):
                try:
                    line = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc}); {RERUN}") from None
                line["file"] = f"{path}:{n}"
                out[index][(line["group"], line["function"], line["size"])] = line
    return out


def _samples(sample_file: Path, log: dict[str, Any] | None) -> tuple[list[float], list[float]]:
    """One pass of one bench: every sample (per-iteration ns) and its canary (the mean of
    the probes between its chunks, benches/rust/common.rs).

    Criterion's samples are the last calls the guard logged (warm-up calls come first);
    each must be the logged call of the same iteration count and the same nanoseconds,
    or the two files are from different runs."""
    sample = json.loads(sample_file.read_text())
    iters, times = sample["iters"], sample["times"]
    if log is None:
        raise ValueError(f"no canary log for {sample_file.parent.parent}; {RERUN}")
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
    return every, canaries


def _benches(folder: Path, quick: bool | None) -> dict[LogKey, Path]:
    """The registered Rust-side benches criterion measured in one pass: key -> its
    `new/` folder. `quick` keeps only that mode's sizes (see `read`)."""
    rust_bridges = {b.module for b in spec.bridges() if b.side == "rust"}
    out = {}
    for bench_file in sorted(folder.glob("**/new/benchmark.json")):
        meta = json.loads(bench_file.read_text())
        cell, bridge = meta["group_id"], meta["function_id"]
        if cell not in spec.cells() or bridge not in rust_bridges:
            continue  # a bench that is not a registry cell (none today)
        size = int(meta["value_str"]) if meta.get("value_str") else None
        wanted = _wanted_sizes(cell, quick)
        if wanted is None or size in wanted:
            out[(cell, bridge, size)] = bench_file.parent
    return out


def _fold(
    key: LogKey, found: list[Path | None], logs: list[dict[LogKey, dict[str, Any]]]
) -> dict[str, Any]:
    """The summary fields of one bench, its passes' scaled samples pooled."""
    every: list[float] = []
    canaries: list[float] = []
    medians = []
    for index, folder in enumerate(found):
        if folder is None:
            have = next(f for f in found if f is not None)
            raise ValueError(f"measured in {have} but not in pass {index + 1}; {RERUN}")
        got, canary_ns = _samples(folder / "sample.json", logs[index].get(key))
        every += got
        canaries += canary_ns
        estimates = json.loads((folder / "estimates.json").read_text())
        medians.append(float(estimates["median"]["point_estimate"]))
    # Each bench along its own elasticity, fitted on its passes' pooled samples, within
    # its samples' range of canaries, as on the Python side (`canary.scale_within`).
    scaled = canary.scale_within(every, canaries, NOMINAL_NS)
    summary = {
        **scaled,
        "raw_samples_ns": every,
        "canary_ns": canaries,
        **stats.summarize(scaled["samples_ns"]),
    }
    summary["raw_median_ns"] = statistics.median(every)
    summary["criterion_median_ns"] = statistics.median(medians)
    summary["processes"] = len(found)
    return summary


def read(passes: Sequence[Path], *, quick: bool | None = None) -> list[dict[str, Any]]:
    """Every registered Rust-side (cell, bridge, size) criterion measured in the pass
    folders `passes` (one criterion home each), its passes pooled.

    `quick` (True/False) keeps only the sizes of that mode's sweep (`quick_sizes`/`sizes`):
    criterion never deletes the folders of sizes an earlier run of the other mode measured,
    and their stale estimates must not be folded in. None keeps everything.
    """
    rust_bridges = {b.module: b.name for b in spec.bridges() if b.side == "rust"}
    try:
        logs, log_error = _canary_logs(passes), None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # One unreadable log must not lose the whole side: every cell says why instead.
        logs, log_error = [{} for _ in passes], f"the canary logs cannot be read ({exc!r}); {RERUN}"
    found = [_benches(folder, quick) for folder in passes]
    records = []
    for key in sorted({k for f in found for k in f}, key=lambda k: (k[0], k[1], k[2] or -1)):
        cell, bridge, size = key
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
            folded = _fold(key, [f.get(key) for f in found], logs)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            records.append({**record, "status": "error", "error": str(exc)})
            continue
        record["status"] = "ok"
        record.update(folded)
        records.append(record)
        meta = json.loads((next(f[key] for f in found if key in f) / "benchmark.json").read_text())
        if meta.get("throughput"):  # scalar cells have none
            record["throughput"] = meta["throughput"]
    return records
