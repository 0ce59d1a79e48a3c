"""The results schema: a real-looking file validates; broken ones fail naming the path;
the environment is complete, fast and survives missing programs."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bridgebench import environment, schema, spec


@cache
def _environment() -> dict[str, Any]:
    return environment.describe()


def _timing(median: float, floor_median: float, floor: str, floor_cell: str) -> dict[str, Any]:
    """The time fields of a record measured in 2 rounds of 4 samples, its ratio to a floor
    record of median `floor_median` (1 with a zero-width interval when it is the floor)."""
    ratio = median / floor_median
    spread = 0.0 if median == floor_median else 0.02
    return {
        "median_ns": median,
        "quartiles_ns": [median * 0.95, median * 1.05],
        "iqr_ns": median * 0.1,
        "ci95_ns": [median * 0.98, median * 1.02],
        "flags": [],
        "round_samples_ns": [[median] * 4, [median] * 4],
        "rounds": 2,
        "ratio": ratio,
        "ratio_ci95": [ratio * (1 - spread), ratio * (1 + spread)],
        "ratio_to": {"bridge": floor, "cell": floor_cell},
    }


def machine(verdict: str = "steady") -> dict[str, Any]:
    """A `machine` record as bridgebench.steadiness writes it."""
    python: dict[str, Any] = {"seconds": 80.0, "others_cores": 0.01, "steal_share": 0.0}
    python |= {"canary_ns": {"p10": 40e3, "median": 41e3, "p90": 43e3}}
    python |= {"canary_round_medians_ns": [41e3, 41.5e3]}
    reasons = [] if verdict == "steady" else ["python: other processes kept 1.00 cores busy"]
    return {
        "verdict": verdict,
        "reasons": reasons,
        "phases": {"python": python, "rust": {"seconds": 30.0, "others_cores": 0.0}},
    }


def synthetic(host: str = "machine-a", median: float = 100.0) -> dict[str, Any]:
    """A results file as the bench writes it: every kind of cell record and a model.
    Python side: pybind11 at `median` ns, 4x its floor (cpython-api) in `add` and 2x in
    scale.buffer; Rust side: cxx 1.2x its floor (rust) in `add`."""
    env = copy.deepcopy(_environment())
    env["host"] = host
    python = {"loops": [1 << 16] * 2, "loop_overhead_ns": [9.0] * 2}
    memory = {
        "allocs_per_call": 2.0,
        "bytes_per_call": 8064.0,
        "live_bytes_per_call": 0.0,
        "copy_factor": 1.008,
        "payload_bytes": 8000,
        "tracemalloc_peak_bytes": 8056.0,
        "peak_rss_bytes": 40_000_000,
        "leak": "ok",
        "live_objects_delta": 0,
        "instructions_per_call": 1022.0,
    }
    add, buffer = median / 4, median / 2  # the floor's medians
    ok = {"status": "ok"}
    cells: list[dict[str, Any]] = [
        {"side": "python", "bridge": "pybind11", "cell": "add", "size": None}
        | ok
        | _timing(median, add, "cpython-api", "add")
        | python
        | {"instructions_per_call": 1022.0},
        {"side": "python", "bridge": "pybind11", "cell": "scale.buffer", "size": 1000}
        | ok
        | _timing(median, buffer, "cpython-api", "scale.buffer")
        | python
        | memory,
        {"side": "rust", "bridge": "cxx", "cell": "add", "size": None}
        | ok
        | _timing(1.2, 1.0, "rust", "add")
        | {"source": "criterion", "throughput": {"elements": 1}},
        {"side": "rust", "bridge": "rust", "cell": "scale.list", "size": None}
        | {"status": "n/a", "reason": "a Python list exists only on the Python side"},
        {"side": "python", "bridge": "swig", "cell": "add", "size": None}
        | {"status": "error", "error": "worker exited with -11"},
        {"side": "python", "bridge": "cpython-api", "cell": "add", "size": None}
        | ok
        | _timing(add, add, "cpython-api", "add")
        | python,
        {"side": "python", "bridge": "cpython-api", "cell": "scale.buffer", "size": 1000}
        | ok
        | _timing(buffer, buffer, "cpython-api", "scale.buffer")
        | python,
        {"side": "rust", "bridge": "rust", "cell": "add", "size": None}
        | ok
        | _timing(1.0, 1.0, "rust", "add")
        | {"source": "criterion"},
    ]
    models = [
        {"bridge": "pybind11", "cell": "scale.buffer", "fixed_ns": 180.0, "per_unit_ns": 0.4}
        | {"unit": "element", "crossover_n": 3, "faster_below_n": None, "rms_rel_error": 0.01},
        {"side": "rust", "bridge": "cxx", "cell": "scale.buffer", "fixed_ns": 2.0}
        | {"per_unit_ns": 0.3, "unit": "element", "sizes": [0, 1, 1000]},
    ]
    return {
        "schema": schema.VERSION,
        "created": "2026-11-25T10:00:00+00:00",
        "mode": "quick",
        "plan": {"rounds": 2, "pairs_per_round": 2, "min_sample_ms": 5, "rust_passes": 2},
        "machine": machine(),
        "environment": env,
        "cells": cells,
        "models": models,
    }


def test_a_real_looking_file_validates() -> None:
    assert schema.validate(synthetic()) == []


def test_the_schema_document_is_generated_from_the_code() -> None:
    doc = (spec.ROOT / "docs" / "results-schema.json").read_text()
    assert doc == schema.document_text(), (
        "docs/results-schema.json is stale: python -m bridgebench.schema > docs/results-schema.json"
    )


def _broken(change: Any) -> list[str]:
    data = copy.deepcopy(synthetic())
    change(data)
    return schema.validate(data)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["cells"][0].update(median_ns="fast"), "$.cells[0].median_ns: expected number"),
        (lambda d: d["cells"][1].pop("status"), "$.cells[1]: missing required field 'status'"),
        (lambda d: d["cells"][1].update(mdian_ns=1.0), "$.cells[1].mdian_ns: unknown field"),
        (lambda d: d["cells"][3].pop("reason"), "$.cells[3]: missing required field 'reason'"),
        (lambda d: d["cells"][4].pop("error"), "$.cells[4]: missing required field 'error'"),
        (lambda d: d["cells"][0].pop("median_ns"), "$.cells[0]: missing required field 'median"),
        (lambda d: d["cells"][0].update(ci95_ns=[1, 2, 3]), "$.cells[0].ci95_ns: 3 items"),
        (lambda d: d["cells"][1].update(leak="maybe"), "$.cells[1].leak: 'maybe' is not one"),
        (lambda d: d["cells"][1].update(size=-1), "$.cells[1].size: -1 is below the minimum"),
        (lambda d: d["cells"][1].update(size=True), "$.cells[1].size: expected integer or null"),
        (lambda d: d["cells"][0].update(loops=[0]), "$.cells[0].loops: matches none"),
        (lambda d: d["cells"].append(d["cells"][0]), "$.cells[8]: same (label, side, bridge"),
        (lambda d: d["cells"][0].update(ratio_ci95=[1.0]), "$.cells[0].ratio_ci95: 1 items"),
        (lambda d: d["cells"][0].update(ratio_to={"bridge": "x"}), "$.cells[0].ratio_to: missing"),
        (lambda d: d["cells"][0].update(samples_ns=[1.0]), "$.cells[0].samples_ns: unknown field"),
        (lambda d: d["machine"].update(verdict="calm"), "$.machine.verdict: 'calm' is not one"),
        (lambda d: d["models"][0].pop("unit"), "$.models[0]: missing required field 'unit'"),
        (lambda d: d["models"][0].update(crossover_n=-1), "$.models[0].crossover_n: -1 is below"),
        (lambda d: d["environment"].pop("git_commit"), "$.environment: missing required field"),
        (lambda d: d["environment"].update(cores="2"), "$.environment.cores: expected integer"),
        (lambda d: d.pop("plan"), "$: matches none of the alternatives"),
        (lambda d: d.update(mode="slow"), "$.mode: 'slow' is not one of"),
        (lambda d: d.update(extra=1), "$.extra: unknown field"),
        (lambda d: d.update(schema="bridgebench.results/1"), "$.schema: expected"),
    ],
)
def test_a_broken_file_fails_naming_the_path(change: Any, expected: str) -> None:
    errors = _broken(change)
    assert any(e.startswith(expected) for e in errors), errors


@pytest.mark.parametrize("version", ["bridgebench.results/1", "bridgebench.results/2"])
def test_an_older_version_is_refused_naming_the_schema(version: str, tmp_path: Path) -> None:
    # Their medians were brought to a nominal machine speed: no figure compares with v3's.
    data = synthetic()
    data["schema"] = version
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=re.escape(f"schema {version!r} is not one of")) as err:
        schema.load(path)
    assert str(path) in str(err.value) and schema.VERSION in str(err.value)
    path.write_text(json.dumps(synthetic()))
    assert schema.load(path)["schema"] == schema.VERSION


def test_the_environment_names_machine_compilers_flags_and_commit() -> None:
    env = environment.describe()
    for key in ("cpu", "os_release", "kernel", "glibc", "numpy", "pythonhashseed", "git_commit"):
        assert env[key], key
    assert set(env["compilers"]) == {"rustc", "cargo", "c++", "cc"}
    assert env["python_details"]["implementation"]
    assert "lto" in env["build_flags"]["rust"]["profile_release"]
    cpp = env["build_flags"]["cpp"]
    if cpp["build_dir"] != environment.MISSING:  # built: the flags actually used
        assert "-ffp-contract=off" in cpp["targets"]["bb_kernels"]
    assert set(env["tools"]) == {b.name for b in spec.bridges()}


def test_missing_programs_are_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "_which", lambda program: None)
    env = environment.describe()
    assert env["compilers"]["c++"] == environment.MISSING
    assert env["git_commit"] == environment.MISSING
    assert env["git_dirty"] is None
    data = synthetic()
    data["environment"] = env
    assert schema.validate(data) == []
