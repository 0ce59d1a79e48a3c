"""`build-figures` (what each bridge costs to build and ship) in pieces: sizes, the ldd
filter, the registry's [bridge.alone] declarations, folding into results.json and the
report's table. One real measurement, of the smallest build (ctypes: the C ABI cdylib,
from an empty target folder, a few seconds)."""

from __future__ import annotations

import argparse
import copy
import json
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from bridgebench import builds, report, results, schema, spec
from bridgebench.__main__ import main
from bridgebench.commands import bench, build_figures

FIXTURE = Path(__file__).parent / "fixtures" / "report_results.json"

# `ldd bb_boost_python.cpython-311-x86_64-linux-gnu.so` on this project's VM (2026-12-07).
LDD_BOOST = """\
\tlinux-vdso.so.1 (0x00007f087c53a000)
\tlibboost_python311.so.1.74.0 => /lib/x86_64-linux-gnu/libboost_python311.so.1.74.0 \
(0x00007f087c4c0000)
\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f087c200000)
\tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f087c4a0000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f087c01e000)
\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f087bf3e000)
\tlibpython3.11.so.1.0 => /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 (0x00007f0000000000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f087c53c000)
"""
# `ldd _bb_cffi.cpython-311-x86_64-linux-gnu.so`: the C ABI cdylib, by its RPATH.
LDD_CFFI = """\
\tlinux-vdso.so.1 (0x00007fb772b7e000)
\tlibc_abi.so => /work/main/target/release/libc_abi.so (0x00007fb772b1c000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fb772931000)
\tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007fb772911000)
\tlibmissing.so.2 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007fb772b80000)
"""


def test_native_dependencies_keep_only_what_is_outside_the_base_system() -> None:
    assert build_figures.native_dependencies(LDD_BOOST) == [
        Path("/lib/x86_64-linux-gnu/libboost_python311.so.1.74.0")
    ]
    assert build_figures.native_dependencies(LDD_CFFI) == [
        Path("/work/main/target/release/libc_abi.so")
    ]


def test_sizes_strip_a_copy_and_leave_the_file_alone() -> None:
    # A real small extension module of the venv: the cffi backend.
    path = next(Path(sysconfig.get_paths()["platlib"]).glob("_cffi_backend*.so"))
    before = path.read_bytes()
    size, stripped = build_figures.sizes(path)
    assert size == len(before) and 0 < stripped <= size
    assert path.read_bytes() == before


def test_every_python_bridge_with_a_build_step_says_how_to_build_it_alone() -> None:
    entries = build_figures.alone_entries()
    # Every one, built for this interpreter or not ([bridge.python]): the registry says how.
    with_build = {b.name for b in spec.bridges() if b.side == "python" and b.build}
    assert set(entries) == with_build and "python" not in entries
    steps = spec.build_steps()
    for name, alone in entries.items():
        assert alone.get("commands"), f"{name}: [bridge.alone] has no commands"
        assert alone["steps"] and set(alone["steps"]) <= set(steps), name
        # The bridge's own step is measured, or the entry says why it builds more.
        assert spec.bridge(name).build in alone["steps"], name
        if alone["steps"] != [spec.bridge(name).build]:
            assert alone.get("note"), f"{name}: builds more than its step, with no note"
        assert (spec.ROOT / alone["touch"]).is_file(), name
        assert alone.get("modules") or alone.get("loads"), f"{name}: ships nothing"
        for argv in alone["commands"]:
            text = " ".join(argv)
            # Never the tree's build folders: wheels and scratch folders only.
            assert "develop" not in argv and " install" not in text, name
            assert "target/" not in text.replace("{scratch}/target", ""), name


def _record(bridge: str = "boost-python") -> dict[str, Any]:
    return {
        "bridge": bridge,
        "steps": ["cpp-bindings"],
        "python": "3.11.7",
        "clean_wall_s": 61.2,
        "clean_cpu_s": 70.4,
        "incremental_wall_s": 9.5,
        "incremental_cpu_s": 9.1,
        "touched": "cpp/kernels/src/kernels.cpp",
        "note": None,
        "ships": [
            {"file": "bb_boost_python.so", "role": "module", "bytes": 900, "stripped_bytes": 500},
            {
                "file": "libboost_python311.so.1.74.0",
                "role": "native dependency",
                "bytes": 400,
                "stripped_bytes": 300,
            },
        ],
        "status": "ok",
        "reason": None,
    }


