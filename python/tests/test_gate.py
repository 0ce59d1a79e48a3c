"""The regression gate (bridgebench/gate.py, gate_counting.py, commands/gate.py;
docs/GATE.md): its rules on synthetic counts, the committed baseline, and end to end: the
same build counted twice gives the same counts and passes, and a deliberately regressed
build of one bridge fails naming that bridge."""

from __future__ import annotations

import importlib.machinery
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgebench import environment, gate, gate_counting, spec
from bridgebench.__main__ import main
from bridgebench.commands import gate as gate_command
from bridgebench.commands import gate_update
from bridgebench.harness import counts
from bridgebench.harness.count_figures import AllocFigures, InstructionFigures

KEY: gate.Key = ("pyo3", "scale.list", 1000)
COUNTS: gate.Counts = {
    "instructions_per_call": 100_000.0,
    "instructions_per_call_max": 100_000.0,
    "allocs_per_call": 903.0,
    "bytes_per_call": 37_648.0,
}
FP = {"python": "CPython 3.11.7", "machine": "x86_64"}


def _baseline(counts: dict[gate.Key, gate.Counts], fp: dict[str, str] = FP) -> gate.Baseline:
    return gate.Baseline(dict(fp), counts)


def _moved(**changes: float) -> gate.Baseline:
    if "instructions_per_call" in changes:  # the same in every layout, unless given
        changes.setdefault("instructions_per_call_max", changes["instructions_per_call"])
    return _baseline({KEY: {**COUNTS, **changes}})


# ---------------------------------------------------------------- the rules


def test_thresholds() -> None:
    i = "instructions_per_call"
    assert not gate.rose(i, 100_000, 102_000)  # exactly +2 %: allowed
    assert gate.rose(i, 100_000, 102_001)
    a = "allocs_per_call"
    assert not gate.rose(a, 903, 903.9)  # a cost paid on some calls only
    assert gate.rose(a, 903, 904)
    assert gate.rose(a, 0, 1)
    b = "bytes_per_call"
    assert not gate.rose(b, 37_648, 37_648 * 1.02)
    assert gate.rose(b, 37_648, 45_648)  # one more copy of 1000 float64
    assert not gate.rose(b, 32, 63)  # +97 % but under 64 bytes: a longer message, not a copy
    assert gate.rose(b, 0, 64)
    with pytest.raises(ValueError, match="no threshold"):
        gate.rose("frees_per_call", 1, 2)


def test_compare_lists_regressions_and_improvements() -> None:
    base = _baseline({KEY: COUNTS})
    assert not gate.compare(base, _moved(instructions_per_call=101_000)).failed

    verdict = gate.compare(base, _moved(allocs_per_call=904, bytes_per_call=45_648))
    assert verdict.failed
    assert [(c.key, c.metric) for c in verdict.regressions] == [
        (KEY, "allocs_per_call"),
        (KEY, "bytes_per_call"),
    ]
    better = gate.compare(base, _moved(instructions_per_call=90_000))
    assert not better.failed
    assert [c.metric for c in better.improvements] == ["instructions_per_call"]
    text = gate.report(better, "base.json", "UPDATE")
    assert text.startswith("gate passed") and "improved" in text and "UPDATE" in text


def test_instructions_compare_ranges_over_memory_layouts() -> None:
    # A cell whose count depends on the layout (protobuf's summarize.protobuf: 638k to
    # 956k): a new layout inside the range is no regression, even 40 % above the lowest.
    wide = _baseline({KEY: {**COUNTS, "instructions_per_call_max": 150_000.0}})
    verdict = gate.compare(wide, _moved(instructions_per_call=140_000))
    assert not verdict.failed and verdict.layout_sensitive == [KEY]
    # Even the lowest layout now above the highest before, by more than 2 %: a regression,
    # reported against the highest before.
    verdict = gate.compare(wide, _moved(instructions_per_call=153_001))
    assert [(c.metric, c.before, c.now) for c in verdict.regressions] == [
        ("instructions_per_call", 150_000.0, 153_001.0)
    ]
    # Better only when even the highest layout now is below the lowest before.
    partly = _moved(instructions_per_call=90_000, instructions_per_call_max=99_000)
    assert not gate.compare(wide, partly).improvements
    better = _moved(instructions_per_call=90_000, instructions_per_call_max=97_000)
    assert len(gate.compare(wide, better).improvements) == 1
    # A wide range, now or in the baseline, is named, so nobody reads it as exact.
    spread = _moved(instructions_per_call=100_000, instructions_per_call_max=104_000)
    assert gate.compare(_baseline({KEY: COUNTS}), spread).layout_sensitive == [KEY]
    assert gate.compare(wide, _moved()).layout_sensitive == [KEY]
    assert gate.compare(_baseline({KEY: COUNTS}), _moved()).layout_sensitive == []


