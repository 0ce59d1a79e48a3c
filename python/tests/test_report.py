"""The report (bridgebench.report) rendered from a real, trimmed results file
(tests/fixtures/report_results.json; make_report_fixture.py says how it was made)."""

from __future__ import annotations

import copy
import json
import math
import re
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bridgebench import outcome_matrix, report, results, schema, spec, steadiness
from bridgebench.__main__ import main
from bridgebench.badinput import BadInput
from bridgebench.commands import merge
from bridgebench.outcomes import Outcome
from bridgebench.report import svg

FIXTURE = Path(__file__).parent / "fixtures" / "report_results.json"
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.S)


def _xml(text: str) -> ET.Element:
    """Parse an SVG the report wrote (trusted: our own output), raising if malformed."""
    return ET.fromstring(text)  # noqa: S314


def _data() -> dict[str, Any]:
    return dict(json.loads(FIXTURE.read_text()))


class _Page(HTMLParser):
    """Section ids, every URL-bearing attribute, and whether the markup nests properly."""

    VOID: ClassVar[set[str]] = {
        "meta",
        "br",
        "img",
        "input",
        "link",
        "hr",
        "circle",
        "line",
        "path",
        "rect",
    }

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.urls: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name in ("src", "href", "xlink:href", "action") and value is not None:
                self.urls.append(value)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("report")
    html_path, md_path = report.render(_data(), folder)
    return html_path.read_text(), md_path.read_text()


def test_the_fixture_is_a_valid_results_file_with_outcomes() -> None:
    data = _data()
    assert schema.validate(data) == []
    assert {o["bridge"] for o in data["outcomes"]} >= {"ctypes", "nanobind"}


def test_every_kernel_has_its_sections(rendered: tuple[str, str]) -> None:
    html, _ = rendered
    page = _parse(html)
    assert page.errors == [], page.errors[:5]
    for kernel in spec.kernels():
        assert f"kernel-{kernel}" in page.ids, f"no section for kernel {kernel}"
    for cell in spec.cells():
        assert f"cell-{cell}" in page.ids, f"no block for cell {cell}"
    for anchor in ("per-cell", "glance", "not-measured", "environment"):
        assert anchor in page.ids
    # sequence cells have a sweep chart, a cost model and counts; outcomes have a matrix
    for title in ("scale.buffer: ns per call against n", "summarize.columns: ns per call at"):
        assert title in html
    assert "Cost model t(n)" in html and "Counts per call at n = 1,000" in html
    assert '<th class="num">× floor (time)</th>' in html  # the counts beside the ratio
    assert "Bad input: what each bridge does" in html
    assert "crash▪" in html, "nanobind's declared crash is not in the matrix"
    assert "wrong▪" in html, "ctypes's declared wrong answers are not in the matrix"
    env = _data()["environment"]
    assert env["git_commit"] in html and env["cpu"] in html


def test_every_svg_is_well_formed_xml_with_marks(rendered: tuple[str, str]) -> None:
    html, _ = rendered
    plots = SVG_RE.findall(html)
    assert len(plots) >= 20
    for text in plots:
        root = _xml(text)
        marks = [e for e in root.iter() if "mark" in (e.get("class") or "").split()]
        assert marks, f"an SVG without drawn marks: {text[:200]}"


def test_no_external_resource(rendered: tuple[str, str]) -> None:
    html, _ = rendered
    page = _parse(html)
    bad = [u for u in page.urls if not (u.startswith("#") or u.startswith("data:"))]
    assert bad == [], f"links to outside the file: {bad[:5]}"
    # the SVG namespace is an identifier, not a fetch; nothing else may name a scheme
    text = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http:" not in text and "https:" not in text and "//cdn" not in text
    assert "<script" not in html and "<link" not in html and "@import" not in html


def test_every_na_cell_shows_its_reason(rendered: tuple[str, str]) -> None:
    html, _ = rendered
    for cell in _data()["cells"]:
        if cell["status"] == "n/a":
            assert report.fmt.esc(cell["reason"]) in html, cell


def _flagged() -> dict[str, Any]:
    """A Python-side record of add with a flag: the fixture must have one, or the tests
    of how flags show would test nothing (remake it from a run that has one)."""
    flagged = [
        c
        for c in _data()["cells"]
        if c.get("flags") and c["side"] == "python" and c["status"] == "ok"
    ]
    assert flagged, "the fixture has no flagged Python-side record"
    return flagged[0]


def test_flagged_cells_are_marked(rendered: tuple[str, str]) -> None:
    html, _ = rendered
    assert f"† {', '.join(_flagged()['flags'])}" in html


