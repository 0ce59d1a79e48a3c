"""`merge` keeps every source's environment and refuses ambiguous keys; `compare` marks
only changes beyond both the threshold and the noise, and shows exact count diffs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_schema import synthetic

from bridgebench import schema
from bridgebench.__main__ import main
from bridgebench.commands import compare, merge


def _only(data: dict[str, Any], side: str) -> dict[str, Any]:
    """One job's file: the cells of one side (n/a rows of every bridge, as the bench writes)."""
    keep = [c for c in data["cells"] if c["side"] == side or c["status"] == "n/a"]
    return dict(data, cells=keep)


def test_two_machines_merge_with_their_environments() -> None:
    a, b = synthetic("machine-a"), synthetic("machine-b", median=150.0)
    out = merge.merge([("a.json", a), ("b.json", b)])
    assert schema.validate(out) == []
    assert [s["label"] for s in out["sources"]] == ["machine-a", "machine-b"]
    assert out["sources"][1]["environment"]["host"] == "machine-b"
    assert len(out["cells"]) == len(a["cells"]) + len(b["cells"])
    from_b = [c for c in out["cells"] if c["label"] == "machine-b" and c["status"] == "ok"]
    assert all(out["sources"][c["source_index"]]["file"] == "b.json" for c in from_b)
    assert {c["median_ns"] for c in from_b if c["side"] == "python"} == {150.0}


def test_two_jobs_of_one_machine_merge_and_shared_rows_are_kept_once() -> None:
    full = synthetic("machine-a")
    python_job, rust_job = _only(full, "python"), _only(full, "rust")
    out = merge.merge([("py.json", python_job), ("rs.json", rust_job)])
    assert schema.validate(out) == []
    assert len(out["cells"]) == len(full["cells"])  # the n/a row once, not twice


def test_the_same_cell_measured_twice_is_refused_unless_labelled() -> None:
    a, b = synthetic("machine-a"), synthetic("machine-a", median=120.0)
    with pytest.raises(merge.MergeError, match="--label") as err:
        merge.merge([("a.json", a), ("b.json", b)])
    assert "'pybind11', 'add', None" in str(err.value)
    out = merge.merge([("a.json", a), ("b.json", b)], ["before", "after"])
    assert schema.validate(out) == []
    with pytest.raises(merge.MergeError, match="one per input"):
        merge.merge([("a.json", a), ("b.json", b)], ["only-one"])