def _range(counts: list[float]) -> gate.Counts:
    return {
        **COUNTS,
        "instructions_per_call": min(counts),
        "instructions_per_call_max": max(counts),
    }


def test_only_cells_past_a_threshold_are_counted_under_more_layouts() -> None:
    still, worse, better = KEY, ("pyo3", "add", None), ("pyo3", "checked_div", None)
    base = _baseline({k: COUNTS for k in (still, worse, better)})
    first = _baseline(
        {still: _range([101_000]), worse: _range([103_000]), better: _range([97_000])}
    )
    assert gate.unsettled(base, first) == [worse, better]
    # Counted under two more layouts, the range takes each count in.
    widened = gate.widened(first, {worse: [101_500, 104_000], better: [98_500]})
    assert widened.counts[worse] == _range([101_500, 103_000, 104_000])
    assert widened.counts[better] == _range([97_000, 98_500])
    assert widened.counts[still] == first.counts[still]
    verdict = gate.compare(base, widened)
    assert not verdict.regressions and not verdict.improvements


layout_counts = st.lists(st.integers(90_000, 110_000).map(float), min_size=3, max_size=3)


@given(before=layout_counts, now=st.dictionaries(st.sampled_from(["a", "b", "c"]), layout_counts))
def test_counting_unsettled_cells_only_gives_the_verdict_of_counting_all(
    before: list[float], now: dict[str, list[float]]
) -> None:
    """Every cell under the first layout and the unsettled ones under the rest: the same
    regressions and improvements as every cell under every layout."""
    keys = {name: ("pyo3", name, None) for name in now}
    base = _baseline({k: _range(before) for k in keys.values()})
    full = _baseline({keys[n]: _range(c) for n, c in now.items()})
    first = _baseline({keys[n]: _range(c[:1]) for n, c in now.items()})
    more = {k: now[k[1]][1:] for k in gate.unsettled(base, first)}
    settled = gate.compare(base, gate.widened(first, more))
    expected = gate.compare(base, full)
    assert settled.regressions == expected.regressions
    assert settled.improvements == expected.improvements


def test_counts_from_runs_keep_the_range_of_instructions() -> None:
    allocs = [
        AllocFigures(
            "add", None, [2, 4], 1.0, 0.0, 1.0, 8.0, 16, 0.5, 0.0, [0, 0], [0, 0], "ok", 2**20
        )
    ]
    layouts = [
        [InstructionFigures("add", None, [2, 4], [2 * n, 4 * n], n)] for n in (500, 498, 510)
    ]
    assert gate.from_runs("pyo3", allocs, layouts) == {
        ("pyo3", "add", None): {
            "allocs_per_call": 1.0,
            "bytes_per_call": 8.0,
            "instructions_per_call": 498.0,
            "instructions_per_call_max": 510.0,
        }
    }
    assert gate.spread({"instructions_per_call": 500.0, "instructions_per_call_max": 510.0}) == (
        pytest.approx(0.02)
    )
    assert gate_counting.layout_dirs(0) == []
    assert len({str(gate_counting.layout_dirs(k)) for k in range(gate.LAYOUTS)}) == gate.LAYOUTS


def test_compare_fails_when_the_selection_changed() -> None:
    other: gate.Key = ("cffi", "add", None)
    base = _baseline({KEY: COUNTS, other: COUNTS})
    gone = gate.compare(base, _baseline({KEY: COUNTS}))
    assert gone.failed and gone.unmeasured == [other]
    new = gate.compare(_baseline({KEY: COUNTS}), base)
    assert new.failed and new.unknown == [other]
    assert "UPDATE" in gate.report(new, "base.json", "UPDATE")
    # Restricted to the bridges measured now: the other bridge's cells are not asked for.
    assert not gate.compare(base, _baseline({KEY: COUNTS}), bridges=["pyo3"]).failed
    # Restricted to some cells (gate --cell): the others are not asked for either.
    cell_only = gate.compare(base, _baseline({other: COUNTS}), cells=["add"])
    assert not cell_only.failed and cell_only.unmeasured == []
    assert gate.compare(base, _baseline({other: COUNTS}), cells=[KEY[1]]).failed


