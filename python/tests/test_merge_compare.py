"""`merge` keeps every source's environment and machine record and refuses ambiguous keys;
`compare` judges ratios to the floor, marking only changes beyond both the threshold and
the noise, shows the ns medians beside them, exact count diffs, and how repeatable the
ratios (and, for information, the ns medians) were."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_schema import machine, synthetic

from bridgebench import builds, comparison, schema
from bridgebench.__main__ import main
from bridgebench.commands import compare, merge


def _only(data: dict[str, Any], side: str) -> dict[str, Any]:
    """One job's file: the cells of one side (n/a rows of every bridge, as the bench writes)."""
    keep = [c for c in data["cells"] if c["side"] == side or c["status"] == "n/a"]
    return dict(data, cells=keep)


def test_two_machines_merge_with_their_environments_and_machine_records() -> None:
    a, b = synthetic("machine-a"), synthetic("machine-b", median=150.0)
    b["machine"] = machine("disturbed")
    out = merge.merge([("a.json", a), ("b.json", b)])
    assert schema.validate(out) == []
    assert [s["label"] for s in out["sources"]] == ["machine-a", "machine-b"]
    assert out["sources"][1]["environment"]["host"] == "machine-b"
    assert [s["machine"]["verdict"] for s in out["sources"]] == ["steady", "disturbed"]
    assert "machine" not in out  # each source's own, none for the whole
    assert len(out["cells"]) == len(a["cells"]) + len(b["cells"])
    from_b = [c for c in out["cells"] if c["label"] == "machine-b" and c["status"] == "ok"]
    assert all(out["sources"][c["source_index"]]["file"] == "b.json" for c in from_b)
    assert {c["median_ns"] for c in from_b if c["bridge"] == "pybind11"} == {150.0}
    again = merge.merge([("ab.json", out), ("c.json", synthetic("machine-c"))])
    assert [s["machine"]["verdict"] for s in again["sources"]] == ["steady", "disturbed", "steady"]


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


def _build(bridge: str, python: str, wall: float) -> dict[str, Any]:
    return {
        "bridge": bridge,
        "steps": ["pyo3"],
        "python": python,
        "clean_wall_s": wall,
        "clean_cpu_s": wall,
        "incremental_wall_s": 1.0,
        "incremental_cpu_s": 1.0,
        "touched": "crates/kernels/src/lib.rs",
        "ships": [{"file": "bb_pyo3.so", "role": "module", "bytes": 10, "stripped_bytes": 5}],
        "status": "ok",
    }


def test_each_interpreters_build_figures_survive_the_merge() -> None:
    """`bench --python all` builds every bridge once per interpreter: merge keeps each."""
    a, b = synthetic("x"), synthetic("x", median=120.0)
    a["builds"], b["builds"] = [_build("pyo3", "3.11.7", 30.0)], [_build("pyo3", "3.12.1", 32.0)]
    out = merge.merge([("a.json", a), ("b.json", b)], ["py3.11", "py3.12"])
    assert schema.validate(out) == []
    assert [(r["label"], r["python"], r["clean_wall_s"]) for r in out["builds"]] == [
        ("py3.11", "3.11.7", 30.0),
        ("py3.12", "3.12.1", 32.0),
    ]
    rows = builds.rows(out)
    assert rows is not None and [r[0] for r in rows] == ["pyo3 · py3.11", "pyo3 · py3.12"]


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


def test_compare_marks_a_ratio_change_only_beyond_threshold_and_noise() -> None:
    base, new = synthetic("machine-a"), synthetic("machine-b")
    # pybind11 add: 4x its floor, now 4.8x with the intervals apart: a change, though its
    # median in ns did not move.
    _cell(new, "pybind11", "add").update(ratio=4.8, ratio_ci95=[4.7, 4.9])
    # 20 % lower, but the new interval is wide and overlaps the base's: noise.
    _cell(new, "pybind11", "scale.buffer").update(ratio=1.6, ratio_ci95=[1.2, 1.97])
    # 4 % higher with the intervals apart: below the threshold.
    _cell(new, "cxx", "add").update(ratio=1.248, ratio_ci95=[1.23, 1.26])
    _cell(new, "pybind11", "scale.buffer")["instructions_per_call"] = 1034.0
    _cell(new, "swig", "add").update(status="ok", median_ns=5.0)
    del _cell(new, "swig", "add")["error"]
    text = compare.compare(base, new)
    assert "| 4.00× (3.92–4.08) | 4.80× (4.70–4.90) | 1.200 | **slower** | 100 ns | 100 ns |" in (
        _row(text, "pybind11", "add")
    )
    assert "| 0.800 |  |" in _row(text, "pybind11", "scale.buffer", "1,000")
    assert "| 1.040 |  |" in _row(text, "cxx", "add")
    # The floors' own rows are not judged on a ratio that is 1 by definition.
    assert "| 1 (floor) | 1 (floor) |  | floor (not compared) |" in _row(text, "cpython-api", "add")
    assert "3 timed cells compared on their ratio to the floor: 1 slower, 0 faster, 2 the same" in (
        text
    )
    assert "3 records of the floor itself (ratio 1 by definition) not compared" in text
    counts = text.split("## Counts per call")[1]
    assert "1022 → 1034 (+12)" in counts  # instructions, exact
    assert "= 2 |" in counts  # allocations, unchanged
    assert "swig add: error → ok" in text
    # A wider threshold leaves the 20 % change unmarked.
    assert "**slower**" not in compare.compare(base, new, threshold=0.25)