def _record(bridge: str, cell: str) -> dict[str, Any]:
    return next(c for c in _data()["cells"] if c["bridge"] == bridge and c["cell"] == cell)


def _text(html: str) -> str:
    """The text of some HTML: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def _card(html: str, cell: str) -> str:
    start = html.index(f'<div class="card"><h3><a href="#cell-{cell}">')
    return html[start : html.index('<div class="card">', start + 1)]


def _rows(table: str) -> list[list[str]]:
    """The text of each cell of each body row of an HTML table."""
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [_text(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    ]


def test_the_steadiness_line_then_the_per_cell_ranking_lead(rendered: tuple[str, str]) -> None:
    html, _ = rendered
    # Right under the title: how steady the machine was (the fixture's run was steady).
    header = html[html.index("<h1>") : html.index("</header>")]
    assert header.startswith(
        '<h1>bridgebench report</h1><p class="machine">Machine during the timing: steady ('
    )
    # The first section ranks every cell's bridges, before "At a glance".
    assert re.findall(r'<section id="([^"]+)"', html)[:2] == ["per-cell", "glance"]
    section = html[html.index('<section id="per-cell">') : html.index('<section id="glance">')]
    timed = {c["cell"] for c in _data()["cells"] if c["status"] == "ok"}
    for cell in timed:
        assert f'<a href="#cell-{cell}">' in section, f"no ranking for {cell}"
    # add, Python side: ranked by median ns, each with its CI and its ratio to the floor.
    python_table = _card(section, "add").split("<table")[1]
    rows = _rows(python_table)
    want = sorted(
        (c for c in _data()["cells"] if c["cell"] == "add" and c["side"] == "python"),
        key=lambda c: c["median_ns"],
    )
    assert [r[1] for r in rows] == [c["bridge"] for c in want]
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(want) + 1)]
    by_bridge = {r[1]: r for r in rows}
    assert by_bridge["cpython-api"][3] == "1 (floor)"
    for rec in want:  # e.g. 71.2 ns (67.7-76.4), 3.25x (2.45-3.27)
        flag = " †" if rec["flags"] else ""
        assert by_bridge[rec["bridge"]][2:] == [
            results.ns_ci_text(rec) + flag,
            results.ratio_text(rec),
        ], rec["bridge"]
        assert "(" in by_bridge[rec["bridge"]][2], "an interval beside every median"


def test_at_a_glance_colours_and_sorts_by_the_ratio_to_the_floor(
    rendered: tuple[str, str],
) -> None:
    html, _ = rendered
    glance = html[html.index('<section id="glance">') :]
    glance = glance[: glance.index("</section>")]
    assert "Python side: × the floor (cpython-api), geometric mean" in glance
    python_table = glance.split("<table")[1]
    names = [row[0] for row in _rows(python_table)]
    # Expected: every Python-side bridge by the geometric mean of its `ratio` over the
    # cells shown (each at n = 1000 or unsized).
    logs: dict[str, list[float]] = {}
    for c in _data()["cells"]:
        if c["side"] == "python" and c["status"] == "ok" and c["size"] in (None, 1000):
            logs.setdefault(c["bridge"], []).append(math.log(c["ratio"]))
    want = sorted(logs, key=lambda b: sum(logs[b]) / len(logs[b]))
    assert names == want
    floor = spec.floor("python").name
    assert _rows(python_table)[0][1] == f"1.00 ({len(logs[floor])})"  # the floor itself
    flagged = _flagged()
    if flagged["size"] in (None, 1000) and not results.is_floor(flagged):
        title = f"{results.ratio_text(flagged)} the floor; {', '.join(flagged['flags'])}"
        assert f'title="{title}"' in glance


def test_a_disturbed_machine_shows_as_disturbed(tmp_path: Path) -> None:
    phases = _data()["machine"]["phases"]
    disturbed = _data()
    busy = dict(phases, python=dict(phases["python"], others_cores=0.98))
    disturbed["machine"] = steadiness.verdict(busy)
    html_path, md_path = report.render(disturbed, tmp_path / "disturbed")
    html, md = html_path.read_text(), md_path.read_text()
    assert '<p class="machine disturbed">Machine during the timing: DISTURBED' in html
    assert md.splitlines()[2].startswith("**Machine during the timing: DISTURBED (")
    assert "other processes kept 0.98 cores busy" in html  # the reason
    steady = _data()
    quiet = dict(phases, python=dict(phases["python"], others_cores=0.01, steal_share=0.0))
    steady["machine"] = steadiness.verdict(quiet)
    html_path, md_path = report.render(steady, tmp_path / "steady")
    html, md = html_path.read_text(), md_path.read_text()
    said = report.fmt.esc(steadiness.line(steady["machine"]))
    assert f'<p class="machine">{said}</p>' in html and "steady (" in said
    body = html[html.index("<body>") :]
    assert "DISTURBED" not in body and 'class="machine disturbed"' not in body
    assert md.splitlines()[2] == steadiness.line(steady["machine"])


def test_summary_is_short_and_leads_with_the_machine_and_the_ranking(
    rendered: tuple[str, str],
) -> None:
    _, md = rendered
    assert 1_000 < len(md.encode()) < 30_000, f"summary.md is {len(md.encode())} bytes"
    assert md.splitlines()[2] == steadiness.line(_data()["machine"])
    per_cell = md.index("## Per cell: the bridges ranked")
    assert per_cell < md.index("## Python side: × the floor (cpython-api), geometric mean")
    add = md[md.index("### add\n", per_cell) :].split("\n\n")[1]
    assert "| side | # | bridge | ns/call (95 % CI) | × floor (95 % CI) |" in add
    ranked = sorted(
        (c for c in _data()["cells"] if c["cell"] == "add" and c["side"] == "python"),
        key=lambda c: c["median_ns"],
    )
    for rank, rec in enumerate(ranked, 1):
        flag = " †" if rec["flags"] else ""
        row = f"| python | {rank} | {rec['bridge']} | {results.ns_ci_text(rec)}{flag} |"
        assert f"{row} {results.ratio_text(rec)} |" in add
    rust = _record("rust", "add")
    assert f"| rust | 1 | rust | {results.ns_ci_text(rust)} | 1 (floor) |" in add
    for kernel in spec.kernels():
        assert f"### {kernel}: ns per call" in md
    assert "flagged noisy" in md


def _changed(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with pyo3's add made 3x slower against its floor (ratio and its interval)
    and one allocation more."""
    new = copy.deepcopy(data)
    for cell in new["cells"]:
        if cell["bridge"] == "pyo3" and cell["cell"] == "add":
            cell["ratio"] *= 3
            cell["ratio_ci95"] = [x * 3 for x in cell["ratio_ci95"]]
            cell["allocs_per_call"] = cell.get("allocs_per_call", 0) + 1
    return new