def test_report_names_each_regressed_cell() -> None:
    verdict = gate.compare(_baseline({KEY: COUNTS}), _moved(allocs_per_call=904))
    text = gate.report(verdict, "ci/gate-baseline.json", "python -m bridgebench gate-update")
    assert "REGRESSED: 1 cell(s) of pyo3" in text
    assert "| pyo3 | scale.list | 1000 | allocs/call | 903 | 904 | +1 |" in text
    assert "python -m bridgebench gate-update" in text


def test_fingerprint_differences_are_named() -> None:
    verdict = gate.compare(_baseline({KEY: COUNTS}), _baseline({KEY: COUNTS}, {**FP, "x": "1"}))
    assert verdict.fingerprint == {"x": ("(absent)", "1")}
    message = gate_command.fingerprint_message(verdict.fingerprint, Path("b.json"))
    assert "another toolchain" in message and "x: baseline '(absent)', here '1'" in message


@pytest.mark.parametrize(("policy", "status"), [("fail", 2), ("warn", 0)])
def test_a_foreign_baseline_fails_unless_told_to_warn(
    policy: str,
    status: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Measured here with one fingerprint, compared with a baseline from another toolchain.
    path = tmp_path / "b.json"
    gate.save(path, [_baseline({KEY: COUNTS}, {**FP, "rustc": "rustc 1.0"})])
    monkeypatch.setattr(gate_command, "measure", lambda *_: _baseline({KEY: COUNTS}))
    argv = ["gate", "--baseline", str(path), "--bridge", "pyo3", f"--foreign-baseline={policy}"]
    assert main(argv) == status
    out = capsys.readouterr().out
    assert "another toolchain" in out and "rustc: baseline 'rustc 1.0'" in out
    assert ("NOT GATED" in out) == (policy == "warn")


def test_fingerprint_reads_the_environment() -> None:
    env = {
        "python": "3.11.7",
        "python_implementation": "CPython",
        "python_details": {"build": "main May 9", "compiler": "GCC 12.2.0"},
        "machine": "x86_64",
        "programs": {"valgrind": "valgrind-3.19.0"},
        "host": "ci-1234",  # not part of it: two containers of one image differ here
    }
    fp = gate.fingerprint(env)
    assert set(fp) == set(gate.FINGERPRINT_FIELDS)
    assert fp["python"] == "CPython 3.11.7" and fp["valgrind"] == "valgrind-3.19.0"
    assert "ci-1234" not in fp.values()


# ---------------------------------------------------------------- the file


def test_baseline_file_round_trips_one_cell_per_line(tmp_path: Path) -> None:
    counts = {KEY: COUNTS, ("cffi", "add", None): {**COUNTS, "allocs_per_call": 0.5}}
    path = tmp_path / "b.json"
    gate.save(path, [_baseline(counts)])
    assert gate.load(path) == [_baseline(counts)]
    lines = path.read_text().splitlines()
    cell_lines = [line for line in lines if '"bridge"' in line]
    assert len(cell_lines) == 2 and cell_lines[0].startswith('        {"bridge": "cffi"')
    assert gate.SCHEMA in lines[1]


def test_a_schema_1_file_reads_as_one_toolchain(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    row = '{"bridge": "pyo3", "cell": "scale.list", "size": 1000, ' + ", ".join(
        f'"{m}": {v}' for m, v in COUNTS.items()
    )
    fp = '{"python": "CPython 3.11.7", "machine": "x86_64"}'
    path.write_text(f'{{"schema": "{gate.SCHEMA_V1}", "fingerprint": {fp}, "cells": [{row}}}]}}')
    assert gate.load(path) == [_baseline({KEY: COUNTS})]


AMD = {**FP, "cpu": "AMD EPYC"}
INTEL = {**FP, "cpu": "Intel(R) Xeon(R) Processor"}


def test_the_gate_uses_this_toolchains_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One file, two toolchains: each machine is gated against its own counts only."""
    path = tmp_path / "b.json"
    cheaper = {**COUNTS, "allocs_per_call": 800.0}
    gate.save(path, [_baseline({KEY: cheaper}, AMD), _baseline({KEY: COUNTS}, INTEL)])
    argv = ["gate", "--baseline", str(path), "--bridge", "pyo3"]
    monkeypatch.setattr(gate_command, "measure", lambda *_: _baseline({KEY: COUNTS}, INTEL))
    assert main(argv) == 0
    monkeypatch.setattr(gate_command, "measure", lambda *_: _baseline({KEY: COUNTS}, AMD))
    assert main(argv) == 1  # 903 allocations where the AMD entry says 800
    monkeypatch.setattr(gate_command, "measure", lambda *_: _baseline({KEY: COUNTS}, FP))
    assert main(argv) == 2
    out = capsys.readouterr().out
    assert "no entry for this toolchain (it holds 2" in out and "cpu: baseline" in out


def test_gate_update_writes_only_this_toolchains_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.json"
    amd = _baseline({KEY: COUNTS}, AMD)
    gate.save(path, [amd])
    moved = _baseline({KEY: {**COUNTS, "allocs_per_call": 904.0}}, INTEL)
    monkeypatch.setattr(gate_update, "measure", lambda *_, **__: moved)
    # A partial update needs this toolchain's entry to keep the other bridges' cells.
    assert main(["gate-update", "--baseline", str(path), "--bridge", "pyo3"]) == 2
    assert main(["gate-update", "--baseline", str(path)]) == 0
    assert sorted(gate.load(path), key=lambda b: b.fingerprint["cpu"]) == [amd, moved]
    again = _baseline({KEY: COUNTS}, INTEL)
    monkeypatch.setattr(gate_update, "measure", lambda *_, **__: again)
    assert main(["gate-update", "--baseline", str(path), "--bridge", "pyo3"]) == 0
    assert sorted(gate.load(path), key=lambda b: b.fingerprint["cpu"]) == [amd, again]


def test_gate_update_of_one_side_keeps_the_other_sides_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--side python: a new entry holds the Python side alone (another interpreter's venv);
    an existing entry keeps its Rust-side cells."""
    path = tmp_path / "b.json"
    rust_key: gate.Key = ("cxx", "scale.list", 1000)
    monkeypatch.setattr(gate_update, "measure", lambda *_, **__: _baseline({KEY: COUNTS}))
    assert main(["gate-update", "--baseline", str(path), "--side", "python"]) == 0
    assert gate.load(path) == [_baseline({KEY: COUNTS})]
    both = _baseline({KEY: COUNTS, rust_key: COUNTS})
    gate.save(path, [both])
    moved = {**COUNTS, "allocs_per_call": 904.0}
    monkeypatch.setattr(gate_update, "measure", lambda *_, **__: _baseline({KEY: moved}))
    assert main(["gate-update", "--baseline", str(path), "--side", "python"]) == 0
    assert gate.load(path) == [_baseline({KEY: moved, rust_key: COUNTS})]


def test_one_side_is_chosen_and_the_other_sides_names_refused() -> None:
    python_side = gate_counting.selected_bridges(None, "python")
    assert python_side and {b.side for b in python_side} == {"python"}
    assert {b.side for b in gate_counting.selected_bridges(None, "rust")} == {"rust"}
    with pytest.raises(ValueError, match=r"not python-side bridges of .*: cxx"):
        gate_counting.selected_bridges(["pyo3", "cxx"], "python")


def test_bad_baselines_name_the_file_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    with pytest.raises(gate.GateError, match=r"b\.json: cannot read.*gate-update"):
        gate.load(path)
    path.write_text('{"schema": "other/1"}')
    with pytest.raises(gate.GateError, match=r"b\.json: schema is 'other/1'.*gate-update"):
        gate.load(path)
    entry = '{"fingerprint": {}, "cells": [{}]}'
    path.write_text(f'{{"schema": "{gate.SCHEMA}", "toolchains": [{entry}]}}')
    with pytest.raises(gate.GateError, match=r"cell #0 is malformed"):
        gate.load(path)
    entry = '{"fingerprint": {}, "cells": []}'
    path.write_text(f'{{"schema": "{gate.SCHEMA}", "toolchains": [{entry}, {entry}]}}')
    with pytest.raises(gate.GateError, match=r"two entries for one toolchain"):
        gate.load(path)


def test_a_bridge_not_built_here_is_left_out_and_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """[bridge.python]: the running interpreter has no module of it to count."""
    monkeypatch.setattr(
        spec.Bridge, "built_for", lambda self, version=None: self.name != "nanobind"
    )
    monkeypatch.setattr(
        spec.Bridge,
        "not_built_reason",
        lambda self, version=None: None if self.name != "nanobind" else "not built: a test",
    )
    every = [b.name for b in gate_counting.selected_bridges(None)]
    assert "nanobind" not in every and "pybind11" in every and "rust" in every
    with pytest.raises(ValueError, match="nanobind: not built: a test"):
        gate_counting.selected_bridges(["pybind11", "nanobind"])


def test_committed_baseline_covers_the_gate_selection() -> None:
    """Every cell at the gate's sizes is in every toolchain's entry of
    ci/gate-baseline.json, and nothing else: a bridge or cell added without updating the
    baseline fails here, fast. An entry for the project venv's interpreter holds both
    sides; another interpreter's (`cargo xtask gate --python X.Y`) the Python side alone."""
    baselines = gate.load(gate_command.DEFAULT_BASELINE)
    assert baselines
    for baseline in baselines:
        # A toolchain's interpreter counts only the Python-side bridges built for it.
        found = re.search(r"(\d+)\.(\d+)", baseline.fingerprint["python"])
        assert found, baseline.fingerprint["python"]
        version = (int(found[1]), int(found[2]))
        sides = {"python", "rust"} if version == sys.version_info[:2] else {"python"}
        want = set()
        for bridge in spec.bridges():
            if bridge.side not in sides:
                continue
            if bridge.side == "python" and not bridge.built_for(version):
                continue
            for name in bridge.cells:
                scalar = not spec.cells()[name].sized
                for size in [None] if scalar else counts.QUICK_SIZES:
                    want.add((bridge.name, name, size))
        cpu = baseline.fingerprint.get("cpu")
        assert set(baseline.counts) == want, f"{cpu}: run `python -m bridgebench gate-update`"
        assert set(baseline.fingerprint) == set(gate.FINGERPRINT_FIELDS)


# ---------------------------------------------------------------- end to end

PYTHON_DIR = spec.ROOT / "python"
# Two bridges built differently (PyO3 through maturin, cffi over a C ABI library), one of
# them with a layout-sensitive cell (pyo3 scale.buffer): about 40 s of counting per
# bridge and run, where every bridge would take about 7 minutes.
BRIDGES = ("pyo3", "cffi")
# The end-to-end tests count these cells (the two the regressed build alters, and a scalar
# call, a native object and a keyword call it leaves alone); counting all of them is the
# final gate step's job.
CELLS = ("add", "checked_div", "scale.buffer", "holder.create", "counter.kwargs")
CELL_ARGS = [arg for c in CELLS for arg in ("--cell", c)]
# The Rust side's: extern-c's regressed build copies once more in scale.buffer; cxx, built
# normally, shares the C++ kernel.
RUST_BRIDGES = ("extern-c", "cxx")
RUST_CELLS = ("add", "scale.buffer", "holder.create")


def _gate(*args: str, cwd: Path, root: Path = spec.ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m bridgebench gate ...` as CI runs it, from `cwd`, with the bridgebench
    package of the tree at `root`."""
    return subprocess.run(
        [sys.executable, "-m", "bridgebench", "gate", *args],
        cwd=cwd,
        env=dict(spec.child_env(), PYTHONPATH=str(root / "python")),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def _tree_at_another_path(dest: Path) -> Path:
    """What a clone at another path has, for counting: the Python tree (with the built
    cffi module), the registry and kernels, the built libraries the count child loads."""
    ignore = shutil.ignore_patterns("__pycache__", ".*_cache")
    shutil.copytree(spec.ROOT / "python", dest / "python", ignore=ignore)
    shutil.copytree(spec.ROOT / "benches", dest / "benches", ignore=ignore)
    for name in ("Cargo.toml", "Cargo.lock"):
        shutil.copy(spec.ROOT / name, dest / name)
    (dest / "target" / "release").mkdir(parents=True)
    for lib in ("libmeasure_hooks.so", "libc_abi.so"):
        (dest / "target" / "release" / lib).symlink_to(spec.ROOT / "target" / "release" / lib)
    return dest


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline the end-to-end tests gate against: the committed one when it has an
    entry for this toolchain (CI's machines), else the normal build's counts measured
    here first, so the tests check the same things on any machine."""
    committed = gate_command.DEFAULT_BASELINE
    here = gate.fingerprint(environment.describe())
    if gate.for_toolchain(gate.load(committed), here) is not None:
        return committed
    out = tmp_path_factory.mktemp("reference") / "baseline.json"
    selection = [arg for b in (*BRIDGES, *RUST_BRIDGES) for arg in ("--bridge", b)]
    run = _gate(*selection, "--save", str(out), cwd=spec.ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_gate_counts_are_reproducible_at_another_path(tmp_path: Path) -> None:
    """The same tree counted twice, the second time from a copy at another path (a fresh
    CI clone): identical allocations, and instruction ranges that pass the gate against
    the first run. (That the normal build passes the committed baseline is the final
    step of `cargo xtask test`, over every bridge.) Identical instruction counts are not
    asserted: two runs of one tree in CI's container once differed by 15 and 30
    instructions per call in the highest layout of two cells."""
    # One memory layout: the runs differ in where the tree is, not in the layouts.
    selection = ["--bridge", "pyo3", *CELL_ARGS, "--layouts", "1"]
    first = tmp_path / "counts-first.json"
    run = _gate(*selection, "--save", str(first), cwd=spec.ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    [counted] = gate.load(first)
    assert {k[0] for k in counted.counts} == {"pyo3"}
    assert {k[1] for k in counted.counts} == set(CELLS)

    clone = _tree_at_another_path(tmp_path / "elsewhere" / "bridgebench")
    again = tmp_path / "counts-again.json"
    run = _gate(*selection, "--baseline", str(first), "--save", str(again), cwd=clone, root=clone)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "gate passed" in run.stdout
    [moved] = gate.load(again)
    assert moved.counts.keys() == counted.counts.keys()
    for key, cell_counts in moved.counts.items():
        for metric in ("allocs_per_call", "bytes_per_call"):
            assert cell_counts[metric] == counted.counts[key][metric], (key, metric)


def test_rust_side_counts_are_identical_across_runs(tmp_path: Path) -> None:
    """Every Rust-side row counted twice: identical instructions, allocations and bytes
    (no interpreter heap in the way, but pyo3-embed's)."""
    rust_side = [b.name for b in spec.bridges() if b.side == "rust"]
    selection = [arg for b in rust_side for arg in ("--bridge", b)]
    saved = []
    for name in ("first", "again"):
        out = tmp_path / f"{name}.json"
        run = _gate(*selection, "--layouts", "1", "--save", str(out), cwd=spec.ROOT)
        assert run.returncode == 0, run.stdout + run.stderr
        [counted] = gate.load(out)
        saved.append(counted.counts)
    assert {key[0] for key in saved[0]} == set(rust_side)
    assert saved[0] == saved[1]


def _cargo_build(*args: str) -> None:
    """`cargo build --release --locked ARGS` from the tree, with the venv's interpreter for
    PyO3 as `cargo xtask build` has; fails the test with cargo's error."""
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.fail("cargo is not on PATH: this test builds a bridge (rustup.rs)")
    build = subprocess.run(
        [cargo, "build", "--release", "--locked", *args],
        cwd=spec.ROOT,
        env=dict(os.environ, PYO3_PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]


def _regressed_count_binary() -> Path:
    """The count binary over a Rust-side table whose extern-c row copies once more in
    scale.buffer (the test-only crates crates/test-rust-regressed and
    test-extern-c-regressed), as target/release/rust-counts-regressed: beside the real
    count binary, sharing its build (the same interpreter for PyO3 as `cargo xtask build`)."""
    _cargo_build("--package", "test-rust-regressed")
    return spec.ROOT / "target" / "release" / "rust-counts-regressed"


def test_gate_fails_a_regressed_rust_side_build_and_names_the_bridge(reference: Path) -> None:
    binary = _regressed_count_binary()
    selection = [arg for b in RUST_BRIDGES for arg in ("--bridge", b)]
    selection += [arg for c in RUST_CELLS for arg in ("--cell", c)]
    run = _gate(
        *selection, "--baseline", str(reference), "--count-binary", str(binary), cwd=spec.ROOT
    )
    assert run.returncode == 1, run.stdout + run.stderr
    failing = _table_rows(run.stdout, "REGRESSED")
    assert {row[0] for row in failing} == {"extern-c"}, run.stdout
    # One more block of the payload's 8000 bytes per call, in that cell only.
    allocs = {(row[1], row[3]) for row in failing if row[3] != "instructions/call"}
    assert allocs == {("scale.buffer", "allocs/call"), ("scale.buffer", "bytes/call")}, run.stdout


def _regressed_module(tmp_path: Path) -> Path:
    """The pyo3 bridge's source built by the test-only crate crates/test-pyo3-regressed (an
    extra allocation in `add`, an extra copy in `scale_buffer`), as `bb_pyo3` in a folder of
    its own that shadows the installed module. Built in the tree's target folder, beside
    the real bridge (a library of its own name; the real one is untouched), so it shares
    the dependencies maturin built: 19 s instead of a minute for a folder of its own."""
    _cargo_build(
        "--package",
        "test-pyo3-regressed",
        # as maturin builds it: the interpreter's symbols come from the one that loads it
        "--features",
        "pyo3/extension-module",
    )
    folder = tmp_path / "regressed"
    folder.mkdir()
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    built = spec.ROOT / "target" / "release" / "libbb_pyo3_regressed.so"
    shutil.copy(built, folder / f"bb_pyo3{suffix}")
    return folder


def _table_rows(text: str, heading: str) -> list[list[str]]:
    """The cells of the Markdown table after the line starting with `heading`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows = []
    for line in lines[start + 4 :]:  # after heading, blank line, table head, separator
        if not line.startswith("| "):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_gate_fails_a_regressed_build_and_names_the_bridge(tmp_path: Path, reference: Path) -> None:
    module_dir = _regressed_module(tmp_path)
    # cffi too, built normally: the gate must name the regressed bridge and only it.
    selection = ("--bridge", "pyo3", "--bridge", "cffi", *CELL_ARGS, "--baseline", str(reference))
    run = _gate(*selection, "--module-dir", str(module_dir), cwd=spec.ROOT)
    assert run.returncode == 1, run.stdout + run.stderr
    failing = _table_rows(run.stdout, "REGRESSED")
    assert {row[0] for row in failing} == {"pyo3"}, run.stdout
    # Allocation counts are exact and layout-proof: exactly the two altered cells moved, and
    # every other cell of the same source (scale.list, scale.inplace, ...) did not.
    allocs = {(row[1], row[3]) for row in failing if row[3] != "instructions/call"}
    assert allocs == {
        ("add", "allocs/call"),
        ("scale.buffer", "allocs/call"),
        ("scale.buffer", "bytes/call"),
    }, run.stdout
    assert "REGRESSED" in run.stdout and "gate-update" in run.stdout
    # The failing cells were counted under every memory layout before being called regressed.
    assert f"counting their bridges under {gate.LAYOUTS - 1} more" in run.stderr, run.stderr


def test_gate_that_cannot_measure_names_the_bridge(tmp_path: Path) -> None:
    """A bridge module that does not import: exit 2, naming the bridge and what to do."""
    (tmp_path / "bb_pyo3.py").write_text('raise ImportError("deliberately broken")\n')
    run = _gate("--bridge", "pyo3", "--module-dir", str(tmp_path), cwd=spec.ROOT)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "bridge pyo3" in run.stderr and "deliberately broken" in run.stderr
    assert "cargo xtask build" in run.stderr


def test_gate_refuses_fewer_than_one_layout() -> None:
    run = _gate("--bridge", "pyo3", "--layouts", "0", cwd=spec.ROOT)
    assert run.returncode == 2 and "--layouts 0" in run.stderr, run.stdout + run.stderr