def test_a_merged_file_merges_again() -> None:
    ab = merge.merge([("a.json", synthetic("a")), ("b.json", synthetic("b"))])
    abc = merge.merge([("ab.json", ab), ("c.json", synthetic("c"))])
    assert schema.validate(abc) == []
    assert [s["label"] for s in abc["sources"]] == ["a", "b", "c"]
    with pytest.raises(merge.MergeError):  # the same three again: every key twice
        merge.merge([("abc.json", abc), ("b.json", synthetic("b", median=1.0))])


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_merge_command_writes_a_valid_file_or_refuses(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.json", synthetic("machine-a"))
    b = _write(tmp_path / "b.json", synthetic("machine-b"))
    same = _write(tmp_path / "same.json", synthetic("machine-a", median=1.0))
    out = tmp_path / "merged.json"
    assert main(["merge", str(a), str(b), "-o", str(out)]) == 0
    assert schema.validate(json.loads(out.read_text())) == []
    assert main(["merge", str(a), str(same), "-o", str(tmp_path / "x.json")]) == 2
    assert not (tmp_path / "x.json").exists()


def _cell(data: dict[str, Any], bridge: str, cell: str) -> dict[str, Any]:
    return next(c for c in data["cells"] if c["bridge"] == bridge and c["cell"] == cell)


def _row(text: str, *words: str) -> str:
    return next(line for line in text.splitlines() if all(f"| {w} |" in line for w in words))


def test_compare_marks_only_changes_beyond_threshold_and_noise() -> None:
    base, new = synthetic("machine-a"), synthetic("machine-b")
    # 20 % slower, CIs apart: a change.
    _cell(new, "pybind11", "add").update(median_ns=120.0, ci95_ns=[118.0, 122.0])
    # 20 % faster but the new CI is wide and overlaps the base's: noise.
    _cell(new, "pybind11", "scale.buffer").update(median_ns=80.0, ci95_ns=[60.0, 99.0])
    # 4 % slower, CIs apart: below the threshold.
    _cell(new, "cxx", "add").update(median_ns=1.248, ci95_ns=[1.31, 1.32])
    _cell(new, "pybind11", "scale.buffer")["instructions_per_call"] = 1034.0
    _cell(new, "swig", "add").update(status="ok", median_ns=5.0)
    del _cell(new, "swig", "add")["error"]
    text = compare.compare(base, new)
    assert "1.200 | **slower** |" in _row(text, "pybind11", "add")
    assert _row(text, "pybind11", "scale.buffer", "1,000").endswith("| 0.800 |  |")
    assert _row(text, "cxx", "add").endswith("| 1.040 |  |")
    assert "1 slower, 0 faster, 2 the same" in text
    # Repeatability: pybind11 add (1.2) and scale.buffer (0.8) are beyond ±5 %, cxx's 1.04
    # is within; per side and in all.
    assert "python side 0/2 (0.0%), rust side 1/1 (100.0%), all 1/3 (33.3%)" in text
    counts = text.split("## Counts per call")[1]
    assert "1022 → 1034 (+12)" in counts  # instructions, exact
    assert "= 2 |" in counts  # allocations, unchanged
    assert "swig add: error → ok" in text


def test_agreement_counts_the_ratio_alone_and_gives_deciles() -> None:
    ratios = {"python": [1.0, 1.04, 0.96, 1.06], "rust": [0.94] + [1.0] * 5}
    [_, line] = compare.agreement(ratios)
    assert "python side 3/4 (75.0%), rust side 5/6 (83.3%), all 8/10 (80.0%)" in line
    want = "0.960, 1.000, 1.000, 1.000, 1.000, 1.000, 1.000, 1.040, 1.060."
    assert line.endswith("deciles of new/base: " + want)
    assert compare.agreement({}) == []


def test_compare_falls_back_to_the_iqr_without_a_ci() -> None:
    base, new = synthetic(), synthetic()
    for data in (base, new):
        for cell in data["cells"]:
            cell.pop("ci95_ns", None)
    _cell(new, "pybind11", "add").update(median_ns=200.0, quartiles_ns=[190.0, 210.0])
    text = compare.compare(base, new)
    assert "**slower**" in _row(text, "pybind11", "add")
    assert _row(text, "cxx", "add").endswith("| 1.000 |  |")
    assert "intervals (IQR)" in text


def test_compare_command_exits_0_and_matches_labels_of_merged_files(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.json", synthetic("machine-a"))
    b = _write(tmp_path / "b.json", synthetic("machine-b", median=200.0))
    assert main(["compare", str(a), str(b), "-o", str(tmp_path / "c.md")]) == 0
    assert "**slower**" in (tmp_path / "c.md").read_text()
    ab = merge.merge([("a", synthetic("machine-a")), ("b", synthetic("machine-b"))])
    text = compare.compare(ab, ab)
    assert "| label |" in text and "| machine-b | pybind11 | add |" in text


def test_crossovers_survive_a_merge_of_jobs_that_split_the_bridges() -> None:
    # CI runs bridge groups in separate jobs; only one job has the pure-Python reference.
    # The merged file's crossovers must be those of the whole run, not missing.
    fixture = Path(__file__).parent / "fixtures" / "report_results.json"
    whole = json.loads(fixture.read_text())
    with_ref = {"python", "pyo3"}

    def job(keep: set[str]) -> dict[str, Any]:
        cells = [c for c in whole["cells"] if c["bridge"] in keep or c["status"] == "n/a"]
        return dict(whole, cells=cells, models=merge.results.cost_models(cells))

    group_a, group_b = job(with_ref), job({"pybind11", "nanobind"})
    assert all(
        m.get("crossover_n") is None and m.get("faster_below_n") is None for m in group_b["models"]
    )  # alone, group b has no reference
    out = merge.merge([("a.json", group_a), ("b.json", group_b)], ["py3.11", "py3.11"])
    assert schema.validate(out) == []
    expected = {
        (m["bridge"], m["cell"]): (m.get("crossover_n"), m.get("faster_below_n"))
        for m in whole["models"]
        if m["bridge"] in with_ref | {"pybind11", "nanobind"}
    }
    got = {
        (m["bridge"], m["cell"]): (m.get("crossover_n"), m.get("faster_below_n"))
        for m in out["models"]
    }
    assert got == expected
    assert {m["label"] for m in out["models"]} == {"py3.11"}


def test_compare_says_when_the_files_come_from_different_cpus() -> None:
    base, new = synthetic("machine-a"), synthetic("machine-b")
    assert "different CPUs" not in compare.compare(base, new)
    new["environment"] = dict(new["environment"], cpu="Another CPU")
    text = compare.compare(base, new)
    assert "different CPUs" in text and "raw_median_ns" in text
