"""The GitHub Actions workflow (.github/workflows/bridgebench.yml, scripts in ci/), checked
here because GitHub is not: actionlint and shellcheck over it, the matrix groups against
benches/bridges.toml, and its merge step run locally on results files of two groups and
two Python versions. docs/CI.md describes the workflow."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from test_schema import machine

from bridgebench import environment, results, schema, spec

ROOT = spec.ROOT
WORKFLOW = ROOT / ".github" / "workflows" / "bridgebench.yml"
CI = ROOT / "ci"
SETUP_HINT = "install it with `cargo xtask setup` (python/requirements.txt pins it)"


def _matrix_module() -> ModuleType:
    """ci/matrix.py, which lives outside the package because the workflow runs it bare."""
    found = importlib.util.spec_from_file_location("ci_matrix", CI / "matrix.py")
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


matrix = _matrix_module()


def _venv_tool(name: str) -> str:
    """A tool of the project venv (next to this interpreter), else one on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"`{name}` not found next to {sys.executable} or on PATH: {SETUP_HINT}"
    return found


# ---------------------------------------------------------------------------- linting


def test_workflow_passes_actionlint() -> None:
    # actionlint also runs shellcheck over every `run:` block when shellcheck is on PATH.
    proc = subprocess.run(
        [_venv_tool("actionlint"), "-no-color", str(WORKFLOW.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"actionlint {WORKFLOW}:\n{proc.stdout}{proc.stderr}"


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The lint test can fail: a job that needs a job which does not exist is reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("needs: plan", "needs: plann", 1))
    proc = subprocess.run(
        [_venv_tool("actionlint"), "-no-color", str(broken)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0 and "plann" in proc.stdout


def test_ci_scripts_pass_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        listed = (CI / "system-packages.txt").read_text().split()
        assert "shellcheck" not in listed, f"shellcheck is missing: {SETUP_HINT}"
        pytest.skip("shellcheck is not installed (not in ci/system-packages.txt)")
    scripts = sorted(CI.glob("*.sh"))
    assert scripts, f"no scripts in {CI}"
    proc = subprocess.run(
        [shellcheck, *map(str, scripts)], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, f"shellcheck ci/*.sh:\n{proc.stdout}"


def test_ci_python_is_tidy() -> None:
    """ci/*.py is outside python/, where the tidy tests look: ruff and mypy here."""
    files = [str(p.relative_to(ROOT)) for p in sorted(CI.glob("*.py"))]
    config = "python/pyproject.toml"
    ruff = _venv_tool("ruff")
    for argv in (
        [ruff, "check", "--config", config, *files],
        [ruff, "format", "--check", "--config", config, *files],
        [_venv_tool("mypy"), "--config-file", config, *files],
    ):
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, f"{' '.join(argv)}:\n{proc.stdout}{proc.stderr}"


def test_ci_scripts_are_executable() -> None:
    # The workflow runs them as ci/NAME.sh: without the bit, every job fails at that step.
    for script in CI.glob("*.sh"):
        assert os.access(script, os.X_OK), f"{script}: chmod +x it (git keeps the mode)"


# ---------------------------------------------------------------------------- the matrix


def test_every_bridge_is_in_exactly_one_group() -> None:
    assert matrix.problems() == []
    grouped = [b for g in matrix.groups() for b in g["bridges"]]
    assert sorted(grouped) == sorted(b.name for b in spec.bridges())
    python_side = [b for g in matrix.groups() if g["side"] == "python" for b in g["bridges"]]
    assert sorted(python_side) == sorted(b.name for b in spec.bridges() if b.side == "python")


def test_a_missing_or_doubled_bridge_is_named(tmp_path: Path) -> None:
    text = (CI / "bridge-groups.toml").read_text()
    broken = tmp_path / "groups.toml"
    # ctypes moves into the cpp group as well (doubled); cffi drops out (missing).
    broken.write_text(
        text.replace('bridges = ["ctypes", "cffi"]', 'bridges = ["ctypes"]').replace(
            '"boost-python"]', '"boost-python", "ctypes", "prost"]'
        )
    )
    found = "\n".join(matrix.problems(broken))
    assert "'ctypes' is in groups 'c-abi' and 'cpp'" in found
    assert "bridge 'cffi'" in found and "is in no group" in found
    assert "'prost', a rust-side bridge" in found


def test_matrix_is_every_group_times_every_python() -> None:
    jobs = matrix.matrix()["include"]
    assert len(jobs) == len(matrix.groups()) * len(matrix.pythons())
    assert {(j["group"], j["python"]) for j in jobs} == {
        (g["name"], p["version"]) for g in matrix.groups() for p in matrix.pythons()
    }
    # The merge step labels each file by its artifact's name: the workflow must name them so.
    text = WORKFLOW.read_text()
    assert "name: results-${{ matrix.group }}-py${{ matrix.python }}" in text
    assert "fromJSON(needs.plan.outputs.matrix)" in text


def test_bench_args_select_one_group() -> None:
    want = ["--side", "python", "--bridge", "ctypes", "--bridge", "cffi"]
    assert matrix.bench_args("c-abi") == want
    assert matrix.bench_args("rust-side") == ["--side", "rust"]
    with pytest.raises(SystemExit, match="no group named 'nope'"):
        matrix.bench_args("nope")


# ---------------------------------------------------------------------------- the merge step


def _group_results(group: dict[str, Any], host: str, scale: float) -> dict[str, Any]:
    """A quick results file as one bench job of `group` writes it: its bridges' cells (a
    linear cost, so the cost models fit), counts at n=1000, every bridge's n/a rows, and
    the models computed by the real code."""
    cells: list[dict[str, Any]] = []
    chosen = [spec.bridge(name) for name in group["bridges"]]
    for bridge in chosen:
        for name in bridge.cells:
            bench = spec.kernels()[spec.cells()[name].kernel].get("bench", {})
            for size in bench.get("quick_sizes", [None]):
                median = scale * (50.0 + (size or 0) * 0.5)
                record: dict[str, Any] = {
                    "side": bridge.side,
                    "bridge": bridge.name,
                    "cell": name,
                    "size": size,
                    "status": "ok",
                    "median_ns": median,
                    "ci95_ns": [median * 0.98, median * 1.02],
                    "quartiles_ns": [median * 0.97, median * 1.03],
                    "iqr_ns": median * 0.06,
                    "flags": [],
                    "round_samples_ns": [[median] * 4] * 2,
                    "rounds": 2,
                }
                if bridge.side == "rust":
                    record["source"] = "criterion"
                elif size in (None, 1000):
                    record |= {
                        "instructions_per_call": 400.0 + (size or 0) * 12,
                        "allocs_per_call": 1.0,
                        "bytes_per_call": 32.0 + (size or 0) * 8,
                        "copy_factor": 1.0 if size else None,
                        "leak": "ok",
                    }
                cells.append(record)
    for bridge in spec.bridges():  # the bench writes every bridge's n/a rows
        cells += [
            {"side": bridge.side, "bridge": bridge.name, "cell": c, "size": None}
            | {"status": "n/a", "reason": reason}
            for c, reason in bridge.na.items()
        ]
    env = copy.deepcopy(environment.describe())
    env["host"] = host
    data = {
        "schema": schema.VERSION,
        "created": "2026-11-25T12:00:00+00:00",
        "mode": "quick",
        "plan": {"rounds": 2, "pairs_per_round": 2, "min_sample_ms": 5, "rust_passes": 2},
        "machine": machine(),
        "environment": env,
        "cells": cells,
        "models": results.cost_models(cells),
    }
    assert schema.validate(data) == [], f"the test's own {group['name']} file is invalid"
    return data


def _artifact(root: Path, group: dict[str, Any], python: str, scale: float) -> None:
    """Lay a results file out as actions/download-artifact does."""
    folder = root / f"results-{group['name']}-py{python}" / "20261125-120000-quick"
    folder.mkdir(parents=True)
    data = _group_results(group, f"runner-{group['name']}-{python}", scale)
    (folder / "results.json").write_text(json.dumps(data))


def test_merge_step_merges_groups_and_pythons_and_renders_the_report(tmp_path: Path) -> None:
    groups = {g["name"]: g for g in matrix.groups()}
    artifacts = tmp_path / "artifacts"
    _artifact(artifacts, groups["c-api"], "3.11", 1.0)
    _artifact(artifacts, groups["c-abi"], "3.11", 1.1)
    _artifact(artifacts, groups["c-api"], "3.13", 0.9)  # the same cells under a new label
    out = tmp_path / "out"
    proc = subprocess.run(
        ["bash", str(CI / "merge-results.sh"), str(artifacts), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHON=sys.executable),
    )
    assert proc.returncode == 0, f"ci/merge-results.sh:\n{proc.stdout}{proc.stderr}"

    merged = json.loads((out / "merged.json").read_text())
    assert schema.validate(merged) == []
    assert sorted(s["label"] for s in merged["sources"]) == ["py3.11", "py3.11", "py3.13"]
    measured = {(c["label"], c["bridge"]) for c in merged["cells"] if c["status"] == "ok"}
    want = {("py3.11", b) for b in groups["c-api"]["bridges"] + groups["c-abi"]["bridges"]}
    want |= {("py3.13", b) for b in groups["c-api"]["bridges"]}
    assert measured == want
    # Both groups of py3.11 wrote every n/a row; the merged file keeps each once per label.
    na = [(c["label"], c["bridge"], c["cell"]) for c in merged["cells"] if c["status"] == "n/a"]
    assert len(na) == len(set(na)) == 2 * sum(len(b.na) for b in spec.bridges())
    # Crossovers with pure Python come through for the group measured with it.
    assert any(
        m.get("crossover_n") is not None or "reference_cell" in m
        for m in merged["models"]
        if m["bridge"] == "pyo3"
    )

    report = out / "report"
    assert (report / "report.html").stat().st_size > 0
    summary = (report / "summary.md").read_text()
    assert "pyo3" in summary and "ctypes" in summary


def test_merge_step_refuses_a_folder_it_cannot_label(tmp_path: Path) -> None:
    stray = tmp_path / "artifacts" / "some-download" / "results.json"
    stray.parent.mkdir(parents=True)
    stray.write_text("{}")
    proc = subprocess.run(
        ["bash", str(CI / "merge-results.sh"), str(tmp_path / "artifacts"), str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHON=sys.executable),
    )
    assert proc.returncode == 1
    assert "is not named results-<group>-py<version>" in proc.stderr