def test_compare_judges_ratios_not_the_medians_in_ns() -> None:
    # The new run's machine was twice as slow at everything, the floors included: every
    # median in ns doubled, every ratio stayed. Nothing changed that survives a machine.
    base, new = synthetic("machine-a"), synthetic("machine-a", median=200.0)
    _cell(new, "cxx", "add")["median_ns"] = 2.4
    _cell(new, "rust", "add")["median_ns"] = 2.0
    text = compare.compare(base, new)
    assert "0 slower, 0 faster, 3 the same" in text and "**slower**" not in text
    assert "| 100 ns | 200 ns |" in _row(text, "pybind11", "add")  # shown, as measured
    [ratios] = [line for line in text.splitlines() if line.startswith("Ratios to the floor")]
    assert "python side 2/2 (100.0%), rust side 1/1 (100.0%), all 3/3 (100.0%)" in ratios
    [medians] = [line for line in text.splitlines() if line.startswith("Medians in ns")]
    assert "informational" in medians
    assert "python side 0/4 (0.0%), rust side 0/2 (0.0%), all 0/6 (0.0%)" in medians


def _record(ratio: float, lo: float, hi: float, bridge: str = "pybind11") -> dict[str, Any]:
    return {
        "side": "python",
        "bridge": bridge,
        "cell": "add",
        "size": None,
        "status": "ok",
        "median_ns": 50.0,
        "ratio": ratio,
        "ratio_ci95": [lo, hi],
        "ratio_to": {"bridge": "cpython-api", "cell": "add"},
    }


def test_the_verdict_needs_the_threshold_and_apart_intervals() -> None:
    verdict, base = comparison.verdict, _record(2.0, 1.9, 2.1)
    assert verdict(base, _record(2.4, 2.3, 2.5)) == "slower"
    assert verdict(base, _record(1.6, 1.5, 1.7)) == "faster"
    assert verdict(base, _record(2.4, 2.05, 2.5)) == "same"  # intervals overlap: noise
    assert verdict(base, _record(2.08, 2.11, 2.2)) == "same"  # apart, but within 5 %
    assert verdict(base, _record(2.4, 2.3, 2.5), threshold=0.25) == "same"
    no_interval = _record(2.4, 0, 0)
    del no_interval["ratio_ci95"]
    assert verdict(base, no_interval) == "changed?"
    floor = _record(1.0, 1.0, 1.0, bridge="cpython-api")
    assert verdict(floor, dict(floor, median_ns=500.0)) == "floor"
    no_ratio = dict(base)
    del no_ratio["ratio"]
    assert verdict(base, no_ratio) == ""
    other_floor = dict(base, ratio_to={"bridge": "cpython-api", "cell": "summarize.objects"})
    assert verdict(base, dict(other_floor, ratio=3.0)) == ""  # not the same quotient


def test_agreement_counts_ratios_and_says_the_ns_medians_apart() -> None:
    ratios = {"python": [1.0, 1.04, 0.96, 1.06], "rust": [0.94] + [1.0] * 5}
    medians = {"python": [2.0, 2.0, 1.0, 1.0]}
    [_, ratio_line, _, ns_line] = comparison.agreement(ratios, medians)
    assert ratio_line.startswith("Ratios to the floor within ±5% of each other")
    assert "python side 3/4 (75.0%), rust side 5/6 (83.3%), all 8/10 (80.0%)" in ratio_line
    want = "0.960, 1.000, 1.000, 1.000, 1.000, 1.000, 1.000, 1.040, 1.060."
    assert ratio_line.endswith("deciles of new/base: " + want)
    assert ns_line.startswith("Medians in ns within ±5%")
    assert "python side 2/4 (50.0%), all 2/4 (50.0%)" in ns_line
    [_, wider, _, _] = comparison.agreement(ratios, medians, threshold=0.10)
    assert wider.startswith("Ratios to the floor within ±10%") and "all 10/10 (100.0%)" in wider
    assert comparison.agreement({}, {}) == []


def test_compare_shows_both_machines_first() -> None:
    base, new = synthetic("machine-a"), synthetic("machine-a")
    new["machine"] = machine("disturbed")
    lines = compare.compare(base, new).splitlines()
    assert lines[2].startswith("- base: Machine during the timing: steady (python: others")
    assert lines[3].startswith("- new: Machine during the timing: DISTURBED")
    assert "other processes kept 1.00 cores busy" in lines[3]
    assert any("A machine was disturbed during the timing" in line for line in lines)
    del base["machine"]
    assert "- base: Machine during the timing: not recorded" in compare.compare(base, new)


def test_compare_command_exits_0_and_matches_labels_of_merged_files(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.json", synthetic("machine-a"))
    b = _write(tmp_path / "b.json", synthetic("machine-b", median=200.0))
    out = tmp_path / "c.md"
    assert main(["compare", str(a), str(b), "-o", str(out), "--threshold", "0.1"]) == 0
    text = out.read_text()
    assert "0 slower, 0 faster, 3 the same within 10%" in text
    assert "Ratios to the floor within ±10% of each other" in text
    ab = merge.merge([("a", synthetic("machine-a")), ("b", synthetic("machine-b"))])
    text = compare.compare(ab, ab)
    assert "| label |" in text and "| machine-b | pybind11 | add |" in text
    assert "- base: machine-a: Machine during the timing: steady" in text
    assert "- new: machine-b: Machine during the timing: steady" in text


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


def test_compare_says_ns_from_different_cpus_do_not_compare() -> None:
    base, new = synthetic("machine-a"), synthetic("machine-b")
    assert "different CPUs" not in compare.compare(base, new)
    new["environment"] = dict(new["environment"], cpu="Another CPU")
    text = compare.compare(base, new)
    assert "These files come from different CPUs: their medians in ns" in text
    assert "do not compare; the ratios to the floor and the counts do." in text
    assert "nominal" not in text and "raw_median_ns" not in text