def _failed() -> dict[str, Any]:
    rec = _record("cffi")
    rec.update(
        clean_wall_s=None,
        clean_cpu_s=None,
        incremental_wall_s=None,
        incremental_cpu_s=None,
        ships=[],
        status="failed",
        reason="`cargo build` exited 101",
    )
    return rec


def test_builds_fold_into_a_valid_results_file() -> None:
    data = json.loads(FIXTURE.read_text())
    data["builds"] = [_record(), _failed()]
    assert schema.validate(data) == []
    bad = copy.deepcopy(data)
    bad["builds"][0]["ships"][0]["role"] = "extra"
    assert any("builds[0].ships[0].role" in e for e in schema.validate(bad))
    bad = copy.deepcopy(data)
    del bad["builds"][0]["python"]
    assert any("builds[0]" in e and "python" in e for e in schema.validate(bad))


def test_the_table_in_results_md_and_the_report_or_not_measured(tmp_path: Path) -> None:
    data = json.loads(FIXTURE.read_text())
    assert "builds" not in data
    md = results.markdown(data)
    html_path, _ = report.render(data, tmp_path / "without")
    assert "## What it costs to build" in md and "Not measured: this results file" in md
    assert 'id="builds"' in html_path.read_text()
    assert "Not measured: this results file" in html_path.read_text()
    data["builds"] = [_record(), _failed()]
    md = results.markdown(data)
    table = md.split("## What it costs to build")[1]
    row = next(line for line in table.splitlines() if line.startswith("| boost-python"))
    assert "| 61.2 | 70.4 | 9.5 | 9.1 | 500 / 900 |" in row
    assert "libboost_python311.so.1.74.0 300 / 400" in row
    assert "failed: `cargo build` exited 101" in md
    html = report.render(data, tmp_path / "with")[0].read_text()
    assert "builds-table" in html and "libboost_python311.so.1.74.0 300 / 400" in html
    assert builds.rows({"builds": []}) == []


def test_bench_takes_a_builds_file(tmp_path: Path) -> None:
    # The flag exists and names its file; what it folds is checked above (the schema).
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    args = parser.parse_args(["--builds", str(tmp_path / "b.json")])
    assert args.builds == tmp_path / "b.json"


def test_ctypes_measured_for_real_from_an_empty_target_folder(tmp_path: Path) -> None:
    out = tmp_path / "builds.json"
    lib = spec.ROOT / "crates/kernels/src/lib.rs"
    mtime = lib.stat().st_mtime_ns
    assert main(["build-figures", "--out", str(out), "--bridge", "ctypes"]) == 0
    assert lib.stat().st_mtime_ns == mtime  # the touch is undone
    (rec,) = json.loads(out.read_text())
    assert rec["status"] == "ok" and rec["bridge"] == "ctypes" and rec["steps"] == ["c-abi"]
    assert rec["python"] == ".".join(map(str, sys.version_info[:3]))
    assert rec["clean_wall_s"] > 0 and rec["clean_cpu_s"] > 0
    assert rec["incremental_wall_s"] > 0
    (lib_abi,) = rec["ships"]
    assert lib_abi["file"] == "libc_abi.so" and lib_abi["role"] == "native dependency"
    assert 0 < lib_abi["stripped_bytes"] <= lib_abi["bytes"]
    data = json.loads(FIXTURE.read_text())
    data["builds"] = [rec]
    assert schema.validate(data) == []


def test_unknown_bridges_are_refused(tmp_path: Path) -> None:
    assert main(["build-figures", "--out", str(tmp_path / "x.json"), "--bridge", "python"]) == 2


def test_a_bridge_not_built_for_this_interpreter_is_skipped_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """[bridge.python]: no module to build here (its build skips it), so no record; the
    run says why instead of recording a failed build."""
    reason = "not built for CPython 9.9: a test's reason"
    monkeypatch.setattr(
        spec.Bridge,
        "not_built_reason",
        lambda self, version=None: reason if self.name == "ctypes" else None,
    )
    out = tmp_path / "builds.json"
    assert main(["build-figures", "--out", str(out), "--bridge", "ctypes"]) == 0
    assert json.loads(out.read_text()) == []
    assert f"build-figures: ctypes: {reason}" in capsys.readouterr().out