def _slower_machine(data: dict[str, Any]) -> dict[str, Any]:
    """`data` as a machine twice as slow at everything would measure it: every median
    and CI doubled, every ratio the same."""
    new = copy.deepcopy(data)
    for cell in new["cells"]:
        if cell["status"] == "ok":
            cell["median_ns"] *= 2
            cell["ci95_ns"] = [x * 2 for x in cell["ci95_ns"]]
    return new


def test_compare_flags_the_changed_cell_and_no_other(tmp_path: Path) -> None:
    base = _data()
    html_path, md_path = report.render(_changed(base), tmp_path, base=base)
    html, md = html_path.read_text(), md_path.read_text()
    section = html[
        html.index('id="compare"') : html.index("</section>", html.index('id="compare"'))
    ]
    flagged = re.findall(r'<tr class="bad">(.*?)</tr>', section)
    assert flagged, "the 3x slower cell is not flagged"
    assert all("pyo3" in row and ">add<" in row for row in flagged), flagged
    assert re.search(r"<tr class=\"good\">", section) is None, "an unchanged cell was flagged"
    assert "Counts per call that differ (1 cells" in section
    [row] = _rows(section[section.index("Ratio changes beyond the noise") :].split("<table")[1])
    pyo3 = _record("pyo3", "add")
    assert row[4:8] == [
        results.ratio_text(pyo3),
        results.ratio_text(_changed_pyo3()),
        "3.000",
        "slower",
    ]
    assert "## Compared with the base (on ratios to the floor)" in md
    slower = md[md.index("### Slower against the floor") :]
    ns = results.ns_ci_text(pyo3).split(" (")[0]
    base_ratio, new_ratio = (results.ratio_text(r, ci=False) for r in (pyo3, _changed_pyo3()))
    assert f"| pyo3 | add |  | {base_ratio} | {new_ratio} | 3.000 | {ns} | {ns} |" in slower
    assert md.count("| pyo3 |") >= 2


def _changed_pyo3() -> dict[str, Any]:
    return next(
        c for c in _changed(_data())["cells"] if c["bridge"] == "pyo3" and c["cell"] == "add"
    )


def test_compare_of_a_file_with_itself_flags_nothing(tmp_path: Path) -> None:
    html_path, _ = report.render(_data(), tmp_path, base=_data())
    html = html_path.read_text()
    assert "No ratio to the floor changed beyond the noise." in html
    assert "Every count per call is identical" in html


