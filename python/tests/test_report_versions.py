"""The report's comparison across CPython versions (report/versions.py) and its price of
the stable ABI (report/stable_abi.py), on a merged file as `cargo xtask bench --python all`
writes it: one label per interpreter."""

from __future__ import annotations

from typing import Any

from bridgebench.report import stable_abi, versions
from bridgebench.report.view import View


def _source(label: str, python: str) -> dict[str, Any]:
    return {"label": label, "environment": {"python": python}, "mode": "quick", "created": "-"}


def _cell(label: str, bridge: str, cell: str, size: int | None, ns: float, instr: float) -> dict:
    return {
        "label": label,
        "side": "python",
        "bridge": bridge,
        "cell": cell,
        "size": size,
        "status": "ok",
        "median_ns": ns,
        "instructions_per_call": instr,
    }


def _merged() -> dict[str, Any]:
    return {
        "sources": [_source("py3.12", "3.12.1"), _source("py3.11", "3.11.7")],
        "cells": [
            _cell("py3.11", "pyo3", "add", None, 100.0, 400.0),
            _cell("py3.12", "pyo3", "add", None, 120.0, 500.0),
            _cell("py3.11", "pyo3", "scale.buffer", 1000, 1000.0, 3000.0),
            _cell("py3.12", "pyo3", "scale.buffer", 1000, 900.0, 3300.0),
            _cell("py3.11", "pyo3", "scale.buffer", 10, 50.0, 90.0),  # not the shown size
            _cell("py3.11", "boost-python", "add", None, 200.0, 800.0),  # not built on 3.12
        ],
    }


def test_versions_are_ordered_and_the_base_is_3_11() -> None:
    found = versions.versions(_merged())
    assert found is not None
    assert found.labels == ("py3.11", "py3.12") and found.base == "py3.11"


def test_a_file_of_one_interpreter_has_no_section() -> None:
    data = _merged()
    data["sources"] = [_source("a", "3.11.7"), _source("b", "3.11.7")]
    assert versions.versions(data) is None
    assert versions.section(View(data)) == ""


def test_each_cell_beside_the_same_bridge_on_the_base_version() -> None:
    view = View(_merged())
    found = versions.versions(view.data)
    assert found is not None
    head, rows = versions.rows(view, found)
    assert head[-2:] == ["ns py3.12 / py3.11", "instructions py3.12 / py3.11"]
    by = {(r[0], r[1]): r for r in rows}
    assert set(by) == {("pyo3", "add"), ("pyo3", "scale.buffer"), ("boost-python", "add")}
    assert by["pyo3", "add"][-2:] == ["1.20×", "1.25×"]
    assert by["pyo3", "scale.buffer"][-2:] == ["0.90×", "1.10×"]
    assert by["boost-python", "add"][-2:] == ["–", "–"]  # nothing to compare on 3.12


def test_the_plot_is_the_geometric_mean_of_instruction_ratios_per_bridge() -> None:
    view = View(_merged())
    found = versions.versions(view.data)
    assert found is not None
    (bar,) = versions.bars(view, found)
    assert bar.label == "pyo3 · py3.12"
    assert abs(bar.value - (1.25 * 1.10) ** 0.5) < 1e-12
    html = versions.section(view)
    assert 'id="versions"' in html and "<svg" in html
    assert "Across CPython versions" in versions.markdown(view)


def test_each_stable_abi_build_beside_its_sibling_per_interpreter() -> None:
    data = _merged()
    for rec in data["cells"]:
        rec["ratio"] = rec["median_ns"] / 50.0
    data["cells"] += [
        dict(_cell("py3.11", "pyo3-abi3", "add", None, 110.0, 396.0), ratio=2.2),
        dict(_cell("py3.12", "pyo3-abi3", "add", None, 120.0, 500.0), ratio=2.4),
        dict(_cell("py3.12", "pyo3-abi3", "holder.create", 1000, 9.0, 9.0), ratio=1.0),
    ]
    view = View(data)
    rows = stable_abi.rows(view)
    # pyo3-abi3's holder.create has no pyo3 record to stand beside: no row
    assert [(r[0], r[1]) for r in rows] == [
        ("pyo3 → pyo3-abi3 · py3.11", "add"),
        ("pyo3 → pyo3-abi3 · py3.12", "add"),
    ]
    assert rows[0][5:] == ["1.10×", "400", "396", "0.99×"]
    assert rows[1][5:] == ["1.00×", "500", "500", "1.00×"]
    assert 'id="stable-abi"' in stable_abi.section(view)