def test_compare_judges_ratios_not_the_ns_a_slower_machine_measured(tmp_path: Path) -> None:
    html_path, md_path = report.render(_slower_machine(_data()), tmp_path, base=_data())
    html, md = html_path.read_text(), md_path.read_text()
    assert "No ratio to the floor changed beyond the noise." in html
    assert "0 slower, 0 faster" in md and "### Slower" not in md
    # The ns medians are shown as measured, and their agreement is said apart.
    assert "Medians in ns within ±5% of each other (informational" in md
    timed = sum(c["status"] == "ok" for c in _data()["cells"])
    assert f"all 0/{timed} (0.0%)" in md


def test_a_merged_file_renders_every_label(tmp_path: Path) -> None:
    data = _data()
    merged = merge.merge([("a.json", data), ("b.json", data)], ["machine-a", "machine-b"])
    assert schema.validate(merged) == []
    assert len(merged["outcomes"]) == 2 * len(data["outcomes"])  # outcomes survive merging
    html_path, _ = report.render(merged, tmp_path)
    html = html_path.read_text()
    assert "pybind11 · machine-a" in html and "pybind11 · machine-b" in html
    assert html.count("<h3>machine-") == 2  # one environment table per source
    said = report.fmt.esc(steadiness.line(data["machine"]))
    for label in ("machine-a", "machine-b"):  # one steadiness line per source
        assert f'<p class="machine">{label}: {said}</p>' in html
    for text in SVG_RE.findall(html):
        _xml(text)


def test_a_file_without_outcomes_models_or_counts_still_renders(tmp_path: Path) -> None:
    data = _data()
    del data["outcomes"], data["models"]
    for cell in data["cells"]:
        for key in ("instructions_per_call", "allocs_per_call", "bytes_per_call"):
            cell.pop(key, None)
    html_path, md_path = report.render(data, tmp_path)
    assert "Bad input: what each bridge does" not in html_path.read_text()
    assert "No bad-input outcomes" in md_path.read_text()


def test_command_writes_both_files_and_names_a_broken_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(FIXTURE), "-o", str(tmp_path / "out")]) == 0
    said = capsys.readouterr().out
    assert "report.html" in said and "summary.md" in said
    assert (tmp_path / "out" / "report.html").stat().st_size > 50_000
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "bridgebench.results/2", "cells": 3}')
    assert main(["report", str(broken), "-o", str(tmp_path / "x")]) == 2
    assert str(broken) in capsys.readouterr().err


def test_svg_output_is_deterministic_and_escaped() -> None:
    bars = [svg.Bar("a<b>&", 12.5, "#123456", 10.0, 15.0, note="x & y")]
    one = svg.bar_chart(bars, title="t <1>", axis_label="ns", tick_format=str)
    assert one == svg.bar_chart(bars, title="t <1>", axis_label="ns", tick_format=str)
    assert "a&lt;b&gt;&amp;" in one and "<b>" not in one
    _xml(one)
    line = svg.Line("l", [(1.0, 5.0), (1000.0, 500.0), (0.0, 3.0)], "#000")
    chart = svg.loglog_chart(
        [line], title="t", x_label="n", y_label="ns", x_format=str, y_format=str
    )
    root = _xml(chart)
    points = [e for e in root.iter() if e.tag.endswith("circle")]
    assert len(points) == 2, "the n = 0 point cannot sit on a log axis and must be left out"


def _case(raises: tuple[str, ...]) -> BadInput:
    return BadInput("c", "add", "(1, 2)", raises)


def test_outcome_judgement_follows_the_contract_and_the_registry() -> None:
    python, ctypes_ = spec.bridge("python"), spec.bridge("ctypes")
    judge = outcome_matrix.judge
    type_error = Outcome("raised", "TypeError", "bad")
    assert judge(python, _case(("TypeError",)), type_error)[0] == "raised-as-contract"
    assert judge(python, _case(("OverflowError",)), type_error)[0] == "mismatch"
    assert judge(python, _case(("TypeError",)), Outcome("returned", "3"))[0] == "silently-wrong"
    assert judge(python, _case(("TypeError",)), Outcome("crashed", "SIGSEGV"))[0] == "crashed"
    assert judge(python, _case(()), Outcome("returned", "3"))[0] == "accepted-as-contract"
    declared = BadInput("add-huge-int", "add", "(2**100, 0)", ("OverflowError",))
    assert judge(ctypes_, declared, Outcome("returned", "0"))[0] == "declared: silently-wrong"
    assert judge(ctypes_, declared, type_error)[0] == "mismatch"
